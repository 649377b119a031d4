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
from sim.analysis.financial_years import COST_PARTS, TOTAL
from sim.analysis.headline import HEADLINE_METRICS, chosen_metrics, pounds
from sim.analysis.marks import marks_of

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
            return steps[-1][1], f"the {biggest} cap"
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
    p05, p50, p95 = np.percentile(totals, [5, 50, 95])
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
        out.append(f"At the end of year {int(first['year'])}, {metric} (median) is "
                   f"{first['p50']:,.4g} with {param} = {first['value']} and {final['p50']:,.4g} "
                   f"with {param} = {final['value']}.")
    return out


def sensitivity_sentences(sensitivity: pd.DataFrame) -> list[str]:
    """For each headline metric: the parameters ranked by mu* (Morris) or ST (Sobol)."""
    out = []
    for metric in chosen_metrics(sensitivity["metric"].tolist()):
        rows = sensitivity[sensitivity["metric"] == metric]
        rows = rows[rows["year"] == rows["year"].max()]
        index = "mu_star" if (rows["index"] == "mu_star").any() else "ST"
        ranked = rows[rows["index"] == index].sort_values("value", ascending=False)
        listed = ", ".join(f"{row.param} ({index} {row.value:.3g})"
                           for row in ranked.head(3).itertuples())
        out.append(f"{metric} at year {int(rows['year'].max())} depends most on {listed}.")
    return out


def goal_text(goal: dict) -> str:
    """'caseload_mean below 18 at 3 years with probability at least 0.8' (or '')."""
    if not goal:
        return ""
    text = f"{goal.get('metric', '?')} {goal.get('direction', 'below')} {goal.get('threshold', '?')}"
    if goal.get("sample_date"):
        text += f" on {goal['sample_date']}"
    elif goal.get("at_years") is not None:
        text += f" at {goal['at_years']:.3g} years"
    if goal.get("prob") is not None:
        text += f" with probability at least {goal['prob']:g}"
    return text


def target_sentences(target: pd.DataFrame, answer: dict, goal: dict) -> list[str]:
    """The answer of a goal seek, in words."""
    wanted = goal_text(goal) or "the target"
    if not answer or answer.get("extra_posts") is None:
        tried = target["extra_posts"].max() if len(target) else 0
        return [f"No number of extra posts tried (up to {tried:g}) meets {wanted}."]
    return [(f"{answer['extra_posts']:g} extra posts are the fewest that meet {wanted}: the "
            f"probability is {answer['probability']:.2f} (95% CI {answer['ci_low']:.2f} to "
            f"{answer['ci_high']:.2f}), from {len(target)} candidates evaluated.")]


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
