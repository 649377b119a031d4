"""When cases enter and leave their stages, and what the recorder reads from it: open cases by
stage, assessments (on time or not) and the cost of placements, at each sample.

A case's pathway is drawn whole when its clock starts (`sim.model.pathway`), so its stage changes
need no event of their own: the case is written down (`drawn`) with the day its first stage ends,
and its stage changes, which may lie ahead of the clock, are rebuilt from its pre-drawn row at the
end of the run, with the counts at the samples. Stage changes made one by one, and the closes, are
written down as days when they happen. A change counts at a sample if it falls on or before the
sample's day and was written down before the sample was taken (`mark`): a change made by an event
on the sample's day after the sample (a case closing, say) counts at the next one, as the workers'
caseloads read at the sample do.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.cases import ASSESSMENT, CLA, CLOSED, SPACES, STAGES, CaseRows

ON_TIME_DAYS = 63.0  # 45 working days, the statutory limit for an assessment


class StageHistory:
    """Days of stage entries and exits (by stage) and of assessments' ends.

    entered[s], left[s]: days cases entered and left stage s (in no particular order), one by one;
    assessed: days assessments ended one by one; assessed_on_time: the days of those that ended on
    time. drawn_keys, drawn_first_ends, drawn_referred_days: each case whose pathway was drawn
    whole, in the order they were: its key (`Case.key`), the day its first stage ends and the day
    it was referred. shapes_of(space, indices): the drawn pathways of those rows of an index
    space (`CaseRows.shapes_of`).
    """

    def __init__(self, first_day: float, placement_per_child_day: float,
                 shapes_of: Callable[[int, np.ndarray], tuple[np.ndarray, ...]]) -> None:
        self.first_day = first_day
        self.placement_per_child_day = placement_per_child_day
        self.entered: tuple[list[float], ...] = tuple([] for _ in STAGES)
        self.left: tuple[list[float], ...] = tuple([] for _ in STAGES)
        self.assessed: list[float] = []
        self.assessed_on_time: list[float] = []
        self.drawn_keys: list[int] = []
        self.drawn_first_ends: list[float] = []
        self.drawn_referred_days: list[float] = []
        self._shapes_of = shapes_of
        self._lists = (*self.entered, *self.left, self.assessed, self.assessed_on_time,
                       self.drawn_keys)
        self._marks: list[list[int]] = []
        self._drawn_changes: list[tuple[np.ndarray, np.ndarray]] | None = None

    def mark(self) -> None:
        """A sample is taken now: what was written down so far may count at it."""
        self._marks.append([len(days) for days in self._lists])

    def _drawn(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The changes of the drawn pathways, for each list of `_lists` but the last: their days
        and the position of the case they belong to in `drawn_keys`."""
        if self._drawn_changes is not None:
            return self._drawn_changes
        keys = np.array(self.drawn_keys, dtype=np.int64)
        stages = np.empty((keys.size, CaseRows.SLOTS), dtype=np.int64)
        counts = np.empty(keys.size, dtype=np.int64)
        following = np.empty(keys.size, dtype=np.int64)
        steps = np.empty((keys.size, CaseRows.SLOTS - 1))
        spaces, indices = keys % SPACES, keys // SPACES
        for space in np.unique(spaces).tolist():
            ours = spaces == space
            (stages[ours], counts[ours], following[ours],
             steps[ours]) = self._shapes_of(space, indices[ours])
        # the days summed stage by stage, as a stage end one by one would reach them
        ends = np.cumsum(np.column_stack([np.array(self.drawn_first_ends), steps]), axis=1)
        positions = np.arange(keys.size)
        moves = []  # (stage left, stage entered, day, position) of each change
        for slot in range(CaseRows.SLOTS - 1):
            on = counts > slot + 1
            moves.append((stages[on, slot], stages[on, slot + 1], ends[on, slot], positions[on]))
        on = following != CLOSED
        last = counts[on] - 1
        moves.append((stages[on, last], following[on], ends[on, last], positions[on]))
        out_of, into, days, where = (np.concatenate(part) for part in zip(*moves, strict=True))
        n = len(STAGES)
        changes = [(days[into == s], where[into == s]) for s in range(n)]
        changes += [(days[out_of == s], where[out_of == s]) for s in range(n)]
        assessed = stages[:, 0] == ASSESSMENT
        on_time = assessed & (ends[:, 0] - np.array(self.drawn_referred_days) <= ON_TIME_DAYS)
        changes += [(ends[assessed, 0], positions[assessed]), (ends[on_time, 0], positions[on_time])]
        self._drawn_changes = changes
        return changes

    def _counted(self, which: int, days: np.ndarray) -> np.ndarray:
        """How many of the days in list `which` of `_lists`, and of the drawn pathways' changes of
        that kind, count at each sample, taken on `days` (sorted, one per `mark`)."""
        written_by = np.array(self._marks, dtype=np.int64).reshape(len(self._marks), -1)
        changes = np.asarray(self._lists[which], dtype=float)
        drawn_days, drawn_positions = self._drawn()[which]
        first_by_mark = np.concatenate([
            np.searchsorted(written_by[:, which], np.arange(changes.size), side="right"),
            np.searchsorted(written_by[:, -1], drawn_positions, side="right")])
        first_sample = np.maximum(first_by_mark, np.searchsorted(
            days, np.concatenate([changes, drawn_days]), side="left"))
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
        drawn = self._drawn()
        into, out_of = drawn[CLA][0].tolist(), drawn[len(STAGES) + CLA][0].tolist()
        changes = sorted([(day, 1) for day in self.entered[CLA] + into]
                         + [(day, -1) for day in self.left[CLA] + out_of])
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
