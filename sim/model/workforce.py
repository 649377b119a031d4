"""Posts and people: the workforce's staff, joins and leaves, notice, progression, caps and the
starting state; posts and recruitment are in `sim.model.posts`, agency cover in `sim.model.agency`.

Posts (the funded establishment) are separate from people. A post is held by a permanent worker or
vacant; a vacant post runs a recruitment campaign and may be covered by an agency worker. A
resigning worker's post starts recruiting at notice, so recruitment overlaps the notice period; the
worker keeps their cases until they go but takes no new ones. The post counts as under notice (not
yet vacant) until they go or a successor starts; agency cover starts only after they go. A
permanent starter releases the post's agency worker, if any. NQSWs progress to social worker
after `progression_days`; starters hold a reduced cap while they ramp up.
"""
from __future__ import annotations

import math
from itertools import count
from typing import Any

import numpy as np

from sim.model.agency import AgencyCover
from sim.model.caps import DEFAULT_CAPS
from sim.model.distributions import mean_of, sample_residual
from sim.model.drift import AGENCY_WALK, walk_normals, yearly_multipliers
from sim.model.people import AGENCY, PERMANENT, Worker
from sim.model.post_draws import GROUPS, PostStreams, post_key
from sim.model.posts import Establishment
from sim.model.streams import INITIAL_NOTICE, INITIAL_PROGRESSION, stream


class Workforce(Establishment, AgencyCover):
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
        self.workers: dict[Worker, None] = {}
        self.n_permanent = self.n_agency = self.n_nqsw = 0
        self._tokens = count(1)  # of campaigns and agency requests: a stale event does nothing
        self._init_posts(scenario, post_streams)
        self._init_agency(settings.agency)

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

    def resign(self, worker: Worker, notice_days: float, notice_elapsed_days: float = 0.0) -> None:
        """A permanent worker hands in notice: they take no new cases, their post starts
        recruiting (under notice), they go in `notice_days`. A worker whose notice began
        `notice_elapsed_days` ago (at the start) has their post's campaign running since then."""
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
            self._open_vacancy(post, cover_from_day=post.notice_ends,
                               campaign_elapsed_days=notice_elapsed_days)

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

    def set_caps(self, caps: dict[str, float]) -> None:
        self.caps.update(caps)
        for worker in self.workers:
            worker.cap = self.cap_for(worker)
        self.council.allocator.rekey_all(self.workers)
        for worker in self.workers:
            self.council.turnover.hazard_changed(worker)

    # the starting state ------------------------------------------------------------------------
    def start(self, scenario, root_seed: int, rep: int) -> None:
        """Posts, permanent staff by level, agency cover (of vacancies and beyond them) and running
        campaigns at the start.

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
        steps = math.ceil(scenario.years)  # a step in every year of the run
        self.start_beyond(yearly_multipliers(settings.agency.yearly_change_sd, steps + 1,
                                             walk_normals(root_seed, rep, AGENCY_WALK)), steps)

    def start_notice(self, notice_days: Any, root_seed: int, rep: int) -> None:
        """Permanent workers already working notice at the start, as in the steady state (DfE
        counts them in post). A holder's cycle is a stay at hazard h (not on notice), then a
        notice N, so each is on notice with chance h E[N] / (1 + h E[N]), h their hazard at the
        start; their notice is length-biased (drawn from N's density x n / E[N]) and a uniform
        share of it is left (`sample_residual`), the elapsed rest is how long their post's campaign
        has run. Each post draws from its own stream (`INITIAL_NOTICE` and the post's key), so one
        post more or a change of hazard moves no other draw. Call it after the stock is allocated:
        they keep their cases."""
        hazard_per_day = self.council.turnover.hazard_per_day
        notice_mean_days = mean_of(notice_days)
        for worker in [w for w in self.workers if w.kind == PERMANENT]:
            rng = stream(root_seed, rep, "initial", INITIAL_NOTICE, *worker.post.key)
            chosen = rng.random()
            remaining, elapsed = sample_residual(notice_days, rng, 1)
            on_notice = hazard_per_day(worker) * notice_mean_days
            if chosen < on_notice / (1 + on_notice):
                self.resign(worker, float(remaining[0]), notice_elapsed_days=float(elapsed[0]))


def catch_up_point(u: float, catch_up: float, cover: float) -> float:
    """The cover point of a vacancy uncovered at the start, from its uniform `u`: below `cover`
    with probability `catch_up`, increasing in `u` and uniform on each side of `cover`, so that a
    later change of the share moves it as it moves any other vacancy."""
    return float(np.interp(u, [0.0, catch_up, 1.0], [0.0, cover, 1.0]))
