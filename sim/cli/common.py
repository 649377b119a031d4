"""What the `caseload` subcommands share: the parser that reports bad options on one line, the
common scenario and batch options, loading the scenario named on the command line, running a batch
into a results folder, and the errors that set the exit status (`sim.cli.main` reports them).
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import shlex
import signal
import sys
import tempfile
from pathlib import Path

from sim.scenario.loading import load_scenario, parse_set_option
from sim.scenario.warnings import scenario_warnings


class BadInput(Exception):
    """A user error: reported on one line, exit status 2."""


class Interrupted(Exception):
    """Ctrl-C during a batch: reported on one line (how to resume), exit status 130."""


class BatchFailed(Exception):
    """A batch stopped part-way (results not writable, workers lost): reported on one line with
    how to resume once the cause is fixed, exit status 1."""


class Parser(argparse.ArgumentParser):
    """argparse that reports bad options with exit status 2 and one line (its default is usage + 2)."""

    def error(self, message: str) -> None:
        raise BadInput(f"{self.prog}: {message}")


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a scenario key by its dotted path, e.g. workforce.turnover.annual_rate=0.2 "
             "(repeatable; values are read as TOML, else as text)",
    )


def add_batch_options(parser: argparse.ArgumentParser, out_default: str,
                       until_ci: bool = True) -> None:
    """The common batch options; without `until_ci`, neither --until-ci nor --reps (the command
    chooses its replications itself and adds its own --reps)."""
    if until_ci:
        parser.add_argument("--reps", type=int, default=100,
                            help="replications (default 100; the ceiling with --until-ci)")
    parser.add_argument("--seed", type=int, default=20160701,
                        help="root seed (default 20160701; recorded in run.json)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"results folder (default {out_default}): new, empty or written "
                             "by caseload, else refused; without --resume, the run already "
                             "there is replaced")
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: all cores; 1 = in-process); with "
                             "--scheduler local, the LocalCluster's worker processes")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on dask.distributed: 'local' starts a LocalCluster, or the "
                             "address of a running scheduler, e.g. tcp://host:8786 "
                             "(needs pip install 'caseload-sim[dask]')")
    parser.add_argument("--resume", action="store_true",
                        help="continue the batch in --out: keep its replications, redo damaged "
                             "chunks, run the missing ones (a larger --reps extends it); refused "
                             "if the folder holds another scenario, seed or metric set")
    if until_ci:
        parser.add_argument("--until-ci", default=None, metavar="METRIC:HALF_WIDTH",
                            help="add replications (in chunks, --reps the ceiling) until the 95%% "
                                 "confidence interval of METRIC at the horizon has at most this "
                                 "half-width, e.g. caseload_mean:0.25; run.json records why it "
                                 "stopped")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or headline")
    parser.add_argument("--force", action="store_true",
                        help="run even if the estimated memory or disk the batch needs exceeds "
                             "what this machine has available (refused otherwise)")
    parser.add_argument("--no-figures", dest="figures", action="store_false",
                        help="write the tables (and results.xlsx) only, no figures or "
                             "report.html (quicker; `caseload plot DIR` draws them later)")


def _overrides(pairs: list[str]) -> dict:
    return dict(parse_set_option(text) for text in pairs)


def scenario_from_args(args: argparse.Namespace, path: Path | None = None):
    """The scenario named on the command line, with its --set overrides; warnings to stderr."""
    path = path or args.scenario
    scenario = load_scenario(path, overrides=_overrides(args.overrides))
    for warning in scenario_warnings(scenario):
        print(f"warning: {path}: {warning}", file=sys.stderr)
    return scenario


def check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise BadInput(f"--{name}: must be a whole number of at least 1 (got {value})")


def batch_options(args: argparse.Namespace) -> dict:
    """Keyword arguments of `sim.run` / `sim.compare` from the common options (checked)."""
    from sim.runner.run_record import stopping_rule
    from sim.runner.executors import check_scheduler

    check_positive("reps", args.reps)
    check_positive("workers", args.workers)
    cores = os.cpu_count() or 1
    if args.workers is not None and args.workers > cores and args.scheduler in (None, "local"):
        print(f"warning: --workers {args.workers} is more than the {cores} cores; using {cores}",
              file=sys.stderr)
        args.workers = cores
    if args.seed < 0:
        raise BadInput(f"--seed: must be a whole number of at least 0 (got {args.seed})")
    if args.scheduler is not None:
        check_scheduler(args.scheduler)
    try:
        rule = stopping_rule(args.until_ci)
    except ValueError as error:
        raise BadInput(f"--until-ci: {error}") from None
    return {"reps": args.reps, "seed": args.seed, "workers": args.workers,
            "progress": not args.quiet, "command": shlex.join(["caseload", *args.argv]),
            "scheduler": args.scheduler, "resume": args.resume, "until_ci": rule,
            "figures": args.figures}


def simulate(args: argparse.Namespace, call, out: Path):
    """Run a batch into `out`. A folder that is not ours (`claim_folder`) or cannot be written is
    bad input (exit status 2); if the batch stops part-way, say on one line how to resume it:
    Ctrl-C or SIGTERM exit with status 130, a write that fails (disk full) or workers lost for
    good with status 1."""
    from sim.runner.executors import TasksFailed
    from sim.runner.files import WriteFailed
    from sim.runner.store import claim_folder

    claim_folder(out)
    _check_writable(out)
    previous = {number: signal.signal(number, _interrupt) for number in STOP_SIGNALS}
    argv = args.argv if "--resume" in args.argv else [*args.argv, "--resume"]
    kept = f"finished chunks are kept in {out}/; to resume"
    try:
        return call()
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; {kept}: {shlex.join(['caseload', *argv])}") from None
    except (WriteFailed, TasksFailed) as error:
        raise BatchFailed(f"error: {error}; {kept} once that is fixed: "
                          f"{shlex.join(['caseload', *argv])}") from None
    except OSError as error:  # the folder's files: e.g. a directory named like a chunk file
        raise BatchFailed(f"error: {error.filename or out}: {error.strerror or error}; {kept} "
                          f"once that is fixed: {shlex.join(['caseload', *argv])}") from None
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def check_resources(args: argparse.Namespace, scenarios: list, reps: int, out: Path) -> None:
    """Refuse (BadInput, unless --force) a batch of `reps` replications of each scenario whose
    estimated memory or disk exceeds what the machine has; announce large batches on stderr. A
    remote scheduler's memory is not ours. (sensitivity and target pass their base scenario and
    the replications of one point: a floor of what they need.)"""
    from sim.runner.resources import estimate_resources, machine_limits, resource_problem

    local = args.scheduler in (None, "local")
    workers = (args.workers or os.cpu_count() or 1) if local else 1
    estimate = estimate_resources(scenarios, reps, workers)
    memory, disk = machine_limits(out)
    problem = resource_problem(estimate, memory if local else math.inf, disk)
    if problem and not args.force:
        raise BadInput(f"{problem}; use fewer --reps or a smaller scenario, or pass --force to "
                       "run anyway")
    if problem or estimate.is_large():
        print(f"warning: {problem or 'this batch needs ' + estimate.describe()}", file=sys.stderr)


def _check_writable(out: Path) -> None:
    """The results folder can be made and written to, else BadInput naming it and why."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise BadInput(f"--out: cannot write results to {out}/: {error.strerror or error}; "
                       "choose a folder you can write to") from None


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""Ctrl-C, and a batch scheduler stopping a job: both stop a batch the same way."""


def _interrupt(signum: int, frame) -> None:
    """Stop the batch (KeyboardInterrupt). The objects alive now, a running model's among them,
    are set aside from garbage collection: this process is about to end, and collecting a large
    council's millions of objects on the way out takes seconds to minutes."""
    gc.freeze()
    raise KeyboardInterrupt


def print_stopping(results) -> None:
    if results.stopping:
        stop = results.stopping
        width = "n/a" if stop["half_width"] is None else f"{stop['half_width']:.4g}"
        print(f"stopped by --until-ci {stop['rule']}: {stop['reason']} after "
              f"{stop['reps_used']} replications (half-width {width})")
