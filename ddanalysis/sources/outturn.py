"""The public loaders: official RS, RSX and RA files, and the bundled extract for the programme's councils.

Every loader returns the tidy frame of ``ddanalysis.sources.schema`` (validated with pandera):
``year, e_code, ons_code, authority, authority_class, measure, rs_line, service, label,
value_gbp_k``, values in GBP thousand (cash prices of each year), sorted by year and E-code and,
within an authority, in the published column order. ``measure`` says what each figure is
(``MEASURES``): ``read_rs`` reads RS outturn only and refuses an RSX or RA file by name;
``read_official`` reads any of the three, and ``measure=`` keeps one measure.

``frame.attrs['rs_report']`` lists, per workbook, what was read: the sheet, header row, number of
authorities and columns, ``missing_values`` (cells with a missing marker or empty, now NaN) and
``missing_by_marker``, the rows left out (ENGLAND, CLASS BREAKDOWN, notes) and the columns
dropped (text such as 'Yes' confirmations, counts of people). ``frame.attrs['missing_values']``
is the total.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config, registry
from ..errors import DataFileError, DDAnalysisError
from .cache import cached_frame, default_cache_dir
from .reader import FORMATS_READ
from .rs import MEASURES, RETURNS, parse_rs
from .schema import CATEGORY_COLUMNS, COLUMNS, standardise, validate

#: The bundled extract for the 11 programme councils (built by ``python -m ddanalysis.sources.build``).
PROGRAMME_CSV = "official/rs_programme_councils.csv"
#: The bundled E-code -> ONS code lookup learnt from the RS files that publish ONS codes.
CODE_LOOKUP_CSV = "official/rs_code_lookup.csv"

CacheOption = bool | str | Path


def _cache_dir(cache: CacheOption) -> Path | None:
    if cache is False or cache is None:
        return None
    return default_cache_dir() if cache is True else Path(cache)


def _load(path: Path, cache: CacheOption) -> pd.DataFrame:
    """The parsed workbook (schema dtypes, not yet validated), from the cache when asked."""
    folder = _cache_dir(cache)
    if folder is None:
        return parse_rs(path)
    if not path.is_file():
        raise DataFileError(f"{path}: file not found (expected a DCLG RS, RSX or RA 'data by LA' file: {FORMATS_READ})")
    return cached_frame(path, parse_rs, folder)


@lru_cache(maxsize=4)
def _bundled_lookup(path: Path) -> tuple[tuple[str, str], ...]:
    if not path.is_file():
        return ()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if list(table.columns[:2]) != ["e_code", "ons_code"]:
        raise DataFileError(f"{path}: expected columns e_code, ons_code first; found {list(table.columns)}")
    return tuple((e, o) for e, o in zip(table.e_code, table.ons_code) if o)


def code_lookup() -> dict[str, str]:
    """E-code -> ONS code for filling years without ONS codes: the bundled lookup, then the registry."""
    mapping = dict(_bundled_lookup(Path(config.data_path(*CODE_LOOKUP_CSV.split("/")))))
    for rec in registry.councils().itertuples(index=False):
        mapping.setdefault(rec.e_code, rec.ons_code)
    return mapping


def learnt_codes(frame: pd.DataFrame) -> dict[str, str]:
    """E-code -> ONS code pairs published in ``frame``; the earliest year wins where codes changed."""
    ons = frame["ons_code"].cat.codes.to_numpy()
    has = ons >= 0
    if not has.any():
        return {}
    codes = (
        pd.DataFrame(
            {
                "year": frame["year"].cat.codes.to_numpy()[has],  # categories sorted: '2014-15' < '2015-16'
                "e_code": frame["e_code"].cat.codes.to_numpy()[has],
                "ons_code": ons[has],
            }
        )
        .drop_duplicates()
        .sort_values("year", kind="stable")
        .drop_duplicates("e_code")
    )
    e_cats = frame["e_code"].cat.categories
    o_cats = frame["ons_code"].cat.categories
    return dict(zip(e_cats[codes["e_code"].to_numpy()], o_cats[codes["ons_code"].to_numpy()]))


def _fill_ons(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    """Fill missing ONS codes from ``mapping`` by E-code (never overwriting a published code)."""
    ons = frame["ons_code"]
    need = ons.isna().to_numpy()
    if not need.any() or not mapping:
        return frame
    ecats = frame["e_code"].cat.categories
    mapped = pd.Index(ecats).map(lambda c: mapping.get(c))
    cats = pd.Index(sorted(set(ons.cat.categories) | {v for v in mapped if isinstance(v, str)}), dtype=object)
    old = ons.cat.codes.to_numpy()
    old_to_new = np.append(cats.get_indexer(ons.cat.categories), -1)  # code -1 (missing) stays -1
    fill = cats.get_indexer(pd.Index(mapped, dtype=object))  # -1 where unmapped
    codes = np.where(need, fill[frame["e_code"].cat.codes.to_numpy()], old_to_new[old])
    out = frame.copy(deep=False)
    out["ons_code"] = pd.Categorical.from_codes(codes, categories=cats)
    return out


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Sort by year then E-code; within an authority keep the published column order."""
    year = frame["year"].cat.codes.to_numpy().astype(np.int64)
    ecode = frame["e_code"].cat.codes.to_numpy().astype(np.int64)
    key = year * (len(frame["e_code"].cat.categories) + 1) + ecode
    if len(key) < 2 or (np.diff(key) >= 0).all():  # already in order (files given oldest first)
        out = frame.copy(deep=False)
        out.index = pd.RangeIndex(len(out))
        return out
    out = frame.take(np.argsort(key, kind="stable"))
    out.index = pd.RangeIndex(len(out))
    return out


def _union(parts: list[pd.Series]) -> pd.Categorical:
    """Concatenate categoricals onto their sorted union of categories (recoding the small codes)."""
    cats = pd.Index(sorted(set().union(*(p.cat.categories for p in parts))), dtype=object)
    codes = []
    for part in parts:
        recode = np.append(cats.get_indexer(part.cat.categories), -1)  # code -1 (missing) stays -1
        codes.append(recode[part.cat.codes.to_numpy()])
    return pd.Categorical.from_codes(np.concatenate(codes), categories=cats, validate=False)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if len(frames) == 1:
        return frames[0].copy()
    data = {}
    for col in COLUMNS:
        parts = [f[col] for f in frames]
        if col in CATEGORY_COLUMNS:
            data[col] = _union(parts)
        elif col == "rs_line":
            data[col] = pd.arrays.IntegerArray(
                np.concatenate([p.to_numpy(dtype="int64", na_value=0) for p in parts]),
                np.concatenate([p.isna().to_numpy() for p in parts]),
            )
        else:
            data[col] = np.concatenate([p.to_numpy(dtype="float64") for p in parts])
    return pd.DataFrame(data)


def _finish(paths: list[Path], frames: list[pd.DataFrame], mapping: dict[str, str]) -> pd.DataFrame:
    """Concatenate, fill ONS codes, sort, and validate once (naming the file at fault if any)."""
    reports = [r for f in frames for r in f.attrs.get("rs_report", [])]
    for part in frames:  # fresh objects from the parser or the cache: keep pandas from deep-copying attrs
        part.attrs = {}
    # ONS codes are filled only for files without an ONS column (before 2014-15): a published 'n/a'
    # (police, fire and other bodies in 2014-15) or an E-code in that column stays missing
    filled = [part if report.get("has_ons_code") else _fill_ons(part, mapping) for part, report in zip(frames, reports)]
    frame = _sorted(_concat(filled))
    try:
        frame = validate(frame, paths[0] if len(paths) == 1 else [str(p) for p in paths])
    except DataFileError:
        for path, part in zip(paths, frames):  # find the file at fault for a precise message
            validate(part, path)
        raise
    finally:
        for part, report in zip(frames, reports):
            part.attrs = {"rs_report": [report]}
    frame.attrs = {"rs_report": reports, "missing_values": sum(r["missing_values"] for r in reports)}
    return frame


def _only_rs(paths: list[Path], frames: list[pd.DataFrame]) -> None:
    """``read_rs`` reads Revenue Outturn Summaries: an RSX or RA file is refused, saying what it is."""
    for path, frame in zip(paths, frames):
        kind = frame.attrs["rs_report"][0].get("return", "RS")
        if kind != "RS":
            raise DataFileError(
                f"{path}: this is not a Revenue Outturn Summary (RS) but a {RETURNS[kind]}; its figures are "
                f"measure(s) {', '.join(frame.attrs['rs_report'][0]['measures'])}. Read it with "
                "ddanalysis.sources.read_official(...) (or `ddanalysis outturn FILE --measure ...`), which "
                "labels every figure with its measure"
            )


def _keep_measure(frame: pd.DataFrame, measure: str | None, where: str) -> pd.DataFrame:
    if measure is None:
        return frame
    if measure not in MEASURES:
        raise DDAnalysisError(f"unknown measure {measure!r}; valid measures: {', '.join(MEASURES)}")
    present = [str(m) for m in frame["measure"].cat.categories]
    if not present:
        raise DataFileError(f"{where}: holds no figures (a header and no rows); expected one row per figure")
    if measure not in present:
        raise DataFileError(
            f"{where}: no {measure!r} figures ({MEASURES[measure]}); the file(s) hold measure(s) "
            f"{', '.join(present)}; figures of one measure are never passed off as another: ask for one of them "
            f"(command line: --measure {present[0]}; library: measure={present[0]!r})"
        )
    attrs = frame.attrs
    out = frame.loc[(frame["measure"] == measure).to_numpy()].reset_index(drop=True)
    for col in CATEGORY_COLUMNS:
        out[col] = out[col].cat.remove_unused_categories()
    out.attrs = attrs | {"measure": measure}
    return out


def read_rs(path: str | Path, *, cache: CacheOption = False) -> pd.DataFrame:
    """Read one DCLG Revenue Outturn Summary (RS) 'data by LA' file, any year from 2010-11: .xls
    2010-11 to 2014-15, .xlsx 2015-16 to 2020-21, .ods (or .csv) in the accessible layout from 2021-22.

    Returns the tidy frame (one row per authority and column of the net current expenditure
    sheet; measure ``outturn``; GBP thousand). ONS codes missing from the file (years before
    2014-15) are filled from the bundled E-code lookup and the council registry; codes that cannot
    be mapped stay missing. ``cache=True`` (or a folder) reuses a parse of the same file content
    (see ``sources.cache``). Raises ``DataFileError`` naming the file when it is not an RS file
    (an RSX or RA file is named as such: read those with ``read_official``) or cannot be read.
    """
    path = Path(path)
    frame = _load(path, cache)
    _only_rs([path], [frame])
    return _finish([path], [frame], {**code_lookup(), **learnt_codes(frame)})


def read_rs_many(paths: Iterable[str | Path], *, cache: CacheOption = False) -> pd.DataFrame:
    """Read several RS files into one tidy frame, sorted by year and E-code (RSX and RA refused).

    ONS codes are filled across years from the files that publish them (earliest such year
    first), then the bundled lookup and the registry. The same (year, E-code, measure, service)
    in two files is an error naming both files (e.g. a year's first release and its revision).
    """
    return _read_many(paths, cache=cache, only_rs=True)


def read_official(
    paths: str | Path | Iterable[str | Path], *, measure: str | None = None, cache: CacheOption = False
) -> pd.DataFrame:
    """Read official RS, RSX and RA 'data by LA' files (one path or several) into one tidy frame.

    Each figure carries its ``measure`` (``MEASURES``): RS gives ``outturn``; RSX gives
    ``outturn_employees``, ``outturn_running_expenses``, ``outturn_total_expenditure``,
    ``outturn_sales_fees_charges``, ``outturn_other_income``, ``outturn_income`` and ``outturn``
    (net current expenditure, C7); RA gives ``budget``. ``measure='budget'`` (say) keeps that
    measure only, and is an error naming the measures present when the files hold none of it.

    >>> frame = read_official(["RS_2016-17_data_by_LA.xlsx", "RA_2023-24_data_Part_1.csv"])  # doctest: +SKIP
    >>> sorted(frame["measure"].unique())  # doctest: +SKIP
    ['budget', 'outturn']
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    frame = _read_many(paths, cache=cache, only_rs=False)
    where = ", ".join(r["file"] for r in frame.attrs["rs_report"])
    return _keep_measure(frame, measure, where)


def _read_many(paths: Iterable[str | Path], *, cache: CacheOption, only_rs: bool) -> pd.DataFrame:
    files: list[Path] = [Path(p) for p in paths]
    if not files:
        raise DDAnalysisError(f"no files given (expected DCLG RS, RSX or RA 'data by LA' files: {FORMATS_READ})")
    frames = [_load(p, cache) for p in files]
    if only_rs:
        _only_rs(files, frames)
    frames = _rs_over_rsx(files, frames)
    _check_overlap(files, frames)
    mapping = code_lookup()
    learnt: dict[str, str] = {}
    for frame in sorted(frames, key=lambda f: str(f["year"].iloc[0]) if len(f) else ""):
        for e_code, ons in learnt_codes(frame).items():
            learnt.setdefault(e_code, ons)
    mapping.update(learnt)
    return _finish(files, frames, mapping)


def _rs_over_rsx(paths: list[Path], frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """An RS and an RSX file of the same year both give each block's net current expenditure
    (measure ``outturn``; RSX column C7): the RS figure is kept and the RSX one left out, counted in
    the RSX file's report (``outturn_left_to_rs``: the RS file, rows left out, rows whose values
    differ by more than GBP 0.5 thousand). Both files' other figures are kept."""
    kinds = [f.attrs["rs_report"][0].get("return", "RS") for f in frames]
    years = [f.attrs["rs_report"][0]["year"] for f in frames]
    out = list(frames)
    for i, kind in enumerate(kinds):
        if kind != "RSX":
            continue
        for j, other in enumerate(kinds):
            if other != "RS" or years[j] != years[i]:
                continue
            rsx, rs = out[i], frames[j]
            key = ["e_code", "service"]
            left = rsx.loc[(rsx["measure"] == "outturn").to_numpy(), key + ["value_gbp_k"]].astype(
                {"e_code": str, "service": str}
            )
            right = rs.loc[:, key + ["value_gbp_k"]].astype({"e_code": str, "service": str})
            both = left.reset_index().merge(right, on=key, suffixes=("", "_rs"))
            if not len(both):
                continue
            differ = int(((both["value_gbp_k"] - both["value_gbp_k_rs"]).abs() > 0.5).sum())
            attrs = rsx.attrs
            kept = rsx.drop(index=both["index"].to_numpy()).reset_index(drop=True)
            report = dict(attrs["rs_report"][0])
            report["outturn_left_to_rs"] = {"file": str(paths[j]), "rows": int(len(both)), "differing": differ}
            kept.attrs = {"rs_report": [report]}
            out[i] = kept
    return out


def _check_overlap(paths: list[Path], frames: list[pd.DataFrame]) -> None:
    """The same (year, E-code, measure, service) in two files is an error naming both files."""
    by_year: dict[str, list[int]] = {}
    for i, frame in enumerate(frames):
        for year in frame["year"].cat.categories:
            by_year.setdefault(str(year), []).append(i)
    for year, idx in by_year.items():
        for a_pos, a in enumerate(idx):
            for b in idx[a_pos + 1 :]:
                on = ["year", "e_code", "measure", "service"]
                keys = [frames[i][on].astype(str) for i in (a, b)]
                common = keys[0][keys[0]["year"] == year].merge(keys[1], on=on)
                if len(common):
                    first = common.iloc[0]
                    raise DataFileError(
                        f"{paths[a]} and {paths[b]} both hold {year} figures (e.g. {first.e_code} "
                        f"{first.service} {first.measure}; {len(common)} duplicated year, E-code, measure and "
                        "service rows); "
                        "load one of them"
                    )


def programme_outturn(path: str | Path | None = None, measure: str | None = "outturn") -> pd.DataFrame:
    """The bundled extract for the programme's 11 councils, every year and service (GBP thousand).

    Reads ``data/official/rs_programme_councils.csv`` (or ``path``): fast, no workbooks needed.
    By default only ``measure='outturn'`` (net current expenditure from RS, and from RSX where no
    RS file of that year was read); ``measure=None`` returns every measure (RSX parts, RA budget),
    to be selected before anything is summed. Rebuild it from the official files with ``make data``.
    """
    csv = Path(path) if path is not None else Path(config.data_path(*PROGRAMME_CSV.split("/")))
    if not csv.is_file():
        raise DataFileError(f"{csv}: programme outturn extract not found; rebuild it with 'make data'")
    dtypes = {c: "category" for c in CATEGORY_COLUMNS} | {"rs_line": "Int64", "value_gbp_k": "float64"}
    try:
        frame = pd.read_csv(
            csv,
            dtype=dtypes,
            keep_default_na=False,
            na_values={"ons_code": [""], "rs_line": [""], "value_gbp_k": [""]},
            encoding="utf-8",
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{csv}: not a readable outturn extract ({exc})") from exc
    if list(frame.columns) != list(COLUMNS):
        raise DataFileError(f"{csv}: columns {list(frame.columns)}; expected {list(COLUMNS)}")
    frame = validate(standardise(frame), csv)
    frame.attrs = {"source": str(csv)}
    frame = _sorted(frame)
    if measure is None:
        return frame
    return _keep_measure(frame, measure, str(csv))
