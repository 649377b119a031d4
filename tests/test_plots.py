"""Figures: a real, non-blank PNG of the expected size, with caps and policy actions drawn."""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from fakes import FakeScenario, fake_replication

from sim.api import run
from sim.plots import fan_chart, new_figure, plot_caseload


@pytest.fixture(scope="module")
def results():
    return run(FakeScenario(), reps=6, seed=1, workers=1, replicate=fake_replication)


def test_caseload_png_has_the_expected_size_and_is_not_blank(results, tmp_path):
    path = tmp_path / "caseload.png"
    plot_caseload(results.summary(), results.scenarios[0], path)
    image = mpimg.imread(path)
    assert image.shape[:2] == (675, 1200)  # 8 x 4.5 inches at 150 dpi
    assert image[..., :3].var() > 0


def test_caseload_figure_shows_caps_policy_and_bands(results):
    figure = plot_caseload(results.timeseries, results.scenarios[0])
    ax = figure.axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "nqsw cap 15" in labels and "sw, senior cap 20" in labels
    assert "policy action" in labels
    assert {"caseload: median", "caseload: 50% of runs", "caseload: 90% of runs"} <= set(labels)
    assert ax.get_title(loc="left") == "Average caseload per social worker: A fake council"
    assert any(text.get_text().strip() == "86 more posts" for text in ax.texts)


def test_plot_from_timeseries_and_from_summary_agree(results):
    from_timeseries = plot_caseload(results.timeseries, results.scenarios[0])
    from_summary = plot_caseload(results.summary(), results.scenarios[0])
    median = [line for line in from_timeseries.axes[0].lines if line.get_label().endswith("median")]
    again = [line for line in from_summary.axes[0].lines if line.get_label().endswith("median")]
    assert np.array_equal(median[0].get_ydata(), again[0].get_ydata())


def test_fan_chart_draws_two_bands_and_a_median():
    _, ax = new_figure()
    rows = pd.DataFrame({"p05": [1, 2], "p25": [2, 3], "p50": [3, 4], "p75": [4, 5],
                         "p95": [5, 6]})
    fan_chart(ax, ["2020-01-01", "2020-02-01"], rows, "#0072B2", "staff")
    assert len(ax.collections) == 2 and len(ax.lines) == 1
    assert ax.lines[0].get_ydata().tolist() == [3, 4]
