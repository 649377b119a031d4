"""Posts: the funded establishment, vacancies, recruitment campaigns, starters, the newly
qualified cohort, and posts added or removed.

A vacancy spell begins when a post's holder hands in notice (or a post is added or vacant at the
start): the post is advertised and draws the point that decides its agency cover for the spell. A
campaign ends after a time to hire; it fails with the post's campaign round and is re-advertised,
or books a starter on the first day of a calendar month with room under the monthly limit. An
optional cohort of newly qualified starters fills the posts vacant longest on a date each year.
`Establishment` is the part of `sim.model.workforce.Workforce` that does this.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

from sim.model.people import Post
from sim.model.post_draws import PostStreams, post_key


class Establishment:
    """Posts, vacancies and recruitment: a part of `Workforce` (which holds the council, the
    tokens and the staff this part starts)."""

    def _init_posts(self, scenario, post_streams: PostStreams) -> None:
        recruitment = scenario.workforce.recruitment
        self.success = recruitment.success
        self.nqsw_share, self.senior_share = recruitment.nqsw_share, recruitment.senior_share
        self.max_starters_per_month = recruitment.max_starters_per_month
        self.cohort = recruitment.cohort
        self.start_date = scenario.start
        self.post_streams = post_streams
        self.posts: dict[Post, None] = {}  # dicts as ordered sets: reproducible runs
        self.doomed = 0
        self.vacant = 0  # posts without a holder: recruiting, under notice or not
        self.under_notice = 0  # of which posts whose last holder is still working notice
        self.starts_by_month: dict[int, int] = {}  # starters booked by calendar month
        self._posts_added = 0

    # vacancies and campaigns -------------------------------------------------------------------
    def _open_vacancy(self, post: Post, cover_from_day: float,
                      first_campaign_days: float | None = None,
                      cover_point: Callable[[float], float] | None = None,
                      campaign_elapsed_days: float = 0.0) -> None:
        """A vacancy spell begins: the post is advertised and draws its spell's cover point (its
        cover uniform, or `cover_point` of it); if that is below the share in force and the post
        has no agency worker, one is asked for to start from `cover_from_day` (a day number). A
        campaign that began `campaign_elapsed_days` ago has that much less to run."""
        self.vacant += 1
        post.vacant_since = self.council.now - campaign_elapsed_days
        drawn = post.draws.cover()[0]
        post.cover_point = drawn if cover_point is None else cover_point(drawn)
        self._start_campaign(post, first_campaign_days, campaign_elapsed_days)
        post.agency_wanted = post.cover_point < self.cover
        if post.agency_wanted and post.agency is None:
            self._request_agency(post, cover_from_day)

    def _start_campaign(self, post: Post, days: float | None = None,
                        elapsed_days: float = 0.0) -> None:
        """Advertise `post`: the campaign ends after a time to hire (or `days`) in days, less the
        `elapsed_days` it has run already (at once if it outran them)."""
        post.campaign = token = next(self._tokens)
        post.campaign_round = post.draws.campaign()
        days = post.campaign_round[0] if days is None else days
        self.council.later(max(0.0, days - elapsed_days), self._campaign_ends, post, token)

    def _campaign_ends(self, post: Post, token: int) -> None:
        if post.campaign != token:
            return
        if post.campaign_round[1] >= self.success:
            self._start_campaign(post)  # re-advertised
            return
        now = self.council.now
        month = self._month_of(now)
        if self.max_starters_per_month is not None:
            while self.starts_by_month.get(month, 0) >= self.max_starters_per_month:
                month += 1
        self.starts_by_month[month] = self.starts_by_month.get(month, 0) + 1
        post.start_month = month
        self.council.later(max(0.0, self._first_day_of(month) - now), self._starter_arrives,
                           post, token)

    def _month_of(self, day: float) -> int:
        """The calendar month (year x 12 + month - 1) of day number `day` (days since start)."""
        when = self.start_date + timedelta(days=math.floor(day))
        return when.year * 12 + when.month - 1

    def _first_day_of(self, month: int) -> float:
        """The day number of the first day of calendar month `month` (as from `_month_of`)."""
        return self._day_number(date(month // 12, month % 12 + 1, 1))

    def _day_number(self, when: date) -> float:
        """Days from the scenario's start to the date `when`."""
        return float((when - self.start_date).days)

    def _end_campaign(self, post: Post) -> None:
        """The post's campaign stops; a booked start is cancelled and frees its month's slot."""
        post.campaign = 0
        if post.start_month is not None:
            self.starts_by_month[post.start_month] -= 1
            post.start_month = None

    def _starter_arrives(self, post: Post, token: int) -> None:
        if post.campaign != token:
            return
        post.campaign = 0
        post.start_month = None
        self.vacant -= 1
        self._end_notice(post)
        u = post.campaign_round[2]
        level = "nqsw" if u < self.nqsw_share else (
            "senior" if u < self.nqsw_share + self.senior_share else "sw")
        council = self.council
        council.counts.starters += 1
        council.costs.recruitment_spent += council.costs.recruitment_per_hire
        self.start_permanent(post, level, ramp=True)

    # newly qualified cohort --------------------------------------------------------------------
    def _schedule_cohort(self, after_day: float) -> None:
        """Book the next cohort's day: the cohort's month and day on or after `after_day`."""
        year = (self.start_date + timedelta(days=math.floor(after_day))).year
        day = self._day_number(date(year, self.cohort.month, self.cohort.day))
        if day < after_day:
            day = self._day_number(date(year + 1, self.cohort.month, self.cohort.day))
        if day < self.council.last_day:
            self.council.at_day(day, self._cohort_arrives)

    def _cohort_arrives(self) -> None:
        """The year's newly qualified cohort starts in the posts vacant longest (still advertised,
        no starter booked), as many as the cohort's size; the rest are not hired."""
        council = self.council
        open_posts = [p for p in self.posts
                      if p.holder is None and p.campaign and p.start_month is None]
        open_posts.sort(key=lambda p: p.vacant_since)
        for post in open_posts[:self.cohort.size]:
            self._end_campaign(post)
            self.vacant -= 1
            self._end_notice(post)
            council.counts.starters += 1
            council.costs.recruitment_spent += council.costs.recruitment_per_hire
            self.start_permanent(post, "nqsw", ramp=True)
        self._schedule_cohort(council.now + 1.0)

    # establishment changes ---------------------------------------------------------------------
    def add_posts(self, count_: int) -> None:
        now = self.council.now
        for _ in range(count_):
            self._open_vacancy(self._new_post(post_key("added", self._posts_added)),
                               cover_from_day=now)
            self._posts_added += 1

    def _new_post(self, key: tuple[int, int]) -> Post:
        """A new funded post drawing its random numbers from the streams of `key`."""
        post = Post(key, self.post_streams.for_post(key))
        self.posts[post] = None
        return post

    def remove_posts(self, count_: int) -> None:
        """Close vacancies (uncovered first), then mark held posts to go when their holder leaves."""
        vacant = sorted((p for p in self.posts if p.holder is None),
                        key=lambda p: p.agency is not None)
        for post in vacant[:count_]:
            self._end_campaign(post)
            post.cover = 0
            self._end_notice(post)
            if post.agency is not None:
                self._release_agency(post)
            self.posts.pop(post, None)
            self.vacant -= 1
        remaining = count_ - min(count_, len(vacant))
        for post in self.posts:
            if remaining == 0:
                break
            if not post.doomed:
                post.doomed = True
                self.doomed += 1
                remaining -= 1
