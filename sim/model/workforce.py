"""Posts and people: recruitment campaigns, starters, leavers, agency cover, progression, caps.

Posts (the funded establishment) are separate from people. A post is held by a permanent worker or
vacant; a vacant post runs a recruitment campaign and may be covered by an agency worker. A
resigning worker's post starts recruiting at notice, so recruitment overlaps the notice period; the
worker keeps their cases until they go but takes no new ones. The post counts as under notice (not
yet vacant) until they go or a successor starts; agency cover starts only after they go. A
permanent starter releases the post's agency worker, if any. A vacancy's agency cover follows a
number fixed for the vacancy spell, compared with the share in force. Starters per month are
counted by the calendar months of the scenario's dates; an optional cohort of newly qualified
starters fills vacancies on a date each year.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from collections.abc import Callable
from itertools import count

import numpy as np

from sim.model.caps import DEFAULT_CAPS
from sim.model.people import AGENCY, PERMANENT, Post, Worker
from sim.model.post_draws import GROUPS, PostStreams, post_key
from sim.model.streams import INITIAL_PROGRESSION, stream
from sim.model.units import DAYS_PER_YEAR


class Workforce:
    """Case-holding social workers in post, posts, and the processes that change them."""

    def __init__(self, council, scenario, post_streams: PostStreams) -> None:
        self.council = council
        settings = scenario.workforce
        self.caps = dict(DEFAULT_CAPS)
        self.caps.update({level: spec.cap for level, spec in settings.levels.items()})
        self.agency_cap = settings.agency.cap
        self.progression_days = settings.progression_days
        self.ramp_days = settings.ramp_up.days
        self.ramp_share = settings.ramp_up.cap_share
        recruitment = settings.recruitment
        self.success = recruitment.success
        self.nqsw_share, self.senior_share = recruitment.nqsw_share, recruitment.senior_share
        self.max_starters_per_month = recruitment.max_starters_per_month
        self.cohort = recruitment.cohort
        self.start_date = scenario.start
        agency = settings.agency
        self.cover, self.max_share = agency.cover, agency.max_share
        # an agency worker's stay (days): exponential at the agency leaving rate; None = for good
        self.agency_stay_mean = (DAYS_PER_YEAR / agency.annual_turnover
                                 if agency.annual_turnover > 0 else None)
        self.post_streams = post_streams

        self.posts: dict[Post, None] = {}  # dicts as ordered sets: reproducible runs
        self.doomed = 0
        self.vacant = 0  # posts without a holder: recruiting, under notice or not
        self.under_notice = 0  # of which posts whose last holder is still working notice
        self.workers: dict[Worker, None] = {}
        self.n_permanent = self.n_agency = self.n_nqsw = 0
        self.starts_by_month: dict[int, int] = {}  # starters booked by calendar month
        self.refused: dict[Post, None] = {}  # vacancies whose agency cover found no room
        self._tokens = count(1)
        self._posts_added = 0

    # sizes -------------------------------------------------------------------------------------
    @property
    def establishment(self) -> int:
        return len(self.posts) - self.doomed

    @property
    def vacancies(self) -> int:
        """Funded posts without a permanent worker in post (a worker on notice is in post)."""
        return self.vacant - self.under_notice

    def cap_for(self, worker: Worker) -> float:
        if worker.kind == AGENCY:
            cap = self.agency_cap if self.agency_cap is not None else self.caps["sw"]
        else:
            cap = self.caps[worker.level]
        return cap * self.ramp_share if worker.ramping else cap

    # joining and leaving -----------------------------------------------------------------------
    def _join(self, worker: Worker) -> None:
        self.workers[worker] = None
        council = self.council
        council.allocator.add_worker(worker)
        if worker.kind == PERMANENT:
            self.n_permanent += 1
            self.n_nqsw += worker.level == "nqsw"
            council.turnover.add(worker, worker.post.draws.turnover)
            council.costs.staff.add_rate(council.now, council.costs.pay_per_day(worker.level))
        else:
            self.n_agency += 1
            council.costs.agency.add_rate(council.now, council.costs.agency_per_day)
        council.staff_changed()
        council.allocator.allocate()

    def _leave(self, worker: Worker) -> None:
        worker.gone = True
        self.workers.pop(worker, None)
        council = self.council
        council.allocator.remove_worker(worker)
        if worker.kind == PERMANENT:
            self.n_permanent -= 1
            self.n_nqsw -= worker.level == "nqsw"
            council.costs.staff.add_rate(council.now, -council.costs.pay_per_day(worker.level))
        else:
            self.n_agency -= 1
            council.costs.agency.add_rate(council.now, -council.costs.agency_per_day)
        council.staff_changed()
        council.release_cases(worker)

    def start_permanent(self, post: Post, level: str, ramp: bool,
                        progression_in_days: float | None = None) -> Worker:
        """A permanent worker takes `post` (releasing its agency cover)."""
        worker = Worker(PERMANENT, level, 0.0, self.council.now)
        worker.ramping = ramp and self.ramp_days > 0
        worker.cap = self.cap_for(worker)
        worker.post, post.holder = post, worker
        post.cover, post.agency_wanted = 0, False
        if post.agency is not None:
            self._release_agency(post)
        self._join(worker)
        if level == "nqsw":
            delay = self.progression_days if progression_in_days is None else progression_in_days
            self.council.later(delay, self._progress, worker)
        if worker.ramping:
            self.council.later(self.ramp_days, self._ramp_done, worker)
        self._offer_room()
        return worker

    def resign(self, worker: Worker, notice_days: float) -> None:
        """A permanent worker hands in notice: they take no new cases, their post starts
        recruiting now (under notice), they go in `notice_days`."""
        council = self.council
        council.turnover.remove(worker)
        council.allocator.remove_worker(worker)
        worker.on_notice = True
        council.later(notice_days, self._depart, worker)
        post = worker.post
        post.holder = None
        if post.doomed:
            self.posts.pop(post, None)
            self.doomed -= 1
        else:
            post.leaver = worker
            post.notice_ends = council.now + notice_days
            self.under_notice += 1
            self._open_vacancy(post, cover_from_day=post.notice_ends)

    def _end_notice(self, post: Post) -> None:
        """The post is no longer under notice (its leaver went, a successor started, or it
        closed)."""
        if post.leaver is not None:
            post.leaver = None
            self.under_notice -= 1

    def _depart(self, worker: Worker) -> None:
        self.council.counts.leavers += 1
        if worker.post.leaver is worker:
            self._end_notice(worker.post)
        self._leave(worker)

    def _progress(self, worker: Worker) -> None:
        if worker.gone:
            return
        costs, now = self.council.costs, self.council.now
        costs.staff.add_rate(now, costs.pay_per_day("sw") - costs.pay_per_day("nqsw"))
        worker.level = "sw"
        self.n_nqsw -= 1
        self._recap(worker)

    def _ramp_done(self, worker: Worker) -> None:
        if not worker.gone:
            worker.ramping = False
            self._recap(worker)

    def _recap(self, worker: Worker) -> None:
        worker.cap = self.cap_for(worker)
        self.council.allocator.touch(worker)
        self.council.turnover.hazard_changed(worker)
        self.council.allocator.allocate()

    # recruitment -------------------------------------------------------------------------------
    def _open_vacancy(self, post: Post, cover_from_day: float,
                      first_campaign_days: float | None = None,
                      cover_point: Callable[[float], float] | None = None) -> None:
        """A vacancy spell begins: the post is advertised and draws its spell's cover point (its
        cover uniform, or `cover_point` of it); if that is below the share in force and the post
        has no agency worker, one is asked for to start from `cover_from_day` (a day number)."""
        self.vacant += 1
        post.vacant_since = self.council.now
        drawn = post.draws.cover()[0]
        post.cover_point = drawn if cover_point is None else cover_point(drawn)
        self._start_campaign(post, first_campaign_days)
        post.agency_wanted = post.cover_point < self.cover
        if post.agency_wanted and post.agency is None:
            self._request_agency(post, cover_from_day)

    def _start_campaign(self, post: Post, days: float | None = None) -> None:
        """Advertise `post`: the campaign ends after a time to hire (or `days`) in days."""
        post.campaign = token = next(self._tokens)
        post.campaign_round = post.draws.campaign()
        self.council.later(post.campaign_round[0] if days is None else days,
                           self._campaign_ends, post, token)

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

    # newly qualified cohort ----------------------------------------------------------------------
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

    # agency cover ------------------------------------------------------------------------------
    def _request_agency(self, post: Post, from_day: float) -> None:
        """Ask for an agency worker, who arrives a start delay after `from_day` (a day number) or
        after the post's last holder goes, if later; every request (a first one, a replacement, a
        refused one asked again) takes the post's next agency round."""
        post.agency_round = post.draws.agency()
        post.cover = token = next(self._tokens)
        delay = max(0.0, from_day - self.council.now, post.notice_ends - self.council.now
                    ) + post.agency_round[0]
        self.council.later(delay, self._agency_arrives, post, token)

    def _agency_room(self) -> bool:
        staff = self.n_permanent + self.n_agency + 1
        return self.n_agency + 1 <= self.max_share * staff + 1e-9

    def _agency_arrives(self, post: Post, token: int) -> None:
        if post.cover != token:
            return
        post.cover = 0
        if post.holder is not None or post.campaign == 0:
            return
        if not self._agency_room():
            self.refused[post] = None  # asked again when room appears under max_share
            return
        self.start_agency(post)

    def _offer_room(self) -> None:
        """Ask again for cover of vacancies refused for lack of room under `max_share`."""
        while self.refused and self._agency_room():
            post = next(iter(self.refused))
            del self.refused[post]
            if (post.campaign and post.holder is None and post.agency is None
                    and post.agency_wanted and not post.cover):
                self._request_agency(post, self.council.now)

    def start_agency(self, post: Post) -> Worker:
        """An agency worker covers `post`; they stay an exponential time (the post's agency
        round), for good if agency workers never leave."""
        worker = Worker(AGENCY, "agency", 0.0, self.council.now)
        worker.cap = self.cap_for(worker)
        worker.post, post.agency = post, worker
        self._join(worker)
        if self.agency_stay_mean is not None:
            self.council.later(self.agency_stay_mean * post.agency_round[1],
                               self._agency_leaves, worker)
        return worker

    def _agency_leaves(self, worker: Worker) -> None:
        if worker.gone:
            return
        post = worker.post
        post.agency = None
        self._leave(worker)
        if post.campaign and post.holder is None and post.agency_wanted:
            self._request_agency(post, self.council.now)  # the agency sends a replacement
        self._offer_room()

    def _release_agency(self, post: Post) -> None:
        worker, post.agency = post.agency, None
        self._leave(worker)
        self._offer_room()

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

    def set_caps(self, caps: dict[str, float]) -> None:
        self.caps.update(caps)
        for worker in self.workers:
            worker.cap = self.cap_for(worker)
        self.council.allocator.rekey_all(self.workers)
        for worker in self.workers:
            self.council.turnover.hazard_changed(worker)

    def set_agency(self, cover: float | None, max_share: float | None,
                   release_excess: bool) -> None:
        now = self.council.now
        if max_share is not None:
            self.max_share = max_share
            self._offer_room()
        if cover is not None and cover != self.cover:
            self.cover = cover
            for post in list(self.posts):
                if post.campaign and post.holder is None:
                    self._cover_share_changed(post, now)
            self._offer_room()
        if release_excess:
            covered = [p for p in self.posts if p.agency is not None]
            while covered and self.n_agency > self.max_share * (self.n_permanent + self.n_agency):
                post = covered.pop()
                post.agency_wanted = False
                self._release_agency(post)

    def _cover_share_changed(self, post: Post, now: float) -> None:
        """The vacancy wants cover while the share in force is above its spell's fixed point; a
        newly wanted one asks for an agency worker unless one is on the way or it waits for room
        under `max_share` (then it is asked again when room appears, not decided afresh)."""
        post.agency_wanted = post.cover_point < self.cover
        if (post.agency_wanted and post.agency is None and not post.cover
                and post not in self.refused):
            self._request_agency(post, now)

    # the starting state ------------------------------------------------------------------------
    def start(self, scenario, root_seed: int, rep: int) -> None:
        """Posts, permanent staff by level, agency cover and running campaigns at the start.

        Each post's numbers come from its group's streams (`post_key`); the NQSWs in post are part
        way to progression (a uniform share of `progression_days` from their own stream)."""
        settings = scenario.workforce
        council = self.council
        for level, spec in settings.levels.items():
            progression = (stream(root_seed, rep, "initial", INITIAL_PROGRESSION, GROUPS[level])
                           .random(spec.in_post) * self.progression_days).tolist()
            for i in range(spec.in_post):
                self.start_permanent(self._new_post(post_key(level, i)), level, ramp=False,
                                     progression_in_days=progression[i])
        vacant = [self._new_post(post_key("vacant", i))
                  for i in range(settings.establishment - settings.permanent_in_post())]
        covered = settings.agency_in_post
        uncovered = len(vacant) - covered
        # the chance an uncovered vacancy is still due its agency worker, so that a share `cover`
        # of all vacancies is covered or on the way, as in the steady state
        catch_up = min(1.0, max(0.0, (self.cover * len(vacant) - covered) / uncovered)
                       ) if uncovered else 0.0
        for i, post in enumerate(vacant):
            if i < covered:  # covered at the start: wants cover at any share above 0
                post.agency_round = post.draws.agency()
                self.start_agency(post)
            self._open_vacancy(
                post, council.now, self.post_streams.campaign_under_way_days(post.key),
                (lambda _u: 0.0) if i < covered
                else (lambda u: catch_up_point(u, catch_up, self.cover)))
        if self.cohort.size:
            self._schedule_cohort(council.first_day)


def catch_up_point(u: float, catch_up: float, cover: float) -> float:
    """The cover point of a vacancy uncovered at the start, from its uniform `u`: below `cover`
    with probability `catch_up`, increasing in `u` and uniform on each side of `cover`, so that a
    later change of the share moves it as it moves any other vacancy."""
    return float(np.interp(u, [0.0, catch_up, 1.0], [0.0, cover, 1.0]))
