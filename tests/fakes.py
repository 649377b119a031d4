"""Stand-ins for a scenario and the council model, for testing batches, tables and figures.

`fake_replication` is a module-level function (worker processes can import it) whose numbers
depend only on the scenario, the replication index and the root seed, like the real model.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from sim.model.metrics import METRIC_INDEX, METRIC_NAMES
from sim.model.replication import Replication


@dataclass(frozen=True)
class FakeLevel:
    cap: float
    in_post: int = 10


@dataclass(frozen=True)
class FakeWorkforce:
    levels: dict[str, FakeLevel]


@dataclass(frozen=True)
class FakeAction:
    do: str
    after_days: float
    note: str = ""

    def day(self, start: dt.date) -> float:
        return self.after_days


@dataclass(frozen=True)
class FakeScenario:
    name: str = "fake"
    title: str = "A fake council"
    start: dt.date = dt.date(2016, 7, 1)
    years: float = 2.0
    report_every_days: int = 7
    caseload_level: float = 18.0
    workforce: FakeWorkforce = field(default_factory=lambda: FakeWorkforce(
        {"nqsw": FakeLevel(15), "sw": FakeLevel(20), "senior": FakeLevel(20)}))
    policy: tuple[FakeAction, ...] = (FakeAction("add_posts", 92, "86 more posts"),)

    def model_dump(self, mode: str = "python") -> dict:
        return {"name": self.name, "title": self.title, "start": self.start.isoformat(),
                "years": self.years, "report_every_days": self.report_every_days,
                "caseload_level": self.caseload_level}


def fake_replication(scenario: FakeScenario, rep: int, root_seed: int) -> Replication:
    """Deterministic noisy series: a function of (scenario, rep, root_seed) only."""
    days = np.arange(0.0, scenario.years * 365.25 + 1e-9, scenario.report_every_days)
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(rep,)))
    values = rng.gamma(2.0, 1.0, size=(len(days), len(METRIC_NAMES)))
    trend = getattr(scenario, "caseload_level", 18.0) - 2.0 * days / (scenario.years * 365.25)
    values[:, METRIC_INDEX["caseload_mean"]] = trend + rng.normal(0, 1.5, size=len(days))
    values[:, METRIC_INDEX["turnover_12m"]] = rng.uniform(0.1, 0.2, size=len(days))
    values[:, METRIC_INDEX["cost_staff"]] = 1e5 * rng.uniform(0.9, 1.1, size=len(days))
    return Replication(rep=rep, days=days, values=values, events=1000 + rep)


def constant_replication(scenario: FakeScenario, rep: int, root_seed: int) -> Replication:
    """Every metric equals rep + 1 at every sample, one sample a year: easy to check by hand."""
    days = np.arange(0.0, scenario.years * 365.25 + 1e-9, 365.0)
    values = np.full((len(days), len(METRIC_NAMES)), float(rep + 1))
    return Replication(rep=rep, days=days, values=values, events=10)
