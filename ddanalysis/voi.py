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

import contextlib

import numpy as np
import pandas as pd

from .decision import _values, acceptability, probability_best
from .decision import evpi as total_evpi
from .errors import unknown

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


def _knots(z: np.ndarray, knots: int) -> np.ndarray:
    """Interior knots on equally spaced quantiles of z (of a systematic subsample above 4,000 draws)."""
    if knots <= 0:
        return np.empty(0)
    sub = z[:: max(len(z) // 4000, 1)]
    ks = np.unique(np.quantile(sub, np.linspace(0, 1, knots + 2)[1:-1]))
    return ks[ks < z.max()]


def _model_sizes(widths: list[int], cap: int) -> list[int]:
    """Column counts of the nested models: the running totals of the blocks' ``widths``, up to the
    first empty block or the first that would pass ``cap`` columns."""
    sizes: list[int] = []
    for w in widths:
        total = (sizes[-1] if sizes else 0) + w
        if w == 0 or total > cap:
            break
        sizes.append(total)
    return sizes


def _basis(zs: list[np.ndarray], n: int) -> tuple[np.ndarray, list[int]]:
    """Nested basis for standardised inputs ``zs``, and the column counts of its nested models.

    Blocks, in order: intercept | linear | quadratic (squares and pairwise products) | cubes |
    truncated cubes (z - k)^3_+ at interior knots (a cubic regression spline per input). The models
    are the prefixes that end on a block boundary. Blocks that would take the basis past
    n / MIN_DRAWS_PER_COLUMN columns are left out.
    """
    cap = max(n // MIN_DRAWS_PER_COLUMN, 2)
    p = len(zs)
    n_knots = min(SPLINE_KNOTS, max((cap - 1 - p - p * (p + 1) // 2 - p) // max(p, 1), 0))
    knots = [_knots(z, n_knots) for z in zs]
    sizes = _model_sizes([1, p, p * (p + 1) // 2, p, sum(len(k) for k in knots)], cap)
    x = np.empty((n, sizes[-1]))
    x[:, 0] = 1.0
    col = 1
    blocks = len(sizes)
    if blocks > 1:
        for z in zs:
            x[:, col] = z
            col += 1
    if blocks > 2:
        for i in range(p):
            for j in range(i, p):
                np.multiply(zs[i], zs[j], out=x[:, col])
                col += 1
    if blocks > 3:
        for i, z in enumerate(zs):
            np.multiply(x[:, 1 + p + i * p - i * (i - 1) // 2], z, out=x[:, col])  # z_i^2 * z_i
            col += 1
    if blocks > 4:
        for z, ks in zip(zs, knots):
            for k in ks:
                t = np.maximum(z - k, 0.0, out=x[:, col])
                t *= t * t
                col += 1
    return x, sizes


def _orthonormal(x: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, list[int]]:
    """Q with orthonormal columns such that Q[:, :k] spans each nested prefix of x's columns.

    Gram-Schmidt through the Cholesky factor of the Gram matrix (x'x = R'R, Q = x R^-1; the leading
    block of R belongs to the leading columns, so the nesting is kept), done twice ("CholeskyQR2":
    Yamamoto et al., ETNA 2015;44:306-326) so Q is orthonormal to rounding error. Columns are scaled to unit
    length first; a column whose distance from the span of the ones before it is below 1e-6 adds
    nothing and is dropped (e.g. the square of an input that takes two values), and ``sizes`` is
    renumbered to match.
    """
    x = x / np.maximum(np.sqrt((x * x).sum(axis=0)), 1e-300)
    g = x.T @ x
    try:
        r = np.linalg.cholesky(g).T
        keep = list(range(g.shape[0])) if np.diag(r).min() > 1e-6 else None
    except np.linalg.LinAlgError:
        keep = None
    if keep is None:  # column by column, skipping the dependent ones
        m = g.shape[0]
        r = np.zeros((m, m))
        keep = []
        for k in range(m):
            j = len(keep)
            col = np.linalg.solve(r[:j, :j].T, g[keep, k]) if j else np.empty(0)
            d2 = g[k, k] - col @ col
            if d2 <= 1e-12:
                continue
            r[:j, j], r[j, j] = col, np.sqrt(d2)
            keep.append(k)
        r = r[: len(keep), : len(keep)]
        sizes = sorted({int(np.searchsorted(keep, s)) for s in sizes} - {0})
    q = x[:, keep] @ np.linalg.inv(r)
    # once more on q (CholeskyQR2): restores orthogonality lost to the Gram matrix's conditioning
    q = q @ np.linalg.inv(np.linalg.cholesky(q.T @ q).T)
    return q, sizes


def regression_fit(y: np.ndarray, zs: list[np.ndarray]) -> np.ndarray:
    """Fitted E[y_j | inputs] for each column of y: OLS on the nested basis, size chosen per column by BIC.

    One orthonormal basis serves every nested fit: the fit on the first k basis functions is the
    projection on the first k orthonormal columns, so each candidate size costs a partial sum.
    """
    n = y.shape[0]
    q, sizes = _orthonormal(*_basis(zs, n))
    c = q.T @ y  # coefficients on the orthonormal columns
    tss = (y * y).sum(axis=0)
    explained = np.cumsum(c * c, axis=0)  # row k-1: sum of squares explained by k columns
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
    means = means / np.maximum(counts, 1.0)[:, None]
    return means[label]


def _one_blas_thread():
    """BLAS on one thread: the matrices here are thin (draws x a few columns), where threads only add
    overhead, and on a busy machine a lot of it."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def evppi(
    nps: pd.DataFrame,
    inputs: pd.DataFrame,
    groups: dict | None = None,
    keys=None,
    method: str = "regression",
    bins: int | None = None,
) -> pd.DataFrame:
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
        raise unknown("assumption key in the draws", key_name(missing[0]), [key_name(c) for c in inputs.columns])

    with _one_blas_thread():
        return _evppi(y, total, inputs, keys, groups, method, bins)


def _evppi(y, total, inputs, keys, groups, method, bins) -> pd.DataFrame:
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


def summary(nps: pd.DataFrame, inputs: pd.DataFrame | None = None, groups: dict | None = None, thresholds=None) -> dict:
    """The decision measures as JSON-ready data (the appraisal's field names).

    ``{"p_best": {option: share}, "evpi_gbp": float, "acceptability": [{threshold_gbp, option,
    p_reaches, p_best}], "evppi": [{key, evppi_gbp}]}``; ``evppi`` only when ``inputs`` (one column per
    assumption key, same rows as ``nps``) is given: see :func:`evppi`.
    """
    out = {
        "p_best": {str(k): float(p) for k, p in probability_best(nps).items()},
        "evpi_gbp": total_evpi(nps),
        "acceptability": [
            {
                "threshold_gbp": float(r.threshold_gbp),
                "option": str(r.option),
                "p_reaches": float(r.p_reaches),
                "p_best": float(r.p_best),
            }
            for r in acceptability(nps, thresholds).itertuples(index=False)
        ],
    }
    if inputs is not None:
        out["evppi"] = [
            {"key": str(r.key), "evppi_gbp": float(r.evppi_gbp)}
            for r in evppi(nps, inputs, groups).itertuples(index=False)
        ]
    return out
