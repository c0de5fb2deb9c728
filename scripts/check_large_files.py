"""Refuse to commit large files (the pre-commit hook ``check-large-files``).

Usage: ``python scripts/check_large_files.py [--max-kb N] FILE...``. Prints each file over the limit
with its size and exits 1 if there is any; exits 0 otherwise. The official DCLG workbooks and
generated outputs belong outside git (see ``.gitignore``); the largest committed file, the official
extract ``data/official/rs_programme_councils.csv`` (every RS line of the programme's councils, 2010-11
onwards), is about 1.7 MB, under the hook's limit of 2 MB (``.pre-commit-config.yaml``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_MAX_KB = 1024


def too_large(paths: list[str], max_kb: int) -> list[tuple[str, int]]:
    """The (path, size in kB) of each existing file larger than ``max_kb`` kilobytes (1 kB = 1024 bytes)."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_file():
            size_kb = (path.stat().st_size + 1023) // 1024
            if size_kb > max_kb:
                found.append((name, size_kb))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kb", type=int, default=DEFAULT_MAX_KB, help="largest size allowed, in kB")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    found = too_large(args.files, args.max_kb)
    for name, size_kb in found:
        print(f"{name}: {size_kb} kB is over the {args.max_kb} kB limit; keep large files out of git")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
