"""Parse one DCLG/MHCLG/DLUHC "data by LA" return (RS, RSX or RA) into the tidy frame.

Three returns share one look (E-code, authority, class, figures; ../shared/data/official/README.md)
and are told apart by their title text, sheet name and variable names, never passed off as another:

* **RS**, Revenue Outturn Summary: outturn, net current expenditure by service block
  (measure ``outturn``);
* **RSX**, Service Expenditure Summary: outturn split per block into employees (C1), running
  expenses (C2), total expenditure (C3), sales, fees and charges (C4), other income (C5), total
  income (C6) and net current expenditure (C7) (measures in ``MEASURES``);
* **RA**, Revenue Account budget: the budget set before the year, with detailed service lines
  (measure ``budget``); its line numbers differ from RS (RA 698 is TOTAL OTHER SERVICES, 799 the
  total service expenditure), so service keys come from the headers, never from line numbers.

Formats: see ``reader.FORMATS_READ``. The RS workbooks were published in these layouts:

* .xls 2010-11 to 2013-14: sheets ``RS LA Data yyyy-yy (1)`` (net current expenditure), ``(2)``,
  ``(3)``; header row with ``E-code``, ``Local authority``, ``Class``; figures from column F.
* .xls 2014-15: adds ``ONS Code`` and ``Region`` columns; figures from column G.
* .xlsx 2015-16 on: one sheet ``RS LA Data yyyy-yy``; a row of RS line numbers above the header
  row; ``E-code``, ``ONS Code``, ``Local authority``, blank, ``Class``; rows not alphabetical.
* accessible layout, 2021-22 on (``.ods``, sometimes ``.csv``): hidden rows of variable names,
  cell ids and line numbers above the header; descriptive columns ``Notes``, ``Detailed Class``,
  ``Certification`` (never figures); class ``LB`` for London boroughs (read as ``L``); after the
  ``ENGLAND`` row a second table, "Class Breakdown", with its own header row (left out); GSS
  markers in square brackets (``[x]``, ``[z]``, ``[c]``, ``[low]``...) for missing values.

Nothing is found by position. The data sheet is the one whose header row (within the first rows)
has ``E-code`` and ``Local authority`` cells; when several sheets have one (the .xls files), the
one titled "Net current expenditure" is taken. The year comes from the title rows or the sheet
name. Authority rows are the rows with an E-code; the ENGLAND row, the CLASS BREAKDOWN block and
the notes have none and are left out; the table ends at the ENGLAND row (or a second header row).
Figures are GBP thousand; missing markers become NaN and are counted. The whole sheet is read once
(python-calamine, or the csv module) and reshaped with numpy.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..codes import AUTHORITY_CLASSES
from ..errors import DataFileError
from .reader import FORMATS_READ, describe, open_book
from .schema import COLUMNS

#: The returns read, and what each holds.
RETURNS: dict[str, str] = {
    "RS": "Revenue Outturn Summary (RS): outturn, net current expenditure by service",
    "RSX": "Service Expenditure Summary (RSX): outturn split into employees, running expenses and income",
    "RA": "Revenue Account budget (RA): the budget set before the year",
}

#: Measures of the tidy frame's ``measure`` column (never mixed: select one before summing).
MEASURES: dict[str, str] = {
    "outturn": "outturn, net current expenditure (RS; RSX C7)",
    "outturn_employees": "outturn, employee costs (RSX C1)",
    "outturn_running_expenses": "outturn, running expenses (RSX C2)",
    "outturn_total_expenditure": "outturn, total expenditure = employees + running expenses (RSX C3)",
    "outturn_sales_fees_charges": "outturn, sales, fees and charges (RSX C4)",
    "outturn_other_income": "outturn, other income (RSX C5)",
    "outturn_income": "outturn, total income = sales, fees and charges + other income (RSX C6)",
    "budget": "budget set before the year: service expenditure and the other Revenue Account lines (RA)",
}
#: RSX column number -> measure, and the header words that name each (checked against each other).
_RSX_COLUMNS: dict[int, tuple[str, str]] = {
    1: ("outturn_employees", "employees"),
    2: ("outturn_running_expenses", "running expenses"),
    3: ("outturn_total_expenditure", "total expenditure"),
    4: ("outturn_sales_fees_charges", "sales, fees and charges"),
    5: ("outturn_other_income", "other income"),
    6: ("outturn_income", "total income"),
    7: ("outturn", "net current expenditure"),
}
#: Class codes as published -> the canonical class (``LB`` = London borough from 2021-22).
CLASS_ALIASES: dict[str, str] = {"LB": "L"}

#: Canonical service keys and what they hold (net current expenditure, GBP thousand).
SERVICE_KEYS: dict[str, str] = {
    "education": "Education services",
    "highways_transport": "Highways and transport services",
    "social_care": "Social care, adults' and children's combined (2010-11 only)",
    "childrens_social_care": "Children's social care (from 2011-12)",
    "adult_social_care": "Adult social care (from 2011-12)",
    "public_health": "Public health (from 2013-14)",
    "housing_gfra": "Housing services (General Fund Revenue Account only)",
    "cultural": "Cultural and related services",
    "environmental": "Environmental and regulatory services",
    "planning": "Planning and development services",
    "police": "Police services",
    "fire": "Fire and rescue services",
    "central": "Central services",
    "other": "Other services",
    "total_service_expenditure": "Total service expenditure (RS lines 190 to 698)",
}

#: RS form line numbers of the canonical services, as printed above the headers from 2015-16
#: (README of the official files). Used to fill ``rs_line`` for years that do not print them.
RS_LINES: dict[str, int] = {
    "education": 190,
    "highways_transport": 290,
    "childrens_social_care": 330,
    "adult_social_care": 360,
    "public_health": 390,
    "housing_gfra": 490,
    "cultural": 509,
    "environmental": 590,
    "planning": 599,
    "total_service_expenditure": 698,
}

#: Cell texts that mean "no figure" (compared stripped and lower-case). An empty cell counts too, and
#: so does any Government Statistical Service marker in square brackets (``GSS_MARKER``).
MISSING_MARKERS: frozenset[str] = frozenset({"", "n/a", "-", "..", "...", "\u2026"})
#: GSS shorthand: [x] not available, [z] not applicable, [c] confidential, [low], [u], [w], [e]...
GSS_MARKER = re.compile(r"^\[[a-z0-9 ]{1,12}\]$")

# Published headers (normalised by _norm) of the canonical services.
_HEADER_KEYS: dict[str, str] = {
    "education services": "education",
    "education": "education",
    "highways and transport services": "highways_transport",
    "highways and transport": "highways_transport",
    "social care": "social_care",
    "children social care": "childrens_social_care",
    "childrens social care": "childrens_social_care",
    "adult social care": "adult_social_care",
    "adults social care": "adult_social_care",
    "public health": "public_health",
    "housing services (gfra only)": "housing_gfra",
    "cultural and related services": "cultural",
    "environmental and regulatory services": "environmental",
    "planning and development services": "planning",
    "police services": "police",
    "fire and rescue services": "fire",
    "central services": "central",
    "other services": "other",
    "total service expenditure": "total_service_expenditure",
    # RA block totals (and RS accessible-layout spellings)
    "total education services": "education",
    "total highways and transport services": "highways_transport",
    "total childrens social care": "childrens_social_care",
    "total adult social care": "adult_social_care",
    "total public health": "public_health",
    "total housing services (gfra only)": "housing_gfra",
    "housing services (general fund revenue account [gfra] only)": "housing_gfra",
    "total cultural and related services": "cultural",
    "total environmental and regulatory services": "environmental",
    "total planning and development services": "planning",
    "total police services": "police",
    "total fire and rescue services": "fire",
    "total central services": "central",
    "total other services": "other",
}

# Columns that are not money even though they sit among the figures.
_NOT_MONEY = re.compile(r"^(please confirm\b|(total )?number of\b)")
_E_CODE = re.compile(r"^E\d{4}$")
_ONS_CODE = re.compile(r"^[EWSN]\d{8}$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-\u2013/]\s*(\d{2})(?!\d)")
_SCAN_ROWS = 40  # the header row is looked for in the first rows of each sheet


_TOTAL_OF_LINES = re.compile(r"\(\s*total of lines[^)]*\)")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)
def _norm(value: Any) -> str:
    """Header text for matching: lower case, no apostrophes, no '(TOTAL OF LINES ...)', one space."""
    text = _TOTAL_OF_LINES.sub(" ", str(value).replace("\u2019", "'").lower()).replace("'", "")
    return _SPACES.sub(" ", text).strip()


def _snake(value: Any) -> str:
    return _NOT_ALNUM.sub("_", _norm(value).replace("&", " and ")).strip("_")


def _tidy(value: Any) -> str:
    """Text as published with runs of whitespace (including line breaks) made one space."""
    return _SPACES.sub(" ", str(value)).strip()


def column_letter(col: int) -> str:
    """Excel column letters of a 0-based column index: 0 -> 'A', 27 -> 'AB'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Excel address of a 0-based (row, column): (0, 0) -> 'A1'."""
    return f"{column_letter(col)}{row + 1}"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- opening the file and finding the data sheet --------------------------------------------------

_WHAT = "a DCLG RS, RSX or RA 'data by LA' file"
_SKIP_SHEET = re.compile(r"drop.?down|front.?page|^notes$|^contents$|^cover", re.I)


def _header_columns(row: list[Any]) -> dict[str, int] | None:
    """Positions of the identifying and descriptive columns if ``row`` is a header row, else None."""
    found: dict[str, int] = {}
    for col, value in enumerate(row):
        if not isinstance(value, str) or len(value) > 40:  # identifying headers are short
            continue
        text = _norm(value)
        if re.fullmatch(r"e ?-? ?code", text):
            found.setdefault("e_code", col)
        elif text.startswith("local authority"):
            found.setdefault("authority", col)
        elif text in ("ons code", "ons", "gss code"):
            found.setdefault("ons_code", col)
        elif text == "class":
            found.setdefault("authority_class", col)
        elif text == "region":
            found.setdefault("region", col)
        elif text in ("notes", "note"):
            found.setdefault("notes", col)
        elif text in ("detailed class", "subclass", "sub-class", "sub class"):
            found.setdefault("detailed_class", col)
        elif text in ("certification", "certified"):
            found.setdefault("certification", col)
    return found if "e_code" in found and "authority" in found else None


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        cols = _header_columns(row)
        if cols:
            return index, cols
    return None


def _title_text(rows: list[list[Any]], header_row: int, first_figure: int) -> list[str]:
    """Text cells above the header row and left of the figures (title, units line)."""
    return [_tidy(v) for row in rows[:header_row] for v in row[:first_figure] if isinstance(v, str) and v.strip()]


def _sheet_order(names: list[str]) -> list[str]:
    """Likely data sheets first, so that the usual case reads one sheet."""

    def rank(name: str) -> int:
        low = name.lower()
        return 0 if low.rstrip().endswith("(1)") else 1 if "data" in low else 2

    return sorted(names, key=rank)


class _DataSheet(NamedTuple):
    """The sheet that holds the return's table: its name, its rows, the 0-based row of its header and
    the column of each key cell (``e_code``, ``authority``, ...)."""

    name: str
    rows: list[list[Any]]
    header_row: int
    cols: dict[str, int]


def _find_data_sheet(path: Path, sheets, notes: dict[str, Any]) -> _DataSheet:
    """The sheet with the RS header row (the one titled 'Net current expenditure' when several have
    it). Raises DataFileError when no sheet has one, saying what the file looks like (from the sheets
    read and the reader's ``notes``), or when several have one and none is so titled."""
    names = [name for name, _ in sheets]
    loaders = dict(sheets)
    candidates, seen = [], []
    ordered = [n for n in _sheet_order(names) if not _SKIP_SHEET.search(n.strip())] or names
    for name in ordered:
        rows = loaders[name]()
        seen.append((name, rows))
        found = _find_header(rows)
        if not found:
            continue
        header_row, cols = found
        first_figure = max(cols.values()) + 1
        titled_nce = any("net current expenditure" in t.lower() for t in _title_text(rows, header_row, first_figure))
        if titled_nce:
            return _DataSheet(name, rows, header_row, cols)
        candidates.append(_DataSheet(name, rows, header_row, cols))
    if not candidates:
        raise DataFileError(
            f"{path}: not {_WHAT}: it looks like {describe(path, seen, notes)}: no sheet whose header row "
            f"(in the first {_SCAN_ROWS} rows) has 'E-code' and 'Local authority' cells; sheets: "
            f"{names}; formats read: {FORMATS_READ}"
        )
    if len(candidates) > 1:
        raise DataFileError(
            f"{path}: several sheets have an RS header row ({[c[0] for c in candidates]}) and none is "
            "titled 'Net current expenditure'; cannot tell which holds the net current expenditure"
        )
    return candidates[0]


_RA_TITLE = re.compile(r"revenue account budget|revenue account \(ra\)|\(ra\)|^ra\b|\bra la data\b|\bra_la_data", re.I)
_RSX_TITLE = re.compile(r"\(rsx\)|service expenditure summary|\brsx\b", re.I)
_RS_TITLE = re.compile(r"revenue outturn summary|\(rs\)|^rs\b|\brs la data\b|\brs_la_data\b", re.I)


def return_kind(texts: list[str], sheet: str, variables: list[str]) -> str | None:
    """'RS', 'RSX' or 'RA' from the title text, the sheet name and the variable-name row; None if none.

    RSX titles also say 'Revenue Outturn' and RA budget files look like RS files, so RSX and RA are
    looked for first, and a file whose texts name two returns is refused by the caller.
    """
    words = [t for t in texts if len(t) < 300] + [sheet]
    kinds = set()
    if any(_RA_TITLE.search(t) for t in words) or any(v.lower().startswith("ra-") for v in variables):
        kinds.add("RA")
    if any(_RSX_TITLE.search(t) for t in words) or any(v.lower().startswith("rsx-") for v in variables):
        kinds.add("RSX")
    elif any(_RS_TITLE.search(t) for t in words) or any(v.lower().startswith("rs-") for v in variables):
        kinds.add("RS")
    if len(kinds) == 1:
        return kinds.pop()
    return "/".join(sorted(kinds)) if kinds else None


# --- the figures ----------------------------------------------------------------------------------


def _line_row(rows: list[list[Any]], header_row: int, fig_cols: list[int]) -> int | None:
    """The row of form line numbers above the header row (2015-16 on), if there is one.

    The nearest row above the header with line numbers in at least a quarter of the figure columns;
    rows of column numbers (RSX's ``Col_no`` 1 to 7, RA's 1s) are passed over.
    """
    for index in range(header_row - 1, max(header_row - 7, -1), -1):
        row = rows[index]
        numbers = [n for c in fig_cols if c < len(row) and (n := _line_number(row[c])) is not None]
        if len(numbers) >= max(3, len(fig_cols) // 4) and max(numbers) >= 100:
            return index
    return None


_CELL_ID = re.compile(r"^C(\d+)R(\d+)$")


def _cell_id_row(rows: list[list[Any]], header_row: int, fig_cols: list[int]) -> dict[int, tuple[int, int]]:
    """Column -> (form column, form line) from a row of cell ids like 'C1R190' above the header."""
    for index in range(header_row - 1, max(header_row - 8, -1), -1):
        row = rows[index]
        matches = {c: _CELL_ID.match(row[c].strip()) for c in fig_cols if c < len(row) and isinstance(row[c], str)}
        ids = {c: (int(m.group(1)), int(m.group(2))) for c, m in matches.items() if m}
        if len(ids) >= max(1, len(fig_cols) // 2):
            return ids
    return {}


def _variable_names(rows: list[list[Any]], header_row: int, first_figure: int) -> list[str]:
    """Variable names above the header (``RS-edu-net-exp``, ``RSX-edu-empl``) when a row holds them."""
    names = []
    for row in rows[max(0, header_row - 8) : header_row]:
        cells = [v.strip() for v in row[first_figure : first_figure + 12] if isinstance(v, str) and v.strip()]
        if cells and all(re.fullmatch(r"[A-Za-z]+-[A-Za-z0-9-]+", v) for v in cells):
            names.extend(cells)
    return names


def _line_number(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{2,4}\s*", value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= 9999 else None


def _group_labels(rows: list[list[Any]], header_row: int, line_row: int | None, fig_cols: list[int]) -> dict[int, str]:
    """Block headings over the figures (e.g. 'Capital charges'), by column, from the nearest row above."""
    for index in (header_row - 1, header_row - 2):
        if index < 0 or index == line_row:
            continue
        row = rows[index]
        labels = {
            c: _tidy(row[c])
            for c in range(len(row))
            if isinstance(row[c], str) and row[c].strip() and _line_number(row[c]) is None
        }
        if any(c >= fig_cols[0] for c in labels):
            return labels
    return {}


def _unique_keys(base_keys: list[str], headers: list[str], fig_cols: list[int], groups: dict[int, str]) -> list[str]:
    """Make keys unique: a repeat is prefixed with its block heading, then numbered."""
    used: set[str] = set()
    keys = []
    for key, header, col in zip(base_keys, headers, fig_cols):
        if key in used:
            heading = next((groups[c] for c in sorted(groups, reverse=True) if c <= col), "")
            if heading:
                key = f"{_snake(heading)}__{_snake(header)}"
        base, n = key, 2
        while key in used:
            key, n = f"{base}_{n}", n + 1
        used.add(key)
        keys.append(key)
    return keys


def _service_keys(headers: list[str], fig_cols: list[int], groups: dict[int, str]) -> list[str]:
    """A unique snake_case key per column: canonical keys for the services the header names, else the
    header's words. Never from the line number alone: RA 698 is 'TOTAL OTHER SERVICES' where RS 698 is
    the total service expenditure, so a key by line would pass one service off as another.

    A header published twice (2010-11 repeats the services under 'Net current expenditure (non-IAS19
    ...)') keeps the plain key the first time; later ones are prefixed with their block heading.
    """
    base_keys = [
        _HEADER_KEYS.get(_norm(h)) or _HEADER_KEYS.get(_norm(_no_footnote(h))) or _snake(_no_footnote(h))
        for h in headers
    ]
    return _unique_keys(base_keys, headers, fig_cols, groups)


_FOOTNOTE = re.compile(r"(\s*(\((?:[a-h]|[ivx]{1,4})\)|\[note \d+\]|\*+))+\s*$", re.I)


def _no_footnote(header: str) -> str:
    """The header without trailing footnote marks ('Business Support (b)', 'X [note 3]', 'Y *'), so that
    a line keeps its key when a year adds or drops a footnote (the label keeps them as published)."""
    return _FOOTNOTE.sub("", header) or header


_RSX_PART = re.compile(
    r"^(?:(?P<block>.*?)\s*-\s*)?(?P<part>employees|running expenses|total expenditure|sales, fees and "
    r"charges|other income|total income|net current expenditure)\s*(\(\s*c(?P<c>\d)\b[^)]*\))?\s*$"
)


def _rsx_columns(
    where: str, headers: list[str], fig_cols: list[int], ids: dict[int, tuple[int, int]], header_row: int
) -> tuple[list[str], list[str]]:
    """(measure, service key) per RSX column, from the header ('Education services - Employees (C1)')
    checked against the cell id ('C1R190') where the file has one."""
    parts = {words: measure for measure, words in _RSX_COLUMNS.values()}
    measures: list[str] = []
    keys: list[str | None] = []
    lines: list[int | None] = []
    for header, col in zip(headers, fig_cols):
        match = _RSX_PART.match(_norm(header).replace("services-", "services -"))
        if not match:
            raise DataFileError(
                f"{where}, cell {cell_name(header_row, col)}: RSX header {header!r} does not say which part of "
                "the block it is (expected '<service> - Employees (C1)', ... '- Net Current Expenditure (C7)')"
            )
        measure = parts[match.group("part")]
        number = int(match.group("c")) if match.group("c") else (ids[col][0] if col in ids else None)
        if number is not None and _RSX_COLUMNS.get(number, ("",))[0] != measure:
            raise DataFileError(
                f"{where}, cell {cell_name(header_row, col)}: header {header!r} says {match.group('part')!r} but "
                f"its column number is C{number}; cannot tell which measure it is"
            )
        block = (match.group("block") or "").strip()
        keys.append(_HEADER_KEYS.get(block) or _snake(block) if block else None)
        measures.append(measure)
        lines.append(ids[col][1] if col in ids else None)
    for j, key in enumerate(keys):
        # 2021-22 prints one header without its block ('Net Current Expenditure (C7 = C3 - C6)'): take the
        # block named by the other columns of the same form line in this file, never a key by line alone
        if key is None:
            same = {keys[i] for i in range(len(keys)) if keys[i] and lines[i] is not None and lines[i] == lines[j]}
            if len(same) != 1:
                raise DataFileError(
                    f"{where}, cell {cell_name(header_row, fig_cols[j])}: RSX header {headers[j]!r} names no service "
                    "and no other column of the same form line does"
                )
            keys[j] = same.pop()
    return measures, [key for key in keys if key is not None]  # every key named by now


def _read_figures(block: np.ndarray, rows_idx: np.ndarray):
    """Float values (NaN where missing), and per column: missing markers seen, other text seen."""
    flat = block.ravel()
    numeric = np.fromiter((t is float or t is int for t in map(type, flat)), dtype=bool, count=flat.size)
    values = np.full(flat.size, np.nan)
    values[numeric] = flat[numeric].astype(np.float64)
    width = block.shape[1]
    markers: list[Counter] = [Counter() for _ in range(width)]
    other: list[list[tuple[int, Any]]] = [[] for _ in range(width)]
    numeric_count = numeric.reshape(block.shape).sum(axis=0)
    for i in np.flatnonzero(~numeric):
        value = flat[i]
        col = i % width
        if isinstance(value, str):
            text = value.strip().lower()
            if text in MISSING_MARKERS or GSS_MARKER.match(text):
                markers[col][text or "(blank)"] += 1
                continue
            try:
                values[i] = float(text.replace(",", ""))
                numeric_count[col] += 1
                continue
            except ValueError:
                pass
        elif value is None:
            markers[col]["(blank)"] += 1
            continue
        other[col].append((int(rows_idx[i // width]), value))
    return values.reshape(block.shape), markers, other, numeric_count


# --- the whole file -------------------------------------------------------------------------------

_YEAR_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(?!\d)")


def _year_in(text: str) -> str | None:
    """'2023-24' from '2023-24', '2023/24', '2023 - 24' or the compact '202324'; None if absent."""
    for pattern in (_YEAR, _YEAR_COMPACT):
        for match in pattern.finditer(text):
            first, second = match.group(1), match.group(2)
            if (int(first) + 1) % 100 == int(second):
                return f"{first}-{second}"
    return None


def _financial_year(where: str, sheet: str, title: list[str], header_row: int) -> str:
    """'2017-18' from the title rows, else from the sheet name; both present must agree."""
    year_title = next((y for y in map(_year_in, title) if y), None)
    year_sheet = _year_in(sheet)
    if year_title and year_sheet and year_title != year_sheet:
        raise DataFileError(f"{where}: the title says {year_title} but the sheet name says {year_sheet}")
    year = year_title or year_sheet
    if not year:
        raise DataFileError(
            f"{where}: no financial year (like '2017-18' or '201718') in the title rows above row "
            f"{header_row + 1} or in the sheet name"
        )
    return year


def _end_of_table(body: np.ndarray, cols: dict[str, int]) -> int:
    """Rows of the authority table: up to the ENGLAND row or a second header row (the accessible
    layout's 'Class Breakdown' table, whose GLA row would otherwise count twice)."""
    e_col, name_col = cols["e_code"], cols["authority"]
    for i in range(body.shape[0]):
        code, name = body[i, e_col], body[i, name_col]
        code = code.strip().lower() if isinstance(code, str) else ""
        name = name.strip().lower() if isinstance(name, str) else ""
        if (
            code in ("eng", "england", "e-code", "ecode", "e code")
            or name in ("england", "england total")
            or name.startswith("class breakdown")
        ):
            return i
    return body.shape[0]


def _authorities(where: str, body: np.ndarray, cols: dict[str, int], header_row: int) -> dict[str, Any]:
    """The authority rows (those with an E-code) and their codes, names, classes, ONS codes."""
    end = _end_of_table(body, cols)
    codes = [v.strip() if isinstance(v, str) else v for v in body[:, cols["e_code"]]]
    is_auth = np.fromiter((isinstance(c, str) and _E_CODE.match(c) is not None for c in codes), bool, len(codes))
    is_auth[end:] = False
    if not is_auth.any():
        raise DataFileError(
            f"{where}: no authority rows: no E-code like 'E4606' in column "
            f"{column_letter(cols['e_code'])} below the header row {header_row + 1}"
        )
    idx = np.flatnonzero(is_auth)
    for i in range(idx[-1]):  # blank rows may sit between authorities; nothing else may
        if not is_auth[i] and not _blank(codes[i]):
            raise DataFileError(
                f"{where}, cell {cell_name(header_row + 1 + i, cols['e_code'])}: {codes[i]!r} among the "
                "authority rows is not a DCLG E-code like 'E4606'"
            )
    rows = idx + header_row + 1  # 0-based row numbers in the sheet
    e_codes = np.array([codes[i] for i in idx], dtype=object)
    dup = pd.Series(e_codes).duplicated(keep=False).to_numpy()
    if dup.any():
        cells = [cell_name(int(r), cols["e_code"]) for r in rows[dup]]
        raise DataFileError(
            f"{where}: E-code(s) {sorted(set(e_codes[dup]))} appear more than once ({cells}); "
            "expected one row per authority"
        )

    def cell(r: int | np.integer, key: str) -> str:
        return f"{where}, cell {cell_name(int(r), cols[key])}"

    names: list[str] = []
    for r, value in zip(rows, body[idx, cols["authority"]]):
        if _blank(value):
            raise DataFileError(f"{cell(r, 'authority')}: authority name is blank")
        names.append(_tidy(value))
    classes, published_classes = _authority_classes(
        where, rows, body[idx, cols["authority_class"]], cols["authority_class"]
    )
    ons, e_in_ons = _ons_codes(
        where,
        rows,
        e_codes,
        body[idx, cols["ons_code"]] if "ons_code" in cols else [None] * len(idx),
        cols.get("ons_code", 0),
    )
    return {
        "is_auth": is_auth,
        "idx": idx,
        "rows": rows,
        "e_codes": e_codes,
        "names": names,
        "classes": classes,
        "ons": ons,
        "end": end,
        "published_classes": dict(sorted(published_classes.items())),
        "e_code_in_ons_column": e_in_ons,
    }


def _authority_classes(where: str, rows: np.ndarray, values: Any, col: int) -> tuple[list[str], Counter[str]]:
    """Each authority's class (one of ``AUTHORITY_CLASSES``; ``LB``, a London borough, read as ``L``) and how
    often each class was published as written; ``rows``: the authorities' 0-based rows, ``col``: the class column.
    Raises DataFileError naming the cell of a class that is not one of them."""
    classes: list[str] = []
    published_classes: Counter[str] = Counter()
    accepted = sorted(AUTHORITY_CLASSES | set(CLASS_ALIASES))
    for r, value in zip(rows, values):
        text = value.strip() if isinstance(value, str) else value
        canonical = CLASS_ALIASES.get(text, text)
        if canonical not in AUTHORITY_CLASSES:
            raise DataFileError(
                f"{where}, cell {cell_name(int(r), col)}: class {value!r} is not one of {accepted} "
                "(LB = London borough, read as L)"
            )
        published_classes[text] += 1
        classes.append(canonical)
    return classes, published_classes


def _ons_codes(
    where: str, rows: np.ndarray, e_codes: np.ndarray, values: Any, col: int
) -> tuple[list[str | None], list[str]]:
    """Each authority's ONS code (None where the file has a missing marker, or an E-code instead) and
    a note of every E-code found in the ONS code column ``col`` ('E6191 (F12: 'E6191')'). ``rows``:
    the authorities' 0-based rows in the sheet. Raises DataFileError on any other text."""
    ons: list[str | None] = []
    e_in_ons: list[str] = []
    for r, e_code, value in zip(rows, e_codes, values):
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and _ONS_CODE.match(text):
            ons.append(text)
        elif _blank(value) or (
            isinstance(text, str) and (text.lower() in MISSING_MARKERS or GSS_MARKER.match(text.lower()))
        ):
            ons.append(None)  # 'n/a' for police, fire and other bodies
        elif isinstance(text, str) and _E_CODE.match(text):
            ons.append(None)  # an E-code where the ONS code should be (Lee Valley Regional Park Authority)
            e_in_ons.append(f"{e_code} ({cell_name(int(r), col)}: {text!r})")
        else:
            raise DataFileError(
                f"{where}, cell {cell_name(int(r), col)}: {value!r} is not an ONS code like "
                "'E08000030' nor a missing marker"
            )
    return ons, e_in_ons


def _check_blank_headers(
    where: str, body: np.ndarray, idx: np.ndarray, first: int, fig_cols: list[int], header_row: int
) -> None:
    """Figures under a blank header would be silently lost: refuse them."""
    figure_set = set(fig_cols)
    for c in range(first, body.shape[1]):
        if c not in figure_set and any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in body[idx, c]):
            raise DataFileError(
                f"{where}, column {column_letter(c)}: figures under a blank header (cell "
                f"{cell_name(header_row, c)}); expected every figure column to have a heading"
            )


def _money_columns(where: str, headers: list[str], fig_cols: list[int], header_row: int, other, numeric_count):
    """Indexes of the columns to keep, and a note for each dropped one (counts, 'Yes', text)."""
    keep, dropped = [], []
    for j, col in enumerate(fig_cols):
        note = {"label": headers[j], "column": cell_name(header_row, col)}
        if _NOT_MONEY.match(_norm(headers[j])):
            dropped.append(note | {"reason": "not money (a count or a yes/no confirmation)"})
        elif other[j] and numeric_count[j] == 0:
            dropped.append(note | {"reason": f"text, not figures (e.g. {other[j][0][1]!r})"})
        elif other[j]:
            r, value = other[j][0]
            raise DataFileError(
                f"{where}, cell {cell_name(r, col)} ('{headers[j]}'): {value!r} is neither a number nor a "
                f"missing marker ({', '.join(repr(m) for m in sorted(MISSING_MARKERS) if m)}, a GSS marker "
                "in square brackets such as '[x]', or an empty cell)"
            )
        else:
            keep.append(j)
    if not keep:
        raise DataFileError(f"{where}: no column of figures (every column after the header's 'Class' is text)")
    return keep, dropped


def _figure_columns(where: str, header: list[Any], cols: dict[str, int], header_row: int) -> tuple[int, list[int]]:
    """(first column after the descriptive ones, the columns with a heading from there on: the figures); refuses a
    header row with no 'Class' column or no figure columns."""
    if "authority_class" not in cols:
        raise DataFileError(
            f"{where}: unrecognised layout: header row {header_row + 1} has 'E-code' and 'Local authority' "
            "but no 'Class' column (expected E-code, [ONS Code], Local authority, [Region], Class, then figures)"
        )
    first_figure = max(cols.values()) + 1
    fig_cols = [c for c in range(first_figure, len(header)) if not _blank(header[c])]
    if not fig_cols:
        raise DataFileError(
            f"{where}: unrecognised layout: header row {header_row + 1} has no figure columns after "
            f"'{_tidy(header[first_figure - 1])}' (expected service headers such as 'Education services')"
        )
    return first_figure, fig_cols


def _which_return(
    where: str, rows: list[list[Any]], sheet: str, header_row: int, first_figure: int
) -> tuple[str, list[str]]:
    """('RS', 'RSX' or 'RA', the title text) from the title, the sheet name (empty for CSV) and the variable names;
    refuses a file whose title names none of them, so that no figures are passed off as another measure."""
    title = _title_text(rows, header_row, first_figure)
    kind = return_kind(title, sheet, _variable_names(rows, header_row, first_figure))
    if kind not in RETURNS:
        said = f"names {kind.replace('/', ' and ')}" if kind else "names none of them"
        raise DataFileError(
            f"{where}: has the layout of a 'data by LA' file (E-code, Local authority, Class) but its title "
            f"{said}: {title[:2]}; expected the title of a Revenue Outturn Summary (RS), a Service Expenditure "
            "Summary (RSX) or a Revenue Account budget (RA), so that no figures are passed off as another measure"
        )
    return kind, title


def _table_body(where: str, rows: list[list[Any]], header_row: int, fmt: str) -> np.ndarray:
    """The rows below the header as a 2-D object array (CSV rows padded or cut to the header's width)."""
    header = rows[header_row]
    body = (
        np.array(
            [
                r + [None] * (len(header) - len(r)) if len(r) < len(header) else r[: len(header)]
                for r in rows[header_row + 1 :]
            ],
            dtype=object,
        )
        if fmt == "csv"
        else np.array(rows[header_row + 1 :], dtype=object)
    )
    if body.ndim != 2 or body.shape[0] == 0:
        raise DataFileError(f"{where}: no rows below the header row {header_row + 1}")
    return body


def _column_meanings(
    where: str, kind: str, rows: list[list[Any]], header_row: int, fig_cols: list[int], headers: list[str]
) -> tuple[list[str], list[str], list[Any], int | None]:
    """Per figure column: its measure (outturn, budget or an RSX measure), its service key and its form line
    number (None where unknown), with the row that holds the line numbers (None if none)."""
    line_row = _line_row(rows, header_row, fig_cols)
    ids = _cell_id_row(rows, header_row, fig_cols)
    lines = [_line_number(rows[line_row][c]) if line_row is not None else None for c in fig_cols]
    lines = [line if line is not None or c not in ids else ids[c][1] for line, c in zip(lines, fig_cols)]
    groups = _group_labels(rows, header_row, line_row, fig_cols)
    if kind == "RSX":
        measures, keys = _rsx_columns(where, headers, fig_cols, ids, header_row)
    else:
        keys = _service_keys(headers, fig_cols, groups)
        measures = ["outturn" if kind == "RS" else "budget"] * len(keys)
        if kind == "RS":  # years before 2015-16 print no line numbers: fill the canonical ones
            lines = [line if line is not None else RS_LINES.get(key) for line, key in zip(lines, keys)]
    return measures, keys, lines, line_row


def _missing_by_marker(markers: Any, keep: list[int]) -> Counter[str]:
    """How many values each missing marker (``n/a``, ``-``, ``[x]``, an empty cell, ...) stands for, over the money
    columns kept."""
    missing: Counter[str] = Counter()
    for j in keep:
        missing.update(markers[j])
    return missing


def _excluded_rows(body: np.ndarray, is_auth: Any) -> list[str]:
    """The first text (up to 60 characters) of every non-blank row that is not an authority (totals, notes)."""
    return [
        _tidy(next(v for v in row if not _blank(v)))[:60]
        for i, row in enumerate(body)
        if not is_auth[i] and any(not _blank(v) for v in row)
    ]


def parse_return(path: str | Path) -> pd.DataFrame:
    """Parse one RS, RSX or RA file into the tidy frame with the schema's dtypes (not yet validated;
    ``ons_code`` only where the file publishes it).

    ``frame.attrs['rs_report']`` holds one dict describing what was read (see ``read_official``),
    including ``return`` ('RS', 'RSX' or 'RA') and ``measures``. A file that is none of these is
    refused with a ``DataFileError`` saying what it looks like.
    """
    path = Path(path)
    fmt, sheets, notes = open_book(path, _WHAT)
    sheet, rows, header_row, cols = _find_data_sheet(path, sheets, notes)
    where = f"{path}, sheet {sheet!r}" if fmt != "csv" else str(path)
    header = rows[header_row]
    first_figure, fig_cols = _figure_columns(where, header, cols, header_row)
    kind, title = _which_return(where, rows, sheet if fmt != "csv" else "", header_row, first_figure)
    year = _financial_year(where, sheet if fmt != "csv" else "", title, header_row)
    body = _table_body(where, rows, header_row, fmt)
    auth = _authorities(where, body, cols, header_row)
    _check_blank_headers(where, body[: auth["end"]], auth["idx"], first_figure, fig_cols, header_row)

    headers = [_tidy(header[c]) for c in fig_cols]
    measures, keys, lines, line_row = _column_meanings(where, kind, rows, header_row, fig_cols, headers)
    values, markers, other, numeric_count = _read_figures(body[np.ix_(auth["idx"], fig_cols)], auth["rows"])
    keep, dropped = _money_columns(where, headers, fig_cols, header_row, other, numeric_count)
    missing = _missing_by_marker(markers, keep)
    report = {
        "file": str(path),
        "format": fmt,
        "encoding": notes.get("encoding"),
        "return": kind,
        "measures": sorted({measures[j] for j in keep}),
        "year": year,
        "sheet": sheet,
        "header_row": header_row + 1,
        "rs_line_row": None if line_row is None else line_row + 1,
        "has_ons_code": "ons_code" in cols,
        **_authorities_report(auth),
        "descriptive_columns": sorted(k for k in cols if k in ("notes", "detailed_class", "certification", "region")),
        "columns": len(keep),
        "values": int(len(auth["idx"]) * len(keep)),
        "missing_values": int(sum(missing.values())),
        "missing_by_marker": dict(sorted(missing.items())),
        "excluded_rows": _excluded_rows(body, auth["is_auth"]),
        "dropped_columns": dropped,
    }
    frame = _long_frame(
        year,
        auth["e_codes"],
        auth["ons"],
        auth["names"],
        auth["classes"],
        [measures[j] for j in keep],
        [keys[j] for j in keep],
        [headers[j] for j in keep],
        [lines[j] for j in keep],
        values[:, keep],
    )
    frame.attrs["rs_report"] = [report]
    return frame


def _authorities_report(auth: dict[str, Any]) -> dict[str, Any]:
    """The read report's fields on the authorities (:func:`_authorities`): how many, their classes as published,
    and the E-codes found in the ONS code column."""
    return {
        "authorities": int(len(auth["idx"])),
        "classes_as_published": auth["published_classes"],
        "e_code_in_ons_column": auth["e_code_in_ons_column"],
    }


#: The parser of every return (kept under its old name for the cache and older callers).
parse_rs = parse_return


def _categorical(values: list[Any] | np.ndarray, repeat: int = 1, tile: int = 1) -> pd.Categorical:
    """Categorical of ``values`` (None = missing), each repeated ``repeat`` times, the whole tiled."""
    present = sorted({v for v in values if v is not None})
    lookup = {v: i for i, v in enumerate(present)}
    codes = np.fromiter((lookup.get(v, -1) if v is not None else -1 for v in values), np.int64, len(values))
    codes = np.tile(np.repeat(codes, repeat), tile)
    return pd.Categorical.from_codes(codes, categories=pd.Index(present, dtype=object), validate=False)


def _long_frame(year, e_codes, ons, names, classes, measures, keys, labels, lines, values) -> pd.DataFrame:
    """Authorities x columns -> one row per (authority, column), authority-major."""
    n, m = values.shape
    line_values = np.array([0 if x is None else x for x in lines], dtype=np.int64)
    line_mask = np.array([x is None for x in lines], dtype=bool)
    frame = pd.DataFrame(
        {
            "year": _categorical([year], repeat=n * m),
            "e_code": _categorical(list(e_codes), repeat=m),
            "ons_code": _categorical(ons, repeat=m),
            "authority": _categorical(names, repeat=m),
            "authority_class": _categorical(classes, repeat=m),
            "measure": _categorical(measures, tile=n),
            "rs_line": pd.arrays.IntegerArray(np.tile(line_values, n), np.tile(line_mask, n)),
            "service": _categorical(keys, tile=n),
            "label": _categorical(labels, tile=n),
            "value_gbp_k": values.reshape(-1),
        }
    )
    return frame[list(COLUMNS)]
