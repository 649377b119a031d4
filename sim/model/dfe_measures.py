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
workers all hold cases, unless a council's agency FTE leaves too few permanent case-holders for
that (`agency_case_holders`): then a share `agency.non_case_holding_share` of them holds none, and
DfE's agency FTE is the model's agency workers divided by 1 - that share. Each function returns nan
where its denominator is 0 (DfE publishes no rate there).
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


def agency_case_holders(inpost_fte: float, case_holders: int, agency_fte: float) -> int:
    """Of DfE's agency workers (`agency_fte`), those who hold cases among a council's
    `case_holders` (people): all of them (rounded), as the model holds agency workers as
    case-holders only, unless that leaves fewer permanent case-holders than a tenth of DfE's
    social workers in post (`MAX_NON_CASE_HOLDING_SHARE`) or than one: then the case-holders
    beyond those (at least 0). A council whose agency FTE is near or above its case-holders
    (20 of the 899 council-years 2017-2022 with the figures) has agency workers holding no
    cases, or DfE's agency rate and FTE in post could not both hold at the start."""
    permanent_at_least = max(1, math.ceil((1 - MAX_NON_CASE_HOLDING_SHARE) * inpost_fte - 1e-9))
    return max(0, min(round(agency_fte), case_holders - permanent_at_least))


def agency_non_case_holding_share(agency_fte: float, holding: int) -> float:
    """The share of DfE's agency workers (`agency_fte`) who hold no cases when `holding` of them
    do (`agency_case_holders`): 0 where all of them do (a rounding's difference is not a share),
    else 1 - holding / agency_fte, at most `MAX_NON_CASE_HOLDING_SHARE`."""
    if holding >= round(agency_fte) or agency_fte <= 0:
        return 0.0
    return min(1.0 - holding / agency_fte, MAX_NON_CASE_HOLDING_SHARE)


def non_case_holding_share(inpost_fte: float, case_holders_fte: float,
                           agency_fte: float) -> float:
    """The share of DfE's permanent social workers in post who hold no cases.

    DfE's case holders include agency workers; taking DfE's agency FTE as case-holders (the model
    holds agency workers as case-holders only), the permanent case-holders are case_holders_fte -
    agency_fte, and the rest of `inpost_fte` holds no cases. Clipped to 0 (a council whose
    case-holders outnumber that) and to `MAX_NON_CASE_HOLDING_SHARE` (the scenario's upper bound).
    """
    permanent_holders = case_holders_fte - agency_fte
    share = 1.0 - permanent_holders / inpost_fte if inpost_fte > 0 else 0.0
    return min(max(share, 0.0), MAX_NON_CASE_HOLDING_SHARE)
