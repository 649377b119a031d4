"""Tables from replications: the timeseries, its summary by sample, and year-end figures.

Percentiles are at positions p (n + 1) of the n sorted replications
(`sim.analysis.predictive.sample_quantiles`), so a 5th-95th percentile band holds about 90% of
replications like them whatever n is (numpy's and pandas' default, linear interpolation, makes it
81% with 20);
`sd` is the sample standard deviation (n - 1); confidence intervals of the mean use Student's t.
Missing values (e.g. a mean wait in a period with no allocations) are left out, and `n` counts
the replications that had a value.

From a store (`summary_from_store`, `write_timeseries`) the tables are made one metric or one
chunk at a time, so memory does not grow with the number of replications beyond one metric's
(replications x samples) array.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.predictive import sample_quantiles
from sim.model.units import DAYS_PER_YEAR
from sim.runner.files import atomic_path
from sim.runner.store import Chunk

KEYS = ("scenario", "rep", "day", "date")
SUMMARY_COLUMNS = ("scenario", "metric", "day", "date", "mean", "sd", "p05", "p25", "p50", "p75",
                   "p95", "n")
FINAL_COLUMNS = ("scenario", "metric", "year", "date", "mean", "ci_low", "ci_high", "p05", "p50",
                 "p95", "n")
PERCENTILES = {"p05": 0.05, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p95": 0.95}


def sample_dates(start: date, days: np.ndarray) -> np.ndarray:
    """Calendar dates (datetime64[D]) of samples `days` after `start` (part days dropped)."""
    return np.datetime64(start, "D") + np.floor(np.asarray(days, dtype=float)).astype("timedelta64[D]")


def _day_column(days: np.ndarray) -> np.ndarray:
    """Days as integers when they are all whole numbers (the usual case), else as given."""
    days = np.asarray(days, dtype=float)
    return days.astype(np.int64) if np.all(days == np.round(days)) else days


def timeseries_frame(runs: Mapping[str, Chunk], starts: Mapping[str, date],
                     metric_names: Sequence[str]) -> pd.DataFrame:
    """One row per (scenario, rep, day): `scenario, rep, day, date`, then one column per metric.

    runs: scenario name -> its replications; starts: scenario name -> calendar date of day 0.
    """
    frames = []
    for name, run in runs.items():
        reps, samples = len(run.rep), len(run.days)
        frame = pd.DataFrame(run.values.reshape(reps * samples, -1), columns=list(metric_names))
        frame.insert(0, "scenario", name)
        frame.insert(1, "rep", np.repeat(run.rep, samples))
        frame.insert(2, "day", np.tile(_day_column(run.days), reps))
        frame.insert(3, "date", np.tile(sample_dates(starts[name], run.days), reps).astype(
            "datetime64[ms]"))  # the unit timeseries.parquet reads back as
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def metric_columns(timeseries: pd.DataFrame) -> list[str]:
    """The metric columns of a timeseries frame, in order."""
    return [column for column in timeseries.columns if column not in KEYS]


def _iso(dates: pd.Series | pd.Index) -> np.ndarray:
    return pd.to_datetime(pd.Series(dates)).dt.strftime("%Y-%m-%d").to_numpy()


def _long(stats_by_name: Mapping[str, pd.DataFrame], metrics: Sequence[str]) -> pd.DataFrame:
    """Stack wide statistics (groups x metrics, one frame per statistic) into one row per pair."""
    index = next(iter(stats_by_name.values())).index
    groups = index.to_frame(index=False)
    long = groups.loc[groups.index.repeat(len(metrics))].reset_index(drop=True)
    long.insert(1, "metric", np.tile(np.asarray(metrics, dtype=object), len(groups)))
    for name, frame in stats_by_name.items():
        long[name] = frame[list(metrics)].to_numpy().ravel()
    return long


def _in_order(table: pd.DataFrame, scenarios: Sequence[str], metrics: Sequence[str],
              by: str) -> pd.DataFrame:
    """Rows sorted by scenario (as given), metric (as given), then `by`."""
    order = pd.DataFrame({
        "_s": pd.Categorical(table["scenario"], categories=list(scenarios), ordered=True).codes,
        "_m": pd.Categorical(table["metric"], categories=list(metrics), ordered=True).codes,
        "_b": table[by].to_numpy(),
    })
    return table.iloc[order.sort_values(["_s", "_m", "_b"], kind="stable").index].reset_index(
        drop=True)


def summary_table(timeseries: pd.DataFrame, metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """summary.csv: one row per (scenario, metric, day) with mean, sd, percentiles and n."""
    metrics = list(metrics) if metrics is not None else metric_columns(timeseries)
    groups = timeseries.groupby(["scenario", "day", "date"], sort=False)[metrics]
    stats_by_name = {"mean": groups.mean(), "sd": groups.std(ddof=1)}
    stats_by_name |= {name: groups.agg(lambda column, q=q: sample_quantiles(column, q))
                      for name, q in PERCENTILES.items()}
    stats_by_name["n"] = groups.count()
    long = _long(stats_by_name, metrics)
    long["date"] = _iso(long["date"])
    long["n"] = long["n"].astype(np.int64)
    scenarios = pd.unique(timeseries["scenario"])
    return _in_order(long, scenarios, metrics, "day")[list(SUMMARY_COLUMNS)]


def year_end_samples(samples: pd.DataFrame, horizons: Mapping[str, float]) -> pd.DataFrame:
    """The sample closing each simulated year: columns `scenario, year, day`.

    samples: distinct (scenario, day) pairs. horizons: scenario name -> years simulated.
    Year y = 1..ceil(years) ends at the last sample with day <= min(y, years) x 365.25, so a
    fractional last year ends at the horizon. Years with no sample are left out.
    """
    targets = pd.DataFrame(
        [(name, year, min(year, years) * DAYS_PER_YEAR + 1e-9)
         for name, years in horizons.items() for year in range(1, math.ceil(years - 1e-9) + 1)],
        columns=["scenario", "year", "limit"],
    )
    available = samples[["scenario", "day"]].drop_duplicates().assign(
        _day=lambda frame: frame["day"].astype(float)).sort_values("_day")
    found = pd.merge_asof(targets.sort_values("limit"), available, left_on="limit",
                          right_on="_day", by="scenario", direction="backward")
    found = found.dropna(subset=["_day"])
    return found[["scenario", "year", "day"]].astype({"year": np.int64})


def mean_ci(mean: np.ndarray, sd: np.ndarray, n: np.ndarray,
            level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a mean (Student's t); NaN when n < 2."""
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + level / 2, n - 1) * np.asarray(sd, dtype=float) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return mean - half, mean + half


def final_table(summary: pd.DataFrame, horizons: Mapping[str, float]) -> pd.DataFrame:
    """final.csv: each metric at the end of each simulated year, with a 95% CI of the mean.

    summary: rows as `summary_table` gives; horizons: scenario name -> years simulated.
    """
    ends = year_end_samples(summary, horizons)
    table = summary.merge(ends, on=["scenario", "day"], how="inner")
    table["ci_low"], table["ci_high"] = mean_ci(table["mean"].to_numpy(), table["sd"].to_numpy(),
                                                table["n"].to_numpy())
    scenarios = pd.unique(summary["scenario"])
    metrics = pd.unique(summary["metric"])
    return _in_order(table, scenarios, metrics, "year")[list(FINAL_COLUMNS)]


def summary_of_values(scenario: str, metric: str, days: np.ndarray, start: date,
                      values: np.ndarray) -> pd.DataFrame:
    """summary.csv rows of one metric of one scenario from its (replications, samples) array."""
    present = ~np.isnan(values)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing samples give NaN
        mean = np.nanmean(values, axis=0)
        sd = np.nanstd(values, axis=0, ddof=1)
        percentiles = sample_quantiles(values, list(PERCENTILES.values()), axis=0)
    table = pd.DataFrame({
        "scenario": scenario, "metric": metric, "day": _day_column(days),
        "date": pd.Series(sample_dates(start, days)).dt.strftime("%Y-%m-%d").to_numpy(),
        "mean": mean, "sd": sd,
    })
    for name, row in zip(PERCENTILES, percentiles):
        table[name] = row
    table["n"] = present.sum(axis=0).astype(np.int64)
    return table


def summary_from_store(store: Any, scenarios: Sequence, reps: int,
                       metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """summary.csv from a store's replications 0..reps-1, one metric at a time.

    store: a `sim.runner.store` store; scenarios: objects with `name` and `start`, in row order.
    """
    metrics = list(metrics) if metrics is not None else list(store.manifest.metric_names)
    parts = []
    for scenario in scenarios:
        days = store.days(scenario.name)
        for metric in metrics:
            values = store.metric_values(scenario.name, metric, reps)
            parts.append(summary_of_values(scenario.name, metric, days, scenario.start, values))
    return pd.concat(parts, ignore_index=True)[list(SUMMARY_COLUMNS)]


def write_timeseries(store: Any, scenarios: Sequence, reps: int, path: Path) -> None:
    """timeseries.parquet from a store, written chunk by chunk (one row group per chunk)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    metrics = list(store.manifest.metric_names)
    with atomic_path(Path(path)) as temp:
        writer = None
        try:
            for scenario in scenarios:
                for chunk in store.chunks(scenario.name, reps):
                    frame = timeseries_frame({scenario.name: chunk},
                                             {scenario.name: scenario.start}, metrics)
                    schema = writer.schema if writer is not None else None
                    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
                    if writer is None:
                        writer = pq.ParquetWriter(temp, table.schema)
                    writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
