"""Write a workbook to disk whole or not at all, or to bytes for a download button.

The workbook is saved to a temporary file in the destination folder and renamed over the target
(``atomic.atomic_path``), so a failure part-way never leaves a half-written workbook, and an existing file is
only replaced by a complete one. An unwritable destination is a :class:`~ddanalysis.errors.DDAnalysisError`
that says why.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Mapping, Sequence, TypeVar
from zipfile import ZIP_DEFLATED, ZipFile

import pandas as pd
from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

from ..atomic import atomic_path, check_output_path
from ..errors import DDAnalysisError
from ..result import AppraisalResult
from .workbook import programme_workbook, project_workbook

SUFFIX = ".xlsx"
T = TypeVar("T")
#: zlib level of the workbook's zip parts. Level 1 compresses the programme workbook's 7.3 MB of XML in
#: 0.034 s against 0.080 s at zlib's default (6), for a file of 1.24 MB against 1.05 MB (measured).
ZIP_LEVEL = 1


def check_target(path: str | os.PathLike) -> Path:
    """The destination as a Path, checked before any work is done (DDAnalysisError saying why not)."""
    return check_output_path(
        path,
        noun="the workbook",
        suffixes=(SUFFIX,),
        suffix_rule="an Excel workbook must end in .xlsx",
        endings=".xlsx",
    )


def save_workbook(wb: Workbook, path: str | os.PathLike) -> Path:
    """Save ``wb`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    target = check_target(path)
    try:
        with atomic_path(target) as tmp:
            write_xlsx(wb, tmp)
    except OSError as exc:
        raise DDAnalysisError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


class SheetsInMemoryWriter(ExcelWriter):
    """openpyxl's :class:`~openpyxl.writer.excel.ExcelWriter`, except that each worksheet's XML is put together
    in memory and written into the zip from there. openpyxl writes it to a temporary file, reads it back and
    deletes it, once per sheet; on a disk that discards freed blocks, deleting the programme workbook's 93
    sheet files took 0.2-0.36 s of a 1.4 s export (measured). The steps are openpyxl's own, in its order
    (openpyxl 3.1: the drawing with the sheet's charts and images, the sheet's XML, its relationships, the
    manifest entry); a write-only workbook keeps openpyxl's path."""

    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        xml = io.BytesIO()
        writer = WorksheetWriter(ws, out=xml)
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], xml.getvalue())
        self.manifest.append(ws)


def write_xlsx(wb: Workbook, target: str | os.PathLike | IO[bytes]) -> None:
    """Write ``wb`` as .xlsx to ``target`` (a path or a binary file object), as ``Workbook.save`` does
    (the modified time now, in UTC) but with the sheets' XML made in memory (:class:`SheetsInMemoryWriter`)
    and the zip parts compressed at :data:`ZIP_LEVEL`."""
    wb.properties.modified = dt.datetime.now(tz=dt.timezone.utc).replace(tzinfo=None)
    with ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL) as archive:
        SheetsInMemoryWriter(wb, archive).save()


def release_cells(wb: Workbook) -> None:
    """Drop every cell of a saved workbook that is not wanted any more, so that they are freed at once.

    Each openpyxl cell refers to its sheet and the sheet to its cells, so a dropped workbook is a cycle
    that only the garbage collector can free: walking the 10^5 cells of the programme workbook for that
    took 0.2 s. Emptying each sheet's cell store first lets reference counting free the cells as they go.
    The workbook must not be used afterwards.
    """
    for ws in wb.worksheets:
        cells = getattr(ws, "_cells", None)  # openpyxl's store of a sheet's cells: (row, column) -> cell
        if isinstance(cells, dict):
            cells.clear()


def _write_then_release(wb: Workbook, write: Callable[[Workbook], T]) -> T:
    """``write(wb)``, then :func:`release_cells` (also on failure). The caller keeps no name for the workbook,
    so it is garbage as soon as this returns: :func:`collector_paused` frees it on the way out."""
    try:
        return write(wb)
    finally:
        release_cells(wb)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a workbook is built and saved, then free what it left.

    A workbook is some 10^5 new objects that all live until it is saved, so the collector's automatic full
    collections in the meantime free nothing and each walks every object in the process (the appraisal
    results included): three of them took 0.36-0.41 s of the programme export's 1.2-1.7 s. On the way out
    the collector is switched back on (if it was) and the youngest generation, which holds everything made
    in between, is collected at once, so the workbook's garbage is freed here, not in whatever runs next.
    Process-wide state, changed only for the duration and put back as it was.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:  # a caller who switched the collector off keeps it off, and collects when it chooses
            gc.enable()
            gc.collect(0)


def export_project(
    result: AppraisalResult,
    path: str | os.PathLike,
    produced: dt.date | None = None,
    checks_said: Sequence[str] | None = None,
) -> Path:
    """Write one project's board workbook to ``path`` (.xlsx); return the path written. ``checks_said``: the
    cross-checks' sentences when the caller already holds them (see :func:`project_workbook`)."""
    target = check_target(path)
    with collector_paused():
        return _write_then_release(
            project_workbook(result, produced, checks_said), lambda wb: save_workbook(wb, target)
        )


def export_programme(
    results: Mapping[str, AppraisalResult],
    path: str | os.PathLike,
    summary: pd.DataFrame | None = None,
    produced: dt.date | None = None,
) -> Path:
    """Write the programme workbook (summary sheet, then every project's sheets) to ``path``; return it.

    ``results``: project id -> AppraisalResult (e.g. ``ddanalysis.programme.programme_results()``);
    ``summary``: optionally ``programme_summary()``'s frame, for the descriptive columns and row order.
    """
    target = check_target(path)
    with collector_paused():
        return _write_then_release(programme_workbook(results, summary, produced), lambda wb: save_workbook(wb, target))


def export_services(project: Any, path: str | os.PathLike, produced: dt.date | None = None) -> Path:
    """Write the workbook of a project whose services have their own baselines
    (:func:`ddanalysis.excel.workbook.services_workbook`) to ``path``; return the path written."""
    from .workbook import services_workbook

    target = check_target(path)
    with collector_paused():
        return _write_then_release(services_workbook(project, produced), lambda wb: save_workbook(wb, target))


def export_project_bytes(
    result: AppraisalResult, produced: dt.date | None = None, checks_said: Sequence[str] | None = None
) -> bytes:
    """One project's board workbook as .xlsx bytes (for a dashboard's download button, which passes the
    cross-checks' sentences the page already holds as ``checks_said``)."""
    buffer = io.BytesIO()
    with collector_paused():
        _write_then_release(project_workbook(result, produced, checks_said), lambda wb: write_xlsx(wb, buffer))
    return buffer.getvalue()
