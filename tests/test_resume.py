"""A resumable store: interrupted batches (SIGKILL, Ctrl-C, damaged chunks) resume to the results
of an uninterrupted run; a folder of another scenario, seed or metric set is refused; adaptive
replications stop for a recorded reason."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fakes import FakeScenario, fake_replication
from processes import caseload, wait_for_a_chunk

import sim
from sim.cli.main import main
from sim.scenario.loading import load_scenario
from sim.runner.provenance import model_fingerprint
from sim.runner.store import FolderStore, StoreMismatch


def chunk_count(out: Path) -> int:
    return len(list(out.glob("chunks/*/reps-*.npz")))


def fake_run(out: Path | None, reps: int = 10, **options):
    return sim.run(FakeScenario(), reps=reps, seed=4, workers=1, out=out, figures=False,
                   replicate=fake_replication, **options)


def test_a_batch_killed_part_way_resumes_to_the_uninterrupted_summary(small, tmp_path):
    out = tmp_path / "killed"
    args = ["run", str(small), "--reps", "40", "--seed", "9", "--workers", "1", "--out",
            str(out), "--quiet", "--no-figures"]  # 4 chunks of 10
    process = caseload(*args)
    wait_for_a_chunk(out, process)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert 1 <= chunk_count(out) < 4, "the batch was not killed part-way"
    assert json.loads((out / "run.json").read_text())["status"] == "running"

    assert (out / "caseload.lock").exists()  # left by the killed process

    resumed = caseload(*args, "--resume")
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert f"taking over the lock of process {process.pid}" in stderr
    assert not (out / "caseload.lock").exists()
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "complete" and record["resumed"]["replications_reused"] >= 10

    whole = tmp_path / "whole"
    sim.run(load_scenario(small), reps=40, seed=9, workers=1, out=whole, figures=False)
    assert (out / "summary.csv").read_bytes() == (whole / "summary.csv").read_bytes()
    assert (out / "final.csv").read_bytes() == (whole / "final.csv").read_bytes()


def test_ctrl_c_leaves_a_consistent_folder_and_says_how_to_resume(small, tmp_path):
    out = tmp_path / "stopped"
    # enough replications (24 chunks) that the batch cannot finish before the signal on a busy machine
    args = ["run", str(small), "--reps", "120", "--workers", "2", "--out", str(out), "--no-figures"]
    process = caseload(*args, start_new_session=True,
                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    wait_for_a_chunk(out, process)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    last = stderr.strip().splitlines()[-1]
    assert "Traceback" not in stderr
    assert last.endswith(f"to resume: caseload run {small} --reps 120 --workers 2 --out {out} "
                         f"--no-figures --resume")
    record = json.loads((out / "run.json").read_text())
    assert record["status"] == "interrupted"
    assert not (out / "caseload.lock").exists()  # released on Ctrl-C
    store = FolderStore.open(out)
    assert store.discard_damaged("small") == []

    resumed = caseload(*args, "--resume", "--quiet")
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr
    assert json.loads((out / "run.json").read_text())["status"] == "complete"


def test_a_truncated_chunk_is_detected_and_redone(tmp_path):
    fake_run(tmp_path / "whole")
    out = tmp_path / "damaged"
    fake_run(out)
    chunk = sorted((out / "chunks" / "fake").iterdir())[1]
    chunk.write_bytes(chunk.read_bytes()[:-200])
    reports = []
    results = fake_run(out, resume=True, report=reports.append)
    assert len(reports) == 1 and chunk.name in reports[0] and "damaged" in reports[0]
    assert results.reused == 8
    assert (out / "summary.csv").read_bytes() == (tmp_path / "whole" / "summary.csv").read_bytes()


def test_a_chunk_of_garbage_or_with_wrong_contents_is_redone(tmp_path):
    fake_run(tmp_path)
    chunks = sorted((tmp_path / "chunks" / "fake").iterdir())
    chunks[0].write_bytes(b"not a zip file")
    np.savez(chunks[1], scenario=np.array("fake"), rep=np.arange(3))
    reports = []
    fake_run(tmp_path, resume=True, report=reports.append)
    assert len(reports) == 2
    assert np.array_equal(sim.run(FakeScenario(), reps=10, seed=4, workers=1,
                                  replicate=fake_replication).values("fake", "caseload_mean"),
                          FolderStore.open(tmp_path).metric_values("fake", "caseload_mean"))


def test_resume_with_more_replications_extends_the_run(tmp_path):
    fake_run(tmp_path, reps=7)
    extended = fake_run(tmp_path, reps=12, resume=True)
    assert extended.reused == 7
    fresh = fake_run(None, reps=12)
    pd.testing.assert_frame_equal(extended.summary(), fresh.summary())
    pd.testing.assert_frame_equal(extended.timeseries, fresh.timeseries)


def test_resume_refuses_another_seed_scenario_or_metric_set(tmp_path):
    fake_run(tmp_path)
    before = (tmp_path / "run.json").read_text()
    with pytest.raises(StoreMismatch, match="seed 4, not 5"):
        sim.run(FakeScenario(), reps=10, seed=5, workers=1, out=tmp_path,
                replicate=fake_replication, resume=True)
    with pytest.raises(StoreMismatch, match="scenario 'fake' differs"):
        sim.run(FakeScenario(caseload_level=3.0), reps=10, seed=4, workers=1, out=tmp_path,
                replicate=fake_replication, resume=True)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["metric_names"] = manifest["metric_names"][:-1]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreMismatch, match="different set of metrics"):
        fake_run(tmp_path, resume=True)
    assert (tmp_path / "run.json").read_text() == before  # refused folders are left untouched


def test_resume_refuses_a_store_another_version_of_the_model_made(tmp_path):
    """Replications made by other model sources (or by a version that did not record them, as
    before once-drawn values were stratified) are not this model's: continuing the store would
    mix two runs. The same sources continue it."""
    fake_run(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["model"] == model_fingerprint()
    fake_run(tmp_path, reps=20, resume=True)
    for stored in ("sha256:another", None):
        manifest = json.loads((tmp_path / "manifest.json").read_text())
        if stored is None:
            del manifest["model"]
        else:
            manifest["model"] = stored
        (tmp_path / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(StoreMismatch, match="another version of the model"):
            fake_run(tmp_path, reps=20, resume=True)


def test_the_models_fingerprint_follows_its_sources(tmp_path):
    """A copy of the model's sources has the same fingerprint; one edited has another."""
    import shutil
    from sim.runner.provenance import SIM_ROOT
    for folder in ("model", "scenario"):
        shutil.copytree(SIM_ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    assert model_fingerprint(tmp_path) == model_fingerprint()
    strata = tmp_path / "model" / "strata.py"
    strata.write_text(strata.read_text().replace("BLOCK = 10", "BLOCK = 20"))
    model_fingerprint.cache_clear()
    assert model_fingerprint(tmp_path) != model_fingerprint()


@pytest.mark.parametrize("source", ["_heaps.pyx", "cases.pxd"])
def test_the_models_fingerprint_follows_the_compiled_kernels_sources(tmp_path, source):
    """The compiled kernel's C twin and type declarations make replications too: one edited
    gives another fingerprint, so a store of the old kernel is not resumed with the new."""
    import shutil
    from sim.runner.provenance import SIM_ROOT
    for folder in ("model", "scenario"):
        shutil.copytree(SIM_ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.c"))
    before = model_fingerprint(tmp_path)
    edited = tmp_path / "model" / source
    edited.write_text(edited.read_text() + "\n# edited\n")
    model_fingerprint.cache_clear()
    assert model_fingerprint(tmp_path) != before


def test_caseload_run_refuses_a_mismatched_resume_with_exit_status_2(small, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(small), "--set", "years=0.25", "--reps", "2", "--workers", "1",
                 "--out", str(out), "--quiet", "--no-figures"]) == 0
    for change in (["--seed", "1"], ["--set", "demand.referrals_per_year=1600"]):
        status = main(["run", str(small), "--set", "years=0.25", "--reps", "2", "--workers", "1",
                       "--out", str(out), "--quiet", "--resume", *change])
        assert status == 2
        error = capsys.readouterr().err.strip().splitlines()
        assert len(error) == 1 and "cannot resume" in error[0] and "--out" in error[0]


def test_without_resume_earlier_results_are_replaced_and_that_is_reported(tmp_path):
    fake_run(tmp_path, reps=12)
    reports = []
    fake_run(tmp_path, reps=4, report=reports.append)
    assert any("replacing" in report and "--resume" in report for report in reports)
    assert sorted(p.name for p in (tmp_path / "chunks" / "fake").iterdir()) == [
        "reps-000000-000000.npz", "reps-000001-000001.npz", "reps-000002-000002.npz",
        "reps-000003-000003.npz"]


def test_resume_in_an_empty_folder_starts_a_fresh_batch(tmp_path):
    results = fake_run(tmp_path / "new", resume=True)
    assert results.reused == 0 and results.reps == 10


def test_until_ci_stops_when_the_half_width_is_reached_and_equals_a_fixed_run(tmp_path):
    adaptive = sim.run(FakeScenario(), reps=200, seed=4, workers=1, out=tmp_path, figures=False,
                       replicate=fake_replication, until_ci="caseload_mean:0.6")
    stopping = json.loads((tmp_path / "run.json").read_text())["stopping"]
    assert stopping["reason"] == "half-width reached"
    assert stopping["rule"] == "caseload_mean:0.6"
    assert 10 <= stopping["reps_used"] < 200 and stopping["half_width"] <= 0.6
    assert adaptive.reps == stopping["reps_used"]
    fixed = sim.run(FakeScenario(), reps=adaptive.reps, seed=4, workers=1,
                    replicate=fake_replication)
    pd.testing.assert_frame_equal(adaptive.summary(), fixed.summary())
    again = sim.run(FakeScenario(), reps=200, seed=4, workers=2, replicate=fake_replication,
                    until_ci="caseload_mean:0.6")
    assert again.reps == adaptive.reps  # whatever the workers and chunk sizes


def test_until_ci_stops_at_the_ceiling_when_the_interval_stays_wide(tmp_path):
    results = fake_run(tmp_path, reps=12, until_ci="caseload_mean:0.001")
    assert results.stopping["reason"] == "ceiling reached"
    assert results.stopping["reps_used"] == 12 and results.reps == 12


def test_caseload_run_rejects_a_bad_until_ci_with_exit_status_2(small, capsys):
    for value, words in (("caseload_mean", "METRIC:HALF_WIDTH"), ("caseload:1", "unknown metric"),
                         ("caseload_mean:-1", "above 0")):
        assert main(["run", str(small), "--until-ci", value]) == 2
        error = capsys.readouterr().err.strip().splitlines()
        assert len(error) == 1 and "--until-ci" in error[0] and words in error[0], error
