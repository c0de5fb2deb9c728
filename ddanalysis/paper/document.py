"""The paper as a format-free document: sections of headings, paragraphs, lists, tables and charts.

:mod:`ddanalysis.paper.sections` builds it from a result; :mod:`~ddanalysis.paper.html` and
:mod:`~ddanalysis.paper.word` lay the same document out, so the PDF, the web page and the Word
document say the same thing in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from ..presentation.tables import Table


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; ``kind``: ``text``, ``note`` (small print), ``warning`` (the illustrative label),
    ``decision`` (the recommendation) or ``hook`` (a 'when available' placeholder)."""

    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Bullets:
    """A bulleted list, optionally led by a bold ``title``."""

    items: tuple[str, ...]
    title: str = ""


@dataclass(frozen=True)
class TableBlock:
    """A presentation-layer table with its anchor id."""

    table: Table
    id: str


@dataclass(frozen=True)
class ChartBlock:
    """A plotly figure with its alternative text and the data table shown beside it."""

    figure: Any
    alt: str
    table: Table
    id: str


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section (h3)."""

    text: str
    id: str


Block = Union[Paragraph, Bullets, TableBlock, ChartBlock, Heading]


@dataclass(frozen=True)
class Section:
    """One numbered part of the paper (h2): its id, title, a one-line purpose and its blocks."""

    id: str
    title: str
    purpose: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Document:
    """The whole paper: title, subtitle lines, whether it is illustrative, and its sections in order."""

    title: str
    subtitle: tuple[str, ...]
    illustrative: bool
    illustrative_text: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def headings(self) -> list[tuple[int, str, str]]:
        """(level, id, text) of every section (2) and sub-heading (3), for the contents list."""
        out: list[tuple[int, str, str]] = []
        for s in self.sections:
            out.append((2, s.id, s.title))
            out += [(3, b.id, b.text) for b in s.blocks if isinstance(b, Heading)]
        return out
