"""Yearly real-terms cash flows of one delivery option, from the project's baseline and its levers.

Units: GBP (pounds), real prices of the base year (the baseline's year, 2014-15 for the bundled
data); positive = a cost to the appraisal's perspective, negative = income. Every lever may be a
number or a NumPy array of draws (shape ``(n,)``); results have shape ``(n, T)`` (draws x appraisal
years), so the same code serves the deterministic appraisal and the Monte Carlo. Year index 0 is the
first appraisal year (``2015-16``), one year after the base year.

How each lever enters (``L`` = share of the year after go-live, ``S`` = ``L`` x ramp-up,
``D`` = demand growth index, ``P`` = ``D`` x real pay growth index, both from the base year):

- staff = (pay + NI + pension) x P x (1 + S x (staff_cost_change - volunteer_substitution))
- pension_rate = L x pension_rate_change x pay x P x (same staff factor)
- pension story: the deficit part of the employer contributions (pension x ``pension_deficit_share``)
  is the council's fixed recovery schedule, flat in real terms and untouched by staff savings:
  pension_deficit = deficit part x (1 - L x (1 - pension_deficit_kept)). Where the council keeps the
  past deficit (kept = 1, the default: status quo, and an admitted body at the actuary's rate) its
  payments continue as that line; under a pass-through at the council's full rate (kept = 0) the
  deficit rides in the new body's rate from go-live, inside the staff line
- premises = premises x D x (1 + L x premises_cost_change)
- business_rates = rates x D x (1 - L x relief x share of the relief that is a saving to the
  perspective): for the council, 1 - its retained share of rates (the rest of the relief is its own
  lost rates income); for the public sector, 0 (relief is a transfer between public bodies)
- supplies_third_party = (supplies + third-party payments) x D x (1 - S x procurement_saving)
- irrecoverable_vat = VAT rate x irrecoverable x L x (premises + transport + supplies): only lines
  that bear VAT (not pay, not third-party payments); irrecoverable = g + (1 - g) x
  irrecoverable_vat_share, where g = council-funded share x council_pays_by_grant (a grant is not
  consideration for a supply, so the input VAT on what it funds is lost; a contract payment is, so it
  is recovered); 0 for the public and social views (a transfer to HMRC)
- support_services = recharges x D x (1 - L + L x bought_back); own_support = recharges x D x L x
  (1 - bought_back) x own_support_cost; stranded_overheads = recharges x D x L x (1 - bought_back)
  x stranded share x (1 - years since go-live / stranded years, floored at 0)
- client_side = L x client_side_cost x gross x council-funded share x D; supplier_margin = L x margin
  x provider costs x council-funded share (only what the council pays for: the ``funded_by`` split)
- volunteer_time (social view only) = S x volunteer_substitution x pay bill x P x value share
- new_income = -S x min(new income share, Teckal cap) x gross x D x margin; grant_income = -S x grant
  share x gross x D; income_existing = baseline income x D
- admissions_vat (the cultural exemption, VATA 1994 Sch 9 Group 13; HMRC VAT Notice 701/47) = -L x
  cultural_exemption_share x vat/(1 + vat) x A x D, where A is the baseline's admission takings
  (VAT included, as visitors pay them) to a museum, gallery, art exhibition or zoo, or a cultural
  performance, on which the council charges VAT today (the baseline's ``cultural_admissions``: its
  share of the fees line, ``vat: standard``). The council pays vat/(1 + vat) of those takings to HMRC;
  an eligible body (item 2: may not distribute profits, applies them to the facilities, managed on a
  voluntary basis by people with no financial interest: a charitable trust; a mutual, social enterprise
  or co-operative only if charitable, by the option's own value of the lever) treats them as exempt
  and keeps that VAT at unchanged prices: income for the council perspective (from go-live, no
  ramp-up: a tax status, not a performance gain; a benefit, so no optimism-bias uplift); 0 in the
  public and social views (a transfer from HMRC). Exemption has a price: the input VAT attributable
  to the exempt income becomes irrecoverable for the body (the ``irrecoverable_vat_share`` lever).
  Councils may use the exemption too (item 1, public bodies, where it would not distort competition),
  so the baseline says whether the council already does (``vat: exempt``: A = 0, nothing to gain).
  Example: A = 100,000, VAT 20%, full exemption, a full year after go-live: 100,000 x 0.2 / 1.2 =
  16,667 a year for the council; 0 for the public sector and society
- capital charges are accounting entries, not cash: excluded (Green Book).
One-off costs are spread over the plan from its start to go-live (redundancy and double running
fall in the go-live year; redundancy is a transfer, left out of the social view). In the social view
grants and donations are transfers (nil) and a premises reduction (a transferred building) keeps its
opportunity cost. Optimism bias is its own two lines, from :func:`apply_optimism_bias`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping

import numpy as np

OPERATING_COMPONENTS = (
    "staff",
    "pension_rate",
    "pension_deficit",
    "premises",
    "business_rates",
    "transport",
    "supplies_third_party",
    "irrecoverable_vat",
    "support_services",
    "own_support",
    "stranded_overheads",
    "client_side",
    "supplier_margin",
    "volunteer_time",
    "income_existing",
    "new_income",
    "grant_income",
    "admissions_vat",
    "optimism_bias_operating",
)
ONE_OFF_COMPONENTS = (
    "legal_governance",
    "tupe_hr",
    "pensions_work",
    "it_separation",
    "procurement",
    "redundancy",
    "double_running",
    "optimism_bias_one_off",
)
#: Income lines: benefits, so no generic optimism-bias uplift (Green Book 5.45); their uncertainty
#: stays in the Monte Carlo draws.
INCOME_COMPONENTS = ("income_existing", "new_income", "grant_income", "admissions_vat")
#: The lines optimism bias adds (its own lines, never folded into a component).
OPTIMISM_BIAS_COMPONENTS = ("optimism_bias_operating", "optimism_bias_one_off")
#: Operating cost lines whose net change against the status quo takes the operating uplift.
OPERATING_COST_COMPONENTS = tuple(
    k for k in OPERATING_COMPONENTS if k not in INCOME_COMPONENTS + OPTIMISM_BIAS_COMPONENTS
)
COMPONENT_LABELS = {
    "staff": "Staff (pay, NI, pension)",
    "pension_rate": "Pension rate change",
    "pension_deficit": "Past-service pension deficit the council keeps paying",
    "premises": "Premises",
    "business_rates": "Business rates",
    "transport": "Transport",
    "supplies_third_party": "Supplies and third-party payments",
    "irrecoverable_vat": "Irrecoverable VAT",
    "support_services": "Council support services",
    "own_support": "New body's own support costs",
    "stranded_overheads": "Stranded overheads",
    "client_side": "Client-side contract management",
    "supplier_margin": "Provider margin",
    "income_existing": "Existing income",
    "new_income": "New trading income (net)",
    "grant_income": "Grants and donations",
    "admissions_vat": "VAT kept on cultural admissions (exempt)",
    "legal_governance": "Legal and governance set-up",
    "tupe_hr": "TUPE and HR",
    "pensions_work": "Pensions (actuary, bond)",
    "it_separation": "IT and data separation",
    "procurement": "Procurement",
    "redundancy": "Redundancy",
    "double_running": "Double running",
    "volunteer_time": "Volunteer time (opportunity cost)",
    "optimism_bias_operating": "Optimism bias on the net change in operating costs",
    "optimism_bias_one_off": "Optimism bias on one-off costs",
}
PERSPECTIVES = ("council", "public", "social")
#: (The perspectives' words, labels and notes are in :mod:`ddanalysis.presentation.text`.)


@dataclass(frozen=True)
class Timing:
    """When an option is live, by appraisal year (arrays of length T)."""

    live_share: np.ndarray  # share of each year after go-live (0..1)
    years_since_go_live: np.ndarray  # from go-live to the middle of each year (negative before)
    pre_go_live_profile: np.ndarray  # share of the pre-go-live one-off costs falling in each year
    go_live_profile: np.ndarray  # 1 in the year go-live falls (0 elsewhere, all 0 if beyond horizon)


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
    council_funded_share: float = 1.0,
    volunteer_value_share: float = 0.0,
    admissions_gbp: float = 0.0,
) -> dict[str, np.ndarray]:
    """Cash flows of one option by component, before optimism bias (GBP, real base-year prices).

    ``amounts_gbp``: the baseline by subjective line (GBP; income negative). ``levers``: every lever
    of levers.yaml. ``project``: demand_growth and real_pay_growth. ``teckal_cap``: the largest new
    external income as a share of gross expenditure (None when the model is not a Teckal company).
    ``council_funded_share``: the share of gross spend the council pays for (client-side management
    and the provider's margin fall on it only). ``volunteer_value_share``: opportunity cost of an
    hour of volunteer time as a share of the paid staff cost it replaces (social perspective only).
    ``admissions_gbp``: the baseline's cultural admission takings the council charges VAT on (GBP, VAT
    included; 0 when none or already exempt), for the cultural exemption (``admissions_vat``).
    The optimism-bias lines are zero here: :func:`apply_optimism_bias` fills them.
    """
    if perspective not in PERSPECTIVES:
        raise ValueError(f"perspective {perspective!r}; expected one of {PERSPECTIVES}")
    T = len(when.live_share)
    a = {k: float(v) for k, v in amounts_gbp.items()}
    lv = {k: _col(v) for k, v in levers.items()}
    D, P = _growth_indices(project, T)
    L, since, S = _live_shares(when, lv["ramp_up_years"])
    gross = sum(a[k] for k in GROSS_LINES)
    grant_funded = council_funded_share * lv["council_pays_by_grant"]
    irrecoverable = grant_funded + (1.0 - grant_funded) * lv["irrecoverable_vat_share"]
    c = _operating(a, lv, D, P, L, S, since, perspective, council_rates_share, vat_rate, irrecoverable)
    c.update(_pension_deficit(a, lv, project, c["staff"], P, L, S))
    c.update(_contract_costs(c, lv, L, D, gross, council_funded_share))
    pay_bill = (a["employees_pay"] + a["employees_ni"] + a["employees_pension"]) * P
    c["volunteer_time"] = (
        S * lv["volunteer_substitution"] * pay_bill * volunteer_value_share if perspective == "social" else 0.0 * L
    )
    c.update(_income(a, lv, D, L, S, gross, perspective, teckal_cap))
    c["admissions_vat"] = _admissions_vat(lv, L, D, perspective, vat_rate, admissions_gbp)
    c.update(_one_off(a, fte, lv, when, perspective))
    c["optimism_bias_operating"] = 0.0 * L
    n = max(np.shape(v)[0] for v in c.values())
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n, T)) for k, v in c.items()}


def _growth_indices(project: Mapping[str, float | np.ndarray], horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """``D``, the demand growth index, and ``P``, demand x real pay growth, from the base year to each
    appraisal year (each (n, T); year index 0 is one year after the base year)."""
    years = np.arange(1, horizon + 1, dtype=float)
    demand = 1.0 + _col(project["demand_growth"])
    return demand**years, (demand * (1.0 + _col(project["real_pay_growth"]))) ** years


def _live_shares(when: Timing, ramp_up_years: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``L``, the share of each year after go-live (1, T); years since go-live (1, T); and ``S``, ``L``
    x the share of the ramp-up done (n, T): linear over ``ramp_up_years`` from go-live, 1 when 0."""
    L = when.live_share[None, :]
    since = when.years_since_go_live[None, :]
    ramp = ramp_up_years
    S = L * np.where(ramp > 0, np.clip(since / np.where(ramp > 0, ramp, 1.0), 0.0, 1.0), 1.0)
    return L, since, S


def _pension_deficit(
    a: Mapping[str, float],
    lv: Mapping[str, np.ndarray],
    project: Mapping[str, float | np.ndarray],
    staff: np.ndarray,
    P: np.ndarray,
    L: np.ndarray,
    S: np.ndarray,
) -> dict[str, np.ndarray]:
    """``staff`` without the deficit part of the employer's pension contributions the council keeps
    paying, and that part as its own line ``pension_deficit`` (GBP, real): flat in real terms, untouched
    by staff savings; under a pass-through (kept = 0) it rides in the new body's rate from go-live."""
    deficit = a["employees_pension"] * _col(project.get("pension_deficit_share", 0.0))
    in_rate = L * (1.0 - lv["pension_deficit_kept"])
    staff_factor = 1.0 + S * (lv["staff_cost_change"] - lv["volunteer_substitution"])
    return {
        "staff": staff - deficit * P * staff_factor * (1.0 - in_rate),
        "pension_deficit": deficit * (1.0 - in_rate) * np.ones_like(L),
    }


#: The provider's own cost lines, on which its margin is charged.
PROVIDER_COST_LINES = (
    "staff",
    "pension_rate",
    "premises",
    "business_rates",
    "transport",
    "supplies_third_party",
    "irrecoverable_vat",
    "support_services",
    "own_support",
)


def _contract_costs(
    c: Mapping[str, np.ndarray],
    lv: Mapping[str, np.ndarray],
    L: np.ndarray,
    D: np.ndarray,
    gross: float,
    council_funded_share: float,
) -> dict[str, np.ndarray]:
    """``client_side`` (contract management) and ``supplier_margin`` (on the provider's own costs
    ``c``), each on the council-funded share only (GBP, real)."""
    provider_costs = sum(c[k] for k in PROVIDER_COST_LINES)
    return {
        "client_side": L * lv["client_side_cost"] * gross * council_funded_share * D,
        "supplier_margin": L * lv["supplier_margin"] * provider_costs * council_funded_share,
    }


def _income(
    a: Mapping[str, float],
    lv: Mapping[str, np.ndarray],
    D: np.ndarray,
    L: np.ndarray,
    S: np.ndarray,
    gross: float,
    perspective: str,
    teckal_cap: float | None,
) -> dict[str, np.ndarray]:
    """Income lines (GBP, real, negative = income): ``income_existing``, ``new_income`` (net of its
    costs, within the Teckal cap) and ``grant_income`` (a transfer, so nil, in the social view)."""
    income_share = lv["new_income_share"] if teckal_cap is None else np.minimum(lv["new_income_share"], teckal_cap)
    return {
        "income_existing": (a["income_fees_charges"] + a["income_grants"] + a["income_other"]) * D * np.ones_like(L),
        "new_income": -S * income_share * gross * D * lv["new_income_margin"],
        "grant_income": -S * lv["grant_income_share"] * gross * D * (0.0 if perspective == "social" else 1.0),
    }


GROSS_LINES = (
    "employees_pay",
    "employees_ni",
    "employees_pension",
    "premises",
    "business_rates",
    "transport",
    "supplies_services",
    "third_party_payments",
    "support_recharges",
)


def _operating(
    a: Mapping[str, float],
    lv: Mapping[str, np.ndarray],
    D: np.ndarray,
    P: np.ndarray,
    L: np.ndarray,
    S: np.ndarray,
    since: np.ndarray,
    perspective: str,
    council_rates_share: float,
    vat_rate: float,
    irrecoverable: np.ndarray,
) -> dict[str, np.ndarray]:
    """The provider's operating cost lines (GBP, real): staff to stranded overheads.

    Business-rates relief and irrecoverable VAT are transfers outside the council perspective. VAT
    falls only on lines that bear it: premises, transport and supplies (not pay, not third-party
    payments to bodies that charge none). In the social view a premises reduction is a building
    transferred with its running costs: its opportunity cost stays (proxied by that running cost).
    """
    staff_factor = 1.0 + S * (lv["staff_cost_change"] - lv["volunteer_substitution"])
    c: dict[str, np.ndarray] = {}
    c["staff"] = (a["employees_pay"] + a["employees_ni"] + a["employees_pension"]) * P * staff_factor
    c["pension_rate"] = L * lv["pension_rate_change"] * a["employees_pay"] * P * staff_factor
    premises_change = (
        np.maximum(lv["premises_cost_change"], 0.0) if perspective == "social" else lv["premises_cost_change"]
    )
    c["premises"] = a["premises"] * D * (1.0 + L * premises_change)
    relief_kept = (1.0 - council_rates_share) if perspective == "council" else 0.0
    c["business_rates"] = a["business_rates"] * D * (1.0 - L * lv["business_rates_relief"] * relief_kept)
    c["transport"] = a["transport"] * D
    procured = 1.0 - S * lv["procurement_saving"]
    c["supplies_third_party"] = (a["supplies_services"] + a["third_party_payments"]) * D * procured
    vatable = c["premises"] + c["transport"] + a["supplies_services"] * D * procured
    vat_counted = 1.0 if perspective == "council" else 0.0
    c["irrecoverable_vat"] = vat_counted * vat_rate * irrecoverable * L * vatable
    recharges = a["support_recharges"] * D
    not_bought = L * (1.0 - lv["support_bought_back"])
    sy = lv["stranded_overhead_years"]
    stranded_left = np.where(sy > 0, np.clip(1.0 - since / np.where(sy > 0, sy, 1.0), 0.0, 1.0), 0.0)
    c["support_services"] = recharges * (1.0 - not_bought)
    c["own_support"] = recharges * not_bought * lv["own_support_cost"]
    c["stranded_overheads"] = recharges * not_bought * lv["stranded_overhead_share"] * stranded_left
    return c


def _admissions_vat(
    lv: Mapping[str, np.ndarray], L: np.ndarray, D: np.ndarray, perspective: str, vat_rate: float, admissions_gbp: float
) -> np.ndarray:
    """The cultural exemption (VATA 1994 Sch 9 Group 13 item 2): the output VAT an eligible body no
    longer pays on the standard-rated admission takings, vat/(1 + vat) of them, as income (negative)
    from go-live; council perspective only (a transfer from HMRC in the public and social views)."""
    counted = 1.0 if perspective == "council" else 0.0
    share = lv.get("cultural_exemption_share", np.zeros((1, 1)))
    return -counted * L * share * (vat_rate / (1.0 + vat_rate)) * float(admissions_gbp) * D


def _one_off(
    a: Mapping[str, float], fte: float, lv: Mapping[str, np.ndarray], when: Timing, perspective: str
) -> dict[str, np.ndarray]:
    """One-off transition costs (GBP, real), spread over the plan; redundancy (a transfer to staff,
    left out of the social view) and double running fall in the go-live year."""
    pre = when.pre_go_live_profile[None, :]
    at = when.go_live_profile[None, :]
    transfer = 0.0 if perspective == "social" else 1.0
    return {
        "legal_governance": lv["transition_legal_governance"] * 1000.0 * pre,
        "tupe_hr": lv["transition_tupe_hr_per_fte"] * fte * pre,
        "pensions_work": lv["transition_pensions"] * 1000.0 * pre,
        "it_separation": lv["transition_it_per_fte"] * fte * pre,
        "procurement": lv["transition_procurement"] * 1000.0 * pre,
        "redundancy": transfer * lv["redundancy_fte_share"] * fte * lv["redundancy_cost_per_fte"] * at,
        "double_running": lv["double_running_months"] / 12.0 * a["support_recharges"] * at,
        "optimism_bias_one_off": 0.0 * at,
    }


def net_operating_cost_change(status_quo: Mapping[str, np.ndarray], option: Mapping[str, np.ndarray]) -> np.ndarray:
    """Each year's net change in operating costs against the status quo (GBP, real; (n, T)).

    The sum over every operating cost line (income lines and the optimism-bias line excluded), so
    splitting or merging cost lines cannot change it. Positive = the option costs more.
    """
    return sum(option[k] - status_quo[k] for k in OPERATING_COST_COMPONENTS)


def apply_optimism_bias(
    status_quo: Mapping[str, np.ndarray],
    option: Mapping[str, np.ndarray],
    operating: float | np.ndarray,
    one_off: float | np.ndarray,
    it_separation: float | np.ndarray,
) -> dict[str, np.ndarray]:
    """The option's cash flows with the optimism-bias uplift as its own two lines (Green Book
    supplementary guidance; GBP, real base-year prices).

    Operating: each year's **net** change in operating costs against the status quo (never line by
    line) is made less favourable: a net increase ``x`` becomes ``x (1 + ob)``, a net reduction
    ``x`` becomes ``x / (1 + ob)``; the line holds the difference. Income changes are benefits and
    take no uplift. One-off: ``ob`` x the one-off costs, with the equipment/development uplift for IT
    separation. The ``ob`` arguments are the uplifts after mitigation (upper bound x (1 - mitigation)),
    numbers or arrays of draws. Every other line is returned unchanged.
    """
    ob_op, ob_one, ob_it = _col(operating), _col(one_off), _col(it_separation)
    delta = net_operating_cost_change(status_quo, option)
    out = dict(option)
    out["optimism_bias_operating"] = np.where(delta > 0, delta * ob_op, -delta * ob_op / (1.0 + ob_op))
    other = sum(option[k] for k in ONE_OFF_COMPONENTS if k not in ("it_separation", "optimism_bias_one_off"))
    out["optimism_bias_one_off"] = other * ob_one + option["it_separation"] * ob_it
    n = max(np.shape(v)[0] for v in out.values())
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (n, np.shape(v)[-1])) for k, v in out.items()}
