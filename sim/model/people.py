"""The people and posts of the workforce."""
from __future__ import annotations

PERMANENT, AGENCY = "permanent", "agency"


class Worker:
    """A case-holding social worker, permanent or agency.

    level: "nqsw" | "sw" | "senior" ("agency" for agency workers); cap: current caseload cap
    (reduced while ramping up); started: the day they joined; n: cases held; cases: the cases held
    (a dict used as an ordered set); version: bumps on every change (-1 once gone or on notice,
    when they take no new case); post: the post they hold (or leave, while on notice).
    """

    __slots__ = (
        "cap",
        "cases",
        "gone",
        "kind",
        "last_allocation_day",
        "level",
        "n",
        "on_notice",
        "post",
        "ramping",
        "started",
        "version",
    )

    def __init__(self, kind: str, level: str, cap: float, day: float) -> None:
        self.kind = kind
        self.level = level
        self.cap = cap
        self.n = 0
        self.cases: dict = {}  # insertion-ordered, so runs are reproducible
        self.started = day
        self.last_allocation_day = day
        self.version = 0
        self.post: Post | None = None
        self.ramping = False
        self.on_notice = False
        self.gone = False


class Post:
    """A funded case-holding post: its permanent holder, its agency cover, its recruitment.

    campaign / cover: tokens of the running campaign and of the pending agency cover (0 = none), so a
    superseded timer recognises itself; doomed: removed by policy, to go when its holder leaves;
    leaver: its last holder while they work their notice (None otherwise); notice_ends: the day its
    last holder went or goes (-inf if it never had one).
    key: the key of the post's streams (`post_draws.post_key`); draws: the post's own random numbers
    (`PostDraws`); campaign_round / agency_round: the rounds
    of the current campaign and agency request. cover_point: the vacancy spell's fixed point, so
    that the vacancy wants agency cover while the share in force is above it (agency_wanted);
    vacant_since: the day the vacancy opened; start_month: the calendar month of the starter's
    booked start (None if no start is booked). beyond: a slot of agency cover beyond vacancies
    (`sim.model.agency`), not a funded post: never held, never advertised.
    """

    __slots__ = ("agency", "agency_round", "agency_wanted", "beyond", "campaign", "campaign_round",
                 "cover", "cover_point", "doomed", "draws", "holder", "key", "leaver",
                 "notice_ends", "start_month", "vacant_since")

    def __init__(self, key: tuple[int, int], draws) -> None:
        self.key, self.draws = key, draws
        self.campaign_round = (0.0, 0.0, 0.0)
        self.agency_round = (0.0, 0.0)
        self.cover_point = 1.0
        self.vacant_since = 0.0
        self.start_month: int | None = None
        self.holder: Worker | None = None
        self.leaver: Worker | None = None
        self.notice_ends = float("-inf")
        self.agency: Worker | None = None
        self.campaign = 0
        self.cover = 0
        self.doomed = False
        self.agency_wanted = False
        self.beyond = False
