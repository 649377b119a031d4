"""The unit of work a worker runs: a chunk of replications of one scenario.

Kept apart from `sim.runner.batch` so that a worker process imports only the model and the store, not
the parent's statistics, progress bars and tables (worker start-up is part of every batch).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.model.metrics import METRIC_NAMES
from sim.runner.store import Chunk
from sim.scenario.uncertain import resolve

Replicate = Callable[[Any, int, int], Any]
"""`replicate(scenario, rep, root_seed) -> Replication`: one replication, a pure function."""


@dataclass(frozen=True)
class ChunkTask:
    """Replications `first`..`last` (inclusive) of one scenario: the unit of work a worker runs."""

    scenario: Any
    first: int
    last: int
    seed: int
    replicate: Replicate

    @property
    def label(self) -> str:
        """How failures name this task."""
        return f"replications {self.first}-{self.last} of {self.scenario.name}"


def run_chunk(task: ChunkTask) -> Chunk:
    """Run one chunk of replications (a module-level function, so worker processes can run it).

    Each replication runs its own concrete scenario: the uncertain assumptions drawn for it
    (`sim.scenario.uncertain.resolve`), whose values the chunk keeps."""
    replications, draws = [], []
    for rep in range(task.first, task.last + 1):
        concrete, drawn = resolve(task.scenario, rep, task.seed)
        replication = task.replicate(concrete, rep, task.seed)
        if replication.rep != rep:
            raise ValueError(f"replication {rep} of {task.scenario.name} "
                             f"says it is {replication.rep}")
        replications.append(replication)
        draws.append(drawn)
    return Chunk.from_replications(task.scenario.name, replications, len(METRIC_NAMES), draws)
