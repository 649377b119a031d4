"""Reading scenario files: TOML, `extends` (deep merge), dotted `--set` overrides.

Nothing here knows the scenario's keys except through the model class passed in, which is used
only to seed a table that an override reaches into but no file gave.
"""
from __future__ import annotations

import copy
import os
import stat
import tomllib
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import ScenarioError, is_model, split_type

SET = "<--set>"
WHOLE_TABLES = ("outcome", "next")   # probability tables: a later file replaces, never merges

Layer = tuple[str, dict]             # (file label, its own keys without `extends`)


MAX_FILE_BYTES = 1024 * 1024
"""Largest scenario file read (the bundled ones are under 10 KB)."""
MAX_DEPTH = 32
"""Deepest nesting of tables and lists in a scenario file or --set value (scenarios use 5)."""


def read_toml(label: str) -> dict:
    """The TOML file at `label` as a dict; any problem is a ScenarioError naming the file.

    Only a regular file of at most MAX_FILE_BYTES is read: a device, a FIFO or a huge file would
    block or fill the memory."""
    try:
        info = os.stat(label)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(label, "", "not a regular file; allowed: a scenario TOML file")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(label, "", f"{info.st_size} bytes is too large for a scenario "
                                           f"file; allowed: at most {MAX_FILE_BYTES} bytes")
        with open(label, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(label, "", "file not found") from None
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ScenarioError(label, "", f"cannot read the file: {reason}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(label, "", f"larger than {MAX_FILE_BYTES} bytes; allowed: at most "
                                       f"{MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(label, "", f"not UTF-8 text (byte {error.start})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(label, "", f"invalid TOML: {error}") from None
    except (ValueError, RecursionError) as error:
        raise ScenarioError(label, "", f"invalid TOML: {type(error).__name__}") from None
    if nesting_depth(data) > MAX_DEPTH:
        raise ScenarioError(label, "", f"tables or lists nested more than {MAX_DEPTH} deep; "
                                       f"allowed: at most {MAX_DEPTH}")
    return data


def nesting_depth(value: Any) -> int:
    """How deeply tables and lists nest in `value` (0 for a plain value), without recursion."""
    deepest = 0
    pending = [(value, 0)]
    while pending:
        node, depth = pending.pop()
        children = node.values() if isinstance(node, dict) else (
            node if isinstance(node, list) else None)
        if children is None:
            deepest = max(deepest, depth)
        else:
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _replaces(key_path: tuple[str, ...], old: dict, new: dict) -> bool:
    """A later table replaces the earlier one (rather than merging) if it is a probability
    table or a distribution of another kind."""
    if key_path[-1] in WHOLE_TABLES:
        return True
    return "dist" in old and "dist" in new and old["dist"] != new["dist"]


def deep_merge(base: dict, top: Mapping, path: tuple[str, ...] = ()) -> dict:
    """`top` over `base`: tables merge key by key, any other value is replaced."""
    merged = dict(base)
    for key, value in top.items():
        old = merged.get(key)
        here = (*path, key)
        if isinstance(value, dict) and isinstance(old, dict) and not _replaces(here, old, value):
            merged[key] = deep_merge(old, value, here)
        else:
            merged[key] = value
    return merged


def _extends_list(label: str, data: dict) -> list[str]:
    paths = data.pop("extends", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise ScenarioError(label, "extends", 'expected a list of file paths, '
                                              'e.g. extends = ["base.toml"]')
    for path in paths:
        if "\x00" in path:  # os.path functions raise ValueError on it
            raise ScenarioError(label, "extends", f"{path!r} is not a file path (it contains a "
                                                  "NUL character)")
    return paths


def resolve(label: str, chain: tuple[tuple[str, str], ...] = ()) -> list[Layer]:
    """The layers of `label` in merge order: its `extends` (recursively), then itself."""
    data = read_toml(label)
    paths = _extends_list(label, data)
    chain = (*chain, (os.path.realpath(label), label))
    layers: list[Layer] = []
    for relative in paths:
        child = os.path.normpath(os.path.join(os.path.dirname(label), relative))
        real = [r for r, _ in chain]
        if os.path.realpath(child) in real:
            names = [name for _, name in chain[real.index(os.path.realpath(child)):]]
            raise ScenarioError(label, "extends", "cyclic extends: " + " -> ".join([*names, child]))
        if not os.path.isfile(child):
            raise ScenarioError(label, "extends", f"file not found: {child}")
        layers.extend(resolve(child, chain))
    layers.append((label, data))
    return layers


def merge_layers(layers: list[Layer]) -> dict:
    """All layers deep-merged in order, as a fresh copy safe to modify."""
    merged: dict = {}
    for _, data in layers:
        merged = deep_merge(merged, data)
    return copy.deepcopy(merged)


# --- overrides -----------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def default_at(root: type[BaseModel], parts: list[str]) -> Any:
    """The default of the table or list at `parts` as plain dicts and lists; {} for a table
    with no default or a key the schema does not know; None for a plain value."""
    tp: Any = root
    for part in parts:
        bare = split_type(tp)[0]
        if is_model(bare) and part in bare.model_fields:
            info = bare.model_fields[part]
            tp, default = info.annotation, info.get_default(call_default_factory=True)
        elif typing.get_origin(bare) is dict:
            tp, default = typing.get_args(bare)[1], None
        else:
            return {}
    if isinstance(default, (BaseModel, dict, list, tuple)):
        return _plain(default)
    bare = split_type(tp)[0]
    return {} if is_model(bare) or typing.get_origin(bare) in (dict, list, tuple) else None


def split_key(key: str) -> list[str]:
    """'policy.0.count' -> ['policy', '0', 'count']; empty components are an error."""
    parts = str(key).strip().split(".")
    if not all(p.strip() for p in parts):
        raise ScenarioError(SET, str(key), "not a dotted key such as workforce.establishment")
    return [p.strip() for p in parts]


def _child(node: Any, part: str, key: str) -> tuple[Any, Any]:
    """(container, index) addressing `part` inside `node`."""
    if isinstance(node, list):
        if not part.isdigit():
            allowed = f"0 to {len(node) - 1}" if node else "none, the list is empty"
            raise ScenarioError(SET, key, f"'{part}' is not a list index; allowed: {allowed}")
        index = int(part)
        if index >= len(node):
            size = "1 entry" if len(node) == 1 else f"{len(node)} entries"
            raise ScenarioError(SET, key, f"index {index} is out of range; the list has {size}")
        return node, index
    if isinstance(node, dict):
        return node, part
    raise ScenarioError(SET, key, "reaches inside a value that is not a table or a list")


def apply_override(data: dict, key: str, value: Any, root: type[BaseModel]) -> None:
    """Set the dotted `key` in `data` to `value`, creating missing tables from the defaults."""
    parts = split_key(key)
    if parts[0] == "extends":
        raise ScenarioError(SET, key, "extends cannot be overridden; it is resolved first")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        container, index = _child(node, part, key)
        if isinstance(container, dict) and index not in container:
            container[index] = default_at(root, parts[: depth + 1])
            if container[index] is None:
                raise ScenarioError(SET, key, f"{'.'.join(parts[: depth + 1])} is a value, "
                                              "not a table or a list")
        node = container[index]
    container, index = _child(node, parts[-1], key)
    container[index] = copy.deepcopy(value)


def override_keys(overrides: Mapping[str, Any] | None) -> list[list[str]]:
    """The overrides' keys as lists of parts (for blaming errors on --set)."""
    return [str(key).strip().split(".") for key in (overrides or {})]


def parse_set_option(text: str) -> tuple[str, Any]:
    """'KEY=VALUE' -> (KEY, VALUE read as a TOML value, else the raw text)."""
    key, sep, raw = str(text).partition("=")
    if not sep or not key.strip():
        raise ScenarioError(SET, str(text), "expected KEY=VALUE, e.g. years=3")
    try:
        parsed = tomllib.loads("v = " + raw)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return key.strip(), raw
    if set(parsed) != {"v"}:
        return key.strip(), raw
    if nesting_depth(parsed["v"]) > MAX_DEPTH:
        raise ScenarioError(SET, key.strip(), f"value nested more than {MAX_DEPTH} deep; "
                                              f"allowed: at most {MAX_DEPTH}")
    return key.strip(), parsed["v"]


def lookup(data: Any, parts: list[str]) -> tuple[bool, Any]:
    """(True, value) at the dotted key `parts` of nested tables and lists (list items by
    number), else (False, None)."""
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False, None
    return True, data


def blame(key: list[str], layers: list[Layer], overridden: list[list[str]]) -> str:
    """The file that last set `key` or its closest enclosing table (or "<--set>"); the scenario
    file itself if none did."""
    for parts in overridden:
        n = min(len(parts), len(key))
        if key and parts[:n] == key[:n]:
            return SET
    for n in range(len(key), 0, -1):
        for label, data in reversed(layers):
            if lookup(data, key[:n])[0]:
                return label
    return layers[-1][0]
