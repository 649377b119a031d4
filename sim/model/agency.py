"""Agency cover of vacancies and beyond them: requests, arrivals, room under the agency share,
leaving and release.

A vacancy's agency cover follows a point fixed for the vacancy spell, compared with the share in
force. An agency worker arrives a start delay after the request (or after the post's last holder
goes, if later), unless the post no longer needs one; with no room under `max_share` the vacancy
waits and is asked again when room appears. A permanent starter releases the post's agency worker.

Beyond vacancies (`agency.beyond_vacancies`, FTE): agency case-holders the council keeps on top of
vacancy cover (absence, sickness, extra demand), in slots that are not posts (no establishment,
no vacancy, no campaign). A slot's worker leaves at the agency leaving rate and is replaced after
the agency start delay, like a vacancy's, and waits for room under `max_share` like one; so a slot
has a worker a share p = mean stay / (mean stay + mean start delay) of the time (an alternating
renewal process), and the council keeps round(level x the walk's multiplier / p) slots, which hold
the level x the multiplier on average (the walk: `agency.yearly_change_sd`, `sim.model.drift`: step
k taken half a year into year k of the run, so that each census, a year after the one before, is
one step of the walk from it, as DfE's censuses are in the panel the step is estimated from). At
the start round(level) slots have a worker and the others, in the steady state, wait for theirs
the residual of a start delay. When the level falls the newest slots
close at once (their workers released), when it rises new slots ask for a worker.
With `agency.walk_scope` "all" the walk moves vacancy cover too: the share in force is `cover`
x the multiplier (at most 1), so that all the council's agency workers follow the walk, as DfE's
agency FTE does in the panel its step is estimated from (`sim.data.panel.agency_walk`); vacancies
then decide afresh against their spell's point, as for a new share set by `set_agency`, and those
a fall of the walk leaves above the share release their agency worker at once, as closing slots
do (so the walk moves the vacancies' agency workers down as fast as up; a `set_agency` cover lets
them stay until they leave).
The agency workers the walk moves follow the council's caseload too (`agency.caseload_response`
g > 0): at each step the multiplier in force is the walk's times a response that is multiplied
then by (open cases per case-holder now / the typical caseload)^g, the ratio kept within
1/MAX_CASELOAD_RATIO to MAX_CASELOAD_RATIO (assumption: a council beyond four times the typical
caseload, or below a quarter of it, responds as at the bound; with no case-holders, the upper
bound). The typical caseload is the start's (its stock allocated) times
`agency.typical_caseload_ratio`: a baseline gives England's typical council's over the council's,
so that a council whose caseload stands above England's typical adds agency workers year by year
and one below sheds them, as DfE's councils' agency FTE does
(`sim.data.panel.agency_caseload_response`).
With no walk the steps are still taken, the walk's multiplier 1.
`set_agency` may set a new level, or a new cover (times the multiplier in force when the walk
moves cover); its `release_excess` releases slot workers first (newest
first), whose slots then wait for room under `max_share` (they come back only within it).
`AgencyCover` is the part of `sim.model.workforce.Workforce` that does this.
"""
from __future__ import annotations

import numpy as np

from sim.model.distributions import mean_of
from sim.model.people import AGENCY, Post, Worker
from sim.model.post_draws import post_key
from sim.model.units import DAYS_PER_YEAR

MAX_CASELOAD_RATIO = 4.0


class AgencyCover:
    """Agency workers covering vacancies and kept beyond them: a part of `Workforce` (which holds
    the council, the tokens, the staff counts, the post streams, and joins and leaves)."""

    def _init_agency(self, agency) -> None:
        """`agency`: the scenario's `[workforce.agency]`."""
        self.cover, self.max_share = agency.cover, agency.max_share
        self.cover_before_walk = agency.cover  # the share the walk's multiplier moves
        self.walk_moves_cover = agency.walk_scope == "all"
        # an agency worker's stay (days): exponential at the agency leaving rate; None = for good
        self.agency_stay_mean = (DAYS_PER_YEAR / agency.annual_turnover
                                 if agency.annual_turnover > 0 else None)
        self.refused: dict[Post, None] = {}  # vacancies and slots whose cover found no room
        self.beyond_level = agency.beyond_vacancies  # FTE beyond vacancies, before the walk
        # the share of the time a slot beyond vacancies has a worker (leaving and replacement)
        start_days = mean_of(agency.start_days)
        self.slot_presence = (self.agency_stay_mean / (self.agency_stay_mean + start_days)
                              if self.agency_stay_mean is not None and start_days > 0 else 1.0)
        self.beyond_factor = 1.0  # the multiplier in force: the walk's times the response's
        self.caseload_response = agency.caseload_response
        self.typical_caseload_ratio = agency.typical_caseload_ratio
        self.typical_caseload: float | None = None  # cases per case-holder; set at the start
        self.response_factor = 1.0  # the caseload response's multiplier so far
        self.beyond: list[Post] = []  # slots of agency cover beyond vacancies, oldest first
        self._slots_made = 0

    def _needs_agency(self, post: Post) -> bool:
        """A slot while kept; a vacancy while it has no holder and is advertised."""
        if post.beyond:
            return post.agency_wanted
        return post.holder is None and post.campaign != 0

    def _request_agency(self, post: Post, from_day: float) -> None:
        """Ask for an agency worker, who arrives a start delay after `from_day` (a day number) or
        after the post's last holder goes, if later; every request (a first one, a replacement, a
        refused one asked again) takes the post's next agency round."""
        post.agency_round = post.draws.agency()
        delay = max(0.0, from_day - self.council.now, post.notice_ends - self.council.now
                    ) + post.agency_round[0]
        self._agency_due(post, delay)

    def _agency_due(self, post: Post, delay_days: float) -> None:
        """An agency worker for `post` is due in `delay_days` (a later request supersedes it)."""
        post.cover = token = next(self._tokens)
        self.council.later(delay_days, self._agency_arrives, post, token)

    def _agency_room(self) -> bool:
        staff = self.n_permanent + self.n_agency + 1
        return self.n_agency + 1 <= self.max_share * staff + 1e-9

    def _agency_arrives(self, post: Post, token: int) -> None:
        if post.cover != token:
            return
        post.cover = 0
        if not self._needs_agency(post):
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
            if (self._needs_agency(post) and post.agency is None and post.agency_wanted
                    and not post.cover):
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
        if self._needs_agency(post) and post.agency_wanted:
            self._request_agency(post, self.council.now)  # the agency sends a replacement
        self._offer_room()

    def _release_agency(self, post: Post) -> None:
        worker, post.agency = post.agency, None
        self._leave(worker)
        self._offer_room()

    def set_agency(self, cover: float | None, max_share: float | None,
                   release_excess: bool, beyond_vacancies: float | None = None) -> None:
        """A policy action: a new cover share (times the walk's multiplier in force when the
        walk moves cover; vacancies decide afresh against their spell's point), a new `max_share`
        (waiting vacancies get room), a new level of agency FTE beyond vacancies (times the
        walk's multiplier in force), and optionally agency workers released down to `max_share`:
        beyond vacancies first (newest slot first, the slot then waits for room), then
        vacancies' (the newest posts first)."""
        if beyond_vacancies is not None:
            self.beyond_level = beyond_vacancies
            self._keep_slots(self.beyond_factor)
        if max_share is not None:
            self.max_share = max_share
            self._offer_room()
        if cover is not None:
            self.cover_before_walk = cover
            self._set_cover(self._walked_cover())
        if release_excess:
            covered = [p for p in self.posts if p.agency is not None]
            covered += [slot for slot in self.beyond if slot.agency is not None]
            while covered and self.n_agency > self.max_share * (self.n_permanent + self.n_agency):
                post = covered.pop()
                post.agency_wanted = post.beyond  # a slot stays, a vacancy's cover stops
                self._release_agency(post)
                if post.beyond:
                    self.refused[post] = None  # back when room appears under max_share

    def _walked_cover(self) -> float:
        """The share of vacancies covered in force: `cover`, times the walk's multiplier (at
        most 1) when the walk moves cover."""
        if not self.walk_moves_cover:
            return self.cover_before_walk
        return min(1.0, self.cover_before_walk * self.beyond_factor)

    def _set_cover(self, cover: float) -> None:
        """A new share of vacancies covered: advertised vacancies decide afresh against their
        spell's point, and those refused for lack of room are asked again."""
        if cover == self.cover:
            return
        self.cover = cover
        now = self.council.now
        for post in list(self.posts):
            if post.campaign and post.holder is None:
                self._cover_share_changed(post, now)
        self._offer_room()

    def _cover_share_changed(self, post: Post, now: float) -> None:
        """The vacancy wants cover while the share in force is above its spell's fixed point; a
        newly wanted one asks for an agency worker unless one is on the way or it waits for room
        under `max_share` (then it is asked again when room appears, not decided afresh)."""
        post.agency_wanted = post.cover_point < self.cover
        if (post.agency_wanted and post.agency is None and not post.cover
                and post not in self.refused):
            self._request_agency(post, now)

    # beyond vacancies ---------------------------------------------------------------------------
    def start_beyond(self, multipliers: np.ndarray | None, years: int) -> None:
        """The slots beyond vacancies at the start, in the steady state: round(level) have a
        worker, the others wait the residual of a start delay for theirs; their number changes
        half a year into each year k = 1 ... `years` of the run by the walk's `multipliers`
        (entry k: year k; None: no walk) and the caseload response (module docstring)."""
        in_post = round(self.beyond_level)
        for i in range(self._slots_for(1.0)):
            slot = self._new_slot()
            slot.agency_round = slot.draws.agency()
            if i < in_post:
                self.start_agency(slot)
            else:
                self._agency_due(slot, self.post_streams.agency_under_way_days(slot.key))
        if multipliers is None and not self.caseload_response:
            return
        for year in range(1, years + 1):
            walk = 1.0 if multipliers is None else float(multipliers[year])
            self.council.at_day((year - 0.5) * DAYS_PER_YEAR, self._yearly_step, walk)

    def fix_typical_caseload(self) -> None:
        """The open cases per case-holder now, the start (its stock allocated), times
        `typical_caseload_ratio`, become the typical caseload the response compares with; none
        (no response) while `caseload_response` is 0 or the council starts without cases or
        case-holders."""
        holders, open_cases = len(self.workers), self.council.pathway.open_cases
        if self.caseload_response and holders and open_cases:
            self.typical_caseload = open_cases / holders * self.typical_caseload_ratio

    def _yearly_step(self, walk: float) -> None:
        """A step half a year into a year: the walk's multiplier of the year (`walk`) times the
        caseload response so far, multiplied now by (caseload / typical)^g."""
        if self.typical_caseload is not None:
            holders = len(self.workers)
            ratio = (self.council.pathway.open_cases / holders / self.typical_caseload
                     if holders else MAX_CASELOAD_RATIO)
            ratio = min(MAX_CASELOAD_RATIO, max(1.0 / MAX_CASELOAD_RATIO, ratio))
            self.response_factor *= ratio ** self.caseload_response
        self._keep_slots(walk * self.response_factor)

    def _slots_for(self, factor: float) -> int:
        """The slots that hold the level beyond vacancies x `factor` on average."""
        return round(self.beyond_level * factor / self.slot_presence)

    def _new_slot(self) -> Post:
        """A new slot beyond vacancies, wanting cover, with its own streams (group "beyond")."""
        key = post_key("beyond", self._slots_made)
        slot = Post(key, self.post_streams.for_post(key))
        self._slots_made += 1
        slot.beyond = slot.agency_wanted = True
        self.beyond.append(slot)
        return slot

    def _keep_slots(self, factor: float) -> None:
        """Keep the slots that hold the level x `factor`: new ones ask for a worker (after the
        start delay), the newest close at once, releasing their worker or cancelling their
        request; when the walk moves cover, the share in force follows `factor` too."""
        self.beyond_factor = factor
        wanted = self._slots_for(factor)
        while len(self.beyond) < wanted:
            self._request_agency(self._new_slot(), self.council.now)
        while len(self.beyond) > wanted:
            slot = self.beyond.pop()
            slot.agency_wanted, slot.cover = False, 0
            self.refused.pop(slot, None)
            if slot.agency is not None:
                self._release_agency(slot)
        if self.walk_moves_cover:
            before = self.cover
            self._set_cover(self._walked_cover())
            # as slots close: the vacancies the fall leaves above the share release their worker
            for post in [p for p in self.posts
                         if p.agency is not None and self.cover <= p.cover_point < before]:
                self._release_agency(post)
