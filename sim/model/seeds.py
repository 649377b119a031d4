"""numpy's `SeedSequence` hash, word for word, without its per-call arrays.

`SeedSequence(entropy, spawn_key=keys).generate_state(n)` hashes the 32-bit words of the entropy
and of the keys into a pool of four words, then the pool into the n words asked for. A replication
makes some 3,000 streams (`sim.model.streams`) and numpy spends about 15 us on each seed, mostly
making small arrays; the same arithmetic on plain integers (compiled where it can be:
docs/compiled.md) gives the same words. The k-th hash of a run uses the k-th and (k+1)-th powers of
its multiplier, whatever it hashes, so those are tabled once (`_powers`).
`tests/test_seeds.py` checks the words and the streams against numpy's.
"""
from __future__ import annotations

import numpy as np
from numpy.random.bit_generator import ISeedSequence

POOL_SIZE = 4  # numpy's DEFAULT_POOL_SIZE
MASK_32 = 0xFFFFFFFF
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875  # mixing the entropy into the pool
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED  # drawing the words from the pool
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715


def _powers(initial: int, multiplier: int, n: int) -> list[int]:
    """initial x multiplier**k modulo 2**32, for k < n."""
    powers = [initial]
    while len(powers) < n:
        powers.append(powers[-1] * multiplier & MASK_32)
    return powers


def words_32(value: int) -> list[int]:
    """The 32-bit words of a non-negative integer, least significant first ([0] for 0)."""
    if value < 0:
        raise ValueError(f"a seed is a non-negative integer, not {value}")
    words = [value & MASK_32]
    value >>= 32
    while value:
        words.append(value & MASK_32)
        value >>= 32
    return words


def _hashed(value: int, before: int, after: int) -> int:
    """numpy's `hashmix` of a 32-bit word, its hash constant going from `before` to `after`."""
    value = (value ^ before) * after & MASK_32
    return value ^ (value >> 16)


# the hash constants of the usual seeds (entropy up to 12 words; 8 words drawn), tabled once
_POWERS_A = _powers(INIT_A, MULT_A, POOL_SIZE * (POOL_SIZE + 12))
_POWERS_B = _powers(INIT_B, MULT_B, 9)


def mixed_pool(entropy: list[int]) -> list[int]:
    """`SeedSequence.mix_entropy`: the pool of four 32-bit words hashed from `entropy` (words):
    each of the first four words hashed, then each pool word hashed and mixed into every other
    one, then each further entropy word hashed and mixed into every pool word."""
    needed = POOL_SIZE * (POOL_SIZE + max(len(entropy), POOL_SIZE))
    powers = _POWERS_A if needed <= len(_POWERS_A) else _powers(INIT_A, MULT_A, needed)
    pool = [_hashed(entropy[i] if i < len(entropy) else 0, powers[i], powers[i + 1])
            for i in range(POOL_SIZE)]
    k = POOL_SIZE
    for source, target in _mixing_order(len(entropy)):
        value = pool[source] if source < POOL_SIZE else entropy[source]
        before, after, into = powers[k], powers[k + 1], pool[target]
        value = (value ^ before) * after & MASK_32  # `_hashed`, inline (the hot loop)
        value ^= value >> 16
        mixed = (MIX_MULT_L * into - MIX_MULT_R * value) & MASK_32
        pool[target] = mixed ^ (mixed >> 16)
        k += 1
    return pool


def _mixing_order(n_entropy: int) -> list[tuple[int, int]]:
    """(source, target) of each mixing step: sources below POOL_SIZE are pool words, the others
    entropy words."""
    order = _ORDERS.get(n_entropy)
    if order is None:
        order = _ORDERS[n_entropy] = (
            [(source, target) for source in range(POOL_SIZE) for target in range(POOL_SIZE)
             if source != target]
            + [(source, target) for source in range(POOL_SIZE, n_entropy)
               for target in range(POOL_SIZE)])
    return order


_ORDERS: dict[int, list[tuple[int, int]]] = {}


def state_words(pool: list[int], n: int) -> list[int]:
    """`SeedSequence.generate_state(n)`: n 32-bit words drawn from the pool."""
    powers = _POWERS_B if n < len(_POWERS_B) else _powers(INIT_B, MULT_B, n + 1)
    return [_hashed(pool[k % POOL_SIZE], powers[k], powers[k + 1]) for k in range(n)]


class HashedSeed(ISeedSequence):
    """The seed `SeedSequence(entropy, spawn_key=spawn_key)` would be, for a bit generator."""

    def __init__(self, entropy: int, spawn_key: tuple[int, ...]) -> None:
        words = words_32(entropy)
        if spawn_key and len(words) < POOL_SIZE:
            words += [0] * (POOL_SIZE - len(words))
        for key in spawn_key:
            words += words_32(key)
        self.pool = mixed_pool(words)

    def generate_state(self, n_words: int, dtype=np.uint32) -> np.ndarray:
        """n_words words of `dtype` (numpy's uint32 or uint64, as `SeedSequence`'s)."""
        if np.dtype(dtype) == np.dtype(np.uint64):  # pairs of words, the first the low half
            words = state_words(self.pool, 2 * n_words)
            return np.array([words[i] | words[i + 1] << 32 for i in range(0, 2 * n_words, 2)],
                            dtype=np.uint64)
        return np.array(state_words(self.pool, n_words), dtype=np.uint32)
