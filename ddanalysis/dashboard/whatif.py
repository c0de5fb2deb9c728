"""The appraisal dashboard's "What if" panel: a control for each assumption that moves the decision most.

The candidates are the impact ranking of :func:`ddanalysis.impact.rank_assumptions` (swing in the gap
between the best and runner-up options), computed once per data fingerprint and kept as plain JSON
in the result cache folder (or memory), filtered to the assumptions of the project on screen; the
top :data:`TOP` get a control and any other can be added from a list. Each control is a number box
in the assumption's unit (shares as %), limited to its hard bounds, with its low-high range, source
and quality beside it. The panel only collects values; the page re-appraises through
:class:`~ddanalysis.dashboard.store.ResultStore` with them as overrides, and the engine checks them
again (:func:`ddanalysis.overrides.checked`).
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import ipywidgets as W
import pandas as pd

from .. import registry
from ..keys import format_key
from ..presentation import formats
from ..price_base import project_book
from .common import escape, html_widget, server_log

if TYPE_CHECKING:
    from .store import ResultStore

#: How many assumptions get a control by default.
TOP = 8
_RANK_LOCK = threading.Lock()
_RANKINGS: dict[str, list[str]] = {}


def is_percent(unit: str) -> bool:
    """Whether an assumption's value is shown as a percentage (shares, percentage points)."""
    u = str(unit or "").lower()
    return "share" in u or "percentage points" in u or u == "rate"


def ranked_keys(store: "ResultStore | None" = None, perspective: str = "council") -> list[str]:
    """Every ranked assumption key (``scope.key``), most decisive first; computed once per data fingerprint
    and perspective, kept in memory and (as plain JSON) in the store's private cache folder."""
    from ..version import __version__
    from .store import data_fingerprint

    fingerprint = store.fingerprint if store is not None else data_fingerprint()
    tag = hashlib.sha256(f"{__version__}|{fingerprint}|{perspective}".encode()).hexdigest()[:20]
    with _RANK_LOCK:
        if tag in _RANKINGS:
            return _RANKINGS[tag]
        path: Path | None = None
        if store is not None and store.directory is not None:
            path = store.directory / f"impact-ranking--{tag}.json"
            try:
                from ..plaindata import read_private_file

                data = read_private_file(path)
                if data is not None:
                    doc = json.loads(data)
                    if doc.get("tag") == tag and all(isinstance(k, str) for k in doc.get("keys", [])):
                        _RANKINGS[tag] = list(doc["keys"])
                        return _RANKINGS[tag]
            except Exception as exc:  # noqa: BLE001 - recompute, never trust a damaged file
                server_log(f"ignoring impact ranking file {path.name}", exc)
        from ..impact import rank_assumptions

        frame = rank_assumptions(perspective)
        keys = list(dict.fromkeys(format_key(s, k) for s, k in zip(frame["scope"], frame["key"])))
        _RANKINGS[tag] = keys
        if path is not None:
            try:
                from ..atomic import PRIVATE_MODE, write_atomic

                write_atomic(path, json.dumps({"tag": tag, "keys": keys}).encode(), mode=PRIVATE_MODE)
            except OSError as exc:
                server_log("could not write the impact ranking", exc)
        return keys


def candidates(project_id: str, ranking: list[str]) -> pd.DataFrame:
    """The assumptions of a project that a viewer may change (those of its short-listed options and of the
    project), ranked ones first (in rank order), then the rest in the book's order. Columns: key, scope, name,
    description, unit, low, central, high, bound_low,
    bound_high, source, quality, rank (None when unranked)."""
    table = project_book(project_id).table  # values and bounds in the project's base-year prices
    short_list = set(registry.project(project_id).shortlist)
    rank = {k: i + 1 for i, k in enumerate(ranking)}
    rows = []
    for (scope, name), r in table.iterrows():
        if scope in registry.DELIVERY_MODELS and scope not in short_list:
            continue  # a model this project does not appraise: a value for it would change nothing
        lo, hi = float(r.get("bound_low", math.nan)), float(r.get("bound_high", math.nan))
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
            continue  # nothing a viewer could move within bounds
        key = format_key(scope, name)
        rows.append(
            {
                "key": key,
                "scope": scope,
                "name": name,
                "description": str(r.get("description", "")),
                "unit": str(r.get("unit", "")),
                "low": r.get("low"),
                "central": r.get("central"),
                "high": r.get("high"),
                "bound_low": lo,
                "bound_high": hi,
                "source": str(r.get("source", "") or r.get("source_id", "") or ""),
                "quality": str(r.get("quality", "") or ""),
                "rank": rank.get(key),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["_order"] = [rank.get(k, 10**6 + i) for i, k in enumerate(frame["key"])]
    return frame.sort_values("_order", kind="stable").drop(columns="_order").reset_index(drop=True)


def _display(value: float, unit: str) -> float:
    return round(value * 100, 10) if is_percent(unit) else value


def _model(value: float, unit: str) -> float:
    return round(value / 100, 12) if is_percent(unit) else value


class WhatIfPanel:
    """The "What if" controls. ``sets`` holds the viewer's changed values (model units) by key.

    Only the toggle and the what-if flag exist until the viewer opens the panel (or code asks for
    its controls): the controls, their notes and the list of other assumptions are built then, so a
    page's first paint carries none of their widgets (about 70 of a page's 170)."""

    def __init__(self, on_change: Callable[[], None], ranking: Callable[[], list[str]]):
        self._on_change = on_change
        self._ranking = ranking
        self.sets: dict[str, float] = {}
        self.base: dict[str, float] = {}
        self.project: str | None = None
        self._cands: pd.DataFrame | None = pd.DataFrame()
        self._controls: dict[str, W.BoundedFloatText] = {}
        self._quiet = False
        self.body: W.VBox | None = None
        self.toggle = W.ToggleButton(
            value=False,
            description="What if… (change assumptions)",
            tooltip="Show or hide the what-if controls",
            layout=W.Layout(width="280px"),
        )
        self.toggle.add_class("dd-whatif-toggle")
        self.toggle.observe(lambda ch: self._show(bool(ch["new"])), names="value")
        self.flag = html_widget(cls="dd-whatif-flag-top")
        self.widget = W.VBox([W.HBox([self.toggle, self.flag], layout=W.Layout(align_items="center"))])
        self.widget.add_class("dd-whatif")

    @property
    def cands(self) -> pd.DataFrame:
        """The loaded project's assumptions a viewer may change (:func:`candidates`), found when first
        needed (the panel opened, a what-if value summarised): a project change with the panel closed
        reads no assumption book."""
        if self._cands is None:
            try:
                ranking = self._ranking()
            except Exception as exc:  # noqa: BLE001 - the panel still works, in the book's order
                server_log("impact ranking failed; what-if controls in the book's order", exc)
                ranking = []
            self._cands = candidates(self.project, ranking) if self.project is not None else pd.DataFrame()
        return self._cands

    # -- building ---------------------------------------------------------------------------------
    def _show(self, shown: bool) -> None:
        if shown:
            self.build()
        if self.body is not None:
            self.body.layout.display = None if shown else "none"

    def build(self) -> None:
        """Build the panel's body (once): the controls of the project loaded, the list of other
        assumptions, the what-if summary and the reset button."""
        if self.body is not None:
            return
        self.rows = W.VBox()
        self.rows.add_class("dd-whatif-rows")
        self.add = W.Dropdown(
            description="Add another assumption:",
            style={"description_width": "initial"},
            layout=W.Layout(width="620px"),
        )
        self.add.add_class("dd-whatif-add")
        self.add.observe(lambda ch: None if self._quiet else self._add(ch["new"]), names="value")
        self.summary = html_widget(cls="dd-whatif-summary")
        self.reset = W.Button(
            description="Reset what-if values", tooltip="Back to the scenario's values", layout=W.Layout(width="200px")
        )
        self.reset.add_class("dd-whatif-reset")
        self.reset.on_click(lambda _b: self.clear(notify=True))
        intro = html_widget(
            "<div class='dd-small'>Change an assumption to see every figure follow. The "
            f"{TOP} shown move the decision most (the impact ranking); values are limited to each "
            "assumption's hard bounds, and the low-high range is the guide.</div>"
        )
        body = W.VBox(
            [intro, self.rows, self.add, W.HBox([self.summary, self.reset], layout=W.Layout(align_items="center"))]
        )
        body.layout.display = None if self.toggle.value else "none"
        body.add_class("dd-whatif-body")
        self.body = body
        self._fill()
        self._summarise()
        self.widget.children = [*self.widget.children, body]

    @property
    def controls(self) -> dict[str, W.BoundedFloatText]:
        """The number boxes by assumption key (building the panel when it is not built yet)."""
        self.build()
        return self._controls

    def load(self, project_id: str, base: dict[str, float], sets: dict[str, float] | None = None) -> None:
        """Show the controls of a project with the scenario's values ``base`` (model units) and the viewer's
        ``sets`` (dropped when the project changes unless given)."""
        if project_id != self.project:
            self.project = project_id
            self._cands = None  # found when first needed (see cands)
            self._controls = {}
            if sets is None:
                self.sets = {}
        if sets is not None:
            self.sets = dict(sets)
        self.base = dict(base)
        if self.body is not None:
            self._fill()
        self._summarise()

    def _fill(self) -> None:
        """Controls for the top assumptions and any the viewer changed, set to the values in force."""
        shown = list(self.cands["key"].head(TOP)) if not self.cands.empty else []
        shown += [k for k in self.sets if k not in shown]
        self._quiet = True
        try:
            if set(shown) - set(self._controls) or len(self.rows.children) != len(self._controls):
                for k in shown:
                    if k not in self._controls:
                        self._controls[k] = self._control(k)
                self.rows.children = [self._row(k) for k in self._controls]
            for k, c in self._controls.items():
                unit = self._cand(k)["unit"]
                v = self.sets.get(k, self.base.get(k))
                if v is not None and math.isfinite(float(v)):
                    c.value = _display(float(v), unit)
            self._sync_add()
        finally:
            self._quiet = False

    def _cand(self, key: str) -> pd.Series:
        return self.cands.set_index("key").loc[key]

    def _label(self, key: str) -> str:
        c = self._cand(key)
        return f"{c['scope']}: {c['name'].replace('_', ' ')}" + (" (%)" if is_percent(c["unit"]) else "")

    def _control(self, key: str) -> W.BoundedFloatText:
        c = self._cand(key)
        lo, hi = _display(c["bound_low"], c["unit"]), _display(c["bound_high"], c["unit"])
        w = W.BoundedFloatText(
            min=lo,
            max=hi,
            value=min(max(_display(self.base.get(key, c["bound_low"]), c["unit"]), lo), hi),
            description=self._label(key),
            continuous_update=False,
            style={"description_width": "330px"},
            layout=W.Layout(width="480px"),
        )
        w.add_class("dd-whatif-control")
        w.observe(lambda ch, k=key: None if self._quiet else self._changed(k, ch["new"]), names="value")
        return w

    def _row(self, key: str) -> W.HBox:
        c = self._cand(key)
        unit = c["unit"]

        def v(x: object) -> str:
            return formats.value_in_unit(x, unit)

        q = escape(c["quality"])
        info = (
            f"<div class='dd-small dd-whatif-info'>{escape(c['description'])} Range {v(c['low'])} to {v(c['high'])} "
            f"(central {v(c['central'])}); allowed {v(c['bound_low'])} to {v(c['bound_high'])}. "
            f"Source: {escape(c['source'])}. Quality: <span class='dd-rag dd-rag-{q}'>{q}</span></div>"
        )
        return W.HBox([self._controls[key], html_widget(info)], layout=W.Layout(align_items="flex-start"))

    def _sync_add(self) -> None:
        rest = (
            []
            if self.cands.empty
            else [
                (f"{r.key}: {r.description[:70]}", r.key)
                for r in self.cands.itertuples()
                if r.key not in self._controls
            ]
        )
        self.add.options = [("choose…", "")] + rest
        self.add.value = ""

    # -- events -----------------------------------------------------------------------------------
    def _add(self, key: str) -> None:
        if not key or key in self._controls or self.cands.empty or key not in set(self.cands["key"]):
            return
        self._quiet = True
        try:
            self._controls[key] = self._control(key)
            self.rows.children = [*self.rows.children, self._row(key)]
            self._sync_add()
        finally:
            self._quiet = False

    def _changed(self, key: str, display_value: float) -> None:
        unit = self._cand(key)["unit"]
        value = _model(float(display_value), unit)
        base = self.base.get(key)
        if base is not None and abs(value - float(base)) <= 1e-12 * max(1.0, abs(float(base))):
            self.sets.pop(key, None)
        else:
            self.sets[key] = value
        self._summarise()
        self._on_change()

    def clear(self, notify: bool = False) -> None:
        """Back to the scenario's values (``notify``: tell the page to redraw)."""
        had = bool(self.sets)
        self.sets = {}
        self._quiet = True
        try:
            for k, c in self._controls.items():
                if k in self.base:
                    c.value = _display(float(self.base[k]), self._cand(k)["unit"])
        finally:
            self._quiet = False
        self._summarise()
        if notify and had:
            self._on_change()

    def _summarise(self) -> None:
        n = len(self.sets)
        built = self.body is not None
        if built:
            self.reset.disabled = n == 0
        if n == 0:
            if built:
                self.summary.value = (
                    "<span class='dd-small' role='status'>No what-if values: the scenario's own.</span>"
                )
            self.flag.value = ""
            return
        items = []
        for k, v in sorted(self.sets.items()):
            unit = self._cand(k)["unit"] if not self.cands.empty and k in set(self.cands["key"]) else ""
            was = self.base.get(k)
            items.append(
                f"<li><code>{escape(k)}</code> = {escape(formats.value_in_unit(v, unit))}"
                + (f" (scenario: {escape(formats.value_in_unit(was, unit))})" if was is not None else "")
                + "</li>"
            )
        word = "assumption" if n == 1 else "assumptions"
        self.flag.value = (
            f"<span class='dd-whatif-flag' data-dd-whatif-top='{n}'><b>What-if: {n} "
            f"{word} changed</b> ({escape(', '.join(sorted(self.sets)))})</span>"
        )
        if not built:
            return
        self.summary.value = (
            f"<div class='dd-whatif-flag' role='status' data-dd-whatif='{n}'><b>What-if: {n} {word} "
            f"changed</b><ul>{''.join(items)}</ul></div>"
        )
