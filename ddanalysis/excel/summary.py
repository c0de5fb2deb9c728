"""The front of a project's workbook: cover, summary (recommendation and key figures), options compared.

Figures that the workbook can compute (net present cost and saving, one-off costs, return on
transition cost, optimism bias, residual value, steady-state saving and its share of the budget,
payback year, the Green Book benefit-cost ratio, the saving over the years the Cash flows sheet covers,
MCA scores and ranks) are formulas linking to the Cash flows, Model and MCA sheets; figures only the
model can produce (savings over more years than the sheet covers, Monte Carlo probabilities and
percentiles, go-live dates) are values, and the sheet says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import pandas as pd
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..appraisal import MONEY_TOLERANCE_GBP
from ..baseline import BASELINE_LINES
from ..frames import records
from ..presentation import text as decision_text
from ..presentation.tables import decisions_lead, decisions_sought, recommendation_notes
from ..result import AppraisalResult
from . import charts
from .cells import put_date, put_formula, put_number, put_text, quote_sheet, range_ref, ref, set_style, sheet_ref
from .councils import write_by_council
from .layout import ILLUSTRATIVE_TEXT, Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header
from .mca_sheet import MCARefs
from .money import CashflowRefs, payback_formula

RULE = f"Decision rule (stated in every output): {decision_text.RECOMMENDATION_RULE}"


@dataclass(frozen=True)
class OptionsRefs:
    """Cells of the Options sheet other sheets link to (absolute, sheet-qualified), by metric then option."""

    sheet: str
    cells: dict[str, dict[str, str]]


@dataclass(frozen=True)
class ProjectSheets:
    """What the programme sheet links to in one project's sheets: sheet names by kind, and the Options cells."""

    names: dict[str, str]
    options: OptionsRefs
    #: option id -> {"counted": ref, "cashable": ref} on the Benefits sheet (empty: no monetised outcome)
    benefits: dict[str, dict[str, str]] = field(default_factory=dict)


#: The Summary's section of what the board is asked to decide (as the board paper's summary opens).
DECISIONS_SOUGHT = "Decisions sought (a snapshot of the run, as the recommendation above)"


def internal_link(cell, sheet: str, target: str = "A1") -> None:
    """Make ``cell`` a hyperlink to a place in this workbook."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"{quote_sheet(sheet)}!{target}", display=str(cell.value))


def _note_for_missing(result: AppraisalResult) -> str:
    return "n/a" if len(result.mc_draws) else "not run"


#: The Monte Carlo rows with nothing to say of the status quo (its saving against itself is nil in every draw).
_NOT_FOR_STATUS_QUO = frozenset({"p_saving_positive", "p_meets_target"})


def _model_value(ws: Worksheet, row_of: Any, col: str, style: str, missing: str) -> Callable[[int, int, str], None]:
    """A cell writer for one model value per option (``row_of``: the options table indexed by option id); the
    status quo's chance of saving, or of meeting the target, is 'n/a', as on the Summary, not 0%."""

    def write(row: int, c: int, opt: str) -> None:
        if opt == registry.STATUS_QUO and col in _NOT_FOR_STATUS_QUO:
            put_text(ws, row, c, "n/a", "dd_center")
            return
        put_number(ws, row, c, row_of.loc[opt, col], style, missing=missing)

    return write


@dataclass
class _Metrics:
    """Writes the Options sheet's metric rows (one row per metric, one column per option) from row ``r``,
    recording each cell (absolute, sheet-qualified) by metric then option."""

    ws: Worksheet
    opts: list[str]
    first_col: int
    note_col: int
    note_width: float
    r: int
    cells: dict[str, dict[str, str]]

    def __call__(self, key: str, label: str, note: str, write: Callable[[int, int, str], None]) -> int:
        """One metric row: ``write(row, col, option)`` fills each option's cell; returns the row."""
        ws, row = self.ws, self.r
        put_text(ws, row, 1, label, "dd_label_bold" if key in ("nps", "mca_score") else "dd_label")
        self.cells[key] = {}
        for j, opt in enumerate(self.opts):
            c = self.first_col + j
            write(row, c, opt)
            self.cells[key][opt] = sheet_ref(ws.title, c, row, absolute=True)
        put_text(ws, row, self.note_col, note, "dd_note_wrap")
        fit_row(ws, row, [(note, self.note_width)], small=True)
        self.r += 1
        return row


def write_options(
    ws: Worksheet, ctx: Context, result: AppraisalResult, cf: CashflowRefs, mca: MCARefs, model_cells: Mapping[str, str]
) -> OptionsRefs:
    """Every option's headline metrics side by side (metrics down, options across), and savings by year.
    ``model_cells``: the Model sheet's single cells by key (``base_<line>``, ``residual_annuity``)."""
    onames = option_names(result).__getitem__
    opts = list(result.options.id)
    first_col = 2
    last_col = first_col + len(opts) - 1
    note_col = last_col + 1
    widths = {1: 50, **{c: 17 for c in range(first_col, last_col + 1)}, note_col: 62}
    header = sheet_header(ws, ctx, "Options compared", widths)
    put_text(ws, header, 1, f"GBP, {result.price_basis}", "dd_header_left")
    for j, opt in enumerate(opts):
        put_text(ws, header, first_col + j, onames(opt), "dd_recommended" if opt == result.recommended else "dd_header")
    put_text(ws, header, note_col, "How it is calculated", "dd_header_left")
    fit_row(ws, header, [(onames(o), widths[first_col] - 1) for o in opts], bold=True)
    r = header + 1
    put_text(ws, r, 1, f"Baseline net budget of the service in scope, {result.base_year}", "dd_label")
    put_formula(ws, r, first_col, "=" + "+".join(model_cells[f"base_{line}"] for line in BASELINE_LINES), "dd_gbp")
    put_text(
        ws,
        r,
        note_col,
        "Model sheet: the baseline's lines (gross expenditure less income), see Summary",
        "dd_note_wrap",
    )
    metric = _Metrics(ws, opts, first_col, note_col, widths[note_col], r + 1, {})
    _money_metrics(metric, result, cf, ref(first_col, r, True), model_cells["residual_annuity"])
    _uncertainty_metrics(metric, result, mca)
    r = metric.r + 1
    put_text(ws, r, 1, RULE, "dd_note_wrap")
    merge(ws, r, 1, r, note_col)
    fit_row(ws, r, [(RULE, sum(widths.values()))], small=True)
    r += 2
    put_text(ws, r, 1, "Saving against the status quo by year", "dd_section")
    for c in range(2, note_col + 1):
        set_style(ws, r, c, "dd_section")
    chart_row = r + 1
    charts.savings_by_year(
        ws,
        f"A{chart_row}",
        ws.parent[cf.sheet],
        [(rows.name, rows.saving) for rows in cf.options.values() if rows.saving],
        cf.first_col,
        cf.last_col,
        cf.fy_row,
        "Saving against the status quo by year (GBP)",
    )
    set_widths(ws, widths)
    print_setup(ws, title_rows=(header, header), freeze=ref(first_col, header + 1))
    ws.print_area = f"A1:{ref(note_col, chart_row + 18)}"
    return OptionsRefs(sheet=ws.title, cells=metric.cells)


def _money_metrics(
    metric: _Metrics, result: AppraisalResult, cf: CashflowRefs, base_cell: str, residual_annuity: str
) -> None:
    """Go-live, then the money rows: net present cost and saving, rank, one-off costs, return on transition cost
    (formulas on the Cash flows sheet), the model's Green Book measures, steady-state saving and payback."""
    row_of = result.options.set_index("id")
    nps_row = _net_present_saving_metrics(metric, row_of, cf)
    _transition_cost_metrics(metric, cf, nps_row)
    _residual_value_metric(metric, cf, residual_annuity)
    _green_book_bcr(metric, cf, metric.cells["residual"])
    _horizon_metrics(metric.ws, metric, row_of, cf)
    _steady_state_metrics(metric, cf, base_cell)


def _net_present_saving_metrics(metric: _Metrics, row_of: pd.DataFrame, cf: CashflowRefs) -> int:
    """Go-live, net present cost, net present saving against the status quo and its rank; returns the saving's row."""
    ws, sq = metric.ws, registry.STATUS_QUO
    metric(
        "go_live",
        "Go-live (savings start)",
        "Model value: the implementation plan's go-live date",
        lambda row, c, opt: put_date(ws, row, c, row_of.loc[opt, "go_live"] if opt != sq else None, missing="n/a"),
    )
    metric(
        "npc",
        "Net present cost",
        "Present value of total cost: Cash flows, 'Total cost' row, Present value column",
        lambda row, c, opt: put_formula(ws, row, c, f"={cf.npc(opt)}", "dd_gbp"),
    )
    nps_row = metric(
        "nps",
        "Net present saving against the status quo",
        "Sum of the present values of the yearly savings (Cash flows); the status quo saves 0",
        lambda row, c, opt: (
            put_number(ws, row, c, 0.0, "dd_gbp_bold")
            if opt == sq
            else put_formula(ws, row, c, f"={cf.nps(opt)}", "dd_gbp_bold")
        ),
    )
    nps_span = f"{ref(metric.first_col, nps_row, True)}:{ref(metric.first_col + len(metric.opts) - 1, nps_row, True)}"
    metric(
        "rank",
        "Rank by net present saving",
        "RANK of the net present saving (1 = largest)",
        lambda row, c, opt: put_formula(ws, row, c, f"=RANK({ref(c, nps_row)},{nps_span},0)", "dd_rank"),
    )
    return nps_row


def _transition_cost_metrics(metric: _Metrics, cf: CashflowRefs, nps_row: int) -> None:
    """One-off transition costs (undiscounted and present value), return on transition cost and optimism bias,
    as formulas on the Cash flows sheet."""
    ws = metric.ws
    metric(
        "one_off",
        "One-off transition costs (undiscounted, with optimism bias)",
        "Cash flows, 'One-off transition costs' row (its optimism bias included), Total column",
        lambda row, c, opt: put_formula(ws, row, c, f"={cf.cell(opt, 'one_off', cf.total_col)}", "dd_gbp"),
    )
    pv1_row = metric(
        "pv_one_off",
        "Present value of one-off costs (with optimism bias)",
        "Cash flows, 'One-off transition costs' row, Present value column",
        lambda row, c, opt: put_formula(ws, row, c, f"={cf.cell(opt, 'one_off', cf.pv_col)}", "dd_gbp"),
    )
    metric(
        "bcr",
        "Return on transition cost",
        "(Net present saving + PV of one-off costs) / PV of one-off costs: "
        "PV of recurring savings per pound of one-off cost (not the Green Book benefit-cost ratio)",
        lambda row, c, opt: put_formula(
            ws,
            row,
            c,
            f'=IF({ref(c, pv1_row)}>0,({ref(c, nps_row)}+{ref(c, pv1_row)})/{ref(c, pv1_row)},"n/a")',
            "dd_ratio",
        ),
    )
    ob_rows = ("optimism_bias_operating", "optimism_bias_one_off")
    metric(
        "ob",
        "Optimism bias (present value, its own line)",
        "Cash flows: present values of the two "
        "optimism-bias lines (uplift on one-off costs and on each year's net operating cost change)",
        lambda row, c, opt: put_formula(
            ws,
            row,
            c,
            "="
            + "+".join(sheet_ref(cf.sheet, cf.pv_col, cf.options[opt].components[k], absolute=True) for k in ob_rows),
            "dd_gbp",
        ),
    )


def _residual_value_metric(metric: _Metrics, cf: CashflowRefs, residual_annuity: str) -> None:
    """Residual value beyond the horizon (present value, GBP): the final year's saving on operating costs times
    ``residual_annuity``, the Model sheet's cell of the residual value per GBP."""
    ws, sq = metric.ws, registry.STATUS_QUO
    metric(
        "residual",
        "Residual value beyond the horizon (present value)",
        "Final year's saving on operating costs "
        "(Cash flows) x the residual value per GBP (Model sheet: the discount factors of the remaining life)",
        lambda row, c, opt: (
            put_number(ws, row, c, 0.0, "dd_gbp")
            if opt == sq
            else put_formula(
                ws,
                row,
                c,
                f"=({cf.cell(sq, 'operating', cf.last_col)}-{cf.cell(opt, 'operating', cf.last_col)})"
                f"*{residual_annuity}",
                "dd_gbp",
            )
        ),
    )


def _steady_state_metrics(metric: _Metrics, cf: CashflowRefs, base_cell: str) -> None:
    """Steady-state annual saving (final year), its share of the baseline net budget, and the payback year."""
    ws, sq = metric.ws, registry.STATUS_QUO
    ss_row = metric(
        "steady_state",
        "Steady-state annual saving (final year)",
        "Cash flows, 'Saving against the status quo' in the final year",
        lambda row, c, opt: (
            put_number(ws, row, c, 0.0, "dd_gbp")
            if opt == sq
            else put_formula(ws, row, c, f"={cf.cell(opt, 'saving', cf.last_col)}", "dd_gbp")
        ),
    )
    metric(
        "steady_share",
        "Steady-state saving as a share of the baseline net budget",
        "Steady-state annual saving / baseline net budget",
        lambda row, c, opt: put_formula(
            ws, row, c, f'=IF({base_cell}<>0,{ref(c, ss_row)}/{base_cell},"n/a")', "dd_pct"
        ),
    )
    metric(
        "payback",
        "Payback year (undiscounted: the cumulative saving turns positive and stays so)",
        "Cash flows: the first year whose 'positive from here' flag is 1",
        lambda row, c, opt: (
            put_text(ws, row, c, "n/a", "dd_center")
            if opt == sq
            else put_formula(ws, row, c, payback_formula(cf, opt), "dd_center")
        ),
    )


def _uncertainty_metrics(metric: _Metrics, result: AppraisalResult, mca: MCARefs) -> None:
    """The Monte Carlo rows (values: a snapshot of the run), the MCA score and rank (formulas) and the
    recommendation."""
    ws, row_of = metric.ws, result.options.set_index("id")
    missing = _note_for_missing(result)
    for key, col, label, style in (
        ("p_positive", "p_saving_positive", "Monte Carlo: chance its net present saving is above 0", "dd_pct"),
        ("p_target", "p_meets_target", "Monte Carlo: chance its final-year saving meets the savings target", "dd_pct"),
        ("p10", "saving_p10_gbp", "Monte Carlo: net present saving, P10 (1 in 10 below)", "dd_gbp"),
        ("p50", "saving_p50_gbp", "Monte Carlo: net present saving, P50 (median)", "dd_gbp"),
        ("p90", "saving_p90_gbp", "Monte Carlo: net present saving, P90 (1 in 10 above)", "dd_gbp"),
    ):
        metric(
            key,
            label,
            f"Model value: {len(result.mc_draws):,} seeded draws (see Risk), a snapshot of the run",
            _model_value(ws, row_of, col, style, missing),
        )
    metric(
        "mca_score",
        "Multi-criteria weighted score (0-10)",
        "MCA sheet: SUMPRODUCT of weights and scores",
        lambda row, c, opt: put_formula(ws, row, c, f"={mca.score[opt]}", "dd_score"),
    )
    metric(
        "mca_rank",
        "Multi-criteria rank",
        "MCA sheet: RANK of the weighted score",
        lambda row, c, opt: put_formula(ws, row, c, f"={mca.rank[opt]}", "dd_rank"),
    )
    metric(
        "recommended",
        "Recommended",
        "Decision rule below; the model's choice, a snapshot of the run: it does not follow edited inputs (test (b) "
        "needs the draws), so after an edit apply the rule to the rows above",
        lambda row, c, opt: put_text(ws, row, c, "Recommended" if opt == result.recommended else "", "dd_center"),
    )


def bcr_formula(cf: CashflowRefs, opt: str, residual: str) -> str:
    """The Green Book benefit-cost ratio of ``opt`` as a formula over the Cash flows sheet (``residual``: the
    cell of its residual value, GBP present value), or "n/a" when either side is within half a penny of zero.

    As :func:`ddanalysis.appraisal.green_book_bcr` (Green Book: PV benefits / PV costs), year by year on net
    figures: s = status quo's operating costs less the option's (each year); benefits = SUMPRODUCT of the
    positive s with the discount factors, plus a positive residual value; costs = the present value of the
    one-off costs, plus that of the negative s (as costs), plus a negative residual value.
    """
    sq = registry.STATUS_QUO
    span = (cf.first_col, cf.last_col)
    s = (
        f"({range_ref(cf.sheet, span[0], cf.options[sq].operating, span[1], cf.options[sq].operating)}"
        f"-{range_ref(cf.sheet, span[0], cf.options[opt].operating, span[1], cf.options[opt].operating)})"
    )
    factors = range_ref(cf.sheet, span[0], cf.factor_row, span[1], cf.factor_row)
    one_off = range_ref(cf.sheet, span[0], cf.options[opt].one_off, span[1], cf.options[opt].one_off)
    benefits = f"SUMPRODUCT(({s}>0)*{s},{factors})+MAX({residual},0)"
    costs = f"SUMPRODUCT({one_off},{factors})+SUMPRODUCT(({s}<0)*(-{s}),{factors})+MAX(-{residual},0)"
    tol = MONEY_TOLERANCE_GBP
    return f'=IF(MIN({benefits},{costs})<{tol},"n/a",({benefits})/({costs}))'


def _green_book_bcr(metric: _Metrics, cf: CashflowRefs, residual: Mapping[str, str]) -> None:
    """The Green Book benefit-cost ratio row: a formula per option (:func:`bcr_formula`); n/a for the status quo."""
    ws = metric.ws
    metric(
        "gb_bcr",
        "Benefit-cost ratio (Green Book, with residual value)",
        "PV benefits / PV costs, year by year on net figures "
        "(Cash flows: operating costs against the status quo's, one-off costs, discount factors), with the "
        "residual value above",
        lambda row, c, opt: (
            put_text(ws, row, c, "n/a", "dd_ratio")
            if opt == registry.STATUS_QUO
            else put_formula(ws, row, c, bcr_formula(cf, opt, residual[opt]), "dd_ratio")
        ),
    )


def _horizon_metrics(ws: Worksheet, metric: Callable[..., int], row_of: Any, cf: CashflowRefs) -> None:
    """Rows: why a Green Book benefit-cost ratio is missing (model value), and each option's net present
    saving over 10, 15 and 20 years (no residual value): a SUM of the first years' present values of saving
    on the Cash flows sheet where it runs that long, else the model's value (the same cash flows, extended)."""

    def why(row: int, c: int, opt: str) -> None:
        note = row_of.loc[opt, "benefit_cost_ratio_note"] if "benefit_cost_ratio_note" in row_of.columns else None
        put_text(ws, row, c, note if isinstance(note, str) else "", "dd_note_wrap")

    metric(
        "gb_bcr_note",
        "Benefit-cost ratio (Green Book, with residual value): why none",
        "Model value: the reason where the ratio is n/a (a side is zero, or the status quo)",
        why,
    )
    horizons = sorted(
        (int(c[4:-5]), c) for c in row_of.columns if c.startswith("nps_") and c.endswith("y_gbp") and c[4:-5].isdigit()
    )
    sheet_years = cf.last_col - cf.first_col + 1
    for years, col in horizons:
        if years <= sheet_years:
            metric(
                f"nps_{years}y",
                f"Net present saving over {years} years",
                f"Cash flows: sum of the present values of saving of the first {years} years (no residual value)",
                lambda row, c, opt, n=years: (
                    put_number(ws, row, c, 0.0, "dd_gbp")
                    if opt == registry.STATUS_QUO
                    else put_formula(
                        ws,
                        row,
                        c,
                        "=SUM("
                        + range_ref(
                            cf.sheet,
                            cf.first_col,
                            cf.options[opt].pv_saving,
                            cf.first_col + n - 1,
                            cf.options[opt].pv_saving,
                        )
                        + ")",
                        "dd_gbp",
                    )
                ),
            )
            continue
        metric(
            f"nps_{years}y",
            f"Net present saving over {years} years",
            "Model value (does not follow an edit): the same cash flows over "
            f"{years} years, discounted, without residual value",
            lambda row, c, opt, col=col: put_number(ws, row, c, row_of.loc[opt, col], "dd_gbp", missing="n/a"),
        )


#: Said in the project summaries of a workbook of several appraisals (the programme's, a multi-service
#: project's), whose cross-checks are not worked out there (two or three re-appraisals each): where they are.
CHECKS_ELSEWHERE = (
    "Whose costs and gains count (what the rule recommends from the other perspectives, and with a provider's "
    "margin and contract management charged on the whole service): not worked out in a workbook of several "
    "appraisals; one appraisal's own workbook and board paper show them."
)


#: The Summary's recommendation section heading: its sentences are the run's, not formulas.
RECOMMENDATION_SNAPSHOT = (
    "Recommendation: a snapshot of the run; it does not follow edits to the Assumptions sheet (the Options sheet's "
    "figures do)"
)


def write_summary(
    ws: Worksheet,
    ctx: Context,
    result: AppraisalResult,
    opt_refs: OptionsRefs,
    model_cells: Mapping[str, str],
    checks_said: Sequence[str] | None = None,
    decisions_where: Mapping[str, str] | None = None,
) -> None:
    """Recommendation, the rule, the options it passes over and the cross-checks' sentences, key figures per
    option (formulas to Options), NPV chart, the baseline (formulas to the Model sheet's baseline cells,
    ``model_cells['base_<line>']``), provenance. ``checks_said``: the cross-checks' sentences
    (:func:`ddanalysis.cross_checks.check_sentences`), or None to point to where they are (a programme
    workbook's project summaries)."""
    widths = {1: 44, 2: 17, 3: 17, 4: 14, 5: 14, 6: 14, 7: 14}
    r = sheet_header(ws, ctx, "Summary", widths)
    r = _summary_section(ws, r, RECOMMENDATION_SNAPSHOT, len(widths))
    put_text(ws, r, 1, result.recommendation, "dd_recommendation")
    merge(ws, r, 1, r, len(widths))
    fit_row(ws, r, [(result.recommendation, sum(widths.values()) * 0.8)])
    r += 1
    notes = [RULE, *recommendation_notes(result)]
    for said in notes + list(checks_said if checks_said is not None else [CHECKS_ELSEWHERE]):
        put_text(ws, r, 1, said, "dd_note_wrap")
        merge(ws, r, 1, r, len(widths))
        fit_row(ws, r, [(said, sum(widths.values()))], small=True)
        r += 1
    r = _summary_section(ws, r + 1, DECISIONS_SOUGHT, len(widths))
    where = decisions_where or decision_text.workbook_pointers("Options", "Risk", "Plan")
    put_text(ws, r, 1, decisions_lead(result), "dd_text_bold_wrap")
    merge(ws, r, 1, r, len(widths))
    r += 1
    for said in decisions_sought(result, where):
        put_text(ws, r, 1, said, "dd_text")
        merge(ws, r, 1, r, len(widths))
        fit_row(ws, r, [(said, sum(widths.values()))])
        r += 1
    r = _summary_section(ws, r + 1, "Key figures", len(widths))
    r = _key_figures(ws, r, result, opt_refs)
    r = write_by_council(ws, r, result, len(widths), sum(widths.values()))
    if result.baseline is not None:
        r = _summary_section(ws, r, f"The service today: baseline budget, {result.base_year}", len(widths))
        _baseline_table(ws, r, result, model_cells, (sum(widths.values()) - widths[1], len(widths)))
    set_widths(ws, widths)
    print_setup(ws, title_rows=None, landscape=False)


def _summary_section(ws: Worksheet, r: int, title: str, last: int) -> int:
    """A section heading across the Summary's columns at row ``r``; returns the next row."""
    put_text(ws, r, 1, title, "dd_section")
    for c in range(2, last + 1):
        set_style(ws, r, c, "dd_section")
    return r + 1


def _key_figures(ws: Worksheet, header: int, result: AppraisalResult, opt_refs: OptionsRefs) -> int:
    """One row per option (formulas to the Options sheet where it computes them), then the NPV chart."""
    onames = option_names(result).__getitem__
    row_of = result.options.set_index("id")
    heads = (
        "Option",
        "Net present saving",
        "One-off costs (with optimism bias)",
        "Payback year (undiscounted)",
        "Chance it saves money",
        "MCA score (0-10)",
        "Go-live",
    )
    for c, h in enumerate(heads, start=1):
        put_text(ws, header, c, h, "dd_header" if c > 1 else "dd_header_left")
    ws.row_dimensions[header].height = 30
    r = first = header + 1
    for opt in result.options.id:
        bold, sq = opt == result.recommended, opt == registry.STATUS_QUO
        put_text(ws, r, 1, onames(opt) + ("  (recommended)" if bold else ""), "dd_label_bold" if bold else "dd_label")
        put_formula(ws, r, 2, f"={opt_refs.cells['nps'][opt]}", "dd_gbp_bold" if bold else "dd_gbp")
        put_formula(ws, r, 3, f"={opt_refs.cells['one_off'][opt]}", "dd_gbp")
        put_formula(ws, r, 4, f"={opt_refs.cells['payback'][opt]}", "dd_center")
        if sq:
            put_text(ws, r, 5, "n/a", "dd_na")
        else:
            put_number(ws, r, 5, row_of.loc[opt, "p_saving_positive"], "dd_pct", missing=_note_for_missing(result))
        put_formula(ws, r, 6, f"={opt_refs.cells['mca_score'][opt]}", "dd_score")
        put_date(ws, r, 7, row_of.loc[opt, "go_live"] if not sq else None, missing="n/a")
        r += 1
    put_text(
        ws,
        r,
        1,
        "Net present saving: GBP, discounted at the Green Book rates (Discount rates sheet), against "
        "the status quo. Chance it saves money: share of the Monte Carlo draws with a positive net "
        "present saving (Risk sheet).",
        "dd_note",
    )
    charts.npv_by_option(
        ws, f"A{r + 2}", ws, 1, 2, first + 1, r - 1, "Net present saving by option (GBP)", "Net present saving (GBP)"
    )
    return r + 19


def _baseline_table(
    ws: Worksheet, r: int, result: AppraisalResult, model_cells: Mapping[str, str], fit: tuple[float, int]
) -> int:
    """The baseline budget by subjective line, gross, income and net (formulas: the Model sheet's baseline
    inputs), FTE and source; ``fit``: the source text's width and the last column."""
    source_width, last = fit
    base = result.baseline
    for c, h in enumerate(("Subjective line", "GBP", "Expenditure or income"), start=1):
        put_text(ws, r, c, h, "dd_header_left" if c == 1 else "dd_header")
    ws.row_dimensions[r].height = 30
    first_line = r = r + 1
    for line in records(base.to_frame()):
        put_text(ws, r, 1, line.label, "dd_label_indent")
        put_formula(ws, r, 2, f"={model_cells[f'base_{line.line}']}", "dd_gbp")
        put_text(ws, r, 3, line.kind, "dd_center")
        r += 1
    span_a = f"{ref(2, first_line)}:{ref(2, r - 1)}"
    span_k = f"{ref(3, first_line, True)}:{ref(3, r - 1, True)}"
    put_text(ws, r, 1, "Gross expenditure", "dd_label_bold")
    put_formula(ws, r, 2, f'=SUMIF({span_k},"expenditure",{span_a})', "dd_gbp_subtotal")
    put_text(ws, r + 1, 1, "Income", "dd_label_bold")
    put_formula(ws, r + 1, 2, f'=SUMIF({span_k},"income",{span_a})', "dd_gbp")
    put_text(ws, r + 2, 1, "Net budget", "dd_label_bold")
    put_formula(ws, r + 2, 2, f"={ref(2, r)}+{ref(2, r + 1)}", "dd_gbp_total")
    r += 3
    put_text(ws, r, 1, "Staff (FTE) / headcount", "dd_label")
    put_number(ws, r, 2, base.fte, "dd_fte")
    put_number(ws, r, 3, base.headcount, "dd_int")
    r += 1
    put_text(ws, r, 1, "Source", "dd_key")
    put_text(ws, r, 2, base.source, "dd_note_wrap")
    merge(ws, r, 2, r, last)
    fit_row(ws, r, [(base.source, source_width)], small=True)
    return r + 2


CONTENTS = {
    "summary": "Recommendation, decisions sought, key figures, net present saving by option, the baseline budget",
    "options": "Every option's metrics side by side; savings by year",
    "cashflows": "Cash flows by year per option, every cell a formula from the Model and Assumptions sheets",
    "discount": "Green Book discount rates (inputs): change one and every present value recalculates",
    "risk": "Monte Carlo percentiles, one-way sensitivity, switching values, delivery risk register",
    "mca": "Multi-criteria analysis: scores, weights (inputs) and weighted totals (formulas)",
    "plan": "Implementation plan per option: phases as a timeline (critical path in red), milestones",
    "assumptions": "Every assumption used, with its value (an input: edit it and the model follows), range, source "
    "and quality rating",
    "model": "The model's fixed inputs (settings, baseline, lever defaults, timing) and yearly helper rows",
    "benefits": "Outcome benefits by year, agency and kind (who gains); counted totals and present values as formulas",
    "programme": "One row per project: the recommended option and its headline figures",
    "programme_services": "One row per service: the option its appraisal recommends and its headline figures, "
    "summed as they stand (the project's total, a shared new body set up once, is on the Services sheet)",
}


#: The cover's "How to read this workbook" entries.
HOW_TO_READ = {
    "Inputs": "Yellow cells with blue figures (each assumption's value used, discount rates, MCA weights and scores) "
    "are inputs you may change; the workbook recalculates. Each assumption has a defined name "
    "(mutual__staff_cost_change) and each option's net present saving too (nps__mutual).",
    "Formulas": "The yearly cash flows by component (Model sheet: settings, baseline, timing), totals, savings, "
    "discount factors, present values, net present values, optimism bias, residual value, payback years, "
    "the Green Book benefit-cost ratio, the saving over the years the Cash flows sheet covers and MCA "
    "totals are live formulas that reproduce the model's figures.",
    "Model values": "Monte Carlo results (a snapshot of the run), sensitivity, switching values, savings over more "
    "years than the Cash flows sheet covers, plan dates and the recommendation (the Options sheet's Recommended "
    "row and the Summary's sentences) are values from the ddanalysis model; they do not recalculate when an "
    "input is edited.",
    "Money": "GBP in {price_basis} (inflation removed), shown in whole pounds; cells hold full precision.",
}


def write_cover(
    ws: Worksheet,
    ctx: Context,
    heading: str,
    facts: list[tuple[str, str]],
    contents: list[tuple[str, str]],
    provenance: dict[str, str],
) -> None:
    """Title, facts (key / value), illustrative box, how to read, contents with links, provenance."""
    widths = {1: 30, 2: 110}
    put_text(ws, 1, 1, heading, "dd_title")
    ws.row_dimensions[1].height = 30
    put_text(ws, 2, 1, ctx.context_line, "dd_subtitle")
    r = 4
    if ctx.illustrative:
        put_text(ws, r, 1, ILLUSTRATIVE_TEXT, "dd_illustrative_box")
        set_style(ws, r, 2, "dd_illustrative_box")
        merge(ws, r, 1, r, 2)
        ws.row_dimensions[r].height = 36
        r += 2
    for key, value in facts:
        put_text(ws, r, 1, key, "dd_key")
        put_text(ws, r, 2, value, "dd_text")
        fit_row(ws, r, [(value, widths[2])])
        r += 1
    r += 1
    put_text(ws, r, 1, "How to read this workbook", "dd_section")
    set_style(ws, r, 2, "dd_section")
    r += 1
    for key, template in HOW_TO_READ.items():
        text = template.format(price_basis=ctx.price_basis)  # the workbook's price base, e.g. real 2014-15 prices
        put_text(ws, r, 1, key, "dd_key")
        put_text(ws, r, 2, text, "dd_text")
        fit_row(ws, r, [(text, widths[2])])
        r += 1
    r += 1
    put_text(ws, r, 1, "Contents", "dd_section")
    set_style(ws, r, 2, "dd_section")
    r += 1
    for sheet, text in contents:
        cell = put_text(ws, r, 1, sheet, "dd_link")
        internal_link(cell, sheet)
        put_text(ws, r, 2, text, "dd_text")
        r += 1
    r += 1
    put_text(ws, r, 1, "Data provenance", "dd_section")
    set_style(ws, r, 2, "dd_section")
    r += 1
    for key, value in provenance.items():
        put_text(ws, r, 1, key.replace("_", " ").capitalize(), "dd_key")
        put_text(ws, r, 2, value, "dd_text")
        fit_row(ws, r, [(value, widths[2])])
        r += 1
    set_widths(ws, widths)
    print_setup(ws, landscape=False)
    ws.oddHeader.left.text = ""
    ws.oddHeader.right.text = ""


def project_facts(result: AppraisalResult, ctx: Context) -> list[tuple[str, str]]:
    """The cover's key facts of one project's appraisal."""
    draws = len(result.mc_draws)
    last_year = result.annual.financial_year.iloc[result.horizon_years - 1] if len(result.annual) else result.first_year
    return [
        ("Project", f"{result.project_title} ({result.project_id})"),
        ("Council(s)", result.councils),
        ("Scenario", f"{result.scenario}: {result.scenario_description}".rstrip(": ")),
        ("Perspective", f"{result.perspective_label} ({result.perspective})"),
        ("Prices", f"GBP, {result.price_basis}. {result.price_base_statement}"),
        (
            "Appraisal period",
            f"{result.horizon_years} years, {result.first_year} to {last_year}; discounted at the "
            "HM Treasury Green Book rates",
        ),
        (
            "Optimism bias",
            f"{result.optimism_bias_mitigation:.0%} of the Green Book upper bound mitigated "
            f"({result.optimism_bias_mitigation_source})",
        ),
        ("Monte Carlo", f"{draws:,} draws, seed {result.mc_seed}" if draws else "not run"),
        ("Recommendation", result.recommendation),
        ("Illustrative", "Yes: " + ILLUSTRATIVE_TEXT.split(": ", 1)[1] if result.illustrative else "No"),
        ("Produced", f"{ctx.produced:%d %B %Y} by ddanalysis {ctx.version}"),
        *_run_record_facts(result),
    ]


def _run_record_facts(result: AppraisalResult) -> list[tuple[str, str]]:
    """The run record (version, input-file hashes, arguments, time) as cover facts, to reproduce any figure."""
    rec = result.run_record
    if rec is None:
        return []
    return [
        ("Run record", "\n".join(rec.lines())),
        ("Input files (SHA-256)", "; ".join(f"{p} {h[:12]}" for p, h in rec.inputs)),
    ]


__all__ = [
    "write_options",
    "write_summary",
    "write_cover",
    "project_facts",
    "internal_link",
    "OptionsRefs",
    "CONTENTS",
    "RULE",
]
