"""Calibration of the council baselines: reported starting figures beside the model's first year.

`python -m sim.data.calibration` runs each council baseline with no plan (scenarios/councils/*.toml) for
its first simulated year and writes docs/councils.md: for each council, the reported starting
caseload, staff in post, agency share, turnover and children in care beside the model's median
over replications and its 90% interval. The reported figures live here, in `REPORTED`, with their
sources; tests/test_councils.py checks the model against the same table.

A replication's first-year figure is the mean of the weekly samples in its first year (days 0 to
365), except turnover, which is `turnover_12m` at the last sample of the year (leavers in that year
over mean permanent staff).
"""
from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.model.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.model.units import DAYS_PER_YEAR
from sim.runner.provenance import git_commit
from sim.scenario.loading import Scenario, load_scenario

# The repository (a source checkout); an installed package falls back to the working directory.
REPO = next((p for p in (Path(__file__).resolve().parents[2], Path.cwd())
             if (p / "scenarios" / "councils").is_dir()), Path.cwd())
COUNCILS_DIR = REPO / "scenarios" / "councils"
DEFAULT_OUT = REPO / "docs" / "councils.md"
DEFAULT_REPS = 50
DEFAULT_SEED = 20160701
TOLERANCE = 0.10  # the acceptance test: caseload, staff and agency share within 10%
CHECKED = ("caseload", "staff", "agency_share")


@dataclass(frozen=True)
class Figure:
    """A reported starting figure and where it comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class Measure:
    """One figure of the calibration: its label, unit format and how a replication gives it."""

    label: str
    fmt: str
    of_replication: Callable[[np.ndarray, np.ndarray], float]


def _year_one(days: np.ndarray) -> np.ndarray:
    return (days >= 0) & (days < DAYS_PER_YEAR)


def _mean_of(*metrics: str) -> Callable[[np.ndarray, np.ndarray], float]:
    def first_year_mean(days: np.ndarray, values: np.ndarray) -> float:
        rows = values[_year_one(days)]
        return float(np.nanmean(sum(rows[:, METRIC_INDEX[m]] for m in metrics)))
    return first_year_mean


def _turnover_at_year_end(days: np.ndarray, values: np.ndarray) -> float:
    last = np.flatnonzero(_year_one(days))[-1]
    return float(values[last, METRIC_INDEX["turnover_12m"]])


MEASURES: dict[str, Measure] = {
    "caseload": Measure("caseload (cases per case-holder)", "{:.1f}", _mean_of("caseload_mean")),
    "staff": Measure("staff in post (permanent + agency case-holders, FTE)", "{:.0f}",
                     _mean_of("staff_permanent", "staff_agency")),
    "agency_share": Measure("agency share of case-holders", "{:.1%}", _mean_of("agency_share")),
    "turnover": Measure("turnover (leavers a year / permanent staff)", "{:.1%}",
                        _turnover_at_year_end),
    "children_in_care": Measure("children in care (open cla cases)", "{:,.0f}",
                                _mean_of("open_cla")),
}

# The reported starting figures of each council baseline, keyed by council file name. "Derived"
# and "assumption" say where no figure was published for the start date (see each file's header).
REPORTED: dict[str, dict[str, Figure]] = {
    "manchester-2016": {
        "caseload": Figure(24.0, "FACTS: Manchester average caseload 24 at the time of the plan"),
        "staff": Figure(210, "derived: 184 permanent + 26 agency, the baseline's steady state for "
                             "5,035 open cases at 24 (no pre-plan figure; DfE workforce 2017 "
                             "case_holders_fte 227.5 was 15 months into the plan)"),
        "agency_share": Figure(0.124, "derived: steady state 26 / 210; reported: FACTS about 35% "
                                      "(not sustainable when agency only fills vacant posts, see "
                                      "the file's header), DfE workforce 2017 14.7% (mid-plan)"),
        "turnover": Figure(0.14, "national: DfE workforce 2017 England 13.6%, FACTS 13-15% "
                                 "(Manchester's own 8.8% was measured mid-plan)"),
        "children_in_care": Figure(1237, "FACTS: Manchester 1,237 in January 2016"),
    },
    "dorset-2017": {
        "caseload": Figure(15.4, "DfE workforce 2017 Dorset (caseload_fte), September 2017"),
        "staff": Figure(146.3, "DfE workforce 2017 Dorset (case_holders_fte)"),
        "agency_share": Figure(0.131, "DfE workforce 2017 Dorset (agency_worker_rate_fte_%)"),
        "turnover": Figure(0.184, "DfE workforce 2017 Dorset (turnover_rate_fte_%)"),
        "children_in_care": Figure(445, "FACTS: Dorset 445 children in care, December 2017"),
    },
    "wakefield-2018": {
        "caseload": Figure(25.0, "FACTS: Wakefield caseload cut from above 30 to 25, October 2018"),
        "staff": Figure(94, "derived: DfE CIN 2017 At31_episodes 2,343 open cases / 25 (DfE "
                            "workforce 2017 case_holders_fte 120 at DfE's caseload of 17.7)"),
        "agency_share": Figure(0.20, "assumption: FACTS 'over-reliance on agency staff', above "
                                     "England's 15.8%; DfE workforce 2017 Wakefield 5.5%"),
        "turnover": Figure(0.183, "DfE workforce 2017 Wakefield (turnover_rate_fte_%)"),
        "children_in_care": Figure(467, "assumption: England's 66 per 10,000 children (FACTS "
                                        "78,000 in care) x 70,490 Wakefield children (DfE)"),
    },
    "liverpool-2019": {
        "caseload": Figure(22.3, "DfE workforce 2017 Liverpool (caseload_fte), carried forward"),
        "staff": Figure(180, "derived: FACTS 313 posts x 58.1% case-holding (DfE workforce 2017 "
                             "Liverpool) = 182 posts, ~99% staffed"),
        "agency_share": Figure(0.107, "DfE workforce 2017 Liverpool (agency_worker_rate_fte_%)"),
        "turnover": Figure(0.117, "DfE workforce 2017 Liverpool (turnover_rate_fte_%)"),
        "children_in_care": Figure(1250, "FACTS: Liverpool about 1,250 children in care, 2019"),
    },
}


@dataclass(frozen=True)
class Calibration:
    """The model's first-year figures of one council: one value per replication and measure."""

    council: str
    scenario: Scenario
    values: dict[str, np.ndarray]

    def median(self, measure: str) -> float:
        return float(np.median(self.values[measure]))

    def interval(self, measure: str) -> tuple[float, float]:
        """The 90% interval over replications (5th and 95th percentiles, at positions p (n + 1):
        it holds a replication like them about 90% of the time, as summary.csv's do)."""
        low, high = np.quantile(self.values[measure], [0.05, 0.95], method="weibull")
        return float(low), float(high)

    def relative_error(self, measure: str) -> float:
        """(model median - reported) / reported."""
        reported = REPORTED[self.council][measure].value
        return (self.median(measure) - reported) / reported


def council_file(council: str, councils_dir: Path = COUNCILS_DIR) -> Path:
    return Path(councils_dir) / f"{council}.toml"


def first_year_figures(days: np.ndarray, values: np.ndarray) -> dict[str, float]:
    """Each measure's first-year figure from one replication's samples."""
    return {name: m.of_replication(days, values) for name, m in MEASURES.items()}


def _replicate(scenario: Scenario, rep: int, seed: int) -> dict[str, float]:
    result = run_replication(scenario, rep, seed)
    return first_year_figures(result.days, result.values)


def calibrate(council: str, reps: int = DEFAULT_REPS, seed: int = DEFAULT_SEED,
              workers: int = 1, councils_dir: Path = COUNCILS_DIR) -> Calibration:
    """Run the council's no-plan baseline for one year, `reps` times (the file's own warm-up
    included), on `workers` local processes (1 = in this process)."""
    scenario = load_scenario(council_file(council, councils_dir), overrides={"years": 1})
    if scenario.policy:
        raise ValueError(f"{council}: a council baseline must have no [[policy]]")
    args = [(scenario, rep, seed) for rep in range(reps)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            rows = list(pool.map(_replicate, *zip(*args)))
    else:
        rows = [_replicate(*a) for a in args]
    values = {name: np.array([row[name] for row in rows]) for name in MEASURES}
    return Calibration(council, scenario, values)


# --- the report ---------------------------------------------------------------------------------

def _fmt(measure: str, value: float) -> str:
    return MEASURES[measure].fmt.format(value)


def council_section(result: Calibration) -> list[str]:
    """The markdown section of one council: a table of reported against model figures."""
    sc = result.scenario
    lines = [
        f"## {sc.title or result.council}",
        "",
        (f"`scenarios/councils/{result.council}.toml`: starts {sc.start.isoformat()}, "
         f"warm-up {sc.warmup_days:g} days (simulated and discarded)."),
        "",
        ("| figure | reported at the start | model, first year: median | 90% interval "
         "| difference | source of the reported figure |"),
        "|---|---|---|---|---|---|",
    ]
    for name, measure in MEASURES.items():
        figure = REPORTED[result.council][name]
        low, high = result.interval(name)
        error = result.relative_error(name)
        flag = " ✓" if name in CHECKED and abs(error) <= TOLERANCE else ""
        lines.append(f"| {measure.label} | {_fmt(name, figure.value)} | "
                     f"{_fmt(name, result.median(name))} | {_fmt(name, low)} – {_fmt(name, high)}"
                     f" | {error:+.1%}{flag} | {figure.source} |")
    return lines + [""]


INTRODUCTION = (
    "Each council baseline in `scenarios/councils/` is a council with **no plan**, calibrated so "
    "that its caseload, staff and open cases stay level at the figures reported when its plan was "
    "made. This page sets those reported figures beside what the model gives in its first "
    "simulated year."
)
METHOD = (
    "- **Model, first year:** each replication's mean of the weekly samples over its first year; "
    "turnover is `turnover_12m` at the year's last sample (leavers in the year over mean permanent "
    "staff). The table gives the median over replications and the 90% interval (5th to 95th "
    "percentile)."
)
SOURCES = (
    "- **Reported** means: published (FACTS.md or the DfE tables in `shared/data/dfe/`), or, where "
    "nothing was published for the start date, derived from published figures or assumed, as the "
    "source column says. Each council file's header has the arithmetic. The DfE tables end in "
    "2017; later starts carry the 2017 figures forward."
)
READING = [
    ("- **Staff in post** hardly varies: every baseline has agency cover for vacant posts "
     "(`workforce.agency.cover = 1`), so a leaver is replaced by an agency worker within weeks; "
     "what varies is the split between permanent and agency staff."),
    ("- **Turnover** over one year in a council of 100-250 social workers is a count of 15-30 "
     "leavers, hence its wide interval; its median sits within a few percent of the input rate. "
     "Without the warm-up it would come out 5-15% low: nobody is on notice at the start."),
    ("- **Agency share** is the figure most open to chance in small councils (Wakefield has about "
     "19 agency workers): its 90% interval is wide."),
    ("- The baselines are level by construction, not forecasts: referrals, durations, hiring and "
     "leaving are held at their starting rates. Plans and policy styles change them."),
]
SCENARIO_FILES = [
    "## The plans, the styles and the runnable scenarios",
    "",
    "| file | what it is |",
    "|---|---|",
    "| `scenarios/<council>-no-plan.toml` | the council baseline, unchanged, under a name of its own |",
    "| `scenarios/<council>-plan.toml` | the council's own plan, dated, with its own counts |",
    ("| `scenarios/policies/<style>.toml` | a policy style (manchester-, dorset-, liverpool-, "
     "wakefield-style): `[[policy]]` only, timed by `after_days` and sized by shares and targets, "
     "so it applies to any council |"),
    ("| `scenarios/manchester-2016-dorset-style.toml`, `dorset-2017-manchester-style.toml`, "
     "`manchester-2016-manchester-style.toml` | a council under another council's style; the "
     "headline comparison is Manchester 2016 under manchester-style against dorset-style |"),
    "",
    ("Every arm of a comparison must share the same `[effects]`: the dorset-style's \"invest to "
     "save\" assumption (`effects.cla_escalation`) is an assumption about children, not a lever "
     "of the plan. The files that pair with the dorset-style carry it; to compare one of them with "
     "a file that does not, add `--set effects.cla_escalation=0.5 --set "
     "effects.reference_caseload=15` to the whole `caseload compare`. Each style's header says "
     "how it translates its council's plan and what it cannot express."),
    "",
]


def render(results: Sequence[Calibration], reps: int, seed: int, command: str, commit: str,
           date: dt.date) -> str:
    """docs/councils.md."""
    lines = [
        "# Council baselines: reported starting figures against the model",
        "",
        "<!-- Generated by `python -m sim.data.calibration`; do not edit by hand. -->",
        "",
        INTRODUCTION,
        "",
        f"- **Command:** `{command}`",
        f"- **Commit:** `{commit}`; **date:** {date.isoformat()}",
        (f"- **Replications:** {reps} per council, root seed {seed}, one simulated year each "
         "(after the file's own warm-up)."),
        METHOD,
        (f"- **Acceptance** (checked by `tests/test_councils.py`, with fewer replications): "
         f"caseload, staff in post and agency share within {TOLERANCE:.0%} of the reported "
         "figure (✓)."),
        SOURCES,
        "",
    ]
    for result in results:
        lines += council_section(result)
    lines += ["## Reading the differences", "", *READING, "", *SCENARIO_FILES]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.data.calibration",
        description="Run each council baseline with no plan for a year and write docs/councils.md.",
        epilog="Example: python -m sim.data.calibration --reps 50 --workers 2")
    parser.add_argument("--reps", type=int, default=DEFAULT_REPS,
                        help=f"replications per council (default {DEFAULT_REPS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"root seed (default {DEFAULT_SEED})")
    parser.add_argument("--workers", type=int, default=2, help="local processes (default 2)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="the page to write (default docs/councils.md)")
    parser.add_argument("--council", action="append", choices=sorted(REPORTED),
                        help="only this council (repeatable; default: all)")
    parser.add_argument("--councils-dir", type=Path, default=COUNCILS_DIR,
                        help="where the council files are (default scenarios/councils)")
    args = parser.parse_args(argv)
    councils = args.council or list(REPORTED)
    results = [calibrate(c, args.reps, args.seed, args.workers, args.councils_dir)
               for c in councils]
    command = f"python -m sim.data.calibration --reps {args.reps} --seed {args.seed}"
    commit = git_commit(REPO, ("sim", "scenarios"))
    page = render(results, args.reps, args.seed, command, commit, dt.date.today())
    args.out.write_text(page, encoding="utf-8")
    for result in results:
        summary = ", ".join(f"{name} {_fmt(name, result.median(name))} "
                            f"({result.relative_error(name):+.1%})" for name in MEASURES)
        print(f"{result.council}: {summary}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
