"""Period metrics and costs summed by financial year (1 April to 31 March), per replication.

A sample's period runs from the previous sample to the sample itself; it is counted in the
financial year of the last calendar day it covers (the day before, for a sample taken at midnight,
i.e. on a whole day number). The model samples at 00:00 on each 1 April, so no period straddles two
financial years and the sums are exact. The sample at day 0 closes a period before the start and is
left out.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.comparison import paired_stats
from sim.analysis.labels import COST_LABELS, cost_column
from sim.analysis.predictive import sample_quantiles
from sim.analysis.tables import sample_dates

FIRST_MONTH = 4  # April
TOTAL = "total"
COST_PARTS = {name: label for name, label in COST_LABELS.items() if name != TOTAL}


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


def costs_csv_table(costs: pd.DataFrame) -> pd.DataFrame:
    """costs.csv: `costs_by_year` with its money columns named with their period (`cost_column`):
    one row per scenario, replication and financial year, £ per financial year."""
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    return costs.rename(columns={"year": "financial_year", **{
        part: cost_column(part) for part in parts}})[
        ["scenario", "rep", "financial_year", "months", *map(cost_column, parts)]]


def yearly_spread(costs: pd.DataFrame) -> pd.DataFrame:
    """Mean, median and 90% interval over replications of each cost: columns scenario, year, part,
    mean, p05, p50, p95, months."""
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    long = costs.melt(id_vars=["scenario", "rep", "year", "months"], value_vars=parts,
                      var_name="part", value_name="cost")
    grouped = long.groupby(["scenario", "year", "part"], sort=False)
    table = grouped["cost"].agg(mean="mean", **{
        name: lambda c, q=q: sample_quantiles(c, q)
        for name, q in (("p05", 0.05), ("p50", 0.5), ("p95", 0.95))})
    return table.join(grouped["months"].max()).reset_index()


def year_heading(year: str, months: int) -> str:
    """A financial year's heading, saying when the run covers only part of it, e.g. "2021/22
    (part: 1 month)"."""
    return year if months >= 12 else f"{year} (part: {months} month{'s' * (months > 1)})"


def year_months(costs: pd.DataFrame) -> dict[str, int]:
    """Financial year -> the calendar months of it the run covers (`costs_by_year`'s months)."""
    return {str(year): int(months) for year, months in
            costs.groupby("year", sort=False)["months"].max().items()}


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


def financial_year_labels(dates: Any) -> np.ndarray:
    """The financial years holding `dates` (any sequence of dates), e.g. "2016/17" for
    2016-07-01 or 2017-03-31."""
    when = pd.to_datetime(pd.Series(dates))
    first = when.dt.year - (when.dt.month < FIRST_MONTH)
    return (first.astype(str) + "/" + ((first + 1) % 100).map("{:02d}".format)).to_numpy()


def financial_year(day: date) -> str:
    """The financial year holding `day`, e.g. "2016/17" for 2016-07-01 or 2017-03-31."""
    return str(financial_year_labels([day])[0])


def period_end_dates(dates: Any, days: np.ndarray) -> pd.Series:
    """The last calendar day each sample's period covers: the sample's date (`dates`, the
    calendar day of each sample at `days`), one day earlier for a sample taken at midnight."""
    at_midnight = np.asarray(days, dtype=float) % 1 == 0
    return (pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
            - pd.to_timedelta(at_midnight.astype(np.int64), unit="D"))


def period_years(days: np.ndarray, start: date) -> np.ndarray:
    """The financial year of each sample's period (samples `days` after `start`)."""
    return financial_year_labels(period_end_dates(sample_dates(start, days), days))


def by_financial_year(values: np.ndarray, days: np.ndarray, start: date) -> pd.DataFrame:
    """Sums of a period metric per replication (rows) and financial year (columns, in order).

    values: (replications, samples), NaN counted as 0; days: the samples' days after `start`.
    """
    after_start = np.asarray(days, dtype=float) > 0
    years = period_years(np.asarray(days, dtype=float)[after_start], start)
    frame = pd.DataFrame(np.nan_to_num(np.asarray(values, dtype=float)[:, after_start]).T)
    return frame.groupby(years, sort=True).sum().T


def financial_year_spans(days: np.ndarray, start: date) -> pd.DataFrame:
    """Per financial year (index): the dates of the first and last samples closing a period in it
    (columns `first`, `last`, ISO text; the last is 1 April of the next year when the run goes on
    past it, as that sample is taken at 00:00) and the number of such samples (`samples`)."""
    days = np.asarray(days, dtype=float)
    after_start = days[days > 0]
    dates = pd.to_datetime(sample_dates(start, after_start))
    grouped = pd.Series(dates).groupby(period_years(after_start, start), sort=True)
    return pd.DataFrame({"first": grouped.min().dt.strftime("%Y-%m-%d"),
                         "last": grouped.max().dt.strftime("%Y-%m-%d"),
                         "samples": grouped.size()})
