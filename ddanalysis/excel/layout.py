"""What every sheet shares: the header rows, the print set-up, column widths and row heights.

Every sheet opens with the same three rows: the title, a context line (council, scenario,
perspective, price basis) and - when the figures are illustrative - a red ILLUSTRATIVE banner; the
printed page repeats them in its header and footer. Sheets print landscape on A4, one page wide.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass

from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from ..presentation import text as decision_text
from ..result import AppraisalResult
from .cells import put_text, ref, set_style

#: First row below the header block of every sheet.
FIRST_ROW = 5
#: Height (points) of a row without a row record: openpyxl's ``defaultRowHeight``, 11pt Calibri's row.
DEFAULT_ROW_HEIGHT = 15.0
#: The fitted height of one line of 10pt text (``wrapped_height``): it fits the default row, so such a row
#: needs no row record of its own.
ONE_LINE_HEIGHT = 12.75 + 3

ILLUSTRATIVE_TEXT = decision_text.ILLUSTRATIVE_TEXT


@dataclass(frozen=True)
class Context:
    """What the header of every sheet of one project (or the programme) says."""

    title: str  # e.g. "Adult and Community College"
    councils: str  # e.g. "Walsall"
    scenario: str  # scenario name
    perspective_label: str  # "the council's General Fund"
    price_basis: str  # "real 2014-15 prices"
    illustrative: bool
    produced: dt.date
    version: str

    @property
    def context_line(self) -> str:
        return (
            f"{self.councils}  |  Scenario: {self.scenario}  |  Perspective: {self.perspective_label}  |  "
            f"GBP, {self.price_basis}"
        )


def sheet_header(ws: Worksheet, ctx: Context, heading: str, widths: Mapping[int, float]) -> int:
    """Write the title, context line and (if illustrative) the banner; return the first free row.

    ``widths``: the sheet's column widths (characters) by column: the banner is merged across them
    and made tall enough for its text.
    """
    span, width = max(widths, default=1), sum(widths.values())
    put_text(ws, 1, 1, f"{ctx.title}: {heading}", "dd_title")
    put_text(ws, 2, 1, ctx.context_line, "dd_subtitle")
    ws.row_dimensions[1].height = 24
    if ctx.illustrative:
        put_text(ws, 3, 1, ILLUSTRATIVE_TEXT, "dd_illustrative")
        for col in range(2, max(span, 1) + 1):
            set_style(ws, 3, col, "dd_illustrative")
        if span > 1:
            merge(ws, 3, 1, 3, span)
        ws.row_dimensions[3].height = max(18.0, wrapped_height(ILLUSTRATIVE_TEXT, width, bold=True, line_points=15))
    _print_header(ws, ctx, heading)
    return FIRST_ROW


def _escape(text: str) -> str:
    """Text for a print header/footer ('&' starts a code there)."""
    return text.replace("&", "&&")


def _print_header(ws: Worksheet, ctx: Context, heading: str) -> None:
    ws.oddHeader.left.text = _escape(f"{ctx.title}: {heading}")
    ws.oddHeader.left.size = 9
    ws.oddHeader.right.text = _escape(f"Scenario: {ctx.scenario}; perspective: {ctx.perspective_label}")
    ws.oddHeader.right.size = 9
    if ctx.illustrative:
        ws.oddHeader.center.text = "ILLUSTRATIVE"
        ws.oddHeader.center.font = "Calibri,Bold"
        ws.oddHeader.center.color = "C00000"
        ws.oddHeader.center.size = 11
    ws.oddFooter.left.text = _escape(
        f"ddanalysis {ctx.version}, produced {ctx.produced:%d %B %Y}; GBP, {ctx.price_basis}"
    )
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = 8


def print_setup(
    ws: Worksheet, title_rows: tuple[int, int] | None = None, landscape: bool = True, freeze: str | None = None
) -> None:
    """A4, landscape, fit to one page wide, repeated title rows, frozen panes, gridlines off on screen."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    if freeze:
        ws.freeze_panes = freeze
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = 90


def set_widths(ws: Worksheet, widths: Mapping[int, float]) -> None:
    """Column widths (characters) by 1-based column index."""
    from openpyxl.utils import get_column_letter

    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width


@functools.lru_cache(maxsize=4096)
def wrapped_height(
    text: str,
    width_chars: float,
    line_points: float = 12.75,
    minimum: float = 15.0,
    bold: bool = False,
    small: bool = False,
) -> float:
    """Row height (points) that shows ``text`` wrapped in a column ``width_chars`` wide.

    10pt Calibri (``bold``: bold headers, fewer characters a line; ``small``: 9pt italic notes, more).
    """
    per_line = max(6, int(width_chars * (1.0 if bold else 1.4 if small else 1.2)))
    if small:
        line_points = 11.5
    lines = 0
    for para in str(text).split("\n"):
        lines += max(1, math.ceil(len(para) / per_line))
    return max(minimum, lines * line_points + 3)


def fit_row(
    ws: Worksheet, row: int, texts_and_widths: list[tuple[str, float]], bold: bool = False, small: bool = False
) -> None:
    """Set a row's height to show the tallest of its wrapped texts (never lowering it).

    A row whose texts each fit on one line keeps the sheet's default height (15 points, which one line of
    10pt text fits) without a row record of its own: creating openpyxl's row records is a large part of
    the time to build a programme workbook.
    """
    height = max((wrapped_height(str(t or ""), w, bold=bold, small=small) for t, w in texts_and_widths), default=15.0)
    dim = ws.row_dimensions.get(row)
    if dim is None:
        if height <= max(DEFAULT_ROW_HEIGHT, ONE_LINE_HEIGHT):
            return
        dim = ws.row_dimensions[row]
    dim.height = max(height, dim.height or 0)


def option_names(result: AppraisalResult) -> dict[str, str]:
    """Option id -> display name."""
    return dict(zip(result.options["id"], result.options["name"]))


def merge(ws: Worksheet, row1: int, col1: int, row2: int, col2: int) -> None:
    """Merge a block of cells; the merged-away cells take the top-left cell's style (borders included) when it
    has a border or a fill, and are not written at all when it has neither.

    Same result as ``ws.merge_cells`` for cells we style by name, without its per-cell border and
    protection arithmetic (which dominates the time to build a large workbook), and without
    ``MultiCellRange.add``'s scan of every range already merged on the sheet (quadratic in the merges:
    a large programme workbook has thousands); the ranges are a set, so a repeated merge is still one.
    """
    if (row1, col1) == (row2, col2):
        return
    ws.merged_cells.ranges.add(MergedCellRange(ws, f"{ref(col1, row1)}:{ref(col2, row2)}"))
    anchor = ws.cell(row=row1, column=col1)
    if not (anchor._style.borderId or anchor._style.fillId):
        return  # nothing of the style shows on the merged-away cells (font, wrap and alignment are the anchor's)
    for r in range(row1, row2 + 1):
        for c in range(col1, col2 + 1):
            if (r, c) != (row1, col1):
                cell = MergedCell(ws, row=r, column=c)
                cell._style = copy(anchor._style)
                ws._cells[(r, c)] = cell
