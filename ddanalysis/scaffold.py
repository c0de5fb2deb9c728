"""Create a workspace for any English council and RS service block (``ddanalysis new``).

The workspace gets ``project.yaml`` (schema_version, id, title, councils as DCLG E-codes, base year,
one service with its RS block and a DEFAULT short list) and ``baseline.xlsx``: the input workbook of
``ddanalysis template`` with the project id filled in and an 'Official figures' sheet giving, for
the lead council and the block, the RS net current expenditure, the RSX split into employees, running
expenses and income, and the RA budget's detailed lines whose names match the service title, each
with its return, year and file. The subjective lines of the 'Input' sheet are left for the analyst:
official figures cover the whole block, not the in-scope service.

Official figures come from the official 'data by LA' files in ``config.OFFICIAL_DIR`` (the RS, RSX
and RA files nearest the base year, read by :mod:`ddanalysis.sources`); when the folder is absent
the sheet says so. A base year after the bundled GDP deflator's last year also gets ``price_index.yaml`` to
fill in (:func:`ddanalysis.price_index.template`); appraising is refused until it is. The folder is written
whole or not at all (a temporary folder beside it, renamed).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import config, price_index, registry, workspace
from .baseline import INPUT_SHEET, VALUE_COL
from .errors import DDAnalysisError, unknown
from .years import fy_start_year, is_fy_label

#: The short list written into a new workspace: a DEFAULT for the analyst to edit (status quo first).
DEFAULT_SHORTLIST = ("in-house", "in-house-redesign", "outsourcing", "shared-service", "mutual")
OFFICIAL_SHEET = "Official figures"
_YEAR = re.compile(r"(\d{4})-(\d{2})")
#: RSX measures shown, with their labels (GBP thousand, the block as a whole).
RSX_MEASURES = {
    "outturn_employees": "Employees (RSX C1)",
    "outturn_running_expenses": "Running expenses (RSX C2)",
    "outturn_sales_fees_charges": "Sales, fees and charges (RSX C4; income, shown negative as on the Input sheet)",
    "outturn_other_income": "Other income (RSX C5; income, shown negative as on the Input sheet)",
    "outturn": "Net current expenditure (RSX C7)",
}
#: The RSX measures that are income: the return prints them positive; the 'Official figures' sheet shows them
#: negative, the sign the 'Input' sheet asks for (net = expenditure + income).
RSX_INCOME = ("outturn_sales_fees_charges", "outturn_other_income")


def _kind(name: str) -> str | None:
    """'RS', 'RSX' or 'RA' from an official file's name (None for other files)."""
    if name.startswith("RSX"):
        return "RSX"
    if name.startswith("RA_"):
        return "RA"
    if name.startswith(("RS_", "Revenue_Outturn_Summary")):
        return "RS"
    return None


def official_files(base_year: str, folder: Path | None = None) -> dict[str, Path]:
    """The RS, RSX and RA files of ``folder`` (default ``config.OFFICIAL_DIR``) whose year is nearest
    ``base_year`` (the earlier on a tie): kind -> path; kinds with no file are left out."""
    where = Path(folder or config.OFFICIAL_DIR)
    if not where.is_dir():
        return {}
    base = fy_start_year(base_year)
    best: dict[str, tuple[tuple[int, int], Path]] = {}
    for path in sorted(where.iterdir()):
        kind, year = _kind(path.name), _YEAR.search(path.name)
        if kind is None or year is None:
            continue
        rank = (abs(int(year.group(1)) - base), int(year.group(1)))
        if kind not in best or rank < best[kind][0]:
            best[kind] = (rank, path)
    return {kind: path for kind, (_, path) in best.items()}


def _rows(path: Path, e_code: str, measure: str) -> pd.DataFrame:
    from .sources import read_official, select_outturn

    frame = read_official([path], measure=measure)
    return select_outturn(frame, councils=[e_code])


def _ra_lines(frame: pd.DataFrame, block: str, title: str) -> tuple[pd.DataFrame, bool]:
    """RA budget lines inside ``block`` (between the previous block total and this one) whose label shares a
    word stem (first five letters of a word of four letters or more) with ``title``: the lines holding every stem
    of the title when there are any, else those holding one; when no line's label shares a stem (an officer's
    name for the service, 'Leisure centre', against the return's 'Recreation and sport'), every line of the block,
    so the council picks its own. Also whether the lines were matched by the title (False: the whole block)."""
    from .sources import SERVICE_KEYS

    totals = frame[frame.service.astype(str).isin(list(SERVICE_KEYS))].sort_values("rs_line")
    hit = totals[totals.service.astype(str) == block]
    if hit.empty:
        return frame.iloc[0:0]
    end = int(hit.rs_line.iloc[0])
    before = totals[totals.rs_line < end].rs_line
    start = int(before.max()) if not before.empty else 0
    inside = frame[(frame.rs_line > start) & (frame.rs_line < end)]
    stems = {w[:5] for w in re.findall(r"[a-z]+", title.lower()) if len(w) >= 4}
    words = inside.label.astype(str).map(lambda s: {w[:5] for w in re.findall(r"[a-z]+", s.lower())})
    every = words.map(lambda ws: bool(stems) and stems <= ws).to_numpy(dtype=bool)
    if every.any():
        return inside[every], True
    some = words.map(lambda ws: bool(stems & ws)).to_numpy(dtype=bool)
    return (inside[some], True) if some.any() else (inside, False)


def official_figures(e_code: str, block: str, title: str, base_year: str, folder: Path | None = None) -> pd.DataFrame:
    """The council's official figures for an RS block (GBP thousand, cash of the year stated; RSX income
    negative, as the 'Input' sheet asks): columns ``figure``, ``value_gbp_k``, ``return``, ``year``, ``file``; the
    RA lines as :func:`_ra_lines` picks them. Empty when no official file is found."""
    files = official_files(base_year, folder)
    out: list[dict] = []

    def add(kind: str, rows: pd.DataFrame, label, sign: float = 1.0) -> None:
        for r in rows.itertuples(index=False):
            out.append(
                {
                    "figure": label(r),
                    "value_gbp_k": sign * float(r.value_gbp_k),
                    "return": kind,
                    "year": str(r.year),
                    "file": files[kind].name,
                }
            )

    if "RS" in files:
        rs = _rows(files["RS"], e_code, "outturn")
        add("RS", rs[rs.service.astype(str) == block], lambda r: f"{r.label}: net current expenditure (RS)")
    if "RSX" in files:
        for measure, label in RSX_MEASURES.items():
            rsx = _rows(files["RSX"], e_code, measure)
            sign = -1.0 if measure in RSX_INCOME else 1.0
            add("RSX", rsx[rsx.service.astype(str) == block], lambda r, lab=label: f"{block}: {lab}", sign)
    if "RA" in files:
        lines, matched = _ra_lines(_rows(files["RA"], e_code, "budget"), block, title)
        why = "" if matched else f"; no line is named like {title!r}, so every line of the block is listed"
        add("RA", lines, lambda r: f"{r.label} (RA budget line {r.rs_line}{why})")
    return pd.DataFrame(out, columns=["figure", "value_gbp_k", "return", "year", "file"])


def official_rs(e_codes: list[str], block: str, base_year: str, folder: Path | None = None) -> dict | None:
    """The councils' official RS net current expenditure on ``block`` in the base year (GBP thousand, summed over
    the councils) with its source, for ``project.yaml``'s ``official``; None without an RS file of that year or
    a figure for every council."""
    path = official_files(base_year, folder).get("RS")
    if path is None or base_year not in path.name:
        return None
    from .sources import read_official, select_outturn

    rows = select_outturn(read_official([path], measure="outturn"), councils=e_codes, services=[block])
    if sorted(set(rows.e_code.astype(str))) != sorted(e_codes):
        return None
    names = " and ".join(registry.council_name(c) for c in e_codes)
    label, line = str(rows.label.iloc[0]), int(rows.rs_line.iloc[0])
    return {
        "rs_net_current_gbp_k": float(rows.value_gbp_k.sum()),
        "source": f"the official {base_year} RS net current expenditure of {names} on {label} (DCLG Revenue "
        f"Outturn Summary, {path.name}, RS line {line})",
    }


def official_outturn(e_codes: list[str], block: str, folder: Path | None = None) -> pd.DataFrame:
    """The councils' official net current expenditure on ``block`` (and, for a social-care block, the combined
    social care of 2010-11) in every RS and RSX file of ``folder`` (default ``config.OFFICIAL_DIR``), one row per
    council and year (GBP thousand, cash; the columns of ``ddanalysis outturn --format csv``); empty when the
    folder holds none. Contains public sector information licensed under the Open Government Licence v3.0."""
    from .sources import read_official, select_outturn

    where = Path(folder or config.OFFICIAL_DIR)
    files = sorted(p for p in where.iterdir() if _kind(p.name) in ("RS", "RSX")) if where.is_dir() else []
    if not files:
        return pd.DataFrame()
    blocks = [block] + (["social_care"] if block in ("adult_social_care", "childrens_social_care") else [])
    frame = select_outturn(read_official(files, measure="outturn"), councils=e_codes, services=blocks)
    return frame.sort_values(["e_code", "service", "year"], kind="stable").reset_index(drop=True)


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:60].strip("-") or "my-project"


def _checked(councils: list[str], service: str, base_year: str) -> list[str]:
    """The councils' E-codes; an unknown code, a service key that is not an RS block or a base year with no GDP
    deflator is a :class:`DDAnalysisError` naming it and what was expected."""
    from .assumptions import load_book
    from .sources import SERVICE_KEYS

    if not councils:
        raise DDAnalysisError(
            "give at least one council: --council CODE (a DCLG E-code such as E5030 or an ONS code such as E09000002)"
        )
    codes = registry.council_codes()
    bad = [c for c in councils if c not in codes]
    if bad:
        raise DDAnalysisError(
            f"unknown council code(s) {', '.join(bad)}: expected an English authority's DCLG E-code "
            "(like E5030) or ONS code (like E09000002), as in data/official/rs_code_lookup.csv"
        )
    if service not in SERVICE_KEYS or service == "total_service_expenditure":
        blocks = [k for k in SERVICE_KEYS if k != "total_service_expenditure"]
        raise unknown("RS service block", service, blocks)
    if not is_fy_label(base_year):
        raise DDAnalysisError(f"base year {base_year!r}: expected a financial year written like 2014-15")
    deflator = load_book(None).settings.gdp_deflator
    if base_year not in deflator.index and fy_start_year(base_year) < fy_start_year(deflator.index[-1]):
        raise DDAnalysisError(
            f"base year {base_year}: no GDP deflator for it in data/assumptions/appraisal.yaml "
            f"(years with one: {deflator.index[0]} to {deflator.index[-1]}; a later year takes the "
            f"council's own series in {price_index.PRICE_INDEX_FILE})"
        )
    return list(dict.fromkeys(codes[c] for c in councils))


def project_yaml(
    pid: str,
    title: str,
    e_codes: list[str],
    service: str,
    service_title: str,
    base_year: str,
    official: dict | None = None,
) -> str:
    """The text of a new workspace's ``project.yaml`` (with comments saying what to edit); ``official``: the
    councils' RS figure for the block (:func:`official_rs`), against which the baseline is checked."""
    names = ", ".join(f"{c} {registry.council_name(c)}" for c in e_codes)
    return "\n".join(
        [
            f"# Workspace written by `ddanalysis new`: {title} ({names}).",
            "# Edit freely: add aims, drivers, partners, a plan_start date (default 1 April after the base year),",
            "# more services (each with id, title, rs_block, shortlist). The short list below is a DEFAULT:",
            f"# choose your own from {', '.join(workspace.DELIVERY_MODELS)} (the status quo in-house first).",
            f"schema_version: {workspace.SCHEMA_VERSION}",
            f"id: {pid}",
            f"title: {_quoted(title)}",
            f"councils: [{', '.join(e_codes)}]",
            f'base_year: "{base_year}"',
            "aims: []",
            "drivers: []",
            "partners: []",
            "services:",
            "  - id: service",
            f"    title: {_quoted(service_title)}",
            f"    rs_block: {service}",
            f"    shortlist: [{', '.join(DEFAULT_SHORTLIST)}]",
            *(
                []
                if official is None
                else [
                    "# the baseline's net budget is refused when well above this (a likely unit mistake)",
                    "official:",
                    f"  rs_net_current_gbp_k: {official['rs_net_current_gbp_k']:g}",
                    f"  source: {_quoted(official['source'])}",
                ]
            ),
            "",
        ]
    )


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def baseline_workbook(
    pid: str,
    figures: pd.DataFrame,
    e_code: str,
    official_dir: Path,
    *,
    title: str = "",
    base_year: str = config.BASE_YEAR,
):
    """The input workbook (``ddanalysis template``) for the workspace ``pid`` (``title``) with its id filled in
    (the only id its project list offers), the instructions stating ``base_year``, and a sheet of the official
    figures (GBP thousand, the whole block, each with return, year and file); the Input lines left blank."""
    from openpyxl.styles import Font

    from .template import build_template, input_rows

    wb = build_template(None, workspace=(pid, title or pid), base_year=base_year)
    wb.security = None  # the structure lock would stop the extra sheet being kept
    wb[INPUT_SHEET].cell(row=input_rows()["project_id"], column=VALUE_COL, value=pid)
    ws = wb.create_sheet(OFFICIAL_SHEET)
    name = registry.council_name(e_code)
    intro = (
        f"Official figures for {name} ({e_code}), GBP thousand, cash of the year shown, for the WHOLE RS "
        "block: a guide to the size of the service, not its baseline. Enter the in-scope service's own lines "
        "on the 'Input' sheet from the council's budget book."
    )
    if figures.empty:
        intro += f" No official 'data by LA' files were found in {official_dir} (set DDANALYSIS_OFFICIAL)."
    ws.cell(row=1, column=1, value=intro).font = Font(bold=True)
    for col, head in enumerate(["Figure", "GBP thousand", "Return", "Year", "File"], start=1):
        ws.cell(row=3, column=col, value=head).font = Font(bold=True)
    for i, r in enumerate(figures.itertuples(index=False), start=4):
        for col, value in enumerate([r.figure, r.value_gbp_k, r._2, r.year, r.file], start=1):
            ws.cell(row=i, column=col, value=value)
        ws.cell(row=i, column=2).number_format = "#,##0"
    for letter, width in zip("ABCDE", (70, 14, 8, 9, 70), strict=True):
        ws.column_dimensions[letter].width = width
    return wb


def create_workspace(
    folder: str | Path,
    councils: list[str],
    service: str,
    *,
    base_year: str = config.BASE_YEAR,
    title: str | None = None,
    project_id: str | None = None,
    force: bool = False,
    official_dir: Path | None = None,
) -> Path:
    """Write a new workspace at ``folder`` (see the module's docstring) and return it.

    Raises :class:`DDAnalysisError` for an unknown council code, a service key that is not an RS block, a base
    year with no deflator, or an existing ``folder`` without ``force``; nothing is written then. The folder is
    built beside its final place and renamed into it, so it appears whole or not at all."""
    target = Path(folder)
    if target.exists() and not force:
        raise DDAnalysisError(f"{target} already exists; use --force to replace it (its files would be lost)")
    if not target.parent.is_dir():
        raise DDAnalysisError(f"cannot create {target}: the folder {target.parent} does not exist")
    e_codes = _checked(councils, service, base_year)
    from .sources import SERVICE_KEYS

    block_title = SERVICE_KEYS[service]
    name = " and ".join(registry.council_name(c) for c in e_codes)
    title = title or f"{block_title} ({name})"
    pid = project_id or _slug(f"{name} {service}")
    if pid in workspace.bundled_ids():
        raise DDAnalysisError(f"id {pid!r} is a bundled project's id; give another with --id")
    where = Path(official_dir or config.OFFICIAL_DIR)
    figures = official_figures(e_codes[0], service, title, base_year, where)
    wb = baseline_workbook(pid, figures, e_codes[0], where, title=title, base_year=base_year)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        staging.chmod(0o777 & ~_umask())  # mkdtemp's folder is private; a workspace is an ordinary folder
        official = official_rs(e_codes, service, base_year, where)
        (staging / workspace.PROJECT_FILE).write_text(
            project_yaml(pid, title, e_codes, service, title, base_year, official), encoding="utf-8"
        )
        wb.save(staging / "baseline.xlsx")
        trend = official_outturn(e_codes, service, where)
        if not trend.empty:
            trend.to_csv(staging / workspace.OUTTURN_FILE, index=False, encoding="utf-8")
        from .assumptions import load_book

        bundled = {str(k): float(v) for k, v in load_book(None).settings.gdp_deflator.items()}
        if base_year not in bundled:  # after the bundled series: the council gives the later years
            text = price_index.template(base_year, bundled)
            (staging / price_index.PRICE_INDEX_FILE).write_text(text, encoding="utf-8")
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    try:
        staging.rename(target)
    except OSError:
        if old is not None:
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
