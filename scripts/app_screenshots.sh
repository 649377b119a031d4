#!/usr/bin/env bash
# Regenerate the README's screenshots of `caseload app` (docs/images/app-*.png): the browser test
# clicks through the four pages in Debian's Chromium and saves a screenshot of each there.
# Needs the test extra and chromium (apt-get install chromium). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
CASELOAD_APP_SCREENSHOTS="$PWD/docs/images" python -m pytest -p no:cacheprovider -o addopts="" -q \
    tests/test_app_browser.py
