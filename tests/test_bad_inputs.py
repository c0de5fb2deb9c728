"""Bad inputs, end to end: each case of docs/bad_inputs.md drives the real CLI in a fresh process.

For every case the user must get exit status 2, nothing on stdout (nothing half-written), one
message on stderr that starts with 'error:', names the file (and row, sheet, cell or key) and says
what was expected, no traceback, and the input files unchanged (sha256 before and after). Nothing
may be written to the working folder either.

The broken files are made in tmp_path from the tests' own fixtures and the bundled data (cheap, so
no binary fixtures are committed for them): a workbook cut in half, a CSV re-encoded or re-delimited,
a data folder copied and one file broken (``DDANALYSIS_DATA`` points the CLI at it). The expected
row numbers, cells and keys are found in the test from the text it wrote, not from the loader.

The library-level checks of the same loaders (every baseline mistake, every RS layout problem,
every assumption-file rule) are in test_baseline.py, test_sources_fixtures.py and
test_assumptions.py; these tests are about what a command-line user sees.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from ddanalysis.template import write_template

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
FIX = Path(__file__).resolve().parent / "fixtures"
XLSX_2017 = FIX / "rs" / "rs_2017-18_style.xlsx"
XLS_2013 = FIX / "rs" / "rs_2013-14_style.xls"
PROTECTED_XLS = FIX / "rs" / "password_protected.xls"
GOOD_CSV = FIX / "baselines" / "good.csv"
PROJECT = "walsall-college"  # its short list includes mutual and charitable-trust (data/projects.yaml)


# --- helpers --------------------------------------------------------------------------------------


def sha256s(*paths: Path) -> dict[Path, str]:
    """sha256 of every file given, or under every folder given."""
    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*")))]
    return {f: hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.is_file()}


def cli(*args: str, cwd: Path, data: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m ddanalysis ARGS`` in a fresh process (the bundled data unless ``data`` is given)."""
    env = {k: v for k, v in os.environ.items() if k != "DDANALYSIS_DATA"}
    if data is not None:
        env["DDANALYSIS_DATA"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "ddanalysis", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )


def fails_cleanly(
    *args: str, cwd: Path, inputs: tuple[Path, ...] = (), data: Path | None = None, expect: tuple[str, ...] = ()
) -> str:
    """Run the CLI on a bad input and check everything a user must see; return the message.

    ``inputs``: files or folders that must be unchanged; ``expect``: text the message must hold.
    """
    watched = inputs + (DATA if data is None else data,)
    before = sha256s(*watched)
    listing = sorted(p.name for p in cwd.iterdir())
    out = cli(*args, cwd=cwd, data=data)
    err = out.stderr
    print(f"{os.environ.get('PYTEST_CURRENT_TEST', '')}\n{err}")  # shown when a test fails (and with -s)
    assert out.returncode == 2, (out.returncode, err)
    assert out.stdout == "", f"something was written to stdout:\n{out.stdout[:500]}"
    assert "Traceback" not in err, err
    assert err.startswith("error: "), err
    assert "\n\n" not in err.strip(), f"expected one paragraph:\n{err}"
    for text in expect:
        assert text in err, f"{text!r} not in:\n{err}"
    assert sha256s(*watched) == before, "an input file was modified"
    assert sorted(p.name for p in cwd.iterdir()) == listing, "a file was written to the working folder"
    return err


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """An empty working folder for the CLI (anything written there fails the test)."""
    d = tmp_path / "work"
    d.mkdir()
    return d


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled data folder, to break one file in."""
    dst = tmp_path / "data"
    shutil.copytree(DATA, dst)
    return dst


def replace_once(path: Path, old: str, new: str) -> int:
    """Replace the one occurrence of ``old`` in a text file (byte-for-byte elsewhere); return its line number."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def row_of(text: str, fragment: str) -> int:
    """1-based line number of the line holding ``fragment``."""
    return next(i for i, line in enumerate(text.splitlines(), start=1) if fragment in line)


# --- 1, 2: truncated and password-protected workbooks ------------------------------------------------


@pytest.mark.parametrize("source, what", [(XLSX_2017, "invalid Zip archive"), (XLS_2013, "Cfb error")])
def test_truncated_rs_workbook(work, tmp_path, source, what):
    cut = tmp_path / f"cut{source.suffix}"
    raw = source.read_bytes()
    cut.write_bytes(raw[: len(raw) // 2])
    fails_cleanly(
        "outturn",
        cut,
        cwd=work,
        inputs=(cut,),
        expect=(
            f"error: {cut}: cannot be read as an Excel workbook ({source.suffix} by its content)",
            what,
            "truncated",
            "Formats read: .xls, .xlsx, .ods or .csv",
        ),
    )


def test_password_protected_rs_workbook(work):
    fails_cleanly(
        "outturn",
        PROTECTED_XLS,
        cwd=work,
        inputs=(PROTECTED_XLS,),
        expect=(f"error: {PROTECTED_XLS}: the workbook is password-protected", "save an unprotected copy"),
    )


def test_password_protected_baseline_workbook(work, tmp_path):
    # an encrypted .xlsx is an OLE compound file, not a zip, just like this protected .xls renamed
    path = tmp_path / "baseline.xlsx"
    shutil.copy(PROTECTED_XLS, path)
    fails_cleanly(
        "check-baseline",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: not a readable .xlsx workbook",
            "password-protected",
            "save an unprotected copy as .xlsx",
        ),
    )


def test_truncated_baseline_workbook(work, tmp_path):
    full = write_template(tmp_path / "full.xlsx", project_id=PROJECT)
    cut = tmp_path / "baseline.xlsx"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    fails_cleanly(
        "check-baseline",
        cut,
        cwd=work,
        inputs=(cut,),
        expect=(f"error: {cut}: not a readable .xlsx workbook", "truncated"),
    )


# --- 3, 4: a CSV in the wrong encoding or with the wrong delimiter -----------------------------------


def good_text() -> str:
    return GOOD_CSV.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, guess", [("cp1252", "Windows-1252"), ("utf-16", "UTF-16")])
def test_baseline_csv_in_another_encoding(work, tmp_path, encoding, guess):
    text = good_text().replace("Test fixture ledger extract", "Ledger extract, café costs in £")
    path = tmp_path / "baseline.csv"
    path.write_bytes(text.encode(encoding))
    # UTF-16 fails on its byte-order mark in row 1; Windows-1252 on the 'é' in the source row
    row = 1 if encoding == "utf-16" else row_of(text, "café")
    fails_cleanly(
        "check-baseline",
        path,
        cwd=work,
        inputs=(path,),
        expect=(f"error: {path}, row {row}: not UTF-8 text", guess, "CSV UTF-8"),
    )


@pytest.mark.parametrize("delimiter, named", [(";", "';' as its delimiter"), ("\t", "a tab as its delimiter")])
def test_baseline_csv_with_another_delimiter(work, tmp_path, delimiter, named):
    rows = list(csv.reader(io.StringIO(good_text())))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    path = tmp_path / "baseline.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    header_row = row_of(buffer.getvalue(), f"line{delimiter}value")
    fails_cleanly(
        "check-baseline",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: 1 problem found",
            f"row {header_row}: the header row",
            "expected 'line', 'value'",
            named,
            "comma-separated",
        ),
    )


def test_council_registry_in_windows_1252(work, data):
    line = replace_once(data / "councils.csv", "Walsall,MD", "Walsall Métropole,MD")
    path = data / "councils.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(f"error: {path}, line {line}: not UTF-8 text", "Windows-1252"),
    )


# --- 5: duplicated councils or years -----------------------------------------------------------------


def test_council_twice_in_one_rs_file(work, tmp_path):
    path = tmp_path / "rs_dup.xlsx"
    book = load_workbook(XLSX_2017)
    sheet = book["RS LA Data 2017-18"]
    cells = [c for c in sheet["A"] if c.value == "E4606"]
    assert len(cells) == 1
    walsall = cells[0]
    below = sheet.cell(row=walsall.row + 1, column=1)
    below.value = "E4606"  # the next authority's row now claims Walsall's code
    book.save(path)
    fails_cleanly(
        "outturn",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}, sheet 'RS LA Data 2017-18'",
            "['E4606'] appear more than once",
            walsall.coordinate,
            below.coordinate,
            "expected one row per authority",
        ),
    )


def test_same_year_given_twice(work, tmp_path):
    copy = tmp_path / "rs_2017-18_revised.xlsx"
    shutil.copy(XLSX_2017, copy)
    fails_cleanly(
        "outturn",
        XLSX_2017,
        copy,
        cwd=work,
        inputs=(XLSX_2017, copy),
        expect=(f"error: {XLSX_2017} and {copy} both hold 2017-18 figures", "load one of them"),
    )


def test_council_twice_in_the_registry(work, data):
    path = data / "councils.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines, start=1) if line.startswith("E4606,"))
    path.write_text("".join(lines) + lines[first - 1], encoding="utf-8")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}, rows [{first}, {len(lines) + 1}]: duplicated e_code ['E4606']",
            "expected each council once",
        ),
    )


# --- 6: pounds instead of GBP thousand ---------------------------------------------------------------


def test_baseline_in_pounds_is_flagged_implausible(work, tmp_path):
    rows = list(csv.reader(io.StringIO(good_text())))
    for row in rows:
        if len(row) > 2 and row[2] == "GBP thousand":
            row[1] = f"{float(row[1].replace(',', '')) * 1000:.0f}"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path = tmp_path / "baseline_in_pounds.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    # 2,315 thousand net (test_baseline_check_summarises_a_good_file) x 1,000 = 2,315,000 "thousand"
    fails_cleanly(
        "check-baseline",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: 2 problems found, so nothing was loaded",
            f"row {row_of(buffer.getvalue(), 'employees_pay')}, column 'value'",
            "per FTE, implausible",
            "net budget comes to 2,315,000 thousand",
            "look like pounds",
            "GBP thousand",
        ),
    )


def test_baseline_check_summarises_a_good_file(work):
    """The positive control for check-baseline: totals added up by hand from tests/fixtures/baselines/good.csv."""
    before = sha256s(GOOD_CSV)
    out = cli("check-baseline", GOOD_CSV, cwd=work)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert out.stdout.startswith("kirklees-open-spaces (")  # the file's own project_id row
    table = dict(
        re.split(r"\s{2,}", line.strip()) for line in out.stdout.splitlines() if re.search(r"\S\s{2,}\S", line)
    )
    # gross 1000+90+150+120.5+30+40+1200+0+110+25 = 2765.5; income -300-150.5-0 = -450.5;
    # net 2765.5-450.5 = 2315; pay bill 1000+90+150 = 1240 (GBP thousand, shown in pounds)
    assert table["gross expenditure"] == "£2,765,500"
    assert table["income"] == "-£450,500"
    assert table["net budget"] == "£2,315,000"
    assert table["pay bill"] == "£1,240,000"
    assert (table["FTE"], table["headcount"]) == ("40.5", "44")
    assert sha256s(GOOD_CSV) == before


def test_baseline_check_takes_a_bundled_projects_id(work):
    """Every command that takes a project takes a bundled id (docs/workspaces.md): check-baseline of
    dover-museum-tourism checks data/projects/dover-museum-tourism/baseline.csv and states its share of Dover's
    RS cultural figure, 14.50% (the file's own sidecar: net 298 / 2,055 = 0.1450); a misspelt id is refused
    with the known ids listed, not as a file with no extension."""
    out = cli("check-baseline", "dover-museum-tourism", cwd=work)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("dover-museum-tourism (") and re.search(r"share of RS cultural\s+14\.5%", out.stdout)
    fails_cleanly(
        "check-baseline",
        "dover-musem",
        cwd=work,
        expect=("error: unknown project 'dover-musem'", "dover-museum-tourism"),
    )


# --- 6b: budget-book lines as a council has them (tests/fixtures/baselines/case_*.csv) ------
# The case files are Burnley budget-book lines typed for data/cases (copies in tests/fixtures/baselines);
# they do not name a project, so each run gives Dover's (RS cultural figure 2,055 thousand). Their
# totals, added up by hand, are in tests/test_baseline.py (gross 2,840.958, income -1,898.029, net 942.929).

CASE = FIX / "baselines"
CASE_PROJECT = ("--project", "dover-museum-tourism")


def test_budget_book_cost_line_left_in_pounds(work):
    path = CASE / "case_cost_line_left_in_pounds.csv"
    # row 9: "376,646" among lines whose median (other than it) is 298.67: 1,261 times
    fails_cleanly(
        "check-baseline",
        path,
        *CASE_PROJECT,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: 1 problem found, so nothing was loaded",
            f"row {row_of(path.read_text(encoding='utf-8'), 'third_party_payments')}, column 'value': "
            "third_party_payments = 376,646 looks like pounds",
            "(median 298.67)",
            "enter 376.646",
            "--no-scale-check",
        ),
    )
    # without the line check: net 377,212.283 thousand is 18,356% of Dover's 2,055 thousand
    fails_cleanly(
        "check-baseline",
        path,
        *CASE_PROJECT,
        "--no-scale-check",
        cwd=work,
        inputs=(path,),
        expect=(
            "the in-scope net budget of 377,212.283 thousand (GBP 377.2 million) is 18,356% of 2,055 thousand",
            "at most 25%",
            "--no-official-check",
        ),
    )


def test_budget_book_income_line_left_in_pounds(work):
    path = CASE / "case_income_line_left_in_pounds.csv"
    fails_cleanly(
        "check-baseline",
        path,
        *CASE_PROJECT,
        cwd=work,
        inputs=(path,),
        expect=(
            f"row {row_of(path.read_text(encoding='utf-8'), 'income_other')}, column 'value': "
            "income_other = -1,456,335 looks like pounds",
            "enter -1,456.335",
        ),
    )
    # without the line check: income -1,456,776.694 thousand against gross 2,840.958 (net minus GBP 1.45 billion)
    fails_cleanly(
        "check-baseline",
        path,
        *CASE_PROJECT,
        "--no-scale-check",
        "--no-official-check",
        cwd=work,
        inputs=(path,),
        expect=(
            "income totals -1,456,776.694 thousand, more than the gross expenditure of 2,840.958 thousand",
            "(minus GBP 1.45 billion)",
        ),
    )


def test_baseline_number_with_a_stray_character(work, tmp_path):
    text = good_text().replace('supplies_services,"1,200"', "supplies_services,1\u2019200")
    path = tmp_path / "baseline.csv"
    path.write_text(text, encoding="utf-8")
    fails_cleanly(
        "check-baseline",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"row {row_of(text, 'supplies_services')}, column 'value': Supplies and services: "
            "'1\u2019200' is text, not a number; it contains U+2019 RIGHT SINGLE QUOTATION MARK",
        ),
    )


@pytest.mark.parametrize("name", ["case_minus_sign_pasted_from_pdf.csv", "case_dash_for_nil.csv"])
def test_budget_book_minus_signs_and_nil_dashes_are_read(work, name):
    """U+2212 before the income lines reads as minus, '-' alone as nil: the same totals as typed figures."""
    path = CASE / name
    before = sha256s(path)
    out = cli("check-baseline", path, *CASE_PROJECT, cwd=work)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    table = dict(
        re.split(r"\s{2,}", line.strip()) for line in out.stdout.splitlines() if re.search(r"\S\s{2,}\S", line)
    )
    assert table["gross expenditure"] == "£2,840,958"
    assert table["income"] == "-£1,898,029"
    assert table["net budget"] == "£942,929"
    assert table["share of RS cultural"] == "45.9%"  # 942.929 / 2,055 = 45.88%
    assert sha256s(path) == before and list(work.iterdir()) == []


def test_check_baseline_overrides_read_a_file_as_typed(work):
    """Both checks off, the pounds line is taken as typed: net 942.929 - 376.646 + 376,646 = 377,212.283 thousand."""
    out = cli(
        "check-baseline",
        CASE / "case_cost_line_left_in_pounds.csv",
        *CASE_PROJECT,
        "--no-scale-check",
        "--no-official-check",
        cwd=work,
    )
    assert out.returncode == 0, out.stderr
    assert re.search(r"net budget\s+£377,212,283\n", out.stdout), out.stdout


# --- 7, 8: assumption-file typo, a scenario or short list naming an unknown option -------------------


def test_assumption_file_typo_in_a_key(work, data):
    path = data / "assumptions" / "models" / "mutual.yaml"
    replace_once(path, "\n  staff_cost_change:", "\n  staf_cost_change:")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}: 1 problem(s)",
            "mutual.staf_cost_change: unknown assumption key",
            "did you mean 'staff_cost_change'",
            "valid keys (levers.yaml)",
        ),
    )


def test_appraisal_settings_typo_in_a_key(work, data):
    path = data / "assumptions" / "appraisal.yaml"
    replace_once(path, "\nhorizon_years:", "\nhorizon_year:")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}: 2 problem(s)",
            "horizon_year: unknown key (did you mean 'horizon_years'?)",
            "horizon_years: missing",
        ),
    )


def test_scenario_naming_an_unknown_option(work, data):
    path = data / "assumptions" / "scenarios.yaml"
    replace_once(path, "charitable-trust.business_rates_relief", "charitable-trus.business_rates_relief")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}: 1 problem(s)",
            "no-rates-relief.set.charitable-trus.business_rates_relief: unknown option 'charitable-trus'",
            "did you mean 'charitable-trust'",
        ),
    )


def test_short_list_naming_an_unknown_option(work, data):
    path = data / "projects" / PROJECT / "project.yaml"
    replace_once(
        path,
        "shortlist: [in-house, in-house-redesign, mutual, charitable-trust, outsourcing]",
        "shortlist: [in-house, in-house-redesign, mutal, charitable-trust, outsourcing]",
    )
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}, field 'services.0.shortlist'",
            "unknown delivery model(s) ['mutal']",
            "valid: in-house, ",
        ),
    )


# --- 9 to 12: ids and numbers on the command line ----------------------------------------------------


@pytest.mark.parametrize(
    "args, expect",
    [
        (
            ["appraise", "walsall", "--draws", "0"],
            "error: unknown project 'walsall'; valid projects: walsall-college, ",
        ),
        (
            ["check-baseline", str(GOOD_CSV), "--project", "walsall"],
            "error: unknown project 'walsall'; valid projects: ",
        ),
        (
            ["appraise", PROJECT, "--draws", "0", "--scenario", "worst"],
            "error: unknown scenario 'worst'; valid scenarios: central, low, high",
        ),
        (
            # a typing slip (one letter missing): the near id is offered at the end of the list
            ["appraise", "walsal-college", "--draws", "0"],
            "cwac-wirral-school-services. Did you mean 'walsall-college'?",
        ),
        (
            ["appraise", PROJECT, "--draws", "0", "--scenario", "hgh"],
            "pension-shock. Did you mean 'high'?",
        ),
        (
            ["appraise", PROJECT, "--draws", "0", "--perspective", "national"],
            "error: unknown perspective 'national'; valid perspectives: council, public",
        ),
        (
            ["appraise", PROJECT, "--draws", "0", "--horizon", "0"],
            "error: horizon = 0 years: expected a whole number of years from 1 to 100",
        ),
        (
            ["appraise", PROJECT, "--draws", "0", "--horizon", "500"],
            "error: horizon = 500 years: expected a whole number of years from 1 to 100",
        ),
        (
            ["appraise", PROJECT, "--draws", "-5"],
            "error: draws = -5: expected a whole number from 0 (no Monte Carlo) to 1,000,000",
        ),
    ],
    ids=[
        "unknown-project",
        "unknown-project-baseline",
        "unknown-scenario",
        "near-miss-project",
        "near-miss-scenario",
        "unknown-perspective",
        "horizon-0",
        "horizon-500",
        "negative-draws",
    ],
)
def test_bad_ids_and_numbers_on_the_command_line(work, args, expect):
    err = fails_cleanly(*args, cwd=work, inputs=(GOOD_CSV,), expect=(expect,))
    assert len(err.strip().splitlines()) == 1


def test_draws_that_are_not_a_number_get_typers_usage_message(work):
    """Typer parses the options, so a non-number gets its usage message: exit 2, names the option, no traceback."""
    out = cli("appraise", PROJECT, "--draws", "many", cwd=work)
    assert out.returncode == 2 and out.stdout == ""
    assert "Traceback" not in out.stderr
    assert "Invalid value for '--draws'" in out.stderr and "Usage: ddanalysis appraise" in out.stderr


# --- 13: not YAML, empty, not laid out as expected ----------------------------------------------------


@pytest.mark.parametrize(
    "rel, content, expect",
    [
        (
            "assumptions/levers.yaml",
            "levers: [unclosed\n",
            ("not valid YAML (line 2, column 1: did not find expected ',' or ']'", "flow sequence at line 1, column 9"),
        ),
        ("assumptions/scenarios.yaml", "", ("expected a mapping 'scenarios:'",)),
        ("projects/programme.yaml", "", ("expected a mapping with a 'projects' list",)),
        ("councils.csv", "", ("not a readable council registry CSV", "expected a header row e_code,ons_code,name")),
        (
            "mca/criteria.yaml",
            "criteria:\n  swing: 1\n bad: 2\n",
            ("not valid YAML (line 3, column", "the line reads 'bad: 2'"),
        ),
        ("plans/phases.yaml", "- a list\n- not a mapping\n", ("expected a mapping at the top level",)),
    ],
    ids=[
        "levers-not-yaml",
        "scenarios-empty",
        "projects-empty",
        "councils-empty",
        "criteria-not-yaml",
        "phases-a-list",
    ],
)
def test_data_file_not_yaml_or_empty(work, data, rel, content, expect):
    path = data / rel
    path.write_text(content, encoding="utf-8")
    fails_cleanly("appraise", PROJECT, "--draws", "0", cwd=work, data=data, expect=(f"error: {path}",) + expect)


def test_data_file_with_the_wrong_layout(work, data):
    path = data / "assumptions" / "appraisal.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["discount_schedule"] = 3.5  # a number where the block of bands belongs
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(f"error: {path}: not laid out as expected", "compare it with the bundled file"),
    )


def test_data_yaml_in_windows_1252(work, data):
    path = data / "assumptions" / "models" / "mutual.yaml"
    path.write_bytes("# Mutual: café-style note\n".encode("cp1252") + path.read_bytes())  # the 'é' is on line 1
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(f"error: {path}, line 1: not UTF-8 text", "café", "Windows-1252", "choose the encoding UTF-8"),
    )


# --- 14: a file that does not exist -------------------------------------------------------------------


def test_rs_workbook_that_does_not_exist(work, tmp_path):
    path = tmp_path / "nowhere.xls"
    fails_cleanly("outturn", path, cwd=work, expect=(f"error: {path}: file not found", ".xls, .xlsx, .ods or .csv"))


# --- official files that are not what they are passed as ----------------------------------


def test_revenue_account_budget_passed_as_outturn(work, tmp_path):
    """A Revenue Account budget file (title 'Revenue Account Budget (RA): 2016-17 data') is not outturn."""
    path = tmp_path / "ra_2016-17.csv"
    path.write_text(
        "Revenue Account Budget (RA): 2016-17 data,,,\n,,,698\nE-code,Local authority,Class,"
        "TOTAL OTHER SERVICES\nE4606,Walsall,MD,40\n",
        encoding="utf-8",
    )
    fails_cleanly(
        "outturn",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: no 'outturn' figures",
            "the file(s) hold measure(s) budget",
            "never passed off as another",
        ),
    )


def test_spending_over_500_file_passed_as_outturn(work, tmp_path):
    path = tmp_path / "spend_over_500.csv"
    path.write_text(
        "Body name,Date,Expense type,Supplier name,Amount\nWalsall Council,01/03/2024,Stationery,Acme Ltd,612.50\n",
        encoding="utf-8",
    )
    fails_cleanly(
        "outturn",
        path,
        cwd=work,
        inputs=(path,),
        expect=(
            f"error: {path}: not a DCLG RS, RSX or RA 'data by LA' file",
            "spending-over-\u00a3500",
            "formats read: .xls, .xlsx, .ods or .csv",
        ),
    )


def test_unknown_measure(work):
    fails_cleanly(
        "outturn",
        XLSX_2017,
        "--measure",
        "spend",
        cwd=work,
        inputs=(XLSX_2017,),
        expect=("error: unknown measure 'spend'", "valid measures: outturn,", "budget, all"),
    )


def test_baseline_that_does_not_exist(work, tmp_path):
    path = tmp_path / "nowhere.csv"
    fails_cleanly("check-baseline", path, cwd=work, expect=(f"error: {path}: baseline file not found",))


def test_baseline_of_the_wrong_kind(work):
    fails_cleanly(
        "check-baseline",
        XLS_2013,
        cwd=work,
        inputs=(XLS_2013,),
        expect=(f"error: {XLS_2013}: a baseline must be a .csv file or the .xlsx input workbook", "'.xls'"),
    )


def test_data_file_that_does_not_exist(work, data):
    path = data / "assumptions" / "scenarios.yaml"
    path.unlink()
    fails_cleanly("appraise", PROJECT, "--draws", "0", cwd=work, data=data, expect=(f"error: {path}: file not found",))


# --- determinism -------------------------------------------------------------------------------------


def test_appraise_json_is_byte_identical_across_processes(work):
    """Same inputs and seed, two processes (different hash seeds): the same bytes; another seed differs."""
    args = ["appraise", "nelincs-environment", "--draws", "2000", "--json", "--seed"]
    before = sha256s(DATA)
    env = {k: v for k, v in os.environ.items() if k != "DDANALYSIS_DATA"}
    env["SOURCE_DATE_EPOCH"] = "1767225600"  # the run record's time, pinned (2026-01-01T00:00:00Z)
    cmd = [sys.executable, "-m", "ddanalysis"]
    procs = [
        subprocess.Popen(
            cmd + args + [seed],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=work,
            env={**env, "PYTHONHASHSEED": hash_seed},
        )
        for seed, hash_seed in (("7", "1"), ("7", "2"), ("8", "1"))
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    first, second, other = (o[0] for o in outs)
    assert first == second
    assert first != other
    assert json.loads(first)["project"] == "nelincs-environment"
    assert sha256s(DATA) == before


def test_partner_shares_that_do_not_sum_to_one(work, data):
    path = data / "projects" / "cwac-wirral-school-services" / "council_shares.yaml"
    replace_once(path, "  E4305: 0.5049", "  E4305: 0.5549")
    fails_cleanly(
        "appraise",
        "cwac-wirral-school-services",
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(
            f"error: {path}, shares: the shares (E0604: 0.4951, E4305: 0.5549) sum to 1.05",
            "expected them to sum to 1",
        ),
    )


def test_inflation_rate_that_is_not_a_share(work, data):
    path = data / "assumptions" / "inflation.yaml"
    replace_once(path, "long_run: {value: 0.02,", "long_run: {value: 2,")
    fails_cleanly(
        "appraise",
        PROJECT,
        "--draws",
        "0",
        cwd=work,
        data=data,
        expect=(f"error: {path}, price.long_run.value: 2; expected a yearly rate as a share (0.02 = 2%)",),
    )


# --- workspaces: ddanalysis new, and a council's own folder ------------------------------------------------


@pytest.mark.parametrize(
    "args, expect",
    [
        (
            ["new", "ws", "--council", "E9999", "--service", "cultural"],
            ("error: unknown council code(s) E9999: expected an English authority's DCLG E-code",),
        ),
        (
            ["new", "ws", "--council", "E5030", "--service", "libraries"],
            ("error: unknown RS service block 'libraries'; valid RS service blocks: education, ",),
        ),
        (
            ["new", "ws", "--council", "E5030", "--service", "cultural", "--base-year", "1990-91"],
            ("error: base year 1990-91: no GDP deflator for it in data/assumptions/appraisal.yaml",),
        ),
    ],
    ids=["unknown-council", "not-an-rs-block", "base-year-without-deflator"],
)
def test_new_workspace_bad_arguments(work, args, expect):
    fails_cleanly(*args, cwd=work, expect=expect)


def _own_workspace(tmp_path: Path) -> Path:
    """A council's workspace outside the working folder: walsall-college's files under the id 'my-college'."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for src in (DATA / "projects" / PROJECT).iterdir():
        text = src.read_text(encoding="utf-8").replace(PROJECT, "my-college")
        (folder / src.name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "name, text, expect",
    [
        (
            "plan.yaml",
            "schema_version: 1\nstart: 2015-02-30\n",
            "plan.yaml: not valid YAML (line 2, column 8: '2015-02-30' is not a date (day is out of range for month)",
        ),
        (
            "plan.yaml",
            "schema_version: 1\nstart: 2015-13-01  # the month of go-live\n",
            "plan.yaml: not valid YAML (line 2, column 8: '2015-13-01' is not a date (month must be in 1..12)",
        ),
    ],
    ids=["day-out-of-range", "month-13"],
)
def test_workspace_file_with_an_impossible_date(work, tmp_path, name, text, expect):
    """A date that is no real day ('2015-02-30'; PyYAML reads YYYY-MM-DD as a date and fails without saying where)
    once gave a traceback ending 'ValueError: day is out of range for month', exit 1. The message now names the file,
    the line and column (column 8: after 'start: '), and the form expected; exit 2, nothing written."""
    folder = _own_workspace(tmp_path)
    (folder / name).write_text(text, encoding="utf-8")
    fails_cleanly(
        "appraise",
        str(folder),
        "--draws",
        "0",
        cwd=work,
        inputs=(folder,),
        expect=(expect, "expected a real day written YYYY-MM-DD, like 2015-04-01"),
    )


def test_workspace_project_file_with_an_unknown_key(work, tmp_path):
    folder = _own_workspace(tmp_path)
    path = folder / "project.yaml"
    replace_once(path, "\ntitle:", "\ncolour: blue\ntitle:")
    fails_cleanly(
        "appraise",
        str(folder),
        "--draws",
        "0",
        cwd=work,
        inputs=(folder,),
        expect=(f"error: {path}, field 'colour': unknown key; expected one of schema_version, id, title, ",),
    )


def test_workspace_without_a_baseline(work, tmp_path):
    folder = _own_workspace(tmp_path)
    (folder / "baseline.csv").unlink()
    fails_cleanly(
        "appraise",
        str(folder),
        "--draws",
        "0",
        cwd=work,
        inputs=(folder,),
        expect=(f"error: {folder}: no baseline: expected baseline.xlsx (from `ddanalysis template`) or baseline.csv",),
    )


def test_workspace_from_an_older_schema(work, tmp_path):
    folder = _own_workspace(tmp_path)
    replace_once(folder / "project.yaml", "schema_version: 1\n", "schema_version: 0\n")
    fails_cleanly(
        "export",
        str(folder),
        "-o",
        "out.xlsx",
        "--draws",
        "0",
        cwd=work,
        inputs=(folder,),
        expect=(
            f"error: {folder / 'project.yaml'}, schema_version: 0, older than this release's 1: run "
            f"`ddanalysis upgrade {folder}`",
        ),
    )


@pytest.mark.parametrize(
    "by_service, expect",
    [
        (
            True,
            (
                "council_shares.yaml, lines: keyed by service, so expected each service's lines under its id "
                "(museum, libraries); missing libraries",
            ),
        ),
        (
            False,
            (
                "lines.*.employees_pay: the councils' lines sum to 210.0 GBP thousand; expected the baseline's 400.0",
                "may give each service's lines under its id, lines: {<service id>: {<council>: {<line>: GBP "
                "thousand}}}, or declared shares",
            ),
        ),
    ],
    ids=["lines-keyed-by-service-missing-one", "council-lines-that-fit-one-service-only"],
)
def test_council_lines_keyed_by_service_must_give_every_service(work, tmp_path, by_service, expect):
    """A workspace appraised by service (Dover's museum and a library service, each its own baseline) whose
    partners' council_shares.yaml gives lines that do not fit: the museum's lines (Dover holding them all) under
    the museum's id and none for the libraries, or keyed by council as the lines of every service (the
    libraries' pay is GBP 400 thousand, not the museum's 210)."""
    from test_services import MUSEUM_LINES, _partners, _two_services

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    councils = {"E2234": MUSEUM_LINES, "E2236": {}}
    _partners(folder, {"lines": {"museum": councils} if by_service else councils})
    fails_cleanly("appraise", str(folder), "--draws", "0", cwd=work, inputs=(folder,), expect=expect)
