"""`caseload app` driven headless with Streamlit's AppTest: a whole session (council, plan with a
range, run, results, downloads), the app's numbers against `sim.compare` on its downloaded scenario
files, bad input shown as the command line shows it, a job ending while the page is drawn,
cancelling a run, cleaning up the app's old folders, and `caseload app` without Streamlit."""
from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

streamlit = pytest.importorskip("streamlit", reason='the app needs "caseload-sim[app]"')

from openpyxl import load_workbook  # noqa: E402
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

import sim  # noqa: E402
from sim.analysis.financial_years import TOTAL, costs_by_year, yearly_spread  # noqa: E402
from sim.analysis.labels import metric_label  # noqa: E402
from sim.app.plan import Plan, plan_text, with_assumptions, with_years  # noqa: E402
from sim.app.session import (  # noqa: E402
    APP_MARK,
    Background,
    Run,
    new_run_folder,
    remove_old_folders,
)
from sim.cli import app as app_command  # noqa: E402
from sim.cli.main import main  # noqa: E402
from sim.data.baseline import baseline_scenario_text  # noqa: E402
from sim.experiments.target import Target, seek_target  # noqa: E402
from sim.model.units import DAYS_PER_MONTH  # noqa: E402
from sim.report.target_output import target_lines  # noqa: E402
from sim.scenario.errors import ScenarioError  # noqa: E402
from sim.scenario.loading import load_scenario  # noqa: E402

PAGE = Path(sim.__file__).resolve().parent / "app" / "page.py"
COUNCIL, YEAR, POSTS, REPS, SEED = "Darlington", 2019, 5, 2, 12345
NAME = "darlington-2019"
BELOW, AT_YEARS, PROB = 14.0, 1.0, 0.5
TURNOVER = (0.12, 0.22)   # a range of the leaving rate, drawn once per replication
A_RANGE = "a range (uniform)"
RUN_SECONDS = 600   # a generous bound on one AppTest script run, polling included (a loaded CI)


def downloaded(at: AppTest, stores: list[MemoryMediaFileStorage], key: str) -> bytes:
    """The bytes behind the download button `key` on the page last drawn."""
    button = next(b for b in at.get("download_button") if b.key == key)
    name = button.proto.url.rsplit("/", 1)[-1]
    return stores[-1].get_file(name).content


def go(at: AppTest, page: str) -> AppTest:
    return at.sidebar.radio(key="page").set_value(page).run()


def errors(at: AppTest) -> list[str]:
    assert not at.exception, [e.value for e in at.exception]
    return [e.value for e in at.error]


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> dict:
    """One whole session: Darlington 2019, +5 posts over 12 months from month 3, one year, two
    replications, then the fewest posts for P(caseload below 14 at year 1) >= 0.5 with at most
    two replications a candidate; what the pages showed and the bytes of every download."""
    folder = tmp_path_factory.mktemp("app")
    patch = pytest.MonkeyPatch()
    patch.chdir(folder)
    stores: list[MemoryMediaFileStorage] = []
    original = MemoryMediaFileStorage.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        stores.append(self)

    patch.setattr(MemoryMediaFileStorage, "__init__", keep)
    try:
        at = AppTest.from_file(str(PAGE), default_timeout=RUN_SECONDS).run()
        shown = {"council errors": errors(at), "figures": at.dataframe[0].value}
        at.selectbox(key="council").set_value(COUNCIL).run()
        at.selectbox(key="year").set_value(YEAR).run()
        go(at, "Plan")
        at.number_input(key="extra_posts").set_value(POSTS).run()
        at.number_input(key="years").set_value(1.0).run()
        at.radio(key="turnover_rate_as").set_value(A_RANGE).run()
        at.number_input(key="turnover_rate_low").set_value(TURNOVER[0]).run()
        at.number_input(key="turnover_rate_high").set_value(TURNOVER[1]).run()
        shown["plan errors"] = errors(at)
        shown["plan code"] = "\n".join(code.value for code in at.code)
        go(at, "Run and compare")
        at.number_input(key="reps").set_value(REPS).run()
        at.number_input(key="seed").set_value(SEED).run()
        at.button(key="run").click().run()
        shown["run errors"] = errors(at)
        assert not shown["run errors"], shown["run errors"]
        shown["answers"] = "\n".join(m.value for m in at.markdown)
        shown["final"], shown["comparison"], shown["costs"] = (
            at.dataframe[i].value for i in range(3))
        shown["images"] = len(at.get("image"))
        at.number_input(key="target_below").set_value(BELOW).run()
        at.number_input(key="target_years").set_value(AT_YEARS).run()
        at.number_input(key="target_prob").set_value(PROB).run()
        at.number_input(key="target_reps").set_value(REPS).run()
        at.button(key="find_posts").click().run()
        shown["target errors"] = errors(at)
        shown["target"] = at.markdown[-1].value
        go(at, "Downloads")
        shown["downloads errors"] = errors(at)
        shown["files"] = {key: downloaded(at, stores, key) for key in
                          ("results.xlsx", "report.html", "no-plan.toml", "plan.toml", "zip")}
        shown["results folders"] = sorted(sorted(child.name for child in run.iterdir())
                                          for run in (folder / "results" / "app").iterdir())
    finally:
        patch.undo()
    return shown


def test_a_whole_session_shows_results_and_downloads_a_workbook(session, tmp_path):
    assert not (session["council errors"] or session["plan errors"] or session["run errors"]
                or session["downloads errors"])
    figures = session["figures"]
    assert (figures["figure"] == "demand.referrals_per_year").any()
    assert figures["source"].str.contains("DfE").any()
    assert "do = \"add_posts\"" in session["plan code"] and f"count = {POSTS}" in \
        session["plan code"]
    uniform = (f'annual_rate = {{ dist = "uniform", low = {TURNOVER[0]:g}, '
               f'high = {TURNOVER[1]:g} }}')
    assert uniform in session["plan code"]
    for name in ("no-plan.toml", "plan.toml"):   # the range is in both files
        assert uniform in session["files"][name].decode()
    assert f"{NAME}-plan:" in session["answers"] and f"{NAME}:" in session["answers"]
    assert session["images"] >= 1
    assert set(session["costs"]["scenario"]) == {NAME, f"{NAME}-plan"}
    assert session["results folders"] == [   # one folder a job, marked as the app's
        ["caseload-app.json", "no-plan.toml", "plan.toml", "results"],
        ["caseload-app.json", "no-plan.toml", "target"]]
    book = load_workbook(io.BytesIO(session["files"]["results.xlsx"]), read_only=True)
    assert {"End of year", "Comparison", "Costs by financial year"} <= set(book.sheetnames)
    rows = list(book["Comparison"].iter_rows(values_only=True))
    in_book = next(row[4] for row in rows if row[0] == f"{NAME}-plan minus {NAME}"
                   and row[3] == "mean difference" and row[-1] == "caseload_mean")
    shown = session["comparison"].query("metric == 'caseload_mean' and year == 1")["mean_diff"]
    assert in_book == pytest.approx(float(shown.iloc[0]), abs=0.006)   # the book shows 2 d.p.
    assert b"<html" in session["files"]["report.html"][:200].lower()
    assert session["files"]["zip"][:2] == b"PK"


def test_the_numbers_shown_equal_sim_compare_on_the_downloaded_scenarios(session, tmp_path):
    paths = []
    for name in ("no-plan.toml", "plan.toml"):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(session["files"][name])
    results = sim.compare([load_scenario(path) for path in paths], reps=REPS, seed=SEED,
                          workers=1)
    expected = results.final().set_index(["scenario", "metric", "year"])
    app_final = session["final"]
    assert len(app_final) > 0
    for row in app_final.itertuples():
        metric = next(m for m in expected.index.get_level_values("metric").unique()
                      if metric_label(m).label == row.metric)
        want = expected.loc[(row.scenario, metric, row.year)]
        assert np.allclose([row.mean, row.ci_low, row.ci_high],
                           [want["mean"], want["ci_low"], want["ci_high"]], equal_nan=True)
    differences = results.differences().set_index(["metric", "year"])
    for row in session["comparison"].itertuples():
        want = differences.loc[(row.metric, row.year)]
        assert np.allclose([row.mean_diff, row.ci_low, row.ci_high],
                           [want["mean_diff"], want["ci_low"], want["ci_high"]], equal_nan=True)
    spread = yearly_spread(costs_by_year(results.timeseries))
    totals = spread[spread["part"] == TOTAL].set_index(["scenario", "year"])
    shown_costs = session["costs"]
    assert len(shown_costs) == len(totals) > 0
    for row in shown_costs.itertuples():
        want = totals.loc[(row.scenario, row.year)]
        assert np.allclose([row.p05, row.p50, row.p95], [want["p05"], want["p50"], want["p95"]])


def test_the_fewest_posts_shown_equal_seek_target_on_the_no_plan_scenario(session, tmp_path):
    assert not session["target errors"]
    path = tmp_path / "no-plan.toml"
    path.write_bytes(session["files"]["no-plan.toml"])
    scenario = load_scenario(path)
    from_date = scenario.start + dt.timedelta(days=round(3 * DAYS_PER_MONTH))
    result = seek_target(scenario, Target("caseload_mean", AT_YEARS, BELOW, PROB, over_months=12,
                                          from_date=from_date),
                         reps=REPS, seed=SEED, workers=1, first_reps=REPS)
    lines = [line.strip() for line in target_lines(result)]
    answer = next(line for line in lines if line.startswith(("answer:", "not met")))
    assert f"- {answer}" in session["target"].splitlines()
    assert f"- {lines[0]}" in session["target"].splitlines()


def test_a_job_ending_while_the_page_is_drawn_still_shows_its_results(tmp_path, monkeypatch):
    """The page looks whether a job runs, draws, then decides whether to poll again: a job that
    ended between two looks (likely on a loaded machine) left its progress bar up and no results
    (the IndexError of the full suite's run). Here every job ends just after the page's first
    look at it."""
    monkeypatch.chdir(tmp_path)
    looks: dict[int, int] = {}

    def ends_after_the_first_look(job: Background) -> bool:
        job.wait()
        looks[id(job)] = looks.get(id(job), 0) + 1
        return looks[id(job)] == 1

    monkeypatch.setattr(Background, "running", property(ends_after_the_first_look))
    at = AppTest.from_file(str(PAGE), default_timeout=RUN_SECONDS).run()
    at.selectbox(key="council").set_value(COUNCIL).run()
    go(at, "Plan")
    at.number_input(key="extra_posts").set_value(POSTS).run()
    at.number_input(key="years").set_value(1.0).run()
    go(at, "Run and compare")
    at.number_input(key="reps").set_value(1).run()
    at.button(key="run").click().run()
    assert not errors(at)
    assert len(at.dataframe) == 3 and not at.get("progress")   # the tables of show_results
    at.number_input(key="target_reps").set_value(2).run()
    at.button(key="find_posts").click().run()
    assert not errors(at)
    assert at.markdown[-1].value.startswith(f"- {NAME}: ")   # the answer of target_lines


def test_cancel_stops_a_run_as_ctrl_c_does_and_keeps_its_folder_marked_interrupted(tmp_path):
    no_plan = with_years(baseline_scenario_text(COUNCIL, YEAR), 5.0)
    run = Run(folder=new_run_folder(tmp_path), no_plan=no_plan,
              plan=plan_text(no_plan, Plan(extra_posts=POSTS)), reps=500, seed=SEED)
    run.start()
    record = run.out / "run.json"
    while run.running and not (record.is_file() and "running" in record.read_text()):
        run.wait(0.1)
    assert run.running   # 500 replications of five years: still running when cancelled
    run.cancel()
    run.wait(RUN_SECONDS)
    assert not run.running and run.cancelled and run.error is None
    assert json.loads(record.read_text())["status"] == "interrupted"
    assert not (run.out / "caseload.lock").exists()
    assert run.done_reps() < run.total_reps


def test_cleanup_keeps_the_newest_app_folders_and_touches_nothing_else(tmp_path):
    root = tmp_path / "app"
    app_folders = [new_run_folder(root) for _ in range(12)]
    for folder in app_folders:
        (folder / "plan.toml").write_text("name = 'x'\n")
        (folder / "results").mkdir()
    users = root / "mine"
    users.mkdir()
    (users / "notes.txt").write_text("keep me")
    foreign = new_run_folder(root)
    (foreign / "notes.txt").write_text("a file the app never writes")
    busy = new_run_folder(root)
    (busy / "results").mkdir()
    (busy / "results" / "caseload.lock").write_text("{}")
    not_ours = new_run_folder(root)
    (not_ours / "results").mkdir()
    (not_ours / "results" / "data.csv").write_text("not a caseload results folder")
    forged = root / "forged"
    forged.mkdir()
    (forged / APP_MARK).write_text(json.dumps({"created_by": "someone", "created": "2000"}))
    linked = root / "linked"
    linked.symlink_to(app_folders[0], target_is_directory=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    holds_link = new_run_folder(root)
    (holds_link / "results").symlink_to(outside, target_is_directory=True)
    for folder in (foreign, busy, not_ours, holds_link):   # the oldest: created first
        mark = json.loads((folder / APP_MARK).read_text())
        (folder / APP_MARK).write_text(json.dumps(mark | {"created": "1999-01-01T00:00:00"}))

    removed = remove_old_folders(root, keep=10)

    assert removed == app_folders[:2]
    assert all(not folder.exists() for folder in app_folders[:2])
    assert all(folder.is_dir() for folder in app_folders[2:])
    for kept in (users, foreign, busy, not_ours, forged, holds_link, outside):
        assert kept.is_dir()
    assert linked.is_symlink() and (users / "notes.txt").read_text() == "keep me"
    assert remove_old_folders(root, keep=10) == []


def test_bad_input_shows_the_command_lines_message_next_to_the_field(tmp_path, monkeypatch,
                                                                     capsys):
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    go(at, "Plan")
    at.number_input(key="referrals_diverted").set_value(1.5).run()
    shown = errors(at)
    assert len(shown) == 1 and not at.code
    text = plan_text(with_years(baseline_scenario_text(COUNCIL, YEAR), 5.0),
                     Plan(from_month=3.0, over_months=12, referrals_diverted=1.5))
    (tmp_path / "plan.toml").write_text(text)
    assert main(["run", "plan.toml", "--reps", "1"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {shown[0]}"


def test_a_reversed_range_shows_the_command_lines_message(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    go(at, "Plan")
    at.radio(key="turnover_rate_as").set_value(A_RANGE).run()
    at.number_input(key="turnover_rate_low").set_value(0.3).run()
    at.number_input(key="turnover_rate_high").set_value(0.2).run()
    shown = errors(at)
    assert len(shown) == 1 and not at.code
    text = with_assumptions(with_years(baseline_scenario_text(COUNCIL, YEAR), 5.0),
                            {"turnover_rate": (0.3, 0.2)}, "no-plan.toml")
    (tmp_path / "no-plan.toml").write_text(text)
    capsys.readouterr()   # Streamlit's logging on the way out of the app is not the CLI's
    assert main(["run", "no-plan.toml", "--reps", "1"]) == 2
    assert capsys.readouterr().err.strip() == f"error: {shown[0]}"
    assert "workforce.turnover.annual_rate.high" in shown[0]


def test_an_assumption_the_file_does_not_give_on_its_line_is_refused_naming_it():
    text = 'name = "x"\n[workforce]\nagency = { cover = 0.5 }\n'
    with pytest.raises(ScenarioError) as refused:
        with_assumptions(text, {"agency_cover": 0.9}, "upload.toml")
    assert str(refused.value).startswith("upload.toml: workforce.agency.cover: ")
    moved = with_assumptions('name = "x"\n[demand]\ngrowth_per_year = 0.01   # DfE trend\n'
                             "[[policy]]\ngrowth_per_year = 0.5\n",
                             {"referral_growth": (0.0, 0.05)}, "x.toml")
    assert moved.splitlines()[2].startswith(
        'growth_per_year = { dist = "uniform", low = 0, high = 0.05 }')
    assert "the file had 0.01" in moved.splitlines()[2]
    assert moved.splitlines()[4] == "growth_per_year = 0.5"   # a policy's key is not the file's


def test_caseload_app_without_streamlit_exits_2_with_the_install_line(monkeypatch, capsys):
    monkeypatch.setattr(app_command.importlib.util, "find_spec",
                        lambda name, *args: None if name == "streamlit" else sys)
    assert main(["app", "--no-browser"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and 'pip install "caseload-sim[app]"' in err[0]
