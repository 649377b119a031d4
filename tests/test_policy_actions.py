"""One test per dated policy action: it does what docs/scenarios.md says from its date, and nothing
before it (the same seed without the action gives bit-identical samples before the action's date).
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
    identical_before,
    merged,
    run_replication,
    scenario,
    series,
    total,
    without,
)

from sim.model.council import Council

DAY = 182  # the actions' date: a sample day (26 weeks after start)
MONTH = 365.25 / 12
NEVER_FILLED = {"success": 1e-9}  # recruitment campaigns that never fill a post


def arms(changes: dict, *actions: dict, base: dict | None = None, rep: int = 0, seed: int = 1):
    """The same replication without and with the dated actions (common random numbers)."""
    without_policy = scenario(changes, base=base)
    with_policy = scenario(merged(changes, {"policy": list(actions)}), base=base)
    return run_replication(without_policy, rep, seed), run_replication(with_policy, rep, seed)


def at(action: str, **keys) -> dict:
    return {"do": action, "after_days": DAY, **keys}


def after(replication, day: float = DAY) -> np.ndarray:
    return replication.days > day


def assert_unchanged_before_the_date(baseline, policy, day: float = DAY) -> None:
    assert identical_before(baseline, policy, day), "the action changed samples before its date"
    assert not np.array_equal(baseline.values, policy.values, equal_nan=True), "no effect at all"


def test_an_action_at_a_date_is_the_action_that_many_days_after_start():
    start = dt.date.fromisoformat(BASE["start"])
    dated = {"do": "add_posts", "at": (start + dt.timedelta(days=DAY)).isoformat(), "count": 5}
    _, by_date = arms({}, dated)
    _, by_days = arms({}, at("add_posts", count=5))
    assert np.array_equal(by_date.values, by_days.values, equal_nan=True)


def state_at_samples(sc, state) -> dict[float, object]:
    """`state(council)` as each sample of replication 0 (seed 1) sees it, by sample day."""
    council = Council(sc, 0, 1)
    sample, seen = council.recorder._sample, {}

    def spying() -> None:
        seen[council.now] = state(council)
        sample()

    council.recorder._sample = spying
    council.run()
    return seen


MANAGED = {"managers": {"establishment": 3, "in_post": 3}}


@pytest.mark.parametrize("action, state, before, then", [
    (at("add_posts", count=10), lambda c: c.workforce.establishment, 40, 50),
    (at("add_posts", count=10, over_months=4), lambda c: c.workforce.establishment, 40, 43),
    (at("add_posts", managers=2, over_months=2), lambda c: c.managers.establishment, 3, 4),
    (at("hire_to_caseload", target=12),
     lambda c: c.workforce.establishment >= math.ceil(c.pathway.open_cases / 12), False, True),
    (at("set_cap", cap=8), lambda c: c.workforce.caps["sw"], 20, 8),
    (at("set_agency", max_share=0.3), lambda c: c.workforce.max_share, 1.0, 0.3),
    (at("retention", turnover_multiplier=0.5), lambda c: c.turnover.retention, 1.0, 0.5),
])
def test_every_workforce_action_is_in_force_in_the_sample_of_its_day(action, state, before, then):
    """An action dated on a sample day shows in that day's sample (the first step of a phased one).
    Referral actions shape the arrivals after their day: they show from the next period on."""
    seen = state_at_samples(scenario(merged(STILL, {**MANAGED, "policy": [action]})), state)
    assert seen[DAY - 7] == before
    assert seen[DAY] == then

STILL = {"workforce": merged(STILL_WORKFORCE, {  # nobody leaves; every campaign takes 60 days
    "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": 60}}})}


def test_add_posts_count_raises_the_establishment_and_the_new_posts_are_filled():
    baseline, policy = arms(STILL, at("add_posts", count=10))
    assert_unchanged_before_the_date(baseline, policy)
    establishment = series(policy, "establishment")
    assert np.all(establishment[policy.days < DAY] == 40)
    assert np.all(establishment[policy.days >= DAY] == 50)  # in the sample of its day
    # nobody leaves and every campaign takes 60 days: all 50 posts are filled 60 days later
    assert np.all(series(policy, "staff_permanent")[after(policy, DAY + 60)] == 50)
    assert np.all(series(baseline, "staff_permanent")[after(baseline, DAY + 60)] == 40)


@pytest.mark.parametrize("share, change", [(0.25, 10), (-0.25, -10), (0.5, 20)])
def test_add_posts_share_changes_the_establishment_by_that_share_of_it(share, change):
    baseline, policy = arms(STILL, at("add_posts", share=share))
    assert_unchanged_before_the_date(baseline, policy)
    assert np.all(series(policy, "establishment")[after(policy)] == 40 + change)


@pytest.mark.parametrize("count, months", [(10, 4), (-6, 3), (7, 1)])
def test_add_posts_over_months_changes_the_establishment_in_equal_monthly_steps(count, months):
    changes = merged(STILL, {"workforce": {"recruitment": NEVER_FILLED}})  # 6 vacancies stay open
    baseline, policy = arms(changes, at("add_posts", count=count, over_months=months))
    assert_unchanged_before_the_date(baseline, policy)
    establishment = series(policy, "establishment")
    steps = np.diff(establishment)
    rises = np.flatnonzero(steps)
    assert establishment[-1] - establishment[0] == count
    assert len(rises) == months
    sizes = {abs(s) for s in steps[rises]}
    assert sizes <= {abs(count) // months, -(-abs(count) // months)}
    when = policy.days[rises + 1]
    assert when[0] == DAY  # the first step is in the sample of the action's day
    assert np.all((np.diff(when) >= MONTH - 7) & (np.diff(when) <= MONTH + 7))


@pytest.mark.parametrize("count, agency_after", [(-4, 2), (-6, 0)])
def test_removing_posts_closes_uncovered_vacancies_first(count, agency_after):
    """40 posts, 34 filled, 6 vacant of which 2 covered by agency workers, nobody recruited."""
    changes = merged(STILL, {"workforce": {"recruitment": NEVER_FILLED}})
    baseline, policy = arms(changes, at("add_posts", count=count))
    assert_unchanged_before_the_date(baseline, policy)
    later = after(policy)
    assert np.all(series(policy, "establishment")[later] == 40 + count)
    assert np.all(series(policy, "vacancies")[later] == 6 + count)
    assert np.all(series(policy, "staff_agency")[later] == agency_after)
    assert np.all(series(policy, "staff_permanent") == 34)


def test_removing_filled_posts_dismisses_nobody():
    """All 40 posts are filled by the date; 10 of them go only when their holders leave."""
    baseline, policy = arms(STILL, at("add_posts", count=-10))
    assert_unchanged_before_the_date(baseline, policy)
    later = after(policy)
    assert np.all(series(policy, "establishment")[later] == 30)
    assert np.all(series(policy, "vacancies")[later] == 0)
    assert np.array_equal(series(policy, "staff_permanent"), series(baseline, "staff_permanent"))
    assert np.all(series(policy, "staff_permanent")[later] == 40)


def test_add_posts_managers_recruits_that_many_more_team_managers():
    changes = {"managers": {"establishment": 3, "in_post": 3, "annual_turnover": 0.0,
                            "time_to_hire_days": {"dist": "fixed", "value": 30}},
               "workforce": STILL_WORKFORCE}
    baseline, policy = arms(changes, at("add_posts", managers=2))
    assert_unchanged_before_the_date(baseline, policy)
    managers = series(policy, "managers")
    assert np.all(managers[policy.days <= DAY + 30] == 3)
    assert np.all(managers[after(policy, DAY + 30)] == 5)
    assert np.array_equal(series(policy, "establishment"), series(baseline, "establishment"))
    extra = total(policy, "cost_recruitment") - total(baseline, "cost_recruitment")
    assert extra == pytest.approx(2 * scenario(changes).costs.recruitment_per_hire)


# --- hire_to_caseload ------------------------------------------------------------------------------

@pytest.mark.parametrize("target, months", [(12, 0), (10, 3)])
def test_hire_to_caseload_sets_the_establishment_to_open_cases_over_the_target(target, months):
    baseline, policy = arms(STILL, at("hire_to_caseload", target=target, over_months=months))
    assert_unchanged_before_the_date(baseline, policy)
    open_at_date = series(policy, "open_cases")[policy.days == DAY][0]
    wanted = math.ceil(open_at_date / target)
    assert wanted > 40, "the target should call for more posts"
    establishment = series(policy, "establishment")
    done = after(policy, DAY + max(0, months - 1) * MONTH)
    assert np.all(establishment[done] == wanted)
    assert np.all(np.diff(establishment) >= 0)


def test_hire_to_caseload_never_lowers_the_establishment():
    baseline, policy = arms(STILL, at("hire_to_caseload", target=200))
    assert np.array_equal(baseline.values, policy.values, equal_nan=True)


# --- set_cap ---------------------------------------------------------------------------------------

ASSESS_AND_CLOSE = {"duration_days": {"dist": "fixed", "value": 20}, "outcome": {"close": 1.0}}
SMALL_TEAM = {  # 10 workers, every case a 20-day assessment: about 13 cases per worker
    "demand": {"referrals_per_year": 2600, "assessment": ASSESS_AND_CLOSE},
    "workforce": merged(STILL_WORKFORCE, {"establishment": 10, "agency_in_post": 0,
                                          "levels": {"nqsw": {"in_post": 2}, "sw": {"in_post": 8}}}),
    "initial": {"open": {"assessment": 100, "cin": 0, "cp": 0, "cla": 0}},
}


def over_cap_count(replication) -> np.ndarray:
    return np.round(series(replication, "over_cap_share") * holders(replication))


@pytest.mark.parametrize("rule, new_caps", [
    ("queue", {"caps": {"nqsw": 6, "sw": 8}}),
    ("overallocate", {"cap": 8, "when_full": "queue"}),
])
def test_set_cap_with_a_hard_cap_keeps_caseloads_within_the_new_caps_after_its_date(rule, new_caps):
    """Nobody over a lowered hard cap gets a new case; once the older cases close, nobody is over."""
    changes = merged(SMALL_TEAM, {"allocation": {"when_full": rule},
                                  "workforce": {"levels": {"nqsw": {"cap": 15}, "sw": {"cap": 20}}}})
    baseline, policy = arms(changes, at("set_cap", **new_caps), base=without(BASE, "workforce"))
    assert_unchanged_before_the_date(baseline, policy)
    over = over_cap_count(policy)
    since = policy.days >= DAY
    assert over[since][0] > 0, "the new caps should be below some caseloads at the date"
    assert np.all(np.diff(over[since]) <= 0)
    settled = after(policy, DAY + 20)  # every case allocated before the date has closed
    assert np.all(over[settled] == 0)
    assert np.all(series(policy, "caseload_p90")[settled] <= 8)
    assert np.all(series(policy, "unallocated")[settled] > 0)


def test_set_cap_raising_a_hard_cap_lets_waiting_cases_be_allocated():
    changes = merged(SMALL_TEAM, {"allocation": {"when_full": "queue"},
                                  "workforce": {"levels": {"nqsw": {"cap": 6}, "sw": {"cap": 8}}}})
    baseline, policy = arms(changes, at("set_cap", caps={"nqsw": 20, "sw": 20}),
                            base=without(BASE, "workforce"))
    assert_unchanged_before_the_date(baseline, policy)
    # at the date, before the action, the policy run is where the baseline run is
    date = policy.days == DAY
    was_waiting = series(baseline, "unallocated")[date][0]
    was_held = series(baseline, "open_cases")[date][0] - was_waiting
    room = 20 * holders(baseline)[date][0] - was_held
    assert was_waiting > room > 0
    assert series(policy, "unallocated")[date][0] == was_waiting - room  # filled up at once
    since = policy.days >= DAY
    assert np.all(series(policy, "unallocated")[since] < series(baseline, "unallocated")[since])
    assert np.all(series(policy, "over_cap_share")[since] == 0)


# --- set_agency ------------------------------------------------------------------------------------

NO_AGENCY_YET = {"workforce": merged(STILL_WORKFORCE, {  # 10 vacancies that are never filled
    "establishment": 40, "agency_in_post": 0, "agency": {"cover": 0.0},
    "levels": {"nqsw": {"in_post": 6}, "sw": {"in_post": 24}}, "recruitment": NEVER_FILLED})}


def test_set_agency_raising_cover_puts_agency_workers_on_the_uncovered_vacancies():
    baseline, policy = arms(NO_AGENCY_YET, at("set_agency", cover=1.0),
                            base=without(BASE, "workforce"))
    assert_unchanged_before_the_date(baseline, policy)
    assert np.all(series(baseline, "staff_agency") == 0)
    agency = series(policy, "staff_agency")
    assert np.all(agency[policy.days <= DAY] == 0)
    assert np.all(agency[after(policy, DAY + 14)] == 10)  # every vacancy, after the 14-day start


@pytest.mark.parametrize("release, agency_after", [(True, 3), (False, 10)])
def test_set_agency_release_excess_brings_agency_down_to_the_new_share_at_once(release,
                                                                               agency_after):
    """30 permanent and 10 agency workers; a 10% ceiling leaves floor(0.1 x 30 / 0.9) = 3."""
    changes = merged(NO_AGENCY_YET, {"workforce": {"agency_in_post": 10}})
    baseline, policy = arms(changes, at("set_agency", max_share=0.1, release_excess=release),
                            base=without(BASE, "workforce"))
    assert identical_before(baseline, policy, DAY)
    agency = series(policy, "staff_agency")
    assert np.all(agency[policy.days < DAY] == 10)
    assert np.all(agency[policy.days >= DAY] == agency_after)


# --- retention -------------------------------------------------------------------------------------

def test_retention_multiplier_zero_stops_resignations_from_its_date():
    """Leavers already on notice still go: none leave once the 30-day notice has run out."""
    changes = {"workforce": {"turnover": {"annual_rate": 0.6,
                                          "notice_days": {"dist": "fixed", "value": 30}}}}
    baseline, policy = arms(changes, at("retention", turnover_multiplier=0.0))
    assert_unchanged_before_the_date(baseline, policy)
    since = DAY + 30 + 7  # samples whose whole period comes after the last notice ran out
    assert total(baseline, "leavers", since) > 0
    assert total(policy, "leavers", since) == 0
    assert np.all(np.diff(series(policy, "staff_permanent")[policy.days >= DAY + 30]) >= 0)


# --- divert_referrals and set_referrals ------------------------------------------------------------

DEMAND_ONLY = {"workforce": STILL_WORKFORCE, "initial": NO_STOCK,
               "demand": {"referrals_per_year": 2000}}


def test_divert_referrals_sends_that_share_of_referrals_to_early_help_from_its_date():
    share, pairs = 0.5, [arms(DEMAND_ONLY, at("divert_referrals", share=0.5), rep=rep)
                         for rep in range(3)]
    diverted = reached = 0.0
    for baseline, policy in pairs:
        assert_unchanged_before_the_date(baseline, policy)
        assert np.all(series(policy, "diverted")[policy.days <= DAY] == 0)
        # the same referrals arrive; each either reaches social care or is diverted
        assert np.array_equal(series(policy, "referrals") + series(policy, "diverted"),
                              series(baseline, "referrals"))
        diverted += total(policy, "diverted", DAY)
        reached += total(policy, "referrals", DAY)
    arrived = diverted + reached
    assert abs(diverted - share * arrived) < 4 * math.sqrt(arrived * share * (1 - share))


def poisson_ok(count: float, expected: float) -> bool:
    return abs(count - expected) < 4 * math.sqrt(expected)


def test_set_referrals_doubling_the_rate_doubles_the_referrals_after_its_date():
    rate, years = 2000, 1.0
    changes = merged(DEMAND_ONLY, {"years": years})
    pairs = [arms(changes, at("set_referrals", referrals_per_year=2 * rate), rep=rep)
             for rep in range(3)]
    before = sum(total(p, "referrals", until=DAY) for _, p in pairs)
    later = sum(total(p, "referrals", DAY) for _, p in pairs)
    last = pairs[0][1].days[-1]
    assert poisson_ok(before, 3 * rate * DAY / 365.25)
    assert poisson_ok(later, 3 * 2 * rate * (last - DAY) / 365.25)


def test_set_referrals_growth_compounds_from_the_rate_at_its_date():
    rate, growth, years = 2000, 0.8, 1.5
    changes = merged(DEMAND_ONLY, {"years": years})
    policies = [arms(changes, at("set_referrals", growth_per_year=growth), rep=rep)[1]
                for rep in range(3)]
    last = policies[0].days[-1]
    span_years = (last - DAY) / 365.25
    compounded = rate * (math.pow(1 + growth, span_years) - 1) / math.log(1 + growth)
    assert poisson_ok(sum(total(p, "referrals", DAY) for p in policies), 3 * compounded)


@pytest.mark.parametrize("keys", [
    {"referrals_per_year": 1000},
    {"referrals_per_year": 4000},
    {"growth_per_year": 0.5},
])
def test_set_referrals_changes_nothing_before_its_date(keys):
    baseline, policy = arms(DEMAND_ONLY, at("set_referrals", **keys))
    assert_unchanged_before_the_date(baseline, policy)
