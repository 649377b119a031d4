"""What a reader should know before trusting a scenario's answer: sentences generated from the
scenario's own values (agency cover, turnover, demand, effects of caseload, costs, chance), so the
report's caveats change when the assumptions do and never say what the scenario does not assume.

`scenario_caveats` gives one scenario's; `caveats` several scenarios' at once: a caveat every
scenario shares is said once, one that differs is said per scenario, after its title.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sim.scenario.summary import action_date, action_words, percent


def _days(distribution: Any) -> str:
    """A duration distribution in words: "14 days" (fixed) or "a mean of 45 days"."""
    if getattr(distribution, "dist", None) == "fixed":
        return f"{distribution.value:g} days"
    mean = getattr(distribution, "mean", None)
    if mean is not None:
        return f"a mean of {mean:g} days"
    return "a time drawn from a distribution"


def agency_caveat(scenario: Any) -> str:
    """How vacancies are covered by agency staff."""
    agency = scenario.workforce.agency
    if agency.cover == 0:
        return ("No vacancy is covered by agency staff: a vacant post's cases go to the social "
                "workers in post until it is filled.")
    who = "Every vacancy is" if agency.cover == 1 else f"{percent(agency.cover)} of vacancies are"
    limit = (f", up to {percent(agency.max_share)} of social workers" if agency.max_share < 1
             else "")
    return (f"{who} covered by an agency social worker within {_days(agency.start_days)}"
            f"{limit}; the agency cost is paid for as long as the cover lasts.")


def turnover_caveat(scenario: Any) -> str:
    """Whether turnover responds to caseload."""
    turnover = scenario.workforce.turnover
    rate = percent(turnover.annual_rate)
    if turnover.caseload_elasticity == 0:
        return (f"Permanent social workers leave at {rate} a year whatever their caseload: no "
                "published study gives how much turnover rises with caseload, so a plan that "
                "lowers caseloads is not credited with keeping staff longer.")
    return (f"Permanent social workers leave at {rate} a year, more when their caseload is over "
            f"its cap (elasticity {turnover.caseload_elasticity:g}, an assumption: no published "
            "study gives its size).")


def demand_caveat(scenario: Any) -> str:
    """How referrals are assumed to move (policy actions that set them are said separately)."""
    demand = scenario.demand
    referrals = f"{demand.referrals_per_year:,.0f} a year"
    later = "".join(f"; from {action_date(scenario, action)}, {action_words(action)}"
                    for action in scenario.policy if action.do == "set_referrals")
    if demand.growth_per_year == 0:
        return f"Referrals are held flat at {referrals} (no growth assumed){later}."
    direction = "grow" if demand.growth_per_year > 0 else "fall"
    return (f"Referrals {direction} by {percent(abs(demand.growth_per_year))} a year from "
            f"{referrals}{later}.")


def demand_management_caveat(scenario: Any) -> str:
    """Whether cases held follow the staff holding them (`demand.cases_referral_elasticity`)."""
    elasticity = scenario.demand.cases_referral_elasticity
    if elasticity == 1:
        return ("Cases last as long whatever the caseload, so added social workers lower "
                "caseloads in proportion. In DfE's figures councils' cases held have moved mostly "
                "with their staff (by 0.8-0.9 of it): this may overstate what hiring does to "
                "caseloads.")
    return ("Cases are managed to the staff at hand: while open cases per social worker are "
            "above the council's usual level plans close sooner, and below it they last longer "
            f"(cases-referral elasticity {elasticity:.3g}, from DfE's figures, in which councils' "
            "cases held have moved mostly with their staff, by 0.8-0.9 of it). Added social "
            "workers then lower caseloads much less than a spreadsheet says, and hold more "
            "cases; DfE's figures cannot tell this from councils hiring as their cases rise, "
            "so the plan's effect on caseloads is the least certain part of the answer.")


def outcomes_caveat(scenario: Any) -> str:
    """Whether caseloads change what happens to children."""
    if scenario.effects.cla_escalation == 0 and scenario.demand.rereferral.caseload_effect == 0:
        return ("Caseloads do not change what happens to children here: no more children enter "
                "care and none are re-referred because caseloads are high, so placement costs "
                "do not fall when caseloads do.")
    return ("High caseloads send more children into care or back as re-referrals (assumed "
            "sizes, not published ones): placement costs move with caseloads.")


def recruitment_caveat(scenario: Any) -> str:
    """How long posts take to fill."""
    recruitment = scenario.workforce.recruitment
    success = ("" if recruitment.success == 1 else
               f"; {percent(recruitment.success)} of campaigns fill the post, the rest are run "
               "again")
    return (f"A post is advertised when its holder hands in notice (or it is added) and filled "
            f"after {_days(recruitment.time_to_hire_days)}{success}.")


def costs_caveat(scenario: Any) -> str:
    """What the costs include and leave out."""
    return ("Costs are at the scenario's pay rates with no pay awards or inflation, and count "
            "social workers' and managers' pay and on-costs, agency, recruitment and placements: "
            "not training, support staff or overheads.")


def chance_caveat(uncertain: Sequence[str]) -> str:
    """What the ranges show."""
    if not uncertain:
        return ("The ranges show chance alone (which children are referred, who leaves, how "
                "long hiring takes) with every assumption fixed at its value: doubt about the "
                "assumptions themselves would widen them.")
    return (f"The ranges show chance and doubt about {len(uncertain)} uncertain assumption"
            f"{'s' if len(uncertain) > 1 else ''} drawn afresh in each replication "
            f"({', '.join(uncertain)}); the other assumptions are fixed at their values.")


CAVEATS: tuple[Callable[[Any], str], ...] = (agency_caveat, turnover_caveat, demand_caveat,
                                             demand_management_caveat, outcomes_caveat,
                                             recruitment_caveat, costs_caveat)


def scenario_caveats(scenario: Any, uncertain: Sequence[str] = ()) -> list[str]:
    """One scenario's caveats, from its values; uncertain: the labels of its uncertain
    assumptions (run.json's `uncertain` keys, in words)."""
    return [caveat(scenario) for caveat in CAVEATS] + [chance_caveat(uncertain)]


def caveats(scenarios: Sequence[Any], uncertain: Sequence[Sequence[str]] | None = None
            ) -> list[str]:
    """The caveats of several scenarios: each once when every scenario has it, else once per
    scenario that has it, after the scenario's title (or name)."""
    uncertain = uncertain if uncertain is not None else [()] * len(scenarios)
    each = [scenario_caveats(scenario, keys) for scenario, keys in zip(scenarios, uncertain)]
    out: list[str] = []
    for i, sentences in enumerate(zip(*each)):
        if len(set(sentences)) == 1:
            out.append(sentences[0])
            continue
        out.extend(f"{scenario.title or scenario.name}: {sentence}"
                   for scenario, sentence in zip(scenarios, sentences))
    return out
