"""Charts made fit for an A4 page printed in black and white.

A copy of a :mod:`ddanalysis.charts` figure, sized to the text width, with smaller type, no hover
and no mode bar, bars filled with hatch patterns and lines drawn with dash patterns and marker shapes, so series stay
apart without colour. Plotly draws SVG, which Chromium keeps as vector graphics in the PDF.
"""

from __future__ import annotations

import plotly.graph_objects as go

#: Text width of the A4 page (210 mm less 2 x 16 mm margins) in CSS pixels (96 per inch).
WIDTH_PX = 672
#: Characters of a chart title that fit the text width at 14 px.
TITLE_CHARS = 84
PATTERNS = ("", "/", "\\", "x", ".", "+", "-", "|")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def for_print(fig: go.Figure, width: int = WIDTH_PX) -> go.Figure:
    """A print copy of ``fig`` (the original is not changed)."""
    out = go.Figure(fig)
    height = out.layout.height or 460
    out.update_layout(
        width=width,
        height=int(min(height, 900)),
        font=dict(size=11),
        title=dict(font=dict(size=14)),
        hovermode=False,
        dragmode=False,
        legend=dict(font=dict(size=10)),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
    )
    out.update_xaxes(tickfont=dict(size=9))
    out.update_yaxes(tickfont=dict(size=10))
    title = str(out.layout.title.text or "")
    if len(title) > TITLE_CHARS:  # a long title would run off the page at 14 px
        out.update_layout(title=dict(font=dict(size=max(10, int(14 * TITLE_CHARS / len(title))))))
    lines = [t for t in out.data if t.type == "scatter" and t.mode and "lines" in t.mode]
    bars = scatters = 0
    for trace in out.data:
        if trace.type == "bar":
            trace.marker.pattern = dict(
                shape=PATTERNS[bars % len(PATTERNS)], fgcolor="#000000", fgopacity=0.55, size=6, solidity=0.25
            )
            if trace.marker.line.width is None or trace.marker.line.width == 0:
                trace.marker.line = dict(color="#000000", width=0.6)
            bars += 1
        elif trace.type == "scatter" and trace.mode and "lines" in trace.mode and len(lines) > 1:
            trace.line.dash = DASHES[scatters % len(DASHES)]
            if "markers" in trace.mode:
                trace.marker.symbol = SYMBOLS[scatters % len(SYMBOLS)]
            scatters += 1
    return out
