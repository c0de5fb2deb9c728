"""Rebuild the bundled extract of the official RS workbooks (``make data``).

    python -m ddanalysis.sources.build [--official-dir DIR] [--out-dir DIR]

Reads every .xls/.xlsx RS workbook in ``config.OFFICIAL_DIR`` (../shared/data/official by
default; the workbooks themselves are never copied into the repository) and writes, each whole
or not at all (temporary file, then ``os.replace``), into ``data/official/``:

* ``rs_programme_councils.csv``: the tidy rows of the programme's 11 councils, every year and
  column available (GBP thousand; see ``ddanalysis.sources.schema``);
* ``rs_code_lookup.csv``: E-code -> ONS code of every authority, learnt from the workbooks that
  publish ONS codes (used to fill ONS codes for earlier years);
* ``README.md``: which files, who published them, the licence, and how to rebuild.
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
from .outturn import CODE_LOOKUP_CSV, PROGRAMME_CSV, read_rs_many
from .rs import SERVICE_KEYS
from .select import render

COLLECTION_URL = "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


def official_files(folder: Path) -> list[Path]:
    """The RS workbooks in ``folder`` (.xls and .xlsx; Office lock files and hidden files skipped)."""
    if not folder.is_dir():
        raise DataFileError(
            f"{folder}: folder of official RS workbooks not found; set DDANALYSIS_OFFICIAL or pass --official-dir"
        )
    files = sorted(
        p for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in (".xls", ".xlsx") and not p.name.startswith(("~$", "."))
    )
    if not files:
        raise DataFileError(f"{folder}: no .xls or .xlsx workbooks (expected the DCLG RS 'data by LA' files)")
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
    keep = frame["service"].isin(list(SERVICE_KEYS)).to_numpy() & frame["authority_class"].isin(MEDIAN_CLASSES).to_numpy()
    rows = frame.loc[keep, ["year", "authority_class", "service", "value_gbp_k"]].astype(
        {"year": str, "authority_class": str, "service": str})
    grouped = rows.groupby(["year", "authority_class", "service"], observed=True)["value_gbp_k"]
    out = pd.DataFrame({"median_gbp_k": grouped.median(), "authorities": grouped.count()}).reset_index()
    out = out[out["authorities"] > 0]
    return out.sort_values(["year", "authority_class", "service"], kind="stable").reset_index(drop=True)


def code_lookup_table(frame: pd.DataFrame) -> pd.DataFrame:
    """E-code, ONS code, name and year of the earliest workbook that published the pair.

    Only the years whose workbooks have an ONS code column count (not codes filled by the loader).
    """
    years = [r["year"] for r in frame.attrs["rs_report"] if r["has_ons_code"]]
    published = frame.loc[frame["year"].isin(years).to_numpy() & frame["ons_code"].notna().to_numpy()]
    table = (
        published[["e_code", "ons_code", "authority", "year"]].astype(str).drop_duplicates()
        .sort_values(["e_code", "year"], kind="stable").drop_duplicates("e_code")
    )
    return table.rename(columns={"year": "source_year"}).reset_index(drop=True)


def readme_text(files: list[Path], frame: pd.DataFrame, programme: pd.DataFrame, lookup: pd.DataFrame) -> str:
    """The data/official/README.md that documents the extract (no dates: rebuilding is reproducible)."""
    reports = {r["file"]: r for r in frame.attrs["rs_report"]}
    rows = []
    for path in files:
        r = reports[str(path)]
        rows.append(
            f"| {path.name} | {r['year']} | {r['sheet']} | {r['authorities']} | {r['columns']} | "
            f"{r['missing_values']} | {path.stat().st_size} | `{_sha256(path)[:16]}` |"
        )
    years = sorted(programme["year"].astype(str).unique())
    councils = registry.councils()
    return "\n".join([
        "# Official revenue outturn extract (derived; rebuilt by `make data`)",
        "",
        "Derived from the Department for Communities and Local Government's (DCLG, now the Ministry of",
        "Housing, Communities and Local Government) **Revenue Outturn Summary (RS) \"data by LA\"** workbooks,",
        "published on GOV.UK in the collection",
        f"[Local authority revenue expenditure and financing]({COLLECTION_URL}).",
        "",
        "Contains public sector information licensed under the",
        f"[Open Government Licence v3.0]({OGL_URL}).",
        "",
        "The workbooks are **not** in this repository; they live in `../shared/data/official/`",
        "(`DDANALYSIS_OFFICIAL` overrides). The files here are written by",
        "`python -m ddanalysis.sources.build` (`make data`), whole or not at all; do not edit them by hand.",
        "",
        "## Files",
        "",
        f"- `{Path(PROGRAMME_CSV).name}`: {len(programme)} rows: the programme's {programme['e_code'].nunique()} councils",
        f"  (`data/councils.csv`), years {years[0]} to {years[-1]}, every column of the net current expenditure sheet",
        "  that holds money. Load it with `ddanalysis.sources.programme_outturn()`.",
        f"- `{Path(CODE_LOOKUP_CSV).name}`: {len(lookup)} authorities' E-code -> ONS (GSS) code, learnt from the",
        "  workbooks that publish ONS codes (2014-15 on; the earliest such year wins where a code changed),",
        "  used to fill `ons_code` for earlier years. Bodies without an ONS code (police, fire and other",
        "  bodies, shown `n/a`) and authorities that ended before 2014-15 stay without one.",
        "",
        "## Columns of the extract",
        "",
        "| column | meaning |",
        "|---|---|",
        "| year | financial year, `2013-14` = 1 April 2013 to 31 March 2014 |",
        "| e_code | DCLG E-code (`E4606`) |",
        "| ons_code | ONS (GSS) code (`E08000030`), filled from the lookup for years that do not publish it |",
        "| authority | authority name as published that year (names change: match on codes) |",
        "| authority_class | L, MD, UA, SC, SD, O |",
        "| rs_line | RS form line number where known (190 education, 290 highways and transport, 330 children's",
        "  social care, 360 adult social care, 390 public health, 490 housing (GFRA), 509 cultural, 590",
        "  environmental, 599 planning, 698 total service expenditure); empty otherwise |",
        "| service | stable key: `ddanalysis.sources.SERVICE_KEYS` for the services, snake_case of the header otherwise |",
        "| label | the column header as published |",
        "| value_gbp_k | **GBP thousand, cash (nominal) prices of that year**; net income negative; empty where the",
        "  workbook shows a missing marker (`n/a`, `-`, `..`, `...`, `\u2026`, empty cell), never 0 |",
        "",
        "Left out: the ENGLAND row, the CLASS BREAKDOWN block and the notes; columns that are not money",
        "(the `Please confirm (Yes=1 No=0)` confirmation, counts of people such as `Number of pensioners ...`).",
        f"Councils: {', '.join(f'{r.name} ({r.e_code})' for r in councils.itertuples())}.",
        "",
        "## Source workbooks",
        "",
        "| file | year | sheet read | authorities | money columns | missing values | bytes | sha256 (first 16) |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Quality: official statistics compiled by DCLG from each authority's Revenue Outturn returns",
        "(the revised releases where one was published). Figures are as published; nothing is imputed.",
        "",
        "## Rebuild",
        "",
        "```",
        "make data        # = .venv/bin/python -m ddanalysis.sources.build",
        "```",
        "",
    ])


CLASS_MEDIANS_NOTE = f"""
## Class medians (`{CLASS_MEDIANS_CSV}`)

The median net current expenditure (GBP thousand) of every English council of the same class
(L, MD, UA, SC, SD; police, fire and other bodies left out), by year and canonical service, from the
same workbooks, with the number of councils that reported a value. Used to set each programme
council's spending against its peers (the strategic case). Same source and licence as above.
"""


def build(official_dir: Path | None = None, out_dir: Path | None = None) -> dict[str, Path]:
    """Rebuild the extract, the lookup and the README; returns their paths."""
    folder = Path(official_dir) if official_dir is not None else config.OFFICIAL_DIR
    out = Path(out_dir) if out_dir is not None else config.data_path("official")
    files = official_files(folder)
    frame = read_rs_many(files)
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
    parser.add_argument("--official-dir", type=Path, default=None, help=f"RS workbooks (default {config.OFFICIAL_DIR})")
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
