"""The decision's words, written once: the recommendation rule and sentence, perspective and
price-basis wording, the illustrative label and the quality legend.

Every output (notebook, dashboard, Excel, CLI, JSON) takes its sentences from here, so the rule a
chief executive reads in the board workbook is word for word the one on the dashboard.
"""
from __future__ import annotations

from typing import Any, Mapping

from . import formats

#: How the preferred option is chosen (shown beside every recommendation).
RECOMMENDATION_RULE = (
    "the option with the largest net present saving among those that (a) save money in the central case, "
    "(b) save money in at least half the Monte Carlo draws, and (c) score at least as well as the status quo "
    "on the non-monetised criteria; otherwise, the status quo.")

#: How optimism bias and the Monte Carlo avoid counting the same risk twice (JSON method notes).
OPTIMISM_BIAS_NOTE = (
    "Optimism bias uplifts each option's one-off costs and each year's net change in operating costs against the "
    "status quo (a net increase x (1 + ob), a net reduction / (1 + ob)); income is a benefit and takes no uplift. "
    "The uplift is its own line (optimism_bias_gbp, present value), never folded into a cost line, so splitting or "
    "merging cost lines changes nothing. The mitigation is derived from the contributory factors shown to be "
    "managed (0 until evidence is recorded: the upper bound applies) unless explicitly overridden, and it is never "
    "drawn in the Monte Carlo: the draws vary the assumptions over their own ranges around the same uplift, which "
    "stands for the systematic bias the ranges leave out.")

#: The price base, stated once in every output.
PRICE_BASE_NOTE = (
    "Real prices of the base year (the year of the baseline budget); the first appraisal year is the next and is "
    "undiscounted. The Green Book's convention (prices of the first year of the proposal) differs by one uniform "
    "factor for every option, which changes no ranking and no ratio.")

#: Perspective id -> the words a sentence uses ("the council's General Fund").
PERSPECTIVE_WORDS: dict[str, str] = {
    "council": "the council's General Fund",
    "public": "the public sector as a whole",
    "social": "society as a whole (net present social value)",
}

#: What each perspective counts, in a sentence (method notes, JSON).
PERSPECTIVE_NOTES = {
    "council": "Costs and income of the council's General Fund, including business-rates relief it loses under "
               "rates retention and irrecoverable VAT.",
    "public": "Public-sector finance: transfers between public bodies (rates relief, VAT) net out; redundancy "
              "payments still count.",
    "social": "Green Book net present social value: transfers (rates relief, VAT, redundancy payments, grants) "
              "excluded; volunteer time at an opportunity cost (a labelled judgement) and buildings transferred "
              "to a community body at their opportunity cost (proxied by their running cost).",
}

#: Perspective id -> a control's or a column's label ("Council (General Fund)").
PERSPECTIVE_TITLES: dict[str, str] = {
    "council": "Council (General Fund)",
    "public": "Public sector as a whole",
    "social": "Society (net present social value)",
}

#: Quality rating -> what it means for a reader.
QUALITY_TEXT: dict[str, str] = {
    "green": "strongest evidence",
    "amber": "moderate: check before quoting",
    "red": "weakest: to be replaced by the council's own evidence",
}

#: Background colours of the quality ratings (light, so black text keeps its contrast).
QUALITY_COLOURS: dict[str, str] = {"green": "#d9ead3", "amber": "#fce5cd", "red": "#f4cccc"}

#: The label every illustrative figure carries.
ILLUSTRATIVE_TEXT = ("ILLUSTRATIVE: the baseline budget, assumptions and scores are illustrative, not the "
                     "council's own figures; replace them with the council's ledger and evidence before use.")

#: Short form, for charts and table captions.
ILLUSTRATIVE_SHORT = "ILLUSTRATIVE figures, not the council's own"


def perspective_words(perspective: str) -> str:
    """The perspective in words; an unknown id is returned as it is."""
    return PERSPECTIVE_WORDS.get(perspective, perspective)


def price_basis(base_year: str) -> str:
    """``real 2014-15 prices``."""
    return f"real {base_year} prices"


def basis_caption(what: str, base_year: str, perspective: str, scenario: str) -> str:
    """A table caption's basis: ``<what> - GBP, real 2014-15 prices, council perspective, central scenario``."""
    return f"{what} - GBP, {price_basis(base_year)}, {perspective} perspective, {scenario} scenario"


def illustrative_note(illustrative: bool, baseline_source: str) -> str:
    """The baseline's provenance, led by the illustrative warning where it applies (plain text)."""
    if illustrative:
        return ("ILLUSTRATIVE. The baseline budget, the multi-criteria scores and the plan durations are the "
                "ddanalysis team's illustrative judgements, sized against the council's official outturn, not the "
                f"council's own figures. Source of the baseline: {baseline_source}")
    return f"Baseline: {baseline_source}"


def recommendation_sentence(best: Mapping[str, Any] | None, status_quo_mca: float, *, have_monte_carlo: bool,
                            perspective: str, base_year: str, horizon_years: int) -> str:
    """The recommendation in one sentence, by :data:`RECOMMENDATION_RULE`.

    ``best``: the chosen option's headline row (name, net_present_saving_gbp, go_live_year,
    payback_year, p_saving_positive, mca_score), or None when the status quo is kept.
    """
    basis = (f"net present saving over {horizon_years} years, {perspective} perspective, "
             f"{price_basis(base_year)}")
    if best is None:
        return ("Keep the service in-house for now: no short-listed option both saves money (with at least even "
                "odds) and scores at least as well as the status quo on the non-monetised criteria "
                f"({basis}).")
    payback = (f"pays back in {best['payback_year']}" if not formats.is_missing(best.get("payback_year"))
               else "does not pay back within the horizon")
    p = best.get("p_saving_positive")
    odds = (f", saves money in {p:.0%} of simulations" if have_monte_carlo and not formats.is_missing(p) else "")
    return (f"Recommended: {best['name']}. It saves {formats.money(best['net_present_saving_gbp'])} ({basis}), "
            f"goes live in {best['go_live_year']}, {payback}{odds}, and scores {best['mca_score']:.1f}/10 on the "
            f"non-monetised criteria (status quo {status_quo_mca:.1f}).")


def quality_legend() -> str:
    """``green: strongest evidence; amber: ...; red: ...`` (plain text)."""
    return "; ".join(f"{k}: {v}" for k, v in QUALITY_TEXT.items())
