"""Write the paper to a file, whole or not at all: ``.pdf``, ``.html`` or ``.docx`` by the suffix.

Everything is made in a temporary file in the destination folder and renamed over the target
(``os.replace``), so a failure part-way never leaves a half-written paper. A wrong suffix or an
unwritable destination is a :class:`~ddanalysis.errors.DDAnalysisError` that says why, raised before
any work is done.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import check_output_path
from ..errors import DDAnalysisError
from ..presentation import text

if TYPE_CHECKING:
    from ..result import AppraisalResult
    from .inputs import PaperInputs

SUFFIXES = (".pdf", ".html", ".docx")


def check_target(path: str | os.PathLike) -> Path:
    """The destination as a Path, checked before any work is done (DDAnalysisError saying why not)."""
    return check_output_path(
        path,
        noun="the paper",
        suffixes=tuple(SUFFIXES),
        suffix_rule="the paper must end in .pdf, .html or .docx",
        endings=".pdf, .html or .docx",
    )


def _header_footer(result: "AppraisalResult") -> tuple[str, str]:
    from .browser import footer_template, header_template

    label = text.ILLUSTRATIVE_SHORT if result.illustrative else ""
    header = header_template(f"{result.project_title} ({result.councils}): options appraisal", label)
    footer = footer_template(
        f"{result.scenario} scenario{' with WHAT-IF values' if result.what_if else ''}"
        f" · {text.PERSPECTIVE_TITLES.get(result.perspective, result.perspective)}"
        f" · GBP, {text.price_basis(result.base_year)} · "
        "contains public sector information licensed under the OGL v3.0"
    )
    return header, footer


def write_paper(result: "AppraisalResult", path: str | os.PathLike, inputs: "PaperInputs | None" = None) -> Path:
    """Write ``result``'s board paper to ``path`` (.pdf, .html or .docx); returns the path written.

    Example::

        >>> from ddanalysis.engine import appraise                      # doctest: +SKIP
        >>> write_paper(appraise("walsall-college"), "walsall.pdf")     # doctest: +SKIP
    """
    from .html import render_html
    from .sections import build_document

    target = check_target(path)
    suffix = target.suffix.lower()
    doc = build_document(result, inputs)
    page = render_html(doc)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f"{suffix}.tmp", dir=target.parent)
    except OSError as exc:
        raise DDAnalysisError(f"cannot write {target}: {exc.strerror or exc}") from exc
    os.close(fd)
    try:
        if suffix == ".html":
            Path(tmp).write_text(page, encoding="utf-8")
        else:
            with tempfile.TemporaryDirectory(prefix="ddanalysis-paper-") as work:
                html_path = Path(work) / "paper.html"
                html_path.write_text(page, encoding="utf-8")
                if suffix == ".pdf":
                    from .browser import run

                    header, footer = _header_footer(result)
                    run(html_path, pdf=Path(tmp), header=header, footer=footer)
                else:
                    _write_docx(doc, html_path, Path(tmp), Path(work))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a paper is an ordinary file
        os.replace(tmp, target)
    except OSError as exc:
        raise DDAnalysisError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _write_docx(doc, html_path: Path, out: Path, work: Path) -> None:
    from .browser import chromium_path, run
    from .word import write_docx

    images: dict[str, Path] = {}
    try:
        chromium_path()
    except DDAnalysisError:
        pass  # no Chromium: the Word document keeps the data tables, without chart images
    else:
        run(html_path, png_dir=work)
        images = {p.stem.removesuffix("-plot"): p for p in work.glob("*-plot.png")}
    write_docx(doc, out, images)


def paper_bytes(result: "AppraisalResult", suffix: str = ".pdf", inputs: "PaperInputs | None" = None) -> bytes:
    """The paper as bytes (for a download button): written to a private temporary folder, read back."""
    if suffix.lower() not in SUFFIXES:
        raise DDAnalysisError(f"the paper must be one of {', '.join(SUFFIXES)} (got {suffix!r})")
    with tempfile.TemporaryDirectory(prefix="ddanalysis-paper-") as work:
        return write_paper(result, Path(work) / f"paper{suffix.lower()}", inputs).read_bytes()
