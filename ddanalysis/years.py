"""Financial years: labelled '2014-15', running 1 April to 31 March."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator

_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


def fy_label(start_year: int) -> str:
    """'2015-16' for the year starting 1 April 2015."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def fy_start_year(label: str) -> int:
    """2015 for '2015-16'; a label that is not a financial year is a ValueError."""
    m = _LABEL.match(str(label))
    if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
        raise ValueError(f"{label!r} is not a financial year label like '2014-15'")
    return int(m.group(1))


def is_fy_label(label: object) -> bool:
    """True for a financial-year label like '2014-15' (the second part is the next year's last two digits)."""
    try:
        fy_start_year(label)  # type: ignore[arg-type]
    except ValueError:
        return False
    return isinstance(label, str)


def checked_fy_label(label: str) -> str:
    """``label`` itself when it is a financial year; otherwise a ValueError that says what is expected.

    For data files' year fields (``FinancialYear``): '2014-16', '2014/15' and '14-15' are refused alike.
    """
    if not is_fy_label(label):
        raise ValueError(
            f"{label!r} is not a financial year: expected one written like 2014-15 "
            "(the year from 1 April 2014 to 31 March 2015)"
        )
    return label


#: A data file's financial-year field ('2014-15'), checked by :func:`checked_fy_label`.
FinancialYear = Annotated[str, AfterValidator(checked_fy_label)]


def fy_start(label: str) -> dt.date:
    """1 April of the financial year."""
    return dt.date(fy_start_year(label), 4, 1)


def fy_of(day: dt.date) -> str:
    """The financial year a date falls in."""
    return fy_label(day.year if day.month >= 4 else day.year - 1)
