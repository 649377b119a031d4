"""One-off (reporting) factors of DfE's measures at each census (`Scenario.dfe_reporting`).

What a council reports at a census is its underlying state times a factor that does not persist:
changes of definition, of who is counted as a case-holder, data cleaning, timing. DfE's panel
shows such movements (`sim.data.panel.one_off_sd`): case-holders and cases held move together
from one census to the next and back. Each replication draws, for each census year, one standard
normal per factor (`FACTORS`, all five always, in that order, so one sd never moves another's
draws) from a stream of its own keyed by the year; every sample carries the factors of the census
(30 September) nearest it. A scenario's starting state is what the council reported (a baseline
starts from DfE's figures), so it holds the start's own factor: the figures of the census nearest
the start are the state's as they are, and a later census's carry its factor over the start's
(z below is z_census - z_start, log sd sqrt(2) s): from the start, the published figure moves by
the two one-off factors and whatever the state does, as DfE's h-year changes do (2 s^2 + h w^2,
`sim.data.panel.one_off_sd`). The published figure is:

- case-holders x exp(s_shared z_1), cases held x exp(s_shared z_1 + s_caseload z_2), so caseload
  x exp(s_caseload z_2): the shared factor leaves caseload as it is;
- agency and vacancy rates: logit(rate) + s z (a share stays within 0-1);
- turnover rate x exp(s z_5).

The start's own factor need not be a fresh draw: given the council's earlier censuses it has a
posterior (`sim.data.panel.local_level_filter`), normal(mean, sd) in the factor's scale (the
`..._start_..._mean` and `..._start_..._sd` keys; by default mean 0 and the factor's own sd, the
fresh draw above). A later census's factor over the start's is then s z_census - (mean + sd
z_start), each factor in its own scale, from the same draws (`published_factors` in closed form:
median -mean, sd sqrt(s^2 + sd^2)). The shared factor's start moves case-holders and cases held,
as the factor does.

With the start's factor a fresh draw, each factor's median is 1 (a log-normal factor raises the
mean by exp(s^2 / 2)). Only these "DfE:" metrics carry the factors: the model's own caseloads,
staff, vacancies and costs, which plans are judged on, are the council's underlying state, and
`sw_fte_in_post` (the turnover rate's denominator) is left as it is.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from sim.model.metrics import METRIC_INDEX

SCALES: dict[str, str] = {"case_holders": "log", "caseload": "log", "agency_rate": "logit",
                          "vacancy_rate": "logit", "turnover_rate": "log"}
"""Each factor's scale: how it moves its metrics and names its keys."""
FACTORS: tuple[str, ...] = tuple(SCALES)
CENSUS_MONTH, CENSUS_DAY = 9, 30
_LOG_COLUMNS = {"case_holders": ("case_holders", "cases_held"),
                "caseload": ("cases_held", "caseload_dfe"), "turnover_rate": ("turnover_rate",)}
"""The metrics each factor multiplies (in logs)."""
_LOGIT_COLUMNS = ("agency_rate", "vacancy_rate")
"""The rates each factor shifts in logits (the factor is named as its metric)."""


class ReportingSds(Protocol):
    """The factors' sds and the start's factor (the scenario's `dfe_reporting`; a start sd of
    None is the factor's own)."""

    case_holders_log_sd: float
    caseload_log_sd: float
    agency_rate_logit_sd: float
    vacancy_rate_logit_sd: float
    turnover_rate_log_sd: float
    case_holders_start_log_mean: float
    caseload_start_log_mean: float
    agency_rate_start_logit_mean: float
    vacancy_rate_start_logit_mean: float
    turnover_rate_start_log_mean: float
    case_holders_start_log_sd: float | None
    caseload_start_log_sd: float | None
    agency_rate_start_logit_sd: float | None
    vacancy_rate_start_logit_sd: float | None
    turnover_rate_start_log_sd: float | None


@dataclass(frozen=True)
class Factors:
    """Each factor's sd at a census (`sds`) and the mean and sd of the start's (`start_means`,
    `start_sds`), in its scale, in the order of `FACTORS`."""

    sds: np.ndarray
    start_means: np.ndarray
    start_sds: np.ndarray

    @classmethod
    def of(cls, reporting: ReportingSds) -> Factors:
        """The factors of a scenario's `dfe_reporting`."""
        sds = np.array([getattr(reporting, f"{factor}_{scale}_sd")
                        for factor, scale in SCALES.items()], dtype=float)
        means = np.array([getattr(reporting, f"{factor}_start_{scale}_mean")
                          for factor, scale in SCALES.items()], dtype=float)
        start_sds = [getattr(reporting, f"{factor}_start_{scale}_sd")
                     for factor, scale in SCALES.items()]
        return cls(sds, means, np.array([sd if given is None else given
                                         for sd, given in zip(sds, start_sds, strict=True)],
                                        dtype=float))

    def moving(self) -> np.ndarray:
        """Whether each factor moves its metrics at all."""
        return (self.sds != 0) | (self.start_means != 0) | (self.start_sds != 0)


@dataclass(frozen=True)
class PublishedFactor:
    """How a DfE measure's published figure lies about the model's state at a census after the
    start's: its log (`scale` "log") or logit ("logit", a rate) is the state's plus a normal of
    median `shift` and sd `sd` (the census's factors over the start's, module docstring)."""

    scale: str
    shift: float
    sd: float


def published_factors(reporting: ReportingSds) -> dict[str, PublishedFactor]:
    """{metric: its PublishedFactor} for the metrics that carry factors: each factor's s z_census
    - (mean + sd z_start) has median -mean and variance s^2 + sd^2, and a metric carrying two
    factors (cases held) adds them. What `apply_factors` draws, in closed form (the back-test
    integrates it instead of drawing it)."""
    factors = Factors.of(reporting)
    shift_of = dict(zip(FACTORS, -factors.start_means, strict=True))
    variance_of = dict(zip(FACTORS, factors.sds ** 2 + factors.start_sds ** 2, strict=True))
    shifts: dict[str, float] = {}
    variances: dict[str, float] = {}
    for factor, names in _LOG_COLUMNS.items():
        for name in names:
            shifts[name] = shifts.get(name, 0.0) + float(shift_of[factor])
            variances[name] = variances.get(name, 0.0) + float(variance_of[factor])
    published = {name: PublishedFactor("log", shifts[name], math.sqrt(variances[name]))
                 for name in variances}
    return published | {name: PublishedFactor("logit", float(shift_of[name]),
                                              math.sqrt(float(variance_of[name])))
                        for name in _LOGIT_COLUMNS}


def census_years(days: np.ndarray, start: date) -> np.ndarray:
    """The year of the census (30 September) nearest each sample, `days` after `start`."""
    years = []
    for day in days:
        when = start + timedelta(days=float(day))
        years.append(min((when.year - 1, when.year, when.year + 1),
                         key=lambda y: abs((date(y, CENSUS_MONTH, CENSUS_DAY) - when).days)))
    return np.asarray(years, dtype=int)


def _shift_logit(shares: np.ndarray, step: np.ndarray) -> np.ndarray:
    """expit(logit(shares) + step): 0 and 1 stay as they are, nan stays nan."""
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        odds = shares / (1.0 - shares) * np.exp(step)
        return np.where(np.isinf(odds), 1.0, odds / (1.0 + odds))


def apply_factors(values: np.ndarray, days: np.ndarray, start: date, reporting: ReportingSds,
                  stream_of_year: Callable[[int], np.random.Generator]) -> None:
    """Multiply the DfE columns of `values` (samples as rows, `METRIC_NAMES` as columns) in
    place by each census's one-off factors over the start's (module docstring), drawn from
    `stream_of_year(census year)`; the samples nearest the start's census stay the state's.
    Nothing is drawn when no factor moves (every sd and start mean 0), and such a factor leaves
    its columns exactly as they are."""
    factors = Factors.of(reporting)
    moving = factors.moving()
    if not moving.any() or not days.size:
        return
    years = census_years(days, start)
    start_year = int(census_years(np.zeros(1), start)[0])
    normals = {int(year): stream_of_year(int(year)).standard_normal(len(FACTORS))
               for year in np.union1d(years, [start_year])}
    start_normals = normals[start_year]
    over_start = np.array([normals[int(year)] - start_normals for year in years])
    # s z_census - (mean + sd z_start), written so that with the defaults (sd = s, mean 0) it is
    # s (z_census - z_start) to the last bit
    steps = (over_start * factors.sds + (factors.sds - factors.start_sds) * start_normals
             - factors.start_means)
    steps[years == start_year] = 0.0
    step_of = dict(zip(FACTORS, steps.T, strict=True))
    moves = dict(zip(FACTORS, moving, strict=True))
    for factor, names in _LOG_COLUMNS.items():
        if moves[factor]:
            for name in names:
                values[:, METRIC_INDEX[name]] *= np.exp(step_of[factor])
    for factor in _LOGIT_COLUMNS:
        if moves[factor]:
            column = METRIC_INDEX[factor]
            values[:, column] = _shift_logit(values[:, column], step_of[factor])
