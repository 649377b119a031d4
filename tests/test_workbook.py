"""results.xlsx and costs.csv in the folder of every command: sheets, labels, units, numbers
stored as numbers, and figures equal to the CSVs' (final.csv, comparison.csv, costs.csv, ...)."""
from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from processes import SMALL

from sim.analysis.labels import METRIC_LABELS, cost_column
from sim.cli.main import main
from sim.report.xlsx import DIGITS

PLAN = SMALL.replace('name = "small"', 'name = "plan"') + (
    "\n[[policy]]\nafter_days = 30\ndo = \"add_posts\"\ncount = 5\n")
SPEC = """\
metrics = ['caseload_mean', 'cost_staff']
years = [0.5]
reps = 1
[morris]
trajectories = 2
[[parameter]]
key = 'workforce.turnover.annual_rate'
range = [0.05, 0.4]
[[parameter]]
key = 'demand.referrals_per_year'
range = [1200, 1800]
"""
QUICK = ["--workers", "1", "--no-figures", "--quiet"]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """One results folder per command, each run once on the small scenario (tables only)."""
    root = tmp_path_factory.mktemp("workbooks")
    (root / "small.toml").write_text(SMALL)
    (root / "plan.toml").write_text(PLAN)
    (root / "spec.toml").write_text(SPEC)
    small, out = str(root / "small.toml"), {name: root / name for name in (
        "run", "compare", "sweep", "sensitivity", "target")}
    commands = {
        "run": ["run", small, "--reps", "3"],
        "compare": ["compare", small, str(root / "plan.toml"), "--reps", "3"],
        "sweep": ["sweep", small, "--param", "workforce.turnover.annual_rate", "--values",
                  "0.1,0.2", "--reps", "2"],
        "sensitivity": ["sensitivity", small, "--spec", str(root / "spec.toml"), "--reps", "2"],
        "target": ["target", small, "--at", "0.5", "--below", "20", "--prob", "0.5", "--reps",
                   "4", "--first-reps", "2"],
    }
    for name, args in commands.items():
        assert main([*args, *QUICK, "--out", str(out[name])]) == 0, name
    return out


def book(folder: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(folder / "results.xlsx")


def sheet(folder: Path, name: str) -> pd.DataFrame:
    rows = list(book(folder)[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def read_me(folder: Path) -> list[tuple]:
    return [row for row in book(folder)["Read me"].iter_rows(values_only=True)]


def close(stored: float, exact: float, kind: str) -> bool:
    """The workbook's cell holds the CSV's number rounded to its kind's digits (an empty cell,
    read back as None or NaN, for a missing one), as a number, not text."""
    if np.isnan(exact):
        return stored is None or (isinstance(stored, float) and np.isnan(stored))
    return isinstance(stored, numbers.Real) and (
        abs(stored - exact) <= 0.5 * 10 ** -DIGITS[kind] + 1e-9 * max(1.0, abs(exact)))


def year_columns(frame: pd.DataFrame) -> list[str]:
    return [column for column in frame.columns if str(column).startswith("end of year")]


EXPECTED_SHEETS = {
    "run": ["Read me", "End of year", "Costs by financial year", "Assumptions"],
    "compare": ["Read me", "End of year", "Costs by financial year", "Extra cost over first",
                "Comparison", "Assumptions"],
    "sweep": ["Read me", "Sweep", "Assumptions"],
    "sensitivity": ["Read me", "Sensitivity", "Design points", "Assumptions"],
    "target": ["Read me", "Target candidates", "Cost of the answer", "Assumptions"],
}


@pytest.mark.parametrize("command", list(EXPECTED_SHEETS))
def test_each_command_writes_the_workbook_with_its_sheets(folders, command):
    folder = folders[command]
    workbook = book(folder)
    assert workbook.sheetnames == EXPECTED_SHEETS[command]
    for worksheet in workbook.worksheets[1:]:
        assert worksheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in worksheet[1])
        assert worksheet.column_dimensions["A"].width >= 8
    run = json.loads((folder / "run.json").read_text())
    facts = {row[0]: row[1] for row in read_me(folder) if row[0]}
    assert facts["root seed"] == run["root_seed"] and facts["replications"] == run["replications"]
    assert facts["started (UTC)"] and facts["started (UTC)"] == run["started"]   # target's too
    assert facts["caseload version"] == run["version"] and facts["command"] == run["command"]
    described = {row[0] for row in read_me(folder) if row[0] and row[1] and row[3]}
    assert set(workbook.sheetnames[1:]) <= described   # each sheet's columns, with units
    assumptions = sheet(folder, "Assumptions")
    years = assumptions.loc[assumptions["Parameter"] == "years", "Value"]
    assert len(years) and all(isinstance(value, (int, float)) for value in years)   # not text


def test_the_data_dictionary_gives_every_money_column_its_period(folders):
    rows = read_me(folders["compare"])
    files = {(row[0], row[1]): row[3] for row in rows if row[0] and row[0].endswith(".csv")}
    for part in ("cost_staff", "cost_agency", "cost_recruitment", "cost_placements", "total"):
        assert files[("costs.csv", cost_column(part))].startswith("£ per financial year")
    assert "£ per report period" in files[("comparison.csv", "mean_diff")]
    metrics = {row[0]: row for row in rows if row[0] in METRIC_LABELS}
    assert set(metrics) == set(METRIC_LABELS)
    assert metrics["cost_staff"][3] == "£ per report period"
    assert metrics["caseload_mean"][1] == "Average caseload per social worker"


def test_end_of_year_equals_final_csv_with_labels_and_numbers(folders):
    folder = folders["compare"]
    final = pd.read_csv(folder / "final.csv").set_index(["scenario", "metric", "year"])
    table = sheet(folder, "End of year")
    assert year_columns(table) == ["end of year 1 (2021-04-01)"]
    statistics = {"median": "p50", "5th percentile": "p05", "95th percentile": "p95",
                  "mean": "mean", "mean: 95% CI low": "ci_low", "mean: 95% CI high": "ci_high"}
    checked = 0
    for row in table.itertuples(index=False):
        label = METRIC_LABELS[row[-1]]
        assert row.Measure == label.label
        exact = final.loc[(row.Scenario, row[-1], 1), statistics[row.Statistic]]
        assert close(row[4], exact, label.kind)
        checked += not np.isnan(exact)
    assert checked > 300
    cost = table[(table["Metric (code)"] == "cost_staff")]
    assert set(cost["Unit"]) == {"£ per report period (up to 14 days)"}


def test_costs_by_financial_year_equal_costs_csv(folders):
    folder = folders["compare"]
    costs = pd.read_csv(folder / "costs.csv")
    assert list(costs.columns) == ["scenario", "rep", "financial_year", "months",
                                   *(cost_column(part) for part in ("cost_staff", "cost_agency",
                                     "cost_recruitment", "cost_placements", "total"))]
    assert len(costs) == 2 * 3 * 2   # scenarios x replications x financial years (one a part)
    parts = costs[[cost_column(p) for p in ("cost_staff", "cost_agency", "cost_recruitment",
                                            "cost_placements")]].sum(axis=1)
    np.testing.assert_allclose(parts, costs[cost_column("total")])
    table = sheet(folder, "Costs by financial year")
    assert list(table.columns[4:]) == ["2020/21", "2021/22 (part: 1 month)"]
    means = costs.groupby(["scenario", "financial_year"])[cost_column("total")].mean()
    rows = table[(table["Cost"] == "Total") & (table["Statistic"] == "mean")]
    for row in rows.itertuples(index=False):
        assert row.Unit == "£ per financial year (1 April to 31 March)"
        assert isinstance(row[4], int) and close(row[4], means[(row.Scenario, "2020/21")],
                                                 "money")


def test_extra_cost_over_first_is_the_paired_difference_of_costs_csv(folders):
    folder = folders["compare"]
    costs = pd.read_csv(folder / "costs.csv")
    wide = costs[costs["financial_year"] == "2020/21"].pivot(
        index="rep", columns="scenario", values=cost_column("cost_staff"))
    extra = (wide["plan"] - wide["small"]).mean()
    table = sheet(folder, "Extra cost over first")
    row = table[(table["Cost"] == "Permanent staff pay")
                & (table["Statistic"] == "mean extra")].iloc[0]
    assert row["Compared"] == "plan minus small" and extra > 0   # five more posts are paid
    assert close(row["2020/21"], extra, "money")


def test_comparison_sheet_equals_comparison_csv(folders):
    folder = folders["compare"]
    comparison = pd.read_csv(folder / "comparison.csv").set_index(["metric", "year"])
    table = sheet(folder, "Comparison")
    statistics = {"mean difference": "mean_diff", "95% CI low": "ci_low",
                  "95% CI high": "ci_high", "share of replications lower": "p_lower"}
    assert set(table["Compared"]) == {"plan minus small"}
    for row in table.itertuples(index=False):
        kind = "share" if row.Statistic.startswith("share") else METRIC_LABELS[row[-1]].kind
        exact = comparison.loc[(row[-1], 1), statistics[row.Statistic]]
        assert close(row[4], exact, kind)


@pytest.mark.parametrize("command, name, csv, column, heading, kind", [
    ("sweep", "Sweep", "sweep.csv", "mean", "Mean", None),
    ("sensitivity", "Sensitivity", "sensitivity.csv", "value", "Value", "index"),
    ("target", "Target candidates", "target.csv", "probability", "Probability met", "share"),
])
def test_experiment_sheets_equal_their_csv(folders, command, name, csv, column, heading, kind):
    folder = folders[command]
    table, exact = sheet(folder, name), pd.read_csv(folder / csv)
    assert len(table) == len(exact)
    kinds = [kind or METRIC_LABELS[m].kind for m in exact.get("metric", [None] * len(exact))]
    for stored, value, each in zip(table[heading], exact[column], kinds):
        assert close(stored, value, each)
    if "metric" in exact:
        assert table["Measure"].tolist() == [METRIC_LABELS[m].label for m in exact["metric"]]


def test_the_answer_cost_sheet_equals_run_json(folders):
    folder = folders["target"]
    years = json.loads((folder / "run.json").read_text())["answer"]["cost_by_financial_year"]
    table = sheet(folder, "Cost of the answer")
    assert table["Financial year"].tolist() == [year["financial_year"] for year in years]
    for stored, year in zip(table["Cost (mean)"], years):
        assert close(stored, year["cost"], "money")


def test_the_manifest_lists_the_workbook_and_plot_writes_it_again(folders):
    folder = folders["run"]
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    assert "results.xlsx" in listed and "costs.csv" in listed
    (folder / "results.xlsx").unlink()
    (folder / "costs.csv").unlink()
    assert main(["plot", str(folder), "--quiet"]) == 0
    assert (folder / "results.xlsx").is_file() and (folder / "costs.csv").is_file()
    assert book(folder).sheetnames == EXPECTED_SHEETS["run"]


def test_the_data_dictionary_has_every_column_of_every_table():
    from sim.analysis.comparison import COMPARISON_COLUMNS
    from sim.analysis.labels import COLUMNS
    from sim.analysis.tables import FINAL_COLUMNS, SUMMARY_COLUMNS
    from sim.report.target_output import TARGET_COLUMNS

    expected = {"summary.csv": SUMMARY_COLUMNS, "final.csv": FINAL_COLUMNS,
                "comparison.csv": COMPARISON_COLUMNS, "target.csv": TARGET_COLUMNS,
                "sweep.csv": ("param", "value", *FINAL_COLUMNS[1:])}
    for name, columns in expected.items():
        assert tuple(COLUMNS[name]) == tuple(columns), name


def test_run_prints_the_cost_by_financial_year_of_costs_csv(tmp_path, capsys):
    from sim.analysis.headline import pounds

    (tmp_path / "small.toml").write_text(SMALL)
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "small.toml"), "--reps", "3", "--workers", "1",
                 "--no-figures", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    costs = pd.read_csv(out / "costs.csv")
    year = costs[costs["financial_year"] == "2020/21"]
    workforce = sum(year[cost_column(p)] for p in ("cost_staff", "cost_agency",
                                                   "cost_recruitment"))
    placements = year[cost_column("cost_placements")]
    line = next(line for line in printed.splitlines() if line.strip().startswith("2020/21"))
    assert line.split()[1] == pounds(workforce.median())
    assert line.split()[5] == pounds(placements.median())
    assert "2021/22 (part: to 2021-04-01)" in printed   # the horizon, 06:00 on 1 April


def test_compare_prints_the_extra_cost_over_the_first_of_costs_csv(tmp_path, capsys):
    from sim.analysis.headline import pounds

    (tmp_path / "small.toml").write_text(SMALL)
    (tmp_path / "plan.toml").write_text(PLAN)
    out = tmp_path / "out"
    assert main(["compare", str(tmp_path / "small.toml"), str(tmp_path / "plan.toml"), "--reps",
                 "3", "--workers", "1", "--no-figures", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "extra cost over small by financial year" in printed
    costs = pd.read_csv(out / "costs.csv")
    year = costs[costs["financial_year"] == "2020/21"].pivot(
        index="rep", columns="scenario", values=cost_column("total"))
    extra = (year["plan"] - year["small"]).mean()
    line = next(line for line in printed.splitlines() if line.strip().startswith("2020/21"))
    assert line.split()[-4] == f"+{pounds(extra)}"   # total: mean (low to high)


def test_every_metric_the_model_records_has_a_human_label():
    from sim.model.metrics import METRIC_NAMES

    assert sorted(set(METRIC_NAMES) - set(METRIC_LABELS)) == []


@pytest.fixture(scope="module")
def backtest(tmp_path_factory) -> Path:
    """A tiny back-test: one small council, one origin, two replications."""
    out = tmp_path_factory.mktemp("backtest") / "out"
    assert main(["backtest", "--la", "Rutland", "--origins", "2019", "--reps", "2",
                 *QUICK, "--out", str(out)]) == 0
    return out


def test_backtest_writes_the_workbook_with_its_tables(backtest):
    workbook = book(backtest)
    assert workbook.sheetnames == ["Read me", "Back-test summary", "Back-test cells", "Skipped"]
    for worksheet in workbook.worksheets[1:]:
        assert worksheet.freeze_panes == "A2" and all(cell.font.bold for cell in worksheet[1])
    facts = {row[0]: row[1] for row in read_me(backtest) if row[0]}
    run = json.loads((backtest / "run.json").read_text())
    assert facts["root seed"] == run["root_seed"] and facts["replications"] == 2
    files = {(row[0], row[1]) for row in read_me(backtest) if row[0]}
    assert ("backtest.csv", "actual") in files and ("backtest_summary.csv", "coverage_90") in files


def test_backtest_sheets_equal_its_csvs(backtest):
    from sim.experiments.backtest import MEASURES

    summary, cells = pd.read_csv(backtest / "backtest_summary.csv"), pd.read_csv(
        backtest / "backtest.csv")
    table = sheet(backtest, "Back-test summary")
    assert len(table) == len(summary) and table["Measure (code)"].tolist() == summary[
        "metric"].tolist()
    assert table["Measure"].iloc[0] == METRIC_LABELS[MEASURES[summary["metric"][0]]
                                                     .model_metric].label
    for stored, exact in zip(table["In the 90% band"], summary["coverage_90"]):
        assert close(stored, exact, "share")
    for stored, exact in zip(table["Model MdAPE %"], summary["mdape_model"]):
        assert close(stored, exact, "count")
    table = sheet(backtest, "Back-test cells")
    assert len(table) == len(cells) and set(table["Council"]) == {"Rutland"}
    for row, exact in zip(table.itertuples(index=False), cells.itertuples(index=False)):
        kind = "share" if MEASURES[exact.metric].rate else METRIC_LABELS[
            MEASURES[exact.metric].model_metric].kind
        assert close(row[table.columns.get_loc("Model median")], exact.p50, kind)
        assert close(row[table.columns.get_loc("DfE actual")], exact.actual, kind)


def test_backtest_report_opens_with_its_scores(backtest):
    import html
    import re

    assert main(["plot", str(backtest), "--quiet"]) == 0
    text = html.unescape((backtest / "report.html").read_text())
    headings = re.findall(r"<h2>(.*?)</h2>", text)
    assert headings == ["The answer", "Figures", "Tables", "About this run", "Assumptions"]
    summary = pd.read_csv(backtest / "backtest_summary.csv")
    one = summary[(summary["metric"] == "all") & (summary["horizon"] == 1)].iloc[0]
    assert (f"1 year ahead, over {one['cells']} published figures: the model's median is "
            f"{one['mdape_model']:.1f}% from what DfE later published") in text
    assert text.index("The answer") < text.index("calibration.png") < text.index("root seed")
