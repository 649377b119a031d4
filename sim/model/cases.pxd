# Compiled declarations for cases.py (Cython, pure-Python mode): see docs/compiled.md.
cimport cython
from sim.model.people cimport Worker

cdef class Case:
    cdef public list durations, uniforms
    cdef public object ends, stages
    cdef public Worker worker
    cdef public Py_ssize_t first_duration, first_uniform, slot, stage, queue_token
    cdef public bint had_worker, started
    cdef public double referred_day, rereferral_delay_days
    cpdef double uniform(self, Py_ssize_t j)
    cpdef double assessment_days(self)
    cpdef object predrawn_duration(self)

cdef class CaseRows:
    cdef public tuple _stage_dists, _key
    cdef public object _delay_dist
    cdef public dict _blocks
    cdef public Py_ssize_t taken
    @cython.locals(index=Py_ssize_t, block=Py_ssize_t, offset=Py_ssize_t, rows=tuple)
    cpdef tuple take(self)

@cython.locals(close=double, cin=double, cp=double)
cpdef int choose(tuple cumulative, double u)
