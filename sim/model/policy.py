"""Dated policy actions applied to the running model.

Changes to referrals (`set_referrals`, `divert_referrals`) are known in advance and shape the
referral stream drawn up front (see demand.py); the others act on the workforce when their day
comes, before the sample of that day (they are scheduled before the recorder's samples, and SimPy
keeps the order of events due at the same time). Phased actions are applied in equal monthly steps
(the remainder spread over the first steps), the first at once on the action's day.
"""
from __future__ import annotations

import math

from sim.model.units import DAYS_PER_MONTH, DAYS_PER_YEAR

UP_FRONT = frozenset({"set_referrals", "divert_referrals"})
MONTHS_PER_YEAR = 12   # a year's establishment drift is phased over its months


def monthly_steps(total: int, over_months: int) -> list[int]:
    """Split a whole number of posts into `over_months` monthly steps (at least one step)."""
    steps = max(1, over_months)
    size, extra = divmod(abs(total), steps)
    sign = 1 if total >= 0 else -1
    return [sign * (size + (m < extra)) for m in range(steps)]


class Policy:
    """Schedules each action of the scenario at its day and applies it then."""

    def __init__(self, council, scenario) -> None:
        self.council = council
        self.start = scenario.start
        self.actions = [a for a in scenario.policy if a.do not in UP_FRONT]

    def schedule(self, last_day: float) -> None:
        for action in self.actions:
            day = action.day(self.start)
            if day <= last_day:
                self.council.at_day(day, getattr(self, "_" + action.do), action)

    def follow_establishment(self, path: list[int] | None, last_day: float) -> None:
        """Change the establishment to `path[k]` during year k of the run (k >= 1; from
        `sim.model.drift.establishment_path`), in twelve monthly steps, the first half a month
        into the year (so the start is the census's state and the year's change is made by the
        next census); None: nothing scheduled."""
        if path is None:
            return
        for year, (before, after) in enumerate(zip(path, path[1:]), start=1):
            day = (year - 1) * DAYS_PER_YEAR + DAYS_PER_MONTH / 2
            if after != before and day <= last_day:
                self.council.at_day(day, self._phase, after - before, MONTHS_PER_YEAR,
                                    self._change_posts)

    def _phase(self, total: int, over_months: int, apply) -> None:
        first, *following = monthly_steps(total, over_months)
        if first:
            apply(first)
        for month, amount in enumerate(following, start=1):
            if amount:
                self.council.later(month * DAYS_PER_MONTH, apply, amount)

    def _change_posts(self, amount: int) -> None:
        workforce = self.council.workforce
        if amount > 0:
            workforce.add_posts(amount)
        else:
            workforce.remove_posts(-amount)

    def _add_posts(self, action) -> None:
        workforce = self.council.workforce
        total = (action.count if action.count is not None
                 else round((action.share or 0.0) * workforce.establishment))
        self._phase(total, action.over_months, self._change_posts)
        managers = (action.managers if action.managers_share is None
                    else round(action.managers_share * self.council.managers.establishment))
        if managers:
            self._phase(managers, action.over_months, self.council.managers.add_posts)

    def _hire_to_caseload(self, action) -> None:
        council = self.council
        wanted = math.ceil(council.pathway.open_cases / action.target)
        extra = max(0, wanted - council.workforce.establishment)
        self._phase(extra, action.over_months, self._change_posts)

    def _set_cap(self, action) -> None:
        council = self.council
        caps = dict(action.caps) if action.caps else dict.fromkeys(("nqsw", "sw", "senior"),
                                                                   action.cap)
        council.workforce.set_caps(caps)
        if action.when_full is not None:
            council.allocator.hard_cap = action.when_full == "queue"
        council.allocator.allocate()

    def _set_agency(self, action) -> None:
        self.council.workforce.set_agency(action.cover, action.max_share, action.release_excess,
                                          action.beyond_vacancies)

    def _retention(self, action) -> None:
        self.council.turnover.set_shared_factors(retention=action.turnover_multiplier)
