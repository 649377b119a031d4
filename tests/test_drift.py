"""Year-to-year drift (`sim.model.drift`): random walks in the log of the referral rate and of the
turnover base rate, one step a year. Checked against the walk's theory: over replications the log
of the year-k multiplier has mean 0 and variance k sd^2 (so the log referral rate of year k has mean
k log(1 + growth)), the first year is as without a walk, and the walks pair across scenarios."""
from __future__ import annotations

import numpy as np
import pytest
from builders import scenario

from sim.model.council import Council
from sim.model.demand import ReferralRate
from sim.model.drift import DEMAND_WALK, yearly_multipliers
from sim.model.streams import stream
from sim.model.units import DAYS_PER_YEAR

SEED = 17
SD, GROWTH = 0.25, 0.05


def moments_hold(logs: np.ndarray, k: int, mean: float, sd: float) -> None:
    """The sample mean and variance of `logs` (one per replication) agree with N(mean, k sd^2)
    within 4.5 standard errors (the variance's from its chi-square distribution)."""
    n, var = logs.size, k * sd ** 2
    assert abs(logs.mean() - mean) < 4.5 * np.sqrt(var / n), (k, logs.mean(), mean)
    assert abs(logs.var(ddof=1) / var - 1) < 4.5 * np.sqrt(2 / (n - 1)), (k, logs.var(), var)


def test_the_referral_rate_path_has_the_walks_moments():
    """The model's trend of referrals per day at mid-year k, over 4000 replications: its log
    less year 0's has mean k log(1 + g) and variance k sd^2."""
    sc = scenario({"years": 5, "demand": {"growth_per_year": GROWTH, "yearly_change_sd": SD}})
    middles = (np.arange(5) + 0.5) * DAYS_PER_YEAR
    logs = np.log([ReferralRate(sc, yearly_multipliers(
        SD, sc.years, lambda rep=rep: stream(SEED, rep, "drift", DEMAND_WALK))).trend(middles)
        for rep in range(4000)])
    relative = logs - logs[:, :1]
    assert np.all(relative[:, 0] == 0)
    for k in range(1, 5):
        moments_hold(relative[:, k], k, k * np.log1p(GROWTH), SD)


def referrals_by_year(changes: dict, rep: int, years: int) -> np.ndarray:
    council = Council(scenario({"years": years, "demand": changes}), rep, SEED)
    return np.histogram(council.referrals.received, bins=np.arange(years + 1) * DAYS_PER_YEAR)[0]


def test_the_models_referrals_a_year_follow_the_walk():
    """Referrals received in each year of the run (rate 20,000 a year, so Poisson noise adds
    about 1e-4 to a variance of 0.06 or more): log(year k / year 0) has mean k log(1 + g) and
    variance k sd^2 over 300 replications."""
    demand = {"referrals_per_year": 20_000, "growth_per_year": GROWTH, "yearly_change_sd": SD}
    counts = np.array([referrals_by_year(demand, rep, 3) for rep in range(300)])
    relative = np.log(counts / counts[:, :1])
    for k in (1, 2):
        moments_hold(relative[:, k], k, k * np.log1p(GROWTH), SD)


def test_the_first_year_of_referrals_is_unchanged_and_later_years_move():
    """The same replication with and without a walk: every referral of the first year at the
    same time (up to the day of the anniversary, which the rate's day-by-day integral gives
    to the new year), the later years' counts different."""
    plain = {"referrals_per_year": 5000, "growth_per_year": GROWTH}
    walked = {**plain, "yearly_change_sd": SD}
    for rep in (0, 1):
        base = Council(scenario({"years": 3, "demand": plain}), rep, SEED).referrals.received
        moved = Council(scenario({"years": 3, "demand": walked}), rep, SEED).referrals.received
        first = np.floor(DAYS_PER_YEAR)
        np.testing.assert_array_equal(moved[moved < first], base[base < first])
        assert np.sum(moved >= DAYS_PER_YEAR) != np.sum(base >= DAYS_PER_YEAR)


def turnover_drift(changes: dict, rep: int, years: float) -> Council:
    """A council with no referrals run for `years`; its turnover holds the drift at the end."""
    council = Council(scenario({"years": years, "demand": {"referrals_per_year": 0},
                                "workforce": changes}), rep, SEED)
    council.run()
    return council


@pytest.mark.parametrize("years", [0.9, 3.5])
def test_the_turnover_base_rate_walks_with_the_walks_moments(years):
    """The turnover hazard's drift at the end of a run of 0.9 years is 1 (the first year is
    unchanged) and of 3.5 years has a log with mean 0 and variance 3 sd^2 over 400
    replications; every worker's hazard carries it."""
    walked = {"turnover": {"annual_rate": 0.2, "yearly_change_sd": SD}}
    logs = []
    for rep in range(400 if years > 1 else 3):
        council = turnover_drift(walked, rep, years)
        turnover = council.turnover
        worker = next(iter(turnover.clocks))
        assert turnover.hazard_per_day(worker) == pytest.approx(
            0.2 / DAYS_PER_YEAR * turnover.drift * turnover.level_multiplier[worker.level])
        logs.append(np.log(turnover.drift))
    steps = int(np.ceil(years)) - 1
    if steps == 0:
        assert logs == [0.0] * len(logs)
    else:
        moments_hold(np.array(logs), steps, 0.0, SD)


def test_the_walks_pair_across_scenarios():
    """Two scenarios that differ in establishment and sd draw the same steps: the log drift of
    one is the other's scaled by the ratio of their sds."""
    for rep in (0, 1, 2):
        one = turnover_drift({"turnover": {"yearly_change_sd": 0.1}}, rep, 3.2).turnover.drift
        other = turnover_drift({"establishment": 45, "turnover": {"yearly_change_sd": 0.3}},
                               rep, 3.2).turnover.drift
        assert np.log(other) == pytest.approx(3 * np.log(one))
        assert one != 1.0


def test_no_walk_draws_nothing():
    """With sd 0 no stream is asked for a number (the runs are those of before the walks)."""
    def refused():
        raise AssertionError("a stream was made for a walk with sd 0")

    assert yearly_multipliers(0.0, 5, refused) is None
