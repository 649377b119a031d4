"""`caseload new-plan`: a commented plan file to start from, on a council's baseline (written from
the bundled DfE tables unless it is there already)."""
from __future__ import annotations

import argparse
import os
import sys
import tomllib
from pathlib import Path

from sim.cli.baseline import add_council_options, council_baseline_text
from sim.cli.common import BadInput

EXAMPLE = "caseload new-plan --la Leeds --year 2017"


def add_parser(commands) -> None:
    """Register `new-plan` on the `caseload` subcommands."""
    new_plan = commands.add_parser(
        "new-plan", help="write a commented plan file to fill in, on a council's baseline",
        description="Write a plan scenario that extends a council's no-plan baseline, with a "
                    "commented-out example of every policy action and the baseline's figures "
                    "today. The baseline is written from the bundled DfE tables (as `caseload "
                    "baseline`) unless the file is there already; an existing plan file is "
                    "never overwritten.",
        epilog="Example: " + EXAMPLE,
    )
    add_council_options(new_plan)
    new_plan.add_argument("--out", type=Path, default=None, metavar="FILE",
                          help="the plan file (default scenarios/<council>-<year>-plan.toml)")
    new_plan.add_argument("--baseline", type=Path, default=None, metavar="FILE",
                          help="the baseline it extends, used if there, else written (default "
                               "scenarios/councils/<council>-<year>.toml)")


def cmd_new_plan(args: argparse.Namespace) -> int:
    from sim.scenario.loading import load_scenario
    from sim.scenario.plan_template import plan_template

    text = council_baseline_text(args)
    council = _scenario_name(text)
    baseline = args.baseline or Path("scenarios") / "councils" / f"{council}.toml"
    out = args.out or Path("scenarios") / f"{council}-plan.toml"
    if out.exists():
        raise BadInput(f"--out: {out} already exists and is left as it is; choose another --out "
                       "or move that file away")
    if baseline.exists():
        print(f"using the baseline already in {baseline}", file=sys.stderr)
    else:
        _write(baseline, text, "--baseline")
        print(f"baseline written to {baseline}", file=sys.stderr)
    extends = Path(os.path.relpath(baseline.resolve(), out.resolve().parent)).as_posix()
    text = plan_template(load_scenario(baseline), extends, f"{council}-plan",
                         baseline.as_posix(), out.as_posix())
    _write(out, text, "--out")
    print(f"plan written to {out}: uncomment and fill in its actions, then "
          f"`caseload validate {out}`", file=sys.stderr)
    return 0


def _scenario_name(text: str) -> str:
    """The `name` of a baseline's TOML text."""
    return tomllib.loads(text)["name"]


def _write(path: Path, text: str, option: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"{option}: cannot write {path}: {error.strerror or error}") from None
