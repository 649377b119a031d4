"""Scenario files: defaults, `extends`, overrides and one clear error for every kind of bad input.

The specification is docs/scenarios.md; these tests pin what it promises.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import pytest
from processes import SMALL
from builders import MINIMAL
from shipped import shipped
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.distributions import mean_of
from sim.scenario.loading import (
    DEFAULT_CAPS,
    Scenario,
    ScenarioError,
    load_scenario,
    parse_set_option,
    scenario_json_schema,
    with_overrides,
)

ROOT = Path(__file__).resolve().parents[1]


FULL = """\
name = "full"
title = "Every section"
start = 2016-07-01
years = 3
report_every_days = 14

[demand]
referrals_per_year = 11368
growth_per_year = 0.01
seasonality = [1, 1, 1.2, 1, 1, 1, 0.8, 0.8, 1, 1, 1, 1.2]
no_further_action = 0.20
rereferral = { share = 0.1, delay_days = { dist = "exponential", mean = 180 } }
assessment = { duration_days = { dist = "gamma", mean = 35, cv = 0.5 }, outcome = { close = 0.5, cin = 0.35, cp = 0.1, cla = 0.05 } }
cin = { duration_days = { dist = "uniform", low = 100, high = 300 }, next = { close = 1.0 } }
cp  = { duration_days = { dist = "lognormal", mean = 300, cv = 0.7 }, next = { cin = 0.7, close = 0.2, cla = 0.1 } }
cla = { duration_days = { dist = "empirical", values = [300, 900], weights = [1, 3] }, next = { close = 1.0 } }

[workforce]
establishment = 300
levels = { nqsw = { in_post = 40, cap = 15 }, sw = { in_post = 200, cap = 20 }, senior = { in_post = 30, cap = 12 } }
agency_in_post = 20
turnover = { annual_rate = 0.15, notice_days = { dist = "fixed", value = 60 } }
recruitment = { time_to_hire_days = { dist = "gamma", mean = 120, cv = 0.5 }, nqsw_share = 0.3 }
agency = { cover = 0.5, max_share = 0.3 }

[managers]
establishment = 30
in_post = 28

[allocation]
when_full = "queue"
priority = ["cla", "cp", "assessment", "cin"]

[initial]
open = { assessment = 1000, cin = 1800, cp = 800, cla = 1200 }
unallocated = 50

[[policy]]
at = 2016-10-01
do = "add_posts"
count = 86
over_months = 24

[[policy]]
after_days = 365
do = "set_cap"
caps = { nqsw = 12 }
note = "protected caseloads"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_for(folder: Path, text: str, overrides: dict | None = None) -> ScenarioError:
    path = write(folder, "scenario.toml", text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides=overrides)
    return caught.value


# --- defaults ------------------------------------------------------------------------------------

def test_minimal_scenario_gets_the_documented_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", MINIMAL))
    assert (sc.name, sc.title, sc.start) == ("minimal", "", dt.date(2016, 7, 1))
    assert (sc.years, sc.warmup_days, sc.report_every_days) == (5, 0, 7)
    demand = sc.demand
    assert (demand.growth_per_year, demand.no_further_action) == (0, 0)
    assert demand.seasonality == (1.0,) * 12
    assert demand.rereferral.share == 0
    assert demand.rereferral.delay_days.dist == "exponential"
    assert mean_of(demand.rereferral.delay_days) == 180
    assert demand.assessment.outcome.probabilities() == {
        "close": 0.5, "cin": 0.35, "cp": 0.1, "cla": 0.05}
    assert (demand.assessment.duration_days.dist, demand.assessment.duration_days.mean,
            demand.assessment.duration_days.cv) == ("gamma", 35, 0.5)
    assert demand.cin.next.close == 1 and demand.cla.next.close == 1
    assert (demand.cp.next.cin, demand.cp.next.close, demand.cp.next.cla) == (0.7, 0.2, 0.1)
    assert (demand.cla.duration_days.dist, demand.cla.duration_days.mean) == ("lognormal", 950)
    work = sc.workforce
    assert (work.agency_in_post, work.progression_days) == (0, 365)
    assert (work.turnover.annual_rate, mean_of(work.turnover.notice_days)) == (0.15, 60)
    assert (work.recruitment.success, work.recruitment.nqsw_share) == (1, 0.3)
    assert work.recruitment.max_starters_per_month is None
    assert (work.agency.cover, work.agency.max_share, work.agency.cap) == (0, 1, None)
    assert (sc.managers.establishment, sc.managers.annual_turnover) == (0, 0.12)
    assert sc.allocation.when_full == "overallocate"
    assert sc.allocation.priority == ("cp", "cla", "assessment", "cin")
    assert (sc.initial.open.cla, sc.initial.unallocated) == (0, 0)
    assert (sc.effects.cla_escalation, sc.effects.reference_caseload) == (0, None)
    assert sc.costs.salary_per_year.manager == 48000
    assert sum(p.share for p in sc.costs.placements.values()) == pytest.approx(1)
    assert sc.costs.placements["residential"].weekly == 2400
    assert sc.policy == []


def test_level_caps_default_by_level_and_are_always_numbers(tmp_path):
    text = MINIMAL.replace("levels = { sw = { in_post = 200 } }",
                           "levels = { nqsw = {}, sw = { in_post = 200 }, senior = { cap = 12 } }")
    levels = load_scenario(write(tmp_path, "s.toml", text)).workforce.levels
    assert {name: level.cap for name, level in levels.items()} == {
        "nqsw": DEFAULT_CAPS["nqsw"], "sw": 20.0, "senior": 12.0}
    assert all(isinstance(level.cap, float) for level in levels.values())


def test_agency_cap_defaults_to_the_sw_cap(tmp_path):
    text = MINIMAL.replace("{ in_post = 200 }", "{ in_post = 200, cap = 22 }")
    assert load_scenario(write(tmp_path, "s.toml", text)).workforce.agency_cap() == 22


@pytest.mark.parametrize("table, mean", [
    ('{ dist = "fixed", value = 60 }', 60),
    ('{ dist = "exponential", mean = 180 }', 180),
    ('{ dist = "gamma", mean = 35, cv = 0.5 }', 35),
    ('{ dist = "lognormal", mean = 300, cv = 1.0 }', 300),
    ('{ dist = "uniform", low = 10, high = 30 }', 20),
    ('{ dist = "empirical", values = [10, 40], weights = [3, 1] }', 17.5),
])
def test_every_distribution_reports_its_mean_in_days(tmp_path, table, mean):
    text = MINIMAL + f"\n[demand.assessment]\nduration_days = {table}\n"
    dist = load_scenario(write(tmp_path, "s.toml", text)).demand.assessment.duration_days
    assert mean_of(dist) == pytest.approx(mean)


def test_full_example_validates_and_policy_days_count_from_start(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", FULL))
    assert [action.do for action in sc.policy] == ["add_posts", "set_cap"]
    assert [action.day(sc.start) for action in sc.policy] == [92, 365]
    assert sc.policy[1].caps == {"nqsw": 12} and sc.policy[1].note == "protected caseloads"


def test_scenario_is_frozen(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", MINIMAL))
    with pytest.raises(ValueError):
        sc.years = 3  # type: ignore[misc]


def test_resolved_json_loads_back_to_an_equal_scenario(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", FULL))
    again = Scenario.model_validate(json.loads(json.dumps(sc.model_dump(mode="json"))))
    assert again == sc


def test_bundled_scenarios_are_valid():
    for path in [*shipped(), *shipped("councils")]:
        assert isinstance(load_scenario(path), Scenario), path


# --- extends -------------------------------------------------------------------------------------

def test_extends_merges_tables_and_replaces_other_values_three_levels_deep(tmp_path):
    write(tmp_path, "base/council.toml", MINIMAL + """
[workforce.turnover]
annual_rate = 0.2
notice_days = { dist = "fixed", value = 30 }

[[policy]]
after_days = 10
do = "retention"
turnover_multiplier = 0.5
""")
    write(tmp_path, "base/middle.toml", """
extends = ["council.toml"]
title = "middle"
[demand]
seasonality = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
[workforce.turnover]
caseload_elasticity = 1.5
""")
    write(tmp_path, "plans/plan.toml", """
extends = ["../base/middle.toml"]
name = "plan"
[demand]
seasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]
[workforce.turnover]
annual_rate = 0.1
[[policy]]
at = 2017-01-01
do = "divert_referrals"
share = 0.1
""")
    sc = load_scenario(tmp_path / "plans/plan.toml")
    assert (sc.name, sc.title, sc.demand.referrals_per_year) == ("plan", "middle", 10000)
    turnover = sc.workforce.turnover
    assert (turnover.annual_rate, turnover.caseload_elasticity) == (0.1, 1.5)
    assert mean_of(turnover.notice_days) == 30
    assert sc.demand.seasonality == (1,) * 11 + (3,)
    assert [action.do for action in sc.policy] == ["divert_referrals"]
    assert [Path(s).name for s in sc.sources] == ["council.toml", "middle.toml", "plan.toml"]


def test_extends_applies_files_in_order_this_file_last(tmp_path):
    write(tmp_path, "a.toml", 'title = "a"\nyears = 2\n')
    write(tmp_path, "b.toml", 'title = "b"\n')
    path = write(tmp_path, "s.toml", 'extends = ["a.toml", "b.toml"]\nyears = 4\n' + MINIMAL)
    sc = load_scenario(path)
    assert (sc.title, sc.years) == ("b", 4)
    assert "extends" not in sc.model_dump()


def test_a_later_probability_table_replaces_the_earlier_one(tmp_path):
    write(tmp_path, "base.toml", MINIMAL + "\n[demand.cp]\nnext = { cin = 0.7, close = 0.3 }\n")
    path = write(tmp_path, "s.toml", 'extends = ["base.toml"]\n[demand.cp]\nnext = { cla = 1 }\n')
    assert load_scenario(path).demand.cp.next.probabilities() == {
        "close": 0, "cin": 0, "cp": 0, "cla": 1}


def test_a_distribution_merges_with_its_own_kind_and_replaces_another_kind(tmp_path):
    write(tmp_path, "base.toml", MINIMAL + """
[demand.cp]
duration_days = { dist = "gamma", mean = 100, cv = 0.5 }
[demand.cin]
duration_days = { dist = "gamma", mean = 100, cv = 0.5 }
""")
    path = write(tmp_path, "s.toml", """extends = ["base.toml"]
[demand.cp]
duration_days = { mean = 200 }
[demand.cin]
duration_days = { dist = "fixed", value = 7 }
""")
    demand = load_scenario(path).demand
    assert (demand.cp.duration_days.mean, demand.cp.duration_days.cv) == (200, 0.5)
    assert demand.cin.duration_days.dist == "fixed"


def test_cyclic_extends_is_an_error_naming_the_cycle(tmp_path):
    write(tmp_path, "a.toml", 'extends = ["sub/b.toml"]\n' + MINIMAL)
    write(tmp_path, "sub/b.toml", 'extends = ["../a.toml"]\n')
    error = error_for(tmp_path, 'extends = ["a.toml"]\n' + MINIMAL)
    assert error.key == "extends"
    assert "cyclic" in error.message
    assert "a.toml -> " in error.message and "b.toml -> " in error.message


def test_a_file_extending_itself_is_a_cycle(tmp_path):
    error = error_for(tmp_path, 'extends = ["scenario.toml"]\n' + MINIMAL)
    assert (error.key, "cyclic" in error.message) == ("extends", True)


def test_a_missing_extends_file_is_named(tmp_path):
    error = error_for(tmp_path, 'extends = ["councils/nowhere.toml"]\n' + MINIMAL)
    assert error.key == "extends"
    assert "nowhere.toml" in error.message and "not found" in error.message


def test_extends_must_be_a_list_of_paths(tmp_path):
    error = error_for(tmp_path, 'extends = "base.toml"\n' + MINIMAL)
    assert (error.key, "list" in error.message) == ("extends", True)


def test_an_error_in_an_extended_file_names_that_file(tmp_path):
    base = write(tmp_path, "base.toml", MINIMAL + "\n[workforce.turnover]\nannual_rate = 9\n")
    error = error_for(tmp_path, 'extends = ["base.toml"]\nname = "x"\n')
    assert (error.file, error.key) == (str(base), "workforce.turnover.annual_rate")


# --- overrides -----------------------------------------------------------------------------------

def test_overrides_set_nested_keys_and_list_entries(tmp_path):
    path = write(tmp_path, "s.toml", FULL)
    sc = load_scenario(path, overrides={
        "years": 2, "workforce.turnover.annual_rate": 0.25, "policy.0.count": 40,
        "policy.1.caps": {"sw": 18}, "demand.seasonality.0": 2, "start": "2016-08-01",
    })
    assert (sc.years, sc.workforce.turnover.annual_rate) == (2, 0.25)
    assert (sc.policy[0].count, sc.policy[1].caps) == (40, {"sw": 18})
    assert sc.demand.seasonality[0] == 2 and sc.start == dt.date(2016, 8, 1)


def test_overrides_parsed_from_set_options_get_toml_types(tmp_path):
    path = write(tmp_path, "s.toml", FULL)
    options = ["workforce.establishment=320", "policy.0.at=2017-01-01",
               'demand.cp.duration_days={dist="fixed", value=3}', "allocation.when_full=queue"]
    sc = load_scenario(path, overrides=dict(parse_set_option(o) for o in options))
    assert sc.workforce.establishment == 320 and sc.policy[0].at == dt.date(2017, 1, 1)
    assert mean_of(sc.demand.cp.duration_days) == 3 and sc.allocation.when_full == "queue"


def test_an_override_inside_an_absent_table_starts_from_its_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", MINIMAL), overrides={
        "demand.cp.duration_days.mean": 400, "managers.establishment": 5,
        "workforce.levels.senior.in_post": 3})
    assert (sc.demand.cp.duration_days.dist, sc.demand.cp.duration_days.cv) == ("lognormal", 0.7)
    assert sc.demand.cp.duration_days.mean == 400 and sc.demand.cp.next.cin == 0.7
    assert sc.managers.establishment == 5
    assert sc.workforce.levels["senior"].in_post == 3


def test_with_overrides_changes_a_copy_and_keeps_the_sources(tmp_path):
    sc = load_scenario(write(tmp_path, "s.toml", FULL))
    changed = with_overrides(sc, {"workforce.establishment": 310, "policy.0.count": 5})
    assert (changed.workforce.establishment, changed.policy[0].count) == (310, 5)
    assert (sc.workforce.establishment, sc.policy[0].count) == (300, 86)
    assert changed.sources == sc.sources
    with pytest.raises(ScenarioError, match="<--set>: years: 0 is out of range"):
        with_overrides(sc, {"years": 0})


@pytest.mark.parametrize("overrides, key, words", [
    ({"workforce.turnover.anual_rate": 0.2}, "workforce.turnover.anual_rate", "annual_rate"),
    ({"years": 99}, "years", "out of range"),
    ({"policy.5.count": 1}, "policy.5.count", "out of range"),
    ({"policy.first.count": 1}, "policy.first.count", "list index"),
    ({"years.x": 1}, "years.x", "not a table"),
    ({"a..b": 1}, "a..b", "dotted key"),
])
def test_a_bad_override_names_set_and_the_key(tmp_path, overrides, key, words):
    error = error_for(tmp_path, FULL, overrides)
    assert (error.file, error.key) == ("<--set>", key)
    assert words in error.message


@pytest.mark.parametrize("text, value", [
    ("years=3", 3), ("x=0.2", 0.2), ("x=true", True), ("x=[1,2]", [1, 2]),
    ("x=2018-04-01", dt.date(2018, 4, 1)),
    ('x={dist="fixed", value=3}', {"dist": "fixed", "value": 3}),
    ("x=queue", "queue"), ('x="3"', "3"), ("x=a=b", "a=b"), ("x=", ""), ("x=1\ny=2", "1\ny=2"),
])
def test_set_option_values_are_read_as_toml_else_as_text(text, value):
    key, parsed = parse_set_option(text)
    assert key == text.split("=")[0] and parsed == value and type(parsed) is type(value)


def test_set_option_without_equals_names_the_text():
    with pytest.raises(ScenarioError) as caught:
        parse_set_option("workforce.establishment")
    assert caught.value.key == "workforce.establishment" and "KEY=VALUE" in str(caught.value)


# --- one clear error for each kind of bad input --------------------------------------------------

BAD = [
    # (what, replace (old, new) in MINIMAL or None, extra TOML, key, words in message)
    ("unknown top-level key", ('name = "minimal"', 'name = "minimal"\nyeers = 3'), "", "yeers",
     "did you mean 'years'?"),
    ("unknown key in a table", ("referrals_per_year", "referals_per_year"), "",
     "demand.referals_per_year", "did you mean 'referrals_per_year'?"),
    ("unknown key in a distribution", None,
     '[demand.cp]\nduration_days = { dist = "gamma", mean = 3, cvv = 1 }',
     "demand.cp.duration_days.cvv", "did you mean 'cv'?"),
    ("unknown key in a policy action", None,
     '[[policy]]\nat = 2017-01-01\ndo = "add_posts"\ncont = 3', "policy.0.cont",
     "did you mean 'count'?"),
    ("unknown key without a close match", None, "[costs]\nzzz = 1", "costs.zzz",
     "allowed: salary_per_year"),
    ("unknown level name", ("sw = {", "snr = {"), "", "workforce.levels.snr",
     "did you mean 'senior'?"),
    ("wrong type", ("establishment = 300", 'establishment = "many"'), "",
     "workforce.establishment", "expected a whole number"),
    ("true for a number", ("referrals_per_year = 10000", "referrals_per_year = true"), "",
     "demand.referrals_per_year", "expected a number"),
    ("number for a date", ("start = 2016-07-01", "start = 20160701"), "", "start",
     "expected a date"),
    ("out of range", None, "[workforce.turnover]\nannual_rate = 7",
     "workforce.turnover.annual_rate", "7 is out of range; allowed: 0 to 5"),
    ("negative referral walk sd", ("referrals_per_year = 10000",
                                   "referrals_per_year = 10000\nyearly_change_sd = -0.1"), "",
     "demand.yearly_change_sd", "-0.1 is out of range; allowed: 0 to 2"),
    ("negative turnover walk sd", None, "[workforce.turnover]\nyearly_change_sd = -0.1",
     "workforce.turnover.yearly_change_sd", "-0.1 is out of range; allowed: 0 to 2"),
    ("infinite", ('name = "minimal"', 'name = "minimal"\nyears = inf'), "", "years", "finite"),
    ("missing required key", ("establishment = 300", ""), "", "workforce.establishment",
     "required key missing"),
    ("probabilities not summing to 1", None, "[demand.cp]\nnext = { cin = 0.7, close = 0.2 }",
     "demand.cp.next", "probabilities sum to 0.9; they must sum to 1"),
    ("bad dist name", None, '[demand.cp]\nduration_days = { dist = "gama", mean = 3, cv = 1 }',
     "demand.cp.duration_days.dist", "allowed: fixed, exponential, gamma, lognormal"),
    ("no dist", None, "[demand.cp]\nduration_days = { mean = 3 }",
     "demand.cp.duration_days.dist", "required key missing"),
    ("bad do", None, '[[policy]]\nat = 2017-01-01\ndo = "add_post"\ncount = 3', "policy.0.do",
     "allowed: add_posts, hire_to_caseload"),
    ("policy date before start", None,
     ('[[policy]]\nafter_days = 1\ndo = "retention"\nturnover_multiplier = 1\n'
      '[[policy]]\nat = 2015-01-01\ndo = "add_posts"\ncount = 3'), "policy.1.at",
     "before start 2016-07-01"),
    ("both at and after_days", None,
     '[[policy]]\nat = 2017-01-01\nafter_days = 3\ndo = "add_posts"\ncount = 3', "policy.0",
     "not both"),
    ("neither at nor after_days", None, '[[policy]]\ndo = "add_posts"\ncount = 3', "policy.0",
     "after_days"),
    ("add_posts with count and share", None,
     '[[policy]]\nafter_days = 3\ndo = "add_posts"\ncount = 3\nshare = 0.1', "policy.0",
     "not both"),
    ("set_cap without cap", None, '[[policy]]\nafter_days = 3\ndo = "set_cap"', "policy.0",
     "'cap'"),
    ("agency_in_post too large",
     ("establishment = 300", "establishment = 300\nagency_in_post = 150"), "",
     "workforce.agency_in_post", "establishment 300 - 200 permanent in post = 100"),
    ("more permanent staff than posts",
     ("establishment = 300", "establishment = 150"), "",
     "workforce.levels", "200 permanent staff in post is more than the establishment of 150"),
    ("recruitment shares above 1", None,
     "[workforce.recruitment]\nnqsw_share = 0.8\nsenior_share = 0.5",
     "workforce.recruitment.senior_share", "at most 1"),
    ("more managers than posts", None, "[managers]\nin_post = 3", "managers.in_post",
     "more than establishment 0"),
    ("placement shares not summing to 1", None,
     "[costs.placements]\nifa = { share = 0.5, weekly = 700 }", "costs.placements",
     "shares sum to 0.5"),
    ("priority not a permutation", None, '[allocation]\npriority = ["cp", "cp", "cin", "cla"]',
     "allocation.priority", "exactly once"),
    ("when_full not allowed", None, '[allocation]\nwhen_full = "queu"', "allocation.when_full",
     "did you mean 'queue'?"),
    ("seasonality of the wrong length", ("referrals_per_year = 10000",
                                         "referrals_per_year = 10000\nseasonality = [1, 2]"),
     "", "demand.seasonality", "exactly 12"),
    ("bad name", ('name = "minimal"', 'name = "my plan"'), "", "name", "letters, digits"),
    ("uniform low above high", None,
     '[demand.cp]\nduration_days = { dist = "uniform", low = 5, high = 1 }',
     "demand.cp.duration_days.high", "high >= low"),
    ("empirical lengths differ", None,
     '[demand.cp]\nduration_days = { dist = "empirical", values = [1, 2], weights = [1] }',
     "demand.cp.duration_days.weights", "one weight per value"),
    ("table given a number", ("[demand]\nreferrals_per_year = 10000", "demand = 5"), "", "demand",
     "expected a table"),
]


@pytest.mark.parametrize("what, replace, extra, key, words", BAD, ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_naming_the_file_and_key(tmp_path, what, replace, extra, key, words):
    text = MINIMAL.replace(*replace) if replace else MINIMAL
    error = error_for(tmp_path, text + "\n" + extra + "\n")
    assert error.key == key
    assert words in error.message
    assert str(error) == f"{tmp_path / 'scenario.toml'}: {key}: {error.message}"
    assert "\n" not in str(error)


def test_unknown_key_suggests_the_closest_name(tmp_path):
    error = error_for(tmp_path, MINIMAL.replace("referrals_per_year", "referals_per_year"))
    assert str(error).endswith(
        "demand.referals_per_year: unknown key; did you mean 'referrals_per_year'?")


def test_broken_toml_names_the_file_and_line(tmp_path):
    error = error_for(tmp_path, MINIMAL + "\n[workforce.turnover\nannual_rate = 0.1\n")
    assert error.key == ""
    assert error.file == str(tmp_path / "scenario.toml")
    assert "invalid TOML" in error.message and "line 11" in error.message


def test_a_missing_file_is_named():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("no/such/scenario.toml")
    assert str(caught.value) == "no/such/scenario.toml: file not found"


def test_a_file_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "s.toml"
    path.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_scenario(path)


@pytest.mark.parametrize("old, new, key", [
    ('name = "minimal"', 'name = "minimal"\n"function-x" = 1', "function-x"),
    ("levels = { sw = { in_post = 200 } }", '[workforce.levels.sw]\nin_post = 200\n"[key]" = 1',
     "workforce.levels.sw.[key]"),
])
def test_keys_that_look_like_pydantic_internals_are_reported_as_unknown(tmp_path, old, new, key):
    error = error_for(tmp_path, MINIMAL.replace(old, new))
    assert (error.key, error.message.startswith("unknown key")) == (key, True)


def test_a_whole_number_may_be_written_as_a_float_without_fraction(tmp_path):
    text = MINIMAL.replace("establishment = 300", "establishment = 300.0")
    assert load_scenario(write(tmp_path, "s.toml", text)).workforce.establishment == 300


def test_add_posts_may_change_managers_only(tmp_path):
    text = MINIMAL + '\n[[policy]]\nafter_days = 0\ndo = "add_posts"\nmanagers = 2\n'
    assert load_scenario(write(tmp_path, "s.toml", text)).policy[0].managers == 2


# --- the JSON Schema -----------------------------------------------------------------------------

def test_json_schema_is_json_and_names_every_section():
    schema = json.loads(json.dumps(scenario_json_schema()))
    sections = {"name", "start", "demand", "workforce", "policy", "extends"}
    assert sections <= set(schema["properties"])
    assert set(schema["required"]) == {"name", "start", "demand", "workforce"}


# --- robustness ----------------------------------------------------------------------------------

TOML_BITS = st.sampled_from(
    ['"', "=", "[", "]", "{", "}", ",", ".", "\n", " ", "-", "0", "1", "7", "0.5", "1e400", "inf",
     "nan", "true", "2015-01-01", "dist", "gamma", "policy", "[[policy]]", "extends", "x", "#"])
MUTATION = st.tuples(st.integers(0, len(FULL)), st.integers(0, 12),
                     st.lists(TOML_BITS, max_size=4).map("".join))


def _load_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            assert isinstance(load_scenario(path), Scenario)
        except ScenarioError as error:
            assert "\n" not in str(error) and str(error).startswith(str(path))


@settings(max_examples=200, deadline=None)
@given(st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_toml_gives_a_scenario_or_a_scenario_error(mutations):
    text = FULL
    for at, cut, insert in mutations:
        text = text[:at] + insert + text[at + cut:]
    _load_text(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_garbage_text_gives_a_scenario_error(text):
    _load_text(text)


def _dotted_keys(value, prefix=""):
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return [prefix]
    keys = [prefix] if prefix else []
    for key, item in items:
        keys += _dotted_keys(item, f"{prefix}.{key}" if prefix else str(key))
    return keys


with tempfile.TemporaryDirectory() as _folder:
    FULL_KEYS = _dotted_keys(load_scenario(write(Path(_folder), "s.toml", FULL)).model_dump(
        mode="json"))
ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | st.dates(),
    lambda inner: st.lists(inner, max_size=13) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8)
KEY = st.sampled_from(FULL_KEYS) | st.sampled_from(FULL_KEYS).map(lambda k: k + ".x") | st.text(
    max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEY, ANY_VALUE, min_size=1, max_size=3))
def test_random_overrides_give_a_scenario_or_a_scenario_error(overrides):
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "s.toml", FULL)
        try:
            assert isinstance(load_scenario(path, overrides=overrides), Scenario)
        except ScenarioError as error:
            assert "\n" not in str(error) and error.file in (str(path), "<--set>")


def test_plans_whose_cases_can_never_close_are_refused(tmp_path):
    """cin -> cp -> cin with no way to close: cases would cycle for ever (and, with zero-day
    durations, without the clock moving)."""
    from sim.scenario.loading import ScenarioError, load_scenario

    path = tmp_path / "loop.toml"
    path.write_text(SMALL + '\n[demand.cin]\nnext = { cp = 1.0 }\n[demand.cp]\nnext = { cin = 1.0 }\n')
    with pytest.raises(ScenarioError, match=r"demand\.cin\.next.*never close"):
        load_scenario(path)
