"""The blank baseline input workbook a council fills in (``ddanalysis template -o baseline.xlsx``).

Sheet ``Instructions`` says what to enter, in which units (GBP thousand) and with which signs (costs
positive, income negative, base year 2014-15). Sheet ``Input`` has one row per subjective line
(key, label, value) plus FTE, headcount, the project and the source, with Excel data validation on
every input cell, the structure protected (no password: the protection guards against slips, not
people), fixed column widths and a frozen header. :func:`ddanalysis.baseline.load_baseline` reads it
back and validates everything again.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from . import config, registry
from .atomic import write_atomic
from .baseline import (  # the Input sheet's layout is the loader's (baseline), which checks it
    BASELINE_LINES,
    GUIDE_COL,
    INCOME_LINES,
    INPUT_HEADERS,
    INPUT_SHEET,
    KEY_COL,
    LABEL_COL,
    LINE_LABELS,
    MAX_LINE_GBP_K,
    STAFF_KEYS,
    TEXT_KEYS,
    UNIT_COL,
    VALUE_COL,
)
from .errors import DataFileError
from .years import fy_start_year

INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"

#: What belongs in each line (CIPFA Service Reporting Code of Practice subjective groups).
LINE_GUIDANCE: dict[str, str] = {
    "employees_pay": "Gross pay of the staff in scope: salaries, wages, overtime, allowances; agency staff if "
    "coded to employees.",
    "employees_ni": "Employer's National Insurance contributions (typically 8-10% of pay in 2014-15).",
    "employees_pension": "Employer's pension contributions actually paid (LGPS typically 12-20% of pay); not "
    "IAS 19 accounting adjustments.",
    "premises": "Repairs, maintenance, energy, water, rents, cleaning, insurance of buildings and land. "
    "Business rates go on their own line.",
    "business_rates": "Non-domestic rates billed for the property the service occupies, before any relief. "
    "0 only if the service occupies no property.",
    "transport": "Vehicles, fuel, hire, public transport, staff mileage.",
    "supplies_services": "Equipment, materials, food, books, IT, printing, communications, fees, subscriptions.",
    "third_party_payments": "Payments to providers, contractors, other councils, voluntary bodies (e.g. "
    "commissioned care, refuge places).",
    "support_recharges": "Central support costs charged to the service (finance, HR, IT, legal, "
    "accommodation), typically 8-15% of gross expenditure.",
    "capital_charges": "Depreciation and impairment charged to the service (not interest).",
    "income_fees_charges": "Sales, fees and charges: admissions, course fees, traded services to schools, "
    "client contributions. NEGATIVE.",
    "income_grants": "Specific grants and contributions from other bodies (e.g. Skills Funding Agency, CCG, "
    "police and crime commissioner). NEGATIVE.",
    "income_other": "Other income: rents, recharges to other services or bodies, donations, sponsorship. NEGATIVE.",
    "fte": "Full-time equivalent staff whose pay is above (e.g. 12.5). More than 0.",
    "headcount": "Number of people employed in the service (each part-timer counts as one). Whole number.",
    "project_id": "Choose the project from the list.",
    "source": "Where the figures come from, e.g. 'outturn of the base year, council ledger, cost centres 4510-4530'.",
}

_FIRST_ROW = 2
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # pale yellow: cells to fill in
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_MONEY_FORMAT = "#,##0.0;-#,##0.0;0"


def input_rows() -> dict[str, int]:
    """Row number (Excel, 1-based) of every key on the Input sheet."""
    keys = BASELINE_LINES + STAFF_KEYS + TEXT_KEYS
    return {key: _FIRST_ROW + i for i, key in enumerate(keys)}


def _height(text: str, chars_per_line: int) -> float:
    """Row height (points) that shows ``text`` wrapped at about ``chars_per_line`` characters."""
    return 15.0 * max(1, -(-len(text) // chars_per_line))


def _print_setup(ws) -> None:
    """Landscape, one page wide (so a printed or PDF copy is readable)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0


def _instructions_text(base_year: str = config.BASE_YEAR) -> list[tuple[str, str]]:
    """(style, text) paragraphs of the Instructions sheet, for a baseline of ``base_year`` ('2014-15')."""
    from .baseline import OFFICIAL_NET_TOLERANCE, POUNDS_LINE_RATIO  # inside: keeps the module's imports as they are

    return [
        ("title", "Service baseline: input workbook (ddanalysis)"),
        (
            "body",
            "Use this workbook to give the options appraisal the status quo cost of the service in "
            "scope: what it cost the council in the base year, by subjective line, with its staff "
            "numbers. Fill in the yellow cells on the 'Input' sheet only.",
        ),
        ("head", "Base year and prices"),
        (
            "body",
            f"Financial year {base_year} (1 April {fy_start_year(base_year)} to 31 March "
            f"{fy_start_year(base_year) + 1}). Use the outturn (actual) figures where you have them, otherwise the "
            f"budget. All figures are in {base_year} prices.",
        ),
        ("head", "Units: GBP thousand"),
        (
            "body",
            "Enter money in GBP THOUSAND, as in budget books and the DCLG Revenue Outturn (RS) returns: "
            "a cost of £1,234,567 is entered as 1234.6 (or 1234.567). Do not enter pounds: a line over "
            f"{MAX_LINE_GBP_K:,.0f} thousand, a net budget over 2,000,000 thousand or average pay over 250 "
            "thousand per FTE is rejected as looking like pounds, and so is a line "
            f"{POUNDS_LINE_RATIO:,.0f} or more times the median of the other lines (one line left in pounds "
            "among lines in thousands). The net budget is also checked against the council's official "
            "Revenue Outturn (RS) figure for the service's block: a service is part of its block, so a net "
            f"budget more than {OFFICIAL_NET_TOLERANCE:.0%} above the block's figure is rejected.",
        ),
        *_entry_rules_text(base_year),
    ]


def _entry_rules_text(base_year: str) -> list[tuple[str, str]]:
    """(style, text) paragraphs of the Instructions sheet on signs, staff numbers, the figures' sources and
    loading the workbook."""
    return [
        ("head", "Signs"),
        (
            "body",
            "Costs (the first ten lines) are zero or POSITIVE. Income (the last three money lines) is zero "
            "or NEGATIVE, as in the RS returns: £650,000 of fees is entered as -650; income larger than the "
            "costs is rejected. Enter 0 for a line the service does not have (a dash, as budget books print "
            "nil, is read as 0); do not leave a line blank. A minus sign or dash pasted from a PDF before a "
            "number is read as minus; brackets are not: write -650, not (650).",
        ),
        ("head", "Staff"),
        (
            "body",
            "FTE: full-time equivalent staff whose pay is in 'Employees: pay' (more than 0; decimals "
            "allowed). Headcount: the number of people (a whole number, at least the FTE).",
        ),
        ("head", "Where the figures come from"),
        (
            "body",
            f"The council's {base_year} ledger or budget book for the cost centres in scope, analysed by "
            "subjective line (CIPFA Service Reporting Code of Practice). Business rates from the rates "
            "bill before any relief (a charity would get 80% mandatory relief, so the appraisal needs the "
            "full bill). Support service recharges from the central recharge allocation. Employer pension "
            "contributions as paid, not IAS 19 adjustments. Exclude movements to or from reserves and "
            "recharges between parts of the service. Say where the figures come from in the 'source' row.",
        ),
        ("head", "Loading the workbook"),
        (
            "body",
            "In Python: import ddanalysis.baseline as b; b.load_baseline('this-file.xlsx'). Every problem "
            "in the cells is listed at once, with its sheet, row and column, and nothing is loaded until all are "
            "fixed. The checks of the budget as a whole (a line that looks like pounds, income above the costs, "
            "the council's official figure) need every line, so they run once every cell is filled in: a second "
            "check can find more. The workbook itself is never changed by ddanalysis.",
        ),
        ("head", "The lines"),
    ]


def _build_instructions(ws, base_year: str) -> None:
    for letter, width in (("A", 24), ("B", 46), ("C", 14), ("D", 70)):
        ws.column_dimensions[letter].width = width
    row = 1
    for style, text in _instructions_text(base_year):
        cell = ws.cell(row=row, column=1, value=text)
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "head":
            cell.font = Font(bold=True, size=11, color="1F4E79")
        else:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[row].height = _height(text, 140)
        row += 1
    for col, title in enumerate(("Key", "Item", "Sign", "What to include"), start=1):
        c = ws.cell(row=row, column=col, value=title)
        c.font, c.fill = _HEADER_FONT, _HEADER_FILL
    for key in BASELINE_LINES + STAFF_KEYS:
        row += 1
        sign = (
            "0 or negative"
            if key in INCOME_LINES
            else "0 or positive"
            if key in LINE_LABELS
            else "more than 0"
            if key == "fte"
            else "whole number"
        )
        label = LINE_LABELS.get(key, "Full-time equivalent staff" if key == "fte" else "Headcount")
        for col, value in enumerate((key, label, sign, LINE_GUIDANCE[key]), start=1):
            ws.cell(row=row, column=col, value=value).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = max(_height(label, 42), _height(LINE_GUIDANCE[key], 66))
    _print_setup(ws)
    ws.protection.sheet = True


def _validation(
    kind: str, operator: str | None, f1: str, f2: str | None, title: str, prompt: str, error: str
) -> DataValidation:
    dv = DataValidation(
        type=kind,
        operator=operator,
        formula1=f1,
        formula2=f2,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=title[:32],
        error=error[:255],
        promptTitle=title[:32],
        prompt=prompt[:255],
    )
    return dv


def _input_table(ws, rows: dict[str, int], project_id: str | None) -> None:
    """The Input sheet's table: a header, then one row per baseline line (GBP thousand), FTE, headcount, project
    and source, with its key, label, unit, guidance and an unlocked yellow value cell."""
    for col, title in enumerate(INPUT_HEADERS, start=1):
        c = ws.cell(row=1, column=col, value=title)
        c.font, c.fill = _HEADER_FONT, _HEADER_FILL
    labels = dict(
        LINE_LABELS,
        fte="Full-time equivalent staff (FTE)",
        headcount="Headcount (people)",
        project_id="Project",
        source="Source of these figures",
    )
    units = {k: "GBP thousand" for k in BASELINE_LINES} | {
        "fte": "FTE",
        "headcount": "people",
        "project_id": "",
        "source": "",
    }
    top = Alignment(vertical="top")
    for key, row in rows.items():
        ws.cell(row=row, column=KEY_COL, value=key).alignment = top
        ws.cell(row=row, column=LABEL_COL, value=labels[key])
        ws.cell(row=row, column=UNIT_COL, value=units[key]).alignment = top
        guide = ws.cell(row=row, column=GUIDE_COL, value=LINE_GUIDANCE[key])
        guide.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=LABEL_COL).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = max(_height(LINE_GUIDANCE[key], 66), _height(labels[key], 48))
        value = ws.cell(row=row, column=VALUE_COL)
        value.fill = _INPUT_FILL
        value.alignment = top
        value.protection = Protection(locked=False)
        if key in LINE_LABELS:
            value.number_format = _MONEY_FORMAT
        elif key == "fte":
            value.number_format = "#,##0.0#"
        elif key == "headcount":
            value.number_format = "#,##0"
    if project_id:
        ws.cell(row=rows["project_id"], column=VALUE_COL, value=project_id)


def _input_validations(ws, rows: dict[str, int], n_projects: int) -> None:
    """Data validation on each value cell: costs 0 or more and income 0 or less (GBP thousand, at most
    ``MAX_LINE_GBP_K``), FTE more than 0, headcount a whole number, the project from the list, a short source."""
    col = get_column_letter(VALUE_COL)
    exp = [k for k in BASELINE_LINES if k not in INCOME_LINES]
    inc = [k for k in BASELINE_LINES if k in INCOME_LINES]
    dv_exp, dv_inc = _money_validations()
    dv_fte, dv_head, dv_proj, dv_src = _staff_and_record_validations(n_projects)
    for dv, keys in (
        (dv_exp, exp),
        (dv_inc, inc),
        (dv_fte, ["fte"]),
        (dv_head, ["headcount"]),
        (dv_proj, ["project_id"]),
        (dv_src, ["source"]),
    ):
        for key in keys:
            dv.add(f"{col}{rows[key]}")
        ws.add_data_validation(dv)


def _money_validations() -> tuple[DataValidation, DataValidation]:
    """The validations of the cost lines (0 or more) and the income lines (0 or less), GBP thousand, at most
    ``MAX_LINE_GBP_K`` either way."""
    limit = f"{MAX_LINE_GBP_K:.0f}"
    dv_exp = _validation(
        "decimal",
        "between",
        "0",
        limit,
        "Cost, GBP thousand",
        "A cost in GBP thousand: 0 or more (e.g. 1234.6 for £1,234,567). Enter 0 if none.",
        f"Costs are 0 or positive numbers in GBP thousand (at most {MAX_LINE_GBP_K:,.0f}). "
        "Did you enter pounds, or a negative cost?",
    )
    dv_inc = _validation(
        "decimal",
        "between",
        f"-{limit}",
        "0",
        "Income, GBP thousand",
        "Income in GBP thousand, entered as a NEGATIVE number (e.g. -650 for £650,000). Enter 0 if none.",
        "Income is 0 or a NEGATIVE number in GBP thousand, as in the RS returns (e.g. -650 for £650,000).",
    )
    return dv_exp, dv_inc


def _staff_and_record_validations(
    n_projects: int,
) -> tuple[DataValidation, DataValidation, DataValidation, DataValidation]:
    """The validations of FTE (more than 0), headcount (a whole number, at least 1), the project (one of the
    ``n_projects`` ids on the lists sheet) and the source (at most 500 characters)."""
    dv_fte = _validation(
        "decimal",
        "greaterThan",
        "0",
        None,
        "FTE",
        "Full-time equivalent staff: a number more than 0 (decimals allowed).",
        "FTE must be a number more than 0.",
    )
    dv_head = _validation(
        "whole",
        "greaterThanOrEqual",
        "1",
        None,
        "Headcount",
        "Number of people employed: a whole number, at least 1.",
        "Headcount must be a whole number of people, at least 1.",
    )
    dv_proj = _validation(
        "list",
        None,
        f"{LISTS_SHEET}!$A$2:$A${n_projects + 1}",
        None,
        "Project",
        "Choose the project these figures are for.",
        "Choose one of the project ids from the list.",
    )
    dv_src = _validation(
        "textLength",
        "lessThanOrEqual",
        "500",
        None,
        "Source",
        "Where the figures come from (ledger, budget book, cost centres).",
        "Keep the source to 500 characters.",
    )
    return dv_fte, dv_head, dv_proj, dv_src


def _input_checks(ws, rows: dict[str, int]) -> None:
    """Calculated checks beside the table, columns G and H (informational; the loader reads columns A-D only):
    gross expenditure, income, net budget and pay bill (GBP thousand), and the shares a reviewer looks at."""
    col = get_column_letter(VALUE_COL)
    exp = [k for k in BASELINE_LINES if k not in INCOME_LINES]
    inc = [k for k in BASELINE_LINES if k in INCOME_LINES]
    first, last_exp = rows[BASELINE_LINES[0]], rows[exp[-1]]
    first_inc, last_inc = rows[inc[0]], rows[inc[-1]]
    pay, ni, pen = rows["employees_pay"], rows["employees_ni"], rows["employees_pension"]
    rech, fte = rows["support_recharges"], rows["fte"]
    checks = [
        ("Checks (calculated, GBP thousand)", None, None),
        ("Gross expenditure", f"=SUM({col}{first}:{col}{last_exp})", _MONEY_FORMAT),
        ("Income", f"=SUM({col}{first_inc}:{col}{last_inc})", _MONEY_FORMAT),
        ("Net budget", "=H2+H3", _MONEY_FORMAT),
        ("Pay bill (pay + NI + pension)", f"=SUM({col}{pay}:{col}{pen})", _MONEY_FORMAT),
        ("Employer NI as share of pay (8-10%)", f'=IF(N({col}{pay})>0,{col}{ni}/{col}{pay},"")', "0.0%"),
        ("Employer pension as share of pay (12-20%)", f'=IF(N({col}{pay})>0,{col}{pen}/{col}{pay},"")', "0.0%"),
        ("Support recharges as share of gross (8-15%)", f'=IF(N(H2)>0,{col}{rech}/H2,"")', "0.0%"),
        ("Average pay per FTE (GBP thousand)", f'=IF(N({col}{fte})>0,{col}{pay}/{col}{fte},"")', "#,##0.0"),
    ]
    for i, (label, formula, fmt) in enumerate(checks, start=1):
        lc = ws.cell(row=i, column=7, value=label)
        if formula is None:
            lc.font, lc.fill = _HEADER_FONT, _HEADER_FILL
            ws.cell(row=i, column=8).fill = _HEADER_FILL
            continue
        fc = ws.cell(row=i, column=8, value=formula)
        fc.number_format = fmt
        lc.alignment = fc.alignment = Alignment(vertical="top")


def _build_input(ws, project_id: str | None, n_projects: int) -> None:
    """The Input sheet a council fills in: the table, its validations (the project one of the ``n_projects`` on
    the lists sheet), the checks beside it, protection."""
    rows = input_rows()
    _input_table(ws, rows, project_id)
    _input_validations(ws, rows, n_projects)
    _input_checks(ws, rows)
    for letter, width in (("A", 22), ("B", 52), ("C", 28), ("D", 13), ("E", 70), ("F", 3), ("G", 42), ("H", 14)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    _print_setup(ws)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # let users widen columns
    ws.protection.formatRows = False


def _build_lists(ws, projects: list[tuple[str, str]]) -> None:
    ws.cell(row=1, column=1, value="project_id")
    ws.cell(row=1, column=2, value="title")
    for i, (pid, title) in enumerate(projects, start=2):
        ws.cell(row=i, column=1, value=pid)
        ws.cell(row=i, column=2, value=title)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True


def build_template(
    project_id: str | None = None, *, workspace: tuple[str, str] | None = None, base_year: str = config.BASE_YEAR
) -> Workbook:
    """The blank input workbook (openpyxl ``Workbook``), optionally with the project already chosen.

    ``workspace``: (id, title) of a new workspace (``ddanalysis new``): its id is the one the project list
    offers, not the programme's. ``base_year``: the financial year the figures are for and priced in, which the
    instructions state.
    """
    if project_id is not None:
        project_id = registry.project(project_id).id  # an id or a workspace folder; UnknownKeyError listing the ids
    projects = [workspace] if workspace is not None else [(p.id, p.title) for p in registry.projects()]
    wb = Workbook()
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _build_instructions(instructions, base_year)
    _build_input(wb.create_sheet(INPUT_SHEET), project_id, len(projects))
    _build_lists(wb.create_sheet(LISTS_SHEET), projects)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def write_template(path: str | Path, project_id: str | None = None) -> Path:
    """Write the blank baseline input workbook to ``path`` (.xlsx), whole or not at all; return the path. Its
    instructions name the base year of ``project_id`` (a workspace's own; 2014-15 for the bundled projects)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DataFileError(f"{path}: the template is an Excel workbook; give a file name ending in .xlsx")
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise DataFileError(f"{path}: is a folder; give a file name ending in .xlsx")
    if not folder.is_dir():
        raise DataFileError(f"cannot write {path}: the folder {folder} does not exist")
    base_year = registry.project(project_id).base_year if project_id is not None else config.BASE_YEAR
    wb = build_template(project_id, base_year=base_year)
    try:
        write_atomic(path, wb.save)
    except OSError as exc:
        raise DataFileError(f"cannot write {path}: {exc.strerror or exc} (folder {folder})") from exc
    return path
