"""The figure of docs/turnover.md: within-council log turnover against log caseload, both with
council and year effects taken out, and the fitted line of the within estimate."""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from sim.report.figures.common import GREY, OKABE_ITO, blank_figure, titled


def within_figure(x_part: np.ndarray, y_part: np.ndarray, slope: float,
                  interval: tuple[float, float], detail: str) -> Figure:
    """Points: council-years, log caseload and log turnover less their council and year effects;
    the line: the estimate (slope through the origin, where the partialled-out points centre)."""
    figure = blank_figure(5.0)
    ax = figure.add_subplot()
    ax.scatter(x_part, y_part, s=9, color=OKABE_ITO["blue"], alpha=0.45, linewidths=0,
               label="a council-year")
    ends = np.array([x_part.min(), x_part.max()])
    low, high = interval
    ax.plot(ends, slope * ends, color=OKABE_ITO["vermillion"], linewidth=2,
            label=f"within estimate {slope:.2f} (90% interval {low:.2f} to {high:.2f})")
    ax.axhline(0, color=GREY, linewidth=0.5)
    ax.axvline(0, color=GREY, linewidth=0.5)
    ax.set(xlabel="log caseload, less council and year effects",
           ylabel="log turnover rate, less council and year effects")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.grid(alpha=0.3)
    titled(figure, "Within a council, is turnover higher in years its caseloads were higher?",
           detail)
    return figure
