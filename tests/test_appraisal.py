"""Green Book discounting and metrics, checked against the formula and hand calculations."""

import numpy as np
import pytest

from ddanalysis.appraisal import benefit_cost_ratio, discount_factors, payback_index, present_value


def green_book_factor(t: int) -> float:
    """Independent restatement of Green Book Table A6.1: product of yearly factors."""
    f = 1.0
    for year in range(1, t + 1):
        rate = (
            0.035
            if year <= 30
            else 0.03
            if year <= 75
            else 0.025
            if year <= 125
            else 0.02
            if year <= 200
            else 0.015
            if year <= 300
            else 0.01
        )
        f /= 1 + rate
    return f


def test_year_zero_is_undiscounted():
    assert discount_factors(1)[0] == 1.0


def test_published_reference_values():
    f = discount_factors(31)
    assert f[10] == pytest.approx(0.7089, abs=5e-5)  # 1 / 1.035^10 = 0.70892
    assert f[30] == pytest.approx(0.3563, abs=5e-5)  # 1 / 1.035^30 = 0.35628
    assert f[10] == pytest.approx(1.035**-10, rel=1e-12)


@pytest.mark.parametrize("t", [0, 1, 29, 30, 31, 75, 76, 125, 126, 200, 201, 300, 301, 400])
def test_every_band_boundary_against_the_formula(t):
    assert discount_factors([t])[0] == pytest.approx(green_book_factor(t), rel=1e-12)


def test_band_change_after_year_30():
    f = discount_factors(32)
    assert f[31] / f[30] == pytest.approx(1 / 1.03, rel=1e-12)
    assert f[30] / f[29] == pytest.approx(1 / 1.035, rel=1e-12)


def test_hand_computed_npv():
    # costs 100 now, then 50 a year for 3 years at 3.5%:
    # 100 + 50/1.035 + 50/1.035^2 + 50/1.035^3 = 100 + 48.3092 + 46.6755 + 45.0971 = 240.0818
    costs = np.array([100.0, 50.0, 50.0, 50.0])
    assert present_value(costs, discount_factors(4)) == pytest.approx(240.0818, abs=1e-4)


def test_payback_is_first_year_cumulative_saving_stays_positive():
    # cumulative: -10, -5, 0, +5 -> year 3 (0 is not yet positive)
    assert payback_index(np.array([-10.0, 5.0, 5.0, 5.0]))[0] == 3
    # goes positive then negative again, then positive: the later year counts
    assert payback_index(np.array([5.0, -10.0, 3.0, 4.0]))[0] == 3
    assert payback_index(np.array([-10.0, 1.0, 1.0]))[0] == -1


def test_benefit_cost_ratio():
    assert benefit_cost_ratio(300.0, 100.0) == 3.0
    assert benefit_cost_ratio(300.0, 0.0) is None


def test_negative_year_rejected():
    with pytest.raises(ValueError):
        discount_factors([-1])
