"""Warnings about valid scenarios that are probably not what the analyst meant."""
from __future__ import annotations

from sim.model.units import DAYS_PER_YEAR


def scenario_warnings(scenario) -> list[str]:
    """One-line warnings (empty when nothing looks odd)."""
    warnings = []
    opened = scenario.initial.open
    stock = opened.assessment + opened.cin + opened.cp + opened.cla + scenario.initial.unallocated
    if stock == 0 and scenario.warmup_days == 0 and scenario.demand.referrals_per_year > 0:
        warnings.append("the run starts with no open cases and no warm-up, so early caseloads are "
                        "biased low; set [initial] open or warmup_days")
    staff = scenario.workforce.agency_in_post + sum(
        level.in_post for level in scenario.workforce.levels.values())
    if staff == 0 and stock > 0:
        warnings.append("no case-holding staff at the start: every open case waits unallocated")
    horizon = scenario.years * DAYS_PER_YEAR
    for i, action in enumerate(scenario.policy):
        if action.day(scenario.start) > horizon:
            warnings.append(f"policy.{i} ({action.do}) falls after the {scenario.years:g}-year "
                            "horizon and has no effect")
    return warnings
