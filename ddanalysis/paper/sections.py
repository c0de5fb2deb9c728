"""The paper's content in the HM Treasury Five Case order, built from a result and its inputs.

Every figure is a presentation-layer :class:`~ddanalysis.presentation.tables.Table` (formatted by
unit when laid out) or a sentence from :mod:`ddanalysis.presentation.text`; every chart is a
:mod:`ddanalysis.charts` figure with the table of its data beside it. Measures the appraisal does
not produce yet (probability best, value of information, benefits by agency, a cash profile per
council) are hooks: shown when the result has them, otherwise a one-line 'when available' note.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from .. import charts
from ..presentation import tables, text
from ..presentation.tables import STATUS_QUO, Table
from .document import Block, Bullets, ChartBlock, Document, Heading, Paragraph, Section, TableBlock
from .inputs import PaperInputs

if TYPE_CHECKING:
    from ..result import AppraisalResult


def _alt(kind: str, what: str, table: Table, label_col: str, value_col: str, limit: int = 8) -> str:
    """Alternative text: what the chart shows, then its main values (from its data table)."""
    shown = table.formatted()
    pairs = [f"{a}: {b}" for a, b in zip(shown[label_col], shown[value_col])][:limit]
    more = "" if len(shown) <= limit else f"; and {len(shown) - limit} more"
    return f"{kind} of {what}. " + "; ".join(pairs) + more + ". The table below gives the figures."


def _hook(title: str, what: str) -> list[Block]:
    return [Paragraph(f"{title} (when available): {what}. {text.WHEN_AVAILABLE}", "hook")]


def _focus(result: "AppraisalResult", focus: str) -> Paragraph:
    return Paragraph(text.focus_sentence(result.option_name(focus), result.recommended == STATUS_QUO))


def _passed_over(result: "AppraisalResult") -> list[Block]:
    """The options the rule passes over on the non-monetised criteria although they save more (none: nothing)."""
    return [Paragraph(said, "text") for said in tables.recommendation_notes(result)]


def _past_plan_summary(result: "AppraisalResult") -> list[Block]:
    """The summary's note that the recommended option's plan dates are the base year's (when its plan starts
    before today), as the management case says in full; none otherwise."""
    plan = result.plans.get(tables.focus_option(result)) if result.plans else None
    if plan is None or plan.start >= dt.date.today():
        return []
    return [Paragraph(text.past_plan_summary_sentence(plan.start, result.base_year), "note")]


def _summary(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    blocks: list[Block] = []
    if result.illustrative:
        blocks.append(Paragraph(text.ILLUSTRATIVE_TEXT, "warning"))
    blocks += [
        Paragraph(result.recommendation, "decision"),
        *_past_plan_summary(result),
        Heading("Decisions sought", "summary-decisions"),
        Bullets(tuple(tables.decisions_sought(result)), tables.decisions_lead(result)),
        Paragraph(f"Rule: {text.RECOMMENDATION_RULE}", "text"),
        *_passed_over(result),
        *(
            [
                Paragraph(
                    text.other_perspectives_sentence(result.option_name(result.recommended), inputs.other_perspectives),
                    "text",
                )
            ]
            if inputs.other_perspectives
            else []
        ),
        *(
            [
                Paragraph(
                    text.funding_basis_sentence(result.option_name(result.recommended), inputs.funding_basis), "text"
                )
            ]
            if inputs.funding_basis is not None
            else []
        ),
        Paragraph(
            f"Appraisal basis: {result.scenario} scenario ({result.scenario_description.rstrip('.')}); perspective: "
            f"{text.perspective_words(result.perspective)}; GBP, {text.price_basis(result.base_year)}; "
            f"{result.horizon_years} years from {result.first_year}.",
            "text",
        ),
        Paragraph(
            " ".join(x for x in (text.PAPER_METHOD, str(getattr(result, "price_base_statement", ""))) if x), "note"
        ),
        TableBlock(tables.paper_options_table(result), "summary-options"),
    ]
    return Section(
        "summary", "Summary and recommendation", "What the appraisal recommends, and by which rule.", tuple(blocks)
    )


def _spending_figure(result: "AppraisalResult", spending: pd.DataFrame):
    rows = []
    for r in spending.itertuples(index=False):
        who = (
            f"{r.authority}: {r.label}"
            if spending["authority"].nunique() > 1 or spending["label"].nunique() > 1
            else ""
        )
        prefix = f"{who}, " if who else ""
        rows += [
            {"year": r.year, "label": f"{prefix}council, real", "value_gbp": r.real_gbp_k * 1000.0},
            {"year": r.year, "label": f"{prefix}council, cash", "value_gbp": r.cash_gbp_k * 1000.0},
            {"year": r.year, "label": f"{prefix}class median, real", "value_gbp": r.class_median_real_gbp_k * 1000.0},
        ]
    frame = pd.DataFrame(rows).dropna(subset=["value_gbp"])
    highlight = [lab for lab in frame["label"].unique() if lab.endswith("council, real")]
    names = list(dict.fromkeys(spending["authority"]))
    council = names[0] if len(names) == 1 else ""  # several councils: their names are in the legend
    return charts.spending_trend(
        frame, council=council, price_basis="real 2014-15 prices and cash", highlight=highlight
    )


def _service_in_scope(result: "AppraisalResult", inputs: PaperInputs) -> list[Block]:
    """The strategic case's service: what is in scope, aims, partners, people and the baseline table."""
    base = result.baseline
    blocks: list[Block] = [Heading("The service", "strategic-service")]
    if inputs.services:
        blocks.append(Bullets(tuple(inputs.services), "Services in scope"))
    if inputs.aims:
        blocks.append(Bullets(tuple(inputs.aims), "Aims"))
    if inputs.partners:
        blocks.append(Bullets(tuple(inputs.partners), "Partners"))
    blocks += [
        Paragraph(text.people_sentence(base.fte, base.headcount, base.illustrative)),
        TableBlock(tables.baseline_table(result), "baseline"),
    ]
    return blocks


def _drivers_for_change(inputs: PaperInputs) -> list[Block]:
    """The strategic case's drivers for change, or "Not recorded"."""
    blocks: list[Block] = []
    blocks.append(Heading("Drivers for change", "strategic-drivers"))
    blocks.append(Bullets(tuple(d[:1].upper() + d[1:] for d in inputs.drivers) or ("Not recorded",)))
    return blocks


def _spending_trend(result: "AppraisalResult", inputs: PaperInputs) -> list[Block]:
    """The strategic case's official spending trend: change against the class median, chart and source."""
    blocks: list[Block] = []
    blocks.append(Heading("The council's own spending trend", "strategic-spending"))
    sp = inputs.spending
    if sp is None or sp.empty:
        blocks.append(
            Paragraph(
                "Official outturn figures for the council are not available here: a workspace made by "
                "`ddanalysis new` with the official RS files at hand keeps them in official_outturn.csv.",
                "note",
            )
        )
    else:
        from ..context import spending_change
        from ..display import CHANGE_YEARS

        change = spending_change(sp, *CHANGE_YEARS)
        labels = dict(zip(sp["service"], sp["label"]))
        for r in change.itertuples(index=False):
            cls = sp.loc[sp["authority"] == r.authority, "authority_class"].iloc[0]
            n = sp.loc[sp["authority"] == r.authority, "class_authorities"].dropna()
            blocks.append(
                Paragraph(
                    text.spending_sentence(
                        str(r.authority),
                        str(labels.get(r.service, r.service)),
                        *CHANGE_YEARS,
                        r.council_change,
                        r.class_median_change,
                        int(n.max()) if not n.empty else None,
                        inputs.class_names.get(cls, cls),
                    )
                )
            )
        table = tables.official_spending_table(sp)
        latest = table.select(["Council", "Service block", "Year", "Council, real (GBP thousand)"])
        blocks.append(
            ChartBlock(
                _spending_figure(result, sp),
                _alt(
                    "Line chart",
                    "net current expenditure by year, the council's real and cash "
                    "figures against the class median (real, GBP thousand)",
                    latest,
                    "Year",
                    "Council, real (GBP thousand)",
                ),
                table,
                "chart-spending",
            )
        )
        blocks.append(Paragraph(f"Source: {text.OFFICIAL_SPENDING_SOURCE} {text.OGL_ATTRIBUTION}", "note"))
    return blocks


def _strategic(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    """The strategic case: the service in scope, the drivers for change and the council's spending trend."""
    title, purpose = text.FIVE_CASES["strategic"]
    blocks = [*_service_in_scope(result, inputs), *_drivers_for_change(inputs), *_spending_trend(result, inputs)]
    return Section("strategic", f"1. {title}", purpose, tuple(blocks))


def _short_list(result: "AppraisalResult", inputs: PaperInputs) -> list[Block]:
    """The economic case's short list: each option with its description."""
    blocks: list[Block] = [Heading("The options", "economic-options")]
    blocks.append(
        Bullets(
            tuple(
                f"{result.option_name(o)}: {inputs.descriptions.get(o, '')}".rstrip(": ") for o in result.options["id"]
            ),
            "Short list (ILLUSTRATIVE)" if result.illustrative else "Short list",
        )
    )
    return blocks


def _net_present_saving(result: "AppraisalResult") -> list[Block]:
    """The economic case's net present saving by option (chart and table) and by horizon."""
    blocks: list[Block] = []
    blocks.append(Heading("Net present saving", "economic-nps"))
    opts = tables.paper_options_table(result)
    blocks.append(
        ChartBlock(
            charts.npv_by_option(result),
            _alt(
                "Bar chart",
                "each option's net present saving against the status quo",
                opts,
                "Option",
                "Net present saving",
            ),
            opts.select(
                [
                    c
                    for c in opts.frame.columns
                    if c
                    in (
                        "Option",
                        "Net present cost",
                        "Net present saving",
                        tables.PAYBACK_UNDISCOUNTED,
                        "Benefit-cost ratio",
                        "Benefit-cost ratio (Green Book, with residual value)",
                    )
                ]
            ),
            "chart-nps",
        )
    )
    horizons = tables.by_horizon_table(result)
    if horizons is not None:
        blocks.append(TableBlock(horizons, "horizons"))
    return blocks


def _optimism_bias(result: "AppraisalResult", inputs: PaperInputs) -> list[Block]:
    """The economic case's optimism-bias sentence, method note, upper bounds and uplift by option."""
    blocks: list[Block] = []
    blocks.append(Heading("Optimism bias", "economic-optimism-bias"))
    blocks.append(
        Paragraph(
            text.optimism_bias_sentence(
                result.optimism_bias_mitigation,
                inputs.ob_operating_upper,
                str(getattr(result, "optimism_bias_mitigation_source", "")),
            )
        )
    )
    if inputs.ob_method_note:
        blocks.append(Paragraph(inputs.ob_method_note, "note"))
    if inputs.ob_upper:
        blocks.append(TableBlock(tables.optimism_bias_table(result, inputs.ob_upper, inputs.ob_applies_to), "ob"))
    by_option = tables.optimism_bias_by_option_table(result)
    blocks += (
        [TableBlock(by_option, "ob-options")]
        if by_option is not None
        else _hook("Optimism bias by option in pounds", "the uplift each option carries, in pounds")
    )
    return blocks


def _uncertainty(result: "AppraisalResult", focus: str) -> list[Block]:
    """The economic case's uncertainty: the focus option's range, the Monte Carlo spread and the tornado."""
    blocks: list[Block] = []
    blocks.append(Heading("Uncertainty", "economic-uncertainty"))
    draws = len(result.mc_draws)
    row = result.options.set_index("id").loc[focus] if focus != STATUS_QUO else None
    if row is not None:
        blocks.append(
            Paragraph(
                text.uncertainty_sentence(
                    result.option_name(focus),
                    row.get("saving_p10_gbp"),
                    row.get("saving_p50_gbp"),
                    row.get("saving_p90_gbp"),
                    row.get("p_saving_positive"),
                    draws,
                )
            )
        )
    if draws > 0:
        mc = tables.monte_carlo_table(result)
        blocks.append(
            ChartBlock(
                charts.mc_distribution(result),
                _alt(
                    "Distribution chart",
                    "each option's simulated net present saving (P50 shown)",
                    mc,
                    "Option",
                    "P50 saving",
                ),
                mc,
                "chart-mc",
            )
        )
    if not result.sensitivity.empty and focus != STATUS_QUO:
        sens = tables.sensitivity_table(result, focus, top=8)
        blocks.append(
            ChartBlock(
                charts.tornado(result, focus, top=8),
                _alt(
                    "Tornado chart",
                    f"what moves the net present saving of "
                    f"{result.option_name(focus)} (swing between low and high values)",
                    sens,
                    "Assumption",
                    "Swing",
                ),
                sens.select(["Rank", "Assumption", "NPS at low", "NPS at high", "Swing"]),
                "chart-tornado",
            )
        )
    return blocks + _switching(result, focus)


#: How many switching values the economic case lists (in the tornado's order, largest swing first).
SWITCHING_ROWS = 10


def _switching(result: "AppraisalResult", focus: str) -> list[Block]:
    """The focus option's switching values (the workbook's Risk sheet has the same), the first
    :data:`SWITCHING_ROWS` in the tornado's order; nothing when they were not worked out."""
    if focus == STATUS_QUO:
        return []
    table = tables.switching_table(result, focus)
    if table.frame.empty:
        return []
    shown = dataclasses.replace(
        table,
        frame=table.frame.head(SWITCHING_ROWS),
        caption=f"{table.caption} The first {min(SWITCHING_ROWS, len(table.frame))} of {len(table.frame)}, "
        "in the tornado's order.",
    )
    return [Heading("Switching values", "economic-switching"), TableBlock(shown, "switching")]


def _value_of_information(result: "AppraisalResult") -> list[Block]:
    """The economic case's probability each option is best and the value of information."""
    blocks: list[Block] = []
    blocks.append(Heading("Probability best and value of information", "economic-decision"))
    dec = tables.paper_decision_table(result)
    blocks += (
        [TableBlock(dec, "decision")]
        if dec is not None
        else _hook(
            "Probability each option is best and the expected value of perfect information",
            "the share of Monte Carlo draws in which each option saves the most, and what removing all "
            "uncertainty before deciding would be worth",
        )
    )
    voi = tables.paper_value_of_information_table(result)
    if voi is not None and not voi.frame.empty and float(voi.frame.iloc[:, -1].max()) < 0.5:  # all round to £0
        return [*blocks, Paragraph(text.no_partial_value_sentence(result.decision.evpi_gbp), "text")]
    blocks += (
        [TableBlock(voi, "voi")]
        if voi is not None
        else _hook(
            "Value of information per assumption",
            "what firming up each assumption before deciding would be worth (partial EVPI)",
        )
    )
    return blocks


def _benefits_and_criteria(result: "AppraisalResult") -> list[Block]:
    """The economic case's benefits by agency and, where scored, the non-monetised criteria."""
    blocks: list[Block] = []
    blocks.append(Heading("Benefits by agency", "economic-benefits"))
    ben = tables.benefits_by_agency_table(result)
    blocks += (
        [TableBlock(ben, "benefits")]
        if ben is not None
        else _hook("Benefits by agency", "outcomes priced from unit costs, split by the agency that bears them")
    )
    words = tables.public_value_sentences(result)  # what is left out (whose), or why nothing is monetised
    if words:
        blocks.append(Paragraph(text.RANKING_NOTE, "note"))
        blocks.append(Bullets(tuple(words)))
    if not result.mca_totals.empty:
        blocks.append(Heading("Non-monetised criteria", "economic-mca"))
        if not result.mca_scores.empty:  # what drives each weighted score: the criteria, weights and scores
            blocks.append(TableBlock(tables.mca_scores_table(result, result.criterion_names()), "mca-scores"))
        blocks.append(TableBlock(tables.mca_totals_table(result), "mca"))
    return blocks


def _economic(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    """The economic case: short list, net present saving, optimism bias, uncertainty, value of information, benefits."""
    title, purpose = text.FIVE_CASES["economic"]
    focus = tables.focus_option(result)
    blocks = [
        *_short_list(result, inputs),
        *_net_present_saving(result),
        *_optimism_bias(result, inputs),
        *_uncertainty(result, focus),
        *_value_of_information(result),
        *_benefits_and_criteria(result),
    ]
    return Section("economic", f"2. {title}", purpose, tuple(blocks))


def _commercial(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    title, purpose = text.FIVE_CASES["commercial"]
    blocks: list[Block] = [Heading("Delivery vehicle and procurement route", "commercial-route")]
    blocks.append(
        TableBlock(tables.commercial_table(result, inputs.routes, inputs.transfers, inputs.pensions), "commercial")
    )
    blocks.append(Heading("Legal limits: Teckal and Regulation 77", "commercial-limits"))
    facts = inputs.facts
    if not facts.empty:
        val = dict(zip(facts["fact"], facts["value"]))
        if "teckal_activity_min_percent" in val:
            blocks.append(Paragraph(text.teckal_sentence(float(val["teckal_activity_min_percent"]))))
        if "reg77_reserved_contract_max_years" in val:
            blocks.append(
                Paragraph(
                    text.reserved_contract_sentence(
                        float(val["reg77_reserved_contract_max_years"]),
                        float(val.get("procurement_act_2023_reserved_contract_max_years", 5)),
                    )
                )
            )
        blocks.append(TableBlock(tables.legal_limits_table(facts), "limits"))
    blocks.append(Heading("TUPE and pensions", "commercial-tupe"))
    blocks += [Paragraph(text.TUPE_TEXT), Paragraph(text.PENSIONS_TEXT)]
    return Section("commercial", f"3. {title}", purpose, tuple(blocks))


def _financial(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    title, purpose = text.FIVE_CASES["financial"]
    focus = tables.focus_option(result)
    blocks: list[Block] = [_focus(result, focus), Heading("Costs and savings by year", "financial-profile")]
    if said := tables.budget_reconciliation_note(result):
        blocks.append(Paragraph(said, "text"))
    if focus != STATUS_QUO:
        blocks.append(TableBlock(tables.cash_profile_table(result, focus), "profile"))
    sav = tables.savings_table(result)
    last = sav.frame.columns[-1]
    blocks.append(
        ChartBlock(
            charts.savings_by_year(result),
            _alt(
                "Line chart",
                f"each option's annual saving against the status quo, by year (values for {last})",
                sav,
                "Option",
                last,
            ),
            sav,
            "chart-savings",
        )
    )
    blocks += _cash_by_council(result, focus)
    blocks.append(Heading("Affordability", "financial-affordability"))
    if focus != STATUS_QUO:
        row = result.options.set_index("id").loc[focus]
        blocks.append(
            Paragraph(
                text.affordability_sentence(
                    result.option_name(focus),
                    row["steady_state_saving_gbp"],
                    result.mc_target_gbp,
                    row.get("p_meets_target"),
                    len(result.mc_draws) > 0,
                )
                + (f" {shortfall}" if (shortfall := tables.transition_shortfall_note(result, focus)) else "")
            )
        )
    blocks.append(TableBlock(tables.affordability_table(result), "affordability"))
    return Section("financial", f"4. {title}", purpose, tuple(blocks))


def _cash_by_council(result: "AppraisalResult", focus: str) -> list[Block]:
    """Each council's part of every option, and the focus option's cash (nominal) profile per council
    against the savings target; a 'when available' note for a result without them."""
    parts, cash = tables.by_council_table(result), tables.nominal_cash_table(result, focus)
    if parts is None or cash is None:
        return _hook(
            "Cash (nominal) profile per council",
            "the financial case in cash beside the real-terms economic "
            "case, apportioned to each partner council; the figures above are real base-year prices",
        )
    return [
        Heading("Each council's part", "financial-councils"),
        TableBlock(parts, "councils"),
        Heading("Cash (nominal) profile per council", "financial-cash"),
        TableBlock(cash, "cash"),
    ]


def _management(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    title, purpose = text.FIVE_CASES["management"]
    focus = tables.focus_option(result)
    blocks: list[Block] = [_focus(result, focus), Heading("Implementation plan", "management-plan")]
    if focus in result.plans:
        start = result.plans[focus].start
        if start < dt.date.today():
            blocks.append(Paragraph(text.past_plan_sentence(start, result.base_year), "warning"))
        plan = tables.plan_table(result, focus)
        blocks.append(
            ChartBlock(
                charts.gantt(result, focus),
                _alt(
                    "Gantt chart",
                    f"the implementation plan of {result.option_name(focus)}, phases from start to finish",
                    plan,
                    "Phase",
                    "Finish",
                    limit=14,
                ),
                plan.select(["Phase", "Duration (weeks)", "Start", "Finish", "Critical path"]),
                "chart-gantt",
            )
        )
        blocks.append(Heading("Milestones", "management-milestones"))
        blocks.append(TableBlock(tables.milestones_table(result, focus), "milestones"))
        blocks.append(Heading("Risk register", "management-risks"))
        blocks.append(TableBlock(tables.risks_table(result, focus), "risks"))
    else:
        blocks.append(Paragraph("The recommended option keeps the service as it is: no implementation plan.", "note"))
    blocks.append(Heading("People affected", "management-people"))
    base = result.baseline
    blocks += [
        Paragraph(text.people_sentence(base.fte, base.headcount, base.illustrative)),
        Paragraph(text.TUPE_TEXT),
        TableBlock(tables.people_table(result, inputs.transfers), "people"),
    ]
    blocks.append(Heading("Equality impact assessment", "management-equality"))
    blocks.append(Paragraph(text.EQUALITY_PROMPT, "decision"))
    return Section("management", f"5. {title}", purpose, tuple(blocks))


def _sources(result: "AppraisalResult", inputs: PaperInputs) -> Section:
    items = [
        f"Baseline: {result.provenance.get('baseline', result.baseline.source)}",
        f"Assumptions: {result.provenance.get('assumptions', '')}",
        f"Method: {result.provenance.get('method', '')}",
        f"Official spending: {text.OFFICIAL_SPENDING_SOURCE}",
    ]
    if "gdp_deflator_origin" in result.provenance:  # whose deflator carries prices to the base year
        items.append(f"GDP deflator: {result.provenance['gdp_deflator_origin']}")
    blocks: list[Block] = [
        Bullets(tuple(items), "Where the figures come from"),
        Bullets(
            tuple(
                (f"{title} ({link})" if link else title) + (f". {supports}" if supports else "")
                for title, link, supports in inputs.sources
            ),
            "Sources of the assumptions, with where in each the figure is",
        ),
        Paragraph(text.OGL_ATTRIBUTION),
        Paragraph(f"Quality ratings of the assumptions: {text.quality_legend()}.", "note"),
        Paragraph(
            f"Produced by ddanalysis {result.provenance.get('package_version', '')} on {dt.date.today():%d %B %Y}.",
            "note",
        ),
    ]
    blocks += [Paragraph(n, "note") for n in inputs.notes]
    return Section("sources", "Sources and licence", "Where every figure comes from.", tuple(blocks))


def build_document(result: "AppraisalResult", inputs: PaperInputs | None = None) -> Document:
    """The board paper of ``result`` as a :class:`~ddanalysis.paper.document.Document` (Five Case order:
    summary, strategic, economic, commercial, financial, management, sources)."""
    from .inputs import gather

    inputs = inputs if inputs is not None else gather(result)
    what_if = " with WHAT-IF values" if result.what_if else ""
    subtitle = (
        f"{result.councils}: options appraisal and implementation plan",
        f"{result.scenario.capitalize()} scenario{what_if} · "
        f"{text.PERSPECTIVE_TITLES.get(result.perspective, result.perspective)} · "
        f"GBP, {text.price_basis(result.base_year)}",
        f"Board paper, {dt.date.today():%d %B %Y}",
    )
    sections = (
        _summary(result, inputs),
        _strategic(result, inputs),
        _economic(result, inputs),
        _commercial(result, inputs),
        _financial(result, inputs),
        _management(result, inputs),
        _sources(result, inputs),
    )
    return Document(
        title=f"{result.project_title}: the business case in five cases",
        subtitle=subtitle,
        illustrative=bool(result.illustrative),
        illustrative_text=text.ILLUSTRATIVE_SHORT,
        sections=sections,
    )
