"""Where tasks run: in this process, or in a pool of local processes.

An executor has a `name`, a number of `workers` and one method, `map_unordered(fn, tasks)`, which
yields `fn(task)` for every task as each finishes (in no particular order). `fn` must be a
module-level function and tasks and results picklable, so the same call works in-process, in
"spawn"ed processes and (later) on a dask.distributed cluster. Callers put results in order
themselves; because every task is a pure function of its inputs, results do not depend on the
executor or the number of workers.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs independent tasks and yields their results as they finish."""

    name: str
    workers: int

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task, in order of completion."""
        ...


class SerialExecutor:
    """Runs tasks one after another in this process (easy to debug and profile)."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task, in the order given."""
        for task in tasks:
            yield fn(task)


class ProcessExecutor:
    """Runs tasks in a pool of `workers` local processes (started with `start_method`).

    "spawn" (the default) starts clean interpreters on every platform, so behaviour does not
    depend on what the parent process had imported or which threads it was running.
    """

    name = "processes"

    def __init__(self, workers: int, start_method: str = "spawn") -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        self.workers = workers
        self.start_method = start_method

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task as its process finishes it.

        If the caller stops early (an error, Ctrl-C, closing the generator) tasks not yet
        started are cancelled.
        """
        tasks = list(tasks)
        if not tasks:
            return
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=context)
        try:
            pending: set[Future[R]] = {pool.submit(fn, task) for task in tasks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def resolve_workers(workers: int | None) -> int:
    """The number of local workers: `workers`, or every core when None."""
    if workers is None:
        return os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    return workers


def make_executor(workers: int | None, tasks: int | None = None) -> Executor:
    """An executor for `workers` local processes (None = every core; 1 = in-process).

    With `tasks` known and at most one, no pool is started: it would only add start-up time.
    """
    count = resolve_workers(workers)
    if count == 1 or (tasks is not None and tasks <= 1):
        return SerialExecutor()
    return ProcessExecutor(count)
