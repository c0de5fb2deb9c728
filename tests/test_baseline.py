"""Bundled baselines and the CSV loader.

Expected totals are added up by hand from the numbers in data/projects/*/baseline.csv (the sums are written
out in the comments); RS figures are read from the official workbook in the test itself.
"""

from __future__ import annotations

import csv
import hashlib
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ddanalysis import baseline as bl
from ddanalysis import registry
from ddanalysis.errors import DataFileError, DDAnalysisError, UnknownKeyError

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "data" / "projects"  # one workspace folder per bundled project
BASELINES_README = REPO / "data" / "baselines" / "README.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "baselines"
RS_2014 = "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls"

# (gross expenditure, income, net budget) in GBP thousand, FTE, headcount -- added up by hand
EXPECTED = {
    # 4150+360+560+420+95+60+780+240+720+150 = 7535; -610-5850-95 = -6555; 7535-6555 = 980
    "walsall-college": (7535, -6555, 980, 145, 290),
    # 8200+690+1300+610+140+720+650+1100+1350+260 = 15020; -2100-2600-520 = -5220; 9800
    "hull-adult-social-care": (15020, -5220, 9800, 380, 455),
    # 640+55+95+40+12+15+70+1850+290+10 = 3077; -25-520-180 = -725; 2352
    "manchester-domestic-abuse": (3077, -725, 2352, 19, 22),
    # 2050+172+326+280+70+560+450+240+400+200 = 4748; -1050-80-210 = -1340; 3408
    "kirklees-open-spaces": (4748, -1340, 3408, 85, 92),
    # 9400+780+1430+2150+500+780+2650+1050+1950+820 = 21510; -1650-1900-480 = -4030; 17480
    "devon-local-services": (21510, -4030, 17480, 395, 610),
    # 210+18+30+82+38+4+64+15+52+30 = 543; -170-40-35 = -245; 298
    "dover-museum-tourism": (543, -245, 298, 8.5, 14),
    # 3700+310+580+310+90+1350+620+480+720+430 = 8590; -2150-180-1160 = -3490; 5100
    "nelincs-environment": (8590, -3490, 5100, 150, 158),
    # 980+84+150+70+18+22+160+620+210+65 = 2379; -60-520-230 = -810; 1569
    "portsmouth-community-safety": (2379, -810, 1569, 30, 33),
    # 6200+520+960+480+75+420+560+4300+1250+180 = 14945; -120-2450-380 = -2950; 11995
    "notts-childrens-disability": (14945, -2950, 11995, 215, 262),
    # 11800+944+1650+520+130+540+6300+450+2250+380 = 24964; -19800-1900-560 = -22260; 2704
    "cwac-wirral-school-services": (24964, -22260, 2704, 610, 1150),
}

# which official cells size each project: (council E-code, RS column header), typed from the
# registry's rs_services and the workbook's header row, not from data/projects/*/baseline.yaml
RS_CELLS = {
    "walsall-college": [("E4606", "Education services")],
    "hull-adult-social-care": [("E2002", "Adult Social Care")],
    "manchester-domestic-abuse": [("E4203", "Housing services (GFRA only)")],
    "kirklees-open-spaces": [("E4703", "Cultural and related services")],
    "devon-local-services": [
        ("E1121", "Cultural and related services"),
        ("E1121", "Adult Social Care"),
        ("E1121", "Education services"),
    ],
    "dover-museum-tourism": [("E2234", "Cultural and related services")],
    "nelincs-environment": [("E2003", "Environmental and regulatory services")],
    "portsmouth-community-safety": [("E1701", "Environmental and regulatory services")],
    "notts-childrens-disability": [("E3021", "Children Social Care")],
    "cwac-wirral-school-services": [("E0604", "Education services"), ("E4305", "Education services")],
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _file_values(path: Path) -> dict[str, float]:
    """The CSV's values read with the csv module (independently of the loader)."""
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.reader(handle) if r and not r[0].startswith("#")]
    header, body = rows[0], rows[1:]
    assert header[:2] == ["line", "value"]
    return {r[0]: float(r[1].replace(",", "")) for r in body if r[0] in bl.BASELINE_LINES + ("fte", "headcount")}


# ---------------------------------------------------------------------------------------------
# the contract
# ---------------------------------------------------------------------------------------------


def test_line_contract():
    assert bl.BASELINE_LINES == (
        "employees_pay",
        "employees_ni",
        "employees_pension",
        "premises",
        "business_rates",
        "transport",
        "supplies_services",
        "third_party_payments",
        "support_recharges",
        "capital_charges",
        "income_fees_charges",
        "income_grants",
        "income_other",
    )
    assert bl.INCOME_LINES == {"income_fees_charges", "income_grants", "income_other"}
    assert bl.EXPENDITURE_LINES | bl.INCOME_LINES == set(bl.BASELINE_LINES)
    assert not bl.EXPENDITURE_LINES & bl.INCOME_LINES
    assert list(bl.LINE_LABELS) == list(bl.BASELINE_LINES)
    assert bl.LINE_LABELS["employees_pay"] == "Employees: pay"


# ---------------------------------------------------------------------------------------------
# bundled baselines
# ---------------------------------------------------------------------------------------------


def test_all_ten_projects_have_a_bundled_baseline():
    got = bl.all_baselines()
    assert list(got) == registry.project_ids()
    assert set(got) == set(EXPECTED)


@pytest.mark.parametrize("pid", list(EXPECTED))
def test_bundled_baseline_loads_with_lines_in_order_and_hand_totals(pid):
    b = bl.project_baseline(pid)
    gross, income, net, fte, headcount = EXPECTED[pid]
    assert b.project_id == pid and b.base_year == "2014-15"
    assert list(b.amounts_gbp.index) == list(bl.BASELINE_LINES)
    assert b.gross_expenditure_gbp == pytest.approx(gross * 1000)
    assert b.income_gbp == pytest.approx(income * 1000)
    assert b.net_budget_gbp == pytest.approx(net * 1000)
    assert b.fte == fte and b.headcount == headcount
    # every amount is the file's GBP thousand figure times 1,000
    values = _file_values(BUNDLED / pid / "baseline.csv")
    for line in bl.BASELINE_LINES:
        assert b.amounts_gbp[line] == pytest.approx(values[line] * 1000)
    assert b.pay_bill_gbp == pytest.approx(
        (values["employees_pay"] + values["employees_ni"] + values["employees_pension"]) * 1000
    )


@pytest.mark.parametrize("pid", list(EXPECTED))
def test_bundled_baseline_is_labelled_illustrative_everywhere(pid):
    b = bl.project_baseline(pid)
    assert b.illustrative is True
    assert "ILLUSTRATIVE" in b.source
    first_line = (BUNDLED / pid / "baseline.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("#") and "ILLUSTRATIVE" in first_line
    meta = yaml.safe_load((BUNDLED / pid / "baseline.yaml").read_text(encoding="utf-8"))
    assert meta["illustrative"] is True
    assert pid in BASELINES_README.read_text(encoding="utf-8")


@pytest.mark.parametrize("pid", list(EXPECTED))
def test_rs_share_is_net_budget_over_the_rs_figure(pid):
    b = bl.project_baseline(pid)
    meta = yaml.safe_load((BUNDLED / pid / "baseline.yaml").read_text(encoding="utf-8"))
    cells_total = sum(c["value_gbp_k"] for c in meta["sizing"]["cells"])
    assert b.rs_net_current_gbp_k == cells_total
    assert b.rs_share == pytest.approx(EXPECTED[pid][2] / cells_total, rel=1e-12)
    assert meta["sizing"]["rs_share"] == pytest.approx(EXPECTED[pid][2] / cells_total, abs=5e-7)
    for block in b.rs_service.split("+"):
        assert block in registry.project(pid).rs_services


def test_walsall_share_by_hand():
    # 980 / 177,054 = 0.005535...
    assert bl.project_baseline("walsall-college").rs_share == pytest.approx(0.0055350345, rel=1e-8)


@pytest.mark.parametrize("pid", list(EXPECTED))
def test_bundled_mix_is_plausible(pid):
    """The judgement ranges stated in README.md hold in every file."""
    a = bl.project_baseline(pid).amounts_gbp
    gross = EXPECTED[pid][0] * 1000
    assert 0.08 <= a["employees_ni"] / a["employees_pay"] <= 0.10
    assert 0.12 <= a["employees_pension"] / a["employees_pay"] <= 0.20
    assert 0.08 <= a["support_recharges"] / gross <= 0.15
    assert a["business_rates"] > 0  # every service occupies property (charities get 80% relief)
    share = bl.project_baseline(pid).rs_share
    if pid == "nelincs-environment":  # most environment functions, not one service (README)
        assert 0.15 < share < 0.5
    else:
        assert 0.005 <= share <= 0.15


def test_mix_fits_the_service_type():
    a = {pid: bl.project_baseline(pid) for pid in EXPECTED}
    college = a["walsall-college"].amounts_gbp
    assert -college["income_grants"] > 0.7 * a["walsall-college"].gross_expenditure_gbp
    dva = a["manchester-domestic-abuse"].amounts_gbp
    assert dva["third_party_payments"] > 0.5 * a["manchester-domestic-abuse"].gross_expenditure_gbp
    schools = a["cwac-wirral-school-services"].amounts_gbp
    assert -schools["income_fees_charges"] > 0.75 * a["cwac-wirral-school-services"].gross_expenditure_gbp
    museum = a["dover-museum-tourism"].amounts_gbp
    assert (
        museum["income_fees_charges"] < 0
        and museum["premises"] + museum["business_rates"] > 0.2 * a["dover-museum-tourism"].gross_expenditure_gbp
    )


def test_to_frame_and_properties():
    b = bl.project_baseline("dover-museum-tourism")
    frame = b.to_frame()
    assert list(frame.columns) == ["line", "label", "amount_gbp", "kind"]
    assert list(frame["line"]) == list(bl.BASELINE_LINES)
    assert frame.loc[frame.line == "business_rates", "amount_gbp"].item() == 38_000
    assert frame.loc[frame.line == "income_grants", "kind"].item() == "income"
    assert frame.loc[frame.kind == "expenditure", "amount_gbp"].sum() == 543_000
    assert b.pay_bill_gbp == (210 + 18 + 30) * 1000
    frame.loc[0, "amount_gbp"] = 0  # a copy: the baseline is not changed
    assert b.amounts_gbp["employees_pay"] == 210_000


def test_unknown_project_lists_valid_ids():
    with pytest.raises(UnknownKeyError) as info:
        bl.project_baseline("walsall")
    assert "walsall-college" in str(info.value) and "cwac-wirral-school-services" in str(info.value)


def test_baseline_constructor_checks_its_index():
    with pytest.raises(DDAnalysisError, match="indexed by the 13 baseline lines"):
        bl.Baseline("walsall-college", "2014-15", pd.Series([1.0], index=["employees_pay"]), 1.0, 1, True, "x")


def test_baselines_are_comparable():
    assert bl.project_baseline("walsall-college") == bl.project_baseline("walsall-college")
    assert bl.project_baseline("walsall-college") != bl.project_baseline("dover-museum-tourism")
    assert len({bl.project_baseline("walsall-college"), bl.project_baseline("walsall-college")}) == 1


@pytest.mark.official
def test_rs_figures_match_the_official_workbook(official_dir):
    xlrd = pytest.importorskip("xlrd")
    sheet = xlrd.open_workbook(str(official_dir / RS_2014)).sheet_by_name("RS LA Data 2014-15 (1)")
    headers = {sheet.cell_value(5, c): c for c in range(sheet.ncols)}  # Excel row 6
    rows = {sheet.cell_value(r, 0): r for r in range(7, sheet.nrows)}  # E-codes in column A
    for pid, cells in RS_CELLS.items():
        b = bl.project_baseline(pid)
        official = [(rows[code], headers[header]) for code, header in cells]
        total = sum(sheet.cell_value(r, c) for r, c in official)
        assert b.rs_net_current_gbp_k == total, pid
        assert b.rs_share == pytest.approx(EXPECTED[pid][2] / total, rel=1e-12)
        # the cell addresses noted in the data file point at the same cells
        meta = yaml.safe_load((BUNDLED / pid / "baseline.yaml").read_text(encoding="utf-8"))
        noted = []
        for cell in meta["sizing"]["cells"]:
            letters = "".join(ch for ch in cell["cell"] if ch.isalpha())
            col = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letters))) - 1
            noted.append((int(cell["cell"][len(letters) :]) - 1, col))
        assert noted == official, pid


def test_rs_figures_agree_with_the_bundled_official_extract():
    """data/official/rs_programme_councils.csv (built by ddanalysis.sources) holds the same 2014-15 figures."""
    extract = REPO / "data" / "official" / "rs_programme_councils.csv"
    if not extract.is_file():
        pytest.skip(f"{extract} not built yet (make data)")
    rows = pd.read_csv(extract, dtype={"e_code": str, "service": str})
    rows = rows[rows["year"] == "2014-15"]
    for pid in EXPECTED:
        b = bl.project_baseline(pid)
        councils = {code for code, _ in RS_CELLS[pid]}
        services = b.rs_service.split("+")
        hit = rows[rows["e_code"].isin(councils) & rows["service"].isin(services)]
        assert len(hit) == len(RS_CELLS[pid]), pid
        assert hit["value_gbp_k"].astype(float).sum() == b.rs_net_current_gbp_k, pid


def test_bundled_files_are_not_modified():
    before = {str(p): _sha(p) for p in BUNDLED.rglob("*") if p.is_file()}
    bl.all_baselines()
    bl.load_baseline(BUNDLED / "walsall-college" / "baseline.csv")
    assert {str(p): _sha(p) for p in BUNDLED.rglob("*") if p.is_file()} == before


# ---------------------------------------------------------------------------------------------
# a council's own CSV
# ---------------------------------------------------------------------------------------------


def test_council_csv_loads():
    path = FIXTURES / "good.csv"
    digest = _sha(path)
    b = bl.load_baseline(path)
    # gross 1000+90+150+120.5+30+40+1200+0+110+25 = 2765.5; income -300-150.5+0 = -450.5; net 2315
    assert b.gross_expenditure_gbp == pytest.approx(2_765_500)
    assert b.income_gbp == pytest.approx(-450_500)
    assert b.net_budget_gbp == pytest.approx(2_315_000)
    assert b.fte == 40.5 and b.headcount == 44
    assert b.project_id == "kirklees-open-spaces" and b.illustrative is False
    assert "Test fixture ledger extract" in b.source
    # the RS figure of the project's bundled baseline (Kirklees cultural, 25,345) sizes it
    assert b.rs_service == "cultural" and b.rs_net_current_gbp_k == 25345
    assert b.rs_share == pytest.approx(2315 / 25345)
    assert _sha(path) == digest


def test_project_id_argument_must_agree_with_the_file():
    with pytest.raises(
        DataFileError, match="'walsall-college'.*'kirklees-open-spaces'|'kirklees-open-spaces'.*'walsall-college'"
    ):
        bl.load_baseline(FIXTURES / "good.csv", project_id="walsall-college")


def test_project_must_be_known():
    with pytest.raises(DataFileError, match="does not say which project"):
        bl.load_baseline(FIXTURES / "no_project.csv")
    assert bl.load_baseline(FIXTURES / "no_project.csv", project_id="dover-museum-tourism").rs_net_current_gbp_k == 2055
    with pytest.raises(UnknownKeyError, match="valid projects"):
        bl.load_baseline(FIXTURES / "no_project.csv", project_id="dover")


BAD_CSV = {
    # file: (what the one error must say)
    "bad_unknown_line.csv": [
        "row 5, column 'line'",
        "unknown line 'employee_pension'",
        "did you mean 'employees_pension'",
        "missing line employees_pension",
    ],
    "bad_missing_line.csv": ["missing line transport"],
    "bad_duplicate_line.csv": ["row 7, column 'line'", "'premises' appears more than once", "first at row 6"],
    "bad_text_number.csv": ["row 7, column 'value'", "'thirty' is text, not a number"],
    "bad_negative_cost.csv": ["row 4, column 'value'", "-90 is negative", "costs must be zero or positive"],
    "bad_missing_fte.csv": ["row 16, column 'value'", "FTE: missing"],
    "bad_zero_fte.csv": ["row 16, column 'value'", "must be more than 0"],
    "bad_income_sign.csv": ["row 14, column 'value'", "income must be entered as a negative number", "-150.5"],
    "bad_pounds_line.csv": ["row 10, column 'value'", "looks like pounds"],
    "bad_headcount_fraction.csv": ["row 17, column 'value'", "44.5 is not a whole number"],
    "bad_unit.csv": ["row 8, column 'unit'", "amounts must be in GBP thousand"],
    "bad_pounds_everywhere.csv": [
        "row 2, column 'value'",
        "per FTE",
        "net budget comes to 2,315,000 thousand",
        "look like pounds",
    ],
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_bad_csv_gets_a_clear_error(name):
    path = FIXTURES / name
    digest = _sha(path)
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path)
    message = str(info.value)
    assert str(path) in message and "nothing was loaded" in message
    for text in BAD_CSV[name]:
        assert text in message, f"{text!r} not in:\n{message}"
    assert _sha(path) == digest


def test_several_problems_are_listed_in_one_error():
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(FIXTURES / "several_problems.csv")
    message = str(info.value)
    expected = [
        "row 3, column 'value': Employees: employer's National Insurance: -90 is negative",
        "row 6, column 'value': Business rates (NNDR): '£30' is text, not a number (leave out the currency sign",
        "row 11, column 'line': line 'capital_charges' appears more than once (first at row 10",
        "row 12, column 'line': unknown line 'staff_costs'",
        "row 13, column 'value': Income: sales, fees and charges: 300 is positive",
        "row 16, column 'value': FTE: 0; must be more than 0",
        "the file: missing line third_party_payments",
    ]
    for text in expected:
        assert text in message, f"{text!r} not in:\n{message}"
    assert "7 problems found" in message
    numbered = [ln for ln in message.splitlines() if ln.strip()[:2].rstrip(".").isdigit()]
    assert len(numbered) == 7


def test_not_a_baseline_file(tmp_path):
    with pytest.raises(DataFileError, match=r"\.csv file or the \.xlsx input workbook"):
        bl.load_baseline(tmp_path / "baseline.xls")
    with pytest.raises(DataFileError, match="not found"):
        bl.load_baseline(tmp_path / "absent.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match="the file is empty"):
        bl.load_baseline(empty)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("item,amount\nemployees_pay,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="expected 'line', 'value'"):
        bl.load_baseline(wrong)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(DataFileError, match="not a readable .xlsx workbook"):
        bl.load_baseline(fake)


def test_sidecar_share_must_match_the_figures(tmp_path):
    """A bundled-style file whose stored share disagrees with its figures is rejected."""
    csv_text = (BUNDLED / "dover-museum-tourism" / "baseline.csv").read_text(encoding="utf-8")
    meta = yaml.safe_load((BUNDLED / "dover-museum-tourism" / "baseline.yaml").read_text(encoding="utf-8"))
    meta["sizing"]["rs_share"] = 0.2
    meta["sizing"]["cells"][0]["council"] = "E4606"  # Walsall is not in this project
    (tmp_path / "dover-museum-tourism.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "dover-museum-tourism.yaml").write_text(yaml.safe_dump(meta), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(tmp_path / "dover-museum-tourism.csv")
    message = str(info.value)
    assert "field 'sizing.rs_share'" in message and "0.145012" in message
    assert "field 'sizing.cells.0.council'" in message and "E4606" in message
    assert math.isclose(298 / 2055, 0.145012, abs_tol=5e-7)


# ---------------------------------------------------------------------------------------------
# input a council actually has: budget-book lines, as typed or pasted from a PDF
# ---------------------------------------------------------------------------------------------

#: The four small failing inputs of ../shared/data/cases/baselines, copied here so the tests own them
#: (tests/fixtures/baselines/case_<name>); the originals are compared with the copies when present.
CASES = (
    "cost_line_left_in_pounds.csv",
    "dash_for_nil.csv",
    "income_line_left_in_pounds.csv",
    "minus_sign_pasted_from_pdf.csv",
)
SHARED_CASES = bl.config.OFFICIAL_DIR.parent / "cases" / "baselines"
#: The case files do not say which project they are for. Dover's museum and tourism service is sized
#: against Dover's 2014-15 RS cultural figure, 2,055 thousand (data/projects/dover-museum-tourism/baseline.yaml,
#: cell M154), which is where the review found its "18,356% of the council's official figure".
CASE_PROJECT = "dover-museum-tourism"
DOVER_RS_K = 2055

# The Burnley budget-book lines shared by the four files (GBP thousand), added up by hand:
# gross = employees_pay 1139.675 + premises 298.670 + transport 2.279 + supplies_services 191.898
#         + third_party_payments 376.646 + support_recharges 829.743 + capital_charges 2.047 = 2840.958
#         (employees_ni, employees_pension and business_rates are 0, or '-' in the dash file)
# income = -336.776 - 104.918 - 1456.335 = -1898.029
# net = 2840.958 - 1898.029 = 942.929
CASE_GROSS_K, CASE_INCOME_K, CASE_NET_K = 2840.958, -1898.029, 942.929


def _case(name: str) -> Path:
    return FIXTURES / f"case_{name}"


def _message(path: Path, **kwargs) -> str:
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path, project_id=CASE_PROJECT, **kwargs)
    return str(info.value)


def test_case_minus_sign_pasted_from_pdf_reads_as_minus():
    """The three income lines are typed with U+2212 MINUS SIGN (bytes e2 88 92), as a PDF copy gives them.

    Row 12 '−336.776' is income_fees_charges = -336.776 thousand = -GBP 336,776; row 13 '−104.918' is
    -GBP 104,918; row 14 '−1456.335' is -GBP 1,456,335. Totals as worked out above (CASE_*).
    """
    path = _case("minus_sign_pasted_from_pdf.csv")
    assert "\u2212336.776" in path.read_text(encoding="utf-8")  # the fixture really holds the Unicode minus
    b = bl.load_baseline(path, project_id=CASE_PROJECT)
    assert b.amounts_gbp["income_fees_charges"] == pytest.approx(-336_776)
    assert b.amounts_gbp["income_grants"] == pytest.approx(-104_918)
    assert b.amounts_gbp["income_other"] == pytest.approx(-1_456_335)
    assert b.gross_expenditure_gbp == pytest.approx(CASE_GROSS_K * 1000)
    assert b.income_gbp == pytest.approx(CASE_INCOME_K * 1000)
    assert b.net_budget_gbp == pytest.approx(CASE_NET_K * 1000)
    # 942.929 / 2055 = 0.458846...: 45.9% of Dover's RS cultural figure
    assert b.rs_share == pytest.approx(942.929 / 2055)


def test_case_dash_for_nil_reads_as_zero():
    """Rows 3, 4 and 6 (employees_ni, employees_pension, business_rates) hold '-': nil, as budget books print it.

    So those lines are 0 and the totals are the same as the files that type 0 (CASE_*: net 942.929 thousand).
    """
    b = bl.load_baseline(_case("dash_for_nil.csv"), project_id=CASE_PROJECT)
    for line in ("employees_ni", "employees_pension", "business_rates"):
        assert b.amounts_gbp[line] == 0.0, line
    assert b.pay_bill_gbp == pytest.approx(1_139_675)  # pay only: NI and pension are nil
    assert b.net_budget_gbp == pytest.approx(CASE_NET_K * 1000)


def test_case_cost_line_left_in_pounds_is_refused_naming_the_line():
    """Row 9 types third_party_payments as "376,646" (pounds: 344,874 + 4,272 + 27,500 = 376,646 in the note).

    The other non-zero lines, by size: 2.047, 2.279, 104.918, 191.898, 298.670, 336.776, 829.743,
    1139.675, 1456.335 (nine; the middle one is 298.670), so the line is 376646 / 298.67 = 1,261 times
    the median (>= 300): it looks like pounds; in GBP thousand it is 376.646.
    """
    path = _case("cost_line_left_in_pounds.csv")
    digest = _sha(path)
    message = _message(path)
    assert str(path) in message and "1 problem found" in message
    assert (
        "row 9, column 'value': third_party_payments = 376,646 looks like pounds: the other lines are in GBP "
        "thousand (median 298.67) and this one is 1,261 times that; enter 376.646"
    ) in message
    assert _sha(path) == digest


def test_case_cost_line_left_in_pounds_is_larger_than_its_block():
    """Without the line check, the official-figure check still refuses it.

    net = 942.929 - 376.646 + 376646 = 377,212.283 thousand; / 2,055 = 183.558 = 18,356% of Dover's RS
    cultural figure (the share once accepted); the limit is 2,055 x 1.25 = 2,568.75.
    """
    message = _message(_case("cost_line_left_in_pounds.csv"), pounds_ratio=None)
    assert (
        "the file: the in-scope net budget of 377,212.283 thousand (GBP 377.2 million) is 18,356% of 2,055 thousand"
        in message
    )
    assert "Dover on Cultural and related services" in message and "cell M154" in message
    assert "at most 25% (up to 2,568.75 thousand)" in message
    assert "The largest line is third_party_payments = 376,646 (row 9, column 'value')" in message
    # both checks off: read as typed (the council's own responsibility)
    b = bl.load_baseline(
        _case("cost_line_left_in_pounds.csv"), project_id=CASE_PROJECT, pounds_ratio=None, official_tolerance=None
    )
    assert b.net_budget_gbp == pytest.approx(377_212_283)


def test_case_income_line_left_in_pounds_is_refused_naming_the_line():
    """Row 14 types income_other as "-1,456,335" (pounds: 982,720 + 460,126 + 13,489 = 1,456,335).

    Other non-zero lines: 2.047, 2.279, 104.918, 191.898, 298.670, 336.776, 376.646, 829.743, 1139.675
    (median 298.670); 1456335 / 298.67 = 4,876 times: pounds; in GBP thousand -1,456.335.
    """
    message = _message(_case("income_line_left_in_pounds.csv"))
    assert (
        "row 14, column 'value': income_other = -1,456,335 looks like pounds: the other lines are in GBP "
        "thousand (median 298.67) and this one is 4,876 times that; enter -1,456.335"
    ) in message
    assert "1 problem found" in message


def test_case_income_line_left_in_pounds_is_income_above_gross():
    """Without the line check: income -336.776 - 104.918 - 1,456,335 = -1,456,776.694 thousand against gross
    2,840.958, so net = -1,453,935.736 thousand (minus GBP 1.45 billion, the figure once accepted).
    """
    message = _message(_case("income_line_left_in_pounds.csv"), pounds_ratio=None)
    assert (
        "the file: income totals -1,456,776.694 thousand, more than the gross expenditure of 2,840.958 thousand, "
        "so the net budget would be -1,453,935.736 thousand (minus GBP 1.45 billion)"
    ) in message
    assert "the largest income line is income_other = -1,456,335 (row 14, column 'value')" in message
    # a surplus is never accepted: turning the official check off does not help
    assert "income totals" in _message(
        _case("income_line_left_in_pounds.csv"), pounds_ratio=None, official_tolerance=None
    )


@pytest.mark.parametrize("name", CASES)
def test_shared_case_files_match_the_copies(name):
    """The originals in ../shared/data/cases/baselines, when present, are the files these tests own and read alike."""
    original = SHARED_CASES / name
    if not original.is_file():
        pytest.skip(f"{original} not found (the shared case files live in ../shared/data/cases/baselines)")
    assert original.read_bytes() == _case(name).read_bytes()
    try:
        got = bl.load_baseline(original, project_id=CASE_PROJECT).net_budget_gbp
    except DataFileError as exc:
        got = str(exc).replace(str(original), "FILE")
    try:
        want = bl.load_baseline(_case(name), project_id=CASE_PROJECT).net_budget_gbp
    except DataFileError as exc:
        want = str(exc).replace(str(_case(name)), "FILE")
    assert got == want


def _good_with(tmp_path: Path, changes: dict[str, str], name: str = "edited.csv") -> tuple[Path, dict[str, int]]:
    """tests/fixtures/baselines/good.csv with some values replaced (as text); also each line's row number."""
    rows = list(csv.reader((FIXTURES / "good.csv").open(encoding="utf-8")))
    where = {}
    for i, row in enumerate(rows, start=1):
        if row and row[0] in changes:
            row[1] = changes[row[0]]
        if row:
            where[row[0]] = i
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path, where


@pytest.mark.parametrize(
    "typed, value",
    [
        ("\u2212150.5", -150.5),  # MINUS SIGN
        ("\u2013150.5", -150.5),  # EN DASH used as minus
        ("\u2014150.5", -150.5),  # EM DASH used as minus
        ("\u2212 150.5", -150.5),  # a PDF copy may leave a space after the sign
        ("\u22121,150.5", -1150.5),  # with a thousands separator
        (" \u2212150.5 ", -150.5),  # surrounded by spaces
        ("-", 0.0),
        ("\u2013", 0.0),
        ("\u2014", 0.0),
        ("\u2212", 0.0),
        (" - ", 0.0),  # nil
    ],
)
def test_minus_signs_and_nil_dashes_in_a_csv(tmp_path, typed, value):
    path, _ = _good_with(tmp_path, {"income_grants": typed})
    b = bl.load_baseline(path)
    assert b.amounts_gbp["income_grants"] == pytest.approx(value * 1000)
    # good.csv: net 2315 with income_grants -150.5 (test_council_csv_loads)
    assert b.net_budget_gbp == pytest.approx((2315 + 150.5 + value) * 1000)


@pytest.mark.parametrize(
    "typed, named",
    [
        ("1\u2019200", "U+2019 RIGHT SINGLE QUOTATION MARK"),  # Swiss-style thousands separator
        ("1\u00a0200", "U+00A0 NO-BREAK SPACE"),  # a PDF's space between thousands
        ("1200\u200b", "U+200B ZERO WIDTH SPACE"),  # invisible, pasted from a web page
        ("1\u2009200", "U+2009 THIN SPACE"),
        ("1200\u2013", "U+2013 EN DASH"),  # a dash that is not a leading minus
    ],
)
def test_other_text_names_the_character_row_and_column(tmp_path, typed, named):
    path, where = _good_with(tmp_path, {"supplies_services": typed})
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path)
    message = str(info.value)
    assert f"row {where['supplies_services']}, column 'value': Supplies and services: " in message
    assert f"is text, not a number; it contains {named}" in message, message


def test_a_line_at_the_pounds_ratio_is_refused_and_one_just_below_is_not(tmp_path):
    """good.csv's non-zero lines other than third_party_payments (0 there), by size: 25, 30, 40, 90, 110, 120.5,
    150, 150.5, 300, 1000, 1200 (eleven; the middle one is 120.5). 300 x 120.5 = 36,150.
    """
    assert bl.POUNDS_LINE_RATIO == 300
    path, where = _good_with(tmp_path, {"third_party_payments": "36150"})
    message = _message_any(path)
    assert (
        f"row {where['third_party_payments']}, column 'value': third_party_payments = 36,150 looks like pounds: "
        "the other lines are in GBP thousand (median 120.5) and this one is 300 times that; enter 36.15"
    ) in message
    below, _ = _good_with(tmp_path, {"third_party_payments": "36149"}, "below.csv")
    # 36,149 is below the ratio; net 2,315 + 36,149 = 38,464 is over Kirklees' 25,345 x 1.25 = 31,681.25,
    # so only with the official check off does it load
    assert "looks like pounds" not in _message_any(below)
    assert bl.load_baseline(below, official_tolerance=None).net_budget_gbp == pytest.approx(38_464_000)
    assert bl.load_baseline(path, pounds_ratio=None, official_tolerance=None).net_budget_gbp == pytest.approx(
        38_465_000
    )


def _message_any(path: Path, **kwargs) -> str:
    with pytest.raises(DataFileError) as info:
        bl.load_baseline(path, **kwargs)
    return str(info.value)


def test_the_official_tolerance_boundary(tmp_path):
    """Kirklees' RS cultural figure is 25,345 thousand; 25% more is 31,681.25. good.csv nets 2,315 with
    third_party_payments 0, so third_party_payments 29,366.25 gives net 31,681.25 (accepted) and 29,367.25
    gives 31,682.25 (refused: 31,682.25 / 25,345 = 125.004%, shown as 125%). Both are 243.7 times the
    median line 120.5, under the pounds ratio.
    """
    assert bl.OFFICIAL_NET_TOLERANCE == 0.25
    at, _ = _good_with(tmp_path, {"third_party_payments": "29366.25"}, "at.csv")
    assert bl.load_baseline(at).net_budget_gbp == pytest.approx(31_681_250)
    over, where = _good_with(tmp_path, {"third_party_payments": "29367.25"}, "over.csv")
    message = _message_any(over)
    assert (
        "the file: the in-scope net budget of 31,682.25 thousand (GBP 31.7 million) is 125% of 25,345 thousand, "
        "the official 2014-15 RS net current expenditure of Kirklees on Cultural and related services"
    ) in message
    assert (
        f"The largest line is third_party_payments = 29,367.25 (row {where['third_party_payments']}, column 'value')"
    ) in message
    assert bl.load_baseline(over, official_tolerance=None).net_budget_gbp == pytest.approx(31_682_250)
    assert bl.load_baseline(over, official_tolerance=0.5).net_budget_gbp == pytest.approx(31_682_250)


def test_income_larger_than_gross_is_refused(tmp_path):
    """good.csv: gross 2,765.5, income -300 - 150.5 + income_other. income_other -2,315 makes income -2,765.5,
    equal to gross (net 0, accepted); -2,316 makes it -2,766.5 (net -1, refused). 2,316 is 19 times the
    median line 120.5: not a pounds slip by ratio, so only the income check speaks.
    """
    equal, _ = _good_with(tmp_path, {"income_other": "-2315"}, "equal.csv")
    assert bl.load_baseline(equal).net_budget_gbp == pytest.approx(0)
    over, where = _good_with(tmp_path, {"income_other": "-2316"}, "over.csv")
    message = _message_any(over)
    assert (
        "the file: income totals -2,766.5 thousand, more than the gross expenditure of 2,765.5 thousand, so the "
        "net budget would be -1 thousand (minus GBP 1,000), a surplus beyond the gross: the largest income line is "
        f"income_other = -2,316 (row {where['income_other']}, column 'value')"
    ) in message


def test_scale_problems_on_its_own():
    """The pure check: worked on hand-made lines (GBP thousand), no file."""
    lines = dict.fromkeys(bl.BASELINE_LINES, 0.0) | {
        "employees_pay": 400.0,
        "premises": 100.0,
        "transport": 10.0,
        "supplies_services": 50.0,
        "support_recharges": 60.0,
        "income_fees_charges": -30.0,
    }
    assert bl.scale_problems(lines, official_gbp_k=700.0) == []  # net 590 <= 700
    # others of employees_pay: 10, 30, 50, 60, 100 -> median 50; 400 / 50 = 8
    found = bl.scale_problems(lines | {"employees_pay": 15_000.0}, {"employees_pay": "row 2"})
    assert found == [
        (
            "employees_pay",
            "employees_pay = 15,000 looks like pounds: the other lines are in GBP thousand "
            "(median 50) and this one is 300 times that; enter 15 (if the figure is right, "
            "`check-baseline --no-scale-check` accepts it)",
        )
    ]
    # too few other non-zero lines for a median (3 < 4): no line is judged
    few = dict.fromkeys(bl.BASELINE_LINES, 0.0) | {
        "employees_pay": 90_000.0,
        "premises": 10.0,
        "transport": 10.0,
        "supplies_services": 10.0,
    }
    assert bl.scale_problems(few) == []
    # an official figure of zero or below says nothing about size
    assert bl.scale_problems(lines, official_gbp_k=0.0) == bl.scale_problems(lines, official_gbp_k=-50.0) == []
    # net 590 > 400 x 1.25 = 500
    assert [k for k, _ in bl.scale_problems(lines, official_gbp_k=400.0)] == [None]
    assert bl.scale_problems(lines, official_gbp_k=400.0, official_tolerance=0.5) == []  # 590 <= 600


def test_bundled_baselines_pass_every_check_with_a_wide_margin():
    """Each of the ten passes the scale checks; its largest line is at most 30 times the median of the others
    (Manchester's third-party payments 1,850 against (55 + 70) / 2 = 62.5: 29.6), a tenth of POUNDS_LINE_RATIO;
    its net budget is at most 36% of its official RS figure (nelincs, 5,100 / 14,340 = 35.6%)."""
    import statistics

    for pid, b in bl.all_baselines().items():
        lines = {k: v / 1000 for k, v in b.amounts_gbp.items()}
        assert bl.scale_problems(lines, official_gbp_k=b.rs_net_current_gbp_k) == [], pid
        for key, value in lines.items():
            others = [abs(v) for k, v in lines.items() if k != key and v]
            assert abs(value) <= 30 * statistics.median(others), (pid, key)
        assert b.net_budget_gbp / 1000 <= 0.36 * b.rs_net_current_gbp_k, pid
        assert -b.income_gbp < b.gross_expenditure_gbp, pid


def test_check_baseline_help_states_the_thresholds_in_force():
    """The CLI help gives the thresholds as numbers (the CLI does not import pandas to build its help)."""
    import typer.main

    from ddanalysis import cli

    command = typer.main.get_command(cli.app).commands["check-baseline"]
    helps = {p.name: p.help for p in command.params}
    assert f"{bl.POUNDS_LINE_RATIO:.0f} or more times the median" in helps["no_scale_check"]
    assert f"more than {bl.OFFICIAL_NET_TOLERANCE:.0%} above it" in helps["no_official_check"]
    assert "POUNDS_LINE_RATIO" in helps["no_scale_check"] and "OFFICIAL_NET_TOLERANCE" in helps["no_official_check"]
