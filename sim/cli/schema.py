"""`caseload schema`: print the JSON Schema of scenario files."""
from __future__ import annotations

import argparse
import json

from sim.scenario.loading import scenario_json_schema

EXAMPLE = "caseload schema > scenario.schema.json"


def add_parser(commands) -> None:
    """Register `schema` on the `caseload` subcommands."""
    commands.add_parser(
        "schema", help="print the JSON Schema of scenario files",
        description="Print the JSON Schema of scenario files (for editor completion and checks).",
        epilog="Example: " + EXAMPLE,
    )


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(scenario_json_schema(), indent=2))
    return 0
