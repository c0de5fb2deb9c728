"""The implementation plan sheet: each option's phases as a month-by-month timeline, and milestones.

Bars are cells in named styles (blue; red on the critical path), one column per calendar month; a
diamond marks a zero-length milestone phase such as go-live. Dates come from the plan (values).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from ..frames import records
from ..result import AppraisalResult
from .cells import put_date, put_number, put_text, ref, set_style
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header

FIXED = {1: 40, 2: 8, 3: 12, 4: 12, 5: 8}
MONTH_WIDTH = 4.2
MILESTONE = "\u25c6"  # black diamond


def _date(x: object) -> dt.date | None:
    if isinstance(x, dt.datetime):
        return x.date()
    if isinstance(x, dt.date):
        return x
    if isinstance(x, str) and x:
        return dt.date.fromisoformat(x[:10])
    return None


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], dt.date(first.year, first.month, 1)
    while d <= last:
        out.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _next_month(d: dt.date) -> dt.date:
    return dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _plan_order(result: AppraisalResult, plans: dict) -> list[str]:
    """Option ids with a plan: the recommended option first, then the short list's order."""
    return sorted(
        plans,
        key=lambda o: (
            o != result.recommended,
            list(result.options.id).index(o) if o in set(result.options.id) else 99,
        ),
    )


def _timeline_header(ws: Worksheet, year_row: int, months: list[dt.date], tl0: int) -> None:
    """Two header rows: the years over the month columns (from column ``tl0``), then the phase columns' titles and
    each month's abbreviation."""
    month_row = year_row + 1
    for c, label in ((1, "Phase"), (2, "Weeks"), (3, "Start"), (4, "Finish"), (5, "Slack (weeks)")):
        put_text(ws, month_row, c, label, "dd_header" if c > 1 else "dd_header_left")
        set_style(ws, year_row, c, "dd_header")
    ws.row_dimensions[month_row].height = 30
    for i, m in enumerate(months):
        c = tl0 + i
        put_text(ws, month_row, c, f"{m:%b}"[:3], "dd_month")
        if i == 0 or m.month == 1:
            put_text(ws, year_row, c, str(m.year), "dd_month")
        else:
            set_style(ws, year_row, c, "dd_month")


def _phase_row(ws: Worksheet, r: int, ph: Any, months: list[dt.date], tl0: int) -> None:
    """One phase: name, duration and slack (weeks), start and finish dates, then its bar across the months it spans
    (critical-path bars in red), or a diamond in its month for a zero-length milestone."""
    start, finish = _date(ph.start), _date(ph.finish)
    put_text(ws, r, 1, ph.name, "dd_label_indent")
    put_number(ws, r, 2, ph.duration_weeks, "dd_int")
    put_date(ws, r, 3, start)
    put_date(ws, r, 4, finish)
    put_number(ws, r, 5, ph.slack_weeks, "dd_int")
    milestone = float(ph.duration_weeks) == 0
    for i, m in enumerate(months):
        c = tl0 + i
        if milestone:
            if start and m <= start < _next_month(m):
                put_text(ws, r, c, MILESTONE, "dd_milestone")
        elif start and finish and start < _next_month(m) and finish > m:
            set_style(ws, r, c, "dd_bar_critical" if bool(ph.critical) else "dd_bar")


def _timelines(
    ws: Worksheet, r: int, result: AppraisalResult, order: list[str], months: list[dt.date], tl0: int, last_col: int
) -> int:
    """Each option's heading (with its go-live date) and phase rows from row ``r``; returns the next free row."""
    onames = option_names(result).__getitem__
    plans = dict(result.plans)
    for opt in order:
        p = plans[opt]
        title = f"{onames(opt)}: go-live {p.go_live:%d %b %Y}"
        if opt == result.recommended:
            title += "  (recommended)"
        for c in range(1, last_col + 1):
            set_style(ws, r, c, "dd_subheader")
        put_text(ws, r, 1, title, "dd_subheader")
        r += 1
        for ph in records(p.phases):
            _phase_row(ws, r, ph, months, tl0)
            r += 1
        r += 1
    return r


def _milestones(ws: Worksheet, r: int, result: AppraisalResult, order: list[str], last_col: int) -> None:
    """The milestones of each option's plan, with their dates, from row ``r``."""
    onames = option_names(result).__getitem__
    plans = dict(result.plans)
    put_text(ws, r, 1, "Milestones", "dd_section")
    for c in range(2, last_col + 1):
        set_style(ws, r, c, "dd_section")
    r += 1
    for opt in order:
        put_text(ws, r, 1, onames(opt), "dd_subheader")
        for c in range(2, 5):
            set_style(ws, r, c, "dd_subheader")
        r += 1
        for m in records(plans[opt].milestones):
            put_text(ws, r, 1, m.milestone, "dd_label_indent")
            merge(ws, r, 1, r, 3)
            put_date(ws, r, 4, _date(m.date))
            r += 1


def write_plan(ws: Worksheet, ctx: Context, result: AppraisalResult) -> None:
    """Timeline per option (recommended first), then milestones (the risk register is on the Risk sheet)."""
    plans = dict(result.plans)
    order = _plan_order(result, plans)
    starts = [d for p in plans.values() for d in map(_date, p.phases.start) if d]
    ends = [d for p in plans.values() for d in map(_date, p.phases.finish) if d]
    months = _months(min(starts), max(ends)) if starts else []
    tl0 = len(FIXED) + 1
    last_col = max(tl0 + len(months) - 1, tl0 + 15)
    widths = {**FIXED, **{c: MONTH_WIDTH for c in range(tl0, last_col + 1)}}
    r = sheet_header(ws, ctx, "Implementation plan", widths)
    put_text(
        ws,
        r,
        1,
        (
            "Phases scheduled by the critical path method from each plan's start date (central durations "
            "unless the scenario says otherwise). Red bars are on the critical path: a delay there delays "
            f"go-live, and with it the savings. {MILESTONE} = go-live. Durations in weeks; values from the "
            "model's plan templates (data/plans), illustrative unless a source says otherwise."
        ),
        "dd_note_wrap",
    )
    merge(ws, r, 1, r, last_col)
    fit_row(ws, r, [(ws.cell(row=r, column=1).value, sum(widths.values()))], small=True)
    r += 2
    if not plans:
        put_text(ws, r, 1, "No implementation plan: the short list has only the status quo.", "dd_note")
        set_widths(ws, widths)
        print_setup(ws)
        return
    year_row, month_row = r, r + 1
    _timeline_header(ws, year_row, months, tl0)
    r = _timelines(ws, month_row + 1, result, order, months, tl0, last_col)
    _milestones(ws, r, result, order, last_col)
    set_widths(ws, widths)
    print_setup(ws, title_rows=(year_row, month_row), freeze=ref(tl0, month_row + 1))
