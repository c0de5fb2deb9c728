"""Building blocks shared by the dashboards: chart slots, HTML tables, messages, errors, the page style.

Nothing here computes a number: it formats what the library returns. Money is shown as ``£1,234``
(``-£1,234`` for negatives) via :mod:`ddanalysis.presentation.formats`.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import logging
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import parse_qs

import ipywidgets as W
import pandas as pd
from ipywidgets.widgets.widget_string import HTMLStyle

from .. import config
from ..charts import mimebundle
from ..errors import DDAnalysisError
from ..presentation import formats
from ..presentation.tables import Table

log = logging.getLogger("ddanalysis.dashboard")

#: Shown to viewers when something unexpected fails; the detail goes to the server log.
FRIENDLY_ERROR = (
    "Sorry, this part of the dashboard could not be shown. The technical detail has been "
    "written to the server log; please tell the analyst who runs this dashboard."
)


def server_log(message: str, exc: BaseException | None = None) -> None:
    """Write to the process's real stderr (the Voila server's log), never to the page."""
    stream = sys.__stderr__ or sys.stderr
    try:
        text = f"[ddanalysis.dashboard] {message}\n"
        if exc is not None:
            text += "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        stream.write(text)
        stream.flush()
    except Exception:  # logging must never break the page
        pass


def explain(exc: BaseException) -> str:
    """What a viewer is told about an error: our own errors are written for people (with server paths
    shortened, see :func:`redact_paths`); others get :data:`FRIENDLY_ERROR`. The full message and
    traceback go to the server log (:func:`server_log`)."""
    if isinstance(exc, DDAnalysisError):
        return f"This could not be shown: {redact_paths(str(exc))}"
    return FRIENDLY_ERROR


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^/\s'\",;:()]+/)+([^/\s'\",;:()]+)")


def redact_paths(text: str) -> str:
    """``text`` without server file-system paths: files under the data folder are named from it
    (``data/baselines/x.csv``), any other absolute path by its file name only."""
    roots = [(config.DATA_DIR, "data"), (config.OFFICIAL_DIR, "official data")]
    for root, label in roots:
        for form in {str(root), str(Path(root).resolve())}:
            text = text.replace(form + os.sep, label + "/").replace(form, label)
    return _ABSOLUTE_PATH.sub(r"\1", text)


def escape(text: Any) -> str:
    return html.escape("" if text is None else str(text))


# --------------------------------------------------------------------------------------------
# request parameters (?project=...)
# --------------------------------------------------------------------------------------------


def wait_for_viewer() -> None:
    """With Voila's preheated kernels, pause here until a viewer's request arrives (and with it the
    URL's query string); a no-op anywhere else (JupyterLab, papermill, a normal Voila kernel)."""
    if os.environ.get("VOILA_PREHEAT", "False") != "True":
        return
    from voila.utils import wait_for_request

    wait_for_request()


def query_params() -> dict[str, str]:
    """The page URL's query parameters (Voila passes the query string in ``QUERY_STRING``)."""
    raw = os.environ.get("QUERY_STRING", "")
    return {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}


# --------------------------------------------------------------------------------------------
# widgets
# --------------------------------------------------------------------------------------------


class ChartSlot:
    """One plotly figure on the page, drawn offline by plotly's mimetype renderer.

    ``show(fig)`` replaces the output in one message (no blank flash); a failing figure builder is
    replaced by a friendly message and logged.
    """

    def __init__(self, name: str, min_height: int = 300):
        self.name = name
        self.widget = W.Output(layout=W.Layout(width="auto", min_height=f"{min_height}px"))
        self.widget.add_class("dd-chart")
        self.widget.add_class(f"dd-chart-{name}")

    def show(self, fig: Any) -> None:
        self.put(self.rendered(fig))

    def message(self, text: str) -> None:
        self.put(self.rendered_message(text))

    def draw(self, build: Callable[[], Any]) -> None:
        """Build the figure and show it; on failure show a friendly message and log the detail."""
        self.put(self.build(build))

    @staticmethod
    def rendered(fig: Any) -> "Drawing":
        """``fig`` as the output the slot shows (its MIME bundle) and the chart's height in pixels (None:
        plotly's default); made once, shown any number of times by :meth:`put`."""
        height = f"{int(fig.layout.height)}px" if fig.layout.height else None
        return Drawing({"output_type": "display_data", "data": mimebundle(fig), "metadata": {}}, height)

    @staticmethod
    def rendered_message(text: str) -> "Drawing":
        """A friendly message (``text``, escaped) as the output the slot shows instead of a chart."""
        return Drawing(
            {
                "output_type": "display_data",
                "data": {"text/html": f"<div class='dd-note'>{escape(text)}</div>", "text/plain": text},
                "metadata": {},
            },
            None,
        )

    def build(self, build: Callable[[], Any]) -> "Drawing":
        """What :meth:`draw` shows: the figure ``build()`` returns, or on failure a friendly message (the
        detail in the server log). Nothing is sent to the page."""
        try:
            return self.rendered(build())
        except Exception as exc:  # noqa: BLE001 - viewers see a message, the log the traceback
            server_log(f"chart {self.name!r} failed", exc)
            return self.rendered_message(explain(exc))

    def put(self, drawing: "Drawing") -> None:
        """Show ``drawing`` (from :meth:`rendered`, :meth:`rendered_message` or :meth:`build`), replacing the
        output in one message (no blank flash); the slot keeps the chart's height while it redraws."""
        if drawing.height and self.widget.layout.min_height != drawing.height:
            self.widget.layout.min_height = drawing.height
        self.widget.outputs = (drawing.output,)


@dataclasses.dataclass(frozen=True)
class Drawing:
    """One chart slot's content, ready to send: ``output`` (a Jupyter display_data output: a plotly MIME
    bundle or a message in HTML) and ``height`` (CSS pixels, e.g. ``"640px"``, or None)."""

    output: dict[str, Any]
    height: str | None


_SHARED: dict[str, W.Widget] = {}


def _shared(name: str, make: Callable[[], W.Widget]) -> Any:
    """One widget model per kernel for ``name`` (made again if it was closed)."""
    w = _SHARED.get(name)
    if w is None or getattr(w, "comm", None) is None:
        w = _SHARED[name] = make()
    return w


class SharedLayout(W.Layout):
    """A layout several widgets share, fixed once made: setting any of its CSS properties raises
    AttributeError (it would change every widget using it; give such a widget a layout of its own)."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._fixed = True

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_fixed", False) and not name.startswith("_") and name in W.Layout.class_own_traits():
            raise AttributeError(f"a shared layout is fixed: give the widget its own layout to set {name!r}")
        super().__setattr__(name, value)


def auto_width() -> W.Layout:
    """The layout ``width: auto``, one model shared by every widget that uses it as it is: a page's first
    paint then carries one layout for them all instead of one each. It cannot be changed (:class:`SharedLayout`)."""
    return _shared("auto_width", lambda: SharedLayout(width="auto"))


def html_widget(value: str = "", cls: str | None = None) -> W.HTML:
    """An HTML widget holding ``value`` (already safe HTML), with CSS class ``cls``. Its layout and style
    are shared (:func:`auto_width`, one default HTML style): do not change them on the widget."""
    w = W.HTML(value=value, layout=auto_width(), style=_shared("html_style", HTMLStyle))
    if cls:
        w.add_class(cls)
    return w


def guarded(status: W.HTML | None = None) -> Callable:
    """Decorate a widget callback: errors become a friendly message in ``status`` and a log entry."""

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001
                server_log(f"callback {fn.__name__} failed", exc)
                if status is not None:
                    status.value = error_box(explain(exc))
                return None

        return wrapper

    return deco


# --------------------------------------------------------------------------------------------
# HTML pieces
# --------------------------------------------------------------------------------------------


def error_box(text: str, extra_html: str = "") -> str:
    return f"<div class='dd-error' role='alert'><b>{escape(text)}</b>{extra_html}</div>"


def note_box(text_html: str) -> str:
    return f"<div class='dd-note'>{text_html}</div>"


def illustrative_banner(what: str = "the baseline budget, assumptions and scores") -> str:
    return (
        "<div class='dd-illustrative' role='note'><b>ILLUSTRATIVE FIGURES.</b> "
        f"{escape(what[:1].upper() + what[1:])} are illustrative, prepared by the ddanalysis team from public sources, "
        "not the council's own figures. Do not quote them as the council's position.</div>"
    )


def kpi_cards(items: Sequence[tuple[str, str, str]]) -> str:
    """Headline numbers as cards: (label, value, note)."""
    cards = "".join(
        f"<div class='dd-kpi'><div class='dd-kpi-label'>{escape(label)}</div>"
        f"<div class='dd-kpi-value'>{escape(value)}</div>"
        f"<div class='dd-kpi-note'>{escape(note)}</div></div>"
        for label, value, note in items
    )
    return f"<div class='dd-kpis'>{cards}</div>"


def table_html(
    frame: pd.DataFrame,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    html_cols: Iterable[str] = (),
    numeric_cols: Iterable[str] = (),
    caption: str = "",
    row_class: Callable[[pd.Series], str] | None = None,
    cls: str = "dd-table",
) -> str:
    """A plain, accessible HTML table. ``formats`` per column; ``html_cols`` are inserted unescaped
    (they must already be safe); ``numeric_cols`` are right-aligned."""
    formats = dict(formats or {})
    html_cols, numeric_cols = set(html_cols), set(numeric_cols) | {c for c in formats if c not in html_cols}
    head = "".join(
        f"<th scope='col' class='{'num' if c in numeric_cols else ''}'>{escape(c)}</th>" for c in frame.columns
    )
    body = []
    for _, row in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = row[c]
            text = formats[c](v) if c in formats else ("" if v is None or (isinstance(v, float) and v != v) else v)
            text = str(text) if c in html_cols else escape(text)
            cells.append(f"<td class='{'num' if c in numeric_cols else ''}'>{text}</td>")
        rc = row_class(row) if row_class else ""
        body.append(f"<tr class='{rc}'>{''.join(cells)}</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return (
        f"<div class='dd-table-wrap'><table class='{cls}'>{cap}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def table_from(table: Table, html_cols: Iterable[str] = (), cls: str = "dd-table") -> str:
    """A presentation :class:`~ddanalysis.presentation.tables.Table` as an accessible HTML table: each
    cell formatted by its column's unit, numbers right-aligned, emphasised rows marked ``dd-recommended``."""
    shown = table.formatted().reset_index(drop=True)
    for c in html_cols:
        shown[c] = table.frame[c].to_numpy()
    numeric = [c for c in shown.columns if table.unit(c) in formats.NUMERIC_UNITS or table.unit(c) == "date"]
    marked = set(table.emphasis)
    return table_html(
        shown,
        html_cols=html_cols,
        numeric_cols=numeric,
        caption=table.caption,
        cls=cls,
        row_class=(lambda r: "dd-recommended" if r.name in marked else "") if marked else None,
    )


def download_link(data: bytes, name: str, mime: str, note: str = "") -> str:
    """A download link holding ``data`` (a ``data:`` URL, so the file travels over the page's own
    kernel channel and nothing is written on the server), with its size in KB and ``note`` beside it."""
    b64 = base64.b64encode(data).decode("ascii")
    detail = f"{len(data) / 1024:,.0f} KB" + (f", {note}" if note else "")
    return (
        f"<a class='dd-download-link' download='{escape(name)}' href='data:{mime};base64,{b64}'>"
        f"Download {escape(name)}</a> <span class='dd-small'>({escape(detail)})</span>"
    )


def run_record_footer(result: Any) -> str:
    """The run record of the figures on screen (version, input-file fingerprint, arguments, time), small print."""
    rec = getattr(result, "run_record", None)
    if rec is None:
        return ""
    lines = "<br>".join(escape(line) for line in rec.lines())
    return f"<footer class='dd-small dd-run-record' aria-label='Run record'>Run record: {lines}</footer>"


money = formats.money
share = formats.share


# --------------------------------------------------------------------------------------------
# the page style (one <style> block; the lab template's own styles stay)
# --------------------------------------------------------------------------------------------

STYLE = """
<style>
body, .jp-Notebook, .widget-html-content { font-family: Arial, Helvetica, sans-serif; }
#rendered_cells, .jp-Notebook { max-width: 1240px; margin: 0 auto; }
.dd-page { font-size: 15px; color: #1f1f1f; }
.dd-page .widget-html-content { font-size: 15px; line-height: 1.45; }
.dd-header h1 { font-size: 26px; margin: 6px 0 2px 0; font-weight: 700; }
.dd-header .dd-sub { color: #404040; font-size: 15px; margin: 0 0 4px 0; }
.dd-illustrative { background: #fff4e5; border-left: 6px solid #D55E00; padding: 8px 12px; margin: 6px 0 10px 0;
                   color: #5a2600; }
.dd-error { background: #fdecea; border-left: 6px solid #b00020; padding: 10px 14px; margin: 8px 0; color: #5f0010; }
.dd-note { background: #f3f6fa; border-left: 4px solid #0072B2; padding: 8px 12px; margin: 6px 0; color: #1f1f1f; }
.dd-status { min-height: 22px; color: #404040; font-size: 14px; }
.dd-recommendation { background: #eef6fb; border: 1px solid #b9d7ea; border-radius: 4px; padding: 12px 16px;
                     margin: 6px 0 10px 0; font-size: 16px; }
.dd-page, .dd-page * { box-sizing: border-box; }
.dd-kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(205px, 1fr)); gap: 10px;
           margin: 6px 0 12px 0; }
.dd-kpi { border: 1px solid #d0d7de; border-radius: 4px; padding: 8px 12px; background: #fff; min-width: 0; }
.dd-kpi-label { font-size: 13px; color: #404040; }
.dd-kpi-value { font-size: 21px; font-weight: 700; margin: 2px 0; overflow-wrap: anywhere; }
.dd-kpi-note { font-size: 12px; color: #505050; }
.dd-table-wrap { overflow-x: auto; margin: 6px 0 14px 0; }
.dd-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.dd-table caption { text-align: left; font-weight: 700; padding: 4px 0 6px 0; font-size: 15px; }
.dd-table th { background: #f0f2f4; text-align: left; padding: 6px 8px; border-bottom: 2px solid #c4c9cf;
               vertical-align: bottom; }
.dd-table td { padding: 5px 8px; border-bottom: 1px solid #e1e4e8; vertical-align: top; }
.dd-table .num { text-align: right; white-space: nowrap; }
.dd-table details.dd-why summary { cursor: pointer; color: #005a8c; }
.dd-table details.dd-why[open] { min-width: 26em; }
.dd-table tr.dd-recommended td { background: #eef6fb; font-weight: 700; }
.dd-rag { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 700;
  color: #fff; }
.dd-rag-green { background: #00795a; } .dd-rag-amber { background: #946000; } .dd-rag-red { background: #b03a00; }
.dd-controls { gap: 12px; align-items: flex-end; flex-wrap: wrap; margin: 4px 0 8px 0; }
.dd-controls .widget-label { font-weight: 700; }
.dd-section-title { font-size: 18px; font-weight: 700; margin: 14px 0 4px 0; }
.dd-small { font-size: 13px; color: #404040; }
.dd-page a { color: #005a8c; }
.dd-chart { margin: 4px 0 10px 0; }
.dd-page .lm-TabBar-tab, .dd-page .p-TabBar-tab { font-size: 15px; flex: 0 0 auto !important; min-width: 0 !important;
  max-width: none !important; padding: 0 14px !important; }
.dd-page .lm-TabBar-tabLabel { overflow: visible; }
.dd-tabs { --jp-ui-font-color2: #454545; }  /* unselected tab labels: 8:1 on their grey, not 4.45:1 (WCAG 1.4.3) */
.dd-download a { font-weight: 700; }
</style>
"""
