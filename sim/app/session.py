"""The app's jobs: plan against no plan (`Run`) and the fewest posts for a target
(`FewestPosts`), each `caseload compare` or `caseload target` run as a child process into a new
folder under results/app/ that the app creates and marks as its own (never a user's), and the
clean-up of the app's old folders (`remove_old_folders`).

The page stays responsive: a thread waits on the child process and reads what it prints; the page
polls `done_reps` (replications saved to the folder's chunked store) for its progress bar. Running
the command line itself makes the app's numbers those of `caseload compare` on the same files, and
lets `cancel` stop a job as Ctrl-C stops the command: the finished chunks are kept and run.json
says "interrupted".
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.answers import report_sentences
from sim.analysis.financial_years import COST_PARTS, TOTAL, costs_by_year_of, yearly_spread
from sim.analysis.results_folder import ResultsFolder
from sim.api import DEFAULT_SEED
from sim.experiments.target import Target
from sim.experiments.target_defaults import DEFAULT_FIRST_REPS
from sim.runner.store import CHUNKS, LOCK, FolderRefused, claim_folder
from sim.scenario.errors import one_line

APP_RESULTS = Path("results") / "app"
NO_PLAN_FILE = "no-plan.toml"
PLAN_FILE = "plan.toml"
RESULTS, TARGET = "results", "target"
APP_MARK = "caseload-app.json"
"""Written first in every folder the app creates: what makes a folder the app's to clean up."""
CREATED_BY = "caseload app"
APP_WRITES = frozenset({APP_MARK, NO_PLAN_FILE, PLAN_FILE, RESULTS, TARGET})
KEEP_FOLDERS = 10
CHUNK_FILE = re.compile(r"reps-(\d+)-(\d+)\.npz$")
CANDIDATE_LINE = re.compile(r"^\s*-?\d+ extra posts: P = ")
WRITTEN_LINE = "results written to "
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def new_run_folder(root: Path = APP_RESULTS) -> Path:
    """A new folder for one job, results/app/<random id>/, marked as the app's."""
    folder = root / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    (folder / APP_MARK).write_text(json.dumps({"created_by": CREATED_BY, "created": created}),
                                   encoding="utf-8")
    return folder


def created_by_app(folder: Path) -> str | None:
    """When the app created `folder` (its mark's UTC time), if the app may remove it: a real
    folder holding the app's mark and nothing but what the app writes there, its results
    folders caseload's own (`claim_folder`), no symlink inside and no writer's lock (a job
    writing it). None for anything else."""
    try:
        if folder.is_symlink() or not folder.is_dir():
            return None
        mark = json.loads((folder / APP_MARK).read_text(encoding="utf-8"))
        if not isinstance(mark, dict) or mark.get("created_by") != CREATED_BY:
            return None
        if not set(os.listdir(folder)) <= APP_WRITES:
            return None
        for name in (RESULTS, TARGET):
            if (folder / name).exists() or (folder / name).is_symlink():
                claim_folder(folder / name)
        for parent, folders, files in os.walk(folder):
            names = [*folders, *files]
            if LOCK in names or any(Path(parent, name).is_symlink() for name in names):
                return None
    except (OSError, ValueError, FolderRefused):
        return None
    created = mark.get("created")
    return created if isinstance(created, str) else None


def remove_old_folders(root: Path = APP_RESULTS, keep: int = KEEP_FOLDERS) -> list[Path]:
    """Remove all but the `keep` newest folders the app created under `root`
    (`created_by_app`); anything else there is left alone. Returns the folders removed."""
    if not root.is_dir():
        return []
    owned = sorted((created, folder) for folder in root.iterdir()
                   if (created := created_by_app(folder)) is not None)
    removed = [folder for _, folder in owned[:max(len(owned) - keep, 0)]]
    for folder in removed:
        shutil.rmtree(folder)
    return removed


class JobFailed(Exception):
    """A job's command stopped with an error (its one-line message)."""


@dataclass(kw_only=True)
class Background:
    """A `caseload` command run as a child process in `folder`, waited on by a daemon thread so
    that the page is not blocked. `lines`: what it printed on stdout; `warnings`: its warning
    lines; `error`: the one-line message of a job that failed, as the command line printed it;
    `cancelled`: stopped by `cancel`."""

    folder: Path
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False
    _thread: threading.Thread | None = field(default=None, repr=False)
    _process: subprocess.Popen | None = field(default=None, repr=False)

    def _start(self, arguments: list[str], name: str) -> None:
        self._thread = threading.Thread(target=self._guarded, args=(arguments,), daemon=True,
                                        name=name)
        self._thread.start()

    def _guarded(self, arguments: list[str]) -> None:
        try:
            self._command(arguments)
        except Exception as error:  # shown on the page in one line
            self.error = one_line(str(error)) or type(error).__name__

    def _command(self, arguments: list[str]) -> None:
        """Run `caseload ARGUMENTS` in `folder`, keeping its lines as they come."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
            str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "sim", *arguments], cwd=self.folder, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, encoding="utf-8", errors="replace")
        if self.cancelled:   # cancelled while the process was being started
            self._process.terminate()
        for line in self._process.stdout:
            line = line.rstrip("\n")
            if line.startswith("warning: "):
                self.warnings.append(line.removeprefix("warning: "))
            elif line.strip():
                self.lines.append(line)
        status = self._process.wait()
        if status != 0 and not self.cancelled:
            raise JobFailed(_message(self.lines, status))

    def cancel(self) -> None:
        """Stop the job as Ctrl-C stops the command line (SIGTERM): the replications already
        saved stay in the folder and its run.json says "interrupted"."""
        self.cancelled = True
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout_seconds: float | None = None) -> None:
        """Block until the job ends (for tests and scripts; the page polls instead)."""
        if self._thread is not None:
            self._thread.join(timeout_seconds)


def _message(lines: list[str], status: int) -> str:
    """The one-line message of a command that stopped with `status`: its last "error: " line
    (without the prefix), else its last line."""
    errors = [line for line in lines if line.startswith("error: ")]
    if errors:
        return errors[-1].removeprefix("error: ")
    return lines[-1] if lines else f"caseload stopped with status {status}"


@dataclass(kw_only=True)
class Run(Background):
    """`caseload compare no-plan.toml plan.toml` of `no_plan` (first) and `plan` (scenario file
    texts) in `folder`, the results in `folder`/results."""

    no_plan: str
    plan: str
    reps: int
    seed: int = DEFAULT_SEED
    workers: int = 1

    @property
    def out(self) -> Path:
        """The results folder."""
        return self.folder / RESULTS

    def start(self) -> None:
        """Write both scenario files and start the comparison."""
        (self.folder / NO_PLAN_FILE).write_text(self.no_plan, encoding="utf-8")
        (self.folder / PLAN_FILE).write_text(self.plan, encoding="utf-8")
        self._start(["compare", NO_PLAN_FILE, PLAN_FILE, *self.options(), "--out", RESULTS,
                     "--quiet"], f"caseload-app-{self.folder.name}")

    def options(self) -> list[str]:
        """The command line's options for these replications."""
        return ["--reps", str(self.reps), "--seed", str(self.seed), "--workers",
                str(self.workers)]

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


@dataclass(kw_only=True)
class FewestPosts(Background):
    """`caseload target` from the app: the fewest extra posts on `no_plan` (a scenario file's
    text) that meet `target`, searched in `folder`/target with at most `reps` replications a
    candidate."""

    no_plan: str
    target: Target
    reps: int
    seed: int = DEFAULT_SEED
    workers: int = 1

    def start(self) -> None:
        (self.folder / NO_PLAN_FILE).write_text(self.no_plan, encoding="utf-8")
        target = self.target
        side = "--below" if target.direction == "below" else "--above"
        when = [] if target.from_date is None else ["--from", target.from_date.isoformat()]
        self._start(["target", NO_PLAN_FILE, "--metric", target.metric, "--at",
                     repr(target.at_years), side, repr(target.threshold), "--prob",
                     repr(target.prob), "--over-months", str(target.over_months), *when,
                     "--reps", str(self.reps), "--first-reps",
                     str(min(self.reps, DEFAULT_FIRST_REPS)), "--seed", str(self.seed),
                     "--workers", str(self.workers), "--out", TARGET],
                    f"caseload-app-target-{self.folder.name}")

    @property
    def decided(self) -> list[str]:
        """A line per candidate decided so far."""
        return [line.strip() for line in self.lines if CANDIDATE_LINE.match(line)]

    @property
    def answer(self) -> list[str]:
        """The answer's lines, as `caseload target` prints them (once the search is done)."""
        return [line.strip() for line in self.lines
                if not CANDIDATE_LINE.match(line) and not line.startswith(WRITTEN_LINE)]
