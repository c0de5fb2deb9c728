"""The Summary sheet's block of each council's part: every option's net present saving and one-off
cost per council, laid out from :func:`ddanalysis.presentation.tables.by_council_table` (values from
the model: the apportionment is not a workbook formula)."""
from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from ..presentation import tables
from ..result import AppraisalResult
from .cells import put_number, put_text, set_style
from .layout import fit_row, merge

#: Sheet columns of the block: Option, Council (merged over two), Net present saving, One-off cost.
_SPANS = {"Option": (1, 1), "Council": (2, 3), "Net present saving": (4, 4), "One-off cost (undiscounted)": (5, 5)}


def write_by_council(ws: Worksheet, r: int, result: AppraisalResult, last_col: int, width: float) -> int:
    """Write the block from row ``r`` (section heading, header, one row per option and council, the
    option's total in bold, the caption as a note); returns the next free row. Nothing is written for
    a result without per-council figures. ``width``: the sheet's total column width (for row heights)."""
    table = tables.by_council_table(result)
    if table is None:
        return r
    put_text(ws, r, 1, "Each council's part", "dd_section")
    for c in range(2, last_col + 1):
        set_style(ws, r, c, "dd_section")
    r += 1
    for label, (c1, c2) in _SPANS.items():
        put_text(ws, r, c1, label, "dd_header_left" if table.unit(label) == "text" else "dd_header")
        if c2 > c1:
            merge(ws, r, c1, r, c2)
    ws.row_dimensions[r].height = 30
    r += 1
    for row in table.frame.itertuples(index=False):
        total = row.Council == "All councils"
        put_text(ws, r, 1, row.Option, "dd_label_bold" if total else "dd_label")
        put_text(ws, r, 2, row.Council, "dd_label_bold" if total else "dd_label")
        merge(ws, r, 2, r, 3)
        put_number(ws, r, 4, row[3], "dd_gbp_bold" if total else "dd_gbp")
        put_number(ws, r, 5, row[4], "dd_gbp_bold" if total else "dd_gbp")
        r += 1
    put_text(ws, r, 1, table.caption, "dd_note_wrap")
    merge(ws, r, 1, r, last_col)
    fit_row(ws, r, [(table.caption, width)], small=True)
    return r + 2
