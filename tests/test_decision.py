"""Deciding under uncertainty from draws: probability best, acceptability, EVPI, partial EVPI, Sobol
indices, failure rules and the draws file (the computational core)."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ddanalysis.decision import acceptability, default_thresholds, evpi, probability_best
from ddanalysis.drawsfile import decision_from_draws, read_draws, read_seed, write_draws
from ddanalysis.errors import DataFileError, DDAnalysisError, UnknownKeyError
from ddanalysis.failure import failure_rules, format_value, option_failure_rules, short_description
from ddanalysis.sobol import INDEPENDENCE_NOTE, pert_ppf, sobol_indices
from ddanalysis.voi import evppi, summary

# four draws of three options (GBP); the status quo saves nothing against itself
HAND = pd.DataFrame(
    {"in-house": [0.0, 0.0, 0.0, 0.0], "a": [100.0, -20.0, 60.0, -10.0], "b": [50.0, 30.0, 60.0, -40.0]}
)


def test_probability_best_by_hand():
    """Best option per draw: draw 0 a (100); draw 1 b (30); draw 2 a and b tie at 60 (half each);
    draw 3 in-house (0 beats -10 and -40).
    p_best(in-house) = 1/4 = 0.25; p_best(a) = (1 + 0.5)/4 = 0.375; p_best(b) = (1 + 0.5)/4 = 0.375;
    they sum to 1."""
    p = probability_best(HAND)
    assert p.to_dict() == pytest.approx({"in-house": 0.25, "a": 0.375, "b": 0.375})
    assert p.sum() == pytest.approx(1.0)


def test_evpi_by_hand():
    """Means: in-house 0; a (100 - 20 + 60 - 10)/4 = 32.5; b (50 + 30 + 60 - 40)/4 = 25, so a is chosen
    on today's evidence. Best per draw: 100, 30, 60, 0; mean 190/4 = 47.5.
    EVPI = 47.5 - 32.5 = 15 GBP."""
    assert evpi(HAND) == pytest.approx(15.0)


def test_evpi_is_zero_when_one_option_is_always_best():
    nps = pd.DataFrame({"in-house": 0.0, "a": np.linspace(10, 20, 50), "b": np.linspace(-5, 9, 50)})
    assert evpi(nps) == 0.0
    assert probability_best(nps)["a"] == 1.0


def test_acceptability_by_hand():
    """At threshold 50: a reaches it in draws 0 and 2 (0.5); b in draws 0 (exactly 50) and 2 (0.5);
    in-house never. Best among those that reach 50: draw 0 a; draw 2 a and b half each, so
    p_best(a) = 1.5/4 = 0.375, p_best(b) = 0.5/4 = 0.125, in-house 0; summed, 0.5 = the share of
    draws in which some option reaches 50. At 0 p_best is the probability best."""
    curve = acceptability(HAND, [0.0, 50.0]).set_index(["threshold_gbp", "option"])
    assert curve.loc[(50.0, "a")].tolist() == pytest.approx([0.5, 0.375])
    assert curve.loc[(50.0, "b")].tolist() == pytest.approx([0.5, 0.125])
    assert curve.loc[(50.0, "in-house")].tolist() == pytest.approx([0.0, 0.0])
    at0 = curve.xs(0.0, level="threshold_gbp")
    assert at0["p_best"].to_dict() == pytest.approx(probability_best(HAND).to_dict())
    assert at0.loc["in-house", "p_reaches"] == 1.0


def _random_draws(n=4000, seed=3):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(
        {
            "project.demand": rng.uniform(size=n),
            "mutual.pension_rate_change": rng.uniform(size=n),
            "trust.rates_relief": rng.uniform(size=n),
            "project.noise": rng.normal(size=n),
        }
    )
    nps = pd.DataFrame(
        {
            "in-house": 0.0,
            "mutual": 2e6 * x["project.demand"] - 1.5e6 * x["mutual.pension_rate_change"] + 1e5 * x["project.noise"],
            "trust": 1.2e6 * x["trust.rates_relief"] - 2e5 + 5e4 * x["project.noise"],
            "outsourcing": 5e5 + 1e5 * x["project.noise"] - 4e5 * x["project.demand"],
        }
    )
    return x, nps


def test_acceptability_curve_is_monotone_and_consistent():
    _, nps = _random_draws()
    t = default_thresholds(nps)
    assert t[0] == 0 and t[-1] == pytest.approx(np.percentile(nps.to_numpy(), 90, axis=0).max())
    curve = acceptability(nps)
    assert set(curve.columns) == {"threshold_gbp", "option", "p_reaches", "p_best"}
    for _, g in curve.groupby("option"):
        assert (np.diff(g["p_reaches"].to_numpy()) <= 1e-12).all()
        assert (np.diff(g["p_best"].to_numpy()) <= 1e-12).all()
    assert (curve["p_best"] <= curve["p_reaches"] + 1e-12).all()
    # summed over options, p_best is the share of draws in which some option reaches the threshold
    total = curve.groupby("threshold_gbp")["p_best"].sum()
    some = [(nps.max(axis=1) >= th).mean() for th in total.index]
    assert total.to_numpy() == pytest.approx(some)
    assert total.iloc[0] == pytest.approx(1.0)
    # brute force at one threshold
    th = t[7]
    best = nps.to_numpy().argmax(axis=1)
    for j, o in enumerate(nps.columns):
        row = curve[(curve.threshold_gbp == th) & (curve.option == o)].iloc[0]
        assert row.p_reaches == pytest.approx((nps[o] >= th).mean())
        assert row.p_best == pytest.approx(((best == j) & (nps[o] >= th)).mean())


# --- partial EVPI -------------------------------------------------------------------------------


def _one_driver(n=10_000, seed=11):
    """The decision depends on x1 alone (non-linearly); x2 is drawn but nothing depends on it."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.uniform(size=n), rng.uniform(size=n)
    nps = pd.DataFrame({"in-house": 0.0, "a": 1e6 * (x1**2 - 0.3), "b": 4e5 * np.sin(3 * x1) - 2e5})
    return pd.DataFrame({"x1": x1, "x2": x2}), nps


@pytest.mark.parametrize("method", ["regression", "bins"])
def test_evppi_of_the_only_driver_is_the_total_and_of_an_irrelevant_input_about_zero(method):
    inputs, nps = _one_driver()
    total = evpi(nps)
    assert total > 1e4
    got = evppi(nps, inputs, method=method).set_index("key")["evppi_gbp"]
    assert got["x1"] == pytest.approx(total, rel=0.01)
    assert got["x1"] <= total
    # the regression estimator picks the constant fit for an input nothing depends on; the binned
    # estimator's bin means carry noise, a few per cent of the total at 10,000 draws
    assert got["x2"] <= (0.01 if method == "regression" else 0.10) * total
    assert got["x2"] >= 0


def test_evppi_linear_case_matches_the_formula_and_groups_reach_the_total():
    """a = 800 (x1 - 0.5) + 600 (x3 - 0.5), x1, x3 ~ U(0, 1) independent, against the status quo.
    E[a | x1] = 800 (x1 - 0.5), so EVPPI(x1) = E[max(0, 800 (x1 - 0.5))] - max(0, E[a])
    = 800 x E[(x1 - 0.5)+] = 800 x 0.125 = 100 GBP; likewise EVPPI(x3) = 600 x 0.125 = 75 GBP.
    Knowing both is knowing everything: EVPPI({x1, x3}) = EVPI."""
    rng = np.random.default_rng(5)
    n = 20_000
    x = pd.DataFrame({"x1": rng.uniform(size=n), "x2": rng.uniform(size=n), "x3": rng.uniform(size=n)})
    nps = pd.DataFrame({"in-house": 0.0, "a": 800 * (x.x1 - 0.5) + 600 * (x.x3 - 0.5)})
    total = evpi(nps)
    got = evppi(nps, x, groups={"both": ["x1", "x3"], "pair": ["x1", "x2"]}).set_index("key")["evppi_gbp"]
    assert got["x1"] == pytest.approx(100, rel=0.03)
    assert got["x3"] == pytest.approx(75, rel=0.03)
    assert got["x2"] <= 0.01 * total
    assert got["group:both"] == pytest.approx(total, rel=0.01)
    assert got["group:pair"] == pytest.approx(got["x1"], rel=0.02)
    assert got["group:both"] > got["x1"] > got["x3"] > 0
    assert (got >= 0).all() and (got <= total).all()


def test_evppi_several_options_and_correlated_inputs():
    inputs, nps = _random_draws(n=6000)
    total = evpi(nps)
    groups = {"all": list(inputs.columns), "levers": ["project.demand", "mutual.pension_rate_change"]}
    got = evppi(nps, inputs, groups).set_index("key")["evppi_gbp"]
    assert list(got.index) == list(inputs.columns) + ["group:all", "group:levers"]
    assert (got >= 0).all() and (got <= total).all()
    assert got["group:all"] == pytest.approx(total, rel=0.02)
    assert got["group:levers"] >= max(got["project.demand"], got["mutual.pension_rate_change"]) - 0.01 * total


def test_evppi_edge_cases():
    inputs, nps = _one_driver(n=500)
    inputs["flat"] = 1.0
    got = evppi(nps, inputs).set_index("key")["evppi_gbp"]
    assert got["flat"] == 0.0
    assert evppi(nps[["a"]], inputs)["evppi_gbp"].eq(0).all()  # one option: nothing to decide
    with pytest.raises(UnknownKeyError, match="missing"):
        evppi(nps, inputs, {"g": ["missing"]})
    with pytest.raises(ValueError):
        evppi(nps, inputs.iloc[:10])
    # an input that takes two values (its square adds nothing to the basis): the decision follows it
    # exactly, so EVPPI = EVPI = E[max(0, a)] = 0.5 x 100 (a = +100 or -100, equally likely, mean 0)
    rng = np.random.default_rng(9)
    switch = rng.integers(0, 2, 4000).astype(float)
    heavy = rng.lognormal(sigma=1.5, size=4000)
    two = pd.DataFrame({"in-house": 0.0, "a": np.where(switch == 1, 100.0, -100.0)})
    got = evppi(two, pd.DataFrame({"switch": switch, "heavy": heavy})).set_index("key")["evppi_gbp"]
    assert got["switch"] == pytest.approx(evpi(two)) and evpi(two) == pytest.approx(50, abs=3)
    assert got["heavy"] <= 0.01 * evpi(two)
    # tuple keys (scope, key) are reported as scope.key
    tup = inputs.rename(columns={"x1": ("mutual", "x1")})
    assert "mutual.x1" in set(evppi(nps, tup)["key"])


def test_summary_has_the_json_fields():
    inputs, nps = _random_draws(n=2000)
    out = summary(nps, inputs, {"levers": ["project.demand", "mutual.pension_rate_change"]})
    assert set(out) == {"p_best", "evpi_gbp", "acceptability", "evppi"}
    assert sum(out["p_best"].values()) == pytest.approx(1.0)
    assert set(out["acceptability"][0]) == {"threshold_gbp", "option", "p_reaches", "p_best"}
    assert out["evppi"][-1]["key"] == "group:levers"
    assert all(isinstance(v, float) for r in out["evppi"] for v in [r["evppi_gbp"]])


# --- Sobol indices --------------------------------------------------------------------------------


def ishigami_indices(a=7.0, b=0.1):
    """Analytic Sobol indices of the Ishigami function Y = sin x1 + a sin^2 x2 + b x3^4 sin x1, with
    x1, x2, x3 independent U(-pi, pi) (Ishigami & Homma 1990; Sobol' & Levitan 1999):
        V   = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2
        V1  = (1 + b pi^4/5)^2 / 2,  V2 = a^2/8,  V3 = 0,  V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8/225
        S1 = (V1/V, V2/V, 0);  ST = ((V1 + V13)/V, V2/V, V13/V)
    For a = 7, b = 0.1: V = 13.8446, S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)."""
    v = a * a / 8 + b * math.pi**4 / 5 + b * b * math.pi**8 / 18 + 0.5
    v1 = 0.5 * (1 + b * math.pi**4 / 5) ** 2
    v2 = a * a / 8
    v13 = 8 * b * b * math.pi**8 / 225
    return (v1 / v, v2 / v, 0.0), ((v1 + v13) / v, v2 / v, v13 / v)


def test_ishigami_analytic_values():
    s1, st = ishigami_indices()
    assert s1 == pytest.approx((0.3139, 0.4424, 0.0), abs=1e-4)
    assert st == pytest.approx((0.5576, 0.4424, 0.2437), abs=1e-4)


def test_sobol_indices_on_ishigami():
    def ishigami(x):
        return np.sin(x["x1"]) + 7 * np.sin(x["x2"]) ** 2 + 0.1 * x["x3"] ** 4 * np.sin(x["x1"])

    table = sobol_indices(ishigami, {k: (-math.pi, math.pi) for k in ("x1", "x2", "x3")}, n=8192, seed=7)
    s1, st = ishigami_indices()
    assert table["s1"].to_numpy() == pytest.approx(s1, abs=0.03)
    assert table["st"].to_numpy() == pytest.approx(st, abs=0.03)
    assert table.attrs["n_base"] == 8192 and table.attrs["n_evaluations"] == 8192 * 5
    assert table.attrs["note"] == INDEPENDENCE_NOTE and "independently" in INDEPENDENCE_NOTE
    # repeatable from the seed
    again = sobol_indices(ishigami, {k: (-math.pi, math.pi) for k in ("x1", "x2", "x3")}, n=8192, seed=7)
    assert again["s1"].tolist() == table["s1"].tolist()


def test_sobol_several_outputs_ppf_inputs_and_fixed_values():
    """An additive function Y = 2 u + w with u, w independent: S1 = ST = Var share (4 Var u vs Var w)."""

    def f(x):
        y = 2 * x["u"] + x["w"] + x["k"]
        return {"nps": y, "gap": x["w"] ** 1}

    ppf = pert_ppf(0.0, 0.5, 1.0)  # symmetric PERT: Beta(3, 3), variance 1/28
    table = sobol_indices(f, {"u": ppf, "w": (0.0, 1.0)}, n=2048, fixed={"k": 5.0}, seed=1)
    assert set(table["output"]) == {"nps", "gap"}
    nps = table[table.output == "nps"].set_index("key")
    share_u = 4 / 28 / (4 / 28 + 1 / 12)
    assert nps.loc["u", "s1"] == pytest.approx(share_u, abs=0.03)
    assert nps.loc["u", "st"] == pytest.approx(share_u, abs=0.03)
    gap = table[table.output == "gap"].set_index("key")
    assert gap.loc["w", "st"] == pytest.approx(1.0, abs=0.03) and abs(gap.loc["u", "st"]) < 0.02
    # evaluated a chunk of points at a time: the same numbers
    chunked = sobol_indices(f, {"u": ppf, "w": (0.0, 1.0)}, n=2048, fixed={"k": 5.0}, seed=1, chunk=1000)
    pd.testing.assert_frame_equal(chunked, table)
    with pytest.raises(ValueError):
        sobol_indices(f, {"u": (1.0, 1.0)}, n=64)


# --- failure rules --------------------------------------------------------------------------------


def test_planted_failure_rule_is_found():
    """Fails exactly when x1 > 0.7 and x2 < 0.4, among six uniform inputs: the rule is that box."""
    rng = np.random.default_rng(2)
    n = 10_000
    x = pd.DataFrame({f"x{i}": rng.uniform(size=n) for i in range(1, 7)})
    fails = (x.x1 > 0.7) & (x.x2 < 0.4)
    rules = failure_rules(x, fails, detail=True)
    top = rules[0]
    assert top["coverage"] >= 0.97 and top["density"] >= 0.97
    assert {c["key"] for c in top["conditions"]} == {"x1", "x2"}
    assert top["text"] == "the option fails when x1 is more than 0.7 and x2 is below 0.4"


def test_failure_rule_words_for_a_chief_executive():
    """The rule of the example, in the levers' own units, with 3% of failures from noise."""
    rng = np.random.default_rng(4)
    n = 8000
    x = pd.DataFrame(
        {
            "mutual.pension_rate_change": rng.uniform(-0.04, 0.06, n),
            "mutual.business_rates_relief": rng.uniform(0, 1, n),
            "project.demand_growth": rng.uniform(-0.02, 0.02, n),
        }
    )
    fails = ((x["mutual.pension_rate_change"] > 0.03) & (x["mutual.business_rates_relief"] < 0.4)) | (
        rng.uniform(size=n) < 0.03
    )
    labels = {
        "mutual.pension_rate_change": (
            "Employer pension contribution rate of the new body minus the "
            "council's rate (LGPS); the council keeps the deficit",
            "percentage points of pay (0.02 = 2 points)",
        ),
        "mutual.business_rates_relief": (
            "Business rates relief (charitable and discretionary)",
            "share of baseline business rates",
        ),
    }
    rules = failure_rules(x, fails, labels=labels, outcome="the mutual loses money", max_inputs=2)
    assert rules[0]["text"] == (
        "the mutual loses money when employer pension contribution rate of the new body "
        "minus the council's rate is more than 3 points and business rates relief is "
        "below 40%"
    )
    assert rules[0]["density"] > 0.95 and rules[0]["coverage"] > 0.7
    assert set(rules[0]) == {"text", "coverage", "density"}


def test_option_failure_rules_for_the_appraisal():
    """The mutual loses money when x1 > 0.6; the trust beats it when x2 > 0.8 (and the trust never
    loses money); labels keyed by (scope, key) word columns named scope.key."""
    rng = np.random.default_rng(8)
    n = 5000
    x = pd.DataFrame(
        {"project.x1": rng.uniform(size=n), "project.x2": rng.uniform(size=n), "project.x3": rng.uniform(size=n)}
    )
    nps = pd.DataFrame(
        {
            "in-house": 0.0,
            "mutual": 1000 * (0.6 - x["project.x1"]) + 2000,
            "trust": 2000 + 5000 * (x["project.x2"] - 0.8),
        }
    )
    nps["mutual"] -= 2000
    nps["trust"] = nps["trust"].clip(lower=1)
    labels = {("project", "x1"): ("Pension rate", "share of pay"), ("project", "x2"): ("Rates relief", "share")}
    rules = option_failure_rules(x, nps, "mutual", labels=labels, name="the mutual")
    assert rules[0]["text"] == "the mutual loses money when pension rate is more than 60%"
    assert rules[0]["coverage"] > 0.97 and rules[0]["density"] > 0.97
    assert rules[1]["text"].startswith("the mutual is not the best option when")
    assert option_failure_rules(x, nps, "in-house")[0]["text"].endswith("is not the best option in every simulation")
    assert [r["text"] for r in option_failure_rules(x, nps, "trust") if "loses money" in r["text"]] == []


def test_failure_rules_edge_cases():
    x = pd.DataFrame({"a": np.arange(100.0), "b": 1.0})
    assert failure_rules(x, np.zeros(100, bool)) == []
    assert failure_rules(x, np.ones(100, bool), outcome="the trust loses money") == [
        {"text": "the trust loses money in every simulation", "coverage": 1.0, "density": 1.0}
    ]
    rules = failure_rules(x, x.a >= 80)
    # the tree's cut at 79.5 is shown to two significant figures, and measured as shown
    assert rules[0] == {"text": "the option fails when a is more than 80", "coverage": 0.95, "density": 1.0}
    with pytest.raises(ValueError):
        failure_rules(x, np.ones(3, bool))


def test_value_words():
    assert format_value(0.4, "share of baseline business rates") == "40%"
    assert format_value(0.03, "percentage points of pay (0.02 = 2 points)") == "3 points"
    assert format_value(25000, "GBP per FTE") == "£25,000 per FTE"
    assert format_value(-250, "GBP thousand") == "-£250k"
    assert format_value(2, "years") == "2 years"
    assert format_value(3, "months of baseline support recharges") == "3 months"
    assert (
        short_description("Share of input VAT the new body cannot recover; charities")
        == "share of input VAT the new body cannot recover"
    )
    assert short_description("VAT that cannot be recovered") == "VAT that cannot be recovered"


# --- the draws file -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["draws.csv", "draws.parquet"])
def test_draws_file_round_trip_recomputes_the_decision(tmp_path: Path, name):
    inputs, nps = _random_draws(n=3000)
    path = write_draws(tmp_path / "out" / name, inputs, nps, seed=20150401)
    assert [p.name for p in path.parent.iterdir()] == [name]  # no temporary file left behind
    back_in, back_nps = read_draws(path)
    assert list(back_nps.columns) == list(nps.columns)
    assert list(back_in.columns) == list(inputs.columns)
    np.testing.assert_array_equal(back_nps.to_numpy(), nps.to_numpy())
    np.testing.assert_array_equal(back_in.to_numpy(), inputs.to_numpy())
    assert list(back_nps.index) == list(range(3000))
    groups = {"levers": ["project.demand", "mutual.pension_rate_change"]}
    assert decision_from_draws(path, groups=groups) == summary(nps, inputs, groups)
    assert read_seed(path) == (20150401 if name.endswith(".parquet") else None)


def test_draws_file_is_replaced_atomically_and_checks_names(tmp_path: Path):
    inputs, nps = _random_draws(n=50)
    path = tmp_path / "d.csv"
    path.write_text("old")
    write_draws(path, inputs, nps)
    assert pd.read_csv(path).columns[0] == "draw" and len(pd.read_csv(path)) == 50
    with pytest.raises(DataFileError, match="d.xlsx"):
        write_draws(tmp_path / "d.xlsx", inputs, nps)
    with pytest.raises(DDAnalysisError, match="mutual"):
        write_draws(tmp_path / "e.csv", inputs.rename(columns={"project.demand": "mutual"}), nps)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.csv"]
    # explicit option columns for a CSV whose option ids are not told apart by the dot rule
    back_in, back_nps = read_draws(path, options=["mutual", "trust"])
    assert list(back_nps.columns) == ["mutual", "trust"] and "in-house" in back_in.columns
    with pytest.raises(UnknownKeyError, match="nope"):
        read_draws(path, options=["nope"])
    with pytest.raises(DataFileError, match="missing.csv"):
        read_draws(tmp_path / "missing.csv")
    broken = tmp_path / "broken.csv"
    broken.write_text("draw,project.demand,mutual\n0,0.5,12\n1,n/a,13\n")
    with pytest.raises(DataFileError, match="project.demand"):
        read_draws(broken)


def test_saltelli_design_is_salibs():
    from SALib.sample import sobol as sobol_sample

    from ddanalysis.sobol import saltelli_sample

    problem = {"num_vars": 4, "names": list("abcd"), "bounds": [[0.0, 1.0]] * 4}
    ours = saltelli_sample(4, 64, seed=3)
    theirs = sobol_sample.sample(problem, 64, calc_second_order=False, scramble=True, seed=3)
    np.testing.assert_array_equal(ours, theirs)


def test_pert_inverse_cdf_matches_scipy():
    from scipy.stats import beta

    u = np.linspace(0.001, 0.999, 999)
    got = pert_ppf(-0.2, 0.05, 0.2)(u)
    a, b = 1 + 4 * 0.25 / 0.4, 1 + 4 * 0.15 / 0.4
    np.testing.assert_allclose(got, -0.2 + 0.4 * beta.ppf(u, a, b), atol=1e-5 * 0.4)
    assert pert_ppf(1.0, 1.0, 1.0)(u).tolist() == [1.0] * len(u)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        float,
        st.tuples(st.integers(1, 30), st.integers(1, 5)),
        elements=st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, -2)),
    )
)
def test_decision_measures_properties(values):
    """Probability best sums to 1 and does not depend on the columns' order; EVPI >= 0; the
    acceptability curve's p_best at each threshold sums to the share of draws in which some option
    reaches it."""
    nps = pd.DataFrame(values, columns=[f"o{j}" for j in range(values.shape[1])])
    p = probability_best(nps)
    assert p.sum() == pytest.approx(1.0) and (p >= 0).all()
    flipped = probability_best(nps[nps.columns[::-1]])
    assert flipped[p.index].to_numpy() == pytest.approx(p.to_numpy())
    assert evpi(nps) >= 0
    th = np.unique(np.concatenate([[0.0], values.ravel()]))
    curve = acceptability(nps, th)
    sums = curve.groupby("threshold_gbp")["p_best"].sum()
    assert sums.to_numpy() == pytest.approx([(values.max(axis=1) >= t).mean() for t in sums.index])
