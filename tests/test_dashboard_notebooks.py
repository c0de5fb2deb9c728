"""The dashboard notebooks execute headless (as in JupyterLab) and stay a few cells of library calls."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import REPO
from nbclient import NotebookClient

pytestmark = pytest.mark.notebooks

DASHBOARDS = REPO / "dashboards"


@pytest.mark.parametrize("name", ["programme.ipynb", "appraisal.ipynb", "empty.ipynb"])
def test_dashboard_notebook_is_thin_and_stripped(name):
    nb = nbformat.read(DASHBOARDS / name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert 1 <= len(code) <= 3
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)  # committed stripped
    source = "\n".join(c.source for c in code)
    assert "import pandas" not in source and "appraise(" not in source  # no numbers born in a notebook


@pytest.mark.parametrize("name", ["programme.ipynb", "appraisal.ipynb"])
def test_dashboard_notebook_runs_and_shows_a_widget(name, tmp_path, monkeypatch):
    monkeypatch.setenv("DDANALYSIS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("QUERY_STRING", "project=kirklees-open-spaces")
    nb = nbformat.read(DASHBOARDS / name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(DASHBOARDS)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    # nbclient stores the widgets' state: the page shows the project named in the query string
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    text = json.dumps(state)
    assert (
        ("Open spaces: options appraisal" in text) if name == "appraisal.ipynb" else ("programme at a glance" in text)
    )
