"""Figures: fan charts of a metric's spread across replications over calendar dates.

Figures are drawn on matplotlib's Agg canvas without pyplot, so drawing never changes the
backend of a notebook or needs a display. Colours are the Okabe-Ito palette (colour-blind safe).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from sim.files import atomic_path
from sim.tables import summary_table

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
CAP_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["orange"], OKABE_ITO["purple"])
POLICY_COLOUR = "#555555"
FIGSIZE_INCHES = (8.0, 4.5)
DPI = 150


def fan_chart(ax: Axes, dates: Sequence, summary_of_metric: pd.DataFrame, colour: str,
              label: str) -> None:
    """Draw a median line with 50% (p25-p75) and 90% (p05-p95) bands.

    dates: x positions (calendar dates), one per row of `summary_of_metric`, which has columns
    p05, p25, p50, p75, p95 (rows in date order).
    """
    x = pd.to_datetime(pd.Series(dates)).to_numpy()
    band = {name: summary_of_metric[name].to_numpy(dtype=float)
            for name in ("p05", "p25", "p50", "p75", "p95")}
    ax.fill_between(x, band["p05"], band["p95"], color=colour, alpha=0.18, linewidth=0,
                    label=f"{label}: 90% of runs")
    ax.fill_between(x, band["p25"], band["p75"], color=colour, alpha=0.38, linewidth=0,
                    label=f"{label}: 50% of runs")
    ax.plot(x, band["p50"], color=colour, linewidth=2, label=f"{label}: median")


def style_date_axes(ax: Axes) -> None:
    """Concise calendar dates on the x axis, light horizontal grid, no top or right spine."""
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def new_figure() -> tuple[Figure, Axes]:
    """An A4-width figure (8 x 4.5 in) on the Agg canvas, with a date axis."""
    figure = Figure(figsize=FIGSIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    style_date_axes(ax)
    return figure, ax


def save_figure(figure: Figure, path: Path) -> None:
    """Save as PNG at `DPI` dots per inch, atomically."""
    with atomic_path(Path(path)) as temp:
        figure.savefig(temp, dpi=DPI)


def metric_summary(data: pd.DataFrame, scenario: str, metric: str) -> pd.DataFrame:
    """Summary rows (as summary.csv) of one metric of one scenario, in day order.

    data: a timeseries frame (one row per scenario, rep, day) or a summary frame.
    """
    if "metric" not in data.columns:
        data = summary_table(data[data["scenario"] == scenario], metrics=[metric])
    rows = data[(data["scenario"] == scenario) & (data["metric"] == metric)]
    if rows.empty:
        raise ValueError(f"no {metric} rows for scenario {scenario!r}")
    return rows.sort_values("day")


def draw_caps(ax: Axes, levels: dict[str, Any]) -> None:
    """Dashed horizontal lines at the distinct caseload caps, labelled with their levels."""
    by_cap: dict[float, list[str]] = {}
    for level, settings in levels.items():
        by_cap.setdefault(float(settings.cap), []).append(level)
    for colour, (cap, names) in zip(CAP_COLOURS * len(by_cap), sorted(by_cap.items())):
        ax.axhline(cap, color=colour, linestyle="--", linewidth=1.2,
                   label=f"{', '.join(names)} cap {cap:g}")


def draw_policy(ax: Axes, start: Any, actions: Sequence) -> None:
    """Dotted vertical lines on the dates of policy actions, labelled with their note or kind."""
    on_axes_top = blended_transform_factory(ax.transData, ax.transAxes)
    for i, action in enumerate(actions):
        when = np.datetime64(start, "D") + np.timedelta64(int(np.floor(action.day(start))), "D")
        ax.axvline(when, color=POLICY_COLOUR, linestyle=":", linewidth=1.2,
                   label="policy action" if i == 0 else None)
        ax.text(when, 0.98, f" {action.note or action.do}", transform=on_axes_top, rotation=90,
                ha="right", va="top", fontsize=7, color=POLICY_COLOUR,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})


def plot_caseload(data: pd.DataFrame, scenario: Any, path: Path | None = None) -> Figure:
    """Fan chart of the average caseload per case-holding worker, with caps and policy actions.

    data: a timeseries or summary frame holding `scenario`'s caseload_mean. Saved as PNG
    (1200 x 675 pixels) when `path` is given. Returns the figure.
    """
    rows = metric_summary(data, scenario.name, "caseload_mean")
    figure, ax = new_figure()
    fan_chart(ax, rows["date"], rows, OKABE_ITO["blue"], "caseload")
    draw_caps(ax, scenario.workforce.levels)
    draw_policy(ax, scenario.start, scenario.policy)
    ax.set_ylim(bottom=0)
    ax.set_title(f"Average caseload per social worker: {scenario.title or scenario.name}",
                 loc="left", fontsize=11)
    ax.set_ylabel("allocated cases per case-holding worker")
    ax.legend(loc="best", fontsize=7, ncols=2, framealpha=0.9, title_fontsize=7,
              title=f"{int(rows['n'].max())} replications")
    if path is not None:
        save_figure(figure, path)
    return figure


SCENARIO_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                    OKABE_ITO["vermillion"], OKABE_ITO["purple"], OKABE_ITO["sky_blue"],
                    OKABE_ITO["black"])
COMPARISON_FIGSIZE_INCHES = (8.0, 8.0)


def plot_comparison(summary: pd.DataFrame, differences: dict[str, pd.DataFrame],
                    scenarios: Sequence[Any], independent: bool = False,
                    path: Path | None = None) -> Figure:
    """Do the other scenarios lower caseloads compared with the first, and how surely?

    Top: overlaid caseload fan charts of every scenario (median, 50% and 90% bands). Bottom: the
    paired difference in caseload_mean of each later scenario from the first, mean and 95% CI,
    with zero marked. summary: summary.csv rows; differences: scenario name -> rows of
    `sim.comparison.difference_over_time`. Saved as PNG (1200 x 1200 pixels) when `path` is given.
    """
    figure = Figure(figsize=COMPARISON_FIGSIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    top, bottom = figure.subplots(2, 1, sharex=True)
    colours = dict(zip([s.name for s in scenarios], SCENARIO_COLOURS * len(scenarios)))
    for scenario in scenarios:
        rows = metric_summary(summary, scenario.name, "caseload_mean")
        fan_chart(top, rows["date"], rows, colours[scenario.name], scenario.name)
    top.set_ylim(bottom=0)
    top.set_title("Average caseload per social worker, by scenario", loc="left", fontsize=11)
    top.set_ylabel("allocated cases per worker")
    top.legend(loc="best", fontsize=7, ncols=2, framealpha=0.9)

    baseline = scenarios[0]
    for name, rows in differences.items():
        x = pd.to_datetime(pd.Series(rows["date"])).to_numpy()
        bottom.fill_between(x, rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float),
                            color=colours[name], alpha=0.3, linewidth=0,
                            label=f"{name}: 95% confidence interval")
        bottom.plot(x, rows["mean_diff"].to_numpy(float), color=colours[name], linewidth=2,
                    label=f"{name}: mean difference")
    bottom.axhline(0, color=POLICY_COLOUR, linewidth=1, linestyle="--",
                   label=f"no difference from {baseline.name}")
    pairing = ("independent random numbers in each scenario" if independent
               else "the same random numbers in every scenario")
    bottom.set_title(f"How much lower than {baseline.name}?\nCaseload difference: mean and 95% "
                     f"confidence interval\n(paired by replication; {pairing})", loc="left",
                     fontsize=9)
    bottom.set_ylabel(f"caseload minus {baseline.name}")
    bottom.legend(loc="best", fontsize=7, framealpha=0.9)
    for ax in (top, bottom):
        style_date_axes(ax)
    if path is not None:
        save_figure(figure, path)
    return figure
