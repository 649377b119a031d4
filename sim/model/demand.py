"""Referral demand: the time-varying referral rate and the referrals it produces.

The rate is a deterministic function of time (base rate, compound growth, monthly seasonality,
dated `set_referrals` actions and, with `yearly_change_sd`, the replication's yearly random walk of
`sim.model.drift`), so the whole non-homogeneous Poisson process is drawn up front by
mapping a unit-rate process through the inverse of the cumulative rate. Diversion to early help and
no-further-action at the front door are decided per referral, so they need no simulation event.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from sim.model.drift import year_of
from sim.model.units import DAYS_PER_YEAR


def month_index(start: date, days: np.ndarray) -> np.ndarray:
    """Calendar month (0 = January) of each time `days` after `start`."""
    stamps = np.datetime64(start, "D") + np.floor(days).astype("timedelta64[D]")
    return stamps.astype("datetime64[M]").astype(np.int64) % 12


@dataclass(frozen=True)
class _Segment:
    begins_day: float
    rate_per_day: float
    growth_per_year: float


class ReferralRate:
    """Referrals per day before diversion, as a function of days since the scenario's start;
    `drift`: the multiplier of each year of the run (`sim.model.drift`), None for none."""

    def __init__(self, scenario, drift: np.ndarray | None = None) -> None:
        self.drift = drift
        demand = scenario.demand
        self.start = scenario.start
        season = np.asarray(demand.seasonality, dtype=float)
        self.season = season / season.mean()
        segments = [_Segment(-np.inf, demand.referrals_per_year / DAYS_PER_YEAR,
                             demand.growth_per_year)]
        actions = sorted((a for a in scenario.policy if a.do == "set_referrals"),
                         key=lambda a: a.day(scenario.start))
        for action in actions:
            day = action.day(scenario.start)
            current = self._segment_rate(segments[-1], day)
            rate = (current if action.referrals_per_year is None
                    else action.referrals_per_year / DAYS_PER_YEAR)
            growth = (segments[-1].growth_per_year if action.growth_per_year is None
                      else action.growth_per_year)
            segments.append(_Segment(day, rate, growth))
        self.segments = segments

    @staticmethod
    def _segment_rate(segment: _Segment, days: np.ndarray | float) -> np.ndarray | float:
        origin = 0.0 if segment.begins_day == -np.inf else segment.begins_day
        return segment.rate_per_day * (1 + segment.growth_per_year) ** (
            (np.asarray(days) - origin) / DAYS_PER_YEAR)

    def trend(self, days: np.ndarray) -> np.ndarray:
        """Rate per day without seasonality."""
        days = np.asarray(days, dtype=float)
        out = np.empty_like(days)
        starts = np.array([s.begins_day for s in self.segments])
        which = np.searchsorted(starts, days, side="right") - 1
        for i, segment in enumerate(self.segments):
            mask = which == i
            out[mask] = self._segment_rate(segment, days[mask])
        if self.drift is not None:
            out *= self.drift[year_of(days, self.drift.size)]
        return out

    def __call__(self, days: np.ndarray) -> np.ndarray:
        """Rate per day at each time (days since start)."""
        days = np.asarray(days, dtype=float)
        return self.trend(days) * self.season[month_index(self.start, days)]


class DivertedShare:
    """Share of referrals diverted to early help, a step function of days since start."""

    def __init__(self, scenario) -> None:
        actions = sorted((a for a in scenario.policy if a.do == "divert_referrals"),
                         key=lambda a: a.day(scenario.start))
        self.days = np.array([a.day(scenario.start) for a in actions])
        self.shares = np.array([0.0] + [a.share for a in actions])

    def __call__(self, days: np.ndarray) -> np.ndarray:
        return self.shares[np.searchsorted(self.days, days, side="right")]


@dataclass(frozen=True)
class Referrals:
    """Referrals of one replication, drawn up front (times in days since start, sorted).

    `received`: referrals reaching children's social care; `diverted`: sent to early help;
    `to_allocate`: the received ones that pass the front door and need a worker.
    """

    received: np.ndarray
    diverted: np.ndarray
    to_allocate: np.ndarray


BLOCK = 4096


def _unit_arrivals(rng: np.random.Generator, total: float) -> np.ndarray:
    """Arrival times of a unit-rate Poisson process up to `total`, drawn in fixed-size blocks so
    that the first arrivals are the same whatever `total` is."""
    parts, reached = [], 0.0
    while reached <= total:
        block = reached + np.cumsum(rng.standard_exponential(BLOCK))
        parts.append(block)
        reached = block[-1]
    arrivals = np.concatenate(parts)
    return arrivals[arrivals < total]


def _uniform_rows(rng: np.random.Generator, rows: int, count: int) -> np.ndarray:
    """`rows` x `count` uniforms, drawn in fixed-size blocks (the same prefix for any count)."""
    blocks = -(-count // BLOCK) if count else 0
    drawn = [rng.random((rows, BLOCK)) for _ in range(blocks)]
    return np.concatenate(drawn, axis=1)[:, :count] if drawn else np.empty((rows, 0))


def draw_referrals(scenario, rng_for: Callable[[int], np.random.Generator],
                   first_day: float, last_day: float,
                   drift: np.ndarray | None = None) -> Referrals:
    """Referral times by time change: a unit-rate Poisson process mapped through the inverse of
    the cumulative rate, integrated day by day (midpoint rule: exact for the constant and seasonal
    parts, within a hair for growth). Referral i uses the i-th unit-rate arrival and the i-th
    front-door uniforms in every scenario, so a rate change at some date leaves every referral
    before it as it was (common random numbers). `rng_for(0)`, `rng_for(1)`: two streams;
    `drift`: the replication's yearly multipliers of the rate (`sim.model.drift`), None for none.
    """
    rate = ReferralRate(scenario, drift)
    edges = np.arange(np.floor(first_day), np.ceil(last_day) + 1.0)
    cumulative = np.concatenate([[0.0], np.cumsum(rate((edges[:-1] + edges[1:]) / 2)
                                                  * np.diff(edges))])
    unit = _unit_arrivals(rng_for(0), cumulative[-1])
    times = np.interp(unit, cumulative, edges)
    divert, front_door = _uniform_rows(rng_for(1), 2, times.size)
    keep = (times >= first_day) & (times < last_day)
    diverted = keep & (divert < DivertedShare(scenario)(times))
    received = keep & ~diverted
    allocate = received & (front_door >= scenario.demand.no_further_action)
    return Referrals(times[received], times[diverted], times[allocate])
