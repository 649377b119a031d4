"""Starters by calendar month and the newly qualified cohort (issue 14, smaller items): a thin
labour market books starters by the calendar months of the scenario's dates, a cancelled start
frees its month's place, and the annual cohort of newly qualified social workers starts on its date."""
from __future__ import annotations

from collections import Counter
from datetime import date

from builders import NO_STOCK, merged, scenario

from sim.model.council import Council
from sim.model.post_draws import post_key

START = date(2021, 4, 1)
# One worker in post who never leaves, nothing to do, no agency; campaigns of exactly 10 days.
QUIET = {"start": START.isoformat(), "years": 1, "demand": {"referrals_per_year": 0},
         "initial": NO_STOCK,
         "workforce": {"establishment": 1, "agency_in_post": 0,
                       "levels": {"nqsw": {"in_post": 0}, "sw": {"in_post": 1}},
                       "turnover": {"annual_rate": 0.0},
                       "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": 10},
                                       "max_starters_per_month": 1},
                       "agency": {"cover": 0.0}}}


def day_of(when: date) -> float:
    return float((when - START).days)


def added_posts_start_days(policy: list[dict]) -> dict[int, float | None]:
    """The start day of the holder of each post a policy added, by the post's index."""
    council = Council(scenario(merged(QUIET, {"policy": policy})), 0, 1)
    council.run()
    return {post.key[1]: post.holder and post.holder.started
            for post in council.workforce.posts if post.key[0] == post_key("added", 0)[0]}


def test_a_thin_labour_market_starts_people_on_the_first_of_calendar_months():
    """Three posts added on day 0 end their campaigns together on 11 April, one starter a month:
    the first starts that day, the next on 1 May and 1 June (days 30 and 61 from 1 April)."""
    starts = added_posts_start_days([{"after_days": 0, "do": "add_posts", "count": 3}])
    assert sorted(starts.values()) == [10.0, day_of(date(2021, 5, 1)), day_of(date(2021, 6, 1))]


def test_a_cancelled_start_frees_its_month():
    """Posts added on day 0 book April, May and June; on day 20 the two not yet filled are closed,
    cancelling the May and June starts; a post added on day 21 ends its campaign on 2 May and,
    May's place being free again, its starter starts that day."""
    starts = added_posts_start_days([
        {"after_days": 0, "do": "add_posts", "count": 3},
        {"after_days": 20, "do": "add_posts", "count": -2},
        {"after_days": 21, "do": "add_posts", "count": 1},
    ])
    assert starts == {0: 10.0, 3: 31.0}


# 20 posts, 8 held, 12 vacant whose campaigns outlast the run; a cohort of 3 every 1 September.
COHORT = {"start": START.isoformat(), "years": 3, "demand": {"referrals_per_year": 0},
          "initial": NO_STOCK,
          "workforce": {"establishment": 20, "agency_in_post": 2,
                        "levels": {"nqsw": {"in_post": 0}, "sw": {"in_post": 8}},
                        "progression_days": 10_000,
                        "turnover": {"annual_rate": 0.0},
                        "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": 1e6},
                                        "cohort": {"size": 3}},
                        "agency": {"cover": 0.0, "annual_turnover": 0.0}}}


def cohort_run(changes: dict) -> Council:
    council = Council(scenario(merged(COHORT, changes)), 0, 1)
    council.run()
    return council


def test_the_cohort_starts_each_year_on_its_date_as_newly_qualified():
    """Three NQSWs start on each 1 September in the run (2021, 2022, 2023), in the posts vacant
    longest; they count as starters and release the agency workers covering their posts."""
    council = cohort_run({})
    starters = Counter(post.holder.started for post in council.workforce.posts
                       if post.holder is not None and post.holder.level == "nqsw")
    assert starters == {day_of(date(year, 9, 1)): 3 for year in (2021, 2022, 2023)}
    assert council.counts.starters == 9
    assert council.workforce.vacant == 12 - 9
    assert council.workforce.n_agency == 0  # the two covered posts were vacant longest, first


def test_a_cohort_bigger_than_the_vacancies_fills_them_and_no_more():
    """A cohort of 30 into 12 vacancies: 12 start on the first 1 September, nobody after."""
    council = cohort_run({"workforce": {"recruitment": {"cohort": {"size": 30}}}})
    assert council.counts.starters == 12
    assert council.workforce.n_nqsw == 12
    assert len(council.workforce.posts) == 20


def test_the_cohort_date_is_a_scenario_key():
    """A cohort on 15 January: the intakes in the run are 15 January 2022, 2023 and 2024."""
    council = cohort_run({"workforce": {"recruitment": {"cohort": {"size": 2, "month": 1,
                                                                    "day": 15}}}})
    starters = Counter(post.holder.started for post in council.workforce.posts
                       if post.holder is not None and post.holder.level == "nqsw")
    assert starters == {day_of(date(year, 1, 15)): 2 for year in (2022, 2023, 2024)}
