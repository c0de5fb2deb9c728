"""The result of appraising one project: every table the notebooks, dashboards and Excel show."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class AppraisalResult:
    """One project's options appraisal (GBP, real ``base_year`` prices, ``perspective`` stated).

    Frames (tidy, one fact per row):
    - ``options``: one row per option (status quo first) with the headline metrics;
    - ``cashflows``: option, year_index, financial_year, component, label, kind, cost_gbp;
    - ``annual``: option, year_index, financial_year, cost_gbp, saving_gbp, cumulative_saving_gbp,
      discount_factor, pv_saving_gbp, cumulative_pv_saving_gbp;
    - ``assumptions``: every assumption used, with source and quality, and ``value_used``;
    - ``sensitivity``, ``switching``, ``monte_carlo`` (summary) and ``mc_draws``;
    - ``mca_scores``, ``mca_weights``, ``mca_totals``, ``mca_stability``;
    - ``plans`` (option -> Plan), ``gantt`` and ``risks`` (all options).
    """

    project_id: str
    project_title: str
    councils: str
    scenario: str
    scenario_description: str
    perspective: str
    base_year: str
    first_year: str
    horizon_years: int
    optimism_bias_mitigation: float
    illustrative: bool
    baseline: Any
    options: pd.DataFrame
    cashflows: pd.DataFrame
    annual: pd.DataFrame
    assumptions: pd.DataFrame
    sensitivity: pd.DataFrame
    switching: pd.DataFrame
    monte_carlo: pd.DataFrame
    mc_draws: pd.DataFrame
    mc_seed: int
    mc_target_gbp: float
    mca_scores: pd.DataFrame
    mca_weights: pd.Series
    mca_totals: pd.DataFrame
    mca_stability: pd.DataFrame
    plans: Mapping[str, Any]
    gantt: pd.DataFrame
    risks: pd.DataFrame
    recommended: str
    recommendation: str
    provenance: Mapping[str, str] = field(default_factory=dict)
    run_record: Any = None  # ddanalysis.run_record.RunRecord: what produced these figures
    mca_criteria: pd.DataFrame | None = None  # criterion, name, description, ... (mca/criteria.yaml)
    mca_notes: Mapping[str, str] = field(default_factory=dict)  # source, status, not_scored, weights_rationale
    discount_bands: tuple = ()  # ((first year, last year or None, rate), ...): the Green Book schedule used
    discount_source: Mapping[str, str] = field(default_factory=dict)  # title, link

    def criterion_names(self) -> dict[str, str]:
        """Criterion id -> name (empty when the result carries no criteria)."""
        c = self.mca_criteria
        return {} if c is None else dict(zip(c["criterion"], c["name"]))

    optimism_bias_mitigation_source: str = "contributory factors"
    residual_life_years: float = 0.0
    #: the Monte Carlo's draw matrix: one row per draw (aligned with ``mc_draws``), one column per
    #: assumption ``<scope>.<key>`` (None without draws)
    mc_inputs: pd.DataFrame | None = None
    #: probability best, acceptability, EVPI, partial EVPI, failure rules (and Sobol indices when asked):
    #: a :class:`ddanalysis.deciding.DecisionMeasures`, or None when not computed
    decision: Any = None
    #: Public value: monetisable, summary, reason, outcome_case, options (id -> fields of the JSON)
    public_value: Mapping[str, Any] = field(default_factory=dict)
    #: option, agency, kind, treatment (counted / beside / left_out), present_value_gbp
    benefits_by_agency: pd.DataFrame | None = None
    #: option, year_index, financial_year, agency, kind, treatment, benefit_gbp, discount_factor, pv_benefit_gbp
    benefits_by_year: pd.DataFrame | None = None
    #: how the project's councils share it (:class:`ddanalysis.partners.Apportionment`; None for results
    #: made before it existed)
    apportionment: Any = None
    #: option, council, name, net_present_saving_gbp, one_off_cost_gbp: each option per council (GBP, real)
    by_council: pd.DataFrame | None = None
    #: option, year, council, name, net_cash_saving_gbp, target_gbp, gap_gbp: the financial case (GBP, cash)
    cash_profile: pd.DataFrame | None = None
    #: what the tornado's bars measure (net present saving, or with monetised outcomes that plus the counted
    #: benefits) and its note on the outcome quantities left out (:mod:`ddanalysis.outcome_sensitivity`)
    sensitivity_measure: str = "net present saving"
    sensitivity_note: str = ""
    #: the what-if values that replace the scenario's, in words ('' for a run without them); also at the end of
    #: ``scenario_description`` (:func:`ddanalysis.overrides.what_if_note`)
    what_if: str = ""
    #: the :class:`ddanalysis.model.ProjectModel` these figures were evaluated with, kept in memory only
    #: (never written to a cache: a result read back from plain data has None, and the workbook export
    #: then rebuilds the model from the data files and checks it reproduces the cash flows)
    model: Any = field(default=None, compare=False, repr=False, metadata={"memory_only": True})

    @property
    def perspective_label(self) -> str:
        from .presentation.text import perspective_words

        return perspective_words(self.perspective)

    @property
    def price_basis(self) -> str:
        return f"real {self.base_year} prices"

    @property
    def price_base_statement(self) -> str:
        """The price base and first appraisal year, stated once (Green Book M10)."""
        return (
            f"Prices are real {self.base_year} prices (the baseline budget's year); the first appraisal year, "
            f"{self.first_year}, is undiscounted."
        )

    def option_name(self, option_id: str) -> str:
        """The display name of an option; an unknown id lists the valid ones."""
        ids = self.options["id"].tolist()
        if option_id not in ids:
            from .errors import unknown

            raise unknown("option", option_id, ids)
        return str(self.options["name"].iloc[ids.index(option_id)])  # ids are unique (one row per option)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``ddanalysis appraise --json`` (GBP, rounded to the penny)."""
        opts = [self._option_json(r) for r in self.options.itertuples(index=False)]
        return {
            "project": self.project_id,
            "title": self.project_title,
            "councils": self.councils,
            "scenario": self.scenario,
            "perspective": self.perspective,
            "perspective_label": self.perspective_label,
            "perspective_note": _perspective_note(self.perspective),
            "base_year": self.base_year,
            "baseline_net_budget_gbp": _money(self.baseline.net_budget_gbp),
            "first_year": self.first_year,
            "horizon_years": self.horizon_years,
            "price_basis": self.price_basis,
            "price_base": self.price_base_statement,
            "units": "GBP",
            "optimism_bias_mitigation": self.optimism_bias_mitigation,
            "optimism_bias_mitigation_source": self.optimism_bias_mitigation_source,
            "method_notes": _method_notes(self.residual_life_years),
            "illustrative": self.illustrative,
            "monte_carlo_draws": int(len(self.mc_draws)),
            "monte_carlo_seed": self.mc_seed,
            "savings_target_gbp": _money(self.mc_target_gbp),
            "apportionment": _apportionment_block(self.apportionment),
            "options": opts,
            "recommended": self.recommended,
            "recommendation": self.recommendation,
            "recommendation_rule": _rule(),
            **_decision_fields(self.decision, len(self.mc_draws)),
            "public_value": _public_value_block(self.public_value),
            "provenance": dict(self.provenance),
            "run_record": self.run_record.to_dict() if self.run_record is not None else None,
        }

    def _option_json(self, r: Any) -> dict[str, Any]:
        """One option's entry in the JSON document (``r``: a row of ``self.options``; GBP, rounded to the penny)."""
        return {
            "id": r.id,
            "name": r.name,
            "net_present_cost_gbp": _money(r.net_present_cost_gbp),
            "net_present_saving_gbp": _money(r.net_present_saving_gbp),
            "one_off_cost_gbp": _money(r.one_off_cost_gbp),
            "payback_year": _text(r.payback_year),
            "benefit_cost_ratio": _num(r.benefit_cost_ratio),
            "benefit_cost_ratio_note": _text(r.benefit_cost_ratio_note),
            "return_on_transition_cost": _num(r.return_on_transition_cost),
            "optimism_bias_gbp": _money(r.optimism_bias_gbp),
            "residual_value_gbp": _money(r.residual_value_gbp),
            "by_horizon": _by_horizon(r._asdict()),
            "steady_state_saving_gbp": _money(r.steady_state_saving_gbp),
            "steady_state_saving_share": _num(r.steady_state_saving_share),
            "p_saving_positive": _num(r.p_saving_positive),
            "p_meets_target": _num(r.p_meets_target),
            "saving_p10_gbp": _money(r.saving_p10_gbp),
            "saving_p50_gbp": _money(r.saving_p50_gbp),
            "saving_p90_gbp": _money(r.saving_p90_gbp),
            "mca_score": _num(r.mca_score),
            "rank": int(r.rank),
            "go_live": _text(r.go_live),
            **_option_decision(self.decision, r._asdict()),
            **_public_value_fields(self.public_value, r.id, self.perspective),
            **_council_fields(self.by_council, self.cash_profile, r.id),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, ensure_ascii=False, allow_nan=False)


def _option_decision(decision: Any, row: Mapping[str, Any]) -> dict[str, Any]:
    """An option's ``p_best`` and ``failure_rules`` (None when the decision measures were not computed)."""
    if decision is None:
        return {"p_best": None, "failure_rules": None}
    rules = decision.failure_rules.get(str(row["id"]))
    return {
        "p_best": _num(decision.p_best.get(str(row["id"]))),
        "failure_rules": []
        if rules is None
        else [{"text": str(x["text"]), "coverage": _num(x["coverage"]), "density": _num(x["density"])} for x in rules],
    }


def _decision_fields(decision: Any, draws: int) -> dict[str, Any]:
    """``evpi_gbp``, ``value_of_information_options`` (the options EVPI and partial EVPI choose among),
    ``evppi``, ``acceptability``, ``sobol`` and ``decision_notes``."""
    from .presentation import text

    notes = dict(text.DECISION_NOTES)
    if decision is None:
        why = text.DECISION_NOT_COMPUTED if draws else text.DECISION_NO_DRAWS
        notes["not_computed"] = why
        return {
            "evpi_gbp": None,
            "value_of_information_options": None,
            "evppi": None,
            "acceptability": None,
            "sobol": None,
            "sobol_note": why,
            "decision_notes": notes,
        }
    sobol = None
    if decision.sobol is not None:
        sobol = [
            {
                "key": str(r.key),
                "output": str(r.output),
                "s1": _num(r.s1),
                "st": _num(r.st),
                "s1_conf": _num(r.s1_conf),
                "st_conf": _num(r.st_conf),
            }
            for r in decision.sobol.itertuples(index=False)
        ]
    sobol_note = (
        text.sobol_note(
            decision.sobol_n_base, decision.sobol_evaluations, decision.sobol_option, decision.sobol_runner_up
        )
        if sobol is not None
        else text.SOBOL_NOT_ASKED
    )
    return {
        "evpi_gbp": _money(decision.evpi_gbp),
        "value_of_information_options": list(getattr(decision, "choice_set", ())) or None,
        "evppi": [
            {"key": str(r.key), "evppi_gbp": _money(r.evppi_gbp)} for r in decision.evppi.itertuples(index=False)
        ],
        "acceptability": [
            {
                "threshold_gbp": _money(r.threshold_gbp),
                "option": str(r.option),
                "p_reaches": _num(r.p_reaches),
                "p_best": _num(r.p_best),
            }
            for r in decision.acceptability.itertuples(index=False)
        ],
        "correlation_groups": {str(k): list(map(str, v)) for k, v in decision.groups.items()},
        "sobol": sobol,
        "sobol_note": sobol_note,
        "decision_notes": notes,
    }


def _public_value_fields(public_value: Mapping[str, Any], option: str, perspective: str) -> dict[str, Any]:
    """An option's public-value fields in the JSON; money rounded to the penny."""
    e = (public_value or {}).get("options", {}).get(option)
    if e is None:
        return {}
    roi = e.get("fiscal_roi") or {}
    return {
        "benefits": [
            {"agency": b["agency"], "kind": b["kind"], "present_value_gbp": _money(b["present_value_gbp"])}
            for b in e["benefits"]
        ],
        "counted_benefits_pv_gbp": _money(e["counted_benefits_pv_gbp"]),
        "counted_benefits_range_gbp": [_money(v) for v in e["counted_benefits_range_gbp"]],
        "benefits_shown_beside": [
            {
                "agency": b["agency"],
                "kind": b["kind"],
                "present_value_gbp": _money(b["present_value_gbp"]),
                "note": b["note"],
            }
            for b in e["shown_beside"]
        ],
        "benefits_left_out": [
            {
                "agency": b["agency"],
                "kind": b["kind"],
                "present_value_gbp": _money(b["present_value_gbp"]),
                "whose": b["whose"],
            }
            for b in e["left_out"]
        ],
        "pv_costs_gbp": _money(e["pv_costs_gbp"]),
        "fiscal_roi": _num(roi.get("all_fiscal")),
        "fiscal_roi_cashable": _num(roi.get("cashable")),
        "public_value_roi": _num(e["public_value_roi"]),
        "benefit_cost_ratio_with_benefits": _num(e["benefit_cost_ratio"]),
        "net_present_value_gbp": _money(e["net_present_value_gbp"]),
        "net_present_social_value_gbp": _money(e["net_present_social_value_gbp"]) if perspective == "social" else None,
        "payback_by_agency": [
            {"agency": str(p["agency"]), "payback_year": _text(p["payback_year"])}
            for p in e.get("payback_by_agency", [])
        ],
        **{
            k: _money(e.get(k))
            for k in (
                "counted_benefits_p10_gbp",
                "counted_benefits_p90_gbp",
                "public_value_p10_gbp",
                "public_value_p90_gbp",
                "net_present_value_p10_gbp",
                "net_present_value_p90_gbp",
            )
        },
        "p_net_present_value_positive": _num(e.get("p_net_present_value_positive")),
    }


def _council_fields(by_council: pd.DataFrame | None, cash: pd.DataFrame | None, option: str) -> dict[str, Any]:
    """An option's ``by_council`` ({council, name, net_present_saving_gbp, one_off_cost_gbp}, GBP real) and
    ``cash_profile`` ({year, council, net_cash_saving_gbp, target_gbp, gap_gbp}, GBP cash of each year)."""
    out: dict[str, Any] = {}
    if by_council is not None:
        mine = by_council[by_council["option"] == option]
        out["by_council"] = [
            {
                "council": str(r.council),
                "name": str(r.name),
                "net_present_saving_gbp": _money(r.net_present_saving_gbp),
                "one_off_cost_gbp": _money(r.one_off_cost_gbp),
            }
            for r in mine.itertuples(index=False)
        ]
    if cash is not None:
        mine = cash[cash["option"] == option]
        out["cash_profile"] = [
            {
                "year": str(r.year),
                "council": str(r.council),
                "net_cash_saving_gbp": _money(r.net_cash_saving_gbp),
                "target_gbp": _money(r.target_gbp),
                "gap_gbp": _money(r.gap_gbp),
            }
            for r in mine.itertuples(index=False)
        ]
    return out


def _apportionment_block(apportionment: Any) -> dict[str, Any] | None:
    """How the councils share the project: basis, source, councils with their net-budget shares."""
    if apportionment is None:
        return None
    return {
        "basis": apportionment.basis,
        "source": apportionment.source,
        "councils": [
            {"council": c, "name": n, "net_budget_share": _num(apportionment.net_budget_shares[c])}
            for c, n in zip(apportionment.councils, apportionment.names)
        ],
        "cash_profile_note": _note("CASH_PROFILE_NOTE"),
    }


def _public_value_block(public_value: Mapping[str, Any]) -> dict[str, Any] | None:
    """The project's public-value header in the JSON: monetisable, summary, reason (why not), outcome case."""
    if not public_value:
        return None
    return {
        "monetisable": bool(public_value["monetisable"]),
        "summary": public_value["summary"],
        "reason": public_value["reason"] if not public_value["monetisable"] else None,
        "outcome_case": public_value["outcome_case"],
        "outcome_inputs": (
            "outcomes.yaml in the project's workspace (data/projects/<id>/ when bundled); unit costs data/unit_costs/"
        ),
    }


def _by_horizon(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``[{years, net_present_saving_gbp}]`` from an options row's ``nps_<years>y_gbp`` columns."""
    cols = sorted((int(k[4:-5]), k) for k in row if k.startswith("nps_") and k.endswith("y_gbp"))
    return [{"years": years, "net_present_saving_gbp": _money(row[k])} for years, k in cols]


def _perspective_note(perspective: str) -> str:
    from .presentation.text import PERSPECTIVE_NOTES

    return PERSPECTIVE_NOTES[perspective]


def _note(name: str) -> str:
    from .presentation import text

    return str(getattr(text, name))


def _rule() -> str:
    from .presentation.text import RECOMMENDATION_RULE

    return RECOMMENDATION_RULE


def _text(x: Any) -> str | None:
    """A text field, or None where missing (pandas may hold None as NaN)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else round(x, 6)


def _method_notes(residual_life_years: float) -> dict[str, str]:
    """The JSON's ``method_notes``: how optimism bias, the price base, residual value, public value, the
    ranking and the other horizons are treated, in words."""
    return {
        "optimism_bias_and_monte_carlo": _note("OPTIMISM_BIAS_NOTE"),
        "price_base": _note("PRICE_BASE_NOTE"),
        "residual_value": f"The final year's saving continued for {residual_life_years:g} more "
        "years (a labelled judgement in appraisal.yaml), discounted on the Green "
        "Book schedule; shown beside the net present saving (not in it) and counted "
        "in the benefit-cost ratio; 0 for the status quo.",
        "public_value": _note("PUBLIC_VALUE_NOTE"),
        "public_value_uncertainty": _note("PUBLIC_VALUE_UNCERTAINTY_NOTE"),
        "ranking": _note("RANKING_NOTE"),
        "by_horizon": "Net present saving over 10, 15 and 20 years from the same cash flows, without residual value.",
    }


def _money(x: Any) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(np.round(float(x), 2))
