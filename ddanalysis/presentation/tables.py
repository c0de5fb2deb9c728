"""Every table the outputs show, shaped once: labelled columns, a unit tag per column, a caption.

Each function takes an :class:`~ddanalysis.result.AppraisalResult` (or a programme summary) and
returns a :class:`Table`; the renderers lay it out: :mod:`ddanalysis.display` (pandas Styler in
notebooks), the dashboards (HTML), the Excel writer (cells with number formats by unit) and the
CLI (plain text). Values stay numbers (GBP, real base-year prices, shares as fractions) so each
renderer formats them by :mod:`ddanalysis.presentation.formats`; nothing is rounded here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..assumptions import TEAM_JUDGEMENT, load_book
from ..errors import DDAnalysisError, unknown
from ..frames import records
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
        return replace(
            self,
            frame=self.frame[list(columns)],
            units={c: u for c, u in self.units.items() if c in columns},
            caption=self.caption if caption is None else caption,
        )

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
#: The options' payback column: the first year the cumulative saving, undiscounted, turns positive and stays so
#: (:func:`ddanalysis.appraisal.payback_index`); said in its name because the public-value table's payback by
#: agency is discounted (:data:`PAYBACK_COLUMN`).
PAYBACK_UNDISCOUNTED = "Payback year (undiscounted)"

OPTION_COLUMNS: dict[str, tuple[str, str]] = {
    "name": ("Option", "text"),
    "go_live": ("Go-live", "date"),
    "net_present_cost_gbp": ("Net present cost", "gbp"),
    "net_present_saving_gbp": ("Net present saving", "gbp"),
    "one_off_cost_gbp": ("One-off cost (undiscounted, with optimism bias)", "gbp"),
    "payback_year": (PAYBACK_UNDISCOUNTED, "text"),
    "optimism_bias_gbp": ("Optimism bias (PV, included)", "gbp"),
    "benefit_cost_ratio": ("Benefit-cost ratio (Green Book, with residual value)", "ratio"),
    "benefit_cost_ratio_note": ("Benefit-cost ratio: why none", "text"),
    "residual_value_gbp": ("Residual value (PV, not in the saving)", "gbp"),
    "steady_state_saving_gbp": ("Steady-state saving a year", "gbp"),
    "steady_state_saving_share": ("Saving as share of net budget", "share"),
    "saving_p10_gbp": ("P10 saving", "gbp"),
    "saving_p50_gbp": ("P50 saving", "gbp"),
    "saving_p90_gbp": ("P90 saving", "gbp"),
    "p_saving_positive": ("P(net present saving > 0)", "share"),
    "p_meets_target": ("P(final-year saving meets target)", "share"),
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
    for c in (
        "P10 saving",
        "P50 saving",
        "P90 saving",
        "P(net present saving > 0)",
        "P(final-year saving meets target)",
    ):
        if c in frame.columns:
            frame.loc[sq, c] = None
    units = {OPTION_COLUMNS[c][0]: OPTION_COLUMNS[c][1] for c in cols}
    emphasis = tuple(i for i, r in enumerate(opts["recommended"]) if r)
    return Table(frame, units, _caption(result, "Options against the status quo"), emphasis)


# --- results at several horizons (M8) -------------------------------------------------------


def _horizon_columns(options: pd.DataFrame) -> list[tuple[int, str]]:
    """(years, column) of the options frame's net present saving by horizon (``nps_<years>y_gbp``), by years."""
    cols = [c for c in options.columns if c.startswith("nps_") and c.endswith("y_gbp") and c[4:-5].isdigit()]
    return sorted((int(c[4:-5]), c) for c in cols)


def horizon_label(years: int) -> str:
    """The horizons table's column of the net present saving over ``years`` years."""
    return f"Net present saving, {years} years"


def horizons_table(result: "AppraisalResult") -> Table:
    """Each option's net present saving over 10, 15 and 20 years side by side (option x horizon, GBP;
    the same cash flows, discounted to the first appraisal year, without residual value), with the
    residual value beyond the appraisal horizon (not in the saving) and the optimism bias included.

    Equals the JSON's ``by_horizon``; the status quo's row is 0 (the benchmark). The recommended
    option's row is emphasised.
    """
    opts = result.options.reset_index(drop=True)
    frame = pd.DataFrame({"Option": opts["name"].to_numpy()})
    units: dict[str, str] = {}
    horizons = _horizon_columns(opts)
    for years, col in horizons:
        frame[horizon_label(years)] = opts[col].to_numpy(dtype=float)
        units[horizon_label(years)] = "gbp"
    residual = f"Residual value after {result.horizon_years} years (PV, not in the saving)"
    for col, label in (("residual_value_gbp", residual), ("optimism_bias_gbp", "Optimism bias (PV, included)")):
        if col in opts.columns:
            frame[label] = opts[col].to_numpy(dtype=float)
            units[label] = "gbp"
    emphasis = tuple(i for i, r in enumerate(opts["recommended"]) if r) if "recommended" in opts.columns else ()
    years_text = ", ".join(str(y) for y, _c in horizons[:-1]) + (f" and {horizons[-1][0]}" if horizons else "")
    what = (
        f"Net present saving at {years_text} years against the status quo (the same cash flows, no residual "
        f"value); residual value beyond the {result.horizon_years}-year horizon and optimism bias beside it"
    )
    return Table(frame, units, _caption(result, what), emphasis)


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
    return Table(
        frame,
        {y: "gbp" for y in years},
        _caption(
            result,
            f"{result.option_name(option_id)}: costs by year (positive = cost, negative = income; "
            "components that are zero in every year are left out)",
        ),
    )


def monte_carlo_table(result: "AppraisalResult") -> Table:
    """Monte Carlo summary per option: P10 / P50 / P90 net present saving (GBP) and probabilities."""
    mc = result.monte_carlo
    mc = mc[mc["option"] != STATUS_QUO]
    names = [result.option_name(o) for o in mc["option"]]
    labels = {
        "p10": "P10 saving",
        "p50": "P50 saving",
        "p90": "P90 saving",
        "p_positive": "P(net present saving > 0)",
        "p_meets_target": "P(final-year saving meets target)",
    }
    frame = pd.DataFrame({"Option": names})
    for k, label in labels.items():
        frame[label] = mc[k].to_numpy() if k in mc.columns else None
    draws = len(result.mc_draws)
    caption = (
        _caption(result, f"Monte Carlo over {draws:,} draws (seed {result.mc_seed}): net present saving")
        + f"; target: a steady-state saving of {formats.money(result.mc_target_gbp)} a year"
        + (f" ({basis})" if (basis := savings_target_basis(result)) else "")
    )
    units = {
        "P10 saving": "gbp",
        "P50 saving": "gbp",
        "P90 saving": "gbp",
        "P(net present saving > 0)": "share",
        "P(final-year saving meets target)": "share",
    }
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
    labels = {
        "rank": "Rank",
        "description": "Assumption",
        "unit": "Unit",
        "low": "Low value",
        "high": "High value",
        "nps_at_low": "NPS at low",
        "nps_base": "NPS (scenario)",
        "nps_at_high": "NPS at high",
        "swing": "Swing",
    }
    frame = pd.DataFrame({label: (sens[k].to_numpy() if k in sens.columns else []) for k, label in labels.items()})
    units = {
        "Rank": "integer",
        "Low value": "number",
        "High value": "number",
        "NPS at low": "gbp",
        "NPS (scenario)": "gbp",
        "NPS at high": "gbp",
        "Swing": "gbp",
    }
    measure = getattr(result, "sensitivity_measure", text.TORNADO_MEASURE)
    shown = "(NPS)" if measure == text.TORNADO_MEASURE else "(in the NPS columns)"
    note = getattr(result, "sensitivity_note", "")
    return Table(
        frame,
        units,
        _caption(
            result,
            f"{result.option_name(opt)}: {measure} {shown} with one assumption "
            "at a time at its low or high value" + (f". {note}" if note else ""),
        ),
    )


def _option_switching(result: "AppraisalResult", option_id: str) -> pd.DataFrame:
    """One option's rows of the switching frame (``result.switching``), each with its assumption's tornado
    ``rank`` and ``low`` / ``high`` from the sensitivity table (missing where the assumption has no row there);
    empty when switching values were not worked out. Shared by the switching table and the nearest switches, so
    both read the same rows."""
    sw = result.switching
    if sw is None or sw.empty:
        return pd.DataFrame()
    rows = sw[sw["option"] == option_id]
    sens = result.sensitivity
    if sens.empty:
        return rows.assign(rank=np.nan, low=np.nan, high=np.nan)
    return rows.merge(
        sens[sens["option"] == option_id][["scope", "key", "rank", "low", "high"]], on=["scope", "key"], how="left"
    )


def switching_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """Switching values of an option, each in its assumption's own unit: the value at which the option
    stops saving money against the status quo, and at which it draws level with the next-best option.

    Rows follow the tornado's order (largest swing first) when sensitivity is available.
    """
    opt = option_id or focus_option(result)
    option_ids(result, opt)
    cols = [
        "Assumption",
        "Unit",
        "Value used",
        "Breaks even with the status quo at",
        "Next-best option",
        "Draws level with the next-best at",
    ]
    caption = (
        f"{result.option_name(opt)}: switching values, in each assumption's own unit ({result.scenario} "
        f"scenario, {result.perspective} perspective; 'none in range' = no switch within the assumption's "
        f"allowed range; other assumptions held at the scenario's values). {text.SWITCHING_RANGE_NOTE} "
        f"{text.SWITCHING_COMPARATOR_NOTE}"
    )
    rows = _option_switching(result, opt)
    if rows.empty:
        return Table(pd.DataFrame(columns=cols), {}, caption)
    rows = rows.sort_values("rank", kind="stable", na_position="last")
    names = result.options.set_index("id")["name"]
    frame = pd.DataFrame(
        {
            cols[0]: rows["description"].to_numpy(),
            cols[1]: rows["unit"].to_numpy(),
            cols[2]: [formats.value_in_unit(v, u) for v, u in zip(rows["value"], rows["unit"])],
            cols[3]: [formats.value_in_unit(v, u) for v, u in zip(rows["switch_vs_status_quo"], rows["unit"])],
            cols[4]: [str(names.get(n, n)) for n in rows["next_best"]],
            cols[5]: [formats.value_in_unit(v, u) for v, u in zip(rows["switch_vs_next_best"], rows["unit"])],
        }
    ).reset_index(drop=True)
    return Table(frame, {}, caption)


def _assumption_book(result: "AppraisalResult") -> Any:
    """The assumption book the result was appraised with: its model's, or, for a result read back from the
    dashboards' cache (which carries no model), the project's book loaded again (cached); None when neither."""
    book = getattr(getattr(result, "model", None), "book", None)
    if book is not None:
        return book
    try:
        return load_book(result.project_id)
    except DDAnalysisError:
        return None


def savings_target_basis(result: "AppraisalResult") -> str:
    """Where the savings target comes from, in words: its share of the net budget and whose it is: the team's
    illustrative judgement (``appraisal.yaml`` ``targets``, source ``team-judgement``), said not to be the
    council's, with where to give the council's own; or the council's own (a workspace's ``assumptions.yaml``
    ``targets``), with its source's title; '' when the result's assumption book cannot be had."""
    book = _assumption_book(result)
    target = getattr(getattr(book, "settings", None), "targets", {}).get("steady_state_saving_share") if book else None
    if not target:
        return ""
    said = f"{formats.share(target['value'])} of the net budget"
    if target.get("source") == TEAM_JUDGEMENT:
        return said + (
            ": ILLUSTRATIVE, the team's judgement, not the council's target; give the council's own (its "
            "medium-term financial plan's) under targets in the workspace's assumptions.yaml"
        )
    title = str(getattr(book, "sources", {}).get(target.get("source"), {}).get("title", "")).strip()
    if target.get("origin"):
        return said + f": the council's own target ({title or target.get('source')}; {target['origin']})"
    return said + (f" ({title})" if title else "")


def nearest_switches(result: "AppraisalResult", top: int = 3) -> list[text.Switch]:
    """The recommended option's switching values against the next-best option, nearest first: ordered by how
    far each lies from the value used, as a share of its assumption's low-to-high range (the sensitivity
    table's), so a lever a small move would tip comes first whatever its unit. Only switches that exist
    (finite) for assumptions with a range; empty when the status quo is kept or switching values were not
    worked out."""
    opt = result.recommended
    if opt == STATUS_QUO:
        return []
    rows = _option_switching(result, opt)
    if rows.empty:
        return []
    rows = rows[np.isfinite(rows["switch_vs_next_best"].astype(float)) & (rows["high"] > rows["low"])]
    if rows.empty:
        return []
    distance = (rows["switch_vs_next_best"] - rows["value"]).abs() / (rows["high"] - rows["low"])
    rows = rows.assign(distance=distance).sort_values(["distance", "key"], kind="stable").head(top)
    names = result.options.set_index("id")["name"]
    return [
        text.Switch(
            f"{_short_description(str(r['description']))} ({r['scope']}.{r['key']})",
            str(r["unit"]),
            float(r["value"]),
            float(r["switch_vs_next_best"]),
            float(r["low"]),
            float(r["high"]),
            str(names.get(r["next_best"], r["next_best"])),
            _rests_on(result, str(r["scope"]), str(r["key"])),
            f"{r['scope']}.{r['key']}",
        )
        for _i, r in rows.iterrows()
    ]


def _rests_on(result: "AppraisalResult", scope: str, key: str) -> str:
    """What the value of assumption ``scope.key`` rests on, in words (:func:`text.evidence_words`), from the
    result's assumption table; '' when the table has no such row or no quality."""
    frame = getattr(result, "assumptions", None)
    if frame is None or frame.empty or "quality" not in frame.columns:
        return ""
    row = frame[(frame["scope"] == scope) & (frame["key"] == key)]
    if row.empty:
        return ""
    if f"{scope}.{key} = " in str(getattr(result, "what_if", "") or ""):
        return text.WHAT_IF_WORDS
    first = row.iloc[0]
    return text.evidence_words(str(first.get("quality", "")), str(first.get("source_id", "")) == TEAM_JUDGEMENT)


def _short_description(description: str) -> str:
    """An assumption's description up to its first bracket, comma or semicolon, as the object of a sentence
    ('Change in the pay bill (pay, ...' -> 'the change in the pay bill'; an acronym keeps its capitals)."""
    head = re.split(r" \(|,|;", description, maxsplit=1)[0].strip()
    if head[:2].istitle():
        head = head[0].lower() + head[1:]
    return head if head.startswith("the ") else f"the {head}"


def recommendation_notes(result: "AppraisalResult") -> list[str]:
    """What every output says under the rule, beside the recommendation: the options the rule passes over
    (:func:`passed_over_note`), what would change it (:func:`switching_note`) and, for an option on a reserved
    contract, how long the contract lasts against the years the saving is counted
    (:func:`reserved_term_note`), each when there is one."""
    return [said for said in (passed_over_note(result), switching_note(result), reserved_term_note(result)) if said]


def reserved_term_note(result: "AppraisalResult") -> str:
    """:func:`ddanalysis.presentation.text.reserved_term_sentence` when the recommended option's plan template
    records a reserved-contract limit (the mutual's, PCR 2015 reg. 77) shorter than the appraisal's horizon;
    '' otherwise (or when the option has no template)."""
    from ..errors import DDAnalysisError
    from ..plan import model_facts

    if result.recommended == STATUS_QUO:
        return ""
    try:
        facts = model_facts(result.recommended)
    except (DDAnalysisError, OSError, KeyError):
        return ""
    limit = facts.loc[facts["fact"] == "reg77_reserved_contract_max_years", "value"]
    if limit.empty or float(limit.iloc[0]) >= result.horizon_years:
        return ""
    return text.reserved_term_sentence(
        result.option_name(result.recommended), float(limit.iloc[0]), result.horizon_years
    )


def switching_note(result: "AppraisalResult") -> str:
    """:func:`ddanalysis.presentation.text.switching_sentence` for ``result``'s recommended option ('' when it has
    no switching value against the next-best option), with how many of its other switching values lie inside
    their ranges."""
    nearest = nearest_switches(result)
    if not nearest:
        return ""
    rows = _option_switching(result, result.recommended)
    switch = rows["switch_vs_next_best"].astype(float)
    inside = (
        np.isfinite(switch)
        & (switch >= rows[["low", "high"]].min(axis=1))
        & (switch <= rows[["low", "high"]].max(axis=1))
    )
    listed = {sw.key for sw in nearest}
    others = int((inside & ~(rows["scope"] + "." + rows["key"]).isin(listed) & (rows["high"] > rows["low"])).sum())
    return text.switching_sentence(result.option_name(result.recommended), nearest, others)


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
    return Table(
        frame,
        units,
        "Multi-criteria analysis: scores 0-10 (higher is better), swing weights summing to "
        "100% - ILLUSTRATIVE scores and weights, for the council's own scoring workshop",
    )


def mca_rationale_table(
    result: "AppraisalResult", criterion_names: Mapping[str, str], option_id: str | None = None
) -> Table:
    """The written rationale of each score of one option (default: :func:`focus_option`)."""
    opt = option_id or focus_option(result)
    option_ids(result, opt, include_status_quo=True)
    rows = result.mca_scores[result.mca_scores["option"] == opt]
    frame = pd.DataFrame(
        {
            "Criterion": [criterion_names.get(c, c) for c in rows["criterion"]],
            "Score (0-10)": rows["score"].to_numpy(),
            "Rationale": rows["rationale"].to_numpy(),
        }
    )
    return Table(frame, {"Score (0-10)": "score"}, f"{result.option_name(opt)}: why each score (ILLUSTRATIVE)")


#: The MCA table's column for test (c) of the decision rule under moving weights.
MCA_GATE_COLUMN = "Scores at least the status quo (share of weight draws)"


def passed_over(result: "AppraisalResult") -> list[text.PassedOver]:
    """The options test (c) of the rule excludes (a weighted score below the status quo's) although their net
    present saving is larger than the recommended option's (than zero when the status quo is kept), largest
    saving first, with how often moving the weights would clear them (``result.mca_stability``). Test (c) is
    :func:`ddanalysis.mca.rule_choice_set`'s, as the engine applies it."""
    from ..mca import rule_choice_set

    opts = result.options.set_index("id")
    scores = {o: float(s) for o, s in opts["mca_score"].items() if pd.notna(s)}
    allowed = rule_choice_set(scores, list(opts.index))
    bar = 0.0 if result.recommended == STATUS_QUO else float(opts.loc[result.recommended, "net_present_saving_gbp"])
    clears = result.mca_stability.set_index("option").get("share_clears_status_quo", pd.Series(dtype=float))
    rows = opts[~opts.index.isin(allowed) & (opts["net_present_saving_gbp"] > bar)]
    return [
        text.PassedOver(str(r["name"]), float(r["net_present_saving_gbp"]), float(r["mca_score"]), clears.get(o))
        for o, r in rows.sort_values("net_present_saving_gbp", ascending=False).iterrows()
    ]


def passed_over_note(result: "AppraisalResult") -> str:
    """:func:`ddanalysis.presentation.text.passed_over_sentence` for ``result`` ('' when nothing is passed over)."""
    sq_score = float(result.options.set_index("id").loc[STATUS_QUO, "mca_score"])
    return text.passed_over_sentence(passed_over(result), sq_score)


def mca_totals_table(result: "AppraisalResult") -> Table:
    """Weighted score and rank per option, how often it ranks first when the weights move, and how often its
    score is then at least the status quo's (test (c) of the rule, which decides whether a higher-saving option
    may be recommended); the caption labels default scores (no ``mca.yaml``) as such, and illustrative ones as
    ILLUSTRATIVE."""
    from .. import mca

    totals = result.mca_totals.merge(result.mca_stability, on="option", how="left")
    frame = pd.DataFrame(
        {
            "Option": [result.option_name(o) for o in totals["option"]],
            "Weighted score (0-10)": totals["weighted_score"].to_numpy(),
            "Rank": totals["rank"].to_numpy(),
            "Ranks first (share of weight draws)": totals["share_first"].to_numpy(),
            "Mean rank": totals["mean_rank"].to_numpy(),
            MCA_GATE_COLUMN: totals["share_clears_status_quo"].to_numpy(),
        }
    )
    units = {
        "Weighted score (0-10)": "score",
        "Rank": "integer",
        "Ranks first (share of weight draws)": "share",
        "Mean rank": "ratio",
        MCA_GATE_COLUMN: "share",
    }
    if mca.scores_are_default(result.mca_scores):
        label = " (DEFAULT neutral scores, not the council's: no mca.yaml)"
    else:
        label = " (ILLUSTRATIVE)" if result.illustrative else ""
    return Table(
        frame, units, f"Multi-criteria analysis: weighted totals and rank stability under moving weights{label}"
    )


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
    frame = pd.DataFrame(
        {
            "Phase": ph["name"].to_numpy(),
            "Depends on": [
                "; ".join(names.get(d.strip(), d.strip()) for d in str(dep).split(",") if d.strip())
                for dep in ph["depends_on"].fillna("")
            ],
            "Duration (weeks)": ph["duration_weeks"].to_numpy(),
            "Start": list(ph["start"]),
            "Finish": list(ph["finish"]),
            "Critical path": ["yes" if c else "" for c in ph["critical"]],
            "Slack (weeks)": ph["slack_weeks"].to_numpy(),
        }
    )
    units = {"Duration (weeks)": "number", "Slack (weeks)": "number", "Start": "date", "Finish": "date"}
    return Table(
        frame,
        units,
        f"{result.option_name(opt)}: implementation plan by phase, {plan.duration_case} "
        f"durations (ILLUSTRATIVE); go-live {formats.date(plan.go_live)}",
    )


def milestones_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's milestones with their dates."""
    opt, plan = _plan(result, option_id)
    frame = pd.DataFrame({"Milestone": plan.milestones["milestone"].to_numpy(), "Date": list(plan.milestones["date"])})
    return Table(
        frame, {"Date": "date"}, f"{result.option_name(opt)}: milestones (go-live {formats.date(plan.go_live)})"
    )


def risks_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """An option's risk register, highest score first: likelihood and impact (1-5), score (likelihood
    x impact), owner, mitigation."""
    opt, plan = _plan(result, option_id)
    rk = plan.risks.sort_values("score", ascending=False, kind="stable")
    frame = pd.DataFrame(
        {
            "Risk": rk["risk"].to_numpy(),
            "Likelihood (1-5)": rk["likelihood"].to_numpy(),
            "Impact (1-5)": rk["impact"].to_numpy(),
            "Score": rk["score"].to_numpy(),
            "Owner": rk["owner"].to_numpy(),
            "Mitigation": rk["mitigation"].to_numpy(),
        }
    )
    units = {"Likelihood (1-5)": "integer", "Impact (1-5)": "integer", "Score": "integer"}
    return Table(
        frame,
        units,
        f"{result.option_name(opt)}: risk register (score = likelihood x impact; highest first; ILLUSTRATIVE)",
    )


# --- assumptions and baseline -------------------------------------------------------------------------


#: What an assumption's impact rank is, for captions and notes (the data log's own definition).
IMPACT_RANK_NOTE = (
    "impact rank: 1 moves the decision most (the swing, low to high, in the gap between the best and runner-up "
    "options' net present savings as a share of the budget, the largest over the ten bundled projects; "
    "`ddanalysis assumptions --rank`, as of the last `make datalog`), so programme-wide: this project's own order "
    "is its tornado (the sensitivity table); 'not ranked': it moves no option, or it is a workspace's own value"
)


def impact_ranks(result: "AppraisalResult") -> list[str]:
    """Each row of ``result.assumptions``: its programme-wide impact rank as text ('7'), or 'not ranked' (it
    moves no option in any bundled project, or it is a workspace's own value). Read from the committed ranks
    file (:func:`ddanalysis.impact_ranks.committed_ranks`); an entry is named as the data log names it
    (:func:`ddanalysis.impact_ranks.entry_name`), so a project's override has its own rank."""
    from ..impact_ranks import committed_ranks, entry_name

    ranks = committed_ranks()
    out = []
    for row in result.assumptions.to_dict("records"):
        rank = ranks.get((entry_name(row, result.project_id), row["scope"], row["key"]))
        out.append("not ranked" if rank is None else str(rank))
    return out


def assumptions_table(result: "AppraisalResult", option_id: str | None = None) -> Table:
    """Every assumption used (project-wide ones and each option's, or one option's with the shared ones), with
    the data log's columns: key, range and the value used in its own unit, the date its value describes (as
    of), basis, quality rating, whether the figure was read in the source's own text (verified), source (title;
    the link is in the ``Link`` column for renderers that can show one) with its locator, and impact rank
    (:func:`impact_ranks`)."""
    table = result.assumptions.assign(impact_rank=impact_ranks(result))
    if option_id is not None:
        option_ids(result, option_id, include_status_quo=True)
        table = table[table["scope"].isin(["project", option_id])]
    scope_names = {o: result.option_name(o) for o in result.options["id"]}
    units = table["unit"].to_numpy()
    frame = pd.DataFrame(
        {
            "Applies to": [scope_names.get(s, "All options") for s in table["scope"]],
            "Assumption": table["description"].to_numpy(),
            "Key": [f"{s}.{k}" for s, k in zip(table["scope"], table["key"])],
            "Unit": units,
            "Low": [formats.value_in_unit(v, u) for v, u in zip(table["low"], units)],
            "Central": [formats.value_in_unit(v, u) for v, u in zip(table["central"], units)],
            "High": [formats.value_in_unit(v, u) for v, u in zip(table["high"], units)],
            "Used": [formats.value_in_unit(v, u) for v, u in zip(table["value_used"], units)],
            "As of": [formats.text_or_blank(v) for v in table["as_of"]],
            "Basis": table["basis"].to_numpy(),
            "Quality": table["quality"].to_numpy(),
            "Verified": ["yes" if bool(v) else "no" for v in table["verified"]],
            "Source": table["source"].to_numpy(),
            "Locator": [
                formats.locator_text(v, also)
                for v, also in zip(table["locator"], table.get("also_cited", pd.Series("", index=table.index)))
            ],
            "Impact rank": table["impact_rank"].to_numpy(),
            "Link": table["link"].fillna("").to_numpy(),
        }
    )
    what = "all options" if option_id is None else f"{result.option_name(option_id)} and those shared by every option"
    return Table(
        frame,
        {},
        f"{len(frame)} assumptions used: {what} ({result.scenario} scenario): ranges, value used, as of, quality, "
        f"verified, source and locator, impact rank; money in GBP, {result.price_basis}. {IMPACT_RANK_NOTE}",
    )


def baseline_table(result: "AppraisalResult") -> Table:
    """The status quo budget by subjective line, then gross expenditure, income and net budget (GBP)."""
    base = result.baseline
    lines = base.to_frame()[["label", "kind", "amount_gbp"]]
    totals = pd.DataFrame(
        [
            {"label": "Gross expenditure", "kind": "total", "amount_gbp": base.gross_expenditure_gbp},
            {"label": "Income", "kind": "total", "amount_gbp": base.income_gbp},
            {"label": "Net budget", "kind": "total", "amount_gbp": base.net_budget_gbp},
        ]
    )
    frame = pd.concat([lines, totals], ignore_index=True)
    frame.columns = ["Line", "Kind", "Amount (GBP)"]
    caption = (
        f"Status quo budget, {base.base_year} (GBP, costs positive, income negative); "
        f"{base.fte:,.1f} FTE, {base.headcount:,} people" + (" - ILLUSTRATIVE" if base.illustrative else "")
    )
    return Table(frame, {"Amount (GBP)": "gbp"}, caption)


# --- programme ------------------------------------------------------------------------------------------

#: Programme summary: column -> (label, unit tag).
PROGRAMME_COLUMNS: dict[str, tuple[str, str]] = {
    "title": ("Project", "text"),
    "councils": ("Council(s)", "text"),
    "baseline_net_gbp": ("In-scope net budget", "gbp"),
    "baseline_gross_gbp": ("In-scope gross budget", "gbp"),
    "recommended_name": ("Best option", "text"),
    "net_present_saving_gbp": ("Net present saving", "gbp"),
    "payback_year": (PAYBACK_UNDISCOUNTED, "text"),
    "go_live": ("Go-live", "date"),
    "illustrative": ("Illustrative", "text"),
}


#: Programme summary's public-value columns, shown when the summary has them.
#: The counted benefits are shown split (cashable / the rest) and then as a sum whose label says it
#: adds them; the public value return counts every kind for everyone, whatever the perspective.
PROGRAMME_PUBLIC_VALUE_COLUMNS: dict[str, tuple[str, str]] = {
    "benefits_cashable_pv_gbp": ("Cashable benefits counted (PV)", "gbp"),
    "benefits_non_cashable_pv_gbp": (
        "Non-cashable benefits counted (PV: fiscal non-cashable, economic, social)",
        "gbp",
    ),
    "benefits_counted_pv_gbp": ("Benefits counted (PV: cashable + non-cashable added; not in the saving)", "gbp"),
    "public_value_roi": ("Public value return per GBP 1 (every kind, everyone)", "ratio"),
    "net_present_value_gbp": ("Net present value with benefits", "gbp"),
    "outcomes_monetised": ("Outcomes monetised", "text"),
}


def programme_table(
    summary: pd.DataFrame, scenario: str | None = None, perspective: str | None = None, base_year: str = "2014-15"
) -> Table:
    """The programme summary (one row per project) with a total row (GBP, real base-year prices)."""
    missing = [c for c in PROGRAMME_COLUMNS if c not in summary.columns]
    if missing:
        raise KeyError(
            f"programme_table: column(s) {missing} not in the table; its columns are {list(summary.columns)}"
        )
    columns = {**PROGRAMME_COLUMNS, **{k: v for k, v in PROGRAMME_PUBLIC_VALUE_COLUMNS.items() if k in summary.columns}}
    frame = summary[list(columns)].rename(columns={k: v[0] for k, v in columns.items()})
    frame["Illustrative"] = frame["Illustrative"].map({True: "yes", False: "no"})
    # the total row: money summed; a blank in text columns; missing (shown as such) in every other column
    total: dict[str, Any] = {label: "" if unit == "text" else None for label, unit in columns.values()}
    total["Project"] = "Programme total"
    total.update({label: float(summary[k].sum()) for k, (label, unit) in columns.items() if unit == "gbp"})
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    basis = ", ".join(
        x
        for x in (f"{scenario} scenario" if scenario else "", f"{perspective} perspective" if perspective else "")
        if x
    )
    caption = (
        f"Programme summary: in-scope budgets ({base_year}) and each project's recommended option"
        + (f", {basis}" if basis else "")
        + f" - GBP, {text.price_basis(base_year)}"
    )
    units = {label: unit for label, unit in columns.values()}
    return Table(frame, {c: u for c, u in units.items() if u != "text"}, caption, (len(frame) - 1,))


# --- the board paper (Five Case Model) ----------------------------------------------------------------------
# The paper's own tables. Inputs that come from data files (official spending, procurement routes,
# legal facts, optimism-bias upper bounds) are passed in, prepared by ddanalysis.paper.context.

#: Options columns the paper's economic case shows (a portrait A4 page holds about eight).
PAPER_OPTION_COLUMNS = (
    "Option",
    "Go-live",
    "One-off cost (undiscounted, with optimism bias)",
    "Net present cost",
    "Net present saving",
    PAYBACK_UNDISCOUNTED,
    "Benefit-cost ratio",
    "Benefit-cost ratio (Green Book, with residual value)",
    "MCA score (0-10)",
    "Recommended",
)


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
    frame = pd.DataFrame(
        {
            "Council": s["authority"].to_numpy(),
            "Service block": s["label"].to_numpy(),
            "Year": s["year"].to_numpy(),
            "Council, cash (GBP thousand)": s["cash_gbp_k"].to_numpy(dtype=float),
            "Council, real (GBP thousand)": s["real_gbp_k"].to_numpy(dtype=float),
            "Class median, real (GBP thousand)": s["class_median_real_gbp_k"].to_numpy(dtype=float),
        }
    )
    units = {c: "gbp_thousand" for c in frame.columns if "GBP thousand" in c}
    return Table(
        frame,
        units,
        "Net current expenditure, GBP thousand (cash = prices of each year; real = 2014-15 "
        "prices, GDP deflator). Source: DCLG Revenue Outturn Summary (RS); "
        "Open Government Licence v3.0",
    )


def optimism_bias_table(
    result: "AppraisalResult", upper_bounds: Mapping[str, float], applies_to: Mapping[str, str] | None = None
) -> Table:
    """Optimism bias: each category's upper bound, the mitigation and the uplift applied
    (upper bound x (1 - mitigation)). With the option's uplift in GBP where the result has it
    (an ``optimism_bias_gbp`` column of ``result.options``)."""
    mit = float(result.optimism_bias_mitigation)
    applies_to = applies_to or {}
    cats = list(upper_bounds)
    frame = pd.DataFrame(
        {
            "Category": [c.replace("_", " ") for c in cats],
            "Applies to": [applies_to.get(c, "") for c in cats],
            "Upper bound": [float(upper_bounds[c]) for c in cats],
            "Mitigation": [mit] * len(cats),
            "Uplift applied": [float(upper_bounds[c]) * (1.0 - mit) for c in cats],
        }
    )
    return Table(
        frame,
        {"Upper bound": "share", "Mitigation": "share", "Uplift applied": "share"},
        "Optimism bias: Green Book upper bounds, the share removed by mitigation and the uplift applied",
    )


def optimism_bias_by_option_table(result: "AppraisalResult") -> Table | None:
    """Each option's optimism-bias uplift in GBP (present value) when the result has it; else None."""
    opts = result.options
    if "optimism_bias_gbp" not in opts.columns:
        return None
    opts = opts[opts["id"] != STATUS_QUO]
    frame = pd.DataFrame(
        {"Option": opts["name"].to_numpy(), "Optimism bias included": opts["optimism_bias_gbp"].to_numpy(dtype=float)}
    )
    return Table(frame, {"Optimism bias included": "gbp"}, _caption(result, "Optimism bias included in each option"))


def paper_decision_table(result: "AppraisalResult") -> Table | None:
    """:func:`probability_best_table` when the result has the decision measures (``result.decision``);
    else None (the paper shows its 'when available' note)."""
    return probability_best_table(result) if getattr(result, "decision", None) is not None else None


def paper_value_of_information_table(result: "AppraisalResult", top: int = DEFAULT_TOP) -> Table | None:
    """:func:`value_of_information_table` (the ``top`` largest) when the result has the decision
    measures; else None."""
    return value_of_information_table(result, top) if getattr(result, "decision", None) is not None else None


def benefits_by_agency_table(result: "AppraisalResult") -> Table | None:
    """Present value of each option's benefits by the agency that bears them, when the result has them
    (``result.benefits_by_agency``: option, agency, kind, present_value_gbp); else None."""
    from ..benefits import AGENCY_NAMES, KIND_NAMES

    b = getattr(result, "benefits_by_agency", None)
    if b is None or len(b) == 0:
        return None
    b = pd.DataFrame(b)
    frame = pd.DataFrame(
        {
            "Option": [result.option_name(o) if o in set(result.options["id"]) else o for o in b["option"]],
            "Agency": [AGENCY_NAMES.get(a, a) for a in b["agency"]],
            "Kind of value": [KIND_NAMES.get(k, k) for k in b.get("kind", pd.Series([""] * len(b)))],
            "Present value": b["present_value_gbp"].to_numpy(dtype=float),
        }
    )
    return Table(
        frame,
        {"Present value": "gbp"},
        _caption(result, "Benefits by agency (cashable and non-cashable value are shown apart, never added)"),
    )


def commercial_table(
    result: "AppraisalResult", routes: Mapping[str, str], transfers: Mapping[str, bool], pensions: Mapping[str, str]
) -> Table:
    """Per option: the delivery vehicle, the procurement route, whether staff transfer under TUPE and the
    pension arrangement (``routes``/``transfers``/``pensions``: option id -> value)."""
    opts = result.options
    frame = pd.DataFrame(
        {
            "Delivery vehicle (option)": opts["name"].to_numpy(),
            "Procurement route": [routes.get(o, "-") for o in opts["id"]],
            "Staff transfer (TUPE)": ["yes" if transfers.get(o) else "no" for o in opts["id"]],
            "Pensions": [pensions.get(o, "-") for o in opts["id"]],
        }
    )
    return Table(
        frame,
        {},
        "Delivery vehicle, procurement route, TUPE and pensions by option (ILLUSTRATIVE routes "
        "from the implementation-plan templates)",
        tuple(i for i, r in enumerate(opts["recommended"]) if r),
    )


def legal_limits_table(facts: pd.DataFrame) -> Table:
    """Legal limits that bind the options (``facts``: fact, value, unit, description, source, option)."""
    frame = pd.DataFrame(
        {
            "Applies to": facts["option"].to_numpy(),
            "Limit": facts["description"].to_numpy(),
            "Value": [f"{v:g} {u}" for v, u in zip(facts["value"], facts["unit"])],
            "Source": facts["source"].to_numpy(),
        }
    )
    return Table(frame, {}, "Legal limits on the delivery vehicles and contract routes")


def budget_reconciliation_note(result: "AppraisalResult") -> str:
    """:func:`ddanalysis.presentation.text.budget_reconciliation_sentence` for ``result``: its baseline's net
    budget against the status quo's net cost in the first appraisal year ('' without a baseline)."""
    base = result.baseline
    first = result.annual[result.annual["option"] == STATUS_QUO].sort_values("year_index")
    if base is None or first.empty:
        return ""
    return text.budget_reconciliation_sentence(
        float(base.net_budget_gbp),
        float(base.amounts_gbp["capital_charges"]),
        str(first["financial_year"].iloc[0]),
        float(first["cost_gbp"].iloc[0]),
        str(result.base_year),
    )


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
    one_off = cf[(cf["option"] == opt) & (cf["kind"] == "one_off")].groupby("year_index")["cost_gbp"].sum()
    frame = pd.DataFrame(
        {
            "Financial year": mine["financial_year"].to_numpy(),
            "Status quo net cost": sq.reindex(mine["year_index"]).to_numpy(dtype=float),
            "Option net cost": mine["cost_gbp"].to_numpy(dtype=float),
            "of which one-off costs": one_off.reindex(mine["year_index"]).fillna(0.0).to_numpy(dtype=float),
            "Saving": mine["saving_gbp"].to_numpy(dtype=float),
            "Cumulative saving": mine["cumulative_saving_gbp"].to_numpy(dtype=float),
            "Discounted saving": mine["pv_saving_gbp"].to_numpy(dtype=float),
        }
    )
    units = {c: "gbp" for c in frame.columns if c != "Financial year"}
    return Table(
        frame,
        units,
        _caption(
            result,
            f"{result.option_name(opt)}: costs and savings by year (saving = "
            "status quo cost minus option cost; undiscounted except the last "
            "column)",
        ),
    )


def affordability_table(result: "AppraisalResult") -> Table:
    """Per option: the steady-state saving a year against the savings target, the gap, the saving as a
    share of the net budget and the chance of meeting the target (Monte Carlo)."""
    opts = result.options[result.options["id"] != STATUS_QUO]
    target = float(result.mc_target_gbp)
    saving = opts["steady_state_saving_gbp"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "Option": opts["name"].to_numpy(),
            "Steady-state saving a year": saving,
            "Savings target a year": [target] * len(opts),
            "Above (below) target": saving - target,
            "Saving as share of net budget": opts["steady_state_saving_share"].to_numpy(dtype=float),
            "P(final-year saving meets target)": (
                opts["p_meets_target"].to_numpy(dtype=float) if "p_meets_target" in opts else None
            ),
        }
    )
    units = {
        "Steady-state saving a year": "gbp",
        "Savings target a year": "gbp",
        "Above (below) target": "gbp",
        "Saving as share of net budget": "share",
        "P(final-year saving meets target)": "share",
    }
    return Table(
        frame,
        units,
        _caption(result, "Affordability: each option's yearly saving once fully live against the savings target")
        + (f". The savings target is {basis}" if (basis := savings_target_basis(result)) else ""),
        tuple(i for i, r in enumerate(opts["recommended"]) if r),
    )


def by_council_table(result: "AppraisalResult") -> Table | None:
    """Each option's net present saving and one-off cost per council (GBP, real base-year prices), one
    row per option and council, with the option's total after its councils; None for a result without
    the per-council figures. The caption says how the councils share the project."""
    bc = result.by_council
    if bc is None or bc.empty:
        return None
    names = dict(zip(result.options["id"], result.options["name"]))
    by_option: dict[str, list[Any]] = {}  # option -> its councils' rows, in the table's order
    for r in records(bc):
        by_option.setdefault(r.option, []).append(r)
    rows = []
    for opt in result.options["id"]:
        mine = by_option.get(opt, [])
        rows += [(names[opt], r.name, r.council, r.net_present_saving_gbp, r.one_off_cost_gbp) for r in mine]
        if len(mine) > 1:
            nps = float(np.sum([r.net_present_saving_gbp for r in mine]))
            rows.append((names[opt], "All councils", "", nps, float(np.sum([r.one_off_cost_gbp for r in mine]))))
    frame = pd.DataFrame(
        rows,
        columns=["Option", "Council", "Code", "Net present saving", "One-off cost (undiscounted, with optimism bias)"],
    )
    app = result.apportionment
    basis = (
        f" Shared by {app.basis}" + (f" ({app.source.rstrip('.')})" if app.source else "") + "."
        if app is not None
        else ""
    )
    return Table(
        frame,
        {"Net present saving": "gbp", "One-off cost (undiscounted, with optimism bias)": "gbp"},
        _caption(result, "Each council's part") + ". " + text.BY_COUNCIL_NOTE + basis,
    )


def nominal_cash_table(result: "AppraisalResult", option_id: str | None = None) -> Table | None:
    """The financial case in cash for one option (default: the focus option): by financial year and
    council, the net cash saving, the savings target and the gap (GBP, cash of each year: nominal,
    not real; gap positive = short of the target). None for a result without a cash profile."""
    cp = result.cash_profile
    if cp is None or cp.empty:
        return None
    opt = option_id or focus_option(result)
    option_ids(result, opt, include_status_quo=True)
    mine = cp[cp["option"] == opt]
    frame = pd.DataFrame(
        {
            "Financial year": mine["year"].to_numpy(),
            "Council": mine["name"].to_numpy(),
            "Net cash saving": mine["net_cash_saving_gbp"].to_numpy(dtype=float),
            "Savings target": mine["target_gbp"].to_numpy(dtype=float),
            "Gap (short of target)": mine["gap_gbp"].to_numpy(dtype=float),
        }
    )
    units = {c: "gbp" for c in ("Net cash saving", "Savings target", "Gap (short of target)")}
    caption = (
        f"{result.option_name(opt)}: the financial case in cash - GBP, cash of each year (nominal), "
        f"{result.perspective} perspective, {result.scenario} scenario. {text.CASH_PROFILE_NOTE}"
    )
    return Table(frame, units, caption)


def _transition_shortfall(result: "AppraisalResult", opt: str) -> tuple[list[str], float, str] | None:
    """The financial years in which option ``opt`` falls short of the savings target in cash, the shortfall summed
    over them (GBP, cash of each year, over its councils) and the first year from which it meets the target for
    good ('' when never); None without a cash profile or when it never falls short."""
    cp = result.cash_profile
    if cp is None or cp.empty:
        return None
    gaps = cp[cp["option"] == opt].groupby("year", sort=True)["gap_gbp"].sum()
    short = gaps[gaps > 0.5]
    if short.empty:
        return None
    met = [y for y in gaps.index if (gaps.loc[y:] <= 0.5).all()]
    return [str(y) for y in short.index], float(short.sum()), str(met[0]) if met else ""


def transition_shortfall_note(result: "AppraisalResult", option_id: str | None = None) -> str:
    """What the affordability sentence leaves out: the years in which an option (default: the focus option) falls
    short of the savings target in cash, by how much in all (GBP, cash of each year, summed over its councils),
    the first year from which it meets the target, and that the council decides how the shortfall and the
    one-off cost are funded. '' without a cash profile or when the option never falls short."""
    opt = option_id or focus_option(result)
    found = _transition_shortfall(result, opt)
    if found is None:
        return ""
    years, shortfall, first_met = found
    listed = years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]
    return text.transition_shortfall_sentence(
        result.option_name(opt),
        listed,
        shortfall,
        first_met,
        float(result.options.set_index("id").loc[opt, "one_off_cost_gbp"]),
    )


def decisions_lead(result: "AppraisalResult") -> str:
    """What leads the decisions sought: that members are asked to decide them, or, when the figures are
    illustrative, that they are not yet for decision and what members would be asked once the council's own are in."""
    return text.ILLUSTRATIVE_DECISIONS_LEAD if result.illustrative else text.DECISIONS_LEAD


def decisions_sought(result: "AppraisalResult", where: Mapping[str, str] = text.PAPER_POINTERS) -> list[str]:
    """What the paper asks members to decide (led by :func:`decisions_lead`), one sentence each, in order: due
    regard to the equality duty; the choice (:func:`text.choice_decision_sentence`); for an option that changes
    the service, the one-off cost and how it is funded, the cash shortfall against the savings target for the
    medium-term financial plan (when there is one), and the start of its plan (the phases after the member
    decision, and go-live's distance from it); and the assumptions to firm up when switching values lie inside
    their ranges or the nearest rest on judgement. ``where``: where each rests, by case
    (:data:`text.PAPER_POINTERS`, the paper's sections; :func:`text.workbook_pointers`, a workbook's sheets)."""
    opt = result.recommended
    row = result.options.set_index("id").loc[opt]
    p_saving = row.get("p_saving_positive") if len(result.mc_draws) > 0 else None
    basis = f"{text.perspective_words(result.perspective)}, {text.price_basis(result.base_year)}"
    said = [
        text.equality_decision_sentence(where["equality"]),
        text.choice_decision_sentence(
            result.option_name(opt),
            float(row["net_present_saving_gbp"]),
            basis,
            result.horizon_years,
            p_saving,
            opt == STATUS_QUO,
            where["economic"],
        ),
    ]
    if opt != STATUS_QUO:
        said.append(
            text.funding_decision_sentence(float(row["one_off_cost_gbp"]), result.base_year, where["financial"])
        )
        if shortfall := _transition_shortfall(result, opt):
            said.append(text.shortfall_decision_sentence(shortfall[1], shortfall[2], where["financial"]))
        said += _plan_decision(result, opt, where["management"])
    return said + _firm_up_decision(result, where["economic"])


#: The phase of every plan template at which members decide (data/plans/phases.yaml).
MEMBER_DECISION_PHASE = "member_decision"


def _plan_decision(result: "AppraisalResult", opt: str, where: str) -> list[str]:
    """The plan's decision: the phases that start when the member decision ends, and go-live's distance from it
    in weeks; none when the option has no plan or its plan no member-decision phase."""
    plan = (result.plans or {}).get(opt)
    if plan is None:
        return []
    phases = plan.phases
    decided = phases.loc[phases["phase"] == MEMBER_DECISION_PHASE, "finish"]
    if decided.empty:
        return []
    after = phases.loc[phases["start"] == decided.iloc[0], "name"]
    weeks = (pd.Timestamp(plan.go_live) - pd.Timestamp(decided.iloc[0])).days / 7
    return [text.plan_decision_sentence(list(after), weeks, plan.duration_case, where)] if not after.empty else []


def _firm_up_decision(result: "AppraisalResult", where: str) -> list[str]:
    """Ask for the assumptions that could change the choice to be firmed up: every one whose switching value lies
    inside its range (nearest first, as :func:`switching_note` counts them), else those of the three nearest that
    rest on the team's judgement; none when neither."""
    every = nearest_switches(result, top=len(result.assumptions))
    inside = [sw.label for sw in every if min(sw.low, sw.high) <= sw.switch <= max(sw.low, sw.high)]
    if inside:
        return [text.firm_up_decision_sentence(inside, True, where)]
    judged = [sw.label for sw in every[:3] if sw.evidence == text.evidence_words("red", True)]
    return [text.firm_up_decision_sentence(judged, False, where)] if judged else []


#: The people table's column of paid staff time an option hands to volunteers (FTE).
VOLUNTEERS_COLUMN = "Paid time replaced by volunteers (FTE at average pay)"


def people_table(result: "AppraisalResult", transfers: Mapping[str, bool]) -> Table:
    """The people affected by each option: whether staff transfer under TUPE, the FTE and headcount
    transferring (the baseline's, all or none), the redundancies in FTE implied by the option's
    redundancy share (value used) and, where an option hands paid time to volunteers, that time in FTE. The
    caption says where the paid time replaced exceeds the redundancies costed: the posts must go another way
    (turnover, vacancies, redeployment), or the one-off cost rises (:func:`text.unfunded_posts_sentence`)."""
    base = result.baseline
    used = result.assumptions
    used_value = dict(zip(zip(used["scope"], used["key"]), used["value_used"])) if not used.empty else {}

    def value(option: str, key: str) -> float:
        return float(used_value.get((option, key)) or 0.0)

    rows, gaps = [], []
    for o, name in zip(result.options["id"], result.options["name"]):
        moves = bool(transfers.get(o))
        redundancies = value(o, "redundancy_fte_share") * float(base.fte)
        replaced = value(o, "volunteer_substitution") * float(base.fte)
        rows.append(
            {
                "Option": name,
                "Staff transfer (TUPE)": "yes" if moves else "no",
                "FTE transferring": float(base.fte) if moves else 0.0,
                "Headcount transferring": int(base.headcount) if moves else 0,
                "Redundancies (FTE)": redundancies,
                VOLUNTEERS_COLUMN: replaced,
            }
        )
        if replaced > redundancies + 0.05:
            gaps.append(text.unfunded_posts_sentence(name, replaced, redundancies, value(o, "redundancy_cost_per_fte")))
    frame = pd.DataFrame(rows)
    if not (frame[VOLUNTEERS_COLUMN] > 0).any():
        frame = frame.drop(columns=VOLUNTEERS_COLUMN)
    units = {
        "FTE transferring": "number",
        "Headcount transferring": "integer",
        "Redundancies (FTE)": "number",
        VOLUNTEERS_COLUMN: "number",
    }
    return Table(
        frame,
        {k: v for k, v in units.items() if k in frame.columns},
        f"People affected by each option: staff in scope {base.fte:,.1f} FTE, "
        f"{base.headcount:,} people"
        + (" (ILLUSTRATIVE baseline)" if base.illustrative else "")
        + "".join(f". {g}" for g in gaps)
        + ("." if gaps else ""),
    )


def by_horizon_table(result: "AppraisalResult") -> Table | None:
    """Each option's net present saving over several horizons, when the result has them (columns
    ``nps_<years>y_gbp`` of ``result.options``, or a ``by_horizon`` list of {years, net_present_saving_gbp});
    else None."""
    import re

    opts = result.options[result.options["id"] != STATUS_QUO]
    flat = sorted(((int(m.group(1)), c) for c in opts.columns if (m := re.fullmatch(r"nps_(\d+)y_gbp", str(c)))))
    if flat:
        frame = pd.DataFrame(
            {"Option": opts["name"].to_numpy(), **{f"{n} years": opts[c].to_numpy(dtype=float) for n, c in flat}}
        )
    elif "by_horizon" in opts.columns:
        rows = [
            {"Option": name, **{f"{int(h['years'])} years": float(h["net_present_saving_gbp"]) for h in hs or ()}}
            for name, hs in zip(opts["name"], opts["by_horizon"])
        ]
        frame = pd.DataFrame(rows)
    else:
        return None
    years = [c for c in frame.columns if c != "Option"]
    if not years:
        return None
    return Table(
        frame,
        {y: "gbp" for y in years},
        _caption(result, "Net present saving over different horizons (without residual value)"),
    )


# --- deciding under uncertainty -------------------------------------------------------------


def _decision(result: "AppraisalResult"):
    return getattr(result, "decision", None)


def _not_computed(result: "AppraisalResult") -> str:
    return text.DECISION_NOT_COMPUTED if len(result.mc_draws) else text.DECISION_NO_DRAWS


def probability_best_table(result: "AppraisalResult") -> Table:
    """Each option (status quo included) with its probability best, its chance of saving money and
    its net present saving (GBP); the recommended option emphasised."""
    cols = ["Option", "Probability best", "P(net present saving > 0)", "Net present saving"]
    units = {"Probability best": "share", "P(net present saving > 0)": "share", "Net present saving": "gbp"}
    dm = _decision(result)
    if dm is None:
        return Table(pd.DataFrame(columns=cols), units, _not_computed(result))
    opts = result.options
    frame = pd.DataFrame(
        {
            "Option": opts["name"].to_numpy(),
            "Probability best": [dm.p_best.get(str(o)) for o in opts["id"]],
            "P(net present saving > 0)": [
                None if o == STATUS_QUO else p for o, p in zip(opts["id"], opts["p_saving_positive"])
            ],
            "Net present saving": opts["net_present_saving_gbp"].to_numpy(),
        }
    )
    emphasis = tuple(i for i, r in enumerate(opts["recommended"]) if r)
    return Table(
        frame,
        units,
        _caption(
            result,
            f"Probability each option is the best (highest net present saving) "
            f"over {dm.draws:,} Monte Carlo draws (seed {result.mc_seed}); the "
            f"shares sum to 100%; expected value of perfect information "
            f"{formats.money(dm.evpi_gbp)}",
        ),
        emphasis,
    )


def acceptability_table(result: "AppraisalResult") -> Table:
    """The acceptability curve, long: for each net-present-saving threshold (GBP) and option, the
    probability the option saves at least the threshold and the probability it does so and is best."""
    cols = [
        "Threshold (net present saving)",
        "Option",
        "P(saves at least the threshold)",
        "P(saves at least the threshold and is best)",
    ]
    units = {cols[0]: "gbp", cols[2]: "share", cols[3]: "share"}
    dm = _decision(result)
    if dm is None:
        return Table(pd.DataFrame(columns=cols), units, _not_computed(result))
    acc = dm.acceptability
    names = result.options.set_index("id")["name"]
    frame = pd.DataFrame(
        {
            cols[0]: acc["threshold_gbp"].to_numpy(),
            cols[1]: [str(names.get(o, o)) for o in acc["option"]],
            cols[2]: acc["p_reaches"].to_numpy(),
            cols[3]: acc["p_best"].to_numpy(),
        }
    )
    return Table(
        frame,
        units,
        _caption(
            result,
            "Acceptability curve: thresholds of net present saving from £0 to the "
            "largest P90 (the annual savings target is separate)",
        ),
    )


def _key_rows(result: "AppraisalResult") -> dict[str, tuple[str, str, str]]:
    """``<scope>.<key>`` -> (assumption description with its option, unit, quality)."""
    a = result.assumptions
    names = {o: result.option_name(o) for o in result.options["id"]}
    return {
        f"{s}.{k}": (f"{d} ({names[s]})" if s in names else str(d), str(u), str(q))
        for s, k, d, u, q in zip(a["scope"], a["key"], a["description"], a["unit"], a["quality"])
    }


def _outcome_key_words(result: "AppraisalResult", key: str) -> str:
    """An outcome quantity's key in words (``repeat-victimisation/outsourcing.effect`` -> "Outcome
    repeat-victimisation: effect (Outsourcing)"); any other key comes back as it is."""
    outcome, slash, rest = key.partition("/")
    scope, dot, name = rest.partition(".")
    if not (slash and dot):
        return key
    names = dict(zip(result.options["id"], result.options["name"]))
    whose = "every option" if scope == "project" else str(names.get(scope, scope))
    return f"Outcome {outcome}: {name.replace('_', ' ')} ({whose})"


def _group_words(name: str, members: Sequence[str], rows: Mapping[str, tuple]) -> str:
    """A correlation group in words, for a reader who has not seen correlations.yaml: what its assumptions are
    ('Outside income, learnt together: 4 assumptions that move together (the new income, the grants and
    donations ...)'), the first three named by their descriptions' first clause."""
    named = list(dict.fromkeys(_short_description(str(rows[m][0])) for m in members if m in rows))
    listed = ", ".join(named[:3]) + (", ..." if len(named) > 3 else "")
    return f"{name.replace('_', ' ').capitalize()}, learnt together: {len(members)} assumptions that move together" + (
        f" ({listed})" if listed else ""
    )


def value_of_information_table(result: "AppraisalResult", top: int | None = None) -> Table:
    """Partial EVPI of each varying assumption and each correlation group (largest first): key,
    description, quality rating and the most it would be worth paying to know it before deciding (GBP)."""
    worth = text.EVPPI_MEANING[0].upper() + text.EVPPI_MEANING[1:] + " (partial EVPI)"
    cols = ["Key", "Assumption", "Quality", worth]
    units = {worth: "gbp"}
    dm = _decision(result)
    if dm is None:
        return Table(pd.DataFrame(columns=cols), units, _not_computed(result))
    e = dm.evppi.sort_values("evppi_gbp", ascending=False, kind="stable")
    if top is not None:
        e = e.head(top)
    rows = _key_rows(result)
    desc, qual = [], []
    for k in e["key"]:
        if k.startswith("group:"):
            desc.append(_group_words(k[len("group:") :], dm.groups.get(k[len("group:") :], []), rows))
            qual.append("")
        else:
            d, _u, q = rows.get(k, (_outcome_key_words(result, k), "", ""))
            desc.append(d)
            qual.append(q)
    frame = pd.DataFrame(
        {"Key": e["key"].to_numpy(), "Assumption": desc, "Quality": qual, worth: e["evppi_gbp"].to_numpy()}
    )
    shown = "" if top is None else f", the {len(frame)} largest"
    return Table(
        frame,
        units,
        _caption(
            result,
            f"Value of information{shown}: {text.EVPPI_MEANING} (partial EVPI; "
            f"the whole decision's EVPI is {formats.money(dm.evpi_gbp)})",
        ),
    )


def sobol_table(result: "AppraisalResult", top: int | None = DEFAULT_TOP) -> Table:
    """First-order and total Sobol indices of the focus option's net present saving and of its gap
    to the runner-up, largest total index first (shown beside the tornado)."""
    cols = [
        "Key",
        "Assumption",
        "First-order (S1), saving",
        "Total (ST), saving",
        "First-order (S1), gap",
        "Total (ST), gap",
    ]
    units = {c: "ratio" for c in cols[2:]}
    dm = _decision(result)
    if dm is None or dm.sobol is None:
        why = _not_computed(result) if dm is None else text.SOBOL_NOT_ASKED
        return Table(pd.DataFrame(columns=cols), units, why)
    s = dm.sobol
    wide = s.pivot_table(index="key", columns="output", values=["s1", "st"], sort=False)
    order = wide[("st", "nps")].sort_values(ascending=False, kind="stable").index
    if top is not None:
        order = order[:top]
    rows = _key_rows(result)
    frame = pd.DataFrame(
        {
            "Key": list(order),
            "Assumption": [rows.get(k, (k,))[0] for k in order],
            cols[2]: wide.loc[order, ("s1", "nps")].to_numpy(),
            cols[3]: wide.loc[order, ("st", "nps")].to_numpy(),
            cols[4]: wide.loc[order, ("s1", "gap")].to_numpy() if ("s1", "gap") in wide.columns else None,
            cols[5]: wide.loc[order, ("st", "gap")].to_numpy() if ("st", "gap") in wide.columns else None,
        }
    )
    return Table(
        frame, units, text.sobol_note(dm.sobol_n_base, dm.sobol_evaluations, dm.sobol_option, dm.sobol_runner_up)
    )


def failure_rules_table(result: "AppraisalResult") -> Table:
    """When each short-listed option loses money or is not the best, in words, with coverage (share of
    the failing draws the rule holds) and density (share of the draws it holds that fail)."""
    cols = ["Option", "Rule", "Coverage", "Density"]
    units = {"Coverage": "share", "Density": "share"}
    dm = _decision(result)
    if dm is None:
        return Table(pd.DataFrame(columns=cols), units, _not_computed(result))
    rows = []
    for o in option_ids(result, None):
        rules = dm.failure_rules.get(o, [])
        if not rules:
            rows.append(
                {
                    "Option": result.option_name(o),
                    "Rule": "no simple rule: it rarely fails, or its failures have no simple pattern",
                    "Coverage": None,
                    "Density": None,
                }
            )
        for r in rules:
            rows.append(
                {"Option": result.option_name(o), "Rule": r["text"], "Coverage": r["coverage"], "Density": r["density"]}
            )
    return Table(
        pd.DataFrame(rows, columns=cols),
        units,
        "When each option fails: the simplest rule on at most three assumptions (a shallow classification "
        "tree over the Monte Carlo draws); coverage = share of the failing draws the rule describes, density "
        "= share of the draws it describes that fail",
    )


# --- public value ----------------------------------------------------------------------------

_TREATMENT_WORDS = {"counted": "counted", "beside": "shown beside, not added", "left_out": "left out"}


def _public_value(result: "AppraisalResult") -> Mapping[str, Any]:
    return getattr(result, "public_value", None) or {}


def public_value_sentences(result: "AppraisalResult", option_id: str | None = None) -> list[str]:
    """The words every output shows with the benefits: no outcomes and why, or per option what the
    perspective leaves out (whose), what it shows beside without adding, and each agency's payback year."""
    from ..benefits import AGENCY_NAMES

    pvd = _public_value(result)
    if not pvd:
        return []
    if not pvd.get("monetisable"):
        return [text.no_outcomes_sentence(pvd.get("reason"))]
    out = []
    for opt in option_ids(result, option_id):
        e = pvd["options"].get(opt)
        if e is None:
            continue
        name = result.option_name(opt)
        out.append(text.left_out_sentence(name, e["left_out"], result.perspective))
        beside = text.beside_sentence(name, e["shown_beside"])
        if beside:
            out.append(beside)
        payback = text.payback_sentence(name, e.get("payback_by_agency", []), AGENCY_NAMES)
        if payback:
            out.append(payback)
    return out


def public_value_table(result: "AppraisalResult") -> Table | None:
    """One row per option (not the status quo): the cost saving, the counted benefits (with their low-high
    range and, with Monte Carlo draws, their P10 / P90), the net present value with them (P10 / P90 with
    draws), the returns and, in the social perspective, the NPSV."""
    pvd = _public_value(result)
    if not pvd:
        return None
    rows = []
    for opt in option_ids(result, None):
        e = pvd["options"][opt]
        nps = float(result.options.set_index("id").loc[opt, "net_present_saving_gbp"])
        lo, hi = e["counted_benefits_range_gbp"]
        rows.append(
            {
                "Option": result.option_name(opt),
                "Net present saving (cost only, ranks)": nps,
                "Benefits counted (PV)": e["counted_benefits_pv_gbp"],
                "Benefits counted, low": lo,
                "Benefits counted, high": hi,
                **(
                    {
                        "Benefits counted, P10 (Monte Carlo)": e["counted_benefits_p10_gbp"],
                        "Benefits counted, P90 (Monte Carlo)": e["counted_benefits_p90_gbp"],
                        "Net present value with benefits, P10": e["net_present_value_p10_gbp"],
                        "Net present value with benefits, P90": e["net_present_value_p90_gbp"],
                    }
                    if "counted_benefits_p10_gbp" in e
                    else {}
                ),
                "Net present value with benefits": e["net_present_value_gbp"],
                "PV of costs (one-off + operating increases)": e["pv_costs_gbp"],
                "Fiscal return per GBP 1 (cashable)": e["fiscal_roi"]["cashable"],
                "Fiscal return per GBP 1 (all fiscal)": e["fiscal_roi"]["all_fiscal"],
                "Public value return per GBP 1": e["public_value_roi"],
                **(
                    {"Net present social value": e["net_present_social_value_gbp"]}
                    if result.perspective == "social"
                    else {}
                ),
            }
        )
    frame = pd.DataFrame(rows)
    units = {c: "gbp" for c in frame.columns if c != "Option" and "return" not in c}
    units.update({c: "ratio" for c in frame.columns if "return" in c})
    return Table(
        frame,
        units,
        _caption(
            result,
            "Public value: outcome benefits the perspective counts, beside the "
            "cost saving (the ranking stays on the cost saving)",
        ),
    )


def who_gains_table(result: "AppraisalResult", option_id: str | None = None) -> Table | None:
    """Who gains what from one option (default: the focus option): agency x kind of value, present values.

    Columns: the four kinds, then "Fiscal, cashable + non-cashable (both, labelled)" and "All kinds (for
    reference: mixes cashable and not)"; a total row. How the perspective treats each cell is in the caption
    and :func:`public_value_sentences`. None when the project monetises no outcome (say why instead).
    """
    from ..benefits import AGENCY_NAMES, KIND_NAMES

    pvd = _public_value(result)
    b = getattr(result, "benefits_by_agency", None)
    if not pvd or not pvd.get("monetisable") or b is None or len(b) == 0:
        return None
    opt = option_id or focus_option(result)
    option_ids(result, opt, include_status_quo=True)  # checks the id
    sub = b[b["option"] == opt]
    if sub.empty:
        return None
    grid = sub.pivot_table(index="agency", columns="kind", values="present_value_gbp", aggfunc="sum", fill_value=0.0)
    payback = {p["agency"]: p["payback_year"] for p in pvd["options"].get(opt, {}).get("payback_by_agency", [])}
    agencies = [a for a in AGENCY_NAMES if a in grid.index or a in payback]
    rows = []
    for a in agencies + ["__total__"]:
        vals = grid.sum() if a == "__total__" else grid.loc[a] if a in grid.index else pd.Series(dtype=float)
        row: dict[str, Any] = {"Agency": "Total" if a == "__total__" else AGENCY_NAMES[a]}
        for k, label in KIND_NAMES.items():
            row[label] = float(vals.get(k, 0.0))
        row["Fiscal: cashable + non-cashable (added, labelled)"] = row["Fiscal, cashable"] + row["Fiscal, non-cashable"]
        row["All kinds (reference only; mixes cashable and not)"] = sum(row[label] for label in KIND_NAMES.values())
        row[PAYBACK_COLUMN] = "" if a == "__total__" else _payback_words(a, payback)
        rows.append(row)
    frame = pd.DataFrame(rows)
    counts = {
        "council": "counts the council's cashable value only (its non-cashable value beside, not added)",
        "public": "counts every agency's fiscal value",
        "social": "counts every kind for everyone",
    }
    caption = _caption(
        result,
        f"Who gains from {result.option_name(opt)}: present value of benefits by agency and "
        f"kind; the {result.perspective} perspective {counts.get(result.perspective, '')}",
    )
    return Table(
        frame, {c: "gbp" for c in frame.columns if c not in ("Agency", PAYBACK_COLUMN)}, caption, (len(frame) - 1,)
    )


#: The Who gains table's payback column (:func:`ddanalysis.benefits.option_payback`).
PAYBACK_COLUMN = "Payback year (discounted counted benefits net of its costs)"


def _payback_words(agency: str, payback: Mapping[str, Any]) -> str:
    """An agency's payback year; "not within the horizon"; or "-" where it bears no cost and the
    perspective counts none of its benefits."""
    if agency not in payback:
        return "-"
    return payback[agency] or "not within the horizon"


def benefits_by_year_table(result: "AppraisalResult", option_id: str | None = None) -> Table | None:
    """One option's benefits by financial year (undiscounted, GBP real), one column per agency and kind,
    with the perspective's treatment in the column label, then the counted total and its present value."""
    from ..benefits import AGENCY_NAMES, KIND_NAMES

    pvd = _public_value(result)
    y = getattr(result, "benefits_by_year", None)
    if not pvd or not pvd.get("monetisable") or y is None or len(y) == 0:
        return None
    opt = option_id or focus_option(result)
    option_ids(result, opt, include_status_quo=True)
    sub = y[y["option"] == opt]
    if sub.empty:
        return None
    years = sub.drop_duplicates("year_index").sort_values("year_index")
    frame = pd.DataFrame({"Year": years["financial_year"].to_numpy()})
    for (agency, kind, treat), g in sub.groupby(["agency", "kind", "treatment"], sort=False):
        frame[f"{AGENCY_NAMES[agency]}: {KIND_NAMES[kind]} ({_TREATMENT_WORDS[treat]})"] = g.sort_values("year_index")[
            "benefit_gbp"
        ].to_numpy(dtype=float)
    counted = sub[sub["treatment"] == "counted"].groupby("year_index")[["benefit_gbp", "pv_benefit_gbp"]].sum()
    idx = years["year_index"].to_numpy()
    frame["Counted benefits"] = counted["benefit_gbp"].reindex(idx, fill_value=0.0).to_numpy()
    frame["Discount factor"] = years["discount_factor"].to_numpy(dtype=float)
    frame["Counted benefits (present value)"] = counted["pv_benefit_gbp"].reindex(idx, fill_value=0.0).to_numpy()
    units = {c: "gbp" for c in frame.columns if c not in ("Year", "Discount factor")}
    units["Discount factor"] = "number"
    return Table(
        frame,
        units,
        _caption(
            result,
            f"Benefits of {result.option_name(opt)} by year (undiscounted unless "
            "stated; cashable and non-cashable in separate columns)",
        ),
    )


# --- side by side: two options, two scenarios, or with and without what-if values ------------------

#: Headline rows of :func:`compare_table`: options column -> label (all GBP).
COMPARE_ROWS: dict[str, str] = {
    "net_present_saving_gbp": "Net present saving",
    "net_present_cost_gbp": "Net present cost",
    "one_off_cost_gbp": "One-off cost (undiscounted, with optimism bias)",
    "steady_state_saving_gbp": "Steady-state saving a year",
    "saving_p10_gbp": "P10 saving",
    "saving_p90_gbp": "P90 saving",
}


def _option_row(result: "AppraisalResult", option_id: str) -> pd.Series:
    option_ids(result, option_id, include_status_quo=True)
    return result.options.set_index("id").loc[option_id]


def compare_table(
    a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str, label_a: str, label_b: str
) -> Table:
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
    return Table(
        frame,
        units,
        f"A: {label_a}; B: {label_b}. Headline figures against the status quo "
        f"(GBP, {a.price_basis}; P10 and P90 from the Monte Carlo)",
    )


def compare_savings_table(
    a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str, label_a: str, label_b: str
) -> Table:
    """Annual saving against the status quo by financial year for two views, and the difference (GBP, undiscounted)."""
    option_ids(a, option_a, include_status_quo=True)
    option_ids(b, option_b, include_status_quo=True)
    sa = a.annual[a.annual["option"] == option_a].set_index("financial_year")["saving_gbp"]
    sb = b.annual[b.annual["option"] == option_b].set_index("financial_year")["saving_gbp"]
    years = list(dict.fromkeys([*sa.index, *sb.index]))
    sa, sb = sa.reindex(years), sb.reindex(years)
    frame = pd.DataFrame(
        {"Year": years, label_a: sa.to_numpy(), label_b: sb.to_numpy(), "Difference (B - A)": (sb - sa).to_numpy()}
    )
    return Table(
        frame,
        {label_a: "gbp", label_b: "gbp", "Difference (B - A)": "gbp"},
        f"Annual saving against the status quo, undiscounted (GBP, {a.price_basis})",
    )


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
    out = pd.DataFrame(
        {
            "component": total.index,
            "label": [labels.get(c, c) for c in total.index],
            "contribution_gbp": total.to_numpy(dtype=float),
        }
    )
    out = out.reindex(out["contribution_gbp"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    diff = float(_option_row(b, option_b)["net_present_saving_gbp"]) - float(
        _option_row(a, option_a)["net_present_saving_gbp"]
    )
    rest = diff - float(out["contribution_gbp"].sum())
    if abs(rest) > 0.5:
        out.loc[len(out)] = {
            "component": "other",
            "label": "Other (optimism bias and adjustments)",
            "contribution_gbp": rest,
        }
    return out


def compare_inputs_table(
    a: "AppraisalResult", option_a: str, b: "AppraisalResult", option_b: str, label_a: str, label_b: str
) -> Table:
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
        rows.append(
            {
                "Assumption": desc,
                "Key": name,
                label_a: "not used" if missing_a else formats.value_in_unit(va, unit),
                label_b: "not used" if missing_b else formats.value_in_unit(vb, unit),
            }
        )
    frame = pd.DataFrame(rows, columns=["Assumption", "Key", label_a, label_b])
    return Table(frame, {}, f"{len(frame)} inputs differ between A ({label_a}) and B ({label_b})")


# --- several services in one project ------------------------------------------------------------------


def services_table(project: Any) -> Table:
    """One row per service of a project (:class:`ddanalysis.services.ProjectAppraisal`): its baseline net
    budget, recommended option, that option's net present saving and one-off cost; then a row per new body
    the services share (what counting its set-up once saves) and the project's total. GBP, real base-year
    prices; the caption states how the total is made."""
    rows = [
        (
            s.title,
            s.result.baseline.net_budget_gbp,
            s.chosen["name"],
            s.chosen["net_present_saving_gbp"],
            s.chosen["one_off_cost_gbp"],
        )
        for s in project.services
    ]
    titles = {s.id: s.title for s in project.services}
    rows += [
        (
            f"{r.name} shared by {', '.join(titles[i] for i in r.services.split(', '))}: set-up counted once",
            None,
            "",
            r.pv_saving_gbp,
            -r.one_off_saving_gbp,
        )
        for r in project.interaction.itertuples(index=False)
    ]
    total = project.total
    budget = sum(float(s.result.baseline.net_budget_gbp) for s in project.services)
    rows.append(("Project total", budget, "", total["net_present_saving_gbp"], total["one_off_cost_gbp"]))
    columns = [
        "Service",
        "Baseline net budget",
        "Recommended option",
        "Net present saving",
        "One-off cost (undiscounted, with optimism bias)",
    ]
    units = {c: "gbp" for c in columns if c not in ("Service", "Recommended option")}
    first = project.services[0].result
    caption = _caption(first, "Services and the project's total") + ". " + " ".join(project.statements)
    return Table(pd.DataFrame(rows, columns=columns), units, caption, emphasis=(len(rows) - 1,))
