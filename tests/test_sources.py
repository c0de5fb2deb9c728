"""The RS loader on the real DCLG workbooks in ../shared/data/official (skipped when absent).

Expected values were read off the workbooks by hand in a scratch session with xlrd
(``xlrd.open_workbook(f).sheet_by_name('RS LA Data yyyy-yy (1)').cell_value(row, col)``), and are
quoted with their cell addresses; none comes from the loader's own output.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ddanalysis import sources
from ddanalysis.errors import DataFileError, UnknownKeyError

pytestmark = pytest.mark.official

YEARS = ["2010-11", "2011-12", "2012-13", "2013-14", "2014-15"]


@pytest.fixture(scope="module")
def files(official_dir):
    found = sorted(official_dir.glob("Revenue_Outturn_Summary*.xls"))
    assert len(found) == 5, f"expected the five RS workbooks 2010-11 to 2014-15 in {official_dir}"
    return found


@pytest.fixture(scope="module")
def frame(files) -> pd.DataFrame:
    return sources.read_rs_many(files)


def value(
    frame: pd.DataFrame, year: str, e_code: str, *, service: str | None = None, label: str | None = None
) -> float:
    rows = frame[(frame.year == year) & (frame.e_code == e_code)]
    rows = rows[rows.service == service] if service else rows[rows.label == label]
    assert len(rows) == 1, (year, e_code, service, label, len(rows))
    return rows.value_gbp_k.iloc[0]


def file_for(files, year):
    return next(f for f in files if year in f.name)


def test_figures_read_off_the_workbooks(frame):
    # 2012-13 sheet 'RS LA Data 2012-13 (1)': A321 'E4606' Walsall, F321 'Education services' = 173590
    assert value(frame, "2012-13", "E4606", service="education") == 173590
    # 2014-15 sheet '(1)': A154 'E2234' Dover, M154 'Cultural and related services' = 2055
    assert value(frame, "2014-15", "E2234", service="cultural") == 2055
    # 2013-14 sheet '(1)': A145 'E2002' Kingston-upon-Hull UA, I145 'Adult Social Care' = 74328
    assert value(frame, "2013-14", "E2002", service="adult_social_care") == 74328
    # 2010-11 sheet '(1)': A145 'E2002' Kingston upon Hull UA, H145 'Social care' (combined) = 132316
    assert value(frame, "2010-11", "E2002", service="social_care") == 132316
    # 2011-12 sheet '(1)': H145 'Children Social Care' = 52686, I145 'Adult Social Care' = 77299
    assert value(frame, "2011-12", "E2002", service="childrens_social_care") == 52686
    assert value(frame, "2011-12", "E2002", service="adult_social_care") == 77299


def test_hull_is_matched_by_code_not_by_the_name_inside_solihull(frame):
    # 2013-14: A145 'E2002' 'Kingston-upon-Hull UA' I145 = 74328; A320 'E4605' 'Solihull' I320 = 58333
    hull = sources.select_outturn(frame, councils=["E2002"], services=["adult_social_care"])
    assert hull.set_index("year").loc["2013-14", "value_gbp_k"] == 74328
    assert set(hull.e_code.astype(str)) == {"E2002"}
    assert value(frame, "2013-14", "E4605", service="adult_social_care") == 58333
    assert list(hull.year.astype(str)) == YEARS[1:]  # 2010-11 has the combined 'Social care' only
    # the name changes between years (A145: 'Kingston upon Hull UA' 2010-11, 'Kingston-upon-Hull UA' 2013-14)
    names = dict(zip(hull.year.astype(str), hull.authority.astype(str)))
    assert names["2011-12"] == "Kingston upon Hull UA" and names["2013-14"] == "Kingston-upon-Hull UA"
    everything = sources.select_outturn(frame, councils=["E2002"])
    assert list(everything.drop_duplicates("year").year.astype(str)) == YEARS
    with pytest.raises(UnknownKeyError, match="'Hull'"):
        sources.select_outturn(frame, councils=["Hull"])


def test_devon_by_ons_code_excludes_its_police_and_fire_bodies(frame):
    # 2014-15: A62 'E1121' B62 'E10000008' 'Devon CC'; A447 'E7051' B447 'n/a' Devon & Cornwall Police
    devon = sources.select_outturn(frame, councils=["E10000008"], services=["education"])
    assert set(devon.e_code.astype(str)) == {"E1121"}
    assert list(devon.year.astype(str)) == YEARS  # ONS code filled for 2010-11 to 2013-14
    # 2010-11 sheet '(1)': A62 'E1121' 'Devon', F62 'Education services' = 542187
    assert devon.set_index("year").loc["2010-11", "value_gbp_k"] == 542187
    police = frame[(frame.e_code == "E7051") & (frame.year == "2014-15")]
    assert police.ons_code.isna().all()  # 'n/a' in the file, no GSS code: stays missing


def test_every_authority_row_loaded_and_totals_left_out(frame):
    # Counted by hand: each sheet '(1)' has E-codes in A8:A451, 444 non-blank, none repeated.
    per_year = frame.groupby("year", observed=True).e_code.nunique()
    assert per_year.to_dict() == {y: 444 for y in YEARS}
    names = set(frame.authority.astype(str))
    assert not names & {"ENGLAND", "CLASS BREAKDOWN", "LONDON BOROUGHS", "SHIRE DISTRICTS", "OTHER AUTHORITIES"}
    assert frame.e_code.notna().all()
    # The authorities add up to the ENGLAND row (so it was neither dropped nor double counted):
    # F454 (2010-11) 45283348, F454 (2011-12) 40219115, F454 (2012-13) 37133633,
    # F454 (2013-14) 35880994, G454 (2014-15) 34477276 -- 'Education services' on the ENGLAND row.
    england = {"2010-11": 45283348, "2011-12": 40219115, "2012-13": 37133633, "2013-14": 35880994, "2014-15": 34477276}
    education = frame[frame.service == "education"].groupby("year", observed=True).value_gbp_k.sum()
    assert education.to_dict() == england


def test_missing_markers_are_nan_and_counted_not_zero(frame, files):
    # 2013-14 sheet '(1)': CR9 (E0102 Bristol) is '-'; CO22 (E0421 Buckinghamshire CC) is 'n/a';
    # CR117 (E1734 Fareham) is a genuine 0.
    parishes = (
        "The total amount paid to local parishes [by the billing authority] with respect to "
        "their council tax support allocation"
    )
    assert math.isnan(value(frame, "2013-14", "E0102", label=parishes))
    assert math.isnan(value(frame, "2013-14", "E0421", label="Total council tax revenue foregone - pensioners"))
    assert value(frame, "2013-14", "E1734", label=parishes) == 0
    # Counted by hand in 2013-14: columns CL..CR hold 118 'n/a' each and CR also 84 '-'. CL, CM, CN
    # are counts of people (dropped: not money), so the kept columns CO..CR hold 4 x 118 = 472 'n/a'
    # and 84 '-': 556 missing values. The other four workbooks have none.
    one = sources.read_rs(file_for(files, "2013-14"))
    report = one.attrs["rs_report"][0]
    assert report["missing_by_marker"] == {"n/a": 472, "-": 84}
    assert report["missing_values"] == 556 == one.attrs["missing_values"] == one.value_gbp_k.isna().sum()
    assert frame.attrs["missing_values"] == 556
    dropped = {d["column"] for d in report["dropped_columns"]}
    assert dropped == {"CF6", "CL6", "CM6", "CN6"}  # 'Please confirm (Yes=1 No=0)' + 3 counts of people


def test_yes_confirmation_column_is_not_a_service(frame):
    assert not frame.label.astype(str).str.startswith("Please confirm").any()
    assert not frame.label.astype(str).str.startswith("Number of").any()


def test_layouts_found_by_content(frame):
    reports = {r["year"]: r for r in frame.attrs["rs_report"]}
    assert [reports[y]["sheet"] for y in YEARS] == [f"RS LA Data {y} (1)" for y in YEARS]
    assert {r["header_row"] for r in reports.values()} == {6}
    assert [reports[y]["has_ons_code"] for y in YEARS] == [False, False, False, False, True]


def test_service_keys_and_rs_lines_across_years(frame):
    services = frame.groupby("year", observed=True).service.agg(lambda s: set(s.astype(str)))
    assert "social_care" in services["2010-11"] and "adult_social_care" not in services["2010-11"]
    for year in YEARS[1:]:
        assert {"childrens_social_care", "adult_social_care"} <= services[year]
        assert "social_care" not in services[year]
    assert "public_health" not in services["2012-13"] and "public_health" in services["2013-14"]
    for year in YEARS:
        assert set(sources.RS_LINES) - {"public_health", "childrens_social_care", "adult_social_care"} <= services[year]
    # rs_line is filled by service key for years that do not print line numbers
    lines = frame.drop_duplicates(["service", "rs_line"]).set_index("service").rs_line
    assert lines["education"] == 190 and lines["total_service_expenditure"] == 698 and lines["cultural"] == 509
    assert frame.loc[frame.service == "social_care", "rs_line"].isna().all()  # no line number known


def test_2010_11_repeated_services_keep_their_block(frame):
    # 2010-11: F62 (E1121) 'Education services' = 542187 and CD62 'Education services' under the
    # block heading CD5 'Net current expenditure (non-IAS19 and PFI "off-balance" sheet)' = 542187
    key = "net_current_expenditure_non_ias19_and_pfi_off_balance_sheet__education_services"
    assert value(frame, "2010-11", "E1121", service=key) == 542187
    assert value(frame, "2010-11", "E1121", service="education") == 542187


def test_ons_codes_filled_from_2014_15_for_earlier_years(frame):
    # 2014-15: A311 'E4501' Gateshead, B311 'E08000037'; A145 'E2002', B145 'E06000010'
    gateshead = frame[frame.e_code == "E4501"].drop_duplicates("year").set_index("year").ons_code.astype(str)
    assert gateshead.to_dict() == {y: "E08000037" for y in YEARS}
    hull = frame[frame.e_code == "E2002"].drop_duplicates("year").ons_code.astype(str)
    assert set(hull) == {"E06000010"}


def test_sorted_by_year_then_e_code(frame):
    keys = list(zip(frame.year.astype(str), frame.e_code.astype(str)))
    assert keys == sorted(keys)


def test_same_year_twice_names_both_files(files):
    f = file_for(files, "2012-13")
    with pytest.raises(DataFileError) as info:
        sources.read_rs_many([f, f])
    assert str(info.value).count(f.name) == 2 and "2012-13" in str(info.value)


def test_read_rs_one_file_fills_ons_from_bundled_lookup_and_registry(files):
    one = sources.read_rs(file_for(files, "2012-13"))
    # Walsall's ONS code, from data/councils.csv and the 2014-15 workbook (B322 'E08000030')
    assert set(one.loc[one.e_code == "E4606", "ons_code"].astype(str)) == {"E08000030"}
    assert one.attrs["rs_report"][0]["authorities"] == 444


def test_cache_reload_gives_the_same_frame(files, tmp_path):
    first = sources.read_rs_many(files[:2], cache=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2
    again = sources.read_rs_many(files[:2], cache=tmp_path)
    assert first.equals(again) and list(first.dtypes) == list(again.dtypes)
    assert again.attrs["rs_report"] == first.attrs["rs_report"]
