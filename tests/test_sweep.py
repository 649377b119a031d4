"""`caseload sweep` and `sim.experiments.sweep.sweep`: a scenario at each value of one or more dotted keys, with
common random numbers across points, summarised per value and year in sweep.csv."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import MINIMAL
from builders import scenario as council

import sim
from sim.cli.main import main
from sim.experiments.sweep import RESULT_COLUMNS, Axis, grid, sweep

ROOT = Path(__file__).resolve().parents[1]
MANCHESTER = ROOT / "scenarios" / "councils" / "manchester-2016.toml"


def year_end(table: pd.DataFrame, metric: str, year: int) -> pd.DataFrame:
    return table[(table["metric"] == metric) & (table["year"] == year)]


def test_values_are_read_as_toml_and_a_range_is_evenly_spaced():
    assert Axis.from_values("k", "0.1, 2,queue,true").values == (0.1, 2, "queue", True)
    assert Axis.from_range("k", "0.05:0.30:6").values == (0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
    for bad in ("0.1:0.2", "a:b:3", "0:1:1", "0:1:2:3"):
        with pytest.raises(ValueError, match="LOW:HIGH:N"):
            Axis.from_range("k", bad)
    with pytest.raises(ValueError, match="commas"):
        Axis.from_values("k", "0.1,,0.2")


def test_a_grid_holds_every_combination_the_last_key_fastest():
    points = grid([Axis("a", (1, 2)), Axis("b", ("x", "y", "z"))])
    assert points[:2] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}] and len(points) == 6
    with pytest.raises(ValueError, match="repeated"):
        grid([Axis("a", (1,)), Axis("a", (2,))])


def test_sweep_csv_labels_each_grid_point_and_shares_random_numbers(tmp_path):
    axes = [Axis("workforce.turnover.annual_rate", (0.05, 0.4)),
            Axis("costs.recruitment_per_hire", (0, 9000))]
    results = sweep(council(), axes, reps=3, seed=5, workers=1, out=tmp_path)
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert list(table.columns) == ["param", "value", "param2", "value2", *RESULT_COLUMNS]
    assert set(table["param"]) == {"workforce.turnover.annual_rate"}
    assert set(table["param2"]) == {"costs.recruitment_per_hire"}
    assert (year_end(table, "caseload_mean", 2)["n"] == 3).all() and set(table["year"]) == {1, 2}
    caseload = year_end(table, "caseload_mean", 2).set_index(["value", "value2"])["mean"]
    # a cost rate changes nothing sampled: with common random numbers the caseloads are equal
    assert caseload[(0.05, 0)] == caseload[(0.05, 9000)]
    assert caseload[(0.4, 0)] == caseload[(0.4, 9000)]
    leavers = year_end(table, "turnover_12m", 2).set_index(["value", "value2"])["mean"]
    assert leavers[(0.4, 0)] > leavers[(0.05, 0)]
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["status"] == "complete" and run["sweep"]["points"] == 4
    assert run["points"][1]["overrides"] == {"workforce.turnover.annual_rate": 0.05,
                                             "costs.recruitment_per_hire": 9000}
    assert len(results.points) == 4


def test_higher_turnover_raises_manchesters_year_3_caseload():
    baseline = sim.load_scenario(MANCHESTER, overrides={"years": 3})
    axis = Axis.from_range("workforce.turnover.annual_rate", "0.05:0.30:6")
    table = sweep(baseline, [axis], reps=3, seed=1, workers=1).table
    median = year_end(table, "caseload_mean", 3)["p50"].to_numpy()
    permanent = year_end(table, "staff_permanent", 3)["p50"].to_numpy()
    # agency workers cover most vacancies, so the caseload rises little (with 3 replications the
    # medians at the two ends can tie: soft caps and common random numbers give the same open
    # cases, and the same head count can follow); permanent staff fall
    assert np.polyfit(axis.values, median, 1)[0] > 0 and median[-1] >= median[0]
    assert np.polyfit(axis.values, permanent, 1)[0] < 0 and permanent[-1] < permanent[0]


def test_the_command_writes_sweep_csv_and_resumes(tmp_path, capsys):
    path = tmp_path / "scenario.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    args = ["sweep", str(path), "--param", "workforce.recruitment.time_to_hire_days",
            "--values", "60,240", "--reps", "2", "--workers", "1", "--set", "years=0.5",
            "--set", "demand.referrals_per_year=1500", "--set", "workforce.establishment=40",
            "--set", "workforce.levels.sw.in_post=36", "--out", str(tmp_path / "out")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "caseload_mean in year 1: median (90% interval) by " \
           "workforce.recruitment.time_to_hire_days" in printed
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert list(table["value"].unique()) == [60, 240]
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["points"][0]["overrides"] == {"workforce.recruitment.time_to_hire_days.mean": 60}
    assert main([*args, "--resume", "--quiet"]) == 0
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["resumed"] == {"replications_reused": 2}


BAD_OPTIONS = [
    ([], "--param KEY"),
    (["--param", "workforce.turnover.annual_rate"], "followed by one --values"),
    (["--values", "1,2"], "followed by one --values"),
    (["--param", "years", "--range", "1:2"], "--range of --param years: expected LOW:HIGH:N"),
    (["--param", "workforce.turnover.anual_rate", "--values", "0.1"],
     "workforce.turnover.anual_rate: unknown key; did you mean 'annual_rate'"),
    (["--param", "workforce.turnover.annual_rate", "--values", "0.1,9"],
     "workforce.turnover.annual_rate: 9 is out of range"),
    (["--param", "years", "--values", "1", "--param", "years", "--values", "2"], "repeated"),
]


@pytest.mark.parametrize("options, words", BAD_OPTIONS, ids=[w for _, w in BAD_OPTIONS])
def test_bad_sweep_options_exit_2_on_one_line(tmp_path, capsys, options, words):
    path = tmp_path / "scenario.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    status = main(["sweep", str(path), *options, "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert status == 2 and "Traceback" not in err
    assert len(errors) == 1 and words in errors[0]
    assert not (tmp_path / "out" / "chunks").exists()
