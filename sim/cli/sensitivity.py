"""`caseload sensitivity`: Morris screening or Sobol indices of a spec's metrics to its parameters;
writes sensitivity.csv, design.csv and run.json.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    add_batch_options,
    add_scenario_options,
    batch_options,
    check_resources,
    scenario_from_args,
    simulate,
)

EXAMPLE = ("caseload sensitivity scenarios/manchester-2016-manchester-style.toml "
           "--spec scenarios/sensitivity/turnover.toml --method morris --workers 2")
RANKED_BY = {"morris": "mu_star", "sobol": "ST"}


def add_parser(commands) -> None:
    """The `sensitivity` subcommand (its --reps defaults to the spec's)."""

    parser = commands.add_parser(
        "sensitivity", conflict_handler="resolve",
        help="Morris or Sobol sensitivity of metrics to parameters with [low, high] ranges",
        description="Vary the spec's parameters (dotted scenario keys, each over [low, high]) "
                    "by a Morris design (elementary effects: mu_star and sigma) or a Sobol "
                    "design (first- and total-order indices S1 and ST, with bootstrap 95% "
                    "intervals), run each design point's replications with the same random "
                    "numbers as every other point, read the spec's metrics at its times, and "
                    "write sensitivity.csv (method, param, metric, year, index, value, ci_low, "
                    "ci_high) and design.csv (each point's values and outputs). The scenario is "
                    "run only up to the spec's latest time. Resumable with --resume like any "
                    "batch. The spec format is in docs/sensitivity.md.",
        epilog="Example: " + EXAMPLE,
    )
    parser.add_argument("scenario", type=Path, help="scenario TOML file")
    parser.add_argument("--spec", type=Path, required=True, metavar="SPEC.toml",
                        help="the sensitivity spec: parameters and ranges, metrics, times, "
                             "replications per point, sample sizes")
    parser.add_argument("--method", choices=("morris", "sobol"), default="morris",
                        help="morris (screening; default) or sobol (variance decomposition)")
    add_scenario_options(parser)
    add_batch_options(parser, "results/<scenario-name>-<method>/")
    parser.add_argument("--reps", type=int, default=None,
                        help="replications per design point (default: the spec's reps)")


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from sim.experiments.sensitivity import sensitivity
    from sim.experiments.sensitivity_spec import load_spec
    from sim.report.finish import finish_folder

    options = batch_options(args)
    figures = options.pop("figures")
    spec = load_spec(args.spec)
    scenario = scenario_from_args(args)
    out = args.out or Path("results") / f"{scenario.name}-{args.method}"
    check_resources(args, [scenario], spec.reps if args.reps is None else args.reps, out)
    results = simulate(args, lambda: sensitivity(scenario, spec, args.method, out=out,
                                                  **options), out)
    finish_folder(out, figures=figures)
    if not args.quiet:
        print_ranking(results.table, args.method)
        print(f"results written to {out}/")
    return 0


def print_ranking(table, method: str) -> None:
    """Parameters ranked by mu_star (Morris) or ST (Sobol), per metric and time."""
    index = RANKED_BY[method]
    rows = table[table["index"] == index]
    for (metric, year), group in rows.groupby(["metric", "year"], sort=False):
        print(f"{metric} in year {year}: parameters by {index} (95% interval)")
        for _, row in group.sort_values("value", ascending=False).iterrows():
            print(f"  {row['param']}: {row['value']:.3g} ({row['ci_low']:.3g} to "
                  f"{row['ci_high']:.3g})")
