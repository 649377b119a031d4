# Compiled declarations for seeds.py (Cython, pure-Python mode): see docs/compiled.md.
# uint32_t arithmetic wraps modulo 2**32, as numpy's does and as seeds.py's masks do.
cimport cython
from libc.stdint cimport uint32_t

cdef uint32_t MASK_32, MIX_MULT_L, MIX_MULT_R
cdef list _POWERS_A, _POWERS_B
cdef dict _ORDERS

cdef uint32_t _hashed(uint32_t value, uint32_t before, uint32_t after)

@cython.locals(needed=Py_ssize_t, powers=list, pool=list, k=Py_ssize_t, source=Py_ssize_t,
               target=Py_ssize_t, i=Py_ssize_t, value=uint32_t, mixed=uint32_t,
               before=uint32_t, after=uint32_t, into=uint32_t)
cpdef list mixed_pool(list entropy)

@cython.locals(powers=list, k=Py_ssize_t)
cpdef list state_words(list pool, Py_ssize_t n)
