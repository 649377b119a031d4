# cython: language_level=3, boundscheck=False, wraparound=False
"""`sim.model.heaps`' two heaps in C: the same keys, the same order out, with the keys in typed
arrays instead of tuples (no Python comparison per step of a sift). `sim/model/heaps.py` is the
reference and documents what each method does; `tests/test_heaps.py` runs both through the same
random operations. Built by setup.py where a C compiler is at hand (docs/compiled.md).
"""
from cpython.mem cimport PyMem_Free, PyMem_Realloc

from sim.model.people cimport Worker

cdef double INFINITY = float("inf")


cdef struct Timed:  # a case event: when, and where its (sequence, callback, argument) is kept
    double day
    long long sequence
    Py_ssize_t slot


cdef inline bint timed_before(Timed* a, Timed* b) noexcept:
    return a.day < b.day or (a.day == b.day and a.sequence < b.sequence)


cdef struct Keyed:  # a worker's entry: its key, the version it was keyed at, where it is kept
    double spare  # n - cap
    double day  # last allocation
    long long sequence
    long long version
    Py_ssize_t slot


cdef inline bint keyed_before(Keyed* a, Keyed* b) noexcept:
    if a.spare != b.spare:
        return a.spare < b.spare
    if a.day != b.day:
        return a.day < b.day
    return a.sequence < b.sequence


cdef class _Slots:
    """Python objects by slot number, with the free slots kept for reuse."""
    cdef list objects
    cdef list free

    def __cinit__(self):
        self.objects = []
        self.free = []

    cdef inline Py_ssize_t put(self, object value):
        cdef Py_ssize_t slot
        if self.free:
            slot = self.free.pop()
            self.objects[slot] = value
            return slot
        self.objects.append(value)
        return len(self.objects) - 1

    cdef inline object take(self, Py_ssize_t slot):
        value = self.objects[slot]
        self.objects[slot] = None
        self.free.append(slot)
        return value

    cdef inline void clear(self):
        self.objects = []
        self.free = []


cdef class CaseEvents:
    cdef Timed* heap
    cdef Py_ssize_t size, capacity
    cdef _Slots events
    cdef object _sequence

    def __cinit__(self, sequence):
        self._sequence = sequence
        self.events = _Slots()
        self.heap = NULL
        self.size = self.capacity = 0

    def __dealloc__(self):
        PyMem_Free(self.heap)

    cdef int _grow(self) except -1:
        cdef Py_ssize_t capacity = 2 * self.capacity + 64
        cdef Timed* grown = <Timed*>PyMem_Realloc(self.heap, capacity * sizeof(Timed))
        if grown == NULL:
            raise MemoryError()
        self.heap, self.capacity = grown, capacity
        return 0

    cpdef push(self, double day, callback, argument):
        cdef long long sequence = next(self._sequence)
        cdef Timed item
        cdef Py_ssize_t i, parent
        if self.size == self.capacity:
            self._grow()
        item.day, item.sequence = day, sequence
        item.slot = self.events.put((sequence, callback, argument))
        i = self.size
        self.size += 1
        while i > 0:  # sift up
            parent = (i - 1) >> 1
            if not timed_before(&item, &self.heap[parent]):
                break
            self.heap[i] = self.heap[parent]
            i = parent
        self.heap[i] = item

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
        cdef Timed last
        cdef Py_ssize_t i = 0, child, n
        self.size -= 1
        n = self.size
        if n:
            last = self.heap[n]
            while True:  # sift the last item down from the root
                child = 2 * i + 1
                if child >= n:
                    break
                if child + 1 < n and timed_before(&self.heap[child + 1], &self.heap[child]):
                    child += 1
                if not timed_before(&self.heap[child], &last):
                    break
                self.heap[i] = self.heap[child]
                i = child
            self.heap[i] = last
        return event

    cpdef clear(self):
        self.size = 0
        self.events.clear()


cdef class WorkerHeap:
    cdef Keyed* heap
    cdef Py_ssize_t size, capacity
    cdef _Slots workers
    cdef long long _sequence

    def __cinit__(self):
        self.workers = _Slots()
        self.heap = NULL
        self.size = self.capacity = 0
        self._sequence = 0

    def __dealloc__(self):
        PyMem_Free(self.heap)

    cdef int _grow(self) except -1:
        cdef Py_ssize_t capacity = 2 * self.capacity + 64
        cdef Keyed* grown = <Keyed*>PyMem_Realloc(self.heap, capacity * sizeof(Keyed))
        if grown == NULL:
            raise MemoryError()
        self.heap, self.capacity = grown, capacity
        return 0

    cdef inline Keyed _entry(self, Worker worker, Py_ssize_t slot):
        cdef Keyed entry
        self._sequence += 1
        entry.spare = worker.n - worker.cap
        entry.day = worker.last_allocation_day
        entry.sequence = self._sequence
        entry.version = worker.version
        entry.slot = slot
        return entry

    cdef inline void _sift_up(self, Py_ssize_t i, Keyed item) noexcept:
        cdef Py_ssize_t parent
        while i > 0:
            parent = (i - 1) >> 1
            if not keyed_before(&item, &self.heap[parent]):
                break
            self.heap[i] = self.heap[parent]
            i = parent
        self.heap[i] = item

    cdef inline void _sift_down(self, Py_ssize_t i, Keyed item) noexcept:
        cdef Py_ssize_t child, n = self.size
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and keyed_before(&self.heap[child + 1], &self.heap[child]):
                child += 1
            if not keyed_before(&self.heap[child], &item):
                break
            self.heap[i] = self.heap[child]
            i = child
        self.heap[i] = item

    cpdef push(self, Worker worker):
        if self.size == self.capacity:
            self._grow()
        self.size += 1
        self._sift_up(self.size - 1, self._entry(worker, self.workers.put(worker)))

    cpdef replace_top(self, Worker worker):
        if not self.size:
            raise IndexError("replace_top on an empty heap")
        self.workers.take(self.heap[0].slot)
        self._sift_down(0, self._entry(worker, self.workers.put(worker)))

    cdef inline void _pop_top(self):
        self.workers.take(self.heap[0].slot)
        self.size -= 1
        if self.size:
            self._sift_down(0, self.heap[self.size])

    cpdef top(self):
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
            self._sift_down(i, self.heap[i])

    def __len__(self):
        return self.size

    cpdef clear(self):
        self.size = 0
        self.workers.clear()
