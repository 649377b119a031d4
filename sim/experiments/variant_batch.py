"""Running the scenario variants of a sweep or design as one batch, and reading them back.

The variants run as `sim.api.compare` runs scenarios: one batch, replication r of every variant on
the same random numbers (common random numbers), streamed to the chunked store of the results
folder, resumable with `resume`, on any executor. Unlike `compare`, no per-scenario tables or
figures are written (a design may have hundreds of points); run.json records the base scenario
once and each point by its name, hash and overrides. Values are read back one point and one
metric at a time, so memory does not grow with the number of points.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from sim.runner.batch import (
    Batch,
    check_names,
    chunk_size_for,
    open_store,
    plan_executor,
    run_batch,
)
from sim.runner.chunk_task import Replicate
from sim.runner.executors import Report, warn
from sim.runner.provenance import scenario_hash, scenario_record, write_run_json
from sim.runner.run_record import run_finished, run_started, run_stopped, stopping_rule
from sim.runner.stopping import StoppingRule
from sim.runner.store import WriterLock
from sim.model.units import DAYS_PER_YEAR

R = TypeVar("R")


def chunk_size(reps: int, points: int, workers: int, adaptive: bool) -> int:
    """Replications per chunk: `chunk_size_for` over all the design's replications, at most one
    point's `reps` (a design of many points is spread by points, not by splitting them)."""
    return min(reps, chunk_size_for(reps * points, workers, adaptive))


def run_variants(
    base: Any,
    scenarios: Sequence[Any],
    overrides: Sequence[dict],
    reps: int,
    seed: int,
    workers: int | None = None,
    out: Path | str | None = None,
    progress: bool = False,
    command: str | None = None,
    replicate: Replicate | None = None,
    *,
    scheduler: str | None = None,
    resume: bool = False,
    until_ci: StoppingRule | str | None = None,
    report: Report = warn,
    record: dict | None = None,
    independent: bool = False,
    finish: Callable[[Batch], R],
) -> tuple[Batch, R]:
    """Run `reps` replications of every variant with common random numbers, then `finish`.

    base: the scenario the variants were made from; overrides: each variant's dotted overrides
    (for run.json). record: fields added to run.json (what the sweep or design was).
    finish(batch): makes (and writes) the caller's tables; its result is returned with the
    batch. independent: each variant its own root seed (`sim.runner.batch.scenario_seeds`), for
    variants that are not to be compared with each other, e.g. the back-test's councils. Other
    arguments as `sim.run`. With `out`, run.json says "running" until `finish` returns, then
    "complete" (or "interrupted" or "failed").
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps})")
    scenarios = list(scenarios)
    check_names(scenarios)
    rule = stopping_rule(until_ci)
    executor = plan_executor(workers, reps, len(scenarios), scheduler, report)
    size = chunk_size(reps, len(scenarios), executor.workers, adaptive=rule is not None)
    folder = Path(out) if out is not None else None
    options = {"replicate": replicate, "executor": executor, "stopping": rule,
               "progress": progress, "report": report}
    if folder is None:
        store = open_store(scenarios, reps, seed, size, None, independent, resume, report)
        batch = run_batch(scenarios, reps, seed, store=store, **options)
        return batch, finish(batch)

    with WriterLock(folder, report):
        store = open_store(scenarios, reps, seed, size, folder, independent, resume, report)
        started = run_started(scenarios, reps, seed, store.manifest, executor, scheduler,
                              command, rule, resume)
        started |= {"scenarios": [scenario_record(base)],
                    "points": [{"name": s.name, "hash": scenario_hash(s), "overrides": changes}
                               for s, changes in zip(scenarios, overrides)],
                    **(record or {})}
        write_run_json(folder / "run.json", started)
        try:
            batch = run_batch(scenarios, reps, seed, store=store, **options)
            result = finish(batch)
        except BaseException as error:
            write_run_json(folder / "run.json", started | run_stopped(error, command))
            raise
        write_run_json(folder / "run.json", started | run_finished(batch, resume))
    return batch, result


def sample_at_years(days: np.ndarray, years: float) -> int:
    """Index of the last sample at or before `years` after the start (days in `days`)."""
    index = int(np.searchsorted(np.asarray(days, dtype=float), years * DAYS_PER_YEAR + 1e-9,
                                side="right")) - 1
    if index < 0:
        raise ValueError(f"no sample at or before {years:g} years")
    return index


def point_means(batch: Batch, metric: str, years: Sequence[float]) -> np.ndarray:
    """Mean over replications of `metric` at each of `years`, per point: (points, len(years)).

    Replications with no value at a time (NaN) are left out of its mean.
    """
    means = np.empty((len(batch.scenarios), len(years)))
    for row, scenario in enumerate(batch.scenarios):
        days = batch.store.days(scenario.name)
        columns = [sample_at_years(days, year) for year in years]
        values = batch.store.metric_values(scenario.name, metric, batch.reps)[:, columns]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a time with no value gives NaN
            means[row] = np.nanmean(values, axis=0)
    return means
