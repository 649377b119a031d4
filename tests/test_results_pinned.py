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
        "summary.csv": "199f714071aa44463aa3ef777932881a88362cb87f1b8a8e81877658c80525ed",
        "final.csv": "e9bbe1ef028031f67d6c7f4ab32111f0571258e495324a8abdfb20eb8e2b66d4",
    }),
    "manchester-2016-plan.toml": ((), {
        "summary.csv": "34036dc9c41a91c9606a26b238dd1f357f3c3bdc24fbab110923a8c3d74a270c",
        "final.csv": "b935def20ef787361e0d86cd8177fd8de8f5949be4179faac2eaabc8821c02db",
    }),
    "dorset-2017-plan.toml": ((), {
        "summary.csv": "3c709809fe3eed8aa4923b8373bd6453643becb3df0adaae1c65b5e1473967f9",
        "final.csv": "a8bf7aa7e7ea522a862d9fef5788a91780e7a9a389c29882e091b9294ca8cc6f",
    }),
    "manchester-2016-no-plan.toml": (HARD_CAP, {
        "summary.csv": "fc7e893896eaff41ea5334e81077468a8d876c834b6ad81ae0950b215886d9e0",
        "final.csv": "7c43729eb75693e96f8ac443166594d9d6f728bd4467ba0c514bd5d30e5fa9fa",
    }),
    "liverpool-2019-no-plan.toml": (LOOPS, {
        "summary.csv": "a1a43d8f061267acead80977d6e23d0b694e7940a367703942ce1766ce940193",
        "final.csv": "27731a8411b300aa8dd22abc8b34305f3253b16a98e06628e4433f5b6cb63aea",
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
