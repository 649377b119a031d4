"""`caseload baseline`: a scenario for any English council from the bundled DfE tables.

Leeds 2017 is the acceptance case: the generated file validates, runs, and its first simulated year
reproduces DfE's caseload. Every other authority and census year (2017-2022) with DfE's figures
must at least give a valid file, with every figure commented and every DfE figure it had to fill
said so; every one without them is refused with the reason (suppressed, missing, reorganised).
"""
from __future__ import annotations

import csv
import importlib.util
import io
import math
import os
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from builders import runs, scenario, series
from test_cli_errors import ROOT, assert_one_line_error, caseload

from sim.data.baseline import BaselineError, baseline_scenario_text, scenario_text_for
from sim.data.baseline_numbers import (
    Derivation,
    level_persistence,
    referral_growth_level,
    workforce_level,
)
from sim.data import panel
from sim.data.baseline_workforce import agency_capacity, notice_years, stationary
from sim.model.units import DAYS_PER_YEAR
from sim.data.dfe import LOCAL, WORKFORCE_YEARS, Extract, extract
from sim.model.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.scenario.loading import load_scenario, scenario_from_data
from sim.validation.theory import mean_ci

DFE_TABLES = Path(os.environ.get("CASELOAD_DFE_TABLES", ROOT.parent / "shared" / "data" / "dfe"))


def dfe(la: str, column: str, year: int = 2017) -> float:
    value, text = extract().cell(LOCAL, extract().find(la, year), year, column)
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
    assert validated.stdout.startswith(
        "Leeds 2017: no plan (baseline from DfE tables) (leeds-2017)\n")

    medians = first_year_medians(path)
    dfe_caseload = dfe("Leeds", "caseload_fte")
    assert medians["caseload_mean"] == pytest.approx(dfe_caseload, rel=0.15)
    holders = medians["staff_permanent"] + medians["staff_agency"]
    assert holders == pytest.approx(dfe("Leeds", "case_holders_fte"), rel=0.10)
    assert medians["open_cases"] == pytest.approx(dfe("Leeds", "cases"), rel=0.10)


def test_baseline_to_stdout_is_the_same_file(tmp_path):
    path = tmp_path / "wigan.toml"
    written = caseload("baseline", "--la", "wigan", "--year", "2020", "--out", str(path))
    assert written.returncode == 0
    printed = caseload("baseline", "--la", "Wigan", "--year", "2020")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == path.read_text(encoding="utf-8")


SAMPLE = [
    # (name as typed, year, DfE's name, a phrase the file must contain about a filled figure)
    ("Birmingham", 2022, "Birmingham", None),                       # the largest
    ("City of London", 2020, "City of London", "Inner London's share used"),  # CPP_At31 'c'
    ("Kensington and Chelsea", 2021, "Kensington and Chelsea", "not available ('x')"),  # agency
    ("Gateshead", 2022, "Gateshead", "low reliability ('u')"),      # turnover 'u'
    ("Richmond upon Thames", 2021, "Richmond upon Thames", "reported together"),  # joint service
    ("North Northamptonshire", 2022, "North Northamptonshire", "reported together"),  # joint, new
    ("kingston upon hull", 2017, "Kingston upon Hull, City of", "no leavers recorded"),
    ("St Helens", 2018, "St. Helens", None),                        # punctuation
    ("Dorset", 2020, "Dorset", None),                               # the new Dorset (838)
    ("Rutland", 2017, "Rutland", None),                             # small, high turnover
    ("bristol", 2020, "Bristol, City of", None),
]


@pytest.mark.parametrize("asked, year, name, filled", SAMPLE, ids=[s[0] for s in SAMPLE])
def test_sample_of_authorities_gives_valid_files_that_say_what_was_filled(tmp_path, asked, year,
                                                                        name, filled):
    text = baseline_scenario_text(asked, year)
    path = tmp_path / "baseline.toml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.start.isoformat() == f"{year}-09-30"
    assert f"DfE's name: {name}" in text
    section = text.split("---- DfE figures filled in")[1].split("\n#\n")[0]
    if filled is None:
        assert "- none:" in section
    else:
        assert filled in " ".join(section.replace("#", " ").split())


def test_every_council_and_census_year_gives_a_valid_commented_file_or_the_reason():
    data = extract()
    made = refused = 0
    for year in WORKFORCE_YEARS:
        for code in data.codes:
            coverage = data.coverage(code, year)
            if not coverage.complete:
                assert all(coverage.reasons), (code, year)
                if data.find(data.names[code], year) == code:
                    with pytest.raises(BaselineError, match=re.escape(coverage.reasons[0])):
                        baseline_scenario_text(data.names[code], year)
                refused += 1
                continue
            assert data.find(data.names[code], year) == code
            text = baseline_scenario_text(data.names[code], year)
            scenario_from_data(tomllib.loads(text))
            uncommented = [line for line in text.splitlines()
                           if re.match(r"^[a-z_]+ = ", line) and " # " not in line]
            assert not uncommented, (code, year, uncommented)
            made += 1
    assert made > 140 * len(WORKFORCE_YEARS) and refused > 0


def test_every_baseline_starts_at_dfes_agency_rate_and_fte_in_post():
    """Every council-year's scenario reports DfE's agency rate and social workers in post at the
    start, within whole people and the shares' 4 decimals: agency workers / (1 - their
    non-case-holding share) and permanent case-holders / (1 - theirs). Where DfE's agency FTE is
    near or above its case-holders (Tower Hamlets 2017: 195.5 against 117.9), taking every agency
    worker as a case-holder left one permanent case-holder and a clipped share: the model started
    at an agency rate of 92% where DfE published 49%."""
    data = extract()
    checked = 0
    for year in WORKFORCE_YEARS:
        for code in data.codes:
            if not data.coverage(code, year).complete:
                continue
            workforce = tomllib.loads(scenario_text_for(data, code, year))["workforce"]
            permanent = sum(level["in_post"] for level in workforce["levels"].values())
            in_post = permanent / (1 - workforce.get("non_case_holding_share", 0.0))
            agency = ((workforce["agency_in_post"] + round(workforce["agency"]["beyond_vacancies"]))
                      / (1 - workforce["agency"].get("non_case_holding_share", 0.0)))
            assert in_post == pytest.approx(data.workforce_count(code, year, "inpost_fte").value,
                                            rel=0.01), (data.names[code], year)
            published = data.cell(LOCAL, code, year, "agency_rate_fte")[0]
            if published is not None:   # else the baseline derives its agency FTE from it
                whole = 0.5 / (agency + in_post)
                assert agency / (agency + in_post) == pytest.approx(
                    published / 100, abs=whole + 0.002), (data.names[code], year)
                checked += 1
    assert checked > 140 * len(WORKFORCE_YEARS)


def test_starting_caseload_is_dfe_cases_over_case_holders_in_each_census_year():
    for la in ("Leeds", "Manchester", "Kent", "Sutton"):
        for year in WORKFORCE_YEARS:
            data = tomllib.loads(baseline_scenario_text(la, year))
            cases = sum(data["initial"]["open"].values())
            workforce = data["workforce"]
            holders = sum(level["in_post"] for level in workforce["levels"].values())
            agency = workforce["agency_in_post"] + workforce["agency"]["beyond_vacancies"]
            holders += agency
            assert cases == round(dfe(la, "cases", year)), (la, year)
            assert cases / holders == pytest.approx(dfe(la, "caseload_fte", year), rel=0.02)
            assert agency == round(dfe(la, "agency_fte", year))
            assert data["start"].isoformat() == f"{year}-09-30"


def test_agency_workers_respond_to_the_caseload_over_the_median_councils():
    """The baseline's typical caseload is the median over England's councils (reported alone)
    of DfE's cases / case_holders_fte at the census, computed here from the extract's cells;
    its response is drawn about the panel's estimate from 2018 (one change) and 0 in 2017."""
    data = extract()
    for la in ("Leeds", "Manchester", "Kent"):
        for year in WORKFORCE_YEARS[:4]:
            caseloads = []
            for code in data.codes:
                cases = data.cell(LOCAL, code, year, "cases")[0]
                holders = data.cell(LOCAL, code, year, "case_holders_fte")[0]
                if (cases and holders and cases > 0 and holders > 0
                        and len(data.workforce_members(code, year)) == 1):
                    caseloads.append(cases / holders)
            agency = tomllib.loads(baseline_scenario_text(la, year))["workforce"]["agency"]
            if year == WORKFORCE_YEARS[0]:
                assert agency["caseload_response"] == 0.0
                continue
            typical = (agency["typical_caseload_ratio"] * dfe(la, "cases", year)
                       / dfe(la, "case_holders_fte", year))
            assert typical == pytest.approx(np.median(caseloads), rel=2e-3), (la, year)
            response = agency["caseload_response"]
            assert response["dist"] == "normal" and response["clip"]
            assert response["mean"] == pytest.approx(
                panel.agency_caseload_response(data, year).estimate, abs=1e-3)


DAY_ZERO = [("Leeds", 2017), ("Wakefield", 2018), ("Manchester", 2019), ("Kent", 2020),
            ("Sutton", 2021), ("Liverpool", 2022), ("Leeds", 2022), ("Tower Hamlets", 2017)]


@pytest.mark.parametrize("la, year", DAY_ZERO, ids=[f"{la}-{year}" for la, year in DAY_ZERO])
def test_dfe_measures_at_the_start_are_dfe_figures_at_the_origin(tmp_path, la, year):
    """At day 0 of a baseline every DfE measure the model reports is DfE's figure of the census
    within rounding (people are whole, the non-case-holding share has 4 decimals). Agency workers
    are DfE's agency FTE, so agency / (agency + in post) is DfE's agency rate; the vacant posts
    are DfE's vacancy rate of the permanent case-holders' posts, so the vacancy rate is DfE's too:
    the agency workers the vacancies do not hold are kept beyond vacancies. Where DfE's agency
    FTE is near or above its case-holders (Tower Hamlets 2017), some agency workers hold no
    cases, and the rate still holds."""
    path = tmp_path / "baseline.toml"
    path.write_text(baseline_scenario_text(la, year), encoding="utf-8")
    run = run_replication(load_scenario(path, overrides={"years": 0.05}), 0, 20170401)
    assert run.days[0] == 0
    start = {name: float(run.values[0, i]) for name, i in METRIC_INDEX.items()}
    inpost, holders, cases = (dfe(la, c, year) for c in ("inpost_fte", "case_holders_fte", "cases"))
    agency, vacancy_rate = dfe(la, "agency_fte", year), dfe(la, "vacancy_rate_fte", year) / 100
    people, agency_people = round(holders), round(agency)
    assert start["case_holders"] == people
    assert start["cases_held"] == round(cases)
    assert start["sw_fte_in_post"] == pytest.approx(inpost, rel=1e-3)
    assert start["caseload_dfe"] == pytest.approx(cases / holders,
                                                  abs=0.5 * cases / holders**2 + 0.01)
    whole = 0.5 / (agency + inpost)
    assert start["agency_rate"] == pytest.approx(agency / (agency + inpost), abs=whole + 1e-4)
    assert start["agency_rate"] == pytest.approx(dfe(la, "agency_rate_fte", year) / 100,
                                                 abs=whole + 0.001)
    permanent = people - min(agency_people, round(start["staff_agency"]))
    assert start["vacancy_rate"] == pytest.approx(vacancy_rate, abs=0.5 / permanent + 0.001)


def test_first_year_leavers_of_a_baseline_are_the_steady_states(tmp_path):
    """A baseline starts in the steady state of its turnover: a person in post leaves at
    h / (1 + h E[N]) a year from the first day (h the hazard while not on notice, N the notice,
    uniform 28-56 days; renewal-reward, docs/baseline.md), so the first year's leavers per person
    in post are that, not about E[N] / 365 (11%) fewer as when no one starts on notice. The hazard
    is fixed at the baseline's median (the steady state's), with no caseload effect and no drift,
    so h is known."""
    path = tmp_path / "baseline.toml"
    path.write_text(baseline_scenario_text("Kent", 2020), encoding="utf-8")
    hazard = load_scenario(path).uncertain["workforce.turnover.annual_rate"][0].quantile(0.5)
    sc = load_scenario(path, overrides={
        "years": 1, "workforce.turnover.annual_rate": hazard,
        "workforce.turnover.caseload_elasticity": 0.0, "workforce.turnover.yearly_change_sd": 0.0})
    expected = hazard / (1 + hazard * notice_years())
    rates = []
    for rep in range(30):
        run = run_replication(sc, rep, 2020)
        leavers = run.values[:, METRIC_INDEX["leavers"]]
        rates.append(leavers[run.days <= DAYS_PER_YEAR].sum()
                     / run.values[:, METRIC_INDEX["staff_permanent"]].mean())
    _, low, high = mean_ci(rates)
    assert low <= expected <= high, (expected, low, high)


def raw_rows(name: str, year: int, la_code: str, **where: str) -> dict[str, str]:
    """The one row of a DfE source table for a council and year, read with plain csv."""
    with (DFE_TABLES / name).open(newline="", encoding="utf-8-sig") as handle:
        found = [row for row in csv.DictReader(handle)
                 if row["time_period"] == str(year) and row["old_la_code"] == la_code
                 and all(row[k] == v for k, v in where.items())]
    assert len(found) == 1, (name, year, la_code)
    return found[0]


@pytest.mark.skipif(not DFE_TABLES.is_dir(), reason="the DfE source tables are not checked out")
def test_wakefield_2021_by_hand_from_the_raw_dfe_tables():
    code, year = "384", 2021              # Wakefield
    workforce = raw_rows("workforce_indicators_2017_to_2022.csv", year, code)
    cin = raw_rows("children_in_need_2013_to_2022.csv", year, code)
    cpp = raw_rows("cpp_by_duration_2013_to_2022.csv", year, code)
    cla = raw_rows("children_looked_after_2021_to_2022.csv", year, code,
                   population_type="Children looked after on 31 March each year")
    referrals = {y: float(raw_rows("referrals_2013_to_2022.csv", y, code)["referral_count"])
                 for y in range(year - 4, year + 1)}
    cases = float(workforce["cases"])
    changes = [math.log(referrals[y + 1] / referrals[y]) for y in range(year - 4, year)]
    own_growth = math.exp(sum(changes) / 4) - 1

    text = baseline_scenario_text("Wakefield", year)
    data = tomllib.loads(text)
    assert data["start"].isoformat() == "2021-09-30"
    assert referral_median(data) == pytest.approx(referrals[year], rel=1e-4)
    words = " ".join(text.replace("#", " ").split())
    assert f"exp(m) - 1 = {own_growth:.4f})" in words      # the council's own trend, stated
    # the growth used is England's trend plus the council's shrunk difference (`shrinkage`)
    level = referral_growth_level(extract(), code, year)
    assert distribution_mean(data["demand"]["growth_per_year"]) == pytest.approx(math.exp(level.value) - 1,
                                                              abs=5e-5)
    open_cases = data["initial"]["open"]
    assert sum(open_cases.values()) == round(cases)
    at31 = float(cin["At31_episodes"])
    assert open_cases["cp"] == round(float(cpp["CPP_At31"]) / at31 * cases)
    assert open_cases["cla"] == round(float(cla["children_count"]) / at31 * cases)
    holders = round(float(workforce["case_holders_fte"]))
    levels = data["workforce"]["levels"]
    permanent = sum(v["in_post"] for v in levels.values())
    agency = data["workforce"]["agency"]
    agency_at_start = data["workforce"]["agency_in_post"] + round(agency["beyond_vacancies"])
    assert permanent + agency_at_start == holders     # agency in vacant posts and beyond them
    spread = math.sqrt(sum((c - sum(changes) / 4) ** 2 for c in changes) / 3)
    assert f"standard deviation {spread:.4f}" in words
    assert "DfE workforce census 30 September 2021 (cases)" in words


def test_referral_trend_uses_only_consecutive_published_years_of_the_same_council():
    from sim.data.baseline import referral_trend
    from sim.data.dfe import Extract

    counts = {2015: "100", 2016: "c", 2017: "110", 2018: "121", 2019: "x"}
    rows = [{"time_period": str(y), "geographic_level": LOCAL, "region_name": "R",
             "la_code": "999", "la_name": "Somewhere", "referral_count": text}
            for y, text in counts.items()]
    trend = referral_trend(Extract(rows), "999", 2018)
    assert trend.years == (2015, 2017, 2018)
    assert trend.log_changes == pytest.approx((math.log(121 / 110),))
    assert trend.growth_per_year == pytest.approx(0.1)
    assert math.isnan(trend.spread)
    assert referral_trend(Extract(rows), "999", 2019).years == (2015, 2017, 2018)


@pytest.mark.parametrize("la, year, words", [
    ("Brent", 2017, "DfE workforce census 30 September 2017 (cases) is not available ('x')"),
    ("Hackney", 2022, "DfE referrals 2022 (referral_count) is not available ('x')"),
    ("Poole", 2019, "reorganised: Poole became part of Bournemouth, Christchurch and Poole"),
    ("Northamptonshire", 2021, "reorganised: Northamptonshire was replaced on 1 April 2021"),
    ("North Northamptonshire", 2021, "reported jointly for North Northamptonshire / West"),
    ("Bournemouth, Christchurch and Poole", 2019, "DfE has no referral_count, At31_episodes"),
    ("Isles of Scilly", 2022, "(inpost_fte) is 0"),
])
def test_council_without_figures_exits_2_with_the_reason(la, year, words):
    line = assert_one_line_error(caseload("baseline", "--la", la, "--year", str(year)), "--la")
    assert words in line


def test_suppressed_cells_are_kept_as_their_markers_not_zero():
    data = extract()
    assert data.cell(LOCAL, "304", 2017, "cases") == (None, "x")
    assert data.cell(LOCAL, "420", 2017, "referral_count") == (None, "c")
    assert not data.coverage("304", 2017).complete
    assert data.coverage("384", 2017).complete


def distribution_mean(given) -> float:
    """A baseline value's number, or the mean of its normal distribution."""
    if isinstance(given, dict):
        assert given["dist"] == "normal"
        return given["mean"]
    return given


def referral_median(data: dict) -> float:
    """The baseline's referrals a year: the number, or the median of its lognormal (mean /
    sqrt(1 + cv^2))."""
    given = data["demand"]["referrals_per_year"]
    if isinstance(given, dict):
        assert given["dist"] == "lognormal"
        return given["mean"] / math.sqrt(1 + given["cv"] ** 2)
    return given


def test_each_census_year_uses_its_own_workforce_figures():
    texts = {year: baseline_scenario_text("Leeds", year) for year in WORKFORCE_YEARS}
    for year, text in texts.items():
        data = tomllib.loads(text)
        assert sum(data["initial"]["open"].values()) == round(dfe("Leeds", "cases", year))
        assert f"DfE workforce census 30 September {year} (turnover_rate_fte)" in text
        assert referral_median(data) == pytest.approx(dfe("Leeds", "referral_count", year),
                                                      rel=1e-4)


@pytest.mark.parametrize("asked, name", [
    ("leeds", "Leeds"), ("BRISTOL, CITY OF", "Bristol, City of"), ("Bristol", "Bristol, City of"),
    ("st helens", "St. Helens"), ("St. Helens", "St. Helens"), ("Hull", "Kingston upon Hull, City of"),
    ("kingston-upon-thames", "Kingston upon Thames"), ("Durham", "County Durham"),
])
def test_names_match_ignoring_case_and_punctuation(asked, name):
    data = extract()
    assert data.names[data.find(asked, 2017)] == name


@pytest.mark.parametrize("asked, name", [
    ("Leeds City Council", "Leeds"), ("Kent County Council", "Kent"),
    ("London Borough of Camden", "Camden"), ("Royal Borough of Greenwich", "Greenwich"),
    ("Wakefield Metropolitan District Council", "Wakefield"),
    ("Durham County Council", "County Durham"), ("Bristol City Council", "Bristol, City of"),
])
def test_a_council_as_it_names_itself_is_found(asked, name):
    data = extract()
    assert data.names[data.find(asked, 2017)] == name


@pytest.mark.parametrize("asked, first", [
    ("Leeds Council Social Care", "Leeds"), ("Leedz City Council", "Leeds"),
    ("Herefrodshire", "Herefordshire, County of"), ("Manchester Children's Services", "Manchester"),
])
def test_the_obvious_match_is_suggested_first(asked, first):
    with pytest.raises(BaselineError, match=f'closest: "{re.escape(first)}"'):
        extract().find(asked, 2017)


def test_a_name_two_councils_share_means_the_one_of_that_year():
    data = extract()
    assert [data.find("Dorset", year) for year in (2017, 2018, 2019, 2022)] == [
        "835", "835", "838", "838"]


def test_unknown_authority_exits_2_with_the_closest_matches():
    line = assert_one_line_error(caseload("baseline", "--la", "Leedz", "--year", "2017"),
                                 "--la", "Leedz", "Leeds")
    assert "closest" in line
    ambiguous = assert_one_line_error(caseload("baseline", "--la", "Kingston", "--year", "2017"))
    assert "Kingston upon Hull, City of" in ambiguous and "Kingston upon Thames" in ambiguous


@pytest.mark.parametrize("year", ["2016", "2023"])
def test_year_outside_the_census_exits_2(year):
    assert_one_line_error(caseload("baseline", "--la", "Leeds", "--year", year), "--year",
                          "2017 to 2022")


def test_unwritable_out_exits_2(tmp_path):
    assert_one_line_error(caseload("baseline", "--la", "Leeds", "--year", "2017", "--out",
                                   str(tmp_path / "missing" / "x.toml")), "--out")


def test_help_shows_an_example():
    result = caseload("baseline", "--help")
    assert result.returncode == 0
    assert "caseload baseline --la Leeds --year 2017" in " ".join(result.stdout.split())


def test_extract_is_small_licensed_and_attributed():
    data_dir = ROOT / "sim" / "data"
    assert (data_dir / "dfe_extract.csv").stat().st_size < 300_000
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
    assert rows == script.build(DFE_TABLES)
    bundled = (ROOT / "sim" / "data" / "dfe_extract.csv").read_text(encoding="utf-8")
    assert rows == list(csv.DictReader(io.StringIO(bundled)))


@pytest.mark.parametrize("holders, agency, turnover, vacancy", [
    (300, 15, 0.14, 0.17), (80, 0, 0.25, 0.10), (1000, 100, 0.08, 0.30),
])
def test_stationary_workforce_starts_at_dfe_vacancy_rate_and_keeps_the_permanent_staff(
        holders, agency, turnover, vacancy):
    state = stationary(holders, agency, turnover, vacancy)
    assert (state.permanent, state.agency) == (holders - agency, agency)
    assert state.covering + state.beyond == agency
    assert state.vacancy_rate == pytest.approx(vacancy, abs=0.5 / state.permanent)
    leavers_per_person = state.hazard_per_year / (1 + state.hazard_per_year * notice_years())
    assert leavers_per_person == pytest.approx(turnover)
    assert state.campaign_days / state.success == pytest.approx(state.fill_days)
    # renewal: permanent people per post = (1/h + notice) / (1/h + time to fill)
    stay = 1 / state.hazard_per_year
    kept = state.establishment * (stay + notice_years()) / (stay + state.fill_days / DAYS_PER_YEAR)
    assert kept == pytest.approx(state.permanent_later, rel=1e-9)
    assert state.permanent_later == pytest.approx(state.permanent, abs=1)  # no levels ahead given
    assert 0 <= state.cover <= 1
    # the steady state holds the agency workers: those beyond vacancies (whole people) and cover
    assert state.beyond + state.cover * state.agency_capacity == pytest.approx(agency, abs=0.5)
    assert state.covering <= state.vacant


def vacancy_extract(rho: float, councils: int = 40, seed: int = 5) -> Extract:
    """Councils' vacancy rates (%) at the censuses 2017 and 2018 drawn about 15%, England's 15%
    each year, and 2019's figure the council's level at 2018 (`workforce_level`, from 2017-2018)
    plus `rho` x its 2018 figure's deviation from that level."""
    from sim.data.dfe import NATIONAL
    rng = np.random.default_rng(seed)

    def rows(figures: dict[str, float], year: int) -> list[dict[str, str]]:
        local = [{"geographic_level": LOCAL, "region_name": "R", "la_code": code,
                  "la_name": f"council {code}", "time_period": str(year),
                  "vacancy_rate_fte": f"{figure:.6f}"} for code, figure in figures.items()]
        return local + [{"geographic_level": NATIONAL, "region_name": "", "la_code": "",
                         "la_name": "", "time_period": str(year), "vacancy_rate_fte": "15"}]
    own = rng.normal(15, 4, councils)
    by_year = {year: {str(900 + i): own[i] + rng.normal(0, 3) for i in range(councils)}
               for year in (2017, 2018)}
    before = Extract(rows(by_year[2017], 2017) + rows(by_year[2018], 2018))
    levels = {code: workforce_level(before, code, 2018, "vacancy_rate_fte").value
              for code in by_year[2018]}
    by_year[2019] = {code: levels[code] + rho * (figure - levels[code])
                     for code, figure in by_year[2018].items()}
    return Extract([row for year, figures in by_year.items() for row in rows(figures, year)])


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.8])
def test_the_persistence_of_deviations_from_the_level_is_recovered(rho):
    """A census a year on keeps `rho` of each council's deviation from its level: the panel's
    persistence is rho; with one census before (the level the figure itself), 0 and why."""
    data = vacancy_extract(rho)
    found = level_persistence(data, 2019, "vacancy_rate_fte")
    assert found.estimate == pytest.approx(rho, abs=1e-6) and found.pairs == 40
    assert not found.fallback and found.se < 1e-5
    early = level_persistence(data, 2018, "vacancy_rate_fte")
    assert early.estimate == 0.0 and "one census" in early.fallback


def test_the_vacancy_rate_ahead_keeps_rho_of_the_deviation_from_the_level():
    """A 2020 baseline heads to its level plus DfE's panel rho (0.59 by 2020) of the census's
    deviation from it, and its header says how; a 2018 baseline (one census before) to its level."""
    data = extract()
    code = data.find("Wakefield", 2020)
    derived = Derivation(data, code, 2020)
    level = derived.levels_ahead["vacancy"].value
    rho = level_persistence(data, 2020, "vacancy_rate_fte").estimate
    assert 0.4 < rho < 0.8
    assert derived.ahead("vacancy", derived.vacancy_rate) == pytest.approx(
        level + rho * (derived.vacancy_rate.value - level))
    assert f"rho {rho:.3f}" in baseline_scenario_text("Wakefield", 2020)
    early = Derivation(data, data.find("Wakefield", 2018), 2018)
    assert early.ahead("vacancy", early.vacancy_rate) == early.levels_ahead["vacancy"].value


def test_levels_ahead_set_the_steady_state_not_the_start():
    """300 case-holders, 60 agency, 10% vacancy rate: 27 vacant posts hold at most 27 agency
    workers, so at least 33 are kept beyond vacancies. Heading to 40 agency workers, vacancy
    cover holds the 7 above those 33 in the steady state; heading to 30 (below the 33) it holds
    none; at DfE's level the vacancies hold what cover at the cover rate holds there."""
    start = stationary(300, 60, 0.14, 0.10)
    assert start.vacant == 27 and start.beyond >= 33
    assert start.covering == round(start.cover_rate * start.agency_capacity) == 60 - start.beyond
    ahead = stationary(300, 60, 0.14, 0.10, agency_level=40.0, vacancy_level=0.05)
    assert (ahead.permanent, ahead.agency, ahead.beyond) == (start.permanent, start.agency, 33)
    assert ahead.agency_later == 40.0
    # permanent staff move with the vacancy rate ahead in today's posts
    assert ahead.permanent_later == pytest.approx(240 * 0.95 / 0.90)
    assert ahead.cover * ahead.agency_capacity == pytest.approx(40.0 - 33, rel=1e-6)
    below = stationary(300, 60, 0.14, 0.10, agency_level=30.0)
    assert below.cover == 0 and below.beyond == 33 and below.agency_over


def test_agency_cover_as_a_market_keeps_more_beyond_vacancies_at_a_lower_cover_rate():
    """A vacancy gets agency cover with chance at most DfE's cover rate: at a lower rate the
    vacancies hold fewer agency workers in the steady state and more are kept beyond vacancies;
    the vacant posts stay DfE's vacancy rate's (not raised) and the steady state holds DfE's
    agency workers either way."""
    full = stationary(300, 60, 0.14, 0.05, cover_rate=1.0)
    market = stationary(300, 60, 0.14, 0.05, cover_rate=0.6)
    assert market.vacant == full.vacant == round(240 * 0.05 / 0.95)
    assert market.cover == pytest.approx(0.6)
    assert market.beyond == 60 - round(0.6 * market.agency_capacity) > full.beyond
    for state in (full, market):
        assert state.beyond + state.cover * state.agency_capacity == pytest.approx(60, abs=0.5)
    stay = 1 / market.hazard_per_year + notice_years()
    kept = market.establishment * stay / (1 / market.hazard_per_year
                                          + market.fill_days / DAYS_PER_YEAR)
    assert kept == pytest.approx(market.permanent_later, rel=1e-9)


def test_agency_with_no_vacancies_is_all_beyond_vacancies():
    state = stationary(310, 4, 0.084, 0.0)        # Leeds 2017: 4.4 agency FTE, no vacancies
    assert (state.vacant, state.vacancy_rate) == (0, 0.0)
    assert (state.covering, state.beyond, state.cover) == (0, 4, 0.0)


@pytest.mark.parametrize("la, year", [("Sunderland", 2019), ("Kent", 2020)])
def test_the_turnover_rate_ahead_is_the_middle_of_its_distribution(la, year):
    """The shrunk turnover level is an average of yearly figures about which the panel's model has
    symmetric noise, so the hazard it gives is the median of the drawn hazard, not its mean: with
    the mean there (cv about 0.4), the median replication's turnover sat 5-13% below the level
    and forecast DfE's next figures worse than the level itself did (back-test, issue 18)."""
    data = extract()
    level = workforce_level(data, data.find(la, year), year, "turnover_rate_fte",
                            zero_is_missing=True)
    scenario = scenario_from_data(tomllib.loads(baseline_scenario_text(la, year)))
    drawn = scenario.uncertain["workforce.turnover.annual_rate"][0]
    rate = level.value / 100
    assert drawn.quantile(0.5) == pytest.approx(rate / (1 - rate * notice_years()), rel=2e-3)
    assert drawn.mean_value() > drawn.quantile(0.5) * 1.02


def test_agency_workers_leave_one_permanent_case_holder():
    state = stationary(10, 12, 0.15, 0.2)
    assert (state.permanent, state.agency) == (1, 9)


UNCERTAIN_KEYS = ("demand.growth_per_year", "workforce.turnover.annual_rate")
# recruitment.success too, where the vacancy rate's spread moves it; agency.cover only where
# the panel shows no agency walk (2017), and where the agency rate's spread moves it


@pytest.mark.parametrize("la, year", [("Barnsley", 2019), ("Wakefield", 2018), ("Leeds", 2017),
                                      ("Kent", 2020)])
def test_baseline_writes_distributions_with_their_derivation(la, year):
    """The assumptions the data leave uncertain are distributions drawn once per replication,
    each comment saying how its spread was derived; referral growth's sd is (1 + growth) x the
    council's level sd and England's year-to-year sd of its yearly log change, combined."""
    text = baseline_scenario_text(la, year)
    scenario = scenario_from_data(tomllib.loads(text))
    assert set(UNCERTAIN_KEYS) <= set(scenario.uncertain), sorted(scenario.uncertain)
    for key in UNCERTAIN_KEYS:
        line = next(line for line in text.splitlines()
                    if line.startswith(key.split(".")[-1] + " = { dist"))
        assert "sd" in line.split(" # ", 1)[1], line
    if la == "Barnsley":
        assert "workforce.recruitment.success" in scenario.uncertain
    growth = tomllib.loads(text)["demand"]["growth_per_year"]
    england = [dfe_england("referral_count", y) for y in range(year - 4, year + 1)]
    changes = [math.log(b / a) for a, b in zip(england, england[1:])]
    mean = sum(changes) / 4
    england_sd = math.sqrt(sum((c - mean) ** 2 for c in changes) / 3)
    level = referral_growth_level(extract(), extract().find(la, year), year)
    assert growth["sd"] == pytest.approx((1 + growth["mean"]) * math.hypot(level.level_sd,
                                                                           england_sd), abs=1e-4)


@pytest.mark.parametrize("la, year", [("Sunderland", 2019), ("Essex", 2019), ("Kent", 2020),
                                      ("Leeds", 2018)])
def test_where_the_panel_shows_agency_fte_walking_the_agency_workers_head_to_dfes_figure(la,
                                                                                    year):
    """From 2018 DfE's panel shows councils' agency FTE walking (`panel.agency_walk` above 0),
    and a walk's forecast is its latest figure: the steady state holds DfE's agency FTE at the
    census (r / (1 - r) x in post, DfE's rate r rounded to 0.1%), not a level of the council's
    earlier years (Sunderland 2019: 9.6% at the census, 17.6% its shrunk mean, 44 agency
    workers ahead for DfE's 22), moved only as DfE's councils' agency FTE follows their
    vacancies: times ((vacant posts ahead + 1) / (vacant at the start + 1))^e, e the panel's
    within elasticity (0.30-0.55); and cover carries no spread (the walk carries the change)."""
    data = extract()
    code = data.find(la, year)
    numbers = Derivation(data, code, year)
    assert numbers.agency_walks and numbers.levels_ahead["agency"] is None
    agency_fte = data.workforce_count(code, year, "agency_fte").value
    state = numbers.state
    elasticity = panel.agency_vacancy_elasticity(data, year).estimate
    assert 0.2 < elasticity < 0.8
    follows = ((state.establishment - state.permanent_later + 1) / (state.vacant + 1)) ** elasticity
    assert state.agency_later / follows == pytest.approx(agency_fte, rel=0.01, abs=0.3)
    scenario = scenario_from_data(tomllib.loads(scenario_text_for(data, code, year)))
    assert "workforce.agency.cover" not in scenario.uncertain


def dfe_england(column: str, year: int) -> float:
    value, text = extract().cell("National", "England", year, column)
    assert value is not None, text
    return value


def read_extract_rows() -> list[dict[str, str]]:
    text = (ROOT / "sim" / "data" / "dfe_extract.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@pytest.mark.parametrize("year", [2017, 2018, 2019, 2020])
def test_a_baseline_uses_only_figures_published_by_its_year(year):
    """The baseline for 30 September `year` is unchanged when every later year's rows are
    removed from the extract: its levels, trends and the panel behind their shrinkage use DfE's
    figures of `year` and before only."""
    full = extract()
    cut = Extract([row for row in read_extract_rows() if int(row["time_period"]) <= year])
    for la in ("Wakefield", "Leeds", "Barnsley", "Sutton", "Cumbria"):
        code = full.find(la, year)
        assert scenario_text_for(cut, code, year) == scenario_text_for(full, code, year), la


def load_extract_script():
    spec = importlib.util.spec_from_file_location("make_dfe_extract",
                                                  ROOT / "scripts" / "make_dfe_extract.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def write_table(path: Path, rows: list[dict[str, str]]) -> None:
    place = ("time_period", "geographic_level", "country_code", "region_code", "region_name",
             "old_la_code", "la_name")
    columns = list(dict.fromkeys([*place, *(k for row in rows for k in row)]))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def synthetic_tables(folder: Path, script) -> None:
    """One council (900) with suppressed cells, a joint workforce row (901 / 902), England."""
    england = {"geographic_level": "National", "country_code": "E92000001", "la_name": ""}

    def council(code, name):
        return {"geographic_level": "Local authority", "region_name": "North East",
                "old_la_code": code, "la_name": name}
    for name, columns in script.TABLES.items():
        rows = []
        for year in ("2012", "2020"):
            for place in (england, council("900", "Somewhere"), council("901", "Ayton"),
                          council("902", "Beeton")):
                row = {"time_period": year, **place, **dict.fromkeys(columns.values(), "7")}
                if place["la_name"] == "Somewhere" and year == "2020":
                    row.update(dict.fromkeys(columns.values(), "c"))
                if name not in script.ROW_FILTER:
                    rows.append(row)
                    continue
                stock = dict.fromkeys(columns.values(), "7")     # looked after on 31 March
                rows.append({**row, **stock,
                             "population_type": "Children looked after on 31 March each year"})
                rows.append({**row, **dict.fromkeys(columns.values(), "99"),
                             "population_type": "Children starting to be looked after each year"})
        write_table(folder / name, rows)
    workforce = dict.fromkeys(script.WORKFORCE, "5")
    write_table(folder / script.WORKFORCE_FILE, [
        {"time_period": "2020", **england, **workforce},
        {"time_period": "2020", **council("900", "Somewhere"), **workforce, "inpost_fte": "low",
         "cases": "x"},
        {"time_period": "2020", **council("901 / 902", "Ayton / Beeton"), **workforce},
    ])


def test_extract_script_keeps_markers_copies_joint_rows_and_is_deterministic(tmp_path):
    script = load_extract_script()
    synthetic_tables(tmp_path, script)
    rows = script.build(tmp_path)
    assert rows == script.build(tmp_path)
    assert [(r["time_period"], r["la_code"] or r["geographic_level"]) for r in rows] == [
        ("2020", "National"), ("2020", "900"), ("2020", "901"), ("2020", "902")]
    somewhere = rows[1]
    assert somewhere["inpost_fte"] == "low" and somewhere["cases"] == "x"
    assert somewhere["referral_count"] == "c" and somewhere["CPP_At31"] == "c"
    assert somewhere["CLA_At31"] == "7"                      # the 31 March stock, not starters
    assert rows[2]["workforce_code"] == rows[3]["workforce_code"] == "901 / 902"
    assert rows[3]["la_name"] == "Beeton" and rows[3]["case_holders_fte"] == "5"

    data = Extract(rows)
    reasons = " ".join(data.coverage("900", 2020).reasons)
    assert "(cases) is not available ('x')" in reasons
    assert "(referral_count) is suppressed ('c')" in reasons
    assert data.cell(LOCAL, "900", 2020, "inpost_fte") == (None, "low")
    assert data.coverage("901", 2020).complete
    assert data.workforce_count("901", 2020, "cases").value == pytest.approx(2.5)


def test_baselines_draw_the_cases_elasticity_from_the_panel_up_to_their_year():
    """From 2019 the baseline's `cases_referral_elasticity` is normal(the panel's estimate up to
    the year, its standard error) clipped to the key's range; 2017, with no census whose twelve
    months' referrals are known, uniform from 0.01 to the children-in-need bound."""
    data = extract()
    for year in (2019, 2020):
        drawn = tomllib.loads(scenario_text_for(data, data.find("Wakefield", year), year))
        value = drawn["demand"]["cases_referral_elasticity"]
        fit = panel.cases_referral_elasticity(data, year)
        assert (value["dist"], value["clip"]) == ("normal", True)
        assert value["mean"] == pytest.approx(fit.estimate, abs=1e-4)
        assert value["sd"] == pytest.approx(fit.se, abs=1e-4)
    early = tomllib.loads(scenario_text_for(data, data.find("Wakefield", 2017), 2017))
    high, _ = panel.children_in_need_bound(data, 2017)
    assert early["demand"]["cases_referral_elasticity"] == {
        "dist": "uniform", "low": 0.01, "high": pytest.approx(high, abs=1e-4)}
    assert 0.01 < high < 1


def test_baselines_draw_the_usual_caseload_ratio_with_the_panels_yearly_spread():
    """The usual caseload ratio is lognormal with median 1 and log sd the root mean square of
    councils' yearly log caseload changes up to the year (from its mean and cv: log sd =
    sqrt(log(1 + cv^2)), median = mean / sqrt(1 + cv^2)); 1 in 2017, with one census."""
    data = extract()
    drawn = tomllib.loads(scenario_text_for(data, data.find("Wakefield", 2020), 2020))
    value = drawn["demand"]["usual_caseload_ratio"]
    log_sd, _ = panel.caseload_change(data, 2020)
    assert math.sqrt(math.log1p(value["cv"] ** 2)) == pytest.approx(log_sd, rel=0.01)
    assert value["mean"] / math.sqrt(1 + value["cv"] ** 2) == pytest.approx(1.0, abs=1e-3)
    early = tomllib.loads(scenario_text_for(data, data.find("Wakefield", 2017), 2017))
    assert early["demand"]["usual_caseload_ratio"] == 1.0


def test_growth_shortens_the_time_to_fill_by_the_posts_it_opens():
    """Posts growing at g a year open vacant as well as those leavers free: the time to fill that
    keeps the vacancy share is shorter by h / (h + g) (h the leaving hazard, g the log growth) and
    covering every vacancy holds (h + g) / h times the agency workers; no growth, as before."""
    still = stationary(300, 30, 0.15, 0.17)
    grown = stationary(300, 30, 0.15, 0.17, growth_per_year=0.035)
    openings = 1 + math.log1p(0.035) / grown.hazard_per_year
    assert grown.fill_days == pytest.approx(still.fill_days / openings)
    assert grown.establishment == still.establishment
    assert grown.agency_capacity == pytest.approx(
        openings * agency_capacity(grown.permanent_later, grown.hazard_per_year, grown.fill_days))
    assert stationary(300, 30, 0.15, 0.17, growth_per_year=0.0) == still


def vacancy_rate_as_posts_grow(growth: float, fill_growth: float) -> float:
    """The mean vacancy rate in years 4-8 of 400 posts growing at `growth` a year, 17% vacant at
    the start, turnover 15%, the time to fill of the steady state with `fill_growth`; no agency."""
    state = stationary(400, 0, 0.15, 0.17, growth_per_year=fill_growth)
    sc = scenario({
        "years": 8,
        "demand": {"referrals_per_year": 4000},
        "workforce": {"establishment": state.establishment,
                      "levels": {"nqsw": {"in_post": 0}, "sw": {"in_post": state.permanent}},
                      "agency_in_post": 0, "agency": {"cover": 0.0},
                      "turnover": {"annual_rate": state.hazard_per_year},
                      "recruitment": {"time_to_hire_days": {
                          "dist": "gamma", "mean": state.campaign_days, "cv": 0.5},
                          "success": state.success, "nqsw_share": 0.0},
                      "establishment_drift": {"growth_per_year": growth}},
        "initial": {"open": {"assessment": 100, "cin": 1500, "cp": 300, "cla": 500}},
    })
    rates = [series(r, "vacancy_rate")[r.days >= 4 * DAYS_PER_YEAR].mean() for r in runs(sc, 6)]
    return float(np.mean(rates))


def test_a_steady_state_that_counts_the_new_posts_keeps_its_vacancy_rate_as_they_grow():
    """Posts growing 3.5% a year: with the time to fill counting the new posts the vacancy rate
    stays where posts that do not grow keep it (16.3% here; within a point); with the time to fill
    of posts that do not grow it climbs by 3.6 points (more than 2.5), as a baseline's did."""
    still = vacancy_rate_as_posts_grow(0.0, 0.0)
    assert vacancy_rate_as_posts_grow(0.035, 0.035) == pytest.approx(still, abs=0.01)
    assert vacancy_rate_as_posts_grow(0.035, 0.0) > still + 0.025


def test_every_assumption_a_baseline_leaves_uncertain_has_words_for_the_report():
    """The report names the draw that explains most of an outcome's spread in words
    (`parameter_label`): every key a baseline leaves uncertain (drawn once per replication), in
    each census year, has its own label, not the fallback spelled from the key's parts."""
    from sim.analysis.labels import PARAMETER_LABELS

    found = set()
    for year in WORKFORCE_YEARS:
        text = baseline_scenario_text("Leeds", year)
        found.update(scenario_from_data(tomllib.loads(text)).uncertain)
    assert "workforce.agency.caseload_response" in found
    assert sorted(found - set(PARAMETER_LABELS)) == []
