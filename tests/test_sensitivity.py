"""`caseload sensitivity` and `sim.experiments.sensitivity`: Morris and Sobol designs analysed with SALib, checked
on the Ishigami function's known indices through the same design-and-analysis code, then on the
simulator with common random numbers across design points."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import MINIMAL
from builders import scenario as council

import sim
from sim.cli.main import main
from sim.scenario.loading import ScenarioError
from sim.experiments.sensitivity import COLUMNS, design_matrix, screen, sensitivity, study_scenario
from sim.experiments.sensitivity_spec import Spec, load_spec
from sim.experiments.variants import point_overrides, variant

ROOT = Path(__file__).resolve().parents[1]
TURNOVER_SPEC = ROOT / "scenarios" / "sensitivity" / "turnover.toml"
MANCHESTER_STYLE = ROOT / "scenarios" / "manchester-2016-manchester-style.toml"

A, B = 7.0, 0.1  # the Ishigami function's usual constants


def ishigami(X: np.ndarray) -> np.ndarray:
    """sin x1 + a sin^2 x2 + b x3^4 sin x1, for x in [-pi, pi]^3: one output per point."""
    x1, x2, x3 = X.T
    return (np.sin(x1) + A * np.sin(x2) ** 2 + B * x3 ** 4 * np.sin(x1))[:, None]


def ishigami_spec(**design) -> Spec:
    return Spec.model_validate({
        "metrics": ["caseload_mean"], "years": [1],
        "parameter": [{"key": f"x{i}", "range": [-math.pi, math.pi]} for i in (1, 2, 3)],
        **design})


def indices(table: pd.DataFrame, index: str) -> pd.DataFrame:
    return table[table["index"] == index].set_index("param")


def assert_inside(rows: pd.DataFrame, expected: dict[str, float]) -> None:
    for param, value in expected.items():
        low, high = rows.loc[param, "ci_low"], rows.loc[param, "ci_high"]
        assert low - 1e-9 <= value <= high + 1e-9, (param, value, low, high)


def test_sobol_recovers_the_ishigami_indices_within_their_intervals():
    variance_1 = 0.5 * (1 + B * math.pi ** 4 / 5) ** 2
    variance_2 = A ** 2 / 8
    variance_13 = B ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    total = variance_1 + variance_2 + variance_13
    results = screen(ishigami_spec(sobol={"samples": 1024}), "sobol", ishigami, seed=3)
    assert list(results.table.columns) == list(COLUMNS)
    assert results.X.shape == (1024 * 5, 3)
    assert_inside(indices(results.table, "S1"),
                  {"x1": variance_1 / total, "x2": variance_2 / total, "x3": 0.0})
    assert_inside(indices(results.table, "ST"), {"x1": (variance_1 + variance_13) / total,
                                                  "x2": variance_2 / total,
                                                  "x3": variance_13 / total})


def test_morris_recovers_the_ishigami_elementary_effects_and_their_ranking():
    # On a 4-level grid each step is 2/3 of the range, from -pi to pi/3 or from -pi/3 to pi:
    # |sin| changes by sqrt(3)/2, sin^2 by 3/4 and x^4 by (80/81) pi^4; the other inputs sit on
    # the grid's four levels with equal chance (mean of x3^4: (pi^4 + (pi/3)^4) / 2; of |sin x1|:
    # sqrt(3)/4). mu_star divides by the step in unit scale, 2/3.
    mean_x3_4 = (math.pi ** 4 + (math.pi / 3) ** 4) / 2
    expected = {"x1": 1.5 * math.sqrt(3) / 2 * (1 + B * mean_x3_4),
                "x2": 1.5 * A * 3 / 4,
                "x3": 1.5 * B * 80 / 81 * math.pi ** 4 * math.sqrt(3) / 4}
    results = screen(ishigami_spec(morris={"trajectories": 60}), "morris", ishigami, seed=3)
    assert results.X.shape == (60 * 4, 3)
    mu_star = indices(results.table, "mu_star")
    assert_inside(mu_star, expected)
    assert list(mu_star["value"].sort_values(ascending=False).index) == ["x2", "x1", "x3"]
    assert indices(results.table, "sigma")["ci_low"].isna().all()


def test_triangular_and_normal_parameters_are_drawn_inside_their_range():
    spec = Spec.model_validate({
        "metrics": ["caseload_mean"], "years": [1], "sobol": {"samples": 256},
        "parameter": [{"key": "a", "range": [0, 10], "dist": "triangular", "mode": 8},
                      {"key": "b", "range": [1, 2], "dist": "normal", "mean": 1.5, "sd": 0.1}]})
    X = design_matrix(spec, "sobol", seed=1)
    assert X[:, 0].min() >= 0 and X[:, 0].max() <= 10
    assert np.median(X[:, 0]) == pytest.approx(math.sqrt(0.5 * 10 * 8), abs=0.2)  # F = x²/80
    assert X[:, 1].min() >= 1 and X[:, 1].max() <= 2
    assert X[:, 1].std() == pytest.approx(0.1, abs=0.01)
    with pytest.raises(ValueError, match="required key missing with dist = 'triangular'"):
        Spec.model_validate({"metrics": ["caseload_mean"], "years": [1], "parameter": [
            {"key": "a", "range": [0, 1], "dist": "triangular"}]})


def test_a_distribution_key_takes_its_mean_with_its_shape_kept():
    base = council({"workforce": {"turnover": {"notice_days": {"dist": "uniform", "low": 20,
                                                               "high": 40}}}})
    overrides = point_overrides(base, {"workforce.recruitment.time_to_hire_days": 200.0,
                                       "workforce.turnover.notice_days": 60.0,
                                       "workforce.agency.start_days": 7.0,
                                       "workforce.establishment": 44.6})
    assert overrides == {"workforce.recruitment.time_to_hire_days.mean": 200.0,
                         "workforce.turnover.notice_days.low": 40.0,
                         "workforce.turnover.notice_days.high": 80.0,
                         "workforce.agency.start_days.value": 7.0,
                         "workforce.establishment": 45}
    changed = variant(base, {"workforce.recruitment.time_to_hire_days": 200.0}, 3)
    assert changed.name == "test-council.point-0003"
    assert changed.workforce.recruitment.time_to_hire_days.cv == \
        base.workforce.recruitment.time_to_hire_days.cv


def test_the_turnover_spec_holds_seven_keys_the_manchester_plan_accepts_at_both_ends():
    spec = load_spec(TURNOVER_SPEC)
    assert len(spec.parameter) == 7
    plan = sim.load_scenario(MANCHESTER_STYLE)
    base = study_scenario(plan, spec)
    assert base.years == max(spec.years) == 3
    assert spec.source == str(TURNOVER_SPEC)


def test_design_points_run_with_common_random_numbers_and_resume(tmp_path):
    spec = Spec.model_validate({
        "metrics": ["caseload_mean", "staff_permanent"], "years": [1], "reps": 2,
        "morris": {"trajectories": 2},
        "parameter": [{"key": "workforce.turnover.annual_rate", "range": [0.05, 0.4]},
                      {"key": "costs.recruitment_per_hire", "range": [0, 10000]}]})
    out = tmp_path / "morris"
    results = sensitivity(council(), spec, "morris", seed=4, workers=1, out=out)
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == 2 * 2 * 1 * 2  # indices x parameters x times x metrics
    # a cost rate changes nothing the model samples: with common random numbers its effect is 0
    cost = table[(table["param"] == "costs.recruitment_per_hire") & (table["index"] == "mu_star")]
    assert (cost["value"] == 0).all()
    turnover = table[(table["param"] == "workforce.turnover.annual_rate")
                     & (table["index"] == "mu_star") & (table["metric"] == "staff_permanent")]
    assert (turnover["value"] > 0).all()
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "complete"
    assert run["sensitivity"]["design_points"] == 6 and run["sensitivity"]["reps_per_point"] == 2
    assert run["sensitivity"]["horizon_years"] == 1
    assert len(run["points"]) == 6 and len({point["hash"] for point in run["points"]}) == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert {entry["seed"] for entry in manifest["scenarios"]} == {4}
    design = pd.read_csv(out / "design.csv")
    assert list(design.columns[-2:]) == ["caseload_mean_year1", "staff_permanent_year1"]

    again = sensitivity(council(), spec, "morris", seed=4, workers=1, out=out, resume=True)
    assert json.loads((out / "run.json").read_text())["resumed"] == {"replications_reused": 2}
    np.testing.assert_array_equal(again.Y, results.Y)


def test_a_year_after_the_horizon_is_refused_naming_the_spec():
    spec = Spec.model_validate({"metrics": ["caseload_mean"], "years": [9],
                                "parameter": [{"key": "years", "range": [1, 2]}]})
    with pytest.raises(ScenarioError, match="<spec>: years: 9 is after the scenario's horizon"):
        study_scenario(council(), spec)


GOOD_SPEC = """\
metrics = ['caseload_mean']
years = [1]

[[parameter]]
key = 'workforce.recruitment.success'
range = [0.2, 0.9]
"""
BAD_SPECS = [
    # (what is appended to GOOD_SPEC, or (old, new) replaced in it; the key named; a hint)
    (("['caseload_mean']", "['caseload_man']"), "metrics.0", "caseload_mean"),
    ("[morris]\nlevels = 3", "morris.levels", "even"),
    ("[sobol]\nsamples = 100", "sobol.samples", "power of 2"),
    ("[[parameter]]\nkey = 'workforce.turnover.annual_rate'\nrange = [0.3, 0.1]",
     "parameter.1.range", "low < high"),
    ("[[parameter]]\nkey = 'workforce.turnover.anual_rate'\nrange = [0.1, 0.3]",
     "parameter.1", "annual_rate"),
    ("[[parameter]]\nkey = 'workforce.turnover.annual_rate'\nrange = [0.1, 9]",
     "parameter.1", "out of range"),
]


@pytest.mark.parametrize("change, key, hint", BAD_SPECS, ids=[case[1] for case in BAD_SPECS])
def test_a_bad_spec_exits_2_on_one_line_naming_the_file_and_key(tmp_path, capsys, change, key,
                                                                 hint):
    (tmp_path / "scenario.toml").write_text(MINIMAL, encoding="utf-8")
    text = (GOOD_SPEC.replace(*change) if isinstance(change, tuple)
            else GOOD_SPEC + "\n" + change + "\n")
    (tmp_path / "spec.toml").write_text(text, encoding="utf-8")
    status = main(["sensitivity", str(tmp_path / "scenario.toml"), "--spec",
                   str(tmp_path / "spec.toml"), "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert status == 2 and "Traceback" not in err
    assert len(errors) == 1 and err.splitlines()[-1] == errors[0]
    assert str(tmp_path / "spec.toml") in errors[0] and key in errors[0] and hint in errors[0]
    assert not (tmp_path / "out" / "chunks").exists()


def test_the_command_writes_sensitivity_csv_and_prints_the_ranking(tmp_path, capsys):
    (tmp_path / "scenario.toml").write_text(MINIMAL, encoding="utf-8")
    (tmp_path / "spec.toml").write_text(
        "metrics = ['caseload_mean']\nyears = [0.5]\nreps = 1\n[sobol]\nsamples = 2\n"
        "[[parameter]]\nkey = 'workforce.turnover.annual_rate'\nrange = [0.05, 0.4]\n"
        "[[parameter]]\nkey = 'workforce.recruitment.time_to_hire_days'\nrange = [60, 240]\n",
        encoding="utf-8")
    out = tmp_path / "out"
    status = main(["sensitivity", str(tmp_path / "scenario.toml"), "--spec",
                   str(tmp_path / "spec.toml"), "--method", "sobol", "--workers", "1",
                   "--reps", "2", "--set", "demand.referrals_per_year=1500",
                   "--set", "workforce.establishment=40", "--set", "workforce.levels.sw.in_post=36",
                   "--out", str(out)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "caseload_mean in year 0.5: parameters by ST" in printed
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table["index"]) == {"S1", "ST"} and set(table["method"]) == {"sobol"}
    run = json.loads((out / "run.json").read_text())
    assert run["sensitivity"]["design_points"] == 2 * 4 and run["replications"] == 2
    assert run["command"].startswith("caseload sensitivity")
