"""Yearly real-terms cash flows of one delivery option, from the project's baseline and its levers.

Units: GBP (pounds), real 2014-15 prices; positive = a cost to the appraisal's perspective, negative
= income. Every lever may be a number or a NumPy array of draws (shape ``(n,)``); results have shape
``(n, T)`` (draws x appraisal years), so the same code serves the deterministic appraisal and the
Monte Carlo. Year index 0 is the first appraisal year (``2015-16``), one year after the base year.

How each lever enters (``L`` = share of the year after go-live, ``S`` = ``L`` x ramp-up,
``D`` = demand growth index, ``P`` = ``D`` x real pay growth index, both from the base year):

- staff = (pay + NI + pension) x P x (1 + S x (staff_cost_change - volunteer_substitution))
- pension_rate = L x pension_rate_change x pay x P x (same staff factor)
- premises = premises x D x (1 + L x premises_cost_change)
- business_rates = rates x D x (1 - L x relief x share of the relief that is a saving to the
  perspective): for the council, 1 - its retained share of rates (the rest of the relief is its own
  lost rates income); for the public sector, 0 (relief is a transfer between public bodies)
- supplies_third_party = (supplies + third-party payments) x D x (1 - S x procurement_saving)
- irrecoverable_vat = VAT rate x irrecoverable share x L x (premises + transport + supplies and
  third-party); 0 for the public sector (a transfer to HMRC)
- support_services = recharges x D x (1 - L + L x bought_back); own_support = recharges x D x L x
  (1 - bought_back) x own_support_cost; stranded_overheads = recharges x D x L x (1 - bought_back)
  x stranded share x (1 - years since go-live / stranded years, floored at 0)
- client_side = L x client_side_cost x gross x D; supplier_margin = L x margin x provider costs
- new_income = -S x min(new income share, Teckal cap) x gross x D x margin; grant_income = -S x grant
  share x gross x D; income_existing = baseline income x D
- capital charges are accounting entries, not cash: excluded (Green Book).
One-off costs are spread over the plan from its start to go-live (redundancy and double running
fall in the go-live year). Optimism bias is applied by :func:`apply_optimism_bias`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

import numpy as np

OPERATING_COMPONENTS = (
    "staff", "pension_rate", "premises", "business_rates", "transport", "supplies_third_party",
    "irrecoverable_vat", "support_services", "own_support", "stranded_overheads", "client_side",
    "supplier_margin", "income_existing", "new_income", "grant_income",
)
ONE_OFF_COMPONENTS = (
    "legal_governance", "tupe_hr", "pensions_work", "it_separation", "procurement", "redundancy",
    "double_running",
)
COMPONENT_LABELS = {
    "staff": "Staff (pay, NI, pension)", "pension_rate": "Pension rate change", "premises": "Premises",
    "business_rates": "Business rates", "transport": "Transport",
    "supplies_third_party": "Supplies and third-party payments", "irrecoverable_vat": "Irrecoverable VAT",
    "support_services": "Council support services", "own_support": "New body's own support costs",
    "stranded_overheads": "Stranded overheads", "client_side": "Client-side contract management",
    "supplier_margin": "Provider margin", "income_existing": "Existing income",
    "new_income": "New trading income (net)", "grant_income": "Grants and donations",
    "legal_governance": "Legal and governance set-up", "tupe_hr": "TUPE and HR",
    "pensions_work": "Pensions (actuary, bond)", "it_separation": "IT and data separation",
    "procurement": "Procurement", "redundancy": "Redundancy", "double_running": "Double running",
}
PERSPECTIVES = ("council", "public")


@dataclass(frozen=True)
class Timing:
    """When an option is live, by appraisal year (arrays of length T)."""

    live_share: np.ndarray          # share of each year after go-live (0..1)
    years_since_go_live: np.ndarray  # from go-live to the middle of each year (negative before)
    pre_go_live_profile: np.ndarray  # share of the pre-go-live one-off costs falling in each year
    go_live_profile: np.ndarray      # 1 in the year go-live falls (0 elsewhere, all 0 if beyond horizon)


def year_start(first_year_start: dt.date, index: int) -> dt.date:
    """1 April of appraisal year ``index``."""
    return dt.date(first_year_start.year + index, 4, 1)


def timing(go_live: dt.date | None, plan_start: dt.date | None, first_year_start: dt.date, horizon: int) -> Timing:
    """Timing arrays for an option going live on ``go_live`` after a plan starting ``plan_start``.

    ``go_live=None`` is the status quo: never a new model, no one-off costs.
    """
    live = np.zeros(horizon)
    since = np.full(horizon, -1.0e9)
    pre = np.zeros(horizon)
    at = np.zeros(horizon)
    if go_live is None:
        return Timing(live, since, pre, at)
    start = plan_start or go_live
    for t in range(horizon):
        a, b = year_start(first_year_start, t), year_start(first_year_start, t + 1)
        days = (b - a).days
        live[t] = min(max((b - go_live).days, 0), days) / days
        mid = a + (b - a) / 2
        since[t] = (mid - go_live).days / 365.25
        if a <= go_live < b:
            at[t] = 1.0
        overlap = (min(b, go_live) - max(a, start)).days
        pre[t] = max(overlap, 0)
    total_pre = (go_live - start).days
    if total_pre > 0:
        pre = pre / total_pre
    elif at.any():
        pre = at.copy()  # no plan length: one-offs fall in the go-live year
    return Timing(live, since, pre, at)


def _col(value: float | np.ndarray) -> np.ndarray:
    """A lever as a column (n, 1) so that it broadcasts against years."""
    return np.asarray(value, dtype=float).reshape(-1, 1)


def option_components(
    amounts_gbp: Mapping[str, float],
    fte: float,
    levers: Mapping[str, float | np.ndarray],
    project: Mapping[str, float | np.ndarray],
    when: Timing,
    *,
    perspective: str,
    council_rates_share: float,
    vat_rate: float,
    teckal_cap: float | None,
) -> dict[str, np.ndarray]:
    """Cash flows of one option by component, before optimism bias (GBP, real 2014-15 prices).

    ``amounts_gbp``: the baseline by subjective line (GBP; income negative). ``levers``: every lever
    of levers.yaml. ``project``: demand_growth and real_pay_growth. ``teckal_cap``: the largest new
    external income as a share of gross expenditure (None when the model is not a Teckal company).
    """
    if perspective not in PERSPECTIVES:
        raise ValueError(f"perspective {perspective!r}; expected one of {PERSPECTIVES}")
    T = len(when.live_share)
    years = np.arange(1, T + 1, dtype=float)  # year 0 is one year after the base year
    a = {k: float(v) for k, v in amounts_gbp.items()}
    lv = {k: _col(v) for k, v in levers.items()}
    d = _col(project["demand_growth"])
    g = _col(project["real_pay_growth"])
    D = (1.0 + d) ** years
    P = ((1.0 + d) * (1.0 + g)) ** years
    L = when.live_share[None, :]
    since = when.years_since_go_live[None, :]
    ramp = lv["ramp_up_years"]
    ramped = np.where(ramp > 0, np.clip(since / np.where(ramp > 0, ramp, 1.0), 0.0, 1.0), 1.0)
    S = L * ramped
    sy = lv["stranded_overhead_years"]
    stranded_left = np.where(sy > 0, np.clip(1.0 - since / np.where(sy > 0, sy, 1.0), 0.0, 1.0), 0.0)

    gross = sum(a[k] for k in ("employees_pay", "employees_ni", "employees_pension", "premises",
                               "business_rates", "transport", "supplies_services", "third_party_payments",
                               "support_recharges"))
    staff_factor = 1.0 + S * (lv["staff_cost_change"] - lv["volunteer_substitution"])
    c: dict[str, np.ndarray] = {}
    c["staff"] = (a["employees_pay"] + a["employees_ni"] + a["employees_pension"]) * P * staff_factor
    c["pension_rate"] = L * lv["pension_rate_change"] * a["employees_pay"] * P * staff_factor
    c["premises"] = a["premises"] * D * (1.0 + L * lv["premises_cost_change"])
    relief_kept = (1.0 - council_rates_share) if perspective == "council" else 0.0
    c["business_rates"] = a["business_rates"] * D * (1.0 - L * lv["business_rates_relief"] * relief_kept)
    c["transport"] = a["transport"] * D
    c["supplies_third_party"] = (a["supplies_services"] + a["third_party_payments"]) * D * (1.0 - S * lv["procurement_saving"])
    vatable = c["premises"] + c["transport"] + c["supplies_third_party"]
    vat_counted = 1.0 if perspective == "council" else 0.0
    c["irrecoverable_vat"] = vat_counted * vat_rate * lv["irrecoverable_vat_share"] * L * vatable
    recharges = a["support_recharges"] * D
    not_bought = L * (1.0 - lv["support_bought_back"])
    c["support_services"] = recharges * (1.0 - not_bought)
    c["own_support"] = recharges * not_bought * lv["own_support_cost"]
    c["stranded_overheads"] = recharges * not_bought * lv["stranded_overhead_share"] * stranded_left
    c["client_side"] = L * lv["client_side_cost"] * gross * D
    provider_costs = sum(c[k] for k in ("staff", "pension_rate", "premises", "business_rates", "transport",
                                        "supplies_third_party", "irrecoverable_vat", "support_services", "own_support"))
    c["supplier_margin"] = L * lv["supplier_margin"] * provider_costs
    c["income_existing"] = (a["income_fees_charges"] + a["income_grants"] + a["income_other"]) * D * np.ones_like(L)
    income_share = lv["new_income_share"] if teckal_cap is None else np.minimum(lv["new_income_share"], teckal_cap)
    c["new_income"] = -S * income_share * gross * D * lv["new_income_margin"]
    c["grant_income"] = -S * lv["grant_income_share"] * gross * D

    pre = when.pre_go_live_profile[None, :]
    at = when.go_live_profile[None, :]
    c["legal_governance"] = lv["transition_legal_governance"] * 1000.0 * pre
    c["tupe_hr"] = lv["transition_tupe_hr_per_fte"] * fte * pre
    c["pensions_work"] = lv["transition_pensions"] * 1000.0 * pre
    c["it_separation"] = lv["transition_it_per_fte"] * fte * pre
    c["procurement"] = lv["transition_procurement"] * 1000.0 * pre
    c["redundancy"] = lv["redundancy_fte_share"] * fte * lv["redundancy_cost_per_fte"] * at
    c["double_running"] = lv["double_running_months"] / 12.0 * a["support_recharges"] * at
    n = max(np.shape(v)[0] for v in c.values())
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n, T)) for k, v in c.items()}


def apply_optimism_bias(status_quo: Mapping[str, np.ndarray], option: Mapping[str, np.ndarray],
                        operating: float | np.ndarray, one_off: float | np.ndarray,
                        it_separation: float | np.ndarray) -> dict[str, np.ndarray]:
    """Uplift an option's costs for optimism bias (Green Book supplementary guidance).

    Each operating component's change from the status quo is made less favourable: a cost increase
    is multiplied by (1 + ob), a reduction divided by (1 + ob). One-off costs are multiplied by
    (1 + ob); IT separation takes the equipment/development uplift. The ``ob`` arguments are the
    uplifts after mitigation (upper bound x (1 - mitigation)), as numbers or arrays of draws.
    """
    ob_op, ob_one, ob_it = _col(operating), _col(one_off), _col(it_separation)
    out = {}
    for k in OPERATING_COMPONENTS:
        delta = option[k] - status_quo[k]
        out[k] = status_quo[k] + np.where(delta > 0, delta * (1.0 + ob_op), delta / (1.0 + ob_op))
    for k in ONE_OFF_COMPONENTS:
        out[k] = option[k] * (1.0 + (ob_it if k == "it_separation" else ob_one))
    n = max(v.shape[0] for v in out.values())
    return {k: np.broadcast_to(v, (n, v.shape[1])) for k, v in out.items()}
