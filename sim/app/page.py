"""The Streamlit script of `caseload app`: four pages on the engine of the command line.

Council (a council and year from the bundled DfE data, or an uploaded scenario file), Plan (the
levers in words and the scenario file they amount to), Run and compare (replications in a
background thread with a progress bar, then plan against no plan), Downloads. Bad input shows the
one-line message of the command line next to its field.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from sim.analysis.headline import HEADLINE_METRICS
from sim.analysis.labels import metric_label
from sim.api import DEFAULT_SEED
from sim.app.plan import (
    ASSUMPTIONS,
    FROM_APP,
    Plan,
    Setting,
    assumption_of,
    lever_of,
    plan_text,
    with_assumptions,
    with_years,
)
from sim.app.session import (
    NO_PLAN_FILE,
    PLAN_FILE,
    FewestPosts,
    Run,
    new_run_folder,
    remove_old_folders,
)
from sim.data.baseline import BaselineError, baseline_scenario_text, years_available
from sim.data.dfe import extract
from sim.experiments.target import Target
from sim.model.units import DAYS_PER_MONTH
from sim.scenario.comments import flatten, key_comments
from sim.scenario.errors import ScenarioError
from sim.scenario.loading import Scenario, load_scenario

PAGES = ("Council", "Plan", "Run and compare", "Downloads")
DEFAULT_COUNCIL = "Leeds"
DEFAULT_YEAR = 2019
POLL_SECONDS = 0.5
RUN = "comparison"          # session state: the latest Run
SEARCH = "fewest_posts"     # session state: the latest FewestPosts
SOFT, HARD = "soft: over-allocate", "hard: cases wait"
AS_FILE, A_NUMBER, A_RANGE = "as in the file", "a number", "a range (uniform)"
ASSUMPTION_VALUES = tuple(f"{name}_{part}" for name in ASSUMPTIONS
                          for part in ("value", "low", "high"))
# Every field's starting value, kept in the session so that it outlives a change of page
# (Streamlit forgets the value of a widget it did not draw).
FIELDS = {"council": DEFAULT_COUNCIL, "year": DEFAULT_YEAR, "extra_posts": 0, "from_month": 3.0,
          "over_months": 12, "referrals_diverted": 0.0, "set_cap": False, "cap": 18.0,
          "cap_kind": SOFT, "set_agency": False, "agency_max_share": 0.1,
          "turnover_multiplier": 1.0, "years": 5.0, "reps": 20, "seed": DEFAULT_SEED,
          "workers": 1, "target_below": 18.0, "target_years": 1.0, "target_prob": 0.8,
          "target_reps": 20, **{f"{name}_as": AS_FILE for name in ASSUMPTIONS}}
CASELOAD_FIGURE = "comparison.png"
FIGURES = {CASELOAD_FIGURE: "Caseload: plan against no plan, and the paired difference",
           "staffing.png": "Staffing", "unallocated.png": "Waiting",
           "costs.png": "Costs by financial year"}


def loaded(text: str, file_name: str) -> Scenario:
    """The scenario of a file's text, validated as `caseload` would read `file_name`.

    Raises ScenarioError naming `file_name` (not the temporary copy)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / file_name
        path.write_text(text, encoding="utf-8")
        try:
            return load_scenario(path)
        except ScenarioError as error:
            raise ScenarioError(file_name, error.key, error.message) from None


@st.cache_data
def council_text(council: str, year: int) -> str:
    return baseline_scenario_text(council, year)


def _distributions_as_words(data):
    """`data` with every distribution table ({dist = ...}) as one value in words, so that it is
    one figure with its key's comment."""
    if isinstance(data, dict):
        if "dist" in data:
            return data["dist"] + "(" + ", ".join(f"{k}={v}" for k, v in data.items()
                                                   if k != "dist") + ")"
        return {key: _distributions_as_words(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_distributions_as_words(item) for item in data]
    return data


def figures_with_sources(text: str) -> pd.DataFrame:
    """Every figure of a scenario file with the comment that gives its source (a distribution is
    one figure, in words)."""
    comments = key_comments(text)
    rows = [(key, str(value), comments.get(key, "")) for key, value in
            flatten(_distributions_as_words(tomllib.loads(text)))]
    return pd.DataFrame(rows, columns=["figure", "value", "source"])


def council_page() -> None:
    st.header("Council")
    authorities = extract().authorities
    years = years_available()
    council = st.selectbox("Council (DfE's name)", authorities, key="council")
    year = st.selectbox("Year of the workforce census (30 September)", years, key="year")
    upload = st.file_uploader("... or upload a scenario file (TOML, without `extends`)",
                              type=["toml"], key="upload")
    try:
        if upload is not None:
            text, file_name = upload.getvalue().decode("utf-8"), upload.name
        else:
            text, file_name = council_text(council, year), NO_PLAN_FILE
        scenario = loaded(text, file_name)
    except (BaselineError, ScenarioError, UnicodeDecodeError) as error:
        st.error(str(error))
        st.session_state.pop("no_plan", None)
        return
    st.session_state["no_plan"] = text
    st.subheader(scenario.title or scenario.name)
    st.write(f"Starts {scenario.start:%d %B %Y}; {scenario.workforce.establishment} case-holding "
             f"posts; {scenario.demand.referrals_per_year:,.0f} referrals a year. Every figure "
             "below with its source, as in the scenario file:")
    st.dataframe(figures_with_sources(text), hide_index=True, width="stretch")


def plan_levers() -> tuple[Plan, float, dict[str, st.delta_generator.DeltaGenerator]]:
    """The Plan page's fields; the plan, the years to simulate and a message slot per lever."""
    slots = {}
    left, right = st.columns(2)
    with left:
        st.subheader("Extra posts")
        extra_posts = st.number_input("Extra case-holding posts", step=1,
                                      key="extra_posts")
        from_month = st.number_input("From month (after the start)", step=1.0,
                                     key="from_month")
        over_months = st.number_input("Opened over how many months", step=1,
                                      key="over_months")
        slots["extra_posts"] = st.empty()
        st.subheader("Demand")
        diverted = st.number_input("Share of referrals diverted to early help (from the same "
                                   "month; 0.1 = 10%)", step=0.01,
                                   key="referrals_diverted")
        slots["referrals_diverted"] = st.empty()
    with right:
        st.subheader("Caps, agency and retention")
        cap, hard = None, False
        if st.checkbox("Set a caseload cap", key="set_cap"):
            cap = st.number_input("Average caseload cap per social worker", step=1.0, key="cap")
            hard = st.radio("When every worker is at the cap", [SOFT, HARD], key="cap_kind",
                            horizontal=True) == HARD
        slots["cap"] = st.empty()
        agency = (st.number_input("Most of case-holders who may be agency workers (0 to 1)",
                                  step=0.05, key="agency_max_share")
                  if st.checkbox("Cap agency workers", key="set_agency") else None)
        slots["agency_max_share"] = st.empty()
        multiplier = st.number_input("Turnover of permanent staff x (retention; 1 = no "
                                     "change)", step=0.05, key="turnover_multiplier")
        slots["turnover_multiplier"] = st.empty()
        years = st.number_input("Years to simulate", step=1.0, key="years")
        slots["years"] = st.empty()
    plan = Plan(extra_posts=int(extra_posts), from_month=float(from_month),
                over_months=int(over_months), cap=cap, hard_cap=hard, agency_max_share=agency,
                turnover_multiplier=float(multiplier), referrals_diverted=float(diverted))
    return plan, float(years), slots


def assumption_settings(no_plan: str) -> tuple[dict[str, Setting], dict[str, Any]]:
    """The Plan page's assumptions for both scenarios: each as in the council's file, a number
    or a range; the settings made and a message slot per assumption."""
    if st.session_state.get("assumptions_of") != no_plan:   # another council: its own values
        for key in ASSUMPTION_VALUES:
            st.session_state.pop(key, None)
        st.session_state["assumptions_of"] = no_plan
    in_file = dict(flatten(tomllib.loads(no_plan)))
    comments = key_comments(no_plan)
    settings, slots = {}, {}
    for name, assumption in ASSUMPTIONS.items():
        value = in_file.get(assumption.key)
        known = isinstance(value, (int, float))
        if known:
            low, high = assumption.default_range(float(value))
            for part, start in (("value", float(value)), ("low", low), ("high", high)):
                st.session_state.setdefault(f"{name}_{part}", start)
        label, how, first, second = st.columns([4, 3, 2, 2], vertical_alignment="bottom")
        shown = (f"in the file: {value} ({comments.get(assumption.key, 'no source given')})"
                 if value is not None else "not in the file (the model's default)")
        label.markdown(f"**{assumption.label}**  \n{shown}")
        kind = how.radio(assumption.key, [AS_FILE, A_NUMBER, A_RANGE], key=f"{name}_as",
                         horizontal=True, label_visibility="collapsed")
        if kind == A_NUMBER:
            settings[name] = float(first.number_input("Value", step=0.01, format="%.4f",
                                                      key=f"{name}_value"))
        elif kind == A_RANGE:
            settings[name] = (float(first.number_input("Low", step=0.01, format="%.4f",
                                                       key=f"{name}_low")),
                              float(second.number_input("High", step=0.01, format="%.4f",
                                                        key=f"{name}_high")))
        slots[name] = st.empty()
    return settings, slots


def plan_page() -> None:
    st.header("Plan")
    no_plan = st.session_state.get("no_plan")
    if no_plan is None:
        st.info("Choose a council first (page Council).")
        return
    plan, years, slots = plan_levers()
    st.subheader("Assumptions, in both scenarios (no plan and the plan)")
    st.write("A range is uncertain: each replication draws one value from it (uniform), the "
             "same in both scenarios, so the comparison stays paired.")
    settings, assumption_slots = assumption_settings(no_plan)
    st.session_state.pop("plan", None)
    base = with_years(no_plan, years)
    try:
        base = with_assumptions(base, settings, NO_PLAN_FILE)
        loaded(base, NO_PLAN_FILE)
        text = plan_text(base, plan)
        loaded(text, PLAN_FILE)
    except ScenarioError as error:
        field = assumption_of(error)
        if field is not None:
            assumption_slots[field].error(str(error))
        else:
            lever = "years" if error.key == "years" else lever_of(error, base, plan)
            (slots[lever] if lever else st).error(str(error))
        return
    st.session_state["plan"] = (base, text)
    st.subheader("The scenario files it amounts to")
    left, right = st.columns(2)
    left.download_button("Download no-plan.toml", base, file_name=NO_PLAN_FILE,
                         key="no_plan_toml")
    right.download_button("Download plan.toml", text, file_name=PLAN_FILE, key="plan_toml")
    st.caption("Set in both files:")
    st.code("\n".join(line for line in base.splitlines() if FROM_APP in line), language="toml")
    st.caption("The plan (plan.toml only):")
    st.code(text[text.index("# ---- The plan"):] if plan.actions() else "(no plan: no lever set)",
            language="toml")


def run_page() -> None:
    st.header("Run and compare")
    files = st.session_state.get("plan")
    if files is None:
        st.info("Set a valid plan first (page Plan).")
        return
    left, middle, right = st.columns(3)
    reps = left.number_input("Replications", min_value=1, step=1, key="reps")
    seed = middle.number_input("Seed", min_value=0, step=1, key="seed")
    workers = right.number_input("Processes", min_value=1, max_value=os.cpu_count() or 1,
                                 step=1, key="workers")
    if st.button("Run plan against no plan", key="run", type="primary"):
        run = Run(folder=new_job_folder(), no_plan=files[0], plan=files[1], reps=int(reps),
                  seed=int(seed), workers=int(workers))
        run.start()
        st.session_state[RUN] = run
    run = st.session_state.get(RUN)
    # Whether a job runs is read once per script run: the page drawn and the decision to poll
    # again must agree, else a job ending between two reads leaves its progress bar up for good.
    run_running = run is not None and run.running
    if run_running:
        st.progress(run.done_reps() / run.total_reps,
                    text=f"{run.done_reps()} of {run.total_reps} replications")
        st.button("Cancel the run", key="cancel_run", on_click=run.cancel)
    elif run is not None:
        if run.cancelled:
            st.warning(f"Cancelled. The {run.done_reps()} replications saved are kept in "
                       f"{run.out} (its run.json says interrupted).")
        elif run.error:
            st.error(run.error)
        else:
            show_results(run)
    search_running = fewest_posts_section(files[0], int(seed), int(workers))
    if run_running or search_running:
        time.sleep(POLL_SECONDS)
        st.rerun()


def fewest_posts_section(no_plan: str, seed: int, workers: int) -> bool:
    """How many posts, opened as the plan opens them, for P(caseload below X at year T) >= p
    (`caseload target` on the no-plan scenario); whether this session's search was running
    when drawn."""
    st.subheader("How many posts?")
    st.write("The fewest extra posts, opened from the plan's month over its months, for which "
             "the average caseload is below a level at a time with at least a probability.")
    columns = st.columns(4)
    below = columns[0].number_input("Caseload below", step=1.0, key="target_below")
    at_years = columns[1].number_input("At year", step=0.5, key="target_years")
    prob = columns[2].number_input("With probability at least", step=0.05, key="target_prob")
    reps = columns[3].number_input("Most replications a candidate", min_value=1, step=1,
                                   key="target_reps")
    message = st.empty()
    if st.button("Find the fewest posts", key="find_posts"):
        start = loaded(no_plan, NO_PLAN_FILE).start
        from_date = start + dt.timedelta(
            days=round(st.session_state["from_month"] * DAYS_PER_MONTH))
        try:
            target = Target("caseload_mean", float(at_years), float(below), float(prob),
                            over_months=int(st.session_state["over_months"]),
                            from_date=from_date)
        except ValueError as error:
            message.error(str(error))
        else:
            search = FewestPosts(folder=new_job_folder(), no_plan=no_plan, target=target,
                                 reps=int(reps), seed=seed, workers=workers)
            search.start()
            st.session_state[SEARCH] = search
    search = st.session_state.get(SEARCH)
    if search is None:
        return False
    running = search.running
    if running:
        st.write(f"Searching: {len(search.decided)} candidates decided")
        st.button("Cancel the search", key="cancel_search", on_click=search.cancel)
    elif search.cancelled:
        st.warning(f"Search cancelled; the candidates run are kept in {search.folder}.")
    elif search.error:
        message.error(search.error)
    else:
        st.markdown("\n".join(f"- {line}" for line in search.answer))
    with st.expander("Candidates"):
        st.text("\n".join(search.decided))
    return running


def new_job_folder() -> Path:
    """A new folder under results/app/ for a job; the app's older folders beyond the newest
    KEEP_FOLDERS are removed (only folders the app created and no job is writing)."""
    folder = new_run_folder()
    remove_old_folders()
    return folder


def show_results(run: Run) -> None:
    st.success(f"{run.reps} replications of each scenario, seed {run.seed}; results in "
               f"{run.out}")
    for warning in run.warnings:
        st.warning(warning)
    st.image(str(run.out / CASELOAD_FIGURE), caption=FIGURES[CASELOAD_FIGURE])
    st.subheader("Answers")
    st.markdown("\n".join(f"- {sentence}" for sentence in run.answers()))
    headline = [metric for metric, _, _ in HEADLINE_METRICS]
    final = run.table("final.csv")
    shown = final[final["metric"].isin(headline)].assign(
        metric=lambda frame: frame["metric"].map(lambda m: metric_label(m).label))
    st.subheader("End of each year: mean and 95% CI of the mean")
    st.dataframe(shown[["scenario", "metric", "year", "mean", "ci_low", "ci_high"]],
                 hide_index=True, key="final_table")
    comparison = run.table("comparison.csv")
    st.subheader("Plan minus no plan, paired by replication")
    st.dataframe(comparison[comparison["metric"].isin(headline)][
        ["metric", "year", "mean_diff", "ci_low", "ci_high"]], hide_index=True,
        key="comparison_table")
    st.subheader("Total cost by financial year (April to March), £: median and 90% of "
                 "replications")
    st.dataframe(run.costs_by_year(), hide_index=True, key="costs_table")
    for name, caption in FIGURES.items():
        if name != CASELOAD_FIGURE and (run.out / name).is_file():
            st.image(str(run.out / name), caption=caption)


def downloads_page() -> None:
    st.header("Downloads")
    run = st.session_state.get(RUN)
    if run is None or run.running or run.error or run.cancelled:
        st.info("Run a comparison first (page Run and compare).")
        return
    files = [("results.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
             ("report.html", "text/html")]
    for name, mime in files:
        st.download_button(f"Download {name}", (run.out / name).read_bytes(), file_name=name,
                           mime=mime, key=name)
    for name in (NO_PLAN_FILE, PLAN_FILE):
        st.download_button(f"Download {name}", (run.folder / name).read_bytes(),
                           file_name=name, key=name)
    st.download_button("Download the results folder (zip)", run.zipped(),
                       file_name=f"{run.folder.name}.zip", mime="application/zip", key="zip")
    st.write(f"To reproduce from the command line: `caseload compare {NO_PLAN_FILE} {PLAN_FILE} "
             f"--reps {run.reps} --seed {run.seed}`")


def main() -> None:
    st.set_page_config(page_title="caseload", layout="wide")
    for key, value in FIELDS.items():
        st.session_state[key] = st.session_state.get(key, value)
    for key in ASSUMPTION_VALUES:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    page = st.sidebar.radio("Page", PAGES, key="page")
    {"Council": council_page, "Plan": plan_page, "Run and compare": run_page,
     "Downloads": downloads_page}[page]()


main()
