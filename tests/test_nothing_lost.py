"""Nothing lost: an unwritable or full results folder, a killed worker and a killed parent (see
test_resume) each end with a clear one-line message and a folder that `--resume` completes to the
results of an uninterrupted run."""
from __future__ import annotations

import errno
import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from fakes import FakeScenario, fake_replication
from processes import caseload

import sim
from sim.cli.main import main
from sim.runner.executors import TasksFailed
from sim.scenario.loading import load_scenario


def run_args(scenario: Path, out: Path, *more: str) -> list[str]:
    return ["run", str(scenario), "--reps", "20", "--seed", "3", "--workers", "1", "--out",
            str(out), "--quiet", "--no-figures", *more]


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def uninterrupted(scenario: Path, out: Path, reps: int = 20, seed: int = 3) -> Path:
    sim.run(load_scenario(scenario), reps=reps, seed=seed, workers=1, out=out, figures=False)
    return out


def same_tables(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes()
               for name in ("summary.csv", "final.csv"))


def fail_on_call(monkeypatch, owner, name: str, call: int) -> list[int]:
    """Make `owner.name` raise "No space left on device" on its `call`-th use (from 1)."""
    real = getattr(owner, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, failing)
    return calls


def test_an_out_folder_that_cannot_be_made_exits_2_with_one_line(small, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(run_args(small, blocker / "results")) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("error: --out: cannot write results to") and str(blocker) in line
    assert "Not a directory" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind the root user")
def test_a_read_only_out_folder_exits_2_with_one_line(small, tmp_path, capsys):
    out = tmp_path / "read-only"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert main(run_args(small, out)) == 2
    finally:
        out.chmod(0o700)
    assert "Permission denied" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("failing_write", ["a chunk", "summary.csv"])
def test_a_disk_that_fills_part_way_stops_with_one_line_and_resume_completes(
        failing_write, small, tmp_path, monkeypatch, capsys):
    out = tmp_path / "full"
    if failing_write == "a chunk":
        calls = fail_on_call(monkeypatch, np, "savez", call=2)
    else:
        calls = fail_on_call(monkeypatch, pd.DataFrame, "to_csv", call=1)
    assert main(run_args(small, out)) == 1
    assert calls, "the failing write was never reached"
    line = one_line(capsys.readouterr().err)
    assert "No space left on device" in line
    assert line.endswith(f"to resume once that is fixed: caseload {' '.join(run_args(small, out))}"
                         " --resume")
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "failed" and record["resume_with"].endswith("--resume")
    monkeypatch.undo()

    assert main([*run_args(small, out), "--resume"]) == 0
    assert json.loads((out / "run.json").read_text())["status"] == "complete"
    assert same_tables(out, uninterrupted(small, tmp_path / "whole"))


def worker_processes(parent: psutil.Process) -> list[psutil.Process]:
    """The process pool's workers (spawned interpreters), not multiprocessing's resource tracker."""
    return [child for child in parent.children(recursive=True)
            if "spawn_main" in " ".join(child.cmdline())]


def test_a_killed_worker_is_reported_and_its_replications_run_again(small, tmp_path):
    out = tmp_path / "killed-worker"
    args = ["run", str(small), "--reps", "60", "--seed", "3", "--workers", "2", "--out",
            str(out), "--quiet", "--no-figures"]
    process = caseload(*args)
    parent = psutil.Process(process.pid)
    deadline = time.monotonic() + 120
    while not (workers := worker_processes(parent)):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.02)
    workers[0].send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "warning: a worker process died; running" in stderr
    assert same_tables(out, uninterrupted(small, tmp_path / "whole", reps=60))


def dies_while_poisoned(scenario: FakeScenario, rep: int, root_seed: int):
    """Replication 5 kills its worker process while the file POISON names exists."""
    if rep == 5 and os.path.exists(os.environ["POISON"]):
        os._exit(1)
    return fake_replication(scenario, rep, root_seed)


def test_workers_lost_for_good_stop_the_batch_and_resume_completes_it(tmp_path, monkeypatch):
    poison = tmp_path / "poison"
    poison.touch()
    monkeypatch.setenv("POISON", str(poison))  # spawned workers inherit the environment
    out = tmp_path / "lost"
    options = {"reps": 12, "seed": 4, "out": out, "replicate": dies_while_poisoned,
               "figures": False}
    with pytest.raises(TasksFailed, match="worker processes died again"):
        sim.run(FakeScenario(), workers=2, command="caseload run fake.toml",
                **options)
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "failed" and "TasksFailed" in record["error"]
    assert record["resume_with"] == "caseload run fake.toml --resume"

    poison.unlink()
    resumed = sim.run(FakeScenario(), workers=1, resume=True, **options)
    whole = sim.run(FakeScenario(), reps=12, seed=4, workers=1, replicate=fake_replication)
    pd.testing.assert_frame_equal(resumed.summary(), whole.summary())
