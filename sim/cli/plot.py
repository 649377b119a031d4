"""`caseload plot DIR`: redraw the figures and report.html of a stored results folder."""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.common import BadInput, BatchFailed

EXAMPLE = "caseload plot results/manchester-2016-plan"


def add_parser(commands) -> None:
    """Register `plot` on the `caseload` subcommands."""
    plot = commands.add_parser(
        "plot", help="redraw figures and report.html from a stored results folder",
        description="Redraw every figure the folder's files allow (caseload, staffing, "
                    "unallocated, costs, comparison, sweep, sensitivity, target; PNG and SVG), "
                    "report.html, costs.csv and results.xlsx, from run.json and the tables in "
                    "the folder. No simulation.",
        epilog="Example: " + EXAMPLE,
    )
    plot.add_argument("folder", type=Path, metavar="RESULTS_DIR",
                      help="a results folder written by run, compare, sweep, sensitivity or "
                           "target (it holds run.json)")
    plot.add_argument("--quiet", action="store_true", help="do not list the files written")


def cmd_plot(args: argparse.Namespace) -> int:
    from sim.report.finish import FolderError, finish_folder
    from sim.runner.files import WriteFailed

    try:
        written = finish_folder(args.folder)
    except FolderError as error:
        raise BadInput(str(error)) from None
    except WriteFailed as error:
        raise BatchFailed(f"error: {error}") from None
    if not args.quiet:
        print(f"{len(written)} files written to {args.folder}/: "
              + ", ".join(path.name for path in written))
    return 0
