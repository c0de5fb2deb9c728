"""The appraisal dashboard's whole view as URL query parameters, and back.

Every view is a link: project, scenario, perspective, optimism-bias mitigation, MCA weights, what-if
values (repeated ``set=KEY=VALUE``), tab and comparison. :func:`to_query` writes a :class:`ViewState`;
:func:`from_query` reads one back from the parsed query string, keeping only what it can check:

- ids (project, scenario, perspective, options, criteria, tab) must be among the known ones;
- numbers are parsed as plain finite numbers, never evaluated, and must lie in their range;
- what-if values go through :func:`ddanalysis.overrides.parse_pairs` and
  :func:`ddanalysis.overrides.checked` (the assumption grammar, the project's known keys, the hard bounds).

A value that fails is dropped and described in ``problems`` (plain text naming the parameter, the value and
what is allowed; never a traceback or a server path), and the rest of the view is still shown.

>>> s = ViewState("walsall-college", sets=(("mutual.pension_rate_change", 0.04),), tab="summary")
>>> to_query(s)
'project=walsall-college&set=mutual.pension_rate_change%3D0.04&tab=summary'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping
from urllib.parse import parse_qs, urlencode

from ..errors import DDAnalysisError
from ..overrides import check_short_list, checked, parse_pairs
from ..workspace import DELIVERY_MODELS

#: Limits on what a URL may carry (anything longer is refused before parsing).
MAX_SETS = 40
MAX_VALUE_CHARS = 200
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
#: Comparison modes: two options; one option under two scenarios; one option with and without the what-if values.
COMPARE_MODES = ("options", "scenarios", "whatif")


@dataclass(frozen=True)
class ViewState:
    """One view of the appraisal dashboard (everything that a link reproduces)."""

    project: str
    scenario: str = "central"
    perspective: str = "council"
    ob: float | None = None  # None: the scenario's own mitigation
    weights: tuple[tuple[str, int], ...] = ()  # MCA points by criterion; () = default weights
    sets: tuple[tuple[str, float], ...] = ()  # what-if values, sorted by key
    tab: str = "summary"
    compare: tuple[str, ...] = ()  # (mode, a, b) / (mode, option, s1, s2) / (mode, option)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", tuple(sorted((str(k), float(v)) for k, v in self.sets)))
        object.__setattr__(self, "weights", tuple(sorted((str(k), int(v)) for k, v in self.weights)))


def _num(text: str) -> float:
    """A plain finite number (``float`` of at most :data:`MAX_VALUE_CHARS` characters), else ValueError."""
    if len(text) > MAX_VALUE_CHARS:
        raise ValueError("too long")
    v = float(text)
    if not math.isfinite(v):
        raise ValueError("not finite")
    return v


def to_query(state: ViewState) -> str:
    """The query string (without ``?``) of a view; defaults are left out so links stay short."""
    items: list[tuple[str, str]] = [("project", state.project)]
    if state.scenario != "central":
        items.append(("scenario", state.scenario))
    if state.perspective != "council":
        items.append(("perspective", state.perspective))
    if state.ob is not None:
        items.append(("ob", f"{state.ob:g}"))
    if state.weights:
        items.append(("weights", ",".join(f"{c}:{p}" for c, p in state.weights)))
    items += [("set", f"{k}={v!r}") for k, v in state.sets]  # repr: the exact float, read back equal
    if state.tab:
        items.append(("tab", state.tab))
    if state.compare:
        items.append(("compare", ",".join(state.compare)))
    return urlencode(items)


def parse_query(raw: str) -> dict[str, list[str]]:
    """``a=1&set=x=1&set=y=2`` -> ``{"a": ["1"], "set": ["x=1", "y=2"]}`` (blank values kept)."""
    return parse_qs(raw or "", keep_blank_values=True, max_num_fields=200)


@dataclass
class Choices:
    """What a URL may name: the known ids (filled by the page from the registry and the assumption book)."""

    projects: Iterable[str]
    scenarios: Iterable[str]
    perspectives: Iterable[str]
    tabs: Iterable[str]
    criteria: Iterable[str] = ()
    options: Iterable[str] = ()
    table: object = None  # the project's assumption table (for checking what-if values)
    short_list: tuple[str, ...] | None = None  # the project's options: what-if values of other models are refused
    problems: list[str] = field(default_factory=list)


def _one(params: Mapping[str, list[str]], name: str) -> str | None:
    """The last value of parameter ``name`` (stripped, cut just past :data:`MAX_VALUE_CHARS`), or None."""
    vals = params.get(name)
    return None if not vals else str(vals[-1]).strip()[: MAX_VALUE_CHARS + 1]


def _id_choice(raw: str | None, known: Iterable[str], default: str, what: str, problems: list[str]) -> str:
    """``raw`` when it is one of ``known``, else ``default`` (with a problem noted when ``raw`` was given)."""
    value = raw or default
    if value not in set(known):
        problems.append(f"unknown {what} '{value[:64]}', showing '{default}'")
        return default
    return value


def _ob(raw: str | None, problems: list[str]) -> float | None:
    """The optimism-bias mitigation, a share from 0 to 1 rounded to 4 places; None for the scenario's own."""
    if not raw:
        return None
    try:
        ob = _num(raw)
        if not 0.0 <= ob <= 1.0:
            raise ValueError
        return round(ob, 4)
    except ValueError:
        problems.append(f"optimism-bias mitigation ob={raw[:64]!r} ignored: give a number from 0 to 1")
        return None


def _weights(raw: str | None, criteria: Iterable[str], problems: list[str]) -> tuple[tuple[str, int], ...]:
    """MCA points ``criterion:points,...`` (whole points 0-50, known criteria, not all zero), else ()."""
    if not raw:
        return ()
    crits = set(criteria)
    weights: list[tuple[str, int]] = []
    try:
        for part in raw.split(","):
            c, sep, p = part.partition(":")
            if not sep or c not in crits:
                raise ValueError(c)
            pts = _num(p)
            if pts != int(pts) or not 0 <= pts <= 50:
                raise ValueError(p)
            weights.append((c, int(pts)))
        if len({c for c, _ in weights}) != len(weights) or sum(p for _, p in weights) <= 0:
            raise ValueError("duplicate or all zero")
    except ValueError:
        problems.append(
            f"MCA weights {raw[:80]!r} ignored: give criterion:points pairs (whole points 0-50, "
            f"criteria {', '.join(sorted(crits))}); showing the default weights"
        )
        return ()
    return tuple(weights)


def _sets(
    raw_sets: list[str], table: object, problems: list[str], short_list: tuple[str, ...] | None = None
) -> tuple[tuple[str, float], ...]:
    """What-if values ``KEY=VALUE`` parsed and checked against the project's assumption ``table``
    (known keys, hard bounds; :func:`ddanalysis.overrides.checked`) and, when given, its ``short_list``
    (:func:`ddanalysis.overrides.check_short_list`); all dropped when any fails."""
    if not raw_sets:
        return ()
    try:
        if len(raw_sets) > MAX_SETS or any(len(s) > MAX_VALUE_CHARS for s in raw_sets):
            raise DDAnalysisError(f"at most {MAX_SETS} what-if values of at most {MAX_VALUE_CHARS} characters")
        parsed = parse_pairs(raw_sets)
        if table is not None:
            checked(parsed, table)  # known keys of this project, within bounds
        if short_list is not None:
            check_short_list(parsed, short_list, DELIVERY_MODELS)
    except DDAnalysisError as exc:
        problems.append(f"what-if values ignored: {exc}")
        return ()
    return tuple(parsed.items())


def _compare(raw: str | None, options: Iterable[str], scenarios: Iterable[str], problems: list[str]) -> tuple[str, ...]:
    """The comparison ``options,A,B`` / ``scenarios,OPTION,S1,S2`` / ``whatif,OPTION`` with known ids, else ()."""
    if not raw:
        return ()
    parts = tuple(p.strip() for p in raw.split(","))
    opts, scens = set(options), set(scenarios)
    ok = bool(parts) and parts[0] in COMPARE_MODES and all(_ID.match(p) for p in parts)
    if ok and parts[0] == "options":
        ok = len(parts) == 3 and parts[1] in opts and parts[2] in opts
    elif ok and parts[0] == "scenarios":
        ok = len(parts) == 4 and parts[1] in opts and parts[2] in scens and parts[3] in scens
    elif ok:
        ok = len(parts) == 2 and parts[1] in opts
    if ok:
        return parts
    problems.append(
        f"comparison {raw[:80]!r} ignored: expected options,A,B or scenarios,OPTION,S1,S2 "
        "or whatif,OPTION with known ids"
    )
    return ()


def from_query(params: Mapping[str, list[str]], choices: Choices, default_project: str) -> tuple[ViewState, list[str]]:
    """The view a URL asks for, and a list of plain-text problems with values that were dropped.

    An unknown project is not dropped silently: it raises :class:`DDAnalysisError` (the page then lists
    the projects). Everything else that fails falls back to its default with a problem noted.
    """
    problems: list[str] = []
    project = _one(params, "project") or default_project
    if project not in set(choices.projects):
        raise DDAnalysisError(f"There is no project called '{project[:64]}'.")
    scenario = _id_choice(_one(params, "scenario"), choices.scenarios, "central", "scenario", problems)
    perspective = _id_choice(_one(params, "perspective"), choices.perspectives, "council", "perspective", problems)
    ob = _ob(_one(params, "ob"), problems)
    weights = _weights(_one(params, "weights"), choices.criteria, problems)
    sets = _sets([str(s) for s in params.get("set", [])], choices.table, problems, choices.short_list)
    tabs = list(choices.tabs)
    tab = _id_choice(_one(params, "tab"), tabs, tabs[0] if tabs else "summary", "tab", problems)
    compare = _compare(_one(params, "compare"), choices.options, choices.scenarios, problems)
    return ViewState(project, scenario, perspective, ob, weights, sets, tab, compare), problems
