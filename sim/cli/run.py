"""`caseload run`: a Monte Carlo batch of one scenario, written to a results folder."""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    add_batch_options,
    add_scenario_options,
    batch_options,
    check_resources,
    print_stopping,
    scenario_from_args,
    simulate,
)

EXAMPLE = "caseload run scenarios/manchester-2016-plan.toml --reps 100 --seed 1"


def add_parser(commands) -> None:
    """Register `run` on the `caseload` subcommands."""
    run = commands.add_parser(
        "run", help="Monte Carlo batch of one scenario; writes a results folder",
        description="Run replications of one scenario and write run.json, timeseries.parquet, "
                    "summary.csv, final.csv, costs.csv (by financial year), results.xlsx, the "
                    "figures (caseload, staffing, unallocated, costs; PNG and SVG) and "
                    "report.html.",
        epilog="Example: " + EXAMPLE,
    )
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    add_scenario_options(run)
    add_batch_options(run, "results/<scenario-name>/")


def cmd_run(args: argparse.Namespace) -> int:
    from sim.api import run
    from sim.analysis.headline import print_headline

    options = batch_options(args)
    scenario = scenario_from_args(args)
    out = args.out or Path("results") / scenario.name
    check_resources(args, [scenario], args.reps, out)
    results = simulate(args, lambda: run(scenario, out=out, **options), out)
    if not args.quiet:
        print_headline(results)
        print_stopping(results)
        print(f"results written to {out}/")
    return 0
