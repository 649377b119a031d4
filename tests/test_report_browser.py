"""report.html in a real browser (Debian's Chromium driven by Playwright, through
scripts/screenshot_report.py, which makes the README's picture): the first screen a reader sees
holds the answer, and what was run is further down."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from processes import SMALL

from sim.cli.main import main

pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
pytestmark = pytest.mark.skipif(
    (shutil.which("chromium") or shutil.which("chromium-browser")) is None,
    reason="Chromium is not installed (Debian: apt-get install chromium)")

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshot_report.py"


def screenshot_module():
    spec = importlib.util.spec_from_file_location("screenshot_report", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_first_screen_shows_the_answer_not_the_run_metadata(tmp_path):
    (tmp_path / "small.toml").write_text(SMALL)
    plan = SMALL.replace('name = "small"', 'name = "plan"') + (
        '\n[[policy]]\nafter_days = 30\ndo = "add_posts"\ncount = 5\n')
    (tmp_path / "plan.toml").write_text(plan)
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "small.toml"), str(tmp_path / "plan.toml"), "--reps",
                 "2", "--workers", "1", "--quiet", "--out", str(out)]) == 0
    screenshot = screenshot_module()
    png = tmp_path / "first-screen.png"
    tops = screenshot.first_screen(out, png)
    height = screenshot.SCREEN["height"]
    assert tops["The answer"] < height / 3
    assert tops["About this run"] > height and tops["Assumptions"] > height
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
