"""Every YAML data file is read by one loader (``ddanalysis.yamlio``), which refuses what a data file never
needs and YAML would accept without a word: a key given twice in one mapping (the last silently wins, so a second
savings target replaced the first: 0.05 x 298,000 = 14,900 in place of 0.30 x 298,000 = 89,400) and an alias
(a value repeated by reference, which also lets a 1 KB file grow without bound). One case per kind of file that
reaches the loader: the text itself, an assumption overrides file, a workspace's sources.yaml, a project.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import dover_workspace

import ddanalysis as dd
from ddanalysis.errors import DDAnalysisError
from ddanalysis.yamlio import YAMLSyntaxError, load_yaml_text


@pytest.mark.parametrize(
    "text, said",
    [
        ("a: 1\na: 2\n", "line 2, column 1: found the key 'a' twice (first at line 1)"),
        ("x:\n  t: 1\n  t: 2\n", "line 3, column 3: found the key 't' twice (first at line 2)"),
        ("v: {2014-04-01: 1, 2014-04-01: 2}\n", "found the key '2014-04-01' twice"),
        ("a: &x [1, 2]\nb: *x\n", "found a value used again by an alias"),
    ],
)
def test_the_loader_refuses_a_repeated_key_and_an_alias(text: str, said: str):
    with pytest.raises(YAMLSyntaxError) as caught:
        load_yaml_text(text)
    assert said in str(caught.value)


def test_keys_that_differ_and_values_that_repeat_are_fine():
    """The control: equal values under different keys, and one key in two mappings, are not repeats."""
    assert load_yaml_text("a: {t: 1}\nb: {t: 1}\nc: [1, 1]\n") == {"a": {"t": 1}, "b": {"t": 1}, "c": [1, 1]}


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
