"""The benefits sheet: each option's outcome benefits by year, agency and kind, with live totals.

Per option, one row per (agency, kind) with the yearly benefits (values from the model: GBP, real
base-year prices, undiscounted), each row's total as a SUM formula; then the counted benefits a year
(SUM of the rows the perspective counts), the discount factor (linked to the Cash flows sheet, so a
change of discount rate re-discounts the benefits too), their present value a year and in total
(formulas). Rows the perspective shows beside or leaves out are labelled so and never summed into
the counted row; cashable and non-cashable value are separate rows. A project without monetised
outcomes says so and why.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..benefits import AGENCY_NAMES, KIND_NAMES
from ..presentation import tables
from ..presentation import text as decision_text
from ..result import AppraisalResult
from .cells import put_formula, put_number, put_text, ref, set_style, sheet_ref
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header
from .money import CashflowRefs

TREATMENT_WORDS = {"counted": "counted", "beside": "shown beside, NOT added", "left_out": "left out (not counted)"}
LABEL_COL, FIRST_COL = 1, 2


def _note(ws: Worksheet, r: int, text: str, span: int, width: float) -> int:
    put_text(ws, r, 1, text, "dd_note_wrap")
    merge(ws, r, 1, r, span)
    fit_row(ws, r, [(text, width)], small=True)
    return r + 1


def write_benefits(ws: Worksheet, ctx: Context, result: AppraisalResult, cf: CashflowRefs) -> dict[str, dict[str, str]]:
    """Fill the sheet; return option id -> ``{"counted": ref, "cashable": ref}``: absolute references of
    the present value of its counted benefits and of the cashable part of them (GBP, live formulas)."""
    T = int(result.horizon_years)
    last_col = FIRST_COL + T - 1
    total_col = last_col + 1
    widths = {LABEL_COL: 58, **{c: 12 for c in range(FIRST_COL, last_col + 1)}, total_col: 15}
    r = sheet_header(ws, ctx, "Outcome benefits: who gains", widths)
    set_widths(ws, widths)
    span, width = total_col, float(sum(widths.values()))
    pvd = result.public_value or {}
    r = _note(ws, r, decision_text.PUBLIC_VALUE_NOTE, span, width)
    r = _note(ws, r, decision_text.PUBLIC_VALUE_UNCERTAINTY_NOTE, span, width) + 1
    out: dict[str, dict[str, str]] = {}
    if not pvd.get("monetisable"):
        _note(ws, r, decision_text.no_outcomes_sentence(pvd.get("reason")), span, width)
        print_setup(ws)
        return out
    names = option_names(result)
    by_year = result.benefits_by_year
    fys = list(result.annual.drop_duplicates("year_index").sort_values("year_index")["financial_year"])[:T]
    for opt in [o for o in result.options["id"] if o != registry.STATUS_QUO]:
        sub = by_year[by_year["option"] == opt] if by_year is not None else by_year
        put_text(ws, r, 1, names[opt], "dd_section")
        for c in range(2, span + 1):
            set_style(ws, r, c, "dd_section")
        r += 1
        put_text(ws, r, LABEL_COL, "Agency: kind of value (treatment in this perspective)", "dd_header_left")
        for t, fy in enumerate(fys):
            put_text(ws, r, FIRST_COL + t, str(fy), "dd_header")
        put_text(ws, r, total_col, "Total (undiscounted)", "dd_header")
        r += 1
        if sub is None or sub.empty:
            put_text(ws, r, LABEL_COL, "No monetised effect on an outcome.", "dd_label")
            r += 2
            continue
        r, pv_row, cashable_row = _option_rows(ws, r, sub, result, cf, T)
        out[opt] = {
            "counted": sheet_ref(ws.title, total_col, pv_row, absolute=True),
            "cashable": sheet_ref(ws.title, total_col, cashable_row, absolute=True),
        }
        for sentence in tables.public_value_sentences(result, opt):
            r = _note(ws, r, sentence, span, width)
        r += 1
    print_setup(ws)
    return out


def _groups(sub: pd.DataFrame) -> dict[tuple[str, str, str], list[tuple[int, float]]]:
    """(agency, kind, treatment) -> that row group's (year index, benefit GBP) pairs, groups in order of first
    appearance and rows with a missing key left out (as ``groupby(..., sort=False)`` groups them)."""
    out: dict[tuple[str, str, str], list[tuple[int, float]]] = {}
    keys = ("agency", "kind", "treatment", "year_index", "benefit_gbp")
    for agency, kind, treat, year, value in zip(*(sub[k].tolist() for k in keys)):
        if not (pd.isna(agency) or pd.isna(kind) or pd.isna(treat)):
            out.setdefault((agency, kind, treat), []).append((year, value))
    return out


def _option_rows(ws: Worksheet, r: int, sub, result: AppraisalResult, cf: CashflowRefs, T: int) -> tuple[int, int, int]:
    """One option's rows from ``r``: a row per (agency, kind), the counted row, the discount factors, the
    present values and the cashable part of them; returns (next free row, row of the present values,
    row of the cashable present value)."""
    last_col = FIRST_COL + T - 1
    total_col = last_col + 1
    counted_rows: list[int] = []
    cashable_rows: list[int] = []
    for (agency, kind, treat), by_year in _groups(sub).items():
        put_text(
            ws,
            r,
            LABEL_COL,
            f"{AGENCY_NAMES[agency]}: {KIND_NAMES[kind]} ({TREATMENT_WORDS[treat]})",
            "dd_label_indent",
        )
        vals = [value for _, value in sorted(by_year, key=lambda pair: pair[0])]
        for t in range(T):
            put_number(ws, r, FIRST_COL + t, float(vals[t]), "dd_gbp")
        put_formula(ws, r, total_col, f"=SUM({ref(FIRST_COL, r)}:{ref(last_col, r)})", "dd_gbp_bold")
        if treat == "counted":
            counted_rows.append(r)
            if kind == "fiscal_cashable":
                cashable_rows.append(r)
        r += 1
    counted = r
    put_text(ws, r, LABEL_COL, f"Counted benefits ({result.perspective} perspective)", "dd_label_bold")
    for c in range(FIRST_COL, total_col + 1):
        cells = ",".join(ref(c, row) for row in counted_rows)
        put_formula(ws, r, c, f"=SUM({cells})" if cells else "=0", "dd_gbp_subtotal")
    factor = r + 1
    put_text(ws, factor, LABEL_COL, "Discount factor (from the Cash flows sheet)", "dd_label")
    for t in range(T):
        put_formula(
            ws,
            factor,
            FIRST_COL + t,
            f"={sheet_ref(cf.sheet, cf.first_col + t, cf.factor_row, absolute=True)}",
            "dd_factor",
        )
    pv = factor + 1
    put_text(ws, pv, LABEL_COL, "Counted benefits, present value", "dd_label_bold")
    for t in range(T):
        c = FIRST_COL + t
        put_formula(ws, pv, c, f"={ref(c, counted)}*{ref(c, factor)}", "dd_gbp")
    put_formula(ws, pv, total_col, f"=SUM({ref(FIRST_COL, pv)}:{ref(last_col, pv)})", "dd_gbp_total")
    cashable = pv + 1
    put_text(ws, cashable, LABEL_COL, "of which cashable, present value (the rest is not cashable)", "dd_label_indent")
    factors = f"{ref(FIRST_COL, factor)}:{ref(last_col, factor)}"
    terms = [f"SUMPRODUCT({ref(FIRST_COL, row)}:{ref(last_col, row)},{factors})" for row in cashable_rows]
    put_formula(ws, cashable, total_col, "=" + ("+".join(terms) if terms else "0"), "dd_gbp")
    return cashable + 1, pv, cashable
