"""Random numbers of each post, on streams keyed by the post's index (common random numbers).

Post p's recruitment, agency cover and turnover draws come from streams of its own,
`stream(root_seed, rep, purpose, p)`, handed out in rounds: campaign k of post p, its k-th agency
request and its k-th candidate resignation use the same numbers in every scenario of a comparison,
whatever happens at other posts. Posts that a policy adds take new indices, so they draw nothing
from the streams of the posts both scenarios share. Streams are made when first used.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.distributions import sample
from sim.streams import stream

ROUNDS_PER_BLOCK = 8
Round = tuple[float, float, float]


class Rounds:
    """Rounds of three numbers from one stream of one post, drawn a block of rounds at a time.

    draw_block(rng, k) returns three arrays of k numbers: round i is their i-th entries.
    """

    __slots__ = ("_draw_block", "_key", "_rng", "_rounds")

    def __init__(self, key: tuple, draw_block: Callable[[np.random.Generator, int], tuple]) -> None:
        self._key, self._draw_block = key, draw_block
        self._rng: np.random.Generator | None = None
        self._rounds: list[Round] = []

    def __call__(self) -> Round:
        if not self._rounds:
            if self._rng is None:
                self._rng = stream(*self._key)
            first, second, third = self._draw_block(self._rng, ROUNDS_PER_BLOCK)
            self._rounds = list(zip(first.tolist(), second.tolist(), third.tolist()))
            self._rounds.reverse()
        return self._rounds.pop()


class PostDraws:
    """The three kinds of rounds of one post.

    campaign(): (time to hire in days, success uniform, starter-level uniform).
    agency(): (cover uniform, agency start delay in days, agency stay as a unit exponential).
    turnover(): (gap to the next candidate resignation as a unit exponential, acceptance uniform,
    notice period in days).
    """

    __slots__ = ("agency", "campaign", "turnover")

    def __init__(self, campaign: Rounds, agency: Rounds, turnover: Rounds) -> None:
        self.campaign, self.agency, self.turnover = campaign, agency, turnover


class PostStreams:
    """Makes the `PostDraws` of post number `index` for one replication of one scenario."""

    def __init__(self, scenario, root_seed: int, rep: int) -> None:
        workforce = scenario.workforce
        hire, start = workforce.recruitment.time_to_hire_days, workforce.agency.start_days
        notice = workforce.turnover.notice_days
        self._root_seed, self._rep = root_seed, rep
        self._campaign = lambda rng, k: (sample(hire, rng, k), rng.random(k), rng.random(k))
        self._agency = lambda rng, k: (rng.random(k), sample(start, rng, k),
                                       rng.standard_exponential(k))
        self._turnover = lambda rng, k: (rng.standard_exponential(k), rng.random(k),
                                         sample(notice, rng, k))

    def for_post(self, index: int) -> PostDraws:
        seed, rep = self._root_seed, self._rep
        return PostDraws(Rounds((seed, rep, "recruitment", index), self._campaign),
                         Rounds((seed, rep, "agency", index), self._agency),
                         Rounds((seed, rep, "turnover", index), self._turnover))
