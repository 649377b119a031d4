# Declarations of the C heaps (_heaps.pyx), for the compiled modules that call them: see
# docs/compiled.md.
from sim.model.people cimport Worker


cdef struct Timed:  # a case event: when, and where its (sequence, callback, argument) is kept
    double day
    long long sequence
    Py_ssize_t slot


cdef struct Keyed:  # a worker's entry: its key, the version it was keyed at, where it is kept
    double spare  # n - cap
    double day  # last allocation
    long long sequence
    long long version
    Py_ssize_t slot


cdef class _Slots:
    cdef list objects
    cdef Py_ssize_t* free
    cdef Py_ssize_t n_free, free_capacity
    cdef Py_ssize_t put(self, object value) except -1
    cdef object take(self, Py_ssize_t slot)
    cdef void clear(self)


cdef class CaseEvents:
    cdef Timed* heap
    cdef Py_ssize_t size, capacity
    cdef _Slots events
    cdef object _sequence
    cdef int _grow(self) except -1
    cpdef push(self, double day, callback, argument)
    cpdef double first_day(self)
    cpdef first_sequence(self)
    cpdef tuple pop(self)
    cpdef clear(self)


cdef class WorkerHeap:
    cdef Keyed* heap
    cdef Py_ssize_t size, capacity
    cdef _Slots workers
    cdef long long _sequence
    cdef int _grow(self) except -1
    cdef Keyed _entry(self, Worker worker, Py_ssize_t slot)
    cdef void _pop_top(self)
    cpdef push(self, Worker worker)
    cpdef replace_top(self, Worker worker)
    cpdef Worker top(self)
    cpdef rebuild(self)
    cpdef clear(self)
