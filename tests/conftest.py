"""Fixtures shared by test modules."""
from __future__ import annotations

from pathlib import Path

import pytest
from processes import SMALL


@pytest.fixture
def small(tmp_path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    return path
