"""The programme at a glance: every project appraised, one row each."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from . import config, registry
from .baseline import project_baseline
from .engine import appraise, appraise_cached
from .filestamp import Stamp, stamp
from .public_value import treatment
from .result import AppraisalResult
from .run_defaults import RUN_DEFAULTS
from .uncertainty import DEFAULT_SEED

SUMMARY_DRAWS = RUN_DEFAULTS.summary_draws  # appraisal.yaml, monte_carlo.summary_draws


def programme_results(
    scenario: str = "central",
    perspective: str = "council",
    draws: int = SUMMARY_DRAWS,
    seed: int = DEFAULT_SEED,
    headline_only: bool = False,
) -> dict[str, AppraisalResult]:
    """Every project's appraisal, project id -> result (memoised per argument set and the stamp of the
    data files; treat results as read-only).

    ``headline_only``: without what the programme summary never shows, the decision measures
    (probability best, acceptability, EVPI, partial EVPI, failure rules), the one-way sensitivity and
    the switching values; the options table, Monte Carlo percentiles and public value are the same as
    in the full appraisal. The programme workbook's project sheets show those measures: it takes the
    full results (the default).
    """
    if not headline_only:
        return {pid: appraise_cached(pid, scenario, perspective, draws, seed) for pid in registry.project_ids()}
    data = stamp(config.DATA_DIR)
    return {pid: _headline_appraisal(pid, scenario, perspective, draws, seed, data) for pid in registry.project_ids()}


@lru_cache(maxsize=64)
def _headline_appraisal(
    project_id: str, scenario: str, perspective: str, draws: int, seed: int, _stamp: Stamp
) -> AppraisalResult:
    return appraise(
        project_id,
        scenario,
        perspective,
        draws,
        seed,
        with_switching=False,
        with_decision=False,
        with_sensitivity=False,
    )


def programme_summary(
    scenario: str = "central", perspective: str = "council", draws: int = SUMMARY_DRAWS, seed: int = DEFAULT_SEED
) -> pd.DataFrame:
    """One row per project: the in-scope budget, the recommended option and its headline figures
    (from :func:`programme_results` with ``headline_only``).

    Money in GBP, real 2014-15 prices; ``net_present_saving_gbp`` is the recommended option's
    (0 when the recommendation is the status quo).
    """
    return summary_from_results(programme_results(scenario, perspective, draws, seed, headline_only=True))


def summary_from_results(results: "dict[str, AppraisalResult]") -> pd.DataFrame:
    """The programme summary built from appraisals already held (one row per project, GBP, real
    2014-15 prices; the recommended option's figures)."""
    rows = []
    for pid, res in results.items():
        project = registry.project(pid)
        base = project_baseline(pid)
        rec = res.options.set_index("id").loc[res.recommended]
        rows.append(
            {
                "project_id": pid,
                "title": project.title,
                "councils": res.councils,
                "lead_council": project.lead_council,
                "services": "; ".join(project.services),
                "baseline_net_gbp": base.net_budget_gbp,
                "baseline_gross_gbp": base.gross_expenditure_gbp,
                "fte": base.fte,
                "recommended": res.recommended,
                "recommended_name": rec["name"],
                "net_present_saving_gbp": float(rec["net_present_saving_gbp"]),
                "one_off_cost_gbp": float(rec["one_off_cost_gbp"]),
                "steady_state_saving_gbp": float(rec["steady_state_saving_gbp"]),
                "payback_year": rec["payback_year"],
                "go_live": rec["go_live"],
                "p_saving_positive": rec["p_saving_positive"],
                "illustrative": bool(res.illustrative),
                **_public_value_columns(res),
            }
        )
    return pd.DataFrame(rows)


def _public_value_columns(res: "AppraisalResult") -> dict:
    """The recommended option's public value, GBP (present values, real base-year prices), in the
    appraisal's perspective: the counted benefits split into cashable (a budget can fall) and the rest
    (fiscal non-cashable, economic, social: the perspective's other counted kinds), their sum (labelled
    as a sum wherever shown), the public value return (every benefit of every kind for everyone per
    GBP 1 of PV costs, None without costs), the net present value with the counted benefits, and whether
    the project monetises outcomes (why not, if not)."""
    pvd = getattr(res, "public_value", None) or {}
    e = pvd.get("options", {}).get(res.recommended, {})
    monetised = bool(pvd.get("monetisable"))
    cashable = sum(
        float(b["present_value_gbp"])
        for b in e.get("benefits", [])
        if b["kind"] == "fiscal_cashable" and treatment(res.perspective, b["agency"], b["kind"]) == "counted"
    )
    counted = float(e.get("counted_benefits_pv_gbp", 0.0))
    nps = res.options.set_index("id").loc[res.recommended, "net_present_saving_gbp"]
    return {
        "benefits_cashable_pv_gbp": cashable,
        "benefits_non_cashable_pv_gbp": counted - cashable,
        "benefits_counted_pv_gbp": counted,
        "public_value_roi": e.get("public_value_roi"),
        "net_present_value_gbp": float(e.get("net_present_value_gbp", nps)),
        "outcomes_monetised": "yes"
        if monetised
        else "no: " + " ".join(str(pvd.get("reason") or "no outcome model").split()),
    }
