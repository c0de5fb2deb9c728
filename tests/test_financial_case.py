"""The financial case in cash: real savings inflated by pay and price inflation, per council, against
the savings target. Every expected figure is worked by hand in the docstrings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddanalysis import financial_case, partners
from ddanalysis.errors import DataFileError

YEARS = ("2015-16", "2016-17")
INFLATION = financial_case.Inflation(
    pay={"2015-16": 0.01, "2016-17": 0.03}, price={}, pay_long_run=0.05, price_long_run=0.02, sources={}
)


def _flows() -> pd.DataFrame:
    """A real saving of 100 a year on staff (a pay line) and 50 a year on premises (a price line)."""
    rows = []
    for t in range(2):
        rows += [
            ("sq", t, "staff", 1000.0),
            ("sq", t, "premises", 500.0),
            ("opt", t, "staff", 900.0),
            ("opt", t, "premises", 450.0),
        ]
    return pd.DataFrame(rows, columns=["option", "year_index", "component", "cost_gbp"])


def test_indices_by_hand():
    """Pay 1% then 3%: 1.01, 1.01 x 1.03 = 1.0403. Price 2% a year (long run): 1.02, 1.0404.
    With real pay growth 1% already in the real figures: 1.01 / 1.01 = 1, 1.0403 / 1.0201 = 1.019802."""
    pay, price = financial_case.indices(INFLATION, YEARS, 0.0)
    assert pay == pytest.approx([1.01, 1.0403]) and price == pytest.approx([1.02, 1.0404])
    pay, _ = financial_case.indices(INFLATION, YEARS, 0.01)
    assert pay == pytest.approx([1.0, 1.0403 / 1.0201])


def test_cash_profile_two_years_two_councils_by_hand():
    """Cash saving, whole project: year 1 = 100 x 1.01 + 50 x 1.02 = 101 + 51 = 152;
    year 2 = 100 x 1.0403 + 50 x 1.0404 = 104.03 + 52.02 = 156.05.
    Shares 0.6 / 0.4: Alpha 91.2 and 93.63; Beta 60.8 and 62.42.
    Target 200 a year (real), Alpha's part 0.6 x 200 = 120, in cash 120 x 1.02 = 122.4 and
    120 x 1.0404 = 124.848; gap = 122.4 - 91.2 = 31.2 and 124.848 - 93.63 = 31.218."""
    app = partners.declared(("E0001", "E0002"), ("Alpha", "Beta"), {"E0001": 0.6, "E0002": 0.4})
    out = financial_case.cash_profile(app, _flows(), YEARS, INFLATION, 0.0, 200.0, ["sq", "opt"], "sq")
    alpha = out[(out["option"] == "opt") & (out["council"] == "E0001")]
    beta = out[(out["option"] == "opt") & (out["council"] == "E0002")]
    assert list(alpha["year"]) == list(YEARS)
    assert alpha["net_cash_saving_gbp"].to_numpy() == pytest.approx([91.2, 93.63])
    assert beta["net_cash_saving_gbp"].to_numpy() == pytest.approx([60.8, 62.42])
    assert alpha["target_gbp"].to_numpy() == pytest.approx([122.4, 124.848])
    assert alpha["gap_gbp"].to_numpy() == pytest.approx([31.2, 31.218])
    sq = out[out["option"] == "sq"]
    assert np.allclose(sq["net_cash_saving_gbp"], 0.0)


def test_real_pay_growth_is_not_counted_twice():
    """Real pay growth 1%: the staff saving in cash is 100 x 1.01 / 1.01 = 100 in year 1 and
    100 x 1.0403 / 1.0201 = 101.9802 in year 2; premises 51 and 52.02: totals 151 and 154.0002."""
    app = partners.declared(("E0001",), ("Alpha",), {"E0001": 1.0})
    out = financial_case.cash_profile(app, _flows(), YEARS, INFLATION, 0.01, 0.0, ["opt"], "sq")
    assert out["net_cash_saving_gbp"].to_numpy() == pytest.approx([151.0, 154.0002], abs=1e-4)


def test_inflation_file_by_year_and_long_run(tmp_path):
    path = tmp_path / "inflation.yaml"
    entry = "source: team-judgement, quality: red"
    path.write_text(
        f"pay:\n  by_year: {{'2016-17': {{value: 0.01, {entry}}}}}\n  long_run: {{value: 0.025, {entry}}}\n"
        f"price:\n  long_run: {{value: 0.02, {entry}}}\n",
        encoding="utf-8",
    )
    inf = financial_case.load_inflation(path)
    assert inf.rates("pay", ["2016-17", "2030-31"]) == pytest.approx([0.01, 0.025])
    assert inf.rates("price", ["2016-17"]) == pytest.approx([0.02])


def test_inflation_file_faults_are_listed_with_their_keys(tmp_path):
    path = tmp_path / "inflation.yaml"
    path.write_text(
        "pay:\n  by_year: {'2016': {value: 2, source: x, quality: red}}\n  long_run: {value: 0.02}\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError) as err:
        financial_case.load_inflation(path)
    msg = str(err.value)
    for part in (
        "pay.by_year.2016: expected a financial year",
        "pay.by_year.2016.value",
        "pay.long_run.source",
        "pay.long_run.quality",
        "price: missing",
    ):
        assert part in msg


def test_bundled_inflation_is_sourced():
    """data/assumptions/inflation.yaml: the NJC pay agreements, 1% from 1 April 2016 and 1 April 2017 (Devon
    County Council's notice of the 2016-18 agreement) and 2% from 1 April 2018 and 1 April 2019 for most spinal
    points (UNISON: '4.04 % over two years', 1.02 x 1.02 = 1.0404), not the Summer Budget's 1% for all four."""
    inf = financial_case.load_inflation()
    years = ["2016-17", "2017-18", "2018-19", "2019-20"]
    assert inf.rates("pay", years) == pytest.approx([0.01, 0.01, 0.02, 0.02])
    assert {inf.sources[f"pay {y}"] for y in years} == {"njc-pay-awards"}


@pytest.mark.slow
def test_appraisal_json_has_a_cash_profile_per_council():
    """Every option has one cash-profile row per year and council; the status quo saves nothing, so its
    gap is the whole target, which in the first year is the real target x its share x 1.02 (price)."""
    from ddanalysis.engine import appraise

    result = appraise("cwac-wirral-school-services", draws=0, with_switching=False, with_sensitivity=False)
    doc = result.to_dict()
    sq = doc["options"][0]
    assert len(sq["cash_profile"]) == 2 * doc["horizon_years"]
    first = sq["cash_profile"][0]
    assert (first["year"], first["council"]) == (doc["first_year"], "E0604")
    assert first["net_cash_saving_gbp"] == 0.0
    assert first["gap_gbp"] == pytest.approx(doc["savings_target_gbp"] * 0.4951 * 1.02, abs=0.02)
