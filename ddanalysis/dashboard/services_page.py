"""The dashboard page of a project appraised by service: its services table and the project's total.

A workspace whose services have their own baselines is offered one appraisal page per service
(``?project=<project id>:<service id>``); the page of the project id itself shows what the CLI's ``appraise``
and the JSON's ``project_total`` show: each service's recommended option, what services sharing a new body
save by setting it up once, the project's total (:func:`ddanalysis.services.combine` on the services' dashboard
results) and the sentences that state how the total is made, with a link to each service's page. Nothing
here computes a figure or formats a number: the sums are :mod:`ddanalysis.services`', the table and money
:mod:`ddanalysis.presentation`'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import ipywidgets as W
import pandas as pd

from .. import registry, workspace
from ..assumptions import load_book
from ..presentation import formats, tables
from ..presentation import text as words
from ..services import ProjectAppraisal, ServiceAppraisal, combine
from .common import STYLE, auto_width, escape, html_widget, kpi_cards, table_from
from .store import PERSPECTIVES, Key, ResultStore


def service_refs(project_id: str, served: Sequence[str]) -> list[str]:
    """The served references of ``project_id``'s services (``<project id>:<service id>``, in ``served``'s
    order); empty when ``project_id`` is not a project the dashboards offer service by service."""
    return [ref for ref in served if ref != project_id and workspace.split_ref(ref)[0] == project_id]


def project_appraisal(store: ResultStore, refs: Sequence[str], scenario: str, perspective: str) -> ProjectAppraisal:
    """The project of the service references ``refs`` (``<project id>:<service id>``, at least one), from each
    service's dashboard result (:meth:`ResultStore.get_quick`: the dashboard's Monte Carlo draws and seed) for
    ``scenario`` and ``perspective``, combined as ``ddanalysis appraise`` combines them. GBP, real base-year prices.

    Raises what :func:`ddanalysis.engine.appraise` raises (:class:`ddanalysis.errors.DDAnalysisError`)."""
    project_id = workspace.split_ref(refs[0])[0]
    parsed = workspace.read_project_file(workspace.folder(project_id))
    titles = {s.id: s.title for s in parsed.services}
    done = []
    for ref in refs:
        sid = str(workspace.split_ref(ref)[1])
        done.append(ServiceAppraisal(sid, titles[sid], store.get_quick(Key(ref, scenario, perspective))))
    return combine(project_id, registry.project(project_id).title, tuple(done), False)


def services_html(project: ProjectAppraisal) -> str:
    """The page's body as HTML: a header, the total as a card, the services table (each service's title a link
    to its own page), the sentences on how the total is made and the councils' parts of it (with partners)."""
    first = project.services[0].result
    total = project.total
    table = tables.services_table(project)
    links = {
        s.title: f"<a href='?project={escape(workspace.service_ref(project.project_id, s.id))}'>{escape(s.title)}</a>"
        for s in project.services
    }
    frame = table.frame.assign(Service=[links.get(v, escape(v)) for v in table.frame["Service"]])
    what = "Services and the project's total"
    caption = words.basis_caption(what, first.base_year, first.perspective, first.scenario)
    shown = tables.Table(frame, table.units, caption, table.emphasis)
    cards = kpi_cards(
        [
            ("Project total: net present saving", formats.money(total["net_present_saving_gbp"]), "chosen options"),
            ("Project total: one-off cost", formats.money(total["one_off_cost_gbp"]), "undiscounted"),
            ("Services", formats.integer(len(project.services)), "each appraised on its own page"),
        ]
    )
    sentences = "".join(f"<p>{escape(s)}</p>" for s in project.statements)
    return (
        f"<div class='dd-header'><h1>{escape(project.title)}: services and the project's total</h1>"
        f"<p class='dd-sub'>{escape(first.councils)} · Money in GBP, {escape(first.price_basis)}, over "
        f"{first.horizon_years} years from {escape(first.first_year)}; scenario <b>{escape(first.scenario)}</b>, "
        f"perspective: {escape(first.perspective_label)}; {formats.integer(len(first.mc_draws))} Monte Carlo "
        f"draws (seed {escape(first.mc_seed)}) for each service.</p></div>"
        f"<div class='dd-services-total'>{cards}</div>"
        f"<div class='dd-services'>{table_from(shown, html_cols=['Service'])}</div>"
        f"<div class='dd-services-notes'>{sentences}</div>{_councils_html(project)}"
    )


def _councils_html(project: ProjectAppraisal) -> str:
    """Each council's part of the project's total (with partners), as an HTML table; empty for one council."""
    parts = project.total["by_council"]
    if not parts:
        return ""
    frame = pd.DataFrame(
        [(p["name"], p["net_present_saving_gbp"], p["one_off_cost_gbp"]) for p in parts],
        columns=["Council", "Net present saving", "One-off cost (undiscounted, with optimism bias)"],
    )
    units = {"Net present saving": "gbp", "One-off cost (undiscounted, with optimism bias)": "gbp"}
    return table_from(tables.Table(frame, units, "Each council's part of the project's total"))


def services_page(store: ResultStore, refs: Sequence[str], query: Mapping[str, list[str]]) -> W.VBox:
    """The whole page of the project whose served service references are ``refs``, in the scenario and
    perspective the URL's ``query`` names (``?scenario=...&perspective=...``; central and council when absent or
    not one of the dashboard's).

    Raises what :func:`project_appraisal` raises."""
    scenario = (query.get("scenario") or ["central"])[-1]
    perspective = (query.get("perspective") or ["council"])[-1]
    scenario = scenario if scenario in load_book(None).scenarios else "central"
    perspective = perspective if perspective in PERSPECTIVES else "council"
    project = project_appraisal(store, refs, scenario, perspective)
    page = W.VBox([html_widget(STYLE), html_widget(services_html(project))], layout=auto_width())
    page.add_class("dd-page")
    return page
