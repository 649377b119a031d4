"""Summary and year-end tables, checked against numbers worked out by hand."""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from fakes import FakeScenario, constant_replication

from sim.api import run
from sim.model.metrics import METRIC_NAMES
from sim.runner.store import Chunk
from sim.analysis.tables import (
    FINAL_COLUMNS,
    SUMMARY_COLUMNS,
    final_table,
    mean_ci,
    summary_of_values,
    summary_table,
    timeseries_frame,
    year_end_samples,
)

T_975_2DF = 4.302652729911275  # Student's t, 97.5th percentile, 2 degrees of freedom


def three_reps_of_one_two_three():
    """Every metric is 1, 2 and 3 in replications 0, 1 and 2, sampled on days 0, 365 and 730."""
    return run(FakeScenario(years=2.0), reps=3, seed=1, workers=1, replicate=constant_replication)


def test_summary_of_one_two_three_matches_hand_computation():
    summary = three_reps_of_one_two_three().summary()
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert len(summary) == len(METRIC_NAMES) * 3
    row = summary[(summary.metric == "caseload_mean") & (summary.day == 365)].iloc[0]
    assert row["date"] == "2017-07-01"
    assert (row["mean"], row["sd"], row["n"]) == (2.0, 1.0, 3)
    # order statistics 1, 2, 3 at positions p (n + 1) = 4p, held within 1..3: 0.2 -> 1, 1, 2,
    # 3, 3.8 -> 3 (linear interpolation, positions 2p + 1, gave 1.1, 1.5, 2, 2.5, 2.9)
    assert row[["p05", "p25", "p50", "p75", "p95"]].tolist() == pytest.approx(
        [1.0, 1.0, 2.0, 3.0, 3.0])


def test_the_summarys_bands_from_20_replications_hold_a_21st_as_often_as_they_say():
    """20 normal replications at each of 20,000 samples and one more drawn alike: the summary's
    5th-95th percentile band holds the new one 90% of the time and the 25th-75th 50% (within
    1.5 points; numpy's default positions gave 81% and 45%)."""
    rng = np.random.default_rng(4)
    draws = rng.normal(size=(21, 20_000))
    rows = summary_of_values("s", "m", np.arange(20_000.0), dt.date(2020, 1, 1), draws[:20])
    new = draws[20]
    assert np.mean((rows["p05"] <= new) & (new <= rows["p95"])) == pytest.approx(0.90, abs=0.015)
    assert np.mean((rows["p25"] <= new) & (new <= rows["p75"])) == pytest.approx(0.50, abs=0.015)


def test_final_of_one_two_three_has_the_t_interval():
    final = three_reps_of_one_two_three().final()
    assert list(final.columns) == list(FINAL_COLUMNS)
    rows = final[final.metric == "unallocated"]
    assert rows["year"].tolist() == [1, 2]
    assert rows["date"].tolist() == ["2017-07-01", "2018-07-01"]
    half = T_975_2DF * 1.0 / math.sqrt(3)
    assert rows["ci_low"].tolist() == pytest.approx([2 - half] * 2)
    assert rows["ci_high"].tolist() == pytest.approx([2 + half] * 2)
    assert rows[["mean", "p05", "p50", "p95", "n"]].iloc[0].tolist() == pytest.approx(
        [2.0, 1.0, 2.0, 3.0, 3])


def test_one_replication_has_no_confidence_interval():
    low, high = mean_ci(np.array([5.0]), np.array([np.nan]), np.array([1]))
    assert np.isnan(low).all() and np.isnan(high).all()
    final = run(FakeScenario(), reps=1, seed=1, workers=1,
                replicate=constant_replication).final()
    assert final["ci_low"].isna().all() and final["ci_high"].isna().all()
    assert (final["n"] == 1).all()


def test_a_year_ends_at_its_last_sample_and_a_part_year_at_the_horizon():
    days = np.arange(0, 2.5 * 365.25, 7)
    samples = pd.DataFrame({"scenario": "s", "day": days})
    ends = year_end_samples(samples, {"s": 2.5})
    assert ends["year"].tolist() == [1, 2, 3]
    assert ends["day"].tolist() == [364, 728, 910]


def test_missing_values_are_left_out_and_not_counted():
    values = np.array([[[1.0]], [[np.nan]], [[3.0]]])
    runs = {"s": Chunk("s", np.arange(3), np.array([0.0]), values, np.zeros(3, dtype=int))}
    timeseries = timeseries_frame(runs, {"s": dt.date(2020, 1, 1)}, ["wait_days_mean"])
    row = summary_table(timeseries).iloc[0]
    assert (row["mean"], row["n"]) == (2.0, 2)


def test_timeseries_has_one_row_per_scenario_rep_and_day_with_calendar_dates():
    timeseries = three_reps_of_one_two_three().timeseries
    assert list(timeseries.columns) == ["scenario", "rep", "day", "date", *METRIC_NAMES]
    assert timeseries["rep"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert timeseries["day"].tolist() == [0, 365, 730] * 3
    assert pd.api.types.is_datetime64_any_dtype(timeseries["date"])
    assert timeseries["date"].dt.strftime("%Y-%m-%d").tolist()[:3] == [
        "2016-07-01", "2017-07-01", "2018-07-01"]


def test_summary_rows_run_scenario_then_metric_then_day():
    results = run([FakeScenario(name="z"), FakeScenario(name="a")], reps=2, seed=1, workers=1,
                  replicate=constant_replication)
    summary = results.summary()
    assert pd.unique(summary["scenario"]).tolist() == ["z", "a"]
    assert pd.unique(summary["metric"]).tolist() == list(METRIC_NAMES)
    first = summary[(summary.scenario == "z") & (summary.metric == "caseload_mean")]
    assert first["day"].tolist() == [0, 365, 730]
    final = final_table(summary, {"z": 2.0, "a": 1.0})
    assert final.groupby("scenario", sort=False)["year"].max().to_dict() == {"z": 2, "a": 1}
