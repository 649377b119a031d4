"""Dated policy actions of a scenario (`[[policy]]` tables), told apart by `do`."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.errors import FieldProblem
from sim.scenario.types import ActionDate, Flag, Frozen, LevelName, Number, Probability, Whole

CapValue = Annotated[float, Field(gt=0, le=1000)]


class Action(Frozen):
    """When an action happens: exactly one of `at` (a date) or `after_days` (days after start)."""

    at: ActionDate | None = None
    after_days: Annotated[Number, Field(ge=0)] | None = None
    note: str = ""

    def day(self, start: dt.date) -> float:
        """Days after `start` at which the action applies."""
        if self.at is not None:
            return float((self.at - start).days)
        return float(self.after_days or 0.0)

    @model_validator(mode="after")
    def _one_time(self) -> Action:
        if self.at is not None and self.after_days is not None:
            raise FieldProblem("", "give either 'at' or 'after_days', not both")
        if self.at is None and self.after_days is None:
            raise FieldProblem("", "needs 'at' (a date) or 'after_days' (days after start)")
        return self


class AddPosts(Action):
    """Change the establishment by `count` posts or a `share` of it, phased over months.

    Manager posts change with them: `managers` (a count) or `managers_share` (a share of the
    manager establishment at that date), phased alike.
    """

    do: Literal["add_posts"]
    count: Whole | None = None
    share: Annotated[Number, Field(ge=-1, le=10)] | None = None
    over_months: Annotated[Whole, Field(ge=0)] = 0
    managers: Whole = 0
    managers_share: Annotated[Number, Field(ge=-1, le=10)] | None = None

    @model_validator(mode="after")
    def _count_or_share(self) -> AddPosts:
        if self.count is not None and self.share is not None:
            raise FieldProblem("", "give either 'count' or 'share', not both")
        if self.managers != 0 and self.managers_share is not None:
            raise FieldProblem("", "give either 'managers' or 'managers_share', not both")
        if (self.count is None and self.share is None and self.managers == 0
                and self.managers_share is None):
            raise FieldProblem("", "needs 'count' or 'share' (or 'managers' or 'managers_share')")
        return self


class HireToCaseload(Action):
    """Raise the establishment to ceil(open cases / target) (never lowered), phased; a target
    of at least one case per worker keeps the posts at most the open cases."""

    do: Literal["hire_to_caseload"]
    target: Annotated[Number, Field(ge=1, le=1000)]
    over_months: Annotated[Whole, Field(ge=0)] = 0


class SetCap(Action):
    """New caseload caps: `cap` for every level or `caps` by level; optionally a new rule."""

    do: Literal["set_cap"]
    cap: Annotated[Number, Field(gt=0, le=1000)] | None = None
    caps: Annotated[dict[LevelName, Annotated[Number, Field(gt=0, le=1000)]],
                    Field(min_length=1)] | None = None
    when_full: Literal["overallocate", "queue"] | None = None

    @model_validator(mode="after")
    def _cap_or_caps(self) -> SetCap:
        if (self.cap is None) == (self.caps is None):
            raise FieldProblem("", "give exactly one of 'cap' (all levels) or 'caps' (by level)")
        return self


class SetAgency(Action):
    """New agency rules; `beyond_vacancies` a new level of agency FTE beyond vacancy cover;
    `release_excess` releases agency workers above `max_share` at once."""

    do: Literal["set_agency"]
    cover: Probability | None = None
    max_share: Probability | None = None
    beyond_vacancies: Annotated[Number, Field(ge=0, le=1_000_000)] | None = None
    release_excess: Flag = False

    @model_validator(mode="after")
    def _something(self) -> SetAgency:
        if self.cover is None and self.max_share is None and self.beyond_vacancies is None:
            raise FieldProblem("", "needs 'cover', 'max_share' or 'beyond_vacancies' (or more)")
        return self


class Retention(Action):
    """The base leaving hazard times `turnover_multiplier` from this date."""

    do: Literal["retention"]
    turnover_multiplier: Annotated[Number, Field(ge=0, le=20)]


class DivertReferrals(Action):
    """That `share` of referrals goes to early help and never reaches social care."""

    do: Literal["divert_referrals"]
    share: Probability


class SetReferrals(Action):
    """A new referral rate and/or growth (growth compounds from this date)."""

    do: Literal["set_referrals"]
    referrals_per_year: Annotated[Number, Field(ge=0, le=10_000_000)] | None = None
    growth_per_year: Annotated[Number, Field(ge=-0.9, le=1)] | None = None

    @model_validator(mode="after")
    def _something(self) -> SetReferrals:
        if self.referrals_per_year is None and self.growth_per_year is None:
            raise FieldProblem("", "needs 'referrals_per_year' or 'growth_per_year' (or both)")
        return self


PolicyAction = Annotated[
    AddPosts | HireToCaseload | SetCap | SetAgency | Retention | DivertReferrals | SetReferrals,
    Field(discriminator="do"),
]
