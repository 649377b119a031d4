"""`caseload app` in a real browser (Debian's Chromium driven by Playwright): the app started on
127.0.0.1 by `python -m sim app`, clicked through council, plan (with a range), run and downloads;
the chart drawn and results.xlsx downloaded and opened; a second, long run cancelled.

Screenshots of each page go to the temporary folder, or to docs/images/app-<page>.png when
CASELOAD_APP_SCREENSHOTS=docs/images is set (how the README's pictures are made), so a test run
never changes the checkout.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason='the app needs "caseload-sim[app]"')
playwright = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")

from openpyxl import load_workbook  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
STARTUP_SECONDS = 60
RUN_TIMEOUT_MS = 120_000

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: "
                                "apt-get install chromium; .ci/run installs it)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(url: str, app: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if app.poll() is not None:
            pytest.fail(f"caseload app exited with status {app.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"caseload app did not answer at {url} within {STARTUP_SECONDS} s")


@pytest.fixture
def app_url(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(ROOT), os.environ.get("PYTHONPATH")]))}
    app = subprocess.Popen([sys.executable, "-m", "sim", "app", "--port", str(port),
                            "--no-browser"], cwd=tmp_path, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url, app)
        yield url
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def set_number(page, label: str, value: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    page.wait_for_timeout(300)
    idle(page)


def idle(page) -> None:
    """Wait until Streamlit has finished running the script (its status widget gone)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def go(page, name: str) -> None:
    page.locator("[data-testid='stSidebar']").get_by_text(name, exact=True).click()
    page.wait_for_timeout(300)
    idle(page)


def test_a_session_in_chromium_shows_the_chart_and_downloads_the_workbook(app_url, tmp_path):
    shots = Path(os.environ.get("CASELOAD_APP_SCREENSHOTS", tmp_path))
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
        page.goto(app_url)
        page.get_by_role("heading", name="Council").wait_for(timeout=60_000)
        page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60_000)
        idle(page)
        page.screenshot(path=shots / "app-council.png")

        go(page, "Plan")
        set_number(page, "Extra case-holding posts", "20")
        set_number(page, "Years to simulate", "1")
        page.get_by_role("radiogroup", name="workforce.turnover.annual_rate").get_by_text(
            "a range (uniform)").click()
        idle(page)
        set_number(page, "Low", "0.07")
        set_number(page, "High", "0.1")
        page.get_by_text('do = "add_posts"').first.wait_for()
        page.get_by_text('annual_rate = { dist = "uniform", low = 0.07, high = 0.1 }').wait_for()
        page.screenshot(path=shots / "app-plan.png", full_page=True)

        go(page, "Run and compare")
        set_number(page, "Replications", "2")
        page.get_by_role("button", name="Run plan against no plan").click()
        page.get_by_role("heading", name="Answers").wait_for(timeout=RUN_TIMEOUT_MS)
        chart = page.locator("[data-testid='stImage'] img").first
        chart.wait_for(timeout=RUN_TIMEOUT_MS)
        assert chart.evaluate("image => image.complete && image.naturalWidth > 0")
        page.screenshot(path=shots / "app-run.png", full_page=True)

        go(page, "Downloads")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download results.xlsx").click()
        saved = tmp_path / "downloaded.xlsx"
        download.value.save_as(saved)
        page.screenshot(path=shots / "app-downloads.png")

        go(page, "Run and compare")
        set_number(page, "Replications", "500")
        page.get_by_role("button", name="Run plan against no plan").click()
        page.get_by_role("button", name="Cancel the run").click(timeout=RUN_TIMEOUT_MS)
        page.get_by_text("Cancelled.").wait_for(timeout=RUN_TIMEOUT_MS)
        browser.close()
    book = load_workbook(saved, read_only=True)
    assert "Comparison" in book.sheetnames
