"""The run loop that merges pre-drawn arrivals with SimPy's events (`sim.model.environment`)."""
from __future__ import annotations

from sim.model.call import Call
from sim.model.environment import Environment


def run_logged(event_days, arrival_days, until, initial_time=0.0):
    env = Environment(initial_time=initial_time)
    log = []
    for day in event_days:
        Call(env, day - initial_time, lambda day=day: log.append(("event", day, env.now)), ())
    processed = env.run_merged(until, arrival_days, lambda: log.append(("arrival", env.now)))
    return log, processed, env


def test_arrivals_and_events_come_in_time_order_with_the_clock_at_each():
    log, processed, _ = run_logged([1.0, 3.0, 5.0], [0.5, 2.0, 4.0, 6.0], until=5.0)
    assert log == [("arrival", 0.5), ("event", 1.0, 1.0), ("arrival", 2.0), ("event", 3.0, 3.0),
                   ("arrival", 4.0), ("event", 5.0, 5.0)]
    assert processed == 6


def test_nothing_after_until_is_processed():
    log, processed, env = run_logged([2.0, 9.0], [1.0, 8.0], until=5.0)
    assert log == [("arrival", 1.0), ("event", 2.0, 2.0)]
    assert processed == 2
    assert env.peek() == 9.0  # the later event is still pending


def test_an_arrival_exactly_at_until_is_processed():
    log, processed, _ = run_logged([], [1.0, 5.0], until=5.0)
    assert log == [("arrival", 1.0), ("arrival", 5.0)] and processed == 2


def test_events_an_arrival_schedules_run_in_order_with_the_rest():
    env = Environment(initial_time=-10.0)
    log = []

    def arrive():
        log.append(("arrival", env.now))
        Call(env, 1.5, lambda now=env.now: log.append(("follow-up of", now, env.now)), ())

    Call(env, 11.0, lambda: log.append(("event", env.now)), ())  # at day 1
    processed = env.run_merged(10.0, [-9.0, 0.0], arrive)
    assert log == [("arrival", -9.0), ("follow-up of", -9.0, -7.5), ("arrival", 0.0),
                   ("event", 1.0), ("follow-up of", 0.0, 1.5)]
    assert processed == 5


def test_no_arrivals_runs_simpy_alone():
    log, processed, _ = run_logged([1.0, 2.0], [], until=10.0)
    assert [entry[0] for entry in log] == ["event", "event"] and processed == 2
