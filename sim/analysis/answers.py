"""Headline answers in plain sentences, computed from a results folder's tables.

Every number in a sentence comes from the run's files (final.csv, comparison.csv, the per-
replication timeseries, sweep.csv, sensitivity.csv, target.csv): nothing is typed in.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.comparison import paired_stats
from sim.analysis.financial_years import (
    COST_PARTS,
    TOTAL,
    year_heading,
    year_months,
    yearly_differences,
)
from sim.analysis.headline import HEADLINE_METRICS, WORKFORCE_COSTS, chosen_metrics, pounds
from sim.analysis.labels import INDEX_LABELS, metric_label, parameter_label, parameter_value
from sim.analysis.marks import marks_of
from sim.analysis.predictive import sample_quantiles
from sim.scenario.summary import LEVEL_WORDS

NEVER = np.iinfo(np.int64).max


def threshold_of(scenario: Any) -> tuple[float, str]:
    """The caseload a reader asks about: the first hire-to-caseload target, else the cap of the
    level with most workers in post at the start, as in force at the horizon."""
    marks = marks_of(scenario)
    if marks.targets:
        return marks.targets[0][1], "the plan's target"
    biggest = max(scenario.workforce.levels.items(), key=lambda item: item[1].in_post)[0]
    for label, steps in marks.caps.items():
        if biggest in label.split(" cap ")[0].split(", "):
            return steps[-1][1], f"the cap of {LEVEL_WORDS[biggest]} social workers"
    raise ValueError("a scenario has at least one level")


def crossing_indices(values: np.ndarray, threshold: float) -> np.ndarray:
    """Per replication (rows), the first sample from which the value stays below `threshold`
    to the end; NEVER if the last sample is not below it (missing values count as not below)."""
    below = np.asarray(values, dtype=float) < threshold
    stays = np.flip(np.logical_and.accumulate(np.flip(below, axis=1), axis=1), axis=1)
    first = np.argmax(stays, axis=1)
    return np.where(stays.any(axis=1), first, NEVER)


def _month(date: Any) -> str:
    return pd.Timestamp(date).strftime("%B %Y")


def falls_below(dates: np.ndarray, values: np.ndarray, threshold: float, why: str) -> str:
    """When the average caseload falls below `threshold` for good (and stays below to the
    horizon), per replication: the median date and the 90% interval, e.g. 'The average caseload
    falls below 18 (the plan's target) for good in March 2018 in the median replication; 90% of
    replications between November 2017 and not within the horizon (June 2021).'

    dates: sample dates; values: (replications, samples).
    """
    crossing = crossing_indices(values, threshold)
    p05, p50, p95 = (np.quantile(crossing, q, method="inverted_cdf") for q in (0.05, 0.5, 0.95))
    horizon = _month(dates[-1])
    below = f"below {threshold:g} ({why})"
    if p95 == 0:
        return f"The average caseload is {below} from the start in at least 95% of replications."
    if p05 == NEVER:
        return (f"The average caseload does not fall {below} for good within the horizon "
                f"({horizon}) in at least 95% of replications.")

    def when(index: int) -> str:
        if index == NEVER:
            return "not within the horizon"
        return "the start" if index == 0 else _month(dates[index])

    if p50 == NEVER:
        return (f"The average caseload does not fall {below} for good within the horizon "
                f"({horizon}) in the median replication; the first 5% of replications do by "
                f"{when(p05)}.")
    return (f"The average caseload falls {below} for good in {when(p50)} in the median "
            f"replication; 90% of replications between {when(p05)} and {when(p95)} (horizon: "
            f"{horizon}).")


def at_horizon(final: pd.DataFrame, scenario: str) -> list[str]:
    """'At the end of year 5 (2021-06-30): caseload per worker 17.2 (90% of replications 16.8 to
    17.6).' for each headline metric in final.csv."""
    rows = final[final["scenario"] == scenario]
    if rows.empty:
        return []
    last = rows[rows["year"] == rows["year"].max()].set_index("metric")
    parts = []
    for metric, label, show in HEADLINE_METRICS:
        if metric in last.index:
            row = last.loc[metric]
            parts.append(f"{label} {show(row['p50'])} ({show(row['p05'])} to "
                         f"{show(row['p95'])})")
    year, date = int(rows["year"].max()), last["date"].iloc[0]
    return [f"At the end of year {year} ({date}), median and 90% of replications: "
            + "; ".join(parts) + "."]


def total_cost(costs: pd.DataFrame, scenario: str) -> str:
    """'Cost over the whole run: £52.1m (90% of replications £51.0m to £53.3m).'"""
    totals = costs[costs["scenario"] == scenario].groupby("rep")[TOTAL].sum().to_numpy()
    p05, p50, p95 = sample_quantiles(totals, [0.05, 0.5, 0.95])
    return (f"Cost over the whole run (pay, agency, recruitment and placements): {pounds(p50)} "
            f"(90% of replications {pounds(p05)} to {pounds(p95)}).")


def _signed(value: float, show: Any) -> str:
    return ("+" if value > 0 else "") + show(value)


def difference_sentences(comparison: pd.DataFrame, scenario: str) -> list[str]:
    """'Against A, B changes the caseload per worker by -3.3 (95% CI -3.4 to -3.1) at the end of
    year 5; lower in 100.0% of replications.' for caseload and unallocated cases."""
    rows = comparison[comparison["scenario"] == scenario]
    if rows.empty:
        return []
    last = rows[rows["year"] == rows["year"].max()].set_index("metric")
    baseline, year = rows["baseline"].iloc[0], int(rows["year"].max())
    out = []
    for metric, label, show in HEADLINE_METRICS[:2]:
        if metric in last.index:
            row = last.loc[metric]
            out.append(f"Against {baseline}, {scenario} changes the {label} by "
                       f"{_signed(row['mean_diff'], show)} (95% CI {show(row['ci_low'])} to "
                       f"{show(row['ci_high'])}) at the end of year {year}; lower in "
                       f"{100 * row['p_lower']:.0f}% of replications.")
    return out


def cost_difference(costs: pd.DataFrame, baseline: str, scenario: str) -> str:
    """'Over the whole run B costs £4.2m more than A (95% CI ...): permanent staff pay +£..., ...'
    (paired by replication)."""
    parts = [name for name in [*COST_PARTS, TOTAL] if name in costs.columns]
    sums = costs.groupby(["scenario", "rep"])[parts].sum()
    mine, base = sums.loc[scenario], sums.loc[baseline]
    reps = mine.index.intersection(base.index)
    result = paired_stats(mine.loc[reps].to_numpy(float), base.loc[reps].to_numpy(float))
    total = parts.index(TOTAL)
    mean = result["mean_diff"][total]
    more = "more" if mean > 0 else "less"
    pieces = [f"{COST_PARTS[name]} {_signed(result['mean_diff'][i], pounds)}"
              for i, name in enumerate(parts) if name != TOTAL]
    return (f"Over the whole run {scenario} costs {pounds(abs(mean))} {more} than {baseline} "
            f"(95% CI {pounds(result['ci_low'][total])} to {pounds(result['ci_high'][total])}): "
            + ", ".join(pieces) + ".")


def sweep_sentences(sweep: pd.DataFrame) -> list[str]:
    """For each headline metric: its median at the last year at the lowest and highest swept
    value."""
    last = sweep[sweep["year"] == sweep["year"].max()]
    if "value2" in last.columns and last["value2"].notna().any():
        last = last[last["value2"] == last["value2"].iloc[0]]
    param = last["param"].iloc[0]
    out = []
    for metric in chosen_metrics(last["metric"].tolist()):
        rows = last[last["metric"] == metric].sort_values(
            "value", key=lambda values: pd.to_numeric(values, errors="coerce"), kind="stable")
        first, final = rows.iloc[0], rows.iloc[-1]
        label = metric_label(metric)
        out.append(f"At the end of year {int(first['year'])}, the {label.label.lower()} "
                   f"(median) is {_metric_value(first['p50'], label.kind)} with "
                   f"{_setting(param, first['value'])} and "
                   f"{_metric_value(final['p50'], label.kind)} with "
                   f"{_setting(param, final['value'])}.")
    return out


def _metric_value(value: float, kind: str) -> str:
    """A metric's value as a reader is shown it: shares as %, money in £."""
    if kind == "share":
        return f"{100 * value:.1f}%"
    return pounds(value) if kind == "money" else f"{value:,.4g}"


def _setting(key: str, value: Any) -> str:
    """'the turnover of permanent staff a year at 10%' for a swept key and value."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    shown = value if pd.isna(number) else parameter_value(key, float(number))
    return f"{parameter_label(key).lower()} at {shown}"


def sensitivity_sentences(sensitivity: pd.DataFrame) -> list[str]:
    """For each headline metric: the parameters ranked by mu* (Morris) or ST (Sobol)."""
    out = []
    for metric in chosen_metrics(sensitivity["metric"].tolist()):
        rows = sensitivity[sensitivity["metric"] == metric]
        rows = rows[rows["year"] == rows["year"].max()]
        index = "mu_star" if (rows["index"] == "mu_star").any() else "ST"
        ranked = rows[rows["index"] == index].sort_values("value", ascending=False)
        listed = ", ".join(f"{parameter_label(row.param).lower()} ({row.value:.3g})"
                           for row in ranked.head(3).itertuples())
        out.append(f"The {metric_label(metric).label.lower()} at year {int(rows['year'].max())} "
                   f"depends most on {listed}; in brackets the {INDEX_LABELS[index]}.")
    return out


def backtest_sentences(summary: pd.DataFrame) -> list[str]:
    """For each horizon, over all measures: the model's median absolute % error against the
    naive forecasts', and how often DfE's figure fell inside the model's bands."""
    out = []
    for row in summary[summary["metric"] == "all"].itertuples():
        years = "1 year" if row.horizon == 1 else f"{row.horizon} years"
        out.append(f"{years} ahead, over {row.cells} published figures: the model's median is "
                   f"{row.mdape_model:.1f}% from what DfE later published (median absolute "
                   f"error), against {row.mdape_persistence:.1f}% for carrying the last figure "
                   f"forward and {row.mdape_drift:.1f}% for its trend; DfE's figure fell inside "
                   f"the model's 50% band in {100 * row.coverage_50:.0f}% of cases and its 90% "
                   f"band in {100 * row.coverage_90:.0f}%.")
    return out


def goal_text(goal: dict) -> str:
    """'the average caseload per social worker below 18 at 3 years with probability at least
    0.8' (or '')."""
    if not goal:
        return ""
    label = metric_label(goal.get("metric", "?")).label.lower()
    text = f"the {label} {goal.get('direction', 'below')} {goal.get('threshold', '?')}"
    if goal.get("sample_date"):
        text += f" on {goal['sample_date']}"
    elif goal.get("at_years") is not None:
        text += f" at {goal['at_years']:.3g} years"
    if goal.get("prob") is not None:
        text += f" with probability at least {_percent(goal['prob'])}"
    return text


def _percent(share: float) -> str:
    return f"{100 * share:.3g}%"


def target_sentences(target: pd.DataFrame, answer: dict, goal: dict,
                     confidence: float = 0.95) -> list[str]:
    """The answer of a goal seek, in words: the fewest extra posts, their probability, the range
    the answer lies in with `confidence` (the search's) and what it leaves open, and the
    answer's cost by financial year against no extra posts (run.json's `answer`)."""
    wanted = goal_text(goal) or "the target"
    if not answer or answer.get("extra_posts") is None:
        tried = target["extra_posts"].max() if len(target) else 0
        return [f"No number of extra posts tried (up to {tried:g}) meets {wanted}."]
    out = [(f"{answer['extra_posts']:g} extra posts are the fewest that meet {wanted}: the "
            f"probability is {_percent(answer['probability'])} (95% CI "
            f"{_percent(answer['ci_low'])} to {_percent(answer['ci_high'])}), from "
            f"{len(target)} candidates evaluated.")]
    span = answer.get("posts_range") or {}
    level = _percent(confidence)
    if span.get("high") is not None:
        out.append(f"With {level} confidence the answer lies between {span['low']:g} and "
                   f"{span['high']:g} extra posts.")
    elif span.get("low") is not None:
        out.append(f"With {level} confidence the answer is at least {span['low']:g} extra posts; "
                   "no candidate was surely above the required probability within the "
                   "replications run, so more replications (--reps) would close the range.")
    years = answer.get("cost_by_financial_year") or []
    if years:
        shown = "; ".join(
            f"{year['financial_year']} {pounds(year['cost'])}, extra "
            f"{_signed(year['extra_cost'], pounds)}"
            + ("" if year.get("extra_ci_low") is None else
               f" ({_signed(year['extra_ci_low'], pounds)} to "
               f"{_signed(year['extra_ci_high'], pounds)})")
            for year in years)
        out.append(f"Its cost by financial year (pay, agency, recruitment and placements, to "
                   f"{years[-1]['last_sample']}; mean, and the extra over no extra posts with "
                   f"its 95% CI): {shown}.")
    return out


def scenario_answers(scenario: Any, final: pd.DataFrame | None,
                     caseload: tuple[np.ndarray, np.ndarray] | None,
                     costs: pd.DataFrame | None) -> list[str]:
    """The sentences about one scenario that its files allow, each starting with its name."""
    out = []
    if caseload is not None:
        threshold, why = threshold_of(scenario)
        out.append(falls_below(*caseload, threshold, why))
    if final is not None:
        out.extend(at_horizon(final, scenario.name))
    if costs is not None and (costs["scenario"] == scenario.name).any():
        out.append(total_cost(costs, scenario.name))
    return [f"{scenario.name}: {sentence}" for sentence in out]


def comparison_answers(names: Sequence[str], comparison: pd.DataFrame | None,
                       costs: pd.DataFrame | None) -> list[str]:
    """The sentences comparing each later scenario with the first."""
    out = []
    for name in names[1:]:
        if comparison is not None:
            out.extend(difference_sentences(comparison, name))
        if costs is not None:
            out.append(cost_difference(costs, names[0], name))
    return out


def report_sentences(scenarios: Sequence[Any], final: pd.DataFrame | None,
                     caseload: dict[str, tuple[np.ndarray, np.ndarray]] | None,
                     comparison: pd.DataFrame | None, costs: pd.DataFrame | None) -> list[str]:
    """The sentences of report.html about scenarios and their comparison, in its order.

    caseload: scenario name -> (dates, replications x samples) of caseload_mean, or None."""
    sentences = []
    for scenario in scenarios:
        sentences.extend(scenario_answers(
            scenario, final, caseload.get(scenario.name) if caseload else None, costs))
    sentences.extend(comparison_answers([s.name for s in scenarios], comparison, costs))
    return sentences


# --- the opening of report.html: the answer first -------------------------------------------------

def called(scenario: Any) -> str:
    """A scenario as a reader knows it: its title in quotes, else its name."""
    return f"“{scenario.title}”" if scenario.title else scenario.name


def _caseload_at_end(final: pd.DataFrame, name: str) -> pd.Series | None:
    rows = final[(final["scenario"] == name) & (final["metric"] == "caseload_mean")]
    return None if rows.empty else rows.loc[rows["year"].idxmax()]


def caseload_sentence(final: pd.DataFrame, scenario: Any,
                      caseload: tuple[np.ndarray, np.ndarray] | None) -> str | None:
    """'The average caseload per social worker is 17.2 at the end of year 5 (2021-06-30; 90% of
    replications 16.8 to 17.6), from 25.0 at the start.'"""
    end = _caseload_at_end(final, scenario.name)
    if end is None:
        return None
    start = ("" if caseload is None else
             f", from {np.nanmedian(caseload[1][:, 0]):.1f} at the start")
    return (f"The average caseload per social worker is {end['p50']:.1f} at the end of year "
            f"{int(end['year'])} ({end['date']}; 90% of replications {end['p05']:.1f} to "
            f"{end['p95']:.1f}){start}.")


def plan_caseload_sentence(final: pd.DataFrame, comparison: pd.DataFrame | None,
                           baseline: Any, plan: Any) -> str | None:
    """What the plan does to the caseload at the horizon against the baseline, with the paired
    difference's 95% CI and the share of replications in which it is lower."""
    mine, theirs = (_caseload_at_end(final, each.name) for each in (plan, baseline))
    if mine is None or theirs is None:
        return None
    text = (f"With {called(plan)} the average caseload per social worker is {mine['p50']:.1f} at "
            f"the end of year {int(mine['year'])} ({mine['date']}; 90% of replications "
            f"{mine['p05']:.1f} to {mine['p95']:.1f}), against {theirs['p50']:.1f} with "
            f"{called(baseline)}")
    rows = (comparison[(comparison["scenario"] == plan.name)
                       & (comparison["metric"] == "caseload_mean")]
            if comparison is not None else pd.DataFrame())
    if rows.empty:
        return text + "."
    row = rows.loc[rows["year"].idxmax()]
    return (text + f": a difference of {_signed(row['mean_diff'], '{:.1f}'.format)} cases per "
            f"worker (95% CI {row['ci_low']:.1f} to {row['ci_high']:.1f}), lower in "
            f"{100 * row['p_lower']:.0f}% of {int(mine['n'])} paired replications.")


def when_sentence(scenario: Any, caseload: tuple[np.ndarray, np.ndarray] | None) -> str | None:
    """When the caseload falls below the plan's target or the main cap for good (`falls_below`)."""
    if caseload is None:
        return None
    threshold, why = threshold_of(scenario)
    sentence = falls_below(*caseload, threshold, why)
    return "When: " + sentence[:1].lower() + sentence[1:]


def _groups(costs: pd.DataFrame, name: str) -> pd.DataFrame:
    """One scenario's cost of the workforce (pay, agency, recruitment) and of placements per
    replication and financial year: columns rep, year, workforce, placements."""
    rows = costs[costs["scenario"] == name]
    workforce = [part for part in WORKFORCE_COSTS if part in rows.columns]
    placements = (rows["cost_placements"] if "cost_placements" in rows.columns
                  else pd.Series(0.0, index=rows.index))
    return pd.DataFrame({"rep": rows["rep"], "year": rows["year"],
                         "workforce": rows[workforce].sum(axis=1), "placements": placements})


def _split(costs: pd.DataFrame, name: str) -> pd.DataFrame:
    """One scenario's workforce and placement costs summed over the run, per replication."""
    return _groups(costs, name).drop(columns="year").groupby("rep").sum()


def extra_cost_sentence(costs: pd.DataFrame, baseline: Any, plan: Any) -> str:
    """The plan's extra cost over the baseline by financial year (mean paired difference of the
    total, 95% CI) and over the run, split into the workforce and placements."""
    months = year_months(costs)
    rows = yearly_differences(costs, baseline.name, plan.name)
    rows = rows[rows["part"] == TOTAL]
    years = "; ".join(
        f"{year_heading(row.year, months[row.year])} {_signed(row.mean_diff, pounds)} "
        f"({_signed(row.ci_low, pounds)} to {_signed(row.ci_high, pounds)})"
        for row in rows.itertuples())
    mine, base = _split(costs, plan.name), _split(costs, baseline.name)
    reps = mine.index.intersection(base.index)
    run = paired_stats(mine.loc[reps].to_numpy(float), base.loc[reps].to_numpy(float))
    workforce, placements = run["mean_diff"]
    return (f"What it costs against {called(baseline)}, by financial year (mean extra, with its "
            f"95% CI): {years}. Over the run: {_signed(workforce + placements, pounds)}, of "
            f"which the workforce (pay, agency and recruitment) {_signed(workforce, pounds)} and "
            f"placements {_signed(placements, pounds)}.")


def cost_sentence(costs: pd.DataFrame, scenario: Any) -> str:
    """One scenario's cost by financial year: the medians over replications of the total, the
    workforce and placements."""
    months = year_months(costs)
    groups = _groups(costs, scenario.name)
    medians = groups.assign(total=groups["workforce"] + groups["placements"]).groupby(
        "year", sort=False)[["total", "workforce", "placements"]].median()
    years = [f"{year_heading(year, months[year])} {pounds(row.total)} (workforce "
             f"{pounds(row.workforce)}, placements {pounds(row.placements)})"
             for year, row in medians.iterrows()]
    return (f"What it costs by financial year (median of the replications): {'; '.join(years)}. "
            "Compare it with a scenario without the plan (`caseload compare`) for the extra "
            "cost of a plan.")


def answer_sentences(scenarios: Sequence[Any], final: pd.DataFrame | None,
                     caseload: dict[str, tuple[np.ndarray, np.ndarray]] | None,
                     comparison: pd.DataFrame | None, costs: pd.DataFrame | None) -> list[str]:
    """The answer report.html opens with, in plain sentences: for each scenario after the first
    (the plan against the first, no plan), what it does to the caseload, when, how sure, and
    what it costs by financial year against the first; for one scenario, its caseload, when
    and its cost by financial year. Arguments as `report_sentences`."""
    caseload = caseload or {}
    out: list[str | None] = []
    if len(scenarios) == 1:
        scenario = scenarios[0]
        if final is not None:
            out.append(caseload_sentence(final, scenario, caseload.get(scenario.name)))
        out.append(when_sentence(scenario, caseload.get(scenario.name)))
        if costs is not None and (costs["scenario"] == scenario.name).any():
            out.append(cost_sentence(costs, scenario))
    for plan in scenarios[1:]:
        if final is not None:
            out.append(plan_caseload_sentence(final, comparison, scenarios[0], plan))
        out.append(when_sentence(plan, caseload.get(plan.name)))
        if costs is not None and {plan.name, scenarios[0].name} <= set(costs["scenario"]):
            out.append(extra_cost_sentence(costs, scenarios[0], plan))
    return [sentence for sentence in out if sentence]
