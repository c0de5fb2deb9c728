"""The options-appraisal dashboard of one project (``dashboards/appraisal.ipynb``).

    page = AppraisalPage.prepare()   # before the viewer arrives (Voila preheat): load, pre-compute
    page.show()                      # waits for the request, reads ?project=..., displays

The page: project, scenario, perspective and optimism-bias controls; an Excel download; seven tabs
(summary, costs and savings, who gains, risk, multi-criteria, implementation plan, assumptions). Only the tab
on screen is drawn; the others are built or refreshed when selected, so a control change redraws
what the viewer sees and nothing else.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
import time
from typing import Any, Callable, Sequence

import ipywidgets as W
import pandas as pd

from .. import charts, mca, registry, workspace
from ..assumptions import load_book
from ..cross_checks import check_sentences, cross_checks
from ..presentation import formats, tables
from ..presentation import text as decision_text
from ..price_base import project_book
from ..registry import STATUS_QUO
from ..result import AppraisalResult
from .boardpaper import board_paper_pdf
from .boardpaper import file_name as paper_file_name
from .common import (
    STYLE,
    ChartSlot,
    auto_width,
    download_link,
    error_box,
    escape,
    explain,
    guarded,
    html_widget,
    illustrative_banner,
    kpi_cards,
    money,
    note_box,
    run_record_footer,
    server_log,
    share,
    table_from,
    table_html,
    wait_for_viewer,
)
from .services_page import service_refs, services_page
from .state import Choices, ViewState, from_query, parse_query, to_query
from .store import PERSPECTIVES, Key, ResultStore, default_keys
from .whatif import WhatIfPanel, ranked_keys

TABS = (
    "Summary",
    "Costs and savings",
    "Who gains",
    "Risk",
    "Multi-criteria",
    "Implementation plan",
    "Assumptions",
    "Compare",
)
PERSPECTIVE_LABELS = decision_text.PERSPECTIVE_TITLES
QUALITY_TEXT = decision_text.QUALITY_TEXT


_date = formats.date
focus_option = tables.focus_option


def _option_choices(result: AppraisalResult, include_status_quo: bool = False) -> list[tuple[str, str]]:
    opts = result.options if include_status_quo else result.options[result.options.id != STATUS_QUO]
    return [
        (f"{n}{' (recommended)' if rec else ''}", i) for n, i, rec in zip(opts["name"], opts["id"], opts["recommended"])
    ]


class _OptionPicker:
    """A per-tab option dropdown that keeps the viewer's pick when the same option still exists."""

    def __init__(self, label: str, on_change: Callable[[], None], include_status_quo: bool = False):
        self.include_status_quo = include_status_quo
        self.widget = W.Dropdown(
            description=label, style={"description_width": "initial"}, layout=W.Layout(width="460px")
        )
        self.widget.add_class("dd-option-picker")
        self._quiet = False
        self.widget.observe(lambda ch: None if self._quiet else on_change(), names="value")

    def sync(self, result: AppraisalResult) -> str:
        choices = _option_choices(result, self.include_status_quo)
        ids = [c[1] for c in choices]
        keep = self.widget.value if self.widget.value in ids else focus_option(result)
        self._quiet = True
        try:
            if list(self.widget.options) != choices:
                self.widget.options = choices
            self.widget.value = keep
        finally:
            self._quiet = False
        return keep


# --------------------------------------------------------------------------------------------
# tabs
# --------------------------------------------------------------------------------------------


class Section:
    """A tab's content: ``widget`` and ``update(result)``."""

    def __init__(self, page: "AppraisalPage"):
        self.page = page
        self.result: AppraisalResult | None = None
        self.widget = W.VBox(layout=auto_width())

    def update(self, result: AppraisalResult) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class SummarySection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.recommendation = html_widget(cls="dd-summary-recommendation")
        self.kpis = html_widget(cls="dd-summary-kpis")
        self.npv = ChartSlot("npv", 420)
        self.table = html_widget(cls="dd-summary-options")
        self.baseline = html_widget(cls="dd-summary-baseline")
        self.widget.children = [self.recommendation, self.kpis, self.npv.widget, self.table, self.baseline]

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        rule = f"The rule: {decision_text.RECOMMENDATION_RULE}"
        said = [rule, *tables.recommendation_notes(result), decision_text.OTHER_BASES_POINTER]
        self.recommendation.value = (
            f"<div class='dd-recommendation' data-dd='recommendation'><b>{escape(result.recommendation)}</b>"
            + "".join(f"<div class='dd-small' style='margin-top:6px'>{escape(s)}</div>" for s in said)
            + "</div>"
        )
        self.kpis.value = _kpis_html(result)
        self.npv.draw(lambda: charts.npv_by_option(result))
        self.table.value = table_from(
            tables.options_table(result).select(
                [
                    "Option",
                    "Net present saving",
                    "P10 saving",
                    "P90 saving",
                    "P(net present saving > 0)",
                    "One-off cost (undiscounted, with optimism bias)",
                    "Steady-state saving a year",
                    tables.PAYBACK_UNDISCOUNTED,
                    "Go-live",
                    "MCA score (0-10)",
                ],
                caption=f"All short-listed options against the status quo (GBP, {result.price_basis}; "
                "recommended option in bold)",
            )
        )
        self.baseline.value = _baseline_html(result.baseline)


def _kpis_html(result: AppraisalResult) -> str:
    """The summary's key-figure cards for the focus option (the recommended one, or the best alternative when
    the status quo is kept)."""
    opts = result.options.set_index("id")
    f = opts.loc[focus_option(result)]
    sq = opts.loc[STATUS_QUO]
    head = "Best alternative (not recommended)" if result.recommended == STATUS_QUO else "Recommended option"
    steady = (
        f"{share(f.steady_state_saving_share)} of the in-scope net budget"
        if f.steady_state_saving_share is not None and pd.notna(f.steady_state_saving_share)
        else ""
    )
    return kpi_cards(
        [
            (head, str(f["name"]), f"against the status quo ({result.scenario} scenario)"),
            (
                f"Net present saving, {result.horizon_years} years",
                money(f.net_present_saving_gbp),
                f"discounted, {result.price_basis}",
            ),
            ("One-off cost of change", money(f.one_off_cost_gbp), "transition costs, undiscounted, with optimism bias"),
            ("Annual saving at full running", money(f.steady_state_saving_gbp), steady),
            ("Payback", f.payback_year or "not within the horizon", f"go-live {_date(f.go_live)}"),
            ("Chance of saving money", share(f.p_saving_positive), f"of {len(result.mc_draws):,} simulations"),
            (
                "Non-monetised score",
                f"{formats.score(f.mca_score)} / 10",
                f"status quo {formats.score(sq.mca_score)} / 10",
            ),
        ]
    )


def _baseline_html(b: Any) -> str:
    """The summary's "service today" cards: in-scope net budget, gross expenditure and income (GBP, the base
    year's prices), staff (FTE and headcount), and the baseline's source."""
    return (
        "<div class='dd-section-title'>The service today (the status quo's base year)</div>"
        + kpi_cards(
            [
                ("In-scope net budget", money(b.net_budget_gbp), f"{b.base_year}, after income"),
                ("Gross expenditure", money(b.gross_expenditure_gbp), f"income {money(b.income_gbp)}"),
                ("Staff", f"{b.fte:,.1f} FTE", f"{b.headcount:,} people"),
            ]
        )
        + f"<div class='dd-small'>Source: {escape(b.source)}</div>"
    )


class CostsSection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.mode = W.ToggleButtons(
            options=[("Annual saving", False), ("Cumulative saving", True)],
            value=False,
            style={"button_width": "160px"},
        )
        self.mode.observe(lambda ch: self._draw_savings(), names="value")
        self.savings = ChartSlot("savings", 460)
        self.picker = _OptionPicker("Option to break down:", self._draw_costs)
        self.costs = ChartSlot("costs", 520)
        self.table = html_widget(cls="dd-costs-table")
        #: net present saving at 10, 15 and 20 years, residual value and optimism bias
        self.horizons = html_widget(cls="dd-costs-horizons")
        intro = html_widget(
            note_box(
                "Savings and costs by year in real prices of the project's base year (each table says which), before "
                "discounting. The breakdown shows where an "
                "option's cost differs from running the service in-house; the net present saving on the summary "
                "discounts these at the Green Book rate (3.5% a year)."
            )
        )
        #: each council's part of every option, and the picked option's cash (nominal) profile per council
        self.councils = html_widget(cls="dd-costs-councils")
        self.cash = html_widget(cls="dd-costs-cash")
        self.widget.children = [
            intro,
            self.mode,
            self.savings.widget,
            self.table,
            self.horizons,
            self.councils,
            self.picker.widget,
            self.costs.widget,
            self.cash,
        ]

    def _draw_savings(self) -> None:
        if self.result is not None:
            res, cumulative = self.result, bool(self.mode.value)
            self.savings.draw(lambda: charts.savings_by_year(res, cumulative=cumulative))

    def _draw_costs(self) -> None:
        if self.result is not None:
            res, opt = self.result, self.picker.widget.value
            self.costs.draw(lambda: charts.cost_components(res, opt))
            cash = tables.nominal_cash_table(res, opt) if opt else None
            self.cash.value = table_from(cash) if cash is not None else ""

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        self._draw_savings()
        self.picker.sync(result)
        self._draw_costs()
        self.table.value = table_from(tables.savings_table(result))
        self.horizons.value = table_from(tables.horizons_table(result))
        councils = tables.by_council_table(result)
        self.councils.value = table_from(councils) if councils is not None else ""


class WhoGainsSection(Section):
    """Public value: the outcome benefits each option brings, who gains them and of what kind;
    what the perspective counts, shows beside and leaves out; or why the project monetises nothing."""

    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.intro = html_widget(cls="dd-who-gains-note")
        #: what the rule recommends from the other perspectives and on the whole-service funding basis
        self.checks = html_widget(cls="dd-who-gains-checks")
        self.summary = html_widget(cls="dd-who-gains-summary")
        self.picker = _OptionPicker("Option:", self._draw_option)
        self.chart = ChartSlot("who-gains", 420)
        self.table = html_widget(cls="dd-who-gains-table")
        self.by_year = html_widget(cls="dd-who-gains-by-year")
        self.widget.children = [
            self.checks,
            self.intro,
            self.summary,
            self.picker.widget,
            self.chart.widget,
            self.table,
            self.by_year,
        ]

    def _draw_option(self) -> None:
        if self.result is None:
            return
        res, opt = self.result, self.picker.widget.value
        self.chart.draw(lambda: charts.who_gains(res, opt))
        t = tables.who_gains_table(res, opt)
        y = tables.benefits_by_year_table(res, opt)
        words = "".join(f"<li>{escape(s)}</li>" for s in tables.public_value_sentences(res, opt))
        self.table.value = (table_from(t) if t is not None else "") + (
            f"<ul class='dd-small'>{words}</ul>" if words else ""
        )
        self.by_year.value = table_from(y) if y is not None else ""

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        pvd = result.public_value or {}
        self.intro.value = note_box(
            escape(decision_text.PUBLIC_VALUE_NOTE) + "<br><br>" + escape(decision_text.PUBLIC_VALUE_UNCERTAINTY_NOTE)
        )
        self.checks.value = _cross_checks_html(self.page.checks_kept.sentences(result))
        if not pvd.get("monetisable"):
            self.summary.value = note_box(escape(decision_text.no_outcomes_sentence(pvd.get("reason"))))
            self.picker.widget.layout.display = "none"
            self.chart.draw(lambda: charts.who_gains(result))
            self.table.value = self.by_year.value = ""
            return
        self.picker.widget.layout.display = None
        pt = tables.public_value_table(result)
        self.summary.value = table_from(pt) if pt is not None else ""
        self.picker.sync(result)
        self._draw_option()


#: How many views' cross-check sentences a page keeps for its life (a few hundred bytes each).
CHECKS_KEPT = 32


class ChecksKept:
    """The cross-checks' sentences (:func:`ddanalysis.cross_checks.cross_checks`: two or three draws-free
    appraisals, about 0.8 s) of the views a page has shown, so the Who gains tab and the Excel summary of the
    same view appraise once between them: the last :data:`CHECKS_KEPT` views, oldest dropped first. A view is
    its project, scenario, perspective, horizon and what-if values (the checks do not depend on the draws)."""

    def __init__(self) -> None:
        self._seen: dict[tuple, list[str]] = {}

    def sentences(self, result: AppraisalResult) -> list[str]:
        """The sentences of ``result``'s view (:func:`ddanalysis.cross_checks.check_sentences`), worked out
        on the first call for that view."""
        record = dict(getattr(result.run_record, "overrides", {}) or {})
        key = (
            result.project_id,
            result.scenario,
            result.perspective,
            result.horizon_years,
            tuple(sorted(record.items())),
        )
        if key not in self._seen:
            if len(self._seen) >= CHECKS_KEPT:  # the oldest view goes first (dicts keep insertion order)
                del self._seen[next(iter(self._seen))]
            self._seen[key] = check_sentences(result, cross_checks(result))
        return list(self._seen[key])


def _cross_checks_html(said: Sequence[str]) -> str:
    """The other perspectives' recommendations and the funding-basis check, as a note box ('' when neither)."""
    if not said:
        return ""
    return note_box("<b>Whose costs and gains count.</b> " + "<br><br>".join(escape(s) for s in said))


class RiskSection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.mc = ChartSlot("mc", 500)
        self.mc_table = html_widget(cls="dd-mc-table")
        self.picker = _OptionPicker("Option to test:", self._draw_option)
        self.tornado = ChartSlot("tornado", 560)
        self.switching = html_widget(cls="dd-switching")
        # which option, how sure, what evidence is worth buying (drawn from the full result)
        self.p_best = ChartSlot("p-best", 360)
        self.p_best_table = html_widget(cls="dd-p-best")
        self.acceptability = ChartSlot("acceptability", 480)
        self.voi = ChartSlot("voi", 420)
        self.voi_table = html_widget(cls="dd-voi")
        self.failure = html_widget(cls="dd-failure-rules")
        self.sobol = html_widget(cls="dd-sobol")
        self.sobol_button = W.Button(
            description="Compute Sobol indices",
            tooltip="Their own sample of the model: a few seconds",
            layout=W.Layout(width="auto"),  # its own: shown and hidden
        )
        self.sobol_button.on_click(lambda _b: self._draw_sobol(compute=True))
        self.decision_notes = html_widget(cls="dd-decision-notes")
        self.widget.children = [
            self.mc.widget,
            self.mc_table,
            self.p_best.widget,
            self.p_best_table,
            self.acceptability.widget,
            self.picker.widget,
            self.tornado.widget,
            self.sobol,
            self.sobol_button,
            self.switching,
            self.voi.widget,
            self.voi_table,
            self.failure,
            self.decision_notes,
        ]

    def _draw_decision(self) -> None:
        """Probability best, acceptability, value of information and failure rules (the full result has them)."""
        res = self.result
        if res is None:
            return
        if res.decision is None and len(res.mc_draws):
            res = self.page.full_result()
            self.result = res
        self.p_best.draw(lambda: charts.probability_best(res))
        self.p_best_table.value = table_from(tables.probability_best_table(res))
        self.acceptability.draw(lambda: charts.acceptability_curves(res))
        self.voi.draw(lambda: charts.value_of_information(res))
        self.voi_table.value = table_from(tables.value_of_information_table(res, top=10))
        self.failure.value = table_from(tables.failure_rules_table(res))
        self.decision_notes.value = note_box("<br>".join(escape(v) for v in decision_text.DECISION_NOTES.values()))
        self._draw_sobol(compute=False)

    def _draw_sobol(self, compute: bool) -> None:
        res = self.result
        if res is None:
            return
        if compute and (res.decision is None or res.decision.sobol is None) and len(res.mc_draws):
            self.sobol.value = note_box("Sobol indices are being calculated…")
            res = self.page.store.get_sobol(self.page.key())
            self.result = res
        has = res.decision is not None and res.decision.sobol is not None
        self.sobol_button.layout.display = "none" if has or not len(res.mc_draws) else None
        self.sobol.value = table_from(tables.sobol_table(res))

    def _draw_option(self) -> None:
        res = self.result
        if res is None:
            return
        opt = self.picker.widget.value
        shown: AppraisalResult = res
        self.tornado.draw(lambda: charts.tornado(shown, opt))
        if res.switching is None or res.switching.empty:
            self.switching.value = note_box("Switching values are being calculated…")
            res = self.page.full_result()
            self.result = res
        sw = tables.switching_table(res, opt)
        self.switching.value = table_from(sw.select([c for c in sw.frame.columns if c != "Unit"]))

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        self.mc.draw(lambda: charts.mc_distribution(result))
        self.mc_table.value = table_from(tables.monte_carlo_table(result))
        self.picker.sync(result)
        self._draw_option()
        self._draw_decision()


class MCASection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.names: dict[str, str] = {}
        self.sliders: dict[str, W.IntSlider] = {}
        self.weights_box = W.VBox()
        self.reset = W.Button(description="Reset to the default weights", layout=W.Layout(width="260px"))
        self.reset.on_click(lambda _b: self._reset())
        self.weights_note = html_widget(cls="dd-small")
        self.scores = ChartSlot("mca", 520)
        self.stability = ChartSlot("stability", 380)
        self.table = html_widget(cls="dd-mca-table")
        intro = html_widget(
            note_box(
                "Criteria the money cannot capture, scored 0-10 with a written reason. Move a weight to see how the "
                "ranking changes (weights are rescaled to add up to 100%). This tab only: the recommendation on the "
                "summary uses the default weights. Scores and weights are ILLUSTRATIVE until the council's own "
                "scoring workshop."
            )
        )
        self.widget.children = [
            intro,
            self.weights_box,
            self.reset,
            self.weights_note,
            self.scores.widget,
            self.stability.widget,
            self.table,
        ]
        self._quiet = False
        self._project: str | None = None

    def _weights(self) -> pd.Series:
        pts = pd.Series({c: s.value for c, s in self.sliders.items()}, dtype=float)
        if pts.sum() <= 0:
            raise_text = "All weights are zero: give at least one criterion some weight."
            self.weights_note.value = error_box(raise_text)
            if self.result is None:  # the sliders exist only once a result is shown
                raise RuntimeError("MCA weights read before a result was shown")
            return self.result.mca_weights
        return mca.normalise(pts)

    def _reset(self) -> None:
        if self.result is None:
            return
        self._quiet = True
        try:
            for c, s in self.sliders.items():
                s.value = int(round(float(self.result.mca_weights[c]) * 100))
        finally:
            self._quiet = False
        self._draw()

    def _build_sliders(self, result: AppraisalResult) -> None:
        self.sliders = {}
        rows = []
        for c in result.mca_weights.index:
            s = W.IntSlider(
                value=int(round(float(result.mca_weights[c]) * 100)),
                min=0,
                max=50,
                step=1,
                description=self.names.get(c, c),
                continuous_update=False,
                style={"description_width": "300px"},
                layout=W.Layout(width="620px"),
            )
            s.observe(lambda ch: None if self._quiet else self._draw(), names="value")
            self.sliders[c] = s
            rows.append(s)
        self.weights_box.children = rows

    def _draw(self) -> None:
        res = self.result
        if res is None:
            return
        w = self._weights()
        self.weights_note.value = "Weights used: " + ", ".join(
            f"{escape(self.names.get(c, c))} {v:.0%}" for c, v in w.items()
        )
        stab = mca.rank_stability(res.mca_scores, w)
        self.scores.draw(lambda: charts.mca_scores(res, w))
        self.stability.draw(lambda: charts.mca_stability(res, stab))
        self.page.write_url()

    def points(self) -> dict[str, int]:
        """The sliders' points by criterion when they differ from the default weights, else {}."""
        if self.result is None or not self.sliders:
            return {}
        pts = {c: int(s.value) for c, s in self.sliders.items()}
        default = {c: int(round(float(self.result.mca_weights[c]) * 100)) for c in self.sliders}
        return {} if pts == default else pts

    def set_points(self, points: dict[str, int]) -> None:
        """Move the sliders (quietly) to ``points`` (criteria not named keep their value) and redraw."""
        self._quiet = True
        try:
            for c, v in points.items():
                if c in self.sliders:
                    self.sliders[c].value = int(v)
        finally:
            self._quiet = False
        self._draw()

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        self.names = result.criterion_names()
        if self._project != result.project_id:
            self._quiet = True
            try:
                self._build_sliders(result)
            finally:
                self._quiet = False
            self._project = result.project_id
        self._draw()
        names = result.options.set_index("id")["name"]
        sc = result.mca_scores
        rows = []
        for c in result.mca_weights.index:
            sub = sc[sc.criterion == c].set_index("option")
            row = {"Criterion": self.names.get(c, c)}
            for o in result.options["id"]:
                row[names[o]] = (
                    (f"<b>{sub.loc[o, 'score']:g}</b> <span class='dd-small'>{escape(sub.loc[o, 'rationale'])}</span>")
                    if o in sub.index
                    else "-"
                )
            rows.append(row)
        frame = pd.DataFrame(rows)
        self.table.value = table_html(
            frame,
            html_cols=[c for c in frame.columns if c != "Criterion"],
            caption="Scores (0-10) and the reason for each",
        )


class PlanSection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.picker = _OptionPicker("Option's plan:", self._draw)
        self.gantt = ChartSlot("gantt", 400)
        self.milestones = html_widget(cls="dd-milestones")
        self.risks = html_widget(cls="dd-risks")
        self.widget.children = [self.picker.widget, self.gantt.widget, self.milestones, self.risks]

    def _draw(self) -> None:
        res = self.result
        if res is None:
            return
        opt = self.picker.widget.value
        self.gantt.draw(lambda: charts.gantt(res, opt))
        plan = res.plans.get(opt)
        if plan is None:
            self.milestones.value = note_box("No implementation plan for this option.")
            self.risks.value = ""
            return
        self.milestones.value = table_from(tables.milestones_table(res, opt))
        self.risks.value = table_from(tables.risks_table(res, opt))

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        self.picker.sync(result)
        self._draw()


class AssumptionsSection(Section):
    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self.filter = W.Dropdown(description="Show:", layout=W.Layout(width="560px"))
        self.filter.observe(lambda ch: self._draw(), names="value")
        self.table = html_widget(cls="dd-assumptions")
        legend = " ".join(f"<span class='dd-rag dd-rag-{k}'>{k}</span> {escape(v)}" for k, v in QUALITY_TEXT.items())
        self.widget.children = [
            html_widget(
                note_box(
                    "Every assumption behind the numbers, with the data log's columns: its key, range, the value "
                    "this scenario uses, the date its value describes (as of), its basis (fact, evidence or "
                    "judgement), whether it was read in the source's own text (verified), its source and where in "
                    f"it (locator), its impact rank, and a quality rating by the data log's rule: {legend}"
                )
            ),
            self.filter,
            self.table,
        ]
        self._quiet = False

    def _draw(self) -> None:
        if self._quiet or self.result is None:
            return
        res = self.result
        scope = self.filter.value
        table = tables.assumptions_table(res, None if scope in (None, "", "all") else scope)
        frame = table.frame.assign(
            Quality=[f"<span class='dd-rag dd-rag-{escape(q)}'>{escape(q)}</span>" for q in table.frame["Quality"]],
            Source=[
                f"<a href='{escape(u)}' target='_blank' rel='noopener'>{escape(t)}</a>"
                if str(u).startswith("http")
                else escape(t)
                for t, u in zip(table.frame["Source"], table.frame["Link"])
            ],
        )
        shown = tables.Table(frame.drop(columns=["Link"]), table.units, table.caption)
        self.table.value = table_from(shown, html_cols=["Quality", "Source"])

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        opts = result.options[result.options.id != STATUS_QUO]
        choices = [
            (f"{n} (with the shared assumptions)", i)
            for n, i in zip(opts["name"], opts["id"])
            if i in set(result.assumptions.scope)
        ] + [("Every assumption of every option", "all")]
        ids = [c[1] for c in choices]
        self._quiet = True
        try:
            keep = (
                self.filter.value
                if self.filter.value in ids
                else (focus_option(result) if focus_option(result) in ids else "all")
            )
            if list(self.filter.options) != choices:
                self.filter.options = choices
            self.filter.value = keep
        finally:
            self._quiet = False
        self._draw()


class CompareSection(Section):
    """Two views side by side: two options; one option under two scenarios; or one option with and
    without the viewer's what-if values. Headline figures and their differences, savings by year, a
    waterfall of the cost components that explain the difference, and the inputs that differ."""

    MODES = (
        ("Two options", "options"),
        ("One option, two scenarios", "scenarios"),
        ("One option, with and without the what-if values", "whatif"),
    )

    def __init__(self, page: "AppraisalPage"):
        super().__init__(page)
        self._quiet = False
        self.mode = W.Dropdown(
            options=self.MODES,
            value="options",
            description="Compare:",
            style={"description_width": "initial"},
            layout=W.Layout(width="460px"),
        )
        self.a = W.Dropdown(description="A:", layout=W.Layout(width="420px"))
        self.b = W.Dropdown(description="B:", layout=W.Layout(width="420px"))
        self.s1 = W.Dropdown(
            description="Scenario A:", style={"description_width": "initial"}, layout=W.Layout(width="260px")
        )
        self.s2 = W.Dropdown(
            description="Scenario B:", style={"description_width": "initial"}, layout=W.Layout(width="260px")
        )
        for w, cls in (
            (self.mode, "dd-compare-mode"),
            (self.a, "dd-compare-a"),
            (self.b, "dd-compare-b"),
            (self.s1, "dd-compare-s1"),
            (self.s2, "dd-compare-s2"),
        ):
            w.add_class(cls)
            w.observe(lambda ch: None if self._quiet else self._changed(), names="value")
        self.headline = html_widget(cls="dd-compare-headline")
        self.savings = html_widget(cls="dd-compare-savings")
        self.waterfall = ChartSlot("compare-waterfall", 420)
        self.waterfall_table = html_widget(cls="dd-compare-components")
        self.inputs = html_widget(cls="dd-compare-inputs")
        intro = html_widget(
            note_box(
                "Set two options, or one option under two scenarios, or one option with and without your what-if "
                "values, side by side. Differences are B minus A. The waterfall steps from A's net present saving to "
                "B's through the cost components that explain the difference (present values); the table below it "
                "gives the same steps."
            )
        )
        self.widget.children = [
            intro,
            W.HBox([self.mode], layout=W.Layout(flex_flow="row wrap")),
            W.HBox([self.a, self.b, self.s1, self.s2], layout=W.Layout(flex_flow="row wrap")),
            self.headline,
            self.waterfall.widget,
            self.waterfall_table,
            self.savings,
            self.inputs,
        ]

    def state(self) -> tuple[str, ...]:
        mode = self.mode.value
        if mode == "options":
            return ("options", self.a.value, self.b.value)
        if mode == "scenarios":
            return ("scenarios", self.a.value, self.s1.value, self.s2.value)
        return ("whatif", self.a.value)

    def _sync(self, result: AppraisalResult, wanted: tuple[str, ...] = ()) -> None:
        choices = _option_choices(result)
        ids = [c[1] for c in choices]
        scen = list(self.page.scenarios)
        self._quiet = True
        try:
            if wanted:
                self.mode.value = wanted[0]
            if list(self.a.options) != choices:
                self.a.options, self.b.options = choices, choices
            focus = focus_option(result)
            second = next((i for i in ids if i != focus), focus)
            a = wanted[1] if len(wanted) > 1 and wanted[1] in ids else (self.a.value if self.a.value in ids else focus)
            b = (
                wanted[2]
                if wanted[:1] == ("options",) and wanted[2] in ids
                else (
                    self.b.value
                    if self.b.value in ids and self.b.value != a
                    else next((i for i in ids if i != a), second)
                )
            )
            self.a.value, self.b.value = a, b
            self.s1.options, self.s2.options = scen, scen
            if wanted[:1] == ("scenarios",):
                self.s1.value, self.s2.value = wanted[2], wanted[3]
            else:
                self.s1.value = self.s1.value if self.s1.value in scen else result.scenario
                self.s2.value = (
                    self.s2.value
                    if self.s2.value in scen and self.s2.value != self.s1.value
                    else next((x for x in scen if x != self.s1.value), self.s1.value)
                )
            mode = self.mode.value
            self.b.layout.display = None if mode == "options" else "none"
            self.s1.layout.display = self.s2.layout.display = None if mode == "scenarios" else "none"
            self.a.description = "A:" if mode == "options" else "Option:"
        finally:
            self._quiet = False

    def _changed(self) -> None:
        if self.result is not None:
            self._sync(self.result)
            self._draw()
            self.page.write_url()

    def _views(self) -> tuple[AppraisalResult, str, str, AppraisalResult, str, str]:
        res, page = self.result, self.page
        assert res is not None
        mode, a = self.mode.value, self.a.value
        if mode == "options":
            b = self.b.value
            return res, a, res.option_name(a), res, b, res.option_name(b)
        key = page.key()
        if mode == "scenarios":
            ka = dataclasses.replace(key, scenario=self.s1.value, ob_mitigation=None)
            kb = dataclasses.replace(key, scenario=self.s2.value, ob_mitigation=None)
            return (
                page.store.get_quick(ka),
                a,
                f"{res.option_name(a)}, {self.s1.value} scenario",
                page.store.get_quick(kb),
                a,
                f"{res.option_name(a)}, {self.s2.value} scenario",
            )
        n = len(key.overrides)
        plain = page.store.get_quick(key.with_overrides({})) if n else res
        return (
            plain,
            a,
            f"{res.option_name(a)}, scenario values",
            res,
            a,
            f"{res.option_name(a)}, {n} what-if value{'s' if n != 1 else ''}",
        )

    def _draw(self) -> None:
        if self.result is None:
            return
        ra, oa, la, rb, ob, lb = self._views()
        if la == lb:
            lb = lb + " (B)"
        self.headline.value = table_from(tables.compare_table(ra, oa, rb, ob, la, lb))
        comp = tables.compare_components(ra, oa, rb, ob)
        nps_a = float(ra.options.set_index("id").loc[oa, "net_present_saving_gbp"])
        nps_b = float(rb.options.set_index("id").loc[ob, "net_present_saving_gbp"])
        self.waterfall.draw(
            lambda: charts.compare_waterfall(
                comp, nps_a, nps_b, la, lb, illustrative=ra.illustrative or rb.illustrative
            )
        )
        steps = tables.Table(
            pd.DataFrame({"Component": comp["label"], "Effect on B's saving against A's": comp["contribution_gbp"]}),
            {"Effect on B's saving against A's": "gbp"},
            "What explains the difference in net present saving (present values, GBP; the waterfall's steps)",
        )
        self.waterfall_table.value = table_from(steps)
        self.savings.value = table_from(tables.compare_savings_table(ra, oa, rb, ob, la, lb))
        inputs = tables.compare_inputs_table(ra, oa, rb, ob, la, lb)
        self.inputs.value = (
            table_from(inputs) if not inputs.frame.empty else note_box("No input differs between A and B.")
        )

    def update(self, result: AppraisalResult) -> None:
        self.result = result
        wanted, self.page.pending_compare = self.page.pending_compare, ()
        self._sync(result, wanted)
        self._draw()


def tab_slug(title: str) -> str:
    """A tab's name in URLs: ``Costs and savings`` -> ``costs-and-savings``."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


WHATIF_STYLE = """
<style>
.dd-whatif { margin: 4px 0 8px 0; }
.dd-whatif-info { max-width: 700px; padding: 4px 0 0 10px; }
.dd-whatif-flag { display: inline-block; background: #fff8e1; border-left: 6px solid #946000; padding: 6px 12px;
  color: #1f1f1f; }
.dd-whatif-flag ul { margin: 2px 0 0 0; }
.dd-whatif-summary { flex: 1 1 auto; }
</style>
"""


SECTIONS = (
    SummarySection,
    CostsSection,
    WhoGainsSection,
    RiskSection,
    MCASection,
    PlanSection,
    AssumptionsSection,
    CompareSection,
)


# --------------------------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------------------------


class AppraisalPage:
    """The whole appraisal dashboard; ``widget`` is what the notebook displays."""

    def __init__(
        self,
        store: ResultStore,
        project_id: str | None = None,
        scenario: str = "central",
        perspective: str = "council",
        follow_in_background: bool = True,
    ):
        self.store = store
        #: After a what-if change, show the deterministic figures at once (no Monte Carlo) and let the
        #: Monte Carlo figures follow from a background thread (False: compute everything at once).
        self.follow_in_background = follow_in_background
        self.pending_compare: tuple[str, ...] = ()
        self.pending_weights: dict[str, int] = {}
        self._follow_lock = threading.RLock()  # one redraw at a time (viewer's change or Monte Carlo follow)
        self._following = False  # a Monte Carlo follow thread is running (at most one a page)
        self._read_ahead_done: set[tuple[str, str]] = set()  # (project, perspective) whose scenarios were read
        self.read_ahead_thread: threading.Thread | None = None  # the latest read-ahead (tests join it)
        self.whatif = WhatIfPanel(guarded(None)(self._on_whatif), lambda: ranked_keys(self.store))
        self.url = W.HTML(layout=W.Layout(width="auto", display="none"))  # its own layout: hidden
        self.url.add_class("dd-url")
        self.query = ""
        book = load_book(None)
        self.scenarios = book.scenarios
        projects = registry.served_projects()  # the bundled ones and the workspaces served beside them
        self.status = html_widget(cls="dd-status")
        self.header = html_widget(cls="dd-header")
        controls = self._controls(projects, project_id, scenario, perspective)
        self.tabs = W.Tab(children=[W.VBox(layout=auto_width()) for _ in TABS], titles=list(TABS))
        self.tabs.add_class("dd-tabs")
        self.sections: list[Section | None] = [None] * len(TABS)
        self.fresh: set[int] = set()
        self.result: AppraisalResult | None = None
        self.checks_kept = ChecksKept()  # shared by the Who gains tab and the Excel summary
        self._quiet = False
        actions = self._downloads()
        self.footer = html_widget(cls="dd-footer")
        self.widget = W.VBox(
            [
                html_widget(STYLE + WHATIF_STYLE),
                self.header,
                controls,
                self.whatif.widget,
                actions,
                self.status,
                self.tabs,
                self.footer,
                self.url,
            ],
            layout=auto_width(),
        )
        self.widget.add_class("dd-page")
        on_control = guarded(self.status)(self._on_control)
        for w in (self.project, self.scenario, self.perspective, self.ob):
            w.observe(on_control, names="value")
        self.tabs.observe(guarded(self.status)(self._on_tab), names="selected_index")
        self._ob_synced = float(self.ob.value)
        self._sync_ob()
        self.refresh()

    def _controls(self, projects: Sequence[Any], project_id: str | None, scenario: str, perspective: str) -> W.HBox:
        """The project, scenario and perspective pickers and the optimism-bias mitigation slider (0..1), in a row."""
        self.project = W.Dropdown(
            options=[
                (f"{p.title} ({' + '.join(registry.council_name(c) for c in p.councils)})", p.id) for p in projects
            ],
            value=project_id or projects[0].id,
            description="Project",
            layout=W.Layout(width="440px"),
        )
        self.project.add_class("dd-project")
        self.scenario = W.Dropdown(
            options=[(s, s) for s in self.scenarios],
            value=scenario,
            description="Scenario",
            layout=W.Layout(width="250px"),
        )
        self.scenario.add_class("dd-scenario")
        self.perspective = W.Dropdown(
            options=[(PERSPECTIVE_LABELS[p], p) for p in PERSPECTIVES],
            value=perspective,
            description="Perspective",
            layout=W.Layout(width="300px"),
        )
        self.perspective.add_class("dd-perspective")
        self.ob = W.FloatSlider(
            value=0.6,
            min=0.0,
            max=1.0,
            step=0.05,
            readout_format=".0%",
            continuous_update=False,
            description="Optimism-bias mitigation",
            style={"description_width": "initial"},
            layout=W.Layout(width="380px"),
        )
        self.ob.add_class("dd-ob")
        controls = W.HBox(
            [self.project, self.scenario, self.perspective, self.ob], layout=W.Layout(flex_flow="row wrap")
        )
        controls.add_class("dd-controls")
        return controls

    def _downloads(self) -> W.HBox:
        """The "Prepare Excel summary" and "Board paper (PDF)" buttons, each with its download link beside it."""
        self.excel = W.Button(
            description="Prepare Excel summary",
            tooltip="Build the board workbook for this view",
            layout=W.Layout(width="210px"),
        )
        self.excel.add_class("dd-excel")
        self.excel.on_click(self._on_excel)
        self.download = html_widget(cls="dd-download")
        self.paper = W.Button(
            description="Board paper (PDF)",
            tooltip="Write the board paper (Five Case structure) for this view",
            layout=W.Layout(width="180px"),
        )
        self.paper.add_class("dd-paper")
        self.paper.on_click(self._on_paper)
        self.paper_download = html_widget(cls="dd-paper-download")
        return W.HBox(
            [self.excel, self.download, self.paper, self.paper_download],
            layout=W.Layout(align_items="center", flex_flow="row wrap"),
        )

    def _sync_ob(self) -> None:
        """Move the slider (quietly) to the scenario's own optimism-bias mitigation and remember where
        it landed: while it stays there the view uses the scenario's value (``ob_mitigation=None``)."""
        self._quiet = True
        try:
            self.ob.value = self._scenario_ob()
            self._ob_synced = float(self.ob.value)
        finally:
            self._quiet = False

    def select(self, project_id: str, scenario: str = "central", perspective: str = "council") -> None:
        """Show another project / scenario / perspective (one recompute, one redraw)."""
        if (project_id, scenario, perspective) == (self.project.value, self.scenario.value, self.perspective.value):
            return
        self._quiet = True
        try:
            self.project.value, self.scenario.value, self.perspective.value = project_id, scenario, perspective
        finally:
            self._quiet = False
        self._sync_ob()
        self.refresh()

    # -- state ------------------------------------------------------------------------------------
    def key(self) -> Key:
        ob = None if abs(float(self.ob.value) - self._ob_synced) < 1e-9 else round(float(self.ob.value), 4)
        return Key(
            self.project.value,
            self.scenario.value,
            self.perspective.value,
            ob,
            overrides=tuple(self.whatif.sets.items()),
        )

    def tab_slugs(self) -> list[str]:
        """The tabs' names in URLs (``costs-and-savings``), in order."""
        return [tab_slug(t) for t in TABS]

    def state(self) -> ViewState:
        """Everything on screen that a link reproduces."""
        key = self.key()
        mca_section = next((x for x in self.sections if isinstance(x, MCASection)), None)
        weights = (
            mca_section.points() if mca_section is not None and mca_section.sliders else {}
        ) or self.pending_weights
        compare_section = next((x for x in self.sections if isinstance(x, CompareSection)), None)
        compare = (
            compare_section.state()
            if compare_section is not None and compare_section.result is not None
            else self.pending_compare
        )
        index = self.tabs.selected_index or 0
        return ViewState(
            key.project_id,
            key.scenario,
            key.perspective,
            key.ob_mitigation,
            tuple(weights.items()),
            key.overrides,
            self.tab_slugs()[index],
            tuple(compare),
        )

    def write_url(self) -> None:
        """Put the view's state in the browser's address bar (``history.replaceState``: no reload, no new
        history entry). The query string is built from checked ids and numbers only, URL-encoded, then
        JSON- and HTML-escaped into the attribute: nothing a viewer typed reaches the script as code."""
        try:
            query = to_query(self.state())
        except Exception as exc:  # noqa: BLE001 - the link is a convenience; the page keeps working
            server_log("writing the view's link failed", exc)
            return
        script = f"history.replaceState(history.state,'','?'+{json.dumps(query)})"
        self.url.value = (
            f"<img alt='' src='data:,' data-dd-query='{escape(query)}' "
            f"onerror=\"{escape(script)}\" style='display:none'>"
        )
        self.query = query

    def apply(self, state: ViewState, before_display: bool = False) -> None:
        """Show the view of a (checked) :class:`ViewState`: one recompute, one redraw.

        ``before_display``: the page is not on a viewer's screen yet (built for a request). Then the
        Monte Carlo figures of a what-if view are computed now, never left to a background thread: a
        widget change sent while the browser is still loading the page's widgets can be lost, which
        would leave the view saying "updating" for good."""
        if before_display and self.result is not None and state == self.state():
            self.write_url()  # built for this view already (the preheated default): nothing to redraw
            return
        if before_display:
            background, self.follow_in_background = self.follow_in_background, False
            try:
                self.apply(state)
            finally:
                self.follow_in_background = background
            return
        self._quiet = True
        try:
            self.project.value, self.scenario.value, self.perspective.value = (
                state.project,
                state.scenario,
                state.perspective,
            )
        finally:
            self._quiet = False
        self._sync_ob()
        if state.ob is not None:
            self._quiet = True
            try:
                self.ob.value = state.ob
            finally:
                self._quiet = False
        base = self.store.get_quick(Key(state.project, state.scenario, state.perspective))
        self.whatif.load(state.project, self._base_values(base), dict(state.sets))
        self.pending_weights = dict(state.weights)
        self.pending_compare = tuple(state.compare)
        mca_section = next((x for x in self.sections if isinstance(x, MCASection)), None)
        if mca_section is not None:
            mca_section._project = None  # rebuild its sliders, then apply the link's weights
        index = self.tab_slugs().index(state.tab) if state.tab in self.tab_slugs() else 0
        self.result = None  # no tab draws an old result while the tab moves
        self.tabs.selected_index = index
        self.refresh()

    @staticmethod
    def _base_values(result: AppraisalResult) -> dict[str, float]:
        """Each assumption's value in a result (model units), by key."""
        a = result.assumptions
        return {
            f"{s}.{k}": float(v) for s, k, v in zip(a["scope"], a["key"], a["value_used"]) if v is not None and v == v
        }

    def _scenario_ob(self) -> float:
        """The scenario's own optimism-bias mitigation (from the cached default result of this project)."""
        base = self.store.get_quick(Key(self.project.value, self.scenario.value, self.perspective.value))
        return float(base.optimism_bias_mitigation)

    def full_result(self) -> AppraisalResult:
        """The current view's result with switching values (computed now when missing)."""
        res = self.store.get(self.key())
        self.result = res
        return res

    # -- events -----------------------------------------------------------------------------------
    def _on_control(self, change: dict) -> None:
        if self._quiet:
            return
        if change["owner"] is not self.ob:
            self._sync_ob()  # a new project or scenario starts from the scenario's own value
            base = self.store.get_quick(Key(self.project.value, self.scenario.value, self.perspective.value))
            self.whatif.load(self.project.value, self._base_values(base))  # a new project drops what-if values
        self.refresh()

    def _on_whatif(self) -> None:
        self.refresh()

    def _on_tab(self, change: dict) -> None:
        self._show_tab(change["new"])
        self.write_url()

    def refresh(self) -> None:
        """Recompute for the controls and redraw the tab on screen (others redraw when selected)."""
        with self._follow_lock:
            self._refresh()

    def _refresh(self) -> None:
        t0 = time.perf_counter()
        self.status.value = "<span class='dd-small'>Updating…</span>"
        key = self.key()
        follow = False
        try:
            if self.whatif.project != key.project_id:
                base = self.store.get_quick(Key(key.project_id, key.scenario, key.perspective))
                self.whatif.load(key.project_id, self._base_values(base))
            if (
                key.overrides
                and self.follow_in_background
                and self.store.cached(key) is None
                and not self.store.has_quick(key)
            ):
                # what-if: the deterministic figures now (no Monte Carlo draws), the Monte Carlo ones follow
                self.result = self.store.get_quick(dataclasses.replace(key, draws=0, sensitivity=False))
                follow = key.draws > 0
            else:
                self.result = self.store.get_quick(key)
        except Exception as exc:  # noqa: BLE001
            server_log("appraisal failed", exc)
            self.status.value = error_box(explain(exc))
            return
        self.download.value = ""
        self._redraw()
        ms = (time.perf_counter() - t0) * 1000
        if follow:
            self.status.value = (
                f"<span class='dd-small dd-mc-updating' role='status' data-dd-ms='{ms:.0f}'>"
                "Monte Carlo figures (P10, P90, chances) and the tornado updating…</span>"
            )
            self._start_follow(key)
        else:
            self.status.value = f"<span class='dd-small' data-dd-ms='{ms:.0f}'></span>"
        self.write_url()
        self._read_ahead(key)

    def _read_ahead(self, key: Key) -> None:
        """Read the other scenarios of the project and perspective on screen from the disk cache into memory,
        in a background thread, once per project and perspective: a scenario change then finds its result
        held instead of reading it (about 0.1 s of the 0.3 s a change has to redraw in). Only what the cache
        holds is read; nothing is computed (a scenario not in it is computed when chosen, as before)."""
        seen = (key.project_id, key.perspective)
        if seen in self._read_ahead_done or self.store.directory is None:
            return
        self._read_ahead_done.add(seen)
        keys = [Key(key.project_id, s, key.perspective) for s in self.scenarios if s != key.scenario]
        self.read_ahead_thread = threading.Thread(target=self._read, args=(keys,), daemon=True, name="dd-read-ahead")
        self.read_ahead_thread.start()

    def _read(self, keys: list[Key]) -> None:
        for k in keys:
            try:
                self.store.cached(k)
            except Exception as exc:  # noqa: BLE001 - choosing that scenario says what is wrong
                server_log(f"reading {k} ahead failed", exc)

    def _redraw(self) -> None:
        assert self.result is not None
        self.header.value = self._header(self.result)
        self.footer.value = run_record_footer(self.result)
        self.fresh = set()
        self._show_tab(self.tabs.selected_index or 0)

    def _start_follow(self, key: Key) -> None:
        """Let the Monte Carlo of ``key`` follow in a background thread: one thread a page at a time, so a
        flood of what-if changes computes the value in force when the thread is free, not one Monte
        Carlo per change (the caller holds ``_follow_lock``)."""
        if self._following:
            return  # the running thread moves on to the view on screen when it finishes
        self._following = True
        threading.Thread(target=self._follow, args=(key,), daemon=True).start()

    def _follow(self, key: Key) -> None:
        """Compute the Monte Carlo for ``key`` and redraw the tab on screen; if the view moved on meanwhile,
        compute the view on screen instead, so "updating" always ends with the figures of that view."""
        try:
            while True:
                res = self.store.get_quick(key)
                with self._follow_lock:
                    current = self.key()
                    if current != key and current.overrides and self.store.cached(current) is None:
                        key = current  # the view moved on to another what-if value: follow it
                        continue
                    if current == key:
                        self.result = res
                        self._redraw()
                        self.status.value = "<span class='dd-small' data-dd-mc='done'></span>"
                    self._following = False
                    return
        except Exception as exc:  # noqa: BLE001
            with self._follow_lock:
                self._following = False
            server_log("Monte Carlo for a what-if view failed", exc)
            self.status.value = error_box(explain(exc))

    def _show_tab(self, index: int) -> None:
        if index is None or self.result is None or index in self.fresh:
            return
        try:
            section = self.sections[index]
            if section is None:
                section = SECTIONS[index](self)
                self.sections[index] = section
                children = list(self.tabs.children)
                children[index] = section.widget
                self.tabs.children = children
            section.update(self.result)
            if isinstance(section, MCASection) and self.pending_weights:
                weights, self.pending_weights = self.pending_weights, {}
                section.set_points(weights)
            self.fresh.add(index)
        except Exception as exc:  # noqa: BLE001
            server_log(f"tab {TABS[index]!r} failed", exc)
            self.status.value = error_box(explain(exc))

    def _view_note(self, key: Key) -> str:
        """The view a download carries, in words: scenario, perspective and how many what-if values."""
        n = len(key.overrides)
        return (
            f"{key.scenario} scenario, {key.perspective} perspective"
            f"{f', {n} what-if value' + ('s' if n != 1 else '') if n else ''}"
        )

    def _on_excel(self, _button: Any) -> None:
        self.download.value = "<span class='dd-small'>Preparing the workbook…</span>"
        try:
            from ..excel import export_project_bytes

            key = self.key()
            res = self.full_result()
            data = export_project_bytes(res, checks_said=self.checks_kept.sentences(res))
            name = (
                f"ddanalysis_{res.project_id}_{res.scenario}_{res.perspective}{'_whatif' if key.overrides else ''}.xlsx"
            )
            mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            self.download.value = download_link(data, name, mime, self._view_note(key))
        except Exception as exc:  # noqa: BLE001
            server_log("Excel export failed", exc)
            self.download.value = error_box(explain(exc))

    def _on_paper(self, _button: Any) -> None:
        """Write the board paper of the view on screen (``ddanalysis report`` in a child process; a thread
        waits for it, so the page stays usable meanwhile), then offer it like the workbook."""
        key = self.key()
        self.paper.disabled = True
        self.paper_download.value = (
            "<span class='dd-small' role='status'>Preparing the board paper (about half a minute)…</span>"
        )
        threading.Thread(target=self.make_paper, args=(key,), daemon=True).start()

    def make_paper(self, key: Key) -> None:
        """Write the board paper of ``key`` and put its download link on the page (or a friendly error)."""
        try:
            data = board_paper_pdf(key)
            self.paper_download.value = download_link(
                data, paper_file_name(key), "application/pdf", self._view_note(key)
            )
        except Exception as exc:  # noqa: BLE001
            server_log("board paper failed", exc)
            self.paper_download.value = error_box(explain(exc))
        finally:
            self.paper.disabled = False

    # -- text -------------------------------------------------------------------------------------
    def _header(self, r: AppraisalResult) -> str:
        project = registry.project(r.project_id)
        sc = self.scenarios[r.scenario]
        banner = illustrative_banner() if r.illustrative else ""
        return (
            f"<div class='dd-header'><h1>{escape(r.project_title)}: options appraisal</h1>"
            f"<p class='dd-sub'>{escape(r.councils)} · in scope: {escape('; '.join(project.services))}</p>"
            f"<p class='dd-sub'>Money in GBP, {escape(r.price_basis)}, over {r.horizon_years} years from "
            f"{escape(r.first_year)}; HM Treasury Green Book method. Scenario <b>{escape(r.scenario)}</b>: "
            f"{escape(sc.description)} Perspective: {escape(r.perspective_label)}. Optimism-bias mitigation "
            f"{r.optimism_bias_mitigation:.0%} ({escape(r.optimism_bias_mitigation_source)}). "
            f"{escape(r.price_base_statement)}</p>{_whole_project_link(r.project_id)}{banner}</div>"
        )

    # -- entry points -------------------------------------------------------------------------------
    @classmethod
    def prepare(cls, store: ResultStore | None = None) -> "AppraisalLauncher":
        """Load the data and pre-compute (or load from the shared cache) every project's central result."""
        return AppraisalLauncher(store)


def _whole_project_link(ref: str) -> str:
    """For one service of a project appraised by service, a link to the project's page (its services and
    total); empty otherwise."""
    project_id, service = workspace.split_ref(ref)
    if service is None:
        return ""
    return (
        f"<p class='dd-sub'><a class='dd-project-total-link' href='?project={escape(project_id)}'>The project's "
        "total: every service's recommended option, summed</a></p>"
    )


class AppraisalLauncher:
    """What the notebook holds between preparing (before the request) and showing (after it)."""

    def __init__(self, store: ResultStore | None = None):
        self.store: ResultStore | None = None
        self._page: AppraisalPage | None = None
        self.error: Exception | None = None
        try:
            self.store = store or ResultStore()
            for key in default_keys(scenarios=["central"], perspectives=("council",)):
                try:
                    self.store.get_quick(key)
                except Exception as exc:  # noqa: BLE001 - shown when that project is opened
                    server_log(f"pre-computing {key} failed", exc)
        except Exception as exc:  # noqa: BLE001 - e.g. no data at all: show() says so, kindly
            server_log("preparing the appraisal dashboard failed", exc)
            self.error = exc
            return
        try:  # the what-if panel's ranking (about 10 s once per data version; then from the cache folder)
            ranked_keys(self.store)
        except Exception as exc:  # noqa: BLE001 - the panel falls back to the book's order
            server_log("ranking the assumptions failed", exc)
        # build the page for the first project now, off the viewer's clock; show() re-points it if asked
        try:
            self._page = AppraisalPage(self.store, registry.project_ids()[0])
        except Exception as exc:  # noqa: BLE001 - show() builds (and reports) again
            server_log("pre-building the appraisal page failed", exc)

    def page(self, params: "dict[str, str] | dict[str, list[str]] | None" = None) -> W.Widget:
        """The page for the request's parameters (the whole view: see :mod:`ddanalysis.dashboard.state`),
        or a friendly message for a bad one."""
        if self.store is None:  # preparing failed; show() reports self.error
            raise self.error or RuntimeError("the appraisal dashboard was not prepared")
        store = self.store
        if params is None:
            multi = parse_query(os.environ.get("QUERY_STRING", ""))
        else:
            multi = {k: ([v] if isinstance(v, str) else [str(x) for x in v]) for k, v in params.items()}
        ids = registry.served_ids()  # a URL names a workspace by its validated id, never by a path
        pid = (multi.get("project") or [""])[-1].strip() or ids[0]
        services = service_refs(pid, ids)  # a project appraised by service: its services and total
        if services:
            return services_page(store, services, multi)
        if pid not in ids:
            listed = list(dict.fromkeys(x for i in ids for x in (workspace.split_ref(i)[0], i)))  # + project pages
            links = "".join(
                f"<li><a href='?project={escape(i)}'>{escape(i)}</a>: {escape(registry.project(i).title)}</li>"
                for i in listed
            )
            return W.VBox(
                [
                    html_widget(STYLE),
                    html_widget(
                        error_box(
                            f"There is no project called '{pid}'. Choose one of the {len(listed)} pages below.",
                            f"<ul class='dd-project-list'>{links}</ul>",
                        )
                    ),
                ],
                layout=auto_width(),
            )
        base = store.get_quick(Key(pid))
        choices = Choices(
            projects=ids,
            scenarios=self.store_scenarios(),
            perspectives=PERSPECTIVES,
            tabs=[tab_slug(t) for t in TABS],
            criteria=list(base.mca_weights.index),
            options=[o for o in base.options["id"] if o != STATUS_QUO],
            table=project_book(pid).table,
            short_list=tuple(registry.project(pid).shortlist),
        )
        state, problems = from_query(multi, choices, ids[0])
        page, self._page = self._page, None
        if page is None:
            page = AppraisalPage(store, pid, state.scenario, state.perspective)
        page.apply(state, before_display=True)
        if problems:
            page.status.value = note_box(escape("; ".join(problems).capitalize() + "."))
        return page.widget

    @staticmethod
    def store_scenarios() -> list[str]:
        return list(load_book(None).scenarios)

    def show(self) -> None:
        """Wait for the viewer (Voila preheat), then display the page for the URL's parameters."""
        from IPython.display import display

        t0 = time.perf_counter()
        wait_for_viewer()
        t1 = time.perf_counter()
        try:
            if self.error is not None:
                raise self.error
            widget = self.page()
        except Exception as exc:  # noqa: BLE001
            server_log("building the appraisal page failed", exc)
            widget = W.VBox([html_widget(STYLE), html_widget(error_box(explain(exc)))])
        display(widget)
        server_log(
            f"appraisal page: waited {t1 - t0:.3f} s for the request, built and displayed in "
            f"{time.perf_counter() - t1:.3f} s"
        )
