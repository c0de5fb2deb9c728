"""Partners: how a project of several councils shares its costs, savings and one-off costs.

A project's councils share every cash-flow component by one of two bases, read from
``council_shares.yaml`` in the project's workspace folder (``data/projects/<project-id>/`` for a bundled one):

- **declared shares** (``shares: {E0604: 0.4951, E4305: 0.5049}``): one share per council, each in
  [0, 1], summing to 1, applied to every component;
- **each council's own baseline lines** (``lines: {E0604: {employees_pay: 6100, ...}, ...}``, GBP
  thousand, real base-year prices): which council's ledger each baseline line sits in. The lines of
  every council must add up to the project's baseline line by line (within GBP 0.5 thousand). Each
  component then follows the baseline lines that drive it (:data:`COMPONENT_BASIS`): staff costs and
  staff-related one-off costs follow the pay lines, premises the premises line, support services and
  double running the support recharges, income the income lines, and the changes made on the whole
  service (client-side, margin, new income, set-up, optimism bias) the gross expenditure. A project whose
  services have their own baselines may key its ``lines`` by service id (``lines: {libraries: {E0604:
  {...}, ...}, museum: {...}}``), each service's lines adding up to that service's baseline.

A project of one council, or one with no council_shares.yaml, is apportioned to its councils in equal
shares, labelled as a default. Whatever the basis, a component's shares sum to 1, so the councils'
net present savings and one-off costs sum to the project's (the saving is linear in the components).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import workspace
from .cashflow import ONE_OFF_COMPONENTS, OPERATING_COMPONENTS
from .errors import DataFileError
from .problems import Problems
from .yamlio import read_yaml_mapping

#: How far the shares may be from summing to 1 (shares are written to four or more decimals).
SHARE_TOLERANCE = 1e-6
#: How far a baseline line may be from the sum of the councils' own lines, GBP thousand.
LINE_TOLERANCE_GBP_K = 0.5

_PAY = ("employees_pay", "employees_ni", "employees_pension")
_INCOME = ("income_fees_charges", "income_grants", "income_other")
_GROSS = (
    "employees_pay",
    "employees_ni",
    "employees_pension",
    "premises",
    "business_rates",
    "transport",
    "supplies_services",
    "third_party_payments",
    "support_recharges",
)

#: Component -> the baseline lines that drive it (its shares follow those lines). A judgement of the
#: ddanalysis team, from how :mod:`ddanalysis.cashflow` builds each component from the baseline.
COMPONENT_BASIS: dict[str, tuple[str, ...]] = {
    "staff": _PAY,
    "pension_rate": _PAY,
    "pension_deficit": _PAY,
    "volunteer_time": _PAY,
    "premises": ("premises",),
    "business_rates": ("business_rates",),
    "transport": ("transport",),
    "supplies_third_party": ("supplies_services", "third_party_payments"),
    "irrecoverable_vat": ("premises", "transport", "supplies_services"),
    "support_services": ("support_recharges",),
    "own_support": ("support_recharges",),
    "stranded_overheads": ("support_recharges",),
    "double_running": ("support_recharges",),
    "income_existing": _INCOME,
    "admissions_vat": ("income_fees_charges",),
    "tupe_hr": _PAY,
    "it_separation": _PAY,
    "redundancy": _PAY,
    "pensions_work": _PAY,
    **{
        k: _GROSS
        for k in (
            "client_side",
            "supplier_margin",
            "new_income",
            "grant_income",
            "legal_governance",
            "procurement",
            "optimism_bias_operating",
            "optimism_bias_one_off",
        )
    },
}


@dataclass(frozen=True)
class Apportionment:
    """How a project's councils share it.

    ``councils``: E-codes in the project's order; ``names``: their names; ``basis``: 'declared shares',
    'baseline lines' or 'equal shares (default: no apportionment declared)'; ``component_shares``:
    index = every cash-flow component, columns = ``councils``, each row summing to 1;
    ``net_budget_shares``: council -> share of the baseline net budget (sums to 1); ``source``: where the
    apportionment comes from.
    """

    councils: tuple[str, ...]
    names: tuple[str, ...]
    basis: str
    component_shares: pd.DataFrame
    net_budget_shares: pd.Series
    source: str


def _components() -> list[str]:
    return list(OPERATING_COMPONENTS + ONE_OFF_COMPONENTS)


def declared(
    councils: Sequence[str],
    names: Sequence[str],
    shares: Mapping[str, float],
    *,
    where: str = "shares",
    basis: str = "declared shares",
    source: str = "",
) -> Apportionment:
    """An apportionment by one share per council (each in [0, 1], summing to 1).

    Raises :class:`DataFileError` naming ``where`` and the shares when a council lacks a share, an
    unknown council has one, a share is outside [0, 1] or the shares do not sum to 1.
    """
    problems = Problems(where)
    for c in councils:
        if c not in shares:
            problems.add("shares", f"council {c} has no share; expected one share for each of {', '.join(councils)}")
    for c in shares:
        if c not in councils:
            problems.add("shares", f"{c} is not one of the project's councils ({', '.join(councils)})")
    values = {c: float(v) for c, v in shares.items()}
    for c, v in values.items():
        if not 0.0 <= v <= 1.0:
            problems.add(f"shares.{c}", f"{v:g} is not a share from 0 to 1")
    total = sum(values.values())
    if abs(total - 1.0) > SHARE_TOLERANCE:
        listed = ", ".join(f"{c}: {v:g}" for c, v in values.items())
        problems.add("shares", f"the shares ({listed}) sum to {total:g}; expected them to sum to 1")
    problems.raise_if_any()
    row = [values[c] for c in councils]
    table = pd.DataFrame([row] * len(_components()), index=_components(), columns=list(councils))
    return Apportionment(tuple(councils), tuple(names), basis, table, pd.Series(row, index=list(councils)), source)


def equal(councils: Sequence[str], names: Sequence[str]) -> Apportionment:
    """Equal shares, labelled as the default used when a project declares no apportionment."""
    n = len(councils)
    return declared(
        councils,
        names,
        {c: 1.0 / n for c in councils},
        basis="equal shares (default: no apportionment declared)" if n > 1 else "one council",
        source="default" if n > 1 else "the project's one council",
    )


def from_lines(
    councils: Sequence[str],
    names: Sequence[str],
    lines_gbp_k: pd.DataFrame,
    baseline_gbp: Mapping[str, float],
    *,
    where: str = "lines",
    source: str = "",
) -> Apportionment:
    """An apportionment by each council's own baseline lines.

    ``lines_gbp_k``: index = council E-code, columns = baseline lines, GBP thousand (a line a council
    does not hold is 0 or absent); ``baseline_gbp``: the project's baseline by line, GBP (pounds).
    Raises :class:`DataFileError` naming the line when the councils' lines do not add up to the
    baseline's, or naming the council when it is not one of the project's.
    """
    problems = Problems(where)
    for c in lines_gbp_k.index:
        if c not in councils:
            problems.add(f"lines.{c}", f"not one of the project's councils ({', '.join(councils)})")
    table = lines_gbp_k.reindex(index=list(councils)).fillna(0.0).astype(float)
    for line in table.columns:
        if line not in baseline_gbp:
            problems.add(f"lines.*.{line}", f"not a baseline line; expected one of {', '.join(baseline_gbp)}")
    for line, value in baseline_gbp.items():
        got = float(table[line].sum()) if line in table.columns else 0.0
        if abs(got - float(value) / 1000.0) > LINE_TOLERANCE_GBP_K:
            problems.add(
                f"lines.*.{line}",
                f"the councils' lines sum to {got:,.1f} GBP thousand; expected the "
                f"baseline's {float(value) / 1000.0:,.1f}",
            )
    problems.raise_if_any()
    comp = pd.DataFrame({k: _line_shares(table, COMPONENT_BASIS[k]) for k in _components()}).T
    net = table.sum(axis=1)
    net_shares = net / net.sum() if abs(net.sum()) > 0 else pd.Series(1.0 / len(councils), index=net.index)
    return Apportionment(tuple(councils), tuple(names), "baseline lines", comp[list(councils)], net_shares, source)


def _line_shares(table: pd.DataFrame, lines: Sequence[str]) -> pd.Series:
    """Each council's share of the named lines (by absolute size); equal shares when the lines are all nil."""
    held = table.reindex(columns=list(lines)).fillna(0.0).abs().sum(axis=1)
    if held.sum() <= 0:
        return pd.Series(1.0 / len(table.index), index=table.index)
    return held / held.sum()


#: The file in a workspace folder that says how the project's councils share it.
SHARES_FILE = "council_shares.yaml"


def partners_path(project_id: str) -> Path:
    """The council-shares file of a project: ``council_shares.yaml`` in its workspace folder
    (``data/projects/<project-id>/`` for a bundled project)."""
    return workspace.folder(project_id) / SHARES_FILE


def load(
    project_id: str,
    councils: Sequence[str],
    names: Sequence[str],
    baseline_gbp: Mapping[str, float],
    path: Path | None = None,
) -> Apportionment:
    """The project's apportionment from its council_shares.yaml (``path``, default :func:`partners_path`);
    equal shares, labelled a default, when there is no file. Raises :class:`DataFileError` naming the
    file and key for an unknown key, a file giving both or neither of ``shares`` and ``lines``, or a
    fault that :func:`declared` or :func:`from_lines` finds."""
    path = partners_path(project_id) if path is None else Path(path)
    if not path.exists():
        return equal(councils, names)
    raw = read_yaml_mapping(path, "council shares file")
    unknown_keys = sorted(set(raw) - {"schema_version", "project_id", "shares", "lines", "source", "quality", "note"})
    if unknown_keys:
        raise DataFileError(
            f"{path}: unknown key(s) {', '.join(unknown_keys)}; expected schema_version, project_id, shares or "
            "lines, source, quality, note"
        )
    try:
        workspace.version_field(raw.get("schema_version"))
    except (ValueError, TypeError) as exc:
        raise DataFileError(f"{path}, schema_version: {exc}") from None
    if ("shares" in raw) == ("lines" in raw):
        raise DataFileError(
            f"{path}: expected exactly one of 'shares' (one share per council) or 'lines' (each "
            "council's own baseline lines, GBP thousand)"
        )
    source = str(raw.get("source", ""))
    if "shares" in raw:
        if not isinstance(raw["shares"], Mapping):
            raise DataFileError(f"{path}, shares: expected a mapping of council E-code to share")
        return declared(
            councils,
            names,
            {str(k): _number(path, f"shares.{k}", v) for k, v in raw["shares"].items()},
            where=str(path),
            source=source,
        )
    lines, key = _service_lines(path, raw["lines"], project_id)
    if not isinstance(lines, Mapping) or not all(isinstance(v, Mapping) for v in lines.values()):
        raise DataFileError(f"{path}, {key}: expected a mapping of council E-code to its baseline lines (GBP thousand)")
    frame = pd.DataFrame(
        {str(c): {str(k): _number(path, f"{key}.{c}.{k}", v) for k, v in ls.items()} for c, ls in lines.items()}
    ).T
    where = str(path) if key == "lines" else f"{path} ({key}: the lines of service {key.split('.')[1]})"
    try:
        return from_lines(councils, names, frame, baseline_gbp, where=where, source=source)
    except DataFileError as exc:
        if key != "lines" or workspace.split_ref(project_id)[1] is None:
            raise
        raise DataFileError(f"{exc}\n{PER_SERVICE_LINES_HINT}") from None


#: Said when one set of councils' lines does not fit a service of a project appraised by service.
PER_SERVICE_LINES_HINT = (
    "These lines must add up to each service's baseline in turn; a project whose services have their own "
    "baselines may give each service's lines under its id, lines: {<service id>: {<council>: {<line>: GBP "
    "thousand}}}, or declared shares (shares: {<council>: share})."
)


def _service_lines(path: Path, lines: object, project_id: str) -> tuple[object, str]:
    """(the councils' lines that apply to ``project_id``, their key in the file). For one service of a project
    appraised by service (``<project id>:<service id>``) whose ``lines`` are keyed by service id (``lines:
    {<service id>: {<E-code>: {<line>: GBP thousand}}}``, every service given), that service's lines and
    ``lines.<service id>``; otherwise ``lines`` itself (the councils' lines of the one baseline, which each
    service's baseline must then match). Raises :class:`DataFileError` for a service missing from lines keyed
    by service."""
    project, service = workspace.split_ref(project_id)
    if service is None or not isinstance(lines, Mapping) or not lines:
        return lines, "lines"
    service_ids = workspace.read_project_file(workspace.folder(project)).service_ids
    keyed = [str(k) for k in lines if str(k) in service_ids]
    if not keyed:
        return lines, "lines"
    missing = [sid for sid in service_ids if sid not in keyed]
    others = [str(k) for k in lines if str(k) not in service_ids]
    if missing or others:
        raise DataFileError(
            f"{path}, lines: keyed by service, so expected each service's lines under its id "
            f"({', '.join(service_ids)}); "
            + "; ".join(
                ([f"missing {', '.join(missing)}"] if missing else [])
                + ([f"{', '.join(others)} is not a service of project.yaml"] if others else [])
            )
        )
    return lines[service], f"lines.{service}"


def _number(path: Path, key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataFileError(f"{path}, {key}: {value!r} is not a number")
    return float(value)


def component_savings(cashflows: pd.DataFrame, option: str, status_quo: str) -> pd.DataFrame:
    """An option's saving by component and year (status quo cost minus option cost; GBP, real):
    index = component, columns = year_index. ``cashflows``: the result's tidy cash flows."""
    wide = cashflows.pivot_table(index=["option", "component"], columns="year_index", values="cost_gbp", aggfunc="sum")
    return wide.loc[status_quo] - wide.loc[option]


def by_council(
    apportionment: Apportionment,
    cashflows: pd.DataFrame,
    discount_factors: Sequence[float],
    options: Sequence[str],
    status_quo: str,
) -> pd.DataFrame:
    """Each option's net present saving and one-off cost per council (GBP, real base-year prices).

    Columns: option, council (E-code), name, net_present_saving_gbp, one_off_cost_gbp (undiscounted),
    one row per option and council, in ``options`` then council order. Per option the councils'
    figures sum to the project's: each component's saving is split by its shares, which sum to 1.
    """
    df = np.asarray(discount_factors, dtype=float)
    shares = apportionment.component_shares
    rows = []
    for opt in options:
        saving = component_savings(cashflows, opt, status_quo)
        pv = pd.Series(saving.to_numpy() @ df[: saving.shape[1]], index=saving.index)
        mine = cashflows[(cashflows["option"] == opt) & cashflows["component"].isin(ONE_OFF_COMPONENTS)]
        one_off = mine.groupby("component")["cost_gbp"].sum()
        s, s1 = shares.reindex(pv.index).fillna(0.0), shares.reindex(one_off.index).fillna(0.0)
        for c, name in zip(apportionment.councils, apportionment.names):
            rows.append((opt, c, name, float((pv * s[c]).sum()), float((one_off * s1[c]).sum())))
    return pd.DataFrame(rows, columns=["option", "council", "name", "net_present_saving_gbp", "one_off_cost_gbp"])
