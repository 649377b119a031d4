"""`caseload compare`: the same replications of several scenarios, paired against the first."""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    BadInput,
    add_batch_options,
    add_scenario_options,
    batch_options,
    check_resources,
    print_stopping,
    scenario_from_args,
    simulate,
)

EXAMPLE = ("caseload compare scenarios/councils/manchester-2016.toml "
           "scenarios/manchester-2016-plan.toml --reps 200")


def add_parser(commands) -> None:
    """Register `compare` on the `caseload` subcommands."""
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
        epilog="Example: " + EXAMPLE,
    )
    compare.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO",
                         help="scenario TOML files, the first being the baseline (at least two)")
    compare.add_argument("--independent", action="store_true",
                         help="give each scenario its own random numbers instead of common ones "
                              "(the first keeps the root seed): the differences are computed the "
                              "same way but are noisier; compare the two to see what common "
                              "random numbers buy")
    add_scenario_options(compare)
    add_batch_options(compare, "results/<first-name>-vs-<second-name>[-vs-...]/")


def cmd_compare(args: argparse.Namespace) -> int:
    from sim.api import compare
    from sim.analysis.headline import print_comparison

    options = batch_options(args)
    if len(args.scenarios) < 2:
        raise BadInput("compare: needs at least two scenario files (the first is the baseline)")
    scenarios = [scenario_from_args(args, path) for path in args.scenarios]
    named: dict[str, Path] = {}
    for path, scenario in zip(args.scenarios, scenarios):
        if scenario.name in named:
            raise BadInput(f"compare: {named[scenario.name]} and {path} are both named "
                           f"{scenario.name!r}; scenario names must differ (set `name` in one)")
        named[scenario.name] = path
    out = args.out or Path("results") / "-vs-".join(scenario.name for scenario in scenarios)
    check_resources(args, scenarios, args.reps, out)
    results = simulate(args, lambda: compare(scenarios, out=out, independent=args.independent,
                                              **options), out)
    if not args.quiet:
        print_comparison(results)
        print_stopping(results)
        print(f"results written to {out}/")
    return 0
