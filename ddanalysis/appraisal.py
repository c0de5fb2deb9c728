"""Green Book discounting and the headline metrics of an option against the status quo.

All money is GBP in real base-year prices. Year index 0 is undiscounted.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: HM Treasury Green Book social time preference rate: (first year, last year or None, rate).
GREEN_BOOK_BANDS: tuple[tuple[int, int | None, float], ...] = (
    (0, 30, 0.035),
    (31, 75, 0.030),
    (76, 125, 0.025),
    (126, 200, 0.020),
    (201, 300, 0.015),
    (301, None, 0.010),
)


def yearly_rates(last_year: int, bands: Sequence[tuple[int, int | None, float]] = GREEN_BOOK_BANDS) -> np.ndarray:
    """The discount rate that applies in each year 0..last_year (rate of year 0 is unused)."""
    rates = np.empty(last_year + 1)
    for first, last, rate in bands:
        hi = last_year if last is None else min(last, last_year)
        if first <= hi:
            rates[first : hi + 1] = rate
    return rates


def discount_factors(
    years: int | Sequence[int] | np.ndarray, bands: Sequence[tuple[int, int | None, float]] = GREEN_BOOK_BANDS
) -> np.ndarray:
    """Green Book discount factor for each year index.

    ``years`` is a horizon (``10`` gives years 0..9) or a sequence of year indices. Year 0 is 1.0;
    each later factor is the product of the yearly factors 1 / (1 + r_y) for y = 1..t, with r_y
    the rate of the band holding year y (3.5% to year 30, 3.0% to 75, ...).
    """
    idx = np.arange(int(years)) if np.isscalar(years) else np.asarray(years, dtype=int)  # type: ignore[arg-type]
    if idx.size == 0:
        return np.zeros(0)
    if (idx < 0).any():
        raise ValueError("year indices must be >= 0")
    rates = yearly_rates(int(idx.max()), bands)
    yearly = 1.0 / (1.0 + rates)
    yearly[0] = 1.0
    return np.cumprod(yearly)[idx]


def present_value(costs: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """Sum over years of cost x discount factor (last axis = years)."""
    return np.asarray(costs, dtype=float) @ factors


#: Money within half a penny of zero counts as zero (GBP): sums of the same cost lines in another
#: order differ by float rounding, and that must not decide a payback year or whether a ratio exists.
MONEY_TOLERANCE_GBP = 0.005


def payback_index(annual_saving: np.ndarray) -> np.ndarray:
    """First year index in which the cumulative (undiscounted) saving is positive (beyond
    :data:`MONEY_TOLERANCE_GBP`) and stays so.

    -1 where that never happens within the horizon. Works on (T,) or (n, T) arrays.
    """
    cum = np.cumsum(np.atleast_2d(annual_saving), axis=-1)
    positive = cum > MONEY_TOLERANCE_GBP
    # stays positive from t on: reverse cumulative AND
    stays = np.flip(np.logical_and.accumulate(np.flip(positive, axis=-1), axis=-1), axis=-1)
    first = np.where(stays.any(axis=-1), stays.argmax(axis=-1), -1)
    return first if np.ndim(annual_saving) > 1 else first[:1]


def benefit_cost_ratio(pv_recurring_saving: float, pv_one_off_cost: float) -> float | None:
    """Return on transition cost (not the Green Book's benefit-cost ratio, see :func:`green_book_bcr`):
    PV of recurring savings per GBP of PV one-off cost; None when there is no one-off cost."""
    if pv_one_off_cost <= 0:
        return None
    return pv_recurring_saving / pv_one_off_cost


return_on_transition_cost = benefit_cost_ratio


def green_book_bcr(
    operating_saving: np.ndarray, one_off_cost: np.ndarray, factors: np.ndarray, residual_value: float = 0.0
) -> tuple[float | None, str | None]:
    """Benefit-cost ratio as the Green Book defines it (PV benefits / PV costs), year by year on net
    figures, so that splitting or merging cost lines cannot change it (GBP, real, discounted).

    Benefits: PV of each year's net operating saving where positive, plus a positive residual value.
    Costs: PV of the one-off costs plus each year's net operating cost increase where positive (plus
    a negative residual value). Returns (ratio, None), never negative, or (None, reason) when either
    side is zero.

    >>> green_book_bcr(np.array([0.0, 100.0]), np.array([50.0, 0.0]), np.array([1.0, 0.5]))
    (1.0, None)
    """
    s = np.asarray(operating_saving, dtype=float)
    s = np.where(np.abs(s) < MONEY_TOLERANCE_GBP, 0.0, s)  # float noise of lines that cancel is not a saving
    benefits = float(np.maximum(s, 0.0) @ factors) + max(residual_value, 0.0)
    costs = (
        float(np.asarray(one_off_cost, dtype=float) @ factors)
        + float(np.maximum(-s, 0.0) @ factors)
        + max(-residual_value, 0.0)
    )
    benefits = 0.0 if benefits < MONEY_TOLERANCE_GBP else benefits
    costs = 0.0 if costs < MONEY_TOLERANCE_GBP else costs
    if costs <= 0 and benefits <= 0:
        return None, "no costs and no benefits against the status quo (the benchmark itself, or no change)"
    if costs <= 0:
        return None, "no costs against the status quo: the ratio is unbounded; read the net present saving"
    if benefits <= 0:
        return None, "no benefits against the status quo: every year costs more and there is no residual value"
    return benefits / costs, None
