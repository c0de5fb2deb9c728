"""The Monte Carlo draws as a file, and the decision measures recomputed from it.

One row per draw: a ``draw`` number (0, 1, ...), every uncertain input's value (one column per
assumption key ``<scope>.<key>``, in its own unit) and every option's net present saving (one column
per option id, GBP, real base-year prices); in the social perspective, the net present social value
with the outcome quantities among the inputs (``<outcome-id>/<scope>.<name>``), as the decision
measures compare (:func:`ddanalysis.deciding.decision_draws`). CSV or Parquet, chosen by the file's extension (``.csv``,
``.parquet`` / ``.pq``). Writing is atomic: the file is written beside its destination under a
temporary name and moved into place, so a reader never sees half a file.

Which columns are options: a Parquet file written here records it (with the seed) in its metadata;
a CSV file does not, so :func:`read_draws` takes ``options`` or, failing that, treats every column
whose name has no dot as an option (assumption keys always have one: ``<scope>.<key>``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataFileError, DDAnalysisError, unknown
from .voi import key_name

DRAW = "draw"
_META = b"ddanalysis"


def _format(path: Path) -> str:
    ext = path.suffix.lower()
    if ext == ".csv":
        return "csv"
    if ext in (".parquet", ".pq"):
        return "parquet"
    raise DataFileError(f"{path}: a draws file must end in .csv or .parquet (got {ext or 'no extension'!r})")


def draws_table(inputs: pd.DataFrame, nps: pd.DataFrame) -> pd.DataFrame:
    """``draw``, the input columns (keys as text), then the option columns, one row per draw."""
    inputs = pd.DataFrame(inputs) if not isinstance(inputs, pd.DataFrame) else inputs
    if len(inputs) != len(nps):
        raise ValueError(f"inputs has {len(inputs)} draws but nps has {len(nps)}")
    ins = inputs.reset_index(drop=True).rename(columns=key_name)
    opts = nps.reset_index(drop=True).rename(columns=str)
    clash = (set(ins.columns) & set(opts.columns)) | ({DRAW} & (set(ins.columns) | set(opts.columns)))
    if clash:
        raise DDAnalysisError(
            f"column names used twice in the draws file: {', '.join(sorted(clash))} "
            "(assumption keys, option ids and 'draw' must all differ)"
        )
    return pd.concat([pd.DataFrame({DRAW: range(len(nps))}), ins, opts], axis=1)


def write_draws(path, inputs: pd.DataFrame, nps: pd.DataFrame, seed: int | None = None) -> Path:
    """Write the draws file (CSV or Parquet by extension) atomically; returns its path.

    ``inputs``: draws x assumption keys; ``nps``: draws x option ids (GBP). ``seed`` is recorded in a
    Parquet file's metadata (the appraisal JSON states it for either format).
    """
    path = Path(path)
    kind = _format(path)
    table = draws_table(inputs, nps)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if kind == "csv":
            table.to_csv(tmp, index=False)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            arrow = pa.Table.from_pandas(table, preserve_index=False)
            meta = {"options": list(map(str, nps.columns)), "inputs": list(map(key_name, inputs.columns)), "seed": seed}
            arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), _META: json.dumps(meta).encode()})
            pq.write_table(arrow, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def read_draws(path, options: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read a draws file back as ``(inputs, nps)``, both indexed by draw number.

    ``options``: the option columns; default from a Parquet file's metadata, else every column whose
    name has no dot. Every other column except ``draw`` is an input.
    """
    path = Path(path)
    meta: dict[str, Any] = {}
    if not path.is_file():
        raise DataFileError(f"{path}: no such draws file")
    try:
        if _format(path) == "csv":
            table = pd.read_csv(path)
        else:
            import pyarrow.parquet as pq

            arrow = pq.read_table(path)
            raw = (arrow.schema.metadata or {}).get(_META)
            meta = json.loads(raw) if raw else {}
            table = arrow.to_pandas()
    except DataFileError:
        raise
    except Exception as exc:  # a parser's own message, with the file named
        raise DataFileError(f"{path}: cannot read the draws file ({exc})") from exc
    bad = [str(c) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c]) or table[c].isna().any()]
    if bad:
        raise DataFileError(f"{path}: columns {', '.join(bad)} must hold a number in every row")
    if DRAW in table.columns:
        table = table.set_index(DRAW)
    if options is None:
        options = meta.get("options") or [c for c in table.columns if "." not in str(c)]
    missing = [o for o in options if o not in table.columns]
    if missing:
        raise unknown(f"option column in {path}", missing[0], [str(c) for c in table.columns if c != DRAW])
    inputs = table[[c for c in table.columns if c not in set(options)]]
    return inputs, table[list(options)]


def read_seed(path) -> int | None:
    """The seed recorded in a Parquet draws file (None for CSV, or when none was given)."""
    path = Path(path)
    if _format(path) != "parquet":
        return None
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(_META)
    return json.loads(raw).get("seed") if raw else None


def decision_from_draws(
    path,
    options: list[str] | None = None,
    groups: dict | None = None,
    thresholds=None,
    method: str = "regression",
    choice_set: list[str] | None = None,
) -> dict:
    """Probability best, the acceptability curve, EVPI and partial EVPI recomputed from a draws file.

    The same JSON-ready fields as the appraisal: ``p_best``, ``evpi_gbp``, ``acceptability`` and
    ``evppi`` (see :func:`ddanalysis.voi.summary`). ``groups``: ``{name: [key, ...]}`` as in the
    appraisal, to recompute the groups' partial EVPI too. ``choice_set``: the options EVPI and partial EVPI
    choose among (the appraisal's ``value_of_information_options``; default every option).
    """
    from .voi import evppi, summary, total_evpi

    inputs, nps = read_draws(path, options)
    out = summary(nps, thresholds=thresholds)
    chosen = nps if choice_set is None else nps[list(choice_set)]
    out["evpi_gbp"] = total_evpi(chosen)
    out["evppi"] = [
        {"key": str(r.key), "evppi_gbp": float(r.evppi_gbp)}
        for r in evppi(chosen, inputs, groups, method=method).itertuples(index=False)
    ]
    return out
