"""The `caseload` command run as a separate process, for tests that kill or interrupt it."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SMALL = """\
name = "small"
start = 2020-04-01
years = 1
report_every_days = 14

[demand]
referrals_per_year = 1500
no_further_action = 0.1

[workforce]
establishment = 40
levels = { nqsw = { in_post = 6 }, sw = { in_post = 28 } }
agency_in_post = 2

[initial]
open = { assessment = 60, cin = 300, cp = 90, cla = 150 }
"""


def caseload(*args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def wait_for_a_chunk(out: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not list(out.glob("chunks/*/reps-*.npz")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no chunk was written"
        time.sleep(0.02)


