"""Where tasks run: in this process, in a pool of local processes, or on a dask.distributed cluster.

An executor has a `name`, a number of `workers` and one method, `map_unordered(fn, tasks)`, which
yields `fn(task)` for every task as each finishes (in no particular order). `fn` must be a
module-level function and tasks and results picklable, so the same call works in-process, in
"spawn"ed processes and on a dask.distributed cluster. Callers put results in order themselves;
because every task is a pure function of its inputs, results do not depend on the executor or the
number of workers.

Failures are retried where a retry can help and always reported, never dropped: a local worker
process that dies (killed, out of memory) breaks the pool, and the unfinished tasks run once more
on a fresh pool; a task that fails on a dask worker (or whose worker is lost) is resubmitted up to
`DASK_RETRIES` times. An exception raised by `fn` itself in a local process is not retried (the
task is deterministic, it would fail again): it propagates to the caller.

If the caller stops early (an error, Ctrl-C, closing the generator), tasks not yet finished are
cancelled and local worker processes are stopped at once.
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
import types
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
Report = Callable[[str], None]

POOL_RESTARTS = 1
IN_FLIGHT_PER_WORKER = 2
"""Tasks submitted ahead per local worker process: one running, one queued behind it."""
DASK_RETRIES = 2
DASK_INSTALL_HINT = "pip install 'caseload-sim[dask]'"


class ExecutorUnavailable(ValueError):
    """The executor asked for cannot be used (dask not installed, scheduler unreachable)."""


class TasksFailed(RuntimeError):
    """Tasks could not be run although retried (worker processes kept dying, dask tasks kept
    failing): the batch stops; finished chunks are kept for a resume."""


class Executor(Protocol):
    """Runs independent tasks and yields their results as they finish."""

    name: str
    workers: int

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task, in order of completion."""
        ...


def warn(message: str) -> None:
    """The default report: one line on stderr."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def _label(task: Any, index: int) -> str:
    return getattr(task, "label", None) or f"task {index}"


class SerialExecutor:
    """Runs tasks one after another in this process (easy to debug and profile)."""

    name = "serial"
    workers = 1

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task, in the order given."""
        for task in tasks:
            yield fn(task)


def _init_worker() -> None:
    """In a worker process: leave Ctrl-C to the parent, which stops the pool cleanly, and exit
    when the parent is gone (killed), instead of waiting for tasks forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)


class ProcessExecutor:
    """Runs tasks in a pool of `workers` local processes (started with `start_method`).

    With `keep_pool` the pool stays up between calls of `map_unordered` (for callers that run
    many small batches one after another) until `close()`.

    "spawn" (the default) starts clean interpreters on every platform, so behaviour does not
    depend on what the parent process had imported or which threads it was running. The workers
    run functions of `sim` only, so they do not re-run the caller's script as spawn would
    (`_caller_main_hidden`): a plain script calling `sim.run` works without
    `if __name__ == "__main__":`.
    """

    name = "processes"

    def __init__(self, workers: int, start_method: str = "spawn", report: Report = warn,
                 keep_pool: bool = False) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1 (got {workers})")
        self.workers = workers
        self.start_method = start_method
        self.report = report
        self.keep_pool = keep_pool
        self._kept: ProcessPoolExecutor | None = None

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task as its process finishes it.

        If a worker process dies, the tasks not yet finished run again on a fresh pool (once).
        """
        remaining = dict(enumerate(tasks))
        restarts = 0
        while remaining:
            pool = self._pool(len(remaining))
            finished = False
            try:
                yield from self._drain(pool, fn, remaining)
                finished = True
            except BrokenProcessPool:
                if restarts >= POOL_RESTARTS:
                    raise TasksFailed(
                        f"worker processes died again; {len(remaining)} tasks not run "
                        f"(first: {_label(next(iter(remaining.values())), 0)})") from None
                restarts += 1
                self.report(f"a worker process died; running {len(remaining)} unfinished tasks "
                            f"again on a fresh pool of {self.workers}")
            finally:
                if not (finished and self.keep_pool):
                    _close(pool, finished)
                    self._kept = None

    def close(self) -> None:
        """Shut down the pool kept between calls (with `keep_pool`)."""
        if self._kept is not None:
            _close(self._kept, finished=True)
            self._kept = None

    def _pool(self, tasks: int) -> ProcessPoolExecutor:
        if self._kept is not None:
            return self._kept
        context = multiprocessing.get_context(self.start_method)
        pool = ProcessPoolExecutor(max_workers=self.workers if self.keep_pool
                                   else min(self.workers, tasks), mp_context=context,
                                   initializer=_init_worker)
        if self.keep_pool:
            self._kept = pool
        return pool

    def _drain(self, pool: ProcessPoolExecutor, fn: Callable[[T], R],
               remaining: dict[int, T]) -> Iterator[R]:
        """Run `remaining` tasks on `pool`, removing each from `remaining` as it is yielded.

        At most IN_FLIGHT_PER_WORKER tasks per worker are submitted at a time, so results that
        finish faster than the caller takes them wait in the workers, not in this process. A pool
        that breaks while a finished result is in hand (its `submit` raises) still yields that
        result before BrokenProcessPool is raised, so no task leaves `remaining` unyielded.
        """
        waiting = iter(list(remaining.items()))
        futures: dict[Future[R], int] = {}

        def submit_more() -> None:
            with _caller_main_hidden():  # a submit may start a worker process
                for i, task in itertools.islice(
                        waiting, IN_FLIGHT_PER_WORKER * self.workers - len(futures)):
                    futures[pool.submit(fn, task)] = i

        with _interrupts_ignored():  # the processes started now inherit it from their start
            submit_more()
        while futures:
            done, _ = wait(futures, return_when=FIRST_COMPLETED)
            broken = None
            for future in done:
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    broken = error
                    continue
                result = future.result()
                del remaining[futures.pop(future)]  # keep no finished result alive
                if broken is None:
                    try:
                        submit_more()
                    except BrokenProcessPool as error:
                        broken = error
                yield result
            if broken is not None:
                raise broken


def _close(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut a pool down: wait for it after a full run, else cancel and stop its processes now."""
    if finished:
        pool.shutdown(wait=True)
        return
    # Python 3.14 has pool.terminate_workers(); before it, the pool's internals are needed.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)
    # A result half-sent by a terminated worker would leave the pool's manager thread waiting
    # for the rest (and the interpreter waiting for that thread at exit): with the last writer
    # closed it reads end-of-file instead, marks the pool broken and ends.
    writer = getattr(results, "_writer", None)
    if writer is not None:
        writer.close()


@contextmanager
def _caller_main_hidden() -> Iterator[None]:
    """Show multiprocessing a bare `__main__` while worker processes start. A "spawn"ed process
    re-imports the parent's main module (its file or `-m` module) so that functions defined
    there can run in it; a script without `if __name__ == "__main__":` would then call
    `sim.run` again in every worker, which fails (RuntimeError: a new process started before
    bootstrapping finished). Our workers run `sim`'s own functions only and never need it."""
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


@contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ignore Ctrl-C (SIGINT) while processes are started, so they inherit "ignore"."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def import_distributed() -> Any:
    """The `distributed` module, or ExecutorUnavailable saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ExecutorUnavailable(f"--scheduler needs dask.distributed: {DASK_INSTALL_HINT}") from None
    return distributed


DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "ucx")


def check_scheduler(address: str) -> str:
    """`address` if it names a scheduler: "local" or SCHEME://HOST:PORT with a scheme
    dask.distributed knows (DASK_SCHEMES), such as tcp://host:8786."""
    if address == "local":
        return address
    try:
        parts = urllib.parse.urlsplit(address)
        valid = parts.scheme in DASK_SCHEMES and bool(parts.hostname) and parts.port is not None
    except ValueError:  # a port that is not a number
        valid = False
    if not valid:
        raise ExecutorUnavailable(f"--scheduler: expected 'local' or SCHEME://HOST:PORT with "
                                  f"SCHEME one of {', '.join(DASK_SCHEMES)}, such as "
                                  f"tcp://host:8786 (got {address!r})")
    return address


class DaskExecutor:
    """Runs tasks on a dask.distributed cluster, one task per chunk.

    address: "local" starts a LocalCluster of `workers` processes (one thread each) for the
    duration of `map_unordered`; otherwise the address of a running scheduler, e.g.
    tcp://host:8786 (its workers must be able to import `sim`). `workers` is then the number of
    workers the scheduler reports.
    """

    name = "dask"

    def __init__(self, address: str, workers: int | None = None, report: Report = warn) -> None:
        self.address = check_scheduler(address)
        self.workers = resolve_workers(workers)
        self.report = report
        import_distributed()

    def _connect(self) -> tuple[Any, Any]:
        import logging

        distributed = import_distributed()
        if self.address == "local":
            with _interrupts_ignored():  # worker processes inherit it: Ctrl-C is the parent's
                cluster = distributed.LocalCluster(
                    n_workers=self.workers, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR)
            return distributed.Client(cluster), cluster
        try:
            client = distributed.Client(self.address, timeout="20s")
        except (OSError, TimeoutError, ValueError) as error:
            raise ExecutorUnavailable(f"--scheduler: cannot reach a dask scheduler at "
                                      f"{self.address} ({error})") from None
        self.workers = max(1, len(client.scheduler_info().get("workers", {})))
        return client, None

    def map_unordered(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[R]:
        """Yield `fn(task)` for each task as a worker finishes it; failed tasks are resubmitted."""
        tasks = list(tasks)
        if not tasks:
            return
        distributed = import_distributed()
        client, cluster = self._connect()
        futures: dict[Any, int] = {}
        try:
            for i, task in enumerate(tasks):
                futures[client.submit(fn, task, pure=False)] = i
            attempts = dict.fromkeys(range(len(tasks)), 0)
            completed = distributed.as_completed(list(futures))
            for future in completed:
                i = futures.pop(future)
                if future.status == "finished":
                    yield future.result()
                    continue
                attempts[i] += 1
                error = future.exception() if future.status == "error" else future.status
                if attempts[i] > DASK_RETRIES:
                    raise TasksFailed(f"{_label(tasks[i], i)} failed {attempts[i]} times on "
                                       f"dask workers; last error: {error!r}")
                self.report(f"{_label(tasks[i], i)} failed on a dask worker ({error!r}); "
                            f"retrying ({attempts[i]} of {DASK_RETRIES})")
                again = client.submit(fn, tasks[i], pure=False)
                futures[again] = i
                completed.add(again)
        finally:
            client.cancel(list(futures))
            client.close()
            if cluster is not None:
                cluster.close()


def resolve_workers(workers: int | None) -> int:
    """The number of local workers: `workers`, or every core when None."""
    if workers is None:
        return os.cpu_count() or 1
    if workers < 1:
        raise ValueError(f"workers must be at least 1 (got {workers})")
    return workers


def make_executor(workers: int | None, tasks: int | None = None, scheduler: str | None = None,
                  report: Report = warn, keep_pool: bool = False) -> Executor:
    """An executor for `workers` local processes (None = every core; 1 = in-process), or for a
    dask scheduler ("local" or an address) when `scheduler` is given.

    With `tasks` known and at most one, no local pool is started: it would only add start-up time.
    keep_pool: keep a local pool between calls (see ProcessExecutor).
    """
    if scheduler is not None:
        return DaskExecutor(scheduler, workers, report)
    count = resolve_workers(workers)
    if count == 1 or (tasks is not None and tasks <= 1):
        return SerialExecutor()
    return ProcessExecutor(count, report=report, keep_pool=keep_pool)
