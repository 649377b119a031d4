# cython: language_level=3, boundscheck=False, wraparound=False
"""`sim.model.heaps`' two heaps in C: the same keys, the same order out, with the keys in typed
arrays instead of tuples (no Python comparison per step of a sift). `sim/model/heaps.py` is the
reference and documents what each method does; `tests/test_compiled.py` runs both through the same
random operations. Built by setup.py where a C compiler is at hand (docs/compiled.md).
"""
from cpython.mem cimport PyMem_Free, PyMem_Realloc

from sim.model.people cimport Worker

cdef double INFINITY = float("inf")


cdef inline bint timed_before(Timed* a, Timed* b) noexcept:
    return a.day < b.day or (a.day == b.day and a.sequence < b.sequence)


cdef inline bint keyed_before(Keyed* a, Keyed* b) noexcept:
    if a.spare != b.spare:
        return a.spare < b.spare
    if a.day != b.day:
        return a.day < b.day
    return a.sequence < b.sequence


ctypedef fused Entry:
    Timed
    Keyed


cdef inline bint before(Entry* a, Entry* b) noexcept:
    if Entry is Timed:
        return timed_before(a, b)
    else:
        return keyed_before(a, b)


cdef inline void sift_up(Entry* heap, Py_ssize_t i, Entry item) noexcept:
    """Put `item` at `i` (a free place at the bottom of the heap) and move it up to its place."""
    cdef Py_ssize_t parent
    while i > 0:
        parent = (i - 1) >> 1
        if not before(&item, &heap[parent]):
            break
        heap[i] = heap[parent]
        i = parent
    heap[i] = item


cdef inline void sift_down(Entry* heap, Py_ssize_t size, Py_ssize_t i, Entry item) noexcept:
    """Put `item` at `i` of a heap of `size` entries and move it down to its place."""
    cdef Py_ssize_t child
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and before(&heap[child + 1], &heap[child]):
            child += 1
        if not before(&heap[child], &item):
            break
        heap[i] = heap[child]
        i = child
    heap[i] = item


cdef void* grown(void* block, Py_ssize_t* capacity, size_t item_size) except NULL:
    """`block` reallocated for twice its `capacity` items and more (updated)."""
    cdef Py_ssize_t larger = 2 * capacity[0] + 64
    cdef void* moved = PyMem_Realloc(block, larger * item_size)
    if moved == NULL:
        raise MemoryError()
    capacity[0] = larger
    return moved


cdef class _Slots:
    """Python objects by slot number, with the free slots kept for reuse."""

    def __cinit__(self):
        self.objects = []
        self.free = NULL
        self.n_free = self.free_capacity = 0

    def __dealloc__(self):
        PyMem_Free(self.free)

    cdef Py_ssize_t put(self, object value) except -1:
        cdef Py_ssize_t slot
        if self.n_free:
            self.n_free -= 1
            slot = self.free[self.n_free]
            self.objects[slot] = value
            return slot
        self.objects.append(value)
        return len(self.objects) - 1

    cdef object take(self, Py_ssize_t slot):
        value = self.objects[slot]
        self.objects[slot] = None
        if self.n_free == self.free_capacity:
            self.free = <Py_ssize_t*>grown(self.free, &self.free_capacity, sizeof(Py_ssize_t))
        self.free[self.n_free] = slot
        self.n_free += 1
        return value

    cdef void clear(self):
        self.objects = []
        self.n_free = 0


cdef class CaseEvents:

    def __cinit__(self, sequence):
        self._sequence = sequence
        self.events = _Slots()
        self.heap = NULL
        self.size = self.capacity = 0

    def __dealloc__(self):
        PyMem_Free(self.heap)

    cdef int _grow(self) except -1:
        self.heap = <Timed*>grown(self.heap, &self.capacity, sizeof(Timed))
        return 0

    cpdef push(self, double day, callback, argument):
        cdef long long sequence = next(self._sequence)
        cdef Timed item
        if self.size == self.capacity:
            self._grow()
        item.day, item.sequence = day, sequence
        item.slot = self.events.put((sequence, callback, argument))
        self.size += 1
        sift_up(self.heap, self.size - 1, item)

    cpdef double first_day(self):
        return self.heap[0].day if self.size else INFINITY

    cpdef first_sequence(self):
        if not self.size:
            raise IndexError("no case event is pending")
        return self.heap[0].sequence

    cpdef tuple pop(self):
        if not self.size:
            raise IndexError("no case event is pending")
        cdef tuple event = self.events.take(self.heap[0].slot)
        self.size -= 1
        if self.size:
            sift_down(self.heap, self.size, 0, self.heap[self.size])
        return event

    cpdef clear(self):
        self.size = 0
        self.events.clear()


cdef class WorkerHeap:

    def __cinit__(self):
        self.workers = _Slots()
        self.heap = NULL
        self.size = self.capacity = 0
        self._sequence = 0

    def __dealloc__(self):
        PyMem_Free(self.heap)

    cdef int _grow(self) except -1:
        self.heap = <Keyed*>grown(self.heap, &self.capacity, sizeof(Keyed))
        return 0

    cdef Keyed _entry(self, Worker worker, Py_ssize_t slot):
        cdef Keyed entry
        self._sequence += 1
        entry.spare = worker.n - worker.cap
        entry.day = worker.last_allocation_day
        entry.sequence = self._sequence
        entry.version = worker.version
        entry.slot = slot
        return entry

    cpdef push(self, Worker worker):
        if self.size == self.capacity:
            self._grow()
        self.size += 1
        sift_up(self.heap, self.size - 1, self._entry(worker, self.workers.put(worker)))

    cpdef replace_top(self, Worker worker):
        if not self.size:
            raise IndexError("replace_top on an empty heap")
        self.workers.take(self.heap[0].slot)
        sift_down(self.heap, self.size, 0, self._entry(worker, self.workers.put(worker)))

    cdef void _pop_top(self):
        self.workers.take(self.heap[0].slot)
        self.size -= 1
        if self.size:
            sift_down(self.heap, self.size, 0, self.heap[self.size])

    cpdef Worker top(self):
        cdef Worker worker
        while self.size:
            worker = <Worker>self.workers.objects[self.heap[0].slot]
            if worker.version == self.heap[0].version:
                return worker
            self._pop_top()
        return None

    cpdef rebuild(self):
        cdef Py_ssize_t i, kept = 0
        cdef Worker worker
        for i in range(self.size):
            worker = <Worker>self.workers.objects[self.heap[i].slot]
            if worker.version == self.heap[i].version:
                self.heap[kept] = self.heap[i]
                kept += 1
            else:
                self.workers.take(self.heap[i].slot)
        self.size = kept
        for i in range(kept // 2 - 1, -1, -1):  # heapify
            sift_down(self.heap, self.size, i, self.heap[i])

    def __len__(self):
        return self.size

    cpdef clear(self):
        self.size = 0
        self.workers.clear()
