"""The strategic case: each council's own official spending trend, in cash and real terms, against
the median council of its class.

Figures: DCLG Revenue Outturn Summary (RS), and the Service Expenditure Summary's (RSX) net current
expenditure for years read from RSX, outturn only (never the RA budget), GBP thousand (Open Government
Licence v3.0), from the bundled extract ``data/official/`` (rebuilt by ``make data``). Real terms use
the GDP deflator in ``data/assumptions/appraisal.yaml`` (2014-15 = 100); a year the deflator does not
reach keeps its cash figure and has no real-terms figure (NaN), never a guessed one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import config, registry, workspace
from .assumptions import load_book
from .errors import DataFileError, WorkspaceInputError, unknown
from .sources import SERVICE_KEYS, programme_outturn

#: The service blocks shown by default (2010-11's combined social care is kept: it is what was published).
DEFAULT_SERVICES = (
    "education",
    "highways_transport",
    "social_care",
    "childrens_social_care",
    "adult_social_care",
    "public_health",
    "housing_gfra",
    "cultural",
    "environmental",
    "planning",
    "central",
)


def class_medians(path: Path | None = None) -> pd.DataFrame:
    """Median council of each class: year, authority_class, service, median_gbp_k, authorities."""
    p = Path(path or config.data_path("official", "rs_class_medians.csv"))
    try:
        return pd.read_csv(p, dtype={"year": str, "authority_class": str, "service": str})
    except FileNotFoundError as exc:
        raise DataFileError(f"{p}: class medians not found; run 'make data' with the official workbooks") from exc


def deflate(cash_gbp_k: pd.Series, years: pd.Series, deflator: pd.Series | None = None) -> pd.Series:
    """Cash figures to real base-year (2014-15) prices: cash x 100 / GDP deflator index of the year."""
    index = deflator if deflator is not None else load_book().settings.gdp_deflator
    missing = sorted(set(years) - set(index.index))
    if missing:
        raise DataFileError(f"appraisal.yaml gdp_deflator: no index for year(s) {missing}")
    return cash_gbp_k * 100.0 / years.map(index).astype(float)


def council_spending(
    code: str, services: tuple[str, ...] | None = None, outturn: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One council's net current expenditure by service and year, with its class median.

    Columns: year, service, label, authority, authority_class, cash_gbp_k, real_gbp_k,
    class_median_cash_gbp_k, class_median_real_gbp_k, class_authorities. GBP thousand; real =
    2014-15 prices (NaN for a year beyond the GDP deflator series). ``code``: E-code or ONS code of a
    council in ``outturn`` (default the bundled extract of the programme's councils, ``programme_outturn()``;
    a workspace passes its own ``official_outturn.csv``). Outturn only.
    """
    council = registry.council(code)
    wanted = tuple(services or DEFAULT_SERVICES)
    bad = [s for s in wanted if s not in SERVICE_KEYS]
    if bad:
        raise unknown("service", bad[0], list(SERVICE_KEYS))
    outturn = programme_outturn() if outturn is None else outturn
    rows = outturn[
        (outturn["e_code"].astype(str) == council.e_code).to_numpy()
        & outturn["service"].astype(str).isin(wanted).to_numpy()
    ]
    frame = pd.DataFrame(
        {
            "year": rows["year"].astype(str).to_numpy(),
            "service": rows["service"].astype(str).to_numpy(),
            "authority": council["name"],
            "authority_class": council.authority_class,
            "cash_gbp_k": rows["value_gbp_k"].astype(float).to_numpy(),
        }
    )
    frame["label"] = frame["service"].map(SERVICE_KEYS)
    medians = class_medians()
    medians = medians[medians.authority_class == council.authority_class]
    frame = frame.merge(medians[["year", "service", "median_gbp_k", "authorities"]], on=["year", "service"], how="left")
    frame = frame.rename(columns={"median_gbp_k": "class_median_cash_gbp_k", "authorities": "class_authorities"})
    index = load_book().settings.gdp_deflator
    covered = frame["year"].isin(index.index).to_numpy()
    frame["real_gbp_k"] = float("nan")
    frame["class_median_real_gbp_k"] = float("nan")
    frame.loc[covered, "real_gbp_k"] = deflate(frame.loc[covered, "cash_gbp_k"], frame.loc[covered, "year"], index)
    frame.loc[covered, "class_median_real_gbp_k"] = deflate(
        frame.loc[covered, "class_median_cash_gbp_k"], frame.loc[covered, "year"], index
    )
    cols = [
        "year",
        "service",
        "label",
        "authority",
        "authority_class",
        "cash_gbp_k",
        "real_gbp_k",
        "class_median_cash_gbp_k",
        "class_median_real_gbp_k",
        "class_authorities",
    ]
    return frame[cols].sort_values(["service", "year"], kind="stable").reset_index(drop=True)


def project_spending(project_id: str) -> pd.DataFrame:
    """The official spending of the project's council(s) on the service blocks that hold its service.

    2010-11's combined social care is included where a project's block is adult's or children's
    social care, so the trend starts in 2010-11.
    """
    project = registry.project(project_id)
    services = set(project.rs_services)
    if services & {"adult_social_care", "childrens_social_care"}:
        services.add("social_care")
    own = workspace.optional_file(project.id, workspace.OUTTURN_FILE)  # a workspace's own (`ddanalysis new`)
    outturn = _own_outturn(own, project.councils, sorted(project.rs_services)) if own is not None else None
    frames = [council_spending(code, tuple(sorted(services)), outturn) for code in project.councils]
    return pd.concat(frames, ignore_index=True)


def _own_outturn(path: Path, councils: Sequence[str], blocks: Sequence[str] = ()) -> pd.DataFrame:
    """A workspace's ``official_outturn.csv``, read and checked: :class:`WorkspaceInputError` naming the file when
    it cannot be read, fails the extract's schema, or holds no row for one of the project's councils or for one of
    its service ``blocks`` (a file written for another block, before project.yaml was changed)."""
    try:
        outturn = programme_outturn(path)
    except DataFileError as exc:
        raise WorkspaceInputError(
            f"{exc}; rewrite it with `ddanalysis new` (or delete it to go without the spending trend)"
        ) from exc
    held = set(outturn["e_code"].astype(str))
    missing = [c for c in councils if registry.council(c).e_code not in held]
    if missing:
        raise WorkspaceInputError(
            f"{path}: holds no rows for {', '.join(missing)} (it holds {', '.join(sorted(held)) or 'none'}); "
            "expected the project's councils' official outturn, as `ddanalysis new` writes it"
        )
    blocks_held = set(outturn["service"].astype(str))
    absent = [b for b in blocks if b not in blocks_held]
    if absent:
        raise WorkspaceInputError(
            f"{path}: holds no rows for the service block(s) {', '.join(absent)} of project.yaml (it holds "
            f"{', '.join(sorted(blocks_held))}); rewrite it with `ddanalysis new` for those blocks, or delete it to go "
            "without the spending trend"
        )
    return outturn


def spending_change(frame: pd.DataFrame, first: str = "2011-12", last: str = "2014-15") -> pd.DataFrame:
    """Real-terms change from ``first`` to ``last`` per authority and service: the council's and the
    class median's (shares, e.g. -0.12 = a 12% real-terms fall)."""
    a = frame[frame.year == first].set_index(["authority", "service"])
    b = frame[frame.year == last].set_index(["authority", "service"])
    out = pd.DataFrame(
        {
            "council_change": b["real_gbp_k"] / a["real_gbp_k"] - 1.0,
            "class_median_change": b["class_median_real_gbp_k"] / a["class_median_real_gbp_k"] - 1.0,
        }
    ).dropna(how="all")
    return out.reset_index()
