"""Costs by financial year (April to March): what each scenario spends, and the difference a
plan makes against the first scenario (the "invest to save" question).

Period costs are attributed to the financial year of the last day their period covers; the model
samples on each 1 April, so no period straddles two financial years.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.comparison import paired_stats
from sim.analysis.financial_years import financial_year_labels, period_end_dates
from sim.report.figures.common import GREY, OKABE_ITO, SCENARIO_COLOURS, blank_figure, titled, wrapped

COST_PARTS = {"cost_staff": "permanent staff pay", "cost_agency": "agency (pay and premium)",
              "cost_recruitment": "recruitment", "cost_placements": "placements"}
PART_COLOURS = (OKABE_ITO["blue"], OKABE_ITO["orange"], OKABE_ITO["green"],
                OKABE_ITO["purple"], OKABE_ITO["black"])
TOTAL = "total"


def costs_by_year(timeseries: pd.DataFrame) -> pd.DataFrame:
    """£ per (scenario, rep, financial year): one column per cost metric present and `total`,
    plus `months` (calendar months of the year the periods cover, to flag part years). The
    samples at day 0 or before close no period of the run and are left out."""
    parts = [name for name in COST_PARTS if name in timeseries.columns]
    timeseries = timeseries[timeseries["day"] > 0]
    frame = timeseries[["scenario", "rep", *parts]].copy()
    frame["date"] = period_end_dates(timeseries["date"], timeseries["day"]).to_numpy()
    frame["year"] = financial_year_labels(frame["date"])
    grouped = frame.groupby(["scenario", "rep", "year"], sort=False)
    table = grouped[parts].sum()
    table[TOTAL] = table[parts].sum(axis=1)
    months = frame.assign(month=pd.to_datetime(frame["date"]).dt.to_period("M")).groupby(
        ["scenario", "rep", "year"], sort=False)["month"].nunique()
    return table.assign(months=months).reset_index()


def costs_by_year_of(frames: Iterable[pd.DataFrame]) -> pd.DataFrame | None:
    """`costs_by_year` of timeseries frames that each hold whole replications (as
    `ResultsFolder.replications` yields them), joined in order; None without frames. A row is
    one replication's, so this equals `costs_by_year` of every frame at once."""
    pieces = [costs_by_year(frame) for frame in frames]
    return pd.concat(pieces, ignore_index=True) if pieces else None


def yearly_spread(costs: pd.DataFrame) -> pd.DataFrame:
    """Median and 90% interval over replications of each cost: columns scenario, year, part,
    p05, p50, p95, months."""
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    long = costs.melt(id_vars=["scenario", "rep", "year", "months"], value_vars=parts,
                      var_name="part", value_name="cost")
    grouped = long.groupby(["scenario", "year", "part"], sort=False)
    table = grouped["cost"].quantile([0.05, 0.5, 0.95]).unstack()
    table.columns = ["p05", "p50", "p95"]
    return table.join(grouped["months"].max()).reset_index()


def yearly_differences(costs: pd.DataFrame, baseline: str, scenario: str) -> pd.DataFrame:
    """`scenario` minus `baseline` per financial year and cost, paired by replication: columns
    year, part, mean_diff, ci_low, ci_high, p_lower (as comparison.csv)."""
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    mine = costs[costs["scenario"] == scenario].set_index(["year", "rep"])
    base = costs[costs["scenario"] == baseline].set_index(["year", "rep"])
    both = mine.index.intersection(base.index)
    rows = []
    for year in pd.unique(both.get_level_values("year")):
        keys = both[both.get_level_values("year") == year]
        result = paired_stats(mine.loc[keys, parts].to_numpy(float),
                              base.loc[keys, parts].to_numpy(float))
        for i, part in enumerate(parts):
            rows.append({"year": year, "part": part,
                         **{name: float(result[name][i]) for name in
                            ("mean_diff", "ci_low", "ci_high", "p_lower")}})
    return pd.DataFrame(rows)


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
