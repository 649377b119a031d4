"""`caseload validate` and `caseload schema` as a user meets them: bad input exits 2 with one line
on stderr naming the key, never a traceback; good input exits 0 with JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import MINIMAL

ROOT = Path(__file__).resolve().parents[1]



def caseload(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "sim", *args], check=False, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]
    return lines[0]


BAD = [
    # (what, replace (old, new) in MINIMAL or None, extra TOML appended, key named on stderr)
    ("broken TOML", None, "[workforce.turnover\n", "line 11"),
    ("unknown key", ("referrals_per_year", "referals_per_year"), "", "demand.referals_per_year"),
    ("unknown key in a distribution", None,
     '[demand.cp]\nduration_days = { dist = "gamma", mean = 3, cvv = 1 }',
     "demand.cp.duration_days.cvv"),
    ("unknown key in a policy action", None,
     '[[policy]]\nat = 2017-01-01\ndo = "add_posts"\ncont = 3', "policy.0.cont"),
    ("wrong type", ("establishment = 300", 'establishment = "many"'), "",
     "workforce.establishment"),
    ("out of range", None, "[workforce.turnover]\nannual_rate = 7",
     "workforce.turnover.annual_rate"),
    ("missing required key", ("establishment = 300", ""), "", "workforce.establishment"),
    ("probabilities not summing to 1", None, "[demand.cp]\nnext = { cin = 0.7, close = 0.2 }",
     "demand.cp.next"),
    ("bad dist name", None, '[demand.cp]\nduration_days = { dist = "gama", mean = 3, cv = 1 }',
     "demand.cp.duration_days.dist"),
    ("bad do", None, '[[policy]]\nat = 2017-01-01\ndo = "add_post"\ncount = 3', "policy.0.do"),
    ("policy date before start", None, '[[policy]]\nat = 2015-01-01\ndo = "add_posts"\ncount = 3',
     "policy.0.at"),
    ("both at and after_days", None,
     '[[policy]]\nat = 2017-01-01\nafter_days = 3\ndo = "add_posts"\ncount = 3', "policy.0"),
    ("agency_in_post too large",
     ("establishment = 300", "establishment = 300\nagency_in_post = 150"), "",
     "workforce.agency_in_post"),
    ("unknown level name", ("sw = {", "snr = {"), "", "workforce.levels.snr"),
    ("missing extends file", ('name = "minimal"', 'extends = ["nowhere.toml"]\nname = "minimal"'),
     "", "extends"),
    ("cyclic extends", ('name = "minimal"', 'extends = ["scenario.toml"]\nname = "minimal"'), "",
     "extends"),
]


@pytest.mark.parametrize("what, replace, extra, key", BAD, ids=[case[0] for case in BAD])
def test_validate_reports_bad_input_on_one_line_with_exit_status_2(tmp_path, what, replace, extra,
                                                                    key):
    text = (MINIMAL.replace(*replace) if replace else MINIMAL) + "\n" + extra + "\n"
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    line = assert_one_line_error(caseload("validate", str(path)), key)
    assert str(path) in line


def test_validate_prints_the_resolved_scenario_as_json(tmp_path):
    (tmp_path / "base.toml").write_text(MINIMAL, encoding="utf-8")
    path = tmp_path / "plan.toml"
    path.write_text('extends = ["base.toml"]\nname = "plan"\n', encoding="utf-8")
    result = caseload("validate", str(path), "--json", "--set", "years=3",
                      "--set", "workforce.levels.sw.cap=22")
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert (resolved["name"], resolved["years"], resolved["start"]) == ("plan", 3, "2016-07-01")
    assert resolved["workforce"]["levels"]["sw"] == {"in_post": 200, "cap": 22,
                                                     "turnover_multiplier": 1}
    assert "extends" not in resolved


def test_validate_of_a_missing_file_exits_2(tmp_path):
    assert_one_line_error(caseload("validate", "missing.toml", cwd=tmp_path), "missing.toml",
                          "not found")


def test_a_bad_set_option_exits_2_naming_the_key(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    typo = caseload("validate", str(path), "--set", "workforce.turnover.anual_rate=1")
    assert_one_line_error(typo, "<--set>", "workforce.turnover.anual_rate", "annual_rate")
    assert_one_line_error(caseload("validate", str(path), "--set", "years"), "years", "KEY=VALUE")


def test_schema_prints_a_json_schema():
    result = caseload("schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["type"] == "object" and "workforce" in schema["properties"]
