"""Native Excel charts (openpyxl.chart): they read the workbook's own cells, so they follow its formulas."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.worksheet.worksheet import Worksheet

from .styles import DARK, MID

AXIS_GBP = '"£"#,##0.0,,"m"'  # GBP million on chart axes (the cells keep pounds)
#: Line colours of the option series (GOV.UK-like palette, distinguishable in grey print).
PALETTE = ("1F4E79", "C55A11", "548235", "7030A0", "BF9000", "2E75B6", "833C0B", "375623")


def _axes(chart) -> None:
    # openpyxl >= 3.1 leaves axis 'delete' unset, which recent Excel reads as hidden axes
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.numFmt = AXIS_GBP
    chart.y_axis.number_format = AXIS_GBP
    chart.legend.position = "b"


def npv_by_option(
    ws: Worksheet,
    anchor: str,
    data_ws: Worksheet,
    label_col: int,
    value_col: int,
    first_row: int,
    last_row: int,
    title: str,
    y_title: str,
) -> BarChart:
    """A horizontal bar chart of one value per option (labels and values in columns of ``data_ws``)."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = title
    chart.y_axis.title = y_title
    values = Reference(data_ws, min_col=value_col, min_row=first_row, max_row=last_row)
    labels = Reference(data_ws, min_col=label_col, min_row=first_row, max_row=last_row)
    chart.add_data(values, titles_from_data=False)
    chart.set_categories(labels)
    series = chart.series[0]
    series.graphicalProperties = GraphicalProperties(solidFill=MID)
    series.graphicalProperties.line = LineProperties(solidFill=MID)
    series.invertIfNegative = False
    _axes(chart)
    chart.legend = None
    chart.x_axis.scaling.orientation = "maxMin"  # first option at the top
    chart.x_axis.tickLblPos = "low"  # option names at the left edge, clear of negative bars
    chart.y_axis.crosses = "max"  # value axis under the bars once the categories are reversed
    chart.gapWidth = 60
    chart.height = 7.5 + 0.6 * max(0, last_row - first_row - 3)
    chart.width = 24
    ws.add_chart(chart, anchor)
    return chart


def savings_by_year(
    ws: Worksheet,
    anchor: str,
    data_ws: Worksheet,
    series: list[tuple[str, int]],
    first_col: int,
    last_col: int,
    header_row: int,
    title: str,
) -> LineChart:
    """A line chart, one series per (name, row of yearly savings on ``data_ws``), financial years on the x axis."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "GBP a year"
    chart.x_axis.title = "Financial year"
    for i, (name, row) in enumerate(series):
        s = Series(Reference(data_ws, min_col=first_col, max_col=last_col, min_row=row, max_row=row), title=name)
        colour = PALETTE[i % len(PALETTE)]
        s.graphicalProperties.line = LineProperties(solidFill=colour, w=28575)
        s.marker.symbol = "circle"
        s.marker.size = 5
        s.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        s.marker.graphicalProperties.line = LineProperties(solidFill=colour)
        s.smooth = False
        chart.series.append(s)
    chart.set_categories(
        Reference(data_ws, min_col=first_col, max_col=last_col, min_row=header_row, max_row=header_row)
    )
    _axes(chart)
    chart.x_axis.tickLblPos = "low"  # year labels below the plot even when savings are negative
    chart.height = 9
    chart.width = 26
    ws.add_chart(chart, anchor)
    return chart


def programme_bars(
    ws: Worksheet, anchor: str, label_col: int, value_col: int, first_row: int, last_row: int, title: str
) -> BarChart:
    """Net present saving of the recommended option, one bar per project."""
    chart = npv_by_option(ws, anchor, ws, label_col, value_col, first_row, last_row, title, "Net present saving (GBP)")
    chart.width = 20
    chart.series[0].graphicalProperties.solidFill = DARK
    return chart


__all__ = ["npv_by_option", "savings_by_year", "programme_bars"]
