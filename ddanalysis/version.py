"""The package's version: read from the installed package's metadata, so ``pyproject.toml`` is its one source.

Kept in its own module (not ``ddanalysis/__init__.py``) so that any module can import it without
importing the package's entry points.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ddanalysis")
except PackageNotFoundError:  # a source tree that was never installed (`make install` installs it)
    __version__ = "0+unknown"
