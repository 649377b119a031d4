"""DfE's children's social work workforce measures, as DfE defines them, from the model's counts.

Source: DfE, "Children's social work workforce" methodology,
https://explore-education-statistics.service.gov.uk/methodology/children-s-social-work-workforce-methodology
(and the data guidance of the workforce census tables in ../shared/data/dfe/README.md). DfE counts
full-time equivalents (FTE) on 30 September:

- social workers in post: children and family social workers employed by the council (permanent,
  not agency) in all roles, holding cases or not;
- case holders: social workers holding one or more cases on 30 September; cases held: the cases
  they hold. Both include agency workers who hold cases: DfE's case-holding FTE exceeds its FTE in
  post in 25 of the 903 council-years 2017-2022 of the bundled extract, which could not happen if
  case holders were a part of the permanent staff alone;
- caseload = cases held / case-holding FTE;
- agency rate = agency FTE / (agency FTE + FTE in post);
- turnover rate = leavers FTE in the year to 30 September / FTE in post on 30 September;
- vacancy rate = vacancy FTE / (vacancy FTE + FTE in post).

The model holds case-holding workers only. The permanent social workers who hold no cases (team
roles, specialists, staff on leave) are a share `non_case_holding_share` of the permanent staff in
post, taken as leaving, and having vacant posts, at the same rates as case-holders: the staff in
post, leavers and vacancies of all roles are the model's divided by 1 - that share. DfE's agency
workers hold cases at the rate all of a council's social workers do (`agency_case_holders`): a
share `agency.non_case_holding_share` of them holds none, and DfE's agency FTE is the model's
agency workers divided by 1 - that share. DfE's councils say so: across councils an agency FTE
comes with as many case-holders as an FTE in post, and a council's case-holders move with its
agency FTE by about as much as with its FTE in post, not one for one
(`sim.data.panel.agency_holding_difference`). Each function returns nan where its denominator is 0
(DfE publishes no rate there).
"""
from __future__ import annotations

import math

TURNOVER_WINDOW_DAYS = 365.0
"""DfE's turnover year: leavers in the year to 30 September, i.e. the 365 days to a sample."""


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.nan


def all_roles(case_holding_fte: float, non_case_holding_share: float) -> float:
    """Permanent FTE of all roles whose case-holding part is `case_holding_fte`."""
    return case_holding_fte / (1.0 - non_case_holding_share)


def caseload(cases_held: float, case_holders_fte: float) -> float:
    """DfE's caseload: cases held / case-holding FTE (agency case-holders included in both)."""
    return _ratio(cases_held, case_holders_fte)


def agency_rate(agency_fte: float, in_post_fte: float) -> float:
    """DfE's agency rate: agency FTE / (agency FTE + permanent FTE in post), a share (0-1)."""
    return _ratio(agency_fte, agency_fte + in_post_fte)


def turnover_rate(leavers_fte_year: float, in_post_fte: float) -> float:
    """DfE's turnover rate: permanent leavers FTE in the year to the census / FTE in post at the
    census, a share (0-1)."""
    return _ratio(leavers_fte_year, in_post_fte)


def vacancy_rate(vacancy_fte: float, in_post_fte: float) -> float:
    """DfE's vacancy rate: vacant FTE / (vacant FTE + permanent FTE in post), a share (0-1)."""
    return _ratio(vacancy_fte, vacancy_fte + in_post_fte)


MAX_NON_CASE_HOLDING_SHARE = 0.9
"""The most of a council's permanent (or agency) social workers that may hold no cases (the
scenario keys' upper bound): at least a tenth of them hold cases."""


def fewest_permanent_case_holders(inpost_fte: float) -> int:
    """The fewest permanent case-holders a council keeps: a tenth of DfE's social workers in post
    (`MAX_NON_CASE_HOLDING_SHARE`), rounded up, and at least one."""
    return max(1, math.ceil((1 - MAX_NON_CASE_HOLDING_SHARE) * inpost_fte - 1e-9))


def agency_case_holders(inpost_fte: float, case_holders: int, agency_fte: float) -> int:
    """Of DfE's agency workers (`agency_fte`), those who hold cases among a council's
    `case_holders` (people): their share of DfE's social workers (in post and agency) times the
    case-holders, rounded, and at least one where DfE counts one or more agency FTE, as agency
    workers hold cases at the rate of all of them (module docstring); at most the case-holders
    beyond `fewest_permanent_case_holders` (at least 0). A council whose agency FTE is near or
    above its case-holders would otherwise leave too few permanent case-holders for DfE's agency
    rate and FTE in post both to hold at the start."""
    staff = inpost_fte + agency_fte
    holding = round(case_holders * agency_fte / staff) if staff > 0 else 0
    holding = max(holding, min(1, round(agency_fte)))
    return max(0, min(holding, case_holders - fewest_permanent_case_holders(inpost_fte)))


def agency_non_case_holding_share(agency_fte: float, holding: int) -> float:
    """The share of DfE's agency workers (`agency_fte`) who hold no cases when `holding` of them
    do (`agency_case_holders`): 1 - holding / agency_fte, at most `MAX_NON_CASE_HOLDING_SHARE`;
    0 where as many hold cases as DfE counts, or more (a rounding up is not a share)."""
    if agency_fte <= 0 or holding >= agency_fte:
        return 0.0
    return min(1.0 - holding / agency_fte, MAX_NON_CASE_HOLDING_SHARE)


def non_case_holding_share(inpost_fte: float, case_holders_fte: float,
                           agency_fte: float) -> float:
    """The share of DfE's permanent social workers in post who hold no cases.

    DfE's case holders include agency workers; with `agency_fte` of them agency case-holders
    (`agency_case_holders`), the permanent case-holders are case_holders_fte - agency_fte, and the
    rest of `inpost_fte` holds no cases. Clipped to 0 (a council whose
    case-holders outnumber that) and to `MAX_NON_CASE_HOLDING_SHARE` (the scenario's upper bound).
    """
    permanent_holders = case_holders_fte - agency_fte
    share = 1.0 - permanent_holders / inpost_fte if inpost_fte > 0 else 0.0
    return min(max(share, 0.0), MAX_NON_CASE_HOLDING_SHARE)
