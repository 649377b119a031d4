"""The `caseload` command: a thin shell over the Python API.

Exit status: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""
from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import tempfile
from pathlib import Path

from sim import cli_backtest, cli_plot, cli_sensitivity, cli_sweep
from sim.checks import scenario_warnings
from sim.cli_target import EXAMPLE as TARGET_EXAMPLE
from sim.cli_target import add_parser as add_target_parser
from sim.cli_target import cmd_target
from sim.scenario import ScenarioError, load_scenario, parse_set_option, scenario_json_schema

EXAMPLES = {
    "run": "caseload run scenarios/manchester-2016-plan.toml --reps 100 --seed 1",
    "compare": "caseload compare scenarios/councils/manchester-2016.toml "
               "scenarios/manchester-2016-plan.toml --reps 200",
    "sweep": cli_sweep.EXAMPLE,
    "backtest": cli_backtest.EXAMPLE,
    "sensitivity": cli_sensitivity.EXAMPLE,
    "validate": "caseload validate scenarios/manchester-2016-plan.toml --set years=3",
    "schema": "caseload schema > scenario.schema.json",
    "plot": cli_plot.EXAMPLE,
    "target": TARGET_EXAMPLE,
}


class BadInput(Exception):
    """A user error: reported on one line, exit status 2."""


class Interrupted(Exception):
    """Ctrl-C during a batch: reported on one line (how to resume), exit status 130."""


class BatchFailed(Exception):
    """A batch stopped part-way (results not writable, workers lost): reported on one line with
    how to resume once the cause is fixed, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad options with exit status 2 and one line (its default is usage + 2)."""

    def error(self, message: str) -> None:
        raise BadInput(f"{self.prog}: {message}")


def _add_scenario_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="override a scenario key by its dotted path, e.g. workforce.turnover.annual_rate=0.2 "
             "(repeatable; values are read as TOML, else as text)",
    )


def _add_batch_options(parser: argparse.ArgumentParser, out_default: str,
                       until_ci: bool = True) -> None:
    """The common batch options; without `until_ci`, neither --until-ci nor --reps (the command
    chooses its replications itself and adds its own --reps)."""
    if until_ci:
        parser.add_argument("--reps", type=int, default=100,
                            help="replications (default 100; the ceiling with --until-ci)")
    parser.add_argument("--seed", type=int, default=20160701,
                        help="root seed (default 20160701; recorded in run.json)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"results folder (default {out_default}); without --resume, "
                             "results already there are replaced")
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
    parser.add_argument("--no-figures", dest="figures", action="store_false",
                        help="write the tables only, no figures or report.html (quicker; "
                             "`caseload plot DIR` draws them later)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="caseload",
        description="Simulate children's social-care caseloads under a council's hiring plan.",
        epilog="Example: " + EXAMPLES["run"],
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run", help="Monte Carlo batch of one scenario; writes a results folder",
        description="Run replications of one scenario and write run.json, timeseries.parquet, "
                    "summary.csv, final.csv, the figures (caseload, staffing, unallocated, "
                    "costs; PNG and SVG) and report.html.",
        epilog="Example: " + EXAMPLES["run"],
    )
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    _add_scenario_options(run)
    _add_batch_options(run, "results/<scenario-name>/")

    compare = commands.add_parser(
        "compare", help="the same replications of several scenarios; paired differences "
                        "against the first",
        description="Run the same replications (common random numbers: replication r of every "
                    "scenario draws the same random numbers) of two or more scenarios and write "
                    "comparison.csv: each scenario minus the first, per metric at the end of each "
                    "simulated year, with the 95% confidence interval of the mean paired "
                    "difference and p_lower (the share of replications where the scenario is "
                    "lower); comparison.png; each scenario's usual tables; the figures and "
                    "report.html. --set applies to "
                    "every scenario; with --until-ci the half-width is that of each paired "
                    "difference at the horizon.",
        epilog="Example: " + EXAMPLES["compare"],
    )
    compare.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                         help="scenario TOML files, the first being the baseline (at least two)")
    compare.add_argument("--independent", action="store_true",
                         help="give each scenario its own random numbers instead of common ones "
                              "(the first keeps the root seed): the differences are computed the "
                              "same way but are noisier; compare the two to see what common "
                              "random numbers buy")
    _add_scenario_options(compare)
    _add_batch_options(compare, "results/<first-name>-vs-<second-name>[-vs-...]/")

    cli_sweep.add_parser(commands)
    cli_sensitivity.add_parser(commands)
    _add_baseline_parser(commands)
    add_target_parser(commands)
    cli_plot.add_parser(commands)
    cli_backtest.add_parser(commands)

    validate = commands.add_parser(
        "validate", help="check a scenario file and print its resolved form",
        description="Resolve `extends` and --set, validate, and print the scenario as JSON. "
                    "No simulation.",
        epilog="Example: " + EXAMPLES["validate"],
    )
    validate.add_argument("scenario", type=Path, help="scenario TOML file")
    _add_scenario_options(validate)

    commands.add_parser(
        "schema", help="print the JSON Schema of scenario files",
        description="Print the JSON Schema of scenario files (for editor completion and checks).",
        epilog="Example: " + EXAMPLES["schema"],
    )
    return parser


def _overrides(pairs: list[str]) -> dict:
    return dict(parse_set_option(text) for text in pairs)


def _load(args: argparse.Namespace, path: Path | None = None):
    """The scenario named on the command line, with its --set overrides; warnings to stderr."""
    path = path or args.scenario
    scenario = load_scenario(path, overrides=_overrides(args.overrides))
    for warning in scenario_warnings(scenario):
        print(f"warning: {path}: {warning}", file=sys.stderr)
    return scenario


def _positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise BadInput(f"--{name}: must be a whole number of at least 1 (got {value})")


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = _load(args)
    print(json.dumps(scenario.model_dump(mode="json"), indent=2))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


def _batch_options(args: argparse.Namespace) -> dict:
    """Keyword arguments of `sim.run` / `sim.compare` from the common options (checked)."""
    from sim.api import stopping_rule
    from sim.executors import check_scheduler

    _positive("reps", args.reps)
    _positive("workers", args.workers)
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


def _simulate(args: argparse.Namespace, call, out: Path):
    """Run a batch into `out`. A folder that cannot be written is bad input (exit status 2); if the
    batch stops part-way, say on one line how to resume it: Ctrl-C or SIGTERM exit with status
    130, a write that fails (disk full) or workers lost for good with status 1."""
    from sim.executors import TasksFailed
    from sim.files import WriteFailed

    _check_writable(out)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    argv = args.argv if "--resume" in args.argv else [*args.argv, "--resume"]
    kept = f"finished chunks are kept in {out}/; to resume"
    try:
        return call()
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; {kept}: {shlex.join(['caseload', *argv])}") from None
    except (WriteFailed, TasksFailed) as error:
        raise BatchFailed(f"error: {error}; {kept} once that is fixed: "
                          f"{shlex.join(['caseload', *argv])}") from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _check_writable(out: Path) -> None:
    """The results folder can be made and written to, else BadInput naming it and why."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise BadInput(f"--out: cannot write results to {out}/: {error.strerror or error}; "
                       "choose a folder you can write to") from None


def _interrupt(signum: int, frame) -> None:
    """SIGTERM (a batch scheduler stopping a job) stops a batch as Ctrl-C does."""
    raise KeyboardInterrupt


def _stopped_early(results) -> None:
    if results.stopping:
        stop = results.stopping
        width = "n/a" if stop["half_width"] is None else f"{stop['half_width']:.4g}"
        print(f"stopped by --until-ci {stop['rule']}: {stop['reason']} after "
              f"{stop['reps_used']} replications (half-width {width})")


def cmd_run(args: argparse.Namespace) -> int:
    from sim.api import run
    from sim.headline import print_headline

    options = _batch_options(args)
    scenario = _load(args)
    out = args.out or Path("results") / scenario.name
    results = _simulate(args, lambda: run(scenario, out=out, **options), out)
    if not args.quiet:
        print_headline(results)
        _stopped_early(results)
        print(f"results written to {out}/")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.api import compare
    from sim.headline import print_comparison

    options = _batch_options(args)
    if len(args.scenarios) < 2:
        raise BadInput("compare: needs at least two scenario files (the first is the baseline)")
    scenarios = [_load(args, path) for path in args.scenarios]
    named: dict[str, Path] = {}
    for path, scenario in zip(args.scenarios, scenarios):
        if scenario.name in named:
            raise BadInput(f"compare: {named[scenario.name]} and {path} are both named "
                           f"{scenario.name!r}; scenario names must differ (set `name` in one)")
        named[scenario.name] = path
    out = args.out or Path("results") / "-vs-".join(scenario.name for scenario in scenarios)
    results = _simulate(args, lambda: compare(scenarios, out=out, independent=args.independent,
                                              **options), out)
    if not args.quiet:
        print_comparison(results)
        _stopped_early(results)
        print(f"results written to {out}/")
    return 0


def _add_baseline_parser(commands) -> None:
    baseline = commands.add_parser(
        "baseline", help="write a baseline council scenario from the bundled DfE tables",
        description="Write a no-plan scenario for any English local authority from the DfE "
                    "tables bundled in the package (referrals, children in need, social work "
                    "workforce census; Open Government Licence v3.0, source: Department for "
                    "Education). "
                    "Every figure carries its source or 'assumption' in a comment; the file "
                    "opens with the list of assumptions and of DfE figures that had to be filled.",
        epilog='Examples: caseload baseline --la Leeds --year 2017 --out scenarios/councils/'
               'leeds-2017.toml; caseload baseline --la "bristol city of" --year 2021',
    )
    baseline.add_argument("--la", required=True, metavar="NAME",
                          help="local authority as DfE names it; case and punctuation are "
                               'ignored and a trailing ", City of" may be left off ("St Helens", '
                               '"Bristol"); an unknown name lists the closest matches')
    baseline.add_argument("--year", required=True, type=int, metavar="YYYY",
                          help="the year of DfE's workforce census (30 September), 2017 to "
                               "2022; the baseline starts on 30 September YYYY with that census's "
                               "staff and cases held and the referrals of the year to 31 March "
                               "YYYY. A council without DfE's figures for the year (suppressed, "
                               "missing, reorganised) is refused with the reason")
    baseline.add_argument("--out", type=Path, default=None, metavar="FILE",
                          help="write the scenario to FILE (default: standard output)")


def cmd_baseline(args: argparse.Namespace) -> int:
    from sim.baseline import BaselineError, baseline_scenario_text

    try:
        text = baseline_scenario_text(args.la, args.year)
    except BaselineError as error:
        raise BadInput(str(error)) from None
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"--out: cannot write {args.out}: {error.strerror}") from None
    print(f"baseline written to {args.out}", file=sys.stderr)
    return 0


HANDLERS = {"run": cmd_run, "compare": cmd_compare, "validate": cmd_validate,
            "schema": cmd_schema, "baseline": cmd_baseline, "target": cmd_target,
            "plot": cli_plot.cmd_plot, "sweep": cli_sweep.cmd_sweep,
            "sensitivity": cli_sensitivity.cmd_sensitivity,
            "backtest": cli_backtest.cmd_backtest}


def main(argv: list[str] | None = None) -> int:
    from sim.executors import ExecutorUnavailable
    from sim.store import StoreMismatch

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(argv)
        args.argv = argv
        return HANDLERS[args.command](args)
    except (BadInput, ScenarioError, ExecutorUnavailable, StoreMismatch) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Interrupted as message:
        print(message, file=sys.stderr)
        return 130
    except BatchFailed as message:
        print(message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
