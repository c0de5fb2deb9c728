"""The bundled extract ``data/official/rs_programme_councils.csv`` and the build that writes it.

Expected figures were read off the official workbooks by hand with xlrd (cells quoted); the
bundled CSV is checked without the workbooks, the rebuild with them (skipped when absent).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from ddanalysis import config, registry, sources
from ddanalysis.errors import DataFileError
from ddanalysis.sources import build

FIX = Path(__file__).resolve().parent / "fixtures" / "rs"
BUNDLED = config.data_path("official")


def value(frame, year, e_code, service):
    rows = frame[(frame.year == year) & (frame.e_code == e_code) & (frame.service == service)]
    assert len(rows) == 1
    return rows.value_gbp_k.iloc[0]


def check_programme_values(frame):
    # RS LA Data 2012-13 (1) F321 Walsall education; 2014-15 (1) M154 Dover cultural;
    # 2013-14 (1) I145 Hull adult social care; 2010-11 (1) F62 Devon education
    assert value(frame, "2012-13", "E4606", "education") == 173590
    assert value(frame, "2014-15", "E2234", "cultural") == 2055
    assert value(frame, "2013-14", "E2002", "adult_social_care") == 74328
    assert value(frame, "2010-11", "E1121", "education") == 542187


def test_bundled_extract_has_the_programme_councils_every_year():
    frame = sources.programme_outturn()
    check_programme_values(frame)
    councils = registry.councils()
    assert set(frame.e_code.astype(str)) == set(councils.e_code)
    assert set(frame.ons_code.astype(str)) == set(councils.ons_code)  # filled for 2010-11 to 2013-14 too
    years = frame.groupby("e_code", observed=True).year.nunique()
    assert (years == 8).all()  # RS 2010-11 to 2016-17 and RSX 2021-22 (net current expenditure): outturn only
    assert set(frame.measure.astype(str)) == {"outturn"}
    assert list(sources.OUTTURN_SCHEMA.columns) == list(frame.columns)
    every = sources.programme_outturn(measure=None)
    assert set(every.measure.astype(str)) >= {"outturn", "outturn_employees", "outturn_income", "budget"}
    # RA_2021-22_data_by_LA.csv EX301 Walsall TOTAL SERVICE EXPENDITURE (799), budget
    assert value(every[every.measure == "budget"], "2021-22", "E4606", "total_service_expenditure") == 486356


def test_bundled_lookup_names_every_authority_by_either_code():
    lookup = pd.read_csv(BUNDLED / "rs_code_lookup.csv", dtype=str, keep_default_na=False)
    assert lookup.e_code.is_unique and len(lookup) > 440
    row = lookup.set_index("e_code").loc["E0901"]  # Cumberland, unitary from 2023 (RA 2023-24 row 88)
    assert row.ons_code == "E06000063" and row.authority_class == "UA" and row.first_year == "2023-24"
    assert lookup.set_index("e_code").loc["E4606"].ons_code == "E08000030"


def test_bundled_readme_credits_source_and_licence():
    text = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for needle in (
        "Department for Communities and Local Government",
        "Local authority revenue expenditure and financing",
        "Open Government Licence v3.0",
        "make data",
        "Revenue_Outturn_Summary__RS__data_2014-15_by_LA_-_02-Feb-2016.xls",
    ):
        assert needle in text


def test_programme_outturn_errors_name_the_file(tmp_path):
    missing = tmp_path / "none.csv"
    with pytest.raises(DataFileError, match="make data") as info:
        sources.programme_outturn(missing)
    assert str(missing) in str(info.value)
    bad = tmp_path / "bad.csv"
    bad.write_text("year,council,value\n2014-15,E4606,1\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        sources.programme_outturn(bad)
    assert str(bad) in str(info.value) and "expected" in str(info.value)
    wrong = tmp_path / "wrong.csv"
    text = (BUNDLED / "rs_programme_councils.csv").read_text(encoding="utf-8").replace(",MD,", ",XX,", 1)
    wrong.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match="authority_class") as info:
        sources.programme_outturn(wrong)
    assert str(wrong) in str(info.value)


@pytest.mark.official
def test_rebuild_reproduces_the_bundled_files(official_dir, tmp_path):
    written = build.build(official_dir, tmp_path)
    for name in ("rs_programme_councils.csv", "rs_code_lookup.csv", "rs_class_medians.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (BUNDLED / name).read_bytes(), f"{name} is out of date: run make data"
    check_programme_values(sources.programme_outturn(written["programme"]))
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary files left behind


def test_build_needs_every_programme_council(tmp_path):
    folder = tmp_path / "official"
    folder.mkdir()
    shutil.copy(FIX / "rs_2017-18_style.xlsx", folder)
    out = tmp_path / "out"
    with pytest.raises(DataFileError, match="programme council") as info:
        build.build(folder, out)
    assert "rs_2017-18_style.xlsx" in str(info.value)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


def test_build_without_workbooks(tmp_path):
    assert build.main(["--official-dir", str(tmp_path / "absent"), "--out-dir", str(tmp_path / "out")]) == 2
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="no .xls, .xlsx, .ods or .csv"):
        build.build(tmp_path / "empty", tmp_path / "out")
