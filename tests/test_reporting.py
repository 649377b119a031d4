"""One-off reporting factors of DfE's measures (`sim.model.reporting`, `[dfe_reporting]`): the
spread of the published figure about the model's state is the sd asked for, one factor per census,
the shared factor leaves caseload as it is, rates stay shares, and nothing else moves."""
from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sim.model.council import run_replication
from sim.model.metrics import METRIC_INDEX, METRIC_NAMES
from sim.model.reporting import apply_factors, census_years, published_factors
from sim.model.streams import stream
from sim.scenario.loading import DfeReporting
from builders import scenario, series

START = date(2019, 9, 30)
DFE = ("case_holders", "cases_held", "caseload_dfe", "agency_rate", "vacancy_rate",
       "turnover_rate")


def state(days: np.ndarray) -> np.ndarray:
    """Samples of a fixed state: 40 case-holders, 800 cases, rates 0.2, 0.1, 0.15."""
    values = np.ones((days.size, len(METRIC_NAMES)))
    for name, value in (("case_holders", 40.0), ("cases_held", 800.0), ("caseload_dfe", 20.0),
                        ("agency_rate", 0.2), ("vacancy_rate", 0.1), ("turnover_rate", 0.15)):
        values[:, METRIC_INDEX[name]] = value
    return values


def published(reporting: DfeReporting, days: np.ndarray, rep: int) -> np.ndarray:
    values = state(days)
    apply_factors(values, days, START, reporting, lambda year: stream(7, rep, "reporting", year))
    return values


def test_each_factor_has_the_sd_asked_for_over_replications():
    """At the start's census the figures are the state's; at the next, over 4,000
    replications, each carries its factor over the start's (two one-off factors, sd sqrt(2) s):
    log case-holders sd 0.15 sqrt(2), log cases sqrt(0.15^2 + 0.08^2) sqrt(2), log caseload
    0.08 sqrt(2) (caseload is cases / case-holders), the logits of the agency and vacancy rates
    0.3 and 0.4 and log turnover 0.2, times sqrt(2), each within 5% (the sd of a sample sd of
    4,000 normals is 1.1%), as `published_factors` says in closed form; medians stay the
    state's."""
    reporting = DfeReporting(case_holders_log_sd=0.15, caseload_log_sd=0.08,
                             agency_rate_logit_sd=0.3, vacancy_rate_logit_sd=0.4,
                             turnover_rate_log_sd=0.2)
    days = np.array([0.0, 365.0])
    runs = [published(reporting, days, rep) for rep in range(4000)]
    assert all(np.array_equal(run[0], state(days)[0]) for run in runs[:50])
    rows = np.array([run[1] for run in runs])

    def column(name):
        return rows[:, METRIC_INDEX[name]]

    def logit(p):
        return np.log(p / (1 - p))

    spreads = {"case_holders": (np.log(column("case_holders")), 0.15),
               "cases_held": (np.log(column("cases_held")), np.hypot(0.15, 0.08)),
               "caseload_dfe": (np.log(column("caseload_dfe")), 0.08),
               "agency_rate": (logit(column("agency_rate")), 0.3),
               "vacancy_rate": (logit(column("vacancy_rate")), 0.4),
               "turnover_rate": (np.log(column("turnover_rate")), 0.2)}
    factors = published_factors(reporting)   # what the back-test integrates instead
    assert set(factors) == set(spreads)
    for name, (logs, sd) in spreads.items():
        assert factors[name].sd == pytest.approx(sd * np.sqrt(2)), name
        assert factors[name].scale == ("logit" if name.endswith(("agency_rate", "vacancy_rate"))
                                       else "log"), name
        assert factors[name].shift == 0.0
        assert logs.std() == pytest.approx(factors[name].sd, rel=0.05), name
    assert np.allclose(column("caseload_dfe"), column("cases_held") / column("case_holders"))
    assert np.median(column("agency_rate")) == pytest.approx(0.2, rel=0.03)


def test_samples_nearest_one_census_share_its_factor_and_censuses_differ():
    """Weekly samples over three years: those nearest one 30 September carry one factor, the
    next census another (drawn afresh: one-off); those nearest the start's census none."""
    days = np.arange(0.0, 3 * 365, 7.0)
    years = census_years(days, START)
    assert years[0] == 2019 and years[-1] == 2022
    assert census_years(np.array([182.0, 184.0]), START).tolist() == [2019, 2020]
    values = published(DfeReporting(case_holders_log_sd=0.2), days, rep=0)
    holders = values[:, METRIC_INDEX["case_holders"]]
    for year in np.unique(years):
        assert np.unique(holders[years == year]).size == 1
    assert np.unique(holders).size == np.unique(years).size
    assert np.all(holders[years == 2019] == 40.0)


def test_the_shared_factor_leaves_caseload_and_one_sd_moves_no_other_draw():
    """With only the shared factor, caseload is the state's; adding a turnover factor leaves
    case-holders' factors as they were (five normals drawn per census whatever the sds)."""
    days = np.arange(0.0, 2 * 365, 7.0)
    shared = published(DfeReporting(case_holders_log_sd=0.2), days, rep=3)
    assert np.array_equal(shared[:, METRIC_INDEX["caseload_dfe"]], state(days)[:, 0] * 20.0)
    both = published(DfeReporting(case_holders_log_sd=0.2, turnover_rate_log_sd=0.3), days, 3)
    assert np.array_equal(both[:, METRIC_INDEX["case_holders"]],
                          shared[:, METRIC_INDEX["case_holders"]])


def test_rates_stay_shares_and_nan_stays_nan():
    """A large logit factor keeps rates in 0-1; 0 and 1 stay put, nan (no denominator) too."""
    days = np.array([0.0, 400.0, 800.0, 1200.0])
    values = state(days)
    values[:, METRIC_INDEX["agency_rate"]] = [0.0, 1.0, np.nan, 0.999]
    apply_factors(values, days, START, DfeReporting(agency_rate_logit_sd=2.0),
                  lambda year: stream(1, 0, "reporting", year))
    rates = values[:, METRIC_INDEX["agency_rate"]]
    assert rates[0] == 0.0 and rates[1] == 1.0 and np.isnan(rates[2]) and 0 < rates[3] < 1


def test_a_replication_with_factors_changes_only_the_dfe_measures():
    """The same replication with and without factors: every metric but the DfE measures is
    identical (no other stream moves, the model's state is the same), the DfE ones differ, and
    with the shared factor only, caseload_dfe is identical too."""
    plain = run_replication(scenario({"years": 2}), rep=0, root_seed=5)
    noisy = run_replication(scenario({"years": 2, "dfe_reporting": {
        "case_holders_log_sd": 0.2, "agency_rate_logit_sd": 0.3}}), rep=0, root_seed=5)
    for name in METRIC_NAMES:
        a, b = series(plain, name), series(noisy, name)
        same = np.array_equal(a, b, equal_nan=True)
        if name in ("case_holders", "cases_held", "agency_rate"):
            assert not same, name
        else:
            assert same, name


def test_by_default_the_start_is_a_fresh_draw_to_the_last_bit():
    """With no start keys, each later census's factors are s (z_census - z_start) from the
    census years' streams, to the last bit (the scenario results of before the start keys), in
    40 replications; the start keys set to their defaults change nothing."""
    sds = np.array([0.15, 0.08, 0.3, 0.4, 0.2])
    reporting = DfeReporting(case_holders_log_sd=0.15, caseload_log_sd=0.08,
                             agency_rate_logit_sd=0.3, vacancy_rate_logit_sd=0.4,
                             turnover_rate_log_sd=0.2)
    explicit = reporting.model_copy(update={"case_holders_start_log_sd": 0.15,
                                            "agency_rate_start_logit_sd": 0.3,
                                            "caseload_start_log_mean": 0.0})
    days = np.array([0.0, 365.0, 730.0])
    for rep in range(40):
        values = published(reporting, days, rep)
        z = {year: stream(7, rep, "reporting", year).standard_normal(5)
             for year in (2019, 2020, 2021)}
        for row, year in ((1, 2020), (2, 2021)):
            step = (z[year] - z[2019]) * sds
            assert values[row, METRIC_INDEX["case_holders"]] == 40.0 * np.exp(step[0])
            assert values[row, METRIC_INDEX["caseload_dfe"]] == 20.0 * np.exp(step[1])
            assert values[row, METRIC_INDEX["turnover_rate"]] == 0.15 * np.exp(step[4])
        assert np.array_equal(published(explicit, days, rep), values)


def test_the_starts_factor_moves_each_later_census_by_its_posterior():
    """The start's factors normal(mean, sd) in their scales: at the next census, over 4,000
    replications, each measure's log (logit) less the state's has median -mean (the start's
    factor taken off) and sd sqrt(s^2 + sd^2), as `published_factors` says (the shared factor's
    start in case-holders and cases held, caseload's in cases held and caseload); the samples
    nearest the start's census stay the state's."""
    reporting = DfeReporting(case_holders_log_sd=0.15, caseload_log_sd=0.08,
                             agency_rate_logit_sd=0.3, turnover_rate_log_sd=0.2,
                             case_holders_start_log_mean=0.1, case_holders_start_log_sd=0.05,
                             caseload_start_log_mean=-0.06, caseload_start_log_sd=0.03,
                             agency_rate_start_logit_mean=0.4, agency_rate_start_logit_sd=0.0,
                             vacancy_rate_start_logit_mean=-0.2,
                             turnover_rate_start_log_mean=0.0)
    days = np.array([0.0, 365.0])
    runs = [published(reporting, days, rep) for rep in range(4000)]
    assert all(np.array_equal(run[0], state(days)[0]) for run in runs[:50])
    rows = np.array([run[1] for run in runs])
    first = state(days)[0]

    def moved(name, scale):
        figure, at_start = rows[:, METRIC_INDEX[name]], first[METRIC_INDEX[name]]
        if scale == "log":
            return np.log(figure / at_start)
        return np.log(figure / (1 - figure)) - np.log(at_start / (1 - at_start))

    expected = {"case_holders": ("log", -0.1, np.hypot(0.15, 0.05)),
                "cases_held": ("log", -0.04, np.sqrt(0.15 ** 2 + 0.05 ** 2 + 0.08 ** 2
                                                     + 0.03 ** 2)),
                "caseload_dfe": ("log", 0.06, np.hypot(0.08, 0.03)),
                "agency_rate": ("logit", -0.4, 0.3),
                "vacancy_rate": ("logit", 0.2, 0.0),
                "turnover_rate": ("log", 0.0, 0.2 * np.sqrt(2))}
    factors = published_factors(reporting)
    for name, (scale, shift, sd) in expected.items():
        assert factors[name].scale == scale, name
        assert factors[name].shift == pytest.approx(shift, abs=1e-12), name
        assert factors[name].sd == pytest.approx(sd, abs=1e-12), name
        changes = moved(name, scale)
        assert np.median(changes) == pytest.approx(shift, abs=0.01), name
        assert changes.std() == pytest.approx(sd, rel=0.05, abs=1e-12), name


def test_the_starts_factor_moves_no_draw():
    """A start mean with the factor's own sd shifts each later census's figure by exp(-mean)
    and nothing else: the same normals are drawn."""
    days = np.arange(0.0, 2 * 365, 7.0)
    plain = published(DfeReporting(caseload_log_sd=0.08), days, rep=2)
    shifted = published(DfeReporting(caseload_log_sd=0.08, caseload_start_log_mean=0.05),
                        days, rep=2)
    later = census_years(days, START) > 2019
    for name in ("cases_held", "caseload_dfe"):
        column = METRIC_INDEX[name]
        assert np.allclose(shifted[later, column], plain[later, column] * np.exp(-0.05),
                           rtol=1e-12)
        assert np.array_equal(shifted[~later, column], plain[~later, column])
    assert np.array_equal(shifted[:, METRIC_INDEX["case_holders"]],
                          plain[:, METRIC_INDEX["case_holders"]])
