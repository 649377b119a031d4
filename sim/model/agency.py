"""Agency cover of vacancies: requests, arrivals, room under the agency share, leaving and release.

A vacancy's agency cover follows a point fixed for the vacancy spell, compared with the share in
force. An agency worker arrives a start delay after the request (or after the post's last holder
goes, if later), unless the post no longer needs one; with no room under `max_share` the vacancy
waits and is asked again when room appears. A permanent starter releases the post's agency worker.
`AgencyCover` is the part of `sim.model.workforce.Workforce` that does this.
"""
from __future__ import annotations

from sim.model.people import AGENCY, Post, Worker
from sim.model.units import DAYS_PER_YEAR


class AgencyCover:
    """Agency workers covering vacancies: a part of `Workforce` (which holds the council, the
    tokens, the staff counts, and joins and leaves)."""

    def _init_agency(self, agency) -> None:
        """`agency`: the scenario's `[workforce.agency]`."""
        self.cover, self.max_share = agency.cover, agency.max_share
        # an agency worker's stay (days): exponential at the agency leaving rate; None = for good
        self.agency_stay_mean = (DAYS_PER_YEAR / agency.annual_turnover
                                 if agency.annual_turnover > 0 else None)
        self.refused: dict[Post, None] = {}  # vacancies whose agency cover found no room

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

    def set_agency(self, cover: float | None, max_share: float | None,
                   release_excess: bool) -> None:
        """A policy action: a new cover share (vacancies decide afresh against their spell's
        point), a new `max_share` (waiting vacancies get room), and optionally agency workers
        released (the newest posts first) down to `max_share`."""
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
