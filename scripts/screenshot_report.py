"""A picture of the first screen of a results folder's report.html, as a reader opening it sees
it, taken by headless Chromium (Playwright); how docs/images/report-first-screen.png is made:

    caseload compare scenarios/manchester-2016-no-plan.toml scenarios/manchester-2016-plan.toml \
        --reps 20 --out results/readme-report
    python scripts/screenshot_report.py results/readme-report docs/images/report-first-screen.png

Needs playwright (the test extra) and a Chromium: Debian's /usr/bin/chromium, or the one
`playwright install chromium` fetches.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

SCREEN = {"width": 1280, "height": 900}
"""A laptop's first screen (CSS pixels)."""


def first_screen(folder: Path, png: Path, chromium: str | None = None) -> dict[str, float]:
    """Save the first screen of `folder`/report.html to `png`; the top of each section heading
    (h2 text -> CSS pixels from the top of the page), to tell what the first screen holds."""
    from playwright.sync_api import sync_playwright

    report = (Path(folder) / "report.html").resolve()
    if not report.is_file():
        raise FileNotFoundError(f"{report}: no report.html; run a caseload command first")
    executable = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable)
        try:
            page = browser.new_page(viewport=SCREEN)
            page.goto(report.as_uri())
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
            return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('h2')]
                .map(h => [h.textContent, h.getBoundingClientRect().top + window.scrollY]))""")
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a results folder holding report.html")
    parser.add_argument("png", type=Path, help="where the picture goes")
    parser.add_argument("--chromium", default=None, help="the Chromium executable")
    args = parser.parse_args(argv)
    try:
        tops = first_screen(args.folder, args.png, args.chromium)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 2
    shown = [heading for heading, top in tops.items() if top < SCREEN["height"]]
    print(f"{args.png}: the first screen shows {', '.join(shown) or 'no section heading'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
