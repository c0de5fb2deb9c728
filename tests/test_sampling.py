"""The correlated sampler (M4): PERT inverse CDF, common random numbers, declared rank
correlations (Gaussian copula), the correlations file and its validation.

Expected values are worked out by hand in each docstring (PERT algebra, the Beta CDF in closed
form, Pearson's relation between normal and rank correlation), never taken from the code's output.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ddanalysis.errors import DataFileError
from ddanalysis.sampling import (
    CorrelationGroup,
    Correlations,
    Marginal,
    SharedQuantity,
    load_correlations,
    normal_cdf,
    normal_scores,
    pert_from_normal,
    pert_mean,
    pert_ppf,
    sample,
    spearman,
    spearman_to_normal,
    uniforms,
)

REPO = Path(__file__).resolve().parents[1]
N = 100_000
TOL_RHO = 0.02  # the tolerance on Spearman coefficients at 100,000 draws (about 6 standard errors)

LEVERS = [
    "staff_cost_change",
    "procurement_saving",
    "pension_rate_change",
    "transition_pensions",
    "new_income_share",
    "grant_income_share",
    "redundancy_cost_per_fte",
]
PROJECT_KEYS = ["demand_growth", "real_pay_growth"]
SOURCES = {"team-judgement": {}, "lgps-2013-admission": {}}


def _shared(*keys: str) -> dict[str, SharedQuantity]:
    return {k: SharedQuantity(k, "judgement", "team-judgement", "one real quantity") for k in keys}


def _group(*pairs: tuple[str, str, float]) -> tuple[CorrelationGroup, ...]:
    return (CorrelationGroup("g", "judgement", "team-judgement", "test", tuple(pairs)),)


def _parse(raw, path="correlations.yaml"):
    from ddanalysis.sampling import parse_correlations

    return parse_correlations(raw, path, LEVERS, PROJECT_KEYS, SOURCES)


# ---- the PERT and the normal CDF ---------------------------------------------------------------


def test_pert_ppf_matches_the_closed_form_beta_quantiles():
    """PERT(low, mode, high) is low + (high - low) Beta(a, b), a = 1 + 4 (mode - low)/(high - low), b = 6 - a.

    - mode = low: a = 1, b = 5, CDF F(x) = 1 - (1 - x)^5, so the quantile is x = 1 - (1 - u)^(1/5);
      at u = 0.5 that is 1 - 0.5^0.2 = 1 - 0.870551 = 0.129449.
    - mode = high: a = 5, b = 1, F(x) = x^5, quantile u^(1/5); at u = 0.5, 0.870551.
    - mode in the middle: a = b = 3, F(x) = 10x^3 - 15x^4 + 6x^5 (the regularised incomplete beta
      I_x(3, 3)); so pert_ppf(F(x)) must give back x. The median is the mode, 0.5.
    The table is exact to 1/8192 of the range: tolerance 2e-4.
    """
    u = np.linspace(0.001, 0.999, 999)
    assert np.allclose(pert_ppf(u, 0.0, 0.0, 1.0), 1.0 - (1.0 - u) ** 0.2, atol=2e-4)
    assert np.allclose(pert_ppf(u, 0.0, 1.0, 1.0), u**0.2, atol=2e-4)
    assert float(pert_ppf(0.5, 0.0, 0.0, 1.0)) == pytest.approx(0.129449, abs=2e-4)
    x = np.linspace(0.01, 0.99, 99)
    F = 10 * x**3 - 15 * x**4 + 6 * x**5
    assert np.allclose(pert_ppf(F, 0.0, 0.5, 1.0), x, atol=2e-4)
    # scaled: PERT(10, 20, 30) is 10 + 20 Beta(3, 3): median 20
    assert float(pert_ppf(0.5, 10.0, 20.0, 30.0)) == pytest.approx(20.0, abs=20 * 2e-4)
    assert (pert_ppf(u, 0.5, 0.5, 0.5) == 0.5).all()


def test_normal_cdf_and_the_normal_score_table():
    """Phi(0) = 0.5, Phi(1.959964) = 0.975, Phi(-1) = 0.158655 (standard tables).

    pert_from_normal(z) is the PERT quantile at Phi(z): compared with pert_ppf(normal_cdf(z)).
    """
    assert float(normal_cdf(np.array(0.0))) == pytest.approx(0.5, abs=1e-9)
    assert float(normal_cdf(np.array(1.959964))) == pytest.approx(0.975, abs=1e-6)
    assert float(normal_cdf(np.array(-1.0))) == pytest.approx(0.158655, abs=1e-6)
    z = np.random.default_rng(0).standard_normal(50_000)
    for low, mode, high in [(0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (-0.1, -0.07, -0.03), (15_000, 22_000, 35_000)]:
        a = pert_from_normal(z, low, mode, high)
        b = pert_ppf(normal_cdf(z), low, mode, high)
        assert np.abs(a - b).max() <= 1e-5 * (high - low)
        assert a.min() >= low and a.max() <= high


def test_spearman_to_normal_score_correlation():
    """Gaussian copula: r = 2 sin(pi rho_s / 6). rho_s = 0.5: 2 sin(pi/12) = 2 x 0.258819 = 0.517638;
    rho_s = 1: 2 sin(pi/6) = 1; rho_s = 0: 0."""
    assert float(spearman_to_normal(0.5)) == pytest.approx(0.517638, abs=1e-6)
    assert float(spearman_to_normal(1.0)) == pytest.approx(1.0)
    assert float(spearman_to_normal(-0.3)) == pytest.approx(-2 * math.sin(math.pi * 0.3 / 6))


# ---- the sampler ---------------------------------------------------------------------------------

MARGINALS = {
    ("project", "demand_growth"): Marginal(0.0, 0.01, 0.02),
    ("mutual", "staff_cost_change"): Marginal(-0.10, -0.07, -0.03),
    ("mutual", "procurement_saving"): Marginal(0.01, 0.03, 0.05),
    ("mutual", "pension_rate_change"): Marginal(0.0, 0.02, 0.05),
    ("mutual", "transition_pensions"): Marginal(30.0, 50.0, 100.0),
    ("mutual", "new_income_share"): Marginal(0.01, 0.03, 0.08),
    ("trading-company", "staff_cost_change"): Marginal(-0.08, -0.05, -0.02),
    ("trading-company", "pension_rate_change"): Marginal(0.0, 0.01, 0.03),
    ("trading-company", "transition_pensions"): Marginal(20.0, 40.0, 80.0),
    ("trading-company", "new_income_share"): Marginal(0.02, 0.05, 0.15),
    ("trading-company", "redundancy_cost_per_fte"): Marginal(15_000, 22_000, 35_000),
    ("mutual", "redundancy_cost_per_fte"): Marginal(15_000, 22_000, 35_000),
    ("mutual", "double_running_months"): Marginal(2.0, 2.0, 2.0),  # constant
}


@pytest.fixture(scope="module")
def independent():
    return sample(MARGINALS, N, 12345, Correlations.none())


def _rho(frame, a: str, b: str) -> float:
    return spearman(frame[a].to_numpy(), frame[b].to_numpy())


def test_without_correlations_draws_are_independent_with_the_pert_marginals(independent):
    """Correlations.none(): every pair of varying columns has Spearman within 0.02 of 0 at 100,000
    draws, and each column's mean is the PERT mean (low + 4 mode + high) / 6, e.g. the mutual's staff
    cost change (-0.10 - 0.28 - 0.03) / 6 = -0.068333, redundancy cost (15,000 + 88,000 + 35,000) / 6
    = 23,000. The mean's standard error is sd / sqrt(N) with sd <= (high - low) / 6 for a PERT, so
    a tolerance of (high - low) / 300 is over 5 standard errors."""
    cols = [c for c in independent.columns if independent[c].std() > 0]
    assert len(cols) == len(MARGINALS) - 1
    for i, a in enumerate(cols):
        for b in cols[i + 1 :]:
            assert abs(_rho(independent, a, b)) < TOL_RHO, (a, b)
    for (scope, key), m in MARGINALS.items():
        col = independent[f"{scope}.{key}"]
        assert col.min() >= m.low and col.max() <= m.high
        assert col.mean() == pytest.approx(pert_mean(m.low, m.mode, m.high), abs=(m.high - m.low) / 300 + 1e-12)
    assert independent["mutual.staff_cost_change"].mean() == pytest.approx(-0.068333, abs=0.1 / 300 + 1e-6)
    assert independent["mutual.redundancy_cost_per_fte"].mean() == pytest.approx(23_000, abs=20_000 / 300)
    assert (independent["mutual.double_running_months"] == 2.0).all()


def test_zero_coefficients_give_exactly_the_independent_draws(independent):
    """With every declared coefficient 0 (and no shared quantity) the copula's matrix is the identity,
    its Cholesky factor too, so each key keeps its own normal score: the draws are those of
    Correlations.none(), the same keys with the same marginals, to the last bit."""
    zero = Correlations(
        {},
        _group(
            ("staff_cost_change", "procurement_saving", 0.0),
            ("pension_rate_change", "transition_pensions", 0.0),
            ("project.demand_growth", "staff_cost_change", 0.0),
        ),
    )
    d = sample(MARGINALS, N, 12345, zero)
    assert list(d.columns) == list(independent.columns)
    np.testing.assert_array_equal(d.to_numpy(), independent.to_numpy())


def test_declared_rank_correlations_hold_within_each_option_and_keep_the_marginals(independent):
    """Declared: staff_cost_change ~ procurement_saving -0.3, pension_rate_change ~ transition_pensions
    +0.5, project.demand_growth ~ new_income_share +0.4. Each holds within every option that has
    both keys (Spearman within 0.02). Marginals are unchanged: every column's quantiles (5% .. 95%)
    match the independent draws' within 1% of its range (both are the same PERT)."""
    corr = Correlations(
        {},
        _group(
            ("staff_cost_change", "procurement_saving", -0.3),
            ("pension_rate_change", "transition_pensions", 0.5),
            ("project.demand_growth", "new_income_share", 0.4),
        ),
    )
    d = sample(MARGINALS, N, 12345, corr)
    assert _rho(d, "mutual.staff_cost_change", "mutual.procurement_saving") == pytest.approx(-0.3, abs=TOL_RHO)
    for scope in ("mutual", "trading-company"):
        assert _rho(d, f"{scope}.pension_rate_change", f"{scope}.transition_pensions") == pytest.approx(
            0.5, abs=TOL_RHO
        )
        assert _rho(d, "project.demand_growth", f"{scope}.new_income_share") == pytest.approx(0.4, abs=TOL_RHO)
    # undeclared: independent
    assert abs(_rho(d, "mutual.staff_cost_change", "mutual.pension_rate_change")) < TOL_RHO
    assert abs(_rho(d, "mutual.staff_cost_change", "trading-company.staff_cost_change")) < TOL_RHO
    q = np.linspace(0.05, 0.95, 19)
    for (scope, key), m in MARGINALS.items():
        c = f"{scope}.{key}"
        assert np.allclose(
            np.quantile(d[c], q), np.quantile(independent[c], q), atol=0.01 * (m.high - m.low) + 1e-12
        ), c


def test_a_shared_quantity_takes_one_random_number_that_each_option_maps_through_its_own_range():
    """pension_rate_change shared: both options' draws have the same uniform u, so the same ranks
    (Spearman exactly 1) while each keeps its own PERT: mutual PERT(0, 0.02, 0.05), mean
    (0 + 0.08 + 0.05)/6 = 0.021667; trading company PERT(0, 0.01, 0.03), mean (0 + 0.04 + 0.03)/6
    = 0.011667. Each value is that option's own quantile at the common u."""
    corr = Correlations(_shared("pension_rate_change", "redundancy_cost_per_fte"), ())
    d = sample(MARGINALS, N, 7, corr)
    a, b = d["mutual.pension_rate_change"].to_numpy(), d["trading-company.pension_rate_change"].to_numpy()
    assert spearman(a, b) == pytest.approx(1.0, abs=1e-12)
    assert a.mean() == pytest.approx(0.021667, abs=0.05 / 300)
    assert b.mean() == pytest.approx(0.011667, abs=0.03 / 300)
    u = uniforms([("mutual", "pension_rate_change"), ("trading-company", "pension_rate_change")], N, 7, corr)
    np.testing.assert_array_equal(u[("mutual", "pension_rate_change")], u[("trading-company", "pension_rate_change")])
    np.testing.assert_allclose(a, pert_ppf(u[("mutual", "pension_rate_change")], 0.0, 0.02, 0.05), atol=0.05 * 1e-4)
    np.testing.assert_allclose(b, pert_ppf(u[("mutual", "pension_rate_change")], 0.0, 0.01, 0.03), atol=0.03 * 1e-4)
    # identical ranges: identical draws
    np.testing.assert_array_equal(d["mutual.redundancy_cost_per_fte"], d["trading-company.redundancy_cost_per_fte"])
    # other keys stay independent across options
    assert abs(_rho(d, "mutual.staff_cost_change", "trading-company.staff_cost_change")) < TOL_RHO


def test_a_lever_correlated_with_a_shared_quantity_is_linked_across_options_only_through_it():
    """pension_rate_change shared, correlated 0.5 (Spearman) with transition_pensions.

    Within an option: Spearman 0.5. Across options, the two options' transition_pensions are
    independent given the shared rate, so their normal scores correlate r^2 with r = 2 sin(pi 0.5 / 6)
    = 0.517638: r^2 = 0.267949; as a Spearman coefficient (6 / pi) asin(r^2 / 2) = (6 / pi) x
    asin(0.133975) = (6 / pi) x 0.134378 = 0.256633. The mutual's transition_pensions against the
    trading company's pension rate: 0.5 as well (the rate is the same random number)."""
    corr = Correlations(_shared("pension_rate_change"), _group(("pension_rate_change", "transition_pensions", 0.5)))
    d = sample(MARGINALS, N, 99, corr)
    for s in ("mutual", "trading-company"):
        assert _rho(d, f"{s}.pension_rate_change", f"{s}.transition_pensions") == pytest.approx(0.5, abs=TOL_RHO)
    assert _rho(d, "mutual.transition_pensions", "trading-company.pension_rate_change") == pytest.approx(
        0.5, abs=TOL_RHO
    )
    assert _rho(d, "mutual.transition_pensions", "trading-company.transition_pensions") == pytest.approx(
        0.256633, abs=TOL_RHO
    )


def test_common_random_numbers_narrow_the_spread_of_a_difference_between_options():
    """Two options with the same driver x, PERT(0, 0.5, 1) for option A and PERT(0.1, 0.6, 1.1) for B.

    PERT variance: (mean - low)(high - mean) / 7; for A, mean 0.5, variance 0.25 / 7 = 0.035714.
    Independent draws: var(A - B) = 2 x 0.035714 = 0.071429, sd 0.267261.
    Common random numbers: B = A + 0.1 in every draw (same u, the range shifted by 0.1), so
    A - B = -0.1 exactly, sd 0.
    """
    m = {("a", "x"): Marginal(0.0, 0.5, 1.0), ("b", "x"): Marginal(0.1, 0.6, 1.1)}
    ind = sample(m, N, 3, Correlations.none())
    crn = sample(m, N, 3, Correlations(_shared("x"), ()))
    diff_ind = ind["a.x"] - ind["b.x"]
    diff_crn = crn["a.x"] - crn["b.x"]
    assert diff_ind.std() == pytest.approx(0.267261, rel=0.02)
    assert diff_ind.mean() == pytest.approx(-0.1, abs=0.005)
    assert np.allclose(diff_crn, -0.1, atol=1e-9)


def test_an_options_draws_do_not_depend_on_the_other_options():
    """Each driver has its own stream (seed and name): dropping the trading company from the short
    list leaves every mutual draw as it was, with and without correlations."""
    corr = load_correlations()
    only_mutual = {k: v for k, v in MARGINALS.items() if k[0] != "trading-company"}
    for c in (corr, Correlations.none()):
        full = sample(MARGINALS, 2_000, 5, c)
        part = sample(only_mutual, 2_000, 5, c)
        for col in part.columns:
            np.testing.assert_array_equal(part[col], full[col])


_DIGEST_SCRIPT = """
import hashlib, sys
from ddanalysis.sampling import load_correlations, sample, Marginal
sys.path.insert(0, {tests!r})
from test_sampling import MARGINALS
d = sample(MARGINALS, 5000, 2015, load_correlations())
print(hashlib.sha256(d.to_numpy().tobytes()).hexdigest())
"""


def test_same_seed_same_draws_across_processes():
    """The draws depend on the seed and the drivers' names only (no hash randomisation, no global
    state): two fresh interpreters with different PYTHONHASHSEED give this process's bytes."""
    here = hashlib.sha256(sample(MARGINALS, 5000, 2015, load_correlations()).to_numpy().tobytes()).hexdigest()
    for hashseed in ("1", "987"):
        env = {**os.environ, "PYTHONHASHSEED": hashseed}
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST_SCRIPT.format(tests=str(REPO / "tests"))],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        )
        assert out.stdout.strip() == here
    other = hashlib.sha256(sample(MARGINALS, 5000, 2016, load_correlations()).to_numpy().tobytes()).hexdigest()
    assert other != here


def test_normal_scores_are_standard_normal_for_every_key():
    """Every key's normal score is N(0, 1) whatever the correlations (the copula only mixes them):
    mean 0 and sd 1 within 5 standard errors (1/sqrt(N) = 0.0032 and 1/sqrt(2N) = 0.0022)."""
    corr = Correlations(
        _shared("pension_rate_change"),
        _group(("pension_rate_change", "transition_pensions", 0.5), ("staff_cost_change", "procurement_saving", -0.3)),
    )
    z = normal_scores(list(MARGINALS), N, 11, corr)
    for k, v in z.items():
        assert abs(v.mean()) < 5 / math.sqrt(N), k
        assert v.std() == pytest.approx(1.0, abs=5 / math.sqrt(2 * N)), k


# ---- the correlations file ---------------------------------------------------------------------


def test_the_bundled_file_loads_with_a_rationale_for_every_entry():
    c = load_correlations()
    assert {
        "pension_rate_change",
        "stranded_overhead_share",
        "stranded_overhead_years",
        "redundancy_cost_per_fte",
    } <= set(c.shared)
    assert c.groups and all(g.rationale and g.basis in ("fact", "evidence", "judgement") and g.source for g in c.groups)
    assert all(s.rationale and s.source for s in c.shared.values())
    assert np.linalg.eigvalsh(c.matrix()).min() > 0
    assert c.path and c.path.endswith("correlations.yaml")


def test_a_matrix_that_is_not_positive_semi_definite_names_the_file_and_the_pairs():
    """a ~ b = 0.9, b ~ c = 0.9, a ~ c = -0.9 cannot hold together: in normal scores r = 2 sin(0.15 pi)
    = 0.907981, and for v = (1, -1, 1) v'Cv = 3 - 2(0.907981 x 3) = 3 - 5.447886 < 0. The error names
    the file and those three pairs, and not the unrelated consistent pair d ~ e."""
    raw = {
        "correlations": {
            "clash": {
                "basis": "judgement",
                "source": "team-judgement",
                "rationale": "test",
                "pairs": [
                    ["staff_cost_change", "procurement_saving", 0.9],
                    ["procurement_saving", "new_income_share", 0.9],
                    ["staff_cost_change", "new_income_share", -0.9],
                ],
            },
            "fine": {
                "basis": "judgement",
                "source": "team-judgement",
                "rationale": "test",
                "pairs": [["pension_rate_change", "transition_pensions", 0.5]],
            },
        }
    }
    with pytest.raises(DataFileError) as err:
        _parse(raw, "/data/my-correlations.yaml")
    msg = str(err.value)
    assert "/data/my-correlations.yaml" in msg and "positive semi-definite" in msg
    for pair in (
        "procurement_saving ~ staff_cost_change",
        "new_income_share ~ procurement_saving",
        "new_income_share ~ staff_cost_change",
    ):
        assert pair in msg
    assert "transition_pensions" not in msg and "clash" in msg


def test_a_non_psd_file_on_disk_fails_to_load(tmp_path):
    f = tmp_path / "correlations.yaml"
    f.write_text(
        "correlations:\n  g:\n    basis: judgement\n    source: team-judgement\n    rationale: x\n"
        "    members: [staff_cost_change, procurement_saving, new_income_share]\n    rank_correlation: -0.9\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="correlations.yaml.*not positive semi-definite"):
        load_correlations(f)


def test_unknown_keys_are_named_with_the_file_and_the_valid_keys():
    raw = {
        "shared_quantities": {"pension_rate": {"basis": "judgement", "source": "team-judgement", "rationale": "x"}},
        "correlations": {
            "g": {
                "basis": "judgement",
                "source": "team-judgement",
                "rationale": "x",
                "pairs": [
                    ["staff_cost_chnage", "procurement_saving", 0.3],
                    ["mutual.staff_cost_change", "procurement_saving", 0.3],
                ],
            }
        },
        "corelations": {},
    }
    with pytest.raises(DataFileError) as err:
        _parse(raw, "/x/correlations.yaml")
    msg = str(err.value)
    assert msg.startswith("/x/correlations.yaml: 4 problem(s)")
    assert "unknown assumption key 'staff_cost_chnage' (did you mean 'staff_cost_change'?)" in msg
    assert "valid keys: staff_cost_change, procurement_saving" in msg and "project.demand_growth" in msg
    assert "write the bare lever key 'staff_cost_change'" in msg
    assert "shared_quantities.pension_rate: unknown assumption key (did you mean 'pension_rate_change'?)" in msg
    assert "corelations: unknown section (did you mean 'correlations'?)" in msg


def test_other_file_problems_are_reported_together():
    raw = {
        "shared_quantities": {
            "project.demand_growth": {"basis": "judgement", "source": "team-judgement", "rationale": "x"},
            "redundancy_cost_per_fte": {"basis": "hunch", "source": "nowhere"},
        },
        "correlations": {
            "g": {
                "basis": "judgement",
                "source": "team-judgement",
                "rationale": "x",
                "pairs": [
                    ["staff_cost_change", "procurement_saving", 1.3],
                    ["staff_cost_change", "staff_cost_change", 0.3],
                    ["grant_income_share", "new_income_share", 0.3],
                    ["new_income_share", "grant_income_share", 0.2],
                    ["staff_cost_change", 0.3],
                ],
            }
        },
    }
    with pytest.raises(DataFileError) as err:
        _parse(raw)
    msg = str(err.value)
    assert "project-wide assumptions are one quantity already" in msg
    assert "shared_quantities.redundancy_cost_per_fte.basis: 'hunch'" in msg
    assert "'nowhere' is not in sources.yaml" in msg
    assert "shared_quantities.redundancy_cost_per_fte.rationale: missing" in msg
    assert "coefficient 1.3; expected a rank correlation in [-1, 1]" in msg
    assert "a key is not correlated with itself" in msg
    assert "declared again (first in correlations.g)" in msg
    assert "pairs[4]: expected [key, key, coefficient]" in msg


def test_members_with_one_coefficient_declare_every_pair():
    c = _parse(
        {
            "correlations": {
                "g": {
                    "basis": "evidence",
                    "source": "team-judgement",
                    "rationale": "x",
                    "members": ["staff_cost_change", "procurement_saving", "new_income_share"],
                    "rank_correlation": 0.2,
                }
            }
        }
    )
    assert c.pairs == {
        ("procurement_saving", "staff_cost_change"): 0.2,
        ("new_income_share", "staff_cost_change"): 0.2,
        ("new_income_share", "procurement_saving"): 0.2,
    }
    assert c.shared == {}
