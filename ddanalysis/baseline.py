"""Service baselines: the in-scope service's 2014-15 budget by subjective line, FTE and headcount.

Every appraisal starts from a :class:`Baseline`: the status quo's cost of the service in the base
year (real 2014-15 prices). Files hold **GBP thousand** (as budget books and the RS returns do);
:attr:`Baseline.amounts_gbp` holds **GBP** (pounds). Costs are positive, income negative.

Two inputs are read, and both are validated completely before anything is returned:

* a CSV with columns ``line,value,unit,note`` (one row per subjective line, plus ``fte`` and
  ``headcount`` rows and optional ``project_id`` and ``source`` rows); the bundled files in
  ``data/projects/<project-id>/baseline.csv`` are of this kind, each with a ``baseline.yaml`` beside it
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
import statistics
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Mapping

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config, registry, workspace
from .errors import DataFileError, DDAnalysisError
from .problems import Problems
from .yamlio import not_utf8, read_yaml_mapping
from .years import FinancialYear

#: The subjective lines of a service budget, in the order every baseline keeps them.
BASELINE_LINES: tuple[str, ...] = (
    "employees_pay",
    "employees_ni",
    "employees_pension",
    "premises",
    "business_rates",
    "transport",
    "supplies_services",
    "third_party_payments",
    "support_recharges",
    "capital_charges",
    "income_fees_charges",
    "income_grants",
    "income_other",
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
MAX_LINE_GBP_K = 5_000_000.0  # any one line over GBP 5 billion
MAX_NET_GBP_K = 2_000_000.0  # a net budget over GBP 2 billion (larger than any council's)
MAX_PAY_PER_FTE_GBP_K = 250.0  # average pay over GBP 250,000 per FTE

POUNDS_LINE_RATIO = 300.0
"""A money line at least this many times the median of the budget's other non-zero lines looks like pounds.

Judgement. A line typed in pounds among lines in GBP thousand is 1,000 times its true size, so it
stands ``1,000 x (true size / median line)`` times the median: 300 catches every such line whose
true size is at least 30% of the median line. A smaller line typed in pounds is left to the check
against the block's official figure (:data:`OFFICIAL_NET_TOLERANCE`), which it trips whenever the
slip is large beside the block. In a genuine service budget the largest line is the pay bill or
third-party payments: in the ten bundled baselines it is at most 30 times the median of the other
lines (Manchester's third-party payments to DVA providers, 1,850 against 62.5), and in the Burnley
budget-book lines of ``tests/fixtures/baselines/case_*.csv`` at most 5 times (income_other,
1,456.335 against 298.67), so 300 leaves a wide margin. A service that buys nearly everything from
providers (contracts of tens of millions beside in-house lines of tens of thousands) could reach
it; that council turns the check off. The median of the *other* lines is the yardstick so that the
suspect line cannot raise it; zero lines are left out (a nil says nothing about the unit), and the
check needs at least :data:`MIN_LINES_FOR_SCALE_CHECK` other non-zero lines. Turn it off with
``load_baseline(..., pounds_ratio=None)`` or ``ddanalysis check-baseline --no-scale-check``.
"""

MIN_LINES_FOR_SCALE_CHECK = 4
"""The fewest other non-zero money lines whose median is a fair yardstick for :data:`POUNDS_LINE_RATIO`."""

OFFICIAL_NET_TOLERANCE = 0.25
"""How far (as a share) an in-scope net budget may exceed the block's official RS net figure before it is refused.

Judgement. An in-scope service is part of one RS service block, so its net budget should not exceed
the council's whole net current expenditure on the block. A margin is allowed because the two
figures are not measured alike: the baseline may be a budget of a later year than the RS outturn it
is set against (the bundled sizing is 2014-15 outturn; the GDP deflator in
``data/assumptions/appraisal.yaml`` rises 9.1% from 2014-15 to 2019-20 alone), budgets and
outturns differ by several per cent, and the block's net figure is reduced by other services'
income (a block with surplus-earning services nets lower than its parts). 25% covers these
together; a line left in pounds overshoots by hundreds of times, so the margin costs nothing in
catching that. Turn the check off with ``load_baseline(..., official_tolerance=None)``
or ``ddanalysis check-baseline --no-official-check`` (e.g. a service whose budget spans blocks).
"""

#: Dashes a budget book prints for nil (and a PDF copy may turn into any of them): read as 0.
NIL_DASHES: frozenset[str] = frozenset({"-", "\u2013", "\u2014", "\u2212"})
#: Characters pasted from PDFs and word processors in place of the ASCII minus: read as minus.
MINUS_SIGNS: str = "\u2212\u2013\u2014"  # MINUS SIGN, EN DASH, EM DASH

BUNDLED_DIR_NAME = "baselines"
INPUT_SHEET = "Input"
#: Header of the Input sheet, columns A to E (the template writes it, the loader checks it).
INPUT_HEADERS: tuple[str, ...] = ("Key", "Item", "Value", "Unit", "What to include")
#: Columns (1-based) of the Input sheet.
KEY_COL, LABEL_COL, VALUE_COL, UNIT_COL, GUIDE_COL = 1, 2, 3, 4, 5

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
    #: admissions to cultural services in the fees line and their VAT treatment (default: none)
    cultural_admissions: CulturalAdmissions | None = None

    @property
    def cultural_admissions_gbp(self) -> float:
        """Admission takings to cultural services (GBP, real, positive; VAT included as visitors pay them):
        the fees-and-charges line x :attr:`cultural_admissions` share; 0 when none are declared."""
        if self.cultural_admissions is None:
            return 0.0
        return -float(self.amounts_gbp["income_fees_charges"]) * self.cultural_admissions.share_of_fees_charges

    @property
    def standard_rated_admissions_gbp(self) -> float:
        """The cultural admission takings the council charges VAT on today (GBP, real): those a new
        eligible body could treat as exempt (VATA 1994 Sch 9 Group 13 item 2); 0 when the council
        already exempts them (item 1) or declares none."""
        ca = self.cultural_admissions
        return self.cultural_admissions_gbp if ca is not None and ca.vat == "standard" else 0.0

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
        return self._key() == other._key() and self.amounts_gbp.equals(other.amounts_gbp)

    def __hash__(self) -> int:
        return hash(self._key() + (tuple(self.amounts_gbp.round(6)),))

    def _key(self) -> tuple:
        return (
            self.project_id,
            self.base_year,
            self.fte,
            self.headcount,
            self.illustrative,
            self.source,
            self.rs_service,
            self.rs_net_current_gbp_k,
            self.rs_share,
        )

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


class CulturalAdmissions(BaseModel):
    """Admissions to cultural services in the fees-and-charges line, and how the council treats them for VAT.

    ``share_of_fees_charges``: the share of the baseline's fees and charges that is admission takings
    (as visitors pay them, VAT included) to a museum, gallery, art exhibition or zoo, or a cultural
    performance (VATA 1994 Sch 9 Group 13). ``vat``: ``standard`` when the council charges VAT on them
    (it pays vat/(1+vat) of the takings to HMRC: the exemption for public bodies, item 1, does not
    apply where it would distort competition), ``exempt`` when it already treats them as exempt (item 1;
    then a new body's exemption gains nothing). The share is a labelled judgement unless the ledger says.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    share_of_fees_charges: float = Field(ge=0.0, le=1.0)
    vat: Literal["standard", "exempt"]
    basis: Literal["fact", "evidence", "judgement"] = "judgement"
    quality: Literal["green", "amber", "red"] = "red"
    note: str = Field(min_length=20)


class BaselineMeta(BaseModel):
    """Provenance of a baseline (``baseline.yaml`` beside ``baseline.csv`` in a workspace)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int | None = None
    project_id: str
    base_year: FinancialYear
    illustrative: bool
    source: str = Field(min_length=20)
    sizing: Sizing | None = None
    funded_by: tuple[FundedBy, ...] = ()
    #: cultural admissions in the fees line and their VAT treatment (default: none)
    cultural_admissions: CulturalAdmissions | None = None

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int | None) -> int | None:
        return workspace.version_field(value)


# --------------------------------------------------------------------------------------------
# Reading cells (problems are collected in a problems.Problems and raised together)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cell:
    """One value read from a file, with where it sits (for messages)."""

    key: str
    value: Any
    where: str  # e.g. "row 5, column 'value'" or "sheet 'Input', row 5, column C (Value)"
    key_where: str  # where the key itself sits
    unit: Any = None
    unit_where: str = ""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _char_names(text: str) -> str:
    """'U+2019 RIGHT SINGLE QUOTATION MARK, ...' for the characters of ``text`` that no number holds."""
    odd = [ch for ch in dict.fromkeys(text) if (ord(ch) > 127 and ch not in "£€") or (ord(ch) < 32) or ch == "\x7f"]
    return ", ".join(f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in odd)


def _to_number(raw: Any) -> tuple[float | None, str | None]:
    """A number from a cell, or (None, reason). Blank -> (None, None).

    Read as budget books mean them: a lone dash (``-``, en dash, em dash or minus sign) is nil, 0;
    a leading Unicode minus (U+2212), en dash or em dash, as a PDF copy gives, is a minus sign;
    ``1,234.5`` has thousands separators. Any other text is refused, naming the characters that are
    not part of a number (e.g. U+2019 RIGHT SINGLE QUOTATION MARK).
    """
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
    if text in NIL_DASHES:
        return 0.0, None  # a budget book's nil
    plain = re.sub(f"^[{MINUS_SIGNS}]\\s*", "-", text)
    if _NUMBER.match(plain):
        return float(plain), None
    if _COMMA_NUMBER.match(plain):
        return float(plain.replace(",", "")), None
    hint = ""
    if re.fullmatch(r"\(\s*[\d,.]+\s*\)", text):
        hint = f" (write negative amounts with a minus sign, e.g. -{text.strip('() ')})"
    elif "£" in text or "$" in text:
        hint = " (leave out the currency sign; the unit is set by the column)"
    elif re.search(r"\d\s*[kKmM]\b", text):
        hint = " (enter a plain number in GBP thousand, without 'k' or 'm')"
    names = _char_names(text)
    if names:
        hint += f"; it contains {names}, not part of a number (retype the figure)"
    return None, f"{text!r} is text, not a number{hint}"


def _norm_unit(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def _key_problem(cell: _Cell, seen: dict[str, _Cell]) -> str | None:
    """What is wrong with a cell's line key (unknown, or given twice), if anything."""
    key = cell.key
    if key not in ALL_KEYS:
        close = difflib.get_close_matches(key, ALL_KEYS, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return (
            f"unknown line {key!r}{hint}; the lines are: {', '.join(BASELINE_LINES)}, "
            f"plus {', '.join(STAFF_KEYS)} (and optional {', '.join(TEXT_KEYS)})"
        )
    if key in seen:
        return f"line {key!r} appears more than once (first at {seen[key].key_where}); keep one row per line"
    return None


def _unit_problem(cell: _Cell, label: str) -> str | None:
    """What is wrong with the unit written beside a number, if anything (no unit is fine)."""
    if cell.unit is None or not str(cell.unit).strip():
        return None
    unit, key = _norm_unit(cell.unit), cell.key
    if key in LINE_LABELS and unit not in _MONEY_UNITS:
        return (
            f"{label}: unit {cell.unit!r}; amounts must be in GBP thousand "
            "(write 'GBP thousand'; if you entered pounds, divide by 1,000)"
        )
    if key in _UNITS and unit not in _UNITS[key]:
        return f"{label}: unit {cell.unit!r}; expected {_UNIT_TEXT[key]!r}"
    return None


def _missing_value_text(key: str) -> str:
    if key in LINE_LABELS:
        return "no amount entered; enter 0 if the service has none"
    if key == "fte":
        return "missing; enter the number of full-time equivalent staff (more than 0)"
    return "missing; enter the number of people employed (a whole number)"


def _value_problems(key: str, label: str, value: float) -> list[str]:
    """What is wrong with one line's number: its sign, its size, or an impossible FTE or headcount."""
    found = []
    if key in EXPENDITURE_LINES and value < 0:
        found.append(
            f"{label}: {value:,.10g} is negative; costs must be zero or positive "
            "(only the three income lines are negative)"
        )
    elif key in INCOME_LINES and value > 0:
        found.append(
            f"{label}: {value:,.10g} is positive; income must be entered as a negative "
            f"number, as in the RS returns (e.g. {-value:,.10g})"
        )
    if key in LINE_LABELS and abs(value) > MAX_LINE_GBP_K:
        found.append(
            f"{label}: {value:,.10g} thousand (GBP {abs(value) / 1e6:,.1f} billion) is "
            "implausible for one service; it looks like pounds, but amounts must be in "
            "GBP thousand (divide by 1,000)"
        )
    if key == "fte" and value <= 0:
        found.append(f"FTE: {value:,.10g}; must be more than 0")
    if key == "headcount":
        if not float(value).is_integer():
            found.append(f"headcount: {value:,.10g} is not a whole number of people")
        elif value < 1:
            found.append(f"headcount: {value:,.10g}; must be at least 1")
    return found


def _check_cell(cell: _Cell, problems: Problems) -> float | None:
    """The number in one line's cell, or None when it has a problem (problems go to ``problems``)."""
    key = cell.key
    label = LINE_LABELS.get(key, {"fte": "FTE", "headcount": "headcount"}.get(key, key))
    unit_problem = _unit_problem(cell, label)
    if unit_problem:
        problems.add(cell.unit_where, unit_problem)
    value, why = _to_number(cell.value)
    if why:
        problems.add(cell.where, f"{label}: {why}")
        return None
    if value is None:
        problems.add(cell.where, f"{label}: {_missing_value_text(key)}")
        return None
    found = _value_problems(key, label, value)
    problems.add_all(cell.where, found)
    return None if found else value


def _check_whole(numbers: dict[str, float], seen: dict[str, _Cell], problems: Problems, whole: str) -> None:
    """Checks across lines: pay per FTE, headcount against FTE, missing lines, the size of the budget."""
    if (
        "employees_pay" in numbers
        and "fte" in numbers
        and numbers["employees_pay"] / numbers["fte"] > MAX_PAY_PER_FTE_GBP_K
    ):
        per = numbers["employees_pay"] / numbers["fte"]
        problems.add(
            seen["employees_pay"].where,
            f"{LINE_LABELS['employees_pay']}: {numbers['employees_pay']:,.10g} thousand for {numbers['fte']:,.10g} FTE "
            f"is GBP {per:,.0f} thousand per FTE, implausible; it looks like pounds, but amounts must be in "
            "GBP thousand (divide by 1,000)",
        )
    if "fte" in numbers and "headcount" in numbers and numbers["headcount"] < numbers["fte"]:
        problems.add(
            seen["headcount"].where,
            f"headcount {numbers['headcount']:,.0f} is smaller than FTE "
            f"{numbers['fte']:,.10g}; one person works at most one FTE",
        )
    absent = [k for k in BASELINE_LINES + STAFF_KEYS if k not in seen]
    if absent:
        problems.add(
            whole,
            f"missing line{'s' if len(absent) > 1 else ''} {', '.join(absent)}; every "
            "baseline needs all 13 subjective lines plus fte and headcount "
            "(enter 0 for a line the service does not have)",
        )
    # whole-file checks, only when their inputs are sound
    money = [k for k in BASELINE_LINES if k in numbers]
    if len(money) == len(BASELINE_LINES):
        net = sum(numbers[k] for k in BASELINE_LINES)
        gross = sum(numbers[k] for k in BASELINE_LINES if k in EXPENDITURE_LINES)
        if abs(net) > MAX_NET_GBP_K:
            problems.add(
                whole,
                f"the net budget comes to {net:,.0f} thousand (GBP {net / 1e6:,.1f} billion), implausible "
                "for one service; the amounts look like pounds, but must be in GBP thousand",
            )
        if gross <= 0:
            problems.add(whole, "every cost line is zero; enter the service's expenditure in GBP thousand")


def _validate_cells(cells: list[_Cell], problems: Problems, whole: str) -> tuple[dict[str, float], dict[str, str]]:
    """Check every cell; return the numbers and text values that passed (problems go to ``problems``)."""
    seen: dict[str, _Cell] = {}
    numbers: dict[str, float] = {}
    texts: dict[str, str] = {}
    required = [c for c in cells if c.key in BASELINE_LINES + STAFF_KEYS]
    if len(required) == len(BASELINE_LINES + STAFF_KEYS) and all(_to_number(c.value) == (None, None) for c in required):
        problems.add(
            whole,
            "nothing has been entered: fill in an amount (GBP thousand) for every line, and the FTE and headcount",
        )
        return numbers, texts
    for cell in cells:
        key_problem = _key_problem(cell, seen)
        if key_problem:
            problems.add(cell.key_where, key_problem)
            continue
        seen[cell.key] = cell
        if cell.key in TEXT_KEYS:
            if cell.value is not None and str(cell.value).strip():
                texts[cell.key] = str(cell.value).strip()
            continue
        value = _check_cell(cell, problems)
        if value is not None:
            numbers[cell.key] = value
    _check_whole(numbers, seen, problems, whole)
    return numbers, texts


def _k(value: float) -> str:
    """A GBP thousand figure for a message: thousands separators, up to 3 decimals, no float noise."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pounds_text(value_gbp_k: float) -> str:
    """A GBP thousand figure said in pounds for a message, e.g. 'GBP 1.45 billion'."""
    gbp = abs(value_gbp_k) * 1000
    sign = "minus " if value_gbp_k < 0 else ""
    if gbp >= 1e9:
        return f"{sign}GBP {gbp / 1e9:,.2f} billion"
    if gbp >= 1e6:
        return f"{sign}GBP {gbp / 1e6:,.1f} million"
    return f"{sign}GBP {gbp:,.0f}"


def scale_problems(
    numbers: Mapping[str, float],
    where: Mapping[str, str] | None = None,
    *,
    official_gbp_k: float | None = None,
    official_what: str = "the block's official net figure",
    pounds_ratio: float | None = POUNDS_LINE_RATIO,
    official_tolerance: float | None = OFFICIAL_NET_TOLERANCE,
) -> list[tuple[str | None, str]]:
    """Problems of scale in a complete baseline: lines that look like pounds, income above gross, net above official.

    ``numbers`` holds all 13 money lines in GBP thousand (costs positive, income negative; more keys
    are ignored); ``where`` says where each line sits in its file (for messages). Returns
    ``(line key, message)`` pairs (key None for a whole-file problem), in this order and stopping at
    the first kind found, since the later ones follow from the earlier:

    1. a line at least ``pounds_ratio`` times the median of the other non-zero lines
       (:data:`POUNDS_LINE_RATIO`; None skips it);
    2. income larger than gross expenditure (a net surplus beyond the whole gross cost: no
       threshold, a service appraised here costs the council money);
    3. a net budget above ``official_gbp_k`` (the council's official net figure for the RS block,
       GBP thousand) by more than ``official_tolerance`` (:data:`OFFICIAL_NET_TOLERANCE`; None or
       no positive official figure skips it).

    Pure: nothing is read or changed.

    >>> lines = dict.fromkeys(BASELINE_LINES, 0.0) | {
    ...     "employees_pay": 300.0,
    ...     "premises": 120.0,
    ...     "transport": 8.0,
    ...     "supplies_services": 95.0,
    ...     "support_recharges": 60.0,
    ...     "income_other": -250_000.0,
    ... }
    >>> [key for key, _ in scale_problems(lines)]
    ['income_other']
    """
    where = where or {}
    money = {k: float(numbers[k]) for k in BASELINE_LINES}
    if pounds_ratio is not None:
        found = _lines_in_pounds(money, pounds_ratio)
        if found:
            return found
    surplus = _income_above_gross(money, where)
    if surplus:
        return surplus
    net = sum(v for k, v in money.items() if k in EXPENDITURE_LINES) + sum(
        v for k, v in money.items() if k in INCOME_LINES
    )
    if (
        official_tolerance is not None
        and official_gbp_k is not None
        and official_gbp_k > 0
        and net > official_gbp_k * (1 + official_tolerance)
    ):
        return [(None, _net_above_official(money, net, where, official_gbp_k, official_what, official_tolerance))]
    return []


def _income_above_gross(money: Mapping[str, float], where: Mapping[str, str]) -> list[tuple[str | None, str]]:
    """The whole-file problem of income (GBP thousand, negative) larger than gross expenditure, naming the largest
    income line; nothing when the net budget is zero or more."""
    gross = sum(v for k, v in money.items() if k in EXPENDITURE_LINES)
    income = sum(v for k, v in money.items() if k in INCOME_LINES)
    net = gross + income
    if -income > gross:
        big = min(INCOME_LINES, key=lambda k: (money[k], k))
        return [
            (
                None,
                f"income totals {_k(income)} thousand, more than the gross expenditure of {_k(gross)} "
                f"thousand, so the net budget would be {_k(net)} thousand ({_pounds_text(net)}), a surplus "
                f"beyond the gross: the largest income line is {big} = {money[big]:,.10g}{_at(where, big)}; "
                "is it in pounds? Income is entered in GBP thousand, negative, and cannot exceed the costs",
            )
        ]
    return []


def _at(where: Mapping[str, str], key: str) -> str:
    """`` (where the line sits in its file)`` for a message, or nothing when not known."""
    return f" ({where[key]})" if key in where else ""


def _lines_in_pounds(money: Mapping[str, float], pounds_ratio: float) -> list[tuple[str | None, str]]:
    """(line key, message) for every non-zero line at least ``pounds_ratio`` times the median of the other non-zero
    lines (GBP thousand), when there are enough of them to judge (:data:`MIN_LINES_FOR_SCALE_CHECK`)."""
    found: list[tuple[str | None, str]] = []
    for key, value in money.items():
        others = [abs(v) for k, v in money.items() if k != key and v != 0]
        if len(others) < MIN_LINES_FOR_SCALE_CHECK or value == 0:
            continue
        median = statistics.median(others)
        if abs(value) >= pounds_ratio * median:
            found.append(
                (
                    key,
                    f"{key} = {value:,.10g} looks like pounds: the other lines are in GBP thousand "
                    f"(median {median:,.6g}) and this one is {abs(value) / median:,.0f} times that; "
                    f"enter {value / 1000:,.10g} (if the figure is right, "
                    "`check-baseline --no-scale-check` accepts it)",
                )
            )
    return found


def _net_above_official(
    money: Mapping[str, float],
    net: float,
    where: Mapping[str, str],
    official_gbp_k: float,
    official_what: str,
    official_tolerance: float,
) -> str:
    """The message for a net budget (GBP thousand) above the official net figure by more than the tolerance (a
    share), naming the largest line."""
    big = max(BASELINE_LINES, key=lambda k: (abs(money[k]), k))
    return (
        f"the in-scope net budget of {_k(net)} thousand ({_pounds_text(net)}) is {net / official_gbp_k:,.0%} "
        f"of {_k(official_gbp_k)} thousand, {official_what}; a service is part of its block, so its "
        f"net budget may exceed that figure by at most {official_tolerance:.0%} (up to "
        f"{_k(official_gbp_k * (1 + official_tolerance))} thousand). The largest line is {big} = "
        f"{money[big]:,.10g}{_at(where, big)}: is a figure in pounds, or is the service in the wrong block? "
        "(if the figures are right, `check-baseline --no-official-check` skips this comparison)"
    )


# --------------------------------------------------------------------------------------------
# Readers: CSV and the template workbook
# --------------------------------------------------------------------------------------------


def _field(fields: list[str], cols: dict[str, int], name: str) -> str | None:
    """The value of column ``name`` in one CSV row (None when the file has no such column or the row is short)."""
    i = cols.get(name)
    return fields[i] if i is not None and i < len(fields) else None


def _read_csv_cells(path: Path, problems: Problems) -> tuple[list[_Cell], str]:
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
                        hint = (
                            f"; the file seems to use {'a tab' if sep == chr(9) else repr(sep)} as its delimiter: "
                            "save it as comma-separated CSV (UTF-8)"
                        )
                        break
                problems.add(
                    f"row {row}",
                    f"the header row has columns {header}; expected 'line', 'value' "
                    f"(and optionally 'unit', 'note'){hint}",
                )
                problems.raise_if_any()
            continue

        key = (_field(fields, cols, "line") or "").strip()
        if not key:
            problems.add(f"row {row}, column 'line'", "a row has values but no line name")
            continue
        cells.append(
            _Cell(
                key=key,
                value=_field(fields, cols, "value"),
                where=f"row {row}, column 'value'",
                key_where=f"row {row}, column 'line'",
                unit=_field(fields, cols, "unit"),
                unit_where=f"row {row}, column 'unit'",
            )
        )
    if header is None:
        problems.add("", "the file is empty; expected a header row 'line,value,unit,note' and one row per line")
        problems.raise_if_any()
    return cells, "the file"


def _open_workbook(path: Path) -> tuple[Any, Any]:
    """The workbook twice, with its saved values and with its formulas (openpyxl). Raises
    :class:`DataFileError` for a file that cannot be read, is damaged, encrypted, or not an .xlsx workbook."""
    from openpyxl import load_workbook

    try:
        return load_workbook(path, data_only=True), load_workbook(path, data_only=False)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read the workbook ({exc.strerror or exc})") from exc
    except Exception as exc:  # openpyxl raises several kinds for a damaged or non-xlsx file
        with open(path, "rb") as fh:
            ole = fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted .xlsx or an old .xls inside
        why = (
            "it looks password-protected (encrypted) or is an old .xls renamed: save an unprotected copy as .xlsx"
            if ole
            else "is it truncated, corrupt or not a workbook? Use the workbook written by 'ddanalysis template'"
        )
        raise DataFileError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}); {why}") from exc


def _read_xlsx_cells(path: Path, problems: Problems) -> tuple[list[_Cell], str]:
    from openpyxl.utils import get_column_letter

    book_values, book_formulas = _open_workbook(path)
    if INPUT_SHEET not in book_values.sheetnames:
        problems.add(
            "",
            f"no sheet named {INPUT_SHEET!r} (sheets: {', '.join(book_values.sheetnames)}); "
            "use the workbook written by 'ddanalysis template'",
        )
        problems.raise_if_any()
    sheet = book_values[INPUT_SHEET]
    fsheet = book_formulas[INPUT_SHEET]
    found = [sheet.cell(row=1, column=i + 1).value for i in range(len(INPUT_HEADERS))]
    if [str(v or "").strip() for v in found] != list(INPUT_HEADERS):
        problems.add(
            f"sheet {INPUT_SHEET!r}, row 1",
            f"header {found}; expected {list(INPUT_HEADERS)} (use the workbook written by 'ddanalysis template')",
        )
        problems.raise_if_any()
    kl, vl, ul = (get_column_letter(c) for c in (KEY_COL, VALUE_COL, UNIT_COL))
    vh, uh = INPUT_HEADERS[VALUE_COL - 1], INPUT_HEADERS[UNIT_COL - 1]
    cells: list[_Cell] = []
    for row in range(2, sheet.max_row + 1):
        key = sheet.cell(row=row, column=KEY_COL).value
        value = sheet.cell(row=row, column=VALUE_COL).value
        if key is None or str(key).strip() == "":
            if value is not None and str(value).strip():
                problems.add(
                    f"sheet {INPUT_SHEET!r}, row {row}, column {kl} (Key)", "a value with no line key beside it"
                )
            continue
        if value is None:
            formula = fsheet.cell(row=row, column=VALUE_COL).value
            if isinstance(formula, str) and formula.startswith("="):
                problems.add(
                    f"sheet {INPUT_SHEET!r}, row {row}, column {vl} ({vh})",
                    f"the formula {formula} has no saved result; open the workbook in Excel, let it "
                    "calculate and save it, or type the number",
                )
                continue
        cells.append(
            _Cell(
                key=str(key).strip(),
                value=value,
                where=f"sheet {INPUT_SHEET!r}, row {row}, column {vl} ({vh})",
                key_where=f"sheet {INPUT_SHEET!r}, row {row}, column {kl} (Key)",
                unit=sheet.cell(row=row, column=UNIT_COL).value,
                unit_where=f"sheet {INPUT_SHEET!r}, row {row}, column {ul} ({uh})",
            )
        )
    return cells, f"sheet {INPUT_SHEET!r}"


# --------------------------------------------------------------------------------------------
# Sidecar metadata and the RS sizing
# --------------------------------------------------------------------------------------------


def _read_meta(path: Path, problems: Problems) -> BaselineMeta | None:
    try:
        raw = read_yaml_mapping(path, "baseline metadata")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except DataFileError as exc:  # not YAML, or not a mapping: one of the baseline's problems
        problems.add(path.name, str(exc).removeprefix(f"{path}: "))
        return None
    try:
        return BaselineMeta.model_validate(raw)
    except ValidationError as exc:
        problems.add_validation(path.name, exc.errors())
        return None


def _check_sizing(meta: BaselineMeta, where: str, project: registry.Project, problems: Problems) -> None:
    s = meta.sizing
    if s is None:
        return
    services = list(dict.fromkeys(c.rs_service for c in s.cells))
    if s.rs_service != "+".join(services):
        problems.add(
            f"{where}, field 'sizing.rs_service'", f"{s.rs_service!r} but the cells are for {'+'.join(services)!r}"
        )
    for i, c in enumerate(s.cells):
        if c.council not in project.councils:
            problems.add(
                f"{where}, field 'sizing.cells.{i}.council'",
                f"{c.council} is not one of the project's councils {list(project.councils)}",
            )
        if c.rs_service not in project.rs_services:
            problems.add(
                f"{where}, field 'sizing.cells.{i}.rs_service'",
                f"{c.rs_service!r} is not one of the project's RS blocks {list(project.rs_services)}",
            )
    total = sum(c.value_gbp_k for c in s.cells)
    if not math.isclose(total, s.rs_net_current_gbp_k, abs_tol=0.5):
        problems.add(
            f"{where}, field 'sizing.rs_net_current_gbp_k'",
            f"{s.rs_net_current_gbp_k:,.0f} but the cells add up to {total:,.0f}",
        )


def _looks_all_pounds(numbers: Mapping[str, float]) -> bool:
    """True when the cruder whole-file limits (net, pay per FTE) have already said the file looks like pounds."""
    net = sum(numbers[k] for k in BASELINE_LINES)
    per_fte = numbers["employees_pay"] / numbers["fte"] if numbers.get("fte") else 0.0
    return abs(net) > MAX_NET_GBP_K or per_fte > MAX_PAY_PER_FTE_GBP_K


def _official_what(s: Sizing) -> str:
    """Which official figure sizes the baseline, for messages: councils, RS block(s), sheet and cell(s)."""
    councils = " and ".join(dict.fromkeys(registry.council_name(c.council) for c in s.cells))
    blocks = " + ".join(dict.fromkeys(c.column for c in s.cells))
    cells = ", ".join(c.cell for c in s.cells)
    return (
        f"the official 2014-15 RS net current expenditure of {councils} on {blocks} (DCLG Revenue Outturn "
        f"Summary, sheet '{s.sheet}', cell{'s' if len(s.cells) > 1 else ''} {cells})"
    )


def _sizing_sentence(s: Sizing, share: float) -> str:
    councils = " and ".join(dict.fromkeys(registry.council_name(c.council) for c in s.cells))
    blocks = " + ".join(dict.fromkeys(c.column for c in s.cells))
    cells = ", ".join(c.cell for c in s.cells)
    return (
        f" In-scope net budget = {share:.2%} of the official 2014-15 RS net current expenditure of {councils} "
        f"on {blocks} (GBP {s.rs_net_current_gbp_k:,.0f} thousand; DCLG Revenue Outturn Summary 2014-15, "
        f"sheet '{s.sheet}', cell{'s' if len(s.cells) > 1 else ''} {cells})."
    )


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def bundled_dir() -> Path:
    """The folder of the bundled workspaces, ``data/projects`` (each project's baseline is in its own folder)."""
    return workspace.bundled_root()


def _which_project(
    path: Path,
    project_id: str | None,
    meta: BaselineMeta | None,
    meta_name: str,
    texts: dict[str, str],
    cells: list[_Cell],
    problems: Problems,
) -> registry.Project | None:
    """The project a baseline is for: the argument, the sidecar, the file's own project_id, or the file name."""
    candidates = [
        (src, pid)
        for src, pid in (
            ("the project_id argument", project_id),
            (meta_name, meta.project_id if meta else None),
            ("the file's project_id", texts.get("project_id")),
        )
        if pid
    ]
    chosen = candidates[0][1] if candidates else (path.stem if path.stem in registry.project_ids() else None)
    known = workspace.known_ids()
    for src, pid in candidates[1:]:  # a service's baseline may name its project (``devon`` for ``devon:youth``)
        if pid != chosen and pid != workspace.split_ref(chosen or "")[0]:
            problems.add("", f"{src} says {pid!r} but {candidates[0][0]} says {chosen!r}; they must agree")
    project: registry.Project | None = None
    project_where = next((c.where for c in cells if c.key == "project_id"), "")
    if chosen is None:
        problems.add(
            project_where,
            "the file does not say which project it is for: enter the project id in "
            "the project_id row, or give it (`ddanalysis check-baseline FILE --project ID`, or "
            "load_baseline(path, project_id=...)); valid ids: "
            f"{', '.join(known)}",
        )
    elif workspace.split_ref(chosen)[0] not in known:
        problems.add(project_where, f"unknown project {chosen!r}; valid ids: {', '.join(known)}")
    else:
        project = registry.project(chosen)
    return project


def _sizing(
    meta: BaselineMeta | None, meta_name: str, project: registry.Project | None, problems: Problems
) -> Sizing | None:
    """The RS sizing of a baseline: its own sidecar's (checked), else that of the project's bundled baseline."""
    sizing: Sizing | None = None
    if meta is not None:
        expected = project.base_year if project is not None else config.BASE_YEAR  # the project's price base
        if meta.base_year != expected:
            problems.add(
                f"{meta_name}, field 'base_year'",
                f"{meta.base_year!r}; expected the project's base year {expected!r} (project.yaml)",
            )
        if project is not None:
            _check_sizing(meta, meta_name, project, problems)
        sizing = meta.sizing
    elif project is not None:
        # a council's own file: size it against the same official RS figure as the bundled baseline
        sidecar = workspace.folder(project.id) / "baseline.yaml"
        if sidecar.is_file():
            bundled = _read_meta(sidecar, Problems(sidecar, always_list=True))  # problems there are not the user's
            sizing = bundled.sizing if bundled else None
    return sizing


def _baseline_suffix(path: Path) -> str:
    """``.csv`` or ``.xlsx`` (lower case); any other kind of file, or a missing one, is a :class:`DataFileError`."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise DataFileError(
            f"{path}: a baseline must be a .csv file or the .xlsx input workbook "
            f"(from 'ddanalysis template'); got {path.suffix or 'no extension'!r}"
        )
    if not path.is_file():
        raise DataFileError(f"{path}: baseline file not found")
    return suffix


def _rs_share(
    numbers: Mapping[str, float], sizing: Sizing | None, own_meta: bool, meta_name: str, problems: Problems
) -> float | None:
    """The net budget's share of the official RS net figure for its block (None without sizing or a complete
    budget); a share stated in the file's own metadata must agree with it to 6 decimal places."""
    if sizing is None or not all(k in numbers for k in BASELINE_LINES):
        return None
    net_k = sum(numbers[k] for k in BASELINE_LINES)
    share = net_k / sizing.rs_net_current_gbp_k
    if own_meta and abs(round(share, 6) - sizing.rs_share) > 1.5e-6:
        problems.add(
            f"{meta_name}, field 'sizing.rs_share'",
            f"{sizing.rs_share} but the net budget {net_k:,.1f} / RS figure "
            f"{sizing.rs_net_current_gbp_k:,.0f} = {share:.6f}",
        )
    return share


def _official(sizing: Sizing | None, project: registry.Project | None) -> tuple[float | None, str]:
    """The official RS net figure (GBP thousand) a baseline is measured against, and what it is: the sizing's,
    else the one a workspace's project.yaml states for its block (written by ``ddanalysis new``)."""
    if sizing is not None:
        return sizing.rs_net_current_gbp_k, _official_what(sizing)
    if project is not None and project.official_rs_gbp_k is not None:
        return project.official_rs_gbp_k, project.official_rs_source
    return None, ""


def _add_scale_problems(
    numbers: Mapping[str, float],
    cells: list[_Cell],
    whole: str,
    sizing: Sizing | None,
    project: registry.Project | None,
    pounds_ratio: float | None,
    official_tolerance: float | None,
    problems: Problems,
) -> None:
    """Add the :func:`scale_problems` of a complete budget (GBP thousand), each at its line's cell (or the whole
    file), measured against the official RS net figure when there is one (:func:`_official`)."""
    official = _official(sizing, project)
    for key, what in scale_problems(
        numbers,
        {c.key: c.where for c in cells},
        official_gbp_k=official[0],
        official_what=official[1],
        pounds_ratio=pounds_ratio,
        official_tolerance=official_tolerance,
    ):
        problems.add(next((c.where for c in cells if c.key == key), whole) if key else whole, what)


def _provenance(
    path: Path, meta: BaselineMeta | None, texts: Mapping[str, str], sizing: Sizing | None, share: float | None
) -> tuple[bool, str]:
    """(illustrative, source sentence): from the metadata sidecar when there is one, else the council's own entry;
    with the RS sizing sentence when the share is known."""
    if meta is not None:
        illustrative = meta.illustrative
        source = meta.source.strip()
    else:
        illustrative = False
        stated = texts.get("source") or "source not stated"
        source = (
            f"Entered by the council in {path.name} ({stated}); checked by ddanalysis for completeness, "
            "signs and units, not against the ledger."
        )
    if sizing is not None and share is not None:
        source += _sizing_sentence(sizing, share)
    return illustrative, source


def _official_share(
    numbers: Mapping[str, float], sizing: Sizing | None, project: registry.Project, share: float | None, source: str
) -> tuple[str | None, float | None, float | None, str]:
    """The RS block, its official net figure (GBP thousand), the baseline's share of it and the source sentence:
    the sizing's (a bundled baseline's sidecar), else the figure a workspace's project.yaml states (``ddanalysis
    new``), with a sentence saying the share; none without either."""
    if sizing is not None:
        return sizing.rs_service, float(sizing.rs_net_current_gbp_k), share, source
    if project.official_rs_gbp_k is None:
        return None, None, share, source
    rs_net_k = float(project.official_rs_gbp_k)
    share = sum(numbers[k] for k in BASELINE_LINES) / rs_net_k
    said = f" In-scope net budget = {share:.2%} of {project.official_rs_source or 'the official RS figure'}."
    return " + ".join(project.rs_services), rs_net_k, share, source + said


def load_baseline(
    path: str | Path,
    project_id: str | None = None,
    *,
    pounds_ratio: float | None = POUNDS_LINE_RATIO,
    official_tolerance: float | None = OFFICIAL_NET_TOLERANCE,
) -> Baseline:
    """Read and validate a baseline from a CSV or the input workbook (``.xlsx``).

    Amounts in the file are GBP thousand; the returned Baseline holds GBP. ``project_id`` says
    which project the figures are for; without it the file's own ``project_id`` (cell or row), or a
    file name equal to a project id, is used. A CSV with a ``<name>.yaml`` beside it (the bundled
    files) takes its provenance and RS sizing from that; otherwise the RS figure of the project's
    bundled baseline is used to work out ``rs_share``. Every problem found is reported in one
    :class:`DataFileError`; the file is only read, never changed.

    Read as budget books print them: a lone dash is nil (0) and a Unicode minus (U+2212), en dash or
    em dash before a number is a minus sign. Besides each cell, the whole budget is checked for scale
    (:func:`scale_problems`): a line that looks like pounds among lines in GBP thousand
    (``pounds_ratio``, default :data:`POUNDS_LINE_RATIO`; None turns it off), income larger than
    gross expenditure, and an in-scope net budget larger than the council's official RS net figure
    for the block by more than ``official_tolerance`` (default :data:`OFFICIAL_NET_TOLERANCE`; None turns it off).
    """
    path = Path(path)
    if project_id is not None:
        project_id = registry.project(project_id).id  # an id or a workspace folder; UnknownKeyError listing the ids
    suffix = _baseline_suffix(path)
    problems = Problems(path, always_list=True)
    read_cells = _read_csv_cells if suffix == ".csv" else _read_xlsx_cells
    cells, whole = read_cells(path, problems)
    numbers, texts = _validate_cells(cells, problems, whole)

    meta_path = path.with_suffix(".yaml")
    meta: BaselineMeta | None = _read_meta(meta_path, problems) if suffix == ".csv" and meta_path.is_file() else None

    project = _which_project(path, project_id, meta, meta_path.name, texts, cells, problems)
    sizing = _sizing(meta, meta_path.name, project, problems)
    share = _rs_share(numbers, sizing, meta is not None, meta_path.name, problems)
    if all(k in numbers for k in BASELINE_LINES) and not _looks_all_pounds(numbers):
        _add_scale_problems(numbers, cells, whole, sizing, project, pounds_ratio, official_tolerance, problems)

    problems.raise_if_any()
    assert project is not None
    amounts = pd.Series([numbers[k] * 1000.0 for k in BASELINE_LINES], index=list(BASELINE_LINES), dtype="float64")
    illustrative, source = _provenance(path, meta, texts, sizing, share)
    rs_service, rs_net_k, share, source = _official_share(numbers, sizing, project, share, source)
    return Baseline(
        project_id=project.id,
        base_year=project.base_year,  # the workspace's price base (project.yaml; 2014-15 for the bundled projects)
        amounts_gbp=amounts,
        fte=numbers["fte"],
        headcount=int(numbers["headcount"]),
        illustrative=illustrative,
        source=source,
        rs_service=rs_service,
        rs_net_current_gbp_k=rs_net_k,
        rs_share=share,
        funded_by=tuple(meta.funded_by) if meta is not None else (),
        cultural_admissions=meta.cultural_admissions if meta is not None else None,
    )


def project_baseline(project_id: str) -> Baseline:
    """The baseline in a project's workspace (``baseline.csv`` or ``baseline.xlsx``; the bundled ones are
    ILLUSTRATIVE), or one service's ``baseline-<service id>.csv|xlsx`` for ``<id>:<service id>``; an unknown id
    gets an UnknownKeyError, a missing baseline a DataFileError naming the folder."""
    pid = registry.project(project_id).id  # UnknownKeyError listing the valid ids
    service = workspace.split_ref(pid)[1]  # one service of a project whose services have their own baselines
    return load_baseline(workspace.baseline_file(workspace.folder(pid), service), project_id=pid)


def all_baselines() -> dict[str, Baseline]:
    """The bundled baselines of all projects, in the registry's order."""
    return {pid: project_baseline(pid) for pid in registry.project_ids()}
