"""Monte Carlo at scale: 2-worker speed-up, the parent's peak memory, and what common random
numbers buy.

Usage: python benchmarks/bench_scale.py [--speed-reps N] [--speed-rounds N] [--crn-reps N]
                                         [--skip speed,memory,crn]

Prints:
- speed-up of 2 local worker processes over 1 (in-process) on the Manchester plan (5 years),
  pool start-up included, timed in alternation over a few rounds (median reported);
- peak memory (resident set high-water mark) of the parent process for 200 and for 2,000
  replications written to a results folder, each in a fresh process, with a cheap stand-in
  replication that returns arrays of the Manchester plan's shape (262 weekly samples x every
  metric), so only the batch machinery (store, streaming tables, figures) is measured;
- the width of the 95% CI of the year-3 caseload_mean difference (Manchester plan minus no plan)
  with independent random numbers divided by its width with common random numbers, with an
  interval for that ratio (it is itself an estimate from a few dozen replications), the ceiling
  that the demand-driven part of the difference puts on it, and the same for the plan's added posts
  without its agency caps, and for the plan with uncertain values both scenarios share
  (`SHARED_UNCERTAIN`: common random numbers must still pair them).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim, not an installed copy

import sim
from sim.model.metrics import METRIC_INDEX, METRIC_NAMES
from sim.model.replication import Replication
from sim.analysis.tables import year_end_samples

ROOT = Path(__file__).resolve().parents[1]
PLAN = ROOT / "scenarios" / "manchester-2016-plan.toml"
BASELINE = ROOT / "scenarios" / "councils" / "manchester-2016.toml"


def cheap_replication(scenario, rep: int, root_seed: int) -> Replication:
    """Noise of the model's output shape: samples every report_every_days over the horizon."""
    days = np.arange(0.0, float(scenario.years) * 365.25 + 1e-9, scenario.report_every_days)
    rng = np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(rep,)))
    values = rng.gamma(4.0, 5.0, size=(len(days), len(METRIC_NAMES)))
    values[:, METRIC_INDEX["caseload_mean"]] = 24 - 6 * days / days[-1] + rng.normal(0, 1, len(days))
    return Replication(rep=rep, days=days, values=values, events=1)


def speed_up(reps: int, rounds: int) -> None:
    """Time 1 worker and 2 workers in alternation, `rounds` times: on a shared machine other jobs
    come and go, so one pair of timings can mislead; the median of the rounds is the figure."""
    scenario = sim.load_scenario(PLAN)
    sim.run(scenario, reps=1, seed=1, workers=1)  # imports and caches, outside the timings
    ratios = []
    for round_ in range(1, rounds + 1):
        seconds = {}
        for workers in (1, 2):
            began = time.perf_counter()
            sim.run(scenario, reps=reps, seed=1, workers=workers)
            seconds[workers] = time.perf_counter() - began
        ratios.append(seconds[1] / seconds[2])
        print(f"speed-up round {round_}, {reps} replications of {scenario.name} "
              f"({scenario.years:g} years): 1 worker {seconds[1]:.1f} s, "
              f"2 workers {seconds[2]:.1f} s (pool start-up included), "
              f"speed-up {ratios[-1]:.2f}")
    print(f"speed-up with 2 workers, median of {rounds} rounds: {np.median(ratios):.2f}")


def memory_child(reps: int) -> None:
    """In a fresh process: a batch of `reps` cheap replications into a folder; print max RSS."""
    scenario = sim.load_scenario(PLAN)
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        sim.run(scenario, reps=reps, seed=1, workers=2, out=Path(folder) / "results",
                replicate=cheap_replication)
        seconds = time.perf_counter() - began
    print(json.dumps({"reps": reps, "peak_mib": peak_resident_mib(), "seconds": seconds}))


def peak_resident_mib() -> float:
    """This process's peak resident set (MiB): Linux's VmHWM, else ru_maxrss. Not ru_maxrss on
    Linux: it keeps the high-water mark of the process that forked this one across exec, so a
    child of a large benchmark process would report the parent's size."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_memory() -> None:
    peaks = {}
    for reps in (200, 2000):
        output = subprocess.run([sys.executable, __file__, "--memory-child", str(reps)],
                                check=True, capture_output=True, text=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        peaks[reps] = result["peak_mib"]
        print(f"parent peak memory, {reps:,} replications (5-year shape, to a folder): "
              f"{result['peak_mib']:.0f} MiB ({result['seconds']:.0f} s)")
    print(f"ratio 2,000 / 200: {peaks[2000] / peaks[200]:.2f}")


SHARED_UNCERTAIN = {
    "workforce.turnover.annual_rate": {"dist": "uniform", "low": 0.12, "high": 0.18},
    "demand.growth_per_year": {"dist": "uniform", "low": -0.05, "high": 0.10},
}
"""Illustrative ranges (turnover 12-18% a year around Manchester's 14%; referral growth -5% to +10%
a year) for issue 18's check that common random numbers still pair scenarios with uncertain values."""


def crn_ratios(reps: int) -> None:
    """The plan as it is, then its added posts alone: its agency caps make which vacancies get
    cover differ between the scenarios in ways no sharing of random numbers can line up."""
    overrides = {"years": 3}
    baseline, plan = sim.load_scenario(BASELINE, overrides), sim.load_scenario(PLAN, overrides)
    print(f"{plan.name} against {baseline.name}:")
    crn_ratio([baseline, plan], reps)
    posts_only = plan.model_copy(update={
        "name": f"{plan.name}-posts-only",
        "policy": [action for action in plan.policy if action.do != "set_agency"]})
    print(f"{posts_only.name} (the plan without its agency caps) against {baseline.name}:")
    crn_ratio([baseline, posts_only], reps)
    shared = {**overrides, **SHARED_UNCERTAIN}
    print(f"{plan.name} against {baseline.name}, both with the uncertain values {SHARED_UNCERTAIN}"
          " (each replication draws them once, the same in both scenarios):")
    crn_ratio([sim.load_scenario(BASELINE, shared), sim.load_scenario(PLAN, shared)], reps)


def crn_ratio(scenarios: list, reps: int) -> None:
    widths, sds = {}, {}
    for independent in (False, True):
        result = sim.compare(scenarios, reps=reps, seed=1, independent=independent,
                             report=lambda message: None)
        differences = result.differences()
        row = differences[(differences.metric == "caseload_mean") & (differences.year == 3)].iloc[0]
        widths[independent] = row["ci_high"] - row["ci_low"]
        sds[independent] = year_3_differences(result, scenarios).std(ddof=1)
        label = "independent" if independent else "common"
        print(f"year-3 caseload_mean difference, {label} random numbers, {reps} replications: "
              f"{row['mean_diff']:+.3f} (95% CI {row['ci_low']:+.3f} to {row['ci_high']:+.3f}, "
              f"width {widths[independent]:.3f})")
        if not independent:
            demand_sd = demand_driven_sd(result, scenarios)
    ratio = widths[True] / widths[False]
    low, high = width_ratio_interval(ratio, reps)
    print(f"CI width ratio independent / common random numbers: {ratio:.1f} "
          f"(approximate 95% interval {low:.1f} to {high:.1f}, {reps} replications each)")
    print(f"  of the paired difference's sd {sds[False]:.3f}, {demand_sd:.3f} follows the open "
          f"cases, which common random numbers already make identical in each pair; no coupling "
          f"of the two scenarios' random numbers can remove that part, so the ratio cannot exceed "
          f"about {sds[True] / demand_sd:.1f} here")


def year_3_position(result, scenario) -> int:
    """Index of the sample closing year 3, picked by the rule comparison.csv uses."""
    days = result.days(scenario.name)
    ends = year_end_samples(pd.DataFrame({"scenario": scenario.name, "day": days}),
                            {scenario.name: 3.0})
    return int(np.flatnonzero(days == ends.loc[ends["year"] == 3, "day"].item())[0])


def year_3_differences(result, scenarios) -> np.ndarray:
    """Plan minus baseline year-3 caseload_mean, one per replication (paired by index)."""
    base, plan = scenarios
    return (result.values(plan.name, "caseload_mean")[:, year_3_position(result, plan)]
            - result.values(base.name, "caseload_mean")[:, year_3_position(result, base)])


def demand_driven_sd(result, scenarios) -> float:
    """The sd of the part of the paired difference that is a linear function of the year-3 open
    cases: the plan lowers the mean caseload by an amount that grows with the cases to share."""
    base = scenarios[0]
    cases = result.values(base.name, "open_cases")[:, year_3_position(result, base)]
    slope = np.polyfit(cases, year_3_differences(result, scenarios), 1)[0]
    return abs(slope) * cases.std(ddof=1)


def width_ratio_interval(ratio: float, reps: int, level: float = 0.95) -> tuple[float, float]:
    """Interval for the ratio of two standard deviations, each from `reps` replications, given
    their sample ratio (F distribution; approximate, as the two designs share some seeds)."""
    from scipy import stats  # here, not at the top: worker processes re-import this module

    tail = (1 - level) / 2
    f_low, f_high = stats.f.ppf([tail, 1 - tail], reps - 1, reps - 1)
    return ratio / np.sqrt(f_high), ratio / np.sqrt(f_low)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-reps", type=int, default=16)
    parser.add_argument("--speed-rounds", type=int, default=3)
    parser.add_argument("--crn-reps", type=int, default=30)
    parser.add_argument("--skip", default="", help="comma-separated: speed, memory, crn")
    parser.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child is not None:
        memory_child(args.memory_child)
        return
    skip = set(filter(None, args.skip.split(",")))
    if "speed" not in skip:
        speed_up(args.speed_reps, args.speed_rounds)
    if "memory" not in skip:
        peak_memory()
    if "crn" not in skip:
        crn_ratios(args.crn_reps)


if __name__ == "__main__":
    main()
