"""Small scenarios built in code for tests: a base council and deep-merged changes."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sim.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.scenario import Scenario

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
    from scipy import stats

    samples = np.asarray(samples, dtype=float)
    mean = samples.mean()
    half = stats.t.ppf(0.975, samples.size - 1) * samples.std(ddof=1) / np.sqrt(samples.size)
    return mean, mean - half, mean + half
