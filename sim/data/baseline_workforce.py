"""Stationary workforce arithmetic for a generated baseline (a renewal argument per post).

Each funded post cycles: a permanent worker holds it for an exponential time (leaving hazard h a
year, counted while not on notice); they resign, the post turns vacant and recruitment starts; they
work their notice N and go; after time to fill X (campaigns of mean m that succeed with probability
p, so E[X] = m / p) a starter takes the post. While the post has no permanent worker an agency
worker may cover it (chance `cover`), arriving `start` days after the leaver goes and leaving at
rate g a year (replaced after another `start` days) until the starter arrives. Agency workers
beyond vacancies hold no post (`sim.model.agency`). Over a cycle of mean length 1/h + E[X]:

    permanent people per post  = (1/h + N) / (1/h + E[X])
    vacant (from notice)       = E[X] / (1/h + E[X])
    agency workers per post    = cover x rho x E[(X - N - start)+] / (1/h + E[X])

with rho = 1 / (1 + g start) the share of the cover window with a locum in post.

Where the establishment grows (g a year, as a rate), new posts open vacant too: posts fall vacant
at about h P + g E a year rather than h P, so the same vacancy share needs a time to fill shorter
by h / (h + g), and covering them holds (h + g) / h times the agency workers (a balanced-growth
approximation: new posts are counted as if they opened with a leaver's notice). Without it a
baseline whose posts grow at England's +3-4% a year, with times to fill of a year or two, piles
up vacancies beyond the level it was meant to hold (the back-test's vacancy rate rose about 10%
above it in a year).

DfE's rates are shares of people (vacancies / (vacancies + in post), leavers / in post), so
h = turnover / (1 - turnover x N). At the start a share h N / (1 + h N) = turnover x N of the
permanent people are on notice, as in the steady state (`Workforce.start_notice`); DfE counts them
in post and their posts are not vacancies, so an establishment E with E - P vacant posts for P
permanent people gives DfE's vacancy rate v at the census when (E - P) / E = v; the time to fill
E[X] = E / P x (1/h + N) - 1/h then keeps P stationary.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincc

from sim.model.units import DAYS_PER_YEAR

NOTICE_DAYS = (28.0, 56.0)        # uniform
AGENCY_START_DAYS = 28.0          # fixed: about four weeks to approve, find and vet a locum
AGENCY_TURNOVER = 1.0             # a year
CAMPAIGN_DAYS = 120.0             # mean of one recruitment campaign (gamma)
CAMPAIGN_CV = 0.5
MIN_FILL_DAYS = 60.0              # shortest mean time from notice to a starter's first day
MAX_FILL_DAYS = 36500.0


@dataclass(frozen=True)
class Stationary:
    """Posts and people at the start and in the steady state, and the recruitment that keeps
    them there."""

    permanent: int
    agency: int                   # agency workers at the start: covering + beyond
    covering: int                 # of which covering vacant posts
    beyond: int                   # of which kept beyond vacancies (absence, extra demand)
    establishment: int
    hazard_per_year: float        # leaving hazard while not on notice
    fill_days: float              # mean time from notice to a starter (E[X])
    campaign_days: float          # mean of one campaign
    success: float                # chance a campaign fills the post
    cover: float                  # chance a vacancy gets an agency worker
    agency_capacity: float        # agency workers the steady state holds with every vacancy covered
    permanent_later: float        # permanent case-holders in the steady state headed to
    agency_later: float           # agency workers in the steady state headed to
    cover_rate: float             # the most a vacancy's chance of agency cover may be

    @property
    def vacant(self) -> int:
        """Posts without a permanent worker in post at the start (one on notice is in post)."""
        return self.establishment - self.permanent

    @property
    def vacancy_rate(self) -> float:
        """Vacant / (vacant + permanent) at the start, DfE's definition."""
        return self.vacant / self.establishment if self.establishment else 0.0

    @property
    def agency_short(self) -> bool:
        """Agency beyond vacancies and vacancy cover at `cover_rate` hold fewer agency workers
        than the steady state's."""
        return self.agency_later > self.beyond + self.cover_rate * self.agency_capacity + 0.5

    @property
    def agency_over(self) -> bool:
        """Agency beyond vacancies alone holds more agency workers than the steady state's."""
        return self.agency_later < self.beyond - 0.5


def notice_years() -> float:
    return sum(NOTICE_DAYS) / 2 / DAYS_PER_YEAR


def hazard_from_turnover(turnover: float) -> float:
    """The leaving hazard (a year, while not on notice) that gives `turnover` leavers per person."""
    return turnover / (1 - turnover * notice_years())


def presence() -> float:
    """Share of a cover window in which an agency worker is in post (gaps between locums)."""
    return 1 / (1 + AGENCY_TURNOVER * AGENCY_START_DAYS / DAYS_PER_YEAR)


def campaign(fill_days: float) -> tuple[float, float]:
    """(campaign mean days, success probability) with mean time to fill `fill_days`."""
    days = min(fill_days, CAMPAIGN_DAYS)
    return days, days / fill_days


def overrun_years(fill_days: float) -> float:
    """E[(X - N - start)+] in years: how long a vacancy outlasts the notice and agency delay."""
    days, success = campaign(fill_days)
    shape = 1 / CAMPAIGN_CV**2
    scale = days / shape
    campaigns = math.ceil(math.log(1e-10) / math.log1p(-success)) if success < 1 else 1
    n = np.arange(1, campaigns + 1)
    weights = success * (1 - success) ** (n - 1)
    lows = (np.linspace(*NOTICE_DAYS, 15) + AGENCY_START_DAYS) / scale
    alpha = (n * shape)[:, None]
    # E[(Y - x)+] for Y ~ gamma(alpha, scale): alpha scale Q(alpha + 1, x) - x Q(alpha, x)
    partial = scale * (alpha * gammaincc(alpha + 1, lows) - lows * gammaincc(alpha, lows))
    return float(weights @ partial.mean(axis=1)) / DAYS_PER_YEAR


def agency_capacity(permanent: float, hazard: float, fill_days: float,
                    openings: float = 1.0) -> float:
    """Agency workers the steady state holds with every vacancy covered (cover = 1), posts falling
    vacant `openings` times as often as leavers alone make them (module docstring)."""
    return (openings * permanent * presence() * overrun_years(fill_days)
            / (1 / hazard + notice_years()))


def stationary(case_holders: int, agency: int, turnover: float, vacancy_rate: float,
               agency_level: float | None = None, vacancy_level: float | None = None,
               cover_rate: float = 1.0, growth_per_year: float = 0.0,
               agency_vacancy_elasticity: float = 0.0) -> Stationary:
    """Establishment, recruitment and agency cover for `case_holders` people in post, `agency` of
    them agency workers (at most all but one), the permanent ones leaving at `turnover` a year.

    At the start the vacant posts are DfE's vacancy rate of the permanent case-holders' posts
    (vacant / (vacant + permanent) = `vacancy_rate`). The steady state the council heads to has
    `agency_level` agency workers (default: those of the start), times ((V' + 1) / (V + 1))^e
    with e `agency_vacancy_elasticity`, V the vacant posts at the start and V' in the steady state
    (agency workers follow vacancies: `sim.data.panel.agency_vacancy_elasticity`), and permanent
    staff moved by the
    vacancy rate ahead (`vacancy_level`) in today's posts: permanent x (1 - ahead) / (1 - today);
    the time to fill keeps the permanent staff level in the establishment, which grows by
    `growth_per_year` (its new posts opening vacant; module docstring). Agency cover is a
    market: a vacancy gets an agency worker with chance at most `cover_rate` (DfE's share of
    vacancies covered by agency workers), which in the steady state holds `cover_rate` x
    `agency_capacity` (what covering every vacancy would hold); the steady state's other agency
    workers are kept beyond vacancies (`beyond`: absence, sickness, extra demand;
    `sim.model.agency`), at most DfE's agency workers and at least those the vacant posts cannot
    hold. At the start DfE's agency workers are those `beyond` and the rest cover vacant posts
    (`covering`); `cover` (at most `cover_rate`) holds the steady state's agency workers with
    `beyond`, so the agency workers move from DfE's figure to the level ahead only through
    vacancy cover (and the walk of the level beyond vacancies in the model).
    """
    agency = max(0, min(agency, case_holders - 1))
    permanent = case_holders - agency
    hazard = hazard_from_turnover(turnover)
    stay = 1 / hazard + notice_years()
    from_vacancy = round(permanent * vacancy_rate / (1 - vacancy_rate))
    later = vacancy_rate if vacancy_level is None else min(vacancy_level, 0.95)
    permanent_later = max(1.0, permanent * (1 - later) / (1 - vacancy_rate))
    establishment = max(permanent + from_vacancy, round(permanent_later * (1 / (1 - later))))
    follows = ((establishment - permanent_later + 1) / (establishment - permanent + 1)
               ) ** agency_vacancy_elasticity
    agency_later = (agency if agency_level is None else max(agency_level, 0.0)) * follows
    openings = 1 + math.log1p(max(growth_per_year, 0.0)) / hazard
    fill = (establishment / permanent_later * stay - 1 / hazard) * DAYS_PER_YEAR / openings
    fill = min(max(fill, MIN_FILL_DAYS), MAX_FILL_DAYS)
    capacity = agency_capacity(permanent_later, hazard, fill, openings)
    beyond = min(agency, max(0, round(agency_later - cover_rate * capacity)))
    beyond = max(beyond, agency - (establishment - permanent))
    covering = agency - beyond
    cover = (min(cover_rate, max(0.0, agency_later - beyond) / capacity) if capacity > 0
             else 0.0)
    days, success = campaign(fill)
    return Stationary(permanent=permanent, agency=agency, covering=covering, beyond=beyond,
                      establishment=establishment, hazard_per_year=hazard, fill_days=fill,
                      campaign_days=days, success=success, cover=cover,
                      agency_capacity=capacity, permanent_later=permanent_later,
                      agency_later=agency_later, cover_rate=cover_rate)


def newly_qualified(permanent: int, turnover: float, nqsw_share: float,
                    progression_days: float) -> int:
    """Newly qualified staff in the steady state: starters x share x E[min(stay, progression)]."""
    hazard = hazard_from_turnover(turnover)
    years = progression_days / DAYS_PER_YEAR
    expected = (1 - math.exp(-hazard * years)) / hazard if hazard > 0 else years
    return round(turnover * permanent * nqsw_share * expected)


def vacant_share(turnover: float, hire_days: float) -> float:
    """Share of posts vacant when each is refilled after `hire_days` (no notice overlap)."""
    gap = turnover * hire_days / DAYS_PER_YEAR
    return gap / (1 + gap)
