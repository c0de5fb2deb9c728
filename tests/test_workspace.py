"""Workspaces (ddanalysis.workspace): the folder that holds one appraisal, bundled or a council's own."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ddanalysis import registry, workspace
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
    Monte Carlo draws), so that this test shows the move changed no result."""
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


def test_an_older_schema_version_is_refused_with_the_upgrade_command(tmp_path: Path):
    folder = _workspace(tmp_path, schema_version=0)
    with pytest.raises(DataFileError, match=r"schema_version: 0, older than this release's 1: run `ddanalysis "
                                            r"upgrade .*ws` to migrate"):
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
    bundled = appraise("dover-museum-tourism", draws=0, with_switching=False, with_decision=False,
                       with_sensitivity=False)
    assert own.project_id == "my-museum"
    assert list(own.options.net_present_saving_gbp) == pytest.approx(list(bundled.options.net_present_saving_gbp))
    assert set(own.mca_scores.score) == {5.0}
    assert own.mca_scores.rationale.str.startswith("DEFAULT, not the council's").all()
