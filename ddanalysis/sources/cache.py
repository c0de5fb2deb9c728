"""A pickle cache of parsed RS workbooks, so that reloading one costs a file hash and an unpickle.

An entry is keyed by a SHA-256 over the workbook's resolved path, size, modification time and
content, and over the source of the parser: editing the file or the code makes a new key, so a
stale entry is never returned. Entries are written whole (temporary file, then ``os.replace``); an
unreadable entry is ignored and rewritten. The cache folder is ``DDANALYSIS_CACHE`` if set, else
``.cache/ddanalysis/rs`` in the repository (git-ignored), else ``~/.cache/ddanalysis/rs``.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import config

#: Bump to invalidate every cache entry when the cached frame's shape changes.
CACHE_FORMAT = "rs-tidy-1"


def default_cache_dir() -> Path:
    """Where cached frames go unless a folder is given."""
    env = os.environ.get("DDANALYSIS_CACHE")
    if env:
        return Path(env)
    if (config.REPO_DIR / "pyproject.toml").is_file() and os.access(config.REPO_DIR, os.W_OK):
        return config.REPO_DIR / ".cache" / "ddanalysis" / "rs"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ddanalysis" / "rs"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """Digest of the parser's source: a code change invalidates cached frames."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_FORMAT}|pandas {pd.__version__}".encode())
    for name in ("rs.py", "schema.py", "cache.py"):
        digest.update((here / name).read_bytes())
    return digest.hexdigest()


def cache_key(path: Path) -> str:
    """Key of a workbook: SHA-256 of (parser, path, size, mtime, content SHA-256)."""
    resolved = path.resolve()
    stat = resolved.stat()
    content = hashlib.sha256()
    with open(resolved, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            content.update(chunk)
    text = f"{_code_digest()}|{resolved}|{stat.st_size}|{stat.st_mtime_ns}|{content.hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def cached_frame(path: Path, parse: Callable[[Path], pd.DataFrame], cache_dir: Path) -> pd.DataFrame:
    """``parse(path)``, or the frame cached for this exact file and parser."""
    key = cache_key(path)
    entry = cache_dir / f"{key}.pkl"
    if entry.is_file():
        try:
            with open(entry, "rb") as handle:
                frame = pickle.load(handle)
            if isinstance(frame, pd.DataFrame):
                return frame
        except Exception:  # a damaged entry is rebuilt below
            pass
    frame = parse(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(frame, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return frame
