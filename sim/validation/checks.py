"""The model against theory: checks where queueing and renewal theory know the answer.

Each check builds a scenario in code, runs independent replications and compares the mean over
replications of a per-replication statistic (a time average after the warm-up) with its theoretical
value. A quantity passes when the theoretical value lies inside its simultaneous 95% t interval over
replications (Bonferroni over every quantity of the report), so a correct model passes the whole
report at least 95% of the time; a quantity outside its own 95% interval has its check re-run on
independent random numbers with four times the replications, and the report shows that re-run.
The closed forms are in `theory`, the ciw cross-check in `ciw_check`, the list of checks and the
verdict in `suite` and `results`, the Markdown in `render`; `python -m sim.validation [--quick]
[--out docs/validation.md]` writes the report, and the test suite runs the quick version of every
check.
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from sim.model.council import run_replication
from sim.model.distributions import mean_of
from sim.model.metrics import METRIC_INDEX
from sim.model.replication import Replication
from sim.runner.executors import make_executor
from sim.scenario.loading import Scenario
from sim.validation.results import Budget, CheckResult, Quantity
from sim.validation.theory import (
    DAYS_PER_YEAR,
    PLANS,
    erlang_c_queue,
    mean_days_open,
    pathway_stock,
    post_split,
    renewal_share,
)


# --- running replications ------------------------------------------------------------------------

def _replicate(task: tuple[Scenario, int, int]) -> Replication:
    scenario, rep, seed = task
    return run_replication(scenario, rep, seed)


def replications(scenario: Scenario, budget: Budget, seed: int) -> list[Replication]:
    """`budget.reps` independent replications of `scenario`, in replication order."""
    tasks = [(scenario, rep, seed) for rep in range(budget.reps)]
    executor = make_executor(budget.workers, len(tasks))
    done = sorted(executor.map_unordered(_replicate, tasks), key=lambda r: r.rep)
    return done


def series(replication: Replication, metric: str) -> np.ndarray:
    return replication.values[:, METRIC_INDEX[metric]]


def time_average(metric: str) -> Callable[[Replication], float]:
    """A statistic: the mean of a level metric over the samples (all after the warm-up)."""
    def statistic(replication: Replication) -> float:
        return float(series(replication, metric).mean())
    return statistic


def mean_wait(replication: Replication) -> float:
    """Mean wait (days) from referral to first allocation of the cases allocated in the run."""
    allocations = series(replication, "allocations")
    waits = np.nan_to_num(series(replication, "wait_days_mean")) * allocations
    return float(waits.sum() / allocations.sum()) if allocations.sum() else math.nan


def per_rep(reps: list[Replication], statistic: Callable[[Replication], float]) -> tuple:
    return tuple(statistic(r) for r in reps)


def check_seed(seed: int, name: str) -> int:
    """A root seed of its own for each check, so checks are independent of each other."""
    return zlib.crc32(f"{seed}:{name}".encode())


def scenario_from(data: dict) -> Scenario:
    return Scenario.model_validate({"start": "2020-01-01", "report_every_days": 7, **data})



# --- Erlang C: hard caps as an M/M/c queue -------------------------------------------------------

@dataclass(frozen=True)
class MMc:
    """Social workers x cap = servers; exponential assessments that close every case."""

    workers: int = 2
    cap: int = 5
    mean_days: float = 30.0
    utilisation: float = 0.8
    warmup_days: float = 730.0

    @property
    def servers(self) -> int:
        return self.workers * self.cap

    @property
    def arrivals_per_day(self) -> float:
        return self.utilisation * self.servers / self.mean_days

    def theory(self) -> tuple[float, float]:
        return erlang_c_queue(self.servers, self.arrivals_per_day, 1 / self.mean_days)

    def scenario(self, years: float) -> Scenario:
        return scenario_from({
            "name": "validation-mmc", "years": years, "warmup_days": self.warmup_days,
            "demand": {"referrals_per_year": self.arrivals_per_day * DAYS_PER_YEAR,
                       "no_further_action": 0.0,
                       "assessment": {"duration_days": {"dist": "exponential",
                                                        "mean": self.mean_days},
                                      "outcome": {"close": 1.0}}},
            "workforce": {"establishment": self.workers,
                          "levels": {"sw": {"in_post": self.workers, "cap": self.cap}},
                          "turnover": {"annual_rate": 0.0}, "agency": {"cover": 0.0}},
            "allocation": {"when_full": "queue"},
        })

    def describe(self, budget: Budget) -> str:
        return (f"{self.workers} social workers with a hard cap of {self.cap} (c = {self.servers} "
                f"servers); Poisson referrals at {self.arrivals_per_day:.4g} a day, none closed "
                f"at the front door; exponential assessments (mean {self.mean_days:g} days) that "
                f"close every case (utilisation {self.utilisation:g}); nobody leaves, no agency; "
                f"{budget.years:g} years after a {self.warmup_days:g}-day warm-up.")


MMC = MMc()


MMC_REPS_FACTOR = 4  # an M/M/c replication is cheap and its queue-length average is skewed


def check_erlang_c(budget: Budget, seed: int) -> CheckResult:
    budget = budget.more(MMC_REPS_FACTOR)
    reps = replications(MMC.scenario(budget.years), budget, check_seed(seed, "erlang-c"))
    queue, wait = MMC.theory()
    return CheckResult(
        "erlang-c", "Erlang C: a hard cap is an M/M/c queue",
        "Allocation under hard caps (a case waits until some worker is below cap, first come "
        "first served), the unallocated count and the recorded waits.",
        MMC.describe(budget), budget.reps,
        (Quantity("mean number of cases waiting (unallocated)",
                  per_rep(reps, time_average("unallocated")), queue),
         Quantity("mean wait for allocation (days)", per_rep(reps, mean_wait), wait)))



# --- Little's law and M/G/infinity: soft caps ----------------------------------------------------

LITTLE_OUTCOME = {"close": 0.4, "cin": 0.35, "cp": 0.15, "cla": 0.1}
LITTLE_NEXT = {"cin": {"close": 0.8, "cp": 0.2}, "cp": {"cin": 0.5, "close": 0.4, "cla": 0.1},
               "cla": {"close": 1.0}}
LITTLE_DURATIONS = {
    "assessment": {"dist": "exponential", "mean": 30.0},
    "cin": {"dist": "gamma", "mean": 200.0, "cv": 0.5},
    "cp": {"dist": "lognormal", "mean": 150.0, "cv": 0.8},
    "cla": {"dist": "uniform", "low": 100.0, "high": 700.0},
}
MGINF_DURATIONS = {
    "assessment": {"dist": "gamma", "mean": 35.0, "cv": 0.5},
    "cin": {"dist": "empirical", "values": [60.0, 180.0, 400.0], "weights": [1.0, 2.0, 1.0]},
    "cp": {"dist": "fixed", "value": 120.0},
    "cla": {"dist": "lognormal", "mean": 300.0, "cv": 1.0},
}


def _mean(spec: dict) -> float:
    """The mean (days) of a distribution given as a scenario-file table."""
    return mean_of(SimpleNamespace(**spec))


def pathway_demand(per_year: float, nfa: float, durations: dict, outcome: dict,
                   following: dict, rereferral: float = 0.0) -> dict:
    """`[demand]` of a scenario with the given pathway."""
    return {"referrals_per_year": per_year, "no_further_action": nfa,
            "rereferral": {"share": rereferral, "delay_days": {"dist": "exponential", "mean": 90.0}},
            "assessment": {"duration_days": durations["assessment"], "outcome": outcome},
            **{p: {"duration_days": durations[p], "next": following[p]} for p in PLANS}}


def check_little(budget: Budget, seed: int) -> CheckResult:
    per_year, nfa, rereferral, warmup = 1500.0, 0.2, 0.2, 730.0
    means = {stage: _mean(spec) for stage, spec in LITTLE_DURATIONS.items()}
    assessed = per_year / DAYS_PER_YEAR * (1 - nfa) / (1 - rereferral)
    stock = pathway_stock(assessed, means, LITTLE_OUTCOME, LITTLE_NEXT)
    days_open = mean_days_open(means, LITTLE_OUTCOME, LITTLE_NEXT)
    scenario = scenario_from({
        "name": "validation-little", "years": budget.years, "warmup_days": warmup,
        "demand": pathway_demand(per_year, nfa, LITTLE_DURATIONS, LITTLE_OUTCOME, LITTLE_NEXT,
                                 rereferral),
        "workforce": {"establishment": 40, "levels": {"nqsw": {"in_post": 6}, "sw": {"in_post": 28}},
                      "agency_in_post": 2, "agency": {"cover": 0.5},
                      "turnover": {"annual_rate": 0.3}},
        "allocation": {"when_full": "overallocate"},
        "initial": {"open": {k: round(v) for k, v in stock.items()}},
    })
    reps = replications(scenario, budget, check_seed(seed, "little"))

    def referrals_per_year(replication: Replication) -> float:
        days = replication.days
        return float(series(replication, "referrals")[1:].sum() / (days[-1] - days[0])
                     * DAYS_PER_YEAR)

    return CheckResult(
        "little", "Little's law: soft caps",
        "With soft caps every case is allocated at once and a case's stage clocks do not depend "
        "on its worker, so open cases = arrival rate x mean time open, whatever the workforce "
        "does: turnover, reallocation, agency cover and re-referrals must neither lose nor "
        "duplicate cases nor stop their clocks.",
        f"{per_year:g} referrals a year, {nfa:g} closed at the front door, {rereferral:g} of "
        f"closed cases referred again (exponential delay, mean 90 days), so "
        f"{assessed:.4g} assessments a day; mixed stage durations (exponential, gamma, lognormal, "
        f"uniform) with step-up and step-down between plans: mean time open {days_open:.4g} days; "
        "40 posts with turnover 0.3 a year and agency cover 0.5, soft caps; starting stock at "
        f"its expected size; {budget.years:g} years after a {warmup:g}-day warm-up.",
        budget.reps,
        (Quantity("open cases (arrival rate x mean time open)",
                  per_rep(reps, time_average("open_cases")), assessed * days_open),
         Quantity("referrals a year, re-referrals included",
                  per_rep(reps, referrals_per_year),
                  per_year + per_year * (1 - nfa) * rereferral / (1 - rereferral))))


def dispersion(reps: list[Replication], metric: str) -> tuple[float, ...]:
    """Variance / mean of a level metric in each replication.

    Deviations are taken from the mean over all replications (not each replication's own mean,
    which would bias the variance low by the variance of a time average).
    """
    values = np.array([series(r, metric) for r in reps])
    grand = values.mean()
    return tuple((((row - grand) ** 2).mean() / grand).item() for row in values)


def check_mginf(budget: Budget, seed: int) -> CheckResult:
    per_year, nfa, warmup = 1200.0, 0.1, 1825.0
    means = {stage: _mean(spec) for stage, spec in MGINF_DURATIONS.items()}
    assessed = per_year / DAYS_PER_YEAR * (1 - nfa)
    stock = pathway_stock(assessed, means, LITTLE_OUTCOME, LITTLE_NEXT)
    scenario = scenario_from({
        "name": "validation-mginf", "years": budget.years, "warmup_days": warmup,
        "demand": pathway_demand(per_year, nfa, MGINF_DURATIONS, LITTLE_OUTCOME, LITTLE_NEXT),
        "workforce": {"establishment": 30, "levels": {"sw": {"in_post": 30}},
                      "turnover": {"annual_rate": 0.0}},
        "allocation": {"when_full": "overallocate"},
        "initial": {"open": {k: round(v) for k, v in stock.items()}},
    })
    reps = replications(scenario, budget, check_seed(seed, "mginf"))
    quantities = []
    for stage, expected in stock.items():
        metric = f"open_{stage}"
        quantities.append(Quantity(f"{stage}: mean open cases", per_rep(reps, time_average(metric)),
                                   expected))
        quantities.append(Quantity(f"{stage}: variance / mean of open cases",
                                   dispersion(reps, metric), 1.0))
    return CheckResult(
        "mginf", "M/G/infinity: open cases along a multi-stage pathway",
        "Cases follow independent paths through the stages (soft caps, no re-referral), so the "
        "open cases of each stage are Poisson in steady state: mean = assessments a day x "
        "expected visits x mean duration, and variance / mean = 1. This checks the per-case "
        "random numbers (outcomes and durations drawn independently), the routing tables and "
        "the means of four duration families (the Little's-law check uses the other two).",
        f"{per_year:g} referrals a year, {nfa:g} closed at the front door ({assessed:.4g} "
        "assessments a day); durations gamma (assessment), empirical (cin), fixed (cp), "
        "lognormal (cla); the routing of the Little's-law check; 30 workers who never leave; "
        f"{budget.years:g} years after a {warmup:g}-day warm-up.",
        budget.reps, tuple(quantities))


# --- renewal theory: posts and people ------------------------------------------------------------

def workforce_scenario(name: str, years: float, establishment: int, annual_rate: float,
                       time_to_hire: float, notice: float, warmup: float,
                       agency: dict | None = None) -> Scenario:
    """A council with no cases whose posts turn over; fixed time to hire and notice."""
    in_post = round(renewal_share(annual_rate, time_to_hire, notice) * establishment)
    return scenario_from({
        "name": name, "years": years, "warmup_days": warmup,
        "demand": {"referrals_per_year": 0.0},
        "workforce": {
            "establishment": establishment, "levels": {"sw": {"in_post": in_post}},
            "agency": agency or {"cover": 0.0},
            "turnover": {"annual_rate": annual_rate,
                         "notice_days": {"dist": "fixed", "value": notice}},
            "recruitment": {"time_to_hire_days": {"dist": "fixed", "value": time_to_hire},
                            "success": 1.0, "nqsw_share": 0.0},
        },
    })


def share_of_posts(metric: str) -> Callable[[Replication], float]:
    def statistic(replication: Replication) -> float:
        return float((series(replication, metric) / series(replication, "establishment")).mean())
    return statistic


RENEWAL_CASES = ((0.2, 365.0), (0.5, 120.0))


def check_renewal(budget: Budget, seed: int) -> CheckResult:
    establishment, warmup = 200, 730.0
    quantities = []
    for annual_rate, time_to_hire in RENEWAL_CASES:
        scenario = workforce_scenario("validation-renewal", budget.years, establishment,
                                      annual_rate, time_to_hire, 0.0, warmup)
        reps = replications(scenario, budget, check_seed(seed, f"renewal-{annual_rate}"))
        quantities.append(Quantity(
            f"staff in post / posts (h = {annual_rate:g} a year, T = {time_to_hire:g} days)",
            per_rep(reps, share_of_posts("staff_permanent")),
            renewal_share(annual_rate, time_to_hire)))
    return CheckResult(
        "renewal", "Renewal: staff in post",
        "Each post alternates an exponential stay (leaving hazard h) and a vacancy of fixed length "
        "T, so the share of posts filled is (1/h) / (1/h + T). This checks the turnover hazard "
        "(thinning), recruitment campaigns and starters.",
        f"{establishment} posts, no notice, fixed time to hire, every campaign succeeds, no "
        f"agency, no cases; {budget.years:g} years after a {warmup:g}-day warm-up.",
        budget.reps, tuple(quantities))


SPLIT = {"annual_rate": 0.3, "time_to_hire": 180.0, "notice": 30.0, "agency_delay": 21.0,
         "cover": 0.7}


def check_post_split(budget: Budget, seed: int) -> CheckResult:
    establishment, warmup = 200, 730.0
    s = SPLIT
    agency = {"cover": s["cover"], "annual_turnover": 0.0, "max_share": 1.0,
              "start_days": {"dist": "fixed", "value": s["agency_delay"]}}
    scenario = workforce_scenario("validation-split", budget.years, establishment,
                                  s["annual_rate"], s["time_to_hire"], s["notice"], warmup, agency)
    reps = replications(scenario, budget, check_seed(seed, "split"))
    theory = post_split(s["annual_rate"], s["time_to_hire"], s["notice"], s["agency_delay"],
                        s["cover"])
    return CheckResult(
        "split", "Renewal: permanent, vacant and agency-covered posts",
        "Recruitment starts when the leaver hands in notice N and takes T; with probability c an "
        "agency worker starts D after the leaver goes and stays until the permanent starter "
        "arrives. Per cycle of mean length 1/h + T a post has a permanent worker for 1/h + N, is "
        "under notice for min(T, N), vacant for max(0, T - N) and agency-covered for "
        "c x max(0, T - N - D). This checks notice, the vacancy count, agency cover decisions, "
        "start delays and release on a permanent start.",
        f"{establishment} posts, h = {s['annual_rate']:g} a year, fixed notice N = "
        f"{s['notice']:g} days, fixed time to hire T = {s['time_to_hire']:g} days, agency cover "
        f"c = {s['cover']:g} after D = {s['agency_delay']:g} days, agency workers never leave, "
        f"no cap on the agency share, no cases; {budget.years:g} years after a {warmup:g}-day "
        "warm-up.",
        budget.reps,
        (Quantity("permanent staff in post (notice included) / posts",
                  per_rep(reps, share_of_posts("staff_permanent")), theory["permanent"]),
         Quantity("vacancies / posts", per_rep(reps, share_of_posts("vacancies")),
                  theory["vacant"]),
         Quantity("posts under notice / posts", per_rep(reps, share_of_posts("posts_on_notice")),
                  theory["notice"]),
         Quantity("agency workers / posts", per_rep(reps, share_of_posts("staff_agency")),
                  theory["agency"])))
