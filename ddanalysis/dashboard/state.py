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
from ..overrides import checked, parse_pairs

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
    ob: float | None = None                                   # None: the scenario's own mitigation
    weights: tuple[tuple[str, int], ...] = ()                 # MCA points by criterion; () = default weights
    sets: tuple[tuple[str, float], ...] = ()                  # what-if values, sorted by key
    tab: str = "summary"
    compare: tuple[str, ...] = ()                             # (mode, a, b) / (mode, option, s1, s2) / (mode, option)

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
    table: object = None          # the project's assumption table (for checking what-if values)
    problems: list[str] = field(default_factory=list)


def from_query(params: Mapping[str, list[str]], choices: Choices, default_project: str) -> tuple[ViewState, list[str]]:
    """The view a URL asks for, and a list of plain-text problems with values that were dropped.

    An unknown project is not dropped silently: it raises :class:`DDAnalysisError` (the page then lists
    the projects). Everything else that fails falls back to its default with a problem noted.
    """
    problems: list[str] = []

    def one(name: str) -> str | None:
        vals = params.get(name)
        return None if not vals else str(vals[-1]).strip()[:MAX_VALUE_CHARS + 1]

    project = one("project") or default_project
    if project not in set(choices.projects):
        raise DDAnalysisError(f"There is no project called '{project[:64]}'.")
    scenario = one("scenario") or "central"
    if scenario not in set(choices.scenarios):
        problems.append(f"unknown scenario '{scenario[:64]}', showing 'central'")
        scenario = "central"
    perspective = one("perspective") or "council"
    if perspective not in set(choices.perspectives):
        problems.append(f"unknown perspective '{perspective[:64]}', showing 'council'")
        perspective = "council"
    ob: float | None = None
    raw_ob = one("ob")
    if raw_ob:
        try:
            ob = _num(raw_ob)
            if not 0.0 <= ob <= 1.0:
                raise ValueError
            ob = round(ob, 4)
        except ValueError:
            problems.append(f"optimism-bias mitigation ob={raw_ob[:64]!r} ignored: give a number from 0 to 1")
            ob = None
    weights: list[tuple[str, int]] = []
    raw_w = one("weights")
    if raw_w:
        crits = set(choices.criteria)
        try:
            for part in raw_w.split(","):
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
            problems.append(f"MCA weights {raw_w[:80]!r} ignored: give criterion:points pairs (whole points 0-50, "
                            f"criteria {', '.join(sorted(crits))}); showing the default weights")
            weights = []
    sets: dict[str, float] = {}
    raw_sets = [str(s) for s in params.get("set", [])]
    if raw_sets:
        try:
            if len(raw_sets) > MAX_SETS or any(len(s) > MAX_VALUE_CHARS for s in raw_sets):
                raise DDAnalysisError(f"at most {MAX_SETS} what-if values of at most {MAX_VALUE_CHARS} characters")
            parsed = parse_pairs(raw_sets)
            if choices.table is not None:
                checked(parsed, choices.table)  # known keys of this project, within bounds
            sets = parsed
        except DDAnalysisError as exc:
            problems.append(f"what-if values ignored: {exc}")
            sets = {}
    tabs = list(choices.tabs)
    tab = one("tab") or (tabs[0] if tabs else "summary")
    if tab not in tabs:
        problems.append(f"unknown tab '{tab[:64]}', showing '{tabs[0]}'")
        tab = tabs[0]
    compare: tuple[str, ...] = ()
    raw_c = one("compare")
    if raw_c:
        parts = tuple(p.strip() for p in raw_c.split(","))
        opts, scens = set(choices.options), set(choices.scenarios)
        ok = bool(parts) and parts[0] in COMPARE_MODES and all(_ID.match(p) for p in parts)
        if ok and parts[0] == "options":
            ok = len(parts) == 3 and parts[1] in opts and parts[2] in opts
        elif ok and parts[0] == "scenarios":
            ok = len(parts) == 4 and parts[1] in opts and parts[2] in scens and parts[3] in scens
        elif ok:
            ok = len(parts) == 2 and parts[1] in opts
        if ok:
            compare = parts
        else:
            problems.append(f"comparison {raw_c[:80]!r} ignored: expected options,A,B or scenarios,OPTION,S1,S2 "
                            "or whatif,OPTION with known ids")
    state = ViewState(project, scenario, perspective, ob, tuple(weights), tuple(sets.items()), tab, compare)
    return state, problems
