"""Cases and their pre-drawn randomness.

A case moves assessment -> plan (cin / cp / cla) -> ... -> closed. Each case owns a row of random
numbers drawn up front in blocks keyed by the case's index (common random numbers by case): the
uniforms that decide each stage's outcome and the duration of each stage for every stage type, so a
case's pathway is the same in every scenario of a comparison unless a worker-dependent effect is on.
"""
from __future__ import annotations

import numpy as np

from sim.model.distributions import sample
from sim.model.streams import stream

ASSESSMENT, CIN, CP, CLA, CLOSED = 0, 1, 2, 3, 4
STAGES: tuple[str, ...] = ("assessment", "cin", "cp", "cla")
OUTCOMES: tuple[str, ...] = ("close", "cin", "cp", "cla")

# Index spaces of case rows, so new referrals, re-referrals, the referrals waiting at the start and
# the starting stock of each stage never shift each other's random numbers.
REFERRED_CASES, REREFERRED_CASES, WAITING_CASES = 0, 1, 2
STOCK_CASES = (3, 4, 5, 6)  # the starting stock, by stage

# A case's row: the outcomes of its first SLOTS stages and their lengths are drawn up front
# (`CaseRows`), rows in blocks of BLOCK cases, ROW_WIDTH lengths a row
SLOTS = 4
BLOCK = 512
ROW_WIDTH = 1 + 3 * (SLOTS - 1)

# A case's row in its block: (uniforms, first uniform, durations, first duration, re-referral delay).
Row = tuple[list, int, list, int, float]


class Case:
    """One child's open case.

    stage: ASSESSMENT..CLA; started: the current stage's clock is running (an assessment starts at
    allocation); slot: how many stages have ended; referred_day: when it reached the front door;
    worker: the allocated worker or None; queue_token: nonzero while waiting in the allocation queue;
    uniforms, durations: the pre-drawn lists of the case's block, its own entries starting at
    `first_uniform` and `first_duration`; rereferral_delay_days (see `CaseRows`). ends, stages:
    once its pathway is drawn whole (`sim.model.pathway`), the day each of its stages ends and the
    stage it was, in order (None while its stages are events, one by one); `stage` is then the
    stage it was in when last looked up.
    """

    __slots__ = ("durations", "ends", "first_duration", "first_uniform", "had_worker",
                 "queue_token", "referred_day", "rereferral_delay_days", "slot", "stage", "stages",
                 "started", "uniforms", "worker")

    def __init__(self, row: Row, referred_day: float, stage: int = ASSESSMENT) -> None:
        (self.uniforms, self.first_uniform, self.durations, self.first_duration,
         self.rereferral_delay_days) = row
        self.referred_day = referred_day
        self.stage = stage
        self.started = False
        self.slot = 0
        self.worker = None
        self.queue_token = 0
        self.had_worker = False
        self.ends: list[float] | None = None
        self.stages: list[int] | None = None

    def uniform(self, j: int) -> float:
        """The uniform deciding the end of the case's j-th stage (j < SLOTS), or, for j == SLOTS,
        whether it is referred again once closed."""
        return self.uniforms[self.first_uniform + j]

    def assessment_days(self) -> float:
        """The pre-drawn length of the case's assessment (days)."""
        return self.durations[self.first_duration]

    def predrawn_duration(self) -> float | None:
        """The pre-drawn length (days) of the current stage, or None beyond the row."""
        slot = self.slot
        if slot == 0:
            return self.durations[self.first_duration]
        if slot < SLOTS:
            return self.durations[self.first_duration + 3 * slot + self.stage - 3]
        return None


class CaseRows:
    """Random rows for the cases of one index space of one replication, generated a block at a time.

    A case's row: uniforms[j] decides the end of its j-th stage (j < SLOTS) and uniforms[SLOTS]
    whether it is referred again once closed; durations[0] is its assessment (days) and
    durations[3j + s - 3] its j-th stage if that stage is of type s (cin 1, cp 2, cla 3), for
    1 <= j < SLOTS; delay is the re-referral delay (days). Each stage type's durations come from
    their own child stream, so changing one distribution leaves the others' draws alone. Longer
    pathways draw from the replication's overflow streams.
    """

    def __init__(self, scenario, root_seed: int, rep: int, space: int) -> None:
        demand = scenario.demand
        self._stage_dists = (demand.assessment.duration_days, demand.cin.duration_days,
                             demand.cp.duration_days, demand.cla.duration_days)
        self._delay_dist = demand.rereferral.delay_days
        self._key = (root_seed, rep, space)
        self.taken = 0  # rows handed out (`take`)
        self._block, self._rows = -1, ()  # the block rows are taken from, and its lists

    def _make_block(self, block: int) -> tuple:
        root_seed, rep, space = self._key
        size, plans = BLOCK, SLOTS - 1

        def rng(part: int) -> np.random.Generator:
            return stream(root_seed, rep, "cases", space, block, part)

        durations = np.empty((size, ROW_WIDTH))
        durations[:, 0] = sample(self._stage_dists[ASSESSMENT], rng(ASSESSMENT), size)
        for stage in (CIN, CP, CLA):
            durations[:, stage::3] = sample(self._stage_dists[stage], rng(stage), (size, plans))
        uniforms = rng(4).random(size * (SLOTS + 1)).tolist()
        delays = sample(self._delay_dist, rng(5), size).tolist()
        return uniforms, durations.ravel().tolist(), delays

    def take(self) -> Row:
        """The next case's row: its block's lists and where its entries start (not copied)."""
        index = self.taken
        self.taken = index + 1
        block, offset = divmod(index, BLOCK)
        if block != self._block:  # rows are taken in order: on to the next block
            self._block, self._rows = block, self._make_block(block)
        uniforms, durations, delays = self._rows
        return uniforms, offset * (SLOTS + 1), durations, offset * ROW_WIDTH, delays[offset]


def cumulative_table(table) -> tuple[float, float, float, float]:
    """Cumulative probabilities of close, cin, cp, cla from an outcome or `next` table."""
    p = np.cumsum([table.close, table.cin, table.cp, table.cla])
    p[-1] = 1.0
    return tuple(p.tolist())


def choose(cumulative: tuple[float, ...], u: float) -> int:
    """The stage an outcome table sends a case to, for a uniform u (CLOSED, CIN, CP or CLA)."""
    close, cin, cp, _cla = cumulative
    if u < close:
        return CLOSED
    if u < cin:
        return CIN
    if u < cp:
        return CP
    return CLA


def escalated(cumulative: tuple[float, ...], factor: float) -> tuple[float, ...]:
    """The table with P(cla) multiplied by `factor` (capped at 1), the rest scaled to match."""
    p_cla = 1.0 - cumulative[2]
    new_cla = min(1.0, p_cla * factor)
    if p_cla >= 1.0 or new_cla == p_cla:
        return cumulative
    scale = (1.0 - new_cla) / (1.0 - p_cla)
    return (cumulative[0] * scale, cumulative[1] * scale, cumulative[2] * scale, 1.0)
