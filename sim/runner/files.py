"""Atomic file writes: a reader never sees a half-written file, an interrupted write leaves none."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

_RECORDERS: dict[Path, Callable[[Path], None]] = {}
"""Folder (resolved) -> what to call with each file about to be written directly in it."""


class WriteFailed(Exception):
    """A results file could not be written (folder not writable, disk full): the message names the
    file and the reason on one line."""


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success move it onto `path` in one step.

    Write the file to the yielded path (any writer that takes a path; the temporary name keeps
    the suffix, so writers that infer the format from it still work). On an exception the
    temporary file is removed and `path` is left as it was; an OSError (no space left, no
    permission) becomes WriteFailed.
    """
    path = Path(path)
    temp = path.with_name(f".{path.stem}.tmp-{os.getpid()}{path.suffix}")  # keeps the suffix
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield temp
        record = _RECORDERS.get(path.parent.resolve())
        if record is not None:
            record(path)
        os.replace(temp, path)
    except OSError as error:
        raise WriteFailed(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        with suppress(OSError):  # e.g. the folder itself could not be made
            temp.unlink(missing_ok=True)


def record_writes(folder: Path, record: Callable[[Path], None]) -> None:
    """From now on, call `record(path)` before each atomic write of a file directly in `folder`
    takes effect (a results folder's manifest lists what was written, as it is written)."""
    _RECORDERS[Path(folder).resolve()] = record


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_path(path) as temp:
        temp.write_text(text, encoding="utf-8")
