"""Latin hypercube blocks of replications (`sim.model.strata`): within each block of ten
replications every tenth of (0, 1) is drawn once for each quantity and step; over many blocks the
draws are uniform and two quantities' draws are independent; a replication's draws do not depend
on how many steps or replications are asked for. The uncertain values' quantile functions are
checked against scipy's, an independent implementation."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sim.model.strata import BLOCK, stratified_normals, stratified_uniforms
from sim.scenario.uncertain import (
    UncertainBeta,
    UncertainLogNormal,
    UncertainNormal,
    UncertainTriangular,
    UncertainUniform,
)

SEED = 11


def uniforms(rep: int, *keys: int, count: int = 1) -> np.ndarray:
    return stratified_uniforms(SEED, rep, "uncertain", *keys, count=count)


@pytest.mark.parametrize("first_rep", [0, 10, 370])
def test_each_block_draws_every_tenth_once_for_each_step(first_rep):
    drawn = np.array([uniforms(rep, 5, 6, count=4) for rep in range(first_rep, first_rep + BLOCK)])
    for step in range(4):
        assert sorted(np.floor(drawn[:, step] * BLOCK).astype(int)) == list(range(BLOCK))


def test_a_replications_draws_do_not_depend_on_how_many_steps_are_asked_for():
    assert np.array_equal(uniforms(23, 1, count=5)[:2], uniforms(23, 1, count=2))
    assert uniforms(23, 1)[0] == uniforms(23, 1, count=3)[0]


def test_over_many_blocks_the_draws_are_uniform_and_two_quantities_independent():
    """4000 replications (400 blocks): Kolmogorov-Smirnov against the uniform, and the rank
    correlation of two quantities' draws within 4 standard errors (1 / sqrt(n - 1)) of 0."""
    reps = range(4000)
    first = np.array([uniforms(rep, 1, 2)[0] for rep in reps])
    second = np.array([uniforms(rep, 3, 4)[0] for rep in reps])
    assert stats.kstest(first, "uniform").pvalue > 1e-3
    assert abs(stats.spearmanr(first, second).statistic) < 4 / math.sqrt(len(first) - 1)
    assert np.all((first > 0) & (first < 1))


def test_stratified_normals_are_the_normal_quantiles_of_the_uniforms():
    assert np.allclose(stratified_normals(SEED, 7, "drift", 2, count=3),
                       stats.norm.ppf(stratified_uniforms(SEED, 7, "drift", 2, count=3)))


def test_the_median_of_a_block_lies_in_the_middle_fifth_of_the_distribution():
    """What stratifying buys: the median of ten replications' draws lies between the
    distribution's 40% and 60% quantiles in every block (with independent draws it falls
    outside about half the time: P(Binomial(10, 0.4) >= 5 or Binomial(10, 0.6) <= 4) ~ 0.53)."""
    for block in range(50):
        drawn = [uniforms(rep, 9)[0] for rep in range(block * BLOCK, (block + 1) * BLOCK)]
        assert 0.4 <= np.median(drawn) <= 0.6


@pytest.mark.parametrize("dist, expected", [
    (UncertainUniform(dist="uniform", low=0.12, high=0.18), stats.uniform(0.12, 0.06)),
    (UncertainNormal(dist="normal", mean=0.15, sd=0.02), stats.norm(0.15, 0.02)),
    (UncertainLogNormal(dist="lognormal", mean=0.15, cv=0.3),
     stats.lognorm(s=math.sqrt(math.log(1.09)), scale=0.15 / math.sqrt(1.09))),
    (UncertainBeta(dist="beta", alpha=2, beta=9), stats.beta(2, 9)),
    (UncertainTriangular(dist="triangular", low=0.1, mode=0.13, high=0.2),
     stats.triang(c=0.3, loc=0.1, scale=0.1)),
], ids=["uniform", "normal", "lognormal", "beta", "triangular"])
def test_each_distributions_quantile_is_scipys(dist, expected):
    for u in (1e-9, 0.01, 0.3, 0.29999, 0.5, 0.77, 0.999):
        assert dist.quantile(u) == pytest.approx(float(expected.ppf(u)), rel=1e-9, abs=1e-12)
