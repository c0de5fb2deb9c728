"""The cultural VAT exemption for an eligible body's admissions (M9,
VATA 1994 Sch 9 Group 13) and the results at 10, 15 and 20 years in every output (M8). Expected
values are worked out by hand in the docstrings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json

import pytest
from cost_lines import COMMON, FIRST, FLAT, amounts, levers, total

from ddanalysis import display, report
from ddanalysis.assumptions import load_book
from ddanalysis.baseline import CulturalAdmissions, project_baseline
from ddanalysis.cashflow import (
    INCOME_COMPONENTS,
    apply_optimism_bias,
    option_components,
    timing,
)
from ddanalysis.engine import appraise
from ddanalysis.presentation import formats, tables

DOVER = "dover-museum-tourism"


# --- the cultural exemption ------------------------------------------------------------------------------


def test_cultural_exemption_worked_by_hand_in_each_perspective():
    """Admission takings 100,000 (VAT included) on which the council charges VAT at 20%: it pays
    100,000 x 0.2 / 1.2 = 16,666.67 to HMRC. A charitable trust going live on 1 April 2015 (a full year
    live in year 0, no ramp-up for a tax status) treats them as exempt and keeps that: the council's
    saving is 16,666.67 a year; for the public sector and society it is a transfer from HMRC: 0.
    The status quo (lever 0) has no such line."""
    a = amounts(income_fees_charges=-250_000, employees_pay=300_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 3)
    sq_when = timing(None, None, FIRST, 3)
    lv = levers(cultural_exemption_share=1.0, ramp_up_years=2.0)
    for perspective, expected in (("council", 16_666.67), ("public", 0.0), ("social", 0.0)):
        common = {**COMMON, "perspective": perspective, "admissions_gbp": 100_000.0}
        sq = option_components(a, 1.0, levers(), FLAT, sq_when, **common)
        opt = option_components(a, 1.0, lv, FLAT, when, **common)
        assert opt["admissions_vat"][0].tolist() == pytest.approx([-expected] * 3, abs=0.01), perspective
        assert sq["admissions_vat"][0].tolist() == [0.0] * 3
        assert (total(sq) - total(opt))[0].tolist() == pytest.approx([expected] * 3, abs=0.01), perspective


def test_half_exempt_half_year_live_and_demand_growth_by_hand():
    """A mutual that is charitable with chance 0.5 (its own lever value), live from 1 October 2015 (183 of
    366 days of 2015-16 live = 0.5), admissions 60,000, demand growth 2%: year 0 = -0.5 x 0.5 x 60,000 /
    6 x 1.02 = -2,550; year 1 (fully live) = -0.5 x 10,000 x 1.02^2 = -5,202."""
    when = timing(dt.date(2015, 10, 1), dt.date(2015, 10, 1), FIRST, 2)
    c = option_components(
        amounts(),
        1.0,
        levers(cultural_exemption_share=0.5),
        {"demand_growth": 0.02, "real_pay_growth": 0.0},
        when,
        **{**COMMON, "admissions_gbp": 60_000.0},
    )
    assert c["admissions_vat"][0].tolist() == pytest.approx([-0.5 * 0.5 * 10_000 * 1.02, -0.5 * 10_000 * 1.02**2])


def test_the_exemption_is_a_benefit_so_it_takes_no_optimism_bias():
    """Income (Green Book 5.45: no generic uplift for benefits): the operating uplift is the same with
    and without the exemption; the exemption is an income line."""
    assert "admissions_vat" in INCOME_COMPONENTS
    a = amounts(employees_pay=200_000, premises=50_000, income_fees_charges=-100_000)
    when = timing(dt.date(2015, 4, 1), dt.date(2015, 4, 1), FIRST, 3)
    common = {**COMMON, "admissions_gbp": 80_000.0}
    sq = option_components(a, 5.0, levers(), FLAT, timing(None, None, FIRST, 3), **common)
    exempt = levers(staff_cost_change=0.05, cultural_exemption_share=1.0)
    with_ex = option_components(a, 5.0, exempt, FLAT, when, **common)
    without = option_components(a, 5.0, levers(staff_cost_change=0.05), FLAT, when, **common)
    ob_with = apply_optimism_bias(sq, with_ex, 0.41, 0.41, 2.0)["optimism_bias_operating"]
    ob_without = apply_optimism_bias(sq, without, 0.41, 0.41, 2.0)["optimism_bias_operating"]
    assert ob_with[0].tolist() == pytest.approx(ob_without[0].tolist())
    assert ob_with[0, 0] == pytest.approx(0.41 * 0.05 * 200_000)


def test_dover_baseline_declares_standard_rated_museum_admissions():
    """Dover: fees and charges 170,000 x 30% = 51,000 of admissions, standard-rated (a red judgement);
    every other bundled baseline declares none; a council that already exempts them (item 1) gives 0."""
    b = project_baseline(DOVER)
    assert b.cultural_admissions.vat == "standard" and b.cultural_admissions.quality == "red"
    assert b.standard_rated_admissions_gbp == pytest.approx(51_000.0)
    exempt = dataclasses.replace(
        b,
        cultural_admissions=CulturalAdmissions(
            share_of_fees_charges=0.3, vat="exempt", quality="red", note="the council exempts them under item 1"
        ),
    )
    assert exempt.cultural_admissions_gbp == pytest.approx(51_000.0) and exempt.standard_rated_admissions_gbp == 0.0
    for pid in ("walsall-college", "devon-local-services", "kirklees-open-spaces"):
        assert project_baseline(pid).standard_rated_admissions_gbp == 0.0


def test_dover_charitable_trust_keeps_a_sixth_of_its_admissions_for_the_council_only():
    """Charitable trust (exemption 1.0 central), admissions 51,000, VAT 20%: 8,500 a year at 2014-15
    demand; in 2020-21 (year index 5, fully live, demand up 1% a year for 6 years) 8,500 x 1.01^6 =
    9,022.93 for the council; 0 in the public and social views. Options that are not eligible (a Teckal
    company, a joint venture) get nothing."""
    for perspective, expected in (("council", -8_500 * 1.01**6), ("public", 0.0), ("social", 0.0)):
        r = appraise(DOVER, perspective=perspective, draws=0, with_switching=False)
        cf = r.cashflows[r.cashflows.component == "admissions_vat"].set_index(["option", "year_index"]).cost_gbp
        assert cf[("charitable-trust", 5)] == pytest.approx(expected, abs=0.01), perspective
        assert cf[("trading-company", 5)] == 0.0 and cf[("joint-venture", 5)] == 0.0 and cf[("in-house", 5)] == 0.0


def test_the_lever_is_catalogued_with_bounds_and_sourced_per_model():
    """levers.yaml: bounds [0, 1], default 0, better higher. The charitable trust's value is 1 (a judgement
    on the statute's rule); a mutual's and a co-operative's only the chance they are charitable; no
    model cites a statute for the figure (M11)."""
    book = load_book()
    spec = book.levers.loc["cultural_exemption_share"] if "cultural_exemption_share" in book.levers.index else None
    assert spec is not None and float(spec["default"]) == 0.0
    t = book.table[book.table.key == "cultural_exemption_share"].set_index("scope")
    assert t.loc["charitable-trust", "central"] == 1.0
    assert 0 < t.loc["mutual", "central"] < 1 and 0 < t.loc["cooperative", "central"] < 1
    assert t.loc["social-enterprise", "high"] == 0.0
    assert set(t.source_id) == {"team-judgement"}
    assert t.note.str.contains("Group 13").all()


# --- results at 10, 15 and 20 years ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dover():
    return appraise(DOVER, draws=0, with_switching=False)


def test_horizons_table_equals_the_json_by_horizon(dover):
    """Every option's 10-, 15- and 20-year net present saving in the table equals the JSON's by_horizon
    (to the penny), the residual value and optimism bias equal the JSON's, and the recommended row is
    emphasised."""
    t = tables.horizons_table(dover)
    doc = json.loads(dover.to_json())
    assert list(t.frame.columns[:4]) == [
        "Option",
        tables.horizon_label(10),
        tables.horizon_label(15),
        tables.horizon_label(20),
    ]
    assert all(t.unit(c) == "gbp" for c in t.frame.columns[1:])
    for i, opt in enumerate(doc["options"]):
        assert t.frame.loc[i, "Option"] == opt["name"]
        for h in opt["by_horizon"]:
            shown = t.frame.loc[i, tables.horizon_label(h["years"])]
            assert round(shown, 2) == pytest.approx(h["net_present_saving_gbp"])
        assert round(t.frame.iloc[i, 4], 2) == pytest.approx(opt["residual_value_gbp"])
        assert round(t.frame.iloc[i, 5], 2) == pytest.approx(opt["optimism_bias_gbp"])
    assert t.emphasis == tuple(i for i, o in enumerate(doc["options"]) if o["id"] == doc["recommended"])


def test_horizons_in_every_output(dover):
    """The recommended option's 20-year saving, as the shared money format writes it, is in the notebook
    table, the dashboard's Costs tab, the CLI and the Excel Options sheet (a model value)."""
    from openpyxl import load_workbook

    from ddanalysis.dashboard.appraisal import CostsSection
    from ddanalysis.excel.export import export_project_bytes

    row = dover.options.set_index("id").loc[dover.recommended]
    text20 = formats.money(row["nps_20y_gbp"])
    assert text20 in display.horizons_table(dover).to_html()
    section = CostsSection.__new__(CostsSection)
    CostsSection.__init__(section, page=None)
    section.update(dover)
    assert text20 in section.horizons.value and "Net present saving, 20 years" in section.horizons.value
    assert text20 in report.appraisal_table(dover)
    wb = load_workbook(io.BytesIO(export_project_bytes(dover)))
    ws = wb["Options"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    r20 = labels["Net present saving over 20 years"]
    values = [ws.cell(r20, c).value for c in range(2, 2 + len(dover.options))]
    assert values == pytest.approx(dover.options["nps_20y_gbp"].tolist())


def test_the_benefit_cost_ratio_note_shows_where_the_ratio_is_null(dover):
    """Where the Green Book ratio is null (the status quo: the benchmark) its reason is in the options
    table, the CLI and the Excel Options sheet."""
    t = tables.options_table(dover)
    sq = t.frame.iloc[0]
    assert formats.is_missing(sq["Benefit-cost ratio (Green Book, with residual value)"])
    assert sq["Benefit-cost ratio: why none"] == "the status quo is the benchmark"
    assert "in-house             none: the status quo is the benchmark" in report.appraisal_table(dover)
    from openpyxl import load_workbook

    from ddanalysis.excel.export import export_project_bytes

    ws = load_workbook(io.BytesIO(export_project_bytes(dover)))["Options"]
    labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    assert (
        ws.cell(labels["Benefit-cost ratio (Green Book, with residual value): why none"], 2).value
        == "the status quo is the benchmark"
    )
