"""The model's SimPy environment: SimPy's own queue, plus arrivals taken from a list drawn in advance
and a light queue of case events.

Referral times are drawn up front (`sim.model.demand`), so they need not wait in SimPy's event
queue: `run_merged` steps SimPy as usual and, whenever the next arrival comes before SimPy's next
event, moves the clock to it and calls the arrival. The order of events is the same as if each
arrival were a SimPy event (ties between a continuous arrival time and another event have
probability zero); the queue is spared one push and one pop per referral.

Case events (a case closing, mostly) go to `case_events` (`sim.model.heaps.CaseEvents`), called at
their day exactly, with no SimPy event object. Their sequence numbers come from SimPy's own
counter, so a case event and a SimPy event due at the same day run in the order they were
scheduled, as if both were SimPy events of normal priority (the model schedules no other kind).
"""
from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.model.heaps import INFINITY, CaseEvents


class Environment(simpy.Environment):
    """A `simpy.Environment` whose run loop also takes arrivals from a sorted list of times and
    case events from `CaseEvents` of their own."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.case_events = CaseEvents(self._eid)

    def clear(self) -> None:
        """Drop every pending event (at the end of a run)."""
        self._queue.clear()
        self.case_events.clear()

    def run_merged(self, until: float, arrival_days: list[float],
                   arrive: Callable[[], None]) -> int:
        """Process SimPy events, case events and the arrivals at `arrival_days` (sorted, days) in
        time order, up to and including `until` (days); returns the number of events processed,
        arrivals and case events included."""
        return run_merged(self, until, arrival_days, arrive)


def run_merged(env: Environment, until: float, arrival_days: list[float],
               arrive: Callable[[], None]) -> int:
    """`Environment.run_merged`'s loop (a function of its own, so that it can be compiled with
    typed locals: see docs/compiled.md)."""
    step, queue, cases = env.step, env._queue, env.case_events
    n_arrivals = len(arrival_days)
    next_arrival = 0
    arrival = arrival_days[0] if n_arrivals else INFINITY
    events = 0
    while True:
        following = queue[0][0] if queue else INFINITY
        case_day = cases.first_day()
        case_first = case_day < following or (case_day == following < INFINITY
                                               and cases.first_sequence() < queue[0][2])
        day = case_day if case_first else following
        if arrival < day:
            if arrival > until:
                return events
            env._now = arrival  # SimPy's clock: an arrival is due before its next event
            arrive()
            next_arrival += 1
            arrival = arrival_days[next_arrival] if next_arrival < n_arrivals else INFINITY
        elif day > until:
            return events
        elif case_first:
            env._now = case_day
            _, callback, argument = cases.pop()
            callback(argument)
        else:
            step()
        events += 1
