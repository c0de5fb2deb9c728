"""What-if overrides: ``KEY=VALUE`` pairs that fix assumptions at chosen values, checked against their bounds.

The keys follow the assumption-key grammar (:mod:`ddanalysis.keys`): ``mutual.pension_rate_change=0.04``,
``project.optimism_bias_mitigation=0.3``. An override fixes the value in the central case and in every
Monte Carlo draw, as a scenario's ``set`` does. Nothing is evaluated: a value is parsed as a plain
number and must lie within the assumption's hard bounds (``levers.yaml`` ``bounds``, or the appraisal
settings' bounds for project-wide assumptions); an unknown key, a malformed value or one out of
bounds is a :class:`~ddanalysis.errors.DDAnalysisError` naming the key, the value and the bounds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

import pandas as pd

from .errors import DDAnalysisError
from .keys import parse_key


def parse_pairs(pairs: Iterable[str]) -> dict[str, float]:
    """``["mutual.pension_rate_change=0.04", ...]`` -> ``{"mutual.pension_rate_change": 0.04}``.

    A pair without ``=``, a malformed key or a value that is not a finite plain number is refused;
    the same key given twice is refused (which one was meant?).
    """
    out: dict[str, float] = {}
    for pair in pairs:
        key, sep, raw = str(pair).partition("=")
        key, raw = key.strip(), raw.strip()
        if not sep or not key or not raw:
            raise DDAnalysisError(f"--set {pair!r}: expected KEY=VALUE, e.g. mutual.pension_rate_change=0.04")
        parse_key(key)  # the grammar, with its own message
        if key in out:
            raise DDAnalysisError(f"--set {key}: given twice ({out[key]:g} and {raw}); give each key once")
        out[key] = _number(key, raw)
    return out


#: A plain number as a person types it: digits 0-9, one optional sign and point, an optional exponent; not
#: Python's wider float syntax ('0_07' would be 7, Arabic-Indic digits a number, 'inf' infinite).
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _number(key: str, raw: str) -> float:
    value = float(raw) if _PLAIN_NUMBER.fullmatch(raw.strip()) else math.nan
    if not math.isfinite(value):
        raise DDAnalysisError(
            f"--set {key}={raw}: the value must be a plain number written with the digits 0-9 and a point "
            "(e.g. 0.04 for 4%; no underscores, commas or per cent signs)"
        )
    return value


def checked(overrides: Mapping[str, float], table: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The overrides as ``{(scope, key): value}``, each checked against the assumption table of a project
    (indexed by (scope, key), with ``bound_low``/``bound_high``). Unknown keys list the valid ones."""
    out: dict[tuple[str, str], float] = {}
    for text, value in overrides.items():
        k = parse_key(text)
        if k.service is not None:
            raise DDAnalysisError(f"{text}: this project holds one service; drop the '{k.service}/' prefix")
        if k.pair not in table.index:
            scopes = sorted({s for s, _ in table.index})
            keys = sorted(f"{s}.{n}" for s, n in table.index if s == k.scope)
            hint = f"valid keys for {k.scope!r}: {', '.join(keys)}" if keys else f"valid scopes: {', '.join(scopes)}"
            raise DDAnalysisError(f"{text}: not an assumption of this project's options; {hint}")
        lo, hi = float(table.loc[k.pair, "bound_low"]), float(table.loc[k.pair, "bound_high"])
        v = float(value)
        if not (math.isfinite(v) and lo <= v <= hi):
            raise DDAnalysisError(f"{text}={value}: outside its bounds [{lo:g}, {hi:g}] ({table.loc[k.pair, 'unit']})")
        out[k.pair] = v
    return out


def what_if_note(overrides: Mapping[str, float] | None, scenario_values: Mapping[tuple[str, str], float]) -> str:
    """The what-if values of a run in words, for every heading that states the scenario ('' when none).

    ``overrides``: what-if values by key (``mutual.pension_rate_change`` -> 0.04, outcome inputs too);
    ``scenario_values``: the scenario's own value of each assumption, by (scope, key), shown beside the value
    that replaced it. Gives 'WHAT-IF values replace the scenario's: mutual.pension_rate_change = 0.04 (scenario
    value 0.02).' in the keys' units (shares as shares), so that no output of a what-if run reads as the
    scenario alone.
    """
    if not overrides:
        return ""
    parts = []
    for key, value in sorted(overrides.items()):
        parsed = parse_key(key)
        # an outcome input's key ('<outcome>/<scope>.<key>') has its scenario value in the outcome model: none here
        was = None if parsed.service else scenario_values.get((parsed.scope, parsed.key))
        parts.append(f"{key} = {value:g}" + (f" (scenario value {float(was):g})" if was is not None else ""))
    return WHAT_IF_LEAD + "; ".join(parts) + "."


#: How :func:`what_if_note` begins.
WHAT_IF_LEAD = "WHAT-IF values replace the scenario's: "


def check_short_list(
    overrides: Mapping[str, float] | None, short_list: Iterable[str], delivery_models: Iterable[str]
) -> None:
    """Refuse a what-if value for a delivery model that is not on the project's short list.

    Such a value changes no figure (the model is not appraised), yet every output would list it as a
    what-if; a :class:`~ddanalysis.errors.DDAnalysisError` names the key and the short list. Keys of
    ``project`` and of outcome inputs (``<outcome>/<scope>.<key>``) are left to their own checks.
    """
    listed, models = tuple(short_list), set(delivery_models)
    for key in overrides or {}:
        parsed = parse_key(key)
        if not parsed.service and parsed.scope in models and parsed.scope not in listed:
            raise DDAnalysisError(
                f"{key}: '{parsed.scope}' is not on this project's short list ({', '.join(listed)}), so a "
                "what-if value for it would change nothing; set a key of a short-listed option or of 'project'"
            )
