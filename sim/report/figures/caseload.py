"""Caseload figures: the fan chart against caps, targets and policy actions, and comparisons."""
from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from sim.analysis.labels import level_words
from sim.analysis.marks import Marks, marks_of
from sim.report.figures.common import (
    GREY,
    OKABE_ITO,
    SCENARIO_COLOURS,
    date_panels,
    fan_chart,
    metric_summary,
    short_legend,
    style_date_axes,
    titled,
    unlabel_off_axes,
    wrapped,
)

CAP_COLOURS = (OKABE_ITO["vermillion"], OKABE_ITO["purple"], OKABE_ITO["orange"])
TARGET_COLOUR = OKABE_ITO["green"]
KEY_WIDTH = 34   # characters per line of a policy action's legend entry


def _steps(steps: list[tuple[dt.date, float]], end: Any) -> tuple[np.ndarray, np.ndarray]:
    x = [np.datetime64(when, "D") for when, _ in steps] + [np.datetime64(end, "D")]
    y = [value for _, value in steps] + [steps[-1][1]]
    return np.array(x), np.array(y)


def draw_marks(ax: Axes, marks: Marks, end: Any) -> None:
    """Caps as dashed step lines, targets as a solid green line, policy actions as dotted
    vertical lines numbered at the top, with the numbers' key ("1: 01 Oct 2016 ...") as legend
    entries."""
    for colour, (label, steps) in zip(CAP_COLOURS * len(marks.caps), marks.caps.items()):
        ax.step(*_steps(steps, end), where="post", color=colour, linestyle="--", linewidth=1.2,
                label=level_words(label))
    for i, (when, target) in enumerate(marks.targets):
        ax.step(*_steps([(when, target)], end), where="post", color=TARGET_COLOUR, linewidth=1.6,
                label=f"target {target:g} (hire to caseload)" if i == 0 else None)
    on_top = blended_transform_factory(ax.transData, ax.transAxes)
    for number, (when, label) in enumerate(marks.actions, start=1):
        ax.axvline(np.datetime64(when, "D"), color=GREY, linestyle=":", linewidth=1.2,
                   label="policy actions:" if number == 1 else None)
        ax.text(np.datetime64(when, "D"), 0.99, str(number), transform=on_top, ha="center",
                va="top", fontsize=7, color=GREY,
                bbox={"facecolor": "white", "edgecolor": GREY, "boxstyle": "circle,pad=0.2",
                      "linewidth": 0.6})
        ax.plot([], [], linestyle="none", label=textwrap.fill(
            f"{number}: {when:%d %b %Y}, {label}", KEY_WIDTH, subsequent_indent="    "))


def plot_caseload(summary: pd.DataFrame, scenarios: Sequence[Any]) -> Figure:
    """When does the average caseload come down, and how sure is that? One panel per scenario:
    the fan chart (median, 50% and 90% of replications) of caseload_mean with caps, targets and
    numbered policy actions (the numbers' key is in the legend).

    summary: summary.csv rows (or a timeseries frame) holding each scenario's caseload_mean.
    """
    figure, axes = date_panels(len(scenarios), 4.0 if len(scenarios) == 1 else 3.6)
    rows_of = {scenario.name: metric_summary(summary, scenario.name, "caseload_mean")
               for scenario in scenarios}
    top = max(float(rows["p95"].max()) for rows in rows_of.values())
    for ax, scenario in zip(axes, scenarios):
        rows = rows_of[scenario.name]
        fan_chart(ax, rows["date"], rows, OKABE_ITO["blue"], "caseload")
        draw_marks(ax, marks_of(scenario), rows["date"].iloc[-1])
        ax.set_ylim(0, top * 1.08)
        unlabel_off_axes(ax)
        ax.set_title(wrapped(scenario.title or scenario.name), loc="left", fontsize=9)
        ax.set_ylabel("cases per worker")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False,
                  title=f"{int(rows['n'].max())} replications", title_fontsize=7)
    titled(figure, "Average caseload per social worker: how fast does it fall, and how sure "
                   "is that?",
           "median of the replications, with the range of the middle 50% and 90%")
    return figure


def plot_comparison(summary: pd.DataFrame, differences: Mapping[str, pd.DataFrame],
                    scenarios: Sequence[Any], independent: bool = False) -> Figure:
    """Do the other scenarios lower caseloads compared with the first, and how surely?

    Top: overlaid caseload fan charts of every scenario (median, 50% and 90% bands). Bottom: the
    paired difference in caseload_mean of each later scenario from the first, mean and 95% CI,
    with zero marked. summary: summary.csv rows; differences: scenario name -> rows with
    `date, mean_diff, ci_low, ci_high` over time.
    """
    figure, (top, bottom) = date_panels(2, 3.6)
    colours = dict(zip([s.name for s in scenarios], SCENARIO_COLOURS * len(scenarios)))
    for scenario in scenarios:
        rows = metric_summary(summary, scenario.name, "caseload_mean")
        fan_chart(top, rows["date"], rows, colours[scenario.name], scenario.name)
    top.set_ylim(bottom=0)
    top.set_title("Average caseload per social worker, by scenario (median, 50% and 90% of "
                  "replications)", loc="left", fontsize=9)
    top.set_ylabel("cases per worker")
    short_legend(top, loc="lower left", fontsize=7, framealpha=0.9)

    baseline = scenarios[0]
    for name, rows in differences.items():
        x = pd.to_datetime(pd.Series(rows["date"])).to_numpy()
        bottom.fill_between(x, rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float),
                            color=colours[name], alpha=0.3, linewidth=0,
                            label=f"{name}: 95% confidence interval")
        bottom.plot(x, rows["mean_diff"].to_numpy(float), color=colours[name], linewidth=2,
                    label=f"{name}: mean difference")
    bottom.axhline(0, color=GREY, linewidth=1, linestyle="--",
                   label=f"no difference from {baseline.name}")
    pairing = ("independent random numbers in each scenario" if independent
               else "the same random numbers in every scenario")
    bottom.set_title(wrapped(f"Caseload minus {baseline.name}: mean and 95% confidence "
                             f"interval (paired by replication; {pairing})"), loc="left",
                     fontsize=9)
    bottom.set_ylabel("difference in cases per worker")
    bottom.legend(loc="best", fontsize=7, framealpha=0.9)
    for ax in (top, bottom):
        style_date_axes(ax)
    titled(figure, f"How much lower is the caseload than under {baseline.name}, and how sure "
                   "is that?")
    return figure
