"""Excel board workbooks: formatted, native charts, live formulas that reconcile to the model.

    from ddanalysis.excel import export_project, export_programme, export_project_bytes
    export_project(dd.appraise("walsall-college"), "walsall.xlsx")

Modules: ``styles`` (named styles), ``cells`` (safe cell writing), ``layout`` (headers, print set-up),
one module per sheet (``money``: discount rates and cash flows; ``summary``: cover, summary, options;
``risk_sheet``, ``mca_sheet``, ``plan_sheet``, ``assumptions_sheet``, ``programme_sheet``), ``charts``,
``workbook`` (assembly in memory) and ``export`` (atomic writes, bytes).
"""

from __future__ import annotations

from .export import export_programme, export_project, export_project_bytes, save_workbook
from .workbook import programme_workbook, project_workbook

__all__ = [
    "export_project",
    "export_programme",
    "export_project_bytes",
    "project_workbook",
    "programme_workbook",
    "save_workbook",
]
