"""report.html's sections in the order a cabinet reader needs them: the answer in sentences, the
caveats that follow from the scenarios' own assumptions, the figures (each with a line saying
what it shows), the tables, then what was run and every assumption with its source.

Every heading, measure and parameter is labelled from `sim.analysis.labels` (no code names) and
shares are shown as %.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.assumptions import report_assumptions
from sim.analysis.caveats import caveats
from sim.analysis.draws import MIN_REPLICATIONS, SPREAD_OUTCOME, spread_explained
from sim.analysis.financial_years import (
    COST_PARTS,
    TOTAL,
    year_heading,
    year_months,
    yearly_spread,
)
from sim.analysis.headline import HEADLINE_METRICS, chosen_metrics, pounds
from sim.analysis.labels import (
    DFE_MEASURE_LABELS,
    INDEX_LABELS,
    metric_label,
    parameter_label,
    parameter_value,
)
from sim.analysis.results_folder import ResultsFolder
from sim.report import html as report_html
from sim.scenario.loading import Scenario


@dataclass
class Contents:
    """What the page says: the scenarios (as the caller holds them, or as run.json records
    them), the answer's sentences, the figures as (caption, PNG path), sentences
    standing for figures not drawn, and the tables of final.csv, comparison.csv and the costs by
    financial year (None when absent)."""

    scenarios: list[Any]
    answer: list[str]
    figures: list[tuple[str, Path]]
    notes: list[str]
    final: pd.DataFrame | None
    comparison: pd.DataFrame | None
    costs: pd.DataFrame | None


def page_title(folder: ResultsFolder) -> str:
    """The scenarios' titles (the plan's compared with the first's), with what the experiment
    was; the folder's name when run.json names no scenario."""
    titles = [record.get("resolved", {}).get("title") or record.get("name", "?")
              for record in folder.scenario_records]
    if not titles:
        return f"caseload results: {folder.path.name}"
    if len(titles) == 2:
        title = f"{titles[1]}, compared with {titles[0]}"
    else:
        title = titles[0] if len(titles) == 1 else f"{titles[0]} and {len(titles) - 1} others"
    if folder.has("target.csv"):
        return f"How many extra posts? {title}"
    if folder.has("backtest_summary.csv"):
        return ("Back-test: the model's forecasts against what DfE later published "
                f"({len(titles)} council-origins)")
    sweep = folder.table("sweep.csv")
    if sweep is not None and len(sweep):
        return f"{title}: results against {parameter_label(str(sweep['param'].iloc[0])).lower()}"
    return f"{title}: which assumptions matter" if folder.has("sensitivity.csv") else title


def render(folder: ResultsFolder, contents: Contents) -> str:
    """The whole report.html of `folder`."""
    sections = [report_html.section("The answer", report_html.bullets(contents.answer)
                                    if contents.answer else report_html.paragraph(
                                        "No results in this folder to answer from."))]
    backtest = folder.has("backtest_summary.csv")
    if contents.scenarios and not backtest and all(isinstance(scenario, Scenario)
                                                   for scenario in contents.scenarios):
        sections.append(_caveats_section(folder, contents.scenarios))
    if contents.figures or contents.notes:
        sections.append(report_html.section("Figures", *(
            report_html.figure(png, caption) for caption, png in contents.figures),
            *map(report_html.paragraph, contents.notes)))
    tables = _tables(contents, folder)
    if tables:
        sections.append(report_html.section("Tables", *tables))
    if folder.has("draws.csv"):
        sections.append(_uncertainty_section(folder))
    sections.append(report_html.section("About this run", report_html.table(
        _run_facts(folder.run))))
    if backtest:
        sections.append(report_html.section("Assumptions", report_html.paragraph(
            "Each council's scenario is its baseline at the origin, built from DfE's figures of "
            "that date and before only: `caseload baseline --la NAME --year YEAR` writes it "
            "with every source. Its assumptions are in run.json.")))
    elif folder.scenario_records:
        sections.append(report_html.section(
            "Assumptions",
            report_html.paragraph(
                "Every assumption of the scenarios as simulated (after extends and --set), the "
                "file that set it and the source given beside it in that file; related values "
                "share a row. 'the design notes' source figures' are the published figures "
                "the project's design notes gather (docs/ in the caseload repository)."),
            report_html.table(report_assumptions(folder.scenario_records),
                              "Assumptions and their sources", css="assumptions")))
    return report_html.page(page_title(folder), sections)


def _caveats_section(folder: ResultsFolder, scenarios: list[Scenario]) -> str:
    """The caveats of the scenarios (`sim.analysis.caveats`), their uncertain assumptions named
    from run.json."""
    uncertain = {record.get("name"): [parameter_label(key) for key in record.get("uncertain")
                                      or {}] for record in folder.scenario_records}
    return report_html.section(
        "What the answer rests on",
        report_html.paragraph("The answer holds only as far as these assumptions of the "
                              "scenarios do (each is in the assumptions at the end):"),
        report_html.bullets(caveats(scenarios, [uncertain.get(s.name, []) for s in scenarios]),
                            css="caveats"))


def _uncertainty_section(folder: ResultsFolder) -> str:
    """Which uncertain assumption's draw explains most of the spread of the average caseload at
    the horizon across replications (squared Spearman rank correlation, from draws.csv and
    timeseries.parquet)."""
    intro = report_html.paragraph(
        "Each replication drew its own value of every uncertain assumption (draws.csv). The "
        "share of the spread explained is the squared Spearman rank correlation, over a "
        "scenario's replications, between an assumption's draw and the average caseload at the "
        "horizon: 100% if the caseload rises or falls with that draw alone, 0% if unrelated. At "
        f"least {MIN_REPLICATIONS} replications are needed.")
    values = folder.metric_values(SPREAD_OUTCOME) or {}
    outcomes = {name: samples[:, -1] for name, (_, samples) in values.items()}
    shares = spread_explained(folder.table("draws.csv"), outcomes)
    if not len(shares):
        return report_html.section("Uncertain assumptions", intro, report_html.paragraph(
            "Too few replications (or no spread in the caseload) to say."))
    shown = shares.assign(
        key=shares["key"].map(parameter_label),
        rank_correlation=shares["rank_correlation"].round(2),
        share_explained=shares["share_explained"].map(lambda share: f"{100 * share:.0f}%"),
    ).rename(columns={"key": "assumption",
                      "rank_correlation": "rank correlation with the caseload",
                      "share_explained": "share of the spread explained"})
    return report_html.section("Uncertain assumptions", intro, report_html.table(
        shown, "Uncertain assumptions by the share of the spread of the average caseload at the "
               "horizon that their draw explains"))


def _run_facts(run: dict) -> pd.DataFrame:
    facts = {
        "command": run.get("command"),
        "status": run.get("status"),
        "scenarios": "; ".join(f"{r.get('name')}: {r.get('resolved', {}).get('title', '')}"
                               for r in run.get("scenarios", [])),
        "replications": run.get("replications"),
        "root seed": run.get("root_seed"),
        "random numbers": "independent per scenario" if run.get("independent")
        else "common to every scenario",
        "caseload version": run.get("version"),
        "started (UTC)": run.get("started") or "not recorded",
        "finished (UTC)": run.get("finished") or "not finished",
        "executor and workers": f"{run.get('executor')}, {run.get('workers')}",
        "wall seconds": run.get("wall_seconds"),
        "SimPy events": run.get("events"),
    }
    return pd.DataFrame({"": list(facts), "value": [
        "" if value is None else str(value) for value in facts.values()]})


def _by_year(rows: pd.DataFrame, keys: list[str], heading: str = "end of year {}"
             ) -> pd.DataFrame:
    """Rows' `cell` with one row per `keys` (in first-seen order) and one column per `year`."""
    order = {key: list(dict.fromkeys(rows[key])) for key in keys}
    table = rows.pivot(index=keys, columns="year", values="cell").rename(
        columns=heading.format).reset_index()
    for key in reversed(keys):
        table = table.sort_values(key, key=lambda column, k=key: column.map(order[k].index),
                                  kind="stable")
    return table.reset_index(drop=True)


def _final_rows(final: pd.DataFrame) -> pd.DataFrame:
    """final.csv's headline metrics as 'median (5th to 95th percentile)' by year."""
    rows = []
    for metric, label, show in HEADLINE_METRICS:
        for row in final[final["metric"] == metric].itertuples():
            rows.append({"scenario": row.scenario, "measure": label, "year": row.year,
                         "cell": f"{show(row.p50)} ({show(row.p05)} to {show(row.p95)})"})
    return _by_year(pd.DataFrame(rows), ["scenario", "measure"])


def _points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def _comparison_rows(comparison: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for metric, label, show in HEADLINE_METRICS:
        differ = _points if metric_label(metric).kind == "share" else show
        for row in comparison[comparison["metric"] == metric].itertuples():
            rows.append({"scenario minus the first": f"{row.scenario} minus {row.baseline}",
                         "measure": label, "year": row.year,
                         "cell": f"{differ(row.mean_diff)} ({differ(row.ci_low)} to "
                                 f"{differ(row.ci_high)}); lower in {100 * row.p_lower:.0f}%"})
    return _by_year(pd.DataFrame(rows), ["scenario minus the first", "measure"])


def _cost_rows(costs: pd.DataFrame) -> pd.DataFrame:
    spread = yearly_spread(costs)
    months = year_months(costs)
    spread["part"] = spread["part"].map({**COST_PARTS, TOTAL: "total"})
    spread["year"] = [year_heading(year, months[year]) for year in spread["year"]]
    spread["cell"] = [f"{pounds(m)} ({pounds(lo)} to {pounds(hi)})"
                      for m, lo, hi in zip(spread["p50"], spread["p05"], spread["p95"])]
    return _by_year(spread.rename(columns={"part": "cost"}), ["scenario", "cost"], "{}")


def _shown(value: float, kind: str) -> str:
    if pd.isna(value):
        return ""
    if kind == "share":
        return f"{100 * value:.1f}%"
    return pounds(value) if kind == "money" else f"{value:,.4g}"


def _number_or_text(value: Any) -> Any:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return value if pd.isna(number) else float(number)


def _sweep_rows(sweep: pd.DataFrame) -> pd.DataFrame:
    """sweep.csv's chosen metrics, labelled: parameter values (shares as %), median and 90%."""
    sweep = sweep[sweep["metric"].isin(chosen_metrics(sweep["metric"].tolist()))]
    params = [c for c in sweep.columns if c.startswith("param")]
    out = pd.DataFrame()
    for param in params:
        value = "value" + param[len("param"):]
        out[parameter_label(str(sweep[param].iloc[0]))] = [
            parameter_value(key, _number_or_text(v)) for key, v in zip(sweep[param], sweep[value])]
    kinds = [metric_label(m).kind for m in sweep["metric"]]
    out["measure"] = [metric_label(m).label for m in sweep["metric"]]
    out["end of year"] = sweep["year"].to_numpy()
    for column, heading in (("p50", "median"), ("p05", "5th percentile"),
                            ("p95", "95th percentile")):
        out[heading] = [_shown(v, k) for v, k in zip(sweep[column], kinds)]
    return out


def _sensitivity_rows(sensitivity: pd.DataFrame) -> pd.DataFrame:
    rows = sensitivity[sensitivity["metric"].isin(
        chosen_metrics(sensitivity["metric"].tolist()))]
    return pd.DataFrame({
        "parameter": rows["param"].map(parameter_label),
        "measure": rows["metric"].map(lambda m: metric_label(m).label),
        "year": rows["year"],
        "index": rows["index"].map(lambda index: INDEX_LABELS.get(index, index)),
        "value": rows["value"].round(3), "95% CI low": rows["ci_low"].round(3),
        "95% CI high": rows["ci_high"].round(3)})


def _target_rows(target: pd.DataFrame) -> pd.DataFrame:
    def percent(values: pd.Series) -> list[str]:
        return [f"{100 * v:.0f}%" for v in values]

    shown = {"extra posts": target["extra_posts"],
             "probability of meeting the target": percent(target["probability"]),
             "95% CI low": percent(target["ci_low"]), "95% CI high": percent(target["ci_high"])}
    for column, heading in (("reps", "replications"), ("decision", "decision")):
        if column in target.columns:
            shown[heading] = target[column]
    return pd.DataFrame(shown)


def _backtest_rows(summary: pd.DataFrame) -> pd.DataFrame:
    from sim.experiments.backtest import change_cell

    def percent(values: pd.Series) -> list[str]:
        return [f"{v:.1f}%" for v in values]

    def ratio(row: pd.Series) -> str:
        """The model's error over persistence's, with its interval where the summary has one
        (a summary written before it had none)."""
        low, high = (row.get(f"model_over_persistence_{end}") for end in ("low", "high"))
        interval = (f" ({low:.2f}-{high:.2f})" if low is not None and high is not None
                    and math.isfinite(low) and math.isfinite(high) else "")
        return f"{row['model_over_persistence']:.2f}{interval}"

    return pd.DataFrame({
        "measure": summary["metric"].map(lambda m: DFE_MEASURE_LABELS.get(m, m)),
        "years ahead": summary["horizon"], "council-origins": summary["cells"],
        "model: median abs. error": percent(summary["mdape_model"]),
        "persistence": percent(summary["mdape_persistence"]),
        "drift": percent(summary["mdape_drift"]),
        "model / persistence (90% interval)": [ratio(row) for _, row in summary.iterrows()],
        "in the model's 50% band": percent(100 * summary["coverage_50"]),
        "in its 90% band": percent(100 * summary["coverage_90"]),
        "its moves against DfE's: rank correlation (90% interval), slope": [
            change_cell(row) for _, row in summary.iterrows()]})


def _tables(contents: Contents, folder: ResultsFolder) -> list[str]:
    out = []
    if contents.final is not None and len(contents.final):
        out.append(report_html.table(_final_rows(contents.final), "End of each simulated year: "
                                     "median (90% of replications)"))
    if contents.comparison is not None and len(contents.comparison):
        out.append(report_html.table(_comparison_rows(contents.comparison), "Paired differences "
                                     "at the end of each year: mean (95% confidence interval); "
                                     "share of replications lower"))
    if contents.costs is not None:
        out.append(report_html.table(_cost_rows(contents.costs), "Cost by financial year (1 "
                                     "April to 31 March): median (90% of replications)"))
    experiments: tuple[tuple[str, Any, str], ...] = (
        ("sweep.csv", _sweep_rows, "Results at each swept value (sweep.csv)"),
        ("sensitivity.csv", _sensitivity_rows, "Sensitivity indices (sensitivity.csv)"),
        ("target.csv", _target_rows, "Numbers of extra posts tried (target.csv)"),
        ("backtest_summary.csv", _backtest_rows, "Back-test scores by measure and years ahead "
                                                 "(backtest_summary.csv)"))
    for name, rows, caption in experiments:
        frame = folder.table(name)
        if frame is not None and len(frame):
            out.append(report_html.table(rows(frame), caption))
    return out
