"""What a batch needs, estimated before it runs: memory, disk, events and time, from the scenarios
after their policies and the replications.

How the estimate was calibrated (2026-12-04, 2-core machine, CPython 3.11): one replication of
scenarios/manchester-2016-no-plan.toml (one-year warm-up), with `years` 1 or 3 and one scale raised
at a time, in a fresh process that read its peak resident memory (VmHWM in /proc/self/status) and
the replication's `events`. 200,000 and 400,000 referrals a year took 240 and 492 MiB above a small
run's 70 MiB, about 600 bytes and 1.8 to 1.9 events per referral over warm-up and horizon; 500,000
and 1,000,000 open CIN cases at the start about 1.4 KB and 1.0 event each; an establishment of
20,000 posts about 8 KB and 18 events per post and year. Chunk files are uncompressed .npz: 8 bytes
per value plus about 250 bytes per array. tests/test_cli_limits.py checks the estimate against a
real run (within a factor of 2).
"""
from __future__ import annotations

import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.model.metrics import METRIC_NAMES
from sim.model.units import DAYS_PER_YEAR
from sim.runner.batch import chunk_size_for


PROCESS_BYTES = 70 * 2**20
"""A process with the model imported running a small council (peak resident memory)."""
MAIN_PROCESS_BYTES = 300 * 2**20
"""The main process of a batch (README: 286 to 295 MiB at 200 to 2,000 replications)."""
BYTES_PER_REFERRAL = 600
BYTES_PER_OPEN_CASE = 1_400
BYTES_PER_POST = 8_000
EVENTS_PER_REFERRAL = 1.9
EVENTS_PER_OPEN_CASE = 1.0
EVENTS_PER_POST_YEAR = 18.0
NPZ_ARRAY_BYTES = 250
"""Header and zip entry of one array in a chunk file."""
CHUNK_ARRAYS = 4
"""Arrays of a chunk besides the metrics: scenario, rep, days, events."""
REREFERRAL_FACTOR_MAX = 10.0
WARN_DISK_BYTES = 2**30
"""Results larger than this are announced on stderr before the batch starts."""
EVENTS_PER_SECOND = 99_000
"""Per process (README, Speed: the Manchester plan on one core)."""
WARN_SECONDS = 3600.0
"""Batches estimated to take longer than this are announced on stderr before they start."""


@dataclass(frozen=True)
class ResourceEstimate:
    """What a batch needs: peak memory of all its processes, bytes written (chunk files and
    all results), SimPy events and the seconds they take on its processes."""

    memory_bytes: float
    chunk_bytes: float
    disk_bytes: float
    events: float
    seconds: float

    def describe(self) -> str:
        return (f"about {_size(self.memory_bytes)} of memory, {_size(self.disk_bytes)} of disk "
                f"and {self.events:.2g} events ({_duration(self.seconds)})")

    def is_large(self) -> bool:
        """Worth announcing before it starts: many GB or more than an hour."""
        return self.disk_bytes > WARN_DISK_BYTES or self.seconds > WARN_SECONDS


def referrals_over_run(scenario) -> float:
    """Referrals over the warm-up and the horizon, an upper bound: the highest rate and growth
    the scenario or its `set_referrals` actions give, compounding throughout, and each closed
    case referred again at the `rereferral` share (at most REREFERRAL_FACTOR_MAX-fold)."""
    demand = scenario.demand
    rates = [demand.referrals_per_year, *(a.referrals_per_year for a in scenario.policy
                                          if getattr(a, "referrals_per_year", None) is not None)]
    growths = [demand.growth_per_year, *(a.growth_per_year for a in scenario.policy
                                         if getattr(a, "growth_per_year", None) is not None)]
    years = scenario.years + scenario.warmup_days / DAYS_PER_YEAR
    growth = max(growths)
    grown_years = years if growth <= 0 else ((1 + growth) ** years - 1) / math.log1p(growth)
    again = min(1 / max(1 - demand.rereferral.share, 1e-9), REREFERRAL_FACTOR_MAX)
    return max(rates) * grown_years * again


def peak_posts(scenario) -> int:
    """Most case-holding posts at any time: after `add_posts` actions, and for
    `hire_to_caseload` the initial open cases plus a year's referrals over its target."""
    stock = initial_open_cases(scenario)
    peak = max([scenario.workforce.establishment,
                *(posts for _, _, kind, posts in scenario.posts_after_policies()
                  if kind == "establishment")])
    for action in scenario.policy:
        if action.do == "hire_to_caseload":
            wanted = (stock + scenario.demand.referrals_per_year) / action.target
            peak = max(peak, math.ceil(wanted))
    return peak


def initial_open_cases(scenario) -> int:
    opened = scenario.initial.open
    return opened.assessment + opened.cin + opened.cp + opened.cla + scenario.initial.unallocated


def samples_of(scenario) -> int:
    """Metric samples per replication: day 0 and every `report_every_days` to the horizon."""
    return int(scenario.years * DAYS_PER_YEAR // scenario.report_every_days) + 1


def replication_memory_bytes(scenario) -> float:
    """Peak resident memory of a process running one replication of `scenario`."""
    return (PROCESS_BYTES + BYTES_PER_REFERRAL * referrals_over_run(scenario)
            + BYTES_PER_OPEN_CASE * initial_open_cases(scenario)
            + BYTES_PER_POST * peak_posts(scenario))


def replication_events(scenario) -> float:
    """SimPy events and referral arrivals of one replication of `scenario`."""
    years = scenario.years + scenario.warmup_days / DAYS_PER_YEAR
    return (EVENTS_PER_REFERRAL * referrals_over_run(scenario)
            + EVENTS_PER_OPEN_CASE * initial_open_cases(scenario)
            + EVENTS_PER_POST_YEAR * peak_posts(scenario) * years)


def chunk_bytes(samples: int, reps: int, chunks: int, metrics: int) -> float:
    """Bytes of the chunk files holding `reps` replications of `samples` samples in `chunks`."""
    per_chunk = (metrics + CHUNK_ARRAYS) * NPZ_ARRAY_BYTES + 8 * samples
    return chunks * per_chunk + reps * (8 * samples * metrics + 16)


def estimate_resources(scenarios: Sequence, reps: int, workers: int) -> ResourceEstimate:
    """What running `reps` replications of each scenario on `workers` local processes (1 = in
    this process) needs, with chunks as `sim.batch` cuts them."""
    size = chunk_size_for(reps, workers)
    chunks = math.ceil(reps / size)
    metrics = len(METRIC_NAMES)
    stored = sum(chunk_bytes(samples_of(s), reps, chunks, metrics) for s in scenarios)
    values = sum(8 * samples_of(s) * reps * metrics for s in scenarios)
    per_replication = max(replication_memory_bytes(s) for s in scenarios)
    processes = min(workers, chunks * len(scenarios))
    largest_metric = 3 * 8 * reps * max(samples_of(s) for s in scenarios)  # with its quantiles
    main = MAIN_PROCESS_BYTES + largest_metric
    memory = main + (per_replication - PROCESS_BYTES if workers == 1
                     else processes * per_replication)
    events = reps * sum(replication_events(s) for s in scenarios)
    return ResourceEstimate(memory_bytes=memory, chunk_bytes=stored,
                            disk_bytes=stored + values,  # timeseries.parquet at most as large
                            events=events, seconds=events / (EVENTS_PER_SECOND * processes))


def machine_limits(out: Path) -> tuple[float, float]:
    """(memory available now, bytes free on the disk holding `out`)."""
    folder = Path(os.path.abspath(out))
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return available_memory_bytes(), float(shutil.disk_usage(folder).free)


def available_memory_bytes() -> float:
    """MemAvailable of /proc/meminfo, else the physical memory."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def resource_problem(estimate: ResourceEstimate, memory_limit: float,
                     disk_limit: float) -> str | None:
    """One line saying what exceeds the machine, or None."""
    for what, needed, limit, where in (
            ("memory", estimate.memory_bytes, memory_limit, "available"),
            ("disk", estimate.disk_bytes, disk_limit, "free")):
        if needed > limit:
            return (f"this batch needs {estimate.describe()}: more {what} than the "
                    f"{_size(limit)} {where}")
    return None


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"about {max(1, round(seconds / 60))} minutes"
    return f"about {seconds / 3600:.3g} hours"


def _size(bytes_: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if bytes_ < 1000 or unit == "TB":
            return f"{bytes_:.3g} {unit}"
        bytes_ /= 1000
    return f"{bytes_:.3g} TB"
