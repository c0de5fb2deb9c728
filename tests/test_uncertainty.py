"""Sensitivity, switching values and Monte Carlo on a model with fixed timings."""
import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ddanalysis.assumptions import load_book
from ddanalysis.baseline import project_baseline
from ddanalysis.model import OptionTiming, ProjectModel
from ddanalysis.uncertainty import draw_values, monte_carlo, pert_draws, sensitivity, switching_values

PID = "walsall-college"


@pytest.fixture(scope="module")
def model():
    book = load_book(PID)
    base = project_baseline(PID)
    timings = {"in-house": OptionTiming(None, None),
               "in-house-redesign": OptionTiming(dt.date(2015, 4, 1), dt.date(2015, 10, 1)),
               "mutual": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 10, 1)),
               "charitable-trust": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 10, 1))}
    return ProjectModel(book, base.amounts_gbp.to_dict(), base.fte, timings, "MD")


@pytest.fixture(scope="module")
def values(model):
    return model.book.values("central")


def test_zero_width_ranges_make_monte_carlo_equal_the_deterministic_result(model, values):
    narrow = model.book.table.copy()
    narrow["low"] = narrow["central"]
    narrow["high"] = narrow["central"]
    book = dataclasses.replace(model.book, table=narrow)
    zero_width = ProjectModel(book, model.amounts_gbp, model.fte, model.options, "MD")
    mc = monte_carlo(zero_width, values, draws=50, seed=1)
    det = model.net_present_savings(values.to_dict())
    for opt in model.options:
        assert np.allclose(mc.draws[opt], det[opt][0], rtol=0, atol=1e-6)
        assert mc.summary.set_index("option").loc[opt, "p10"] == pytest.approx(det[opt][0], abs=1e-6)


def test_same_seed_same_draws_other_seed_other_draws(model, values):
    a = monte_carlo(model, values, draws=300, seed=7)
    b = monte_carlo(model, values, draws=300, seed=7)
    c = monte_carlo(model, values, draws=300, seed=8)
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert not np.allclose(a.draws["mutual"], c.draws["mutual"])


def test_chunking_does_not_change_the_draws(model, values):
    a = monte_carlo(model, values, draws=500, seed=3, chunk=500)
    b = monte_carlo(model, values, draws=500, seed=3, chunk=128)
    np.testing.assert_allclose(a.draws.to_numpy(), b.draws.to_numpy(), rtol=1e-12)


def test_pert_stays_in_range_with_the_right_mean():
    rng = np.random.default_rng(0)
    x = pert_draws(rng, 0.0, 0.2, 1.0, 200_000)
    assert x.min() >= 0.0 and x.max() <= 1.0
    # PERT mean = (low + 4 mode + high) / 6 = (0 + 0.8 + 1) / 6 = 0.3
    assert x.mean() == pytest.approx(0.3, abs=0.003)
    assert (pert_draws(rng, 0.5, 0.5, 0.5, 10) == 0.5).all()


def test_draws_respect_every_assumption_range(model, values):
    d = draw_values(model, values, 1000, seed=11)
    table = model.book.table
    for k, arr in d.items():
        assert arr.min() >= table.loc[k, "low"] - 1e-12 and arr.max() <= table.loc[k, "high"] + 1e-12


def test_sensitivity_is_one_way_and_ranked(model, values):
    s = sensitivity(model, values)
    mutual = s[s.option == "mutual"]
    assert list(mutual["rank"]) == list(range(1, len(mutual) + 1))
    assert (mutual.swing.diff().dropna() <= 1e-9).all()
    # recompute one row by hand: staff_cost_change at its low value, everything else central
    row = mutual[mutual.key == "staff_cost_change"].iloc[0]
    v = values.to_dict()
    v[("mutual", "staff_cost_change")] = row["low"]
    assert model.net_present_savings(v)["mutual"][0] == pytest.approx(row["nps_at_low"], rel=1e-12)
    # a mutual's lever does not move the charitable trust
    assert not ((s.option == "charitable-trust") & (s.scope == "mutual")).any()


def test_switching_values_flip_the_sign_when_applied(model, values):
    sw = switching_values(model, values, options=["mutual", "charitable-trust"])
    checked = 0
    for r in sw.itertuples():
        for col, other in (("switch_vs_status_quo", None), ("switch_vs_next_best", r.next_best)):
            x = getattr(r, col)
            if x is None or pd.isna(x):
                continue
            k = (r.scope, r.key)
            lo, hi = model.book.table.loc[k, ["bound_low", "bound_high"]]
            eps = 1e-4 * (hi - lo)
            gaps = []
            for xv in (max(lo, x - eps), min(hi, x + eps)):
                v = {**values.to_dict(), k: xv}
                nps = model.net_present_savings(v)
                gaps.append(nps[r.option][0] - (nps[other][0] if other else 0.0))
            assert gaps[0] * gaps[1] < 0, (r.option, r.key, col, x, gaps)
            checked += 1
    assert checked >= 5
