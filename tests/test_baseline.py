"""`caseload baseline`: a scenario for any English council from the bundled DfE tables.

Leeds 2017 is the acceptance case: the generated file validates, runs, and its first simulated year
reproduces DfE's caseload. Every other authority and year must at least give a valid file, with every
figure commented and every DfE figure it had to fill said so.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from test_cli_errors import ROOT, assert_one_line_error, caseload

from sim.baseline import baseline_scenario_text
from sim.baseline_workforce import DAYS_PER_YEAR, notice_years, stationary
from sim.dfe import LOCAL, extract
from sim.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.scenario import Scenario, load_scenario

DFE_TABLES = ROOT.parent / "shared" / "data" / "dfe"


def dfe(la: str, column: str, year: int = 2017) -> float:
    value, text = extract().cell(LOCAL, la, year, column)
    assert value is not None, f"DfE {column} for {la} is {text!r}"
    return value


def first_year_medians(path: Path, reps: int = 4) -> dict[str, float]:
    scenario = load_scenario(path, overrides={"years": 1})
    runs = [run_replication(scenario, rep, 20170401) for rep in range(reps)]
    values = np.stack([run.values for run in runs])
    return {name: float(np.nanmedian(values[:, :, i])) for name, i in METRIC_INDEX.items()}


def test_leeds_2017_validates_runs_and_reproduces_dfe_caseload_within_15_percent(tmp_path):
    path = tmp_path / "leeds-2017.toml"
    written = caseload("baseline", "--la", "Leeds", "--year", "2017", "--out", str(path))
    assert written.returncode == 0, written.stderr
    validated = caseload("validate", str(path))
    assert validated.returncode == 0, validated.stderr
    assert '"name": "leeds-2017"' in validated.stdout

    medians = first_year_medians(path)
    dfe_caseload = dfe("Leeds", "caseload_fte")
    assert medians["caseload_mean"] == pytest.approx(dfe_caseload, rel=0.15)
    holders = medians["staff_permanent"] + medians["staff_agency"]
    assert holders == pytest.approx(dfe("Leeds", "case_holders_fte"), rel=0.10)
    assert medians["open_cases"] == pytest.approx(dfe("Leeds", "cases"), rel=0.10)


def test_baseline_to_stdout_is_the_same_file(tmp_path):
    path = tmp_path / "wigan.toml"
    assert caseload("baseline", "--la", "wigan", "--year", "2016", "--out", str(path)).returncode == 0
    printed = caseload("baseline", "--la", "Wigan", "--year", "2016")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == path.read_text(encoding="utf-8")


SAMPLE = [
    # (name as typed, year, DfE's name, a phrase the file must contain about a filled figure)
    ("Birmingham", 2017, "Birmingham", None),                       # the largest
    ("Isles of Scilly", 2017, "Isles of Scilly", "South West's 2017 share used"),  # referrals 'c'
    ("City of London", 2016, "City of London", "derived from DfE's identity"),  # NFA 'c'
    ("Brent", 2017, "Brent", "Outer London's caseload_fte used"),    # workforce cases 'x'
    ("Richmond upon Thames", 2017, "Richmond upon Thames", "reported together"),  # shared service
    ("kingston upon hull", 2017, "Kingston upon Hull, City of", "no leavers recorded"),
    ("St Helens", 2015, "St. Helens", None),                        # punctuation
    ("Norfolk", 2013, "Norfolk", "Norfolk's 2014 figure used"),      # a year of 'x'
    ("Rutland", 2017, "Rutland", None),                             # small, high turnover
    ("bristol", 2014, "Bristol, City of", None),
]


@pytest.mark.parametrize("asked, year, name, filled", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_sample_of_authorities_gives_valid_files_that_say_what_was_filled(tmp_path, asked, year,
                                                                        name, filled):
    text = baseline_scenario_text(asked, year)
    path = tmp_path / "baseline.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.start.isoformat() == f"{year}-04-01"
    assert f"DfE's name: {name}" in text
    section = text.split("---- DfE figures filled in")[1].split("\n#\n")[0]
    if filled is None:
        assert "- none:" in section
    else:
        assert filled in " ".join(section.replace("#", " ").split())


def test_every_authority_and_year_in_the_extract_gives_a_valid_commented_file():
    data = extract()
    assert len(data.authorities) == 152
    for year in data.years:
        for la in data.authorities:
            text = baseline_scenario_text(la, year)
            Scenario.model_validate(tomllib.loads(text))
            uncommented = [line for line in text.splitlines()
                           if re.match(r"^[a-z_]+ = ", line) and " # " not in line]
            assert not uncommented, (la, year, uncommented)


def test_starting_caseload_is_dfe_cases_over_case_holders():
    for la in ("Leeds", "Manchester", "Kent", "Sutton"):
        data = tomllib.loads(baseline_scenario_text(la, 2017))
        cases = sum(data["initial"]["open"].values())
        workforce = data["workforce"]
        holders = sum(level["in_post"] for level in workforce["levels"].values())
        holders += workforce["agency_in_post"]
        assert cases == round(dfe(la, "cases"))
        assert cases / holders == pytest.approx(dfe(la, "caseload_fte"), rel=0.02)
        agency_share = workforce["agency_in_post"] / holders
        assert agency_share == pytest.approx(dfe(la, "agency_worker_rate_fte_%") / 100, abs=0.01)


def test_earlier_years_carry_the_2017_workforce_back_and_say_so():
    text = baseline_scenario_text("Leeds", 2014)
    assert "carried back to 2014 unchanged" in " ".join(text.replace("#", " ").split())
    data = tomllib.loads(text)
    assert data["demand"]["referrals_per_year"] == dfe("Leeds", "Referrals", 2014)
    assert data["start"].isoformat() == "2014-04-01"


@pytest.mark.parametrize("asked, name", [
    ("leeds", "Leeds"), ("BRISTOL, CITY OF", "Bristol, City of"), ("Bristol", "Bristol, City of"),
    ("st helens", "St. Helens"), ("St. Helens", "St. Helens"), ("Hull", "Kingston upon Hull, City of"),
    ("kingston-upon-thames", "Kingston upon Thames"), ("Durham", "County Durham"),
])
def test_names_match_ignoring_case_and_punctuation(asked, name):
    assert extract().find(asked) == name


def test_unknown_authority_exits_2_with_the_closest_matches():
    line = assert_one_line_error(caseload("baseline", "--la", "Leedz", "--year", "2017"),
                                 "--la", "Leedz", "Leeds")
    assert "closest" in line
    ambiguous = assert_one_line_error(caseload("baseline", "--la", "Kingston", "--year", "2017"))
    assert "Kingston upon Hull, City of" in ambiguous and "Kingston upon Thames" in ambiguous


@pytest.mark.parametrize("year", ["2012", "2018"])
def test_year_outside_the_tables_exits_2(year):
    assert_one_line_error(caseload("baseline", "--la", "Leeds", "--year", year), "--year",
                          "2013 to 2017")


def test_unwritable_out_exits_2(tmp_path):
    assert_one_line_error(caseload("baseline", "--la", "Leeds", "--year", "2017", "--out",
                                   str(tmp_path / "missing" / "x.toml")), "--out")


def test_help_shows_an_example():
    result = caseload("baseline", "--help")
    assert result.returncode == 0
    assert "caseload baseline --la Leeds --year 2017" in " ".join(result.stdout.split())


def test_extract_is_small_licensed_and_attributed():
    data_dir = ROOT / "sim" / "data"
    assert (data_dir / "dfe_extract.csv").stat().st_size < 100_000
    licence = (data_dir / "LICENCE-DfE.txt").read_text(encoding="utf-8")
    attribution = "Open Government Licence v3.0"
    assert attribution in licence and "Department for Education" in licence
    assert attribution in " ".join(baseline_scenario_text("Leeds", 2017).replace("#", " ").split())


@pytest.mark.skipif(not DFE_TABLES.is_dir(), reason="the DfE source tables are not checked out")
def test_extract_is_reproduced_by_its_script():
    spec = importlib.util.spec_from_file_location("make_dfe_extract",
                                                  ROOT / "scripts" / "make_dfe_extract.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = script.build(DFE_TABLES)
    bundled = (ROOT / "sim" / "data" / "dfe_extract.csv").read_text(encoding="utf-8")
    assert rows == list(csv.DictReader(io.StringIO(bundled)))


@pytest.mark.parametrize("holders, agency, turnover, vacancy", [
    (300, 0.05, 0.14, 0.17), (80, 0.0, 0.25, 0.10), (1000, 0.10, 0.08, 0.30),
])
def test_stationary_workforce_reproduces_dfe_vacancy_rate_when_it_holds_the_agency(
        holders, agency, turnover, vacancy):
    state = stationary(holders, agency, turnover, vacancy)
    assert not state.fill_raised_for_agency
    assert state.permanent + state.agency == holders
    assert state.vacancy_rate == pytest.approx(vacancy, abs=0.01)
    leavers_per_person = state.hazard_per_year / (1 + state.hazard_per_year * notice_years())
    assert leavers_per_person == pytest.approx(turnover)
    assert state.campaign_days / state.success == pytest.approx(state.fill_days)
    assert 0 <= state.cover <= 1
    assert math.isclose(state.fill_days / DAYS_PER_YEAR * state.hazard_per_year
                        / (1 + state.fill_days / DAYS_PER_YEAR * state.hazard_per_year),
                        state.vacancies / state.establishment, rel_tol=1e-9)


def test_agency_above_the_vacancies_raises_the_time_to_fill_and_covers_every_vacancy():
    state = stationary(310, 0.014, 0.084, 0.0)        # Leeds: 1.4% agency, no vacancies
    assert state.fill_raised_for_agency and state.cover == 1.0
    assert state.establishment >= state.permanent + state.agency
