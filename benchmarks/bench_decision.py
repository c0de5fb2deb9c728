"""Deciding under uncertainty: the decision measures from 10,000 Monte Carlo draws against the plain
Monte Carlo of the same project in the same run; Sobol indices and failure rules in seconds.

The project is the one with the most options (six). Inputs: every assumption the Monte Carlo varies
(one column per ``scope.key``), drawn with the same seed as the Monte Carlo, so the table is the one a
``--draws-out`` file holds.
"""

import numpy as np
import pandas as pd
import pytest
from timing import LARGEST_PROJECT, best_of, central_model

from ddanalysis.decision import acceptability, evpi, probability_best
from ddanalysis.failure import failure_rules
from ddanalysis.registry import STATUS_QUO
from ddanalysis.sobol import pert_ppf, sobol_indices
from ddanalysis.uncertainty import draw_values, monte_carlo
from ddanalysis.voi import evppi, key_name

PID = LARGEST_PROJECT  # the longest short list: six options
DRAWS = 10_000
SEED = 1
SOBOL_BASE = 512


@pytest.fixture(scope="module")
def project():
    model, values = central_model(PID)
    result = monte_carlo(model, values, draws=DRAWS, seed=SEED)
    sampled = draw_values(model, values, DRAWS, SEED)
    inputs = pd.DataFrame({key_name(k): v for k, v in sampled.items() if np.ptp(v) > 0})
    return model, values, result, inputs


def _decision(nps: pd.DataFrame, inputs: pd.DataFrame):
    return probability_best(nps), acceptability(nps), evpi(nps), evppi(nps, inputs)


def test_decision_measures_vs_plain_monte_carlo(benchmark, ratio, project):
    model, values, result, inputs = project
    nps = result.draws
    assert nps.shape == (DRAWS, 6) and inputs.shape[1] >= 60
    baseline = best_of(lambda: monte_carlo(model, values, draws=DRAWS, seed=SEED))
    p_best, curve, total, partial = benchmark.pedantic(lambda: _decision(nps, inputs), rounds=3, iterations=1)
    assert p_best.sum() == pytest.approx(1.0)
    assert len(partial) == inputs.shape[1] and (partial["evppi_gbp"] <= total).all()
    benchmark.extra_info.update(
        {"draws": DRAWS, "inputs": inputs.shape[1], "options": nps.shape[1], "monte_carlo_s": baseline}
    )
    ratio(
        f"probability best + acceptability + EVPI + partial EVPI of {inputs.shape[1]} inputs, "
        f"{DRAWS} draws x {nps.shape[1]} options / the Monte Carlo itself",
        benchmark.stats["min"] / baseline,
        5.0,
    )


def test_sobol_indices_seconds(benchmark, project):
    """First-order and total indices of the recommended option's NPS and of the gap to the runner-up,
    over every varying input (PERT marginals, sampled independently), n = SOBOL_BASE base points."""
    model, values, result, inputs = project
    table = model.book.table
    keys = [k for k in sorted(values.index) if key_name(k) in inputs.columns]
    ranked = result.draws.mean().sort_values(ascending=False).index
    best, runner_up = ranked[0], ranked[1]
    problem = {key_name(k): pert_ppf(table.loc[k, "low"], values[k], table.loc[k, "high"]) for k in keys}
    fixed = {key_name(k): float(values[k]) for k in values.index if key_name(k) not in problem}
    by_name = {key_name(k): k for k in values.index}

    def func(x):
        nps = model.net_present_savings({by_name[name]: v for name, v in x.items()})
        return {"nps": nps[best], "gap": nps[best] - nps[runner_up]}

    out = benchmark.pedantic(lambda: sobol_indices(func, problem, n=SOBOL_BASE, fixed=fixed), rounds=1, iterations=1)
    assert len(out) == 2 * len(keys)
    benchmark.extra_info.update(
        {"inputs": len(keys), "evaluations": out.attrs["n_evaluations"], "seconds": benchmark.stats["min"]}
    )
    print(
        f"\nSobol indices: {len(keys)} inputs, {out.attrs['n_evaluations']} model evaluations, "
        f"{benchmark.stats['min']:.1f} s (target under 30 s)"
    )


def test_failure_rules_seconds(benchmark, project):
    """For every option but the status quo: when it loses money, and when it is not the best."""
    model, values, result, inputs = project
    nps = result.draws
    best = nps.to_numpy().argmax(axis=1)
    labels = {key_name(k): (row["description"], row["unit"]) for k, row in model.book.table.iterrows()}

    def rules():
        out = {}
        for j, opt in enumerate(nps.columns):
            if opt == STATUS_QUO:
                continue
            out[opt] = (
                failure_rules(inputs, nps[opt] < 0, labels=labels, outcome=f"{opt} loses money"),
                failure_rules(inputs, best != j, labels=labels, outcome=f"{opt} is not the best"),
            )
        return out

    out = benchmark.pedantic(rules, rounds=1, iterations=1)
    assert len(out) == nps.shape[1] - 1
    print(
        f"\nFailure rules for {len(out)} options (two outcomes each) from {DRAWS} draws x "
        f"{inputs.shape[1]} inputs: {benchmark.stats['min']:.1f} s"
    )


def test_appraise_with_decision_measures_vs_without(benchmark, ratio):
    """The whole appraisal (10,000 draws) with the decision measures (probability best, acceptability,
    EVPI, partial EVPI of every varying assumption and correlation group, failure rules) against the
    same appraisal without them (what the dashboard's first render pays)."""
    from ddanalysis.engine import appraise

    appraise(PID, draws=DRAWS, with_decision=True)  # imports (scikit-learn) and caches warm
    without = best_of(lambda: appraise(PID, draws=DRAWS, with_decision=False))
    res = benchmark.pedantic(lambda: appraise(PID, draws=DRAWS, with_decision=True), rounds=3, iterations=1)
    assert res.decision is not None
    benchmark.extra_info.update({"without_s": without})
    print(
        f"\nappraise({PID!r}, draws={DRAWS}): {without:.2f} s without, {benchmark.stats['min']:.2f} s with the "
        "decision measures"
    )
    ratio("appraise with the decision measures / without", benchmark.stats["min"] / without, 10.0)
