"""Human labels and units of every metric and of every column of the results folder's tables.

One place for the words a reader sees: results.xlsx takes its headings, measure names and data
dictionary from here. A metric's `kind` says how its numbers are rounded and shown: `money` (£,
whole pounds), `share` (a fraction shown as %), `level` (two decimals) or `count` (one decimal).

Period metrics (`sim.model.metrics.PERIOD_METRICS`) are totals over the report period that ends
at the sample: `report_every_days` days, shorter for the period that ends at 00:00 on 1 April or
at the horizon. Their values in summary.csv, final.csv, comparison.csv and sweep.csv are per that
period, not per year; costs.csv and the workbook's cost sheets sum them by financial year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sim.model.metrics import METRICS, PERIOD_METRICS
from sim.scenario.summary import LEVEL_WORDS


@dataclass(frozen=True)
class Label:
    """What a reader is shown for one metric: its label, unit and kind (see the module)."""

    label: str
    unit: str
    kind: str


PERIOD = "per report period"
SHARE = "share (0 to 1; shown as %)"

METRIC_LABELS: dict[str, Label] = {
    "caseload_mean": Label("Average caseload per social worker", "cases per worker", "level"),
    "caseload_p90": Label("Caseload of the 90th-percentile worker", "cases per worker", "level"),
    "over_cap_share": Label("Workers above their caseload cap", SHARE, "share"),
    "unallocated": Label("Unallocated cases", "cases", "count"),
    "open_cases": Label("Open cases", "cases", "count"),
    "open_assessment": Label("Open assessments", "cases", "count"),
    "open_cin": Label("Open child-in-need cases", "cases", "count"),
    "open_cp": Label("Open child-protection cases", "cases", "count"),
    "open_cla": Label("Open looked-after cases", "cases", "count"),
    "staff_permanent": Label("Permanent social workers in post", "FTE", "level"),
    "staff_agency": Label("Agency social workers in post", "FTE", "level"),
    "staff_nqsw": Label("Newly qualified social workers in post", "FTE", "level"),
    "establishment": Label("Funded posts (establishment)", "FTE", "level"),
    "vacancies": Label("Vacant posts", "FTE", "level"),
    "posts_on_notice": Label("Posts whose worker is working notice", "FTE", "level"),
    "agency_share": Label("Agency share of social workers", SHARE, "share"),
    "turnover_12m": Label("Turnover over the last 12 months",
                          "share of permanent staff leaving a year (shown as %)", "share"),
    "managers": Label("Team managers in post", "FTE", "level"),
    "span_of_control": Label("Social workers per team manager", "workers per manager", "level"),
    "referrals": Label("Referrals", f"referrals {PERIOD}", "count"),
    "diverted": Label("Referrals diverted to early help", f"referrals {PERIOD}", "count"),
    "leavers": Label("Permanent leavers", f"people {PERIOD}", "count"),
    "starters": Label("Permanent starters", f"people {PERIOD}", "count"),
    "worker_changes": Label("Cases moved to a new worker", f"cases {PERIOD}", "count"),
    "allocations": Label("New referrals allocated a worker", f"cases {PERIOD}", "count"),
    "wait_days_mean": Label("Mean wait from referral to allocation", "days", "level"),
    "assessments_on_time": Label("Assessments done within 45 working days", SHARE, "share"),
    "cost_staff": Label("Cost: permanent staff pay", f"£ {PERIOD}", "money"),
    "cost_agency": Label("Cost: agency staff (pay and premium)", f"£ {PERIOD}", "money"),
    "cost_recruitment": Label("Cost: recruitment", f"£ {PERIOD}", "money"),
    "cost_placements": Label("Cost: placements of looked-after children", f"£ {PERIOD}",
                             "money"),
    "sw_fte_in_post": Label("DfE: permanent social workers in post (all roles)", "FTE", "level"),
    "case_holders": Label("DfE: social workers holding cases (permanent and agency)", "FTE",
                          "level"),
    "cases_held": Label("DfE: cases held by social workers", "cases", "count"),
    "caseload_dfe": Label("DfE: caseload (cases held per case holder)", "cases per worker",
                          "level"),
    "agency_rate": Label("DfE: agency rate", SHARE, "share"),
    "turnover_rate": Label("DfE: turnover rate (leavers in the year to the date)", SHARE, "share"),
    "vacancy_rate": Label("DfE: vacancy rate", SHARE, "share"),
}

COST_LABELS: dict[str, str] = {
    "cost_staff": "permanent staff pay", "cost_agency": "agency (pay and premium)",
    "cost_recruitment": "recruitment", "cost_placements": "placements", "total": "total"}
"""The cost parts summed by financial year (sim.analysis.financial_years) and their total."""

PER_FINANCIAL_YEAR = "£ per financial year (1 April to 31 March)"

DFE_MEASURE_LABELS = {"caseload": "caseload", "case_holders": "case holders",
                      "cases_held": "cases held", "sw_fte_in_post": "social workers in post",
                      "agency_rate": "agency rate", "turnover_rate": "turnover rate",
                      "vacancy_rate": "vacancy rate", "referrals": "referrals",
                      "all": "all measures"}
"""The back-test's DfE measures (backtest.csv's `metric`) in a few words, for figures."""

INDEX_LABELS = {"mu_star": "mean absolute effect (Morris)",
                "sigma": "spread of the effects: interactions, non-linearity (Morris)",
                "S1": "share of the variance from this parameter alone (Sobol first order)",
                "ST": "share of the variance including interactions (Sobol total order)"}
"""The sensitivity indices of sensitivity.csv's `index` column, in words."""

PARAMETER_LABELS: dict[str, str] = {
    "years": "Years simulated",
    "start": "Start date",
    "warmup_days": "Warm-up before the start (days)",
    "report_every_days": "Days between samples",
    "demand.referrals_per_year": "Referrals a year",
    "demand.growth_per_year": "Growth of referrals a year",
    "demand.no_further_action": "Referrals closed with no further action",
    "demand.cases_referral_elasticity": "How far cases held follow referrals (elasticity)",
    "demand.usual_caseload_ratio": "The council's usual caseload over its start's",
    "workforce.establishment": "Funded social worker posts (establishment)",
    "workforce.agency_in_post": "Agency social workers in post at the start",
    "workforce.non_case_holding_share": "Posts not holding cases",
    "workforce.turnover.annual_rate": "Turnover of permanent staff a year",
    "workforce.turnover.caseload_elasticity": "Rise of turnover with caseload (elasticity)",
    "workforce.agency.cover": "Vacancies covered by agency staff",
    "workforce.agency.max_share": "Most agency staff as a share of social workers",
    "workforce.agency.annual_turnover": "Agency staff leaving a year",
    "workforce.agency.beyond_vacancies": "Agency staff beyond vacancy cover (FTE)",
    "workforce.agency.non_case_holding_share": "Agency staff not holding cases",
    "workforce.agency.caseload_response": "Rise of agency staff with caseload above the typical",
    "workforce.agency.typical_caseload_ratio": "Typical caseload over the council's at the start",
    "workforce.recruitment.success": "Recruitment campaigns that fill the post",
    "workforce.recruitment.nqsw_share": "Starters who are newly qualified",
    "workforce.recruitment.senior_share": "Starters who are senior",
    "workforce.recruitment.time_to_hire_days.mean": "Mean time to hire (days)",
    "effects.cla_escalation": "Rise of entries to care with caseload",
    "costs.on_cost_share": "Employer on-costs on pay",
    "costs.agency_premium_per_year": "Agency premium per worker a year (£)",
    "costs.recruitment_per_hire": "Recruitment cost per hire (£)",
}
"""Human labels of the scenario keys a reader meets most (sweeps, sensitivity, caveats); other
keys are labelled by `parameter_label` from their words."""

STAGE_WORDS = {"cin": "child in need", "cp": "child protection", "cla": "looked after"}
"""The case stages' codes in words."""

SHARE_KEYS = re.compile(r"(share|rate|cover|growth_per_year|no_further_action|success|"
                        r"annual_turnover|\.outcome\.\w+|\.next\.\w+)$")
"""Scenario keys whose values are shares (0 to 1), shown as %."""


def parameter_label(key: str) -> str:
    """A scenario key (dotted) in words: its label in PARAMETER_LABELS, else its parts with level
    codes in words, e.g. "workforce.levels.nqsw.cap" -> "Caseload cap: newly qualified"."""
    if key in PARAMETER_LABELS:
        return PARAMETER_LABELS[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[:2] == ["workforce", "levels"]:
        return f"{LEVEL_WORDS.get(parts[2], parts[2]).capitalize()} social workers"
    if len(parts) == 4 and parts[:2] == ["workforce", "levels"]:
        what = {"cap": "Caseload cap", "in_post": "In post at the start",
                "turnover_multiplier": "Turnover multiplier"}.get(parts[3], parts[3])
        return f"{what}: {LEVEL_WORDS.get(parts[2], parts[2])} social workers"
    words = [{**LEVEL_WORDS, **STAGE_WORDS}.get(part, part).replace("_", " ") for part in parts
             if part not in ("workforce", "demand")]
    words = [word for word in words if word] or [key]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def is_share(key: str) -> bool:
    """Whether the scenario key's value is a share (0 to 1), shown as %."""
    return bool(SHARE_KEYS.search(key))


def parameter_value(key: str, value: object) -> str:
    """A scenario value as a reader is shown it: shares as %, numbers in their shortest form."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if is_share(key):
        return f"{100 * value:.3g}%"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.6g}"
    return f"{int(value):,}"


def level_words(text: str) -> str:
    """Level codes in `text` (e.g. a cap's legend "nqsw cap 15") in words."""
    return re.sub(r"\b(nqsw|sw|senior)\b", lambda m: LEVEL_WORDS[m.group(1)], text)


DESIGN_NOTES = "the design notes' source figures"
"""What a source comment's "FACTS" is: the figures gathered in the project's design notes
(docs/ and the design folder), which a reader of a report does not have as a file."""


def readable_source(comment: str) -> str:
    """A scenario file's source comment for a reader: "FACTS" (the design notes' file of source
    figures) said in words."""
    return re.sub(r"\bFACTS(\.md)?\b", DESIGN_NOTES, comment)


def metric_label(metric: str) -> Label:
    """The label of `metric`; an unknown name labels itself (a folder from another version)."""
    return METRIC_LABELS.get(metric, Label(metric, "", "level"))


def period_note(report_every_days: int | None) -> str:
    """What "per report period" means for a scenario sampled every `report_every_days`."""
    days = f"{report_every_days} days" if report_every_days else "report_every_days"
    return (f"the report period is the {days} up to the sample's date (shorter for the period "
            "ending at 00:00 on 1 April or at the horizon); money over a period is not a year's")


def cost_column(part: str) -> str:
    """costs.csv's column of a cost part, its period in its name (e.g.
    `cost_staff_gbp_per_financial_year`)."""
    return f"{'cost_total' if part == 'total' else part}_gbp_per_financial_year"


def metric_meaning(metric: str) -> str:
    """The metric's definition (sim.model.metrics), saying when it is a period total."""
    meaning = METRICS.get(metric, "")
    return f"{meaning} (a total over the report period)" if metric in PERIOD_METRICS else meaning


METRIC_UNIT = "the metric's unit (see Metrics below; money: £ per report period)"
BACKTEST_UNIT = "the measure's unit: FTE, cases, referrals a year, or a share (0 to 1)"
_STATISTICS = {
    "mean": "mean over replications",
    "sd": "standard deviation over replications",
    "p05": "5th percentile over replications",
    "p25": "25th percentile over replications",
    "p50": "median over replications",
    "p75": "75th percentile over replications",
    "p95": "95th percentile over replications",
    "ci_low": "lower end of the 95% confidence interval of the mean",
    "ci_high": "upper end of the 95% confidence interval of the mean",
}
_YEAR_END = {"metric": ("metric code", "text"),
             "year": ("simulated year (1 = the first 12 months from the start)", "years"),
             "date": ("date of the last sample in that year", "date")}


def _statistics(*names: str) -> dict[str, tuple[str, str]]:
    """The columns `names` of statistics over replications, then `n`."""
    return {**{name: (_STATISTICS[name], METRIC_UNIT) for name in names},
            "n": ("replications with a value", "replications")}


_FINAL = _statistics("mean", "ci_low", "ci_high", "p05", "p50", "p95")
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "summary.csv": {
        "scenario": ("scenario name", "text"), "metric": ("metric code", "text"),
        "day": ("days after the scenario's start", "days"),
        "date": ("date of the sample", "date"),
        **_statistics("mean", "sd", "p05", "p25", "p50", "p75", "p95"),
    },
    "final.csv": {"scenario": ("scenario name", "text"), **_YEAR_END, **_FINAL},
    "comparison.csv": {
        "scenario": ("scenario name", "text"),
        "baseline": ("the first scenario, which the others are compared with", "text"),
        **_YEAR_END,
        "mean_diff": ("mean over replications of scenario minus baseline, paired by replication",
                      METRIC_UNIT),
        "ci_low": ("lower end of the 95% confidence interval of mean_diff", METRIC_UNIT),
        "ci_high": ("upper end of the 95% confidence interval of mean_diff", METRIC_UNIT),
        "p_lower": ("share of replications in which the scenario is lower than the baseline",
                    SHARE),
    },
    "costs.csv": {
        "scenario": ("scenario name", "text"),
        "rep": ("replication (the same number in every scenario shares its random numbers)",
                "number"),
        "financial_year": ("financial year, 1 April to 31 March (e.g. 2020/21)", "text"),
        "months": ("calendar months of the financial year the run covers (under 12: a part "
                   "year)", "months"),
        **{cost_column(part): (f"{label}: cost in the financial year",
                               PER_FINANCIAL_YEAR) for part, label in COST_LABELS.items()},
    },
    "sweep.csv": {
        "param": ("the swept scenario key (dotted); a grid adds param2, value2, ...", "text"),
        "value": ("its value at this point", "the key's unit (see docs/scenarios.md)"),
        **_YEAR_END, **_FINAL,
    },
    "sensitivity.csv": {
        "method": ("morris or sobol", "text"),
        "param": ("the varied scenario key (dotted)", "text"),
        "metric": ("metric code", "text"),
        "year": ("years after the start at which the metric is read", "years"),
        "index": ("mu_star and sigma (Morris: mean absolute and spread of elementary effects) "
                  "or S1 and ST (Sobol: first-order and total share of variance)", "text"),
        "value": ("the index", "Morris: the metric's unit; Sobol: share of variance"),
        "ci_low": ("lower end of its 95% bootstrap interval", "as value"),
        "ci_high": ("upper end of its 95% bootstrap interval", "as value"),
    },
    "design.csv": {
        "point": ("the design point's number", "number"),
        "scenario": ("the design point's scenario name", "text"),
        "<parameter key>": ("the parameter's value at the point (one column per parameter)",
                            "the key's unit (see docs/scenarios.md)"),
        "<metric>_year<y>": ("the metric's mean over the point's replications at y years",
                             "the metric's unit (see Metrics below)"),
    },
    "target.csv": {
        "extra_posts": ("extra case-holding posts of the candidate", "FTE posts"),
        "probability": ("share of its replications meeting the target", SHARE),
        "ci_low": ("lower end of the Clopper-Pearson interval of the probability", SHARE),
        "ci_high": ("upper end of the Clopper-Pearson interval of the probability", SHARE),
        "reps": ("replications run", "replications"),
        "successes": ("replications meeting the target", "replications"),
        "decision": ("above or below the required probability, or undecided", "text"),
    },
    "backtest.csv": {
        "council": ("the council (local authority)", "text"),
        "code": ("DfE's code of the council", "number"),
        "origin": ("the census year the forecast starts from (30 September)", "year"),
        "horizon": ("years ahead of the origin the forecast is scored", "years"),
        "metric": ("DfE's measure (rates as shares, 0 to 1)", "text"),
        "actual": ("what DfE published for that year (empty: not published)", BACKTEST_UNIT),
        **{q: (f"{_STATISTICS[q].replace('over replications', 'of the model')}", BACKTEST_UNIT)
           for q in ("p05", "p25", "p50", "p75", "p95")},
        "persistence": ("naive forecast: DfE's figure at the origin", BACKTEST_UNIT),
        "drift": ("naive forecast: the origin's figure plus the council's average yearly change "
                  "before it", BACKTEST_UNIT),
    },
    "backtest_summary.csv": {
        "metric": ("DfE's measure, or 'all' measures together", "text"),
        "horizon": ("years ahead of the origin", "years"),
        "cells": ("councils x origins scored", "number"),
        "mdape_model": ("median absolute percentage error of the model's median", "%"),
        "mdape_persistence": ("median absolute percentage error of persistence", "%"),
        "mdape_drift": ("median absolute percentage error of drift", "%"),
        "model_over_persistence": ("the model's error over persistence's (below 1: the model "
                                   "is better)", "ratio"),
        "model_over_persistence_low": ("lower end of its 90% interval, a bootstrap over "
                                       "councils (an interval that holds 1: the back-test cannot "
                                       "tell the two apart)", "ratio"),
        "model_over_persistence_high": ("upper end of its 90% interval", "ratio"),
        "coverage_50": ("share of DfE's figures inside the model's 50% band (p25 to p75)", SHARE),
        "coverage_90": ("share of DfE's figures inside the model's 90% band (p05 to p95)", SHARE),
        "change_rank_correlation": ("rank correlation of the model's move from the origin "
                                    "with DfE's (0: its moves say nothing of which councils "
                                    "rise; 1: it orders them all right)", "ratio"),
        "change_rank_correlation_low": ("lower end of its 90% interval, a bootstrap over "
                                        "councils", "ratio"),
        "change_rank_correlation_high": ("upper end of its 90% interval", "ratio"),
        "change_slope": ("DfE's move per unit of the model's, a robust slope (1: the right size; "
                         "below 1: the model's moves too large; 0 or below: no better than none)",
                         "ratio"),
    },
    "skipped.csv": {
        "council": ("the council not run", "text"), "code": ("DfE's code", "number"),
        "origin": ("the origin year", "year"),
        "reason": ("why: DfE's figures missing at the origin or later", "text"),
    },
}
"""Each table's columns: meaning and unit."""
