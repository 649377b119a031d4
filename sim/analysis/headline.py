"""The few numbers to read first: each scenario at its horizon, median and 90% interval."""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.model.metrics import COST_METRICS


def _number(digits: int) -> Callable[[float], str]:
    return lambda value: "n/a" if np.isnan(value) else f"{value:,.{digits}f}"


def _percent(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:.1f}%"


def pounds(value: float) -> str:
    """£ in millions from £1m (e.g. "£4.2m", "-£1.3m"), else in thousands ("£350k")."""
    if np.isnan(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:
        return f"{sign}£{abs(value) / 1e6:,.1f}m"
    return f"{sign}£{abs(value) / 1e3:,.0f}k"


HEADLINE_METRICS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("caseload_mean", "caseload per worker", _number(1)),
    ("unallocated", "unallocated cases", _number(0)),
    ("staff_permanent", "permanent social workers (FTE)", _number(0)),
    ("staff_agency", "agency social workers (FTE)", _number(0)),
    ("turnover_12m", "turnover in the last 12 months", _percent),
)


def cumulative_cost(timeseries: pd.DataFrame) -> pd.DataFrame:
    """£ spent over the whole horizon per (scenario, rep): columns `scenario, rep, cost`."""
    columns = [name for name in COST_METRICS if name in timeseries.columns]
    totals = timeseries.groupby(["scenario", "rep"], sort=False)[columns].sum()
    return totals.sum(axis=1).rename("cost").reset_index()


def _years(years: float) -> str:
    return "1 year" if years == 1 else f"{years:g} years"


def _row(label: str, show: Callable[[float], str], p05: float, p50: float, p95: float) -> str:
    return f"  {label:<32}{show(p50):>12}   {show(p05)} to {show(p95)}"


def headline_lines(results: Any) -> list[str]:
    """The headline as lines of text (see `print_headline`)."""
    final = results.final()
    costs = (results.cumulative_cost() if hasattr(results, "cumulative_cost")
             else cumulative_cost(results.timeseries))
    lines = []
    for scenario in results.scenarios:
        rows = final[final["scenario"] == scenario.name]
        at = rows[rows["year"] == rows["year"].max()].set_index("metric")
        date = at["date"].iloc[0] if len(at) else "the horizon"
        if lines:
            lines.append("")
        lines.append(f"{scenario.name}: {scenario.title}" if scenario.title else scenario.name)
        lines.append(f"  {results.reps} replications; at {date} "
                     f"({_years(float(scenario.years))} after {scenario.start})")
        lines.append(f"  {'':<32}{'median':>12}   90% interval")
        for metric, label, show in HEADLINE_METRICS:
            if metric in at.index:
                lines.append(_row(label, show, *at.loc[metric, ["p05", "p50", "p95"]]))
        cost = costs.loc[costs["scenario"] == scenario.name, "cost"].to_numpy()
        p05, p50, p95 = np.percentile(cost, [5, 50, 95])
        lines.append(_row(f"cost over {_years(float(scenario.years))}", pounds, p05, p50, p95))
    return lines


def print_headline(results: Any, file: TextIO | None = None) -> None:
    """Print, for each scenario, the median and 90% interval at the horizon of the caseload,
    unallocated cases, staff, turnover, and the cost (£) summed over the horizon."""
    print("\n".join(headline_lines(results)), file=file or sys.stdout)


def comparison_lines(results: Any) -> list[str]:
    """The differences from the baseline at the horizon, as lines of text (see
    `print_comparison`)."""
    differences = results.differences()
    pairing = ("independent random numbers" if getattr(results, "independent", False)
               else "common random numbers")
    lines = []
    for scenario in results.scenarios[1:]:
        rows = differences[differences["scenario"] == scenario.name]
        if rows.empty:
            continue
        at = rows[rows["year"] == rows["year"].max()].set_index("metric")
        if lines:
            lines.append("")
        lines.append(f"{scenario.name} minus {results.baseline.name}: {results.reps} paired "
                     f"replications ({pairing}); at {at['date'].iloc[0]} "
                     f"(year {int(rows['year'].max())})")
        lines.append(f"  {'':<32}{'mean diff':>12}   {'95% interval':<24}lower in")
        for metric, label, show in HEADLINE_METRICS:
            if metric in at.index:
                row = at.loc[metric]
                show_diff = _percent_points if show is _percent else show
                interval = f"{show_diff(row['ci_low'])} to {show_diff(row['ci_high'])}"
                lines.append(f"  {label:<32}{show_diff(row['mean_diff']):>12}   {interval:<24}"
                             f"{_percent(row['p_lower']):>6} of runs")
    return lines


def _percent_points(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:+.1f} pts"


def print_comparison(results: Any, file: TextIO | None = None) -> None:
    """Print, for each scenario after the first, its mean paired difference from the first at
    the horizon with the 95% interval and the share of replications in which it is lower, for
    caseload, unallocated cases, staff and turnover."""
    print("\n".join(comparison_lines(results)), file=file or sys.stdout)


HEADLINE_ORDER = ("caseload_mean", "unallocated", "staff_permanent", "turnover_12m",
                  "wait_days_mean", "cost_staff", "cost_placements")
MAX_PANELS = 4


def chosen_metrics(metrics: Sequence[str], limit: int = MAX_PANELS) -> list[str]:
    """At most `limit` metrics to draw: the headline ones first, then in the order given."""
    present = list(dict.fromkeys(metrics))
    ranked = [m for m in HEADLINE_ORDER if m in present] + [m for m in present
                                                           if m not in HEADLINE_ORDER]
    return ranked[:limit]
