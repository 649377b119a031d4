"""The numbers of a baseline scenario (`sim.data.baseline`): one council's figures on DfE's
workforce census date, each with its source, derived from the bundled DfE extract. Rendering them as
TOML is `sim.data.baseline_text`'s job.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.data import baseline_workforce as wf
from sim.data import panel
from sim.data.dfe import (
    LOCAL,
    NATIONAL,
    REGIONAL,
    WORKFORCE_YEARS,
    BaselineError,
    Extract,
    Figure,
    marker,
    source,
)
from sim.data.shrinkage import Level, shrunk_level
from sim.model import dfe_measures
from sim.model.units import DAYS_PER_YEAR

ASSESSMENT_DAYS = 45.0   # FACTS: mean about 32 working days x 7/5
CP_DAYS = 305.0          # FACTS: child protection plan about 10 months
CLA_DAYS = 950.0         # FACTS: period in care about 2.6 years
CLA_SHARE = 0.19         # of the children in need stock, where DfE's CLA_At31 is not bundled
TREND_YEARS = 4          # most yearly changes of referrals the trend averages
CIN_FLOOR = 0.10         # smallest share of cases left on child in need plans
CP_NEXT = {"cin": 0.7, "close": 0.2, "cla": 0.1}
NQSW_SHARE, SENIOR_SHARE, PROGRESSION_DAYS = 0.3, 0.15, 365.0
MANAGER_SPAN, MANAGER_TURNOVER, MANAGER_HIRE_DAYS = 7, 0.12, 150.0


@dataclass(frozen=True)
class Trend:
    """Referrals' yearly log changes over up to TREND_YEARS years before a year."""

    years: tuple[int, ...]        # the years whose referrals it uses, oldest first
    log_changes: tuple[float, ...]

    @property
    def mean(self) -> float:
        """Average yearly log change (0 without history)."""
        return sum(self.log_changes) / len(self.log_changes) if self.log_changes else 0.0

    @property
    def spread(self) -> float:
        """Sample standard deviation of the yearly log changes (nan with fewer than two)."""
        n = len(self.log_changes)
        if n < 2:
            return float("nan")
        return math.sqrt(sum((x - self.mean) ** 2 for x in self.log_changes) / (n - 1))

    @property
    def growth_per_year(self) -> float:
        """exp(mean) - 1: the steady yearly growth with the same average log change."""
        return math.exp(self.mean) - 1


def referral_trend(data: Extract, code: str, year: int) -> Trend:
    """The council's referrals trend up to the year to 31 March `year`: log changes between
    consecutive years, both published for the same council code, over the TREND_YEARS + 1 years
    `year` - TREND_YEARS to `year` (a council formed later has fewer)."""
    counts = {y: data.published(code, y, "referral_count")
              for y in range(year - TREND_YEARS, year + 1)}
    years = tuple(y for y, figure in counts.items() if figure is not None and figure.value > 0)
    changes = tuple(math.log(counts[b].value / counts[a].value)
                    for a, b in zip(years, years[1:], strict=False) if b == a + 1)
    return Trend(years, changes)


Panel = dict[str, dict[int, float]]


@functools.cache
def workforce_panel(data: Extract, year: int, column: str,
                    zero_is_missing: bool) -> tuple[Panel, dict[int, float]]:
    """Every council's published `column` (a workforce rate, %) in the censuses up to 30
    September `year`, and England's: DfE's figures of the origin and before only."""
    years = [t for t in WORKFORCE_YEARS if t <= year]
    panel: Panel = {}
    for code in data.codes:
        for t in years:
            value = data.cell(LOCAL, code, t, column)[0]
            if value is not None and not (zero_is_missing and value == 0):
                panel.setdefault(code, {})[t] = value
    england = {t: v for t in years
               if (v := data.cell(NATIONAL, "England", t, column)[0]) is not None}
    return panel, england


def workforce_level(data: Extract, code: str, year: int, column: str, *,
                    zero_is_missing: bool = False) -> Level | None:
    """The council's `column` level for the years after `year` (sim.data.shrinkage), None if DfE
    published no figure of it for the council by then or none for England in `year`."""
    panel, england = workforce_panel(data, year, column, zero_is_missing)
    if code not in panel or year not in england:
        return None
    return shrunk_level(panel, england, code, england[year])


@dataclass(frozen=True)
class Persistence:
    """How much of a council's deviation from its level (a workforce rate's, % points) is still
    there at the next census: rho in figure_t - level = rho x (figure_t-1 - level)."""

    estimate: float     # rho, clipped to 0-1
    se: float           # clustered by council (nan when not estimated)
    pairs: int          # council pairs of consecutive censuses with a level at the first
    councils: int
    fallback: str       # why rho is 0 without an estimate ("" when estimated)

    def describe(self) -> str:
        """The estimate in words, for a comment in a scenario file."""
        if self.fallback:
            return f"rho 0: {self.fallback}"
        return (f"rho {self.estimate:.3f} (se {self.se:.3f}): least squares through 0 of a "
                "census's figure less the council's level at the census before on the figure "
                f"there less that level, {self.pairs} pairs of consecutive censuses of "
                f"{self.councils} councils up to the origin")


@functools.cache
def level_persistence(data: Extract, year: int, column: str, *,
                      zero_is_missing: bool = False) -> Persistence:
    """rho for workforce rate `column` from DfE's censuses up to 30 September `year`: for every
    council and consecutive censuses t - 1, t (both up to `year`), its level at t - 1 from the
    censuses up to t - 1 only (`workforce_level`, as a baseline at t - 1 would find it), d0 its
    figure at t - 1 less that level and d1 its figure at t less it; rho = sum d0 d1 / sum d0^2,
    clipped to 0-1, se clustered by council. rho 0 (the level) where no d0 differs from 0: with
    one census before t the level is the figure itself."""
    deviations: list[tuple[str, float, float]] = []
    for later in (t for t in WORKFORCE_YEARS if t <= year):
        panel_before, _ = workforce_panel(data, later - 1, column, zero_is_missing)
        panel_now, _ = workforce_panel(data, later, column, zero_is_missing)
        for code, figures in panel_before.items():
            now = panel_now.get(code, {}).get(later)
            if later - 1 not in figures or now is None:
                continue
            level = workforce_level(data, code, later - 1, column,
                                    zero_is_missing=zero_is_missing)
            if level is not None and level.estimated:
                deviations.append((code, figures[later - 1] - level.value, now - level.value))
    before = np.array([d0 for _, d0, _ in deviations])
    if not deviations or not np.any(before != 0):
        return Persistence(0.0, math.nan, 0, 0, f"no census before {year}'s has a level apart "
                                                "from its figure (one census up to it)")
    after = np.array([d1 for _, _, d1 in deviations])
    codes = np.array([code for code, _, _ in deviations])
    sum_squares = float(before @ before)
    rho = float(before @ after) / sum_squares
    scores = pd.Series(before * (after - rho * before)).groupby(codes).sum()
    se = math.sqrt(float(scores @ scores)) / sum_squares
    return Persistence(min(max(rho, 0.0), 1.0), se, len(deviations), len(set(codes)), "")


def _log_changes(counts: dict[int, float | None]) -> dict[int, float]:
    """Yearly log changes (keyed by the later year) between consecutive published counts."""
    return {t: math.log(counts[t] / counts[t - 1]) for t in counts
            if counts[t] and counts.get(t - 1)}


@functools.cache
def referral_panel(data: Extract, year: int) -> tuple[Panel, dict[int, float]]:
    """Every council's yearly log changes of referrals over the TREND_YEARS years to 31 March
    `year` (consecutive years published under the same code), and England's."""
    years = range(year - TREND_YEARS, year + 1)

    def counts(level: str, area: str) -> dict[int, float | None]:
        return {t: data.cell(level, area, t, "referral_count")[0] for t in years}
    panel = {code: changes for code in data.codes
             if (changes := _log_changes(counts(LOCAL, code)))}
    return panel, _log_changes(counts(NATIONAL, "England"))


def referral_growth_level(data: Extract, code: str, year: int) -> Level | None:
    """The council's yearly log change of referrals ahead (sim.data.shrinkage): England's average
    log change over the same years plus the council's shrunk difference; None without a change."""
    panel, england = referral_panel(data, year)
    if code not in panel or not england:
        return None
    return shrunk_level(panel, england, code, sum(england.values()) / len(england))


# --- the derivation ------------------------------------------------------------------------------

@dataclass
class Notes:
    fallbacks: list[str] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)

    def use(self, figure: Figure) -> Figure:
        if figure.fallback:
            line = f"{figure.source}: {figure.fallback}"
            if line not in self.fallbacks:
                self.fallbacks.append(line)
        return figure


class Derivation:
    """The figures of a baseline for one authority and year, each with its source."""

    def __init__(self, data: Extract, code: str, year: int) -> None:
        self.data, self.code, self.la, self.year = data, code, data.names[code], year
        self.notes = Notes()
        self._workforce_figures()
        self._cases()
        self._demand()
        self._stocks()
        self._flows()
        self._staff()
        self._spreads()

    # workforce figures (DfE census, 30 September of the year) ---------------------------------
    def _workforce_figures(self) -> None:
        data, code, year, use = self.data, self.code, self.year, self.notes.use
        self.turnover = use(data.rate(code, year, "turnover_rate_fte", zero_is_missing=True))
        self.agency_rate = use(data.rate(code, year, "agency_rate_fte"))
        self.vacancy_rate = use(data.rate(code, year, "vacancy_rate_fte"))
        self.agency_cover = data.rate(code, year, "vacancy_agency_cover_rate_fte")
        counts = ("inpost_fte", "leavers_fte", "starters_fte", "agency_fte", "vacancy_fte",
                  "case_holders_fte", "cases", "caseload_fte")
        self.wf = {column: data.workforce_count(code, year, column) for column in counts}
        self.holders_fte = use(self.wf["case_holders_fte"])
        self.cases_held = use(self.wf["cases"])
        self.inpost = use(self.wf["inpost_fte"])
        self.agency_fte = use(self.wf["agency_fte"] or self._agency_from_rate())
        self.agency_walk = panel.agency_walk(data, year)
        self.establishment_growth = panel.establishment_growth(data, year)
        self.levels_ahead = {
            "turnover": workforce_level(data, code, year, "turnover_rate_fte",
                                        zero_is_missing=True),
            "agency": (None if self.agency_walks
                       else workforce_level(data, code, year, "agency_rate_fte")),
            "vacancy": workforce_level(data, code, year, "vacancy_rate_fte"),
            "cover": workforce_level(data, code, year, "vacancy_agency_cover_rate_fte")}
        self.persistence = {"vacancy": level_persistence(data, year, "vacancy_rate_fte")}
        self.caseload_fte = Figure(self.cases_held.value / self.holders_fte.value,
                                   f"DfE workforce census 30 September {year} "
                                   "(cases / case_holders_fte)")

    @property
    def agency_walks(self) -> bool:
        """DfE's panel up to the year shows councils' agency FTE walking (`panel.agency_walk`
        above 0): the level a walk heads to is its latest figure, so the agency rate ahead is
        DfE's at the census, not a mean of the council's years, and the walk carries its change
        and spread from year to year (no spread about the level on top)."""
        return self.agency_walk.sd > 0

    def _agency_from_rate(self) -> Figure:
        """DfE's agency FTE from its agency rate r and FTE in post, where the count is not
        published: r = agency / (agency + in post), so agency = r / (1 - r) x in post."""
        rate = self.agency_rate.value / 100
        return Figure(rate / (1 - rate) * self.inpost.value,
                      f"derived: {self.agency_rate.source} {self.agency_rate.value:g}% / (1 - "
                      f"it) x in post {self.inpost.value:g}",
                      f"{source('agency_fte', self.year)} not published for {self.la}")

    def steady_state(self, agency_pct: float, vacancy_pct: float) -> wf.Stationary:
        """The workforce starting at DfE's census and heading to agency rate `agency_pct` and
        vacancy rate `vacancy_pct` (%, DfE's definitions) with the turnover ahead; of DfE's agency
        workers, those who hold cases (`_agency_case_holders`)."""
        rate = agency_pct / 100
        holding = 1 - self.agency_non_case_holding
        return wf.stationary(
            self.case_holders, self.agency_holders,
            self.ahead("turnover", self.turnover) / 100, self.vacancy_rate.value / 100,
            agency_level=rate / (1 - rate) * self.inpost.value * holding,
            vacancy_level=vacancy_pct / 100,
            cover_rate=min(max(self.ahead("cover", self.agency_cover) / 100, 0.0), 1.0),
            growth_per_year=self.establishment_growth.per_year,
            agency_vacancy_elasticity=panel.agency_vacancy_elasticity(self.data,
                                                                      self.year).estimate)

    def ahead(self, name: str, figure: Figure) -> float:
        """The figure of workforce rate `name` (%) the council heads to: the empirical-Bayes level
        of its figures up to the year (`levels_ahead`), plus, for a rate whose deviations from
        the level persist in DfE's panel (`persistence`), rho x (its own figure of the year -
        the level); or `figure` (its own or its region's figure of the year) where DfE
        published none for it."""
        level = self.levels_ahead[name]
        if level is None:
            return figure.value
        rho = self.persistence[name].estimate if name in self.persistence else 0.0
        return level.value + (0.0 if figure.fallback else rho * (figure.value - level.value))

    # open cases held by social workers at the start --------------------------------------------
    def _cases(self) -> None:
        use, data, code, year = self.notes.use, self.data, self.code, self.year
        self.cases = self.cases_held.value
        self.cases_source = self.cases_held.source + fallback_note(self.cases_held)
        self.at31 = use(data.count(code, year, "At31_episodes"))
        self.cp_share = self._stage_share("CPP_At31", None)
        self.cla_share = self._stage_share("CLA_At31", CLA_SHARE)

    def _stage_share(self, column: str, assumed: float | None) -> Figure:
        """DfE's `column` / At31_episodes (31 March of the year), else `assumed`, else the
        region's (then England's) same share."""
        data, code, year = self.data, self.code, self.year
        stage = data.published(code, year, column)
        what = f"DfE {year} {column} / At31_episodes"
        if stage is not None:
            return Figure(stage.value / self.at31.value,
                          f"{what} {stage.value:,.0f} / {self.at31.value:,.0f}")
        if assumed is not None and not data.has_row(code, year, column):
            return Figure(assumed, f"assumption: {assumed:.0%} ({column} is not bundled for "
                                   f"{year})")
        why = f"{column} {marker(data.cell(LOCAL, code, year, column)[1])} for {self.la}"
        for level, area in ((REGIONAL, data.region_of[code]), (NATIONAL, "England")):
            top, _ = data.cell(level, area, year, column)
            bottom, _ = data.cell(level, area, year, "At31_episodes")
            if top is not None and bottom:
                share = Figure(top / bottom, f"{what} {top:,.0f} / {bottom:,.0f}, {area}",
                               f"{why}; {area}'s share used")
                return self.notes.use(share)
        raise BaselineError(f"--la: DfE has no {column} for {self.la} or England in {year}")

    # demand ------------------------------------------------------------------------------------
    def _demand(self) -> None:
        use, data, code, year = self.notes.use, self.data, self.code, self.year
        self.referrals = use(data.count(code, year, "referral_count"))
        self.nfa = use(data.share(code, year, "no_further_action_count"))
        self.nin = use(data.share(code, year, "not_in_need_count"))
        self.rereferrals = data.share(code, year, "rereferral_count")
        self.trend = referral_trend(data, code, year)
        self.growth_level = referral_growth_level(data, code, year)
        self.growth_per_year = (math.exp(self.growth_level.value) - 1 if self.growth_level
                                else 0.0)
        self.assessed = self.referrals.value * (1 - self.nfa.value)
        self.close_share = min(1.0, self.nin.value / (1 - self.nfa.value)) if self.assessed else 0
        self.history = [data.cell(LOCAL, code, y, "referral_count")[1] or "-"
                        for y in data.years if y <= year]

    def _stocks(self) -> None:
        """Open cases by stage at the start: they sum to DfE's cases (Little's law for each)."""
        target = max(1, round(self.cases))
        assessment = self.assessed * ASSESSMENT_DAYS / DAYS_PER_YEAR
        cp, cla = self.cp_share.value * self.cases, self.cla_share.value * self.cases
        self.scaled = 1.0
        room = target * (1 - CIN_FLOOR)
        if assessment + cp + cla > room:
            if cp + cla > 0 and room > assessment:
                self.scaled = (room - assessment) / (cp + cla)
                cp, cla = cp * self.scaled, cla * self.scaled
            else:
                self.scaled = room / (assessment + cp + cla)
                assessment, cp, cla = (x * self.scaled for x in (assessment, cp, cla))
            self.notes.adjustments.append(
                f"assessment, child protection and looked-after stocks would leave under "
                f"{CIN_FLOOR:.0%} of DfE's cases on child in need plans; "
                f"{'they' if assessment < self.assessed * ASSESSMENT_DAYS / DAYS_PER_YEAR else 'cp and cla'}"
                f" are scaled by {self.scaled:.3f} so that {CIN_FLOOR:.0%} remain")
        stocks = {"assessment": round(assessment), "cp": round(cp), "cla": round(cla)}
        stocks["cin"] = target - sum(stocks.values())
        self.stocks = stocks
        self.assessment_days = (stocks["assessment"] / self.assessed * DAYS_PER_YEAR if self.assessed
                                else ASSESSMENT_DAYS)

    def _flows(self) -> None:
        """Entries a year that keep the stocks level, as assessment outcome shares."""
        stocks, assessed = self.stocks, max(self.assessed, 1e-9)
        entries_cp = stocks["cp"] / (CP_DAYS / DAYS_PER_YEAR)
        entries_cla = stocks["cla"] / (CLA_DAYS / DAYS_PER_YEAR)
        cp_next = dict(CP_NEXT)
        if entries_cla < cp_next["cla"] * entries_cp:
            cp_next["cla"] = round(entries_cla / entries_cp, 4) if entries_cp else 0.0
            cp_next["cin"] = round(1 - cp_next["close"] - cp_next["cla"], 4)
            self.notes.adjustments.append(
                "child protection plans alone would bring more children into care than the "
                f"looked-after stock holds: cp plans end in care {cp_next['cla']:.4f} (not 0.1)")
        cp = min(entries_cp / assessed, 1.0)
        cla = min(max(0.0, entries_cla - cp_next["cla"] * entries_cp) / assessed, 1.0 - cp)
        close = min(self.close_share, 1.0 - cp - cla)
        if close < self.close_share - 1e-9:
            self.notes.adjustments.append(
                f"DfE's not-in-need share {self.close_share:.3f} of assessments leaves no room "
                f"for the child protection and care entries; closure after assessment set to "
                f"{close:.4f}")
        outcome = {"close": round(close, 4), "cp": round(cp, 4), "cla": round(cla, 4)}
        outcome["cin"] = round(1 - outcome["close"] - outcome["cp"] - outcome["cla"], 4)
        outcome["close"] = round(1 - outcome["cin"] - outcome["cp"] - outcome["cla"], 10)
        self.outcome, self.cp_next = outcome, cp_next
        self.entries = {stage: outcome[stage] * self.assessed for stage in outcome}
        self.entries_cp, self.entries_cla = entries_cp, entries_cla
        self.entries_cin = self.entries["cin"] + cp_next["cin"] * entries_cp
        cin_days = stocks["cin"] / self.entries_cin * DAYS_PER_YEAR if self.entries_cin > 0 else 180.0
        self.cin_days = min(max(cin_days, 1.0), 36500.0)

    # workforce ---------------------------------------------------------------------------------
    def _agency_case_holders(self) -> None:
        """DfE's agency workers who hold cases (people) and the share of them who hold none
        (`dfe_measures.agency_case_holders`: all of them but where the agency FTE leaves too few
        permanent case-holders), with the adjustment said where some hold none."""
        self.case_holders = max(2, round(self.holders_fte.value))
        self.agency_holders = dfe_measures.agency_case_holders(
            self.inpost.value, self.case_holders, self.agency_fte.value)
        self.agency_non_case_holding = dfe_measures.agency_non_case_holding_share(
            self.agency_fte.value, self.agency_holders)
        if self.agency_holders < round(self.agency_fte.value):
            self.notes.adjustments.append(
                f"DfE's agency FTE {self.agency_fte.value:g} leaves too few of its "
                f"{self.holders_fte.value:g} case-holders permanent (at least a tenth of DfE's "
                f"{self.inpost.value:g} in post, and one): {self.agency_holders} agency workers "
                f"hold cases and a share {self.agency_non_case_holding:.4g} of DfE's hold none "
                "(agency.non_case_holding_share), so DfE's agency rate and FTE in post both "
                "hold at the start")

    def _staff(self) -> None:
        self._agency_case_holders()
        self.state = self.steady_state(self.ahead("agency", self.agency_rate),
                                       self.ahead("vacancy", self.vacancy_rate))
        permanent = self.state.permanent
        self.non_case_holding = dfe_measures.non_case_holding_share(
            self.inpost.value, self.case_holders, self.state.agency)
        nqsw = min(permanent, wf.newly_qualified(permanent, self.turnover.value / 100, NQSW_SHARE,
                                                 PROGRESSION_DAYS))
        senior = min(permanent - nqsw, round(SENIOR_SHARE * permanent))
        self.levels = {"nqsw": nqsw, "sw": permanent - nqsw - senior, "senior": senior}
        self.managers = max(1, round(self.case_holders / MANAGER_SPAN))
        vacant = wf.vacant_share(MANAGER_TURNOVER, MANAGER_HIRE_DAYS)
        self.managers_in_post = self.managers - round(self.managers * vacant)
        if self.state.fill_days <= wf.MIN_FILL_DAYS + 1e-9:
            self.notes.adjustments.append(
                f"the time to fill that keeps the permanent staff level is under "
                f"{wf.MIN_FILL_DAYS:.0f} days; {wf.MIN_FILL_DAYS:.0f} days used")
        state = self.state
        if state.agency_short:
            held = state.cover_rate * state.agency_capacity
            self.notes.adjustments.append(
                f"agency cover at DfE's cover rate {state.cover_rate:.1%} holds {held:.1f} "
                f"agency workers in the steady state, with the {state.beyond} kept beyond "
                f"vacancies (at most DfE's agency workers) {state.beyond + held:.1f}, not "
                f"{state.agency_later:.1f}: the agency workers head to that")
        if state.agency_over:
            self.notes.adjustments.append(
                f"the {state.beyond} agency workers kept beyond vacancies (those DfE's vacancies "
                f"cannot hold) are more than the steady state's {state.agency_later:.1f}: "
                "vacancies get no agency cover and the agency workers head to those beyond "
                "vacancies")
        if self.non_case_holding in (0.0, 0.9):
            self.notes.adjustments.append(
                f"the non-case-holding share 1 - {permanent} / {self.inpost.value:g} is outside "
                f"0-0.9; clipped to {self.non_case_holding:g}, so the model's FTE in post "
                "differs from DfE's")


    # spreads of the uncertain assumptions --------------------------------------------------------
    def _spreads(self) -> None:
        """Sd of each rate ahead (%, as a draw once per replication; `Level.forecast_sd`) less the
        binomial chance of a year's figure among the council's staff, which the model plays out
        itself; and the keys' spreads that follow from them (see `sim.data.baseline_text`)."""
        staff = {"turnover": self.inpost.value,
                 "agency": self.inpost.value + self.agency_fte.value,
                 "vacancy": self.inpost.value / (1 - self.vacancy_rate.value / 100),
                 "cover": self.inpost.value * self.vacancy_rate.value / (
                     100 - self.vacancy_rate.value)}
        self.rate_sd: dict[str, float] = {}
        for name, level in self.levels_ahead.items():
            if level is None:
                continue
            share = min(max(level.value / 100, 0.0), 1.0)
            chance = share * (1 - share) / max(staff[name], 1.0) * 100**2
            self.rate_sd[name] = level.forecast_sd(chance)
        self.key_ranges: dict[str, tuple[float, float, float]] = {}
        for name, key in (("agency", "cover"), ("vacancy", "success")):
            if name not in self.rate_sd:
                continue
            values = []
            for step in (-1, 0, 1):
                agency, vacancy = self.ahead("agency", self.agency_rate), self.ahead(
                    "vacancy", self.vacancy_rate)
                if name == "agency":
                    agency = min(max(agency + step * self.rate_sd[name], 0.0), 95.0)
                else:
                    vacancy = min(max(vacancy + step * self.rate_sd[name], 0.0), 95.0)
                values.append(getattr(self.steady_state(agency, vacancy), key))
            self.key_ranges[key] = (values[0], values[1], values[2])
        national = list(referral_panel(self.data, self.year)[1].values())
        self.england_growth_sd = (math.sqrt(sum((x - sum(national) / len(national)) ** 2
                                                for x in national) / (len(national) - 1))
                                  if len(national) > 1 else 0.0)


# --- the file ------------------------------------------------------------------------------------


def fallback_note(figure: Figure) -> str:
    """" [filled: ...]" after a figure's source when DfE's figure was missing and filled."""
    return f" [filled: {figure.fallback}]" if figure.fallback else ""

