"""Year-to-year drift (`sim.model.drift`): random walks in the log of the referral rate, of the
turnover base rate and of the case-holding establishment, one step a year. Checked against the
walk's theory: over replications the log of the year-k multiplier has mean 0 and variance k sd^2
(so the log referral rate of year k has mean k log(1 + growth)), the first year is as without a
walk, and the walks pair across scenarios. The establishment's walk (with its trend) is taken
during each year: at the end of year k the model holds round(E (1 + g)^k exp(Z_1 + ... + Z_k))
posts, reached in twelve monthly steps, the first half a month into the year."""
from __future__ import annotations

import numpy as np
import pytest
from builders import scenario

from sim.model.council import Council
from sim.model.demand import ReferralRate
from sim.model.drift import (DEMAND_WALK, ESTABLISHMENT_WALK, establishment_path, walk_normals,
                             yearly_multipliers)
from sim.model.policy import monthly_steps
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
        SD, sc.years, walk_normals(SEED, rep, DEMAND_WALK))).trend(middles)
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


def refused(_count: int):
    raise AssertionError("steps were drawn for a walk with sd 0")


def test_no_walk_draws_nothing():
    """With sd 0 no step is drawn (the runs are those of before the walks); an
    establishment with neither trend nor walk is left alone, and a trend alone compounds."""
    assert yearly_multipliers(0.0, 5, refused) is None
    assert establishment_path(40, 0.0, 0.0, 5, refused) is None
    # round(40 x 1.05^k): 40, 42, 44.1, 46.3
    assert establishment_path(40, 0.05, 0.0, 2.5, refused) == [40, 42, 44, 46]


def walked_path(sd: float, rep: int, posts: int = 10 ** 6, growth: float = GROWTH,
                years: float = 2.5) -> list[int]:
    return establishment_path(posts, growth, sd, years,
                              walk_normals(SEED, rep, ESTABLISHMENT_WALK))


def test_the_establishment_path_has_the_walks_moments():
    """Over 4000 replications of a million posts (rounding moves the log by under 1e-6): the
    log of the posts at the end of year k over the start's has mean k log(1 + g) and variance
    k sd^2, k = 1 to 3 for a run of 2.5 years (its third year under way)."""
    paths = np.array([walked_path(SD, rep) for rep in range(4000)], dtype=float)
    assert paths.shape == (4000, 4) and np.all(paths[:, 0] == 10 ** 6)
    logs = np.log(paths / 10 ** 6)
    for k in (1, 2, 3):
        moments_hold(logs[:, k], k, k * np.log1p(GROWTH), SD)


def establishment_at(years: float, rep: int, drift: dict) -> int:
    council = Council(scenario({"years": years, "demand": {"referrals_per_year": 0},
                                "workforce": {"establishment_drift": drift}}), rep, SEED)
    council.run()
    return council.workforce.establishment


def test_the_models_establishment_follows_its_path_in_monthly_steps():
    """A council of 40 posts, growth 5% and step sd 0.3: for the first half month it has its
    40; just before the end of years 1 and 2 (after their twelfth monthly step, the first half a
    month into the year) it holds the path's posts; half-way through year 2, year 1's plus
    year 2's first six monthly steps. Posts removed count off at once (a held post closes when
    its holder leaves)."""
    drift = {"growth_per_year": GROWTH, "yearly_change_sd": 0.3}
    falls = 0
    for rep in range(4):
        path = walked_path(0.3, rep, posts=40, years=2)
        assert establishment_at(0.04, rep, drift) == 40
        assert establishment_at(0.99, rep, drift) == path[1]
        assert establishment_at(1.99, rep, drift) == path[2]
        assert establishment_at(1.5, rep, drift) == path[1] + sum(
            monthly_steps(path[2] - path[1], 12)[:6])
        falls += path[2] < path[1] or path[1] < path[0]
    assert falls > 0    # removals are checked too


def test_the_establishment_walk_pairs_and_moves_no_other_draw():
    """The same replication with step sd 0.1 and 0.3 (no trend) takes the same steps, scaled;
    and adding an establishment walk leaves the turnover walk's drift as it was."""
    for rep in (0, 1, 2):
        one = np.log(np.array(walked_path(0.1, rep, growth=0.0)) / 10 ** 6)
        other = np.log(np.array(walked_path(0.3, rep, growth=0.0)) / 10 ** 6)
        np.testing.assert_allclose(other[1:], 3 * one[1:], atol=1e-5)
        turnover = {"turnover": {"yearly_change_sd": 0.1}}
        alone = turnover_drift(turnover, rep, 3.2).turnover.drift
        both = turnover_drift({**turnover, "establishment_drift": {"yearly_change_sd": 0.2}},
                              rep, 3.2).turnover.drift
        assert both == alone != 1.0
