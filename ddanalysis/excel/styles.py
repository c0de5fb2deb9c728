"""Named cell styles and number formats of the board workbook (one place, no per-cell formatting).

Every cell the workbook writes takes one of the named styles below (``cell.style = "dd_gbp"``), so
an accountant sees consistent formats and can restyle the workbook from Excel's Cell Styles gallery.
Money is GBP in whole pounds on screen (the cells hold full precision); inputs an accountant may
change are pale yellow with blue figures (the usual financial-modelling convention).
"""

from __future__ import annotations

import math
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

from ..presentation.formats import EXCEL_FORMATS

#: GBP with thousands separators, negatives red with a minus sign, zero as a dash.
FMT_GBP = '"£"#,##0;[Red]-"£"#,##0;"-"'
#: A share shown as a percentage.
FMT_PCT = "0.0%"
#: A discount rate (input) to two decimal places of a percent.
FMT_RATE = "0.00%"
#: Green Book discount factor.
FMT_FACTOR = "0.0000"
#: MCA score (0-10).
FMT_SCORE = "0.0"
#: A whole number (year index, rank, weeks).
FMT_INT = "0"
#: A plain number (assumptions in their own unit) by the decimals its value needs. Fixed decimals only:
#: an optional-decimal format such as ``#,##0.###`` shows 15000 as "15,000." in Excel.
NUMBER_FORMATS = {0: EXCEL_FORMATS["integer"], 1: "#,##0.0", 2: EXCEL_FORMATS["number"], 3: "#,##0.000"}
#: The same for a share shown as a percentage (decimals of the percentage).
SHARE_FORMATS = {1: EXCEL_FORMATS["share"], 2: "0.00%"}
FMT_NUMBER = NUMBER_FORMATS[2]
#: A date.
FMT_DATE = "d mmm yyyy"
#: A benefit-cost ratio.
FMT_RATIO = "0.00"

DARK = "1F4E79"  # header fill, titles
MID = "2E75B6"  # section rules, chart accent
PALE = "DDEBF7"  # sub-header fill
GREY = "595959"  # notes
INPUT_FILL = "FFF2CC"
INPUT_FONT = "0000CC"
RED = "C00000"

FONT = "Calibri"
_thin = Side(style="thin", color="A6A6A6")
_rule = Side(style="medium", color=MID)
_total_top = Side(style="thin", color="000000")
_total_bottom = Side(style="double", color="000000")


def _style(
    name: str,
    *,
    size: float = 10,
    bold: bool = False,
    italic: bool = False,
    color: str = "000000",
    fill: str | None = None,
    fmt: str = "General",
    h: str | None = None,
    v: str = "top",
    wrap: bool = False,
    border: Border | None = None,
    underline: str | None = None,
    indent: int = 0,
) -> NamedStyle:
    st = NamedStyle(name=name)
    st.font = Font(name=FONT, size=size, bold=bold, italic=italic, color=color, underline=underline)
    if fill:
        st.fill = PatternFill("solid", fgColor=fill)
    st.number_format = fmt
    st.alignment = Alignment(horizontal=h, vertical=v, wrap_text=wrap, indent=indent)
    if border is not None:
        st.border = border
    return st


_INPUT_BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_GRID = Border(bottom=Side(style="hair", color="BFBFBF"))
_TOTAL = Border(top=_total_top, bottom=_total_bottom)
_SUBTOTAL = Border(top=_total_top)
_SECTION = Border(bottom=_rule)

#: name -> style; the order is the order they appear in Excel's gallery.
STYLES: dict[str, NamedStyle] = {
    s.name: s
    for s in (
        _style("dd_title", size=16, bold=True, color=DARK, v="bottom"),
        _style("dd_subtitle", v="center", size=10, color=GREY),
        _style("dd_illustrative", v="center", size=11, bold=True, color="FFFFFF", fill=RED, wrap=True),
        _style("dd_illustrative_box", v="center", size=12, bold=True, color="FFFFFF", fill=RED, wrap=True, h="center"),
        _style("dd_recommendation", size=11, bold=True, color=DARK, v="top", wrap=True),
        _style("dd_section", size=12, bold=True, color=DARK, border=_SECTION, v="bottom"),
        _style("dd_header", v="center", bold=True, color="FFFFFF", fill=DARK, h="center", wrap=True),
        _style("dd_header_left", v="center", bold=True, color="FFFFFF", fill=DARK, h="left", wrap=True),
        _style("dd_subheader", v="center", bold=True, color=DARK, fill=PALE, h="left"),
        _style("dd_recommended", v="center", bold=True, color="FFFFFF", fill="548235", h="center", wrap=True),
        _style("dd_label", border=_GRID),
        _style("dd_label_indent", border=_GRID, indent=1),
        _style("dd_label_bold", bold=True, border=_GRID),
        _style("dd_text_bold_wrap", bold=True, v="top", wrap=True, border=_GRID),
        _style("dd_text", v="top", wrap=True, border=_GRID, indent=1),
        _style("dd_text_plain"),
        _style("dd_text_bold", bold=True),
        _style("dd_key", bold=True, color=DARK, v="top"),
        _style("dd_note", size=9, italic=True, color=GREY),
        _style("dd_note_wrap", size=9, italic=True, color=GREY, v="top", wrap=True, indent=1),
        _style("dd_link", color="0563C1", underline="single"),
        _style("dd_gbp", h="right", fmt=FMT_GBP, border=_GRID),
        _style("dd_gbp_bold", h="right", fmt=FMT_GBP, bold=True, border=_GRID),
        _style("dd_gbp_input", h="right", fmt=FMT_GBP, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER),
        _style("dd_gbp_subtotal", h="right", fmt=FMT_GBP, bold=True, border=_SUBTOTAL),
        _style("dd_gbp_total", h="right", fmt=FMT_GBP, bold=True, border=_TOTAL),
        _style("dd_pct", h="right", fmt=FMT_PCT, border=_GRID),
        _style("dd_rate", h="right", fmt=FMT_RATE, border=_GRID),
        _style(
            "dd_rate_input", h="right", fmt=FMT_RATE, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER, bold=True
        ),
        _style("dd_weight_input", h="right", fmt=FMT_PCT, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER),
        _style("dd_score_input", fmt=FMT_SCORE, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER, h="center"),
        _style("dd_factor", h="right", fmt=FMT_FACTOR, border=_GRID),
        _style("dd_score", fmt=FMT_SCORE, border=_GRID, h="center"),
        _style("dd_score_total", fmt="0.00", bold=True, border=_TOTAL, h="center"),
        _style("dd_pct_total", fmt=FMT_PCT, bold=True, border=_TOTAL, h="center"),
        _style("dd_ratio", h="right", fmt=FMT_RATIO, border=_GRID),
        _style("dd_fte", fmt="#,##0.0", h="right", border=_GRID),
        _style("dd_rank", fmt=FMT_INT, border=_GRID, h="right"),
        _style("dd_int", fmt=FMT_INT, border=_GRID, h="center"),
        _style("dd_int_bold", fmt=FMT_INT, bold=True, border=_GRID, h="center"),
        _style("dd_number", h="right", fmt=FMT_NUMBER, border=_GRID),
        *(_style(f"dd_number{d}", h="right", fmt=f, border=_GRID) for d, f in NUMBER_FORMATS.items()),
        *(_style(f"dd_pct{d}", h="right", fmt=f, border=_GRID) for d, f in SHARE_FORMATS.items()),
        *(
            _style(f"dd_input_number{d}", h="right", fmt=f, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER)
            for d, f in NUMBER_FORMATS.items()
        ),
        *(
            _style(f"dd_input_pct{d}", h="right", fmt=f, color=INPUT_FONT, fill=INPUT_FILL, border=_INPUT_BORDER)
            for d, f in SHARE_FORMATS.items()
        ),
        _style("dd_center", border=_GRID, h="center"),
        _style("dd_date", fmt=FMT_DATE, border=_GRID, h="center"),
        _style("dd_quality_green", bold=True, color="FFFFFF", fill="548235", h="center", border=_GRID),
        _style("dd_quality_amber", bold=True, color="000000", fill="FFC000", h="center", border=_GRID),
        _style("dd_quality_red", bold=True, color="FFFFFF", fill=RED, h="center", border=_GRID),
        _style(
            "dd_bar",
            fill=MID,
            border=Border(top=Side(style="thin", color="FFFFFF"), bottom=Side(style="thin", color="FFFFFF")),
        ),
        _style(
            "dd_bar_critical",
            fill=RED,
            border=Border(top=Side(style="thin", color="FFFFFF"), bottom=Side(style="thin", color="FFFFFF")),
        ),
        _style("dd_milestone", bold=True, color=DARK, h="center"),
        _style("dd_month", v="center", size=8, bold=True, color="FFFFFF", fill=DARK, h="center"),
        _style("dd_cell", border=_GRID),
        _style("dd_na", color=GREY, h="right", border=_GRID),
    )
}


def register(wb: Workbook) -> None:
    """Add every named style to ``wb`` (once), each a new :class:`NamedStyle` of the same font, fill,
    border, alignment and number format as in :data:`STYLES`.

    openpyxl binds a named style to the workbook it is added to; adding the module's own objects would
    leave them holding the last workbook built (about 300,000 objects for the programme's), alive until
    the next one replaced it.
    """
    have = set(wb.named_styles)
    for name, style in STYLES.items():
        if name not in have:
            wb.add_named_style(
                NamedStyle(
                    name=name,
                    font=style.font,
                    fill=style.fill,
                    border=style.border,
                    alignment=style.alignment,
                    number_format=style.number_format,
                    protection=style.protection,
                )
            )


def is_share_unit(unit: str) -> bool:
    """True when an assumption's unit is a share (shown as a percentage)."""
    u = (unit or "").lower()
    return "share" in u or "rate" in u or "%" in u or "percentage" in u


def decimals_needed(values: "tuple[Any, ...] | list[Any]", most: int) -> int:
    """The fewest decimals (0..``most``) that show every finite value in ``values`` exactly (else ``most``)."""
    need = 0
    for v in values:
        try:
            x = float(v)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(x):
            continue
        d = next((d for d in range(most + 1) if abs(round(x, d) - x) <= 1e-9 * max(1.0, abs(x))), most)
        need = max(need, d)
    return need


def style_for_unit(unit: str, *values: Any) -> str:
    """Style of an assumption value by its unit and precision: a share is a percentage with one or two
    decimals, money and counts a number with the fewest fixed decimals (0 to 3) that show ``values``
    (the values that share the style, e.g. one assumption's low, central, high and value used)."""
    if is_share_unit(unit):
        return f"dd_pct{max(1, decimals_needed([float(v) * 100 for v in values if _is_number(v)], 2))}"
    return f"dd_number{decimals_needed(list(values), 3)}"


def _is_number(v: Any) -> bool:
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


QUALITY_STYLE = {"green": "dd_quality_green", "amber": "dd_quality_amber", "red": "dd_quality_red"}
