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
        "summary.csv": "7e81fafcab63c3d275a970fb655397b6325a824b8621c3605c3290b64db3b6a9",
        "final.csv": "167790a9986559b640813f7f972fbbfe1f65c516d3f547bf74059e7fcf154db0",
    }),
    "manchester-2016-plan.toml": ((), {
        "summary.csv": "69ddc5473b765a57df16733f09495f9393c5543647dd6ccf7693147e744ebb4c",
        "final.csv": "1724e780b6edff2224aec5b5b55dc6adc31d5851d5e16153eef3050ddef8ea6e",
    }),
    "dorset-2017-plan.toml": ((), {
        "summary.csv": "1037dd4837d3c87762a077180fb5e2f1a44a6b989a9295a96b3f18a543396906",
        "final.csv": "45e1d907a3e3e196506b5ae112c923a9f3d9e7f3cf05c1a53d825ad5bd5bcc3b",
    }),
    "manchester-2016-no-plan.toml": (HARD_CAP, {
        "summary.csv": "563d33fe69e5b9e2f28a3a6ea5c07fe7d71c49e73b8bb2d7083ad07245e0d618",
        "final.csv": "021ad8b4562e6ec1c91be2f3624ee6f518057867ea7339f7e5b1a7a067e38da3",
    }),
    "liverpool-2019-no-plan.toml": (LOOPS, {
        "summary.csv": "c9388474870dd16fbc18705d754749bfe7ee6aff8e15ca935e750a915068041c",
        "final.csv": "c13d46693c3da9141f814ab4f38f8b897e9f56bc7eb39cf1c8500494c8620550",
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
