"""The board paper: an options appraisal in HM Treasury's Five Case structure, as PDF, HTML or Word.

``write_paper(result, "paper.pdf")`` (or ``ddanalysis report PROJECT -o paper.pdf``). One job per
module: :mod:`~.inputs` reads what the paper needs beyond the result (project, official spending,
procurement routes, legal facts); :mod:`~.sections` builds the content in the Five Case order from
the presentation layer's tables and sentences into a format-free :mod:`~.document`; :mod:`~.html`
lays it out as one self-contained page (:mod:`~.figures` makes the charts fit for print);
:mod:`~.browser` prints it to PDF with Chromium in a child process; :mod:`~.word` writes the Word
version; :mod:`~.write` writes any of them whole or not at all.
"""

from .sections import build_document
from .write import SUFFIXES, check_target, paper_bytes, write_paper

__all__ = ["build_document", "write_paper", "paper_bytes", "check_target", "SUFFIXES"]
