"""A results folder read back from disk: run.json, the CSV tables and timeseries.parquet.

Figures and the report are drawn from these files only, so `caseload plot DIR` redraws a folder
written by any command (run, compare, sweep, sensitivity, target) without simulating.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.scenario import Scenario
from sim.tables import KEYS


class FolderError(Exception):
    """A results folder that cannot be read (no run.json, broken JSON, unreadable scenario)."""


@dataclass
class ResultsFolder:
    """The files of one results folder; a table is None when its file is absent."""

    path: Path
    run: dict = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path | str) -> ResultsFolder:
        """Read run.json of the folder at `path`; FolderError names what is wrong."""
        path = Path(path)
        if not path.is_dir():
            raise FolderError(f"{path}: not a folder; expected a results folder with run.json")
        try:
            run = json.loads((path / "run.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FolderError(f"{path}: no run.json; expected a results folder written by "
                              "caseload run, compare, sweep, sensitivity or target") from None
        except (OSError, ValueError) as error:
            raise FolderError(f"{path / 'run.json'}: cannot read it: {error}") from None
        if not isinstance(run, dict):
            raise FolderError(f"{path / 'run.json'}: expected a JSON object")
        return cls(path, run)

    @cached_property
    def scenarios(self) -> list[Scenario]:
        """The resolved scenarios recorded in run.json, in order (the first is the baseline)."""
        scenarios = []
        for record in self.run.get("scenarios", []):
            try:
                scenarios.append(Scenario.model_validate(record["resolved"]))
            except (KeyError, TypeError, ValidationError) as error:
                name = record.get("name", "?") if isinstance(record, dict) else "?"
                first = str(error).splitlines()[0]
                raise FolderError(f"{self.path / 'run.json'}: scenario {name!r} cannot be "
                                  f"read back: {first}") from None
        return scenarios

    @property
    def scenario_records(self) -> list[dict]:
        """run.json's record of each scenario (name, hash, resolved, sources, key_sources)."""
        return list(self.run.get("scenarios", []))

    def table(self, name: str) -> pd.DataFrame | None:
        """The CSV `name` (e.g. "summary.csv") as a DataFrame, or None if absent."""
        path = self.path / name
        if not path.is_file():
            return None
        try:
            return pd.read_csv(path)
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None

    def timeseries(self, metrics: list[str]) -> pd.DataFrame | None:
        """The columns scenario, rep, day, date and `metrics` of timeseries.parquet (those it
        has), or None if there is no timeseries.parquet."""
        import pyarrow.parquet as pq

        path = self.path / "timeseries.parquet"
        if not path.is_file():
            return None
        try:
            present = set(pq.read_schema(path).names)
            columns = [*KEYS, *(name for name in metrics if name in present)]
            return pd.read_parquet(path, columns=columns)
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None

    def metric_values(self, metric: str) -> dict[str, tuple[Any, Any]] | None:
        """Scenario name -> (dates, array (replications, samples)) of one metric, from
        timeseries.parquet; None without it."""
        frame = self.timeseries([metric])
        if frame is None or metric not in frame.columns:
            return None
        out = {}
        for name, rows in frame.groupby("scenario", sort=False):
            wide = rows.pivot(index="rep", columns="day", values=metric)
            dates = rows.drop_duplicates("day").set_index("day").loc[wide.columns, "date"]
            out[str(name)] = (pd.to_datetime(dates).to_numpy(), wide.to_numpy(dtype=float))
        return out
