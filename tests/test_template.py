"""The blank baseline input workbook: its layout, Excel validation, atomic writing and round trip."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import require_program
from openpyxl import load_workbook

from ddanalysis import baseline as bl
from ddanalysis import cli, template
from ddanalysis.errors import DataFileError, UnknownKeyError

# hand-entered figures (GBP thousand) for the round trip
HAND = {
    "employees_pay": 812.4,
    "employees_ni": 70,
    "employees_pension": 121.9,
    "premises": 64,
    "business_rates": 17.25,
    "transport": 9,
    "supplies_services": 133,
    "third_party_payments": 0,
    "support_recharges": 95,
    "capital_charges": 12,
    "income_fees_charges": -210,
    "income_grants": -48.5,
    "income_other": 0,
    "fte": 31.6,
    "headcount": 37,
    "project_id": "portsmouth-community-safety",
    "source": "Portsmouth ledger 2014-15 outturn, cost centres 7100-7140 (test)",
}
# gross 812.4+70+121.9+64+17.25+9+133+0+95+12 = 1334.55; income -210-48.5+0 = -258.5; net 1076.05
HAND_GROSS_K, HAND_INCOME_K, HAND_NET_K = 1334.55, -258.5, 1076.05


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(ws) -> dict[str, int]:
    """Where each key sits on the Input sheet, found by reading column A (not from the code)."""
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def _fill(path: Path, values: dict, out: Path) -> Path:
    wb = load_workbook(path)
    ws = wb["Input"]
    rows = _rows(ws)
    for key, value in values.items():
        ws.cell(row=rows[key], column=3, value=value)
    wb.save(out)
    return out


@pytest.fixture()
def blank(tmp_path) -> Path:
    return template.write_template(tmp_path / "baseline.xlsx")


@pytest.fixture()
def filled(blank, tmp_path) -> Path:
    return _fill(blank, HAND, tmp_path / "filled.xlsx")


def test_template_layout(blank):
    wb = load_workbook(blank)
    assert wb.sheetnames == ["Instructions", "Input", "Lists"]
    assert wb["Lists"].sheet_state == "hidden"
    assert wb.security.lockStructure
    ws = wb["Input"]
    assert [ws.cell(row=1, column=c).value for c in range(1, 6)] == ["Key", "Item", "Value", "Unit", "What to include"]
    keys = [ws.cell(row=r, column=1).value for r in range(2, 19)]
    assert keys == list(bl.BASELINE_LINES) + ["fte", "headcount", "project_id", "source"]
    assert ws.cell(row=2, column=2).value == "Employees: pay"
    assert all(ws.cell(row=r, column=4).value == "GBP thousand" for r in range(2, 15))
    assert all(ws.cell(row=r, column=3).value is None for r in range(2, 19))  # blank
    assert ws.freeze_panes == "A2"
    assert ws.protection.sheet
    assert all(not ws.cell(row=r, column=3).protection.locked for r in range(2, 19))
    assert ws.cell(row=2, column=1).protection.locked and ws.cell(row=2, column=2).protection.locked
    assert ws.column_dimensions["B"].width >= 40 and ws.column_dimensions["E"].width >= 50
    lists = wb["Lists"]
    assert [lists.cell(row=r, column=1).value for r in range(2, 12)][0] == "walsall-college"


def test_instructions_say_units_signs_base_year_and_sources(blank):
    ws = load_workbook(blank)["Instructions"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for phrase in (
        "GBP THOUSAND",
        "2014-15",
        "1 April 2014 to 31 March 2015",
        "NEGATIVE",
        "POSITIVE",
        "ledger",
        "rates bill",
        "FTE",
        "Headcount",
        "load_baseline",
    ):
        assert phrase in text, phrase


def test_instructions_name_the_base_year_a_workspace_was_made_for():
    """A workbook for a 2016-17 budget book asks for the 2016-17 ledger, never the programme's 2014-15 one, and
    states the year's dates (1 April 2016 to 31 March 2017) and prices."""
    ws = template.build_template(workspace=("my-leisure", "Leisure centre"), base_year="2016-17")["Instructions"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "The council's 2016-17 ledger or budget book" in text
    assert "1 April 2016 to 31 March 2017" in text and "All figures are in 2016-17 prices" in text
    assert "2014-15" not in text.replace("in 2014-15)", "")  # only the NI rule of thumb is dated 2014-15


def test_instructions_state_the_scale_checks_and_what_a_dash_means(blank):
    ws = load_workbook(blank)["Instructions"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    for phrase in (
        "a line 300 or more times the median of the other lines",
        "more than 25% above the block's figure is rejected",
        "income larger than the costs is rejected",
        "a dash, as budget books print nil, is read as 0",
        "pasted from a PDF",
        "write -650, not (650)",
        # the budget-wide checks need every line, so they come after the cells' (as load_baseline does)
        "they run once every cell is filled in: a second check can find more",
    ):
        assert phrase in text, phrase


def test_the_budget_wide_checks_follow_the_cells_as_the_instructions_say(blank, tmp_path):
    """A blank line and a line left in pounds (premises 64,000 for 64 among lines in thousands): the first load
    names the blank cell only; once it is filled the second names the line in pounds, as the instructions warn."""
    both = _fill(blank, {**HAND, "premises": 64_000, "transport": None}, tmp_path / "both.xlsx")
    with pytest.raises(DataFileError) as first:
        bl.load_baseline(both)
    assert "Transport: no amount entered" in str(first.value) and "pounds" not in str(first.value)
    one = _fill(both, {"transport": HAND["transport"]}, tmp_path / "one.xlsx")
    with pytest.raises(DataFileError, match="premises = 64,000 looks like pounds"):
        bl.load_baseline(one)


def test_data_validation_on_every_input_cell(blank):
    ws = load_workbook(blank)["Input"]
    rows = _rows(ws)
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for cell_row, _col in rng.cells:
                rules[cell_row] = dv
    for key in bl.BASELINE_LINES:
        dv = rules[rows[key]]
        assert dv.type == "decimal" and dv.operator == "between" and dv.showErrorMessage
        if key in bl.INCOME_LINES:
            assert (float(dv.formula1), float(dv.formula2)) == (-5_000_000, 0)
        else:
            assert (float(dv.formula1), float(dv.formula2)) == (0, 5_000_000)
    assert (rules[rows["fte"]].type, rules[rows["fte"]].operator, rules[rows["fte"]].formula1) == (
        "decimal",
        "greaterThan",
        "0",
    )
    assert (rules[rows["headcount"]].type, rules[rows["headcount"]].formula1) == ("whole", "1")
    assert rules[rows["project_id"]].type == "list" and "Lists!" in rules[rows["project_id"]].formula1


def test_round_trip(filled):
    b = bl.load_baseline(filled)
    for key in bl.BASELINE_LINES:
        assert b.amounts_gbp[key] == pytest.approx(HAND[key] * 1000), key
    assert b.gross_expenditure_gbp == pytest.approx(HAND_GROSS_K * 1000)
    assert b.income_gbp == pytest.approx(HAND_INCOME_K * 1000)
    assert b.net_budget_gbp == pytest.approx(HAND_NET_K * 1000)
    assert b.fte == 31.6 and b.headcount == 37
    assert b.project_id == "portsmouth-community-safety" and b.illustrative is False
    assert "cost centres 7100-7140" in b.source
    # Portsmouth's environmental and regulatory block, 17,064 thousand (sheet RS LA Data 2014-15 (1), N111)
    assert b.rs_net_current_gbp_k == 17064 and b.rs_share == pytest.approx(1076.05 / 17064)


def test_minus_signs_and_nil_dashes_pasted_into_the_workbook(blank, tmp_path):
    """Text pasted from a PDF budget book into the Value column (Excel keeps it as text, past the validation).

    '\u2212210' (MINUS SIGN) is -210, '\u201348.5' (EN DASH) is -48.5; '\u2014' (EM DASH) and '-' alone are nil,
    0: exactly HAND's figures, so the totals are HAND's (gross 1334.55, income -258.5, net 1076.05).
    """
    pasted = {
        "income_fees_charges": "\u2212210",
        "income_grants": "\u201348.5",
        "third_party_payments": "\u2014",
        "income_other": "-",
    }
    path = _fill(blank, HAND | pasted, tmp_path / "pasted.xlsx")
    ws = load_workbook(path)["Input"]
    assert ws.cell(row=_rows(ws)["income_fees_charges"], column=3).data_type == "s"  # really text in the cell
    b = bl.load_baseline(path)
    assert b.amounts_gbp["income_fees_charges"] == pytest.approx(-210_000)
    assert b.amounts_gbp["income_grants"] == pytest.approx(-48_500)
    assert b.amounts_gbp["third_party_payments"] == 0.0 and b.amounts_gbp["income_other"] == 0.0
    assert b.net_budget_gbp == pytest.approx(HAND_NET_K * 1000)


def test_loading_does_not_modify_the_workbook(filled):
    digest = _sha(filled)
    bl.load_baseline(filled)
    assert _sha(filled) == digest


def test_blank_template_says_nothing_has_been_entered(blank):
    with pytest.raises(DataFileError, match="nothing has been entered"):
        bl.load_baseline(blank, project_id="walsall-college")


def test_template_with_project_preselected(tmp_path):
    path = template.write_template(tmp_path / "t.xlsx", project_id="walsall-college")
    ws = load_workbook(path)["Input"]
    assert ws.cell(row=_rows(ws)["project_id"], column=3).value == "walsall-college"
    with pytest.raises(UnknownKeyError, match="valid projects"):
        template.write_template(tmp_path / "u.xlsx", project_id="walsall")


BAD_XLSX = {
    # case: (changes to the hand-entered values, the key whose row is at fault, what the error says)
    "text in a number": ({"premises": "64k"}, "premises", "'64k' is text, not a number"),
    "negative cost": (
        {"employees_pension": -121.9},
        "employees_pension",
        "is negative; costs must be zero or positive",
    ),
    "blank amount": ({"transport": None}, "transport", "no amount entered; enter 0"),
    "income positive": ({"income_fees_charges": 210}, "income_fees_charges", "income must be entered as a negative"),
    "missing FTE": ({"fte": None}, "fte", "FTE: missing"),
    "zero FTE": ({"fte": 0}, "fte", "must be more than 0"),
    "negative FTE": ({"fte": -3}, "fte", "must be more than 0"),
    "fractional headcount": ({"headcount": 36.5}, "headcount", "not a whole number"),
    "headcount below FTE": ({"headcount": 20}, "headcount", "smaller than FTE 31.6"),
    "pounds in one line": ({"supplies_services": 133_000_000}, "supplies_services", "looks like pounds"),
    "pay in pounds": ({"employees_pay": 812_400}, "employees_pay", "per FTE, implausible"),
    "boolean": ({"capital_charges": True}, "capital_charges", "TRUE/FALSE, not a number"),
    "unknown project": ({"project_id": "portsmouth"}, None, "unknown project 'portsmouth'"),
    # HAND's other non-zero lines: 9, 12, 17.25, 48.5, 64, 70, 95, 121.9, 210, 812.4 -> median (64 + 70) / 2 = 67;
    # 133,000 / 67 = 1,985 times (>= 300): supplies of GBP 133,000 typed in pounds
    "pounds beside thousands": (
        {"supplies_services": 133_000},
        "supplies_services",
        "supplies_services = 133,000 looks like pounds: the other lines are in GBP thousand "
        "(median 67) and this one is 1,985 times that; enter 133",
    ),
    "pasted invisible character": (
        {"premises": "64\u200b"},
        "premises",
        "is text, not a number; it contains U+200B ZERO WIDTH SPACE",
    ),
    "typographic apostrophe": (
        {"premises": "1\u2019064"},
        "premises",
        "'1\u2019064' is text, not a number; it contains U+2019 RIGHT SINGLE QUOTATION MARK",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_XLSX))
def test_bad_workbook_gets_an_error_naming_sheet_row_and_column(case, blank, tmp_path):
    changes, key, text = BAD_XLSX[case]
    path = _fill(blank, HAND | changes, tmp_path / "bad.xlsx")
    digest = _sha(path)
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path)
    message = str(info.value)
    assert text in message, message
    if key is not None:
        row = template.input_rows()[key]
        assert f"sheet 'Input', row {row}, column C (Value)" in message, message
    assert _sha(path) == digest


def test_workbook_with_changed_keys(blank, tmp_path):
    path = _fill(blank, HAND, tmp_path / "keys.xlsx")
    wb = load_workbook(path)
    ws = wb["Input"]
    rows = _rows(ws)
    ws.cell(row=rows["transport"], column=1, value="travel")  # unknown line (transport now missing)
    ws.cell(row=rows["capital_charges"], column=1, value="premises")  # duplicated line
    wb.save(path)
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path)
    message = str(info.value)
    assert f"sheet 'Input', row {rows['transport']}, column A (Key): unknown line 'travel'" in message
    assert (
        f"sheet 'Input', row {rows['capital_charges']}, column A (Key): line 'premises' appears more than once "
        f"(first at sheet 'Input', row {rows['premises']}"
    ) in message
    assert "sheet 'Input': missing lines transport, capital_charges" in message


def test_several_workbook_problems_in_one_error(blank, tmp_path):
    rows = template.input_rows()
    changes = {"employees_ni": "n/a", "business_rates": -5, "income_grants": 48.5, "fte": 0, "headcount": 2.5}
    path = _fill(blank, HAND | changes, tmp_path / "several.xlsx")
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path)
    message = str(info.value)
    assert "5 problems found" in message
    for key in changes:
        assert f"sheet 'Input', row {rows[key]}, column C (Value)" in message, key


def test_formula_without_saved_result(blank, tmp_path):
    path = _fill(blank, HAND | {"premises": "=60+4"}, tmp_path / "formula.xlsx")
    with pytest.raises(DataFileError, match="formula =60\\+4 has no saved result"):
        bl.load_baseline(path)


def test_workbook_without_input_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Budget"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(DataFileError, match="no sheet named 'Input'"):
        bl.load_baseline(tmp_path / "other.xlsx")


# ---------------------------------------------------------------------------------------------
# writing: atomic, clear errors, the CLI
# ---------------------------------------------------------------------------------------------


def test_unwritable_path_is_a_clear_error(tmp_path):
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot write .*does not exist"):
        template.write_template(not_a_folder / "baseline.xlsx")
    with pytest.raises(DataFileError, match="ending in .xlsx"):
        template.write_template(tmp_path / "baseline.xls")
    with pytest.raises(DataFileError, match="is a folder"):
        (tmp_path / "dir.xlsx").mkdir()
        template.write_template(tmp_path / "dir.xlsx")


def test_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "baseline.xlsx"
    target.write_bytes(b"the council's filled-in workbook")

    def boom(self, handle):  # part of the file is written, then the disk fills up
        handle.write(b"half a workbook")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", boom)
    with pytest.raises(DataFileError, match="No space left on device"):
        template.write_template(target)
    assert target.read_bytes() == b"the council's filled-in workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["baseline.xlsx"]


def _run(argv: list[str]) -> int:
    """Run the CLI as a user would; return its exit status."""
    try:
        cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_template_command(tmp_path, capsys):
    out = tmp_path / "baseline.xlsx"
    assert _run(["template", "-o", str(out)]) == 0
    assert load_workbook(out).sheetnames == ["Instructions", "Input", "Lists"]
    assert "wrote" in capsys.readouterr().out
    digest = _sha(out)
    assert _run(["template", "-o", str(out)]) == 2  # refuses to overwrite a (possibly filled-in) workbook
    assert "already exists; use --force" in capsys.readouterr().err
    assert _sha(out) == digest
    assert _run(["template", "-o", str(out), "--force", "--project", "kirklees-open-spaces"]) == 0
    ws = load_workbook(out)["Input"]
    assert ws.cell(row=_rows(ws)["project_id"], column=3).value == "kirklees-open-spaces"
    assert _run(["template", "-o", str(tmp_path / "no" / "such" / "folder.xlsx")]) == 2
    assert "does not exist" in capsys.readouterr().err


@pytest.mark.libreoffice
@pytest.mark.slow
def test_check_formulas_agree_with_the_loader(filled, tmp_path):
    """LibreOffice recalculates the sheet's checks column; its net budget is the loader's."""
    soffice = require_program("soffice", "libreoffice-calc")
    outdir = tmp_path / "recalc"
    outdir.mkdir()
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(filled),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    ws = load_workbook(outdir / "filled.xlsx", data_only=True)["Input"]
    checks = {ws.cell(row=r, column=7).value: ws.cell(row=r, column=8).value for r in range(2, 10)}
    assert checks["Gross expenditure"] == pytest.approx(HAND_GROSS_K)
    assert checks["Income"] == pytest.approx(HAND_INCOME_K)
    assert checks["Net budget"] == pytest.approx(HAND_NET_K)
    assert checks["Pay bill (pay + NI + pension)"] == pytest.approx(812.4 + 70 + 121.9)
    assert bl.load_baseline(filled).net_budget_gbp == pytest.approx(checks["Net budget"] * 1000)
    shutil.rmtree(outdir)
