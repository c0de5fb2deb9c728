"""The Services sheet of a project whose services each have their own baseline: one row per service (its
baseline net budget, recommended option, that option's net present saving and one-off cost), a row per new
body the services share, the project's total, and the sentences that say how it is made, laid out from
:func:`ddanalysis.presentation.tables.services_table` (values from the appraisals, not workbook formulas)."""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ..frames import records
from ..presentation import tables
from .cells import put_number, put_text
from .layout import Context, fit_row, merge, print_setup, set_widths, sheet_header

_WIDTHS = {1: 46.0, 2: 18.0, 3: 30.0, 4: 18.0, 5: 20.0}


def write_services(ws: Worksheet, ctx: Context, project: Any) -> None:
    """Fill ``ws`` with the services table of ``project`` (:class:`ddanalysis.services.ProjectAppraisal`):
    GBP, real prices of the base year; the total row in bold; the caption below as a note."""
    table = tables.services_table(project)
    r = sheet_header(ws, ctx, "Services", _WIDTHS)
    for c, label in enumerate(table.frame.columns, start=1):
        put_text(ws, r, c, label, "dd_header_left" if table.unit(label) == "text" else "dd_header")
    ws.row_dimensions[r].height = 30
    r += 1
    last = len(table.frame) - 1
    for i, values in enumerate(records(table.frame)):
        bold = i == last
        for c, (label, v) in enumerate(zip(table.frame.columns, values), start=1):
            if table.unit(label) == "text":
                put_text(ws, r, c, v, "dd_label_bold" if bold else "dd_label")
            else:
                put_number(ws, r, c, v, "dd_gbp_bold" if bold else "dd_gbp")
        r += 1
    r += 1
    put_text(ws, r, 1, table.caption, "dd_note_wrap")
    merge(ws, r, 1, r, len(_WIDTHS))
    fit_row(ws, r, [(table.caption, sum(_WIDTHS.values()))], small=True)
    set_widths(ws, _WIDTHS)
    print_setup(ws, landscape=True)
