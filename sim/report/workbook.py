"""results.xlsx and costs.csv: a results folder's tables for a reader with Excel.

`write_workbook` reads only the folder's files (run.json, final.csv, comparison.csv, sweep.csv,
sensitivity.csv, design.csv, target.csv and the costs in timeseries.parquet), as `finish_folder`
does, so every command writes it the same way and `caseload plot DIR` writes it again. The
workbook opens with "Read me": what was run, when, by which version, with which seed and
replications, what each sheet holds, and a data dictionary (every column's meaning and unit, every
money column's period). Then: the end of each simulated year (human labels, years as columns),
costs by financial year (and, for a comparison, each scenario's extra over the first), the
comparison, the experiment's table, and the assumptions with their sources.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from sim.analysis.assumptions import assumption_rows, shown_value
from sim.analysis.financial_years import (
    COST_PARTS,
    costs_by_year_of,
    costs_csv_table,
    year_heading,
    yearly_differences,
    yearly_spread,
)
from sim.analysis.labels import (
    COLUMNS,
    COST_LABELS,
    METRIC_LABELS,
    PER_FINANCIAL_YEAR,
    PERIOD,
    metric_label,
    metric_meaning,
    period_note,
)
from sim.analysis.results_folder import ResultsFolder
from sim.report.xlsx import Sheet, write_xlsx
from sim.runner.files import atomic_path
from sim.runner.store import list_writes

WORKBOOK = "results.xlsx"
COSTS_CSV = "costs.csv"

YEAR_STATISTICS = {"p50": "median", "p05": "5th percentile", "p95": "95th percentile",
                   "mean": "mean", "ci_low": "mean: 95% CI low", "ci_high": "mean: 95% CI high"}
DIFFERENCE_STATISTICS = {"mean_diff": "mean difference", "ci_low": "95% CI low",
                         "ci_high": "95% CI high", "p_lower": "share of replications lower"}
COST_STATISTICS = {"mean": "mean", "p50": "median", "p05": "5th percentile",
                   "p95": "95th percentile"}
SHARE_UNIT = "share of replications (shown as %)"
EXTRA_STATISTICS = {"mean_diff": "mean extra", "ci_low": "95% CI low", "ci_high": "95% CI high",
                    "p_lower": "share of replications lower"}

SHEETS = {
    "End of year": "each metric at the end of each simulated year (final.csv): median, 5th and "
                   "95th percentiles over replications, mean and its 95% confidence interval",
    "Costs by financial year": "£ per financial year (1 April to 31 March) of each cost and "
                               "their total, over replications (costs.csv summarised)",
    "Extra cost over first": "each scenario's cost per financial year minus the first "
                             "scenario's, paired by replication, with its 95% confidence interval",
    "Comparison": "each scenario minus the first at the end of each simulated year "
                  "(comparison.csv), paired by replication",
    "Sweep": "each swept value's results (sweep.csv)",
    "Sensitivity": "the sensitivity indices (sensitivity.csv)",
    "Design points": "each design point's parameter values and outputs (design.csv)",
    "Target candidates": "each number of extra posts tried (target.csv)",
    "Cost of the answer": "the answer's cost per financial year and its extra over no extra "
                          "posts (run.json's answer)",
    "Assumptions": "every parameter of each scenario, its value, the file that set it and the "
                   "source comment beside it there",
    "Back-test summary": "per DfE measure and years ahead: the model's and the naive forecasts' "
                         "median absolute % errors and how often DfE's figure fell inside the "
                         "model's bands (backtest_summary.csv)",
    "Back-test cells": "each council, origin, years ahead and measure: DfE's figure, the model's "
                       "percentiles and the naive forecasts (backtest.csv)",
    "Skipped": "the council-origins not run, and why (skipped.csv)",
}

ROW_UNIT = "in the row's Unit"
_BY_YEAR = {"Measure": ("what is measured (Metrics, below)", "text"),
            "Unit": ("the unit of the row's numbers", "text"),
            "Statistic": ("which statistic over replications the row's numbers are", "text"),
            "end of year N (date)": ("the row's statistic at the last sample of simulated year "
                                     "N (dated)", ROW_UNIT),
            "Metric (code)": ("the metric's name in the CSV files", "text")}
_BY_FINANCIAL_YEAR = {
    "Cost": ("which cost (the total is the sum of the other four)", "text"),
    "Unit": ("the unit of the row's numbers", "text"),
    "Statistic": ("which statistic over replications the row's numbers are", "text"),
    "YYYY/YY": ("the financial year from 1 April YYYY to 31 March ('part' when the run covers "
                "only some of it)", ROW_UNIT)}
_COMPARED = {"Compared": ("scenario minus the first scenario (the baseline), paired by "
                          "replication", "text")}
_SCENARIO = {"Scenario": ("the scenario's name", "text")}
_AS_CSV = "{}'s columns (below) under readable headings, with the metric's Measure and Unit"
SHEET_COLUMNS: dict[str, dict[str, tuple[str, str]] | str] = {
    "End of year": {**_SCENARIO, **_BY_YEAR},
    "Costs by financial year": {**_SCENARIO, **_BY_FINANCIAL_YEAR},
    "Extra cost over first": {**_COMPARED, **_BY_FINANCIAL_YEAR},
    "Comparison": {**_COMPARED, **_BY_YEAR},
    "Sweep": _AS_CSV.format("sweep.csv"),
    "Sensitivity": _AS_CSV.format("sensitivity.csv"),
    "Design points": "design.csv's columns (below)",
    "Target candidates": "target.csv's columns (below) under readable headings",
    "Cost of the answer": {
        "Financial year": ("1 April to 31 March; the last may end at the target's time", "text"),
        "First sample, Last sample": ("the first and last samples closing a period in the year",
                                      "date"),
        "Cost (mean)": ("the answer's cost: pay, agency, recruitment and placements",
                        PER_FINANCIAL_YEAR),
        "Extra over no extra posts (mean)": ("the answer's cost minus that of no extra posts, "
                                             "paired by replication", PER_FINANCIAL_YEAR),
        "Extra: 95% CI low, Extra: 95% CI high": ("the 95% confidence interval of the extra",
                                                  PER_FINANCIAL_YEAR),
        "Replications": ("replications both ran", "replications")},
    "Back-test summary": "backtest_summary.csv's columns (below) under readable headings, with "
                         "the measure in words",
    "Back-test cells": "backtest.csv's columns (below) under readable headings, with the "
                       "measure in words",
    "Skipped": "skipped.csv's columns (below)",
    "Assumptions": {
        **_SCENARIO, "Parameter": ("the scenario key (dotted)", "text"),
        "Value": ("its value as simulated", "the key's unit (docs/scenarios.md)"),
        "Set in": ("the file that set it, 'default' or 'override' (--set)", "text"),
        "Source (comment in the file)": ("the source comment beside it in that file", "text")},
}
"""Each sheet's columns: meaning and unit (or a sentence saying where they are described)."""


def write_workbook(out: Path | str, costs: pd.DataFrame | None = None) -> list[Path]:
    """costs.csv (when the folder has timeseries.parquet) and results.xlsx in the results folder
    `out`; the files written. costs: `costs_by_year` of the folder when the caller has it (else
    it is read from timeseries.parquet). Each file is added to the folder's manifest as it is
    written, so replacing the batch removes it."""
    folder = ResultsFolder.open(out)
    list_writes(folder.path)
    if costs is None:
        costs = costs_by_year_of(folder.replications(list(COST_PARTS)))
    written = []
    if costs is not None:
        with atomic_path(folder.path / COSTS_CSV) as temp:
            costs_csv_table(costs).to_csv(temp, index=False)
        written.append(folder.path / COSTS_CSV)
    sheets = results_sheets(folder, costs)
    write_xlsx(folder.path / WORKBOOK, sheets, read_me(folder, sheets))
    return [*written, folder.path / WORKBOOK]


def results_sheets(folder: ResultsFolder, costs: pd.DataFrame | None) -> list[Sheet]:
    """The workbook's sheets after "Read me", those the folder's files allow."""
    periods = _report_periods(folder)
    sheets = []
    final = folder.table("final.csv")
    if final is not None and len(final):
        sheets.append(_metric_sheet("End of year", final, ["scenario", "metric"],
                                    YEAR_STATISTICS, periods))
    if costs is not None and len(costs):
        sheets.append(_costs_sheet(costs))
        names = list(dict.fromkeys(costs["scenario"]))
        if len(names) > 1:
            sheets.append(_extra_cost_sheet(costs, names))
    comparison = folder.table("comparison.csv")
    if comparison is not None and len(comparison):
        sheets.append(_metric_sheet("Comparison", comparison, ["scenario", "baseline", "metric"],
                                    DIFFERENCE_STATISTICS, periods))
    sheets.extend(_experiment_sheets(folder))
    backtest = _backtest_sheets(folder)
    sheets.extend(backtest)
    if folder.scenario_records and not backtest:
        sheets.append(_assumptions_sheet(folder.scenario_records))
    return sheets


BACKTEST_HEADINGS = {
    "council": "Council", "code": "DfE code", "origin": "Origin (30 September)",
    "horizon": "Years ahead", "cells": "Cells scored", "actual": "DfE actual",
    "p05": "Model 5th percentile", "p25": "Model 25th percentile", "p50": "Model median",
    "p75": "Model 75th percentile", "p95": "Model 95th percentile",
    "persistence": "Persistence", "drift": "Drift", "mdape_model": "Model MdAPE %",
    "mdape_persistence": "Persistence MdAPE %", "mdape_drift": "Drift MdAPE %",
    "model_over_persistence": "Model / persistence",
    "model_over_persistence_low": "Model / persistence, 90% interval from",
    "model_over_persistence_high": "Model / persistence, 90% interval to",
    "coverage_50": "In the 50% band",
    "coverage_90": "In the 90% band",
    "change_rank_correlation": "Model's moves against DfE's: rank correlation",
    "change_rank_correlation_low": "Rank correlation, 90% interval from",
    "change_rank_correlation_high": "Rank correlation, 90% interval to",
    "change_slope": "Model's moves against DfE's: slope", "reason": "Reason",
    "metric": "Measure (code)",
    "plan": "Announced plan"}


def _measure_words(metric: str) -> tuple[str, str]:
    """A back-test measure's label and kind: DfE's measure as the model's metric labels it."""
    from sim.experiments.backtest import MEASURES

    if metric not in MEASURES:
        return "All measures" if metric == "all" else metric, "level"
    measure = MEASURES[metric]
    label = metric_label(measure.model_metric)
    return label.label, "share" if measure.rate else label.kind


def _backtest_sheets(folder: ResultsFolder) -> list[Sheet]:
    """The back-test's summary, its cells and the councils skipped, when the folder has them."""
    sheets = []
    summary = folder.table("backtest_summary.csv")
    if summary is not None:
        frame = summary.rename(columns=BACKTEST_HEADINGS)
        frame.insert(0, "Measure", [_measure_words(m)[0] for m in summary["metric"]])
        sheets.append(Sheet("Back-test summary", frame, None, {
            "Years ahead": "integer", "Cells scored": "integer", "Model MdAPE %": "count",
            "Persistence MdAPE %": "count", "Drift MdAPE %": "count",
            "Model / persistence": "decimal", "In the 50% band": "share",
            "In the 90% band": "share",
            "Model's moves against DfE's: rank correlation": "decimal",
            "Rank correlation, 90% interval from": "decimal",
            "Rank correlation, 90% interval to": "decimal",
            "Model's moves against DfE's: slope": "decimal"}))
    cells = folder.table("backtest.csv")
    if cells is not None:
        words = [_measure_words(m) for m in cells["metric"]]
        frame = cells.rename(columns=BACKTEST_HEADINGS)
        frame.insert(list(frame.columns).index("Measure (code)"), "Measure",
                     [label for label, _ in words])
        sheets.append(Sheet("Back-test cells", frame, [kind for _, kind in words], {
            "DfE code": "integer", "Origin (30 September)": "integer", "Years ahead": "integer"}))
    skipped = folder.table("skipped.csv")
    if skipped is not None and (summary is not None or cells is not None):
        sheets.append(Sheet("Skipped", skipped.rename(columns=BACKTEST_HEADINGS), None,
                            {"DfE code": "integer", "Origin (30 September)": "integer"}))
    return sheets


def _assumptions_sheet(records: list[dict]) -> Sheet:
    """Every parameter of each scenario of run.json: numbers kept as numbers, the rest as the
    report shows them."""
    frames = []
    for record in records:
        frame = assumption_rows(record)
        frame["value"] = [value if isinstance(value, (int, float)) else shown_value(value)
                          for value in frame["value"]]
        frame.insert(0, "scenario", record.get("name", "?"))
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True)
    frame.columns = [column[:1].upper() + column[1:] for column in frame.columns]
    return Sheet("Assumptions", frame, column_kinds={"Value": "raw"})


def _report_periods(folder: ResultsFolder) -> dict[str, int | None]:
    """Scenario name -> its report_every_days, from run.json."""
    return {record.get("name"): record.get("resolved", {}).get("report_every_days")
            for record in folder.scenario_records}


def _unit(metric: str, days: int | None) -> str:
    unit = metric_label(metric).unit
    return unit.replace(PERIOD, f"per report period (up to {days} days)") if days else unit


def _year_headings(table: pd.DataFrame) -> dict[int, str]:
    """Year -> its column heading, with the year's date when every row of the year has one."""
    headings = {}
    for year, dates in table.groupby("year", sort=True)["date"]:
        unique = pd.unique(dates)
        headings[int(year)] = (f"end of year {year} ({unique[0]})" if len(unique) == 1
                               else f"end of year {year}")
    return headings


def _metric_sheet(name: str, table: pd.DataFrame, keys: list[str], statistics: dict[str, str],
                  periods: dict[str, int | None]) -> Sheet:
    """Rows per `keys` and statistic, one column per simulated year."""
    headings = _year_headings(table)
    rows, kinds = [], []
    for key, group in table.groupby(keys, sort=False):
        named = dict(zip(keys, key))
        metric, label = named["metric"], metric_label(named["metric"])
        by_year = group.set_index("year")
        first = {"Scenario": named["scenario"]}
        if "baseline" in named:
            first = {"Compared": f"{named['scenario']} minus {named['baseline']}"}
        for column, statistic in statistics.items():
            share = column == "p_lower"
            rows.append({**first, "Measure": label.label,
                         "Unit": SHARE_UNIT if share else _unit(metric,
                                                                periods.get(named["scenario"])),
                         "Statistic": statistic,
                         **{heading: by_year[column].get(year)
                            for year, heading in headings.items()},
                         "Metric (code)": metric})
            kinds.append("share" if share else label.kind)
    return Sheet(name, pd.DataFrame(rows), row_kinds=kinds)


def _by_financial_year(name: str, rows: pd.DataFrame, first: str,
                       statistics: dict[str, str]) -> Sheet:
    """rows: columns `first`, year, months, part and the statistics -> a sheet with one row per
    (first, part, statistic) and one column per financial year."""
    months = rows.groupby("year", sort=False)["months"].min()
    headings = {year: year_heading(year, int(count)) for year, count in months.items()}
    out, kinds = [], []
    for (key, part), group in rows.groupby([first, "part"], sort=False):
        by_year = group.set_index("year")
        for column, statistic in statistics.items():
            share = column == "p_lower"
            out.append({first: key, "Cost": COST_LABELS[part].capitalize(),
                        "Unit": SHARE_UNIT if share else PER_FINANCIAL_YEAR,
                        "Statistic": statistic,
                        **{heading: by_year[column].get(year)
                           for year, heading in headings.items()}})
            kinds.append("share" if share else "money")
    return Sheet(name, pd.DataFrame(out), row_kinds=kinds)


def _costs_sheet(costs: pd.DataFrame) -> Sheet:
    """Mean, median and 90% interval over replications of each cost per financial year."""
    return _by_financial_year("Costs by financial year",
                              yearly_spread(costs).rename(columns={"scenario": "Scenario"}),
                              "Scenario", COST_STATISTICS)


def _extra_cost_sheet(costs: pd.DataFrame, names: list[str]) -> Sheet:
    """Each later scenario's cost minus the first's per financial year, paired by replication."""
    months = costs.groupby("year", sort=False)["months"].max()
    pieces = [yearly_differences(costs, names[0], name).assign(
        Compared=f"{name} minus {names[0]}") for name in names[1:]]
    rows = pd.concat(pieces, ignore_index=True)
    rows["months"] = rows["year"].map(months)
    return _by_financial_year("Extra cost over first", rows, "Compared", EXTRA_STATISTICS)


HEADINGS = {"param": "Parameter", "value": "Value", "metric": "Metric (code)", "year": "Year",
            "date": "Date", "mean": "Mean", "ci_low": "95% CI low", "ci_high": "95% CI high",
            "p05": "5th percentile", "p50": "Median", "p95": "95th percentile",
            "n": "Replications", "method": "Method", "index": "Index",
            "extra_posts": "Extra posts", "probability": "Probability met", "reps":
            "Replications", "successes": "Replications meeting the target",
            "decision": "Decision", "financial_year": "Financial year",
            "first_sample": "First sample", "last_sample": "Last sample",
            "cost": "Cost (mean)", "extra_cost": "Extra over no extra posts (mean)",
            "extra_ci_low": "Extra: 95% CI low", "extra_ci_high": "Extra: 95% CI high"}


def _headed(frame: pd.DataFrame, kinds: Callable[[str], str | None] | dict[str, str]
            ) -> tuple[pd.DataFrame, dict[str, str]]:
    """`frame` with human headings (HEADINGS; param2, value2, ... as "Parameter 2", ...) and
    the kind of each renamed column."""
    names = {}
    for column in frame.columns:
        stem, number = column.rstrip("0123456789"), column[len(column.rstrip("0123456789")):]
        names[column] = (f"{HEADINGS[stem]} {number}" if number and stem in HEADINGS
                         else HEADINGS.get(column, column))
    pick = kinds if callable(kinds) else (lambda column: kinds.get(column))
    column_kinds = {names[c]: kind for c in frame.columns if (kind := pick(c)) is not None}
    return frame.rename(columns=names), column_kinds


def _with_measure(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the metric's label and unit beside its code."""
    at = list(frame.columns).index("metric")
    frame = frame.copy()
    frame.insert(at, "Measure", [metric_label(m).label for m in frame["metric"]])
    frame.insert(at + 1, "Unit", [metric_label(m).unit for m in frame["metric"]])
    return frame


def _experiment_sheets(folder: ResultsFolder) -> list[Sheet]:
    sheets = []
    sweep = folder.table("sweep.csv")
    if sweep is not None and len(sweep):
        fixed = {"year": "integer", "n": "integer"}
        frame, column_kinds = _headed(_with_measure(sweep), lambda c: (
            "raw" if c.rstrip("0123456789") == "value" else fixed.get(c)))
        sheets.append(Sheet("Sweep", frame, [metric_label(m).kind for m in sweep["metric"]],
                            column_kinds))
    sensitivity = folder.table("sensitivity.csv")
    if sensitivity is not None and len(sensitivity):
        frame, column_kinds = _headed(_with_measure(sensitivity), {"year": "raw"})
        sheets.append(Sheet("Sensitivity", frame, ["index"] * len(frame), column_kinds))
    design = folder.table("design.csv")
    if design is not None and len(design):
        sheets.append(Sheet("Design points", design, ["decimal"] * len(design),
                            {"point": "integer"}))
    target = folder.table("target.csv")
    if target is not None and len(target):
        frame, column_kinds = _headed(target, {
            "extra_posts": "integer", "probability": "share", "ci_low": "share",
            "ci_high": "share", "reps": "integer", "successes": "integer"})
        sheets.append(Sheet("Target candidates", frame, None, column_kinds))
    answer_costs = (folder.run.get("answer") or {}).get("cost_by_financial_year") or []
    if answer_costs:
        frame, column_kinds = _headed(pd.DataFrame(answer_costs), lambda c: (
            "integer" if c == "reps" else "money" if "cost" in c or "extra" in c else None))
        sheets.append(Sheet("Cost of the answer", frame, None, column_kinds))
    return sheets


def _sheet_dictionary(sheets: Sequence[Sheet]) -> list[list[str]]:
    rows = []
    for sheet in sheets:
        columns = SHEET_COLUMNS[sheet.name]
        if isinstance(columns, str):
            rows.append([sheet.name, "every column", columns, "as there"])
        else:
            rows.extend([sheet.name, column, meaning, unit]
                        for column, (meaning, unit) in columns.items())
    return rows


def read_me(folder: ResultsFolder, sheets: Sequence[Sheet]) -> list[list]:
    """The "Read me" sheet's rows: what was run, the sheets, and the data dictionary."""
    run = folder.run
    periods = sorted({days for days in _report_periods(folder).values() if days})
    rows: list[list] = [
        ["caseload results workbook"],
        ["scenarios", "; ".join(f"{r.get('name')}: {r.get('resolved', {}).get('title', '')}"
                                for r in folder.scenario_records)],
        ["command", run.get("command") or ""],
        ["status", run.get("status") or ""],
        ["started (UTC)", run.get("started") or ""],
        ["finished (UTC)", run.get("finished") or ""],
        ["caseload version", run.get("version") or ""],
        ["root seed", run.get("root_seed")],
        ["replications", run.get("replications")],
        ["random numbers", "independent per scenario" if run.get("independent")
         else "common to every scenario (replication r of each draws the same numbers)"],
        ["report period", period_note(periods[0] if len(periods) == 1 else None)],
        ["workbook written (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")],
        [],
        ["Sheets"],
        *([sheet.name, SHEETS[sheet.name]] for sheet in sheets),
        [],
        ["Data dictionary: the sheets' columns"],
        ["sheet", "column", "meaning", "unit"],
        *_sheet_dictionary(sheets),
        [],
        ["Data dictionary: the files' columns"],
        ["file", "column", "meaning", "unit"],
    ]
    for name, columns in COLUMNS.items():
        if folder.has(name) or name == COSTS_CSV and any(
                sheet.name == "Costs by financial year" for sheet in sheets):
            rows.extend([name, column, meaning, unit] for column, (meaning, unit)
                        in columns.items())
    rows.extend([[], ["Metrics (the `metric` column of the CSV files)"],
                 ["metric", "label", "meaning", "unit"]])
    rows.extend([metric, label.label, metric_meaning(metric), label.unit]
                for metric, label in METRIC_LABELS.items())
    return rows
