"""`Call`: the model's one kind of SimPy event, a timeout that calls a function when it fires."""
from __future__ import annotations

from collections.abc import Callable

import simpy


class Call(simpy.events.Event):
    """A timeout that calls `callback(*args)` when it fires: a SimPy event with no process.

    Lighter than `Timeout` plus a closure (it is the model's most common object): it is born
    triggered and scheduled `delay` days ahead, like a Timeout.
    """

    def __init__(self, env: simpy.Environment, delay: float, callback: Callable,
                 args: tuple) -> None:
        self.env = env
        self.callbacks = FIRE  # shared: nothing else waits on a Call, and SimPy only iterates it
        self._value = None
        self._ok = True
        self.callback = callback
        self.args = args
        env.schedule(self, simpy.events.NORMAL, delay)


def _fire(event: Call) -> None:
    event.callback(*event.args)


FIRE = (_fire,)
