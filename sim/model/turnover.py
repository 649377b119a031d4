"""Resignations of permanent social workers, with a hazard that follows each worker's caseload.

Worker i resigns at rate h_i = base x retention x span factor x drift x level multiplier x
pressure_i per day, pressure_i = 1 + elasticity x max(0, caseload_i / cap_i - 1); drift is the
year's multiplier of the base rate's random walk (`sim.model.drift`, 1 without one). Each worker not
yet on notice has a clock simulated exactly by thinning: candidate resignations arrive at a rate b_i
>= h_i and are accepted with probability h_i / b_i. b_i equals h_i while the worker is not over cap
(so every candidate is accepted, as with elasticity 0) and is h_i x 1.25 otherwise; when h_i rises
past b_i, or the shared factors change, the time to the next candidate is rescaled by the old rate
over the new one (a time change of a unit-rate process: exact, and it draws no new numbers). While
the rate is 0 (a retention multiplier of 0) the clock stops and keeps its unused unit-rate time. The
clock's numbers come from the worker's post (`PostDraws.turnover`), so a worker keeps the same draws
in every scenario of a comparison.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.people import Worker
from sim.model.units import DAYS_PER_YEAR

BOUND_MARGIN = 1.25


class Clock:
    """A worker's candidate-resignation timer: rate `bound` per day, next candidate at `due`;
    `unit_left`, the unit-rate time to the next candidate, is kept while the rate is 0."""

    __slots__ = ("bound", "due", "round", "rounds", "token", "unit_left")

    def __init__(self, rounds: Callable[[], tuple[float, float, float]]) -> None:
        self.rounds = rounds
        self.bound = 0.0
        self.due = 0.0
        self.unit_left = 0.0
        self.round = (0.0, 0.0, 0.0)
        self.token = 0


class Turnover:
    """The clocks of the permanent workers who may resign."""

    def __init__(self, scenario, now: Callable[[], float], later: Callable,
                 resign: Callable[[Worker, float], None]) -> None:
        settings = scenario.workforce.turnover
        self.base_per_day = settings.annual_rate / DAYS_PER_YEAR
        self.elasticity = settings.caseload_elasticity
        self.follows_caseload = self.elasticity > 0  # else caseload changes need no check
        self.level_multiplier = {"nqsw": 1.0, "sw": 1.0, "senior": 1.0}
        for level, spec in scenario.workforce.levels.items():
            self.level_multiplier[level] = spec.turnover_multiplier
        self.retention = 1.0
        self.span_factor = 1.0
        self.drift = 1.0
        self.clocks: dict[Worker, Clock] = {}  # insertion-ordered: reproducible runs
        self._tokens = 0
        self._now, self._later, self._resign = now, later, resign

    def pressure(self, worker: Worker) -> float:
        overload = worker.n / worker.cap - 1.0
        return 1.0 + self.elasticity * overload if overload > 0 else 1.0

    def hazard_per_day(self, worker: Worker) -> float:
        """The worker's current resignation hazard (per day)."""
        return (self.base_per_day * self.retention * self.span_factor * self.drift
                * self.level_multiplier[worker.level] * self.pressure(worker))

    def _bound_per_day(self, worker: Worker) -> float:
        hazard = self.hazard_per_day(worker)
        return hazard * BOUND_MARGIN if worker.n > worker.cap and self.elasticity else hazard

    def add(self, worker: Worker, rounds: Callable[[], tuple[float, float, float]]) -> None:
        """Start the clock of a permanent worker (its numbers from `rounds`)."""
        clock = self.clocks[worker] = Clock(rounds)
        self._next_candidate(worker, clock)

    def remove(self, worker: Worker) -> None:
        clock = self.clocks.pop(worker)
        clock.token = 0

    def caseload_rose(self, worker: Worker) -> None:
        """Keep the worker's candidate rate above their hazard after their caseload went up (it
        can only have risen past the rate if caseload matters and they are over cap)."""
        if self.follows_caseload and worker.n > worker.cap:
            self.hazard_changed(worker)

    def hazard_changed(self, worker: Worker) -> None:
        """Keep the worker's candidate rate above their hazard after anything in it changed
        (caseload, cap, level)."""
        clock = self.clocks.get(worker)
        if clock is not None and self.hazard_per_day(worker) > clock.bound:
            self._rescale(worker, clock)

    def set_shared_factors(self, retention: float | None = None,
                           span_factor: float | None = None, drift: float | None = None) -> None:
        if retention is not None:
            self.retention = retention
        if span_factor is not None:
            self.span_factor = span_factor
        if drift is not None:
            self.drift = drift
        for worker, clock in self.clocks.items():
            self._rescale(worker, clock)

    def follow_drift(self, multipliers: np.ndarray | None) -> None:
        """Set the base rate's drift to `multipliers[k]` on the k-th anniversary of the start
        (`sim.model.drift`); None: no drift, nothing scheduled."""
        if multipliers is None:
            return
        for year, factor in enumerate(multipliers.tolist()[1:], 1):
            self._later(year * DAYS_PER_YEAR - self._now(), self._set_drift, factor)

    def _set_drift(self, factor: float) -> None:
        self.set_shared_factors(drift=factor)

    def _next_candidate(self, worker: Worker, clock: Clock) -> None:
        clock.round = clock.rounds()
        clock.bound = self._bound_per_day(worker)
        self._run(worker, clock, self._now(), clock.round[0])

    def _rescale(self, worker: Worker, clock: Clock) -> None:
        """Change the clock's rate to the worker's current bound, keeping its unit-rate time."""
        now, old = self._now(), clock.bound
        unit_left = (clock.due - now) * old if old > 0 else clock.unit_left
        clock.bound = self._bound_per_day(worker)
        self._run(worker, clock, now, unit_left)

    def _run(self, worker: Worker, clock: Clock, now: float, unit_left: float) -> None:
        """Schedule the next candidate `unit_left` units of unit-rate time after `now` at the
        clock's rate; at rate 0 the clock stops and keeps `unit_left`."""
        if clock.bound > 0:
            clock.due = now + unit_left / clock.bound
        else:
            clock.unit_left = unit_left
            clock.due = float("inf")
        self._schedule(worker, clock)

    def _schedule(self, worker: Worker, clock: Clock) -> None:
        self._tokens += 1
        clock.token = self._tokens
        if clock.due != float("inf"):
            self._later(clock.due - self._now(), self._candidate, worker, clock, clock.token)

    def _candidate(self, worker: Worker, clock: Clock, token: int) -> None:
        if token != clock.token:
            return
        _gap, accept, notice_days = clock.round
        if accept * clock.bound < self.hazard_per_day(worker):
            self._resign(worker, notice_days)  # removes the worker's clock
        else:
            self._next_candidate(worker, clock)
