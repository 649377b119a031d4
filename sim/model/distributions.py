"""Duration distributions given as {dist, mean, cv, ...}: vectorised sampling, in days.

Every distribution is parametrised by what an analyst knows (a mean and a coefficient of variation)
and sampled in blocks. `sample_length_biased` draws from the length-biased distribution (density
proportional to x f(x)); a uniform fraction of such a draw is the equilibrium residual life, used for
the remaining duration of something already under way at the start of a run.
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _gamma_shape_scale(mean: float, cv: float) -> tuple[float, float]:
    shape = 1.0 / cv**2
    return shape, mean / shape


def lognormal_mu_sigma(mean: float, cv: float) -> tuple[float, float]:
    sigma2 = np.log1p(cv**2)
    return np.log(mean) - sigma2 / 2, np.sqrt(sigma2)


def _empirical_pmf(d: Any) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(d.values, dtype=float)
    weights = np.asarray(d.weights, dtype=float)
    return values, weights / weights.sum()


def mean_of(d: Any) -> float:
    """The mean of a distribution (days)."""
    kind = d.dist
    if kind == "fixed":
        return float(d.value)
    if kind in ("exponential", "gamma", "lognormal"):
        return float(d.mean)
    if kind == "uniform":
        return (d.low + d.high) / 2
    values, p = _empirical_pmf(d)
    return float(values @ p)


def sample(d: Any, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
    """Draw `size` values (days) from distribution `d`."""
    kind = d.dist
    if kind == "fixed":
        return np.full(size, float(d.value))
    if kind == "exponential":
        return rng.exponential(d.mean, size)
    if kind == "gamma":
        shape, scale = _gamma_shape_scale(d.mean, d.cv)
        return rng.gamma(shape, scale, size)
    if kind == "lognormal":
        mu, sigma = lognormal_mu_sigma(d.mean, d.cv)
        return rng.lognormal(mu, sigma, size)
    if kind == "uniform":
        return rng.uniform(d.low, d.high, size)
    if kind == "empirical":
        values, p = _empirical_pmf(d)
        return values[np.searchsorted(np.cumsum(p), rng.random(size), side="right").clip(
            max=len(values) - 1)]
    raise ValueError(f"unknown distribution {kind!r}")


def sample_length_biased(d: Any, rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw from the length-biased version of `d` (density x f(x) / mean), in days."""
    kind = d.dist
    if kind == "fixed":
        return np.full(size, float(d.value))
    if kind == "exponential":
        return rng.gamma(2.0, d.mean, size)
    if kind == "gamma":
        shape, scale = _gamma_shape_scale(d.mean, d.cv)
        return rng.gamma(shape + 1.0, scale, size)
    if kind == "lognormal":
        mu, sigma = lognormal_mu_sigma(d.mean, d.cv)
        return rng.lognormal(mu + sigma**2, sigma, size)
    if kind == "uniform":
        low, high = float(d.low), float(d.high)
        if high == low:
            return np.full(size, low)
        # inverse CDF of density proportional to x on [low, high]
        return np.sqrt(low**2 + rng.random(size) * (high**2 - low**2))
    if kind == "empirical":
        values, p = _empirical_pmf(d)
        biased = p * values
        if biased.sum() == 0:
            return np.zeros(size)
        cumulative = np.cumsum(biased / biased.sum())
        return values[np.searchsorted(cumulative, rng.random(size), side="right").clip(
            max=len(values) - 1)]
    raise ValueError(f"unknown distribution {kind!r}")


def sample_residual(d: Any, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Equilibrium (remaining, elapsed) durations in days of `size` things already under way."""
    total = sample_length_biased(d, rng, size)
    share_left = rng.random(size)
    return share_left * total, (1.0 - share_left) * total


class Draws:
    """Values from one distribution and stream, drawn in blocks and handed out one at a time."""

    def __init__(self, d: Any, rng: np.random.Generator, block: int = 256) -> None:
        self._d, self._rng, self._block = d, rng, block
        self._values: list[float] = []

    def __call__(self) -> float:
        if not self._values:
            self._values = sample(self._d, self._rng, self._block).tolist()
            self._values.reverse()
        return self._values.pop()


class Uniforms:
    """Uniform(0, 1) numbers from one stream, drawn in blocks and handed out one at a time."""

    def __init__(self, rng: np.random.Generator, block: int = 256) -> None:
        self._rng, self._block = rng, block
        self._values: list[float] = []

    def __call__(self) -> float:
        if not self._values:
            self._values = self._rng.random(self._block).tolist()
        return self._values.pop()
