"""Year-to-year drift of a rate: a random walk in its log, one step on each anniversary of the
start.

With a scenario's `demand.yearly_change_sd`, `workforce.turnover.yearly_change_sd` or
`workforce.agency.yearly_change_sd` s > 0, the referral rate, the turnover base rate or the agency
level beyond vacancies (`sim.model.agency`) of year k of the run (k = 0 the first, from the start to
its first anniversary; the warm-up counts as year 0) is exp(Z_1 + ... + Z_k) times what the
scenario alone gives, Z_i ~ N(0, s^2) independent: the log of the multiplier has mean 0 and
variance k s^2, and the first year is as the scenario gives it (a referral trend's
`growth_per_year` compounds on top). With s = 0 nothing is drawn and nothing changes.

Each walk has its own stream ("drift", keyed by `DEMAND_WALK`, `TURNOVER_WALK` or `AGENCY_WALK`), and step i uses
the i-th standard normal of it whatever the horizon and whatever s, so the scenarios of a comparison
share their steps (common random numbers) and no other stream moves.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from sim.model.units import DAYS_PER_YEAR

# keys under the "drift" stream
DEMAND_WALK, TURNOVER_WALK, AGENCY_WALK = 0, 1, 2


def yearly_multipliers(sd: float, years: float,
                       rng: Callable[[], np.random.Generator]) -> np.ndarray | None:
    """The multiplier of each year of a run of `years` years (entry k: year k, entry 0 is 1), or
    None when `sd` is 0 (no walk: `rng` is not called)."""
    if sd <= 0:
        return None
    steps = max(0, math.ceil(years) - 1)
    return np.exp(np.concatenate([[0.0], np.cumsum(sd * rng().standard_normal(steps))]))


def year_of(days: np.ndarray, years_in_walk: int) -> np.ndarray:
    """The year of the run (0-based, clipped to the walk's years) of each time `days` after the
    start; warm-up times (days < 0) are year 0."""
    return np.clip(np.floor(np.asarray(days) / DAYS_PER_YEAR).astype(np.int64), 0,
                   years_in_walk - 1)
