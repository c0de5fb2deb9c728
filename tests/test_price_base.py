"""Any base year: the GDP deflator re-bases, money assumptions are carried to the base year's prices,
the first appraisal year is the next, and a year the deflator does not cover is refused.
Expected values are worked by hand in the docstrings."""

from __future__ import annotations

import pytest

from ddanalysis import price_base
from ddanalysis.assumptions import load_book
from ddanalysis.errors import DDAnalysisError

SHORT = {"2014-15": 100.0, "2021-22": 120.0}


def test_rebase_a_short_series_by_hand():
    """Index 2014-15 = 100, 2021-22 = 120. Re-based to 2021-22: 2021-22 = 100 and 2014-15 =
    100 x 100 / 120 = 83.333. A GBP 1,000 figure in 2014-15 prices is 1,000 x 120 / 100 = GBP 1,200
    in 2021-22 prices."""
    rebased = price_base.rebase(SHORT, "2021-22")
    assert rebased["2021-22"] == pytest.approx(100.0)
    assert rebased["2014-15"] == pytest.approx(83.3333, abs=1e-4)
    assert price_base.carry(1000.0, "2014-15", "2021-22", SHORT) == pytest.approx(1200.0)
    assert price_base.carry(1200.0, "2021-22", "2014-15", rebased) == pytest.approx(1000.0)


def test_first_appraisal_year_is_the_year_after_the_base_year():
    assert price_base.first_year_after("2021-22") == "2022-23"
    assert price_base.first_year_after("2014-15") == "2015-16"


def test_a_base_year_without_a_deflator_names_the_year_and_the_range():
    with pytest.raises(DDAnalysisError) as err:
        price_base.rebase(SHORT, "2030-31")
    msg = str(err.value)
    assert "base year 2030-31" in msg and "covers 2014-15 to 2021-22" in msg
    with pytest.raises(DDAnalysisError, match="written like 2014-15"):
        price_base.rebase(SHORT, "2021")


def test_bundled_base_year_leaves_the_book_unchanged():
    book = load_book("cwac-wirral-school-services")
    assert price_base.at_base_year(book, "2014-15") is book


def test_book_at_a_later_base_year_by_hand():
    """Bundled deflator: 2014-15 = 100.0, 2018-19 = 106.9 (appraisal.yaml). At base year 2018-19 the
    deflator is 100 in 2018-19 and 100 / 1.069 = 93.545 in 2014-15; a money assumption is x 1.069
    (the status quo's transition costs are 0, so take a model's: legal and governance set-up,
    GBP thousand); shares are unchanged; the first appraisal year is 2019-20; VAT (dated values:
    20% from 4 January 2011) is 0.20 as at 1 April 2018."""
    book = load_book("cwac-wirral-school-services")
    later = price_base.at_base_year(book, "2018-19")
    s = later.settings
    assert (s.base_year, s.first_year) == ("2018-19", "2019-20")
    assert s.gdp_deflator["2018-19"] == pytest.approx(100.0)
    assert s.gdp_deflator["2014-15"] == pytest.approx(100 / 1.069, abs=1e-3)
    key = ("trading-company", "transition_legal_governance")
    assert later.table.loc[key, "central"] == pytest.approx(book.table.loc[key, "central"] * 1.069)
    assert later.table.loc[key, "price_base"] == "2018-19"
    share = ("project", "demand_growth")
    assert later.table.loc[share, "central"] == book.table.loc[share, "central"]
    assert s.facts["vat_standard_rate"]["value"] == pytest.approx(0.20)
    assert book.settings.base_year == "2014-15"  # the input is not modified


def test_dated_fact_is_taken_as_at_the_base_year():
    """VAT: 15% from 1 December 2008, 17.5% from 1 January 2010, 20% from 4 January 2011. As at
    1 April 2009 (base year 2009-10) the rate in force is 15%; as at 1 April 2010, 17.5%."""
    vat = load_book().settings.facts["vat_standard_rate"]
    assert price_base.fact_as_at(vat, "2009-10")["value"] == pytest.approx(0.15)
    assert price_base.fact_as_at(vat, "2010-11")["value"] == pytest.approx(0.175)


def test_dated_assumption_values_are_taken_as_at_the_base_year_by_hand():
    """A money assumption (GBP per FTE) written 15,000 / 22,000 / 35,000 with dated centrals
    {2012-04-01: 18,000, 2016-04-01: 20,000}, deflator 2012-13 = 96.7, 2014-15 = 100, 2016-17 = 102.8,
    2018-19 = 106.9 (appraisal.yaml). At base year 2018-19 the value in force (1 April 2018) is the
    2016-04-01 one, in 2016-17 prices: 20,000 x 106.9 / 102.8 = 20,797.67; a dated number is a central,
    so low and high stay as the row has them (15,000 and 35,000). At base year
    2014-15 the 2012-04-01 value applies: 18,000 x 100 / 96.7 = 18,614.27. A share assumption with dated
    values takes the value as it is. Dates before the first leave the row as written."""
    import pandas as pd

    deflator = load_book().settings.gdp_deflator.to_dict()
    table = pd.DataFrame(
        {
            "low": [15000.0, 0.1],
            "central": [22000.0, 0.2],
            "high": [35000.0, 0.3],
            "price_base": ["2014-15", "n/a"],
            "as_of": ["", ""],
        },
        index=pd.MultiIndex.from_tuples([("mutual", "redundancy_cost_per_fte"), ("project", "demand_growth")]),
    )
    dated = {
        ("mutual", "redundancy_cost_per_fte"): {"2012-04-01": 18000, "2016-04-01": 20000},
        ("project", "demand_growth"): {"2017-04-01": 0.25},
    }
    later = price_base.dated_values(table, dated, "2018-19", deflator)
    row = later.loc[("mutual", "redundancy_cost_per_fte")]
    assert row["central"] == pytest.approx(20797.67, abs=0.01)
    assert (row["low"], row["high"]) == (15000.0, 35000.0)
    assert row["as_of"] == "2016-04-01"
    assert later.loc[("project", "demand_growth"), "central"] == pytest.approx(0.25)
    early = price_base.dated_values(table, dated, "2014-15", deflator)
    assert early.loc[("mutual", "redundancy_cost_per_fte"), "central"] == pytest.approx(18614.27, abs=0.01)
    assert early.loc[("project", "demand_growth"), "central"] == pytest.approx(0.2)  # history starts later
    assert table.loc[("mutual", "redundancy_cost_per_fte"), "central"] == 22000.0  # input not modified


def test_bundled_histories_are_found():
    """models/mutual.yaml dates redundancy_cost_per_fte (2020-04-01 and 2021-04-01)."""
    from ddanalysis import config

    found = price_base.histories(config.data_path("assumptions"), None)
    assert set(map(str, found[("mutual", "redundancy_cost_per_fte")])) == {"2020-04-01", "2021-04-01"}
