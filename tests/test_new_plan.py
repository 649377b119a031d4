"""`caseload new-plan` (issue 20, Build 7): a commented plan file on a council's baseline that
runs as the baseline until its examples are uncommented, each of which is a valid action."""
from __future__ import annotations

import re

from sim.cli.main import main
from sim.scenario.loading import load_scenario


def new_plan(tmp_path, capsys, *options: str) -> tuple[int, str]:
    status = main(["new-plan", "--la", "Leeds City Council", "--year", "2017",
                   "--out", str(tmp_path / "leeds-plan.toml"),
                   "--baseline", str(tmp_path / "councils" / "leeds-2017.toml"), *options])
    return status, capsys.readouterr().err


def test_new_plan_writes_a_baseline_and_a_plan_that_is_the_baseline_until_edited(tmp_path,
                                                                                  capsys):
    status, err = new_plan(tmp_path, capsys)
    assert status == 0, err
    plan = load_scenario(tmp_path / "leeds-plan.toml")
    baseline = load_scenario(tmp_path / "councils" / "leeds-2017.toml")
    assert (plan.name, plan.title, plan.policy) == ("leeds-2017-plan", "Leeds 2017: plan", [])
    assert plan.model_copy(update={"name": baseline.name, "title": baseline.title}) == baseline
    text = (tmp_path / "leeds-plan.toml").read_text(encoding="utf-8")
    assert 'extends = ["councils/leeds-2017.toml"]' in text
    assert f"caseload validate {(tmp_path / 'leeds-plan.toml').as_posix()}" in text


def test_every_example_action_of_the_plan_is_valid_and_commented(tmp_path, capsys):
    assert new_plan(tmp_path, capsys)[0] == 0
    path = tmp_path / "leeds-plan.toml"
    text = path.read_text(encoding="utf-8")
    examples = re.findall(r"^# (\[\[policy\]\]\n(?:# \w+ = .*\n)+)", text, re.M)
    uncommented = "".join("\n" + "\n".join(line.removeprefix("# ")
                                            for line in example.splitlines()) + "\n"
                          for example in examples)
    path.write_text(text + uncommented, encoding="utf-8")
    plan = load_scenario(path)
    assert [action.do for action in plan.policy] == [
        "add_posts", "hire_to_caseload", "set_cap", "set_agency", "retention",
        "divert_referrals", "set_referrals"]
    # each example value carries a comment saying where its figure should come from
    for example in examples:
        for line in example.splitlines()[1:]:
            if not line.startswith(("# do =", "# note =")):
                assert "# source" in line or "# assumption" in line, line


def test_new_plan_never_overwrites_a_plan_and_keeps_an_existing_baseline(tmp_path, capsys):
    assert new_plan(tmp_path, capsys)[0] == 0
    plan, baseline = tmp_path / "leeds-plan.toml", tmp_path / "councils" / "leeds-2017.toml"
    plan.write_text("my plan", encoding="utf-8")
    status, err = new_plan(tmp_path, capsys)
    assert status == 2 and "already exists" in err and len(err.splitlines()) == 1
    assert plan.read_text(encoding="utf-8") == "my plan"
    # a baseline already there (edited by its analyst) is used as it is
    plan.unlink()
    edited = baseline.read_text(encoding="utf-8") + "# my note\n"
    baseline.write_text(edited, encoding="utf-8")
    status, err = new_plan(tmp_path, capsys)
    assert status == 0 and "using the baseline already in" in err
    assert baseline.read_text(encoding="utf-8") == edited
