"""Forecast quantiles from few replications (`sim.analysis.predictive`): the mixture of each
replication's state and a known factor has the closed-form quantiles where there is one, the
quantiles of drawing the factor many times where there is not, and sample bands hold a new draw
as often as they say."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import optimize, special, stats

from sim.analysis.predictive import (Kernel, band_coverage, factor_sd_beyond_state,
                                     mixture_quantiles, sample_quantiles)

PROBABILITIES = [0.05, 0.25, 0.5, 0.75, 0.95]


def test_one_replication_gives_the_factors_own_quantiles():
    """One state of 20 with a log factor of median +0.1 and sd 0.3: 20 exp(0.1 + 0.3 z_p)."""
    found = mixture_quantiles(np.array([20.0]), "log", 0.1, 0.3, PROBABILITIES)
    assert found == pytest.approx(20 * np.exp(0.1 + 0.3 * stats.norm.ppf(PROBABILITIES)),
                                  rel=1e-9)


def test_normal_states_and_a_normal_factor_give_a_normal_of_both_spreads():
    """States whose logits are N(-1.5, 0.4^2) (2,000 at its quantiles), a logit factor of sd 0.3:
    the mixture is N(-1.5, 0.4^2 + 0.3^2) = N(-1.5, 0.5^2) in the logit."""
    states = special.expit(-1.5 + 0.4 * stats.norm.ppf((np.arange(2000) + 0.5) / 2000))
    found = mixture_quantiles(states, "logit", 0.0, 0.3, PROBABILITIES)
    assert special.logit(found) == pytest.approx(-1.5 + 0.5 * stats.norm.ppf(PROBABILITIES),
                                                 abs=0.005)


def test_the_mixture_is_what_drawing_the_factor_many_times_gives():
    """Five unequal states, each times 200,000 drawn factors (log sd 0.25): the drawn sample's
    quantiles, within their Monte Carlo error, are the mixture's."""
    states = np.array([8.0, 11.0, 12.0, 19.0, 30.0])
    generator = np.random.default_rng(5)
    drawn = (states[:, None] * np.exp(0.25 * generator.standard_normal((5, 200_000)))).ravel()
    assert mixture_quantiles(states, "log", 0.0, 0.25, PROBABILITIES) == pytest.approx(
        np.quantile(drawn, PROBABILITIES), rel=0.005)


def test_a_rate_at_0_stays_a_point_mass_at_0():
    """Three of five replications have no agency worker (rate 0, which a factor leaves as it is):
    the 5%-50% quantiles are 0; the 95% is the two others' mixture's 87.5% (of 5: 0.6 + 0.4 x
    0.875)."""
    states = np.array([0.0, 0.0, 0.0, 0.2, 0.2])
    found = mixture_quantiles(states, "logit", 0.0, 0.4, PROBABILITIES)
    assert np.array_equal(found[:3], [0.0, 0.0, 0.0])
    assert found[4] == pytest.approx(special.expit(special.logit(0.2)
                                                   + 0.4 * stats.norm.ppf(0.875)), rel=1e-6)
    assert np.array_equal(mixture_quantiles(np.zeros(4), "logit", 0.0, 0.4, [0.5, 0.95]),
                          [0.0, 0.0])


def test_an_sd_of_0_is_refused():
    with pytest.raises(ValueError, match="sd must be above 0"):
        mixture_quantiles(np.array([1.0]), "log", 0.0, 0.0, [0.5])


@pytest.mark.parametrize("reps", [5, 20])
def test_sample_bands_hold_a_new_draw_as_often_as_band_coverage_says(reps):
    """20,000 trials of `reps` uniform draws and one more: the share of new draws inside the
    p25-p75 and p05-p95 sample bands is band_coverage's, within 4 sds of its binomial error."""
    trials = 20_000
    generator = np.random.default_rng(reps)
    draws = generator.random((trials, reps + 1))
    bands = np.array([sample_quantiles(row[:reps], [0.05, 0.25, 0.75, 0.95])
                      for row in draws]).T
    new = draws[:, reps]
    for (low, high), (q_low, q_high) in (((bands[1], bands[2]), (0.25, 0.75)),
                                         ((bands[0], bands[3]), (0.05, 0.95))):
        share = np.mean((low <= new) & (new <= high))
        expected = band_coverage(reps, q_low, q_high)
        assert share == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / trials))


def test_band_coverage_is_nominal_once_the_draws_reach_the_band():
    # 5 draws: p25-p75 at positions 1.5 and 4.5 of 5: 3 / 6; p05-p95 held at 1 and 5: 4 / 6
    assert band_coverage(5, 0.25, 0.75) == pytest.approx(0.5)
    assert band_coverage(5, 0.05, 0.95) == pytest.approx(4 / 6)
    assert band_coverage(20, 0.05, 0.95) == pytest.approx(0.9)


def test_the_factor_carries_the_panels_change_spread_less_the_states():
    """State spread 0.1 (log sd), the panel's factors 0.15 over the start and a walk of 0.05 a
    year over 2 years: the factor keeps sqrt(0.15^2 + 2 x 0.05^2 - 0.1^2), so state and factor
    together spread by the panel's sqrt(0.15^2 + 2 x 0.05^2) (drawn: within a few %); a state
    that spreads more than the panel's changes leaves the factor nothing."""
    rng = np.random.default_rng(11)
    state = rng.normal(0.0, 0.1, 4000)
    sd = factor_sd_beyond_state(0.15, 0.05, 2, state)
    assert sd == pytest.approx(math.sqrt(0.15 ** 2 + 2 * 0.05 ** 2 - np.var(state, ddof=1)))
    published = state + rng.normal(0.0, sd, state.size)
    assert np.std(published) == pytest.approx(math.hypot(0.15, math.sqrt(2) * 0.05), rel=0.04)
    assert factor_sd_beyond_state(0.05, 0.0, 1, rng.normal(0.0, 0.2, 200)) == 0.0
    assert factor_sd_beyond_state(0.05, 0.01, 1, np.array([0.3])) == pytest.approx(
        math.hypot(0.05, 0.01))


def test_a_scale_mixture_kernel_gives_the_mixtures_own_quantiles():
    """One state of 20 and a log factor of sd 0.3 shaped as a scale mixture (85% a normal of sd
    0.3 a, 15% one of sd 0.3 a 3.6; a = 1 / sqrt(0.85 + 0.15 x 3.6^2) so the sd is 0.3): the
    quantiles solve 0.85 Phi(x / (0.3 a)) + 0.15 Phi(x / (1.08 a)) = p (brentq)."""
    narrow = 1 / math.sqrt(0.85 + 0.15 * 3.6 ** 2)
    kernel = Kernel((0.85, 0.15), (narrow, narrow * 3.6))
    found = mixture_quantiles(np.array([20.0]), "log", 0.0, 0.3, PROBABILITIES, kernel)

    def quantile(p: float) -> float:
        return optimize.brentq(lambda x: 0.85 * stats.norm.cdf(x / (0.3 * narrow))
                               + 0.15 * stats.norm.cdf(x / (0.3 * narrow * 3.6)) - p, -5, 5)
    assert found == pytest.approx([20 * math.exp(quantile(p)) for p in PROBABILITIES], rel=1e-9)
    # the same variance as the normal's, narrower in the middle and wider at the ends
    normal = mixture_quantiles(np.array([20.0]), "log", 0.0, 0.3, PROBABILITIES)
    assert found[1] > normal[1] and found[3] < normal[3]


def test_a_band_of_the_right_shape_holds_heavy_tailed_outcomes_as_often_as_it_says():
    """Outcomes about a known state drawn from a heavy-tailed factor (the mixture above): the
    bands of that kernel hold 50% and 90% of them; a normal of the same sd, too wide where most
    of them lie, holds too many in both (58% and 93%)."""
    narrow = 1 / math.sqrt(0.85 + 0.15 * 3.6 ** 2)
    kernel = Kernel((0.85, 0.15), (narrow, narrow * 3.6))
    rng = np.random.default_rng(7)
    wide = rng.random(40_000) < 0.15
    outcomes = 10 * np.exp(0.2 * narrow * np.where(wide, 3.6, 1.0) * rng.standard_normal(40_000))
    shaped = mixture_quantiles(np.array([10.0]), "log", 0.0, 0.2, PROBABILITIES, kernel)
    normal = mixture_quantiles(np.array([10.0]), "log", 0.0, 0.2, PROBABILITIES)

    def held(bands: np.ndarray, low: int, high: int) -> float:
        return float(np.mean((bands[low] <= outcomes) & (outcomes <= bands[high])))
    assert held(shaped, 1, 3) == pytest.approx(0.5, abs=0.01)
    assert held(shaped, 0, 4) == pytest.approx(0.9, abs=0.01)
    assert held(normal, 1, 3) > 0.57 and held(normal, 0, 4) > 0.92


@pytest.mark.parametrize("weights, scales", [((0.5, 0.4), (1.0, 1.0)), ((0.5, 0.5), (1.0, 2.0)),
                                             ((1.0,), (0.0,))])
def test_a_kernel_must_be_a_unit_variance_scale_mixture(weights, scales):
    with pytest.raises(ValueError):
        Kernel(weights, scales)
