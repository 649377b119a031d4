"""Building blocks of scenario files: the frozen base model, typed numbers, distributions in days
and probability tables."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

from sim.scenario.errors import FieldProblem, show

LevelName = Literal["nqsw", "sw", "senior"]
LEVELS: tuple[LevelName, ...] = ("nqsw", "sw", "senior")
STAGES = ("close", "cin", "cp", "cla")


def _no_bool_or_text(value: Any) -> Any:
    if isinstance(value, (bool, str, bytes)):
        raise FieldProblem("", f"expected a whole number, got {show(value)}")
    return value


Number = Annotated[float, Strict()]          # an int or float, never a bool or text
Whole = Annotated[int, BeforeValidator(_no_bool_or_text)]   # an int, or a float such as 3.0
Flag = Annotated[bool, Strict()]
Probability = Annotated[float, Strict(), Field(ge=0, le=1)]


def _no_number(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise FieldProblem("", f"expected a date such as 2016-07-01, got {value}")
    return value


def _no_days(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise FieldProblem("", f"expected a date such as 2016-07-01, got {value} "
                               "(for days after start use after_days)")
    return value


EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2200, 12, 31)
"""Scenario dates lie in this range: a 30-year run and its 10-year warm-up then stay inside the
dates pandas (1677 to 2262) and matplotlib (years 1 to 9999) can represent."""


def _in_date_range(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise FieldProblem("", f"{value} is out of range; allowed: {EARLIEST_DATE} to "
                               f"{LATEST_DATE}")
    return value


Date = Annotated[dt.date, BeforeValidator(_no_number), AfterValidator(_in_date_range)]
ActionDate = Annotated[dt.date, BeforeValidator(_no_days), AfterValidator(_in_date_range)]


class Frozen(BaseModel):
    """A table of a scenario file: immutable, unknown keys rejected, no inf or nan."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


MeanField = Annotated[float, Strict(), Field(gt=0, le=36500)]
CvField = Annotated[float, Strict(), Field(gt=0, le=10)]
Days = Annotated[float, Strict(), Field(ge=0)]


class Fixed(Frozen):
    """Always `value` days."""

    dist: Literal["fixed"]
    value: Days


class Exponential(Frozen):
    """Exponential with the given mean (days)."""

    dist: Literal["exponential"]
    mean: MeanField


class Gamma(Frozen):
    """Gamma with the given mean (days) and coefficient of variation."""

    dist: Literal["gamma"]
    mean: MeanField
    cv: CvField


class LogNormal(Frozen):
    """Lognormal with the given mean (days) and coefficient of variation."""

    dist: Literal["lognormal"]
    mean: MeanField
    cv: CvField


class Uniform(Frozen):
    """Uniform between `low` and `high` days."""

    dist: Literal["uniform"]
    low: Days
    high: Days

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise FieldProblem("high", f"{self.high:g} is below low {self.low:g}; "
                                       "allowed: high >= low")
        return self


class Empirical(Frozen):
    """One of `values` (days), drawn with the given relative `weights`."""

    dist: Literal["empirical"]
    values: Annotated[tuple[Days, ...], Field(min_length=1)]
    weights: Annotated[tuple[Days, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _matching(self) -> Empirical:
        if len(self.values) != len(self.weights):
            raise FieldProblem("weights", f"{len(self.weights)} weights for {len(self.values)} "
                                          "values; allowed: one weight per value")
        if sum(self.weights) <= 0:
            raise FieldProblem("weights", "all weights are 0; allowed: weights >= 0, not all 0")
        return self


Distribution = Annotated[
    Fixed | Exponential | Gamma | LogNormal | Uniform | Empirical, Field(discriminator="dist")
]


class Outcome(Frozen):
    """What follows a stage: probabilities of `close`, `cin`, `cp`, `cla` summing to 1."""

    close: Probability = 0.0
    cin: Probability = 0.0
    cp: Probability = 0.0
    cla: Probability = 0.0

    def probabilities(self) -> dict[str, float]:
        """{stage: probability} in the order close, cin, cp, cla."""
        return {stage: getattr(self, stage) for stage in STAGES}

    @model_validator(mode="after")
    def _sums_to_one(self) -> Outcome:
        total = sum(self.probabilities().values())
        if abs(total - 1) > 1e-9:
            raise FieldProblem("", f"probabilities sum to {total:.10g}; they must sum to 1")
        return self
