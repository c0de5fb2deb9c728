"""The money sheets: Green Book discount rates (inputs) and cash flows by year per option (live formulas).

Discount rates: one row per Green Book band (from year, to year, rate); the rates are the inputs an
accountant may change. Cash flows: every cell is a FORMULA, the yearly cash flows by component
(from the Model and Assumptions sheets, :mod:`.formulas`), every total, subtotal, saving, discount
rate applying, discount factor, present value and net present value, so that editing an assumption
or a rate recalculates every cash flow and present value in the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable, Sequence

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..appraisal import MONEY_TOLERANCE_GBP
from ..cashflow import COMPONENT_LABELS, ONE_OFF_COMPONENTS, OPERATING_COMPONENTS
from ..errors import DDAnalysisError
from ..result import AppraisalResult
from .cells import put_formula, put_number, put_text, range_ref, ref, set_style, sheet_ref
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header

Bands = Sequence[tuple[int, "int | None", float]]
#: The Cash flows sheet's first year column (the Model sheet's yearly rows use the same columns).
CASHFLOW_FIRST_COL = 2


@dataclass(frozen=True)
class DiscountRefs:
    """Where the discount-rate inputs are: the lookup range (from year .. rate) and each rate cell."""

    sheet: str
    lookup_range: str  # e.g. 'Discount rates'!$B$9:$D$14 (from year, to year, rate)
    rate_cells: tuple[str, ...]  # one per band, in band order


@dataclass
class OptionRows:
    """Row numbers of one option's block on the cash-flow sheet (0 = not present)."""

    name: str
    components: dict[str, int] = field(default_factory=dict)
    operating: int = 0
    one_off: int = 0
    total: int = 0
    saving: int = 0
    cumulative_saving: int = 0
    pv_saving: int = 0
    cumulative_pv_saving: int = 0
    stays_positive: int = 0


@dataclass
class CashflowRefs:
    """Where the cash-flow sheet keeps each option's rows and the year columns."""

    sheet: str
    first_col: int
    last_col: int
    total_col: int
    pv_col: int
    year_row: int
    fy_row: int
    rate_row: int
    factor_row: int
    options: dict[str, OptionRows]

    def cell(self, option: str, row_name: str, col: int) -> str:
        """Absolute reference to a cell of an option's row, from another sheet."""
        row = getattr(self.options[option], row_name)
        if not row:
            raise KeyError(f"{option} has no {row_name} row")
        return sheet_ref(self.sheet, col, row, absolute=True)

    def npc(self, option: str) -> str:
        return self.cell(option, "total", self.pv_col)

    def nps(self, option: str) -> str:
        return self.cell(option, "pv_saving", self.pv_col)

    def year_col(self, index: int) -> int:
        return self.first_col + index


# --- discount rates ---------------------------------------------------------------------------------


def write_discount_rates(
    ws: Worksheet, ctx: Context, bands: Bands, source_title: str, source_link: str, horizon: int
) -> DiscountRefs:
    """The Green Book band table (inputs) and how the factors are built from it."""
    widths = {1: 30, 2: 12, 3: 12, 4: 12, 5: 70}
    r = sheet_header(ws, ctx, "Discount rates (HM Treasury Green Book)", widths)
    put_text(ws, r, 1, "Social time preference rate by year of the appraisal", "dd_section")
    for c in range(2, 6):
        set_style(ws, r, c, "dd_section")
    r += 1
    notes = [
        "The rates below are INPUTS (yellow): change one and every discount factor, present value and net present "
        "value in this workbook recalculates.",
        "Year 0 (the first appraisal year) is undiscounted. Each later year's discount factor is the previous year's "
        "factor divided by (1 + the rate of the band that year falls in), so 3.5% gives 1/1.035^t up to year 30.",
        f"This appraisal runs {horizon} years (years 0 to {horizon - 1}); later bands are shown for completeness.",
    ]
    for text in notes:
        put_text(ws, r, 1, text, "dd_note")
        r += 1
    r += 1
    header = r
    for c, label in enumerate(("Band", "From year", "To year", "Rate", "Applies in this appraisal"), start=1):
        put_text(ws, header, c, label, "dd_header" if c > 1 else "dd_header_left")
    rate_cells = []
    first_band_row = header + 1
    for i, (lo, hi, rate) in enumerate(bands):
        row = first_band_row + i
        put_text(ws, row, 1, f"Years {lo} to {hi}" if hi is not None else f"Year {lo} onwards", "dd_label")
        put_number(ws, row, 2, lo, "dd_int")
        if hi is None:
            put_text(ws, row, 3, "and beyond", "dd_center")
        else:
            put_number(ws, row, 3, hi, "dd_int")
        put_number(ws, row, 4, rate, "dd_rate_input")
        used = lo <= horizon - 1
        put_text(ws, row, 5, "yes" if used else "no (beyond the horizon)", "dd_label")
        rate_cells.append(sheet_ref(ws.title, 4, row, absolute=True))
    last_band_row = first_band_row + len(bands) - 1
    r = last_band_row + 2
    put_text(ws, r, 1, "Source", "dd_key")
    put_text(ws, r, 2, source_title, "dd_note_wrap")
    merge(ws, r, 2, r, 5)
    fit_row(ws, r, [(source_title, 100)], small=True)
    if source_link:
        r += 1
        cell = put_text(ws, r, 2, source_link, "dd_link")
        if source_link.startswith(("http://", "https://")):
            cell.hyperlink = source_link
    set_widths(ws, widths)
    print_setup(ws, title_rows=(header, header), landscape=False)
    return DiscountRefs(
        sheet=ws.title,
        lookup_range=range_ref(ws.title, 2, first_band_row, 4, last_band_row),
        rate_cells=tuple(rate_cells),
    )


# --- cash flows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _YearGrid:
    """Where the cash-flow sheet's columns are (label, one per appraisal year, total, present value) and the row of
    discount factors that every present value multiplies by."""

    label_col: int
    first_col: int
    last_col: int
    total_col: int
    pv_col: int
    factor_row: int

    @property
    def year_cols(self) -> range:
        """The year columns, year 0 first."""
        return range(self.first_col, self.last_col + 1)

    @property
    def factor_range(self) -> str:
        """Absolute range of the discount factors, for SUMPRODUCT."""
        return f"{ref(self.first_col, self.factor_row, True)}:{ref(self.last_col, self.factor_row, True)}"


def _year_header_rows(ws: Worksheet, fy_row: int, result: AppraisalResult, grid: _YearGrid) -> None:
    """Two header rows: the financial year labels (``2014-15``), then the year index (0 = undiscounted)."""
    year_row = fy_row + 1
    years = result.annual[result.annual.option == registry.STATUS_QUO].sort_values("year_index")
    put_text(ws, fy_row, grid.label_col, f"GBP, {result.price_basis}", "dd_header_left")
    put_text(ws, year_row, grid.label_col, "Year index (0 = undiscounted)", "dd_label_bold")
    for t, fy in enumerate(years.financial_year):
        put_text(ws, fy_row, grid.first_col + t, fy, "dd_header")
        put_number(ws, year_row, grid.first_col + t, t, "dd_int_bold")
    put_text(ws, fy_row, grid.total_col, "Total (undiscounted)", "dd_header")
    ws.row_dimensions[fy_row].height = 30
    put_text(ws, fy_row, grid.pv_col, "Present value", "dd_header")
    set_style(ws, year_row, grid.total_col, "dd_cell")
    set_style(ws, year_row, grid.pv_col, "dd_cell")


def _discount_rows(ws: Worksheet, year_row: int, grid: _YearGrid, discount: DiscountRefs) -> None:
    """The discount rate of each year (VLOOKUP in the band table) and the discount factor (year 0 is 1; each later
    year's is the previous year's divided by 1 + that year's rate), as formulas."""
    rate_row, factor_row = year_row + 1, grid.factor_row
    put_text(ws, rate_row, grid.label_col, "Discount rate (from the Discount rates sheet)", "dd_label")
    put_text(ws, factor_row, grid.label_col, "Discount factor", "dd_label_bold")
    for c in grid.year_cols:
        put_formula(ws, rate_row, c, f"=VLOOKUP({ref(c, year_row)},{discount.lookup_range},3,TRUE)", "dd_rate")
        if c == grid.first_col:
            put_number(ws, factor_row, c, 1, "dd_factor")
        else:
            put_formula(ws, factor_row, c, f"={ref(c - 1, factor_row)}/(1+{ref(c, rate_row)})", "dd_factor")


def _option_heading(name: str, opt: str, recommended: str | None) -> str:
    """An option block's heading: its name, marked as the benchmark (the status quo) or recommended."""
    is_sq = opt == registry.STATUS_QUO
    heading = f"{name}" + (" - the benchmark" if is_sq else "")
    if opt == recommended and not is_sq:
        heading += "  (recommended)"
    elif opt == recommended:
        heading += "  (recommended: keep the status quo)"
    return heading


#: An option's component formula templates (``{col}`` for the year column), given where its own rows are:
#: (option id, component -> that component's cell template on this sheet) -> component -> template.
FormulaMaker = Callable[[str, Callable[[str], str]], dict[str, str]]


def _cost_rows(
    ws: Worksheet,
    r: int,
    rows: OptionRows,
    formulas: dict[str, str],
    operating: list[str],
    one_off: list[str],
    grid: _YearGrid,
) -> int:
    """An option's component rows (formulas, GBP), the operating and one-off subtotals and the total cost, from
    row ``r`` (``rows.components`` already holds each component's row); returns the next free row."""

    def subtotal_block(r: int, label: str, comps: list[str]) -> int:
        """One row per component from row ``r``, then their subtotal; returns the subtotal's row."""
        for comp in comps:
            put_text(ws, r, grid.label_col, COMPONENT_LABELS[comp], "dd_label_indent")
            for c in grid.year_cols:
                put_formula(ws, r, c, formulas[comp].format(col=get_column_letter(c)), "dd_gbp")
            _row_totals(ws, r, grid.first_col, grid.last_col, grid.total_col, grid.pv_col, grid.factor_range, "dd_gbp")
            r += 1
        _sum_rows(
            ws,
            r,
            label,
            [rows.components[c] for c in comps],
            grid.first_col,
            grid.last_col,
            grid.total_col,
            grid.pv_col,
            grid.factor_range,
        )
        return r

    rows.operating = subtotal_block(r, "Operating costs, net of income", operating)
    rows.one_off = subtotal_block(rows.operating + 1, "One-off transition costs", one_off)
    r = rows.one_off + 1
    rows.total = r
    put_text(ws, r, grid.label_col, "Total cost", "dd_label_bold")
    for c in grid.year_cols:
        put_formula(ws, r, c, f"={ref(c, rows.operating)}+{ref(c, rows.one_off)}", "dd_gbp_total")
    _row_totals(ws, r, grid.first_col, grid.last_col, grid.total_col, grid.pv_col, grid.factor_range, "dd_gbp_total")
    return r + 1


def _own_cell(rows: dict[str, int], component: str) -> str:
    """A component's cell of the same option in the year column ``{col}`` (a template)."""
    return f"{{col}}{rows[component]}"


def _component_layout(r: int, operating: list[str], one_off: list[str]) -> dict[str, int]:
    """Rows of an option's components from row ``r``: operating lines, a subtotal row, one-off lines."""
    out = {comp: r + i for i, comp in enumerate(operating)}
    start = r + len(operating) + 1
    out.update({comp: start + i for i, comp in enumerate(one_off)})
    return out


def _running_total_row(ws: Worksheet, r: int, label: str, of_row: int, grid: _YearGrid) -> None:
    """A cumulative row: each year's cell is the previous year's plus that year's value of row ``of_row``."""
    put_text(ws, r, grid.label_col, label, "dd_label_indent")
    for c in grid.year_cols:
        f = f"={ref(c, of_row)}" if c == grid.first_col else f"={ref(c - 1, r)}+{ref(c, of_row)}"
        put_formula(ws, r, c, f, "dd_gbp")


def _saving_rows(ws: Worksheet, r: int, rows: OptionRows, sq_rows: OptionRows, grid: _YearGrid) -> int:
    """An option's saving against the status quo (GBP a year), its running total, its present value (the net present
    saving is their sum) and that running total, all formulas, from row ``r``; returns the next free row."""
    rows.saving = r
    put_text(ws, r, grid.label_col, "Saving against the status quo", "dd_label_bold")
    for c in grid.year_cols:
        put_formula(ws, r, c, f"={ref(c, sq_rows.total)}-{ref(c, rows.total)}", "dd_gbp_bold")
    put_formula(ws, r, grid.total_col, f"=SUM({ref(grid.first_col, r)}:{ref(grid.last_col, r)})", "dd_gbp_bold")
    r += 1
    rows.cumulative_saving = r
    _running_total_row(ws, r, "Cumulative saving", rows.saving, grid)
    r += 1
    rows.pv_saving = r
    put_text(ws, r, grid.label_col, "Present value of saving (saving x discount factor)", "dd_label_bold")
    for c in grid.year_cols:
        put_formula(ws, r, c, f"={ref(c, rows.saving)}*{ref(c, grid.factor_row)}", "dd_gbp_bold")
    put_formula(ws, r, grid.pv_col, f"=SUM({ref(grid.first_col, r)}:{ref(grid.last_col, r)})", "dd_gbp_total")
    put_text(ws, r, grid.total_col, "Net present saving:", "dd_note")
    r += 1
    rows.cumulative_pv_saving = r
    _running_total_row(ws, r, "Cumulative present value of saving", rows.pv_saving, grid)
    rows.stays_positive = r + 1
    _stays_positive_row(ws, r + 1, rows.cumulative_saving, grid)
    return r + 2


#: The label of the payback helper row (1 from the year the cumulative saving is positive and stays so).
STAYS_POSITIVE_LABEL = "Cumulative saving positive from here to the horizon (1 = yes)"


def _stays_positive_row(ws: Worksheet, r: int, cumulative_row: int, grid: _YearGrid) -> None:
    """1 in each year from which the cumulative saving is above the penny tolerance in every later year (the
    payback rule of :func:`ddanalysis.appraisal.payback_index`), else 0: a formula from the last year back."""
    put_text(ws, r, grid.label_col, STAYS_POSITIVE_LABEL, "dd_label_indent")
    for c in grid.year_cols:
        later = "" if c == grid.last_col else f"*{ref(c + 1, r)}"
        put_formula(ws, r, c, f"=IF({ref(c, cumulative_row)}>{MONEY_TOLERANCE_GBP},1,0){later}", "dd_int")


def payback_formula(cf: "CashflowRefs", option: str) -> str:
    """The payback year of ``option`` as a formula: the financial year of the first 1 in its stays-positive row,
    or "beyond horizon"."""
    rows = cf.options[option]
    flags = range_ref(cf.sheet, cf.first_col, rows.stays_positive, cf.last_col, rows.stays_positive)
    years = range_ref(cf.sheet, cf.first_col, cf.fy_row, cf.last_col, cf.fy_row)
    return f'=IF(SUM({flags})=0,"beyond horizon",INDEX({years},1,MATCH(1,{flags},0)))'


def write_cashflows(
    ws: Worksheet, ctx: Context, result: AppraisalResult, discount: DiscountRefs, formulas: FormulaMaker
) -> CashflowRefs:
    """Cash flows by year per option, every cell a formula: components from ``formulas`` (the Model sheet's
    arithmetic), then totals, savings, discount factors and present values."""
    T = result.horizon_years
    first_col, label_col = CASHFLOW_FIRST_COL, 1
    last_col = first_col + T - 1
    total_col, pv_col = last_col + 1, last_col + 2
    widths = {label_col: 48, **{c: 12 for c in range(first_col, last_col + 1)}, total_col: 14, pv_col: 14}
    r = sheet_header(ws, ctx, "Cash flows by year", widths)
    fy_row, year_row = r, r + 1
    rate_row, factor_row = year_row + 1, year_row + 2
    grid = _YearGrid(label_col, first_col, last_col, total_col, pv_col, factor_row)
    _year_header_rows(ws, fy_row, result, grid)
    _discount_rows(ws, year_row, grid, discount)
    r = factor_row + 1
    put_text(
        ws,
        r,
        label_col,
        "Every cell is a formula: component rows from the Model and Assumptions sheets (costs positive, income "
        "negative, optimism bias on its own lines), then subtotals, savings, discount factors and present values.",
        "dd_note",
    )
    r += 2

    options = _option_blocks(ws, r, result, formulas, grid)
    set_widths(ws, widths)
    print_setup(ws, title_rows=(fy_row, year_row), freeze=ref(first_col, year_row + 1))
    return CashflowRefs(
        sheet=ws.title,
        first_col=first_col,
        last_col=last_col,
        total_col=total_col,
        pv_col=pv_col,
        year_row=year_row,
        fy_row=fy_row,
        rate_row=rate_row,
        factor_row=factor_row,
        options=options,
    )


def _option_blocks(
    ws: Worksheet, r: int, result: AppraisalResult, formulas: FormulaMaker, grid: _YearGrid
) -> dict[str, OptionRows]:
    """From row ``r``, one block per option (status quo first): its heading, cost component rows (formulas from
    ``formulas``), subtotals and, for the other options, the saving against the status quo; option id -> rows."""
    onames = option_names(result).__getitem__
    label_col, pv_col = grid.label_col, grid.pv_col
    operating, one_off = list(OPERATING_COMPONENTS), list(ONE_OFF_COMPONENTS)
    options: dict[str, OptionRows] = {}
    sq_rows: OptionRows | None = None
    for opt in result.options.id:
        rows = OptionRows(name=onames(opt))
        for c in range(label_col, pv_col + 1):
            set_style(ws, r, c, "dd_subheader")
        put_text(ws, r, label_col, _option_heading(rows.name, opt, result.recommended), "dd_subheader")
        r += 1
        rows.components = _component_layout(r, operating, one_off)
        templates = formulas(opt, partial(_own_cell, rows.components))
        r = _cost_rows(ws, r, rows, templates, operating, one_off, grid)
        if opt == registry.STATUS_QUO:
            sq_rows = rows
        else:
            assert sq_rows is not None, "the status quo comes first"
            r = _saving_rows(ws, r, rows, sq_rows, grid)
        options[opt] = rows
        r += 1
    return options


def _row_totals(
    ws: Worksheet, row: int, first_col: int, last_col: int, total_col: int, pv_col: int, factor_range: str, style: str
) -> None:
    """Total (undiscounted) and present value (SUMPRODUCT with the discount factors) of a row."""
    span = f"{ref(first_col, row)}:{ref(last_col, row)}"
    put_formula(ws, row, total_col, f"=SUM({span})", style)
    put_formula(ws, row, pv_col, f"=SUMPRODUCT({span},{factor_range})", style)


def _sum_rows(
    ws: Worksheet,
    row: int,
    label: str,
    rows: list[int],
    first_col: int,
    last_col: int,
    total_col: int,
    pv_col: int,
    factor_range: str,
) -> None:
    put_text(ws, row, 1, label, "dd_label_bold")
    for c in range(first_col, last_col + 1):
        if rows:
            f = (
                f"=SUM({ref(c, rows[0])}:{ref(c, rows[-1])})"
                if rows == list(range(rows[0], rows[-1] + 1))
                else "=" + "+".join(ref(c, x) for x in rows)
            )
        else:
            f = "=0"
        put_formula(ws, row, c, f, "dd_gbp_subtotal")
    _row_totals(ws, row, first_col, last_col, total_col, pv_col, factor_range, "dd_gbp_subtotal")


def check_factors(result: AppraisalResult, bands: Bands) -> None:
    """The bands must reproduce the result's discount factors (else the workbook would not reconcile)."""
    from ..appraisal import discount_factors

    expected = discount_factors(result.horizon_years, bands)
    got = result.annual[result.annual.option == registry.STATUS_QUO].sort_values("year_index").discount_factor
    if not np.allclose(expected, got.to_numpy(), rtol=0, atol=1e-12):
        raise DDAnalysisError(
            f"{result.project_id}: the Green Book bands in data/assumptions/appraisal.yaml do not "
            "reproduce the appraisal's discount factors; re-run the appraisal before exporting"
        )
