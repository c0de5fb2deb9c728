"""File stamps for caches: a cache keyed on a file's stamp sees the file as soon as it is edited.

A stamp is (path, modification time in ns, size in bytes) of each file; for a folder, of every file
in it (recursively, sorted). Missing paths stamp as (path, -1, -1), so creating the file changes
the stamp too.
"""

from __future__ import annotations

from pathlib import Path

Stamp = tuple[tuple[str, int, int], ...]


def stamp(*paths: str | Path) -> Stamp:
    """The stamp of each file, and of every file under each folder, in a stable order."""
    out: list[tuple[str, int, int]] = []
    for p in map(Path, paths):
        files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        for f in files:
            try:
                st = f.stat()
                out.append((str(f), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(f), -1, -1))
    return tuple(out)
