"""What a check found and how it is judged: quantities with their intervals, a check's result,
how much to simulate, and the verdict over a whole report (simultaneous intervals, re-runs)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.validation.theory import LEVEL, mean_ci

CONFIRMATION_FACTOR = 4  # a re-run has this many times the replications of the first run


@dataclass(frozen=True)
class Quantity:
    """One simulated quantity: a statistic of each replication and its theoretical value."""

    label: str
    samples: tuple[float, ...]
    theory: float
    note: str = ""

    @property
    def mean(self) -> float:
        return float(np.mean(self.samples))

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        _, low, high = mean_ci(self.samples, level)
        return low, high

    def inside(self, level: float = LEVEL) -> bool:
        """The theoretical value lies inside the `level` interval."""
        low, high = self.interval(level)
        return low <= self.theory <= high


@dataclass(frozen=True)
class CheckResult:
    """What one check found: its quantities, with what they validate and how they were run."""

    name: str
    title: str
    validates: str
    setup: str
    reps: int
    quantities: tuple[Quantity, ...]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every quantity inside its own 95% interval."""
        return all(q.inside() for q in self.quantities)

    def misses(self, level: float = LEVEL) -> list[Quantity]:
        return [q for q in self.quantities if not q.inside(level)]


@dataclass(frozen=True)
class Budget:
    """How much to simulate: replications, years after the warm-up, and local processes."""

    reps: int
    years: float
    workers: int | None = 1
    label: str = "full"

    def more(self, factor: int) -> Budget:
        """The same budget with `factor` times the replications (for cheap checks)."""
        return Budget(self.reps * factor, self.years, self.workers, self.label)


FULL = Budget(reps=40, years=30.0, workers=None, label="full")
QUICK = Budget(reps=10, years=6.0, workers=1, label="quick")


def confirmed(result: CheckResult, confirmation: CheckResult | None) -> bool:
    """Every quantity that missed its own 95% interval is inside it in the re-run."""
    if confirmation is None:
        return result.passed
    again = {q.label: q for q in confirmation.quantities}
    return all(again[q.label].inside() for q in result.misses())


def report_passes(results: Sequence[CheckResult],
                  confirmations: Mapping[str, CheckResult]) -> bool:
    """Every quantity inside its simultaneous 95% interval and every miss confirmed."""
    joint = simultaneous_level(results)
    return all(q.inside(joint) for r in results for q in r.quantities) and all(
        confirmed(r, confirmations.get(r.name)) for r in results if not r.passed)


def simultaneous_level(results: Sequence[CheckResult], level: float = LEVEL) -> float:
    """Per-quantity level at which all quantities are covered together with `level` (Bonferroni)."""
    count = sum(len(r.quantities) for r in results)
    return 1 - (1 - level) / max(1, count)

