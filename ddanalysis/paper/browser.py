"""Chromium, through Playwright's sync API, in a child process: HTML page -> PDF, and chart images.

Run as ``python -m ddanalysis.paper.browser JOB.json`` by :func:`run`, so the caller may be a
Jupyter kernel or a dashboard with its own event loop, and the browser's memory is released when
the child exits. Debian's Chromium (``/usr/bin/chromium``, or ``DDANALYSIS_CHROMIUM``) is used; no
browser is ever downloaded, and every request that is not a local file is refused.

The PDF is A4, tagged (Chromium's structure tree for headings, tables and alt text) with a document
outline, a running header (the illustrative label on every page where it applies) and a footer with
"Page N of M". The contents list gets its page numbers in a second pass: the first PDF's text is
read with ``pdftotext`` (poppler), when installed, to find the page of each heading.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import DDAnalysisError

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_S = 180
MARGIN = {"top": "20mm", "bottom": "18mm", "left": "16mm", "right": "16mm"}


def chromium_path() -> str:
    """The Chromium to drive: ``DDANALYSIS_CHROMIUM``, else /usr/bin/chromium, else one on the PATH."""
    for candidate in (
        os.environ.get("DDANALYSIS_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise DDAnalysisError(
        "cannot write a PDF: Chromium is not installed (on Debian: 'sudo apt-get install -y "
        "chromium', or 'make system-deps' as root); the .html and .docx outputs do not need it"
    )


def header_template(title: str, label: str) -> str:
    """The running header: the paper's title and, when illustrative, the label (8 pt)."""
    right = (
        f'<span style="font-weight:bold;border:1px solid #000;padding:0 4px">{html.escape(label)}</span>'
        if label
        else ""
    )
    return (
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:8px;color:#000;width:100%;margin:0 16mm;'
        'display:flex;justify-content:space-between;align-items:center">'
        f"<span>{html.escape(title)}</span>{right}</div>"
    )


def footer_template(text: str) -> str:
    """The running footer: a short note and 'Page N of M'."""
    return (
        '<div style="font-family:Arial,Helvetica,sans-serif;font-size:8px;color:#000;width:100%;margin:0 16mm;'
        'display:flex;justify-content:space-between">'
        f'<span>{html.escape(text)}</span><span>Page <span class="pageNumber"></span> of '
        '<span class="totalPages"></span></span></div>'
    )


def _page_texts(pdf: Path) -> list[str] | None:
    exe = shutil.which("pdftotext")
    if not exe:
        return None
    out = subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    return out.stdout.split("\f") if out.returncode == 0 else None


def _heading_pages(pages: list[str], headings: list[str]) -> dict[str, int]:
    """Page (1-based) of each heading, in document order, searched after the contents list."""
    found, start = {}, 1
    for h in headings:
        for i in range(start, len(pages)):
            if any(line.strip() == h for line in pages[i].splitlines()):
                found[h] = i + 1
                start = i
                break
    return found


def _work(job: dict) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=job["chromium"], headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=2)
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(("file:", "data:")) else route.abort(),
            )
            page.goto(Path(job["html"]).resolve().as_uri())
            page.wait_for_function("window.__paperReady === true", timeout=TIMEOUT_S * 1000)
            error = page.evaluate("window.__paperError || null")
            if error:
                raise RuntimeError(f"a chart failed to draw: {error}")
            if job.get("png_dir"):
                out = Path(job["png_dir"])
                for el in page.query_selector_all("figure .plot"):
                    el.screenshot(path=str(out / f"{el.get_attribute('id')}.png"))
            if job.get("pdf"):
                page.emulate_media(media="print")
                opts = dict(
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    tagged=True,
                    outline=True,
                    margin=MARGIN,
                    header_template=job["header"],
                    footer_template=job["footer"],
                )
                page.pdf(path=job["pdf"], **opts)
                pages = _page_texts(Path(job["pdf"]))
                if pages:
                    labels = page.evaluate("Array.from(document.querySelectorAll('nav .pg')).map(e => e.dataset.for)")
                    numbers = _heading_pages(pages, labels)
                    page.evaluate(
                        "(nums) => document.querySelectorAll('nav .pg').forEach(e => {"
                        " if (nums[e.dataset.for]) e.textContent = nums[e.dataset.for]; })",
                        numbers,
                    )
                    page.pdf(path=job["pdf"], **opts)
        finally:
            browser.close()


def run(
    html_path: Path, *, pdf: Path | None = None, png_dir: Path | None = None, header: str = "", footer: str = ""
) -> None:
    """Render ``html_path`` in a child process: to ``pdf`` and/or each chart to ``png_dir/<id>.png``."""
    try:
        import playwright.sync_api  # noqa: F401  (the child needs it; say so here, not in its traceback)
    except ImportError as exc:
        raise DDAnalysisError(
            "cannot write a PDF: the playwright package is not installed (pip install "
            "'playwright>=1.44'; it drives the system's Chromium, no browser download needed)"
        ) from exc
    job = {
        "html": str(html_path),
        "pdf": str(pdf) if pdf else None,
        "png_dir": str(png_dir) if png_dir else None,
        "header": header,
        "footer": footer,
        "chromium": chromium_path(),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(job, fh)
        job_path = fh.name
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ddanalysis.paper.browser", job_path],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S + 60,
        )
    except subprocess.TimeoutExpired as exc:
        raise DDAnalysisError(f"rendering the paper in Chromium took longer than {TIMEOUT_S + 60} s") from exc
    finally:
        os.unlink(job_path)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise DDAnalysisError("rendering the paper in Chromium failed: " + " / ".join(tail))


if __name__ == "__main__":  # the child process
    _work(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
