# Compiled declarations for people.py (Cython, pure-Python mode): see docs/compiled.md.
cdef class Worker:
    cdef public double cap, last_allocation_day
    cdef public dict cases
    cdef public bint gone, on_notice, ramping
    cdef public object kind, level, post, started
    cdef public Py_ssize_t n, version
