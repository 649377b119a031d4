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

class Block:
    """The pre-drawn rows of `CaseRows.BLOCK` cases, as flat lists (row r's entries start at
    r x the width): uniforms (width SLOTS + 1), durations (width WIDTH), delays (width 1) (see
    `CaseRows`), and, when pathways are drawn whole, each row's drawn pathway (`drawn_shapes`):
    stages (width SLOTS, -1 past its last), counts (stages drawn), following (CLOSED, or the stage
    it enters once past its row), steps (width SLOTS - 1: the lengths of its stages after the
    first, days, 0.0 past its last). first_key: the `key` of its first row."""

    __slots__ = ("counts", "delays", "durations", "first_key", "following", "stages", "steps",
                 "uniforms")


class Case:
    """One child's open case.

    stage: ASSESSMENT..CLA; started: the current stage's clock is running (an assessment starts at
    allocation); slot: how many stages have ended; referred_day: when it reached the front door;
    worker: the allocated worker or None; queue_token: nonzero while waiting in the allocation queue;
    block, row: its pre-drawn row (`Block`, index in it); first_end: once its pathway is drawn
    whole (`sim.model.pathway`), the day its first drawn stage ends (None while its stages are
    events, one by one); `stage` is then the stage it was in when last looked up.
    """

    __slots__ = ("block", "first_end", "had_worker", "queue_token", "referred_day", "row", "slot",
                 "stage", "started", "worker")

    def __init__(self, block: Block, row: int, referred_day: float,
                 stage: int = ASSESSMENT) -> None:
        self.block, self.row = block, row
        self.referred_day = referred_day
        self.stage = stage
        self.started = False
        self.slot = 0
        self.worker = None
        self.queue_token = 0
        self.had_worker = False
        self.first_end: float | None = None

    @property
    def key(self) -> int:
        """The case's row across index spaces: space + SPACES x its index in the space."""
        return self.block.first_key + SPACES * self.row

    @property
    def rereferral_delay_days(self) -> float:
        return self.block.delays[self.row]

    def uniform(self, j: int) -> float:
        """The uniform deciding the end of the case's j-th stage (j < SLOTS), or, for j == SLOTS,
        whether it is referred again once closed."""
        return self.block.uniforms[self.row * (CaseRows.SLOTS + 1) + j]

    def assessment_days(self) -> float:
        """The pre-drawn length of the case's assessment (days)."""
        return self.block.durations[self.row * CaseRows.WIDTH]

    def predrawn_duration(self) -> float | None:
        """The pre-drawn length (days) of the current stage, or None beyond the row."""
        slot = self.slot
        first = self.row * CaseRows.WIDTH
        if slot == 0:
            return self.block.durations[first]
        if slot < CaseRows.SLOTS:
            return self.block.durations[first + 3 * slot + self.stage - 3]
        return None


class CaseRows:
    """Random rows for the cases of one index space of one replication, generated a block at a time.

    A case's row: uniforms[j] decides the end of its j-th stage (j < SLOTS) and uniforms[SLOTS]
    whether it is referred again once closed; durations[0] is its assessment (days) and
    durations[3j + s - 3] its j-th stage if that stage is of type s (cin 1, cp 2, cla 3), for
    1 <= j < SLOTS; delay is the re-referral delay (days). Each stage type's durations come from
    their own child stream, so changing one distribution leaves the others' draws alone. Longer
    pathways draw from the replication's overflow streams.

    drawn: (cumulative outcome tables by stage, the space's first stage) when pathways are drawn
    whole, so each block also holds its rows' drawn pathways; None when stages are events.
    """

    SLOTS = 4
    BLOCK = 512
    WIDTH = 1 + 3 * (SLOTS - 1)

    def __init__(self, scenario, root_seed: int, rep: int, space: int,
                 drawn: tuple[tuple, int] | None = None) -> None:
        demand = scenario.demand
        self._stage_dists = (demand.assessment.duration_days, demand.cin.duration_days,
                             demand.cp.duration_days, demand.cla.duration_days)
        self._delay_dist = demand.rereferral.delay_days
        self._key = (root_seed, rep, space)
        self._drawn = drawn
        self._block: Block | None = None
        self._shapes: list[tuple[np.ndarray, ...]] = []  # each block's drawn pathways, kept
        self.taken = 0  # rows handed out (`take`)

    def _make_block(self, number: int) -> Block:
        root_seed, rep, space = self._key
        size, plans = self.BLOCK, self.SLOTS - 1

        def rng(part: int) -> np.random.Generator:
            return stream(root_seed, rep, "cases", space, number, part)

        durations = np.empty((size, self.WIDTH))
        durations[:, 0] = sample(self._stage_dists[ASSESSMENT], rng(ASSESSMENT), size)
        for stage in (CIN, CP, CLA):
            durations[:, stage::3] = sample(self._stage_dists[stage], rng(stage), (size, plans))
        uniforms = rng(4).random(size * (self.SLOTS + 1))
        block = Block()
        block.first_key = space + SPACES * size * number
        block.uniforms, block.durations = uniforms.tolist(), durations.ravel().tolist()
        block.delays = sample(self._delay_dist, rng(5), size).tolist()
        if self._drawn is not None:
            shapes = drawn_shapes(uniforms.reshape(size, self.SLOTS + 1), durations, *self._drawn)
            self._shapes.append(shapes)
            stages, counts, following, steps = shapes
            block.stages, block.counts = stages.ravel().tolist(), counts.tolist()
            block.following, block.steps = following.tolist(), steps.ravel().tolist()
        return block

    def take(self) -> tuple[Block, int]:
        """The next case's block and its row in it (rows are taken in order)."""
        index = self.taken
        self.taken = index + 1
        row = index % self.BLOCK
        if row == 0:
            self._block = self._make_block(index // self.BLOCK)
        return self._block, row

    def shapes_of(self, indices: np.ndarray) -> tuple[np.ndarray, ...]:
        """The drawn pathways (stages, counts, following, steps; see `Block`) of the rows at
        `indices` of this space."""
        return tuple(np.concatenate(part)[indices] for part in zip(*self._shapes, strict=True))


SPACES = 8  # more than there are index spaces: a case's key is space + SPACES x its index


def drawn_shapes(uniforms: np.ndarray, durations: np.ndarray, tables: tuple,
                 first_stage: int) -> tuple[np.ndarray, ...]:
    """Each row's pathway drawn whole from its first stage `first_stage` (what `choose` decides,
    stage by stage, from the cumulative outcome `tables`), as the arrays of a `Block`: stages
    (rows x SLOTS, -1 past the last), counts, following (CLOSED, or the stage entered past the
    row), steps (rows x SLOTS - 1, the lengths of the stages after the first, days; 0.0 past the
    last). `uniforms` and `durations` are the block's rows (rows x SLOTS + 1, rows x WIDTH)."""
    size, slots = uniforms.shape[0], CaseRows.SLOTS
    # `choose`: how many of a stage's cumulative probabilities a uniform reaches (none once closed)
    below = np.ones((CLOSED + 1, 3)) * 2.0
    below[:CLOSED] = np.array(tables)[:, :3]
    chosen = np.array([CLOSED, CIN, CP, CLA])
    lengths = np.zeros((size, CaseRows.WIDTH + 1))  # the last column: no stage, no length
    lengths[:, :-1] = durations
    rows = np.arange(size)
    stages = np.empty((size, slots + 1), dtype=np.int64)
    stages[:, 0] = first_stage
    steps = np.empty((size, slots - 1))
    for slot in range(slots):
        stage = chosen[(uniforms[:, slot, None] >= below[stages[:, slot]]).sum(axis=1)]
        stages[:, slot + 1] = stage
        if slot + 1 < slots:
            steps[:, slot] = lengths[rows, np.where(stage == CLOSED, CaseRows.WIDTH,
                                                    3 * slot + stage)]
    counts = (stages[:, :slots] != CLOSED).sum(axis=1)
    following = stages[:, slots]
    stages = np.where(stages[:, :slots] == CLOSED, -1, stages[:, :slots])
    return stages, counts, following, steps


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
