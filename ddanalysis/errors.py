"""The one exception type users see.

Every message names the file, row or key at fault and what was expected, so an analyst can fix the
input without reading code. The CLI prints the message (no traceback) and exits non-zero.
"""

from __future__ import annotations


class DDAnalysisError(Exception):
    """A problem with the user's input or data, explained in plain words."""


class DataFileError(DDAnalysisError):
    """A data file is missing, malformed or not of the expected kind."""


class UnknownKeyError(DDAnalysisError, KeyError):
    """An id (council, project, scenario, option, assumption) that does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


def unknown(kind: str, value: object, valid: "list[str] | tuple[str, ...]") -> UnknownKeyError:
    """Build the one-line error for an unknown id, listing the valid ones."""
    return UnknownKeyError(f"unknown {kind} {value!r}; valid {kind}s: {', '.join(map(str, valid))}")
