"""Team managers: posts, turnover, recruitment, and the span of control they leave behind.

Managers leave at a constant hazard and their posts are re-advertised; a wide span of control
(case-holders per manager in post) can raise social workers' turnover (`span_turnover_effect`).
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import count

import numpy as np

from sim.model.distributions import Draws, sample_residual
from sim.model.units import DAYS_PER_YEAR

# parts of the "managers" streams: stays, times to hire, campaigns under way at the start
STAYS, HIRE_DAYS, CAMPAIGNS_UNDER_WAY = 0, 1, 2


class Managers:
    """Manager posts and the managers in them (identical, so counted rather than named)."""

    def __init__(self, council, scenario, rng_for: Callable[[int], np.random.Generator]) -> None:
        """`rng_for(part)`: the stream of one part (STAYS, HIRE_DAYS, CAMPAIGNS_UNDER_WAY)."""
        settings = scenario.managers
        self.council = council
        self.modelled = settings.establishment > 0
        self.establishment = settings.establishment
        self.in_post = 0
        self.recruiting = 0
        self.span_reference = settings.span_reference
        self.span_effect = settings.span_turnover_effect
        self._stay_mean = (DAYS_PER_YEAR / settings.annual_turnover
                           if settings.annual_turnover > 0 else None)
        self._stays = rng_for(STAYS)
        self._under_way = rng_for(CAMPAIGNS_UNDER_WAY)
        self._time_to_hire_dist = settings.time_to_hire_days
        self._time_to_hire = Draws(settings.time_to_hire_days, rng_for(HIRE_DAYS))
        self._campaigns: set[int] = set()
        self._tokens = count(1)

    def start(self, in_post: int) -> None:
        for _ in range(in_post):
            self._arrive()
        vacancies = self.establishment - in_post
        remaining, _ = sample_residual(self._time_to_hire_dist, self._under_way, vacancies)
        for days in remaining.tolist():
            self._advertise(days)

    def span(self, case_holders: int) -> float:
        """Case-holding workers per manager in post (NaN when managers are not modelled)."""
        if not self.modelled:
            return float("nan")
        return case_holders / self.in_post if self.in_post else float("inf")

    def turnover_factor(self, case_holders: int) -> float:
        """Social workers' hazard multiplier from a wide span of control."""
        if not (self.modelled and self.span_effect):
            return 1.0
        span = self.span(case_holders)
        if span == float("inf"):
            span = case_holders / 0.5  # no manager at all: treat as half a manager
        return 1.0 + self.span_effect * max(0.0, span / self.span_reference - 1.0)

    def _arrive(self) -> None:
        self.in_post += 1
        council = self.council
        council.costs.staff.add_rate(council.now, council.costs.pay_per_day("manager"))
        if self._stay_mean is not None:
            council.later(float(self._stays.exponential(self._stay_mean)), self._leave)
        council.staff_changed()

    def _leave(self) -> None:
        council = self.council
        self.in_post -= 1
        council.costs.staff.add_rate(council.now, -council.costs.pay_per_day("manager"))
        if self.in_post + self.recruiting < self.establishment:
            self._advertise(self._time_to_hire())
        council.staff_changed()

    def _advertise(self, days: float) -> None:
        token = next(self._tokens)
        self._campaigns.add(token)
        self.recruiting += 1
        self.council.later(days, self._hired, token)

    def _hired(self, token: int) -> None:
        if token not in self._campaigns:
            return
        self._campaigns.discard(token)
        self.recruiting -= 1
        council = self.council
        council.costs.recruitment_spent += council.costs.recruitment_per_hire
        self._arrive()

    def add_posts(self, count_: int) -> None:
        """More (or, negative, fewer) manager posts: vacancies are advertised or withdrawn."""
        self.establishment = max(0, self.establishment + count_)
        self.modelled = self.modelled or self.establishment > 0
        while self.in_post + self.recruiting < self.establishment:
            self._advertise(self._time_to_hire())
        while self.recruiting and self.in_post + self.recruiting > self.establishment:
            self._campaigns.pop()
            self.recruiting -= 1
