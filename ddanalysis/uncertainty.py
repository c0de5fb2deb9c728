"""How sure are we: one-way sensitivity (tornado), switching values and Monte Carlo.

All three work on a :class:`~ddanalysis.model.ProjectModel` and the assumption values of a scenario;
they evaluate the model on arrays (one row per case), so a whole tornado or 10,000 Monte Carlo draws
are one vectorised pass. Money in GBP, real base-year prices.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from .model import ProjectModel
from .registry import STATUS_QUO

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20150401
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
    keys = sorted({k for opt in model.options if opt != STATUS_QUO for k in model.varying_keys(opt) if _varying(model, k)})
    if not keys:
        return pd.DataFrame(columns=["option", "scope", "key", "description", "unit", "low", "high", "nps_base",
                                     "nps_at_low", "nps_at_high", "swing", "rank"])
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
            rows.append({"option": opt, "scope": k[0], "key": k[1], "description": table.loc[k, "description"],
                         "unit": table.loc[k, "unit"], "low": table.loc[k, "low"], "high": table.loc[k, "high"],
                         "nps_base": nps[opt][-1], "nps_at_low": lo, "nps_at_high": hi, "swing": abs(hi - lo)})
    out = pd.DataFrame(rows).sort_values(["option", "swing"], ascending=[True, False], kind="stable")
    out["rank"] = out.groupby("option").cumcount() + 1
    return out.reset_index(drop=True)


def _crossing(f, grid: np.ndarray, gaps: np.ndarray, centre: float) -> float | None:
    """The root of f nearest ``centre`` from sign changes of ``gaps`` on ``grid`` (None if none)."""
    sign = np.sign(gaps)
    idx = [i for i in range(len(grid) - 1) if sign[i] == 0 or sign[i] * sign[i + 1] < 0]
    if sign[-1] == 0:
        idx.append(len(grid) - 1)
    if not idx:
        return None
    roots = []
    for i in idx:
        if sign[i] == 0:
            roots.append(grid[i])
        else:
            roots.append(brentq(f, grid[i], grid[i + 1], xtol=1e-12, rtol=1e-12))
    return float(min(roots, key=lambda r: abs(r - centre)))


def switching_values(model: ProjectModel, values: pd.Series, options: list[str] | None = None) -> pd.DataFrame:
    """For each option and assumption, the value at which the option stops beating the status quo
    (net present saving = 0) and the value at which it draws level with the next-best option.

    Searched over the assumption's allowed range (levers.yaml bounds); None = "none in range".
    Columns: option, scope, key, description, unit, value, switch_vs_status_quo, next_best,
    switch_vs_next_best.
    """
    table = model.book.table
    base = {k: float(v) for k, v in values.items()}
    base_nps = {o: float(v[0]) for o, v in model.net_present_savings(base).items()}
    rows = []
    for opt in options or [o for o in model.options if o != STATUS_QUO]:
        others = {o: v for o, v in base_nps.items() if o != opt}
        next_best = max(others, key=others.get)
        for k in model.varying_keys(opt):
            if not _varying(model, k):
                continue
            lo, hi = table.loc[k, "bound_low"], table.loc[k, "bound_high"]
            grid = np.linspace(lo, hi, GRID_POINTS)
            cases = {kk: np.full(GRID_POINTS, v) for kk, v in base.items()}
            cases[k] = grid
            pair = [opt, next_best]
            nps = model.net_present_savings(cases, options=pair)

            def gap_sq(x: float) -> float:
                return float(model.net_present_savings({**base, k: x}, options=[opt])[opt][0])

            def gap_nb(x: float) -> float:
                r = model.net_present_savings({**base, k: x}, options=pair)
                return float(r[opt][0] - r[next_best][0])

            centre = base[k]
            rows.append({
                "option": opt, "scope": k[0], "key": k[1], "description": table.loc[k, "description"],
                "unit": table.loc[k, "unit"], "value": centre,
                "switch_vs_status_quo": _crossing(gap_sq, grid, nps[opt], centre),
                "next_best": next_best,
                "switch_vs_next_best": _crossing(gap_nb, grid, nps[opt] - nps[next_best], centre),
            })
    return pd.DataFrame(rows)


def pert_draws(rng: np.random.Generator, low: float, mode: float, high: float, n: int) -> np.ndarray:
    """Draws from a PERT distribution on [low, high] with the given mode (constant if low == high)."""
    if high <= low:
        return np.full(n, float(low))
    mode = min(max(mode, low), high)
    alpha = 1.0 + 4.0 * (mode - low) / (high - low)
    beta = 1.0 + 4.0 * (high - mode) / (high - low)
    return low + (high - low) * rng.beta(alpha, beta, size=n)


@dataclass(frozen=True)
class MonteCarloResult:
    """Monte Carlo draws and their summary (GBP, real)."""

    summary: pd.DataFrame   # option, mean, p10, p50, p90, p_positive, p_meets_target
    draws: pd.DataFrame     # one column per option: net present saving of each draw
    target_gbp: float       # steady-state annual saving needed to meet the target
    seed: int
    n_draws: int


def draw_values(model: ProjectModel, values: pd.Series, draws: int, seed: int,
                fixed: "set[tuple[str, str]] | None" = None) -> dict[tuple[str, str], np.ndarray]:
    """Seeded PERT draws (independent) over every assumption's low-high range, mode at the scenario value.

    Assumptions in ``fixed`` (e.g. set explicitly by the scenario) stay at their value.
    """
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


def monte_carlo(model: ProjectModel, values: pd.Series, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                target_share: float = 0.10, net_budget_gbp: float | None = None,
                fixed: "set[tuple[str, str]] | None" = None, chunk: int = 20_000) -> MonteCarloResult:
    """Net present saving of each option over seeded draws of every assumption.

    ``target_share``: the steady-state saving target as a share of ``net_budget_gbp`` (the
    baseline net budget); an option meets it when its final-year saving reaches it.
    """
    if draws < 1:
        raise ValueError("draws must be at least 1")
    sampled = draw_values(model, values, draws, seed, fixed)
    target = target_share * (net_budget_gbp if net_budget_gbp is not None else 0.0)
    nps_parts, final_parts = [], []
    for start in range(0, draws, chunk):
        part = {k: v[start:start + chunk] for k, v in sampled.items()}
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
        rows.append({"option": o, "mean": v.mean(), "p10": np.percentile(v, 10), "p50": np.percentile(v, 50),
                     "p90": np.percentile(v, 90), "p_positive": float((v > 0).mean()),
                     "p_meets_target": float((final[o] >= target).mean()) if o != STATUS_QUO else 0.0})
    return MonteCarloResult(summary=pd.DataFrame(rows), draws=nps, target_gbp=target, seed=seed, n_draws=draws)
