"""The multi-criteria analysis sheet: criteria, swing weights and scores (inputs), weighted totals (formulas).

Weighted score of an option = SUMPRODUCT(weight cells, the option's score cells); its rank is
Excel's RANK over the weighted scores (ties share the best rank, as in :mod:`ddanalysis.mca`).
Changing a weight or a score recalculates the totals, the ranks and every sheet that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from ..frames import records
from ..result import AppraisalResult
from .cells import put_formula, put_number, put_text, ref, set_style, sheet_ref
from .layout import Context, fit_row, merge, option_names, print_setup, set_widths, sheet_header


@dataclass(frozen=True)
class MCARefs:
    """Where each option's weighted score and rank are (absolute, sheet-qualified)."""

    sheet: str
    score: dict[str, str]
    rank: dict[str, str]
    weight_cells: dict[str, str]
    weights_total: str


def _criteria_names(result: AppraisalResult) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Criterion id -> name and description, and the criteria notes, as the result carries them."""
    crit = result.mca_criteria
    if crit is None:
        return {}, {}, dict(result.mca_notes)
    return dict(zip(crit.criterion, crit.name)), dict(zip(crit.criterion, crit.description)), dict(result.mca_notes)


def _section_heading(ws: Worksheet, r: int, title: str, last_col: int) -> None:
    """A section title across the sheet's columns 1 to ``last_col``."""
    put_text(ws, r, 1, title, "dd_section")
    for c in range(2, last_col + 1):
        set_style(ws, r, c, "dd_section")


def _score_table(
    ws: Worksheet,
    header: int,
    result: AppraisalResult,
    criteria: list[str],
    options: list[str],
    names: dict[str, str],
    descriptions: dict[str, str],
    widths: dict[int, int],
    first_opt_col: int,
) -> dict[str, str]:
    """The input table from row ``header``: one row per criterion with its swing weight (share) and each option's
    score (0-10); returns criterion -> its weight cell (absolute, sheet-qualified)."""
    onames = option_names(result).__getitem__
    mca = result.mca_scores
    scores = dict(zip(zip(mca["option"].tolist(), mca["criterion"].tolist()), mca["score"].tolist()))
    weights = pd.Series(result.mca_weights, dtype=float)
    put_text(ws, header, 1, "Criterion", "dd_header_left")
    put_text(ws, header, 2, "What it measures", "dd_header_left")
    put_text(ws, header, 3, "Weight", "dd_header")
    for j, opt in enumerate(options):
        style = "dd_recommended" if opt == result.recommended else "dd_header"
        put_text(ws, header, first_opt_col + j, onames(opt), style)
    fit_row(ws, header, [(onames(o), 14) for o in options], bold=True)
    weight_cells = {}
    for i, crit in enumerate(criteria):
        row = header + 1 + i
        put_text(ws, row, 1, names.get(crit, crit), "dd_text_bold_wrap")
        desc = descriptions.get(crit, "")
        put_text(ws, row, 2, desc, "dd_text")
        put_number(ws, row, 3, float(weights.get(crit, float("nan"))), "dd_weight_input")
        weight_cells[crit] = sheet_ref(ws.title, 3, row, absolute=True)
        for j, opt in enumerate(options):
            put_number(ws, row, first_opt_col + j, float(scores[(opt, crit)]), "dd_score_input")
        fit_row(ws, row, [(desc, widths[2])])
        fit_row(ws, row, [(names.get(crit, crit), widths[1])], bold=True)
    return weight_cells


def _weighted_scores_and_ranks(ws: Worksheet, first: int, last: int, first_opt_col: int, last_col: int) -> None:
    """Below the criteria rows ``first``..``last``: the weights' total (must be 100%), each option's weighted score
    (SUMPRODUCT, 0-10) and its rank (RANK, 1 = best), as formulas."""
    total_row, rank_row = last + 1, last + 2
    put_text(ws, total_row, 1, "Weighted score (0-10)", "dd_label_bold")
    put_text(ws, total_row, 2, "Weights total (must be 100%)", "dd_label")
    put_formula(ws, total_row, 3, f"=SUM({ref(3, first)}:{ref(3, last)})", "dd_pct_total")
    weights_span = f"{ref(3, first, True)}:{ref(3, last, True)}"
    for c in range(first_opt_col, last_col + 1):
        put_formula(ws, total_row, c, f"=SUMPRODUCT({weights_span},{ref(c, first)}:{ref(c, last)})", "dd_score_total")
    put_text(ws, rank_row, 1, "Rank (1 = best)", "dd_label_bold")
    set_style(ws, rank_row, 2, "dd_cell")
    set_style(ws, rank_row, 3, "dd_cell")
    totals_span = f"{ref(first_opt_col, total_row, True)}:{ref(last_col, total_row, True)}"
    for c in range(first_opt_col, last_col + 1):
        put_formula(ws, rank_row, c, f"=RANK({ref(c, total_row)},{totals_span},0)", "dd_int_bold")


def _ranking_stability(ws: Worksheet, r: int, result: AppraisalResult, last_col: int) -> int:
    """The stability of the ranking from row ``r`` (model values: each option's share of weight draws in which it
    ranks first, and its mean rank); returns the next free row."""
    onames = option_names(result).__getitem__
    _section_heading(ws, r, "How stable is the ranking when the weights move?", last_col)
    r += 1
    put_text(
        ws,
        r,
        1,
        "Values from the model (they do not recalculate): weights drawn at random around the weights "
        "above (Dirichlet, 2,000 seeded draws); share of draws in which each option ranks first, its "
        "mean rank, and the share in which its score is at least the status quo's (test (c) of the rule).",
        "dd_note",
    )
    r += 1
    for c, label in enumerate(("Option", "", "Ranks first", "Mean rank", "At least the status quo"), start=1):
        put_text(ws, r, c, label, "dd_header_left" if c <= 2 else "dd_header")
    merge(ws, r, 1, r, 2)
    r += 1
    for s in records(result.mca_stability):
        put_text(ws, r, 1, onames(s.option), "dd_label")
        merge(ws, r, 1, r, 2)
        put_number(ws, r, 3, s.share_first, "dd_pct")
        put_number(ws, r, 4, s.mean_rank, "dd_ratio")
        put_number(ws, r, 5, s.share_clears_status_quo, "dd_pct")
        r += 1
    return r


def _score_rationale(
    ws: Worksheet,
    r: int,
    result: AppraisalResult,
    options: list[str],
    names: dict[str, str],
    widths: dict[int, int],
    last_col: int,
) -> int:
    """Why each score (0-10), grouped by option, from row ``r``; returns the next free row."""
    onames = option_names(result).__getitem__
    _section_heading(ws, r, "Why each score", last_col)
    r += 1
    put_text(ws, r, 1, "Criterion", "dd_header_left")
    put_text(ws, r, 2, "Rationale", "dd_header_left")
    put_text(ws, r, 3, "Score", "dd_header")
    r += 1
    mca = result.mca_scores
    rows = list(zip(*(mca[col].tolist() for col in ("option", "criterion", "rationale", "score"))))
    for opt in options:
        for c in range(2, 4):
            set_style(ws, r, c, "dd_subheader")
        put_text(ws, r, 1, onames(opt), "dd_subheader")
        r += 1
        for criterion, rationale, score in ((c, t, x) for o, c, t, x in rows if o == opt):
            put_text(ws, r, 1, names.get(criterion, criterion), "dd_text")
            put_text(ws, r, 2, rationale, "dd_text")
            put_number(ws, r, 3, score, "dd_score")
            fit_row(ws, r, [(rationale, widths[2]), (names.get(criterion, criterion), widths[1])])
            r += 1
    return r


def _criteria_notes(ws: Worksheet, r: int, notes: dict[str, str], widths: dict[int, int], last_col: int) -> None:
    """Why these weights, the scores' status and their source, one labelled row each from row ``r`` (when given)."""
    for key, label in (("weights_rationale", "Why these weights"), ("status", "Status"), ("source", "Source")):
        text = notes.get(key, "")
        if not text:
            continue
        put_text(ws, r, 1, label, "dd_key")
        put_text(ws, r, 2, text, "dd_note_wrap")
        merge(ws, r, 2, r, last_col)
        fit_row(ws, r, [(text, sum(widths.values()) - widths[1])], small=True)
        r += 1


def write_mca(ws: Worksheet, ctx: Context, result: AppraisalResult) -> MCARefs:
    """Scores and weights as inputs, weighted totals and ranks as formulas, then stability and rationale."""
    names, descriptions, notes = _criteria_names(result)
    options = list(dict.fromkeys(result.mca_scores.option))
    criteria = list(dict.fromkeys(result.mca_scores.criterion))
    first_opt_col = 4
    last_col = first_opt_col + len(options) - 1
    widths = {1: 30, 2: 60, 3: 10, **{c: 15 for c in range(first_opt_col, last_col + 1)}}
    r = sheet_header(ws, ctx, "Multi-criteria analysis (non-monetised criteria)", widths)
    for text in (
        "Scores run from 0 to 10, higher is better (for risk to the council, 10 = least residual risk). Swing weights "
        "sum to 100%. Weights and scores are INPUTS (yellow): change them and the weighted scores and ranks "
        "recalculate.",
        "Weighted score = SUMPRODUCT(weights, scores), on the same 0-10 scale. "
        + (notes.get("not_scored", "") or "Costs and savings are valued in the money appraisal, not scored here."),
    ):
        put_text(ws, r, 1, text, "dd_note_wrap")
        merge(ws, r, 1, r, last_col)
        fit_row(ws, r, [(text, sum(widths.values()))], small=True)
        r += 1
    header = r + 1
    weight_cells = _score_table(ws, header, result, criteria, options, names, descriptions, widths, first_opt_col)
    first, last = header + 1, header + len(criteria)
    _weighted_scores_and_ranks(ws, first, last, first_opt_col, last_col)
    total_row, rank_row = last + 1, last + 2
    score_refs = {o: sheet_ref(ws.title, first_opt_col + j, total_row, True) for j, o in enumerate(options)}
    rank_refs = {o: sheet_ref(ws.title, first_opt_col + j, rank_row, True) for j, o in enumerate(options)}
    r = _ranking_stability(ws, rank_row + 2, result, last_col) + 1
    r = _score_rationale(ws, r, result, options, names, widths, last_col) + 1
    _criteria_notes(ws, r, notes, widths, last_col)
    set_widths(ws, widths)
    print_setup(ws, freeze=ref(1, header + 1))
    return MCARefs(
        sheet=ws.title,
        score=score_refs,
        rank=rank_refs,
        weight_cells=weight_cells,
        weights_total=sheet_ref(ws.title, 3, total_row, True),
    )
