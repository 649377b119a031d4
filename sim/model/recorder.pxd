# Compiled declarations for recorder.py (Cython, pure-Python mode): see docs/compiled.md.
cimport cython
from sim.model.people cimport Worker

@cython.locals(caseloads=list, over_cap=Py_ssize_t, worker=Worker)
cpdef tuple caseloads_and_over_cap(workers)
