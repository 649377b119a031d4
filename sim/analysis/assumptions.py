"""The assumptions of a scenario as run: every parameter, its value and where it comes from."""
from __future__ import annotations

import json
from typing import Any

import pandas as pd

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
