"""Finish a results folder: write costs.csv and results.xlsx (`sim.report.workbook`; also with
figures=False, as --no-figures asks), draw every figure its files allow (PNG and SVG) and write
report.html.

`finish_folder` reads only the folder's files (run.json, summary.csv, final.csv, comparison.csv,
timeseries.parquet, sweep.csv, sensitivity.csv, target.csv, backtest_summary.csv), so every
command that writes a folder, and `caseload plot DIR` afterwards, draws the same figures the
same way; `sim.report.page` lays report.html out. timeseries.parquet is read one row group (a
few whole replications) at a time and reduced as it is read, so memory does not grow with the
replications beyond one metric's (replications x samples) array.
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
from sim.analysis.draws import DRAWS_COLUMNS
from sim.analysis.financial_years import COST_PARTS, costs_by_year_of
from sim.analysis.results_folder import FolderError, ResultsFolder
from sim.analysis.tables import FINAL_COLUMNS, KEYS, SUMMARY_COLUMNS
from sim.report import page
from sim.report.figures.backtest import calibration_figure, error_by_horizon_figure
from sim.report.figures.caseload import plot_caseload, plot_comparison
from sim.report.figures.common import save_figure
from sim.report.figures.costs import plot_costs
from sim.report.figures.experiments import plot_sensitivity, plot_sweep, plot_target
from sim.report.figures.workforce import plot_staffing, plot_waiting, waiting_panels
from sim.report.workbook import write_workbook
from sim.runner.files import write_text_atomic
from sim.runner.store import list_writes

__all__ = ["FolderError", "finish_folder"]


@dataclass
class Drawn:
    """Figures saved so far: (caption, PNG path) for the report, every file written, and the
    sentences that stand for figures not drawn (every panel zero throughout)."""

    figures: list[tuple[str, Path]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
    sentences = answers.answer_sentences(scenarios, final, caseload, comparison, costs)
    sentences.extend(_draw_experiments(folder, drawn))
    report = folder.path / "report.html"
    write_text_atomic(report, page.render(folder, page.Contents(
        scenarios, sentences, drawn.figures, drawn.notes, final, comparison, costs)))
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
               "How fast the average caseload falls: the line is the median replication, the "
               "bands hold 50% and 90% of replications; dashed lines are caps, numbered dotted "
               "lines the policy actions")
    drawn.save(folder.path, "staffing.png", lambda: plot_staffing(summary, scenarios),
               "Whether the posts are filled: permanent and agency social workers in post and "
               "vacant posts, against the funded posts (dash-dot line)")
    panels, flat = waiting_panels(summary, scenarios)
    if panels:
        drawn.save(folder.path, "unallocated.png", lambda: plot_waiting(summary, scenarios, panels),
                   "Whether children wait for a worker and whether staff stay: "
                   + ", ".join(title.split(" (")[0] for _, title, _ in panels) + ". " + flat)
    else:
        drawn.notes.append(flat)
    if costs is not None:
        drawn.save(folder.path, "costs.png", lambda: plot_costs(costs, scenarios),
                   "What each financial year (April to March) costs; for a comparison, each "
                   "plan's extra cost over the first scenario with its 95% confidence interval "
                   "(below zero: cheaper)")
    if len(scenarios) > 1 and caseload is not None:
        differences = paired_over_time(caseload, [s.name for s in scenarios])
        drawn.save(folder.path, "comparison.png", lambda: plot_comparison(
            summary, differences, scenarios, bool(folder.run.get("independent"))),
            "How much lower the caseload is than in the first scenario: the lower panel's band "
            "is the 95% confidence interval of the paired difference; where it is clear of zero "
            "the difference is not chance")
    return caseload


def _draw_experiments(folder: ResultsFolder, drawn: Drawn) -> list[str]:
    """Figures of sweep.csv, sensitivity.csv, backtest_summary.csv and target.csv when present;
    their sentences."""
    sentences = []
    sweep = folder.table("sweep.csv")
    if sweep is not None and len(sweep):
        drawn.save(folder.path, "sweep.png", lambda: plot_sweep(sweep),
                   "How the results move with the swept value: the line is the median, the band "
                   "holds 90% of replications; the y-axes start at zero, so a change as small as "
                   "the noise does not look like a trend")
        sentences.extend(answers.sweep_sentences(sweep))
    sensitivity = folder.table("sensitivity.csv")
    if sensitivity is not None and len(sensitivity):
        drawn.save(folder.path, "sensitivity.png", lambda: plot_sensitivity(sensitivity),
                   "Which assumptions move the results most: longer bars matter more; whiskers "
                   "are 95% confidence intervals")
        sentences.extend(answers.sensitivity_sentences(sensitivity))
    backtest = folder.table("backtest_summary.csv")
    if backtest is not None and len(backtest):
        drawn.save(folder.path, "calibration.png", lambda: calibration_figure(backtest),
                   "Whether the model's bands hold what DfE later published as often as they "
                   "should: on the diagonal, as often as their nominal 50% and 90%")
        drawn.save(folder.path, "error_by_horizon.png", lambda: error_by_horizon_figure(backtest),
                   "How far each forecast was from what DfE later published, by measure and years "
                   "ahead: shorter bars are better; persistence carries the last figure forward, "
                   "drift its trend")
        sentences.extend(answers.backtest_sentences(backtest))
    target = folder.table("target.csv")
    if target is not None and len(target):
        answer, goal = folder.run.get("answer") or {}, folder.run.get("target") or {}
        drawn.save(folder.path, "target.png", lambda: plot_target(target, answer, goal),
                   "The chance of meeting the target with each number of extra posts tried, with "
                   "its 95% interval; the star marks the answer")
        confidence = (folder.run.get("search") or {}).get("confidence", 0.95)
        sentences.extend(answers.target_sentences(target, answer, goal, confidence))
    return sentences
