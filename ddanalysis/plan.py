"""Implementation plans: phases, critical path, milestones and risk register for a delivery model.

The phase catalogue is ``data/plans/phases.yaml``; each delivery model except the status quo has a
template in ``data/plans/models/<model-id>.yaml`` (phases with durations in weeks, low / central /
high, their dependencies and sources, a risk register and legal facts such as the reg. 77 limit).
:func:`build_plan` schedules a template from a start date with the critical path method: a forward
pass (a phase starts when all it depends on have finished), a backward pass for slack, and
critical = zero slack. Its go-live date is when the money appraisal starts counting savings.

Durations are weeks; dates are calendar dates, a week being 7 days from the start date. A phase's
``finish`` is the day it is complete, i.e. the first day a phase that depends on it may start.
Template durations are ILLUSTRATIVE judgements of the ddanalysis team unless a source says otherwise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import graphlib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import config, registry, workspace
from .errors import DataFileError, DDAnalysisError, unknown
from .problems import Problems
from .yamlio import read_yaml_mapping

#: Duration cases a template gives for every phase.
DURATION_CASES = ("low", "central", "high")
#: The phase that marks the transfer date (a milestone of zero duration).
GO_LIVE = "go_live"
#: Days before the transfer by which employee liability information is due (fact in phases.yaml).
_ELI_FACT = "tupe_eli_days_before_transfer"
_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)  # eq=False: frames do not compare to a single bool
class Plan:
    """A scheduled implementation plan for one option of one project.

    ``phases``: phase, name, depends_on (comma-joined ids), duration_weeks, start, finish (dates),
    critical (bool), slack_weeks. ``milestones``: milestone, date. ``risks``: risk, likelihood (1-5),
    impact (1-5), score (= likelihood x impact), owner, mitigation, highest score first.
    """

    project_id: str
    model_id: str
    start: dt.date
    phases: pd.DataFrame
    milestones: pd.DataFrame
    risks: pd.DataFrame
    go_live: dt.date
    duration_case: str


# --- paths and file reading -------------------------------------------------------------------------


def phases_path() -> Path:
    """The bundled phase catalogue."""
    return config.data_path("plans", "phases.yaml")


def model_path(model_id: str) -> Path:
    """The bundled plan template of one delivery model."""
    return config.data_path("plans", "models", f"{model_id}.yaml")


def _mtime(path: Path, what: str) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: {what} not found") from exc


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _text(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _entry_problems(item: dict[str, Any], allowed: set[str], texts: Iterable[str]) -> list[str]:
    """The keys of one entry that are not ``allowed``, and each key of ``texts`` that is not a non-empty text."""
    extra = sorted(set(item) - allowed)
    found = [f"unexpected key(s) {extra}"] if extra else []
    return found + [f"{key!r} must be a non-empty text" for key in texts if _text(item.get(key)) is None]


_FACT_KEYS = {"id", "value", "unit", "description", "source", "link"}


def _fact_problems(item: dict[str, Any]) -> list[str]:
    """What is wrong with one legal fact (empty when nothing is)."""
    found = _entry_problems(item, _FACT_KEYS, ("id", "unit", "description", "source"))
    if _number(item.get("value")) is None:
        found.append(f"value {item.get('value')!r} is not a number")
    return found


def _facts(items: object, problems: Problems) -> tuple[dict[str, Any], ...]:
    """The legal facts of a catalogue or template (problems go to ``problems``)."""
    if items is None:
        return ()
    if not isinstance(items, list):
        problems.add("", "'facts' must be a list")
        return ()
    out, seen = [], set()
    for i, item in enumerate(items, start=1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        found = _fact_problems(item) if isinstance(item, dict) else ["expected a mapping"]
        problems.add_all(f"fact {label}", found)
        if found:
            continue
        if item["id"] in seen:
            problems.add("", f"fact {label} appears twice")
            continue
        seen.add(item["id"])
        out.append(
            {
                "fact": item["id"],
                "value": item["value"],
                "unit": _text(item["unit"]),
                "description": _text(item["description"]),
                "source": _text(item["source"]),
                "link": _text(item.get("link")) or "",
            }
        )
    return tuple(out)


# --- the phase catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CatalogueEntry:
    phase: str
    name: str
    description: str
    milestone: str
    min_weeks: float
    after_go_live: bool


@dataclass(frozen=True)
class _Catalogue:
    path: Path
    entries: tuple[_CatalogueEntry, ...]
    facts: tuple[dict[str, Any], ...]

    def entry(self, phase: str) -> _CatalogueEntry:
        return next(e for e in self.entries if e.phase == phase)

    @property
    def ids(self) -> list[str]:
        return [e.phase for e in self.entries]


_CATALOGUE_KEYS = {"id", "name", "description", "milestone", "min_weeks", "after_go_live"}


def _catalogue_entry(item: dict[str, Any], where: str, seen: set[str], problems: Problems) -> _CatalogueEntry | None:
    """One phase of the catalogue, or None when it has problems (they go to ``problems``)."""
    found = _entry_problems(item, _CATALOGUE_KEYS, ("id", "name", "description"))
    if item.get("id") in seen:
        found.append("duplicated phase id")
    min_weeks = _number(item.get("min_weeks", 0))
    if min_weeks is None or min_weeks < 0:
        found.append(f"min_weeks {item.get('min_weeks')!r} must be a number of weeks >= 0")
    milestone = item.get("milestone", "")
    if milestone and _text(milestone) is None:
        found.append("'milestone' must be a text (the milestone's name) or absent")
    after = item.get("after_go_live", False)
    if not isinstance(after, bool):
        found.append("after_go_live must be true or false")
    problems.add_all(where, found)
    if found or min_weeks is None:
        return None
    seen.add(item["id"])
    return _CatalogueEntry(
        item["id"],
        _text(item["name"]) or "",
        _text(item["description"]) or "",
        _text(milestone) or "",
        min_weeks,
        after,
    )


@lru_cache(maxsize=8)
def _catalogue_cached(path: Path, mtime_ns: int) -> _Catalogue:
    raw = read_yaml_mapping(path, "phase catalogue")
    problems = Problems(path)
    items = raw.get("phases")
    if not isinstance(items, list) or not items:
        problems.fail("", "expected a non-empty 'phases' list")
    entries: list[_CatalogueEntry] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        if not isinstance(item, dict):
            problems.add(f"phase {label}", "expected a mapping")
            continue
        entry = _catalogue_entry(item, f"phase {label}", seen, problems)
        if entry is not None:
            entries.append(entry)
    if GO_LIVE not in seen:
        problems.add("", f"the catalogue must define the {GO_LIVE!r} milestone phase")
    facts = _facts(raw.get("facts"), problems)
    if not problems and _ELI_FACT not in {f["fact"] for f in facts}:
        problems.add("", f"facts must include {_ELI_FACT!r} (TUPE 2006 reg. 11)")
    problems.raise_if_any()
    return _Catalogue(path, tuple(entries), facts)


def _catalogue(path: Path | None = None) -> _Catalogue:
    path = Path(path or phases_path())
    return _catalogue_cached(path, _mtime(path, "phase catalogue"))


def load_phase_catalogue(path: Path | None = None) -> pd.DataFrame:
    """The phase catalogue: ``phase``, ``name``, ``description``, ``milestone``, ``min_weeks``."""
    cat = _catalogue(path)
    return pd.DataFrame(
        [
            {
                "phase": e.phase,
                "name": e.name,
                "description": e.description,
                "milestone": e.milestone,
                "min_weeks": e.min_weeks,
            }
            for e in cat.entries
        ]
    )


def catalogue_facts(path: Path | None = None) -> pd.DataFrame:
    """Legal facts behind the catalogue (e.g. the 28-day TUPE rule): fact, value, unit, description, source, link."""
    return pd.DataFrame(list(_catalogue(path).facts))


# --- scheduling (critical path method) --------------------------------------------------------------


def _topological_order(
    depends_on: Mapping[str, tuple[str, ...]], where: str, error: type[DDAnalysisError]
) -> list[str]:
    """Phases in an order where each follows everything it depends on; clear errors otherwise."""
    for phase, deps in depends_on.items():
        for dep in deps:
            if dep == phase:
                raise error(f"{where}: phase {phase!r} depends on itself")
            if dep not in depends_on:
                raise error(
                    f"{where}: phase {phase!r} depends on unknown phase {dep!r}; "
                    f"phases in this plan: {', '.join(depends_on)}"
                )
    try:
        return list(graphlib.TopologicalSorter(dict(depends_on)).static_order())
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        chain = " -> ".join(reversed(cycle))  # graphlib lists predecessors first; show "depends on"
        raise error(
            f"{where}: phases form a dependency cycle {chain} (each depends on the next), so phase "
            f"{cycle[0]!r} could never start; remove one of these dependencies"
        ) from exc


def _forward(
    order: list[str], depends_on: Mapping[str, tuple[str, ...]], durations: Mapping[str, Any]
) -> dict[str, Any]:
    """Earliest finish of every phase (weeks from the start); works on floats or numpy arrays."""
    finish: dict[str, Any] = {}
    for phase in order:
        start = 0.0
        for dep in depends_on[phase]:
            start = np.maximum(start, finish[dep])
        finish[phase] = start + durations[phase]
    return finish


def schedule(
    durations: Mapping[str, float],
    depends_on: Mapping[str, Iterable[str]],
    where: str = "plan",
) -> pd.DataFrame:
    """Critical path schedule in weeks from the start.

    ``durations`` maps phase -> weeks (>= 0); ``depends_on`` maps phase -> the phases it must follow.
    Returns ``phase``, ``duration_weeks``, ``start_week``, ``finish_week`` (earliest), ``slack_weeks``
    (how far the phase can slip without delaying the end of the plan) and ``critical`` (zero slack),
    in the order of ``durations``. Unknown dependencies and cycles raise DDAnalysisError naming the phase.
    """
    deps = {p: tuple(depends_on.get(p, ())) for p in durations}
    extra = [p for p in depends_on if p not in durations]
    if extra:
        raise DDAnalysisError(f"{where}: dependencies given for phase {extra[0]!r}, which has no duration")
    for phase, weeks in durations.items():
        value = _number(weeks)
        if value is None or value < 0:
            raise DDAnalysisError(f"{where}: duration of phase {phase!r} is {weeks!r}; expected weeks >= 0")
    order = _topological_order(deps, where, DDAnalysisError)
    dur = {p: float(durations[p]) for p in durations}
    finish = _forward(order, deps, dur)
    end = max(finish.values(), default=0.0)
    successors: dict[str, list[str]] = {p: [] for p in durations}
    for phase, ds in deps.items():
        for d in ds:
            successors[d].append(phase)
    latest_finish: dict[str, float] = {}
    for phase in reversed(order):
        latest_finish[phase] = min((latest_finish[s] - dur[s] for s in successors[phase]), default=end)
    rows = []
    for phase in durations:
        slack = round(latest_finish[phase] - finish[phase], 9) + 0.0  # + 0.0 turns -0.0 into 0.0
        rows.append(
            {
                "phase": phase,
                "duration_weeks": dur[phase],
                "start_week": finish[phase] - dur[phase],
                "finish_week": finish[phase],
                "slack_weeks": slack,
                "critical": abs(slack) <= _TOLERANCE,
            }
        )
    return pd.DataFrame(rows)


# --- model templates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TemplatePhase:
    phase: str
    low: float
    central: float
    high: float
    min_weeks: float
    depends_on: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class _Template:
    model_id: str
    name: str
    path: Path
    phases: tuple[_TemplatePhase, ...]
    order: tuple[str, ...]
    risks: tuple[dict[str, Any], ...]
    facts: tuple[dict[str, Any], ...]


_PHASE_KEYS = ("low", "central", "high", "depends_on", "source")


def _phase_weeks(phase: str, entry: dict[str, Any], cat: _Catalogue) -> tuple[dict[str, float], float, list[str]]:
    """A template phase's low / central / high weeks, its minimum and what is wrong with them."""
    found, weeks = [], {}
    for case in DURATION_CASES:
        value = _number(entry[case])
        if value is None or value < 0:
            found.append(f"{case} duration {entry[case]!r} must be a number of weeks >= 0")
        else:
            weeks[case] = value
    own_min = _number(entry.get("min_weeks", 0))
    if own_min is None or own_min < 0:
        found.append(f"min_weeks {entry.get('min_weeks')!r} must be a number of weeks >= 0")
    min_weeks = max(own_min or 0.0, cat.entry(phase).min_weeks)
    if found:
        return weeks, min_weeks, found
    if phase == GO_LIVE and any(weeks.values()):
        found.append("go-live is a milestone; its durations must be 0 / 0 / 0")
    if not weeks["low"] <= weeks["central"] <= weeks["high"]:
        found.append(
            f"durations must satisfy low <= central <= high, got "
            f"{weeks['low']:g} / {weeks['central']:g} / {weeks['high']:g} weeks"
        )
    if weeks["low"] < min_weeks:
        found.append(
            f"low duration {weeks['low']:g} weeks is below the legal minimum of "
            f"{min_weeks:g} weeks (see the min_weeks source)"
        )
    return weeks, min_weeks, found


def _check_phase(phase: str, entry: object, cat: _Catalogue, problems: Problems) -> _TemplatePhase | None:
    """One phase of a plan template, or None when it has problems (they go to ``problems``)."""
    if phase not in cat.ids:
        problems.add(
            "", f"phase {phase!r} is not in the phase catalogue ({cat.path}); valid phases: {', '.join(cat.ids)}"
        )
        return None
    where = f"phase {phase}"
    if not isinstance(entry, dict):
        problems.add(where, "expected {low, central, high, depends_on, source}")
        return None
    extra = sorted(set(entry) - {*_PHASE_KEYS, "min_weeks"})
    missing = [k for k in _PHASE_KEYS if k not in entry]
    if extra or missing:
        problems.add(
            where,
            "; ".join(
                ([f"unexpected key(s) {extra}"] if extra else []) + ([f"missing key(s) {missing}"] if missing else [])
            ),
        )
        return None
    weeks, min_weeks, found = _phase_weeks(phase, entry, cat)
    deps = entry["depends_on"]
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        found.append("depends_on must be a list of phase ids (use [] for none)")
    elif len(set(deps)) != len(deps):
        found.append("depends_on lists a phase twice")
    source = _text(entry["source"])
    if source is None:
        found.append("'source' must say where the durations come from (or 'judgement: ...')")
    problems.add_all(where, found)
    if found or source is None:
        return None
    return _TemplatePhase(phase, weeks["low"], weeks["central"], weeks["high"], min_weeks, tuple(deps), source)


_RISK_KEYS = {"risk", "likelihood", "impact", "owner", "mitigation"}


def _risk_problems(item: dict[str, Any]) -> list[str]:
    """What is wrong with one entry of a risk register (empty when nothing is)."""
    found = _entry_problems(item, _RISK_KEYS, ("risk", "owner", "mitigation"))
    for key in ("likelihood", "impact"):
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            found.append(f"{key} {value!r} must be a whole number from 1 to 5")
    return found


def _check_risks(items: object, problems: Problems) -> tuple[dict[str, Any], ...]:
    """A template's risk register (problems go to ``problems``)."""
    if not isinstance(items, list) or not items:
        problems.add("", "expected a non-empty 'risks' list (the risk register)")
        return ()
    out = []
    for i, item in enumerate(items, start=1):
        label = f"risk #{i}"
        if not isinstance(item, dict):
            problems.add(label, "expected a mapping")
            continue
        found = _risk_problems(item)
        if found:
            named = _text(item.get("risk"))
            problems.add_all(f"{label} ({named})" if named else label, found)
            continue
        out.append(
            {
                "risk": _text(item["risk"]),
                "likelihood": item["likelihood"],
                "impact": item["impact"],
                "owner": _text(item["owner"]),
                "mitigation": _text(item["mitigation"]),
            }
        )
    return tuple(out)


_TEMPLATE_KEYS = {"model", "name", "source", "quality", "illustrative", "phases", "risks", "facts"}


def _template_header(raw: dict[str, Any], model_id: str, problems: Problems) -> None:
    """Check a template's top-level keys (problems go to ``problems``)."""
    extra = sorted(set(raw) - _TEMPLATE_KEYS)
    if extra:
        problems.add("", f"unexpected top-level key(s) {extra}")
    if raw.get("model") != model_id:
        problems.add("", f"'model' is {raw.get('model')!r}; expected {model_id!r}")
    for key in ("name", "source"):
        if _text(raw.get(key)) is None:
            problems.add("", f"{key!r} must be a non-empty text")


def _check_go_live_chain(
    phases: tuple[_TemplatePhase, ...], deps: Mapping[str, tuple[str, ...]], catalogue: _Catalogue, problems: Problems
) -> None:
    """Every phase must lead to go-live, except review phases, which must follow it."""
    ancestors: set[str] = set()
    stack = [GO_LIVE]
    while stack:
        for d in deps[stack.pop()]:
            if d not in ancestors:
                ancestors.add(d)
                stack.append(d)
    for p in phases:
        after = catalogue.entry(p.phase).after_go_live
        if after and GO_LIVE not in p.depends_on:
            problems.add(f"phase {p.phase}", f"it follows go-live, so it must depend on {GO_LIVE!r}")
        if not after and p.phase != GO_LIVE and p.phase not in ancestors:
            problems.add(
                f"phase {p.phase}",
                "go-live does not depend on it (directly or through other phases), so "
                "it could not delay the transfer; add it to a dependency chain",
            )


@lru_cache(maxsize=64)
def _template_cached(
    model_id: str, path: Path, mtime_ns: int, catalogue_path: Path, catalogue_mtime_ns: int
) -> _Template:
    catalogue = _catalogue_cached(catalogue_path, catalogue_mtime_ns)
    raw = read_yaml_mapping(path, f"plan template for {model_id!r}")
    problems = Problems(path)
    _template_header(raw, model_id, problems)
    items = raw.get("phases")
    if not isinstance(items, dict) or not items:
        problems.fail("", "expected a 'phases' mapping phase id -> {low, central, high, depends_on, source}")
    checked = [_check_phase(str(p), e, catalogue, problems) for p, e in items.items()]
    phases = tuple(p for p in checked if p is not None)
    if GO_LIVE not in items:
        problems.add("", f"the plan needs the {GO_LIVE!r} milestone (the transfer date)")
    risks = _check_risks(raw.get("risks"), problems)
    facts = _facts(raw.get("facts"), problems)
    problems.raise_if_any()  # the dependency checks below need every phase valid
    deps = {p.phase: p.depends_on for p in phases}
    order = _topological_order(deps, str(path), DataFileError)
    _check_go_live_chain(phases, deps, catalogue, problems)
    problems.raise_if_any()
    return _Template(model_id, _text(raw["name"]) or "", path, phases, tuple(order), risks, facts)


def _template(model_id: str, path: Path | None = None, catalogue_path: Path | None = None) -> _Template:
    if model_id not in registry.DELIVERY_MODELS:
        raise unknown("delivery model", model_id, registry.DELIVERY_MODELS)
    if model_id == registry.STATUS_QUO:
        raise DDAnalysisError(
            f"{model_id!r} is the status quo: it has no implementation plan "
            f"(plans exist for: {', '.join(plan_models())})"
        )
    path = Path(path or model_path(model_id))
    catalogue_path = Path(catalogue_path or phases_path())
    return _template_cached(
        model_id,
        path,
        _mtime(path, f"plan template for {model_id!r}"),
        catalogue_path,
        _mtime(catalogue_path, "phase catalogue"),
    )


def plan_models() -> list[str]:
    """Delivery models with a bundled plan template (every model except the status quo)."""
    return [m for m in registry.DELIVERY_MODELS if m != registry.STATUS_QUO and model_path(m).exists()]


def load_template(model_id: str, path: Path | None = None) -> pd.DataFrame:
    """A model's plan template.

    Columns: ``phase``, ``name``, ``depends_on``, ``low``, ``central``, ``high``, ``min_weeks``, ``source``.
    """
    tpl = _template(model_id, path)
    cat = _catalogue()
    return pd.DataFrame(
        [
            {
                "phase": p.phase,
                "name": cat.entry(p.phase).name,
                "depends_on": ", ".join(p.depends_on),
                "low": p.low,
                "central": p.central,
                "high": p.high,
                "min_weeks": p.min_weeks,
                "source": p.source,
            }
            for p in tpl.phases
        ]
    )


def model_facts(model_id: str, path: Path | None = None) -> pd.DataFrame:
    """Legal facts recorded with a model's template (e.g. the reg. 77 three-year limit for a mutual).

    Columns ``fact``, ``value``, ``unit``, ``description``, ``source``, ``link``; empty if none.
    """
    facts = _template(model_id, path).facts
    return pd.DataFrame(list(facts), columns=["fact", "value", "unit", "description", "source", "link"])


def model_risks(model_id: str, path: Path | None = None) -> pd.DataFrame:
    """A model's risk register: ``risk``, ``likelihood``, ``impact``, ``score``, ``owner``, ``mitigation``."""
    frame = pd.DataFrame(list(_template(model_id, path).risks))
    frame.insert(3, "score", frame["likelihood"] * frame["impact"])
    return frame.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


# --- building plans ---------------------------------------------------------------------------------


def _check_case_and_scale(duration_case: str, duration_scale: float) -> float:
    if duration_case not in DURATION_CASES:
        raise unknown("duration case", duration_case, DURATION_CASES)
    scale = _number(duration_scale)
    if scale is None or scale <= 0:
        raise DDAnalysisError(
            f"duration_scale is {duration_scale!r}; expected a positive number (1.0 = as the template says)"
        )
    return scale


def _durations(tpl: _Template, duration_case: str, scale: Any) -> dict[str, Any]:
    """Scaled durations (weeks), never below a phase's legal minimum; go-live stays 0."""
    out = {}
    for p in tpl.phases:
        base = getattr(p, duration_case)
        out[p.phase] = 0.0 if p.phase == GO_LIVE else np.maximum(base * scale, p.min_weeks)
    return out


def phase_weeks_problems(tpl: _Template, weeks: Mapping[str, float]) -> list[tuple[str, str]]:
    """(phase, what is wrong) for each of ``weeks`` (phase id -> weeks) that a plan cannot take: a phase not in
    the plan (naming its phases), the go-live milestone, or fewer weeks than the phase's legal minimum."""
    mins = {p.phase: p.min_weeks for p in tpl.phases}
    found = []
    for phase, given in weeks.items():
        if phase not in mins:
            found.append((phase, f"not a phase of the {tpl.model_id} plan; its phases: {', '.join(tpl.order)}"))
        elif phase == GO_LIVE:
            found.append((phase, "the go-live milestone has no duration; set the weeks of the phases before it"))
        elif given < mins[phase]:
            found.append((phase, f"{given:g} weeks is below its legal minimum of {mins[phase]:g} weeks"))
    return found


def go_live_weeks(
    model_id: str, duration_case: str = "central", duration_scale: float | np.ndarray = 1.0
) -> float | np.ndarray:
    """Weeks from the plan's start to go-live; ``duration_scale`` may be an array (one go-live per value).

    The fast path for Monte Carlo draws of implementation time; :func:`build_plan` gives dates.
    """
    tpl = _template(model_id)
    if duration_case not in DURATION_CASES:
        raise unknown("duration case", duration_case, DURATION_CASES)
    scale = np.asarray(duration_scale, dtype=float)
    if not np.all(np.isfinite(scale)) or np.any(scale <= 0):
        raise DDAnalysisError("duration_scale must be positive and finite (1.0 = as the template says)")
    deps = {p.phase: p.depends_on for p in tpl.phases}
    finish = _forward(list(tpl.order), deps, _durations(tpl, duration_case, scale))
    result = np.asarray(finish[GO_LIVE], dtype=float)
    return float(result) if result.ndim == 0 else result


def _date(start: dt.date, weeks: float) -> dt.date:
    """The date ``weeks`` after ``start`` (7 days a week, rounded to the nearest day, halves up)."""
    return start + dt.timedelta(days=math.floor(weeks * 7 + 0.5 + _TOLERANCE))


def _start_date(start: dt.date | str | None, project: registry.Project) -> dt.date:
    if start is None:
        return project.plan_start
    if isinstance(start, dt.datetime):
        return start.date()
    if isinstance(start, dt.date):
        return start
    if isinstance(start, str):
        try:
            return dt.date.fromisoformat(start)
        except ValueError as exc:
            raise DDAnalysisError(f"start {start!r} is not a date like '2015-04-01'") from exc
    raise DDAnalysisError(f"start must be a date (or 'YYYY-MM-DD'), not {type(start).__name__}")


def build_plan(
    project_id: str,
    model_id: str,
    start: dt.date | None = None,
    duration_case: str = "central",
    duration_scale: float = 1.0,
    path: Path | None = None,
    weeks: Mapping[str, float] | None = None,
) -> Plan:
    """Schedule the implementation plan of ``model_id`` for a project.

    ``start`` defaults to the project's ``plan_start``. ``duration_case`` picks the template's low,
    central or high durations; ``duration_scale`` multiplies every duration (a phase never goes below
    its legal minimum, e.g. 4 weeks for TUPE consultation). ``weeks`` (phase id -> weeks) sets phases'
    durations outright, in every duration case and unscaled (a council's own estimate); a phase not in the
    plan, the go-live milestone or fewer weeks than a phase's legal minimum raise :class:`DDAnalysisError`
    naming the phase and the plan's phases or the minimum. ``path`` overrides the bundled template
    file. The plan works for any non-status-quo model; the project's own options are its short list.
    """
    project = registry.project(project_id)
    tpl = _template(model_id, path)
    scale = _check_case_and_scale(duration_case, duration_scale)
    begin = _start_date(start, project)
    cat = _catalogue()
    durations = {k: float(v) for k, v in _durations(tpl, duration_case, scale).items()}
    found = phase_weeks_problems(tpl, weeks or {})
    if found:
        raise DDAnalysisError(f"the {model_id} plan: " + "; ".join(f"{ph}: {what}" for ph, what in found))
    durations.update({ph: float(w) for ph, w in (weeks or {}).items()})
    deps = {p.phase: p.depends_on for p in tpl.phases}
    sched = schedule(durations, deps, where=str(tpl.path))
    rank = {p: i for i, p in enumerate(cat.ids)}
    phases = _phase_table(sched, deps, cat, rank, begin)
    go_live = phases.loc[phases["phase"] == GO_LIVE, "start"].iloc[0]
    milestone_frame = _milestones(phases, cat, "tupe_consultation" in deps, go_live, rank)
    return Plan(
        project_id=project.id,
        model_id=model_id,
        start=begin,
        phases=phases,
        milestones=milestone_frame,
        risks=model_risks(model_id, path),
        go_live=go_live,
        duration_case=duration_case,
    )


def _phase_table(
    sched: pd.DataFrame, deps: Mapping[str, Sequence[str]], cat: Any, rank: Mapping[str, int], begin: dt.date
) -> pd.DataFrame:
    """The plan's phases frame from the schedule (weeks from ``begin``), listed by start: a milestone of no
    duration (the contract award) before the phases that start when it is reached, then in the catalogue's
    order."""
    sched = sched.assign(_rank=sched["phase"].map(rank), _lasts=sched["duration_weeks"] > 0).sort_values(
        ["start_week", "_lasts", "_rank"], kind="stable"
    )
    return pd.DataFrame(
        {
            "phase": sched["phase"],
            "name": sched["phase"].map(lambda p: cat.entry(p).name),
            "depends_on": sched["phase"].map(lambda p: ", ".join(deps[p])),
            "duration_weeks": sched["duration_weeks"].astype(float),
            "start": sched["start_week"].map(lambda w: _date(begin, w)),
            "finish": sched["finish_week"].map(lambda w: _date(begin, w)),
            "critical": sched["critical"].astype(bool),
            "slack_weeks": sched["slack_weeks"].astype(float),
        }
    ).reset_index(drop=True)


def _milestones(
    phases: pd.DataFrame, cat: Any, with_tupe: bool, go_live: dt.date, rank: Mapping[str, int]
) -> pd.DataFrame:
    """The plan's milestones (milestone, date), by date then phase order: each phase's milestone at its finish,
    and with a TUPE consultation (``with_tupe``) the employee liability information due before the transfer
    (TUPE 2006 reg. 11, its days from the phase catalogue's facts)."""
    milestones = [
        (cat.entry(row.phase).milestone, row.finish, rank[row.phase])
        for row in phases.itertuples()
        if cat.entry(row.phase).milestone
    ]
    if with_tupe:
        days = int(next(f["value"] for f in cat.facts if f["fact"] == _ELI_FACT))
        milestones.append(
            (
                f"Employee liability information due (TUPE 2006 reg. 11: at least {days} days before transfer)",
                go_live - dt.timedelta(days=days),
                rank["tupe_consultation"],
            )
        )
    milestones.sort(key=lambda m: (m[1], m[2]))
    return pd.DataFrame([{"milestone": m, "date": d} for m, d, _ in milestones], columns=["milestone", "date"])


class PhaseWeeks(BaseModel):
    """One phase's own duration in ``plan.yaml``: ``weeks`` (in every duration case, not scaled)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weeks: float = Field(ge=0)


class ModelPlan(BaseModel):
    """One delivery model's part of ``plan.yaml``: its own ``duration_scale`` (default the plan's) and
    ``phases`` (phase id -> :class:`PhaseWeeks`, over the plan-wide ``phases``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    duration_scale: float | None = Field(default=None, gt=0)
    phases: dict[str, PhaseWeeks] = {}


class ProjectRisk(BaseModel):
    """One risk of the project's own, in ``plan.yaml``'s ``risks``: the register's fields (``risk``,
    ``likelihood`` and ``impact`` 1-5, ``owner``, ``mitigation``) and the ``options`` it applies to (model ids
    on the short list; default every option but the status quo). It joins those options' registers, after the
    model template's risks (data/plans/models)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    risk: str = Field(min_length=1)
    likelihood: int = Field(ge=1, le=5, strict=True)
    impact: int = Field(ge=1, le=5, strict=True)
    owner: str = Field(min_length=1)
    mitigation: str = Field(min_length=1)
    options: list[str] | None = None


class WorkspacePlan(BaseModel):
    """A workspace's ``plan.yaml``: ``start`` (the date work begins; default the project's ``plan_start``),
    ``duration_scale`` (every phase's weeks times this; 1.0 = as the templates say), ``phases`` (phase id ->
    ``{weeks: N}``, for every plan that has the phase), ``models`` (model id -> ``{duration_scale, phases}``,
    or the older form model id -> its duration scale, still read) and ``risks`` (the project's own risks,
    :class:`ProjectRisk`). A phase never goes below its legal minimum."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int | None = None
    start: dt.date | None = None
    duration_scale: float = Field(default=1.0, gt=0)
    phases: dict[str, PhaseWeeks] = {}
    models: dict[str, ModelPlan] = {}
    risks: list[ProjectRisk] = []

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int | None) -> int | None:
        return workspace.version_field(value)

    @field_validator("models", mode="before")
    @classmethod
    def _older_models_form(cls, value: Any) -> Any:
        """The older form ``models: {model id: duration scale}`` read as ``{model id: {duration_scale: ...}}``."""
        if not isinstance(value, dict):
            return value
        return {
            k: {"duration_scale": v} if isinstance(v, numbers.Real) and not isinstance(v, bool) else v
            for k, v in value.items()
        }

    def scale_of(self, model_id: str) -> float:
        """The duration scale of a model's plan: its own, else the plan-wide one."""
        own = self.models.get(model_id)
        return own.duration_scale if own is not None and own.duration_scale is not None else self.duration_scale

    def weeks_of(self, model_id: str) -> dict[str, float]:
        """Phase id -> weeks set for a model's plan: the plan-wide ``phases`` it has, then its own."""
        has = set(_template(model_id).order)
        out = {ph: w.weeks for ph, w in self.phases.items() if ph in has}
        own = self.models.get(model_id)
        if own is not None:
            out.update({ph: w.weeks for ph, w in own.phases.items()})
        return out


def workspace_plan(project_id: str) -> WorkspacePlan:
    """The project's ``plan.yaml`` checked (every problem named by key), or the defaults when it has none."""
    path = workspace.optional_file(project_id, "plan.yaml")
    if path is None:
        return WorkspacePlan()
    problems = Problems(path)
    found = workspace.parse_model(WorkspacePlan, read_yaml_mapping(path, "workspace plan"), problems)
    for model_id in found.models:
        if model_id not in registry.DELIVERY_MODELS or model_id == registry.STATUS_QUO:
            problems.add(
                f"models.{model_id}",
                f"not a delivery model with a plan; expected one of {', '.join(registry.DELIVERY_MODELS[1:])}",
            )
    problems.raise_if_any()
    shortlist = registry.project(project_id).shortlist
    _check_phase_weeks(found, shortlist, problems)
    _check_risk_options(found, shortlist, problems)
    problems.raise_if_any()
    return found


def _check_risk_options(found: WorkspacePlan, shortlist: Iterable[str], problems: Problems) -> None:
    """Add a problem for each option a project risk names that has no plan: not on the short list, or the
    status quo."""
    planned = [m for m in shortlist if m != registry.STATUS_QUO]
    for i, item in enumerate(found.risks):
        for model_id in item.options or []:
            if model_id not in planned:
                problems.add(
                    f"risks[{i}].options",
                    f"{model_id!r} is not an option with a plan on this project's short list; "
                    f"expected some of {', '.join(planned)}",
                )


def project_risks(own: WorkspacePlan, model_id: str) -> pd.DataFrame:
    """The project's own risks that apply to ``model_id`` (columns as :func:`model_risks`: risk, likelihood,
    impact, score, owner, mitigation)."""
    rows = [
        {
            "risk": r.risk,
            "likelihood": r.likelihood,
            "impact": r.impact,
            "score": r.likelihood * r.impact,
            "owner": r.owner,
            "mitigation": r.mitigation,
        }
        for r in own.risks
        if r.options is None or model_id in r.options
    ]
    return pd.DataFrame(rows, columns=["risk", "likelihood", "impact", "score", "owner", "mitigation"])


def _check_phase_weeks(found: WorkspacePlan, shortlist: Iterable[str], problems: Problems) -> None:
    """Add a problem for each phase of ``plan.yaml`` no plan has (the catalogue's phases named), and for each
    phase set below its legal minimum, or not in its model's plan, in a plan of the short list."""
    cat = _catalogue()
    for phase in found.phases:
        if phase not in cat.ids:
            problems.add(f"phases.{phase}", f"not a phase of any plan; the phases: {', '.join(cat.ids)}")
    for model_id, own in found.models.items():
        tpl = _template(model_id)
        for phase, what in phase_weeks_problems(tpl, {p: w.weeks for p, w in own.phases.items()}):
            problems.add(f"models.{model_id}.phases.{phase}", what)
    for model_id in (m for m in shortlist if m != registry.STATUS_QUO):
        tpl = _template(model_id)
        shared = {p: w.weeks for p, w in found.phases.items() if p in tpl.order}
        for phase, what in phase_weeks_problems(tpl, shared):
            problems.add(f"phases.{phase}", f"in the {model_id} plan, {what}")


def project_plans(project_id: str, duration_case: str = "central", start: dt.date | None = None) -> dict[str, Plan]:
    """Plans for every option on the project's short list except the status quo, keyed by model id; the
    workspace's ``plan.yaml`` (:class:`WorkspacePlan`) sets the start, scales durations and sets phases' weeks,
    ``start`` given here wins over it."""
    project = registry.project(project_id)
    own = workspace_plan(project.id)
    begin = start if start is not None else own.start
    plans = {
        m: build_plan(
            project.id,
            m,
            start=begin,
            duration_case=duration_case,
            duration_scale=own.scale_of(m),
            weeks=own.weeks_of(m),
        )
        for m in project.shortlist
        if m != registry.STATUS_QUO
    }
    return {m: _with_project_risks(p, project_risks(own, m)) for m, p in plans.items()}


def _with_project_risks(plan: Plan, extra: pd.DataFrame) -> Plan:
    """``plan`` with the project's own risks joined to its template's, the register still highest score first
    (a project's risk after a template's of the same score); the plan itself when there are none."""
    if extra.empty:
        return plan
    joined = pd.concat([plan.risks, extra], ignore_index=True)
    return dataclasses.replace(
        plan, risks=joined.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    )
