"""One replication of one council: wires demand, cases, allocation, workforce, policy and costs.

`run_replication(scenario, rep, root_seed)` is a pure function: the same arguments give the same
arrays whatever process runs it.
"""
from __future__ import annotations

import gc

from sim.model.distributions import Draws, Uniforms, sample_residual
from sim.model.call import Call
from sim.model.cases import STAGES, WAITING_CASES
from sim.model.costs import Accrual, Costs
from sim.model.demand import draw_referrals
from sim.model.drift import (DEMAND_WALK, ESTABLISHMENT_WALK, TURNOVER_WALK, establishment_path,
                             walk_normals, yearly_multipliers)
from sim.model.environment import Environment
from sim.model.managers import Managers
from sim.model.pathway import Pathway
from sim.model.policy import Policy
from sim.model.post_draws import PostStreams
from sim.model.recorder import Recorder, sample_days
from sim.model.replication import Replication
from sim.model.turnover import Turnover
from sim.model.units import DAYS_PER_YEAR
from sim.model.workforce import Workforce
from sim.model.streams import INITIAL_STOCK, OVERFLOW_OUTCOMES, stream


class Counts:
    """Running totals that the recorder differences into period metrics."""

    __slots__ = (
        "leavers",
        "rereferrals",
        "starters",
        "wait_days",
        "waits",
        "worker_changes",
    )

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)


class Council:
    """The state of one replication and the small event helpers its parts share."""

    def __init__(self, scenario, rep: int, root_seed: int) -> None:
        self.scenario = scenario
        self.first_day = -float(scenario.warmup_days)
        self.last_day = scenario.years * DAYS_PER_YEAR
        self.env = Environment(initial_time=self.first_day)
        self.root_seed, self.rep = root_seed, rep
        self.counts = Counts()
        self.costs = Costs(scenario, self.first_day)
        self.permanent_staff_days = Accrual(self.first_day)
        self.turnover = Turnover(scenario, lambda: self.env.now, self.later, self._resign)
        self.turnover.follow_drift(yearly_multipliers(
            scenario.workforce.turnover.yearly_change_sd, scenario.years,
            walk_normals(root_seed, rep, TURNOVER_WALK)))
        self.pathway = Pathway(self, scenario, root_seed, rep,
                               Uniforms(stream(root_seed, rep, "overflow", OVERFLOW_OUTCOMES)))
        self.allocator = self.pathway.allocator
        self.workforce = Workforce(self, scenario, PostStreams(scenario, root_seed, rep))
        self.managers = Managers(self, scenario,
                                 lambda part: stream(root_seed, rep, "managers", part))
        demand = scenario.demand
        self._overflow = [Draws(getattr(demand, name).duration_days,
                                stream(root_seed, rep, "overflow", stage))
                          for stage, name in enumerate(STAGES)]
        self.recorder = Recorder(self, sample_days(scenario.start, self.first_day, self.last_day,
                                                   scenario.report_every_days))
        self.referrals = draw_referrals(
            scenario, lambda part: stream(root_seed, rep, "arrivals", part),
            self.first_day, self.last_day,
            yearly_multipliers(scenario.demand.yearly_change_sd, scenario.years,
                               walk_normals(root_seed, rep, DEMAND_WALK)))

    # shared helpers ----------------------------------------------------------------------------
    @property
    def now(self) -> float:
        return self.env.now

    def later(self, delay_days: float, callback, *args) -> None:
        """Call `callback(*args)` after `delay_days` (an event with a callback, no process)."""
        Call(self.env, delay_days, callback, args)

    def at_day(self, day: float, callback, *args) -> None:
        self.later(max(0.0, day - self.env.now), callback, *args)

    def overflow_duration(self, stage: int) -> float:
        return self._overflow[stage]()

    def _resign(self, worker, notice_days: float) -> None:
        self.workforce.resign(worker, notice_days)

    def release_cases(self, worker) -> None:
        self.pathway.release_cases(worker)

    def staff_changed(self) -> None:
        """Keep the permanent-staff integral and the span-of-control effect up to date."""
        workforce = self.workforce
        accrual = self.permanent_staff_days
        accrual.set_rate(self.now, workforce.n_permanent)
        if self.managers.span_effect and self.managers.modelled:
            factor = self.managers.turnover_factor(len(workforce.workers))
            if factor != self.turnover.span_factor:
                self.turnover.set_shared_factors(span_factor=factor)

    # the run -----------------------------------------------------------------------------------
    def _start_state(self) -> None:
        scenario = self.scenario
        self.workforce.start(scenario, self.root_seed, self.rep)
        self.managers.start(scenario.managers.in_post)
        opened = scenario.initial.open
        stock = []
        order = sorted(range(len(STAGES)),
                       key=lambda s: list(scenario.allocation.priority).index(STAGES[s]))
        for stage in order:
            n = getattr(opened, STAGES[stage])
            dist = getattr(scenario.demand, STAGES[stage]).duration_days
            remaining, elapsed = sample_residual(
                dist, stream(self.root_seed, self.rep, "initial", INITIAL_STOCK, stage), n)
            stock.extend(self.pathway.start_stock(stage, left, done)
                         for left, done in zip(remaining.tolist(), elapsed.tolist(), strict=True))
        for _ in range(scenario.initial.unallocated):
            self.pathway.referral_arrives(WAITING_CASES)
        self.allocator.allocate()
        self.workforce.start_notice(scenario.workforce.turnover.notice_days, self.root_seed,
                                    self.rep)
        self.pathway.fix_pressure_reference()
        self.workforce.fix_typical_caseload()
        self.pathway.watch_waiting(stock)

    def run(self) -> int:
        """Simulate to the horizon; returns the number of events processed (SimPy's events, the
        case events and the referral arrivals, which the run loop takes from their pre-drawn
        list)."""
        self._start_state()
        scenario = self.scenario
        policy = Policy(self, scenario)
        policy.schedule(self.last_day)
        drift = scenario.workforce.establishment_drift
        policy.follow_establishment(establishment_path(
            scenario.workforce.establishment, drift.growth_per_year, drift.yearly_change_sd,
            scenario.years, walk_normals(self.root_seed, self.rep, ESTABLISHMENT_WALK)),
            self.last_day)
        self.recorder.schedule()
        # the last sample is the horizon (or a regular sample a rounding error from it): run to it
        return self.env.run_merged(self.recorder.days[-1],
                                   self.referrals.to_allocate.tolist(),
                                   self.pathway.referral_arrives)

    def free(self) -> None:
        """Drop the pending events, the queues and the workers' cases once the run is over, so
        that reference counting frees the cases and their events at once: left in their cycles
        (case <-> worker, council <-> its parts) they would wait for the cyclic collector, which
        walks each of them (some 50,000 objects, about 0.09 s of a Manchester replication)."""
        self.env.clear()
        self.allocator.clear()
        for worker in self.workforce.workers:
            worker.cases = {}


def run_replication(scenario, rep: int, root_seed: int) -> Replication:
    """Simulate one replication and return its metric samples.

    The cyclic garbage collector is paused while the model runs: it only finds the model's many
    long-lived objects alive again and again (about a third of the run time otherwise).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        council = Council(scenario, rep, root_seed)
        events = council.run()
        result = council.recorder.result(rep, council.referrals, events)
        council.free()
        return result
    finally:
        if collecting:
            gc.enable()
