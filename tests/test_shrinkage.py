"""The empirical-Bayes levels of `sim.data.shrinkage`, against hand-worked panels."""
from __future__ import annotations

import math

import pytest

from sim.data.shrinkage import shrunk_level

ENGLAND = {2018: 10.0, 2019: 12.0}


def test_weight_is_between_over_between_plus_noise_over_years():
    # deviations from England: A (0, 2), B (4, 6), C (8, 10): each council's spread is the same
    panel = {"A": {2018: 10.0, 2019: 14.0}, "B": {2018: 14.0, 2019: 18.0},
             "C": {2018: 18.0, 2019: 22.0}}
    level = shrunk_level(panel, ENGLAND, "A", 12.0)
    # within: each council (x - mean)^2 = 1 + 1, three councils, 1 degree of freedom each -> 2
    # means 1, 5, 9: mu 5, variance 16; noise 2 / 2 = 1; between 16 - 1 = 15; w = 15 / 16
    assert level.within_sd == pytest.approx(math.sqrt(2))
    assert level.between_sd == pytest.approx(math.sqrt(15))
    assert level.weight == pytest.approx(15 / 16)
    assert level.value == pytest.approx(12.0 + 5 + 15 / 16 * (1 - 5))
    assert level.own == pytest.approx(13.0) and level.typical == pytest.approx(17.0)
    assert level.level_sd == pytest.approx(math.sqrt(15 / 16))
    assert level.year_sd == pytest.approx(math.sqrt(2 + 15 / 16))
    # a draw per replication: the level's variance plus the year-to-year variance beyond chance
    assert level.forecast_sd(0.5) == pytest.approx(math.sqrt(15 / 16 + 1.5))
    assert level.forecast_sd(5.0) == pytest.approx(math.sqrt(15 / 16))


def test_councils_that_differ_only_by_noise_are_pulled_to_the_typical_council():
    # means 1, 2, 3 (variance 1) but year-to-year deviations of +-3 (within 18, noise 9)
    panel = {"A": {2018: 8.0, 2019: 16.0}, "B": {2018: 9.0, 2019: 17.0},
             "C": {2018: 10.0, 2019: 18.0}}
    level = shrunk_level(panel, ENGLAND, "C", 12.0)
    assert level.weight == 0.0 and level.between_sd == 0.0
    assert level.value == pytest.approx(12.0 + 2.0)


def test_with_one_year_only_the_councils_own_figure_is_used_and_no_spread_claimed():
    panel = {"A": {2018: 11.0}, "B": {2018: 15.0}, "C": {2018: 7.0}}
    level = shrunk_level(panel, {2018: 10.0}, "B", 10.0)
    assert not level.estimated and level.weight == 1.0
    assert level.value == 15.0
    assert math.isnan(level.year_sd)
    # figures 1, 5, -3 about England: spread sd 4; the level's sd at most half of it
    assert level.level_sd == pytest.approx(2.0) and level.forecast_sd(1.0) == pytest.approx(2.0)
    assert "no shrinkage" in level.describe()
