"""The risk sheet: Monte Carlo percentiles, one-way sensitivity and switching values (model values).

These come from re-running the model many times, which a spreadsheet cannot do; they are values,
and the sheet says how they were produced (draws, seed, distributions, ranges).
"""
from __future__ import annotations

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..result import AppraisalResult
from .cells import finite, put_number, put_text, set_style
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header
from .styles import style_for_unit

WIDTHS = {1: 54, 2: 28, 3: 13, 4: 13, 5: 14, 6: 14, 7: 14, 8: 14}
#: Sensitivity rows shown per option (largest swings); the rest are counted in a note.
TOP_SENSITIVITY = 10


def _section(ws: Worksheet, r: int, text: str) -> int:
    put_text(ws, r, 1, text, "dd_section")
    for c in range(2, len(WIDTHS) + 1):
        set_style(ws, r, c, "dd_section")
    return r + 1


def _note(ws: Worksheet, r: int, text: str) -> int:
    put_text(ws, r, 1, text, "dd_note_wrap")
    merge(ws, r, 1, r, len(WIDTHS))
    fit_row(ws, r, [(text, sum(WIDTHS.values()))], small=True)
    return r + 1


def _headers(ws: Worksheet, r: int, labels: tuple[str, ...]) -> int:
    for c, label in enumerate(labels, start=1):
        put_text(ws, r, c, label, "dd_header_left" if c <= 2 else "dd_header")
    fit_row(ws, r, [(label, WIDTHS[c]) for c, label in enumerate(labels, start=1)], bold=True)
    return r + 1


def _group(ws: Worksheet, r: int, text: str) -> int:
    for c in range(1, len(WIDTHS) + 1):
        set_style(ws, r, c, "dd_subheader")
    put_text(ws, r, 1, text, "dd_subheader")
    return r + 1


def _value(ws: Worksheet, r: int, c: int, value: object, unit: str, missing: str = "none in range") -> None:
    put_number(ws, r, c, value, style_for_unit(unit), missing=missing)


def write_risk(ws: Worksheet, ctx: Context, result: AppraisalResult) -> None:
    """Monte Carlo summary, then the sensitivity (tornado) table, then switching values, by option."""
    r = sheet_header(ws, ctx, "Risk and uncertainty", WIDTHS)
    name = option_names(result).__getitem__
    draws = len(result.mc_draws)
    others = [o for o in result.options.id if o != registry.STATUS_QUO]
    central = result.options.set_index("id")["net_present_saving_gbp"]

    r = _section(ws, r, "Monte Carlo simulation: net present saving against the status quo")
    if draws:
        target = finite(result.mc_target_gbp) or 0.0
        r = _note(ws, r, (
            f"{draws:,} draws, seed {result.mc_seed}. Every assumption with a range is drawn from a PERT "
            "distribution over its low-high range with its mode at the scenario's value (Assumptions sheet); a "
            "quantity the options share (pension rate, stranded overheads, redundancy cost) takes one random number "
            "per draw for every option, and related levers move together by the rank correlations in "
            "data/assumptions/correlations.yaml. "
            f"Savings target: a steady-state annual saving of at least £{target:,.0f} in the final year. P10: one "
            "draw in ten saves less. Values from the model."))
        r = _headers(ws, r, ("Option", "", "Central case", "P10", "P50 (median)", "P90", "Chance of saving",
                             "Chance of meeting target"))
        mc = result.monte_carlo.set_index("option")
        for opt in others:
            if opt not in mc.index:
                continue
            put_text(ws, r, 1, name(opt) + ("  (recommended)" if opt == result.recommended else ""),
                     "dd_label_bold" if opt == result.recommended else "dd_label")
            set_style(ws, r, 2, "dd_cell")
            put_number(ws, r, 3, central.get(opt), "dd_gbp")
            for c, col, style in ((4, "p10", "dd_gbp"), (5, "p50", "dd_gbp"), (6, "p90", "dd_gbp"),
                                  (7, "p_positive", "dd_pct"), (8, "p_meets_target", "dd_pct")):
                put_number(ws, r, c, mc.loc[opt, col] if col in mc.columns else None, style, missing="n/a")
            r += 1
    else:
        r = _note(ws, r, "Not run for this workbook (0 draws): export with --draws 10000 for the Monte Carlo results.")
    r += 1

    r = _section(ws, r, "One-way sensitivity: net present saving when one assumption moves to its low or high value")
    r = _note(ws, r, (
        "Every other assumption stays at the scenario's value. Per option, the assumptions with the largest swing (the "
        f"gap between the two results), at most {TOP_SENSITIVITY}; low and high are the assumption's range "
        "(Assumptions sheet). Values from the model."))
    r = _headers(ws, r, ("Assumption", "Unit", "Low", "High", "Saving at low", "Saving at high", "Swing",
                         "Central case"))
    sens = result.sensitivity
    if sens.empty:
        r = _note(ws, r, "No assumption varies.")
    for opt in others:
        rows = sens[sens.option == opt] if not sens.empty else sens
        if rows.empty:
            continue
        r = _group(ws, r, name(opt))
        for s in rows.head(TOP_SENSITIVITY).itertuples(index=False):
            put_text(ws, r, 1, s.description, "dd_text")
            put_text(ws, r, 2, s.unit, "dd_text")
            _value(ws, r, 3, s.low, s.unit)
            _value(ws, r, 4, s.high, s.unit)
            put_number(ws, r, 5, s.nps_at_low, "dd_gbp")
            put_number(ws, r, 6, s.nps_at_high, "dd_gbp")
            put_number(ws, r, 7, s.swing, "dd_gbp")
            put_number(ws, r, 8, s.nps_base, "dd_gbp")
            fit_row(ws, r, [(s.description, WIDTHS[1]), (s.unit, WIDTHS[2])])
            r += 1
        rest = rows.iloc[TOP_SENSITIVITY:]
        if len(rest):
            put_text(ws, r, 1, f"{len(rest)} further assumption(s) each swing the saving by at most "
                               f"£{rest.swing.max():,.0f}.", "dd_note")
            r += 1
    r += 1

    r = _section(ws, r, "Switching values: where an option stops beating the status quo or the next-best option")
    r = _note(ws, r, (
        "The value of one assumption (others at the scenario's value) at which the option's net present saving falls "
        "to zero, and at which it draws level with the next-best option, searched over the assumption's allowed range. "
        "Only assumptions that can switch the ranking are listed ('none in range': not within that range). Values "
        "from the model."))
    r = _headers(ws, r, ("Assumption", "Unit", "Value used", "Saving falls to zero at", "Next-best option", "",
                         "Level with next best at", ""))
    sw = result.switching if isinstance(result.switching, pd.DataFrame) else pd.DataFrame()
    if sw.empty:
        r = _note(ws, r, "Not computed for this workbook.")
    for opt in others:
        rows = sw[sw.option == opt] if not sw.empty else sw
        if rows.empty:
            continue
        found = rows[rows.switch_vs_status_quo.notna() | rows.switch_vs_next_best.notna()]
        r = _group(ws, r, name(opt))
        for s in found.itertuples(index=False):
            put_text(ws, r, 1, s.description, "dd_text")
            put_text(ws, r, 2, s.unit, "dd_text")
            _value(ws, r, 3, s.value, s.unit)
            _value(ws, r, 4, s.switch_vs_status_quo, s.unit)
            put_text(ws, r, 5, name(s.next_best), "dd_text")
            merge(ws, r, 5, r, 6)
            _value(ws, r, 7, s.switch_vs_next_best, s.unit)
            set_style(ws, r, 8, "dd_cell")
            fit_row(ws, r, [(s.description, WIDTHS[1]), (s.unit, WIDTHS[2]), (name(s.next_best), 28)])
            r += 1
        if len(rows) > len(found):
            put_text(ws, r, 1, f"{len(rows) - len(found)} other assumption(s) cannot switch this option's ranking "
                               "within their allowed range.", "dd_note")
            r += 1
    r += 1
    _risk_register(ws, r, result, others)
    set_widths(ws, WIDTHS)
    print_setup(ws)


def _risk_style(score: float) -> str:
    return "dd_quality_red" if score >= 15 else "dd_quality_amber" if score >= 8 else "dd_quality_green"


def _risk_register(ws: Worksheet, r: int, result: AppraisalResult, others: list[str]) -> int:
    """Delivery risks of each option's implementation plan (likelihood x impact, owner, mitigation)."""
    name = option_names(result).__getitem__
    r = _section(ws, r, "Delivery risk register (from the implementation plans)")
    r = _note(ws, r, ("Likelihood and impact on a 1-5 scale; score = likelihood x impact (15 or more red, 8 to 14 "
                      "amber). From the plan templates (data/plans); illustrative unless a source says otherwise."))
    r = _headers(ws, r, ("Risk", "Owner", "Likelihood", "Impact", "Score", "Mitigation", "", ""))
    merge(ws, r - 1, 6, r - 1, 8)
    for opt in others:
        plan = result.plans.get(opt)
        risks = getattr(plan, "risks", None)
        if not isinstance(risks, pd.DataFrame) or risks.empty:
            continue
        r = _group(ws, r, name(opt))
        for k in risks.itertuples(index=False):
            put_text(ws, r, 1, k.risk, "dd_text")
            put_text(ws, r, 2, k.owner, "dd_text")
            put_number(ws, r, 3, k.likelihood, "dd_int")
            put_number(ws, r, 4, k.impact, "dd_int")
            put_number(ws, r, 5, k.score, _risk_style(float(k.score)))
            put_text(ws, r, 6, k.mitigation, "dd_text")
            merge(ws, r, 6, r, 8)
            fit_row(ws, r, [(k.risk, WIDTHS[1]), (k.owner, WIDTHS[2]), (k.mitigation, WIDTHS[6] * 3)])
            r += 1
    return r
