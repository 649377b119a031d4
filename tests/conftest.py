"""Fixtures shared by test modules."""
from __future__ import annotations

from pathlib import Path

import pytest
from processes import SMALL

REPO_RESULTS = Path(__file__).resolve().parents[1] / "results"


@pytest.fixture(autouse=True, scope="session")
def repo_results_folder_untouched():
    """Tests write into temporary folders, never into the checkout's results/ (a user's runs)."""
    before = sorted(REPO_RESULTS.iterdir()) if REPO_RESULTS.exists() else []
    yield
    after = sorted(REPO_RESULTS.iterdir()) if REPO_RESULTS.exists() else []
    added = [path.name for path in after if path not in before]
    assert not added, f"tests wrote into the checkout's results/: {added}"


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path
