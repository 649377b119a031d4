"""A scenario in a few lines of words (`caseload validate`): the council, its horizon, posts, staff,
caps and demand at the start, and each policy action with its date."""
from __future__ import annotations

import datetime as dt

from sim.model.units import DAYS_PER_YEAR
from sim.scenario.loading import Scenario
from sim.scenario.policy import (
    Action,
    AddPosts,
    DivertReferrals,
    HireToCaseload,
    Retention,
    SetAgency,
    SetCap,
    SetReferrals,
)

LEVEL_WORDS = {"nqsw": "newly qualified", "sw": "experienced", "senior": "senior"}


def action_date(scenario: Scenario, action: Action) -> dt.date:
    """The date an action applies (its `at`, or `start` plus its whole `after_days`)."""
    return action.at or scenario.start + dt.timedelta(days=int(action.after_days or 0))


def percent(share: float) -> str:
    """A share as a percentage, e.g. 0.275 -> "27.5%"."""
    return f"{100 * share:.3g}%"


def _over(months: int) -> str:
    return f", phased over {months} months" if months > 1 else ""


def _posts_words(count: int | None, share: float | None, what: str) -> str:
    if share is not None:
        return f"{'add' if share >= 0 else 'remove'} {percent(abs(share))} of the {what} posts"
    return f"{'add' if count >= 0 else 'remove'} {abs(count):,} {what} posts"


def action_words(action: Action) -> str:
    """What a policy action does, in words (without its date)."""
    if isinstance(action, AddPosts):
        parts = []
        if action.count is not None or action.share is not None:
            parts.append(_posts_words(action.count, action.share, "social worker"))
        if action.managers or action.managers_share is not None:
            parts.append(_posts_words(action.managers, action.managers_share, "manager"))
        return " and ".join(parts) + _over(action.over_months)
    if isinstance(action, HireToCaseload):
        return (f"raise the establishment to open cases / {action.target:g} (never lowered)"
                + _over(action.over_months))
    if isinstance(action, SetCap):
        caps = (f"every level's cap to {action.cap:g}" if action.cap is not None else
                "caps " + ", ".join(f"{level} {cap:g}" for level, cap in action.caps.items()))
        rule = {"queue": " (hard: cases wait when everyone is full)",
                "overallocate": " (soft: cases are allocated over cap)",
                None: ""}[action.when_full]
        return f"set {caps}{rule}"
    if isinstance(action, SetAgency):
        parts = []
        if action.cover is not None:
            parts.append(f"agency covers {percent(action.cover)} of vacancies")
        if action.beyond_vacancies is not None:
            parts.append(f"{action.beyond_vacancies:,.1f} agency FTE beyond vacancies")
        if action.max_share is not None:
            parts.append(f"agency share at most {percent(action.max_share)} of case-holders"
                         + (", the excess released at once" if action.release_excess else ""))
        return "; ".join(parts)
    if isinstance(action, Retention):
        return f"leaving rate x {action.turnover_multiplier:g}"
    if isinstance(action, DivertReferrals):
        return f"divert {percent(action.share)} of referrals to early help"
    return _referrals_words(action)


def _referrals_words(action: SetReferrals) -> str:
    parts = []
    if action.referrals_per_year is not None:
        parts.append(f"{action.referrals_per_year:,.0f} a year")
    if action.growth_per_year is not None:
        parts.append(f"growing {percent(action.growth_per_year)} a year")
    return "referrals " + ", ".join(parts)


def open_cases_at_start(scenario: Scenario) -> int:
    """Open cases at `start`, every stage and the unallocated."""
    opened = scenario.initial.open
    return (opened.assessment + opened.cin + opened.cp + opened.cla
            + scenario.initial.unallocated)


def agency_at_start(scenario: Scenario) -> int:
    """Agency social workers in post at `start`: covering vacancies and beyond them."""
    workforce = scenario.workforce
    return workforce.agency_in_post + round(workforce.agency.beyond_vacancies)


def case_holders_at_start(scenario: Scenario) -> int:
    """Permanent and agency social workers in post at `start`."""
    return scenario.workforce.permanent_in_post() + agency_at_start(scenario)


def agency_share_at_start(scenario: Scenario) -> float:
    """Agency workers' share of the case-holders at `start` (0 without any)."""
    holders = case_holders_at_start(scenario)
    return agency_at_start(scenario) / holders if holders else 0.0


def summary_lines(scenario: Scenario) -> list[str]:
    """The scenario in words: a heading and indented lines, then its policy actions by date."""
    workforce = scenario.workforce
    end = scenario.start + dt.timedelta(days=round(scenario.years * DAYS_PER_YEAR))
    levels = workforce.levels
    staff = ", ".join(f"{levels[level].in_post:,} {LEVEL_WORDS[level]} ({level})"
                      for level in levels)
    caps = ", ".join(f"{level} {levels[level].cap:g}" for level in levels)
    holders = case_holders_at_start(scenario)
    opened = open_cases_at_start(scenario)
    caseload = f" = {opened / holders:.1f} per case-holder" if holders else ""
    demand = scenario.demand
    growth = f", growing {percent(demand.growth_per_year)} a year" if demand.growth_per_year else ""
    warmup = f" after a {scenario.warmup_days:g}-day warm-up" if scenario.warmup_days else ""
    lines = [
        f"{scenario.title or scenario.name} ({scenario.name})",
        f"  start {scenario.start}, horizon {scenario.years:g} years (to {end}){warmup}",
        f"  establishment {workforce.establishment:,} case-holding posts, "
        f"{scenario.managers.establishment:,} manager posts",
        f"  in post: {staff}; {agency_at_start(scenario):,} agency "
        f"({percent(agency_share_at_start(scenario))} of case-holders)",
        f"  caps: {caps}; agency {workforce.agency_cap():g}; when everyone is full: "
        f"{scenario.allocation.when_full}",
        f"  agency covers {percent(workforce.agency.cover)} of vacancies"
        + (f" (and {workforce.agency.beyond_vacancies:,.1f} FTE beyond them)"
           if workforce.agency.beyond_vacancies else "")
        + f", at most {percent(workforce.agency.max_share)} of case-holders",
        f"  referrals {demand.referrals_per_year:,.0f} a year{growth}; "
        f"open cases at the start {opened:,}{caseload}",
    ]
    timed = sorted(enumerate(scenario.policy), key=lambda item: item[1].day(scenario.start))
    lines.append(f"policy: {len(timed)} action{'s' if len(timed) != 1 else ''}")
    for index, action in timed:
        note = f"  ({action.note})" if action.note else ""
        lines.append(f"  {action_date(scenario, action)}  policy.{index}: "
                     f"{action_words(action)}{note}")
    return lines
