"""Fuzzed scenario files and results folders: every mutation of a shipped file validates or exits 2
with one line; every mutated results folder is written without mixing runs or refused untouched.

Each shipped `.toml` under scenarios/ (tests/shipped.py lists them: a user's own files there
change nothing) is mutated deterministically (seeded): values of the wrong type, missing keys,
out-of-range, huge, infinite and NaN numbers, unicode keys and values, broken TOML text, bad bytes,
and cyclic, missing or malformed `extends`. `caseload validate` must exit 0 (valid) or 2 with one
line on stderr; never a traceback, never a hang. Most run in-process through `sim.cli.main.main`, a
sample through a real `python -m sim validate` subprocess.

Results folders are put in seeded random states (another program's files, with or without our
output names; symlinks where chunks or outputs go; a lost manifest; chunks of another seed;
locks of live, dead and unreadable writers; a second writer while one runs) before a batch
(`resume` or not) is run into them: it must either refuse, leaving every file that is not ours
byte-identical, or finish with exactly the uninterrupted run's results; it leaves no lock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from shipped import SHIPPED, shipped

from sim.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
IN_PROCESS = 600          # mutated files run through sim.cli.main.main
SUBPROCESS = 20           # of which this many also through `python -m sim validate`
SECONDS_PER_RUN = 20      # a run taking longer counts as a hang
SEED = 8


# --- writing TOML --------------------------------------------------------------------------------

def toml_value(value: Any) -> str:
    """`value` as a TOML value (tables inline)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else \
        json.dumps(key, ensure_ascii=False)


def toml_document(data: dict) -> str:
    return "".join(f"{toml_key(k)} = {toml_value(v)}\n" for k, v in data.items())


# --- mutations of the data -----------------------------------------------------------------------

WRONG_TYPES = ["text", True, False, 3, 2.5, [1, 2], {"a": 1}, dt.date(2016, 7, 1), [], {},
               ["a", {"b": 1}], dt.datetime(2016, 7, 1, 12, 0)]
BAD_NUMBERS = [-1, -1e9, 1e9, 10**19, -(10**19), 10**400, 1e308, math.inf, -math.inf, math.nan,
               0, 0.0, -0.0, 1.0000001, 1e-300, 36500.5, 10_000_001, 101, 5.0001]
UNICODE = ["ñandú", "😀" * 50, "\u202eevil", "a\u0000b", "\ufeffname", "Ω≈ç√", "\u0301", "名前",
           "x" * 20_000, ""]


def paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every key path inside `node` (dict keys and list indices), outermost first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from paths(value, (*prefix, index))


def parent_of(data: dict, path: tuple) -> Any:
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


def _replace(rng: random.Random, data: dict, path: tuple, choices: list) -> None:
    parent_of(data, path)[path[-1]] = rng.choice(choices)


def mutate_data(rng: random.Random, data: dict) -> dict:
    """One to three random edits of the parsed file."""
    for _ in range(rng.randint(1, 3)):
        every = [p for p in paths(data) if len(p) <= 8]  # not deep inside a deep mutant
        if not every:
            data["name"] = rng.choice(WRONG_TYPES)
            continue
        path = rng.choice(every)
        parent = parent_of(data, path)
        kind = rng.choice(["delete", "type", "number", "number", "unicode", "huge", "key",
                           "extends"])
        if kind == "delete":
            del parent[path[-1]]
        elif kind == "type":
            _replace(rng, data, path, WRONG_TYPES)
        elif kind == "number":
            numeric = [p for p in every if isinstance(parent_of(data, p)[p[-1]], (int, float))]
            _replace(rng, data, rng.choice(numeric or [path]), BAD_NUMBERS)
        elif kind == "unicode":
            _replace(rng, data, path, UNICODE)
        elif kind == "huge":
            _replace(rng, data, path, [list(range(20_000)), [1.5] * 12_000,
                                       _deep(rng.randint(20, 150)), "y" * 200_000])
        elif kind == "key" and isinstance(parent, dict):
            parent[rng.choice(UNICODE[:8]) + str(path[-1])] = parent.pop(path[-1])
        else:
            data["extends"] = rng.choice([["nowhere.toml"], "councils/x.toml", [1], [""], ["."],
                                          ["a\u0000b.toml"], [str(ROOT / "pyproject.toml")],
                                          ["../" * 30 + "etc/passwd"], [[]], [{"a": 1}]])
    return data


def _deep(depth: int) -> dict:
    node: dict = {"leaf": 1}
    for _ in range(depth):
        node = {"a": node}
    return node


# --- mutations of the text -----------------------------------------------------------------------

def mutate_text(rng: random.Random, text: str) -> bytes:
    """Broken TOML, bad bytes and other damage to the file's text."""
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(text) + 1)
    kind = rng.choice(["truncate", "delete", "insert", "duplicate", "colon", "bytes", "bom",
                       "nul", "empty", "garbage", "unclosed"])
    if kind == "truncate":
        out = text[:at]
    elif kind == "delete":
        out = text[:at] + text[at + 1:]
    elif kind == "insert":
        out = text[:at] + rng.choice('[]{}="\'#\n\\,.') + text[at:]
    elif kind == "duplicate" and lines:
        i = rng.randrange(len(lines))
        out = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
    elif kind == "colon":
        out = text.replace(" = ", ": ", 1 + at % 3)
    elif kind == "bytes":
        return text[:at].encode() + b"\xff\xfe\xc3" + text[at:].encode()
    elif kind == "bom":
        return b"\xef\xbb\xbf" + text.encode()
    elif kind == "nul":
        out = text[:at] + "\x00" + text[at:]
    elif kind == "empty":
        out = ""
    elif kind == "garbage":
        return bytes(rng.randrange(256) for _ in range(rng.randint(1, 400)))
    else:
        out = text + '\n[workforce\nname = "unterminated\n'
    return out.encode("utf-8", errors="surrogatepass")


# --- the mutated files ---------------------------------------------------------------------------

def cycle_files(rng: random.Random, folder: Path, index: int, data: dict) -> Path:
    """A file that extends itself, or two or three files that extend each other in a ring."""
    size = rng.randint(1, 3)
    names = [f"cycle-{index}-{i}.toml" for i in range(size)]
    for i, name in enumerate(names):
        ring = {**data, "extends": [names[(i + 1) % size]]}
        (folder / name).write_text(toml_document(ring), encoding="utf-8")
    return folder / names[0]


def mutants(workdir: Path, count: int, seed: int = SEED) -> list[Path]:
    """`count` mutated files beside copies of the shipped ones (so their `extends` resolve)."""
    copied = workdir / "scenarios"
    for name in SHIPPED:
        (copied / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCENARIOS / name, copied / name)
    originals = sorted(copied / name for name in SHIPPED)
    assert originals, "no scenario files shipped"
    out = []
    for index in range(count):
        rng = random.Random(seed * 1_000_003 + index)
        original = originals[index % len(originals)]
        text = original.read_text(encoding="utf-8")
        data = tomllib.loads(text)
        target = original.with_name(f"mutant-{index}.toml")
        choice = rng.random()
        if choice < 0.55:
            target.write_text(toml_document(mutate_data(rng, data)), encoding="utf-8")
        elif choice < 0.9:
            target.write_bytes(mutate_text(rng, text))
        else:
            target = cycle_files(rng, original.parent, index, data)
        out.append(target)
    return out


# --- running validate ----------------------------------------------------------------------------

class Hang(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def alarm(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def validate_in_process(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with time_limit(SECONDS_PER_RUN), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        code = main(["validate", str(path), "--json"])
    return code, out.getvalue(), err.getvalue()


def validate_subprocess(path: Path) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-m", "sim", "validate", str(path), "--json"],
                          check=False, cwd=path.parent, env=env, capture_output=True,
                          timeout=SECONDS_PER_RUN * 3)
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


def check(path: Path, run: Callable[[Path], tuple[int, str, str]]) -> tuple[int | None, str]:
    """validate's exit status for `path` and what is wrong with its answer ("" if nothing:
    valid with the resolved scenario as JSON, or exit 2 with one line on stderr)."""
    try:
        code, out, err = run(path)
    except Exception as error:  # noqa: BLE001 - any escaping exception is the finding
        return None, f"{path.name}: {type(error).__name__}: {error}"[:500]
    lines = err.splitlines()
    if "Traceback" in err:
        return code, f"{path.name}: traceback on stderr: {err[-400:]}"
    if code == 0:
        try:
            json.loads(out)
        except ValueError:
            return code, f"{path.name}: exit 0 without the resolved scenario as JSON"
        return code, ""
    if code != 2:
        return code, f"{path.name}: exit status {code}: {err[-400:]}"
    if len(lines) != 1 or not lines[0].startswith("error: "):
        return code, f"{path.name}: exit 2 with {len(lines)} lines on stderr: {err[:400]!r}"
    return code, ""


@pytest.fixture(scope="module")
def mutated(tmp_path_factory) -> list[Path]:
    return mutants(tmp_path_factory.mktemp("fuzz"), IN_PROCESS)


def test_the_shipped_files_are_fuzzed():
    files = shipped("*")
    assert all(f.is_file() for f in files)
    assert any(f.parent == SCENARIOS for f in files)
    assert any(f.parent.name == "councils" for f in files)


def test_mutations_are_deterministic(tmp_path):
    first = [p.read_bytes() for p in mutants(tmp_path / "a", 30)]
    second = [p.read_bytes() for p in mutants(tmp_path / "b", 30)]
    assert first == second


def test_every_mutated_file_validates_or_exits_2_with_one_line(mutated):
    results = [check(path, validate_in_process) for path in mutated]
    problems = [found for _, found in results if found]
    assert not problems, f"{len(problems)} of {len(mutated)}:\n" + "\n".join(problems[:20])
    # the fuzz is not all broken TOML: some mutants are still valid, most are rejected
    codes = [code for code, _ in results]
    assert codes.count(0) >= 20 and codes.count(2) >= len(mutated) // 2, (codes.count(0),
                                                                           codes.count(2))


def test_a_sample_of_mutated_files_through_the_real_command(mutated):
    rng = random.Random(SEED)
    sample = rng.sample(mutated, SUBPROCESS)
    problems = [found for path in sample if (found := check(path, validate_subprocess)[1])]
    assert not problems, "\n".join(problems)


def test_an_extends_path_with_a_nul_character_exits_2(tmp_path):
    """Found by the fuzz: os.path.realpath raised ValueError (a traceback) on such a path."""
    path = tmp_path / "scenario.toml"
    path.write_text('extends = ["a\\u0000b.toml"]\nname = "x"\n', encoding="utf-8")
    code, found = check(path, validate_in_process)
    assert (code, found) == (2, "")


# --- results folder states -----------------------------------------------------------------------

FOLDER_STATES = 40
FOREIGN_NAMES = ("notes.txt", "data.csv", "chunks/mine/table.npz",
                 "chunks/other/reps-000000-000000.npz", "sub/report.html")
OUTPUT_NAMES = ("summary.csv", "report.html", "run.json", "caseload.png", "design.csv",
                "manifest.json", "chunks/fake/reps-000000-000001.npz", "caseload-x.png")


@dataclass
class FolderState:
    """A results folder to run a batch into, and what the batch must then do."""

    out: Path
    user: dict[Path, bytes] = field(default_factory=dict)   # files that are not ours: kept
    refuse: list[str] = field(default_factory=list)           # why it must be refused
    steps: list[str] = field(default_factory=list)


def folder_fake_run(out: Path | None, seed: int = 4, **options):
    from fakes import FakeScenario, fake_replication

    import sim

    return sim.run(FakeScenario(), reps=10, seed=seed, workers=1, out=out, figures=False,
                   replicate=fake_replication, **options)


def put(state: FolderState, relative: str, content: bytes, root: Path | None = None) -> None:
    path = (root or state.out) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    state.user[path] = content


def folder_state(rng: random.Random, root: Path, foreign_chunks: Path) -> FolderState:
    """A random folder state under `root` (see the module's docstring)."""
    from sim.runner.store import LOCK

    state = FolderState(root / "out")
    base = rng.choice(["new", "empty", "ours", "ours", "partial", "partial", "foreign"])
    state.steps.append(base)
    if base in ("ours", "partial"):
        folder_fake_run(state.out)
        if base == "partial":
            for chunk in sorted(state.out.glob("chunks/fake/reps-*.npz"))[3:]:
                chunk.unlink()
    elif base != "new":
        state.out.mkdir(parents=True)
    if base == "foreign":
        for name in rng.sample(OUTPUT_NAMES + FOREIGN_NAMES, rng.randint(1, 4)):
            put(state, name, f"user file {name}".encode())
        state.refuse.append("not a caseload results folder")
    ours = base in ("ours", "partial")
    if ours and rng.random() < 0.4:
        state.steps.append("user files beside ours")
        for name in rng.sample(FOREIGN_NAMES, rng.randint(1, 3)):
            put(state, name, f"user file {name}".encode())
    if ours and rng.random() < 0.3:
        state.steps.append("manifest lost")
        (state.out / "manifest.json").unlink()
    if ours and rng.random() < 0.3:
        state.steps.append("a chunk of another seed")
        chunk = rng.choice(sorted(state.out.glob("chunks/fake/reps-*.npz")))
        shutil.copyfile(foreign_chunks / chunk.name, chunk)
    if base != "new" and rng.random() < 0.25:
        link = rng.choice(["chunks", "summary.csv", "chunks/fake",
                           "chunks/fake/reps-000008-000009.npz"])
        state.steps.append(f"symlink {link}")
        target = root / "elsewhere" / "target"
        put(state, "kept.bin", b"outside the results folder", root=target)
        path = state.out / link
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(target if not link.endswith((".csv", ".npz")) else target / "kept.bin")
        state.refuse.append("symlink")
    if base != "new" and rng.random() < 0.3:
        kind = rng.choice(["live", "dead", "unreadable", "this pid"])
        state.steps.append(f"{kind} lock")
        holder = {"live": os.getppid(), "dead": dead_pid(), "unreadable": None,
                  "this pid": os.getpid()}[kind]
        text = json.dumps({"pid": holder, "host": socket.gethostname()}) if holder else "{"
        (state.out / LOCK).write_text(text)
        if kind in ("live", "unreadable"):
            state.refuse.append("another")
    return state


def dead_pid() -> int:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    return int(finished.stdout)


def folder_problems(state: FolderState, resume: bool, clean: bytes) -> list[str]:
    """What the batch did wrong in `state` (empty if nothing)."""
    from sim.runner.store import LOCK, StoreMismatch

    problems = []
    try:
        folder_fake_run(state.out, resume=resume, report=lambda line: None)
        refused = None
    except StoreMismatch as error:
        refused = str(error)
        if "\n" in refused:
            problems.append(f"refusal of more than one line: {refused!r}")
    if state.refuse and (refused is None or not any(why in refused for why in state.refuse)):
        problems.append(f"not refused for any of {state.refuse} (got {refused!r})")
    if not state.refuse and refused is not None:
        problems.append(f"refused: {refused}")
    for path, content in state.user.items():
        if not path.is_file() or path.read_bytes() != content:
            problems.append(f"user file {path} changed or deleted")
    if refused is None and (state.out / "summary.csv").read_bytes() != clean:
        problems.append("summary.csv differs from the uninterrupted run's")
    if refused is None and (state.out / LOCK).exists():
        problems.append("lock left behind")
    return [f"{' + '.join(state.steps)}{' (resume)' if resume else ''}: {problem}"
            for problem in problems]


def test_every_folder_state_is_written_without_mixing_or_refused_untouched(tmp_path):
    clean = tmp_path / "clean"
    folder_fake_run(clean)
    folder_fake_run(tmp_path / "seed8", seed=8)
    rng = random.Random(SEED)
    problems, refused = [], 0
    for index in range(FOLDER_STATES):
        state = folder_state(rng, tmp_path / f"state{index}",
                             tmp_path / "seed8" / "chunks" / "fake")
        refused += bool(state.refuse)
        problems += folder_problems(state, rng.random() < 0.5, (clean / "summary.csv").read_bytes())
    assert not problems, "\n".join(problems)
    assert 5 <= refused <= FOLDER_STATES - 10, refused   # both outcomes are exercised


def test_a_second_writer_in_the_same_process_is_refused(tmp_path):
    from fakes import FakeScenario, fake_replication

    import sim
    from sim.runner.store import FolderRefused

    out, second = tmp_path / "out", []

    def replicate(scenario, rep, root_seed):
        if rep == 2:
            with pytest.raises(FolderRefused, match="another batch of this process"):
                folder_fake_run(out, seed=8)
            second.append(rep)
        return fake_replication(scenario, rep, root_seed)

    sim.run(FakeScenario(), reps=10, seed=4, workers=1, out=out, figures=False,
            replicate=replicate)
    assert second == [2]
    assert (out / "summary.csv").read_bytes() == folder_fake_run(tmp_path / "alone").out.joinpath(
        "summary.csv").read_bytes()
