"""`caseload validate` in words (issue 20, Build 6): a short summary of the scenario, warnings for
policy actions that change more than their words say or cannot bind, `--json` for the resolved
scenario; and no traceback when the reader of any command's output goes away (a closed pipe)."""
from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from processes import ROOT, SMALL

from sim.cli.main import main

CLOSED_PIPE_STATUS = 128 + signal.SIGPIPE


def policy(*actions: str) -> str:
    return SMALL + "".join(f"\n[[policy]]\n{action}\n" for action in actions)


def validate(tmp_path, capsys, text: str, *options: str) -> tuple[list[str], list[str]]:
    """validate's summary lines and its warnings (stderr lines) for the scenario `text`."""
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path), *options]) == 0
    captured = capsys.readouterr()
    return captured.out.splitlines(), captured.err.splitlines()


def test_validate_prints_the_scenario_and_each_action_in_words_with_its_date(tmp_path, capsys):
    out, err = validate(tmp_path, capsys, policy(
        'at = 2020-10-01\ndo = "add_posts"\ncount = 10\nover_months = 6\nmanagers = 2',
        'after_days = 30\ndo = "set_agency"\nmax_share = 0.05\nnote = "agency down"',
        'at = 2021-01-01\ndo = "set_cap"\ncaps = { sw = 18 }\nwhen_full = "queue"'))
    assert err == []
    text = "\n".join(out)
    assert out[0] == "small (small)"   # no title: the name
    assert "start 2020-04-01, horizon 1 years (to 2021-04-01)" in text
    assert "establishment 40 case-holding posts" in text
    assert "6 newly qualified (nqsw), 28 experienced (sw); 2 agency (5.56% of case-holders)" in text
    assert "caps: nqsw 15, sw 20; agency 20" in text
    assert "referrals 1,500 a year; open cases at the start 600 = 16.7 per case-holder" in text
    # in date order, each with its date and what it does
    assert out[-4:] == [
        "policy: 3 actions",
        "  2020-05-01  policy.1: agency share at most 5% of case-holders  (agency down)",
        "  2020-10-01  policy.0: add 10 social worker posts and add 2 manager posts, phased over "
        "6 months",
        "  2021-01-01  policy.2: set caps sw 18 (hard: cases wait when everyone is full)"]
    assert len(out) < 15


def test_validate_json_prints_the_resolved_scenario(tmp_path, capsys):
    out, _ = validate(tmp_path, capsys, SMALL, "--json")
    assert json.loads("\n".join(out))["workforce"]["establishment"] == 40


def test_one_cap_for_every_level_that_raises_the_newly_qualified_cap_is_warned(tmp_path, capsys):
    _, err = validate(tmp_path, capsys, policy('at = 2020-06-01\ndo = "set_cap"\ncap = 18'))
    assert len(err) == 1
    assert "policy.0 (set_cap on 2020-06-01)" in err[0]
    assert "raises nqsw from 15 to 18" in err[0] and "caps = { sw = 18 }" in err[0]
    # the same cut written by level, or one cap that lowers every level, says what it does
    for action in ('caps = { sw = 18 }', 'cap = 14'):
        _, err = validate(tmp_path, capsys, policy(f'at = 2020-06-01\ndo = "set_cap"\n{action}'))
        assert err == []


def test_an_agency_cap_the_agency_share_cannot_reach_is_warned(tmp_path, capsys):
    # 34 permanent and 2 agency in 40 posts: even with all 4 uncovered posts covered, agency is
    # 6 of 40 case-holders, 15%
    _, err = validate(tmp_path, capsys, policy('at = 2020-06-01\ndo = "set_agency"\n'
                                               'max_share = 0.2\ncover = 1.0'))
    assert len(err) == 1 and "cannot bind" in err[0] and "agency would be 15%" in err[0], err
    # no agency cover (the default): the 2 agency workers now, 5.56%, are the most there will be
    _, err = validate(tmp_path, capsys, policy('at = 2020-06-01\ndo = "set_agency"\n'
                                               'max_share = 0.05'))
    assert err == []
    # 20 more posts could be covered by agency: 26 of 60, 43%, so a 20% cap can bind
    _, err = validate(tmp_path, capsys, policy(
        'at = 2020-05-01\ndo = "add_posts"\ncount = 20',
        'at = 2020-06-01\ndo = "set_agency"\nmax_share = 0.2\ncover = 1.0'))
    assert err == []


def test_hire_to_caseload_above_todays_caseload_is_warned(tmp_path, capsys):
    # 600 open cases at the start: at 20 each they need 30 posts, and there are 40 already
    _, err = validate(tmp_path, capsys, policy('at = 2020-06-01\ndo = "hire_to_caseload"\n'
                                               'target = 20'))
    assert len(err) == 1 and "adds no posts at first" in err[0] and "need 30 posts" in err[0]
    assert "above 800" in err[0]
    _, err = validate(tmp_path, capsys, policy('at = 2020-06-01\ndo = "hire_to_caseload"\n'
                                               'target = 12'))
    assert err == []   # 50 posts needed


def test_the_shipped_manchester_plan_gets_no_policy_warning(capsys):
    assert main(["validate", str(ROOT / "scenarios" / "manchester-2016-plan.toml")]) == 0
    assert capsys.readouterr().err == ""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipe") / "tiny.toml"
    path.write_text(SMALL.replace("years = 1", "years = 0.1"), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "validate --json", "schema", "run"])
def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(command, tiny, tmp_path):
    """`caseload ... | head -1`: the reader is gone before the command writes (its end of the
    pipe closed at once), so the command's first write meets a closed pipe."""
    args = {"validate": [str(tiny)], "validate --json": [str(tiny), "--json"], "schema": [],
            "run": [str(tiny), "--reps", "2", "--workers", "1", "--no-figures",
                    "--out", str(tmp_path / "out")]}[command]
    process = subprocess.Popen([sys.executable, "-m", "sim", command.split()[0], *args],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert process.returncode == CLOSED_PIPE_STATUS, err.decode()
    assert b"Traceback" not in err and b"Error" not in err, err.decode()
