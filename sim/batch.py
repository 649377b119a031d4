"""A Monte Carlo batch: replications x scenarios, in chunks, over an executor, into a store.

Replication `rep` of every scenario uses the same root seed and index, so scenarios in one batch
share random numbers (common random numbers). Each chunk is saved as soon as it finishes.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sim.executors import Executor, make_executor, resolve_workers
from sim.metrics import METRIC_NAMES
from sim.provenance import scenario_hash
from sim.store import Chunk, FolderStore, Manifest, MemoryStore

Replicate = Callable[[Any, int, int], Any]
"""`replicate(scenario, rep, root_seed) -> Replication`: one replication, a pure function."""

MAX_CHUNK = 25


@dataclass(frozen=True)
class ChunkTask:
    """Replications `first`..`last` (inclusive) of one scenario: the unit of work sent to a worker."""

    scenario: Any
    first: int
    last: int
    seed: int
    replicate: Replicate


def run_chunk(task: ChunkTask) -> Chunk:
    """Run one chunk of replications (a module-level function, so worker processes can run it)."""
    replications = []
    for rep in range(task.first, task.last + 1):
        replication = task.replicate(task.scenario, rep, task.seed)
        if replication.rep != rep:
            raise ValueError(f"replication {rep} of {task.scenario.name} says it is {replication.rep}")
        replications.append(replication)
    return Chunk.from_replications(task.scenario.name, replications, len(METRIC_NAMES))


def chunk_size_for(reps: int, workers: int) -> int:
    """Replications per chunk: about four chunks per worker, between 1 and 25."""
    return max(1, min(MAX_CHUNK, reps // (4 * workers)))


def chunk_spans(reps: int, size: int) -> list[tuple[int, int]]:
    """(first, last) replication indices of consecutive chunks covering 0..reps-1."""
    return [(first, min(first + size, reps) - 1) for first in range(0, reps, size)]


def plan_executor(workers: int | None, reps: int, scenarios: int) -> Executor:
    """The executor `run_batch` would choose for `workers` (None = every core, 1 = in-process)."""
    size = chunk_size_for(reps, resolve_workers(workers))
    return make_executor(workers, tasks=len(chunk_spans(reps, size)) * scenarios)


def make_tasks(scenarios: Sequence, reps: int, seed: int, size: int,
               replicate: Replicate) -> list[ChunkTask]:
    """One task per (chunk, scenario), chunk by chunk, so scenarios progress together."""
    return [ChunkTask(scenario, first, last, seed, replicate)
            for first, last in chunk_spans(reps, size) for scenario in scenarios]


@dataclass(frozen=True)
class Batch:
    """A finished batch: all replications of every scenario, and how they were run.

    runs: scenario name -> all its replications in order. wall_seconds: elapsed time of the batch.
    events: SimPy events processed, summed over replications and scenarios.
    """

    scenarios: list
    runs: dict[str, Chunk]
    seed: int
    reps: int
    chunk_size: int
    executor: str
    workers: int
    wall_seconds: float
    events: int


def default_replicate() -> Replicate:
    """The council model's `run_replication` (imported only when a batch needs it)."""
    from sim.model.council import run_replication

    return run_replication


def manifest_for(scenarios: Sequence, reps: int, seed: int, chunk_size: int) -> Manifest:
    """The store manifest of a batch."""
    return Manifest(
        scenarios=[{"name": s.name, "hash": scenario_hash(s)} for s in scenarios],
        seed=seed, reps=reps, metric_names=list(METRIC_NAMES), chunk_size=chunk_size,
    )


def _check_names(scenarios: Sequence) -> None:
    names = [scenario.name for scenario in scenarios]
    if not names:
        raise ValueError("a batch needs at least one scenario")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"scenario names must differ within a batch; repeated: {repeated}")


def run_batch(
    scenarios: Sequence,
    reps: int,
    seed: int,
    workers: int | None = None,
    out: Path | None = None,
    progress: bool = False,
    replicate: Replicate | None = None,
    executor: Executor | None = None,
) -> Batch:
    """Run `reps` replications of each scenario with root seed `seed`.

    workers: local processes (None = every core, 1 = in-process); ignored if `executor` is given.
    out: results folder for the chunk store (None = keep results in memory).
    progress: show a progress bar (counted in replications) when stderr is a terminal.
    replicate: the replication function (default: the council model's `run_replication`).
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps})")
    scenarios = list(scenarios)
    _check_names(scenarios)
    replicate = replicate or default_replicate()
    executor = executor or plan_executor(workers, reps, len(scenarios))
    size = chunk_size_for(reps, executor.workers)
    tasks = make_tasks(scenarios, reps, seed, size, replicate)
    manifest = manifest_for(scenarios, reps, seed, size)
    store = FolderStore.create(out, manifest) if out is not None else MemoryStore(manifest)

    started = time.perf_counter()
    label = scenarios[0].name if len(scenarios) == 1 else f"{len(scenarios)} scenarios"
    show = progress and sys.stderr.isatty()
    with tqdm(total=reps * len(scenarios), unit="rep", desc=label, disable=not show,
              file=sys.stderr) as bar:
        for chunk in executor.map_unordered(run_chunk, tasks):
            store.put(chunk)
            bar.update(len(chunk.rep))
    wall_seconds = time.perf_counter() - started

    runs = {scenario.name: store.load(scenario.name) for scenario in scenarios}
    return Batch(
        scenarios=scenarios, runs=runs, seed=seed, reps=reps, chunk_size=size,
        executor=executor.name, workers=executor.workers, wall_seconds=wall_seconds,
        events=int(sum(run.events.sum() for run in runs.values())),
    )
