"""Random streams: one root seed, one child stream per replication and purpose.

`SeedSequence(root_seed, spawn_key=(rep, purpose, ...))` makes every purpose of every replication an
independent stream that does not depend on which other streams exist or how much they were used, so
the same purpose draws the same numbers in every scenario of a comparison (common random numbers).
"""
import numpy as np

PURPOSES: tuple[str, ...] = (
    "arrivals",      # candidate referral times and thinning
    "cases",         # per-case rows: front door, outcomes, durations (keyed further by block)
    "initial",       # remaining durations of the starting stock
    "turnover",      # resignations of permanent staff, notice periods (keyed further by post)
    "recruitment",   # campaigns, success, level of starters (keyed further by post)
    "agency",        # cover decisions, start delays, agency departures (keyed further by post)
    "managers",      # managers' departures and campaigns
    "overflow",      # case stages beyond the pre-drawn rows
)
_PURPOSE_KEY = {name: i for i, name in enumerate(PURPOSES)}


def seed_sequence(root_seed: int, rep: int, purpose: str, *more: int) -> np.random.SeedSequence:
    """The seed of one purpose of one replication (with optional further keys, e.g. a block)."""
    return np.random.SeedSequence(root_seed, spawn_key=(rep, _PURPOSE_KEY[purpose], *more))


def stream(root_seed: int, rep: int, purpose: str, *more: int) -> np.random.Generator:
    """A generator for one purpose of one replication."""
    return np.random.Generator(np.random.PCG64(seed_sequence(root_seed, rep, purpose, *more)))
