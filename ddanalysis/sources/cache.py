"""A cache of parsed official files, so that reloading one costs a file hash and reading a few arrays.

No pickle: an entry is a NumPy ``.npz`` archive read with ``allow_pickle=False`` (the categorical
columns as integer codes plus their categories as fixed-width text, the line numbers and values
as numbers) and the parse report as JSON inside it. Loading an entry can therefore never run code,
whoever wrote it.

An entry is keyed by a SHA-256 over the file's resolved path, size, modification time and content,
and over the source of the parser: editing the file or the code makes a new key, so a stale entry is
never returned. Entries are written whole (temporary file, then ``os.replace``); an unreadable entry
is ignored and rewritten.

The folder is ``DDANALYSIS_CACHE`` if set, else ``$XDG_CACHE_HOME/ddanalysis/official`` (by default
``~/.cache/ddanalysis/official``): a per-user folder, created with mode 0700. A folder that is not
owned by the current user or that others may write to is not used (the file is parsed afresh, with
a warning): nobody else can plant or change entries.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .schema import CATEGORY_COLUMNS, COLUMNS

#: Bump to invalidate every cache entry when the cached frame's shape changes.
CACHE_FORMAT = "official-tidy-2-npz"


def default_cache_dir() -> Path:
    """Where cached frames go unless a folder is given (a per-user folder; see the module docstring)."""
    env = os.environ.get("DDANALYSIS_CACHE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ddanalysis" / "official"


def safe_cache_dir(folder: Path) -> Path | None:
    """``folder`` created 0700 if absent; None (with a warning) when it is not safely ours."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError as exc:
        warnings.warn(f"cache folder {folder} cannot be used ({exc}); parsing without a cache", stacklevel=3)
        return None
    if (
        not stat.S_ISDIR(info.st_mode)
        or (hasattr(os, "getuid") and info.st_uid != os.getuid())
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        warnings.warn(
            f"cache folder {folder} is not a folder owned by you and closed to others (mode "
            f"{stat.filemode(info.st_mode)}); parsing without a cache. Use a private folder (chmod 700).",
            stacklevel=3,
        )
        return None
    return folder


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Digest of the parser's source: a code change invalidates cached frames."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_FORMAT}|pandas {pd.__version__}|numpy {np.__version__}".encode())
    for name in ("rs.py", "reader.py", "schema.py", "cache.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def cache_key(path: Path) -> str:
    """Key of a file: SHA-256 of (parser, path, size, mtime, content SHA-256)."""
    resolved = path.resolve()
    info = resolved.stat()
    content = hashlib.sha256()
    with open(resolved, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            content.update(chunk)
    text = f"{_code_digest()}|{resolved}|{info.st_size}|{info.st_mtime_ns}|{content.hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def _to_arrays(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for col in CATEGORY_COLUMNS:
        series = frame[col]
        arrays[f"{col}.codes"] = series.cat.codes.to_numpy()
        arrays[f"{col}.cats"] = np.array([str(c) for c in series.cat.categories], dtype=str)
    arrays["rs_line.values"] = frame["rs_line"].to_numpy(dtype="int64", na_value=0)
    arrays["rs_line.mask"] = frame["rs_line"].isna().to_numpy()
    arrays["value_gbp_k"] = frame["value_gbp_k"].to_numpy(dtype="float64")
    arrays["attrs.json"] = np.array(json.dumps(frame.attrs))
    return arrays


def _from_arrays(arrays) -> pd.DataFrame:
    data = {}
    for col in COLUMNS:
        if col in CATEGORY_COLUMNS:
            cats = pd.Index(arrays[f"{col}.cats"].astype(object), dtype=object)
            data[col] = pd.Categorical.from_codes(arrays[f"{col}.codes"], categories=cats)
        elif col == "rs_line":
            data[col] = pd.arrays.IntegerArray(arrays["rs_line.values"], arrays["rs_line.mask"])
        else:
            data[col] = arrays[col]
    frame = pd.DataFrame(data)
    frame.attrs = json.loads(str(arrays["attrs.json"][()]))
    return frame


def cached_frame(path: Path, parse: Callable[[Path], pd.DataFrame], cache_dir: Path) -> pd.DataFrame:
    """``parse(path)``, or the frame cached for this exact file and parser."""
    folder = safe_cache_dir(cache_dir)
    if folder is None:
        return parse(path)
    key = cache_key(path)
    entry = folder / f"{key}.npz"
    if entry.is_file():
        try:
            with np.load(entry, allow_pickle=False) as arrays:
                return _from_arrays(arrays)
        except Exception:  # a damaged or foreign entry is rebuilt below
            pass
    frame = parse(path)
    buffer = io.BytesIO()
    np.savez(buffer, **_to_arrays(frame))  # type: ignore[arg-type]  # numpy's stub types **kwds too narrowly
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, entry)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return frame
