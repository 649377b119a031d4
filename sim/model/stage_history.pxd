# Compiled declarations for stage_history.py (Cython, pure-Python mode): see docs/compiled.md.
cdef class StageHistory:
    cdef public double first_day, placement_per_child_day
    cdef public tuple entered, left, _lists
    cdef public list assessed, assessed_on_time, _marks
