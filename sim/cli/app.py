"""`caseload app`: start the browser app (`sim/app/page.py`, a Streamlit script) and open it."""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from sim.cli.common import BadInput

PAGE_SCRIPT = Path(__file__).resolve().parents[1] / "app" / "page.py"
PACKAGE_ROOT = PAGE_SCRIPT.parents[2]
INSTALL_HINT = 'the app needs Streamlit: pip install "caseload-sim[app]"'


def add_parser(commands) -> None:
    """Register `app` on the `caseload` subcommands."""
    app = commands.add_parser(
        "app", help="start the browser app (pick a council, set a plan, run, download)",
        description="Start a local web app on the same engine as the command line: pick a "
                    "council and year from the bundled DfE data (or upload a scenario file), "
                    "set a plan in words, run it against no plan and download results.xlsx, "
                    "report.html, the scenario files and the results folder. Each run writes "
                    "to a new folder under results/app/ in the current directory. Needs the "
                    'optional extra: pip install "caseload-sim[app]". Ctrl-C stops it.',
        epilog="Examples: caseload app; caseload app --port 8600 --no-browser",
    )
    app.add_argument("--port", type=int, default=8501, metavar="PORT",
                     help="port on 127.0.0.1 to serve the app on (default: 8501)")
    app.add_argument("--no-browser", action="store_true",
                     help="do not open a browser (open http://127.0.0.1:PORT yourself)")


def cmd_app(args: argparse.Namespace) -> int:
    if importlib.util.find_spec("streamlit") is None:
        raise BadInput(INSTALL_HINT)
    if not 1 <= args.port <= 65535:
        raise BadInput(f"--port: {args.port} is not a port; allowed: 1 to 65535")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT),
                                                      env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "streamlit", "run", str(PAGE_SCRIPT),
               "--server.address", "127.0.0.1", "--server.port", str(args.port),
               "--server.headless", "true" if args.no_browser else "false",
               "--browser.gatherUsageStats", "false", "--client.toolbarMode", "minimal"]
    return subprocess.call(command, env=env)
