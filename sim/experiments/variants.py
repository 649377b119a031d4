"""Scenario variants for sweeps and sensitivity designs: one scenario per design point.

A design point gives values to dotted scenario keys (`workforce.turnover.annual_rate`). A key that
names a whole distribution (`workforce.recruitment.time_to_hire_days`) takes a number as the
distribution's mean in days, its shape kept: `value` of a fixed distribution, `mean` of an
exponential, gamma or lognormal one (cv kept), and for a uniform or empirical one every day
scaled by the same factor (so the coefficient of variation is kept). A sub-key
(`workforce.recruitment.time_to_hire_days.cv`) sets just that field, as `--set` does. A key that
holds a whole number (posts, staff in post) takes a number rounded to the nearest whole one, as
a design samples continuous values.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.model.distributions import mean_of
from sim.scenario.loading import Scenario, ScenarioError, with_overrides
from sim.scenario.files import SET, split_key

DISTRIBUTIONS = ("fixed", "exponential", "gamma", "lognormal", "uniform", "empirical")


def value_at(scenario: Scenario, key: str) -> Any:
    """The scenario's value at dotted `key`, or None if the scenario does not hold it."""
    node: Any = scenario
    for part in split_key(key):
        if isinstance(node, (list, tuple)):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node


def is_distribution(value: Any) -> bool:
    """Whether `value` is one of the scenario's duration distributions."""
    return getattr(value, "dist", None) in DISTRIBUTIONS


def distribution_overrides(key: str, dist: Any, mean_days: Any) -> dict[str, Any]:
    """Dotted overrides giving distribution `dist` at `key` the mean `mean_days`, shape kept."""
    if isinstance(mean_days, bool) or not isinstance(mean_days, (int, float)):
        raise ScenarioError(SET, key, f"a distribution takes a number (its mean in days), "
                                      f"got {mean_days!r}")
    if dist.dist == "fixed":
        return {f"{key}.value": mean_days}
    if dist.dist in ("exponential", "gamma", "lognormal"):
        return {f"{key}.mean": mean_days}
    old = mean_of(dist)
    if old <= 0:
        raise ScenarioError(SET, key, f"its {dist.dist} distribution has mean 0, so it cannot be "
                                      "scaled to another mean; set its fields by sub-key")
    factor = mean_days / old
    if dist.dist == "uniform":
        return {f"{key}.low": dist.low * factor, f"{key}.high": dist.high * factor}
    return {f"{key}.values": [day * factor for day in dist.values]}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def point_overrides(scenario: Scenario, point: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted overrides for a design point {key: value} (distribution keys set their mean)."""
    overrides: dict[str, Any] = {}
    for key, value in point.items():
        current = value_at(scenario, key)
        if is_distribution(current):
            overrides |= distribution_overrides(key, current, value)
        elif _whole(current) and isinstance(value, float) and math.isfinite(value):
            overrides[key] = round(value)
        else:
            overrides[key] = value
    return overrides


def point_name(scenario: Scenario, index: int) -> str:
    """The name of design point `index`'s variant: `<name>.point-0007` (distinct per point)."""
    return f"{scenario.name}.point-{index:04d}"


def variant(scenario: Scenario, point: Mapping[str, Any], index: int) -> Scenario:
    """The scenario at design point `index` ({dotted key: value}), validated.

    Raises ScenarioError (file "<--set>") naming the key of a bad key or value.
    """
    overrides = point_overrides(scenario, point) | {"name": point_name(scenario, index)}
    return with_overrides(scenario, overrides)


def variants(scenario: Scenario, points: list[Mapping[str, Any]]) -> list[Scenario]:
    """One validated variant per design point, in order."""
    return [variant(scenario, point, index) for index, point in enumerate(points)]
