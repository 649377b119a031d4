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
given DfE's turnover and vacancy rates (`sim.data.baseline_workforce`). The starting caseload is then
DfE's cases / case-holders.

Every figure in the file carries a comment: "DfE <dataset> <year> (<column>)", "derived: ...", or
"assumption: ..."; the file opens with the list of assumptions and of DfE figures that were
missing and how they were filled.
"""
from __future__ import annotations

from sim.data.baseline_numbers import Derivation, Trend, referral_trend
from sim.data.baseline_text import ScenarioText
from sim.data.dfe import WORKFORCE_YEARS, BaselineError, Extract, extract

__all__ = ["BaselineError", "Trend", "baseline_scenario_text", "referral_trend", "scenario_text_for",
           "years_available"]


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
    return ScenarioText(Derivation(data, code, year)).text()
