"""The Summary sheet's blocks for the councils of a project: each council's part of every option (net
present saving and one-off cost) and the focus option's financial case in cash per council against the
savings target, laid out from :func:`ddanalysis.presentation.tables.by_council_table` and
:func:`~ddanalysis.presentation.tables.nominal_cash_table` (values from the model, not workbook
formulas: the apportionment and the inflation indices are not on the sheet)."""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ..frames import records
from ..presentation import tables
from ..result import AppraisalResult
from .cells import put_number, put_text, set_style
from .layout import fit_row, merge

#: Sheet columns of each block: table column -> (first, last) sheet column (merged when they differ).
_PARTS = {
    "Option": (1, 1),
    "Council": (2, 3),
    "Net present saving": (4, 4),
    "One-off cost (undiscounted, with optimism bias)": (5, 5),
}
_CASH = {
    "Financial year": (1, 1),
    "Council": (2, 3),
    "Net cash saving": (4, 4),
    "Savings target": (5, 5),
    "Gap (short of target)": (6, 6),
}


def _block(
    ws: Worksheet,
    r: int,
    title: str,
    table: tables.Table,
    spans: dict[str, tuple[int, int]],
    last_col: int,
    width: float,
) -> int:
    """A section heading, a header row, one row per table row (rows whose council is 'All councils' in
    bold) and the caption as a note, from row ``r``; returns the next free row."""
    put_text(ws, r, 1, title, "dd_section")
    for c in range(2, last_col + 1):
        set_style(ws, r, c, "dd_section")
    r += 1
    for label, (c1, c2) in spans.items():
        put_text(ws, r, c1, label, "dd_header_left" if table.unit(label) == "text" else "dd_header")
        if c2 > c1:
            merge(ws, r, c1, r, c2)
    ws.row_dimensions[r].height = 30
    r += 1
    for values in records(table.frame[list(spans)]):
        bold = "All councils" in values
        for (label, (c1, c2)), v in zip(spans.items(), values):
            if table.unit(label) == "text":
                put_text(ws, r, c1, v, "dd_label_bold" if bold else "dd_label")
            else:
                put_number(ws, r, c1, v, "dd_gbp_bold" if bold else "dd_gbp")
            if c2 > c1:
                merge(ws, r, c1, r, c2)
        r += 1
    put_text(ws, r, 1, table.caption, "dd_note_wrap")
    merge(ws, r, 1, r, last_col)
    fit_row(ws, r, [(table.caption, width)], small=True)
    return r + 2


def write_by_council(ws: Worksheet, r: int, result: AppraisalResult, last_col: int, width: float) -> int:
    """Write each council's part of every option, then the focus option's cash (nominal) profile per
    council, from row ``r``; returns the next free row. Nothing is written for a result without them.
    ``last_col``: the sheet's last column (at least 6); ``width``: its total column width (row heights)."""
    parts = tables.by_council_table(result)
    if parts is not None:
        r = _block(ws, r, "Each council's part", parts, _PARTS, last_col, width)
    focus = tables.focus_option(result)
    cash = tables.nominal_cash_table(result, focus)
    if cash is not None:
        title = f"The financial case in cash: {result.option_name(focus)}, per council"
        r = _block(ws, r, title, cash, _CASH, last_col, width)
    return r
