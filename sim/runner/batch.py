"""A Monte Carlo batch: replications x scenarios, in chunks, over an executor, into a store.

Replication `rep` of every scenario uses the same root seed and index, so scenarios in one batch
share random numbers (common random numbers); `independent=True` gives each scenario after the
first a seed of its own instead (to see what common random numbers buy). Each chunk is saved as
soon as it finishes; a resumed batch runs only the replications its store lacks, and a batch with
a stopping rule stops adding replications once the rule is met. Whatever the executor, number of
workers, chunking or interruptions, replication `rep` of a scenario is the same numbers.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from sim.runner.chunk_task import ChunkTask, Replicate, run_chunk
from sim.runner.executors import Executor, Report, make_executor, resolve_workers, warn
from sim.model.metrics import METRIC_NAMES
from sim.runner.provenance import model_fingerprint, scenario_hash
from sim.runner.stopping import HorizonTracker, StoppingRule
from sim.runner.store import Chunk, FolderStore, Manifest, MemoryStore, claim_folder

MAX_CHUNK = 25
MAX_ADAPTIVE_CHUNK = 5
"""Chunks are smaller under a stopping rule: less work in flight is discarded when it stops."""
INDEPENDENT_KEY = 0x1D  # spawn key of independent per-scenario seeds (any fixed number)

Store = FolderStore | MemoryStore


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (whose stderr is no terminal but is shown)."""
    return "ipykernel" in sys.modules


def chunk_size_for(reps: int, workers: int, adaptive: bool = False) -> int:
    """Replications per chunk: about four chunks per worker, between 1 and 25 (5 if adaptive)."""
    return max(1, min(MAX_ADAPTIVE_CHUNK if adaptive else MAX_CHUNK, reps // (4 * workers)))


def chunk_spans(reps: int, size: int) -> list[tuple[int, int]]:
    """(first, last) replication indices of consecutive chunks covering 0..reps-1."""
    return [(first, min(first + size, reps) - 1) for first in range(0, reps, size)]


def missing_spans(saved: Sequence[tuple[int, int]], reps: int, size: int) -> list[tuple[int, int]]:
    """Chunks of at most `size` covering the replications 0..reps-1 that no saved span holds."""
    have = np.zeros(reps, dtype=bool)
    for first, last in saved:
        have[first:last + 1] = True
    spans, first = [], None
    for rep in range(reps + 1):
        if rep < reps and not have[rep]:
            first = rep if first is None else first
            if rep - first + 1 == size:
                spans.append((first, rep))
                first = None
        elif first is not None:
            spans.append((first, rep - 1))
            first = None
    return spans


def scenario_seeds(seed: int, count: int, independent: bool = False) -> list[int]:
    """Root seed of each scenario: `seed` for all (common random numbers), or, if independent,
    `seed` for the first and a seed derived from (`seed`, index) by SeedSequence for the others."""
    if not independent:
        return [seed] * count
    derived = [int(np.random.SeedSequence(seed, spawn_key=(INDEPENDENT_KEY, index))
                   .generate_state(1, np.uint64)[0]) for index in range(1, count)]
    return [seed, *derived]


def plan_executor(workers: int | None, reps: int, scenarios: int, scheduler: str | None = None,
                  report: Report = warn) -> Executor:
    """The executor `run_batch` would choose for `workers` (None = every core, 1 = in-process)."""
    size = chunk_size_for(reps, resolve_workers(workers))
    return make_executor(workers, tasks=len(chunk_spans(reps, size)) * scenarios,
                         scheduler=scheduler, report=report)


def default_replicate() -> Replicate:
    """The council model's `run_replication` (imported only when a batch needs it)."""
    from sim.model.council import run_replication

    return run_replication


def manifest_for(scenarios: Sequence, reps: int, seed: int, chunk_size: int,
                 independent: bool = False) -> Manifest:
    """The store manifest of a batch."""
    seeds = scenario_seeds(seed, len(scenarios), independent)
    return Manifest(
        scenarios=[{"name": s.name, "hash": scenario_hash(s), "seed": one}
                   for s, one in zip(scenarios, seeds)],
        seed=seed, reps=reps, metric_names=list(METRIC_NAMES), chunk_size=chunk_size,
        independent=independent, model=model_fingerprint(),
    )


def check_names(scenarios: Sequence) -> None:
    """Scenario names must be present and differ within a batch (ValueError naming repeats)."""
    names = [scenario.name for scenario in scenarios]
    if not names:
        raise ValueError("a batch needs at least one scenario")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"scenario names must differ within a batch; repeated: {repeated}")


def open_store(scenarios: Sequence, reps: int, seed: int, chunk_size: int, out: Path | None,
               independent: bool = False, resume: bool = False,
               report: Report = warn) -> Store:
    """The store of a batch: in memory (`out` None), fresh in `out`, or `out`'s to resume.

    A folder that is not new, empty or ours is refused (FolderRefused). Resuming refuses
    (StoreMismatch) a folder of other scenarios, seed or metrics, and deletes damaged or foreign
    chunks (reported) so they are run again. Without `resume`, the earlier batch's chunks and
    files in `out` are replaced (reported when there were any).
    """
    manifest = manifest_for(scenarios, reps, seed, chunk_size, independent)
    if out is None:
        if resume:
            raise ValueError("resume needs a results folder (out)")
        return MemoryStore(manifest)
    claim_folder(out)
    if resume:
        return FolderStore.resume(out, manifest, report)
    if any((Path(out) / "chunks").glob("*/reps-*.npz")):
        report(f"replacing the earlier results in {out} (pass --resume to continue them instead)")
    return FolderStore.create(out, manifest)


@dataclass(frozen=True)
class Batch:
    """A finished batch: where its replications are and how they were run.

    reps: replications used (fewer than asked for when a stopping rule was met).
    reused: replications found in the store (resumed) rather than run now.
    stopping: the stopping rule's record (None without a rule).
    wall_seconds: elapsed time of the batch. events: model events processed, summed over
    replications and scenarios.
    """

    scenarios: list
    store: Store
    seed: int
    seeds: list[int]
    reps: int
    chunk_size: int
    executor: str
    workers: int
    wall_seconds: float
    events: int
    reused: int = 0
    stopping: dict | None = None
    independent: bool = False
    runs: Mapping[str, Chunk] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runs", _Runs(self.store, [s.name for s in self.scenarios],
                                               self.reps))


class _Runs(Mapping):
    """Scenario name -> all its replications, read from the store when asked for."""

    def __init__(self, store: Store, names: list[str], reps: int) -> None:
        self._store, self._names, self._reps = store, names, reps

    def __getitem__(self, name: str) -> Chunk:
        if name not in self._names:
            raise KeyError(name)
        return self._store.load(name, self._reps)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _saved(store: Store, name: str, reps: int) -> list[tuple[int, int]]:
    """Saved spans of `name` that hold any of replications 0..reps-1."""
    return [(first, last) for first, last in store.spans(name) if first < reps]


def _count(spans: Sequence[tuple[int, int]], reps: int) -> int:
    """Replications below `reps` in `spans`."""
    return sum(min(last, reps - 1) - first + 1 for first, last in spans)


def run_batch(
    scenarios: Sequence,
    reps: int,
    seed: int,
    workers: int | None = None,
    out: Path | None = None,
    progress: bool = False,
    replicate: Replicate | None = None,
    executor: Executor | None = None,
    *,
    independent: bool = False,
    resume: bool = False,
    stopping: StoppingRule | None = None,
    scheduler: str | None = None,
    store: Store | None = None,
    report: Report = warn,
) -> Batch:
    """Run `reps` replications of each scenario with root seed `seed`.

    workers: local processes (None = every core, 1 = in-process); ignored if `executor` is given.
    scheduler: a dask scheduler ("local" or an address) instead of local processes.
    out: results folder for the chunk store (None = keep results in memory); `store`: one already
    opened by `open_store` (then `out` and `resume` are not used).
    resume: keep the replications already in `out` and run only the missing ones.
    stopping: stop adding replications (in index order) once the rule is met; `reps` is then the
    ceiling. progress: show a progress bar (counted in replications) where one can be seen: on
    a terminal (stderr) or in a Jupyter notebook (a widget with ipywidgets installed, else text).
    replicate: the replication function (default: the council model's `run_replication`).
    report: where warnings go (damaged chunks, retried tasks).
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1 (got {reps})")
    scenarios = list(scenarios)
    check_names(scenarios)
    replicate = replicate or default_replicate()
    executor = executor or plan_executor(workers, reps, len(scenarios), scheduler, report)
    if store is None:
        size = chunk_size_for(reps, executor.workers, adaptive=stopping is not None)
        store = open_store(scenarios, reps, seed, size, out, independent, resume, report)
    seeds = [entry["seed"] for entry in store.manifest.scenarios]
    size = store.manifest.chunk_size
    names = [scenario.name for scenario in scenarios]
    tracker = (HorizonTracker(stopping, names, reps, paired=len(names) > 1)
               if stopping is not None else None)

    saved = {name: _saved(store, name, reps) for name in names}
    counts = [_count(spans, reps) for spans in saved.values()]
    if tracker is not None:
        _track_saved(tracker, store, stopping.metric, saved)
    tasks = _missing_tasks(scenarios, seeds, saved, reps, size, replicate)

    started = time.perf_counter()
    used = tracker.update() if tracker is not None else None
    if used is None and tasks:
        used = _run_tasks(executor, tasks, store, tracker, stopping, progress,
                          done=sum(counts), total=reps * len(names), label=_label(names))
    wall_seconds = time.perf_counter() - started
    used = reps if used is None else used
    return Batch(
        scenarios=scenarios, store=store, seed=seed, seeds=seeds, reps=used, chunk_size=size,
        executor=executor.name, workers=executor.workers, wall_seconds=wall_seconds,
        events=sum(store.events(name, used) for name in names), reused=min(min(counts), used),
        stopping=tracker.record(used) if tracker is not None else None,
        independent=store.manifest.independent,
    )


def _missing_tasks(scenarios: Sequence, seeds: Sequence[int],
                   saved: Mapping[str, list[tuple[int, int]]], reps: int, size: int,
                   replicate: Replicate) -> list[ChunkTask]:
    """Tasks for the replications 0..reps-1 not saved, chunk by chunk across scenarios (so
    scenarios progress together and replications finish roughly in index order)."""
    todo = sorted(
        ((first, index, ChunkTask(scenario, first, last, seeds[index], replicate))
         for index, scenario in enumerate(scenarios)
         for first, last in missing_spans(saved[scenario.name], reps, size)),
        key=lambda item: item[:2])
    return [task for _, _, task in todo]


def _label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{len(names)} scenarios"


def _track_saved(tracker: HorizonTracker, store: Store, metric: str,
                 saved: Mapping[str, list[tuple[int, int]]]) -> None:
    """Give the tracker the horizon values of replications already in the store."""
    for name, spans in saved.items():
        for first, last in spans:
            values = store.read_metric(name, first, last, metric)
            tracker.add(name, np.arange(first, last + 1), values[:, -1])


def _run_tasks(executor: Executor, tasks: list[ChunkTask], store: Store,
               tracker: HorizonTracker | None, stopping: StoppingRule | None, progress: bool,
               done: int, total: int, label: str) -> int | None:
    """Run `tasks`, saving each chunk as it finishes; the replications to stop at, if a rule
    says so before all tasks are done."""
    metric = METRIC_NAMES.index(stopping.metric) if stopping is not None else None
    show = progress and (sys.stderr.isatty() or in_notebook())
    with tqdm(total=total, initial=done, unit="rep", desc=label, disable=not show,
              file=sys.stderr) as bar:
        results = executor.map_unordered(run_chunk, tasks)
        try:
            for chunk in results:
                store.put(chunk)
                bar.update(len(chunk.rep))
                if tracker is not None:
                    tracker.add(chunk.scenario, chunk.rep, chunk.values[:, -1, metric])
                    used = tracker.update()
                    if used is not None:
                        return used
        finally:
            results.close()
    return None
