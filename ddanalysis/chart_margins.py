"""Chart margins worked out from the labels' text, so that the browser lays each chart out once.

With ``automargin`` on, plotly.js measures every tick label and axis title in the browser and, when
they do not fit the margins, lays the chart out again with wider ones. The programme page's two
charts took 266 ms to draw the first time and 144 ms after that; with the margins set here, 180 ms
and 74 ms (medians of six pages, headless Chromium, plotly.js 4.1). Here the margins are worked out
from the labels' text and the widths of the font's characters instead, before the figure leaves
Python, and plotly lays it out once.

Character widths (advance widths, thousandths of an em) are those of Liberation Sans 2 Regular and
Bold, which a Linux browser draws for the charts' ``Arial, Helvetica, sans-serif``. They are
metrically compatible with Arial (the same advance widths), so the margins also hold where Arial
itself is drawn. A character outside the table counts as a full em, wider than any in it.

Only what can be worked out from the figure alone is fixed: figures with one x and one y axis, tick
labels on the left and at the bottom that are categories, the figure's own tick text, or plain
numbers, and, at the bottom, labels short enough that plotly does not turn them and no legend below
(its height depends on the width drawn). Any other axis keeps ``automargin``, and plotly fits it in
the browser as before.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

#: The characters with a width in the tables below: printable ASCII, then ``£…–—’‘“”``.
CHARACTERS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~£…–—’‘“”"
#: Advance widths of Liberation Sans 2 Regular (as Arial), thousandths of an em, in the order of CHARACTERS.
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667,
    556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556,
    556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722,
    500, 500, 500, 334, 260, 334, 584, 556, 1000, 556, 1000, 222, 222, 333, 333,
)  # fmt: skip
#: The same for Liberation Sans 2 Bold (as Arial Bold).
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722,
    611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556,
    611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778,
    556, 556, 500, 389, 280, 389, 584, 556, 1000, 556, 1000, 278, 278, 500, 500,
)  # fmt: skip
_WIDTHS = {False: dict(zip(CHARACTERS, _REGULAR)), True: dict(zip(CHARACTERS, _BOLD))}
#: Width of a character not in the tables (thousandths of an em): a full em.
UNKNOWN_WIDTH = 1000

#: plotly.js's line height for multi-line text, in font sizes (``LINE_SPACING`` in its constants).
LINE_SPACING = 1.3
#: Room, in pixels, between an axis and its tick labels that plotly leaves beyond ``ticklabelstandoff``,
#: and around a margin's contents: a little more than plotly's own (2-3 px), never less.
PAD = 4
#: At the bottom, tick labels wider than this (pixels) may be turned by plotly on a narrow screen; such an
#: axis keeps ``automargin``. Each label of the dashboards' year axes is about 50 px.
MAX_UPRIGHT_LABEL = 90
#: ... and so may more labels than this.
MAX_UPRIGHT_COUNT = 12

_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in pixels of one line of plain ``text`` in Arial (Liberation Sans) at ``size`` pixels.

    Example: ``text_width("£0", 14)`` is (556 + 556) / 1000 x 14 = 15.568 px."""
    widths = _WIDTHS[bold]
    return sum(widths.get(ch, UNKNOWN_WIDTH) for ch in text) * size / 1000.0


def label_lines(label: Any) -> list[tuple[str, bool]]:
    """A plotly label as its lines: ``(plain text, bold)`` for each ``<br>``-separated line, tags removed and
    entities decoded; a line is bold when it holds a ``<b>`` tag (the widest reading of it)."""
    out = []
    for line in _BREAK.split(str(label)):
        out.append((html.unescape(_TAG.sub("", line)), "<b>" in line.lower()))
    return out


def label_size(labels: Iterable[Any], size: float) -> tuple[float, int]:
    """The widest line (pixels) and the most lines among ``labels`` at font ``size`` pixels; (0, 0) for none."""
    widest, most = 0.0, 0
    for label in labels:
        lines = label_lines(label)
        most = max(most, len(lines))
        widest = max([widest] + [text_width(t, size, bold) for t, bold in lines])
    return widest, most


def fixed_margins(spec: dict[str, Any]) -> dict[str, Any]:
    """A plotly figure's JSON (``{"data": [...], "layout": {...}}``, as ``fig.to_json()`` gives it) with the
    margins its tick labels and axis titles need set, and ``automargin`` off on each axis whose labels could
    be worked out: a new mapping, ``spec`` is not changed. A figure with any other axis than ``xaxis`` and
    ``yaxis``, or whose axes' labels cannot be worked out, comes back as it is (the same object).

    The left margin holds the y axis's widest tick label, its ``ticklabelstandoff`` and its title; the
    bottom margin holds the x axis's tick labels (lines x font size x LINE_SPACING) and title. A margin
    already wider is kept. plotly's default axis-title size (1.2 x the figure's font, ``Lib.bigFont``) and
    the template's title standoff (15 px in plotly_white) are followed."""
    layout = spec.get("layout") or {}
    if any(re.fullmatch(r"[xy]axis\d+", k) for k in layout):
        return spec
    template = ((layout.get("template") or {}).get("layout")) or {}
    margins: dict[str, float] = {}
    for letter, side in (("y", "l"), ("x", "b")):
        axis = layout.get(f"{letter}axis") or {}
        tmpl = template.get(f"{letter}axis") or {}
        if not axis.get("automargin", tmpl.get("automargin", False)):
            continue
        if letter == "x" and _legend_below(spec):
            continue  # plotly stacks the legend under the axis only while it fits that margin itself
        need = _axis_depth(spec, letter, axis, tmpl)
        if need is not None:
            margins[side] = need
    if not margins:
        return spec
    current = layout.get("margin") or {}
    new_layout = {**layout, "margin": {**current, **{k: max(v, current.get(k) or 0) for k, v in margins.items()}}}
    for side in margins:
        key = "yaxis" if side == "l" else "xaxis"
        new_layout[key] = {**(layout.get(key) or {}), "automargin": False}
    return {**spec, "layout": new_layout}


def _axis_depth(spec: dict[str, Any], letter: str, axis: dict[str, Any], tmpl: dict[str, Any]) -> float | None:
    """Pixels from the plot area's edge to the margin's outer edge that ``axis`` (``letter`` ``x`` or ``y``)
    needs, or None when its labels cannot be worked out here."""
    own_side = "left" if letter == "y" else "bottom"
    if axis.get("side", own_side) != own_side or axis.get("ticklabelposition", "outside") != "outside":
        return None
    if axis.get("overlaying") or axis.get("anchor", "x" if letter == "y" else "y") != ("x" if letter == "y" else "y"):
        return None
    base_size = float(((spec.get("layout") or {}).get("font") or {}).get("size") or 12)
    size = float((axis.get("tickfont") or {}).get("size") or base_size)
    labels = _tick_labels(spec.get("data") or [], letter, axis)
    if labels is None:
        return None
    widest, lines = label_size(labels, size)
    ticks = axis.get("ticks", tmpl.get("ticks"))
    ticklen = float(axis.get("ticklen", 5)) if ticks == "outside" else 0.0
    standoff = float(axis.get("ticklabelstandoff") or 0)
    if letter == "y":
        depth = ticklen + standoff + PAD + widest
    else:
        if axis.get("tickangle") not in (None, 0) or widest > MAX_UPRIGHT_LABEL or len(labels) > MAX_UPRIGHT_COUNT:
            return None
        depth = ticklen + standoff + PAD + lines * size * LINE_SPACING
    title = axis.get("title") or {}
    text = title.get("text") if isinstance(title, dict) else title
    if text:
        title_size = float((title.get("font") or {}).get("size") or round(base_size * 1.2))
        title_standoff = title.get("standoff", (tmpl.get("title") or {}).get("standoff", 10))
        depth += float(title_standoff) + title_size * (1 + (len(label_lines(text)) - 1) * LINE_SPACING)
    return math.ceil(depth + PAD)


def _legend_below(spec: dict[str, Any]) -> bool:
    """Whether the figure shows a legend that is not inside the plot area: plotly then adds the legend's height to
    the margin the axis needs, which depends on how many rows its entries take at the width drawn. A legend
    shows when ``showlegend`` says so or, by default, when two or more traces would appear in it."""
    layout = spec.get("layout") or {}
    shown = layout.get("showlegend")
    if shown is None:
        data = spec.get("data") or []
        shown = sum(1 for t in data if t.get("showlegend", True) and t.get("visible", True) is not False) >= 2
    if not shown:
        return False
    legend = layout.get("legend") or {}
    return legend.get("yref") == "container" or float(legend.get("y", 1)) < 0


def _tick_labels(data: list[dict[str, Any]], letter: str, axis: dict[str, Any]) -> list[Any] | None:
    """The tick labels ``axis`` shows: its own tick text, the categories its traces plot, or plain numbers
    over its traces' values; None when plotly would format them in a way not followed here (dates, a tick
    format, prefix or suffix, a logarithmic axis)."""
    if axis.get("tickvals") is not None and axis.get("ticktext") is not None:
        return list(axis["ticktext"])
    kind = axis.get("type", "-")
    if kind in ("date", "log", "multicategory") or any(axis.get(k) for k in ("tickformat", "tickprefix", "ticksuffix")):
        return None
    values: list[Any] = []
    for trace in data:
        if trace.get("visible", True) is False:
            continue
        values.extend(_values(trace.get(letter)))
    strings = [v for v in values if isinstance(v, str)]
    if kind == "category" or (strings and kind == "-"):
        return list(dict.fromkeys(strings)) if len(strings) == len(values) else None
    numbers = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(float(v))]
    numbers += [float(r) for r in axis.get("range") or () if isinstance(r, int | float)]
    if not numbers:
        return None
    return [_plain_number_label(min(numbers)), _plain_number_label(max(numbers))]


def _values(v: Any) -> list[Any]:
    """A trace's coordinates as a list: plotly's JSON gives a numeric array either as a list or as a typed
    array, ``{"dtype": "f8", "bdata": <base64>}``."""
    if v is None:
        return []
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v) if isinstance(v, list | tuple) else [v]


def _plain_number_label(value: float) -> str:
    """The longest label plotly's default number format can give near ``value``: the whole number with a
    decimal place, or, from 10,000, three digits, a decimal place and an SI letter (``888.8M``)."""
    sign = "-" if value < 0 else ""
    if abs(value) >= 10_000:
        return f"{sign}888.8M"
    return f"{sign}{abs(value):.0f}.8"
