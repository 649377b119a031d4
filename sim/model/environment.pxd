# Compiled declarations for environment.py (Cython, pure-Python mode): see docs/compiled.md.
cimport cython
from sim.model._heaps cimport CaseEvents as CCaseEvents

@cython.locals(queue=list, cases=CCaseEvents, n_arrivals=Py_ssize_t, next_arrival=Py_ssize_t,
               arrival=double, events=Py_ssize_t, following=double, case_day=double,
               case_first=bint, day=double)
cpdef Py_ssize_t run_merged(env, double until, list arrival_days, arrive) except -1
