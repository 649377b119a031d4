"""Small scenarios built in code for tests: a base council and deep-merged changes."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sim.model.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.scenario.loading import Scenario
from sim.validation import theory

# The shortest valid scenario file: only the required keys.
MINIMAL = """\
name = "minimal"
start = 2016-07-01

[demand]
referrals_per_year = 10000

[workforce]
establishment = 300
levels = { sw = { in_post = 200 } }
"""

BASE: dict[str, Any] = {
    "name": "test-council",
    "start": "2020-04-01",
    "years": 2,
    "report_every_days": 7,
    "demand": {"referrals_per_year": 1200, "no_further_action": 0.1},
    "workforce": {
        "establishment": 40,
        "levels": {"nqsw": {"in_post": 6}, "sw": {"in_post": 28}},
        "agency_in_post": 2,
        "agency": {"cover": 0.5},
    },
    "initial": {"open": {"assessment": 60, "cin": 300, "cp": 90, "cla": 150}},
}


def merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` merged in, table by table (other values replaced)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(changes: dict | None = None, base: dict | None = None) -> Scenario:
    return Scenario.model_validate(merged(BASE if base is None else base, changes or {}))


def series(replication, metric: str) -> np.ndarray:
    return replication.values[:, METRIC_INDEX[metric]]


def runs(sc: Scenario, reps: int, seed: int = 1) -> list:
    return [run_replication(sc, rep, seed) for rep in range(reps)]


def mean_ci(samples) -> tuple[float, float, float]:
    """Mean and 95% confidence interval (t distribution) of independent samples."""
    return theory.mean_ci(samples)


# --- helpers of the behaviour suite (invariants, extremes, policy actions, metamorphic) -------

NO_STOCK: dict[str, Any] = {"open": {"assessment": 0, "cin": 0, "cp": 0, "cla": 0}}
"""`initial` of a council that starts with no open cases."""

STILL_WORKFORCE: dict[str, Any] = {"turnover": {"annual_rate": 0.0},
                                   "agency": {"annual_turnover": 0.0}}
"""`workforce` changes under which nobody leaves (neither permanent nor agency staff)."""


def without(base: dict, *keys: str) -> dict:
    """`base` without the given top-level keys (to replace a table instead of merging into it)."""
    return {k: v for k, v in base.items() if k not in keys}


def total(replication, metric: str, since: float = -np.inf, until: float = np.inf) -> float:
    """Sum of a period metric over the samples taken in (since, until]."""
    days = replication.days
    return float(series(replication, metric)[(days > since) & (days <= until)].sum())


def rows_before(replication, day: float) -> np.ndarray:
    """All metric values sampled strictly before `day`."""
    return replication.values[replication.days < day]


def identical_before(a, b, day: float) -> bool:
    """The two replications sampled bit-identical values at every sample before `day`."""
    return np.array_equal(a.days, b.days) and np.array_equal(
        rows_before(a, day), rows_before(b, day), equal_nan=True)


def per_rep(reps: list, statistic) -> np.ndarray:
    """`statistic(replication)` of each replication."""
    return np.array([statistic(r) for r in reps], dtype=float)


def paired(sc_a: Scenario, sc_b: Scenario, reps: int, statistic, seed: int = 1
           ) -> tuple[np.ndarray, np.ndarray]:
    """A statistic of each replication of two scenarios run with common random numbers."""
    return (per_rep(runs(sc_a, reps, seed), statistic), per_rep(runs(sc_b, reps, seed), statistic))


def level_mean(metric: str, since: float = 0.0):
    """A statistic: the mean of a level metric over the samples from `since` on."""
    def statistic(replication) -> float:
        return float(np.nanmean(series(replication, metric)[replication.days >= since]))
    return statistic


def period_total(metric: str, since: float = -np.inf):
    """A statistic: the total of a period metric over the samples after `since`."""
    def statistic(replication) -> float:
        return total(replication, metric, since)
    return statistic


def mean_wait(replication) -> float:
    """Mean wait (days) from referral to first allocation over the whole run."""
    allocations = series(replication, "allocations")
    waits = np.nan_to_num(series(replication, "wait_days_mean")) * allocations
    return float(waits.sum() / allocations.sum()) if allocations.sum() else 0.0


def holders(replication) -> np.ndarray:
    """Case-holding workers in post (permanent and agency) at each sample."""
    return series(replication, "staff_permanent") + series(replication, "staff_agency")
