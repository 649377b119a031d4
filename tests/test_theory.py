"""The model against queueing and renewal theory, each inside the simulation's own 95% interval."""
from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from builders import BASE, runs, scenario, series, total, without

from sim.model.call import Call
from sim.model.people import PERMANENT, Worker
from sim.model.turnover import DAYS_PER_YEAR, Turnover
from sim.validation.theory import erlang_c_queue, mean_ci, pathway_stock, renewal_share

NO_TURNOVER = {"annual_rate": 0.0}


def test_hard_cap_queue_matches_erlang_c():
    """Fixed staff, no turnover, exponential assessments that close the case, hard caps: M/M/c."""
    workers, cap, mean_assessment, rho = 2, 5, 30.0, 0.85
    servers = workers * cap
    per_day = rho * servers / mean_assessment
    sc = scenario({
        "years": 30, "warmup_days": 730,
        "demand": {"referrals_per_year": per_day * 365.25, "no_further_action": 0.0,
                   "assessment": {"duration_days": {"dist": "exponential", "mean": mean_assessment},
                                  "outcome": {"close": 1.0}}},
        "workforce": {"establishment": workers, "levels": {"sw": {"in_post": workers, "cap": cap}},
                      "agency_in_post": 0, "turnover": NO_TURNOVER},
        "allocation": {"when_full": "queue"},
        "initial": {"open": {"assessment": 0, "cin": 0, "cp": 0, "cla": 0}},
    }, base=without(BASE, "workforce"))
    reps = runs(sc, 16)
    queue, wait = erlang_c_queue(servers, per_day, 1 / mean_assessment)
    _, low, high = mean_ci([series(r, "unallocated").mean() for r in reps])
    assert low <= queue <= high, (queue, low, high)
    waits = [np.nansum(series(r, "wait_days_mean") * series(r, "allocations"))
             / series(r, "allocations").sum() for r in reps]
    _, low, high = mean_ci(waits)
    assert low <= wait <= high, (wait, low, high)
    assert max(series(r, "over_cap_share").max() for r in reps) == 0


def test_soft_cap_open_cases_follow_littles_law():
    """With soft caps nobody waits, so open cases = arrival rate x mean time along the pathway."""
    per_year, nfa = 1500.0, 0.2
    durations = {"assessment": 30.0, "cin": 200.0, "cp": 150.0, "cla": 400.0}
    outcome = {"close": 0.4, "cin": 0.35, "cp": 0.15, "cla": 0.1}
    following = {"cin": {"close": 0.8, "cp": 0.2}, "cp": {"cin": 0.5, "close": 0.4, "cla": 0.1},
                 "cla": {"close": 1.0}}
    stock = pathway_stock(per_year / 365.25 * (1 - nfa), durations, outcome, following)
    sc = scenario({
        "years": 8,
        "demand": {
            "referrals_per_year": per_year, "no_further_action": nfa,
            "assessment": {"duration_days": {"dist": "exponential", "mean": 30.0},
                           "outcome": outcome},
            "cin": {"duration_days": {"dist": "gamma", "mean": 200.0, "cv": 0.5},
                    "next": following["cin"]},
            "cp": {"duration_days": {"dist": "lognormal", "mean": 150.0, "cv": 0.8},
                   "next": following["cp"]},
            "cla": {"duration_days": {"dist": "uniform", "low": 100.0, "high": 700.0},
                    "next": following["cla"]},
        },
        "workforce": {"turnover": NO_TURNOVER},
        "initial": {"open": {k: round(v) for k, v in stock.items()}},
    })
    reps = runs(sc, 12)
    for stage, expected in stock.items():
        _, low, high = mean_ci([series(r, f"open_{stage}").mean() for r in reps])
        assert low <= expected <= high, (stage, expected, low, high)
    _, low, high = mean_ci([series(r, "open_cases").mean() for r in reps])
    assert low <= sum(stock.values()) <= high
    assert max(series(r, "unallocated").max() for r in reps) == 0


@pytest.mark.parametrize("annual_rate, time_to_hire", [(0.2, 365.0), (0.5, 120.0)])
def test_staff_in_post_follows_the_renewal_formula(annual_rate, time_to_hire):
    """Each post alternates an exponential stay (mean 1/h) and a fixed vacancy T."""
    establishment = 200
    share = renewal_share(annual_rate, time_to_hire)
    sc = scenario({
        "years": 10, "warmup_days": 730,
        "workforce": {
            "establishment": establishment, "levels": {"sw": {"in_post": round(share * 200)}},
            "agency_in_post": 0, "agency": {"cover": 0.0},
            "turnover": {"annual_rate": annual_rate, "notice_days": {"dist": "fixed", "value": 0}},
            "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": time_to_hire},
                            "success": 1.0, "nqsw_share": 0.0},
        },
    }, base=without(BASE, "workforce"))
    reps = runs(sc, 12)
    _, low, high = mean_ci([series(r, "staff_permanent").mean() / establishment for r in reps])
    assert low <= share <= high, (share, low, high)


def test_first_year_leavers_are_the_steady_states():
    """A post's holder stays an exponential time at hazard h (not on notice), then works a notice
    N ~ uniform(28, 56) days and goes: in the steady state a person in post leaves at
    h / (1 + h E[N]) a year (renewal-reward: one departure per mean cycle 1/h + E[N]), from the
    first day on. A start with no one on notice has no departure before day 28 and lacks about
    E[N] / 365 (11%) of the first year's leavers."""
    hazard, notice_mean_years = 0.3, 42.0 / DAYS_PER_YEAR
    expected = hazard / (1 + hazard * notice_mean_years)
    sc = scenario({
        "years": 1,
        "demand": {"referrals_per_year": 50},
        "workforce": {
            "establishment": 440, "levels": {"sw": {"in_post": 400}},
            "agency_in_post": 0, "agency": {"cover": 0.0},
            "turnover": {"annual_rate": hazard,
                         "notice_days": {"dist": "uniform", "low": 28.0, "high": 56.0}},
            "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": 60.0},
                            "success": 1.0, "nqsw_share": 0.0},
        },
        "initial": {"open": {"assessment": 0, "cin": 0, "cp": 0, "cla": 0}},
    }, base=without(BASE, "workforce"))
    reps = runs(sc, 30)
    rates = [total(r, "leavers", until=DAYS_PER_YEAR) / series(r, "staff_permanent").mean()
             for r in reps]
    _, low, high = mean_ci(rates)
    assert low <= expected <= high, (expected, low, high)


def test_turnover_clock_keeps_its_unit_time_through_a_spell_at_rate_zero():
    """Resignation time T of a worker whose hazard h is switched off on days [a, b) (retention
    multiplier 0) has cumulative hazard h t, then h a, then h (a + t - b), so exactly
    E[min(T, H)] = (1 - e^-ha) / h + (b - a) e^-ha + e^-ha (1 - e^-h(H - b)) / h.
    A clock that restarted at b from a fresh exponential would give about 19 days more."""
    annual_rate, off_day, on_day, horizon, workers = 2.0, 50.0, 150.0, 300.0, 4000
    h = annual_rate / DAYS_PER_YEAR
    kept = math.exp(-h * off_day)
    exact = ((1 - kept) / h + (on_day - off_day) * kept
             + kept * (1 - math.exp(-h * (horizon - on_day))) / h)

    env = simpy.Environment()
    resigned: dict = {}

    def resign(worker, _notice_days):
        resigned[worker] = env.now
        turnover.remove(worker)

    turnover = Turnover(scenario({"workforce": {"turnover": {"annual_rate": annual_rate}}}),
                        lambda: env.now, lambda delay, callback, *args: Call(env, delay, callback,
                                                                             args), resign)
    rng = np.random.default_rng(14)
    people = [Worker(PERMANENT, "sw", 20.0, 0.0) for _ in range(workers)]
    for worker in people:
        turnover.add(worker, lambda: (float(rng.standard_exponential()), float(rng.random()),
                                      0.0))
    Call(env, off_day, turnover.set_shared_factors, (0.0,))
    Call(env, on_day, turnover.set_shared_factors, (1.0,))
    env.run(until=horizon)
    _, low, high = mean_ci([min(resigned.get(w, horizon), horizon) for w in people])
    half = (high - low) / 2
    assert low - half <= exact <= high + half, (exact, low, high)  # about 3.9 standard errors
