"""The board workbook, reopened with openpyxl: sheets, headers, formats, formulas, safety, atomic writes.

No LibreOffice here (see test_excel_libreoffice.py for recalculation and rendering). Expected values
come from the appraisal result's own frames or from the Green Book formula, never from the workbook.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.writer.excel import ExcelWriter

import ddanalysis as dd
from ddanalysis import cli, config, registry
from ddanalysis.cashflow import COMPONENT_LABELS, ONE_OFF_COMPONENTS
from ddanalysis.cross_checks import check_sentences, cross_checks
from ddanalysis.errors import DDAnalysisError
from ddanalysis.excel import export as export_mod
from ddanalysis.excel import export_programme, export_project, export_project_bytes, programme_workbook
from ddanalysis.excel.cells import FORMULA_TRIGGERS
from ddanalysis.excel.layout import ILLUSTRATIVE_TEXT
from ddanalysis.excel.money import STAYS_POSITIVE_LABEL
from ddanalysis.excel.summary import CHECKS_ELSEWHERE
from ddanalysis.excel.workbook import sheet_prefixes
from ddanalysis.presentation import tables, text
from ddanalysis.presentation.tables import passed_over_note

PROJECT = "walsall-college"
DRAWS = 200
PRODUCED = dt.date(2015, 11, 2)
SHEETS = [
    "Cover",
    "Summary",
    "Options",
    "Cash flows",
    "Discount rates",
    "Risk",
    "MCA",
    "Plan",
    "Assumptions",
    "Model",
    "Benefits",
]
#: the only functions our formulas use (anything else would be text that slipped through as a formula)
FUNCTIONS = {"SUM", "SUMPRODUCT", "VLOOKUP", "RANK", "IF", "SUMIF", "TRUE", "MIN", "MAX", "INDEX", "MATCH"}


@pytest.fixture(scope="module")
def result():
    return dd.appraise(PROJECT, draws=DRAWS, seed=7)


@pytest.fixture(scope="module")
def path(result, tmp_path_factory) -> Path:
    return export_project(result, tmp_path_factory.mktemp("xl") / "walsall.xlsx", produced=PRODUCED)


@pytest.fixture(scope="module")
def wb(path):
    return load_workbook(path)


def _label_rows(ws, col: int = 1) -> dict[str, int]:
    """First row of each label in a column (read from the sheet, not from the code)."""
    out: dict[str, int] = {}
    for r in range(1, ws.max_row + 1):
        v = ws.cell(row=r, column=col).value
        if isinstance(v, str) and v not in out:
            out[v] = r
    return out


def _option_blocks(ws) -> dict[str, dict[str, int]]:
    """Cash flows sheet: option name -> label -> row, found from the sub-header rows."""
    blocks, current = {}, None
    for r in range(1, ws.max_row + 1):
        cell = ws.cell(row=r, column=1)
        if cell.style == "dd_subheader" and isinstance(cell.value, str):
            current = cell.value.split("  (")[0].replace(" - the benchmark", "")
            blocks[current] = {}
        elif current and isinstance(cell.value, str):
            blocks[current].setdefault(cell.value, r)
    return blocks


# --- structure -----------------------------------------------------------------------------------------


def test_sheets_in_order(wb):
    assert wb.sheetnames == SHEETS


def test_every_sheet_header_says_project_scenario_perspective_and_illustrative(wb, result):
    assert result.illustrative, "the bundled baselines are illustrative; this test expects the banner"
    for name in SHEETS[1:]:
        ws = wb[name]
        assert ws["A1"].value.startswith(result.project_title), name
        assert f"Scenario: {result.scenario}" in ws["A2"].value, name
        assert result.perspective_label in ws["A2"].value, name
        assert "2014-15 prices" in ws["A2"].value, name
        assert ws["A3"].value == ILLUSTRATIVE_TEXT, name
        assert ws["A3"].style == "dd_illustrative", name
        assert ws.oddHeader.center.text == "ILLUSTRATIVE", name
        assert result.scenario in ws.oddHeader.right.text and result.perspective_label in ws.oddHeader.right.text


def test_not_illustrative_means_no_banner(result, tmp_path):
    plain = dataclasses.replace(result, illustrative=False)
    wb = load_workbook(export_project(plain, tmp_path / "plain.xlsx", produced=PRODUCED))
    for name in SHEETS[1:]:
        assert wb[name]["A3"].value is None, name
        assert not wb[name].oddHeader.center.text
    assert not any("ILLUSTRATIVE:" in str(c.value) for row in wb["Cover"].iter_rows() for c in row)


def test_cover(wb, result):
    ws = wb["Cover"]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for needed in (
        result.project_title,
        result.councils,
        result.scenario,
        result.perspective_label,
        "2 November 2015",
        f"ddanalysis {dd.__version__}",
        result.provenance["baseline"],
        result.provenance["assumptions"],
        "ILLUSTRATIVE",
        result.recommendation,
    ):
        assert needed in text, needed
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink is not None}
    for sheet in SHEETS[1:]:
        assert links[sheet] == f"'{sheet}'!A1"


def test_named_styles_everywhere(wb):
    """Every written cell takes one of our named styles (no ad-hoc per-cell formatting)."""
    assert {s for s in wb.named_styles if s.startswith("dd_")} >= {"dd_gbp", "dd_header", "dd_rate_input"}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    assert c.style.startswith("dd_"), (ws.title, c.coordinate, c.style)


def test_money_format_pounds_with_thousands_separators(wb):
    ws = wb["Cash flows"]
    fmt = ws["B12"].number_format
    assert "£" in fmt and "#,##0" in fmt
    money_cells = [
        c
        for row in ws.iter_rows(min_row=10)
        for c in row[1:]
        if row[0].value != STAYS_POSITIVE_LABEL  # the payback flags: 0 or 1
        and (isinstance(c.value, (int, float)) or (isinstance(c.value, str) and c.value.startswith("=")))
    ]
    assert money_cells
    assert all("£" in c.number_format for c in money_cells)
    first_band = _label_rows(wb["Discount rates"])["Band"] + 1
    assert wb["Discount rates"].cell(row=first_band, column=4).number_format == "0.00%"


def test_freeze_print_setup_and_widths(wb):
    for name in SHEETS:
        ws = wb[name]
        assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4), name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, name
        assert ws.page_setup.fitToHeight == 0, name
        assert ws.column_dimensions["A"].width >= 20, name
    for name in ("Options", "Cash flows", "Risk", "MCA", "Plan", "Assumptions"):
        assert wb[name].page_setup.orientation == "landscape", name
    assert wb["Cash flows"].freeze_panes == "B7"
    assert wb["Cash flows"].print_title_rows.replace("$", "") == "5:6"
    assert wb["Options"].freeze_panes == "B6"
    assert wb["Assumptions"].freeze_panes is not None
    assert wb["Assumptions"].auto_filter.ref


def test_headers_of_cash_flows(wb, result):
    ws = wb["Cash flows"]
    years = [ws.cell(row=5, column=2 + t).value for t in range(result.horizon_years)]
    assert years == [f"{2015 + t}-{(16 + t) % 100:02d}" for t in range(result.horizon_years)]
    assert ws.cell(row=5, column=1).value == "GBP, real 2014-15 prices"
    assert [ws.cell(row=6, column=2 + t).value for t in range(result.horizon_years)] == list(
        range(result.horizon_years)
    )
    assert "Every cell is a formula" in ws["A9"].value  # the note row says so


# --- number formats ------------------------------------------------------------------------------------------

#: A decimal point whose first placeholder is optional ('#' or '?'): Excel shows a whole number as "15,000."
_OPTIONAL_DECIMALS = re.compile(r"\.[#?]")


def bare_point_formats(workbook) -> list[str]:
    """'Sheet!A1: format' of every number or formula cell whose format can leave a bare decimal point (quoted
    literal text in the format, such as "£", is ignored)."""
    bad = []
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type not in ("n", "f") or cell.value is None:
                    continue
                code = re.sub(r'"[^"]*"', "", cell.number_format or "")
                if any(_OPTIONAL_DECIMALS.search(section) for section in code.split(";")):
                    bad.append(f"{ws.title}!{cell.coordinate}: {cell.number_format}")
    return bad


def test_bare_point_detector_catches_optional_decimals():
    """The detector itself: '#,##0.###' and '0.?' can leave '15,000.'; '#,##0.00', '0.0#' and '"£"#,##0' cannot."""
    wb = Workbook()
    for i, fmt in enumerate(("#,##0.###", "0.?", "#,##0.00", "0.0#", '"£"#,##0;[Red]-"£"#,##0;"-"'), start=1):
        wb.active.cell(row=i, column=1, value=15000).number_format = fmt
    assert bare_point_formats(wb) == ["Sheet!A1: #,##0.###", "Sheet!A2: 0.?"]


def test_no_number_format_can_leave_a_bare_decimal_point(wb, programme, tmp_path):
    """Every numeric cell of the project and programme workbooks uses fixed decimals (Walsall's workbook had 151
    cells in '#,##0.###' before formats were chosen by unit and precision)."""
    assert bare_point_formats(wb) == []
    out = export_programme(programme, tmp_path / "programme.xlsx", produced=PRODUCED)
    assert bare_point_formats(load_workbook(out)) == []


def test_assumption_values_show_every_decimal_they_have(wb, result):
    """An assumption's formats follow its precision: a whole number of GBP thousand shows no decimals, a share
    shows as a percentage with the decimals its value needs (0.035 -> 3.5%, one decimal; 0.0125 -> 1.25%)."""
    ws = wb["Assumptions"]
    checked = 0
    for row in ws.iter_rows(min_col=7, max_col=7):
        cell = row[0]
        unit = ws.cell(row=cell.row, column=3).value or ""
        if not isinstance(cell.value, (int, float)) or isinstance(cell.value, bool):
            continue
        shown = cell.value * 100 if "%" in cell.number_format else cell.value
        decimals = len(cell.number_format.split(".")[1].rstrip("%")) if "." in cell.number_format else 0
        assert round(shown, decimals) == pytest.approx(shown, abs=1e-9) or decimals >= (
            3 if "%" not in cell.number_format else 2
        ), (cell.coordinate, unit, cell.value, cell.number_format)
        checked += 1
    assert checked > 20


# --- values and formulas --------------------------------------------------------------------------------


def test_every_component_cash_flow_is_a_formula_from_the_model_sheet(wb, result):
    """Every component of every option, every year, is a formula reading the Model sheet (the values are checked
    against the model after LibreOffice recalculates them, tests/test_excel_libreoffice.py); every operating and
    one-off component is shown, zero or not, so that an edited assumption can move any of them."""
    ws = wb["Cash flows"]
    blocks = _option_blocks(ws)
    checked = 0
    for opt in result.options.id:
        block = blocks[result.option_name(opt)]
        for comp, label in COMPONENT_LABELS.items():
            assert label in block, (opt, comp)
            for t in range(result.horizon_years):
                value = ws.cell(row=block[label], column=2 + t).value
                assert isinstance(value, str) and value.startswith("="), (opt, comp, t, value)
                assert "'Model'!" in value or comp.startswith("optimism_bias") and opt == registry.STATUS_QUO, (
                    opt,
                    comp,
                    value,
                )
                checked += 1
    assert checked == len(result.options) * len(COMPONENT_LABELS) * result.horizon_years


def test_assumption_cells_and_net_present_savings_have_defined_names(wb, result):
    """'mutual.staff_cost_change' is named mutual__staff_cost_change and points at its 'Value used' cell on the
    Assumptions sheet; each option's net present saving cell is named nps__<option> ('-' written '_')."""
    ws = wb["Assumptions"]
    for a in result.assumptions.itertuples(index=False):
        name = f"{a.scope}__{a.key}".replace("-", "_")
        sheet, cell = next(wb.defined_names[name].destinations)
        assert sheet == "Assumptions" and ws[cell.replace("$", "")].value == pytest.approx(a.value_used), name
        key_column = [c.value for c in ws[ws[cell.replace("$", "")].row]].index(f"{a.scope}.{a.key} ({a.file})")
        assert ws.cell(row=_label_rows(ws)["Applies to"], column=key_column + 1).value == "Key (file)"
    for opt in result.options.id:
        if opt == registry.STATUS_QUO:
            continue
        sheet, cell = next(wb.defined_names["nps__" + opt.replace("-", "_")].destinations)
        assert sheet == "Cash flows" and wb[sheet][cell.replace("$", "")].value.startswith("=SUM(")


def test_discount_factors_are_formulas_from_the_rate_cells(wb, result):
    ws = wb["Cash flows"]
    rows = _label_rows(ws)
    rate, factor = rows["Discount rate (from the Discount rates sheet)"], rows["Discount factor"]
    assert ws.cell(row=factor, column=2).value == 1  # year 0 undiscounted
    for t in range(1, result.horizon_years):
        c = 2 + t
        prev, here = ws.cell(row=factor, column=c - 1).coordinate, ws.cell(row=rate, column=c).coordinate
        assert ws.cell(row=factor, column=c).value == f"={prev}/(1+{here})"
        assert ws.cell(row=rate, column=c).value.startswith("=VLOOKUP(")
        assert "'Discount rates'!$B$" in ws.cell(row=rate, column=c).value
    bands = wb["Discount rates"]
    first = _label_rows(bands)["Band"] + 1
    # HM Treasury Green Book, Table A6.1 (STPR by year)
    assert [bands.cell(row=r, column=4).value for r in range(first, first + 6)] == [
        0.035,
        0.03,
        0.025,
        0.02,
        0.015,
        0.01,
    ]
    assert [bands.cell(row=r, column=2).value for r in range(first, first + 6)] == [0, 31, 76, 126, 201, 301]
    assert f"$B${first}:$D${first + 5}" in ws.cell(row=rate, column=3).value


def test_present_values_and_npv_are_formulas(wb, result):
    ws = wb["Cash flows"]
    blocks = _option_blocks(ws)
    last = 1 + result.horizon_years
    pv_col = last + 2
    for opt in result.options.id[1:]:
        b = blocks[result.option_name(opt)]
        pv = b["Present value of saving (saving x discount factor)"]
        assert ws.cell(row=pv, column=pv_col).value == f"=SUM(B{pv}:{ws.cell(row=pv, column=last).column_letter}{pv})"
        assert ws.cell(row=b["Total cost"], column=pv_col).value.startswith("=SUMPRODUCT(")
        assert (
            re.fullmatch(r"=B\d+\*B\$?8", ws.cell(row=pv, column=2).value.replace("$", ""))
            or ws.cell(row=pv, column=2).value == f"=B{b['Saving against the status quo']}*B8"
        )
    opt_ws = wb["Options"]
    rows = _label_rows(opt_ws)
    nps = rows["Net present saving against the status quo"]
    assert opt_ws.cell(row=nps, column=2).value == 0  # the status quo saves nothing
    for j in range(1, len(result.options)):
        assert opt_ws.cell(row=nps, column=2 + j).value.startswith("='Cash flows'!$")


def test_mca_totals_are_sumproducts_of_the_weight_cells(wb, result):
    ws = wb["MCA"]
    rows = _label_rows(ws)
    total = rows["Weighted score (0-10)"]
    first = rows["Criterion"] + 1
    n = len(result.mca_weights)
    for j in range(len(result.options)):
        col = ws.cell(row=total, column=4 + j).column_letter
        assert (
            ws.cell(row=total, column=4 + j).value
            == f"=SUMPRODUCT($C${first}:$C${first + n - 1},{col}{first}:{col}{first + n - 1})"
        )
    weights = [ws.cell(row=first + i, column=3).value for i in range(n)]
    assert weights == pytest.approx(list(result.mca_weights.values))
    assert all(ws.cell(row=first + i, column=3).style == "dd_weight_input" for i in range(n))


def test_every_formula_uses_only_our_functions(wb):
    seen = 0
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    seen += 1
                    names = set(re.findall(r"([A-Z][A-Z0-9.]*)\(", c.value)) | (
                        {"TRUE"} if "TRUE" in c.value else set()
                    )
                    assert names <= FUNCTIONS, (ws.title, c.coordinate, c.value)
    assert seen > 300


def test_assumptions_sheet_lists_every_assumption_with_source_and_quality(wb, result):
    ws = wb["Assumptions"]
    header = _label_rows(ws)["Applies to"]
    heads = [ws.cell(row=header, column=c).value for c in range(1, ws.max_column + 1)]
    assert {"Assumption", "Unit", "Low", "Central", "High", "Value used", "Quality", "Source"} <= set(heads)
    body = [
        [ws.cell(row=r, column=c).value for c in range(1, len(heads) + 1)] for r in range(header + 1, ws.max_row + 1)
    ]
    body = [b for b in body if b[1]]
    assert len(body) == len(result.assumptions)
    qcol, scol = heads.index("Quality"), heads.index("Source")
    assert [b[qcol] for b in body] == list(result.assumptions.quality)
    assert all(b[scol] for b in body)
    styles = {ws.cell(row=r, column=qcol + 1).style for r in range(header + 1, header + 1 + len(body))}
    assert styles <= {"dd_quality_green", "dd_quality_amber", "dd_quality_red"}


def test_assumptions_sheet_carries_the_data_logs_columns(wb):
    """The Assumptions sheet shows what the data log shows for each entry (issue: "the Excel Assumptions sheet
    ... show[s] the same columns"): as of, verified, source with locator and impact rank. Expected values are
    read here from the YAML files themselves, not from the appraisal: Walsall's ``project.pension_deficit_share``
    (appraisal.yaml) is dated "2016 valuation (2017-18 to 2019-20 rates)", verified, located in the SAB
    report's executive summary; ``mutual.pension_rate_change`` (models/mutual.yaml) is a team judgement, not
    verified, with no locator. Their impact ranks are the rows of data/assumptions/impact_rank.csv for their
    files. And the quality legend states the data log's rule, not a looser one."""
    ws = wb["Assumptions"]
    header = _label_rows(ws)["Applies to"]
    heads = [ws.cell(row=header, column=c).value for c in range(1, ws.max_column + 1)]
    assert {"As of", "Verified", "Locator", "Impact rank", "Key (file)"} <= set(heads)
    col = {h: i + 1 for i, h in enumerate(heads)}
    rows = {
        ws.cell(row=r, column=col["Key (file)"]).value: r
        for r in range(header + 1, ws.max_row + 1)
        if ws.cell(row=r, column=col["Key (file)"]).value
    }
    data = config.data_path("assumptions")
    appraisal = yaml.safe_load((data / "appraisal.yaml").read_text(encoding="utf-8"))
    deficit = appraisal["assumptions"]["pension_deficit_share"]
    mutual = yaml.safe_load((data / "models" / "mutual.yaml").read_text(encoding="utf-8"))["assumptions"][
        "pension_rate_change"
    ]
    ranks = pd.read_csv(data / "impact_rank.csv").set_index(["entry", "scope", "key"])["rank"]
    for key, entry, file, yaml_entry in (
        (
            "project.pension_deficit_share",
            ("appraisal.yaml", "project", "pension_deficit_share"),
            "appraisal.yaml",
            deficit,
        ),
        ("mutual.pension_rate_change", ("mutual.yaml", "mutual", "pension_rate_change"), "mutual.yaml", mutual),
    ):
        r = rows[f"{key} ({file})"]
        assert ws.cell(row=r, column=col["As of"]).value == str(yaml_entry["as_of"])
        assert ws.cell(row=r, column=col["Verified"]).value == ("yes" if yaml_entry.get("verified") else "no")
        assert (ws.cell(row=r, column=col["Locator"]).value or "") == yaml_entry.get("locator", "")
        assert ws.cell(row=r, column=col["Impact rank"]).value == str(int(ranks[entry]))
    assert ws.cell(row=rows["project.pension_deficit_share (appraisal.yaml)"], column=col["Verified"]).value == "yes"
    # a further source follows the locator: the outsourcing margin's low is Serco's (models/outsourcing.yaml)
    outsourcing = yaml.safe_load((data / "models" / "outsourcing.yaml").read_text(encoding="utf-8"))["assumptions"]
    margin, serco = outsourcing["supplier_margin"], outsourcing["supplier_margin"]["other_sources"][0]
    assert ws.cell(row=rows["outsourcing.supplier_margin (outsourcing.yaml)"], column=col["Locator"]).value == (
        f"{margin['locator']}; also cited: {serco['source']}, for the low: {serco['locator']}"
    )
    intro = ws.cell(row=header - 2, column=1).value
    assert (
        "amber = a published study or survey of a comparable body, or another council's published report, read in "
        "its own text" in intro
    )
    assert "green = official or published figure" not in intro


def test_the_facts_a_cash_flow_uses_carry_their_evidence_on_the_model_sheet(wb):
    """The Model sheet's facts (VAT, the council's retained share of business rates, the Teckal control share,
    volunteer time's value) once had only "appraisal.yaml facts" beside them, with no source, date or rating, so
    a reader could not audit them as the Assumptions sheet's rows. Each note now gives the fact's source,
    as of, quality and verified flag, as written in appraisal.yaml (read here with yaml)."""
    facts = yaml.safe_load((config.data_path("assumptions") / "appraisal.yaml").read_text(encoding="utf-8"))["facts"]
    ws = wb["Model"]
    notes = {
        ws.cell(row=r, column=1).value: str(ws.cell(row=r, column=3).value or "") for r in range(1, ws.max_row + 1)
    }
    for label, key in (
        ("VAT standard rate", "vat_standard_rate"),
        ("Council's retained share of business rates (its authority class)", "rates_retention_council_share"),
        ("Value of volunteer time as a share of the paid cost it replaces", "volunteer_time_value_share"),
    ):
        spec = facts[key]
        note = notes[label]
        assert f"facts.{key}" in note and f"source {spec['source']}" in note, (label, note)
        assert f"as of {spec['as_of']}" in note and f"quality {spec['quality']}" in note, (label, note)
        assert ("not verified" in note) == (not spec.get("verified")), (label, note)
    assert "facts.teckal_min_control_share" in next(v for k, v in notes.items() if str(k).startswith("Teckal cap"))


def test_native_charts(path):
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        xml = [z.read(n).decode() for n in charts]
    kinds = sorted(
        "bar" if re.search(r"<(\w+:)?barChart>", x) else "line" if re.search(r"<(\w+:)?lineChart>", x) else "other"
        for x in xml
    )
    assert kinds == ["bar", "line"]  # NPV by option (Summary), savings by year (Options)


def test_plan_timeline(wb, result):
    ws = wb["Plan"]
    bars = sum(1 for row in ws.iter_rows() for c in row if c.style in ("dd_bar", "dd_bar_critical"))
    critical = sum(1 for row in ws.iter_rows() for c in row if c.style == "dd_bar_critical")
    assert bars > 20 and 0 < critical < bars
    diamonds = sum(1 for row in ws.iter_rows() for c in row if c.value == "\u25c6")
    # a diamond per milestone of no duration: go-live in each of Walsall's four plans, and the contract award in
    # the three that let a contract (mutual, charitable trust, outsourcing; not the in-house redesign)
    assert sorted(result.plans) == ["charitable-trust", "in-house-redesign", "mutual", "outsourcing"]
    assert diamonds == 4 + 3


def test_no_nan_or_inf_written(path):
    with zipfile.ZipFile(path) as z:
        for n in z.namelist():
            if n.startswith("xl/worksheets/"):
                xml = z.read(n).decode()
                assert "<v>nan</v>" not in xml.lower() and "<v>inf" not in xml.lower(), n


# --- text from data is never a formula ---------------------------------------------------------------------


def test_text_starting_with_formula_characters_is_written_as_text(result, tmp_path):
    evil = {"=": '=HYPERLINK("http://evil.example","x")', "+": "+1+1", "-": "-2+3 cmd", "@": "@SUM(A1:A2)"}
    assumptions = result.assumptions.copy()
    assumptions.loc[0, "description"] = evil["="]
    assumptions.loc[1, "source"] = evil["+"]
    scores = result.mca_scores.copy()
    scores.loc[0, "rationale"] = evil["-"]
    bad = dataclasses.replace(
        result,
        project_title=evil["@"],
        recommendation=evil["="],
        councils=evil["+"],
        assumptions=assumptions,
        mca_scores=scores,
    )
    out = export_project(bad, tmp_path / "evil.xlsx", produced=PRODUCED)
    wb = load_workbook(out)
    found = {k: 0 for k in evil}
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS):
                    if c.data_type == "f":
                        assert not any(v in c.value for v in evil.values()), (ws.title, c.coordinate, c.value)
                        continue
                    assert c.data_type == "s"
                    assert c.quotePrefix, (ws.title, c.coordinate)
                    for k, v in evil.items():
                        found[k] += v in c.value
    assert all(found.values()), found
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert "<f>HYPERLINK" not in xml and "<f>SUM(A1:A2)" not in xml and "<f>1+1" not in xml


def _summary_texts(ws) -> list[str]:
    return [v for (v,) in ws.iter_rows(min_col=1, max_col=1, values_only=True) if isinstance(v, str)]


def test_summary_says_what_the_board_paper_says_beside_the_recommendation(wb, result):
    """The Summary carries, under the rule, the options the rule passes over and the cross-checks, as the board
    paper's summary does (a decision-maker may read only the workbook).

    What would change it (its switching values) is tested in test_presentation.py. Worked by hand from the
    bundled files: Walsall's outsourcing saves more than the mutual but scores 4.2
    against the status quo's 5.3 (``mca.yaml``), so test (c) passes it over; others pay for
    6,555 / 7,385 = 88.8% of the service (``baseline.csv``: cash spend 7,535 less capital charges 150 is
    7,385; income 5,850 + 610 + 95 = 6,555), so the funding-basis check runs, and on the whole service the
    rule chooses the in-house redesign (a LibreOffice recalculation of the workbook with Model!B14 = 1 gave
    the same)."""
    texts = _summary_texts(wb["Summary"])
    recommendation = next(i for i, t in enumerate(texts) if t.startswith("Recommended:"))
    # its heading says the sentences are the run's, not formulas (a what-if on the Assumptions sheet leaves them)
    assert texts[recommendation - 1].startswith("Recommendation: a snapshot of the run; it does not follow edits")
    passed, switching, reserved, others, who_pays = texts[recommendation + 2 : recommendation + 7]
    assert texts[recommendation + 1].startswith("Decision rule")
    assert passed.startswith("The rule passes over Outsourcing to a private provider") and "score 4.2" in passed
    assert "5.3/10" in passed and "(test (c))" in passed
    assert others.startswith("The other perspectives recommend the same option")
    assert who_pays.startswith("Who pays: others pay 88.8% of this service's cash spending")
    assert "the rule recommends In-house redesign" in who_pays and who_pays.rstrip().endswith("before deciding.")
    assert "while Public service mutual (employee-led spin-out) would save £64,770." in who_pays
    assert switching == tables.switching_note(result) and switching.startswith("What would change it:")
    assert reserved.startswith("The 10-year saving assumes Public service mutual (employee-led spin-out) keeps")
    # then the decisions sought, as the board paper's summary opens (worded in the presentation layer), each
    # pointing to the workbook's own sheets rather than the paper's sections
    assert texts[recommendation + 7].startswith("Decisions sought")
    assert texts[recommendation + 8] == tables.decisions_lead(result)
    decisions = tables.decisions_sought(result, text.workbook_pointers("Options", "Risk", "Plan"))
    assert texts[recommendation + 9 : recommendation + 9 + len(decisions)] == decisions
    assert decisions[1].startswith("Agree Public service mutual (employee-led spin-out) as the preferred option")
    assert decisions[1].endswith("(the Options and Risk sheets).") and "section" not in " ".join(decisions[1:])
    assert texts[recommendation + 9 + len(decisions)] == "Key figures"
    assert CHECKS_ELSEWHERE not in texts
    assert passed == passed_over_note(result)
    assert [others, who_pays] == check_sentences(result, cross_checks(result))


def test_control_characters_are_dropped(result, tmp_path):
    bad = dataclasses.replace(result, recommendation="Recommended:\x00 keep\x07 it")
    wb = load_workbook(export_project(bad, tmp_path / "ctl.xlsx", produced=PRODUCED))
    assert wb["Summary"]["A6"].value == "Recommended: keep it"


# --- writing: atomic, clear errors, bytes ------------------------------------------------------------------


def test_a_cached_result_gives_the_same_workbook_as_a_fresh_one(result):
    """A result read back from the dashboards' cache carries no model (memory only), so the export rebuilds it
    from the data files and checks that it reproduces the cash flows. The workbook must not depend on which
    path was taken: every sheet holds the same cells (values and formulas) either way."""
    from ddanalysis.excel.model_inputs import model_inputs
    from ddanalysis.plaindata import dumps, loads

    cached = loads(dumps(result))
    assert result.model is not None and cached.model is None
    assert model_inputs(cached).model is not result.model  # rebuilt, not carried

    def cells(book):
        return {ws.title: [(c.coordinate, c.value) for row in ws.iter_rows() for c in row] for ws in book}

    fresh = load_workbook(io.BytesIO(export_project_bytes(result, produced=PRODUCED)))
    again = load_workbook(io.BytesIO(export_project_bytes(cached, produced=PRODUCED)))
    assert cells(fresh) == cells(again)


def test_sheets_made_in_memory_are_openpyxls_own(result, monkeypatch):
    """The export builds each sheet's XML in memory (export.SheetsInMemoryWriter) rather than in openpyxl's
    temporary files: with openpyxl's temporary-file maker refused, the export still works, and every part of
    the zip is byte for byte what openpyxl's own ``Workbook.save`` writes for the same workbook, except the
    modified time in docProps/core.xml. (Two builds of the workbook, each saved once: openpyxl's second save of
    one workbook differs from its first.)"""
    from ddanalysis.excel.workbook import project_workbook

    stock = io.BytesIO()
    project_workbook(result, PRODUCED).save(stock)
    book = project_workbook(result, PRODUCED)

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("a temporary file was made for a sheet")

    monkeypatch.setattr("openpyxl.worksheet._writer.create_temporary_file", no_temporary_files)
    mine = io.BytesIO()
    export_mod.write_xlsx(book, mine)

    def parts(data):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}

    ours, theirs = parts(mine.getvalue()), parts(stock.getvalue())
    assert list(ours) == list(theirs) and len(ours) > 20
    assert ours == theirs


def test_bytes_for_the_download_button(result):
    data = export_project_bytes(result, produced=PRODUCED)
    assert isinstance(data, bytes) and data[:2] == b"PK"
    assert load_workbook(io.BytesIO(data)).sheetnames == SHEETS


def test_failed_write_leaves_no_partial_file_and_keeps_the_old_one(result, tmp_path, monkeypatch):
    target = tmp_path / "board.xlsx"
    target.write_bytes(b"the previous workbook")

    def boom(self):  # the disk fills after the first part of the zip is written
        self._archive.writestr("xl/half.xml", b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ExcelWriter, "write_data", boom)
    with pytest.raises(DDAnalysisError, match="cannot write .*board.xlsx.*No space left"):
        export_project(result, target)
    assert target.read_bytes() == b"the previous workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]


def test_written_file_is_readable_by_others(result, tmp_path):
    out = export_project(result, tmp_path / "perm.xlsx", produced=PRODUCED)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize(
    "name, message",
    [
        ("missing/dir/out.xlsx", "folder .* does not exist"),
        ("out.xls", "must end in .xlsx"),
        ("out", "must end in .xlsx"),
    ],
)
def test_unwritable_paths_give_clear_errors(result, tmp_path, name, message):
    with pytest.raises(DDAnalysisError, match=message):
        export_project(result, tmp_path / name)


def test_a_folder_is_not_a_file(result, tmp_path):
    (tmp_path / "dir.xlsx").mkdir()
    with pytest.raises(DDAnalysisError, match="is a folder"):
        export_project(result, tmp_path / "dir.xlsx")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder(result, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(DDAnalysisError, match="no permission"):
            export_project(result, ro / "x.xlsx")
    finally:
        ro.chmod(0o755)


def test_permission_denied_is_a_clear_error(result, tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(export_mod, "ZipFile", denied)  # creating the temporary file beside the target is refused
    with pytest.raises(DDAnalysisError, match=r"cannot write .*x.xlsx: Permission denied"):
        export_project(result, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()


def test_merged_ranges_do_not_overlap_and_hide_no_values(wb):
    """Overlapping merges or values under a merge make Excel offer to repair the file."""
    for ws in wb:
        seen: set[tuple[int, int]] = set()
        for rng in ws.merged_cells.ranges:
            cells = set(rng.cells)
            assert not cells & seen, (ws.title, rng.coord)
            seen |= cells
            for r, c in list(cells)[1:]:
                if (r, c) != (rng.min_row, rng.min_col):
                    assert ws.cell(row=r, column=c).value is None, (ws.title, rng.coord)


def test_stale_result_is_refused(result):
    annual = result.annual.copy()
    annual["discount_factor"] = annual["discount_factor"] * 1.01
    with pytest.raises(DDAnalysisError, match="do not reproduce the appraisal's discount factors"):
        export_project_bytes(dataclasses.replace(result, annual=annual))


def test_monte_carlo_results_are_labelled_a_snapshot_of_the_run(wb):
    """The Monte Carlo figures are values (a spreadsheet cannot redraw them): the Risk sheet and the Options sheet's
    notes say they are a snapshot of the run, and none of them is a formula."""
    risk = [c.value for row in wb["Risk"].iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
    assert any("snapshot of the run" in v for v in risk)
    options = wb["Options"]
    rows = _label_rows(options)
    for label in (
        "Monte Carlo: chance its net present saving is above 0",
        "Monte Carlo: net present saving, P50 (median)",
    ):
        cells = [options.cell(row=rows[label], column=c) for c in range(2, options.max_column + 1)]
        assert any("snapshot of the run" in str(c.value) for c in cells)
        assert not any(c.data_type == "f" for c in cells)


def test_a_result_the_data_no_longer_reproduces_is_refused(result):
    """The workbook's formulas start from the data files; if the mutual's yearly costs in the result are not what
    those files give (here: one pound more in year 3), the export refuses, naming the project and option."""
    annual = result.annual.copy()
    annual.loc[(annual.option == "mutual") & (annual.year_index == 3), "cost_gbp"] += 1.0
    with pytest.raises(DDAnalysisError, match="walsall-college: the data files changed.*of mutual"):
        export_project_bytes(dataclasses.replace(result, annual=annual))


def test_not_a_result():
    with pytest.raises(DDAnalysisError, match="AppraisalResult"):
        export_project_bytes({"project": "x"})


# --- programme ---------------------------------------------------------------------------------------------

PROGRAMME = ["walsall-college", "dover-museum-tourism", "kirklees-open-spaces"]


@pytest.fixture(scope="module")
def programme():
    results = {p: dd.appraise(p, draws=50, seed=3) for p in PROGRAMME}
    results["dover-museum-tourism"] = dd.appraise("dover-museum-tourism", scenario="central", draws=50, seed=3)
    return results


def test_programme_workbook(programme, tmp_path):
    out = export_programme(programme, tmp_path / "programme.xlsx", produced=PRODUCED)
    wb = load_workbook(out)
    assert wb.sheetnames[:3] == ["Cover", "Programme", "Discount rates"]
    for prefix in ("walsall", "dover", "kirklees"):
        for kind in ("Summary", "Options", "Cash flows", "Risk", "MCA", "Plan", "Assumptions", "Model", "Benefits"):
            assert f"{prefix} {kind}" in wb.sheetnames
    assert len(wb.sheetnames) == 3 + 9 * len(PROGRAMME)
    # several projects in one workbook: each defined name starts with its project's id ('-' written '_')
    ((sheet, _),) = wb.defined_names["walsall_college__mutual__staff_cost_change"].destinations
    assert sheet == "walsall Assumptions"
    ((sheet, _),) = wb.defined_names["dover_museum_tourism__nps__charitable_trust"].destinations
    assert sheet == "dover Cash flows"
    assert "mutual__staff_cost_change" not in wb.defined_names
    ws = wb["Programme"]
    rows = _label_rows(ws)
    for pid, res in programme.items():
        r = rows[res.project_title]
        prefix = sheet_prefixes(PROGRAMME)[pid]
        link = ws.cell(row=r, column=6).value
        assert link.startswith(f"='{prefix} Options'!$"), link
        assert ws.cell(row=r, column=1).hyperlink.location == f"'{prefix} Summary'!A1"
        assert ws.cell(row=r, column=5).value == res.option_name(res.recommended)
    total = rows["Programme total"]
    assert ws.cell(row=total, column=6).value.startswith("=SUM(")
    # each project's summary names what the rule passes over; the cross-checks are pointed to, not worked out
    walsall = _summary_texts(wb["walsall Summary"])
    assert CHECKS_ELSEWHERE in walsall and not any(t.startswith("Who pays") for t in walsall)
    assert any(t.startswith("The rule passes over Outsourcing") for t in walsall)
    assert not any(t.startswith("The rule passes over") for t in _summary_texts(wb["dover Summary"]))
    # one shared discount table: every project's rate row looks it up
    assert "'Discount rates'!" in wb["walsall Cash flows"]["C7"].value


def test_programme_sheet_shows_public_value_without_adding_cashable_and_non_cashable_silently(programme):
    """The Programme sheet's public-value columns: cashable and non-cashable counted benefits in their own
    columns, linked to the recommended option's Benefits block (non-cashable = counted - cashable), their
    sum in a column whose header says it adds them, and the public value return as the model's ratio.
    A project whose recommendation is the status quo (or that monetises nothing) shows 0 and "n/a"."""
    wb = programme_workbook(programme, produced=PRODUCED)
    ws = wb["Programme"]
    header = _label_rows(ws)["Project"]
    heads = {ws.cell(row=header, column=c).value: c for c in range(1, ws.max_column + 1)}
    cash = heads["Cashable benefits counted (PV)"]
    non = heads["Non-cashable benefits counted (PV)"]
    added = heads["Benefits counted (PV): cashable + non-cashable, added"]
    ret = heads["Public value return per GBP 1 (every kind, everyone)"]
    rows = _label_rows(ws)
    prefixes = sheet_prefixes(PROGRAMME)
    linked = 0
    for pid, res in programme.items():
        r = rows[res.project_title]
        e = res.public_value["options"][res.recommended]
        if res.recommended == registry.STATUS_QUO or not res.public_value["monetisable"]:
            assert [ws.cell(row=r, column=c).value for c in (cash, non, added)] == [0, 0, 0]
            assert ws.cell(row=r, column=ret).value == "n/a"
            continue
        linked += 1
        counted_ref = ws.cell(row=r, column=added).value
        cash_ref = ws.cell(row=r, column=cash).value
        assert counted_ref.startswith(f"='{prefixes[pid]} Benefits'!$"), counted_ref
        assert cash_ref.startswith(f"='{prefixes[pid]} Benefits'!$"), cash_ref
        assert ws.cell(row=r, column=non).value == f"{counted_ref}-{cash_ref[1:]}"
        assert ws.cell(row=r, column=ret).value == pytest.approx(e["public_value_roi"])
        # the cashable reference is the Benefits block's "of which cashable" row of the recommended option
        sheet, cell = cash_ref[1:].split("!")
        label = wb[sheet.strip("'")].cell(row=int(cell.split("$")[-1]), column=1).value
        assert label.startswith("of which cashable, present value")
    assert linked >= 1, "at least one recommended option has monetised outcomes"
    total = rows["Programme total"]
    for c in (cash, non, added):
        assert ws.cell(row=total, column=c).value.startswith("=SUM(")


def test_programme_with_summary_frame_orders_rows_and_rejects_strangers(programme):
    summary = pd.DataFrame({"project_id": list(reversed(PROGRAMME)), "title": ["K title", "D title", "W title"]})
    wb = programme_workbook(programme, summary, produced=PRODUCED)
    ws = wb["Programme"]
    rows = _label_rows(ws)
    assert rows["K title"] < rows["D title"] < rows["W title"]
    with pytest.raises(DDAnalysisError, match="not in results"):
        programme_workbook(programme, pd.DataFrame({"project_id": ["nope"]}))
    with pytest.raises(DDAnalysisError, match="non-empty mapping"):
        programme_workbook({})
    with pytest.raises(DDAnalysisError, match="keys must be project ids"):
        programme_workbook({"kirklees-open-spaces": programme["walsall-college"]})


def test_sheet_prefixes_are_unique_and_short():
    ids = registry.project_ids()
    prefixes = sheet_prefixes(ids)
    assert len(set(prefixes.values())) == len(ids)
    assert all(len(p) + len(" Assumptions") <= 31 for p in prefixes.values())
    assert sheet_prefixes(["a-b", "a-c", "x"]) == {"a-b": "a-b", "a-c": "a-c", "x": "x"}


# --- CLI ---------------------------------------------------------------------------------------------------


def test_cli_export_project(tmp_path, capsys):
    out = tmp_path / "cli.xlsx"
    with pytest.raises(SystemExit) as exc:  # Typer exits 0 after a command
        cli.main(
            [
                "export",
                PROJECT,
                "-o",
                str(out),
                "--draws",
                "20",
                "--seed",
                "5",
                "--scenario",
                "low",
                "--perspective",
                "public",
            ]
        )
    assert exc.value.code == 0
    assert f"wrote {out}" in capsys.readouterr().out
    ws = load_workbook(out)["Summary"]
    assert "Scenario: low" in ws["A2"].value and "the public sector as a whole" in ws["A2"].value


def test_cli_export_takes_the_what_ifs_a_board_paper_takes(tmp_path, capsys):
    """`export --set` and `--ob-mitigation`, as `report` takes them, so the workbook beside a what-if paper shows
    the same figures: the cover says the what-if value against the scenario's (Dover's trust raises 1% of spend in
    grants and donations instead of its 6%, assumptions.yaml; 20% of the optimism-bias upper bound mitigated) and
    its run record lists both."""
    out = tmp_path / "whatif.xlsx"
    with pytest.raises(SystemExit) as exc:
        cli.main(
            ["export", "dover-museum-tourism", "-o", str(out), "--draws", "0", "--ob-mitigation", "0.2"]
            + ["--set", "charitable-trust.grant_income_share=0.01"]
        )
    assert exc.value.code == 0, capsys.readouterr().err
    cover = " ".join(str(c.value) for row in load_workbook(out)["Cover"].iter_rows() for c in row if c.value)
    assert "charitable-trust.grant_income_share = 0.01 (scenario value 0.06)" in cover
    assert "20% of the Green Book upper bound mitigated (override)" in cover
    assert "overrides: charitable-trust.grant_income_share=0.01, project.optimism_bias_mitigation=0.2" in cover


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "--all", "-o", "x.xlsx", "--set", "mutual.staff_cost_change=-0.05"], "what-ifs for one project"),
        (["export", "-o", "x.xlsx"], "either a project id or --all"),
        (["export", PROJECT, "--all", "-o", "x.xlsx"], "either a project id or --all"),
        (["export", PROJECT, "-o", "missing-folder/x.xlsx"], "does not exist"),
        (["export", "no-such-project", "-o", "x.xlsx"], "unknown project"),
    ],
)
def test_cli_export_errors(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_one_off_components_have_their_own_subtotal(wb, result):
    """The one-off subtotal's Total column is the option's one-off cost (a formula over the component rows)."""
    ws = wb["Cash flows"]
    blocks = _option_blocks(ws)
    total_col = 2 + result.horizon_years
    for opt in result.options.id:
        row = blocks[result.option_name(opt)]["One-off transition costs"]
        assert (
            ws.cell(row=row, column=total_col).value
            == f"=SUM(B{row}:{ws.cell(row=row, column=total_col - 1).column_letter}{row})"
        )
        labels = {COMPONENT_LABELS[c] for c in ONE_OFF_COMPONENTS}
        shown = [lab for lab in blocks[result.option_name(opt)] if lab in labels]
        assert shown, opt


def test_without_monte_carlo_or_switching_values_the_sheets_say_so():
    quick = dd.appraise("kirklees-open-spaces", draws=0, with_switching=False)
    wb = load_workbook(io.BytesIO(export_project_bytes(quick, produced=PRODUCED)))
    risk = [str(c.value) for row in wb["Risk"].iter_rows() for c in row if c.value is not None]
    assert any(v.startswith("Not run for this workbook (0 draws)") for v in risk)
    assert "Not computed for this workbook." in risk
    options = wb["Options"]
    row = _label_rows(options)["Monte Carlo: chance its net present saving is above 0"]
    assert options.cell(row=row, column=3).value == "not run"
    assert any(c.value == "not run" for row in wb["Cover"].iter_rows() for c in row)  # Monte Carlo: not run


def test_risk_sheet_names_what_the_tornado_measures(tmp_path):
    """Hull's outcome model gives the council cashable benefits, so its tornado (council perspective)
    measures the net present saving plus those benefits, and leaves out the outcome quantities whose
    value falls on other agencies; the Risk sheet's sensitivity heading and note say both."""
    hull = dd.appraise("hull-adult-social-care", draws=0, with_switching=False, with_decision=False)
    assert hull.sensitivity_measure == "net present saving + the council's cashable benefits"
    ws = load_workbook(export_project(hull, tmp_path / "hull.xlsx", produced=PRODUCED))["Risk"]
    texts = [c.value for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)]
    assert (
        "One-way sensitivity: net present saving + the council's cashable benefits when one assumption moves "
        "to its low or high value"
    ) in texts
    assert any("Outcome quantities left out of the tornado" in t for t in texts)


def test_the_status_quo_has_no_chance_of_saving_and_the_recommendation_is_marked_a_snapshot(wb, result):
    """The Options sheet once gave the status quo a 0.0% chance of saving money (against itself it saves nil in
    every draw) where the Summary says n/a; and its Recommended row, a value from the model, gave no sign that it
    does not follow an edited input (a reviewer set Model!B14 to 1 and the mutual stayed 'Recommended' though
    the redesign then saved more). The row says n/a for the status quo and numbers for the others, and the
    Recommended row and the cover say the recommendation is a snapshot."""
    ws = wb["Options"]
    rows = _label_rows(ws)
    names = [ws.cell(row=rows["GBP, real 2014-15 prices"], column=c).value for c in range(2, 2 + len(result.options))]
    status_quo_col = 2 + next(i for i, n in enumerate(names) if str(n).startswith("In-house (status quo)"))
    for label in (
        "Monte Carlo: chance its net present saving is above 0",
        "Monte Carlo: chance its final-year saving meets the savings target",
    ):
        values = [ws.cell(row=rows[label], column=c).value for c in range(2, 2 + len(result.options))]
        assert ws.cell(row=rows[label], column=status_quo_col).value == "n/a"
        assert all(isinstance(v, (int, float)) for i, v in enumerate(values) if 2 + i != status_quo_col), values
    notes = [ws.cell(row=rows["Recommended"], column=c).value for c in range(2, ws.max_column + 1)]
    assert any(isinstance(n, str) and "a snapshot of the run: it does not follow edited inputs" in n for n in notes)
    cover = " ".join(str(v) for row in wb["Cover"].iter_rows(values_only=True) for v in row if v)
    assert "and the recommendation (the Options sheet's Recommended row and the Summary's sentences)" in cover


def test_the_risk_sheets_switching_values_say_their_search_is_wider_than_the_range(wb):
    """Risk!A211 once said only 'searched over the assumption's allowed range' beside values far outside the
    low-to-high range (procurement saving -13.5% against 1-5%): the note now says the allowed range is the
    lever's bounds in levers.yaml, wider than its range."""
    texts = " ".join(str(v) for row in wb["Risk"].iter_rows(values_only=True) for v in row if isinstance(v, str))
    assert "allowed range (its bounds in levers.yaml, wider than its low-to-high range)" in texts
