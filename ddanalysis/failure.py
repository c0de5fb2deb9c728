"""When an option fails, in plain words: scenario discovery on the Monte Carlo draws.

Given the inputs of each draw and which draws "fail" (the option loses money, or stops being the best),
find the simplest rules of the form "<input> is more than a and <input> is less than b" (a box on at
most two or three inputs) that describe most of the failing draws, each with

* coverage: the share of the failing draws that fall inside the box, and
* density: the share of the draws inside the box that fail

(the two measures of scenario discovery: Bryant BP, Lempert RJ. Thinking inside the box: a
participatory, computer-assisted approach to scenario discovery. *Technol Forecast Soc Change*
2010;77:34-49).

Method: a shallow classification tree (scikit-learn's ``DecisionTreeClassifier``, CART with Gini
impurity, depth = the most inputs a rule may use, classes weighted so that rare failures still get
leaves), rather than PRIM peeling: each leaf in which failures are over-represented is a box; each box
is then simplified (a limit is dropped when dropping it costs less than ``SIMPLIFY_DENSITY`` of
density), its limits rounded to two significant figures in the unit the reader sees, and coverage and
density recomputed on the rounded box, so the numbers describe exactly the sentence. Rules are ranked
by coverage x density.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

#: a limit is dropped from a rule when the rule's density falls by less than this without it
SIMPLIFY_DENSITY = 0.02
#: rules covering fewer failing draws than this share are not reported
MIN_COVERAGE = 0.05


# --- words ----------------------------------------------------------------------------------------


def short_description(description: str) -> str:
    """The first clause of a lever's description, lower-cased for the middle of a sentence:
    "Employer pension contribution rate of the new body (LGPS ...); the council ..." ->
    "employer pension contribution rate of the new body"."""
    text = re.split(r" \(|; | - | -- |, ", description.strip(), maxsplit=1)[0].strip().rstrip(".")
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _display(value: float, unit: str) -> tuple[float, str]:
    """A value in the reader's unit, and the format: ('pct', 'points', 'gbp', 'plain')."""
    u = unit.lower()
    if "percentage point" in u:
        return value * 100.0, "points"
    if u.startswith("share") or u in ("%", "percent", "rate"):
        return value * 100.0, "pct"
    if u.startswith("gbp"):
        return value, "gbp"
    return value, "plain"


def _round2(x: float) -> float:
    """Two significant figures."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, 1 - int(math.floor(math.log10(abs(x)))))


def format_value(value: float, unit: str) -> str:
    """A value as a chief executive reads it: 0.4 share -> "40%", 0.03 percentage points of pay ->
    "3 points", 25000 GBP per FTE -> "£25,000 per FTE", 250 GBP thousand -> "£250k", 2 years -> "2 years"."""
    shown, kind = _display(value, unit)
    num = f"{shown:,.0f}" if abs(shown) >= 100 else f"{shown:g}"
    if kind == "points":
        return f"{num} point" + ("" if abs(shown) == 1 else "s")
    if kind == "pct":
        return f"{num}%"
    if kind == "gbp":
        rest = unit[3:].strip()
        sign, num = ("-", num[1:]) if num.startswith("-") else ("", num)
        if rest.lower() == "thousand":
            return f"{sign}£{num}k"
        return f"{sign}£{num}" + (f" {rest}" if rest else "")
    unit_word = unit.split(" of ")[0].strip() if unit else ""
    return f"{num} {unit_word}".strip()


def _label(key, labels: Mapping | None) -> tuple[str, str]:
    text = ".".join(map(str, key)) if isinstance(key, tuple) else str(key)
    for k in (key, text, tuple(text.rsplit(".", 1))):
        if labels and k in labels:
            desc, unit = labels[k]
            return short_description(str(desc)), str(unit or "")
    scope, _, name = text.rpartition(".")
    words = name.replace("_", " ")
    return (f"{words} ({scope})" if scope else words), ""


def _rounded_limit(value: float, unit: str) -> float:
    shown, kind = _display(value, unit)
    r = _round2(shown)
    return r / 100.0 if kind in ("points", "pct") else r


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# --- boxes ----------------------------------------------------------------------------------------


def _measure(X: np.ndarray, fails: np.ndarray, box: dict) -> tuple[float, float, int]:
    inside = np.ones(len(fails), dtype=bool)
    for j, (lo, hi) in box.items():
        if lo is not None:
            inside &= X[:, j] > lo
        if hi is not None:
            inside &= X[:, j] <= hi
    n_in = int(inside.sum())
    hits = int((inside & fails).sum())
    return hits / max(int(fails.sum()), 1), (hits / n_in if n_in else 0.0), n_in


def _leaf_boxes(tree) -> list[dict]:
    """The box of each leaf whose share of failures is above the base rate: {column: (low, high)}."""
    t = tree.tree_
    boxes = []

    def walk(node: int, box: dict) -> None:
        if t.children_left[node] == -1:
            counts = t.value[node][0]
            # class weights change the counts; recover the failing share from the weighted values
            share = counts[1] / counts.sum() if counts.sum() else 0.0
            if share > 0.5:  # with balanced weights: failures over-represented against the base rate
                boxes.append(dict(box))
            return
        j, thr = int(t.feature[node]), float(t.threshold[node])
        lo, hi = box.get(j, (None, None))
        walk(t.children_left[node], {**box, j: (lo, thr if hi is None else min(hi, thr))})
        walk(t.children_right[node], {**box, j: (thr if lo is None else max(lo, thr), hi)})

    walk(0, {})
    return boxes


def _simplify(X: np.ndarray, fails: np.ndarray, box: dict) -> dict:
    box = dict(box)
    changed = True
    while changed and box:
        changed = False
        _, density, _ = _measure(X, fails, box)
        for j in list(box):
            for side in (0, 1):
                lo, hi = box[j]
                if (lo, hi)[side] is None:
                    continue
                trial = dict(box)
                trial[j] = (None, hi) if side == 0 else (lo, None)
                if trial[j] == (None, None):
                    del trial[j]
                if _measure(X, fails, trial)[1] >= density - SIMPLIFY_DENSITY:
                    box, changed = trial, True
                    break
            if changed:
                break
    return box


def failure_rules(
    inputs: pd.DataFrame,
    fails,
    max_inputs: int = 3,
    labels: Mapping | None = None,
    outcome: str = "the option fails",
    max_rules: int = 3,
    seed: int = 0,
    detail: bool = False,
) -> list[dict]:
    """Plain-language rules for the draws in which an option fails.

    ``inputs``: draws x assumption keys. ``fails``: one bool per draw (e.g. ``nps[option] < 0``, or
    "not the best"). ``max_inputs``: the most inputs one rule names (the depth of the tree).
    ``labels``: ``{key: (description, unit)}`` to word the rule (the first clause of the description
    is used; units "share of ..." show as %, "percentage points ..." as points, "GBP ..." as £).
    ``outcome``: the sentence's subject and verb, e.g. "the mutual loses money".

    Returns up to ``max_rules`` rules, best first, as ``{"text", "coverage", "density"}`` (plus
    ``"conditions"``: ``[{key, above, below}]`` (a value is "below" b when it is <= b) when
    ``detail``), e.g. ``{"text": "the mutual loses money when employer pension contribution rate of
    the new body is more than 3 points and business rates relief is below 40%", "coverage": 0.82,
    "density": 0.91}``. No failing draw: ``[]``; every draw failing: one rule "<outcome> in every
    simulation".
    """
    from sklearn.tree import DecisionTreeClassifier

    if isinstance(inputs, Mapping):
        inputs = pd.DataFrame(inputs)
    fails = np.asarray(fails, dtype=bool).ravel()
    if len(fails) != len(inputs):
        raise ValueError(f"fails has {len(fails)} values but inputs has {len(inputs)} draws")
    n_fail = int(fails.sum())
    if n_fail == 0:
        return []
    if n_fail == len(fails):
        return [{"text": f"{outcome} in every simulation", "coverage": 1.0, "density": 1.0}]
    varying = [c for c in inputs.columns if inputs[c].nunique() > 1]
    if not varying:
        return []
    X = inputs[varying].to_numpy(dtype=float)
    base_rate = n_fail / len(fails)
    tree = DecisionTreeClassifier(
        max_depth=max(int(max_inputs), 1),
        class_weight="balanced",
        min_samples_leaf=max(10, len(fails) // 200),
        random_state=seed,
    )
    tree.fit(X, fails)
    units = {j: _label(varying[j], labels)[1] for j in range(len(varying))}
    found = _candidate_boxes(tree, X, fails, units, base_rate)
    return [
        _worded_rule(box, coverage, density, varying, labels, outcome, detail)
        for coverage, density, box in sorted(found.values(), key=lambda r: -r[0] * r[1])[:max_rules]
    ]


def _candidate_boxes(
    tree: Any, X: np.ndarray, fails: np.ndarray, units: Mapping[int, str], base_rate: float
) -> dict[tuple, tuple[float, float, dict]]:
    """The tree's leaves as simplified boxes with limits rounded for their units, keeping those that cover at least
    :data:`MIN_COVERAGE` of the failing draws and fail more often than ``base_rate`` (a share of draws):
    box signature -> (coverage, density, box)."""
    found: dict[tuple, tuple[float, float, dict]] = {}
    for box in _leaf_boxes(tree):
        box = _simplify(X, fails, box)
        if not box:
            continue
        box = {j: tuple(None if v is None else _rounded_limit(v, units[j]) for v in lim) for j, lim in box.items()}
        coverage, density, _ = _measure(X, fails, box)
        if coverage < MIN_COVERAGE or density <= base_rate:
            continue
        sig = tuple(sorted(box.items()))
        found[sig] = (coverage, density, box)
    return found


def _worded_rule(
    box: dict, coverage: float, density: float, varying: list, labels: Mapping | None, outcome: str, detail: bool
) -> dict:
    """One box as a rule: ``{"text", "coverage", "density"}`` (shares rounded to 4 places), plus ``"conditions"``
    (``[{key, above, below}]``) when ``detail``."""
    parts, conditions = [], []
    for j in sorted(box):
        lo, hi = box[j]
        desc, unit = _label(varying[j], labels)
        if lo is not None and hi is not None:
            parts.append(f"{desc} is between {format_value(lo, unit)} and {format_value(hi, unit)}")
        elif lo is not None:
            parts.append(f"{desc} is more than {format_value(lo, unit)}")
        else:
            parts.append(f"{desc} is below {format_value(hi, unit)}")
        conditions.append({"key": varying[j], "above": lo, "below": hi})
    rule = {"text": f"{outcome} when {_join(parts)}", "coverage": round(coverage, 4), "density": round(density, 4)}
    if detail:
        rule["conditions"] = conditions
    return rule


def option_failure_rules(
    inputs: pd.DataFrame,
    nps: pd.DataFrame,
    option: str,
    labels: Mapping | None = None,
    name: str | None = None,
    max_inputs: int = 3,
    rules_each: int = 1,
) -> list[dict]:
    """An option's failure rules for the appraisal: when it loses money (NPS < 0) and when it is not
    the best option (another has a higher NPS), ``rules_each`` rules of each (best first), as
    ``{text, coverage, density}``; an outcome that never happens gives no rule.

    ``name``: how the option is called in the sentence (default its id), e.g. "the mutual".
    """
    who = name or option
    values = nps.to_numpy(dtype=float)
    j = list(nps.columns).index(option)
    not_best = values.max(axis=1) > values[:, j] + 1e-6
    return failure_rules(
        inputs, values[:, j] < 0, max_inputs, labels, f"{who} loses money", rules_each
    ) + failure_rules(inputs, not_best, max_inputs, labels, f"{who} is not the best option", rules_each)
