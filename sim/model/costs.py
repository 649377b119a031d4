"""Costs in £, accrued continuously from rates that change with the state."""
from __future__ import annotations

from sim.model.units import DAYS_PER_YEAR

DAYS_PER_WEEK = 7.0


class Accrual:
    """£ accumulated from a rate (£/day) that changes at event times."""

    __slots__ = ("rate", "since", "total")

    def __init__(self, day: float) -> None:
        self.rate = 0.0
        self.total = 0.0
        self.since = day

    def add_rate(self, day: float, delta_per_day: float) -> None:
        self.set_rate(day, self.rate + delta_per_day)

    def set_rate(self, day: float, rate_per_day: float) -> None:
        self.total += self.rate * (day - self.since)
        self.since = day
        self.rate = rate_per_day

    def total_at(self, day: float) -> float:
        return self.total + self.rate * (day - self.since)


class Costs:
    """Pay, agency, recruitment and placement costs of one replication (£)."""

    def __init__(self, scenario, day: float) -> None:
        settings = scenario.costs
        on_costs = 1.0 + settings.on_cost_share
        salaries = settings.salary_per_year
        self._pay_per_day = {
            level: getattr(salaries, level) * on_costs / DAYS_PER_YEAR
            for level in ("nqsw", "sw", "senior", "manager")
        }
        self.agency_per_day = (salaries.sw * on_costs + settings.agency_premium_per_year
                               ) / DAYS_PER_YEAR
        self.recruitment_per_hire = settings.recruitment_per_hire
        self.placement_per_child_day = sum(
            p.share * p.weekly for p in settings.placements.values()) / DAYS_PER_WEEK
        self.staff = Accrual(day)
        self.agency = Accrual(day)
        self.recruitment_spent = 0.0

    def pay_per_day(self, level: str) -> float:
        """Pay and on-costs of one permanent worker of `level` (or "manager"), £/day."""
        return self._pay_per_day[level]

    def totals(self, day: float) -> tuple[float, float, float]:
        """Cumulative £ staff, agency, recruitment up to `day` (placements follow the children in
        care: `sim.model.stage_history.StageHistory.placement_costs`)."""
        return self.staff.total_at(day), self.agency.total_at(day), self.recruitment_spent
