"""The analyst notebooks as committed: no outputs, thin code, the template's papermill parameters,
and the notebook runner's logic (jobs, errors, report) without starting a kernel.

Fast (no kernel): these run in ``make test-fast``. Executing the notebooks is tests/test_notebooks.py.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from papermill.exceptions import PapermillExecutionError

from ddanalysis import notebook_runner as runner
from ddanalysis.errors import DDAnalysisError, UnknownKeyError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
EXPECTED = (
    "01_programme_overview.ipynb",
    "02_council_context.ipynb",
    "03_options_appraisal.ipynb",
    "04_methodology.ipynb",
)
ALL = sorted(NOTEBOOKS.glob("*.ipynb"))
#: Longest code cell allowed (lines): notebooks import, set parameters, call the library, display.
MAX_CODE_LINES = 8


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


def _is_parameters(cell: nbformat.NotebookNode) -> bool:
    return "parameters" in cell.metadata.get("tags", [])


def _markdown(nb: nbformat.NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_the_four_notebooks_are_there_and_listed_in_the_readme():
    assert sorted(p.name for p in ALL) == sorted(EXPECTED)
    readme = (NOTEBOOKS / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert name in readme, f"notebooks/README.md does not mention {name}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = _read(path)
    dirty = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs or execution counts; run 'make strip'"
    assert "papermill" not in nb.metadata, f"{path.name}: papermill metadata left in; commit the template, not a run"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_valid_notebook_on_the_python3_kernel(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == runner.KERNEL_NAME
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "starts with a title"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_no_number_or_function_is_born_in_a_notebook(path):
    """Outside the parameters cell: no numeric literal, no def / class / lambda, no long cell."""
    nb = _read(path)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or _is_parameters(cell):
            continue
        tree = ast.parse(cell.source)
        numbers = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, (int, float, complex))
            and not isinstance(n.value, bool)
        ]
        assert not numbers, f"{path.name} cell {i}: literal number(s) {numbers} belong in the library or its data"
        defs = [
            type(n).__name__
            for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
        ]
        assert not defs, f"{path.name} cell {i}: {defs} - functions belong in the ddanalysis package"
        assert len(cell.source.splitlines()) <= MAX_CODE_LINES, f"{path.name} cell {i} is too long for a thin notebook"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_parameters_cell_holds_only_parameters(path):
    nb = _read(path)
    params = [c for c in nb.cells if _is_parameters(c)]
    assert len(params) <= 1, f"{path.name}: more than one cell tagged 'parameters'"
    if not params:
        return
    assert _code_cells(nb)[0] is params[0], f"{path.name}: the parameters cell must be the first code cell"
    tree = ast.parse(params[0].source)
    for node in tree.body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name), (
            f"{path.name}: the parameters cell may only assign names, found {ast.dump(node)[:80]}"
        )
        assert isinstance(node.value, (ast.Constant, ast.List)), f"{path.name}: parameters are plain values"


def test_template_parameters_are_the_five_papermill_parameters_with_the_library_defaults():
    from ddanalysis.assumptions import load_book
    from ddanalysis.cashflow import PERSPECTIVES
    from ddanalysis.registry import project_ids
    from ddanalysis.uncertainty import DEFAULT_DRAWS, DEFAULT_SEED

    nb = _read(runner.TEMPLATE)
    cell = next(c for c in nb.cells if _is_parameters(c))
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(cell.source).body}
    assert tuple(values) == runner.TEMPLATE_PARAMETERS == ("project", "scenario", "perspective", "draws", "seed")
    assert values["project"] == project_ids()[0]
    assert values["scenario"] == "central" and "central" in load_book().scenario_names()
    assert values["perspective"] == "council" and "council" in PERSPECTIVES
    # draws and seed default to None, the data file's values, so a run without parameters equals
    # dd.appraise(project) and follows an edit of appraisal.yaml's monte_carlo section
    assert (values["draws"], values["seed"]) == (None, None)
    assert runner_settings(values) == (DEFAULT_DRAWS, DEFAULT_SEED)


def runner_settings(values: dict) -> tuple[int, int]:
    """The draws and seed the template's code cell passes on for these parameter values."""
    from ddanalysis.run_defaults import monte_carlo_settings

    return monte_carlo_settings(values["draws"], values["seed"])


NOTEBOOKS_AND_DASHBOARDS = ALL + sorted((REPO / "dashboards").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS_AND_DASHBOARDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_notebook_repeats_the_data_files_draws_seed_or_perspectives(path):
    """The Monte Carlo draws, summary draws and seed live in appraisal.yaml's monte_carlo section and the
    perspectives in the library: no code cell (parameters included) repeats one of those numbers, or
    spells out the list of perspectives."""
    from ddanalysis.cashflow import PERSPECTIVES
    from ddanalysis.run_defaults import read_run_defaults

    bundled = read_run_defaults()
    numbers = {bundled.draws, bundled.summary_draws, bundled.seed}
    for i, cell in enumerate(_code_cells(_read(path))):
        tree = ast.parse(cell.source)
        repeated = [
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and n.value in numbers and not isinstance(n.value, bool)
        ]
        assert not repeated, f"{path.name} cell {i}: {repeated} repeat appraisal.yaml's monte_carlo values"
        lists = [
            n
            for n in ast.walk(tree)
            if isinstance(n, (ast.List, ast.Tuple, ast.Set))
            and {getattr(e, "value", None) for e in n.elts} >= set(PERSPECTIVES)
        ]
        assert not lists, f"{path.name} cell {i}: a literal list of the perspectives; use the library's"


def test_template_covers_every_section_of_an_options_appraisal():
    headings = [ln.lower() for ln in _markdown(_read(runner.TEMPLATE)).splitlines() if ln.startswith("## ")]
    for section in (
        "baseline",
        "options",
        "cash flows",
        "net present value",
        "sensitivity",
        "switching values",
        "monte carlo",
        "multi-criteria analysis",
        "implementation plan",
        "recommendation",
        "assumptions and sources",
    ):
        assert any(section in h for h in headings), f"no section heading on {section!r}"


@pytest.mark.parametrize("name", ["02_council_context.ipynb", "03_options_appraisal.ipynb", "04_methodology.ipynb"])
def test_notebooks_with_official_figures_cite_the_open_government_licence(name):
    assert "Open Government Licence" in _markdown(_read(NOTEBOOKS / name))


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_narrative_states_units_and_labels_illustrative_figures(path):
    text = _markdown(_read(path))
    assert "GBP" in text, f"{path.name}: the narrative never states the unit of money"
    if path.name != "04_methodology.ipynb":
        assert "illustrative" in text.lower(), f"{path.name}: illustrative figures are not labelled"


def test_output_folder_is_ignored_by_git():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").split()
    assert "output/" in ignored
    assert runner.OUTPUT_DIR.relative_to(REPO).parts[0] == "output"


def test_make_notebooks_calls_the_runner():
    make = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "-m ddanalysis.notebook_runner" in make.split("notebooks:", 1)[1].split("\n\n", 1)[0]


# --- the runner, without kernels --------------------------------------------------------------------


def _project_ids_from_yaml() -> list[str]:
    raw = yaml.safe_load((REPO / "data" / "projects" / "programme.yaml").read_text(encoding="utf-8"))
    return list(raw["projects"])


def test_template_jobs_one_per_project_with_only_the_given_parameters(tmp_path):
    ids = _project_ids_from_yaml()
    jobs = runner.template_jobs(output_dir=tmp_path)
    assert [j.label for j in jobs] == ids and len(ids) == 10
    assert all(j.parameters == {"project": j.label} for j in jobs)
    assert all(j.output == tmp_path / f"options_appraisal_{j.label}.ipynb" for j in jobs)
    assert all(j.notebook == runner.TEMPLATE for j in jobs)

    two = runner.template_jobs(
        [ids[3], ids[1], ids[3]], scenario="low", perspective="public", draws=500, seed=7, output_dir=tmp_path
    )
    assert [j.label for j in two] == [ids[3], ids[1]]  # duplicates dropped, order kept
    assert two[0].parameters == {"project": ids[3], "scenario": "low", "perspective": "public", "draws": 500, "seed": 7}
    assert two[0].output.name == f"options_appraisal_{ids[3]}_low_public.ipynb"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"projects": ["no-such-project"]}, "unknown project 'no-such-project'; valid projects: walsall-college"),
        ({"scenario": "optimistic"}, "unknown scenario 'optimistic'; valid scenarios: central"),
        ({"perspective": "national"}, "unknown perspective 'national'; valid perspectives: council, public"),
        ({"draws": -1}, "draws = -1: expected a whole number from 0"),
        ({"seed": -5}, "seed = -5: expected a whole number of 0 or more"),
    ],
)
def test_bad_parameters_are_refused_before_any_kernel_starts(tmp_path, kwargs, message):
    with pytest.raises(DDAnalysisError) as err:
        runner.template_jobs(output_dir=tmp_path, **kwargs)
    assert message in str(err.value)
    if "projects" in kwargs:
        assert isinstance(err.value, UnknownKeyError)
    assert not any(tmp_path.iterdir())


def test_missing_template_is_a_clear_error(tmp_path):
    with pytest.raises(DDAnalysisError, match="nope.ipynb: notebook not found"):
        runner.template_jobs(template=tmp_path / "nope.ipynb", output_dir=tmp_path)


def test_error_last_line_of_a_cell_error_and_of_other_errors():
    exc = PapermillExecutionError(
        cell_index=3,
        exec_count=3,
        source="x",
        ename="DataFileError",
        evalue="data/x.csv: 2 problems found:\n  1. row 2: bad\n  2. row 5: worse\n",
        traceback=["..."],
    )
    assert runner.error_last_line(exc) == "DataFileError: 2. row 5: worse"
    assert (
        runner.error_last_line(RuntimeError("Kernel died\nwhile running cell 4"))
        == "RuntimeError: while running cell 4"
    )
    assert runner.error_last_line(TimeoutError()) == "TimeoutError"


def test_report_lists_each_failure_with_its_last_line(tmp_path):
    ok = runner.JobResult(runner.NotebookJob("a", Path("t.ipynb"), tmp_path / "a.ipynb"), True, 1.0)
    bad = runner.JobResult(
        runner.NotebookJob("b", Path("t.ipynb"), tmp_path / "b.ipynb"), False, 2.0, "ValueError: boom"
    )
    text = runner.report([ok, bad], 3.26)
    assert text.splitlines()[0] == f"2 notebook(s) in 3.3 s: 1 succeeded, 1 failed. Output: {tmp_path}"
    assert text.splitlines()[1] == f"FAILED b: ValueError: boom  [{tmp_path / 'b.ipynb'}]"
    assert len(text.splitlines()) == 2


def test_two_jobs_may_not_write_the_same_file(tmp_path):
    job = runner.NotebookJob("a", runner.TEMPLATE, tmp_path / "same.ipynb")
    with pytest.raises(DDAnalysisError, match="same output notebook"):
        runner.run_jobs([job, runner.NotebookJob("b", runner.TEMPLATE, tmp_path / "same.ipynb")], progress=False)


def test_main_with_a_bad_argument_exits_2_with_the_message(tmp_path, capsys):
    assert runner.main(["-p", "walsall", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown project 'walsall'; valid projects: walsall-college")
    assert runner.main(["--jobs", "0", "-o", str(tmp_path)]) == 2
    assert "--jobs 0: expected 1 or more" in capsys.readouterr().err


def test_workers_never_exceed_jobs_or_the_cap():
    assert runner.default_workers(1) == 1
    assert 1 <= runner.default_workers(100) <= runner.MAX_WORKERS


def test_the_python3_kernel_runs_this_python_where_ddanalysis_is_installed():
    assert runner.check_kernel(runner.KERNEL_NAME) == sys.executable


def test_an_unknown_kernel_is_refused_before_running(tmp_path, capsys):
    assert runner.main(["-p", "walsall-college", "--kernel", "no-such-kernel", "-o", str(tmp_path)]) == 2
    assert "error: no Jupyter kernel named 'no-such-kernel'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_all_adds_the_notebooks_without_project_parameters(tmp_path):
    jobs = runner.other_jobs(tmp_path)
    assert [j.output.name for j in jobs] == [
        "01_programme_overview.ipynb",
        "02_council_context.ipynb",
        "04_methodology.ipynb",
    ]
    assert all(j.parameters == {} and j.notebook.is_file() for j in jobs)
