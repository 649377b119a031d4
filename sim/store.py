"""The chunked results store: replications saved as they finish, read back in order.

On disk (a results folder):

    manifest.json                              what the chunks belong to (scenarios and their
                                               hashes, root seed, replications, metrics, chunk size)
    chunks/<scenario>/reps-000000-000009.npz   replications 0..9 of one scenario (inclusive)

Each chunk file holds `rep` (k,), `days` (n,), `values` (k, n, m) and `events` (k,) and is written
atomically, so an interrupted batch leaves only whole chunks behind (ready for resuming).
`MemoryStore` offers the same interface without files.
"""
from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from sim.files import atomic_path, write_text_atomic

FORMAT_VERSION = 1
CHUNK_NAME = re.compile(r"^reps-(\d{6,})-(\d{6,})\.npz$")


@dataclass(frozen=True)
class Chunk:
    """Consecutive replications of one scenario, stacked.

    rep: replication indices (k,), increasing.
    days: sample times, days since the scenario's start (n,); the same for every replication.
    values: metric samples (k, n, m), metrics in `sim.metrics.METRIC_NAMES` order.
    events: SimPy events processed per replication (k,).
    """

    scenario: str
    rep: np.ndarray
    days: np.ndarray
    values: np.ndarray
    events: np.ndarray

    @property
    def first(self) -> int:
        """The first replication index."""
        return int(self.rep[0])

    @property
    def last(self) -> int:
        """The last replication index (inclusive)."""
        return int(self.rep[-1])

    @classmethod
    def from_replications(cls, scenario: str, replications: Sequence, metrics: int) -> Chunk:
        """Stack `Replication`s (each with `rep`, `days`, `values` (n, m), `events`)."""
        if not replications:
            raise ValueError("a chunk needs at least one replication")
        days = np.asarray(replications[0].days, dtype=float)
        for replication in replications:
            _check_replication(scenario, replication, days, metrics)
        return cls(
            scenario=scenario,
            rep=np.array([r.rep for r in replications], dtype=np.int64),
            days=days,
            values=np.stack([np.asarray(r.values, dtype=float) for r in replications]),
            events=np.array([r.events for r in replications], dtype=np.int64),
        )

    @classmethod
    def concat(cls, chunks: Sequence[Chunk]) -> Chunk:
        """Join chunks of one scenario in replication order; they must not overlap."""
        chunks = sorted(chunks, key=lambda chunk: chunk.first)
        for before, after in itertools.pairwise(chunks):
            if after.first <= before.last:
                raise ValueError(f"{before.scenario}: chunks overlap at replication {after.first}")
            if not np.array_equal(before.days, after.days):
                raise ValueError(f"{before.scenario}: chunks sampled on different days")
        return cls(
            scenario=chunks[0].scenario,
            rep=np.concatenate([chunk.rep for chunk in chunks]),
            days=chunks[0].days,
            values=np.concatenate([chunk.values for chunk in chunks]),
            events=np.concatenate([chunk.events for chunk in chunks]),
        )


def _check_replication(scenario: str, replication, days: np.ndarray, metrics: int) -> None:
    values = np.asarray(replication.values)
    if values.shape != (len(days), metrics):
        raise ValueError(
            f"{scenario}: replication {replication.rep} returned values of shape {values.shape}, "
            f"expected ({len(days)}, {metrics})"
        )
    if not np.array_equal(np.asarray(replication.days, dtype=float), days):
        raise ValueError(f"{scenario}: replication {replication.rep} sampled on different days")


@dataclass(frozen=True)
class Manifest:
    """What a store's chunks belong to. `scenarios`: [{"name", "hash"}] in batch order."""

    scenarios: list[dict]
    seed: int
    reps: int
    metric_names: list[str]
    chunk_size: int
    format: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))


class MemoryStore:
    """Keeps chunks in memory (a batch without a results folder)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._chunks: dict[str, list[Chunk]] = {}

    def put(self, chunk: Chunk) -> None:
        """Keep a finished chunk."""
        self._chunks.setdefault(chunk.scenario, []).append(chunk)

    def load(self, scenario: str) -> Chunk:
        """All replications of `scenario`, in order; every replication must be present."""
        return _assemble(scenario, self._chunks.get(scenario, []), self.manifest.reps)


class FolderStore:
    """Chunks as .npz files under `root/chunks/<scenario>/`, described by `root/manifest.json`."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = Path(root)
        self.manifest = manifest

    @classmethod
    def create(cls, root: Path, manifest: Manifest) -> FolderStore:
        """Start a fresh store in `root`: chunks of an earlier batch there are removed."""
        root = Path(root)
        shutil.rmtree(root / "chunks", ignore_errors=True)
        write_text_atomic(root / "manifest.json", manifest.to_json())
        return cls(root, manifest)

    @classmethod
    def open(cls, root: Path) -> FolderStore:
        """An existing store, as described by its manifest.json."""
        root = Path(root)
        return cls(root, Manifest.from_json((root / "manifest.json").read_text(encoding="utf-8")))

    def chunk_path(self, scenario: str, first: int, last: int) -> Path:
        """Where replications `first`..`last` (inclusive) of `scenario` are saved."""
        return self.root / "chunks" / scenario / f"reps-{first:06d}-{last:06d}.npz"

    def put(self, chunk: Chunk) -> None:
        """Save a finished chunk atomically."""
        path = self.chunk_path(chunk.scenario, chunk.first, chunk.last)
        with atomic_path(path) as temp, open(temp, "wb") as file:
            np.savez(file, scenario=np.array(chunk.scenario), rep=chunk.rep, days=chunk.days,
                     values=chunk.values, events=chunk.events)

    def saved_ranges(self, scenario: str) -> list[tuple[int, int]]:
        """(first, last) replication ranges saved for `scenario`, in order."""
        folder = self.root / "chunks" / scenario
        if not folder.is_dir():
            return []
        found = (CHUNK_NAME.match(path.name) for path in folder.iterdir())
        return sorted((int(m[1]), int(m[2])) for m in found if m)

    def read_chunk(self, scenario: str, first: int, last: int) -> Chunk:
        """One saved chunk."""
        with np.load(self.chunk_path(scenario, first, last), allow_pickle=False) as data:
            return Chunk(scenario=str(data["scenario"]), rep=data["rep"], days=data["days"],
                         values=data["values"], events=data["events"])

    def load(self, scenario: str) -> Chunk:
        """All replications of `scenario`, in order; every replication must be present."""
        chunks = [self.read_chunk(scenario, *span) for span in self.saved_ranges(scenario)]
        return _assemble(scenario, chunks, self.manifest.reps)


def _assemble(scenario: str, chunks: Sequence[Chunk], reps: int) -> Chunk:
    """Join `chunks`; they must hold exactly replications 0..reps-1 of `scenario`."""
    whole = Chunk.concat(chunks) if chunks else None
    have = np.zeros(0, dtype=np.int64) if whole is None else whole.rep
    if not np.array_equal(have, np.arange(reps)):
        missing = sorted(set(range(reps)) - set(have.tolist()))
        raise ValueError(f"{scenario}: store holds {len(have)} replications, expected {reps} "
                         f"(missing {len(missing)}, first {missing[:1]})")
    return whole
