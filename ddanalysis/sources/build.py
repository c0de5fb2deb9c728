"""Rebuild the bundled extract of the official RS, RSX and RA files (``make data``).

    python -m ddanalysis.sources.build [--official-dir DIR] [--out-dir DIR]

Reads every official file in ``config.OFFICIAL_DIR`` (../shared/data/official by default; .xls,
.xlsx, .ods and .csv, found by content; the files themselves are never copied into the repository)
and writes, each whole or not at all (temporary file, then ``os.replace``), into ``data/official/``:

* ``rs_programme_councils.csv``: the tidy rows of the programme's 11 councils, every year, measure
  and column available (GBP thousand; see ``ddanalysis.sources.schema``);
* ``rs_code_lookup.csv``: every English authority in any of the files: E-code, ONS code, name(s),
  class, first and last year (used to fill ONS codes for earlier years and to name any council by
  either code);
* ``rs_class_medians.csv``: the median council of each class, outturn only;
* ``README.md``: the data log: which files, who published them, the licence, what was read.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from .. import config, registry
from ..errors import DataFileError, DDAnalysisError
from .outturn import CODE_LOOKUP_CSV, PROGRAMME_CSV, read_official
from .reader import FORMATS_READ
from .rs import MEASURES, RETURNS, SERVICE_KEYS
from .select import render

COLLECTION_URL = "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


OFFICIAL_SUFFIXES = (".xls", ".xlsx", ".ods", ".csv")


def official_files(folder: Path) -> list[Path]:
    """The official files in ``folder`` (.xls, .xlsx, .ods, .csv; lock files, hidden files and the
    folder's README skipped); what each is, is found from its content when it is read."""
    if not folder.is_dir():
        raise DataFileError(
            f"{folder}: folder of official RS, RSX and RA files not found; "
            "set DDANALYSIS_OFFICIAL or pass --official-dir"
        )
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in OFFICIAL_SUFFIXES and not p.name.startswith(("~$", ".", ".~lock"))
    )
    if not files:
        raise DataFileError(
            f"{folder}: no .xls, .xlsx, .ods or .csv files (expected the DCLG RS, RSX or RA 'data by LA' files)"
        )
    return files


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def programme_rows(frame: pd.DataFrame, councils: pd.DataFrame) -> pd.DataFrame:
    """The programme councils' rows; every council must be in every year's file."""
    wanted = list(councils.e_code)
    rows = frame[frame["e_code"].isin(wanted).to_numpy()]
    for report in frame.attrs["rs_report"]:
        present = set(rows.loc[(rows["year"] == report["year"]).to_numpy(), "e_code"].astype(str))
        absent = [c for c in wanted if c not in present]
        if absent:
            raise DataFileError(f"{report['file']}: programme council(s) {absent} not found (matched by E-code)")
    out = rows.reset_index(drop=True)
    for col in out.select_dtypes("category"):
        out[col] = out[col].cat.remove_unused_categories()
    return out


CLASS_MEDIANS_CSV = "rs_class_medians.csv"
MEDIAN_CLASSES = ("L", "MD", "UA", "SC", "SD")


def class_medians(frame: pd.DataFrame) -> pd.DataFrame:
    """Median net current expenditure (GBP thousand) of each class of council, by year and service.

    Canonical services only; councils of classes L, MD, UA, SC and SD (police, fire and other bodies
    left out); missing values are skipped, and ``authorities`` counts the councils with a value.
    """
    keep = (
        frame["service"].isin(list(SERVICE_KEYS)).to_numpy()
        & frame["authority_class"].isin(MEDIAN_CLASSES).to_numpy()
        & (frame["measure"] == "outturn").to_numpy()
    )
    rows = frame.loc[keep, ["year", "authority_class", "service", "value_gbp_k"]].astype(
        {"year": str, "authority_class": str, "service": str}
    )
    grouped = rows.groupby(["year", "authority_class", "service"], observed=True)["value_gbp_k"]
    out = pd.DataFrame({"median_gbp_k": grouped.median(), "authorities": grouped.count()}).reset_index()
    out = out[out["authorities"] > 0]
    return out.sort_values(["year", "authority_class", "service"], kind="stable").reset_index(drop=True)


def code_lookup_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Every authority in the files: E-code, ONS code, latest name, other names, class, first and last year.

    ``ons_code`` is the code as published (never one filled by the loader): the earliest year's
    where a code changed, ``ons_source_year`` the year it was read from; empty for bodies that
    publish none (police, fire and other bodies) or ended before 2014-15. ``authority_class`` is
    the latest year's (``LB`` read as ``L``), ``other_names`` every other spelling seen.
    """
    ons_years = {r["year"] for r in frame.attrs["rs_report"] if r["has_ons_code"]}
    rows = frame[["e_code", "ons_code", "authority", "authority_class", "year"]].astype(str).drop_duplicates()
    rows = rows.sort_values(["e_code", "year"], kind="stable")
    out = []
    for e_code, group in rows.groupby("e_code", sort=True):
        published = group[group["year"].isin(ons_years) & (group["ons_code"] != "nan")]
        latest = group.iloc[-1]
        names = list(dict.fromkeys(group["authority"][::-1]))
        out.append(
            {
                "e_code": e_code,
                "ons_code": published["ons_code"].iloc[0] if len(published) else "",
                "authority": latest["authority"],
                "authority_class": latest["authority_class"],
                "first_year": group["year"].iloc[0],
                "last_year": latest["year"],
                "ons_source_year": published["year"].iloc[0] if len(published) else "",
                "other_names": " | ".join(names[1:]),
            }
        )
    return pd.DataFrame(out)


def _source_file_rows(files: list[Path], reports: dict[str, dict]) -> list[str]:
    """One Markdown table row per source file: return, year, format, sheet, counts, size (bytes) and sha256."""
    rows = []
    for path in files:
        r = reports[str(path)]
        markers = ", ".join(f"`{k}` {v}" for k, v in r["missing_by_marker"].items()) or "none"
        encoding = f" ({r['encoding']})" if r["encoding"] else ""
        rows.append(
            f"| {path.name} | {r['return']} | {r['year']} | {r['format']}{encoding} "
            f"| {r['sheet']} | {r['authorities']} | {r['columns']} | {r['missing_values']} ({markers}) "
            f"| {path.stat().st_size} | `{_sha256(path)[:16]}` |"
        )
    return rows


def _loader_notes(files: list[Path], reports: dict[str, dict]) -> list[str]:
    """One Markdown bullet per oddity the loader met in a file (codes, classes, left-out columns)."""
    notes = []
    for path in files:
        r = reports[str(path)]
        if r["e_code_in_ons_column"]:
            notes.append(
                f"- {path.name}: an E-code in the ONS Code column for {', '.join(r['e_code_in_ons_column'])}: "
                "ONS code left missing, the body kept."
            )
        if "LB" in r["classes_as_published"]:
            notes.append(
                f"- {path.name}: {r['classes_as_published']['LB']} London boroughs published as class "
                "`LB`, read as `L`."
            )
        if r.get("outturn_left_to_rs"):
            left = r["outturn_left_to_rs"]
            notes.append(
                f"- {path.name}: its net current expenditure (C7) left to {Path(left['file']).name} for the same "
                f"year ({left['rows']} rows, {left['differing']} differing by more than GBP 0.5 thousand)."
            )
        for d in r["dropped_columns"]:
            notes.append(f"- {path.name}: column {d['column']} '{d['label'][:60]}' left out: {d['reason']}.")
    return notes


def _provenance_lines() -> list[str]:
    """The data log's title, where the returns come from, the licence and how the files are written."""
    return [
        "# Official figures: data log (derived; rebuilt by `make data`)",
        "",
        "Derived from the returns published by the Department for Communities and Local Government (DCLG;",
        "later MHCLG, DLUHC, now MHCLG again) on GOV.UK in the collection",
        f'[Local authority revenue expenditure and financing]({COLLECTION_URL}), "data by LA":',
        "",
        *[f"- **{k}**: {v}" for k, v in RETURNS.items()],
        "",
        "Contains public sector information licensed under the",
        f"[Open Government Licence v3.0]({OGL_URL}).",
        "",
        "The source files are **not** in this repository; they live in `../shared/data/official/`",
        "(`DDANALYSIS_OFFICIAL` overrides). The files here are written by",
        "`python -m ddanalysis.sources.build` (`make data`), whole or not at all; do not edit them by hand.",
        f"Formats read: {FORMATS_READ}.",
        "",
    ]


def _files_section(programme: pd.DataFrame, lookup: pd.DataFrame) -> list[str]:
    """The data log's Files section: the extract's rows, councils, years and measures, and the code lookup."""
    years = sorted(programme["year"].astype(str).unique())
    measures = programme.groupby("measure", observed=True)["year"].agg(lambda y: ", ".join(sorted(set(map(str, y)))))
    new_unitaries = lookup[(lookup["first_year"] >= "2019-20") & (lookup["authority_class"] == "UA")]
    return [
        "## Files",
        "",
        f"- `{Path(PROGRAMME_CSV).name}`: {len(programme)} rows: the programme's "
        f"{programme['e_code'].nunique()} councils",
        f"  (`data/councils.csv`), years {years[0]} to {years[-1]}, every money column of every file, each row",
        "  labelled with its `measure`. Load it with `ddanalysis.sources.programme_outturn()` (outturn only,",
        "  by default) or `programme_outturn(measure=None)` (every measure). Years per measure:",
        *[f"  - `{m}`: {y}" for m, y in measures.items()],
        f"- `{Path(CODE_LOOKUP_CSV).name}`: {len(lookup)} authorities, every body in any of the files: `e_code`,",
        "  `ons_code` (as published; the earliest year's where a code changed; empty for bodies that publish",
        "  none, such as police and fire bodies shown `n/a`, and for authorities that ended before 2014-15),",
        "  `authority` (latest name), `authority_class` (latest; L, MD, UA, SC, SD, O), `first_year`,",
        "  `last_year`, `ons_source_year`, `other_names` (earlier spellings). Any council can be named by either",
        "  code. Unitaries created since 2019 (first seen in the files read, which hold no year between "
        "2016-17 and 2021-22): "
        + (
            ", ".join(f"{r.authority} ({r.e_code}, {r.ons_code or 'no ONS code'})" for r in new_unitaries.itertuples())
            or "none"
        )
        + ".",
        f"- `{CLASS_MEDIANS_CSV}`: see below.",
        "",
    ]


def _columns_section() -> list[str]:
    """The data log's section on the extract's columns (GBP thousand, cash prices), measures and what is left out."""
    councils = registry.councils()
    return [
        "## Columns of the extract (the pandera schema `ddanalysis.sources.OUTTURN_SCHEMA`)",
        "",
        "| column | meaning |",
        "|---|---|",
        "| year | financial year, `2013-14` = 1 April 2013 to 31 March 2014 |",
        "| e_code | DCLG E-code (`E4606`) |",
        "| ons_code | ONS (GSS) code (`E08000030`), filled from the lookup for years that do not publish it |",
        "| authority | authority name as published that year (names change: match on codes) |",
        "| authority_class | L, MD, UA, SC, SD, O (`LB`, London borough from 2021-22, is L) |",
        "| measure | **added with the RSX and RA returns**: what the figure is (below); one row per year, E-code,",
        "  measure and service; never sum across measures |",
        "| rs_line | the return's own form line number where known (RS and RSX: 190 education ... 698/699 totals;",
        "  RA: 110 early years ... 698 TOTAL OTHER SERVICES, 799 TOTAL SERVICE EXPENDITURE); empty otherwise |",
        "| service | stable key: `ddanalysis.sources.SERVICE_KEYS` for the block totals (from the header, never from",
        "  the line number alone), snake_case of the header otherwise (RA's detailed lines: `library_service`,",
        "  `open_spaces`, `tourism`, `community_safety_cctv`, ...) |",
        "| label | the column header as published |",
        "| value_gbp_k | **GBP thousand, cash (nominal) prices of that year**; net income negative; empty where the",
        "  file shows a missing marker (`n/a`, `-`, `..`, `...`, `\u2026`, a GSS marker such as `[x]`, `[z]`,",
        "  `[c]`, `[low]`, an empty cell), never 0 |",
        "",
        "Measures:",
        "",
        *[f"- `{k}`: {v}" for k, v in MEASURES.items()],
        "",
        "Left out: the ENGLAND row, the CLASS BREAKDOWN block (and the accessible layout's Class Breakdown",
        "table, with its own header row) and the notes; descriptive columns (`Region`, `Notes`, `Detailed Class`",
        "or `Subclass`, `Certification`); columns that are not money (the `Please confirm (Yes=1 No=0)`",
        "confirmation, counts of people such as `Number of pensioners ...`, text such as `Category discontinued`).",
        f"Councils: {', '.join(f'{r.name} ({r.e_code})' for r in councils.itertuples())}.",
        "",
    ]


def _source_files_section(files: list[Path], reports: dict[str, dict]) -> list[str]:
    """The data log's Source files section: the table of files, what the loader met in them, real terms and quality."""
    return [
        "## Source files",
        "",
        "| file | return | year | format | sheet read | authorities | money columns "
        "| missing values (by marker) | bytes | sha256 (first 16) |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *_source_file_rows(files, reports),
        "",
        "What the loader met in them:",
        "",
        *_loader_notes(files, reports),
        "- RA_2023-24_data_Part_1.csv is described as Windows-1252, but its typographic marks are Mac OS Roman",
        "  bytes (0xD0 en dash in `adults (18\u201364)`, 0xD5 apostrophe, 0xC9 the `\u2026` missing marker; the",
        "  pound sign 0xA3 is the same in both): the loader decodes it as Mac OS Roman when those bytes outnumber",
        "  Windows-1252's own typographic bytes, so the 26 `\u2026` cells count as missing values.",
        "",
        "Real terms: the GDP deflator of `data/assumptions/appraisal.yaml` (HM Treasury, 2014-15 = 100) is",
        "unchanged and ends in 2019-20: no later published series could be found and verified for this",
        "change, so `ddanalysis.context` shows later years in cash only (real figures missing, never guessed).",
        "",
        "Schema change: the tidy frame gained the `measure` column (between `authority_class` and `rs_line`)",
        "when RSX and RA were added; uniqueness is now per (year, e_code, measure, service).",
        "",
        "Quality: official statistics compiled from each authority's returns (the revised releases where one",
        "was published). Figures are as published; nothing is imputed.",
        "",
    ]


def readme_text(files: list[Path], frame: pd.DataFrame, programme: pd.DataFrame, lookup: pd.DataFrame) -> str:
    """The data/official/README.md, the data log of the official figures (no dates: rebuilding is reproducible)."""
    reports = {r["file"]: r for r in frame.attrs["rs_report"]}
    return "\n".join(
        [
            *_provenance_lines(),
            *_files_section(programme, lookup),
            *_columns_section(),
            *_source_files_section(files, reports),
            "## Rebuild",
            "",
            "```",
            "make data        # = .venv/bin/python -m ddanalysis.sources.build",
            "```",
            "",
        ]
    )


CLASS_MEDIANS_NOTE = f"""
## Class medians (`{CLASS_MEDIANS_CSV}`)

The median outturn net current expenditure (GBP thousand) of every English council of the same class
(L, MD, UA, SC, SD; police, fire and other bodies left out), by year and canonical service, from the
same workbooks, with the number of councils that reported a value. Used to set each programme
council's spending against its peers (the strategic case). Same source and licence as above.
"""


def build(official_dir: Path | None = None, out_dir: Path | None = None) -> dict[str, Path]:
    """Rebuild the extract, the lookup and the README; returns their paths."""
    folder = Path(official_dir) if official_dir is not None else config.OFFICIAL_DIR
    out = Path(out_dir) if out_dir is not None else config.data_path("official")
    files = official_files(folder)
    frame = read_official(files)
    programme = programme_rows(frame, registry.councils())
    lookup = code_lookup_table(frame)
    targets = {
        "programme": out / Path(PROGRAMME_CSV).name,
        "lookup": out / Path(CODE_LOOKUP_CSV).name,
        "class_medians": out / CLASS_MEDIANS_CSV,
        "readme": out / "README.md",
    }
    texts = {
        "programme": render(programme, "csv"),
        "lookup": lookup.to_csv(index=False, lineterminator="\n"),
        "class_medians": class_medians(frame).to_csv(index=False, lineterminator="\n"),
        "readme": readme_text(files, frame, programme, lookup) + CLASS_MEDIANS_NOTE,
    }
    for name, path in targets.items():
        write_atomic(path, texts[name])
    return targets


def main(argv: list[str] | None = None) -> int:
    """Command line: rebuild, print what was written; input errors exit with status 2."""
    parser = argparse.ArgumentParser(prog="python -m ddanalysis.sources.build", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--official-dir",
        type=Path,
        default=None,
        help=f"official RS, RSX and RA files ({FORMATS_READ}; default {config.OFFICIAL_DIR})",
    )
    parser.add_argument("--out-dir", type=Path, default=None, help="where to write (default data/official)")
    args = parser.parse_args(argv)
    try:
        written = build(args.official_dir, args.out_dir)
    except DDAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written.values():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
