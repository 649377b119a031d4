"""Uncertain assumptions: a number given as a distribution, drawn once per replication."""
from __future__ import annotations

import ast
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from builders import scenario
from processes import ROOT
from scipy import stats

import sim.api as api
from sim.cli.main import main
from sim.model.council import run_replication
from sim.runner.chunk_task import ChunkTask, run_chunk
from sim.runner.provenance import scenario_hash
from sim.runner.store import Chunk, FolderStore, Manifest
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import load_scenario, with_overrides
from sim.scenario.types import Uniform
from sim.scenario.uncertain import draw_values, resolve
from sim.analysis.draws import spread_explained
from sim.analysis.results_folder import ResultsFolder

RATE = "workforce.turnover.annual_rate"
SUCCESS = "workforce.recruitment.success"
UNIFORM = {"dist": "uniform", "low": 0.12, "high": 0.18}
SHORT = {"years": 0.1, "warmup_days": 0}


def uncertain(overrides: dict, base: dict | None = None):
    """The builders' test council with `overrides` (dotted keys) given as in --set."""
    return with_overrides(scenario({**(base or {})}), overrides)


def draws_of(sc, key: str, reps: int, seed: int = 7) -> np.ndarray:
    return np.array([draw_values(sc.uncertain, rep, seed)[key] for rep in range(reps)])


# --- the draws follow the distribution -----------------------------------------------------------

def _lognormal(mean, cv):
    sigma = math.sqrt(math.log(1 + cv**2))
    return stats.lognorm(s=sigma, scale=mean * math.exp(-sigma**2 / 2))


def _beta_from_moments(mean, sd):
    size = mean * (1 - mean) / sd**2 - 1
    return stats.beta(mean * size, (1 - mean) * size)


@pytest.mark.parametrize("table, expected", [
    (UNIFORM, stats.uniform(0.12, 0.06)),
    ({"dist": "normal", "mean": 0.15, "sd": 0.02}, stats.norm(0.15, 0.02)),
    ({"dist": "lognormal", "mean": 0.15, "cv": 0.3}, _lognormal(0.15, 0.3)),
    ({"dist": "beta", "alpha": 2, "beta": 9}, stats.beta(2, 9)),
    ({"dist": "beta", "mean": 0.2, "sd": 0.05}, _beta_from_moments(0.2, 0.05)),
    ({"dist": "triangular", "low": 0.1, "mode": 0.13, "high": 0.2},
     stats.triang(c=0.3, loc=0.1, scale=0.1)),
], ids=["uniform", "normal", "lognormal", "beta-shapes", "beta-moments", "triangular"])
def test_draws_over_replications_follow_the_distribution(table, expected):
    # normal and lognormal reach outside 0 to 5 (annual_rate's range) too rarely to show in 300
    # draws, but they can: they need clip
    unbounded = table["dist"] in ("normal", "lognormal")
    sc = uncertain({RATE: {**table, "clip": True} if unbounded else table})
    drawn = draws_of(sc, RATE, 300)
    assert stats.kstest(drawn, expected.cdf).pvalue > 1e-3
    assert len(set(drawn)) == len(drawn)


def test_each_replication_draws_once_and_the_model_sees_only_numbers():
    sc = uncertain({RATE: UNIFORM, SUCCESS: {"dist": "beta", "mean": 0.7, "sd": 0.1}})
    concrete, drawn = resolve(sc, 3, 11)
    assert concrete.uncertain == {}
    assert concrete.workforce.turnover.annual_rate == drawn[RATE]
    assert concrete.workforce.recruitment.success == drawn[SUCCESS]
    assert resolve(sc, 3, 11)[1] == drawn                 # the same replication, the same draw
    assert resolve(sc, 4, 11)[1][RATE] != drawn[RATE]     # another replication, another draw
    assert sc.workforce.turnover.annual_rate == pytest.approx(0.15)   # the validated mean


def test_clipped_draws_stay_in_the_keys_range():
    sc = uncertain({SUCCESS: {"dist": "normal", "mean": 0.95, "sd": 0.1, "clip": True}})
    drawn = draws_of(sc, SUCCESS, 300)
    assert drawn.max() == 1.0 and drawn.min() > 0
    assert (drawn == 1.0).mean() == pytest.approx(stats.norm.sf(1, 0.95, 0.1), abs=0.08)


# --- pairing and independence of keys ------------------------------------------------------------

def test_adding_a_second_uncertain_key_leaves_the_first_keys_draws_unchanged():
    one = uncertain({RATE: UNIFORM})
    two = uncertain({RATE: UNIFORM, SUCCESS: {"dist": "uniform", "low": 0.5, "high": 0.9}})
    np.testing.assert_array_equal(draws_of(one, RATE, 50), draws_of(two, RATE, 50))


def test_the_same_key_draws_the_same_value_in_every_scenario_of_a_compare():
    first = uncertain({RATE: UNIFORM, **SHORT})
    second = with_overrides(first, {"name": "more-posts", "workforce.establishment": 45})
    results = api.compare([first, second], reps=4, workers=1, seed=5, figures=False)
    draws = results.draws().pivot(index="rep", columns="scenario", values="value")
    assert len(draws) == 4 and draws[first.name].nunique() == 4
    np.testing.assert_array_equal(draws[first.name], draws["more-posts"])


def test_a_key_draws_from_a_stream_of_its_own_not_shared_with_the_model():
    # the same uniform at two keys draws different values: each key has its own stream
    sc = uncertain({RATE: UNIFORM, SUCCESS: {"dist": "uniform", "low": 0.12, "high": 0.18}})
    assert not np.array_equal(draws_of(sc, RATE, 20), draws_of(sc, SUCCESS, 20))


# --- a scenario of numbers only ------------------------------------------------------------------

def test_a_scenario_without_distributions_runs_exactly_as_before():
    sc = scenario(SHORT)
    assert resolve(sc, 0, 1) == (sc, {})
    assert "uncertain" not in json.dumps(sc.model_dump(mode="json"))
    chunk = run_chunk(ChunkTask(sc, 0, 1, 9, run_replication))
    assert chunk.draws == {}
    for index, rep in enumerate(chunk.rep):
        np.testing.assert_array_equal(chunk.values[index], run_replication(sc, int(rep), 9).values)


def test_the_uncertain_scenario_differs_from_its_mean_in_hash_and_equality():
    sc = uncertain({RATE: UNIFORM})
    at_mean = uncertain({RATE: 0.15})
    assert sc != at_mean and scenario_hash(sc) != scenario_hash(at_mean)
    assert with_overrides(sc, {}) == sc                  # the distribution survives a re-validation


# --- durations stay per-event distributions ------------------------------------------------------

def test_a_duration_distribution_is_not_an_uncertain_value():
    sc = uncertain({"workforce.turnover.notice_days": {"dist": "uniform", "low": 10, "high": 20}})
    assert sc.uncertain == {}
    assert isinstance(sc.workforce.turnover.notice_days, Uniform)


# --- bad tables ----------------------------------------------------------------------------------

BAD = [
    ({"dist": "normal", "mean": 0.15, "sd": 0.05}, RATE, "clip = true"),
    ({"dist": "uniform", "low": 0.1, "high": 7}, RATE, "allowed range 0 to 5"),
    ({"dist": "uniform", "low": 0.2, "high": 0.1}, RATE + ".high", "high > low"),
    ({"dist": "gama", "mean": 1}, RATE + ".dist", "unknown dist 'gama'"),
    ({"dist": "beta", "alpha": 2}, RATE, "alpha and beta, or mean and sd"),
    ({"dist": "beta", "mean": 0.5, "sd": 0.6}, RATE + ".sd", "too large"),
    ({"dist": "triangular", "low": 0.1, "mode": 0.3, "high": 0.2}, RATE + ".mode", "low <= mode"),
    ({"dist": "uniform", "low": 0.1, "high": 0.2, "spread": 1}, RATE + ".spread", "unknown key"),
]


@pytest.mark.parametrize("table, key, says", BAD, ids=[t[1].rsplit(".")[-1] + "-" + t[2][:12]
                                                        for t in BAD])
def test_a_bad_uncertain_table_exits_2_with_one_line_naming_the_key(small, capsys, table, key,
                                                                    says):
    value = "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in table.items()) + " }"
    assert main(["validate", str(small), "--set", f"{RATE}={value}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f": {key}: " in err and says in err


def test_a_whole_number_cannot_be_uncertain(small):
    with pytest.raises(ScenarioError, match="workforce.establishment: a whole number"):
        load_scenario(small, {"workforce.establishment": {"dist": "uniform", "low": 1, "high": 9}})


def test_rules_between_keys_hold_at_each_end_of_a_distribution(small):
    share = {"dist": "uniform", "low": 0.1, "high": 0.9}
    with pytest.raises(ScenarioError, match="senior_share: at the high end of its distribution"):
        load_scenario(small, {"workforce.recruitment.senior_share": share})


# --- --set, validate, draws.csv ------------------------------------------------------------------

def test_set_takes_a_distribution_and_validate_shows_it(small, capsys):
    text = '{ dist = "uniform", low = 0.1, high = 0.2 }'
    assert main(["validate", str(small), "--json", "--set", f"{RATE}={text}"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["workforce"]["turnover"]["annual_rate"] == {"dist": "uniform", "low": 0.1,
                                                              "high": 0.2}


def test_draws_csv_holds_each_replications_draws_and_is_listed_in_the_manifest(small, tmp_path):
    sc = load_scenario(small, {RATE: UNIFORM, "years": 0.1})
    out = tmp_path / "out"
    api.run(sc, reps=3, workers=1, seed=4, out=out, figures=False)
    draws = pd.read_csv(out / "draws.csv")
    assert list(draws.columns) == ["scenario", "rep", "key", "value"]
    assert draws["rep"].tolist() == [0, 1, 2] and set(draws["key"]) == {RATE}
    expected = [resolve(sc, rep, 4)[1][RATE] for rep in range(3)]
    np.testing.assert_array_equal(draws["value"], expected)
    assert "draws.csv" in json.loads((out / "manifest.json").read_text())["files"]
    record = json.loads((out / "run.json").read_text())["scenarios"][0]
    assert record["uncertain"] == {RATE: "uniform(low=0.12, high=0.18)"}
    assert record["resolved"]["workforce"]["turnover"]["annual_rate"]["dist"] == "uniform"


def test_a_results_folder_reads_back_its_uncertain_scenario(small, tmp_path):
    """run.json's `resolved` keeps the distribution: reading the folder back (what `caseload
    plot`, the report and the app do) validates it as a file would, not as a plain number."""
    sc = load_scenario(small, {RATE: UNIFORM, "years": 0.1})
    out = tmp_path / "out"
    api.run(sc, reps=2, workers=1, seed=4, out=out, figures=False)
    [back] = ResultsFolder.open(out).scenarios
    assert back == sc and back.uncertain.keys() == {RATE}
    assert draws_of(back, RATE, 5) == pytest.approx(draws_of(sc, RATE, 5))


def test_a_chunk_keeps_its_draws_on_disk(tmp_path):
    manifest = Manifest(scenarios=[{"name": "s", "hash": "h", "seed": 1}], seed=1, reps=2,
                        metric_names=["m"], chunk_size=2)
    store = FolderStore.create(tmp_path, manifest)
    chunk = Chunk("s", np.array([0, 1]), np.array([0.0]), np.zeros((2, 1, 1)), np.array([5, 6]),
                  {RATE: np.array([0.13, 0.17])})
    store.put(chunk)
    back = FolderStore.resume(tmp_path, manifest).read_chunk("s", 0, 1)
    np.testing.assert_array_equal(back.draws[RATE], [0.13, 0.17])
    assert back.head(1).draws[RATE].tolist() == [0.13]


# --- which draw explains the spread --------------------------------------------------------------

def test_spread_explained_ranks_the_key_the_outcome_follows_first():
    rng = np.random.default_rng(3)
    driver, noise = rng.uniform(size=200), rng.uniform(size=200)
    outcome = np.exp(3 * driver)                        # monotone in `driver` alone
    draws = pd.DataFrame({"scenario": "s", "rep": np.tile(np.arange(200), 2),
                          "key": np.repeat(["noise", "driver"], 200),
                          "value": np.concatenate([noise, driver])})
    table = spread_explained(draws, {"s": outcome})
    assert table["key"].tolist() == ["driver", "noise"]
    assert table["share_explained"].iloc[0] == pytest.approx(1.0)
    # independent draws: rho * sqrt(n - 1) is about standard normal, so rho^2 < (4 / sqrt(199))^2
    assert table["share_explained"].iloc[1] < 16 / 199


def test_a_keys_draws_are_the_same_in_another_process_whatever_its_hash_seed(small):
    """The stream's key comes from a fixed digest of the dotted key, not from Python's `hash`
    (which differs between processes): workers and later runs draw the same values."""
    code = ("import sys; from sim.scenario.loading import load_scenario; "
            "from sim.scenario.uncertain import draw_values; "
            f"sc = load_scenario(sys.argv[1], {{{RATE!r}: {UNIFORM!r}}}); "
            f"print(repr([draw_values(sc.uncertain, rep, 7)[{RATE!r}] for rep in range(5)]))")
    here = draws_of(load_scenario(small, {RATE: UNIFORM}), RATE, 5)
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed,
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        shown = subprocess.run([sys.executable, "-c", code, str(small)], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout
        assert ast.literal_eval(shown) == here.tolist()
