"""RS in every layout and format, RSX and RA as their own measures, and nothing passed off as what it is not.

* the fault files in ../shared/data/cases (rs-accessible-layout/*, not-outturn/*), one test each,
  asserting the values the cases README asks for (skipped when ../shared is absent);
* the owned OpenDocument fixture tests/fixtures/rs/rs_2024-25_accessible.ods (made by
  make_ods_fixture.py, whose EXPECTED lists the cells);
* the real RS, RSX and RA files in ../shared/data/official (``official_dir`` fixture), with values
  read off by hand: each cell was found by its row label (E-code in column A) and its column header,
  reading the file with the csv module or python-calamine, not with the loader; the cell is named in
  each docstring (CSV rows are spreadsheet rows, i.e. records, as a spreadsheet program shows them);
* refusals (spending-over-GBP-500 file, random workbook, RA passed as RS) and encodings.
"""

from __future__ import annotations

import io
import math
import os
import stat
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_outturn

from ddanalysis import cli, config, sources
from ddanalysis.errors import DataFileError

FIX = Path(__file__).resolve().parent / "fixtures" / "rs"
ODS = FIX / "rs_2024-25_accessible.ods"
CASES = config.REPO_DIR.parent / "shared" / "data" / "cases"
ACCESSIBLE = CASES / "rs-accessible-layout"
RA_SMALL = CASES / "not-outturn" / "revenue_account_budget_2016-17_small.xlsx"

sys.path.insert(0, str(FIX))
from make_ods_fixture import EXPECTED as ODS_EXPECTED  # noqa: E402

needs_cases = pytest.mark.skipif(not CASES.is_dir(), reason=f"fault files not found in {CASES} (../shared/data/cases)")


def value(frame: pd.DataFrame, e_code: str, service: str, measure: str | None = None, year: str | None = None) -> float:
    mask = (frame.e_code == e_code) & (frame.service == service)
    if measure is not None:
        mask &= frame.measure == measure
    if year is not None:
        mask &= frame.year == year
    rows = frame[mask]
    assert len(rows) == 1, (e_code, service, measure, len(rows))
    return rows.value_gbp_k.iloc[0]


# --- the fault files (../shared/data/cases) ---------------------------------------------------------


@needs_cases
def test_case_control_reads_today():
    """control_reads_today.xlsx: H9 Walsall education 1000, J10 Barking TSE 4000; Hull's blank row 12
    is 3 missing values; the ENGLAND row (13) is not an authority."""
    frame = sources.read_rs(ACCESSIBLE / "control_reads_today.xlsx")
    assert value(frame, "E4606", "education") == 1000
    assert value(frame, "E5030", "total_service_expenditure") == 4000
    assert math.isnan(value(frame, "E2002", "education"))
    assert frame.attrs["missing_values"] == 3
    assert sorted(frame.e_code.astype(str).unique()) == ["E2002", "E4606", "E5030", "E5100", "E6803"]
    assert set(frame.measure.astype(str)) == {"outturn"} and set(frame.year.astype(str)) == {"2023-24"}


@needs_cases
def test_case_class_breakdown_table_below_england_is_left_out():
    """Rows 15-18 (header 'Class Breakdown [O]', '[Y]' rows, the GLA again in row 18) are not
    authorities: the GLA appears once, with J13 = 9000 (its repeat J18 is also 9000 but is not read)."""
    frame = sources.read_rs(ACCESSIBLE / "class_breakdown_table_below_england.xlsx")
    gla = frame[frame.e_code == "E5100"]
    assert len(gla) == 3  # one row per service, once
    assert value(frame, "E5100", "total_service_expenditure") == 9000
    assert frame.e_code.nunique() == 5
    report = frame.attrs["rs_report"][0]
    assert report["authorities"] == 5 and "[Y]" in report["excluded_rows"]


@needs_cases
def test_case_class_lb_is_a_london_borough():
    """E10 'LB' (Barking and Dagenham) is read as the canonical London-borough class L."""
    frame = sources.read_rs(ACCESSIBLE / "class_LB_for_london_boroughs.xlsx")
    barking = frame[frame.e_code == "E5030"]
    assert set(barking.authority_class.astype(str)) == {"L"}
    assert value(frame, "E5030", "education") == 800  # H10
    assert frame.attrs["rs_report"][0]["classes_as_published"]["LB"] == 1


@needs_cases
def test_case_e_code_in_ons_column_keeps_the_body():
    """B11 holds 'E6803' (Lee Valley): ONS code missing, body kept with its figures (J11 = 10)."""
    frame = sources.read_rs(ACCESSIBLE / "e_code_in_ons_column.xlsx")
    lee = frame[frame.e_code == "E6803"]
    assert len(lee) == 3 and lee.ons_code.isna().all()
    assert value(frame, "E6803", "total_service_expenditure") == 10
    assert frame.attrs["rs_report"][0]["e_code_in_ons_column"] == ["E6803 (B11: 'E6803')"]
    # the codes around it are still read
    assert set(frame[frame.e_code == "E4606"].ons_code.astype(str)) == {"E08000030"}


@needs_cases
def test_case_x_in_brackets_is_missing_and_counted():
    """H12:J12 are '[x]' for Hull: three missing values, never 0; G12 '[x]' (Certification) is not a figure."""
    frame = sources.read_rs(ACCESSIBLE / "x_in_brackets_missing_marker.xlsx")
    hull = frame[frame.e_code == "E2002"]
    assert len(hull) == 3 and hull.value_gbp_k.isna().all()
    assert frame.attrs["missing_values"] == 3
    assert frame.attrs["rs_report"][0]["missing_by_marker"] == {"[x]": 3}
    assert "certification" not in set(frame.service.astype(str))


@needs_cases
def test_case_revenue_account_budget_is_not_outturn(capsys):
    """revenue_account_budget_2016-17_small.xlsx ('Revenue Account Budget (RA): 2016-17 data'):
    refused as RS, read as budget by read_official; F6 'TOTAL OTHER SERVICES' (line 698) is 'other',
    never total service expenditure: that is G6 'TOTAL SERVICE EXPENDITURE' (line 799), G8 Walsall 4000."""
    with pytest.raises(DataFileError, match="not a Revenue Outturn Summary") as info:
        sources.read_rs(RA_SMALL)
    assert "Revenue Account budget (RA)" in str(info.value)
    frame = sources.read_official(RA_SMALL)
    assert set(frame.measure.astype(str)) == {"budget"}
    assert value(frame, "E4606", "other") == 40  # F8
    assert value(frame, "E4606", "total_service_expenditure") == 4000  # G8
    assert value(frame, "E2002", "education") == 900  # E9
    lines = dict(zip(frame.service.astype(str), frame.rs_line))
    assert lines["other"] == 698 and lines["total_service_expenditure"] == 799
    code, out, err = run_outturn(capsys, str(RA_SMALL))
    assert code == 2 and out == "" and "Traceback" not in err
    assert "no 'outturn' figures" in err and "budget" in err
    code, out, err = run_outturn(capsys, str(RA_SMALL), "--measure", "budget", "--council", "E4606")
    assert code == 0 and "measure: budget" in err
    table = pd.read_csv(io.StringIO(out))
    assert (
        set(table.measure) == {"budget"} and table.set_index("service").value_gbp_k["total_service_expenditure"] == 4000
    )
    # read beside an RS file for outturn, the RA budget is said to be read but to hold no outturn figures
    code, out, err = run_outturn(capsys, str(ODS), str(RA_SMALL))
    assert code == 0 and "; from RS 2024-25; GBP thousand (also read, holding no such figures: RA 2016-17)" in err


# --- the owned .ods fixture -------------------------------------------------------------------------


def test_ods_accessible_layout_fixture():
    """rs_2024-25_accessible.ods (make_ods_fixture.py): values at the cells listed in its EXPECTED."""
    frame = sources.read_rs(ODS)
    report = frame.attrs["rs_report"][0]
    assert report["format"] == "ods" and report["sheet"] == "RS_LA_Data_202425" and report["year"] == "2024-25"
    assert report["header_row"] == 8 and report["rs_line_row"] == 6
    for (e_code, service), expected in ODS_EXPECTED.items():
        got = value(frame, e_code, service)
        assert math.isnan(got) if expected is None else got == expected, (e_code, service, got)
    assert report["missing_by_marker"] == {"[c]": 1, "[low]": 1, "[x]": 1, "[z]": 2}
    assert frame.attrs["missing_values"] == 5
    assert frame.e_code.nunique() == 6  # ENGLAND and the Class Breakdown table left out; GLA once
    assert set(frame[frame.e_code == "E5030"].authority_class.astype(str)) == {"L"}
    assert frame[frame.e_code == "E6803"].ons_code.isna().all()
    assert set(frame.service.astype(str)) == {"education", "adult_social_care", "cultural", "total_service_expenditure"}
    assert report["descriptive_columns"] == ["certification", "detailed_class", "notes"]


def test_ods_renamed_is_found_by_content(tmp_path):
    renamed = tmp_path / "rs_download"  # no extension
    renamed.write_bytes(ODS.read_bytes())
    frame = sources.read_rs(renamed)
    assert value(frame, "E4606", "education") == 190100


# --- years, encodings, keys -------------------------------------------------------------------------


def _csv(title: str, header_extra: str = "Education services,TOTAL OTHER SERVICES") -> str:
    return (
        f"{title},,,,\n,,,190,698\n"
        f"E-code,Local authority,Class,{header_extra}\n"
        "E4606,Walsall,MD,10,20\nE2002,Kingston upon Hull,UA,[x],30\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_csv_encodings_and_compact_year(tmp_path, encoding):
    path = tmp_path / "rs.csv"
    path.write_bytes(_csv("Revenue Outturn Summary (RS) 202324 \u00a3 thousand").encode(encoding))
    frame = sources.read_rs(path)
    report = frame.attrs["rs_report"][0]
    assert report["year"] == "2023-24" and report["encoding"] == encoding
    assert value(frame, "E4606", "education") == 10
    assert math.isnan(value(frame, "E2002", "education"))


def test_a_column_is_never_keyed_by_its_line_number(tmp_path):
    """Line 698 over 'TOTAL OTHER SERVICES' gives the key 'other', never total_service_expenditure."""
    path = tmp_path / "rs.csv"
    path.write_text(_csv("Revenue Outturn Summary (RS) 2023-24"), encoding="utf-8")
    frame = sources.read_rs(path)
    assert set(frame.service.astype(str)) == {"education", "other"}
    assert value(frame, "E4606", "other") == 20


def test_title_naming_no_return_is_refused(tmp_path):
    path = tmp_path / "mystery.csv"
    path.write_text(_csv("Local authority figures 2023-24"), encoding="utf-8")
    with pytest.raises(DataFileError, match="names none of them"):
        sources.read_official(path)


# --- refusals ---------------------------------------------------------------------------------------


def test_spending_over_500_file_is_refused_saying_what_it_looks_like(tmp_path, capsys):
    path = tmp_path / "spend_over_500_march.csv"
    path.write_text(
        "Body name,Date,Expense type,Supplier name,Transaction number,Amount\n"
        "Walsall Council,01/03/2024,Stationery,Acme Ltd,12345,612.50\n",
        encoding="utf-8",
    )
    code, out, err = run_outturn(capsys, str(path))
    assert code == 2 and out == "" and "Traceback" not in err
    assert "spending-over-\u00a3500" in err and ".ods" in err and ".csv" in err


def test_random_workbook_is_refused_naming_its_sheets(tmp_path, capsys):
    path = tmp_path / "notes.xlsx"
    pd.DataFrame({"Meeting": ["Cabinet"], "Date": ["2024-03-01"]}).to_excel(path, sheet_name="Minutes", index=False)
    code, _, err = run_outturn(capsys, str(path))
    assert code == 2 and "'Minutes'" in err and "'Meeting'" in err and "Traceback" not in err


def test_help_names_the_formats_read(capsys):
    with pytest.raises(SystemExit):
        cli.main(["outturn", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert ".ods" in out and ".csv" in out and "RSX" in out and "RA" in out and "--measure" in out


# --- cache: no pickle, a private folder ---------------------------------------------------------------


def test_cache_entries_are_npz_without_pickle(tmp_path):
    cache = tmp_path / "cache"
    first = sources.read_rs(ODS, cache=cache)
    (entry,) = cache.glob("*.npz")
    import numpy as np

    with np.load(entry, allow_pickle=False) as arrays:  # would raise if any array needed pickle
        assert "value_gbp_k" in arrays.files
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert sources.read_rs(ODS, cache=cache).equals(first)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_cache_folder_open_to_others_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.warns(UserWarning, match="closed to others"):
        frame = sources.read_rs(ODS, cache=shared)
    assert value(frame, "E4606", "education") == 190100
    assert not list(shared.iterdir())


# --- the real files (../shared/data/official) ------------------------------------------------------


@pytest.mark.official
def test_real_rsx_2021_22(official_dir):
    """RSX_2021-22_data_by_LA.csv (UTF-8 with BOM), header row 11: G391 Walsall 'Education services -
    Employees (C1)' = 132,094; CZ391 Walsall 'Total Service Expenditure - Net Current Expenditure (C7)'
    = 460,290; AG104 Devon 'Adult Social Care - Total Income (C6)' = 134,999; AX111 Dover 'Cultural and
    related services - Running Expenses (C2)' = 2,546."""
    frame = sources.read_official(official_dir / "RSX_2021-22_data_by_LA.csv")
    assert value(frame, "E4606", "education", "outturn_employees") == 132094
    assert value(frame, "E4606", "total_service_expenditure", "outturn") == 460290
    assert value(frame, "E1121", "adult_social_care", "outturn_income") == 134999
    assert value(frame, "E2234", "cultural", "outturn_running_expenses") == 2546
    report = frame.attrs["rs_report"][0]
    assert report["return"] == "RSX" and report["encoding"] == "utf-8-sig" and report["year"] == "2021-22"
    assert len(report["measures"]) == 7
    with pytest.raises(DataFileError, match="Service Expenditure Summary"):
        sources.read_rs(official_dir / "RSX_2021-22_data_by_LA.csv")


@pytest.mark.official
def test_real_ra_2021_22(official_dir):
    """RA_2021-22_data_by_LA.csv, header row 7, line numbers row 6: CR143 Dover 'Tourism' (504) = 586;
    EW301 Walsall 'TOTAL OTHER SERVICES' (698) = 32,639; EX301 'TOTAL SERVICE EXPENDITURE' (799) = 486,356;
    GV301 'COUNCIL TAX REQUIREMENT (total of lines 900 to 985) (a)' (990) = 132,545, keyed without '(a)'."""
    frame = sources.read_official(official_dir / "RA_2021-22_data_by_LA.csv", measure="budget")
    assert value(frame, "E2234", "tourism") == 586
    assert value(frame, "E4606", "other") == 32639
    assert value(frame, "E4606", "total_service_expenditure") == 486356
    assert value(frame, "E4606", "council_tax_requirement") == 132545
    lines = frame[frame.e_code == "E4606"].set_index("service").rs_line
    assert lines["other"] == 698 and lines["total_service_expenditure"] == 799 and lines["tourism"] == 504


@pytest.mark.official
def test_real_ra_2023_24_accessible_csv(official_dir):
    """RA_2023-24_data_Part_1.csv (no BOM; Mac OS Roman typographic bytes), header row 10: CT193
    Kirklees 'Open spaces' (507) = 4,917; CV265 Nottinghamshire 'Library service' (505) = 10,746;
    EY88 Cumberland (E0901, E06000063, new UA) 'TOTAL SERVICE EXPENDITURE' = '...' (missing);
    GO75 Chesterfield line 891 = byte 0xC9, the ellipsis marker."""
    frame = sources.read_official(official_dir / "RA_2023-24_data_Part_1.csv")
    assert value(frame, "E4703", "open_spaces") == 4917
    assert value(frame, "E3021", "library_service") == 10746
    assert math.isnan(value(frame, "E0901", "total_service_expenditure"))
    cumberland = frame[frame.e_code == "E0901"]
    assert set(cumberland.ons_code.astype(str)) == {"E06000063"} and set(cumberland.authority_class.astype(str)) == {
        "UA"
    }
    assert math.isnan(value(frame, "E1033", frame[frame.rs_line == 891].service.astype(str).iloc[0]))
    report = frame.attrs["rs_report"][0]
    assert report["encoding"] == "mac_roman" and report["missing_by_marker"]["\u2026"] == 26
    assert "COVID-19 discharge costs" in [d["label"] for d in report["dropped_columns"]]


@pytest.mark.official
def test_real_rs_2015_16_and_2016_17(official_dir):
    """RS LA Data 2015-16 F111 Portsmouth UA 'Education services' = 103,647; RS LA Data 2016-17 I294
    Manchester 'Adult Social Care' = 138,223 and F291 Isles of Scilly education '\u2026' (missing)."""
    frame = sources.read_rs_many(
        [official_dir / "RS_2015-16_data_by_LA_-_Revision.xlsx", official_dir / "RS_2016-17_data_by_LA.xlsx"]
    )
    assert value(frame, "E1701", "education", year="2015-16") == 103647
    assert value(frame, "E4203", "adult_social_care", year="2016-17") == 138223
    assert math.isnan(value(frame, "E4001", "education", year="2016-17"))


@pytest.mark.official
def test_every_official_file_reads_and_only_rs_through_read_rs(official_dir):
    files = sorted(p for p in official_dir.iterdir() if p.suffix.lower() in (".xls", ".xlsx", ".ods", ".csv"))
    frame = sources.read_official(files)
    kinds = {r["return"] for r in frame.attrs["rs_report"]}
    assert kinds == {"RS", "RSX", "RA"}
    by_year = frame.groupby("measure", observed=True).year.unique()
    assert set(by_year["budget"]) == {"2021-22", "2023-24"}
    assert {"2010-11", "2016-17", "2021-22"} <= set(by_year["outturn"])


def test_rs_and_rsx_of_one_year_keep_the_rs_net_figure(tmp_path):
    """Both give a block's net current expenditure (measure outturn): the RS figure is kept, the RSX
    one left out and counted; RSX's employees etc. stay. Figures typed here."""
    rs = tmp_path / "rs.csv"
    rs.write_text(
        "Revenue Outturn Summary (RS) 2021-22,,,\nE-code,Local authority,Class,Education services\n"
        "E4606,Walsall,MD,193410\n",
        encoding="utf-8",
    )
    rsx = tmp_path / "rsx.csv"
    rsx.write_text(
        "Service Expenditure Summary (RSX) 2021-22,,,,\nE-code,Local authority,Class,"
        "Education services - Employees (C1),Education services - Net Current Expenditure (C7 = C3 - C6)\n"
        "E4606,Walsall,MD,132094,193411\n",
        encoding="utf-8",
    )
    frame = sources.read_official([rs, rsx])
    assert value(frame, "E4606", "education", "outturn") == 193410
    assert value(frame, "E4606", "education", "outturn_employees") == 132094
    report = next(r for r in frame.attrs["rs_report"] if r["return"] == "RSX")
    assert report["outturn_left_to_rs"] == {"file": str(rs), "rows": 1, "differing": 1}


def test_pdf_and_binary_files_are_named_as_such(tmp_path):
    pdf = tmp_path / "rs.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(DataFileError, match="a PDF document"):
        sources.read_rs(pdf)
    blob = tmp_path / "rs.csv"
    blob.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(DataFileError, match="binary content"):
        sources.read_rs(blob)


def test_truncated_ods(tmp_path):
    cut = tmp_path / "cut.ods"
    raw = ODS.read_bytes()
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataFileError, match=r"cannot be read as an OpenDocument spreadsheet \(.ods by its content\)"):
        sources.read_rs(cut)


@needs_cases
def test_select_by_measure_never_mixes(tmp_path):
    """ODS fixture (outturn, H9 Walsall education 190100) with the RA case file (budget, E8 Walsall 1000)."""
    both = sources.read_official([ODS, RA_SMALL])
    walsall = sources.select_outturn(both, councils=["E4606"], services=["education"])
    assert sorted(walsall.measure.astype(str)) == ["budget", "outturn"]
    budget = sources.select_outturn(both, councils=["E08000030"], services=["education"], measures=["budget"])
    assert list(budget.value_gbp_k) == [1000]
    with pytest.raises(Exception, match="measures present: budget, outturn"):
        sources.select_outturn(both, measures=["outturn_employees"])
