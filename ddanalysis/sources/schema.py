"""The tidy frame of official figures: its columns, their dtypes and the pandera schema that checks them.

One row per (financial year, authority, measure, column). ``measure`` says what a figure is
(``outturn`` from RS, the RSX parts such as ``outturn_employees``, ``budget`` from RA; see
``ddanalysis.sources.MEASURES``): a query selects one measure before it sums anything.

Text columns are pandas categoricals (sorted categories): an RS year has about 444 authorities x 90
columns, so the same few strings repeat tens of thousands of times and categoricals keep loading,
sorting and caching fast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..codes import AUTHORITY_CLASSES
from ..errors import DataFileError

#: Columns of the tidy frame, in order.
COLUMNS: tuple[str, ...] = (
    "year",  # financial year, '2013-14' (1 April 2013 - 31 March 2014)
    "e_code",  # DCLG E-code of the authority, 'E4606'
    "ons_code",  # ONS (GSS) code, 'E08000030'; missing for bodies without one
    "authority",  # authority name as published that year (names change: match on codes)
    "authority_class",  # L, MD, UA, SC, SD or O (LB, London borough from 2021-22, is L)
    "measure",  # outturn, outturn_employees, ..., budget (ddanalysis.sources.MEASURES)
    "rs_line",  # form line number of the return (RS/RSX/RA: 190 education ...), missing where unknown
    "service",  # stable snake_case key (see ddanalysis.sources.SERVICE_KEYS)
    "label",  # column header as published (whitespace tidied)
    "value_gbp_k",  # GBP thousand, nominal (cash) prices of that year; net income negative
)
CATEGORY_COLUMNS: tuple[str, ...] = (
    "year",
    "e_code",
    "ons_code",
    "authority",
    "authority_class",
    "measure",
    "service",
    "label",
)

_UNIQUE_ERROR = "one row per (year, e_code, measure, service)"
_YEAR = r"^\d{4}-\d{2}$"
_E_CODE = r"^E\d{4}$"
_ONS_CODE = r"^[EWSN]\d{8}$"
_SERVICE = r"^[a-z0-9]+(_[a-z0-9]+)*(__[a-z0-9]+(_[a-z0-9]+)*)?$"


def _category_check(test, name: str, error: str) -> pa.Check:
    """A row-wise check computed once per category (rows repeat a few hundred strings)."""

    def check(series: pd.Series) -> pd.Series:
        ok = np.append(np.asarray(test(series.cat.categories), dtype=bool), True)  # code -1: missing
        return pd.Series(ok[series.cat.codes.to_numpy()], index=series.index)

    return pa.Check(check, name=name, error=error)


def _categories_match(pattern: str) -> pa.Check:
    """Every value matches ``pattern``."""
    return _category_check(lambda cats: cats.str.match(pattern), f"matches({pattern})", f"must match {pattern}")


def _row_keys(frame: pd.DataFrame) -> pd.Series:
    """One int64 per (year, e_code, measure, service), from the categorical codes (fast uniqueness check)."""
    key = pd.Series(0, index=frame.index, dtype="int64")
    for col in ("year", "e_code", "measure", "service"):
        series = frame[col]
        codes = (
            series.cat.codes.to_numpy().astype("int64")
            if isinstance(series.dtype, pd.CategoricalDtype)
            else pd.factorize(series)[0].astype("int64")
        )
        key = key * (int(codes.max(initial=0)) + 2) + (codes + 1)
    return key


def _category(pattern: str | None = None, *, nullable: bool = False) -> pa.Column:
    checks = [_categories_match(pattern)] if pattern else []
    return pa.Column("category", checks=checks, nullable=nullable)


#: pandera schema of the tidy frame (``read_rs``, ``read_rs_many``, ``programme_outturn``).
OUTTURN_SCHEMA = pa.DataFrameSchema(
    {
        "year": _category(_YEAR),
        "e_code": _category(_E_CODE),
        "ons_code": _category(_ONS_CODE, nullable=True),
        "authority": _category(r"^\S"),
        "authority_class": pa.Column(
            "category",
            checks=_category_check(
                lambda cats: cats.isin(sorted(AUTHORITY_CLASSES)),
                "isin_classes",
                f"must be one of {sorted(AUTHORITY_CLASSES)}",
            ),
        ),
        "measure": _category(r"^(outturn|budget)(_[a-z]+)*$"),
        "rs_line": pa.Column("Int64", checks=pa.Check.in_range(1, 9999), nullable=True),
        "service": _category(_SERVICE),
        "label": _category(r"^\S"),
        "value_gbp_k": pa.Column("float64", nullable=True),
    },
    checks=pa.Check(
        lambda df: ~_row_keys(df).duplicated(keep="first"),
        name="unique_year_e_code_measure_service",
        error=_UNIQUE_ERROR,
    ),
    strict=True,
    ordered=True,
    name="official figures: RS/RSX outturn and RA budget (tidy, GBP thousand)",
)


def standardise(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the schema's dtypes: text columns categorical with sorted categories."""
    out = {}
    for col in COLUMNS:
        series = frame[col]
        if col in CATEGORY_COLUMNS:
            if not isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype("category")
            cats = series.cat.categories
            if not cats.is_monotonic_increasing:
                series = series.cat.reorder_categories(sorted(cats))
            series = series.cat.remove_unused_categories()
        elif col == "rs_line":
            series = series.astype("Int64")
        else:
            series = series.astype("float64")
        out[col] = series
    return pd.DataFrame(out, index=frame.index)


def validate(frame: pd.DataFrame, source: object) -> pd.DataFrame:
    """Check ``frame`` against ``OUTTURN_SCHEMA``; a failure is a DataFileError naming ``source``."""
    try:
        return OUTTURN_SCHEMA.validate(frame, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        if cases is None or not len(cases):
            detail = str(exc).splitlines()[0]
        else:
            problems = []
            for check, group in cases.groupby("check", sort=False):
                first = group.iloc[0]
                if str(check) == _UNIQUE_ERROR:
                    problems.append(
                        f"{len(group) // max(group['column'].nunique(), 1)} duplicated "
                        f"(year, e_code, measure, service) rows, e.g. row {first['index']}"
                    )
                else:
                    problems.append(f"{first['column']}: {check} (e.g. {first['failure_case']!r})")
            detail = "; ".join(problems[:8])
        raise DataFileError(f"{source}: the official figures do not pass their schema: {detail}") from exc
