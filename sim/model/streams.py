"""Random streams: one root seed, one child stream per replication, purpose and use.

`SeedSequence(root_seed, spawn_key=(rep, purpose, ...))` makes every purpose of every replication an
independent stream that does not depend on which other streams exist or how much they were used, so
the same purpose draws the same numbers in every scenario of a comparison (common random numbers).
Every random quantity has a stream of its own, keyed further by what it is for (and by post, case
block or stage), so that changing one parameter never shifts the draws of another: a gamma time to
hire with a new cv uses a different number of raw draws, and must not move the success draws.
"""
import hashlib

import numpy as np

from sim.model.seeds import HashedSeed

PURPOSES: tuple[str, ...] = (
    "arrivals",      # candidate referral times and thinning (keyed by part)
    "cases",         # per-case rows: outcomes, durations, re-referral (keyed by space, block, part)
    "initial",       # the starting state: stock durations by stage, NQSW progression, notice
    "turnover",      # resignations of permanent staff (keyed by post and part)
    "recruitment",   # campaigns: time to hire, success, starter level (keyed by post and part)
    "agency",        # cover decisions, start delays, agency stays (keyed by post and part)
    "managers",      # managers' stays, times to hire, campaigns under way (keyed by part)
    "overflow",      # case stages beyond the pre-drawn rows (keyed by stage, or outcomes)
    "uncertain",     # uncertain assumptions, one draw per replication (keyed by `key_of_path`)
    "drift",         # yearly random walks: referrals, turnover, posts, agency (keyed by walk)
    "reporting",     # one-off factors of DfE's measures at each census (keyed by census year)
    "strata",        # Latin hypercube blocks of replications (`sim.model.strata`; keyed by block,
                     # the purpose and keys of what they stratify)
)
_PURPOSE_KEY = {name: i for i, name in enumerate(PURPOSES)}

# keys under "initial"
INITIAL_STOCK, INITIAL_PROGRESSION, INITIAL_NOTICE = 0, 1, 2
# key under "overflow" of the outcome uniforms (its durations are keyed by stage, 0-3)
OVERFLOW_OUTCOMES = 4


def stream(root_seed: int, rep: int, purpose: str, *more: int) -> np.random.Generator:
    """A generator for one purpose of one replication (with optional further keys, e.g. a block):
    PCG64 seeded as by `SeedSequence(root_seed, spawn_key=(rep, purpose's number, *more))`, with
    that seed's words hashed by `sim.model.seeds` (the same words, faster)."""
    return np.random.Generator(np.random.PCG64(
        HashedSeed(root_seed, (rep, _PURPOSE_KEY[purpose], *more))))


def key_of_path(dotted_key: str) -> tuple[int, int]:
    """Two 32-bit spawn keys from a scenario's dotted key (its SHA-256 digest, stable across
    processes and Python versions, unlike `hash`)."""
    digest = hashlib.sha256(dotted_key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little")
