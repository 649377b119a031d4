"""The bundled DfE extract (`sim/data/dfe_extract.csv`): authorities, figures and their sources.

The extract is made by `scripts/make_dfe_extract.py` from DfE's local-authority tables (Open
Government Licence v3.0; see `sim/data/LICENCE-DfE.txt`). DfE's "2017" demand figures cover the year
to 31 March 2017 (stocks at that date); the workforce figures are for 30 September 2017 only.

Every figure comes back as a `Figure`: its value and where it came from, in words fit for a comment
in a scenario file. Values DfE suppressed or did not collect ("x", "c", "z", ".", ":", "low", ...)
are filled by a documented fallback, and the `Figure` says which:

- referrals, no further action, not in need and started episodes obey DfE's identity
  Referrals = No_Further_Action + Not_in_Need + Started_episodes, so one missing member is derived
  from the other three;
- other counts of an authority's children come from its own nearest year with a figure;
- shares and rates come from the authority's region (then England) for the same year;
- workforce counts of a shared service (e.g. Kingston upon Thames with Richmond upon Thames) are
  split between its authorities by their children in need at 31 March 2017.
"""
from __future__ import annotations

import csv
import difflib
import functools
import re
from dataclasses import dataclass
from importlib import resources

NATIONAL, REGIONAL, LOCAL = "National", "Regional", "Local authority"
WORKFORCE_YEAR = 2017
IDENTITY = ("Referrals", "No_Further_Action", "Not_in_Need", "Started_episodes")
SUPPRESSED = {"x": "not available", "c": "suppressed", "z": "not applicable",
              ".": "not collected", ":": "not available", "low": "below 0.5", "": "missing"}
DATASET = {
    "Referrals": "referrals", "Re_referrals": "referrals", "No_Further_Action": "referrals",
    "Not_in_Need": "referrals", "Started_episodes": "CIN", "Ended_episodes": "CIN",
    "At31_episodes": "CIN", "Awaiting_assessment": "CIN",
}


class BaselineError(ValueError):
    """Bad input to the baseline generator (unknown authority, year outside the tables)."""


@dataclass(frozen=True)
class Figure:
    """A number and its provenance. `fallback` is "" when DfE published it for that authority."""

    value: float
    source: str
    fallback: str = ""

    def __str__(self) -> str:
        return f"{self.source}; {self.fallback}" if self.fallback else self.source


def number(text: str) -> float | None:
    """A DfE cell as a number, or None for a suppression marker."""
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


class Extract:
    """The rows of the extract, by (geographic level, area name, year)."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.rows: dict[tuple[str, str, int], dict[str, str]] = {}
        self.region_of: dict[str, str] = {}
        for row in rows:
            level = row["geographic_level"]
            area = {NATIONAL: "England", REGIONAL: row["region_name"]}.get(level, row["la_name"])
            self.rows[(level, area, int(row["time_period"]))] = row
            if level == LOCAL:
                self.region_of[area] = row["region_name"]
        self.years = sorted({year for (_, _, year) in self.rows})
        self.authorities = sorted(self.region_of)
        self._aliases = {la: _aliases(la) for la in self.authorities}
        self._workforce_rows = self._shared_services()

    # names -------------------------------------------------------------------------------------
    def find(self, name: str) -> str:
        """DfE's name of the authority called `name` (case and punctuation ignored).

        A trailing ", City of" or ", County of" may be left off, and words that name exactly one
        authority are enough ("Bristol", "Hull", "Durham"). Raises BaselineError naming the
        closest matches.
        """
        wanted = normalise(name)
        for authority, aliases in self._aliases.items():
            if wanted in aliases:
                return authority
        containing = [la for la in self.authorities
                      if wanted and f" {wanted} " in f" {normalise(la)} "]
        if len(containing) == 1:
            return containing[0]
        if containing:
            names = containing
        else:
            by_form = {form: la for la, forms in self._aliases.items() for form in forms}
            close = difflib.get_close_matches(wanted, list(by_form), n=8, cutoff=0.4)
            names = list(dict.fromkeys(by_form[form] for form in close))
        lead = "which one: " if containing else "closest: "
        hint = (lead + "; ".join(f'"{n}"' for n in names[:5]) if names else
                f'no close match among DfE\'s {len(self.authorities)} names ("'
                f'{self.authorities[0]}" to "{self.authorities[-1]}")')
        what = "more than one" if containing else "no"
        raise BaselineError(f"--la: {what} English local authority called {name!r} in the DfE "
                            f"tables; {hint}")

    # figures -----------------------------------------------------------------------------------
    def cell(self, level: str, area: str, year: int, column: str) -> tuple[float | None, str]:
        row = self.rows.get((level, area, year))
        text = row.get(column, "") if row else ""
        return number(text), text

    def count(self, la: str, year: int, column: str) -> Figure:
        """A count of the authority's children in `year` (DfE referrals or CIN tables)."""
        found = self.same_year(la, year, column)
        if found is not None:
            return found
        value, text = self.cell(LOCAL, la, year, column)
        for other in sorted(self.years, key=lambda y: (abs(y - year), -y)):
            value, _ = self.cell(LOCAL, la, other, column)
            if other != year and value is not None:
                return Figure(value, _source(column, year),
                              f"{marker(text)} for {la}; {la}'s {other} figure used")
        raise BaselineError(f"--la: DfE has no {column} for {la} in any year")

    def same_year(self, la: str, year: int, column: str) -> Figure | None:
        """The count DfE published, else derived from DfE's referrals identity, else None."""
        value, text = self.cell(LOCAL, la, year, column)
        if value is not None:
            return Figure(value, _source(column, year))
        if column not in IDENTITY:
            return None
        others = {c: self.cell(LOCAL, la, year, c)[0] for c in IDENTITY if c != column}
        if any(v is None for v in others.values()):
            return None
        if column == "Referrals":
            derived, words = sum(others.values()), " + ".join(others)
        else:
            referrals = others.pop("Referrals")
            derived, words = referrals - sum(others.values()), "Referrals - " + " - ".join(others)
        if derived < 0:
            return None
        return Figure(derived, _source(column, year),
                      f"{marker(text)} for {la}; derived from DfE's identity: {words}")

    def share(self, la: str, year: int, column: str) -> Figure:
        """`column` as a share of Referrals for the authority, else its region, else England."""
        source = f"DfE referrals {year} ({column} / Referrals)"
        top = self.same_year(la, year, column)
        bottom = self.same_year(la, year, "Referrals")
        if top is not None and bottom is not None and bottom.value > 0:
            notes = "; ".join(f.fallback for f in (top, bottom) if f.fallback)
            return Figure(top.value / bottom.value,
                          f"{source} {top.value:,.0f} / {bottom.value:,.0f}", notes)
        name = column if top is None else "Referrals"
        why = f"{name} {marker(self.cell(LOCAL, la, year, name)[1])} for {la}"
        for level, area in self._wider(la):
            top_value, _ = self.cell(level, area, year, column)
            bottom_value, _ = self.cell(level, area, year, "Referrals")
            if top_value is not None and bottom_value:
                return Figure(top_value / bottom_value,
                              f"{source} {top_value:,.0f} / {bottom_value:,.0f}",
                              f"{why}; {area}'s {year} share used")
        raise BaselineError(f"--la: DfE has no {column} for {la} or England in {year}")

    def rate(self, la: str, column: str, *, zero_is_missing: bool = False) -> Figure:
        """A workforce rate (%, as published) for the authority, else its region, else England."""
        source = f"DfE workforce {WORKFORCE_YEAR} ({column})"
        row_la, _share = self.workforce_row(la)
        value, text = self.cell(LOCAL, row_la, WORKFORCE_YEAR, column)
        if value is not None and not (zero_is_missing and value == 0):
            shared = self.workforce_la(row_la)
            note = f"the shared service {shared}'s rate" if "/" in shared else ""
            return Figure(value, source, note)
        why = marker(text) if value is None else "0 (no leavers recorded)"
        for level, area in self._wider(la):
            wider, _ = self.cell(level, area, WORKFORCE_YEAR, column)
            if wider is not None:
                return Figure(wider, source, f"{why} for {la}; {area}'s figure used")
        raise BaselineError(f"--la: DfE has no {column} for {la} or England")

    def workforce_count(self, la: str, column: str) -> Figure:
        """A workforce count (FTE or cases) for the authority; value NaN if DfE has none."""
        source = f"DfE workforce {WORKFORCE_YEAR} ({column})"
        row_la, share = self.workforce_row(la)
        value, text = self.cell(LOCAL, row_la, WORKFORCE_YEAR, column)
        if value is None:
            return Figure(float("nan"), source, f"{marker(text)} for {la}")
        if row_la == la and share == 1:
            return Figure(value, source)
        return Figure(value * share, source,
                      f"{self.workforce_la(row_la)} reported together: {value:g} x {share:.3f} "
                      f"({la}'s share of their DfE CIN {WORKFORCE_YEAR} At31_episodes)")

    def wider(self, la: str, year: int, column: str) -> Figure:
        """The figure of the authority's region (else England) in `year`."""
        for level, area in self._wider(la):
            value, _ = self.cell(level, area, year, column)
            if value is not None:
                return Figure(value, f"DfE workforce {year} ({column}), {area}")
        raise BaselineError(f"--la: DfE has no {column} for England in {year}")

    def _wider(self, la: str) -> list[tuple[str, str]]:
        return [(REGIONAL, self.region_of[la]), (NATIONAL, "England")]

    # shared services ---------------------------------------------------------------------------
    def workforce_la(self, row_la: str) -> str:
        row = self.rows.get((LOCAL, row_la, WORKFORCE_YEAR), {})
        return row.get("workforce_la") or row_la

    def workforce_row(self, la: str) -> tuple[str, float]:
        """The authority whose workforce row covers `la`, and `la`'s share of that row's counts."""
        if la not in self._workforce_rows:
            raise BaselineError(f"--la: DfE workforce {WORKFORCE_YEAR} has no row for {la}")
        return self._workforce_rows[la]

    def _shared_services(self) -> dict[str, tuple[str, float]]:
        """Each authority's workforce row and share (1 unless DfE reports a shared service)."""
        rows = {}
        for row_la in self.authorities:
            if not self.rows.get((LOCAL, row_la, WORKFORCE_YEAR), {}).get("workforce_la"):
                continue
            members = [m.strip() for m in self.workforce_la(row_la).split("/")]
            stock = {m: self.cell(LOCAL, m, WORKFORCE_YEAR, "At31_episodes")[0] or 0.0
                     for m in members}
            total = sum(stock.values())
            for member in members:
                share = stock[member] / total if total else 1.0 / len(members)
                rows[member] = (row_la, 1.0 if len(members) == 1 else share)
        return rows


def _source(column: str, year: int) -> str:
    return f"DfE {DATASET[column]} {year} ({column})"


def _aliases(authority: str) -> set[str]:
    full = normalise(authority)
    short = re.sub(r" (city|county) of$", "", full)
    return {full, short}


@functools.cache
def extract() -> Extract:
    """The bundled extract, read once."""
    text = resources.files("sim").joinpath("data/dfe_extract.csv").read_text(encoding="utf-8")
    return Extract(list(csv.DictReader(text.splitlines())))
