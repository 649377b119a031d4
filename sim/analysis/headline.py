"""The few numbers to read first: each scenario at its horizon, median and 90% interval, and
its cost by financial year (for a comparison, the extra over the first scenario)."""
from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.analysis.comparison import paired_stats
from sim.analysis.financial_years import by_financial_year
from sim.analysis.predictive import sample_quantiles
from sim.model.units import DAYS_PER_YEAR


def _number(digits: int) -> Callable[[float], str]:
    return lambda value: "n/a" if np.isnan(value) else f"{value:,.{digits}f}"


def _percent(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:.1f}%"


def pounds(value: float) -> str:
    """£ in millions from £1m (e.g. "£4.2m", "-£1.3m"), in thousands from £1,000 ("£350k"),
    else in pounds ("£0", "£120"): a sum under £1,000 could round to a misleading "£0k"."""
    if np.isnan(value):
        return "n/a"
    if abs(value) < 0.5:
        return "£0"
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:
        return f"{sign}£{abs(value) / 1e6:,.1f}m"
    if abs(value) >= 1e3:
        return f"{sign}£{abs(value) / 1e3:,.0f}k"
    return f"{sign}£{abs(value):,.0f}"


HEADLINE_METRICS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("caseload_mean", "caseload per worker", _number(1)),
    ("unallocated", "unallocated cases", _number(0)),
    ("staff_permanent", "permanent social workers (FTE)", _number(0)),
    ("staff_agency", "agency social workers (FTE)", _number(0)),
    ("turnover_12m", "turnover in the last 12 months", _percent),
)


WORKFORCE_COSTS = ("cost_staff", "cost_agency", "cost_recruitment")
"""The cost of the workforce: permanent pay, agency and recruitment (placements shown apart)."""
COST_GROUPS = {"workforce": WORKFORCE_COSTS, "placements": ("cost_placements",)}


def costs_by_financial_year(results: Any, scenario: Any) -> dict[str, pd.DataFrame]:
    """£ of each of COST_GROUPS per replication (rows) and financial year (columns) of one
    scenario of `results` (anything with `values(name, metric)` and `days(name)`)."""
    days = results.days(scenario.name)
    return {group: by_financial_year(sum(np.nan_to_num(results.values(scenario.name, metric))
                                         for metric in metrics), days, scenario.start)
            for group, metrics in COST_GROUPS.items()}


def year_label(year: str, start: date, end: date) -> str:
    """A financial year's label, noting a part year (the run starts after 1 April or ends
    before 31 March), e.g. "2021/22 (part: to 2021-04-01)"."""
    first, last = date(int(year[:4]), 4, 1), date(int(year[:4]) + 1, 3, 31)
    if start > first:
        return f"{year} (part: from {start})"
    return f"{year} (part: to {end})" if end < last else year


def _horizon(scenario: Any) -> date:
    return scenario.start + timedelta(days=float(scenario.years) * DAYS_PER_YEAR)


def cost_lines(results: Any, scenario: Any) -> list[str]:
    """One scenario's cost of the workforce and of placements by financial year and over the
    run: median and 90% interval of the replications."""
    costs = costs_by_financial_year(results, scenario)
    lines = [f"  cost by financial year, median (90% interval); workforce = permanent pay, "
             f"agency and recruitment:", f"    {'':<32}{'workforce':<32}placements"]
    end = _horizon(scenario)
    rows = [(year_label(year, scenario.start, end), {g: c[year] for g, c in costs.items()})
            for year in costs["workforce"].columns]
    rows.append((f"whole run ({_years(float(scenario.years))})",
                 {g: c.sum(axis=1) for g, c in costs.items()}))
    for label, parts in rows:
        cells = []
        for values in parts.values():
            p05, p50, p95 = sample_quantiles(values, [0.05, 0.5, 0.95])
            cells.append(f"{pounds(p50)} ({pounds(p05)} to {pounds(p95)})")
        lines.append(f"    {label:<32}{cells[0]:<32}{cells[1]}")
    return lines


def extra_cost_lines(results: Any, baseline: Any, scenario: Any) -> list[str]:
    """`scenario`'s cost minus `baseline`'s by financial year, paired by replication: the mean
    difference of the workforce, of placements and of both, with 95% intervals."""
    mine, base = costs_by_financial_year(results, scenario), costs_by_financial_year(
        results, baseline)
    years = [year for year in mine["workforce"].columns if year in base["workforce"].columns]
    lines = [f"  extra cost over {baseline.name} by financial year, mean (95% interval); "
             f"workforce = permanent pay, agency and recruitment:",
             f"    {'':<32}{'workforce':<32}{'placements':<32}total"]
    end = _horizon(scenario)
    for year in years:
        reps = min(len(mine["workforce"]), len(base["workforce"]))
        ours = {g: c[year].to_numpy()[:reps] for g, c in mine.items()}
        theirs = {g: c[year].to_numpy()[:reps] for g, c in base.items()}
        ours["total"], theirs["total"] = sum(ours.values()), sum(theirs.values())
        cells = []
        for group in ours:
            stats = paired_stats(ours[group], theirs[group])
            cells.append(f"{_signed(float(stats['mean_diff']))} ({_signed(float(stats['ci_low']))}"
                         f" to {_signed(float(stats['ci_high']))})")
        lines.append(f"    {year_label(year, scenario.start, end):<32}{cells[0]:<32}"
                     f"{cells[1]:<32}{cells[2]}")
    return lines


def _signed(value: float) -> str:
    shown = pounds(value)
    return shown if shown.startswith("-") or shown == "n/a" else f"+{shown}"


def _years(years: float) -> str:
    return "1 year" if years == 1 else f"{years:g} years"


def _row(label: str, show: Callable[[float], str], p05: float, p50: float, p95: float) -> str:
    return f"  {label:<32}{show(p50):>12}   {show(p05)} to {show(p95)}"


def headline_lines(results: Any) -> list[str]:
    """The headline as lines of text (see `print_headline`)."""
    final = results.final()
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
        lines.extend(cost_lines(results, scenario))
    return lines


def print_headline(results: Any, file: TextIO | None = None) -> None:
    """Print, for each scenario, the median and 90% interval at the horizon of the caseload,
    unallocated cases, staff and turnover, and of the cost (£) of the workforce and of
    placements by financial year and over the run."""
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
        lines.extend(extra_cost_lines(results, results.baseline, scenario))
    return lines


def _percent_points(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{100 * value:+.1f} pts"


def print_comparison(results: Any, file: TextIO | None = None) -> None:
    """Print, for each scenario after the first, its mean paired difference from the first at
    the horizon with the 95% interval and the share of replications in which it is lower, for
    caseload, unallocated cases, staff and turnover, then its extra cost (£) over the first by
    financial year."""
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
