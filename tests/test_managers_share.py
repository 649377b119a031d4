"""`add_posts` with `managers_share`: manager posts changed by a share of the manager establishment.

Policy styles apply to any council, so they add managers relative to the council's own number.
"""
from __future__ import annotations

import numpy as np
import pytest
from builders import scenario, series

from sim.model.council import run_replication
from sim.scenario.loading import ScenarioError, load_scenario

MANAGED = {
    "years": 0.5,
    "report_every_days": 1,
    "managers": {"establishment": 10, "in_post": 10, "annual_turnover": 0,
                 "time_to_hire_days": {"dist": "fixed", "value": 1}},
}


def managers_in_post(policy: list[dict]) -> np.ndarray:
    sc = scenario({**MANAGED, "policy": policy})
    return series(run_replication(sc, 0, 1), "managers")


def test_managers_share_adds_that_share_of_the_manager_posts():
    managers = managers_in_post([{"do": "add_posts", "after_days": 10, "managers_share": 0.5}])
    assert managers[5] == 10          # before the action
    assert managers[20] == 15         # 10 + round(0.5 x 10), hired after a day


def test_managers_share_is_phased_like_the_posts():
    managers = managers_in_post([{"do": "add_posts", "after_days": 10, "managers_share": 0.5,
                                  "over_months": 2}])
    assert managers[20] == 13         # first monthly step of [3, 2]
    assert managers[60] == 15


def test_managers_share_comes_with_a_share_of_social_work_posts():
    sc = scenario({**MANAGED, "policy": [{"do": "add_posts", "after_days": 10, "share": 0.1,
                                          "managers_share": 0.3}]})
    run = run_replication(sc, 0, 1)
    assert series(run, "managers")[20] == 13
    assert series(run, "establishment")[20] == sc.workforce.establishment + 4


def test_managers_share_on_a_council_without_managers_adds_none():
    sc = scenario({"policy": [{"do": "add_posts", "after_days": 10, "managers_share": 0.5}]})
    assert np.isnan(series(run_replication(sc, 0, 1), "span_of_control")).all()


MINIMAL = """\
name = "minimal"
start = 2016-07-01

[demand]
referrals_per_year = 1000

[workforce]
establishment = 30
levels = { sw = { in_post = 20 } }

[[policy]]
after_days = 0
do = "add_posts"
"""


def error_for(tmp_path, text: str) -> str:
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL + text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return str(caught.value)


def test_managers_and_managers_share_together_are_an_error(tmp_path):
    message = error_for(tmp_path, "managers = 2\nmanagers_share = 0.1\n")
    assert "policy.0" in message and "not both" in message


def test_managers_share_out_of_range_is_an_error(tmp_path):
    message = error_for(tmp_path, "managers_share = 11\n")
    assert "policy.0.managers_share" in message and "out of range" in message


def test_managers_share_alone_is_a_valid_action(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(MINIMAL + "managers_share = 0.25\n", encoding="utf-8")
    action = load_scenario(path).policy[0]
    assert (action.managers_share, action.managers, action.count) == (0.25, 0, None)
