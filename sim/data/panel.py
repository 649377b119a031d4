"""Estimates from DfE's panel of councils and years, each from the figures published up to a year
(so a baseline for year Y, and the back-test from an origin Y, use nothing DfE published later).

- `caseload_elasticity`: the caseload elasticity of turnover, log turnover regressed on log
  caseload with council and year fixed effects (the within estimator), standard errors clustered
  by council. Turnover is DfE's `turnover_rate_fte` of census Y (leavers in the year to 30
  September Y / FTE in post); caseload is DfE's cases / case-holders (FTE) at the census before,
  30 September Y - 1: the pressure at the start of the year whose leavers are counted, so the
  vacancies the leavers open (which raise the caseload of those who stay) cannot enter it. The
  contemporaneous variant (`lagged=False`, caseload at 30 September Y) is reported beside it.
  The model's `caseload_elasticity` e makes a worker's hazard 1 + e x (caseload / cap - 1) times
  its base above the cap: near the cap that is (caseload / cap)^e, so e is the log-log elasticity
  there, and the estimate maps onto e one for one (docs/turnover.md says what that leaves out).
- `cases_referral_elasticity`: the elasticity of cases held to referrals at a fixed workforce,
  s in `sim.model.pressure` (durations D = D0 (caseload / the council's own)^(-k), so by Little's
  law log C = s log R + (1 - s) log H + council + year, s = 1 / (1 + k)): log(cases / case-holders)
  regressed on log(referrals / case-holders), council and year effects, standard errors clustered
  by council (the restriction that the two slopes sum to 1 makes it one regressor). Case-holders
  and cases held share a one-off reporting factor (`case_holders_one_off`: who is counted as a
  case-holder is counted with their cases), which sits in the regressor and not in log(cases /
  case-holders) and so pulls the least-squares slope towards 0 (k towards infinity: 0.07 against
  0.14 up to 2020); case-holders are instrumented by posts (FTE in post + vacancies, all roles:
  the council's staffing read from another part of the return, without that factor), the
  instrument log(referrals / posts) (`within_iv`). Cases held and
  case-holders (FTE) are DfE's at census Y (30 September Y); referrals are those of the twelve
  months to the census, half in DfE's year to 31 March Y and half in its year to 31 March Y + 1:
  the geometric mean of the two (`referrals_to_census`). Up to an origin Y the censuses are those to
  Y - 1 (DfE's referrals of the year to 31 March Y are the last at the origin, as the baseline's).
- `caseload_change`: the root mean square of councils' yearly changes in log caseload (cases /
  case-holders FTE), the spread of a council's usual caseload a year on around the last census's
  (`demand.usual_caseload_ratio`).
- `referral_walk` and `turnover_walk`: the yearly step sd of a random walk in a council's log
  referrals or log turnover (`demand.yearly_change_sd`, `workforce.turnover.yearly_change_sd`).
  For a walk with step sd s observed with one-off noise (measurement, data errors, and for
  turnover the chance of who leaves), the mean square of h-year log changes is h s^2 plus a
  constant, so s^2 is its slope in h (least squares over h = 1 to MAX_LAG_YEARS). Turnover's
  binomial noise ((1 - rate) / leavers at each end) is taken off each square first.
- `establishment_walk` and `establishment_growth`: the year-to-year change of a council's
  establishment (`workforce.establishment_drift`), DfE's FTE in post + vacancies at each census,
  all roles (the figure the back-test's `--given establishment` feeds). The growth is England's:
  the mean over years of the typical council's yearly log change (a council's own changes
  reverse, lag-1 correlation about -0.1, so its own trend forecasts nothing). The walk is that of
  each council's log establishment less the year's mean over councils (so England's trend does
  not enter the slope), as for referrals; with one lag only (up to 2018), the walk cannot be told
  from one-off noise, and the mean square of 1-year changes, an upper bound, is used.
- `case_holders_posts_elasticity`: how a council's case-holders follow its posts (all roles),
  the within slope of log case-holders on log(FTE in post + vacancies).
- `agency_vacancy_elasticity`: how a council's agency FTE follows its vacancies, the within
  slope of log agency FTE on log vacancies (FTE): the steady state's agency workers follow the
  vacancies ahead by it (`sim.data.baseline_workforce.stationary`).
- `agency_caseload_response`: how a council's agency FTE follows its caseload's standing against
  England's typical council (`typical_caseload`, the median council's): the slope of the yearly
  log change of agency FTE on log caseload less the year's median, year effects
  (`workforce.agency.caseload_response`, `sim.model.agency`).
- `agency_walk`: the walk of a council's log agency FTE (`workforce.agency.yearly_change_sd`,
  which a baseline's model applies to all agency workers, `walk_scope` "all",
  `sim.model.agency`), with
  one lag (up to 2018) its upper bound, as for the establishment: the agency rate's one-off
  factor is 0 there, so the walk carries the whole of a year's change. The
  whole agency FTE, not the part beyond vacancies alone: that part is most of it (DfE's agency FTE
  exceeds the case-holding vacancies in most council-years), DfE's agency FTE and its vacancies
  are counted differently (FTE on the census day, vacancies as posts), so their difference is
  noisy and often near 0 or below, where its log is undefined or explosive. No noise is taken off
  first: an agency count is a stock on the census day, not a draw of events, and its one-off
  errors are in the constant the slope leaves out.
- `one_off`: the one-off (reporting) factor of a DfE measure at each census (`dfe_reporting`):
  what a council reports is its underlying state times a factor that does not persist (changes
  of definition, of who is counted, data cleaning, timing). For a walk with step sd w observed
  with one-off noise of sd n, the mean square of h-year changes of a council's log figure less
  England's mean that year is 2 n^2 + h w^2: the intercept of its least-squares line in h
  (h = 1 to MAX_LAG_YEARS) gives n (the slope, held at 0 or more, w). Case-holders and cases
  held move together, so their shared factor is estimated from the mean product of their h-year
  changes (`case_holders_one_off`) and caseload's own remainder from caseload's changes
  (`caseload_one_off`). Rates are shares: agency and vacancy rates in logits (bounded by 1),
  turnover in logs less the binomial chance of who leaves, as for its walk. With one census there
  is no change: for a measure of a council's intensity (caseload, a rate; not case-holders, a
  count that spreads with councils' size) the factor's sd is then half the spread across councils
  of the census's deviations (less the binomial chance, for turnover), the most the start's own
  factor can be uncertain given one figure whatever the split of that spread into councils'
  levels and one-offs (the bound `sim.data.shrinkage.Level.level_sd` puts on a level), and the
  census ahead's is taken at the same; without it a 2017 start's bands carried no one-off at
  all. With one change (up to 2018) the factor cannot be told from a walk, and is 0: the walks'
  upper bounds carry the change; caseload's, whose start the filter takes at that census's bound
  (`start_filter`), is the bound, the walk what the change's mean square leaves beside two such
  factors (`one_change_bound`), so a later census carries the factor the start's filter assumes.
- `start_filter`: the start's own factor given the council's history (`dfe_reporting`'s start
  keys). A local-level Kalman filter runs down each council's log (logit) figures about
  England's yearly mean: the state walks (step w), each census sees it through the one-off
  factor (sd n), both from `one_off`, and the state's prior at the first census is normal(0,
  tau^2), tau^2 the spread across councils of that census's deviations less n^2. At the last
  census the factor is the figure less the filtered state, normal(y - m, P). It is used where,
  in the censuses up to the year, the filtered level forecast each next census better than the
  figure did (median absolute error): for caseload, not for case-holders, whose changes are
  heavy-tailed (a normal filter with their mean-square factor takes real moves for one-offs).

Councils whose workforce DfE reports jointly (one row for two councils) are left out of the
workforce estimates: their rates are the joint service's.
"""
from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.data.dfe import LOCAL, WORKFORCE_YEARS, Extract

MAX_LAG_YEARS = 3
INTERVAL = 0.90
PRIOR_MEAN, PRIOR_SD = 0.0, 1.0   # the wide prior of the elasticity without two years of data


@dataclass(frozen=True)
class Elasticity:
    """The within estimate of d log turnover / d log caseload, or the wide prior (`fallback`
    says why) when there are fewer than two years of within-council data."""

    estimate: float
    se: float
    observations: int
    councils: int
    years: tuple[int, ...]       # the census years of the turnover figures used
    lagged: bool
    fallback: str = ""

    def interval(self, level: float = INTERVAL) -> tuple[float, float]:
        """The two-sided `level` interval: t with councils - 1 degrees of freedom (normal for
        the prior)."""
        q = (stats.norm.ppf(0.5 + level / 2) if self.fallback
             else stats.t.ppf(0.5 + level / 2, self.councils - 1))
        return self.estimate - q * self.se, self.estimate + q * self.se

    def describe(self) -> str:
        if self.fallback:
            return (f"wide prior normal(mean {self.estimate:g}, sd {self.se:g}) clipped at 0: "
                    f"{self.fallback}")
        low, high = self.interval()
        caseload = "30 September Y-1" if self.lagged else "30 September Y"
        return (f"{self.estimate:.3f} (se {self.se:.3f}, {INTERVAL:.0%} interval {low:.2f} to "
                f"{high:.2f}): DfE log turnover_rate_fte of census Y on log cases / "
                f"case_holders_fte at {caseload}, council and year effects, "
                f"{self.observations} council-years of {self.councils} councils, turnover "
                f"{self.years[0]}-{self.years[-1]}, standard error clustered by council")


@dataclass(frozen=True)
class CasesElasticity:
    """The within instrumental-variable estimate of the elasticity s of cases held to referrals
    at a fixed workforce (case-holders instrumented by posts; `least_squares` is the slope
    without the instrument, for the record), or the flat prior over the model's range
    (`fallback` says why)."""

    estimate: float
    se: float
    observations: int
    councils: int
    years: tuple[int, ...]       # the census years used
    fallback: str = ""
    prior_high: float = 1.0      # the flat prior's upper end (its lower is the model's 0.01)
    least_squares: float = math.nan

    def interval(self, level: float = INTERVAL) -> tuple[float, float]:
        """The two-sided `level` interval of s: t with councils - 1 degrees of freedom."""
        q = stats.t.ppf(0.5 + level / 2, self.councils - 1)
        return self.estimate - q * self.se, self.estimate + q * self.se

    def exponent_interval(self, level: float = INTERVAL) -> tuple[float, float]:
        """The interval of k = (1 - s) / s that s's holds (infinite above when s's reaches 0)."""
        low, high = self.interval(level)
        return (1 - high) / high, (1 - low) / low if low > 0 else math.inf

    def describe(self) -> str:
        if self.fallback:
            return f"uniform 0.01 to {self.prior_high:.3f}: {self.fallback}"
        low, high = self.interval()
        k_low, k_high = self.exponent_interval()
        return (f"{self.estimate:.3f} (se {self.se:.3f}, {INTERVAL:.0%} interval {low:.3f} to "
                f"{high:.3f}; k = (1 - s) / s from {k_low:.1f} to {k_high:.1f}): DfE log(cases / "
                f"case_holders_fte) of census Y on log(referral_count of the twelve months to it "
                f"/ case_holders_fte), the geometric mean of the years to 31 March Y and Y + 1, "
                f"instrumented by log(those referrals / posts), posts being FTE in post + "
                f"vacancies, all roles (case-holders and cases held share a reporting factor, "
                f"which biases the slope without the instrument to {self.least_squares:.3f}), "
                f"council and year effects, {self.observations} council-years of "
                f"{self.councils} councils, censuses {self.years[0]}-{self.years[-1]}, standard "
                f"error clustered by council")


@dataclass(frozen=True)
class Walk:
    """The yearly step sd of a random walk in a log rate, from the mean squares of h-year log
    changes (`mean_squares`, by h); `fallback` says why there is none (sd 0)."""

    sd: float
    mean_squares: dict[int, float]
    changes: int                 # the h-year changes used, all h
    years: tuple[int, int]       # first and last year of the figures used
    fallback: str = ""
    upper_bound: bool = False    # one lag only: sd is sqrt of its mean square (walk + noise)

    def describe(self, what: str) -> str:
        if self.fallback:
            return f"0: {self.fallback}"
        if self.upper_bound:
            return (f"{self.sd:.4f} = sqrt of the mean square of councils' 1-year log changes of "
                    f"{what} (DfE {self.years[0]}-{self.years[-1]}, {self.changes} changes): "
                    "with one lag a walk cannot be told from one-off noise, so an upper bound")
        squares = ", ".join(f"h={h} {v:.4f}" for h, v in self.mean_squares.items())
        return (f"{self.sd:.4f} = sqrt of the slope in h of the mean square of councils' h-year "
                f"log changes of {what} (DfE {self.years[0]}-{self.years[-1]}, {self.changes} "
                f"changes; {squares}): what a random walk adds each year, net of one-off noise")


# --- the panel -----------------------------------------------------------------------------------

def panel(data: Extract) -> pd.DataFrame:
    """One row per council code and year: referrals, children in need (31 March), turnover
    (share), leavers and agency workers (FTE), caseload (cases / case-holders FTE), case-holders
    (FTE), cases held, agency and vacancy rates (shares), establishment (FTE in post +
    vacancies), vacancies (FTE), and whether DfE reported its workforce jointly; NaN where DfE
    published no positive figure."""
    rows = []
    for (level, code, year), _ in data.rows.items():
        if level != LOCAL:
            continue

        def value(column: str) -> float:
            number = data.cell(LOCAL, code, year, column)[0]
            return number if number is not None and number > 0 else math.nan

        rows.append({"code": code, "year": year, "referrals": value("referral_count"),
                     "cases": value("cases"), "case_holders": value("case_holders_fte"),
                     "children_in_need": value("At31_episodes"),
                     "turnover": value("turnover_rate_fte") / 100,
                     "leavers": value("leavers_fte"), "agency": value("agency_fte"),
                     "caseload": value("cases") / value("case_holders_fte"),
                     "agency_rate": value("agency_rate_fte") / 100,
                     "vacancy_rate": value("vacancy_rate_fte") / 100,
                     "establishment": value("inpost_fte") + value("vacancy_fte"),
                     "vacancies": value("vacancy_fte"),
                     "joint": len(data.workforce_members(code, year)) > 1})
    return pd.DataFrame(rows).sort_values(["code", "year"], ignore_index=True)


@functools.cache
def _panel_of(data: Extract) -> pd.DataFrame:
    return panel(data)


def within(y: np.ndarray, x: np.ndarray, groups: np.ndarray,
           years: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray]:
    """The two-way fixed-effects slope of `y` on `x` (group and year effects) and its standard
    error clustered by group (small-sample factor G/(G-1) x (N-1)/(N-K), K the regressors left
    after the group effects are swept out); also x and y with both effects partialled out (their
    least-squares slope is the estimate). By Frisch-Waugh-Lovell: every column, the year dummies
    too, is demeaned within groups, then ordinary least squares."""
    (x_part, y_part), regressors = _two_way_partial([x, y], groups, years)
    slope = float(x_part @ y_part / (x_part @ x_part))
    se = _clustered_se(x_part, y_part - slope * x_part, x_part @ x_part, groups, regressors)
    return slope, se, x_part, y_part


def within_iv(y: np.ndarray, x: np.ndarray, instrument: np.ndarray, groups: np.ndarray,
              years: np.ndarray) -> tuple[float, float]:
    """The two-way fixed-effects instrumental-variable slope of `y` on `x` with `instrument`
    (one instrument for one regressor: cov(z, y) / cov(z, x) after group and year effects are
    partialled out of all three) and its standard error clustered by group, with `within`'s
    small-sample factor. An `x` read with an error that `y` shares (as case-holders carry a
    reporting factor cases held carry too) biases the least-squares slope; an instrument that
    moves with x's true value but not with the error does not."""
    (x_part, y_part, z_part), regressors = _two_way_partial([x, y, instrument], groups, years)
    moment = float(z_part @ x_part)
    slope = float(z_part @ y_part) / moment
    return slope, _clustered_se(z_part, y_part - slope * x_part, moment, groups, regressors)


def across_councils(y: np.ndarray, x: np.ndarray, groups: np.ndarray,
                    years: np.ndarray) -> tuple[float, float]:
    """The slope of `y` on `x` with year effects only (both demeaned within years, then least
    squares) and its standard error clustered by group, with `within`'s small-sample factor (the
    year effects and the slope the regressors): differences between councils count, as a
    council's standing against England's does."""
    x_part, y_part = (_demeaned(values, years)[:, 0] for values in (x, y))
    moment = float(x_part @ x_part)
    slope = float(x_part @ y_part) / moment
    return slope, _clustered_se(x_part, y_part - slope * x_part, moment, groups,
                                1 + np.unique(years).size)


def _two_way_partial(columns: list[np.ndarray], groups: np.ndarray,
                     years: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Each of `columns` with group and year effects partialled out (demeaned within groups, then
    less its least-squares fit on the demeaned year dummies), and the number of regressors left
    after the group effects are swept out (the column of interest and the year dummies)."""
    dummies = pd.get_dummies(pd.Series(years), drop_first=True, dtype=float).to_numpy()
    year_part = _demeaned(dummies, groups) if dummies.shape[1] else dummies
    parts = [_residual(year_part, _demeaned(column, groups)[:, 0]) for column in columns]
    return parts, 1 + dummies.shape[1]


def _demeaned(values: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """`values` (a column, or columns) less their mean within each key, as a 2-D array."""
    frame = pd.DataFrame(np.asarray(values, dtype=float))
    return (frame - frame.groupby(np.asarray(keys)).transform("mean")).to_numpy()


def _clustered_se(instrument: np.ndarray, residuals: np.ndarray, moment: float,
                  groups: np.ndarray, regressors: int) -> float:
    """The group-clustered standard error of a slope sum(z y) / `moment` (z the partialled
    `instrument`, x itself for least squares), with `within`'s small-sample factor."""
    scores = pd.Series(instrument * residuals).groupby(np.asarray(groups)).sum().to_numpy()
    n, g = instrument.size, scores.size
    variance = float(scores @ scores) / moment ** 2 * g / (g - 1) * (n - 1) / (n - regressors)
    return math.sqrt(variance)


def _residual(regressors: np.ndarray, values: pd.Series | np.ndarray) -> np.ndarray:
    """`values` less their least-squares fit on `regressors` (as they are with no columns)."""
    values = np.asarray(values, dtype=float)
    if not regressors.shape[1]:
        return values
    return values - regressors @ np.linalg.lstsq(regressors, values, rcond=None)[0]


def elasticity_rows(data: Extract, up_to: int, lagged: bool = True) -> pd.DataFrame:
    """The council-years of the elasticity's regression (turnover census <= `up_to`): code,
    year, log turnover, log caseload (of the census before when `lagged`); councils with at
    least two such years."""
    frame = _panel_of(data)
    frame = frame[(frame["year"] >= WORKFORCE_YEARS[0]) & (frame["year"] <= up_to)
                  & ~frame["joint"]].copy()
    frame["log_turnover"] = np.log(frame["turnover"])
    log_caseload = np.log(frame["caseload"])
    if lagged:
        before = frame.assign(year=frame["year"] + 1, log_caseload=log_caseload)
        frame = frame.merge(before[["code", "year", "log_caseload"]], on=["code", "year"])
    else:
        frame["log_caseload"] = log_caseload
    frame = frame.dropna(subset=["log_turnover", "log_caseload"])
    years_each = frame.groupby("code")["year"].transform("count")
    return frame[years_each >= 2][["code", "year", "log_turnover", "log_caseload"]]


@functools.cache
def caseload_elasticity(data: Extract, up_to: int, lagged: bool = True) -> Elasticity:
    """The caseload elasticity of turnover from DfE's figures up to census `up_to` (module
    docstring); the wide prior normal(PRIOR_MEAN, PRIOR_SD) with fewer than two years."""
    rows = elasticity_rows(data, up_to, lagged)
    years = tuple(sorted(rows["year"].unique()))
    if len(years) < 2:
        first = WORKFORCE_YEARS[0] + (1 if lagged else 0)
        return Elasticity(PRIOR_MEAN, PRIOR_SD, len(rows), rows["code"].nunique(), years, lagged,
                          f"fewer than two years of within-council data up to {up_to} (DfE's "
                          f"workforce census starts in {WORKFORCE_YEARS[0]}, so the first year "
                          f"with turnover and {'the year before' if lagged else 'its'} caseload "
                          f"is {first})")
    estimate, se, _, _ = within(rows["log_turnover"].to_numpy(), rows["log_caseload"].to_numpy(),
                                rows["code"].to_numpy(), rows["year"].to_numpy())
    return Elasticity(estimate, se, len(rows), rows["code"].nunique(), years, lagged)


def estimate_cases_elasticity(rows: pd.DataFrame) -> CasesElasticity:
    """The elasticity s from `rows` (code, year, cases, case_holders, referrals, posts; positive),
    as in the module docstring; councils with fewer than two years are left out, and with fewer
    than two years in all the flat prior."""
    rows = rows.dropna(subset=["cases", "case_holders", "referrals", "posts"])
    years = tuple(sorted(int(y) for y in rows["year"].unique()))
    rows = rows[rows.groupby("code")["year"].transform("count") >= 2]
    if len(years) < 2:
        return CasesElasticity(math.nan, math.nan, len(rows), rows["code"].nunique(), years,
                               f"fewer than two census years with cases, case-holders, posts "
                               f"and referrals (DfE's: {', '.join(map(str, years)) or 'none'})")
    holders, referrals = (np.log(rows[c].to_numpy()) for c in ("case_holders", "referrals"))
    y, x = np.log(rows["cases"].to_numpy()) - holders, referrals - holders
    groups, census = rows["code"].to_numpy(), rows["year"].to_numpy()
    estimate, se = within_iv(y, x, referrals - np.log(rows["posts"].to_numpy()), groups, census)
    return CasesElasticity(estimate, se, len(rows), rows["code"].nunique(), years,
                           least_squares=within(y, x, groups, census)[0])


def referrals_to_census(frame: pd.DataFrame) -> pd.Series:
    """DfE's referrals of the twelve months to each row's census (30 September of `year`): the
    geometric mean of its years to 31 March `year` and `year` + 1, each half before the census
    (nan where either is missing)."""
    later = frame[["code", "year", "referrals"]].assign(year=frame["year"] - 1)
    merged = frame[["code", "year"]].merge(later, on=["code", "year"], how="left")
    return pd.Series(np.sqrt(frame["referrals"].to_numpy() * merged["referrals"].to_numpy()),
                     index=frame.index)


@functools.cache
def cases_referral_elasticity(data: Extract, up_to: int) -> CasesElasticity:
    """The elasticity of cases held to referrals from DfE's censuses to `up_to` - 1, with the
    referrals of the twelve months to each (module docstring; the year to 31 March `up_to` is
    the last); councils whose workforce DfE reports jointly are left out. With fewer than two
    censuses, a flat prior from 0.01 to the upper end of the 90% interval of the within
    elasticity of children in need (31 March) to referrals up to `up_to` (`children_in_need_
    bound`)."""
    frame = _panel_of(data)
    frame = frame[(frame["year"] >= WORKFORCE_YEARS[0]) & (frame["year"] <= up_to)
                  & ~frame["joint"]]
    frame = frame.assign(referrals=referrals_to_census(frame))
    frame = frame.rename(columns={"establishment": "posts"})
    found = estimate_cases_elasticity(frame[frame["year"] < up_to][
        ["code", "year", "cases", "case_holders", "referrals", "posts"]])
    if not found.fallback:
        return found
    high, why = children_in_need_bound(data, up_to)
    return dataclasses.replace(found, prior_high=high, fallback=f"{found.fallback}; {why}")


@functools.cache
def caseload_change(data: Extract, up_to: int) -> tuple[float, str]:
    """The root mean square of councils' one-year changes in log caseload, DfE's censuses up to
    `up_to` (councils reported jointly left out), and how it was found; 0 with one census."""
    logs = np.log(_workforce_wide(data, "caseload", up_to))
    changes = (logs - logs.shift(1)).to_numpy().ravel()
    changes = changes[np.isfinite(changes)]
    if not changes.size:
        return 0.0, f"no yearly change of caseload in DfE's censuses up to {up_to}"
    root = float(np.sqrt(np.mean(changes ** 2)))
    return root, (f"{root:.4f} = root mean square of councils' yearly changes in log cases / "
                  f"case_holders_fte, DfE censuses {WORKFORCE_YEARS[0]}-{up_to}, "
                  f"{changes.size} changes")


def children_in_need_bound(data: Extract, up_to: int) -> tuple[float, str]:
    """An upper bound of s from the demand tables alone: the within slope of log children in
    need on 31 March on log referrals of the year to that day (council and year effects, years
    to `up_to`) is s plus (1 - s) times that of case-holders on referrals, which is taken as not
    negative (assumption: staffing does not fall as referrals rise); the upper end of its 90%
    interval (at most 1), and how it was found."""
    frame = _panel_of(data)
    rows = frame[frame["year"] <= up_to].dropna(subset=["children_in_need", "referrals"])
    rows = rows[rows.groupby("code")["year"].transform("count") >= 2]
    slope, se, _, _ = within(np.log(rows["children_in_need"].to_numpy()),
                             np.log(rows["referrals"].to_numpy()), rows["code"].to_numpy(),
                             rows["year"].to_numpy())
    councils = rows["code"].nunique()
    high = min(1.0, slope + stats.t.ppf(0.5 + INTERVAL / 2, councils - 1) * se)
    return high, (f"the bound is the upper end of the {INTERVAL:.0%} interval of the within "
                  f"slope of log At31_episodes on log referral_count, {slope:.3f} (se {se:.3f}), "
                  f"council and year effects, {len(rows)} council-years of {councils} councils, "
                  f"{int(rows['year'].min())}-{int(rows['year'].max())}: s plus the share of "
                  "staffing that follows referrals, taken as not negative")


def lag_mean_squares(log_values: pd.DataFrame, noise: pd.DataFrame | None = None,
                     other: pd.DataFrame | None = None) -> tuple[dict[int, float], int]:
    """{h: the mean over councils and years of the square of h-year changes of `log_values`
    (years as rows, councils as columns; consecutive years), each less `noise` (its variance at
    each end) when given; with `other` (same shape) the mean product of the two h-year changes
    instead of the square}, h = 1 to MAX_LAG_YEARS where there are changes; and the number of
    changes used, all h."""
    squares: dict[int, float] = {}
    used = 0
    for h in range(1, MAX_LAG_YEARS + 1):
        second = log_values if other is None else other
        changes = (log_values - log_values.shift(h)) * (second - second.shift(h))
        if noise is not None:
            changes = changes - noise - noise.shift(h)
        values = changes.to_numpy().ravel()
        values = values[np.isfinite(values)]
        if values.size:
            squares[h] = float(values.mean())
            used += values.size
    return squares, used


def walk_sd(log_values: pd.DataFrame, noise: pd.DataFrame | None = None) -> Walk:
    """The step sd of a random walk in the columns of `log_values` (years as rows, councils as
    columns; consecutive years), from the slope in h of the mean square of h-year changes, each
    less `noise` (its variance at each end) when given; 0 and `fallback` with fewer than two
    lags."""
    squares, used = lag_mean_squares(log_values, noise)
    years = (int(log_values.index.min()), int(log_values.index.max()))
    if len(squares) < 2:
        return Walk(0.0, squares, used, years, f"fewer than two lags of yearly changes in "
                                                f"{years[0]}-{years[1]}")
    lags = np.array(list(squares), dtype=float)
    slope = float(np.polyfit(lags, np.array(list(squares.values())), 1)[0])
    if slope <= 0:
        return Walk(0.0, squares, used, years,
                    f"the mean square of h-year log changes does not grow with h in "
                    f"{years[0]}-{years[1]} (the changes are one-off, not a walk)")
    return Walk(math.sqrt(slope), squares, used, years)


def _wide(frame: pd.DataFrame, column: str, first: int, up_to: int) -> pd.DataFrame:
    table = frame[(frame["year"] >= first) & (frame["year"] <= up_to)].pivot(
        index="year", columns="code", values=column)
    return table.reindex(range(first, up_to + 1))


def _workforce_wide(data: Extract, column: str, up_to: int) -> pd.DataFrame:
    """`column` of the councils DfE does not report jointly, census years up to `up_to` as rows,
    councils as columns."""
    frame = _panel_of(data)
    return _wide(frame[~frame["joint"]], column, WORKFORCE_YEARS[0], up_to)


@functools.cache
def referral_walk(data: Extract, up_to: int) -> Walk:
    """The yearly drift of councils' log referrals, DfE's years to 31 March up to `up_to`."""
    frame = _panel_of(data)
    return walk_sd(np.log(_wide(frame, "referrals", data.years[0], up_to)))


@functools.cache
def turnover_walk(data: Extract, up_to: int) -> Walk:
    """The yearly drift of councils' log turnover rates, DfE's censuses up to `up_to`, less the
    binomial noise of who leaves (the variance of log leavers / in post: about (1 - rate) /
    leavers)."""
    return walk_sd(*_log_turnover_and_noise(data, up_to))


def _log_turnover_and_noise(data: Extract, up_to: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Councils' log turnover rates, censuses up to `up_to`, and the binomial variance of each
    (about (1 - rate) / leavers: the chance of who leaves)."""
    turnover = _workforce_wide(data, "turnover", up_to)
    return np.log(turnover), (1 - turnover) / _workforce_wide(data, "leavers", up_to)


@dataclass(frozen=True)
class Growth:
    """England's yearly growth of councils' establishment: exp(mean yearly log change) - 1."""

    per_year: float
    changes: int                 # council-years of yearly changes used
    years: tuple[int, int]       # first and last census of the figures used

    def describe(self) -> str:
        if not self.changes:
            return (f"0: no yearly change in DfE's censuses {self.years[0]}-{self.years[1]} "
                    "(the workforce census starts in 2017)")
        return (f"{self.per_year:+.4f} = exp(mean over census years of the mean over councils of "
                f"their yearly log change of in post + vacancies FTE) - 1, DfE "
                f"{self.years[0]}-{self.years[1]}, {self.changes} changes")


def growth_of(log_values: pd.DataFrame) -> Growth:
    """England's yearly growth from the columns of `log_values` (years as rows, councils as
    columns): exp(the mean over years of the mean over councils of their yearly log change) - 1;
    0 with no yearly change."""
    changes = log_values - log_values.shift(1)
    count = int(changes.notna().to_numpy().sum())
    years = (int(log_values.index.min()), int(log_values.index.max()))
    return Growth(math.expm1(float(changes.mean(axis=1).dropna().mean())) if count else 0.0,
                  count, years)


def _about_england(log_values: pd.DataFrame) -> pd.DataFrame:
    """The columns of `log_values` (councils) less each year's (row's) mean over councils."""
    return log_values.sub(log_values.mean(axis=1), axis=0)


def walk_about_england(log_values: pd.DataFrame) -> Walk:
    """The step sd of a random walk in the columns of `log_values` about their yearly mean (so a
    trend common to all councils does not enter it); with one lag, its upper bound."""
    return bounded_with_one_lag(walk_sd(_about_england(log_values)))


def bounded_with_one_lag(walk: Walk) -> Walk:
    """`walk`, or with one lag of yearly changes (a walk cannot be told from one-off noise) the
    upper bound sqrt(the mean square of yearly changes): a 1-year change's spread, all of it."""
    if len(walk.mean_squares) == 1:
        return Walk(math.sqrt(walk.mean_squares[1]), walk.mean_squares, walk.changes, walk.years,
                    upper_bound=True)
    return walk


def _log_establishment(data: Extract, up_to: int) -> pd.DataFrame:
    return np.log(_workforce_wide(data, "establishment", up_to))


@functools.cache
def establishment_growth(data: Extract, up_to: int) -> Growth:
    """England's yearly establishment growth from DfE's censuses up to `up_to`."""
    return growth_of(_log_establishment(data, up_to))


@functools.cache
def establishment_walk(data: Extract, up_to: int) -> Walk:
    """The yearly drift of councils' log establishment about England's path, DfE's censuses up
    to `up_to`; with one lag, its upper bound."""
    return walk_about_england(_log_establishment(data, up_to))


@dataclass(frozen=True)
class WithinElasticity:
    """A log-log elasticity from DfE's panel of `relation` with `effects` (by default within:
    council and year effects), or, with `fallback` saying why, the value `estimate` stands in
    with."""

    estimate: float
    se: float
    observations: int
    councils: int
    relation: str
    fallback: str = ""
    effects: str = "council and year effects"

    def describe(self) -> str:
        if self.fallback:
            return f"{self.estimate:g}: {self.fallback}"
        return (f"{self.estimate:.3f} (se {self.se:.3f}): DfE {self.relation}, {self.effects}, "
                f"{self.observations} council-years of {self.councils} councils, "
                "standard error clustered by council")


def _census_elasticity(data: Extract, up_to: int, y: str, x: str, relation: str,
                       no_estimate: float, why_not: str) -> WithinElasticity:
    """The within slope of log `y` on log `x` (panel columns, both above 0) over DfE's censuses up
    to `up_to`, councils not reported jointly with two censuses or more; `no_estimate` with
    `why_not` where fewer than two censuses are left."""
    frame = _panel_of(data)
    rows = frame[(frame["year"] >= WORKFORCE_YEARS[0]) & (frame["year"] <= up_to)
                 & ~frame["joint"] & (frame[y] > 0) & (frame[x] > 0)]
    rows = rows[rows.groupby("code")["year"].transform("count") >= 2]
    if rows["year"].nunique() < 2:
        return WithinElasticity(no_estimate, math.nan, len(rows), rows["code"].nunique(),
                                relation, why_not)
    estimate, se, _, _ = within(np.log(rows[y].to_numpy()), np.log(rows[x].to_numpy()),
                                rows["code"].to_numpy(), rows["year"].to_numpy())
    return WithinElasticity(estimate, se, len(rows), rows["code"].nunique(), relation)


@functools.cache
def case_holders_posts_elasticity(data: Extract, up_to: int) -> WithinElasticity:
    """How a council's case-holders follow its posts: the within slope of log case-holders (FTE)
    on log posts (FTE in post + vacancies, all roles), council and year effects, DfE's censuses up
    to `up_to` (councils reported jointly left out); 1 (posts are case-holding posts) with fewer
    than two censuses. DfE's posts count every role, and a council's new posts fill with
    case-holders at this rate (0.45-0.72 up to 2018-2022): what `caseload backtest --given
    establishment` turns DfE's change of posts into the model's case-holding posts with."""
    return _census_elasticity(
        data, up_to, "case_holders", "establishment",
        "log case_holders_fte on log(inpost_fte + vacancy_fte) of the same census", 1.0,
        f"fewer than two censuses up to {up_to}: posts are taken as case-holding posts")


@functools.cache
def agency_vacancy_elasticity(data: Extract, up_to: int) -> WithinElasticity:
    """How a council's agency FTE follows its vacancies: the within slope of log agency FTE on log
    vacancies (FTE), council and year effects, DfE's censuses up to `up_to` (0.30, 0.51, 0.55 up to
    2018-2020, se about 0.08); 0 (agency FTE apart from vacancies) with fewer than two censuses.
    Agency workers cover vacancies, and DfE's agency FTE exceeds its vacancies in most councils:
    the steady state's agency workers follow the vacancies ahead by it, where a baseline held
    them at the census's whatever the vacancies ahead (docs/baseline.md)."""
    return _census_elasticity(
        data, up_to, "agency", "vacancies", "log agency_fte on log vacancy_fte of the same census",
        0.0, f"fewer than two censuses up to {up_to}: no change to estimate it from")


def log_caseload_about_typical(frame: pd.DataFrame) -> pd.Series:
    """Each council-year's log caseload less the median over councils of that year's (councils
    with a caseload above 0): how far a council stands from England's typical council."""
    log_caseload = np.log(frame["caseload"].where(frame["caseload"] > 0))
    return log_caseload - log_caseload.groupby(frame["year"]).transform("median")


def typical_caseload(data: Extract, year: int) -> float:
    """England's typical council's caseload at DfE's census `year`: the median over councils
    (not reported jointly, caseload above 0) of cases / case-holders."""
    frame = _panel_of(data)
    rows = frame[(frame["year"] == year) & ~frame["joint"] & (frame["caseload"] > 0)]
    return float(np.exp(np.log(rows["caseload"]).median()))


@functools.cache
def agency_caseload_response(data: Extract, up_to: int) -> WithinElasticity:
    """How a council's agency FTE follows its caseload's standing against England's typical
    council: the slope of the yearly log change of agency FTE (census Y to Y + 1, Y + 1 up to
    `up_to`) on log caseload at census Y less that year's median over councils, year effects
    (councils reported jointly, and years with no agency worker, left out); 0 with no change.
    Year effects alone, not council ones: the response is to where a council stands against
    England's, which a council's own mean would take out (with council effects the slope is
    larger still, 0.73-1.10 up to 2019-2022; this one 0.60-0.78, se 0.14-0.25). What
    `agency.caseload_response` is drawn about (`sim.model.agency`)."""
    frame = _panel_of(data)
    frame = frame[(frame["year"] >= WORKFORCE_YEARS[0]) & ~frame["joint"]].copy()
    frame["about_typical"] = log_caseload_about_typical(frame)
    after = frame.assign(year=frame["year"] - 1)[["code", "year", "agency"]]
    rows = frame.merge(after, on=["code", "year"], suffixes=("", "_after"))
    rows = rows[(rows["year"] + 1 <= up_to) & (rows["agency"] > 0) & (rows["agency_after"] > 0)
                ].dropna(subset=["about_typical"])
    relation = ("yearly log change of agency_fte (census Y to Y + 1) on log caseload at census Y "
                "less the median over councils of that year's")
    if rows.empty:
        return WithinElasticity(0.0, math.nan, 0, 0, relation,
                                f"no yearly change of agency FTE up to {up_to}: no response "
                                "to estimate", "year effects")
    change = np.log(rows["agency_after"].to_numpy() / rows["agency"].to_numpy())
    estimate, se = across_councils(change, rows["about_typical"].to_numpy(),
                                   rows["code"].to_numpy(), rows["year"].to_numpy())
    return WithinElasticity(estimate, se, len(rows), rows["code"].nunique(), relation,
                            effects="year effects")


@functools.cache
def agency_walk(data: Extract, up_to: int) -> Walk:
    """The yearly drift of councils' log agency FTE, DfE's censuses up to `up_to` (councils with
    no agency worker in a year leave that year out); with one lag, its upper bound."""
    return bounded_with_one_lag(walk_sd(np.log(_workforce_wide(data, "agency", up_to))))


# --- one-off (reporting) factors -----------------------------------------------------------------

@dataclass(frozen=True)
class OneOff:
    """The log sd of a measure's one-off factor at each census (`sd`) and the step sd of the walk
    beside it (`walk_sd`), from the line 2 sd^2 + h walk_sd^2 through the mean squares of h-year
    changes about England's yearly mean (`mean_squares`, by h); `fallback` says why there is
    none (sd 0). With one census, `one_census_councils` > 0: the sd is half the spread across
    that many councils (module docstring), no walk; with one change (`one_change_bound`), the
    same at the last census, the walk what the change's mean square (`mean_squares[1]`) leaves."""

    sd: float
    walk_sd: float
    mean_squares: dict[int, float]
    changes: int
    years: tuple[int, int]
    fallback: str = ""
    one_census_councils: int = 0

    def describe(self, what: str) -> str:
        if self.fallback:
            return f"0: {self.fallback}"
        if self.one_census_councils and self.mean_squares:
            return (f"{self.sd:.4f} = half the sd across councils of their {what} about "
                    f"England's mean at DfE's census {self.years[1]} ({self.one_census_councils} "
                    f"councils), its bound: with one change ({self.years[1] - 1}-{self.years[1]}) "
                    "a one-off factor cannot be told from a walk; the walk beside it "
                    f"{self.walk_sd:.4f}, what the change's mean square "
                    f"{self.mean_squares[1]:.4f} leaves beside two such factors")
        if self.one_census_councils:
            return (f"{self.sd:.4f} = half the sd across councils of their {what} about "
                    f"England's mean at DfE's one census ({self.years[1]}, "
                    f"{self.one_census_councils} councils): with no change to estimate it from, "
                    "the most the start's own factor can be uncertain given one figure (the bound "
                    "on a level's uncertainty with one census, sim.data.shrinkage), the census "
                    "ahead's taken at the same")
        squares = ", ".join(f"h={h} {v:.4f}" for h, v in self.mean_squares.items())
        return (f"{self.sd:.4f} = sqrt(half the intercept at h = 0 of the line through the mean "
                f"squares of councils' h-year changes of {what} about England's yearly mean "
                f"(DfE {self.years[0]}-{self.years[1]}, {self.changes} changes; {squares}); "
                f"the walk beside it {self.walk_sd:.4f}")


def one_off_sd(log_values: pd.DataFrame, noise: pd.DataFrame | None = None,
               other: pd.DataFrame | None = None, *, intensity: bool = False) -> OneOff:
    """The one-off factor and walk of the columns of `log_values` (years as rows, councils as
    columns; consecutive years) about their yearly mean over councils (module docstring), each
    square less `noise` (its variance at each end) when given; with `other`, the factor shared
    by the two (from the mean products of their changes). With a slope below 0 the changes show
    no walk: the walk is 0 and the factor half their mean square. With one census, for a measure
    of a council's `intensity`, half the spread across councils (`one_census_bound`)."""
    squares, used = lag_mean_squares(_about_england(log_values), noise,
                                     None if other is None else _about_england(other))
    years = (int(log_values.index.min()), int(log_values.index.max()))
    if not squares:
        if intensity:
            return one_census_bound(log_values, noise)
        return OneOff(0.0, 0.0, squares, used, years,
                      f"one census ({years[1]}): no change to tell a one-off factor from")
    if len(squares) < 2:
        return OneOff(0.0, 0.0, squares, used, years,
                      f"one yearly change ({years[0]}-{years[1]}): a one-off factor cannot be "
                      "told from a walk, whose upper bound carries the change")
    lags = np.array(list(squares), dtype=float)
    values = np.array(list(squares.values()))
    slope, intercept = (float(v) for v in np.polyfit(lags, values, 1))
    if slope < 0:
        slope, intercept = 0.0, float(values.mean())
    if intercept <= 0:
        return OneOff(0.0, math.sqrt(slope), squares, used, years,
                      f"the mean squares of h-year changes ({years[0]}-{years[1]}) reach 0 or "
                      "less at h = 0: no one-off part")
    return OneOff(math.sqrt(intercept / 2), math.sqrt(slope), squares, used, years)


def one_census_bound(log_values: pd.DataFrame, noise: pd.DataFrame | None = None) -> OneOff:
    """The one-off factor of a measure of councils' intensity at the last (only) row of
    `log_values`: half the sd across councils of its figures about England's mean, their spread
    less the mean of `noise` (each figure's chance variance) when given (module docstring)."""
    deviations = _about_england(log_values).iloc[-1]
    seen = np.isfinite(deviations)
    variance = float(deviations[seen].var()) if seen.sum() > 1 else 0.0
    if noise is not None:
        variance -= float(noise.iloc[-1][seen].mean())
    year = int(log_values.index.max())
    return OneOff(math.sqrt(max(variance, 0.0)) / 2, 0.0, {}, 0, (year, year),
                  one_census_councils=int(seen.sum()))


def one_change_bound(log_values: pd.DataFrame) -> OneOff:
    """With two censuses (one yearly change), a measure of councils' intensity: the one-off factor
    at its one-census bound at the last census (`one_census_bound`), the walk what the mean
    square of the yearly changes about England's mean leaves beside two such factors (at least
    0)."""
    bound = one_census_bound(log_values)
    squares, used = lag_mean_squares(_about_england(log_values))
    step = max(0.0, squares[1] - 2 * bound.sd ** 2)
    return OneOff(bound.sd, math.sqrt(step), squares, used, bound.years,
                  one_census_councils=bound.one_census_councils)


def _logit(shares: pd.DataFrame) -> pd.DataFrame:
    """log(p / (1 - p)); nan at 1 and above (DfE's rates of 100%)."""
    inside = shares.where(shares < 1)
    return np.log(inside / (1 - inside))


@functools.cache
def case_holders_one_off(data: Extract, up_to: int) -> OneOff:
    """The one-off factor case-holders (FTE) and cases held share, DfE's censuses up to
    `up_to`: from the mean products of their h-year log changes."""
    return one_off_sd(np.log(_workforce_wide(data, "case_holders", up_to)),
                      other=np.log(_workforce_wide(data, "cases", up_to)))


@functools.cache
def children_in_need_one_off(data: Extract, up_to: int) -> OneOff:
    """The one-off factor of councils' log children in need on 31 March (DfE's demand tables,
    from 2013, years up to `up_to`): the stand-in for the factor case-holders and cases share
    where the workforce censuses are too few to estimate it (origins 2017 and 2018). Cases held
    are children in need, so their factor is in both; case-holders' own, estimated from 2019,
    is larger (0.115-0.146 against 0.080-0.096), so the stand-in errs narrow."""
    frame = _panel_of(data)
    return one_off_sd(np.log(_wide(frame[~frame["joint"]], "children_in_need", data.years[0],
                                   up_to)))


@functools.cache
def caseload_one_off(data: Extract, up_to: int) -> OneOff:
    """Caseload's own one-off factor (cases held's beyond the shared one), DfE's censuses up to
    `up_to`; with two censuses, whose one change cannot tell a factor from a walk, its bound
    (`one_change_bound`): the factor the start's filter assumes every census carries
    (`caseload_start_filter`), so a later census carries it too."""
    log_caseload = np.log(_workforce_wide(data, "caseload", up_to))
    one_off = one_off_sd(log_caseload, intensity=True)
    if one_off.fallback and len(one_off.mean_squares) == 1:
        return one_change_bound(log_caseload)
    return one_off


@functools.cache
def rate_one_off(data: Extract, up_to: int, name: str) -> OneOff:
    """The one-off factor of DfE's "agency" or "vacancy" rate in logits, censuses up to
    `up_to`."""
    return one_off_sd(_logit(_workforce_wide(data, f"{name}_rate", up_to)), intensity=True)


@functools.cache
def turnover_one_off(data: Extract, up_to: int) -> OneOff:
    """The one-off factor of DfE's turnover rate in logs, censuses up to `up_to`, less the
    binomial chance of who leaves (about (1 - rate) / leavers)."""
    return one_off_sd(*_log_turnover_and_noise(data, up_to), intensity=True)


# --- the shape of a measure's changes: heavy tails ------------------------------------------------

TAIL_SHARES = np.linspace(0.0, 0.6, 61)    # the wide component's share, searched
TAIL_RATIOS = np.linspace(1.0, 8.0, 71)    # its sd over the narrow one's, searched
MIN_TAIL_CHANGES = 100                     # fewer changes: the normal


@dataclass(frozen=True)
class Tails:
    """The shape of councils' h-year changes of a measure about England's yearly mean (`lag` h):
    a unit-variance scale mixture of two normals, with probability `wide_share` the one whose sd
    is `ratio` times the other's, fitted so that the median and the 90th percentile of |change|
    over their root mean square are the panel's (`median_ratio`, `q90_ratio`; a normal's 0.674
    and 1.645) over `changes` changes; (0, 1), the normal, with `fallback` saying why."""

    wide_share: float = 0.0
    ratio: float = 1.0
    median_ratio: float = math.nan
    q90_ratio: float = math.nan
    changes: int = 0
    lag: int = 0
    fallback: str = ""

    @property
    def weights(self) -> tuple[float, float]:
        return (1 - self.wide_share, self.wide_share)

    @property
    def scales(self) -> tuple[float, float]:
        """The two normals' sds over the mixture's."""
        narrow = float(_narrow_sd(self.wide_share, self.ratio))
        return (narrow, narrow * self.ratio)


def _narrow_sd(shares: np.ndarray | float, ratios: np.ndarray | float) -> np.ndarray:
    """The narrow normal's sd in a unit-variance two-normal scale mixture whose wide one, of
    probability `shares`, has `ratios` times its sd."""
    return 1 / np.sqrt(1 - np.asarray(shares) + np.asarray(shares) * np.asarray(ratios) ** 2)


def _abs_quantiles(shares: np.ndarray, ratios: np.ndarray, wanted: float) -> np.ndarray:
    """The `wanted` quantile of |X| for each unit-variance mixture (share, ratio) (bisection)."""
    narrow = _narrow_sd(shares, ratios)
    low, high = np.zeros_like(narrow), np.full_like(narrow, 50.0)
    for _ in range(60):
        middle = (low + high) / 2
        inside = ((1 - shares) * (2 * stats.norm.cdf(middle / narrow) - 1)
                  + shares * (2 * stats.norm.cdf(middle / (narrow * ratios)) - 1))
        under = inside < wanted
        low, high = np.where(under, middle, low), np.where(under, high, middle)
    return (low + high) / 2


@functools.cache
def _tail_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    shares, ratios = (grid.ravel() for grid in np.meshgrid(TAIL_SHARES, TAIL_RATIOS))
    return shares, ratios, _abs_quantiles(shares, ratios, 0.5), _abs_quantiles(shares, ratios, 0.9)


def fit_tails(changes: np.ndarray, lag: int) -> Tails:
    """The `Tails` of `changes` (finite), the grid's mixture nearest their two ratios (least
    squares); the normal with fewer than MIN_TAIL_CHANGES."""
    if changes.size < MIN_TAIL_CHANGES:
        return Tails(changes=int(changes.size), lag=lag,
                     fallback=f"{changes.size} changes, fewer than {MIN_TAIL_CHANGES}")
    size = np.abs(changes)
    rms = math.sqrt(float(np.mean(changes ** 2)))
    median_ratio = float(np.median(size)) / rms
    q90_ratio = float(np.quantile(size, 0.9)) / rms
    shares, ratios, medians, q90s = _tail_grid()
    best = int(np.argmin((medians - median_ratio) ** 2 + (q90s - q90_ratio) ** 2))
    return Tails(float(shares[best]), float(ratios[best]), median_ratio, q90_ratio,
                 int(changes.size), lag)


TAIL_MEASURES = {"case_holders": "log", "cases": "log", "caseload": "log", "turnover": "log",
                 "agency_rate": "logit", "vacancy_rate": "logit"}


@functools.cache
def change_tails(data: Extract, up_to: int, column: str, lag: int) -> Tails:
    """The `Tails` of councils' `lag`-year changes of `column` (a TAIL_MEASURES key, in its
    scale) about England's yearly mean, DfE's censuses up to `up_to`; of 1-year changes where
    there are too few `lag`-year ones."""
    wide = _workforce_wide(data, column, up_to)
    values = np.log(wide) if TAIL_MEASURES[column] == "log" else _logit(wide)
    deviations = _about_england(values.replace([np.inf, -np.inf], np.nan))
    found = Tails(fallback="no change")
    for h in dict.fromkeys((lag, 1)):
        changes = (deviations - deviations.shift(h)).to_numpy().ravel()
        found = fit_tails(changes[np.isfinite(changes)], h)
        if not found.fallback:
            return found
    return found


# --- the start's factor: a local-level filter ---------------------------------------------------

@dataclass(frozen=True)
class Filtered:
    """A local-level Kalman filter run down the rows (census years) of a table of log (or logit)
    figures, councils as columns, each about England's yearly mean (`deviations`): the state
    walks with step sd `walk_sd`, each census sees it through a one-off factor of sd `noise_sd`,
    and every council's state starts, at the first row, from normal(0, `prior_variance`).
    `levels` and `variances` are the filtered state's mean and variance after each row's figure
    (a council with no figure in a row carries its level, its variance grows by a step)."""

    deviations: pd.DataFrame
    levels: pd.DataFrame
    variances: pd.DataFrame
    noise_sd: float
    walk_sd: float
    prior_variance: float

    def start_factor(self, council: str) -> tuple[float, float] | None:
        """The mean and sd of the council's one-off factor at the last row given its figures up
        to it (its figure less the filtered state: normal(y - m, P)); None without a figure
        there."""
        if council not in self.deviations.columns:
            return None
        figure = float(self.deviations[council].iloc[-1])
        if not math.isfinite(figure):
            return None
        return (figure - float(self.levels[council].iloc[-1]),
                math.sqrt(float(self.variances[council].iloc[-1])))

    def one_step_errors(self) -> tuple[np.ndarray, np.ndarray]:
        """The absolute errors of forecasting each row's figures (about England's mean) from the
        row before by the filtered level and by the figure itself (persistence), where both
        figures are published."""
        actual = self.deviations.iloc[1:].to_numpy()
        before = self.deviations.iloc[:-1].to_numpy()
        filtered = self.levels.iloc[:-1].to_numpy()
        both = np.isfinite(actual) & np.isfinite(before)
        return np.abs(actual - filtered)[both], np.abs(actual - before)[both]


def local_level_filter(log_values: pd.DataFrame, noise_sd: float, walk_sd: float) -> Filtered:
    """The local-level filter (`Filtered`) of the columns of `log_values` (years as rows,
    councils as columns; consecutive years) about each row's mean over councils. The prior
    variance is the spread across councils of the first row's deviations, less the one-off
    factor's share (noise_sd^2; at least 0)."""
    deviations = _about_england(log_values)
    first = deviations.iloc[0].dropna()
    prior_variance = max(0.0, float(first.var()) - noise_sd ** 2) if first.size > 1 else 0.0
    noise, step = noise_sd ** 2, walk_sd ** 2
    level = np.zeros(deviations.shape[1])
    variance = np.full(deviations.shape[1], prior_variance)
    levels, variances = [], []
    for row, figures in enumerate(deviations.to_numpy()):
        if row:
            variance = variance + step
        seen = np.isfinite(figures)
        with np.errstate(invalid="ignore", divide="ignore"):
            gain = np.where(variance + noise > 0, variance / (variance + noise), 1.0)
        level = np.where(seen, level + gain * (np.where(seen, figures, 0.0) - level), level)
        variance = np.where(seen, variance * (1 - gain), variance)
        levels.append(level)
        variances.append(variance)
    frame = functools.partial(pd.DataFrame, index=deviations.index, columns=deviations.columns)
    return Filtered(deviations, frame(np.array(levels)), frame(np.array(variances)), noise_sd,
                    walk_sd, prior_variance)


@dataclass(frozen=True)
class StartFilter:
    """The local-level filter of a measure's figures up to a census year (`filtered`, None
    without a factor to filter by: `fallback` says why) and the evidence for using it at the
    start: the median absolute error, in the measure's scale about England's mean, of
    forecasting each census up to the year from the one before by the filtered level
    (`filtered_error`) and by the figure itself (`persistence_error`), over `forecasts`
    council-years; `factors` says where the one-off sd and walk came from where not the panel's
    estimates."""

    filtered: Filtered | None
    filtered_error: float = math.nan
    persistence_error: float = math.nan
    forecasts: int = 0
    fallback: str = ""
    factors: str = ""

    @property
    def applied(self) -> bool:
        """Whether the start's factor is the filter's posterior: its level forecast the next
        census better than the figure did, in the censuses up to the year; with one census
        (nothing to test it on) the filter is the prior across councils alone, and is used."""
        return self.filtered is not None and (
            self.forecasts == 0 or self.filtered_error < self.persistence_error)

    def describe(self) -> str:
        if self.filtered is None:
            return f"not filtered: {self.fallback}"
        f = self.filtered
        evidence = (f"forecasting each census from the one before, the filtered level's median "
                    f"absolute error {self.filtered_error:.4f}, the last figure's "
                    f"{self.persistence_error:.4f} ({self.forecasts} council-years)")
        if not self.applied:
            return (f"not filtered: a local-level filter (one-off sd {f.noise_sd:.4f}, walk "
                    f"{f.walk_sd:.4f}) did not beat the last figure: {evidence}")
        why = (f"it beat the last figure: {evidence}" if self.forecasts else
               "one census, nothing to test it on: the level is the prior across councils "
               "updated by the council's one figure, its deviation from England's mean shrunk "
               "by the one-off's share of the spread")
        factors = f": {self.factors}" if self.factors else ""
        return (f"local-level Kalman filter of the council's figures about England's yearly "
                f"mean (one-off sd {f.noise_sd:.4f}, walk {f.walk_sd:.4f}{factors}; prior sd "
                f"{math.sqrt(f.prior_variance):.4f} at the first census: the spread across "
                f"councils less the one-off's); {why}")


def start_filter(log_values: pd.DataFrame, noise_sd: float, walk_sd: float,
                 factors: str = "") -> StartFilter:
    """The `StartFilter` of the columns of `log_values` (years as rows, councils as columns;
    consecutive years) with the one-off sd and walk given (from where: `factors`)."""
    filtered = local_level_filter(log_values, noise_sd, walk_sd)
    by_level, by_figure = filtered.one_step_errors()
    if not by_level.size:
        return StartFilter(filtered, factors=factors)
    return StartFilter(filtered, float(np.median(by_level)), float(np.median(by_figure)),
                       int(by_level.size), factors=factors)


@functools.cache
def caseload_start_filter(data: Extract, up_to: int) -> StartFilter:
    """The filter of councils' log caseload, DfE's censuses up to `up_to`, by caseload's own
    one-off factor and walk (`caseload_one_off`; at one census or one change, its bound, whose
    description the filter's carries)."""
    one_off = caseload_one_off(data, up_to)
    if one_off.fallback:
        return StartFilter(None, fallback=f"caseload's one-off factor is 0 ({one_off.fallback})")
    factors = one_off.describe("log caseload") if one_off.one_census_councils else ""
    return start_filter(np.log(_workforce_wide(data, "caseload", up_to)), one_off.sd,
                        one_off.walk_sd, factors)


@functools.cache
def case_holders_start_filter(data: Extract, up_to: int) -> StartFilter:
    """The filter of councils' log case-holders (FTE), DfE's censuses up to `up_to`, by the
    factor case-holders and cases share (`case_holders_one_off`) and case-holders' own walk
    (the slope of their own mean squares)."""
    shared = case_holders_one_off(data, up_to)
    if shared.fallback:
        return StartFilter(None, fallback="the censuses give no shared factor of case-holders "
                                          f"and cases held ({shared.fallback})")
    log_holders = np.log(_workforce_wide(data, "case_holders", up_to))
    return start_filter(log_holders, shared.sd, one_off_sd(log_holders).walk_sd)
