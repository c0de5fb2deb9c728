"""A workspace cites the council's own evidence: its own ``sources.yaml`` beside ``assumptions.yaml``, held to the
quality rule of data/assumptions/README.md as the bundled files are (the loader checks it, for every file)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import dover_workspace

from ddanalysis import assumptions, workspace
from ddanalysis.errors import DataFileError

#: The council's own sources, as a finance officer would write them.
OWN_SOURCES = {
    "sources": {
        "kent-actuary-2015": {
            "publisher": "Kent Pension Fund (Barnett Waddingham, fund actuary)",
            "title": "Indicative employer contribution rate for a new admitted museum trust (letter to the council)",
            "year": 2015,
            "link": "",
            "kind": "published_study",
        },
        "dover-ledger-2014-15": {
            "publisher": "Dover District Council",
            "title": "General ledger 2014-15, cost centres of the museum",
            "year": 2015,
            "link": "",
            "kind": "council_ledger",
        },
    }
}

#: An amber figure from the actuary's letter, read there (verified).
ACTUARY = {
    "low": 0.02,
    "central": 0.035,
    "high": 0.05,
    "basis": "evidence",
    "quality": "amber",
    "source": "kent-actuary-2015",
    "locator": "letter of 3 March 2015, table 2",
    "as_of": "2014-15",
    "verified": True,
}


def _workspace(tmp_path: Path, models: dict, sources: dict | None) -> str:
    """A copy of dover-museum-tourism as workspace 'my-museum', with ``models`` as its assumptions.yaml's
    overrides and ``sources`` as its sources.yaml (none when None); returns its id (opened)."""
    folder = dover_workspace(tmp_path / "ws")
    own = {"schema_version": 1, "project": "my-museum", "models": models}
    (folder / "assumptions.yaml").write_text(yaml.safe_dump(own, sort_keys=False), encoding="utf-8")
    if sources is not None:
        (folder / "sources.yaml").write_text(yaml.safe_dump(sources, sort_keys=False), encoding="utf-8")
    return workspace.resolve(str(folder))


def test_a_workspace_cites_its_own_sources(tmp_path: Path):
    """The actuary's letter is the council's source, not the team's judgement: the book carries it with its title
    and kind, and the assumption keeps its amber rating and the workspace's origin."""
    pid = _workspace(tmp_path, {"charitable-trust": {"pension_rate_change": ACTUARY}}, OWN_SOURCES)
    book = assumptions.load_book(pid)
    row = book.table.loc[("charitable-trust", "pension_rate_change")]
    assert (row["source_id"], row["quality"], bool(row["verified"])) == ("kent-actuary-2015", "amber", True)
    assert row["origin"].startswith(assumptions.ORIGIN_OWN) and row["central"] == 0.035
    assert book.sources["kent-actuary-2015"]["kind"] == "published_study"
    assert "new admitted museum trust" in book.sources["kent-actuary-2015"]["title"]
    assert "green-book" in book.sources  # the bundled sources stay citable beside them


def test_an_unknown_source_says_where_sources_come_from(tmp_path: Path):
    """Without the workspace's sources.yaml the id is unknown: the error names the assumptions file and key, the
    bundled sources file, and the workspace file where the council's own source goes."""
    pid = _workspace(tmp_path, {"charitable-trust": {"pension_rate_change": ACTUARY}}, None)
    with pytest.raises(DataFileError) as caught:
        assumptions.load_book(pid)
    said = str(caught.value)
    assert str(tmp_path / "ws" / "assumptions.yaml") in said
    assert "charitable-trust.pension_rate_change: source 'kent-actuary-2015' is not a source id" in said
    assert "data/assumptions/sources.yaml" in said and "the workspace's sources.yaml" in said


@pytest.mark.parametrize(
    "change, expected",
    [
        # the team's judgement passed off as an amber, verified figure
        (
            {"source": "team-judgement", "note": "the council's view"},
            "a judgement (team-judgement) is always red and never verified, not amber",
        ),
        # a judgement without a note saying whose and why
        ({"source": "team-judgement", "quality": "red", "verified": False}, "a judgement needs a note"),
        # a figure not read in the source's own text cannot be amber
        ({"verified": False}, "not verified against the source's own text, so no better than red (is amber)"),
        # a published study cannot make a figure green
        ({"quality": "green"}, "green needs an official statistic, a statute or the council's own ledger"),
        # a figure from a source needs its locator
        ({"locator": ""}, "cites kent-actuary-2015 without a locator"),
        # a statute is cited for a rule, never for a number
        ({"source": "vat-act-1994-s33", "quality": "red", "verified": False}, "is a statute, cited only for a rule"),
    ],
)
def test_a_workspace_entry_is_held_to_the_quality_rule(tmp_path: Path, change: dict, expected: str):
    """Each breach of the rule is refused with the file, the key and the rule it breaks."""
    pid = _workspace(tmp_path, {"charitable-trust": {"pension_rate_change": {**ACTUARY, **change}}}, OWN_SOURCES)
    with pytest.raises(DataFileError, match="charitable-trust.pension_rate_change") as caught:
        assumptions.load_book(pid)
    assert expected in str(caught.value)


def test_the_councils_ledger_can_make_a_figure_green(tmp_path: Path):
    """A figure read in the council's own ledger may be green (an official record of its own spending)."""
    ledger = {**ACTUARY, "source": "dover-ledger-2014-15", "quality": "green", "locator": "cost centre M100"}
    pid = _workspace(tmp_path, {"charitable-trust": {"pension_rate_change": ledger}}, OWN_SOURCES)
    assert assumptions.load_book(pid).table.loc[("charitable-trust", "pension_rate_change"), "quality"] == "green"


#: Who published a source and when (every source says so).
WHO = {"publisher": "Kent Pension Fund", "year": 2015}


@pytest.mark.parametrize(
    "sources, expected",
    [
        ({"green-book": {**WHO, "title": "Our own Green Book", "kind": "published_study"}}, "green-book: the bundled"),
        ({"kent-actuary-2015": {**WHO, "title": "Actuary's letter"}}, "kent-actuary-2015.kind: missing"),
        (
            {"kent-actuary-2015": {**WHO, "title": "Actuary's letter", "kind": "letter"}},
            "kent-actuary-2015.kind: 'letter'",
        ),
        # who and when are part of a citation; an unknown field is a typing slip, not a note
        ({"a-letter": {"title": "Actuary's letter", "kind": "survey", "year": 2015}}, "a-letter.publisher: missing"),
        ({"a-letter": {**OWN_SOURCES["sources"]["kent-actuary-2015"], "year": ""}}, "a-letter.year: missing"),
        ({"a-letter": {**OWN_SOURCES["sources"]["kent-actuary-2015"], "colour": "red"}}, "a-letter.colour: unknown"),
    ],
)
def test_a_workspaces_sources_file_is_checked(tmp_path: Path, sources: dict, expected: str):
    """The workspace's own sources may not reuse a bundled id (a citation must mean one thing), each names its
    kind from the rule's list, its publisher and year, and no field of another name; the error names the
    workspace's sources.yaml."""
    pid = _workspace(tmp_path, {}, {"sources": sources})
    with pytest.raises(DataFileError) as caught:
        assumptions.load_book(pid)
    assert str(tmp_path / "ws" / "sources.yaml") in str(caught.value) and expected in str(caught.value)


#: The council's medium-term financial plan, the source of its own savings target.
MTFP = {
    "dover-mtfp-2015": {
        "publisher": "Dover District Council",
        "title": "Medium-term financial plan 2015-16 to 2018-19",
        "year": 2015,
        "link": "",
        "kind": "council_ledger",
    }
}


def _with_target(tmp_path: Path, target: dict) -> str:
    """The workspace above with ``targets: {steady_state_saving_share: target}`` in its assumptions.yaml."""
    pid = _workspace(tmp_path, {}, {"sources": {**OWN_SOURCES["sources"], **MTFP}})
    path = tmp_path / "ws" / "assumptions.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["targets"] = {"steady_state_saving_share": target}
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return pid


def test_a_workspace_sets_the_councils_own_savings_target(tmp_path: Path):
    """The MTFP's 30% replaces the bundled illustrative 10%: Dover's net budget is 298 thousand (baseline.csv:
    gross 543 less income 245), so the target is 0.30 x 298,000 = GBP 89,400 a year, and every output's words
    say it is the council's own, from its plan, not ILLUSTRATIVE."""
    from ddanalysis import engine
    from ddanalysis.presentation import tables

    pid = _with_target(
        tmp_path, {"value": 0.30, "source": "dover-mtfp-2015", "locator": "table 4, museum", "as_of": "2015-16"}
    )
    result = engine.appraise(pid, draws=20, with_switching=False)
    assert result.mc_target_gbp == pytest.approx(89_400)
    said = tables.savings_target_basis(result)
    assert said.startswith("30% of the net budget: the council's own target (Medium-term financial plan 2015-16")
    assert "assumptions.yaml" in said and "ILLUSTRATIVE" not in said


@pytest.mark.parametrize(
    "target, expected",
    [
        ({"value": 30, "source": "dover-mtfp-2015"}, "targets.steady_state_saving_share.value: expected a share"),
        ({"value": 0.3, "source": "our-mtfp"}, "targets.steady_state_saving_share.source: 'our-mtfp' is not a source"),
        (
            {"value": 0.3, "source": "team-judgement"},
            "targets.steady_state_saving_share.note: a judgement needs a note",
        ),
        ({"value": 0.3, "source": "dover-mtfp-2015", "share": 0.3}, "targets.steady_state_saving_share.share: unknown"),
        # held to the assumptions' rules: a figure from a source says where; a statute is no source for a number
        ({"value": 0.3}, "targets.steady_state_saving_share.source: missing"),
        ({"value": 0.3, "source": "dover-mtfp-2015"}, "targets.steady_state_saving_share.locator: missing"),
        (
            {"value": 0.3, "source": "lgfa-1988-charity-relief", "locator": "s.43"},
            "targets.steady_state_saving_share.source: lgfa-1988-charity-relief is a statute",
        ),
    ],
)
def test_a_workspaces_savings_target_is_checked(tmp_path: Path, target: dict, expected: str):
    """A target typed as a percentage (30 for 30%), an unknown source, a judgement without a note and an unknown
    key are each refused, naming the workspace's assumptions.yaml and the key."""
    pid = _with_target(tmp_path, target)
    with pytest.raises(DataFileError) as caught:
        assumptions.load_book(pid)
    assert str(tmp_path / "ws" / "assumptions.yaml") in str(caught.value) and expected in str(caught.value)


def test_a_target_put_under_a_service_says_where_targets_go(tmp_path: Path):
    """A savings target is one per project: under ``services:`` it is refused with where it belongs, not 'expected
    a mapping' (it was one)."""
    folder = dover_workspace(tmp_path / "ws")  # Dover's project.yaml: one service, id 'service'
    own = {"schema_version": 1, "project": "my-museum", "services": {"service": {"targets": {}}}}
    (folder / "assumptions.yaml").write_text(yaml.safe_dump(own, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        assumptions.load_book(workspace.resolve(str(folder)))
    assert "services.service.targets: unknown key; a service's section holds settings and models (targets" in str(
        caught.value
    )


def test_check_baseline_refuses_an_unknown_service(capsys):
    """`check-baseline dover-museum-tourism:nope` checked the baseline and ignored the service; `appraise` refuses
    it, and now so does check-baseline, listing the known ones (Dover's project.yaml: one service, 'service')."""
    from ddanalysis import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(["check-baseline", "dover-museum-tourism:nope"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "unknown service 'nope'; valid services: service" in err


def test_check_baseline_says_a_folder_is_not_a_workspace(tmp_path: Path, capsys):
    """A folder without project.yaml was refused as a file with "got 'no extension'"; it is named as a folder."""
    from ddanalysis import cli

    (tmp_path / "notws").mkdir()
    with pytest.raises(SystemExit) as stop:
        cli.main(["check-baseline", str(tmp_path / "notws")])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "a folder, but not a workspace (no project.yaml)" in err
