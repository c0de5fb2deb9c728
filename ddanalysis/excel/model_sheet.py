"""The Model sheet: the fixed inputs and the yearly helper rows every cash-flow formula starts from.

Sections (GBP, real prices of the base year): settings (VAT, the council's share of business rates,
the Teckal cap, optimism-bias bounds and mitigation), the baseline by subjective line, the levers of
each option (a formula ``=<defined name>`` where the lever is a row of the Assumptions sheet, else the
default of levers.yaml as a value), then by year: the year index, the demand and pay growth indices,
and per option its timing from the implementation plan (values) and the ramp-up, stranded-overhead
and staff factors (formulas). The arithmetic is :mod:`ddanalysis.cashflow`'s, cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from openpyxl.utils import get_column_letter as column
from openpyxl.worksheet.worksheet import Worksheet

from .. import registry
from ..assumptions import PROJECT_SCOPE
from ..baseline import BASELINE_LINES, LINE_LABELS
from ..cashflow import GROSS_LINES
from ..presentation.text import optimism_bias_kind
from ..result import AppraisalResult
from .cells import put_formula, put_number, put_text, quote_sheet, ref, set_style
from .layout import Context, fit_row, option_names, print_setup, set_widths, sheet_header
from .model_inputs import ModelInputs
from .styles import style_for_unit

#: Assumption (scope, key) -> its defined name in this workbook.
NameOf = Callable[[str, str], str]
#: The project-wide assumptions the cash flows read (0 where a project has none).
PROJECT_KEYS = ("demand_growth", "real_pay_growth", "pension_deficit_share")
#: Width of the year (and option) columns, characters.
YEAR_WIDTH = 12
#: Optimism-bias kinds of cost, as in appraisal.yaml's optimism_bias.use.
OB_KINDS = ("operating", "one_off", "it_separation")


@dataclass
class ModelRefs:
    """Where the Model sheet keeps each input: absolute references for single cells, and row numbers of the
    yearly rows (whose columns are the Cash flows sheet's year columns)."""

    sheet: str
    scalars: dict[str, str] = field(default_factory=dict)
    levers: dict[tuple[str, str], str] = field(default_factory=dict)
    project: dict[str, str] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    option_rows: dict[tuple[str, str], int] = field(default_factory=dict)

    def year(self, row_name: str, option: str | None = None) -> str:
        """A yearly row's cell in the year column ``{col}`` (a template for ``str.format(col=...)``)."""
        row = self.option_rows[(option, row_name)] if option is not None else self.rows[row_name]
        return f"{quote_sheet(self.sheet)}!{{col}}${row}"


def _abs(sheet: str, col: int, row: int) -> str:
    return f"{quote_sheet(sheet)}!{ref(col, row, True)}"


def _scalar(ws: Worksheet, refs: ModelRefs, r: int, key: str, label: str, value: object, style: str, note: str) -> int:
    """One single-cell input (a number, or a formula when ``value`` is a string starting with '=')."""
    put_text(ws, r, 1, label, "dd_label")
    if isinstance(value, str):
        put_formula(ws, r, 2, value, style)
    else:
        put_number(ws, r, 2, value, style)
    put_text(ws, r, 3, note, "dd_note")
    refs.scalars[key] = _abs(ws.title, 2, r)
    return r + 1


#: How the Model sheet's Teckal cap is worked out, and the reading of the law it rests on.
TECKAL_CAP_NOTE = (
    "(1 - control share) / control share; applies to Teckal companies; the existing service counts as activity "
    "for the controlling councils, whoever pays for it (a legal reading to confirm)"
)


def fact_note(facts: Mapping[str, Any], key: str, lead: str = "") -> str:
    """Where a fact of appraisal.yaml comes from, for the Model sheet's note column: ``lead``, then the fact's
    key, source with locator, as of, quality and whether it was read in the source's own text (the data log's
    fields, so the facts a cash flow uses carry the same evidence as the Assumptions sheet's rows)."""
    spec = facts.get(key, {})
    parts = [
        f"appraisal.yaml facts.{key}",
        f"source {spec.get('source', 'none')}" + (f" ({spec['locator']})" if spec.get("locator") else ""),
        f"as of {spec.get('as_of', 'not stated')}",
        f"quality {spec.get('quality', 'not rated')}, {'verified' if spec.get('verified') else 'not verified'}",
    ]
    return "; ".join(([lead] if lead else []) + parts)


def _section(ws: Worksheet, r: int, title: str, last_col: int) -> int:
    put_text(ws, r, 1, title, "dd_section")
    for c in range(2, last_col + 1):
        set_style(ws, r, c, "dd_section")
    return r + 1


def _settings(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs, perspective: str) -> int:
    """VAT, rates retention, the perspective's switches, the Teckal cap, funding shares, FTE, admissions."""
    r = _tax_and_transfer_settings(ws, r, refs, inputs, perspective)
    return _delivery_body_settings(ws, r, refs, inputs, perspective)


def _tax_and_transfer_settings(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs, perspective: str) -> int:
    """VAT, the council's retained share of business rates and the perspective's switches (rates relief,
    irrecoverable VAT, transfers counted or not); returns the next free row."""
    m = inputs.model
    council, social = perspective == "council", perspective == "social"
    facts = m.book.settings.facts
    r = _scalar(ws, refs, r, "vat", "VAT standard rate", m.vat_rate, "dd_pct1", fact_note(facts, "vat_standard_rate"))
    r = _scalar(
        ws,
        refs,
        r,
        "rates_share",
        "Council's retained share of business rates (its authority class)",
        m.council_rates_share,
        "dd_pct1",
        fact_note(facts, "rates_retention_council_share", f"this council's class, {m.council_class}"),
    )
    r = _scalar(
        ws,
        refs,
        r,
        "relief_counted",
        "Share of a rates relief that is a saving to this perspective",
        f"=1-{refs.scalars['rates_share']}" if council else 0,
        "dd_pct1",
        "council: 1 - its retained share (the rest is its own lost rates income); otherwise 0 (a transfer)",
    )
    r = _scalar(
        ws,
        refs,
        r,
        "vat_counted",
        "Irrecoverable VAT and the cultural exemption counted (1) or not (0)",
        1 if council else 0,
        "dd_number0",
        "council perspective only (a transfer to or from HMRC otherwise)",
    )
    r = _scalar(
        ws,
        refs,
        r,
        "transfers",
        "Redundancy, grants and donations counted (1) or not (0)",
        0 if social else 1,
        "dd_number0",
        "social perspective: transfers, left out",
    )
    return r


def _delivery_body_settings(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs, perspective: str) -> int:
    """The Teckal cap, the council-funded share, volunteer time (social perspective), cultural admissions, FTE and
    the residual value per GBP of final-year saving; returns the next free row."""
    m = inputs.model
    social = perspective == "social"
    r = _scalar(
        ws,
        refs,
        r,
        "teckal_cap",
        "Teckal cap: largest new external income / the service's existing turnover (gross expenditure)",
        m.teckal_cap,
        "dd_pct1",
        fact_note(m.book.settings.facts, "teckal_min_control_share", TECKAL_CAP_NOTE),
    )
    r = _scalar(
        ws,
        refs,
        r,
        "funded",
        "Council-funded share of gross spend",
        m.council_funded_share,
        "dd_pct1",
        "the baseline's funded_by split: a provider's margin, contract management and grant-paid VAT fall on it, "
        "while savings count on the whole service; set it to 1 for the funding-basis check (both on the whole "
        "service)",
    )
    r = _scalar(
        ws,
        refs,
        r,
        "volunteer_value",
        "Value of volunteer time as a share of the paid cost it replaces",
        m.volunteer_value_share if social else 0,
        "dd_pct1",
        fact_note(m.book.settings.facts, "volunteer_time_value_share", "social perspective only"),
    )
    r = _scalar(
        ws,
        refs,
        r,
        "admissions",
        "Cultural admission takings the council charges VAT on (GBP)",
        m.admissions_gbp,
        "dd_gbp",
        "the baseline's cultural_admissions (VAT included)",
    )
    r = _scalar(ws, refs, r, "fte", "FTE in scope", m.fte, "dd_fte", "the baseline")
    r = _scalar(
        ws,
        refs,
        r,
        "residual_annuity",
        "Residual value per GBP of final-year saving",
        m.residual_annuity,
        "dd_factor",
        f"sum of the Green Book discount factors of the {m.residual_life_years} years after the "
        "horizon (appraisal.yaml residual life)",
    )
    return r


def _optimism_bias(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs, name_of: NameOf) -> int:
    """Upper bound, mitigation and uplift per kind of cost. The Assumptions sheet's mitigation holds the value
    derived for operating costs unless overridden; typing another value there overrides all three kinds."""
    m = inputs.model
    named = (PROJECT_SCOPE, "optimism_bias_mitigation") in inputs.values
    mitigation = name_of(PROJECT_SCOPE, "optimism_bias_mitigation") if named else ""
    derived_op = ""
    for kind in OB_KINDS:
        r = _scalar(
            ws,
            refs,
            r,
            f"ob_upper_{kind}",
            f"Optimism bias upper bound, {optimism_bias_kind(kind)}",
            m.ob_upper[kind],
            "dd_pct1",
            "appraisal.yaml optimism_bias (Green Book supplementary guidance)",
        )
        r = _scalar(
            ws,
            refs,
            r,
            f"ob_derived_{kind}",
            f"Mitigation derived from the contributory factors, {optimism_bias_kind(kind)}",
            m.ob_derived[kind],
            "dd_pct1",
            "appraisal.yaml contributory factors",
        )
        derived_op = derived_op or refs.scalars["ob_derived_operating"]
        derived = refs.scalars[f"ob_derived_{kind}"]
        applied = (
            derived
            if not named
            else mitigation
            if inputs.ob_override
            else f"=IF({mitigation}={derived_op},{derived},{mitigation})"
        )
        r = _scalar(
            ws,
            refs,
            r,
            f"ob_mitigation_{kind}",
            f"Mitigation applied, {optimism_bias_kind(kind)}",
            applied if applied.startswith("=") else f"={applied}",
            "dd_pct1",
            "the Assumptions sheet's value if it differs from the derived operating mitigation",
        )
        r = _scalar(
            ws,
            refs,
            r,
            f"ob_{kind}",
            f"Optimism-bias uplift, {optimism_bias_kind(kind)}",
            f"={refs.scalars[f'ob_upper_{kind}']}*(1-{refs.scalars[f'ob_mitigation_{kind}']})",
            "dd_pct1",
            "upper bound x (1 - mitigation)",
        )
    return r


def _baseline(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs) -> int:
    """The baseline by subjective line (GBP, income negative) and gross expenditure (formula)."""
    amounts = inputs.model.amounts_gbp
    for line in BASELINE_LINES:
        r = _scalar(
            ws,
            refs,
            r,
            f"base_{line}",
            LINE_LABELS[line],
            float(amounts.get(line, 0.0)),
            "dd_gbp_input",
            "input: the baseline (GBP, base year; income negative)",
        )
    gross = "+".join(refs.scalars[f"base_{line}"] for line in GROSS_LINES)
    return _scalar(
        ws,
        refs,
        r,
        "gross",
        "Gross expenditure excluding capital charges",
        f"={gross}",
        "dd_gbp_subtotal",
        "capital charges are accounting entries, not cash (Green Book): the levers scale the rest",
    )


def _levers(
    ws: Worksheet,
    r: int,
    refs: ModelRefs,
    inputs: ModelInputs,
    options: list[str],
    names: dict[str, str],
    name_of: NameOf,
) -> int:
    """One row per lever, one column per option: ``=<name>`` for an assumption, else the levers.yaml default."""
    keys = list(inputs.model._defaults)
    catalogue = inputs.model.book.levers
    units = {str(k): str(u) for k, u in catalogue["unit"].items()} if "unit" in catalogue.columns else {}
    for opt in options:
        keys += [k for k in inputs.model.keys_by_scope.get(opt, []) if k not in keys]
    put_text(ws, r, 1, "Lever (levers.yaml key)", "dd_header_left")
    for j, opt in enumerate(options):
        put_text(ws, r, 2 + j, names[opt], "dd_header")
    fit_row(ws, r, [(names[opt], YEAR_WIDTH - 1) for opt in options], bold=True)
    r += 1
    for key in keys:
        put_text(ws, r, 1, key, "dd_label")
        for j, opt in enumerate(options):
            value = inputs.lever(opt, key)
            style = style_for_unit(units.get(key, ""), value if value is not None else 0)
            if inputs.assumed(opt, key):
                put_formula(ws, r, 2 + j, f"={name_of(opt, key)}", style)
            else:
                put_number(ws, r, 2 + j, 0 if value is None else value, style)
            refs.levers[(opt, key)] = _abs(ws.title, 2 + j, r)
        r += 1
    put_text(
        ws,
        r,
        1,
        "A formula links the Assumptions sheet (edit it there); a value is the default of "
        "data/assumptions/levers.yaml for an option that does not set the lever.",
        "dd_note",
    )
    return r + 2


def _project_values(refs: ModelRefs, inputs: ModelInputs, name_of: NameOf) -> None:
    for key in PROJECT_KEYS:
        refs.project[key] = name_of(PROJECT_SCOPE, key) if (PROJECT_SCOPE, key) in inputs.values else "0"


def _timing_rows(ws: Worksheet, r: int, refs: ModelRefs, inputs: ModelInputs, opt: str, label: str, cols: range) -> int:
    """An option's timing (values from its plan) and its ramp-up, stranded-overhead and staff factors (formulas)."""
    when = inputs.model.timings[opt]
    for key, text, values, style in (
        ("L", "share of the year after go-live", when.live_share, "dd_pct1"),
        ("since", "years from go-live to mid-year", when.years_since_go_live, "dd_number2"),
        ("pre", "share of the one-off costs before go-live", when.pre_go_live_profile, "dd_pct1"),
        ("at", "go-live year (1) or not (0)", when.go_live_profile, "dd_number0"),
    ):
        put_text(ws, r, 1, f"{label}: {text}", "dd_label_indent")
        for t, c in enumerate(cols):
            # the status quo never goes live: its live share is 0, so its years since go-live change nothing
            put_number(ws, r, c, 0.0 if key == "since" and opt == registry.STATUS_QUO else float(values[t]), style)
        refs.option_rows[(opt, key)] = r
        r += 1

    def lv(key: str) -> str:
        return refs.levers[(opt, key)]

    L, since = refs.year("L", opt), refs.year("since", opt)
    ramp, sy = lv("ramp_up_years"), lv("stranded_overhead_years")
    for key, text, template in (
        ("S", "savings achieved (live share x ramp-up)", f"={L}*IF({ramp}>0,MIN(MAX({since}/{ramp},0),1),1)"),
        ("stranded", "stranded overheads still left", f"=IF({sy}>0,MIN(MAX(1-{since}/{sy},0),1),0)"),
        ("staff_factor", "staff cost factor", f"=1+{{S}}*({lv('staff_cost_change')}-{lv('volunteer_substitution')})"),
    ):
        put_text(ws, r, 1, f"{label}: {text}", "dd_label_indent")
        refs.option_rows[(opt, key)] = r
        template = template.replace("{S}", refs.year("S", opt)) if key == "staff_factor" else template
        for c in cols:
            put_formula(ws, r, c, template.format(col=column(c)), "dd_factor")
        r += 1
    if opt != registry.STATUS_QUO:
        put_text(ws, r, 1, f"{label}: net change in operating costs against the status quo (GBP)", "dd_label_indent")
        refs.option_rows[(opt, "net_change")] = r  # filled by fill_net_change once the Cash flows rows are known
        r += 1
    return r


def _growth_rows(ws: Worksheet, r: int, refs: ModelRefs, cols: range) -> int:
    """The year index and the demand (D) and pay (P = demand x real pay) growth indices from the base year."""
    put_text(ws, r, 1, "Year index (0 = the first appraisal year)", "dd_label_bold")
    for index, c in enumerate(cols):
        put_number(ws, r, c, index, "dd_int_bold")
    refs.rows["t"] = r
    t = refs.year("t")
    dg, pg = refs.project["demand_growth"], refs.project["real_pay_growth"]
    for key, text, template in (
        ("D", "Demand index (1 + demand growth) ^ (year index + 1)", f"=(1+{dg})^({t}+1)"),
        (
            "P",
            "Pay index ((1 + demand growth) x (1 + real pay growth)) ^ (year index + 1)",
            f"=((1+{dg})*(1+{pg}))^({t}+1)",
        ),
    ):
        r += 1
        put_text(ws, r, 1, text, "dd_label")
        for c in cols:
            put_formula(ws, r, c, template.format(col=column(c)), "dd_factor")
        refs.rows[key] = r
    return r + 2


def write_model(
    ws: Worksheet, ctx: Context, result: AppraisalResult, inputs: ModelInputs, name_of: NameOf, first_col: int
) -> ModelRefs:
    """The Model sheet of one project; yearly rows use the columns ``first_col`` .. (the Cash flows sheet's)."""
    T = result.horizon_years
    cols = range(first_col, first_col + T)
    widths = {1: 62, **{c: YEAR_WIDTH for c in cols}}
    r = sheet_header(ws, ctx, "Model: the inputs every cash flow is calculated from", widths)
    refs = ModelRefs(sheet=ws.title)
    put_text(
        ws,
        r,
        1,
        "Every cash flow on the Cash flows sheet is a formula over these cells and the Assumptions "
        "sheet (edit an assumption's 'Value used' there and every cash flow, saving and net present "
        f"value follows). GBP, {result.price_basis}.",
        "dd_note",
    )
    r = _section(ws, r + 2, "Settings", 3)
    r = _settings(ws, r, refs, inputs, result.perspective)
    r = _optimism_bias(ws, r, refs, inputs, name_of)
    r = _section(ws, r + 1, f"Baseline, {result.base_year} (GBP)", 3)
    r = _baseline(ws, r, refs, inputs)
    _project_values(refs, inputs, name_of)
    names = option_names(result)
    options = list(result.options.id)
    r = _section(ws, r + 1, "Levers by option", 1 + len(options))
    r = _levers(ws, r, refs, inputs, options, names, name_of)
    r = _section(ws, r, "By year", cols[-1])
    r = _growth_rows(ws, r, refs, cols)
    for opt in options:
        r = _timing_rows(ws, r, refs, inputs, opt, names[opt], cols) + 1
    set_widths(ws, widths)
    print_setup(ws)
    return refs


def fill_net_change(
    ws: Worksheet, refs: ModelRefs, cf_sheet: str, rows: dict[str, dict[str, int]], first: str, last: str, cols: range
) -> None:
    """Each option's net change in operating costs against the status quo (the optimism-bias base): its operating
    cost lines ``first`` .. ``last`` (contiguous on the Cash flows sheet) less the status quo's."""
    sq = rows[registry.STATUS_QUO]
    q = quote_sheet(cf_sheet)
    for (opt, key), r in refs.option_rows.items():
        if key != "net_change":
            continue
        mine = rows[opt]
        for c in cols:
            col = column(c)
            put_formula(
                ws,
                r,
                c,
                f"=SUM({q}!{col}{mine[first]}:{col}{mine[last]})-SUM({q}!{col}{sq[first]}:{col}{sq[last]})",
                "dd_gbp",
            )
