"""Service baselines: the in-scope service's 2014-15 budget by subjective line, FTE and headcount.

Every appraisal starts from a :class:`Baseline`: the status quo's cost of the service in the base
year (real 2014-15 prices). Files hold **GBP thousand** (as budget books and the RS returns do);
:attr:`Baseline.amounts_gbp` holds **GBP** (pounds). Costs are positive, income negative.

Two inputs are read, and both are validated completely before anything is returned:

* a CSV with columns ``line,value,unit,note`` (one row per subjective line, plus ``fte`` and
  ``headcount`` rows and optional ``project_id`` and ``source`` rows); the bundled files in
  ``data/baselines/<project-id>.csv`` are of this kind, each with a ``<project-id>.yaml`` beside it
  holding provenance and the sizing against the council's official RS figure;
* the input workbook written by :func:`ddanalysis.template.write_template` (sheet ``Input``).

Every problem found (with its sheet, row and column) goes into ONE :class:`DataFileError`.
The bundled baselines are ILLUSTRATIVE: no council ledger is public (see data/baselines/README.md).
"""
from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .yamlio import load_yaml_text, not_utf8, read_utf8
from . import config, registry
from .errors import DataFileError, DDAnalysisError

#: The subjective lines of a service budget, in the order every baseline keeps them.
BASELINE_LINES: tuple[str, ...] = (
    "employees_pay", "employees_ni", "employees_pension",
    "premises", "business_rates", "transport", "supplies_services",
    "third_party_payments", "support_recharges", "capital_charges",
    "income_fees_charges", "income_grants", "income_other",
)

#: Human labels for the lines (used in the template, tables and charts).
LINE_LABELS: dict[str, str] = {
    "employees_pay": "Employees: pay",
    "employees_ni": "Employees: employer's National Insurance",
    "employees_pension": "Employees: employer's pension contributions",
    "premises": "Premises (excluding business rates)",
    "business_rates": "Business rates (NNDR)",
    "transport": "Transport",
    "supplies_services": "Supplies and services",
    "third_party_payments": "Third-party payments (providers, contractors, other bodies)",
    "support_recharges": "Support service recharges (central overheads)",
    "capital_charges": "Capital charges (depreciation and impairment)",
    "income_fees_charges": "Income: sales, fees and charges",
    "income_grants": "Income: grants and contributions",
    "income_other": "Income: other (rents, recharges to others, donations)",
}

#: Income lines: zero or negative (net income is negative, as in the RS returns).
INCOME_LINES: frozenset[str] = frozenset({"income_fees_charges", "income_grants", "income_other"})
#: Expenditure lines: zero or positive.
EXPENDITURE_LINES: frozenset[str] = frozenset(BASELINE_LINES) - INCOME_LINES
#: Lines that make up the pay bill.
PAY_LINES: tuple[str, ...] = ("employees_pay", "employees_ni", "employees_pension")

#: Non-money rows of a baseline file: required (``fte``, ``headcount``) and optional ones.
STAFF_KEYS: tuple[str, ...] = ("fte", "headcount")
TEXT_KEYS: tuple[str, ...] = ("project_id", "source")
ALL_KEYS: tuple[str, ...] = BASELINE_LINES + STAFF_KEYS + TEXT_KEYS

#: Plausibility limits that catch figures entered in pounds instead of GBP thousand.
MAX_LINE_GBP_K = 5_000_000.0        # any one line over GBP 5 billion
MAX_NET_GBP_K = 2_000_000.0         # a net budget over GBP 2 billion (larger than any council's)
MAX_PAY_PER_FTE_GBP_K = 250.0       # average pay over GBP 250,000 per FTE

BUNDLED_DIR_NAME = "baselines"
INPUT_SHEET = "Input"

_MONEY_UNITS = {"gbpthousand", "gbpk", "£000", "£'000", "£k", "£thousand", "gbp000", "gbp'000", "thousandgbp"}
_UNITS = {"fte": {"fte"}, "headcount": {"people", "persons", "headcount", "staff", "heads"}}
_UNIT_TEXT = {"fte": "FTE", "headcount": "people"}


# --------------------------------------------------------------------------------------------
# The Baseline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """The status quo budget of one project's in-scope service in the base year.

    ``amounts_gbp`` is indexed by :data:`BASELINE_LINES` (all present, in order), in GBP (pounds),
    real 2014-15 prices; costs positive, income negative. ``rs_net_current_gbp_k`` is the council(s)'
    official 2014-15 RS net current expenditure for the RS block(s) in ``rs_service`` (GBP thousand)
    and ``rs_share`` the in-scope net budget as a share of it.
    """

    project_id: str
    base_year: str
    amounts_gbp: pd.Series
    fte: float
    headcount: int
    illustrative: bool
    source: str
    rs_service: str | None = None
    rs_net_current_gbp_k: float | None = None
    rs_share: float | None = None
    #: which income pays for which activity (default, none listed: the council funds its net budget)
    funded_by: tuple[FundedBy, ...] = ()

    @property
    def council_funded_gbp(self) -> float:
        """The value the council pays for (GBP, real): cash spend (capital charges are not cash) less
        the income others pay; an income line the ``funded_by`` split marks as the council's own money
        (e.g. recharges to other council services) is not deducted. Default: the net cash budget."""
        own = {f.income_line for f in self.funded_by if f.council}
        cash = self.gross_expenditure_gbp - float(self.amounts_gbp["capital_charges"])
        others = sum(float(self.amounts_gbp[k]) for k in INCOME_LINES if k not in own)
        return cash + others

    @property
    def council_funded_share(self) -> float:
        """:attr:`council_funded_gbp` as a share of cash gross spend (0..1; 1 when that is 0)."""
        cash = self.gross_expenditure_gbp - float(self.amounts_gbp["capital_charges"])
        return min(max(self.council_funded_gbp / cash, 0.0), 1.0) if cash > 0 else 1.0

    def __post_init__(self) -> None:
        amounts = pd.Series(self.amounts_gbp, dtype="float64").copy()
        if tuple(amounts.index) != BASELINE_LINES:
            raise DDAnalysisError(
                f"Baseline {self.project_id!r}: amounts_gbp must be indexed by the {len(BASELINE_LINES)} "
                f"baseline lines in order ({', '.join(BASELINE_LINES)}); got {list(amounts.index)}"
            )
        if not all(math.isfinite(v) for v in amounts):
            raise DDAnalysisError(f"Baseline {self.project_id!r}: amounts_gbp must all be finite numbers")
        bad_exp = [k for k in EXPENDITURE_LINES if amounts[k] < 0]
        bad_inc = [k for k in INCOME_LINES if amounts[k] > 0]
        if bad_exp or bad_inc:
            raise DDAnalysisError(
                f"Baseline {self.project_id!r}: costs must be >= 0 (wrong: {sorted(bad_exp)}) and income "
                f"<= 0 (wrong: {sorted(bad_inc)})"
            )
        if not (self.fte > 0 and math.isfinite(self.fte)):
            raise DDAnalysisError(f"Baseline {self.project_id!r}: fte must be more than 0, got {self.fte!r}")
        if int(self.headcount) != self.headcount or self.headcount < 1:
            raise DDAnalysisError(f"Baseline {self.project_id!r}: headcount must be a whole number >= 1")
        amounts.name = "amount_gbp"
        object.__setattr__(self, "amounts_gbp", amounts)
        object.__setattr__(self, "fte", float(self.fte))
        object.__setattr__(self, "headcount", int(self.headcount))

    # a Series cannot be compared with == inside a tuple, so equality and hashing are written out
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Baseline):
            return NotImplemented
        return (
            self._key() == other._key() and self.amounts_gbp.equals(other.amounts_gbp)
        )

    def __hash__(self) -> int:
        return hash(self._key() + (tuple(self.amounts_gbp.round(6)),))

    def _key(self) -> tuple:
        return (self.project_id, self.base_year, self.fte, self.headcount, self.illustrative, self.source,
                self.rs_service, self.rs_net_current_gbp_k, self.rs_share)

    @property
    def gross_expenditure_gbp(self) -> float:
        """Sum of the expenditure lines, GBP."""
        return float(self.amounts_gbp[[k for k in BASELINE_LINES if k in EXPENDITURE_LINES]].sum())

    @property
    def income_gbp(self) -> float:
        """Sum of the income lines, GBP (negative or zero)."""
        return float(self.amounts_gbp[[k for k in BASELINE_LINES if k in INCOME_LINES]].sum())

    @property
    def net_budget_gbp(self) -> float:
        """Gross expenditure plus (negative) income, GBP: the council's net cost of the service."""
        return self.gross_expenditure_gbp + self.income_gbp

    @property
    def pay_bill_gbp(self) -> float:
        """Pay plus employer's National Insurance plus employer's pension, GBP."""
        return float(self.amounts_gbp[list(PAY_LINES)].sum())

    def to_frame(self) -> pd.DataFrame:
        """One row per line: ``line``, ``label``, ``amount_gbp`` (GBP), ``kind`` ('expenditure' / 'income')."""
        return pd.DataFrame(
            {
                "line": list(BASELINE_LINES),
                "label": [LINE_LABELS[k] for k in BASELINE_LINES],
                "amount_gbp": self.amounts_gbp.to_numpy(copy=True),
                "kind": ["income" if k in INCOME_LINES else "expenditure" for k in BASELINE_LINES],
            }
        )


# --------------------------------------------------------------------------------------------
# Provenance of a bundled baseline (the YAML beside the CSV)
# --------------------------------------------------------------------------------------------


class RSCell(BaseModel):
    """One cell of the official RS workbook read by hand for sizing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    council: str = Field(pattern=r"^E\d{4}$")
    rs_service: str
    column: str
    cell: str = Field(pattern=r"^[A-Z]{1,3}[1-9]\d*$")
    value_gbp_k: float


class Sizing(BaseModel):
    """How the illustrative baseline was sized against the council(s)' official RS figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rs_service: str
    workbook: str
    sheet: str
    cells: tuple[RSCell, ...] = Field(min_length=1)
    rs_net_current_gbp_k: float
    rs_share: float = Field(gt=0, lt=1)
    share_rationale: str = Field(min_length=20)


class FundedBy(BaseModel):
    """Who pays for part of the service: one income line, its funder and the activity it pays for.

    ``council: false`` (the default) means the money comes from outside the council (schools, a
    government agency, users), so the activity it pays for is not the council's cost.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    income_line: Literal["income_fees_charges", "income_grants", "income_other"]
    funder: str = Field(min_length=2)
    activity: str = Field(min_length=2)
    council: bool = False


class BaselineMeta(BaseModel):
    """Provenance of a bundled baseline (``data/baselines/<project-id>.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project_id: str
    base_year: str = Field(pattern=r"^\d{4}-\d{2}$")
    illustrative: bool
    source: str = Field(min_length=20)
    sizing: Sizing | None = None
    funded_by: tuple[FundedBy, ...] = ()


# --------------------------------------------------------------------------------------------
# Collecting problems
# --------------------------------------------------------------------------------------------


@dataclass
class _Problems:
    """Problems found in one file, each with where it is; raised together as one DataFileError."""

    path: Path
    items: list[tuple[int, str]] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        row = re.search(r"\brow (\d+)", where)
        self.items.append((int(row.group(1)) if row else 1_000_000_000, f"{where}: {what}" if where else what))

    def raise_if_any(self) -> None:
        """Raise one DataFileError listing every problem, in row order (whole-file problems last)."""
        if not self.items:
            return
        items = [text for _, text in sorted(self.items, key=lambda item: item[0])]
        n = len(items)
        head = (f"{self.path}: {n} problem{'s' if n > 1 else ''} found, so nothing was loaded. "
                f"Please correct {'them' if n > 1 else 'it'} and load the file again:")
        body = "\n".join(f"  {i}. {item}" for i, item in enumerate(items, start=1))
        raise DataFileError(f"{head}\n{body}")


@dataclass(frozen=True)
class _Cell:
    """One value read from a file, with where it sits (for messages)."""

    key: str
    value: Any
    where: str          # e.g. "row 5, column 'value'" or "sheet 'Input', row 5, column C (Value)"
    key_where: str      # where the key itself sits
    unit: Any = None
    unit_where: str = ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _to_number(raw: Any) -> tuple[float | None, str | None]:
    """A number from a cell, or (None, reason). Blank -> (None, None)."""
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, f"{raw!r} is TRUE/FALSE, not a number"
    if isinstance(raw, (int, float)):
        value = float(raw)
        return (value, None) if math.isfinite(value) else (None, f"{raw!r} is not a finite number")
    text = str(raw).strip()
    if text == "":
        return None, None
    if _NUMBER.match(text):
        return float(text), None
    if _COMMA_NUMBER.match(text):
        return float(text.replace(",", "")), None
    hint = ""
    if re.fullmatch(r"\(\s*[\d,.]+\s*\)", text):
        hint = f" (write negative amounts with a minus sign, e.g. -{text.strip('() ')})"
    elif "£" in text or "$" in text:
        hint = " (leave out the currency sign; the unit is set by the column)"
    elif re.search(r"\d\s*[kKmM]\b", text):
        hint = " (enter a plain number in GBP thousand, without 'k' or 'm')"
    return None, f"{text!r} is text, not a number{hint}"


def _norm_unit(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def _validate_cells(cells: list[_Cell], problems: _Problems, whole: str) -> tuple[dict[str, float], dict[str, str]]:
    """Check every cell; return the numbers and text values that passed (problems go to ``problems``)."""
    seen: dict[str, _Cell] = {}
    numbers: dict[str, float] = {}
    texts: dict[str, str] = {}
    required = [c for c in cells if c.key in BASELINE_LINES + STAFF_KEYS]
    if len(required) == len(BASELINE_LINES + STAFF_KEYS) and all(_to_number(c.value) == (None, None) for c in required):
        problems.add(whole, "nothing has been entered: fill in an amount (GBP thousand) for every line, and the "
                            "FTE and headcount")
        return numbers, texts
    for cell in cells:
        key = cell.key
        if key not in ALL_KEYS:
            close = difflib.get_close_matches(key, ALL_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.add(cell.key_where, f"unknown line {key!r}{hint}; the lines are: {', '.join(BASELINE_LINES)}, "
                                         f"plus {', '.join(STAFF_KEYS)} (and optional {', '.join(TEXT_KEYS)})")
            continue
        if key in seen:
            problems.add(cell.key_where, f"line {key!r} appears more than once (first at {seen[key].key_where}); "
                                         "keep one row per line")
            continue
        seen[key] = cell
        if key in TEXT_KEYS:
            if cell.value is not None and str(cell.value).strip():
                texts[key] = str(cell.value).strip()
            continue
        label = LINE_LABELS.get(key, {"fte": "FTE", "headcount": "headcount"}.get(key, key))
        if cell.unit is not None and str(cell.unit).strip():
            unit = _norm_unit(cell.unit)
            if key in LINE_LABELS and unit not in _MONEY_UNITS:
                problems.add(cell.unit_where, f"{label}: unit {cell.unit!r}; amounts must be in GBP thousand "
                                              "(write 'GBP thousand'; if you entered pounds, divide by 1,000)")
            elif key in _UNITS and unit not in _UNITS[key]:
                problems.add(cell.unit_where, f"{label}: unit {cell.unit!r}; expected {_UNIT_TEXT[key]!r}")
        value, why = _to_number(cell.value)
        if why:
            problems.add(cell.where, f"{label}: {why}")
            continue
        if value is None:
            what = ("no amount entered; enter 0 if the service has none" if key in LINE_LABELS
                    else "missing; enter the number of full-time equivalent staff (more than 0)" if key == "fte"
                    else "missing; enter the number of people employed (a whole number)")
            problems.add(cell.where, f"{label}: {what}")
            continue
        ok = True
        if key in EXPENDITURE_LINES and value < 0:
            problems.add(cell.where, f"{label}: {value:,.10g} is negative; costs must be zero or positive "
                                     "(only the three income lines are negative)")
            ok = False
        elif key in INCOME_LINES and value > 0:
            problems.add(cell.where, f"{label}: {value:,.10g} is positive; income must be entered as a negative "
                                     f"number, as in the RS returns (e.g. {-value:,.10g})")
            ok = False
        if key in LINE_LABELS and abs(value) > MAX_LINE_GBP_K:
            problems.add(cell.where, f"{label}: {value:,.10g} thousand (GBP {abs(value) / 1e6:,.1f} billion) is "
                                     "implausible for one service; it looks like pounds, but amounts must be in "
                                     "GBP thousand (divide by 1,000)")
            ok = False
        if key == "fte" and value <= 0:
            problems.add(cell.where, f"FTE: {value:,.10g}; must be more than 0")
            ok = False
        if key == "headcount":
            if not float(value).is_integer():
                problems.add(cell.where, f"headcount: {value:,.10g} is not a whole number of people")
                ok = False
            elif value < 1:
                problems.add(cell.where, f"headcount: {value:,.10g}; must be at least 1")
                ok = False
        if ok:
            numbers[key] = value
    if "employees_pay" in numbers and "fte" in numbers and numbers["employees_pay"] / numbers["fte"] > MAX_PAY_PER_FTE_GBP_K:
        per = numbers["employees_pay"] / numbers["fte"]
        problems.add(seen["employees_pay"].where,
                     f"{LINE_LABELS['employees_pay']}: {numbers['employees_pay']:,.10g} thousand for {numbers['fte']:,.10g} FTE "
                     f"is GBP {per:,.0f} thousand per FTE, implausible; it looks like pounds, but amounts must be in "
                     "GBP thousand (divide by 1,000)")
    if "fte" in numbers and "headcount" in numbers and numbers["headcount"] < numbers["fte"]:
        problems.add(seen["headcount"].where, f"headcount {numbers['headcount']:,.0f} is smaller than FTE "
                                              f"{numbers['fte']:,.10g}; one person works at most one FTE")
    absent = [k for k in BASELINE_LINES + STAFF_KEYS if k not in seen]
    if absent:
        problems.add(whole, f"missing line{'s' if len(absent) > 1 else ''} {', '.join(absent)}; every "
                                    "baseline needs all 13 subjective lines plus fte and headcount "
                                    "(enter 0 for a line the service does not have)")
    # whole-file checks, only when their inputs are sound
    money = [k for k in BASELINE_LINES if k in numbers]
    if len(money) == len(BASELINE_LINES):
        net = sum(numbers[k] for k in BASELINE_LINES)
        gross = sum(numbers[k] for k in BASELINE_LINES if k in EXPENDITURE_LINES)
        if abs(net) > MAX_NET_GBP_K:
            problems.add(whole, f"the net budget comes to {net:,.0f} thousand (GBP {net / 1e6:,.1f} billion), implausible "
                             "for one service; the amounts look like pounds, but must be in GBP thousand")
        if gross <= 0:
            problems.add(whole, "every cost line is zero; enter the service's expenditure in GBP thousand")
    return numbers, texts


# --------------------------------------------------------------------------------------------
# Readers: CSV and the template workbook
# --------------------------------------------------------------------------------------------


def _read_csv_cells(path: Path, problems: _Problems) -> tuple[list[_Cell], str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the baseline file ({exc.strerror or exc})") from exc
    raw = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw  # Excel's 'CSV UTF-8' starts with a BOM
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, raw, exc, line_word="row") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    cells: list[_Cell] = []
    cols: dict[str, int] = {}
    for fields in reader:
        row = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if fields[0].lstrip().startswith("#"):
            continue  # comment rows (the bundled files say ILLUSTRATIVE in one)
        if header is None:
            header = [f.strip().lower() for f in fields]
            cols = {name: i for i, name in enumerate(header) if name}
            missing = [c for c in ("line", "value") if c not in cols]
            if missing:
                hint = ""
                for sep in (";", "\t", "|"):
                    if sep in fields[0]:
                        hint = (f"; the file seems to use {'a tab' if sep == chr(9) else repr(sep)} as its delimiter: "
                                "save it as comma-separated CSV (UTF-8)")
                        break
                problems.add(f"row {row}", f"the header row has columns {header}; expected 'line', 'value' "
                                           f"(and optionally 'unit', 'note'){hint}")
                problems.raise_if_any()
            continue

        def get(name: str) -> Any:
            i = cols.get(name)
            return fields[i] if i is not None and i < len(fields) else None

        key = (get("line") or "").strip()
        if not key:
            problems.add(f"row {row}, column 'line'", "a row has values but no line name")
            continue
        cells.append(_Cell(key=key, value=get("value"), where=f"row {row}, column 'value'",
                           key_where=f"row {row}, column 'line'", unit=get("unit"),
                           unit_where=f"row {row}, column 'unit'"))
    if header is None:
        problems.add("", "the file is empty; expected a header row 'line,value,unit,note' and one row per line")
        problems.raise_if_any()
    return cells, "the file"


def _read_xlsx_cells(path: Path, problems: _Problems) -> tuple[list[_Cell], str]:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book_values = load_workbook(path, data_only=True)
        book_formulas = load_workbook(path, data_only=False)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the workbook ({exc.strerror or exc})") from exc
    except Exception as exc:  # openpyxl raises several kinds for a damaged or non-xlsx file
        with open(path, "rb") as fh:
            ole = fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx or an old .xls inside
        why = ("it looks password-protected (encrypted) or is an old .xls renamed: save an unprotected copy as .xlsx"
               if ole else "is it truncated, corrupt or not a workbook? Use the workbook written by 'ddanalysis template'")
        raise DataFileError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}); {why}") from exc
    if INPUT_SHEET not in book_values.sheetnames:
        problems.add("", f"no sheet named {INPUT_SHEET!r} (sheets: {', '.join(book_values.sheetnames)}); "
                         "use the workbook written by 'ddanalysis template'")
        problems.raise_if_any()
    sheet = book_values[INPUT_SHEET]
    fsheet = book_formulas[INPUT_SHEET]
    from .template import INPUT_HEADERS, KEY_COL, UNIT_COL, VALUE_COL

    found = [sheet.cell(row=1, column=i + 1).value for i in range(len(INPUT_HEADERS))]
    if [str(v or "").strip() for v in found] != list(INPUT_HEADERS):
        problems.add(f"sheet {INPUT_SHEET!r}, row 1", f"header {found}; expected {list(INPUT_HEADERS)} "
                                                      "(use the workbook written by 'ddanalysis template')")
        problems.raise_if_any()
    kl, vl, ul = (get_column_letter(c) for c in (KEY_COL, VALUE_COL, UNIT_COL))
    vh, uh = INPUT_HEADERS[VALUE_COL - 1], INPUT_HEADERS[UNIT_COL - 1]
    cells: list[_Cell] = []
    for row in range(2, sheet.max_row + 1):
        key = sheet.cell(row=row, column=KEY_COL).value
        value = sheet.cell(row=row, column=VALUE_COL).value
        if key is None or str(key).strip() == "":
            if value is not None and str(value).strip():
                problems.add(f"sheet {INPUT_SHEET!r}, row {row}, column {kl} (Key)", "a value with no line key beside it")
            continue
        if value is None:
            formula = fsheet.cell(row=row, column=VALUE_COL).value
            if isinstance(formula, str) and formula.startswith("="):
                problems.add(f"sheet {INPUT_SHEET!r}, row {row}, column {vl} ({vh})",
                             f"the formula {formula} has no saved result; open the workbook in Excel, let it "
                             "calculate and save it, or type the number")
                continue
        cells.append(_Cell(key=str(key).strip(), value=value,
                           where=f"sheet {INPUT_SHEET!r}, row {row}, column {vl} ({vh})",
                           key_where=f"sheet {INPUT_SHEET!r}, row {row}, column {kl} (Key)",
                           unit=sheet.cell(row=row, column=UNIT_COL).value,
                           unit_where=f"sheet {INPUT_SHEET!r}, row {row}, column {ul} ({uh})"))
    return cells, f"sheet {INPUT_SHEET!r}"


# --------------------------------------------------------------------------------------------
# Sidecar metadata and the RS sizing
# --------------------------------------------------------------------------------------------


def _read_meta(path: Path, problems: _Problems) -> BaselineMeta | None:
    try:
        raw = load_yaml_text(read_utf8(path))
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        problems.add(path.name, f"not valid YAML ({exc})")
        return None
    try:
        return BaselineMeta.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(f"{path.name}, field '{'.'.join(map(str, err['loc']))}'", err["msg"])
        return None


def _check_sizing(meta: BaselineMeta, where: str, project: registry.Project, problems: _Problems) -> None:
    s = meta.sizing
    if s is None:
        return
    services = list(dict.fromkeys(c.rs_service for c in s.cells))
    if s.rs_service != "+".join(services):
        problems.add(f"{where}, field 'sizing.rs_service'",
                     f"{s.rs_service!r} but the cells are for {'+'.join(services)!r}")
    for i, c in enumerate(s.cells):
        if c.council not in project.councils:
            problems.add(f"{where}, field 'sizing.cells.{i}.council'",
                         f"{c.council} is not one of the project's councils {list(project.councils)}")
        if c.rs_service not in project.rs_services:
            problems.add(f"{where}, field 'sizing.cells.{i}.rs_service'",
                         f"{c.rs_service!r} is not one of the project's RS blocks {list(project.rs_services)}")
    total = sum(c.value_gbp_k for c in s.cells)
    if not math.isclose(total, s.rs_net_current_gbp_k, abs_tol=0.5):
        problems.add(f"{where}, field 'sizing.rs_net_current_gbp_k'",
                     f"{s.rs_net_current_gbp_k:,.0f} but the cells add up to {total:,.0f}")


def _sizing_sentence(s: Sizing, share: float) -> str:
    names = registry.councils().set_index("e_code")["name"]
    councils = " and ".join(dict.fromkeys(str(names[c.council]) for c in s.cells))
    blocks = " + ".join(dict.fromkeys(c.column for c in s.cells))
    cells = ", ".join(c.cell for c in s.cells)
    return (f" In-scope net budget = {share:.2%} of the official 2014-15 RS net current expenditure of {councils} "
            f"on {blocks} (GBP {s.rs_net_current_gbp_k:,.0f} thousand; DCLG Revenue Outturn Summary 2014-15, "
            f"sheet '{s.sheet}', cell{'s' if len(s.cells) > 1 else ''} {cells}).")


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def bundled_dir() -> Path:
    """The folder of bundled baselines, ``data/baselines``."""
    return config.data_path(BUNDLED_DIR_NAME)


def load_baseline(path: str | Path, project_id: str | None = None) -> Baseline:
    """Read and validate a baseline from a CSV or the input workbook (``.xlsx``).

    Amounts in the file are GBP thousand; the returned Baseline holds GBP. ``project_id`` says
    which project the figures are for; without it the file's own ``project_id`` (cell or row), or a
    file name equal to a project id, is used. A CSV with a ``<name>.yaml`` beside it (the bundled
    files) takes its provenance and RS sizing from that; otherwise the RS figure of the project's
    bundled baseline is used to work out ``rs_share``. Every problem found is reported in one
    :class:`DataFileError`; the file is only read, never changed.
    """
    path = Path(path)
    if project_id is not None:
        registry.project(project_id)  # UnknownKeyError listing the valid ids
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataFileError(f"{path}: a baseline must be a .csv file or the .xlsx input workbook "
                            f"(from 'ddanalysis template'); got {path.suffix or 'no extension'!r}")
    if not path.is_file():
        raise DataFileError(f"{path}: baseline file not found")
    problems = _Problems(path)
    if suffix == ".csv":
        cells, whole = _read_csv_cells(path, problems)
    else:
        cells, whole = _read_xlsx_cells(path, problems)
    numbers, texts = _validate_cells(cells, problems, whole)

    meta: BaselineMeta | None = None
    meta_path = path.with_suffix(".yaml")
    if suffix == ".csv" and meta_path.is_file():
        meta = _read_meta(meta_path, problems)

    # which project: argument, sidecar, the file's own project_id, or the file name
    candidates = [(src, pid) for src, pid in (
        ("the project_id argument", project_id),
        (meta_path.name, meta.project_id if meta else None),
        ("the file's project_id", texts.get("project_id")),
    ) if pid]
    chosen = candidates[0][1] if candidates else (path.stem if path.stem in registry.project_ids() else None)
    for src, pid in candidates[1:]:
        if pid != chosen:
            problems.add("", f"{src} says {pid!r} but {candidates[0][0]} says {chosen!r}; they must agree")
    project: registry.Project | None = None
    project_where = next((c.where for c in cells if c.key == "project_id"), "")
    if chosen is None:
        problems.add(project_where, "the file does not say which project it is for: enter the project id in "
                                    "the project_id row, or give it (`ddanalysis check-baseline FILE --project ID`, or "
                                    "load_baseline(path, project_id=...)); valid ids: "
                                    f"{', '.join(registry.project_ids())}")
    elif chosen not in registry.project_ids():
        problems.add(project_where, f"unknown project {chosen!r}; valid ids: {', '.join(registry.project_ids())}")
    else:
        project = registry.project(chosen)

    sizing: Sizing | None = None
    own_meta = meta is not None
    if meta is not None:
        if meta.base_year != config.BASE_YEAR:
            problems.add(f"{meta_path.name}, field 'base_year'", f"{meta.base_year!r}; appraisals use {config.BASE_YEAR!r}")
        if project is not None:
            _check_sizing(meta, meta_path.name, project, problems)
        sizing = meta.sizing
    elif project is not None:
        # a council's own file: size it against the same official RS figure as the bundled baseline
        sidecar = bundled_dir() / f"{project.id}.yaml"
        if sidecar.is_file():
            bundled = _read_meta(sidecar, _Problems(sidecar))  # problems there are not the user's
            sizing = bundled.sizing if bundled else None

    share: float | None = None
    if sizing is not None and all(k in numbers for k in BASELINE_LINES):
        net_k = sum(numbers[k] for k in BASELINE_LINES)
        share = net_k / sizing.rs_net_current_gbp_k
        if own_meta and abs(round(share, 6) - sizing.rs_share) > 1.5e-6:
            problems.add(f"{meta_path.name}, field 'sizing.rs_share'",
                         f"{sizing.rs_share} but the net budget {net_k:,.1f} / RS figure "
                         f"{sizing.rs_net_current_gbp_k:,.0f} = {share:.6f}")

    problems.raise_if_any()
    assert project is not None

    amounts = pd.Series([numbers[k] * 1000.0 for k in BASELINE_LINES], index=list(BASELINE_LINES), dtype="float64")
    if own_meta:
        assert meta is not None
        illustrative = meta.illustrative
        source = meta.source.strip()
    else:
        illustrative = False
        stated = texts.get("source") or "source not stated"
        source = (f"Entered by the council in {path.name} ({stated}); checked by ddanalysis for completeness, "
                  "signs and units, not against the ledger.")
    if sizing is not None and share is not None:
        source += _sizing_sentence(sizing, share)

    return Baseline(
        project_id=project.id,
        base_year=config.BASE_YEAR,
        amounts_gbp=amounts,
        fte=numbers["fte"],
        headcount=int(numbers["headcount"]),
        illustrative=illustrative,
        source=source,
        rs_service=sizing.rs_service if sizing else None,
        rs_net_current_gbp_k=float(sizing.rs_net_current_gbp_k) if sizing else None,
        rs_share=share,
        funded_by=tuple(meta.funded_by) if meta is not None else (),
    )


def project_baseline(project_id: str) -> Baseline:
    """The bundled (ILLUSTRATIVE) baseline of a project; an unknown id gets an UnknownKeyError."""
    registry.project(project_id)  # UnknownKeyError listing the valid ids
    path = bundled_dir() / f"{project_id}.csv"
    if not path.is_file():
        raise DataFileError(f"{path}: no bundled baseline for project {project_id!r}")
    return load_baseline(path, project_id=project_id)


def all_baselines() -> dict[str, Baseline]:
    """The bundled baselines of all projects, in the registry's order."""
    return {pid: project_baseline(pid) for pid in registry.project_ids()}


def baselines_frame() -> pd.DataFrame:
    """One row per project: net, gross, income and pay bill (GBP thousand), FTE, headcount, RS share."""
    rows = []
    for pid, b in all_baselines().items():
        rows.append({
            "project_id": pid,
            "gross_expenditure_gbp_k": b.gross_expenditure_gbp / 1000,
            "income_gbp_k": b.income_gbp / 1000,
            "net_budget_gbp_k": b.net_budget_gbp / 1000,
            "pay_bill_gbp_k": b.pay_bill_gbp / 1000,
            "fte": b.fte,
            "headcount": b.headcount,
            "rs_service": b.rs_service,
            "rs_net_current_gbp_k": b.rs_net_current_gbp_k,
            "rs_share": b.rs_share,
            "illustrative": b.illustrative,
        })
    return pd.DataFrame(rows)
