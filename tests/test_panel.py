"""Estimates from DfE's panel (`sim.data.panel`): checked on synthetic panels whose truth is known
(the within estimator and its clustered standard error; the random walk's step sd net of one-off
noise), against an explicit dummy-variable regression, and for honesty: an estimate up to year Y
is the same whatever DfE published after Y."""
from __future__ import annotations

import csv
import math
import tomllib
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from sim.data import panel
from sim.data.baseline import baseline_scenario_text
from sim.data.dfe import Extract, extract
from sim.experiments.backtest import factor_walks
from sim.model.reporting import published_factors
from sim.scenario.loading import DfeReporting


def synthetic_panel(rng: np.random.Generator, beta: float, councils: int = 120, years: int = 5):
    """y = beta x + council effect + year effect + error; x correlated with the council effect
    (so pooled least squares is biased and the within estimator is not), errors correlated
    within a council (AR(1), rho 0.6: what clustering is for)."""
    council_effect = rng.normal(0, 1, councils)
    year_effect = rng.normal(0, 0.3, years)
    x = council_effect[:, None] * 0.8 + rng.normal(0, 0.3, (councils, years))
    error = np.empty((councils, years))
    error[:, 0] = rng.normal(0, 0.2, councils)
    for t in range(1, years):
        error[:, t] = 0.6 * error[:, t - 1] + rng.normal(0, 0.2 * np.sqrt(1 - 0.36), councils)
    y = beta * x + council_effect[:, None] + year_effect[None, :] + error
    groups = np.repeat(np.arange(councils), years)
    periods = np.tile(np.arange(years), councils)
    return y.ravel(), x.ravel(), groups, periods


def test_within_equals_least_squares_with_council_and_year_dummies():
    """The slope equals that of an explicit regression on council and year dummies (an
    unbalanced panel: some council-years dropped), and of the partialled-out points."""
    rng = np.random.default_rng(3)
    y, x, groups, periods = synthetic_panel(rng, 0.4, councils=40)
    keep = rng.random(y.size) > 0.15
    y, x, groups, periods = y[keep], x[keep], groups[keep], periods[keep]
    slope, _, x_part, y_part = panel.within(y, x, groups, periods)
    dummies = np.column_stack([x, (groups[:, None] == np.unique(groups)).astype(float),
                               (periods[:, None] == np.unique(periods)[1:]).astype(float)])
    explicit = np.linalg.lstsq(dummies, y, rcond=None)[0][0]
    assert slope == pytest.approx(explicit, rel=1e-9)
    assert np.sum(x_part * y_part) / np.sum(x_part ** 2) == pytest.approx(slope, rel=1e-9)


def test_within_recovers_the_slope_and_its_clustered_interval_covers_90_percent():
    """Over 300 synthetic panels (truth 0.3): the estimates centre on the truth, their spread
    matches the mean clustered standard error within 15%, and the 90% interval holds the truth
    in 85-95% of them (about 3.5 binomial standard errors either way)."""
    rng = np.random.default_rng(11)
    estimates, errors = [], []
    for _ in range(300):
        slope, se, _, _ = panel.within(*synthetic_panel(rng, 0.3))
        estimates.append(slope)
        errors.append(se)
    estimates, errors = np.array(estimates), np.array(errors)
    assert abs(estimates.mean() - 0.3) < 4 * estimates.std() / np.sqrt(300)
    assert errors.mean() == pytest.approx(estimates.std(), rel=0.15)
    from scipy import stats
    q = stats.t.ppf(0.95, 119)
    covered = np.mean(np.abs(estimates - 0.3) <= q * errors)
    assert 0.85 <= covered <= 0.95


def cases_panel(rng: np.random.Generator, elasticity: float, councils: int = 150,
                years: int = 5, shared_sd: float = 0.12):
    """DfE-like rows from the model of `sim.model.pressure`: log cases = s log referrals +
    (1 - s) log case-holders + council effect + year effect + AR(1) error (rho 0.6); referrals
    and case-holders with council levels, common years and their own noise, correlated; posts
    follow the case-holders with noise of their own. Cases held and case-holders are read with a
    shared one-off reporting factor (log sd `shared_sd`, DfE's about 0.12-0.15), posts without."""
    import pandas as pd
    shape = (councils, years)
    holders = rng.normal(3.5, 0.6, councils)[:, None] + rng.normal(0, 0.1, shape)
    posts = holders + rng.normal(0.2, 0.05, councils)[:, None] + rng.normal(0, 0.05, shape)
    referrals = holders + rng.normal(3.2, 0.3, councils)[:, None] + rng.normal(0, 0.15, shape) \
        + 0.3 * (holders - holders.mean(axis=1, keepdims=True))
    error = np.empty(shape)
    error[:, 0] = rng.normal(0, 0.1, councils)
    for t in range(1, years):
        error[:, t] = 0.6 * error[:, t - 1] + rng.normal(0, 0.1 * np.sqrt(1 - 0.36), councils)
    cases = (elasticity * referrals + (1 - elasticity) * holders
             + rng.normal(0, 0.3, councils)[:, None] + rng.normal(0, 0.05, years)[None, :] + error)
    factor = rng.normal(0, shared_sd, shape)
    return pd.DataFrame({"code": np.repeat(np.arange(councils), years),
                         "year": np.tile(np.arange(2017, 2017 + years), councils),
                         "cases": np.exp(cases + factor).ravel(),
                         "case_holders": np.exp(holders + factor).ravel(),
                         "posts": np.exp(posts).ravel(), "referrals": np.exp(referrals).ravel()})


def test_the_cases_elasticity_recovers_a_known_exponent_and_its_interval_covers_90_percent():
    """Over 300 synthetic panels with s = 0.2 (k = 4) whose cases held and case-holders share a
    reporting factor: the estimates of s (case-holders instrumented by posts) centre on 0.2, and
    the 90% intervals of s, and of k = (1 - s) / s, hold the truth in 85-95% of them; the slope
    without the instrument is pulled well towards 0 (k towards infinity)."""
    rng = np.random.default_rng(23)
    truth = 0.2
    fits = [panel.estimate_cases_elasticity(cases_panel(rng, truth)) for _ in range(300)]
    estimates = np.array([f.estimate for f in fits])
    assert abs(estimates.mean() - truth) < 4 * estimates.std() / np.sqrt(300)
    held = np.mean([low <= truth <= high for low, high in (f.interval() for f in fits)])
    assert 0.85 <= held <= 0.95
    exponent = (1 - truth) / truth
    held_k = np.mean([low <= exponent <= high
                      for low, high in (f.exponent_interval() for f in fits)])
    assert held_k == held
    least_squares = np.array([f.least_squares for f in fits])
    assert least_squares.mean() < 0.75 * truth


def test_the_instrumental_slope_and_its_clustered_error_match_a_direct_two_stage_fit():
    """`within_iv` against two-stage least squares written out with council and year dummies:
    the same slope, and the same clustered error from the sandwich of the full design."""
    import pandas as pd
    rng = np.random.default_rng(5)
    rows = cases_panel(rng, 0.3, councils=30, years=4)
    y = np.log(rows["cases"] / rows["case_holders"]).to_numpy()
    x = np.log(rows["referrals"] / rows["case_holders"]).to_numpy()
    z = np.log(rows["referrals"] / rows["posts"]).to_numpy()
    slope, se = panel.within_iv(y, x, z, rows["code"].to_numpy(), rows["year"].to_numpy())
    effects = pd.get_dummies(rows[["code", "year"]].astype(str), drop_first=True,
                             dtype=float).to_numpy()
    design = np.column_stack([x, np.ones_like(x), effects])
    instruments = np.column_stack([z, np.ones_like(z), effects])
    coef = np.linalg.solve(instruments.T @ design, instruments.T @ y)
    assert slope == pytest.approx(coef[0], rel=1e-9)
    resid = y - design @ coef
    inverse = np.linalg.inv(instruments.T @ design)
    meat = sum(np.outer(s, s) for s in (instruments[rows["code"] == c].T @ resid[rows["code"] == c]
                                          for c in rows["code"].unique()))
    n, g, k = len(y), rows["code"].nunique(), 1 + rows["year"].nunique() - 1
    cov = inverse @ meat @ inverse.T * g / (g - 1) * (n - 1) / (n - k)
    assert se == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-9)


def test_the_cases_elasticity_without_two_census_years_is_the_flat_prior():
    """A census's referrals are those of the twelve months to it, half in DfE's next year to 31
    March: up to 2018 only the 2017 census has them, so the flat prior up to the children-in-need
    bound, saying why; from 2019 an estimate from over 100 councils (censuses 2017 and 2018)."""
    for year in (2017, 2018):
        early = panel.cases_referral_elasticity(extract(), year)
        assert early.fallback and str(year) in early.describe()
        assert early.prior_high == panel.children_in_need_bound(extract(), year)[0]
    later = panel.cases_referral_elasticity(extract(), 2019)
    assert not later.fallback and later.councils > 100 and later.years == (2017, 2018)


def test_a_censuss_referrals_are_the_geometric_mean_of_the_years_to_march_either_side():
    import pandas as pd
    frame = pd.DataFrame({"code": ["a", "a", "a", "b"], "year": [2017, 2018, 2020, 2017],
                          "referrals": [100.0, 400.0, 50.0, 9.0]})
    got = panel.referrals_to_census(frame)
    assert got.iloc[0] == pytest.approx(200.0)              # sqrt(100 x 400)
    assert got.iloc[1:].isna().all()                        # no year to March 2019 / 2021 / 2018


def random_walk_panel(rng: np.random.Generator, step_sd: float, noise_sd: float,
                      councils: int = 300, years: int = 8, trend_per_year: float = 0.0,
                      council_trend_sd: float = 0.01):
    """Log rates: council level + drift (`trend_per_year` shared, plus each council's of sd
    `council_trend_sd`) + a random walk with `step_sd` + one-off noise."""
    import pandas as pd
    walk = np.cumsum(rng.normal(0, step_sd, (years, councils)), axis=0)
    trend = ((trend_per_year + rng.normal(0, council_trend_sd, councils))
             * np.arange(years)[:, None])
    values = rng.normal(8, 1, councils) + trend + walk + rng.normal(0, noise_sd, (years, councils))
    return pd.DataFrame(values, index=range(2013, 2013 + years))


@pytest.mark.parametrize("step_sd", [0.0, 0.1, 0.2])
def test_the_walk_sd_is_the_step_sd_net_of_one_off_noise(step_sd):
    """A random walk with step sd s under one-off noise of sd 0.15 (which alone would make the
    yearly changes' sd 0.21): the estimate is s within 0.03 (0 with no walk)."""
    rng = np.random.default_rng(int(step_sd * 100) + 1)
    walk = panel.walk_sd(random_walk_panel(rng, step_sd, 0.15))
    assert walk.sd == pytest.approx(step_sd, abs=0.03)


@pytest.mark.parametrize("step_sd", [0.0, 0.08, 0.15])
def test_the_establishment_walk_and_englands_growth_are_recovered(step_sd):
    """Log establishment of 300 councils over 8 years: a level each, England's trend
    log(1.03) a year shared by all, a random walk with step sd s and one-off noise of sd 0.06.
    The walk about England's path is s within 0.02 (the trend, whose h^2 g^2 would otherwise
    enter the slope, is taken off), and England's growth 3% within 4 standard errors of the
    mean of the yearly changes."""
    rng = np.random.default_rng(int(step_sd * 100) + 7)
    logs = random_walk_panel(rng, step_sd, 0.06, trend_per_year=np.log(1.03),
                             council_trend_sd=0.0)
    walk = panel.walk_about_england(logs)
    assert walk.sd == pytest.approx(step_sd, abs=0.02)
    assert not walk.upper_bound
    growth = panel.growth_of(logs)
    changes = (logs - logs.shift(1)).to_numpy()[1:]
    se = changes.mean(axis=1).std(ddof=1) / np.sqrt(changes.shape[0])
    assert abs(np.log1p(growth.per_year) - np.log(1.03)) < 4 * se + 1e-12
    assert growth.changes == changes.size


def test_with_one_lag_the_walk_is_its_upper_bound():
    """Two years: a walk cannot be told from one-off noise, so the sd is sqrt of the mean
    square of the yearly changes about England's (step 0.08, noise 0.06: about
    sqrt(0.0064 + 2 x 0.0036) = 0.117), said as an upper bound; one year: 0, saying why."""
    rng = np.random.default_rng(3)
    logs = random_walk_panel(rng, 0.08, 0.06, years=2, trend_per_year=0.05,
                             council_trend_sd=0.0)
    walk = panel.walk_about_england(logs)
    assert walk.upper_bound and "upper bound" in walk.describe("establishment")
    assert walk.sd == pytest.approx(np.sqrt(0.08 ** 2 + 2 * 0.06 ** 2), abs=0.015)
    one = panel.walk_about_england(logs.iloc[:1])
    assert one.sd == 0 and one.fallback
    assert panel.growth_of(logs.iloc[:1]).per_year == 0


def test_binomial_noise_given_is_taken_off():
    """Log turnover of councils with about 20 leavers a year whose true rate is fixed: the
    changes are all chance (variance about 0.85/22 at each end), and with that noise given the
    mean squares of the changes are within 0.02 of 0 at every lag (the delta method leaves a
    little) and the walk small."""
    import pandas as pd
    rng = np.random.default_rng(5)
    staff, rate = 150, 0.15
    leavers = rng.binomial(staff, rate, (6, 200)).astype(float)
    logs = pd.DataFrame(np.log(leavers / staff), index=range(2017, 2023))
    without = panel.walk_sd(logs)
    shares = leavers / staff
    net = panel.walk_sd(logs, pd.DataFrame((1 - shares) / leavers, index=logs.index))
    assert without.mean_squares[1] > 0.07  # the noise to take off
    assert all(abs(square) < 0.02 for square in net.mean_squares.values()), net
    assert net.sd < 0.08


def synthetic_agency_extract(step_sd: float, councils: int = 400, seed: int = 3) -> Extract:
    """An extract of `councils` councils' agency FTE, 2017-2022: a level, a random walk with
    `step_sd` and one-off noise of sd 0.2 in the log; one council-year in 20 has no agency
    worker (0, which the walk leaves out)."""
    header = next(csv.reader([resources.files("sim").joinpath("data/dfe_extract.csv")
                              .read_text(encoding="utf-8").splitlines()[0]]))
    rng = np.random.default_rng(seed)
    years = 6
    walk = np.cumsum(rng.normal(0, step_sd, (years, councils)), axis=0)
    logs = rng.normal(3, 1, councils) + walk + rng.normal(0, 0.2, (years, councils))
    agency = np.where(rng.random((years, councils)) < 0.05, 0.0, np.exp(logs))
    rows = []
    for y in range(years):
        for c in range(councils):
            row = dict.fromkeys(header, "")
            row.update(time_period=str(2017 + y), geographic_level="Local authority",
                       region_name="North East", la_code=f"E{c:04d}", la_name=f"Council {c}",
                       agency_fte=f"{agency[y, c]:.3f}")
            rows.append(row)
    return Extract(rows)


@pytest.mark.parametrize("step_sd", [0.0, 0.25, 0.5])
def test_the_agency_walk_is_the_step_sd_of_log_agency_fte(step_sd):
    """On synthetic extracts whose log agency FTE walks with step sd s under one-off noise of sd
    0.2: the estimate up to 2022 is s within 0.06 (about 3 standard errors over 400 councils;
    0 with no walk); up to 2018 (one lag) the upper bound, a 1-year change's whole spread
    sqrt(s^2 + 2 x 0.2^2), within 0.05 (a walk of 0 there would leave the first year's change
    of the agency workers out of a 2018 baseline: the one-off factor is 0 there too)."""
    data = synthetic_agency_extract(step_sd)
    assert panel.agency_walk(data, 2022).sd == pytest.approx(step_sd, abs=0.06)
    early = panel.agency_walk(data, 2018)
    assert early.upper_bound and not early.fallback
    assert early.sd == pytest.approx(math.sqrt(step_sd ** 2 + 2 * 0.2 ** 2), abs=0.05)
    assert panel.agency_walk(data, 2017).sd == 0
@pytest.mark.parametrize("step_sd, noise_sd", [(0.0, 0.12), (0.08, 0.12), (0.1, 0.0),
                                               (0.3, 0.25)])
def test_the_one_off_factor_and_its_walk_are_recovered(step_sd, noise_sd):
    """Log figures of 1,000 councils over 6 censuses: a level, England's trend, a walk of step
    sd s and a one-off factor of sd n at each census. The estimate is n within 0.02 and s
    within 0.03 (the trend is taken off with England's yearly mean); no noise: about 0."""
    rng = np.random.default_rng(int(step_sd * 100 + noise_sd * 1000))
    logs = random_walk_panel(rng, step_sd, noise_sd, councils=1000, years=6,
                             trend_per_year=0.04, council_trend_sd=0.0)
    one_off = panel.one_off_sd(logs)
    assert one_off.sd == pytest.approx(noise_sd, abs=0.02)
    assert one_off.walk_sd == pytest.approx(step_sd, abs=0.03)


def test_the_shared_factor_of_two_measures_is_their_common_part():
    """Case-holders and cases of 1,000 councils: their own walks (step 0.06, 0.05), a shared
    one-off factor of sd 0.12 and cases' own of sd 0.07. From the mean products of their
    changes the shared factor is 0.12 within 0.02; from the ratio's changes, cases' own 0.07
    within 0.02."""
    import pandas as pd
    rng = np.random.default_rng(11)
    councils, years = 1000, 6
    shared = rng.normal(0, 0.12, (years, councils))
    holders = random_walk_panel(rng, 0.06, 0.0, councils=councils, years=years) + shared
    own = rng.normal(0, 0.07, (years, councils))
    cases = holders - shared + random_walk_panel(rng, 0.05, 0.0, councils=councils,
                                                 years=years) + shared + own
    both = panel.one_off_sd(holders, other=cases)
    assert both.sd == pytest.approx(0.12, abs=0.02)
    ratio = panel.one_off_sd(pd.DataFrame(cases - holders))
    assert ratio.sd == pytest.approx(0.07, abs=0.02)


def test_the_one_off_factor_says_what_one_census_or_one_change_allow():
    """One census: no change, 0 saying so (a count); two: one lag, the factor cannot be told from
    a walk, 0 saying so; DfE's panel: case-holders' 0 up to 2018 (2017 and 2018 censuses), the
    agency rate's from the one census's spread in 2017 and 0 in 2018; estimated from 2019."""
    rng = np.random.default_rng(2)
    logs = random_walk_panel(rng, 0.05, 0.1, years=2)
    assert "one census" in panel.one_off_sd(logs.iloc[:1]).describe("x")
    two = panel.one_off_sd(logs)
    assert two.sd == 0 and "cannot be told from a walk" in two.describe("x")
    data = extract()
    for year in (2017, 2018):
        assert panel.case_holders_one_off(data, year).sd == 0
    assert panel.rate_one_off(data, 2017, "agency").one_census_councils > 100
    assert panel.rate_one_off(data, 2018, "agency").fallback
    later = panel.case_holders_one_off(data, 2019)
    assert later.sd > 0 and not later.fallback and "h=2" in later.describe("case-holders")


def test_with_one_census_an_intensity_factor_is_half_the_spread_across_councils():
    """One census of 400 councils whose log figures spread with sd 0.4 about England's: the
    factor is half that (0.2), less each figure's chance variance when given (0.16 - 0.12 ->
    0.1); a count (no `intensity`) stays 0."""
    rng = np.random.default_rng(5)
    logs = pd.DataFrame(rng.normal(2.0, 0.4, (1, 400)), index=[2017])
    bound = panel.one_off_sd(logs, intensity=True)
    assert bound.sd == pytest.approx(0.2, rel=0.08) and bound.walk_sd == 0
    assert bound.one_census_councils == 400 and "half the sd across councils" in (
        bound.describe("x"))
    noise = pd.DataFrame(np.full((1, 400), 0.12), index=[2017])
    netted = panel.one_off_sd(logs, noise, intensity=True)
    assert netted.sd == pytest.approx(math.sqrt(float(logs.iloc[0].var()) - 0.12) / 2)
    assert panel.one_off_sd(logs).sd == 0


def test_the_one_census_bound_on_caseload_is_the_size_dfe_later_showed():
    """DfE's 2017 census alone bounds caseload's one-off factor at half the spread across
    councils; the factor estimated once DfE had published 2019-2022's censuses (none of which
    the bound saw) is within a fifth of it: the bound is not a guess far from what followed."""
    data = extract()
    bound = panel.caseload_one_off(data, 2017)
    assert bound.one_census_councils > 100
    for year in (2019, 2020, 2021, 2022):
        assert panel.caseload_one_off(data, year).sd == pytest.approx(bound.sd, rel=0.2)


def extract_up_to(year: int) -> Extract:
    text = resources.files("sim").joinpath("data/dfe_extract.csv").read_text(encoding="utf-8")
    rows = [row for row in csv.DictReader(text.splitlines()) if int(row["time_period"]) <= year]
    return Extract(rows)


@pytest.mark.parametrize("year", [2019, 2020])
def test_estimates_up_to_a_year_use_nothing_published_later(year):
    """The estimates up to `year` from the full extract equal those from an extract cut at
    `year`: the back-test from origin `year` sees nothing DfE published after it."""
    full, cut = extract(), extract_up_to(year)
    assert panel.caseload_elasticity(full, year) == panel.caseload_elasticity(cut, year)
    assert panel.referral_walk(full, year) == panel.referral_walk(cut, year)
    assert panel.turnover_walk(full, year) == panel.turnover_walk(cut, year)
    assert panel.establishment_walk(full, year) == panel.establishment_walk(cut, year)
    assert panel.establishment_growth(full, year) == panel.establishment_growth(cut, year)
    assert (panel.children_in_need_one_off(full, year)
            == panel.children_in_need_one_off(cut, year))
    assert panel.agency_walk(full, year) == panel.agency_walk(cut, year)
    assert (panel.cases_referral_elasticity(full, year)
            == panel.cases_referral_elasticity(cut, year))
    assert (panel.cases_referral_elasticity(full, year)
            != panel.cases_referral_elasticity(full, year + 1))
    assert panel.children_in_need_bound(full, year) == panel.children_in_need_bound(cut, year)
    assert panel.caseload_change(full, year) == panel.caseload_change(cut, year)
    for one_off in (panel.case_holders_one_off, panel.caseload_one_off, panel.turnover_one_off):
        assert one_off(full, year) == one_off(cut, year)
    for rate in ("agency", "vacancy"):
        assert panel.rate_one_off(full, year, rate) == panel.rate_one_off(cut, year, rate)
    assert panel.case_holders_one_off(full, year) != panel.case_holders_one_off(full, year + 1)
    assert panel.caseload_elasticity(full, year) != panel.caseload_elasticity(full, year + 1)


def test_the_establishment_drift_says_what_the_censuses_allow():
    """2017, the first census: no change, growth and walk 0 saying why; 2018: one lag, the
    walk's upper bound; from 2019 the walk net of one-off noise."""
    data = extract()
    assert panel.establishment_growth(data, 2017).per_year == 0
    assert "no yearly change" in panel.establishment_growth(data, 2017).describe()
    assert panel.establishment_walk(data, 2017).sd == 0
    assert panel.establishment_walk(data, 2018).upper_bound
    later = panel.establishment_walk(data, 2019)
    assert not later.upper_bound and not later.fallback and later.sd > 0


def test_too_few_years_fall_back_to_the_wide_prior_and_say_so():
    """Up to 2018 there is one year of turnover with the caseload of the census before: the
    prior, saying why; from 2019 an estimate."""
    early = panel.caseload_elasticity(extract(), 2018)
    assert (early.estimate, early.se) == (panel.PRIOR_MEAN, panel.PRIOR_SD)
    assert "fewer than two years" in early.describe()
    later = panel.caseload_elasticity(extract(), 2019)
    assert not later.fallback and later.councils > 100


def test_turnover_page_writes_the_page_and_its_figure(tmp_path):
    """The page states the estimate and interval the panel gives, and links its figure."""
    from sim.report import turnover_page

    doc = tmp_path / "turnover.md"
    assert turnover_page.main(["--doc", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    estimate = panel.caseload_elasticity(extract(), 2022)
    low, high = estimate.interval()
    assert f"**Estimate: {estimate.estimate:.2f}, 90% interval {low:.2f} to {high:.2f}**" in text
    assert "](images/turnover-within.png)" in text
    assert (tmp_path / "images" / "turnover-within.png").stat().st_size > 10_000


def test_turnover_page_to_a_missing_folder_exits_2(tmp_path, capsys):
    from sim.report import turnover_page

    assert turnover_page.main(["--doc", str(tmp_path / "no" / "turnover.md")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_the_caseload_change_is_the_root_mean_square_of_yearly_log_changes():
    """Against a direct loop over councils and consecutive censuses (up to 2019; councils
    reported jointly left out); 0 with one census."""
    data = extract()
    frame = panel.panel(data)
    frame = frame[~frame["joint"] & frame["year"].between(2017, 2019)]
    changes = []
    for _, rows in frame.groupby("code"):
        by_year = dict(zip(rows["year"], rows["caseload"], strict=True))
        changes += [np.log(by_year[y + 1] / by_year[y]) for y in (2017, 2018)
                    if {y, y + 1} <= by_year.keys() and np.isfinite(np.log(by_year[y + 1] / by_year[y]))]
    assert panel.caseload_change(data, 2019)[0] == pytest.approx(
        np.sqrt(np.mean(np.square(changes))), rel=1e-12)
    assert panel.caseload_change(data, 2017)[0] == 0.0


@pytest.mark.parametrize("year", [2017, 2018])
def test_where_the_censuses_give_no_shared_factor_children_in_need_stand_in(year):
    """Origins 2017 and 2018: the workforce censuses cannot give the factor case-holders and
    cases share, so the baseline carries children in need's (DfE's demand tables from 2013),
    which is estimated: positive, with a walk beside it, from four or more yearly changes."""
    data = extract()
    assert panel.case_holders_one_off(data, year).fallback
    stand_in = panel.children_in_need_one_off(data, year)
    assert stand_in.sd > 0 and not stand_in.fallback and 3 in stand_in.mean_squares
    text = baseline_scenario_text("Wakefield", year)
    assert tomllib.loads(text)["dfe_reporting"]["case_holders_log_sd"] == pytest.approx(
        stand_in.sd, abs=5e-5)
    assert "children in need's one-off factor" in text


def test_the_agency_rates_factor_is_the_panels_whole_where_the_agency_workers_walk_from_dfes():
    """Where the panel shows the agency FTE walking (2019 on), the agency workers walk from
    DfE's figure at the start, which carries that census's factor: a later census carries its
    own over the start's, as in the panel's h-year changes (2 s^2 + h w^2), so the key is the
    panel's whole s, not halved as for a rate that heads to a level of the council's years; and
    nothing is taken off (cover carries no spread there)."""
    for la in ("Wakefield", "Leeds", "Kent"):
        data = tomllib.loads(baseline_scenario_text(la, 2020))
        assert data["dfe_reporting"]["agency_rate_logit_sd"] == pytest.approx(
            panel.rate_one_off(extract(), 2020, "agency").sd, abs=5e-5)


def local_level_panel(rng: np.random.Generator, noise_sd: float, walk_sd: float, prior_sd: float,
                      councils: int, years: int):
    """Log figures about England's yearly mean: each council's state starts normal(0, prior_sd)
    and walks with `walk_sd`; a census sees it times a one-off factor of `noise_sd`; England's
    trend (0.03 a year) on top. The figures and the factors."""
    import pandas as pd
    states = (rng.normal(0, prior_sd, councils)
              + np.cumsum(np.vstack([np.zeros(councils),
                                     rng.normal(0, walk_sd, (years - 1, councils))]), axis=0))
    factors = rng.normal(0, noise_sd, (years, councils))
    trend = 0.03 * np.arange(years)[:, None]
    index = range(2017, 2017 + years)
    return pd.DataFrame(2.9 + trend + states + factors, index=index), factors


def test_one_census_shrinks_each_council_by_the_prior_over_prior_plus_noise():
    """One census: the filtered level is tau^2 / (tau^2 + s^2) of the council's figure about
    England's mean, its variance tau^2 s^2 / (tau^2 + s^2), tau^2 the spread across councils
    less s^2; the start's factor is the rest of the figure."""
    rng = np.random.default_rng(3)
    logs, _ = local_level_panel(rng, 0.1, 0.05, 0.3, councils=50, years=1)
    filtered = panel.local_level_filter(logs, 0.1, 0.05)
    deviations = logs.iloc[0] - logs.iloc[0].mean()
    prior = np.var(deviations.to_numpy(), ddof=1) - 0.01
    assert filtered.prior_variance == pytest.approx(prior, rel=1e-12)
    shrink = prior / (prior + 0.01)
    assert np.allclose(filtered.levels.iloc[0], shrink * deviations, rtol=1e-12)
    assert np.allclose(filtered.variances.iloc[0], prior * 0.01 / (prior + 0.01), rtol=1e-12)
    mean, sd = filtered.start_factor(logs.columns[4])
    assert mean == pytest.approx((1 - shrink) * deviations.iloc[4], rel=1e-12)
    assert sd == pytest.approx(np.sqrt(prior * 0.01 / (prior + 0.01)), rel=1e-12)


def test_the_filter_is_the_gaussian_posterior_of_the_state_given_the_figures():
    """Six censuses with gaps: each council's filtered level and variance at every census equal
    the normal posterior of its state given its figures so far, computed directly from the
    joint covariance (state: prior tau^2 plus w^2 a year; figure: state plus s^2); a council
    with no figure at the last census has no start factor."""
    rng = np.random.default_rng(5)
    noise, walk = 0.08, 0.06
    logs, _ = local_level_panel(rng, noise, walk, 0.2, councils=30, years=6)
    logs.iloc[2, 0] = np.nan
    logs.iloc[[0, 1], 1] = np.nan
    logs.iloc[5, 2] = np.nan
    filtered = panel.local_level_filter(logs, noise, walk)
    deviations = logs.sub(logs.mean(axis=1), axis=0).to_numpy()
    prior = filtered.prior_variance
    rows = np.arange(6)
    covariance = prior + walk ** 2 * np.minimum.outer(rows, rows)
    for council in range(4):
        for last in rows:
            seen = [t for t in range(last + 1) if np.isfinite(deviations[t, council])]
            if not seen:
                continue
            among = covariance[np.ix_(seen, seen)] + noise ** 2 * np.eye(len(seen))
            with_state = covariance[last, seen]
            weights = np.linalg.solve(among, with_state)
            assert filtered.levels.iloc[last, council] == pytest.approx(
                weights @ deviations[seen, council], abs=1e-12)
            assert filtered.variances.iloc[last, council] == pytest.approx(
                covariance[last, last] - with_state @ weights, abs=1e-12)
    assert filtered.start_factor(logs.columns[2]) is None
    assert filtered.start_factor("nowhere") is None


def test_a_long_history_reaches_the_steady_state_gain():
    """Forty censuses: the variance settles where P = (P + w^2) s^2 / (P + w^2 + s^2), i.e.
    the predicted variance (w^2 + sqrt(w^4 + 4 w^2 s^2)) / 2, whatever the prior."""
    rng = np.random.default_rng(8)
    noise, walk = 0.1, 0.04
    logs, _ = local_level_panel(rng, noise, walk, 0.5, councils=20, years=40)
    filtered = panel.local_level_filter(logs, noise, walk)
    predicted = (walk ** 2 + np.sqrt(walk ** 4 + 4 * walk ** 2 * noise ** 2)) / 2
    steady = predicted * noise ** 2 / (predicted + noise ** 2)
    assert np.allclose(filtered.variances.iloc[-1], steady, rtol=1e-9)


@pytest.mark.parametrize("noise_sd, walk_sd", [(0.08, 0.06), (0.15, 0.1)])
def test_the_start_factors_posterior_holds_the_true_factor(noise_sd, walk_sd):
    """4,000 councils over 5 censuses with known s, w and prior sd 0.15: the prior variance is
    found (within 10%), and the true one-off factor at the last census, less the posterior
    mean over its sd, is a standard normal (mean within 0.05, sd within 5%): the posterior is
    calibrated; its sd is below s (the history says something about the factor)."""
    rng = np.random.default_rng(int(noise_sd * 1000))
    logs, factors = local_level_panel(rng, noise_sd, walk_sd, 0.15, councils=4000, years=5)
    filtered = panel.local_level_filter(logs, noise_sd, walk_sd)
    assert filtered.prior_variance == pytest.approx(0.15 ** 2, rel=0.1)
    posterior = np.array([filtered.start_factor(council) for council in logs.columns])
    scores = (factors[-1] - posterior[:, 0]) / posterior[:, 1]
    assert abs(scores.mean()) < 0.05
    assert scores.std() == pytest.approx(1.0, rel=0.05)
    assert posterior[:, 1].max() < noise_sd


def test_the_filter_is_used_where_its_level_forecast_the_next_census_better():
    """Figures with a one-off factor (0.1) over a slow walk (0.03): the filtered level forecasts
    the next census better than the figure, so it is applied; with a one-off sd of 0 the
    filter is the figure itself, no better, and is not; one census gives nothing to test on,
    and the filter (the prior across councils updated by each council's one figure) is used."""
    rng = np.random.default_rng(13)
    logs, _ = local_level_panel(rng, 0.1, 0.03, 0.2, councils=300, years=4)
    found = panel.start_filter(logs, 0.1, 0.03)
    assert found.applied and found.filtered_error < found.persistence_error
    assert found.forecasts == 300 * 3
    assert "beat the last figure" in found.describe()
    none = panel.start_filter(logs, 0.0, 0.03)
    assert none.filtered_error == none.persistence_error and not none.applied
    one = panel.start_filter(logs.iloc[:1], 0.1, 0.03)
    assert one.applied and one.forecasts == 0 and "nothing to test it on" in one.describe()
    gain = one.filtered.prior_variance / (one.filtered.prior_variance + 0.1 ** 2)
    pd.testing.assert_series_equal(one.filtered.levels.iloc[0],
                                   gain * one.filtered.deviations.iloc[0])


def test_the_caseload_filter_at_one_census_shrinks_councils_a_quarter_toward_england():
    """Origin 2017, DfE's one workforce census: caseload's one-off factor is its one-census
    bound (half the spread across councils), so the prior is the spread less a quarter and the
    filtered level three quarters of each council's deviation from England's mean; it is used
    (before, with nothing to test it on, the start's factor was a fresh draw)."""
    found = panel.caseload_start_filter(extract(), 2017)
    assert found.applied
    deviations = found.filtered.deviations.iloc[-1].dropna()
    assert found.filtered.noise_sd ** 2 == pytest.approx(deviations.var() / 4)
    np.testing.assert_allclose(found.filtered.levels.iloc[-1][deviations.index],
                               0.75 * deviations, atol=1e-12)


def test_the_caseload_filter_with_two_censuses_takes_the_bound_and_the_walk_beside_it():
    """Origin 2018, one yearly change: caseload's own one-off cannot be told from a walk, so the
    filter takes the one-census bound at 2018 and the walk the yearly changes' mean square
    leaves beside two such factors (2 sd^2 + walk^2 = the mean square); it forecast 2018 from
    2017 better than the 2017 figure did, so it is used."""
    data = extract()
    found = panel.caseload_start_filter(data, 2018)
    logs = np.log(panel._workforce_wide(data, "caseload", 2018))
    bound = panel.one_census_bound(logs)
    squares, _ = panel.lag_mean_squares(panel._about_england(logs))
    assert found.filtered.noise_sd == pytest.approx(bound.sd)
    assert 2 * bound.sd ** 2 + found.filtered.walk_sd ** 2 == pytest.approx(squares[1])
    assert found.forecasts > 100 and found.applied


def test_a_later_census_carries_the_caseload_factor_the_2018_start_filter_assumes():
    """Origin 2018: the start's filter assumes every census carries caseload's one-off at its
    bound, so the baseline's caseload factor (a later census's) and the back-test's walk beside
    it are the filter's, not 0 (before, a 2018 start's caseload band carried its start's factor
    only); the factor a 2019 forecast sees is both factors, as the panel's changes are."""
    data = extract()
    one_off = panel.caseload_one_off(data, 2018)
    found = panel.caseload_start_filter(data, 2018)
    assert not one_off.fallback and one_off.sd > 0.05
    assert (one_off.sd, one_off.walk_sd) == (found.filtered.noise_sd, found.filtered.walk_sd)
    reporting = tomllib.loads(baseline_scenario_text("Wakefield", 2018))["dfe_reporting"]
    assert reporting["caseload_log_sd"] == pytest.approx(one_off.sd, abs=5e-5)
    factor = published_factors(DfeReporting(**reporting))["caseload_dfe"]
    assert factor.sd == pytest.approx(np.hypot(one_off.sd, reporting["caseload_start_log_sd"]),
                                      abs=1e-4)
    assert factor_walks(data, 2018)["caseload_dfe"] == one_off.walk_sd > 0


@pytest.mark.parametrize("year", [2019, 2020])
def test_the_start_filters_up_to_a_year_use_nothing_published_later(year):
    """The filters and their evidence up to `year` from the full extract equal those from an
    extract cut at `year`; up to 2018 the censuses give case-holders no factor to filter by."""
    full, cut = extract(), extract_up_to(year)
    for start_filter in (panel.caseload_start_filter, panel.case_holders_start_filter):
        whole, part = start_filter(full, year), start_filter(cut, year)
        assert whole.describe() == part.describe()
        assert whole.applied == part.applied
        for council in whole.filtered.deviations.columns[:20]:
            assert whole.filtered.start_factor(council) == part.filtered.start_factor(council)
    assert not panel.case_holders_start_filter(full, 2018).applied
    assert "not filtered" in panel.case_holders_start_filter(full, 2018).describe()


@pytest.mark.parametrize("year", [2017, 2018])
def test_caseloads_bounded_filter_up_to_a_year_uses_nothing_published_later(year):
    """The bound and the walk beside it at 2017 and 2018 come from the censuses up to the year:
    the filter from the full extract equals the one from an extract cut at the year."""
    whole = panel.caseload_start_filter(extract(), year)
    part = panel.caseload_start_filter(extract_up_to(year), year)
    assert whole.applied and part.applied and whole.describe() == part.describe()
    for council in whole.filtered.deviations.columns[:20]:
        assert whole.filtered.start_factor(council) == part.filtered.start_factor(council)


def test_the_baseline_starts_caseloads_factor_from_the_filter_and_case_holders_fresh():
    """A 2020 baseline: caseload's start factor is the council's posterior from the filter
    (which beat the last figure up to 2020), case-holders' a fresh draw (the filter did not);
    2018: case-holders' a fresh draw (no factor to filter by), caseload's the filter's (the
    one-census bound and the walk beside it). The back-test's published caseload then
    has median -mean and sd sqrt(s^2 + sd^2). A council whose workforce DfE reports jointly
    with another has no figure of its own to filter: a fresh draw."""
    data = extract()
    caseload = panel.caseload_start_filter(data, 2020)
    assert caseload.applied and not panel.case_holders_start_filter(data, 2020).applied
    codes = {name: code for code, name in data.names.items()}
    for la in ("Wakefield", "Kent"):
        code = codes[la]
        reporting = tomllib.loads(baseline_scenario_text(la, 2020))["dfe_reporting"]
        mean, sd = caseload.filtered.start_factor(code)
        assert reporting["caseload_start_log_mean"] == pytest.approx(mean, abs=5e-5)
        assert reporting["caseload_start_log_sd"] == pytest.approx(sd, abs=5e-5)
        assert reporting["case_holders_start_log_mean"] == 0.0
        assert "case_holders_start_log_sd" not in reporting
        factor = published_factors(DfeReporting(**reporting))["caseload_dfe"]
        assert factor.shift == -reporting["caseload_start_log_mean"]
        assert factor.sd == pytest.approx(np.hypot(reporting["caseload_log_sd"], sd), abs=1e-4)
    early = tomllib.loads(baseline_scenario_text("Wakefield", 2018))["dfe_reporting"]
    mean, sd = panel.caseload_start_filter(data, 2018).filtered.start_factor(codes["Wakefield"])
    assert early["caseload_start_log_mean"] == pytest.approx(mean, abs=5e-5) != 0.0
    assert early["caseload_start_log_sd"] == pytest.approx(sd, abs=5e-5)
    assert early["case_holders_start_log_mean"] == 0.0 and "case_holders_start_log_sd" not in early
    joint = baseline_scenario_text("Kingston upon Thames", 2020)   # reported with Richmond
    assert tomllib.loads(joint)["dfe_reporting"]["caseload_start_log_mean"] == 0.0
    assert "no caseload figure of the council's own" in joint


@pytest.mark.parametrize("share, ratio", [(0.15, 3.6), (0.4, 2.0)])
def test_tails_fitted_to_a_known_scale_mixture_find_it(share, ratio):
    """Changes drawn from a two-normal scale mixture: the fit finds a mixture whose median and
    90th percentile of |change| over the rms are the draws' (to the grid's step), near the one
    drawn from."""
    rng = np.random.default_rng(3)
    wide = rng.random(200_000) < share
    changes = 0.1 * np.where(wide, ratio, 1.0) * rng.standard_normal(200_000)
    tails = panel.fit_tails(changes, 1)
    size = np.abs(changes) / math.sqrt(np.mean(changes ** 2))
    assert tails.median_ratio == pytest.approx(np.median(size))
    assert tails.q90_ratio == pytest.approx(np.quantile(size, 0.9))
    assert tails.wide_share == pytest.approx(share, abs=0.05)
    assert tails.ratio == pytest.approx(ratio, rel=0.15)
    weights, scales = np.array(tails.weights), np.array(tails.scales)
    assert weights @ scales ** 2 == pytest.approx(1.0)


def test_tails_of_normal_changes_are_normal_and_of_few_changes_the_normal():
    changes = np.random.default_rng(5).standard_normal(200_000)
    tails = panel.fit_tails(changes, 2)
    assert np.array(tails.scales) == pytest.approx([1.0, 1.0], abs=0.05) or tails.wide_share < 0.02
    few = panel.fit_tails(changes[:panel.MIN_TAIL_CHANGES - 1], 1)
    assert (few.wide_share, few.ratio) == (0.0, 1.0) and "fewer than" in few.fallback


def test_dfe_case_holders_changes_are_heavy_tailed_and_2017_has_none():
    """DfE's councils' yearly case-holder changes (censuses 2017-2019): the median |change| is
    about 0.46 of their rms (a normal's 0.674), so the fit puts a wide normal beside a narrow one;
    2017 has one census, no change."""
    data = extract()
    tails = panel.change_tails(data, 2019, "case_holders", 1)
    assert tails.median_ratio < 0.55 and tails.wide_share > 0.05 and tails.ratio > 2
    assert panel.change_tails(data, 2017, "case_holders", 1).fallback
    two_years = panel.change_tails(data, 2018, "case_holders", 2)
    assert two_years.lag == 1   # no 2-year change by 2018: the 1-year changes' shape


def test_agency_that_follows_vacancies_gives_their_elasticity():
    """Four councils whose agency FTE is exactly vacancies^0.4 (a council effect aside): the
    panel's within elasticity is 0.4; with one census, none (0, and why)."""
    from sim.data.dfe import LOCAL
    rows = []
    sizes = {"991": (10, 25), "992": (40, 20), "993": (8, 8.5), "994": (30, 60)}
    for code, vacancies in sizes.items():
        for year, vacant in zip((2017, 2018), vacancies):
            agency = math.exp(0.4 * math.log(vacant) + int(code) / 1000)
            rows.append({"geographic_level": LOCAL, "region_name": "R", "la_code": code,
                         "la_name": code, "time_period": str(year), "inpost_fte": "100",
                         "vacancy_fte": str(vacant), "agency_fte": f"{agency:.10f}"})
    data = Extract(rows)
    assert panel.agency_vacancy_elasticity(data, 2018).estimate == pytest.approx(0.4)
    alone = panel.agency_vacancy_elasticity(data, 2017)
    assert alone.estimate == 0.0 and alone.fallback


def caseload_response_extract(response: float, councils: int = 300, seed: int = 4) -> Extract:
    """Councils' cases, case-holders and agency FTE at censuses 2017-2020: log caseload about 16
    with sd 0.2 across councils (and a yearly wobble of 0.1); agency FTE a year on is this year's
    times (caseload / the year's median over councils)^`response`, times a common yearly factor
    (e^0.1, e^-0.2, e^0.3) and a council-year's own of log sd 0.3."""
    from sim.data.dfe import LOCAL
    rng = np.random.default_rng(seed)
    years = range(2017, 2021)
    level = rng.normal(math.log(16), 0.2, councils)
    log_caseload = {year: level + rng.normal(0, 0.1, councils) for year in years}
    log_agency = {2017: rng.normal(3, 0.5, councils)}
    for year, common in zip(years[1:], (0.1, -0.2, 0.3)):
        before = log_caseload[year - 1]
        log_agency[year] = (log_agency[year - 1] + response * (before - np.median(before))
                            + common + rng.normal(0, 0.3, councils))
    rows = []
    for year in years:
        for c in range(councils):
            holders = 100.0
            rows.append({"geographic_level": LOCAL, "region_name": "R", "la_code": f"E{c:04d}",
                         "la_name": f"Council {c}", "time_period": str(year),
                         "case_holders_fte": f"{holders:.3f}",
                         "cases": f"{holders * math.exp(log_caseload[year][c]):.3f}",
                         "agency_fte": f"{math.exp(log_agency[year][c]):.6f}"})
    return Extract(rows)


@pytest.mark.parametrize("response", [0.0, 0.7])
def test_agency_that_follows_the_caseload_about_the_typical_council_gives_its_response(response):
    """Synthetic councils whose agency FTE a year on is times (caseload / that year's median
    council's)^g and a common yearly factor: the estimate up to 2020 (900 changes) is g within 3
    standard errors (the common factors are year effects, not response), its se about
    0.3 / (0.22 sqrt(900)) = 0.045; up to 2017 (no change) none, and why. England's typical
    caseload is the median council's: 16 within the spread of the median of 300 draws."""
    data = caseload_response_extract(response)
    found = panel.agency_caseload_response(data, 2020)
    assert found.se == pytest.approx(0.3 / (0.22 * math.sqrt(900)), rel=0.25)
    assert abs(found.estimate - response) < 3 * found.se
    assert found.observations == 900 and found.effects == "year effects"
    alone = panel.agency_caseload_response(data, 2017)
    assert alone.estimate == 0.0 and alone.fallback
    assert panel.typical_caseload(data, 2019) == pytest.approx(16, rel=0.05)
