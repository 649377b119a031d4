"""`caseload validate`: check a scenario file and print it in words, or its resolved form as JSON
(no simulation)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.cli.common import add_scenario_options, scenario_from_args
from sim.scenario.summary import summary_lines
from sim.scenario.warnings import policy_warnings

EXAMPLE = "caseload validate scenarios/manchester-2016-plan.toml --set years=3"


def add_parser(commands) -> None:
    """Register `validate` on the `caseload` subcommands."""
    validate = commands.add_parser(
        "validate", help="check a scenario file and print it in words (or as JSON)",
        description="Resolve `extends` and --set, validate, and print a short summary: the "
                    "council, horizon, establishment, staff in post, caps, referrals and each "
                    "policy action in words with its date; warnings on stderr for actions that "
                    "change more than their words say or are unlikely to bind. No simulation.",
        epilog="Example: " + EXAMPLE,
    )
    validate.add_argument("scenario", type=Path, help="scenario TOML file")
    validate.add_argument("--json", action="store_true",
                          help="print the resolved scenario as JSON instead of the summary")
    add_scenario_options(validate)


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = scenario_from_args(args)
    if args.json:
        print(json.dumps(scenario.model_dump(mode="json"), indent=2))
        return 0
    for warning in policy_warnings(scenario):
        print(f"warning: {args.scenario}: {warning}", file=sys.stderr)
    print("\n".join(summary_lines(scenario)))
    return 0
