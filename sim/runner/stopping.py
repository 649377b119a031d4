"""Adaptive replications: stop adding replications once a confidence interval is narrow enough.

The rule `METRIC:HALF_WIDTH` (e.g. `caseload_mean:0.25`) looks at each scenario's value of METRIC
at its horizon (the last sample; for a period metric, the last period, which ends at the horizon
and may be shorter than `report_every_days`). A batch stops at the smallest number of replications
n (at least `MIN_REPS`, at most the ceiling) for which the 95% confidence interval of the mean over
replications 0..n-1 has a half-width of at most HALF_WIDTH for every scenario; with `paired`
(comparisons), for the mean paired difference of every scenario from the first instead.

n is checked replication by replication in index order, whatever order chunks finish in, so it
does not depend on the executor, the number of workers or the chunk size, and the results equal
those of a fixed batch of n replications.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_REPS = 10
"""Replications before the rule is first checked (a smaller sample's sd is too unreliable)."""


@dataclass(frozen=True)
class StoppingRule:
    """Stop when the 95% CI half-width of `metric` at the horizon is at most `half_width`."""

    metric: str
    half_width: float

    @classmethod
    def parse(cls, text: str, metric_names: Sequence[str]) -> StoppingRule:
        """`METRIC:HALF_WIDTH`, e.g. "caseload_mean:0.25"; ValueError saying what is allowed."""
        metric, sep, number = text.partition(":")
        if not sep:
            raise ValueError(f"expected METRIC:HALF_WIDTH, e.g. caseload_mean:0.25 (got {text!r})")
        if metric not in metric_names:
            raise ValueError(f"unknown metric {metric!r}; allowed: {', '.join(metric_names)}")
        try:
            half_width = float(number)
        except ValueError:
            raise ValueError(f"half-width must be a number (got {number!r})") from None
        if not math.isfinite(half_width) or half_width <= 0:
            raise ValueError(f"half-width must be a number above 0 (got {number!r})")
        return cls(metric, half_width)

    def __str__(self) -> str:
        return f"{self.metric}:{self.half_width:g}"


def half_width(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the t confidence interval of the mean of `values` (NaNs left out);
    infinite with fewer than two values."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size < 2:
        return math.inf
    return float(stats.t.ppf(0.5 + level / 2, values.size - 1) * values.std(ddof=1)
                 / math.sqrt(values.size))


class HorizonTracker:
    """Collects each scenario's metric at its horizon, replication by replication, and applies a
    rule to the replications 0..n-1 that have all arrived.

    names: scenarios in batch order; paired: judge differences from the first scenario.
    ceiling: the most replications the batch may use.
    """

    def __init__(self, rule: StoppingRule, names: Sequence[str], ceiling: int,
                 paired: bool = False) -> None:
        self.rule = rule
        self.names = list(names)
        self.ceiling = ceiling
        self.paired = paired and len(self.names) > 1
        self.values = {name: np.full(ceiling, np.nan) for name in self.names}
        self.arrived = {name: np.zeros(ceiling, dtype=bool) for name in self.names}
        self.checked = 0  # replications counts below this were judged already
        self.stopped_at: int | None = None
        self.last_half_width = math.inf

    def add(self, scenario: str, reps: np.ndarray, horizon_values: np.ndarray) -> None:
        """Record `horizon_values` of replications `reps` of `scenario` (beyond the ceiling ignored)."""
        keep = np.asarray(reps) < self.ceiling
        index = np.asarray(reps)[keep]
        self.values[scenario][index] = np.asarray(horizon_values, dtype=float)[keep]
        self.arrived[scenario][index] = True

    def complete(self) -> int:
        """Replications 0..n-1 arrived for every scenario: n."""
        counts = [int(np.argmin(arrived)) if not arrived.all() else self.ceiling
                  for arrived in self.arrived.values()]
        return min(counts)

    def widest(self, n: int) -> float:
        """The largest half-width over scenarios (or paired differences) using replications 0..n-1."""
        if self.paired:
            base = self.values[self.names[0]][:n]
            samples = [self.values[name][:n] - base for name in self.names[1:]]
        else:
            samples = [self.values[name][:n] for name in self.names]
        return max(half_width(sample) for sample in samples)

    def update(self) -> int | None:
        """Judge every newly complete replication count in order; the count to stop at, or None."""
        if self.stopped_at is not None:
            return self.stopped_at
        complete = self.complete()
        for n in range(max(self.checked + 1, min(MIN_REPS, self.ceiling)), complete + 1):
            self.last_half_width = self.widest(n)
            if self.last_half_width <= self.rule.half_width:
                self.stopped_at = n
                break
        self.checked = max(self.checked, complete)
        return self.stopped_at

    def record(self, reps_used: int) -> dict:
        """run.json's `stopping`: rule, reason, replications used and the half-width reached."""
        width = self.widest(reps_used)
        reason = "half-width reached" if width <= self.rule.half_width else "ceiling reached"
        return {
            "rule": str(self.rule),
            "on": "paired difference from the first scenario" if self.paired else "each scenario",
            "reason": reason,
            "reps_used": reps_used,
            "half_width": None if math.isinf(width) else round(width, 6),
        }
