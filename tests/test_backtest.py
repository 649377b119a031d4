"""`caseload backtest`: scoring and naive forecasters on hand-worked tables, the baselines' use of
data up to the origin only, the conditional mode's actions, and the command end to end."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from test_cli_errors import ROOT, assert_one_line_error, caseload

from sim.experiments.backtest import (
    COLUMNS, council_runs, drift, given_actions, model_values, nearest_sample, summary_table,
)
from sim.data import panel
from sim.data.baseline import scenario_text_for
from sim.data.dfe import LOCAL, Extract, extract

NAN = math.nan


def _row(metric, actual, p05, p25, p50, p75, p95, persistence, drifted, horizon=1):
    return {"council": "X", "code": "1", "origin": 2018, "horizon": horizon, "metric": metric,
            "actual": actual, "p05": p05, "p25": p25, "p50": p50, "p75": p75, "p95": p95,
            "persistence": persistence, "drift": drifted}


# Absolute % errors (model p50 / persistence / drift) by hand:
#   A: actual 100: 110 -> 10, 80 -> 20, 125 -> 25; inside 50% band (90-120) and 90% (80-130)
#   B: actual 200: 190 -> 5, 260 -> 30, 200 -> 0; outside 50% (170-195), inside 90% (150-205)
#   C: actual 50: 65 -> 30, 45 -> 10, 40 -> 20; outside both (62-70, 60-80)
#   D: no actual (not scored)
#   E (caseload): actual 10: 12 -> 20, 10 -> 0, 11 -> 10; outside 50% (11-13), inside 90% (9-14)
SYNTHETIC = pd.DataFrame([
    _row("cases_held", 100, 80, 90, 110, 120, 130, 80, 125),
    _row("cases_held", 200, 150, 170, 190, 195, 205, 260, 200),
    _row("cases_held", 50, 60, 62, 65, 70, 80, 45, 40),
    _row("cases_held", NAN, 1, 2, 3, 4, 5, 3, 3),
    _row("caseload", 10, 9, 11, 12, 13, 14, 10, 11),
], columns=list(COLUMNS))


def test_summary_by_hand():
    summary = summary_table(SYNTHETIC).set_index("metric")
    cases = summary.loc["cases_held"]
    assert cases["cells"] == 3
    assert cases["mdape_model"] == pytest.approx(10)          # median of 10, 5, 30
    assert cases["mdape_persistence"] == pytest.approx(20)    # median of 20, 30, 10
    assert cases["mdape_drift"] == pytest.approx(20)          # median of 25, 0, 20
    assert cases["model_over_persistence"] == pytest.approx(0.5)
    assert cases["coverage_50"] == pytest.approx(1 / 3)
    assert cases["coverage_90"] == pytest.approx(2 / 3)
    pooled = summary.loc["all"]
    assert pooled["cells"] == 4
    assert pooled["mdape_model"] == pytest.approx(15)         # median of 10, 5, 30, 20
    assert pooled["mdape_persistence"] == pytest.approx(15)   # median of 20, 30, 10, 0
    assert pooled["mdape_drift"] == pytest.approx(15)         # median of 25, 0, 20, 10
    assert pooled["coverage_50"] == pytest.approx(1 / 4)
    assert pooled["coverage_90"] == pytest.approx(3 / 4)
    assert list(summary.index) == ["caseload", "cases_held", "all"]   # MEASURES' order


def test_change_skill_by_hand():
    # the model's moves log(p50 / persistence) and DfE's log(actual / persistence) of SYNTHETIC's
    # cases held: A +log(110/80), +log(100/80); B -log(260/190), -log(260/200); C +log(65/45),
    # +log(50/45). Ranks of the model's B < A < C, of DfE's B < C < A: Spearman 1 - 6 x 2 /
    # (3 x 8) = 0.5. Pairwise slopes AB 0.77, AC -2.36, BC 0.54: the median 0.54
    summary = summary_table(SYNTHETIC).set_index("metric")
    model = np.log([110 / 80, 190 / 260, 65 / 45])
    actual = np.log([100 / 80, 200 / 260, 50 / 45])
    cases = summary.loc["cases_held"]
    assert cases["change_rank_correlation"] == pytest.approx(0.5)
    assert cases["change_slope"] == pytest.approx((actual[2] - actual[1]) / (model[2] - model[1]))
    assert math.isnan(summary.loc["caseload", "change_slope"])      # one cell
    assert math.isnan(summary.loc["cases_held", "change_rank_correlation_low"])  # one council
    assert math.isnan(summary.loc["all", "change_rank_correlation"])  # measures don't pool


def test_change_skill_recovers_a_known_slope_and_says_nothing_of_no_move():
    from sim.experiments.backtest import change_skill

    # DfE's moves half the model's plus noise, with a few councils whose figures jump: the
    # robust slope is about 0.5 whatever the jumps; the model's moves reversed, about -0.5
    rng = np.random.default_rng(11)
    model = rng.normal(0, 0.1, 400)
    actual = 0.5 * model + rng.normal(0, 0.02, 400)
    actual[:8] += 2.0
    cells = pd.DataFrame({"code": np.arange(400).astype(str), "persistence": 50.0,
                          "p50": 50 * np.exp(model), "actual": 50 * np.exp(actual)})
    skill = change_skill(cells)
    assert skill.slope == pytest.approx(0.5, abs=0.03)
    assert skill.rank_correlation > 0.8
    assert skill.low < skill.rank_correlation < skill.high
    reversed_skill = change_skill(cells.assign(p50=50 * np.exp(-model)))
    assert reversed_skill.slope == pytest.approx(-0.5, abs=0.03)
    assert reversed_skill.rank_correlation == pytest.approx(-skill.rank_correlation)
    # a model that moves nothing (persistence itself) has no slope to score; nor has no cell
    assert all(math.isnan(v) for v in change_skill(cells.assign(p50=50.0)))
    assert all(math.isnan(v) for v in change_skill(cells.iloc[:0]))


def _change_cells(rng: np.random.Generator, councils: int, repeats: int = 1) -> pd.DataFrame:
    """A council's cells (`repeats` origins that all went the same way): the model's move and
    DfE's bivariate normal with correlation 0.3 (so a rank correlation of 6 / pi x asin(0.15))."""
    moves = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], councils) * 0.05
    return pd.DataFrame({"code": np.repeat(np.arange(councils).astype(str), repeats),
                         "persistence": 20.0, "p50": 20 * np.exp(np.repeat(moves[:, 0], repeats)),
                         "actual": 20 * np.exp(np.repeat(moves[:, 1], repeats))})


def test_the_rank_correlations_interval_holds_the_true_one_as_often_as_it_says():
    # 40 back-tests of 150 councils: the 90% interval should hold the true rank correlation
    # 6 / pi x asin(0.3 / 2) = 0.287 about 36 times (percentile bootstrap: near, not exactly;
    # 30-40 holds a binomial's 99.9%, give or take the bootstrap's own shortfall)
    from sim.experiments.backtest import change_skill

    rng = np.random.default_rng(17)
    true = 6 / math.pi * math.asin(0.15)
    held = sum(skill.low <= true <= skill.high
               for skill in (change_skill(_change_cells(rng, 150)) for _ in range(40)))
    assert 30 <= held <= 40


def test_the_rank_correlations_interval_resamples_councils_not_cells():
    # each council seen four times with the same moves: as much information as each seen once,
    # the same interval (resampling cells would narrow it by about half)
    from sim.experiments.backtest import change_skill

    once = change_skill(_change_cells(np.random.default_rng(2), 80))
    four_times = change_skill(_change_cells(np.random.default_rng(2), 80, repeats=4))
    assert (four_times.low, four_times.high) == pytest.approx((once.low, once.high))
    assert once.low < once.high


def _council_cells(model: np.ndarray, persistence: np.ndarray, repeats: int = 1) -> pd.DataFrame:
    """A cell per council (code i) with these absolute % errors, each council's cell `repeats`
    times (a council seen at several origins that all went the same way)."""
    codes = np.repeat(np.arange(model.size).astype(str), repeats)
    return pd.DataFrame({"code": codes, "ape_model": np.repeat(model, repeats),
                         "ape_persistence": np.repeat(persistence, repeats)})


def test_the_ratio_interval_holds_the_true_ratio_as_often_as_it_says():
    # model errors |N(0, 0.8^2)|, persistence's |N(0, 1)|, independent across 120 councils: the
    # ratio of the medians of their distributions is 0.8; the 90% interval should hold it about
    # nine times in ten (percentile bootstrap of a ratio of medians: near, not exactly)
    from sim.experiments.backtest import ratio_interval

    rng = np.random.default_rng(7)
    held = 0
    for _ in range(100):
        errors = np.abs(rng.normal(size=(2, 120))) * np.array([[0.8], [1.0]])
        low, high = ratio_interval(_council_cells(*errors))
        held += low <= 0.8 <= high
    assert 80 <= held <= 97


def test_the_ratio_interval_resamples_councils_not_cells():
    # the same councils, each seen four times with the same errors, carry no more information
    # than each seen once: the interval is the same (a bootstrap of cells would narrow it by
    # about half)
    from sim.experiments.backtest import ratio_interval

    errors = np.abs(np.random.default_rng(3).normal(size=(2, 60)))
    once = ratio_interval(_council_cells(*errors))
    four_times = ratio_interval(_council_cells(*errors, repeats=4))
    assert four_times == pytest.approx(once)
    assert once[0] < once[1]
    assert math.isnan(ratio_interval(_council_cells(errors[0][:1], errors[1][:1]))[0])


def test_the_summary_carries_the_ratio_interval():
    from sim.experiments.backtest import markdown_table

    # the model's errors half persistence's in every council: every resample's ratio is 0.5
    rows = [_row("cases_held", 100, 80, 90, 100 + k, 120, 130, 100 + 2 * k, 90) | {"code": str(k)}
            for k in range(1, 9)]
    summary = summary_table(pd.DataFrame(rows, columns=list(COLUMNS))).set_index("metric")
    cases = summary.loc["cases_held"]
    assert cases["model_over_persistence"] == pytest.approx(0.5)
    assert cases["model_over_persistence_low"] == pytest.approx(0.5)
    assert cases["model_over_persistence_high"] == pytest.approx(0.5)
    table = "\n".join(markdown_table(summary.reset_index()))
    assert "| 0.50 (0.50-0.50) |" in table
    # DfE's moves (k / 100) half the model's (2k / 100, near enough on the log scale): ranks all
    # right; the all-measures row has no moves to score
    assert cases["change_rank_correlation"] == pytest.approx(1.0)
    assert cases["change_rank_correlation_low"] == pytest.approx(1.0)
    assert f"| 1.00 (1.00 to 1.00), {cases['change_slope']:.2f} |" in table
    assert table.rstrip().endswith("| - |")


def test_drift_by_hand():
    # average change (130 - 100) / 2 = 15 a year, 2 years on: 130 + 30
    assert drift({2017: 100, 2018: 110, 2019: 130}, 2019, 2021) == pytest.approx(160)
    assert drift({2018: 50, 2019: 10}, 2019, 2021) == 0.0        # 10 - 80, clipped
    assert drift({2019: 42}, 2019, 2021) == 42                   # no history: persistence


def test_model_referrals_are_the_dfe_year_to_31_march():
    """Start 30 September 2018, weekly samples of 7 referrals (1 a day). The year to 31 March
    2020 is 1 April 2019 to 31 March 2020, days 183 to 549 (366 days, a leap year): the samples
    after day 183 up to 549 are days 189 to 546, 52 weeks = 364 referrals over 364 days, scaled to
    366."""
    days = np.arange(0, 1000, 7.0)
    start = dt.date(2018, 9, 30)
    values = lambda metric: np.full((2, days.size), 7.0)   # noqa: E731
    assert model_values(days, values, start, "referrals", 2020) == pytest.approx([366, 366])
    assert days[nearest_sample(days, 365)] == 364
    assert model_values(days, values, start, "referrals", 2022) is None   # past the run


def test_baselines_use_no_data_after_the_origin():
    """Each council's baseline at an origin is the same built from the whole extract and from
    its rows up to the origin year only."""
    text = resources.files("sim").joinpath("data/dfe_extract.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    full = extract()
    for origin in (2017, 2019, 2021):
        truncated = Extract([row for row in rows if int(row["time_period"]) <= origin])
        codes = [code for code in full.codes if full.coverage(code, origin).complete][::7]
        assert codes
        for code in codes:
            assert scenario_text_for(truncated, code, origin) == scenario_text_for(
                full, code, origin), (code, origin)


def _synthetic_extract() -> Extract:
    base = {"geographic_level": LOCAL, "region_name": "R", "la_code": "999", "la_name": "Z"}
    figures = {2018: ("90", "10", ""), 2019: ("100", "20", "1000"), 2020: ("100", "6", "1200"),
               2021: ("", "", "900"), 2022: ("", "", "")}
    return Extract([{**base, "time_period": str(year), "inpost_fte": a, "vacancy_fte": b,
                     "referral_count": c} for year, (a, b, c) in figures.items()])


def test_given_actions_by_hand():
    """DfE's posts (in post + vacancies) 100 in 2018, 120 in 2019, 106 in 2020, none in 2021: a
    50-post scenario from 2018 gets 60 posts by 30 September 2019 (+10 over the year before) and
    53 by 2020 (-7); referrals 1,000 for the year to March 2019 from the origin, 1,200 from
    1 April 2019, 900 from 1 April 2020, then none published."""
    data = _synthetic_extract()
    actions = given_actions(data, "999", 2018, {"workforce": {"establishment": 50}},
                            ["establishment", "referrals"])
    posts = [(a["at"], a["count"], a["over_months"]) for a in actions if a["do"] == "add_posts"]
    assert posts == [(dt.date(2018, 9, 30), 10, 12), (dt.date(2019, 9, 30), -7, 12)]
    referrals = [(a["at"], a["referrals_per_year"], a["growth_per_year"]) for a in actions
                 if a["do"] == "set_referrals"]
    assert referrals == [(dt.date(2018, 9, 30), 1000, 0.0), (dt.date(2019, 4, 1), 1200, 0.0),
                         (dt.date(2020, 4, 1), 900, 0.0)]


def test_given_posts_become_case_holding_posts_as_case_holders_follow_posts_in_the_panel():
    """Three councils whose case-holders are exactly posts^0.5 (council and year effects aside):
    the panel's elasticity is 0.5, and a council whose DfE posts go from 100 to 120 gets
    round(50 x 1.2^0.5) = 55 case-holding posts (+5, not +10)."""
    rows = []
    for code, sizes in {"991": (100, 150), "992": (80, 60), "993": (200, 260)}.items():
        for year, posts in zip((2017, 2018), sizes):
            holders = math.exp(0.5 * math.log(posts) + (year - 2017) / 10 + int(code) / 1000)
            rows.append({"geographic_level": LOCAL, "region_name": "R", "la_code": code,
                         "la_name": code, "time_period": str(year), "inpost_fte": str(posts - 10),
                         "vacancy_fte": "10", "case_holders_fte": f"{holders:.10f}"})
    for year, in_post in ((2018, "90"), (2019, "110")):
        rows.append({"geographic_level": LOCAL, "region_name": "R", "la_code": "999",
                     "la_name": "Z", "time_period": str(year), "inpost_fte": in_post,
                     "vacancy_fte": "10"})
    data = Extract(rows)
    assert panel.case_holders_posts_elasticity(data, 2018).estimate == pytest.approx(0.5)
    actions = given_actions(data, "999", 2018, {"workforce": {"establishment": 50}},
                            ["establishment"])
    assert [(a["at"], a["count"]) for a in actions] == [(dt.date(2018, 9, 30), 5)]
    assert panel.case_holders_posts_elasticity(data, 2017).estimate == 1.0   # one census


def test_plan_skips_reorganised_councils_with_the_reason():
    result = council_runs(["Wakefield", "Dorset"], [2018])
    assert [cell[:2] for cell in result.cells] == [("Wakefield", "384")]
    assert [(s.code, s.origin) for s in result.skipped] == [("835", 2018)]
    assert "reorganised" in result.skipped[0].reason
    # the reason names its origin, not only the later census it lacks (which read as origin 2019)
    assert result.skipped[0].reason.startswith("nothing to compare after 30 September 2018: ")
    given = council_runs(["Wakefield"], [2018], ["establishment", "referrals"]).scenarios[0]
    assert {action.do for action in given.policy} == {"add_posts", "set_referrals"}


def test_baselines_with_distributions_run_and_known_referrals_carry_no_drift():
    """The baselines' uncertain caseload elasticity is kept as a distribution (it failed to
    validate as a number), and given referrals set the referral walk to 0 while the
    unconditional run keeps the panel's."""
    plain = council_runs(["Wakefield"], [2019]).scenarios[0]
    given = council_runs(["Wakefield"], [2019], ["referrals"]).scenarios[0]
    assert "workforce.turnover.caseload_elasticity" in plain.uncertain
    assert plain.demand.yearly_change_sd > 0
    assert given.demand.yearly_change_sd == 0


def test_a_given_establishment_carries_no_drift_and_the_unconditional_run_keeps_the_panels():
    """Unconditionally the baseline's establishment follows England's trend and the panel's
    walk; given DfE's establishment, neither (the actual posts replace them)."""
    plain = council_runs(["Wakefield"], [2019]).scenarios[0].workforce.establishment_drift
    given = council_runs(["Wakefield"], [2019], ["establishment"]).scenarios[0]
    assert plain.growth_per_year > 0 and plain.yearly_change_sd > 0
    drift = given.workforce.establishment_drift
    assert (drift.growth_per_year, drift.yearly_change_sd) == (0, 0)
    assert any(action.do == "add_posts" for action in given.policy)


def test_backtest_command_end_to_end(tmp_path):
    out = tmp_path / "bt"
    result = caseload("backtest", "--la", "Wakefield", "--la", "Hartlepool", "--la", "Dorset",
                      "--origins", "2018", "--reps", "2", "--workers", "1", "--out", str(out),
                      "--doc", str(tmp_path / "backtest.md"), "--plans", str(ROOT / "scenarios"))
    assert result.returncode == 0, result.stderr
    for name in ("backtest.csv", "backtest_summary.csv", "skipped.csv", "calibration.png",
                 "error_by_horizon.png", "run.json", "plans.csv", "plans/run.json"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "backtest.csv", dtype={"code": str})
    assert list(table.columns) == list(COLUMNS)
    assert set(table["council"]) == {"Wakefield", "Hartlepool"}
    assert set(table["horizon"]) == {1, 2}
    data = extract()
    wakefield = table[(table["council"] == "Wakefield") & (table["horizon"] == 1)]
    caseload_row = wakefield[wakefield["metric"] == "caseload"].iloc[0]
    assert caseload_row["actual"] == pytest.approx(
        data.cell(LOCAL, "384", 2019, "cases")[0]
        / data.cell(LOCAL, "384", 2019, "case_holders_fte")[0])
    assert caseload_row["persistence"] == pytest.approx(3611 / 164.7)
    assert (table["p05"] <= table["p95"]).all()
    skipped = pd.read_csv(out / "skipped.csv", dtype={"code": str})
    assert list(skipped["code"])[0] == "835" and "reorganised" in skipped["reason"].iloc[0]
    assert "manchester-2016-plan.toml" in skipped["reason"].iloc[1]
    assert "2 skipped" in result.stdout
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "complete"
    assert record["backtest"]["skipped"][0]["code"] == "835"
    note = (tmp_path / "backtest.md").read_text()
    assert "caseload backtest --la Wakefield" in note and "| **all** | 1 |" in note
    assert "reorganised" in note and "### Liverpool: `liverpool-2019-plan.toml`" in note
    assert "manchester-2016-plan.toml: announced 2016-07-01" in note
    assert "## Calibration by origin" in note and "| measure | 2018 | all origins |" in note
    plans = pd.read_csv(out / "plans.csv")
    assert list(plans["plan"].unique()) == ["dorset-2017-plan.toml", "wakefield-2018-plan.toml",
                                            "liverpool-2019-plan.toml"]
    summary = pd.read_csv(out / "backtest_summary.csv")
    assert {"mdape_model", "mdape_persistence", "mdape_drift", "model_over_persistence",
            "model_over_persistence_low", "model_over_persistence_high",
            "coverage_50", "coverage_90"} <= set(summary.columns)


@pytest.mark.parametrize("args, words", [
    (["--origins", "2016"], ["--origins", "2017"]),
    (["--origins", "soon"], ["--origins"]),
    (["--given", "staff"], ["--given", "establishment"]),
    (["--la", "Atlantis"], ["--la", "Atlantis"]),
])
def test_backtest_bad_input_is_one_line(tmp_path, args, words):
    assert_one_line_error(caseload("backtest", *args, "--reps", "1", "--out",
                                   str(tmp_path / "bt")), *words)


def test_announced_plans_start_from_the_last_census_before_them():
    from sim.experiments.backtest import CouncilRuns, announced_plans

    result = announced_plans(ROOT / "scenarios", CouncilRuns())
    assert [(c[0], c[2]) for c in result.cells] == [("Dorset", 2017), ("Wakefield", 2018),
                                                    ("Liverpool", 2018)]
    assert [s.start for s in result.scenarios] == [dt.date(2017, 9, 30), dt.date(2018, 9, 30),
                                                   dt.date(2018, 9, 30)]
    liverpool = result.scenarios[2]
    assert [(a.do, a.at) for a in liverpool.policy][0] == ("add_posts", dt.date(2019, 4, 1))
    assert liverpool.policy[0].count == 133
    (manchester,) = result.skipped
    assert "30 September 2015" in manchester.reason and "not in the package" in manchester.reason


def test_resumed_runs_add_up_the_wall_time_of_earlier_invocations(tmp_path):
    from sim.experiments.backtest import earlier_run

    run_json = tmp_path / "run.json"
    assert earlier_run(run_json)["earlier_wall_seconds"] is None        # no earlier run
    run_json.write_text(json.dumps({"wall_seconds": 10.0, "command": "caseload backtest b",
                                    "backtest": {"earlier_wall_seconds": 5.0,
                                                 "first_command": "caseload backtest a"}}))
    assert earlier_run(run_json) == {"earlier_wall_seconds": 15.0,
                                     "first_command": "caseload backtest a"}
    run_json.write_text(json.dumps({"wall_seconds": None, "backtest": {}}))   # interrupted
    assert earlier_run(run_json)["earlier_wall_seconds"] is None


def test_regenerating_the_note_keeps_its_history_of_scores():
    from sim.experiments.backtest import HISTORY, with_history

    previous = f"# old note\n\nold tables\n\n{HISTORY} (26-council sample)\n\n| a | b |\n"
    kept = with_history("# new note\n\nnew tables\n", previous)
    assert kept == f"# new note\n\nnew tables\n\n{HISTORY} (26-council sample)\n\n| a | b |\n"
    assert with_history("# new note\n", "# old note, no history\n") == "# new note\n"


def test_plan_tables_say_whether_dfes_figure_lay_inside_the_band():
    from sim.experiments.backtest import band_verdict, plan_lines

    assert [band_verdict(a, 1.0, 2.0) for a in (1.0, 1.5, 2.0, 0.99, 2.01, math.nan)] == [
        "yes", "yes", "yes", "no", "no", "-"]
    plans = pd.DataFrame({"plan": "p.toml", "council": "C", "origin": 2018,
                          "metric": ["caseload", "caseload", "agency_rate"], "horizon": [1, 2, 1],
                          "p05": [10.0, 10.0, 0.1], "p50": [12.0, 12.0, 0.2],
                          "p95": [14.0, 14.0, 0.3], "actual": [13.0, math.nan, 0.35],
                          "persistence": [12.0, 12.0, 0.2]})
    text = "\n".join(plan_lines(plans))
    assert "| caseload | 1 | 12.0 (10.0 to 14.0) | 13.0 | yes | 12.0 |" in text
    assert "| caseload | 2 | 12.0 (10.0 to 14.0) | not published | - | 12.0 |" in text
    assert "| agency_rate | 1 | 0.200 (0.100 to 0.300) | 0.350 | no | 0.200 |" in text
    assert "inside the model's 90% band in 1 of the 2 published cells" in text


def test_each_council_draws_its_own_uncertain_values_and_walks(tmp_path):
    """With one root seed for every council, all councils drew the same standardised values
    (the same normal behind every lognormal or normal key, the same walk steps), so the pooled
    coverage was of a handful of draws. Same-family keys then have the same rank order over
    replications in every council; with seeds of their own, they do not."""
    from sim.analysis.draws import draws_table
    from sim.experiments.backtest import run_backtest
    from sim.runner.store import FolderStore

    out = tmp_path / "bt"
    runs, *_ = run_backtest(["Wakefield", "Hartlepool"], [2019], 6, 20160701, out=out,
                            workers=1)
    draws = draws_table(FolderStore.open(out), runs.scenarios, 6)
    keys = ["demand.referrals_per_year", "workforce.turnover.annual_rate",
            "demand.growth_per_year"]
    orders = {(scenario, key): tuple(np.argsort(group.sort_values("rep")["value"].to_numpy()))
              for (scenario, key), group in draws[draws["key"].isin(keys)].groupby(
                  ["scenario", "key"])}
    names = [scenario.name for scenario in runs.scenarios]
    assert len(names) == 2 and all((name, key) in orders for name in names for key in keys)
    assert any(orders[names[0], key] != orders[names[1], key] for key in keys)


def test_councils_run_without_reporting_factors_and_their_forecasts_integrate_them():
    """The back-test runs each baseline with its DfE reporting factors off and forecasts a
    published figure by the mixture of the state and the baseline's factor: for a state that
    does not vary, the factor's own log-normal quantiles (caseload's: a census's factor of sd s
    less the start's, normal(mean, sd) from the council's filtered history); a measure without
    a factor takes the replications' quantiles at positions p (n + 1)."""
    import tomllib

    from scipy import stats

    from sim.experiments.backtest import forecast_quantiles
    from sim.scenario.loading import DfeReporting

    result = council_runs(["Wakefield"], [2019])
    scenario, published, (_, code, _) = result.scenarios[0], result.published[0], result.cells[0]
    written = tomllib.loads(scenario_text_for(extract(), code, 2019))["dfe_reporting"]
    assert scenario.dfe_reporting == DfeReporting()
    caseload = published["caseload_dfe"]
    assert written["caseload_log_sd"] > 0
    assert caseload.sd == pytest.approx(math.hypot(written["caseload_log_sd"],
                                                   written["caseload_start_log_sd"]))
    assert caseload.shift == -written["caseload_start_log_mean"] != 0
    bands = forecast_quantiles(np.full(20, 18.0), caseload)
    assert [bands[q] for q in ("p05", "p50", "p95")] == pytest.approx(
        18 * np.exp(caseload.shift + caseload.sd * stats.norm.ppf([0.05, 0.5, 0.95])), rel=1e-6)
    plain = forecast_quantiles(np.arange(1.0, 21.0), None)
    assert [plain[q] for q in ("p05", "p50", "p95")] == pytest.approx([1.05, 10.5, 19.95])


def test_a_factor_narrows_by_what_the_state_spreads_and_widens_by_the_walk():
    """Wakefield 2019's caseload: with replications that spread (log sd 0.05) the band's factor
    is the panel's factors and walk over the horizon less that spread (`factor_walks`: DfE's
    panel up to the origin); replications that spread more than the panel's changes keep their
    own quantiles, moved by the start's own factor (the filter's correction of the start, which
    was dropped with the spread before); each run of the back-test carries the walks of its
    origin."""
    from sim.analysis.predictive import factor_sd_beyond_state, mixture_quantiles
    from sim.data import panel
    from sim.experiments.backtest import factor_walks, forecast_quantiles

    result = council_runs(["Wakefield"], [2019])
    caseload, walks = result.published[0]["caseload_dfe"], result.walks[0]
    assert walks == factor_walks(extract(), 2019)
    assert walks["caseload_dfe"] == panel.caseload_one_off(extract(), 2019).walk_sd > 0
    states = 18 * np.exp(np.random.default_rng(3).normal(0, 0.05, 40))
    netted = factor_sd_beyond_state(caseload.sd, walks["caseload_dfe"], 2, np.log(states))
    assert 0 < netted < math.hypot(caseload.sd, math.sqrt(2) * walks["caseload_dfe"])
    bands = forecast_quantiles(states, caseload, walks["caseload_dfe"], 2)
    assert bands["p50"] == pytest.approx(float(mixture_quantiles(
        states, "log", caseload.shift, netted, [0.5])[0]))
    wide = 18 * np.exp(np.linspace(-1, 1, 20))
    assert caseload.shift != 0
    kept = forecast_quantiles(wide, caseload, walks["caseload_dfe"], 1)
    assert kept == pytest.approx(forecast_quantiles(wide * np.exp(caseload.shift), None))
    assert kept["p50"] != pytest.approx(forecast_quantiles(wide, None)["p50"])


def test_a_factors_shape_is_the_panels_changes_up_to_the_origin():
    """Case-holders' factor from 2019 has the shape of DfE's councils' yearly changes up to 2019
    (heavy-tailed: `panel.change_tails`), its 2-year one that of their 2-year changes; from 2017
    (one census, no change) it is the normal; a measure with no factor keeps the normal too."""
    from sim.analysis.predictive import NORMAL
    from sim.data import panel
    from sim.experiments.backtest import factor_kernel

    data = extract()
    one_year = factor_kernel(data, 2019, "case_holders", 1)
    tails = panel.change_tails(data, 2019, "case_holders", 1)
    assert (one_year.weights, one_year.scales) == (tails.weights, tails.scales)
    assert max(one_year.scales) > 2 * min(one_year.scales)
    assert factor_kernel(data, 2019, "case_holders", 2).scales == panel.change_tails(
        data, 2019, "case_holders", 2).scales
    assert factor_kernel(data, 2017, "case_holders", 1) == NORMAL


def test_coverage_by_origin_by_hand():
    """Two origins of cases held: 2018 has rows A-C of SYNTHETIC (50% band: A only; 90%: A, B),
    2019 one cell inside both; D has no actual (not scored)."""
    from sim.experiments.backtest import coverage_by_origin, origin_lines

    later = SYNTHETIC.iloc[[0]].assign(origin=2019, horizon=2)
    table = pd.concat([SYNTHETIC, later], ignore_index=True)
    coverage = coverage_by_origin(table).set_index(["metric", "origin"])
    assert coverage.loc[("cases_held", 2018), "cells"] == 3
    assert coverage.loc[("cases_held", 2018), "coverage_50"] == pytest.approx(1 / 3)
    assert coverage.loc[("cases_held", 2018), "coverage_90"] == pytest.approx(2 / 3)
    assert coverage.loc[("cases_held", 2019)].tolist() == [1, 1.0, 1.0]
    lines = origin_lines(coverage_by_origin(table))
    assert lines[0] == "| measure | 2018 | 2019 | all origins |"
    # cases held, all origins: 2 of 4 in the 50% band, 3 of 4 in the 90% band
    assert "| cases_held | 33% / 67% | 100% / 100% | 50% / 75% |" in lines
    assert "| caseload | 0% / 100% | - | 0% / 100% |" in lines
