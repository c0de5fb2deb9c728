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
* **Uncertainty**: outcome quantities are not drawn in the Monte Carlo; each option's counted
  benefits are also worked out with every outcome quantity at its low and at its high value
  (``counted_benefits_range_gbp``). The appraisal's ``low``/``high`` scenarios take the outcome
  file's ``low``/``high`` values; every other scenario takes the central ones.

Nothing here mutates its inputs.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from . import public_value as pv
from .errors import DataFileError
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


def appraise_benefits(
    project_id: str,
    *,
    options: pd.DataFrame,
    ramps: Mapping[str, np.ndarray],
    factors: Sequence[float],
    year_labels: Sequence[str],
    deflator: Mapping[str, float],
    base_year: str,
    scenario: str,
    perspective: str,
) -> dict[str, Any]:
    """Every option's public value in the appraisal.

    ``options``: the appraisal's options frame (id, net_present_saving_gbp, pv_one_off_cost_gbp);
    ``ramps``: option id -> share of benefits realised each year (T,) (:func:`benefit_ramp`);
    ``factors``: the discount factors applied to costs (T,); ``deflator``: GDP deflator by financial year.

    Returns ``{"public_value": {...}, "benefits_by_agency": frame, "benefits_by_year": frame}``:
    ``public_value`` has ``monetisable``, ``summary``, ``reason``, ``outcome_case`` and ``options``
    (option id -> the JSON fields); the frames are tidy (option, agency, kind, treatment, ...).
    """
    library = load_library()
    try:
        model = pv.load_outcomes(project_id, library=library)
    except DataFileError as exc:
        if "not found" not in str(exc):
            raise
        model = None
    case = outcome_scenario(scenario)
    T = len(factors)
    by_option: dict[str, Any] = {}
    agency_rows: list[dict[str, Any]] = []
    year_rows: list[dict[str, Any]] = []
    for r in options.itertuples(index=False):
        opt = str(r.id)
        nps = float(r.net_present_saving_gbp)
        costs = pv_costs(nps, float(r.pv_one_off_cost_gbp))
        entry: dict[str, Any] = {
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
        }
        if model is not None and model.monetisable and opt != STATUS_QUO:
            ramp = np.asarray(ramps[opt], dtype=float)
            args = dict(live_share=ramp, discount_factors=factors, deflator=deflator, base_year=base_year)
            ob = pv.option_benefits(model, library, opt, scenario=case, **args)
            s = pv.summarise(ob, pv_costs_gbp=costs, perspective=perspective)
            counted = float(s["counted_benefits_pv_gbp"])
            cases = [
                pv.perspective_view(
                    pv.option_benefits(model, library, opt, scenario=c, **args), perspective
                ).counted_pv_gbp
                for c in pv.SCENARIOS
            ]
            entry.update(
                {
                    k: s[k]
                    for k in (
                        "benefits",
                        "shown_beside",
                        "left_out",
                        "fiscal_roi",
                        "public_value_roi",
                        "benefit_cost_ratio",
                    )
                }
            )
            entry.update(
                {
                    "counted_benefits_pv_gbp": counted,
                    "net_present_value_gbp": nps + counted,
                    "net_present_social_value_gbp": nps + counted if perspective == "social" else None,
                    "counted_benefits_range_gbp": [float(min(cases)), float(max(cases))],
                }
            )
            for agency in AGENCIES:
                for kind in KINDS:
                    if (agency, kind) not in ob.flows_gbp:
                        continue
                    treat = pv._counts(perspective, agency, kind)
                    agency_rows.append(
                        {
                            "option": opt,
                            "agency": agency,
                            "kind": kind,
                            "treatment": treat,
                            "present_value_gbp": float(ob.present_values_gbp[(agency, kind)]),
                        }
                    )
                    flow = ob.flows_gbp[(agency, kind)]
                    for t in range(T):
                        year_rows.append(
                            {
                                "option": opt,
                                "year_index": t,
                                "financial_year": year_labels[t],
                                "agency": agency,
                                "kind": kind,
                                "treatment": treat,
                                "benefit_gbp": float(flow[t]),
                                "discount_factor": float(factors[t]),
                                "pv_benefit_gbp": float(flow[t] * factors[t]),
                            }
                        )
        by_option[opt] = entry
    return {
        "public_value": {
            "monetisable": bool(model.monetisable) if model is not None else False,
            "summary": model.summary if model is not None else "",
            "reason": (
                model.reason
                if model is not None
                else f"no outcome model (outcomes.yaml in the workspace of {project_id}) for this project"
            ),
            "outcome_case": case,
            "options": by_option,
        },
        "benefits_by_agency": pd.DataFrame(
            agency_rows, columns=["option", "agency", "kind", "treatment", "present_value_gbp"]
        ),
        "benefits_by_year": pd.DataFrame(
            year_rows,
            columns=[
                "option",
                "year_index",
                "financial_year",
                "agency",
                "kind",
                "treatment",
                "benefit_gbp",
                "discount_factor",
                "pv_benefit_gbp",
            ],
        ),
    }


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
    "benefit_ramp",
    "counted_kinds",
    "outcome_scenario",
    "pv_costs",
    "FISCAL_KINDS",
]
