"""Paired comparisons: each scenario against the first (the baseline), replication by replication.

Replication `rep` of every scenario in a comparison runs on the same random numbers (common random
numbers), so the per-replication difference `scenario - baseline` removes the noise the scenarios
share: its 95% confidence interval (Student's t over the differences) is much narrower than that
of two independent samples. `p_lower` is the share of replications in which the scenario's value is
lower than the baseline's. Replications where either value is missing are left out.

Year y of each scenario ends at its own last sample on or before y x 365.25 days (as final.csv);
pairs are formed for the years both scenarios reach.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.tables import mean_ci, sample_dates, year_end_samples

COMPARISON_COLUMNS = ("scenario", "baseline", "metric", "year", "date", "mean_diff", "ci_low",
                      "ci_high", "p_lower")


def paired_stats(values: np.ndarray, baseline: np.ndarray) -> dict[str, np.ndarray]:
    """Mean of `values - baseline` over replications (axis 0), its 95% CI, `p_lower` and `n`."""
    difference = np.asarray(values, dtype=float) - np.asarray(baseline, dtype=float)
    present = ~np.isnan(difference)
    n = present.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(present, difference, 0.0).sum(axis=0)
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        squares = np.where(present, (difference - mean) ** 2, 0.0).sum(axis=0)
        sd = np.where(n > 1, np.sqrt(squares / np.maximum(n - 1, 1)), np.nan)
        lower = np.where(present, values < baseline, False).sum(axis=0)
        p_lower = np.where(n > 0, lower / np.maximum(n, 1), np.nan)
    ci_low, ci_high = mean_ci(mean, sd, n)
    return {"mean_diff": mean, "ci_low": ci_low, "ci_high": ci_high, "p_lower": p_lower, "n": n}


def _year_ends(store: Any, scenario: Any) -> pd.DataFrame:
    """Columns year, day, position (index of the sample in the scenario's days)."""
    days = store.days(scenario.name)
    ends = year_end_samples(pd.DataFrame({"scenario": scenario.name, "day": days}),
                            {scenario.name: float(scenario.years)})
    position = {float(day): i for i, day in enumerate(days)}
    return ends.assign(position=[position[float(day)] for day in ends["day"]])


def comparison_table(store: Any, scenarios: Sequence, reps: int) -> pd.DataFrame:
    """comparison.csv: every scenario after the first against the first, for each metric at the
    end of each simulated year. Reads only the year-end samples from the store."""
    metrics = list(store.manifest.metric_names)
    baseline = scenarios[0]
    base_ends = _year_ends(store, baseline).set_index("year")
    base_values = store.values_at(baseline.name, base_ends["position"].tolist(), reps)
    rows = []
    for scenario in scenarios[1:]:
        ends = _year_ends(store, scenario)
        ends = ends[ends["year"].isin(base_ends.index)]
        values = store.values_at(scenario.name, ends["position"].tolist(), reps)
        paired_base = base_values[:, [base_ends.index.get_loc(y) for y in ends["year"]], :]
        result = paired_stats(values, paired_base)  # (years, metrics) each
        dates = pd.Series(sample_dates(scenario.start, ends["day"].to_numpy(dtype=float)))
        for m, metric in enumerate(metrics):
            rows.append(pd.DataFrame({
                "scenario": scenario.name, "baseline": baseline.name, "metric": metric,
                "year": ends["year"].to_numpy(dtype=np.int64),
                "date": dates.dt.strftime("%Y-%m-%d").to_numpy(),
                **{name: result[name][:, m] for name in COMPARISON_COLUMNS[5:]},
            }))
    if not rows:
        return pd.DataFrame(columns=list(COMPARISON_COLUMNS))
    return pd.concat(rows, ignore_index=True)[list(COMPARISON_COLUMNS)]


def difference_over_time(store: Any, baseline: Any, scenario: Any, metric: str,
                         reps: int) -> pd.DataFrame:
    """The paired difference `scenario - baseline` of one metric at every sample day both have:
    columns day, date (the scenario's calendar), mean_diff, ci_low, ci_high, p_lower, n."""
    days, mine, theirs = np.intersect1d(store.days(scenario.name), store.days(baseline.name),
                                        return_indices=True)
    values = store.metric_values(scenario.name, metric, reps)[:, mine]
    base = store.metric_values(baseline.name, metric, reps)[:, theirs]
    table = pd.DataFrame({"day": days, "date": sample_dates(scenario.start, days)})
    return table.assign(**paired_stats(values, base))
