"""Build `sim/data/dfe_extract.csv`, the compact DfE extract that `caseload baseline` reads.

Reads the DfE local-authority tables in ../shared/data/dfe/ (Open Government Licence v3.0; source:
Department for Education) and keeps, for England, each region and every local authority, one row
per year (2013-2022) and area with only the columns the baseline generator uses, under DfE's own
column names:

- referrals 2013-2022 (year to 31 March): referral_count, rereferral_count,
  no_further_action_count, not_in_need_count
- children in need 2013-2022: Started_episodes, Ended_episodes, At31_episodes (31 March),
  awaiting_assessment
- child protection plans open on 31 March 2013-2022: CPP_At31
- children looked after on 31 March 2021-2022: CLA_At31 (DfE's children_count where
  population_type is "Children looked after on 31 March each year")
- children aged 0 to 17 (ONS mid-year estimates) 2013-2022: population_0_to_17 (DfE's
  population_estimate)
- the social work workforce census, 30 September 2017-2022 (indicators, with DfE's revisions):
  inpost_fte, case_holders_fte, cases, caseload_fte, agency_fte, agency_rate_fte, turnover_rate_fte,
  leavers_fte, starters_fte, vacancy_fte, vacancy_rate_fte, vacancy_agency_cover_rate_fte.
  `workforce_code` and `workforce_la` name the row DfE published: a service reported jointly
  (e.g. "314 / 318", "Kingston upon Thames / Richmond upon Thames") is copied to each member's row.

An authority is keyed by DfE's three-digit code (`la_code`, DfE's old_la_code): ONS codes change
(e.g. North Yorkshire's) and names repeat (the Dorset of 2013-2019, code 835, is not the Dorset of
2019 on, code 838). Values are copied as DfE wrote them, suppression markers ("x", "c", "z", "u",
"low", ...) included: `sim.data.dfe` reads them as missing, never as zero. Run from the repository root:

    python scripts/make_dfe_extract.py [--source ../shared/data/dfe] \\
        [--out sim/data/dfe_extract.csv]
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEARS = range(2013, 2023)
LEVELS = ("National", "Regional", "Local authority")
KEYS = ("time_period", "geographic_level", "region_name", "la_code", "la_name")
CLA_STOCK = "Children looked after on 31 March each year"
# file -> {extract column: DfE column}; rows kept where `ROW_FILTER` (if given) matches
TABLES = {
    "referrals_2013_to_2022.csv": {c: c for c in (
        "referral_count", "rereferral_count", "no_further_action_count", "not_in_need_count")},
    "children_in_need_2013_to_2022.csv": {c: c for c in (
        "Started_episodes", "Ended_episodes", "At31_episodes", "awaiting_assessment")},
    "cpp_by_duration_2013_to_2022.csv": {"CPP_At31": "CPP_At31"},
    "children_looked_after_2021_to_2022.csv": {"CLA_At31": "children_count"},
    "population_0_to_17_2012_to_2022.csv": {"population_0_to_17": "population_estimate"},
}
ROW_FILTER = {"children_looked_after_2021_to_2022.csv": ("population_type", CLA_STOCK)}
WORKFORCE_FILE = "workforce_indicators_2017_to_2022.csv"
WORKFORCE = ("inpost_fte", "case_holders_fte", "cases", "caseload_fte", "agency_fte",
             "agency_rate_fte", "turnover_rate_fte", "leavers_fte", "starters_fte", "vacancy_fte",
             "vacancy_rate_fte", "vacancy_agency_cover_rate_fte")
COLUMNS = (*KEYS, *(c for columns in TABLES.values() for c in columns), "workforce_code",
           "workforce_la", *WORKFORCE)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _codes(row: dict[str, str]) -> list[str]:
    """The area codes a row covers: DfE's authority codes ("314 / 318" is two), else the region's
    or the country's ONS code."""
    code = row["old_la_code"] or row["region_code"] or row["country_code"]
    return [part.strip() for part in code.split("/")]


def _names(row: dict[str, str], count: int) -> list[str]:
    """The member names of a row covering `count` areas (a joint row names them with " / ")."""
    names = [part.strip() for part in row["la_name"].split(" / ")] if row["la_name"] else []
    return names if len(names) == count else [row["la_name"]] * count


def _keep(name: str, row: dict[str, str]) -> bool:
    wanted = ROW_FILTER.get(name)
    return (row["geographic_level"] in LEVELS and int(row["time_period"]) in YEARS
            and (wanted is None or row[wanted[0]] == wanted[1]))


def build(source: Path) -> list[dict[str, str]]:
    """Rows of the extract: newest year first, then England, the regions and the authorities,
    each in code order."""
    table: dict[tuple[str, str, str], dict[str, str]] = {}

    def area_rows(row: dict[str, str]) -> list[dict[str, str]]:
        codes = _codes(row)
        found = []
        for code, name in zip(codes, _names(row, len(codes)), strict=True):
            key = (row["time_period"], row["geographic_level"], code)
            out = table.setdefault(key, dict.fromkeys(COLUMNS, ""))
            out.update(time_period=key[0], geographic_level=key[1], region_name=row["region_name"],
                       la_code=code if row["old_la_code"] else "", la_name=out["la_name"] or name)
            found.append(out)
        return found

    for name, columns in TABLES.items():
        for row in _rows(source / name):
            if _keep(name, row):
                for out in area_rows(row):
                    out.update({ours: row[theirs] for ours, theirs in columns.items()})
    for row in _rows(source / WORKFORCE_FILE):
        if _keep(WORKFORCE_FILE, row):
            for out in area_rows(row):
                out.update({c: row[c] for c in WORKFORCE},
                           workforce_code=row["old_la_code"], workforce_la=row["la_name"])

    def order(key: tuple[str, str, str]) -> tuple[int, int, str]:
        year, level, code = key
        return -int(year), LEVELS.index(level), code

    return [table[key] for key in sorted(table, key=order)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "dfe")
    parser.add_argument("--out", type=Path, default=ROOT / "sim" / "data" / "dfe_extract.csv")
    args = parser.parse_args()
    rows = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{args.out}: {len(rows)} rows, {args.out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
