"""A case's pathway: arrival, allocation, stage ends, closure, re-referral, change of worker.

Stage ends are timeouts with a callback (no generator process per case). A stage's clock runs from
its start whether or not the case has a worker; an assessment starts when the case is first
allocated.
"""
from __future__ import annotations

from sim.model.call import Call
from sim.model.cases import (
    ASSESSMENT,
    CLA,
    CLOSED,
    REFERRED_CASES,
    REREFERRED_CASES,
    STOCK_CASES,
    WAITING_CASES,
    Case,
    CaseRows,
    choose,
    cumulative_table,
    escalated,
)
from sim.model.people import Worker

ON_TIME_DAYS = 63.0  # 45 working days, the statutory limit for an assessment


class Pathway:
    """Moves cases through their stages and keeps the counts of open cases."""

    def __init__(self, council, scenario, root_seed: int, rep: int, overflow_uniforms) -> None:
        self.council = council
        self.env, self.counts, self.turnover = council.env, council.counts, council.turnover
        demand = scenario.demand
        self.tables = (cumulative_table(demand.assessment.outcome), cumulative_table(demand.cin.next),
                       cumulative_table(demand.cp.next), cumulative_table(demand.cla.next))
        self.rows = {space: CaseRows(scenario, root_seed, rep, space)
                     for space in (REFERRED_CASES, REREFERRED_CASES, WAITING_CASES, *STOCK_CASES)}
        self.next_index = dict.fromkeys(self.rows, 0)
        self.rereferral_share = demand.rereferral.share
        self.rereferral_effect = demand.rereferral.caseload_effect
        self.rereferral_reference = demand.rereferral.reference_caseload
        self.escalation = scenario.effects.cla_escalation
        self.escalation_reference = scenario.effects.reference_caseload
        self.open = [0, 0, 0, 0]
        self._placements = council.costs.placements
        self._placement_per_child_day = council.costs.placement_per_child_day
        self._overflow_uniform = overflow_uniforms

    # creating cases ----------------------------------------------------------------------------
    def new_case(self, space: int, referred_day: float, stage: int = ASSESSMENT) -> Case:
        index = self.next_index[space]
        self.next_index[space] = index + 1
        case = Case(self.rows[space].row(index), referred_day, stage)
        self.open[stage] += 1
        if stage == CLA:
            self._placements_changed()
        return case

    def referral_arrives(self, space: int = REFERRED_CASES) -> None:
        """A referral passes the front door: it waits for a worker to start its assessment."""
        self.council.allocator.offer(self.new_case(space, self.env.now))

    def rereferral_arrives(self) -> None:
        self.counts.rereferrals += 1
        self.referral_arrives(REREFERRED_CASES)

    def start_stock(self, stage: int, remaining_days: float, elapsed_days: float) -> Case:
        """A case open at the start, part-way through `stage` (its clock already running)."""
        case = self.new_case(STOCK_CASES[stage], self.env.now - elapsed_days, stage)
        case.started = True
        Call(self.env, remaining_days, self.stage_ends, (case,))
        return case

    # allocation --------------------------------------------------------------------------------
    def assign(self, case: Case, worker: Worker) -> None:
        """The allocator gives `case` to `worker`."""
        now = self.env.now
        if case.had_worker:
            self.counts.worker_changes += 1
        elif not case.started:  # a new referral's first allocation
            counts = self.counts
            counts.waits += 1
            counts.wait_days += now - case.referred_day
        case.had_worker = True
        case.worker = worker
        worker.cases[case] = None
        worker.n += 1
        worker.last_allocation_day = now
        self.council.allocator.touch(worker)
        if self.turnover.follows_caseload:
            self.turnover.caseload_rose(worker)
        if not case.started:
            case.started = True
            Call(self.env, case.assessment_days(), self.stage_ends, (case,))

    def release_cases(self, worker: Worker) -> None:
        """A worker has gone: their cases wait again, at the front of their class."""
        allocator = self.council.allocator
        for case in worker.cases:
            case.worker = None
            allocator.enqueue(case, front=True)
        worker.cases = {}
        worker.n = 0
        allocator.allocate()

    # stages ------------------------------------------------------------------------------------
    def _placements_changed(self) -> None:
        """Placement costs accrue at a rate that follows the number of children in care."""
        self._placements.set_rate(self.env.now, self.open[CLA] * self._placement_per_child_day)

    @staticmethod
    def _overload(worker: Worker | None, reference: float | None) -> float:
        if worker is None:
            return 0.0
        return max(0.0, worker.n / (reference or worker.cap) - 1.0)

    def stage_ends(self, case: Case) -> None:
        stage, slot = case.stage, case.slot
        if stage == ASSESSMENT:
            counts = self.counts
            counts.assessments += 1
            counts.assessments_on_time += self.env.now - case.referred_day <= ON_TIME_DAYS
        table = self.tables[stage]
        if self.escalation and case.worker is not None:
            overload = self._overload(case.worker, self.escalation_reference)
            table = escalated(table, 1.0 + self.escalation * overload)
        u = (case.uniforms[case.first_uniform + slot] if slot < CaseRows.SLOTS  # case.uniform(slot)
             else self._overflow_uniform())
        following = choose(table, u)
        self.open[stage] -= 1
        if stage == CLA:
            self._placements_changed()
        case.slot = slot + 1
        if following == CLOSED:
            self._close(case)
            return
        case.stage = following
        self.open[following] += 1
        if following == CLA:
            self._placements_changed()
        if case.queue_token:  # waiting: move to the queue of its new priority class
            allocator = self.council.allocator
            allocator.withdraw(case)
            allocator.enqueue(case, front=True)
        days = case.predrawn_duration()
        if days is None:
            days = self.council.overflow_duration(following)
        Call(self.env, days, self.stage_ends, (case,))

    def _close(self, case: Case) -> None:
        allocator = self.council.allocator
        worker = case.worker
        share = self.rereferral_share
        if share and self.rereferral_effect:
            share = min(1.0, share * (1.0 + self.rereferral_effect
                                      * self._overload(worker, self.rereferral_reference)))
        if worker is not None:  # the worker drops the case
            case.worker = None
            del worker.cases[case]
            worker.n -= 1
            allocator.touch(worker)
        elif case.queue_token:
            allocator.withdraw(case)
        if share and case.uniform(CaseRows.SLOTS) < share:
            Call(self.env, case.rereferral_delay_days, self.rereferral_arrives, ())
        allocator.allocate()
