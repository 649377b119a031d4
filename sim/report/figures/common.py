"""What every figure shares: the palette, A4-width figures, date axes, fan charts and saving.

Figures are drawn on matplotlib's Agg canvas without pyplot, so drawing never changes the
backend of a notebook or needs a display. Colours are the Okabe-Ito palette (colour-blind safe).
The figures themselves: `plots_caseload` (caseload and comparisons), `plots_workforce`
(staffing, waiting, turnover), `plots_costs` (financial years), `plots_experiments` (sweeps,
sensitivity, targets).
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sim.runner.files import atomic_path
from sim.analysis.tables import summary_table

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
SCENARIO_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                    OKABE_ITO["vermillion"], OKABE_ITO["purple"], OKABE_ITO["sky_blue"],
                    OKABE_ITO["black"])
GREY = "#555555"
WIDTH_INCHES = 8.0       # fits A4 portrait width inside margins at print size
PANEL_INCHES = 4.5       # height of a one-panel figure
DPI = 150
TITLE_CHARACTERS = 88    # characters per line of an 11-point title across the figure


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


def blank_figure(height_inches: float = PANEL_INCHES) -> Figure:
    """An empty A4-width figure (8 in wide) on the Agg canvas, laid out by matplotlib."""
    figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def new_figure() -> tuple[Figure, Axes]:
    """An A4-width figure (8 x 4.5 in) with one date axis."""
    figure = blank_figure()
    ax = figure.add_subplot()
    style_date_axes(ax)
    return figure, ax


def date_panels(rows: int, panel_inches: float = 3.0) -> tuple[Figure, list[Axes]]:
    """A figure of `rows` stacked date axes sharing the x axis (8 in wide)."""
    figure = blank_figure(max(PANEL_INCHES, rows * panel_inches))
    axes = list(figure.subplots(rows, 1, sharex=True, squeeze=False)[:, 0])
    for ax in axes:
        style_date_axes(ax)
    return figure, axes


def titled(figure: Figure, question: str, detail: str = "") -> None:
    """The figure's title: the question it answers (wrapped to the width), then a line of
    detail."""
    text = textwrap.fill(question, TITLE_CHARACTERS) + (f"\n{detail}" if detail else "")
    figure.suptitle(text, x=0.01, ha="left", fontsize=11)


def wrapped(title: str, characters: int = 95) -> str:
    """A panel title broken into lines that fit an A4-width panel at 9 points."""
    return textwrap.fill(title, characters)


def save_figure(figure: Figure, path: Path) -> list[Path]:
    """Save as PNG at `DPI` dots per inch and as SVG beside it, atomically; the two paths."""
    paths = [Path(path), Path(path).with_suffix(".svg")]
    for each in paths:
        with atomic_path(each) as temp:
            figure.savefig(temp, dpi=DPI)
        figure.set_layout_engine("none")  # the layout found for the PNG holds for the SVG
    return paths


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



def unlabel_off_axes(ax: Axes) -> None:
    """Take out of the legend every line wholly outside the y-axis's limits (e.g. a cap above
    the data): a legend entry for a line the reader cannot see would mislead. Call it once the
    limits are set, before the legend is drawn."""
    low, high = sorted(ax.get_ylim())
    for line in ax.get_lines():
        values = np.asarray(line.get_ydata(), dtype=float)
        if len(values) and not line.get_label().startswith("_") and (
                (values > high).all() or (values < low).all()):
            line.set_label(f"_{line.get_label()} (off the axes)")


def short_legend(ax: Axes, **options: Any) -> None:
    """A legend naming each fan chart once (by its median line) and every other line, with the
    bands explained in its title; `options` go to `Axes.legend`."""
    handles, labels = ax.get_legend_handles_labels()
    kept = [(handle, label.removesuffix(": median")) for handle, label in zip(handles, labels)
            if not label.endswith("of runs")]
    ax.legend(*zip(*kept), title="lines: median; bands: 50% and 90% of runs",
              title_fontsize=7, **options)
