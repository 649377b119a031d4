"""The notebook API: `run` a Monte Carlo batch and get `Results` back (the CLI calls the same)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch import Batch, Replicate, plan_executor, run_batch
from sim.files import atomic_path
from sim.metrics import METRIC_NAMES
from sim.plots import plot_caseload
from sim.provenance import now_utc, scenario_record, software, write_run_json
from sim.tables import final_table, summary_table, timeseries_frame

DEFAULT_SEED = 20160701


@dataclass
class Results:
    """The replications of a batch and the tables made from them.

    timeseries: one row per (scenario, rep, day): `scenario, rep, day, date`, then one column per
    metric. events: SimPy events processed in total. wall_seconds: elapsed time of the batch.
    """

    scenarios: list
    timeseries: pd.DataFrame
    seed: int
    reps: int
    events: int
    wall_seconds: float
    executor: str
    workers: int
    out: Path | None = None
    _tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def horizons(self) -> dict[str, float]:
        """Scenario name -> years simulated."""
        return {scenario.name: float(scenario.years) for scenario in self.scenarios}

    def scenario(self, name: str) -> Any:
        """The scenario called `name`."""
        return next(s for s in self.scenarios if s.name == name)

    def summary(self) -> pd.DataFrame:
        """One row per (scenario, metric, day), as summary.csv."""
        if "summary" not in self._tables:
            self._tables["summary"] = summary_table(self.timeseries, METRIC_NAMES)
        return self._tables["summary"].copy()

    def final(self) -> pd.DataFrame:
        """Each metric at the end of each simulated year with a 95% CI of the mean, as final.csv."""
        if "final" not in self._tables:
            self._tables["final"] = final_table(self.summary(), self.horizons)
        return self._tables["final"].copy()


def results_from_batch(batch: Batch, out: Path | None = None) -> Results:
    """`Results` of a finished batch."""
    starts = {scenario.name: scenario.start for scenario in batch.scenarios}
    return Results(
        scenarios=list(batch.scenarios),
        timeseries=timeseries_frame(batch.runs, starts, METRIC_NAMES),
        seed=batch.seed, reps=batch.reps, events=batch.events,
        wall_seconds=batch.wall_seconds, executor=batch.executor, workers=batch.workers, out=out,
    )


def write_tables(results: Results, out: Path) -> None:
    """timeseries.parquet, summary.csv and final.csv in `out`."""
    with atomic_path(out / "timeseries.parquet") as temp:
        results.timeseries.to_parquet(temp, index=False)
    with atomic_path(out / "summary.csv") as temp:
        results.summary().to_csv(temp, index=False)
    with atomic_path(out / "final.csv") as temp:
        results.final().to_csv(temp, index=False)


def write_figures(results: Results, out: Path) -> list[Path]:
    """caseload.png (caseload-<scenario>.png each when there are several scenarios)."""
    summary = results.summary()
    paths = []
    for scenario in results.scenarios:
        suffix = "" if len(results.scenarios) == 1 else f"-{scenario.name}"
        paths.append(out / f"caseload{suffix}.png")
        plot_caseload(summary, scenario, paths[-1])
    return paths


def _as_list(scenario: Any | Sequence[Any]) -> list:
    return list(scenario) if isinstance(scenario, (list, tuple)) else [scenario]


def run(
    scenario: Any | Sequence[Any],
    reps: int = 100,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    out: Path | str | None = None,
    progress: bool = False,
    command: str | None = None,
    replicate: Replicate | None = None,
) -> Results:
    """Run `reps` replications of a scenario (or of several, with common random numbers).

    workers: local processes (None = every core; 1 = in-process). out: a results folder to write
    (run.json, chunks, timeseries.parquet, summary.csv, final.csv, caseload.png); None keeps
    results in memory. progress: a progress bar on a terminal. command: recorded in run.json.
    replicate: the replication function (default: the council model's).
    """
    scenarios = _as_list(scenario)
    executor = plan_executor(workers, reps, len(scenarios))
    folder = Path(out) if out is not None else None
    record = _run_record(scenarios, reps, seed, executor.name, executor.workers, command)
    if folder is None:
        batch = run_batch(scenarios, reps, seed, out=None, progress=progress,
                          replicate=replicate, executor=executor)
        return results_from_batch(batch)

    folder.mkdir(parents=True, exist_ok=True)
    write_run_json(folder / "run.json", record)
    try:
        batch = run_batch(scenarios, reps, seed, out=folder, progress=progress,
                          replicate=replicate, executor=executor)
        results = results_from_batch(batch, out=folder)
        write_tables(results, folder)
        write_figures(results, folder)
    except BaseException as error:
        stopped = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        write_run_json(folder / "run.json", record | {
            "status": stopped, "finished": now_utc(), "error": f"{type(error).__name__}: {error}"})
        raise
    write_run_json(folder / "run.json", record | {
        "status": "complete", "finished": now_utc(), "chunk_size": batch.chunk_size,
        "wall_seconds": round(batch.wall_seconds, 3), "events": batch.events})
    return results


def _run_record(scenarios: list, reps: int, seed: int, executor: str, workers: int,
                command: str | None) -> dict:
    """run.json as written when a batch starts (status "running")."""
    versions = software()
    return {
        "status": "running",
        "command": command,
        "version": versions["caseload"],
        "started": now_utc(),
        "finished": None,
        "root_seed": seed,
        "replications": reps,
        "scenarios": [scenario_record(scenario) for scenario in scenarios],
        "executor": executor,
        "workers": workers,
        "chunk_size": None,
        "wall_seconds": None,
        "events": None,
        "metric_names": list(METRIC_NAMES),
        "software": versions,
    }
