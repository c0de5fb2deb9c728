"""ddanalysis.display: the formats and tables the notebooks show (fast, no kernel).

Expected strings are worked out by hand from the inputs (or from the bundled CSV, summed by hand),
never copied from the helpers' own output.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

import ddanalysis as dd
from ddanalysis import display as view
from ddanalysis.errors import DDAnalysisError, UnknownKeyError


@pytest.fixture(scope="module")
def walsall():
    return dd.appraise("walsall-college", draws=200, seed=11)


# --- formats -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [(0.035, "3.5%"), (0.41, "41%"), (2.0, "200%"), (-0.2256, "-22.6%"), (0.0, "0%"), (None, "-"), (math.nan, "-")],
)
def test_share(value, text):
    assert view.share(value) == text


@pytest.mark.parametrize("value, text", [(1234.4, "1,234"), (-5000.0, "-5,000"), (177054.0, "177,054"), (None, "-")])
def test_gbp_thousand(value, text):
    assert view.gbp_thousand(value) == text


def test_money_table_formats_without_touching_the_frame():
    frame = pd.DataFrame(
        {"item": ["a", "b"], "amount": [1234567.89, -1234.6], "rate": [0.035, None], "k": [2500.0, 10.0]}
    )
    before = frame.copy()
    html = view.money_table(frame, ["amount"], pct_cols=["rate"], thousand_cols=["k"], caption="Cap (GBP)").to_html()
    for text in ("£1,234,568", "-£1,235", "3.5%", "2,500", "Cap (GBP)", "white-space: nowrap"):
        assert text in html
    assert ">-<" in html.replace(" ", "")  # the missing rate
    pd.testing.assert_frame_equal(frame, before)


def test_money_table_names_a_missing_column():
    with pytest.raises(
        DDAnalysisError, match=r"money_table \(money columns\): column\(s\) \['cost'\] not in the table"
    ):
        view.money_table(pd.DataFrame({"amount": [1.0]}), ["cost"])


# --- appraisal tables ------------------------------------------------------------------------------------------


def test_baseline_table_totals_match_the_bundled_csv(walsall):
    # data/projects/walsall-college/baseline.csv, GBP thousand:
    # expenditure 4150+360+560+420+95+60+780+240+720+150 = 7535,
    # income -610-5850-95 = -6555, net 980
    html = view.baseline_table(walsall).to_html()
    for text in ("Gross expenditure", "£7,535,000", "-£6,555,000", "£980,000", "145.0 FTE, 290 people", "ILLUSTRATIVE"):
        assert text in html


def test_options_table_lists_every_option_and_bolds_the_recommended_one(walsall):
    styler = view.options_table(walsall)
    html = styler.to_html()
    for name in walsall.options["name"]:
        assert name in html
    assert "font-weight: bold" in html
    assert list(styler.data["Recommended"]) == ["yes" if r else "" for r in walsall.options["recommended"]]
    assert "GBP, real 2014-15 prices, council perspective, central scenario" in html


def test_focus_option_is_the_recommended_or_else_the_best_alternative(walsall):
    assert view.focus_option(walsall) == walsall.recommended != "in-house"
    options = walsall.options.assign(net_present_saving_gbp=[0.0, -5.0, 7.0, 3.0, -1.0][: len(walsall.options)])
    keep = dataclasses.replace(walsall, recommended="in-house", options=options)
    assert view.focus_option(keep) == options["id"].iloc[2]  # the largest saving, 7.0, among the alternatives


def test_unknown_option_is_a_clear_error(walsall):
    with pytest.raises(UnknownKeyError, match="unknown option 'mutualx'; valid options: in-house"):
        view.cashflow_table(walsall, "mutualx")


def test_sensitivity_table_shows_at_most_top_rows(walsall):
    assert len(view.sensitivity_table(walsall, top=3).data) == 3
    assert len(view.sensitivity_table(walsall).data) <= view.DEFAULT_TOP


def test_cashflow_total_row_is_the_sum_of_the_components(walsall):
    data = view.cashflow_table(walsall, walsall.recommended).data.set_index("Component")
    year = data.columns[-1]
    assert data.loc["Total", year] == pytest.approx(data.drop(index="Total")[year].sum())


def test_recommendation_note_states_the_rule(walsall):
    rule = view.recommendation_rule()
    assert "largest net present saving" in rule and "Monte Carlo" in rule and "status quo" in rule
    text = view.recommendation_note(walsall).data
    assert text.startswith(f"> **{walsall.recommendation}**") and rule in text


def test_appraisal_header_without_monte_carlo():
    result = dd.appraise("kirklees-open-spaces", scenario="low", perspective="public", draws=0, with_switching=False)
    text = view.appraisal_header(result).data
    assert text.startswith("## Open spaces (Kirklees)")
    assert "**Scenario:** low." in text and "the public sector as a whole (`public`)" in text
    assert "not run (draws = 0)" in text
    assert view.switching_table(result).data.empty  # with_switching=False: an empty table, not an error


def test_assumptions_table_links_sources_and_colours_quality(walsall):
    html = view.assumptions_table(walsall).to_html()
    # a statute is cited only for a rule, so the linked source is a published figure's
    source = "https://www.gov.uk/government/news/mutuals-support-programme-2-years-on"
    assert f'<a href="{source}" target="_blank">Mutuals support programme' in html
    assert "background-color: #fce5cd" in html  # an amber assumption


# --- programme, method and context ---------------------------------------------------------------------------


def test_programme_table_adds_a_total_row():
    summary = pd.DataFrame(
        {
            "title": ["A", "B"],
            "councils": ["X", "Y"],
            "baseline_net_gbp": [1000.0, 2500.0],
            "baseline_gross_gbp": [4000.0, 6000.0],
            "recommended_name": ["Mutual", "In-house"],
            "net_present_saving_gbp": [300.0, 0.0],
            "payback_year": ["2017-18", None],
            "go_live": ["2016-04-01", None],
            "illustrative": [True, True],
        }
    )
    data = view.programme_table(summary).data
    total = data.iloc[-1]
    assert total["Project"] == "Programme total"
    assert (total["In-scope net budget"], total["In-scope gross budget"], total["Net present saving"]) == (
        3500.0,
        10000.0,
        300.0,
    )


def test_discount_factors_follow_the_green_book():
    data = view.discount_factors_table().data
    assert list(data["Financial year"][:2]) == ["2015-16", "2016-17"]
    assert data["Discount factor"].iloc[0] == 1.0
    assert data["Discount factor"].iloc[9] == pytest.approx(1.035**-9)  # 0.73373
    assert "3.5%" in view.discount_table().to_html()


def test_spending_table_puts_council_and_class_median_side_by_side():
    spending = pd.DataFrame(
        {
            "year": ["2011-12", "2014-15"],
            "service": ["cultural", "cultural"],
            "label": ["Cultural", "Cultural"],
            "authority": ["Testshire", "Testshire"],
            "authority_class": ["SC", "SC"],
            "cash_gbp_k": [95.0, 90.0],
            "real_gbp_k": [100.0, 90.0],
            "class_median_cash_gbp_k": [190.0, 150.0],
            "class_median_real_gbp_k": [200.0, 150.0],
            "class_authorities": [27, 27],
        }
    )
    styler = view.spending_table(spending)
    data = styler.data
    change = "Real change 2011-12 to 2014-15"
    assert data.loc[("Cultural", "Council, real"), change] == pytest.approx(-0.10)  # 90 / 100 - 1
    assert data.loc[("Cultural", "Class median, real"), change] == pytest.approx(-0.25)  # 150 / 200 - 1
    assert math.isnan(data.loc[("Cultural", "Council, cash"), change])
    html = styler.to_html()
    assert "-10%" in html and "-25%" in html and "Open Government Licence v3.0" in html


def test_council_heading_by_code():
    spending = pd.DataFrame({"authority_class": ["MD"], "class_authorities": [36]})
    text = view.council_heading(spending, "E08000030").data  # Walsall by its ONS code
    assert text.startswith("### Walsall\n")
    assert "Metropolitan district (class MD, E-code E4606, ONS code E08000030)" in text
    assert "median of the 36 metropolitan districts" in text and "Adult and Community College" in text
