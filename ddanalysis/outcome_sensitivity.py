"""The one-way sensitivity (tornado) of the outcome quantities, beside the cost assumptions'.

One job: swing each ranged outcome quantity (``repeat-victimisation/outsourcing.effect``,
``repeat-victimisation/project.deadweight``, ...) to its low and to its high value, every other
quantity at the case's value (what-if overrides held), and give the rows of the tornado on the
measure the perspective ranks with benefits: the option's net present saving plus the benefits the
perspective counts (:func:`ddanalysis.public_value.treatment`; in the ``social`` perspective the net
present social value). Money: GBP, real base-year prices.

When the project monetises outcomes, the cost assumptions' rows are put on the same measure: the
option's counted benefits at the case's values are added to their net present saving (a constant per
option, so their swings do not change), except the ``ramp_up_years`` lever, which ramps benefits as it
ramps savings: its rows take the counted benefits with the ramp at its low and at its high value.
An outcome quantity that does not move the counted benefits of an option (in the
``council`` perspective, one whose value falls on other agencies or is not cashable) is left out of
that option's rows and named in the tornado's note (:func:`ddanalysis.presentation.text.tornado_note`).

Nothing here mutates its inputs.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import public_value as pv
from .keys import parse_key
from .registry import STATUS_QUO

#: A yearly series: the discount factors, shape (T,).
Vector = Sequence[float] | np.ndarray

#: A swing (GBP) below this is no movement at all (rounding of sums of products).
NO_SWING_GBP = 1e-6


def _outcome_of(outcomes: "pv.ProjectOutcomes", key: str) -> "pv.Outcome":
    """The outcome an outcome quantity's key belongs to (the key's part before the slash is its id)."""
    outcome_id = parse_key(key).service
    return next(o for o in outcomes.outcomes if o.id == outcome_id)


def outcome_label(outcomes: "pv.ProjectOutcomes", key: str) -> tuple[str, str]:
    """(description, unit) of an outcome quantity's key: the outcome's description and the quantity's
    name; unit ``number a year`` for a cohort (with what it counts), else ``share``."""
    parsed = parse_key(key)
    outcome = _outcome_of(outcomes, key)
    name = parsed.key.replace("_", " ")
    if parsed.key == "cohort":
        return f"{outcome.description}: {name}", f"number a year ({outcome.cohort.description})"
    return f"{outcome.description}: {name}", "share"


def _in_words(outcomes: "pv.ProjectOutcomes", keys_by_option: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Each option's outcome quantity keys in words, one entry per outcome: its description and its quantities
    ('Victims supported ... within a year (cohort, baseline rate, effect)')."""
    out: dict[str, list[str]] = {}
    for opt, keys in keys_by_option.items():
        grouped: dict[str, list[str]] = {}
        for key in keys:
            description = _outcome_of(outcomes, key).description
            grouped.setdefault(description, []).append(parse_key(key).key.replace("_", " "))
        out[opt] = [f"{d} ({', '.join(names)})" for d, names in grouped.items()]
    return out


def _cases(quantities: Mapping[str, "pv.Quantity"], case: str, overrides: Mapping[str, float]) -> pd.DataFrame:
    """2K + 1 rows of outcome values, one column per key: row 2i = key i at its low value, row 2i+1 at its
    high value, the last row the case; every other value the case's (an override where given)."""
    keys = list(quantities)
    base = {k: float(overrides.get(k, quantities[k].pick(case))) for k in keys}
    frame = pd.DataFrame({k: np.full(2 * len(keys) + 1, v) for k, v in base.items()})
    for i, k in enumerate(keys):
        lo, hi = quantities[k].bounds()
        frame.loc[2 * i, k] = lo
        frame.loc[2 * i + 1, k] = hi
    return frame


def counted_benefit_cases(
    outcomes: "pv.ProjectOutcomes",
    library: Any,
    option: str,
    cases: pd.DataFrame,
    *,
    live_share: np.ndarray,
    factors: Vector,
    deflator: Mapping[str, float],
    base_year: str,
    case: str,
    perspective: str,
) -> np.ndarray:
    """The option's present value of the benefits the perspective counts in each row of ``cases``
    (one column per outcome key), shape (rows,), GBP (:func:`ddanalysis.public_value.present_value_draws`)."""
    pvs = pv.present_value_draws(
        outcomes,
        library,
        option,
        live_share=live_share,
        discount_factors=factors,
        deflator=deflator,
        draws=cases,
        base_year=base_year,
        scenario=case,
    )
    return sum((v for (a, k), v in pvs.items() if pv.treatment(perspective, a, k) == "counted"), np.zeros(len(cases)))


def _option_rows(
    outcomes: "pv.ProjectOutcomes", opt: str, quantities: Mapping[str, "pv.Quantity"], nps: float, counted: np.ndarray
) -> tuple[list[dict[str, Any]], list[str]]:
    """The tornado rows of one option's outcome quantities (measure: ``nps`` + counted benefits, GBP) and
    the keys left out because they do not move the counted benefits."""
    rows, left_out = [], []
    for i, key in enumerate(quantities):
        lo, hi = nps + counted[2 * i], nps + counted[2 * i + 1]
        if abs(hi - lo) <= NO_SWING_GBP:
            left_out.append(key)
            continue
        parsed = parse_key(key)
        description, unit = outcome_label(outcomes, key)
        q_lo, q_hi = quantities[key].bounds()
        rows.append(
            {
                "option": opt,
                "scope": f"{parsed.service}/{parsed.scope}",
                "key": parsed.key,
                "description": description,
                "unit": unit,
                "low": q_lo,
                "high": q_hi,
                "nps_base": nps + counted[-1],
                "nps_at_low": lo,
                "nps_at_high": hi,
                "swing": abs(hi - lo),
            }
        )
    return rows, left_out


def outcome_sensitivity(
    outcomes: "pv.ProjectOutcomes",
    library: Any,
    *,
    nps: Mapping[str, float],
    ramps: Mapping[str, np.ndarray],
    factors: Vector,
    deflator: Mapping[str, float],
    base_year: str,
    case: str,
    perspective: str,
    overrides: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, dict[str, float], dict[str, list[str]]]:
    """Each option's outcome quantities swung one at a time, on net present saving + counted benefits.

    ``nps``: option id -> net present saving at the case's values (GBP); ``ramps``: option id -> share of
    benefits realised each year, shape (T,); ``factors``: the costs' discount factors (T,); ``case``:
    the outcome file's case (``central``, ``low``, ``high``); ``overrides``: outcome keys held at a value.
    Returns (rows with the sensitivity columns but ``rank``, not sorted; option id -> counted benefits
    at the case's values, GBP; option id -> keys left out because they move none of its counted benefits).
    """
    rows: list[dict[str, Any]] = []
    base: dict[str, float] = {}
    left_out: dict[str, list[str]] = {}
    for opt, saving in nps.items():
        quantities = {k: q for k, q in pv.option_quantities(outcomes, opt).items() if q.value is None}
        if opt == STATUS_QUO or not quantities:
            continue
        cases = _cases(quantities, case, overrides or {})
        counted = counted_benefit_cases(
            outcomes,
            library,
            opt,
            cases,
            live_share=np.asarray(ramps[opt], dtype=float),
            factors=factors,
            deflator=deflator,
            base_year=base_year,
            case=case,
            perspective=perspective,
        )
        base[opt] = float(counted[-1])
        option_rows, left_out[opt] = _option_rows(outcomes, opt, quantities, float(saving), counted)
        rows += option_rows
    return pd.DataFrame(rows), base, left_out


def combined(cost_rows: pd.DataFrame, outcome_rows: pd.DataFrame, counted: Mapping[str, float]) -> pd.DataFrame:
    """The tornado frame: the cost assumptions' rows moved onto net present saving + counted benefits
    (``counted``: option id -> counted benefits at the case's values, GBP, added to their ``nps_*``
    columns) with the outcome rows, ranked by swing within each option (``rank`` 1 = widest). A new frame."""
    cost = cost_rows.copy()
    if not cost.empty:
        shift = cost["option"].map(lambda o: counted.get(o, 0.0)).astype(float)
        for col in ("nps_base", "nps_at_low", "nps_at_high"):
            cost[col] = cost[col].astype(float) + shift
    parts = [f for f in (cost.drop(columns=["rank"], errors="ignore"), outcome_rows) if not f.empty]
    if not parts:
        return cost_rows.copy()
    out = pd.concat(parts, ignore_index=True).sort_values(["option", "swing"], ascending=[True, False], kind="stable")
    out["rank"] = out.groupby("option").cumcount() + 1
    return out.reset_index(drop=True)


#: The cost lever that ramps benefits as well as savings (:func:`ddanalysis.benefits.benefit_ramp`).
RAMP_KEY = "ramp_up_years"


def with_ramp_benefits(cost_rows: pd.DataFrame, counted_at: Callable[[str, float | None], float]) -> pd.DataFrame:
    """``cost_rows`` with each ``ramp_up_years`` row's ends moved by how the counted benefits change with the
    ramp: ``nps_at_low`` + (counted at the low ramp - counted at the case's ramp), the same at high, and its
    swing again. ``counted_at(option, ramp years)``: counted benefits (GBP) with the ramp at that value, and
    at the case's ramp when given None. A new frame."""
    out = cost_rows.copy()
    if out.empty:
        return out
    for i in out.index[out["key"] == RAMP_KEY]:
        opt = str(out.at[i, "option"])
        base = counted_at(opt, None)
        for end in ("low", "high"):
            moved = counted_at(opt, float(out.at[i, end])) - base
            out.at[i, f"nps_at_{end}"] = float(out.at[i, f"nps_at_{end}"]) + moved
        out.at[i, "swing"] = abs(float(out.at[i, "nps_at_high"]) - float(out.at[i, "nps_at_low"]))
    return out


def _counted_at(
    outcomes: "pv.ProjectOutcomes",
    library: Any,
    opt: str,
    years: float | None,
    *,
    ramps: Mapping[str, np.ndarray],
    ramp_for: Callable[[str, float], np.ndarray],
    held: Mapping[str, float],
    factors: Vector,
    deflator: Mapping[str, float],
    base_year: str,
    case: str,
    perspective: str,
) -> float:
    """The option's counted benefits (GBP) with its benefit ramp at ``years`` of ramp-up (None: the case's
    ramp, ``ramps[opt]``), every outcome quantity at the case's value (``held`` overrides kept)."""
    live = np.asarray(ramps[opt] if years is None else ramp_for(opt, years), dtype=float)
    quantities = pv.option_quantities(outcomes, opt)
    values = pd.DataFrame({k: [float(held.get(k, q.pick(case)))] for k, q in quantities.items()})
    return float(
        counted_benefit_cases(
            outcomes,
            library,
            opt,
            values,
            live_share=live,
            factors=factors,
            deflator=deflator,
            base_year=base_year,
            case=case,
            perspective=perspective,
        )[0]
    )


def _monetised(project_id: str, library: Any) -> "pv.ProjectOutcomes | None":
    """The project's outcome model when it monetises outcomes; None without an outcome file or monetised outcome."""
    from .errors import DataFileError

    try:
        model = pv.load_outcomes(project_id, library=library)
    except DataFileError as exc:
        if "not found" not in str(exc):
            raise
        return None
    return model if model.monetisable else None


def _cost_rows_with_ramp(
    result: Any,
    outcomes: Any,
    library: Any,
    *,
    ramps: Mapping[str, np.ndarray],
    factors: Vector,
    deflator: Mapping[str, float],
    overrides: Mapping[str, float] | None,
    ramp_for: Callable[[str, float], np.ndarray],
) -> pd.DataFrame:
    """``result.sensitivity`` with its ``ramp_up_years`` rows moved by the benefits counted at each ramp
    (:func:`with_ramp_benefits`, :func:`_counted_at`; GBP, present values)."""
    from .benefits import outcome_scenario

    held = pv.checked_overrides(outcomes, overrides) if overrides else {}
    counted_at = functools.partial(
        _counted_at,
        outcomes,
        library,
        ramps=ramps,
        ramp_for=ramp_for,
        held=held,
        factors=factors,
        deflator=deflator,
        base_year=result.base_year,
        case=outcome_scenario(result.scenario),
        perspective=result.perspective,
    )
    return with_ramp_benefits(result.sensitivity, counted_at)


def with_outcome_sensitivity(
    result: Any,
    *,
    ramps: Mapping[str, np.ndarray],
    factors: Vector,
    deflator: Mapping[str, float],
    overrides: Mapping[str, float] | None = None,
    ramp_for: Callable[[str, float], np.ndarray] | None = None,
) -> Any:
    """``result`` (an :class:`~ddanalysis.result.AppraisalResult`) with the outcome quantities in its
    ``sensitivity`` frame, the cost rows on the same measure, ``sensitivity_measure`` and ``sensitivity_note``
    (:func:`ddanalysis.presentation.text.tornado_measure`, :func:`~ddanalysis.presentation.text.tornado_note`).

    ``ramps``: option id -> share of benefits realised each year (T,); ``factors``: the costs' discount
    factors (T,); ``deflator``: GDP deflator by financial year; ``overrides``: outcome keys held at a value;
    ``ramp_for(option, ramp_up_years)``: the option's benefit ramp (T,) with that lever value, to move the
    ``ramp_up_years`` rows (:func:`with_ramp_benefits`; None: those rows are shifted like the others).
    A project without monetised outcomes comes back unchanged. Not mutated: a new result.
    """
    from .benefits import outcome_scenario
    from .presentation import text
    from .unit_costs import load_library

    library = load_library()
    outcomes = _monetised(result.project_id, library)
    if outcomes is None:
        return result
    nps = dict(zip(result.options["id"], result.options["net_present_saving_gbp"].astype(float)))
    rows, counted, left_out = outcome_sensitivity(
        outcomes,
        library,
        nps=nps,
        ramps=ramps,
        factors=factors,
        deflator=deflator,
        base_year=result.base_year,
        case=outcome_scenario(result.scenario),
        perspective=result.perspective,
        overrides=pv.checked_overrides(outcomes, overrides) if overrides else {},
    )
    cost = result.sensitivity
    if ramp_for is not None:
        cost = _cost_rows_with_ramp(
            result,
            outcomes,
            library,
            ramps=ramps,
            factors=factors,
            deflator=deflator,
            overrides=overrides,
            ramp_for=ramp_for,
        )
    names = dict(zip(result.options["id"], result.options["name"]))
    with_benefits = bool(len(rows)) or any(abs(v) > NO_SWING_GBP for v in counted.values())
    return dataclasses.replace(
        result,
        sensitivity=combined(cost, rows, counted),
        sensitivity_measure=text.tornado_measure(result.perspective, with_benefits),
        sensitivity_note=text.tornado_note(result.perspective, _in_words(outcomes, left_out), names),
    )
