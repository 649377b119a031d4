"""Executors: in-process, a local process pool and dask.distributed give identical results; failed
tasks are retried and reported, never dropped."""
from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from builders import scenario as council
from fakes import FakeScenario, fake_replication

from sim.runner.batch import run_batch
from sim.cli.main import main
from sim.runner.executors import IN_FLIGHT_PER_WORKER, ProcessExecutor

HAS_DASK = importlib.util.find_spec("distributed") is not None
needs_dask = pytest.mark.skipif(not HAS_DASK, reason="dask.distributed is not installed")
PLAN = Path(__file__).resolve().parents[1] / "scenarios" / "manchester-2016-plan.toml"


@dataclass(frozen=True)
class MarkedScenario(FakeScenario):
    """A fake scenario whose replication 3 fails the first time (it leaves `marker` behind)."""

    marker: str = ""


def dies_once(scenario: MarkedScenario, rep: int, root_seed: int):
    """Replication 3 kills its worker process the first time it runs."""
    if rep == 3 and not os.path.exists(scenario.marker):
        Path(scenario.marker).touch()
        os._exit(1)
    return fake_replication(scenario, rep, root_seed)


def raises_once(scenario: MarkedScenario, rep: int, root_seed: int):
    """Replication 3 raises the first time it runs."""
    if rep == 3 and not os.path.exists(scenario.marker):
        Path(scenario.marker).touch()
        raise RuntimeError("flaky worker")
    return fake_replication(scenario, rep, root_seed)


def always_fails(scenario, rep: int, root_seed: int):
    raise RuntimeError("model broke")


def leave_a_file(path: str) -> str:
    """A task that leaves its file behind as it starts."""
    Path(path).touch()
    return path


@pytest.fixture(scope="module")
def tiny():
    return council({"years": 0.5})


@pytest.fixture(scope="module")
def serial(tiny):
    return run_batch([tiny], reps=4, seed=11, workers=1)


def test_the_process_pool_gives_the_serial_arrays(tiny, serial):
    pool = run_batch([tiny], reps=4, seed=11, workers=2)
    assert pool.executor == "processes"
    assert np.array_equal(pool.runs[tiny.name].values, serial.runs[tiny.name].values,
                          equal_nan=True)
    assert pool.events == serial.events


@needs_dask
def test_a_dask_local_cluster_gives_the_serial_arrays(tiny, serial, tmp_path):
    cluster = run_batch([tiny], reps=4, seed=11, workers=2, scheduler="local", out=tmp_path)
    assert (cluster.executor, cluster.workers) == ("dask", 2)
    assert np.array_equal(cluster.runs[tiny.name].values, serial.runs[tiny.name].values,
                          equal_nan=True)
    assert np.array_equal(cluster.runs[tiny.name].events, serial.runs[tiny.name].events)


@needs_dask
def test_a_failed_dask_task_is_retried_and_reported(tmp_path):
    from distributed import LocalCluster

    scenario = MarkedScenario(marker=str(tmp_path / "failed-once"))
    reports = []
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        batch = run_batch([scenario], reps=8, seed=2, scheduler=cluster.scheduler_address,
                          replicate=raises_once, report=reports.append)
    assert len(reports) == 1 and re.search(r"replications \d-[3-7] of fake", reports[0])
    assert "flaky worker" in reports[0] and "retrying (1 of 2)" in reports[0]
    expected = run_batch([scenario], reps=8, seed=2, workers=1, replicate=fake_replication)
    assert np.array_equal(batch.runs["fake"].values, expected.runs["fake"].values)


def test_a_dead_worker_process_is_replaced_and_its_chunks_rerun(tmp_path):
    scenario = MarkedScenario(marker=str(tmp_path / "died-once"))
    reports = []
    executor = ProcessExecutor(2, report=reports.append)
    batch = run_batch([scenario], reps=8, seed=2, executor=executor, replicate=dies_once)
    assert len(reports) == 1 and "worker process died" in reports[0]
    expected = run_batch([scenario], reps=8, seed=2, workers=1, replicate=fake_replication)
    assert np.array_equal(batch.runs["fake"].values, expected.runs["fake"].values)


class PoolBrokenAtSubmit:
    """A stand-in for a process pool whose worker died just as another task finished: the first
    pool runs tasks at once, then refuses new ones (`submit` raises BrokenProcessPool, as a real
    pool does once a worker has died); later pools work."""

    pools_made = 0

    def __init__(self, accepts: int) -> None:
        self.accepts = accepts

    def submit(self, fn, task):
        if self.accepts == 0:
            raise BrokenProcessPool("a worker process died")
        self.accepts -= 1
        future = Future()
        future.set_result(fn(task))
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


def test_a_task_finished_as_the_pool_breaks_is_still_yielded(monkeypatch):
    pools = iter([PoolBrokenAtSubmit(accepts=2), PoolBrokenAtSubmit(accepts=100)])
    executor = ProcessExecutor(1, report=lambda message: None)
    monkeypatch.setattr(executor, "_pool", lambda tasks: next(pools))
    results = list(executor.map_unordered(abs, range(-5, 0)))
    assert sorted(results) == [1, 2, 3, 4, 5]


def test_the_process_pool_runs_only_a_few_tasks_ahead_of_a_slow_caller(tmp_path):
    tasks = [str(tmp_path / f"task-{i:02d}") for i in range(24)]
    executor = ProcessExecutor(2)
    taken = 0
    for _ in executor.map_unordered(leave_a_file, tasks):
        taken += 1
        time.sleep(0.05)  # the caller saving a chunk: slower than the task
        started = len(list(tmp_path.glob("task-*")))
        assert started <= taken + IN_FLIGHT_PER_WORKER * executor.workers
    assert taken == len(tasks)


def test_a_task_that_fails_stops_the_batch_with_its_error():
    with pytest.raises(RuntimeError, match="model broke"):
        run_batch([FakeScenario()], reps=4, seed=1, workers=2, replicate=always_fails)


def test_scheduler_without_dask_installed_exits_2_saying_what_to_install(monkeypatch, capsys,
                                                                        tmp_path):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    status = main(["run", str(PLAN), "--scheduler", "local", "--reps", "2",
                   "--out", str(tmp_path / "out")])
    assert status == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "pip install 'caseload-sim[dask]'" in error[0]


def test_a_scheduler_that_is_not_an_address_exits_2(capsys, tmp_path):
    assert main(["run", str(PLAN), "--scheduler", "somewhere", "--reps", "2",
                 "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "tcp://host:8786" in error[0]


def test_every_simulating_command_has_the_common_options_and_an_example(capsys):
    for command in ("run", "compare"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert f"Example: caseload {command}" in text
        for option in ("--reps", "--seed", "--out", "--workers", "--scheduler", "--resume",
                       "--set", "--quiet", "--until-ci"):
            assert option in text, (command, option)
