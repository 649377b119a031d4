"""Seconds per replication and events per second of a scenario, beside a bare SimPy M/M/c.

Usage: python benchmarks/bench_run.py [SCENARIO.toml] [--reps N] [--set KEY=VALUE ...]
Both are measured in the same run on one core, so their ratio is meaningful on a noisy machine.
Beside them, SimPy's own floor for this model: the model's number of SimPy events fired through a
queue as deep as the model's (about one pending event per allocated case and per post), by events
that do nothing but schedule the next one -- what SimPy alone costs before any model logic.
`--set warmup_days=0` times the plan's five years without the council's one-year warm-up.
"""
from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
import simpy

from sim.model.metrics import METRIC_INDEX
from sim.model.call import Call
from sim.model.council import Council, run_replication
from sim.scenario.loading import load_scenario, parse_set_option

DEFAULT = Path(__file__).resolve().parents[1] / "scenarios" / "manchester-2016-plan.toml"


def count_events(env: simpy.Environment, until: float) -> int:
    events = 0
    step, peek = env.step, env.peek
    while peek() <= until:
        step()
        events += 1
    return events


def bare_mmc(target_events: int, servers: int = 20, seed: int = 1) -> tuple[int, float]:
    """A textbook SimPy M/M/c (a process per customer, a Resource) run to about `target_events`."""
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
    began = time.perf_counter()
    events = count_events(env, horizon)
    return events, time.perf_counter() - began


def simpy_floor(events: int, depth: int, seed: int = 1) -> float:
    """Seconds SimPy needs to fire `events` of the model's own kind of event (`Call`) through a
    queue kept `depth` deep, when each event only schedules the next (no model logic)."""
    rng = random.Random(seed)
    env = simpy.Environment()

    def fire() -> None:
        Call(env, rng.expovariate(1.0 / depth), fire, ())

    for _ in range(depth):
        fire()
    step = env.step
    began = time.perf_counter()
    for _ in range(events):
        step()
    return time.perf_counter() - began


def pending_events(replication) -> int:
    """About how many events the model holds pending: one stage end per allocated case, one clock
    or campaign per post (the mean over the replication's samples)."""
    values = replication.values
    allocated = values[:, METRIC_INDEX["open_cases"]] - values[:, METRIC_INDEX["unallocated"]]
    return round(float(np.mean(allocated + values[:, METRIC_INDEX["establishment"]])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a scenario key, as caseload --set")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, dict(map(parse_set_option, args.overrides)))
    run_replication(scenario, 999, 1)  # warm imports and caches
    began = time.perf_counter()
    replications = [run_replication(scenario, rep, 1) for rep in range(args.reps)]
    seconds = time.perf_counter() - began
    events = sum(replication.events for replication in replications)
    model_rate = events / seconds
    bare_events, bare_seconds = bare_mmc(events // args.reps)
    bare_rate = bare_events / bare_seconds
    print(f"scenario: {scenario.name} ({scenario.years:g} years after a warm-up of "
          f"{scenario.warmup_days:g} days), {args.reps} replications, one core")
    print(f"seconds per replication: {seconds / args.reps:.3f}")
    arrivals = Council(scenario, 0, 1).referrals.to_allocate.size
    print(f"model events per replication: {events / args.reps:,.0f} (about {arrivals:,} of them "
          f"referral arrivals, taken by the run loop from their pre-drawn list; the rest SimPy's)")
    print(f"model events per second: {model_rate:,.0f}")
    print(f"bare SimPy M/M/c events per second: {bare_rate:,.0f} ({bare_events:,} events)")
    print(f"ratio model / bare: {model_rate / bare_rate:.2f}")
    depth = pending_events(replications[0])
    simpy_events = events // args.reps - arrivals
    floor = simpy_floor(simpy_events, depth)
    print(f"SimPy alone, {simpy_events:,} callback events through a queue {depth:,} deep: "
          f"{floor:.3f} s ({simpy_events / floor:,.0f} events per second); "
          f"the model's own logic: {seconds / args.reps - floor:.3f} s per replication")


if __name__ == "__main__":
    main()
