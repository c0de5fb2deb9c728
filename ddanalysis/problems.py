"""One way to validate a data file: collect every problem, then raise one :class:`DataFileError`.

A loader checks the whole file, adding each problem with where it is (row, key, field) and what was
expected, and raises once at the end, so a user fixes every mistake in one pass instead of one per
run. A problem that makes further checks meaningless (the file is not a mapping, a list is missing)
is raised at once with :meth:`Problems.fail`, together with anything found before it.

    problems = Problems(path)
    for row, rec in enumerate(records, start=2):
        if rec.code is None:
            problems.add(f"row {row}", "code is empty; expected a DCLG E-code like 'E4606'")
    problems.raise_if_any()  # nothing is raised when no problem was added

The message names the file. One problem reads as one line, ``FILE, WHERE: WHAT``; several are
listed, numbered, in row order (problems with no row last, otherwise in the order found)::

    data/councils.csv: 2 problems found, so nothing was loaded. Please correct them and load the file again:
      1. row 3: e_code 'X1' is not a DCLG E-code like 'E4606'
      2. row 7: class 'ZZ' not one of ['L', 'MD', 'O', 'SC', 'SD', 'UA']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from .errors import DataFileError

#: pydantic's lead-ins before a check's own words ('Value error, ...'), which a reader does not need.
_PYDANTIC_LEAD_INS = ("Value error, ", "Assertion failed, ")


def validation_message(err: Mapping[str, Any]) -> str:
    """The message of one pydantic error (an item of ``ValidationError.errors()``) as a reader should see it:
    a validator's own words without pydantic's 'Value error, ' lead-in; pydantic's own messages unchanged."""
    msg = str(err.get("msg", ""))
    for lead_in in _PYDANTIC_LEAD_INS:
        if msg.startswith(lead_in):
            return msg[len(lead_in) :]
    return msg


#: Problems sort by the first "row N" in where they are; those without a row come last.
_NO_ROW = 1_000_000_000
_ROW = re.compile(r"\brow (\d+)")


@dataclass
class Problems:
    """Problems found in one data file, each with where it is; raised together as one DataFileError.

    ``path`` is the file (named at the start of the message). With ``always_list`` a single problem
    is shown as a numbered list too (the baseline loader's wording); otherwise it is one line.
    ``limit`` caps how many problems the message lists (the rest are counted).
    """

    path: Path | str
    always_list: bool = False
    limit: int = 50
    items: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, where: str, what: str) -> None:
        """Record one problem: ``where`` it is ('row 3', "project 'x'", '' for the whole file) and what is wrong."""
        row = _ROW.search(where)
        self.items.append((int(row.group(1)) if row else _NO_ROW, where, what))

    def add_all(self, where: str, whats: Iterable[str]) -> None:
        """Record several problems at the same place."""
        for what in whats:
            self.add(where, what)

    def add_validation(self, where: str, errors: Iterable[Mapping[str, Any]]) -> None:
        """Record each error of a pydantic ``ValidationError.errors()`` list, with the field it is about."""
        for err in errors:
            loc = ".".join(map(str, err.get("loc", ())))
            self.add(
                ", ".join(part for part in (where, f"field '{loc}'" if loc else "") if part), validation_message(err)
            )

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def message(self) -> str:
        """The error message listing every problem found so far ('' when there is none)."""
        if not self.items:
            return ""
        ordered = sorted(self.items, key=lambda item: item[0])  # stable: same row keeps the order found
        if len(ordered) == 1 and not self.always_list:
            _, where, what = ordered[0]
            return f"{self.path}, {where}: {what}" if where else f"{self.path}: {what}"
        texts = [f"{where}: {what}" if where else what for _, where, what in ordered]
        n = len(texts)
        head = (
            f"{self.path}: {n} problem{'s' if n > 1 else ''} found, so nothing was loaded. "
            f"Please correct {'them' if n > 1 else 'it'} and load the file again:"
        )
        shown = texts[: self.limit]
        body = "\n".join(f"  {i}. {text}" for i, text in enumerate(shown, start=1))
        if n > len(shown):
            body += f"\n  ... and {n - len(shown)} more"
        return f"{head}\n{body}"

    def raise_if_any(self) -> None:
        """Raise one DataFileError listing every problem; do nothing when there is none."""
        if self.items:
            raise DataFileError(self.message())

    def fail(self, where: str, what: str) -> NoReturn:
        """Record a problem that stops the checks, and raise it with every problem found before it."""
        self.add(where, what)
        raise DataFileError(self.message())
