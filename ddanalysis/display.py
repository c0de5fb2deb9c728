"""Display helpers for the analyst notebooks: styled tables with £ formatting, and notes built from results.

Tables come back as pandas :class:`~pandas.io.formats.style.Styler` objects (they render as HTML in
JupyterLab, in papermill's executed notebooks and in nbconvert exports). Nothing is modelled here:
each helper selects, labels, totals and formats what the library returns, so a notebook's code
cells stay a line or two long and every number on screen comes from ``ddanalysis``.

Money is GBP (pounds) in real base-year prices (2014-15) unless a column says otherwise; money is
shown to the pound, shares as percentages. Rounding happens here, for display only.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from .errors import DDAnalysisError
from .presentation import formats, tables, text
from .registry import STATUS_QUO
from .result import AppraisalResult

if TYPE_CHECKING:
    from .services import ProjectAppraisal

__all__ = [
    "gbp",
    "pct",
    "gbp_thousand",
    "share",
    "money_table",
    "show",
    "illustrative_note",
    "appraisal_header",
    "recommendation_rule",
    "recommendation_note",
    "run_record_note",
    "baseline_table",
    "options_table",
    "cashflow_table",
    "savings_table",
    "sensitivity_table",
    "focus_option",
    "switching_table",
    "monte_carlo_table",
    "mca_scores_table",
    "mca_rationale_table",
    "mca_totals_table",
    "plan_table",
    "milestones_table",
    "risks_table",
    "assumptions_table",
    "programme_table",
    "markdown_list",
    "programme_note",
    "projects_table",
    "project_note",
    "discount_table",
    "discount_factors_table",
    "optimism_bias_table",
    "facts_table",
    "deflator_table",
    "scenarios_table",
    "delivery_models_table",
    "sources_table",
    "criteria_table",
    "plan_facts_table",
    "components_table",
    "docstring_note",
    "council_heading",
    "council_trend",
    "spending_table",
    "in_scope_change_table",
    "DEFAULT_TOP",
    "AUTHORITY_CLASS_NAMES",
    "CHANGE_YEARS",
    "horizons_table",
    "by_council_table",
    "nominal_cash_table",
]

#: How many assumptions the sensitivity tables show by default (the largest swings).
DEFAULT_TOP = tables.DEFAULT_TOP
MISSING = formats.MISSING

# --- formats (the presentation layer's, re-exported for notebooks) ---------------------------------------

gbp = formats.money
gbp_thousand = formats.money_thousand
share = formats.share


def pct(x: float | None, digits: int = 0) -> str:
    """A share as a percentage with ``digits`` decimals (0.355 -> '36%'); '-' when missing."""
    return MISSING if x is None or formats.is_missing(x) else f"{float(x):.{digits}%}"


def _check_columns(frame: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DDAnalysisError(f"{what}: column(s) {missing} not in the table; its columns are {list(frame.columns)}")


_TABLE_STYLES = [
    {"selector": "td, th", "props": [("text-align", "left"), ("vertical-align", "top")]},
    {"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"), ("font-weight", "bold")]},
    {"selector": "th.row_heading.level1", "props": [("white-space", "nowrap")]},
]


def _styled(
    frame: pd.DataFrame,
    units: Mapping[str, str],
    caption: str | None,
    index: bool = False,
    nowrap_cols: Sequence[str] = (),
) -> Styler:
    """A Styler of ``frame`` with each column formatted by its unit tag; numbers right-aligned, unwrapped."""
    fmts = {c: formats.FORMATTERS[u] for c, u in units.items() if u in formats.FORMATTERS and u != "html"}
    styler = frame.copy().style.format(fmts, na_rep=MISSING).set_table_styles(_TABLE_STYLES)
    numeric = [c for c, u in units.items() if u in formats.NUMERIC_UNITS]
    if numeric:
        styler = styler.set_properties(subset=numeric, **{"text-align": "right", "white-space": "nowrap"})
    nowrap = [c for c, u in units.items() if u == "date"] + list(nowrap_cols)
    if nowrap:
        styler = styler.set_properties(subset=list(dict.fromkeys(nowrap)), **{"white-space": "nowrap"})
    if not index:
        styler = styler.hide(axis="index")
    return styler.set_caption(caption) if caption else styler


def styled(table: tables.Table) -> Styler:
    """A presentation :class:`~ddanalysis.presentation.tables.Table` as a pandas Styler (emphasised rows bold)."""
    styler = _styled(table.frame, table.units, table.caption)
    if table.emphasis:
        styler = styler.set_properties(subset=pd.IndexSlice[list(table.emphasis), :], **{"font-weight": "bold"})
    return styler


def money_table(
    frame: pd.DataFrame,
    money_cols: Sequence[str] = (),
    *,
    pct_cols: Sequence[str] = (),
    thousand_cols: Sequence[str] = (),
    ratio_cols: Sequence[str] = (),
    score_cols: Sequence[str] = (),
    number_cols: Sequence[str] = (),
    nowrap_cols: Sequence[str] = (),
    caption: str | None = None,
    index: bool = False,
) -> Styler:
    """A styled table: ``money_cols`` as £ to the pound (GBP), ``pct_cols`` as percentages (at most one
    decimal: 0.035 -> '3.5%'), ``thousand_cols`` as GBP thousand with separators, ``ratio_cols`` to 2
    decimals, ``score_cols`` to 1 decimal, ``number_cols`` to 4 significant figures; missing values as '-'.
    Numbers are right-aligned and, like ``nowrap_cols`` (dates, years), never wrapped.

    The frame is not changed (the Styler works on a copy). ``index=False`` hides the index.
    """
    groups = {
        "money": (money_cols, "gbp"),
        "percentage": (pct_cols, "share"),
        "GBP thousand": (thousand_cols, "gbp_thousand"),
        "ratio": (ratio_cols, "ratio"),
        "score": (score_cols, "score"),
        "number": (number_cols, "number"),
    }
    for name, (cols, _unit) in groups.items():
        _check_columns(frame, cols, f"money_table ({name} columns)")
    _check_columns(frame, nowrap_cols, "money_table (no-wrap columns)")
    units = {c: unit for cols, unit in groups.values() for c in cols}
    return _styled(frame, units, caption, index=index, nowrap_cols=nowrap_cols)


def show(fig: Any) -> None:
    """Display a plotly figure offline: plotly's own MIME bundle (:func:`ddanalysis.charts.mimebundle`),
    drawn by JupyterLab's bundled plotly extension; no plotly.js or MathJax is fetched from a CDN."""
    from IPython.display import display

    from .charts import mimebundle

    display(mimebundle(fig), raw=True)


# --- notes (Markdown) ----------------------------------------------------------------------------------


def illustrative_note(result: AppraisalResult) -> Markdown:
    """A warning when the figures are illustrative (the bundled baselines are), else a one-line note."""
    note = text.illustrative_note(result.illustrative, result.baseline.source)
    if result.illustrative:
        head, rest = note.split(" ", 1)
        return Markdown(f"> **{head}** {rest}")
    return Markdown(note)


def appraisal_header(result: AppraisalResult) -> Markdown:
    """What this appraisal is: project, councils, scenario, perspective, price basis, horizon, Monte Carlo."""
    draws = len(result.mc_draws)
    mc = (
        f"**Monte Carlo:** {draws:,} seeded draws (seed {result.mc_seed})."
        if draws
        else "**Monte Carlo:** not run (draws = 0)."
    )
    lines = [
        f"## {result.project_title} ({result.councils})",
        "",
        f"- **Project id:** `{result.project_id}`",
        f"- **Scenario:** {result.scenario}. {result.scenario_description}",
        f"- **Perspective:** {result.perspective_label} (`{result.perspective}`).",
        f"- **Money:** GBP, {result.price_basis}; {result.horizon_years} appraisal years from {result.first_year}, "
        f"discounted at the Green Book social time preference rate. {result.price_base_statement}",
        f"- **Optimism bias:** {share(result.optimism_bias_mitigation)} of the upper bound mitigated "
        f"({result.optimism_bias_mitigation_source}); the uplift is its own line, never drawn in the Monte Carlo.",
        f"- {mc}",
    ]
    return Markdown("\n".join(lines))


def run_record_note(result: AppraisalResult) -> Markdown:
    """The run record of these figures: package version, the input files' fingerprint (every hash is in the
    JSON), scenario, perspective, overrides, draws, seed and time, so any figure can be reproduced."""
    rec = result.run_record
    if rec is None:
        return Markdown("Run record: not available for this result.")
    return Markdown("**Run record.** " + " ".join(f"{line}." for line in rec.lines()))


def recommendation_rule() -> str:
    """The rule that picks the recommended option (:data:`ddanalysis.presentation.text.RECOMMENDATION_RULE`)."""
    return text.RECOMMENDATION_RULE


def recommendation_note(result: AppraisalResult) -> Markdown:
    """The recommendation, as a quoted paragraph, with the rule that chose it and the options it passes over on
    the non-monetised criteria although they save more, and what would change it (its nearest switching values)."""
    notes = "".join(f"\n\n{said}" for said in tables.recommendation_notes(result))
    return Markdown(f"> **{result.recommendation}**\n\nRule: {text.RECOMMENDATION_RULE}{notes}")


def cross_checks_note(result: AppraisalResult) -> Markdown:
    """What the rule recommends from the other perspectives and with a provider's margin and contract management
    on the whole service (:func:`ddanalysis.cross_checks.cross_checks`: draws-free re-appraisals, about a second)."""
    from .cross_checks import check_sentences, cross_checks

    said = check_sentences(result, cross_checks(result))
    return Markdown("\n\n".join(said) or "No other basis could be compared.")


def services_total(project: ProjectAppraisal | None) -> Styler | Markdown:
    """A project appraised by service (:func:`ddanalysis.services.with_other_services`): the services table, each
    service's recommended option and the project's total (GBP, real base-year prices), its caption the sentences
    on how the total is made; for None (a project appraised as one), a sentence saying so."""
    if project is None:
        return Markdown(
            "This project is appraised as one: its recommended option above is the project's total, "
            "with nothing to add from other services."
        )
    return styled(tables.services_table(project))


# --- appraisal tables (shaped in ddanalysis.presentation.tables) ----------------------------------------

focus_option = tables.focus_option


def baseline_table(result: AppraisalResult) -> Styler:
    """The status quo budget by subjective line, then gross expenditure, income and net budget (GBP)."""
    return styled(tables.baseline_table(result))


def options_table(result: AppraisalResult) -> Styler:
    """One row per option (status quo first): the Green Book headline metrics against the status quo."""
    return styled(tables.options_table(result))


def horizons_table(result: AppraisalResult) -> Styler:
    """Each option's net present saving at 10, 15 and 20 years side by side (GBP), with the residual
    value beyond the appraisal horizon and the optimism bias included."""
    return styled(tables.horizons_table(result))


def by_council_table(result: AppraisalResult) -> Styler | Markdown:
    """Each option's net present saving and one-off cost per council, with the option's total (GBP)."""
    t = tables.by_council_table(result)
    return Markdown("No per-council figures in this result.") if t is None else styled(t)


def nominal_cash_table(result: AppraisalResult, option_id: str | None = None) -> Styler | Markdown:
    """The financial case in cash by year and council against the savings target (GBP, nominal)."""
    t = tables.nominal_cash_table(result, option_id)
    return Markdown("No cash profile in this result.") if t is None else styled(t)


def cashflow_table(result: AppraisalResult, option_id: str) -> Styler:
    """One option's costs by component (rows) and financial year (columns), with the yearly total (GBP)."""
    return styled(tables.cashflow_table(result, option_id))


def savings_table(result: AppraisalResult, cumulative: bool = False) -> Styler:
    """Each option's annual saving against the status quo (or cumulative saving), undiscounted, GBP."""
    return styled(tables.savings_table(result, cumulative))


def sensitivity_table(result: AppraisalResult, option_id: str | None = None, top: int | None = DEFAULT_TOP) -> Styler:
    """One-way sensitivity: net present saving with each assumption at its low and high value (GBP);
    ``option_id`` defaults to the focus option, rows are the ``top`` largest swings (all when None)."""
    return styled(tables.sensitivity_table(result, option_id, top))


def switching_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """Switching values: the value of each assumption at which the option stops beating the status quo,
    and at which it draws level with the next-best option."""
    return styled(tables.switching_table(result, option_id))


def monte_carlo_table(result: AppraisalResult) -> Styler:
    """Monte Carlo summary per option: P10 / P50 / P90 net present saving (GBP) and probabilities."""
    return styled(tables.monte_carlo_table(result))


def probability_best_table(result: AppraisalResult) -> Styler:
    """Probability each option is the best, with P(net present saving > 0) and the net present saving."""
    return styled(tables.probability_best_table(result))


def acceptability_table(result: AppraisalResult) -> Styler:
    """The acceptability curve as a long table: threshold (GBP), option, P(reaches), P(reaches and best)."""
    return styled(tables.acceptability_table(result))


def value_of_information_table(result: AppraisalResult, top: int | None = DEFAULT_TOP) -> Styler:
    """Partial EVPI per assumption and correlation group, with quality: the most worth paying to know it first."""
    return styled(tables.value_of_information_table(result, top))


def sobol_table(result: AppraisalResult, top: int | None = DEFAULT_TOP) -> Styler:
    """First-order and total Sobol indices (when the appraisal computed them: ``with_sobol=True``)."""
    return styled(tables.sobol_table(result, top))


def failure_rules_table(result: AppraisalResult) -> Styler:
    """When each option loses money or is not the best, in words, with coverage and density."""
    return styled(tables.failure_rules_table(result))


def decision_notes() -> Markdown:
    """How the decision measures are estimated, with references (the JSON's ``decision_notes``)."""
    return Markdown("\n".join(f"- {v}" for v in text.DECISION_NOTES.values()))


def mca_scores_table(result: AppraisalResult) -> Styler:
    """Scores (0-10) per criterion and option, with the swing weights and each option's weighted score."""
    return styled(tables.mca_scores_table(result, result.criterion_names()))


def mca_rationale_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The written rationale of each score of one option (default: the recommended / focus option)."""
    return styled(tables.mca_rationale_table(result, result.criterion_names(), option_id))


def mca_totals_table(result: AppraisalResult) -> Styler:
    """Weighted score and rank per option, and how often it ranks first when the weights move."""
    return styled(tables.mca_totals_table(result))


def plan_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's implementation plan by phase: duration, dates, dependencies, critical path, slack."""
    return styled(tables.plan_table(result, option_id))


def milestones_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's milestones with their dates."""
    return styled(tables.milestones_table(result, option_id))


def risks_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's risk register: likelihood and impact (1-5), score, owner, mitigation."""
    return styled(tables.risks_table(result, option_id))


def _link(title: str, url: str) -> str:
    title = html.escape(str(title or ""))
    if url and str(url).startswith(("http://", "https://")):
        return f'<a href="{html.escape(str(url), quote=True)}" target="_blank">{title}</a>'
    return title


def assumptions_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """Every assumption used, with its range, the value used, basis, quality (coloured) and source (linked)."""
    table = tables.assumptions_table(result, option_id)
    frame = table.frame.assign(Source=[_link(t, u) for t, u in zip(table.frame["Source"], table.frame["Link"])])
    frame = frame.drop(columns=["Link"])
    colours = text.QUALITY_COLOURS
    styler = _styled(frame, {}, table.caption)
    return styler.map(lambda q: f"background-color: {colours[q]}" if q in colours else "", subset=["Quality"])


# --- programme ---------------------------------------------------------------------------------------------


def programme_table(summary: pd.DataFrame, scenario: str | None = None, perspective: str | None = None) -> Styler:
    """The programme summary (one row per project) with its money as £ and a total row (GBP, real 2014-15);
    ``scenario`` and ``perspective`` (those of the summary) go into the caption."""
    _check_columns(summary, tables.PROGRAMME_COLUMNS, "programme_table")
    return styled(tables.programme_table(summary, scenario, perspective))


def markdown_list(items: Mapping[str, str] | Iterable[str]) -> Markdown:
    """A Markdown bullet list ('- key: value' for a mapping)."""
    if isinstance(items, Mapping):
        return Markdown("\n".join(f"- **{k}:** {v}" for k, v in items.items()))
    return Markdown("\n".join(f"- {v}" for v in items))


def programme_note(summary: pd.DataFrame) -> Markdown:
    """The programme's totals in words: in-scope budgets, savings of the recommended options, how many change."""
    _check_columns(
        summary,
        ["baseline_net_gbp", "net_present_saving_gbp", "recommended", "go_live", "illustrative"],
        "programme_note",
    )
    changing = summary[summary["recommended"] != STATUS_QUO]
    dates = pd.to_datetime(changing["go_live"].dropna())
    timing = f" Go-live dates run from {dates.min():%d %B %Y} to {dates.max():%d %B %Y}." if not dates.empty else ""
    ill = (
        " All figures are ILLUSTRATIVE (see the notes on the baselines)." if bool(summary["illustrative"].any()) else ""
    )
    return Markdown(
        f"Across the {len(summary)} projects, the in-scope services have net budgets of "
        f"**{gbp(float(summary['baseline_net_gbp'].sum()))}** a year between them. The recommended options save "
        f"**{gbp(float(summary['net_present_saving_gbp'].sum()))}** in net present terms (GBP, real 2014-15 "
        f"prices, over each appraisal's horizon). {len(changing)} of the {len(summary)} projects recommend a change "
        f"of delivery model; {len(summary) - len(changing)} keep the service in-house for now.{timing}{ill}"
    )


def projects_table() -> Styler:
    """The programme's projects from the registry: title, councils, services in scope, short list, plan start."""
    from .registry import projects_frame

    frame = projects_frame()[["title", "councils", "services", "shortlist", "plan_start", "id"]].rename(
        columns={
            "title": "Project",
            "councils": "Council(s)",
            "services": "Services in scope",
            "shortlist": "Short-listed options (ILLUSTRATIVE)",
            "plan_start": "Plan start",
            "id": "Project id",
        }
    )
    return money_table(frame, caption="The Delivering Differently projects (data/projects/)")


def project_note(result: AppraisalResult) -> Markdown:
    """What the project is about: services in scope, aims, drivers, partners and the short list."""
    from .registry import project

    p = project(result.project_id)
    names = [result.option_name(o) for o in p.shortlist]
    lines = [
        f"- **Services in scope:** {'; '.join(p.services)}",
        f"- **Aims:** {'; '.join(p.aims)}",
        f"- **Drivers:** {'; '.join(p.drivers)}",
        f"- **Partners:** {'; '.join(p.partners) or 'none named'}",
        f"- **Short list (ILLUSTRATIVE):** {'; '.join(names)} (the first is the status quo, the benchmark)",
        f"- **Plan start:** {p.plan_start:%d %B %Y}",
    ]
    return Markdown("\n".join(lines))


# --- method (the methodology notebook) ----------------------------------------------------------------------


def _book(book: Any = None) -> Any:
    from .assumptions import load_book

    return book if book is not None else load_book()


def _source_title(book: Any, source_id: str) -> str:
    src = book.sources.get(source_id, {})
    return _link(src.get("title", source_id), src.get("link", ""))


def discount_table(book: Any = None) -> Styler:
    """The social time preference rate schedule (appraisal.yaml), one row per band of year indices."""
    book = _book(book)
    rows = [
        {"From year": lo, "To year": "and beyond" if hi is None else hi, "Rate": rate}
        for lo, hi, rate in book.settings.discount_bands
    ]
    src = book.settings.sources_of_settings["discount_schedule"]
    return money_table(
        pd.DataFrame(rows),
        pct_cols=["Rate"],
        caption=f"Discount rate by appraisal year (year 0 undiscounted). Source: {_source_title(book, src)}",
    )


def discount_factors_table(book: Any = None, horizon_years: int | None = None) -> Styler:
    """The discount factor of each appraisal year over the horizon (appraisal.yaml's unless given)."""
    from .appraisal import discount_factors
    from .years import fy_label, fy_start_year

    book = _book(book)
    n = int(horizon_years or book.settings.horizon_years)
    first = fy_start_year(book.settings.first_year)
    factors = discount_factors(n, book.settings.discount_bands)
    frame = pd.DataFrame(
        {"Year index": range(n), "Financial year": [fy_label(first + t) for t in range(n)], "Discount factor": factors}
    )
    return money_table(
        frame,
        number_cols=["Discount factor"],
        caption="Green Book discount factors: the product of 1 / (1 + rate) over the years to date",
    )


def optimism_bias_table(book: Any = None) -> Styler:
    """Optimism-bias upper bounds by project category, and which category each kind of cost takes."""
    book = _book(book)
    use: dict[str, list[str]] = {}
    for kind, cat in book.settings.optimism_bias_use.items():
        use.setdefault(cat, []).append(text.optimism_bias_kind(kind))
    frame = pd.DataFrame(
        [
            {
                "Category": cat.replace("_", " "),
                "Upper bound": upper,
                "Used here for": ", ".join(use.get(cat, [])) or "-",
            }
            for cat, upper in book.settings.optimism_bias_upper.items()
        ]
    )
    src = book.settings.sources_of_settings["optimism_bias"]
    return money_table(
        frame,
        pct_cols=["Upper bound"],
        caption=f"Optimism bias upper bounds (uplift before mitigation). Source: {_source_title(book, src)}",
    )


def facts_table(book: Any = None) -> Styler:
    """Facts fixed by law or by a published scheme (not varied in scenarios), with their sources."""
    book = _book(book)
    rows = []
    for name, spec in book.settings.facts.items():
        if "by_class" in spec:
            value = ", ".join(f"{k} {share(v)}" for k, v in spec["by_class"].items())
        else:
            value = share(spec.get("value"))
        rows.append(
            {
                "Fact": name.replace("_", " "),
                "Value": value,
                "Unit": spec.get("unit", ""),
                "Quality": spec.get("quality", ""),
                "Source": _source_title(book, spec.get("source", "")),
            }
        )
    return money_table(pd.DataFrame(rows), caption="Facts of law and published schemes used by every appraisal")


def deflator_table(book: Any = None) -> Styler:
    """The GDP deflator index (base year = 100) used to turn cash figures into real base-year prices."""
    book = _book(book)
    d = book.settings.gdp_deflator
    frame = pd.DataFrame({"Financial year": list(d.index), "GDP deflator index": d.to_numpy()})
    src = book.settings.sources_of_settings["gdp_deflator"]
    return money_table(
        frame,
        number_cols=["GDP deflator index"],
        caption=f"GDP deflator, {book.settings.base_year} = 100. Source: {_source_title(book, src)}",
    )


def scenarios_table(book: Any = None) -> Styler:
    """The named scenarios: how each picks assumption values and plan durations, and what it sets."""
    book = _book(book)
    rows = [
        {
            "Scenario": sc.name,
            "Description": sc.description,
            "Values picked": sc.pick,
            "Plan durations": sc.plan_duration,
            "Set explicitly": "; ".join(f"{a}.{b} = {v:g}" for (a, b), v in sc.set.items()) or "-",
        }
        for sc in book.scenarios.values()
    ]
    return money_table(pd.DataFrame(rows), caption="Scenarios (data/assumptions/scenarios.yaml)")


def delivery_models_table(book: Any = None) -> Styler:
    """The delivery models an appraisal can compare, with their descriptions."""
    book = _book(book)
    frame = pd.DataFrame(
        [{"Model": m["name"], "Id": mid, "Description": m["description"]} for mid, m in book.models.items()]
    )
    return money_table(frame, caption="Delivery models (data/assumptions/models/)")


def sources_table(book: Any = None) -> Styler:
    """Every source an assumption may cite (data/assumptions/sources.yaml), linked."""
    book = _book(book)
    frame = pd.DataFrame(
        [{"Id": sid, "Source": _link(s.get("title", ""), s.get("link", ""))} for sid, s in book.sources.items()]
    )
    return money_table(frame, caption="Sources of the assumptions")


def criteria_table() -> Styler:
    """The multi-criteria analysis criteria and their default swing weights (ILLUSTRATIVE)."""
    from .mca import load_criteria

    frame = load_criteria()[["name", "description", "weight"]].rename(
        columns={"name": "Criterion", "description": "What it asks", "weight": "Default weight"}
    )
    return money_table(
        frame,
        pct_cols=["Default weight"],
        caption="Non-monetised criteria (data/mca/criteria.yaml); weights ILLUSTRATIVE",
    )


def plan_facts_table() -> Styler:
    """The legal facts the implementation plans respect (data/plans/phases.yaml)."""
    from .plan import catalogue_facts

    facts = catalogue_facts()
    frame = pd.DataFrame(
        {
            "Fact": facts["description"].to_numpy(),
            "Value": facts["value"].to_numpy(),
            "Unit": facts["unit"].to_numpy(),
            "Source": [_link(t, u) for t, u in zip(facts["source"], facts["link"])],
        }
    )
    return money_table(frame, number_cols=["Value"], caption="Legal facts behind the implementation plans")


def components_table() -> Styler:
    """The cost components of every option's cash flows, operating (yearly) or one-off (transition)."""
    from .cashflow import COMPONENT_LABELS, ONE_OFF_COMPONENTS

    frame = pd.DataFrame(
        [
            {"Component": label, "Id": key, "Kind": "one-off" if key in ONE_OFF_COMPONENTS else "operating"}
            for key, label in COMPONENT_LABELS.items()
        ]
    )
    return money_table(frame, caption="Cash-flow components (ddanalysis.cashflow)")


def docstring_note(obj: Any) -> Markdown:
    """An object's docstring as Markdown (reStructuredText ``code`` becomes `code`).

    The method as the code states it.
    """
    import inspect

    text = inspect.getdoc(obj) or ""
    return Markdown(text.replace("``", "`"))


# --- council context (the strategic case) ----------------------------------------------------------------------

#: Names of the DCLG authority classes (as in the RS returns).
AUTHORITY_CLASS_NAMES = {
    "L": "London borough",
    "MD": "metropolitan district",
    "UA": "unitary authority",
    "SC": "shire county",
    "SD": "shire district",
    "O": "other authority",
}
#: Years of the real-terms change shown against the class median (the first year with adults' and
#: children's social care published apart, and the base year). See ddanalysis.context.spending_change.
CHANGE_YEARS = ("2011-12", "2014-15")


def _in_scope(code: str) -> dict[str, list[str]]:
    """Service block -> titles of the projects of this council that sit in it (2010-11's combined social
    care counts for adults' and children's social care)."""
    from .registry import council, projects

    e_code = council(code)["e_code"]  # by code, never by name
    out: dict[str, list[str]] = {}
    for p in projects():
        if e_code not in p.councils:
            continue
        blocks = set(p.rs_services)
        if blocks & {"adult_social_care", "childrens_social_care"}:
            blocks.add("social_care")
        for b in sorted(blocks):
            out.setdefault(b, []).append(p.title)
    return out


def council_heading(spending: pd.DataFrame, code: str) -> Markdown:
    """A council's heading: its name, class, the number of councils in its class median and its projects.

    ``spending``: :func:`ddanalysis.context.council_spending` of the council ``code`` (E-code or ONS code).
    """
    from .registry import council

    _check_columns(spending, ["authority_class", "class_authorities"], "council_heading")
    c = council(code)
    projects = sorted({t for titles in _in_scope(code).values() for t in titles})
    n = spending["class_authorities"].dropna()
    cls = AUTHORITY_CLASS_NAMES.get(c["authority_class"], c["authority_class"])
    median = f"the median of the {int(n.max())} {cls}s" if not n.empty else f"the median {cls} (not available)"
    return Markdown(
        f"### {c['name']}\n\n"
        f"{cls.capitalize()} (class {c['authority_class']}, E-code {c['e_code']}, ONS code {c['ons_code']}); "
        f"compared with {median}"
        + (
            f". Delivering Differently project(s): {', '.join(projects)} (their service blocks are drawn thick)."
            if projects
            else "."
        )
    )


def council_trend(spending: pd.DataFrame, code: str, real: bool = True) -> Any:
    """The council's net current expenditure by service block and year (:func:`ddanalysis.charts.spending_trend`),
    in GBP, real 2014-15 prices (``real=True``) or cash; the blocks of the council's projects drawn thick."""
    from .charts import spending_trend
    from .registry import council

    _check_columns(spending, ["year", "label", "service", "cash_gbp_k", "real_gbp_k"], "council_trend")
    col = "real_gbp_k" if real else "cash_gbp_k"
    frame = pd.DataFrame(
        {
            "year": spending["year"].astype(str),
            "label": spending["label"],
            "value_gbp": spending[col].astype(float) * 1000.0,
        }
    ).dropna(subset=["value_gbp"])
    highlight = sorted(set(spending.loc[spending["service"].isin(_in_scope(code)), "label"]))
    return spending_trend(
        frame,
        council=str(council(code)["name"]),
        price_basis="real 2014-15 prices" if real else "cash prices of each year",
        highlight=highlight,
    )


def spending_table(spending: pd.DataFrame) -> Styler:
    """A council's spending by service block (GBP thousand): for each block its cash figures, its real
    figures (2014-15 prices) and the real figures of the median council of its class, by year; and
    the real-terms change over :data:`CHANGE_YEARS`, the council's and the class median's."""
    from .context import spending_change

    _check_columns(
        spending, ["year", "service", "label", "cash_gbp_k", "real_gbp_k", "class_median_real_gbp_k"], "spending_table"
    )
    years = sorted(spending["year"].astype(str).unique())
    order = list(dict.fromkeys(spending.sort_values("service", kind="stable")["label"]))
    measures = {
        "cash_gbp_k": "Council, cash",
        "real_gbp_k": "Council, real",
        "class_median_real_gbp_k": "Class median, real",
    }
    long = spending.melt(id_vars=["year", "label", "service"], value_vars=list(measures), var_name="m", value_name="v")
    wide = long.pivot_table(index=["label", "m"], columns="year", values="v", aggfunc="first", sort=False)
    index = pd.MultiIndex.from_product([order, list(measures)])
    wide = wide.reindex(index=index, columns=years)
    change = spending_change(spending, *CHANGE_YEARS).set_index("service")
    label_to_service = dict(zip(spending["label"], spending["service"]))
    col = f"Real change {CHANGE_YEARS[0]} to {CHANGE_YEARS[1]}"
    wide[col] = [
        change.loc[label_to_service[lab], "council_change"]
        if m == "real_gbp_k" and label_to_service[lab] in change.index
        else change.loc[label_to_service[lab], "class_median_change"]
        if m == "class_median_real_gbp_k" and label_to_service[lab] in change.index
        else float("nan")
        for lab, m in wide.index
    ]
    wide.index = pd.MultiIndex.from_tuples([(lab, measures[m]) for lab, m in wide.index], names=["Service block", ""])
    wide = wide.dropna(how="all")
    name = str(spending["authority"].iloc[0]) if not spending.empty else ""
    return money_table(
        wide,
        thousand_cols=years,
        pct_cols=[col],
        index=True,
        caption=(
            f"{name}: net current expenditure by service block, GBP thousand (cash = prices of each year; real = "
            f"2014-15 prices, GDP deflator). Source: DCLG Revenue Outturn Summary (RS), Open Government Licence v3.0"
        ),
    )


def in_scope_change_table() -> Styler:
    """Every project's in-scope service block(s): the council's real-terms change in net current expenditure
    over :data:`CHANGE_YEARS` against the median council of its class (official RS figures)."""
    from .context import project_spending, spending_change
    from .registry import projects

    rows = []
    for p in projects():
        spending = project_spending(p.id)
        labels = dict(zip(spending["service"], spending["label"]))
        for r in spending_change(spending, *CHANGE_YEARS).itertuples(index=False):
            rows.append(
                {
                    "Project": p.title,
                    "Council": r.authority,
                    "Service block": labels.get(r.service, r.service),
                    "Council change": r.council_change,
                    "Class median change": r.class_median_change,
                }
            )
    frame = pd.DataFrame(rows)
    return money_table(
        frame,
        pct_cols=["Council change", "Class median change"],
        caption=(
            f"Real-terms change in net current expenditure, {CHANGE_YEARS[0]} to {CHANGE_YEARS[1]} (2014-15 prices), "
            "of each project's service block(s): the council against the median council of its class. Source: DCLG "
            "Revenue Outturn Summary (RS), Open Government Licence v3.0"
        ),
    )


# --- public value --------------------------------------------------------------------------


def public_value_note(result: AppraisalResult) -> Markdown:
    """What the outcome benefits are and how they are counted, then the project's own sentences: why
    nothing is monetised, or per option what the perspective leaves out (whose) and shows beside."""
    from .presentation import text

    lines = [text.PUBLIC_VALUE_NOTE, "", text.PUBLIC_VALUE_UNCERTAINTY_NOTE, "", text.RANKING_NOTE, ""]
    lines += [f"- {s}" for s in tables.public_value_sentences(result)]
    return Markdown("\n".join(lines))


def public_value_table(result: AppraisalResult) -> Styler | Markdown:
    """Each option's counted outcome benefits beside its cost saving, the net present value with them and
    the returns."""
    t = tables.public_value_table(result)
    return styled(t) if t is not None else Markdown("No public-value results.")


def who_gains_table(result: AppraisalResult, option_id: str | None = None) -> Styler | Markdown:
    """Who gains from an option: present values by agency and kind (cashable apart from non-cashable)."""
    from .presentation import text

    t = tables.who_gains_table(result, option_id)
    if t is None:
        return Markdown(text.no_outcomes_sentence((result.public_value or {}).get("reason")))
    return styled(t)


def benefits_by_year_table(result: AppraisalResult, option_id: str | None = None) -> Styler | Markdown:
    """An option's benefits by year, by agency and kind, with the counted total and its present value."""
    from .presentation import text

    t = tables.benefits_by_year_table(result, option_id)
    if t is None:
        return Markdown(text.no_outcomes_sentence((result.public_value or {}).get("reason")))
    return styled(t)
