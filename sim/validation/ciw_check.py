"""The M/M/c queue of the Erlang C check run in ciw, an independent discrete-event library.

ciw is a test-only dependency: it is imported only when the cross-check runs.
"""
from __future__ import annotations

import importlib.util

import numpy as np

from sim.runner.executors import make_executor
from sim.validation.checks import (
    MMC,
    MMC_REPS_FACTOR,
    MMc,
    check_seed,
    mean_wait,
    per_rep,
    replications,
    time_average,
)
from sim.validation.render import interval_text
from sim.validation.results import Budget, CheckResult, Quantity
from sim.validation.theory import DAYS_PER_YEAR


def ciw_installed() -> bool:
    """ciw can be imported (it comes with the test extra: `pip install '.[test]'`)."""
    return importlib.util.find_spec("ciw") is not None


def _ciw_task(task: tuple[MMc, float, int]) -> tuple[int, float, float]:
    mmc, years, seed = task
    return (seed, *ciw_mmc(mmc, years, seed))


def ciw_mmc(mmc: MMc, years: float, seed: int) -> tuple[float, float]:
    """Mean number waiting and mean wait (days) after the warm-up in one ciw run of `mmc`."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=mmc.arrivals_per_day)],
        service_distributions=[ciw.dists.Exponential(rate=1 / mmc.mean_days)],
        number_of_servers=[mmc.servers])
    ciw.seed(seed)
    simulation = ciw.Simulation(network, tracker=ciw.trackers.SystemPopulation())
    first, last = mmc.warmup_days, mmc.warmup_days + years * DAYS_PER_YEAR
    simulation.simulate_until_max_time(last)
    history = np.array(simulation.statetracker.history, dtype=float)
    starts = np.clip(history[:, 0], first, last)
    ends = np.clip(np.append(history[1:, 0], last), first, last)
    waiting = np.maximum(0.0, history[:, 1] - mmc.servers)
    queue = float((waiting * (ends - starts)).sum() / (last - first))
    waits = [r.waiting_time for r in simulation.get_all_records()
             if first <= r.service_start_date <= last]
    return queue, float(np.mean(waits))


def check_ciw(budget: Budget, seed: int) -> CheckResult:
    budget = budget.more(MMC_REPS_FACTOR)
    root = check_seed(seed, "ciw")
    reps = replications(MMC.scenario(budget.years), budget, root)
    ours = {"queue": per_rep(reps, time_average("unallocated")), "wait": per_rep(reps, mean_wait)}
    tasks = [(MMC, budget.years, root + rep) for rep in range(budget.reps)]
    executor = make_executor(budget.workers, len(tasks))
    theirs = sorted(executor.map_unordered(_ciw_task, tasks))
    other = {"queue": tuple(q for _, q, _ in theirs), "wait": tuple(w for _, _, w in theirs)}
    labels = {"queue": "mean number waiting", "wait": "mean wait (days)"}
    theory = dict(zip(("queue", "wait"), MMC.theory(), strict=True))
    quantities = []
    for key, label in labels.items():
        difference = tuple(a - b for a, b in zip(ours[key], other[key], strict=True))
        quantities.append(Quantity(
            f"{label}: caseload minus ciw", difference, 0.0,
            note=f"caseload {interval_text(ours[key])}; ciw {interval_text(other[key])}; "
                 f"Erlang C {theory[key]:.4g}"))
    return CheckResult(
        "ciw", "Cross-check with ciw on the same M/M/c",
        "The same M/M/c queue in ciw, an independent discrete-event library: the difference "
        "between the two simulators' means should be zero (its 95% interval covers 0).",
        MMC.describe(budget) + " ciw: one Exponential arrival and service node with c servers, "
        "the same horizon and warm-up, its own seeds.", budget.reps, tuple(quantities))
