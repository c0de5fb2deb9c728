"""Public value in the appraisal: each option's outcome benefits, by year, agency and kind.

One job: run :func:`ddanalysis.public_value.option_benefits` for every option of an appraised project
with the appraisal's own timing, discount factors, GDP deflator and base year, apply the perspective's
rules, and return the tables the result carries. Money: GBP, real base-year prices.

Choices (stated in :mod:`ddanalysis.presentation.text` and the JSON's method notes):

* **Ramp**: benefits follow the option's live share from its plan (0 before go-live, the part-year
  at go-live) times the option's ``ramp_up_years`` lever, exactly as :mod:`ddanalysis.cashflow` ramps
  savings (``S = L x min(years since go-live / ramp, 1)``; no ramp when the lever is 0).
* **Discounting**: the same factors as costs (``model.factors``), year 0 undiscounted.
* **Ranking**: the counted benefits are NOT added to the net present saving that ranks options; they
  give a separate ``net_present_value_gbp`` = net present saving + counted benefits (in the social
  perspective this is the net present social value), shown beside the cost saving.
* **Uncertainty**: with Monte Carlo draws, every ranged outcome quantity (cohort, baseline rate,
  effect, deadweight, attribution, displacement, a stated haircut) is drawn beside the cost
  assumptions by the same sampler (PERT, mode at the case's value, a seeded stream per key), giving
  P10 / P90 of the counted benefits, of public value and of the net present value with benefits; the
  social perspective's decision measures use those draws. An outcome override is held in every draw.
  Each option's counted benefits are also worked out with every outcome quantity at its low and at
  its high value (``counted_benefits_range_gbp``). The appraisal's ``low``/``high`` scenarios take
  the outcome file's ``low``/``high`` values; every other scenario takes the central ones.
* **Payback per agency**: the year each agency's cumulative discounted counted benefits, net of the
  option's costs that fall on it (all on the council), turn positive (:func:`option_payback`).

Nothing here mutates its inputs.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import public_value as pv
from .errors import DataFileError, DDAnalysisError
from .registry import STATUS_QUO
from .unit_costs import AGENCIES, FISCAL_KINDS, KINDS, load_library

#: Agency id -> display name.
AGENCY_NAMES: dict[str, str] = {
    "council": "Council",
    "nhs": "NHS",
    "police": "Police",
    "schools": "Schools",
    "dwp": "DWP (benefits and tax)",
    "other": "Others (victims, learners, businesses)",
}
#: Kind id -> display name.
KIND_NAMES: dict[str, str] = {
    "fiscal_cashable": "Fiscal, cashable",
    "fiscal_non_cashable": "Fiscal, non-cashable",
    "economic": "Economic",
    "social": "Social",
}
#: How each (agency, kind) is treated in a perspective: counted, shown beside (not added), left out.
TREATMENTS = ("counted", "beside", "left_out")


def benefit_ramp(timing: Any, ramp_up_years: float) -> np.ndarray:
    """Share of an option's benefits realised each year (T,): live share x ramp, as cashflow ramps savings.

    >>> from types import SimpleNamespace as N
    >>> benefit_ramp(N(live_share=np.array([0, 0.5, 1, 1]), years_since_go_live=np.array([-1, 0.25, 1.25, 2.25])), 2.0)
    array([0.    , 0.0625, 0.625 , 1.    ])
    """
    live = np.asarray(timing.live_share, dtype=float)
    since = np.asarray(timing.years_since_go_live, dtype=float)
    ramp = float(ramp_up_years)
    if ramp <= 0:
        return live.copy()
    return live * np.clip(since / ramp, 0.0, 1.0)


def outcome_scenario(appraisal_scenario: str) -> str:
    """The outcome file's case for an appraisal scenario: ``low``/``high`` by name, else ``central``."""
    return appraisal_scenario if appraisal_scenario in pv.SCENARIOS else "central"


def pv_costs(net_present_saving: float, pv_one_off_cost: float) -> float:
    """The option's present value of costs for the returns: one-off costs plus net operating
    cost increases (GBP; the operating part is 0 when operating costs fall)."""
    operating_saving = float(net_present_saving) + float(pv_one_off_cost)
    return float(pv_one_off_cost) + max(0.0, -operating_saving)


def split_overrides(overrides: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """What-if values split into (cost assumptions, outcome quantities), by the key grammar: an outcome
    key has the outcome id before a slash (``repeat-victimisation/outsourcing.effect``, see
    :func:`ddanalysis.public_value.outcome_key`); every other key is a cost assumption's. Both new dicts."""
    from .keys import parse_key

    costs: dict[str, float] = {}
    outcomes: dict[str, float] = {}
    for key, value in overrides.items():
        (outcomes if parse_key(str(key)).service is not None else costs)[str(key)] = float(value)
    return costs, outcomes


def _outcome_model(project_id: str, library: Any) -> "pv.ProjectOutcomes | None":
    """The project's outcome model, or None when it has no outcome file."""
    try:
        return pv.load_outcomes(project_id, library=library)
    except DataFileError as exc:
        if "not found" not in str(exc):
            raise
        return None


def _header(project_id: str, model: "pv.ProjectOutcomes | None") -> dict[str, Any]:
    """Whether the project monetises outcomes, its summary and, when it does not, why."""
    if model is None:
        return {
            "monetisable": False,
            "summary": "",
            "reason": f"no outcome model (outcomes.yaml in the workspace of {project_id}) for this project",
        }
    return {"monetisable": bool(model.monetisable), "summary": model.summary, "reason": model.reason}


def _checked(project_id: str, model: "pv.ProjectOutcomes | None", overrides: Mapping[str, float]) -> dict[str, float]:
    """Outcome overrides checked against the project's outcome model
    (:func:`ddanalysis.public_value.checked_overrides`)."""
    if not overrides:
        return {}
    if model is None or not model.monetisable:
        raise DDAnalysisError(
            f"{', '.join(overrides)}: {project_id} monetises no outcome, so it has no outcome quantity to set"
        )
    return pv.checked_overrides(model, overrides)


def _empty_entry(nps: float, costs: float, perspective: str) -> dict[str, Any]:
    """An option's public-value fields when it has no monetised benefit (GBP)."""
    return {
        "benefits": [],
        "counted_benefits_pv_gbp": 0.0,
        "shown_beside": [],
        "left_out": [],
        "fiscal_roi": {"cashable": None, "all_fiscal": None},
        "public_value_roi": None,
        "benefit_cost_ratio": None,
        "pv_costs_gbp": costs,
        "net_present_value_gbp": nps,
        "net_present_social_value_gbp": nps if perspective == "social" else None,
        "counted_benefits_range_gbp": [0.0, 0.0],
        "payback_by_agency": [],
    }


_SUMMARY_FIELDS = ("benefits", "shown_beside", "left_out", "fiscal_roi", "public_value_roi", "benefit_cost_ratio")


def _option_entry(
    model: "pv.ProjectOutcomes",
    library: Any,
    opt: str,
    nps: float,
    costs: float,
    case: str,
    perspective: str,
    args: Mapping[str, Any],
) -> tuple[dict[str, Any], "pv.OptionBenefits"]:
    """One option's public-value fields and its :class:`~ddanalysis.public_value.OptionBenefits` in
    the outcome case; the low-high range re-runs the low and high cases (overrides held)."""
    ob = pv.option_benefits(model, library, opt, scenario=case, **args)
    s = pv.summarise(ob, pv_costs_gbp=costs, perspective=perspective)
    counted = float(s["counted_benefits_pv_gbp"])
    cases = [
        pv.perspective_view(pv.option_benefits(model, library, opt, scenario=c, **args), perspective).counted_pv_gbp
        for c in pv.SCENARIOS
    ]
    entry = _empty_entry(nps, costs, perspective)
    entry.update({k: s[k] for k in _SUMMARY_FIELDS})
    entry.update(
        {
            "counted_benefits_pv_gbp": counted,
            "net_present_value_gbp": nps + counted,
            "net_present_social_value_gbp": nps + counted if perspective == "social" else None,
            "counted_benefits_range_gbp": [float(min(cases)), float(max(cases))],
        }
    )
    return entry, ob


def option_payback(
    ob: "pv.OptionBenefits",
    perspective: str,
    saving: Sequence[float] | None,
    factors: "Sequence[float] | np.ndarray",
    year_labels: Sequence[str],
) -> list[dict[str, Any]]:
    """``[{agency, payback_year}]``: when each agency's cumulative discounted counted benefits, net of the
    costs that fall on it, turn positive (:func:`ddanalysis.public_value.payback_by_agency`).

    The option's cost change against the status quo (``-saving``, GBP a year, shape (T,)) falls on the
    council, whose budget the cost model is; other agencies bear no cost of the option. Only the benefits
    the perspective counts are used (the council's non-cashable value shown beside is not); an agency
    with no counted benefit and no cost is not listed. ``saving`` None: the council is listed only if
    it gains.
    """
    f = np.asarray(factors, dtype=float)
    benefits: dict[str, np.ndarray] = {}
    for (agency, kind), arr in ob.discounted_gbp.items():
        if pv.treatment(perspective, agency, kind) == "counted":
            benefits[agency] = benefits.get(agency, np.zeros(f.size)) + arr
    costs = {} if saving is None else {"council": -np.asarray(saving, dtype=float) * f}
    return pv.payback_by_agency(benefits, costs, year_labels)


def _agency_rows(opt: str, ob: "pv.OptionBenefits", perspective: str) -> list[dict[str, Any]]:
    """Tidy rows (option, agency, kind, treatment, present_value_gbp) of one option's benefits."""
    return [
        {
            "option": opt,
            "agency": a,
            "kind": k,
            "treatment": pv.treatment(perspective, a, k),
            "present_value_gbp": float(ob.present_values_gbp[(a, k)]),
        }
        for a in AGENCIES
        for k in KINDS
        if (a, k) in ob.flows_gbp
    ]


def _year_rows(
    opt: str,
    ob: "pv.OptionBenefits",
    perspective: str,
    factors: "Sequence[float] | np.ndarray",
    year_labels: Sequence[str],
) -> list[dict[str, Any]]:
    """Tidy rows, one per (agency, kind, year), of one option's benefits: undiscounted and present value."""
    rows = []
    for a in AGENCIES:
        for k in KINDS:
            if (a, k) not in ob.flows_gbp:
                continue
            flow = ob.flows_gbp[(a, k)]
            rows += [
                {
                    "option": opt,
                    "year_index": t,
                    "financial_year": year_labels[t],
                    "agency": a,
                    "kind": k,
                    "treatment": pv.treatment(perspective, a, k),
                    "benefit_gbp": float(flow[t]),
                    "discount_factor": float(factors[t]),
                    "pv_benefit_gbp": float(flow[t] * factors[t]),
                }
                for t in range(len(factors))
            ]
    return rows


AGENCY_COLUMNS = ["option", "agency", "kind", "treatment", "present_value_gbp"]
YEAR_COLUMNS = [
    "option",
    "year_index",
    "financial_year",
    "agency",
    "kind",
    "treatment",
    "benefit_gbp",
    "discount_factor",
    "pv_benefit_gbp",
]


def appraise_benefits(
    project_id: str,
    *,
    options: pd.DataFrame,
    ramps: Mapping[str, np.ndarray],
    factors: "Sequence[float] | np.ndarray",
    year_labels: Sequence[str],
    deflator: Mapping[str, float],
    base_year: str,
    scenario: str,
    perspective: str,
    savings: Mapping[str, Sequence[float]] | None = None,
    overrides: Mapping[str, float] | None = None,
    nps_draws: pd.DataFrame | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Every option's public value in the appraisal.

    ``options``: the appraisal's options frame (id, net_present_saving_gbp, pv_one_off_cost_gbp);
    ``ramps``: option id -> share of benefits realised each year (T,) (:func:`benefit_ramp`);
    ``factors``: the discount factors applied to costs (T,); ``deflator``: GDP deflator by financial year;
    ``savings``: option id -> saving against the status quo each year (T,), GBP, for the payback per agency;
    ``overrides``: outcome quantities fixed by key (:func:`split_overrides`), in the central case, the
    low-high range and every draw; ``nps_draws``: the Monte Carlo's net present saving (draws x option
    ids) to draw the outcome quantities alongside, with the same ``seed`` (:func:`benefit_draws`).

    Returns ``{"public_value": {...}, "benefits_by_agency": frame, "benefits_by_year": frame}``:
    ``public_value`` has ``monetisable``, ``summary``, ``reason``, ``outcome_case``, ``options``
    (option id -> the JSON fields, ``payback_by_agency`` among them) and, with draws, ``draws``
    (:func:`benefit_draws`); the frames are tidy (option, agency, kind, treatment, ...).
    Raises :class:`~ddanalysis.errors.DDAnalysisError` for an override that names no outcome quantity.
    """
    library = load_library()
    model = _outcome_model(project_id, library)
    monetised = model is not None and model.monetisable
    ov = _checked(project_id, model, overrides or {})
    case = outcome_scenario(scenario)
    args: dict[str, Any] = dict(
        live_share=None, discount_factors=factors, deflator=deflator, base_year=base_year, overrides=ov
    )
    by_option, agency_rows, year_rows = _central_entries(
        options, model if monetised else None, library, case, perspective, args, ramps, savings, year_labels
    )
    public_value = {**_header(project_id, model), "outcome_case": case, "options": by_option}
    if monetised and model is not None and nps_draws is not None and len(nps_draws):
        public_value["draws"] = _drawn_benefits(model, library, nps_draws, ramps, args, case, perspective, seed)
        _add_draw_summaries(by_option, public_value["draws"])
    return {
        "public_value": public_value,
        "benefits_by_agency": pd.DataFrame(agency_rows, columns=AGENCY_COLUMNS),
        "benefits_by_year": pd.DataFrame(year_rows, columns=YEAR_COLUMNS),
    }


def _central_entries(
    options: pd.DataFrame,
    model: "pv.ProjectOutcomes | None",
    library: Any,
    case: str,
    perspective: str,
    args: dict[str, Any],
    ramps: Mapping[str, np.ndarray],
    savings: Mapping[str, Sequence[float]] | None,
    year_labels: Sequence[str],
) -> tuple[dict[str, Any], list[dict], list[dict]]:
    """Each option's entry in the central case (option id -> JSON fields, payback by agency included) and the
    tidy rows of the by-agency and by-year frames; ``model`` None when no outcome is monetised (the council's
    costs alone). ``args``: the valuation's keyword arguments (discount factors, deflator, base year, fixed
    quantities); its ``live_share`` is set to each option's ramp in turn."""
    factors = args["discount_factors"]
    by_option: dict[str, Any] = {}
    agency_rows: list[dict[str, Any]] = []
    year_rows: list[dict[str, Any]] = []  # tidy rows of the two frames
    for r in options.itertuples(index=False):
        opt, nps = str(r.id), float(r.net_present_saving_gbp)
        costs = pv_costs(nps, float(r.pv_one_off_cost_gbp))
        by_option[opt] = _empty_entry(nps, costs, perspective)
        if opt == STATUS_QUO:
            continue
        ob = pv.OptionBenefits(opt, case, {}, {}, {})  # no monetised outcome: the council's costs alone
        if model is not None:
            args["live_share"] = np.asarray(ramps[opt], dtype=float)
            by_option[opt], ob = _option_entry(model, library, opt, nps, costs, case, perspective, args)
            agency_rows += _agency_rows(opt, ob, perspective)
            year_rows += _year_rows(opt, ob, perspective, factors, year_labels)
        saving = None if savings is None else savings.get(opt)
        by_option[opt]["payback_by_agency"] = option_payback(ob, perspective, saving, factors, year_labels)
    return by_option, agency_rows, year_rows


def _drawn_benefits(
    model: "pv.ProjectOutcomes",
    library: Any,
    nps_draws: pd.DataFrame,
    ramps: Mapping[str, np.ndarray],
    args: dict[str, Any],
    case: str,
    perspective: str,
    seed: int,
) -> dict[str, pd.DataFrame]:
    """:func:`benefit_draws` with the valuation's keyword arguments ``args`` (discount factors, deflator, base
    year, fixed outcome quantities)."""
    return benefit_draws(
        model,
        library,
        nps_draws,
        ramps=ramps,
        factors=args["discount_factors"],
        deflator=args["deflator"],
        base_year=args["base_year"],
        case=case,
        perspective=perspective,
        fixed=args["overrides"],
        seed=seed,
    )


def benefit_draws(
    model: "pv.ProjectOutcomes",
    library: Any,
    nps_draws: pd.DataFrame,
    *,
    ramps: Mapping[str, np.ndarray],
    factors: "Sequence[float] | np.ndarray",
    deflator: Mapping[str, float],
    base_year: str,
    case: str,
    perspective: str,
    fixed: Mapping[str, float],
    seed: int,
) -> dict[str, pd.DataFrame]:
    """The outcome quantities drawn beside the Monte Carlo's cost draws, and what they give per draw.

    ``nps_draws``: draws x option ids, the net present saving of each draw (GBP). The outcome
    quantities are drawn by :func:`ddanalysis.public_value.draw_inputs` (PERT, mode at the case's
    value, ``fixed`` held, the same ``seed``). Returns frames with one row per draw:

    * ``inputs``: one column per outcome key;
    * ``counted``: option ids -> the PV of the benefits the perspective counts (GBP);
    * ``all_kinds``: option ids -> the PV of every benefit of every kind for everyone (public value, GBP);
    * ``net_present_value``: option ids -> net present saving + counted benefits (in the social
      perspective, the net present social value); what the social perspective's decision measures use.
    """
    from .sampling import load_outcome_correlations

    n = len(nps_draws)
    inputs = pv.draw_inputs(model, n, seed, case, fixed, load_outcome_correlations(pv.bundled_outcome_keys()))
    counted, everything = {}, {}
    for opt in nps_draws.columns:
        pvs = (
            {}
            if opt == STATUS_QUO
            else pv.present_value_draws(
                model,
                library,
                str(opt),
                live_share=ramps[opt],
                discount_factors=factors,
                deflator=deflator,
                draws=inputs,
                base_year=base_year,
                scenario=case,
            )
        )
        counted[opt] = sum(
            (v for (a, k), v in pvs.items() if pv.treatment(perspective, a, k) == "counted"), np.zeros(n)
        )
        everything[opt] = sum(pvs.values(), np.zeros(n))
    counted_f = pd.DataFrame(counted, index=nps_draws.index)
    return {
        "inputs": inputs.set_axis(nps_draws.index),
        "counted": counted_f,
        "all_kinds": pd.DataFrame(everything, index=nps_draws.index),
        "net_present_value": nps_draws + counted_f,
    }


def _add_draw_summaries(by_option: dict[str, Any], draws: Mapping[str, pd.DataFrame]) -> None:
    """Put each option's P10 / P90 of counted benefits, of public value (every kind) and of the net present
    value with benefits, and the chance that net present value is positive, on its entry (GBP)."""
    for opt, entry in by_option.items():
        for name, frame in (
            ("counted_benefits", draws["counted"]),
            ("public_value", draws["all_kinds"]),
            ("net_present_value", draws["net_present_value"]),
        ):
            v = frame[opt].to_numpy(dtype=float)
            entry[f"{name}_p10_gbp"] = float(np.percentile(v, 10))
            entry[f"{name}_p90_gbp"] = float(np.percentile(v, 90))
        entry["p_net_present_value_positive"] = float((draws["net_present_value"][opt].to_numpy() > 0).mean())


def counted_kinds(perspective: str) -> str:
    """What a perspective counts, in words (for notes)."""
    return {
        "council": "the council's fiscal cashable value only",
        "public": "fiscal value (cashable and non-cashable) of every public agency",
        "social": "every kind of value (fiscal, economic, social) for everyone",
    }[perspective]


__all__ = [
    "AGENCY_NAMES",
    "KIND_NAMES",
    "TREATMENTS",
    "appraise_benefits",
    "benefit_draws",
    "benefit_ramp",
    "option_payback",
    "split_overrides",
    "counted_kinds",
    "outcome_scenario",
    "pv_costs",
    "FISCAL_KINDS",
]
