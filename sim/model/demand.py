"""Referral demand: the time-varying referral rate and the referrals it produces.

The rate is a deterministic function of time (base rate, compound growth, monthly seasonality and
dated `set_referrals` actions), so the whole non-homogeneous Poisson process can be drawn up front by
thinning a homogeneous one. Diversion to early help and no-further-action at the front door are
decided per candidate referral, so they too need no simulation event.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DAYS_PER_YEAR = 365.25


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
    """Referrals per day before diversion, as a function of days since the scenario's start."""

    def __init__(self, scenario) -> None:
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
        return out

    def __call__(self, days: np.ndarray) -> np.ndarray:
        """Rate per day at each time (days since start)."""
        days = np.asarray(days, dtype=float)
        return self.trend(days) * self.season[month_index(self.start, days)]

    def bound(self, first_day: float, last_day: float) -> float:
        """An upper bound of the rate over [first_day, last_day]."""
        edges = [first_day, last_day] + [s.begins_day for s in self.segments[1:]
                                         if first_day < s.begins_day < last_day]
        edges = np.array(edges)
        highest = max(self.trend(edges).max(), self.trend(np.nextafter(edges, -np.inf)).max())
        return float(highest * self.season.max())


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


def draw_referrals(scenario, rng: np.random.Generator, first_day: float,
                   last_day: float) -> Referrals:
    """Thin a homogeneous Poisson process at the rate's bound down to the referral rate."""
    rate = ReferralRate(scenario)
    bound = rate.bound(first_day, last_day)
    span = last_day - first_day
    if bound <= 0 or span <= 0:
        empty = np.empty(0)
        return Referrals(empty, empty, empty)
    expected = bound * span
    count = int(expected + 6 * np.sqrt(expected) + 16)
    gaps = rng.exponential(1.0 / bound, count)
    times = first_day + np.cumsum(gaps)
    while times[-1] < last_day:  # astronomically rare: extend the candidate stream
        more = times[-1] + np.cumsum(rng.exponential(1.0 / bound, count))
        times = np.concatenate([times, more])
    times = times[times < last_day]
    accept, divert, front_door = rng.random((3, times.size))
    arrived = accept * bound < rate(times)
    diverted = arrived & (divert < DivertedShare(scenario)(times))
    received = arrived & ~diverted
    allocate = received & (front_door >= scenario.demand.no_further_action)
    return Referrals(times[received], times[diverted], times[allocate])
