"""What a replication's referrals cost, against the bare minimum of work a referral needs in this
design: how far the model's event structure allows issue 19's target to be reached.

Usage: python benchmarks/bench_floor.py [SCENARIO.toml] [--rounds N]
In interleaved rounds (CPU time, medians, as `bench_run.py`), it times: one replication of the
scenario (default: the Manchester plan); the same with `demand.referrals_per_year = 1` (what is not
driven by referrals: the starting stock of cases, the workforce, the policy, the random streams, the
samples); the bare SimPy M/M/c of `bench_run.py`; and a skeleton of the work each referral needs:
an arrival given at once to the worker with the most spare capacity (a lazy heap re-keyed with
`heapreplace`), its close pushed to a heap of (day, sequence, callback, case) tuples and popped in
time order, the worker's caseload taken down and re-keyed. The skeleton has no pathway, no
counts, no history and no random draws (its arrival days and durations are drawn beforehand), so
it is a floor for the per-referral work, not an estimate of it. Its cases last an exponential
time whose mean is the scenario's starting open cases over its referrals a day (Little's law), so
its heaps are about the model's size. The floor of the normalised time
(`bench_run.py`) is (time without referrals + skeleton) x bare events/s / 400,000.
"""
from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from heapq import heappop, heappush, heapreplace
from itertools import count
from pathlib import Path

# this checkout's sim, not an installed copy
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_run import BARE_EVENTS, DEFAULT, REFERENCE_EVENTS_PER_SECOND, bare_mmc

from sim.model.cases import STAGES
from sim.model.council import Council, run_replication
from sim.scenario.loading import load_scenario


class _Worker:
    __slots__ = ("cap", "cases", "last_allocation_day", "n", "version")

    def __init__(self, cap: float) -> None:
        self.cap, self.cases, self.last_allocation_day, self.n, self.version = cap, {}, 0.0, 0, 0


class _Case:
    __slots__ = ("worker",)


def skeleton(arrival_days: list[float], durations_days: list[float], workers: int,
             cap: float) -> float:
    """CPU seconds of the skeleton's work for the referrals arriving on `arrival_days` (sorted)."""
    sequence, event_ids = count(1), count(1)
    staff = [_Worker(cap) for _ in range(workers)]
    heap = [(worker.n - worker.cap, 0.0, next(sequence), 0, worker) for worker in staff]
    closes: list[tuple] = []
    began = time.process_time()
    for day, duration in zip(arrival_days, durations_days, strict=True):
        while closes and closes[0][0] < day:
            case = heappop(closes)[3]
            worker = case.worker
            del worker.cases[case]
            worker.n -= 1
            worker.version += 1
            heappush(heap, (worker.n - worker.cap, worker.last_allocation_day, next(sequence),
                            worker.version, worker))
        while heap[0][3] != heap[0][4].version:
            heappop(heap)
        worker = heap[0][4]
        case = _Case()
        case.worker = worker
        worker.cases[case] = None
        worker.n += 1
        worker.last_allocation_day = day
        worker.version += 1
        heapreplace(heap, (worker.n - worker.cap, day, next(sequence), worker.version, worker))
        heappush(closes, (day + duration, next(event_ids), None, case))
    return time.process_time() - began


def timed_replication(scenario, rep: int) -> float:
    began = time.process_time()
    run_replication(scenario, rep, 1)
    gc.collect()
    return time.process_time() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario, {})
    quiet = load_scenario(args.scenario, {"demand.referrals_per_year": 1})
    council = Council(scenario, 0, 1)
    arrival_days = council.referrals.to_allocate.tolist()
    workers = scenario.workforce.establishment
    open_cases = sum(getattr(scenario.initial.open, stage) for stage in STAGES)
    mean_open_days = open_cases / (len(arrival_days) / (council.last_day - council.first_day))
    rng = random.Random(1)
    durations = [rng.expovariate(1.0 / mean_open_days) for _ in arrival_days]
    run_replication(scenario, 999, 1)  # warm imports and caches
    full, without, floor, bare = [], [], [], []
    for rep in range(args.rounds):
        full.append(timed_replication(scenario, rep))
        without.append(timed_replication(quiet, rep))
        floor.append(skeleton(arrival_days, durations, workers, council.workforce.caps["sw"]))
        events, seconds = bare_mmc(BARE_EVENTS)
        bare.append(events / seconds)
    referrals = len(arrival_days)
    full_s, without_s = statistics.median(full), statistics.median(without)
    floor_s, bare_rate = statistics.median(floor), statistics.median(bare)
    print(f"scenario: {scenario.name}, {args.rounds} rounds, CPU time, medians; {referrals:,} "
          f"referrals, {workers} posts at the start, cases open {mean_open_days:.0f} days on "
          f"average")
    print(f"replication: {full_s:.3f} s; with referrals_per_year = 1: {without_s:.3f} s")
    print(f"per referral: the model {(full_s - without_s) / referrals * 1e6:.1f} us; the "
          f"skeleton {floor_s / referrals * 1e6:.1f} us ({floor_s:.3f} s)")
    print(f"normalised (x {bare_rate:,.0f} bare events/s / {REFERENCE_EVENTS_PER_SECOND:,}): "
          f"replication {full_s * bare_rate / REFERENCE_EVENTS_PER_SECOND:.3f}; floor of this "
          f"design {(without_s + floor_s) * bare_rate / REFERENCE_EVENTS_PER_SECOND:.3f}")


if __name__ == "__main__":
    main()
