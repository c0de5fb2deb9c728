"""``ddanalysis outturn FILE... [--council CODE]... [--service KEY]... [--format csv|json]``.

Run on the fixture workbooks (tests/fixtures/rs); expected figures are those typed into
make_fixtures.py (ILLUSTRATIVE), with their cells.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from conftest import run_outturn

FIX = Path(__file__).resolve().parent / "fixtures" / "rs"
XLSX_2017 = FIX / "rs_2017-18_style.xlsx"
XLS_2014 = FIX / "rs_2014-15_style.xls"


def test_csv_for_one_council_and_service_in_two_files(capsys):
    code, out, _ = run_outturn(capsys, str(XLS_2014), str(XLSX_2017), "--council", "E2234", "--service", "cultural")
    assert code == 0
    table = pd.read_csv(io.StringIO(out), dtype={"year": str})
    assert list(table.columns) == [
        "year",
        "e_code",
        "ons_code",
        "authority",
        "authority_class",
        "measure",
        "rs_line",
        "service",
        "label",
        "value_gbp_k",
    ]
    # Dover cultural: M10 of the 2014-15 fixture and L11 of the 2017-18 fixture, both 2055
    assert table[["year", "e_code", "value_gbp_k"]].values.tolist() == [
        ["2014-15", "E2234", 2055],
        ["2017-18", "E2234", 2055],
    ]


def test_json_by_ons_code_with_missing_as_null(capsys):
    code, out, _ = run_outturn(
        capsys,
        str(XLSX_2017),
        "--council",
        "E10000008",
        "--service",
        "cultural",
        "--service",
        "education",
        "--format",
        "json",
    )
    assert code == 0
    records = json.loads(out)
    assert [(r["e_code"], r["service"], r["value_gbp_k"]) for r in records] == [
        ("E1121", "education", 250401.0),  # F12
        ("E1121", "cultural", None),  # L12 '..'
    ]
    assert records[0]["rs_line"] == 190 and records[0]["authority"] == "Devon CC"


def test_unknown_service_key_lists_valid_keys(capsys):
    code, out, err = run_outturn(capsys, str(XLSX_2017), "--service", "libraries")
    assert code == 2 and out == ""
    assert "unknown service key 'libraries'" in err and "valid service keys: education" in err
    assert str(XLSX_2017) in err


def test_unknown_council_and_bad_file(capsys):
    code, _, err = run_outturn(capsys, str(XLSX_2017), "--council", "Hull")
    assert code == 2 and "unknown council 'Hull'" in err
    code, _, err = run_outturn(capsys, str(FIX / "not_rs.xlsx"))
    assert code == 2 and "not_rs.xlsx" in err and "'E-code' and 'Local authority'" in err


def test_unknown_format(capsys):
    code, _, err = run_outturn(capsys, str(XLSX_2017), "--format", "xml")
    assert code == 2 and "valid formats: csv, json" in err
