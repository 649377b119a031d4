"""Quantiles of a forecast from a few replications.

- `mixture_quantiles`: a published figure that is each replication's state times a factor of known
  distribution (a normal of given median and sd in the log, or in the logit for a rate) has as its
  forecast distribution the mixture, over replications, of those normals about each state. Its
  quantiles are found by bisection on the mixture's distribution function: the factor is
  integrated exactly instead of drawn once per replication (a Rao-Blackwellised estimate), so
  the median carries no Monte Carlo noise of the factor and a band is not narrowed by the order
  statistics of a few draws. The factor may instead be a `Kernel`, a scale mixture of normals of
  the same sd: DfE's panel's changes are heavy-tailed (most councils move little, a few a lot),
  so a normal of their variance makes the 50% and 90% bands too wide where most councils lie
  and its far tails too thin.
- `sample_quantiles`: for a figure with no such factor, the replications' own quantiles, placed
  where a band holds a new draw of the same distribution as often as it says (`band_coverage`).
- `factor_sd_beyond_state`: the factor's sd that the model's state leaves to it. A published
  figure's h-year change about its start has, in DfE's panel, the variance of the factors plus h
  steps of the walk beside them; the replications' state already spreads by its own variance (the
  walks and uncertain assumptions it plays out), so the factor carries the rest (difference of
  squares, at least 0): otherwise the same movement is counted twice, once in the state and once
  in the factor estimated from the panel's changes.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

BISECTIONS = 64
"""Halvings of the bracket: far below any figure's precision from a bracket of some tens of
sds."""
BRACKET_SDS = 9.0
"""The bracket reaches this many kernel sds beyond the outermost replication (the normal's
tail beyond is below 1e-18)."""


def to_scale(values: np.ndarray, scale: str) -> np.ndarray:
    """`values` in the log or logit; 0 is -inf (and a rate of 1 +inf)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore"):
        return np.log(values) if scale == "log" else special.logit(values)


def from_scale(values: np.ndarray, scale: str) -> np.ndarray:
    """The inverse of `to_scale`."""
    return np.exp(values) if scale == "log" else special.expit(values)


@dataclass(frozen=True)
class Kernel:
    """A factor's shape: a scale mixture of normals, with probability `weights[j]` a normal of sd
    `scales[j]` times the factor's, the weights summing to 1 and sum w s^2 = 1 (the factor's sd
    is the mixture's). One component of scale 1 is the normal."""

    weights: tuple[float, ...] = (1.0,)
    scales: tuple[float, ...] = (1.0,)

    def __post_init__(self) -> None:
        weights, scales = np.asarray(self.weights), np.asarray(self.scales)
        if (weights.shape != scales.shape or np.any(weights < 0) or np.any(scales <= 0)
                or not math.isclose(weights.sum(), 1.0, rel_tol=1e-9)
                or not math.isclose(float(weights @ scales ** 2), 1.0, rel_tol=1e-6)):
            raise ValueError(f"not a unit-variance scale mixture: {self}")


NORMAL = Kernel()


def mixture_quantiles(values: np.ndarray, scale: str, shift: float, sd: float,
                      probabilities: Sequence[float], kernel: Kernel = NORMAL) -> np.ndarray:
    """The `probabilities` (0-1) quantiles of the mixture over `values` (one per replication,
    finite, on the natural scale) of factors of median `shift`, sd `sd` > 0 and shape `kernel`
    (a normal unless given) about each value in `scale` ("log" or "logit"), back on the natural
    scale. A value at an end of the scale (0, or a rate of 1) is a point mass there (the factor
    leaves it as it is)."""
    if sd <= 0:
        raise ValueError(f"the factor's sd must be above 0 (got {sd})")
    centres = to_scale(values, scale) + shift
    inner = centres[np.isfinite(centres)]
    share_low = float(np.mean(centres == -np.inf))
    wanted = np.asarray(probabilities, dtype=float)
    if not inner.size:
        low_end, high_end = from_scale(np.array([-np.inf, np.inf]), scale)
        return np.where(wanted <= share_low, low_end, high_end)
    sds = sd * np.asarray(kernel.scales)
    weights = np.asarray(kernel.weights)
    low = np.full(wanted.shape, inner.min() - BRACKET_SDS * sds.max())
    high = np.full(wanted.shape, inner.max() + BRACKET_SDS * sds.max())
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        distance = (middle[:, None, None] - inner[None, :, None]) / sds
        below = share_low + (special.ndtr(distance) @ weights).sum(axis=1) / centres.size
        under = below < wanted
        low = np.where(under, middle, low)
        high = np.where(under, high, middle)
    share_high = float(np.mean(centres == np.inf))
    found = (low + high) / 2
    found = np.where(wanted <= share_low, -np.inf, found)
    found = np.where(wanted >= 1 - share_high, np.inf, found)
    return from_scale(found, scale)


def factor_sd_beyond_state(factor_sd: float, walk_sd: float, years: float,
                           state: np.ndarray) -> float:
    """The sd of a published figure's factor beyond what the model's state spreads by: sqrt(max(0,
    `factor_sd`^2 + `years` x `walk_sd`^2 - the variance of `state`)), all in the factor's scale
    (`state`: the replications' states there, finite; their variance with n - 1). `factor_sd` is
    the factors' sd over the start's and `walk_sd` the yearly step of the walk beside them in
    DfE's panel: together, the variance of the panel's changes over `years` (module docstring)."""
    spread = float(np.var(state, ddof=1)) if state.size > 1 else 0.0
    return math.sqrt(max(0.0, factor_sd ** 2 + years * walk_sd ** 2 - spread))


def sample_quantiles(values: np.ndarray, probabilities: Sequence[float] | float,
                     axis: int | None = None) -> np.ndarray:
    """The `probabilities` (0-1) quantiles of `values` (along `axis`; missing values left out)
    at positions p (n + 1) of the n sorted values (numpy's "weibull" method): the k-th of n
    draws is below a new draw's value with probability k / (n + 1), so the band between two such
    quantiles holds a new draw as often as it says (`band_coverage`). Numpy's default (linear,
    positions p (n - 1) + 1) makes the 5%-95% band of 20 draws hold a new one 81% of the time."""
    values = np.asarray(values, dtype=float)
    if not np.isnan(values).any():
        return np.quantile(values, probabilities, axis=axis, method="weibull")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all missing: nan
        return np.nanquantile(values, probabilities, axis=axis, method="weibull")


def band_coverage(reps: int, low: float, high: float) -> float:
    """About how often the band from the `low` to the `high` quantile (0-1) of `reps` draws
    (`sample_quantiles`) holds one more draw of the same distribution: (position of high -
    position of low) / (reps + 1), positions p (reps + 1) held within 1..reps. It is high - low
    once reps + 1 >= 1 / low and 1 / (1 - high) (19 draws for 5%-95%); fewer draws cannot reach
    the outer quantiles."""
    def position(q: float) -> float:
        return min(max(q * (reps + 1), 1.0), float(reps))
    return (position(high) - position(low)) / (reps + 1)
