"""Uncertain assumptions after the fact: each replication's drawn values (draws.csv) and which
assumption's draw explains most of the spread of an outcome across replications.

The spread explained is the squared Spearman rank correlation between a key's draws and the outcome
over a scenario's replications: the share of the outcome's rank variance that a monotone relation
with that one draw accounts for. It needs no model of how the keys combine, and is unchanged by
any monotone transformation of a draw or of the outcome.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

DRAWS_COLUMNS = ("scenario", "rep", "key", "value")
SPREAD_OUTCOME = "caseload_mean"
"""The outcome whose spread is explained: the average caseload at the horizon (the last year-end)."""
MIN_REPLICATIONS = 10
"""Fewest replications for a rank correlation worth showing."""


def draws_table(store: Any, scenarios: Sequence, reps: int) -> pd.DataFrame:
    """draws.csv: one row per (scenario, replication, uncertain key) with the value drawn."""
    frames = []
    for scenario in scenarios:
        for chunk in store.chunks(scenario.name, reps):
            for key, drawn in chunk.draws.items():
                frames.append(pd.DataFrame({"scenario": scenario.name, "rep": chunk.rep,
                                            "key": key, "value": drawn}))
    if not frames:
        return pd.DataFrame(columns=list(DRAWS_COLUMNS))
    return pd.concat(frames, ignore_index=True).sort_values(
        ["scenario", "key", "rep"], kind="stable", ignore_index=True)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their average rank."""
    return pd.Series(values).rank(method="average").to_numpy()


def spread_explained(draws: pd.DataFrame, outcomes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Columns `scenario, key, rank_correlation, share_explained`, each scenario's keys by share,
    largest first. outcomes: scenario -> the outcome of each replication (indexed by `rep`).
    Scenarios with fewer than MIN_REPLICATIONS replications or a constant outcome are left out."""
    rows = []
    for (name, key), group in draws.groupby(["scenario", "key"], sort=False):
        outcome = outcomes.get(str(name))
        if outcome is None:
            continue
        group = group[group["rep"] < len(outcome)]
        result = outcome[group["rep"].to_numpy()]
        if len(group) < MIN_REPLICATIONS or np.ptp(result) == 0:
            continue
        drawn = group["value"].to_numpy(dtype=float)
        rho = 0.0 if np.ptp(drawn) == 0 else float(
            np.corrcoef(_ranks(drawn), _ranks(result))[0, 1])
        rows.append({"scenario": str(name), "key": str(key), "rank_correlation": rho,
                     "share_explained": rho**2})
    table = pd.DataFrame(rows, columns=["scenario", "key", "rank_correlation", "share_explained"])
    return table.sort_values(["scenario", "share_explained"], ascending=[True, False],
                             kind="stable", ignore_index=True)
