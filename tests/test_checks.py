"""Warnings for valid but probably unintended scenarios."""
from pathlib import Path

from builders import scenario

from sim.scenario.warnings import scenario_warnings
from sim.scenario.loading import load_scenario

EMPTY = {"initial": {"open": {"assessment": 0, "cin": 0, "cp": 0, "cla": 0}}}


def test_starting_empty_without_warmup_is_warned_about():
    assert any("no open cases" in w for w in scenario_warnings(scenario(EMPTY)))


def test_a_warmup_silences_the_empty_start_warning():
    assert scenario_warnings(scenario({**EMPTY, "warmup_days": 365})) == []


def test_a_policy_after_the_horizon_is_warned_about():
    late = scenario({"years": 1, "policy": [{"do": "add_posts", "count": 5, "after_days": 500}]})
    assert any("policy.0" in w for w in scenario_warnings(late))


def test_the_shipped_manchester_plan_raises_no_warning():
    path = Path(__file__).parents[1] / "scenarios" / "manchester-2016-plan.toml"
    assert scenario_warnings(load_scenario(path)) == []
