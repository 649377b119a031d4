"""The model's two busiest queues: case events by day, and workers by spare capacity.

`CaseEvents`: pending case events (a case closing, mostly) in time order, ties in the order they
were scheduled (their sequence numbers, drawn from SimPy's own counter so that they interleave with
SimPy's events: `sim.model.environment`).

`WorkerHeap`: a lazy min-heap of workers keyed by (caseload - cap, day of last allocation, order of
keying): the top is the worker with the most spare capacity, ties going to the one who waited
longest for a case, then to the one keyed first. An entry records the worker's `version` when it was
pushed and is stale once that has moved on; stale entries are skipped at the top and dropped by
`rebuild`, which keeps each live entry as it is (its order of keying included), so a rebuild never
changes who comes out on top.

Every key includes a sequence number, so no two entries tie: the order things come out in is fixed
by the keys alone, whatever the heap's layout. These classes are the reference; `sim.model._heaps`
holds the same two in C (typed arrays, no tuple to compare), used where it is compiled
(docs/compiled.md); `tests/test_compiled.py` runs both through the same random operations.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heapify, heappop, heappush, heapreplace
from itertools import count
from typing import Any

INFINITY = float("inf")


class CaseEvents:
    """Pending case events in time order: `days`, a min-heap of the days some are due; `due`, for
    each of those days, the (sequence number, callback, argument) of the events due then, in the
    order they were scheduled (their sequence numbers, from `sequence`, ascending). Days are plain
    floats, cheaper to compare than tuples."""

    def __init__(self, sequence: Iterator[int]) -> None:
        self.days: list[float] = []
        self.due: dict[float, list[tuple]] = {}
        self._sequence = sequence

    def push(self, day: float, callback: Callable[[Any], None], argument: Any) -> None:
        """Call `callback(argument)` at `day` (days)."""
        event = (next(self._sequence), callback, argument)
        due = self.due.get(day)
        if due is None:
            self.due[day] = [event]
            heappush(self.days, day)
        else:
            due.append(event)

    def first_day(self) -> float:
        """The day the next event is due (infinity if none is)."""
        return self.days[0] if self.days else INFINITY

    def first_sequence(self) -> int:
        """The sequence number of the next event (one must be pending)."""
        return self.due[self.days[0]][0][0]

    def pop(self) -> tuple:
        """Take the next event: its (sequence number, callback, argument)."""
        day = self.days[0]
        due = self.due[day]
        event = due.pop(0)
        if not due:
            del self.due[day]
            heappop(self.days)
        return event

    def clear(self) -> None:
        self.days.clear()
        self.due.clear()


class WorkerHeap:
    """Workers (`sim.model.people.Worker`) by (n - cap, last_allocation_day, order of keying),
    lazily."""

    def __init__(self) -> None:
        self._entries: list[tuple] = []
        self._sequence = count(1)

    def push(self, worker) -> None:
        """Key `worker` as it is now (its `version` included)."""
        heappush(self._entries, (worker.n - worker.cap, worker.last_allocation_day,
                                 next(self._sequence), worker.version, worker))

    def replace_top(self, worker) -> None:
        """Drop the top entry and key `worker` as it is now (as `pop` then `push` would; used when
        the top worker's key changed, its entry being stale)."""
        heapreplace(self._entries, (worker.n - worker.cap, worker.last_allocation_day,
                                    next(self._sequence), worker.version, worker))

    def top(self):
        """The worker of the top live entry (stale ones above it are dropped), or None."""
        entries = self._entries
        while entries:
            entry = entries[0]
            if entry[3] == entry[4].version:
                return entry[4]
            heappop(entries)
        return None

    def rebuild(self) -> None:
        """Drop the stale entries (the live ones keep their keys)."""
        self._entries = [entry for entry in self._entries if entry[3] == entry[4].version]
        heapify(self._entries)

    def __len__(self) -> int:
        """Entries, stale ones included."""
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


try:  # the compiled heaps, where they were built (docs/compiled.md)
    from sim.model._heaps import CaseEvents, WorkerHeap  # noqa: F811
except ImportError:
    pass
