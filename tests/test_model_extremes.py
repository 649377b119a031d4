"""The model at the edges of its parameters, where the answer is known without any simulation."""
from __future__ import annotations

import numpy as np
import pytest
from builders import (
    BASE,
    NO_STOCK,
    STILL_WORKFORCE,
    holders,
    run_replication,
    runs,
    scenario,
    series,
    without,
)

from sim.model.metrics import COST_METRICS, PERIOD_METRICS

FIXED_SHORT = {  # every stage lasts at most 30 days and then closes the case
    "assessment": {"duration_days": {"dist": "fixed", "value": 20}, "outcome": {"close": 1.0}},
    "cin": {"duration_days": {"dist": "fixed", "value": 30}, "next": {"close": 1.0}},
    "cp": {"duration_days": {"dist": "fixed", "value": 30}, "next": {"close": 1.0}},
    "cla": {"duration_days": {"dist": "fixed", "value": 30}, "next": {"close": 1.0}},
}


def test_without_referrals_open_cases_never_rise_and_drain_away():
    sc = scenario({"years": 3, "demand": {"referrals_per_year": 0}})
    for replication in runs(sc, 2):
        open_cases = series(replication, "open_cases")
        assert np.all(np.diff(open_cases) <= 0)
        assert open_cases[-1] < 0.5 * open_cases[0]
        assert series(replication, "referrals").sum() == 0
        assert series(replication, "allocations").sum() == 0


def test_without_referrals_a_stock_of_short_fixed_stages_is_gone_after_the_longest_stage():
    """Starting cases are part-way through stages of at most 30 days that all close the case."""
    sc = scenario({"years": 0.5, "demand": {"referrals_per_year": 0, **FIXED_SHORT},
                   "initial": {"unallocated": 30}})
    replication = run_replication(sc, 0, 1)
    open_cases, days = series(replication, "open_cases"), replication.days
    assert open_cases[0] == 600 + 30
    # the 30 waiting referrals start a 20-day assessment at allocation (day 0)
    assert np.all(open_cases[days > 30] == 0)
    assert np.all(series(replication, "caseload_mean")[days > 30] == 0)
    assert np.all(series(replication, "open_cla")[days > 30] == 0)
    assert np.all(series(replication, "cost_placements")[days > 30 + sc.report_every_days] == 0)


def test_without_turnover_or_vacancies_the_permanent_staff_never_change():
    sc = scenario({"workforce": {"establishment": 34, "agency_in_post": 0,
                                 "turnover": {"annual_rate": 0.0}}})
    for replication in runs(sc, 2):
        assert np.all(series(replication, "staff_permanent") == 34)
        assert np.all(series(replication, "establishment") == 34)
        assert np.all(series(replication, "vacancies") == 0)
        for metric in ("leavers", "starters", "cost_recruitment", "staff_agency"):
            assert np.all(series(replication, metric) == 0), metric
        assert np.all(series(replication, "turnover_12m")[1:] == 0)  # undefined on day 0


@pytest.mark.parametrize("when_full", ["overallocate", "queue"])
def test_unlimited_caps_leave_no_case_waiting_and_nobody_over_cap(when_full):
    sc = scenario({
        "demand": {"referrals_per_year": 3000},
        "workforce": {"levels": {"nqsw": {"cap": 1000}, "sw": {"cap": 1000}},
                      "agency": {"cap": 1000}, "turnover": {"annual_rate": 0.5}},
        "allocation": {"when_full": when_full},
        "initial": {"unallocated": 50},
    })
    for replication in runs(sc, 2):
        assert np.all(holders(replication) > 0)
        assert np.all(series(replication, "unallocated") == 0)
        assert np.all(series(replication, "over_cap_share") == 0)
        waits = series(replication, "wait_days_mean")
        assert np.all(waits[np.isfinite(waits)] == 0)


@pytest.mark.parametrize("when_full", ["overallocate", "queue"])
def test_without_anyone_in_post_every_open_case_waits(when_full):
    sc = scenario({
        "workforce": {"establishment": 0, "levels": {"sw": {"in_post": 0}}, "agency_in_post": 0},
        "allocation": {"when_full": when_full},
    }, base=without(BASE, "workforce"))
    replication = run_replication(sc, 0, 1)
    assert np.array_equal(series(replication, "unallocated"), series(replication, "open_cases"))
    assert np.all(np.isnan(series(replication, "caseload_mean")))
    for metric in ("allocations", "staff_permanent", "staff_agency", "cost_staff", "cost_agency"):
        assert np.all(series(replication, metric) == 0), metric


def test_zero_pay_rates_give_zero_staff_cost():
    sc = scenario({
        "managers": {"establishment": 5, "in_post": 4},
        "costs": {"salary_per_year": {"nqsw": 0, "sw": 0, "senior": 0, "manager": 0},
                  "on_cost_share": 0.0},
        "policy": [{"do": "add_posts", "after_days": 100, "count": 5, "managers": 2}],
    })
    for replication in runs(sc, 2):
        assert np.all(series(replication, "cost_staff") == 0)
        assert series(replication, "cost_agency").sum() > 0  # the agency premium is still paid


def test_zero_agency_and_recruitment_rates_give_zero_agency_and_recruitment_cost():
    sc = scenario({"costs": {"salary_per_year": {"sw": 0}, "agency_premium_per_year": 0,
                             "recruitment_per_hire": 0}})
    for replication in runs(sc, 2):
        assert series(replication, "staff_agency").max() > 0
        assert series(replication, "starters").sum() > 0
        assert np.all(series(replication, "cost_agency") == 0)
        assert np.all(series(replication, "cost_recruitment") == 0)


def test_without_looked_after_children_placements_cost_nothing():
    sc = scenario({
        "demand": {"assessment": {"outcome": {"close": 0.5, "cin": 0.35, "cp": 0.15}},
                   "cp": {"next": {"cin": 0.7, "close": 0.3}}},
        "initial": {"open": {"cla": 0}},
        "effects": {"cla_escalation": 5.0},  # escalates only a probability that is 0
    })
    for replication in runs(sc, 2):
        assert np.all(series(replication, "open_cla") == 0)
        assert np.all(series(replication, "cost_placements") == 0)


def test_free_placements_cost_nothing_even_with_children_looked_after():
    placements = {name: {"share": share, "weekly": 0.0}
                  for name, share in (("foster", 0.5), ("residential", 0.5))}
    replication = run_replication(scenario({"costs": {"placements": placements}}), 0, 1)
    assert series(replication, "open_cla").min() > 0
    assert np.all(series(replication, "cost_placements") == 0)


@pytest.mark.parametrize("changes", [
    {"agency": {"cover": 0.0}, "agency_in_post": 0},
    {"agency": {"cover": 1.0, "max_share": 0.0}, "agency_in_post": 0},
])
def test_without_agency_cover_nobody_is_agency(changes):
    sc = scenario({"workforce": {"turnover": {"annual_rate": 0.5}, **changes},
                   "policy": [{"do": "add_posts", "after_days": 50, "count": 10}]})
    for replication in runs(sc, 2):
        assert series(replication, "vacancies").max() > 0
        for metric in ("staff_agency", "agency_share", "cost_agency"):
            assert np.all(series(replication, metric) == 0), metric


@pytest.mark.parametrize("vacancies_from", ["posts added on day 0", "the starting state"])
def test_full_agency_cover_covers_every_vacancy_after_the_agency_start_delay(vacancies_from):
    """cover 1, no ceiling, nobody leaves, no campaign ever fills a post."""
    workforce = {"establishment": 30, "levels": {"sw": {"in_post": 20}}, "agency_in_post": 0,
                 "agency": {"cover": 1.0, "max_share": 1.0, "annual_turnover": 0.0,
                            "start_days": {"dist": "fixed", "value": 14}},
                 "turnover": {"annual_rate": 0.0},
                 "recruitment": {"success": 1e-9}}  # campaigns never succeed
    policy = []
    if vacancies_from == "posts added on day 0":
        workforce["establishment"] = 20
        policy = [{"do": "add_posts", "after_days": 0, "count": 10}]
    sc = scenario({"years": 0.5, "workforce": workforce, "policy": policy},
                  base=without(BASE, "workforce"))
    replication = run_replication(sc, 0, 1)
    after = replication.days > 14
    assert np.all(series(replication, "vacancies")[replication.days > 0] == 10)
    assert np.all(series(replication, "staff_agency")[after] == 10)


def test_a_horizon_shorter_than_the_report_interval_gives_the_starting_sample_and_the_horizon():
    sc = scenario({"years": 0.05, "report_every_days": 30})
    replication = run_replication(sc, 0, 1)
    assert replication.days.tolist() == [0.0, 0.05 * 365.25]
    assert series(replication, "open_cases")[0] == 600
    for metric in PERIOD_METRICS | set(COST_METRICS):
        assert series(replication, metric)[0] == 0
    assert series(replication, "cost_staff")[1] > 0  # the one period: the whole run


def test_everybody_diverted_means_no_referral_reaches_social_care():
    sc = scenario({"initial": NO_STOCK, "workforce": STILL_WORKFORCE,
                   "policy": [{"do": "divert_referrals", "after_days": 0, "share": 1.0}]})
    replication = run_replication(sc, 0, 1)
    assert series(replication, "diverted").sum() > 0
    for metric in ("referrals", "open_cases", "allocations", "cost_placements"):
        assert np.all(series(replication, metric) == 0), metric
