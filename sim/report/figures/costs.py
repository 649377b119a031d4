"""Costs by financial year (April to March): what each scenario spends, and the difference a
plan makes against the first scenario (the "invest to save" question).

Period costs are attributed to the financial year of the last day their period covers; the model
samples on each 1 April, so no period straddles two financial years.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.financial_years import COST_PARTS, TOTAL, yearly_differences, yearly_spread
from sim.report.figures.common import GREY, OKABE_ITO, SCENARIO_COLOURS, blank_figure, titled, wrapped

PART_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                OKABE_ITO["purple"], OKABE_ITO["black"])


def _pounds_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(FuncFormatter(
        lambda value, _: f"{'-' if value < 0 else ''}£{abs(value) / 1e6:,.1f}m"))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def _year_labels(spread: pd.DataFrame) -> list[str]:
    years = spread.drop_duplicates("year")
    return [f"{year}\n({months} months)" if months < 12 else str(year)
            for year, months in zip(years["year"], years["months"])]


def _bars(ax: Axes, rows: pd.DataFrame, years: Sequence[str], groups: Sequence[str],
          key: str, colours: Sequence[str], labels: Sequence[str], middle: str, low: str,
          high: str) -> None:
    """Grouped bars: for each year, one bar per group (rows where rows[key] == group), height
    `middle` with an error bar from `low` to `high`."""
    width = 0.8 / len(groups)
    x = np.arange(len(years))
    for i, (group, colour, label) in enumerate(zip(groups, colours, labels)):
        part = rows[rows[key] == group].set_index("year").reindex(years)
        centre = part[middle].to_numpy(float)
        errors = np.vstack([centre - part[low].to_numpy(float),
                            part[high].to_numpy(float) - centre])
        ax.bar(x + (i - (len(groups) - 1) / 2) * width, centre, width, color=colour,
               label=label, yerr=np.abs(errors), error_kw={"elinewidth": 0.8, "capsize": 1.5,
                                                          "ecolor": GREY})


def plot_costs(costs: pd.DataFrame, scenarios: Sequence[Any]) -> Figure:
    """What does each financial year cost, and does a plan pay for itself?

    costs: `costs_by_year` rows. One scenario: the cost of each part per financial year, median
    with the 90% interval of the replications. Several: the total per scenario, then for each
    later scenario its paired difference from the first per part (mean and 95% CI).
    """
    spread = yearly_spread(costs)
    years = list(pd.unique(spread["year"]))
    names = [scenario.name for scenario in scenarios]
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    labels = [COST_PARTS.get(name, "total") for name in parts]
    later = names[1:]
    figure = blank_figure(4.2 + 3.2 * len(later))
    axes = figure.subplots(1 + len(later), 1, squeeze=False)[:, 0]
    first = spread[spread["scenario"] == names[0]]
    if later:
        _bars(axes[0], spread[spread["part"] == TOTAL], years, names, "scenario",
              SCENARIO_COLOURS, names, "p50", "p05", "p95")
        axes[0].set_title("Total cost per financial year by scenario (median, bars: 90% of "
                          "replications)", loc="left", fontsize=9)
    else:
        _bars(axes[0], first[first["part"] != TOTAL], years, parts[:-1], "part", PART_COLOURS,
              labels[:-1], "p50", "p05", "p95")
        axes[0].set_title(wrapped(f"{scenarios[0].title or names[0]} (median, bars: 90% of "
                                  "replications)"), loc="left", fontsize=9)
    for ax, name in zip(axes[1:], later):
        difference = yearly_differences(costs, names[0], name)
        _bars(ax, difference, years, parts, "part", PART_COLOURS, labels, "mean_diff",
              "ci_low", "ci_high")
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_title(wrapped(f"{name} minus {names[0]}: mean paired difference (bars: 95% "
                             "confidence interval); below zero = cheaper"), loc="left", fontsize=9)
    for ax in axes:
        _pounds_axis(ax)
        ax.set_xticks(np.arange(len(years)), _year_labels(first), fontsize=8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    question = ("Does the plan pay for itself? Costs by financial year (April to March)" if later
                else "What does each financial year cost? (April to March)")
    titled(figure, question, "£ per year; part years are labelled with the months they cover")
    return figure
