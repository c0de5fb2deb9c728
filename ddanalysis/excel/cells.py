"""Writing one cell safely: text stays text, numbers stay finite, formulas are only ours.

Text that comes from data files (descriptions, sources, rationales, names) is never interpreted: a
string starting with ``=``, ``+``, ``-`` or ``@`` is stored as a string cell with Excel's quote
prefix, so neither Excel nor LibreOffice evaluates it, even after the cell is edited. Characters XML
cannot hold are dropped and text is cut at Excel's 32,767-character cell limit. A missing or
non-finite number becomes an empty cell (NaN in a cell makes Excel offer to repair the file).
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from copy import copy
from typing import Any

import numpy as np
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: Excel's limit on the characters in one cell.
MAX_CELL_CHARS = 32_767
#: First characters that make a spreadsheet treat typed text as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@")


_STYLE_ARRAYS: "weakref.WeakKeyDictionary[Any, dict[str, Any]]" = weakref.WeakKeyDictionary()


def apply_style(cell: Cell, name: str) -> Cell:
    """Give ``cell`` the named style ``name`` (registered on its workbook).

    The first use of a name in a workbook goes through openpyxl's checks (``cell.style = name``);
    later uses copy the resulting style array, which is what openpyxl does itself, minus a linear
    search of the style names for every cell (the dominant cost of writing a large workbook).
    """
    wb = cell.parent.parent
    cache = _STYLE_ARRAYS.get(wb)
    if cache is None:
        cache = _STYLE_ARRAYS[wb] = {}
    array = cache.get(name)
    if array is None:
        cell.style = name
        cache[name] = copy(cell._style)
    else:
        cell._style = StyleArray(array)
    return cell


def set_style(ws: Worksheet, row: int, col: int, name: str) -> Cell:
    """Style an (empty) cell, e.g. to carry a fill or border across a table."""
    return apply_style(ws.cell(row=row, column=col), name)


def clean_text(value: Any) -> str:
    """``value`` as text a workbook can hold (illegal control characters removed, length capped)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_CELL_CHARS]


def put_text(ws: Worksheet, row: int, col: int, value: Any, style: str = "dd_text_plain") -> Cell:
    """Write ``value`` as a text cell (never a formula), in a named style."""
    cell = ws.cell(row=row, column=col)
    text = clean_text(value)
    # Bound directly as a string: openpyxl's value setter would take a leading '=' as a formula, and would
    # repeat the checks clean_text has just made (illegal characters, length).
    cell._value, cell.data_type = text, "s"
    apply_style(cell, style)
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True  # Excel keeps it text when someone edits the cell
    return cell


def finite(value: Any) -> float | None:
    """A finite float, or None for None / NaN / inf / pandas NA."""
    if value is None:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def put_number(ws: Worksheet, row: int, col: int, value: Any, style: str, missing: str | None = None) -> Cell:
    """Write a number at full precision; a missing value is left empty (or ``missing`` text)."""
    cell = ws.cell(row=row, column=col)
    x = finite(value)
    if x is None:
        if missing is not None:
            return put_text(ws, row, col, missing, "dd_na")
        apply_style(cell, style)
        return cell
    whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    cell.value = int(value) if whole else x
    apply_style(cell, style)
    return cell


def put_formula(ws: Worksheet, row: int, col: int, formula: str, style: str) -> Cell:
    """Write a formula we built (``formula`` starts with '=')."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell = ws.cell(row=row, column=col)
    if ILLEGAL_CHARACTERS_RE.search(formula):
        raise ValueError(f"a formula cannot hold control characters: {formula!r}")
    cell._value, cell.data_type = formula, "f"  # what openpyxl's value setter does for text starting '='
    apply_style(cell, style)
    return cell


def put_date(
    ws: Worksheet, row: int, col: int, value: dt.date | str | None, style: str = "dd_date", missing: str = ""
) -> Cell:
    """Write a date (ISO text from a frame is parsed); missing as text."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return put_text(ws, row, col, value, style)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return put_text(ws, row, col, missing, style)
    if isinstance(value, dt.datetime):
        value = value.date()
    cell = ws.cell(row=row, column=col)
    cell.value = value
    apply_style(cell, style)
    return cell


def ref(col: int, row: int, absolute: bool = False) -> str:
    """A1 reference of (col, row), e.g. ``ref(3, 7) == 'C7'``, ``ref(3, 7, True) == '$C$7'``."""
    letter = get_column_letter(col)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def sheet_ref(sheet: str, col: int, row: int, absolute: bool = False) -> str:
    """A reference to a cell on another sheet, quoted: ``'Cash flows'!C7``."""
    return f"{quote_sheet(sheet)}!{ref(col, row, absolute)}"


def quote_sheet(sheet: str) -> str:
    """Sheet name as it appears in a formula (always quoted; a quote inside is doubled)."""
    return "'" + sheet.replace("'", "''") + "'"


def range_ref(sheet: str | None, col1: int, row1: int, col2: int, row2: int, absolute: bool = True) -> str:
    """A range, optionally on another sheet: ``'MCA'!$C$6:$C$12``."""
    body = f"{ref(col1, row1, absolute)}:{ref(col2, row2, absolute)}"
    return f"{quote_sheet(sheet)}!{body}" if sheet else body
