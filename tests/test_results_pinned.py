"""Results pinned by hash: summary.csv and final.csv of short runs of shipped scenarios.

A regression pin, not a validation: the hashes were computed from the model's own output on the
commit that introduced them, so they say nothing about whether the results are right (the theory,
invariant and validation tests do that). They make any change to results a deliberate one: a
change that should leave results alone (a speed-up, a restructure) must keep every hash; a change
that alters results on purpose updates the hashes in the same commit and says why.

The runs cover a council baseline, a plan with dated policy actions, a hard cap with the
`cla_escalation` effect (stages that depend on their worker), a hard cap without it (cases that
wait for a worker while their stages run on), and re-referrals with a caseload effect and plans
long enough to go past a case's pre-drawn stages.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sim.cli.main import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
QUICK = ("--reps", "3", "--workers", "1", "--set", "years=1", "--no-figures", "--quiet")
HARD_CAP = ("--set", 'allocation.when_full="queue"')
LOOPS = ("--set", "demand.rereferral.share=0.2", "--set", "demand.rereferral.caseload_effect=0.5",
         "--set", "demand.cp.next={cp = 0.6, cin = 0.2, close = 0.2}")

PINNED = {
    "councils/wakefield-2018.toml": ((), {
        "summary.csv": "cdf9eaae7ed522393262cfbe2ee8d5b1c8ec20b60576e3973347169895ae712c",
        "final.csv": "e4929474a4899aa40669fbc3089f4bf53760629134600d1979d33607146c244c",
    }),
    "manchester-2016-plan.toml": ((), {
        "summary.csv": "f6335b21edb66018b8fa16916ee0be1f016113642755a2a010676a0bfd728abe",
        "final.csv": "44bbd85ed3372075f0b551c5c34d278dd193650e493582d46c19472175245f62",
    }),
    "dorset-2017-plan.toml": ((), {
        "summary.csv": "87193973c416b43a381937def7d5b8b06976b239ed688fbb391b26d3c211fab9",
        "final.csv": "74854bf3ba987f44ec54ca4d17cc60447677d04b3e291076b591720a2e269334",
    }),
    "manchester-2016-no-plan.toml": (HARD_CAP, {
        "summary.csv": "2830fcbc69933ad107b061107108d496d2ce333a6b26cd3dc09753a55321f7be",
        "final.csv": "811977f2291605fffed25d5685532e902bd475ec6396b7c91e81d6f9ec672a20",
    }),
    "liverpool-2019-no-plan.toml": (LOOPS, {
        "summary.csv": "c98f39380da18ab47394169289467ab4fa0a6a7c0df6274d34f01ac02fd17cce",
        "final.csv": "522f8767eb1e1b12c7ffd6650e634efbba5bd8f358a0447dad4e193ae83bb840",
    }),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", PINNED)
def test_short_runs_of_shipped_scenarios_give_the_pinned_results(tmp_path, name):
    extra, expected = PINNED[name]
    out = tmp_path / "out"
    assert main(["run", str(SCENARIOS / name), *QUICK, *extra, "--out", str(out)]) == 0
    assert {table: sha256(out / table) for table in expected} == expected
