"""Multi-criteria analysis engine: weighted totals, ranks, weight checks and rank stability.

Expected values are worked out by hand in the comments (or from a closed-form probability), never
taken from the code's own output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddanalysis import mca
from ddanalysis.errors import DDAnalysisError, UnknownKeyError


def long_scores(table: dict[str, dict[str, float]]) -> pd.DataFrame:
    """{option: {criterion: score}} -> the long frame the engine takes."""
    return pd.DataFrame(
        [
            {"option": o, "criterion": c, "score": s, "rationale": f"{o} on {c}"}
            for o, row in table.items()
            for c, s in row.items()
        ]
    )


# Two options, three criteria, weights 0.5 / 0.3 / 0.2:
#   A: 0.5*8 + 0.3*4 + 0.2*6 = 4.0 + 1.2 + 1.2 = 6.4
#   B: 0.5*5 + 0.3*9 + 0.2*7 = 2.5 + 2.7 + 1.4 = 6.6   -> B ranks 1, A ranks 2
SMALL = {"A": {"c1": 8, "c2": 4, "c3": 6}, "B": {"c1": 5, "c2": 9, "c3": 7}}
WEIGHTS = {"c1": 0.5, "c2": 0.3, "c3": 0.2}


def test_hand_computed_weighted_totals_and_ranks():
    out = mca.weighted_totals(long_scores(SMALL), WEIGHTS)
    assert list(out.columns) == ["option", "weighted_score", "rank"]
    assert list(out["option"]) == ["B", "A"]  # best first
    got = out.set_index("option")
    assert got.loc["A", "weighted_score"] == pytest.approx(6.4, abs=1e-12)
    assert got.loc["B", "weighted_score"] == pytest.approx(6.6, abs=1e-12)
    assert got.loc["B", "rank"] == 1 and got.loc["A", "rank"] == 2


def test_ties_share_the_best_rank_even_with_float_noise():
    # C: 0.5*6 + 0.3*8 + 0.2*6 = 3.0 + 2.4 + 1.2 = 6.6, equal to B (in floating point the two sums
    # differ in the 16th digit); ranks by pandas' 'min' method: B 1, C 1, A 3.
    table = dict(SMALL, C={"c1": 6, "c2": 8, "c3": 6})
    got = mca.weighted_totals(long_scores(table), WEIGHTS).set_index("option")["rank"]
    assert got.to_dict() == {"B": 1, "C": 1, "A": 3}


def test_series_weights_are_accepted_and_order_does_not_matter():
    weights = pd.Series({"c3": 0.2, "c1": 0.5, "c2": 0.3})
    got = mca.weighted_totals(long_scores(SMALL), weights).set_index("option")["weighted_score"]
    assert got["A"] == pytest.approx(6.4) and got["B"] == pytest.approx(6.6)


def test_changing_weights_changes_the_ranking():
    # All weight on c1: A scores 8, B scores 5 -> A first.
    out = mca.weighted_totals(long_scores(SMALL), {"c1": 1.0, "c2": 0.0, "c3": 0.0})
    assert list(out["option"]) == ["A", "B"] and list(out["rank"]) == [1, 2]


def test_weights_not_summing_to_one_are_rejected_naming_the_keys():
    with pytest.raises(DDAnalysisError) as info:
        mca.weighted_totals(long_scores(SMALL), {"c1": 0.5, "c2": 0.3, "c3": 0.3})
    message = str(info.value)
    assert "sum to 1.1" in message and "c3=0.3" in message and "normalise" in message


@pytest.mark.parametrize(
    "weights, key, error",
    [
        ({"c1": 0.5, "c2": 0.5}, "c3", DDAnalysisError),  # missing
        ({"c1": 0.7, "c2": 0.5, "c3": -0.2}, "c3", DDAnalysisError),  # negative
        ({"c1": 0.5, "c2": 0.3, "c3": 0.2, "cost": 0.0}, "cost", UnknownKeyError),  # unknown
        ({"c1": 0.5, "c2": float("nan"), "c3": 0.2}, "c2", DDAnalysisError),  # not a number
    ],
)
def test_bad_weights_are_rejected_naming_the_offending_key(weights, key, error):
    with pytest.raises(error, match=repr(key)):
        mca.weighted_totals(long_scores(SMALL), weights)


def test_normalise_rescales_points_to_shares():
    # 50 / 30 / 20 points out of 100 -> 0.5 / 0.3 / 0.2
    got = mca.normalise({"c1": 50, "c2": 30, "c3": 20})
    assert got.to_dict() == pytest.approx(WEIGHTS)
    assert mca.weighted_totals(long_scores(SMALL), got).iloc[0]["option"] == "B"
    with pytest.raises(DDAnalysisError, match="at least one must be positive"):
        mca.normalise({"c1": 0, "c2": 0})
    with pytest.raises(DDAnalysisError, match="'c2'"):
        mca.normalise({"c1": 1, "c2": -1})


def test_incomplete_or_out_of_range_scores_are_rejected():
    bad = long_scores(SMALL)
    with pytest.raises(DDAnalysisError, match="A.c2"):
        mca.weighted_totals(bad.drop(index=1), WEIGHTS)
    bad.loc[0, "score"] = 11
    with pytest.raises(DDAnalysisError, match="A.c1.*0 to 10"):
        mca.weighted_totals(bad, WEIGHTS)


def test_inputs_are_not_mutated():
    scores = long_scores(SMALL)
    before = scores.copy()
    weights = pd.Series(WEIGHTS)
    mca.weighted_totals(scores, weights)
    mca.rank_stability(scores, weights, draws=50)
    pd.testing.assert_frame_equal(scores, before)
    assert weights.to_dict() == WEIGHTS


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    n_options=st.integers(1, 6),
    n_criteria=st.integers(1, 8),
)
def test_totals_of_weights_summing_to_one_lie_in_0_10_and_between_each_options_extremes(data, n_options, n_criteria):
    criteria = [f"k{i}" for i in range(n_criteria)]
    table = {f"o{j}": {c: data.draw(st.floats(0, 10, allow_nan=False)) for c in criteria} for j in range(n_options)}
    raw = {c: data.draw(st.floats(0, 100, allow_nan=False)) for c in criteria}
    if sum(raw.values()) == 0:
        raw[criteria[0]] = 1.0
    weights = mca.normalise(raw)
    out = mca.weighted_totals(long_scores(table), weights).set_index("option")
    assert out["weighted_score"].between(0, 10).all()
    for option, row in table.items():
        # a weighted average with non-negative weights summing to 1 lies between the min and max score
        assert min(row.values()) - 1e-9 <= out.loc[option, "weighted_score"] <= max(row.values()) + 1e-9
    assert out["rank"].min() == 1 and (out["rank"] <= n_options).all()


# --- rank stability -----------------------------------------------------------------------------


def test_rank_stability_is_reproducible_with_the_same_seed():
    scores = long_scores(SMALL)
    first = mca.rank_stability(scores, WEIGHTS, draws=500, seed=7)
    again = mca.rank_stability(scores, WEIGHTS, draws=500, seed=7)
    pd.testing.assert_frame_equal(first, again)
    assert list(first.columns) == ["option", "share_first", "mean_rank", "share_clears_status_quo"]
    assert first["share_clears_status_quo"].isna().all()  # no status quo among A and B
    assert first["share_first"].sum() == pytest.approx(1.0)
    other = mca.rank_stability(scores, WEIGHTS, draws=500, seed=8)
    assert not first.equals(other)  # a near-tie (6.4 v 6.6) moves with the draws


def test_an_option_dominating_on_every_criterion_is_first_in_every_draw():
    table = {
        "best": {"c1": 9, "c2": 8, "c3": 7},
        "mid": {"c1": 8, "c2": 7, "c3": 6},
        "low": {"c1": 1, "c2": 2, "c3": 3},
    }
    got = mca.rank_stability(long_scores(table), WEIGHTS, draws=1000, concentration=1.0).set_index("option")
    assert got.loc["best", "share_first"] == 1.0 and got.loc["best", "mean_rank"] == 1.0
    assert got.loc["mid", "share_first"] == 0.0 and got.loc["mid", "mean_rank"] == 2.0


def test_ties_for_first_split_the_draw():
    table = {"x": {"c1": 5, "c2": 6, "c3": 7}, "y": {"c1": 5, "c2": 6, "c3": 7}, "z": {"c1": 0, "c2": 0, "c3": 0}}
    got = mca.rank_stability(long_scores(table), WEIGHTS, draws=200).set_index("option")
    assert got.loc["x", "share_first"] == 0.5 and got.loc["y", "share_first"] == 0.5
    assert got.loc["x", "mean_rank"] == 1.0 and got.loc["z", "mean_rank"] == 3.0


def test_zero_weights_stay_zero_in_every_draw():
    # 'sly' beats 'steady' only on c3. If c3 ever got a weight above about 0.0101 (0.1 / 9.9)
    # 'sly' would win that draw; with c3's weight 0 it never can.
    table = {"steady": {"c1": 6, "c2": 6, "c3": 0}, "sly": {"c1": 5.9, "c2": 5.9, "c3": 10}}
    got = mca.rank_stability(long_scores(table), {"c1": 0.5, "c2": 0.5, "c3": 0.0}, draws=2000, concentration=0.5)
    assert got.set_index("option").loc["sly", "share_first"] == 0.0


def test_share_first_matches_the_dirichlet_probability_worked_by_hand():
    # Two criteria, weights 0.7 / 0.3, concentration 10 -> alpha = (7, 3), so w1 ~ Beta(7, 3).
    # 'a' scores (10, 0) and 'b' (0, 10): 'a' wins when w1 > 0.5.
    # For whole-number a, b: P(Beta(a, b) <= x) = P(Binomial(a + b - 1, x) >= a), so
    # P(w1 <= 0.5) = P(Bin(9, 0.5) >= 7) = (C(9,7) + C(9,8) + C(9,9)) / 2**9 = (36 + 9 + 1) / 512 = 46/512,
    # and P(a first) = 1 - 46/512 = 466/512 = 0.91016. Sampling s.e. with 20,000 draws is about 0.002.
    table = {"a": {"c1": 10, "c2": 0}, "b": {"c1": 0, "c2": 10}}
    got = mca.rank_stability(long_scores(table), {"c1": 0.7, "c2": 0.3}, draws=20_000, concentration=10.0)
    share = got.set_index("option")["share_first"]
    assert share["a"] == pytest.approx(466 / 512, abs=0.01)
    assert share["b"] == pytest.approx(46 / 512, abs=0.01)


def test_higher_concentration_keeps_weights_closer_to_the_given_ones():
    # At the given weights B wins (6.6 v 6.4); with weights held tight, B wins nearly every draw.
    scores = long_scores(SMALL)
    loose = mca.rank_stability(scores, WEIGHTS, draws=2000, concentration=5.0).set_index("option")
    tight = mca.rank_stability(scores, WEIGHTS, draws=2000, concentration=5000.0).set_index("option")
    assert tight.loc["B", "share_first"] > 0.95
    assert loose.loc["B", "share_first"] < tight.loc["B", "share_first"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"draws": 0}, "draws"),
        ({"draws": 2.5}, "draws"),
        ({"concentration": 0.0}, "concentration"),
        ({"concentration": float("inf")}, "concentration"),
    ],
)
def test_rank_stability_rejects_bad_settings(kwargs, match):
    with pytest.raises(DDAnalysisError, match=match):
        mca.rank_stability(long_scores(SMALL), WEIGHTS, **kwargs)


def test_rank_stability_checks_weights_like_weighted_totals():
    with pytest.raises(DDAnalysisError, match="sum to"):
        mca.rank_stability(long_scores(SMALL), {"c1": 0.6, "c2": 0.6, "c3": 0.2})


def test_mean_rank_is_consistent_with_share_first():
    # Every option's mean rank is at least 1, and the ranks of n options average (n + 1) / 2 when
    # there are no ties: here 3 options -> mean of the mean ranks = 2.
    table = {"p": {"c1": 9, "c2": 1, "c3": 5}, "q": {"c1": 1, "c2": 9, "c3": 5}, "r": {"c1": 5, "c2": 5, "c3": 4.9}}
    got = mca.rank_stability(long_scores(table), WEIGHTS, draws=3000, concentration=3.0)
    assert (got["mean_rank"] >= 1).all()
    assert got["mean_rank"].mean() == pytest.approx(2.0, abs=1e-3)
    assert math.isclose(got["share_first"].sum(), 1.0)
    assert np.all(got["share_first"].between(0, 1))


def test_how_often_each_option_clears_the_status_quo_when_the_weights_move():
    """Test (c) of the rule under moving weights. Two criteria weighted 0.5 / 0.5 with concentration 50 draw the
    first weight w from Beta(25, 25), symmetric about 0.5. The status quo scores 5 on both (total 5 for any
    w). "even" scores 9 and 1: 9w + 1(1 - w) = 1 + 8w >= 5 exactly when w >= 0.5, so in half the draws
    (binomial standard error over 20,000 draws sqrt(0.25 / 20,000) = 0.0035; allow 4 of them). "above" scores
    6 and 6, always above; "below" 4 and 4, never; the status quo always equals itself."""
    table = {
        "in-house": {"c1": 5, "c2": 5},
        "even": {"c1": 9, "c2": 1},
        "above": {"c1": 6, "c2": 6},
        "below": {"c1": 4, "c2": 4},
    }
    got = mca.rank_stability(long_scores(table), {"c1": 0.5, "c2": 0.5}, draws=20_000, concentration=50.0)
    share = got.set_index("option")["share_clears_status_quo"]
    assert share["even"] == pytest.approx(0.5, abs=0.014)
    assert (share["above"], share["below"], share["in-house"]) == (1.0, 0.0, 1.0)


def test_rule_choice_set_is_test_c_of_the_rule():
    """Test (c): an option may be recommended only if its weighted score is at least the status quo's.
    By hand: the status quo scores 5.0; 'a' 6.0 and 'tie' 5.0 clear it, 'b' 4.99 does not; 'unscored' has
    no score and is kept (nothing to test it on); the status quo is always a choice; the order is the
    options' own. Without a status-quo score every option is kept."""
    scores = {"in-house": 5.0, "a": 6.0, "b": 4.99, "tie": 5.0}
    options = ["b", "a", "in-house", "unscored", "tie"]
    assert mca.rule_choice_set(scores, options) == ["a", "in-house", "unscored", "tie"]
    assert mca.rule_choice_set({"a": 1.0, "b": 9.0}, ["a", "b"]) == ["a", "b"]
