"""The list of checks, run in order and timed, and the re-run of each check with a miss."""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sim.validation.checks import (
    check_erlang_c,
    check_little,
    check_mginf,
    check_post_split,
    check_renewal,
    check_seed,
)
from sim.validation.ciw_check import check_ciw
from sim.validation.results import CONFIRMATION_FACTOR, Budget, CheckResult

Check = Callable[[Budget, int], CheckResult]
CHECKS: tuple[Check, ...] = (check_erlang_c, check_little, check_mginf, check_renewal,
                             check_post_split, check_ciw)


def run_checks(budget: Budget, seed: int, checks: Sequence[Check] | None = None,
               progress: Callable[[str], None] | None = None) -> list[CheckResult]:
    """Each check (default: every check in CHECKS), in order, each timed."""
    results = []
    for check in CHECKS if checks is None else checks:
        began = time.perf_counter()
        result = check(budget, seed)
        result = CheckResult(**{**result.__dict__, "seconds": time.perf_counter() - began})
        results.append(result)
        if progress is not None:
            verdict = ("pass" if result.passed else
                       f"{len(result.misses())} outside its own 95% interval")
            progress(f"{result.name}: {verdict} ({result.seconds:.1f} s)")
    return results


def confirm_misses(results: Sequence[CheckResult], budget: Budget, seed: int,
                   checks: Sequence[Check] | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, CheckResult]:
    """Re-run, on independent random numbers with CONFIRMATION_FACTOR times the replications,
    each check (of `checks`, default CHECKS, which gave `results` in order) with a quantity
    outside its own 95% interval; by check name."""
    missed = [check for check, result in zip(CHECKS if checks is None else checks, results,
                                             strict=True) if not result.passed]
    reruns = run_checks(budget.more(CONFIRMATION_FACTOR), check_seed(seed, "confirmation"),
                        missed, progress)
    return {r.name: r for r in reruns}
