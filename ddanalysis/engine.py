"""Appraise a project: one call from the bundled data to every table of the options appraisal.

``appraise(project_id)`` loads the registry, the baseline, the assumptions and the implementation
plans, builds the :class:`~ddanalysis.model.ProjectModel`, and returns an
:class:`~ddanalysis.result.AppraisalResult` with cash flows, Green Book metrics, sensitivity,
switching values, Monte Carlo, multi-criteria analysis and the plans.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Mapping
from functools import lru_cache, partial
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from . import config, mca, partners, plan, price_base, price_index, registry, workspace
from .appraisal import green_book_bcr, payback_index, return_on_transition_cost
from .assumptions import PROJECT_SCOPE, AssumptionBook, Scenario, load_book
from .baseline import project_baseline
from .benefits import split_overrides
from .cashflow import COMPONENT_LABELS, ONE_OFF_COMPONENTS, OPERATING_COMPONENTS, OPTIMISM_BIAS_COMPONENTS, PERSPECTIVES
from .errors import DDAnalysisError, unknown
from .filestamp import Stamp, stamp
from .financial_case import council_results
from .model import OptionTiming, ProjectModel
from .overrides import check_short_list, what_if_note
from .overrides import checked as checked_overrides
from .presentation import text as decision_text
from .result import AppraisalResult
from .run_defaults import check_readable as check_run_defaults
from .run_record import make_record, project_input_files
from .uncertainty import DEFAULT_DRAWS, DEFAULT_SEED, SENSITIVITY_COLUMNS, monte_carlo, sensitivity, switching_values
from .version import __version__
from .years import fy_label, fy_of, fy_start_year

MAX_DRAWS = 1_000_000


def horizon_column(years: int) -> str:
    """The options frame's column of the net present saving over ``years`` years (``nps_15y_gbp``)."""
    return f"nps_{years}y_gbp"


#: Horizons reported side by side (``by_horizon``: columns ``nps_<years>y_gbp`` of the options frame), years.
HORIZONS = (10, 15, 20)

#: How optimism bias and the Monte Carlo avoid counting the same risk twice (shown in the JSON).
OPTIMISM_BIAS_NOTE = decision_text.OPTIMISM_BIAS_NOTE
PRICE_BASE_NOTE = decision_text.PRICE_BASE_NOTE

#: How the preferred option is chosen (worded once, in :mod:`ddanalysis.presentation.text`).
RECOMMENDATION_RULE = decision_text.RECOMMENDATION_RULE


def _check_args(perspective: str, draws: int, horizon_years: int | None, ob_mitigation: float | None) -> None:
    if perspective not in PERSPECTIVES:
        raise unknown("perspective", perspective, list(PERSPECTIVES))
    if not isinstance(draws, (int, np.integer)) or not 0 <= draws <= MAX_DRAWS:
        raise DDAnalysisError(f"draws = {draws!r}: expected a whole number from 0 (no Monte Carlo) to {MAX_DRAWS:,}")
    if horizon_years is not None and (
        not isinstance(horizon_years, (int, np.integer)) or not 1 <= horizon_years <= 100
    ):
        raise DDAnalysisError(
            f"horizon = {horizon_years!r} years: expected a whole number of years from 1 to 100 "
            "(the Green Book schedule runs further, but a service appraisal beyond 100 years is not meaningful)"
        )
    if ob_mitigation is not None and not 0.0 <= float(ob_mitigation) <= 1.0:
        raise DDAnalysisError(
            f"optimism-bias mitigation = {ob_mitigation!r}: expected a share from 0 (none) to 1 (all)"
        )


def build_model(
    project_id: str,
    perspective: str = "council",
    plan_duration: str = "central",
    horizon_years: int | None = None,
    plan_start: dt.date | None = None,
    contract_on_whole_service: bool = False,
) -> tuple[ProjectModel, dict]:
    """The project's model and its options' plans (option id -> Plan). ``contract_on_whole_service``: treat
    the whole service as paid for by the council (council-funded share 1), so a provider's margin, the
    client-side cost and the grant-paid VAT fall on the whole service's spending, as its savings do; by
    default they fall on the council-funded share only (the baseline's ``funded_by`` split)."""
    project = registry.project(project_id)
    book = price_base.project_book(project_id)  # prices real in the baseline's base year
    base = project_baseline(project_id)
    plans = plan.project_plans(project_id, duration_case=plan_duration, start=plan_start)
    timings = {registry.STATUS_QUO: OptionTiming(None, None)}
    for opt in project.shortlist[1:]:
        p = plans[opt]
        timings[opt] = OptionTiming(p.start, p.go_live)
    council_class = registry.council(project.lead_council)["authority_class"]
    model = ProjectModel(
        book,
        base.amounts_gbp.to_dict(),
        base.fte,
        timings,
        council_class,
        perspective,
        horizon_years,
        council_funded_share=1.0 if contract_on_whole_service else base.council_funded_share,
        admissions_gbp=base.standard_rated_admissions_gbp,
    )
    return model, plans


def appraise(
    project_id: str,
    scenario: str = "central",
    perspective: str = "council",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    ob_mitigation: float | None = None,
    mca_weights: "pd.Series | dict | None" = None,
    horizon_years: int | None = None,
    plan_start: dt.date | None = None,
    with_switching: bool = True,
    with_decision: bool = True,
    with_sobol: bool = False,
    sobol_n: int | None = None,
    overrides: "Mapping[str, float] | None" = None,
    with_sensitivity: bool = True,
    contract_on_whole_service: bool = False,
) -> AppraisalResult:
    """Appraise every short-listed option of a project against the status quo.

    ``scenario``: a name in scenarios.yaml; ``perspective``: 'council' (the council's General Fund),
    'public' (the public sector: transfers such as rates relief and irrecoverable VAT net out) or
    'social' (net present social value: transfers excluded, volunteer time and transferred buildings at
    opportunity cost); ``draws``: Monte Carlo draws (0 = none); ``ob_mitigation``: an override of the
    optimism-bias mitigation (0..1), labelled "override" in every output; without it the mitigation is
    derived from the contributory factors in appraisal.yaml (a scenario may also set
    ``project.optimism_bias_mitigation`` as an override); it is never drawn in the Monte Carlo.
    ``mca_weights``: criterion -> swing weight (sum 1). ``overrides``: what-if values by assumption key
    (``{"mutual.pension_rate_change": 0.04}``), each within its bounds and fixed in every Monte Carlo draw
    (:mod:`ddanalysis.overrides`). Money in GBP, real base-year prices.
    ``with_decision`` (with draws): probability best, the acceptability curve, EVPI, partial EVPI and
    failure rules from the same draws (``result.decision``; about 2x the Monte Carlo's time; the
    dashboard's first render skips them). ``with_sobol``: Sobol indices too, from their own design of
    ``sobol_n`` base points (default :data:`ddanalysis.deciding.SOBOL_BASE`). ``with_sensitivity=False``
    leaves the tornado empty: the dashboard's first, fast redraw after a what-if change.
    ``contract_on_whole_service``: the funding-basis check (:func:`build_model`), labelled in ``what_if``;
    the workbook keeps the baseline's council-funded share, so export such a result only to read it.
    """
    check_run_defaults()  # the data file that sets the default draws and seed was readable
    _check_args(perspective, draws, horizon_years, ob_mitigation)
    project_id, book = _project_book(project_id)  # prices real in the baseline's base year
    check_short_list(overrides, registry.project(project_id).shortlist, registry.DELIVERY_MODELS)
    sc = book.scenario(scenario)
    values, fixed, ob_mitigation = _scenario_values(book, sc, overrides, ob_mitigation)
    model, plans = build_model(
        project_id, perspective, sc.plan_duration, horizon_years, plan_start, contract_on_whole_service
    )
    run = _Run(
        perspective, int(draws), int(seed), ob_mitigation, mca_weights, overrides, with_sensitivity, with_switching
    )
    result = _central_result(project_id, sc, book, model, plans, values, fixed, run)
    if contract_on_whole_service:
        result = _labelled_whole_service(result)
    result = _with_council_results(result, project_id, result.baseline)
    result = _outcome_tornado(result, model, values, book, overrides) if with_sensitivity else result
    if draws and (with_decision or with_sobol):
        result = _with_decision_measures(result, model, values, fixed, with_sobol, sobol_n, int(seed))
    return result


#: Said in ``what_if`` (and so in every heading) of a result made with ``contract_on_whole_service``.
WHOLE_SERVICE_NOTE = (
    "Funding-basis check: the whole service treated as paid for by the council, so a provider's margin, "
    "contract management and grant-paid VAT fall on all its spending, as its savings do."
)


def _labelled_whole_service(result: AppraisalResult) -> AppraisalResult:
    """``result`` with :data:`WHOLE_SERVICE_NOTE` after its what-if values and scenario description."""
    return dataclasses.replace(
        result,
        what_if=f"{result.what_if} {WHOLE_SERVICE_NOTE}".strip(),
        scenario_description=f"{result.scenario_description} {WHOLE_SERVICE_NOTE}".strip(),
    )


class _Run(NamedTuple):
    """The arguments of one :func:`appraise` run that the result's fields depend on."""

    perspective: str
    draws: int
    seed: int
    ob_mitigation: float | None  # the override of the optimism-bias mitigation (0..1), or None
    mca_weights: "pd.Series | dict | None"
    overrides: "Mapping[str, float] | None"
    with_sensitivity: bool
    with_switching: bool


def _central_result(
    project_id: str,
    sc: Scenario,
    book: AssumptionBook,
    model: ProjectModel,
    plans: dict,
    values: pd.Series,
    fixed: set[tuple[str, str]],
    run: _Run,
) -> AppraisalResult:
    """The appraisal of every option at the scenario's values: cash flows (GBP, real base-year prices),
    net present savings, optimism bias, the Monte Carlo and sensitivity, MCA, the recommendation and the
    outcome benefits; per-council fields and decision measures are added by the caller."""
    ob_used, ob_source = _set_mitigation(model, values, run.ob_mitigation)
    base = project_baseline(project_id)
    year_labels = [fy_label(fy_start_year(book.settings.first_year) + t) for t in range(model.horizon)]
    flows = model.evaluate(values.to_dict())
    mca_fields = _mca_fields(project_id, run.mca_weights)
    uncertainty = _uncertainty_fields(
        model,
        values,
        fixed,
        _target_share(book),
        base.net_budget_gbp,
        run.draws,
        run.seed,
        run.with_sensitivity,
        _switching_comparators(mca_fields["mca_totals"]) if run.with_switching else None,
    )
    options, recommended, text = _ranked_options(
        model, flows, values, book, plans, base, uncertainty, mca_fields, year_labels, run
    )
    return AppraisalResult(
        **_record_fields(project_id, sc, book, model, base, values, run),
        optimism_bias_mitigation=ob_used,
        optimism_bias_mitigation_source=ob_source,
        options=options,
        recommended=recommended,
        recommendation=text + decision_text.mca_default_note(mca.scores_are_default(mca_fields["mca_scores"])),
        **_cashflow_fields(flows, model.factors, year_labels),
        **uncertainty,
        **mca_fields,
        **_plan_fields(plans, model.options),
        **_outcome_fields(model, values, project_id, book, sc, options, year_labels, uncertainty, run),
    )


def _ranked_options(
    model: ProjectModel,
    flows: Mapping[str, Mapping[str, np.ndarray]],
    values: pd.Series,
    book: AssumptionBook,
    plans: dict,
    base: Any,
    uncertainty: dict[str, Any],
    mca_fields: dict[str, Any],
    year_labels: list[str],
    run: _Run,
) -> tuple[pd.DataFrame, str, str]:
    """The options table (one row per option, money in GBP) with the recommended option and its wording."""
    return _with_recommendation(
        _options_table(
            model,
            flows,
            values.to_dict(),
            book,
            plans,
            base,
            uncertainty["monte_carlo"],
            mca_fields["mca_totals"],
            year_labels,
        ),
        run.draws > 0,
        base.net_budget_gbp,
        run.perspective,
        book.settings.base_year,
        model.horizon,
    )


def _outcome_fields(
    model: ProjectModel,
    values: pd.Series,
    project_id: str,
    book: AssumptionBook,
    sc: Scenario,
    options: pd.DataFrame,
    year_labels: list[str],
    uncertainty: dict[str, Any],
    run: _Run,
) -> dict:
    """Each option's outcome benefits as AppraisalResult fields (:func:`_public_value`), with the what-if
    values of outcome inputs and the Monte Carlo's draws."""
    return _public_value(
        model,
        values.to_dict(),
        project_id,
        book,
        sc.name,
        run.perspective,
        options,
        year_labels,
        split_overrides(run.overrides or {})[1],
        uncertainty["mc_draws"],
        run.seed,
    )


def _record_fields(
    project_id: str, sc: Scenario, book: AssumptionBook, model: ProjectModel, base: Any, values: pd.Series, run: _Run
) -> dict[str, Any]:
    """AppraisalResult's heading, baseline, assumptions used, discount bands, provenance and run record."""
    return {
        **_heading_fields(project_id, sc, book, model, run.perspective, run.overrides),
        "baseline": base,
        "illustrative": bool(base.illustrative),
        "assumptions": _assumptions_used(book, model, values),
        "discount_bands": tuple(book.settings.discount_bands),
        "discount_source": _discount_source(book),
        "provenance": _provenance(project_id, base),
        "model": model,
        "run_record": _run_record(
            project_id, sc.name, run.perspective, run.seed, run.draws, run.ob_mitigation, run.mca_weights, run.overrides
        ),
    }


def _project_book(project_id: str) -> tuple[str, AssumptionBook]:
    """The project's id (a workspace folder is named by its id from here on) and its assumption book, prices
    real in its baseline's base year (:func:`ddanalysis.price_base.project_book`). Raises
    :class:`DDAnalysisError` when project.yaml's ``base_year`` is not the book's: a baseline is never
    appraised in another year's prices unsaid."""
    project = registry.project(project_id)
    book = price_base.project_book(project.id)
    if project.base_year != book.settings.base_year:
        raise DDAnalysisError(
            f"{project.id}: project.yaml gives base_year {project.base_year}, but the assumptions "
            f'are in {book.settings.base_year} prices; set base_year: "{book.settings.base_year}"'
        )
    return project.id, book


def _with_council_results(result: AppraisalResult, project_id: str, base: Any) -> AppraisalResult:
    """``result`` with its per-council fields (``apportionment``, ``by_council``, ``cash_profile``:
    :func:`ddanalysis.financial_case.council_results`), from its cash flows, annual table, assumptions
    used and Monte Carlo savings target."""
    project = registry.project(project_id)
    apportionment = partners.load(
        project_id, project.councils, [registry.council_name(c) for c in project.councils], base.amounts_gbp.to_dict()
    )
    return dataclasses.replace(
        result,
        **council_results(
            apportionment,
            result.cashflows,
            result.annual,
            result.assumptions,
            float(result.mc_target_gbp),
            registry.STATUS_QUO,
        ),
    )


def _heading_fields(
    project_id: str,
    sc: Scenario,
    book: AssumptionBook,
    model: ProjectModel,
    perspective: str,
    overrides: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """AppraisalResult's heading: the project, its councils, the scenario (its description followed by the
    what-if values that replace its own, :func:`ddanalysis.overrides.what_if_note`, also on their own in
    ``what_if``), the perspective, the base
    and first years, the horizon (years) and the residual life of assets (years)."""
    project = registry.project(project_id)
    # the scenario's own values are looked up again only to show what a what-if value replaced
    what_if = what_if_note(overrides, book.values(sc).to_dict()) if overrides else ""
    return {
        "project_id": project_id,
        "project_title": project.title,
        "councils": " + ".join(registry.council_name(c) for c in project.councils),
        "scenario": sc.name,
        "scenario_description": f"{sc.description} {what_if}".strip(),
        "what_if": what_if,
        "perspective": perspective,
        "base_year": book.settings.base_year,
        "first_year": book.settings.first_year,
        "horizon_years": model.horizon,
        "residual_life_years": float(model.residual_life_years),
    }


#: The assumption that sets the optimism-bias mitigation: never drawn in the Monte Carlo.
OB_KEY = (PROJECT_SCOPE, "optimism_bias_mitigation")


def _scenario_values(
    book: AssumptionBook, sc: Scenario, overrides: Mapping[str, float] | None, ob_mitigation: float | None
) -> tuple[pd.Series, set[tuple[str, str]], float | None]:
    """The scenario's value of every assumption ((scope, key) -> value) with the what-if ``overrides``
    applied; the keys fixed in every Monte Carlo draw (the scenario's, the overrides' and the
    mitigation); and the optimism-bias mitigation override: the argument, else the scenario's, else an
    override of it, else None (derived from the contributory factors). Raises :class:`DDAnalysisError` when the
    argument and an override give the mitigation two different values (neither would say which was used)."""
    values = book.values(sc)
    fixed = set(sc.set) | {OB_KEY}
    given = ob_mitigation
    if ob_mitigation is None and OB_KEY in sc.set:
        ob_mitigation = float(sc.set[OB_KEY])
    cost_overrides, _ = split_overrides(overrides or {})
    for key, value in checked_overrides(cost_overrides, book.table).items():
        if key == OB_KEY:
            if given is not None and float(given) != value:
                raise DDAnalysisError(
                    f"the optimism-bias mitigation is given twice: {float(given):g} (--ob-mitigation) and {value:g} "
                    f"(--set {OB_KEY[0]}.{OB_KEY[1]}); give one"
                )
            ob_mitigation = value
        else:
            values.loc[key] = value
            fixed.add(key)
    return values, fixed, ob_mitigation


def _set_mitigation(model: ProjectModel, values: pd.Series, ob_mitigation: float | None) -> tuple[float, str]:
    """The optimism-bias mitigation used (share, 0..1) and where it comes from: the override, else the
    one derived from the contributory factors; set on ``model`` and written into ``values`` (both built
    by :func:`appraise`)."""
    override = None if ob_mitigation is None else float(ob_mitigation)
    model.ob_mitigation_override = override
    ob_used = override if override is not None else float(model.ob_derived["operating"])
    values.loc[OB_KEY] = ob_used
    return ob_used, "override" if override is not None else "contributory factors"


def _target_share(book: AssumptionBook) -> float:
    """The steady-state saving target as a share of the net budget (appraisal.yaml ``targets``)."""
    return float(book.settings.targets["steady_state_saving_share"]["value"])


def _cashflow_fields(
    flows: Mapping[str, Mapping[str, np.ndarray]], factors: np.ndarray, year_labels: list[str]
) -> dict[str, pd.DataFrame]:
    """AppraisalResult's ``cashflows`` (option, year_index, financial_year, component, label, kind,
    cost_gbp) and ``annual`` (each option's cost, saving against the status quo, cumulative saving,
    discount factor and present values by year); GBP, real base-year prices."""
    cf_rows = []
    for opt, comps in flows.items():
        for comp in OPERATING_COMPONENTS + ONE_OFF_COMPONENTS:
            kind = "one_off" if comp in ONE_OFF_COMPONENTS else "operating"
            for t, label in enumerate(year_labels):
                cf_rows.append((opt, t, label, comp, COMPONENT_LABELS[comp], kind, float(comps[comp][0, t])))
    cashflows = pd.DataFrame(
        cf_rows, columns=["option", "year_index", "financial_year", "component", "label", "kind", "cost_gbp"]
    )
    totals = {o: ProjectModel.total(c)[0] for o, c in flows.items()}
    sq = totals[registry.STATUS_QUO]
    annual_rows = []
    for opt, cost in totals.items():
        saving = sq - cost
        cum = np.cumsum(saving)
        pv = saving * factors
        for t, label in enumerate(year_labels):
            annual_rows.append((opt, t, label, cost[t], saving[t], cum[t], factors[t], pv[t], pv[: t + 1].sum()))
    annual = pd.DataFrame(
        annual_rows,
        columns=[
            "option",
            "year_index",
            "financial_year",
            "cost_gbp",
            "saving_gbp",
            "cumulative_saving_gbp",
            "discount_factor",
            "pv_saving_gbp",
            "cumulative_pv_saving_gbp",
        ],
    )
    return {"cashflows": cashflows, "annual": annual}


def _uncertainty_fields(
    model: ProjectModel,
    values: pd.Series,
    fixed: set[tuple[str, str]],
    target_share: float,
    net_budget_gbp: float,
    draws: int,
    seed: int,
    with_sensitivity: bool,
    switching_comparators: Collection[str] | None,
) -> dict[str, Any]:
    """AppraisalResult's ``sensitivity``, ``switching`` (against the status quo and the next best of
    ``switching_comparators``; none computed when that is None), ``monte_carlo`` (option, p10, p50, p90 GBP,
    p_positive, p_meets_target; NaN without draws), ``mc_draws``, ``mc_seed``, ``mc_target_gbp`` (the
    steady-state saving target: ``target_share`` x the net budget, GBP) and ``mc_inputs`` (None without
    draws)."""
    sens = sensitivity(model, values) if with_sensitivity else pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    switch = (
        switching_values(model, values, comparators=switching_comparators)
        if switching_comparators is not None
        else pd.DataFrame()
    )
    fields: dict[str, Any] = {"sensitivity": sens, "switching": switch, "mc_seed": int(seed)}
    if draws:
        mc = monte_carlo(
            model,
            values,
            draws=int(draws),
            seed=int(seed),
            target_share=target_share,
            net_budget_gbp=net_budget_gbp,
            fixed=fixed,
        )
        summary = mc.summary.set_index("option")
        return {
            **fields,
            "monte_carlo": summary.reset_index(names="option"),
            "mc_draws": mc.draws,
            "mc_target_gbp": float(mc.target_gbp),
            "mc_inputs": None if mc.inputs is None else mc.inputs.reset_index(drop=True),
        }
    empty = pd.DataFrame(
        index=list(model.options), columns=["p10", "p50", "p90", "p_positive", "p_meets_target"], dtype=float
    )
    return {
        **fields,
        "monte_carlo": empty.rename_axis("option").reset_index(),
        "mc_draws": pd.DataFrame(columns=list(model.options)),
        "mc_target_gbp": float(target_share * net_budget_gbp),
        "mc_inputs": None,
    }


def _switching_comparators(mca_totals: pd.DataFrame) -> set[str]:
    """The options a switching value is measured against: those the decision rule could recommend on the
    non-monetised criteria and the status quo (:func:`ddanalysis.mca.rule_choice_set`). Tests (a) and
    (b) move with the assumption itself, so they are not applied here."""
    from .mca import rule_choice_set

    score = dict(zip(mca_totals["option"], mca_totals["weighted_score"]))
    return set(rule_choice_set(score, [registry.STATUS_QUO, *score]))


def _mca_fields(project_id: str, mca_weights: pd.Series | dict | None) -> dict[str, Any]:
    """AppraisalResult's multi-criteria fields: ``mca_scores``, ``mca_weights`` (criterion -> swing
    weight: the argument, else the project's defaults), ``mca_totals``, ``mca_stability``,
    ``mca_criteria`` and ``mca_notes`` (:mod:`ddanalysis.mca`)."""
    scores = mca.load_scores(project_id)
    weights = pd.Series(mca_weights, dtype=float) if mca_weights is not None else mca.default_weights(project_id)
    return {
        "mca_scores": scores,
        "mca_weights": weights,
        "mca_totals": mca.weighted_totals(scores, weights),
        "mca_stability": mca.rank_stability(scores, weights),
        "mca_criteria": mca.load_criteria(),
        "mca_notes": mca.criteria_notes(),
    }


def _options_table(
    model: ProjectModel,
    flows: Mapping[str, Mapping[str, np.ndarray]],
    values: dict,
    book: AssumptionBook,
    plans: Mapping[str, Any],
    base: Any,
    monte_carlo_summary: pd.DataFrame,
    mca_totals: pd.DataFrame,
    year_labels: list[str],
) -> pd.DataFrame:
    """The headline table: one row per option (status quo first) with its present values (GBP, real
    base-year prices), payback, Green Book metrics, Monte Carlo percentiles and MCA score, and its
    ``rank`` by net present saving and ``mca_rank`` (1 = best)."""
    mc_summary = monte_carlo_summary.set_index("option")
    mca_by_option = mca_totals.set_index("option")["weighted_score"]
    extra = _method_metrics(model, flows, values)
    totals = {o: ProjectModel.total(c)[0] for o, c in flows.items()}
    one_offs = {o: ProjectModel.total(c, ONE_OFF_COMPONENTS)[0] for o, c in flows.items()}
    sq = totals[registry.STATUS_QUO]
    rows = []
    for opt in model.options:
        saving = sq - totals[opt]
        nps = float(saving @ model.factors)
        pv_one_off = float(one_offs[opt] @ model.factors)
        pb = int(payback_index(saving)[0]) if opt != registry.STATUS_QUO else -1
        p = plans.get(opt)
        rows.append(
            {
                "id": opt,
                "name": book.models[opt]["name"],
                "go_live": p.go_live.isoformat() if p is not None else None,
                "go_live_year": fy_of(p.go_live) if p is not None else None,
                "net_present_cost_gbp": float(totals[opt] @ model.factors),
                "net_present_saving_gbp": nps,
                "one_off_cost_gbp": float(one_offs[opt].sum()),
                "pv_one_off_cost_gbp": pv_one_off,
                "payback_index": pb if pb >= 0 else None,
                "payback_year": year_labels[pb] if pb >= 0 else None,
                **extra[opt],
                "return_on_transition_cost": return_on_transition_cost(nps + pv_one_off, pv_one_off),
                "steady_state_saving_gbp": float(saving[-1]),
                "steady_state_saving_share": float(saving[-1] / base.net_budget_gbp) if base.net_budget_gbp else None,
                "p_saving_positive": _get(mc_summary, opt, "p_positive"),
                "p_meets_target": _get(mc_summary, opt, "p_meets_target"),
                "saving_p10_gbp": _get(mc_summary, opt, "p10"),
                "saving_p50_gbp": _get(mc_summary, opt, "p50"),
                "saving_p90_gbp": _get(mc_summary, opt, "p90"),
                "mca_score": float(mca_by_option.get(opt, np.nan)),
            }
        )
    options = pd.DataFrame(rows)
    options["rank"] = options["net_present_saving_gbp"].rank(ascending=False, method="min").astype(int)
    options["mca_rank"] = options["mca_score"].rank(ascending=False, method="min").astype(int)
    return options


def _assumptions_used(book: AssumptionBook, model: ProjectModel, values: pd.Series) -> pd.DataFrame:
    """The assumption book's rows of the project and its options, with ``value_used`` in this run."""
    used = book.table[book.table.scope.isin([PROJECT_SCOPE, *model.options])].copy()
    used["value_used"] = [float(values[k]) for k in used.index]
    return used.reset_index(drop=True)


def _plan_fields(plans: Mapping[str, Any], options: Collection[str]) -> dict[str, Any]:
    """AppraisalResult's ``plans`` (option id -> Plan), ``gantt`` (phases) and ``risks`` of the options
    appraised, each table with an ``option`` column."""
    kept = {o: p for o, p in plans.items() if o in options}
    if not plans:
        return {"plans": kept, "gantt": pd.DataFrame(), "risks": pd.DataFrame()}
    return {
        "plans": kept,
        "gantt": pd.concat([p.phases.assign(option=o) for o, p in kept.items()], ignore_index=True),
        "risks": pd.concat([p.risks.assign(option=o) for o, p in kept.items()], ignore_index=True),
    }


def _provenance(project_id: str, base: Any) -> dict[str, str]:
    """Where the figures come from: the baseline's source, the assumption files, the method, the version,
    and which inputs are the project's own and which the bundled defaults (``<input>_origin``)."""
    return {
        "baseline": base.source,
        "assumptions": (
            "data/assumptions (levers.yaml, models/, appraisal.yaml, scenarios.yaml; sources in sources.yaml)"
        ),
        "method": "HM Treasury Green Book: real prices, STPR discounting, optimism bias, Monte Carlo, MCA",
        "package_version": __version__,
        **{f"{k}_origin": v for k, v in workspace.input_origins(project_id).items()},
        "gdp_deflator_origin": price_index.origin(workspace.folder(project_id), _bundled_deflator()),
    }


def _bundled_deflator() -> dict[str, float]:
    """The bundled GDP deflator: financial year -> index, 2014-15 = 100 (data/assumptions/appraisal.yaml)."""
    return {str(k): float(v) for k, v in load_book(None).settings.gdp_deflator.items()}


def _with_decision_measures(
    result: AppraisalResult,
    model: ProjectModel,
    values: pd.Series,
    fixed: set,
    with_sobol: bool,
    sobol_n: int | None,
    seed: int,
) -> AppraisalResult:
    """The decision measures on ``result`` (see :mod:`ddanalysis.deciding`); Sobol indices when asked."""
    import dataclasses

    from . import deciding
    from .presentation.tables import focus_option

    result = deciding.with_decision(result)
    if with_sobol:
        focus = focus_option(result)
        choice = set(result.decision.choice_set) if result.decision is not None else set(result.mc_draws.columns)
        means = {o: m for o, m in result.mc_draws.mean().to_dict().items() if o in choice | {focus}}
        other = deciding.runner_up(means, focus)
        table, n_base, n_eval = deciding.sobol_measures(
            model, values, fixed, focus, other, n=sobol_n or deciding.SOBOL_BASE, seed=seed
        )
        names = dict(zip(result.options["id"], result.options["name"]))
        dm = dataclasses.replace(
            result.decision,
            sobol=table,
            sobol_option=names.get(focus, focus),
            sobol_runner_up=None if other is None else names.get(other, other),
            sobol_n_base=n_base,
            sobol_evaluations=n_eval,
        )
        result = dataclasses.replace(result, decision=dm)
    return result


def _public_value(
    model: ProjectModel,
    values: dict,
    project_id: str,
    book,
    scenario: str,
    perspective: str,
    options: pd.DataFrame,
    year_labels: list[str],
    outcome_overrides: dict,
    mc_draws: pd.DataFrame,
    seed: int,
) -> dict:
    """Each option's outcome benefits as AppraisalResult fields: ``public_value``,
    ``benefits_by_agency``, ``benefits_by_year``. Benefits ramp with the option's live share and its
    ``ramp_up_years`` lever (as savings do), are discounted with the costs' factors and re-based with
    the assumption book's GDP deflator to the base year (:mod:`ddanalysis.benefits`)."""
    from .benefits import appraise_benefits

    ramps = _benefit_ramps(model, values)
    totals = {o: ProjectModel.total(c)[0] for o, c in model.evaluate(values).items()}
    savings = {o: totals[registry.STATUS_QUO] - t for o, t in totals.items()}
    return appraise_benefits(
        project_id,
        options=options,
        ramps=ramps,
        factors=model.factors,
        year_labels=year_labels,
        deflator=book.settings.gdp_deflator.to_dict(),
        base_year=book.settings.base_year,
        scenario=scenario,
        perspective=perspective,
        savings=savings,
        overrides=outcome_overrides,
        nps_draws=mc_draws,
        seed=seed,
    )


def _benefit_ramps(model: ProjectModel, values: Mapping) -> dict[str, np.ndarray]:
    """Option id -> share of its outcome benefits realised each year (T,): live share x the option's
    ``ramp_up_years`` lever (:func:`ddanalysis.benefits.benefit_ramp`)."""
    from .benefits import benefit_ramp

    return {
        opt: benefit_ramp(model.timings[opt], float(np.asarray(model._levers(opt, values)["ramp_up_years"])))
        for opt in model.options
    }


def _outcome_tornado(
    result: AppraisalResult,
    model: ProjectModel,
    values: pd.Series,
    book: AssumptionBook,
    overrides: "Mapping[str, float] | None",
) -> AppraisalResult:
    """``result`` with the outcome quantities in its one-way sensitivity, on net present saving + counted
    benefits (:func:`ddanalysis.outcome_sensitivity.with_outcome_sensitivity`); what-if outcome values held."""
    from .benefits import benefit_ramp
    from .outcome_sensitivity import with_outcome_sensitivity

    def ramp_for(opt: str, years: float) -> np.ndarray:
        return benefit_ramp(model.timings[opt], years)

    return with_outcome_sensitivity(
        result,
        ramps=_benefit_ramps(model, values.to_dict()),
        factors=model.factors,
        deflator=book.settings.gdp_deflator.to_dict(),
        overrides=split_overrides(overrides or {})[1],
        ramp_for=ramp_for,
    )


def _discount_source(book) -> dict[str, str]:
    """Title and link of the discount schedule's source (the Green Book)."""
    src = book.sources.get(book.settings.sources_of_settings.get("discount_schedule", ""), {})
    return {"title": str(src.get("title", "HM Treasury, The Green Book")), "link": str(src.get("link", ""))}


def _run_record(
    project_id: str,
    scenario: str,
    perspective: str,
    seed: int,
    draws: int,
    ob_mitigation: float | None,
    mca_weights: "pd.Series | dict | None",
    what_if: "Mapping[str, float] | None" = None,
):
    """The run record of an appraisal: every bundled input file hashed, the arguments and overrides."""
    overrides: dict[str, object] = {str(k): float(v) for k, v in (what_if or {}).items()}
    if ob_mitigation is not None:
        overrides["project.optimism_bias_mitigation"] = float(ob_mitigation)
    if mca_weights is not None:
        overrides.update({f"mca_weight.{k}": float(v) for k, v in dict(mca_weights).items()})
    return make_record(
        project_input_files(config.DATA_DIR, project_id),
        config.DATA_DIR,
        package_version=__version__,
        scenario=scenario,
        perspective=perspective,
        seed=seed,
        draws=draws,
        overrides=overrides,
    )


def _method_metrics(
    model: ProjectModel, flows: Mapping[str, Mapping[str, np.ndarray]], values: dict
) -> dict[str, dict]:
    """Per option: optimism_bias_gbp (PV of the uplift lines), residual_value_gbp, the Green Book
    benefit_cost_ratio with its note, and by_horizon (net present saving over 10, 15 and 20 years,
    no residual value). GBP, real base-year prices, discounted to the first appraisal year."""
    residual = model.residual_values(flows)
    sq_op = ProjectModel.total(flows[registry.STATUS_QUO], OPERATING_COMPONENTS)[0]
    long = model.with_horizon(max(max(HORIZONS), model.horizon))
    long_flows = long.evaluate(values)
    long_sq = ProjectModel.total(long_flows[registry.STATUS_QUO])[0]
    out = {}
    for opt, comps in flows.items():
        rv = float(residual[opt][0])
        op_saving = sq_op - ProjectModel.total(comps, OPERATING_COMPONENTS)[0]
        one_off = ProjectModel.total(comps, ONE_OFF_COMPONENTS)[0]
        bcr, note = (
            (None, "the status quo is the benchmark")
            if opt == registry.STATUS_QUO
            else green_book_bcr(op_saving, one_off, model.factors, rv)
        )
        long_saving = (long_sq - ProjectModel.total(long_flows[opt])[0]) * long.factors
        out[opt] = {
            "optimism_bias_gbp": float(ProjectModel.total(comps, OPTIMISM_BIAS_COMPONENTS)[0] @ model.factors),
            "residual_value_gbp": rv,
            "benefit_cost_ratio": bcr,
            "benefit_cost_ratio_note": note,
            **{horizon_column(h): float(long_saving[:h].sum()) for h in HORIZONS},
        }
    return out


def _get(frame: pd.DataFrame, opt: str, col: str) -> float | None:
    if opt not in frame.index or col not in frame.columns:
        return None
    v = frame.loc[opt, col]
    return None if pd.isna(v) else float(v)


def _with_recommendation(
    options: pd.DataFrame, have_mc: bool, net_budget: float, perspective: str, base_year: str, horizon: int
) -> tuple[pd.DataFrame, str, str]:
    """``options`` (not changed) with its ``recommended`` column (True on the preferred option), the
    preferred option's id and the sentence that explains it (:func:`_recommend`)."""
    recommended, text = _recommend(options, have_mc, net_budget, perspective, base_year, horizon)
    return options.assign(recommended=options["id"] == recommended), recommended, text


def _recommend(
    options: pd.DataFrame, have_mc: bool, net_budget: float, perspective: str, base_year: str, horizon: int
) -> tuple[str, str]:
    """The preferred option and the sentence that explains it, by :data:`RECOMMENDATION_RULE`: test (c), a
    non-monetised score at least the status quo's, is :func:`ddanalysis.mca.rule_choice_set`'s."""
    from .mca import rule_choice_set

    sq = options[options.id == registry.STATUS_QUO].iloc[0]
    allowed = rule_choice_set(dict(zip(options.id, options.mca_score.astype(float))), list(options.id))
    cand = options[
        (options.id != registry.STATUS_QUO) & (options.net_present_saving_gbp > 0) & options.id.isin(allowed)
    ]
    if have_mc:
        cand = cand[cand.p_saving_positive >= 0.5]
    sentence = partial(
        decision_text.recommendation_sentence,
        status_quo_mca=float(sq.mca_score),
        have_monte_carlo=have_mc,
        perspective=perspective,
        base_year=base_year,
        horizon_years=horizon,
    )
    if cand.empty:
        return registry.STATUS_QUO, sentence(None)
    best = cand.sort_values("net_present_saving_gbp", ascending=False).iloc[0]
    return str(best.id), sentence(best.to_dict())


def appraise_cached(
    project_id: str,
    scenario: str = "central",
    perspective: str = "council",
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    ob_mitigation: float | None = None,
) -> AppraisalResult:
    """:func:`appraise` memoised on its arguments and the stamp of every bundled data file and of every
    file in the project's workspace folder (which may lie outside the bundled data), so an edited file is
    seen at once (for dashboards and the programme summary; treat the result as read-only)."""
    return _appraise_memo(project_id, scenario, perspective, draws, seed, ob_mitigation, _input_stamp(project_id))


def _input_stamp(project_id: str) -> Stamp:
    """The stamp of the bundled data and, when it lies outside them, of the project's workspace folder."""
    data = config.DATA_DIR.resolve()
    where = workspace.folder(project_id).resolve()
    return stamp(data) if where.is_relative_to(data) else stamp(data, where)


@lru_cache(maxsize=64)
def _appraise_memo(
    project_id: str, scenario: str, perspective: str, draws: int, seed: int, ob_mitigation: float | None, _stamp: Stamp
) -> AppraisalResult:
    return appraise(project_id, scenario, perspective, draws, seed, ob_mitigation)
