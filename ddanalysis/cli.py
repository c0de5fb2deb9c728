"""Command-line interface: ``ddanalysis COMMAND`` (also ``python -m ddanalysis``).

Parsing is Typer's; each command calls the library and prints. Errors in the user's input are
printed as one paragraph (no traceback) with a non-zero exit status.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from . import config
from .errors import DDAnalysisError
from .uncertainty import DEFAULT_DRAWS, DEFAULT_SEED

if TYPE_CHECKING:
    from .result import AppraisalResult

PROJECT_HELP = (
    "Project: a bundled id such as walsall-college (see `ddanalysis projects`) or a workspace folder "
    "(see `ddanalysis new`)."
)

app = typer.Typer(
    name="ddanalysis",
    help="Options appraisal for the Delivering Differently programme (HM Treasury Green Book method).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("projects")
def projects_command(as_json: bool = typer.Option(False, "--json", help="JSON instead of a table.")) -> None:
    """List the programme's ten projects."""
    from .registry import projects_frame

    frame = projects_frame()
    if as_json:
        typer.echo(json.dumps(frame.to_dict(orient="records"), indent=2))
    else:
        typer.echo(frame[["id", "title", "councils", "plan_start"]].to_string(index=False))


@app.callback()
def _group() -> None:
    """Options appraisal for the Delivering Differently programme (HM Treasury Green Book method)."""


# --- commands added by the data layer, the engine and the exports live below -----------------------


@app.command("outturn")
def outturn_command(
    files: list[Path] = typer.Argument(
        ...,
        help="DCLG/DLUHC 'data by LA' files: RS (Revenue Outturn Summary), RSX "
        "(Service Expenditure Summary) or RA (Revenue Account budget), as .xls, .xlsx, "
        ".ods or .csv (found by content).",
    ),
    council: Optional[list[str]] = typer.Option(
        None, "--council", help="E-code or ONS code (repeatable); all when absent."
    ),
    service: Optional[list[str]] = typer.Option(
        None, "--service", help="Service key, e.g. education (repeatable); all when absent."
    ),
    measure: str = typer.Option(
        "outturn",
        "--measure",
        help="What to print: outturn (RS; RSX net), outturn_employees, "
        "outturn_running_expenses, outturn_total_expenditure, outturn_sales_fees_charges, "
        "outturn_other_income, outturn_income (RSX), budget (RA), or all.",
    ),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
) -> None:
    """Print the tidy rows (GBP thousand) of official RS, RSX or RA files for one measure, optionally for some
    councils and services; says on stderr which measure and which returns it printed."""
    from .sources import MEASURES, read_official, render, select_outturn

    if fmt not in ("csv", "json"):
        raise DDAnalysisError(f"unknown format {fmt!r}; valid formats: csv, json")
    if measure != "all" and measure not in MEASURES:
        raise DDAnalysisError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}, all")
    frame = read_official(files, measure=None if measure == "all" else measure)
    frame = select_outturn(frame, councils=council or (), services=service or ())
    printed = sorted(map(str, frame["measure"].unique()))
    reports = frame.attrs.get("rs_report", [])
    wanted = set(printed) if printed else ({measure} if measure != "all" else set())
    used = sorted({f"{r['return']} {r['year']}" for r in reports if wanted & set(r.get("measures", ()))})
    other = sorted({f"{r['return']} {r['year']}" for r in reports} - set(used))
    typer.echo(
        f"measure: {', '.join(f'{m} ({MEASURES[m]})' for m in printed) or measure}; "
        f"from {', '.join(used) or 'no return holding it'}; GBP thousand"
        + (f" (also read, holding no such figures: {', '.join(other)})" if other else ""),
        err=True,
    )
    typer.echo(render(frame, fmt), nl=False)


#: ``appraise --draws-out``.
DRAWS_OUT_OPTION = typer.Option(
    None,
    "--draws-out",
    help="Write the Monte Carlo draws to this file (.csv or .parquet): one row per draw, every "
    "uncertain input by key and every option's net present saving (GBP). A project appraised by service "
    "writes one file per service beside it, <stem>__<service id><suffix>.",
)

#: ``appraise --contract-on-whole-service``: the funding-basis check (:func:`ddanalysis.engine.build_model`).
WHOLE_SERVICE_OPTION = typer.Option(
    False,
    "--contract-on-whole-service",
    help="Funding-basis check: treat the whole service as paid for by the council, so a provider's margin, "
    "contract management and grant-paid VAT fall on all its spending, as its savings do (by default only on "
    "the share the council pays for: the README's method). Labelled in the output.",
)


@app.command("appraise")
def appraise_command(
    project: str = typer.Argument(..., help=PROJECT_HELP),
    scenario: str = typer.Option("central", "--scenario", help="Scenario name in data/assumptions/scenarios.yaml."),
    perspective: str = typer.Option(
        "council",
        "--perspective",
        help="council (General Fund), public (public sector as a whole) or social (net present social value).",
    ),
    draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws (0 = none)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed for the Monte Carlo draws."),
    horizon: Optional[int] = typer.Option(None, "--horizon", help="Years appraised (default from appraisal.yaml)."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
    ob_mitigation: Optional[float] = typer.Option(
        None,
        "--ob-mitigation",
        help="Override the optimism-bias mitigation (0..1); labelled 'override' in the output. "
        "Default: derived from the contributory factors shown to be managed.",
    ),
    set_values: Optional[list[str]] = typer.Option(
        None,
        "--set",
        help="What-if: fix an assumption at a value, KEY=VALUE (repeatable), e.g. "
        "--set mutual.pension_rate_change=0.04; within the assumption's bounds; fixed in every "
        "Monte Carlo draw.",
    ),
    draws_out: Optional[Path] = DRAWS_OUT_OPTION,
    sobol: bool = typer.Option(
        False,
        "--sobol",
        help="Also compute Sobol indices (their own sample of the model: "
        "256 base points, inputs sampled independently).",
    ),
    whole_service: bool = WHOLE_SERVICE_OPTION,
) -> None:
    """Appraise a project's short-listed delivery models against the status quo (Green Book); a project whose
    services have their own baselines service by service, with the chosen options summed."""
    from .overrides import parse_pairs
    from .services import appraise_services

    if draws_out is not None:
        _check_draws_out(draws_out, draws)
    appraised = appraise_services(
        project,
        overrides=parse_pairs(set_values or []),
        scenario=scenario,
        perspective=perspective,
        draws=draws,
        seed=seed,
        horizon_years=horizon,
        ob_mitigation=ob_mitigation,
        with_sobol=sobol,
        contract_on_whole_service=whole_service,
    )
    if draws_out is not None:
        _services_draws_out(appraised, draws_out)
    typer.echo(_appraisal_text(appraised, as_json))


def _services_draws_out(appraised, draws_out: Path) -> None:
    """``--draws-out FILE``: a project appraised whole writes its draws to FILE; one appraised by service writes
    each service's draws to its own file beside it, ``<stem>__<service id><suffix>`` (``draws.csv`` ->
    ``draws__museum.csv``, ``draws__libraries.csv``: each service has its own inputs and options), as
    ``ddanalysis appraise DIR:<service id> --draws-out FILE`` writes one."""
    if appraised.one_appraisal:
        _write_draws_out(appraised.services[0].result, draws_out)
        return
    for s in appraised.services:
        _write_draws_out(s.result, draws_out.with_name(service_draws_name(draws_out.name, s.id)))


def service_draws_name(name: str, service_id: str) -> str:
    """The draws file of one service of a project appraised by service: ``draws.csv`` -> ``draws__museum.csv``
    (``__`` as in the notebook runner's file names: ids hold no '_', file names no ':')."""
    path = Path(name)
    return f"{path.stem}__{service_id}{path.suffix}"


def _appraisal_text(appraised, as_json: bool) -> str:
    """What ``appraise`` prints: the JSON document (with the services and the project's total) or the tables
    (a project appraised whole: its table, then the cross-checks the board paper gives, about a second more;
    one appraised by service, the services table first)."""
    from .report import appraisal_table, services_report
    from .services import project_document, to_dict

    if not appraised.one_appraisal:
        doc = project_document(appraised)
        return _dumps(doc) if as_json else services_report(appraised)
    result = appraised.services[0].result
    if as_json:
        return _dumps({**result.to_dict(), **to_dict(appraised)})
    from .cross_checks import check_sentences, cross_checks

    return appraisal_table(result, check_sentences(result, cross_checks(result)))


def _dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=False, ensure_ascii=False, allow_nan=False)


def _check_draws_out(draws_out: Path, draws: int) -> None:
    """Refuses ``--draws-out`` before the appraisal runs, as every other output is refused: a file type other than
    .csv or .parquet, a folder, a folder that does not exist or cannot be written, a read-only file; or a run
    without Monte Carlo draws. Raises :class:`DDAnalysisError`."""
    from .atomic import check_output_path

    check_output_path(
        draws_out,
        noun="the draws file",
        suffixes=(".csv", ".parquet", ".pq"),
        suffix_rule="a draws file must end in .csv or .parquet",
        endings=".csv or .parquet",
    )
    if draws == 0:
        raise DDAnalysisError("--draws-out needs Monte Carlo draws: give --draws 1 or more (not 0)")


def _write_draws_out(result: AppraisalResult, draws_out: Path) -> None:
    """Writes the appraisal's Monte Carlo draws (every varying input by key and every option's net present saving,
    GBP; the social perspective's NPSV with outcome quantities) to ``draws_out`` and says so on stderr."""
    from .deciding import decision_draws, varying_inputs
    from .drawsfile import write_draws

    values, inputs = decision_draws(result)  # the social perspective: NPSV, outcome quantities included
    path = write_draws(draws_out, varying_inputs(inputs), values, seed=result.mc_seed)
    typer.echo(f"wrote {len(result.mc_draws):,} draws to {path} (seed {result.mc_seed})", err=True)


@app.command("template")
def template_command(
    output: Path = typer.Option(Path("baseline.xlsx"), "-o", "--output", help="Workbook to write (.xlsx)."),
    project: Optional[str] = typer.Option(None, "--project", help="Project id to pre-select in the workbook."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write the blank baseline input workbook (GBP thousand, in the base year's prices: the --project's own, 2014-15
    for the bundled projects) for a council to fill in."""
    from .errors import DataFileError
    from .template import write_template

    if output.exists() and not force:
        raise DataFileError(
            f"{output} already exists; use --force to overwrite it (a filled-in workbook would be lost)"
        )
    path = write_template(output, project_id=project)
    typer.echo(f"wrote {path}: fill in the yellow cells on the 'Input' sheet (GBP thousand; income negative)")


@app.command("export")
def export_command(
    project: Optional[str] = typer.Argument(None, help=PROJECT_HELP),
    output: Path = typer.Option(
        ..., "-o", "--output", help="Workbook to write (.xlsx); an existing file is replaced whole."
    ),
    all_projects: bool = typer.Option(
        False, "--all", help="The programme: a summary sheet, then every project's sheets."
    ),
    scenario: str = typer.Option("central", "--scenario", help="Scenario name in data/assumptions/scenarios.yaml."),
    perspective: str = typer.Option(
        "council",
        "--perspective",
        help="council (General Fund), public (public sector as a whole) or social (net present social value).",
    ),
    draws: Optional[int] = typer.Option(
        None, "--draws", help="Monte Carlo draws per project (default 10,000; 2,000 each with --all; 0 = none)."
    ),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed for the Monte Carlo draws."),
    ob_mitigation: Optional[float] = typer.Option(
        None,
        "--ob-mitigation",
        help="Override the optimism-bias mitigation (0..1), as `appraise` and `report` take it (one project).",
    ),
    set_values: Optional[list[str]] = typer.Option(
        None,
        "--set",
        help="What-if: fix an assumption at a value, KEY=VALUE (repeatable), as `appraise` and `report` take it, so "
        "the workbook matches a what-if board paper (one project).",
    ),
) -> None:
    """Write the board workbook (Excel): formatted, native charts, live formulas that reconcile to the model."""
    from .excel.export import check_target, export_programme, export_project
    from .overrides import parse_pairs

    _check_export_choice(project, all_projects, bool(set_values) or ob_mitigation is not None)
    check_target(output)
    if all_projects:
        from .programme import SUMMARY_DRAWS, programme_results, summary_from_results

        n = SUMMARY_DRAWS if draws is None else draws
        results = programme_results(scenario, perspective, n, seed)
        path = export_programme(results, output, summary=summary_from_results(results))
    else:
        from .excel.export import export_services
        from .services import appraise_services

        appraised = appraise_services(
            str(project),  # a project id: checked above (a project id or --all)
            scenario=scenario,
            perspective=perspective,
            draws=DEFAULT_DRAWS if draws is None else draws,
            seed=seed,
            ob_mitigation=ob_mitigation,
            overrides=parse_pairs(set_values or []),
        )
        if appraised.one_appraisal:
            path = export_project(appraised.services[0].result, output)
        else:
            path = export_services(appraised, output)
    typer.echo(f"wrote {path}")


def _check_export_choice(project: Optional[str], all_projects: bool, what_if: bool) -> None:
    """`export` takes a project or --all, not both, and what-ifs only for one project."""
    if all_projects == (project is not None):
        raise DDAnalysisError(
            "give either a project id or --all (not both): e.g. `ddanalysis export walsall-college "
            "-o walsall.xlsx` or `ddanalysis export --all -o programme.xlsx`"
        )
    if all_projects and what_if:
        raise DDAnalysisError(
            "--set and --ob-mitigation are what-ifs for one project; give the project's id instead of --all"
        )


@app.command("check-baseline")
def check_baseline_command(
    file: Path = typer.Argument(
        ...,
        help="Baseline CSV (line,value,unit,note), the input workbook from `ddanalysis "
        "template`, a workspace folder or a bundled project's id (its baseline is checked).",
    ),
    project: Optional[str] = typer.Option(
        None, "--project", help="Project id or workspace folder the figures are for (when the file does not say)."
    ),
    no_scale_check: bool = typer.Option(
        False,
        "--no-scale-check",
        help="Accept a line 300 or more times the median of the other lines (by default refused as looking like "
        "pounds; ddanalysis.baseline.POUNDS_LINE_RATIO). Use only when you know the figure is right.",
    ),
    no_official_check: bool = typer.Option(
        False,
        "--no-official-check",
        help="Skip comparing the net budget with the council's official RS net figure for the block (by default a "
        "net budget more than 25% above it is refused; ddanalysis.baseline.OFFICIAL_NET_TOLERANCE).",
    ),
) -> None:
    """Check a baseline file (GBP thousand) and summarise it: gross, income, net, pay bill in GBP; FTE, headcount.

    Reads a lone dash as nil (0) and a Unicode minus or en/em dash before a number as minus, as
    budget books print them. Refuses (exit status 2) a line that looks like pounds among lines in
    GBP thousand, income larger than gross expenditure, and a net budget well above the block's
    official figure.
    """
    from . import registry
    from .baseline import OFFICIAL_NET_TOLERANCE, POUNDS_LINE_RATIO, load_baseline
    from .report import baseline_summary
    from .workspace import PROJECT_FILE, SERVICE_SEP
    from .workspace import folder as workspace_folder

    if not file.exists() and not file.suffix:  # a bundled project's id: its folder (an unknown id lists the known)
        if SERVICE_SEP in str(file):
            registry.project(str(file))  # a service reference: an unknown service lists the known ones
        file = workspace_folder(str(file))
    targets = [(project, file)]
    if file.is_dir() and (file / PROJECT_FILE).is_file():  # a workspace: its own baseline(s), for its project
        targets = _workspace_baselines(file)
    elif file.is_dir():
        raise DDAnalysisError(
            f"{file}: a folder, but not a workspace (no {PROJECT_FILE}); give a baseline file (.csv or the .xlsx "
            "input workbook), a workspace folder or a project's id"
        )
    for ref, path in targets:
        base = load_baseline(
            path,
            project_id=ref,
            pounds_ratio=None if no_scale_check else POUNDS_LINE_RATIO,
            official_tolerance=None if no_official_check else OFFICIAL_NET_TOLERANCE,
        )
        typer.echo(baseline_summary(base, path=path))


def _workspace_baselines(folder: Path) -> list[tuple[Optional[str], Path]]:
    """(project reference, baseline file) of a workspace: its one baseline, or each service's own."""
    from .workspace import baseline_file, check_baseline_layout, has_service_baselines, read_project_file, resolve

    if not has_service_baselines(folder):
        return [(str(folder), baseline_file(folder))]
    check_baseline_layout(folder)
    pid = resolve(str(folder))
    return [(f"{pid}:{sid}", baseline_file(folder, sid)) for sid in read_project_file(folder).service_ids]


@app.command("assumptions")
def assumptions_command(
    project: Optional[str] = typer.Argument(
        None,
        help="Project id or workspace folder: its assumptions, with its own "
        "overrides (origin column); the bundled defaults when absent.",
    ),
    rank: bool = typer.Option(
        False, "--rank", help="Rank by impact on the decision (swing in the best-versus-runner-up gap)."
    ),
    top: int = typer.Option(25, "--top", help="How many rows to print with --rank (0 = all)."),
    perspective: str = typer.Option(
        "council", "--perspective", help="council (General Fund) or public (public sector)."
    ),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
    all_models: bool = typer.Option(
        False, "--all-models", help="With a project: every delivery model's assumptions, not only its short list's."
    ),
) -> None:
    """List the assumptions (values, source, quality, origin: bundled default or the project's own); with a project,
    those of the options on its short list and the project-wide ones; --rank orders them by how much they move the
    decision."""
    if rank:
        from .impact import rank_assumptions, render_ranking

        if project is not None:
            raise DDAnalysisError(
                "--rank ranks the assumptions across the bundled programme; leave out the project "
                f"({project}) or leave out --rank to list its assumptions"
            )
        frame = rank_assumptions(perspective)
        shown = frame if top <= 0 else frame.head(top)
        typer.echo(shown.to_json(orient="records", indent=2) if as_json else render_ranking(frame, top or None))
        return
    from .assumptions import load_book
    from .price_base import project_book

    book = load_book(None) if project is None else project_book(project)  # a project's in its base-year prices
    table = book.table
    if project is not None and not all_models:
        from . import registry
        from .keys import PROJECT_SCOPE

        used = {PROJECT_SCOPE, *(m for part in registry.service_projects(project) for m in part.shortlist)}
        table = table[table["scope"].isin(used)]
    table = table[
        ["scope", "key", "low", "central", "high", "unit", "as_of", "source_id", "quality", "verified", "origin"]
    ]
    typer.echo(table.to_json(orient="records", indent=2) if as_json else table.to_string(index=False))


@app.command("report")
def report_command(
    project: str = typer.Argument(..., help=PROJECT_HELP),
    output: Path = typer.Option(
        ..., "-o", "--output", help="Paper to write: .pdf, .html or .docx; an existing file is replaced whole."
    ),
    scenario: str = typer.Option("central", "--scenario", help="Scenario name in data/assumptions/scenarios.yaml."),
    perspective: str = typer.Option(
        "council",
        "--perspective",
        help="council (General Fund), public (public sector as a whole) or social (net present social value).",
    ),
    draws: int = typer.Option(DEFAULT_DRAWS, "--draws", help="Monte Carlo draws (0 = none)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Seed for the Monte Carlo draws."),
    ob_mitigation: Optional[float] = typer.Option(
        None, "--ob-mitigation", help="Override the optimism-bias mitigation (0..1), as `appraise` takes it."
    ),
    set_values: Optional[list[str]] = typer.Option(
        None, "--set", help="What-if: fix an assumption at a value, KEY=VALUE (repeatable), as `appraise` takes it."
    ),
) -> None:
    """Write the board paper (HM Treasury Five Case structure) as PDF, HTML or Word."""
    from .engine import appraise
    from .overrides import parse_pairs
    from .paper import check_target, write_paper

    check_target(output)
    result = appraise(
        project,
        scenario=scenario,
        perspective=perspective,
        draws=draws,
        seed=seed,
        ob_mitigation=ob_mitigation,
        overrides=parse_pairs(set_values or []),
    )
    typer.echo(f"wrote {write_paper(result, output)}")


@app.command("new")
def new_command(
    folder: Path = typer.Argument(..., help="Workspace folder to create."),
    council: list[str] = typer.Option(
        ..., "--council", help="DCLG E-code or ONS code of any English authority (repeatable: partners)."
    ),
    service: str = typer.Option(
        ..., "--service", help="RS service block key, e.g. cultural, environmental, education."
    ),
    base_year: str = typer.Option(
        config.BASE_YEAR,
        "--base-year",
        help="Financial year of the baseline's prices (after 2019-20: fill in the price_index.yaml written too).",
    ),
    title: Optional[str] = typer.Option(None, "--title", help="Project title (default: the block and the councils)."),
    project_id: Optional[str] = typer.Option(
        None, "--id", help="Workspace id used in URLs and file names (default from the councils and the block)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the folder if it exists."),
) -> None:
    """Create a workspace: project.yaml and a baseline workbook with the council's official figures beside it."""
    from .price_index import PRICE_INDEX_FILE
    from .scaffold import create_workspace
    from .workspace import read_project_file

    path = create_workspace(
        folder, council, service, base_year=base_year, title=title, project_id=project_id, force=force
    )
    typer.echo(
        f"wrote {path}: fill in the yellow cells of baseline.xlsx ('Input' sheet, GBP thousand; the "
        f"'Official figures' sheet sizes the block), edit project.yaml, "
        + (
            f"fill in {PRICE_INDEX_FILE} (the GDP deflator after the bundled series, from the HM Treasury release), "
            if (path / PRICE_INDEX_FILE).is_file()
            else ""
        )
        + f"then `ddanalysis appraise {path}`"
    )
    if read_project_file(path).official is None:
        typer.echo(_no_official_note(base_year), err=True)


def _no_official_note(base_year: str) -> str:
    """Why a new workspace's baseline will not be checked against the council's official RS figure: no RS file
    in the official folder at all, or none of the base year (the sheet then shows the nearest year's, which is
    not used for the check: a block's spending moves by more than the check's tolerance over the years)."""
    from .scaffold import official_files

    nearest = official_files(base_year).get("RS")
    if nearest is None:
        return (
            f"note: no RS 'data by LA' file was found in {config.OFFICIAL_DIR} (set DDANALYSIS_OFFICIAL to the folder "
            "of the RS files and run this again): the baseline's size will not be checked against the council's "
            "official outturn"
        )
    return (
        f"note: no RS return for {base_year} in {config.OFFICIAL_DIR} (the nearest is {nearest.name}, shown on the "
        "'Official figures' sheet for reference): the baseline's size will not be checked against the council's "
        "official outturn; to check it, add official: {rs_net_current_gbp_k, source} to project.yaml from the "
        f"council's {base_year} outturn"
    )


@app.command("upgrade")
def upgrade_command(folder: Path = typer.Argument(..., help="Workspace folder to migrate.")) -> None:
    """Migrate a workspace's files to this release's schema_version, keeping a copy of the old ones."""
    from .upgrade import upgrade

    done = upgrade(folder)
    if not done.changed:
        typer.echo(f"{folder}: every file is already at this release's schema version")
        return
    typer.echo(f"upgraded {', '.join(done.changed)} in {folder} (old files kept in {done.backup})")


@app.command("dashboards")
def dashboards_command(
    folders: Optional[list[Path]] = typer.Argument(None, help="Workspace folders served beside the bundled projects."),
    port: int = typer.Option(8866, "--port", help="Port on 127.0.0.1."),
) -> None:
    """Serve the dashboards (Voila) with the bundled projects and the workspaces named."""
    from .dashboard.serve import main as serve

    raise typer.Exit(serve([*(str(f) for f in folders or []), "--port", str(port)]))


def stop_on_sigterm() -> Any:
    """Make SIGTERM (``kill``, a scheduler stopping a job) end the command as Ctrl-C does: by an exception, so
    every half-written output's temporary file is removed on the way out (:mod:`ddanalysis.atomic`) and the
    exit status is 143 (128 + 15). Returns the handler it replaced; does nothing outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: run the CLI, turning input errors into a clear message and exit status 2, and SIGTERM into
    an orderly stop (:func:`stop_on_sigterm`)."""
    before = stop_on_sigterm()
    try:
        app(args=argv, prog_name="ddanalysis")
    except DDAnalysisError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        if before is not None:
            signal.signal(signal.SIGTERM, before)
