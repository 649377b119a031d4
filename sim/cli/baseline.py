"""`caseload baseline`: write a no-plan council scenario from the bundled DfE tables."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.common import BadInput

EXAMPLE = ("caseload baseline --la Leeds --year 2017 --out scenarios/councils/leeds-2017.toml; "
           'caseload baseline --la "bristol city of" --year 2021')


def add_parser(commands) -> None:
    """Register `baseline` on the `caseload` subcommands."""
    baseline = commands.add_parser(
        "baseline", help="write a baseline council scenario from the bundled DfE tables",
        description="Write a no-plan scenario for any English local authority from the DfE "
                    "tables bundled in the package (referrals, children in need, social work "
                    "workforce census; Open Government Licence v3.0, source: Department for "
                    "Education). "
                    "Every figure carries its source or 'assumption' in a comment; the file "
                    "opens with the list of assumptions and of DfE figures that had to be filled.",
        epilog="Examples: " + EXAMPLE,
    )
    add_council_options(baseline)
    baseline.add_argument("--out", type=Path, default=None, metavar="FILE",
                          help="write the scenario to FILE (default: standard output)")


def add_council_options(parser: argparse.ArgumentParser) -> None:
    """--la and --year: the council and the year of its baseline (also `new-plan`'s)."""
    parser.add_argument("--la", required=True, metavar="NAME",
                        help="local authority as DfE names it; case, punctuation and words "
                             "such as 'City Council' are ignored and a trailing \", City of\" "
                             'may be left off ("St Helens", "Bristol", "Leeds City Council"); '
                             "an unknown name lists the closest matches")
    parser.add_argument("--year", required=True, type=int, metavar="YYYY",
                        help="the year of DfE's workforce census (30 September), 2017 to "
                             "2022; the baseline starts on 30 September YYYY with that census's "
                             "staff and cases held and the referrals of the year to 31 March "
                             "YYYY. A council without DfE's figures for the year (suppressed, "
                             "missing, reorganised) is refused with the reason")


def council_baseline_text(args: argparse.Namespace) -> str:
    """The baseline scenario's TOML text for --la and --year (BadInput if DfE's tables lack it)."""
    from sim.data.baseline import BaselineError, baseline_scenario_text

    try:
        return baseline_scenario_text(args.la, args.year)
    except BaselineError as error:
        raise BadInput(str(error)) from None


def cmd_baseline(args: argparse.Namespace) -> int:
    text = council_baseline_text(args)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise BadInput(f"--out: cannot write {args.out}: {error.strerror}") from None
    print(f"baseline written to {args.out}", file=sys.stderr)
    return 0
