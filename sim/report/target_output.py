"""What `caseload target` writes and prints: target.csv, run.json and the answer in a few lines."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.comparison import paired_stats
from sim.runner.files import atomic_path
from sim.analysis.financial_years import by_financial_year, financial_year_spans
from sim.analysis.headline import pounds
from sim.model.metrics import COST_METRICS
from sim.runner.provenance import now_utc, scenario_hash, scenario_record, software, write_run_json
from sim.analysis.tables import sample_dates
from sim.experiments.target import Candidate, TargetResult

TARGET_COLUMNS = ("extra_posts", "probability", "ci_low", "ci_high", "reps", "successes",
                  "decision")


def target_table(result: TargetResult) -> pd.DataFrame:
    """target.csv: one row per candidate evaluated, by number of extra posts."""
    rows = [(c.posts, c.probability, c.ci_low, c.ci_high, c.reps, c.successes, c.decision)
            for c in sorted(result.candidates, key=lambda c: c.posts)]
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS))


def _total_cost(candidate: Candidate, reps: int) -> np.ndarray:
    """£ in each period (all cost metrics summed): an array (reps, samples)."""
    name = candidate.scenario.name
    return sum(np.nan_to_num(candidate.store.metric_values(name, metric, reps))
               for metric in COST_METRICS)


def cost_by_financial_year(result: TargetResult) -> list[dict]:
    """The answer's cost (£: pay, agency, recruitment and placements) in each financial year from
    the start to the target's time, and the extra over no extra posts: the mean paired
    difference over the replications both ran, with its 95% CI. [] without an answer."""
    answer, none = result.answer, result.by_posts.get(0)
    if answer is None or none is None:
        return []
    reps = min(answer.reps, none.reps)
    days = answer.store.days(answer.scenario.name)
    start = result.scenario.start
    cost = by_financial_year(_total_cost(answer, reps), days, start)
    baseline = by_financial_year(_total_cost(none, reps), days, start)
    extra = paired_stats(cost.to_numpy(), baseline.to_numpy())
    spans = financial_year_spans(days, start)
    return [{"financial_year": year, "first_sample": spans.loc[year, "first"],
             "last_sample": spans.loc[year, "last"], "cost": round(float(cost[year].mean()), 2),
             "extra_cost": round(float(extra["mean_diff"][i]), 2),
             "extra_ci_low": _rounded(extra["ci_low"][i]),
             "extra_ci_high": _rounded(extra["ci_high"][i]), "reps": reps}
            for i, year in enumerate(cost.columns)]


def _rounded(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 2)


def answer_record(result: TargetResult) -> dict:
    """run.json's `answer`."""
    low, high = result.posts_range
    record = {"posts_range": {"low": low, "high": high},
              "cost_by_financial_year": cost_by_financial_year(result)}
    answer = result.answer
    if answer is None:
        return {"extra_posts": None, "probability": None, "ci_low": None, "ci_high": None,
                "reps": None, "decision": f"not met with up to {result.max_posts} extra posts",
                **record}
    return {"extra_posts": answer.posts, "probability": answer.probability,
            "ci_low": answer.ci_low, "ci_high": answer.ci_high, "reps": answer.reps,
            "decision": answer.decision, **record}


def run_record(result: TargetResult, command: str | None = None) -> dict:
    """run.json of a target search."""
    versions = software()
    sample = result.candidates[0]
    sample_date = str(sample_dates(result.scenario.start, np.array([sample.sample_day]))[0])
    return {
        "status": "complete",
        "command": command,
        "version": versions["caseload"],
        "started": result.started,
        "finished": now_utc(),
        "root_seed": result.seed,
        "replications": result.replications,
        "wall_seconds": round(result.wall_seconds, 3),
        "events": result.events,
        "target": result.target.record() | {"sample_day": sample.sample_day,
                                             "sample_date": sample_date},
        "answer": answer_record(result),
        "search": {
            "method": "bracketing by doubling from 0, then bisection; common random numbers",
            "interval": "Clopper-Pearson",
            "confidence": result.confidence,
            "look_confidence": round(result.look_level, 6),
            "looks": result.looks,
            "reps_per_candidate_max": result.reps,
            "max_posts": result.max_posts,
        },
        "candidates": [{"extra_posts": c.posts, "name": c.scenario.name,
                        "hash": scenario_hash(c.scenario), "reps": c.reps}
                       for c in result.candidates],
        "scenarios": [scenario_record(result.scenario)],
        "executor": result.executor,
        "workers": result.workers,
        "metric_names": list(result.candidates[0].store.manifest.metric_names),
        "software": versions,
    }


def write_target(result: TargetResult, out: Path, command: str | None = None) -> None:
    """target.csv and run.json in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    with atomic_path(out / "target.csv") as temp:
        target_table(result).to_csv(temp, index=False)
    write_run_json(out / "run.json", run_record(result, command))


def candidate_line(candidate: Candidate) -> str:
    """One evaluated candidate, as printed while the search runs."""
    return (f"  {candidate.posts:>5} extra posts: P = {candidate.probability:.2f} "
            f"({candidate.ci_low:.2f} to {candidate.ci_high:.2f}), {candidate.reps} reps: "
            f"{candidate.decision}")


def target_lines(result: TargetResult) -> list[str]:
    """The answer, its uncertainty, the replications and time spent, and its cost by year."""
    target, answer = result.target, result.answer
    low, high = result.posts_range
    level = f"{100 * result.confidence:g}%"
    lines = [f"{result.scenario.name}: {target}"]
    if answer is None:
        lines.append(f"  not met with up to {result.max_posts} extra posts")
    else:
        lines.append(f"  answer: {answer.posts} extra posts; P = {answer.probability:.2f} "
                     f"({level} interval {answer.ci_low:.2f} to {answer.ci_high:.2f}, "
                     f"{answer.reps} replications, {answer.decision})")
    if high is not None:
        lines.append(f"  with {level} confidence the answer lies between {low} and {high} posts")
    else:
        lines.append(f"  with {level} confidence the answer is at least {low} posts; no candidate "
                     f"was surely above P within {result.reps} replications (more --reps would "
                     f"close the range)")
    lines.append(f"  {result.replications} replications over {len(result.candidates)} "
                 f"candidates in {result.wall_seconds:.1f} s ({result.workers} "
                 f"{'worker' if result.workers == 1 else 'workers'})")
    years = cost_by_financial_year(result)
    if years:
        lines.append(f"  cost by financial year (pay, agency, recruitment, placements; to "
                     f"{years[-1]['last_sample']}), mean and extra over no extra posts:")
    for year in years:
        interval = ("" if year["extra_ci_low"] is None else
                    f" (95% CI {pounds(year['extra_ci_low'])} to {pounds(year['extra_ci_high'])})")
        lines.append(f"    {year['financial_year']}  {pounds(year['cost']):>8}   extra "
                     f"{pounds(year['extra_cost'])}{interval}")
    return lines
