"""The generated part of the data log: the assumptions table in ``data/assumptions/README.md`` and the impact
ranks in ``data/assumptions/impact_rank.csv``.

``python -m ddanalysis.datalog`` (or ``make datalog``) rewrites the text between the two markers below
from the assumption files and the impact ranking, and writes the ranks file; ``--check`` exits non-zero
when either committed file differs from a fresh one (the test suite runs the same comparison). The
hand-written rules around the markers are never touched.

The ranks file is what the workbook's Assumptions sheet, the dashboard's assumptions tab and the notebooks
show as each entry's impact rank (read by :mod:`ddanalysis.impact_ranks`): ranking the ten projects takes
minutes, so it is done here, once per change of the data, not in every appraisal.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from . import config
from .assumptions import TEAM_JUDGEMENT
from .atomic import write_atomic
from .impact_ranks import RANK_FILE_COLUMNS, rank_file_path
from .presentation import formats

BEGIN = "<!-- BEGIN GENERATED: assumptions table (python -m ddanalysis.datalog; do not edit by hand) -->"
END = "<!-- END GENERATED: assumptions table -->"


def readme_path() -> Path:
    return Path(config.data_path("assumptions")) / "README.md"


def build_rank_file(perspective: str = "council") -> str:
    """The ranks file's text (CSV, ``RANK_FILE_COLUMNS``, swings to six decimals), from a fresh ranking."""
    from .impact import rank_assumptions

    frame = rank_assumptions(perspective)[RANK_FILE_COLUMNS]
    return frame.to_csv(index=False, float_format="%.6f", lineterminator="\n")


def _entries() -> pd.DataFrame:
    """Every assumption entry: the defaults, then each project's overrides (file, scope, key, ...; ``where``: the
    file as shown, a project's overrides by their path from data/assumptions)."""
    from .assumptions import ORIGIN_DEFAULT, load_book
    from .registry import project_ids

    book = load_book(None).table
    frames = [book.assign(where=book["file"])]
    for pid in project_ids():
        t = load_book(pid).table
        frames.append(t[t["origin"] != ORIGIN_DEFAULT].assign(where=f"../projects/{pid}/assumptions.yaml"))
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(["where", "scope", "key"]).reset_index(drop=True)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _num(v: float) -> str:
    return f"{v:,.6g}" if abs(v) >= 1000 else f"{v:.6g}"


def build_table(perspective: str = "council") -> str:
    """The generated Markdown: counts, then one row per assumption ordered by impact rank."""
    from .impact import rank_assumptions

    entries = _entries()
    ranks = rank_assumptions(perspective).set_index(["entry", "scope", "key"])
    entries["rank"] = [
        int(ranks.loc[(w, s, k), "rank"]) if (w, s, k) in ranks.index else None
        for w, s, k in zip(entries["where"], entries.scope, entries.key)
    ]
    entries["swing"] = [
        float(ranks.loc[(w, s, k), "gap_swing_share"]) if (w, s, k) in ranks.index else None
        for w, s, k in zip(entries["where"], entries.scope, entries.key)
    ]
    entries = entries.sort_values(["rank", "where", "scope", "key"], na_position="last", kind="stable")
    n = len(entries)
    judged = int((entries.source_id == TEAM_JUDGEMENT).sum())
    quality = Counter(entries.quality)
    verified = int(entries.verified.astype(bool).sum())
    top25 = entries[entries["rank"].notna() & (entries["rank"] <= 25)]
    lines = [
        f"{n} assumptions ({len(_defaults(entries))} in the model files and appraisal.yaml, "
        f"{n - len(_defaults(entries))} project overrides). Team judgement: {judged} ({judged / n:.0%}). "
        f"Quality: green {quality.get('green', 0)}, amber {quality.get('amber', 0)}, red {quality.get('red', 0)}. "
        f"Verified against the source's own text: {verified}. Of the 25 highest-impact assumptions, "
        f"{int((top25.source_id == TEAM_JUDGEMENT).sum())} rest on team judgement.",
        "",
        "Impact: the swing (low to high, one at a time, central scenario, council perspective) in the gap between "
        "the best and runner-up options' net present savings, as a share of the project's baseline net budget; the "
        "largest over the ten projects (`ddanalysis assumptions --rank`).",
        "",
        "| rank | assumption | file | central (low to high) | unit | as of | source: locator "
        "| quality | verified | impact |",
        "|---:|---|---|---|---|---|---|---|---|---:|",
    ]
    for r in entries.itertuples(index=False):
        where_in = formats.locator_text(r.locator, r.also_cited)
        src = r.source_id + (f": {where_in}" if where_in else "")
        lines.append(
            "| "
            + " | ".join(
                [
                    "" if r.rank is None or pd.isna(r.rank) else str(int(r.rank)),
                    f"`{r.scope}.{r.key}`",
                    r.where,
                    f"{_num(r.central)} ({_num(r.low)} to {_num(r.high)})",
                    _cell(r.unit),
                    _cell(r.as_of),
                    _cell(src),
                    r.quality,
                    "yes" if r.verified else "no",
                    "" if r.swing is None or pd.isna(r.swing) else f"{r.swing:.1%}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def _defaults(entries: pd.DataFrame) -> pd.DataFrame:
    return entries[(entries.file == "appraisal.yaml") | (entries.file == entries.scope + ".yaml")]


def render_readme(text: str, table: str) -> str:
    """``text`` with the part between the markers replaced by ``table`` (markers appended when absent)."""
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return text.rstrip("\n") + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path, ranks = readme_path(), rank_file_path()
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    old_ranks = ranks.read_text(encoding="utf-8") if ranks.exists() else ""
    fresh, fresh_ranks = render_readme(text, build_table()), build_rank_file()
    if "--check" in argv:
        stale = [p for p, new, old in ((path, fresh, text), (ranks, fresh_ranks, old_ranks)) if new != old]
        for p in stale:
            print(f"{p}: out of date with the assumption files; run `make datalog`", file=sys.stderr)
        return 1 if stale else 0
    write_atomic(path, fresh)
    write_atomic(ranks, fresh_ranks)
    print(f"wrote {path} and {ranks}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
