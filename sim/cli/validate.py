"""`caseload validate`: check a scenario file and print its resolved form (no simulation)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from sim.cli.common import add_scenario_options, scenario_from_args

EXAMPLE = "caseload validate scenarios/manchester-2016-plan.toml --set years=3"


def add_parser(commands) -> None:
    """Register `validate` on the `caseload` subcommands."""
    validate = commands.add_parser(
        "validate", help="check a scenario file and print its resolved form",
        description="Resolve `extends` and --set, validate, and print the scenario as JSON. "
                    "No simulation.",
        epilog="Example: " + EXAMPLE,
    )
    validate.add_argument("scenario", type=Path, help="scenario TOML file")
    add_scenario_options(validate)


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = scenario_from_args(args)
    print(json.dumps(scenario.model_dump(mode="json"), indent=2))
    return 0
