"""The metrics a replication records, in column order, with their units.

"Period" metrics are totals since the previous sample; the others are levels at the sample time.
Samples come every `report_every_days`, at the horizon and at 00:00 on each 1 April
(`sim.model.recorder.sample_days`), so a period may be shorter than `report_every_days`.

The last seven are DfE's children's social work workforce measures, as DfE defines them (DfE,
"Children's social work workforce" methodology,
https://explore-education-statistics.service.gov.uk/methodology/children-s-social-work-workforce-methodology;
the definitions and how the model's counts map onto them are in `sim.model.dfe_measures`). Six of
them carry the scenario's one-off reporting factors at each census (`sim.model.reporting`; none
by default): they are the council's figures as DfE would publish them.
"""

METRICS: dict[str, str] = {
    "caseload_mean": "allocated cases per case-holding worker in post (permanent and agency)",
    "caseload_p90": "90th percentile of caseloads across case-holding workers",
    "over_cap_share": "share of case-holding workers above their cap",
    "unallocated": "open cases waiting for a worker",
    "open_cases": "open cases (allocated or not)",
    "open_assessment": "open cases in assessment",
    "open_cin": "open child-in-need cases",
    "open_cp": "open child-protection cases",
    "open_cla": "open looked-after cases",
    "staff_permanent": "permanent case-holding social workers in post (FTE)",
    "staff_agency": "agency case-holding social workers in post (FTE)",
    "staff_nqsw": "newly qualified social workers in post (FTE)",
    "establishment": "funded case-holding posts (FTE)",
    "vacancies": "funded posts without a permanent worker in post (FTE; one on notice is in post)",
    "posts_on_notice": "funded posts whose permanent worker works notice, a successor sought (FTE)",
    "agency_share": "agency workers as a share of case-holding workers",
    "turnover_12m": "permanent leavers in the last 365 days / mean permanent staff (a year)",
    "managers": "team managers in post (FTE)",
    "span_of_control": "case-holding workers per team manager in post",
    "referrals": "referrals reaching children's social care in the period",
    "diverted": "referrals diverted to early help in the period",
    "leavers": "permanent social workers leaving in the period",
    "starters": "permanent social workers starting in the period",
    "worker_changes": "cases moved to a new worker in the period",
    "allocations": "new referrals allocated a worker for the first time in the period",
    "wait_days_mean": "mean wait (days) from referral to first allocation of cases allocated in the period",
    "assessments_on_time": "share of assessments completed in the period within 45 working days",
    "cost_staff": "£ permanent social workers' and managers' pay and on-costs in the period",
    "cost_agency": "£ agency workers in the period (pay, on-costs and premium)",
    "cost_recruitment": "£ recruitment of permanent starters in the period",
    "cost_placements": "£ placements of looked-after children in the period",
    "sw_fte_in_post": "DfE: permanent social workers in post, all roles, holding cases or not "
                      "(FTE): staff_permanent / (1 - workforce.non_case_holding_share)",
    "case_holders": "DfE: social workers holding cases, permanent and agency (FTE)",
    "cases_held": "DfE: cases held by social workers (allocated open cases)",
    "caseload_dfe": "DfE: cases held / case holders",
    "agency_rate": "DfE: agency FTE / (agency FTE + sw_fte_in_post); agency FTE: staff_agency / "
                   "(1 - workforce.agency.non_case_holding_share)",
    "turnover_rate": "DfE: permanent leavers (all roles) in the 365 days to the sample / "
                     "sw_fte_in_post at it (nan with under a year of samples behind it)",
    "vacancy_rate": "DfE: vacant FTE (all roles; a post whose holder works notice is not "
                    "vacant) / (vacant FTE + sw_fte_in_post)",
}

METRIC_NAMES: tuple[str, ...] = tuple(METRICS)
METRIC_INDEX: dict[str, int] = {name: i for i, name in enumerate(METRIC_NAMES)}

PERIOD_METRICS: frozenset[str] = frozenset(
    {"referrals", "diverted", "leavers", "starters", "worker_changes", "allocations", "cost_staff",
     "cost_agency", "cost_recruitment", "cost_placements"}
)
COST_METRICS: tuple[str, ...] = ("cost_staff", "cost_agency", "cost_recruitment", "cost_placements")
MAY_BE_NAN: frozenset[str] = frozenset(
    {"caseload_mean", "caseload_p90", "over_cap_share", "agency_share", "span_of_control",
     "turnover_12m", "wait_days_mean", "assessments_on_time", "caseload_dfe", "agency_rate",
     "turnover_rate", "vacancy_rate"}
)
"""Ratios that are nan where their denominator is 0 (no workers, no staff, no history)."""
