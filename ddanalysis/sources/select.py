"""Pick councils and services out of the tidy outturn frame, and write it as CSV or JSON text."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from ..errors import DDAnalysisError, UnknownKeyError
from .rs import MEASURES, SERVICE_KEYS

FORMATS = ("csv", "json")


def select_outturn(
    frame: pd.DataFrame, councils: Sequence[str] = (), services: Sequence[str] = (), measures: Sequence[str] = ()
) -> pd.DataFrame:
    """Rows of ``frame`` for the given councils (E-code or ONS code), service keys and measures
    (``MEASURES``: ``outturn``, ``budget``...); all when empty. Select one measure before summing:
    a frame from ``read_official`` may hold outturn and budget figures of the same service.

    An unknown service key raises ``UnknownKeyError`` listing the valid keys (the canonical
    ``SERVICE_KEYS`` and the other keys in ``frame``); a code matching no authority raises
    ``UnknownKeyError`` too. Councils are matched by code, never by name.
    """
    mask = pd.Series(True, index=frame.index)
    where = _sources(frame)
    if measures:
        present = set(map(str, frame["measure"].cat.categories))
        for key in measures:
            if key not in present:
                raise UnknownKeyError(
                    f"no {key!r} figures{where}; measures present: {', '.join(sorted(present))} "
                    f"(all measures: {', '.join(MEASURES)})"
                )
        mask &= frame["measure"].isin(list(measures)).to_numpy()
    if services:
        present = set(map(str, frame["service"].cat.categories))
        valid = list(SERVICE_KEYS) + sorted(present - set(SERVICE_KEYS))
        for key in services:
            if key not in SERVICE_KEYS and key not in present:
                raise UnknownKeyError(f"unknown service key {key!r}{where}; valid service keys: {', '.join(valid)}")
        mask &= frame["service"].isin(list(services)).to_numpy()
    if councils:
        e_codes = set(map(str, frame["e_code"].cat.categories))
        ons_codes = set(map(str, frame["ons_code"].cat.categories))
        for code in councils:
            if code not in e_codes and code not in ons_codes:
                raise UnknownKeyError(
                    f"unknown council {code!r}{where}: no authority has that E-code (like 'E4606') "
                    "or ONS code (like 'E08000030'); councils are matched by code, not by name"
                )
        codes = list(councils)
        mask &= (frame["e_code"].isin(codes) | frame["ons_code"].isin(codes)).to_numpy()
    return frame.loc[mask.to_numpy()].reset_index(drop=True)


def _sources(frame: pd.DataFrame) -> str:
    """' in FILE, FILE' from the loader's report, for error messages ('' when unknown)."""
    files = [r["file"] for r in frame.attrs.get("rs_report", [])] or (
        [frame.attrs["source"]] if "source" in frame.attrs else []
    )
    return f" in {', '.join(files)}" if files else ""


def render(frame: pd.DataFrame, fmt: str = "csv") -> str:
    """The frame as CSV (header row, empty cell for missing) or JSON (a list of records, null for missing)."""
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n", float_format="%.15g")
    if fmt == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=15))
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    raise DDAnalysisError(f"unknown format {fmt!r}; valid formats: {', '.join(FORMATS)}")
