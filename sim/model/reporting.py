"""One-off (reporting) factors of DfE's measures at each census (`Scenario.dfe_reporting`).

What a council reports at a census is its underlying state times a factor that does not persist:
changes of definition, of who is counted as a case-holder, data cleaning, timing. DfE's panel
shows such movements (`sim.data.panel.one_off_sd`): case-holders and cases held move together
from one census to the next and back. Each replication draws, for each census year, one standard
normal per factor (`FACTORS`, all five always, in that order, so one sd never moves another's
draws) from a stream of its own keyed by the year; every sample carries the factors of the census
(30 September) nearest it. The published figure is:

- case-holders x exp(s_shared z_1), cases held x exp(s_shared z_1 + s_caseload z_2), so caseload
  x exp(s_caseload z_2): the shared factor leaves caseload as it is;
- agency and vacancy rates: logit(rate) + s z (a share stays within 0-1);
- turnover rate x exp(s z_5).

Each factor's median is 1 (a log-normal factor raises the mean by exp(s^2 / 2)). Only these "DfE:"
metrics carry the factors: the model's own caseloads, staff, vacancies and costs, which plans are
judged on, are the council's underlying state, and `sw_fte_in_post` (the turnover rate's
denominator) is left as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from sim.model.metrics import METRIC_INDEX

FACTORS: tuple[str, ...] = ("case_holders", "caseload", "agency_rate", "vacancy_rate",
                            "turnover_rate")
CENSUS_MONTH, CENSUS_DAY = 9, 30


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


def apply_factors(values: np.ndarray, days: np.ndarray, start: date, reporting,
                  stream_of_year: Callable[[int], np.random.Generator]) -> None:
    """Multiply the DfE columns of `values` (samples as rows, `METRIC_NAMES` as columns) in
    place by each census's one-off factors (module docstring); `reporting` is the scenario's
    `dfe_reporting`. Nothing is drawn when every sd is 0, and a factor of sd 0 leaves its
    columns exactly as they are."""
    sds = np.array([reporting.case_holders_log_sd, reporting.caseload_log_sd,
                    reporting.agency_rate_logit_sd, reporting.vacancy_rate_logit_sd,
                    reporting.turnover_rate_log_sd])
    if not sds.any() or not days.size:
        return
    years = census_years(days, start)
    normals = {int(year): stream_of_year(int(year)).standard_normal(len(FACTORS))
               for year in np.unique(years)}
    steps = np.array([normals[int(year)] for year in years]) * sds
    index = METRIC_INDEX
    logs = {0: ("case_holders", "cases_held"), 1: ("cases_held", "caseload_dfe"),
            4: ("turnover_rate",)}
    for factor, names in logs.items():
        if sds[factor]:
            for name in names:
                values[:, index[name]] *= np.exp(steps[:, factor])
    for factor, name in ((2, "agency_rate"), (3, "vacancy_rate")):
        if sds[factor]:
            values[:, index[name]] = _shift_logit(values[:, index[name]], steps[:, factor])
