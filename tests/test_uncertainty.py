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
    timings = {
        "in-house": OptionTiming(None, None),
        "in-house-redesign": OptionTiming(dt.date(2015, 4, 1), dt.date(2015, 10, 1)),
        "mutual": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 10, 1)),
        "charitable-trust": OptionTiming(dt.date(2015, 4, 1), dt.date(2016, 10, 1)),
    }
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


# ---- correlated Monte Carlo (M4) ---------------------------------------------------------


def test_the_draw_matrix_has_one_scope_key_column_per_assumption_and_reproduces_the_draws(model, values):
    """MonteCarloResult.inputs: one row per draw, one '<scope>.<key>' column per assumption the model
    reads (project first, then each option); evaluating the model on those rows gives back each
    draw's net present saving. Scenario-fixed keys are constant columns."""
    from ddanalysis.sampling import key_name

    fixed = {("mutual", "business_rates_relief")}
    v = values.copy()
    v.loc[("mutual", "business_rates_relief")] = 0.0
    mc = monte_carlo(model, v, draws=400, seed=5, fixed=fixed)
    x = mc.inputs
    assert x.shape[0] == 400 and mc.method == "correlated"
    expected = [key_name((s, k)) for s in ("project", *model.options) for k in model.keys_by_scope.get(s, [])]
    assert list(x.columns) == expected
    assert "mutual.pension_rate_change" in x and "project.demand_growth" in x
    assert (x["mutual.business_rates_relief"] == 0.0).all()
    cases = {tuple(c.split(".", 1)): x[c].to_numpy() for c in x.columns}
    nps = model.net_present_savings(cases)
    for opt in model.options:
        np.testing.assert_allclose(mc.draws[opt], nps[opt], rtol=1e-12, atol=1e-6)


def test_shared_quantities_take_the_same_random_number_in_every_option(model, values):
    """pension_rate_change is a shared quantity (correlations.yaml): the mutual's and the trust's
    draws have identical ranks, each within its own range; their staff cost changes do not."""
    from ddanalysis.sampling import spearman

    d = draw_values(model, values, 5000, seed=2)
    assert spearman(
        d[("mutual", "pension_rate_change")], d[("charitable-trust", "pension_rate_change")]
    ) == pytest.approx(1.0)
    assert abs(spearman(d[("mutual", "staff_cost_change")], d[("charitable-trust", "staff_cost_change")])) < 0.06
    table = model.book.table
    for k, arr in d.items():
        assert arr.min() >= table.loc[k, "low"] - 1e-12 and arr.max() <= table.loc[k, "high"] + 1e-12


def test_common_random_numbers_narrow_the_difference_between_two_options(model, values):
    """The mutual and the charitable trust share the actuary's rate, stranded overheads and redundancy
    cost. Drawing each of those once per draw (common random numbers) removes their noise from the
    difference of the two options' net present savings, so its spread is narrower than with every
    quantity drawn separately for each option (same marginals, same number of draws).

    Every other assumption is held at its central value (zero width), so the comparison measures the shared
    quantities alone: with the bundled ranges, how much narrower the difference gets also depends on how wide
    the options' own levers are (a wider grant range for the trust dilutes it), which is not what this tests."""
    from ddanalysis.sampling import Correlations, load_correlations

    shared = set(load_correlations().shared)
    table = model.book.table.copy()
    own = [k for k in table.index if k[1] not in shared]
    table.loc[own, "low"] = table.loc[own, "central"]
    table.loc[own, "high"] = table.loc[own, "central"]
    only_shared = ProjectModel(
        dataclasses.replace(model.book, table=table), model.amounts_gbp, model.fte, model.options, "MD"
    )
    assert shared and (table["high"] > table["low"]).any()

    crn = monte_carlo(only_shared, values, draws=20_000, seed=4, correlations=load_correlations().without_pairs())
    ind = monte_carlo(only_shared, values, draws=20_000, seed=4, correlations=Correlations.none())
    old = monte_carlo(only_shared, values, draws=20_000, seed=4, method="independent")
    spread = {
        name: (r.draws["mutual"] - r.draws["charitable-trust"]).std()
        for name, r in (("crn", crn), ("ind", ind), ("old", old))
    }
    assert spread["crn"] < 0.95 * spread["ind"]
    assert spread["crn"] < 0.95 * spread["old"]
    # each option's own spread is unchanged (same marginals): within 3%
    for opt in ("mutual", "charitable-trust"):
        assert crn.draws[opt].std() == pytest.approx(ind.draws[opt].std(), rel=0.03)


def test_the_earlier_independent_sampler_is_kept_and_a_bad_method_is_refused(model, values):
    a = monte_carlo(model, values, draws=300, seed=7, method="independent")
    b = monte_carlo(model, values, draws=300, seed=7, method="independent")
    pd.testing.assert_frame_equal(a.draws, b.draws)
    assert a.method == "independent" and list(a.inputs.columns) == list(
        monte_carlo(model, values, 10, 7).inputs.columns
    )
    with pytest.raises(ValueError, match="method 'copula'"):
        monte_carlo(model, values, draws=10, seed=1, method="copula")


def test_the_bundled_correlations_hold_in_the_draws_of_a_real_project(model, values):
    """Every rank correlation declared in data/assumptions/correlations.yaml holds within each option
    that draws both keys (Spearman within 0.02 at 100,000 draws), and every shared quantity has the
    same ranks in every option (Spearman 1). Coefficients are read from the file, not from the code."""
    from ddanalysis.sampling import load_correlations, spearman
    from ddanalysis.uncertainty import draw_inputs

    corr = load_correlations()
    x = draw_inputs(model, values, 100_000, seed=31)
    varying = {c for c in x.columns if x[c].std() > 0}
    checked = 0
    for (a, b), rho in corr.pairs.items():
        for opt in model.options:
            ca = a if a.startswith("project.") else f"{opt}.{a}"
            cb = b if b.startswith("project.") else f"{opt}.{b}"
            if ca in varying and cb in varying:
                assert spearman(x[ca].to_numpy(), x[cb].to_numpy()) == pytest.approx(rho, abs=0.02), (ca, cb)
                checked += 1
    assert checked >= 10
    for key in corr.shared:
        cols = [f"{o}.{key}" for o in model.options if f"{o}.{key}" in varying]
        assert len(cols) >= 2, key
        for c in cols[1:]:
            assert spearman(x[cols[0]].to_numpy(), x[c].to_numpy()) == pytest.approx(1.0, abs=1e-12)


def test_the_recommended_options_switching_value_is_where_the_recommendation_changes():
    """Walsall's college: outsourcing has the largest net present saving (about GBP 1.33m) but scores 4.2 on the
    non-monetised criteria against the status quo's 5.3, so the rule cannot recommend it and recommends the
    mutual (about GBP 1.25m); the next option the rule could recommend is the in-house redesign (about GBP 0.90m).
    The mutual's switching value for its pay-bill change was once where it drew level with outsourcing (-0.073,
    a value that changes nothing). It is now where the mutual's saving falls to the redesign's. Worked from the
    tornado's two ends (saving GBP 1,955,976 at -0.10 and 315,927 at -0.03, a slope of 1,640,049 / 0.07 =
    GBP 23.43m per unit): (1,253,098 - 901,549) / 23.43m = 0.0150 above the central -0.07, about -0.055.
    Re-appraised just either side of the value reported, the recommendation changes there."""
    import ddanalysis as dd

    result = dd.appraise(PID, draws=0, with_sensitivity=False)
    assert result.recommended == "mutual"
    row = result.switching[(result.switching.option == "mutual") & (result.switching.key == "staff_cost_change")]
    row = row.iloc[0]
    assert row.next_best == "in-house-redesign"
    assert row.switch_vs_next_best == pytest.approx(-0.055, abs=0.001)
    quick = {"draws": 0, "with_switching": False, "with_sensitivity": False}
    below = dd.appraise(PID, overrides={"mutual.staff_cost_change": row.switch_vs_next_best - 0.001}, **quick)
    above = dd.appraise(PID, overrides={"mutual.staff_cost_change": row.switch_vs_next_best + 0.001}, **quick)
    assert below.recommended == "mutual" and above.recommended == "in-house-redesign"
    # outsourcing, which the rule cannot recommend, is measured against the best option it could
    outsourcing = result.switching[result.switching.option == "outsourcing"]
    assert set(outsourcing.next_best) == {"mutual"}
