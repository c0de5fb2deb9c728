"""Any base year: an appraisal's prices are real in its base year's terms.

A project's base year is its baseline budget's year (``Baseline.base_year``, default 2014-15 for the
bundled projects). :func:`at_base_year` turns an :class:`~ddanalysis.assumptions.AssumptionBook`
written in the bundled price base (the GDP deflator's own base year, 2014-15) into one for that base
year: the GDP deflator re-based so that the base year is 100, money assumptions (GBP, GBP thousand,
GBP per FTE) carried to the base year's prices by the deflator, and the first appraisal year set to
the year after the base year (Green Book: real prices of one stated year; the first year appraised
is undiscounted). A base year the deflator does not cover is an error naming the year and the
series' range. For the bundled base year the book is returned unchanged (results unchanged).

The bundled deflator ends in 2019-20. A workspace's ``price_index.yaml`` (:mod:`ddanalysis.price_index`)
extends it: after the last bundled year the council's series is chain-linked there,
extended[y] = bundled[last] x council[y] / council[last], bundled years unchanged, so only the council's
year-on-year growth is taken and the release's own base does not matter (:func:`with_workspace_deflator`;
``docs/workspaces.md``, section "A deflator beyond the bundled series").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from . import config, price_index, workspace
from .assumptions import AssumptionBook, base_date, value_at
from .errors import DDAnalysisError
from .yamlio import read_yaml_mapping
from .years import fy_label, fy_of, fy_start_year

#: Where the deflator series lives (named in error messages).
DEFLATOR_FILE = "data/assumptions/appraisal.yaml (gdp_deflator)"


def _check_year(base_year: str) -> None:
    try:
        fy_start_year(base_year)
    except (ValueError, TypeError) as exc:
        raise DDAnalysisError(f"base year {base_year!r}: expected a financial year written like 2014-15") from exc


def covers(deflator: Mapping[str, float], base_year: str) -> None:
    """Raise :class:`DDAnalysisError` naming ``base_year`` and the series' range when the GDP deflator has
    no index for it (or the year is not written like 2014-15)."""
    _check_year(base_year)
    if base_year not in deflator:
        years = sorted(deflator, key=fy_start_year)
        span = f"{years[0]} to {years[-1]}" if years else "no years"
        raise DDAnalysisError(
            f"base year {base_year}: the GDP deflator ({DEFLATOR_FILE}) covers {span}, so prices "
            f"cannot be made real in {base_year} terms; choose a base year in that range or, for a "
            f"later one, give the GDP deflator's later years in the workspace's {price_index.PRICE_INDEX_FILE} "
            f"({price_index.DOCS_SECTION})"
        )


def rebase(deflator: Mapping[str, float], base_year: str) -> pd.Series:
    """The deflator re-based so that ``base_year`` = 100 (index: financial years, in order).

    ``deflator``: financial year -> index (any base). Raises :class:`DDAnalysisError` (see :func:`covers`).
    """
    covers(deflator, base_year)
    series = pd.Series(dict(deflator), dtype=float)
    series = series[sorted(series.index, key=fy_start_year)]
    return series / float(series[base_year]) * 100.0


def carry(value_gbp: float, from_year: str, to_year: str, deflator: Mapping[str, float]) -> float:
    """A real figure in ``from_year`` prices expressed in ``to_year`` prices: value x index(to) / index(from)
    (GBP in, GBP out). Raises :class:`DDAnalysisError` when either year is not covered."""
    covers(deflator, from_year)
    covers(deflator, to_year)
    return float(value_gbp) * float(deflator[to_year]) / float(deflator[from_year])


def first_year_after(base_year: str) -> str:
    """The first appraisal year: the financial year after ``base_year`` ('2021-22' -> '2022-23')."""
    _check_year(base_year)
    return fy_label(fy_start_year(base_year) + 1)


def _money_rows(table: pd.DataFrame) -> pd.Series:
    """Rows of the assumption table whose values are money (a price base other than 'n/a')."""
    return table["price_base"].astype(str) != "n/a"


def fact_as_at(fact: Mapping[str, object], base_year: str) -> Mapping[str, object]:
    """A fact of appraisal.yaml with its dated ``values`` (date -> value) applied as at 1 April of
    ``base_year``: ``value`` becomes the one in force then (latest date on or before it) and ``as_of``
    that date; a fact without dated values, or whose first date is later, is returned unchanged."""
    history = fact.get("values")
    if not isinstance(history, Mapping) or not history:
        return fact
    when = base_date(base_year)
    dated = sorted((d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)), v) for d, v in history.items())
    in_force = [(d, v) for d, v in dated if d <= when]
    if not in_force:
        return fact
    d, v = in_force[-1]
    return {**fact, "value": float(v), "as_of": d.isoformat()}


def _carried(book: AssumptionBook, ratio: float, base_year: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The assumption table and lever catalogue with money values multiplied by ``ratio`` (copies)."""
    table = book.table.copy()
    money = _money_rows(table)
    for col in ("low", "central", "high", "bound_low", "bound_high"):
        if col in table.columns:
            table[col] = table[col].where(~money, table[col].astype(float) * ratio)
    table["price_base"] = table["price_base"].where(~money, base_year)
    levers = book.levers.copy()
    gbp = levers["unit"].astype(str).str.contains("GBP")
    for col in ("default", "bound_low", "bound_high"):
        levers[col] = levers[col].where(~gbp, levers[col].astype(float) * ratio)
    return table, levers


def histories(folder: Path, project_id: str | None) -> dict[tuple[str, str], Mapping[Any, Any]]:
    """(scope, key) -> the dated ``values`` of every assumption that has them, from appraisal.yaml
    (scope 'project'), models/<model>.yaml and the project's projects/<id>.yaml (which overrides)."""
    out: dict[tuple[str, str], Mapping[Any, Any]] = {}

    def take(scope: str, entries: Any) -> None:
        for key, entry in (entries or {}).items() if isinstance(entries, Mapping) else ():
            if isinstance(entry, Mapping) and isinstance(entry.get("values"), Mapping):
                out[(scope, str(key))] = entry["values"]

    take("project", read_yaml_mapping(folder / "appraisal.yaml", "appraisal settings").get("assumptions"))
    for path in sorted((folder / "models").glob("*.yaml")):
        raw = read_yaml_mapping(path, "delivery model")
        take(str(raw.get("id", path.stem)), raw.get("assumptions"))
    override = folder / "projects" / f"{project_id}.yaml"
    if project_id is not None and override.exists():
        raw = read_yaml_mapping(override, "project overrides")
        take("project", raw.get("settings"))
        for model, entries in (raw.get("models") or {}).items():
            take(str(model), entries)
    return out


def dated_values(
    table: pd.DataFrame,
    dated: Mapping[tuple[str, str], Mapping[Any, Any]],
    base_year: str,
    deflator: Mapping[str, float],
) -> pd.DataFrame:
    """The assumption table (a copy) with each dated value in force on 1 April of ``base_year`` (latest
    date on or before it; :func:`ddanalysis.assumptions.value_at`): a dated low / central / high
    replaces all three, a dated number the central only (low and high stay as the row has them, already
    in the base year's prices); ``as_of`` becomes that date. Money in a dated history is in the prices of its own
    financial year, carried to ``base_year``'s by the deflator. Raises :class:`DDAnalysisError` when
    the deflator does not cover that year."""
    out = table.copy()
    when = base_date(base_year)
    for (scope, key), values in dated.items():
        if (scope, key) not in out.index:
            continue
        row = out.loc[(scope, key)]
        in_force = value_at({"low": row["low"], "central": row["central"], "high": row["high"], "values": values}, when)
        if in_force is None:
            continue
        by_date = {d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)): v for d, v in values.items()}
        since = max(d for d in by_date if d <= when)
        ratio = carry(1.0, fy_of(since), base_year, deflator) if str(row["price_base"]) != "n/a" else 1.0
        in_force_value = by_date[since]
        dated_cols = ("low", "central", "high") if isinstance(in_force_value, Mapping) else ("central",)
        for col in dated_cols:  # a plain dated number is a central: low and high stay as the row has them
            out.loc[(scope, key), col] = in_force[col] * ratio
        out.loc[(scope, key), "as_of"] = since.isoformat()
    return out


def at_base_year(book: AssumptionBook, base_year: str, folder: Path | None = None) -> AssumptionBook:
    """The book with prices real in ``base_year`` terms (see the module's docstring) and the dated values
    of the assumptions and facts as at its 1 April (histories read from ``folder``, default
    ``data/assumptions``); the input is not modified. Raises :class:`DDAnalysisError` when the deflator
    does not cover ``base_year`` or the year of a dated money value in force."""
    settings = book.settings
    covers(settings.gdp_deflator.to_dict(), base_year)
    if base_year == settings.base_year:
        return book
    ratio = float(settings.gdp_deflator[base_year]) / float(settings.gdp_deflator[settings.base_year])
    table, levers = _carried(book, ratio, base_year)
    table = dated_values(
        table,
        histories(folder or config.data_path("assumptions"), book.project_id),
        base_year,
        settings.gdp_deflator.to_dict(),
    )
    facts = {k: fact_as_at(v, base_year) if isinstance(v, Mapping) else v for k, v in settings.facts.items()}
    new_settings = dataclasses.replace(
        settings,
        base_year=base_year,
        first_year=first_year_after(base_year),
        gdp_deflator=rebase(settings.gdp_deflator.to_dict(), base_year),
        facts=facts,
    )
    return dataclasses.replace(book, settings=new_settings, table=table, levers=levers)


def project_book(project_id: str) -> AssumptionBook:
    """The project's assumption book with prices real in its baseline's base year (default 2014-15).
    Raises :class:`DDAnalysisError` when the GDP deflator does not cover that year, and what
    :func:`ddanalysis.assumptions.load_book` and :func:`ddanalysis.baseline.project_baseline` raise."""
    from .assumptions import load_book
    from .baseline import project_baseline

    book = with_workspace_deflator(load_book(project_id), workspace.folder(project_id))
    return at_base_year(book, project_baseline(project_id).base_year)


def with_workspace_deflator(book: AssumptionBook, where: Path) -> AssumptionBook:
    """The book with its GDP deflator (financial year -> index, bundled base) extended by the workspace's
    ``price_index.yaml`` when there is one (chain-linked at the last bundled year: see the module's docstring);
    the book itself when there is none. The input is not modified. Raises
    :class:`~ddanalysis.errors.DataFileError` naming the file and key when the file is unfilled or implausible
    (:func:`ddanalysis.price_index.read_price_index`)."""
    bundled = {str(k): float(v) for k, v in book.settings.gdp_deflator.items()}
    parsed = price_index.read_price_index(where, bundled)
    if parsed is None:
        return book
    series = pd.Series(price_index.extended(bundled, parsed.index), dtype=float)
    return dataclasses.replace(book, settings=dataclasses.replace(book.settings, gdp_deflator=series))
