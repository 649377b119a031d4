"""Figures of `caseload backtest`, from its summary table (backtest_summary.csv); `finish_folder`
draws them into the folder and its report.

calibration: for each DfE measure, the share of actual values inside the model's 50% and 90%
bands against those nominal levels (on the diagonal: calibrated). error_by_horizon: median
absolute % error of the model, persistence and drift, by measure, at 1 and 2 years.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.analysis.labels import DFE_MEASURE_LABELS
from sim.report.figures.common import GREY, OKABE_ITO, blank_figure, titled

NOMINAL = {"coverage_50": 0.5, "coverage_90": 0.9}
FORECASTER_COLOURS = {"model": OKABE_ITO["blue"], "persistence": OKABE_ITO["orange"],
                      "drift": OKABE_ITO["green"]}


def calibration_figure(summary: pd.DataFrame) -> Figure:
    """Observed against nominal coverage of the model's bands, per measure (all horizons
    pooled, weighted by cells)."""
    figure = blank_figure(5.5)
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], color=GREY, linestyle="--", linewidth=0.8, label="calibrated")
    nominal = list(NOMINAL.values())
    for metric, part in summary.groupby("metric", sort=False):
        weights = part["cells"].to_numpy(dtype=float)
        observed = [float(np.average(part[band], weights=weights)) for band in NOMINAL]
        style = {"color": "black", "linewidth": 2.2} if metric == "all" else {"linewidth": 1}
        ax.plot(nominal, observed, marker="o", label=DFE_MEASURE_LABELS.get(metric, metric),
                **style)
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="nominal coverage of the model's band",
           ylabel="share of DfE's actual values inside it")
    ax.legend(fontsize=8, ncols=2, frameon=False)
    titled(figure, "Do the model's bands hold what DfE later published as often as they "
                   "should?", "50% band p25-p75, 90% band p05-p95; 1- and 2-year horizons pooled")
    return figure


def error_by_horizon_figure(summary: pd.DataFrame) -> Figure:
    """Median absolute % error by measure and horizon, model against the naive forecasters."""
    metrics = list(dict.fromkeys(summary["metric"]))
    horizons = sorted(summary["horizon"].unique())
    figure = blank_figure(max(3.0, 2.4 * len(horizons)))
    axes = figure.subplots(len(horizons), 1, squeeze=False)[:, 0]
    width = 0.8 / len(FORECASTER_COLOURS)
    for ax, horizon in zip(axes, horizons, strict=True):
        part = summary[summary["horizon"] == horizon].set_index("metric").reindex(metrics)
        for i, (forecaster, colour) in enumerate(FORECASTER_COLOURS.items()):
            ax.bar(np.arange(len(metrics)) + (i - 1) * width, part[f"mdape_{forecaster}"],
                   width, color=colour, label=forecaster)
        ax.set_xticks(range(len(metrics)), [DFE_MEASURE_LABELS.get(m, m) for m in metrics],
                      fontsize=8, rotation=20)
        ax.set_ylabel(f"{horizon} year{'s' if horizon > 1 else ''} ahead", fontsize=8)
        ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].legend(fontsize=8, frameon=False)
    titled(figure, "How far are the forecasts from what DfE later published?",
           "median absolute percentage error over councils and origins")
    return figure
