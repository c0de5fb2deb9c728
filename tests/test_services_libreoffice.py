"""The workbook of a project appraised by service, recalculated by LibreOffice: each service's sheets reproduce
its own appraisal, the Programme sheet each service's chosen option, and the Services sheet the chosen options
summed with a shared body's set-up counted once.

LibreOffice runs headless as in tests/test_excel_libreoffice.py (its profile, conversion and per-sheet
expectations are reused). Expected values: each service's appraisal result (the Python model) for its sheets;
the Services sheet's values by hand from those results (sum of the chosen options, the GBP 90,000 of two
charitable trusts' legal and pensions set-up counted once, tests/test_services.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from test_excel_libreoffice import PENNY, _rows, check_formulas, convert, lo_profile, project_expectations, soffice
from test_services import LIBRARY_NET_GBP, MUSEUM_NET_GBP, _two_services

from ddanalysis.excel.export import export_services
from ddanalysis.services import appraise_services

pytestmark = pytest.mark.libreoffice

__all__ = ["lo_profile", "soffice"]  # the LibreOffice fixtures, used by name


def _programme_expectations(wb, results) -> dict:
    """The Programme sheet's formula cells: each service's chosen option (net present saving, one-off cost,
    steady-state saving) and budget, and their totals (GBP, from the model)."""
    ws = wb["Programme"]
    rows = _rows(ws)
    expected, totals = {}, {4: 0.0, 6: 0.0, 7: 0.0, 8: 0.0, 13: 0.0, 14: 0.0, 15: 0.0}
    for res in results:
        rec = res.options.set_index("id").loc[res.recommended]
        b = res.benefits_by_agency
        b = b[(b.option == res.recommended) & (b.treatment == "counted")] if b is not None else None
        cash = float(b[b.kind == "fiscal_cashable"].present_value_gbp.sum()) if b is not None else 0.0
        both = float(b.present_value_gbp.sum()) if b is not None else 0.0
        for c, v in (
            (6, rec.net_present_saving_gbp),
            (7, rec.one_off_cost_gbp),
            (8, rec.steady_state_saving_gbp),
            (13, cash),
            (14, both - cash),
            (15, both),
        ):
            expected[("Programme", ws.cell(row=rows[res.project_title], column=c).coordinate)] = (v, PENNY)
            totals[c] += v
        totals[4] += res.baseline.net_budget_gbp
    for c, v in totals.items():
        expected[("Programme", ws.cell(row=rows["Sum of the services"], column=c).coordinate)] = (v, PENNY)
    return expected


def test_services_workbook_recalculates_to_the_model(tmp_path: Path, soffice, lo_profile):
    """Every formula of the two services' sheets and the Programme sheet reproduces the model after LibreOffice
    recalculates; the Services sheet (values) shows GBP 298,000 + 760,000 = 1,058,000 of budget and the chosen
    options' net present savings summed with the shared trust's set-up saving."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    project = appraise_services(str(folder), draws=0)  # without draws both services choose the trust
    src = export_services(project, tmp_path / "services.xlsx")
    (recalc,) = convert(soffice, lo_profile, [src], tmp_path / "recalc", "xlsx")
    wb = load_workbook(src)
    expected = _programme_expectations(wb, [s.result for s in project.services])
    for s in project.services:
        expected.update(project_expectations(wb, s.result, f"{s.id} "))
    assert check_formulas(src, recalc, expected) > 600
    values = {r[0]: r for r in load_workbook(recalc, data_only=True)["Services"].iter_rows(values_only=True) if r[0]}
    assert values["Project total"][1] == pytest.approx(MUSEUM_NET_GBP + LIBRARY_NET_GBP)
    chosen = sum(float(s.chosen["net_present_saving_gbp"]) for s in project.services)
    shared = next(v for k, v in values.items() if str(k).startswith("Charitable trust (or CIO) shared by"))
    assert values["Project total"][3] == pytest.approx(chosen + shared[3], abs=PENNY)
    assert shared[4] == pytest.approx(-90_000.0)
