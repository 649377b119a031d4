"""The model against theory: checks where queueing and renewal theory know the answer.

Each check builds a scenario in code, runs independent replications and compares the mean over
replications of a per-replication statistic (a time average after the warm-up) with its theoretical
value. A quantity passes when the theoretical value lies inside its simultaneous 95% t interval over
replications (Bonferroni over every quantity of the report), so a correct model passes the whole
report at least 95% of the time; a quantity outside its own 95% interval has its check re-run on
independent random numbers with four times the replications, and the report shows that re-run.
`python -m sim.validation [--quick] [--out docs/validation.md]` writes the report (Markdown); the
test suite runs the quick version of every check and shares the formulas below.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from sim.model.distributions import mean_of
from sim.model.units import DAYS_PER_YEAR
from sim.runner.executors import make_executor
from sim.runner.files import write_text_atomic
from sim.runner.provenance import git_commit
from sim.model.metrics import METRIC_INDEX
from sim.model.council import run_replication
from sim.model.replication import Replication
from sim.scenario.loading import Scenario
from sim.analysis.tables import mean_ci as t_interval

LEVEL = 0.95
CONFIRMATION_FACTOR = 4  # a re-run has this many times the replications of the first run
PLANS = ("cin", "cp", "cla")


# --- theory --------------------------------------------------------------------------------------

def erlang_c_queue(servers: int, arrival_rate: float, service_rate: float) -> tuple[float, float]:
    """M/M/c mean number waiting and mean wait (time units of the rates), from Erlang's C formula."""
    a = arrival_rate / service_rate
    rho = a / servers
    if rho >= 1:
        raise ValueError(f"no steady state: utilisation {rho:g} >= 1")
    terms = sum(a**k / math.factorial(k) for k in range(servers))
    last = a**servers / math.factorial(servers) / (1 - rho)
    p_wait = last / (terms + last)
    queue = p_wait * rho / (1 - rho)
    return queue, queue / arrival_rate


def expected_visits(outcome: dict, following: dict[str, dict]) -> dict[str, float]:
    """Expected number of cin, cp and cla stages per assessed case (absorbing Markov chain).

    outcome: {stage: probability} after the assessment; following: {plan: {stage: probability}}
    after each plan (missing = 0, "close" ignored).
    """
    transitions = np.array([[following[a].get(b, 0.0) for b in PLANS] for a in PLANS])
    entry = np.array([outcome.get(p, 0.0) for p in PLANS])
    visits = np.linalg.solve(np.eye(3) - transitions.T, entry)
    return dict(zip(PLANS, visits.tolist(), strict=True))


def pathway_stock(assessed_per_day: float, means_days: dict[str, float], outcome: dict,
                  following: dict[str, dict]) -> dict[str, float]:
    """Mean open cases by stage when every case is allocated at once (Little's law, M/G/inf).

    assessed_per_day: cases entering assessment a day; means_days: mean duration of each stage.
    """
    visits = expected_visits(outcome, following)
    return {"assessment": assessed_per_day * means_days["assessment"],
            **{p: assessed_per_day * visits[p] * means_days[p] for p in PLANS}}


def mean_days_open(means_days: dict[str, float], outcome: dict,
                   following: dict[str, dict]) -> float:
    """Mean time (days) from allocation to closure along the pathway."""
    return sum(pathway_stock(1.0, means_days, outcome, following).values())


def renewal_share(annual_rate: float, time_to_hire_days: float, notice_days: float = 0.0) -> float:
    """Share of posts whose permanent worker is in post (notice included).

    A post alternates an exponential stay (mean 1/h before resigning) and a vacancy lasting the
    time to hire T from the resignation; the leaver works notice N <= T of it:
    (1/h + N) / (1/h + T).
    """
    stay = DAYS_PER_YEAR / annual_rate
    return (stay + notice_days) / (stay + time_to_hire_days)


def post_split(annual_rate: float, time_to_hire_days: float, notice_days: float,
               agency_delay_days: float, cover: float) -> dict[str, float]:
    """Stationary shares of posts: permanent worker in post, vacant, under notice, covered by
    agency.

    Fixed time to hire T, fixed notice N and agency start delay D, agency workers who never leave,
    no cap on the agency share. Recruitment starts at notice and takes T: the post is under notice
    for min(T, N) and vacant (no permanent worker in post) for max(0, T - N); with probability
    `cover` an agency worker starts D after the leaver goes and stays until the permanent starter
    arrives, so a post is covered for max(0, T - N - D) on average `cover` times per cycle of
    length 1/h + T.
    """
    stay = DAYS_PER_YEAR / annual_rate
    cycle = stay + time_to_hire_days
    return {"permanent": renewal_share(annual_rate, time_to_hire_days, notice_days),
            "vacant": max(0.0, time_to_hire_days - notice_days) / cycle,
            "notice": min(time_to_hire_days, notice_days) / cycle,
            "agency": cover * max(0.0, time_to_hire_days - notice_days - agency_delay_days) / cycle}


# --- statistics ----------------------------------------------------------------------------------

def mean_ci(samples: Sequence[float], level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and `level` confidence interval (Student's t) of independent samples."""
    samples = np.asarray(samples, dtype=float)
    mean = float(samples.mean())
    sd = float(samples.std(ddof=1)) if samples.size > 1 else math.nan
    low, high = t_interval(mean, sd, samples.size, level)
    return mean, float(low), float(high)


@dataclass(frozen=True)
class Quantity:
    """One simulated quantity: a statistic of each replication and its theoretical value."""

    label: str
    samples: tuple[float, ...]
    theory: float
    note: str = ""

    @property
    def mean(self) -> float:
        return float(np.mean(self.samples))

    def interval(self, level: float = LEVEL) -> tuple[float, float]:
        _, low, high = mean_ci(self.samples, level)
        return low, high

    def inside(self, level: float = LEVEL) -> bool:
        """The theoretical value lies inside the `level` interval."""
        low, high = self.interval(level)
        return low <= self.theory <= high


@dataclass(frozen=True)
class CheckResult:
    """What one check found: its quantities, with what they validate and how they were run."""

    name: str
    title: str
    validates: str
    setup: str
    reps: int
    quantities: tuple[Quantity, ...]
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Every quantity inside its own 95% interval."""
        return all(q.inside() for q in self.quantities)

    def misses(self, level: float = LEVEL) -> list[Quantity]:
        return [q for q in self.quantities if not q.inside(level)]


@dataclass(frozen=True)
class Budget:
    """How much to simulate: replications, years after the warm-up, and local processes."""

    reps: int
    years: float
    workers: int | None = 1
    label: str = "full"

    def more(self, factor: int) -> Budget:
        """The same budget with `factor` times the replications (for cheap checks)."""
        return Budget(self.reps * factor, self.years, self.workers, self.label)


FULL = Budget(reps=40, years=30.0, workers=None, label="full")
QUICK = Budget(reps=10, years=6.0, workers=1, label="quick")


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


# --- Erlang C and ciw: hard caps as an M/M/c queue -----------------------------------------------

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


def _ciw_task(task: tuple[MMc, float, int]) -> tuple[int, float, float]:
    mmc, years, seed = task
    return (seed, *ciw_mmc(mmc, years, seed))


def ciw_mmc(mmc: MMc, years: float, seed: int) -> tuple[float, float]:
    """Mean number waiting and mean wait (days) after the warm-up in one ciw run of `mmc`."""
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=mmc.arrivals_per_day)],
        service_distributions=[ciw.dists.Exponential(rate=1 / mmc.mean_days)],
        number_of_servers=[mmc.servers])
    ciw.seed(seed)
    simulation = ciw.Simulation(network, tracker=ciw.trackers.SystemPopulation())
    first, last = mmc.warmup_days, mmc.warmup_days + years * DAYS_PER_YEAR
    simulation.simulate_until_max_time(last)
    history = np.array(simulation.statetracker.history, dtype=float)
    starts = np.clip(history[:, 0], first, last)
    ends = np.clip(np.append(history[1:, 0], last), first, last)
    waiting = np.maximum(0.0, history[:, 1] - mmc.servers)
    queue = float((waiting * (ends - starts)).sum() / (last - first))
    waits = [r.waiting_time for r in simulation.get_all_records()
             if first <= r.service_start_date <= last]
    return queue, float(np.mean(waits))


def check_ciw(budget: Budget, seed: int) -> CheckResult:
    budget = budget.more(MMC_REPS_FACTOR)
    root = check_seed(seed, "ciw")
    reps = replications(MMC.scenario(budget.years), budget, root)
    ours = {"queue": per_rep(reps, time_average("unallocated")), "wait": per_rep(reps, mean_wait)}
    tasks = [(MMC, budget.years, root + rep) for rep in range(budget.reps)]
    executor = make_executor(budget.workers, len(tasks))
    theirs = sorted(executor.map_unordered(_ciw_task, tasks))
    other = {"queue": tuple(q for _, q, _ in theirs), "wait": tuple(w for _, _, w in theirs)}
    labels = {"queue": "mean number waiting", "wait": "mean wait (days)"}
    theory = dict(zip(("queue", "wait"), MMC.theory(), strict=True))
    quantities = []
    for key, label in labels.items():
        difference = tuple(a - b for a, b in zip(ours[key], other[key], strict=True))
        quantities.append(Quantity(
            f"{label}: caseload minus ciw", difference, 0.0,
            note=f"caseload {_interval_text(ours[key])}; ciw {_interval_text(other[key])}; "
                 f"Erlang C {theory[key]:.4g}"))
    return CheckResult(
        "ciw", "Cross-check with ciw on the same M/M/c",
        "The same M/M/c queue in ciw, an independent discrete-event library: the difference "
        "between the two simulators' means should be zero (its 95% interval covers 0).",
        MMC.describe(budget) + " ciw: one Exponential arrival and service node with c servers, "
        "the same horizon and warm-up, its own seeds.", budget.reps, tuple(quantities))


def _interval_text(samples: Sequence[float]) -> str:
    mean, low, high = mean_ci(samples)
    return f"{_fmt(mean)} ({_fmt(low)} to {_fmt(high)})"


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


# --- the list of checks and the report -----------------------------------------------------------

Check = Callable[[Budget, int], CheckResult]
CHECKS: tuple[Check, ...] = (check_erlang_c, check_little, check_mginf, check_renewal,
                             check_post_split, check_ciw)


def run_checks(budget: Budget, seed: int, checks: Sequence[Check] | None = None,
               progress: Callable[[str], None] | None = None) -> list[CheckResult]:
    """Each check (default: every check in CHECKS), in order, each timed."""
    results = []
    for check in CHECKS if checks is None else checks:
        began = time.perf_counter()
        result = check(budget, seed)
        result = CheckResult(**{**result.__dict__, "seconds": time.perf_counter() - began})
        results.append(result)
        if progress is not None:
            verdict = ("pass" if result.passed else
                       f"{len(result.misses())} outside its own 95% interval")
            progress(f"{result.name}: {verdict} ({result.seconds:.1f} s)")
    return results


def confirm_misses(results: Sequence[CheckResult], budget: Budget, seed: int,
                   checks: Sequence[Check] | None = None,
                   progress: Callable[[str], None] | None = None) -> dict[str, CheckResult]:
    """Re-run, on independent random numbers with CONFIRMATION_FACTOR times the replications,
    each check (of `checks`, default CHECKS, which gave `results` in order) with a quantity
    outside its own 95% interval; by check name."""
    missed = [check for check, result in zip(CHECKS if checks is None else checks, results,
                                             strict=True) if not result.passed]
    reruns = run_checks(budget.more(CONFIRMATION_FACTOR), check_seed(seed, "confirmation"),
                        missed, progress)
    return {r.name: r for r in reruns}


def confirmed(result: CheckResult, confirmation: CheckResult | None) -> bool:
    """Every quantity that missed its own 95% interval is inside it in the re-run."""
    if confirmation is None:
        return result.passed
    again = {q.label: q for q in confirmation.quantities}
    return all(again[q.label].inside() for q in result.misses())


def report_passes(results: Sequence[CheckResult],
                  confirmations: Mapping[str, CheckResult]) -> bool:
    """Every quantity inside its simultaneous 95% interval and every miss confirmed."""
    joint = simultaneous_level(results)
    return all(q.inside(joint) for r in results for q in r.quantities) and all(
        confirmed(r, confirmations.get(r.name)) for r in results if not r.passed)


def simultaneous_level(results: Sequence[CheckResult], level: float = LEVEL) -> float:
    """Per-quantity level at which all quantities are covered together with `level` (Bonferroni)."""
    count = sum(len(r.quantities) for r in results)
    return 1 - (1 - level) / max(1, count)


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value == 0:
        return "0"
    digits = max(0, 3 - math.floor(math.log10(abs(value))))
    return f"{value:,.{digits}f}"


@dataclass(frozen=True)
class Provenance:
    """Where and how a report was generated."""

    commit: str
    date: str
    command: str
    seed: int
    budget: Budget


def render(results: Sequence[CheckResult], provenance: Provenance,
           confirmations: Mapping[str, CheckResult] | None = None) -> str:
    """The report as Markdown; `confirmations` are re-runs of checks with a miss, by name."""
    confirmations = confirmations or {}
    total = sum(len(r.quantities) for r in results)
    own = sum(q.inside() for r in results for q in r.quantities)
    joint = simultaneous_level(results)
    together = sum(q.inside(joint) for r in results for q in r.quantities)
    seeds = (f"({provenance.budget.label} version: root seed {provenance.seed}; each check's "
             "replications have a root seed of their own derived from it.)")
    method = ("Each check builds a scenario in which theory knows the answer, runs independent "
              "replications (each with its own random streams) and takes one statistic per "
              "replication: a time average over the samples after the warm-up, or a mean over "
              "the events of the run. The simulated value is the mean over replications with "
              "its t interval over replications. A correct model misses a 95% interval one time "
              f"in twenty by chance, about one of these {total} quantities a run, so a quantity "
              "passes when the theoretical value lies inside its *simultaneous* 95% interval "
              f"(Bonferroni: each at {100 * joint:.2f}%), which a correct model meets for all "
              f"{total} together at least 95% of the time. A quantity outside its own 95% "
              "interval has its check re-run on independent random numbers with "
              f"{CONFIRMATION_FACTOR} times the replications, shown below the check: a real "
              "bias of the size seen would stand out more clearly there.")
    verdict = ("all lie" if together == total else f"**only {together} lie**")
    summary = (f"**Of {total} quantities, {verdict} inside their simultaneous 95% intervals**; "
               f"{own} of {total} lie inside their own 95% intervals.")
    reruns = [(r, confirmations[r.name]) for r in results if r.name in confirmations]
    if reruns:
        held = sum(confirmed(r, c) for r, c in reruns)
        summary += (f" Re-run on independent random numbers, {held} of {len(reruns)} "
                    "checks with a miss show every missed quantity inside its own 95% interval.")
    lines = ["# Validation: the model against queueing and renewal theory", "",
             f"Generated from commit `{provenance.commit}` on {provenance.date} by", "",
             f"```\n{provenance.command}\n```", "", seeds, "", method, "", summary, ""]
    for number, result in enumerate(results, 1):
        lines += _render_check(number, result, joint, confirmations.get(result.name))
    return "\n".join(lines).rstrip() + "\n"


def _verdict(quantity: Quantity, joint: float) -> str:
    if not quantity.inside(joint):
        return "**no**"
    return "yes" if quantity.inside() else "yes (not its own 95%)"


def _table(quantities: Sequence[Quantity], joint: float) -> list[str]:
    header = (f"| quantity | simulated | 95% interval | simultaneous ({100 * joint:.2f}%) "
              "| theory | inside |")
    lines = [header, "|---|---:|---:|---:|---:|:---:|"]
    for q in quantities:
        (low, high), (jlow, jhigh) = q.interval(), q.interval(joint)
        lines.append(f"| {q.label} | {_fmt(q.mean)} | {_fmt(low)} to {_fmt(high)} | "
                     f"{_fmt(jlow)} to {_fmt(jhigh)} | {_fmt(q.theory)} | {_verdict(q, joint)} |")
    return lines


def _render_check(number: int, result: CheckResult, joint: float,
                  confirmation: CheckResult | None) -> list[str]:
    lines = [f"## {number}. {result.title}", "", f"**What it validates.** {result.validates}", "",
             f"**Set-up.** {result.setup} {result.reps} replications.", "",
             *_table(result.quantities, joint)]
    notes = [f"- {q.label}: {q.note}" for q in result.quantities if q.note]
    if notes:
        lines += ["", "Means with their 95% intervals:", *notes]
    if confirmation is not None:
        missed = ", ".join(q.label for q in result.misses())
        outcome = ("inside its own 95% interval" if confirmed(result, confirmation) else
                   "**still outside its own 95% interval**")
        rerun = (f"**Re-run.** Outside its own 95% interval above: {missed}. The same check "
                 f"on independent random numbers, {confirmation.reps} replications: {outcome}.")
        lines += ["", rerun, "", *_table(confirmation.quantities, joint)]
    return [*lines, ""]


# --- command line --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation",
        description="Run the model against queueing and renewal theory and write the report.")
    parser.add_argument("--quick", action="store_true",
                        help="fewer replications and shorter horizons (as the tests run it)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the Markdown report here (default: print it)")
    parser.add_argument("--seed", type=int, default=20160701, help="root seed")
    parser.add_argument("--workers", type=int, default=None,
                        help="local processes (default: all cores, 1 with --quick)")
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    if args.workers is not None:
        budget = Budget(budget.reps, budget.years, args.workers, budget.label)
    try:
        import ciw  # noqa: F401
    except ImportError:
        print("error: the ciw cross-check needs ciw: python -m pip install '.[test]'",
              file=sys.stderr)
        return 2
    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results = run_checks(budget, args.seed, progress=progress)
    confirmations = confirm_misses(results, budget, args.seed, progress=progress)
    command = " ".join(["python -m sim.validation", *(argv if argv is not None else sys.argv[1:])])
    provenance = Provenance(git_commit(Path(__file__).resolve().parents[2]),
                            datetime.now(UTC).date().isoformat(), command, args.seed, budget)
    text = render(results, provenance, confirmations)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_text_atomic(args.out, text)
        print(f"report written to {args.out}", file=sys.stderr)
    return 0 if report_passes(results, confirmations) else 1

