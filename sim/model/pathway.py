"""A case's pathway: arrival, allocation, stages, closure, re-referral, change of worker.

A stage's clock runs from its start whether or not the case has a worker; an assessment starts
when the case is first allocated. Nothing a stage's outcome or length depends on changes once the
clock starts (they come from the case's pre-drawn row), so the whole pathway is drawn then: the
days the case enters and leaves each stage go to the `StageHistory`, and one case event, its
close, is scheduled. Two things keep stage ends as events, one by one: an effect that makes an
outcome depend on the worker at the time (`cla_escalation`), for every case, and a pathway longer
than the pre-drawn row, from the stage where the row runs out (its overflow draws are taken in the
order the stages end, as before). A case waiting for a worker moves to the queue of its new stage
when a stage ends, so a waiting case with a drawn pathway is watched at each of its stage ends.
The clock is read as `env._now`, SimPy's attribute behind its `now` property (a call less each
time; this is the model's hottest code, compiled where it can be: docs/compiled.md).
"""
from __future__ import annotations

from bisect import bisect_right

from sim.model.allocation import Allocator
from sim.model.cases import (
    ASSESSMENT,
    CLOSED,
    REFERRED_CASES,
    REREFERRED_CASES,
    SLOTS,
    STOCK_CASES,
    Case,
    CaseRows,
    choose,
    cumulative_table,
    escalated,
)
from sim.model.people import Worker
from sim.model.pressure import duration_factor, pressure_exponent
from sim.model.stage_history import StageHistory

ON_TIME_DAYS = 63.0  # 45 working days, the statutory limit for an assessment


class Pathway:
    """Moves cases through their stages; counts the open cases and records their stage changes.
    Its `allocator` gives waiting cases to workers (`assign`)."""

    def __init__(self, council, scenario, root_seed: int, rep: int, overflow_uniforms) -> None:
        self.council = council
        self.env, self.counts, self.turnover = council.env, council.counts, council.turnover
        demand = scenario.demand
        self.tables = (cumulative_table(demand.assessment.outcome), cumulative_table(demand.cin.next),
                       cumulative_table(demand.cp.next), cumulative_table(demand.cla.next))
        self.rows = tuple(CaseRows(scenario, root_seed, rep, space)  # by index space
                          for space in range(STOCK_CASES[-1] + 1))
        self.rereferral_share = demand.rereferral.share
        self.rereferral_effect = demand.rereferral.caseload_effect
        self.rereferral_reference = demand.rereferral.reference_caseload
        self.escalation = scenario.effects.cla_escalation
        self.escalation_reference = scenario.effects.reference_caseload
        self.stage_by_stage = bool(self.escalation)  # outcomes follow the worker of the day
        self.open_cases = 0
        self.pressure_exponent = pressure_exponent(demand.cases_referral_elasticity)
        self.usual_caseload_ratio = demand.usual_caseload_ratio
        self.pressure_reference: float | None = None  # open cases per case-holder, usual
        self.history = StageHistory(council.first_day, council.costs.placement_per_child_day)
        self._entered, self._left = self.history.entered, self.history.left
        self._overflow_uniform = overflow_uniforms
        self._events = council.env.case_events
        self._follows_caseload = council.turnover.follows_caseload
        self.allocator = Allocator(list(scenario.allocation.priority),
                                   scenario.allocation.when_full == "queue", self.assign)
        # bound once, so that the case events share them rather than each making its own
        self._closes, self._stage_ends = self._drawn_pathway_closes, self.stage_ends

    # creating cases ----------------------------------------------------------------------------
    def new_case(self, space: int, referred_day: float, stage: int = ASSESSMENT) -> Case:
        rows = self.rows[space]
        case = Case(rows.take(), referred_day, stage)
        self.open_cases += 1
        self._entered[stage].append(self.env._now)
        return case

    def referral_arrives(self, space: int = REFERRED_CASES) -> None:
        """A referral passes the front door: it waits for a worker to start its assessment."""
        self.allocator.offer(self.new_case(space, self.env._now))

    def rereferral_arrives(self) -> None:
        self.counts.rereferrals += 1
        self.referral_arrives(REREFERRED_CASES)

    def start_stock(self, stage: int, remaining_days: float, elapsed_days: float) -> Case:
        """A case open at the start, part-way through `stage` (its clock already running); it
        waits for a worker (`watch_waiting` once the first allocation is over)."""
        case = self.new_case(STOCK_CASES[stage], self.env._now - elapsed_days, stage)
        self._start_clock(case, remaining_days)
        self.allocator.enqueue(case)
        return case

    def fix_pressure_reference(self) -> None:
        """The open cases per case-holder now, the start (its stock allocated), times
        `demand.usual_caseload_ratio`, become the reference of the pressure on stage lengths
        (`sim.model.pressure`); none (no pressure) while the exponent is 0 or the council
        starts without cases or case-holders."""
        holders = len(self.council.workforce.workers)
        if self.pressure_exponent and holders and self.open_cases:
            self.pressure_reference = self.open_cases / holders * self.usual_caseload_ratio

    def _duration_factor(self) -> float:
        """The factor on the length of a stage drawn now (1 without a pressure reference)."""
        if self.pressure_reference is None:
            return 1.0
        return duration_factor(self.open_cases, len(self.council.workforce.workers),
                               self.pressure_reference, self.pressure_exponent)

    # allocation --------------------------------------------------------------------------------
    def assign(self, case: Case, worker: Worker) -> None:
        """The allocator gives `case` to `worker` (and re-keys the worker)."""
        now = self.env._now
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
        if self._follows_caseload:
            self.turnover.caseload_rose(worker)
        if not case.started:
            self._start_clock(case, case.assessment_days())

    def release_cases(self, worker: Worker) -> None:
        """A worker has gone: their cases wait again, at the front of their class."""
        allocator = self.allocator
        released = list(worker.cases)
        for case in released:
            case.worker = None
            self._stage_now(case)
            allocator.enqueue(case, front=True)
        worker.cases = {}
        worker.n = 0
        allocator.allocate()
        self.watch_waiting(released)

    # waiting cases whose pathway is drawn --------------------------------------------------------
    def _stage_now(self, case: Case) -> int | None:
        """Bring `case.stage` up to date (a drawn pathway's stage at the clock's day) and return
        the index of that stage in `case.ends` (None for a case whose stages are events)."""
        ends = case.ends
        if ends is None:
            return None
        i = min(bisect_right(ends, self.env._now), len(ends) - 1)  # its last stage ends now at most
        case.stage = case.stages[i]
        return i

    def watch_waiting(self, cases) -> None:
        """Watch those of `cases` still waiting whose drawn pathway has a stage end (before its
        last, a case event already) to come: there it changes queue."""
        for case in cases:
            if case.queue_token and case.ends is not None:
                i = self._stage_now(case)
                if i + 1 < len(case.ends):
                    self._events.push(case.ends[i], self._stage_ends_waiting,
                                      (case, case.queue_token, i + 1))

    def _stage_ends_waiting(self, watched: tuple[Case, int, int]) -> None:
        """A watched case's stage ended: if it still waits, it goes to the front of the queue of
        its next stage (`i`, its index in `case.ends`), and is watched on."""
        case, token, i = watched
        if case.queue_token != token:  # allocated (or moved) since
            return
        case.stage = case.stages[i]
        self._requeue(case)
        if i + 1 < len(case.ends):
            self._events.push(case.ends[i], self._stage_ends_waiting,
                              (case, case.queue_token, i + 1))

    def _requeue(self, case: Case) -> None:
        """A waiting case changed stage: it moves to the front of its new priority class."""
        allocator = self.allocator
        allocator.withdraw(case)
        allocator.enqueue(case, front=True)

    # stages ------------------------------------------------------------------------------------
    def _start_clock(self, case: Case, days: float) -> None:
        """The case's clock starts now; its current stage lasts `days`, times the caseload
        pressure's factor now (`_duration_factor`), as do the stages drawn with it."""
        case.started = True
        factor = self._duration_factor()
        if self.stage_by_stage:
            self._events.push(self.env._now + days * factor, self._stage_ends, case)
        else:
            self._draw_pathway(case, self.env._now + days * factor, factor)

    def _draw_pathway(self, case: Case, end: float, factor: float) -> None:
        """Draw the case's stages from its row, the first ending on day `end`: record them and
        schedule its close (or, past the row, the stage end from which it goes on one by one).
        The days are summed stage by stage, as a stage end one by one would reach them, each
        times `factor` (the caseload pressure's when the clock started)."""
        uniforms, first_uniform = case.uniforms, case.first_uniform
        durations, first_duration = case.durations, case.first_duration
        entered, left, tables = self._entered, self._left, self.tables
        stage, slot = case.stage, case.slot
        ends: list[float] = []
        stages: list[int] = []
        if stage == ASSESSMENT:  # the first stage only: no outcome leads back to an assessment
            self._assessed(case, end)
        while True:
            ends.append(end)
            stages.append(stage)
            following = choose(tables[stage], uniforms[first_uniform + slot])
            slot += 1
            if following == CLOSED:  # the close is an event: it records the stage's end then
                self._events.push(end, self._closes, case)
                break
            left[stage].append(end)
            entered[following].append(end)
            if slot == SLOTS:
                self._events.push(end, self._beyond_row, (case, following))
                break
            stage = following
            end += durations[first_duration + 3 * slot + stage - 3] * factor  # predrawn_duration()
        case.ends, case.stages = ends, stages

    def _drawn_pathway_closes(self, case: Case) -> None:
        self._left[case.stages[-1]].append(self.env._now)
        self._close(case)

    def _assessed(self, case: Case, day: float) -> None:
        history = self.history
        history.assessed.append(day)
        if day - case.referred_day <= ON_TIME_DAYS:
            history.assessed_on_time.append(day)

    def _beyond_row(self, position: tuple[Case, int]) -> None:
        """A drawn pathway reached the end of the case's row: it enters stage `following` now and
        goes on stage by stage, with overflow draws."""
        case, following = position
        case.ends = case.stages = None
        case.stage, case.slot = following, SLOTS
        self._next_stage(case, following)

    def _next_stage(self, case: Case, stage: int) -> None:
        """The case has entered `stage` (recorded): requeue it if waiting, and schedule the
        stage's end (its length scaled by the caseload pressure now)."""
        if case.queue_token:
            self._requeue(case)
        days = case.predrawn_duration()
        if days is None:
            days = self.council.overflow_duration(stage)
        self._events.push(self.env._now + days * self._duration_factor(), self._stage_ends, case)

    @staticmethod
    def _overload(worker: Worker | None, reference: float | None) -> float:
        if worker is None:
            return 0.0
        return max(0.0, worker.n / (reference or worker.cap) - 1.0)

    def stage_ends(self, case: Case) -> None:
        """A stage ends, one by one: the outcome is decided now (with the worker of the day)."""
        stage, slot, now = case.stage, case.slot, self.env._now
        if stage == ASSESSMENT:
            self._assessed(case, now)
        table = self.tables[stage]
        if self.escalation and case.worker is not None:
            overload = self._overload(case.worker, self.escalation_reference)
            table = escalated(table, 1.0 + self.escalation * overload)
        u = case.uniform(slot) if slot < SLOTS else self._overflow_uniform()
        following = choose(table, u)
        self._left[stage].append(now)
        case.slot = slot + 1
        if following == CLOSED:
            self._close(case)
            return
        case.stage = following
        self._entered[following].append(now)
        self._next_stage(case, following)

    def _close(self, case: Case) -> None:
        self.open_cases -= 1
        allocator = self.allocator
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
        if share and case.uniform(SLOTS) < share:
            self.council.later(case.rereferral_delay_days, self.rereferral_arrives)
        allocator.allocate()
