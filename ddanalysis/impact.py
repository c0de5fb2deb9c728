"""How much each assumption moves the decision: the ranking behind ``ddanalysis assumptions --rank``.

For each of the ten projects, the central scenario's best and runner-up options are found (by net present
saving against the status quo, which counts as an option with a saving of 0). Each assumption is then
set to its low and to its high value, one at a time (the one-way sensitivity of
:func:`ddanalysis.uncertainty.sensitivity`), and its **swing** is how far the gap between those two
options' net present savings moves, as a share of the project's baseline net budget. An assumption's
impact is its largest swing over the ten projects, so that levers of options that are not recommended
in one project still rank through the projects where they are, and large projects do not drown small
ones. Ties (levers of options that are neither best nor runner-up anywhere) are broken by the largest
swing in the option's own net present saving, also as a share of the budget.

Nothing here changes an input: the functions read the bundled files through the engine's public
functions and return new frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import pandas as pd

from .baseline import project_baseline
from .engine import build_model
from .impact_ranks import entry_name
from .registry import STATUS_QUO, project_ids
from .uncertainty import sensitivity

#: Columns of :func:`rank_assumptions`.
RANK_COLUMNS = [
    "rank",
    "file",
    "entry",
    "scope",
    "key",
    "description",
    "unit",
    "low",
    "central",
    "high",
    "source_id",
    "quality",
    "verified",
    "gap_swing_share",
    "nps_swing_share",
    "project",
    "best",
    "runner_up",
]


def project_swings(project_id: str, perspective: str = "council") -> pd.DataFrame:
    """One row per assumption that moves an option of one project: its swing in the best-versus-runner-up gap.

    Columns: project, file, entry (:func:`entry_name`), scope, key, best, runner_up, gap_at_low, gap_at_high,
    gap_swing_share (the
    gap's swing over the baseline net budget), nps_swing_share (the largest swing of any option's own
    net present saving over the budget). Money in GBP.

    >>> swings = project_swings("walsall-college")
    >>> bool((swings["gap_swing_share"] >= 0).all())
    True
    """
    model, _ = build_model(project_id, perspective)
    book = model.book
    sens = sensitivity(model, book.values("central"))
    budget = abs(project_baseline(project_id).net_budget_gbp) or 1.0
    base = {STATUS_QUO: 0.0}
    base.update(sens.groupby("option")["nps_base"].first().to_dict())
    ranked = sorted(base, key=lambda o: (-base[o], o))
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else ranked[0]
    rows = []
    for (scope, key), grp in sens.groupby(["scope", "key"], sort=True):
        by_opt = grp.set_index("option")
        gap_low = _nps(by_opt, base, best, "nps_at_low") - _nps(by_opt, base, runner_up, "nps_at_low")
        gap_high = _nps(by_opt, base, best, "nps_at_high") - _nps(by_opt, base, runner_up, "nps_at_high")
        rows.append(
            {
                "project": project_id,
                "file": book.table.loc[(scope, key), "file"],
                "entry": entry_name(book.table.loc[(scope, key)], project_id),
                "scope": scope,
                "key": key,
                "best": best,
                "runner_up": runner_up,
                "gap_at_low": gap_low,
                "gap_at_high": gap_high,
                "gap_swing_share": abs(gap_high - gap_low) / budget,
                "nps_swing_share": float(grp["swing"].max()) / budget,
            }
        )
    return pd.DataFrame(rows)


def _nps(by_option: pd.DataFrame, base: Mapping[str, float], option: str, at: str) -> float:
    """An option's net present saving (GBP) in column ``at`` of one assumption's sensitivity rows
    (indexed by option), or its saving at the scenario's values ``base`` when it has no row there."""
    return float(by_option.loc[option, at]) if option in by_option.index else base[option]


@lru_cache(maxsize=4)
def _ranking(perspective: str) -> pd.DataFrame:
    swings = pd.concat([project_swings(pid, perspective) for pid in project_ids()], ignore_index=True)
    swings = swings.sort_values(
        ["gap_swing_share", "nps_swing_share", "project"], ascending=[False, False, True], kind="stable"
    )
    top = swings.drop_duplicates(["entry", "scope", "key"], keep="first")
    nps_max = swings.groupby(["entry", "scope", "key"])["nps_swing_share"].max()
    top = top.assign(nps_swing_share=[nps_max[(e, s, k)] for e, s, k in zip(top.entry, top.scope, top.key)])
    top = top.sort_values(
        ["gap_swing_share", "nps_swing_share", "entry", "scope", "key"],
        ascending=[False, False, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    top["rank"] = range(1, len(top) + 1)
    return top


def rank_assumptions(perspective: str = "council") -> pd.DataFrame:
    """Every assumption that moves an option in any project, ranked by impact on the decision (1 = largest).

    One row per assumption entry (a project file's override is its own entry), with its values, source,
    quality, whether it was verified, its largest gap swing (``gap_swing_share``, share of the baseline
    net budget) and the project where that swing occurs. Assumptions that move no option (for example
    the status quo's) are not listed. Returns a new frame; computed once per perspective and cached.
    """
    from .assumptions import load_book

    top = _ranking(perspective)
    rows = []
    for r in top.itertuples(index=False):
        entry = load_book(r.project).table.loc[(r.scope, r.key)]
        rows.append(
            {
                **{
                    c: getattr(r, c)
                    for c in (
                        "rank",
                        "file",
                        "entry",
                        "scope",
                        "key",
                        "gap_swing_share",
                        "nps_swing_share",
                        "project",
                        "best",
                        "runner_up",
                    )
                },
                "description": entry["description"],
                "unit": entry["unit"],
                "low": entry["low"],
                "central": entry["central"],
                "high": entry["high"],
                "source_id": entry["source_id"],
                "quality": entry["quality"],
                "verified": bool(entry.get("verified", False)),
            }
        )
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


def render_ranking(frame: pd.DataFrame, top: int | None = 25) -> str:
    """A plain-text table of the ranking (the first ``top`` rows; all when None)."""
    show = frame if top is None else frame.head(top)
    out = pd.DataFrame(
        {
            "rank": show["rank"],
            "assumption": [
                f"{s}.{k}" + ("" if e in (f"{s}.yaml", "appraisal.yaml") else f" ({p}'s override)")
                for e, s, k, p in zip(show.entry, show.scope, show.key, show.project)
            ],
            "low / central / high": [
                f"{lo:g} / {c:g} / {hi:g}" for lo, c, hi in zip(show.low, show.central, show.high)
            ],
            "gap swing": [f"{v:.2%}" for v in show.gap_swing_share],
            "project": show["project"],
            "source": show["source_id"],
            "quality": show["quality"],
            "verified": ["yes" if v else "no" for v in show["verified"]],
        }
    )
    head = (
        "Impact on the decision: swing (low to high, one at a time) in the gap between the best and runner-up "
        "options' net present savings, as a share of the project's baseline net budget; the largest over the "
        "ten projects.\n"
    )
    return head + out.to_string(index=False)
