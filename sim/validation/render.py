"""The report as Markdown: a summary of the method and verdict, then a table for each check."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sim.validation.results import (
    CONFIRMATION_FACTOR,
    Budget,
    CheckResult,
    Quantity,
    confirmed,
    simultaneous_level,
)
from sim.validation.theory import mean_ci


def number_text(value: float) -> str:
    """`value` to about four significant figures, with thousands separators."""
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


def interval_text(samples: Sequence[float]) -> str:
    """The mean of `samples` with its 95% interval, as "mean (low to high)"."""
    mean, low, high = mean_ci(samples)
    return f"{number_text(mean)} ({number_text(low)} to {number_text(high)})"


@dataclass(frozen=True)
class Provenance:
    """Where and how a report was generated."""

    commit: str
    date: str
    command: str
    seed: int
    budget: Budget


def render(results: Sequence[CheckResult], provenance: Provenance,
           confirmations: Mapping[str, CheckResult] | None = None) -> str:
    """The report as Markdown; `confirmations` are re-runs of checks with a miss, by name."""
    confirmations = confirmations or {}
    total = sum(len(r.quantities) for r in results)
    own = sum(q.inside() for r in results for q in r.quantities)
    joint = simultaneous_level(results)
    together = sum(q.inside(joint) for r in results for q in r.quantities)
    seeds = (f"({provenance.budget.label} version: root seed {provenance.seed}; each check's "
             "replications have a root seed of their own derived from it.)")
    method = ("Each check builds a scenario in which theory knows the answer, runs independent "
              "replications (each with its own random streams) and takes one statistic per "
              "replication: a time average over the samples after the warm-up, or a mean over "
              "the events of the run. The simulated value is the mean over replications with "
              "its t interval over replications. A correct model misses a 95% interval one time "
              f"in twenty by chance, about one of these {total} quantities a run, so a quantity "
              "passes when the theoretical value lies inside its *simultaneous* 95% interval "
              f"(Bonferroni: each at {100 * joint:.2f}%), which a correct model meets for all "
              f"{total} together at least 95% of the time. A quantity outside its own 95% "
              "interval has its check re-run on independent random numbers with "
              f"{CONFIRMATION_FACTOR} times the replications, shown below the check: a real "
              "bias of the size seen would stand out more clearly there.")
    verdict = ("all lie" if together == total else f"**only {together} lie**")
    summary = (f"**Of {total} quantities, {verdict} inside their simultaneous 95% intervals**; "
               f"{own} of {total} lie inside their own 95% intervals.")
    reruns = [(r, confirmations[r.name]) for r in results if r.name in confirmations]
    if reruns:
        held = sum(confirmed(r, c) for r, c in reruns)
        summary += (f" Re-run on independent random numbers, {held} of {len(reruns)} "
                    "checks with a miss show every missed quantity inside its own 95% interval.")
    lines = ["# Validation: the model against queueing and renewal theory", "",
             f"Generated from commit `{provenance.commit}` on {provenance.date} by", "",
             f"```\n{provenance.command}\n```", "", seeds, "", method, "", summary, ""]
    for number, result in enumerate(results, 1):
        lines += _render_check(number, result, joint, confirmations.get(result.name))
    return "\n".join(lines).rstrip() + "\n"


def _verdict(quantity: Quantity, joint: float) -> str:
    if not quantity.inside(joint):
        return "**no**"
    return "yes" if quantity.inside() else "yes (not its own 95%)"


def _table(quantities: Sequence[Quantity], joint: float) -> list[str]:
    header = (f"| quantity | simulated | 95% interval | simultaneous ({100 * joint:.2f}%) "
              "| theory | inside |")
    lines = [header, "|---|---:|---:|---:|---:|:---:|"]
    for q in quantities:
        (low, high), (jlow, jhigh) = q.interval(), q.interval(joint)
        cells = (q.label, number_text(q.mean), f"{number_text(low)} to {number_text(high)}",
                 f"{number_text(jlow)} to {number_text(jhigh)}", number_text(q.theory),
                 _verdict(q, joint))
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def _render_check(number: int, result: CheckResult, joint: float,
                  confirmation: CheckResult | None) -> list[str]:
    lines = [f"## {number}. {result.title}", "", f"**What it validates.** {result.validates}", "",
             f"**Set-up.** {result.setup} {result.reps} replications.", "",
             *_table(result.quantities, joint)]
    notes = [f"- {q.label}: {q.note}" for q in result.quantities if q.note]
    if notes:
        lines += ["", "Means with their 95% intervals:", *notes]
    if confirmation is not None:
        missed = ", ".join(q.label for q in result.misses())
        outcome = ("inside its own 95% interval" if confirmed(result, confirmation) else
                   "**still outside its own 95% interval**")
        rerun = (f"**Re-run.** Outside its own 95% interval above: {missed}. The same check "
                 f"on independent random numbers, {confirmation.reps} replications: {outcome}.")
        lines += ["", rerun, "", *_table(confirmation.quantities, joint)]
    return [*lines, ""]
