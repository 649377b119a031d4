"""The bundled DfE extract (`sim/data/dfe_extract.csv`): authorities, figures and their sources.

The extract is made by `scripts/make_dfe_extract.py` from DfE's local-authority tables (Open
Government Licence v3.0; see `sim/data/LICENCE-DfE.txt`). DfE's demand figures for year Y cover the
year to 31 March Y (stocks at that date); its workforce census figures for Y are for 30 September Y
(2017 to 2022). An authority is identified by DfE's three-digit code: names repeat (the Dorset of
2013-2019, code 835, is not the Dorset of 2019 on, code 838).

Every figure comes back as a `Figure`: its value and where it came from (table, column, year), in
words fit for a comment in a scenario file. A cell DfE suppressed or did not publish ("x", "c",
"z", "u", "low", "..", or no row) is never read as zero. `Extract.coverage` says whether an
authority has the figures a baseline needs for a year and, if not, why (suppressed, missing, or
reorganised). A few figures that are not needed have a documented fallback, and the `Figure` says
which:

- referrals, no further action, not in need and started episodes obey DfE's identity
  referral_count = no_further_action_count + not_in_need_count + Started_episodes, so one missing
  member is derived from the other three;
- shares and rates come from the authority's region (then England) for the same year;
- the workforce counts of a service DfE reports jointly (Kingston upon Thames with Richmond upon
  Thames; North with West Northamptonshire) are split between its authorities by their children in
  need at 31 March of the same year.
"""
from __future__ import annotations

import csv
import difflib
import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import NoReturn

NATIONAL, REGIONAL, LOCAL = "National", "Regional", "Local authority"
WORKFORCE_YEARS = range(2017, 2023)
IDENTITY = ("referral_count", "no_further_action_count", "not_in_need_count", "Started_episodes")
SUPPRESSED = {"x": "not available", "c": "suppressed", "z": "not applicable",
              "u": "low reliability", ".": "not collected", "..": "not available",
              ":": "not available", "low": "below 0.5", "": "not published"}
DATASET = {
    **dict.fromkeys(("referral_count", "rereferral_count", "no_further_action_count",
                     "not_in_need_count"), "referrals"),
    **dict.fromkeys(("Started_episodes", "Ended_episodes", "At31_episodes",
                     "awaiting_assessment"), "children in need"),
    "CPP_At31": "child protection plans", "CLA_At31": "children looked after",
    "population_0_to_17": "child population",
}
WORKFORCE_NEEDED = ("inpost_fte", "case_holders_fte", "cases")
DEMAND_NEEDED = ("referral_count", "At31_episodes")
REORGANISED = {
    "835": "the county of Dorset was replaced on 1 April 2019 by Dorset (code 838) and "
           "Bournemouth, Christchurch and Poole (839)",
    "836": "Poole became part of Bournemouth, Christchurch and Poole (839) on 1 April 2019",
    "837": "Bournemouth became part of Bournemouth, Christchurch and Poole (839) on 1 April 2019",
    "838": "Dorset (838) was formed on 1 April 2019 from the county of Dorset (835) less "
           "Christchurch",
    "839": "Bournemouth, Christchurch and Poole was formed on 1 April 2019 from Bournemouth (837), "
           "Poole (836) and Christchurch",
    "928": "Northamptonshire was replaced on 1 April 2021 by North (940) and West (941) "
           "Northamptonshire",
    "940": "North Northamptonshire was formed from Northamptonshire (928) on 1 April 2021",
    "941": "West Northamptonshire was formed from Northamptonshire (928) on 1 April 2021",
    "942": "Cumberland was formed from Cumbria (909) on 1 April 2023, after these tables",
    "943": "Westmorland and Furness was formed from Cumbria (909) on 1 April 2023, after these "
           "tables",
}


class BaselineError(ValueError):
    """Bad input to the baseline generator (unknown authority, year or authority without data)."""


@dataclass(frozen=True)
class Figure:
    """A number and its provenance. `fallback` is "" when DfE published it for that authority."""

    value: float
    source: str
    fallback: str = ""

    def __str__(self) -> str:
        return f"{self.source}; {self.fallback}" if self.fallback else self.source


@dataclass(frozen=True)
class Coverage:
    """Whether an authority has a baseline's DfE figures for a year; `reasons` lists what is
    missing and why (empty when it has them all)."""

    code: str
    name: str
    year: int
    reasons: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.reasons

    def reason(self) -> str:
        """One line: what is missing for the authority in the year, and why."""
        return f"{self.name} ({self.code}) {self.year}: " + "; ".join(self.reasons)


def number(text: str) -> float | None:
    """A DfE cell as a number, or None for a suppression marker or an empty cell."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def marker(text: str) -> str:
    """Why a DfE cell has no number, e.g. "suppressed ('c')"."""
    return f"{SUPPRESSED.get(text.strip().lower(), 'not a number')} ({text.strip()!r})"


def normalise(name: str) -> str:
    """An authority name for matching: lower case, '&' as 'and', punctuation dropped."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def display(name: str) -> str:
    """DfE's "Bristol, City of" as "City of Bristol" (other names unchanged)."""
    head, comma, tail = name.rpartition(", ")
    return f"{tail} {head}" if comma and tail in ("City of", "County of") else name


def slug(name: str) -> str:
    """An authority name as a scenario-name part: "Bristol, City of" -> "bristol-city-of"."""
    return normalise(name).replace(" ", "-")


def source(column: str, year: int) -> str:
    """Where a figure comes from: "DfE <table> <year> (<column>)"."""
    table = DATASET.get(column, "workforce census")
    when = f"30 September {year}" if table == "workforce census" else str(year)
    return f"DfE {table} {when} ({column})"


class Extract:
    """The rows of the extract, by (geographic level, area, year); an authority's area is its
    DfE code, a region's its name, England's "England"."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows: dict[tuple[str, str, int], dict[str, str]] = {}
        self.names: dict[str, str] = {}
        self.region_of: dict[str, str] = {}
        for row in sorted(rows, key=lambda r: int(r["time_period"])):
            level = row["geographic_level"]
            area = {NATIONAL: "England", REGIONAL: row["region_name"]}.get(level, row["la_code"])
            self.rows[(level, area, int(row["time_period"]))] = row
            if level == LOCAL:
                self.names[area] = row["la_name"]       # the latest year's name
                self.region_of[area] = row["region_name"]
        self.years = sorted({year for (_, _, year) in self.rows})
        self.codes = sorted(self.names)
        self._aliases = {code: _aliases(name) for code, name in self.names.items()}

    @property
    def authorities(self) -> list[str]:
        """DfE's names of the authorities (one per name, however many codes it had)."""
        return sorted(set(self.names.values()))

    # names -------------------------------------------------------------------------------------
    def find(self, name: str, year: int) -> str:
        """The code of the authority called `name` (case and punctuation ignored) in `year`.

        A trailing ", City of" or ", County of" may be left off, so may words such as "City
        Council" ("Leeds City Council", see `without_council_words`), and words that name exactly
        one authority are enough ("Bristol", "Hull", "Durham"). A name two codes share (Dorset) means
        the one with workforce figures in `year`, else the newest. Raises BaselineError naming
        the closest matches.
        """
        wanted = normalise(name)
        short = without_council_words(wanted)
        codes = [code for code, aliases in self._aliases.items()
                 if wanted in aliases or short in aliases]
        if not codes:
            codes = [code for code in self.codes
                     if short and f" {short} " in f" {normalise(self.names[code])} "]
            if len({self.names[code] for code in codes}) > 1:
                self._unknown(name, sorted({self.names[code] for code in codes}), "more than one")
        if not codes:
            by_form = {form: self.names[code] for code, forms in self._aliases.items()
                       for form in forms}
            close = closest(wanted, list(by_form))
            self._unknown(name, list(dict.fromkeys(by_form[form] for form in close)), "no")
        staffed = [code for code in codes if self.has_row(code, year, "inpost_fte")]
        return (staffed or sorted(codes, key=lambda c: self.years_of(c)[-1]))[-1]

    def _unknown(self, name: str, names: list[str], what: str) -> NoReturn:
        lead = "which one: " if what == "more than one" else "closest: "
        hint = (lead + "; ".join(f'"{n}"' for n in names[:5]) if names else
                f'no close match among DfE\'s {len(self.authorities)} names ("'
                f'{self.authorities[0]}" to "{self.authorities[-1]}")')
        raise BaselineError(f"--la: {what} English local authority called {name!r} in the DfE "
                            f"tables; {hint}")

    def years_of(self, code: str) -> list[int]:
        """Years in which the authority has referral figures (or, failing those, any row)."""
        years = [y for y in self.years if self.has_row(code, y, "referral_count")]
        return years or [y for y in self.years if (LOCAL, code, y) in self.rows]

    # figures -----------------------------------------------------------------------------------
    def cell(self, level: str, area: str, year: int, column: str) -> tuple[float | None, str]:
        row = self.rows.get((level, area, year))
        text = row.get(column, "") if row else ""
        return number(text), text

    def has_row(self, code: str, year: int, column: str) -> bool:
        """DfE published a row (a number or a marker) in `column`'s table for the authority."""
        return bool(self.cell(LOCAL, code, year, column)[1])

    def published(self, code: str, year: int, column: str) -> Figure | None:
        """The count DfE published, else derived from DfE's referrals identity, else None."""
        value, text = self.cell(LOCAL, code, year, column)
        if value is not None:
            return Figure(value, source(column, year))
        if column not in IDENTITY:
            return None
        others = {c: self.cell(LOCAL, code, year, c)[0] for c in IDENTITY if c != column}
        if any(v is None for v in others.values()):
            return None
        if column == "referral_count":
            derived, words = sum(others.values()), " + ".join(others)
        else:
            referrals = others.pop("referral_count")
            derived = referrals - sum(others.values())
            words = "referral_count - " + " - ".join(others)
        if derived < 0:
            return None
        return Figure(derived, source(column, year),
                      f"{marker(text)}; derived from DfE's identity: {words}")

    def count(self, code: str, year: int, column: str) -> Figure:
        """A count DfE published (or derived by its identity); BaselineError with the reason if
        there is none."""
        found = self.published(code, year, column)
        if found is None:
            raise BaselineError("; ".join(self.why_missing(code, year, [column])))
        return found

    def share(self, code: str, year: int, column: str) -> Figure:
        """`column` as a share of referral_count for the authority, else its region, else
        England (same year)."""
        what = f"DfE referrals {year} ({column} / referral_count)"
        top = self.published(code, year, column)
        bottom = self.published(code, year, "referral_count")
        if top is not None and bottom is not None and bottom.value > 0:
            notes = "; ".join(f.fallback for f in (top, bottom) if f.fallback)
            return Figure(top.value / bottom.value,
                          f"{what} {top.value:,.0f} / {bottom.value:,.0f}", notes)
        name = column if top is None else "referral_count"
        why = f"{name} {marker(self.cell(LOCAL, code, year, name)[1])}"
        for level, area in self._wider(code):
            top_value, _ = self.cell(level, area, year, column)
            bottom_value, _ = self.cell(level, area, year, "referral_count")
            if top_value is not None and bottom_value:
                return Figure(top_value / bottom_value,
                              f"{what} {top_value:,.0f} / {bottom_value:,.0f}, {area}",
                              f"{why} for {self.names[code]}; {area}'s {year} share used")
        raise BaselineError(f"--la: DfE has no {column} for {self.names[code]} or England in "
                            f"{year}")

    def rate(self, code: str, year: int, column: str, *, zero_is_missing: bool = False) -> Figure:
        """A workforce rate (%, as published) for the authority, else its region, else England."""
        value, text = self.cell(LOCAL, code, year, column)
        if value is not None and not (zero_is_missing and value == 0):
            joint = self.workforce_members(code, year)
            service = self.cell(LOCAL, code, year, "workforce_la")[1]
            note = f"the rate of the joint service {service}" if len(joint) > 1 else ""
            return Figure(value, source(column, year), note)
        why = marker(text) if value is None else "0 (no leavers recorded)"
        for level, area in self._wider(code):
            wider, _ = self.cell(level, area, year, column)
            if wider is not None:
                return Figure(wider, source(column, year) + f", {area}",
                              f"{why} for {self.names[code]}; {area}'s figure used")
        raise BaselineError(f"--la: DfE has no {column} for {self.names[code]} or England in "
                            f"{year}")

    def workforce_count(self, code: str, year: int, column: str) -> Figure | None:
        """A workforce count (FTE or cases) for the authority, its share of a joint service's
        (by children in need at 31 March of `year`); None if DfE has none."""
        value, _ = self.cell(LOCAL, code, year, column)
        members = self.workforce_members(code, year)
        if value is None:
            return None
        if len(members) == 1:
            return Figure(value, source(column, year))
        stock = {m: self.cell(LOCAL, m, year, "At31_episodes")[0] for m in members}
        if any(v is None for v in stock.values()):
            return None
        share = stock[code] / sum(stock.values())
        joint = self.cell(LOCAL, code, year, "workforce_la")[1]
        return Figure(value * share, source(column, year),
                      f"{joint} reported together: {value:g} x {share:.3f} ({self.names[code]}'s "
                      f"share of their DfE children in need {year} At31_episodes)")

    def workforce_members(self, code: str, year: int) -> list[str]:
        """The codes DfE's workforce row for the authority covers (one unless reported jointly)."""
        joint = self.cell(LOCAL, code, year, "workforce_code")[1]
        return [part.strip() for part in joint.split("/")] if joint else [code]

    def _wider(self, code: str) -> list[tuple[str, str]]:
        return [(REGIONAL, self.region_of[code]), (NATIONAL, "England")]

    # coverage ----------------------------------------------------------------------------------
    def coverage(self, code: str, year: int) -> Coverage:
        """Whether DfE has the authority's workforce census (30 September `year`) counts and
        its referrals and children in need for the year to 31 March `year`, and if not why."""
        if year not in WORKFORCE_YEARS:
            return Coverage(code, self.names[code], year, (
                f"the workforce census in the package covers 30 September {WORKFORCE_YEARS[0]} "
                f"to {WORKFORCE_YEARS[-1]} only",))
        absent = [c for c in WORKFORCE_NEEDED if self.workforce_count(code, year, c) is None]
        absent += [c for c in DEMAND_NEEDED if self.published(code, year, c) is None]
        reasons = self.why_missing(code, year, absent)
        if self.cell(LOCAL, code, year, "inpost_fte")[0] == 0:
            reasons += (f"{source('inpost_fte', year)} is 0: no social workers in post, every "
                        "post vacant or held by agency staff, which a baseline cannot hold",)
        return Coverage(code, self.names[code], year, reasons)

    def why_missing(self, code: str, year: int, columns: list[str]) -> tuple[str, ...]:
        """Why the authority has none of `columns` for `year`, one reason a kind: suppressed
        (DfE's marker), reported jointly and not splittable, reorganised, or missing."""
        name, reasons, absent, joint = self.names[code], [], [], []
        members = self.workforce_members(code, year)
        for column in columns:
            value, text = self.cell(LOCAL, code, year, column)
            if value is not None and len(members) > 1:
                joint.append(column)
            elif text:
                reasons.append(f"{source(column, year)} is {marker(text)}")
            else:
                absent.append(column)
        if joint:
            reasons.append(
                f"DfE workforce census 30 September {year} ({', '.join(joint)}) is reported "
                f"jointly for {' / '.join(self.names[m] for m in members)} and cannot be split: "
                f"their children in need at 31 March {year} are not all published")
        if absent:
            what = f"DfE has no {', '.join(absent)} for {name} ({code}) in {year}"
            reasons.append(f"reorganised: {REORGANISED[code]}; {what}" if code in REORGANISED
                           else f"missing: {what}")
        return tuple(dict.fromkeys(reasons))


COUNCIL_WORDS = re.compile(r"^(london borough of |royal borough of )?(.*?)"
                           r"( (metropolitan (borough|district)|borough|city|county|district))?"
                           r"( council)?$")
"""How councils name themselves around DfE's name: "Leeds City Council", "London Borough of
Camden", "Kent County Council"."""
GENERIC_WORDS = frozenset({"city", "county", "council", "borough", "metropolitan", "district",
                           "london", "royal", "of", "the", "and", "upon", "on"})
"""Words of authority names that say what kind of council, not which one."""


def without_council_words(name: str) -> str:
    """A normalised name without the words councils put around DfE's name: "leeds city
    council" -> "leeds", "london borough of camden" -> "camden"."""
    return COUNCIL_WORDS.match(name).group(2) or name


def closest(wanted: str, forms: list[str], count: int = 8) -> list[str]:
    """The `count` normalised names most like `wanted`: first those sharing more of its words
    that name a place (not "city", "council", ...), then by spelling without the council words
    (difflib's ratio, at least 0.4 when no such word is shared)."""
    words = set(wanted.split()) - GENERIC_WORDS
    short = without_council_words(wanted)

    def likeness(form: str) -> tuple[int, float]:
        return (len(words & set(form.split())),
                difflib.SequenceMatcher(None, short, form).ratio())

    ranked = sorted(forms, key=likeness, reverse=True)
    return [form for form in ranked if likeness(form)[0] or likeness(form)[1] >= 0.4][:count]


def _aliases(authority: str) -> set[str]:
    full = normalise(authority)
    short = re.sub(r" (city|county) of$", "", full)
    return {full, short}


@functools.cache
def extract() -> Extract:
    """The bundled extract, read once."""
    text = resources.files("sim").joinpath("data/dfe_extract.csv").read_text(encoding="utf-8")
    return Extract(list(csv.DictReader(text.splitlines())))
