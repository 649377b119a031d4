"""Properties of every replication of randomly generated valid small councils (hypothesis).

The councils draw any of the six duration families, random outcome tables, levels, caps, hard or
soft allocation, agency rules, managers, costs and dated policy actions of every kind, over at most
1.5 years. Every sample must keep the books: cases and people are conserved, nothing is negative,
hard caps hold while caps never fall, costs add up over periods, the same seed gives the same
arrays, and no policy action shows before its date.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.metrics import COST_METRICS, MAY_BE_NAN, METRIC_INDEX, METRIC_NAMES
from sim.model.council import run_replication
from sim.scenario.loading import Scenario

START = dt.date(2021, 4, 1)
LEVEL_NAMES = ("nqsw", "sw", "senior")
STAGES = ("assessment", "cin", "cp", "cla")
POSTS_ACTIONS = ("add_posts", "hire_to_caseload")
PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True,
                             suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.data_too_large])


# --- strategies ----------------------------------------------------------------------------------

def distributions(low: float = 0.5, high: float = 200.0, fixed_only: bool = False):
    """Any of the six duration families, with a mean roughly in [low, high] days."""
    means = st.floats(max(low, 0.01), high)  # a mean must be > 0; a fixed value may be 0
    cvs = st.floats(0.1, 3.0)
    fixed = st.builds(lambda v: {"dist": "fixed", "value": v}, st.floats(low, high))
    if fixed_only:
        return fixed
    return st.one_of(
        fixed,
        st.builds(lambda m: {"dist": "exponential", "mean": m}, means),
        st.builds(lambda m, cv: {"dist": "gamma", "mean": m, "cv": cv}, means, cvs),
        st.builds(lambda m, cv: {"dist": "lognormal", "mean": m, "cv": cv}, means, cvs),
        st.builds(lambda a, b: {"dist": "uniform", "low": a, "high": a + b},
                  st.floats(0, high), st.floats(0, high)),
        st.lists(st.tuples(st.floats(0, 2 * high), st.integers(0, 5)), min_size=1, max_size=4)
        .filter(lambda pairs: any(w for _, w in pairs))
        .map(lambda pairs: {"dist": "empirical", "values": [v for v, _ in pairs],
                            "weights": [float(w) for _, w in pairs]}),
    )


@st.composite
def tables(draw, close_at_least: int = 0) -> dict[str, float]:
    """An outcome or `next` table: close, cin, cp, cla probabilities summing to 1. A plan's `next`
    table keeps some chance of closing (`close_at_least` > 0): durations may be 0, and a pathway
    whose plans never close can cycle through zero-day stages without end."""
    weights = [draw(st.integers(close_at_least, 4))] + [draw(st.integers(0, 4)) for _ in range(3)]
    if not any(weights):
        weights[draw(st.integers(0, 3))] = 1
    return {name: w / sum(weights) for name, w in zip(("close", "cin", "cp", "cla"), weights,
                                                       strict=True) if w}


def _when(draw, horizon_days: int) -> dict:
    day = draw(st.integers(0, horizon_days))
    if draw(st.booleans()):
        return {"after_days": day}
    return {"at": (START + dt.timedelta(days=day)).isoformat()}


def _cap_action(draw, caps: dict[str, float], keep_hard: bool) -> dict:
    """A set_cap action; with `keep_hard` caps never fall, nqsw <= sw, and the rule stays hard."""
    if keep_hard:
        cap = max(caps.values()) + draw(st.integers(0, 5))
        caps.update(dict.fromkeys(LEVEL_NAMES, cap))
        return {"do": "set_cap", "cap": cap, "when_full": draw(st.sampled_from([None, "queue"]))}
    rule = draw(st.sampled_from([None, "queue", "overallocate"]))
    if draw(st.booleans()):
        return {"do": "set_cap", "cap": draw(st.integers(1, 30)), "when_full": rule}
    levels = draw(st.lists(st.sampled_from(LEVEL_NAMES), min_size=1, max_size=3, unique=True))
    return {"do": "set_cap", "caps": {lv: draw(st.integers(1, 30)) for lv in levels},
            "when_full": rule}


def _action(draw, kind: str, establishment: int, shrink: bool) -> dict:
    """One action of `kind` (anything but set_cap) with random settings."""
    months = st.integers(0, 6)
    if kind == "add_posts":
        low = -establishment if shrink else 0
        if draw(st.booleans()):
            return {"do": kind, "count": draw(st.integers(low, 10)),
                    "over_months": draw(months), "managers": draw(st.integers(0, 2))}
        return {"do": kind, "share": draw(st.floats(-1.0 if shrink else 0.0, 1.0)),
                "over_months": draw(months)}
    if kind == "hire_to_caseload":
        return {"do": kind, "target": draw(st.floats(1, 30)), "over_months": draw(months)}
    if kind == "set_agency":
        action = {"do": kind, "release_excess": draw(st.booleans())}
        cover, share = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
        if cover:
            action["cover"] = draw(st.floats(0, 1))
        if share:
            action["max_share"] = draw(st.floats(0, 1))
        return action
    if kind == "retention":
        return {"do": kind, "turnover_multiplier": draw(st.floats(0, 3))}
    if kind == "divert_referrals":
        return {"do": kind, "share": draw(st.floats(0, 1))}
    rate = draw(st.one_of(st.none(), st.floats(0, 3000)))
    growth = draw(st.floats(-0.9, 1)) if rate is None else draw(st.one_of(st.none(),
                                                                         st.floats(-0.9, 1)))
    return {"do": kind, "referrals_per_year": rate, "growth_per_year": growth}


KINDS = ("add_posts", "hire_to_caseload", "set_cap", "set_agency", "retention",
         "divert_referrals", "set_referrals")


@st.composite
def policies(draw, horizon_days: int, establishment: int, caps: dict[str, float],
             keep_hard: bool, shrink: bool) -> list[dict]:
    """Dated actions of every kind, in order of time (set_cap caps rise along that order)."""
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=6))
    whens = sorted((_when(draw, horizon_days) for _ in kinds), key=_day_of)
    actions = []
    for kind, when in zip(kinds, whens, strict=True):
        if kind == "set_cap":
            action = _cap_action(draw, caps, keep_hard)
        else:
            action = _action(draw, kind, establishment, shrink)
        actions.append({**when, **action})
    return actions


def _day_of(action: dict) -> float:
    if "after_days" in action:
        return float(action["after_days"])
    return float((dt.date.fromisoformat(action["at"]) - START).days)


@st.composite
def councils(draw, *, hard: bool | None = None, fixed_notice_days: int | None = None,
             shrink: bool = True) -> dict:
    """A valid small scenario as a dict (None values dropped).

    hard: True = hard caps from the start that never fall (caps only rise, nqsw <= sw, no switch
    to soft caps); None = anything. fixed_notice_days: a fixed notice period of that length.
    shrink: whether add_posts may remove posts.
    """
    every = draw(st.sampled_from([1, 7, 14, 30]))
    # years in hundredths: years x 365.25 is never a hair short of a sample day (see
    # test_the_last_sample_is_taken_when_the_horizon_is_a_hair_short_of_it)
    years = draw(st.integers(8, 150)) / 100
    horizon_days = math.floor(years * 365.25)
    # with hard caps every level is given, so the caps the model uses are the caps drawn here
    # (a newly qualified worker's cap never falls on progression to sw: nqsw <= sw)
    levels = list(LEVEL_NAMES) if hard else draw(
        st.lists(st.sampled_from(LEVEL_NAMES), min_size=1, max_size=3, unique=True))
    sw_cap = draw(st.integers(1, 25))
    caps = {"nqsw": draw(st.integers(1, sw_cap)) if hard else draw(st.integers(1, 25)),
            "sw": sw_cap, "senior": draw(st.integers(1, 30))}
    in_post = {level: draw(st.integers(0, 10)) for level in levels}
    establishment = sum(in_post.values()) + draw(st.integers(0, 8))
    managers = draw(st.integers(0, 3))
    nqsw_share = draw(st.floats(0, 1))
    when_full = ("queue" if hard else draw(st.sampled_from(["queue", "overallocate"])))
    notice = (distributions(0.0, 60.0) if fixed_notice_days is None
              else st.just({"dist": "fixed", "value": float(fixed_notice_days)}))
    policy = draw(policies(horizon_days, establishment, dict(caps), bool(hard), shrink))
    council = {
        "name": "generated", "start": START.isoformat(), "years": years,
        "report_every_days": every, "warmup_days": draw(st.sampled_from([0, 0, 30, 200])),
        "demand": {
            "referrals_per_year": draw(st.floats(0, 3000)),
            "growth_per_year": draw(st.floats(-0.9, 1)),
            "seasonality": draw(st.one_of(st.none(), st.lists(st.floats(0.2, 3), min_size=12,
                                                               max_size=12))),
            "no_further_action": draw(st.floats(0, 1)),
            "rereferral": {"share": draw(st.floats(0, 0.5)), "delay_days": draw(distributions()),
                           "caseload_effect": draw(st.sampled_from([0.0, 2.0]))},
            "assessment": {"duration_days": draw(distributions(0.5, 60)),
                           "outcome": draw(tables())},
            **{plan: {"duration_days": draw(distributions(1, 300)),
                      "next": draw(tables(close_at_least=1))}
               for plan in ("cin", "cp", "cla")},
        },
        "workforce": {
            "establishment": establishment,
            "levels": {level: {"in_post": in_post[level], "cap": caps[level],
                               "turnover_multiplier": draw(st.sampled_from([0.0, 1.0, 3.0]))}
                       for level in levels},
            "agency_in_post": draw(st.integers(0, establishment - sum(in_post.values()))),
            "progression_days": draw(st.sampled_from([0, 90, 365])),
            "ramp_up": {"days": draw(st.sampled_from([0, 30])),
                        "cap_share": draw(st.floats(0.1, 1))},
            "turnover": {"annual_rate": draw(st.floats(0, 2)),
                         "caseload_elasticity": draw(st.sampled_from([0.0, 2.0])),
                         "notice_days": draw(notice)},
            "recruitment": {"time_to_hire_days": draw(distributions(1, 150)),
                            "success": draw(st.floats(0.05, 1)),
                            "nqsw_share": nqsw_share,
                            "senior_share": draw(st.floats(0, 1 - nqsw_share)),
                            "max_starters_per_month": draw(st.sampled_from([None, 1, 3]))},
            "agency": {"cover": draw(st.floats(0, 1)),
                       "start_days": draw(distributions(0, 40)),
                       "annual_turnover": draw(st.sampled_from([0.0, 0.5, 3.0])),
                       "max_share": draw(st.floats(0, 1)),
                       "cap": None if hard else draw(st.sampled_from([None, 5.0, 25.0]))},
        },
        "managers": {"establishment": managers, "in_post": draw(st.integers(0, managers)),
                     "span_turnover_effect": draw(st.sampled_from([0.0, 1.0]))},
        "allocation": {"when_full": when_full,
                       "priority": draw(st.permutations(["cp", "cla", "assessment", "cin"]))},
        "initial": {"open": {stage: draw(st.integers(0, 60)) for stage in STAGES},
                    "unallocated": draw(st.integers(0, 15))},
        "effects": {"cla_escalation": draw(st.sampled_from([0.0, 2.0]))},
        "costs": {"salary_per_year": {"nqsw": draw(st.floats(0, 60000)),
                                      "sw": draw(st.floats(0, 60000))},
                  "on_cost_share": draw(st.floats(0, 0.5)),
                  "agency_premium_per_year": draw(st.floats(0, 40000)),
                  "recruitment_per_hire": draw(st.floats(0, 10000))},
        "policy": policy,
    }
    return _without_none(council)


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


# --- helpers -------------------------------------------------------------------------------------

def simulate(council: dict, rep: int = 0, seed: int = 7):
    scenario = Scenario.model_validate(council)
    return scenario, run_replication(scenario, rep, seed)


def columns(replication) -> dict[str, np.ndarray]:
    return {name: replication.values[:, METRIC_INDEX[name]] for name in METRIC_NAMES}


def managers_hired(scenario: Scenario) -> bool:
    """Whether any manager can be hired (manager hires also cost recruitment)."""
    return scenario.managers.establishment > 0 or any(
        a.do == "add_posts" and a.managers > 0 for a in scenario.policy)


# --- properties ----------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(council=councils())
def test_cases_and_people_are_conserved_and_nothing_is_negative(council):
    scenario, replication = simulate(council)
    col = columns(replication)

    for name in METRIC_NAMES:
        values = col[name]
        if name not in MAY_BE_NAN:
            assert np.all(np.isfinite(values)), name
        floor = -1e-6 if name in COST_METRICS else 0.0  # £ accrued in floating point
        assert np.all(values[np.isfinite(values)] >= floor), (name, np.nanmin(values))

    # cases: every open case is in exactly one stage, waiting or held, and came from somewhere
    stages = sum(col[f"open_{stage}"] for stage in STAGES)
    assert np.array_equal(col["open_cases"], stages)
    assert np.all(col["unallocated"] <= col["open_cases"])
    referred = np.cumsum(col["referrals"])
    assert np.all(col["open_cases"] <= col["open_cases"][0] + referred)
    # a first allocation is of a referral waiting at day 0 (the warm-up's included) or since
    assert np.all(np.cumsum(col["allocations"]) <= col["unallocated"][0] + referred)

    # people: permanent staff = posts with a permanent holder + workers on notice, and posts
    # with a holder = establishment + posts removed but still held - vacancies
    assert np.all(col["staff_permanent"] >= col["establishment"] - col["vacancies"])
    assert np.all(col["vacancies"] <= col["establishment"])
    assert np.all(col["staff_agency"] <= col["vacancies"]), "agency workers cover vacant posts"
    assert np.all(col["staff_nqsw"] <= col["staff_permanent"])

    # costs: recruitment is paid per permanent starter (when no manager is ever hired)
    if not managers_hired(scenario):
        per_hire = scenario.costs.recruitment_per_hire
        np.testing.assert_allclose(col["cost_recruitment"], per_hire * col["starters"],
                                   rtol=1e-9, atol=1e-6)


@PROPERTY_SETTINGS
@given(council=councils(fixed_notice_days=28, shrink=False), every=st.sampled_from([1, 7, 14]))
def test_permanent_staff_are_post_holders_plus_workers_on_notice(council, every):
    """With a fixed notice N and no posts removed, the workers in post beyond the posts' holders
    are exactly those on notice: the leavers of the next N days."""
    council = {**council, "report_every_days": every}
    _, replication = simulate(council)
    col = columns(replication)
    days, left = replication.days, np.cumsum(col["leavers"])
    later = np.searchsorted(days, days + 28)  # the sample 28 days on, where there is one
    complete = later < len(days)
    complete[complete] = days[later[complete]] == days[complete] + 28
    ahead = left[later[complete]] - left[complete]  # leavers in the next 28 days
    held = col["establishment"] - col["vacancies"] - col["posts_on_notice"]
    on_notice = col["staff_permanent"] - held
    assert np.array_equal(on_notice[complete], ahead)
    assert np.all(on_notice >= 0)


@PROPERTY_SETTINGS
@given(council=councils(hard=True))
def test_hard_caps_hold_when_caps_never_fall(council):
    _, replication = simulate(council)
    over = columns(replication)["over_cap_share"]
    assert np.all(over[np.isfinite(over)] == 0)


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(council=councils())
def test_costs_add_up_the_same_over_weeks_as_over_four_weeks(council):
    """Period costs are differences of running totals: summed over any sampling they agree."""
    horizon = max(28, math.floor(council["years"] * 365.25 / 28) * 28)
    council = {**council, "years": (horizon + 0.5) / 365.25}  # the last sample: day `horizon`
    _, weekly = simulate({**council, "report_every_days": 7})
    _, monthly = simulate({**council, "report_every_days": 28})
    for name in (*COST_METRICS, "starters", "leavers", "referrals", "allocations"):
        week, month = columns(weekly)[name], columns(monthly)[name]
        assert week.sum() == pytest.approx(month.sum(), rel=1e-9, abs=1e-4), name
        # every four-weekly sample (on 1 April and at the horizon too) is a weekly one, and its
        # period is the sum of the weekly periods since the previous four-weekly sample
        shared = np.searchsorted(weekly.days, monthly.days)
        assert np.array_equal(weekly.days[shared], monthly.days)
        np.testing.assert_allclose(np.cumsum(week)[shared], np.cumsum(month),
                                   rtol=1e-9, atol=1e-4, err_msg=name)


@settings(max_examples=15, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(council=councils(), rep=st.integers(0, 5), seed=st.integers(0, 2**32 - 1))
def test_the_same_seed_gives_the_same_arrays(council, rep, seed):
    _, first = simulate(council, rep, seed)
    _, second = simulate(council, rep, seed)
    assert np.array_equal(first.days, second.days)
    assert np.array_equal(first.values, second.values, equal_nan=True)
    assert first.events == second.events


@PROPERTY_SETTINGS
@given(council=councils())
def test_no_policy_action_shows_before_its_date(council):
    """Before the first action the run is the run without actions (common random numbers);
    the establishment only moves from the first posts action on; nothing is diverted before
    the first diversion."""
    scenario, replication = simulate(council)
    col, days = columns(replication), replication.days
    # set_referrals reshapes the whole referral stream drawn up front: keep it in both runs
    kept = [a for a in council.get("policy", []) if a["do"] == "set_referrals"]
    acting = [a for a in scenario.policy if a.do != "set_referrals"]
    if acting:
        first = min(a.day(scenario.start) for a in acting)
        _, without = simulate({**council, "policy": kept})
        before = days < first
        assert np.array_equal(replication.values[before], without.values[before], equal_nan=True)

    posts_days = [a.day(scenario.start) for a in scenario.policy if a.do in POSTS_ACTIONS]
    first_posts = min(posts_days, default=math.inf)
    assert np.all(col["establishment"][days < first_posts] == scenario.workforce.establishment)
    diversions = [a.day(scenario.start) for a in scenario.policy if a.do == "divert_referrals"]
    assert np.all(col["diverted"][days < min(diversions, default=math.inf)] == 0)


@PROPERTY_SETTINGS
@given(council=councils(), count=st.integers(-20, 20), day=st.integers(1, 300))
def test_add_posts_changes_the_establishment_by_its_count_at_its_date(council, count, day):
    council = {**council, "years": 1.0, "report_every_days": 7,
               "policy": [{"do": "add_posts", "after_days": day, "count": count}]}
    scenario, replication = simulate(council)
    establishment, days = columns(replication)["establishment"], replication.days
    before = scenario.workforce.establishment
    assert np.all(establishment[days < day] == before)
    assert np.all(establishment[days > day] == max(0, before + count))


def test_the_last_sample_is_taken_when_the_horizon_is_a_hair_short_of_it():
    council = {"name": "hair", "start": START.isoformat(), "years": 448 / 365.25,
               "report_every_days": 1, "demand": {"referrals_per_year": 500},
               "workforce": {"establishment": 5, "levels": {"sw": {"in_post": 5}}},
               "initial": {"open": {"cin": 20}}}
    _, replication = simulate(council)
    col = columns(replication)
    assert np.all(np.isfinite(col["open_cases"]))
    assert np.all(col["allocations"] >= 0) and np.all(col["cost_placements"] >= 0)
