"""The report's caveats follow from each scenario's own values, and say nothing it does not
assume."""
from __future__ import annotations

import pytest
from builders import scenario

from sim.analysis.caveats import caveats, scenario_caveats


def text(changes: dict | None = None, uncertain: tuple[str, ...] = ()) -> str:
    return " ".join(scenario_caveats(scenario(changes), uncertain))


@pytest.mark.parametrize("agency, expected", [
    ({"cover": 1.0}, "Every vacancy is covered by an agency social worker within 14 days"),
    ({"cover": 1.0, "start_days": {"dist": "gamma", "mean": 30, "cv": 0.5}},
     "Every vacancy is covered by an agency social worker within a mean of 30 days"),
    ({"cover": 0.5, "max_share": 0.2},
     "50% of vacancies are covered by an agency social worker within 14 days, up to 20% of "
     "social workers"),
    ({"cover": 0.0}, "No vacancy is covered by agency staff"),
])
def test_the_agency_caveat_says_what_cover_the_scenario_assumes(agency, expected):
    assert expected in text({"workforce": {"agency": agency}})


def test_turnover_without_a_caseload_elasticity_says_none_is_published():
    assert "no published study gives how much turnover rises with caseload" in text(
        {"workforce": {"turnover": {"annual_rate": 0.15}}})
    assert "Permanent social workers leave at 15% a year whatever their caseload" in text()
    rising = text({"workforce": {"turnover": {"caseload_elasticity": 0.5}}})
    assert "more when their caseload is over its cap (elasticity 0.5" in rising
    assert "whatever their caseload" not in rising


def test_referrals_flat_or_growing_as_the_scenario_says():
    assert "Referrals are held flat at 1,200 a year (no growth assumed)." in text()
    assert "Referrals grow by 5% a year from 1,200 a year." in text(
        {"demand": {"growth_per_year": 0.05}})
    assert "Referrals fall by 10% a year" in text({"demand": {"growth_per_year": -0.1}})
    dated = text({"policy": [{"do": "set_referrals", "at": "2020-10-01",
                              "growth_per_year": 0.05}]})
    assert "from 2020-10-01, referrals growing 5% a year" in dated


def test_outcomes_and_chance_caveats():
    assert "placement costs do not fall when caseloads do" in text()
    assert "placement costs move with caseloads" in text({"effects": {"cla_escalation": 0.2}})
    assert "The ranges show chance alone" in text()
    assert "doubt about 1 uncertain assumption drawn afresh in each replication " \
           "(Turnover of permanent staff a year)" in text(
               uncertain=("Turnover of permanent staff a year",))


def test_a_caveat_every_scenario_shares_is_said_once_the_others_per_scenario():
    base = scenario({"title": "No plan"})
    plan = scenario({"name": "plan", "title": "The plan", "demand": {"growth_per_year": 0.05}})
    said = caveats([base, plan])
    assert said.count("Every vacancy is covered by an agency social worker within 14 days; "
                      "the agency cost is paid for as long as the cover lasts.") == 0
    assert sum("50% of vacancies" in sentence for sentence in said) == 1
    assert "No plan: Referrals are held flat at 1,200 a year (no growth assumed)." in said
    assert "The plan: Referrals grow by 5% a year from 1,200 a year." in said


def test_the_demand_management_caveat_follows_the_elasticity():
    assert "may overstate what hiring does to caseloads" in text()
    managed = text({"demand": {"cases_referral_elasticity": 0.05}})
    assert "cases-referral elasticity 0.05" in managed
    assert "may overstate" not in managed and "least certain part" in managed
