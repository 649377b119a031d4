"""Warnings about valid scenarios that are probably not what the analyst meant."""
from __future__ import annotations

from sim.model.units import DAYS_PER_YEAR
from sim.scenario.summary import (
    action_date,
    agency_at_start,
    agency_share_at_start,
    case_holders_at_start,
    open_cases_at_start,
    percent,
)


def scenario_warnings(scenario) -> list[str]:
    """One-line warnings (empty when nothing looks odd)."""
    warnings = []
    opened = scenario.initial.open
    stock = opened.assessment + opened.cin + opened.cp + opened.cla + scenario.initial.unallocated
    if stock == 0 and scenario.warmup_days == 0 and scenario.demand.referrals_per_year > 0:
        warnings.append("the run starts with no open cases and no warm-up, so early caseloads are "
                        "biased low; set [initial] open or warmup_days")
    staff = agency_at_start(scenario) + sum(
        level.in_post for level in scenario.workforce.levels.values())
    if staff == 0 and stock > 0:
        warnings.append("no case-holding staff at the start: every open case waits unallocated")
    horizon = scenario.years * DAYS_PER_YEAR
    for i, action in enumerate(scenario.policy):
        if action.day(scenario.start) > horizon:
            warnings.append(f"policy.{i} ({action.do}) falls after the {scenario.years:g}-year "
                            "horizon and has no effect")
    return warnings


def policy_warnings(scenario) -> list[str]:
    """One-line warnings about policy actions within the horizon that change more than their
    words say or cannot bind (empty when none): a `set_cap` with one `cap` for every level that
    raises some levels' caps while it lowers others'; an agency `max_share` the agency share could
    not reach even if every post left vacant by today's permanent staff were covered; a
    `hire_to_caseload` whose target the establishment in force already meets for the open cases
    at the start."""
    caps = {level: settings.cap for level, settings in scenario.workforce.levels.items()}
    establishment = scenario.workforce.establishment
    opened = open_cases_at_start(scenario)
    holders = case_holders_at_start(scenario)
    horizon = scenario.years * DAYS_PER_YEAR
    timed = [(index, action) for index, action in
             sorted(enumerate(scenario.policy), key=lambda item: item[1].day(scenario.start))
             if action.day(scenario.start) <= horizon]
    posts_after = {index: posts for index, _, kind, posts in scenario.posts_after_policies()
                   if kind == "establishment"}
    most_agency = _most_agency_share(scenario, [action for _, action in timed], posts_after)
    warnings = []
    for index, action in timed:
        where = f"policy.{index} ({action.do} on {action_date(scenario, action)})"
        if action.do == "add_posts":
            establishment = posts_after[index]
        elif action.do == "set_cap":
            new = {level: cap for level, cap in
                   (action.caps or dict.fromkeys(caps, action.cap)).items() if level in caps}
            raised = [f"{level} from {caps[level]:g} to {cap:g}" for level, cap in new.items()
                      if cap > caps[level]]
            lowered = [level for level, cap in new.items() if cap < caps[level]]
            if action.cap is not None and raised and lowered:
                kept = ", ".join(f"{level} = {action.cap:g}" for level in lowered)
                warnings.append(f"{where}: cap = {action.cap:g} sets every level's cap, so it "
                                f"also raises {', '.join(raised)}; to lower only "
                                f"{', '.join(lowered)}, write caps = {{ {kept} }}")
            caps.update(new)
        elif (action.do == "set_agency" and action.max_share is not None
              and most_agency is not None and most_agency <= action.max_share):
            warnings.append(f"{where}: an agency share of at most {percent(action.max_share)} "
                            f"cannot bind: even with every vacant post covered as often as the "
                            f"scenario allows, agency would be {percent(most_agency)} of "
                            f"case-holders (today {percent(agency_share_at_start(scenario))}), "
                            "unless permanent staff fall below today's")
        elif action.do == "hire_to_caseload":
            needed = -(-opened // action.target)
            if needed <= establishment:
                today = f" (today's caseload {opened / holders:.1f} per case-holder)" if holders \
                    else ""
                warnings.append(f"{where}: target {action.target:g} adds no posts at first: the "
                                f"{opened:,} open cases at the start{today} need "
                                f"{needed:,.0f} posts at {action.target:g} each, and the "
                                f"establishment is already {establishment:,}; it adds posts only "
                                f"if open cases grow above {action.target * establishment:,.0f}")
    return warnings


def _most_agency_share(scenario, actions: list, posts_after: dict[int, int]) -> float | None:
    """The highest agency share of case-holders the scenario allows with today's permanent
    staff: every post they leave vacant (the establishment at its largest under `add_posts`,
    `posts_after` by policy index) covered at the highest `cover` in force, today's agency
    workers kept, with the largest level beyond vacancies in force. None when a
    `hire_to_caseload` makes the largest establishment unknown."""
    if any(action.do == "hire_to_caseload" for action in actions):
        return None
    workforce = scenario.workforce
    largest = max([workforce.establishment, *posts_after.values()])
    cover = max([workforce.agency.cover] + [action.cover for action in actions
                                            if action.do == "set_agency"
                                            and action.cover is not None])
    permanent = workforce.permanent_in_post()
    beyond = max([workforce.agency.beyond_vacancies] + [
        action.beyond_vacancies for action in actions
        if action.do == "set_agency" and action.beyond_vacancies is not None])
    uncovered = largest - permanent - workforce.agency_in_post
    agency = workforce.agency_in_post + cover * uncovered + round(beyond)
    return agency / (permanent + agency) if permanent + agency else None
