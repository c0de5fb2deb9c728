"""Excel defined names of the workbook's inputs and results.

An assumption's name follows the key grammar (:func:`ddanalysis.keys.excel_name`): ``<scope>.<key>``
with ``.`` written ``__`` and ``-`` or ``/`` written ``_``, e.g. ``charitable_trust__business_rates_relief``
or ``project__optimism_bias_mitigation``; each option's net present saving is ``nps__<option>``
(``nps__charitable_trust``). A programme workbook holds several projects, so there each name starts
with its project's id written the same way (``walsall_college__mutual__staff_cost_change``; one service of a
project appraised by service ``two_services__museum__mutual__staff_cost_change``).
"""

from __future__ import annotations

from typing import Mapping

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from ..keys import excel_name


def excel_text(text: str) -> str:
    """``text`` in the defined-name spelling: ``.`` and ``:`` -> ``__``, ``-`` and ``/`` -> ``_`` (``:`` parts one
    service from its project's id, ``two-services:museum`` -> ``two_services__museum``)."""
    return text.replace(".", "__").replace(":", "__").replace("-", "_").replace("/", "_")


class AssumptionNamer:
    """Names of one project's cells: ``name_of(scope, key)`` for an assumption, ``nps(option)`` for a result."""

    def __init__(self, project_id: str = "") -> None:
        self.prefix = f"{excel_text(project_id)}__" if project_id else ""

    def __call__(self, scope: str, key: str) -> str:
        return self.prefix + excel_name(f"{scope}.{key}")

    def nps(self, option: str) -> str:
        """The name of ``option``'s net present saving cell."""
        return f"{self.prefix}nps__{excel_text(option)}"


def assumption_namer(project_id: str = "") -> AssumptionNamer:
    """The namer of a project workbook (no prefix) or of one project in a programme workbook (its id)."""
    return AssumptionNamer(project_id)


def define(wb: Workbook, name: str, target: str) -> None:
    """Define ``name`` for the absolute, sheet-qualified reference ``target`` (e.g. ``'Assumptions'!$G$12``)."""
    wb.defined_names[name] = DefinedName(name, attr_text=target)


def define_names(wb: Workbook, cells: Mapping[tuple[str, str], str], name_of: AssumptionNamer) -> None:
    """A defined name for every assumption's value cell: (scope, key) -> absolute reference."""
    for (scope, key), target in cells.items():
        define(wb, name_of(scope, key), target)
