"""The app's runs: plan against no plan (`Run`) and the fewest posts for a target
(`FewestPosts`), each in a background thread, into a new folder under results/app/ that the run
owns (never a user's).

The page stays responsive: it polls `done_reps` (replications saved to the folder's chunked store)
for its progress bar while the thread runs `sim.api.compare` exactly as `caseload compare` would
(and `seek_target` as `caseload target` would).
"""
from __future__ import annotations

import io
import re
import threading
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.answers import report_sentences
from sim.analysis.financial_years import COST_PARTS, TOTAL, costs_by_year_of, yearly_spread
from sim.analysis.results_folder import ResultsFolder
from sim.api import DEFAULT_SEED, compare
from sim.experiments.target import Target, seek_target
from sim.experiments.target_defaults import DEFAULT_FIRST_REPS
from sim.report.target_output import candidate_line, target_lines, write_target
from sim.runner.store import CHUNKS
from sim.scenario.errors import one_line
from sim.scenario.loading import load_scenario

APP_RESULTS = Path("results") / "app"
NO_PLAN_FILE = "no-plan.toml"
PLAN_FILE = "plan.toml"
CHUNK_FILE = re.compile(r"reps-(\d+)-(\d+)\.npz$")


def new_run_folder(root: Path = APP_RESULTS) -> Path:
    """A new, empty folder for one run: results/app/<random id>/."""
    folder = root / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    return folder


@dataclass(kw_only=True)
class Background:
    """Work done in a daemon thread so that the page is not blocked; `error` is the one-line
    message of work that failed, as the command line would print it."""

    error: str | None = None
    _thread: threading.Thread | None = field(default=None, repr=False)

    def _start(self, work: Callable[[], None], name: str) -> None:
        self._thread = threading.Thread(target=self._guarded, args=(work,), daemon=True,
                                        name=name)
        self._thread.start()

    def _guarded(self, work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as error:  # shown on the page in one line
            self.error = one_line(str(error)) or type(error).__name__

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_seconds: float | None = None) -> None:
        """Block until the work ends (for tests and scripts; the page polls instead)."""
        if self._thread is not None:
            self._thread.join(timeout_seconds)


@dataclass
class Run(Background):
    """A comparison of `no_plan` (first) and `plan` (scenario file texts) in `folder`.

    The scenario files are written to `folder` and the results to `folder`/results; `warnings`
    holds what the engine reported."""

    folder: Path
    no_plan: str
    plan: str
    reps: int
    seed: int = DEFAULT_SEED
    workers: int = 1
    warnings: list[str] = field(default_factory=list)
    results: Any = None

    @property
    def out(self) -> Path:
        """The results folder."""
        return self.folder / "results"

    def start(self) -> None:
        """Write both scenario files and start the comparison in a background thread."""
        (self.folder / NO_PLAN_FILE).write_text(self.no_plan, encoding="utf-8")
        (self.folder / PLAN_FILE).write_text(self.plan, encoding="utf-8")
        self._start(self._compare, f"caseload-app-{self.folder.name}")

    def _compare(self) -> None:
        scenarios = [load_scenario(self.folder / name) for name in (NO_PLAN_FILE, PLAN_FILE)]
        self.results = compare(scenarios, reps=self.reps, seed=self.seed, workers=self.workers,
                               out=self.out, report=self.warnings.append)

    def done_reps(self) -> int:
        """Replications saved so far, over both scenarios."""
        chunks = self.out / CHUNKS
        if not chunks.is_dir():
            return 0
        spans = (CHUNK_FILE.search(path.name) for path in chunks.glob("*/*.npz"))
        return sum(int(found.group(2)) - int(found.group(1)) + 1 for found in spans if found)

    @property
    def total_reps(self) -> int:
        return 2 * self.reps

    def _costs(self) -> pd.DataFrame | None:
        folder = ResultsFolder.open(self.out)
        return costs_by_year_of(folder.replications(list(COST_PARTS)))

    def costs_by_year(self) -> pd.DataFrame:
        """Total £ by financial year: median and 90% interval over replications per scenario."""
        spread = yearly_spread(self._costs())
        return spread[spread["part"] == TOTAL].drop(columns="part")

    def answers(self) -> list[str]:
        """The sentences of report.html about the plan and no plan."""
        folder = ResultsFolder.open(self.out)
        costs = self._costs()
        return report_sentences(folder.scenarios, folder.table("final.csv"),
                                folder.metric_values("caseload_mean"),
                                folder.table("comparison.csv"), costs)

    def table(self, name: str) -> pd.DataFrame:
        """A CSV table of the results folder (final.csv, comparison.csv, costs.csv)."""
        return pd.read_csv(self.out / name)

    def zipped(self) -> bytes:
        """The results folder and both scenario files as a zip archive."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(self.folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(self.folder))
        return buffer.getvalue()


@dataclass
class FewestPosts(Background):
    """`caseload target` from the app: the fewest extra posts on `no_plan` (a scenario file's
    text) that meet `target`, searched in `folder`/target with at most `reps` replications a
    candidate. `decided`: a line per candidate as it is decided; `lines`: the answer."""

    folder: Path
    no_plan: str
    target: Target
    reps: int
    seed: int = DEFAULT_SEED
    workers: int = 1
    decided: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def start(self) -> None:
        (self.folder / NO_PLAN_FILE).write_text(self.no_plan, encoding="utf-8")
        self._start(self._search, f"caseload-app-target-{self.folder.name}")

    def _search(self) -> None:
        out = self.folder / "target"
        result = seek_target(load_scenario(self.folder / NO_PLAN_FILE), self.target,
                             reps=self.reps, seed=self.seed, workers=self.workers, out=out,
                             first_reps=min(self.reps, DEFAULT_FIRST_REPS),
                             announce=lambda candidate: self.decided.append(
                                 candidate_line(candidate).strip()))
        write_target(result, out)
        self.lines = [line.strip() for line in target_lines(result)]
