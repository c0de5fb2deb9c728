"""Inputs of the cash-flow tests: a made-up baseline by subjective line (GBP a year), the default
levers with some changed, flat growth, and the total of an option's components."""

from __future__ import annotations

import datetime as dt

import numpy as np

from ddanalysis.assumptions import load_book
from ddanalysis.cashflow import ONE_OFF_COMPONENTS, OPERATING_COMPONENTS

#: The first appraisal year starts on 1 April 2015.
FIRST = dt.date(2015, 4, 1)
LINES = (
    "employees_pay",
    "employees_ni",
    "employees_pension",
    "premises",
    "business_rates",
    "transport",
    "supplies_services",
    "third_party_payments",
    "support_recharges",
    "capital_charges",
    "income_fees_charges",
    "income_grants",
    "income_other",
)
#: No demand growth and no real pay growth: each year's cost is the base year's.
FLAT = {"demand_growth": 0.0, "real_pay_growth": 0.0}
COMMON = dict(perspective="council", council_rates_share=0.49, vat_rate=0.2, teckal_cap=None)


def amounts(**lines: float) -> dict[str, float]:
    """A baseline with every subjective line at 0 but those given (GBP)."""
    a = dict.fromkeys(LINES, 0.0)
    a.update(lines)
    return a


def levers(**changed: float) -> dict:
    """The bundled default levers, with those given changed."""
    lv = dict(load_book().levers["default"])
    lv.update(changed)
    return lv


def total(components: dict) -> np.ndarray:
    """The sum of an option's operating and one-off components (GBP, per year)."""
    return sum(components[k] for k in OPERATING_COMPONENTS + ONE_OFF_COMPONENTS)
