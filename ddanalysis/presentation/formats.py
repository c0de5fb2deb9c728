"""Number-to-text rules shared by every output (notebooks, dashboards, Excel, CLI, paper).

Money is GBP (pounds), shown to the pound with thousands separators and a leading minus sign
(``-£1,234``); shares are percentages with at most one decimal and no trailing zero (0.035 ->
``3.5%``, 0.41 -> ``41%``); a missing value (None or NaN) is ``-``. Rounding is for display only:
models keep full precision. Excel shows the same values through :data:`EXCEL_FORMATS`, chosen
by unit, none with optional decimals (which Excel shows as a bare trailing point).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

MISSING = "-"


def is_missing(x: Any) -> bool:
    """True for None, NaN and pandas' missing markers."""
    if x is None:
        return True
    try:
        return bool(x != x) or (isinstance(x, float) and math.isnan(x))
    except (TypeError, ValueError):
        return False


def money(x: Any) -> str:
    """GBP to the pound: ``£1,234``, ``-£1,234``; ``-`` when missing."""
    if is_missing(x):
        return MISSING
    v = float(x)
    text = f"£{abs(v):,.0f}"
    return f"-{text}" if v < 0 and text != "£0" else text


def money_thousand(x: Any) -> str:
    """GBP thousand with thousands separators (``1,234``); ``-`` when missing."""
    return MISSING if is_missing(x) else f"{float(x):,.0f}"


def share(x: Any) -> str:
    """A share as a percentage with at most one decimal, trailing zero dropped (0.035 -> ``3.5%``)."""
    if is_missing(x):
        return MISSING
    text = f"{float(x) * 100:,.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return ("0" if text == "-0" else text) + "%"


def chance(p: Any) -> str:
    """A probability as a whole percentage, never rounded to 0% or 100% unless it is exactly that (0.995 ->
    ``over 99%``, 0.004 -> ``under 1%``): a draw that fails must not read as certainty. '-' when missing."""
    if is_missing(p):
        return MISSING
    v = float(p)
    if 0 < v < 0.005:
        return "under 1%"
    if 0.995 <= v < 1:
        return "over 99%"
    return f"{v:.0%}"


def ratio(x: Any) -> str:
    """A ratio to two decimals (``1.37``)."""
    return MISSING if is_missing(x) else f"{float(x):,.2f}"


def score(x: Any) -> str:
    """A score to one decimal (``6.4``), a half rounded up as a spreadsheet rounds it: a weighted score such as
    0.15 x 3 + ... = 4.95 is held as 4.9499999..., which Python's format would show as 4.9 and Excel (at 15
    significant digits) as 5.0, so the float's noise is dropped first (to 9 decimals) and the half rounded away
    from zero."""
    if is_missing(x):
        return MISSING
    exact = Decimal(repr(round(float(x), 9)))
    return str(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def number(x: Any) -> str:
    """A plain number to four significant figures with thousands separators."""
    if is_missing(x):
        return MISSING
    try:
        return format(float(x), ",.4g")
    except (TypeError, ValueError):
        return str(x)


def integer(x: Any) -> str:
    """A whole number with thousands separators."""
    return MISSING if is_missing(x) else f"{int(round(float(x))):,}"


def date(x: Any) -> str:
    """A date as ``01 Apr 2016`` (from a date, a datetime or ISO text)."""
    if is_missing(x) or x == "":
        return MISSING
    if isinstance(x, str):
        x = dt.date.fromisoformat(x[:10])
    return x.strftime("%d %b %Y")


def text(x: Any) -> str:
    """Text as it is; ``-`` when missing."""
    return MISSING if is_missing(x) else str(x)


def text_or_blank(x: Any) -> str:
    """Text as it is; ``''`` when missing (a blank cell, not the ``-`` of :func:`text`)."""
    return "" if is_missing(x) else str(x)


def locator_text(locator: Any, also_cited: Any = "") -> str:
    """Where in its source an assumption's figure is, then its further sources (the assumption book's
    ``also_cited``: ``id, for the high: locator``), as ``locator; also cited: ...``; ``''`` when neither."""
    parts = [text_or_blank(locator), text_or_blank(also_cited)]
    if not parts[1]:
        return parts[0]
    return f"{parts[0]}; also cited: {parts[1]}" if parts[0] else f"also cited: {parts[1]}"


def money_range(low: Any, high: Any) -> str:
    """``£1 to £2`` (``-`` when either end is missing)."""
    return MISSING if is_missing(low) or is_missing(high) else f"{money(low)} to {money(high)}"


def value_in_unit(value: Any, unit: str) -> str:
    """An assumption's value in its own unit: shares as %, percentage points as points ('3.5 points': a gap
    between two rates, never to be read as a rate), GBP with £, 'none in range' when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "none in range"
    v = float(value)
    u = str(unit or "").lower()
    if u.startswith("gbp") and "thousand" in u:
        return money(v * 1000)
    if u.startswith("gbp"):
        return money(v)
    if "percentage points" in u:
        return f"{v * 100:.1f} points"
    if "share" in u or u in ("share", "rate"):
        return f"{v:.1%}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"


#: Unit tag -> text formatter (the unit tags of :class:`ddanalysis.presentation.tables.Table`).
FORMATTERS: dict[str, Callable[[Any], str]] = {
    "gbp": money,
    "gbp_thousand": money_thousand,
    "share": share,
    "ratio": ratio,
    "score": score,
    "number": number,
    "integer": integer,
    "date": date,
    "text": text,
    "html": text,
}

#: Unit tags whose values are numbers (right-aligned, never wrapped).
NUMERIC_UNITS = frozenset({"gbp", "gbp_thousand", "share", "ratio", "score", "number", "integer"})

#: Unit tag -> Excel number format. No format has optional decimals (``#,##0.###`` shows a whole
#: number as ``15,000.`` in Excel), so Excel and LibreOffice show the same text.
EXCEL_FORMATS: dict[str, str] = {
    "gbp": '"£"#,##0;-"£"#,##0',
    "gbp_thousand": "#,##0",
    "share": "0.0%",
    "ratio": "0.00",
    "score": "0.0",
    "number": "#,##0.00",
    "integer": "#,##0",
    "date": "dd mmm yyyy",
    "text": "@",
}


def render(value: Any, unit: str) -> str:
    """``value`` as text by its unit tag (unknown tags are a programming error: KeyError)."""
    return FORMATTERS[unit](value)
