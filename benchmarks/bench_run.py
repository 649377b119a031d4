"""Seconds per replication of a scenario, and the same normalised by a bare SimPy M/M/c.

Usage: python benchmarks/bench_run.py [SCENARIO.toml] [--rounds N] [--set KEY=VALUE ...]
The machine may be shared and noisy, so both are measured in the same run, in CPU time, in
interleaved rounds (one replication, then the bare M/M/c), and the medians are printed. The
normalised figure is seconds x (bare SimPy events per second) / 400,000: the seconds a replication
would take on a machine where the textbook SimPy M/M/c runs 400,000 events a second (issue 19's
target for Manchester: at most 0.5). `--set warmup_days=0` times the plan's five years without the
council's one-year warm-up.
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's sim, not an installed copy

from sim.model.council import Council, run_replication
from sim.scenario.loading import load_scenario, parse_set_option

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "manchester-2016-plan.toml"
REFERENCE_EVENTS_PER_SECOND = 400_000
BARE_EVENTS = 150_000


def bare_mmc(target_events: int, servers: int = 20, seed: int = 1) -> tuple[int, float]:
    """A textbook SimPy M/M/c (a process per customer, a Resource) run to about `target_events`;
    returns the events processed and the CPU seconds they took."""
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    arrival_rate, service_rate = 0.9 * servers, 1.0

    def customer():
        with desk.request() as request:
            yield request
            yield env.timeout(rng.expovariate(service_rate))

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(arrival_rate))
            env.process(customer())

    env.process(arrivals())
    horizon = target_events / (7 * arrival_rate)  # about 7 events per customer
    events = 0
    step, peek = env.step, env.peek
    began = time.process_time()
    while peek() <= horizon:
        step()
        events += 1
    return events, time.process_time() - began


def kernel() -> str:
    """Which case kernel this checkout runs: compiled modules built in place, or pure Python."""
    import importlib.machinery
    from sim.model import pathway

    if pathway.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        return "compiled (built in place)"
    return ("pure Python (to time the compiled kernel, build it first: python setup.py build_ext "
            "--inplace; docs/compiled.md)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved rounds of one replication and one bare M/M/c")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a scenario key, as caseload --set")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, dict(map(parse_set_option, args.overrides)))
    run_replication(scenario, 999, 1)  # warm imports and caches
    bare_mmc(BARE_EVENTS // 10)
    gc.collect()
    seconds, bare_rates, normalised, events = [], [], [], []
    for rep in range(args.rounds):
        began = time.process_time()
        replication = run_replication(scenario, rep, 1)
        gc.collect()  # what the replication left to the cyclic collector is part of its cost
        seconds.append(time.process_time() - began)
        events.append(replication.events)
        bare_events, bare_seconds = bare_mmc(BARE_EVENTS)
        gc.collect()
        bare_rates.append(bare_events / bare_seconds)
        normalised.append(seconds[-1] * bare_rates[-1] / REFERENCE_EVENTS_PER_SECOND)
    arrivals = Council(scenario, 0, 1).referrals.to_allocate.size
    print(f"scenario: {scenario.name} ({scenario.years:g} years after a warm-up of "
          f"{scenario.warmup_days:g} days), {args.rounds} rounds, CPU time, medians")
    print(f"case kernel: {kernel()}")
    print(f"seconds per replication: {statistics.median(seconds):.3f} "
          f"(rounds: {', '.join(f'{s:.3f}' for s in seconds)})")
    print(f"bare SimPy M/M/c events per second: {statistics.median(bare_rates):,.0f}")
    print(f"normalised seconds per replication (x bare events/s / "
          f"{REFERENCE_EVENTS_PER_SECOND:,}): {statistics.median(normalised):.3f} "
          f"(rounds: {', '.join(f'{n:.3f}' for n in normalised)})")
    print(f"model events per replication: {statistics.median(events):,.0f} (about {arrivals:,} "
          f"of them referral arrivals, taken by the run loop from their pre-drawn list; the rest "
          f"case events and SimPy's)")


if __name__ == "__main__":
    main()
