"""Writing a file whole or not at all: a temporary file in the same folder, then one rename.

Every output the package writes (workbooks, the baseline template, executed notebooks, cached
results) goes through here, so a failure part-way (a full disk, an error while building the content,
Ctrl-C) never leaves a half-written file: the old file, if any, stays as it was, and the temporary
file is removed. The rename (``os.replace``) is atomic on one file system, which is why the
temporary file sits beside the target.

Permissions are those of any new file: the file is created with ``mode`` (0o666 by default, 0o600
for private caches) and the operating system takes the user's umask off it at creation. The
process-wide umask is never read or changed (changing it would race with other threads).

    write_atomic("output/summary.txt", "text")          # str, encoded as UTF-8
    write_atomic("output/book.xlsx", workbook.save)     # a callable writing to a binary file
    with atomic_path("output/run.ipynb") as tmp:        # a tool that writes to a path by name
        papermill.execute_notebook(source, str(tmp))
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

#: Permissions asked for a new file (the umask is taken off by the operating system).
FILE_MODE = 0o666
#: Permissions asked for a file only its owner should read (caches of results).
PRIVATE_MODE = 0o600


def temp_path_beside(path: str | os.PathLike[str]) -> Path:
    """A new, unused name for a temporary file in ``path``'s folder (hidden, ending ``.tmp``)."""
    target = Path(path)
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends normally, it replaces ``path``.

    For tools that write to a file by name. If the block raises, ``path`` is untouched and the
    temporary file removed; if the block wrote nothing, ``path`` is untouched too.
    """
    target = Path(path)
    tmp = temp_path_beside(target)
    try:
        yield tmp
        if tmp.exists():
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(
    path: str | os.PathLike[str],
    content: bytes | str | Callable[[BinaryIO], object],
    *,
    encoding: str = "utf-8",
    mode: int = FILE_MODE,
) -> Path:
    """Write ``content`` to ``path`` whole or not at all; return the path.

    ``content`` is bytes, text (encoded with ``encoding``, newlines kept as given) or a callable
    that writes to the binary file it is given (e.g. ``workbook.save``). ``mode`` is the
    permission asked for the new file, before the umask. Errors (``OSError`` and anything the
    callable raises) pass through after the temporary file is removed; the folder must exist.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_atomic(folder / "a.txt", "one").read_text()
    'one'
    """
    target = Path(path)
    with atomic_path(target) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
        with os.fdopen(fd, "wb") as handle:
            if callable(content):
                content(handle)
            else:
                handle.write(content.encode(encoding) if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
    return target


def check_output_path(
    path: "str | os.PathLike[str]", *, noun: str, suffixes: "tuple[str, ...]", suffix_rule: str, endings: str
) -> Path:
    """An output's destination as a Path, checked before any work is done: a path, one of ``suffixes``,
    not a folder, not raw data (:func:`ddanalysis.workspace.raw_input_of`: the bundled or official data, a
    workspace's input files), in a folder that exists and can be written, not a read-only file. ``noun`` ("the paper"),
    ``suffix_rule`` ("the paper must end in .pdf, .html or .docx") and ``endings`` (".pdf, .html or .docx")
    word the :class:`~ddanalysis.errors.DDAnalysisError` raised otherwise."""
    from .errors import DDAnalysisError

    try:
        p = Path(path).expanduser()
    except TypeError as exc:
        raise DDAnalysisError(f"expected a file path for {noun}, got {path!r}") from exc
    if p.suffix.lower() not in suffixes:
        raise DDAnalysisError(f"{p}: {suffix_rule} (got {p.suffix or 'no extension'!r})")
    if p.is_dir():
        raise DDAnalysisError(f"{p}: is a folder; give a file name ending in {endings}")
    from .workspace import raw_input_of

    raw = raw_input_of(p)
    if raw is not None:
        raise DDAnalysisError(f"{p}: is {raw}, raw data that no output replaces; write {noun} elsewhere")
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise DDAnalysisError(f"cannot write {p}: the folder {parent} does not exist (create it first)")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DDAnalysisError(f"cannot write {p}: no permission to write in the folder {parent}")
    if p.exists() and not os.access(p, os.W_OK):
        raise DDAnalysisError(f"cannot write {p}: the existing file is read-only")
    return p
