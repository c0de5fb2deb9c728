"""Partners: a project of several councils shares its costs, savings and one-off costs.

The expected figures are worked by hand below, on a two-council example with two years and the
Green Book discount factors 1 and 1/1.035.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ddanalysis import partners
from ddanalysis.errors import DataFileError

COUNCILS = ("E0001", "E0002")
NAMES = ("Alpha", "Beta")
DF = (1.0, 1.0 / 1.035)


def _flows() -> pd.DataFrame:
    """Status quo: staff 1,000 and support services 100 each year. Option: staff 900 then 800,
    support services 40 a year, legal and governance set-up 50 in year 0 (one-off)."""
    rows = []
    for t, (sq_staff, opt_staff) in enumerate([(1000.0, 900.0), (1000.0, 800.0)]):
        rows += [
            ("sq", t, "staff", sq_staff),
            ("sq", t, "support_services", 100.0),
            ("sq", t, "legal_governance", 0.0),
            ("opt", t, "staff", opt_staff),
            ("opt", t, "support_services", 40.0),
            ("opt", t, "legal_governance", 50.0 if t == 0 else 0.0),
        ]
    return pd.DataFrame(rows, columns=["option", "year_index", "component", "cost_gbp"])


def _row(frame: pd.DataFrame, option: str, council: str) -> pd.Series:
    return frame[(frame["option"] == option) & (frame["council"] == council)].iloc[0]


def test_declared_shares_split_saving_and_one_off_by_hand():
    """Shares 0.6 / 0.4. Savings: staff 100 then 200, support 60 a year, legal -50 in year 0.
    NPS = 100 + 200/1.035 + 60 + 60/1.035 - 50 = 110 + 260/1.035 = 110 + 251.2077 = 361.2077.
    Alpha 0.6 x 361.2077 = 216.7246; Beta 0.4 x 361.2077 = 144.4831. One-off 50: 30 and 20."""
    app = partners.declared(COUNCILS, NAMES, {"E0001": 0.6, "E0002": 0.4})
    out = partners.by_council(app, _flows(), DF, ["sq", "opt"], "sq")
    a, b = _row(out, "opt", "E0001"), _row(out, "opt", "E0002")
    assert a["net_present_saving_gbp"] == pytest.approx(216.7246, abs=1e-3)
    assert b["net_present_saving_gbp"] == pytest.approx(144.4831, abs=1e-3)
    assert (a["one_off_cost_gbp"], b["one_off_cost_gbp"]) == pytest.approx((30.0, 20.0))
    assert a["name"] == "Alpha" and _row(out, "sq", "E0002")["net_present_saving_gbp"] == 0.0


def test_own_baseline_lines_split_each_component_by_its_lines_by_hand():
    """Alpha holds pay 600 (GBP k) and no recharges; Beta pay 400 and recharges 100.
    Staff follows pay: 0.6 / 0.4; support services follow recharges: 0 / 1; legal and governance
    follows gross expenditure (pay + recharges = 1,100): 600/1,100 = 6/11 and 500/1,100 = 5/11.
    Staff PV 100 + 200/1.035 = 293.2367; support PV 60 + 60/1.035 = 117.9710; legal PV -50.
    Alpha = 0.6 x 293.2367 - 6/11 x 50 = 175.9420 - 27.2727 = 148.6693.
    Beta = 0.4 x 293.2367 + 117.9710 - 5/11 x 50 = 117.2947 + 117.9710 - 22.7273 = 212.5384.
    Sum 361.2077, the project's NPS. One-off: 50 x 6/11 = 27.2727 and 50 x 5/11 = 22.7273."""
    lines = pd.DataFrame({"employees_pay": [600.0, 400.0], "support_recharges": [0.0, 100.0]}, index=list(COUNCILS))
    baseline = {"employees_pay": 1_000_000.0, "support_recharges": 100_000.0, "premises": 0.0}
    app = partners.from_lines(COUNCILS, NAMES, lines, baseline)
    out = partners.by_council(app, _flows(), DF, ["sq", "opt"], "sq")
    a, b = _row(out, "opt", "E0001"), _row(out, "opt", "E0002")
    assert a["net_present_saving_gbp"] == pytest.approx(148.6693, abs=1e-3)
    assert b["net_present_saving_gbp"] == pytest.approx(212.5384, abs=1e-3)
    assert a["one_off_cost_gbp"] == pytest.approx(27.2727, abs=1e-3)
    assert b["one_off_cost_gbp"] == pytest.approx(22.7273, abs=1e-3)
    # net budget shares: Alpha 600 / 1,100, Beta 500 / 1,100
    assert app.net_budget_shares["E0001"] == pytest.approx(6 / 11)


def test_shares_that_do_not_sum_to_one_are_refused_naming_them():
    with pytest.raises(DataFileError) as err:
        partners.declared(COUNCILS, NAMES, {"E0001": 0.6, "E0002": 0.5}, where="partners.yaml")
    msg = str(err.value)
    assert "partners.yaml" in msg and "E0001: 0.6, E0002: 0.5" in msg and "sum to 1.1" in msg


def test_a_missing_or_foreign_council_is_refused():
    with pytest.raises(DataFileError) as err:
        partners.declared(COUNCILS, NAMES, {"E0001": 1.0, "E9999": 0.0})
    assert "E0002 has no share" in str(err.value) and "E9999 is not one of the project's councils" in str(err.value)


def test_lines_that_do_not_add_up_to_the_baseline_are_refused_naming_the_line():
    lines = pd.DataFrame({"employees_pay": [600.0, 300.0]}, index=list(COUNCILS))
    with pytest.raises(DataFileError) as err:
        partners.from_lines(COUNCILS, NAMES, lines, {"employees_pay": 1_000_000.0}, where="p.yaml")
    assert "lines.*.employees_pay" in str(err.value) and "900.0" in str(err.value) and "1,000.0" in str(err.value)


def test_partners_file_is_read_and_checked(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("shares: {E0001: 0.25, E0002: 0.75}\nsource: a test\n", encoding="utf-8")
    app = partners.load("x", COUNCILS, NAMES, {}, path=path)
    assert app.basis == "declared shares" and app.net_budget_shares.to_dict() == {"E0001": 0.25, "E0002": 0.75}
    path.write_text("shares: {E0001: 0.25, E0002: 0.70}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="sum to 0.95; expected them to sum to 1"):
        partners.load("x", COUNCILS, NAMES, {}, path=path)
    path.write_text("shares: {E0001: 1.0}\nweights: 1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unknown key.*weights"):
        partners.load("x", COUNCILS, NAMES, {}, path=path)


def test_council_shares_file_from_another_schema_version_is_refused(tmp_path):
    """A workspace file carries this release's schema_version (1) or none; version 0 names the upgrade command,
    version 2 (a later release's) is refused, and version 1 is read."""
    path = tmp_path / "council_shares.yaml"
    for version, expect in (
        (0, "older than this release's 1: run `ddanalysis upgrade`"),
        (2, "this release reads schema_version 1"),
    ):
        path.write_text(f"schema_version: {version}\nshares: {{E0001: 0.5, E0002: 0.5}}\n", encoding="utf-8")
        with pytest.raises(DataFileError, match="schema_version") as err:
            partners.load("x", COUNCILS, NAMES, {}, path=path)
        assert str(path) in str(err.value) and expect in str(err.value)
    path.write_text("schema_version: 1\nshares: {E0001: 0.5, E0002: 0.5}\n", encoding="utf-8")
    assert partners.load("x", COUNCILS, NAMES, {}, path=path).basis == "declared shares"


def test_bundled_project_provenance_says_the_council_shares_are_its_own():
    from ddanalysis import workspace

    assert (
        workspace.input_origins("cwac-wirral-school-services")["council_shares"]
        == "the project's own (council_shares.yaml)"
    )


def test_no_partners_file_means_equal_shares_labelled_a_default(tmp_path):
    app = partners.load("x", COUNCILS, NAMES, {}, path=tmp_path / "absent.yaml")
    assert "default" in app.basis and app.net_budget_shares.to_dict() == {"E0001": 0.5, "E0002": 0.5}


def test_bundled_partnership_shares_follow_the_rs_education_split():
    """data/projects/cwac-wirral-school-services/council_shares.yaml: RS 2014-15 education net current expenditure
    221,097 (E0604) and 225,465 (E4305) of 446,562: 0.49511 and 0.50489, written 0.4951 / 0.5049."""
    app = partners.load("cwac-wirral-school-services", ("E0604", "E4305"), ("a", "b"), {})
    assert app.net_budget_shares["E0604"] == pytest.approx(221_097 / 446_562, abs=5e-5)
    assert app.net_budget_shares.sum() == pytest.approx(1.0)


@pytest.fixture(scope="module")
def cwac():
    """The Cheshire West and Chester with Wirral project, appraised without draws (fast)."""
    from ddanalysis.engine import appraise

    return appraise("cwac-wirral-school-services", draws=0, with_switching=False, with_sensitivity=False)


@pytest.mark.slow
def test_cheshire_west_and_wirral_results_per_council_sum_to_the_total(cwac):
    """With declared shares every component splits alike, so each council's net present saving is its
    share x the option's (0.4951 for Cheshire West and Chester), and the two sum to the total."""
    doc = cwac.to_dict()
    for opt in doc["options"]:
        parts = opt["by_council"]
        assert [p["council"] for p in parts] == ["E0604", "E4305"]
        assert sum(p["net_present_saving_gbp"] for p in parts) == pytest.approx(opt["net_present_saving_gbp"], abs=0.02)
        assert sum(p["one_off_cost_gbp"] for p in parts) == pytest.approx(opt["one_off_cost_gbp"], abs=0.02)
        assert parts[0]["net_present_saving_gbp"] == pytest.approx(0.4951 * opt["net_present_saving_gbp"], abs=0.02)
    assert doc["apportionment"]["basis"] == "declared shares"


@pytest.mark.slow
def test_by_council_table_has_each_council_and_the_option_total(cwac):
    """Per option: one row per council, then 'All councils' equal to the option's net present saving."""
    from ddanalysis.presentation import tables

    t = tables.by_council_table(cwac)
    frame = t.frame
    names = dict(zip(cwac.options["id"], cwac.options["name"]))
    for opt, nps in zip(cwac.options["id"], cwac.options["net_present_saving_gbp"]):
        rows = frame[frame["Option"] == names[opt]]
        assert list(rows["Council"]) == ["Cheshire West and Chester", "Wirral", "All councils"]
        assert rows["Net present saving"].iloc[-1] == pytest.approx(nps)
    assert "declared shares" in t.caption and t.unit("Net present saving") == "gbp"
    assert t.formatted()["Net present saving"].str.startswith(("£", "-£")).all()


@pytest.mark.slow
def test_excel_summary_shows_each_councils_part(cwac, tmp_path):
    """The Summary sheet's block: the two councils' net present savings of the recommended option,
    read back from the workbook, sum to the option's (the total row)."""
    from openpyxl import load_workbook

    from ddanalysis.excel import export_project

    path = export_project(cwac, tmp_path / "cwac.xlsx")
    ws = load_workbook(path)["Summary"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_col=1, max_col=5)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Each council's part")
    name = cwac.option_name(cwac.recommended)
    mine = [r for r in rows[start + 2 :] if r[0] == name]
    assert [r[1] for r in mine[:3]] == ["Cheshire West and Chester", "Wirral", "All councils"]
    assert mine[0][3] + mine[1][3] == pytest.approx(mine[2][3])
    nps = float(cwac.options.set_index("id").loc[cwac.recommended, "net_present_saving_gbp"])
    assert mine[2][3] == pytest.approx(nps)


@pytest.mark.slow
def test_board_paper_financial_case_shows_each_councils_part(cwac):
    """The paper's financial case: both councils by name, and Wirral's part of the recommended option
    as formats.money prints the result's by_council figure."""
    from ddanalysis.paper import build_document
    from ddanalysis.paper.html import render_html
    from ddanalysis.paper.inputs import gather
    from ddanalysis.presentation import formats

    page = render_html(build_document(cwac, gather(cwac)))
    bc = cwac.by_council
    wirral = bc[(bc["option"] == cwac.recommended) & (bc["council"] == "E4305")]["net_present_saving_gbp"].iloc[0]
    assert "Each council&#x27;s part" in page or "Each council's part" in page
    assert "Cheshire West and Chester" in page and formats.money(wirral) in page
    assert "Cash (nominal) profile per council" in page


@pytest.mark.slow
def test_cli_text_lists_each_councils_part(cwac):
    """The CLI's table: a line per option and council, Wirral's figure as formats.money prints it."""
    from ddanalysis import report
    from ddanalysis.presentation import formats

    out = report.appraisal_table(cwac)
    bc = cwac.by_council
    row = bc[(bc["option"] == "in-house-redesign") & (bc["council"] == "E4305")].iloc[0]
    line = next(x for x in out.splitlines() if x.startswith("In-house redesign") and "Wirral" in x)
    assert formats.money(row["net_present_saving_gbp"]) in line and formats.money(row["one_off_cost_gbp"]) in line


@pytest.mark.slow
def test_dashboard_costs_tab_shows_each_councils_part_and_the_cash_profile(tmp_path):
    """The dashboard's costs tab: the per-council table names both councils, and the picked option's
    cash (nominal) profile per council is shown under its chart."""
    from ddanalysis.dashboard.appraisal import TABS, AppraisalPage, CostsSection
    from ddanalysis.dashboard.store import ResultStore

    page = AppraisalPage(ResultStore(directory=tmp_path, fingerprint="test"), "cwac-wirral-school-services")
    page.tabs.selected_index = TABS.index("Costs and savings")
    costs = page.sections[TABS.index("Costs and savings")]
    assert isinstance(costs, CostsSection)
    assert "Cheshire West and Chester" in costs.councils.value and "All councils" in costs.councils.value
    assert "financial case in cash" in costs.cash.value and "Wirral" in costs.cash.value


@pytest.mark.slow
def test_excel_summary_shows_the_cash_profile_per_council(cwac, tmp_path):
    """The Summary sheet's cash block for the focus option: the first year's rows for the two councils
    hold the result's cash figures, and target - saving = gap on each row."""
    from openpyxl import load_workbook

    from ddanalysis.excel import export_project
    from ddanalysis.presentation import tables

    ws = load_workbook(export_project(cwac, tmp_path / "cwac.xlsx"))["Summary"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_col=1, max_col=6)]
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("The financial case in cash"))
    first = rows[start + 2 : start + 4]
    focus = tables.focus_option(cwac)
    cp = cwac.cash_profile[cwac.cash_profile["option"] == focus]
    assert [r[0] for r in first] == [cwac.first_year] * 2
    assert [r[1] for r in first] == ["Cheshire West and Chester", "Wirral"]
    assert [r[3] for r in first] == pytest.approx(list(cp["net_cash_saving_gbp"].iloc[:2]))
    for r in first:
        assert r[4] - r[3] == pytest.approx(r[5])
