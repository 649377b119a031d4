"""Source comments of scenario keys: read line by line, following `extends`."""
from __future__ import annotations

from sim.scenario.loading import load_scenario
from sim.scenario.comments import OVERRIDE, flatten, key_comments, key_sources, split_comment

BASE = """\
# A header block: not about any key
# on two lines.

name = "base"
start = 2016-07-01
years = 5                     # assumption: five-year plan

[demand]
# DfE referrals 2016
referrals_per_year = 1200
no_further_action = 0.2       # DfE: 20% "no further action" # not a second comment

[workforce]
establishment = 40            # FACTS: 40 posts
levels = { sw = { in_post = 30, cap = 20 } }   # FACTS: Wakefield cap 20

[[policy]]
after_days = 10               # first action
do = "retention"
turnover_multiplier = 0.9

[[policy]]
# second action, comment above
after_days = 20
do = "retention"
turnover_multiplier = 0.8
"""

PLAN = """\
extends = ["base.toml"]
name = "plan"
title = "A plan # with a hash in the title"   # the title's comment

[workforce]
establishment = 50            # plan: ten more posts

[[policy]]
after_days = 30               # the plan's only action
do = "add_posts"
count = 10
"""


def test_comment_is_the_text_after_a_hash_outside_strings():
    assert split_comment('a = "x # y"  # real') == ('a = "x # y"  ', "real")
    assert split_comment("a = 'x # y'") == ("a = 'x # y'", "")
    assert split_comment(r'a = "q\"# still text" # c') == (r'a = "q\"# still text" ', "c")


def test_key_comments_take_the_line_then_the_lines_above():
    comments = key_comments(BASE)
    assert comments["years"] == "assumption: five-year plan"
    assert comments["demand.referrals_per_year"] == "DfE referrals 2016"
    assert comments["demand.no_further_action"] == 'DfE: 20% "no further action" # not a ' \
                                                  "second comment"
    assert comments["workforce.levels"] == "FACTS: Wakefield cap 20"
    assert "name" not in comments  # a blank line separates the header block
    assert comments["policy.0.after_days"] == "first action"
    assert comments["policy.1.after_days"] == "second action, comment above"


def test_a_value_spanning_lines_takes_the_comment_of_its_first_line():
    text = ('seasonality = [  # monthly\n  1.0, # january\n  "]", 1.0,\n]  # end\n'
            'years = 2  # two\n')
    assert key_comments(text) == {"seasonality": "monthly", "years": "two"}


def test_key_sources_follow_extends_and_mark_overrides(tmp_path):
    (tmp_path / "base.toml").write_text(BASE)
    (tmp_path / "plan.toml").write_text(PLAN)
    sc = load_scenario(tmp_path / "plan.toml", overrides={"years": 3})
    sources = key_sources(sc.model_dump(mode="json"), sc.sources)
    base, plan = str(tmp_path / "base.toml"), str(tmp_path / "plan.toml")
    assert sources["workforce.establishment"] == {"file": plan,
                                                  "comment": "plan: ten more posts"}
    assert sources["workforce.levels.sw.cap"] == {"file": base,
                                                  "comment": "FACTS: Wakefield cap 20"}
    assert sources["title"]["comment"] == "the title's comment"
    assert sources["years"] == {"file": OVERRIDE, "comment": ""}
    # the plan's [[policy]] list replaces the base's: only its one action, with its comment
    assert sources["policy.0.after_days"] == {"file": plan, "comment": "the plan's only action"}
    assert not any(key.startswith("policy.1") for key in sources)
    # keys no file gives keep their documented defaults and are left out
    assert "workforce.turnover.annual_rate" not in sources
    assert set(sources) <= {key for key, _ in flatten(sc.model_dump(mode="json"))}


def test_sources_are_not_recorded_without_readable_files(tmp_path):
    assert key_sources({"name": "x"}, []) is None
    assert key_sources({"name": "x"}, [str(tmp_path / "gone.toml")]) is None


def test_flatten_keeps_plain_lists_whole_and_indexes_tables():
    data = {"a": {"b": 1, "c": None}, "s": [1, 2], "p": [{"x": 1}, {"x": 2}]}
    assert list(flatten(data)) == [("a.b", 1), ("s", [1, 2]), ("p.0.x", 1), ("p.1.x", 2)]
