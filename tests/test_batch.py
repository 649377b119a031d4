"""Batches: the same numbers whatever the workers, chunks saved as they finish, a results folder."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes import FakeScenario, fake_replication

from sim.api import run
from sim.runner.batch import chunk_size_for, chunk_spans, plan_executor, run_batch
from sim.analysis.headline import print_headline
from sim.model.metrics import METRIC_NAMES
from sim.runner.store import FolderStore
from sim.analysis.tables import FINAL_COLUMNS, SUMMARY_COLUMNS


def failing_replication(scenario, rep, root_seed):
    raise RuntimeError("model broke")


def test_results_are_identical_with_one_and_two_workers():
    scenario = FakeScenario()
    one = run_batch([scenario], reps=9, seed=7, workers=1, replicate=fake_replication)
    two = run_batch([scenario], reps=9, seed=7, workers=2, replicate=fake_replication)
    assert (one.executor, two.executor) == ("serial", "processes")
    a, b = one.runs["fake"], two.runs["fake"]
    assert np.array_equal(a.rep, np.arange(9)) and np.array_equal(b.rep, np.arange(9))
    assert np.array_equal(a.values, b.values)
    assert np.array_equal(a.days, b.days)
    assert np.array_equal(a.events, b.events)


def test_api_timeseries_is_identical_with_one_and_two_workers(tmp_path):
    scenario = FakeScenario()
    one = run(scenario, reps=5, seed=3, workers=1, replicate=fake_replication)
    two = run(scenario, reps=5, seed=3, workers=2, out=tmp_path, replicate=fake_replication,
              figures=False)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    pd.testing.assert_frame_equal(one.summary(), two.summary())


def test_chunks_cover_every_replication_exactly_once():
    spans = chunk_spans(reps=23, size=5)
    assert spans == [(0, 4), (5, 9), (10, 14), (15, 19), (20, 22)]
    assert chunk_size_for(reps=1000, workers=2) == 25
    assert chunk_size_for(reps=40, workers=2) == 5
    assert chunk_size_for(reps=3, workers=8) == 1


def test_one_worker_runs_in_process():
    assert plan_executor(workers=1, reps=100, scenarios=1).name == "serial"
    assert plan_executor(workers=2, reps=100, scenarios=1).name == "processes"


def test_each_chunk_is_saved_as_a_file_with_a_manifest(tmp_path):
    scenario = FakeScenario()
    batch = run_batch([scenario], reps=10, seed=1, workers=1, out=tmp_path,
                      replicate=fake_replication)
    files = sorted(p.name for p in (tmp_path / "chunks" / "fake").iterdir())
    assert batch.chunk_size == 2
    assert files == [f"reps-{i:06d}-{i + 1:06d}.npz" for i in range(0, 10, 2)]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["reps"] == 10 and manifest["chunk_size"] == 2
    assert manifest["metric_names"] == list(METRIC_NAMES)
    assert manifest["scenarios"][0]["name"] == "fake"
    assert manifest["scenarios"][0]["hash"].startswith("sha256:")
    stored = FolderStore.open(tmp_path).load("fake")
    assert np.array_equal(stored.values, batch.runs["fake"].values)


def test_a_fresh_batch_forgets_the_chunks_of_an_earlier_one(tmp_path):
    scenario = FakeScenario()
    run_batch([scenario], reps=12, seed=1, workers=1, out=tmp_path, replicate=fake_replication)
    batch = run_batch([scenario], reps=3, seed=2, workers=1, out=tmp_path,
                      replicate=fake_replication)
    assert np.array_equal(batch.runs["fake"].rep, np.arange(3))


def test_store_with_a_missing_chunk_says_so(tmp_path):
    run_batch([FakeScenario()], reps=8, seed=1, workers=1, out=tmp_path,
              replicate=fake_replication)
    store = FolderStore.open(tmp_path)
    store.chunk_path("fake", 2, 3).unlink()
    with pytest.raises(ValueError, match="missing 2, first \\[2\\]"):
        store.load("fake")


def test_scenarios_share_random_numbers_replication_by_replication():
    low = FakeScenario(name="low", caseload_level=15.0)
    high = FakeScenario(name="high", caseload_level=19.0)
    batch = run_batch([low, high], reps=4, seed=5, workers=1, replicate=fake_replication)
    difference = batch.runs["high"].values - batch.runs["low"].values
    caseload = METRIC_NAMES.index("caseload_mean")
    assert np.allclose(difference[:, :, caseload], 4.0)
    assert np.allclose(np.delete(difference, caseload, axis=2), 0.0)


def test_scenario_names_must_differ_within_a_batch():
    with pytest.raises(ValueError, match="repeated"):
        run_batch([FakeScenario(), FakeScenario()], reps=2, seed=1, workers=1,
                  replicate=fake_replication)


def test_events_are_summed_over_replications_and_scenarios():
    batch = run_batch([FakeScenario(name="a"), FakeScenario(name="b")], reps=3, seed=1,
                      workers=1, replicate=fake_replication)
    assert batch.events == 2 * (1000 + 1001 + 1002)
    wall = batch.wall_seconds  # recorded; how large it is is for benchmarks, not tests
    assert isinstance(wall, float)


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys):
    run_batch([FakeScenario()], reps=2, seed=1, workers=1, progress=True,
              replicate=fake_replication)
    assert capsys.readouterr().err == ""


def test_results_folder_has_the_contract_files_and_columns(tmp_path):
    run(FakeScenario(), reps=4, seed=1, workers=1, out=tmp_path, replicate=fake_replication)
    for name in ("run.json", "manifest.json", "timeseries.parquet", "summary.csv", "final.csv",
                 "caseload.png", "staffing.png", "unallocated.png", "costs.png", "caseload.svg",
                 "report.html"):
        assert (tmp_path / name).is_file(), name
    assert not (tmp_path / "comparison.png").exists()
    timeseries = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert list(timeseries.columns) == ["scenario", "rep", "day", "date", *METRIC_NAMES]
    assert len(timeseries) == 4 * 105
    assert list(pd.read_csv(tmp_path / "summary.csv").columns) == list(SUMMARY_COLUMNS)
    assert list(pd.read_csv(tmp_path / "final.csv").columns) == list(FINAL_COLUMNS)
    assert not list(tmp_path.glob(".*tmp*"))


def test_no_figures_writes_the_tables_only(tmp_path):
    run(FakeScenario(), reps=2, seed=1, workers=1, out=tmp_path, replicate=fake_replication,
        figures=False)
    assert (tmp_path / "summary.csv").is_file() and (tmp_path / "final.csv").is_file()
    assert not list(tmp_path.glob("*.png")) and not (tmp_path / "report.html").exists()


def test_run_json_records_what_was_run(tmp_path):
    run(FakeScenario(), reps=3, seed=11, workers=1, out=tmp_path, command="caseload run x.toml",
        replicate=fake_replication, figures=False)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["status"] == "complete"
    assert record["command"] == "caseload run x.toml"
    assert record["version"] == "0.1.0"
    assert record["root_seed"] == 11 and record["replications"] == 3
    assert record["executor"] == "serial" and record["workers"] == 1
    assert record["events"] == 1000 + 1001 + 1002
    wall = record["wall_seconds"]
    assert isinstance(wall, float)
    assert record["metric_names"] == list(METRIC_NAMES)
    [scenario] = record["scenarios"]
    assert scenario["name"] == "fake" and scenario["resolved"]["years"] == 2.0
    assert scenario["hash"].startswith("sha256:") and len(scenario["hash"]) == 7 + 64
    assert {"python", "numpy", "simpy"} <= set(record["software"])


def test_a_failed_run_is_recognisable_in_run_json(tmp_path):
    with pytest.raises(RuntimeError, match="model broke"):
        run(FakeScenario(), reps=2, seed=1, workers=1, out=tmp_path,
            replicate=failing_replication)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["status"] == "failed" and "model broke" in record["error"]


def test_headline_names_each_scenario_and_its_numbers():
    results = run([FakeScenario(name="a"), FakeScenario(name="b", caseload_level=25.0)],
                  reps=4, seed=1, workers=1, replicate=fake_replication)
    text = io.StringIO()
    print_headline(results, file=text)
    lines = text.getvalue().splitlines()
    assert lines[0] == "a: A fake council"
    assert any(line.startswith("b: ") for line in lines)
    for label in ("caseload per worker", "unallocated cases", "permanent social workers",
                  "agency social workers", "turnover in the last 12 months", "whole run (2 years)"):
        assert sum(label in line for line in lines) == 2, label


MANCHESTER = Path(__file__).parent.parent / "scenarios" / "manchester-2016-plan.toml"


def test_the_council_model_gives_identical_results_with_one_and_two_workers():
    from sim.scenario.loading import load_scenario

    scenario = load_scenario(MANCHESTER, overrides={"years": 0.5})
    one = run_batch([scenario], reps=3, seed=5, workers=1)
    two = run_batch([scenario], reps=3, seed=5, workers=2)
    assert np.array_equal(one.runs[scenario.name].values, two.runs[scenario.name].values,
                          equal_nan=True)
