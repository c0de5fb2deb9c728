"""An assumption's further sources (``other_sources``): a second figure behind its low, central or high, beside
the main source that backs the central and decides the rating (data/assumptions/README.md, "Evidence fields").

The loader holds each further source to the rules of the main one (a known id, a locator, no judgement, a
statute only for a rule), and every view of the data log shows it: the generated table, the assumptions table of
the dashboard and notebooks, the workbook's Assumptions sheet and the board paper's sources.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import dover_workspace

from ddanalysis import assumptions, config, workspace
from ddanalysis.errors import DataFileError
from ddanalysis.presentation import formats

#: The charitable trust's grant income as Dover's override states it, with a second figure for its high.
GRANT = {
    "low": 0.03,
    "central": 0.06,
    "high": 0.10,
    "basis": "evidence",
    "quality": "amber",
    "source": "london-museums-survey-2019",
    "locator": "Summary of findings, financial operations",
    "as_of": "2018-19",
    "verified": True,
    "note": "Contributed income 8.5% of 60 museums' income; Birmingham Museums Trust's 'more than 10%' is the high.",
    "other_sources": [
        {"source": "ma-on-the-money-2015", "backs": "high", "verified": True, "locator": "paragraph 1"},
    ],
}


def _workspace(tmp_path: Path, entry: dict) -> str:
    """A copy of dover-museum-tourism whose assumptions.yaml holds ``entry`` as the trust's grant income share."""
    folder = dover_workspace(tmp_path / "ws")
    own = {"schema_version": 1, "project": "my-museum", "models": {"charitable-trust": {"grant_income_share": entry}}}
    (folder / "assumptions.yaml").write_text(yaml.safe_dump(own, sort_keys=False), encoding="utf-8")
    return workspace.resolve(str(folder))


def _refusal(tmp_path: Path, entry: dict) -> str:
    with pytest.raises(DataFileError) as caught:
        assumptions.load_book(_workspace(tmp_path, entry))
    return str(caught.value)


def test_a_further_source_is_carried_with_what_it_backs(tmp_path: Path):
    """The book row keeps the main source (which rates the entry) and lists the further one with the value it
    backs and its locator."""
    row = assumptions.load_book(_workspace(tmp_path, GRANT)).table.loc[("charitable-trust", "grant_income_share")]
    assert row["source_id"] == "london-museums-survey-2019" and row["quality"] == "amber"
    assert json.loads(row["other_sources"]) == [
        {"source": "ma-on-the-money-2015", "locator": "paragraph 1", "backs": "high"}
    ]
    assert row["also_cited"] == "ma-on-the-money-2015, for the high: paragraph 1"


@pytest.mark.parametrize(
    ("other", "said"),
    [
        ({"source": "no-such-report", "backs": "high", "locator": "p. 3"}, "(no-such-report): not a source id"),
        ({"source": "team-judgement", "backs": "high", "locator": "-"}, "a judgement is not a further source"),
        ({"source": "ma-on-the-money-2015", "backs": "high", "locator": "  "}, "no locator"),
        ({"source": "london-museums-survey-2019", "backs": "low", "locator": "p. 2"}, "repeats the main source"),
        (
            {"source": "lgfa-1988-charity-relief", "backs": "high", "locator": "s.43(6)"},
            "a statute, cited only for a rule",
        ),
        ({"source": "cabinet-office-mutuals-2018", "backs": "high", "locator": "p. 1"}, "renamed"),
    ],
)
def test_a_further_source_is_held_to_the_main_sources_rules(tmp_path: Path, other: dict, said: str):
    """Each breach is refused naming the file, the key, the position in the list and the reason."""
    message = _refusal(tmp_path, {**GRANT, "other_sources": [other]})
    assert "assumptions.yaml" in message and "grant_income_share: other_sources[0]" in message
    assert said in message


def test_what_a_further_source_backs_is_one_of_the_three_values(tmp_path: Path):
    """``backs`` names the low, central or high; anything else (a typo, a field of another name) is refused."""
    bad = {**GRANT, "other_sources": [{"source": "ma-on-the-money-2015", "backs": "top", "locator": "p. 1"}]}
    assert "other_sources.0.backs" in _refusal(tmp_path / "typo", bad)
    extra = {**GRANT, "other_sources": [{**GRANT["other_sources"][0], "page": 4}]}
    assert "other_sources.0.page" in _refusal(tmp_path / "extra", extra)


def test_a_renamed_source_id_says_its_new_name(tmp_path: Path):
    """A workspace written before the State of the Sector 2018 report's id was corrected is told the new id."""
    message = _refusal(tmp_path, {**GRANT, "source": "cabinet-office-mutuals-2018", "other_sources": []})
    assert "'cabinet-office-mutuals-2018' is not a source id (renamed 'psm-state-of-sector-2018')" in message


def test_an_unverified_further_source_says_so_in_every_view(tmp_path: Path):
    """A second figure read only in a secondary account is shown '(not verified)' beside it: the Verified column
    is the main source's, so without the words a reader would take the further figure as read too. The
    dashboard's and notebooks' assumptions table carries it after the locator."""
    from ddanalysis.engine import appraise
    from ddanalysis.presentation import tables

    unread = {**GRANT, "other_sources": [{**GRANT["other_sources"][0], "verified": False}]}
    pid = _workspace(tmp_path, unread)
    row = assumptions.load_book(pid).table.loc[("charitable-trust", "grant_income_share")]
    assert row["also_cited"] == "ma-on-the-money-2015, for the high (not verified): paragraph 1"
    shown = tables.assumptions_table(appraise(pid, draws=0, with_switching=False)).frame.set_index("Key")
    assert shown.loc["charitable-trust.grant_income_share", "Locator"] == (
        "Summary of findings, financial operations; also cited: ma-on-the-money-2015, for the high (not verified): "
        "paragraph 1"
    )


def test_the_locator_text_shows_the_further_sources():
    """Worked by hand: a locator alone; a locator then the further sources; further sources alone."""
    assert formats.locator_text("table 2") == "table 2"
    assert formats.locator_text("table 2", "x, for the high: p. 3") == "table 2; also cited: x, for the high: p. 3"
    assert formats.locator_text(None, "x, for the low: p. 1") == "also cited: x, for the low: p. 1"


def test_the_bundled_further_sources_show_in_the_data_log():
    """The three bundled entries that name a second figure (the community-led high from Urban Green Newcastle, the
    outsourcing margin's low from Serco, Dover's trust grant high from Birmingham Museums Trust) carry it in the
    committed data log's source column, so the table a reader sees names both sources."""
    readme = (Path(config.data_path("assumptions")) / "README.md").read_text(encoding="utf-8")
    expected = {
        "`community-led.grant_income_share`": "also cited: urban-green-newcastle-register-2024, for the high:",
        "`outsourcing.supplier_margin`": "also cited: serco-results-2015, for the low:",
        "`charitable-trust.grant_income_share`": "also cited: ma-on-the-money-2015, for the high:",
    }
    for key, text in expected.items():
        assert any(key in line and text in line for line in readme.splitlines()), key
