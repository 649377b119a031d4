"""Agency workers beyond vacancies (`workforce.agency.beyond_vacancies`, `sim.model.agency`): a
level of agency case-holders kept on top of vacancy cover, not tied to posts. Checked against what
follows without the model: they count in every agency measure and cost and leave the vacancies
alone; a slot's worker leaves at the agency turnover and is replaced after the start delay, so a
slot is filled (1/g) / (1/g + delay) of the time (an alternating renewal process); the level walks
in its log with the walk's moments; `max_share`, `release_excess` and a new level by `set_agency`
act as documented."""
from __future__ import annotations

import numpy as np
import pytest
from builders import BASE, NO_STOCK, STILL_WORKFORCE, merged, run_replication, scenario, series, \
    without
from test_drift import moments_hold

from sim.model.council import Council
from sim.model.units import DAYS_PER_YEAR

SEED = 23
# 30 permanent in 40 posts, the 10 vacancies never filled and all covered; nobody leaves
STILL = merged(STILL_WORKFORCE, {
    "establishment": 40, "agency_in_post": 10, "agency": {"cover": 1.0},
    "levels": {"nqsw": {"in_post": 6}, "sw": {"in_post": 24}},
    "recruitment": {"success": 1e-9}})
NO_DEMAND = {"demand": {"referrals_per_year": 0}, "initial": NO_STOCK}


def still(beyond: float, *, years: float = 1.0, policy: list | None = None, **agency):
    """The still council with `beyond` agency FTE beyond vacancies (and `agency` keys)."""
    workforce = merged(STILL, {"agency": {"beyond_vacancies": beyond, **agency}})
    return scenario({"years": years, "workforce": workforce, "policy": policy or []},
                    base=without(BASE, "workforce"))


def test_beyond_vacancies_count_in_every_agency_measure_and_cost_and_leave_vacancies_alone():
    """6 more agency workers for good: staff_agency +6 and the agency rate 16 / (16 + 30) at
    every sample, the vacancy rate and establishment as without them, agency cost 6 x the daily
    agency cost more in each period, and they hold cases (case-holders + 6)."""
    none, six = (run_replication(still(level), 0, SEED) for level in (0, 6))
    assert np.all(series(six, "staff_agency") == series(none, "staff_agency") + 6)
    assert np.all(series(six, "staff_agency") == 16)
    assert series(six, "agency_rate")[0] == pytest.approx(16 / (16 + 30))
    for measure in ("vacancy_rate", "staff_permanent"):
        np.testing.assert_array_equal(series(six, measure), series(none, measure))
    assert np.all(series(six, "case_holders") == series(none, "case_holders") + 6)
    daily = Council(still(6), 0, SEED).costs.agency_per_day
    days = np.diff(np.concatenate([[0.0], six.days]))
    extra = series(six, "cost_agency") - series(none, "cost_agency")
    np.testing.assert_allclose(extra[1:], 6 * daily * days[1:], rtol=1e-9)


def test_the_level_is_held_on_average_with_gaps_between_workers():
    """20 FTE beyond vacancies whose workers leave at 2 a year and are replaced 73 days later:
    a slot has a worker (1/2) / (1/2 + 0.2) = 5/7 of the time (alternating renewal), so the
    council keeps 20 x 7/5 = 28 slots, 20 with a worker at the start and the other 8 in the
    steady state (their worker due within 73 days). Over 12 replications the mean agency
    workers in post over years 1-6 is 20 within 4.5 standard errors, and at every sample at most
    28."""
    sc = scenario(merged(NO_DEMAND, {"years": 6, "workforce": merged(STILL, {
        "agency_in_post": 0, "agency": {"cover": 0.0, "beyond_vacancies": 20,
                                        "annual_turnover": 2.0,
                                        "start_days": {"dist": "fixed", "value": 73}}})}),
        base=without(BASE, "workforce"))
    council = Council(sc, 0, SEED)
    council.workforce.start(sc, SEED, 0)
    assert (len(council.workforce.beyond), council.workforce.n_agency) == (28, 20)
    means = []
    for rep in range(12):
        run = run_replication(sc, rep, SEED)
        agency = series(run, "staff_agency")  # no vacancy is covered
        assert agency[0] == 20 and agency.max() <= 28
        means.append(agency[run.days >= DAYS_PER_YEAR].mean())
    means = np.array(means)
    assert abs(means.mean() - 20) < 4.5 * means.std(ddof=1) / np.sqrt(means.size)


def test_vacancy_cover_is_unchanged_by_slots_when_workers_leave():
    """The vacancies' agency workers still number 10 (never refused: no ceiling) whatever the
    slots do: agency - slots filled = the run without slots, sample by sample, with agency
    workers leaving at 2 a year."""
    changes = {"annual_turnover": 2.0}
    none = run_replication(still(0, years=2, **changes), 0, SEED)
    council = Council(still(8, years=2, **changes), 0, SEED)
    council.run()
    # 8 FTE: 8 / (stay / (stay + start)) = 8 x (1 + 2 x 14 / 365) = 8.6 slots
    assert len(council.workforce.beyond) == 9
    covered = sum(post.agency is not None for post in council.workforce.posts)
    assert covered == series(none, "staff_agency")[-1]


def level_at_the_end(years: float, sd: float, rep: int) -> tuple[int, Council]:
    council = Council(scenario(merged(NO_DEMAND, {"years": years, "workforce": merged(STILL, {
        "agency": {"beyond_vacancies": 200, "yearly_change_sd": sd}})}),
        base=without(BASE, "workforce")), rep, SEED)
    council.run()
    return len(council.workforce.beyond), council


def test_the_level_walks_with_the_walks_moments():
    """200 FTE beyond vacancies with step sd 0.25: after 3 years (steps half a year into each
    year: 3) the log of slots / 200 has mean 0 and variance 3 x 0.25^2 over 400 replications
    (rounding to whole workers adds under 1e-5), and every slot is filled half a year after the
    last step (nobody leaves; the 14-day start delay is over)."""
    logs = []
    for rep in range(400):
        slots, council = level_at_the_end(3.0, 0.25, rep)
        assert council.workforce.n_agency == 10 + slots
        assert slots == round(200 * council.workforce.beyond_factor)
        logs.append(np.log(slots / 200))
    moments_hold(np.array(logs), 3, 0.0, 0.25)


def test_the_first_half_year_is_unchanged_a_census_a_year_on_is_one_step_and_the_walk_pairs():
    """The level is the start's for half a year, then one step of the walk: a census a year
    after the start sees one step, as DfE's censuses a year apart do in the panel the step sd
    is estimated from (with steps on anniversaries, the first census after the start saw
    none); the steps pair across scenarios (3 x the log multiplier for 3 x the sd)."""
    for rep in (0, 1):
        assert level_at_the_end(0.45, 0.25, rep)[0] == 200
        walked = scenario(merged(NO_DEMAND, {"years": 1.0, "workforce": merged(STILL, {
            "agency": {"beyond_vacancies": 200, "yearly_change_sd": 0.25}})}),
            base=without(BASE, "workforce"))
        replication = run_replication(walked, rep, SEED)
        at_census = series(replication, "staff_agency")[np.searchsorted(
            replication.days, DAYS_PER_YEAR)]
        assert at_census != 210      # 10 covering vacancies, 200 beyond them at the start
        one = level_at_the_end(2.0, 0.1, rep)[1].workforce.beyond_factor
        other = level_at_the_end(2.0, 0.3, rep)[1].workforce.beyond_factor
        assert np.log(other) == pytest.approx(3 * np.log(one))
        assert one != 1.0


DAY = 100


def agency_in_three_phases(policy: list) -> tuple[set, set, set]:
    """The agency workers of the still council with 10 beyond vacancies and `policy`, as the
    sets of values sampled before DAY, from DAY to 14 days (a start delay) after 2 x DAY, and
    after."""
    run = run_replication(still(10, policy=policy), 0, SEED)
    agency, days = series(run, "staff_agency"), run.days
    return (set(agency[days < DAY].tolist()),
            set(agency[(days >= DAY) & (days < 2 * DAY + 14)].tolist()),
            set(agency[days >= 2 * DAY + 14].tolist()))


def test_release_excess_releases_slots_first_which_come_back_within_max_share():
    """30 permanent, 10 covering vacancies, 10 beyond: a 30% ceiling with release keeps
    floor(0.3 x 30 / 0.7) = 12, releasing 8 slot workers (the vacancies keep their 10); the
    released slots wait for room, and come back (14 days later) when the ceiling is lifted."""
    ceiling = {"do": "set_agency", "after_days": DAY, "max_share": 0.3, "release_excess": True}
    lifted = {"do": "set_agency", "after_days": 2 * DAY, "max_share": 1.0}
    assert agency_in_three_phases([ceiling, lifted]) == ({20}, {12}, {20})
    council = Council(still(10, years=1.5 * DAY / DAYS_PER_YEAR, policy=[ceiling]), 0, SEED)
    council.run()
    workforce = council.workforce
    assert sum(post.agency is not None for post in workforce.posts) == 10
    assert sum(slot.agency is not None for slot in workforce.beyond) == 2
    assert len(workforce.refused) == 8


def test_set_agency_sets_the_level_beyond_vacancies():
    """From 10 to 3 at once (the newest slots close), then to 15: 12 new slots filled after the
    14-day start delay."""
    down = {"do": "set_agency", "after_days": DAY, "beyond_vacancies": 3}
    up = {"do": "set_agency", "after_days": 2 * DAY, "beyond_vacancies": 15}
    assert agency_in_three_phases([down, up]) == ({20}, {13}, {25})


def cover_walked(scope: str, rep: int, years: float = 1.0, policy: list | None = None) -> Council:
    """200 vacancies never filled in 230 posts, cover 0.2, nothing beyond vacancies, agency
    workers who never leave, a walk of step sd 0.5 with `scope`, run for `years`."""
    workforce = merged(STILL, {
        "establishment": 230, "agency_in_post": 0,
        "agency": {"cover": 0.2, "beyond_vacancies": 0, "yearly_change_sd": 0.5,
                   "walk_scope": scope}})
    council = Council(scenario(merged(NO_DEMAND, {"years": years, "workforce": workforce,
                                                  "policy": policy or []}),
                               base=without(BASE, "workforce")), rep, SEED)
    council.run()
    return council


def test_the_walk_moves_vacancy_cover_with_scope_all_and_leaves_it_alone_by_default():
    """With `walk_scope` "all" the share of vacancies covered in force a year on (one step, half
    a year in) is 0.2 x the walk's multiplier, at most 1: exactly the vacancies whose spell's point
    lies below it want cover and have a worker (a fall releases the others' at once, as closing
    slots do, though agency workers never leave here). By default the share stays 0.2 whatever
    the walk, and a fall could not release anyone. Over 8 replications the walk both rises and
    falls."""
    moved = set()
    for rep in range(8):
        council = cover_walked("all", rep)
        workforce = council.workforce
        factor = workforce.beyond_factor
        share = min(1.0, 0.2 * factor)
        assert workforce.cover == pytest.approx(share)
        vacancies = [post for post in workforce.posts if post.holder is None]
        assert len(vacancies) == 200
        assert [post.agency_wanted for post in vacancies] == [
            post.cover_point < share for post in vacancies]
        assert workforce.n_agency == sum(post.cover_point < share for post in vacancies)
        moved.add(factor > 1)
        alone = cover_walked("beyond_vacancies", rep).workforce
        assert (alone.cover, alone.beyond_factor) == (0.2, factor)
        assert alone.n_agency == sum(post.cover_point < 0.2 for post in alone.posts
                                     if post.holder is None)
    assert moved == {True, False}


def test_a_new_cover_by_set_agency_is_moved_by_the_walks_multiplier_in_force():
    """With `walk_scope` "all", cover set to 0.1 after the first step is 0.1 x the multiplier
    in force; by default it is 0.1."""
    policy = [{"do": "set_agency", "after_days": 0.75 * DAYS_PER_YEAR, "cover": 0.1}]
    walked = cover_walked("all", 0, policy=policy).workforce
    assert walked.beyond_factor != 1.0
    assert walked.cover == pytest.approx(min(1.0, 0.1 * walked.beyond_factor))
    assert cover_walked("beyond_vacancies", 0, policy=policy).workforce.cover == 0.1


def test_a_walk_step_releases_only_the_workers_its_own_fall_leaves_above_the_share():
    """Cover 0 from day 100 (a plan stopping agency cover): the vacancies' agency workers stay
    (they never leave here), and the walk's later steps, which move 0 to 0, release none of
    them: every vacancy whose point lies below 0.2 keeps its worker through two steps."""
    policy = [{"do": "set_agency", "after_days": 100, "cover": 0.0}]
    workforce = cover_walked("all", 1, years=2.0, policy=policy).workforce
    vacancies = [post for post in workforce.posts if post.holder is None]
    assert workforce.cover == 0.0
    assert workforce.n_agency == sum(post.cover_point < 0.2 for post in vacancies) > 20


def responding(years: float, response: float, ratio: float, sd: float = 0.0,
               rep: int = 0) -> Council:
    """The still council (30 permanent, 10 covering vacancies, nobody leaves) with 20 agency FTE
    beyond vacancies and 600 open cases that last far beyond the run (a caseload of 10), agency
    workers following the caseload over the typical `ratio` x 10 with power `response`, the
    walk's step sd `sd`; run for `years`."""
    lasting = {"duration_days": {"dist": "fixed", "value": 1e7}}
    sc = scenario(merged(NO_DEMAND, {
        "years": years,
        "demand": {stage: lasting for stage in ("assessment", "cin", "cp", "cla")},
        "initial": {"open": {"assessment": 0, "cin": 600, "cp": 0, "cla": 0}},
        "workforce": merged(STILL, {"agency": {
            "beyond_vacancies": 20, "yearly_change_sd": sd, "caseload_response": response,
            "typical_caseload_ratio": ratio}})}), base=without(BASE, "workforce"))
    council = Council(sc, rep, SEED)
    council.run()
    return council


def test_agency_workers_follow_the_caseload_to_the_typical_one():
    """600 lasting cases, 60 case-holders (20 beyond vacancies), typical caseload 5, response 1:
    each step half a year into a year multiplies the slots by (600 / case-holders / 5), the
    ratio at that moment: 20 -> 40 (ratio 2) -> 60 (1.5) -> 72 (1.2) -> 77 -> 79 -> 80, the
    fixed point where 600 / (40 + 80) is 5 (cases closing over 6 years: about 1 in 4,600 a
    year; whole slots rounded). Half a year on nothing has moved; with response 0 nothing ever
    does; with a ratio of 0.01 (a caseload 100 times the typical) the step is the bound's
    (MAX_CASELOAD_RATIO: x 4)."""
    expected = 20.0
    for years in range(1, 7):
        holders = 40 + round(expected)
        expected *= 600 / holders / 5
        council = responding(years, 1.0, 0.5)
        assert len(council.workforce.beyond) == round(expected), years
    assert len(council.workforce.beyond) == 80
    assert len(responding(0.45, 1.0, 0.5).workforce.beyond) == 20
    assert len(responding(3, 0.0, 0.5).workforce.beyond) == 20
    assert len(responding(1, 1.0, 0.01).workforce.beyond) == 80


def test_a_council_below_the_typical_caseload_sheds_agency_and_the_walk_multiplies():
    """Typical caseload 20 (twice the council's 10), response 0.5: the first step keeps
    20 x 0.5^0.5 = 14 slots; with a walk (sd 0.3) the multiplier in force is the walk's (the
    same steps as without the response: common random numbers) times the response's."""
    assert len(responding(1, 0.5, 2.0).workforce.beyond) == round(20 * 0.5 ** 0.5)
    for rep in (0, 1):
        walked = responding(1, 0.0, 2.0, sd=0.3, rep=rep).workforce.beyond_factor
        both = responding(1, 0.5, 2.0, sd=0.3, rep=rep).workforce
        assert both.beyond_factor == pytest.approx(walked * both.response_factor)
        assert both.response_factor == pytest.approx(0.5 ** 0.5)
