"""What a caseload chart marks besides the data, read from a scenario: caps by level over time,
hire-to-caseload targets and the dated policy actions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Marks:
    """What a caseload chart marks besides the data.

    caps: label -> [(date from, cap)], one step line per group of levels sharing a schedule;
    targets: [(date from, caseload target)] of hire-to-caseload actions; actions:
    [(date, label)] one per date (actions on the same date joined).
    """

    caps: dict[str, list[tuple[dt.date, float]]]
    targets: list[tuple[dt.date, float]]
    actions: list[tuple[dt.date, str]]


def _on(start: dt.date, action: Any) -> dt.date:
    return start + dt.timedelta(days=int(np.floor(action.day(start))))


def marks_of(scenario: Any) -> Marks:
    """Caps by level over time (set_cap actions change them), hire-to-caseload targets and the
    dated policy actions of a scenario."""
    start = scenario.start
    schedule = {level: [(start, float(settings.cap))]
                for level, settings in scenario.workforce.levels.items()}
    targets, by_date = [], {}
    for action in sorted(scenario.policy, key=lambda a: a.day(start)):
        when = _on(start, action)
        by_date.setdefault(when, []).append(action.note or action.do.replace("_", " "))
        if action.do == "set_cap":
            new = action.caps or {level: action.cap for level in schedule}
            for level, cap in new.items():
                if level in schedule and schedule[level][-1][1] != float(cap):
                    schedule[level].append((when, float(cap)))
        elif action.do == "hire_to_caseload":
            targets.append((when, float(action.target)))
    groups: dict[tuple, list[str]] = {}
    for level, steps in schedule.items():
        groups.setdefault(tuple(steps), []).append(level)
    caps = {}
    for steps, levels in sorted(groups.items(), key=lambda item: item[0][0][1]):
        values = " then ".join(f"{cap:g}" for _, cap in steps)
        caps[f"{', '.join(levels)} cap {values}"] = list(steps)
    return Marks(caps, targets, [(when, "; ".join(notes)) for when, notes in by_date.items()])
