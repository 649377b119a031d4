"""The chunked results store: replications saved as they finish, read back in order.

On disk (a results folder):

    manifest.json                              what the chunks belong to: scenarios (name, hash,
                                               seed), root seed, metrics, chunk size, replications,
                                               the model's fingerprint, and every other file the
                                               batch wrote there
    chunks/<scenario>/reps-000000-000009.npz   replications 0..9 of one scenario (inclusive)
    caseload.lock                              while a batch writes: its pid, host and start time

Each chunk file holds its identity (`scenario`, `hash` of the scenario, root `seed`, `rep` (k,)),
`days` (n,), `events` (k,), one (k, n) array per metric, named `metric.<name>`, so one metric
can be read without the others, and one (k,) array per uncertain assumption of the scenario, named
`draw.<dotted key>`: the value each replication drew (`sim.scenario.uncertain`). Files are
written atomically, so an interrupted batch leaves only whole chunks behind; `FolderStore.resume`
checks every chunk and removes damaged or foreign ones (truncated, not a zip, wrong contents,
another scenario or seed) so they are run again, and rebuilds a lost manifest from chunks that
carry its identity. A folder is written only if it is new, empty or ours (`claim_folder`);
replacing a batch deletes only the chunks and files its manifest lists, and no symlink in the
folder is followed. `MemoryStore` offers the same reading
interface without files.

Readers never need every replication in memory at once: `metric_values` gives one metric of one
scenario (replications x samples), `chunks` yields chunk by chunk.
"""
from __future__ import annotations

import itertools
import json
import os
import re
import socket
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

import numpy as np

from sim.runner.files import atomic_path, record_writes, write_text_atomic

FORMAT_VERSION = 3
"""3: chunks carry their scenario hash and root seed; the manifest lists the files written."""
MANIFEST = "manifest.json"
LOCK = "caseload.lock"
CHUNKS = "chunks"
CANDIDATES = "candidates"
"""A target search keeps one store per candidate in `candidates/<name>/`."""
CHUNK_NAME = re.compile(r"^reps-(\d{6,})-(\d{6,})\.npz$")
TEMP_CHUNK = re.compile(r"^\.reps-\d{6,}-\d{6,}\.tmp-\d+\.npz$")
METRIC_PREFIX = "metric."
DRAW_PREFIX = "draw."
FIGURES = ("caseload", "staffing", "unallocated", "costs", "comparison", "sweep", "sensitivity",
           "target")
OUTPUT_FILES = ("run.json", "timeseries.parquet", "summary.csv", "final.csv", "comparison.csv",
                "sweep.csv", "sensitivity.csv", "design.csv", "target.csv", "report.html", "draws.csv",
                "costs.csv", "results.xlsx",
                *(f"{name}.{kind}" for name in FIGURES for kind in ("png", "svg")))
"""Files a batch writes beside its chunks (none may be a symlink)."""

Report = Callable[[str], None]


class StoreMismatch(ValueError):
    """A results folder holds another batch (scenario, seed or metrics): it must not be mixed in."""


class FolderRefused(StoreMismatch):
    """A folder that is not ours to write (foreign files, a symlink, the current folder), or one
    that another run is writing."""


@dataclass(frozen=True)
class Chunk:
    """Consecutive replications of one scenario, stacked.

    rep: replication indices (k,), increasing.
    days: sample times, days since the scenario's start (n,); the same for every replication.
    values: metric samples (k, n, m), metrics in `sim.model.metrics.METRIC_NAMES` order.
    events: model events processed per replication (k,) (see `Replication.events`).
    draws: dotted key -> the value each replication drew for that uncertain assumption (k,);
    empty for a scenario of numbers only.
    """

    scenario: str
    rep: np.ndarray
    days: np.ndarray
    values: np.ndarray
    events: np.ndarray
    draws: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def first(self) -> int:
        """The first replication index."""
        return int(self.rep[0])

    @property
    def last(self) -> int:
        """The last replication index (inclusive)."""
        return int(self.rep[-1])

    def head(self, reps: int) -> Chunk:
        """Only the replications with index below `reps`."""
        keep = self.rep < reps
        if keep.all():
            return self
        return replace(self, rep=self.rep[keep], values=self.values[keep], events=self.events[keep],
                       draws={key: drawn[keep] for key, drawn in self.draws.items()})

    @classmethod
    def from_replications(cls, scenario: str, replications: Sequence, metrics: int,
                          draws: Sequence[dict[str, float]] = ()) -> Chunk:
        """Stack `Replication`s (each with `rep`, `days`, `values` (n, m), `events`) and, for a
        scenario with uncertain assumptions, each one's drawn values ({dotted key: value})."""
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
            draws={key: np.array([drawn[key] for drawn in draws], dtype=float)
                   for key in (draws[0] if draws else {})},
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
            draws={key: np.concatenate([chunk.draws[key] for chunk in chunks])
                   for key in chunks[0].draws},
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
    """What a store's chunks belong to.

    scenarios: [{"name", "hash", "seed"}] in batch order (`seed`: the root seed that scenario's
    replications use; the batch seed unless scenarios were given independent seeds).
    reps: replications asked for by the latest batch (a resumed batch may ask for more).
    files: names of the files the batch wrote beside its chunks, each recorded before it is
    written (replacing the batch deletes these and its chunks, nothing else).
    model: the fingerprint of the model's sources that made the replications
    (`sim.runner.provenance.model_fingerprint`; "" in a store written before it was recorded):
    a batch of another model does not continue them.
    """

    scenarios: list[dict]
    seed: int
    reps: int
    metric_names: list[str]
    chunk_size: int
    independent: bool = False
    format: int = FORMAT_VERSION
    files: list[str] = field(default_factory=list)
    model: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        return cls(**json.loads(text))

    def identity(self, scenario: str) -> dict | None:
        """{"name", "hash", "seed"} of `scenario` in this batch (None if not in it)."""
        return next((entry for entry in self.scenarios if entry["name"] == scenario), None)

    def mismatch(self, stored: Manifest) -> str | None:
        """Why chunks made under `stored` cannot be part of this batch (None if they can)."""
        if stored.format != self.format:
            return f"it was written in store format {stored.format}, this version writes {self.format}"
        if list(stored.metric_names) != list(self.metric_names):
            return "it records a different set of metrics (another version of caseload)"
        names, stored_names = [s["name"] for s in self.scenarios], [s["name"] for s in stored.scenarios]
        if names != stored_names:
            return f"it holds scenarios {stored_names}, not {names}"
        for mine, theirs in zip(self.scenarios, stored.scenarios):
            if mine["hash"] != theirs["hash"]:
                return (f"scenario {mine['name']!r} differs from the stored one (another file "
                        f"or other --set values)")
        if stored.seed != self.seed:
            return f"it was run with seed {stored.seed}, not {self.seed}"
        if stored.model != self.model:
            return ("its replications were made by another version of the model (its sources "
                    "differ from this one's)")
        if stored.independent != self.independent:
            return ("it was run with independent random numbers per scenario"
                    if stored.independent else "it was run with common random numbers")
        return None


def chunk_file_name(first: int, last: int) -> str:
    """File name of replications `first`..`last` (inclusive)."""
    return f"reps-{first:06d}-{last:06d}.npz"


class _Reader(ABC):
    """Reading a store without holding every replication: subclasses give spans and chunks."""

    manifest: Manifest

    @abstractmethod
    def spans(self, scenario: str) -> list[tuple[int, int]]:
        """(first, last) replications of each stored chunk of `scenario`, in order."""

    @abstractmethod
    def read_chunk(self, scenario: str, first: int, last: int) -> Chunk:
        """The stored chunk of replications `first`..`last`."""

    @abstractmethod
    def read_metric(self, scenario: str, first: int, last: int, metric: str) -> np.ndarray:
        """One metric of a stored chunk, shape (replications, samples)."""

    def read_events(self, scenario: str, first: int, last: int) -> np.ndarray:
        return self.read_chunk(scenario, first, last).events

    def covering(self, scenario: str, reps: int | None = None) -> list[tuple[int, int]]:
        """The saved spans holding replications 0..reps-1 of `scenario`, in order.

        Raises ValueError naming the first missing replication if any is not saved.
        """
        reps = self.manifest.reps if reps is None else reps
        needed, next_rep = [], 0
        for first, last in self.spans(scenario):
            if next_rep >= reps:
                break
            if first == next_rep:
                needed.append((first, last))
                next_rep = last + 1
            elif first > next_rep:
                break
        if next_rep < reps:
            have = np.zeros(reps, dtype=bool)
            for first, last in self.spans(scenario):
                have[first:last + 1] = True
            raise ValueError(f"{scenario}: store holds {int(have.sum())} replications, expected "
                             f"{reps} (missing {int((~have).sum())}, first [{next_rep}])")
        return needed

    def chunks(self, scenario: str, reps: int | None = None) -> Iterator[Chunk]:
        """Chunks holding replications 0..reps-1 of `scenario`, in order, one at a time."""
        reps = self.manifest.reps if reps is None else reps
        for first, last in self.covering(scenario, reps):
            yield self.read_chunk(scenario, first, last).head(reps)

    def load(self, scenario: str, reps: int | None = None) -> Chunk:
        """All replications 0..reps-1 of `scenario` in one chunk (in memory: for small batches)."""
        return Chunk.concat(list(self.chunks(scenario, reps)))

    def metric_values(self, scenario: str, metric: str, reps: int | None = None) -> np.ndarray:
        """One metric of replications 0..reps-1: an array (reps, samples)."""
        reps = self.manifest.reps if reps is None else reps
        parts = [self.read_metric(scenario, first, last, metric)[: max(0, reps - first)]
                 for first, last in self.covering(scenario, reps)]
        return np.concatenate(parts)

    def values_at(self, scenario: str, samples: Sequence[int], reps: int | None = None
                  ) -> np.ndarray:
        """Every metric at the given sample positions: an array (reps, len(samples), metrics)."""
        index = list(samples)
        return np.concatenate([chunk.values[:, index, :] for chunk in self.chunks(scenario, reps)])

    def days(self, scenario: str) -> np.ndarray:
        """Sample times of `scenario` (days since its start)."""
        spans = self.spans(scenario)
        if not spans:
            raise ValueError(f"{scenario}: store holds no replications")
        return self.read_chunk(scenario, *spans[0]).days

    def events(self, scenario: str, reps: int | None = None) -> int:
        """SimPy events of replications 0..reps-1, summed."""
        reps = self.manifest.reps if reps is None else reps
        return int(sum(self.read_events(scenario, first, last)[: max(0, reps - first)].sum()
                       for first, last in self.covering(scenario, reps)))


class MemoryStore(_Reader):
    """Keeps chunks in memory (a batch without a results folder)."""

    def __init__(self, manifest: Manifest) -> None:
        self.manifest = manifest
        self._chunks: dict[str, dict[tuple[int, int], Chunk]] = {}

    def put(self, chunk: Chunk) -> None:
        """Keep a finished chunk."""
        self._chunks.setdefault(chunk.scenario, {})[(chunk.first, chunk.last)] = chunk

    def spans(self, scenario: str) -> list[tuple[int, int]]:
        return sorted(self._chunks.get(scenario, {}))

    def read_chunk(self, scenario: str, first: int, last: int) -> Chunk:
        return self._chunks[scenario][(first, last)]

    def read_metric(self, scenario: str, first: int, last: int, metric: str) -> np.ndarray:
        column = self.manifest.metric_names.index(metric)
        return self._chunks[scenario][(first, last)].values[:, :, column]


class FolderStore(_Reader):
    """Chunks as .npz files under `root/chunks/<scenario>/`, described by `root/manifest.json`."""

    def __init__(self, root: Path, manifest: Manifest) -> None:
        self.root = Path(root)
        self.manifest = manifest

    @classmethod
    def create(cls, root: Path, manifest: Manifest) -> FolderStore:
        """Start a fresh store in `root` (new, empty or ours, else FolderRefused): the chunks and
        files an earlier batch's manifest lists are removed, nothing else."""
        root = Path(root)
        claim_folder(root)
        root.mkdir(parents=True, exist_ok=True)
        earlier = read_manifest(root)
        if earlier is not None:
            _remove_batch(root, earlier)
        else:
            for path in _chunk_files(root):
                if chunk_identity(path) is not None:
                    path.unlink()
        return cls._started(root, manifest)

    @classmethod
    def _started(cls, root: Path, manifest: Manifest) -> FolderStore:
        """The store of `manifest` in `root`, its manifest written, recording what is written."""
        write_text_atomic(root / MANIFEST, manifest.to_json())
        list_writes(root)
        return cls(root, manifest)

    @classmethod
    def open(cls, root: Path) -> FolderStore:
        """An existing store, as described by its manifest.json."""
        root = Path(root)
        return cls(root, Manifest.from_json((root / MANIFEST).read_text(encoding="utf-8")))

    @classmethod
    def resume(cls, root: Path, manifest: Manifest, report: Report | None = None) -> FolderStore:
        """The store in `root`, to be continued by a batch described by `manifest`.

        Refuses (StoreMismatch) a store of other scenarios, another seed or other metrics, and
        (FolderRefused) a folder that is not ours. Keeps the stored chunk size; checks every
        chunk and deletes damaged or foreign ones (reported), so they are run again. A folder
        whose manifest is lost but whose chunks say what they are gets the manifest back
        (reported); a folder without a store starts a fresh one.
        """
        root = Path(root)
        claim_folder(root)
        path = root / MANIFEST
        if not path.is_file():
            found = [chunk_identity(chunk) for chunk in _chunk_files(root)]
            if not any(found):
                return cls.create(root, manifest)
            if not any(identity in manifest.scenarios for identity in found):
                raise StoreMismatch(f"{root}: cannot resume: manifest.json is missing and no "
                                    "chunk here belongs to this scenario and seed; use another "
                                    "--out, or run without --resume to replace these results")
            if report:
                report(f"{path}: missing; rebuilt from the chunks, which record their scenario "
                       "and seed (chunks of another run are deleted and run again)")
            store = cls._started(root, manifest)
        else:
            try:
                stored = Manifest.from_json(path.read_text(encoding="utf-8"))
            except (ValueError, TypeError) as error:
                raise StoreMismatch(f"{root}: manifest.json is not a caseload store manifest "
                                    f"({error}); use another --out") from None
            reason = manifest.mismatch(stored)
            if reason:
                raise StoreMismatch(f"{root}: cannot resume: {reason}; use another --out, or "
                                    f"run without --resume to replace these results")
            store = cls._started(root, replace(manifest, chunk_size=stored.chunk_size,
                                               files=stored.files))
        for scenario in manifest.scenarios:
            store.discard_damaged(scenario["name"], report)
        return store

    def chunk_path(self, scenario: str, first: int, last: int) -> Path:
        """Where replications `first`..`last` (inclusive) of `scenario` are saved."""
        return self.root / CHUNKS / scenario / chunk_file_name(first, last)

    def put(self, chunk: Chunk) -> None:
        """Save a finished chunk atomically."""
        path = self.chunk_path(chunk.scenario, chunk.first, chunk.last)
        identity = self.manifest.identity(chunk.scenario)
        arrays = {f"{METRIC_PREFIX}{name}": chunk.values[:, :, i]
                  for i, name in enumerate(self.manifest.metric_names)}
        arrays.update({f"{DRAW_PREFIX}{key}": drawn for key, drawn in chunk.draws.items()})
        with atomic_path(path) as temp, open(temp, "wb") as file:
            np.savez(file, scenario=np.array(chunk.scenario), hash=np.array(identity["hash"]),
                     seed=np.array(identity["seed"]), rep=chunk.rep, days=chunk.days,
                     events=chunk.events, **arrays)

    def spans(self, scenario: str) -> list[tuple[int, int]]:
        """(first, last) replication ranges saved for `scenario`, in order."""
        folder = self.root / CHUNKS / scenario
        if not folder.is_dir():
            return []
        found = (CHUNK_NAME.match(path.name) for path in folder.iterdir())
        return sorted((int(m[1]), int(m[2])) for m in found if m)

    def read_chunk(self, scenario: str, first: int, last: int) -> Chunk:
        """One saved chunk."""
        with np.load(self.chunk_path(scenario, first, last), allow_pickle=False) as data:
            values = np.stack([data[f"{METRIC_PREFIX}{name}"] for name in self.manifest.metric_names],
                              axis=-1)
            return Chunk(scenario=str(data["scenario"]), rep=data["rep"], days=data["days"],
                         values=values, events=data["events"],
                         draws={name.removeprefix(DRAW_PREFIX): data[name]
                                for name in data.files if name.startswith(DRAW_PREFIX)})

    def read_metric(self, scenario: str, first: int, last: int, metric: str) -> np.ndarray:
        """One metric of one saved chunk: (k, samples); only that metric is read from disk."""
        with np.load(self.chunk_path(scenario, first, last), allow_pickle=False) as data:
            return data[f"{METRIC_PREFIX}{metric}"]

    def read_events(self, scenario: str, first: int, last: int) -> np.ndarray:
        with np.load(self.chunk_path(scenario, first, last), allow_pickle=False) as data:
            return data["events"]

    def discard_damaged(self, scenario: str, report: Report | None = None) -> list[Path]:
        """Delete chunks of `scenario` that cannot be read whole, do not fit the manifest or
        belong to another run (another scenario hash or seed).

        Also deletes temporary files of interrupted writes and chunks overlapping an earlier
        one. Each deleted chunk is reported. Returns the deleted chunk paths.
        """
        folder = self.root / CHUNKS / scenario
        if not folder.is_dir():
            return []
        for temp in folder.glob(".*.tmp-*"):
            temp.unlink(missing_ok=True)
        deleted, days, next_free = [], None, 0
        for first, last in self.spans(scenario):
            path = self.chunk_path(scenario, first, last)
            problem, chunk_days = _chunk_problem(path, self.manifest.identity(scenario), first,
                                                 last, self.manifest.metric_names)
            if problem is None and days is not None and not np.array_equal(days, chunk_days):
                problem = "its sample days differ from the other chunks'"
            if problem is None and first < next_free:
                problem = "it overlaps an earlier chunk"
            if problem is None:
                days = chunk_days if days is None else days
                next_free = last + 1
                continue
            path.unlink(missing_ok=True)
            deleted.append(path)
            if report:
                report(f"{path}: {problem}; deleted, its replications will be run again")
        return deleted


def _chunk_problem(path: Path, identity: dict, first: int, last: int,
                   metric_names: Sequence[str]) -> tuple[str | None, np.ndarray | None]:
    """(what is wrong with a chunk file or None, its sample days). `identity`: {"name", "hash",
    "seed"} of the scenario it should belong to. Reads every array whole, so a truncated or
    corrupted file (bad zip, failed CRC) is caught."""
    members = {"scenario", "hash", "seed", "rep", "days", "events",
               *(f"{METRIC_PREFIX}{name}" for name in metric_names)}
    try:
        with np.load(path, allow_pickle=False) as data:
            draws = [name for name in data.files if name.startswith(DRAW_PREFIX)]
            if set(data.files) - set(draws) != members:
                return "it does not hold the expected arrays", None
            if str(data["scenario"]) != identity["name"]:
                return f"it belongs to scenario {str(data['scenario'])!r}", None
            if str(data["hash"]) != identity["hash"] or int(data["seed"]) != identity["seed"]:
                return (f"it belongs to another run (seed {int(data['seed'])}, scenario hash "
                        f"{str(data['hash'])[:12]})"), None
            if not np.array_equal(data["rep"], np.arange(first, last + 1)):
                return "its replication indices do not match its name", None
            days = data["days"]
            shape = (last - first + 1, len(days))
            if data["events"].shape != shape[:1]:
                return "its events array has the wrong shape", None
            if any(data[name].shape != shape[:1] for name in draws):
                return "a draws array has the wrong shape", None
            for name in metric_names:
                if data[f"{METRIC_PREFIX}{name}"].shape != shape:
                    return f"its {name} array has the wrong shape", None
            return None, days
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        return f"it is damaged ({type(error).__name__}: {error})", None


def chunk_identity(path: Path) -> dict | None:
    """{"name", "hash", "seed"} recorded in a chunk file, or None if it records none."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return {"name": str(data["scenario"]), "hash": str(data["hash"]),
                    "seed": int(data["seed"])}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None


def read_manifest(root: Path) -> Manifest | None:
    """The manifest of the store in `root`, or None if it has none that caseload wrote."""
    path = Path(root) / MANIFEST
    if path.is_symlink() or not path.is_file():
        return None
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return None


def _plain_name(name: object) -> bool:
    """A file name with no folder part (nothing a manifest lists may point elsewhere)."""
    return isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name


def _chunk_files(root: Path) -> Iterator[Path]:
    """Regular files named like chunks under `root/chunks/<scenario>/` (links not followed)."""
    chunks = Path(root) / CHUNKS
    if chunks.is_symlink() or not chunks.is_dir():
        return
    for folder in sorted(chunks.iterdir()):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if CHUNK_NAME.match(path.name) and not path.is_symlink() and path.is_file():
                yield path


def _remove_batch(root: Path, manifest: Manifest) -> None:
    """Delete the chunks (and temporary chunk files) of `manifest`'s scenarios and the files it
    lists; folders left empty go too. Links are not followed; nothing else is touched."""
    for entry in manifest.scenarios:
        folder = root / CHUNKS / str(entry.get("name"))
        if not _plain_name(entry.get("name")) or folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.iterdir():
            ours = CHUNK_NAME.match(path.name) or TEMP_CHUNK.match(path.name)
            if ours and not path.is_symlink() and path.is_file():
                path.unlink()
        with suppress(OSError):
            folder.rmdir()
    with suppress(OSError):
        (root / CHUNKS).rmdir()
    for name in manifest.files:
        path = root / name
        if _plain_name(name) and name != MANIFEST and not path.is_symlink() and path.is_file():
            path.unlink()


def list_writes(root: Path) -> None:
    """From now on, each file this process writes directly in `root` (atomically) is first added
    to the files its manifest lists, if it has one (so replacing the batch removes it too)."""
    record_writes(root, lambda path: _record_file(root, path.name))


def _record_file(root: Path, name: str) -> None:
    """Add `name` to the files listed by `root`'s manifest (before it is written)."""
    manifest = read_manifest(root)
    if name == MANIFEST or manifest is None or name in manifest.files:
        return
    write_text_atomic(root / MANIFEST, replace(manifest, files=[*manifest.files, name]).to_json())


def check_out_path(root: Path) -> None:
    """FolderRefused if `root` is the current folder or one above it (`--out ""`, `.`, `..`)."""
    resolved, here = Path(root).resolve(), Path.cwd().resolve()
    if resolved == here or resolved in here.parents:
        raise FolderRefused(f"{str(root) or '.'!r} is the current folder or one above it; "
                            "results go into a folder of their own: choose another --out")


def claim_folder(root: Path) -> None:
    """FolderRefused unless `root` may be written: new, empty (but for a lock) or a results
    folder caseload wrote (its manifest, chunks that record their identity, or the candidate
    stores of a target search), with no symlink where results or chunks go."""
    root = Path(root)
    check_out_path(root)
    if not root.exists() and not root.is_symlink():
        return
    if not root.is_dir():
        raise FolderRefused(f"{root}: not a folder; choose another --out")
    for name in (CHUNKS, MANIFEST, LOCK, *OUTPUT_FILES):
        _refuse_link(root / name)
    chunks = root / CHUNKS
    if chunks.is_dir():
        for folder in chunks.iterdir():
            _refuse_link(folder)
            if folder.is_dir():
                for path in folder.iterdir():
                    _refuse_link(path)
    names = sorted(name for name in os.listdir(root) if name != LOCK)
    if names and not _ours(root):
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        raise FolderRefused(f"{root}: not a caseload results folder (it holds {shown}); results "
                            "go only into a new or empty folder or one caseload wrote: choose "
                            "another --out")


def _refuse_link(path: Path) -> None:
    if path.is_symlink():
        raise FolderRefused(f"{path}: a symlink; caseload neither writes nor deletes through "
                            "links in a results folder: remove it or choose another --out")


def _ours(root: Path) -> bool:
    """Whether `root` holds a results folder caseload wrote."""
    if read_manifest(root) is not None:
        return True
    if any(chunk_identity(path) is not None for path in _chunk_files(root)):
        return True
    candidates = root / CANDIDATES
    return (candidates.is_dir() and not candidates.is_symlink()
            and any(read_manifest(folder) is not None for folder in candidates.iterdir()))


def clear_candidates(root: Path) -> None:
    """Remove the candidate stores of an earlier target search in `root` (each only what its
    manifest lists; anything else stays)."""
    candidates = Path(root) / CANDIDATES
    if candidates.is_symlink() or not candidates.is_dir():
        return
    for folder in candidates.iterdir():
        manifest = None if folder.is_symlink() else read_manifest(folder)
        if manifest is not None:
            _remove_batch(folder, manifest)
            (folder / MANIFEST).unlink()
            with suppress(OSError):
                folder.rmdir()
    with suppress(OSError):
        candidates.rmdir()


class WriterLock:
    """`caseload.lock` in a results folder while a batch writes it, holding the writer's pid, host
    and start time: one writer at a time. Entering claims the folder (`claim_folder`) and refuses
    (FolderRefused) a folder another writer holds, in this process or a live one; a lock left
    by a process of this host that is no longer running (or by an earlier process that had this
    one's pid) is taken over, and that is reported. Leaving (normally, on Ctrl-C or an error)
    removes the lock.
    """

    _held: ClassVar[set[Path]] = set()
    """Resolved lock paths held by this process."""

    def __init__(self, root: Path, report: Report | None = None) -> None:
        self.root, self.path, self.report = Path(root), Path(root) / LOCK, report
        self.record = {"pid": os.getpid(), "host": socket.gethostname(),
                       "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        self.key: Path | None = None

    def __enter__(self) -> WriterLock:
        claim_folder(self.root)
        self.root.mkdir(parents=True, exist_ok=True)
        key = self.path.resolve()
        if key in WriterLock._held:
            raise FolderRefused(f"{self.root}: another batch of this process is writing this "
                                "folder; choose another --out")
        for _ in range(2):
            if self._create():
                self.key = key
                WriterLock._held.add(key)
                return self
            holder = self._holder()
            if holder is None or not self._stale(holder):
                break
            if self.report:
                self.report(f"{self.path}: taking over the lock of process {holder['pid']} on "
                            f"{holder['host']} (started {holder.get('started', '?')}), which "
                            "is no longer running")
            self.path.unlink(missing_ok=True)
        raise FolderRefused(self._refusal(self._holder()))

    def __exit__(self, *exc) -> None:
        if self.key is None:
            return
        if self._holder() == self.record:
            self.path.unlink(missing_ok=True)
        WriterLock._held.discard(self.key)
        self.key = None

    def _create(self) -> bool:
        """Make the lock file if there is none (in one step); whether it was made."""
        try:
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(self.record, file)
        return True

    def _holder(self) -> dict | None:
        """The lock file's record, or None if unreadable (or being written)."""
        try:
            holder = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = (isinstance(holder, dict) and type(holder.get("pid")) is int and holder["pid"] > 0
              and isinstance(holder.get("host"), str))
        return holder if ok else None

    def _stale(self, holder: dict) -> bool:
        """A lock of this host whose process is no longer running (this process holds none
        here, so a lock with its pid is an earlier process's)."""
        if holder["host"] != self.record["host"]:
            return False
        if holder["pid"] == self.record["pid"]:
            return True
        try:
            os.kill(holder["pid"], 0)
        except ProcessLookupError:
            return True
        except (PermissionError, OverflowError):
            return False
        return False

    def _refusal(self, holder: dict | None) -> str:
        if holder is None:
            return (f"{self.path}: another run is writing this folder (its lock cannot be read); "
                    f"if none is, delete {self.path}, or choose another --out")
        return (f"{self.root}: another caseload run is writing this folder (process "
                f"{holder['pid']} on {holder['host']}, started {holder.get('started', '?')}); "
                "wait for it to finish or choose another --out")
