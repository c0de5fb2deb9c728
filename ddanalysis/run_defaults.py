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


def _bundled() -> tuple[RunDefaults, DataFileError | None]:
    """The bundled defaults, or placeholders and the error when the data folder cannot give them (so that
    importing the package never fails: the error is raised by :func:`check_readable` when an appraisal runs)."""
    try:
        return read_run_defaults(), None
    except DataFileError as exc:
        return RunDefaults(draws=0, summary_draws=0, seed=0), exc


#: The bundled defaults, read when the package is imported.
RUN_DEFAULTS, _PROBLEM = _bundled()


def check_readable() -> None:
    """Raise the :class:`DataFileError` met when the defaults were read, if there was one."""
    if _PROBLEM is not None:
        raise _PROBLEM


def monte_carlo_settings(
    draws: int | None = None, seed: int | None = None, defaults: RunDefaults | None = None
) -> tuple[int, int]:
    """The Monte Carlo ``(draws, seed)`` of one appraisal: each value given, else the data file's.

    ``None`` for ``draws`` or ``seed`` means the ``monte_carlo.draws`` / ``monte_carlo.seed`` of
    appraisal.yaml (``defaults`` stands in for them, e.g. from :func:`read_run_defaults` on another
    file); a notebook parameter left at ``None`` thus follows the data file. Raises the
    :class:`DataFileError` of an unreadable section when a value has to come from it.
    """
    if defaults is None and (draws is None or seed is None):
        check_readable()
    chosen = defaults or RUN_DEFAULTS
    return (chosen.draws if draws is None else draws, chosen.seed if seed is None else seed)
