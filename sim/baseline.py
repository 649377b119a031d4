"""`caseload baseline`: a no-plan scenario for any English council, from the bundled DfE tables.

`baseline_scenario_text(la, year)` automates what `scenarios/councils/manchester-2016.toml` does by
hand, for 30 September `year` (DfE's workforce census date, 2017 to 2022). Starting open cases:
DfE's cases held on that date, split by stage in the proportions of DfE's child protection plans
and children looked after among its children in need at 31 March `year`. Demand: the referrals and
no-further-action share of the year to 31 March `year`, growing at the council's own recent trend
(`referral_trend`); the assessment outcome from the not-in-need share; stage durations by Little's
law (open cases of a stage = entries a year x mean years), so that the starting open cases are the
steady state. Workforce: DfE's case-holders of the same census split into permanent staff by level
and agency workers, with an establishment, recruitment and agency cover that keep them stationary
given DfE's turnover and vacancy rates (`sim.baseline_workforce`). The starting caseload is then
DfE's cases / case-holders.

Every figure in the file carries a comment: "DfE <dataset> <year> (<column>)", "derived: ...", or
"assumption: ..."; the file opens with the list of assumptions and of DfE figures that were
missing and how they were filled.
"""
from __future__ import annotations

import json
import math
import re
import shlex
from dataclasses import dataclass, field

from sim import __version__
from sim import baseline_workforce as wf
from sim import dfe_measures
from sim.dfe import (
    LOCAL, NATIONAL, REGIONAL, WORKFORCE_YEARS, BaselineError, Extract, Figure, display, extract,
    marker, slug,
)

__all__ = ["BaselineError", "Trend", "baseline_scenario_text", "referral_trend",
           "scenario_text_for", "years_available"]

DAYS = 365.25
ASSESSMENT_DAYS = 45.0   # FACTS: mean about 32 working days x 7/5
CP_DAYS = 305.0          # FACTS: child protection plan about 10 months
CLA_DAYS = 950.0         # FACTS: period in care about 2.6 years
CLA_SHARE = 0.19         # of the children in need stock, where DfE's CLA_At31 is not bundled
TREND_YEARS = 4          # most yearly changes of referrals the trend averages
CIN_FLOOR = 0.10         # smallest share of cases left on child in need plans
CP_NEXT = {"cin": 0.7, "close": 0.2, "cla": 0.1}
NQSW_SHARE, SENIOR_SHARE, PROGRESSION_DAYS = 0.3, 0.15, 365.0
MANAGER_SPAN, MANAGER_TURNOVER, MANAGER_HIRE_DAYS = 7, 0.12, 150.0
COMMENT_COLUMN = 30

ASSUMPTIONS = [
    ("start 30 September YEAR, DfE's workforce census date; the flows of the year to 31 March "
     "YEAR (DfE's latest published then) continue, referrals growing at the council's own "
     "recent trend (growth_per_year), with no seasonality"),
    "re-referrals are inside DfE's referral_count, so no separate re-referral stream (share 0)",
    "assessments last 45 days on average (FACTS: mean about 32 working days x 7/5), gamma cv 0.5",
    ("child protection plans last 305 days (FACTS: about 10 months; gamma cv 0.7) and end to cin "
     ".7, close .2, cla .1 (documented default); periods in care 950 days (FACTS: about 2.6 "
     "years; lognormal cv 1.0) and end in closure"),
    ("the cases held are split by stage in the proportions of DfE's children on child protection "
     "plans (CPP_At31) and looked after (CLA_At31, bundled for 2021 and 2022; 19% before, the "
     "national order of magnitude: DfE CLA 2022 England 82,090 / CIN At31_episodes 404,310 = "
     "20%) among its children in need at 31 March YEAR, scaled to DfE's cases held on 30 "
     "September YEAR"),
    ("child protection, looked-after and assessment cases are all held by case-holding social "
     "workers, so DfE's cases held minus those leaves the cases on child in need plans"),
    "child in need plans: lognormal, cv 1.0 (long tail); their mean follows by Little's law",
    ("DfE's agency share of all social workers applies to case-holders; agency workers only "
     "cover vacant posts (as in the model), and DfE's vacancy rate applies to case-holding posts"),
    "notice 4-8 weeks (uniform 28-56 days); a post turns vacant, and recruitment starts, at notice",
    ("recruitment campaigns average 120 days (gamma cv 0.5; documented default), re-advertised "
     "until filled; at least 60 days from notice to a starter's first day"),
    ("agency workers start 14 days after the leaver goes (documented default) and stay about a "
     "year (annual_turnover 1.0); no ceiling on the agency share (max_share 1)"),
    ("starters: 30% newly qualified (documented default), 15% senior; newly qualified staff "
     "progress after a year (ASYE); 6 weeks' induction at half the cap"),
    ("caps: 15 newly qualified, 20 experienced (FACTS: Wakefield), 18 senior (documented "
     "default); soft caps (overallocate): nothing waits at the start"),
    ("team managers: one per 7 case-holders, turnover 12% a year, 150 days to hire (documented "
     "defaults)"),
    ("costs: FACTS pay ranges (mid-points), on-costs 28%, agency premium £27,000 a year, £5,000 "
     "per hire, placement mix and weekly costs as documented defaults"),
    "no feedback effects (caseload on turnover, re-referral or care entry) in a baseline",
]


def years_available() -> list[int]:
    """Years with a DfE workforce census (30 September) in the bundled extract."""
    return list(WORKFORCE_YEARS)


def baseline_scenario_text(la: str, year: int) -> str:
    """A validated-shape TOML scenario: `la`'s children's social care on 30 September `year`,
    no plan.

    `la` is matched case-insensitively, punctuation ignored ("bristol city of", "St Helens").
    Raises BaselineError (one line) for an unknown authority, a year outside the workforce census
    or an authority without DfE's figures for the year (the reason said).
    """
    data = extract()
    if year not in WORKFORCE_YEARS:
        raise BaselineError(f"--year: {year} is outside the DfE workforce census in the package; "
                            f"allowed: {WORKFORCE_YEARS[0]} to {WORKFORCE_YEARS[-1]}")
    code = data.find(la, year)
    coverage = data.coverage(code, year)
    if not coverage.complete:
        raise BaselineError(f"--la: no baseline for {coverage.reason()}")
    return scenario_text_for(data, code, year)


def scenario_text_for(data: Extract, code: str, year: int) -> str:
    """The baseline file of the authority with DfE code `code` on 30 September `year`, from
    `data` (whose coverage of the code and year the caller has checked)."""
    return _ScenarioText(_Derivation(data, code, year)).text()


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


# --- the derivation ------------------------------------------------------------------------------

@dataclass
class _Notes:
    fallbacks: list[str] = field(default_factory=list)
    adjustments: list[str] = field(default_factory=list)

    def use(self, figure: Figure) -> Figure:
        if figure.fallback:
            line = f"{figure.source}: {figure.fallback}"
            if line not in self.fallbacks:
                self.fallbacks.append(line)
        return figure


class _Derivation:
    """The figures of a baseline for one authority and year, each with its source."""

    def __init__(self, data: Extract, code: str, year: int) -> None:
        self.data, self.code, self.la, self.year = data, code, data.names[code], year
        self.notes = _Notes()
        self._workforce_figures()
        self._cases()
        self._demand()
        self._stocks()
        self._flows()
        self._staff()

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
        self.non_case_holding = dfe_measures.non_case_holding_share(
            self.inpost.value, self.holders_fte.value, self.agency_rate.value / 100)
        self.caseload_fte = Figure(self.cases_held.value / self.holders_fte.value,
                                   f"DfE workforce census 30 September {year} "
                                   "(cases / case_holders_fte)")

    # open cases held by social workers at the start --------------------------------------------
    def _cases(self) -> None:
        use, data, code, year = self.notes.use, self.data, self.code, self.year
        self.cases = self.cases_held.value
        self.cases_source = self.cases_held.source + _fallback_note(self.cases_held)
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
        self.assessed = self.referrals.value * (1 - self.nfa.value)
        self.close_share = min(1.0, self.nin.value / (1 - self.nfa.value)) if self.assessed else 0
        self.history = [data.cell(LOCAL, code, y, "referral_count")[1] or "-"
                        for y in data.years if y <= year]

    def _stocks(self) -> None:
        """Open cases by stage at the start: they sum to DfE's cases (Little's law for each)."""
        target = max(1, round(self.cases))
        assessment = self.assessed * ASSESSMENT_DAYS / DAYS
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
                f"{'they' if assessment < self.assessed * ASSESSMENT_DAYS / DAYS else 'cp and cla'}"
                f" are scaled by {self.scaled:.3f} so that {CIN_FLOOR:.0%} remain")
        stocks = {"assessment": round(assessment), "cp": round(cp), "cla": round(cla)}
        stocks["cin"] = target - sum(stocks.values())
        self.stocks = stocks
        self.assessment_days = (stocks["assessment"] / self.assessed * DAYS if self.assessed
                                else ASSESSMENT_DAYS)

    def _flows(self) -> None:
        """Entries a year that keep the stocks level, as assessment outcome shares."""
        stocks, assessed = self.stocks, max(self.assessed, 1e-9)
        entries_cp = stocks["cp"] / (CP_DAYS / DAYS)
        entries_cla = stocks["cla"] / (CLA_DAYS / DAYS)
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
        cin_days = stocks["cin"] / self.entries_cin * DAYS if self.entries_cin > 0 else 180.0
        self.cin_days = min(max(cin_days, 1.0), 36500.0)

    # workforce ---------------------------------------------------------------------------------
    def _staff(self) -> None:
        self.case_holders = max(2, round(self.holders_fte.value))
        self.state = wf.stationary(self.case_holders, self.agency_rate.value / 100,
                                   self.turnover.value / 100, self.vacancy_rate.value / 100)
        permanent = self.state.permanent
        nqsw = min(permanent, wf.newly_qualified(permanent, self.turnover.value / 100, NQSW_SHARE,
                                                 PROGRESSION_DAYS))
        senior = min(permanent - nqsw, round(SENIOR_SHARE * permanent))
        self.levels = {"nqsw": nqsw, "sw": permanent - nqsw - senior, "senior": senior}
        self.managers = max(1, round(self.case_holders / MANAGER_SPAN))
        vacant = wf.vacant_share(MANAGER_TURNOVER, MANAGER_HIRE_DAYS)
        self.managers_in_post = self.managers - round(self.managers * vacant)
        if self.state.fill_raised_for_agency:
            self.notes.adjustments.append(
                f"DfE's agency share {self.agency_rate.value:g}% needs more vacant posts than its "
                f"vacancy rate {self.vacancy_rate.value:g}% gives (agency workers only cover "
                f"vacancies in the model): time to fill raised from "
                f"{self.state.fill_from_vacancy_days:.0f} to {self.state.fill_days:.0f} days, "
                f"every vacancy covered; model vacancy rate {self.state.vacancy_rate:.1%}")
        elif self.state.fill_days > self.state.fill_from_vacancy_days + 1e-6:
            self.notes.adjustments.append(
                f"DfE's vacancy rate {self.vacancy_rate.value:g}% implies a time to fill under "
                f"{wf.MIN_FILL_DAYS:.0f} days; {wf.MIN_FILL_DAYS:.0f} days used (model vacancy "
                f"rate {self.state.vacancy_rate:.1%})")


# --- the file ------------------------------------------------------------------------------------

class _ScenarioText:
    """The TOML text of a derived baseline: every figure with its source in a comment."""

    def __init__(self, derived: _Derivation) -> None:
        self.derived = derived

    def text(self) -> str:
        return "\n".join([*self._header(), "", *self._top(), "", *self._demand_lines(), "",
                          *self._workforce_lines(), "", *self._other_lines()]) + "\n"

    def _header(self) -> list[str]:
        d = self.derived
        la, year = d.la, d.year
        command = shlex.join(["caseload", "baseline", "--la", la, "--year", str(year)])
        lines = [
            (f"{display(la)} children's social care, 30 September {year}, with NO plan (no "
             "[[policy]])."),
            "",
            (f"Generated by `{command}` (caseload {__version__}) from the DfE tables bundled in "
             "the package (sim/data/dfe_extract.csv). "
             "Contains public sector information licensed under the Open Government Licence v3.0; "
             "source: Department for Education."),
            "",
            ("A baseline: with nothing changed, open cases and staff should stay roughly level. "
             "Demand and durations are set so that the starting open cases are the steady state "
             "(Little's law: open cases of a stage = entries a year x mean years), and the "
             "workforce so that staff in post, agency workers and vacancies are stationary "
             "given DfE's turnover and vacancy rates. Every number says where it comes from: "
             "\"DfE <dataset> <year> (<column>)\", \"derived: ...\" or \"assumption: ...\". "
             "DfE demand figures for "
             f"{year} cover the year to 31 March {year} (stocks at that date); the workforce "
             f"figures, and the start, are for 30 September {year}."),
            "",
            "---- Assumptions ----",
            *_numbered([a.replace("YEAR", str(year)) for a in ASSUMPTIONS]
                       + d.notes.adjustments),
            "",
            "---- DfE figures filled in (not published for this authority alone) ----",
            *([f"- {line}" for line in d.notes.fallbacks]
              or [f"- none: every DfE figure used was published for {la}"]),
            "",
            *self._demand_arithmetic(),
            "",
            *self._workforce_arithmetic(),
        ]
        return [_comment(line) for line in lines]

    def _demand_arithmetic(self) -> list[str]:
        d = self.derived
        s, e, o = d.stocks, d.entries, d.outcome
        cases = sum(s.values())
        return [
            f"---- Demand (DfE {d.year}, {d.la}) ----",
            (f"referrals {d.referrals.value:,.0f} a year; no further action "
             f"{d.nfa.value:.1%}; assessed as not in need {d.nin.value:.1%} of referrals."),
            (f"assessed a year A = {d.referrals.value:,.0f} x (1 - {d.nfa.value:.3f}) = "
             f"{d.assessed:,.0f}; outcome close {o['close']:.4f} cin {o['cin']:.4f} "
             f"cp {o['cp']:.4f} cla {o['cla']:.4f}"),
            (f"  -> a year: close {e['close']:,.0f}, cin {e['cin']:,.0f}, cp {e['cp']:,.0f}, "
             f"cla {e['cla']:,.0f}; cp plan ends cin {d.cp_next['cin']:g} close "
             f"{d.cp_next['close']:g} cla {d.cp_next['cla']:g}"),
            (f"entries a year: cin {d.entries_cin:,.0f}, cp {d.entries_cp:,.0f}, "
             f"cla {d.entries_cla:,.0f}"),
            "open cases at the start (stock = entries a year x mean days / 365.25):",
            (f"  assessment {d.assessed:,.0f} x {d.assessment_days:.0f} d = "
             f"{s['assessment']:,}"),
            (f"  cp         {d.entries_cp:,.0f} x {CP_DAYS:.0f} d = {s['cp']:,}   "
             f"({d.cp_share.value * d.scaled:.3f} x cases held; {d.cp_share.source})"),
            (f"  cla        {d.entries_cla:,.0f} x {CLA_DAYS:.0f} d = {s['cla']:,}   "
             f"({d.cla_share.value * d.scaled:.3f} x cases held; {d.cla_share.source})"),
            (f"  cin        {d.entries_cin:,.0f} x {d.cin_days:.0f} d = {s['cin']:,}   "
             "(the rest of DfE's cases)"),
            f"  all        {cases:,} = DfE's cases held by social workers ({d.cases_source})",
            (f"DfE's children in need at 31 March {d.year} number {d.at31.value:,.0f}; DfE's "
             f"cases held on 30 September {d.year} are {d.cases:,.0f} (some councils count "
             "families, and some children are held by other staff), so the model's stocks follow "
             "the cases held, split by stage in DfE's proportions of children in need."),
            self._trend_line(),
        ]

    def _trend_line(self) -> str:
        d = self.derived
        t = d.trend
        counts = ", ".join(f"{y} {d.data.published(d.code, y, 'referral_count').value:,.0f}"
                           for y in t.years)
        spread = "n/a (fewer than two changes)" if math.isnan(t.spread) else f"{t.spread:.4f}"
        return (f"Referral trend: growth_per_year = exp(m) - 1 = {t.growth_per_year:.4f}, m = "
                f"{t.mean:.4f} the average yearly log change of DfE referral_count over the up "
                f"to {TREND_YEARS} changes before {d.year} between consecutive years published "
                f"for this council code ({len(t.log_changes)} here: {counts or 'none'}); their "
                f"standard deviation {spread}" + ("" if t.log_changes else
                                                   "; no history, so no growth"))

    def _stage_comment(self, share: Figure) -> str:
        d = self.derived
        return (f"derived: {share.value * d.scaled:.3f} x {d.cases_source} "
                f"{d.cases:,.0f}; share {share.source}" + _fallback_note(share))

    def _workforce_arithmetic(self) -> list[str]:
        d = self.derived
        st, wfig = d.state, d.wf
        cycle = 1 / st.hazard_per_year + st.fill_days / DAYS
        vacancy_cover = st.agency / st.vacancies if st.vacancies else 0.0
        return [
            f"---- Workforce (DfE census 30 September {d.year}, {d.la}) ----",
            (f"case-holders {d.holders_fte.value:,.1f} FTE -> {d.case_holders} people: "
             f"agency {d.agency_rate.value:g}% -> {st.agency}, permanent {st.permanent}."),
            (f"DfE: social workers in post {_show(wfig['inpost_fte'])} FTE, leavers "
             f"{_show(wfig['leavers_fte'])}, starters {_show(wfig['starters_fte'])}, agency "
             f"{_show(wfig['agency_fte'])}, vacancies {_show(wfig['vacancy_fte'])}."),
            (f"Leaving hazard h = turnover {d.turnover.value:g}% / (1 - turnover x 42 d "
             f"notice) = {st.hazard_per_year:.4f} a year (so leavers / in post = "
             f"{d.turnover.value:g}%)."),
            (f"Time to fill from notice T = v / (1 - v) x (1/h + notice) = "
             f"{st.fill_from_vacancy_days:.0f} d for DfE's vacancy rate v = "
             f"{d.vacancy_rate.value:g}%; used {st.fill_days:.0f} d = campaigns of "
             f"{st.campaign_days:.0f} d that succeed with p = {st.success:.3f}."),
            (f"Per post: cycle 1/h + T = {cycle:.2f} yr; permanent people (1/h + notice) / cycle; "
             f"vacant (from notice) T / cycle; agency cover x {wf.presence():.3f} x "
             "E[(T - notice - 14 d)+] / cycle."),
            (f"Establishment E = {st.permanent} x cycle / (1/h + notice) = {st.establishment}; "
             f"vacancies ~ {st.vacancies:.1f} (rate {st.vacancy_rate:.1%}); agency cover "
             f"{st.cover:.3f} holds {st.agency} agency workers = {vacancy_cover:.0%} of vacancies "
             f"(DfE vacancy_agency_cover_rate_fte {_show(d.agency_cover)})."),
            (f"Starters = leavers ~ {d.turnover.value / 100 * st.permanent:.1f} a year; "
             f"newly qualified in post {d.levels['nqsw']} (starters x {NQSW_SHARE} x time "
             f"before progression), senior {d.levels['senior']} ({SENIOR_SHARE:.0%})."),
            (f"Caseload at the start: {sum(d.stocks.values()):,} cases / {d.case_holders} "
             f"case-holders = {sum(d.stocks.values()) / d.case_holders:.2f} (DfE "
             "caseload_fte "
             f"{_show(d.wf['caseload_fte'])}; cases / case_holders_fte "
             f"{d.caseload_fte.value:.2f})."),
        ]

    def _top(self) -> list[str]:
        d = self.derived
        year = d.year
        return [
            _kv("name", json.dumps(f"{slug(d.la)}-{year}"), "used in outputs"),
            _kv("title", json.dumps(f"{display(d.la)} {year}: no plan (baseline from DfE "
                                    "tables)"), f"DfE's name: {d.la}"),
            _kv("start", f"{year}-09-30", f"DfE's workforce census date, 30 September {year}"),
            _kv("years", "5", "assumption: a five-year horizon, like the councils' plans"),
            _kv("warmup_days", "0", "assumption: starting stocks are the steady state (drawn "
                                    "with residual lives), no warm-up needed"),
            _kv("report_every_days", "7", "assumption: weekly samples"),
        ]

    def _demand_lines(self) -> list[str]:
        d = self.derived
        o, la = d.outcome, d.la
        rr = d.rereferrals
        history = " ".join(d.history)
        return [
            "[demand]",
            _kv("referrals_per_year", f"{round(d.referrals.value)}",
                f"{d.referrals.source}, {la}; re-referrals ({rr.value:.1%}) are inside"
                + _fallback_note(d.referrals)),
            _kv("growth_per_year", _num(d.trend.growth_per_year),
                f"derived: the council's own trend (header); DfE referrals {d.data.years[0]}-"
                f"{d.year}: {history}"),
            _kv("no_further_action", _num(d.nfa.value),
                f"{d.nfa.source}, {la}" + _fallback_note(d.nfa)),
            "",
            "[demand.rereferral]",
            _kv("share", "0.0", "assumption: re-referrals are inside referrals_per_year "
                                f"({rr.source})"),
            _kv("delay_days", '{ dist = "exponential", mean = 180 }',
                "assumption: documented default; unused while share = 0"),
            "",
            "[demand.assessment]",
            _kv("duration_days", f'{{ dist = "gamma", mean = {_num(d.assessment_days, 1)}, '
                                 'cv = 0.5 }',
                "assumption: FACTS mean about 32 working days x 7/5 = 45 calendar days"
                + ("" if d.scaled == 1 or d.assessment_days >= ASSESSMENT_DAYS - 0.5
                   else f", scaled by {d.scaled:.3f} (see assumptions)") + "; cv assumption"),
            _kv("outcome", f"{{ close = {_num(o['close'])}, cin = {_num(o['cin'])}, "
                           f"cp = {_num(o['cp'])}, cla = {_num(o['cla'])} }}",
                "shares of assessed cases (after no further action); see the header"),
            _comment(f"close: {d.nin.source} / (1 - no further action) = "
                     f"{d.close_share:.4f}" + _fallback_note(d.nin)),
            _comment(f"cp: derived: {d.entries_cp:,.0f} a year keep {d.stocks['cp']:,} "
                     f"on plans for {CP_DAYS:.0f} days (Little's law) / {d.assessed:,.0f} "
                     "assessed"),
            _comment(f"cla: derived: {d.entries_cla:,.0f} a year keep {d.stocks['cla']:,} "
                     f"looked after for {CLA_DAYS:.0f} days, less "
                     f"{d.cp_next['cla'] * d.entries_cp:,.0f} from cp plans"),
            _comment("cin: the rest of those assessed as in need"),
            "",
            "[demand.cin]",
            _kv("duration_days", f'{{ dist = "lognormal", mean = {_num(d.cin_days, 1)}, '
                                 'cv = 1.0 }',
                f"derived: {d.stocks['cin']:,} on cin plans / {d.entries_cin:,.0f} entries "
                "a year (Little's law); cv assumption (long tail)"),
            _kv("next", "{ close = 1.0 }", "assumption: documented default; escalation comes "
                                            "back as a re-referral inside referrals_per_year"),
            "",
            "[demand.cp]",
            _kv("duration_days", f'{{ dist = "gamma", mean = {CP_DAYS:.0f}, cv = 0.7 }}',
                "assumption: FACTS national cp plan about 10 months; cv from FACTS plan lengths "
                "ended 2020"),
            _kv("next", f"{{ cin = {_num(d.cp_next['cin'])}, close = "
                        f"{_num(d.cp_next['close'])}, cla = {_num(d.cp_next['cla'])} }}",
                "assumption: documented default (DfE cp end reasons not in the bundled tables)"
                + ("" if d.cp_next == CP_NEXT else "; cla share lowered (see assumptions)")),
            "",
            "[demand.cla]",
            _kv("duration_days", f'{{ dist = "lognormal", mean = {CLA_DAYS:.0f}, cv = 1.0 }}',
                "assumption: FACTS period in care about 2.6 years (estimate); cv assumption"),
            _kv("next", "{ close = 1.0 }", "assumption: documented default (leaving care "
                                            "closes the case)"),
        ]

    def _workforce_lines(self) -> list[str]:
        d = self.derived
        st, lv = d.state, d.levels
        return [
            "[workforce]",
            _kv("establishment", str(st.establishment),
                f"derived: steady state {st.permanent} permanent x cycle / (1/h + notice) "
                f"(header)"),
            _kv("agency_in_post", str(st.agency),
                f"{d.agency_rate.source} {d.agency_rate.value:g}% of {d.case_holders} "
                "case-holders"
                + _fallback_note(d.agency_rate)),
            _kv("non_case_holding_share", _num(d.non_case_holding),
                f"derived: 1 - permanent case-holders / DfE's in post = 1 - "
                f"{d.holders_fte.value:g} x (1 - {d.agency_rate.value:g}%) / {d.inpost.value:g} "
                f"({d.holders_fte.source}; {d.inpost.source}; DfE's case holders include agency "
                "workers; clipped to 0-0.9)"),
            _kv("progression_days", f"{PROGRESSION_DAYS:.0f}",
                "assumption: the assessed and supported year in employment (ASYE) lasts a year"),
            "",
            "[workforce.levels]",
            _kv("nqsw", f"{{ in_post = {lv['nqsw']}, cap = 15 }}",
                f"assumption: steady state, {NQSW_SHARE:.0%} of starters until progression; "
                "cap FACTS: Wakefield 15 for newly qualified"),
            _kv("sw", f"{{ in_post = {lv['sw']}, cap = 20 }}",
                f"derived: case-holders {d.holders_fte.value:,.1f} FTE "
                f"({d.holders_fte.source}) - {st.agency} agency - the other levels; "
                "cap FACTS: Wakefield up to 20 for experienced"),
            _kv("senior", f"{{ in_post = {lv['senior']}, cap = 18 }}",
                f"assumption: {SENIOR_SHARE:.0%} of permanent staff (= senior_share, so the mix is "
                "stationary); cap documented default"),
            "",
            "[workforce.ramp_up]",
            _kv("days", "42", "assumption: about 6 weeks' induction with a protected caseload"),
            _kv("cap_share", "0.5", "assumption: half the cap during induction (documented "
                                    "default)"),
            "",
            "[workforce.turnover]",
            _kv("annual_rate", _num(st.hazard_per_year),
                f"derived: {d.turnover.source} {d.turnover.value:g}% as a hazard while "
                f"not on notice (header)" + _fallback_note(d.turnover)),
            _kv("caseload_elasticity", "0.0",
                "assumption: FACTS: no published elasticity of turnover to caseload"),
            _kv("notice_days", f'{{ dist = "uniform", low = {wf.NOTICE_DAYS[0]:.0f}, '
                               f'high = {wf.NOTICE_DAYS[1]:.0f} }}',
                "assumption: 4-8 weeks' notice"),
            "",
            "[workforce.recruitment]",
            _kv("time_to_hire_days", f'{{ dist = "gamma", mean = {_num(st.campaign_days, 1)}, '
                                     f"cv = {wf.CAMPAIGN_CV} }}",
                "assumption: one campaign (advert, interviews, checks, the starter's notice)"),
            _kv("success", _num(st.success),
                f"derived: campaign / time to fill {st.fill_days:.0f} d, " + (
                    "the shortest that holds DfE's agency share (DfE's vacancy rate "
                    f"{d.vacancy_rate.value:g}% is too low for it; header)"
                    if st.fill_raised_for_agency else
                    f"which keeps DfE's vacancy rate {d.vacancy_rate.value:g}% stationary "
                    "(header)") + _fallback_note(d.vacancy_rate)),
            _kv("nqsw_share", str(NQSW_SHARE), "assumption: documented default"),
            _kv("senior_share", str(SENIOR_SHARE),
                "assumption: keeps seniors at 15% of staff (no sw -> senior progression)"),
            "",
            "[workforce.agency]",
            _kv("cover", _num(st.cover),
                f"derived: holds DfE's agency share {d.agency_rate.value:g}% in the steady "
                f"state (header); DfE vacancy_agency_cover_rate_fte {_show(d.agency_cover)}"),
            _kv("start_days", f'{{ dist = "fixed", value = {wf.AGENCY_START_DAYS:.0f} }}',
                "assumption: documented default, agencies supply within two weeks"),
            _kv("annual_turnover", _num(wf.AGENCY_TURNOVER),
                "assumption: locum assignments last about a year"),
            _kv("max_share", "1.0", "assumption: no ceiling in a baseline (documented default); "
                                    "cover sets the share"),
        ]

    def _other_lines(self) -> list[str]:
        d = self.derived
        s = d.stocks
        return [
            "[managers]",
            _kv("establishment", str(d.managers),
                f"assumption: one per {MANAGER_SPAN} case-holders: {d.case_holders} / "
                f"{MANAGER_SPAN}"),
            _kv("in_post", str(d.managers_in_post),
                f"derived: steady state, "
                f"{wf.vacant_share(MANAGER_TURNOVER, MANAGER_HIRE_DAYS):.1%} vacant"),
            _kv("annual_turnover", str(MANAGER_TURNOVER), "assumption: documented default"),
            _kv("time_to_hire_days", f'{{ dist = "gamma", mean = {MANAGER_HIRE_DAYS:.0f}, '
                                     'cv = 0.5 }', "assumption: documented default"),
            _kv("span_reference", str(MANAGER_SPAN),
                "assumption: typical span of 6-7 case-holders per manager"),
            _kv("span_turnover_effect", "0.0", "assumption: no published size"),
            "",
            "[allocation]",
            _kv("when_full", '"overallocate"', "assumption: soft caps in a baseline, nothing "
                                               "held back"),
            _kv("priority", '["cp", "cla", "assessment", "cin"]',
                "assumption: documented default"),
            "",
            "[initial]",
            _kv("unallocated", "0", "assumption: no waiting list at the start"),
            "",
            "[initial.open]",
            _kv("assessment", str(s["assessment"]),
                f"derived: Little's law, {d.assessed:,.0f} assessments a year x "
                f"{d.assessment_days:.0f}/365.25"),
            _kv("cin", str(s["cin"]),
                f"derived: {d.cases_source} {sum(s.values()):,} less the other stages"),
            _kv("cp", str(s["cp"]), self._stage_comment(d.cp_share)),
            _kv("cla", str(s["cla"]), self._stage_comment(d.cla_share)),
            "",
            "[effects]",
            _kv("cla_escalation", "0.0", "assumption: off in a baseline (no published size)"),
            "",
            "[costs]",
            _kv("on_cost_share", "0.28", "assumption: FACTS employer on-costs about 25-30%"),
            _kv("agency_premium_per_year", "27000",
                "assumption: FACTS agency £24,000-30,000 a year more than permanent"),
            _kv("recruitment_per_hire", "5000", "assumption: documented default"),
            "",
            "[costs.salary_per_year]",
            _kv("nqsw", "28000", "assumption: FACTS newly qualified £23,000-32,000"),
            _kv("sw", "33000", "assumption: FACTS social worker £30,000-36,000"),
            _kv("senior", "41000", "assumption: FACTS senior £38,000-44,000"),
            _kv("manager", "48000", "assumption: FACTS team manager £44,000-52,000"),
            "",
            "[costs.placements]",
            _comment("shares: national statistic: about 72% in foster care, 12% residential "
                     "(FACTS, England 2019); the in-house / agency split and \"other\" are "
                     "assumptions"),
            _kv("foster_in_house", "{ share = 0.45, weekly = 400 }",
                "assumption: FACTS in-house foster care about £400 a week"),
            _kv("ifa", "{ share = 0.27, weekly = 760 }",
                "assumption: FACTS independent fostering agency about £760 a week"),
            _kv("residential", "{ share = 0.12, weekly = 2400 }",
                "assumption: FACTS residential £2,300-2,500 a week"),
            _kv("other", "{ share = 0.16, weekly = 300 }",
                "assumption: with parents, kinship, independent living; about £300 a week"),
        ]


# --- formatting ----------------------------------------------------------------------------------

def _num(value: float, digits: int = 4) -> str:
    """A TOML float, rounded."""
    text = f"{round(value, digits):.{digits}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _show(figure: Figure | None) -> str:
    return "not published" if figure is None else f"{figure.value:g}"


def _fallback_note(figure: Figure) -> str:
    return f" [filled: {figure.fallback}]" if figure.fallback else ""


def _kv(key: str, value: str, comment: str) -> str:
    text = f"{key} = {value}"
    if not comment:
        return text
    if len(text) < COMMENT_COLUMN - 1:
        return f"{text:<{COMMENT_COLUMN}}# {comment}"
    return f"{text}   # {comment}"


def _comment(text: str, width: int = 100) -> str:
    """`text` as '# ' lines wrapped at `width`, continuation lines hanging under the first word
    after a list marker ("- ", " 1. ") or indented two spaces (a blank line stays one '#')."""
    if not text:
        return "#"
    marker = re.match(r"\s*(- |\d+\. )?", text)
    hang = " " * marker.end() if marker.group(1) else " " * (marker.end() + 2)
    lines, line = [], ""
    for word in re.findall(r"\s*\S+", text):      # each word with the spaces before it
        if line and len(line) + len(word) > width - 2:
            lines.append(line)
            line = hang + word.lstrip()
        else:
            line += word
    lines.append(line)
    return "\n".join(f"# {line}" for line in lines)


def _numbered(items: list[str]) -> list[str]:
    return [f"{i:>2}. {item}" for i, item in enumerate(items, 1)]
