"""Finish a results folder: write costs.csv and results.xlsx (`sim.report.workbook`; also with
figures=False, as --no-figures asks), draw every figure its files allow (PNG and SVG) and write
report.html.

`finish_folder` reads only the folder's files (run.json, summary.csv, final.csv, comparison.csv,
timeseries.parquet, sweep.csv, sensitivity.csv, target.csv), so every command that writes a
folder, and `caseload plot DIR` afterwards, draws the same figures the same way. timeseries.parquet
is read one row group (a few whole replications) at a time and reduced as it is read, so memory
does not grow with the replications beyond one metric's (replications x samples) array.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis import answers
from sim.analysis.comparison import COMPARISON_COLUMNS, paired_stats
from sim.analysis.draws import DRAWS_COLUMNS, MIN_REPLICATIONS, SPREAD_OUTCOME, spread_explained
from sim.analysis.financial_years import COST_PARTS, TOTAL, costs_by_year_of, yearly_spread
from sim.analysis.headline import HEADLINE_METRICS, chosen_metrics, pounds
from sim.analysis.results_folder import FolderError, ResultsFolder
from sim.analysis.tables import FINAL_COLUMNS, KEYS, SUMMARY_COLUMNS
from sim.report import html as report_html
from sim.report.figures.caseload import plot_caseload, plot_comparison
from sim.report.figures.common import save_figure
from sim.report.figures.costs import plot_costs
from sim.report.figures.experiments import plot_sensitivity, plot_sweep, plot_target
from sim.report.figures.workforce import plot_staffing, plot_waiting
from sim.report.workbook import write_workbook
from sim.runner.files import write_text_atomic
from sim.runner.store import list_writes

__all__ = ["FolderError", "finish_folder"]


@dataclass
class Drawn:
    """Figures saved so far: (caption, PNG path) for the report, and every file written."""

    figures: list[tuple[str, Path]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def save(self, folder: Path, name: str, draw: Callable[[], Figure], caption: str) -> None:
        paths = save_figure(draw(), folder / name)
        self.figures.append((caption, paths[0]))
        self.files.extend(paths)


def paired_over_time(values: dict[str, tuple[np.ndarray, np.ndarray]],
                     names: list[str]) -> dict[str, pd.DataFrame]:
    """Each later scenario minus the first at every sample date both have, paired by
    replication: name -> columns date, mean_diff, ci_low, ci_high, p_lower, n."""
    base_dates, base = values[names[0]]
    out = {}
    for name in names[1:]:
        dates, mine = values[name]
        common, i, j = np.intersect1d(dates, base_dates, return_indices=True)
        reps = min(len(mine), len(base))
        out[name] = pd.DataFrame({"date": common}).assign(
            **paired_stats(mine[:reps, i], base[:reps, j]))
    return out


def finish_folder(out: Path | str, scenarios: Sequence[Any] | None = None,
                  figures: bool = True) -> list[Path]:
    """Write costs.csv and results.xlsx (`write_workbook`), then draw the figures the folder's
    files allow and write report.html (unless `figures` is False); the files written.

    scenarios: the scenarios of run.json when the caller holds them (as `sim.run` does); by
    default they are read back from run.json. Raises FolderError for a folder without a
    readable run.json or whose scenarios cannot be read back.
    """
    folder = ResultsFolder.open(out)
    _check_columns(folder)
    scenarios = list(folder.scenarios if scenarios is None else scenarios)
    list_writes(folder.path)
    costs = costs_by_year_of(folder.replications(list(COST_PARTS)))
    tables = write_workbook(folder.path, costs)
    if not figures:
        return tables
    drawn = Drawn()
    caseload = _draw_scenarios(folder, scenarios, costs, drawn)
    final, comparison = folder.table("final.csv"), folder.table("comparison.csv")
    sentences = answers.report_sentences(scenarios, final, caseload, comparison, costs)
    sentences.extend(_draw_experiments(folder, drawn))
    report = folder.path / "report.html"
    write_text_atomic(report, _page(folder, sentences, drawn, final, comparison, costs))
    return [*tables, *drawn.files, report]


EXPECTED_COLUMNS = {
    "summary.csv": SUMMARY_COLUMNS,
    "final.csv": FINAL_COLUMNS,
    "comparison.csv": COMPARISON_COLUMNS,
    "sweep.csv": ("param", "value", *(c for c in FINAL_COLUMNS if c != "scenario")),
    "draws.csv": DRAWS_COLUMNS,
}
"""The columns a table must have for the figures drawn from it."""


def _check_columns(folder: ResultsFolder) -> None:
    """FolderError naming a table (or timeseries.parquet) that lacks columns the figures need:
    a file of that name that caseload did not write."""
    for name, expected in EXPECTED_COLUMNS.items():
        path = folder.path / name
        if not folder.has(name):
            continue
        try:
            present = set(pd.read_csv(path, nrows=0).columns)
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None
        _require(path, expected, present)
    present = folder.timeseries_columns()
    if present is not None:
        _require(folder.path / "timeseries.parquet", KEYS, set(present))


def _require(path: Path, expected: Sequence[str], present: set[str]) -> None:
    missing = [column for column in expected if column not in present]
    if missing:
        raise FolderError(f"{path}: lacks the columns {', '.join(missing)}; expected a table "
                          "written by caseload")


def _draw_scenarios(folder: ResultsFolder, scenarios: list, costs: pd.DataFrame | None,
                    drawn: Drawn) -> dict | None:
    """The figures of the scenarios summary.csv holds, over time, and of their costs by
    financial year (`costs`, None without timeseries.parquet); returns caseload_mean per
    scenario (dates, replications x samples) when the folder has timeseries.parquet."""
    summary = folder.table("summary.csv")
    if summary is not None:
        scenarios = [s for s in scenarios if (summary["scenario"] == s.name).any()]
    if summary is None or not scenarios:
        return None
    caseload = folder.metric_values("caseload_mean")
    drawn.save(folder.path, "caseload.png", lambda: plot_caseload(summary, scenarios),
               "Average caseload per social worker: median, 50% and 90% of replications, with "
               "caps, targets and numbered policy actions")
    drawn.save(folder.path, "staffing.png", lambda: plot_staffing(summary, scenarios),
               "Permanent and agency social workers in post and vacancies, against the funded "
               "establishment")
    drawn.save(folder.path, "unallocated.png", lambda: plot_waiting(summary, scenarios),
               "Unallocated cases, mean wait to allocation and turnover over the last 12 months")
    if costs is not None:
        drawn.save(folder.path, "costs.png", lambda: plot_costs(costs, scenarios),
                   "Costs by financial year (April to March); for comparisons, the paired "
                   "difference from the first scenario")
    if len(scenarios) > 1 and caseload is not None:
        differences = paired_over_time(caseload, [s.name for s in scenarios])
        drawn.save(folder.path, "comparison.png", lambda: plot_comparison(
            summary, differences, scenarios, bool(folder.run.get("independent"))),
            "Caseloads of every scenario, and the paired difference from the first with its "
            "95% confidence interval")
    return caseload


def _draw_experiments(folder: ResultsFolder, drawn: Drawn) -> list[str]:
    """Figures of sweep.csv, sensitivity.csv and target.csv when present; their sentences."""
    sentences = []
    sweep = folder.table("sweep.csv")
    if sweep is not None and len(sweep):
        drawn.save(folder.path, "sweep.png", lambda: plot_sweep(sweep),
                   "Results against the swept parameter: median with the 90% interval of the "
                   "replications")
        sentences.extend(answers.sweep_sentences(sweep))
    sensitivity = folder.table("sensitivity.csv")
    if sensitivity is not None and len(sensitivity):
        drawn.save(folder.path, "sensitivity.png", lambda: plot_sensitivity(sensitivity),
                   "Parameters ranked by their influence, with 95% confidence intervals")
        sentences.extend(answers.sensitivity_sentences(sensitivity))
    target = folder.table("target.csv")
    if target is not None and len(target):
        answer, goal = folder.run.get("answer") or {}, folder.run.get("target") or {}
        drawn.save(folder.path, "target.png", lambda: plot_target(target, answer, goal),
                   "Probability of meeting the target against extra posts, with 95% intervals")
        sentences.extend(answers.target_sentences(target, answer, goal))
    return sentences


def _page(folder: ResultsFolder, sentences: list[str], drawn: Drawn, final: pd.DataFrame | None,
          comparison: pd.DataFrame | None, costs: pd.DataFrame | None) -> str:
    run = folder.run
    names = [record.get("name", "?") for record in folder.scenario_records]
    sections = [report_html.section("What was run", report_html.table(_run_facts(run))),
                report_html.section("Headline answers", report_html.bullets(sentences)
                                    if sentences else report_html.paragraph(
                                        "No results in this folder to answer from."))]
    if drawn.figures:
        sections.append(report_html.section("Figures", *(
            report_html.figure(png, caption) for caption, png in drawn.figures)))
    tables = _tables(final, comparison, costs, folder)
    if tables:
        sections.append(report_html.section("Tables", *tables))
    if folder.has("draws.csv"):
        sections.append(_uncertainty_section(folder))
    sections.append(report_html.section(
        "Assumptions",
        report_html.paragraph("Every parameter of each scenario as simulated (after extends "
                              "and --set), the file that set it and the source comment beside "
                              "it in that file."),
        *(report_html.assumptions(record) for record in folder.scenario_records)))
    return report_html.page(f"caseload report: {' vs '.join(names) or folder.path.name}",
                            sections)


def _uncertainty_section(folder: ResultsFolder) -> str:
    """Which uncertain assumption's draw explains most of the spread of the average caseload at
    the horizon across replications (squared Spearman rank correlation, from draws.csv and
    timeseries.parquet)."""
    intro = report_html.paragraph(
        "Each replication drew its own value of every uncertain assumption (draws.csv). The "
        "share of the spread explained is the squared Spearman rank correlation, over a "
        "scenario's replications, between an assumption's draw and the average caseload at the "
        "horizon: 1 if the caseload rises or falls with that draw alone, 0 if unrelated. At "
        f"least {MIN_REPLICATIONS} replications are needed.")
    values = folder.metric_values(SPREAD_OUTCOME) or {}
    outcomes = {name: samples[:, -1] for name, (_, samples) in values.items()}
    shares = spread_explained(folder.table("draws.csv"), outcomes)
    if not len(shares):
        return report_html.section("Uncertain assumptions", intro, report_html.paragraph(
            "Too few replications (or no spread in the caseload) to say."))
    shown = shares.rename(columns={"key": "assumption",
                                   "rank_correlation": "rank correlation with the caseload",
                                   "share_explained": "share of the spread explained"})
    shown = shown.round(3)
    return report_html.section("Uncertain assumptions", intro, report_html.table(
        shown, "Uncertain assumptions by the share of the spread of the average caseload at the "
               "horizon that their draw explains"))


def _run_facts(run: dict) -> pd.DataFrame:
    facts = {
        "command": run.get("command"),
        "status": run.get("status"),
        "scenarios": "; ".join(f"{r.get('name')}: {r.get('resolved', {}).get('title', '')}"
                               for r in run.get("scenarios", [])),
        "replications": run.get("replications"),
        "root seed": run.get("root_seed"),
        "random numbers": "independent per scenario" if run.get("independent")
        else "common to every scenario",
        "caseload version": run.get("version"),
        "started (UTC)": run.get("started"),
        "finished (UTC)": run.get("finished"),
        "executor and workers": f"{run.get('executor')}, {run.get('workers')}",
        "wall seconds": run.get("wall_seconds"),
        "SimPy events": run.get("events"),
    }
    return pd.DataFrame({"": list(facts), "value": [
        "" if value is None else str(value) for value in facts.values()]})


def _final_rows(final: pd.DataFrame) -> pd.DataFrame:
    """final.csv's headline metrics as 'median (5th to 95th percentile)' by year."""
    rows = []
    for metric, label, show in HEADLINE_METRICS:
        for row in final[final["metric"] == metric].itertuples():
            rows.append({"scenario": row.scenario, "measure": label, "year": row.year,
                         "cell": f"{show(row.p50)} ({show(row.p05)} to {show(row.p95)})"})
    return _by_year(pd.DataFrame(rows), ["scenario", "measure"])


def _comparison_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, label, show in HEADLINE_METRICS:
        for row in comparison[comparison["metric"] == metric].itertuples():
            rows.append({"scenario minus baseline": f"{row.scenario} minus {row.baseline}",
                         "measure": label, "year": row.year,
                         "cell": f"{show(row.mean_diff)} ({show(row.ci_low)} to "
                                 f"{show(row.ci_high)}); lower in {100 * row.p_lower:.0f}%"})
    return _by_year(pd.DataFrame(rows), ["scenario minus baseline", "measure"])


def _by_year(rows: pd.DataFrame, keys: list[str], heading: str = "end of year {}"
             ) -> pd.DataFrame:
    """Rows' `cell` with one row per `keys` (in first-seen order) and one column per `year`."""
    order = {key: list(dict.fromkeys(rows[key])) for key in keys}
    table = rows.pivot(index=keys, columns="year", values="cell").rename(
        columns=heading.format).reset_index()
    for key in reversed(keys):
        table = table.sort_values(key, key=lambda column, k=key: column.map(order[k].index),
                                  kind="stable")
    return table.reset_index(drop=True)


def _cost_rows(costs: pd.DataFrame) -> pd.DataFrame:
    spread = yearly_spread(costs)
    spread["part"] = spread["part"].map({**COST_PARTS, TOTAL: "total"})
    spread["cell"] = [f"{pounds(m)} ({pounds(lo)} to {pounds(hi)})"
                      for m, lo, hi in zip(spread["p50"], spread["p05"], spread["p95"])]
    return _by_year(spread, ["scenario", "part"], "{}")


def _tables(final: pd.DataFrame | None, comparison: pd.DataFrame | None,
            costs: pd.DataFrame | None, folder: ResultsFolder) -> list[str]:
    out = []
    if final is not None and len(final):
        out.append(report_html.table(_final_rows(final), "End of each simulated year: median "
                                     "(90% of replications)"))
    if comparison is not None and len(comparison):
        out.append(report_html.table(_comparison_rows(comparison), "Paired differences at the "
                                     "end of each year: mean (95% confidence interval); share "
                                     "of replications lower"))
    if costs is not None:
        out.append(report_html.table(_cost_rows(costs), "Cost by financial year: median (90% "
                                     "of replications)"))
    for name, caption in (("sweep.csv", "Sweep (sweep.csv)"),
                          ("sensitivity.csv", "Sensitivity indices (sensitivity.csv)"),
                          ("target.csv", "Candidates evaluated (target.csv)")):
        frame = folder.table(name)
        if frame is not None and "metric" in frame.columns:
            frame = frame[frame["metric"].isin(chosen_metrics(frame["metric"].tolist()))]
        if frame is not None and len(frame):
            out.append(report_html.table(frame.round(4), caption))
    return out
