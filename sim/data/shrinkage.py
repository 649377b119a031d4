"""Levels that forecast: a council's noisy yearly figures shrunk towards the typical council's by
an empirical-Bayes weight estimated from DfE's panel of councils up to the origin.

A council's figure in year t (a workforce rate, or a yearly log change of referrals) is read as
its deviation from England's figure of the same year, d_it = x_it - X_t, and modelled as a
council effect plus year-to-year noise (a one-way random-effects model):

    d_it = mu + a_i + e_it,   a_i ~ (0, tau^2) between councils,   e_it ~ (0, sigma^2) within.

From the panel of every council's published figures in the years up to the origin only (method
of moments, unbalanced panel):

- sigma^2 = sum over councils and years of (d_it - dbar_i)^2 / sum over councils of (n_i - 1), the
  pooled year-to-year variance of councils with two or more years;
- mu = the mean over councils of dbar_i (the typical council's deviation from England's figure,
  which is weighted by staff or referrals);
- tau^2 = max(0, the variance over councils of dbar_i - the mean over councils of sigma^2 / n_i).

The council's level is then England's level plus mu plus w_i (dbar_i - mu), with the weight

    w_i = tau^2 / (tau^2 + sigma^2 / n_i),

the best linear predictor of its effect: a council with a steady history far from England keeps
most of its difference; one whose figures jump about is pulled towards the typical council. The
uncertainty of the level is its posterior variance (1 - w_i) tau^2, and that of a single year's
figure adds sigma^2.

With no year-to-year history anywhere in the panel (the workforce census began on 30 September
2017, so a baseline for 2017 has one year) sigma^2 cannot be estimated without later data: the
council's own figure is used, weight 1 (`estimated` is False). Its level is then uncertain by at
most half the spread across councils: whatever the split of the councils' variance T = tau^2 +
sigma^2, the posterior variance tau^2 sigma^2 / T is at most T / 4; `level_sd` gives that bound.

`forecast_sd` is the spread of the figure over the next years as an assumption drawn once per
replication: the level's uncertainty plus the year-to-year variance that is not the chance a
simulation plays out itself (e.g. the binomial chance of who leaves, `sampling_variance`).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Level:
    """A council's shrunk level and the panel estimates behind it (same units as the figures)."""

    value: float            # England's level + mu + weight x (own mean deviation - mu)
    own: float              # England's level + the council's mean deviation (its own history)
    years: int              # n_i: the council's years in the panel
    england: float          # England's level the deviations are added to
    typical: float          # England's level + mu
    weight: float           # w_i
    within_sd: float        # sigma (nan when not estimated)
    between_sd: float       # tau (nan when not estimated)
    total_sd: float         # sd over councils of their mean differences from England
    councils: int           # councils in the panel
    estimated: bool         # False: no year-to-year history in the panel (weight 1, no spread)

    @property
    def level_sd(self) -> float:
        """Posterior sd of the council's level: sqrt((1 - w) tau^2); when not estimated, its
        upper bound half the spread across councils."""
        if not self.estimated:
            return self.total_sd / 2
        return math.sqrt((1 - self.weight) * self.between_sd**2)

    @property
    def year_sd(self) -> float:
        """Sd of one future year's figure about the level: sqrt(sigma^2 + level variance)."""
        return math.hypot(self.within_sd, self.level_sd) if self.estimated else math.nan

    def forecast_sd(self, sampling_variance: float = 0.0) -> float:
        """Sd of the figure ahead as a once-per-replication draw: sqrt(level variance +
        max(0, sigma^2 - `sampling_variance`)); the level's bound alone when not estimated."""
        if not self.estimated:
            return self.level_sd
        return math.sqrt(self.level_sd**2 + max(0.0, self.within_sd**2 - sampling_variance))

    def describe(self, unit: str = "") -> str:
        """The estimate in words, for a comment in a scenario file."""
        if not self.estimated:
            return (f"the council's own figure {self.own:.4g}{unit} (no year-to-year history in "
                    "DfE's panel by then, so no shrinkage)")
        return (f"empirical Bayes: England {self.england:.4g}{unit} + typical council's "
                f"difference {self.typical - self.england:+.4g} + w {self.weight:.3f} x (the "
                f"council's mean difference over {self.years} year(s) "
                f"{self.own - self.england:+.4g} - typical) = {self.value:.4g}{unit}; w = tau^2 "
                f"/ (tau^2 + sigma^2 / n), between-council sd tau {self.between_sd:.3g}, "
                f"year-to-year sd sigma {self.within_sd:.3g}, from {self.councils} councils' "
                "figures up to the origin")


def shrunk_level(panel: Mapping[str, Mapping[int, float]], england: Mapping[int, float],
                 code: str, england_level: float) -> Level:
    """The empirical-Bayes level of council `code` from `panel` (council code -> year -> figure,
    only the years up to the origin, only published figures) and England's figures of the same
    years (`england`), added to `england_level` (England's figure the forecast starts from)."""
    deviations = {c: [x - england[t] for t, x in years.items() if t in england]
                  for c, years in panel.items()}
    deviations = {c: d for c, d in deviations.items() if d}
    means = {c: sum(d) / len(d) for c, d in deviations.items()}
    own = deviations[code]
    n = len(own)
    repeated = [d for d in deviations.values() if len(d) > 1]
    mu = sum(means.values()) / len(means)
    spread = (sum((m - mu) ** 2 for m in means.values()) / (len(means) - 1) if len(means) > 1
              else math.nan)
    if not repeated or len(means) < 3:
        value = england_level + means[code]
        return Level(value=value, own=value, years=n, england=england_level, typical=math.nan,
                     weight=1.0, within_sd=math.nan, between_sd=math.nan,
                     total_sd=math.sqrt(spread), councils=len(means), estimated=False)
    within = (sum((x - sum(d) / len(d)) ** 2 for d in repeated for x in d)
              / sum(len(d) - 1 for d in repeated))
    noise = sum(within / len(deviations[c]) for c in means) / len(means)
    between = max(0.0, spread - noise)
    weight = between / (between + within / n) if between + within > 0 else 0.0
    return Level(value=england_level + mu + weight * (means[code] - mu),
                 own=england_level + means[code], years=n, england=england_level,
                 typical=england_level + mu, weight=weight, within_sd=math.sqrt(within),
                 between_sd=math.sqrt(between), total_sd=math.sqrt(spread), councils=len(means),
                 estimated=True)
