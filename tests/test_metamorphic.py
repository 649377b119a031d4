"""Metamorphic relations (DESIGN.md, "Behaviour the model must show"): how runs must compare.

Each relation runs two scenarios with the same root seed (common random numbers) and compares a
statistic of each replication: in the median of the paired differences, and where the effect is
strong, replication by replication.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from builders import (
    BASE,
    NO_STOCK,
    STILL_WORKFORCE,
    holders,
    level_mean,
    mean_wait,
    merged,
    per_rep,
    period_total,
    run_replication,
    runs,
    scenario,
    series,
    without,
)

REPS = 6
YEARS = {"years": 1.0}


def both(low: dict, high: dict, reps: int = REPS) -> tuple[list, list]:
    """Replications of `low` and of `high` (each deep-merged into BASE), same seeds."""
    return tuple(runs(scenario(merged(YEARS, changes)), reps) for changes in (low, high))


def compare(arms: tuple[list, list], statistic) -> tuple[np.ndarray, np.ndarray]:
    """The statistic of each replication of each arm."""
    return per_rep(arms[0], statistic), per_rep(arms[1], statistic)


def assert_higher(low: np.ndarray, high: np.ndarray, usually: float = 0.0) -> None:
    """`high` above `low` in the median of paired differences (and in `usually` of the pairs)."""
    differences = high - low
    assert np.median(differences) > 0, (low, high)
    assert np.mean(differences > 0) >= usually, (low, high)


def uncovered_vacancies(replication) -> float:
    return float(np.mean(series(replication, "vacancies") - series(replication, "staff_agency")))


# --- demand ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("low, high", [
    ({"demand": {"referrals_per_year": 1200}}, {"demand": {"referrals_per_year": 1600}}),
    ({"demand": {"growth_per_year": 0.0}}, {"demand": {"growth_per_year": 0.25}}),
], ids=["rate", "growth"])
def test_more_referrals_mean_more_open_cases_higher_caseloads_and_more_waiting(low, high):
    late = 120.0
    arms = both(low, high)
    assert_higher(*compare(arms, level_mean("open_cases", late)), usually=0.8)
    assert_higher(*compare(arms, level_mean("caseload_mean", late)), usually=0.8)
    # hard caps a little below the starting caseloads, so that some cases wait in both arms
    hard = {"allocation": {"when_full": "queue"},
            "workforce": {"levels": {"nqsw": {"cap": 13}, "sw": {"cap": 17}}}}
    arms = both(merged(low, hard), merged(high, hard))
    assert_higher(*compare(arms, level_mean("unallocated", late)), usually=0.8)


# --- workforce -------------------------------------------------------------------------------------

CHURN = {"workforce": {"turnover": {"annual_rate": 0.3}}}


def hire_in(days: float) -> dict:
    return {"workforce": {"recruitment": {"time_to_hire_days": {"dist": "gamma", "mean": days,
                                                                "cv": 0.5}}}}


@pytest.mark.parametrize("low, high", [
    ({"workforce": {"establishment": 40}}, {"workforce": {"establishment": 48}}),
    (hire_in(200), hire_in(60)),
    ({"workforce": {"recruitment": {"success": 0.4}}},
     {"workforce": {"recruitment": {"success": 1.0}}}),
], ids=["more-posts", "faster-recruitment", "surer-recruitment"])
def test_more_posts_or_better_recruitment_mean_more_staff_and_lower_caseloads(low, high):
    arms = both(merged(CHURN, low), merged(CHURN, high))
    assert_higher(*compare(arms, level_mean("staff_permanent")), usually=0.8)
    more_cases, fewer_cases = compare(arms, level_mean("caseload_mean"))
    assert_higher(fewer_cases, more_cases, usually=0.7)


def test_higher_turnover_means_fewer_staff_higher_caseloads_and_more_changes_of_worker():
    arms = both({"workforce": {"turnover": {"annual_rate": 0.1}}},
                {"workforce": {"turnover": {"annual_rate": 0.4}}})
    more_staff, fewer_staff = compare(arms, level_mean("staff_permanent"))
    assert_higher(fewer_staff, more_staff, usually=0.8)
    assert_higher(*compare(arms, level_mean("caseload_mean")), usually=0.7)
    assert_higher(*compare(arms, period_total("worker_changes")), usually=0.8)
    assert_higher(*compare(arms, period_total("leavers")), usually=0.8)


# BASE at 15/40 of its size with 2.2 times the demand: caseloads far above the caps
OVERLOADED = {
    "demand": {"referrals_per_year": 1000},
    "workforce": {"establishment": 15, "agency_in_post": 1, "turnover": {"annual_rate": 0.2},
                  "levels": {"nqsw": {"in_post": 2}, "sw": {"in_post": 11}}},
    "initial": {"open": {"assessment": 22, "cin": 113, "cp": 34, "cla": 56}},
}


def test_a_larger_caseload_elasticity_means_no_fewer_leavers_when_workers_are_over_cap():
    """The thinning bound differs between the arms, so resignations are not paired: compare the
    median and the total over the replications."""
    def elasticity(value: float) -> dict:
        turnover = {"annual_rate": 0.5, "caseload_elasticity": value}
        return merged(OVERLOADED, {"workforce": {"turnover": turnover}})

    arms = both(elasticity(0.0), elasticity(5.0))
    over, _ = compare(arms, level_mean("over_cap_share"))
    assert np.median(over) > 0.5, "the workers should mostly be over their caps"
    calm, pressed = compare(arms, period_total("leavers"))
    assert np.median(pressed) > np.median(calm) and pressed.sum() > calm.sum(), (calm, pressed)


UNCAPPED = {"workforce": {"levels": {"nqsw": {"cap": 1000}, "sw": {"cap": 1000}},
                          "agency": {"cap": 1000}, "turnover": {"annual_rate": 0.4}}}


def test_caseload_elasticity_changes_nothing_when_nobody_is_ever_over_cap():
    elastic = merged(UNCAPPED, {"workforce": {"turnover": {"caseload_elasticity": 3.0}}})
    plain, pressured = both(UNCAPPED, elastic, reps=3)
    for a, b in zip(plain, pressured, strict=True):
        assert np.all(series(a, "over_cap_share") == 0)
        assert np.array_equal(a.values, b.values, equal_nan=True)


def test_a_retention_measure_means_fewer_leavers_and_lower_caseloads():
    churn = {"workforce": {"turnover": {"annual_rate": 0.6}}}
    retained = merged(churn, {"policy": [{"do": "retention", "after_days": 0,
                                          "turnover_multiplier": 0.4}]})
    arms = both(retained, churn)
    assert_higher(*compare(arms, period_total("leavers")), usually=0.8)
    assert_higher(*compare(arms, level_mean("caseload_mean")))


# --- allocation and agency -------------------------------------------------------------------------

def test_a_hard_cap_instead_of_a_soft_one_means_nobody_over_cap_more_waiting_longer_waits():
    arms = both(merged(OVERLOADED, {"allocation": {"when_full": "overallocate"}}),
                merged(OVERLOADED, {"allocation": {"when_full": "queue"}}))
    soft_over, hard_over = compare(arms, lambda r: series(r, "over_cap_share").max())
    assert np.all(hard_over == 0) and np.all(soft_over > 0)
    assert_higher(*compare(arms, level_mean("unallocated")), usually=1.0)
    assert_higher(*compare(arms, mean_wait), usually=1.0)


def test_more_agency_cover_means_fewer_uncovered_vacancies_lower_caseloads_higher_agency_cost():
    arms = both(merged(CHURN, {"workforce": {"agency": {"cover": 0.2}}}),
                merged(CHURN, {"workforce": {"agency": {"cover": 0.9}}}))
    more_uncovered, fewer_uncovered = compare(arms, uncovered_vacancies)
    assert_higher(fewer_uncovered, more_uncovered, usually=0.8)
    higher, lower = compare(arms, level_mean("caseload_mean"))
    assert_higher(lower, higher, usually=0.7)
    assert_higher(*compare(arms, period_total("cost_agency")), usually=0.8)


@pytest.mark.parametrize("share", [0.25, 0.5])
def test_diverting_a_share_of_referrals_means_proportionally_fewer_reach_assessment(share):
    still = {"workforce": STILL_WORKFORCE}
    diverted = merged(still, {"policy": [{"do": "divert_referrals", "after_days": 0,
                                          "share": share}]})
    arms = both(still, diverted, reps=4)
    for metric in ("referrals", "allocations"):
        all_of_them, fewer = compare(arms, period_total(metric))
        n, kept = all_of_them.sum(), fewer.sum()
        # common random numbers: the diverted referrals are a binomial thinning of the same ones
        assert abs(kept - (1 - share) * n) < 4 * math.sqrt(n * share * (1 - share)), metric
        assert np.all(fewer <= all_of_them)


# --- costs -----------------------------------------------------------------------------------------

FOREVER = {"dist": "fixed", "value": 1e9}  # no placement ends, even part-way through one


def financial_year(start: dt.date, day: float) -> int:
    """The financial year (April-March, named by its first calendar year) of a day of the run."""
    date = start + dt.timedelta(days=day)
    return date.year if date.month >= 4 else date.year - 1


def test_costs_add_up_by_financial_year_to_the_rates_times_the_days():
    """A still council (no referrals, endless placements, nobody joins or leaves), sampled daily
    from October: each financial year's costs are the daily rates times its days in the run."""
    start = dt.date(2020, 10, 1)
    costs = {"salary_per_year": {"sw": 36525.0, "senior": 43830.0, "manager": 54787.5},
             "on_cost_share": 0.2, "agency_premium_per_year": 18262.5, "recruitment_per_hire": 999,
             "placements": {"foster": {"share": 0.75, "weekly": 700.0},
                            "residential": {"share": 0.25, "weekly": 2800.0}}}
    sc = scenario({
        "start": start.isoformat(), "years": 1.6, "report_every_days": 1,
        "demand": {"referrals_per_year": 0, "cla": {"duration_days": FOREVER}},
        "workforce": merged(STILL_WORKFORCE, {
            "establishment": 12, "agency_in_post": 2, "agency": {"cover": 0.0},
            "levels": {"sw": {"in_post": 7}, "senior": {"in_post": 3}},
            "recruitment": {"success": 1e-9}}),
        "managers": {"establishment": 2, "in_post": 2, "annual_turnover": 0.0},
        "initial": {"open": {**NO_STOCK["open"], "cla": 40}},
        "costs": costs,
    }, base=without(BASE, "workforce"))
    replication = run_replication(sc, 0, 1)
    per_day = {
        "cost_staff": 1.2 * (7 * 36525.0 + 3 * 43830.0 + 2 * 54787.5) / 365.25,
        "cost_agency": 2 * (1.2 * 36525.0 + 18262.5) / 365.25,
        "cost_recruitment": 0.0,
        "cost_placements": 40 * (0.75 * 700.0 + 0.25 * 2800.0) / 7,
    }
    days = replication.days
    years = np.array([financial_year(start, math.ceil(day) - 1) for day in days[1:]])
    for metric, rate in per_day.items():
        by_year = {year: series(replication, metric)[1:][years == year].sum()
                   for year in np.unique(years)}
        assert sum(by_year.values()) == pytest.approx(series(replication, metric).sum())
        for year, amount in by_year.items():
            days_in_run = np.diff(days)[years == year].sum()  # the last period is 0.4 days
            assert amount == pytest.approx(rate * days_in_run, rel=1e-9, abs=1e-6), (metric, year)
    assert np.unique(years).tolist() == [2020, 2021, 2022]


def test_placement_costs_follow_the_looked_after_children_day_by_day():
    """A busy council: £ placements = weekly mix price x child-weeks looked after."""
    sc = scenario({"report_every_days": 1, "years": 1,
                   "demand": {"cla": {"duration_days": {"dist": "exponential", "mean": 60}}}})
    replication = run_replication(sc, 0, 1)
    weekly = sum(p.share * p.weekly for p in sc.costs.placements.values())
    cla = series(replication, "open_cla")
    child_days = (cla[1:] + cla[:-1]) / 2  # trapezoid between daily samples
    assert series(replication, "cost_placements")[1:].sum() == pytest.approx(
        weekly / 7 * child_days.sum(), rel=0.01)


def test_recruitment_cost_is_the_price_of_a_hire_times_the_starters_and_manager_hires():
    sc = scenario({"managers": {"establishment": 4, "in_post": 2, "annual_turnover": 0.0,
                                "time_to_hire_days": {"dist": "fixed", "value": 30}}, **CHURN})
    for replication in runs(sc, 2):
        hires = series(replication, "starters").sum() + 2  # two manager vacancies filled by day 30
        assert series(replication, "cost_recruitment").sum() == pytest.approx(
            sc.costs.recruitment_per_hire * hires)


# --- scale -----------------------------------------------------------------------------------------

def scaled(k: int) -> dict:
    """BASE with every count and rate times k."""
    open_cases = BASE["initial"]["open"]
    return {
        "demand": {"referrals_per_year": k * BASE["demand"]["referrals_per_year"]},
        "workforce": {"establishment": k * 40, "agency_in_post": k * 2,
                      "levels": {"nqsw": {"in_post": k * 6}, "sw": {"in_post": k * 28}}},
        "initial": {"open": {stage: k * n for stage, n in open_cases.items()}},
    }


def test_scaling_a_council_leaves_caseloads_and_shares_about_the_same():
    statistics = {
        "caseload": (level_mean("caseload_mean"), "rel", 0.10),
        "filled share": (lambda r: np.mean(series(r, "staff_permanent")
                                           / series(r, "establishment")), "abs", 0.05),
        "agency share": (lambda r: np.mean(series(r, "staff_agency") / holders(r)), "abs", 0.05),
        "over-cap share": (level_mean("over_cap_share"), "abs", 0.05),
    }
    small, large = (runs(scenario(merged({"years": 1}, scaled(k))), 6) for k in (1, 3))
    for name, (statistic, kind, tolerance) in statistics.items():
        expected = np.median(per_rep(small, statistic))
        assert np.median(per_rep(large, statistic)) == pytest.approx(
            expected, **{kind: tolerance}), name
