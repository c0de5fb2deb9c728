"""Every table the outputs show, shaped once: labelled columns, a unit tag per column, a caption.

Each function takes an :class:`~ddanalysis.result.AppraisalResult` (or a programme summary) and
returns a :class:`Table`; the renderers lay it out: :mod:`ddanalysis.display` (pandas Styler in
notebooks), the dashboards (HTML), the Excel writer (cells with number formats by unit) and the
CLI (plain text). Values stay numbers (GBP, real base-year prices, shares as fractions) so each
renderer formats them by :mod:`ddanalysis.presentation.formats`; nothing is rounded here.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import pandas as pd

from ..errors import unknown
from . import formats, text

if TYPE_CHECKING:
    from ..result import AppraisalResult

STATUS_QUO = "in-house"

#: How many assumptions the sensitivity tables show by default (the largest swings).
DEFAULT_TOP = 10


@dataclass(frozen=True)
class Table:
    """A labelled table: ``frame`` (display column names, raw values), ``units`` (column -> unit tag
    of :data:`ddanalysis.presentation.formats.FORMATTERS`; untagged columns are text), ``caption``,
    and ``emphasis`` (positions of rows to emphasise, such as the recommended option)."""

    frame: pd.DataFrame
    units: Mapping[str, str] = field(default_factory=dict)
    caption: str = ""
    emphasis: tuple[int, ...] = ()

    def unit(self, column: str) -> str:
        """The unit tag of a column (``text`` when untagged)."""
        return self.units.get(column, "text")

    def select(self, columns: Sequence[str], caption: str | None = None) -> "Table":
        """The same table with only ``columns`` (in that order); units and emphasis kept."""
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            raise KeyError(f"column(s) {missing} not in the table; its columns are {list(self.frame.columns)}")
        return replace(self, frame=self.frame[list(columns)],
                       units={c: u for c, u in self.units.items() if c in columns},
                       caption=self.caption if caption is None else caption)

    def formatted(self) -> pd.DataFrame:
        """Every cell as text, by its column's unit (what a plain-text or HTML renderer shows)."""
        out = self.frame.copy()
        for c in out.columns:
            unit = self.unit(c)
            fmt = formats.FORMATTERS.get(unit, formats.text)
            out[c] = [fmt(v) for v in self.frame[c]]
        return out


def _caption(result: "AppraisalResult", what: str) -> str:
    return text.basis_caption(what, result.base_year, result.perspective, result.scenario)


def option_ids(result: "AppraisalResult", option_id: str | None, include_status_quo: bool = False) -> list[str]:
    """The option ids a table covers: one (checked) or all (without the status quo unless asked)."""
    ids = list(result.options["id"])
    if option_id is None:
        return ids if include_status_quo else [o for o in ids if o != STATUS_QUO]
    if option_id not in ids:
        raise unknown("option", option_id, ids)
    return [option_id]


def focus_option(result: "AppraisalResult") -> str:
    """The option examined in detail: the recommended one, else the best-ranked alternative."""
    if result.recommended != STATUS_QUO:
        return result.recommended
    others = result.options[result.options["id"] != STATUS_QUO]
    if others.empty:
        return STATUS_QUO
    return str(others.sort_values("net_present_saving_gbp", ascending=False).iloc[0]["id"])


# --- the options ------------------------------------------------------------------------------------

#: Options table: result column -> (label, unit tag).
OPTION_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("Option", "text"),
    "go_live": ("Go-live", "date"),
    "net_present_cost_gbp": ("Net present cost", "gbp"),
    "net_present_saving_gbp": ("Net present saving", "gbp"),
    "one_off_cost_gbp": ("One-off cost (undiscounted)", "gbp"),
    "payback_year": ("Payback year", "text"),
    "optimism_bias_gbp": ("Optimism bias (PV, included)", "gbp"),
    "benefit_cost_ratio": ("Benefit-cost ratio (Green Book)", "ratio"),
    "residual_value_gbp": ("Residual value (PV, not in the saving)", "gbp"),
    "steady_state_saving_gbp": ("Steady-state saving a year", "gbp"),
    "steady_state_saving_share": ("Saving as share of net budget", "share"),
    "saving_p10_gbp": ("P10 saving", "gbp"),
    "saving_p50_gbp": ("P50 saving", "gbp"),
    "saving_p90_gbp": ("P90 saving", "gbp"),
    "p_saving_positive": ("P(saving > 0)", "share"),
    "p_meets_target": ("P(meets target)", "share"),
    "mca_score": ("MCA score (0-10)", "score"),
    "rank": ("Rank (saving)", "integer"),
    "recommended": ("Recommended", "text"),
}


def options_table(result: "AppraisalResult") -> Table:
    """One row per option (status quo first): the Green Book headline metrics against the status quo."""
    opts = result.options
    cols = [c for c in OPTION_COLUMNS if c in opts.columns]
    frame = opts[cols].rename(columns={c: OPTION_COLUMNS[c][0] for c in cols}).reset_index(drop=True)
    frame["Recommended"] = frame["Recommended"].map({True: "yes", False: ""})
    sq = opts["id"].to_numpy() == STATUS_QUO
    for c in ("P10 saving", "P50 saving", "P90 saving", "P(saving > 0)", "P(meets target)"):
        if c in frame.columns:
            frame.loc[sq, c] = None
    units = {OPTION_COLUMNS[c][0]: OPTION_COLUMNS[c][1] for c in cols}
    emphasis = tuple(i for i, r in enumerate(opts["recommended"]) if r)
    return Table(frame, units, _caption(result, "Options against the status quo"), emphasis)


def savings_table(result: "AppraisalResult", cumulative: bool = False) -> Table:
    """Each option's annual (or cumulative) saving against the status quo, undiscounted, GBP."""
    col = "cumulative_saving_gbp" if cumulative else "saving_gbp"
    annual = result.annual[result.annual["option"] != STATUS_QUO]
    years = list(dict.fromkeys(annual["financial_year"]))
    wide = annual.pivot_table(index="option", columns="financial_year", values=col, aggfunc="sum", sort=False)
    wide = wide.reindex(index=option_ids(result, None), columns=years)
    wide.index = [result.option_name(o) for o in wide.index]
    frame = wide.rename_axis("Option").reset_index()
    frame.columns = ["Option", *years]
    what = "Cumulative saving" if cumulative else "Annual saving"
    return Table(frame, {y: "gbp" for y in years}, _caption(result, f"{what} against the status quo, undiscounted"))


def cashflow_table(result: "AppraisalResult", option_id: str) -> Table:
    """One option's costs by component (rows) and financial year (columns), with the yearly total (GBP)."""
    option_ids(result, option_id, include_status_quo=True)
    flows = result.cashflows[result.cashflows["option"] == option_id]
    order = list(dict.fromkeys(flows["label"]))
    years = list(dict.fromkeys(flows["financial_year"]))
    wide = flows.pivot_table(index="label", columns="financial_year", values="cost_gbp", aggfunc="sum", sort=False)
    wide = wide.reindex(index=order, columns=years)
    wide = wide[(wide != 0).any(axis=1)]
    wide.loc["Total"] = flows.groupby("financial_year", sort=False)["cost_gbp"].sum().reindex(years)
    frame = wide.rename_axis(index="Component", columns=None).reset_index()
    return Table(frame, {y: "gbp" for y in years}, _caption(
        result, f"{result.option_name(option_id)}: costs by year (positive = cost, negative = income; "
                "components that are zero in every year are left out)"))


def monte_carlo_table(result: "AppraisalResult") -> Table:
    """Monte Carlo summary per option: P10 / P50 / P90 net present saving (GBP) and probabilities."""
    mc = result.monte_carlo
    mc = mc[mc["option"] != STATUS_QUO]
    names = [result.option_name(o) for o in mc["option"]]
    labels = {"p10": "P10 saving", "p50": "P50 saving", "p90": "P90 saving", "p_positive": "P(saving > 0)",
              "p_meets_target": "P(meets target)"}
    frame = pd.DataFrame({"Option": names})
    for k, label in labels.items():
        frame[label] = mc[k].to_numpy() if k in mc.columns else None
    draws = len(result.mc_draws)
    caption = (_caption(result, f"Monte Carlo over {draws:,} draws (seed {result.mc_seed}): net present saving")
               + f"; target: a steady-state saving of {formats.money(result.mc_target_gbp)} a year")
    units = {"P10 saving": "gbp", "P50 saving": "gbp", "P90 saving": "gbp", "P(saving > 0)": "share",
             "P(meets target)": "share"}
    return Table(frame, units, caption)


# --- uncertainty --------------------------------------------------------------------------------------

def sensitivity_table(result: "AppraisalResult", option_id: str | None = None, top: int | None = DEFAULT_TOP) -> Table:
    """One-way sensitivity of an option's net present saving: each assumption at its low and high value.

    ``option_id`` defaults to :func:`focus_option`; rows are the ``top`` largest swings (all when None).
    """
    opt = option_id or focus_option(result)
    option_ids(result, opt)
    sens = result.sensitivity
    sens = sens[sens["option"] == opt] if not sens.empty else sens
    if top is not None and not sens.empty:
        sens = sens.nsmallest(top, "rank")
    labels = {"rank": "Rank", "description": "Assumption", "unit": "Unit", "low": "Low value", "high": "High value",
              "nps_at_low": "NPS at low", "nps_base": "NPS (scenario)", "nps_at_high": "NPS at high", "swing": "Swing"}
    frame = pd.DataFrame({label: (sens[k].to_numpy() if k in sens.columns else []) for k, label in labels.items()})
    units = {"Rank": "integer", "Low value": "number", "High value": "number", "NPS at low": "gbp",
             "NPS (scenario)": "gbp", "NPS at high": "gbp", "Swing": "gbp"}
    return Table(frame, units, _caption(result, f"{result.option_name(opt)}: net present saving (NPS) with one "
                                                "assumption at a time at its low or high value"))


def switching_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """Switching values of an option, each in its assumption's own unit: the value at which the option
    stops saving money against the status quo, and at which it draws level with the next-best option.

    Rows follow the tornado's order (largest swing first) when sensitivity is available.
    """
    opt = option_id or focus_option(result)
    option_ids(result, opt)
    cols = ["Assumption", "Unit", "Value used", "Breaks even with the status quo at", "Next-best option",
            "Draws level with the next-best at"]
    caption = (f"{result.option_name(opt)}: switching values, in each assumption's own unit ({result.scenario} "
               f"scenario, {result.perspective} perspective; 'none in range' = no switch within the assumption's "
               "allowed range; other assumptions held at the scenario's values)")
    sw = result.switching
    if sw is None or sw.empty:
        return Table(pd.DataFrame(columns=cols), {}, caption)
    rows = sw[sw["option"] == opt].copy()
    if not result.sensitivity.empty:
        order = result.sensitivity[result.sensitivity["option"] == opt][["scope", "key", "rank"]]
        rows = rows.merge(order, on=["scope", "key"], how="left").sort_values("rank", kind="stable", na_position="last")
    names = result.options.set_index("id")["name"]
    frame = pd.DataFrame({
        cols[0]: rows["description"].to_numpy(),
        cols[1]: rows["unit"].to_numpy(),
        cols[2]: [formats.value_in_unit(v, u) for v, u in zip(rows["value"], rows["unit"])],
        cols[3]: [formats.value_in_unit(v, u) for v, u in zip(rows["switch_vs_status_quo"], rows["unit"])],
        cols[4]: [str(names.get(n, n)) for n in rows["next_best"]],
        cols[5]: [formats.value_in_unit(v, u) for v, u in zip(rows["switch_vs_next_best"], rows["unit"])],
    }).reset_index(drop=True)
    return Table(frame, {}, caption)


# --- multi-criteria analysis ------------------------------------------------------------------------

def mca_scores_table(result: "AppraisalResult", criterion_names: Mapping[str, str]) -> Table:
    """Scores (0-10) per criterion (rows) and option (columns) with the swing weights, and in the last
    row each option's weighted score. ``criterion_names``: criterion id -> name."""
    wide = result.mca_scores.pivot(index="criterion", columns="option", values="score")
    options = list(dict.fromkeys(result.mca_scores["option"]))
    criteria = list(dict.fromkeys(result.mca_scores["criterion"]))
    wide = wide.reindex(index=criteria, columns=options)
    wide.columns = [result.option_name(o) for o in options]
    weights = pd.Series(result.mca_weights, dtype=float).reindex(criteria)
    wide.insert(0, "Weight", weights.to_numpy())
    total = result.mca_totals.set_index("option")["weighted_score"].reindex(options)
    wide.loc["weighted"] = [float(weights.sum())] + list(total.to_numpy())
    wide.index = [criterion_names.get(c, c) if c != "weighted" else "Weighted score" for c in wide.index]
    frame = wide.rename_axis("Criterion").reset_index()
    units = {"Weight": "share", **{c: "score" for c in frame.columns if c not in ("Criterion", "Weight")}}
    return Table(frame, units, "Multi-criteria analysis: scores 0-10 (higher is better), swing weights summing to "
                               "100% - ILLUSTRATIVE scores and weights, for the council's own scoring workshop")


def mca_rationale_table(result: "AppraisalResult", criterion_names: Mapping[str, str],
                        option_id: str | None = None) -> Table:
    """The written rationale of each score of one option (default: :func:`focus_option`)."""
    opt = option_id or focus_option(result)
    option_ids(result, opt, include_status_quo=True)
    rows = result.mca_scores[result.mca_scores["option"] == opt]
    frame = pd.DataFrame({"Criterion": [criterion_names.get(c, c) for c in rows["criterion"]],
                          "Score (0-10)": rows["score"].to_numpy(), "Rationale": rows["rationale"].to_numpy()})
    return Table(frame, {"Score (0-10)": "score"}, f"{result.option_name(opt)}: why each score (ILLUSTRATIVE)")


def mca_totals_table(result: "AppraisalResult") -> Table:
    """Weighted score and rank per option, and how often it ranks first when the weights move."""
    totals = result.mca_totals.merge(result.mca_stability, on="option", how="left")
    frame = pd.DataFrame({
        "Option": [result.option_name(o) for o in totals["option"]],
        "Weighted score (0-10)": totals["weighted_score"].to_numpy(), "Rank": totals["rank"].to_numpy(),
        "Ranks first (share of weight draws)": totals["share_first"].to_numpy(),
        "Mean rank": totals["mean_rank"].to_numpy()})
    units = {"Weighted score (0-10)": "score", "Rank": "integer", "Ranks first (share of weight draws)": "share",
             "Mean rank": "ratio"}
    return Table(frame, units, "Multi-criteria analysis: weighted totals and rank stability under moving weights "
                               "(ILLUSTRATIVE)")


# --- implementation plan ------------------------------------------------------------------------------

def _plan(result: "AppraisalResult", option_id: str | None) -> tuple[str, Any]:
    opt = option_id or focus_option(result)
    if opt not in result.plans:
        raise unknown("option with a plan", opt, list(result.plans))
    return opt, result.plans[opt]


def plan_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's implementation plan: one row per phase with its duration (weeks), dates,
    dependencies, whether it is on the critical path and its slack (weeks)."""
    opt, plan = _plan(result, option_id)
    ph = plan.phases
    names = dict(zip(ph["phase"], ph["name"]))
    frame = pd.DataFrame({
        "Phase": ph["name"].to_numpy(),
        "Depends on": ["; ".join(names.get(d.strip(), d.strip()) for d in str(dep).split(",") if d.strip())
                       for dep in ph["depends_on"].fillna("")],
        "Duration (weeks)": ph["duration_weeks"].to_numpy(),
        "Start": list(ph["start"]), "Finish": list(ph["finish"]),
        "Critical path": ["yes" if c else "" for c in ph["critical"]],
        "Slack (weeks)": ph["slack_weeks"].to_numpy(),
    })
    units = {"Duration (weeks)": "number", "Slack (weeks)": "number", "Start": "date", "Finish": "date"}
    return Table(frame, units, f"{result.option_name(opt)}: implementation plan by phase, {plan.duration_case} "
                               f"durations (ILLUSTRATIVE); go-live {formats.date(plan.go_live)}")


def milestones_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's milestones with their dates."""
    opt, plan = _plan(result, option_id)
    frame = pd.DataFrame({"Milestone": plan.milestones["milestone"].to_numpy(), "Date": list(plan.milestones["date"])})
    return Table(frame, {"Date": "date"}, f"{result.option_name(opt)}: milestones (go-live {formats.date(plan.go_live)})")


def risks_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's risk register, highest score first: likelihood and impact (1-5), score (likelihood
    x impact), owner, mitigation."""
    opt, plan = _plan(result, option_id)
    rk = plan.risks.sort_values("score", ascending=False, kind="stable")
    frame = pd.DataFrame({"Risk": rk["risk"].to_numpy(), "Likelihood (1-5)": rk["likelihood"].to_numpy(),
                          "Impact (1-5)": rk["impact"].to_numpy(), "Score": rk["score"].to_numpy(),
                          "Owner": rk["owner"].to_numpy(), "Mitigation": rk["mitigation"].to_numpy()})
    units = {"Likelihood (1-5)": "integer", "Impact (1-5)": "integer", "Score": "integer"}
    return Table(frame, units, f"{result.option_name(opt)}: risk register (score = likelihood x impact; highest "
                               "first; ILLUSTRATIVE)")


# --- assumptions and baseline -------------------------------------------------------------------------

def assumptions_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """Every assumption used (project-wide ones and each option's, or one option's with the shared ones),
    with its range and the value used in its own unit, basis, quality rating and source (title; the
    link is in the ``Link`` column for renderers that can show one)."""
    table = result.assumptions
    if option_id is not None:
        option_ids(result, option_id, include_status_quo=True)
        table = table[table["scope"].isin(["project", option_id])]
    scope_names = {o: result.option_name(o) for o in result.options["id"]}
    units = table["unit"].to_numpy()
    frame = pd.DataFrame({
        "Applies to": [scope_names.get(s, "All options") for s in table["scope"]],
        "Assumption": table["description"].to_numpy(),
        "Unit": units,
        "Low": [formats.value_in_unit(v, u) for v, u in zip(table["low"], units)],
        "Central": [formats.value_in_unit(v, u) for v, u in zip(table["central"], units)],
        "High": [formats.value_in_unit(v, u) for v, u in zip(table["high"], units)],
        "Used": [formats.value_in_unit(v, u) for v, u in zip(table["value_used"], units)],
        "Basis": table["basis"].to_numpy(), "Quality": table["quality"].to_numpy(),
        "Source": table["source"].to_numpy(), "Link": table["link"].fillna("").to_numpy(),
    })
    what = "all options" if option_id is None else f"{result.option_name(option_id)} and those shared by every option"
    return Table(frame, {}, f"{len(frame)} assumptions used: {what} ({result.scenario} scenario): ranges, value "
                            f"used, quality and source; money in GBP, {result.price_basis}")


def baseline_table(result: "AppraisalResult") -> Table:
    """The status quo budget by subjective line, then gross expenditure, income and net budget (GBP)."""
    base = result.baseline
    lines = base.to_frame()[["label", "kind", "amount_gbp"]]
    totals = pd.DataFrame([
        {"label": "Gross expenditure", "kind": "total", "amount_gbp": base.gross_expenditure_gbp},
        {"label": "Income", "kind": "total", "amount_gbp": base.income_gbp},
        {"label": "Net budget", "kind": "total", "amount_gbp": base.net_budget_gbp},
    ])
    frame = pd.concat([lines, totals], ignore_index=True)
    frame.columns = ["Line", "Kind", "Amount (GBP)"]
    caption = (f"Status quo budget, {base.base_year} (GBP, costs positive, income negative); "
               f"{base.fte:,.1f} FTE, {base.headcount:,} people" + (" - ILLUSTRATIVE" if base.illustrative else ""))
    return Table(frame, {"Amount (GBP)": "gbp"}, caption)


# --- programme ------------------------------------------------------------------------------------------

#: Programme summary: column -> (label, unit tag).
PROGRAMME_COLUMNS: dict[str, tuple[str, str]] = {
    "title": ("Project", "text"), "councils": ("Council(s)", "text"),
    "baseline_net_gbp": ("In-scope net budget", "gbp"), "baseline_gross_gbp": ("In-scope gross budget", "gbp"),
    "recommended_name": ("Best option", "text"), "net_present_saving_gbp": ("Net present saving", "gbp"),
    "payback_year": ("Payback year", "text"), "go_live": ("Go-live", "date"), "illustrative": ("Illustrative", "text"),
}


def programme_table(summary: pd.DataFrame, scenario: str | None = None, perspective: str | None = None,
                    base_year: str = "2014-15") -> Table:
    """The programme summary (one row per project) with a total row (GBP, real base-year prices)."""
    missing = [c for c in PROGRAMME_COLUMNS if c not in summary.columns]
    if missing:
        raise KeyError(f"programme_table: column(s) {missing} not in the table; its columns are {list(summary.columns)}")
    frame = summary[list(PROGRAMME_COLUMNS)].rename(columns={k: v[0] for k, v in PROGRAMME_COLUMNS.items()})
    frame["Illustrative"] = frame["Illustrative"].map({True: "yes", False: "no"})
    total: dict[str, Any] = {c: "" for c in frame.columns}
    total["Go-live"] = None
    total["Project"] = "Programme total"
    total.update({label: float(summary[k].sum()) for k, (label, unit) in PROGRAMME_COLUMNS.items() if unit == "gbp"})
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    basis = ", ".join(x for x in (f"{scenario} scenario" if scenario else "",
                                  f"{perspective} perspective" if perspective else "") if x)
    caption = (f"Programme summary: in-scope budgets ({base_year}) and each project's recommended option"
               + (f", {basis}" if basis else "") + f" - GBP, {text.price_basis(base_year)}")
    units = {label: unit for label, unit in PROGRAMME_COLUMNS.values()}
    return Table(frame, {c: u for c, u in units.items() if u != "text"}, caption, (len(frame) - 1,))


# --- the board paper (Five Case Model) ----------------------------------------------------------------------
# The paper's own tables. Inputs that come from data files (official spending, procurement routes,
# legal facts, optimism-bias upper bounds) are passed in, prepared by ddanalysis.paper.context.

#: Options columns the paper's economic case shows (a portrait A4 page holds about eight).
PAPER_OPTION_COLUMNS = ("Option", "Go-live", "One-off cost (undiscounted)", "Net present cost", "Net present saving",
                        "Payback year", "Benefit-cost ratio", "Benefit-cost ratio (Green Book)", "MCA score (0-10)",
                        "Recommended")


def paper_options_table(result: "AppraisalResult") -> Table:
    """:func:`options_table` with the columns a portrait page holds (:data:`PAPER_OPTION_COLUMNS`)."""
    full = options_table(result)
    return full.select([c for c in PAPER_OPTION_COLUMNS if c in full.frame.columns])


def official_spending_table(spending: pd.DataFrame) -> Table:
    """A council's official net current expenditure by service block and year: cash, real and the
    real figure of the median council of its class (GBP thousand; real = 2014-15 prices).

    ``spending``: :func:`ddanalysis.context.council_spending` or :func:`~ddanalysis.context.project_spending`.
    """
    s = spending.sort_values(["authority", "service", "year"], kind="stable")
    frame = pd.DataFrame({
        "Council": s["authority"].to_numpy(), "Service block": s["label"].to_numpy(), "Year": s["year"].to_numpy(),
        "Council, cash (GBP thousand)": s["cash_gbp_k"].to_numpy(dtype=float),
        "Council, real (GBP thousand)": s["real_gbp_k"].to_numpy(dtype=float),
        "Class median, real (GBP thousand)": s["class_median_real_gbp_k"].to_numpy(dtype=float),
    })
    units = {c: "gbp_thousand" for c in frame.columns if "GBP thousand" in c}
    return Table(frame, units, "Net current expenditure, GBP thousand (cash = prices of each year; real = 2014-15 "
                               "prices, GDP deflator). Source: DCLG Revenue Outturn Summary (RS); "
                               "Open Government Licence v3.0")


def optimism_bias_table(result: "AppraisalResult", upper_bounds: Mapping[str, float],
                        applies_to: Mapping[str, str] | None = None) -> Table:
    """Optimism bias: each category's upper bound, the mitigation and the uplift applied
    (upper bound x (1 - mitigation)). With the option's uplift in GBP where the result has it
    (an ``optimism_bias_gbp`` column of ``result.options``)."""
    mit = float(result.optimism_bias_mitigation)
    applies_to = applies_to or {}
    cats = list(upper_bounds)
    frame = pd.DataFrame({
        "Category": [c.replace("_", " ") for c in cats],
        "Applies to": [applies_to.get(c, "") for c in cats],
        "Upper bound": [float(upper_bounds[c]) for c in cats],
        "Mitigation": [mit] * len(cats),
        "Uplift applied": [float(upper_bounds[c]) * (1.0 - mit) for c in cats],
    })
    return Table(frame, {"Upper bound": "share", "Mitigation": "share", "Uplift applied": "share"},
                 "Optimism bias: Green Book upper bounds, the share removed by mitigation and the uplift applied")


def optimism_bias_by_option_table(result: "AppraisalResult") -> Table | None:
    """Each option's optimism-bias uplift in GBP (present value) when the result has it; else None."""
    opts = result.options
    if "optimism_bias_gbp" not in opts.columns:
        return None
    opts = opts[opts["id"] != STATUS_QUO]
    frame = pd.DataFrame({"Option": opts["name"].to_numpy(),
                          "Optimism bias included": opts["optimism_bias_gbp"].to_numpy(dtype=float)})
    return Table(frame, {"Optimism bias included": "gbp"}, _caption(result, "Optimism bias included in each option"))


def decision_table(result: "AppraisalResult") -> Table | None:
    """Probability each option is best and the expected value of perfect information, when the result
    has them (``result.decision`` as :func:`ddanalysis.decision.summary` returns it, or
    ``result.probability_best``); else None (the paper shows its 'when available' note)."""
    decision = getattr(result, "decision", None)
    p_best = (decision or {}).get("p_best") if isinstance(decision, Mapping) else None
    if p_best is None:
        p_best = getattr(result, "probability_best", None)
    if p_best is None or len(p_best) == 0:
        return None
    p_best = dict(p_best.items()) if hasattr(p_best, "items") else dict(p_best)
    ids = [o for o in result.options["id"] if o in p_best]
    frame = pd.DataFrame({"Option": [result.option_name(o) for o in ids],
                          "Chance of being the best option": [float(p_best[o]) for o in ids]})
    evpi = (decision or {}).get("evpi_gbp") if isinstance(decision, Mapping) else getattr(result, "evpi_gbp", None)
    caption = _caption(result, "Chance each option has the largest net present saving (Monte Carlo)")
    if evpi is not None:
        caption += f"; expected value of perfect information {formats.money(evpi)}"
    return Table(frame, {"Chance of being the best option": "share"}, caption)


def value_of_information_table(result: "AppraisalResult", top: int = DEFAULT_TOP) -> Table | None:
    """Partial expected value of perfect information per assumption (what it is worth paying to firm it
    up before deciding), when the result has it (``result.decision['evppi']``); else None."""
    decision = getattr(result, "decision", None)
    rows = decision.get("evppi") if isinstance(decision, Mapping) else getattr(result, "evppi", None)
    if rows is None or len(rows) == 0:
        return None
    frame = pd.DataFrame(list(rows) if not isinstance(rows, pd.DataFrame) else rows)
    frame = frame.sort_values("evppi_gbp", ascending=False).head(top)
    names = dict(zip(result.assumptions["key"], result.assumptions["description"]))
    out = pd.DataFrame({"Assumption": [names.get(str(k).split(".")[-1], str(k)) for k in frame["key"]],
                        "Value of perfect information": frame["evppi_gbp"].to_numpy(dtype=float)})
    return Table(out, {"Value of perfect information": "gbp"},
                 _caption(result, "What firming up each assumption is worth before deciding (partial EVPI)"))


def benefits_by_agency_table(result: "AppraisalResult") -> Table | None:
    """Present value of each option's benefits by the agency that bears them, when the result has them
    (``result.benefits_by_agency``: option, agency, kind, present_value_gbp); else None."""
    b = getattr(result, "benefits_by_agency", None)
    if b is None or len(b) == 0:
        return None
    b = pd.DataFrame(b)
    frame = pd.DataFrame({"Option": [result.option_name(o) if o in set(result.options["id"]) else o
                                     for o in b["option"]],
                          "Agency": b["agency"].to_numpy(),
                          "Kind of value": b.get("kind", pd.Series([""] * len(b))).to_numpy(),
                          "Present value": b["present_value_gbp"].to_numpy(dtype=float)})
    return Table(frame, {"Present value": "gbp"}, _caption(result, "Benefits by agency (cashable and non-cashable "
                                                                   "value are shown apart, never added)"))


def commercial_table(result: "AppraisalResult", routes: Mapping[str, str], transfers: Mapping[str, bool],
                     pensions: Mapping[str, str]) -> Table:
    """Per option: the delivery vehicle, the procurement route, whether staff transfer under TUPE and the
    pension arrangement (``routes``/``transfers``/``pensions``: option id -> value)."""
    opts = result.options
    frame = pd.DataFrame({
        "Delivery vehicle (option)": opts["name"].to_numpy(),
        "Procurement route": [routes.get(o, "-") for o in opts["id"]],
        "Staff transfer (TUPE)": ["yes" if transfers.get(o) else "no" for o in opts["id"]],
        "Pensions": [pensions.get(o, "-") for o in opts["id"]],
    })
    return Table(frame, {}, "Delivery vehicle, procurement route, TUPE and pensions by option (ILLUSTRATIVE routes "
                            "from the implementation-plan templates)", tuple(
                                i for i, r in enumerate(opts["recommended"]) if r))


def legal_limits_table(facts: pd.DataFrame) -> Table:
    """Legal limits that bind the options (``facts``: fact, value, unit, description, source, option)."""
    frame = pd.DataFrame({"Applies to": facts["option"].to_numpy(), "Limit": facts["description"].to_numpy(),
                          "Value": [f"{v:g} {u}" for v, u in zip(facts["value"], facts["unit"])],
                          "Source": facts["source"].to_numpy()})
    return Table(frame, {}, "Legal limits on the delivery vehicles and contract routes")


def cash_profile_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's profile by financial year: the status quo's net cost, the option's net cost (one-off
    costs included), its one-off costs, the saving, the cumulative saving (GBP, real base-year prices,
    undiscounted) and the discounted saving."""
    opt = option_id or focus_option(result)
    option_ids(result, opt)
    a = result.annual
    mine = a[a["option"] == opt].sort_values("year_index")
    sq = a[a["option"] == STATUS_QUO].set_index("year_index")["cost_gbp"]
    cf = result.cashflows
    one_off = (cf[(cf["option"] == opt) & (cf["kind"] == "one_off")].groupby("year_index")["cost_gbp"].sum())
    frame = pd.DataFrame({
        "Financial year": mine["financial_year"].to_numpy(),
        "Status quo net cost": sq.reindex(mine["year_index"]).to_numpy(dtype=float),
        "Option net cost": mine["cost_gbp"].to_numpy(dtype=float),
        "of which one-off costs": one_off.reindex(mine["year_index"]).fillna(0.0).to_numpy(dtype=float),
        "Saving": mine["saving_gbp"].to_numpy(dtype=float),
        "Cumulative saving": mine["cumulative_saving_gbp"].to_numpy(dtype=float),
        "Discounted saving": mine["pv_saving_gbp"].to_numpy(dtype=float),
    })
    units = {c: "gbp" for c in frame.columns if c != "Financial year"}
    return Table(frame, units, _caption(result, f"{result.option_name(opt)}: costs and savings by year (saving = "
                                                "status quo cost minus option cost; undiscounted except the last "
                                                "column)"))


def affordability_table(result: "AppraisalResult") -> Table:
    """Per option: the steady-state saving a year against the savings target, the gap, the saving as a
    share of the net budget and the chance of meeting the target (Monte Carlo)."""
    opts = result.options[result.options["id"] != STATUS_QUO]
    target = float(result.mc_target_gbp)
    saving = opts["steady_state_saving_gbp"].to_numpy(dtype=float)
    frame = pd.DataFrame({
        "Option": opts["name"].to_numpy(), "Steady-state saving a year": saving,
        "Savings target a year": [target] * len(opts), "Above (below) target": saving - target,
        "Saving as share of net budget": opts["steady_state_saving_share"].to_numpy(dtype=float),
        "P(meets target)": (opts["p_meets_target"].to_numpy(dtype=float) if "p_meets_target" in opts else None),
    })
    units = {"Steady-state saving a year": "gbp", "Savings target a year": "gbp", "Above (below) target": "gbp",
             "Saving as share of net budget": "share", "P(meets target)": "share"}
    return Table(frame, units, _caption(result, "Affordability: each option's yearly saving once fully live against "
                                                "the savings target"),
                 tuple(i for i, r in enumerate(opts["recommended"]) if r))


def people_table(result: "AppraisalResult", transfers: Mapping[str, bool]) -> Table:
    """The people affected by each option: whether staff transfer under TUPE, the FTE and headcount
    transferring (the baseline's, all or none), and the redundancies in FTE implied by the option's
    redundancy share (value used)."""
    base = result.baseline
    used = result.assumptions.set_index(["scope", "key"])["value_used"] if not result.assumptions.empty else {}
    rows = []
    for o, name in zip(result.options["id"], result.options["name"]):
        moves = bool(transfers.get(o))
        share_ = used.get((o, "redundancy_fte_share"), 0.0) if hasattr(used, "get") else 0.0
        rows.append({"Option": name, "Staff transfer (TUPE)": "yes" if moves else "no",
                     "FTE transferring": float(base.fte) if moves else 0.0,
                     "Headcount transferring": int(base.headcount) if moves else 0,
                     "Redundancies (FTE)": float(share_ or 0.0) * float(base.fte)})
    frame = pd.DataFrame(rows)
    units = {"FTE transferring": "number", "Headcount transferring": "integer", "Redundancies (FTE)": "number"}
    return Table(frame, units, f"People affected by each option: staff in scope {base.fte:,.1f} FTE, "
                               f"{base.headcount:,} people" + (" (ILLUSTRATIVE baseline)" if base.illustrative else ""))


def by_horizon_table(result: "AppraisalResult") -> Table | None:
    """Each option's net present saving over several horizons, when the result has them (columns
    ``nps_<years>y_gbp`` of ``result.options``, or a ``by_horizon`` list of {years, net_present_saving_gbp});
    else None."""
    import re

    opts = result.options[result.options["id"] != STATUS_QUO]
    flat = sorted(((int(m.group(1)), c) for c in opts.columns if (m := re.fullmatch(r"nps_(\d+)y_gbp", str(c)))))
    if flat:
        frame = pd.DataFrame({"Option": opts["name"].to_numpy(),
                              **{f"{n} years": opts[c].to_numpy(dtype=float) for n, c in flat}})
    elif "by_horizon" in opts.columns:
        rows = [{"Option": name, **{f"{int(h['years'])} years": float(h["net_present_saving_gbp"]) for h in hs or ()}}
                for name, hs in zip(opts["name"], opts["by_horizon"])]
        frame = pd.DataFrame(rows)
    else:
        return None
    years = [c for c in frame.columns if c != "Option"]
    if not years:
        return None
    return Table(frame, {y: "gbp" for y in years}, _caption(result, "Net present saving over different horizons "
                                                                   "(without residual value)"))


# --- side by side: two options, two scenarios, or with and without what-if values ------------------

#: Headline rows of :func:`compare_table`: options column -> label (all GBP).
COMPARE_ROWS: dict[str, str] = {
    "net_present_saving_gbp": "Net present saving",
    "net_present_cost_gbp": "Net present cost",
    "one_off_cost_gbp": "One-off cost (undiscounted)",
    "steady_state_saving_gbp": "Steady-state saving a year",
    "saving_p10_gbp": "P10 saving",
    "saving_p90_gbp": "P90 saving",
}


def _option_row(result: "AppraisalResult", option_id: str) -> pd.Series:
    option_ids(result, option_id, include_status_quo=True)
    return result.options.set_index("id").loc[option_id]


def compare_table(a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str,
                  label_a: str, label_b: str) -> Table:
    """Headline figures of two views side by side (``label_a``, ``label_b``) and their difference
    (B minus A), GBP against each view's own status quo. Either result may be the same object."""
    ra, rb = _option_row(a, option_a), _option_row(b, option_b)
    rows = []
    for col, label in COMPARE_ROWS.items():
        if col not in ra.index or col not in rb.index:
            continue
        va, vb = ra[col], rb[col]
        diff = None if formats.is_missing(va) or formats.is_missing(vb) else float(vb) - float(va)
        rows.append({"Measure": label, label_a: va, label_b: vb, "Difference (B - A)": diff})
    frame = pd.DataFrame(rows, columns=["Measure", label_a, label_b, "Difference (B - A)"])
    units = {label_a: "gbp", label_b: "gbp", "Difference (B - A)": "gbp"}
    return Table(frame, units, f"A: {label_a}; B: {label_b}. Headline figures against the status quo "
                               f"(GBP, {a.price_basis}; P10 and P90 from the Monte Carlo)")


def compare_savings_table(a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str,
                          label_a: str, label_b: str) -> Table:
    """Annual saving against the status quo by financial year for two views, and the difference (GBP, undiscounted)."""
    option_ids(a, option_a, include_status_quo=True)
    option_ids(b, option_b, include_status_quo=True)
    sa = a.annual[a.annual["option"] == option_a].set_index("financial_year")["saving_gbp"]
    sb = b.annual[b.annual["option"] == option_b].set_index("financial_year")["saving_gbp"]
    years = list(dict.fromkeys([*sa.index, *sb.index]))
    sa, sb = sa.reindex(years), sb.reindex(years)
    frame = pd.DataFrame({"Year": years, label_a: sa.to_numpy(), label_b: sb.to_numpy(),
                          "Difference (B - A)": (sb - sa).to_numpy()})
    return Table(frame, {label_a: "gbp", label_b: "gbp", "Difference (B - A)": "gbp"},
                 f"Annual saving against the status quo, undiscounted (GBP, {a.price_basis})")


def compare_components(a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str) -> pd.DataFrame:
    """What explains the difference in net present saving (B minus A), by cost component.

    A net present saving is the present value of the status quo's costs less the option's, so a
    component contributes ``(PV status quo B - PV status quo A) - (PV option B - PV option A)``, each
    year's cost discounted by its view's own factor. Columns: component, label, contribution_gbp (rows
    that are zero are left out, largest first). A last row ``other`` holds what the cost lines do not
    carry (such as optimism bias), so the rows add up to the difference exactly.
    """
    def pv(result: "AppraisalResult", option: str) -> pd.Series:
        cf = result.cashflows[result.cashflows["option"] == option]
        df = result.annual[result.annual["option"] == option].set_index("year_index")["discount_factor"]
        pvs = cf["cost_gbp"].to_numpy(dtype=float) * cf["year_index"].map(df).fillna(0.0).to_numpy(dtype=float)
        return pd.Series(pvs, index=cf.index).groupby(cf["component"]).sum()

    labels: dict[str, str] = {}
    for r in (a, b):
        labels.update(dict(zip(r.cashflows["component"], r.cashflows["label"])))
    parts = [pv(b, STATUS_QUO), -pv(a, STATUS_QUO), -pv(b, option_b), pv(a, option_a)]
    total = pd.concat(parts, axis=1).fillna(0.0).sum(axis=1)
    total = total[total.abs() > 0.5]
    out = pd.DataFrame({"component": total.index, "label": [labels.get(c, c) for c in total.index],
                        "contribution_gbp": total.to_numpy(dtype=float)})
    out = out.reindex(out["contribution_gbp"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    diff = float(_option_row(b, option_b)["net_present_saving_gbp"]) - float(_option_row(a, option_a)["net_present_saving_gbp"])
    rest = diff - float(out["contribution_gbp"].sum())
    if abs(rest) > 0.5:
        out.loc[len(out)] = {"component": "other", "label": "Other (optimism bias and adjustments)",
                             "contribution_gbp": rest}
    return out


def compare_inputs_table(a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str,
                         label_a: str, label_b: str) -> Table:
    """The inputs that differ between two views: project-wide assumptions and each option's own (matched by
    key name when the options differ), each in its unit."""
    def used(result: "AppraisalResult", option: str) -> pd.DataFrame:
        t = result.assumptions
        t = t[t["scope"].isin(["project", option])]
        return t.assign(name=t["key"]).drop_duplicates("name", keep="last").set_index("name")

    ua, ub = used(a, option_a), used(b, option_b)
    rows = []
    for name in dict.fromkeys([*ua.index, *ub.index]):
        va = ua["value_used"].get(name)
        vb = ub["value_used"].get(name)
        unit = str((ua if name in ua.index else ub).loc[name, "unit"])
        desc = str((ua if name in ua.index else ub).loc[name, "description"])
        missing_a, missing_b = formats.is_missing(va), formats.is_missing(vb)
        if missing_a and missing_b:
            continue
        if not missing_a and not missing_b and abs(float(va) - float(vb)) <= 1e-12 * max(1.0, abs(float(va))):
            continue
        rows.append({"Assumption": desc, "Key": name,
                     label_a: "not used" if missing_a else formats.value_in_unit(va, unit),
                     label_b: "not used" if missing_b else formats.value_in_unit(vb, unit)})
    frame = pd.DataFrame(rows, columns=["Assumption", "Key", label_a, label_b])
    return Table(frame, {}, f"{len(frame)} inputs differ between A ({label_a}) and B ({label_b})")
