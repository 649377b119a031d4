"""Goal seeking: the smallest number of extra posts that meets a target with a given probability.

The question a council asks: how many extra case-holding posts (an `add_posts` action at the
scenario's start or a later date, phased over months) make P(metric below X at a time) at least P?

How it is answered:
- each candidate count k is a variant of the scenario with that action added and its horizon cut
  to the time asked about (what happens later cannot change the metric then). Every candidate runs
  on the same replication seeds (common random numbers) through the batch machinery into a store
  of its own, so whether replication r meets the target moves with k almost replication by
  replication and the estimated probability is close to monotone in k;
- k = 0 first, then doubling (1, 2, 4, ...) until a count meets the target (bracketing), then
  bisection between the largest count that failed and the smallest that met;
- a candidate gets replications in looks (first_reps, twice that, ... up to the ceiling `reps`)
  and stops at the first look whose Clopper-Pearson interval for its probability lies wholly at or
  above P (meets) or below P (fails). The looks share the error rate (Bonferroni: each interval at
  1 - (1 - confidence) / looks), so the chance that a candidate is decided on an interval that
  misses its probability is at most 1 - confidence. At the ceiling a candidate whose interval still
  holds P is decided by its estimate and marked as close (not sure).

Because the looks and levels do not depend on P, a candidate that meets P also meets any lower P,
and the same seed gives the same candidates, replications and answer.
"""
from __future__ import annotations

import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import numpy as np
from scipy import stats

from sim.runner.batch import Store, chunk_size_for, open_store, run_batch
from sim.runner.chunk_task import Replicate
from sim.runner.executors import Executor, ProcessExecutor, Report, make_executor, warn
from sim.model.metrics import METRIC_NAMES
from sim.scenario.loading import Scenario, with_overrides
from sim.runner.provenance import now_utc
from sim.runner.store import CANDIDATES, WriterLock, clear_candidates
from sim.model.units import DAYS_PER_YEAR
from sim.experiments.target_defaults import DEFAULT_CONFIDENCE, DEFAULT_FIRST_REPS


@dataclass(frozen=True)
class Target:
    """P(`metric` `direction` `threshold` at `at_years` after the start) >= `prob`.

    The extra posts are added at `from_date` (None = the scenario's start), in equal monthly steps
    over `over_months` (0 = all at once). "below" and "above" are strict; a missing value (e.g. a
    caseload with nobody in post) does not meet the target.
    """

    metric: str
    at_years: float
    threshold: float
    prob: float
    direction: Literal["below", "above"] = "below"
    over_months: int = 0
    from_date: date | None = None
    lever: Literal["posts"] = "posts"

    def __post_init__(self) -> None:
        if self.metric not in METRIC_NAMES:
            raise ValueError(f"unknown metric {self.metric!r}; allowed: {', '.join(METRIC_NAMES)}")
        if self.direction not in ("below", "above"):
            raise ValueError(f"direction must be 'below' or 'above' (got {self.direction!r})")
        if not 0 < self.prob < 1:
            raise ValueError(f"probability must be above 0 and below 1 (got {self.prob})")
        if not math.isfinite(self.threshold):
            raise ValueError(f"threshold must be a finite number (got {self.threshold})")
        if not 0 < self.at_years <= 30:
            raise ValueError(f"time must be above 0 and at most 30 years (got {self.at_years})")
        if self.over_months < 0:
            raise ValueError(f"over_months must be at least 0 (got {self.over_months})")

    def met(self, values: np.ndarray) -> np.ndarray:
        """Whether each value meets the target (NaN does not)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return values < self.threshold if self.direction == "below" else values > self.threshold

    def record(self) -> dict:
        """run.json's `target`."""
        return {"metric": self.metric, "at_years": round(self.at_years, 6),
                "direction": self.direction, "threshold": self.threshold, "prob": self.prob,
                "lever": self.lever, "over_months": self.over_months,
                "from": self.from_date.isoformat() if self.from_date else None}

    def __str__(self) -> str:
        return (f"P({self.metric} {self.direction} {self.threshold:g} at {self.at_years:.3g} "
                f"years) >= {self.prob:g}")


def years_after(start: date, when: date) -> float:
    """Years (of 365.25 days) from `start` to `when`."""
    return (when - start).days / DAYS_PER_YEAR


def candidate_scenario(scenario: Scenario, target: Target, posts: int) -> Scenario:
    """The scenario with `posts` extra posts (none for 0), its horizon cut to the target's time."""
    policy = scenario.model_dump(mode="json")["policy"]
    if posts:
        when = ({"at": target.from_date.isoformat()} if target.from_date is not None
                else {"after_days": 0})
        policy.append({"do": "add_posts", "count": posts, "over_months": target.over_months,
                       "note": f"{posts} extra posts (target)", **when})
    return with_overrides(scenario, {"name": f"{scenario.name}.posts-{posts}",
                                     "years": target.at_years, "policy": policy})


def look_sizes(first_reps: int, ceiling: int) -> list[int]:
    """Replications at each look: first_reps, doubling, ending at the ceiling."""
    sizes = [min(first_reps, ceiling)]
    while sizes[-1] < ceiling:
        sizes.append(min(2 * sizes[-1], ceiling))
    return sizes


def clopper_pearson(successes: int, trials: int, level: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) confidence interval of a binomial probability."""
    interval = stats.binomtest(successes, trials).proportion_ci(level, method="exact")
    return float(interval.low), float(interval.high)


@dataclass
class Candidate:
    """One count of extra posts: its scenario, store and how its probability stands.

    meets: whether it is taken to meet the target; sure: decided by an interval wholly on one
    side of P (else at the replication ceiling, by its estimate).
    """

    posts: int
    scenario: Scenario
    store: Store
    reps: int = 0
    successes: int = 0
    ci_low: float = 0.0
    ci_high: float = 1.0
    meets: bool = False
    sure: bool = False
    sample_day: float = math.nan

    @property
    def probability(self) -> float:
        """The share of replications that met the target."""
        return self.successes / self.reps if self.reps else math.nan

    @property
    def decision(self) -> str:
        """"meets" or "fails", with "close: " in front when decided at the ceiling."""
        return ("" if self.sure else "close: ") + ("meets" if self.meets else "fails")


@dataclass
class TargetResult:
    """The answer and every candidate evaluated (in order of evaluation).

    answer: the smallest count found to meet the target (None if even `max_posts` did not).
    posts_range: (low, high): with monotone probabilities the true answer is at least `low` (one
    above the largest candidate whose interval lies below P) and at most `high` (the smallest
    candidate whose interval lies at or above P; None if none does).
    """

    scenario: Scenario
    target: Target
    candidates: list[Candidate]
    answer: Candidate | None
    posts_range: tuple[int, int | None]
    seed: int
    reps: int
    first_reps: int
    confidence: float
    looks: list[int]
    max_posts: int
    executor: str
    workers: int
    wall_seconds: float
    events: int
    out: Path | None = None
    started: str | None = None
    by_posts: dict[int, Candidate] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_posts = {candidate.posts: candidate for candidate in self.candidates}

    @property
    def replications(self) -> int:
        """Replications spent, over all candidates."""
        return sum(candidate.reps for candidate in self.candidates)

    @property
    def look_level(self) -> float:
        """Confidence level of each look's interval."""
        return look_level(self.confidence, len(self.looks))


def look_level(confidence: float, looks: int) -> float:
    """Each look's level, so that all looks of a candidate together hold `confidence`."""
    return 1 - (1 - confidence) / looks


class PostsSearch:
    """Evaluates candidate counts of extra posts (once each) and brackets then bisects."""

    def __init__(self, scenario: Scenario, target: Target, reps: int, seed: int,
                 executor: Executor, first_reps: int, confidence: float,
                 folder: Path | None, resume: bool, progress: bool,
                 replicate: Replicate | None, report: Report,
                 announce: Callable[[Candidate], None] | None) -> None:
        self.scenario, self.target, self.seed = scenario, target, seed
        self.executor, self.folder, self.resume = executor, folder, resume
        self.progress, self.replicate, self.report = progress, replicate, report
        self.announce = announce
        self.looks = look_sizes(first_reps, reps)
        self.level = look_level(confidence, len(self.looks))
        self.chunk_size = chunk_size_for(reps, executor.workers, adaptive=True)
        self.candidates: dict[int, Candidate] = {}

    def evaluate(self, posts: int) -> Candidate:
        """The candidate with `posts` extra posts, run until decided (or at the ceiling)."""
        if posts in self.candidates:
            return self.candidates[posts]
        scenario = candidate_scenario(self.scenario, self.target, posts)
        folder = self.folder / CANDIDATES / scenario.name if self.folder is not None else None
        store = open_store([scenario], self.looks[-1], self.seed, self.chunk_size, folder,
                           resume=self.resume, report=self.report)
        candidate = Candidate(posts, scenario, store)
        for reps in self.looks:
            run_batch([scenario], reps, self.seed, executor=self.executor, store=store,
                      progress=self.progress, replicate=self.replicate, report=self.report)
            self._update(candidate, reps)
            if candidate.sure:
                break
        self.candidates[posts] = candidate
        if self.announce is not None:
            self.announce(candidate)
        return candidate

    def _update(self, candidate: Candidate, reps: int) -> None:
        """Judge the candidate on its replications 0..reps-1 at the target's time."""
        values = candidate.store.metric_values(candidate.scenario.name, self.target.metric, reps)
        candidate.sample_day = float(candidate.store.days(candidate.scenario.name)[-1])
        candidate.reps = reps
        candidate.successes = int(self.target.met(values[:, -1]).sum())
        candidate.ci_low, candidate.ci_high = clopper_pearson(candidate.successes, reps,
                                                              self.level)
        prob = self.target.prob
        candidate.sure = candidate.ci_low >= prob or candidate.ci_high < prob
        candidate.meets = (candidate.ci_low >= prob if candidate.sure
                           else candidate.probability >= prob)

    def smallest(self, max_posts: int) -> Candidate | None:
        """The smallest count that meets the target: bracketing by doubling, then bisection."""
        if self.evaluate(0).meets:
            return self.candidates[0]
        failed, posts = 0, 1
        while not self.evaluate(posts).meets:
            if posts >= max_posts:
                return None
            failed, posts = posts, min(2 * posts, max_posts)
        met = posts
        while met - failed > 1:
            middle = (failed + met) // 2
            if self.evaluate(middle).meets:
                met = middle
            else:
                failed = middle
        return self.candidates[met]


def posts_range(candidates: list[Candidate], prob: float) -> tuple[int, int | None]:
    """(low, high) bounds on the answer from the candidates' intervals (see TargetResult)."""
    sure_met = [c.posts for c in candidates if c.ci_low >= prob]
    high = min(sure_met) if sure_met else None
    below = [c.posts for c in candidates if c.ci_high < prob and (high is None or c.posts < high)]
    return (max(below) + 1 if below else 0), high


def seek_target(
    scenario: Scenario,
    target: Target,
    reps: int = 200,
    seed: int = 20160701,
    workers: int | None = None,
    out: Path | str | None = None,
    *,
    first_reps: int = DEFAULT_FIRST_REPS,
    confidence: float = DEFAULT_CONFIDENCE,
    max_posts: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    replicate: Replicate | None = None,
    report: Report = warn,
    announce: Callable[[Candidate], None] | None = None,
) -> TargetResult:
    """The smallest number of extra posts that meets `target` (see the module's docstring).

    reps: the most replications any one candidate gets; first_reps: replications at its first
    look. max_posts: the largest count tried (default twice the establishment, at least 10).
    out: a folder for the candidates' stores (`out/candidates/<name>/`; with `resume` the
    replications already there are kept); None keeps them in memory. workers, scheduler,
    replicate, report: as `sim.run`. announce: called with each candidate once it is decided.
    """
    if reps < 1 or first_reps < 1:
        raise ValueError(f"reps and first_reps must be at least 1 (got {reps}, {first_reps})")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be above 0 and below 1 (got {confidence})")
    if target.from_date is not None and target.from_date < scenario.start:
        raise ValueError(f"from {target.from_date} is before the scenario's start {scenario.start}")
    max_posts = max_posts if max_posts is not None else max(10, 2 * scenario.workforce.establishment)
    if max_posts < 1:
        raise ValueError(f"max_posts must be at least 1 (got {max_posts})")
    folder = Path(out) if out is not None else None
    with WriterLock(folder, report) if folder is not None else nullcontext():
        if folder is not None and not resume:
            clear_candidates(folder)
        executor = make_executor(workers, scheduler=scheduler, report=report, keep_pool=True)
        search = PostsSearch(scenario, target, reps, seed, executor, first_reps, confidence,
                             folder, resume, progress, replicate, report, announce)
        started, started_utc = time.perf_counter(), now_utc()
        try:
            answer = search.smallest(max_posts)
        finally:
            if isinstance(executor, ProcessExecutor):
                executor.close()
    wall_seconds = time.perf_counter() - started
    candidates = list(search.candidates.values())
    return TargetResult(
        scenario=scenario, target=target, candidates=candidates, answer=answer,
        posts_range=posts_range(candidates, target.prob), seed=seed, reps=reps,
        first_reps=first_reps, confidence=confidence, looks=search.looks, max_posts=max_posts,
        executor=executor.name, workers=executor.workers, wall_seconds=wall_seconds,
        events=sum(c.store.events(c.scenario.name, c.reps) for c in candidates), out=folder,
        started=started_utc,
    )
