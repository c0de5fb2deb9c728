"""How sure are we: one-way sensitivity (tornado), switching values and Monte Carlo.

All three work on a :class:`~ddanalysis.model.ProjectModel` and the assumption values of a scenario;
they evaluate the model on arrays (one row per case), so a whole tornado or 10,000 Monte Carlo draws
are one vectorised pass. Money in GBP, real base-year prices.

The Monte Carlo draws the inputs jointly (:mod:`ddanalysis.sampling`): a quantity several options
share (the actuary's view of pension rates, stranded overheads, redundancy cost) takes one random
number per draw that each option maps through its own range (common random numbers), and related
levers move together through the rank correlations declared in ``data/assumptions/correlations.yaml``
(Gaussian copula, each input keeping its own PERT distribution). ``method="independent"`` keeps the
earlier sampler (every assumption of every option drawn on its own) for comparison.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .assumptions import PROJECT_SCOPE
from .model import ProjectModel
from .registry import STATUS_QUO
from .run_defaults import RUN_DEFAULTS
from .sampling import Correlations, Marginal, key_name, load_correlations, sample

DEFAULT_DRAWS = RUN_DEFAULTS.draws  # appraisal.yaml, monte_carlo.draws
DEFAULT_SEED = RUN_DEFAULTS.seed  # appraisal.yaml, monte_carlo.seed
#: Columns of the one-way sensitivity table (:func:`sensitivity`; an empty table has them too).
SENSITIVITY_COLUMNS = [
    "option",
    "scope",
    "key",
    "description",
    "unit",
    "low",
    "high",
    "nps_base",
    "nps_at_low",
    "nps_at_high",
    "swing",
    "rank",
]
GRID_POINTS = 201


def _varying(model: ProjectModel, key: tuple[str, str]) -> bool:
    row = model.book.table.loc[key]
    return bool(row["high"] > row["low"])


def sensitivity(model: ProjectModel, values: pd.Series) -> pd.DataFrame:
    """One-way sensitivity of each option's net present saving to each assumption at low and high.

    Every other assumption stays at the scenario's value. Rows ranked by swing (largest first) per
    option: option, scope, key, description, unit, low, high, nps_base, nps_at_low, nps_at_high, swing.
    """
    table = model.book.table
    keys = sorted(
        {k for opt in model.options if opt != STATUS_QUO for k in model.varying_keys(opt) if _varying(model, k)}
    )
    if not keys:
        return pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    n = 2 * len(keys) + 1  # last row: the base case
    cases = {k: np.full(n, float(values[k])) for k in values.index}
    for i, k in enumerate(keys):
        cases[k][2 * i] = table.loc[k, "low"]
        cases[k][2 * i + 1] = table.loc[k, "high"]
    nps = model.net_present_savings(cases)
    rows = []
    for opt in model.options:
        if opt == STATUS_QUO:
            continue
        own = set(model.varying_keys(opt))
        for i, k in enumerate(keys):
            if k not in own:
                continue
            lo, hi = nps[opt][2 * i], nps[opt][2 * i + 1]
            rows.append(
                {
                    "option": opt,
                    "scope": k[0],
                    "key": k[1],
                    "description": table.loc[k, "description"],
                    "unit": table.loc[k, "unit"],
                    "low": table.loc[k, "low"],
                    "high": table.loc[k, "high"],
                    "nps_base": nps[opt][-1],
                    "nps_at_low": lo,
                    "nps_at_high": hi,
                    "swing": abs(hi - lo),
                }
            )
    out = pd.DataFrame(rows).sort_values(["option", "swing"], ascending=[True, False], kind="stable")
    out["rank"] = out.groupby("option").cumcount() + 1
    return out.reset_index(drop=True)


REFINE_POINTS = 65


def _sign_changes(gaps: np.ndarray) -> list[int]:
    """Indices i where gaps changes sign between i and i + 1 (or is exactly 0 at i)."""
    sign = np.sign(gaps)
    return [i for i in range(len(gaps) - 1) if sign[i] == 0 or sign[i] * sign[i + 1] < 0] + (
        [len(gaps) - 1] if sign[-1] == 0 else []
    )


def _interpolate(x: np.ndarray, y: np.ndarray, i: int) -> float:
    """Where the straight line through (x[i], y[i]) and (x[i+1], y[i+1]) crosses zero."""
    if i == len(x) - 1 or y[i] == 0:
        return float(x[i])
    return float(x[i] - y[i] * (x[i + 1] - x[i]) / (y[i + 1] - y[i]))


def _nps_and_lead(
    model: ProjectModel, base: dict, opt: str, next_best: str, assignments: list[tuple[tuple[str, str], np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """The option's net present saving (GBP) and its lead over ``next_best`` (GBP; over zero when that is the status
    quo), one value per case: each case is ``base`` with one assumption set to one value of its grid."""
    pair = [opt] if next_best == STATUS_QUO else [opt, next_best]
    n = sum(len(g) for _, g in assignments)
    cases = {kk: np.full(n, v) for kk, v in base.items()}
    pos = 0
    for k, g in assignments:
        cases[k][pos : pos + len(g)] = g
        pos += len(g)
    nps = model.net_present_savings(cases, options=pair)
    other = nps[next_best] if next_best in nps else np.zeros(n)
    return nps[opt], nps[opt] - other


def _brackets(
    keys: list, grids: list[np.ndarray], coarse_sq: np.ndarray, coarse_nb: np.ndarray
) -> tuple[list[tuple[int, str, int]], list[tuple[tuple[str, str], np.ndarray]]]:
    """Where a coarse gap changes sign: (key index, which gap: 'sq' or 'nb', grid index) and, for each, the key with
    a fine grid of :data:`REFINE_POINTS` values between the two grid points around the change."""
    brackets, fine = [], []
    for j, (k, g) in enumerate(zip(keys, grids)):
        sl = slice(j * GRID_POINTS, (j + 1) * GRID_POINTS)
        for which, gaps in (("sq", coarse_sq[sl]), ("nb", coarse_nb[sl])):
            for i in _sign_changes(gaps):
                hi = min(i + 1, len(g) - 1)
                brackets.append((j, which, i))
                fine.append((k, np.linspace(g[i], g[hi], REFINE_POINTS)))
    return brackets, fine


def _crossings(
    gaps_for: Callable, brackets: list[tuple[int, str, int]], fine: list[tuple[tuple[str, str], np.ndarray]]
) -> dict[tuple[int, str], list[float]]:
    """(key index, which gap) -> every value of the assumption at which that gap crosses zero, from the fine grids
    (interpolated between grid points); ``gaps_for`` gives both gaps for a list of (key, grid)."""
    found: dict[tuple[int, str], list[float]] = {}
    if fine:
        fine_sq, fine_nb = gaps_for(fine)
        for b, ((j, which, _), (_, fx)) in enumerate(zip(brackets, fine)):
            sl = slice(b * REFINE_POINTS, (b + 1) * REFINE_POINTS)
            fy = (fine_sq if which == "sq" else fine_nb)[sl]
            for i in _sign_changes(fy):
                found.setdefault((j, which), []).append(_interpolate(fx, fy, i))
    return found


def _nearest(roots: list[float] | None, centre: float) -> float | None:
    """The crossing nearest the scenario's value ``centre``; None when there is none in range."""
    return float(min(roots, key=lambda r: abs(r - centre))) if roots else None


def _option_switching_values(
    model: ProjectModel, base: dict, base_nps: dict[str, float], opt: str, comparators: Collection[str] | None = None
) -> list[dict]:
    """One row per varying assumption of ``opt``: its switching values against the status quo and against the option
    that is next best at the scenario's values among ``comparators`` (see :func:`switching_values`)."""
    table = model.book.table
    others = {
        o: v for o, v in base_nps.items() if o != opt and (comparators is None or o in comparators or o == STATUS_QUO)
    }
    next_best = max(others, key=others.__getitem__)
    keys = [k for k in model.varying_keys(opt) if _varying(model, k)]
    if not keys:
        return []
    grids = [np.linspace(table.loc[k, "bound_low"], table.loc[k, "bound_high"], GRID_POINTS) for k in keys]
    gaps_for = functools.partial(_nps_and_lead, model, base, opt, next_best)
    coarse_sq, coarse_nb = gaps_for(list(zip(keys, grids)))
    brackets, fine = _brackets(keys, grids, coarse_sq, coarse_nb)
    found = _crossings(gaps_for, brackets, fine)
    rows = []
    for j, k in enumerate(keys):
        centre = base[k]
        rows.append(
            {
                "option": opt,
                "scope": k[0],
                "key": k[1],
                "description": table.loc[k, "description"],
                "unit": table.loc[k, "unit"],
                "value": centre,
                "switch_vs_status_quo": _nearest(found.get((j, "sq")), centre),
                "next_best": next_best,
                "switch_vs_next_best": _nearest(found.get((j, "nb")), centre),
            }
        )
    return rows


def switching_values(
    model: ProjectModel,
    values: pd.Series,
    options: list[str] | None = None,
    comparators: Collection[str] | None = None,
) -> pd.DataFrame:
    """For each option and assumption, the value at which the option stops beating the status quo
    (net present saving = 0) and the value at which it draws level with the next-best option.

    ``comparators``: the options that can be next best (the status quo always can): the appraisal passes
    those the decision rule could recommend, so that the recommended option's switching value is where the
    recommendation changes, not where it draws level with an option the rule excludes. None: every option.

    Searched over the assumption's allowed range (levers.yaml bounds); None = "none in range"; the
    crossing nearest the scenario's value is reported. Two vectorised passes per option: a coarse
    grid over every assumption's range at once, then a fine grid inside each bracket (the result is
    exact to about a millionth of the range for these near-linear relationships).
    Columns: option, scope, key, description, unit, value, switch_vs_status_quo, next_best,
    switch_vs_next_best.
    """
    base = {k: float(v) for k, v in values.items()}
    base_nps = {o: float(v[0]) for o, v in model.net_present_savings(base).items()}
    rows = []
    for opt in options or [o for o in model.options if o != STATUS_QUO]:
        rows += _option_switching_values(model, base, base_nps, opt, comparators)
    return pd.DataFrame(rows)


def pert_draws(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    """Draws from a PERT distribution on [low, high] with the given mode (constant if low == high)."""
    if high <= low:
        return np.full(n, float(low))
    mode = min(max(mode, low), high)
    alpha = 1.0 + 4.0 * (mode - low) / (high - low)
    beta = 1.0 + 4.0 * (high - mode) / (high - low)
    return low + (high - low) * rng.beta(alpha, beta, size=n)


METHODS = ("correlated", "independent")


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo draws and their summary (GBP, real).

    ``inputs`` is the draw matrix of the inputs: one row per draw (aligned with ``draws``), one column
    per assumption the model uses, named ``<scope>.<key>`` (``mutual.pension_rate_change``,
    ``project.demand_growth``); constants (fixed by the scenario, or low = high) are included.
    """

    summary: pd.DataFrame  # option, mean, p10, p50, p90, p_positive, p_meets_target
    draws: pd.DataFrame  # one column per option: net present saving of each draw
    target_gbp: float  # steady-state annual saving needed to meet the target
    seed: int
    n_draws: int
    inputs: "pd.DataFrame | None" = None  # one column per '<scope>.<key>', one row per draw
    method: str = "correlated"  # 'correlated' (shared quantities + declared correlations) or 'independent'


def _model_keys(model: ProjectModel) -> list[tuple[str, str]]:
    """(scope, key) of every assumption of the project and of the model's options, in that order."""
    by_scope: dict[str, list[str]] = {}
    for scope, key in zip(model.book.table.scope, model.book.table.key):
        by_scope.setdefault(scope, []).append(key)
    return [(scope, k) for scope in (PROJECT_SCOPE, *model.options) for k in by_scope.get(scope, [])]


def draw_inputs(
    model: ProjectModel,
    values: pd.Series,
    draws: int,
    seed: int,
    fixed: "set[tuple[str, str]] | None" = None,
    correlations: Correlations | None = None,
) -> pd.DataFrame:
    """The draw matrix: seeded, jointly drawn values of every assumption the model uses.

    One column per ``<scope>.<key>`` (project first, then each option), one row per draw. Each
    assumption follows a PERT on its low-high range with the mode at the scenario's value; those in
    ``fixed`` (set explicitly by the scenario) and zero-width ranges stay at their value. The joint
    distribution follows ``correlations`` (default: ``data/assumptions/correlations.yaml``): shared
    quantities take common random numbers across options, declared rank correlations hold within
    each option (see :mod:`ddanalysis.sampling`). ``Correlations.none()`` gives independent draws.
    Deterministic: same seed, same draws, in any process. Does not modify ``values``.
    """
    corr = load_correlations() if correlations is None else correlations
    table = model.book.table
    marginals = {}
    for k in _model_keys(model):
        v = float(values[k])
        row = table.loc[k]
        lo, hi = float(row["low"]), float(row["high"])
        marginals[k] = Marginal(v, v, v) if (fixed and k in fixed) or hi <= lo else Marginal(lo, v, hi)
    return sample(marginals, draws, seed, corr)


def draw_values(
    model: ProjectModel,
    values: pd.Series,
    draws: int,
    seed: int,
    fixed: "set[tuple[str, str]] | None" = None,
    method: str = "correlated",
    correlations: Correlations | None = None,
) -> dict[tuple[str, str], np.ndarray]:
    """Seeded PERT draws over every assumption's low-high range, mode at the scenario value: (scope, key) -> array.

    ``method='correlated'`` (default): the joint draws of :func:`draw_inputs` (shared quantities,
    declared rank correlations), for the assumptions the model uses. ``method='independent'``: the
    earlier sampler, every assumption of every scope drawn on its own from one stream (kept to
    compare with). Assumptions in ``fixed`` (e.g. set explicitly by the scenario) stay at their value.
    """
    if method not in METHODS:
        raise ValueError(f"method {method!r}; expected one of {METHODS}")
    if method == "correlated":
        frame = draw_inputs(model, values, draws, seed, fixed, correlations)
        return {k: frame[key_name(k)].to_numpy() for k in _model_keys(model)}
    rng = np.random.default_rng(seed)
    table = model.book.table
    out = {}
    for k in sorted(values.index):
        row = table.loc[k]
        if (fixed and k in fixed) or row["high"] <= row["low"]:
            out[k] = np.full(draws, float(values[k]))
        else:
            out[k] = pert_draws(rng, row["low"], float(values[k]), row["high"], draws)
    return out


def monte_carlo(
    model: ProjectModel,
    values: pd.Series,
    draws: int = DEFAULT_DRAWS,
    seed: int = DEFAULT_SEED,
    target_share: float = 0.10,
    net_budget_gbp: float | None = None,
    fixed: "set[tuple[str, str]] | None" = None,
    chunk: int = 20_000,
    method: str = "correlated",
    correlations: Correlations | None = None,
) -> MonteCarloResult:
    """Net present saving of each option over seeded draws of every assumption.

    ``target_share``: the steady-state saving target as a share of ``net_budget_gbp`` (the
    baseline net budget); an option meets it when its final-year saving reaches it. ``method`` and
    ``correlations``: how the inputs are drawn together (see :func:`draw_values`); by default shared
    quantities take common random numbers and the declared rank correlations apply, so comparisons
    between options carry no noise from drawing one real quantity twice. ``result.inputs`` holds
    the draw matrix (one ``<scope>.<key>`` column per assumption) for value-of-information work.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    if method not in METHODS:
        raise ValueError(f"method {method!r}; expected one of {METHODS}")
    if method == "correlated":
        inputs = draw_inputs(model, values, draws, seed, fixed, correlations)
        sampled = {k: inputs[key_name(k)].to_numpy() for k in _model_keys(model)}
    else:
        sampled = draw_values(model, values, draws, seed, fixed, method="independent")
        inputs = pd.DataFrame({key_name(k): sampled[k] for k in _model_keys(model)})
    target = target_share * (net_budget_gbp if net_budget_gbp is not None else 0.0)
    nps_parts, final_parts = [], []
    for start in range(0, draws, chunk):
        part = {k: v[start : start + chunk] for k, v in sampled.items()}
        flows = model.evaluate(part)
        totals = {o: model.total(c) for o, c in flows.items()}
        sq = totals[STATUS_QUO]
        nps_parts.append({o: (sq - t) @ model.factors for o, t in totals.items()})
        final_parts.append({o: (sq - t)[:, -1] for o, t in totals.items()})
    nps = pd.DataFrame({o: np.concatenate([p[o] for p in nps_parts]) for o in model.options})
    final = {o: np.concatenate([p[o] for p in final_parts]) for o in model.options}
    rows = []
    for o in model.options:
        v = nps[o].to_numpy()
        rows.append(
            {
                "option": o,
                "mean": v.mean(),
                "p10": np.percentile(v, 10),
                "p50": np.percentile(v, 50),
                "p90": np.percentile(v, 90),
                "p_positive": float((v > 0).mean()),
                "p_meets_target": float((final[o] >= target).mean()) if o != STATUS_QUO else 0.0,
            }
        )
    return MonteCarloResult(
        summary=pd.DataFrame(rows), draws=nps, target_gbp=target, seed=seed, n_draws=draws, inputs=inputs, method=method
    )
