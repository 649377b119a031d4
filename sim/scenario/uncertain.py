"""Uncertain assumptions: a number of a scenario given as a distribution, drawn once per replication.

A table such as `annual_rate = { dist = "uniform", low = 0.12, high = 0.18 }` at a key that takes a
number (not a duration distribution such as `duration_days`, which is drawn per event) is an
uncertain value. The loader takes it out of the data before validation (`extract_uncertain`), puts
the distribution's mean there instead (moved into the key's allowed range), and keeps the
distribution by dotted key. `resolve` gives each replication its own concrete scenario: every
uncertain key drawn once, the distribution's quantile at a uniform of its own, keyed by the dotted
key (`sim.model.streams.key_of_path`), so that every scenario of a comparison draws the same value
for the same key and adding a key never moves another's draw; the uniforms are stratified across
each block of ten replications (`sim.model.strata`: every tenth of the distribution drawn once), so
that a median or band over replications carries less chance.
"""
from __future__ import annotations

import copy
import math
from abc import abstractmethod
from dataclasses import dataclass
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator
from scipy.special import betaincinv

from sim.model.distributions import lognormal_mu_sigma
from sim.model.strata import standard_normal_quantile, stratified_uniforms
from sim.model.streams import key_of_path
from sim.scenario.errors import (
    FieldProblem,
    ScenarioError,
    constraints,
    describe_range,
    error_from_validation,
    locate,
)
from sim.scenario.types import Flag, Frozen, Number

FileFor = Callable[[list[str]], str]
Positive = Annotated[Number, Field(gt=0)]


class _Uncertain(Frozen):
    """What every uncertain value has: `clip` (draws outside the key's allowed range are moved to
    its nearest end; without it the distribution must lie inside the range)."""

    clip: Flag = False

    @abstractmethod
    def support(self) -> tuple[float, float, bool]:
        """(lowest, highest, whether the ends themselves are never drawn)."""

    @abstractmethod
    def mean_value(self) -> float:
        """The mean of the distribution (before any clipping)."""

    @abstractmethod
    def quantile(self, u: float) -> float:
        """The value with a share `u` (0 < u < 1) of the distribution below it."""


class UncertainUniform(_Uncertain):
    """Uniform between `low` and `high`."""

    dist: Literal["uniform"]
    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> UncertainUniform:
        if self.low >= self.high:
            raise FieldProblem("high", f"{self.high:g} is not above low {self.low:g}; "
                                       "allowed: high > low")
        return self

    def support(self) -> tuple[float, float, bool]:
        return self.low, self.high, False

    def mean_value(self) -> float:
        return (self.low + self.high) / 2

    def quantile(self, u: float) -> float:
        return self.low + u * (self.high - self.low)


class UncertainNormal(_Uncertain):
    """Normal with `mean` and standard deviation `sd` (unbounded: needs `clip` unless the key
    takes any number)."""

    dist: Literal["normal"]
    mean: Number
    sd: Positive

    def support(self) -> tuple[float, float, bool]:
        return -math.inf, math.inf, True

    def mean_value(self) -> float:
        return self.mean

    def quantile(self, u: float) -> float:
        return self.mean + self.sd * standard_normal_quantile(u)


class UncertainLogNormal(_Uncertain):
    """Lognormal with `mean` and coefficient of variation `cv` (as the duration tables): above 0."""

    dist: Literal["lognormal"]
    mean: Positive
    cv: Positive

    def support(self) -> tuple[float, float, bool]:
        return 0.0, math.inf, True

    def mean_value(self) -> float:
        return self.mean

    def quantile(self, u: float) -> float:
        mu, sigma = lognormal_mu_sigma(self.mean, self.cv)
        return math.exp(mu + sigma * standard_normal_quantile(u))


class UncertainBeta(_Uncertain):
    """Beta between 0 and 1, given by `alpha` and `beta`, or by `mean` and `sd`."""

    dist: Literal["beta"]
    alpha: Positive | None = None
    beta: Positive | None = None
    mean: Annotated[Number, Field(gt=0, lt=1)] | None = None
    sd: Positive | None = None

    @model_validator(mode="after")
    def _one_way(self) -> UncertainBeta:
        shape = self.alpha is not None and self.beta is not None
        moments = self.mean is not None and self.sd is not None
        given = [k for k in ("alpha", "beta", "mean", "sd") if getattr(self, k) is not None]
        if shape == moments or len(given) != 2:
            raise FieldProblem("", "expected alpha and beta, or mean and sd")
        if moments and self.sd**2 >= self.mean * (1 - self.mean):
            raise FieldProblem("sd", f"{self.sd:g} is too large for mean {self.mean:g}; allowed: "
                                     f"sd < {math.sqrt(self.mean * (1 - self.mean)):.4g}")
        return self

    def shapes(self) -> tuple[float, float]:
        """(alpha, beta)."""
        if self.alpha is not None and self.beta is not None:
            return self.alpha, self.beta
        mean, sd = float(self.mean), float(self.sd)
        size = mean * (1 - mean) / sd**2 - 1
        return mean * size, (1 - mean) * size

    def support(self) -> tuple[float, float, bool]:
        return 0.0, 1.0, True

    def mean_value(self) -> float:
        alpha, beta = self.shapes()
        return alpha / (alpha + beta)

    def quantile(self, u: float) -> float:
        return float(betaincinv(*self.shapes(), u))


class UncertainTriangular(_Uncertain):
    """Triangular from `low` to `high`, most likely at `mode`."""

    dist: Literal["triangular"]
    low: Number
    mode: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self) -> UncertainTriangular:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise FieldProblem("mode", f"low {self.low:g}, mode {self.mode:g}, high "
                                       f"{self.high:g}; allowed: low <= mode <= high, low < high")
        return self

    def support(self) -> tuple[float, float, bool]:
        return self.low, self.high, False

    def mean_value(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def quantile(self, u: float) -> float:
        width = self.high - self.low
        if u * width < self.mode - self.low:
            return self.low + math.sqrt(u * width * (self.mode - self.low))
        return self.high - math.sqrt((1 - u) * width * (self.high - self.mode))


UncertainValue = Annotated[
    UncertainUniform | UncertainNormal | UncertainLogNormal | UncertainBeta | UncertainTriangular,
    Field(discriminator="dist"),
]


class _Holder(Frozen):
    """An uncertain table validated alone (so its errors are phrased like the scenario's)."""

    value: UncertainValue


# --- one key's allowed range ---------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    """The allowed range of a number key: ends, whether each is excluded, and as docs say it."""

    low: float
    high: float
    low_open: bool
    high_open: bool
    text: str

    @classmethod
    def of(cls, metadata: list[Any]) -> Range:
        """From a key's constraints (`ge`, `gt`, `le`, `lt`)."""
        found = constraints(metadata)
        return cls(low=float(found.get("ge", found.get("gt", -math.inf))),
                   high=float(found.get("le", found.get("lt", math.inf))),
                   low_open="gt" in found, high_open="lt" in found,
                   text=describe_range(metadata))

    def fits(self, dist: _Uncertain) -> bool:
        """Whether every value `dist` can draw is allowed."""
        low, high, open_ends = dist.support()
        low_ok = low > self.low or (low == self.low and (open_ends or not self.low_open))
        high_ok = high < self.high or (high == self.high and (open_ends or not self.high_open))
        return low_ok and high_ok

    def clip(self, value: float) -> float:
        """`value` moved into the range (an open end: the nearest number inside)."""
        low = math.nextafter(self.low, math.inf) if self.low_open else self.low
        high = math.nextafter(self.high, -math.inf) if self.high_open else self.high
        return min(max(value, low), high)

    def ends(self, dist: _Uncertain) -> list[tuple[str, float]]:
        """The finite ends of what `dist` draws after clipping: [("low", x), ("high", y)]."""
        low, high, _ = dist.support()
        found = [("low", self.clip(low)), ("high", self.clip(high))]
        return [(end, value) for end, value in found if math.isfinite(value)]


# --- finding and taking out uncertain values -----------------------------------------------------

def describe(dist: _Uncertain) -> str:
    """'uniform(low=0.12, high=0.18)' and ', clipped' if clipped: how reports show it."""
    fields = dist.model_dump(exclude={"dist", "clip"}, exclude_none=True)
    text = ", ".join(f"{name}={value:g}" for name, value in fields.items())
    return f"{dist.dist}({text})" + (", clipped to the allowed range" if dist.clip else "")


def _children(node: Any, loc: tuple) -> list[tuple[tuple, Any, Any, Any]]:
    """(location for `locate`, container, index, child) for each child of a table or list; a
    list item tagged by `do` (a policy action) gets its tag in the location, as pydantic's."""
    if isinstance(node, dict):
        return [((*loc, key), node, key, child) for key, child in node.items()]
    if isinstance(node, list):
        found = []
        for index, child in enumerate(node):
            tag = (child["do"],) if isinstance(child, dict) and isinstance(
                child.get("do"), str) else ()
            found.append(((*loc, index, *tag), node, index, child))
        return found
    return []


def extract_uncertain(data: dict, root: type[BaseModel], file_for: FileFor
                      ) -> dict[str, tuple[Any, Range]]:
    """Take every uncertain value out of `data` (in place), leaving its mean in the key's range.

    Returns {dotted key: (distribution, the key's range)}. Raises ScenarioError for a bad table, a
    distribution at a whole-number key, or one reaching outside the key's range without `clip`.
    """
    found: dict[str, tuple[Any, Range]] = {}
    pending: list[tuple[tuple, Any]] = [((), data)]
    while pending:
        loc, node = pending.pop()
        for child_loc, container, index, child in _children(node, loc):
            spot = locate(root, child_loc) if isinstance(child, dict) and "dist" in child else None
            if spot is None or spot.tp not in (float, int):
                pending.append((child_loc, child))
                continue
            path = ".".join(spot.key)
            if spot.tp is int:
                raise ScenarioError(file_for(spot.key), path, "a whole number cannot be uncertain; "
                                    "allowed: a whole number")
            dist, allowed = _checked(child, spot.metadata, spot.key, file_for)
            container[index] = allowed.clip(dist.mean_value())
            found[path] = (dist, allowed)
    return dict(sorted(found.items()))


def _checked(table: dict, metadata: list[Any], key: list[str], file_for: FileFor
             ) -> tuple[Any, Range]:
    path = ".".join(key)
    try:
        dist = _Holder.model_validate({"value": table}).value
    except ValidationError as error:
        problem = error_from_validation(error, _Holder, lambda _: file_for(key))
        inner = problem.key.removeprefix("value").lstrip(".")
        raise ScenarioError(problem.file, ".".join(filter(None, (path, inner))),
                            problem.message) from None
    allowed = Range.of(metadata)
    if not dist.clip and not allowed.fits(dist):
        raise ScenarioError(file_for(key), path, f"{describe(dist)} reaches outside the allowed "
                            f"range {allowed.text}; allowed: a distribution inside it, or "
                            "clip = true")
    return dist, allowed


def set_at(data: Any, path: str, value: Any) -> None:
    """Set the dotted `path` (list items by number) of nested tables and lists to `value`."""
    *parents, last = path.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    data[int(last) if isinstance(data, list) else last] = value


def check_ends(data: dict, found: dict[str, tuple[Any, Range]],
               validate: Callable[[dict], Any], root: type[BaseModel], file_for: FileFor) -> None:
    """Validate `data` with each uncertain key at each end of what it draws (the others at their
    means), so that rules between keys (e.g. shares summing to at most 1) hold for every draw of
    one key. Raises ScenarioError naming the key and the end."""
    for path, (dist, allowed) in found.items():
        for end, value in allowed.ends(dist):
            trial = copy.deepcopy(data)
            set_at(trial, path, value)
            try:
                validate(trial)
            except ValidationError as error:
                problem = error_from_validation(error, root, file_for)
                raise ScenarioError(problem.file, path, f"at the {end} end of its distribution "
                                    f"({value:g}): {problem.key}: {problem.message}") from None


# --- per replication -----------------------------------------------------------------------------

def draw_values(uncertain: dict[str, tuple[Any, Range]], rep: int, root_seed: int
                ) -> dict[str, float]:
    """{dotted key: the value replication `rep` uses}, each the distribution's quantile at a
    uniform of the key's own, stratified across blocks of replications (`sim.model.strata`)."""
    return {path: allowed.clip(dist.quantile(float(
                stratified_uniforms(root_seed, rep, "uncertain", *key_of_path(path))[0])))
            for path, (dist, allowed) in uncertain.items()}


def resolve(scenario: Any, rep: int, root_seed: int) -> tuple[Any, dict[str, float]]:
    """(the concrete scenario replication `rep` runs, {dotted key: value drawn}); a scenario
    without uncertain values is returned as it is, with {}, and so is any other object a batch
    runs (the runner takes whatever its `replicate` function does)."""
    uncertain = getattr(scenario, "uncertain", None)
    if not uncertain:
        return scenario, {}
    drawn = draw_values(uncertain, rep, root_seed)
    data = scenario.model_dump(mode="json")
    for path, value in drawn.items():
        set_at(data, path, value)
    concrete = type(scenario).model_validate(data)
    concrete._sources = scenario.sources
    return concrete, drawn
