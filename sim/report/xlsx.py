"""An Excel workbook (.xlsx, written with openpyxl) of sheets given as DataFrames.

Every number is stored as a number, rounded to its kind's digits and given its kind's number
format (money as £ without pence, shares as %), so a reader can sort, sum and chart it. Each
sheet's first row is its header: bold, frozen and filterable; columns are as wide as their text
(up to a limit).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sim.runner.files import atomic_path

DIGITS = {"money": 0, "share": 4, "level": 2, "count": 1, "index": 4, "decimal": 4, "integer": 0}
"""Decimal places a number of each kind is rounded to; "raw" numbers are stored as given."""
FORMATS = {"money": '"£"#,##0;-"£"#,##0', "share": "0.0%", "level": "#,##0.00",
           "count": "#,##0.0", "index": "0.0000", "decimal": "General", "integer": "0",
           "raw": "General"}
WIDEST = 60
"""Characters: the widest a column is made (longer text wraps)."""


@dataclass
class Sheet:
    """One sheet: `frame`'s columns as the header row, its rows below.

    kinds: the kind (a key of FORMATS) of each number, by row (a sequence as long as the frame)
    or by column (a dict; a column not named is "level"); `column_kinds` wins over `row_kinds`.
    """

    name: str
    frame: pd.DataFrame
    row_kinds: Sequence[str] | None = None
    column_kinds: dict[str, str] = field(default_factory=dict)

    def kind(self, row: int, column: str) -> str:
        if column in self.column_kinds:
            return self.column_kinds[column]
        return self.row_kinds[row] if self.row_kinds is not None else "level"


def stored(value: Any, kind: str) -> Any:
    """A cell's value: numbers rounded to their kind (NaN as an empty cell), text as text."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return None
        if kind == "raw":
            return int(value) if isinstance(value, numbers.Integral) else number
        rounded = round(number, DIGITS[kind])
        return int(rounded) if DIGITS[kind] == 0 else rounded
    return str(value)


def write_xlsx(path: Path, sheets: Sequence[Sheet], first: Sequence[Sequence[Any]] = (),
               first_name: str = "Read me") -> None:
    """Write `sheets` to `path` atomically, after a first sheet `first_name` of plain rows
    (`first`: a row is a sequence of cells; a row of one cell is a bold heading)."""
    book = Workbook()
    cover = book.active
    cover.title = first_name
    _cover(cover, first)
    for sheet in sheets:
        _table(book.create_sheet(sheet.name), sheet)
    with atomic_path(path) as temp:
        book.save(temp)


def _cover(worksheet, rows: Sequence[Sequence[Any]]) -> None:
    for row in rows:
        worksheet.append([stored(value, "raw") for value in row])
        if len(row) == 1:
            worksheet.cell(worksheet.max_row, 1).font = Font(bold=True)
    _widths(worksheet, [list(map(str, row)) for row in rows])
    for cells in worksheet.iter_rows():
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _table(worksheet, sheet: Sheet) -> None:
    columns = [str(column) for column in sheet.frame.columns]
    worksheet.append(columns)
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for i, values in enumerate(sheet.frame.itertuples(index=False)):
        kinds = [sheet.kind(i, column) for column in columns]
        worksheet.append([stored(value, kind) for value, kind in zip(values, kinds)])
        for cell, kind in zip(worksheet[worksheet.max_row], kinds):
            if isinstance(cell.value, (int, float)):
                cell.number_format = FORMATS[kind]
    worksheet.freeze_panes = "A2"
    if len(sheet.frame):
        worksheet.auto_filter.ref = worksheet.dimensions
    _widths(worksheet, [columns, *([str(v) for v in row] for row in
                                   sheet.frame.head(200).itertuples(index=False))])


def _widths(worksheet, rows: Sequence[Sequence[str]]) -> None:
    """Each column as wide as its longest text (of `rows`), from 8 to WIDEST characters."""
    widest: dict[int, int] = {}
    for row in rows:
        for i, text in enumerate(row):
            widest[i] = max(widest.get(i, 0), len(text))
    for i, width in widest.items():
        worksheet.column_dimensions[get_column_letter(i + 1)].width = min(max(width, 8),
                                                                         WIDEST) + 2
