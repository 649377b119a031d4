"""`caseload compare` and `sim.compare`: paired differences against the first scenario, with
common random numbers unless --independent."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import scenario as council
from fakes import FakeScenario, fake_replication

import sim
from sim.api import CompareResults
from sim.runner.batch import scenario_seeds
from sim.cli.main import main
from sim.analysis.comparison import COMPARISON_COLUMNS, paired_stats
from sim.model.metrics import METRIC_NAMES

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "councils" / "manchester-2016.toml"
PLAN = ROOT / "scenarios" / "manchester-2016-plan.toml"


def fake_pair(**options) -> CompareResults:
    """Scenario b's caseload is exactly 1 below a's in every replication; all else is equal."""
    scenarios = [FakeScenario(name="a"), FakeScenario(name="b", caseload_level=17.0)]
    return sim.compare(scenarios, reps=6, seed=2, workers=1, replicate=fake_replication,
                       **options)


def test_compare_is_exported_from_the_package():
    from sim.api import compare

    assert sim.compare is compare
    assert "compare" in sim.__all__


def test_differences_pair_replications_with_common_random_numbers():
    differences = fake_pair().differences()
    assert list(differences.columns) == list(COMPARISON_COLUMNS)
    caseload = differences[differences.metric == "caseload_mean"]
    assert caseload["year"].tolist() == [1, 2]
    assert (caseload["scenario"] == "b").all() and (caseload["baseline"] == "a").all()
    assert caseload["mean_diff"].to_numpy() == pytest.approx([-1.0, -1.0])
    assert caseload["ci_low"].to_numpy() == pytest.approx([-1.0, -1.0])
    assert caseload["ci_high"].to_numpy() == pytest.approx([-1.0, -1.0])
    assert (caseload["p_lower"] == 1.0).all()
    unchanged = differences[differences.metric == "open_cases"]
    assert (unchanged["mean_diff"] == 0).all() and (unchanged["p_lower"] == 0).all()


def test_independent_random_numbers_make_the_same_difference_noisy():
    differences = fake_pair(independent=True).differences()
    caseload = differences[differences.metric == "caseload_mean"]
    assert (caseload["ci_high"] - caseload["ci_low"] > 0.5).all()
    assert caseload["p_lower"].between(0, 1).all()


def test_independent_seeds_keep_the_root_seed_for_the_first_scenario_only():
    seeds = scenario_seeds(7, 3, independent=True)
    assert seeds[0] == 7 and len(set(seeds)) == 3
    assert scenario_seeds(7, 3) == [7, 7, 7]
    assert scenario_seeds(7, 3, independent=True) == seeds  # reproducible


def test_paired_stats_by_hand():
    scenario = np.array([[1.0], [2.0], [np.nan], [7.0]])
    baseline = np.array([[2.0], [2.0], [5.0], [4.0]])
    result = paired_stats(scenario, baseline)  # differences -1, 0, 3 (one pair missing)
    assert result["n"][0] == 3
    assert result["mean_diff"][0] == pytest.approx(2 / 3)
    assert result["p_lower"][0] == pytest.approx(1 / 3)
    half = 4.302652729911275 * np.std([-1, 0, 3], ddof=1) / np.sqrt(3)
    assert result["ci_low"][0] == pytest.approx(2 / 3 - half)


def test_common_random_numbers_give_a_narrower_interval_than_independent_ones():
    base = council({"years": 1})
    more_posts = council({"name": "more-posts", "years": 1, "workforce": {"establishment": 46}})
    widths = {}
    for independent in (False, True):
        differences = sim.compare([base, more_posts], reps=8, seed=3, workers=1,
                                  independent=independent).differences()
        row = differences[(differences.metric == "caseload_mean") & (differences.year == 1)]
        widths[independent] = float((row["ci_high"] - row["ci_low"]).iloc[0])
    assert widths[False] < widths[True]


def test_until_ci_in_a_comparison_judges_the_paired_difference():
    results = fake_pair(until_ci="caseload_mean:0.01")
    # each scenario's caseload is noisy, but their paired difference is exactly -1
    assert results.stopping["reason"] == "half-width reached"
    assert results.stopping["reps_used"] == 6  # the ceiling is below the 10-replication minimum
    assert results.stopping["on"] == "paired difference from the first scenario"


def test_compare_needs_two_scenarios_with_different_names():
    with pytest.raises(ValueError, match="at least two"):
        sim.compare([FakeScenario()], reps=2, replicate=fake_replication)
    with pytest.raises(ValueError, match="repeated"):
        sim.compare([FakeScenario(), FakeScenario()], reps=2, replicate=fake_replication)


def test_compare_folder_has_the_comparison_files(tmp_path):
    fake_pair(out=tmp_path)
    for name in ("comparison.csv", "comparison.png", "summary.csv", "final.csv",
                 "timeseries.parquet", "run.json", "caseload.png", "costs.png", "report.html"):
        assert (tmp_path / name).is_file(), name
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert len(table) == len(METRIC_NAMES) * 2
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["independent"] is False
    assert [s["seed"] for s in record["scenarios"]] == [2, 2]


def caseload(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "sim", *args], check=False, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_caseload_compare_writes_comparison_csv_and_a_headline(tmp_path):
    result = caseload("compare", str(BASELINE), str(PLAN), "--set", "years=0.5", "--reps", "3",
                      "--workers", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "results" / "manchester-2016-vs-manchester-2016-plan"
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert set(table["scenario"]) == {"manchester-2016-plan"}
    assert set(table["baseline"]) == {"manchester-2016"}
    assert table["p_lower"].dropna().between(0, 1).all()
    assert (out / "comparison.png").is_file()
    assert "manchester-2016-plan minus manchester-2016" in result.stdout
    assert "caseload per worker" in result.stdout


def test_caseload_compare_refuses_two_scenarios_with_one_name(capsys):
    status = main(["compare", str(PLAN), str(PLAN), "--reps", "2"])
    assert status == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "names must differ" in error[0]


def test_caseload_compare_help_has_an_example_and_explains_independent(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = capsys.readouterr().out
    assert "Example: caseload compare" in text
    assert "--independent" in text and "common" in text
    for option in ("--reps", "--seed", "--out", "--workers", "--scheduler", "--resume",
                   "--set", "--quiet", "--until-ci"):
        assert option in text, option
