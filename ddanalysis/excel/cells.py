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


#: Attribute of a workbook that holds its named styles' style arrays (name -> array), filled on first use.
_ARRAYS_ATTR = "_ddanalysis_style_arrays"


def _style_arrays(wb: Any) -> dict[str, StyleArray]:
    arrays = getattr(wb, _ARRAYS_ATTR, None)
    if arrays is None:
        arrays = {}
        setattr(wb, _ARRAYS_ATTR, arrays)
    return arrays


def apply_style(cell: Cell, name: str) -> Cell:
    """Give ``cell`` the named style ``name`` (registered on its workbook).

    The first use of a name in a workbook goes through openpyxl's checks (``cell.style = name``);
    later uses copy the resulting style array, which is what openpyxl does itself, minus a linear
    search of the style names for every cell (the dominant cost of writing a large workbook).
    """
    arrays = _style_arrays(cell.parent.parent)
    array = arrays.get(name)
    if array is None:
        cell.style = name
        arrays[name] = copy(cell._style)
    else:
        cell._style = StyleArray(array)
    return cell


def styled_cell(ws: Worksheet, row: int, col: int, name: str) -> Cell:
    """The cell at (``row``, ``col``) of ``ws`` (1-based; created when absent) in the named style ``name``.

    A new cell is made with its style array, as openpyxl does when it reads a styled cell, instead of
    being made plain and then restyled; an existing cell (a merged-away cell included) is restyled.
    """
    cell = ws._cells.get((row, col))
    if cell is None and row > 0 and col > 0:
        array = _style_arrays(ws.parent).get(name)
        if array is not None:
            cell = Cell(ws, row=row, column=col, style_array=array)
            ws._add_cell(cell)
            return cell
    return apply_style(cell if cell is not None else ws.cell(row=row, column=col), name)


def set_style(ws: Worksheet, row: int, col: int, name: str) -> Cell:
    """Style an (empty) cell, e.g. to carry a fill or border across a table."""
    return styled_cell(ws, row, col, name)


def clean_text(value: Any) -> str:
    """``value`` as text a workbook can hold (illegal control characters removed, length capped)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return text[:MAX_CELL_CHARS]


def put_text(ws: Worksheet, row: int, col: int, value: Any, style: str = "dd_text_plain") -> Cell:
    """Write ``value`` as a text cell (never a formula), in a named style."""
    text = clean_text(value)
    cell = styled_cell(ws, row, col, style)
    # Bound directly as a string: openpyxl's value setter would take a leading '=' as a formula, and would
    # repeat the checks clean_text has just made (illegal characters, length).
    cell._value, cell.data_type = text, "s"
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
    x = finite(value)
    if x is None and missing is not None:
        return put_text(ws, row, col, missing, "dd_na")
    cell = styled_cell(ws, row, col, style)
    if x is not None:
        whole = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
        # what openpyxl's value setter does for an int or float
        cell._value, cell.data_type = (int(value) if whole else x), "n"
    return cell


def put_formula(ws: Worksheet, row: int, col: int, formula: str, style: str) -> Cell:
    """Write a formula we built (``formula`` starts with '=')."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    if ILLEGAL_CHARACTERS_RE.search(formula):
        raise ValueError(f"a formula cannot hold control characters: {formula!r}")
    cell = styled_cell(ws, row, col, style)
    cell._value, cell.data_type = formula, "f"  # what openpyxl's value setter does for text starting '='
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
