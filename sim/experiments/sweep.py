"""Sweeps: one scenario run at each value of a dotted key, or at every combination of several
(a full grid), with common random numbers across points; summarised as sweep.csv.

sweep.csv has the columns of final.csv with the scenario replaced by the swept values:
`param, value[, param2, value2, ...], metric, year, date, mean, ci_low, ci_high, p05, p50, p95, n`,
one row set per point, each metric at the end of each simulated year.
"""
from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runner.batch import Batch
from sim.runner.files import atomic_path
from sim.scenario.loading import parse_set_option
from sim.analysis.tables import FINAL_COLUMNS, final_table, summary_from_store
from sim.experiments.variant_batch import run_variants
from sim.experiments.variants import point_overrides, variants

RESULT_COLUMNS = [column for column in FINAL_COLUMNS if column != "scenario"]
MAX_POINTS = 1000
"""Most points of a sweep (each runs every replication)."""


@dataclass(frozen=True)
class Axis:
    """One swept key and its values, in order."""

    key: str
    values: tuple

    @classmethod
    def from_values(cls, key: str, text: str) -> Axis:
        """`V1,V2,...`; each value read as TOML (numbers, true/false, dates), else as text."""
        items = [item.strip() for item in text.split(",")]
        if not all(items):
            raise ValueError(f"expected values separated by commas, e.g. 0.1,0.2 (got {text!r})")
        return cls(key, tuple(parse_set_option(f"v={item}")[1] for item in items))

    @classmethod
    def from_range(cls, key: str, text: str) -> Axis:
        """`LOW:HIGH:N`: N evenly spaced numbers from LOW to HIGH inclusive (N >= 2)."""
        parts = text.split(":")
        try:
            low, high, count = float(parts[0]), float(parts[1]), int(parts[2])
        except (ValueError, IndexError):
            raise ValueError(f"expected LOW:HIGH:N, e.g. 0.05:0.30:6 (got {text!r})") from None
        if len(parts) != 3 or count < 2 or not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError(f"expected LOW:HIGH:N with finite LOW and HIGH and N of at least 2 "
                             f"(got {text!r})")
        if count > MAX_POINTS:
            raise ValueError(f"N = {count} points is too many; allowed: 2 to {MAX_POINTS}")
        # 12 significant digits: 0.15, not linspace's 0.15000000000000002
        return cls(key, tuple(float(f"{value:.12g}") for value in np.linspace(low, high, count)))


def grid(axes: Sequence[Axis]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the last axis varying fastest (at most
    MAX_POINTS)."""
    keys = [axis.key for axis in axes]
    if len(set(keys)) != len(keys):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"each key may be swept once; repeated: {repeated}")
    size = math.prod(len(axis.values) for axis in axes)
    if size > MAX_POINTS:
        raise ValueError(f"the grid has {size} points; allowed: at most {MAX_POINTS}")
    return [dict(zip(keys, values)) for values in itertools.product(*(a.values for a in axes))]


def param_columns(count: int) -> list[str]:
    """`param, value, param2, value2, ...` for `count` swept keys."""
    names = []
    for index in range(1, count + 1):
        suffix = "" if index == 1 else str(index)
        names += [f"param{suffix}", f"value{suffix}"]
    return names


@dataclass(frozen=True)
class SweepResults:
    """A finished sweep: its points ({key: value} each), the batch and sweep.csv's rows."""

    points: list[dict[str, Any]]
    batch: Batch
    table: pd.DataFrame


def sweep_table(batch: Batch, points: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """sweep.csv rows: each point's year-end summaries (as final.csv), labelled by its values."""
    parts = []
    for scenario, point in zip(batch.scenarios, points):
        summary = summary_from_store(batch.store, [scenario], batch.reps)
        final = final_table(summary, {scenario.name: float(scenario.years)})
        labels = [item for pair in point.items() for item in pair]
        for column, label in zip(param_columns(len(point)), labels):
            final[column] = label
        parts.append(final)
    columns = param_columns(len(points[0])) + RESULT_COLUMNS
    return pd.concat(parts, ignore_index=True)[columns]


def sweep(scenario: Any, axes: Sequence[Axis], reps: int = 100, seed: int = 20160701,
          workers: int | None = None, out: Path | str | None = None, progress: bool = False,
          command: str | None = None, **options: Any) -> SweepResults:
    """Run `scenario` at every point of the grid of `axes` with common random numbers.

    A key naming a distribution takes its mean in days (see `sim.experiments.variants`). With `out`, writes
    sweep.csv and run.json (and the resumable store); the caller draws sweep.png and report.html
    (`sim.report.finish.finish_folder`). Other arguments as `sim.run` (scheduler, resume,
    until_ci, report, replicate). Raises ScenarioError for a bad key or
    value before anything runs.
    """
    points = grid(axes)
    scenarios = variants(scenario, points)
    overrides = [point_overrides(scenario, point) for point in points]
    record = {"sweep": {"params": [{"key": a.key, "values": list(a.values)} for a in axes],
                        "points": len(points), "reps_per_point": reps}}

    def finish(batch: Batch) -> pd.DataFrame:
        table = sweep_table(batch, points)
        if out is not None:
            with atomic_path(Path(out) / "sweep.csv") as temp:
                table.to_csv(temp, index=False)
        return table

    batch, table = run_variants(scenario, scenarios, overrides, reps, seed, workers, out,
                                progress, command, record=record, finish=finish, **options)
    return SweepResults(points=points, batch=batch, table=table)
