# Compiled declarations for cases.py (Cython, pure-Python mode): see docs/compiled.md.
cimport cython
from sim.model.people cimport Worker

cdef Py_ssize_t BLOCK, ROW_WIDTH

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
    cdef public Py_ssize_t taken, _block
    cdef public tuple _rows
    @cython.locals(index=Py_ssize_t, block=Py_ssize_t, offset=Py_ssize_t, uniforms=list,
                   durations=list, delays=list)
    cpdef tuple take(self)

@cython.locals(close=double, cin=double, cp=double)
cpdef int choose(tuple cumulative, double u)
