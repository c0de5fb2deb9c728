"""Building a workbook's cells: named styles given as openpyxl gives them, the named styles registered per
workbook (none left holding a workbook), and the garbage collector paused only while a workbook is made."""

from __future__ import annotations

import gc

import pytest
from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell

import ddanalysis as dd
from ddanalysis.excel import export_project_bytes, styles
from ddanalysis.excel.cells import put_formula, put_number, put_text, set_style, styled_cell
from ddanalysis.excel.export import collector_paused


@pytest.fixture
def ws():
    wb = Workbook()
    styles.register(wb)
    return wb.active


def _openpyxl_styled(name: str) -> tuple[int, ...]:
    """The style array openpyxl itself gives a cell of a fresh registered workbook for ``cell.style = name``."""
    wb = Workbook()
    styles.register(wb)
    cell = wb.active.cell(row=1, column=1)
    cell.style = name
    return tuple(cell._style)


@pytest.mark.parametrize("name", ["dd_gbp", "dd_text", "dd_header", "dd_input_pct2", "dd_quality_red"])
def test_a_new_cell_gets_the_same_style_as_openpyxl_gives_it(ws, name):
    """The first use of a name goes through openpyxl; later new cells copy its array: both must equal what
    ``cell.style = name`` gives in a workbook of its own (same fonts, fills, borders and formats, in the same
    order, since both workbooks register the same styles)."""
    expected = _openpyxl_styled(name)
    first = styled_cell(ws, 2, 2, name)
    second = styled_cell(ws, 3, 2, name)
    assert tuple(first._style) == tuple(second._style) == expected
    assert first._style is not second._style  # each cell its own array: restyling one leaves the other
    assert ws.parent.named_styles[second._style.xfId] == name


def test_an_existing_cell_keeps_its_value_and_takes_the_new_style(ws):
    put_text(ws, 4, 1, "Option", "dd_text")
    cell = set_style(ws, 4, 1, "dd_subheader")
    assert ws.cell(row=4, column=1) is cell
    assert cell.value == "Option" and cell.style == "dd_subheader"
    assert tuple(cell._style) == _openpyxl_styled("dd_subheader")


def test_values_are_bound_as_openpyxl_binds_them(ws):
    """Numbers are 'n' cells holding Python ints or floats, formulas 'f', text 's' (a leading '=' stays text)."""
    assert put_number(ws, 1, 1, 15_000, "dd_gbp").data_type == "n"
    assert type(ws["A1"].value) is int and ws["A1"].value == 15_000
    assert put_number(ws, 1, 2, 0.125, "dd_pct").value == 0.125
    assert put_number(ws, 1, 3, float("nan"), "dd_gbp").value is None  # missing: an empty, styled cell
    assert ws["C1"].style == "dd_gbp"
    assert put_number(ws, 1, 4, None, "dd_gbp", missing="n/a").value == "n/a"
    assert ws["D1"].style == "dd_na"
    assert put_formula(ws, 1, 5, "=A1*2", "dd_gbp").data_type == "f"
    cell = put_text(ws, 1, 6, "=1+1", "dd_text")
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", "=1+1", True)


def test_bad_coordinates_are_refused_as_openpyxl_refuses_them(ws):
    with pytest.raises(ValueError):
        styled_cell(ws, 0, 1, "dd_text")
    with pytest.raises(ValueError):
        styled_cell(ws, 1, 0, "dd_text")


def test_a_merged_away_cell_is_restyled_not_replaced(ws):
    ws.merge_cells("A1:B1")
    cell = styled_cell(ws, 1, 2, "dd_header")
    assert isinstance(cell, MergedCell) and ws._cells[(1, 2)] is cell
    assert tuple(cell._style) == _openpyxl_styled("dd_header")


def test_registering_the_styles_binds_none_of_the_module_s_own():
    """openpyxl binds a named style to the workbook it is added to; the module's styles must stay unbound,
    or they keep the last workbook built alive."""
    wb = Workbook()
    styles.register(wb)
    assert all(style._wb is None for style in styles.STYLES.values())
    for name, style in styles.STYLES.items():
        mine = wb._named_styles[name]
        assert mine is not style and mine._wb is wb
        assert (mine.font, mine.fill, mine.border, mine.alignment, mine.number_format) == (
            style.font,
            style.fill,
            style.border,
            style.alignment,
            style.number_format,
        )


def _live_workbooks() -> int:
    return sum(isinstance(o, Workbook) for o in gc.get_objects())


def test_an_export_leaves_no_workbook_behind():
    """The download button's bytes: afterwards no workbook is alive (none is pinned by the module's styles, and
    the one made was freed when the collector came back on)."""
    result = dd.appraise("walsall-college", draws=0)
    gc.collect()
    before = _live_workbooks()
    data = export_project_bytes(result)
    assert data[:2] == b"PK"
    assert _live_workbooks() == before


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_is_paused_inside_and_left_as_it_was(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError("failed while building")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
