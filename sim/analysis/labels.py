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

from dataclasses import dataclass

from sim.model.metrics import METRICS, PERIOD_METRICS


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
}
"""Each table's columns: meaning and unit."""
