"""Resignations of permanent social workers, with a hazard that follows each worker's caseload.

Worker i resigns at rate h_i = base x retention x span factor x level multiplier x pressure_i per day,
pressure_i = 1 + elasticity x max(0, caseload_i / cap_i - 1). The pool of workers not yet on notice
is simulated exactly by thinning: candidate resignations arrive at rate N x bound with bound >= every
h_i; a candidate picks a worker uniformly and is accepted with probability h_i / bound. Whenever the
pool, the shared factors or the bound change, the next candidate is redrawn (memorylessness makes
that exact), and a caseload rising past the bound raises the bound first.
"""
from __future__ import annotations

from collections.abc import Callable

from sim.model.people import Worker

DAYS_PER_YEAR = 365.25
BOUND_MARGIN = 1.25


class Turnover:
    """The pool of permanent workers who may resign, and its candidate-resignation timer."""

    def __init__(self, scenario, uniforms: Callable[[], float], exponentials: Callable[[], float],
                 later: Callable, resign: Callable[[Worker], None]) -> None:
        settings = scenario.workforce.turnover
        self.base_per_day = settings.annual_rate / DAYS_PER_YEAR
        self.elasticity = settings.caseload_elasticity
        self.level_multiplier = {"nqsw": 1.0, "sw": 1.0, "senior": 1.0}
        for level, spec in scenario.workforce.levels.items():
            self.level_multiplier[level] = spec.turnover_multiplier
        self.top_multiplier = max(self.level_multiplier.values())
        self.retention = 1.0
        self.span_factor = 1.0
        self.pool: list[Worker] = []
        self.pressure_bound = 1.0
        self._token = 0
        self._uniform, self._exponential = uniforms, exponentials
        self._later, self._resign = later, resign

    def pressure(self, worker: Worker) -> float:
        overload = worker.n / worker.cap - 1.0
        return 1.0 + self.elasticity * overload if overload > 0 else 1.0

    def hazard_per_day(self, worker: Worker) -> float:
        """The worker's current resignation hazard (per day)."""
        return (self.base_per_day * self.retention * self.span_factor
                * self.level_multiplier[worker.level] * self.pressure(worker))

    def _bound_per_day(self) -> float:
        return (self.base_per_day * self.retention * self.span_factor * self.top_multiplier
                * self.pressure_bound)

    def add(self, worker: Worker) -> None:
        worker.pool_index = len(self.pool)
        self.pool.append(worker)
        self._refresh()

    def remove(self, worker: Worker) -> None:
        last = self.pool.pop()
        if last is not worker:
            last.pool_index = worker.pool_index
            self.pool[worker.pool_index] = last
        worker.pool_index = -1
        self._refresh()

    def caseload_rose(self, worker: Worker) -> None:
        """Keep the bound above the worker's hazard after its caseload went up."""
        if self.elasticity and worker.pool_index >= 0:
            pressure = self.pressure(worker)
            if pressure > self.pressure_bound:
                self.pressure_bound = pressure * BOUND_MARGIN
                self.reschedule()

    def set_shared_factors(self, retention: float | None = None,
                           span_factor: float | None = None) -> None:
        if retention is not None:
            self.retention = retention
        if span_factor is not None:
            self.span_factor = span_factor
        self.reschedule()

    def _refresh(self) -> None:
        if self.elasticity:
            highest = max((self.pressure(w) for w in self.pool), default=1.0)
            # exactly 1 while nobody is over cap, so runs match elasticity 0 until someone is
            self.pressure_bound = 1.0 if highest <= 1.0 else highest * BOUND_MARGIN
        self.reschedule()

    def reschedule(self) -> None:
        """Draw the next candidate resignation afresh (exact by memorylessness)."""
        self._token += 1
        rate = len(self.pool) * self._bound_per_day()
        if rate > 0:
            self._later(self._exponential() / rate, self._candidate, self._token)

    def _candidate(self, token: int) -> None:
        if token != self._token:
            return
        worker = self.pool[int(self._uniform() * len(self.pool))]
        if self._uniform() * self._bound_per_day() < self.hazard_per_day(worker):
            self._resign(worker)  # removes the worker from the pool, which reschedules
        else:
            self.reschedule()
