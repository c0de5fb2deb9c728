"""Several services in one project: each appraised on its own, the chosen options summed.

A workspace whose services each have their own baseline (``baseline-<service id>.csv|xlsx``) is appraised
one service at a time (:func:`ddanalysis.engine.appraise` on ``<project id>:<service id>``): its own
baseline, short list and assumption overrides, its recommended option found by the same rule as a
single-service project's. The project's result is each service's recommended option, summed (net present
saving, one-off cost and, with partners, each council's part), with the interactions stated:

- *one new vehicle*: services that choose the same new body (:data:`NEW_VEHICLE_MODELS`, e.g. two
  charitable trusts) are taken to share one, so the lines that set up a body rather than move a service
  (:data:`VEHICLE_COMPONENTS`: legal and governance set-up, the pension fund's admission work) are
  counted once, the largest kept; what that saves is its own line (:func:`vehicle_interaction`);
- *stranded overheads* stay per service: each service's own recharges are stranded or not as its own
  appraisal finds, so they are summed as they are.

A project with one baseline for all its services is appraised whole, as before; its ``services`` list
has one entry covering them all and its total is its recommended option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import registry, workspace
from .errors import DDAnalysisError
from .keys import parse_key
from .presentation import text
from .result import AppraisalResult

#: Delivery models that set up a new body, which several services choosing the model can share.
#: Outsourcing and shared services contract with a body that exists; community-led hands each service to
#: its own local groups; the in-house options set up nothing.
NEW_VEHICLE_MODELS = (
    "trading-company",
    "mutual",
    "social-enterprise",
    "charitable-trust",
    "joint-venture",
    "cooperative",
)
#: One-off cost lines that are a body's rather than a service's (``levers.yaml``: transition_legal_governance
#: "new legal form, articles, board, contracts" and transition_pensions "actuary's valuation, admission
#: agreement, bond", both a fixed sum per body, GBP thousand); TUPE, IT separation (per FTE), procurement,
#: redundancy and double running stay per service.
VEHICLE_COMPONENTS = ("legal_governance", "pensions_work")


@dataclass(frozen=True)
class ServiceAppraisal:
    """One service's appraisal: its ``id`` and ``title`` (project.yaml) and :class:`AppraisalResult`."""

    id: str
    title: str
    result: AppraisalResult

    @property
    def chosen(self) -> pd.Series:
        """The row of ``result.options`` of the recommended option."""
        opts = self.result.options
        return opts[opts["id"] == self.result.recommended].iloc[0]


@dataclass(frozen=True)
class ProjectAppraisal:
    """A project's services appraised (GBP, real base-year prices): ``services`` in project.yaml's order,
    ``one_appraisal`` (True: the project appraised whole on one shared baseline, or the one service its
    reference names), ``interaction`` (one row per shared
    vehicle: option, services, one_off_saving_gbp, pv_saving_gbp; empty when none) and ``total`` (the chosen
    options summed with the interaction, :func:`project_total`)."""

    project_id: str
    title: str
    base_year: str
    services: tuple[ServiceAppraisal, ...]
    one_appraisal: bool
    interaction: pd.DataFrame
    total: Mapping[str, Any]
    statements: tuple[str, ...]


def service_overrides(overrides: Mapping[str, float], service_ids: tuple[str, ...], service: str) -> dict[str, float]:
    """The what-if overrides that apply to ``service``: every key without a service prefix, and this service's
    prefixed keys with the prefix dropped (``libraries/mutual.pension_rate_change`` -> ``mutual.pension_rate_change``).
    A prefix that is not a service id is left alone (an outcome id: :mod:`ddanalysis.public_value`)."""
    out: dict[str, float] = {}
    for text_key, value in overrides.items():
        key = parse_key(text_key)
        if key.service is None or key.service not in service_ids:
            out[text_key] = value
        elif key.service == service:
            out[str(parse_key(f"{key.scope}.{key.key}"))] = value
    return out


def _check_prefixes(overrides: Mapping[str, float], service_ids: tuple[str, ...], shared: bool) -> None:
    """Refuse a service-prefixed key in a project appraised whole (one shared baseline)."""
    for text_key in overrides:
        key = parse_key(text_key)
        if shared and key.service in service_ids and len(service_ids) > 1:
            raise DDAnalysisError(
                f"{text_key}: the project's services share one baseline and are appraised together; give each "
                f"service its own baseline (baseline-<service id>.xlsx|csv) to set a value for one service, or "
                f"drop the '{key.service}/' prefix"
            )


def _prefix_hint(exc: DDAnalysisError, overrides: Mapping[str, float], service_ids: tuple[str, ...]) -> Exception:
    """``exc``, or for a project appraised by service whose overrides carry a prefix that is no service id, the
    same error saying what such a prefix may name."""
    odd = sorted({k.service for k in map(parse_key, overrides) if k.service is not None})
    if not service_ids or not odd:
        return exc
    return DDAnalysisError(
        f"{exc} (a prefix {', '.join(map(repr, odd))} is not a service of this project: a '<prefix>/' names a "
        f"service, one of {', '.join(service_ids)}, or an outcome of the service's outcome model)"
    )


def appraise_services(ref: str, overrides: Mapping[str, float] | None = None, **kwargs: Any) -> ProjectAppraisal:
    """Appraise a project service by service (:func:`ddanalysis.engine.appraise` keyword arguments pass
    through); ``overrides`` by assumption key, a ``<service id>/`` prefix for one service only.

    Raises what :func:`ddanalysis.engine.appraise` raises, and :class:`DataFileError` for baselines that do
    not fit the services (:func:`ddanalysis.workspace.check_baseline_layout`)."""
    from .engine import appraise

    project = registry.project(ref)
    parsed = workspace.read_project_file(workspace.folder(project.id))
    parts = registry.service_projects(project.id)
    shared = len(parts) == 1  # one appraisal: the whole project, or the one service the reference names
    _check_prefixes(overrides or {}, parsed.service_ids, shared and workspace.split_ref(project.id)[1] is None)
    titles = {s.id: s.title for s in parsed.services}
    done = []
    for part in parts:
        sid = workspace.split_ref(part.id)[1]
        mine = service_overrides(overrides or {}, parsed.service_ids, sid) if sid else dict(overrides or {})
        try:
            result = appraise(part.id, overrides=mine, **kwargs)
        except DDAnalysisError as exc:
            raise _prefix_hint(exc, mine, parsed.service_ids if sid else ()) from exc
        sid_out = sid or project.id
        title = titles[sid] if sid else "; ".join(project.services)
        done.append(ServiceAppraisal(sid_out, title, result))
    return combine(workspace.split_ref(project.id)[0], registry.project(parsed.id).title, tuple(done), shared)


def with_other_services(result: AppraisalResult, draws: int, seed: int) -> ProjectAppraisal | None:
    """For ``result``, one service of a project appraised by service (``<project id>:<service id>``), the
    whole project: the other services appraised with the same scenario, perspective, Monte Carlo ``draws`` and
    ``seed`` (their scenario's own optimism-bias mitigation; no switching values, decision measures or
    sensitivity, which the total does not use) and combined with ``result`` as ``ddanalysis appraise`` combines
    them; None for any other result. GBP, real base-year prices.

    Raises what :func:`ddanalysis.engine.appraise` raises."""
    from .engine import appraise

    base, sid = workspace.split_ref(result.project_id)
    if sid is None:
        return None
    parsed = workspace.read_project_file(workspace.folder(base))
    done = []
    for part in registry.service_projects(base):
        other = workspace.split_ref(part.id)[1]
        res = (
            result
            if other == sid
            else appraise(
                part.id,
                result.scenario,
                result.perspective,
                draws,
                seed,
                with_switching=False,
                with_decision=False,
                with_sensitivity=False,
            )
        )
        done.append(ServiceAppraisal(str(other), next(s.title for s in parsed.services if s.id == other), res))
    return combine(base, registry.project(base).title, tuple(done), False)


def combine(project_id: str, title: str, services: tuple[ServiceAppraisal, ...], shared: bool) -> ProjectAppraisal:
    """The project's result from its services' appraisals: the chosen options summed, with the vehicle
    interaction (:func:`vehicle_interaction`) and the sentences that state the interactions."""
    interaction = vehicle_interaction(services)
    base_year = services[0].result.base_year
    return ProjectAppraisal(
        project_id=project_id,
        title=title,
        base_year=base_year,
        services=services,
        one_appraisal=shared,
        interaction=interaction,
        total=project_total(services, interaction),
        statements=text.services_statements(
            shared, _vehicle_words(services, interaction), services[0].result.project_id
        ),
    )


def _vehicle_lines(result: AppraisalResult, option: str) -> tuple[float, float]:
    """(undiscounted, present value) of an option's :data:`VEHICLE_COMPONENTS` lines, GBP real."""
    cf = result.cashflows
    mine = cf[(cf["option"] == option) & (cf["component"].isin(VEHICLE_COMPONENTS))]
    factors = result.annual[result.annual["option"] == option].set_index("year_index")["discount_factor"]
    pv = float((mine["cost_gbp"] * mine["year_index"].map(factors)).sum())
    return float(mine["cost_gbp"].sum()), pv


def vehicle_interaction(services: tuple[ServiceAppraisal, ...]) -> pd.DataFrame:
    """One row per new vehicle chosen by two or more services: ``option``, ``services`` (ids, comma-separated),
    ``one_off_saving_gbp`` (undiscounted) and ``pv_saving_gbp`` (present value): the set-up lines of every
    service but the one with the largest, which are not spent twice. GBP, real base-year prices."""
    rows = []
    chosen = [(s, str(s.result.recommended)) for s in services]
    for option in dict.fromkeys(o for _s, o in chosen if o in NEW_VEHICLE_MODELS):
        sharing = [s for s, o in chosen if o == option]
        if len(sharing) < 2:
            continue
        lines = sorted((_vehicle_lines(s.result, option) for s in sharing), key=lambda c: c[1], reverse=True)
        rows.append(
            {
                "option": option,
                "name": sharing[0].chosen["name"],
                "services": ", ".join(s.id for s in sharing),
                "one_off_saving_gbp": sum(c[0] for c in lines[1:]),
                "pv_saving_gbp": sum(c[1] for c in lines[1:]),
            }
        )
    return pd.DataFrame(rows, columns=["option", "name", "services", "one_off_saving_gbp", "pv_saving_gbp"])


def project_total(services: tuple[ServiceAppraisal, ...], interaction: pd.DataFrame) -> dict[str, Any]:
    """The chosen options summed: ``net_present_saving_gbp`` and ``one_off_cost_gbp`` before and after the
    interaction (``interaction_*``: what a shared vehicle saves), and ``by_council`` (each council's part of
    the chosen options, the interaction shared as the services' one-off costs are; None for one council)."""
    nps = sum(float(s.chosen["net_present_saving_gbp"]) for s in services)
    one_off = sum(float(s.chosen["one_off_cost_gbp"]) for s in services)
    pv_adj = float(interaction["pv_saving_gbp"].sum()) if not interaction.empty else 0.0
    one_off_adj = float(interaction["one_off_saving_gbp"].sum()) if not interaction.empty else 0.0
    return {
        "chosen": {s.id: str(s.result.recommended) for s in services},
        "net_present_saving_before_interaction_gbp": nps,
        "one_off_cost_before_interaction_gbp": one_off,
        "interaction_net_present_saving_gbp": pv_adj,
        "interaction_one_off_cost_gbp": -one_off_adj if one_off_adj else 0.0,
        "net_present_saving_gbp": nps + pv_adj,
        "one_off_cost_gbp": one_off - one_off_adj,
        "by_council": _by_council(services, interaction),
    }


def _by_council(services: tuple[ServiceAppraisal, ...], interaction: pd.DataFrame) -> list[dict[str, Any]] | None:
    """Each council's part of the chosen options summed, with its share of each vehicle interaction in
    proportion to its part of the sharing services' one-off costs; None for a project of one council."""
    parts = []
    for s in services:
        bc = s.result.by_council
        if bc is None or bc.empty:
            return None
        parts.append(bc[bc["option"] == s.result.recommended].assign(service=s.id))
    rows = pd.concat(parts, ignore_index=True)
    if rows["council"].nunique() < 2:
        return None
    adj = pd.Series(0.0, index=rows["council"].unique())
    adj_pv = adj.copy()
    for r in interaction.itertuples(index=False):
        mine = rows[rows["service"].isin(r.services.split(", "))].groupby("council")["one_off_cost_gbp"].sum()
        share = mine / mine.sum() if mine.sum() else mine * 0 + 1 / len(mine)
        adj = adj.add(share * r.one_off_saving_gbp, fill_value=0.0)
        adj_pv = adj_pv.add(share * r.pv_saving_gbp, fill_value=0.0)
    summed = rows.groupby(["council", "name"], sort=False)[["net_present_saving_gbp", "one_off_cost_gbp"]].sum()
    return [
        {
            "council": str(code),
            "name": str(name),
            "net_present_saving_gbp": float(v.net_present_saving_gbp + adj_pv[code]),
            "one_off_cost_gbp": float(v.one_off_cost_gbp - adj[code]),
        }
        for (code, name), v in summed.iterrows()
    ]


def _vehicle_words(services: tuple[ServiceAppraisal, ...], interaction: pd.DataFrame) -> list[tuple[str, str, float]]:
    """(vehicle name, services' titles, present-value saving GBP) of each shared vehicle, for the sentences."""
    titles = {s.id: s.title for s in services}
    return [
        (str(r.name), ", ".join(titles[i] for i in r.services.split(", ")), float(r.pv_saving_gbp))
        for r in interaction.itertuples(index=False)
    ]


def to_dict(project: ProjectAppraisal) -> dict[str, Any]:
    """``services`` (each: id, title, baseline_net_budget_gbp, recommended, options' net present savings) and
    ``project_total`` (with ``interactions``: the sentences), for the appraisal JSON (GBP, to the penny)."""
    total = dict(project.total)
    money = {k: round(v, 2) for k, v in total.items() if k.endswith("_gbp")}
    by_council = total["by_council"]
    return {
        "services": [
            {
                "id": s.id,
                "title": s.title,
                "baseline_net_budget_gbp": round(float(s.result.baseline.net_budget_gbp), 2),
                "recommended": str(s.result.recommended),
                "options": [
                    {
                        "id": str(r.id),
                        "name": str(r.name),
                        "net_present_saving_gbp": round(float(r.net_present_saving_gbp), 2),
                    }
                    for r in s.result.options.itertuples(index=False)
                ],
            }
            for s in project.services
        ],
        "project_total": {
            "chosen": total["chosen"],
            **money,
            "interaction": [
                {
                    "option": str(r.option),
                    "services": r.services.split(", "),
                    "one_off_saving_gbp": round(float(r.one_off_saving_gbp), 2),
                    "pv_saving_gbp": round(float(r.pv_saving_gbp), 2),
                }
                for r in project.interaction.itertuples(index=False)
            ],
            "by_council": None
            if by_council is None
            else [{**c, **{k: round(v, 2) for k, v in c.items() if k.endswith("_gbp")}} for c in by_council],
            "interactions": list(project.statements),
        },
    }


def project_document(project: ProjectAppraisal) -> dict[str, Any]:
    """The appraisal JSON of a project whose services have their own baselines: the heading of its first
    service's appraisal (scenario, perspective, base year, horizon), ``baseline_net_budget_gbp`` summed,
    :func:`to_dict`'s ``services`` (each with its whole ``appraisal``) and ``project_total``."""
    first = project.services[0].result.to_dict()
    heading = (
        "councils",
        "scenario",
        "perspective",
        "perspective_label",
        "perspective_note",
        "base_year",
        "first_year",
        "horizon_years",
        "price_basis",
        "price_base",
        "units",
        "illustrative",
        "monte_carlo_draws",
        "monte_carlo_seed",
        "recommendation_rule",
    )
    doc = to_dict(project)
    for entry, s in zip(doc["services"], project.services, strict=True):
        entry["appraisal"] = s.result.to_dict()
    return {
        "project": project.project_id,
        "title": project.title,
        **{k: first[k] for k in heading},
        "baseline_net_budget_gbp": round(sum(float(s.result.baseline.net_budget_gbp) for s in project.services), 2),
        **doc,
    }
