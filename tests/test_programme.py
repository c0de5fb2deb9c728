"""The programme summary: every project's headline figures, appraised without the measures it never shows."""

from __future__ import annotations

import pandas as pd
import pytest

from ddanalysis import programme, registry
from ddanalysis.engine import appraise

DRAWS = 200  # few draws: the two ways of appraising draw the same numbers from the same seed
SEED = 7


def test_headline_results_leave_out_the_decision_measures_sensitivity_and_switching_values():
    """What ``headline_only`` drops: no decision measures, an empty one-way sensitivity, no switching
    values; the Monte Carlo draws (which the summary's P(net present saving > 0) comes from) are all there."""
    results = programme.programme_results(draws=DRAWS, seed=SEED, headline_only=True)
    assert list(results) == registry.project_ids()
    for pid, res in results.items():
        assert res.decision is None, pid
        assert res.sensitivity.empty, pid
        assert res.switching is None or res.switching.empty, pid
        assert len(res.mc_draws) == DRAWS, pid


@pytest.mark.slow
@pytest.mark.parametrize("perspective", ["council", "public", "social"])
def test_programme_summary_equals_the_summary_of_full_appraisals(perspective):
    """Every row of the programme summary is what the full appraisal of each project gives (the engine's
    own result with every measure, same scenario, perspective, draws and seed): leaving the measures out
    changes no figure of the summary, the recommendation and P(net present saving > 0) included."""
    full = {pid: appraise(pid, perspective=perspective, draws=DRAWS, seed=SEED) for pid in registry.project_ids()}
    expected = programme.summary_from_results(full)
    got = programme.programme_summary(perspective=perspective, draws=DRAWS, seed=SEED)
    pd.testing.assert_frame_equal(got, expected)


def test_headline_results_are_memoised_per_argument_set():
    """The same arguments give the very same result objects (nothing recomputed); another seed does not."""
    first = programme.programme_results(draws=DRAWS, seed=SEED, headline_only=True)
    again = programme.programme_results(draws=DRAWS, seed=SEED, headline_only=True)
    assert all(first[pid] is again[pid] for pid in first)
    other = programme.programme_results(draws=DRAWS, seed=SEED + 1, headline_only=True)
    assert all(first[pid] is not other[pid] for pid in first)
