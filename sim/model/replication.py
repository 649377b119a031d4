"""What one replication returns: metric samples over time."""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Replication:
    """Metric samples of one replication.

    days: sample times, days since the scenario's `start` (shape (n,)).
    values: metric values, one column per name in `sim.model.metrics.METRIC_NAMES` (shape (n, m)).
    events: events processed by the replication (warm-up included): SimPy events and referral
    arrivals (which the run loop takes from their pre-drawn list).
    """

    rep: int
    days: np.ndarray
    values: np.ndarray
    events: int
