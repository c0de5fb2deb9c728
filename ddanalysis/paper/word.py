"""The paper as an editable Word document (python-docx), from the same document as the PDF.

Headings use Word's Heading 1-3 styles (so Word's navigation pane and a table of contents field
work), tables are Word tables with a header row that repeats on each page, and charts are PNG
images drawn by Chromium (python-docx cannot embed SVG), each with its alternative text and the
table of its data after it. Without Chromium the charts are left out and the data tables stay.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..presentation import formats
from ..presentation.tables import Table
from .document import Bullets, ChartBlock, Document, Heading, Paragraph, TableBlock

#: Text width of the A4 page in Word (210 mm less 2 x 20 mm margins).
TEXT_WIDTH = Mm(170)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _table(doc, table: Table) -> None:
    shown = table.formatted()
    if table.caption:
        p = doc.add_paragraph(table.caption, style="Caption")
        p.paragraph_format.keep_with_next = True
    cols = list(shown.columns)
    t = doc.add_table(rows=1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    size = Pt(7.5) if len(cols) > 7 else Pt(8.5)
    numeric = [table.unit(c) in formats.NUMERIC_UNITS or table.unit(c) == "date" for c in cols]
    for cell, c, num in zip(t.rows[0].cells, cols, numeric):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(c))
        run.bold, run.font.size = True, size
        if num:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(t.rows[0])
    for i, row in enumerate(shown.itertuples(index=False)):
        cells = t.add_row().cells
        for cell, v, num in zip(cells, row, numeric):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(v))
            run.font.size = size
            run.bold = i in table.emphasis
            if num:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.add_paragraph()


def _alt_text(picture_inline, alt: str) -> None:
    """Set the picture's description (Word's alternative text)."""
    doc_pr = picture_inline._inline.docPr
    doc_pr.set("descr", alt)
    doc_pr.set("title", alt[:120])


def _chart(doc, b: ChartBlock, fig_no: int, images: Mapping[str, Path]) -> None:
    png = images.get(b.id)
    if png is not None and Path(png).exists():
        doc.add_picture(str(png), width=TEXT_WIDTH)
        _alt_text(doc.inline_shapes[-1], b.alt)
    else:
        doc.add_paragraph(f"[Chart not drawn: Chromium is not installed. {b.alt}]").runs[0].italic = True
    title = re.sub(r"<[^>]+>", " ", str(b.figure.layout.title.text or "")).strip()
    doc.add_paragraph(f"Figure {fig_no}: {title}", style="Caption")
    _table(doc, b.table)


def _block(doc, b, fig_no: int, images: Mapping[str, Path]) -> int:
    """Lay out one block; returns the figure count after it."""
    if isinstance(b, Heading):
        doc.add_heading(b.text, level=2)
    elif isinstance(b, Paragraph):
        run = doc.add_paragraph().add_run(b.text)
        run.bold = b.kind in ("warning", "decision")
        run.italic = b.kind == "hook"
        if b.kind in ("note", "hook"):
            run.font.size = Pt(9)
    elif isinstance(b, Bullets):
        if b.title:
            doc.add_paragraph().add_run(b.title).bold = True
        for item in b.items:
            doc.add_paragraph(item, style="List Bullet")
    elif isinstance(b, TableBlock):
        _table(doc, b.table)
    elif isinstance(b, ChartBlock):
        fig_no += 1
        _chart(doc, b, fig_no, images)
    return fig_no


def _front(doc, doc_model: Document) -> None:
    """Page set-up, running header and footer, title and contents list."""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(10.5)
    doc.core_properties.title = doc_model.title
    doc.core_properties.language = "en-GB"
    if doc_model.illustrative:
        header = section.header.paragraphs[0]
        header.text = doc_model.illustrative_text
        header.runs[0].bold = True
    section.footer.paragraphs[0].text = doc_model.title
    doc.add_heading(doc_model.title, level=0)
    for line in doc_model.subtitle:
        doc.add_paragraph(line)
    if doc_model.illustrative:
        doc.add_paragraph().add_run(doc_model.illustrative_text).bold = True
    doc.add_heading("Contents", level=1)
    for level, _hid, label in doc_model.headings():
        p = doc.add_paragraph(label, style="List Bullet" if level == 3 else None)
        if level == 2:
            p.runs[0].bold = True


def write_docx(doc_model: Document, path: Path, images: Mapping[str, Path] | None = None) -> None:
    """Write ``doc_model`` as a .docx to ``path`` (``images``: chart id -> PNG)."""
    images = images or {}
    doc = new_docx()
    _front(doc, doc_model)
    fig_no = 0
    for sec in doc_model.sections:
        doc.add_page_break()
        doc.add_heading(sec.title, level=1)
        doc.add_paragraph().add_run(sec.purpose).italic = True
        for b in sec.blocks:
            fig_no = _block(doc, b, fig_no, images)
    doc.save(str(path))
