"""Deciding under uncertainty, wired into the appraisal: the decision measures of one
appraisal from its own Monte Carlo draws, and the Sobol indices from their own design.

:func:`decision_measures` takes the draws an appraisal already made (``result.mc_draws``: net present
saving per option; ``result.mc_inputs``: every assumption by ``<scope>.<key>``) and returns a
:class:`DecisionMeasures`: probability best, the acceptability curve, EVPI, partial EVPI of every
varying assumption and of every declared correlation group (``group:NAME``), and failure rules for
each short-listed option. :func:`with_decision` puts them on a result (the options frame's ``p_best``
column, ``result.decision``, and the recommendation sentence's "best in NN% of simulations"), so the
dashboard can add them to a result computed without them (on the risk tab's first opening). The
recommendation rule itself does not change.

:func:`sobol_measures` runs the model on its own Saltelli design (inputs sampled independently, PERT
marginals) for the net present saving of the focus option and the gap to the runner-up.

The methods, estimators and references are in ``docs/decision.md``; the words the outputs show are in
:mod:`ddanalysis.presentation.text` (``DECISION_NOTES``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .decision import acceptability, evpi, probability_best
from .failure import failure_rules, short_description
from .mca import rule_choice_set
from .run_defaults import RUN_DEFAULTS
from .voi import GROUP_PREFIX, evppi

if TYPE_CHECKING:
    from .model import ProjectModel
    from .result import AppraisalResult

STATUS_QUO = "in-house"
#: A failure rule is reported only when at least this share of the draws it describes fail (a rule
#: "X loses money when ..." that holds in fewer than half its own draws would mislead a reader).
MIN_RULE_DENSITY = 0.5
#: Base points of the Sobol design in the appraisal (n x (D + 2) model evaluations for D inputs).
SOBOL_BASE = 256


@dataclass(frozen=True)
class DecisionMeasures:
    """The decision measures of one appraisal (GBP, real base-year prices, the appraisal's perspective).

    - ``p_best``: option id -> share of draws in which it has the highest net present saving (sums to 1);
    - ``evpi_gbp``: expected value of perfect information for the decision;
    - ``evppi``: columns ``key, evppi_gbp`` (varying assumptions ``<scope>.<key>``, then groups ``group:NAME``);
    - ``acceptability``: columns ``threshold_gbp, option, p_reaches, p_best`` (thresholds 0 to the largest P90);
    - ``failure_rules``: option id -> ``[{text, coverage, density}]`` (short-listed options, not the status quo);
    - ``groups``: correlation group name -> the assumption keys (``<scope>.<key>``) it covers in this project;
    - ``sobol``: columns ``output, key, s1, s1_conf, st, st_conf`` (outputs ``nps`` and ``gap``) or None
      when not computed, with ``sobol_option`` / ``sobol_runner_up``, ``sobol_n_base`` and
      ``sobol_evaluations``;
    - ``draws``: the draws behind the measures;
    - ``choice_set``: the options EVPI and partial EVPI choose among (:func:`rule_choice_set`; empty: every
      option). Probability best and the acceptability curve describe every option.
    """

    p_best: Mapping[str, float]
    evpi_gbp: float
    evppi: pd.DataFrame
    acceptability: pd.DataFrame
    failure_rules: Mapping[str, list]
    groups: Mapping[str, list] = field(default_factory=dict)
    draws: int = 0
    sobol: pd.DataFrame | None = None
    sobol_option: str | None = None
    sobol_runner_up: str | None = None
    sobol_n_base: int = 0
    sobol_evaluations: int = 0
    choice_set: tuple[str, ...] = ()


def varying_inputs(inputs: pd.DataFrame) -> pd.DataFrame:
    """The columns of the draw matrix that vary (constants have no value of information)."""
    v = inputs.to_numpy(dtype=float)
    keep = np.ptp(v, axis=0) > 0 if len(v) else np.zeros(v.shape[1], dtype=bool)
    return inputs.loc[:, keep]


def correlation_groups(columns, correlations=None) -> dict[str, list[str]]:
    """Each declared correlation group -> the draw-matrix columns it covers in this project.

    A group names lever keys bare (``staff_cost_change``: that lever in every option) or
    ``project.<key>``; a group of the ``outcome_correlations`` section names outcome quantities in full
    (``repeat-victimisation/outsourcing.effect``), read when ``columns`` hold outcome quantities (keys with a
    ``/``, the social perspective's draws) and ``correlations`` is not given. Groups with no column among
    ``columns`` are left out.
    """
    from .sampling import load_correlations

    corr = load_correlations() if correlations is None else correlations
    cols = [str(c) for c in columns]
    groups = corr.groups
    if correlations is None and any("/" in c for c in cols):
        from .public_value import bundled_outcome_keys
        from .sampling import load_outcome_correlations

        groups = (*groups, *load_outcome_correlations(bundled_outcome_keys()).groups)
    out: dict[str, list[str]] = {}
    for g in groups:
        members = {k for a, b, _ in g.pairs for k in (a, b)}
        keys = [c for c in cols if c in members or c.partition(".")[2] in members and not c.startswith("project.")]
        if keys:
            out[g.name] = keys
    return out


def assumption_labels(assumptions: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """``<scope>.<key>`` -> (description, unit), to word failure rules and value-of-information rows."""
    return {
        f"{s}.{k}": (str(d), str(u))
        for s, k, d, u in zip(assumptions["scope"], assumptions["key"], assumptions["description"], assumptions["unit"])
    }


def decision_measures(
    nps: pd.DataFrame,
    inputs: pd.DataFrame,
    assumptions: pd.DataFrame | None = None,
    names: Mapping[str, str] | None = None,
    correlations=None,
    with_failure_rules: bool = True,
    choice_set: Sequence[str] | None = None,
) -> DecisionMeasures:
    """The decision measures from draws: ``nps`` (draws x option ids, GBP) and ``inputs`` (draws x
    ``<scope>.<key>``, same rows). ``assumptions``: the appraisal's assumptions table (scope, key,
    description, unit) to word the failure rules; ``names``: option id -> display name; ``choice_set``: the
    options EVPI and partial EVPI choose among (:func:`rule_choice_set`; None: every option)."""
    inputs = inputs.reset_index(drop=True)
    nps = nps.reset_index(drop=True)
    choice = [str(c) for c in nps.columns] if choice_set is None else [str(c) for c in choice_set]
    chosen = nps[choice]
    vary = varying_inputs(inputs)
    groups = correlation_groups(vary.columns, correlations)
    part = evppi(chosen, vary, groups)
    labels = assumption_labels(assumptions) if assumptions is not None else None
    rules = _failure_rules_by_option(nps, vary, labels, names) if with_failure_rules else {}
    return DecisionMeasures(
        p_best={str(k): float(v) for k, v in probability_best(nps).items()},
        evpi_gbp=float(evpi(chosen)),
        evppi=part,
        acceptability=acceptability(nps),
        failure_rules=rules,
        groups=groups,
        draws=int(len(nps)),
        choice_set=tuple(choice),
    )


def _failure_rules_by_option(
    nps: pd.DataFrame,
    vary: pd.DataFrame,
    labels: Mapping[str, tuple[str, str]] | None,
    names: Mapping[str, str] | None,
) -> dict[str, list]:
    """Each short-listed option's failure rules (not the status quo's): the box in which it loses money, from its
    own and the project's assumptions, and the box in which it is not the best option, from those and its main
    rivals' (:func:`ddanalysis.failure.failure_rules`); only rules whose density reaches MIN_RULE_DENSITY."""
    rules: dict[str, list] = {}
    for opt in nps.columns:
        if opt == STATUS_QUO:
            continue
        who = (names or {}).get(opt, opt)
        # an option's own saving moves only with its own and the project's assumptions
        own = vary[[c for c in vary.columns if c.startswith((f"{opt}.", "project."))]]
        v = nps.to_numpy(dtype=float)
        j = list(nps.columns).index(opt)
        not_best = v.max(axis=1) > v[:, j] + 1e-6
        # whether it is best moves with its own, the project's and its main rivals' assumptions: the
        # (at most two) options that are best most often in the draws where it is not
        winners = v[not_best].argmax(axis=1)
        counts = np.bincount(winners, minlength=v.shape[1]) if len(winners) else np.zeros(v.shape[1], int)
        rivals = [str(nps.columns[i]) for i in np.argsort(-counts, kind="stable")[:2] if counts[i] > 0]
        theirs = vary[
            [c for c in vary.columns if c.startswith((f"{opt}.", "project.")) or c.partition(".")[0] in rivals]
        ]
        # a rival's assumption is worded with the rival's name ("... for Joint venture")
        rival_labels = dict(labels or {})
        for c in theirs.columns:
            scope = c.partition(".")[0]
            if scope in rivals and c in rival_labels:
                desc, unit = rival_labels[c]
                rname = str((names or {}).get(scope, scope)).split(" (")[0]
                rival_labels[c] = (f"{short_description(desc)} for {rname}", unit)
        found = failure_rules(
            own, v[:, j] < 0, labels=labels, outcome=f"{who} loses money", max_rules=1
        ) + failure_rules(
            theirs, not_best, labels=rival_labels or None, outcome=f"{who} is not the best option", max_rules=1
        )
        rules[str(opt)] = [r for r in found if r["density"] >= MIN_RULE_DENSITY]
    return rules


def with_decision(result: "AppraisalResult", measures: DecisionMeasures | None = None) -> "AppraisalResult":
    """``result`` with the decision measures: ``decision``, the options frame's ``p_best`` column and
    the recommendation sentence with "best in NN% of simulations". A result without draws (or
    without its draw matrix) comes back unchanged. The recommended option is not changed."""
    if measures is None:
        if result.decision is not None:
            return result
        if result.mc_inputs is None or len(result.mc_draws) == 0:
            return result
        names = dict(zip(result.options["id"], result.options["name"]))
        values, inputs = decision_draws(result)
        choice = rule_choice_set(dict(zip(result.options["id"], result.options["mca_score"])), list(values.columns))
        measures = decision_measures(values, inputs, result.assumptions, names, choice_set=choice)
    options = result.options.copy()
    options["p_best"] = [measures.p_best.get(str(o), np.nan) for o in options["id"]]
    return dataclasses.replace(
        result, options=options, decision=measures, recommendation=recommendation_text(result, options)
    )


def decision_draws(result: "AppraisalResult") -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values by option, inputs) the decision measures compare, one row per draw: the net present saving
    and the cost assumptions; in the social perspective, the net present social value (saving plus every
    benefit, :func:`ddanalysis.benefits.benefit_draws`) and the outcome quantities drawn with it."""
    draws = (getattr(result, "public_value", None) or {}).get("draws")
    costs = result.mc_inputs if result.mc_inputs is not None else pd.DataFrame(index=range(len(result.mc_draws)))
    if result.perspective != "social" or draws is None:
        return result.mc_draws, costs
    return draws["net_present_value"], pd.concat(
        [costs.reset_index(drop=True), draws["inputs"].reset_index(drop=True)], axis=1
    )


def recommendation_text(result: "AppraisalResult", options: pd.DataFrame) -> str:
    """The recommendation sentence of ``result`` again, with probability best when ``options`` has it."""
    from . import mca
    from .presentation import text

    opts = options.set_index("id")
    sq_mca = float(opts.loc[STATUS_QUO, "mca_score"])
    sentence = partial(
        text.recommendation_sentence,
        status_quo_mca=sq_mca,
        have_monte_carlo=len(result.mc_draws) > 0,
        perspective=result.perspective,
        base_year=result.base_year,
        horizon_years=result.horizon_years,
    )
    default_note = text.mca_default_note(mca.scores_are_default(result.mca_scores))
    if result.recommended == STATUS_QUO:
        p = opts.loc[STATUS_QUO].get("p_best") if "p_best" in opts.columns else None
        return sentence(None, p_best=p) + default_note
    row = opts.loc[result.recommended]
    best = {"name": row["name"], **row.to_dict()}
    return sentence(best, p_best=best.get("p_best")) + default_note


def runner_up(nps_means: Mapping[str, float], focus: str) -> str | None:
    """The option with the highest mean saving other than ``focus`` (status quo included)."""
    others = {o: v for o, v in nps_means.items() if o != focus}
    return max(others, key=others.__getitem__) if others else None


def sobol_measures(
    model: "ProjectModel",
    values: pd.Series,
    fixed: set,
    focus: str,
    other: str | None,
    n: int = SOBOL_BASE,
    seed: int = RUN_DEFAULTS.seed,
) -> tuple[pd.DataFrame, int, int]:
    """First-order and total Sobol indices of ``focus``'s net present saving (output ``nps``) and of
    its gap to ``other`` (output ``gap``: NPS(focus) - NPS(other)), over every assumption the
    Monte Carlo varies (PERT marginals, sampled independently; see :mod:`ddanalysis.sobol`).
    Returns (table, base points, model evaluations)."""
    from .sampling import key_name
    from .sobol import pert_ppf, sobol_indices
    from .uncertainty import _model_keys

    table = model.book.table
    problem, consts = {}, {}
    by_name = {}
    for k in _model_keys(model):
        name = key_name(k)
        by_name[name] = k
        lo, hi, v = float(table.loc[k, "low"]), float(table.loc[k, "high"]), float(values[k])
        if k in fixed or not hi > lo:
            consts[name] = v
        else:
            problem[name] = pert_ppf(lo, v, hi)
    for k in values.index:  # assumptions of other scopes the model may read
        if key_name(k) not in problem:
            consts.setdefault(key_name(k), float(values[k]))
        by_name.setdefault(key_name(k), k)

    def func(x: dict) -> dict:
        nps = model.net_present_savings({by_name[name]: v for name, v in x.items()})
        out = {"nps": nps[focus]}
        if other is not None:
            out["gap"] = nps[focus] - nps[other]
        return out

    res = sobol_indices(func, problem, n=n, seed=seed, fixed=consts)
    return res, int(res.attrs["n_base"]), int(res.attrs["n_evaluations"])


def evppi_frame(measures: DecisionMeasures) -> pd.DataFrame:
    """``key, evppi_gbp, is_group`` sorted by value (largest first)."""
    e = measures.evppi.copy()
    e["is_group"] = e["key"].str.startswith(GROUP_PREFIX)
    return e.sort_values("evppi_gbp", ascending=False, kind="stable").reset_index(drop=True)


def summary_dict(measures: DecisionMeasures) -> dict[str, Any]:
    """The JSON-ready ``p_best``, ``evpi_gbp``, ``acceptability`` and ``evppi`` (as :func:`ddanalysis.voi.summary`),
    and ``value_of_information_options``, the options EVPI and partial EVPI choose among."""
    return {
        "p_best": dict(measures.p_best),
        "evpi_gbp": measures.evpi_gbp,
        "value_of_information_options": list(measures.choice_set),
        "acceptability": [
            {
                "threshold_gbp": float(r.threshold_gbp),
                "option": str(r.option),
                "p_reaches": float(r.p_reaches),
                "p_best": float(r.p_best),
            }
            for r in measures.acceptability.itertuples(index=False)
        ],
        "evppi": [{"key": str(r.key), "evppi_gbp": float(r.evppi_gbp)} for r in measures.evppi.itertuples(index=False)],
    }
