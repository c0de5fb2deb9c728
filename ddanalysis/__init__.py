"""ddanalysis: options appraisal and implementation planning for the Delivering Differently programme.

    import ddanalysis as dd
    result = dd.appraise("walsall-college", scenario="central", perspective="council")

Money is GBP in real 2014-15 prices; financial years are labelled '2014-15'.
"""

from __future__ import annotations

from .version import __version__  # from the package metadata (pyproject.toml)

__all__ = ["__version__", "appraise", "projects", "project", "councils"]


def __getattr__(name: str):  # lazy imports keep `import ddanalysis` fast
    if name == "appraise":
        from .engine import appraise

        return appraise
    if name in ("projects", "project", "councils"):
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'ddanalysis' has no attribute {name!r}")
