"""Who may receive a new case: workers taken out of allocation (gone or on notice) never do."""
from __future__ import annotations

from builders import scenario

from sim.model.allocation import Allocator
from sim.model.cases import STAGES
from sim.model.council import Council
from sim.model.people import PERMANENT, Worker


def test_touching_a_removed_worker_does_not_bring_them_back():
    allocator = Allocator(list(STAGES), hard_cap=False, assign=lambda case, worker: None)
    worker = Worker(PERMANENT, "sw", 20.0, 0.0)
    allocator.add_worker(worker)
    allocator.remove_worker(worker)
    allocator.touch(worker)  # e.g. a case of theirs closed
    assert worker.version == -1
    assert allocator._best_worker() is None


def test_workers_on_notice_take_no_new_cases():
    """High turnover and a long notice: many allocations would go to leavers if they could."""
    sc = scenario({"workforce": {"turnover": {"annual_rate": 0.8,
                                              "notice_days": {"dist": "fixed", "value": 90}}}})
    council = Council(sc, 0, 1)
    assign = council.allocator._assign
    to_leavers, allocations = [], []

    def recording_assign(case, worker):
        allocations.append(worker)
        to_leavers.append(worker.on_notice)
        assign(case, worker)

    council.allocator._assign = recording_assign
    council.run()
    assert council.counts.leavers > 10 and len(allocations) > 1000
    assert not any(to_leavers)


def _choices(rebuild_every: int | None, steps: int = 400) -> list[int]:
    """Which worker (by number) gets each case, with cases closing at random and a rebuild of the
    worker heap every `rebuild_every` steps (never if None). The clock stands still, so workers
    tie on spare capacity and on the day of their last allocation again and again."""
    import random

    rng = random.Random(7)
    workers = [Worker(PERMANENT, "sw", 5.0, 0.0) for _ in range(6)]
    number = {worker: i for i, worker in enumerate(workers)}
    chosen: list[int] = []

    def assign(_case, worker):
        chosen.append(number[worker])
        worker.n += 1
        allocator.touch(worker)

    allocator = Allocator(list(STAGES), hard_cap=False, assign=assign)
    for worker in workers:
        allocator.add_worker(worker)
    for step in range(steps):
        if rng.random() < 0.5:
            allocator.offer(object())
        else:
            worker = rng.choice(workers)
            if worker.n:
                worker.n -= 1
                allocator.touch(worker)
        if rebuild_every and step % rebuild_every == 0:
            allocator._rebuild()
    return chosen


def test_rebuilding_the_worker_heap_leaves_who_gets_each_case_alone():
    """Dropping stale heap entries is housekeeping: workers who tie on spare capacity and on their
    last allocation day keep their order (who was re-keyed first), wherever the rebuild happens."""
    assert _choices(None) == _choices(3) == _choices(17)
