"""`caseload backtest`: every council's baseline at each origin, run with no plan and scored
against what DfE later published (`sim.experiments.backtest`); writes backtest.csv, backtest_summary.csv,
skipped.csv, run.json, then (`sim.report.finish.finish_folder`) results.xlsx (the same tables for
Excel), calibration.png, error_by_horizon.png and report.html.

sim.cli.main registers `add_parser` and `cmd_backtest`; sim.cli.main's helpers are imported when used (sim.cli.main
imports this module).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXAMPLE = "caseload backtest --origins 2017-2020 --reps 20 --out results/backtest"


def add_parser(commands) -> None:
    """The `backtest` subcommand."""
    from sim.experiments.backtest import GIVEN, ORIGINS
    from sim.cli.common import add_batch_options

    parser = commands.add_parser(
        "backtest", help="score the model's forecasts against DfE's later figures, every council",
        description="For each origin (30 September of a census year) and each council with DfE's "
                    "figures, build the council's baseline from data up to the origin only, run "
                    "it with no plan, and compare the model's percentiles 1 and 2 years later "
                    "with DfE's published caseload, case holders, cases held, social workers in "
                    "post, agency, turnover and vacancy rates and referrals, and with two naive "
                    "forecasters (persistence, drift). Councils without the figures are listed "
                    "in skipped.csv with the reason. One batch over all council-origins: same "
                    "executors, resumable store and progress bar as `run`.",
        epilog="Example: " + EXAMPLE,
    )
    parser.add_argument("--la", action="append", default=None, metavar="NAME",
                        help="restrict to this council (repeatable; names as `baseline --la`)")
    parser.add_argument("--origins", default=f"{ORIGINS[0]}-{ORIGINS[-1]}", metavar="Y1-Y2|Y,Y",
                        help=f"origin census years, a range or a list (default "
                             f"{ORIGINS[0]}-{ORIGINS[-1]}; allowed {ORIGINS[0]} to "
                             f"{ORIGINS[-1]})")
    parser.add_argument("--given", default="", metavar="WHAT[,WHAT]",
                        help="conditional mode: feed each council's actual later figures as "
                             f"dated policy actions; any of {', '.join(GIVEN)}")
    parser.add_argument("--plans", type=Path, default=None, metavar="DIR",
                        help="also run the four announced plans in DIR (e.g. scenarios/), each "
                             "from its council's last census before the announcement, and write "
                             "plans.csv (plan, model band, what DfE published)")
    parser.add_argument("--doc", type=Path, default=None, metavar="FILE",
                        help="also write the note (e.g. docs/backtest.md): the command, "
                             "replications, wall time, commit, date and the national tables; "
                             "with --resume on a finished folder it only rewrites the note")
    parser.add_argument("--reps", type=int, default=20,
                        help="replications of each council-origin (default 20)")
    add_batch_options(parser, "results/backtest/", until_ci=False)


def parse_origins(text: str) -> list[int]:
    """'2017-2020' or '2017,2019' as years, each among the allowed origins (BadInput if not)."""
    from sim.experiments.backtest import ORIGINS
    from sim.cli.common import BadInput

    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-"))
            years = list(range(first, last + 1))
        else:
            years = [int(part) for part in text.split(",")]
    except ValueError:
        raise BadInput(f"--origins: {text!r} is not a range Y1-Y2 or a list Y1,Y2 of "
                       "years") from None
    wrong = [y for y in years if y not in ORIGINS]
    if not years or wrong:
        raise BadInput(f"--origins: {wrong or text} outside the origins with a later DfE census; "
                       f"allowed: {ORIGINS[0]} to {ORIGINS[-1]}")
    return years


def parse_given(text: str) -> list[str]:
    from sim.experiments.backtest import GIVEN
    from sim.cli.common import BadInput

    given = [part.strip() for part in text.split(",") if part.strip()]
    wrong = [part for part in given if part not in GIVEN]
    if wrong:
        raise BadInput(f"--given: {', '.join(wrong)} unknown; allowed: {', '.join(GIVEN)}")
    return given


def cmd_backtest(args: argparse.Namespace) -> int:
    from sim.experiments.backtest import run_backtest
    from sim.report.finish import finish_folder
    from sim.cli.common import BadInput, batch_options, simulate
    from sim.data.dfe import BaselineError
    from sim.scenario.loading import ScenarioError

    args.until_ci = None
    options = batch_options(args)
    for unused in ("until_ci", "figures"):
        options.pop(unused)
    reps, seed = options.pop("reps"), options.pop("seed")
    origins, given = parse_origins(args.origins), parse_given(args.given)
    out = args.out or Path("results") / "backtest"
    try:
        runs, table, summary, plans = simulate(
            args, lambda: run_backtest(args.la, origins, reps, seed, given=given, out=out,
                                       plans_folder=args.plans, **options), out)
    except (BaselineError, ScenarioError) as error:
        raise BadInput(str(error)) from None
    except ValueError as error:
        raise BadInput(f"backtest: {error}") from None
    finish_folder(out, runs.scenarios, figures=args.figures)
    if args.doc is not None:
        write_doc(args.doc, out, table, summary, runs.skipped, plans)
    if not args.quiet:
        print_summary(summary, len(runs.scenarios), runs.skipped)
        print(f"results written to {out}/")
    return 0


def write_doc(path: Path, out: Path, table, summary, skipped, plans) -> None:
    """The note from the finished run in `out` (its run.json, its scored cells `table`) and the
    commit of the worktree."""
    import json
    import subprocess

    from sim.experiments.backtest import coverage_by_origin, markdown_report, with_history
    from sim.cli.common import BadInput

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown (not a git checkout)"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    try:
        previous = path.read_text(encoding="utf-8") if path.is_file() else ""
        note = markdown_report(summary, record, commit, skipped, plans,
                               coverage_by_origin(table))
        path.write_text(with_history(note, previous), encoding="utf-8")
    except OSError as error:
        raise BadInput(f"--doc: cannot write {path}: {error.strerror}") from None


def print_summary(summary, runs: int, skipped) -> None:
    """The headline: over all measures, per horizon, the model's and persistence's median
    absolute % errors and the bands' coverage; then the councils skipped."""
    print(f"{runs} council-origins run, {len(skipped)} skipped (skipped.csv says why)")
    for _, row in summary[summary["metric"] == "all"].iterrows():
        print(f"  {row['horizon']} year(s), {row['cells']} cells: median abs. error model "
              f"{row['mdape_model']:.1f}%, persistence {row['mdape_persistence']:.1f}%, drift "
              f"{row['mdape_drift']:.1f}%; 50% band holds {row['coverage_50']:.0%}, 90% band "
              f"{row['coverage_90']:.0%}")
    for item in skipped:
        print(f"  skipped: {item.reason}", file=sys.stderr)
