"""Parse one DCLG/MHCLG Revenue Outturn Summary (RS) "data by LA" workbook into the tidy frame.

The workbooks were published in three layouts (../shared/data/official/README.md):

* .xls 2010-11 to 2013-14: sheets ``RS LA Data yyyy-yy (1)`` (net current expenditure), ``(2)``,
  ``(3)``; header row with ``E-code``, ``Local authority``, ``Class``; figures from column F.
* .xls 2014-15: adds ``ONS Code`` and ``Region`` columns; figures from column G.
* .xlsx 2015-16 on: one sheet ``RS LA Data yyyy-yy``; a row of RS line numbers above the header
  row; ``E-code``, ``ONS Code``, ``Local authority``, blank, ``Class``; rows not alphabetical.

Nothing is found by position. The data sheet is the one whose header row (within the first rows)
has ``E-code`` and ``Local authority`` cells; when several sheets have one (the .xls files), the
one titled "Net current expenditure" is taken. The year comes from the title rows or the sheet
name. Authority rows are the rows with an E-code; the ENGLAND row, the CLASS BREAKDOWN block and
the notes have none and are left out. Figures are GBP thousand; missing markers become NaN and are
counted. The whole sheet is read once (python-calamine) and reshaped with numpy.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, PasswordError

from ..errors import DataFileError
from ..registry import AUTHORITY_CLASSES
from .schema import COLUMNS

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

#: Cell texts that mean "no figure" (compared stripped and lower-case). An empty cell counts too.
MISSING_MARKERS: frozenset[str] = frozenset({"", "n/a", "-", "..", "...", "\u2026"})

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
}
_KEY_BY_LINE = {line: key for key, line in RS_LINES.items()}

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


def _year_in(text: str) -> str | None:
    for match in _YEAR.finditer(text):
        first, second = match.group(1), match.group(2)
        if (int(first) + 1) % 100 == int(second):
            return f"{first}-{second}"
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- opening the workbook and finding the data sheet ----------------------------------------------


def _open(path: Path) -> CalamineWorkbook:
    if not path.is_file():
        raise DataFileError(f"{path}: file not found (expected a DCLG RS 'data by LA' workbook, .xls or .xlsx)")
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError as exc:
        raise DataFileError(f"{path}: the workbook is password-protected; save an unprotected copy") from exc
    except Exception as exc:  # calamine raises CalamineError/ZipError/XmlError/OSError for bad files
        raise DataFileError(
            f"{path}: cannot be read as an Excel workbook (.xls/.xlsx): {exc}. "
            "Is it truncated, corrupt, password-protected or not a workbook at all?"
        ) from exc


def _sheet_rows(path: Path, book: CalamineWorkbook, name: str) -> list[list[Any]]:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise DataFileError(f"{path}, sheet {name!r}: cannot be read ({exc}); is the file truncated or corrupt?") from exc


def _header_columns(row: list[Any]) -> dict[str, int] | None:
    """Positions of the identifying columns if ``row`` is an RS header row, else None."""
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
    return found if "e_code" in found and "authority" in found else None


def _find_header(rows: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_SCAN_ROWS]):
        cols = _header_columns(row)
        if cols:
            return index, cols
    return None


def _title_text(rows: list[list[Any]], header_row: int, first_figure: int) -> list[str]:
    """Text cells above the header row and left of the figures (title, units line)."""
    return [
        _tidy(v) for row in rows[:header_row] for v in row[:first_figure] if isinstance(v, str) and v.strip()
    ]


def _sheet_order(names: list[str]) -> list[str]:
    """Likely data sheets first, so that the usual case reads one sheet."""
    def rank(name: str) -> int:
        low = name.lower()
        return 0 if low.rstrip().endswith("(1)") else 1 if "data" in low else 2
    return sorted(names, key=rank)


def _find_data_sheet(path: Path, book: CalamineWorkbook) -> tuple[str, list[list[Any]], int, dict[str, int]]:
    names = list(book.sheet_names)
    candidates = []
    for name in _sheet_order(names):
        rows = _sheet_rows(path, book, name)
        found = _find_header(rows)
        if not found:
            continue
        header_row, cols = found
        first_figure = max(cols.values()) + 1
        titled_nce = any("net current expenditure" in t.lower() for t in _title_text(rows, header_row, first_figure))
        if titled_nce:
            return name, rows, header_row, cols
        candidates.append((name, rows, header_row, cols))
    if not candidates:
        raise DataFileError(
            f"{path}: not a DCLG RS 'data by LA' workbook: no sheet whose header row (in the first "
            f"{_SCAN_ROWS} rows) has 'E-code' and 'Local authority' cells; sheets: {names}"
        )
    if len(candidates) > 1:
        raise DataFileError(
            f"{path}: several sheets have an RS header row ({[c[0] for c in candidates]}) and none is "
            "titled 'Net current expenditure'; cannot tell which holds the net current expenditure"
        )
    return candidates[0]


# --- the figures ----------------------------------------------------------------------------------


def _line_row(rows: list[list[Any]], header_row: int, fig_cols: list[int]) -> int | None:
    """The row of RS line numbers just above the header row (2015-16 on), if there is one."""
    if header_row == 0:
        return None
    row = rows[header_row - 1]
    numbers = sum(1 for c in fig_cols if _line_number(row[c]) is not None)
    return header_row - 1 if numbers >= max(3, len(fig_cols) // 4) else None


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
        labels = {c: _tidy(row[c]) for c in range(len(row)) if isinstance(row[c], str) and row[c].strip()}
        if any(c >= fig_cols[0] for c in labels):
            return labels
    return {}


def _service_keys(headers: list[str], lines: list[int | None], fig_cols: list[int], groups: dict[int, str]) -> list[str]:
    """A unique snake_case key per column: canonical keys for the services, then the header's words.

    A header published twice (2010-11 repeats the services under 'Net current expenditure (non-IAS19
    ...)') keeps the plain key the first time; later ones are prefixed with their block heading.
    """
    base_keys = [
        _HEADER_KEYS.get(_norm(h)) or (_KEY_BY_LINE.get(line) if line is not None else None) or _snake(h)
        for h, line in zip(headers, lines)
    ]
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


def _read_figures(block: np.ndarray, rows_idx: np.ndarray):
    """Float values (NaN where missing), and per column: missing markers seen, other text seen."""
    flat = block.ravel()
    types = np.fromiter(map(type, flat), dtype=object, count=flat.size)
    numeric = (types == float) | (types == int)
    values = np.full(flat.size, np.nan)
    values[numeric] = flat[numeric].astype(np.float64)
    width = block.shape[1]
    markers: list[Counter] = [Counter() for _ in range(width)]
    other: list[list[tuple[int, Any]]] = [[] for _ in range(width)]
    numeric_count = numeric.reshape(block.shape).sum(axis=0)
    for i in np.flatnonzero(~numeric):
        value = flat[i]
        col = i % width
        if value is None or (isinstance(value, str) and value.strip().lower() in MISSING_MARKERS):
            markers[col][value.strip().lower() if isinstance(value, str) and value.strip() else "(blank)"] += 1
            continue
        if isinstance(value, str):
            try:
                values[i] = float(value.replace(",", "").strip())
                numeric_count[col] += 1
                continue
            except ValueError:
                pass
        other[col].append((int(rows_idx[i // width]), value))
    return values.reshape(block.shape), markers, other, numeric_count


# --- the whole file -------------------------------------------------------------------------------


def _financial_year(where: str, sheet: str, title: list[str], header_row: int) -> str:
    """'2017-18' from the title rows, else from the sheet name; both present must agree."""
    year_title = next((y for y in map(_year_in, title) if y), None)
    year_sheet = _year_in(sheet)
    if year_title and year_sheet and year_title != year_sheet:
        raise DataFileError(f"{where}: the title says {year_title} but the sheet name says {year_sheet}")
    year = year_title or year_sheet
    if not year:
        raise DataFileError(
            f"{where}: no financial year (like '2017-18') in the title rows above row {header_row + 1} "
            "or in the sheet name"
        )
    return year


def _authorities(where: str, body: np.ndarray, cols: dict[str, int], header_row: int) -> dict[str, Any]:
    """The authority rows (those with an E-code) and their codes, names, classes, ONS codes."""
    codes = [v.strip() if isinstance(v, str) else v for v in body[:, cols["e_code"]]]
    is_auth = np.fromiter((isinstance(c, str) and _E_CODE.match(c) is not None for c in codes), bool, len(codes))
    if not is_auth.any():
        raise DataFileError(f"{where}: no authority rows: no E-code like 'E4606' in column "
                            f"{column_letter(cols['e_code'])} below the header row {header_row + 1}")
    idx = np.flatnonzero(is_auth)
    for i in range(idx[-1]):  # ENGLAND, CLASS BREAKDOWN and the notes have no code in this column
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
        raise DataFileError(f"{where}: E-code(s) {sorted(set(e_codes[dup]))} appear more than once ({cells}); "
                            "expected one row per authority")

    def cell(r: int, key: str) -> str:
        return f"{where}, cell {cell_name(int(r), cols[key])}"

    names, classes, ons = [], [], []
    for r, value in zip(rows, body[idx, cols["authority"]]):
        if _blank(value):
            raise DataFileError(f"{cell(r, 'authority')}: authority name is blank")
        names.append(_tidy(value))
    for r, value in zip(rows, body[idx, cols["authority_class"]]):
        text = value.strip() if isinstance(value, str) else value
        if text not in AUTHORITY_CLASSES:
            raise DataFileError(f"{cell(r, 'authority_class')}: class {value!r} is not one of {sorted(AUTHORITY_CLASSES)}")
        classes.append(text)
    for r, value in zip(rows, body[idx, cols["ons_code"]] if "ons_code" in cols else [None] * len(idx)):
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, str) and _ONS_CODE.match(text):
            ons.append(text)
        elif _blank(value) or (isinstance(text, str) and text.lower() in MISSING_MARKERS):
            ons.append(None)  # 'n/a' for police, fire and other bodies
        else:
            raise DataFileError(f"{cell(r, 'ons_code')}: {value!r} is not an ONS code like 'E08000030' nor a missing marker")
    return {"is_auth": is_auth, "idx": idx, "rows": rows, "e_codes": e_codes, "names": names,
            "classes": classes, "ons": ons}


def _check_blank_headers(where: str, body: np.ndarray, idx: np.ndarray, first: int, fig_cols: list[int],
                         header_row: int) -> None:
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
                f"missing marker ({', '.join(repr(m) for m in sorted(MISSING_MARKERS) if m)} or an empty cell)"
            )
        else:
            keep.append(j)
    if not keep:
        raise DataFileError(f"{where}: no column of figures (every column after the header's 'Class' is text)")
    return keep, dropped


def parse_rs(path: str | Path) -> pd.DataFrame:
    """Parse one RS workbook into the tidy frame with the schema's dtypes (not yet validated;
    ``ons_code`` only where the file publishes it).

    ``frame.attrs['rs_report']`` holds one dict describing what was read (see ``read_rs``).
    """
    path = Path(path)
    sheet, rows, header_row, cols = _find_data_sheet(path, _open(path))
    where = f"{path}, sheet {sheet!r}"
    header = rows[header_row]
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
    year = _financial_year(where, sheet, _title_text(rows, header_row, first_figure), header_row)
    body = np.array(rows[header_row + 1:], dtype=object)
    if body.ndim != 2 or body.shape[0] == 0:
        raise DataFileError(f"{where}: no rows below the header row {header_row + 1}")
    auth = _authorities(where, body, cols, header_row)
    _check_blank_headers(where, body, auth["idx"], first_figure, fig_cols, header_row)

    headers = [_tidy(header[c]) for c in fig_cols]
    line_row = _line_row(rows, header_row, fig_cols)
    lines = [_line_number(rows[line_row][c]) if line_row is not None else None for c in fig_cols]
    keys = _service_keys(headers, lines, fig_cols, _group_labels(rows, header_row, line_row, fig_cols))
    lines = [line if line is not None else RS_LINES.get(key) for line, key in zip(lines, keys)]

    values, markers, other, numeric_count = _read_figures(body[np.ix_(auth["idx"], fig_cols)], auth["rows"])
    keep, dropped = _money_columns(where, headers, fig_cols, header_row, other, numeric_count)
    missing = Counter()
    for j in keep:
        missing.update(markers[j])
    excluded = [
        _tidy(next(v for v in row if not _blank(v)))[:60]
        for i, row in enumerate(body)
        if not auth["is_auth"][i] and any(not _blank(v) for v in row)
    ]
    report = {
        "file": str(path),
        "year": year,
        "sheet": sheet,
        "header_row": header_row + 1,
        "rs_line_row": None if line_row is None else line_row + 1,
        "has_ons_code": "ons_code" in cols,
        "authorities": int(len(auth["idx"])),
        "columns": len(keep),
        "values": int(len(auth["idx"]) * len(keep)),
        "missing_values": int(sum(missing.values())),
        "missing_by_marker": dict(sorted(missing.items())),
        "excluded_rows": excluded,
        "dropped_columns": dropped,
    }
    frame = _long_frame(
        year, auth["e_codes"], auth["ons"], auth["names"], auth["classes"],
        [keys[j] for j in keep], [headers[j] for j in keep], [lines[j] for j in keep], values[:, keep],
    )
    frame.attrs["rs_report"] = [report]
    return frame


def _categorical(values: list[Any] | np.ndarray, repeat: int = 1, tile: int = 1) -> pd.Categorical:
    """Categorical of ``values`` (None = missing), each repeated ``repeat`` times, the whole tiled."""
    present = sorted({v for v in values if v is not None})
    lookup = {v: i for i, v in enumerate(present)}
    codes = np.fromiter((lookup.get(v, -1) if v is not None else -1 for v in values), np.int64, len(values))
    codes = np.tile(np.repeat(codes, repeat), tile)
    return pd.Categorical.from_codes(codes, categories=pd.Index(present, dtype=object))


def _long_frame(year, e_codes, ons, names, classes, keys, labels, lines, values) -> pd.DataFrame:
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
            "rs_line": pd.arrays.IntegerArray(np.tile(line_values, n), np.tile(line_mask, n)),
            "service": _categorical(keys, tile=n),
            "label": _categorical(labels, tile=n),
            "value_gbp_k": values.reshape(-1),
        }
    )
    return frame[list(COLUMNS)]
