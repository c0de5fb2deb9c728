"""A workspace's ``price_index.yaml`` extends the GDP deflator after the bundled series (2019-20), so a baseline
from a 2021-22 budget book appraises in 2021-22 prices; a template from ``ddanalysis new`` and each implausible
file are refused with exit status 2, naming the file and the key.

The index figures below are TEST FIGURES, made up for these tests in a base of 2018-19 = 100; they are not
the HM Treasury release's. Bundled deflator (data/assumptions/appraisal.yaml, 2014-15 = 100):
2018-19 = 106.9, 2019-20 = 109.1.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_bad_inputs import fails_cleanly
from test_workspace import LIBRARY_LINES, LIBRARY_NET_GBP, _fill, _workspace

from ddanalysis import price_index, scaffold, workspace
from ddanalysis.engine import appraise
from ddanalysis.errors import DataFileError

#: TEST FIGURES (not the release's): financial year -> index, 2018-19 = 100.
TEST_INDEX = {"2018-19": 100.0, "2019-20": 102.1, "2020-21": 107.6, "2021-22": 107.2}
BUNDLED = {"2017-18": 104.7, "2018-19": 106.9, "2019-20": 109.1}


def _file_text(index: dict[str, float]) -> str:
    """A filled-in price_index.yaml holding ``index`` (labelled as test figures)."""
    return yaml.safe_dump(
        {
            "schema_version": 1,
            "source": {
                "publisher": "TEST FIGURES (not HM Treasury's)",
                "title": "Test figures standing for GDP deflators at market prices, and money GDP",
                "year": 2023,
                "link": "https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp",
                "locator": "test table, financial-year column",
            },
            "index": index,
        },
        sort_keys=False,
    )


def test_chain_linking_by_hand():
    """extended[y] = bundled[2019-20] x council[y] / council[2019-20]:
    2020-21: 109.1 x 107.6 / 102.1 = 109.1 x 1.0538688 = 114.977;
    2021-22: 109.1 x 107.2 / 102.1 = 109.1 x (1.05 - 0.005 / 102.1) = 114.555 - 0.00534 = 114.5497.
    Bundled years keep their values (2018-19 stays 106.9, not 100)."""
    got = price_index.extended(BUNDLED, TEST_INDEX)
    assert got["2020-21"] == pytest.approx(114.977, abs=1e-3)
    assert got["2021-22"] == pytest.approx(114.5497, abs=1e-4)
    assert {y: got[y] for y in BUNDLED} == BUNDLED
    assert list(got) == ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22"]


def _read(tmp_path: Path, index: dict[str, float]):
    (tmp_path / price_index.PRICE_INDEX_FILE).write_text(_file_text(index), encoding="utf-8")
    return price_index.read_price_index(tmp_path, BUNDLED)


def test_the_same_series_in_another_base_passes(tmp_path: Path):
    """Ratios to the bundled series: 100 / 106.9 = 0.93545 and 102.1 / 109.1 = 0.93584, apart by 0.04%,
    well within 2%."""
    assert _read(tmp_path, TEST_INDEX).index == TEST_INDEX


@pytest.mark.parametrize(
    ("index", "where", "what"),
    [
        ({**TEST_INDEX, "2020-21": None}, r"index\.2020-21", "empty"),
        ({"2018-19": 100.0, "2019-20": 102.1, "2021-22": 107.2}, "index", "gap between 2019-20 and 2021-22"),
        ({"2019-20": 102.1, "2020-21": 107.6}, "index", r"overlaps the bundled GDP deflator in 1 year"),
        # 2018-19 typed 97.0: ratios 97.0 / 106.9 = 0.9074 and 102.1 / 109.1 = 0.9358, apart by 3.1% > 2%
        ({**TEST_INDEX, "2018-19": 97.0}, r"index\.2018-19, index\.2019-20", "0.9074 in 2018-19 but 0.9358"),
        # 2021-22 typed 170.2 for 107.2: 170.2 / 107.6 - 1 = +58.2%, outside -10%..+15%
        ({**TEST_INDEX, "2021-22": 170.2}, r"index\.2021-22", r"change of \+58\.2%"),
        ({**TEST_INDEX, "2020-21": -107.6}, r"index\.2020-21", "expected a positive index number"),
    ],
)
def test_implausible_files_are_refused_by_key(tmp_path: Path, index, where, what):
    with pytest.raises(DataFileError, match=rf"price_index\.yaml.*{where}: .*{what}"):
        _read(tmp_path, index)


def test_origin_says_whose_deflator_is_used(tmp_path: Path):
    """Without the file the bundled series is named with its last year; with it, the years after 2019-20
    (2020-21 to 2021-22) are the project's own, with the release's publisher and title."""
    assert price_index.origin(tmp_path, BUNDLED) == (
        "bundled defaults (HM Treasury GDP deflator to 2019-20; no price_index.yaml)"
    )
    _read(tmp_path, TEST_INDEX)
    said = price_index.origin(tmp_path, BUNDLED)
    assert said.startswith("bundled to 2019-20; after it (2020-21 to 2021-22) the project's own (price_index.yaml: ")
    assert "TEST FIGURES (not HM Treasury's)" in said and said.endswith("chain-linked at 2019-20")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m ddanalysis ARGS`` in a fresh process on the bundled data."""
    env = {k: v for k, v in os.environ.items() if k not in ("DDANALYSIS_DATA", workspace.WORKSPACES_ENV)}
    return subprocess.run(
        [sys.executable, "-m", "ddanalysis", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def _at_2021_22(tmp_path: Path) -> Path:
    """The Dover copy of test_workspace with project.yaml and the baseline's sidecar both at 2021-22."""
    folder = _workspace(tmp_path, base_year="2021-22")
    sidecar = folder / "baseline.yaml"
    text = sidecar.read_text(encoding="utf-8").replace('base_year: "2014-15"', 'base_year: "2021-22"')
    sidecar.write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("index", "key"),
    [
        ({"2018-19": 100.0, "2019-20": 102.1, "2021-22": 107.2}, "index: gap between 2019-20 and 2021-22"),
        ({"2019-20": 102.1, "2020-21": 107.6, "2021-22": 107.2}, "index: overlaps the bundled GDP deflator in 1"),
        ({**TEST_INDEX, "2018-19": 97.0}, "index.2018-19, index.2019-20: the ratio"),
        ({**TEST_INDEX, "2021-22": 170.2}, "index.2021-22: 170.2 after 107.6"),
    ],
    ids=["gap-in-years", "one-year-of-overlap", "overlap-disagrees", "implausible-jump"],
)
def test_the_cli_refuses_each_implausible_file_with_exit_2(tmp_path: Path, index, key):
    """Exit status 2, one paragraph naming the file and key, nothing on stdout or in the working folder, the
    workspace's files unchanged (:func:`test_bad_inputs.fails_cleanly`)."""
    folder = _at_2021_22(tmp_path)
    (folder / price_index.PRICE_INDEX_FILE).write_text(_file_text(index), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    expect = (f"{folder / price_index.PRICE_INDEX_FILE}", key)
    fails_cleanly("appraise", str(folder), "--draws", "0", cwd=work, inputs=(folder,), expect=expect)


def test_without_the_file_the_refusal_says_how_to_give_the_series(tmp_path: Path):
    folder = _at_2021_22(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    expect = ("covers 2008-09 to 2019-20", "price_index.yaml", price_index.DOCS_SECTION)
    fails_cleanly("appraise", str(folder), "--draws", "0", cwd=work, inputs=(folder,), expect=expect)


def test_new_writes_a_template_and_appraising_it_unfilled_is_refused(tmp_path: Path):
    """`ddanalysis new --base-year 2021-22` writes price_index.yaml with empty source fields and one empty value
    per year from 2018-19 (the year before the bundled series' last) to 2021-22; appraising names each."""
    empty = tmp_path / "no-official-files"
    empty.mkdir()
    folder = scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", base_year="2021-22", official_dir=empty
    )
    raw = yaml.safe_load((folder / price_index.PRICE_INDEX_FILE).read_text(encoding="utf-8"))
    assert raw["index"] == {"2018-19": None, "2019-20": None, "2020-21": None, "2021-22": None}
    assert all(v is None for v in raw["source"].values())
    _fill(folder / "baseline.xlsx", LIBRARY_LINES)
    work = tmp_path / "work"
    work.mkdir()
    expect = (str(folder / price_index.PRICE_INDEX_FILE), "source.publisher: empty", "index.2021-22: empty")
    fails_cleanly("appraise", str(folder), "--draws", "0", cwd=work, inputs=(folder,), expect=expect)


def test_new_at_a_bundled_year_writes_no_template(tmp_path: Path):
    empty = tmp_path / "no-official-files"
    empty.mkdir()
    folder = scaffold.create_workspace(tmp_path / "ws", ["E5030"], "cultural", base_year="2016-17", official_dir=empty)
    assert not (folder / price_index.PRICE_INDEX_FILE).exists()


@pytest.mark.slow
def test_a_workspace_in_2021_22_appraises_in_2021_22_prices(tmp_path: Path):
    """A 2021-22 budget book with price_index.yaml of the test figures. Extended deflator 2021-22 = 114.5497
    (test_chain_linking_by_hand), so a money assumption in 2014-15 prices is carried by 114.5497 / 100: the
    mutual's legal and governance set-up, GBP 80 thousand (models/mutual.yaml, no dated values), is
    80 x 1.145497 = GBP 91.640 thousand in 2021-22 prices. The in-house redesign's redundancy cost per FTE has
    dated values (models/in-house-redesign.yaml: GBP 22,000 from 2021-04-01, cash of 2021-22), so at this base
    year it is 22,000 as written, already in 2021-22 prices (x 114.5497 / 114.5497). The baseline's
    lines are the budget book's own (net 3,600 thousand, as typed); the first appraisal year is 2022-23;
    the provenance says the deflator after 2019-20 is the project's own, with its source."""
    import json

    empty = tmp_path / "no-official-files"
    empty.mkdir()
    folder = scaffold.create_workspace(
        tmp_path / "ws", ["E5030"], "cultural", title="Library service", base_year="2021-22", official_dir=empty
    )
    _fill(folder / "baseline.xlsx", LIBRARY_LINES)
    (folder / price_index.PRICE_INDEX_FILE).write_text(_file_text(TEST_INDEX), encoding="utf-8")
    r = appraise(str(folder), draws=0, with_switching=False, with_decision=False, with_sensitivity=False)
    assert (r.base_year, r.first_year, r.baseline.base_year) == ("2021-22", "2022-23", "2021-22")
    assert r.baseline.net_budget_gbp == LIBRARY_NET_GBP
    used = r.assumptions.set_index(["scope", "key"])["value_used"]
    assert used[("mutual", "transition_legal_governance")] == pytest.approx(91.640, abs=1e-3)
    assert used[("in-house-redesign", "redundancy_cost_per_fte")] == pytest.approx(22_000.0)
    # its range is dated too (15,000 to 35,000 in 2021-22 cash, models/*.yaml), so low and high are in the same
    # prices as the central, not 2014-15's written values carried up by the deflator (17,182 and 40,092)
    rows = r.assumptions.set_index(["scope", "key"])
    assert (rows.loc[("in-house-redesign", "redundancy_cost_per_fte"), ["low", "high"]] == [15_000.0, 35_000.0]).all()
    run = _cli("appraise", str(folder), "--draws", "0", "--json", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert (out["base_year"], out["first_year"]) == ("2021-22", "2022-23")
    origin = out["provenance"]["gdp_deflator_origin"]
    assert "after it (2020-21 to 2021-22) the project's own (price_index.yaml" in origin
    assert "TEST FIGURES" in origin
    recorded = [i["path"] for i in out["run_record"]["inputs"]]
    assert any(p.endswith("price_index.yaml") for p in recorded)
    from openpyxl import load_workbook

    from ddanalysis.excel.export import export_project

    cover = load_workbook(export_project(r, tmp_path / "ws.xlsx"))["Cover"]
    texts = [c.value for row in cover.iter_rows(max_col=2) for c in row if isinstance(c.value, str)]
    assert r.provenance["gdp_deflator_origin"] in texts
    assert "GBP in real 2021-22 prices (inflation removed), shown in whole pounds; cells hold full precision." in texts
    import html

    from ddanalysis.paper import build_document
    from ddanalysis.paper.html import render_html
    from ddanalysis.paper.inputs import gather

    page = html.unescape(render_html(build_document(r, gather(r))))
    assert f"GDP deflator: {r.provenance['gdp_deflator_origin']}" in page
