"""A results folder read back from disk: run.json, the CSV tables and timeseries.parquet.

Figures and the report are drawn from these files only, so `caseload plot DIR` redraws a folder
written by any command (run, compare, sweep, sensitivity, target) without simulating.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.scenario.errors import ScenarioError
from sim.scenario.loading import Scenario, scenario_from_data
from sim.analysis.tables import KEYS
from sim.runner.store import read_manifest


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
                scenarios.append(scenario_from_data(record["resolved"],
                                                    str(self.path / "run.json")))
            except (KeyError, TypeError, ValidationError, ScenarioError) as error:
                name = record.get("name", "?") if isinstance(record, dict) else "?"
                first = str(error).splitlines()[0]
                raise FolderError(f"{self.path / 'run.json'}: scenario {name!r} cannot be "
                                  f"read back: {first}") from None
        return scenarios

    @property
    def scenario_records(self) -> list[dict]:
        """run.json's record of each scenario (name, hash, resolved, sources, key_sources)."""
        return list(self.run.get("scenarios", []))

    @cached_property
    def listed(self) -> set[str] | None:
        """The files the folder's manifest lists as written by its batch; None without a
        manifest (a target search's folder, one built by hand) or with one that lists none."""
        manifest = read_manifest(self.path)
        return set(manifest.files) if manifest is not None and manifest.files else None

    def has(self, name: str) -> bool:
        """Whether the folder holds the file `name` as its batch wrote it: the file is there
        and the manifest, if it lists files, lists it (a file of that name it does not list is
        a user's, left there when the batch was replaced, and is not read)."""
        return (self.path / name).is_file() and (self.listed is None or name in self.listed)

    def table(self, name: str) -> pd.DataFrame | None:
        """The CSV `name` (e.g. "summary.csv") as a DataFrame, or None if absent (`has`)."""
        path = self.path / name
        if not self.has(name):
            return None
        try:
            return pd.read_csv(path)
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None

    def timeseries_columns(self) -> list[str] | None:
        """The column names of timeseries.parquet, or None if there is no timeseries.parquet."""
        import pyarrow.parquet as pq

        path = self.path / "timeseries.parquet"
        if not self.has(path.name):
            return None
        try:
            return list(pq.read_schema(path).names)
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None

    def replications(self, metrics: Sequence[str]) -> Iterator[pd.DataFrame]:
        """timeseries.parquet a few whole replications at a time, in file order: frames with the
        columns scenario, rep, day, date and `metrics` (those it has); none without the file.

        One row group is read at a time, so memory does not grow with the replications. The
        rows of a replication are consecutive (as `write_timeseries` writes them); one that
        runs on into the next row group is held back and joined to it, so no frame splits one.
        """
        import pyarrow.parquet as pq

        present = self.timeseries_columns()
        if present is None:
            return
        path = self.path / "timeseries.parquet"
        columns = [*KEYS, *(name for name in metrics if name in present)]
        held = None
        try:
            file = pq.ParquetFile(path)
            for group in range(file.num_row_groups):
                frame = file.read_row_group(group, columns=columns).to_pandas()
                if not len(frame):
                    continue
                if held is not None:
                    frame = pd.concat([held, frame], ignore_index=True)
                whole, held = _split_last_replication(frame)
                if len(whole):
                    yield whole
        except (OSError, ValueError) as error:
            raise FolderError(f"{path}: cannot read it: {error}") from None
        if held is not None and len(held):
            yield held

    def metric_values(self, metric: str) -> dict[str, tuple[Any, Any]] | None:
        """Scenario name -> (dates, array (replications, samples)) of one metric, from
        timeseries.parquet read a few replications at a time; None without it or the metric."""
        if metric not in (self.timeseries_columns() or []):
            return None
        blocks: dict[str, list[pd.DataFrame]] = {}
        dates: dict[str, list[pd.Series]] = {}
        for frame in self.replications([metric]):
            for name, rows in frame.groupby("scenario", sort=False):
                blocks.setdefault(str(name), []).append(
                    rows.pivot(index="rep", columns="day", values=metric))
                dates.setdefault(str(name), []).append(
                    rows.drop_duplicates("day").set_index("day")["date"])
        out = {}
        for name, parts in blocks.items():
            wide = pd.concat(parts).sort_index().sort_index(axis=1)
            when = pd.concat(dates[name])
            when = when[~when.index.duplicated()].loc[wide.columns]
            out[name] = (pd.to_datetime(when).to_numpy(), wide.to_numpy(dtype=float))
        return out


def _split_last_replication(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows of every replication but the frame's last, rows of its last replication)."""
    last = ((frame["scenario"] == frame["scenario"].iat[-1])
            & (frame["rep"] == frame["rep"].iat[-1])).to_numpy()
    return frame[~last].reset_index(drop=True), frame[last].reset_index(drop=True)
