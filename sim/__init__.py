"""caseload: will hiring social workers bring children's social-care caseloads down?

A SimPy Monte Carlo model of one council's children's social care. The notebook API:

    import sim
    sc = sim.load_scenario("scenarios/manchester-2016-plan.toml", overrides={"years": 3})
    res = sim.run(sc, reps=200, seed=1)
    res.summary()
    plan = sim.load_scenario("scenarios/manchester-2016-plan.toml")
    base = sim.load_scenario("scenarios/councils/manchester-2016.toml")
    sim.compare([base, plan], reps=200, seed=1).differences()

`load_scenario`, `run` and `compare` are imported on first use, so `import sim` stays cheap (worker
processes import this package too).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.version import __version__

__all__ = ["__version__", "compare", "load_scenario", "run"]

if TYPE_CHECKING:
    from sim.api import compare, run
    from sim.scenario.loading import load_scenario

_LAZY = {"load_scenario": "sim.scenario.loading", "run": "sim.api", "compare": "sim.api"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
