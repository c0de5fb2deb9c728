"""Assemble the board workbooks in memory: one project's appraisal, or the whole programme.

Project workbook sheets: Cover, Summary, Options, Cash flows, Discount rates, Risk, MCA, Plan,
Assumptions, Benefits. Programme workbook: Cover, Programme (one row per project), Discount rates (shared by
every project, so one edit re-discounts the programme), then each project's sheets prefixed with a
short project code ("walsall Summary", ...). Nothing is written to disk here (see :mod:`.export`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.workbook.properties import CalcProperties

from ..cross_checks import check_sentences, cross_checks
from ..errors import DDAnalysisError
from ..presentation.text import workbook_pointers
from ..result import AppraisalResult
from ..version import __version__
from . import styles
from .assumptions_sheet import write_assumptions
from .benefits_sheet import write_benefits
from .formulas import OptionFormulas
from .layout import Context
from .mca_sheet import write_mca
from .model_inputs import model_inputs
from .model_sheet import fill_net_change, write_model
from .money import CASHFLOW_FIRST_COL, DiscountRefs, check_factors, write_cashflows, write_discount_rates
from .names import assumption_namer, define, define_names
from .plan_sheet import write_plan
from .programme_sheet import write_programme
from .risk_sheet import write_risk
from .summary import CONTENTS, ProjectSheets, project_facts, write_cover, write_options, write_summary

#: Sheet kinds of one project, in workbook order, and their names.
PROJECT_SHEETS: dict[str, str] = {
    "summary": "Summary",
    "options": "Options",
    "cashflows": "Cash flows",
    "discount": "Discount rates",
    "risk": "Risk",
    "mca": "MCA",
    "plan": "Plan",
    "assumptions": "Assumptions",
    "model": "Model",
    "benefits": "Benefits",
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def context(result: AppraisalResult, produced: dt.date) -> Context:
    """Header context of one project's sheets."""
    return Context(
        title=result.project_title,
        councils=result.councils,
        scenario=result.scenario,
        perspective_label=result.perspective_label,
        price_basis=result.price_basis,
        illustrative=bool(result.illustrative),
        produced=produced,
        version=__version__,
    )


def discount_bands(result: AppraisalResult) -> tuple[tuple[tuple[int, int | None, float], ...], str, str]:
    """The Green Book bands the result was discounted with, and their source (title, link)."""
    bands = tuple(result.discount_bands)
    check_factors(result, bands)
    src = result.discount_source
    return bands, str(src.get("title", "HM Treasury, The Green Book")), str(src.get("link", ""))


def _check_result(result: object) -> AppraisalResult:
    if not isinstance(result, AppraisalResult):
        raise DDAnalysisError(f"expected an AppraisalResult (from ddanalysis.appraise), got {type(result).__name__}")
    return result


def _new_workbook(title: str, subject: str) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    styles.register(wb)
    wb.properties.title = title
    wb.properties.subject = subject
    wb.properties.creator = f"ddanalysis {__version__}"
    wb.properties.keywords = "Delivering Differently; options appraisal; Green Book"
    wb.calculation = CalcProperties(fullCalcOnLoad=True)  # Excel computes every formula on opening
    return wb


def _project_sheets(
    wb: Workbook,
    result: AppraisalResult,
    ctx: Context,
    names: dict[str, str],
    discount: DiscountRefs | None,
    bands_info: tuple,
    name_prefix: str = "",
    checks_said: Sequence[str] | None = None,
) -> ProjectSheets:
    """Create and fill one project's sheets (in display order; filled in dependency order). ``name_prefix``
    starts each of the project's defined names (a programme workbook holds several projects);
    ``checks_said``: the cross-checks' sentences for the Summary (None: a pointer to them)."""
    ws = {kind: wb.create_sheet(name) for kind, name in names.items()}
    if discount is None:  # a project workbook has its own discount-rate sheet
        bands, src_title, src_link = bands_info
        discount = write_discount_rates(ws["discount"], ctx, bands, src_title, src_link, result.horizon_years)
    inputs = model_inputs(result)
    name_of = assumption_namer(name_prefix)
    model = write_model(ws["model"], ctx, result, inputs, name_of, CASHFLOW_FIRST_COL)
    teckal = {
        opt: bool(inputs.model.book.models[opt]["teckal"])
        for opt in result.options.id
        if opt in inputs.model.book.models
    }

    def formulas(opt: str, own) -> dict[str, str]:
        return OptionFormulas(model, opt, result.perspective, teckal.get(opt, False), own).templates()

    cf = write_cashflows(ws["cashflows"], ctx, result, discount, formulas)
    year_cols = range(cf.first_col, cf.last_col + 1)
    fill_net_change(
        ws["model"],
        model,
        cf.sheet,
        {o: rows.components for o, rows in cf.options.items()},
        "staff",
        "volunteer_time",
        year_cols,
    )
    define_names(wb, write_assumptions(ws["assumptions"], ctx, result), name_of)
    for opt, rows in cf.options.items():
        if rows.pv_saving:
            define(wb, name_of.nps(opt), cf.nps(opt))
    mca = write_mca(ws["mca"], ctx, result)
    opt_refs = write_options(ws["options"], ctx, result, cf, mca, model.scalars)
    where = workbook_pointers(ws["options"].title, ws["risk"].title, ws["plan"].title)
    write_summary(ws["summary"], ctx, result, opt_refs, model.scalars, checks_said, where)
    write_risk(ws["risk"], ctx, result)
    write_plan(ws["plan"], ctx, result)
    benefits = write_benefits(ws["benefits"], ctx, result, cf)
    return ProjectSheets(names=names, options=opt_refs, benefits=benefits)


def project_workbook(
    result: AppraisalResult, produced: dt.date | None = None, checks_said: Sequence[str] | None = None
) -> Workbook:
    """One project's board workbook (not saved). Its Summary says what the board paper's does beside the
    recommendation: the options the rule passes over and what the rule recommends on the other bases
    (``checks_said``, the sentences of :func:`ddanalysis.cross_checks.check_sentences` for this result; when
    None they are worked out here: two or three draws-free re-appraisals, under a second)."""
    result = _check_result(result)
    produced = produced or dt.date.today()
    ctx = context(result, produced)
    wb = _new_workbook(
        f"Options appraisal: {result.project_title}",
        f"{result.councils}; scenario {result.scenario}; perspective {result.perspective}",
    )
    cover = wb.create_sheet("Cover")
    bands_info = discount_bands(result)
    if checks_said is None:
        checks_said = check_sentences(result, cross_checks(result))
    _project_sheets(wb, result, ctx, dict(PROJECT_SHEETS), None, bands_info, checks_said=checks_said)
    contents = [(name, CONTENTS[kind]) for kind, name in PROJECT_SHEETS.items()]
    write_cover(
        cover,
        ctx,
        f"Options appraisal: {result.project_title}",
        project_facts(result, ctx),
        contents,
        dict(result.provenance),
    )
    wb.active = 0
    return wb


def sheet_prefixes(project_ids: list[str]) -> dict[str, str]:
    """A short, unique sheet-name prefix per project: the first word of its id (more words if needed)."""
    out: dict[str, str] = {}
    words = {pid: [w for w in re.split(r"[-_\s]+", _BAD_SHEET_CHARS.sub("", pid)) if w] or [pid] for pid in project_ids}
    n = 1
    pending = list(project_ids)
    while pending:
        cand = {pid: "-".join(words[pid][:n])[:16] for pid in pending}
        counts = pd.Series(list(cand.values())).value_counts()
        done = [pid for pid in pending if counts[cand[pid]] == 1 and cand[pid] not in out.values()]
        for pid in done:
            out[pid] = cand[pid]
        pending = [pid for pid in pending if pid not in out]
        n += 1
        if n > 12:  # ids with identical words: number them
            for i, pid in enumerate(pending, start=1):
                out[pid] = f"{cand[pid][:12]}{i}"
            break
    return out


def _check_programme_inputs(results: Mapping[str, AppraisalResult], summary: pd.DataFrame | None) -> None:
    """A :class:`DDAnalysisError` unless ``results`` maps each project id to its own checked appraisal and
    ``summary`` (when given) has a ``project_id`` column naming only projects in ``results``."""
    if not isinstance(results, Mapping) or not results:
        raise DDAnalysisError(
            "expected a non-empty mapping project id -> AppraisalResult (e.g. from "
            "ddanalysis.programme.programme_results())"
        )
    for pid, res in results.items():
        _check_result(res)
        if res.project_id != pid:
            raise DDAnalysisError(
                f"results[{pid!r}] is the appraisal of {res.project_id!r}; the keys must be project ids"
            )
    if summary is not None:
        missing = [p for p in summary.get("project_id", pd.Series(dtype=str)) if p not in results]
        if "project_id" not in summary.columns or missing:
            raise DDAnalysisError(
                "summary must have a 'project_id' column naming projects in results"
                + (f"; not in results: {missing}" if missing else "")
            )


def _programme_context(results: Mapping[str, AppraisalResult], produced: dt.date, title: str | None) -> Context:
    """The header of a programme workbook's own sheets (or of a project's, whose services are the results)."""
    first = next(iter(results.values()))
    return Context(
        title=title or "Delivering Differently programme",
        councils=f"{len(results)} services" if title else f"{len(results)} projects",
        scenario=", ".join(sorted({r.scenario for r in results.values()})),
        perspective_label="; ".join(sorted({r.perspective_label for r in results.values()})),
        price_basis=first.price_basis,
        illustrative=any(r.illustrative for r in results.values()),
        produced=produced,
        version=__version__,
    )


def _programme_facts(
    results: Mapping[str, AppraisalResult], ctx: Context, produced: dt.date, services: bool = False
) -> list[tuple[str, str]]:
    """The programme cover's facts: programme, projects, scenario, perspective, prices, Monte Carlo draws and seeds,
    which projects are illustrative, and when and by which version it was produced (``services``: a project's
    services in place of the programme's projects)."""
    heading = (
        ("Project", f"{ctx.title}: each service appraised on its own baseline and short list (sheet 'Services')")
        if services
        else (
            "Programme",
            "Delivering Differently (Cabinet Office, DCLG, LGA and SOLACE): options appraisals of the "
            "Challenge Fund projects",
        )
    )
    return [
        heading,
        (
            "Services" if services else "Projects",
            f"{len(results)}: " + "; ".join(f"{r.project_title} ({r.councils})" for r in results.values()),
        ),
        ("Scenario", ctx.scenario),
        ("Perspective", ctx.perspective_label),
        ("Prices", f"GBP, {ctx.price_basis}"),
        ("Monte Carlo", "; ".join(sorted({f"{len(r.mc_draws):,} draws, seed {r.mc_seed}" for r in results.values()}))),
        (
            "Illustrative",
            "Yes, for: " + ", ".join(r.project_id for r in results.values() if r.illustrative)
            if ctx.illustrative
            else "No",
        ),
        ("Produced", f"{produced:%d %B %Y} by ddanalysis {__version__}"),
    ]


def _shared_bands(results: Mapping[str, AppraisalResult]) -> tuple:
    """The discount bands every result shares (:func:`discount_bands`); DDAnalysisError when one differs."""
    first = next(iter(results.values()))
    bands_info = discount_bands(first)
    for res in results.values():
        if discount_bands(res)[0] != bands_info[0]:
            raise DDAnalysisError(
                f"{res.project_id} was discounted with other rates than {first.project_id}; "
                "a programme workbook shares one discount-rate table"
            )
    return bands_info


def programme_workbook(
    results: Mapping[str, AppraisalResult],
    summary: pd.DataFrame | None = None,
    produced: dt.date | None = None,
    prefixes: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Workbook:
    """The programme's board workbook: a summary sheet, shared discount rates, then every project (not saved);
    ``prefixes``: project id -> the prefix of its sheet names (default :func:`sheet_prefixes`); ``title``: a
    project's title when ``results`` are its services (:func:`services_workbook`), else the programme's."""
    _check_programme_inputs(results, summary)
    produced = produced or dt.date.today()
    first = next(iter(results.values()))
    ctx = _programme_context(results, produced, title)
    wb = _new_workbook(
        f"{ctx.title}: options appraisals",
        f"{ctx.councils}; scenario {ctx.scenario}; perspective {ctx.perspective_label}",
    )
    cover = wb.create_sheet("Cover")
    programme_ws = wb.create_sheet("Programme")
    discount_ws = wb.create_sheet("Discount rates")
    bands_info = _shared_bands(results)
    horizon = max(r.horizon_years for r in results.values())
    discount = write_discount_rates(discount_ws, ctx, bands_info[0], bands_info[1], bands_info[2], horizon)
    prefixes = dict(prefixes) if prefixes is not None else sheet_prefixes(list(results))
    project_refs: dict[str, ProjectSheets] = {}
    for pid, res in results.items():
        names = {kind: f"{prefixes[pid]} {name}" for kind, name in PROJECT_SHEETS.items() if kind != "discount"}
        project_refs[pid] = _project_sheets(
            wb, res, context(res, produced), names, discount, bands_info, name_prefix=pid
        )
    by_service = title is not None
    write_programme(programme_ws, ctx, results, summary, project_refs, by_service)
    facts = _programme_facts(results, ctx, produced, by_service)
    programme_note = CONTENTS["programme_services" if by_service else "programme"]
    contents = [("Programme", programme_note), ("Discount rates", CONTENTS["discount"])]
    for pid, refs in project_refs.items():
        contents.append(
            (
                refs.names["summary"],
                f"{results[pid].project_title} ({results[pid].councils}): summary; "
                f"then '{prefixes[pid]} Options', '{prefixes[pid]} Cash flows' and the rest",
            )
        )
    provenance = dict(first.provenance)
    provenance["baseline"] = "Per project: see each project's Summary sheet (baseline source)"
    write_cover(cover, ctx, f"{ctx.title}: options appraisals", facts, contents, provenance)
    wb.active = 0
    return wb


def services_workbook(project: Any, produced: dt.date | None = None) -> Workbook:
    """The board workbook of a project whose services each have their own baseline
    (:class:`ddanalysis.services.ProjectAppraisal`): the programme layout with one block of sheets per service
    (prefixed with its id: "libraries Summary", ...) and a "Services" sheet after the cover with each service's
    chosen option and the project's total (not saved)."""
    from .services_sheet import write_services

    results = {s.result.project_id: s.result for s in project.services}
    prefixes = {s.result.project_id: s.id[:16] for s in project.services}
    wb = programme_workbook(results, None, produced, prefixes=prefixes, title=project.title)
    first = project.services[0].result
    ctx = dataclasses.replace(context(first, produced or dt.date.today()), title=project.title)
    write_services(wb.create_sheet("Services", index=1), ctx, project)
    return wb


__all__ = ["project_workbook", "programme_workbook", "services_workbook", "sheet_prefixes", "PROJECT_SHEETS"]
