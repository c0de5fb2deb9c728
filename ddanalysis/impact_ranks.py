"""The committed impact ranks: ``data/assumptions/impact_rank.csv``, each assumption entry's rank by how much it
moves the decision, as ``make datalog`` last wrote it (:mod:`ddanalysis.datalog`; the ranking itself is
:mod:`ddanalysis.impact`).

The workbook's Assumptions sheet, the dashboard's assumptions tab and the notebooks read the ranks here rather
than ranking again: ranking the ten projects takes minutes. An entry is named as the data log names it
(:func:`entry_name`), so two projects' overrides of one key are two entries with their own ranks.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import config
from .assumptions import ORIGIN_DEFAULT
from .errors import DataFileError
from .filestamp import Stamp, stamp

#: The committed impact ranks: one row per ranked assumption entry (council perspective).
RANK_FILE = "impact_rank.csv"
#: Its columns: the rank, the entry's file as the data log names it (:func:`entry_name`), scope, key, the gap
#: swing (share of the baseline net budget) and the project where it is largest.
RANK_FILE_COLUMNS = ["rank", "entry", "scope", "key", "gap_swing_share", "project"]


def entry_name(row: Mapping[str, object], project_id: str) -> str:
    """Which file an assumption entry is written in, as the data log names it: a default by its file in
    data/assumptions (``mutual.yaml``, ``appraisal.yaml``); a project's override by its project's file
    (``../projects/walsall-college/assumptions.yaml``). ``row``: a row of an assumption book's table (``file``,
    ``origin``)."""
    if row["origin"] == ORIGIN_DEFAULT:
        return str(row["file"])
    return f"../projects/{project_id}/{row['file']}"


def rank_file_path() -> Path:
    """Where the ranks file lives: data/assumptions/impact_rank.csv of the data folder in use."""
    return Path(config.data_path("assumptions")) / RANK_FILE


def committed_ranks(path: Path | None = None) -> dict[tuple[str, str, str], int]:
    """The committed impact ranks: (entry, scope, key) -> rank (1 = moves the decision most). Empty when the
    data folder has no ranks file (a copy made before it existed); raises :class:`DataFileError` naming the
    file when it cannot be read or lacks a column."""
    where = rank_file_path() if path is None else Path(path)
    return dict(_ranks_cached(where, stamp(where)))


@lru_cache(maxsize=4)
def _ranks_cached(where: Path, _stamp: Stamp) -> tuple[tuple[tuple[str, str, str], int], ...]:
    """The ranks file read once per stamp (the dashboard draws the table on each filter change)."""
    if not where.is_file():
        return ()
    try:
        frame = pd.read_csv(where, dtype={"entry": str, "scope": str, "key": str})
    except (OSError, ValueError) as exc:
        raise DataFileError(f"{where}: cannot be read as the impact ranks ({exc}); run `make datalog`") from exc
    missing = [c for c in RANK_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataFileError(f"{where}: no column {', '.join(missing)}; run `make datalog` to write it again")
    return tuple(((e, s, k), int(r)) for e, s, k, r in zip(frame.entry, frame.scope, frame.key, frame["rank"]))
