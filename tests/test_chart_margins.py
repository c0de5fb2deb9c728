"""Chart margins worked out in Python from the labels' text (ddanalysis.chart_margins).

Expected widths are sums of the fonts' advance widths, read from Liberation Sans 2 (Regular and Bold;
the same as Arial's), in thousandths of an em, times the font size in pixels: worked in each docstring.
"""

from __future__ import annotations

import copy
import json

import plotly.graph_objects as go
import pytest

from ddanalysis import charts
from ddanalysis.chart_margins import PAD, fixed_margins, label_lines, text_width
from ddanalysis.engine import appraise


def _spec(fig: go.Figure) -> dict:
    return json.loads(fig.to_json())


def test_text_width_sums_the_fonts_advance_widths():
    """Arial / Liberation Sans: '£' 556, '0' 556 -> 1,112 thousandths of an em; at 14 px, 15.568 px.
    'Wirral' in bold: W 944, i 278, r 389, r 389, a 556, l 278 = 2,834 -> at 10 px, 28.34 px.
    A character outside the table ('★', drawn from a fallback font) counts a full em: 13 px at 13 px."""
    assert text_width("£0", 14) == pytest.approx(15.568)
    assert text_width("Wirral", 10, bold=True) == pytest.approx(28.34)
    assert text_width("★", 13) == pytest.approx(13.0)


def test_label_lines_split_breaks_and_drop_tags():
    assert label_lines("<b>Trust</b> ★<br>Fish &amp; chips") == [("Trust ★", True), ("Fish & chips", False)]
    assert label_lines(2019) == [("2019", False)]


def _bars() -> go.Figure:
    fig = go.Figure(go.Bar(y=["Alpha", "Be"], x=[1.0, 2.0], orientation="h"))
    fig.update_layout(template="plotly_white", font=dict(size=14), margin=dict(l=20, r=24, t=60, b=20))
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), ticklabelstandoff=8)
    fig.update_xaxes(tickmode="array", tickvals=[0, 1000], ticktext=["£0", "£1,000"], title=dict(text="saving (GBP)"))
    return fig


def test_left_margin_holds_the_widest_category_and_its_standoff():
    """y labels 'Alpha' (A 667 + l 222 + p 556 + h 556 + a 556 = 2,557) and 'Be' (667 + 556 = 1,223) at 13 px:
    the widest is 2,557 x 13 / 1000 = 33.241 px. Left margin = standoff 8 + pad 4 + 33.241 + pad 4 = 49.241,
    rounded up: 50 px (wider than the layout's 20)."""
    out = fixed_margins(_spec(_bars()))
    assert out["layout"]["margin"]["l"] == 50
    assert out["layout"]["yaxis"]["automargin"] is False
    assert 2 * PAD + 8 + 2557 * 13 / 1000 == pytest.approx(49.241)


def test_bottom_margin_holds_one_line_of_ticks_and_the_title():
    """x tick text '£0', '£1,000' (one line each) at the figure's 14 px: 14 x 1.3 (plotly's line spacing)
    = 18.2 px, + pad 4 = 22.2. Title 'saving (GBP)' at plotly's default 1.2 x 14 = 16.8 -> 17 px, after the
    plotly_white template's standoff of 15 px: + 15 + 17 = 54.2; + pad 4 = 58.2, rounded up: 59 px."""
    out = fixed_margins(_spec(_bars()))
    assert out["layout"]["margin"]["b"] == 59
    assert out["layout"]["xaxis"]["automargin"] is False


def test_the_input_is_not_changed_and_other_margins_are_kept():
    spec = _spec(_bars())
    before = copy.deepcopy(spec)
    out = fixed_margins(spec)
    assert spec == before
    assert out["layout"]["margin"]["t"] == 60 and out["layout"]["margin"]["r"] == 24


def test_a_wider_margin_already_set_is_kept():
    """The layout asks for 120 px on the left, more than the 50 px the labels need: 120 stays."""
    fig = _bars().update_layout(margin=dict(l=120))
    assert fixed_margins(_spec(fig))["layout"]["margin"]["l"] == 120


def test_numbers_typed_arrays_are_read():
    """A numeric axis without tick text: plotly's JSON carries the values as a typed array. Values up to 180
    give at most the label '180.8' (the whole number and a decimal place, the longest plotly's default
    format gives there): 1 556 + 8 556 + 0 556 + . 278 + 8 556 = 2,502 -> at 14 px, 35.028 px; margin 4 +
    35.028 + 4 = 43.028 -> 44 px."""
    import numpy as np

    fig = go.Figure(go.Scatter(x=["2010-11", "2011-12"], y=np.array([100.0, 180.0])))
    fig.update_layout(template="plotly_white", font=dict(size=14), margin=dict(l=20, b=20), showlegend=False)
    spec = _spec(fig)
    assert "bdata" in spec["data"][0]["y"]  # plotly's typed array
    assert fixed_margins(spec)["layout"]["margin"]["l"] == 44


def _x_left_to_plotly(spec: dict) -> bool:
    """The x axis's automargin is not turned off (plotly fits its margin in the browser)."""
    return (spec["layout"].get("xaxis") or {}).get("automargin", True) is not False


def test_what_cannot_be_worked_out_is_left_to_plotly():
    """Two y axes: the figure comes back as it was. A date x axis keeps automargin while the y axis is fixed.
    A legend below the plot keeps the x axis's automargin (plotly adds the legend's rows to that margin)."""
    two = go.Figure([go.Bar(x=["a"], y=[1]), go.Scatter(x=["a"], y=[2], yaxis="y2")])
    two.update_layout(template="plotly_white", yaxis2=dict(overlaying="y", side="right"))
    spec = _spec(two)
    assert fixed_margins(spec) is spec

    dated = go.Figure(go.Bar(x=["2016-04-01", "2017-04-01"], y=[1, 2]))
    dated.update_layout(template="plotly_white", xaxis_type="date", showlegend=False)
    out = fixed_margins(_spec(dated))
    assert _x_left_to_plotly(out)
    assert out["layout"]["yaxis"]["automargin"] is False

    legend = go.Figure([go.Bar(x=["a", "b"], y=[1, 2], name="one"), go.Bar(x=["a", "b"], y=[2, 1], name="two")])
    legend.update_layout(template="plotly_white", legend=dict(orientation="h", yref="container", y=0))
    out = fixed_margins(_spec(legend))
    assert _x_left_to_plotly(out)
    assert out["layout"]["yaxis"]["automargin"] is False


def test_long_or_many_bottom_labels_are_left_to_plotly():
    """Labels plotly may turn on a narrow screen keep automargin: one wider than 90 px ('Community-led
    delivery' at 14 px is well over), or more than 12 of them."""
    wide = go.Figure(go.Bar(x=["Community-led delivery", "Trust"], y=[1, 2]))
    wide.update_layout(template="plotly_white", showlegend=False)
    assert _x_left_to_plotly(fixed_margins(_spec(wide)))
    many = go.Figure(go.Bar(x=[f"{y}-{y % 100 + 1:02d}" for y in range(2000, 2013)], y=list(range(13))))
    many.update_layout(template="plotly_white", showlegend=False)
    assert _x_left_to_plotly(fixed_margins(_spec(many)))


def test_the_dashboards_bundle_carries_fixed_margins():
    """The first chart of the appraisal page (net present saving by option, no legend) leaves Python with
    both axes' margins worked out: plotly draws it once."""
    result = appraise("walsall-college", draws=0)
    spec = charts.mimebundle(charts.npv_by_option(result))[charts.PLOTLY_MIME]
    assert spec["layout"]["yaxis"]["automargin"] is False
    assert spec["layout"]["xaxis"]["automargin"] is False
    assert spec["layout"]["margin"]["l"] > 100  # option names such as 'Public service mutual (employee-led'
