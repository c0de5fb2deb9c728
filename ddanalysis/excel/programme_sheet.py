"""The programme sheet: one row per project (or per service of a project appraised by service) with its
recommended option; money figures link to the project's sheets."""

from __future__ import annotations

from typing import Mapping

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..result import AppraisalResult
from . import charts
from .cells import put_date, put_formula, put_number, put_text, ref, set_style
from .layout import Context, fit_row, merge, print_setup, set_widths, sheet_header
from .summary import ProjectSheets, internal_link

COLUMNS = (
    ("Project", 34),
    ("Council(s)", 26),
    ("Services in scope", 34),
    ("Baseline net budget", 15),
    ("Recommended option", 26),
    ("Net present saving", 15),
    ("One-off costs (with optimism bias)", 14),
    ("Steady-state annual saving", 15),
    ("Payback year (undiscounted)", 12),
    ("Go-live", 12),
    ("Chance it saves money", 11),
    ("Illustrative", 11),
    ("Cashable benefits counted (PV)", 15),
    ("Non-cashable benefits counted (PV)", 15),
    ("Benefits counted (PV): cashable + non-cashable, added", 17),
    ("Public value return per GBP 1 (every kind, everyone)", 14),
)
#: Columns of the public value (the last four): cashable, non-cashable, their sum, the return.
CASHABLE_COL, NON_CASHABLE_COL, COUNTED_COL, RETURN_COL = 13, 14, 15, 16


def _row_data(results: Mapping[str, AppraisalResult], summary: pd.DataFrame | None) -> list[dict]:
    """Descriptive fields per project: from ``summary`` when given, else from the results and the registry."""
    if summary is not None:
        by_id = summary.set_index("project_id")
        order = [p for p in summary.project_id if p in results]
    else:
        by_id, order = None, list(results)
    rows = []
    for pid in order:
        res = results[pid]
        rec = res.options.set_index("id").loc[res.recommended]
        row = {
            "project_id": pid,
            "title": res.project_title,
            "councils": res.councils,
            "services": "",
            "baseline_net_gbp": res.baseline.net_budget_gbp if res.baseline is not None else None,
            "recommended": res.recommended,
            "recommended_name": rec["name"],
            "payback_year": rec["payback_year"],
            "go_live": rec["go_live"],
            "p_saving_positive": rec["p_saving_positive"],
            "illustrative": res.illustrative,
            "public_value_roi": ((res.public_value or {}).get("options", {}).get(res.recommended) or {}).get(
                "public_value_roi"
            ),
        }
        try:
            row["services"] = "; ".join(registry.project(pid).services)
        except Exception:  # a project outside the registry (custom data): no services listed
            pass
        if by_id is not None:
            s = by_id.loc[pid]
            for key in (
                "title",
                "councils",
                "services",
                "baseline_net_gbp",
                "payback_year",
                "go_live",
                "p_saving_positive",
                "illustrative",
            ):
                if key in s.index and not (isinstance(s[key], float) and pd.isna(s[key])):
                    row[key] = s[key]
        rows.append(row)
    return rows


def _note(draws: list[int], price_basis: str, by_service: bool) -> str:
    """The sentence above the table: what each row and column is and where it comes from (``by_service``: the
    rows are the services of one project, whose total is on the Services sheet)."""
    rows = (
        "One row per service of the project: the option each service's appraisal recommends and its headline figures "
        if by_service
        else "One row per project: the option each appraisal recommends and its headline figures "
    )
    total = (
        "The last row sums the services' chosen options as they stand; the project's total, with a new body that "
        "services share set up once, is on the Services sheet. "
        if by_service
        else ""
    )
    row_word = "service" if by_service else "project"
    return (
        f"{rows}(GBP, {price_basis}, against the status quo; 0 where keeping the status quo is recommended). "
        "Money columns link to each appraisal's Options and Benefits sheets, so they follow the discount rates and "
        f"MCA weights. {total}Payback, go-live and the chance of saving are model values "
        f"({', '.join(f'{d:,}' for d in draws)} Monte Carlo draws). Outcome "
        "benefits are those the appraisal's perspective counts (not in the net present saving): cashable and "
        "non-cashable in separate columns, then their sum, labelled as one; the public value return (a model "
        f"value) counts every kind of value for everyone per GBP 1 of costs. Click a {row_word} for its sheets."
    )


#: The label of the Programme sheet's last row: the programme's total, or (by service) the services' sum.
TOTAL_LABELS = {False: "Programme total", True: "Sum of the services"}


def write_programme(
    ws: Worksheet,
    ctx: Context,
    results: Mapping[str, AppraisalResult],
    summary: pd.DataFrame | None,
    refs: Mapping[str, ProjectSheets],
    by_service: bool = False,
) -> None:
    """The programme table (formulas for the money columns, totals), a bar chart of net present savings;
    ``by_service``: the results are one project's services (:func:`ddanalysis.excel.workbook.services_workbook`),
    said so in the note and the total row."""
    widths = {i: w for i, (_, w) in enumerate(COLUMNS, start=1)}
    heading = "Each service's recommended option" if by_service else "Programme summary"
    r = sheet_header(ws, ctx, heading, widths)
    put_text(
        ws,
        r,
        1,
        _note(sorted({len(x.mc_draws) for x in results.values()}), ctx.price_basis, by_service),
        "dd_note_wrap",
    )
    merge(ws, r, 1, r, len(COLUMNS))
    fit_row(ws, r, [(ws.cell(row=r, column=1).value, sum(widths.values()))], small=True)
    r += 2
    header = r
    for c, (label, _) in enumerate(COLUMNS, start=1):
        put_text(ws, header, c, label, "dd_header_left" if c in (1, 2, 3, 5) else "dd_header")
    ws.row_dimensions[header].height = 30
    r += 1
    first = r
    for row in _row_data(results, summary):
        _project_row(ws, r, row, refs[row["project_id"]], widths)
        r += 1
    last = r - 1
    put_text(ws, r, 1, TOTAL_LABELS[by_service], "dd_label_bold")
    for c in range(2, len(COLUMNS) + 1):
        set_style(ws, r, c, "dd_label")
    for c in (4, 6, 7, 8, CASHABLE_COL, NON_CASHABLE_COL, COUNTED_COL):
        put_formula(ws, r, c, f"=SUM({ref(c, first)}:{ref(c, last)})", "dd_gbp_total")
    r += 2
    charts.programme_bars(ws, f"A{r}", 1, 6, first, last, "Net present saving of the recommended option (GBP)")
    set_widths(ws, widths)
    print_setup(ws, title_rows=(header, header), freeze=ref(2, header + 1))


def _project_row(ws: Worksheet, r: int, row: dict, pref: ProjectSheets, widths: Mapping[int, float]) -> None:
    """Row ``r`` of the programme table: one project, its recommended option's money columns as formulas on the
    project's Options sheet (GBP), payback, go-live, chance of saving, the illustrative flag and its public value."""
    rec = row["recommended"]
    cell = put_text(ws, r, 1, row["title"], "dd_link")
    internal_link(cell, pref.names["summary"])
    put_text(ws, r, 2, row["councils"], "dd_text")
    put_text(ws, r, 3, row["services"], "dd_text")
    put_number(ws, r, 4, row["baseline_net_gbp"], "dd_gbp")
    put_text(ws, r, 5, row["recommended_name"], "dd_text")
    cells = pref.options.cells
    put_formula(ws, r, 6, f"={cells['nps'][rec]}", "dd_gbp_bold")
    put_formula(ws, r, 7, f"={cells['one_off'][rec]}", "dd_gbp")
    put_formula(ws, r, 8, f"={cells['steady_state'][rec]}", "dd_gbp")
    pb = row["payback_year"]
    put_text(ws, r, 9, pb if isinstance(pb, str) else ("n/a" if rec == registry.STATUS_QUO else "none"), "dd_center")
    put_date(ws, r, 10, row["go_live"] if rec != registry.STATUS_QUO else None, missing="n/a")
    if rec == registry.STATUS_QUO:
        put_text(ws, r, 11, "n/a", "dd_na")
    else:
        put_number(ws, r, 11, row["p_saving_positive"], "dd_pct", missing="not run")
    put_text(
        ws,
        r,
        12,
        "Illustrative" if row["illustrative"] else "No",
        "dd_quality_red" if row["illustrative"] else "dd_center",
    )
    _public_value_cells(ws, r, pref.benefits.get(rec), row["public_value_roi"])
    fit_row(
        ws,
        r,
        [
            (row["title"], widths[1]),
            (row["councils"], widths[2]),
            (row["services"], widths[3]),
            (row["recommended_name"], widths[5]),
        ],
    )


def _public_value_cells(ws: Worksheet, r: int, benefits: Mapping[str, str] | None, roi: float | None) -> None:
    """One project's public-value cells: links to the recommended option's counted and cashable present
    values on its Benefits sheet (0 without a monetised outcome), the non-cashable part as their difference,
    and the public value return (a model value; "n/a" without costs to return on)."""
    if benefits:
        put_formula(ws, r, CASHABLE_COL, f"={benefits['cashable']}", "dd_gbp")
        put_formula(ws, r, NON_CASHABLE_COL, f"={benefits['counted']}-{benefits['cashable']}", "dd_gbp")
        put_formula(ws, r, COUNTED_COL, f"={benefits['counted']}", "dd_gbp_bold")
    else:
        for c in (CASHABLE_COL, NON_CASHABLE_COL, COUNTED_COL):
            put_number(ws, r, c, 0.0, "dd_gbp")
    put_number(ws, r, RETURN_COL, roi, "dd_ratio", missing="n/a")
