"""Samples the metrics every `report_every_days`, at the horizon and on each 1 April, into
preallocated arrays; DfE's measures carry each census's one-off reporting factors
(`sim.model.reporting`).

Levels are read at each sample; period metrics are cumulative counters at each sample, differenced
at the end (the first row's period values are 0). Open cases by stage, assessments and the cost of
placements follow the cases' stage changes, which are known ahead of the clock: they are read at
the sample days at the end, from the `StageHistory`. The samples at the horizon and at the start of
each financial year (1 April, 00:00) make the periods tile the run exactly and never straddle a
financial year, so period totals over the run and by financial year are exact; those periods may
be shorter than `report_every_days`. Samples also run through the warm-up (negative days) so that
`turnover_12m` has its 365-day history; those rows are dropped from the output.
"""
from __future__ import annotations

import math
from datetime import date

import numpy as np

from sim.model import dfe_measures as dfe
from sim.model.metrics import METRIC_INDEX, METRIC_NAMES
from sim.model.cases import ASSESSMENT, CIN, CLA, CP
from sim.model.demand import Referrals
from sim.model.replication import Replication
from sim.model.reporting import apply_factors
from sim.model.streams import stream

TURNOVER_WINDOW_DAYS = 365.0
_CUMULATIVE = ("leavers", "starters", "worker_changes", "rereferrals", "waits", "wait_days",
               "permanent_staff_days", "cost_staff", "cost_agency", "cost_recruitment")


def sample_days(start: date, first_day: float, last_day: float, every_days: int) -> np.ndarray:
    """The sample times (days after `start`, ascending): every `every_days` from `first_day` to
    `last_day`, the horizon `last_day` itself and each 1 April after the start and before the
    horizon."""
    first = int(np.ceil(first_day / every_days - 1e-9))
    last = int(np.floor(last_day / every_days + 1e-9))
    regular = np.arange(first, last + 1) * float(every_days)
    april = [(date(year, 4, 1) - start).days
             for year in range(start.year, start.year + math.ceil(last_day / 365) + 2)]
    extra = [day for day in april if 0 < day < last_day] + [last_day]
    days = np.union1d(regular, np.asarray(extra, dtype=float))
    return days[np.concatenate([[True], np.diff(days) > 1e-6])]  # the horizon may be on the grid


def caseloads_and_over_cap(workers) -> tuple[list[int], int]:
    """The caseloads of `workers` in ascending order, and how many hold more cases than their
    cap (one pass; compiled where it can be: docs/compiled.md)."""
    caseloads, over_cap = [], 0
    for worker in workers:
        caseloads.append(worker.n)
        if worker.n > worker.cap + 1e-9:
            over_cap += 1
    caseloads.sort()
    return caseloads, over_cap


def percentile(ascending: list, q: float) -> float:
    """The `q` quantile (0..1) of sorted numbers, exactly as `numpy.percentile(x, 100 * q)` (its
    default, linear method) computes it, without numpy's overhead per call (about 0.1 ms)."""
    n = len(ascending)
    position = (n - 1) * q
    if position >= n - 1:
        return float(ascending[-1])
    below = math.floor(position)
    gamma = position - below
    low, high = ascending[below], ascending[below + 1]
    step = high - low
    return high - step * (1 - gamma) if gamma >= 0.5 else low + step * gamma


class Recorder:
    """Metric samples of one replication."""

    def __init__(self, council, days: np.ndarray) -> None:
        """days: the sample times (`sample_days`)."""
        self.council = council
        self.days = days
        self.levels = np.full((self.days.size, len(METRIC_NAMES)), np.nan)
        self.cumulative = np.zeros((self.days.size, len(_CUMULATIVE)))
        self._row = 0
        self.non_case_holding = council.scenario.workforce.non_case_holding_share
        self.agency_non_case_holding = council.scenario.workforce.agency.non_case_holding_share

    def schedule(self) -> None:
        self.council.at_day(self.days[0], self._sample)

    def _sample(self) -> None:
        council, row = self.council, self._row
        workforce, pathway, counts = council.workforce, council.pathway, council.counts
        now = council.now
        workers = workforce.workers
        holders = len(workers)
        v = self.levels[row]
        index = METRIC_INDEX
        cases_held = 0
        if holders:
            caseloads, over_cap = caseloads_and_over_cap(workers)
            cases_held = sum(caseloads)  # whole numbers: the sums are exact
            v[index["caseload_mean"]] = cases_held / holders
            v[index["caseload_p90"]] = percentile(caseloads, 0.9)
            v[index["over_cap_share"]] = over_cap / holders
            v[index["agency_share"]] = workforce.n_agency / holders
        v[index["unallocated"]] = council.allocator.waiting
        v[index["staff_permanent"]] = workforce.n_permanent
        v[index["staff_agency"]] = workforce.n_agency
        v[index["staff_nqsw"]] = workforce.n_nqsw
        v[index["establishment"]] = workforce.establishment
        v[index["vacancies"]] = workforce.vacancies
        v[index["posts_on_notice"]] = workforce.under_notice
        v[index["managers"]] = council.managers.in_post
        v[index["span_of_control"]] = council.managers.span(holders)
        self._dfe_measures(v, holders, cases_held)
        pathway.history.mark()
        self.cumulative[row] = (
            counts.leavers, counts.starters, counts.worker_changes, counts.rereferrals,
            counts.waits, counts.wait_days, council.permanent_staff_days.total_at(now),
            *council.costs.totals(now))
        self._row += 1
        if self._row < self.days.size:
            council.at_day(self.days[self._row], self._sample)

    def _dfe_measures(self, v: np.ndarray, holders: int, cases_held: int) -> None:
        """DfE's measures at the sample (all but turnover_rate, which `result` fills in)."""
        workforce, index = self.council.workforce, METRIC_INDEX
        in_post = dfe.all_roles(workforce.n_permanent, self.non_case_holding)
        v[index["sw_fte_in_post"]] = in_post
        v[index["case_holders"]] = holders
        v[index["cases_held"]] = cases_held
        v[index["caseload_dfe"]] = dfe.caseload(cases_held, holders)
        v[index["agency_rate"]] = dfe.agency_rate(
            dfe.all_roles(workforce.n_agency, self.agency_non_case_holding), in_post)
        v[index["vacancy_rate"]] = dfe.vacancy_rate(
            dfe.all_roles(workforce.vacancies, self.non_case_holding), in_post)

    def result(self, rep: int, referrals: Referrals, events: int) -> Replication:
        """The output rows (days >= 0), with period metrics and 12-month turnover filled in."""
        keep = self.days >= 0
        days = self.days[keep]
        values = self.levels[keep]
        cumulative = dict(zip(_CUMULATIVE, self.cumulative.T, strict=True))
        index = METRIC_INDEX
        history = self.council.pathway.history
        cumulative["assessments"], cumulative["assessments_on_time"] = history.assessments(
            self.days)
        cumulative["cost_placements"] = history.placement_costs(self.days)
        by_stage = history.open_by_stage(self.days)[keep]
        values[:, index["open_cases"]] = by_stage.sum(axis=1)
        for name, stage in (("open_assessment", ASSESSMENT), ("open_cin", CIN), ("open_cp", CP),
                            ("open_cla", CLA)):
            values[:, index[name]] = by_stage[:, stage]

        def period(series: np.ndarray) -> np.ndarray:
            kept = series[keep]
            return np.concatenate([[0.0], np.diff(kept)])

        received = np.searchsorted(referrals.received, self.days, side="right").astype(float)
        diverted = np.searchsorted(referrals.diverted, self.days, side="right").astype(float)
        values[:, index["referrals"]] = period(received + cumulative["rereferrals"])
        values[:, index["diverted"]] = period(diverted)
        values[:, index["allocations"]] = period(cumulative["waits"])
        for name in ("leavers", "starters", "worker_changes", "cost_staff", "cost_agency",
                     "cost_recruitment", "cost_placements"):
            values[:, index[name]] = period(cumulative[name])
        with np.errstate(invalid="ignore", divide="ignore"):
            values[:, index["wait_days_mean"]] = (period(cumulative["wait_days"])
                                                  / period(cumulative["waits"]))
            values[:, index["assessments_on_time"]] = (period(cumulative["assessments_on_time"])
                                                       / period(cumulative["assessments"]))
            values[:, index["turnover_12m"]] = self._turnover_12m(cumulative)[keep]
            values[:, index["turnover_rate"]] = self._turnover_rate(cumulative)[keep]
        council = self.council
        apply_factors(values, days, council.scenario.start, council.scenario.dfe_reporting,
                      lambda year: stream(council.root_seed, rep, "reporting", year))
        return Replication(rep=rep, days=days, values=values, events=events)

    def _turnover_12m(self, cumulative: dict) -> np.ndarray:
        """Leavers in the last 365 days (or since the first sample) per mean permanent worker."""
        since = np.searchsorted(self.days, self.days - TURNOVER_WINDOW_DAYS - 1e-9)
        leavers = cumulative["leavers"] - cumulative["leavers"][since]
        staff_days = (cumulative["permanent_staff_days"]
                      - cumulative["permanent_staff_days"][since])
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = TURNOVER_WINDOW_DAYS * leavers / staff_days
        return np.where(staff_days > 0, rate, np.nan)

    def _turnover_rate(self, cumulative: dict) -> np.ndarray:
        """DfE's turnover rate at each sample: permanent leavers of all roles in the 365 days to
        it / FTE in post at it. Leavers are counted from the first sample at most 365 days back
        and scaled by 365 / that span; nan where that span is shorter than 365 days less one
        sample interval (not a year of history)."""
        days = self.days
        since = np.searchsorted(days, days - dfe.TURNOVER_WINDOW_DAYS - 1e-9)
        span_days = days - days[since]
        leavers = dfe.all_roles(cumulative["leavers"] - cumulative["leavers"][since],
                                self.non_case_holding)
        with np.errstate(invalid="ignore", divide="ignore"):
            yearly = leavers * dfe.TURNOVER_WINDOW_DAYS / span_days
        in_post = self.levels[:, METRIC_INDEX["sw_fte_in_post"]]
        rate = np.array([dfe.turnover_rate(a, b) for a, b in zip(yearly, in_post, strict=True)])
        interval = days[1] - days[0] if days.size > 1 else dfe.TURNOVER_WINDOW_DAYS
        return np.where(span_days >= dfe.TURNOVER_WINDOW_DAYS - interval - 1e-9, rate, np.nan)
