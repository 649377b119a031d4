"""Period metrics summed by financial year (1 April to 31 March), per replication.

A sample's period runs from the previous sample to the sample itself; it is counted in the
financial year of the last calendar day it covers (the day before, for a sample taken at midnight,
i.e. on a whole day number). The model samples at 00:00 on each 1 April, so no period straddles two
financial years and the sums are exact. The sample at day 0 closes a period before the start and is
left out.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.tables import sample_dates

FIRST_MONTH = 4  # April


def financial_year_labels(dates: Any) -> np.ndarray:
    """'2016/17' style labels of the financial years holding `dates` (anything pandas reads as
    dates)."""
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
