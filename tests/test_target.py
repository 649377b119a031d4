"""`caseload target`: known answers, reproducibility, monotonicity in P, outputs and bad input."""
from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from builders import STILL_WORKFORCE, merged, scenario
from scipy import stats
from test_fuzz import toml_document

from sim.cli.main import main
from sim.analysis.financial_years import by_financial_year, financial_year
from sim.experiments.target import Target, seek_target

FILLED_AT_ONCE = {"establishment": 5,
                  "levels": {"nqsw": {"in_post": 0}, "sw": {"in_post": 5, "cap": 20}},
                  "agency_in_post": 0, "agency": {"cover": 0.0},
                  "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": 0}}}
"""A workforce of 5 in 5 posts where nobody leaves and a new post is filled the day it opens."""

STOCK, WORKERS, THRESHOLD = 120, 5, 18.0
MEAN_DAYS = 10.0
AT_YEARS = 0.2
POISSON_STOCK = {
    "years": AT_YEARS, "warmup_days": 0,
    "demand": {"referrals_per_year": STOCK / MEAN_DAYS * 365.25, "no_further_action": 0.0,
               "assessment": {"duration_days": {"dist": "exponential", "mean": MEAN_DAYS},
                              "outcome": {"close": 1.0}}},
    "workforce": merged(FILLED_AT_ONCE, STILL_WORKFORCE),
    "initial": {"open": {"assessment": STOCK, "cin": 0, "cp": 0, "cla": 0}},
}
"""M/M/inf: open cases settle to Poisson(120) within weeks (mean stay 10 days)."""


def poisson_answer(prob: float) -> int:
    """Smallest k with P(N / (5 + k) < 18) >= prob for N ~ Poisson(120)."""
    return next(k for k in range(100)
                if stats.poisson.cdf(math.ceil(THRESHOLD * (WORKERS + k)) - 1, STOCK) >= prob)


def test_target_gives_open_cases_over_workers_answer_when_nothing_changes():
    """600 cases that never close, 30 workers, nobody leaves, posts filled at once: the caseload
    is 600 / (30 + k), below 18 first at k = 4 (600 / 34 = 17.6; 600 / 33 = 18.2), with
    probability 0 or 1, whatever P."""
    still = scenario({
        "years": 1, "demand": {"referrals_per_year": 0,
                               "cla": {"duration_days": {"dist": "fixed", "value": 36500}}},
        "workforce": merged(merged(FILLED_AT_ONCE, STILL_WORKFORCE),
                            {"establishment": 30, "levels": {"sw": {"in_post": 30}}}),
        "initial": {"open": {"assessment": 0, "cin": 0, "cp": 0, "cla": 600}},
    })
    result = seek_target(still, Target("caseload_mean", 0.5, 18.0, 0.8, over_months=2),
                         reps=20, seed=3, workers=1)
    assert result.answer.posts == math.floor(600 / 18) + 1 - 30 == 4
    table = {c.posts: c.probability for c in result.candidates}
    assert table[4] == 1.0 and table[3] == 0.0
    assert result.posts_range == (4, 4)


def test_target_matches_poisson_answer_within_one_post():
    """Open cases of an M/M/inf system are Poisson(120) at the target time, so the caseload
    N / (5 + k) is below 18 with probability P(N <= 18 (5 + k) - 1): 0.13 at k = 1, 0.70 at
    k = 2 and 0.98 at k = 3, so P = 0.4 needs 2 posts. Open cases on day 70 are binomial-thinned
    start cases plus Poisson arrivals, a hair less variable than Poisson (variance
    120 (1 - exp(-14))). A search can miss by one post only when a neighbour's probability is
    within sampling error of P at the replication ceiling; here both neighbours are far from 0.4,
    so the answer must be exact."""
    expected = poisson_answer(0.4)
    result = seek_target(scenario(POISSON_STOCK),
                         Target("caseload_mean", AT_YEARS, THRESHOLD, 0.4),
                         reps=80, seed=11, workers=1)
    assert expected == 2
    assert result.answer.posts == expected


def test_same_seed_same_answer_and_raising_prob_never_lowers_it(tmp_path):
    """Run at P = 0.1, 0.4, 0.7 and 0.9 (the later runs reuse the stored replications of the
    same candidates with resume); then the first again, in memory, with the same seed."""
    sc = scenario(POISSON_STOCK)
    results = [seek_target(sc, Target("caseload_mean", AT_YEARS, THRESHOLD, prob), reps=40,
                           seed=5, workers=1, out=tmp_path, resume=index > 0)
               for index, prob in enumerate((0.1, 0.4, 0.7, 0.9))]
    answers = [result.answer.posts for result in results]
    assert answers == sorted(answers)
    assert answers[0] < answers[-1]
    again = seek_target(sc, Target("caseload_mean", AT_YEARS, THRESHOLD, 0.1), reps=40, seed=5,
                        workers=1)
    assert again.answer.posts == answers[0]
    assert ([(c.posts, c.reps, c.successes) for c in again.candidates]
            == [(c.posts, c.reps, c.successes) for c in results[0].candidates])


def test_unreachable_target_has_no_answer():
    result = seek_target(scenario(POISSON_STOCK), Target("caseload_mean", AT_YEARS, 0.5, 0.8),
                         reps=10, seed=1, workers=1, max_posts=4)
    assert result.answer is None
    assert [c.posts for c in result.candidates] == [0, 1, 2, 4]
    assert result.posts_range == (5, None)


def test_financial_years_run_april_to_march():
    assert financial_year(date(2017, 3, 31)) == "2016/17"
    assert financial_year(date(2017, 4, 1)) == "2017/18"
    assert financial_year(date(1999, 12, 1)) == "1999/00"
    days = np.array([0.0, 100.0, 200.0, 300.0])  # from 2016-12-01: day 100 is 2017-03-11
    sums = by_financial_year(np.array([[9.0, 1.0, 2.0, np.nan]]), days, date(2016, 12, 1))
    assert list(sums.columns) == ["2016/17", "2017/18"]
    assert sums.to_numpy().tolist() == [[1.0, 2.0]]


def test_cli_target_writes_target_csv_and_run_json(tmp_path, capsys):
    path = tmp_path / "stock.toml"
    path.write_text(_toml(POISSON_STOCK), encoding="utf-8")
    out = tmp_path / "out"
    status = main(["target", str(path), "--at", "2020-06-10", "--below", "18", "--prob", "0.6",
                   "--reps", "20", "--workers", "1", "--out", str(out), "--seed", "2"])
    assert status == 0
    table = pd.read_csv(out / "target.csv")
    assert list(table.columns[:5]) == ["extra_posts", "probability", "ci_low", "ci_high", "reps"]
    assert table["extra_posts"].is_monotonic_increasing
    record = json.loads((out / "run.json").read_text())
    assert set(record["answer"]) >= {"extra_posts", "probability", "ci_low", "ci_high",
                                     "cost_by_financial_year"}
    assert {key: record["target"][key] for key in
            ("metric", "direction", "threshold", "prob", "lever", "over_months")} == {
        "metric": "caseload_mean", "direction": "below", "threshold": 18.0, "prob": 0.6,
        "lever": "posts", "over_months": 0}
    assert record["replications"] == table["reps"].sum()
    assert isinstance(record["wall_seconds"], float)
    assert [year["financial_year"] for year in record["answer"]["cost_by_financial_year"]] == [
        "2020/21"]
    assert (out / "target.png").is_file() and "target.png" in (out / "report.html").read_text()
    printed = capsys.readouterr().out
    assert f"answer: {record['answer']['extra_posts']} extra posts" in printed
    assert f"{record['replications']} replications" in printed


@pytest.mark.parametrize("options, message", [
    (["--at", "0", "--below", "18", "--prob", "0.8"], "--at: 0 years is out of range"),
    (["--at", "2020-04-01", "--below", "18", "--prob", "0.8"], "--at: 2020-04-01 is not after"),
    (["--at", "soon", "--below", "18", "--prob", "0.8"], "--at: expected years"),
    (["--at", "1", "--below", "18", "--prob", "1"], "--prob: 1 is out of range"),
    (["--at", "1", "--below", "18", "--prob", "0.8", "--from", "2019-01-01"],
     "--from: 2019-01-01 is before"),
    (["--at", "1", "--below", "18", "--prob", "0.8", "--over-months", "-1"], "--over-months"),
    (["--at", "1", "--below", "18", "--prob", "0.8", "--first-reps", "0"], "--first-reps"),
    (["--at", "1", "--prob", "0.8"], "one of the arguments --below --above is required"),
])
def test_cli_target_bad_input_exits_2_with_one_line(tmp_path, capsys, options, message):
    path = tmp_path / "stock.toml"
    path.write_text(_toml(POISSON_STOCK), encoding="utf-8")
    assert main(["target", str(path), *options]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and "\n" not in error


def _toml(changes: dict) -> str:
    """The builders' base scenario with `changes`, as a TOML file."""
    return toml_document(scenario(changes).model_dump(mode="json", exclude_none=True))


def test_answer_does_not_depend_on_the_number_of_worker_processes():
    """Two local processes (one pool kept across every look) give the in-process result."""
    target = Target("caseload_mean", AT_YEARS, THRESHOLD, 0.4)
    serial = seek_target(scenario(POISSON_STOCK), target, reps=20, seed=9, workers=1)
    pooled = seek_target(scenario(POISSON_STOCK), target, reps=20, seed=9, workers=2)
    assert pooled.workers == 2
    assert ([(c.posts, c.reps, c.successes) for c in pooled.candidates]
            == [(c.posts, c.reps, c.successes) for c in serial.candidates])
