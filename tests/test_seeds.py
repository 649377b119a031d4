"""`sim.model.seeds` hashes a seed word for word as numpy's `SeedSequence` does, so the model's
streams (`sim.model.streams.stream`) are numpy's PCG64 streams of `SeedSequence(root_seed,
spawn_key=(rep, purpose, ...))` (checked against numpy itself, compiled or not)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.model.seeds import HashedSeed
from sim.model.streams import PURPOSES, stream

seeds = st.one_of(st.integers(0, 2**32 - 1), st.integers(0, 2**200))
keys = st.lists(st.one_of(st.integers(0, 300), st.integers(0, 2**70)), max_size=9).map(tuple)


@given(seeds, keys)
def test_the_pool_and_the_state_words_are_numpys(root_seed, spawn_key):
    numpys = np.random.SeedSequence(root_seed, spawn_key=spawn_key)
    ours = HashedSeed(root_seed, spawn_key)
    assert ours.pool == numpys.pool.tolist()
    for n_words, dtype in ((4, np.uint64), (8, np.uint32), (3, np.uint32), (1, np.uint64)):
        expected = numpys.generate_state(n_words, dtype)
        got = ours.generate_state(n_words, dtype)
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()


@given(st.integers(0, 2**64), st.integers(0, 10_000), st.sampled_from(range(len(PURPOSES))),
       st.lists(st.integers(0, 5_000), max_size=3))
def test_a_stream_draws_what_numpys_seed_sequence_would(root_seed, rep, purpose, more):
    numpys = np.random.Generator(np.random.PCG64(
        np.random.SeedSequence(root_seed, spawn_key=(rep, purpose, *more))))
    ours = stream(root_seed, rep, PURPOSES[purpose], *more)
    assert ours.bit_generator.state == numpys.bit_generator.state
    assert ours.random(5).tolist() == numpys.random(5).tolist()


def test_a_negative_seed_is_refused_as_numpy_refuses_it():
    with pytest.raises(ValueError):
        np.random.SeedSequence(-1)
    with pytest.raises(ValueError):
        HashedSeed(-1, ())
