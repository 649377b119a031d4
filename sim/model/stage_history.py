"""When cases enter and leave their stages, and what the recorder reads from it: open cases by
stage, assessments (on time or not) and the cost of placements, at each sample.

A case's pathway is drawn whole when its clock starts (`sim.model.pathway`), so its stage changes
need no event of their own: each is written down here as the day it happens, which may lie ahead of
the clock, and the counts at the samples are rebuilt at the end of the run. A change counts at a
sample if it falls on or before the sample's day and was written down before the sample was taken
(`mark`): a change made by an event on the sample's day after the sample (a case closing, say) counts
at the next one, as the workers' caseloads read at the sample do.
"""
from __future__ import annotations

import numpy as np

from sim.model.cases import CLA, STAGES


class StageHistory:
    """Days of stage entries and exits (by stage) and of assessments' ends.

    entered[s], left[s]: days cases entered and left stage s (in no particular order);
    assessed: days assessments ended; assessed_on_time: the days of those that ended on time.
    """

    def __init__(self, first_day: float, placement_per_child_day: float) -> None:
        self.first_day = first_day
        self.placement_per_child_day = placement_per_child_day
        self.entered: tuple[list[float], ...] = tuple([] for _ in STAGES)
        self.left: tuple[list[float], ...] = tuple([] for _ in STAGES)
        self.assessed: list[float] = []
        self.assessed_on_time: list[float] = []
        self._lists = (*self.entered, *self.left, self.assessed, self.assessed_on_time)
        self._marks: list[list[int]] = []

    def mark(self) -> None:
        """A sample is taken now: what was written down so far may count at it."""
        self._marks.append([len(days) for days in self._lists])

    def _counted(self, which: int, days: np.ndarray) -> np.ndarray:
        """How many of the days in list `which` of `_lists` count at each sample, taken on `days`
        (sorted, one per `mark`)."""
        changes = np.asarray(self._lists[which], dtype=float)
        written_by = np.array(self._marks, dtype=np.int64).reshape(len(self._marks), -1)
        first_by_mark = np.searchsorted(written_by[:, which], np.arange(changes.size),
                                        side="right")
        first_sample = np.maximum(first_by_mark, np.searchsorted(days, changes, side="left"))
        return np.cumsum(np.bincount(first_sample, minlength=days.size + 1))[:days.size]

    def open_by_stage(self, days: np.ndarray) -> np.ndarray:
        """Open cases in each stage at each sample, taken on `days`: shape (len(days), 4)."""
        stages = len(STAGES)
        return np.column_stack([self._counted(s, days) - self._counted(stages + s, days)
                                for s in range(stages)])

    def assessments(self, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Assessments ended, and those ended on time, by each sample, taken on `days`."""
        stages = len(STAGES)
        return self._counted(2 * stages, days), self._counted(2 * stages + 1, days)

    def placement_costs(self, days: np.ndarray) -> np.ndarray:
        """£ of placements up to each of `days` (sorted): looked-after children x £ per child-day,
        accrued from `first_day` between changes in the number in care, in the order and with the
        arithmetic of `sim.model.costs.Accrual` (so that the totals are the same to the last bit
        as accruing them as the changes happen; a change on a sample's day adds nothing to it)."""
        changes = sorted([(day, 1) for day in self.entered[CLA]]
                         + [(day, -1) for day in self.left[CLA]])
        per_child_day = self.placement_per_child_day
        total, since, rate, in_care, i = 0.0, self.first_day, 0.0, 0, 0
        out = np.empty(len(days))
        for row, sample_day in enumerate(days.tolist()):
            while i < len(changes) and changes[i][0] <= sample_day:
                day, step = changes[i]
                total += rate * (day - since)
                since = day
                in_care += step
                rate = in_care * per_child_day
                i += 1
            out[row] = total + rate * (sample_day - since)
        return out
