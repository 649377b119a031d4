# Compiled declarations for pathway.py (Cython, pure-Python mode): see docs/compiled.md.
cimport cython
from sim.model.cases cimport Case, CaseRows
from sim.model.stage_history cimport StageHistory
from sim.model.people cimport Worker
from sim.model.allocation cimport Allocator
from sim.model._heaps cimport CaseEvents as CCaseEvents

cdef class Pathway:
    cdef public object council, env, counts, turnover, _overflow_uniform
    cdef public StageHistory history
    cdef public Allocator allocator
    cdef public bint _follows_caseload
    cdef public tuple rows
    cdef public CCaseEvents _events
    cdef public object _closes, _stage_ends, pressure_reference
    cdef public object rereferral_reference, escalation_reference
    cdef public tuple tables, _entered, _left
    cdef public double rereferral_share, rereferral_effect, escalation
    cdef public double pressure_exponent, usual_caseload_ratio
    cdef public bint stage_by_stage
    cdef public Py_ssize_t open_cases
    @cython.locals(rows=CaseRows)
    cpdef Case new_case(self, int space, double referred_day, int stage=*)
    cpdef referral_arrives(self, int space=*)
    cpdef rereferral_arrives(self)
    cpdef Case start_stock(self, int stage, double remaining_days, double elapsed_days)
    cpdef fix_pressure_reference(self)
    cdef double _duration_factor(self)
    cpdef assign(self, Case case, Worker worker)
    cpdef release_cases(self, Worker worker)
    cdef object _stage_now(self, Case case)
    cpdef watch_waiting(self, cases)
    cpdef _stage_ends_waiting(self, tuple watched)
    cdef _requeue(self, Case case)
    cdef _start_clock(self, Case case, double days)
    @cython.locals(slot=Py_ssize_t, stage=int, following=int,
                   first_uniform=Py_ssize_t, first_duration=Py_ssize_t,
                   uniforms=list, durations=list, ends=list, stages=list)
    cdef _draw_pathway(self, Case case, double end, double factor)
    cpdef _drawn_pathway_closes(self, Case case)
    @cython.locals(history=StageHistory)
    cdef _assessed(self, Case case, double day)
    cpdef _beyond_row(self, tuple position)
    cdef _next_stage(self, Case case, int stage)
    cpdef stage_ends(self, Case case)
    cdef _close(self, Case case)
