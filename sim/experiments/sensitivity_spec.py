"""Sensitivity spec files: which scenario keys vary over which ranges, what to read, how much to run.

```toml
metrics = ["caseload_mean"]   # metric names (sim/model/metrics.py)
years = [3]                   # read each metric at the last sample at or before these times (years)
reps = 8                      # replications per design point
resamples = 1000              # bootstrap resamples for the 95% confidence intervals

[morris]
trajectories = 10             # Morris: trajectories, each (parameters + 1) design points
levels = 4                    # Morris: grid levels (even)

[sobol]
samples = 64                  # Sobol: base sample N (a power of 2): N x (parameters + 2) points

[[parameter]]
key = "workforce.turnover.annual_rate"   # any dotted scenario key (a distribution: its mean)
range = [0.10, 0.20]                      # [low, high]
dist = "uniform"              # or "triangular" (with `mode`) or "normal" (with `mean`, `sd`;
                              # truncated to the range)
```
Bad input raises ScenarioError naming the spec file and the key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, ValidationError, model_validator

from sim.model.metrics import METRIC_NAMES
from sim.scenario.errors import FieldProblem, error_from_validation
from sim.scenario.files import read_toml
from sim.scenario.types import Frozen, Number, Whole

MetricName = Literal[METRIC_NAMES]  # type: ignore[valid-type]


class Parameter(Frozen):
    """One varied scenario key: its range and the distribution of its values over the range."""

    key: Annotated[str, Field(min_length=1, pattern=r"^[^.\s]+(\.[^.\s]+)*$")]
    range: tuple[Number, Number]
    dist: Literal["uniform", "triangular", "normal"] = "uniform"
    mode: Number | None = None
    mean: Number | None = None
    sd: Annotated[Number, Field(gt=0)] | None = None

    @property
    def low(self) -> float:
        return self.range[0]

    @property
    def high(self) -> float:
        return self.range[1]

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        if not self.low < self.high:
            raise FieldProblem("range", f"[{self.low:g}, {self.high:g}]; allowed: [low, high] "
                                        "with low < high")
        needs = {"uniform": set(), "triangular": {"mode"}, "normal": {"mean", "sd"}}[self.dist]
        for name in ("mode", "mean", "sd"):
            given = getattr(self, name) is not None
            if given != (name in needs):
                problem = "required key missing" if not given else "not used"
                raise FieldProblem(name, f"{problem} with dist = {self.dist!r}; "
                                         f"{self.dist} takes {', '.join(sorted(needs)) or 'only range'}")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise FieldProblem("mode", f"{self.mode:g} is outside the range; allowed: "
                                       f"{self.low:g} to {self.high:g}")
        return self

    def salib(self) -> tuple[str, list[float]]:
        """SALib's distribution name and its `bounds` entry for this parameter."""
        if self.dist == "triangular":
            return "triang", [self.low, self.high, (self.mode - self.low) / (self.high - self.low)]
        if self.dist == "normal":
            return "truncnorm", [self.low, self.high, self.mean, self.sd]
        return "unif", [self.low, self.high]


class Morris(Frozen):
    """Morris elementary effects: `trajectories` x (parameters + 1) design points."""

    trajectories: Annotated[Whole, Field(ge=2, le=10_000)] = 10
    levels: Annotated[Whole, Field(ge=2, le=100)] = 4

    @model_validator(mode="after")
    def _even(self) -> Morris:
        if self.levels % 2:
            raise FieldProblem("levels", f"{self.levels} is odd; allowed: an even number")
        return self


class Sobol(Frozen):
    """Sobol indices (Saltelli's scheme): `samples` x (parameters + 2) design points."""

    samples: Annotated[Whole, Field(ge=2, le=1_048_576)] = 64

    @model_validator(mode="after")
    def _power_of_two(self) -> Sobol:
        if self.samples & (self.samples - 1):
            raise FieldProblem("samples", f"{self.samples} is not a power of 2 (Sobol' sequences "
                                          "need one); allowed: 2, 4, 8, ..., e.g. 64")
        return self


class Spec(Frozen):
    """A sensitivity study of one scenario (given separately)."""

    metrics: Annotated[list[MetricName], Field(min_length=1)]
    years: Annotated[list[Annotated[Number, Field(gt=0, le=30)]], Field(min_length=1)]
    reps: Annotated[Whole, Field(ge=1, le=100_000)] = 8
    resamples: Annotated[Whole, Field(ge=10, le=100_000)] = 1000
    morris: Morris = Morris()
    sobol: Sobol = Sobol()
    parameter: Annotated[list[Parameter], Field(min_length=1)]

    _source: str = PrivateAttr("<spec>")

    @property
    def source(self) -> str:
        """The file the spec was read from ("<spec>" if built in Python)."""
        return self._source

    @model_validator(mode="after")
    def _distinct(self) -> Spec:
        keys = [parameter.key for parameter in self.parameter]
        for index, key in enumerate(keys):
            if key in keys[:index]:
                raise FieldProblem(f"parameter.{index}.key", f"{key!r} is given twice; "
                                                            "allowed: each key once")
        for name in ("metrics", "years"):
            items = getattr(self, name)
            if len(set(items)) != len(items):
                raise FieldProblem(name, "a value is given twice; allowed: each once")
        return self

    @property
    def keys(self) -> list[str]:
        """The varied scenario keys, in order."""
        return [parameter.key for parameter in self.parameter]

    def problem(self) -> dict:
        """SALib's problem definition (names are the dotted keys)."""
        dists, bounds = zip(*(parameter.salib() for parameter in self.parameter))
        return {"num_vars": len(self.parameter), "names": self.keys, "bounds": list(bounds),
                "dists": list(dists)}


def load_spec(path: str | Path) -> Spec:
    """The spec at `path`, validated; ScenarioError names the file and key of any problem."""
    label = str(path)
    data = read_toml(label)
    try:
        spec = Spec.model_validate(data)
    except ValidationError as error:
        raise error_from_validation(error, Spec, lambda key: label) from None
    spec._source = label
    return spec

