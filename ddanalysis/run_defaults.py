"""Run defaults: the Monte Carlo draws and seed every output uses unless told otherwise.

Read once from the ``monte_carlo`` section of ``data/assumptions/appraisal.yaml`` (the single place
these numbers live) when the package is imported: ``draws`` for an appraisal, ``summary_draws`` for
the programme summary and the dashboards, ``seed`` for every seeded draw. A missing or malformed
section is a :class:`~ddanalysis.errors.DataFileError` naming the file and the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import config
from .errors import DataFileError
from .yamlio import read_yaml_mapping

SECTION = "monte_carlo"


@dataclass(frozen=True)
class RunDefaults:
    """Monte Carlo draws for one appraisal and for the programme summary / dashboards, and the seed."""

    draws: int
    summary_draws: int
    seed: int


def read_run_defaults(path: str | Path | None = None) -> RunDefaults:
    """The ``monte_carlo`` section of appraisal.yaml (``path`` overrides the bundled file)."""
    where = Path(path or config.data_path("assumptions", "appraisal.yaml"))
    section = read_yaml_mapping(where, "appraisal settings").get(SECTION)
    if not isinstance(section, dict):
        raise DataFileError(f"{where}: '{SECTION}' is missing or not a mapping; expected draws, summary_draws and seed")
    values = {}
    for key, low in (("draws", 1), ("summary_draws", 1), ("seed", 0)):
        v = section.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise DataFileError(f"{where}, {SECTION}.{key}: {v!r}; expected a whole number of at least {low}")
        values[key] = v
    return RunDefaults(**values)


#: The bundled defaults, read when the package is imported.
RUN_DEFAULTS = read_run_defaults()
