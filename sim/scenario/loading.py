"""Scenario files: the validated, frozen `Scenario` and `load_scenario` that reads one.

Every key, unit, default and range is specified in docs/scenarios.md; attribute names equal the
TOML keys. Bad input of any kind raises `ScenarioError` (one line: file, dotted key, what is
allowed).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from sim.model.caps import DEFAULT_CAPS
from sim.model.dfe_measures import MAX_NON_CASE_HOLDING_SHARE
from sim.model.units import DAYS_PER_YEAR
from sim.scenario.errors import FieldProblem, ScenarioError, error_from_validation
from sim.scenario.files import (
    apply_override,
    blame,
    merge_layers,
    override_keys,
    parse_set_option,
    resolve,
)
from sim.scenario.policy import (
    Action,
    AddPosts,
    DivertReferrals,
    HireToCaseload,
    PolicyAction,
    Retention,
    SetAgency,
    SetCap,
    SetReferrals,
)
from sim.scenario.types import (
    LEVELS,
    Date,
    Distribution,
    Empirical,
    Exponential,
    Fixed,
    Frozen,
    Gamma,
    LevelName,
    LogNormal,
    Number,
    Outcome,
    Probability,
    Uniform,
    Whole,
)
from sim.scenario.uncertain import Range, check_ends, extract_uncertain, set_at

__all__ = [
    "DEFAULT_CAPS",
    "LEVELS",
    "Action",
    "AddPosts",
    "Agency",
    "Allocation",
    "Assessment",
    "CinStage",
    "ClaStage",
    "Cohort",
    "Costs",
    "CpStage",
    "Demand",
    "Distribution",
    "DivertReferrals",
    "Effects",
    "Empirical",
    "Exponential",
    "Fixed",
    "Gamma",
    "HireToCaseload",
    "Initial",
    "Level",
    "LogNormal",
    "Managers",
    "OpenCases",
    "Outcome",
    "Placement",
    "PolicyAction",
    "RampUp",
    "Recruitment",
    "Rereferral",
    "Retention",
    "Salaries",
    "Scenario",
    "ScenarioError",
    "SetAgency",
    "SetCap",
    "SetReferrals",
    "Turnover",
    "Uniform",
    "Workforce",
    "load_scenario",
    "parse_set_option",
    "scenario_from_data",
    "scenario_json_schema",
    "with_overrides",
]

MAX_POSTS = 100_000
"""Most case-holding posts (and most manager posts) at any time, policies included."""
MAX_OPEN_CASES = 10_000_000
"""Most open cases of one stage at the start (England has about 400,000 children in need)."""
MIN_YEARS = 0.01
"""Shortest horizon, years (3.65 days): final.csv needs at least one year-end sample."""
PRIORITY = ("cp", "cla", "assessment", "cin")


def _range(low: float | None = None, high: float | None = None, *, gt: float | None = None) -> Any:
    """Number bounds: inclusive `low` and `high`, or exclusive `gt`."""
    return Field(ge=low, le=high, gt=gt)


# --- demand --------------------------------------------------------------------------------------

class Rereferral(Frozen):
    """Closed cases referred again."""

    share: Probability = 0.0
    delay_days: Distribution = Exponential(dist="exponential", mean=180)
    caseload_effect: Annotated[Number, _range(0, 100)] = 0.0
    reference_caseload: Annotated[Number, _range(gt=0)] | None = None


class Assessment(Frozen):
    """The assessment that follows an allocated referral."""

    duration_days: Distribution = Gamma(dist="gamma", mean=35, cv=0.5)
    outcome: Outcome = Outcome(close=0.5, cin=0.35, cp=0.1, cla=0.05)


class CinStage(Frozen):
    """A child-in-need plan."""

    duration_days: Distribution = LogNormal(dist="lognormal", mean=300, cv=1.0)
    next: Outcome = Outcome(close=1.0)


class CpStage(Frozen):
    """A child-protection plan."""

    duration_days: Distribution = LogNormal(dist="lognormal", mean=300, cv=0.7)
    next: Outcome = Outcome(cin=0.7, close=0.2, cla=0.1)


class ClaStage(Frozen):
    """A period looked after."""

    duration_days: Distribution = LogNormal(dist="lognormal", mean=950, cv=1.0)
    next: Outcome = Outcome(close=1.0)


class Demand(Frozen):
    """Referrals and the stages cases pass through."""

    referrals_per_year: Annotated[Number, _range(0, 10_000_000)]
    growth_per_year: Annotated[Number, _range(-0.9, 1)] = 0.0
    yearly_change_sd: Annotated[Number, _range(0, 2)] = 0.0
    seasonality: Annotated[tuple[Annotated[Number, _range(gt=0)], ...],
                           Field(min_length=12, max_length=12)] = (1.0,) * 12
    no_further_action: Probability = 0.0
    cases_referral_elasticity: Annotated[Number, _range(0.01, 1)] = 1.0
    usual_caseload_ratio: Annotated[Number, _range(high=10, gt=0)] = 1.0
    rereferral: Rereferral = Rereferral()
    assessment: Assessment = Assessment()
    cin: CinStage = CinStage()
    cp: CpStage = CpStage()
    cla: ClaStage = ClaStage()

    @model_validator(mode="after")
    def _every_plan_can_close(self) -> Demand:
        """A plan from which no chain of `next` steps reaches `close` keeps its cases open for
        ever, and with durations that can be 0 cycles without end at one instant: refused."""
        plans = ("cin", "cp", "cla")
        can_close = {p for p in plans if getattr(self, p).next.close > 0}
        grown = True
        while grown:
            more = {p for p in plans if p not in can_close and any(
                getattr(getattr(self, p).next, q) > 0 for q in can_close)}
            grown = bool(more)
            can_close |= more
        for plan in plans:
            if plan not in can_close:
                raise FieldProblem(f"{plan}.next", "no chain of next steps from this plan ever "
                                   "reaches close, so its cases never close; allowed: tables "
                                   "from which some path leads to close")
        return self


# --- workforce -----------------------------------------------------------------------------------

class Level(Frozen):
    """Permanent staff of one experience level; `cap` defaults by level (see DEFAULT_CAPS)."""

    in_post: Annotated[Whole, _range(0)] = 0
    cap: Annotated[Number, _range(high=1000, gt=0)] | None = Field(
        None, description="caseload cap; default "
        + ", ".join(f"{level} {cap:g}" for level, cap in DEFAULT_CAPS.items()))
    turnover_multiplier: Annotated[Number, _range(0, 20)] = 1.0


class RampUp(Frozen):
    """New starters carry a reduced cap for a while."""

    days: Annotated[Number, _range(0)] = 0.0
    cap_share: Annotated[Number, _range(high=1, gt=0)] = 0.5


class Turnover(Frozen):
    """Permanent social workers leaving."""

    annual_rate: Annotated[Number, _range(0, 5)] = 0.15
    caseload_elasticity: Annotated[Number, _range(0, 100)] = 0.0
    yearly_change_sd: Annotated[Number, _range(0, 2)] = 0.0
    notice_days: Distribution = Fixed(dist="fixed", value=60)


class Cohort(Frozen):
    """An annual intake of newly qualified social workers on a fixed date (size 0: none)."""

    size: Annotated[Whole, _range(0, 100_000)] = 0
    month: Annotated[Whole, _range(1, 12)] = 9
    day: Annotated[Whole, _range(1, 31)] = 1

    @model_validator(mode="after")
    def _date_exists(self) -> Cohort:
        try:
            dt.date(2001, self.month, self.day)  # a common year: every year has the date
        except ValueError:
            raise FieldProblem("day", f"{self.day} is not a day of month {self.month} in every "
                                      "year; allowed: a day that month has") from None
        return self


class Recruitment(Frozen):
    """Filling vacant posts with permanent staff."""

    time_to_hire_days: Distribution = Gamma(dist="gamma", mean=120, cv=0.5)
    success: Annotated[Number, _range(high=1, gt=0)] = 1.0
    nqsw_share: Probability = 0.3
    senior_share: Probability = 0.0
    max_starters_per_month: Annotated[Whole, _range(1)] | None = None
    cohort: Cohort = Cohort()

    @model_validator(mode="after")
    def _shares(self) -> Recruitment:
        total = self.nqsw_share + self.senior_share
        if total > 1 + 1e-9:
            raise FieldProblem("senior_share", f"nqsw_share {self.nqsw_share:g} + senior_share "
                                               f"{self.senior_share:g} = {total:g}; "
                                               "allowed: a sum of at most 1")
        return self


class Agency(Frozen):
    """Agency workers covering vacant posts, and `beyond_vacancies` FTE more kept on top of
    vacancy cover (absence, sickness, extra demand; whole workers: the level rounded), whose level
    walks by `yearly_change_sd` a year in its log (`sim.model.agency`), and with `walk_scope`
    "all" the share of vacancies covered (`cover`, at most 1) with it; `cap` None means the `sw`
    cap. `non_case_holding_share`: DfE's agency workers who hold no cases, as a share of all of
    them (`sim.model.dfe_measures.agency_case_holders`); used only to report DfE's agency rate.
    0: every agency worker holds cases. `caseload_response` g: at each yearly step of the walk
    (`sim.model.agency`) the agency workers it moves are multiplied by (caseload now / typical
    caseload)^g, the typical caseload the start's times `typical_caseload_ratio`; 0 (the
    default): no response."""

    cover: Probability = 0.0
    start_days: Distribution = Fixed(dist="fixed", value=14)
    annual_turnover: Annotated[Number, _range(0, 20)] = 0.5
    max_share: Probability = 1.0
    cap: Annotated[Number, _range(gt=0)] | None = None
    beyond_vacancies: Annotated[Number, _range(0, MAX_POSTS)] = 0.0
    yearly_change_sd: Annotated[Number, _range(0, 2)] = 0.0
    walk_scope: Literal["beyond_vacancies", "all"] = "beyond_vacancies"
    non_case_holding_share: Annotated[Number, _range(0, MAX_NON_CASE_HOLDING_SHARE)] = 0.0
    caseload_response: Annotated[Number, _range(0, 5)] = 0.0
    typical_caseload_ratio: Annotated[Number, _range(high=10, gt=0)] = 1.0


class EstablishmentDrift(Frozen):
    """Year-to-year change of the case-holding establishment (`sim.model.drift`): each year of
    the run, posts added or removed in monthly steps so that by its end the establishment is the
    start's times (1 + growth)^k exp(a random walk with step sd `yearly_change_sd`)."""

    growth_per_year: Annotated[Number, _range(-0.9, 1)] = 0.0
    yearly_change_sd: Annotated[Number, _range(0, 2)] = 0.0


class Workforce(Frozen):
    """Case-holding social workers."""

    establishment: Annotated[Whole, _range(0, MAX_POSTS)]
    levels: Annotated[dict[LevelName, Level], Field(min_length=1)]
    agency_in_post: Annotated[Whole, _range(0)] = 0
    non_case_holding_share: Annotated[Number, _range(0, MAX_NON_CASE_HOLDING_SHARE)] = 0.0
    """Permanent social workers in post who hold no cases, as a share of all permanent ones; used
    only to report DfE's measures (`sim.model.dfe_measures`). 0: every permanent worker holds cases."""
    progression_days: Annotated[Number, _range(0)] = 365.0
    ramp_up: RampUp = RampUp()
    turnover: Turnover = Turnover()
    recruitment: Recruitment = Recruitment()
    agency: Agency = Agency()
    establishment_drift: EstablishmentDrift = EstablishmentDrift()

    def permanent_in_post(self) -> int:
        """Permanent staff at `start`, all levels."""
        return sum(level.in_post for level in self.levels.values())

    def agency_cap(self) -> float:
        """Agency workers' caseload cap: `agency.cap`, else the `sw` cap."""
        if self.agency.cap is not None:
            return self.agency.cap
        sw = self.levels.get("sw")
        return sw.cap if sw is not None and sw.cap is not None else DEFAULT_CAPS["sw"]

    @field_validator("levels", mode="after")
    @classmethod
    def _default_caps(cls, levels: dict[str, Level]) -> dict[str, Level]:
        return {name: level if level.cap is not None
                else level.model_copy(update={"cap": DEFAULT_CAPS[name]})
                for name, level in levels.items()}

    @model_validator(mode="after")
    def _staff_fit_posts(self) -> Workforce:
        permanent = self.permanent_in_post()
        if permanent > self.establishment:
            raise FieldProblem("levels", f"{permanent} permanent staff in post is more than the "
                               f"establishment of {self.establishment} posts (each holds a post); "
                               f"allowed: at most {self.establishment} in all levels together")
        vacant = self.establishment - permanent
        if self.agency_in_post > vacant:
            raise FieldProblem("agency_in_post", f"{self.agency_in_post} is more than the vacant "
                               f"posts (establishment {self.establishment} - {permanent} "
                               f"permanent in post = {vacant}); allowed: 0 to {vacant}")
        return self


class Managers(Frozen):
    """Team managers."""

    establishment: Annotated[Whole, _range(0, MAX_POSTS)] = 0
    in_post: Annotated[Whole, _range(0)] = 0
    annual_turnover: Annotated[Number, _range(0, 20)] = 0.12
    time_to_hire_days: Distribution = Gamma(dist="gamma", mean=150, cv=0.5)
    span_reference: Annotated[Number, _range(gt=0)] = 7.0
    span_turnover_effect: Annotated[Number, _range(0, 100)] = 0.0

    @model_validator(mode="after")
    def _in_post_fits(self) -> Managers:
        if self.in_post > self.establishment:
            most = self.establishment
            raise FieldProblem("in_post", f"{self.in_post} is more than establishment {most}; "
                                          f"allowed: 0 to {most}")
        return self


# --- allocation, initial state, effects, costs ---------------------------------------------------

class Allocation(Frozen):
    """How waiting cases reach workers."""

    when_full: Literal["overallocate", "queue"] = "overallocate"
    priority: tuple[Literal["cp", "cla", "assessment", "cin"], ...] = PRIORITY

    @field_validator("priority", mode="after")
    @classmethod
    def _permutation(cls, priority: tuple[str, ...]) -> tuple[str, ...]:
        if sorted(priority) != sorted(PRIORITY):
            raise FieldProblem("", f"{list(priority)} is not allowed; allowed: each of "
                                   f"{', '.join(PRIORITY)} exactly once")
        return priority


class OpenCases(Frozen):
    """Open cases by stage at `start` (each at most MAX_OPEN_CASES)."""

    assessment: Annotated[Whole, _range(0, MAX_OPEN_CASES)] = 0
    cin: Annotated[Whole, _range(0, MAX_OPEN_CASES)] = 0
    cp: Annotated[Whole, _range(0, MAX_OPEN_CASES)] = 0
    cla: Annotated[Whole, _range(0, MAX_OPEN_CASES)] = 0


class Initial(Frozen):
    """The reported state at `start`."""

    open: OpenCases = OpenCases()
    unallocated: Annotated[Whole, _range(0, MAX_OPEN_CASES)] = 0


class Effects(Frozen):
    """Assumptions to switch on and test."""

    cla_escalation: Annotated[Number, _range(0, 100)] = 0.0
    reference_caseload: Annotated[Number, _range(gt=0)] | None = None


class DfeReporting(Frozen):
    """One-off factors of DfE's measures as a council reports them at each census
    (`sim.model.reporting`): the published figure is the model's state times a factor drawn
    afresh for each census, a normal of sd `..._sd` in the log (logit for a bounded rate). Only
    the "DfE:" metrics carry it; 0 (the default): none, nothing drawn. The start's own factor is
    normal(`..._start_..._mean`, `..._start_..._sd`) in the same scale (the council's history
    says how much of its starting figure is a one-off, `sim.data.panel.local_level_filter`); by
    default mean 0 and sd the factor's own (None), a fresh draw like any census's."""

    case_holders_log_sd: Annotated[Number, _range(0, 2)] = 0.0
    """Shared by case-holders and cases held, so caseload does not carry it."""
    caseload_log_sd: Annotated[Number, _range(0, 2)] = 0.0
    """Cases held's own beyond the shared factor, so caseload's."""
    agency_rate_logit_sd: Annotated[Number, _range(0, 2)] = 0.0
    vacancy_rate_logit_sd: Annotated[Number, _range(0, 2)] = 0.0
    turnover_rate_log_sd: Annotated[Number, _range(0, 2)] = 0.0
    case_holders_start_log_mean: Annotated[Number, _range(-2, 2)] = 0.0
    """The shared factor's at the start, so case-holders' and cases held's."""
    case_holders_start_log_sd: Annotated[Number, _range(0, 2)] | None = None
    caseload_start_log_mean: Annotated[Number, _range(-2, 2)] = 0.0
    caseload_start_log_sd: Annotated[Number, _range(0, 2)] | None = None
    agency_rate_start_logit_mean: Annotated[Number, _range(-2, 2)] = 0.0
    agency_rate_start_logit_sd: Annotated[Number, _range(0, 2)] | None = None
    vacancy_rate_start_logit_mean: Annotated[Number, _range(-2, 2)] = 0.0
    vacancy_rate_start_logit_sd: Annotated[Number, _range(0, 2)] | None = None
    turnover_rate_start_log_mean: Annotated[Number, _range(-2, 2)] = 0.0
    turnover_rate_start_log_sd: Annotated[Number, _range(0, 2)] | None = None


class Salaries(Frozen):
    """Pay, £/year."""

    nqsw: Annotated[Number, _range(0)] = 28000.0
    sw: Annotated[Number, _range(0)] = 33000.0
    senior: Annotated[Number, _range(0)] = 41000.0
    manager: Annotated[Number, _range(0)] = 48000.0


class Placement(Frozen):
    """One type of placement of looked-after children: share of them and £/week."""

    share: Probability
    weekly: Annotated[Number, _range(0)]


DEFAULT_PLACEMENTS = {
    "foster_in_house": Placement(share=0.45, weekly=400.0),
    "ifa": Placement(share=0.27, weekly=760.0),
    "residential": Placement(share=0.12, weekly=2400.0),
    "other": Placement(share=0.16, weekly=300.0),
}


class Costs(Frozen):
    """£; defaults are assumptions."""

    salary_per_year: Salaries = Salaries()
    on_cost_share: Annotated[Number, _range(0, 2)] = 0.28
    agency_premium_per_year: Annotated[Number, _range(0)] = 27000.0
    recruitment_per_hire: Annotated[Number, _range(0)] = 5000.0
    placements: Annotated[dict[str, Placement], Field(min_length=1)] = Field(
        default_factory=lambda: dict(DEFAULT_PLACEMENTS))

    @field_validator("placements", mode="after")
    @classmethod
    def _shares_sum_to_one(cls, placements: dict[str, Placement]) -> dict[str, Placement]:
        total = sum(p.share for p in placements.values())
        if abs(total - 1) > 1e-9:
            raise FieldProblem("", f"shares sum to {total:.10g}; they must sum to 1")
        return placements


# --- the scenario --------------------------------------------------------------------------------

class Scenario(Frozen):
    """One scenario file after `extends` and overrides, validated. `sources`: files read."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    title: str = ""
    start: Date
    years: Annotated[Number, _range(MIN_YEARS, 30)] = 5.0
    warmup_days: Annotated[Number, _range(0, 3650)] = 0.0
    report_every_days: Annotated[Whole, _range(1, 365)] = 7
    demand: Demand
    workforce: Workforce
    managers: Managers = Managers()
    allocation: Allocation = Allocation()
    initial: Initial = Initial()
    effects: Effects = Effects()
    costs: Costs = Costs()
    dfe_reporting: DfeReporting = DfeReporting()
    policy: list[PolicyAction] = Field(default_factory=list)

    _sources: list[str] = PrivateAttr(default_factory=list)
    _uncertain: dict[str, tuple[Any, Range]] = PrivateAttr(default_factory=dict)

    @property
    def uncertain(self) -> dict[str, tuple[Any, Range]]:
        """{dotted key: (distribution, the key's allowed range)} of the values given as
        distributions (`sim.scenario.uncertain`); the attribute itself holds the distribution's
        mean. {} for a scenario of numbers only."""
        return dict(self._uncertain)

    @model_serializer(mode="wrap")
    def _with_distributions(self, handler: SerializerFunctionWrapHandler,
                            info: SerializationInfo) -> dict:
        """Dumped as written: each uncertain key's distribution in place of its mean."""
        data = handler(self)
        for path, (dist, _) in self._uncertain.items():
            set_at(data, path, dist.model_dump(mode=info.mode, exclude_defaults=True))
        return data

    @property
    def sources(self) -> list[str]:
        """The files read, in merge order (extended files first); [] if built in Python."""
        return list(self._sources)

    def __eq__(self, other: object) -> bool:
        """Equal content; where it was read from (`sources`) does not count."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return (type(self) is type(other) and self.__dict__ == other.__dict__
                and self._uncertain == other._uncertain)

    __hash__ = None  # type: ignore[assignment]  # dict and list fields: not hashable

    @field_validator("name", mode="after")
    @classmethod
    def _folder_name(cls, name: str) -> str:
        """The name is a results folder's name (results/<name>/): "." and ".." are not."""
        if name in (".", ".."):
            raise FieldProblem("", f"{name!r} is not allowed: it names results/ itself or the "
                                   "folder above; allowed: letters, digits, _ . - but not "
                                   "'.' or '..'")
        return name

    @model_validator(mode="after")
    def _policy_after_start(self) -> Scenario:
        for index, action in enumerate(self.policy):
            if action.at is not None and action.at < self.start:
                raise FieldProblem(f"policy.{index}.at", f"{action.at} is before start "
                                   f"{self.start}; allowed: {self.start} or later")
        return self

    def posts_after_policies(self) -> Iterator[tuple[int, str, str, int]]:
        """(policy index, key, "establishment" or "managers", posts after it) for each
        `add_posts` applied within the horizon, in date order, as the model applies them."""
        posts = {"establishment": self.workforce.establishment,
                 "managers": self.managers.establishment}
        horizon_days = self.years * DAYS_PER_YEAR
        timed = sorted((action.day(self.start), index, action)
                       for index, action in enumerate(self.policy))
        for day, index, action in timed:
            if not isinstance(action, AddPosts) or day > horizon_days:
                continue
            changes = {"establishment": (action.count, action.share, "count", "share"),
                       "managers": (action.managers, action.managers_share, "managers",
                                    "managers_share")}
            for kind, (count, share, count_key, share_key) in changes.items():
                change = count if share is None else round(share * posts[kind])
                posts[kind] = max(0, posts[kind] + (change or 0))
                yield index, count_key if share is None else share_key, kind, posts[kind]

    @model_validator(mode="after")
    def _posts_within_limits_after_policies(self) -> Scenario:
        for index, key, kind, posts in self.posts_after_policies():
            if posts > MAX_POSTS:
                what = "manager posts" if kind == "managers" else "the establishment"
                raise FieldProblem(f"policy.{index}.{key}", f"brings {what} to {posts} posts; "
                                                            f"allowed: at most {MAX_POSTS}")
        return self


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read the scenario at `path`: resolve `extends`, apply dotted `overrides`, validate.

    Raises ScenarioError (one line naming the file, the dotted key and what is allowed).
    """
    layers = resolve(str(path))
    return _validated(merge_layers(layers), layers, overrides)


def scenario_from_data(data: Mapping[str, Any], label: str = "<scenario>") -> Scenario:
    """A scenario from the data of one file without `extends` (e.g. a generated baseline),
    validated as `load_scenario` does: uncertain values kept as distributions.

    Raises ScenarioError naming `label` as the file.
    """
    layers = [(label, dict(data))]
    return _validated(merge_layers(layers), layers, None)


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A copy of `scenario` with dotted `overrides` applied and validated again (for sweeps).

    Raises ScenarioError with file "<--set>" for a bad key or value.
    """
    layers = [(scenario.sources[-1] if scenario.sources else "<scenario>",
               scenario.model_dump(mode="json"))]
    changed = _validated(merge_layers(layers), layers, overrides)
    changed._sources = scenario.sources
    return changed


def _validated(data: dict, layers: list, overrides: Mapping[str, Any] | None) -> Scenario:
    for key, value in (overrides or {}).items():
        apply_override(data, key, value, Scenario)
    overridden = override_keys(overrides)

    def file_for(key: list[str]) -> str:
        return blame(key, layers, overridden)

    uncertain = extract_uncertain(data, Scenario, file_for)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise error_from_validation(error, Scenario, file_for) from None
    check_ends(data, uncertain, Scenario.model_validate, Scenario, file_for)
    scenario._sources = [source for source, _ in layers]
    scenario._uncertain = uncertain
    return scenario


def scenario_json_schema() -> dict:
    """JSON Schema of scenario files (`Scenario.model_json_schema()` plus `extends`)."""
    schema = Scenario.model_json_schema()
    schema["properties"]["extends"] = {
        "type": "array", "items": {"type": "string"}, "default": [], "title": "Extends",
        "description": "files merged first, in order, this file last; paths relative to this file",
    }
    return schema
