"""The `caseload` command: a thin shell over the Python API.

Exit status: 0 success, 2 bad input (one line on stderr, no traceback), 1 internal error.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.checks import scenario_warnings
from sim.scenario import ScenarioError, load_scenario, parse_set_option, scenario_json_schema

EXAMPLES = {
    "run": "caseload run scenarios/manchester-2016-plan.toml --reps 100 --seed 1",
    "validate": "caseload validate scenarios/manchester-2016-plan.toml --set years=3",
    "schema": "caseload schema > scenario.schema.json",
}


class BadInput(Exception):
    """A user error: reported on one line, exit status 2."""


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


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reps", type=int, default=100, help="replications (default 100)")
    parser.add_argument("--seed", type=int, default=20160701,
                        help="root seed (default 20160701; recorded in run.json)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results folder (default results/<scenario-name>/)")
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: all cores; 1 = in-process)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar or headline")


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
                    "summary.csv, final.csv and caseload.png.",
        epilog="Example: " + EXAMPLES["run"],
    )
    run.add_argument("scenario", type=Path, help="scenario TOML file")
    _add_scenario_options(run)
    _add_batch_options(run)

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


def _load(args: argparse.Namespace):
    """The scenario named on the command line, with its --set overrides; warnings to stderr."""
    scenario = load_scenario(args.scenario, overrides=_overrides(args.overrides))
    for warning in scenario_warnings(scenario):
        print(f"warning: {args.scenario}: {warning}", file=sys.stderr)
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


def cmd_run(args: argparse.Namespace) -> int:
    from sim.api import run
    from sim.headline import print_headline

    _positive("reps", args.reps)
    _positive("workers", args.workers)
    scenario = _load(args)
    out = args.out or Path("results") / scenario.name
    command = " ".join(["caseload", *sys.argv[1:]])
    results = run(scenario, reps=args.reps, seed=args.seed, workers=args.workers, out=out,
                  progress=not args.quiet, command=command)
    if not args.quiet:
        print_headline(results)
        print(f"results written to {out}/")
    return 0


HANDLERS = {"run": cmd_run, "validate": cmd_validate, "schema": cmd_schema}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return HANDLERS[args.command](args)
    except (BadInput, ScenarioError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
