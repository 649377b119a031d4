"""Period metrics summed by financial year (1 April to 31 March), per replication.

A sample's period runs from the previous sample to the sample itself, so it is counted in the
financial year of the sample's date (a weekly period straddling 1 April falls wholly in the year it
ends in). The sample at day 0 closes a period before the start and is left out.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sim.analysis.tables import sample_dates

FIRST_MONTH = 4  # April


def financial_year(day: date) -> str:
    """The financial year holding `day`, e.g. "2016/17" for 2016-07-01 or 2017-03-31."""
    first = day.year if day.month >= FIRST_MONTH else day.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


def by_financial_year(values: np.ndarray, days: np.ndarray, start: date) -> pd.DataFrame:
    """Sums of a period metric per replication (rows) and financial year (columns, in order).

    values: (replications, samples), NaN counted as 0; days: the samples' days after `start`.
    """
    dates = pd.to_datetime(sample_dates(start, days))
    after_start = np.asarray(days, dtype=float) > 0
    years = [financial_year(day.date()) for day in dates[after_start]]
    frame = pd.DataFrame(np.nan_to_num(np.asarray(values, dtype=float)[:, after_start]).T)
    return frame.groupby(years, sort=True).sum().T


def financial_year_spans(days: np.ndarray, start: date) -> pd.DataFrame:
    """Per financial year (index): the dates of its first and last sample after the start
    (columns `first`, `last`, ISO text) and the number of samples (`samples`)."""
    days = np.asarray(days, dtype=float)
    dates = pd.to_datetime(sample_dates(start, days[days > 0]))
    years = [financial_year(day.date()) for day in dates]
    grouped = pd.Series(dates).groupby(years, sort=True)
    return pd.DataFrame({"first": grouped.min().dt.strftime("%Y-%m-%d"),
                         "last": grouped.max().dt.strftime("%Y-%m-%d"),
                         "samples": grouped.size()})
