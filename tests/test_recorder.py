"""The recorder: its percentile is numpy's, to the last bit (caseload_p90 must not move); its
samples make period totals exact over the run and by financial year."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from builders import STILL_WORKFORCE, merged, run_replication, scenario, series, total
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.financial_years import by_financial_year
from sim.model.council import Council
from sim.model.recorder import percentile


@given(st.lists(st.integers(0, 60), min_size=1, max_size=400), st.integers(0, 100))
def test_percentile_of_caseloads_is_numpy_percentile_exactly(caseloads, percent):
    expected = np.percentile(np.array(caseloads, dtype=float), percent)
    assert percentile(sorted(caseloads), percent / 100) == expected


# --- sample times: the periods tile the run and never straddle 1 April --------------------------

START = dt.date(2016, 7, 1)
STILL_STAFF = {  # 30 permanent workers and 2 agency workers who never leave nor change
    "start": START.isoformat(), "years": 5, "report_every_days": 7,
    "demand": {"rereferral": {"share": 0.0}},
    "workforce": merged(STILL_WORKFORCE, {"recruitment": {"success": 1e-9},
                                          "agency": {"cover": 0.0},
                                          "levels": {"nqsw": {"in_post": 0},
                                                     "sw": {"in_post": 30}}}),
}


def staff_cost_per_day(sc) -> float:
    """£ a day of the permanent staff (all `sw`) and the agency workers of `STILL_STAFF`."""
    costs = sc.costs
    on_costs = 1 + costs.on_cost_share
    return (30 * costs.salary_per_year.sw * on_costs
            + 2 * (costs.salary_per_year.sw * on_costs + costs.agency_premium_per_year)
            ) / 365.25


def test_period_totals_over_the_run_are_exact_up_to_the_horizon():
    """Five years sampled weekly: 1826.25 days, not the 1820 of the last whole week. Every
    referral received within the horizon is counted once, and a fixed workforce costs its daily
    rate times the exact days."""
    sc = scenario(STILL_STAFF)
    council = Council(sc, 0, 1)
    council.run()
    replication = council.recorder.result(0, council.referrals, 0)
    horizon = 5 * 365.25
    assert replication.days[-1] == horizon
    received = council.referrals.received
    assert total(replication, "referrals") == np.count_nonzero((received > 0)
                                                               & (received <= horizon))
    staff_and_agency = total(replication, "cost_staff") + total(replication, "cost_agency")
    assert staff_and_agency == pytest.approx(staff_cost_per_day(sc) * horizon, rel=1e-12)


@pytest.mark.parametrize("every", [7, 30])
def test_costs_by_financial_year_are_the_daily_rate_times_the_days_of_each_year(every):
    """From 1 July 2016 for 5 years: 274 days in 2016/17, then 365, 365, 366, 365, and 91.25 in
    2021/22 (to 1 July 2021, 06:00)."""
    sc = scenario({**STILL_STAFF, "report_every_days": every})
    replication = run_replication(sc, 0, 1)
    cost = series(replication, "cost_staff") + series(replication, "cost_agency")
    by_year = by_financial_year(cost[np.newaxis, :], replication.days, START)
    days_in_year = {"2016/17": 274, "2017/18": 365, "2018/19": 365, "2019/20": 366,
                    "2020/21": 365, "2021/22": 91.25}
    assert list(by_year.columns) == list(days_in_year)
    for year, days in days_in_year.items():
        assert by_year[year].iloc[0] == pytest.approx(staff_cost_per_day(sc) * days, rel=1e-12)
