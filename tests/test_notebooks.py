"""Execute every analyst notebook on the bundled data (papermill, the runner's own code) and read the results.

All notebooks run once, in parallel worker processes, in a session fixture; each test then reads
an executed notebook and checks what an analyst would see: the project's title, its baseline,
the recommendation, one chart per chart cell (offline), the parameters papermill injected.
Expected values come from the data files read here (YAML, CSV) or from the Green Book formula,
not from the notebooks' own output. Small ``draws`` keep them fast; kernel start-up dominates.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from ddanalysis import notebook_runner as runner

pytestmark = pytest.mark.notebooks

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
PLOTLY = "application/vnd.plotly.v1+json"

#: The template with non-default parameters: two projects, two scenarios, both perspectives, small draws.
TEMPLATE_RUNS = {
    "hull-low-public": (
        "hull-adult-social-care",
        {"scenario": "low", "perspective": "public", "draws": 500, "seed": 7},
    ),
    "cwac-high-council": (
        "cwac-wirral-school-services",
        {"scenario": "high", "perspective": "council", "draws": 300, "seed": 2024},
    ),
    "kirklees-no-mc": ("kirklees-open-spaces", {"scenario": "no-rates-relief", "draws": 0}),
}
#: Every notebook as committed (the template with its own defaults).
AS_COMMITTED = ("01_programme_overview", "02_council_context", "03_options_appraisal", "04_methodology")


# --- independent readings of the data files ---------------------------------------------------------------


def _projects() -> dict[str, dict]:
    ids = yaml.safe_load((DATA / "projects" / "programme.yaml").read_text(encoding="utf-8"))["projects"]
    return {pid: yaml.safe_load((DATA / "projects" / pid / "project.yaml").read_text(encoding="utf-8")) for pid in ids}


def _council_names() -> dict[str, str]:
    with (DATA / "councils.csv").open(encoding="utf-8") as f:
        return {r["e_code"]: r["name"] for r in csv.DictReader(f)}


def _scenario_description(name: str) -> str:
    raw = yaml.safe_load((DATA / "assumptions" / "scenarios.yaml").read_text(encoding="utf-8"))
    return raw["scenarios"][name]["description"]


def _baseline_net_gbp(project_id: str) -> float:
    """Net budget from the bundled CSV: the sum of every GBP-thousand line (costs +, income -), in pounds."""
    lines = (DATA / "projects" / project_id / "baseline.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(ln for ln in lines if not ln.startswith("#"))
    return 1000.0 * sum(float(r["value"]) for r in rows if r["unit"] == "GBP thousand")


# --- running ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Every notebook as committed, plus the template for three projects with non-default parameters."""
    out = tmp_path_factory.mktemp("executed")
    jobs = [
        runner.NotebookJob(name, runner.NOTEBOOK_DIR / f"{name}.ipynb", out / f"{name}.ipynb") for name in AS_COMMITTED
    ]
    jobs += [
        runner.NotebookJob(label, runner.TEMPLATE, out / f"{label}.ipynb", {"project": pid, **params})
        for label, (pid, params) in TEMPLATE_RUNS.items()
    ]
    results = runner.run_jobs(jobs, progress=False)
    failed = [f"{r.job.label}: {r.error}" for r in results if not r.ok]
    assert not failed, "notebooks failed:\n" + "\n".join(failed)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    return {r.job.label: nbformat.read(str(r.job.output), as_version=4) for r in results}


def _outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _text(nb) -> str:
    """Everything an analyst reads in the outputs: Markdown, HTML tables, plain text, streams."""
    parts = []
    for o in _outputs(nb):
        if o.output_type == "stream":
            parts.append(o.text)
        for mime in ("text/markdown", "text/html", "text/plain"):
            if mime in o.get("data", {}):
                parts.append(o["data"][mime])
    return "\n".join(parts)


def _figures(nb) -> list[dict]:
    return [o["data"][PLOTLY] for o in _outputs(nb) if PLOTLY in o.get("data", {})]


def _injected(nb) -> str:
    cells = [c.source for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cells[0] if cells else ""


def _assert_clean(nb, label: str) -> None:
    errors = [f"{o.ename}: {o.evalue}" for o in _outputs(nb) if o.output_type == "error"]
    assert not errors, f"{label}: {errors}"
    stderr = [o.text for o in _outputs(nb) if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"{label} wrote warnings: {stderr}"
    assert nb.metadata["papermill"]["exception"] in (None, False)


def _assert_charts_offline(nb, label: str, expected: int | None = None) -> None:
    """One plotly figure per chart cell (or ``expected`` in all), drawn from its JSON by the bundled
    extension; nothing fetched from a CDN."""
    chart_cells = [c for c in nb.cells if c.cell_type == "code" and "view.show(" in c.source]
    figures = _figures(nb)
    expected = len(chart_cells) if expected is None else expected
    assert len(figures) == expected > 0, f"{label}: {len(figures)} figures, expected {expected}"
    for fig in figures:
        assert fig["data"] or fig["layout"].get("annotations"), f"{label}: a figure with neither data nor a message"
        assert fig["layout"]["title"]["text"]
    blob = json.dumps([o.get("data", {}) for o in _outputs(nb)])
    for marker in ("cdn.plot.ly", "cdn.jsdelivr", "<script src=", "mathjax", "cdnjs"):
        assert marker not in blob.lower(), f"{label}: output refers to {marker!r}"


# --- the options-appraisal template -------------------------------------------------------------------------


@pytest.mark.parametrize("label", list(TEMPLATE_RUNS) + ["03_options_appraisal"])
def test_template_reads_as_a_complete_appraisal_of_the_chosen_project(executed, label):
    import ddanalysis as dd
    from ddanalysis.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED

    nb = executed[label]
    pid, params = TEMPLATE_RUNS.get(label, ("walsall-college", {}))
    _assert_clean(nb, label)
    _assert_charts_offline(nb, label)
    text = _text(nb)
    project = _projects()[pid]
    names = _council_names()
    # the project, its councils and its baseline, from the data files
    assert f"## {project['title']} ({' + '.join(names[c] for c in project['councils'])})" in text
    assert f"£{_baseline_net_gbp(pid):,.0f}" in text, "the baseline's net budget is not shown"
    assert "ILLUSTRATIVE" in text
    # the parameters papermill injected reached the appraisal
    if params:
        assert f'project = "{pid}"' in _injected(nb)
        for key, value in params.items():
            assert f"{key} = {value!r}".replace("'", '"') in _injected(nb)
    scenario = params.get("scenario", "central")
    perspective = params.get("perspective", "council")
    assert f"**Scenario:** {scenario}. {_scenario_description(scenario)}" in text
    assert {"council": "the council's General Fund", "public": "the public sector as a whole"}[perspective] in text
    draws, seed = params.get("draws", DEFAULT_DRAWS), params.get("seed", DEFAULT_SEED)
    if draws:
        assert f"Monte Carlo over {draws:,} draws (seed {seed})" in text
    else:
        assert "not run (draws = 0)" in text
        # the Monte Carlo chart and the three charts of the decision measures (probability best, acceptability,
        # value of information) are messages without data
        assert sum(not f["data"] for f in _figures(nb)) == 4, "only the Monte Carlo charts are messages without data"
    # the recommendation an analyst would get from the library with the same arguments
    result = dd.appraise(pid, scenario=scenario, perspective=perspective, draws=draws, seed=seed)
    assert f"> **{result.recommendation}**" in text
    assert result.recommendation.startswith(("Recommended: ", "Keep the service in-house"))
    # the other bases: every other perspective named (council, public, social less the one appraised)
    assert "The other perspectives recommend the same option" in text or "Whose costs and gains count" in text
    others = {"council": "the council's General Fund", "public": "the public sector as a whole"}
    for other, words in others.items():
        if other != perspective:
            assert f"from {words}, " in text, f"{label}: no recommendation from {words}"
    # every short-listed option is in the options table, every section has its table
    for name in result.options["name"]:
        assert name in text
    for caption in (
        "Options against the status quo",
        "Annual saving against the status quo",
        "costs by year",
        "with one assumption at a time",
        "switching values",
        "Multi-criteria analysis: scores",
        "implementation plan by phase",
        "milestones",
        "risk register",
        "Assumptions used",
        "Net present saving at 10, 15 and 20 years",
    ):
        assert caption.lower() in text.lower(), f"{label}: no table captioned {caption!r}"
    # which option, how sure, what evidence is worth buying (from the same draws; Sobol on its own design)
    if draws:
        for caption in (
            "Probability each option is the best",
            "Value of information",
            "When each option fails",
            "Sobol indices of the net present saving",
            "independently",
        ):
            assert caption in text, f"{label}: no {caption!r}"
        assert "Strong M, Oakley JE, Brennan A" in text


def test_template_runs_differ_with_their_parameters(executed):
    """Same template, different parameters: different projects, scenarios and perspectives on screen."""
    low, high = _text(executed["hull-low-public"]), _text(executed["cwac-high-council"])
    assert "Adult social care redesign" in low and "School traded services" not in low
    assert "School traded services" in high and "Adult social care redesign" not in high
    assert "public perspective, low scenario" in low and "council perspective, high scenario" in high


# --- the other notebooks --------------------------------------------------------------------------------------


def test_programme_overview_shows_every_project_and_the_programme_totals(executed):
    nb = executed["01_programme_overview"]
    _assert_clean(nb, "overview")
    _assert_charts_offline(nb, "overview")
    text = _text(nb)
    projects = _projects()
    assert len(projects) == 10
    for p in projects.values():
        assert p["title"] in text
    assert "Programme total" in text
    total_net = sum(_baseline_net_gbp(pid) for pid in projects)
    assert f"£{total_net:,.0f}" in text, "the programme's total in-scope net budget is not shown"
    assert re.search(r"recommended options save \*\*-?£[\d,]+\*\*", text)
    assert "Go-live" in text and "Best option" in text


def test_methodology_shows_the_green_book_schedule_from_the_data(executed):
    nb = executed["04_methodology"]
    _assert_clean(nb, "methodology")
    text = _text(nb)
    # Green Book STPR: 3.5% to year 30, 3.0% to 75; factor of year t (t <= 30) is 1.035 ** -t
    assert "3.5%" in text and "3%" in text
    assert f"{1.035**-9:,.4g}" in text  # year 9, the last of the 10-year horizon: 0.7337
    for phrase in ("Open Government Licence", "optimism bias", "TUPE", "net present saving"):
        assert phrase.lower() in (text + "\n".join(c.source for c in nb.cells)).lower()


def test_council_context_shows_every_council_against_its_class(executed):
    nb = executed["02_council_context"]
    names = _council_names()
    _assert_clean(nb, "context")
    _assert_charts_offline(nb, "context", expected=len(names))  # one chart per council
    text = _text(nb)
    for name in names.values():
        assert f"### {name}" in text, f"council {name} has no section"
    titles = [f["layout"]["title"]["text"] for f in _figures(nb)]
    assert all("real 2014-15 prices" in t for t in titles)
    assert "Class median, real" in text and "Council, cash" in text and "Council, real" in text
    assert "Open Government Licence v3.0" in text


# --- the command line ------------------------------------------------------------------------------------------


def test_runner_reports_a_failing_notebook_and_exits_1(tmp_path):
    """``python -m ddanalysis.notebook_runner`` with a template that fails for one project."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('project = "walsall-college"')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell(
            'if project.startswith("dover"):\n'
            '    raise ValueError(f"boom in {project}\\nlast line for {project}")\n'
            'print("ran", project)'
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    template = tmp_path / "t.ipynb"
    nbformat.write(nb, str(template))
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddanalysis.notebook_runner",
            "--template",
            str(template),
            "-p",
            "walsall-college",
            "-p",
            "dover-museum-tourism",
            "-o",
            str(out),
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr
    assert "2 notebook(s) in" in proc.stderr and "1 succeeded, 1 failed" in proc.stderr
    assert "FAILED dover-museum-tourism: ValueError: last line for dover-museum-tourism" in proc.stderr
    assert "FAILED walsall-college" not in proc.stderr
    ok = nbformat.read(str(out / "options_appraisal_walsall-college.ipynb"), as_version=4)
    assert "ran walsall-college" in _text(ok)
    failed = nbformat.read(str(out / "options_appraisal_dover-museum-tourism.ipynb"), as_version=4)
    assert any(o.output_type == "error" for o in _outputs(failed))
    assert sorted(p.name for p in out.iterdir()) == [
        "options_appraisal_dover-museum-tourism.ipynb",
        "options_appraisal_walsall-college.ipynb",
    ]


@pytest.mark.parametrize("label", list(TEMPLATE_RUNS) + ["03_options_appraisal"])
def test_template_shows_who_gains_or_why_nothing_is_monetised(executed, label):
    """The public-value cells run and show who gains (or, for a project without monetised
    outcomes such as CWAC + Wirral, say why)."""
    from ddanalysis.public_value import load_outcomes

    nb = executed[label]
    pid, _ = TEMPLATE_RUNS.get(label, ("walsall-college", {}))
    text = _text(nb)
    assert "Outcome benefits (HM Treasury's supplementary guidance for local partnerships" in text
    if load_outcomes(pid).monetisable:
        assert "Who gains from" in text and "Public value: outcome benefits the perspective counts" in text
    else:
        assert "No outcome is monetised for this project" in text
