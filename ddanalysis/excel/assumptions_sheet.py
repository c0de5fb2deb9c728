"""The assumptions sheet: every assumption the appraisal used, with its range, source and quality rating.

Generated from the same data files as the dashboard's assumptions table (``data/assumptions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..assumptions import PROJECT_SCOPE
from ..frames import records
from ..presentation import formats
from ..presentation.tables import IMPACT_RANK_NOTE, impact_ranks
from ..presentation.text import QUALITY_TEXT
from ..result import AppraisalResult
from .cells import put_number, put_text, ref, sheet_ref
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header
from .styles import QUALITY_STYLE, style_for_unit

#: The sheet's columns: the data log's (key, range, unit, as of, source with locator, quality, verified, impact
#: rank), with the value used (the input cell, column 7), basis and note.
COLUMNS = (
    ("Applies to", 22),
    ("Assumption", 46),
    ("Unit", 22),
    ("Low", 10),
    ("Central", 10),
    ("High", 10),
    ("Value used", 11),
    ("As of", 12),
    ("Basis", 11),
    ("Quality", 9),
    ("Verified", 9),
    ("Source", 40),
    ("Locator", 36),
    ("Impact rank", 9),
    ("Note", 40),
    ("Key (file)", 26),
)
#: Column numbers by heading.
COLUMN = {label: i for i, (label, _) in enumerate(COLUMNS, start=1)}
_LEFT = {COLUMN[c] for c in ("Applies to", "Assumption", "Unit", "Source", "Locator", "Note", "Key (file)")}


def write_assumptions(ws: Worksheet, ctx: Context, result: AppraisalResult) -> dict[tuple[str, str], str]:
    """One row per assumption (project-wide first, then per option), filterable, header frozen. The 'Value used'
    cells are the workbook's inputs (the cash flows start from them); returns (scope, key) -> that cell's
    absolute, sheet-qualified reference."""
    cells: dict[tuple[str, str], str] = {}
    widths = {i: w for i, (_, w) in enumerate(COLUMNS, start=1)}
    r = sheet_header(ws, ctx, "Assumptions", widths)
    put_text(ws, r, 1, _introduction(result), "dd_note_wrap")
    merge(ws, r, 1, r, len(COLUMNS))
    fit_row(ws, r, [(ws.cell(row=r, column=1).value, sum(widths.values()))], small=True)
    r += 2
    header = r
    for c, (label, _) in enumerate(COLUMNS, start=1):
        put_text(ws, header, c, label, "dd_header_left" if c in _LEFT else "dd_header")
    r += 1
    names = option_names(result)
    for a, rank in zip(records(result.assumptions), impact_ranks(result)):
        cells[(a.scope, a.key)] = _assumption_row(ws, r, a, rank, names, widths)
        r += 1
    last = r - 1
    ws.auto_filter.ref = f"{ref(1, header)}:{ref(len(COLUMNS), max(last, header))}"
    set_widths(ws, widths)
    print_setup(ws, title_rows=(header, header), freeze=ref(3, header + 1))
    return cells


def _introduction(result: AppraisalResult) -> str:
    """The sheet's opening note: what the columns are, the quality ratings, and that 'Value used' is an input."""
    quality = "; ".join(f"{k} = {v}" for k, v in QUALITY_TEXT.items())
    return (
        f"Every assumption used in the '{result.scenario}' scenario, with its low / central / high range "
        "(the range drives the Monte Carlo and the sensitivity), the value this appraisal used, the date or "
        "period its value describes (as of), its basis (fact, evidence or judgement), a quality rating by the "
        f"data log's rule ({quality}), whether the figure was read in the source's own text (verified), the "
        f"source and where in it (locator), and its {IMPACT_RANK_NOTE}. "
        "'Value used' (yellow) is an input: change it and every "
        "cash flow, net present saving and chart follows (each cell has the defined name of its key, e.g. "
        "mutual__staff_cost_change). Shares are shown as percentages; "
        f"money in GBP ({result.price_basis}) unless the unit says GBP thousand."
    )


def _assumption_row(
    ws: Worksheet, r: int, a: Any, rank: str, names: Mapping[str, str], widths: Mapping[int, float]
) -> str:
    """Row ``r``: one assumption (``a``, a row of ``result.assumptions``) with its range, value used (the input
    cell), as of, basis, quality, verified, source and locator, impact rank (``rank``, text), note and key;
    returns the value-used cell's absolute, sheet-qualified reference."""
    scope = "All options" if a.scope == PROJECT_SCOPE else names.get(a.scope, a.scope)
    if a.scope == registry.STATUS_QUO:
        scope = names.get(a.scope, a.scope)
    put_text(ws, r, 1, scope, "dd_text")
    put_text(ws, r, 2, a.description, "dd_text")
    put_text(ws, r, 3, a.unit, "dd_text")
    fmt = style_for_unit(a.unit, a.low, a.central, a.high, a.value_used)
    for c, v in ((4, a.low), (5, a.central), (6, a.high)):
        put_number(ws, r, c, v, fmt)
    put_number(ws, r, COLUMN["Value used"], a.value_used, fmt.replace("dd_", "dd_input_"))
    put_text(ws, r, COLUMN["As of"], formats.text_or_blank(a.as_of), "dd_center")
    put_text(ws, r, COLUMN["Basis"], a.basis, "dd_center")
    put_text(ws, r, COLUMN["Quality"], a.quality, QUALITY_STYLE.get(str(a.quality), "dd_center"))
    put_text(ws, r, COLUMN["Verified"], "yes" if bool(a.verified) else "no", "dd_center")
    source = put_text(ws, r, COLUMN["Source"], a.source, "dd_text")
    link = str(a.link or "")
    if link.startswith(("http://", "https://")):
        source.hyperlink = link
    locator = formats.locator_text(a.locator, getattr(a, "also_cited", ""))
    put_text(ws, r, COLUMN["Locator"], locator, "dd_text")
    put_text(ws, r, COLUMN["Impact rank"], rank, "dd_center")
    put_text(ws, r, COLUMN["Note"], a.note or "", "dd_text")
    put_text(ws, r, COLUMN["Key (file)"], f"{a.scope}.{a.key} ({a.file})", "dd_text")
    fit_row(
        ws,
        r,
        [
            (a.description, widths[COLUMN["Assumption"]]),
            (a.unit, widths[COLUMN["Unit"]]),
            (a.source, widths[COLUMN["Source"]]),
            (locator, widths[COLUMN["Locator"]]),
            (a.note or "", widths[COLUMN["Note"]]),
            (f"{a.scope}.{a.key} ({a.file})", widths[COLUMN["Key (file)"]]),
        ],
    )
    return sheet_ref(ws.title, COLUMN["Value used"], r, absolute=True)
