"""The one exception type users see.

Every message names the file, row or key at fault and what was expected, so an analyst can fix the
input without reading code. The CLI prints the message (no traceback) and exits non-zero.
"""

from __future__ import annotations

import difflib


class DDAnalysisError(Exception):
    """A problem with the user's input or data, explained in plain words."""


class DataFileError(DDAnalysisError):
    """A data file is missing, malformed or not of the expected kind."""


class WorkspaceInputError(DataFileError):
    """A workspace's own input file is there but cannot be used: always reported, never passed over for a
    bundled default or a note (an output built without it would hide the council's own data)."""


class UnknownKeyError(DDAnalysisError, KeyError):
    """An id (council, project, scenario, option, assumption) that does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


def unknown(kind: str, value: object, valid: "list[str] | tuple[str, ...]") -> UnknownKeyError:
    """Build the one-line error for an unknown id, listing the valid ones and, when one is a near miss of
    ``value`` (a typing slip: difflib's ratio 0.8 or more), asking whether it was meant."""
    names = [str(v) for v in valid]
    near = difflib.get_close_matches(str(value), names, n=1, cutoff=0.8)
    hint = f". Did you mean {near[0]!r}?" if near else ""
    return UnknownKeyError(f"unknown {kind} {value!r}; valid {kind}s: {', '.join(names)}{hint}")
