"""Which option, and how sure: probability best, the acceptability curve and the expected value of
perfect information, from a table of Monte Carlo draws.

Every function here takes the net present saving (NPS, GBP, against the status quo) of each option in
each draw, a DataFrame with one row per draw and one column per option id, and returns plain data.
The status quo column (``in-house``, NPS 0 in every draw) is an option like the others: it is the best
one in a draw where every alternative loses money. Nothing here runs the model, so the same numbers come
back from the appraisal and from a draws file written by :mod:`ddanalysis.drawsfile`.

Health economics has used these measures for years (Briggs, Claxton & Sculpher, *Decision Modelling for
Health Economic Evaluation*, OUP 2006, ch. 7; R's BCEA and dampack): here the "net benefit" of an option
is its net present saving.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: how many thresholds the acceptability curve has by default (0 to the largest P90, both included)
ACCEPTABILITY_POINTS = 21

#: two options whose net present savings in a draw differ by no more than this (GBP) tie in that draw
TIE_GBP = 1e-6


def _values(nps: pd.DataFrame) -> np.ndarray:
    if not isinstance(nps, pd.DataFrame) or nps.shape[1] == 0 or nps.shape[0] == 0:
        raise ValueError("nps must be a DataFrame with one row per draw and at least one option column")
    v = nps.to_numpy(dtype=float)
    if not np.isfinite(v).all():
        raise ValueError("nps has missing or infinite values")
    return v


def _best_shares(v: np.ndarray) -> np.ndarray:
    """Per draw, each option's share of "best": 1 for the unique best, 1/k for each of k tied best."""
    top = v.max(axis=1, keepdims=True)
    best = v >= top - TIE_GBP
    return best / best.sum(axis=1, keepdims=True)


def probability_best(nps: pd.DataFrame) -> pd.Series:
    """The share of draws in which each option has the highest net present saving.

    Ties (savings within ``TIE_GBP`` of the draw's highest) are split evenly between the tied options,
    so the shares sum to 1. The status quo column counts like any other option. Returns a Series indexed
    by option id, in the order of the columns.
    """
    v = _values(nps)
    return pd.Series(_best_shares(v).mean(axis=0), index=nps.columns, name="p_best")


def default_thresholds(nps: pd.DataFrame, points: int = ACCEPTABILITY_POINTS) -> np.ndarray:
    """``points`` evenly spaced NPS thresholds (GBP) from 0 to the largest P90 of any option.

    When no option has a positive P90 the curve has the single threshold 0.
    """
    top = float(np.percentile(_values(nps), 90, axis=0).max())
    if top <= 0:
        return np.array([0.0])
    return np.linspace(0.0, top, max(int(points), 2))


def acceptability(nps: pd.DataFrame, thresholds=None) -> pd.DataFrame:
    """The acceptability curve: for each NPS threshold t (GBP) and option d,

    * ``p_reaches`` = P(NPS_d >= t): the share of draws in which the option saves at least t;
    * ``p_best`` = P(NPS_d >= t and d has the highest NPS of all options): the share of draws in which
      the option reaches t *and* is the best among the options that reach t (ties split evenly).

    The two readings of ``p_best`` are the same thing: if d reaches t and another option beats d,
    that option reaches t too, so "best among those that reach t" is "best overall, and reaches t".
    It is a joint probability, not one conditional on reaching: for each option it never rises as
    t rises, it never exceeds ``p_reaches``, and summed over options it is the share of draws in which
    at least one option reaches t (1 at t = 0, where the status quo, at NPS 0, always reaches). At t = 0
    with a status quo column, ``p_best`` equals :func:`probability_best`.

    ``thresholds``: GBP values; default :func:`default_thresholds` (0 to the largest P90). Returns a
    long DataFrame with columns ``threshold_gbp, option, p_reaches, p_best``, thresholds ascending and
    options in column order within each threshold.
    """
    v = _values(nps)
    t = default_thresholds(nps) if thresholds is None else np.sort(np.asarray(thresholds, dtype=float).ravel())
    shares = _best_shares(v)  # draws x options
    # P(NPS_d >= t) for every t at once: sort each option's draws once, then search
    srt = np.sort(v, axis=0)
    n = v.shape[0]
    reaches = np.empty((len(t), v.shape[1]))
    best = np.empty_like(reaches)
    for j in range(v.shape[1]):
        reaches[:, j] = (n - np.searchsorted(srt[:, j], t, side="left")) / n
        # p_best: sort this option's draws by NPS; cumulative best-shares from the top
        order = np.argsort(v[:, j], kind="stable")
        tail = np.concatenate([np.cumsum(shares[order[::-1], j])[::-1], [0.0]])
        best[:, j] = tail[np.searchsorted(v[order, j], t, side="left")] / n
    return pd.DataFrame(
        {
            "threshold_gbp": np.repeat(t, v.shape[1]),
            "option": np.tile(np.asarray(nps.columns, dtype=object), len(t)),
            "p_reaches": reaches.ravel(),
            "p_best": best.ravel(),
        }
    )


def evpi(nps: pd.DataFrame) -> float:
    """Expected value of perfect information for the decision (GBP).

    EVPI = E[max_d NPS_d] - max_d E[NPS_d]: the mean, over draws, of the best option's saving in that
    draw, minus the mean saving of the option with the highest mean saving (the option one would choose
    on today's evidence). It is what it would be worth paying, at most, to remove all uncertainty before
    deciding; never negative.
    """
    v = _values(nps)
    return float(max(v.max(axis=1).mean() - v.mean(axis=0).max(), 0.0))
