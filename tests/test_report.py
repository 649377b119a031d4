"""Every results folder gets its figures and report.html; `caseload plot DIR` redraws them."""
from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from sim.analysis.headline import pounds
from sim.analysis.labels import METRIC_LABELS
from sim.cli.main import main
from sim.report.finish import finish_folder

COUNCIL = """\
name = "council"
title = "A small council"
start = 2020-04-01
years = 1
report_every_days = 14

[demand]
referrals_per_year = 1200     # DfE referrals (a test figure)
no_further_action = 0.1

[workforce]
establishment = 40            # FACTS: forty posts
levels = { nqsw = { in_post = 6 }, sw = { in_post = 28 } }   # assumption: a small team
agency_in_post = 2
agency = { cover = 0.5 }

[initial]
open = { assessment = 60, cin = 300, cp = 90, cla = 150 }
"""

PLAN = """\
extends = ["council.toml"]
name = "plan"
title = "Ten more posts and a cap of 18"

[[policy]]
after_days = 60               # assumption: two months to agree the plan
do = "add_posts"
count = 10                    # the plan: ten more posts
note = "10 more posts"

[[policy]]
after_days = 120
do = "set_cap"
cap = 18                      # the plan's cap
"""

FIGURES = ("caseload", "staffing", "unallocated", "costs", "comparison")


class Page(HTMLParser):
    """Collects the tags, images and table texts of an HTML page; fails on unbalanced tags."""

    VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.images: list[str] = []
        self.cells: list[str] = []
        self.headings: list[str] = []
        self.captions: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in self.VOID:
            self.open.append(tag)
        self._in = tag

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()

    def handle_data(self, data):
        if self._in in ("td", "th"):
            self.cells.append(data)
        if self._in in ("h1", "h2"):
            self.headings.append(data)
        if self._in == "caption":
            self.captions.append(data)


def sections(path: Path) -> list[tuple[str, str]]:
    """report.html's sections in order: (heading, the section's HTML after its heading)."""
    return re.findall(r"<section>\n<h2>(.*?)</h2>(.*?)</section>", path.read_text(encoding="utf-8"),
                      re.S)


def plain(fragment: str) -> str:
    """An HTML fragment's text: tags and embedded images taken out, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", fragment)))


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.open == []
    return page


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report")
    (root / "council.toml").write_text(COUNCIL)
    (root / "plan.toml").write_text(PLAN)
    out = root / "results"
    status = main(["compare", str(root / "council.toml"), str(root / "plan.toml"), "--reps", "3",
                   "--workers", "1", "--out", str(out), "--quiet", "--set",
                   "demand.growth_per_year=0.05"])
    assert status == 0
    return out


@pytest.mark.parametrize("name", FIGURES)
def test_compare_draws_each_figure_not_blank_at_a4_width(folder, name):
    image = mpimg.imread(folder / f"{name}.png")
    height, width = image.shape[:2]
    assert width == 1200 and 600 <= height <= 2400   # 8 inches at 150 dpi
    assert image[..., :3].var() > 0.001
    svg = (folder / f"{name}.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg


def test_report_parses_and_embeds_every_figure(folder):
    page = parse(folder / "report.html")
    pngs = sorted(path.name for path in folder.glob("*.png"))
    assert len(page.images) == len(pngs) >= len(FIGURES) - 1   # unallocated.png may be a sentence
    for src in page.images:
        assert src.startswith("data:image/png;base64,") and len(src) > 10_000
    assert "Assumptions and their sources" in page.captions


def test_panels_zero_in_every_replication_are_one_sentence_not_a_flat_line(folder):
    summary = pd.read_csv(folder / "summary.csv")
    zero = [metric for metric in ("unallocated", "wait_days_mean")
            if summary.loc[summary["metric"] == metric, "mean"].max() == 0]
    text = html.unescape((folder / "report.html").read_text())
    said = ("Open cases without a worker and mean wait from referral to a worker: zero "
            "throughout, in every replication of every scenario, so not drawn.")
    assert (said in text) == (zero == ["unallocated", "wait_days_mean"])
    assert "zero in every replication" not in text        # no panel drawn flat with that label


def test_report_opens_with_the_answer_and_ends_with_what_was_run(folder):
    headings = [heading for heading, _ in sections(folder / "report.html")]
    assert headings == ["The answer", "What the answer rests on", "Figures", "Tables",
                        "About this run", "Assumptions"]
    page = parse(folder / "report.html")
    assert page.headings[0] == "Ten more posts and a cap of 18, compared with A small council"
    text = (folder / "report.html").read_text()
    record = json.loads((folder / "run.json").read_text())
    about = text.index("<h2>About this run</h2>")
    assert text.index(str(record["root_seed"])) > about and text.index("SimPy events") > about


def test_report_holds_the_assumptions_with_source_comments(folder):
    _, assumptions = sections(folder / "report.html")[-1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", assumptions)
    cells = [html.unescape(cell) for cell in cells]
    assert "workforce.establishment" in cells
    assert "the design notes' source figures: forty posts" in cells
    assert not any("FACTS" in cell for cell in cells)       # users do not have the file
    assert "assumption: two months to agree the plan; the plan: ten more posts" in cells
    assert "assumption: a small team" in cells            # from an inline table's line
    assert "demand.growth_per_year" in cells and "override" in cells   # --set
    assert "documented default (docs/scenarios.md)" in cells
    keys = cells[1::6]                              # assumption, key, 2 values, set in, source
    assert "Policy action 1" in cells and "policy.0" in keys
    assert not {"name", "title", "policy.0.note", "policy.1.note"} & set(keys)
    assert "Growth of referrals a year" in cells and "5%" in cells   # shares as %
    assert "<tr>" in assumptions and assumptions.count("<tr>") < 90   # compact


def test_report_answers_in_sentences_from_the_results(folder):
    heading, answer = sections(folder / "report.html")[0]
    answer = plain(answer)
    final = pd.read_csv(folder / "final.csv")
    median = final[(final["scenario"] == "plan") & (final["metric"] == "caseload_mean")]["p50"]
    assert (f"With “Ten more posts and a cap of 18” the average caseload per social worker is "
            f"{median.iloc[-1]:.1f} at the end of year 1") in answer
    assert "When: the average caseload" in answer
    costs = pd.read_csv(folder / "costs.csv")
    year = costs[costs["financial_year"] == "2020/21"].pivot(
        index="rep", columns="scenario", values="cost_total_gbp_per_financial_year")
    extra = (year["plan"] - year["council"]).mean()
    assert ("What it costs against “A small council”, by financial year (mean extra, with its "
            f"95% CI): 2020/21 +{pounds(extra)} (") in answer
    assert "2021/22 (part: 1 month)" in answer


def test_caveats_follow_from_the_scenarios(folder):
    _, rests = sections(folder / "report.html")[1]
    rests = plain(rests)
    assert "Referrals grow by 5% a year from 1,200 a year" in rests          # --set growth
    assert "50% of vacancies are covered by an agency social worker within 14 days" in rests
    assert "no published study gives how much turnover rises with caseload" in rests


def test_report_uses_human_labels_and_percentages(folder):
    text = plain("".join(body for heading, body in sections(folder / "report.html")
                         if heading not in ("About this run", "Assumptions")))
    text = re.sub(r"\S+\.(png|svg)", "", text)                      # the figures' file names
    codes = [metric for metric in METRIC_LABELS if "_" in metric and metric in text]
    assert codes == []
    for code in ("sw cap", "nqsw", "mu*", "mu_star", "workforce.", "demand."):
        assert code not in text
    turnover = re.search(r"turnover in the last 12 months</td>(.*?)</tr>",
                         (folder / "report.html").read_text())
    cells = re.findall(r"<td>(.*?)</td>", turnover.group(1))
    assert cells and all(re.fullmatch(r"\d+\.\d% \(\d+\.\d% to \d+\.\d%\)", c) for c in cells)


def test_plot_redraws_a_folder_without_simulating(folder, capsys):
    for path in folder.glob("*.png"):
        path.unlink()
    (folder / "report.html").unlink()
    chunks = sorted(path.stat().st_mtime_ns for path in (folder / "chunks").iterdir())
    assert main(["plot", str(folder)]) == 0
    assert "13 files written" in capsys.readouterr().out
    assert all((folder / f"{name}.png").is_file() for name in FIGURES)
    assert len(parse(folder / "report.html").images) == len(FIGURES)
    assert sorted(p.stat().st_mtime_ns for p in (folder / "chunks").iterdir()) == chunks


@pytest.mark.parametrize("setup, message", [
    (lambda path: None, "not a folder"),
    (lambda path: path.mkdir(), "no run.json"),
    (lambda path: (path.mkdir(), (path / "run.json").write_text("{broken")), "cannot read it"),
])
def test_plot_of_a_bad_folder_exits_2_with_one_line(tmp_path, capsys, setup, message):
    target = tmp_path / "results"
    setup(target)
    assert main(["plot", str(target)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and str(target) in error


# --- folders of the other commands, built by hand in their CONTRACT.md layouts ------------------

def experiment_folder(path: Path, files: dict[str, pd.DataFrame], run: dict) -> Path:
    path.mkdir()
    (path / "run.json").write_text(json.dumps({"command": "caseload test", "root_seed": 1,
                                               "version": "0", "scenarios": [], **run}))
    for name, frame in files.items():
        frame.to_csv(path / name, index=False)
    return path


def sweep_rows(grid: bool = False) -> pd.DataFrame:
    rows = []
    for value in (0.1, 0.15, 0.2):
        for second in ((0.0, 0.5) if grid else (None,)):
            for metric in ("caseload_mean", "unallocated"):
                for year in (1, 2):
                    middle = 20 + 40 * value + year + (second or 0)
                    row = {"param": "workforce.turnover.annual_rate", "value": value,
                           "metric": metric, "year": year, "date": f"202{year}-04-01",
                           "mean": middle, "ci_low": middle - 0.2, "ci_high": middle + 0.2,
                           "p05": middle - 2, "p50": middle, "p95": middle + 2, "n": 20}
                    if grid:
                        row |= {"param2": "workforce.agency.cover", "value2": second}
                    rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_rows(method: str) -> pd.DataFrame:
    indices = ("mu_star", "sigma") if method == "morris" else ("S1", "ST")
    rows = []
    for rank, param in enumerate(("workforce.turnover.annual_rate",
                                  "demand.referrals_per_year", "workforce.establishment")):
        for i, index in enumerate(indices):
            value = (3 - rank) * (1 + i) / 6
            rows.append({"method": method, "param": param, "metric": "caseload_mean", "year": 3,
                         "index": index, "value": value, "ci_low": value * 0.8,
                         "ci_high": value * 1.2})
    return pd.DataFrame(rows)


def assert_figure(path: Path) -> None:
    image = mpimg.imread(path)
    assert image.shape[1] == 1200 and image[..., :3].var() > 0.001


@pytest.mark.parametrize("grid", [False, True])
def test_sweep_folder_gets_its_figure_and_table(tmp_path, grid):
    out = experiment_folder(tmp_path / "sweep", {"sweep.csv": sweep_rows(grid)}, {})
    written = finish_folder(out)
    assert out / "sweep.png" in written and out / "sweep.svg" in written
    assert_figure(out / "sweep.png")
    page = parse(out / "report.html")
    assert len(page.images) == 1 and "Results at each swept value (sweep.csv)" in page.captions
    text = html.unescape((out / "report.html").read_text())
    assert ("At the end of year 2, the average caseload per social worker (median) is 26 with "
            "turnover of permanent staff a year at 10% and 30 with turnover of permanent staff a "
            "year at 20%.") in text
    assert "<td>15%</td>" in text                         # the swept shares as %


@pytest.mark.parametrize("method, top, index", [
    ("morris", "0.5", "mean absolute effect (Morris)"),
    ("sobol", "1", "share of the variance including interactions (Sobol total order)")])
def test_sensitivity_folder_gets_ranked_bars(tmp_path, method, top, index):
    out = experiment_folder(tmp_path / method, {"sensitivity.csv": sensitivity_rows(method)}, {})
    finish_folder(out)
    assert_figure(out / "sensitivity.png")
    text = html.unescape((out / "report.html").read_text())
    assert (f"The average caseload per social worker at year 3 depends most on turnover of "
            f"permanent staff a year ({top})") in text and f"in brackets the {index}" in text


@pytest.mark.parametrize("grid", [False, True])
def test_sweep_axes_start_at_zero_and_say_what_was_swept(grid):
    from sim.report.figures.experiments import plot_sweep

    figure = plot_sweep(sweep_rows(grid))
    for ax in figure.axes:
        assert ax.get_ylim()[0] == 0            # not 24 to 32: noise would look like a trend
        assert ax.get_xlabel() == "Turnover of permanent staff a year"
        assert ax.xaxis.get_major_formatter()(0.15, 0) == "15%"
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert not grid or "vacancies covered by agency staff 50%: median" in labels


def test_ranked_bars_put_the_most_influential_parameter_on_top():
    from sim.report.figures.experiments import plot_sensitivity

    ax = plot_sensitivity(sensitivity_rows("morris")).axes[0]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[-1] == "Turnover of permanent staff a year"   # the top bar
    assert "mu*" not in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    widths = sorted(patch.get_width() for patch in ax.patches)
    assert widths[-1] == pytest.approx(1.0)


def test_target_folder_marks_the_answer_its_range_and_cost(tmp_path):
    target = pd.DataFrame({"extra_posts": [0, 10, 20, 30], "probability": [0.1, 0.5, 0.85, 0.97],
                           "ci_low": [0.05, 0.4, 0.78, 0.93], "ci_high": [0.2, 0.6, 0.9, 0.99],
                           "reps": 50})
    years = [{"financial_year": "2020/21", "first_sample": "2020-04-08",
              "last_sample": "2021-04-01", "cost": 2.5e6, "extra_cost": 4.0e5,
              "extra_ci_low": 3.5e5, "extra_ci_high": 4.5e5, "reps": 50}]
    run = {"answer": {"extra_posts": 20, "probability": 0.85, "ci_low": 0.78, "ci_high": 0.9,
                      "posts_range": {"low": 15, "high": 25}, "cost_by_financial_year": years},
           "target": {"metric": "caseload_mean", "at_years": 3, "direction": "below",
                      "threshold": 18, "prob": 0.8}}
    out = experiment_folder(tmp_path / "target", {"target.csv": target}, run)
    finish_folder(out)
    assert_figure(out / "target.png")
    heading, answer = sections(out / "report.html")[0]
    answer = plain(answer)
    assert heading == "The answer"
    assert ("20 extra posts are the fewest that meet the average caseload per social worker "
            "below 18 at 3 years with probability at least 80%: the probability is 85% (95% CI "
            "78% to 90%)") in answer
    assert "With 95% confidence the answer lies between 15 and 25 extra posts." in answer
    assert "2020/21 £2.5m, extra +£400k (+£350k to +£450k)" in answer
    from sim.report.figures.experiments import plot_target

    labels = [t.get_text() for t in plot_target(target, run["answer"], run["target"]).axes[0]
              .get_legend().get_texts()]
    assert "answer: 20 extra posts" in labels and "required probability 80%" in labels


def test_target_answer_says_when_more_replications_would_close_its_range():
    from sim.analysis.answers import target_sentences

    target = pd.DataFrame({"extra_posts": [0, 10], "probability": [0.1, 0.9]})
    answer = {"extra_posts": 10, "probability": 0.9, "ci_low": 0.6, "ci_high": 1.0,
              "posts_range": {"low": 5, "high": None}}
    said = target_sentences(target, answer, {}, confidence=0.9)
    assert said[1] == ("With 90% confidence the answer is at least 5 extra posts; no candidate "
                       "was surely above the required probability within the replications run, "
                       "so more replications (--reps) would close the range.")


def test_the_about_rows_say_when_a_start_was_not_recorded():
    from sim.report.page import _run_facts

    facts = dict(zip(*_run_facts({"finished": "2020-01-01T00:00:00+00:00"}).to_dict("list")
                     .values()))
    assert facts["started (UTC)"] == "not recorded"


def test_headline_dates_come_from_each_replication():
    from sim.analysis.answers import NEVER, crossing_indices, falls_below

    values = np.array([[20, 19, 17, 17], [20, 17, 19, 17], [20, 20, 20, 19]], dtype=float)
    assert crossing_indices(values, 18).tolist() == [2, 3, NEVER]
    dates = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01"]).to_numpy()
    sentence = falls_below(dates, values, 18, "the target")
    assert sentence.startswith("The average caseload falls below 18 (the target) for good in "
                               "April 2020 in the median replication")
    assert "between March 2020 and not within the horizon (horizon: April 2020)" in sentence
    assert "is below 18" in falls_below(dates, values - 10, 18, "the target")
    assert "does not fall below 18" in falls_below(dates, values + 10, 18, "the target")
    later = np.vstack([values[:1], values[2:], values[2:], values[2:]])
    assert falls_below(dates, later, 18, "the target").endswith(
        "in the median replication; the first 5% of replications do by March 2020.")


def test_one_scenario_answer_gives_its_cost_by_financial_year_from_costs_csv(folder):
    from sim.analysis.answers import answer_sentences
    from sim.analysis.financial_years import COST_PARTS, costs_by_year_of
    from sim.analysis.results_folder import ResultsFolder

    results = ResultsFolder.open(folder)
    council = results.scenarios[:1]
    said = answer_sentences(council, results.table("final.csv"),
                            results.metric_values("caseload_mean"), None,
                            costs_by_year_of(results.replications(list(COST_PARTS))))
    assert said[0].startswith("The average caseload per social worker is ")
    costs = pd.read_csv(folder / "costs.csv")
    year = costs[(costs["scenario"] == "council") & (costs["financial_year"] == "2020/21")]
    workforce = sum(year[f"{part}_gbp_per_financial_year"]
                    for part in ("cost_staff", "cost_agency", "cost_recruitment"))
    assert (f"2020/21 {pounds(year['cost_total_gbp_per_financial_year'].median())} (workforce "
            f"{pounds(workforce.median())}, placements "
            f"{pounds(year['cost_placements_gbp_per_financial_year'].median())})") in said[-1]


def test_money_is_never_a_misleading_zero_thousands():
    """A placement difference of a few pounds read "£0k" in the report's answer."""
    from sim.analysis.headline import pounds

    assert [pounds(v) for v in (0.0, -0.2, 120.4, -499.0, 999.0, 1_000.0, 350_000.0,
                                4_210_000.0, -1_300_000.0)] == [
        "£0", "£0", "£120", "-£499", "£999", "£1k", "£350k", "£4.2m", "-£1.3m"]
