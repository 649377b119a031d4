"""Scenario errors: one line naming the file, the dotted key and what is allowed.

`ScenarioError` is what the loader raises for every kind of bad input; `error_from_validation`
turns pydantic's `ValidationError` into one, phrased for someone editing a TOML file.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
import operator
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

WRONG_TYPE = {
    "float": "a number", "int": "a whole number", "bool": "true or false", "string": "a string",
    "date": "a date such as 2016-07-01", "list": "a list", "tuple": "a list", "dict": "a table",
    "model": "a table", "model_attributes": "a table", "dataclass": "a table",
}
RANK = {"extra_forbidden": 0, "union_tag_invalid": 1, "union_tag_not_found": 1,
        "literal_error": 1, "missing": 3}


def one_line(text: str) -> str:
    """`text` with every run of whitespace (newlines included) collapsed to one space."""
    return " ".join(str(text).split())


class ScenarioError(Exception):
    """A bad scenario: `file` (path, "<--set>" or "<overrides>"), dotted `key` ("" = whole file)."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = one_line(str(file))
        self.key = one_line(key)
        self.message = one_line(message)
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [self.file, self.key, self.message] if self.key else [self.file, self.message]
        return ": ".join(parts)

    def __reduce__(self) -> tuple:
        return (type(self), (self.file, self.key, self.message))


class FieldProblem(ValueError):
    """Raised by validators: a problem at `key`, dotted and relative to the model validated."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def show(value: Any) -> str:
    """A value as a TOML user would recognise it, short."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a table"
    elif isinstance(value, (list, tuple)):
        text = "a list"
    elif isinstance(value, (dt.date, dt.datetime, dt.time)):
        text = value.isoformat()
    else:
        text = str(value)
    text = one_line(text)
    return text if len(text) <= 60 else text[:57] + "..."


def suggest(name: str, allowed: Sequence[str], what: str = "key") -> str:
    """'unknown key; did you mean ...?' or, with no close match, the allowed names."""
    close = difflib.get_close_matches(str(name), list(allowed), n=1, cutoff=0.6)
    if close:
        return f"unknown {what}; did you mean '{close[0]}'?"
    return f"unknown {what}; allowed: {', '.join(allowed) or 'none'}"


# --- walking the model classes along a pydantic error location --------------------------------

def split_type(tp: Any) -> tuple[Any, list[Any]]:
    """(bare type, constraint metadata) with Annotated and Optional removed."""
    metadata: list[Any] = []
    while True:
        if typing.get_origin(tp) is typing.Annotated:
            tp, *extra = typing.get_args(tp)
            metadata.extend(extra)
            continue
        args = typing.get_args(tp)
        if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
            rest = [a for a in args if a is not type(None)]
            tp = rest[0] if len(rest) == 1 else functools.reduce(operator.or_, rest)
            continue
        return tp, metadata


def is_model(tp: Any) -> bool:
    """Whether `tp` is a pydantic model class."""
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _union_members(tp: Any) -> list[type[BaseModel]]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for m in typing.get_args(tp) if is_model(m)]
    return []


def _tag_member(tp: Any, part: Any) -> type[BaseModel] | None:
    """The member of a tagged union whose `dist`/`do` tag is `part`."""
    for member in _union_members(tp):
        for field in ("dist", "do"):
            info = member.model_fields.get(field)
            if info is not None and part in typing.get_args(info.annotation):
                return member
    return None


def tag_field(tp: Any) -> str:
    """The discriminator field of a tagged union of models ("dist" or "do")."""
    members = _union_members(split_type(tp)[0])
    return "dist" if members and "dist" in members[0].model_fields else "do"


def union_tags(tp: Any) -> list[str]:
    """The allowed tags of a tagged union, in declaration order."""
    field = tag_field(tp)
    return [typing.get_args(m.model_fields[field].annotation)[0]
            for m in _union_members(split_type(tp)[0])]


@dataclass(frozen=True)
class Spot:
    """Where a pydantic error location points in the model classes."""

    key: list[str]          # dotted key parts, union tags dropped
    tp: Any                 # bare type at the location (None if the key is unknown)
    metadata: list[Any]     # its constraints (FieldInfo, annotated_types)
    parent: Any             # bare type of the container holding it


def locate(root: type[BaseModel], loc: Sequence[Any]) -> Spot:
    """Follow `loc` through the model classes from `root`, dropping union tags."""
    tp: Any = root
    metadata: list[Any] = []
    parent: Any = None
    key: list[str] = []
    for part in loc:
        bare, _ = split_type(tp)
        if _union_members(bare):
            member = _tag_member(bare, part)
            if member is not None:
                tp = member
                continue
            if isinstance(part, str) and part.startswith("function-"):
                continue
        key.append(str(part))
        parent = bare
        if is_model(bare) and part in bare.model_fields:
            info = bare.model_fields[part]
            tp, metadata = info.annotation, list(info.metadata)
        elif typing.get_origin(bare) is dict:
            tp, metadata = typing.get_args(bare)[1], []
        elif typing.get_origin(bare) in (list, tuple) and isinstance(part, int):
            tp, metadata = typing.get_args(bare)[0], []
        else:
            tp, metadata = None, []
        tp, extra = split_type(tp)
        metadata = metadata + extra
    return Spot(key, split_type(tp)[0], metadata, parent)


def constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, FieldInfo):
            found.update(constraints(list(item.metadata)))
        for name in ("ge", "gt", "le", "lt", "min_length", "max_length"):
            value = getattr(item, name, None)
            if isinstance(item, annotated_types.BaseMetadata) and value is not None:
                found[name] = value
    return found


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_range(metadata: list[Any]) -> str:
    """'0 to 5', '> 0 and <= 36500', '>= 0', ... from a field's constraints."""
    c = constraints(metadata)
    low = (">= " + _num(c["ge"])) if "ge" in c else (("> " + _num(c["gt"])) if "gt" in c else "")
    high = ("<= " + _num(c["le"])) if "le" in c else (("< " + _num(c["lt"])) if "lt" in c else "")
    if "ge" in c and "le" in c:
        return f"{_num(c['ge'])} to {_num(c['le'])}"
    return " and ".join(p for p in (low, high) if p) or "any number"


def _literal_values(tp: Any) -> list[str]:
    return [str(v) for v in typing.get_args(tp)] if typing.get_origin(tp) is Literal else []


# --- phrasing ------------------------------------------------------------------------------------

def _hint(value: Any, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(value), list(names), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _entries(count: Any) -> str:
    if count is None:
        return "the wrong number of entries"
    return "1 entry" if count == 1 else f"{count} entries"


NAME_ERRORS = ("extra_forbidden", "literal_error", "union_tag_invalid", "union_tag_not_found")


def _phrase(error: dict[str, Any], spot: Spot, root: type[BaseModel]) -> tuple[list[str], str]:
    """(key parts, message) for one pydantic error."""
    if error["type"] in NAME_ERRORS:
        return _phrase_name(error, spot, root)
    return _phrase_value(error, spot)


def _phrase_name(error: dict[str, Any], spot: Spot, root: type[BaseModel]) -> tuple[list[str], str]:
    """An unknown key, level, tag or choice: say what is allowed, suggest the closest."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    key = spot.key
    if kind == "extra_forbidden":
        allowed = list(spot.parent.model_fields) if is_model(spot.parent) else []
        return key, suggest(key[-1], allowed)
    if error.get("dict_key"):
        parent = locate(root, error["loc"][:-1])
        names = _literal_values(split_type(typing.get_args(parent.tp)[0])[0])
        return key, suggest(str(value), names, "level" if "sw" in names else "name")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        field, tags = tag_field(spot.tp), union_tags(spot.tp)
        if kind == "union_tag_not_found":
            return key + [field], f"required key missing; allowed: {', '.join(tags)}"
        tag = ctx.get("tag", "")
        message = f"unknown {field} {show(tag)}{_hint(tag, tags)}; allowed: {', '.join(tags)}"
        return key + [field], message
    names = _literal_values(spot.tp) or [ctx.get("expected", "")]
    hint = _hint(value, names)
    return key, f"{show(value)} is not allowed{hint}; allowed: {', '.join(names)}"


def _phrase_value(error: dict[str, Any], spot: Spot) -> tuple[list[str], str]:
    """A missing, mistyped or out-of-range value, or a validator's complaint."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    key = spot.key
    if kind == "missing":
        return key, "required key missing" + _expected(spot)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return key, f"{show(value)} is out of range; allowed: {describe_range(spot.metadata)}"
    if kind in ("too_short", "too_long"):
        c = constraints(spot.metadata)
        lo, hi = c.get("min_length"), c.get("max_length")
        allowed = f"exactly {lo}" if lo == hi else (f"at least {lo}" if hi is None else
                                                    f"{lo or 0} to {hi}")
        return key, f"has {_entries(ctx.get('actual_length'))}; allowed: {allowed}"
    if kind == "finite_number":
        return key, f"{show(value)} is not allowed; allowed: a finite number"
    if kind == "string_pattern_mismatch":
        return key, f"{show(value)} is not allowed; allowed: letters, digits, '_', '.', '-'"
    if kind in ("value_error", "assertion_error"):
        problem = ctx.get("error")
        if isinstance(problem, FieldProblem):
            extra = [p for p in problem.key.split(".") if p]
            return key + extra, problem.message
        return key, str(problem or error["msg"])
    for prefix, expected in WRONG_TYPE.items():
        if kind.startswith(prefix + "_") or kind == prefix:
            return key, f"expected {expected}, got {show(value)}"
    return key, f"{show(value)} is not allowed: {error['msg']}"


def _expected(spot: Spot) -> str:
    tp = spot.tp
    names = {float: "a number", int: "a whole number", str: "a string", bool: "true or false",
             dt.date: "a date such as 2016-07-01"}
    if tp in names:
        return f"; expected {names[tp]}"
    if is_model(tp) or typing.get_origin(tp) is dict:
        return "; expected a table"
    if _union_members(tp):
        return f"; expected a table with {tag_field(tp)} = one of {', '.join(union_tags(tp))}"
    if typing.get_origin(tp) in (list, tuple):
        return "; expected a list"
    return ""


def error_from_validation(
    exc: ValidationError, root: type[BaseModel], file_for: Callable[[list[str]], str]
) -> ScenarioError:
    """The most useful of pydantic's errors as one ScenarioError; `file_for(key)` blames a file."""
    errors = sorted(exc.errors(), key=lambda e: RANK.get(e["type"], 2))
    error = errors[0]
    if error["loc"][-1:] == ("[key]",) and error["type"] != "extra_forbidden":
        error = {**error, "loc": error["loc"][:-1], "dict_key": True}
    key, message = _phrase(error, locate(root, error["loc"]), root)
    return ScenarioError(file_for(key), ".".join(key), message)
