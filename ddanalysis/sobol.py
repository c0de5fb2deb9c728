"""Which inputs drive the spread: first-order and total Sobol indices, computed with SALib.

Sobol indices split the variance of an output Y (for example the net present saving of the
recommended option, or the gap between the best option and the runner-up) among the inputs: the
first-order index S1_i is the share of Var(Y) explained by input i alone, Var(E[Y | X_i]) / Var(Y);
the total index ST_i is the share that would remain unexplained if every input but i were known,
E[Var(Y | X_~i)] / Var(Y), so ST_i - S1_i is the share due to i's interactions with other inputs.
An input with ST_i near 0 can be fixed anywhere in its range without changing the answer.

Design: Saltelli's extension of the Sobol sequence (Saltelli A. Making best use of model evaluations
to compute sensitivity indices. *Comput Phys Commun* 2002;145:280-297; Saltelli A et al. Variance based
sensitivity analysis of model output. *Comput Phys Commun* 2010;181:259-270), sampled and analysed by
SALib (Herman J, Usher W. SALib: an open-source Python library for sensitivity analysis. *JOSS* 2017;
2(9):97), with bootstrap confidence intervals; the design is built here, vectorised, point for point
the one SALib's sampler builds (:func:`saltelli_sample`, tested against it). Cost: ``n`` base
points (rounded up to a power of 2) give ``n * (D + 2)`` evaluations of the function for D inputs.

The inputs are sampled INDEPENDENTLY of one another over their ranges: Sobol indices are defined
for independent inputs, so declared rank correlations between assumptions are not applied in this
design (the Monte Carlo draws, the probability best and the value of information keep them). Any
report of these indices must say so: :data:`INDEPENDENCE_NOTE`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from .run_defaults import RUN_DEFAULTS

DEFAULT_BASE_SAMPLES = 1024
DEFAULT_SEED = RUN_DEFAULTS.seed  # appraisal.yaml, monte_carlo.seed
INDEPENDENCE_NOTE = (
    "Sobol indices sample each uncertain input independently over its range; declared "
    "correlations between assumptions are not applied in this design."
)


def pert_ppf(low: float, mode: float, high: float, grid: int = 4097) -> Callable[[np.ndarray], np.ndarray]:
    """The inverse CDF of the PERT distribution on [low, high] with the given mode (the Monte Carlo's
    marginal: a Beta(1 + 4(mode-low)/(high-low), 1 + 4(high-mode)/(high-low)) scaled to the range).

    Tabulated: the Beta CDF on ``grid`` evenly spaced points, inverted by linear interpolation (within
    about 1e-5 of the range of scipy's ``beta.ppf``, and hundreds of times faster on 100,000 points).
    """
    from scipy.stats import beta as beta_dist

    low, mode, high = float(low), float(mode), float(high)
    if high <= low:
        return lambda u: np.full(np.shape(u), low)
    mode = min(max(mode, low), high)
    a = 1.0 + 4.0 * (mode - low) / (high - low)
    b = 1.0 + 4.0 * (high - mode) / (high - low)
    xs = np.linspace(0.0, 1.0, int(grid))
    cdf = np.maximum.accumulate(beta_dist.cdf(xs, a, b))
    cdf[0], cdf[-1] = 0.0, 1.0
    return lambda u: low + (high - low) * np.interp(u, cdf, xs)


def _marginals(problem) -> tuple[list, dict]:
    """Names, and per name a function from uniform (0, 1) to the input's value."""
    if isinstance(problem, Mapping) and "names" in problem:
        names = list(problem["names"])
        bounds = problem["bounds"]
        dists = problem.get("dists") or ["unif"] * len(names)
        if any(d != "unif" for d in dists):
            raise ValueError("only uniform 'dists' are read from a SALib problem: give a ppf per input instead")
        spec = {n: tuple(b) for n, b in zip(names, bounds)}
    elif isinstance(problem, Mapping):
        names, spec = list(problem), dict(problem)
    else:
        raise TypeError("problem: a SALib problem dict, or {name: (low, high) | inverse-CDF function}")
    ppfs: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for name in names:
        s = spec[name]
        if callable(s):
            ppfs[name] = s
        else:
            lo, hi = map(float, s)
            if not hi > lo:
                raise ValueError(f"input {name}: range [{lo}, {hi}] is empty: pass constants in 'fixed'")
            ppfs[name] = _uniform_ppf(lo, hi)
    return names, ppfs


def _uniform_ppf(lo: float, hi: float) -> Callable[[np.ndarray], np.ndarray]:
    """The inverse CDF of the uniform distribution on [lo, hi]: u in [0, 1] -> lo + (hi - lo) u."""
    return lambda u: lo + (hi - lo) * u


def _outputs(y) -> dict[str, np.ndarray]:
    if isinstance(y, Mapping):
        return {str(k): np.asarray(v, dtype=float).ravel() for k, v in y.items()}
    if isinstance(y, pd.DataFrame):
        return {str(c): y[c].to_numpy(dtype=float) for c in y.columns}
    y = np.asarray(y, dtype=float)
    if y.ndim == 1:
        return {"y": y}
    return {f"y{j}": y[:, j] for j in range(y.shape[1])}


def saltelli_sample(d: int, n: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """Saltelli's design for first-order and total indices on the unit hypercube, n * (d + 2) rows.

    The same points, in the same order, as ``SALib.sample.sobol.sample(problem, n,
    calc_second_order=False, scramble=True, seed=seed)`` for a problem of d inputs on [0, 1]: for each
    of the n rows of a scrambled Sobol sequence in 2d dimensions (A = first d columns, B = last d),
    the row of A, then A with column i taken from B for each i, then the row of B. Vectorised:
    SALib builds it in a Python loop over n x d x d elements, which takes longer than the model.
    """
    from scipy.stats import qmc

    base = qmc.Sobol(d=2 * d, scramble=True, seed=seed).random(n)
    a, b = base[:, :d], base[:, d:]
    out = np.repeat(a[:, None, :], d + 2, axis=1)
    idx = np.arange(d)
    out[:, 1 + idx, idx] = b
    out[:, d + 1, :] = b
    return out.reshape(n * (d + 2), d)


def sobol_indices(
    func: Callable[[dict], object],
    problem,
    n: int = DEFAULT_BASE_SAMPLES,
    seed: int = DEFAULT_SEED,
    fixed: Mapping | None = None,
    num_resamples: int = 100,
    chunk: int = 20_000,
) -> pd.DataFrame:
    """First-order and total Sobol indices of each output of ``func`` for each input.

    ``func``: vectorised; takes ``{name: array of values}`` (one entry per input, plus ``fixed``) and
    returns an array (one output), a 2-D array (one column per output), or ``{output: array}``.
    ``problem``: ``{name: (low, high)}`` (uniform on the range), ``{name: inverse-CDF function of a
    uniform (0, 1) array}`` (e.g. :func:`pert_ppf`, to sample the Monte Carlo's marginals), or a SALib
    problem dict with uniform bounds. ``n``: base sample size, rounded up to a power of 2; the function
    is evaluated on ``n * (len(problem) + 2)`` points, sampled independently (see module docstring).
    ``fixed``: inputs held constant (``{name: value}``). ``seed`` makes the result repeatable.
    ``chunk``: ``func`` is called on at most this many points at a time (bounded memory).

    Returns a DataFrame with columns ``output, key, s1, s1_conf, st, st_conf`` (``*_conf``: half-width
    of the 95% bootstrap interval); ``attrs`` has ``n_base``, ``n_evaluations``, ``seed`` and ``note``.
    """
    names, ppfs = _marginals(problem)
    if not names:
        raise ValueError("Sobol indices need at least one uncertain input")
    base = 1 << max(int(np.ceil(np.log2(max(int(n), 2)))), 1)
    unit = {"num_vars": len(names), "names": [str(x) for x in names], "bounds": [[0.0, 1.0]] * len(names)}
    u = saltelli_sample(len(names), base, seed)
    # keep clear of 0 and 1, where an unbounded inverse CDF is infinite
    u = np.clip(u, 0.5 / (base * 1024), 1 - 0.5 / (base * 1024))
    ys = _evaluate_design(func, u, names, ppfs, fixed, chunk)
    rows = []
    for out, y in ys.items():
        rows += _indices_of_output(unit, names, out, y, num_resamples, seed)
    table = pd.DataFrame(rows, columns=["output", "key", "s1", "s1_conf", "st", "st_conf"])
    table.attrs.update({"n_base": base, "n_evaluations": int(len(u)), "seed": seed, "note": INDEPENDENCE_NOTE})
    return table


def _indices_of_output(unit: dict, names: list, out: str, y: np.ndarray, num_resamples: int, seed: int) -> list[dict]:
    """The rows (output, key, s1, s1_conf, st, st_conf) of one output's values ``y`` over the design: SALib's
    analysis, or zeros when the output does not vary. Raises ``ValueError`` on a missing or infinite value."""
    from SALib.analyze import sobol as sobol_analyze

    rows = []
    if not np.isfinite(y).all():
        raise ValueError(f"func returned missing or infinite values of {out!r}")
    if y.var() == 0:
        res = {
            "S1": np.zeros(len(names)),
            "S1_conf": np.zeros(len(names)),
            "ST": np.zeros(len(names)),
            "ST_conf": np.zeros(len(names)),
        }
    else:
        res = sobol_analyze.analyze(
            unit, y, calc_second_order=False, num_resamples=num_resamples, print_to_console=False, seed=seed
        )
    for i, name in enumerate(names):
        rows.append(
            {
                "output": out,
                "key": name,
                "s1": float(res["S1"][i]),
                "s1_conf": float(res["S1_conf"][i]),
                "st": float(res["ST"][i]),
                "st_conf": float(res["ST_conf"][i]),
            }
        )
    return rows


def _evaluate_design(
    func: Callable[[dict], object],
    u: np.ndarray,
    names: list,
    ppfs: Mapping[str, Callable],
    fixed: Mapping | None,
    chunk: int,
) -> dict[str, np.ndarray]:
    """``func`` on every point of the unit-cube design ``u`` (points x inputs), each column mapped through its
    input's inverse CDF and ``fixed`` inputs held constant, at most ``chunk`` points a call; output name ->
    values (one per point). Raises ``ValueError`` when ``func`` returns the wrong number of values."""
    parts: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(u), max(int(chunk), 1)):
        block = u[start : start + max(int(chunk), 1)]
        args = {name: np.asarray(ppfs[name](block[:, i]), dtype=float) for i, name in enumerate(names)}
        for k, v in (fixed or {}).items():
            args[k] = np.full(len(block), float(v))
        for out, y in _outputs(func(args)).items():
            if len(y) != len(block):
                raise ValueError(f"func returned {len(y)} values of {out!r} for {len(block)} points")
            parts.setdefault(out, []).append(y)
    return {out: np.concatenate(p) for out, p in parts.items()}
