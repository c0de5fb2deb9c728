"""The risk sheet: Monte Carlo percentiles, one-way sensitivity and switching values (model values).

These come from re-running the model many times, which a spreadsheet cannot do; they are values,
and the sheet says how they were produced (draws, seed, distributions, ranges).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..frames import records
from ..presentation import tables, text
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
    put_text(ws, r, 1, text, "dd_subheader")
    for c in range(2, len(WIDTHS) + 1):
        set_style(ws, r, c, "dd_subheader")
    return r + 1


def _value(ws: Worksheet, r: int, c: int, value: object, unit: str, missing: str = "none in range") -> None:
    put_number(ws, r, c, value, style_for_unit(unit, value), missing=missing)


def write_risk(ws: Worksheet, ctx: Context, result: AppraisalResult) -> None:
    """Monte Carlo summary, the decision measures, then the sensitivity (tornado) table, switching values and the
    risk register, by option (values from the model, labelled as such)."""
    r = sheet_header(ws, ctx, "Risk and uncertainty", WIDTHS)
    others = [o for o in result.options.id if o != registry.STATUS_QUO]
    r = _monte_carlo(ws, r, result, others) + 1
    r = _decision(ws, r, result)
    r = _sensitivity(ws, r, result, others) + 1
    r = _switching(ws, r, result, others) + 1
    _risk_register(ws, r, result, others)
    set_widths(ws, WIDTHS)
    print_setup(ws)


def _monte_carlo(ws: Worksheet, r: int, result: AppraisalResult, others: list[str]) -> int:
    """The Monte Carlo percentiles of each option's net present saving (a snapshot of the run), from row ``r``."""
    name = option_names(result).__getitem__
    draws = len(result.mc_draws)
    central = result.options.set_index("id")["net_present_saving_gbp"]
    r = _section(ws, r, "Monte Carlo simulation: net present saving against the status quo")
    if draws:
        r = _note(ws, r, _monte_carlo_note(result, draws))
        r = _headers(
            ws,
            r,
            (
                "Option",
                "",
                "Central case",
                "P10",
                "P50 (median)",
                "P90",
                "Chance of saving",
                "Chance of meeting target",
            ),
        )
        mc = result.monte_carlo.set_index("option")
        for opt in others:
            if opt not in mc.index:
                continue
            put_text(
                ws,
                r,
                1,
                name(opt) + ("  (recommended)" if opt == result.recommended else ""),
                "dd_label_bold" if opt == result.recommended else "dd_label",
            )
            set_style(ws, r, 2, "dd_cell")
            put_number(ws, r, 3, central.get(opt), "dd_gbp")
            for c, col, style in (
                (4, "p10", "dd_gbp"),
                (5, "p50", "dd_gbp"),
                (6, "p90", "dd_gbp"),
                (7, "p_positive", "dd_pct"),
                (8, "p_meets_target", "dd_pct"),
            ):
                put_number(ws, r, c, mc.loc[opt, col] if col in mc.columns else None, style, missing="n/a")
            r += 1
    else:
        r = _note(ws, r, "Not run for this workbook (0 draws): export with --draws 10000 for the Monte Carlo results.")
    return r


def _monte_carlo_note(result: AppraisalResult, draws: int) -> str:
    """The Monte Carlo table's note: draws and seed, the PERT marginals, shared quantities and correlations, the
    savings target (GBP a year) and that the values are a snapshot of the run."""
    target = finite(result.mc_target_gbp) or 0.0
    return (
        f"{draws:,} draws, seed {result.mc_seed}. Every assumption with a range is drawn from a PERT "
        "distribution over its low-high range with its mode at the scenario's value (Assumptions sheet); a "
        "quantity the options share (pension rate, stranded overheads, redundancy cost) takes one random "
        "number per draw for every option, and related levers move together by the rank correlations in "
        "data/assumptions/correlations.yaml. "
        f"Savings target{f' ({basis})' if (basis := tables.savings_target_basis(result)) else ''}: a steady-state "
        f"annual saving of at least £{target:,.0f} in the final year. P10: one "
        "draw in ten saves less. Values from the model: a snapshot of the run, which does not recalculate "
        "when an assumption is edited in this workbook."
    )


def _sensitivity(ws: Worksheet, r: int, result: AppraisalResult, others: list[str]) -> int:
    """The one-way sensitivity table (largest swings per option), from row ``r``; returns the next free row."""
    name = option_names(result).__getitem__
    measure = result.sensitivity_measure  # net present saving, or with monetised outcomes that plus the benefits
    r = _section(ws, r, f"One-way sensitivity: {measure} when one assumption moves to its low or high value")
    r = _note(
        ws,
        r,
        (
            "Every other assumption stays at the scenario's value. Per option, the assumptions with the largest "
            f"swing (the gap between the two results), at most {TOP_SENSITIVITY}; low and high are the "
            "assumption's range (Assumptions sheet). Values from the model."
            + (f" {result.sensitivity_note}" if result.sensitivity_note else "")
        ),
    )
    r = _headers(
        ws, r, ("Assumption", "Unit", "Low", "High", "Saving at low", "Saving at high", "Swing", "Central case")
    )
    sens = result.sensitivity
    if sens.empty:
        r = _note(ws, r, "No assumption varies.")
    by_option = _rows_by_option(
        sens, ("description", "unit", "low", "high", "nps_at_low", "nps_at_high", "swing", "nps_base")
    )
    for opt in others:
        rows = by_option.get(opt, [])
        if not rows:
            continue
        r = _group(ws, r, name(opt))
        for description, unit, low, high, *money in rows[:TOP_SENSITIVITY]:
            put_text(ws, r, 1, description, "dd_text")
            put_text(ws, r, 2, unit, "dd_text")
            _value(ws, r, 3, low, unit)
            _value(ws, r, 4, high, unit)
            for c, value in enumerate(money, start=5):  # saving at low, at high, swing, central case
                put_number(ws, r, c, value, "dd_gbp")
            fit_row(ws, r, [(description, WIDTHS[1]), (unit, WIDTHS[2])])
            r += 1
        rest = [row[6] for row in rows[TOP_SENSITIVITY:]]
        if rest:
            put_text(
                ws,
                r,
                1,
                f"{len(rest)} further assumption(s) each swing the saving by at most £{_largest(rest):,.0f}.",
                "dd_note",
            )
            r += 1
    return r


def _rows_by_option(frame: pd.DataFrame, columns: tuple[str, ...]) -> dict[str, list[tuple]]:
    """``frame``'s rows (the values of ``columns``, as Python objects) by its ``option`` column, in frame order."""
    out: dict[str, list[tuple]] = {}
    if frame.empty:
        return out
    for opt, *values in zip(frame["option"].tolist(), *(frame[c].tolist() for c in columns)):
        out.setdefault(opt, []).append(tuple(values))
    return out


def _largest(values: list[float]) -> float:
    """The largest of ``values`` that is not missing (NaN when all are), as pandas' ``max`` gives it."""
    present = [v for v in values if pd.notna(v)]
    return max(present) if present else float("nan")


def _switching(ws: Worksheet, r: int, result: AppraisalResult, others: list[str]) -> int:
    """Switching values per option (against the status quo and the next best), from row ``r``."""
    name = option_names(result).__getitem__
    r = _section(ws, r, "Switching values: where an option stops beating the status quo or the next-best option")
    r = _note(
        ws,
        r,
        (
            "The value of one assumption (others at the scenario's value) at which the option's net present "
            "saving falls to zero, and at which it draws level with the next-best option, searched over the "
            "assumption's allowed range (its bounds in levers.yaml, wider than its low-to-high range). Only "
            "assumptions that can switch the ranking are listed ('none in range': not within that range). Values "
            f"from the model. {text.SWITCHING_COMPARATOR_NOTE}"
        ),
    )
    r = _headers(
        ws,
        r,
        (
            "Assumption",
            "Unit",
            "Value used",
            "Saving falls to zero at",
            "Next-best option",
            "",
            "Level with next best at",
            "",
        ),
    )
    sw = result.switching if isinstance(result.switching, pd.DataFrame) else pd.DataFrame()
    if sw.empty:
        r = _note(ws, r, "Not computed for this workbook.")
    by_option = _rows_by_option(
        sw, ("description", "unit", "value", "switch_vs_status_quo", "next_best", "switch_vs_next_best")
    )
    for opt in others:
        if by_option.get(opt):
            r = _switching_rows(ws, _group(ws, r, name(opt)), by_option[opt], name)
    return r


def _switching_rows(ws: Worksheet, r: int, rows: list[tuple], name: Callable[[str], str]) -> int:
    """One option's switching values from row ``r`` (the assumptions that can switch its ranking, then a note
    counting those that cannot); returns the next free row."""
    found = [row for row in rows if pd.notna(row[3]) or pd.notna(row[5])]
    for description, unit, value, vs_status_quo, next_best, vs_next_best in found:
        put_text(ws, r, 1, description, "dd_text")
        put_text(ws, r, 2, unit, "dd_text")
        _value(ws, r, 3, value, unit)
        _value(ws, r, 4, vs_status_quo, unit)
        put_text(ws, r, 5, name(next_best), "dd_text")
        merge(ws, r, 5, r, 6)
        _value(ws, r, 7, vs_next_best, unit)
        set_style(ws, r, 8, "dd_cell")
        fit_row(ws, r, [(description, WIDTHS[1]), (unit, WIDTHS[2]), (name(next_best), 28)])
        r += 1
    if len(rows) > len(found):
        put_text(
            ws,
            r,
            1,
            f"{len(rows) - len(found)} other assumption(s) cannot switch this option's ranking "
            "within their allowed range.",
            "dd_note",
        )
        r += 1
    return r


#: Table unit tag -> cell style (the decision tables of the presentation layer).
_TABLE_STYLES = {"gbp": "dd_gbp", "share": "dd_pct", "ratio": "dd_ratio"}


def _table(ws: Worksheet, r: int, table: tables.Table, spans: dict[str, tuple[int, int]]) -> int:
    """A presentation-layer table laid out on the sheet: column -> (first, last) sheet column (merged)."""
    widths = {label: sum(WIDTHS[c] for c in range(c1, c2 + 1)) for label, (c1, c2) in spans.items()}
    for label, (c1, c2) in spans.items():
        put_text(ws, r, c1, label, "dd_header_left" if table.unit(label) == "text" else "dd_header")
        if c2 > c1:
            merge(ws, r, c1, r, c2)
    fit_row(ws, r, [(label, widths[label]) for label in spans], bold=True)
    r += 1
    emphasis = set(table.emphasis)
    # (label, first and last column, unit, the column's values as Python objects), read once per table
    columns = [(label, c1, c2, table.unit(label), table.frame[label].tolist()) for label, (c1, c2) in spans.items()]
    for i in range(len(table.frame)):
        texts: list[tuple[str, float]] = []
        for label, c1, c2, unit, values in columns:
            v = values[i]
            if unit == "text":
                shown = "" if v is None else str(v)
                put_text(ws, r, c1, shown, "dd_label_bold" if i in emphasis and c1 == 1 else "dd_text")
                texts.append((shown, widths[label]))
            else:
                put_number(ws, r, c1, v, _TABLE_STYLES.get(unit, "dd_number2"), missing="-")
            if c2 > c1:
                merge(ws, r, c1, r, c2)
        fit_row(ws, r, texts)
        r += 1
    return r


def _decision(ws: Worksheet, r: int, result: AppraisalResult) -> int:
    """Probability best, the acceptability curve, value of information, failure rules and (when computed)
    Sobol indices: values from this run's draws, labelled as a snapshot."""
    r = _section(ws, r, "Which option, how sure, and what evidence is worth buying")
    dm = getattr(result, "decision", None)
    if dm is None:
        r = _note(ws, r, text.DECISION_NOT_COMPUTED if len(result.mc_draws) else text.DECISION_NO_DRAWS)
        return r + 1
    r = _note(
        ws,
        r,
        text.DECISION_SNAPSHOT + f" {dm.draws:,} draws, seed {result.mc_seed}. Expected value of perfect "
        f"information (EVPI): £{dm.evpi_gbp:,.0f}, the most it would be worth paying to remove all "
        "uncertainty before deciding.",
    )
    pb = tables.probability_best_table(result)
    r = _group(ws, r, "Probability best (share of draws in which the option has the highest net present saving)")
    r = _table(
        ws,
        r,
        pb,
        {
            "Option": (1, 2),
            "Probability best": (3, 3),
            "P(net present saving > 0)": (4, 4),
            "Net present saving": (5, 5),
        },
    )
    r += 1
    acc = tables.acceptability_table(result)
    cols = list(acc.frame.columns)
    r = _group(ws, r, "Acceptability curve: thresholds of net present saving (GBP) from £0 to the largest P90")
    # one sheet column each, no merged cells: a long table (thresholds x options) that a reader may sort or
    # filter, and its 400-odd rows stay cheap to write (a merge costs more than the cell it spans)
    r = _table(ws, r, acc, {cols[1]: (1, 1), cols[0]: (2, 2), cols[2]: (3, 3), cols[3]: (4, 4)})
    r = _value_of_information(ws, r + 1, result) + 1
    fr = tables.failure_rules_table(result)
    r = _group(ws, r, "Failure rules: when each option loses money or is not the best")
    r = _table(ws, r, fr, {"Option": (1, 1), "Rule": (2, 6), "Coverage": (7, 7), "Density": (8, 8)})
    r += 1
    sob = tables.sobol_table(result)
    r = _group(ws, r, "Sobol indices (global sensitivity, beside the one-way sensitivity below)")
    r = _note(ws, r, sob.caption)
    if not sob.frame.empty:
        c = list(sob.frame.columns)
        r = _table(ws, r, sob, {c[1]: (1, 3), c[2]: (5, 5), c[3]: (6, 6), c[4]: (7, 7), c[5]: (8, 8)})
    r = _note(ws, r, " ".join(text.DECISION_NOTES.values()))
    return r + 1


def _value_of_information(ws: Worksheet, r: int, result: AppraisalResult) -> int:
    """The partial EVPI of every assumption worth something (or a note that none is), from row ``r``; returns
    the next free row."""
    voi = tables.value_of_information_table(result)
    voi = tables.Table(voi.frame[voi.frame.iloc[:, -1] > 0], voi.units, voi.caption)
    worth = list(voi.frame.columns)[-1]
    r = _group(ws, r, f"Value of information: {text.EVPPI_MEANING} (partial EVPI, GBP)")
    if voi.frame.empty:
        return _note(
            ws,
            r,
            "No assumption is worth paying to know before deciding: the same option is best whatever "
            "its value (every partial EVPI is £0).",
        )
    return _table(ws, r, voi, {"Assumption": (1, 4), "Key": (5, 6), "Quality": (7, 7), worth: (8, 8)})


def _risk_style(score: float) -> str:
    return "dd_quality_red" if score >= 15 else "dd_quality_amber" if score >= 8 else "dd_quality_green"


def _risk_register(ws: Worksheet, r: int, result: AppraisalResult, others: list[str]) -> int:
    """Delivery risks of each option's implementation plan (likelihood x impact, owner, mitigation)."""
    name = option_names(result).__getitem__
    r = _section(ws, r, "Delivery risk register (from the implementation plans)")
    r = _note(
        ws,
        r,
        (
            "Likelihood and impact on a 1-5 scale; score = likelihood x impact (15 or more red, 8 to 14 "
            "amber). From the plan templates (data/plans); illustrative unless a source says otherwise."
        ),
    )
    r = _headers(ws, r, ("Risk", "Owner", "Likelihood", "Impact", "Score", "Mitigation", "", ""))
    merge(ws, r - 1, 6, r - 1, 8)
    for opt in others:
        plan = result.plans.get(opt)
        risks = getattr(plan, "risks", None)
        if not isinstance(risks, pd.DataFrame) or risks.empty:
            continue
        r = _group(ws, r, name(opt))
        for k in records(risks):
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
