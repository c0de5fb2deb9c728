"""RS loader speed against a bare pandas read of the same sheets, measured in the same run.

    .venv/bin/pytest benchmarks/bench_sources.py -p no:xdist --benchmark-only

* baseline: ``pandas.read_excel(file, sheet_name=<net current expenditure sheet>, header=None,
  engine="calamine")`` for every shared RS workbook (the five .xls of 2010-11 to 2014-15 and the
  two .xlsx of 2015-16 and 2016-17; no reshaping, no validation);
* ``read_rs_many`` of the same files (find the format, sheet, header and return by content,
  reshape to the tidy frame, fill ONS codes, validate with pandera); goal: at most 1.3x the baseline;
* reloading the tidy frame from its cache (file hash + reading the .npz arrays + concatenate +
  validate).

Each runs 15 rounds after a warm-up; the ratios (of the minima and of the medians) go to the
end-of-run report of benchmarks/conftest.py. Skipped when ../shared/data/official is absent.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ddanalysis import config, sources

FILES = (
    sorted(config.OFFICIAL_DIR.glob("Revenue_Outturn_Summary*.xls")) + sorted(config.OFFICIAL_DIR.glob("RS_*.xlsx"))
    if config.OFFICIAL_DIR.is_dir()
    else []
)
GROUP = "rs: every shared RS workbook"
ROUNDS = 15
GOAL = 1.3
BASELINE: dict[str, float] = {}  # 'min' and 'median' of the bare read, seconds

pytestmark = pytest.mark.skipif(
    len(FILES) < 7, reason=f"the seven official RS workbooks are not in {config.OFFICIAL_DIR} (../shared/data/official)"
)


@pytest.fixture(scope="module")
def sheets() -> list[tuple[str, str]]:
    """(file, net current expenditure sheet) pairs, so that the baseline reads exactly those sheets."""
    frame = sources.read_rs_many(FILES)
    return [(r["file"], r["sheet"]) for r in frame.attrs["rs_report"]]


def _bare(sheets: list[tuple[str, str]]) -> list[pd.DataFrame]:
    return [pd.read_excel(f, sheet_name=s, header=None, engine="calamine") for f, s in sheets]


def _report(benchmark, ratio, name: str, goal: float | None) -> None:
    stats = benchmark.stats
    if stats is None or not BASELINE:  # --benchmark-disable, or the baseline did not run
        return
    for stat in ("min", "median"):
        ratio(f"{name} / bare pandas.read_excel ({stat})", stats[stat] / BASELINE[stat], goal)


def test_bare_read_excel(benchmark, sheets):
    benchmark.group = GROUP
    frames = benchmark.pedantic(_bare, args=(sheets,), rounds=ROUNDS, warmup_rounds=1)
    assert len(frames) == len(FILES)
    if benchmark.stats is not None:
        BASELINE.update(min=benchmark.stats["min"], median=benchmark.stats["median"])


def test_read_rs_many(benchmark, sheets, ratio):
    benchmark.group = GROUP
    frame = benchmark.pedantic(sources.read_rs_many, args=(FILES,), rounds=ROUNDS, warmup_rounds=1)
    assert frame["year"].nunique() == len(FILES)
    _report(benchmark, ratio, f"RS read_rs_many of {len(FILES)} workbooks", GOAL)


def test_reload_from_cache(benchmark, sheets, ratio, tmp_path):
    benchmark.group = GROUP
    fresh = sources.read_rs_many(FILES, cache=tmp_path)  # fill the cache
    frame = benchmark.pedantic(
        sources.read_rs_many, args=(FILES,), kwargs={"cache": tmp_path}, rounds=ROUNDS, warmup_rounds=1
    )
    assert frame.equals(fresh)
    _report(benchmark, ratio, f"RS reload of {len(FILES)} workbooks from the cache", None)
