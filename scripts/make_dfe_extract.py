"""Build `sim/data/dfe_extract.csv`, the compact DfE extract that `caseload baseline` reads.

Reads the DfE local-authority tables in ../shared/data/dfe/ (Open Government Licence v3.0; source:
Department for Education) and keeps, for England, each region and every local authority, only the
columns the baseline generator uses:

- referrals 2013-2017: Referrals, Re_referrals, No_Further_Action, Not_in_Need
- children in need 2013-2017: Started_episodes, Ended_episodes, At31_episodes, Awaiting_assessment
- social work workforce, September 2017 (headline measures, plus starters_fte from the indicators),
  on the 2017 rows only; `workforce_la` names the authorities a workforce row covers (DfE reports
  some shared services as one row, e.g. "Kingston upon Thames / Richmond upon Thames").

Values are copied as DfE wrote them, suppression markers ("x", "c", "z", ...) included; the
generator decides what to do with them. Run from the repository root:

    python scripts/make_dfe_extract.py [--source ../shared/data/dfe] \\
        [--out sim/data/dfe_extract.csv]
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = ("time_period", "geographic_level", "region_name", "la_name")
DEMAND = {
    "referrals_2013_to_2017.csv": ("Referrals", "Re_referrals", "No_Further_Action", "Not_in_Need"),
    "children_in_need_2013_to_2017.csv": ("Started_episodes", "Ended_episodes", "At31_episodes",
                                          "Awaiting_assessment"),
}
WORKFORCE_HEADLINE = (
    "social_worker_fte", "leaver_fte", "turnover_rate_fte_%", "agency_fte",
    "agency_worker_rate_fte_%", "agency_cover_fte", "vacancy_fte", "vacancy_rate_fte_%",
    "vacancy_agency_cover_rate_fte_%", "case_holders_fte", "cases", "caseload_fte",
)
WORKFORCE_INDICATORS = ("starters_fte",)
WORKFORCE_YEAR = "2017"
COLUMNS = (*KEYS, *(c for cols in DEMAND.values() for c in cols), "workforce_la",
           *WORKFORCE_HEADLINE, *WORKFORCE_INDICATORS)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[k].strip() for k in KEYS)


def _code(row: dict[str, str]) -> str:
    """A row's identity across tables: DfE's three-digit authority number (ONS codes change, e.g.
    North Yorkshire's), else the region's or country's ONS code; the first of a shared service's."""
    code = row["old_la_code"] or row["region_code"] or row["country_code"]
    return code.split("/")[0].strip()


def build(source: Path) -> list[dict[str, str]]:
    """Rows of the extract, in DfE's order (national, regions, authorities; newest year first)."""
    table: dict[tuple[str, ...], dict[str, str]] = {}
    codes: dict[tuple[str, str], tuple[str, ...]] = {}
    for name, columns in DEMAND.items():
        for row in _rows(source / name):
            key = _key(row)
            out = table.setdefault(key, {k: v for k, v in zip(KEYS, key, strict=True)})
            out.update({c: row[c].strip() for c in columns})
            codes[(row["time_period"], _code(row))] = key
    indicators = {_code(row): row for row in _rows(source / "workforce_indicators_2017.csv")}
    for row in _rows(source / "workforce_headline_2017.csv"):
        code = _code(row)
        key = codes.get((WORKFORCE_YEAR, code))
        if key is None:
            raise SystemExit(f"workforce row {row['la_name']!r} ({code}) matches no demand row")
        extra = indicators[code]
        out = table[key]
        out["workforce_la"] = (extra["la_name"] or row["la_name"] or out["la_name"]
                               or out["region_name"] or "England").strip()
        out.update({c: row[c].strip() for c in WORKFORCE_HEADLINE})
        out.update({c: extra[c].strip() for c in WORKFORCE_INDICATORS})
    return [{c: row.get(c, "") for c in COLUMNS} for row in table.values()]


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
