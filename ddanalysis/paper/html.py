"""The paper as one self-contained HTML page (A4 print styles, plotly.js inline, no network).

Semantic structure for assistive technology: ``lang="en-GB"``, one h1, an h2 per case, h3 within,
a contents list of links, tables with captions and column headers, and each chart a ``role="img"``
with alternative text followed by the table of its data. The same page prints to the PDF.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from pathlib import Path

from ..presentation import formats
from ..presentation.tables import Table
from .document import Bullets, ChartBlock, Document, Heading, Paragraph, TableBlock
from .figures import for_print

CSS = """
@page { size: A4; margin: 20mm 16mm 18mm 16mm; }
html { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #1a1a1a; background: #fff;
       line-height: 1.4; }
body { margin: 0 auto; max-width: 178mm; padding: 8mm 0; }
h1 { font-size: 20pt; margin: 0 0 4mm; line-height: 1.2; }
h2 { font-size: 15pt; margin: 0 0 3mm; padding-bottom: 1mm; border-bottom: 2px solid #1a1a1a; break-after: avoid; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
p { margin: 0 0 2.5mm; }
.subtitle { font-size: 11pt; margin: 0 0 1mm; color: #333; }
section { break-before: page; }
.purpose { font-style: italic; color: #333; }
.note { font-size: 9pt; color: #404040; }
.warning { border: 2px solid #1a1a1a; padding: 2mm 3mm; font-weight: bold; background: #fff4e5; }
.decision { border-left: 5px solid #1a1a1a; padding: 2mm 3mm; background: #f2f2f2; font-weight: bold; }
.hook { border: 1px dashed #555; padding: 1.5mm 3mm; font-size: 9pt; color: #333; }
.warning, .decision, .hook, li { break-inside: avoid; }
ul { margin: 0 0 3mm 5mm; padding-left: 4mm; }
.list-title { font-weight: bold; margin: 2mm 0 1mm; }
nav ol { list-style: none; padding: 0; margin: 0; }
nav li { display: flex; align-items: baseline; margin: 0.8mm 0; }
nav li.l3 { padding-left: 7mm; font-size: 9.5pt; }
nav li a { color: #1a1a1a; text-decoration: none; }
nav li .dots { flex: 1; border-bottom: 1px dotted #777; margin: 0 2mm; }
nav li .pg { min-width: 8mm; text-align: right; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 4mm; font-size: 8.5pt; break-inside: auto; }
table.wide { font-size: 7.5pt; }
table.wide th, table.wide td { padding: 0.8mm 1mm; }
caption { caption-side: top; text-align: left; font-size: 8.5pt; color: #333; padding-bottom: 1mm; }
th, td { border-bottom: 1px solid #bdbdbd; padding: 1mm 1.5mm; vertical-align: top; text-align: left; }
thead th { border-bottom: 2px solid #1a1a1a; font-weight: bold; }
tbody th { font-weight: normal; }
.nw { white-space: nowrap; }
td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
tr { break-inside: avoid; }
tr.emph td, tr.emph th { font-weight: bold; }
tr.emph > :first-child::before { content: "\\2605\\00a0"; }
figure { margin: 3mm 0 1mm; break-inside: avoid; }
figure .plot { width: 100%; }
figcaption { font-size: 9pt; font-weight: bold; margin-top: 1mm; }
.data-title { font-size: 8.5pt; margin: 0; }
a { color: #1a1a1a; }
@media print { body { padding: 0; max-width: none; } }
@media screen { body { padding: 10mm; } section { border-top: 1px solid #ddd; margin-top: 10mm; padding-top: 6mm; } }
"""

READY_SCRIPT = """
(function () {
  var specs = document.querySelectorAll('script[type="application/json"].figure');
  var jobs = [];
  specs.forEach(function (s) {
    var spec = JSON.parse(s.textContent);
    var el = document.getElementById(s.dataset.target);
    jobs.push(Plotly.newPlot(el, spec.data, spec.layout, {staticPlot: true, displayModeBar: false, responsive: false}));
  });
  Promise.all(jobs).then(function () { window.__paperReady = true; },
                         function (e) { window.__paperError = String(e); window.__paperReady = true; });
})();
"""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed plotly package (never a CDN)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path.read_text(encoding="utf-8")


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def table_html(table: Table, table_id: str = "") -> str:
    """A :class:`~ddanalysis.presentation.tables.Table` as an HTML table (cells formatted by unit)."""
    shown = table.formatted()
    cols = list(shown.columns)
    numeric = {c: table.unit(c) in formats.NUMERIC_UNITS or table.unit(c) == "date" for c in cols}
    wide = " wide" if len(cols) > 7 else ""
    id_attr = f' id="{_e(table_id)}"' if table_id else ""
    out = [f'<table class="data{wide}"{id_attr}>']
    if table.caption:
        out.append(f"<caption>{_e(table.caption)}</caption>")
    out.append(
        "<thead><tr>"
        + "".join(f'<th scope="col"{" class=num" if numeric[c] else ""}>{_e(c)}</th>' for c in cols)
        + "</tr></thead><tbody>"
    )
    for i, row in enumerate(shown.itertuples(index=False)):
        cls = ' class="emph"' if i in table.emphasis else ""
        cells = []
        for j, (c, v) in enumerate(zip(cols, row)):
            tag = 'th scope="row"' if j == 0 else "td"
            cls_ = "num" if numeric[c] else ("nw" if len(str(v)) <= 10 else "")
            cells.append(f"<{tag}{f' class={cls_}' if cls_ else ''}>{_e(v)}</{tag.split()[0]}>")
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure_json(fig) -> str:
    spec = json.loads(for_print(fig).to_json())
    return json.dumps({"data": spec["data"], "layout": spec["layout"]}).replace("</", "<\\/")


def render_html(doc: Document, offline_plotly: bool = True) -> str:
    """The whole paper as an HTML page (plotly.js inline when ``offline_plotly``)."""
    parts: list[str] = []
    fig_no = 0
    for section in doc.sections:
        parts.append(f'<section id="{_e(section.id)}" aria-labelledby="{_e(section.id)}-h">')
        parts.append(f'<h2 id="{_e(section.id)}-h">{_e(section.title)}</h2>')
        parts.append(f'<p class="purpose">{_e(section.purpose)}</p>')
        for b in section.blocks:
            if isinstance(b, Heading):
                parts.append(f'<h3 id="{_e(b.id)}">{_e(b.text)}</h3>')
            elif isinstance(b, Paragraph):
                role = ' role="note"' if b.kind in ("warning", "hook") else ""
                parts.append(f'<p class="{_e(b.kind)}"{role}>{_e(b.text)}</p>')
            elif isinstance(b, Bullets):
                if b.title:
                    parts.append(f'<p class="list-title">{_e(b.title)}</p>')
                parts.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in b.items) + "</ul>")
            elif isinstance(b, TableBlock):
                parts.append(table_html(b.table, b.id))
            elif isinstance(b, ChartBlock):
                fig_no += 1
                title = b.figure.layout.title.text or ""
                parts.append(
                    f'<figure id="{_e(b.id)}" aria-labelledby="{_e(b.id)}-cap">'
                    f'<div class="plot" id="{_e(b.id)}-plot" role="img" aria-label="{_e(b.alt)}"></div>'
                    f'<figcaption id="{_e(b.id)}-cap">Figure {fig_no}: {_e(_plain(title))}</figcaption>'
                    "</figure>"
                )
                parts.append(
                    f'<script type="application/json" class="figure" data-target="{_e(b.id)}-plot">'
                    f"{_figure_json(b.figure)}</script>"
                )
                parts.append(f'<p class="data-title">Data for figure {fig_no}:</p>')
                parts.append(table_html(b.table, f"{b.id}-data"))
    toc = ['<nav aria-labelledby="contents-h"><h2 id="contents-h">Contents</h2><ol>']
    for level, hid, label in doc.headings():
        target = f"{hid}-h" if level == 2 else hid
        toc.append(
            f'<li class="l{level}"><a href="#{_e(target)}">{_e(label)}</a><span class="dots"></span>'
            f'<span class="pg" data-for="{_e(label)}"></span></li>'
        )
    toc.append("</ol></nav>")
    head = [f"<h1>{_e(doc.title)}</h1>"] + [f'<p class="subtitle">{_e(s)}</p>' for s in doc.subtitle]
    if doc.illustrative:
        head.append(f'<p class="warning" role="note">{_e(doc.illustrative_text)}</p>')
    script = f"<script>{plotly_js()}</script>" if offline_plotly else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en-GB"><head><meta charset="utf-8"><title>{_e(doc.title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style>{script}</head>'
        f"<body><header>{''.join(head)}</header>{''.join(toc)}<main>{''.join(parts)}</main>"
        f"<script>{READY_SCRIPT}</script></body></html>\n"
    )


def _plain(text: str) -> str:
    """Plotly title text without its <br>/<b> markup."""
    import re

    return re.sub(r"<[^>]+>", " ", str(text)).replace("  ", " ").strip()
