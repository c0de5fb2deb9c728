"""Every YAML data file is read by one loader (``ddanalysis.yamlio``), which refuses what a data file never
needs and YAML would accept without a word: a key given twice in one mapping (the last silently wins, so a second
savings target replaced the first: 0.05 x 298,000 = 14,900 in place of 0.30 x 298,000 = 89,400) and aliases
that expand a 1 KB file into hundreds of millions of values (one took 66 s to load). One case per kind of file that
reaches the loader: the text itself, an assumption overrides file, a workspace's sources.yaml, a project.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dover_workspace

import ddanalysis as dd
from ddanalysis.errors import DDAnalysisError
from ddanalysis.yamlio import YAMLSyntaxError, load_yaml_text


def _nested_aliases(levels: int) -> str:
    """A file of ``levels`` lines, each a list of nine aliases of the line before: about 9 ** levels values once
    written out (9 ** 9 = 387,420,489) from under 1 KB of text."""
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{names[i]}: &{names[i]} [{', '.join([f'*{names[i - 1]}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    "text, said",
    [
        ("a: 1\na: 2\n", "line 2, column 1: found the key 'a' twice (first at line 1)"),
        ("x:\n  t: 1\n  t: 2\n", "line 3, column 3: found the key 't' twice (first at line 2)"),
        ("v: {2014-04-01: 1, 2014-04-01: 2}\n", "found the key '2014-04-01' twice"),
        (_nested_aliases(9), "the aliases (*name) expand this file to about"),
    ],
)
def test_the_loader_refuses_a_repeated_key_and_an_alias_bomb(text: str, said: str):
    with pytest.raises(YAMLSyntaxError) as caught:
        load_yaml_text(text)
    assert said in str(caught.value)


def test_keys_that_differ_and_values_that_repeat_are_fine():
    """The control: equal values under different keys, one key in two mappings, and a few aliases (as a YAML
    writer puts them for a repeated value: 9 ** 5 = 59,049 values, well under the million) are not refused."""
    assert load_yaml_text("a: {t: 1}\nb: {t: 1}\nc: [1, 1]\n") == {"a": {"t": 1}, "b": {"t": 1}, "c": [1, 1]}
    assert load_yaml_text("a: &x {source: ledger}\nb: *x\n") == {"a": {"source": "ledger"}, "b": {"source": "ledger"}}
    assert len(load_yaml_text(_nested_aliases(5))["e"]) == 9


def _appraise(ws: Path):
    return dd.appraise(str(ws), draws=0)


def test_a_savings_target_given_twice_is_refused_naming_the_file(tmp_path: Path):
    ws = dover_workspace(tmp_path / "ws")
    (ws / "assumptions.yaml").write_text(
        "schema_version: 1\nproject: my-museum\ntargets:\n"
        "  steady_state_saving_share: {value: 0.3, source: team-judgement, note: the council's own}\n"
        "  steady_state_saving_share: {value: 0.05, source: team-judgement, note: a second thought}\n",
        encoding="utf-8",
    )
    with pytest.raises(DDAnalysisError) as caught:
        _appraise(ws)
    said = str(caught.value)
    assert "assumptions.yaml" in said and "found the key 'steady_state_saving_share' twice" in said


def test_a_key_given_twice_in_project_yaml_is_refused(tmp_path: Path):
    ws = dover_workspace(tmp_path / "ws")
    text = (ws / "project.yaml").read_text(encoding="utf-8")
    (ws / "project.yaml").write_text(text + "id: my-museum\n", encoding="utf-8")
    with pytest.raises(DDAnalysisError) as caught:
        _appraise(ws)
    assert "project.yaml" in str(caught.value) and "found the key 'id' twice" in str(caught.value)


def test_a_deeply_nested_file_is_counted_without_exhausting_recursion():
    """The alias count walks the parsed nodes on its own stack: 900 nested lists (under the parser's own cap of
    1,000 levels) load as before; a recursive count, two frames a level (the function and its generator), would
    pass Python's default recursion limit of 1,000 frames."""
    nested = load_yaml_text("x: " + "[" * 900 + "]" * 900 + "\n")["x"]
    depth = 0
    while nested:
        nested, depth = nested[0], depth + 1
    assert depth == 899


def test_a_source_given_twice_in_a_workspaces_sources_file_is_refused(tmp_path: Path):
    """Two entries under one id in sources.yaml: the second would silently redefine what the first cites."""
    from ddanalysis import assumptions, workspace

    ws = dover_workspace(tmp_path / "ws")
    entry = "{publisher: Dover District Council, title: Ledger, year: 2015, link: '', kind: council_ledger}"
    (ws / "sources.yaml").write_text(f"sources:\n  ledger: {entry}\n  ledger: {entry}\n", encoding="utf-8")
    with pytest.raises(DDAnalysisError) as caught:
        assumptions.load_book(workspace.resolve(str(ws)))
    assert "sources.yaml" in str(caught.value) and "found the key 'ledger' twice (first at line 2)" in str(caught.value)
