"""Where each scenario figure comes from: the comment beside (or above) its key in the TOML files.

Scenario files say where every number comes from in a comment ("FACTS: ...", "DfE ...",
"assumption: ..."). tomllib drops comments, so they are read here line by line: the comment on a
key's line, else the comment lines directly above it. A key inside an inline table or an array
takes the comment of the line that sets it. Values never come from here (they come from the
resolved scenario); this module only says which file set a key and what its comment says.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.files import Layer, lookup, merge_layers, resolve

OVERRIDE = "override"   # the value differs from what the files give: --set or a sweep set it
PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""            # a bare or quoted key
HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*$")      # [table] or [[array.of.tables]]
KEY = re.compile(rf"^\s*({PART}(?:\s*\.\s*{PART})*)\s*=")      # key = or dotted.key =


def split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of one TOML line: the comment is the text after a `#` outside strings."""
    quote = ""
    i = 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:i], line[i + 1:].strip()
        i += 1
    return line, ""


def _parts(dotted: str) -> list[str]:
    """'a."b.c".d' -> ['a', 'b.c', 'd']."""
    found = re.findall(rf"\s*({PART})\s*(?:\.|$)", dotted)
    return [part[1:-1] if part[:1] in "\"'" else part for part in found]


def _open_brackets(code: str) -> int:
    """Brackets and braces opened minus closed in code without its strings."""
    bare = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'', "", code)
    return bare.count("[") + bare.count("{") - bare.count("]") - bare.count("}")


def key_comments(text: str) -> dict[str, str]:
    """Dotted key (as resolved: array-of-tables entries by index) -> its comment, for every key
    and table header of one TOML file that has one. A key line's own comment wins; else the
    unbroken block of comment lines directly above it."""
    comments: dict[str, str] = {}
    table: list[str] = []
    entries: dict[tuple[str, ...], int] = {}
    above: list[str] = []
    depth = 0
    for line in text.splitlines():
        code, comment = split_comment(line)
        if depth > 0:                       # inside a value that spans lines
            depth += _open_brackets(code)
            continue
        if not code.strip():
            above = [*above, comment] if comment else []
            continue
        header, key = HEADER.match(code), KEY.match(code)
        if header and not key:
            table = _parts(header.group(2))
            if header.group(1) == "[[":
                entries[tuple(table)] = entries.get(tuple(table), -1) + 1
            table = _indexed(table, entries)
            path = table
        elif key:
            path = [*table, *_parts(key.group(1))]
            depth = _open_brackets(code[key.end():])
        else:
            above = []
            continue
        text_of = comment or " ".join(above)
        if text_of:
            comments[".".join(path)] = text_of
        above = []
    return comments


def _indexed(table: list[str], entries: dict[tuple[str, ...], int]) -> list[str]:
    """A table path with the current entry index after each array-of-tables prefix."""
    out: list[str] = []
    for n, part in enumerate(table, start=1):
        out.append(part)
        if tuple(table[:n]) in entries:
            out.append(str(entries[tuple(table[:n])]))
    return out


def flatten(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of every leaf of resolved scenario data; a list of plain values is one
    leaf, a list of tables gives one key per entry index; None values (not set) are left out."""
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list) and any(isinstance(item, dict) for item in data):
        items = ((str(i), item) for i, item in enumerate(data))
    else:
        if data is not None:
            yield prefix, data
        return
    for key, value in items:
        yield from flatten(value, f"{prefix}.{key}" if prefix else str(key))


def _plain(value: Any) -> Any:
    """A TOML value as the resolved (JSON) scenario holds it, for comparison."""
    return json.loads(json.dumps(value, default=str))


def _nearest(comments: dict[str, str], parts: list[str]) -> str:
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in comments:
            return comments[".".join(parts[:n])]
    return ""


def _setter(parts: list[str], layers: list[Layer]) -> str | None:
    """The last file that gives the key itself; None if the key keeps its default (no file
    gives it, or a later file replaced the list holding it without it)."""
    for label, data in reversed(layers):
        for n in range(len(parts), 0, -1):
            found, value = lookup(data, parts[:n])
            if found and n == len(parts):
                return label
            if found and isinstance(value, list):
                return None
    return None


def files_only(layers: list[Layer]) -> dict:
    """The scenario the files alone give (no overrides), as resolved JSON with every default
    filled in; the merged files' own values if they are not a valid scenario by themselves."""
    from sim.scenario.loading import Scenario

    merged = merge_layers(layers)
    try:
        return Scenario.model_validate(merged).model_dump(mode="json")
    except ValueError:  # pydantic's ValidationError is a ValueError
        return _plain(merged)


def key_sources(resolved: dict, source_files: list[str]) -> dict[str, dict[str, str]] | None:
    """For each key of a resolved scenario that a file (or an override) sets: {"file", "comment"}.

    source_files: the scenario's files in merge order (`Scenario.sources`); the last is read with
    its `extends`. A key whose value differs from what the files alone give is marked "override"
    (set by --set or by a sweep) with no comment; keys no file sets (documented defaults) are
    left out. None when the scenario was built in code or its files can no longer be read.
    """
    try:
        layers = resolve(source_files[-1]) if source_files else None
    except ScenarioError:
        layers = None
    if layers is None:
        return None
    given = files_only(layers)
    comments = {label: key_comments(_file_text(label)) for label, _ in layers}
    out: dict[str, dict[str, str]] = {}
    for key, value in flatten(resolved):
        parts = key.split(".")
        found, from_files = lookup(given, parts)
        setter = _setter(parts, layers)
        if not found or not _equal(from_files, value):
            out[key] = {"file": OVERRIDE, "comment": ""}
        elif setter is not None:
            out[key] = {"file": setter, "comment": _nearest(comments[setter], parts)}
    return out


def _equal(given: Any, resolved: Any) -> bool:
    if isinstance(given, (int, float)) and isinstance(resolved, (int, float)):
        return float(given) == float(resolved)
    if isinstance(given, list) and isinstance(resolved, list):
        return len(given) == len(resolved) and all(map(_equal, given, resolved))
    if isinstance(given, dict) and isinstance(resolved, dict):
        return all(k in resolved and _equal(v, resolved[k]) for k, v in given.items())
    return given == resolved


def _file_text(label: str) -> str:
    with open(label, encoding="utf-8") as handle:
        return handle.read()
