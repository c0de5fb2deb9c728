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
from typing import Any

import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from .errors import DDAnalysisError, unknown
from .registry import STATUS_QUO
from .report import gbp, pct
from .result import AppraisalResult

__all__ = [
    "gbp", "pct", "gbp_thousand", "share", "money_table", "show", "illustrative_note", "appraisal_header",
    "recommendation_rule", "recommendation_note", "baseline_table", "options_table", "cashflow_table",
    "savings_table", "sensitivity_table", "focus_option", "switching_table", "monte_carlo_table",
    "mca_scores_table", "mca_rationale_table", "mca_totals_table", "plan_table", "milestones_table",
    "risks_table", "assumptions_table", "programme_table", "markdown_list", "programme_note",
    "projects_table", "project_note", "discount_table", "discount_factors_table", "optimism_bias_table",
    "facts_table", "deflator_table", "scenarios_table", "delivery_models_table", "sources_table",
    "criteria_table", "plan_facts_table", "components_table", "docstring_note", "council_heading",
    "council_trend", "spending_table", "in_scope_change_table", "DEFAULT_TOP", "AUTHORITY_CLASS_NAMES",
    "CHANGE_YEARS",
]

#: How many assumptions the sensitivity tables show by default (the largest swings).
DEFAULT_TOP = 10
MISSING = "-"


# --- formats ------------------------------------------------------------------------------------------

def gbp_thousand(x: float | None) -> str:
    """GBP thousand with thousands separators ('1,234'); '-' for missing; a minus sign for negatives."""
    if x is None or x != x:
        return MISSING
    return f"{x:,.0f}"


def share(x: float | None) -> str:
    """A share as a percentage with at most one decimal, trailing zero dropped: 0.035 -> '3.5%', 0.41 -> '41%'."""
    if x is None or x != x:
        return MISSING
    text = f"{float(x) * 100:,.1f}"
    return (text[:-2] if text.endswith(".0") else text) + "%"


def _number(x: Any, spec: str) -> str:
    if x is None or (isinstance(x, float) and x != x):
        return MISSING
    try:
        return format(float(x), spec)
    except (TypeError, ValueError):
        return str(x)


def _ratio(x: float | None) -> str:
    return _number(x, ",.2f")


def _general(x: Any) -> str:
    """A plain number for an assumption value (4 significant figures, thousands separators)."""
    return _number(x, ",.4g")


def _score(x: float | None) -> str:
    return _number(x, ".1f")


def _check_columns(frame: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DDAnalysisError(f"{what}: column(s) {missing} not in the table; its columns are {list(frame.columns)}")


def money_table(frame: pd.DataFrame, money_cols: Sequence[str] = (), *, pct_cols: Sequence[str] = (),
                thousand_cols: Sequence[str] = (), ratio_cols: Sequence[str] = (), score_cols: Sequence[str] = (),
                number_cols: Sequence[str] = (), nowrap_cols: Sequence[str] = (), caption: str | None = None,
                index: bool = False) -> Styler:
    """A styled table: ``money_cols`` as £ to the pound (GBP), ``pct_cols`` as percentages,
    (at most one decimal: 0.035 -> '3.5%'), ``thousand_cols`` as GBP thousand with separators, ``ratio_cols`` to 2 decimals, ``score_cols``
    to 1 decimal, ``number_cols`` to 4 significant figures; missing values as '-'. Numbers are
    right-aligned and, like ``nowrap_cols`` (dates, years), never wrapped; text is left-aligned.

    The frame is not changed (the Styler works on a copy). ``index=False`` hides the index.
    """
    groups = {"money": money_cols, "percentage": pct_cols, "GBP thousand": thousand_cols, "ratio": ratio_cols,
              "score": score_cols, "number": number_cols}
    for name, cols in {**groups, "no-wrap": nowrap_cols}.items():
        _check_columns(frame, cols, f"money_table ({name} columns)")
    formats: dict[str, Any] = {}
    formats.update({c: gbp for c in money_cols})
    formats.update({c: share for c in pct_cols})
    formats.update({c: gbp_thousand for c in thousand_cols})
    formats.update({c: _ratio for c in ratio_cols})
    formats.update({c: _score for c in score_cols})
    formats.update({c: _general for c in number_cols})
    styler = frame.copy().style.format(formats, na_rep=MISSING)
    styler = styler.set_table_styles([{"selector": "td, th", "props": [("text-align", "left"), ("vertical-align", "top")]},
                                      {"selector": "caption", "props": [("caption-side", "top"), ("text-align", "left"),
                                                                        ("font-weight", "bold")]},
                                      {"selector": "th.row_heading.level1", "props": [("white-space", "nowrap")]}])
    numeric = [c for cols in groups.values() for c in cols]
    if numeric:
        styler = styler.set_properties(subset=list(dict.fromkeys(numeric)),
                                       **{"text-align": "right", "white-space": "nowrap"})
    if nowrap_cols:
        styler = styler.set_properties(subset=list(dict.fromkeys(nowrap_cols)), **{"white-space": "nowrap"})
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


def show(fig: Any) -> None:
    """Display a plotly figure offline: plotly's own MIME bundle (:func:`ddanalysis.charts.mimebundle`),
    drawn by JupyterLab's bundled plotly extension; no plotly.js or MathJax is fetched from a CDN."""
    from IPython.display import display

    from .charts import mimebundle

    display(mimebundle(fig), raw=True)


# --- notes (Markdown) ----------------------------------------------------------------------------------

def illustrative_note(result: AppraisalResult) -> Markdown:
    """A warning when the figures are illustrative (the bundled baselines are), else a one-line note."""
    if result.illustrative:
        return Markdown(
            "> **ILLUSTRATIVE.** The baseline budget, the multi-criteria scores and the plan durations are the "
            "ddanalysis team's illustrative judgements, sized against the council's official outturn, not the "
            f"council's own figures. Source of the baseline: {result.baseline.source}")
    return Markdown(f"Baseline: {result.baseline.source}")


def appraisal_header(result: AppraisalResult) -> Markdown:
    """What this appraisal is: project, councils, scenario, perspective, price basis, horizon, Monte Carlo."""
    draws = len(result.mc_draws)
    mc = (f"**Monte Carlo:** {draws:,} seeded draws (seed {result.mc_seed})." if draws
          else "**Monte Carlo:** not run (draws = 0).")
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


def recommendation_rule() -> str:
    """The rule that picks the recommended option (the engine's :data:`RECOMMENDATION_RULE`)."""
    from .engine import RECOMMENDATION_RULE

    return RECOMMENDATION_RULE


def recommendation_note(result: AppraisalResult) -> Markdown:
    """The recommendation, as a quoted paragraph, with the rule that chose it."""
    rule = recommendation_rule()
    return Markdown(f"> **{result.recommendation}**" + (f"\n\nRule: {rule}" if rule else ""))


# --- appraisal tables ----------------------------------------------------------------------------------

def _price_caption(result: AppraisalResult, what: str) -> str:
    return f"{what} - GBP, {result.price_basis}, {result.perspective} perspective, {result.scenario} scenario"


def _option_ids(result: AppraisalResult, option_id: str | None, include_status_quo: bool = False) -> list[str]:
    ids = list(result.options["id"])
    if option_id is None:
        return ids if include_status_quo else [o for o in ids if o != STATUS_QUO]
    if option_id not in ids:
        raise unknown("option", option_id, ids)
    return [option_id]


def baseline_table(result: AppraisalResult) -> Styler:
    """The status quo budget by subjective line, then gross expenditure, income and net budget (GBP)."""
    base = result.baseline
    frame = base.to_frame()[["label", "kind", "amount_gbp"]]
    totals = pd.DataFrame([
        {"label": "Gross expenditure", "kind": "total", "amount_gbp": base.gross_expenditure_gbp},
        {"label": "Income", "kind": "total", "amount_gbp": base.income_gbp},
        {"label": "Net budget", "kind": "total", "amount_gbp": base.net_budget_gbp},
    ])
    frame = pd.concat([frame, totals], ignore_index=True)
    frame.columns = ["Line", "Kind", "Amount (GBP)"]
    caption = (f"Status quo budget, {base.base_year} (GBP, costs positive, income negative); "
               f"{base.fte:,.1f} FTE, {base.headcount:,} people"
               + (" - ILLUSTRATIVE" if base.illustrative else ""))
    return money_table(frame, ["Amount (GBP)"], caption=caption)


_OPTION_COLUMNS = {
    "name": "Option",
    "go_live": "Go-live",
    "net_present_cost_gbp": "Net present cost",
    "net_present_saving_gbp": "Net present saving",
    "one_off_cost_gbp": "One-off cost (undiscounted)",
    "payback_year": "Payback year",
    "optimism_bias_gbp": "Optimism bias (PV, included)",
    "benefit_cost_ratio": "Benefit-cost ratio (Green Book)",
    "residual_value_gbp": "Residual value (PV, not in the saving)",
    "steady_state_saving_gbp": "Steady-state saving a year",
    "steady_state_saving_share": "Saving as share of net budget",
    "p_saving_positive": "P(saving > 0)",
    "p_meets_target": "P(meets target)",
    "mca_score": "MCA score (0-10)",
    "rank": "Rank (saving)",
    "recommended": "Recommended",
}


def options_table(result: AppraisalResult) -> Styler:
    """One row per option (status quo first): the Green Book headline metrics against the status quo."""
    frame = result.options[list(_OPTION_COLUMNS)].rename(columns=_OPTION_COLUMNS)
    frame["Recommended"] = frame["Recommended"].map({True: "yes", False: ""})
    money = ["Net present cost", "Net present saving", "One-off cost (undiscounted)", "Steady-state saving a year",
             "Optimism bias (PV, included)", "Residual value (PV, not in the saving)"]
    styler = money_table(frame, money, pct_cols=["Saving as share of net budget", "P(saving > 0)", "P(meets target)"],
                         ratio_cols=["Benefit-cost ratio (Green Book)"], score_cols=["MCA score (0-10)"],
                         nowrap_cols=["Go-live", "Payback year"],
                         caption=_price_caption(result, "Options against the status quo"))
    rec = result.options.index[result.options["recommended"]].tolist()
    if rec:
        styler = styler.set_properties(subset=pd.IndexSlice[rec, :], **{"font-weight": "bold"})
    return styler


def cashflow_table(result: AppraisalResult, option_id: str) -> Styler:
    """One option's costs by component (rows) and financial year (columns), with the yearly total (GBP)."""
    _option_ids(result, option_id, include_status_quo=True)
    flows = result.cashflows[result.cashflows["option"] == option_id]
    order = list(dict.fromkeys(flows["label"]))
    years = list(dict.fromkeys(flows["financial_year"]))
    wide = flows.pivot_table(index="label", columns="financial_year", values="cost_gbp", aggfunc="sum", sort=False)
    wide = wide.reindex(index=order, columns=years)
    wide = wide[(wide != 0).any(axis=1)]
    wide.loc["Total"] = flows.groupby("financial_year", sort=False)["cost_gbp"].sum().reindex(years)
    wide = wide.rename_axis(index="Component", columns=None).reset_index()
    return money_table(wide, years, caption=_price_caption(
        result, f"{result.option_name(option_id)}: costs by year (positive = cost, negative = income; "
                "components that are zero in every year are left out)"))


def savings_table(result: AppraisalResult, cumulative: bool = False) -> Styler:
    """Each option's annual saving against the status quo (or cumulative saving), undiscounted, GBP."""
    col = "cumulative_saving_gbp" if cumulative else "saving_gbp"
    annual = result.annual[result.annual["option"] != STATUS_QUO]
    years = list(dict.fromkeys(annual["financial_year"]))
    wide = annual.pivot_table(index="option", columns="financial_year", values=col, aggfunc="sum", sort=False)
    wide = wide.reindex(columns=years)
    wide.index = [result.option_name(o) for o in wide.index]
    wide = wide.rename_axis("Option").reset_index()
    what = "Cumulative saving" if cumulative else "Annual saving"
    return money_table(wide, years, caption=_price_caption(result, f"{what} against the status quo, undiscounted"))


def sensitivity_table(result: AppraisalResult, option_id: str | None = None, top: int | None = DEFAULT_TOP) -> Styler:
    """One-way sensitivity: net present saving with each assumption at its low and high value (GBP).

    ``option_id`` defaults to the recommended option (or the best-ranked one if the status quo is
    recommended); rows are the ``top`` largest swings (all when ``top`` is None).
    """
    opt = option_id or focus_option(result)
    _option_ids(result, opt)
    sens = result.sensitivity[result.sensitivity["option"] == opt]
    if top is not None:
        sens = sens.nsmallest(top, "rank")
    frame = sens[["rank", "description", "unit", "low", "high", "nps_at_low", "nps_base", "nps_at_high", "swing"]]
    frame = frame.rename(columns={"rank": "Rank", "description": "Assumption", "unit": "Unit", "low": "Low value",
                                  "high": "High value", "nps_at_low": "NPS at low", "nps_base": "NPS (scenario)",
                                  "nps_at_high": "NPS at high", "swing": "Swing"})
    return money_table(frame, ["NPS at low", "NPS (scenario)", "NPS at high", "Swing"],
                       number_cols=["Low value", "High value"],
                       caption=_price_caption(result, f"{result.option_name(opt)}: net present saving (NPS) "
                                                      "with one assumption at a time at its low or high value"))


def focus_option(result: AppraisalResult) -> str:
    """The option the notebook examines in detail: the recommended one, else the best-ranked alternative
    (the same choice as the charts' default)."""
    if result.recommended != STATUS_QUO:
        return result.recommended
    others = result.options[result.options["id"] != STATUS_QUO]
    return str(others.sort_values("net_present_saving_gbp", ascending=False).iloc[0]["id"])


def switching_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """Switching values (:func:`ddanalysis.charts.switching_table`): the value of each assumption at which
    the option stops beating the status quo, and at which it draws level with the next-best option."""
    from .charts import switching_table as switching_frame

    opt = option_id or focus_option(result)
    _option_ids(result, opt)
    return money_table(switching_frame(result, opt),
                       caption=f"{result.option_name(opt)}: switching values, in each assumption's own unit "
                               f"({result.scenario} scenario, {result.perspective} perspective; 'none in range' = "
                               "no switch within the assumption's allowed range)")


def monte_carlo_table(result: AppraisalResult) -> Styler:
    """Monte Carlo summary per option: P10 / P50 / P90 net present saving (GBP) and probabilities."""
    mc = result.monte_carlo.copy()
    mc = mc[mc["option"] != STATUS_QUO]
    mc.insert(0, "name", [result.option_name(o) for o in mc["option"]])
    cols = {"name": "Option", "p10": "P10 saving", "p50": "P50 saving", "p90": "P90 saving",
            "p_positive": "P(saving > 0)", "p_meets_target": "P(meets target)"}
    frame = mc[[c for c in cols if c in mc.columns]].rename(columns=cols)
    draws = len(result.mc_draws)
    caption = (_price_caption(result, f"Monte Carlo over {draws:,} draws (seed {result.mc_seed}): net present saving")
               + f"; target: a steady-state saving of {gbp(result.mc_target_gbp)} a year")
    return money_table(frame, ["P10 saving", "P50 saving", "P90 saving"],
                       pct_cols=["P(saving > 0)", "P(meets target)"], caption=caption)


def _criterion_names() -> dict[str, str]:
    from .mca import load_criteria

    crit = load_criteria()
    return dict(zip(crit["criterion"], crit["name"]))


def mca_scores_table(result: AppraisalResult) -> Styler:
    """Scores (0-10, higher is better) per criterion (rows) and option (columns), with the swing weights
    and, in the last row, each option's weighted score."""
    names = _criterion_names()
    wide = result.mca_scores.pivot(index="criterion", columns="option", values="score")
    options = list(dict.fromkeys(result.mca_scores["option"]))
    criteria = list(dict.fromkeys(result.mca_scores["criterion"]))
    wide = wide.reindex(index=criteria, columns=options)
    wide.columns = [result.option_name(o) for o in options]
    weights = pd.Series(result.mca_weights, dtype=float).reindex(criteria)
    wide.insert(0, "Weight", weights.to_numpy())
    total = result.mca_totals.set_index("option")["weighted_score"].reindex(options)
    wide.loc["weighted"] = [float(weights.sum())] + list(total.to_numpy())
    wide.index = [names.get(c, c) if c != "weighted" else "Weighted score" for c in wide.index]
    wide = wide.rename_axis("Criterion").reset_index()
    opt_cols = [c for c in wide.columns if c not in ("Criterion", "Weight")]
    return money_table(wide, pct_cols=["Weight"], score_cols=opt_cols,
                       caption="Multi-criteria analysis: scores 0-10 (higher is better), swing weights summing to "
                               "100% - ILLUSTRATIVE scores and weights, for the council's own scoring workshop")


def mca_rationale_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The written rationale of each score of one option (default: the recommended / focus option)."""
    opt = option_id or focus_option(result)
    _option_ids(result, opt, include_status_quo=True)
    names = _criterion_names()
    rows = result.mca_scores[result.mca_scores["option"] == opt]
    frame = pd.DataFrame({"Criterion": [names.get(c, c) for c in rows["criterion"]],
                          "Score (0-10)": rows["score"].to_numpy(), "Rationale": rows["rationale"].to_numpy()})
    return money_table(frame, score_cols=["Score (0-10)"],
                       caption=f"{result.option_name(opt)}: why each score (ILLUSTRATIVE)")


def mca_totals_table(result: AppraisalResult) -> Styler:
    """Weighted score and rank per option, and how often it ranks first when the weights move."""
    totals = result.mca_totals.merge(result.mca_stability, on="option", how="left")
    totals.insert(0, "name", [result.option_name(o) for o in totals["option"]])
    frame = totals[["name", "weighted_score", "rank", "share_first", "mean_rank"]].rename(columns={
        "name": "Option", "weighted_score": "Weighted score (0-10)", "rank": "Rank",
        "share_first": "Ranks first (share of weight draws)", "mean_rank": "Mean rank"})
    return money_table(frame, pct_cols=["Ranks first (share of weight draws)"],
                       score_cols=["Weighted score (0-10)"], ratio_cols=["Mean rank"],
                       caption="Multi-criteria analysis: weighted totals and rank stability under moving weights "
                               "(ILLUSTRATIVE)")


# --- implementation plan -------------------------------------------------------------------------------

def _plan(result: AppraisalResult, option_id: str | None) -> tuple[str, Any]:
    opt = option_id or focus_option(result)
    if opt not in result.plans:
        raise unknown("option with a plan", opt, list(result.plans))
    return opt, result.plans[opt]


def plan_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's implementation plan: one row per phase with its duration (weeks), dates, dependencies,
    whether it is on the critical path and its slack (weeks)."""
    opt, plan = _plan(result, option_id)
    ph = plan.phases
    names = dict(zip(ph["phase"], ph["name"]))
    frame = pd.DataFrame({
        "Phase": ph["name"].to_numpy(),
        "Depends on": ["; ".join(names.get(d.strip(), d.strip()) for d in str(dep).split(",") if d.strip())
                       for dep in ph["depends_on"].fillna("")],
        "Duration (weeks)": ph["duration_weeks"].to_numpy(),
        "Start": [str(d) for d in ph["start"]], "Finish": [str(d) for d in ph["finish"]],
        "Critical path": ["yes" if c else "" for c in ph["critical"]],
        "Slack (weeks)": ph["slack_weeks"].to_numpy(),
    })
    return money_table(frame, number_cols=["Duration (weeks)", "Slack (weeks)"], nowrap_cols=["Start", "Finish"],
                       caption=f"{result.option_name(opt)}: implementation plan by phase, {plan.duration_case} "
                               f"durations (ILLUSTRATIVE); go-live {plan.go_live.isoformat()}")


def milestones_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's milestones with their dates."""
    opt, plan = _plan(result, option_id)
    frame = pd.DataFrame({"Milestone": plan.milestones["milestone"].to_numpy(),
                          "Date": [str(d) for d in plan.milestones["date"]]})
    return money_table(frame, nowrap_cols=["Date"], caption=f"{result.option_name(opt)}: milestones")


def risks_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """The option's risk register: likelihood and impact (1-5), score (likelihood x impact), owner, mitigation."""
    opt, plan = _plan(result, option_id)
    frame = plan.risks.rename(columns={"risk": "Risk", "likelihood": "Likelihood (1-5)", "impact": "Impact (1-5)",
                                       "score": "Score", "owner": "Owner", "mitigation": "Mitigation"})
    return money_table(frame, caption=f"{result.option_name(opt)}: risk register, highest score first (ILLUSTRATIVE)")


# --- assumptions -----------------------------------------------------------------------------------------

def _link(title: str, url: str) -> str:
    title = html.escape(str(title or ""))
    if url and str(url).startswith(("http://", "https://")):
        return f'<a href="{html.escape(str(url), quote=True)}" target="_blank">{title}</a>'
    return title


def assumptions_table(result: AppraisalResult, option_id: str | None = None) -> Styler:
    """Every assumption used (project-wide ones and each option's), with its range, the value used in
    this scenario, its basis, quality rating (green / amber / red) and source (linked)."""
    table = result.assumptions
    if option_id is not None:
        _option_ids(result, option_id, include_status_quo=True)
        table = table[table["scope"].isin(["project", option_id])]
    scope_names = {o: result.option_name(o) for o in result.options["id"]}
    frame = pd.DataFrame({
        "Applies to": [scope_names.get(s, "All options") for s in table["scope"]],
        "Assumption": table["description"].to_numpy(),
        "Unit": table["unit"].to_numpy(),
        "Low": table["low"].to_numpy(), "Central": table["central"].to_numpy(), "High": table["high"].to_numpy(),
        "Used": table["value_used"].to_numpy(),
        "Basis": table["basis"].to_numpy(), "Quality": table["quality"].to_numpy(),
        "Source": [_link(t, u) for t, u in zip(table["source"], table["link"])],
    })
    colours = {"green": "#d9ead3", "amber": "#fce5cd", "red": "#f4cccc"}
    styler = money_table(frame, number_cols=["Low", "Central", "High", "Used"],
                         caption=f"Assumptions used ({result.scenario} scenario): ranges, value used, quality and "
                                 "source; money assumptions in GBP, real 2014-15 prices")
    return styler.map(lambda q: f"background-color: {colours[q]}" if q in colours else "", subset=["Quality"])


# --- programme ---------------------------------------------------------------------------------------------

_PROGRAMME_COLUMNS = {
    "title": "Project", "councils": "Council(s)", "baseline_net_gbp": "In-scope net budget",
    "baseline_gross_gbp": "In-scope gross budget", "recommended_name": "Best option",
    "net_present_saving_gbp": "Net present saving", "payback_year": "Payback year", "go_live": "Go-live",
    "illustrative": "Illustrative",
}


def programme_table(summary: pd.DataFrame, scenario: str | None = None, perspective: str | None = None) -> Styler:
    """The programme summary (one row per project) with its money as £ and a total row (GBP, real 2014-15);
    ``scenario`` and ``perspective`` (those of the summary) go into the caption."""
    _check_columns(summary, _PROGRAMME_COLUMNS, "programme_table")
    frame = summary[list(_PROGRAMME_COLUMNS)].rename(columns=_PROGRAMME_COLUMNS)
    frame["Illustrative"] = frame["Illustrative"].map({True: "yes", False: "no"})
    money = ["In-scope net budget", "In-scope gross budget", "Net present saving"]
    total = {c: "" for c in frame.columns}
    total.update({"Project": "Programme total", **{c: float(summary[k].sum()) for k, c in _PROGRAMME_COLUMNS.items()
                                                   if c in money}})
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    basis = ", ".join(x for x in (f"{scenario} scenario" if scenario else "",
                                  f"{perspective} perspective" if perspective else "") if x)
    caption = ("Programme summary: in-scope budgets (2014-15) and each project's recommended option"
               + (f", {basis}" if basis else "") + " - GBP, real 2014-15 prices")
    return money_table(frame, money, nowrap_cols=["Payback year", "Go-live"], caption=caption)


def markdown_list(items: Mapping[str, str] | Iterable[str]) -> Markdown:
    """A Markdown bullet list ('- key: value' for a mapping)."""
    if isinstance(items, Mapping):
        return Markdown("\n".join(f"- **{k}:** {v}" for k, v in items.items()))
    return Markdown("\n".join(f"- {v}" for v in items))


def programme_note(summary: pd.DataFrame) -> Markdown:
    """The programme's totals in words: in-scope budgets, savings of the recommended options, how many change."""
    _check_columns(summary, ["baseline_net_gbp", "net_present_saving_gbp", "recommended", "go_live", "illustrative"],
                   "programme_note")
    changing = summary[summary["recommended"] != STATUS_QUO]
    dates = pd.to_datetime(changing["go_live"].dropna())
    timing = (f" Go-live dates run from {dates.min():%d %B %Y} to {dates.max():%d %B %Y}." if not dates.empty else "")
    ill = " All figures are ILLUSTRATIVE (see the notes on the baselines)." if bool(summary["illustrative"].any()) else ""
    return Markdown(
        f"Across the {len(summary)} projects, the in-scope services have net budgets of "
        f"**{gbp(float(summary['baseline_net_gbp'].sum()))}** a year between them. The recommended options save "
        f"**{gbp(float(summary['net_present_saving_gbp'].sum()))}** in net present terms (GBP, real 2014-15 "
        f"prices, over each appraisal's horizon). {len(changing)} of the {len(summary)} projects recommend a change "
        f"of delivery model; {len(summary) - len(changing)} keep the service in-house for now.{timing}{ill}")


def projects_table() -> Styler:
    """The programme's projects from the registry: title, councils, services in scope, short list, plan start."""
    from .registry import projects_frame

    frame = projects_frame()[["title", "councils", "services", "shortlist", "plan_start", "id"]].rename(columns={
        "title": "Project", "councils": "Council(s)", "services": "Services in scope",
        "shortlist": "Short-listed options (ILLUSTRATIVE)", "plan_start": "Plan start", "id": "Project id"})
    return money_table(frame, caption="The Delivering Differently projects (data/projects.yaml)")


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
    rows = [{"From year": lo, "To year": "and beyond" if hi is None else hi, "Rate": rate}
            for lo, hi, rate in book.settings.discount_bands]
    src = book.settings.sources_of_settings["discount_schedule"]
    return money_table(pd.DataFrame(rows), pct_cols=["Rate"],
                       caption=f"Discount rate by appraisal year (year 0 undiscounted). Source: {_source_title(book, src)}")


def discount_factors_table(book: Any = None, horizon_years: int | None = None) -> Styler:
    """The discount factor of each appraisal year over the horizon (appraisal.yaml's unless given)."""
    from .appraisal import discount_factors
    from .years import fy_label, fy_start_year

    book = _book(book)
    n = int(horizon_years or book.settings.horizon_years)
    first = fy_start_year(book.settings.first_year)
    factors = discount_factors(n, book.settings.discount_bands)
    frame = pd.DataFrame({"Year index": range(n), "Financial year": [fy_label(first + t) for t in range(n)],
                          "Discount factor": factors})
    return money_table(frame, number_cols=["Discount factor"],
                       caption="Green Book discount factors: the product of 1 / (1 + rate) over the years to date")


def optimism_bias_table(book: Any = None) -> Styler:
    """Optimism-bias upper bounds by project category, and which category each kind of cost takes."""
    book = _book(book)
    use = {}
    for kind, cat in book.settings.optimism_bias_use.items():
        use.setdefault(cat, []).append(kind.replace("_", " "))
    frame = pd.DataFrame([{"Category": cat.replace("_", " "), "Upper bound": upper,
                           "Used here for": ", ".join(use.get(cat, [])) or "-"}
                          for cat, upper in book.settings.optimism_bias_upper.items()])
    src = book.settings.sources_of_settings["optimism_bias"]
    return money_table(frame, pct_cols=["Upper bound"],
                       caption=f"Optimism bias upper bounds (uplift before mitigation). Source: {_source_title(book, src)}")


def facts_table(book: Any = None) -> Styler:
    """Facts fixed by law or by a published scheme (not varied in scenarios), with their sources."""
    book = _book(book)
    rows = []
    for name, spec in book.settings.facts.items():
        if "by_class" in spec:
            value = ", ".join(f"{k} {share(v)}" for k, v in spec["by_class"].items())
        else:
            value = share(spec.get("value"))
        rows.append({"Fact": name.replace("_", " "), "Value": value, "Unit": spec.get("unit", ""),
                     "Quality": spec.get("quality", ""), "Source": _source_title(book, spec.get("source", ""))})
    return money_table(pd.DataFrame(rows), caption="Facts of law and published schemes used by every appraisal")


def deflator_table(book: Any = None) -> Styler:
    """The GDP deflator index (base year = 100) used to turn cash figures into real base-year prices."""
    book = _book(book)
    d = book.settings.gdp_deflator
    frame = pd.DataFrame({"Financial year": list(d.index), "GDP deflator index": d.to_numpy()})
    src = book.settings.sources_of_settings["gdp_deflator"]
    return money_table(frame, number_cols=["GDP deflator index"],
                       caption=f"GDP deflator, {book.settings.base_year} = 100. Source: {_source_title(book, src)}")


def scenarios_table(book: Any = None) -> Styler:
    """The named scenarios: how each picks assumption values and plan durations, and what it sets."""
    book = _book(book)
    rows = [{"Scenario": sc.name, "Description": sc.description, "Values picked": sc.pick,
             "Plan durations": sc.plan_duration,
             "Set explicitly": "; ".join(f"{a}.{b} = {v:g}" for (a, b), v in sc.set.items()) or "-"}
            for sc in book.scenarios.values()]
    return money_table(pd.DataFrame(rows), caption="Scenarios (data/assumptions/scenarios.yaml)")


def delivery_models_table(book: Any = None) -> Styler:
    """The delivery models an appraisal can compare, with their descriptions."""
    book = _book(book)
    frame = pd.DataFrame([{"Model": m["name"], "Id": mid, "Description": m["description"]}
                          for mid, m in book.models.items()])
    return money_table(frame, caption="Delivery models (data/assumptions/models/)")


def sources_table(book: Any = None) -> Styler:
    """Every source an assumption may cite (data/assumptions/sources.yaml), linked."""
    book = _book(book)
    frame = pd.DataFrame([{"Id": sid, "Source": _link(s.get("title", ""), s.get("link", ""))}
                          for sid, s in book.sources.items()])
    return money_table(frame, caption="Sources of the assumptions")


def criteria_table() -> Styler:
    """The multi-criteria analysis criteria and their default swing weights (ILLUSTRATIVE)."""
    from .mca import load_criteria

    frame = load_criteria()[["name", "description", "weight"]].rename(
        columns={"name": "Criterion", "description": "What it asks", "weight": "Default weight"})
    return money_table(frame, pct_cols=["Default weight"],
                       caption="Non-monetised criteria (data/mca/criteria.yaml); weights ILLUSTRATIVE")


def plan_facts_table() -> Styler:
    """The legal facts the implementation plans respect (data/plans/phases.yaml)."""
    from .plan import catalogue_facts

    facts = catalogue_facts()
    frame = pd.DataFrame({"Fact": facts["description"].to_numpy(), "Value": facts["value"].to_numpy(),
                          "Unit": facts["unit"].to_numpy(),
                          "Source": [_link(t, u) for t, u in zip(facts["source"], facts["link"])]})
    return money_table(frame, number_cols=["Value"], caption="Legal facts behind the implementation plans")


def components_table() -> Styler:
    """The cost components of every option's cash flows, operating (yearly) or one-off (transition)."""
    from .cashflow import COMPONENT_LABELS, ONE_OFF_COMPONENTS

    frame = pd.DataFrame([{"Component": label, "Id": key, "Kind": "one-off" if key in ONE_OFF_COMPONENTS else "operating"}
                          for key, label in COMPONENT_LABELS.items()])
    return money_table(frame, caption="Cash-flow components (ddanalysis.cashflow)")


def docstring_note(obj: Any) -> Markdown:
    """An object's docstring as Markdown (reStructuredText ``code`` becomes `code`): the method as the code states it."""
    import inspect

    text = inspect.getdoc(obj) or ""
    return Markdown(text.replace("``", "`"))


# --- council context (the strategic case) ----------------------------------------------------------------------

#: Names of the DCLG authority classes (as in the RS returns).
AUTHORITY_CLASS_NAMES = {"L": "London borough", "MD": "metropolitan district", "UA": "unitary authority",
                         "SC": "shire county", "SD": "shire district", "O": "other authority"}
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
        + (f". Delivering Differently project(s): {', '.join(projects)} (their service blocks are drawn thick)."
           if projects else "."))


def council_trend(spending: pd.DataFrame, code: str, real: bool = True) -> Any:
    """The council's net current expenditure by service block and year (:func:`ddanalysis.charts.spending_trend`),
    in GBP, real 2014-15 prices (``real=True``) or cash; the blocks of the council's projects drawn thick."""
    from .charts import spending_trend
    from .registry import council

    _check_columns(spending, ["year", "label", "service", "cash_gbp_k", "real_gbp_k"], "council_trend")
    col = "real_gbp_k" if real else "cash_gbp_k"
    frame = pd.DataFrame({"year": spending["year"].astype(str), "label": spending["label"],
                          "value_gbp": spending[col].astype(float) * 1000.0}).dropna(subset=["value_gbp"])
    highlight = sorted(set(spending.loc[spending["service"].isin(_in_scope(code)), "label"]))
    return spending_trend(frame, council=str(council(code)["name"]),
                          price_basis="real 2014-15 prices" if real else "cash prices of each year", highlight=highlight)


def spending_table(spending: pd.DataFrame) -> Styler:
    """A council's spending by service block (GBP thousand): for each block its cash figures, its real
    figures (2014-15 prices) and the real figures of the median council of its class, by year; and
    the real-terms change over :data:`CHANGE_YEARS`, the council's and the class median's."""
    from .context import spending_change

    _check_columns(spending, ["year", "service", "label", "cash_gbp_k", "real_gbp_k", "class_median_real_gbp_k"],
                   "spending_table")
    years = sorted(spending["year"].astype(str).unique())
    order = list(dict.fromkeys(spending.sort_values("service", kind="stable")["label"]))
    measures = {"cash_gbp_k": "Council, cash", "real_gbp_k": "Council, real",
                "class_median_real_gbp_k": "Class median, real"}
    long = spending.melt(id_vars=["year", "label", "service"], value_vars=list(measures), var_name="m", value_name="v")
    wide = long.pivot_table(index=["label", "m"], columns="year", values="v", aggfunc="first", sort=False)
    index = pd.MultiIndex.from_product([order, list(measures)])
    wide = wide.reindex(index=index, columns=years)
    change = spending_change(spending, *CHANGE_YEARS).set_index("service")
    label_to_service = dict(zip(spending["label"], spending["service"]))
    col = f"Real change {CHANGE_YEARS[0]} to {CHANGE_YEARS[1]}"
    wide[col] = [
        change.loc[label_to_service[lab], "council_change"] if m == "real_gbp_k" and label_to_service[lab] in change.index
        else change.loc[label_to_service[lab], "class_median_change"]
        if m == "class_median_real_gbp_k" and label_to_service[lab] in change.index else float("nan")
        for lab, m in wide.index]
    wide.index = pd.MultiIndex.from_tuples([(lab, measures[m]) for lab, m in wide.index], names=["Service block", ""])
    wide = wide.dropna(how="all")
    name = str(spending["authority"].iloc[0]) if not spending.empty else ""
    return money_table(wide, thousand_cols=years, pct_cols=[col], index=True, caption=(
        f"{name}: net current expenditure by service block, GBP thousand (cash = prices of each year; real = "
        f"2014-15 prices, GDP deflator). Source: DCLG Revenue Outturn Summary (RS), Open Government Licence v3.0"))


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
            rows.append({"Project": p.title, "Council": r.authority, "Service block": labels.get(r.service, r.service),
                         "Council change": r.council_change, "Class median change": r.class_median_change})
    frame = pd.DataFrame(rows)
    return money_table(frame, pct_cols=["Council change", "Class median change"], caption=(
        f"Real-terms change in net current expenditure, {CHANGE_YEARS[0]} to {CHANGE_YEARS[1]} (2014-15 prices), "
        "of each project's service block(s): the council against the median council of its class. Source: DCLG "
        "Revenue Outturn Summary (RS), Open Government Licence v3.0"))
