"""Results pinned by hash: summary.csv and final.csv of short runs of shipped scenarios.

A regression pin, not a validation: the hashes were computed from the model's own output on the
commit that introduced them, so they say nothing about whether the results are right (the theory,
invariant and validation tests do that). They make any change to results a deliberate one: a
change that should leave results alone (a speed-up, a restructure) must keep every hash; a change
that alters results on purpose updates the hashes in the same commit and says why.

The runs cover a council baseline, a plan with dated policy actions, a hard cap with the
`cla_escalation` effect (stages that depend on their worker), and re-referrals with a caseload
effect and plans long enough to go past a case's pre-drawn stages.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sim.cli.main import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
QUICK = ("--reps", "3", "--workers", "1", "--set", "years=1", "--no-figures", "--quiet")
LOOPS = ("--set", "demand.rereferral.share=0.2", "--set", "demand.rereferral.caseload_effect=0.5",
         "--set", "demand.cp.next={cp = 0.6, cin = 0.2, close = 0.2}")

PINNED = {
    "councils/wakefield-2018.toml": ((), {
        "summary.csv": "73c3c49a0559d550e6217f7e58cc42631e9e42df933ff293fe532ecbd8f4b9b4",
        "final.csv": "81f7b4b248cad3bca565af94be723afb272c83d60ab59979801ef4290bf257f8",
    }),
    "manchester-2016-plan.toml": ((), {
        "summary.csv": "365a57f66adc0e017554b770571065194b0395c834ec0598433b864672a18eec",
        "final.csv": "781eadf81a46eafec8458fe458ee1e18ab268ee9d398b5caaa7e00793bb9edb5",
    }),
    "dorset-2017-plan.toml": ((), {
        "summary.csv": "c1177c232e1273b05cfbcb5b668eb1818bfaa052089b17e4b60bf00d707f74a1",
        "final.csv": "01badae3ef1afc51eede2539ac3c74a96804a67fd42f93e1a66cb014b987c720",
    }),
    "liverpool-2019-no-plan.toml": (LOOPS, {
        "summary.csv": "4da74fa99e4eb6a17b87b598fe851189dd865c590a3a1cd3daf433308bb2ee4d",
        "final.csv": "b6142fd4581475aaf8fc2b1f1254e83a72bf63c4e1eb6d0b54d912947ec41a2d",
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
