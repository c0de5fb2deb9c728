"""Workspaces (ddanalysis.workspace): the folder that holds one appraisal, bundled or a council's own."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ddanalysis import baseline as bl
from ddanalysis import config, registry, scaffold, template, workspace
from ddanalysis.baseline import VALUE_COL
from ddanalysis.engine import appraise
from ddanalysis.errors import DataFileError, DDAnalysisError

FIX = Path(__file__).resolve().parent / "fixtures"
BUNDLED = Path(workspace.bundled_root())


@pytest.mark.slow
def test_bundled_results_unchanged_by_the_move_into_workspace_folders():
    """Regression guard of moving the bundled projects from data/projects.yaml, data/baselines/,
    data/assumptions/projects/, data/mca/scores/ and data/outcomes/ into data/projects/<id>/.

    The expected figures in tests/fixtures/bundled_results_before_move.json are NOT independent
    expected values: they were recorded once, by running the code and data as they stood before the
    move (every option's net present saving and MCA score, central scenario, council perspective, no
    Monte Carlo draws; ``scripts/record_bundled_results.py``, which runs on both layouts), so that this test
    shows the move changed no result. Data changes made elsewhere before the move is merged need the file
    recorded again from the code being replaced."""
    before = json.loads((FIX / "bundled_results_before_move.json").read_text(encoding="utf-8"))
    assert sorted(before) == sorted(registry.project_ids())
    for pid, options in before.items():
        r = appraise(pid, draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
        assert r.baseline.net_budget_gbp == pytest.approx(options.pop("_net_budget_gbp"), rel=1e-12)
        got = {row.id: (row.net_present_saving_gbp, row.mca_score) for row in r.options.itertuples()}
        assert set(got) == set(options), pid
        for opt, want in options.items():
            assert got[opt][0] == pytest.approx(want["net_present_saving_gbp"], rel=1e-9, abs=1e-6), (pid, opt)
            assert got[opt][1] == pytest.approx(want["mca_score"], rel=1e-12), (pid, opt)


def test_every_bundled_project_is_a_workspace_folder():
    """Each id of programme.yaml has its folder with project.yaml (schema_version 1) and a baseline."""
    for pid in registry.project_ids():
        folder = BUNDLED / pid
        raw = yaml.safe_load((folder / "project.yaml").read_text(encoding="utf-8"))
        assert raw["schema_version"] == workspace.SCHEMA_VERSION and raw["id"] == pid
        assert workspace.baseline_file(folder).name == "baseline.csv"
        assert workspace.folder(pid) == folder


def test_a_bundled_project_by_its_folder_path_is_the_same_project():
    assert registry.project(str(BUNDLED / "walsall-college")) == registry.project("walsall-college")


def _workspace(tmp_path: Path, **changes) -> Path:
    """A copy of dover-museum-tourism as a council's own workspace (id 'my-museum'), with ``changes``."""
    raw = yaml.safe_load((BUNDLED / "dover-museum-tourism" / "project.yaml").read_text(encoding="utf-8"))
    raw.update({"id": "my-museum", **changes})
    folder = tmp_path / "ws"
    folder.mkdir()
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for name in ("baseline.csv", "baseline.yaml", "assumptions.yaml"):  # the id inside them changed too
        text = (BUNDLED / "dover-museum-tourism" / name).read_text(encoding="utf-8")
        (folder / name).write_text(text.replace("dover-museum-tourism", "my-museum"), encoding="utf-8")
    return folder


@pytest.mark.parametrize("label", ["2014-16", "2013-15", "2014/15", "14-15", "2014"])
def test_a_base_year_that_is_no_financial_year_is_refused_at_its_key(tmp_path: Path, label: str):
    """project.yaml's base_year must be a financial year written like 2014-15: '2014-16' (two years apart) once
    crashed every command with a traceback, and '2014/15' got pydantic's regular expression as its explanation.
    Each is now one problem at the file and key, in words."""
    folder = _workspace(tmp_path, base_year=label)
    with pytest.raises(DataFileError) as info:
        registry.project(str(folder))
    assert str(info.value) == (
        f"{folder / 'project.yaml'}, field 'base_year': {label!r} is not a financial year: expected one written "
        "like 2014-15 (the year from 1 April 2014 to 31 March 2015)"
    )


def test_a_baseline_sidecar_base_year_that_is_no_financial_year_is_refused_at_its_key(tmp_path: Path):
    """baseline.yaml's base_year is checked the same way as project.yaml's ('2014-16' is not a year)."""
    folder = _workspace(tmp_path)
    sidecar = folder / "baseline.yaml"
    sidecar.write_text(
        sidecar.read_text(encoding="utf-8").replace('base_year: "2014-15"', 'base_year: "2014-16"'), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"baseline.yaml, field 'base_year': '2014-16' is not a financial year"):
        bl.project_baseline(str(folder))


def test_an_impossible_plan_start_date_names_its_file_and_line(tmp_path: Path):
    """plan_start: 2015-13-01 in project.yaml once raised PyYAML's bare 'month must be in 1..12' with a traceback;
    the file, its line (the last, after the copied keys) and a real date's form are now named."""
    folder = _workspace(tmp_path)
    path = folder / "project.yaml"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("plan_start:")]
    text = "\n".join(kept) + "\n"  # the copy's own plan_start out: a key given twice is refused first
    path.write_text(text + "plan_start: 2015-13-01\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    with pytest.raises(DataFileError) as info:
        registry.project(str(folder))
    assert f"{path}: not valid YAML (line {line}, column 13: '2015-13-01' is not a date (month must be in 1..12)" in (
        str(info.value)
    )


def test_an_older_schema_version_is_refused_with_the_upgrade_command(tmp_path: Path):
    folder = _workspace(tmp_path, schema_version=0)
    with pytest.raises(
        DataFileError,
        match=r"schema_version: 0, older than this release's 1: run `ddanalysis "
        r"upgrade .*ws` to migrate",
    ):
        registry.project(str(folder))


def test_a_workspace_reusing_a_bundled_id_is_refused(tmp_path: Path):
    folder = _workspace(tmp_path, id="dover-museum-tourism")
    with pytest.raises(DDAnalysisError, match="'dover-museum-tourism' is a bundled project's id"):
        registry.project(str(folder))


def test_a_workspace_without_a_baseline_names_the_folder(tmp_path: Path):
    folder = _workspace(tmp_path)
    (folder / "baseline.csv").unlink()
    (folder / "baseline.yaml").unlink()
    with pytest.raises(DataFileError, match=r"ws: no baseline: expected baseline.xlsx .* or baseline.csv"):
        appraise(str(folder), draws=0)


def test_a_council_workspace_appraises_like_the_bundled_copy_of_its_figures(tmp_path: Path):
    """The same project file and baseline figures in a folder of one's own give the bundled project's
    net present savings (the MCA differs: no mca.yaml, so every score is the labelled default 5)."""
    folder = _workspace(tmp_path)
    own = appraise(str(folder), draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    bundled = appraise(
        "dover-museum-tourism", draws=0, with_switching=False, with_decision=False, with_sensitivity=False
    )
    assert own.project_id == "my-museum"
    assert list(own.options.net_present_saving_gbp) == pytest.approx(list(bundled.options.net_present_saving_gbp))
    assert set(own.mca_scores.score) == {5.0}
    assert own.mca_scores.rationale.str.startswith("DEFAULT, not the council's").all()


def test_default_mca_scores_are_labelled_in_the_recommendation_and_the_mca_table(tmp_path: Path):
    """A workspace with no mca.yaml is scored a neutral 5 everywhere. The recommendation sentence (which the
    CLI, the paper and the dashboard print) and the paper's MCA table once showed '5.0/10 (status quo 5.0)'
    and '(ILLUSTRATIVE)' with no word that the scores are defaults; the bundled Dover project, which has
    its own mca.yaml, keeps its ILLUSTRATIVE label and no DEFAULT note."""
    from ddanalysis.presentation import tables, text

    own = appraise(str(_workspace(tmp_path)), draws=0, with_switching=False, with_sensitivity=False)
    bundled = appraise("dover-museum-tourism", draws=0, with_switching=False, with_sensitivity=False)
    assert own.recommendation.endswith(text.MCA_DEFAULT_NOTE)
    assert "DEFAULT, not the council's: no mca.yaml" in own.recommendation
    assert tables.mca_totals_table(own).caption.endswith("(DEFAULT neutral scores, not the council's: no mca.yaml)")
    assert "DEFAULT" not in bundled.recommendation
    assert tables.mca_totals_table(bundled).caption.endswith("(ILLUSTRATIVE)")


# --- ddanalysis new, end to end -----------------------------------------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m ddanalysis ARGS`` in a fresh process on the bundled data."""
    env = {k: v for k, v in os.environ.items() if k not in ("DDANALYSIS_DATA", workspace.WORKSPACES_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "ddanalysis", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )


#: Plausible lines of a London borough's library service, GBP thousand (ILLUSTRATIVE, typed for this test).
LIBRARY_LINES = {
    "employees_pay": 1800,
    "employees_ni": 170,
    "employees_pension": 250,
    "premises": 600,
    "business_rates": 90,
    "transport": 20,
    "supplies_services": 400,
    "third_party_payments": 50,
    "support_recharges": 300,
    "capital_charges": 150,
    "income_fees_charges": -150,
    "income_grants": -50,
    "income_other": -30,
    "fte": 60,
    "headcount": 85,
}
#: Net budget by hand: costs 1800+170+250+600+90+20+400+50+300+150 = 3,830; income 150+50+30 = 230;
#: net 3,830 - 230 = 3,600 thousand = GBP 3,600,000.
LIBRARY_NET_GBP = 3_600_000.0


def _fill(workbook: Path, lines: dict[str, float]) -> None:
    """Type the lines into the Input sheet's value column, as an analyst would."""
    from openpyxl import load_workbook

    from ddanalysis.baseline import INPUT_SHEET, VALUE_COL
    from ddanalysis.template import input_rows

    wb = load_workbook(workbook)
    rows = input_rows()
    for key, value in lines.items():
        wb[INPUT_SHEET].cell(row=rows[key], column=VALUE_COL, value=value)
    wb.save(workbook)


@pytest.mark.slow
def test_new_workspace_for_a_london_borough_fills_appraises_and_exports(tmp_path: Path):
    """`ddanalysis new` for Barking & Dagenham (E5030, ONS E09000002; not in the programme), libraries in the
    cultural block; the analyst fills the baseline; appraise --json and export work on the folder."""
    made = _cli(
        "new", "libs", "--council", "E09000002", "--service", "cultural", "--title", "Library service", cwd=tmp_path
    )
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "libs"
    raw = yaml.safe_load((folder / "project.yaml").read_text(encoding="utf-8"))
    assert raw["councils"] == ["E5030"] and raw["services"][0]["rs_block"] == "cultural"
    assert raw["schema_version"] == workspace.SCHEMA_VERSION and raw["base_year"] == "2014-15"
    _fill(folder / "baseline.xlsx", LIBRARY_LINES)
    out = _cli("appraise", "libs", "--draws", "50", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["project"] == raw["id"] and doc["councils"] == "Barking & Dagenham"
    assert doc["baseline_net_budget_gbp"] == LIBRARY_NET_GBP and doc["base_year"] == "2014-15"
    assert [o["id"] for o in doc["options"]] == list(scaffold.DEFAULT_SHORTLIST)
    xlsx = _cli("export", "libs", "-o", "libs.xlsx", "--draws", "50", cwd=tmp_path)
    assert xlsx.returncode == 0, xlsx.stderr
    assert (tmp_path / "libs.xlsx").stat().st_size > 0


@pytest.mark.official
def test_new_workspace_carries_the_councils_official_figures(tmp_path: Path, official_dir):
    """The 'Official figures' sheet gives Barking & Dagenham's 2014-15 RS cultural figure, 8,665 thousand (RS
    2014-15, line 509 'Cultural and related services', read by `ddanalysis outturn`), and the RSX 2021-22 split
    employees 6,273 / running expenses 5,929 / sales, fees and charges 2,702 / other income 3,350, whose
    difference 6,273 + 5,929 - 2,702 - 3,350 = 6,150 is the RSX net (C7); and RA 2021-22 line 505, Library
    service, 799."""
    from openpyxl import load_workbook

    scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", official_dir=official_dir
    )
    ws = load_workbook(tmp_path / "ws" / "baseline.xlsx")[scaffold.OFFICIAL_SHEET]
    got = {row[0]: (row[1], row[2], row[3]) for row in ws.iter_rows(min_row=4, values_only=True)}
    assert got["Cultural and related services: net current expenditure (RS)"] == (8665, "RS", "2014-15")
    assert got["cultural: Employees (RSX C1)"] == (6273, "RSX", "2021-22")
    assert got["cultural: Running expenses (RSX C2)"] == (5929, "RSX", "2021-22")
    assert got["cultural: Net current expenditure (RSX C7)"][0] == 6273 + 5929 - 2702 - 3350
    assert got["Library service (RA budget line 505)"] == (799, "RA", "2021-22")
    # the return prints income positive; the sheet shows it with the Input sheet's sign, so the lines add to C7
    income = "; income, shown negative as on the Input sheet)"
    assert got["cultural: Sales, fees and charges (RSX C4" + income] == (-2702, "RSX", "2021-22")
    assert got["cultural: Other income (RSX C5" + income] == (-3350, "RSX", "2021-22")


@pytest.mark.official
def test_new_workspace_lists_the_whole_block_when_no_ra_line_is_named_like_the_title(tmp_path: Path, official_dir):
    """An officer's name for the service ('Leisure centre') shares no word with any RA line of the cultural block
    ('Recreation and sport' is the return's name), so the sheet lists every line of the block for the council to
    pick, and says why. Barking & Dagenham's RA 2021-22 cultural lines, read in RA_2021-22_data_by_LA.csv: 500
    Archives 136, 501 Culture and heritage 1,342, 504 Tourism 0, 505 Library service 799, 506 Recreation and sport
    -1,505, 507 Open spaces 1,943; they add to the block total on line 509: 136 + 1,342 + 0 + 799 - 1,505 + 1,943 =
    2,715."""
    from openpyxl import load_workbook

    scaffold.create_workspace(tmp_path / "ws", ["E5030"], "cultural", title="Leisure centre", official_dir=official_dir)
    ws = load_workbook(tmp_path / "ws" / "baseline.xlsx")[scaffold.OFFICIAL_SHEET]
    ra = {row[0]: row[1] for row in ws.iter_rows(min_row=4, values_only=True) if row[2] == "RA"}
    why = "; no line is named like 'Leisure centre', so every line of the block is listed)"
    assert ra["Recreation and sport (RA budget line 506" + why] == -1505
    assert sorted(int(label.split("line ")[1][:3]) for label in ra) == [500, 501, 504, 505, 506, 507]
    assert sum(ra.values()) == 2715


@pytest.mark.parametrize(
    "args, expect",
    [
        (
            ["--council", "E9999", "--service", "cultural"],
            "unknown council code(s) E9999: expected an English authority",
        ),
        (
            ["--council", "E5030", "--service", "libraries"],
            "unknown RS service block 'libraries'; valid RS service blocks",
        ),
        (
            ["--council", "E5030", "--service", "cultural", "--base-year", "2014"],
            "base year '2014': expected a financial",
        ),
        (
            # written like a year but two years apart: once a Python traceback, exit 1
            ["--council", "E5030", "--service", "cultural", "--base-year", "2014-16"],
            "base year '2014-16': expected a financial year written like 2014-15",
        ),
        (
            ["--council", "E5030", "--service", "cultural", "--base-year", "2014/15"],
            "base year '2014/15': expected a financial year written like 2014-15",
        ),
    ],
    ids=["unknown-council", "not-an-rs-block", "bad-base-year", "base-year-two-years-apart", "base-year-with-slash"],
)
def test_new_refuses_bad_input_and_writes_nothing(tmp_path: Path, args, expect):
    out = _cli("new", "ws", *args, cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith("error: ") and expect in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_new_workspaces_workbook_states_its_base_year_and_offers_its_own_project_id(tmp_path: Path):
    """`ddanalysis new --base-year 2016-17` once wrote a workbook whose instructions asked for 2014-15 figures in
    2014-15 prices (to be appraised as 2016-17 ones), and whose project list held the ten bundled ids only, so
    the workspace's own pre-filled id failed Excel's validation. The instructions now say 2016-17 (1 April 2016
    to 31 March 2017), and the list is the workspace's id alone. With no official files, the 'Official figures'
    sheet names the folder it looked in, in full."""
    import openpyxl

    empty = tmp_path / "no-official"
    empty.mkdir()
    folder = scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", base_year="2016-17", official_dir=empty
    )
    wb = openpyxl.load_workbook(folder / "baseline.xlsx")
    said = [str(c.value) for c in wb["Instructions"]["A"] if c.value and "Financial year" in str(c.value)]
    assert said == [
        "Financial year 2016-17 (1 April 2016 to 31 March 2017). Use the outturn (actual) figures where you have "
        "them, otherwise the budget. All figures are in 2016-17 prices."
    ]
    pid = yaml.safe_load((folder / "project.yaml").read_text(encoding="utf-8"))["id"]
    assert [row for row in wb["Lists"].iter_rows(min_row=2, values_only=True)] == [(pid, "Library service")]
    lists = [dv for dv in wb["Input"].data_validations.dataValidation if dv.type == "list"]
    assert [dv.formula1 for dv in lists] == ["Lists!$A$2:$A$2"]
    assert wb["Input"].cell(row=template.input_rows()["project_id"], column=VALUE_COL).value == pid
    assert f"No official 'data by LA' files were found in {empty} " in wb["Official figures"]["A1"].value


def _new_in_fresh_process(cwd: Path, official: Path, *more: str) -> subprocess.CompletedProcess:
    """`ddanalysis new ws --council E5030 --service cultural MORE` in a fresh process, with DDANALYSIS_OFFICIAL
    at ``official`` and the bundled data."""
    env = {k: v for k, v in os.environ.items() if k not in ("DDANALYSIS_DATA", workspace.WORKSPACES_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "ddanalysis", "new", "ws", "--council", "E5030", "--service", "cultural", *more],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**env, "DDANALYSIS_OFFICIAL": str(official)},
        timeout=300,
    )


def test_new_says_when_no_official_figure_will_check_the_baseline(tmp_path: Path):
    """With no official files where DDANALYSIS_OFFICIAL points, `new` once said nothing, and the workspace's
    baseline was then never checked against the RS figure. It still writes the workspace (exit 0), and says so
    on stderr with the folder it looked in."""
    empty = tmp_path / "no-official"
    empty.mkdir()
    out = _new_in_fresh_process(tmp_path, empty)
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith(f"note: no RS 'data by LA' file was found in {empty} ")
    assert "will not be checked against the council's official outturn" in out.stderr


@pytest.mark.official
def test_a_new_workspace_keeps_its_councils_official_trend(tmp_path: Path, official_dir):
    """Stroud is none of the programme's councils, so the bundled extract has no row of it: `new` writes its own
    official_outturn.csv from every RS and RSX file, and the strategic case's trend reads it. Stroud's 2014-15
    RS net current expenditure on cultural services is GBP 2,004 thousand (RS 2014-15 workbook, sheet 'RS LA
    Data 2014-15 (1)', cell M109, read by hand), its 2016-17 figure 1,911 and 2021-22's (RSX C7) 1,539."""
    from ddanalysis.context import project_spending

    folder = scaffold.create_workspace(
        tmp_path / "ws", ["E07000082"], "cultural", title="Leisure centre", official_dir=official_dir
    )
    trend = pd.read_csv(folder / workspace.OUTTURN_FILE)
    by_year = trend.set_index("year")["value_gbp_k"]
    assert (by_year["2014-15"], by_year["2016-17"], by_year["2021-22"]) == (2004, 1911, 1539)
    assert set(trend["authority"]) == {"Stroud"} and set(trend["service"]) == {"cultural"}
    spending = project_spending(workspace.resolve(str(folder))).set_index("year")
    assert spending.loc["2014-15", "cash_gbp_k"] == 2004 and spending.loc["2014-15", "real_gbp_k"] == 2004
    assert spending.loc["2014-15", "authority_class"] == "SD"  # compared with the shire districts' median


@pytest.mark.official
def test_new_for_a_year_after_the_rs_returns_names_the_nearest_it_found(tmp_path: Path, official_dir):
    """The RS returns stop at 2016-17 among the official files: a 2024-25 workspace's 'Official figures' sheet
    shows the nearest (2016-17) for reference, and the note says so rather than that no file was found, and
    how to give the base year's own figure for the check."""
    out = _new_in_fresh_process(tmp_path, official_dir, "--base-year", "2024-25")
    assert out.returncode == 0, out.stderr
    assert out.stderr.startswith(f"note: no RS return for 2024-25 in {official_dir} (the nearest is RS_2016-17")
    assert "add official: {rs_net_current_gbp_k, source} to project.yaml" in out.stderr


def test_new_refuses_to_overwrite_without_force(tmp_path: Path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "mine.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(DDAnalysisError, match="already exists; use --force"):
        scaffold.create_workspace(tmp_path / "ws", ["E5030"], "cultural", official_dir=tmp_path / "none")
    assert (tmp_path / "ws" / "mine.txt").read_text(encoding="utf-8") == "keep"
    scaffold.create_workspace(tmp_path / "ws", ["E5030"], "cultural", official_dir=tmp_path / "none", force=True)
    assert sorted(p.name for p in (tmp_path / "ws").iterdir()) == ["baseline.xlsx", "project.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["ws"]  # no staging or old folder left behind


def _data_hashes() -> dict[str, str]:
    root = Path(config.DATA_DIR)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_commands_on_a_workspace_never_modify_the_bundled_data(tmp_path: Path):
    """Hash every file under data/ before and after new, check-baseline, assumptions and appraise."""
    before = _data_hashes()
    assert _cli("new", "ws", "--council", "E5030", "--service", "cultural", cwd=tmp_path).returncode == 0
    _fill(tmp_path / "ws" / "baseline.xlsx", LIBRARY_LINES)
    for args in (
        ["check-baseline", "ws"],
        ["assumptions", "ws"],
        ["appraise", "ws", "--draws", "20"],
        ["appraise", "walsall-college", "--draws", "0"],
    ):
        out = _cli(*args, cwd=tmp_path)
        assert out.returncode == 0, (args, out.stderr)
    assert _data_hashes() == before


def test_upgrade_migrates_a_workspace_from_before_versioning_and_keeps_the_old_files(tmp_path: Path):
    """A workspace whose files carry no schema_version (version 0) is refused with the command to run;
    `upgrade` adds `schema_version: 1` to each, keeps the originals in old-schema-0/, and the workspace loads."""
    folder = _workspace(tmp_path)
    for name in ("project.yaml", "baseline.yaml", "assumptions.yaml"):
        raw = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        raw.pop("schema_version", None)
        (folder / name).write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    names = ("project.yaml", "baseline.yaml", "assumptions.yaml")
    originals = {n: (folder / n).read_text(encoding="utf-8") for n in names}
    refused = _cli("appraise", str(folder), "--draws", "0", cwd=tmp_path)
    assert refused.returncode == 2 and f"run `ddanalysis upgrade {folder}`" in refused.stderr
    out = _cli("upgrade", str(folder), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    # the message names the folder made (it once printed the pattern 'old-schema-*')
    assert out.stdout.strip().endswith(f"(old files kept in {folder / 'old-schema-0'})")
    assert {p.name: p.read_text(encoding="utf-8") for p in (folder / "old-schema-0").iterdir()} == originals
    for name in originals:
        assert yaml.safe_load((folder / name).read_text(encoding="utf-8"))["schema_version"] == 1
    assert registry.project(str(folder)).id == "my-museum"
    assert _cli("upgrade", str(folder), cwd=tmp_path).stdout.endswith("already at this release's schema version\n")


def test_upgrade_returns_the_folder_it_made_when_an_older_copy_is_there(tmp_path: Path):
    """A workspace upgraded once, then given an old file again (say, restored from a colleague's copy), is
    upgraded into a second folder, ``old-schema-0-2`` (the first is never overwritten); `upgrade` returns that
    folder and the file it changed, and the first folder still holds its own copy."""
    from ddanalysis.upgrade import upgrade

    folder = _workspace(tmp_path)
    path = folder / "project.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.pop("schema_version", None)
    old_text = yaml.safe_dump(raw, sort_keys=False)
    path.write_text(old_text, encoding="utf-8")
    first = upgrade(folder)
    assert first.changed == ["project.yaml"] and first.backup == folder / "old-schema-0"
    path.write_text(old_text, encoding="utf-8")
    second = upgrade(folder)
    assert second.changed == ["project.yaml"] and second.backup == folder / "old-schema-0-2"
    assert (second.backup / "project.yaml").read_text(encoding="utf-8") == old_text
    assert (first.backup / "project.yaml").read_text(encoding="utf-8") == old_text
    nothing = upgrade(folder)
    assert nothing.changed == [] and nothing.backup is None


def test_a_newer_schema_version_in_another_workspace_file_is_named(tmp_path: Path):
    folder = _workspace(tmp_path)
    text = (folder / "assumptions.yaml").read_text(encoding="utf-8").replace("schema_version: 1", "schema_version: 7")
    (folder / "assumptions.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(
        DataFileError,
        match=r"(?s)assumptions.yaml.*schema_version: 7; this release reads "
        r"schema_version 1",
    ):
        appraise(str(folder), draws=0)


def test_outputs_say_which_inputs_are_the_projects_own(tmp_path: Path):
    """The copy has its own baseline and assumptions.yaml but no mca.yaml and no outcomes.yaml."""
    r = appraise(str(_workspace(tmp_path)), draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    prov = r.to_dict()["provenance"]
    assert prov["baseline_origin"] == "the project's own (baseline.csv)"
    assert prov["assumptions_origin"].startswith("bundled defaults, with the project's own values")
    assert prov["mca_scores_origin"].startswith("DEFAULT: every option scored 5")
    assert prov["outcomes_origin"].startswith("none: no outcome model")
    assert prov["council_shares_origin"].startswith("DEFAULT: one council bears it all")
    origin = r.assumptions.set_index(["scope", "key"])["origin"]
    assert origin[("charitable-trust", "grant_income_share")] == "project's own (assumptions.yaml)"
    assert origin[("charitable-trust", "pension_rate_change")] == "bundled default"


def test_dashboards_serve_named_workspaces_by_id(tmp_path: Path, monkeypatch):
    """serve.py checks each folder and names it to the kernels in DDANALYSIS_WORKSPACES; there the id (not the
    path) finds the folder, after the bundled ids."""
    from ddanalysis.dashboard.serve import served_workspaces

    folder = _workspace(tmp_path)
    assert served_workspaces([folder]) == {"my-museum": folder.resolve()}
    with pytest.raises(DataFileError, match="not a workspace"):
        served_workspaces([tmp_path])
    monkeypatch.setattr(workspace, "_OPENED", {})  # a fresh kernel: nothing opened yet
    monkeypatch.setenv(workspace.WORKSPACES_ENV, str(folder))
    assert registry.served_ids() == registry.project_ids() + ["my-museum"]
    assert workspace.folder("my-museum") == folder.resolve()


def test_the_appraisal_dashboard_offers_and_builds_a_served_workspace(tmp_path: Path, monkeypatch):
    """With the workspace named to the kernel, the project list ends with it (title and council name) and its
    page builds, by id."""
    from ddanalysis.dashboard.appraisal import AppraisalPage
    from ddanalysis.dashboard.store import ResultStore

    folder = _workspace(tmp_path)
    monkeypatch.setattr(workspace, "_OPENED", {})
    monkeypatch.setenv(workspace.WORKSPACES_ENV, str(folder))
    page = AppraisalPage(ResultStore(directory=tmp_path / "cache", fingerprint="t"), "my-museum")
    assert list(page.project.options)[-1] == ("Museum and tourism (Dover)", "my-museum")
    assert page.project.value == "my-museum"


def test_plan_yaml_moves_the_start_and_names_a_wrong_key(tmp_path: Path):
    """Dover's plan_start is 2015-07-01 (its project.yaml); plan.yaml starting 92 days later, 2015-10-01 (July 31 +
    August 31 + September 30 days), with the durations unchanged, moves every option's go-live by exactly 92 days."""
    folder = _workspace(tmp_path)
    quick = dict(draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    before = appraise(str(folder), **quick).options.set_index("id")["go_live"]
    (folder / "plan.yaml").write_text("schema_version: 1\nstart: 2015-10-01\n", encoding="utf-8")
    after = appraise(str(folder), **quick).options.set_index("id")["go_live"]
    for opt in before.index.drop("in-house"):
        shift = dt.date.fromisoformat(after[opt]) - dt.date.fromisoformat(before[opt])
        assert shift == dt.timedelta(days=92), opt
    (folder / "plan.yaml").write_text("schema_version: 1\nstart_date: 2015-07-01\n", encoding="utf-8")
    expected = (
        r"plan.yaml, field 'start_date': unknown key; expected one of schema_version, start, duration_scale, "
        r"phases, models"
    )
    with pytest.raises(DataFileError, match=expected):
        appraise(str(folder), **quick)


def test_a_base_year_the_baseline_or_the_deflator_does_not_share_is_refused_not_ignored(tmp_path: Path):
    """project.yaml says 2021-22 while the baseline's sidecar says 2014-15: refused, naming the sidecar's field and
    the year expected. With both at 2021-22 the prices cannot be made real in 2021-22 terms, since the bundled
    GDP deflator ends in 2019-20: refused, naming the year and the series' range."""
    folder = _workspace(tmp_path, base_year="2021-22")
    with pytest.raises(
        DataFileError,
        match=r"baseline.yaml, field 'base_year': '2014-15'; expected the project's base "
        r"year '2021-22' \(project.yaml\)",
    ):
        appraise(str(folder), draws=0)
    sidecar = folder / "baseline.yaml"
    sidecar.write_text(
        sidecar.read_text(encoding="utf-8").replace('base_year: "2014-15"', 'base_year: "2021-22"'), encoding="utf-8"
    )
    with pytest.raises(
        DDAnalysisError,
        match=r"base year 2021-22: the GDP deflator .* covers 2008-09 to 2019-20, so "
        r"prices cannot be made real in 2021-22 terms",
    ):
        appraise(str(folder), draws=0)


@pytest.mark.official
def test_a_new_workspaces_baseline_is_checked_against_the_councils_official_figure(tmp_path: Path, official_dir):
    """project.yaml records Barking & Dagenham's 2014-15 RS cultural figure, 8,665 thousand; a baseline whose net
    budget is 1,800+170+250+600+90+20+4,000+5,000+300+150 - (150+50+30) = 12,150 thousand is above 8,665 x 1.25 =
    10,831.25 and is refused, naming the figure; the library lines of 3,600 thousand pass."""
    from ddanalysis.baseline import load_baseline

    scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", official_dir=official_dir
    )
    raw = yaml.safe_load((tmp_path / "ws" / "project.yaml").read_text(encoding="utf-8"))
    assert raw["official"]["rs_net_current_gbp_k"] == 8665
    _fill(tmp_path / "ws" / "baseline.xlsx", {**LIBRARY_LINES, "supplies_services": 4000, "third_party_payments": 5000})
    with pytest.raises(
        DataFileError,
        match=r"net budget of 12,150 thousand .* is 140% of 8,665 thousand, the official "
        r"2014-15 RS net current expenditure of Barking & Dagenham",
    ):
        load_baseline(tmp_path / "ws" / "baseline.xlsx", project_id=str(tmp_path / "ws"))
    _fill(tmp_path / "ws" / "baseline.xlsx", LIBRARY_LINES)
    passed = load_baseline(tmp_path / "ws" / "baseline.xlsx", project_id=str(tmp_path / "ws"))
    assert passed.net_budget_gbp == LIBRARY_NET_GBP
    # and the baseline states its share of that figure, as a bundled one does: 3,600 / 8,665 = 41.55%
    assert passed.rs_share == pytest.approx(3600 / 8665) and passed.rs_service == "cultural"
    assert "In-scope net budget = 41.55% of the official 2014-15 RS net current expenditure" in passed.source
    run = _cli("check-baseline", "ws", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert re.search(r"share of RS cultural\s+41\.5%", run.stdout), run.stdout


@pytest.mark.slow
def test_a_workspace_in_2016_17_appraises_in_2016_17_prices(tmp_path: Path):
    """A baseline from a 2016-17 budget book (`ddanalysis new --base-year 2016-17`) is appraised in real 2016-17
    prices, the first appraisal year being 2017-18 (undiscounted).

    Worked by hand: a money assumption in 2014-15 prices is carried by the GDP deflator
    (data/assumptions/appraisal.yaml: 2014-15 = 100.0, 2016-17 = 102.8), so the in-house redesign's
    redundancy cost of GBP 22,000 per FTE (2014-15 prices) is 22,000 x 102.8 / 100 = GBP 22,616 per FTE;
    a share (the pension rate change) is not money and is unchanged. The baseline's lines are the
    budget book's own 2016-17 figures: net 3,600 thousand, as typed. The workbook's cover says which
    prices it holds."""
    from openpyxl import load_workbook

    from ddanalysis.excel.export import export_project

    empty = tmp_path / "no-official-files"
    empty.mkdir()
    folder = scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", base_year="2016-17", official_dir=empty
    )
    _fill(folder / "baseline.xlsx", LIBRARY_LINES)
    r = appraise(str(folder), draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    assert (r.base_year, r.first_year, r.baseline.base_year) == ("2016-17", "2017-18", "2016-17")
    assert r.baseline.net_budget_gbp == LIBRARY_NET_GBP
    assert r.annual["financial_year"].iloc[0] == "2017-18"
    used = r.assumptions.set_index(["scope", "key"])["value_used"]
    assert used[("in-house-redesign", "redundancy_cost_per_fte")] == pytest.approx(22_616.0)
    bundled = appraise("walsall-college", draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    share = ("mutual", "pension_rate_change")
    if share in used.index:
        assert used[share] == bundled.assumptions.set_index(["scope", "key"])["value_used"][share]
    assert "real 2016-17 prices" in r.recommendation
    cover = load_workbook(export_project(r, tmp_path / "ws.xlsx"))["Cover"]
    texts = [c.value for row in cover.iter_rows(max_col=2) for c in row if isinstance(c.value, str)]
    assert "GBP in real 2016-17 prices (inflation removed), shown in whole pounds; cells hold full precision." in texts
    # what the analyst and the dashboard's what-if panel see of the assumptions: the same base-year prices
    from ddanalysis.dashboard.whatif import candidates

    listed = json.loads(_cli("assumptions", str(folder), "--json", cwd=tmp_path).stdout)
    assert [
        a["central"] for a in listed if (a["scope"], a["key"]) == ("in-house-redesign", "redundancy_cost_per_fte")
    ] == [22_616.0]
    panel = candidates(str(folder), []).set_index("key")
    assert panel.loc["in-house-redesign.redundancy_cost_per_fte", "central"] == pytest.approx(22_616.0)


@pytest.mark.slow
def test_the_result_cache_sees_an_edited_file_of_a_workspace_outside_the_bundled_data(tmp_path: Path):
    """Dashboards answer from ``engine.appraise_cached``. A workspace folder lies outside ``data/``, so its
    files must be part of the cache's key: adding a plan.yaml that starts 92 days after Dover's plan_start
    (2015-07-01 -> 2015-10-01: July 31 + August 31 + September 30 days) must move every option's go-live by
    92 days on the next call, not return the first call's result."""
    from ddanalysis import engine

    folder = _workspace(tmp_path)
    pid = workspace.resolve(str(folder))
    before = engine.appraise_cached(pid, draws=0).options.set_index("id")["go_live"]
    (folder / "plan.yaml").write_text("schema_version: 1\nstart: 2015-10-01\n", encoding="utf-8")
    after = engine.appraise_cached(pid, draws=0).options.set_index("id")["go_live"]
    for opt in before.index.drop("in-house"):
        shift = dt.date.fromisoformat(after[opt]) - dt.date.fromisoformat(before[opt])
        assert shift == dt.timedelta(days=92), opt
