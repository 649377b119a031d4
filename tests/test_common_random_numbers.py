"""Common random numbers reach the workforce: each post draws its recruitment, agency and turnover
numbers from streams of its own, so posts that one scenario adds do not disturb the history of the
posts both scenarios share."""
from __future__ import annotations

import pytest
from builders import merged, scenario

from sim.model.council import Council

# Turnover that ignores caseload, unlimited starters and agency room: a post's staffing depends on
# nothing but its own draws.
INDEPENDENT_POSTS = {"years": 2, "workforce": {
    "turnover": {"annual_rate": 0.4, "caseload_elasticity": 0.0},
    "recruitment": {"time_to_hire_days": {"dist": "gamma", "mean": 90, "cv": 0.5},
                    "success": 0.7, "nqsw_share": 0.4},
    "agency": {"cover": 0.5, "annual_turnover": 0.8, "max_share": 1.0,
               "start_days": {"dist": "exponential", "mean": 20}}}}
ADD_POSTS = {"policy": [{"after_days": 120, "do": "add_posts", "count": 12}]}


def shared_post_histories(changes: dict, rep: int, posts: int) -> list[tuple]:
    """For each of the first `posts` posts at the horizon: its permanent holder's start day and
    level, and its agency worker's start day (None when there is none)."""
    council = Council(scenario(merged(INDEPENDENT_POSTS, changes)), rep, 5)
    council.run()
    histories = []
    for post in list(council.workforce.posts)[:posts]:
        holder, agency = post.holder, post.agency
        histories.append((holder and (holder.started, holder.level),
                          agency and agency.started))
    return histories


@pytest.mark.parametrize("rep", [0, 1])
def test_posts_a_policy_adds_leave_the_shared_posts_histories_unchanged(rep):
    """12 posts added (and filled, covered, left) in one scenario only: every post both scenarios
    have ends the horizon with the same holder (start day, level) and agency cover."""
    posts = scenario(INDEPENDENT_POSTS).workforce.establishment
    without = shared_post_histories({}, rep, posts)
    assert sum(holder is not None for holder, _ in without) < posts, "nobody left: a weak test"
    assert shared_post_histories(ADD_POSTS, rep, posts) == without
