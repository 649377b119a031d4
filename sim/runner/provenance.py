"""What a run was: resolved scenarios and their hashes, software versions, and run.json."""
from __future__ import annotations

import functools
import hashlib
import json
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sim.runner.files import write_text_atomic
from sim.scenario.comments import key_sources
from sim.scenario.uncertain import describe
from sim.version import __version__


def resolved(scenario: Any) -> dict:
    """The scenario as plain JSON data (after `extends` and overrides were applied)."""
    return scenario.model_dump(mode="json")


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: equal data give equal text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


SIM_ROOT = Path(__file__).resolve().parents[1]
MODEL_SOURCE_SUFFIXES = (".py", ".pyx", ".pxd")
"""The files a model fingerprint reads: Python sources and the compiled kernel's (its C twin of
`heaps.py`, its type declarations)."""


@functools.cache
def model_fingerprint(root: Path = SIM_ROOT) -> str:
    """"sha256:<hex>" of the model's sources (`model` and `scenario` under the package's `root`,
    every `.py` file's name and contents, and the compiled kernel's own sources, `.pyx` and
    `.pxd`): what makes a scenario's replications, beside the scenario itself. A store records
    it, so that replications another version made are never mixed with these."""
    digest = hashlib.sha256()
    for folder in ("model", "scenario"):
        for source in sorted(path for path in (root / folder).iterdir()
                             if path.suffix in MODEL_SOURCE_SUFFIXES):
            digest.update(f"{folder}/{source.name}\0".encode("utf-8"))
            digest.update(source.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def scenario_hash(scenario: Any) -> str:
    """"sha256:<hex>" of the scenario's canonical resolved JSON."""
    digest = hashlib.sha256(canonical_json(resolved(scenario)).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"


def scenario_record(scenario: Any) -> dict:
    """{"name", "hash", "resolved", "sources", "key_sources"} for run.json: `sources` are the
    files read (merge order), `key_sources` the file and source comment of each key a file set
    (`sim.scenario.comments.key_sources`), for the report's assumptions table; and, for a
    scenario with uncertain assumptions, "uncertain": {dotted key: its distribution in words}
    (`resolved` holds each as its table)."""
    data = resolved(scenario)
    files = list(getattr(scenario, "sources", []))
    record = {"name": scenario.name, "hash": scenario_hash(scenario), "resolved": data,
              "sources": files, "key_sources": key_sources(data, files)}
    uncertain = getattr(scenario, "uncertain", {})
    if uncertain:
        record["uncertain"] = {key: describe(dist) for key, (dist, _) in uncertain.items()}
    return record


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def software() -> dict:
    """Versions of the package, Python and the libraries that shape the numbers."""
    return {
        "caseload": __version__,
        "python": platform.python_version(),
        "numpy": _package_version("numpy"),
        "simpy": _package_version("simpy"),
        "pandas": _package_version("pandas"),
        "platform": platform.platform(),
    }


def git_commit(root: Path, paths: Sequence[str] = ()) -> str:
    """`git rev-parse --short HEAD` of the checkout at `root`, marked when tracked files (under
    `paths`, if given) have uncommitted changes; "unknown (not a git checkout)" outside one."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", *paths)
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit} (plus uncommitted changes)" if dirty else commit


def now_utc() -> str:
    """The current time, ISO 8601 in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def write_run_json(path: Path, record: dict) -> None:
    """Write `record` as run.json atomically (a reader sees the old or the new one, whole); dates
    (a swept `start`, say) as ISO 8601 text."""
    text = json.dumps(record, indent=2, ensure_ascii=False, default=_iso_date)
    write_text_atomic(Path(path), text + "\n")


def _iso_date(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
