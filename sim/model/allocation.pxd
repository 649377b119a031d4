# Compiled declarations for allocation.py (Cython, pure-Python mode): see docs/compiled.md.
from sim.model.cases cimport Case
from sim.model.people cimport Worker
from sim.model._heaps cimport WorkerHeap as CWorkerHeap

cdef class Allocator:
    cdef public list rank_of_stage, queues
    cdef public CWorkerHeap _heap
    cdef public Py_ssize_t waiting, _live_workers
    cdef public bint hard_cap
    cdef public object _assign, _sequence
    cpdef touch(self, Worker worker)
    cdef _give(self, case, Worker worker)
    cpdef add_worker(self, Worker worker)
    cpdef remove_worker(self, Worker worker)
    cpdef rekey_all(self, workers)
    cpdef _rebuild(self)
    cpdef Worker _best_worker(self)
    cpdef clear(self)
    cpdef enqueue(self, Case case, bint front=*)
    cpdef offer(self, case)
    cpdef withdraw(self, Case case)
    cdef Case _next_case(self)
    cpdef allocate(self)
