"""Figures of experiments over parameters: sweeps, global sensitivity and goal seeking.

Each takes the rows of the CSV its command writes (CONTRACT.md): sweep.csv, sensitivity.csv,
target.csv (with run.json's `answer` and `target`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.analysis.answers import goal_text
from sim.analysis.headline import chosen_metrics
from sim.analysis.labels import INDEX_LABELS, is_share, metric_label, parameter_label
from sim.report.figures.common import GREY, OKABE_ITO, SCENARIO_COLOURS, blank_figure, titled


def _panels(count: int, inches: float) -> list[Axes]:
    figure = blank_figure(max(3.6, count * inches))
    axes = list(figure.subplots(count, 1, squeeze=False)[:, 0])
    for ax in axes:
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
    return axes


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """Numeric x positions of swept values, with tick labels when the values are not numbers."""
    numbers = pd.to_numeric(values, errors="coerce")
    if numbers.notna().all():
        return numbers.to_numpy(float), None
    labels = list(dict.fromkeys(values.astype(str)))
    return np.array([labels.index(v) for v in values.astype(str)], dtype=float), labels


def _metric_label(metric: str) -> str:
    label = metric_label(metric)
    return f"{label.label} ({label.unit})" if label.unit and label.kind != "share" else label.label


def from_zero(ax: Axes, metric: str) -> None:
    """Start the y-axis at zero (the metrics are never negative), and show shares as %: a
    difference as small as the noise between replications then looks as small as it is, not
    like a trend across an axis of 15.0 to 15.8."""
    highest = max((float(np.nanmax(line.get_ydata(), initial=0)) for line in ax.get_lines()),
                  default=0.0)
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] if highest > 0 else 1)
    if metric_label(metric).kind == "share":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _value(key: str, value: object) -> str:
    """A swept value as a reader is shown it (shares as %)."""
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return str(value) if pd.isna(number) else (f"{100 * number:.3g}%" if is_share(key)
                                               else f"{number:g}")


def plot_sweep(sweep: pd.DataFrame) -> Figure:
    """How does each metric respond to the swept parameter? One panel per metric (at most four,
    headline metrics first): the median at the end of each simulated year, with the 90%
    interval of the replications for the last year. A grid (`param2`, `value2`) draws the last
    year with one line per value of the second parameter."""
    metrics = chosen_metrics(sweep["metric"].tolist())
    axes = _panels(len(metrics), 2.8)
    param = str(sweep["param"].iloc[0])
    second = (parameter_label(str(sweep["param2"].iloc[0])).lower()
              if "param2" in sweep.columns else "")
    last = sweep["year"].max()
    grid = "value2" in sweep.columns and sweep["value2"].notna().any()
    for ax, metric in zip(axes, metrics):
        rows = sweep[sweep["metric"] == metric]
        if grid:
            key = str(rows["param2"].iloc[0])
            groups = [(f"{second} {_value(key, v)}", rows[(rows["value2"] == v)
                       & (rows["year"] == last)]) for v in pd.unique(rows["value2"])]
        else:
            groups = [(f"year {int(y)}", rows[rows["year"] == y])
                      for y in sorted(pd.unique(rows["year"]))]
        for i, (label, part) in enumerate(groups):
            x, ticks = _positions(part["value"])
            order = np.argsort(x)
            colour = SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)]
            if grid or i == len(groups) - 1:
                ax.fill_between(x[order], part["p05"].to_numpy(float)[order],
                                part["p95"].to_numpy(float)[order], color=colour, alpha=0.2,
                                linewidth=0, label=f"{label}: 90% of replications")
            ax.plot(x[order], part["p50"].to_numpy(float)[order], color=colour, marker="o",
                    markersize=3, linewidth=1.6, label=f"{label}: median")
            if ticks is not None:
                ax.set_xticks(range(len(ticks)), ticks)
        from_zero(ax, metric)
        if is_share(param) and ticks is None:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(_metric_label(metric), loc="left", fontsize=9)
        ax.set_xlabel(parameter_label(param), fontsize=8)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    titled(axes[0].figure, f"How do the results change with the "
                           f"{parameter_label(param).lower()}?",
           "at the end of each simulated year; median of the replications; y-axes from zero")
    return axes[0].figure


def plot_sensitivity(sensitivity: pd.DataFrame) -> Figure:
    """Which parameters matter most? Ranked horizontal bars per metric (at most four) at the last
    year recorded: Morris mu* and sigma, or Sobol first (S1) and total (ST) order indices, with
    their confidence intervals; the most influential parameter on top."""
    method = str(sensitivity["method"].iloc[0])
    metrics = chosen_metrics(sensitivity["metric"].tolist())
    params = sensitivity["param"].nunique()
    axes = _panels(len(metrics), max(2.6, 0.45 * params + 1.2))
    indices = [i for i in ("mu_star", "sigma", "S1", "ST") if i in set(sensitivity["index"])]
    rank_by = "mu_star" if "mu_star" in indices else "ST"
    for ax, metric in zip(axes, metrics):
        rows = sensitivity[(sensitivity["metric"] == metric)]
        rows = rows[rows["year"] == rows["year"].max()]
        order = (rows[rows["index"] == rank_by].sort_values("value")["param"].tolist())
        height = 0.8 / len(indices)
        for i, (index, colour) in enumerate(zip(indices, (OKABE_ITO["blue"],
                                                          OKABE_ITO["orange"]))):
            part = rows[rows["index"] == index].set_index("param").reindex(order)
            value = part["value"].to_numpy(float)
            low, high = part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float)
            errors = np.abs(np.vstack([value - low, high - value]))
            ax.barh(np.arange(len(order)) + (0.5 - i) * height, value, height, color=colour,
                    label=INDEX_LABELS.get(index, index),
                    xerr=None if np.isnan(errors).all() else errors,  # SALib: none for sigma
                    error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": GREY})
        ax.set_yticks(np.arange(len(order)), [parameter_label(p) for p in order], fontsize=7)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.axvline(0, color=GREY, linewidth=0.8)
        year = int(rows["year"].max())
        ax.set_title(f"{_metric_label(metric)} (year {year})", loc="left", fontsize=9)
        ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    name = {"morris": "Morris screening", "sobol": "Sobol indices"}.get(method, method)
    titled(axes[0].figure, "Which parameters matter most?",
           f"{name}; whiskers: 95% intervals, where given; most influential on top")
    return axes[0].figure


def plot_target(target: pd.DataFrame, answer: dict, goal: dict) -> Figure:
    """How many extra posts are needed? The probability of meeting the target against the
    number of extra posts (each candidate with its 95% interval), the required probability as
    a line and the answer marked."""
    figure = blank_figure(4.5)
    ax = figure.add_subplot()
    rows = target.sort_values("extra_posts")
    x = rows["extra_posts"].to_numpy(float)
    p = rows["probability"].to_numpy(float)
    errors = np.vstack([p - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - p])
    ax.errorbar(x, p, yerr=np.abs(errors), color=OKABE_ITO["blue"], marker="o", markersize=4,
                capsize=2, linewidth=1.4, label="probability (95% interval)")
    required = goal.get("prob")
    if required is not None:
        ax.axhline(required, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=1.2,
                   label=f"required probability {100 * required:.3g}%")
    if answer and answer.get("extra_posts") is not None:
        ax.plot([answer["extra_posts"]], [answer["probability"]], marker="*", markersize=14,
                color=OKABE_ITO["green"], linestyle="none",
                label=f"answer: {answer['extra_posts']:g} extra posts")
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("extra posts")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("probability of meeting the target")
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", fontsize=7, framealpha=0.9)
    titled(figure, "How many extra posts are needed to meet the target?", goal_text(goal))
    return figure
