"""The model's SimPy environment: SimPy's own, plus arrivals taken from a list drawn in advance.

Referral times are drawn up front (`sim.model.demand`), so they need not wait in SimPy's event
queue: `run_merged` steps SimPy as usual and, whenever the next arrival comes before SimPy's next
event, moves the clock to it and calls the arrival. The order of events is the same as if each
arrival were a SimPy event (ties between a continuous arrival time and another event have
probability zero); the queue is spared one push and one pop per referral.
"""
from __future__ import annotations

from collections.abc import Callable

import simpy


class Environment(simpy.Environment):
    """A `simpy.Environment` whose run loop also takes arrivals from a sorted list of times."""

    def run_merged(self, until: float, arrival_days: list[float],
                   arrive: Callable[[], None]) -> int:
        """Process SimPy events and the arrivals at `arrival_days` (sorted, days) in time order,
        up to and including `until` (days); returns the number of events processed, arrivals
        included."""
        step, peek = self.step, self.peek
        arrivals = iter(arrival_days)
        arrival = next(arrivals, float("inf"))
        events = 0
        while True:
            following = peek()
            if arrival < following:
                if arrival > until:
                    return events
                self._now = arrival  # SimPy's clock: an arrival is due before its next event
                arrive()
                arrival = next(arrivals, float("inf"))
            elif following > until:
                return events
            else:
                step()
            events += 1
