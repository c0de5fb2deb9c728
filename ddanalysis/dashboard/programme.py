"""The programme dashboard (``dashboards/programme.ipynb``): the ten projects at a glance.

    page = ProgrammePage.prepare()   # before the viewer arrives: every project's central result
    page.show()

A table of the projects (council, services, in-scope budget, recommended model, net present saving,
payback, go-live) with links to each project's appraisal dashboard; the savings by project; and a
council's own spending trend from the official DCLG Revenue Outturn returns, in real 2014-15 prices.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable
from urllib.parse import urlencode

import ipywidgets as W
import pandas as pd

from .. import charts, context, registry
from ..assumptions import load_book
from ..presentation import formats, tables
from ..presentation import text as decision_text
from ..result import AppraisalResult
from ..sources import SERVICE_KEYS
from .common import (
    STYLE,
    ChartSlot,
    Drawing,
    auto_width,
    error_box,
    escape,
    explain,
    guarded,
    html_widget,
    illustrative_banner,
    kpi_cards,
    money,
    server_log,
    share,
    table_html,
    wait_for_viewer,
)
from .store import PERSPECTIVES, Key, ResultStore, default_keys

PERSPECTIVE_LABELS = decision_text.PERSPECTIVE_TITLES


def summary_frame(results: dict[str, AppraisalResult]) -> pd.DataFrame:
    """One row per project, built from results the dashboard already holds
    (:func:`ddanalysis.programme.summary_from_results`; GBP, real 2014-15 prices)."""
    from ..programme import summary_from_results

    return summary_from_results(results)


def trend_frame(spending: pd.DataFrame) -> pd.DataFrame:
    """:func:`ddanalysis.context.council_spending`'s frame as :func:`ddanalysis.charts.spending_trend`
    takes it: ``year``, ``service``, ``label``, ``value_gbp`` (GBP, real 2014-15 prices). Blocks that
    are zero or missing in every year (police and fire for most councils) are left out."""
    f = spending.dropna(subset=["real_gbp_k"])
    nonzero = f.groupby("service")["real_gbp_k"].apply(lambda v: bool((v.abs() > 0).any()))
    f = f[f["service"].isin(nonzero[nonzero].index)]
    return pd.DataFrame(
        {
            "year": f["year"].astype(str).to_numpy(),
            "service": f["service"].to_numpy(),
            "label": f["label"].to_numpy(),
            "value_gbp": f["real_gbp_k"].to_numpy(dtype=float) * 1000.0,
        }
    )


def _public_value_columns(s: pd.DataFrame) -> dict:
    """The programme table's public-value columns, when the summary has them: the recommended
    option's counted outcome benefits, cashable and non-cashable apart and then their sum (labelled as
    a sum), the public value return, the net present value with them, and whether outcomes are
    monetised (and why not). Labels as in :data:`ddanalysis.presentation.tables.PROGRAMME_PUBLIC_VALUE_COLUMNS`."""
    if "benefits_counted_pv_gbp" not in s.columns:
        return {}
    out = {label: s[key] for key, (label, _) in tables.PROGRAMME_PUBLIC_VALUE_COLUMNS.items() if key in s.columns}
    if MONETISED in out:
        out[MONETISED] = [monetised_cell(v) for v in out[MONETISED]]
    return out


#: The programme table's column saying whether a project monetises outcomes (HTML: see :func:`monetised_cell`).
MONETISED = tables.PROGRAMME_PUBLIC_VALUE_COLUMNS["outcomes_monetised"][0]


def monetised_cell(value: str) -> str:
    """The "Outcomes monetised" cell as HTML: ``yes``, or ``no`` with the reason folded under it (a disclosure
    a viewer opens, by mouse or keyboard): the reasons run to a paragraph, which in a table column made
    each such project's row several screens tall. ``value``: the summary's text, ``yes`` or ``no: <reason>``."""
    text = str(value)
    if not text.startswith("no:"):
        return escape(text)
    return f"<details class='dd-why'><summary>no</summary>{escape(text[3:].strip())}</details>"


def in_house_note(changing: int, projects: int) -> str:
    """The note under the count of projects that recommend a new model: what the rest do, or that none is left."""
    if changing >= projects:
        return "every project: none keeps the service in-house"
    return "the other keeps it in-house for now" if projects - changing == 1 else "the others: keep in-house for now"


def _public_value_formats() -> dict:
    """How each public-value column is written (:mod:`ddanalysis.presentation.formats`)."""
    return {
        label: (lambda x, unit=unit: formats.render(x, unit))
        for label, unit in tables.PROGRAMME_PUBLIC_VALUE_COLUMNS.values()
        if unit != "text"
    }


@dataclasses.dataclass(frozen=True)
class ProgrammeView:
    """The parts of the programme page that depend on the scenario and perspective, ready to send: the
    heading, headline cards and project table (HTML) and the savings chart; ``results`` are the
    appraisals they were made from (one per project, in the registry's order)."""

    results: tuple[AppraisalResult, ...]
    header: str
    kpis: str
    table: str
    savings: Drawing


class ProgrammePage:
    """The programme overview; ``widget`` is what the notebook displays."""

    def __init__(self, store: ResultStore, scenario: str = "central", perspective: str = "council"):
        self.store = store
        self.book = load_book(None)
        self.status = html_widget(cls="dd-status")
        self.header = html_widget(cls="dd-header")
        self.scenario = W.Dropdown(
            options=list(self.book.scenarios), value=scenario, description="Scenario", layout=W.Layout(width="250px")
        )
        self.scenario.add_class("dd-scenario")
        self.perspective = W.Dropdown(
            options=[(PERSPECTIVE_LABELS[p], p) for p in PERSPECTIVES],
            value=perspective,
            description="Perspective",
            layout=W.Layout(width="300px"),
        )
        self.perspective.add_class("dd-perspective")
        self.kpis = html_widget(cls="dd-programme-kpis")
        self.table = html_widget(cls="dd-programme-table")
        self.savings = ChartSlot("programme", 640)
        self._views: dict[tuple[str, str], ProgrammeView] = {}
        councils = registry.councils()
        self.council = W.Dropdown(
            options=[(n, c) for n, c in zip(councils["name"], councils["e_code"])],
            value=registry.projects()[0].lead_council,
            description="Council",
            layout=W.Layout(width="360px"),
        )
        self.council.add_class("dd-council")
        self.trend_mode = W.ToggleButtons(
            options=[("Index (first year = 100)", True), ("GBP", False)], value=True, style={"button_width": "190px"}
        )
        self.trend = ChartSlot("trend", 520)
        self.trend_note = html_widget(cls="dd-small")
        controls = W.HBox([self.scenario, self.perspective], layout=W.Layout(flex_flow="row wrap"))
        controls.add_class("dd-controls")
        self.widget = W.VBox(
            [
                html_widget(STYLE),
                self.header,
                controls,
                self.status,
                self.kpis,
                self.table,
                self.savings.widget,
                html_widget("<div class='dd-section-title'>The case for change: each council's own spending</div>"),
                W.HBox([self.council, self.trend_mode], layout=W.Layout(flex_flow="row wrap")),
                self.trend.widget,
                self.trend_note,
            ],
            layout=auto_width(),
        )
        self.widget.add_class("dd-page")
        on = guarded(self.status)(self.refresh)
        self.scenario.observe(lambda ch: on(), names="value")
        self.perspective.observe(lambda ch: on(), names="value")
        self.council.observe(lambda ch: guarded(self.status)(self.draw_trend)(), names="value")
        self.trend_mode.observe(lambda ch: guarded(self.status)(self.draw_trend)(), names="value")
        self.refresh()
        self.draw_trend()

    def results(self, scenario: str | None = None, perspective: str | None = None) -> dict[str, AppraisalResult]:
        """Every project's result for ``scenario`` and ``perspective`` (default: the controls' values)."""
        scenario, perspective = scenario or self.scenario.value, perspective or self.perspective.value
        return {pid: self.store.get_quick(Key(pid, scenario, perspective)) for pid in registry.project_ids()}

    def refresh(self) -> None:
        """Show the scenario and perspective of the controls: the heading, the headline cards, the table and
        the savings chart (the spending trend does not depend on them and stays as it is)."""
        scenario, perspective = self.scenario.value, self.perspective.value
        view = self.view(scenario, perspective, self.results(scenario, perspective))
        self.header.value = view.header
        self.kpis.value = view.kpis
        self.table.value = view.table
        self.savings.put(view.savings)

    def view(self, scenario: str, perspective: str, results: dict[str, AppraisalResult]) -> "ProgrammeView":
        """The page's parts for ``scenario`` and ``perspective`` from ``results`` (one per project), made
        once and kept: a control moved back to a view already shown sends what was made then. A view is
        made again when any of its results is another object (the store found or computed a newer one)."""
        kept = self._views.get((scenario, perspective))
        held = tuple(results.values())
        if kept is not None and len(kept.results) == len(held) and all(a is b for a, b in zip(kept.results, held)):
            return kept
        view = self._make_view(scenario, perspective, results)
        self._views[(scenario, perspective)] = view
        return view

    def prepare_views(self, scenarios: Iterable[str], perspective: str = "council") -> None:
        """Make the views of ``scenarios`` whose results the store already holds (nothing is computed),
        before a viewer asks for them: a scenario change then only sends them."""
        for scenario in scenarios:
            keys = [Key(pid, scenario, perspective) for pid in registry.project_ids()]
            found = [self.store.held(k) for k in keys]
            if all(r is not None for r in found):
                self.view(scenario, perspective, {k.project_id: r for k, r in zip(keys, found) if r is not None})

    def _make_view(self, scenario: str, perspective: str, results: dict[str, AppraisalResult]) -> "ProgrammeView":
        s = summary_frame(results)
        changing = s[s["recommended"] != registry.STATUS_QUO]
        kpis = kpi_cards(
            [
                ("Projects", f"{len(s)}", f"in {s['councils'].nunique()} council groupings"),
                (
                    "In-scope net budget",
                    money(s["baseline_net_gbp"].sum()),
                    f"{self.book.settings.base_year}, all projects",
                ),
                ("Recommend a new model", f"{len(changing)} of {len(s)}", in_house_note(len(changing), len(s))),
                (
                    "Net present saving",
                    money(s["net_present_saving_gbp"].sum()),
                    "of the recommended options, discounted, over each appraisal's horizon",
                ),
            ]
        )
        query = {"scenario": scenario, "perspective": perspective}

        def link(pid: str, title: str) -> str:
            href = f"appraisal.ipynb?{escape(urlencode({'project': pid, **query}))}"
            return f"<a class='dd-project-link' href='{href}'>{escape(title)}</a>"

        frame = pd.DataFrame(
            {
                "Project": [link(p, t) for p, t in zip(s["project_id"], s["title"])],
                "Council(s)": s["councils"],
                "Services in scope": s["services"],
                "In-scope net budget": s["baseline_net_gbp"],
                "Recommended model": s["recommended_name"],
                "Net present saving": s["net_present_saving_gbp"],
                "Chance of saving": [share(p) for p in s["p_saving_positive"]],
                "Payback": s["payback_year"].fillna("-"),
                "Go-live": [
                    pd.Timestamp(g).strftime("%b %Y") if isinstance(g, str) and g else "-" for g in s["go_live"]
                ],
                **_public_value_columns(s),
            }
        )
        table = table_html(
            frame,
            formats={"In-scope net budget": money, "Net present saving": money, **_public_value_formats()},
            html_cols=["Project", MONETISED],
            numeric_cols=["Chance of saving", "Payback", "Go-live"],
            caption="The projects (select a project to open its appraisal; GBP, real 2014-15 prices)",
        )
        return ProgrammeView(
            results=tuple(results.values()),
            header=self._header_html(s, scenario, perspective),
            kpis=kpis,
            table=table,
            savings=self.savings.build(lambda: charts.programme_savings(s)),
        )

    def _header_html(self, s: pd.DataFrame, scenario: str, perspective: str) -> str:
        """The page's heading: how many projects, the price base, the scenario and perspective shown, and the
        illustrative banner when any project's figures are illustrative (``s``: the programme summary)."""
        sc = self.book.scenarios[scenario]
        ill = (
            illustrative_banner("The service budgets, assumptions and scores of every project")
            if s["illustrative"].any()
            else ""
        )
        return (
            "<div class='dd-header'><h1>Delivering Differently: the programme at a glance</h1>"
            f"<p class='dd-sub'>{len(s)} projects, each an options appraisal against keeping the service in-house "
            f"(HM Treasury Green Book method). Money in GBP, real {escape(self.book.settings.base_year)} prices. "
            f"Scenario <b>{escape(sc.name)}</b>: {escape(sc.description)} "
            f"Perspective: {escape(PERSPECTIVE_LABELS[perspective])}.</p>{ill}</div>"
        )

    def draw_trend(self) -> None:
        code = self.council.value
        name = registry.council(code)["name"]
        try:
            frame = trend_frame(context.council_spending(code))
        except Exception as exc:  # noqa: BLE001 - e.g. the official extract is not built
            server_log("spending trend failed", exc)
            self.trend.message(explain(exc))
            self.trend_note.value = ""
            return
        in_scope = [SERVICE_KEYS[b] for p in registry.projects() if code in p.councils for b in p.rs_services]
        base = self.book.settings.base_year
        as_index = bool(self.trend_mode.value)
        self.trend.draw(
            lambda: charts.spending_trend(
                frame, council=name, price_basis=f"real {base} prices", highlight=in_scope, as_index=as_index
            )
        )
        projects = [p.title for p in registry.projects() if code in p.councils]
        self.trend_note.value = (
            f"Official figures: DCLG Revenue Outturn Summary (RS), net current expenditure by service block, "
            f"{frame['year'].min() if len(frame) else '-'} to {frame['year'].max() if len(frame) else '-'}; "
            f"cash figures converted to real {escape(base)} prices with HM Treasury's GDP deflator "
            f"(amber quality, see the assumptions). Thick lines: the blocks holding the programme project(s) "
            f"of {escape(name)}: {escape('; '.join(projects) or 'none')}. Before 2011-12 adult and children's "
            "social care were one block."
        )

    @classmethod
    def prepare(cls, store: ResultStore | None = None) -> "ProgrammeLauncher":
        return ProgrammeLauncher(store)


class ProgrammeLauncher:
    """What the notebook holds between preparing (before the request) and showing (after it)."""

    def __init__(self, store: ResultStore | None = None):
        self.store: ResultStore | None = None
        self._page: ProgrammePage | None = None
        self.error: Exception | None = None
        try:
            self.store = store or ResultStore()
            for key in default_keys(scenarios=["central"], perspectives=("council",)):
                try:
                    self.store.get_quick(key)
                except Exception as exc:  # noqa: BLE001
                    server_log(f"pre-computing {key} failed", exc)
        except Exception as exc:  # noqa: BLE001 - e.g. no data at all: show() says so, kindly
            server_log("preparing the programme dashboard failed", exc)
            self.error = exc
            return
        self._read_other_scenarios()
        try:
            context.council_spending(registry.projects()[0].lead_council)  # loads the official extract
        except Exception as exc:  # noqa: BLE001 - the page says so in the trend section
            server_log("official outturn extract not loaded", exc)
        try:  # built now, off the viewer's clock, with the other scenarios' views ready to send
            self._page = ProgrammePage(self.store)
            self._page.prepare_views(self._page.book.scenarios)
        except Exception as exc:  # noqa: BLE001 - show() builds (and reports) again
            server_log("pre-building the programme page failed", exc)

    def _read_other_scenarios(self) -> None:
        """Read the other scenarios' council results into memory when the shared disk cache has them
        (nothing is computed here): a scenario change then redraws from memory (about 0.1 s) instead of
        reading ten results from disk first (about 1.5 s, measured in a fresh kernel)."""
        if self.store is None:
            return
        for key in default_keys(perspectives=("council",)):
            if key.scenario != "central":
                try:
                    self.store.cached(key)
                except Exception as exc:  # noqa: BLE001 - read (or computed) when a viewer asks
                    server_log(f"reading {key} from the cache failed", exc)

    def page(self) -> W.Widget:
        if self.store is None:  # preparing failed; show() reports self.error
            raise self.error or RuntimeError("the programme dashboard was not prepared")
        page, self._page = self._page, None
        return (page or ProgrammePage(self.store)).widget

    def show(self) -> None:
        from IPython.display import display

        wait_for_viewer()
        try:
            if self.error is not None:
                raise self.error
            widget = self.page()
        except Exception as exc:  # noqa: BLE001
            server_log("building the programme page failed", exc)
            widget = W.VBox([html_widget(STYLE), html_widget(error_box(explain(exc)))])
        display(widget)
