"""Rank correlations between outcome quantities (``outcome_correlations`` in ``correlations.yaml``).

Checked: unknown keys and inconsistent coefficients are errors naming the file, the key or the pairs;
the declared Spearman coefficient holds in the draws (the sample rank correlation of 20,000 draws has a
standard error of about (1 - r^2) / sqrt(n) = 0.36 / 141 = 0.0025, so 0.02 is a wide margin); a key in no
pair draws exactly as it did independently; value-of-information groups can name outcome quantities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from ddanalysis import public_value as pv
from ddanalysis.assumptions import load_book
from ddanalysis.deciding import correlation_groups, decision_measures
from ddanalysis.errors import DataFileError
from ddanalysis.sampling import Correlations, Marginal, parse_outcome_correlations, sample, sample_named

KEYS = ["incidents/mutual.effect", "incidents/project.deadweight", "incidents/project.cohort"]


def _raw(pairs):
    return {
        "outcome_correlations": {
            "together": {
                "basis": "judgement",
                "source": "team-judgement",
                "rationale": "Test: a service that reaches more people also reaches those it helps less.",
                "pairs": pairs,
            }
        }
    }


def _parse(pairs, keys=KEYS):
    return parse_outcome_correlations(_raw(pairs), "correlations.yaml", keys, load_book(None).sources)


def test_an_unknown_outcome_key_names_the_file_and_the_key():
    with pytest.raises(
        DataFileError,
        match=r"(?s)correlations\.yaml.*outcome_correlations\.together.*"
        r"'incidents/mutual\.efect'",
    ):
        _parse([["incidents/mutual.efect", "incidents/project.deadweight", 0.5]])


def test_pairs_that_cannot_hold_at_once_are_named():
    """a ~ b = 0.9 and a ~ c = 0.9 force b and c close together; b ~ c = -0.9 cannot hold with them
    (the 3 x 3 matrix has a negative eigenvalue), so all three pairs are named."""
    a, b, c = KEYS
    with pytest.raises(DataFileError, match=r"not positive semi-definite") as err:
        _parse([[a, b, 0.9], [a, c, 0.9], [b, c, -0.9]])
    for x, y in ((a, b), (a, c), (b, c)):
        assert f"{min(x, y)} ~ {max(x, y)}" in str(err.value)


def test_the_declared_rank_correlation_holds_and_other_keys_draw_as_before():
    corr = _parse([["incidents/mutual.effect", "incidents/project.cohort", 0.8]])
    marginals = {
        ("incidents/mutual", "effect"): Marginal(0.05, 0.1, 0.2),
        ("incidents/project", "cohort"): Marginal(1200, 1500, 1800),
        ("incidents/project", "deadweight"): Marginal(0.2, 0.3, 0.4),
    }
    draws = sample_named(marginals, 20_000, 7, corr)
    rho = spearmanr(draws["incidents/mutual.effect"], draws["incidents/project.cohort"])[0]
    assert rho == pytest.approx(0.8, abs=0.02)
    alone = sample(marginals, 20_000, 7, Correlations.none())
    np.testing.assert_array_equal(draws["incidents/project.deadweight"], alone["incidents/project.deadweight"])
    assert draws["incidents/mutual.effect"].between(0.05, 0.2).all()


def test_the_bundled_file_declares_only_known_outcome_keys():
    from ddanalysis.sampling import load_outcome_correlations

    keys = pv.bundled_outcome_keys()
    assert "repeat-victimisation/outsourcing.effect" in keys
    load_outcome_correlations(keys)  # raises on an unknown key


def test_value_of_information_groups_can_name_outcome_keys():
    """A group of two outcome quantities is reported as ``group:together`` with exactly its two columns;
    a column of the cost model is not in it."""
    corr = _parse([["incidents/mutual.effect", "incidents/project.cohort", 0.8]])
    cols = ["mutual.staff_cost_change", *KEYS]
    assert correlation_groups(cols, corr) == {"together": ["incidents/mutual.effect", "incidents/project.cohort"]}
    rng = np.random.default_rng(1)
    inputs = pd.DataFrame({c: rng.uniform(size=400) for c in cols})
    nps = pd.DataFrame({"in-house": np.zeros(400), "mutual": inputs["incidents/mutual.effect"] - 0.5})
    m = decision_measures(nps, inputs, correlations=corr, with_failure_rules=False)
    assert "group:together" in set(m.evppi["key"])
