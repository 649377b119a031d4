"""Global sensitivity of chosen metrics to scenario parameters: Morris screening and Sobol
indices, designed and analysed with SALib.

Three steps, the middle one pluggable: `design_matrix` draws the design points (one row per point,
one column per parameter); `evaluate(X) -> Y` gives each point's outputs (for the simulator, the
mean over replications of each metric at each time, run as one batch with common random numbers
across points; in tests, a plain function with known indices); `indices_table` turns them into
sensitivity.csv rows: `method, param, metric, year, index, value, ci_low, ci_high` with index
`mu_star` and `sigma` (Morris; mu_star's interval by bootstrap, sigma has none) or `S1` and `ST`
(Sobol, first and total order, intervals by bootstrap). Intervals are 95%.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.runner.files import atomic_path
from sim.scenario.loading import ScenarioError, with_overrides
from sim.experiments.sensitivity_spec import Spec, load_spec
from sim.experiments.variant_batch import point_means, run_variants
from sim.experiments.variants import point_name, point_overrides, variant, variants

METHODS = ("morris", "sobol")
COLUMNS = ("method", "param", "metric", "year", "index", "value", "ci_low", "ci_high")
CONFIDENCE = 0.95

Evaluate = Callable[[np.ndarray], np.ndarray]
"""`evaluate(X) -> Y`: X (points, parameters) design values; Y (points, outputs) in the order of
`outputs(spec)`."""


def outputs(spec: Spec) -> list[tuple[str, float]]:
    """(metric, years) of each output column: every metric at every time, metric by metric."""
    return [(metric, year) for metric in spec.metrics for year in spec.years]


def design_matrix(spec: Spec, method: str, seed: int) -> np.ndarray:
    """The design points of `method`: (points, parameters), drawn with `seed`.

    Morris: `trajectories` x (parameters + 1) points on a `levels` grid. Sobol: Saltelli's scheme
    on a scrambled Sobol' sequence without second-order terms, `samples` x (parameters + 2).
    """
    from SALib.sample import morris, sobol

    problem = spec.problem()
    if method == "morris":
        return morris.sample(problem, spec.morris.trajectories, num_levels=spec.morris.levels,
                             seed=seed)
    return sobol.sample(problem, spec.sobol.samples, calc_second_order=False, seed=seed)


def _analyse(spec: Spec, method: str, X: np.ndarray, y: np.ndarray,
             seed: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Index name -> (value per parameter, 95% CI half-width per parameter) for one output."""
    from SALib.analyze import morris, sobol

    problem = spec.problem()
    if method == "morris":
        found = morris.analyze(problem, X, y, num_resamples=spec.resamples,
                               conf_level=CONFIDENCE, num_levels=spec.morris.levels, seed=seed)
        no_interval = np.full(len(spec.keys), np.nan)
        return {"mu_star": (found["mu_star"], found["mu_star_conf"]),
                "sigma": (found["sigma"], no_interval)}
    found = sobol.analyze(problem, y, calc_second_order=False, num_resamples=spec.resamples,
                          conf_level=CONFIDENCE, seed=seed)
    return {"S1": (found["S1"], found["S1_conf"]), "ST": (found["ST"], found["ST_conf"])}


def indices_table(spec: Spec, method: str, X: np.ndarray, Y: np.ndarray,
                  seed: int) -> pd.DataFrame:
    """sensitivity.csv rows for outputs Y (points, outputs) of design X."""
    rows = []
    for column, (metric, years) in enumerate(outputs(spec)):
        year = int(years) if float(years).is_integer() else years
        for index, (values, half) in _analyse(spec, method, X, Y[:, column], seed).items():
            for key, value, width in zip(spec.keys, np.asarray(values, dtype=float),
                                         np.asarray(half, dtype=float)):
                rows.append((method, key, metric, year, index, value, value - width,
                             value + width))
    return pd.DataFrame(rows, columns=list(COLUMNS))


@dataclass(frozen=True)
class SensitivityResults:
    """A finished study: the design X (points, parameters), outputs Y (points, outputs) and
    sensitivity.csv's rows."""

    spec: Spec
    method: str
    X: np.ndarray
    Y: np.ndarray
    table: pd.DataFrame

    def design_frame(self, names: list[str] | None = None) -> pd.DataFrame:
        """design.csv: `point`, `scenario` (when named), each parameter's value, then each output
        as `<metric>_year<y>` (mean over the point's replications)."""
        frame = pd.DataFrame(self.X, columns=self.spec.keys)
        if names is not None:
            frame.insert(0, "scenario", names)
        frame.insert(0, "point", np.arange(len(self.X)))
        for column, (metric, year) in enumerate(outputs(self.spec)):
            frame[f"{metric}_year{year:g}"] = self.Y[:, column]
        return frame


def screen(spec: Spec, method: str, evaluate: Evaluate, seed: int) -> SensitivityResults:
    """Design, evaluate and analyse: the whole study with any `evaluate`."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    X = design_matrix(spec, method, seed)
    Y = np.asarray(evaluate(X), dtype=float).reshape(len(X), -1)
    if Y.shape[1] != len(outputs(spec)):
        raise ValueError(f"evaluate gave {Y.shape[1]} outputs per point, expected "
                         f"{len(outputs(spec))} (each metric at each time)")
    return SensitivityResults(spec, method, X, Y, indices_table(spec, method, X, Y, seed))


def study_scenario(scenario: Any, spec: Spec) -> Any:
    """The scenario the design varies: cut to the last time read (later days cannot change the
    outputs), and checked at each parameter's low and high end (ScenarioError naming the spec
    file and the parameter)."""
    label = spec.source
    horizon = max(spec.years)
    if horizon > scenario.years:
        raise ScenarioError(label, "years", f"{horizon:g} is after the scenario's horizon; "
                                            f"allowed: up to {scenario.years:g}")
    base = with_overrides(scenario, {"years": horizon}) if horizon < scenario.years else scenario
    for index, parameter in enumerate(spec.parameter):
        for end in parameter.range:
            try:
                variant(base, {parameter.key: end}, 0)
            except ScenarioError as error:
                raise ScenarioError(label, f"parameter.{index}", f"{parameter.key} = {end:g}: "
                                    f"{error.key + ': ' if error.key else ''}{error.message}"
                                    ) from None
    return base


def sensitivity(scenario: Any, spec: Spec | str | Path, method: str = "morris",
                seed: int = 20160701, workers: int | None = None,
                out: Path | str | None = None, progress: bool = False,
                command: str | None = None, reps: int | None = None,
                **options: Any) -> SensitivityResults:
    """Morris or Sobol sensitivity of `spec`'s metrics to its parameters, on `scenario`.

    spec: a Spec or the path of a spec file. reps: replications per design point (default the
    spec's). Each design point is a variant of the scenario (`sim.experiments.variants`), run for the spec's
    latest time; every point uses the same replication seeds (common random numbers). With
    `out`, writes sensitivity.csv, design.csv and run.json beside the resumable store; the caller
    draws sensitivity.png and report.html (`sim.report.finish.finish_folder`). Other arguments
    as `sim.run` (scheduler, resume, until_ci, report, replicate).
    """
    spec = spec if isinstance(spec, Spec) else load_spec(spec)
    reps = spec.reps if reps is None else reps
    base = study_scenario(scenario, spec)

    def evaluate(X: np.ndarray) -> np.ndarray:
        points = [dict(zip(spec.keys, row)) for row in X.tolist()]
        record = {"sensitivity": {
            "method": method, "spec_file": spec.source, "spec": spec.model_dump(mode="json"),
            "sample_size": spec.morris.trajectories if method == "morris" else spec.sobol.samples,
            "design_points": len(points), "reps_per_point": reps,
            "horizon_years": float(base.years)}}
        _, Y = run_variants(
            base, variants(base, points), [point_overrides(base, p) for p in points], reps, seed,
            workers, out, progress, command, record=record,
            finish=lambda batch: np.column_stack([point_means(batch, metric, spec.years)
                                                  for metric in spec.metrics]), **options)
        return Y

    results = screen(spec, method, evaluate, seed)
    if out is not None:
        with atomic_path(Path(out) / "sensitivity.csv") as temp:
            results.table.to_csv(temp, index=False)
        with atomic_path(Path(out) / "design.csv") as temp:
            names = [point_name(base, index) for index in range(len(results.X))]
            results.design_frame(names).to_csv(temp, index=False)
    return results
