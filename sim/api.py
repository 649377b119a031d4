"""The notebook API: `run` a Monte Carlo batch, or `compare` scenarios with common random numbers,
and get `Results` back (the CLI calls the same).

With a results folder (`out`), replications go to a chunked store on disk as they finish and every
table is made from the store one metric or one chunk at a time, so the memory of this process does
not grow with the number of replications; `Results.timeseries` is then read from
timeseries.parquet only when asked for. Without one, everything stays in memory.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runner.batch import (
    Batch,
    Store,
    check_names,
    chunk_size_for,
    open_store,
    plan_executor,
    run_batch,
)
from sim.runner.chunk_task import Replicate
from sim.analysis.comparison import comparison_table, difference_over_time
from sim.analysis.draws import draws_table
from sim.runner.executors import Report, warn
from sim.runner.files import WriteFailed, atomic_path
from sim.model.metrics import COST_METRICS, METRIC_NAMES
from sim.runner.provenance import write_run_json
from sim.runner.run_record import run_finished, run_started, run_stopped, stopping_rule
from sim.report.finish import finish_folder
from sim.runner.stopping import StoppingRule
from sim.runner.store import WriterLock
from sim.analysis.tables import (
    final_table,
    summary_from_store,
    timeseries_frame,
    write_timeseries,
)

DEFAULT_SEED = 20160701


@dataclass
class Results:
    """The replications of a batch and the tables made from them.

    reps: replications used (fewer than asked for when a stopping rule was met). seeds: the root
    seed of each scenario's replications. events: model events processed in total. wall_seconds:
    elapsed time of the batch. stopping: run.json's record of the stopping rule (or None).
    reused: replications taken from the results folder (resumed) rather than run.
    """

    scenarios: list
    store: Store
    seed: int
    reps: int
    events: int
    wall_seconds: float
    executor: str
    workers: int
    out: Path | None = None
    seeds: list[int] = field(default_factory=list)
    stopping: dict | None = None
    reused: int = 0
    _tables: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_batch(cls, batch: Batch, out: Path | None = None, **extra: Any) -> Results:
        """`Results` of a finished batch."""
        return cls(
            scenarios=list(batch.scenarios), store=batch.store, seed=batch.seed, reps=batch.reps,
            events=batch.events, wall_seconds=batch.wall_seconds, executor=batch.executor,
            workers=batch.workers, out=out, seeds=list(batch.seeds), stopping=batch.stopping,
            reused=batch.reused, **extra,
        )

    @property
    def horizons(self) -> dict[str, float]:
        """Scenario name -> years simulated."""
        return {scenario.name: float(scenario.years) for scenario in self.scenarios}

    def scenario(self, name: str) -> Any:
        """The scenario called `name`."""
        return next(s for s in self.scenarios if s.name == name)

    @property
    def timeseries(self) -> pd.DataFrame:
        """One row per (scenario, rep, day): `scenario, rep, day, date`, then one column per
        metric. Read from timeseries.parquet when the results are in a folder (on first use)."""
        if "timeseries" not in self._tables:
            parquet = self.out / "timeseries.parquet" if self.out is not None else None
            if parquet is not None and parquet.is_file():
                self._tables["timeseries"] = pd.read_parquet(parquet)
            else:
                runs = {s.name: self.store.load(s.name, self.reps) for s in self.scenarios}
                starts = {s.name: s.start for s in self.scenarios}
                self._tables["timeseries"] = timeseries_frame(runs, starts, METRIC_NAMES)
        return self._tables["timeseries"]

    def values(self, scenario: str, metric: str) -> np.ndarray:
        """One metric of one scenario: an array (replications, samples)."""
        return self.store.metric_values(scenario, metric, self.reps)

    def days(self, scenario: str) -> np.ndarray:
        """Sample times of a scenario, days since its start."""
        return self.store.days(scenario)

    def summary(self) -> pd.DataFrame:
        """One row per (scenario, metric, day), as summary.csv."""
        if "summary" not in self._tables:
            self._tables["summary"] = summary_from_store(self.store, self.scenarios, self.reps)
        return self._tables["summary"].copy()

    def final(self) -> pd.DataFrame:
        """Each metric at the end of each simulated year with a 95% CI of the mean, as final.csv."""
        if "final" not in self._tables:
            self._tables["final"] = final_table(self.summary(), self.horizons)
        return self._tables["final"].copy()

    def draws(self) -> pd.DataFrame:
        """The value each replication drew for each uncertain assumption, as draws.csv (no rows
        for scenarios of numbers only)."""
        if "draws" not in self._tables:
            self._tables["draws"] = draws_table(self.store, self.scenarios, self.reps)
        return self._tables["draws"].copy()

    def cumulative_cost(self) -> pd.DataFrame:
        """£ spent over the whole horizon per (scenario, rep): columns `scenario, rep, cost`."""
        frames = []
        for scenario in self.scenarios:
            cost = sum(np.nansum(self.values(scenario.name, metric), axis=1)
                       for metric in COST_METRICS)
            frames.append(pd.DataFrame({"scenario": scenario.name,
                                        "rep": np.arange(self.reps), "cost": cost}))
        return pd.concat(frames, ignore_index=True)


@dataclass
class CompareResults(Results):
    """Results of a comparison: every scenario paired replication by replication with the first.

    independent: whether scenarios ran on independent random numbers (else common ones).
    """

    independent: bool = False

    @classmethod
    def from_batch(cls, batch: Batch, out: Path | None = None, **extra: Any) -> CompareResults:
        """`CompareResults` of a finished batch."""
        return super().from_batch(batch, out, independent=batch.independent, **extra)

    @property
    def baseline(self) -> Any:
        """The first scenario, which the others are compared with."""
        return self.scenarios[0]

    def differences(self) -> pd.DataFrame:
        """The rows of comparison.csv: each later scenario minus the baseline, per metric and year,
        with the 95% CI of the mean paired difference and `p_lower`."""
        if "differences" not in self._tables:
            self._tables["differences"] = comparison_table(self.store, self.scenarios, self.reps)
        return self._tables["differences"].copy()

    def difference_over_time(self, metric: str = "caseload_mean") -> dict[str, pd.DataFrame]:
        """Scenario name -> its paired difference from the baseline at every sample day."""
        return {s.name: difference_over_time(self.store, self.baseline, s, metric, self.reps)
                for s in self.scenarios[1:]}


def write_tables(results: Results, out: Path) -> None:
    """timeseries.parquet, summary.csv and final.csv in `out` (and comparison.csv if a comparison,
    draws.csv if a scenario has uncertain assumptions)."""
    write_timeseries(results.store, results.scenarios, results.reps, out / "timeseries.parquet")
    with atomic_path(out / "summary.csv") as temp:
        results.summary().to_csv(temp, index=False)
    with atomic_path(out / "final.csv") as temp:
        results.final().to_csv(temp, index=False)
    draws = results.draws()
    if len(draws):
        with atomic_path(out / "draws.csv") as temp:
            draws.to_csv(temp, index=False)
    if isinstance(results, CompareResults):
        with atomic_path(out / "comparison.csv") as temp:
            results.differences().to_csv(temp, index=False)


def _as_list(scenario: Any | Sequence[Any]) -> list:
    return list(scenario) if isinstance(scenario, (list, tuple)) else [scenario]


def run(
    scenario: Any | Sequence[Any],
    reps: int = 100,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    out: Path | str | None = None,
    progress: bool = True,
    command: str | None = None,
    replicate: Replicate | None = None,
    *,
    scheduler: str | None = None,
    resume: bool = False,
    until_ci: StoppingRule | str | None = None,
    report: Report = warn,
    figures: bool = True,
) -> Results:
    """Run `reps` replications of a scenario (or of several, with common random numbers).

    workers: local processes (None = every core; 1 = in-process). scheduler: a dask.distributed
    scheduler instead ("local" starts a LocalCluster of `workers` processes; or an address such
    as "tcp://host:8786"). out: a results folder to write (run.json, manifest.json, chunks/,
    timeseries.parquet, summary.csv, final.csv, costs.csv, results.xlsx, figures and
    report.html); None keeps results
    in memory.
    `out` must be new, empty or a folder caseload wrote, and not being written by another run
    (else FolderRefused, before anything is written). Without `resume` the earlier batch in
    `out` is replaced (its chunks and the files its manifest lists, nothing else); with it,
    replications already there are kept and only missing ones run (a folder of another
    scenario, seed or metric set raises StoreMismatch). until_ci: "METRIC:HALF_WIDTH" (e.g. "caseload_mean:0.25"): stop adding
    replications once the 95% CI half-width of METRIC at the horizon is at most HALF_WIDTH for
    every scenario, `reps` being the ceiling. progress: a progress bar on a terminal or in a
    notebook (tqdm's notebook widget where ipywidgets is installed; False: none). command:
    recorded in run.json. replicate: the replication function (default: the council model's).
    report: where warnings go (default: stderr). figures: draw the folder's figures and
    report.html (False skips them, the tables and results.xlsx are still written; `caseload
    plot DIR` draws them later).
    """
    return _execute(Results, _as_list(scenario), reps, seed, workers, out, progress, command,
                    replicate, scheduler, resume, stopping_rule(until_ci), False, report, figures)


def compare(
    scenarios: Sequence[Any],
    reps: int = 100,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    out: Path | str | None = None,
    progress: bool = True,
    independent: bool = False,
    command: str | None = None,
    replicate: Replicate | None = None,
    *,
    scheduler: str | None = None,
    resume: bool = False,
    until_ci: StoppingRule | str | None = None,
    report: Report = warn,
    figures: bool = True,
) -> CompareResults:
    """Run the same replications of two or more scenarios and pair them against the first.

    Replication `rep` of every scenario uses the same random numbers (common random numbers),
    so `differences()` (comparison.csv) measures the effect of the scenarios' differences, not
    noise. independent: give each scenario its own random numbers instead (the differences are
    computed the same way and are noisier: the way to see what common random numbers buy).
    until_ci applies to the paired difference of each scenario from the first at the horizon.
    Other arguments as `run`; a results folder also gets comparison.csv and comparison.png.
    """
    scenarios = list(scenarios)
    if len(scenarios) < 2:
        raise ValueError(f"compare needs at least two scenarios (got {len(scenarios)})")
    return _execute(CompareResults, scenarios, reps, seed, workers, out, progress, command,
                    replicate, scheduler, resume, stopping_rule(until_ci), independent, report,
                    figures)


def _execute(kind: type[Results], scenarios: list, reps: int, seed: int, workers: int | None,
             out: Path | str | None, progress: bool, command: str | None,
             replicate: Replicate | None, scheduler: str | None, resume: bool,
             rule: StoppingRule | None, independent: bool, report: Report,
             figures: bool = True) -> Results:
    """Run a batch into a store (opened first, so a refused folder is left untouched), then
    write the results folder's tables and figures; run.json says how it went. The folder is
    locked against other writers meanwhile (`WriterLock`)."""
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps})")
    check_names(scenarios)
    executor = plan_executor(workers, reps, len(scenarios), scheduler, report)
    folder = Path(out) if out is not None else None
    size = chunk_size_for(reps, executor.workers, adaptive=rule is not None)
    options = {"replicate": replicate, "executor": executor, "stopping": rule,
               "independent": independent, "progress": progress, "report": report}
    if folder is None:
        store = open_store(scenarios, reps, seed, size, None, independent, resume, report)
        return kind.from_batch(run_batch(scenarios, reps, seed, store=store, **options))

    with WriterLock(folder, report):
        store = open_store(scenarios, reps, seed, size, folder, independent, resume, report)
        record = run_started(scenarios, reps, seed, store.manifest, executor, scheduler, command,
                             rule, resume)
        write_run_json(folder / "run.json", record)
        try:
            batch = run_batch(scenarios, reps, seed, store=store, **options)
            results = kind.from_batch(batch, out=folder)
            write_tables(results, folder)
        except BaseException as error:
            with suppress(WriteFailed):  # a full disk may refuse this too; the error still goes up
                write_run_json(folder / "run.json", record | run_stopped(error, command))
            raise
        write_run_json(folder / "run.json", record | run_finished(batch, resume))
        finish_folder(folder, results.scenarios, figures=figures)
    return results
