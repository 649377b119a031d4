"""The scenario files shipped in scenarios/, listed here rather than globbed, so that what a user
adds there (a baseline written where docs/baseline.md suggests, a draft plan) never changes what
the tests check. A new shipped file is added to SHIPPED."""
from __future__ import annotations

from pathlib import Path

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"

SHIPPED = (
    "councils/dorset-2017.toml",
    "councils/liverpool-2019.toml",
    "councils/manchester-2016.toml",
    "councils/wakefield-2018.toml",
    "dorset-2017-manchester-style.toml",
    "dorset-2017-no-plan.toml",
    "dorset-2017-plan.toml",
    "liverpool-2019-no-plan.toml",
    "liverpool-2019-plan.toml",
    "manchester-2016-dorset-style.toml",
    "manchester-2016-manchester-style.toml",
    "manchester-2016-no-plan.toml",
    "manchester-2016-plan.toml",
    "policies/dorset-style.toml",
    "policies/liverpool-style.toml",
    "policies/manchester-style.toml",
    "policies/wakefield-style.toml",
    "sensitivity/turnover.toml",
    "wakefield-2018-no-plan.toml",
    "wakefield-2018-plan.toml",
)


def shipped(folder: str = "") -> list[Path]:
    """The shipped files in `folder` of scenarios/ ("" the top level, "*" every folder)."""
    return [SCENARIOS / name for name in SHIPPED
            if folder == "*" or str(Path(name).parent) == (folder or ".")]
