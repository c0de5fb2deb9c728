"""The board workbook recalculated by LibreOffice: every formula reproduces the model, edits recalculate.

LibreOffice runs headless with a throwaway profile whose registrymodifications.xcu sets
``org.openoffice.Office.Calc/Formula/Load/OOXMLRecalcMode = 0`` (always recalculate on load); the
workbooks are converted ``--convert-to xlsx`` and read back with ``openpyxl(data_only=True)``. To keep
LibreOffice runs few, every workbook variant is recalculated in ONE soffice call (session fixture),
and the PDF renders in one more. Set ``DDANALYSIS_RENDER_DIR`` to keep the PDFs and PNGs for a person
to look at.

Expected values: the appraisal result's frames (the Python model) for reconciliation; the Green Book
formula (factor = 1 / (1 + r)^t for r = 3.5% to year 30) computed here, independently, for the
discount factors and for the net present savings after the rate is changed.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_program
from openpyxl import load_workbook

import ddanalysis as dd
from ddanalysis import registry
from ddanalysis.cashflow import INCOME_COMPONENTS, OPERATING_COMPONENTS, OPTIMISM_BIAS_COMPONENTS
from ddanalysis.excel import export_programme, export_project
from ddanalysis.excel.model_inputs import model_inputs
from ddanalysis.excel.money import STAYS_POSITIVE_LABEL
from ddanalysis.presentation import text

pytestmark = pytest.mark.libreoffice

PROJECT = "walsall-college"
PROGRAMME = ["walsall-college", "manchester-domestic-abuse", "kirklees-open-spaces"]
PENNY = 0.005
#: HM Treasury Green Book, Table A6.1: the STPR by year (first year, last year, rate).
GREEN_BOOK = (
    (0, 30, 0.035),
    (31, 75, 0.030),
    (76, 125, 0.025),
    (126, 200, 0.020),
    (201, 300, 0.015),
    (301, 10**9, 0.010),
)
NEW_RATE = 0.03  # the edit: 3.5% -> 3% for years 0-30

XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def rate_of_year(t: int) -> float:
    return next(r for lo, hi, r in GREEN_BOOK if lo <= t <= hi)


def green_book_factor(t: int, first_band_rate: float = 0.035) -> float:
    """Product of 1 / (1 + r_y) for y = 1..t (year 0 undiscounted)."""
    f = 1.0
    for y in range(1, t + 1):
        r = rate_of_year(y)
        f /= 1.0 + (first_band_rate if y <= 30 else r)
    return f


# --- LibreOffice ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def soffice() -> str:
    return require_program("soffice", "libreoffice-calc-nogui")


@pytest.fixture(scope="session")
def lo_profile(tmp_path_factory) -> str:
    """A throwaway LibreOffice profile that recalculates every formula on load."""
    profile = tmp_path_factory.mktemp("lo-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(XCU, encoding="utf-8")
    return profile.as_uri()


def convert(soffice: str, profile: str, files: list[Path], outdir: Path, fmt: str) -> list[Path]:
    """One soffice run converting every file; the converted paths in the same order."""
    outdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    outs = [outdir / f"{f.stem}.{fmt.split(':')[0]}" for f in files]
    missing = [o for o in outs if not o.exists()]
    assert proc.returncode == 0 and not missing, f"soffice failed ({proc.returncode}): {proc.stdout}\n{proc.stderr}"
    return outs


#: Assumption edits typed into the workbook's 'Value used' cells: a staff lever, a rates-relief share, a one-off
#: cost and one more (the pension rate; the optimism-bias mitigation, an override of all three kinds of cost).
#: Walsall's options are in-house, mutual, charitable trust and outsourcing; Dover's add a joint venture and a Teckal
#: trading company (new income capped) and a museum's cultural admissions (the VAT exemption).
WHAT_IF = {
    "walsall-college": {
        "mutual.staff_cost_change": -0.09,
        "charitable-trust.business_rates_relief": 0.95,
        "outsourcing.transition_legal_governance": 150.0,
        "mutual.pension_rate_change": 0.04,
    },
    "dover-museum-tourism": {
        "trading-company.staff_cost_change": -0.05,
        "charitable-trust.business_rates_relief": 0.9,
        "joint-venture.transition_it_per_fte": 700.0,
        "project.optimism_bias_mitigation": 0.25,
    },
}


def edit_assumptions(src: Path, edits: dict[str, float], out: Path) -> Path:
    """``src`` with each assumption's 'Value used' cell, found by its defined name, set to a new value."""
    wb = load_workbook(src)
    for key, value in edits.items():
        ((sheet, cell),) = wb.defined_names[key.replace(".", "__").replace("-", "_")].destinations
        assert sheet == "Assumptions"
        assert wb[sheet][cell.replace("$", "")].value != value, key  # a real edit
        wb[sheet][cell.replace("$", "")].value = value
    wb.save(out)
    return out


@pytest.fixture(scope="session")
def variants(soffice, lo_profile, tmp_path_factory) -> dict:
    """Every workbook variant, written then recalculated by LibreOffice in a single run."""
    src = tmp_path_factory.mktemp("xl-src")
    central = dd.appraise(PROJECT, draws=200, seed=11)
    low = dd.appraise(PROJECT, scenario="low", perspective="public", draws=100, seed=11)  # keeps the status quo
    programme = {p: dd.appraise(p, draws=100, seed=11) for p in PROGRAMME}
    files = {
        "central": export_project(central, src / "central.xlsx"),
        "low": export_project(low, src / "low.xlsx"),
        "programme": export_programme(programme, src / "programme.xlsx"),
    }
    edited = load_workbook(files["central"])
    rates = edited["Discount rates"]
    band_row = next(r for r in range(1, rates.max_row + 1) if rates.cell(row=r, column=1).value == "Years 0 to 30")
    assert rates.cell(row=band_row, column=4).value == 0.035
    rates.cell(row=band_row, column=4).value = NEW_RATE
    mca = edited["MCA"]
    first = next(r for r in range(1, mca.max_row + 1) if mca.cell(row=r, column=1).value == "Criterion") + 1
    mca.cell(row=first, column=3).value += 0.05  # user focus up 5 points ...
    mca.cell(row=first + 1, column=3).value -= 0.05  # ... stakeholder involvement down 5: still 100%
    edited.save(src / "edited.xlsx")
    files["edited"] = src / "edited.xlsx"
    untouched = {}
    for project, edits in WHAT_IF.items():
        untouched[project] = dd.appraise(project, draws=0)
        files[f"whatif-{project}"] = edit_assumptions(
            export_project(untouched[project], src / f"{project}.xlsx"), edits, src / f"whatif-{project}.xlsx"
        )
    out = convert(soffice, lo_profile, list(files.values()), tmp_path_factory.mktemp("xl-recalc"), "xlsx")
    return {
        "results": {
            "central": central,
            "low": low,
            "edited": central,
            "programme": programme,
            **{f"whatif-{p}": r for p, r in untouched.items()},
        },
        "source": files,
        "recalc": dict(zip(files, out)),
    }


# --- the oracle: what every formula cell should show, from the model ------------------------------------------


def _rows(ws, col: int = 1) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(row=r, column=col).value
        if isinstance(v, str) and v not in out:
            out[v] = r
    return out


def _option_ids(result) -> dict[str, str]:
    return dict(zip(result.options.name, result.options.id))


def _expect_cashflows(ws, result, expected: dict) -> None:
    header = _rows(ws)[f"GBP, {result.price_basis}"]
    heads = {ws.cell(row=header, column=c).value: c for c in range(2, ws.max_column + 1)}
    T = result.horizon_years
    year_cols = [2 + t for t in range(T)]
    factors = [green_book_factor(t) for t in range(T)]
    layout = (year_cols, heads["Total (undiscounted)"], heads["Present value"], factors)
    rows = _rows(ws)
    for t, c in enumerate(year_cols):
        expected[(rows["Discount rate (from the Discount rates sheet)"], c)] = (rate_of_year(t), 1e-12)
        expected[(rows["Discount factor"], c)] = (factors[t], 1e-12)
    ids = _option_ids(result)
    flows = result.cashflows
    annual = result.annual.set_index(["option", "year_index"])
    opts = result.options.set_index("id")
    current = None
    for r in range(header + 1, ws.max_row + 1):
        cell = ws.cell(row=r, column=1)
        label = cell.value
        if cell.style == "dd_subheader":
            current = ids[label.split("  (")[0].replace(" - the benchmark", "")]
            continue
        if current is None or not isinstance(label, str):
            continue
        f = flows[flows.option == current]
        if label == STAYS_POSITIVE_LABEL:
            _expect_payback_flags(expected, r, annual, current, layout)
        elif not _expect_summary_row(expected, r, label, f, annual, opts.loc[current], layout):
            _expect_component_row(expected, r, f[f.label == label], layout)


#: An option's summary rows on the Cash flows sheet read from the annual table: label -> column.
_ANNUAL_ROWS = {
    "Total cost": "cost_gbp",
    "Saving against the status quo": "saving_gbp",
    "Cumulative saving": "cumulative_saving_gbp",
    "Cumulative present value of saving": "cumulative_pv_saving_gbp",
}


def _expect_summary_row(expected: dict, r: int, label: str, f, annual, opt, layout) -> bool:
    """Expected cells of row ``r`` when it is one of an option's summary rows (False when it is not):
    by year from the cash flows (``f``, the option's) or the annual table, totals and present values
    from the options table's row ``opt`` or summed with the Green Book factors."""
    year_cols, total_col, pv_col, factors = layout
    T = len(year_cols)
    column = "pv_saving_gbp" if label.startswith("Present value of saving") else _ANNUAL_ROWS.get(label)
    if label in ("Operating costs, net of income", "One-off transition costs"):
        kind = "operating" if label.startswith("Operating") else "one_off"
        by_year = f[f.kind == kind].groupby("year_index").cost_gbp.sum().reindex(range(T)).tolist()
    elif column is not None:
        by_year = [annual.loc[(opt.name, t), column] for t in range(T)]
    else:
        return False
    pv = None
    if label == "One-off transition costs":
        pv = opt["pv_one_off_cost_gbp"]
        expected[(r, total_col)] = (opt["one_off_cost_gbp"], PENNY)
    elif label == "Total cost":
        pv = opt["net_present_cost_gbp"]
    elif column == "pv_saving_gbp":
        expected[(r, pv_col)] = (opt["net_present_saving_gbp"], PENNY)
    for t, c in enumerate(year_cols):
        expected.setdefault((r, c), (by_year[t], PENNY))
    if label in (
        "Operating costs, net of income",
        "One-off transition costs",
        "Total cost",
        "Saving against the status quo",
    ):
        expected.setdefault((r, total_col), (sum(by_year), PENNY))
    if label in ("Operating costs, net of income", "One-off transition costs", "Total cost"):
        expected.setdefault(
            (r, pv_col), (pv if pv is not None else sum(v * k for v, k in zip(by_year, factors)), PENNY)
        )
    return True


def _expect_component_row(expected: dict, r: int, comp, layout) -> None:
    """Expected cells of a component row (``comp``: its cash flows; none when the row is not one): values by year
    (formulas from the Model sheet), with their total and present value."""
    year_cols, total_col, pv_col, factors = layout
    if comp.empty:
        return
    values = comp.sort_values("year_index").cost_gbp.tolist()
    for t, c in enumerate(year_cols):
        expected[(r, c)] = (values[t], PENNY)
    expected[(r, total_col)] = (sum(values), PENNY)
    expected[(r, pv_col)] = (sum(v * k for v, k in zip(values, factors)), PENNY)


def _expect_payback_flags(expected: dict, r: int, annual, opt: str, layout) -> None:
    """The payback flags, the rule worked here: 1 where the cumulative saving is above a penny from that year to the
    end of the appraisal, else 0."""
    year_cols = layout[0]
    cum = [annual.loc[(opt, t), "cumulative_saving_gbp"] for t in range(len(year_cols))]
    for t, c in enumerate(year_cols):
        expected[(r, c)] = (int(all(x > PENNY for x in cum[t:])), 0)


OPTION_METRICS = {
    "Net present cost": ("net_present_cost_gbp", PENNY),
    "Net present saving against the status quo": ("net_present_saving_gbp", PENNY),
    "Rank by net present saving": ("rank", 0),
    "One-off transition costs (undiscounted, with optimism bias)": ("one_off_cost_gbp", PENNY),
    "Present value of one-off costs (with optimism bias)": ("pv_one_off_cost_gbp", PENNY),
    "Return on transition cost": ("return_on_transition_cost", 1e-9),
    "Steady-state annual saving (final year)": ("steady_state_saving_gbp", PENNY),
    "Optimism bias (present value, its own line)": ("optimism_bias_gbp", PENNY),
    "Residual value beyond the horizon (present value)": ("residual_value_gbp", PENNY),
    "Benefit-cost ratio (Green Book, with residual value)": ("benefit_cost_ratio", 1e-9),
    "Net present saving over 10 years": ("nps_10y_gbp", PENNY),
    "Steady-state saving as a share of the baseline net budget": ("steady_state_saving_share", 1e-12),
    "Multi-criteria weighted score (0-10)": ("mca_score", 1e-9),
    "Multi-criteria rank": ("mca_rank", 0),
}


def _expect_options(ws, result, expected: dict) -> None:
    header = _rows(ws)[f"GBP, {result.price_basis}"]
    ids = _option_ids(result)
    cols = {
        ids[ws.cell(row=header, column=c).value]: c
        for c in range(2, ws.max_column + 1)
        if ws.cell(row=header, column=c).value in ids
    }
    opts = result.options.set_index("id")
    for label, r in _rows(ws).items():
        if label.startswith("Baseline net budget"):
            expected[(r, 2)] = (result.baseline.net_budget_gbp, PENNY)
        if label.startswith("Payback year"):
            for opt, c in cols.items():
                if opt != registry.STATUS_QUO:
                    pb = opts.loc[opt, "payback_year"]
                    expected[(r, c)] = (pb if isinstance(pb, str) else "beyond horizon", 0)
        if label in OPTION_METRICS:
            col, tol = OPTION_METRICS[label]
            for opt, c in cols.items():
                v = opts.loc[opt, col]
                expected[(r, c)] = ("n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else v, tol)


def _expect_summary(ws, result, expected: dict) -> None:
    rows = _rows(ws)
    ids = _option_ids(result)
    opts = result.options.set_index("id")
    for r in range(rows["Option"] + 1, rows["Option"] + 1 + len(ids)):
        opt = ids[ws.cell(row=r, column=1).value.split("  (")[0]]
        expected[(r, 2)] = (opts.loc[opt, "net_present_saving_gbp"], PENNY)
        expected[(r, 3)] = (opts.loc[opt, "one_off_cost_gbp"], PENNY)
        expected[(r, 6)] = (opts.loc[opt, "mca_score"], 1e-9)
        pb = opts.loc[opt, "payback_year"]
        expected[(r, 4)] = ("n/a" if opt == registry.STATUS_QUO else pb if isinstance(pb, str) else "beyond horizon", 0)
    base = result.baseline
    for line in base.to_frame().itertuples(index=False):  # formulas to the Model sheet's baseline inputs
        expected[(rows[line.label], 2)] = (line.amount_gbp, PENNY)
    expected[(rows["Gross expenditure"], 2)] = (base.gross_expenditure_gbp, PENNY)
    expected[(rows["Income"], 2)] = (base.income_gbp, PENNY)
    expected[(rows["Net budget"], 2)] = (base.net_budget_gbp, PENNY)


def _expect_mca(ws, result, expected: dict) -> None:
    rows = _rows(ws)
    header = rows["Criterion"]
    ids = _option_ids(result)
    totals = result.mca_totals.set_index("option")
    expected[(rows["Weighted score (0-10)"], 3)] = (1.0, 1e-12)
    for c in range(4, ws.max_column + 1):
        name = ws.cell(row=header, column=c).value
        if name in ids:
            expected[(rows["Weighted score (0-10)"], c)] = (totals.loc[ids[name], "weighted_score"], 1e-9)
            expected[(rows["Rank (1 = best)"], c)] = (totals.loc[ids[name], "rank"], 0)


def _benefit_blocks(ws, result) -> dict[str, dict[str, int]]:
    """Option id -> {row label: row} of each option's block on the Benefits sheet (blocks start at a section row)."""
    ids = _option_ids(result)
    blocks: dict[str, dict[str, int]] = {}
    current = None
    for r in range(1, ws.max_row + 1):
        label = ws.cell(row=r, column=1).value
        if not isinstance(label, str):
            continue
        if ws.cell(row=r, column=1).style == "dd_section" and label in ids:
            current = ids[label]
            blocks[current] = {}
        elif current is not None:
            blocks[current].setdefault(label, r)
    return blocks


def _expect_benefits(ws, result, expected: dict, factors: list[float] | None = None) -> None:
    """The Benefits sheet: each row's total, the counted row (what the perspective counts), the discount
    factors (Green Book, independently) and the present values, from the model's benefit flows."""
    from ddanalysis.benefits import AGENCY_NAMES, KIND_NAMES

    T = result.horizon_years
    factors = factors or [green_book_factor(t) for t in range(T)]
    total_col = 2 + T
    words = {"counted": "counted", "beside": "shown beside, NOT added", "left_out": "left out (not counted)"}
    flows = result.benefits_by_year
    for opt, rows in _benefit_blocks(ws, result).items():
        sub = flows[flows.option == opt]
        for (agency, kind, treat), g in sub.groupby(["agency", "kind", "treatment"]):
            r = rows[f"{AGENCY_NAMES[agency]}: {KIND_NAMES[kind]} ({words[treat]})"]
            expected[(r, total_col)] = (g.benefit_gbp.sum(), PENNY)
        counted = (
            sub[sub.treatment == "counted"].groupby("year_index").benefit_gbp.sum().reindex(range(T), fill_value=0.0)
        )
        rc = rows[f"Counted benefits ({result.perspective} perspective)"]
        rf = rows["Discount factor (from the Cash flows sheet)"]
        rp = rows["Counted benefits, present value"]
        for t in range(T):
            expected[(rc, 2 + t)] = (counted[t], PENNY)
            expected[(rf, 2 + t)] = (factors[t], 1e-12)
            expected[(rp, 2 + t)] = (counted[t] * factors[t], PENNY)
        expected[(rc, total_col)] = (counted.sum(), PENNY)
        expected[(rp, total_col)] = (sum(counted[t] * factors[t] for t in range(T)), PENNY)
        cash = sub[(sub.treatment == "counted") & (sub.kind == "fiscal_cashable")]
        cash = cash.groupby("year_index").benefit_gbp.sum().reindex(range(T), fill_value=0.0)
        rcash = rows["of which cashable, present value (the rest is not cashable)"]
        expected[(rcash, total_col)] = (sum(cash[t] * factors[t] for t in range(T)), PENNY)


def _expect_model_settings(ws, result, inputs, expected: dict) -> None:
    """The Model sheet's single-cell formulas: the relief counted, optimism-bias mitigation and uplift, gross
    expenditure, and the lever table's links to the Assumptions sheet (each = the value used)."""
    m = inputs.model
    rows = _rows(ws)
    if result.perspective == "council":
        expected[(rows["Share of a rates relief that is a saving to this perspective"], 2)] = (
            1 - m.council_rates_share,
            1e-12,
        )
    uplifts = m.ob_uplifts()
    for kind in ("operating", "one_off", "it_separation"):
        words = text.optimism_bias_kind(kind)
        mitigation = result.optimism_bias_mitigation if inputs.ob_override else m.ob_derived[kind]
        expected[(rows[f"Mitigation applied, {words}"], 2)] = (mitigation, 1e-12)
        expected[(rows[f"Optimism-bias uplift, {words}"], 2)] = (float(uplifts[kind]), 1e-12)
    amounts = result.baseline.amounts_gbp
    expected[(rows["Gross expenditure excluding capital charges"], 2)] = (
        result.baseline.gross_expenditure_gbp - amounts.get("capital_charges", 0.0),
        PENNY,
    )
    header = rows["Lever (levers.yaml key)"]
    ids = _option_ids(result)
    cols = {ids[ws.cell(row=header, column=c).value]: c for c in range(2, 2 + len(ids))}
    r = header + 1
    while isinstance(label := ws.cell(row=r, column=1).value, str) and not label.startswith("A formula"):
        for opt, c in cols.items():
            if ws.cell(row=r, column=c).data_type == "f":
                expected[(r, c)] = (inputs.values[(opt, ws.cell(row=r, column=1).value)], 1e-12)
        r += 1


def _expect_model(ws, result, expected: dict) -> None:
    """The Model sheet's yearly rows, worked here from the assumptions used and the plans' timing: demand index
    D = (1 + g)^(t + 1), pay index ((1 + g)(1 + p))^(t + 1), savings achieved S = L x min(max(since / ramp, 0), 1),
    stranded share left min(max(1 - since / years, 0), 1), staff factor 1 + S x (staff change - volunteers), and
    the net change in operating costs against the status quo from the result's cash flows."""
    inputs = model_inputs(result)
    _expect_model_settings(ws, result, inputs, expected)
    rows, T = _rows(ws), result.horizon_years
    value = {(a.scope, a.key): a.value_used for a in result.assumptions.itertuples(index=False)}
    g, p = value[("project", "demand_growth")], value[("project", "real_pay_growth")]
    for t in range(T):
        expected[(rows["Demand index (1 + demand growth) ^ (year index + 1)"], 2 + t)] = ((1 + g) ** (t + 1), 1e-12)
        expected[(rows["Pay index ((1 + demand growth) x (1 + real pay growth)) ^ (year index + 1)"], 2 + t)] = (
            ((1 + g) * (1 + p)) ** (t + 1),
            1e-12,
        )
    cost_lines = [c for c in OPERATING_COMPONENTS if c not in INCOME_COMPONENTS + OPTIMISM_BIAS_COMPONENTS]
    cf = result.cashflows[result.cashflows.component.isin(cost_lines)].groupby(["option", "year_index"]).cost_gbp.sum()
    for opt, name in zip(result.options.id, result.options.name):
        when = inputs.model.timings[opt]
        ramp, years = inputs.lever(opt, "ramp_up_years"), inputs.lever(opt, "stranded_overhead_years")
        change = inputs.lever(opt, "staff_cost_change") - inputs.lever(opt, "volunteer_substitution")
        for t in range(T):
            L, since = when.live_share[t], when.years_since_go_live[t]
            S = L * (min(max(since / ramp, 0.0), 1.0) if ramp > 0 else 1.0)
            left = min(max(1 - since / years, 0.0), 1.0) if years > 0 else 0.0
            expected[(rows[f"{name}: savings achieved (live share x ramp-up)"], 2 + t)] = (S, 1e-12)
            expected[(rows[f"{name}: stranded overheads still left"], 2 + t)] = (left, 1e-12)
            expected[(rows[f"{name}: staff cost factor"], 2 + t)] = (1 + S * change, 1e-12)
            if opt != registry.STATUS_QUO:
                expected[(rows[f"{name}: net change in operating costs against the status quo (GBP)"], 2 + t)] = (
                    cf[(opt, t)] - cf[(registry.STATUS_QUO, t)],
                    PENNY,
                )


def project_expectations(wb, result, prefix: str = "") -> dict[tuple[str, str], tuple]:
    """(sheet, cell) -> (expected value, tolerance) for every cell the model can vouch for."""
    out = {}
    for kind, fn in (
        ("Cash flows", _expect_cashflows),
        ("Options", _expect_options),
        ("Summary", _expect_summary),
        ("MCA", _expect_mca),
        ("Benefits", _expect_benefits),
        ("Model", _expect_model),
    ):
        name = f"{prefix}{kind}"
        cells: dict = {}
        fn(wb[name], result, cells)
        out.update({(name, wb[name].cell(row=r, column=c).coordinate): v for (r, c), v in cells.items()})
    return out


def check_formulas(src: Path, recalculated: Path, expected: dict) -> int:
    """Every formula cell of ``src`` has an expectation, and LibreOffice's value meets it."""
    formulas = load_workbook(src)
    values = load_workbook(recalculated, data_only=True)
    unchecked, wrong, n = [], [], 0
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                n += 1
                key = (ws.title, cell.coordinate)
                if key not in expected:
                    unchecked.append(f"{key}: {cell.value}")
                    continue
                want, tol = expected[key]
                got = values[ws.title][cell.coordinate].value
                if isinstance(want, str) or isinstance(got, str) or got is None:
                    ok = got == want
                else:
                    ok = abs(float(got) - float(want)) <= tol
                if not ok:
                    wrong.append(f"{key} {cell.value}: LibreOffice {got!r}, model {want!r}")
    assert not unchecked, f"{len(unchecked)} formula cells without an expected value:\n" + "\n".join(unchecked[:20])
    assert not wrong, f"{len(wrong)} formula cells differ from the model:\n" + "\n".join(wrong[:20])
    return n


# --- tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["central", "low"])
def test_every_formula_reproduces_the_model_to_the_penny(variants, variant):
    result = variants["results"][variant]
    src = variants["source"][variant]
    expected = project_expectations(load_workbook(src), result)
    n = check_formulas(src, variants["recalc"][variant], expected)
    assert n > 300
    if variant == "low":
        assert result.recommended == registry.STATUS_QUO  # the variant covers "keep the status quo"


def test_programme_formulas_reproduce_the_model(variants):
    results = variants["results"]["programme"]
    src = variants["source"]["programme"]
    wb = load_workbook(src)
    expected = {}
    for res in results.values():
        prefix = next(
            n for n in wb.sheetnames if n.endswith(" Summary") and wb[n]["A1"].value.startswith(res.project_title)
        ).removesuffix("Summary")
        expected.update(project_expectations(wb, res, prefix))
    ws = wb["Programme"]
    rows = _rows(ws)
    totals = {4: 0.0, 6: 0.0, 7: 0.0, 8: 0.0, 13: 0.0, 14: 0.0, 15: 0.0}
    for res in results.values():
        rec = res.options.set_index("id").loc[res.recommended]
        r = rows[res.project_title]
        # public value: the recommended option's counted benefits, cashable (13), the rest (14), both (15)
        b = res.benefits_by_agency
        b = b[(b.option == res.recommended) & (b.treatment == "counted")]
        cash = float(b[b.kind == "fiscal_cashable"].present_value_gbp.sum())
        both = float(b.present_value_gbp.sum())
        for c, v in (
            (6, rec.net_present_saving_gbp),
            (7, rec.one_off_cost_gbp),
            (8, rec.steady_state_saving_gbp),
            (13, cash),
            (14, both - cash),
            (15, both),
        ):
            expected[("Programme", ws.cell(row=r, column=c).coordinate)] = (v, PENNY)
            totals[c] += v
        totals[4] += res.baseline.net_budget_gbp
    for c, v in totals.items():
        expected[("Programme", ws.cell(row=rows["Programme total"], column=c).coordinate)] = (v, PENNY)
    assert check_formulas(src, variants["recalc"]["programme"], expected) > 900


@pytest.mark.parametrize("project", list(WHAT_IF))
def test_edited_assumptions_recalculate_every_nps_and_payback_as_the_cli_computes(variants, project):
    """Three or four assumption cells edited with openpyxl, recalculated by LibreOffice: each option's net present
    saving (named nps__<option>) equals `ddanalysis appraise PROJECT --draws 0 --set KEY=VALUE ...` to the penny, and
    its payback year and Green Book benefit-cost ratio equal the CLI's; every edited option's saving moved from the
    untouched appraisal's."""
    args = [sys.executable, "-m", "ddanalysis", "appraise", project, "--draws", "0", "--json"]
    for key, value in WHAT_IF[project].items():
        args += ["--set", f"{key}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    cli = {o["id"]: o for o in json.loads(proc.stdout)["options"]}
    before = variants["results"][f"whatif-{project}"].options.set_index("id")["net_present_saving_gbp"]
    wb = load_workbook(variants["recalc"][f"whatif-{project}"], data_only=True)
    options = wb["Options"]
    rows = _rows(options)
    header = rows[f"GBP, {variants['results'][f'whatif-{project}'].price_basis}"]
    cols = {options.cell(row=header, column=c).value: c for c in range(2, options.max_column + 1)}
    payback_row = next(r for label, r in rows.items() if label.startswith("Payback year"))
    bcr_row = rows["Benefit-cost ratio (Green Book, with residual value)"]
    moved = set()
    for opt, o in cli.items():
        if opt == registry.STATUS_QUO:
            continue
        ((sheet, cell),) = wb.defined_names["nps__" + opt.replace("-", "_")].destinations
        got = wb[sheet][cell.replace("$", "")].value
        assert got == pytest.approx(o["net_present_saving_gbp"], abs=PENNY), opt
        assert options.cell(row=payback_row, column=cols[o["name"]]).value == (o["payback_year"] or "beyond horizon")
        bcr = options.cell(row=bcr_row, column=cols[o["name"]]).value  # the CLI's JSON rounds ratios to 6 decimals
        assert bcr == (
            "n/a" if o["benefit_cost_ratio"] is None else pytest.approx(o["benefit_cost_ratio"], abs=5e-7)
        ), opt
        if abs(got - before[opt]) > 1.0:
            moved.add(opt)
    edited = {key.split(".")[0] for key in WHAT_IF[project]} - {"project"}
    assert edited <= moved, (edited, moved)


def test_npv_is_the_green_book_sum_of_discounted_savings(variants):
    """Independently of the model's NPV: saving by year from its cash flows, discounted at 3.5% a year."""
    result = variants["results"]["central"]
    values = load_workbook(variants["recalc"]["central"], data_only=True)["Options"]
    rows, ids = _rows(values), _option_ids(result)
    header = rows[f"GBP, {result.price_basis}"]
    costs = result.cashflows.groupby(["option", "year_index"]).cost_gbp.sum()
    for c in range(3, 2 + len(ids)):
        opt = ids[values.cell(row=header, column=c).value]
        nps = sum((costs[(registry.STATUS_QUO, t)] - costs[(opt, t)]) / 1.035**t for t in range(result.horizon_years))
        assert values.cell(row=rows["Net present saving against the status quo"], column=c).value == pytest.approx(
            nps, abs=PENNY
        )


def test_changing_the_discount_rate_recomputes_every_npv_as_the_green_book_predicts(variants):
    result = variants["results"]["central"]
    before = load_workbook(variants["recalc"]["central"], data_only=True)
    after = load_workbook(variants["recalc"]["edited"], data_only=True)
    cf = after["Cash flows"]
    layout = load_workbook(variants["source"]["edited"])[
        "Cash flows"
    ]  # styles mark the rows (LibreOffice renames them)
    T = result.horizon_years
    factors = [1 / (1 + NEW_RATE) ** t for t in range(T)]
    frows = _rows(cf)
    assert [cf.cell(row=frows["Discount factor"], column=2 + t).value for t in range(T)] == pytest.approx(
        factors, abs=1e-12
    )
    # yearly total cost per option from the exported component VALUES (not from any formula)
    header = frows[f"GBP, {result.price_basis}"]
    ids = _option_ids(result)
    totals, current = {}, None
    subtotal_labels = {"Operating costs, net of income", "One-off transition costs", "Total cost"}
    for r in range(header + 1, layout.max_row + 1):
        cell = layout.cell(row=r, column=1)
        if cell.style == "dd_subheader":
            current = ids[cell.value.split("  (")[0].replace(" - the benchmark", "")]
            totals[current] = [0.0] * T
        elif (
            current and cell.style == "dd_label_indent" and cell.value in set(result.cashflows.label) - subtotal_labels
        ):
            for t in range(T):
                totals[current][t] += cf.cell(row=r, column=2 + t).value or 0.0
    opt_before, opt_after = before["Options"], after["Options"]
    orows = _rows(opt_after)
    nps_row = orows["Net present saving against the status quo"]
    changed = 0
    for c in range(3, 2 + len(ids)):
        opt = ids[opt_after.cell(row=orows[f"GBP, {result.price_basis}"], column=c).value]
        predicted = sum((totals[registry.STATUS_QUO][t] - totals[opt][t]) * factors[t] for t in range(T))
        assert opt_after.cell(row=nps_row, column=c).value == pytest.approx(predicted, abs=PENNY), opt
        old = opt_before.cell(row=nps_row, column=c).value
        changed += abs(old - predicted) > 1.0
    assert changed == len(ids) - 1
    # the summary's figure follows the Options sheet
    summary = after["Summary"]
    srows = _rows(summary)
    rec_name = result.option_name(result.recommended)
    rec_row = next(
        r
        for r in range(srows["Option"] + 1, srows["Option"] + 1 + len(ids))
        if summary.cell(row=r, column=1).value.startswith(rec_name)
    )
    rec_col = 2 + list(ids.values()).index(result.recommended)
    assert summary.cell(row=rec_row, column=2).value == pytest.approx(opt_after.cell(row=nps_row, column=rec_col).value)


def test_benefits_sheet_counts_what_the_perspective_counts_and_rediscounts_live(variants):
    """The Benefits sheet's counted present value equals the model's (public perspective counts
    fiscal value only), and after the discount rate is edited to 3% it equals the counted flows discounted
    at 3% (Green Book formula, worked here), so the totals are live formulas."""
    low = variants["results"]["low"]
    ws = load_workbook(variants["recalc"]["low"], data_only=True)["Benefits"]
    T = low.horizon_years
    blocks = _benefit_blocks(load_workbook(variants["source"]["low"])["Benefits"], low)  # styles mark the rows
    assert blocks, "the Benefits sheet has a block per option"
    for opt, rows in blocks.items():
        got = ws.cell(row=rows["Counted benefits, present value"], column=2 + T).value
        assert got == pytest.approx(low.public_value["options"][opt]["counted_benefits_pv_gbp"], abs=PENNY)
        counted_kinds = set(low.benefits_by_agency.query("option == @opt and treatment == 'counted'").kind)
        assert counted_kinds <= {"fiscal_cashable", "fiscal_non_cashable"}
    central = variants["results"]["central"]
    after = load_workbook(variants["recalc"]["edited"], data_only=True)["Benefits"]
    flows = central.benefits_by_year
    for opt, rows in _benefit_blocks(load_workbook(variants["source"]["edited"])["Benefits"], central).items():
        counted = flows[(flows.option == opt) & (flows.treatment == "counted")].groupby("year_index").benefit_gbp.sum()
        predicted = sum(v / (1 + NEW_RATE) ** t for t, v in counted.items())
        assert after.cell(row=rows["Counted benefits, present value"], column=2 + T).value == pytest.approx(
            predicted, abs=PENNY
        )


def test_changing_a_weight_recomputes_the_mca_totals(variants):
    result = variants["results"]["central"]
    after = load_workbook(variants["recalc"]["edited"], data_only=True)["MCA"]
    rows = _rows(after)
    first = rows["Criterion"] + 1
    n = len(result.mca_weights)
    weights = [after.cell(row=first + i, column=3).value for i in range(n)]
    assert weights[0] == pytest.approx(result.mca_weights.iloc[0] + 0.05)
    assert after.cell(row=rows["Weighted score (0-10)"], column=3).value == pytest.approx(1.0)
    scores = result.mca_scores.pivot(index="criterion", columns="option", values="score")
    ids = _option_ids(result)
    new_totals = {}
    for c in range(4, 4 + len(ids)):
        opt = ids[after.cell(row=rows["Criterion"], column=c).value]
        crit = list(result.mca_weights.index)
        new_totals[opt] = sum(w * scores.loc[k, opt] for w, k in zip(weights, crit))
        assert after.cell(row=rows["Weighted score (0-10)"], column=c).value == pytest.approx(new_totals[opt], abs=1e-9)
    old = result.mca_totals.set_index("option").weighted_score
    assert any(abs(new_totals[o] - old[o]) > 1e-6 for o in new_totals)


def test_render_every_sheet_to_pdf_and_png(soffice, lo_profile, variants, tmp_path_factory):
    """PDF (LibreOffice) and PNG (pdftoppm) of the project and programme workbooks, for a person to look at."""
    pdftoppm = require_program("pdftoppm", "poppler-utils")
    keep = os.environ.get("DDANALYSIS_RENDER_DIR")
    outdir = Path(keep) if keep else tmp_path_factory.mktemp("xl-render")
    files = [variants["source"]["central"], variants["source"]["programme"]]
    pdfs = convert(soffice, lo_profile, files, outdir, "pdf")
    for src, pdf in zip(files, pdfs):
        subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(outdir / src.stem)], check=True, timeout=300)
        pngs = sorted(outdir.glob(f"{src.stem}-*.png"))
        sheets = load_workbook(src).sheetnames
        assert len(pngs) >= len(sheets), (pdf, len(pngs))
        assert all(p.stat().st_size > 2000 for p in pngs)
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert not re.search(r"#{3,}", text), "a column too narrow for its number (####) in " + pdf.name
            assert "Err:" not in text and "#VALUE" not in text and "#REF" not in text and "#NAME" not in text
            for heading in (
                "Summary",
                "Options compared",
                "Cash flows by year",
                "Discount rates",
                "Risk and uncertainty",
                "Multi-criteria analysis",
                "Implementation plan",
                "Assumptions",
            ):
                assert heading in text, (pdf.name, heading)
            assert "ILLUSTRATIVE" in text
