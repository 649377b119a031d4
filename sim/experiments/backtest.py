"""`caseload backtest`: the model's forecasts checked against what DfE later published.

For each origin (30 September of a census year) and each council with DfE's figures at it, the
council's baseline (`sim.data.baseline`: built from DfE figures of that date and before only) runs with
no plan, and the model's 5th-95th percentiles over replications at 30 September 1 and 2 years
later are set beside DfE's figures of those censuses, and beside two naive forecasters:

- persistence: DfE's figure at the origin;
- drift: that figure plus the council's average yearly change before the origin (first published
  year to the origin, same DfE code), clipped at 0; with no earlier figure, persistence.

Measures (`MEASURES`) are DfE's (`sim.model.dfe_measures`), rates as shares (DfE's percentages / 100).
Referrals are DfE's years to 31 March: horizon h is the year to 31 March of origin + h + 1 (the
DfE year that ends h years and 6 months after the origin, the first that lies wholly after it for
h = 1), against the model's referrals summed over the weekly samples in that year, scaled to its
length; persistence is the referrals of the year to 31 March of the origin year (the latest
published at the origin, the baseline's own).

With `given` ("establishment", "referrals") each council's actual later figures enter as dated
policy actions (`given_actions`), so the score is of how posts and demand turn into staff, cases
and caseloads, not of guessing the councils' decisions; given referrals carry no year-to-year
drift (`demand.yearly_change_sd` 0), and a given establishment no trend or walk
(`workforce.establishment_drift` 0).

The baselines start in the steady state (stocks drawn with residual lives, workforce stationary;
see `sim.data.baseline`), so no warm-up: one would move the state away from DfE's figures at the
origin, which are the forecast's starting point; the turnover rate at 1 year has its whole year
inside the run.
"""
from __future__ import annotations

import datetime as dt
import math
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.predictive import (NORMAL, Kernel, band_coverage, factor_sd_beyond_state,
                                     from_scale, mixture_quantiles, sample_quantiles, to_scale)
from sim.model import dfe_measures
from sim.model.reporting import PublishedFactor, published_factors
from sim.data import panel
from sim.data.baseline import scenario_text_for
from sim.data.dfe import LOCAL, WORKFORCE_YEARS, Extract, extract
from sim.scenario.loading import DfeReporting, Scenario, scenario_from_data

HORIZONS_YEARS = (1, 2)
ORIGINS = tuple(range(2017, 2022))
GIVEN = ("establishment", "referrals")
QUANTILES = {"p05": 5, "p25": 25, "p50": 50, "p75": 75, "p95": 95}
BANDS = {"coverage_50": ("p25", "p75"), "coverage_90": ("p05", "p95")}
FORECASTERS = ("model", "persistence", "drift")
RATIO_CONFIDENCE = 0.90
RATIO_RESAMPLES = 999
RATIO_SEED = 20160701
"""The interval of the model's MdAPE over persistence's (`ratio_interval`): its confidence, its
bootstrap resamples and their fixed seed (so that re-scoring a store gives the same interval)."""
COLUMNS = ("council", "code", "origin", "horizon", "metric", "actual", *QUANTILES,
           "persistence", "drift")


@dataclass(frozen=True)
class Measure:
    """A DfE measure: the model's metric and how DfE's figure is read (`rate`: a published
    percentage; `ratio`: numerator / denominator of counts; else a count)."""

    model_metric: str
    column: str
    rate: bool = False
    ratio: tuple[str, str] | None = None
    referrals: bool = False


MEASURES: dict[str, Measure] = {
    "caseload": Measure("caseload_dfe", "", ratio=("cases", "case_holders_fte")),
    "case_holders": Measure("case_holders", "case_holders_fte"),
    "cases_held": Measure("cases_held", "cases"),
    "sw_fte_in_post": Measure("sw_fte_in_post", "inpost_fte"),
    "agency_rate": Measure("agency_rate", "agency_rate_fte", rate=True),
    "turnover_rate": Measure("turnover_rate", "turnover_rate_fte", rate=True),
    "vacancy_rate": Measure("vacancy_rate", "vacancy_rate_fte", rate=True),
    "referrals": Measure("referrals", "referral_count", referrals=True),
}


# --- DfE's figures and the naive forecasters -----------------------------------------------------

def dfe_value(data: Extract, code: str, year: int, name: str) -> float | None:
    """DfE's figure of measure `name` for the council in `year` (census year, or year to 31
    March for referrals), None if DfE has none."""
    measure = MEASURES[name]
    if measure.referrals:
        figure = data.published(code, year, measure.column)
        return None if figure is None else figure.value
    if measure.rate:
        value = data.cell(LOCAL, code, year, measure.column)[0]
        return None if value is None else value / 100
    if measure.ratio is not None:
        top, bottom = (data.workforce_count(code, year, c) for c in measure.ratio)
        if top is None or bottom is None:
            return None
        return dfe_measures.caseload(top.value, bottom.value)
    figure = data.workforce_count(code, year, measure.column)
    return None if figure is None else figure.value


def target_year(name: str, origin: int, horizon: int) -> int:
    """The DfE year compared at `horizon`: the census of origin + horizon, or for referrals the
    year to 31 March origin + horizon + 1."""
    return origin + horizon + (1 if MEASURES[name].referrals else 0)


def drift(history: dict[int, float], origin: int, target: int) -> float:
    """The origin's value plus the average yearly change from the earliest year of `history`
    (year -> value, years up to `origin`) to the origin, times (target - origin); clipped at 0.
    Without an earlier year, the origin's value (persistence)."""
    start = min(history)
    slope = ((history[origin] - history[start]) / (origin - start)) if start < origin else 0.0
    return max(0.0, history[origin] + slope * (target - origin))


def naive_forecasts(data: Extract, code: str, origin: int, name: str,
                    target: int) -> tuple[float, float]:
    """(persistence, drift) for measure `name` of the council at `target` from `origin`; nan if
    DfE has no figure at the origin."""
    first = data.years[0] if MEASURES[name].referrals else WORKFORCE_YEARS[0]
    history = {year: value for year in range(first, origin + 1)
               if (value := dfe_value(data, code, year, name)) is not None}
    if origin not in history:
        return math.nan, math.nan
    return history[origin], drift(history, origin, target)


# --- scoring -------------------------------------------------------------------------------------

def absolute_percentage_errors(forecast: pd.Series, actual: pd.Series) -> pd.Series:
    """|forecast - actual| / |actual| x 100; nan where the actual is 0 or missing."""
    denominator = actual.abs().where(actual != 0)
    return (forecast - actual).abs() / denominator * 100


def _with_bands(table: pd.DataFrame) -> pd.DataFrame:
    """The scored cells of `table` (an actual and a model median), with a 0/1 column per band
    (`BANDS`): whether DfE's figure lay inside it."""
    scored = table.dropna(subset=["actual", "p50"]).copy()
    for band, (low, high) in BANDS.items():
        scored[band] = ((scored[low] <= scored["actual"])
                        & (scored["actual"] <= scored[high])).astype(float)
    return scored


def coverage_by_origin(table: pd.DataFrame) -> pd.DataFrame:
    """Per measure and origin, both horizons pooled: cells scored and the share of DfE's figures
    inside the model's 50% and 90% bands (columns metric, origin, cells, coverage_50,
    coverage_90), measures in `MEASURES` order."""
    scored = _with_bands(table)
    grouped = scored.groupby(["metric", "origin"], sort=False)
    coverage = grouped[list(BANDS)].mean().join(grouped.size().rename("cells")).reset_index()
    order = {name: i for i, name in enumerate(MEASURES)}
    coverage = coverage.sort_values(["metric", "origin"], key=lambda s: s.map(order)
                                    if s.name == "metric" else s).reset_index(drop=True)
    return coverage[["metric", "origin", "cells", *BANDS]]


def council_bootstrap(rows: pd.DataFrame, statistic: Callable[[np.ndarray], float]
                      ) -> tuple[float, float]:
    """The `RATIO_CONFIDENCE` interval of `statistic` of `rows`' values (all columns but "code",
    as one array, a row per cell): a percentile bootstrap that resamples councils, each with all
    its cells, `RATIO_RESAMPLES` times from `RATIO_SEED`. A council's cells (its origins; all its
    measures in "all") share its ways, so they are not independent draws: resampling cells would
    narrow the interval as if a council seen four times were four councils. nan, nan with fewer
    than two councils."""
    columns = [c for c in rows.columns if c != "code"]
    councils = [cells.to_numpy() for _, cells in rows.groupby("code")[columns]]
    if len(councils) < 2:
        return math.nan, math.nan

    def resampled(chosen: np.ndarray) -> float:
        return statistic(np.concatenate([councils[i] for i in chosen]))

    found = stats.bootstrap((np.arange(len(councils)),), resampled, vectorized=False,
                            n_resamples=RATIO_RESAMPLES, confidence_level=RATIO_CONFIDENCE,
                            method="percentile", random_state=np.random.default_rng(RATIO_SEED))
    low, high = found.confidence_interval
    return float(low), float(high)


def ratio_interval(part: pd.DataFrame) -> tuple[float, float]:
    """The `RATIO_CONFIDENCE` interval of the model's MdAPE over persistence's in `part`'s cells
    (columns code, ape_model, ape_persistence; cells where both are scored), councils resampled
    (`council_bootstrap`). An interval that holds 1 says that the back-test cannot tell the
    model's error from persistence's for councils like these."""
    scored = part.dropna(subset=["ape_model", "ape_persistence"])

    def ratio(errors: np.ndarray) -> float:
        model, persistence = np.median(errors, axis=0)
        return model / persistence if persistence > 0 else math.nan

    return council_bootstrap(scored[["code", "ape_model", "ape_persistence"]], ratio)


MIN_CHANGE_CELLS = 3
"""The fewest cells `change_skill` scores (a rank correlation of two cells is always +-1)."""


class ChangeSkill(NamedTuple):
    """`change_skill`'s figures: the rank correlation, its interval, and the slope."""

    rank_correlation: float
    low: float
    high: float
    slope: float


NO_CHANGE_SKILL = ChangeSkill(math.nan, math.nan, math.nan, math.nan)


def _rank_correlation(changes: np.ndarray) -> float:
    """Spearman's rank correlation of the two columns of `changes` (model, DfE); nan where either
    does not vary."""
    if np.ptp(changes[:, 0]) == 0 or np.ptp(changes[:, 1]) == 0:
        return math.nan
    return float(stats.spearmanr(changes[:, 0], changes[:, 1]).statistic)


def change_skill(part: pd.DataFrame) -> ChangeSkill:
    """Whether the model's median foresees which way and how far a measure moves from the
    origin: the rank correlation of DfE's change log(actual / persistence) with the model's
    log(p50 / persistence), over `part`'s cells where all three are above 0, with its interval
    (councils resampled, `council_bootstrap`), and the slope of DfE's change on the model's.

    The rank correlation (Spearman's) is 0 when the model's moves say nothing of which councils
    rise and which fall, 1 when they order every council's change right. The slope (Theil-Sen:
    the median of the pairwise slopes, so the few councils whose figures jump do not set it) is
    1 when the model's moves are the size DfE's turn out, below 1 when they are too large (DfE's
    move as far only in part), 0 or below when they are no better than no move. Persistence
    moves nothing, so it has neither. All nan with fewer than `MIN_CHANGE_CELLS` cells or no
    spread in either change."""
    positive = part[(part["actual"] > 0) & (part["persistence"] > 0) & (part["p50"] > 0)]
    changes = pd.DataFrame({"code": positive["code"],
                            "model": np.log(positive["p50"] / positive["persistence"]),
                            "actual": np.log(positive["actual"] / positive["persistence"])})
    if len(changes) < MIN_CHANGE_CELLS:
        return NO_CHANGE_SKILL
    correlation = _rank_correlation(changes[["model", "actual"]].to_numpy())
    if math.isnan(correlation):
        return NO_CHANGE_SKILL
    low, high = council_bootstrap(changes, _rank_correlation)
    return ChangeSkill(correlation, low, high,
                       float(stats.theilslopes(changes["actual"], changes["model"]).slope))


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per metric and horizon (and "all" metrics): cells scored, median absolute % error of
    each forecaster (the model's median p50), the model's over persistence's with its interval
    (`ratio_interval`), the share of actual values inside the model's 50% (p25-p75) and 90%
    (p05-p95) bands, and per metric how the model's moves from the origin match DfE's
    (`change_skill`; nan for "all": changes of different measures are not one scale)."""
    scored = _with_bands(table)
    forecasts = {"model": "p50", "persistence": "persistence", "drift": "drift"}
    for forecaster, column in forecasts.items():
        scored[f"ape_{forecaster}"] = absolute_percentage_errors(scored[column], scored["actual"])
    rows = []
    groups = [(name, h, part) for (name, h), part in scored.groupby(["metric", "horizon"],
                                                                    sort=False)]
    groups += [("all", h, part) for h, part in scored.groupby("horizon")]
    for metric, horizon, part in groups:
        row = {"metric": metric, "horizon": int(horizon), "cells": len(part)}
        for forecaster in forecasts:
            row[f"mdape_{forecaster}"] = float(part[f"ape_{forecaster}"].median())
        row["model_over_persistence"] = (row["mdape_model"] / row["mdape_persistence"]
                                         if row["mdape_persistence"] > 0 else math.nan)
        row["model_over_persistence_low"], row["model_over_persistence_high"] = (
            ratio_interval(part))
        for band in BANDS:
            row[band] = float(part[band].mean())
        skill = change_skill(part) if metric != "all" else NO_CHANGE_SKILL
        row["change_rank_correlation"] = skill.rank_correlation
        row["change_rank_correlation_low"], row["change_rank_correlation_high"] = (
            skill.low, skill.high)
        row["change_slope"] = skill.slope
        rows.append(row)
    order = {name: i for i, name in enumerate([*MEASURES, "all"])}
    summary = pd.DataFrame(rows)
    return summary.sort_values(["metric", "horizon"], key=lambda s: s.map(order)
                               if s.name == "metric" else s).reset_index(drop=True)


# --- the scenarios -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Skipped:
    """A council and origin not run, and why (DfE's coverage)."""

    council: str
    code: str
    origin: int
    reason: str


@dataclass
class CouncilRuns:
    """The council-origins to run (a scenario each) and those skipped."""

    scenarios: list[Scenario] = field(default_factory=list)
    cells: list[tuple[str, str, int]] = field(default_factory=list)   # council, code, origin
    overrides: list[dict] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)        # the announced plan's file, or ""
    published: list[dict[str, PublishedFactor]] = field(default_factory=list)
    walks: list[dict[str, float]] = field(default_factory=list)   # `factor_walks` at the origin

    def add(self, scenario: dict, cell: tuple[str, str, int], record: dict,
            plan_file: str = "", data: Extract | None = None) -> None:
        """A scenario (data) to run for the council-origin `cell`. It runs without its DfE
        reporting factors (`dfe_reporting`): the forecast of a published figure integrates them
        (`published`, `forecast_rows`) instead of drawing them; they move nothing else."""
        reporting = DfeReporting(**scenario.get("dfe_reporting", {}))
        scenario = scenario | {"dfe_reporting": {}}
        self.scenarios.append(scenario_from_data(scenario, f"<{scenario['name']}>"))
        self.published.append(published_factors(reporting))
        self.walks.append(factor_walks(data or extract(), cell[2]))
        self.cells.append(cell)
        self.overrides.append({"council": cell[0], "code": cell[1], "origin": cell[2],
                               **record})
        self.plans.append(plan_file)


def factor_walks(data: Extract, origin: int) -> dict[str, float]:
    """{model metric: the yearly step sd of the walk beside its reporting factor in DfE's panel of
    censuses up to `origin`} (`sim.data.panel`'s one-off estimates; cases held's walk is case-
    holders' and caseload's together): with the factors, the spread of the panel's changes
    (`forecast_quantiles`)."""
    holders = panel.case_holders_one_off(data, origin).walk_sd
    caseload = panel.caseload_one_off(data, origin).walk_sd
    return {"case_holders": holders, "caseload_dfe": caseload,
            "cases_held": math.hypot(holders, caseload),
            "agency_rate": panel.rate_one_off(data, origin, "agency").walk_sd,
            "vacancy_rate": panel.rate_one_off(data, origin, "vacancy").walk_sd,
            "turnover_rate": panel.turnover_one_off(data, origin).walk_sd}


TAIL_COLUMNS = {"case_holders": "case_holders", "cases_held": "cases", "caseload_dfe": "caseload",
                "agency_rate": "agency_rate", "vacancy_rate": "vacancy_rate",
                "turnover_rate": "turnover"}
"""The DfE panel column whose changes shape each model metric's reporting factor."""


def factor_kernel(data: Extract, origin: int, metric: str, years: int) -> Kernel:
    """The shape of model `metric`'s factor `years` ahead: that of DfE's panel's `years`-year
    changes of the measure about England's, censuses up to `origin` (`panel.change_tails`; the
    normal where the panel has too few)."""
    tails = panel.change_tails(data, origin, TAIL_COLUMNS[metric], years)
    return Kernel(tails.weights, tails.scales) if not tails.fallback else NORMAL


def census_day(start: dt.date, year: int, month: int = 9, day: int = 30) -> float:
    """Days from `start` to the date in `year` (30 September unless said)."""
    return float((dt.date(year, month, day) - start).days)


def given_actions(data: Extract, code: str, origin: int, scenario: dict,
                  given: Sequence[str]) -> list[dict]:
    """Policy actions feeding the council's actual later figures, as far as DfE has them.

    establishment: DfE's in post + vacancies (FTE, all roles) at each later census, as its
    ratio to the origin's, to the power of how case-holders follow posts in DfE's panel up to the
    origin (`panel.case_holders_posts_elasticity`), applied to the scenario's case-holding
    establishment; each year's change phased over the 12 months before that census (add_posts,
    negative to remove).
    referrals: DfE's referrals of each year to 31 March from the one under way at the origin,
    set (set_referrals, no growth) from the origin for the first and from 1 April for the rest.
    """
    return ((_given_establishment(data, code, origin, scenario["workforce"]["establishment"])
             if "establishment" in given else [])
            + (_given_referrals(data, code, origin) if "referrals" in given else []))


def _given_establishment(data: Extract, code: str, origin: int, posts_at_origin: int) -> list[dict]:
    def posts(year: int) -> float | None:
        counts = [data.workforce_count(code, year, c) for c in ("inpost_fte", "vacancy_fte")]
        return None if None in counts else sum(c.value for c in counts)

    actions, base, posts_now = [], posts(origin), posts_at_origin
    follows = panel.case_holders_posts_elasticity(data, origin).estimate
    for year in range(origin + 1, WORKFORCE_YEARS[-1] + 1):
        later = posts(year)
        if base is None or later is None or base <= 0:
            break
        wanted = round(posts_at_origin * (later / base) ** follows)
        if wanted != posts_now:
            actions.append({"do": "add_posts", "at": dt.date(year - 1, 9, 30),
                            "count": wanted - posts_now, "over_months": 12,
                            "note": f"given: (DfE in post + vacancies {year} {later:g} FTE / "
                                    f"{origin} {base:g}) ^ {follows:.3f}"})
        posts_now = wanted
    return actions


def _given_referrals(data: Extract, code: str, origin: int) -> list[dict]:
    actions = []
    for year in range(origin + 1, data.years[-1] + 1):
        figure = data.published(code, year, "referral_count")
        if figure is None:
            break
        actions.append({"do": "set_referrals",
                        "at": max(dt.date(origin, 9, 30), dt.date(year - 1, 4, 1)),
                        "referrals_per_year": figure.value, "growth_per_year": 0.0,
                        "note": f"given: {figure.source}"})
    return actions


def council_runs(councils: Sequence[str] | None, origins: Sequence[int],
                 given: Sequence[str] = (), data: Extract | None = None) -> CouncilRuns:
    """A scenario for every council (DfE code; `councils` names restrict them) and origin with
    DfE's figures at the origin and at least one later census; the rest skipped with why."""
    data = data or extract()
    result = CouncilRuns()
    for origin in origins:
        codes = (sorted({data.find(name, origin) for name in councils}) if councils
                 else [code for code in data.codes if (LOCAL, code, origin) in data.rows])
        for code in codes:
            name = data.names[code]
            coverage = data.coverage(code, origin)
            if not coverage.complete:
                result.skipped.append(Skipped(name, code, origin, coverage.reason()))
                continue
            later = [origin + h for h in HORIZONS_YEARS if origin + h in WORKFORCE_YEARS
                     and data.workforce_count(code, origin + h, "cases") is not None]
            if not later:
                why = (data.coverage(code, origin + 1).reason()
                       if origin + 1 in WORKFORCE_YEARS else
                       f"no DfE census after 30 September {origin} in the package")
                result.skipped.append(Skipped(
                    name, code, origin, f"nothing to compare after 30 September {origin}: {why}"))
                continue
            scenario = _baseline(data, code, origin)
            scenario["policy"] = given_actions(data, code, origin, scenario, given)
            if "referrals" in given:    # known referrals: no drift around them
                scenario["demand"]["yearly_change_sd"] = 0.0
            if "establishment" in given:    # known posts: no trend or walk around them
                scenario["workforce"]["establishment_drift"] = {"growth_per_year": 0.0,
                                                                "yearly_change_sd": 0.0}
            result.add(scenario, (name, code, origin), {"given": list(given)}, data=data)
    return result


def _baseline(data: Extract, code: str, origin: int) -> dict:
    """The council's baseline at the origin as scenario data, run to the last horizon."""
    scenario = tomllib.loads(scenario_text_for(data, code, origin))
    scenario["name"] = f"{scenario['name']}-{code}"
    scenario["years"] = max(HORIZONS_YEARS) + 0.55    # past the end of referrals' last year
    return scenario


ANNOUNCED = ("manchester-2016-plan.toml", "dorset-2017-plan.toml", "wakefield-2018-plan.toml",
             "liverpool-2019-plan.toml")


def announced_plans(folder: Path, result: CouncilRuns,
                    data: Extract | None = None) -> CouncilRuns:
    """Add to `result` each announced plan in `folder` (`ANNOUNCED`): its council's baseline at
    the last census on or before the plan's start (the state just before the announcement),
    with the plan's [[policy]] actions as written (dated actions after that census; its other
    keys, e.g. [effects], are assumptions of the plan file and are not carried over). A plan
    with no census before it in the package, or none after, is skipped with the reason."""
    from sim.scenario.loading import load_scenario

    data = data or extract()
    for file in ANNOUNCED:
        announced = load_scenario(folder / file)
        start = announced.start
        census = start.year if start >= dt.date(start.year, 9, 30) else start.year - 1
        name = file.split("-")[0].capitalize()
        if census not in WORKFORCE_YEARS:
            result.skipped.append(Skipped(name, "", census, (
                f"plan {file}: announced {start}; the last census before it, 30 September "
                f"{census}, is not in the package (workforce census {WORKFORCE_YEARS[0]}-"
                f"{WORKFORCE_YEARS[-1]})")))
            continue
        code = data.find(name, census)
        coverage = data.coverage(code, census)
        if not coverage.complete:
            result.skipped.append(Skipped(name, code, census, f"plan {file}: "
                                          + coverage.reason()))
            continue
        scenario = _baseline(data, code, census)
        scenario["name"] = f"{announced.name}-from-{census}"
        scenario["policy"] = [
            action.model_dump(exclude_none=True)
            | ({"at": start + dt.timedelta(days=action.after_days)} if action.at is None else {})
            for action in announced.policy]
        for action in scenario["policy"]:
            action.pop("after_days", None)
        result.add(scenario, (data.names[code], code, census), {"plan": file}, file, data)
    return result


# --- reading the model back ----------------------------------------------------------------------

def nearest_sample(days: np.ndarray, day: float) -> int:
    """Index of the sample nearest `day`."""
    return int(np.argmin(np.abs(np.asarray(days, dtype=float) - day)))


def model_values(days: np.ndarray, values: Callable[[str], np.ndarray], start: dt.date,
                 name: str, target: int) -> np.ndarray | None:
    """Per replication, the model's measure `name` at DfE's `target` (census date, or the
    year to 31 March summed); None if the run does not reach it."""
    measure = MEASURES[name]
    if not measure.referrals:
        day = census_day(start, target)
        if day > days[-1] + 3.5:
            return None
        return values(measure.model_metric)[:, nearest_sample(days, day)]
    first, last = census_day(start, target - 1, 4, 1), census_day(start, target, 4, 1)
    inside = (days > first) & (days <= last)
    if first < 0 or last > days[-1] + 3.5 or not inside.any():
        return None
    covered = days[inside][-1] - days[np.argmax(inside) - 1]
    return values(measure.model_metric)[:, inside].sum(axis=1) * (last - first) / covered


def forecast_quantiles(model: np.ndarray, factor: PublishedFactor | None, walk_sd: float = 0.0,
                       years: float = 0.0, kernel: Kernel = NORMAL) -> dict[str, float]:
    """`QUANTILES` of the forecast of a DfE figure from the model's replications (`model`):
    of the mixture of the state and its reporting factor when the measure carries one
    (`sim.analysis.predictive.mixture_quantiles`), the factor's sd what DfE's panel's changes
    over `years` (the factors and `walk_sd`, the yearly step of the walk beside them) spread by
    beyond the replications' own spread (`factor_sd_beyond_state`), its shape `kernel`; else, or
    with nothing left to the factor's spread, of the replications themselves, moved by the
    factor's median (the start's own factor, known from the council's history, is not spread:
    it stays where the replications spread more than the panel's changes)."""
    finite = model[np.isfinite(model)]
    if not finite.size:
        return dict.fromkeys(QUANTILES, math.nan)
    probabilities = [p / 100 for p in QUANTILES.values()]
    sd = 0.0
    if factor is not None and factor.sd > 0:
        state = to_scale(finite, factor.scale)
        state = state[np.isfinite(state)]
        sd = factor_sd_beyond_state(factor.sd, walk_sd, years, state)
    if sd > 0:
        found = mixture_quantiles(finite, factor.scale, factor.shift, sd, probabilities, kernel)
    elif factor is not None and factor.shift:
        moved = from_scale(to_scale(finite, factor.scale) + factor.shift, factor.scale)
        found = sample_quantiles(moved, probabilities)
    else:
        found = sample_quantiles(finite, probabilities)
    return dict(zip(QUANTILES, map(float, found), strict=True))


def forecast_rows(data: Extract, runs: CouncilRuns, days_of: Callable[[str], np.ndarray],
                  values_of: Callable[[str, str], np.ndarray]) -> pd.DataFrame:
    """A row per council, origin, horizon and measure, with the announced plan's file ("" for
    no plan) in column "plan"."""
    rows = []
    for scenario, (council, code, origin), plan_file, published, walks in zip(
            runs.scenarios, runs.cells, runs.plans, runs.published, runs.walks, strict=True):
        days = days_of(scenario.name)
        cache: dict[str, np.ndarray] = {}

        def values(metric: str, name: str = scenario.name,
                   cache: dict[str, np.ndarray] = cache) -> np.ndarray:
            if metric not in cache:
                cache[metric] = values_of(name, metric)
            return cache[metric]

        for horizon in HORIZONS_YEARS:
            for name in MEASURES:
                target = target_year(name, origin, horizon)
                model = model_values(days, values, scenario.start, name, target)
                if model is None:
                    continue
                actual = dfe_value(data, code, target, name)
                persistence, drifted = naive_forecasts(data, code, origin, name, target)
                metric = MEASURES[name].model_metric
                quantiles = forecast_quantiles(
                    model, published.get(metric), walks.get(metric, 0.0), horizon,
                    factor_kernel(data, origin, metric, horizon) if metric in TAIL_COLUMNS
                    else NORMAL)
                rows.append({"plan": plan_file, "council": council, "code": code,
                             "origin": origin,
                             "horizon": horizon, "metric": name,
                             "actual": math.nan if actual is None else actual, **quantiles,
                             "persistence": persistence, "drift": drifted})
    return pd.DataFrame(rows, columns=["plan", *COLUMNS])


def write_outputs(folder: Path, table: pd.DataFrame, skipped: Sequence[Skipped],
                  plans: pd.DataFrame | None = None) -> pd.DataFrame:
    """backtest.csv, backtest_summary.csv, skipped.csv and plans.csv (if `plans`); the summary.
    The caller writes the workbook, figures and report (`sim.report.finish.finish_folder`)."""
    from sim.runner.files import write_text_atomic

    summary = summary_table(table)
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomic(folder / "backtest.csv", table.to_csv(index=False))
    write_text_atomic(folder / "backtest_summary.csv", summary.to_csv(index=False))
    skipped_table = pd.DataFrame([vars(s) for s in skipped],
                                 columns=["council", "code", "origin", "reason"])
    write_text_atomic(folder / "skipped.csv", skipped_table.to_csv(index=False))
    if plans is not None:
        write_text_atomic(folder / "plans.csv", plans.to_csv(index=False))
    return summary


def run_backtest(councils: Sequence[str] | None, origins: Sequence[int], reps: int, seed: int,
                 *, given: Sequence[str] = (), out: Path | None = None,
                 plans_folder: Path | None = None,
                 **batch_options) -> tuple[CouncilRuns, pd.DataFrame, pd.DataFrame,
                                           pd.DataFrame | None]:
    """Plan, run (one batch over `sim.experiments.variant_batch.run_variants`: executors, resumable store,
    progress bar) and score. plans_folder: then run the announced plans in it
    (`announced_plans`) as a second batch in `out`/plans/ (its own store and run.json), their
    rows written to `out`/plans.csv. batch_options: workers, progress, command, scheduler,
    resume, report. Returns the plan, backtest.csv's table, the summary and the plans' rows
    (None without plans_folder)."""
    data = extract()
    runs = council_runs(councils, origins, given, data)
    if not runs.scenarios:
        raise ValueError("no council has DfE's figures at the origins asked for: "
                         + "; ".join(s.reason for s in runs.skipped[:3]))
    record = {"backtest": {"origins": list(origins), "horizons_years": list(HORIZONS_YEARS),
                           "given": list(given), "councils": len(runs.scenarios),
                           "skipped": [vars(s) for s in runs.skipped]}}
    table = _run_scored(data, runs, reps, seed, out, record, batch_options)
    plans = None
    if plans_folder is not None:
        announced = announced_plans(plans_folder, CouncilRuns(), data)
        runs.skipped.extend(announced.skipped)
        record = {"backtest": {"plans": announced.plans,
                               "skipped": [vars(s) for s in announced.skipped]}}
        plans = _run_scored(data, announced, reps, seed, out and out / "plans", record,
                            batch_options)
    if out is None:
        return runs, table, summary_table(table), plans
    return runs, table, write_outputs(out, table, runs.skipped, plans), plans


def earlier_run(run_json: Path) -> dict:
    """What a resumed run keeps of the invocations before it (from their run.json): the wall
    time that made its replications (None if one did not record it: interrupted) and the first
    invocation's command."""
    import json

    try:
        record = json.loads(run_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"earlier_wall_seconds": None, "first_command": None}
    before = record.get("backtest", {})
    wall, earlier = record.get("wall_seconds"), before.get("earlier_wall_seconds", 0.0)
    return {"earlier_wall_seconds": None if wall is None or earlier is None else wall + earlier,
            "first_command": before.get("first_command") or record.get("command")}


def _run_scored(data: Extract, runs: CouncilRuns, reps: int, seed: int, out: Path | None,
                record: dict, batch_options: dict) -> pd.DataFrame:
    """Run the plan's scenarios as one batch; their rows (`forecast_rows`; without the "plan"
    column when no scenario is an announced plan). Each council-origin has a root seed of its
    own, derived from `seed` (`sim.runner.batch.scenario_seeds`): with one seed for all, every
    council would draw the same few uncertain values and walk steps, and the pooled coverage
    would be of a handful of draws, not of independent forecasts."""
    from sim.experiments.variant_batch import run_variants

    if batch_options.get("resume") and out is not None:
        record["backtest"] |= earlier_run(out / "run.json")

    def finish(batch) -> pd.DataFrame:
        rows = forecast_rows(data, runs, batch.store.days,
                             lambda name, metric: batch.store.metric_values(name, metric,
                                                                            batch.reps))
        return rows if any(runs.plans) else rows.drop(columns="plan")

    return run_variants(runs.scenarios[0], runs.scenarios, runs.overrides, reps, seed,
                        out=out, record=record, independent=True, finish=finish,
                        **batch_options)[1]


# --- the note ------------------------------------------------------------------------------------

SUMMARY_HEADINGS = {"metric": "measure", "horizon": "years ahead", "cells": "cells",
                    "mdape_model": "model MdAPE %", "mdape_persistence": "persistence MdAPE %",
                    "mdape_drift": "drift MdAPE %",
                    "model_over_persistence": "model / persistence (90% interval)",
                    "coverage_50": "in 50% band", "coverage_90": "in 90% band",
                    "change_rank_correlation": "its moves against DfE's: rank correlation "
                                               "(90% interval), slope"}


def markdown_table(summary: pd.DataFrame) -> list[str]:
    """The summary as a Markdown table (errors to 1 decimal, coverage as %)."""
    lines = ["| " + " | ".join(SUMMARY_HEADINGS.values()) + " |",
             "|" + "---|" * len(SUMMARY_HEADINGS)]
    for _, row in summary.iterrows():
        cells = [f"**{row['metric']}**" if row["metric"] == "all" else row["metric"],
                 str(row["horizon"]), str(row["cells"]),
                 *(f"{row[c]:.1f}" for c in ("mdape_model", "mdape_persistence", "mdape_drift")),
                 f"{row['model_over_persistence']:.2f} ({row['model_over_persistence_low']:.2f}"
                 f"-{row['model_over_persistence_high']:.2f})",
                 *(f"{row[c]:.0%}" for c in BANDS),
                 change_cell(row)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def change_cell(row: pd.Series) -> str:
    """"rank correlation (its interval), slope" of the model's moves (`change_skill`; no interval
    where it has none: one council), "-" where there are none (all measures together, or a
    summary written before they were scored)."""
    names = ("change_rank_correlation", "change_rank_correlation_low",
             "change_rank_correlation_high", "change_slope")
    correlation, low, high, slope = (row.get(c, math.nan) for c in names)
    if pd.isna(correlation) or pd.isna(slope):
        return "-"
    interval = "" if pd.isna(low) or pd.isna(high) else f" ({low:.2f} to {high:.2f})"
    return f"{correlation:.2f}{interval}, {slope:.2f}"


def origin_lines(coverage: pd.DataFrame) -> list[str]:
    """`coverage_by_origin` as a Markdown table: a row per measure, a column per origin and one
    for all origins (pooled by cells), each cell "50% band / 90% band"."""
    origins = sorted(coverage["origin"].unique())
    lines = ["| measure | " + " | ".join(map(str, origins)) + " | all origins |",
             "|" + "---|" * (len(origins) + 2)]
    for metric, rows in coverage.groupby("metric", sort=False):
        by_origin = rows.set_index("origin")
        cells = [f"{by_origin.at[o, 'coverage_50']:.0%} / {by_origin.at[o, 'coverage_90']:.0%}"
                 if o in by_origin.index else "-" for o in origins]
        pooled = [float(np.average(rows[band], weights=rows["cells"])) for band in BANDS]
        lines.append(f"| {metric} | " + " | ".join(cells)
                     + f" | {pooled[0]:.0%} / {pooled[1]:.0%} |")
    return lines


def band_verdict(actual: float, low: float, high: float) -> str:
    """Whether DfE's `actual` lay inside the model's band [`low`, `high`]: "yes", "no", or "-"
    when DfE has not published it."""
    if pd.isna(actual):
        return "-"
    return "yes" if low <= actual <= high else "no"


def plan_lines(plans: pd.DataFrame) -> list[str]:
    """A Markdown table per announced plan: measure, years ahead, model median (90% band), DfE's
    actual, whether it lay inside the band, and the origin's figure."""
    lines: list[str] = []
    for file, part in plans.groupby("plan", sort=False):
        first = part.iloc[0]
        lines += [f"### {first['council']}: `{file}` from 30 September {first['origin']}", "",
                  "| measure | years ahead | model median (90% band) | DfE actual "
                  "| inside the band | DfE at origin |",
                  "|---|---|---|---|---|---|"]
        for _, row in part.iterrows():
            number = "{:.3f}" if MEASURES[row["metric"]].rate else "{:,.1f}"
            actual = "not published" if pd.isna(row["actual"]) else number.format(row["actual"])
            lines.append(f"| {row['metric']} | {row['horizon']} | "
                         f"{number.format(row['p50'])} ({number.format(row['p05'])} to "
                         f"{number.format(row['p95'])}) | {actual} | "
                         f"{band_verdict(row['actual'], row['p05'], row['p95'])} | "
                         f"{number.format(row['persistence'])} |")
        published = part.dropna(subset=["actual"])
        inside = sum(band_verdict(a, lo, hi) == "yes" for a, lo, hi in
                     zip(published["actual"], published["p05"], published["p95"]))
        lines += ["", f"DfE's figure lay inside the model's 90% band in {inside} of the "
                      f"{len(published)} published cells."]
        lines.append("")
    return lines


HISTORY = "## History of scores"


def with_history(report: str, previous: str) -> str:
    """`report` followed by the hand-kept "History of scores" section of the note it replaces
    (`previous`, from its HISTORY heading to the end), so that regenerating the note keeps it."""
    at = previous.find("\n" + HISTORY)
    if at < 0:
        return report
    return report.rstrip("\n") + "\n\n" + previous[at + 1:].rstrip("\n") + "\n"


def markdown_report(summary: pd.DataFrame, record: dict, commit: str,
                    skipped: Sequence[Skipped], plans: pd.DataFrame | None = None,
                    by_origin: pd.DataFrame | None = None) -> str:
    """docs/backtest.md: how the national back-test was run and its scores, as measured
    (`by_origin`: `coverage_by_origin`, shown when given)."""
    backtest = record["backtest"]
    wall = record.get("wall_seconds")
    reused = (record.get("resumed") or {}).get("replications_reused")
    earlier = backtest.get("earlier_wall_seconds", 0.0)
    reps = record.get("replications") or 1
    perfect = {band: band_coverage(reps, QUANTILES[low] / 100, QUANTILES[high] / 100)
               for band, (low, high) in BANDS.items()}
    lines = [
        "# Back-test: the model's forecasts against what DfE later published",
        "",
        "Generated by `caseload backtest ... --doc docs/backtest.md` from the results folder "
        "of the run below; do not edit by hand (run it again).",
        "",
        f"- command: `{backtest.get('first_command') or record.get('command')}`"
        + (f" (this note: `{record.get('command')}`)" if backtest.get("first_command") else ""),
        f"- replications per council and origin: {record.get('replications')}; root seed "
        f"{record.get('root_seed')} (each council and origin draws from a seed of its own "
        f"derived from it); {record.get('executor')} executor, "
        f"workers: {record.get('workers')}",
        (f"- wall time: {wall + earlier:,.0f} s" if wall is not None and earlier is not None
         else "- wall time: not recorded (an invocation was interrupted)")
        + (f" in all; this invocation {wall:,.0f} s ({reused} replications of each "
           "council-origin reused from the store)" if reused else ""),
        f"- commit: {commit}; run finished {record.get('finished')}",
        f"- origins (30 September): {', '.join(map(str, backtest['origins']))}; horizons "
        f"{', '.join(map(str, backtest['horizons_years']))} years; given: "
        f"{', '.join(backtest['given']) or 'nothing (no plan, no later figures)'}",
        f"- council-origins run: {backtest['councils']}; skipped: {len(skipped)} (listed below)",
        "",
        "Method (`sim/experiments/backtest.py`): each council's baseline (`caseload baseline`, DfE figures "
        "of the origin and before only; tested) runs with no plan and no warm-up; the model's "
        "percentiles 1 and 2 years later are set beside DfE's figures and beside persistence "
        "(the origin's figure) and drift (plus the council's average yearly change before the "
        "origin). Measures are DfE's own (`sim/model/dfe_measures.py`, after DfE's methodology: "
        "https://explore-education-statistics.service.gov.uk/methodology/children-s-social-"
        "work-workforce-methodology); rates are shares. Referrals are DfE's years to 31 March: "
        "horizon h is the year to 31 March of origin + h + 1. MdAPE: median absolute "
        "percentage error (model: its median); model / persistence's interval is a "
        f"{RATIO_CONFIDENCE:.0%} percentile bootstrap over councils, each resampled with all "
        f"its cells ({RATIO_RESAMPLES} resamples, fixed seed; `ratio_interval`): an interval "
        "that holds 1 says the back-test cannot tell the model's error from persistence's for "
        "councils like these. The last column sets the model's move from the origin, "
        "log(median / persistence), against DfE's, log(actual / persistence), by measure "
        "(`change_skill`): their rank correlation (0: the model's moves say nothing of which "
        "councils rise and which fall; 1: it orders them all right), with its 90% interval "
        "(councils resampled, as for the ratio), and the robust (Theil-Sen) "
        "slope of DfE's on the model's (1: moves the right size; below 1: too large; 0 or "
        "below: no better than no move). Persistence moves nothing and has neither. The model "
        "was not tuned to these scores.",
        "",
        "Bands: a measure DfE publishes with a one-off reporting factor (caseload, "
        "case-holders, cases held, agency, vacancy and turnover rates) is forecast by the "
        "mixture, over replications, of the model's state times the factor's known "
        "distribution, integrated rather than drawn (`sim/analysis/predictive.py`), so its "
        "median carries no Monte Carlo noise of the factor. The factor's sd is what DfE's "
        "panel's changes over the horizon spread by (the factors over the start's and the "
        "walk beside them, censuses up to the origin) beyond the replications' own spread "
        "(difference of squares, at least 0), so a movement the state plays out is not "
        "counted again in the factor; its shape that of those changes over the horizon (a "
        "scale mixture of two normals matching their median and 90th percentile of size over "
        "their rms: most councils move little, a few a lot; `panel.change_tails`), the normal "
        "at 2017 (one census); the others (referrals, FTE in "
        f"post) by the replications' quantiles at positions p (n + 1), whose bands hold a "
        f"new draw of the same distribution about {perfect['coverage_50']:.0%} and "
        f"{perfect['coverage_90']:.0%} of the time with {reps} replications (`band_coverage`).",
        "",
        "## National scores",
        "",
        *markdown_table(summary),
        "",
        *(["## Calibration by origin", "",
            "The share of DfE's figures inside the model's 50% / 90% band, both horizons "
            "pooled, for each origin and over all of them.", "",
            *origin_lines(by_origin), ""] if by_origin is not None else []),
        *(["## The announced plans", "",
            "Each plan's [[policy]] actions as its scenario file writes them, on the council's "
            "DfE baseline at the last census before the announcement (the plan files' other "
            "assumptions, e.g. [effects], are not carried over); rates are shares.", "",
            *plan_lines(plans)] if plans is not None else []),
        "## Skipped council-origins (and plans)",
        "",
        *([f"- {s.reason}" for s in skipped] or ["- none"]),
        "",
    ]
    return "\n".join(lines)
