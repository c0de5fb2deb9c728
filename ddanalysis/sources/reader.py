"""Open an official 'data by LA' file of any published format, found by its content, as rows of cells.

Formats read: ``.xls`` (BIFF8), ``.xlsx``, ``.ods`` (OpenDocument, the only format of the accessible
releases from 2021-22) through python-calamine, and the official ``.csv`` releases (UTF-8 with or
without a byte-order mark, else Windows-1252, where the pound sign is byte 0xA3). The format is taken
from the first bytes of the file, never from its name: an OLE2 container is a ``.xls`` workbook, a
zip with an ``application/vnd.oasis.opendocument.spreadsheet`` mimetype an ``.ods``, any other zip an
``.xlsx``, and text a CSV.

A "book" here is a list of ``(sheet name, loader)``; ``loader()`` returns the sheet's rows as lists
of Python values (str, float, int, bool, date or None); a CSV is one sheet named after the file.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook, PasswordError

from ..errors import DataFileError

#: What the loaders read, for help texts and error messages.
FORMATS_READ = ".xls, .xlsx, .ods or .csv (found by content, not by name)"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"

Sheet = tuple[str, Callable[[], list[list[Any]]]]


def sniff(path: Path) -> str:
    """'xls', 'xlsx', 'ods' or 'csv' from the file's first bytes ('csv' means: not a workbook)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(_OLE2):
        return "xls"
    if head.startswith(_ZIP):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "mimetype" in names and archive.read("mimetype").strip().startswith(_ODS_MIME):
                    return "ods"
        except (zipfile.BadZipFile, OSError, KeyError):
            pass  # a truncated zip: calamine says what is wrong below
        if head[30:38] == b"mimetype" and _ODS_MIME in head[:120]:
            return "ods"
        return "xlsx"
    return "csv"


_CP1252_PUNCT = frozenset(b"\x85\x91\x92\x93\x94\x96\x97")  # ellipsis, quotes, dashes in Windows-1252
_MAC_PUNCT = frozenset(b"\xc9\xd0\xd1\xd2\xd3\xd4\xd5")  # the same marks in Mac OS Roman


def decode_text(path: Path, raw: bytes) -> tuple[str, str]:
    """The text of a CSV and the encoding used: UTF-8 (with or without BOM), else Windows-1252,
    or Mac OS Roman when the bytes of typographic marks say so (RA 2023-24's CSV writes its en
    dashes, apostrophes and the '\u2026' missing marker as Mac OS Roman bytes 0xD0, 0xD5, 0xC9;
    the pound sign is 0xA3 in both)."""
    if raw.startswith(b"%PDF"):
        raise DataFileError(f"{path}: a PDF document, not a spreadsheet or CSV file; formats read: {FORMATS_READ}")
    if b"\x00" in raw[:4096]:
        raise DataFileError(f"{path}: not a spreadsheet or CSV text (binary content); formats read: {FORMATS_READ}")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        cp1252 = sum(raw.count(bytes([b])) for b in _CP1252_PUNCT)
        mac = sum(raw.count(bytes([b])) for b in _MAC_PUNCT)
        if mac > cp1252:
            return raw.decode("mac_roman"), "mac_roman"
        return raw.decode("cp1252", errors="replace"), "cp1252"


def open_book(path: Path, what: str) -> tuple[str, list[Sheet], dict[str, Any]]:
    """(format, sheets, notes) of ``path``; ``what`` names the expected file for 'file not found'."""
    if not path.is_file():
        raise DataFileError(f"{path}: file not found (expected {what}: {FORMATS_READ})")
    fmt = sniff(path)
    named = path.suffix.lower().lstrip(".")
    notes: dict[str, Any] = {"format": fmt}
    if fmt == "csv":
        text, encoding = decode_text(path, path.read_bytes())
        notes["encoding"] = encoding
        if named in ("xls", "xlsx", "xlsm", "ods"):
            notes["renamed"] = f"CSV text although named .{named}"
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return fmt, [(path.stem, lambda: rows)], notes
    try:
        if named == fmt or (fmt == "xlsx" and named in ("xlsm", "xlsb")):
            book = CalamineWorkbook.from_path(str(path))
        else:  # named for another format: let calamine take the format from the bytes
            notes["renamed"] = f"a .{fmt} workbook although named .{named or '(no extension)'}"
            book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    except PasswordError as exc:
        raise DataFileError(f"{path}: the workbook is password-protected; save an unprotected copy") from exc
    except Exception as exc:  # calamine raises CalamineError/ZipError/XmlError/OSError for bad files
        kind = {"xls": ".xls", "xlsx": ".xlsx", "ods": ".ods"}[fmt]
        raise DataFileError(
            f"{path}: cannot be read as {'an OpenDocument spreadsheet' if fmt == 'ods' else 'an Excel workbook'} "
            f"({kind} by its content): {exc}. "
            f"Is it truncated, corrupt, password-protected or not a workbook at all? Formats read: {FORMATS_READ}"
        ) from exc

    def loader(name: str) -> Callable[[], list[list[Any]]]:
        def load() -> list[list[Any]]:
            try:
                return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise DataFileError(
                    f"{path}, sheet {name!r}: cannot be read ({exc}); is the file truncated or corrupt?"
                ) from exc

        return load

    return fmt, [(name, loader(name)) for name in book.sheet_names], notes


_SPENDING = ("supplier", "vendor", "payee", "beneficiary", "merchant")
_AMOUNT = ("amount", "net amount", "value", "total", "gross")


def describe(path: Path, sheets: list[tuple[str, list[list[Any]]]], notes: dict[str, Any]) -> str:
    """A few words on what a file that is not an official return looks like (for the refusal)."""
    texts: list[str] = []
    for _, rows in sheets:
        for row in rows[:30]:
            texts.extend(str(v).strip() for v in row if isinstance(v, str) and v.strip())
    low = [t.lower() for t in texts]
    fmt = notes.get("format", "?")
    shape = (
        f"a CSV file ({notes.get('encoding')})"
        if fmt == "csv"
        else f"an .{fmt} workbook with sheet(s) {[name for name, _ in sheets]}"
    )
    if notes.get("renamed"):
        shape += f" ({notes['renamed']})"
    if any(any(word in t for word in _SPENDING) for t in low) and any(any(w in t for w in _AMOUNT) for t in low):
        return f"{shape} of payments to suppliers (a spending-over-\u00a3500 transparency file)"
    if any("revenue outturn" in t or "revenue account" in t for t in low):
        return f"{shape} from a DCLG/DLUHC return, but with no authority table"
    sample = ", ".join(repr(t[:40]) for t in texts[:4]) or "no text at all"
    return f"{shape} whose first cells are {sample}"
