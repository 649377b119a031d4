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
