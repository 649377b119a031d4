"""The quick version of every theory check of `sim.validation` agrees with theory.

A correct model misses a 95% interval one time in twenty, so with about twenty quantities a fixed
seed fails some 95% interval about every second time the model's random streams change. The tests
therefore hold each quantity to its simultaneous 95% interval (Bonferroni over all quantities): a
correct model then fails this suite about one time in twenty changes, a biased one still fails.
`docs/validation.md` (the full version) uses the same rule and also shows the plain 95% intervals.
"""
from __future__ import annotations

import math

import pytest

from sim.validation import suite
from sim.validation.__main__ import main
from sim.validation.render import Provenance, render
from sim.validation.results import QUICK, CheckResult, Quantity, report_passes, simultaneous_level
from sim.validation.suite import confirm_misses, run_checks
from sim.validation.theory import (
    erlang_c_queue,
    expected_visits,
    pathway_stock,
    post_split,
    renewal_share,
)

SEED = 20160701
NAMES = ("erlang-c", "little", "mginf", "renewal", "split", "ciw")


@pytest.fixture(scope="module")
def quick_results() -> dict[str, CheckResult]:
    return {result.name: result for result in run_checks(QUICK, SEED)}


def test_every_check_has_a_quick_test():
    assert len(suite.CHECKS) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_quick_check_agrees_with_theory(quick_results, name):
    level = simultaneous_level(list(quick_results.values()))
    result = quick_results[name]
    assert result.quantities
    for quantity in result.quantities:
        low, high = quantity.interval(level)
        assert low <= quantity.theory <= high, (
            f"{name}: {quantity.label}: simulated {quantity.mean:.5g}, {100 * level:.2f}% "
            f"interval {low:.5g} to {high:.5g}, theory {quantity.theory:.5g}")


# --- the formulas -------------------------------------------------------------------------------

def test_erlang_c_with_one_server_is_the_mm1_queue():
    rho = 0.7
    queue, wait = erlang_c_queue(1, rho, 1.0)
    assert queue == pytest.approx(rho**2 / (1 - rho))
    assert wait == pytest.approx(queue / rho)


def test_erlang_c_refuses_an_unstable_queue():
    with pytest.raises(ValueError, match="no steady state"):
        erlang_c_queue(2, 2.0, 1.0)


def test_expected_visits_count_loops_between_plans():
    # cin -> cp with probability 0.5, cp -> cin always after that: cin visited 1 + 0.5 + ...
    visits = expected_visits({"cin": 1.0}, {"cin": {"cp": 0.5, "close": 0.5},
                                            "cp": {"cin": 0.5, "close": 0.5}, "cla": {}})
    assert visits["cin"] == pytest.approx(1 / (1 - 0.25))
    assert visits["cp"] == pytest.approx(0.5 / (1 - 0.25))
    assert visits["cla"] == 0


def test_pathway_stock_is_littles_law_by_stage():
    stock = pathway_stock(2.0, {"assessment": 10.0, "cin": 100.0, "cp": 50.0, "cla": 400.0},
                          {"close": 0.5, "cla": 0.5}, {"cin": {}, "cp": {}, "cla": {"close": 1}})
    assert stock == pytest.approx({"assessment": 20.0, "cin": 0.0, "cp": 0.0, "cla": 400.0})


def test_post_split_without_notice_or_agency_is_the_renewal_formula():
    split = post_split(0.25, 200.0, 0.0, 14.0, 0.0)
    stay = 365.25 / 0.25
    assert split["permanent"] == pytest.approx(stay / (stay + 200))
    assert split["permanent"] + split["vacant"] == pytest.approx(1.0)
    assert split["agency"] == 0


def test_agency_covers_the_vacancy_after_notice_and_start_delay():
    split = post_split(0.25, 200.0, 30.0, 20.0, 0.5)
    cycle = 365.25 / 0.25 + 200
    assert split["agency"] == pytest.approx(0.5 * 150 / cycle)
    assert split["permanent"] == pytest.approx(renewal_share(0.25, 200.0, 30.0))
    assert post_split(0.25, 40.0, 30.0, 20.0, 1.0)["agency"] == 0  # filled before the agency


# --- the report ---------------------------------------------------------------------------------

def test_the_report_shows_each_check_with_its_interval_commit_and_command(quick_results):
    provenance = Provenance("abc1234", "2030-01-01", "python -m sim.validation --quick", SEED,
                            QUICK)
    text = render(list(quick_results.values()), provenance)
    assert "`abc1234`" in text and "2030-01-01" in text
    assert "python -m sim.validation --quick" in text
    for result in quick_results.values():
        assert result.title in text
        for quantity in result.quantities:
            assert f"| {quantity.label} |" in text


def test_a_quantity_outside_its_interval_is_reported_as_a_miss():
    miss = Quantity("made up", (1.0, 1.1, 0.9, 1.05), theory=2.0)
    hit = Quantity("made up too", (1.0, 1.1, 0.9, 1.05), theory=1.0)
    result = CheckResult("x", "A made-up check", "nothing", "none", 4, (miss, hit))
    assert not result.passed and not miss.inside() and hit.inside()
    text = render([result], Provenance("abc", "2030-01-01", "cmd", 1, QUICK))
    assert "**no**" in text and "1 of 2 lie inside their own 95% intervals" in text
    assert "**only 1 lie** inside their simultaneous" in text
    assert math.isfinite(simultaneous_level([result]))


def _near(theory: float, label: str = "near") -> Quantity:
    """Mean 1 with standard error 0.02 over 10 replications: 1.06 is outside its own 95%
    interval (half-width about 0.05) but inside a 99.75% one (about 0.08)."""
    return Quantity(label, tuple(1.0 + 0.1 * (i / 4.5 - 1.0) for i in range(10)), theory)


def _twenty(first_theory: float, reps: int = 10) -> CheckResult:
    quantities = (_near(first_theory), *(_near(1.0, f"fine {i}") for i in range(19)))
    return CheckResult("twenty", "Twenty quantities", "nothing", "none", reps, quantities)


def test_a_quantity_outside_its_own_interval_but_inside_the_simultaneous_one_passes():
    result = _twenty(1.06)
    assert not result.passed and result.misses() == [result.quantities[0]]
    text = render([result], Provenance("abc", "2030-01-01", "cmd", 1, QUICK))
    assert "| near |" in text and "yes (not its own 95%)" in text
    assert "all lie inside their simultaneous 95% intervals" in text
    assert "19 of 20 lie inside their own 95% intervals" in text


@pytest.mark.parametrize("rerun_theory, holds", [(1.0, True), (1.06, False)])
def test_a_miss_is_re_run_on_other_seeds_with_four_times_the_replications(rerun_theory, holds):
    calls = []

    def check(budget, seed):
        calls.append((budget.reps, seed))
        return _twenty(1.06 if len(calls) == 1 else rerun_theory, budget.reps)

    results = run_checks(QUICK, SEED, (check,))
    confirmations = confirm_misses(results, QUICK, SEED, (check,))
    assert calls[1][0] == 4 * calls[0][0] and calls[1][1] != calls[0][1]
    assert confirmations["twenty"].reps == 4 * QUICK.reps
    assert report_passes(results, confirmations) is holds
    text = render(results, Provenance("abc", "2030-01-01", "cmd", 1, QUICK), confirmations)
    again = "replications: inside its own 95% interval" if holds else "**still outside its own"
    assert "**Re-run.** Outside its own 95% interval above: near." in text and again in text


def test_checks_without_a_miss_are_not_re_run():
    def check(budget, seed):
        return _twenty(1.0, budget.reps)

    results = run_checks(QUICK, SEED, (check,))
    assert confirm_misses(results, QUICK, SEED, (check,)) == {}
    assert report_passes(results, {})


def _made_up_check(budget, seed) -> CheckResult:
    quantity = Quantity("a made-up mean", (0.9, 1.1, 1.0, 1.05, 0.95), theory=1.0)
    return CheckResult("made-up", "A made-up check", "the command line", "none", budget.reps,
                       (quantity,))


def test_the_command_writes_the_report_with_its_command_and_commit(tmp_path, monkeypatch,
                                                                  capsys):
    monkeypatch.setattr(suite, "CHECKS", (_made_up_check,))
    out = tmp_path / "validation.md"
    assert main(["--quick", "--out", str(out), "--workers", "1"]) == 0
    text = out.read_text(encoding="utf-8")
    assert "python -m sim.validation --quick --out" in text
    assert "Generated from commit `" in text and "A made-up check" in text
    assert "made-up: pass" in capsys.readouterr().err
