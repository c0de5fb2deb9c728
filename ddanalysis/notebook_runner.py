"""Run the options-appraisal notebook for every project with papermill (``make notebooks``).

    python -m ddanalysis.notebook_runner                      # every project, the template's defaults
    python -m ddanalysis.notebook_runner -p walsall-college --scenario low --perspective public --draws 500
    python -m ddanalysis.notebook_runner --all                # also the overview, context and methodology

Each run writes one executed notebook to ``output/notebooks/`` (ignored by git), whole or not at all
(papermill writes a temporary file beside it, which replaces the old one at the end; a notebook that
fails is still written, with the failing cell marked). Notebooks run in parallel, each in its own
kernel process (``python3``: the kernel of the Python that runs this module, so the
``.venv``'s when started by ``make notebooks``); a progress bar counts them. At the end every
failure is listed with the last line of its error, and the exit status is 1 if any failed
(2 for a bad argument).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import config
from .atomic import atomic_path
from .errors import DDAnalysisError, unknown

NOTEBOOK_DIR = config.REPO_DIR / "notebooks"
#: The options-appraisal template (its ``parameters`` cell: project, scenario, perspective, draws, seed).
TEMPLATE = NOTEBOOK_DIR / "03_options_appraisal.ipynb"
#: The notebooks without per-project parameters (run with ``--all``).
OTHER_NOTEBOOKS = ("01_programme_overview.ipynb", "02_council_context.ipynb", "04_methodology.ipynb")
OUTPUT_DIR = config.REPO_DIR / "output" / "notebooks"
#: The Jupyter kernel: 'python3' runs the interpreter that starts it (jupyter_client resolves 'python').
KERNEL_NAME = "python3"
#: Arguments for each kernel: only its errors reach the terminal (not ipykernel's start-up warnings).
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)
#: Seconds a single cell may run before the notebook counts as failed.
CELL_TIMEOUT = 600
#: Most worker processes (kernels) to run at once.
MAX_WORKERS = 4
TEMPLATE_PARAMETERS = ("project", "scenario", "perspective", "draws", "seed")


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: where from, where to, with which papermill parameters."""

    label: str
    notebook: Path
    output: Path
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    """How a job went: ``error`` is the last line of the error ('' when it succeeded); seconds of wall time."""

    job: NotebookJob
    ok: bool
    seconds: float
    error: str = ""


# --- jobs ---------------------------------------------------------------------------------------------


def output_name(project: str, scenario: str | None = None, perspective: str | None = None) -> str:
    """File name of a project's executed template: options_appraisal_<project>[_<scenario>][_<perspective>].ipynb
    (one service ``<project>:<service>`` as ``<project>__<service>``: ids never hold '_')."""
    parts = ["options_appraisal", project.replace(":", "__")] + [p for p in (scenario, perspective) if p]
    return "_".join(parts) + ".ipynb"


def check_parameters(
    projects: Sequence[str] | None, scenario: str | None, perspective: str | None, draws: int | None, seed: int | None
) -> list[str]:
    """Validate the parameters before any kernel starts; return the project references (every bundled id when
    ``projects`` is empty), a workspace folder as its absolute path (the notebook runs in its own folder)."""
    from .assumptions import load_book
    from .cashflow import PERSPECTIVES
    from .engine import MAX_DRAWS
    from .registry import project_ids
    from .workspace import is_path

    known = project_ids()
    chosen = []
    for p in list(dict.fromkeys(projects)) if projects else known:
        if is_path(p):
            chosen += _workspace_refs(p)  # a faulty workspace is reported before any kernel starts
        elif p not in known:
            raise unknown("project", p, known + ["or a workspace folder"])
        else:
            chosen.append(p)
    if scenario is not None:
        names = load_book().scenario_names()
        if scenario not in names:
            raise unknown("scenario", scenario, names)
    if perspective is not None and perspective not in PERSPECTIVES:
        raise unknown("perspective", perspective, list(PERSPECTIVES))
    if draws is not None and not 0 <= draws <= MAX_DRAWS:
        raise DDAnalysisError(f"draws = {draws}: expected a whole number from 0 (no Monte Carlo) to {MAX_DRAWS:,}")
    if seed is not None and seed < 0:
        raise DDAnalysisError(f"seed = {seed}: expected a whole number of 0 or more")
    return chosen


def _workspace_refs(ref: str) -> list[str]:
    """A workspace folder's references, absolute (the notebook runs in its own folder): the folder, or each of
    its services (``<folder>:<service id>``) when they have their own baselines (one notebook each)."""
    from .registry import service_projects
    from .workspace import split_ref

    folder, service = split_ref(ref)
    absolute = str(Path(folder).resolve())
    parts = service_projects(f"{absolute}:{service}" if service else absolute)
    return [f"{absolute}:{split_ref(p.id)[1]}" if split_ref(p.id)[1] else absolute for p in parts]


def template_jobs(
    projects: Sequence[str] | None = None,
    *,
    scenario: str | None = None,
    perspective: str | None = None,
    draws: int | None = None,
    seed: int | None = None,
    output_dir: Path | str = OUTPUT_DIR,
    template: Path | str = TEMPLATE,
) -> list[NotebookJob]:
    """One job per project for the options-appraisal template; parameters left as None keep the template's defaults."""
    chosen = check_parameters(projects, scenario, perspective, draws, seed)
    template = Path(template)
    if not template.is_file():
        raise DDAnalysisError(f"{template}: notebook not found")
    out = Path(output_dir)
    extra = {
        k: v
        for k, v in (("scenario", scenario), ("perspective", perspective), ("draws", draws), ("seed", seed))
        if v is not None
    }
    from .registry import project

    ids = {p: project(p).id for p in chosen}  # a workspace's notebook is named by its id, never its path
    return [
        NotebookJob(
            label=ids[p],
            notebook=template,
            output=out / output_name(ids[p], scenario, perspective),
            parameters={"project": p, **extra},
        )
        for p in chosen
    ]


def other_jobs(output_dir: Path | str = OUTPUT_DIR, names: Sequence[str] = OTHER_NOTEBOOKS) -> list[NotebookJob]:
    """Jobs for the notebooks that take no per-project parameters (overview, context, methodology)."""
    out = Path(output_dir)
    jobs = []
    for name in names:
        path = NOTEBOOK_DIR / name
        if not path.is_file():
            raise DDAnalysisError(f"{path}: notebook not found")
        jobs.append(NotebookJob(label=path.stem, notebook=path, output=out / name))
    return jobs


# --- running ------------------------------------------------------------------------------------------


def check_kernel(kernel_name: str = KERNEL_NAME) -> str:
    """The interpreter the kernel will run; a clear error if Jupyter has no such kernel.

    'python' in a kernel spec means the interpreter running this module (jupyter_client substitutes
    it), so the .venv's python3 kernel runs the .venv's Python, where ddanalysis is installed.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise DDAnalysisError(
            f"no Jupyter kernel named {kernel_name!r}; install this Python's with "
            f"'{sys.executable} -m ipykernel install --sys-prefix' or choose one with --kernel "
            "(see 'jupyter kernelspec list')"
        ) from exc
    exe = spec.argv[0] if spec.argv else ""
    same = exe in ("python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}") or (
        os.path.exists(exe) and os.path.samefile(exe, sys.executable)
    )
    return sys.executable if same else exe


def error_last_line(exc: BaseException) -> str:
    """'Type: last line of the message' of an error raised while executing a notebook."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        name, message = exc.ename, str(exc.evalue)
    else:
        name, message = type(exc).__name__, str(exc)
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    return f"{name}: {lines[-1]}" if lines else name


#: papermill warns that a path not ending .ipynb may not be a notebook; a notebook is written to its own hidden
#: temporary name first (``.name.ipynb.<hex>.tmp``, :func:`ddanalysis.atomic.temp_path_beside`, so that no glob
#: for notebooks picks up a half-written one), and that warning about it is not passed on.
TEMPORARY_NAME_WARNING = r"The specified file \(.*\.ipynb\.[0-9a-f]+\.tmp\) does not end in"


def _quiet_about_temporary_names() -> None:
    """Ignore papermill's warning about a temporary notebook name (:data:`TEMPORARY_NAME_WARNING`); call it
    inside ``warnings.catch_warnings()``. One pattern for every job: jobs run in threads, and a filter one thread
    adds inside its ``catch_warnings`` can be undone by another thread leaving its own."""
    warnings.filterwarnings("ignore", message=TEMPORARY_NAME_WARNING, category=UserWarning)


def run_job(job: NotebookJob, kernel_name: str = KERNEL_NAME, timeout: int = CELL_TIMEOUT) -> JobResult:
    """Execute one notebook with papermill; never raises for a failing notebook (see ``JobResult.error``)."""
    import papermill as pm

    start = time.perf_counter()
    job.output.parent.mkdir(parents=True, exist_ok=True)
    error = ""
    with atomic_path(job.output) as tmp, warnings.catch_warnings():  # a failed notebook is kept too, but whole
        _quiet_about_temporary_names()
        try:
            pm.execute_notebook(
                str(job.notebook),
                str(tmp),
                parameters=dict(job.parameters),
                kernel_name=kernel_name,
                progress_bar=False,
                log_output=False,
                cwd=str(job.notebook.parent),
                execution_timeout=timeout,
                extra_arguments=list(KERNEL_ARGUMENTS),
            )
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none stops the other notebooks
            error = error_last_line(exc)
    return JobResult(job=job, ok=not error, seconds=time.perf_counter() - start, error=error)


def _run_job_args(args: tuple[NotebookJob, str, int]) -> JobResult:
    return run_job(*args)


def default_workers(n_jobs: int) -> int:
    """Worker processes: the CPUs (at most MAX_WORKERS), never more than the jobs."""
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, n_jobs))


def run_jobs(
    jobs: Sequence[NotebookJob],
    workers: int | None = None,
    kernel_name: str = KERNEL_NAME,
    timeout: int = CELL_TIMEOUT,
    progress: bool = True,
) -> list[JobResult]:
    """Execute the jobs, ``workers`` at a time, with a tqdm progress bar; results in the jobs' order."""
    from tqdm.auto import tqdm

    if not jobs:
        return []
    outputs = [j.output.resolve() for j in jobs]
    if len(set(outputs)) != len(outputs):
        raise DDAnalysisError("two jobs would write the same output notebook; give them different outputs")
    workers = workers or default_workers(len(jobs))
    bar = tqdm(total=len(jobs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    with warnings.catch_warnings():  # set before the threads start, so every thread's saved filters hold it
        _quiet_about_temporary_names()
        return _run_all(jobs, workers, kernel_name, timeout, bar)


def _run_all(jobs: Sequence[NotebookJob], workers: int, kernel_name: str, timeout: int, bar: Any) -> list[JobResult]:
    """:func:`run_jobs`' loop: the jobs one by one, or ``workers`` threads at a time; results in the jobs' order."""
    results: dict[int, JobResult] = {}
    try:
        if workers == 1:
            for i, job in enumerate(jobs):
                results[i] = run_job(job, kernel_name, timeout)
                _tick(bar, results[i])
        else:
            # threads are enough: each job waits on its own kernel process, which does the work
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook") as pool:
                futures: dict[Future, int] = {
                    pool.submit(_run_job_args, (job, kernel_name, timeout)): i for i, job in enumerate(jobs)
                }
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        results[i] = fut.result()
                    except Exception as exc:  # noqa: BLE001 - a job that could not run is a failed notebook
                        results[i] = JobResult(job=jobs[i], ok=False, seconds=0.0, error=error_last_line(exc))
                    _tick(bar, results[i])
    finally:
        bar.close()
    return [results[i] for i in range(len(jobs))]


def _tick(bar: Any, result: JobResult) -> None:
    bar.set_postfix_str(f"{result.job.label}: {'ok' if result.ok else 'FAILED'}", refresh=False)
    bar.update(1)


def report(results: Sequence[JobResult], elapsed: float) -> str:
    """The summary printed at the end: counts, then one line per failure with its error's last line."""
    failed = [r for r in results if not r.ok]
    folders = sorted({str(r.job.output.parent) for r in results})
    lines = [
        f"{len(results)} notebook(s) in {elapsed:.1f} s: {len(results) - len(failed)} succeeded, "
        f"{len(failed)} failed. Output: {', '.join(folders)}"
    ]
    for r in failed:
        lines.append(f"FAILED {r.job.label}: {r.error}  [{r.job.output}]")
    return "\n".join(lines)


# --- command line -------------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m ddanalysis.notebook_runner",
        description="Execute the options-appraisal notebook for every project (papermill) into output/notebooks.",
    )
    p.add_argument(
        "-p",
        "--project",
        action="append",
        dest="projects",
        metavar="ID|DIR",
        help="project id or workspace folder (repeatable); every bundled project when absent",
    )
    p.add_argument("--scenario", help="scenario name (data/assumptions/scenarios.yaml); default: the template's")
    p.add_argument("--perspective", help="council, public or social; default: the template's")
    p.add_argument("--draws", type=int, help="Monte Carlo draws; default: the template's")
    p.add_argument("--seed", type=int, help="Monte Carlo seed; default: the template's")
    p.add_argument(
        "--all",
        action="store_true",
        dest="all_notebooks",
        help="also run the programme overview, council context and methodology notebooks",
    )
    p.add_argument("-o", "--output-dir", type=Path, default=OUTPUT_DIR, help=f"default: {OUTPUT_DIR}")
    p.add_argument("--template", type=Path, default=TEMPLATE, help="the parameterised notebook to run per project")
    p.add_argument("-j", "--jobs", type=int, default=None, help="notebooks run at once (default: CPUs, at most 4)")
    p.add_argument("--kernel", default=KERNEL_NAME, help=f"Jupyter kernel name (default {KERNEL_NAME})")
    p.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds a cell may run (default %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the notebooks; 0 if all succeeded, 1 if any failed, 2 for a bad argument."""
    args = _parser().parse_args(argv)
    try:
        if args.jobs is not None and args.jobs < 1:
            raise DDAnalysisError(f"--jobs {args.jobs}: expected 1 or more")
        jobs = template_jobs(
            args.projects,
            scenario=args.scenario,
            perspective=args.perspective,
            draws=args.draws,
            seed=args.seed,
            output_dir=args.output_dir,
            template=args.template,
        )
        if args.all_notebooks:
            jobs += other_jobs(args.output_dir)
        python = check_kernel(args.kernel)
    except DDAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if python != sys.executable:
        print(
            f"warning: kernel {args.kernel!r} runs {python}, not {sys.executable}; ddanalysis must be installed there",
            file=sys.stderr,
        )
    start = time.perf_counter()
    results = run_jobs(
        jobs, workers=args.jobs, kernel_name=args.kernel, timeout=args.timeout, progress=not args.no_progress
    )
    text = report(results, time.perf_counter() - start)
    print(text, file=sys.stderr if any(not r.ok for r in results) else sys.stdout)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
