"""Who gets the next case: waiting cases by priority, workers by spare capacity.

Waiting cases sit in one first-come-first-served queue per priority class. Workers sit in a lazy
min-heap keyed by (caseload - cap, time of last allocation) (`sim.model.heaps.WorkerHeap`): the top
is the worker with the most spare capacity, ties going to the one who waited longest for a case. An
entry is stale once the worker's `version` has moved on; stale entries are skipped and the heap is
rebuilt when they pile up.
A worker taken out (`remove_worker`: gone, or working notice) has version -1 and takes no new case.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import count

from sim.model.cases import STAGES, Case
from sim.model.heaps import WorkerHeap
from sim.model.people import Worker


class Allocator:
    """The unallocated queue and the choice of worker, under hard (`queue`) or soft caps."""

    def __init__(self, priority: list[str], hard_cap: bool,
                 assign: Callable[[Case, Worker], None]) -> None:
        self.rank_of_stage = [priority.index(stage) for stage in STAGES]
        self.queues: list[deque] = [deque() for _ in STAGES]
        self.waiting = 0
        self.hard_cap = hard_cap
        self._assign = assign
        self._heap = WorkerHeap()
        self._live_workers = 0
        self._sequence = count(1)

    # workers -----------------------------------------------------------------------------------
    def touch(self, worker: Worker) -> None:
        """Re-key a worker after its caseload or cap changed (or when it starts); a worker taken
        out stays out."""
        if worker.version < 0:
            return
        worker.version += 1
        self._heap.push(worker)

    def _give(self, case: Case, worker: Worker) -> None:
        """Assign `case` to `worker`, the top of the heap, and re-key them in place (the entry
        they had is stale once they hold one more case: `replace_top` drops it as it pushes the
        new one, as a push followed by the lazy pop of the stale entry would)."""
        self._assign(case, worker)
        worker.version += 1
        self._heap.replace_top(worker)

    def add_worker(self, worker: Worker) -> None:
        self._live_workers += 1
        self.touch(worker)
        if len(self._heap) > 4 * self._live_workers + 64:
            self._rebuild()

    def remove_worker(self, worker: Worker) -> None:
        """Take a worker out for good: they get no new case (they may keep the ones they hold)."""
        if worker.version >= 0:
            self._live_workers -= 1
            worker.version = -1

    def rekey_all(self, workers) -> None:
        """Re-key every worker (after caps change)."""
        self._heap.clear()
        for worker in workers:
            self.touch(worker)

    def _rebuild(self) -> None:
        """Drop the stale entries. Each live worker keeps its entry, sequence number included, so
        workers who tie on spare capacity and last allocation day keep their order: a rebuild (whose
        timing depends on how the heap grew) never changes who gets the next case."""
        self._heap.rebuild()

    def _best_worker(self) -> Worker | None:
        return self._heap.top()

    def clear(self) -> None:
        """Empty the queues and the heap (at the end of a run)."""
        for queue in self.queues:
            queue.clear()
        self._heap.clear()
        self.waiting = 0

    # cases -------------------------------------------------------------------------------------
    def enqueue(self, case: Case, front: bool = False) -> None:
        """Put a case in its priority class; `front` for cases that lost their worker."""
        case.queue_token = next(self._sequence)
        queue = self.queues[self.rank_of_stage[case.stage]]
        if front:
            queue.appendleft((case.queue_token, case))
        else:
            queue.append((case.queue_token, case))
        self.waiting += 1

    def offer(self, case: Case) -> None:
        """A new case: straight to a worker if one can take it, else to the queue.

        Cases only wait while no worker can take one, so a new case never jumps a waiting one.
        """
        if not self.waiting:
            worker = self._best_worker()
            if worker is not None and not (self.hard_cap and worker.n + 1 > worker.cap):
                self._give(case, worker)
                return
        self.enqueue(case)

    def withdraw(self, case: Case) -> None:
        """Take a waiting case out of the queue (it closed or changed class while waiting)."""
        case.queue_token = 0
        self.waiting -= 1

    def _next_case(self) -> Case:
        for queue in self.queues:
            while queue:
                token, case = queue.popleft()
                if token == case.queue_token:
                    self.withdraw(case)
                    return case
        raise RuntimeError("waiting count and queues disagree")

    def allocate(self) -> None:
        """Allocate waiting cases while some worker can take one."""
        while self.waiting:
            worker = self._best_worker()
            if worker is None or (self.hard_cap and worker.n + 1 > worker.cap):
                return
            self._give(self._next_case(), worker)
