"""Every random quantity has a stream of its own (issue 14, fault 3): changing one parameter
(establishment, NQSWs in post, the time to hire's cv, one stage's durations) leaves the draws of
every other quantity as they were, draw for draw."""
from __future__ import annotations

import numpy as np
import pytest
from builders import merged, scenario, series

from sim.model.cases import STAGES
from sim.model.council import Council
from sim.model.post_draws import post_key

# No referrals and no re-referrals, no effect of caseload on pathways: the open cases are the
# starting stock working through its remaining durations, whatever the workforce does.
STOCK_ONLY = {"years": 1, "demand": {"referrals_per_year": 0, "rereferral": {"share": 0.0}}}
WORKFORCE_SWEEPS = {
    "establishment 40 -> 41": {"workforce": {"establishment": 41}},
    "nqsw in post 6 -> 7": {"workforce": {"levels": {"nqsw": {"in_post": 7}}}},
    "time to hire cv 0.5 -> 1": {"workforce": {"recruitment": {
        "time_to_hire_days": {"dist": "gamma", "mean": 120, "cv": 1.0}}}},
}
OPEN_BY_STAGE = [f"open_{stage}" for stage in STAGES]


def open_by_stage(changes: dict, rep: int) -> dict[str, np.ndarray]:
    council = Council(scenario(merged(STOCK_ONLY, changes)), rep, 3)
    council.run()
    result = council.recorder.result(rep, council.referrals, 0)
    return {metric: series(result, metric) for metric in OPEN_BY_STAGE}


@pytest.mark.parametrize("change", list(WORKFORCE_SWEEPS))
def test_the_starting_stock_does_not_follow_the_workforce(change):
    """With no referrals, the open cases by stage at every sample are the same whatever the
    establishment, the NQSWs in post or the time to hire."""
    for rep in (0, 1):
        base, changed = open_by_stage({}, rep), open_by_stage(WORKFORCE_SWEEPS[change], rep)
        assert base["open_cin"][0] != base["open_cin"][-1], "the stock did not move: a weak test"
        for metric in OPEN_BY_STAGE:
            np.testing.assert_array_equal(changed[metric], base[metric], err_msg=metric)


# Every stage closes when it ends, so each stage's open cases are its own stock's alone.
CLOSE_AFTER_EACH_STAGE = {"demand": {"assessment": {"outcome": {"close": 1.0, "cin": 0.0,
                                                                 "cp": 0.0, "cla": 0.0}},
                                     "cin": {"next": {"close": 1.0}},
                                     "cp": {"next": {"close": 1.0}},
                                     "cla": {"next": {"close": 1.0}}}}


def test_one_stage_durations_leave_the_other_stages_stock_alone():
    """A new distribution (a gamma's cv, which changes how many raw draws a sample uses) for one
    stage's durations leaves the open cases of every other stage identical at every sample."""
    base = open_by_stage(CLOSE_AFTER_EACH_STAGE, 0)
    for stage in STAGES:
        swept = merged(CLOSE_AFTER_EACH_STAGE, {"demand": {stage: {"duration_days": {
            "dist": "gamma", "mean": 200, "cv": 1.7}}}})
        changed = open_by_stage(swept, 0)
        assert not np.array_equal(changed[f"open_{stage}"], base[f"open_{stage}"]), stage
        for other in STAGES:
            if other != stage:
                np.testing.assert_array_equal(changed[f"open_{other}"], base[f"open_{other}"],
                                              err_msg=f"{other} moved when {stage} changed")


# Turnover that ignores caseload, unlimited starters and agency room, no agency worker at the start
# (so the share of vacancies due cover does not depend on how many there are): a post's history
# depends on nothing but its own draws.
INDEPENDENT_POSTS = {"years": 2, "demand": {"referrals_per_year": 600}, "workforce": {
    "agency_in_post": 0,
    "turnover": {"annual_rate": 0.4, "caseload_elasticity": 0.0},
    "recruitment": {"time_to_hire_days": {"dist": "gamma", "mean": 90, "cv": 0.5},
                    "success": 0.6, "nqsw_share": 0.4, "senior_share": 0.3},
    "agency": {"cover": 0.5, "annual_turnover": 0.8, "max_share": 1.0,
               "start_days": {"dist": "exponential", "mean": 20}}}}


def post_histories(changes: dict, rep: int) -> dict[tuple[int, int], tuple]:
    """Each post's state at the horizon, by its key: its permanent holder's start day and level,
    its agency worker's start day (None when there is none)."""
    council = Council(scenario(merged(INDEPENDENT_POSTS, changes)), rep, 5)
    council.run()
    return {post.key: (post.holder and (post.holder.started, post.holder.level),
                       post.agency and post.agency.started)
            for post in council.workforce.posts}


@pytest.mark.parametrize("change", ["establishment 40 -> 41", "nqsw in post 6 -> 7"])
def test_the_posts_both_scenarios_have_keep_their_histories(change):
    """One more post, or one more NQSW in post: every post the two scenarios share has the same
    history (starters, levels, leavers, agency cover) in both."""
    for rep in (0, 1):
        base, changed = post_histories({}, rep), post_histories(WORKFORCE_SWEEPS[change], rep)
        shared = base.keys() & changed.keys()
        assert len(shared) >= 39
        assert sum(base[key][0] is None for key in shared) > 0, "nobody left: a weak test"
        assert {key: changed[key] for key in shared} == {key: base[key] for key in shared}


def test_the_time_to_hire_leaves_the_success_and_level_draws_alone():
    """Nobody leaves and every campaign ends well inside the horizon: the level of the starter in
    each initially vacant post depends on its success and level draws only, so a new cv of the
    time to hire (which moves every start day) leaves every post's starter level as it was."""
    still = {"years": 5, "workforce": {"establishment": 80, "progression_days": 10_000,
                                       "turnover": {"annual_rate": 0.0}}}

    def levels(cv: float) -> dict:
        hire = {"workforce": {"recruitment": {"time_to_hire_days": {"dist": "gamma", "mean": 90,
                                                                      "cv": cv}}}}
        council = Council(scenario(merged(merged(INDEPENDENT_POSTS, still), hire)), 0, 7)
        council.run()
        assert all(post.holder is not None for post in council.workforce.posts)
        vacant_at_start = post_key("vacant", 0)[0]
        return {post.key: (post.holder.level, post.holder.started)
                for post in council.workforce.posts if post.key[0] == vacant_at_start}

    base, changed = levels(0.5), levels(1.5)
    levels_seen = {level for level, _day in base.values()}
    assert len(levels_seen) == 3, "starters of fewer than 3 levels: a weak test"
    assert {key: level for key, (level, _day) in changed.items()} == {
        key: level for key, (level, _day) in base.items()}
    assert any(changed[key][1] != base[key][1] for key in base), "the cv changed nothing"



def test_overflow_draws_of_one_stage_leave_the_others_alone():
    """Stages beyond a case's pre-drawn row: a new distribution of looked-after durations (drawn
    first here, as when such a case ends first) leaves the overflow durations of the other stages
    and the overflow outcome uniforms as they were."""
    def draws(cla_cv: float) -> tuple[list, list, list]:
        sc = scenario({"demand": {"cla": {"duration_days": {"dist": "gamma", "mean": 700,
                                                            "cv": cla_cv}}}})
        council = Council(sc, 0, 9)
        cla = [council.overflow_duration(STAGES.index("cla")) for _ in range(300)]
        others = [council.overflow_duration(stage) for stage in range(3) for _ in range(300)]
        outcomes = [council.pathway._overflow_uniform() for _ in range(300)]
        return cla, others, outcomes

    base, changed = draws(0.6), draws(1.3)
    assert changed[0] != base[0]
    assert changed[1:] == base[1:]
