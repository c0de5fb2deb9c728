"""What the paper needs beyond the appraisal result, read once from the bundled data.

The project's services, aims and drivers (registry), the council's official spending on the
in-scope service blocks (:mod:`ddanalysis.context`), each option's procurement route and legal
facts (the implementation-plan templates), and the optimism-bias upper bounds (appraisal.yaml).
Nothing here formats or lays out: :mod:`ddanalysis.paper.sections` does that through the
presentation layer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from ..assumptions import TEAM_JUDGEMENT
from ..cross_checks import NO_PROVIDER, cross_checks
from ..errors import DDAnalysisError, WorkspaceInputError
from ..presentation import text

if TYPE_CHECKING:
    from ..result import AppraisalResult

STATUS_QUO = "in-house"

#: Options whose staff stay council employees (no TUPE transfer). Every other delivery model moves the
#: service to another employer (for a shared service: when the other council hosts it).
NO_TRANSFER = NO_PROVIDER

#: Pension wording and routes without procurement: the presentation layer's words.
PENSIONS = text.PENSION_ARRANGEMENTS
ADMITTED_BODY = text.ADMITTED_BODY_TEXT

#: Models whose legal limits the commercial case always states, and the facts kept.
LIMIT_MODELS = ("trading-company", "mutual")
LIMIT_FACTS = "teckal|reg77_reserved|procurement_act_2023_reserved|cooperation"

NO_ROUTE = text.NO_PROCUREMENT


@dataclass(frozen=True)
class PaperInputs:
    """The paper's inputs other than the result (see the module docstring)."""

    services: tuple[str, ...] = ()
    aims: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    spending: pd.DataFrame = field(default_factory=pd.DataFrame)
    class_names: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    routes: Mapping[str, str] = field(default_factory=dict)
    transfers: Mapping[str, bool] = field(default_factory=dict)
    pensions: Mapping[str, str] = field(default_factory=dict)
    facts: pd.DataFrame = field(default_factory=pd.DataFrame)
    ob_upper: Mapping[str, float] = field(default_factory=dict)
    ob_applies_to: Mapping[str, str] = field(default_factory=dict)
    ob_operating_upper: float | None = None
    ob_method_note: str = ""
    sources: tuple[tuple[str, str, str], ...] = ()  # (title, link, what it supports, with locators)
    notes: tuple[str, ...] = ()
    #: the rule's recommendation from each other perspective (central values, no Monte Carlo draws):
    #: (perspective id, recommended option's name, its net present saving in GBP or None for the status quo)
    other_perspectives: tuple[text.PerspectiveCheck, ...] = ()
    #: the rule's recommendation with the whole service treated as paid for by the council (None when the
    #: council pays for all of it, so the check cannot differ)
    funding_basis: text.FundingBasisCheck | None = None


def _route(model_id: str) -> str:
    """The procurement route of a model: its plan template's procurement phase, as the source states it."""
    from ..plan import load_template

    if model_id in NO_ROUTE:
        return NO_ROUTE[model_id]
    tpl = load_template(model_id)
    row = tpl[tpl["phase"] == "procurement_or_direct_award"]
    if row.empty:
        return "No procurement phase in the plan template"
    text = re.sub(r"^judgement( on [^:]*)?:\s*", "", str(row["source"].iloc[0])).strip()
    return text[:1].upper() + text[1:]


def _strategic_context(project_id: str, notes: list[str]) -> tuple[tuple, tuple, tuple, tuple]:
    """The strategic case's services, aims, drivers and partners for ``project_id``; empty with a note if missing."""
    from .. import registry

    try:
        project = registry.project(project_id)
        return project.services, project.aims, project.drivers, project.partners
    except DDAnalysisError as exc:
        notes.append(f"Project details not found: {exc}")
        return (), (), (), ()


def _spending_baseline(project_id: str, notes: list[str]) -> pd.DataFrame:
    """The official spending figures behind the strategic case; an empty frame with a note if unavailable."""
    from ..context import project_spending

    try:
        return project_spending(project_id)
    except WorkspaceInputError:
        raise  # the council's own file, there but unusable: said, never passed over for a note
    except (DDAnalysisError, KeyError) as exc:
        notes.append(f"Official spending figures not available: {exc}")
        return pd.DataFrame()


def _management_routes(ids: list[str], notes: list[str]) -> dict[str, str]:
    """The management case's implementation route per option; "-" with a note where no template exists."""
    routes: dict[str, str] = {}
    for m in ids:
        try:
            routes[m] = _route(m)
        except (DDAnalysisError, FileNotFoundError) as exc:
            routes[m] = "-"
            notes.append(f"No implementation-plan template for {m}: {exc}")
    return routes


def _commercial_limits(ids: list[str], book) -> pd.DataFrame:
    """The commercial case's legal-limit facts (Teckal, Regulation 77) for the options and the always-shown models."""
    from ..plan import model_facts

    facts: list[pd.DataFrame] = []
    # the Teckal and Regulation 77 limits are always shown (they decide which vehicles are open)
    for m in [*[i for i in ids if i not in NO_ROUTE], *LIMIT_MODELS]:
        if any(m == f["model"].iloc[0] for f in facts):
            continue
        try:
            f = model_facts(m)
        except (DDAnalysisError, FileNotFoundError):
            continue
        keep = f["fact"].str.contains(LIMIT_FACTS, regex=True)
        if keep.any():
            name = str(book.models.get(m, {}).get("name", m))
            facts.append(f[keep].assign(option=name + ("" if m in ids else " (not short-listed)"), model=m))
    return (
        pd.concat(facts, ignore_index=True)
        if facts
        else pd.DataFrame(columns=["fact", "value", "unit", "description", "source", "link", "option", "model"])
    )


def _optimism_bias(settings) -> tuple[dict[str, float], dict[str, str], float | None]:
    """The economic case's optimism-bias upper bounds in use, what each applies to, and the operating-cost bound."""
    upper = {str(k): float(v) for k, v in settings.optimism_bias_upper.items()}
    applies: dict[str, list[str]] = {}
    for kind, cat in settings.optimism_bias_use.items():
        applies.setdefault(str(cat), []).append(text.optimism_bias_kind(str(kind)))
    used = {c: upper[c] for c in applies if c in upper}
    operating = upper.get(str(settings.optimism_bias_use.get("operating", "")))
    return used or upper, {c: ", ".join(v) for c, v in applies.items()}, operating


def _evidence_sources(result: "AppraisalResult", book) -> tuple[tuple[str, str, str], ...]:
    """The (title, link, what it supports) of each source cited by the result's assumptions, as the main source or
    a further one (``other_sources``, backing a low, central or high), in source-id order. What it supports: each
    locator with the assumptions (``scope.key``, ``(its high)`` for a further source) that cite the source there,
    so a member can find the figure; for the team's judgement, how many assumptions rest on it."""
    frame = result.assumptions
    cited: dict[str, dict[str, list[str]]] = {}
    for a in frame.to_dict("records"):
        name = f"{a['scope']}.{a['key']}"
        if isinstance(a.get("source_id"), str) and a["source_id"]:
            locator = str(a.get("locator") or "no locator recorded")
            cited.setdefault(a["source_id"], {}).setdefault(locator, []).append(name)
        others = a.get("other_sources")
        for other in json.loads(others) if isinstance(others, str) and others else ():
            cited.setdefault(other["source"], {}).setdefault(other["locator"], []).append(
                f"{name} (its {other['backs']})"
            )
    sources = []
    for sid in sorted(cited):
        src = book.sources.get(sid, {})
        if sid == TEAM_JUDGEMENT:
            n = sum(len(keys) for keys in cited[sid].values())
            supports = f"{n} assumptions rest on it (each with a note saying whose and why)"
        else:
            supports = "Supports " + "; ".join(f"{', '.join(keys)}: {loc}" for loc, keys in cited[sid].items())
        sources.append((str(src.get("title", sid)), str(src.get("link", "") or ""), supports))
    return tuple(sources)


def gather(result: "AppraisalResult") -> PaperInputs:
    """Read the paper's inputs for ``result``'s project. Missing official figures or templates leave
    their part empty with a note, so a paper can still be written."""
    from .. import engine
    from ..assumptions import load_book
    from ..display import AUTHORITY_CLASS_NAMES

    notes: list[str] = []
    services, aims, drivers, partners = _strategic_context(result.project_id, notes)
    spending = _spending_baseline(result.project_id, notes)
    ids = list(result.options["id"])
    try:  # the project's own book, so that a workspace's own sources have their titles in the paper
        book = load_book(result.project_id)
    except DDAnalysisError:
        book = load_book()
    routes = _management_routes(ids, notes)
    ob_upper, ob_applies_to, operating = _optimism_bias(book.settings)
    checks = cross_checks(result)
    notes += checks.notes
    return PaperInputs(
        services=tuple(services),
        aims=tuple(aims),
        drivers=tuple(drivers),
        partners=tuple(partners),
        spending=spending,
        class_names=dict(AUTHORITY_CLASS_NAMES),
        descriptions={m: str(book.models.get(m, {}).get("description", "")) for m in ids},
        routes=routes,
        transfers={m: m not in NO_TRANSFER for m in ids},
        pensions={m: PENSIONS.get(m, ADMITTED_BODY) for m in ids},
        facts=_commercial_limits(ids, book),
        ob_upper=ob_upper,
        ob_applies_to=ob_applies_to,
        ob_operating_upper=operating,
        ob_method_note=str(getattr(engine, "OPTIMISM_BIAS_NOTE", "")),
        sources=_evidence_sources(result, book),
        notes=tuple(notes),
        other_perspectives=checks.other_perspectives,
        funding_basis=checks.funding_basis,
    )
