"""Random numbers of each post, on streams keyed by the post and by what they are for.

Post `key`'s numbers come from streams of its own, `stream(root_seed, rep, purpose, *key, part)`,
one stream per quantity, handed out in rounds: campaign k of a post, its k-th vacancy spell, its
k-th agency request and its k-th candidate resignation use the same numbers in every scenario of a
comparison, whatever happens at other posts and whatever the distributions of the post's other
quantities. A post's key is its group and its index in the group (`post_key`): the posts held at
the start by level, the vacant ones at the start, and the ones a policy adds, so that changing how
many there are of one group leaves every other post's streams alone. Streams are made when first
used.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.distributions import sample, sample_residual
from sim.model.streams import stream

ROUNDS_PER_BLOCK = 8
Part = Callable[[np.random.Generator, int], np.ndarray]

# post groups: held at the start (by level), vacant at the start, added by a policy, and the
# slots of agency cover beyond vacancies (`sim.model.agency`)
GROUPS = {"nqsw": 0, "sw": 1, "senior": 2, "vacant": 3, "added": 4, "beyond": 5}
# parts under "recruitment" (CAMPAIGN_UNDER_WAY: what is left of a campaign running at the start)
HIRE_DAYS, SUCCESS, LEVEL, CAMPAIGN_UNDER_WAY = 0, 1, 2, 3
# parts under "agency" (AGENCY_UNDER_WAY: what is left of a start delay running at the start)
COVER, START_DAYS, STAY, AGENCY_UNDER_WAY = 0, 1, 2, 3
# parts under "turnover"
GAP, ACCEPT, NOTICE = 0, 1, 2


def post_key(group: str, index: int) -> tuple[int, int]:
    """The stream key of the `index`-th post of `group` (a key of GROUPS)."""
    return GROUPS[group], index


class Rounds:
    """Rounds of numbers of one post: entry j of each round comes from its own stream (the key
    followed by `parts[j][0]`), drawn a block of rounds at a time by `parts[j][1](rng, k)`."""

    __slots__ = ("_key", "_parts", "_rngs", "_rounds")

    def __init__(self, key: tuple, parts: tuple[tuple[int, Part], ...]) -> None:
        self._key, self._parts = key, parts
        self._rngs: list[np.random.Generator] | None = None
        self._rounds: list[tuple] = []

    def __call__(self) -> tuple:
        if not self._rounds:
            if self._rngs is None:
                self._rngs = [stream(*self._key, part) for part, _draw in self._parts]
            columns = [draw(rng, ROUNDS_PER_BLOCK).tolist()
                       for (_part, draw), rng in zip(self._parts, self._rngs, strict=True)]
            self._rounds = list(zip(*columns, strict=True))
            self._rounds.reverse()
        return self._rounds.pop()


class PostDraws:
    """The kinds of rounds of one post.

    campaign(): (time to hire in days, success uniform, starter-level uniform).
    cover(): (the cover uniform of a vacancy spell,).
    agency(): (agency start delay in days, agency stay as a unit exponential).
    turnover(): (gap to the next candidate resignation as a unit exponential, acceptance uniform,
    notice period in days).
    """

    __slots__ = ("agency", "campaign", "cover", "turnover")

    def __init__(self, campaign: Rounds, cover: Rounds, agency: Rounds, turnover: Rounds) -> None:
        self.campaign, self.cover, self.agency, self.turnover = campaign, cover, agency, turnover


class PostStreams:
    """Makes the `PostDraws` of the post with key `key` for one replication of one scenario."""

    def __init__(self, scenario, root_seed: int, rep: int) -> None:
        workforce = scenario.workforce
        hire, start = workforce.recruitment.time_to_hire_days, workforce.agency.start_days
        notice = workforce.turnover.notice_days
        self._root_seed, self._rep = root_seed, rep
        self._hire, self._start = hire, start

        def uniforms(rng: np.random.Generator, k: int) -> np.ndarray:
            return rng.random(k)

        def units(rng: np.random.Generator, k: int) -> np.ndarray:
            return rng.standard_exponential(k)

        self._campaign = ((HIRE_DAYS, lambda rng, k: sample(hire, rng, k)), (SUCCESS, uniforms),
                          (LEVEL, uniforms))
        self._cover = ((COVER, uniforms),)
        self._agency = ((START_DAYS, lambda rng, k: sample(start, rng, k)), (STAY, units))
        self._turnover = ((GAP, units), (ACCEPT, uniforms),
                          (NOTICE, lambda rng, k: sample(notice, rng, k)))

    def for_post(self, key: tuple[int, int]) -> PostDraws:
        seed, rep = self._root_seed, self._rep
        return PostDraws(Rounds((seed, rep, "recruitment", *key), self._campaign),
                         Rounds((seed, rep, "agency", *key), self._cover),
                         Rounds((seed, rep, "agency", *key), self._agency),
                         Rounds((seed, rep, "turnover", *key), self._turnover))

    def campaign_under_way_days(self, key: tuple[int, int]) -> float:
        """The remaining time (days) of the campaign of post `key`, vacant and advertised at the
        start: the residual of a time to hire in equilibrium."""
        return self._residual_days(self._hire, "recruitment", key, CAMPAIGN_UNDER_WAY)

    def agency_under_way_days(self, key: tuple[int, int]) -> float:
        """The remaining time (days) of the agency start delay of slot `key`, waiting for its
        worker at the start: the residual of a start delay in equilibrium."""
        return self._residual_days(self._start, "agency", key, AGENCY_UNDER_WAY)

    def _residual_days(self, distribution, purpose: str, key: tuple[int, int],
                       part: int) -> float:
        """One residual of `distribution` (days) from the post's stream of `purpose` and
        `part`."""
        rng = stream(self._root_seed, self._rep, purpose, *key, part)
        remaining, _elapsed = sample_residual(distribution, rng, 1)
        return float(remaining[0])
