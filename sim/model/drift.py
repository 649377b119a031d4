"""Year-to-year drift of a rate, or of the establishment: a random walk in its log, one step a
year.

With a scenario's `demand.yearly_change_sd` or `workforce.turnover.yearly_change_sd` s > 0, the
referral rate or the turnover base rate of year k of the run (k = 0 the first, from the start to
its first anniversary; the warm-up counts as year 0) is exp(Z_1 + ... + Z_k) times what the
scenario alone gives, Z_i ~ N(0, s^2) independent: the log of the multiplier has mean 0 and
variance k s^2, and the first year is as the scenario gives it (a referral trend's
`growth_per_year` compounds on top). With s = 0 nothing is drawn and nothing changes. The agency
level beyond vacancies (`workforce.agency.yearly_change_sd`, `sim.model.agency`; with `walk_scope`
"all" the share of vacancies covered too) walks with the same multipliers, but takes step k half a
year into year k, so that a census a year on is one step from the start, as in the panel its step
is estimated from.

The case-holding establishment (`workforce.establishment_drift`) moves differently, as a council's
posts do at DfE's censuses: by the end of year k of the run (k = 1, 2, ...) it is the start's E
times (1 + g)^k exp(Z_1 + ... + Z_k), rounded (`establishment_path`), so year k's step is taken
during year k, not at its end (a post added at a census would hold no one at it); the year's change
is made in twelve monthly steps, the first half a month into the year (the start stays the
census's state), as a phased `add_posts` (negative: `remove_posts`) does. With g = 0 and s = 0
nothing is drawn or scheduled.

Each walk has its own steps ("drift", keyed by `DEMAND_WALK`, `TURNOVER_WALK`,
`ESTABLISHMENT_WALK` or `AGENCY_WALK`; `walk_normals`), step i of a replication the same standard
normal whatever the horizon and whatever s, so the scenarios of a comparison share their steps
(common random numbers) and no other draw moves. The steps are stratified across each block of
replications (`sim.model.strata`): each year's steps of a block of ten replications take one draw
from each tenth of the normal distribution.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.model.strata import stratified_normals
from sim.model.units import DAYS_PER_YEAR

# keys under the "drift" stream
DEMAND_WALK, TURNOVER_WALK, ESTABLISHMENT_WALK, AGENCY_WALK = 0, 1, 2, 3


Normals = Callable[[int], np.ndarray]
"""A walk's steps: n -> its first n standard normals."""


def walk_normals(root_seed: int, rep: int, walk: int) -> Normals:
    """The steps of walk `walk` (`DEMAND_WALK`, ...) of replication `rep`."""
    return lambda count: stratified_normals(root_seed, rep, "drift", walk, count=count)


def yearly_multipliers(sd: float, years: float, normals: Normals) -> np.ndarray | None:
    """The multiplier of each year of a run of `years` years (entry k: year k, entry 0 is 1), or
    None when `sd` is 0 (no walk: `normals` is not called)."""
    if sd <= 0:
        return None
    steps = max(0, math.ceil(years) - 1)
    return np.exp(np.concatenate([[0.0], np.cumsum(sd * normals(steps))]))


def year_of(days: np.ndarray, years_in_walk: int) -> np.ndarray:
    """The year of the run (0-based, clipped to the walk's years) of each time `days` after the
    start; warm-up times (days < 0) are year 0."""
    return np.clip(np.floor(np.asarray(days) / DAYS_PER_YEAR).astype(np.int64), 0,
                   years_in_walk - 1)


def establishment_path(establishment: int, growth_per_year: float, sd: float, years: float,
                       normals: Normals) -> list[int] | None:
    """The case-holding posts at the end of each year k of a run of `years` years (entry 0: the
    start's `establishment`, entry k: round(establishment x (1 + growth_per_year)^k x the walk's
    multiplier), k up to ceil(years)), or None with no growth and no walk (`normals` not called)."""
    if growth_per_year == 0 and sd <= 0:
        return None
    last = math.ceil(years)
    trend = (1 + growth_per_year) ** np.arange(last + 1)
    walk = yearly_multipliers(sd, last + 1, normals)
    factors = trend if walk is None else trend * walk
    return [round(establishment * float(f)) for f in factors]
