"""A results folder's timeseries.parquet is read a few whole replications at a time, and what the
figures and report make from it equals what they made from the whole file read at once."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.analysis.financial_years import COST_PARTS, costs_by_year, costs_by_year_of
from sim.analysis.results_folder import ResultsFolder
from sim.analysis.tables import KEYS

SAMPLES = 30            # weekly samples from February: the financial year changes in April
ROWS_PER_GROUP = 11     # does not divide SAMPLES: row groups split replications


def timeseries(reps: int = 7) -> pd.DataFrame:
    """Two scenarios' rows as timeseries.parquet holds them, with random costs and caseloads."""
    rng = np.random.default_rng(5)
    days = np.arange(SAMPLES) * 7
    frames = []
    for name in ("base", "plan"):
        frame = pd.DataFrame({
            "scenario": name, "rep": np.repeat(np.arange(reps), SAMPLES),
            "day": np.tile(days, reps),
            "date": np.tile(np.datetime64("2020-02-01") + days.astype("timedelta64[D]"),
                            reps).astype("datetime64[ms]"),
            "caseload_mean": rng.normal(20, 3, reps * SAMPLES),
            **{part: rng.gamma(2.0, 1e4, reps * SAMPLES) for part in COST_PARTS}})
        frames.append(frame)
    whole = pd.concat(frames, ignore_index=True)
    whole.loc[3, "caseload_mean"] = np.nan
    return whole


@pytest.fixture
def folder(tmp_path: Path) -> ResultsFolder:
    (tmp_path / "run.json").write_text(json.dumps({"scenarios": []}), encoding="utf-8")
    pq.write_table(pa.Table.from_pandas(timeseries(), preserve_index=False),
                   tmp_path / "timeseries.parquet", row_group_size=ROWS_PER_GROUP)
    return ResultsFolder.open(tmp_path)


def whole_file(folder: ResultsFolder, metrics: list[str]) -> pd.DataFrame:
    return pd.read_parquet(folder.path / "timeseries.parquet", columns=[*KEYS, *metrics])


def test_replications_come_whole_and_in_file_order(folder):
    frames = list(folder.replications(["caseload_mean", "no_such_metric"]))
    assert len(frames) > 1
    keys = [set(zip(frame["scenario"], frame["rep"])) for frame in frames]
    assert sum(len(k) for k in keys) == len(set().union(*keys)) == 2 * 7
    pd.testing.assert_frame_equal(pd.concat(frames, ignore_index=True),
                                  whole_file(folder, ["caseload_mean"]), check_exact=True)


def test_metric_values_equal_a_pivot_of_the_whole_file(folder):
    whole = whole_file(folder, ["caseload_mean"])
    values = folder.metric_values("caseload_mean")
    assert list(values) == ["base", "plan"]
    for name, (dates, array) in values.items():
        rows = whole[whole["scenario"] == name]
        wide = rows.pivot(index="rep", columns="day", values="caseload_mean")
        np.testing.assert_array_equal(array, wide.to_numpy())
        np.testing.assert_array_equal(dates, rows["date"].iloc[:SAMPLES].to_numpy())
    assert np.isnan(values["base"][1][0, 3])
    assert folder.metric_values("no_such_metric") is None


def test_costs_by_year_made_piece_by_piece_equal_those_of_the_whole_file(folder):
    pieces = costs_by_year_of(folder.replications(list(COST_PARTS)))
    whole = costs_by_year(whole_file(folder, list(COST_PARTS)))
    assert len(pieces) == 2 * 7 * 2  # two financial years per replication
    pd.testing.assert_frame_equal(pieces, whole, check_exact=True)


def test_a_folder_without_timeseries_has_no_replications(tmp_path):
    (tmp_path / "run.json").write_text("{}", encoding="utf-8")
    folder = ResultsFolder.open(tmp_path)
    assert list(folder.replications(["caseload_mean"])) == []
    assert folder.metric_values("caseload_mean") is None
    assert costs_by_year_of(folder.replications(list(COST_PARTS))) is None


def test_a_scenario_with_uncertain_values_is_read_back_with_its_distributions(tmp_path):
    """run.json's resolved scenario holds each uncertain key's distribution (as written); the
    folder reads it back as the scenario it was (it failed to validate as a plain number)."""
    from builders import scenario

    from sim.scenario.loading import with_overrides

    uncertain = with_overrides(scenario(), {"workforce.turnover.caseload_elasticity": {
        "dist": "normal", "mean": 0.2, "sd": 0.1, "clip": True}})
    record = {"name": uncertain.name, "resolved": uncertain.model_dump(mode="json")}
    (tmp_path / "run.json").write_text(json.dumps({"scenarios": [record]}), encoding="utf-8")
    [read] = ResultsFolder.open(tmp_path).scenarios
    assert read == uncertain
    assert "workforce.turnover.caseload_elasticity" in read.uncertain
