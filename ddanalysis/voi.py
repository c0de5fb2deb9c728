"""What evidence is worth buying: partial expected value of perfect information (EVPPI) from draws.

The partial EVPI of an input (or a group of inputs) X is

    EVPPI(X) = E_X[ max_d E[NPS_d | X] ] - max_d E[NPS_d]

in GBP: the most it would be worth paying to learn X exactly before choosing an option, with every
other uncertainty left as it is. It is estimated from the same Monte Carlo draws that give the
probability best (no nested simulation), by estimating the conditional expectations
g_d(x) = E[NPS_d - NPS_ref | X = x] for each option d against the reference option ref (the one with the
highest mean saving) and averaging max(0, max_d g_d) over the draws.

Two estimators, both from the same family:

* ``method="regression"`` (the default): the non-parametric regression method of Strong, Oakley and
  Brennan (Strong M, Oakley JE, Brennan A. Estimating multiparameter partial expected value of perfect
  information from a probabilistic sensitivity analysis sample: a nonparametric regression approach.
  *Med Decis Making* 2014;34(3):311-326). They fit a generalised additive model (or a Gaussian process)
  to each option's incremental net benefit; here, without a GAM library, the smoother is an ordinary
  least-squares regression on a nested basis of the input's standardised value -- constant, linear,
  quadratic, cubic, then a cubic regression spline with interior knots at quantiles -- and the basis
  size is chosen separately for each option by the Bayesian information criterion, so an input the
  decision does not depend on gets the constant fit and an EVPPI of 0, not the noise of an
  over-flexible fit. For a group of inputs the basis is additive in each input's cubic spline plus every
  pairwise product (a quadratic response surface), again with the size chosen by BIC. For a single
  input this is the one-dimensional case of the same estimator.
* ``method="bins"``: the single-parameter method of Strong and Oakley (Strong M, Oakley JE. An efficient
  method for computing single-parameter partial expected value of perfect information. *Med Decis
  Making* 2013;33(6):755-766): sort the draws by the input, cut them into about sqrt(n) bins of equal
  size, and take E over bins of max_d (mean of NPS_d in the bin) - max_d (mean of NPS_d). Single inputs
  only (groups always use the regression). Its bin means carry sampling noise, which biases it upwards
  by roughly the noise of a bin mean (a few per cent of the EVPI at 10,000 draws).

Bounds. Each estimate is clipped at 0 and capped at the total EVPI of the decision: the true value lies
between the two, and an estimate above the total is estimator noise. The cap is what guarantees "never
above the total"; the noise it removes is small (at 10,000 draws, under 1% of the total in the tests:
an input on which the whole decision depends scores the total to within that).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .decision import _values, evpi as total_evpi

#: interior knots of the cubic regression spline (at equally spaced quantiles of the input)
SPLINE_KNOTS = 5
#: a basis never has more columns than the draws divided by this
MIN_DRAWS_PER_COLUMN = 20
GROUP_PREFIX = "group:"


def key_name(key) -> str:
    """An assumption key as text: ``("mutual", "pension_rate_change")`` -> ``mutual.pension_rate_change``."""
    return ".".join(map(str, key)) if isinstance(key, tuple) else str(key)


def _incremental(nps: pd.DataFrame) -> np.ndarray:
    """Each option's NPS minus that of the option with the highest mean (that option's column dropped)."""
    v = _values(nps)
    ref = int(np.argmax(v.mean(axis=0)))
    return np.delete(v - v[:, [ref]], ref, axis=1)


def _from_fitted(g: np.ndarray) -> float:
    """E[max(0, max_d g_d)] - max(0, max_d E[g_d]) for fitted incremental savings g (draws x options)."""
    if g.shape[1] == 0:
        return 0.0
    return float(np.maximum(g.max(axis=1), 0.0).mean() - max(g.mean(axis=0).max(), 0.0))


# --- the regression estimator -------------------------------------------------------------------

def _standardise(x: np.ndarray) -> np.ndarray | None:
    sd = x.std()
    if not np.isfinite(sd) or sd <= 1e-12 * max(1.0, abs(x.mean())):
        return None
    return (x - x.mean()) / sd


def _spline_block(z: np.ndarray, knots: int) -> np.ndarray:
    """Truncated cubic terms (z - k)^3_+ at interior knots on equally spaced quantiles of z."""
    if knots <= 0:
        return np.empty((len(z), 0))
    ks = np.unique(np.quantile(z, np.linspace(0, 1, knots + 2)[1:-1]))
    ks = ks[ks < z.max()]
    return np.maximum(z[:, None] - ks[None, :], 0.0) ** 3


def _basis(zs: list[np.ndarray], n: int) -> tuple[np.ndarray, list[int]]:
    """Nested basis for standardised inputs ``zs``, and the column counts of its nested models.

    Blocks, in order: intercept | linear | quadratic (squares and pairwise products) | cubes | spline
    knots. The models are the prefixes that end on a block boundary. Blocks that would take the basis
    past n / MIN_DRAWS_PER_COLUMN columns are left out.
    """
    cap = max(n // MIN_DRAWS_PER_COLUMN, 2)
    p = len(zs)
    blocks = [np.ones((n, 1)), np.column_stack(zs)]
    blocks.append(np.column_stack([zs[i] * zs[j] for i in range(p) for j in range(i, p)]))
    blocks.append(np.column_stack([z ** 3 for z in zs]))
    knots = min(SPLINE_KNOTS, max((cap - 1 - p - p * (p + 1) // 2 - p) // max(p, 1), 0))
    blocks.append(np.column_stack([_spline_block(z, knots) for z in zs]) if knots else np.empty((n, 0)))
    cols, sizes = [], []
    for b in blocks:
        if b.shape[1] == 0 or sum(c.shape[1] for c in cols) + b.shape[1] > cap:
            break
        cols.append(b)
        sizes.append(sum(c.shape[1] for c in cols))
    return np.hstack(cols), sizes


def _orthonormal(X: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, list[int]]:
    """Q with orthonormal columns spanning each nested prefix of X (dependent columns dropped)."""
    q, r = np.linalg.qr(X)
    d = np.abs(np.diag(r))
    keep = d > 1e-9 * d.max()
    if keep.all():
        return q, sizes
    sizes = sorted({int(keep[:s].sum()) for s in sizes})
    q, _ = np.linalg.qr(X[:, keep])
    return q, sizes


def regression_fit(y: np.ndarray, zs: list[np.ndarray]) -> np.ndarray:
    """Fitted E[y_j | inputs] for each column of y: OLS on the nested basis, size chosen per column by BIC."""
    n = y.shape[0]
    q, sizes = _orthonormal(*_basis(zs, n))
    c = q.T @ y                                    # coefficients on the orthonormal columns
    tss = (y * y).sum(axis=0)
    explained = np.cumsum(c * c, axis=0)           # row k-1: sum of squares explained by k columns
    fitted = np.empty_like(y)
    for j in range(y.shape[1]):
        scale = max(tss[j], 1e-300)
        bic = [n * np.log(max(tss[j] - explained[k - 1, j], 1e-12 * scale) / n) + k * np.log(n) for k in sizes]
        k = sizes[int(np.argmin(bic))]
        fitted[:, j] = q[:, :k] @ c[:k, j]
    return fitted


# --- the binned estimator (Strong and Oakley 2013) ------------------------------------------------

def binned_fit(y: np.ndarray, x: np.ndarray, bins: int | None = None) -> np.ndarray:
    """Mean of each column of y within ~sqrt(n) equal-count bins of x (sorted), repeated per draw."""
    n = len(x)
    k = int(bins) if bins else max(int(round(np.sqrt(n))), 1)
    k = min(max(k, 1), n)
    label = np.empty(n, dtype=np.intp)
    label[np.argsort(x, kind="stable")] = np.arange(n) * k // n
    counts = np.bincount(label, minlength=k).astype(float)
    means = np.column_stack([np.bincount(label, weights=y[:, j], minlength=k) for j in range(y.shape[1])])
    means /= np.maximum(counts, 1.0)[:, None]
    return means[label]


def evppi(nps: pd.DataFrame, inputs: pd.DataFrame, groups: dict | None = None, keys=None,
          method: str = "regression", bins: int | None = None) -> pd.DataFrame:
    """Partial EVPI (GBP) of each input key, and of each group of keys, from the same draws.

    ``nps``: draws x options (GBP). ``inputs``: draws x assumption keys (same rows, same order).
    ``groups``: ``{name: [key, ...]}``; each is reported as ``group:NAME``. ``keys``: which input
    columns to report (default every column). ``method``: ``"regression"`` (Strong, Oakley & Brennan
    2014; single keys and groups) or ``"bins"`` (Strong & Oakley 2013; single keys, ~sqrt(n) bins or
    ``bins``; groups still by regression). An input that does not vary scores 0.

    Returns a DataFrame with columns ``key, evppi_gbp``: single keys in the order of ``keys`` (or of
    the columns), then the groups in the order given. Every value is clipped to [0, total EVPI]: see
    the module docstring.
    """
    if method not in ("regression", "bins"):
        raise ValueError(f"unknown EVPPI method {method!r}: use 'regression' or 'bins'")
    if isinstance(inputs, dict):
        inputs = pd.DataFrame(inputs)
    if len(inputs) != len(nps):
        raise ValueError(f"inputs has {len(inputs)} draws but nps has {len(nps)}")
    y = _incremental(nps)
    total = total_evpi(nps)
    keys = list(inputs.columns) if keys is None else list(keys)
    missing = [k for k in keys + [k for ks in (groups or {}).values() for k in ks] if k not in inputs.columns]
    if missing:
        raise KeyError(f"no input column for {', '.join(map(key_name, missing))}")

    def clip(value: float) -> float:
        return float(min(max(value, 0.0), total))

    rows = []
    for k in keys:
        x = inputs[k].to_numpy(dtype=float)
        z = _standardise(x)
        if z is None or total <= 0 or y.shape[1] == 0:
            value = 0.0
        elif method == "bins":
            value = _from_fitted(binned_fit(y, x, bins))
        else:
            value = _from_fitted(regression_fit(y, [z]))
        rows.append({"key": key_name(k), "evppi_gbp": clip(value)})
    for name, members in (groups or {}).items():
        zs = [z for z in (_standardise(inputs[k].to_numpy(dtype=float)) for k in members) if z is not None]
        value = 0.0 if not zs or total <= 0 or y.shape[1] == 0 else _from_fitted(regression_fit(y, zs))
        rows.append({"key": GROUP_PREFIX + str(name), "evppi_gbp": clip(value)})
    return pd.DataFrame(rows, columns=["key", "evppi_gbp"])
