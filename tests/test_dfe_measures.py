"""DfE's workforce measures (`sim.model.dfe_measures`) on hand-worked examples, and as the recorder
reports them.

The hand examples are DfE's own: Wakefield's census of 30 September 2018 as DfE published it
(bundled extract row 2018, code 384): in post 193.2 FTE, case holders 164.7 FTE, cases 3,611,
agency 77.8 FTE, leavers 31.6 FTE, vacancies 26.6 FTE; DfE's published rates 21.9 (caseload),
28.7% (agency), 16.4% (turnover), 12.1% (vacancy) must come out of DfE's definitions.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from builders import BASE, merged, series

from sim.model import dfe_measures as dfe
from sim.data.dfe import extract
from sim.model.council import run_replication
from sim.scenario.loading import Scenario

WAKEFIELD_2018 = {"inpost_fte": 193.2, "case_holders_fte": 164.7, "cases": 3611,
                  "agency_fte": 77.8, "leavers_fte": 31.6, "vacancy_fte": 26.6}


def test_the_example_is_the_bundled_row():
    data = extract()
    code = data.find("Wakefield", 2018)
    for column, value in WAKEFIELD_2018.items():
        assert data.workforce_count(code, 2018, column).value == value


def test_caseload_is_cases_over_case_holding_fte():
    # 3,611 / 164.7 = 21.925 -> DfE publishes 21.9
    assert round(dfe.caseload(3611, 164.7), 1) == 21.9


def test_agency_rate_is_agency_over_agency_plus_in_post():
    # 77.8 / (77.8 + 193.2) = 77.8 / 271.0 = 0.28708 -> 28.7%
    assert round(100 * dfe.agency_rate(77.8, 193.2), 1) == 28.7


def test_turnover_rate_is_leavers_over_in_post():
    # 31.6 / 193.2 = 0.16356 -> 16.4%
    assert round(100 * dfe.turnover_rate(31.6, 193.2), 1) == 16.4


def test_vacancy_rate_is_vacancies_over_vacancies_plus_in_post():
    # 26.6 / (26.6 + 193.2) = 26.6 / 219.8 = 0.12102 -> 12.1%
    assert round(100 * dfe.vacancy_rate(26.6, 193.2), 1) == 12.1


def test_rates_are_nan_without_a_denominator():
    assert math.isnan(dfe.caseload(5, 0))
    assert math.isnan(dfe.agency_rate(0, 0))
    assert math.isnan(dfe.turnover_rate(3, 0))
    assert math.isnan(dfe.vacancy_rate(0, 0))


def test_all_roles_scales_up_the_case_holding_part():
    # 60 case-holding permanent staff are 75% of all when 25% hold no cases: 80
    assert dfe.all_roles(60, 0.25) == pytest.approx(80.0)


def test_non_case_holding_share_counts_agency_case_holders_out():
    # Wakefield 2018: 164.7 case-holders less DfE's 77.8 agency FTE = 86.9 permanent
    # case-holders of 193.2 in post: 1 - 86.9 / 193.2 = 0.5502
    assert dfe.non_case_holding_share(193.2, 164.7, 77.8) == pytest.approx(0.5502, abs=1e-4)
    # more permanent case-holders than permanent staff: clipped to 0
    assert dfe.non_case_holding_share(100.0, 150.0, 10.0) == 0.0
    assert dfe.non_case_holding_share(100.0, 1.0, 0.0) == 0.9


def test_agency_workers_hold_cases_unless_too_few_permanent_case_holders_are_left():
    # Wakefield 2018: 165 case-holders, 77.8 agency FTE of 193.2 in post: all 78 hold cases
    assert dfe.agency_case_holders(193.2, 165, 77.8) == 78
    assert dfe.agency_non_case_holding_share(77.8, 78) == 0.0
    # Tower Hamlets 2017: 118 case-holders, 195.5 agency FTE, 201.5 in post: at least
    # ceil(20.15) = 21 permanent case-holders, so 97 agency case-holders, 1 - 97 / 195.5 = 0.5038
    # of DfE's agency workers holding none; 21 / (1 - (1 - 21 / 201.5)) gives back 201.5 in post
    assert dfe.agency_case_holders(201.5, 118, 195.5) == 97
    assert dfe.agency_non_case_holding_share(195.5, 97) == pytest.approx(0.5038, abs=1e-4)
    assert dfe.non_case_holding_share(201.5, 118, 97) == pytest.approx(1 - 21 / 201.5)
    # a tiny council: one permanent case-holder at least; no agency case-holder left at all
    assert dfe.agency_case_holders(3.0, 4, 10.0) == 3
    assert dfe.agency_case_holders(50.0, 4, 10.0) == 0
    assert dfe.agency_non_case_holding_share(10.0, 0) == 0.9


def _replication(share: float, agency_share: float = 0.0):
    changes = {"years": 1.5, "workforce": {"non_case_holding_share": share,
                                           "turnover": {"annual_rate": 0.3},
                                           "agency": {"non_case_holding_share": agency_share}}}
    return run_replication(Scenario.model_validate(merged(BASE, changes)), rep=0, root_seed=3)


def test_agency_workers_holding_no_cases_move_only_the_agency_rate():
    """Same seed with 0% and 50% of agency workers holding no cases: the simulation and every
    other measure are the same; DfE's agency FTE is the model's agency workers doubled."""
    plain, half = _replication(0.25), _replication(0.25, agency_share=0.5)
    for metric in ("staff_permanent", "staff_agency", "case_holders", "sw_fte_in_post",
                   "turnover_rate", "vacancy_rate", "caseload_dfe"):
        np.testing.assert_array_equal(series(plain, metric), series(half, metric), err_msg=metric)
    agency, in_post = series(half, "staff_agency"), series(half, "sw_fte_in_post")
    assert agency.max() > 0
    np.testing.assert_allclose(series(half, "agency_rate"), 2 * agency / (2 * agency + in_post))


def test_recorder_counts_non_case_holders_only_in_the_dfe_measures():
    """Same seed with 0% and 50% non-case-holders: the simulation is the same; in post doubles,
    turnover and vacancy rates (same rates for the unseen staff) stay, agency rate follows its
    definition."""
    plain, half = _replication(0.0), _replication(0.5)
    for metric in ("staff_permanent", "staff_agency", "case_holders", "cases_held",
                   "caseload_dfe", "turnover_rate", "vacancy_rate"):
        np.testing.assert_array_equal(series(plain, metric), series(half, metric), err_msg=metric)
    np.testing.assert_allclose(series(half, "sw_fte_in_post"), 2 * series(plain, "sw_fte_in_post"))
    np.testing.assert_array_equal(series(plain, "sw_fte_in_post"),
                                  series(plain, "staff_permanent"))
    agency, permanent = series(half, "staff_agency"), series(half, "staff_permanent")
    np.testing.assert_allclose(series(half, "agency_rate"), agency / (agency + 2 * permanent))
    np.testing.assert_array_equal(series(plain, "case_holders"), permanent + agency)


def test_turnover_rate_needs_a_year_of_history_then_counts_the_years_leavers():
    replication = _replication(0.0)
    days, rate = replication.days, series(replication, "turnover_rate")
    assert np.isnan(rate[days < 365 - 7]).all()
    last = len(days) - 1
    back = int(np.searchsorted(days, days[last] - 365 - 1e-9))
    leavers = series(replication, "leavers")[back + 1:last + 1].sum()
    in_post = series(replication, "staff_permanent")[last]
    expected = leavers * 365 / (days[last] - days[back]) / in_post
    assert rate[last] == pytest.approx(expected)


def test_a_post_whose_holder_works_notice_is_not_vacant_in_dfes_vacancy_rate():
    """DfE counts a worker on notice in post, so their post is not a vacancy: the vacancy rate is
    the vacancies (posts without a permanent worker in post) over vacancies plus staff in post,
    never the posts under notice too. Long notices and high turnover keep many posts under
    notice."""
    replication = run_replication(Scenario.model_validate(merged(BASE, {"workforce": {
        "turnover": {"annual_rate": 1.0, "notice_days": {"dist": "fixed", "value": 90}}}})),
        0, 7)
    on_notice = series(replication, "posts_on_notice")
    assert on_notice.max() >= 3
    vacancies, permanent = series(replication, "vacancies"), series(replication, "staff_permanent")
    np.testing.assert_allclose(series(replication, "vacancy_rate"),
                               vacancies / (vacancies + permanent))
