"""The TOML text of a baseline scenario (`sim.data.baseline`): every figure of a `Derivation` with
its source or "assumption" in a comment, opened by the list of assumptions and of DfE figures that
had to be filled."""
from __future__ import annotations

import json
import math
import re
import shlex

from sim.data import baseline_workforce as wf
from sim.data import panel
from sim.data.baseline_numbers import (
    ASSESSMENT_DAYS,
    CLA_DAYS,
    CP_DAYS,
    CP_NEXT,
    MANAGER_HIRE_DAYS,
    MANAGER_SPAN,
    MANAGER_TURNOVER,
    NQSW_SHARE,
    PROGRESSION_DAYS,
    SENIOR_SHARE,
    TREND_YEARS,
    Derivation,
    fallback_note,
)
from sim.data.dfe import Figure, display, marker, slug
from sim.data.shrinkage import Level
from sim.model.units import DAYS_PER_YEAR
from sim.version import __version__

COMMENT_COLUMN = 30

ASSUMPTIONS = [
    ("start 30 September YEAR, DfE's workforce census date; the flows of the year to 31 March "
     "YEAR (DfE's latest published then) continue, referrals growing at England's recent trend "
     "plus the council's own difference from it shrunk by an empirical-Bayes weight "
     "(growth_per_year; header), with no seasonality"),
    ("the workforce starts at DfE's figures of the census and heads to levels of turnover, agency "
     "and vacancy rates that forecast: the council's own figures up to YEAR shrunk towards the "
     "typical council's by an empirical-Bayes weight (header; sim/data/shrinkage.py); the agency "
     "rate, where DfE's panel shows the agency workers walking from year to year, stays at "
     "DfE's figure of the census, a walk's forecast (header)"),
    ("the assumptions the data leave uncertain are distributions drawn once per replication "
     "(growth_per_year, turnover annual_rate, recruitment success, agency cover), their spreads from the council's own year-to-year variation and the spread across "
     "councils, each comment saying how; durations stay fixed (a duration's mean cannot be "
     "uncertain in a scenario file)"),
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
    ("DfE's agency workers (agency_fte) all hold cases, so DfE's agency rate agency / (agency + "
     "in post) holds at the start; the permanent case-holders are DfE's case-holders less them, "
     "and the rest of DfE's social workers in post hold no cases (non_case_holding_share); where "
     "that would leave fewer permanent case-holders than a tenth of DfE's in post (agency FTE near "
     "or above case-holders), those beyond the tenth are the agency case-holders and the rest of "
     "DfE's agency workers hold no cases (agency.non_case_holding_share); agency workers cover "
     "vacant posts or are kept beyond vacancies (as in the model), and DfE's vacancy rate applies "
     "to case-holding posts"),
    "notice 4-8 weeks (uniform 28-56 days); a post turns vacant, and recruitment starts, at notice",
    ("recruitment campaigns average 120 days (gamma cv 0.5; documented default), re-advertised "
     "until filled; at least 60 days from notice to a starter's first day"),
    ("agency cover is a market: a vacancy (a new post too) gets an agency worker with chance at "
     "most DfE's share of vacancies covered by agency workers (the council's, shrunk), about four "
     "weeks after the leaver goes (assumption), who stays about a year (annual_turnover 1.0); no "
     "ceiling on the agency share (max_share 1)"),
    ("starters: 30% newly qualified (documented default), 15% senior; newly qualified staff "
     "progress after a year (ASYE); 6 weeks' induction at half the cap"),
    ("caps: 15 newly qualified, 20 experienced (FACTS: Wakefield), 18 senior (documented "
     "default); soft caps (overallocate): nothing waits at the start"),
    ("team managers: one per 7 case-holders, turnover 12% a year, 150 days to hire (documented "
     "defaults)"),
    ("costs: FACTS pay ranges (mid-points), on-costs 28%, agency premium £27,000 a year, £5,000 "
     "per hire, placement mix and weekly costs as documented defaults"),
    ("no feedback of caseload on re-referral or care entry in a baseline; caseload on turnover "
     "as estimated from DfE's panel of councils (caseload_elasticity, docs/turnover.md)"),
    ("referrals, the turnover rate and the agency workers drift from year to year as random "
     "walks in their logs (yearly_change_sd), sized from DfE's panel up to YEAR "
     "(docs/turnover.md, docs/baseline.md)"),
    ("the case-holding establishment follows England's trend and a random walk in its log "
     "(workforce.establishment_drift), sized from DfE's panel up to YEAR: councils' posts move "
     "about 7-10% a year"),
    ("at the start agency workers cover vacancies at DfE's (shrunk) cover rate; DfE's other "
     "agency workers are kept beyond vacancies (absence, sickness, extra demand; a level, not "
     "tied to posts), so the vacancy rate starts at DfE's"),
    ("agency workers follow the caseload: each year the council's caseload over England's "
     "typical council's, to a power estimated from DfE's panel up to YEAR "
     "(agency.caseload_response, docs/baseline.md), multiplies them"),
    ("demand management: plans last less while open cases per case-holder are above the start's, "
     "longer below (cases_referral_elasticity, estimated from DfE's panel, docs/demand.md)"),
]


class ScenarioText:
    """The TOML text of a derived baseline: every figure with its source in a comment."""

    def __init__(self, derived: Derivation) -> None:
        self.derived = derived

    def text(self) -> str:
        return "\n".join([*self._header(), "", *self._top(), "", *self._demand_lines(), "",
                          *self._workforce_lines(), "", *self._other_lines(), "",
                          *self._reporting_lines()]) + "\n"

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
            f"open cases at the start (stock = entries a year x mean days / {DAYS_PER_YEAR:g}):",
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
        level = d.growth_level
        ahead = ("no yearly change published for the council, so no growth" if level is None
                 else f"yearly log change ahead m = {level.describe()}")
        return (f"Referral trend: the council's own m = {t.mean:.4f}, the average yearly log "
                f"change of DfE referral_count over the up to {TREND_YEARS} changes before "
                f"{d.year} between consecutive years published for this council code "
                f"({len(t.log_changes)} here: {counts or 'none'}; exp(m) - 1 = "
                f"{t.growth_per_year:.4f}); their standard deviation {spread}. "
                f"growth_per_year = exp(m) - 1 = {d.growth_per_year:.4f} with the {ahead}.")

    def _levels_ahead(self) -> list[str]:
        d = self.derived
        names = {"turnover": d.turnover, "agency": d.agency_rate, "vacancy": d.vacancy_rate,
                 "cover": d.agency_cover}
        return [f"{name.capitalize()} rate ahead ({names[name].source.split('(')[-1]}: " + (
            d.levels_ahead[name].describe("%") + self._persistence_words(name, figure)
            if d.levels_ahead[name] is not None else
            f"{figure.value:g}% ({figure.source}; {self._why_no_level(name)})")
            for name, figure in names.items()]

    def _persistence_words(self, name: str, figure: Figure) -> str:
        """How the rate ahead keeps part of the figure's deviation from the level (if it does)."""
        d = self.derived
        if name not in d.persistence:
            return ""
        return (f"; councils keep part of a deviation from their level a year on in DfE's panel "
                f"({d.persistence[name].describe()}), so the rate ahead is the level + rho x "
                f"(DfE's {figure.value:g}% in {d.year} - the level) = {d.ahead(name, figure):.4g}%"
                + (f" (no rho: {figure.fallback})" if figure.fallback else ""))

    def _why_no_level(self, name: str) -> str:
        """Why rate `name` heads to DfE's figure at the census, not a level of its years."""
        if name == "agency" and self.derived.agency_walks:
            return (f"the council's agency FTE walks from year to year in DfE's panel (step sd "
                    f"{self.derived.agency_walk.sd:.3f}, agency.yearly_change_sd), and a walk's "
                    "forecast is its latest figure (the agency workers ahead move from it only "
                    "as the vacancies ahead move them, header): the walk, not a spread about a "
                    "level, carries its change")
        return "no figure of the council's own by then"

    # spreads of the uncertain assumptions ------------------------------------------------------
    @staticmethod
    def _level_sd(level: Level | None) -> float:
        return 0.0 if level is None else level.level_sd

    def _growth_sd(self) -> float:
        d = self.derived
        return (1 + d.growth_per_year) * math.hypot(self._level_sd(d.growth_level),
                                                    d.england_growth_sd)

    def _turnover_cv(self) -> float:
        d = self.derived
        return d.rate_sd.get("turnover", 0.0) / d.ahead("turnover", d.turnover)

    def _spread_words(self, level: Level | None, name: str) -> str:
        """How a spread was derived, for a comment."""
        if level is None:
            return "none: no figure of the council's own by then"
        if not level.estimated:
            return (f"half the spread across councils ({level.total_sd:.3g}), the most the "
                    "level can be uncertain with one census (no year-to-year history by then)")
        return (f"from the council's own year-to-year variation and the spread across councils "
                f"(empirical Bayes, header): sqrt(level sd {level.level_sd:.3g}^2 + year-to-year "
                f"sd {level.within_sd:.3g}^2 less the binomial chance of a year's {name} figure "
                "among the council's staff, which the model plays out)")

    def _key_beta(self, key: str) -> str:
        low, middle, high = self.derived.key_ranges.get(key, (None,) * 3)
        if middle is None:
            return _num(getattr(self.derived.state, key))
        return _beta(middle, abs(high - low) / 2)

    def _key_spread_words(self, key: str, name: str) -> str:
        d = self.derived
        if key not in d.key_ranges:
            return "no spread: " + self._why_no_level(name)
        low, middle, high = d.key_ranges[key]
        return (f"beta, sd = half the range {low:.3f} to {high:.3f} that the {name} rate ahead "
                f"{d.ahead(name, {'agency': d.agency_rate, 'vacancy': d.vacancy_rate}[name]):.4g}"
                f"% +- its sd {d.rate_sd[name]:.3g} gives; that sd "
                + self._spread_words(d.levels_ahead[name], name))

    def _stage_comment(self, share: Figure) -> str:
        d = self.derived
        return (f"derived: {share.value * d.scaled:.3f} x {d.cases_source} "
                f"{d.cases:,.0f}; share {share.source}" + fallback_note(share))

    def _workforce_arithmetic(self) -> list[str]:
        d = self.derived
        st, wfig = d.state, d.wf
        vacancy_cover = st.covering / st.vacant if st.vacant else 0.0
        return [
            f"---- Workforce (DfE census 30 September {d.year}, {d.la}) ----",
            (f"case-holders {d.holders_fte.value:,.1f} FTE -> {d.case_holders} people: "
             f"agency {st.agency} (DfE agency FTE {d.agency_fte.value:g}), permanent "
             f"{st.permanent}."),
            (f"DfE: social workers in post {_show(wfig['inpost_fte'])} FTE, leavers "
             f"{_show(wfig['leavers_fte'])}, starters {_show(wfig['starters_fte'])}, agency "
             f"{_show(wfig['agency_fte'])}, vacancies {_show(wfig['vacancy_fte'])}; agency rate "
             f"{d.agency_rate.value:g}% = agency / (agency + in post)."),
            *self._levels_ahead(),
            (f"Leaving hazard h = turnover ahead {d.ahead('turnover', d.turnover):.4g}% / (1 - "
             f"turnover x 42 d notice) = {st.hazard_per_year:.4f} a year (so leavers / in post = "
             f"{d.ahead('turnover', d.turnover):.4g}%; DfE {d.turnover.value:g}% in {d.year})."),
            (f"Establishment E = {st.permanent} permanent + {st.vacant} vacant = "
             f"{st.establishment}: vacant / E = {st.vacancy_rate:.1%} at the start (DfE's "
             f"vacancy rate {d.vacancy_rate.value:g}%)."),
            (f"Steady state headed to: {st.agency_later:.1f} agency workers (the agency rate "
             f"ahead of in post {d.inpost.value:g}"
             + (f", the {1 - d.agency_non_case_holding:.4g} of them who hold cases"
                if d.agency_non_case_holding else "")
             + self._agency_follows_words() + ") and "
             f"{st.permanent_later:.1f} permanent "
             f"case-holders ({st.permanent} x (1 - vacancy rate ahead) / (1 - DfE's "
             f"{d.vacancy_rate.value:g}%)). Agency cover is a market: a vacancy gets an agency "
             f"worker with chance at most the cover rate ahead {st.cover_rate:.1%} (DfE's share "
             "of vacancies covered by agency workers), "
             f"{wf.AGENCY_START_DAYS:.0f} days after the leaver goes; the steady state's other "
             f"agency workers, {st.beyond}, are kept beyond vacancies (absence, sickness, extra "
             "demand: agency.beyond_vacancies; at most DfE's agency workers, at least those the "
             "vacant posts cannot hold), a level that walks from year to year "
             f"(agency.yearly_change_sd); at the start DfE's other {st.covering} agency workers "
             f"cover vacant posts."),
            (f"Time to fill from notice T = (E / {st.permanent_later:.1f} x (1/h + notice) - 1/h)"
             f" / (1 + g / h) = {st.fill_days:.0f} d keeps them level as the establishment grows "
             f"at England's g = {math.log1p(max(d.establishment_growth.per_year, 0.0)):.4f} a year "
             f"(per post: permanent people (1/h + notice) / (1/h + T); new posts open vacant, so "
             f"posts fall vacant 1 + g / h times as often as leavers make them); campaigns of "
             f"{st.campaign_days:.0f} d that succeed with p = {st.success:.3f}."),
            (f"Agency: cover x {wf.presence():.3f} x E[(T - notice - "
             f"{wf.AGENCY_START_DAYS:.0f} d)+] / (1/h + T) per post; every vacancy covered holds "
             f"{st.agency_capacity:.1f}; cover {st.cover:.3f} holds "
             f"{st.cover * st.agency_capacity:.1f} and the {st.beyond} beyond vacancies make "
             f"{st.beyond + st.cover * st.agency_capacity:.1f} of {st.agency_later:.1f}; "
             f"{st.covering} agency workers covering vacancies at the start = "
             f"{vacancy_cover:.0%} of vacant posts at the start (DfE "
             f"vacancy_agency_cover_rate_fte {_show(d.agency_cover)}%)."),
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
            _kv("referrals_per_year", self._referrals_value(),
                f"{d.referrals.source}, {la}; re-referrals ({rr.value:.1%}) are inside"
                + fallback_note(d.referrals) + self._referrals_drift_note()),
            _kv("growth_per_year", _normal(d.growth_per_year, self._growth_sd()),
                f"derived: England's trend plus the council's shrunk difference (header); DfE "
                f"referrals {d.data.years[0]}-"
                f"{d.year}: {history}; sd {self._growth_sd():.4f} = (1 + growth) x sqrt(the "
                f"council's level sd {self._level_sd(d.growth_level):.4f}^2 + England's "
                f"year-to-year sd of its log change {d.england_growth_sd:.4f}^2)"),
            _kv("yearly_change_sd", _num(panel.referral_walk(d.data, d.year).sd),
                "derived: DfE panel, step sd of a random walk in councils' log referrals: "
                + panel.referral_walk(d.data, d.year).describe("referrals")
                + " (docs/turnover.md)"),
            _kv("no_further_action", _num(d.nfa.value),
                f"{d.nfa.source}, {la}" + fallback_note(d.nfa)),
            self._cases_elasticity_line(),
            self._usual_caseload_line(),
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
                     f"{d.close_share:.4f}" + fallback_note(d.nin)),
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
        agency_walk = panel.agency_walk(d.data, d.year)
        return [
            "[workforce]",
            _kv("establishment", str(st.establishment),
                f"derived: {st.permanent} permanent + {st.vacant} vacant posts, DfE's vacancy "
                f"rate {d.vacancy_rate.value:g}% at the start (header)"
                + fallback_note(d.vacancy_rate)),
            _kv("agency_in_post", str(st.covering),
                f"derived: {d.agency_fte.source} {d.agency_fte.value:g}"
                + fallback_note(d.agency_fte)
                + (f", of whom {st.agency} hold cases (agency.non_case_holding_share),"
                   if d.agency_non_case_holding else "")
                + f" less the {st.beyond} beyond vacancies "
                "(agency.beyond_vacancies; header): covering vacant posts at the start"),
            _kv("non_case_holding_share", _num(d.non_case_holding),
                f"derived: 1 - permanent case-holders / DfE's in post = 1 - {st.permanent} / "
                f"{d.inpost.value:g} ({d.case_holders} case-holders ({d.holders_fte.source}) "
                f"less {st.agency} agency; {d.inpost.source}; clipped to 0-0.9); a number, not "
                "a distribution: its year-to-year changes are in DfE's case-holder counts while "
                "its FTE in post is steady, and the model scales FTE in post by it"),
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
            _kv("annual_rate", _lognormal_about(st.hazard_per_year, self._turnover_cv()),
                f"derived: the turnover rate ahead {d.ahead('turnover', d.turnover):.4g}% "
                f"({d.turnover.source} {d.turnover.value:g}% and before, shrunk; header) as a "
                "hazard while not on notice, the lognormal's median (the level is a shrunk "
                "average of yearly figures about which the panel's model has symmetric "
                "year-to-year noise: the middle of the figure ahead, not a mean above it)"
                + fallback_note(d.turnover)
                + f"; cv {self._turnover_cv():.3f} = sd / rate ahead, sd "
                + self._spread_words(d.levels_ahead["turnover"], "turnover")),
            *self._turnover_panel_lines(),
            _kv("notice_days", f'{{ dist = "uniform", low = {wf.NOTICE_DAYS[0]:.0f}, '
                               f'high = {wf.NOTICE_DAYS[1]:.0f} }}',
                "assumption: 4-8 weeks' notice"),
            "",
            "[workforce.recruitment]",
            _kv("time_to_hire_days", f'{{ dist = "gamma", mean = {_num(st.campaign_days, 1)}, '
                                     f"cv = {wf.CAMPAIGN_CV} }}",
                "assumption: one campaign (advert, interviews, checks, the starter's notice)"),
            _kv("success", self._key_beta("success"),
                f"derived: campaign / time to fill {st.fill_days:.0f} d, which keeps the "
                "steady state's permanent staff level in the establishment (header); "
                + self._key_spread_words("success", "vacancy")),
            _kv("nqsw_share", str(NQSW_SHARE), "assumption: documented default"),
            _kv("senior_share", str(SENIOR_SHARE),
                "assumption: keeps seniors at 15% of staff (no sw -> senior progression)"),
            "",
            "[workforce.agency]",
            _kv("cover", self._key_beta("cover"),
                f"derived: holds the steady state's {st.agency_later:.1f} agency workers with "
                f"the {st.beyond} beyond vacancies"
                + (", at most every vacancy" if st.agency_short else "")
                + f" (header); DfE vacancy_agency_cover_rate_fte {_show(d.agency_cover)}%; "
                + self._key_spread_words("cover", "agency")),
            _kv("start_days", f'{{ dist = "fixed", value = {wf.AGENCY_START_DAYS:.0f} }}',
                "assumption: about four weeks from the leaver going (or a post opening) to a "
                "locum's first day: approval, finding and vetting (no DfE figure)"),
            _kv("annual_turnover", _num(wf.AGENCY_TURNOVER),
                "assumption: locum assignments last about a year"),
            _kv("max_share", "1.0", "assumption: no ceiling in a baseline (documented default); "
                                    "cover, at most DfE's cover rate, sets the share"),
            _kv("beyond_vacancies", str(st.beyond),
                f"derived: the steady state's {st.agency_later:.1f} agency workers less the "
                f"{st.cover_rate * st.agency_capacity:.1f} that cover at the cover rate ahead "
                "holds there, within 0 and DfE's agency workers, at least those the vacant "
                "posts cannot hold: agency workers kept beyond vacancies (absence, sickness, "
                "extra demand; header)"),
            _kv("yearly_change_sd", _num(agency_walk.sd),
                "derived: DfE panel, step sd of a random walk in councils' log agency FTE, "
                "applied to all agency workers (walk_scope): " + agency_walk.describe("agency FTE")),
            *([_kv("non_case_holding_share", _num(d.agency_non_case_holding),
                   f"derived: 1 - agency case-holders / DfE's agency FTE = 1 - {st.agency} / "
                   f"{d.agency_fte.value:g}: DfE's agency FTE leaves too few permanent "
                   "case-holders for all its agency workers to hold cases (header); used only "
                   "for DfE's agency rate")] if d.agency_non_case_holding else []),
            _kv("walk_scope", '"all"',
                "derived: the walk moves the level beyond vacancies and the share of vacancies "
                "covered (cover, at most 1) alike, so all agency workers follow it, as DfE's "
                "agency FTE, whose walk the panel measures, does (docs/baseline.md)"),
            *self._agency_response_lines(),
            "",
            *self._establishment_drift_lines(),
        ]

    def _agency_response_lines(self) -> list[str]:
        """How the agency workers follow the caseload's standing against England's typical
        council (`agency.caseload_response`, `typical_caseload_ratio`)."""
        d = self.derived
        response = panel.agency_caseload_response(d.data, d.year)
        typical = panel.typical_caseload(d.data, d.year)
        caseload = d.caseload_fte.value
        if response.fallback or not 0 < caseload < math.inf:
            return [_kv("caseload_response", "0.0",
                        "derived: DfE panel, no response of the agency workers to the caseload: "
                        + (response.describe() if response.fallback
                           else "the council has no caseload to compare"))]
        return [
            _kv("caseload_response", _normal(response.estimate, response.se),
                "derived: DfE panel, normal(estimate, its standard error) clipped at 0: councils' "
                "agency FTE grows a year on by this power of their caseload over England's "
                f"typical council's: {response.describe()} (docs/baseline.md)"),
            _kv("typical_caseload_ratio", _num(typical / caseload),
                f"derived: England's typical council's caseload {typical:.2f} (the median over "
                f"councils at DfE's census {d.year}) / the council's {caseload:.2f} "
                f"({d.caseload_fte.source}): the caseload the agency workers' response "
                "compares with"),
        ]

    def _agency_follows_words(self) -> str:
        """How the steady state's agency workers follow the vacancies ahead, for the header."""
        found = panel.agency_vacancy_elasticity(self.derived.data, self.derived.year)
        if found.fallback:
            return ""
        st = self.derived.state
        return (f", times ((vacant posts ahead {st.establishment - st.permanent_later:.1f} + 1) / "
                f"(at the start {st.vacant} + 1))^{found.estimate:.3f}: DfE's councils' agency "
                f"FTE follows their vacancies at a within elasticity of {found.describe()}")

    def _establishment_drift_lines(self) -> list[str]:
        d = self.derived
        growth = d.establishment_growth
        walk = panel.establishment_walk(d.data, d.year)
        return [
            "[workforce.establishment_drift]",
            _kv("growth_per_year", _num(growth.per_year),
                "derived: DfE panel, England's yearly change of councils' establishment: "
                + growth.describe()),
            _kv("yearly_change_sd", _num(walk.sd),
                "derived: DfE panel, step sd of a random walk in councils' log establishment "
                "(FTE in post + vacancies) about England's path: "
                + walk.describe("establishment") + " (docs/baseline.md)"),
        ]

    def _referrals_value(self) -> str:
        """DfE's referrals, or with a referral walk a lognormal whose median they are and whose
        log sd is one step of the walk: DfE's figure is of the year to 31 March, centred a year
        before the start, and the walk leaves the run's first year as given."""
        d = self.derived
        referrals, step = round(d.referrals.value), panel.referral_walk(d.data, d.year).sd
        if step <= 0:
            return str(referrals)
        return _lognormal_about(referrals, math.sqrt(math.expm1(step ** 2)), digits=1)

    def _cases_elasticity_line(self) -> str:
        """The elasticity of cases held to referrals, drawn per replication: normal(the panel's
        estimate, its standard error) clipped to the key's range 0.01-1, or uniform over that
        range without two census years (docs/demand.md)."""
        d = self.derived
        elasticity = panel.cases_referral_elasticity(d.data, d.year)
        if elasticity.fallback:
            value = f'{{ dist = "uniform", low = 0.01, high = {_num(elasticity.prior_high)} }}'
            how = elasticity.describe()
        else:
            value = _normal(elasticity.estimate, elasticity.se)
            how = f"normal(estimate, its standard error) clipped to 0.01-1: {elasticity.describe()}"
        return _kv("cases_referral_elasticity", value,
                   f"derived: DfE panel (FACTS: none published), {how} (docs/demand.md)")

    def _usual_caseload_line(self) -> str:
        """The council's usual caseload over the start's, drawn per replication: lognormal with
        median 1 and log sd the root mean square of councils' yearly log caseload changes."""
        d = self.derived
        log_sd, how = panel.caseload_change(d.data, d.year)
        value = _lognormal_about(1.0, math.sqrt(math.expm1(log_sd ** 2)))
        what = (f"lognormal with median 1 and log sd {log_sd:.4f}, the caseload a council "
                f"holds to a year on around the start's" if log_sd else "1")
        return _kv("usual_caseload_ratio", value,
                   f"derived: DfE panel, {what}: {how} (docs/demand.md)")

    def _referrals_drift_note(self) -> str:
        d = self.derived
        step = panel.referral_walk(d.data, d.year).sd
        return ("" if step <= 0 else
                f"; the median of a lognormal with log sd {step:.4f}, one year's drift "
                f"(yearly_change_sd): the figure is of the year to 31 March {d.year}, centred a "
                "year before the start, and the drift starts at the first anniversary")

    def _turnover_panel_lines(self) -> list[str]:
        d = self.derived
        elasticity = panel.caseload_elasticity(d.data, d.year)
        walk = panel.turnover_walk(d.data, d.year)
        return [
            _kv("caseload_elasticity", f'{{ dist = "normal", mean = {_num(elasticity.estimate)}, '
                                       f"sd = {_num(elasticity.se)}, clip = true }}",
                "derived: DfE panel (FACTS: none published), normal(estimate, its standard "
                f"error) clipped at 0: {elasticity.describe()}; the log-log elasticity maps "
                "one for one onto the model's at the cap (docs/turnover.md)"),
            _kv("yearly_change_sd", _num(walk.sd),
                "derived: DfE panel, step sd of a random walk in councils' log turnover "
                "rates, less the chance of who leaves: " + walk.describe("turnover")
                + " (docs/turnover.md)"),
        ]

    def _case_holders_reporting_line(self, holders: panel.OneOff) -> str:
        """The shared factor of case-holders and cases held; where the censuses up to the year
        cannot give it (2017, 2018), children in need's as its stand-in."""
        if not holders.fallback:
            return _kv("case_holders_log_sd", _num(holders.sd),
                       "derived: DfE panel, the one-off factor case-holders and cases held share "
                       "at a census (products of their changes): " + holders.describe(
                           "log case-holders and log cases held") + " (docs/baseline.md)")
        d = self.derived
        stand_in = panel.children_in_need_one_off(d.data, d.year)
        return _kv("case_holders_log_sd", _num(stand_in.sd),
                   "derived: DfE panel, children in need's one-off factor on 31 March as the "
                   "stand-in for the factor case-holders and cases held share (cases held are "
                   "children in need; the censuses give none: " + holders.fallback + "): "
                   + stand_in.describe("log children in need") + " (docs/baseline.md)")

    def _reporting_lines(self) -> list[str]:
        """The one-off factors of DfE's measures at each census, from the panel; for the vacancy
        and turnover rates, less the spread their uncertain values carry already (the agency
        rate's uncertain `cover` moves only the agency workers in vacant posts, not the rate:
        nothing is taken off it), halved in squares for a rate that heads to a level of the
        council's years, whole for the agency rate where its workers walk from DfE's figure
        (docs/baseline.md)."""
        d = self.derived
        holders = panel.case_holders_one_off(d.data, d.year)
        caseload = panel.caseload_one_off(d.data, d.year)
        lines = [
            "[dfe_reporting]",
            self._case_holders_reporting_line(holders),
            *self._start_lines("case_holders", "case-holders",
                               panel.case_holders_start_filter(d.data, d.year)),
            _kv("caseload_log_sd", _num(caseload.sd),
                "derived: DfE panel, caseload's own one-off factor: "
                + caseload.describe("log caseload")),
            *self._start_lines("caseload", "caseload",
                               panel.caseload_start_filter(d.data, d.year)),
        ]
        # (key, rate, its one-off factor, scale, DfE's figure whose uncertain value carries a
        # spread already, or None)
        rates = (("agency_rate_logit_sd", "agency", panel.rate_one_off(d.data, d.year, "agency"),
                  "logits", None),
                 ("vacancy_rate_logit_sd", "vacancy",
                  panel.rate_one_off(d.data, d.year, "vacancy"), "logits", d.vacancy_rate),
                 ("turnover_rate_log_sd", "turnover", panel.turnover_one_off(d.data, d.year),
                  "logs", d.turnover))
        for key, name, one_off, scale, figure in rates:
            netted = figure is not None
            from_start = name == "agency" and d.agency_walks
            carried = self._carried_sd(name, figure, scale) if netted else 0.0
            netted_words = (f"less (difference of squares, at least 0) the {carried:.4f} in "
                            f"{scale} that its uncertain value carries already (its sd ahead, "
                            "header)" if netted else
                            "nothing taken off: agency `cover` carries no spread" if from_start
                            else "nothing taken off: the spread of agency `cover` moves only "
                                 "the agency workers in vacant posts, not DfE's agency rate")
            halved = ("whole: the agency workers walk from DfE's figure at the start, which "
                      "carries its own factor, so a census carries its factor over the start's"
                      if from_start else
                      "over 2 in squares: a census carries its factor over the start's, two "
                      "factors, and the rate ahead is a level, not the start's figure, so one "
                      "is its due")
            variance = max(0.0, one_off.sd ** 2 - carried ** 2) / (1 if from_start else 2)
            lines.append(_kv(key, _num(math.sqrt(variance)),
                             f"derived: DfE panel, the {name} rate's one-off factor in {scale}, "
                             f"{one_off.describe(name + ' rates')}; {netted_words}; {halved}"))
        return lines

    def _start_lines(self, factor: str, measure: str, found: panel.StartFilter) -> list[str]:
        """The start's own factor of `factor` (log; `measure`'s and so cases held's): the
        posterior of the council's local-level filter where the filter is used
        (`panel.StartFilter.applied`), else a fresh draw (mean 0, the factor's own sd: the
        keys' defaults) saying why."""
        d = self.derived
        posterior = found.filtered.start_factor(d.code) if found.applied else None
        if posterior is None:
            why = (found.describe() if not found.applied else
                   f"not filtered: DfE published no {measure} figure of the council's own at "
                   "the census")
            return [_kv(f"{factor}_start_log_mean", "0.0",
                        f"derived: the start's {measure} (and cases held's) factor a fresh draw "
                        f"(sd the factor's own): {why} (docs/baseline.md)")]
        mean, sd = posterior
        return [
            _kv(f"{factor}_start_log_mean", _num(mean),
                f"derived: DfE panel, the start's {measure} (and cases held's) one-off factor "
                f"given the council's censuses {d.year} and before: its log figure less the "
                f"filtered state, {found.describe()} (docs/baseline.md)"),
            _kv(f"{factor}_start_log_sd", _num(sd),
                "derived: DfE panel, the sd of that factor: the filtered state's (the same "
                "filter)"),
        ]

    def _carried_sd(self, name: str, figure: Figure, scale: str) -> float:
        """The sd, in logs or logits at the rate ahead, of a workforce rate's uncertain value
        (its forecast sd, % points; 0 without one)."""
        d = self.derived
        share = d.ahead(name, figure) / 100
        if name not in d.rate_sd or not 0 < share < 1:
            return 0.0
        slope = share if scale == "logs" else share * (1 - share)
        return d.rate_sd[name] / 100 / slope

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
                f"{d.assessment_days:.0f}/{DAYS_PER_YEAR:g}"),
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


def _normal(mean: float, sd: float) -> str:
    """A normal uncertain value clipped to the key's range (the number when sd is about 0)."""
    if sd < 5e-5:
        return _num(mean)
    return f'{{ dist = "normal", mean = {_num(mean)}, sd = {_num(sd)}, clip = true }}'


def _lognormal_about(median: float, cv: float, digits: int = 4) -> str:
    """A lognormal uncertain value of this `median` and `cv`, clipped to the key's range (its mean
    is median x sqrt(1 + cv^2)); the number when cv is about 0."""
    if cv < 5e-4 or median <= 0:
        return _num(median, digits)
    mean = median * math.sqrt(1 + cv ** 2)
    return (f'{{ dist = "lognormal", mean = {_num(mean, digits)}, cv = {_num(cv)}, '
            "clip = true }")


def _beta(mean: float, sd: float) -> str:
    """A beta uncertain value (a share), its sd at most 0.95 of the largest a beta of that mean
    has; the number when the mean is at an end or the sd about 0."""
    if not 1e-3 < mean < 1 - 1e-3 or sd < 5e-4:
        return _num(mean)
    sd = min(sd, 0.95 * math.sqrt(mean * (1 - mean)))
    return f'{{ dist = "beta", mean = {_num(mean)}, sd = {_num(sd)} }}'


def _show(figure: Figure | None) -> str:
    return "not published" if figure is None else f"{figure.value:g}"


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
