"""A table's rows as light records, for writers that visit every row (the workbook's sheets).

``pandas.DataFrame.itertuples`` defines a new namedtuple class on every call, which is most of its cost on
the short tables of a workbook (some 230 calls for the programme workbook). :func:`records` defines one
class per set of column names and reads each column once.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import pandas as pd


@lru_cache(maxsize=256)
def _record_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Row", columns, rename=True)


def records(frame: pd.DataFrame) -> Iterator[Any]:
    """Each row of ``frame`` as a namedtuple, as ``frame.itertuples(index=False)`` gives it: fields named
    after the columns (a name that is not an identifier, or repeated, becomes ``_<position>``), values as
    Python scalars (``Series.tolist``). A frame without columns yields an empty tuple per row."""
    if len(frame.columns) == 0:
        return iter([()] * len(frame))
    make = _record_type(tuple(str(c) for c in frame.columns))._make
    return map(make, zip(*(column.tolist() for _, column in frame.items())))  # by position, names repeated or not


__all__ = ["records"]
