"""The financial case in cash: each option's net saving by financial year and council in nominal
pounds, set against the council's savings target, and the affordability gap each year.

The economic case is in real base-year prices. The financial case (Green Book, the five-case model's
financial case: affordability in the budgets the council will actually set) turns each year's real
saving into cash with pay and price inflation from ``data/assumptions/inflation.yaml``:

- pay lines (:data:`PAY_COMPONENTS`: staff, pension rate, volunteer time) are inflated by the pay
  index ``prod(1 + pay_s)`` over the years from the base year to that year, divided by
  ``(1 + real_pay_growth) ** n`` (``n`` years after the base year), because the real figures already
  carry the real pay growth the economic case assumes (pay awards less the GDP deflator): the division
  keeps it from being counted twice;
- every other line, and the savings target, by the price index ``prod(1 + price_s)``.

The savings target is the appraisal's (``targets.steady_state_saving_share`` of the baseline net
budget, real), each council's part being its share of the net budget, expressed in each year's cash.
The gap is the target less the net cash saving: positive where the option falls short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import config
from .errors import DataFileError
from .partners import Apportionment, by_council, component_savings
from .problems import Problems
from .yamlio import read_yaml_mapping

#: Components inflated by pay (the real figures grow with ``project.real_pay_growth`` in them).
PAY_COMPONENTS = ("staff", "pension_rate", "volunteer_time")
_QUALITIES = ("green", "amber", "red")


@dataclass(frozen=True)
class Inflation:
    """Pay and price inflation by financial year (shares per year), with the rate for years not listed
    (``*_long_run``) and where each came from (``sources``: 'pay 2016-17' -> source id)."""

    pay: Mapping[str, float]
    price: Mapping[str, float]
    pay_long_run: float
    price_long_run: float
    sources: Mapping[str, str]

    def rates(self, kind: str, years: Sequence[str]) -> np.ndarray:
        """The ``kind`` ('pay' or 'price') rate of each financial year in ``years``."""
        table, after = (self.pay, self.pay_long_run) if kind == "pay" else (self.price, self.price_long_run)
        return np.array([float(table.get(y, after)) for y in years])


def _rate(problems: Problems, where: str, entry: object) -> tuple[float, str]:
    """One rate entry ``{value, source, quality, ...}``: (value, source); problems recorded."""
    if not isinstance(entry, Mapping):
        problems.add(where, "expected a mapping with value, source and quality")
        return 0.0, ""
    value = entry.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -0.5 < float(value) < 1.0:
        problems.add(f"{where}.value", f"{value!r}; expected a yearly rate as a share (0.02 = 2%)")
        value = 0.0
    if not entry.get("source"):
        problems.add(f"{where}.source", "missing; expected a source id from sources.yaml")
    if entry.get("quality") not in _QUALITIES:
        problems.add(f"{where}.quality", f"{entry.get('quality')!r}; expected one of {', '.join(_QUALITIES)}")
    return float(value), str(entry.get("source", ""))


def load_inflation(path: Path | str | None = None) -> Inflation:
    """Read ``inflation.yaml`` (default ``data/assumptions/inflation.yaml``). Raises
    :class:`DataFileError` listing every fault with its key (a missing series, a rate that is not a
    share, a missing source or quality, a year not written like 2014-15)."""
    path = Path(path) if path is not None else config.data_path("assumptions", "inflation.yaml")
    raw = read_yaml_mapping(path, "inflation file")
    problems = Problems(path)
    series: dict[str, dict[str, float]] = {}
    long_run: dict[str, float] = {}
    sources: dict[str, str] = {}
    for kind in ("pay", "price"):
        block = raw.get(kind)
        if not isinstance(block, Mapping):
            problems.add(kind, "missing; expected a mapping with by_year and long_run")
            block = {}
        series[kind] = {}
        for year, entry in (block.get("by_year") or {}).items():
            if not (isinstance(year, str) and len(year) == 7 and year[4] == "-" and year[:4].isdigit()):
                problems.add(f"{kind}.by_year.{year}", "expected a financial year written like 2014-15")
            series[kind][str(year)], sources[f"{kind} {year}"] = _rate(problems, f"{kind}.by_year.{year}", entry)
        long_run[kind], sources[f"{kind} long run"] = _rate(problems, f"{kind}.long_run", block.get("long_run"))
    problems.raise_if_any()
    return Inflation(series["pay"], series["price"], long_run["pay"], long_run["price"], sources)


def indices(inflation: Inflation, years: Sequence[str], real_pay_growth: float) -> tuple[np.ndarray, np.ndarray]:
    """(pay index, price index) for each appraisal year: cash pounds per real base-year pound.

    ``years``: the appraisal's financial years, the first being the year after the base year. The price
    index of year ``t`` (0-based) is ``prod_{s<=t}(1 + price_s)``; the pay index is
    ``prod_{s<=t}(1 + pay_s) / (1 + real_pay_growth) ** (t + 1)``.
    """
    n = np.arange(1, len(years) + 1, dtype=float)
    price = np.cumprod(1.0 + inflation.rates("price", years))
    pay = np.cumprod(1.0 + inflation.rates("pay", years)) / (1.0 + float(real_pay_growth)) ** n
    return pay, price


def cash_profile(
    apportionment: Apportionment,
    cashflows: pd.DataFrame,
    years: Sequence[str],
    inflation: Inflation,
    real_pay_growth: float,
    target_real_gbp: float,
    options: Sequence[str],
    status_quo: str,
) -> pd.DataFrame:
    """Each option's net cash saving by financial year and council against its savings target.

    ``cashflows``: the result's tidy real cash flows (option, year_index, component, cost_gbp, GBP real
    base-year prices); ``years``: the financial year of each year_index; ``target_real_gbp``: the
    project's savings target a year (GBP, real). Returns columns option, year, council, name,
    net_cash_saving_gbp, target_gbp, gap_gbp (GBP, nominal cash of that year; gap = target - saving,
    positive = short of the target), one row per option, year and council (year by year, the councils in
    the project's order within each year).
    """
    pay, price = indices(inflation, years, real_pay_growth)
    shares = apportionment.component_shares
    rows = []
    for opt in options:
        saving = component_savings(cashflows, opt, status_quo)
        T = min(saving.shape[1], len(years))
        index = np.where(np.isin(saving.index, PAY_COMPONENTS)[:, None], pay[None, :T], price[None, :T])
        cash = saving.to_numpy()[:, :T] * index
        s = shares.reindex(saving.index).fillna(0.0)
        pairs = list(zip(apportionment.councils, apportionment.names))
        cash_of = {c: s[c].to_numpy() @ cash for c, _ in pairs}
        target_of = {c: target_real_gbp * float(apportionment.net_budget_shares[c]) * price[:T] for c, _ in pairs}
        rows += [
            (
                opt,
                years[t],
                c,
                name,
                float(cash_of[c][t]),
                float(target_of[c][t]),
                float(target_of[c][t] - cash_of[c][t]),
            )
            for t in range(T)
            for c, name in pairs
        ]
    return pd.DataFrame(
        rows, columns=["option", "year", "council", "name", "net_cash_saving_gbp", "target_gbp", "gap_gbp"]
    )


def council_results(
    apportionment: Apportionment,
    cashflows: pd.DataFrame,
    annual: pd.DataFrame,
    assumptions: pd.DataFrame,
    target_real_gbp: float,
    status_quo: str,
    inflation: Inflation | None = None,
) -> dict[str, Any]:
    """The per-council fields of an appraisal result: ``apportionment``, ``by_council`` (see
    :func:`ddanalysis.partners.by_council`) and ``cash_profile`` (:func:`cash_profile`), from the
    result's cash flows, annual table (discount factors, financial years) and assumptions used
    (``project.real_pay_growth``'s value used). Raises :class:`DataFileError` when the inflation file
    is faulty."""
    inflation = load_inflation() if inflation is None else inflation
    options = list(dict.fromkeys(annual["option"]))
    first = annual[annual["option"] == status_quo].sort_values("year_index")
    rpg = assumptions[(assumptions["scope"] == "project") & (assumptions["key"] == "real_pay_growth")]["value_used"]
    if rpg.empty:
        raise DataFileError("assumptions: project.real_pay_growth is missing; the cash profile needs it")
    return {
        "apportionment": apportionment,
        "by_council": by_council(apportionment, cashflows, first["discount_factor"].to_numpy(), options, status_quo),
        "cash_profile": cash_profile(
            apportionment,
            cashflows,
            list(first["financial_year"]),
            inflation,
            float(rpg.iloc[0]),
            target_real_gbp,
            options,
            status_quo,
        ),
    }
