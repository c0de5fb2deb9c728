"""Board workbook speed against writing the same cells unformatted with openpyxl, in the same run.

    .venv/bin/pytest benchmarks/bench_excel.py -p no:xdist --benchmark-only

* candidate: ``export_programme`` of all ten projects (build every sheet with named styles, merged
  cells, row heights, print set-up and native charts, then save atomically), and ``export_project_bytes``
  of one project (the dashboard's download button);
* baseline: a bare openpyxl workbook with the same sheets and the same cell values and formulas,
  no styles, widths, merges, charts or print set-up, saved to the same folder.

The appraisals are computed once, outside the timings. The baseline runs just before every timed
round (so both see the same machine load); the ratios of the minima go to the end-of-run report of
benchmarks/conftest.py.
"""

from __future__ import annotations

import io
import time

from openpyxl import Workbook

from ddanalysis.engine import appraise
from ddanalysis.excel import export_programme, export_project_bytes, programme_workbook, project_workbook
from ddanalysis.programme import programme_results, programme_summary

DRAWS = 500


def _interleaved(benchmark, candidate, baseline, rounds: int) -> tuple[object, float]:
    """Benchmark ``candidate``; time ``baseline`` just before each round (in pedantic's untimed setup).

    Interleaving keeps both measurements under the same machine load; the ratio is of the minima.
    """
    times: list[float] = []

    def setup() -> None:
        t = time.perf_counter()
        baseline()
        times.append(time.perf_counter() - t)

    out = benchmark.pedantic(candidate, setup=setup, rounds=rounds, iterations=1, warmup_rounds=1)
    return out, min(times)


def _cells(wb) -> list[tuple[str, list[tuple[int, int, object]]]]:
    """Every sheet's non-empty cells (row, column, value or formula text) of a built workbook."""
    return [
        (ws.title, [(c.row, c.column, c.value) for row in ws.iter_rows() for c in row if c.value is not None])
        for ws in wb
    ]


def _write_plain(cells, target) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, values in cells:
        ws = wb.create_sheet(title)
        for r, c, v in values:
            ws.cell(row=r, column=c, value=v)
    wb.save(target)


def test_programme_workbook_vs_the_same_cells_unformatted(benchmark, ratio, tmp_path):
    results = programme_results(draws=DRAWS)
    summary = programme_summary(draws=DRAWS)
    cells = _cells(programme_workbook(results, summary))
    n = sum(len(v) for _, v in cells)
    out, baseline = _interleaved(
        benchmark,
        lambda: export_programme(results, tmp_path / "programme.xlsx", summary),
        lambda: _write_plain(cells, tmp_path / "plain.xlsx"),
        rounds=5,
    )
    assert out.stat().st_size > 100_000 and n > 40_000
    benchmark.extra_info.update({"cells": n, "sheets": len(cells), "baseline_s": baseline})
    ratio(
        f"programme workbook ({len(cells)} sheets, {n:,} cells; formatted, charts, atomic) / same cells unformatted",
        benchmark.stats["min"] / baseline,
    )


def test_project_workbook_bytes_vs_the_same_cells_unformatted(benchmark, ratio):
    result = appraise("walsall-college", draws=DRAWS)
    cells = _cells(project_workbook(result))
    data, baseline = _interleaved(
        benchmark, lambda: export_project_bytes(result), lambda: _write_plain(cells, io.BytesIO()), rounds=7
    )
    assert data[:2] == b"PK"
    ratio(
        "one project's workbook as bytes (download button) / same cells unformatted", benchmark.stats["min"] / baseline
    )
