"""Figures: caps, targets and policy actions marked; fan charts; costs by financial year."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from builders import scenario
from fakes import FakeScenario, fake_replication

from sim.api import run
from sim.analysis.financial_years import financial_year_labels
from sim.report.figures.common import fan_chart, new_figure
from sim.analysis.financial_years import costs_by_year, financial_year_labels, yearly_differences
from sim.analysis.marks import marks_of
from sim.report.figures.caseload import plot_caseload


@pytest.fixture(scope="module")
def results():
    return run(FakeScenario(), reps=6, seed=1, workers=1, replicate=fake_replication)


def legend_labels(ax) -> list[str]:
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_caseload_figure_shows_caps_policy_and_bands(results):
    figure = plot_caseload(results.timeseries, results.scenarios)
    ax = figure.axes[0]
    labels = legend_labels(ax)
    assert "newly qualified cap 15" in labels and "experienced, senior cap 20" in labels
    assert "policy actions:" in labels and "1: 01 Oct 2016, 86 more posts" in labels
    assert {"caseload: median", "caseload: 50% of runs", "caseload: 90% of runs"} <= set(labels)
    assert ax.get_title(loc="left") == "A fake council"
    assert any(text.get_text() == "1" for text in ax.texts)


def test_caseload_figure_has_one_panel_per_scenario(results):
    other = FakeScenario(name="other", title="Another council")
    both = run([FakeScenario(), other], reps=3, seed=1, workers=1, replicate=fake_replication)
    figure = plot_caseload(both.summary(), both.scenarios)
    assert [ax.get_title(loc="left") for ax in figure.axes] == ["A fake council",
                                                                 "Another council"]


def test_plot_from_timeseries_and_from_summary_agree(results):
    from_timeseries = plot_caseload(results.timeseries, results.scenarios)
    from_summary = plot_caseload(results.summary(), results.scenarios)
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


def test_marks_follow_set_cap_and_hire_to_caseload_actions():
    sc = scenario({"workforce": {"levels": {"nqsw": {"cap": 15}, "sw": {"cap": 20}}},
                   "policy": [{"after_days": 30, "do": "set_cap", "caps": {"sw": 18}},
                              {"after_days": 30, "do": "hire_to_caseload", "target": 17,
                               "note": "hire to 17"},
                              {"after_days": 90, "do": "retention",
                               "turnover_multiplier": 0.9}]})
    marks = marks_of(sc)
    start = dt.date(2020, 4, 1)
    assert marks.caps == {"nqsw cap 15": [(start, 15.0)],
                          "sw cap 20 then 18": [(start, 20.0), (dt.date(2020, 5, 1), 18.0)]}
    assert marks.targets == [(dt.date(2020, 5, 1), 17.0)]
    assert marks.actions == [(dt.date(2020, 5, 1), "set cap; hire to 17"),
                             (dt.date(2020, 6, 30), "retention")]


def test_financial_years_run_from_april_to_march():
    labels = financial_year_labels(["2016-03-31", "2016-04-01", "2017-03-31", "2099-12-31"])
    assert labels.tolist() == ["2015/16", "2016/17", "2016/17", "2099/00"]


def test_costs_by_year_add_up_to_the_timeseries_totals(results):
    series = results.timeseries
    costs = costs_by_year(series)
    series = series[series["day"] > 0]  # the day-0 sample closes no period of the run
    parts = ["cost_staff", "cost_agency", "cost_recruitment", "cost_placements"]
    assert np.isclose(costs["total"].sum(), series[parts].to_numpy().sum())
    assert np.allclose(costs[parts].sum(axis=1), costs["total"])
    first = costs[costs["year"] == "2016/17"]["months"].iloc[0]
    assert first == 9  # July 2016 to March 2017


def test_yearly_differences_are_paired_by_replication():
    costs = pd.DataFrame({"scenario": ["a"] * 3 + ["b"] * 3, "rep": [0, 1, 2] * 2,
                          "year": "2020/21", "cost_staff": [10.0, 20.0, 30.0, 9.0, 19.0, 29.0]})
    costs["total"] = costs["cost_staff"]
    rows = yearly_differences(costs, "a", "b").set_index("part")
    assert rows.loc["total", "mean_diff"] == pytest.approx(-1.0)
    assert rows.loc["total", "ci_low"] == pytest.approx(-1.0)  # no spread in the pairs
    assert rows.loc["total", "p_lower"] == 1.0


STATISTICS = ["mean", "sd", "p05", "p25", "p50", "p75", "p95"]


def with_metric(summary: pd.DataFrame, metric: str, scale: float) -> pd.DataFrame:
    """`summary` with every statistic of `metric` multiplied by `scale`."""
    summary = summary.copy()
    rows = summary["metric"] == metric
    summary.loc[rows, STATISTICS] = summary.loc[rows, STATISTICS] * scale
    return summary


def test_a_cap_above_the_axes_gets_no_legend_entry(results):
    summary = results.summary()
    top = summary.loc[summary["metric"] == "caseload_mean", "p95"].max()
    low = with_metric(summary, "caseload_mean", 5 / top)       # caseloads up to 5: caps 15, 20 off
    ax = plot_caseload(low, results.scenarios).axes[0]
    labels = legend_labels(ax)
    assert not [label for label in labels if "cap" in label]
    assert "caseload: median" in labels
    high = ax.get_ylim()[1]
    for line in ax.get_lines():
        if not line.get_label().startswith("_") and len(line.get_ydata()):
            assert np.min(np.asarray(line.get_ydata(), dtype=float)) <= high
    shown = legend_labels(plot_caseload(summary, results.scenarios).axes[0])
    assert "newly qualified cap 15" in shown                     # on the axes: in the legend


def test_waiting_panels_zero_in_every_replication_become_a_sentence(results):
    from sim.report.figures.workforce import plot_waiting, waiting_panels

    summary = results.summary()
    zero = with_metric(with_metric(summary, "unallocated", 0), "wait_days_mean", 0)
    panels, sentence = waiting_panels(zero, results.scenarios)
    assert [metric for metric, _, _ in panels] == ["turnover_12m"]
    assert sentence == ("Open cases without a worker and mean wait from referral to a worker: "
                        "zero throughout, in every replication of every scenario, so not drawn.")
    assert len(plot_waiting(zero, results.scenarios, panels).axes) == 1
    once = zero.copy()
    first = once.index[once["metric"] == "unallocated"][0]
    once.loc[first, "mean"] = 0.1              # one replication had a case waiting once
    assert "unallocated" in [metric for metric, _, _ in waiting_panels(once, results.scenarios)[0]]
