"""Workforce figures: staff in post against posts, and waiting, wait times and turnover."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.report.figures.common import (
    OKABE_ITO,
    SCENARIO_COLOURS,
    date_panels,
    fan_chart,
    metric_summary,
    short_legend,
    titled,
    wrapped,
)

STAFF_SERIES = (("staff_permanent", "permanent", OKABE_ITO["blue"]),
                ("staff_agency", "agency", OKABE_ITO["orange"]),
                ("vacancies", "vacancies", OKABE_ITO["vermillion"]))
WAITING_PANELS = (("unallocated", "open cases without a worker", "cases"),
                  ("wait_days_mean", ("mean wait from referral to a worker (cases allocated "
                                     "in the period)"), "days"),
                  ("turnover_12m", "permanent staff turnover over the last 12 months", "turnover"))


def plot_staffing(summary: pd.DataFrame, scenarios: Sequence[Any]) -> Figure:
    """Are the posts filled? One panel per scenario: permanent and agency social workers in post
    and vacancies (FTE; median, 50% and 90% of replications), with the funded establishment."""
    figure, axes = date_panels(len(scenarios), 4.0 if len(scenarios) == 1 else 3.4)
    for ax, scenario in zip(axes, scenarios):
        for metric, label, colour in STAFF_SERIES:
            rows = metric_summary(summary, scenario.name, metric)
            fan_chart(ax, rows["date"], rows, colour, label)
        posts = metric_summary(summary, scenario.name, "establishment")
        ax.plot(pd.to_datetime(posts["date"]).to_numpy(), posts["p50"].to_numpy(float),
                color=OKABE_ITO["black"], linewidth=1.4, linestyle="-.",
                label="establishment (funded posts)")
        ax.set_ylim(bottom=0)
        ax.set_title(wrapped(scenario.title or scenario.name), loc="left", fontsize=9)
        ax.set_ylabel("social workers (FTE)")
        short_legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                     frameon=False)
    titled(figure, "Are the posts filled? Social workers in post, agency cover and vacancies",
           "median of the replications, with the range of the middle 50% and 90%")
    return figure


def zero_throughout(summary: pd.DataFrame, scenarios: Sequence[Any], metric: str) -> bool:
    """Whether `metric` (never negative) is zero at every sample of every replication of every
    scenario: its mean over replications is zero throughout (missing values aside)."""
    return all(float(np.nan_to_num(metric_summary(summary, s.name, metric)["mean"]
                                   .to_numpy(float)).max()) == 0 for s in scenarios)


def waiting_panels(summary: pd.DataFrame, scenarios: Sequence[Any]
                   ) -> tuple[list[tuple[str, str, str]], str]:
    """The panels of `plot_waiting` worth drawing, and a sentence naming those left out because
    they are zero in every replication ("" when none is)."""
    flat = [panel for panel in WAITING_PANELS if zero_throughout(summary, scenarios, panel[0])]
    if not flat:
        return list(WAITING_PANELS), ""
    names = [title.split(" (")[0] for _, title, _ in flat]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    sentence = (f"{listed[:1].upper()}{listed[1:]}: zero throughout, in every replication of "
                f"every scenario, so not drawn.")
    return [panel for panel in WAITING_PANELS if panel not in flat], sentence


def plot_waiting(summary: pd.DataFrame, scenarios: Sequence[Any],
                 panels: Sequence[tuple[str, str, str]] = WAITING_PANELS) -> Figure:
    """Do children wait for a social worker, and do social workers stay? Unallocated cases,
    the mean wait to allocation (days) and turnover over the last 12 months (or the `panels`
    of these `waiting_panels` keeps), every scenario overlaid (median, 50% and 90% of
    replications)."""
    figure, axes = date_panels(len(panels), 2.6)
    colours = SCENARIO_COLOURS * len(scenarios)
    for ax, (metric, title, unit) in zip(axes, panels):
        top = 0.0
        for scenario, colour in zip(scenarios, colours):
            rows = metric_summary(summary, scenario.name, metric)
            fan_chart(ax, rows["date"], rows, colour, scenario.name)
            top = max(top, float(np.nan_to_num(rows["p95"].to_numpy(float)).max()))
        ax.set_ylim(0, top * 1.05 if top > 0 else 1)
        ax.set_title(title, loc="left", fontsize=9)
        ax.set_ylabel(unit)
        if unit == "turnover":
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    short_legend(axes[0], loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
                 frameon=False)
    titled(figure, "Do children wait for a social worker, and do social workers stay?",
           "median of the replications, with the range of the middle 50% and 90%")
    return figure
