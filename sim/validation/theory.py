"""Closed forms the checks and tests compare the model with: Erlang C, M/G/infinity stocks along
the pathway, renewal shares of posts, and the Student t interval over replications."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.analysis.tables import mean_ci as t_interval
from sim.model.units import DAYS_PER_YEAR

LEVEL = 0.95
PLANS = ("cin", "cp", "cla")


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



def mean_ci(samples: Sequence[float], level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and `level` confidence interval (Student's t) of independent samples."""
    samples = np.asarray(samples, dtype=float)
    mean = float(samples.mean())
    sd = float(samples.std(ddof=1)) if samples.size > 1 else math.nan
    low, high = t_interval(mean, sd, samples.size, level)
    return mean, float(low), float(high)



def pressure_stock(arrivals_per_day: float, days_open: float, reference_cases: float,
                   exponent: float) -> float:
    """The open cases C at which Little's law holds when a case's mean time open `days_open` is
    multiplied by the pressure factor (C / reference_cases)^(-exponent) (`sim.model.pressure`, a
    fixed workforce): C = arrivals x days_open x (C / reference)^(-exponent), so
    C = reference x (arrivals x days_open / reference)^(1 / (1 + exponent))."""
    ratio = arrivals_per_day * days_open / reference_cases
    return reference_cases * ratio ** (1 / (1 + exponent))
