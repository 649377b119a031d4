"""The assumptions of a scenario as run: every parameter, its value and where it comes from."""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.labels import parameter_label, parameter_value, readable_source
from sim.scenario.comments import OVERRIDE, flatten

ASSUMPTION_COLUMNS = ("parameter", "value", "set in", "source (comment in the file)")


def shown_value(value: Any) -> str:
    """A scenario value as text: lists joined by commas, floats in their shortest form."""
    if isinstance(value, list):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def assumption_rows(record: dict) -> pd.DataFrame:
    """Every parameter of one scenario of run.json (dotted key), its value (as resolved: a
    number, text, a list; `shown_value` writes it as text) and where it comes from: the file
    and source comment that set it, "override" (--set or a sweep), or the documented default.
    An uncertain assumption is one row, its distribution in words ("uncertain: uniform(...)").
    Columns `ASSUMPTION_COLUMNS`."""
    sources = record.get("key_sources")
    uncertain = record.get("uncertain", {})
    rows = []
    for key, value in flatten(record.get("resolved", {})):
        table = key.rpartition(".")[0]
        if table in uncertain:
            if rows and rows[-1][ASSUMPTION_COLUMNS[0]] == table:
                continue
            key, value = table, f"uncertain, drawn once per replication: {uncertain[table]}"
        given = sources.get(key) or sources.get(f"{key}.dist") if sources else None
        if sources is None:
            where, comment = "not recorded", "built in code, or its files could not be read"
        elif given is None:
            where, comment = "default", "documented default (docs/scenarios.md)"
        elif given["file"] == OVERRIDE:
            where, comment = OVERRIDE, "set by --set or by the command (not in the files)"
        else:
            where, comment = given["file"], given["comment"]
        rows.append(dict(zip(ASSUMPTION_COLUMNS, (key, value, where, comment))))
    return pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS))


HIDDEN_KEYS = re.compile(r"^(name|title|policy|policy\.\d+\.note)$")
"""Keys the report's assumptions table leaves out: the scenario's name and title (the page says
them), an empty policy and policy notes (the action's row says what it does)."""
POLICY_KEY = re.compile(r"^(policy\.\d+)\.")
REPORT_COLUMNS = ("assumption", "key", "set in", "source")


def _grouped(record: dict) -> list[dict]:
    """One scenario's assumptions with related keys on one row: the leaves of one table that
    share their file and comment (a distribution's dist, mean and cv; an outcome's shares) and
    every key of one policy action that its file sets. Rows: key, value (text, shares as %),
    set in, source."""
    rows: list[dict] = []
    for key, value, where, comment in assumption_rows(record).itertuples(index=False):
        if HIDDEN_KEYS.match(key):
            continue
        policy = POLICY_KEY.match(key)
        if policy and where == "default":
            continue                   # an action's fields left at their defaults
        parent, leaf = (policy.group(1), key[policy.end():]) if policy else key.rpartition(".")[::2]
        shown = _shown(key, leaf, value)
        last = rows[-1] if rows else None
        if last is not None and parent and last["parent"] == parent and (
                policy or (last["set in"], last["source"]) == (where, comment)):
            if last["key"] != parent:
                last["key"], last["value"] = parent, _named(last["leaf"], last["value"])
            last["value"] = f"{last['value']}; {_named(leaf, shown)}"
            if comment and comment not in last["source"]:
                last["source"] = f"{last['source']}; {comment}" if last["source"] else comment
            continue
        rows.append({"parent": parent, "key": key, "leaf": leaf, "value": shown,
                     "set in": where, "source": comment})
    return rows


def _shown(key: str, leaf: str, value: Any) -> str:
    if leaf == "do":
        return str(value).replace("_", " ")
    return shown_value(value) if isinstance(value, list) else parameter_value(key, value)


def _named(leaf: str, shown: str) -> str:
    """A leaf's value with its name before it ("mean 45"), but for a distribution's name and a
    policy action's `do`."""
    return shown if leaf in ("dist", "do") else f"{leaf.replace('_', ' ')} {shown}"


def report_assumptions(records: Sequence[dict]) -> pd.DataFrame:
    """The scenarios' assumptions as report.html lists them at its end: one row per key (related
    keys joined, `_grouped`), labelled in words, with one value column per scenario (named by
    the scenario, or "value" for one), the file that set it (its name) and its source comment in
    words
    (`readable_source`); columns assumption, key, the values, set in, source."""
    names = [record.get("name", "?") for record in records]
    columns = ["value"] if len(names) == 1 else names
    table: dict[str, dict] = {}
    for column, record in zip(columns, records):
        for row in _grouped(record):
            entry = table.setdefault(row["key"], {"assumption": _label(row["key"]),
                                                  "key": row["key"]})
            entry[column] = row["value"]
            entry["set in"] = Path(row["set in"]).name or row["set in"]
            entry["source"] = readable_source(row["source"])
    frame = pd.DataFrame(list(table.values()),
                         columns=["assumption", "key", *columns, "set in", "source"])
    return frame.fillna("")


def _label(key: str) -> str:
    policy = re.fullmatch(r"policy\.(\d+)", key)
    return f"Policy action {int(policy.group(1)) + 1}" if policy else parameter_label(key)
