"""Council context: official spending in cash and real terms against the class median."""

import pandas as pd
import pytest

from ddanalysis.context import class_medians, council_spending, deflate, project_spending, spending_change
from ddanalysis.errors import UnknownKeyError


def test_deflate_by_hand():
    deflator = pd.Series({"2010-11": 93.4, "2014-15": 100.0})
    # GBP 1,000k in 2010-11 cash is 1000 x 100 / 93.4 = 1070.664 in 2014-15 prices
    out = deflate(pd.Series([1000.0, 1000.0]), pd.Series(["2010-11", "2014-15"]), deflator)
    assert out.tolist() == pytest.approx([1070.6638, 1000.0], abs=1e-4)


def test_council_figures_match_cells_read_off_the_workbooks():
    dover = council_spending("E2234", ("cultural",)).set_index("year")
    assert dover.loc["2014-15", "cash_gbp_k"] == 2055  # RS LA Data 2014-15 (1), cell M154
    hull = council_spending("E06000010", ("adult_social_care",)).set_index("year")  # by ONS code
    assert hull.loc["2013-14", "cash_gbp_k"] == 74328  # RS LA Data 2013-14 (1), cell I145
    # base year: real equals cash
    assert hull.loc["2014-15", "real_gbp_k"] == hull.loc["2014-15", "cash_gbp_k"]


def test_class_median_is_the_median_of_every_council_of_the_class(official_dir):
    # independent: read the 2014-15 sheet with pandas, take unitary authorities' cultural column
    path = next(official_dir.glob("*2014-15*.xls"))
    sheet = pd.read_excel(path, sheet_name="RS LA Data 2014-15 (1)", header=None, engine="calamine")
    header_row = next(i for i in range(15) if str(sheet.iloc[i, 0]).strip() == "E-code")
    head = [str(x).strip() for x in sheet.iloc[header_row]]
    col_class = head.index("Class")
    col_cult = next(i for i, h in enumerate(head) if h.lower().startswith("cultural"))
    body = sheet.iloc[header_row + 1 :]
    body = body[body.iloc[:, 0].astype(str).str.match(r"^E\d{4}$")]  # authorities only, not the class totals
    ua = body[body.iloc[:, col_class].astype(str).str.strip() == "UA"].iloc[:, col_cult]
    expected = pd.to_numeric(ua, errors="coerce").dropna().median()
    med = class_medians().set_index(["year", "authority_class", "service"])
    assert med.loc[("2014-15", "UA", "cultural"), "median_gbp_k"] == pytest.approx(expected)


def test_project_spending_covers_every_council_and_year():
    f = project_spending("cwac-wirral-school-services")
    assert set(f.authority) == {"Cheshire West and Chester", "Wirral"}
    assert set(f.year) == {"2010-11", "2011-12", "2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2021-22"}
    assert set(f.service) == {"education"}
    assert f.class_median_cash_gbp_k.notna().all()
    # 2021-22 (RSX net current expenditure) is beyond the GDP deflator series: cash kept, no real figure
    late = f[f.year == "2021-22"]
    assert late.cash_gbp_k.notna().all() and late.real_gbp_k.isna().all()


def test_spending_change_real_terms():
    f = council_spending("E2234", ("cultural",))
    ch = spending_change(f, "2011-12", "2014-15").iloc[0]
    a = f.set_index("year").loc["2011-12", "real_gbp_k"]
    b = f.set_index("year").loc["2014-15", "real_gbp_k"]
    assert ch.council_change == pytest.approx(b / a - 1)


def test_unknown_council_and_service():
    with pytest.raises(UnknownKeyError, match="unknown council 'Dover'"):
        council_spending("Dover")
    with pytest.raises(UnknownKeyError, match="unknown service 'libraries'"):
        council_spending("E2234", ("libraries",))
