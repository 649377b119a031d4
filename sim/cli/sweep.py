"""`caseload sweep`: one scenario at each value of one or more dotted keys (several: a full grid),
with common random numbers across points; writes sweep.csv and run.json.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import (
    BadInput,
    add_batch_options,
    add_scenario_options,
    batch_options,
    check_resources,
    scenario_from_args,
    simulate,
)

EXAMPLE = ("caseload sweep scenarios/councils/manchester-2016.toml "
           "--param workforce.turnover.annual_rate --range 0.05:0.30:6 --reps 20")
HEADLINE_METRIC = "caseload_mean"


class _AxisOption(argparse.Action):
    """Keeps --param, --values and --range in the order given, in `args.axes`."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        axes = list(getattr(namespace, self.dest) or [])
        axes.append((option_string, values))
        setattr(namespace, self.dest, axes)


def add_parser(commands) -> None:
    """The `sweep` subcommand."""

    parser = commands.add_parser(
        "sweep", help="run a scenario at each value of a key (several keys: a full grid)",
        description="Run the scenario at each value of a dotted scenario key, with the same "
                    "replications (common random numbers) at every value, and write sweep.csv: "
                    "per value, metric and simulated year, the mean with its 95% confidence "
                    "interval and the 5th, 50th and 95th percentiles. Several --param give every "
                    "combination (a grid; sweep.csv adds param2, value2, ...). A key naming a "
                    "distribution (e.g. workforce.recruitment.time_to_hire_days) takes its mean "
                    "in days, its shape kept; a sub-key (...time_to_hire_days.cv) sets that "
                    "field. With --until-ci the half-width is that of each point's paired "
                    "difference from the first point at the horizon.",
        epilog="Example: " + EXAMPLE,
    )
    parser.add_argument("scenario", type=Path, help="scenario TOML file")
    parser.add_argument("--param", dest="axes", action=_AxisOption, metavar="KEY",
                        help="a dotted scenario key to sweep, followed by --values or --range "
                             "(repeatable: a grid)")
    parser.add_argument("--values", dest="axes", action=_AxisOption, metavar="V1,V2,...",
                        help="the values of the --param before it, e.g. 0.1,0.15,0.2")
    parser.add_argument("--range", dest="axes", action=_AxisOption, metavar="LOW:HIGH:N",
                        help="N evenly spaced values from LOW to HIGH, e.g. 0.05:0.30:6")
    add_scenario_options(parser)
    add_batch_options(parser, "results/<scenario-name>-sweep/")


def axes_from(options: list[tuple[str, str]] | None) -> list:
    """The swept axes from --param/--values/--range in order (BadInput if they do not pair up)."""
    from sim.experiments.sweep import Axis

    options = options or []
    if not options:
        raise BadInput("sweep: give at least one --param KEY with --values V1,V2,... or "
                       "--range LOW:HIGH:N")
    axes = []
    for index in range(0, len(options), 2):
        option, key = options[index]
        given = options[index + 1] if index + 1 < len(options) else None
        if option != "--param" or given is None or given[0] == "--param":
            raise BadInput("sweep: each --param KEY must be followed by one --values "
                           "V1,V2,... or --range LOW:HIGH:N")
        try:
            make = Axis.from_values if given[0] == "--values" else Axis.from_range
            axes.append(make(key, given[1]))
        except ValueError as error:
            raise BadInput(f"{given[0]} of --param {key}: {error}") from None
    return axes


def cmd_sweep(args: argparse.Namespace) -> int:
    from sim.scenario.loading import ScenarioError
    from sim.scenario.files import SET
    from sim.experiments.sweep import grid, sweep
    from sim.experiments.variants import variants
    from sim.report.finish import finish_folder

    options = batch_options(args)
    figures = options.pop("figures")
    axes = axes_from(args.axes)
    try:
        points = grid(axes)
    except ValueError as error:
        raise BadInput(f"--param: {error}") from None
    scenario = scenario_from_args(args)
    out = args.out or Path("results") / f"{scenario.name}-sweep"
    try:
        check_resources(args, variants(scenario, points), args.reps, out)
        results = simulate(args, lambda: sweep(scenario, axes, out=out, **options), out)
    except ScenarioError as error:
        if error.file != SET:
            raise
        raise BadInput(f"--param/--values: {error.key}: {error.message}") from None
    finish_folder(out, figures=figures)
    if not args.quiet:
        print_sweep(results.table)
        print(f"results written to {out}/")
    return 0


def print_sweep(table) -> None:
    """The headline: median caseload at the last simulated year, per point."""
    rows = table[table["metric"] == HEADLINE_METRIC]
    rows = rows[rows["year"] == rows["year"].max()]
    labels = [column for column in rows.columns if column.startswith("value")]
    params = [rows[column].iloc[0] for column in rows.columns if column.startswith("param")]
    print(f"{HEADLINE_METRIC} in year {rows['year'].max()}: median (90% interval) by "
          + ", ".join(params))
    for _, row in rows.iterrows():
        point = ", ".join(f"{row[label]:g}" if isinstance(row[label], float) else str(row[label])
                          for label in labels)
        print(f"  {point}: {row['p50']:.2f} ({row['p05']:.2f} to {row['p95']:.2f})")
