"""A results folder is ours or refused, one writer at a time, and runs are never mixed.

Each deletion case runs in a temporary folder seeded with decoy files (a user's notes, files with
our output names, a `chunks/` of their own): they must survive byte for byte. Refusals are one line
on stderr and exit status 2.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fakes import FakeScenario, fake_replication
from processes import caseload, wait_for_a_chunk

import sim
from sim.cli.main import main
from sim.runner.store import LOCK, FolderRefused, FolderStore, StoreMismatch

QUICK = ["--set", "years=0.25", "--reps", "2", "--workers", "1", "--quiet", "--no-figures"]
DECOYS = {
    "notes.txt": b"my thesis, chapter 3\n",
    "report.html": b"<p>a report I wrote by hand</p>",
    "summary.csv": b"my,own\n1,2\n",
    "design.csv": b"x\n1\n",
    "caseload.png": b"\x89PNG not really",
    "caseload-mine.png": b"\x89PNG mine",
    "manifest.json": b'{"name": "a web app manifest"}',
    "chunks/data/reps-000000-000001.npz": b"my own numpy file",
    "chunks/readme.md": b"# my chunks\n",
}


def plant(folder: Path, decoys: dict[str, bytes] = DECOYS) -> dict[str, bytes]:
    """Write `decoys` under `folder`; the files as a snapshot to compare with later."""
    for name, content in decoys.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under `folder` (links not followed)."""
    return {str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def fake_run(out: Path | None, reps: int = 10, seed: int = 4, **options):
    return sim.run(FakeScenario(**options.pop("scenario", {})), reps=reps, seed=seed, workers=1,
                   out=out, figures=False, replicate=fake_replication, **options)


# --- deletes or writes outside what was asked ---------------------------------------------------

@pytest.mark.parametrize("resume", [False, True], ids=["run", "resume"])
def test_out_on_a_folder_that_is_not_a_results_folder_is_refused_untouched(small, tmp_path,
                                                                          capsys, resume):
    folder = tmp_path / "mine"
    before = plant(folder)
    status = main(["run", str(small), *QUICK, "--out", str(folder), *(["--resume"] * resume)])
    assert status == 2
    assert "not a caseload results folder" in one_error_line(capsys)
    assert snapshot(folder) == before


@pytest.mark.parametrize("out", ["", ".", ".."])
def test_out_naming_the_current_folder_or_above_is_refused(small, tmp_path, monkeypatch, capsys,
                                                          out):
    here = tmp_path / "parent" / "here"
    before = plant(here)
    plant(here.parent, {"keep.txt": b"keep"})
    monkeypatch.chdir(here)
    assert main(["run", str(small), *QUICK, "--out", out]) == 2
    assert "current folder or one above it" in one_error_line(capsys)
    assert snapshot(here) == before
    assert (here.parent / "keep.txt").read_bytes() == b"keep"


@pytest.mark.parametrize("name", ["..", "."])
def test_a_scenario_named_dot_or_dot_dot_is_refused_before_any_write(small, tmp_path,
                                                                     monkeypatch, capsys, name):
    here = tmp_path / "work"
    before = plant(here)
    plant(here / "results", {"kept.txt": b"an earlier results index"})
    monkeypatch.chdir(here)
    assert main(["validate", str(small), "--set", f"name={name!r}"]) == 2
    assert "not allowed" in one_error_line(capsys)
    assert main(["run", str(small), *QUICK, "--set", f"name={name!r}"]) == 2
    assert "name" in one_error_line(capsys)
    assert snapshot(here) == {**before, "results/kept.txt": b"an earlier results index"}


def test_a_symlinked_chunks_folder_is_refused_and_nothing_is_written_through_it(small, tmp_path,
                                                                               capsys):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    assert main(["run", str(small), *QUICK, "--out", str(out)]) == 0
    shutil.move(out / "chunks", elsewhere)
    (out / "chunks").symlink_to(elsewhere, target_is_directory=True)
    before, summary = snapshot(elsewhere), (out / "summary.csv").read_bytes()
    for again in ([], ["--resume"], ["--seed", "8"]):
        assert main(["run", str(small), *QUICK, "--out", str(out), *again]) == 2
        assert "symlink" in one_error_line(capsys)
        assert snapshot(elsewhere) == before
        assert (out / "summary.csv").read_bytes() == summary


def test_an_output_file_that_is_a_symlink_is_refused_and_its_target_kept(small, tmp_path, capsys):
    out, mine = tmp_path / "out", tmp_path / "my-summary.csv"
    assert main(["run", str(small), *QUICK, "--out", str(out)]) == 0
    mine.write_bytes(b"precious\n")
    (out / "summary.csv").unlink()
    (out / "summary.csv").symlink_to(mine)
    assert main(["run", str(small), *QUICK, "--out", str(out), "--seed", "3"]) == 2
    assert "symlink" in one_error_line(capsys)
    assert mine.read_bytes() == b"precious\n" and (out / "summary.csv").is_symlink()


def test_replacing_a_run_deletes_only_the_files_its_manifest_lists(tmp_path):
    out = tmp_path / "out"
    fake_run(out, reps=12)
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert {"run.json", "summary.csv", "final.csv", "timeseries.parquet"} <= set(listed)
    user = {"notes.txt": b"mine", "comparison.csv": b"not written by this run",
            "chunks/fake/notes.npz": b"mine too", "chunks/other/reps-000000-000000.npz": b"mine"}
    before = {name: content for name, content in plant(out, user).items() if name in user}
    fake_run(out, reps=4, seed=5)
    after = snapshot(out)
    assert {name: after.get(name) for name in user} == before
    assert sorted(p.name for p in (out / "chunks" / "fake").glob("reps-*.npz")) == [
        f"reps-00000{rep}-00000{rep}.npz" for rep in range(4)]
    assert json.loads((out / "run.json").read_text())["root_seed"] == 5


def test_a_target_search_on_a_foreign_folder_keeps_its_candidates_folder(small, tmp_path, capsys):
    folder = tmp_path / "mine"
    before = plant(folder, {"candidates/keep.txt": b"my candidates list"})
    assert main(["target", str(small), "--metric", "caseload_mean", "--at", "0.25", "--below",
                 "18", "--prob", "0.8", "--reps", "4",
                 "--workers", "1", "--quiet", "--no-figures", "--out", str(folder)]) == 2
    assert "not a caseload results folder" in one_error_line(capsys)
    assert snapshot(folder) == before


# --- mixes runs ----------------------------------------------------------------------------------

def test_a_second_writer_is_refused_while_the_first_runs_and_the_first_is_not_mixed(small,
                                                                                    tmp_path,
                                                                                    capsys):
    out = tmp_path / "shared"
    args = ["run", str(small), "--set", "years=0.5", "--reps", "24", "--workers", "1",
            "--quiet", "--no-figures", "--out", str(out)]
    first = caseload(*args, "--seed", "7")
    wait_for_a_chunk(out, first)
    holder = json.loads((out / LOCK).read_text())
    assert holder["pid"] == first.pid and holder["host"] == socket.gethostname()
    assert main([*args, "--seed", "8"]) == 2
    line = one_error_line(capsys)
    assert "another caseload run is writing this folder" in line and str(first.pid) in line
    _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    assert not (out / LOCK).exists()
    alone = tmp_path / "alone"
    assert main([*args[:-1], str(alone), "--seed", "7"]) == 0
    assert (out / "summary.csv").read_bytes() == (alone / "summary.csv").read_bytes()
    assert json.loads((out / "run.json").read_text())["root_seed"] == 7


def test_a_stale_lock_of_a_dead_process_is_taken_over_and_said_so(tmp_path):
    out = tmp_path / "out"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    out.mkdir()
    (out / LOCK).write_text(json.dumps({"pid": int(gone.stdout), "host": socket.gethostname(),
                                        "started": "2026-01-01T00:00:00+00:00"}))
    reports = []
    fake_run(out, report=reports.append)
    assert any("taking over the lock" in report and gone.stdout.strip() in report
               for report in reports), reports
    assert not (out / LOCK).exists()


def test_a_lock_held_by_a_live_process_elsewhere_refuses_the_api_too(tmp_path):
    out = tmp_path / "out"
    fake_run(out)
    (out / LOCK).write_text(json.dumps({"pid": os.getppid(), "host": socket.gethostname()}))
    with pytest.raises(FolderRefused, match=f"process {os.getppid()}"):
        fake_run(out, seed=8)
    (out / LOCK).write_text(json.dumps({"pid": 1, "host": "another-machine"}))
    with pytest.raises(FolderRefused, match="another-machine"):
        fake_run(out, seed=8)
    assert json.loads((out / "run.json").read_text())["root_seed"] == 4


@pytest.mark.parametrize("stop", [KeyboardInterrupt, ValueError])
def test_the_lock_is_held_while_writing_and_released_on_ctrl_c_or_an_error(tmp_path, stop):
    out = tmp_path / "out"
    seen = []

    def replicate(scenario, rep, root_seed):
        seen.append(json.loads((out / LOCK).read_text())["pid"])
        if rep == 3:
            raise stop("stopped")
        return fake_replication(scenario, rep, root_seed)

    with pytest.raises(stop):
        sim.run(FakeScenario(), reps=10, seed=4, workers=1, out=out, figures=False,
                replicate=replicate)
    assert set(seen) == {os.getpid()}
    assert not (out / LOCK).exists()
    fake_run(out, resume=True)


def test_resume_after_the_manifest_is_deleted_keeps_the_finished_replications(tmp_path):
    out = tmp_path / "out"
    fake_run(out)
    chunks = {path: path.stat().st_mtime_ns for path in out.glob("chunks/fake/reps-*.npz")}
    (out / "manifest.json").unlink()
    reports = []
    resumed = fake_run(out, resume=True, report=reports.append)
    assert resumed.reused == 10
    assert {path: path.stat().st_mtime_ns for path in chunks} == chunks
    assert any("rebuilt" in report for report in reports), reports
    assert FolderStore.open(out).manifest.seed == 4


@pytest.mark.parametrize("other", [{"seed": 8}, {"scenario": {"caseload_level": 3.0}}],
                         ids=["seed", "scenario"])
def test_a_chunk_of_another_run_is_reported_and_redone_on_resume(tmp_path, other):
    fake_run(tmp_path / "whole")
    out, foreign = tmp_path / "out", tmp_path / "foreign"
    fake_run(out)
    fake_run(foreign, **other)
    chunk = sorted((out / "chunks" / "fake").iterdir())[1]
    shutil.copyfile(foreign / "chunks" / "fake" / chunk.name, chunk)
    reports = []
    results = fake_run(out, resume=True, report=reports.append)
    assert len(reports) == 1 and chunk.name in reports[0] and "another run" in reports[0]
    assert results.reused == 8  # chunks of 2
    assert (out / "summary.csv").read_bytes() == (tmp_path / "whole" / "summary.csv").read_bytes()


def test_resume_of_a_lost_manifest_with_foreign_chunks_redoes_only_those(tmp_path):
    out, foreign = tmp_path / "out", tmp_path / "foreign"
    fake_run(out)
    fake_run(foreign, seed=8)
    chunk = sorted((out / "chunks" / "fake").iterdir())[2]
    shutil.copyfile(foreign / "chunks" / "fake" / chunk.name, chunk)
    (out / "manifest.json").unlink()
    results = fake_run(out, resume=True, report=lambda line: None)
    assert results.reused == 8  # chunks of 2
    pd.testing.assert_frame_equal(results.summary(), fake_run(None).summary())


def test_a_foreign_manifest_with_our_chunks_is_still_refused_on_resume(tmp_path):
    fake_run(tmp_path / "out")
    (tmp_path / "out" / "manifest.json").write_text("[1, 2]")
    with pytest.raises(StoreMismatch, match="not a caseload store manifest"):
        fake_run(tmp_path / "out", resume=True)


def test_figures_drawn_later_by_caseload_plot_are_listed_and_go_with_their_run(small, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(small), *QUICK, "--out", str(out)]) == 0
    plot = caseload("plot", str(out), "--quiet")  # another process, as a user would run it
    _, stderr = plot.communicate(timeout=300)
    assert plot.returncode == 0, stderr
    assert {"report.html", "caseload.png"} <= set(
        json.loads((out / "manifest.json").read_text())["files"])
    assert main(["run", str(small), *QUICK, "--out", str(out), "--seed", "3"]) == 0
    assert not (out / "report.html").exists() and not (out / "caseload.png").exists()


def test_resume_of_a_lost_manifest_whose_chunks_are_all_of_another_run_is_refused(tmp_path):
    out = tmp_path / "out"
    fake_run(out, seed=8)
    (out / "manifest.json").unlink()
    before = snapshot(out)
    with pytest.raises(StoreMismatch, match="no chunk here belongs to this scenario and seed"):
        fake_run(out, resume=True)
    assert snapshot(out) == before
