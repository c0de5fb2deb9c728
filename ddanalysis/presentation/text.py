"""The decision's words, written once: the recommendation rule and sentence, perspective and
price-basis wording, the illustrative label and the quality legend.

Every output (notebook, dashboard, Excel, CLI, JSON) takes its sentences from here, so the rule a
chief executive reads in the board workbook is word for word the one on the dashboard.
"""

from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

from . import formats

#: How the preferred option is chosen (shown beside every recommendation).
RECOMMENDATION_RULE = (
    "the option with the largest net present saving among those that (a) save money in the central case, "
    "(b) save money in at least half the Monte Carlo draws, and (c) score at least as well as the status quo "
    "on the non-monetised criteria; otherwise, the status quo."
)

#: How optimism bias and the Monte Carlo avoid counting the same risk twice (JSON method notes).
OPTIMISM_BIAS_NOTE = (
    "Optimism bias uplifts each option's one-off costs and each year's net change in operating costs against the "
    "status quo (a net increase x (1 + ob), a net reduction / (1 + ob)); income is a benefit and takes no uplift. "
    "The uplift is its own line (optimism_bias_gbp, present value), never folded into a cost line, so splitting or "
    "merging cost lines changes nothing. The mitigation is derived from the contributory factors shown to be "
    "managed (0 until evidence is recorded: the upper bound applies) unless explicitly overridden, and it is never "
    "drawn in the Monte Carlo: the draws vary the assumptions over their own ranges around the same uplift, which "
    "stands for the systematic bias the ranges leave out."
)

#: The kinds of cost optimism bias uplifts (``appraisal.yaml`` ``optimism_bias.use``), in words.
OPTIMISM_BIAS_KIND_WORDS: dict[str, str] = {
    "operating": "net change in operating costs",
    "one_off": "one-off transition costs (other than IT)",
    "it_separation": "IT and data separation",
}


def optimism_bias_kind(kind: str) -> str:
    """One kind of cost optimism bias uplifts, in words ('one_off' -> 'one-off transition costs (other than IT)');
    an unknown kind with its underscores as spaces."""
    return OPTIMISM_BIAS_KIND_WORDS.get(kind, kind.replace("_", " "))


#: The price base, stated once in every output.
PRICE_BASE_NOTE = (
    "Real prices of the base year (the year of the baseline budget); the first appraisal year is the next and is "
    "undiscounted. The Green Book's convention (prices of the first year of the proposal) differs by one uniform "
    "factor for every option, which changes no ranking and no ratio."
)

#: How the financial case in cash is made (JSON note, table captions).
CASH_PROFILE_NOTE = (
    "The financial case in cash: each year's real saving, split between the councils, in the cash of that year. "
    "Pay lines (staff, pension rate) are inflated by the pay award less the real pay growth already in the real "
    "figures, every other line and the savings target by price inflation (data/assumptions/inflation.yaml, "
    "sourced and dated; judgements labelled red). The target is the appraisal's savings target, each council's part "
    "being its share of the net budget; the gap is the target less the saving (positive: short of the target)."
)

#: How the councils of a joint project share it (table captions).
BY_COUNCIL_NOTE = (
    "Each council's part of each option's net present saving and one-off cost; the councils' parts sum to the "
    "option's total."
)

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

#: Quality rating -> what it means for a reader: the data log's rule (data/assumptions/README.md, "Quality
#: rule"), which tests/test_evidence_rules.py enforces on every assumption file.
QUALITY_TEXT: dict[str, str] = {
    "green": "an official statistic, a statute (for a rule) or the council's own ledger, read in its own text",
    "amber": (
        "a published study or survey of a comparable body, or another council's published report, read in its own text"
    ),
    "red": "a judgement, or a figure not checked against its source: to be replaced by the council's own evidence",
}

#: Background colours of the quality ratings (light, so black text keeps its contrast).
QUALITY_COLOURS: dict[str, str] = {"green": "#d9ead3", "amber": "#fce5cd", "red": "#f4cccc"}

#: The label every illustrative figure carries.
ILLUSTRATIVE_TEXT = (
    "ILLUSTRATIVE: the baseline budget, assumptions and scores are illustrative, not the "
    "council's own figures; replace them with the council's ledger and evidence before use."
)

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
        return (
            "ILLUSTRATIVE. The baseline budget, the multi-criteria scores and the plan durations are the "
            "ddanalysis team's illustrative judgements, sized against the council's official outturn, not the "
            f"council's own figures. Source of the baseline: {baseline_source}"
        )
    return f"Baseline: {baseline_source}"


def recommendation_sentence(
    best: Mapping[str, Any] | None,
    status_quo_mca: float,
    *,
    have_monte_carlo: bool,
    perspective: str,
    base_year: str,
    horizon_years: int,
    p_best: float | None = None,
) -> str:
    """The recommendation in one sentence, by :data:`RECOMMENDATION_RULE`.

    ``best``: the chosen option's headline row (name, net_present_saving_gbp, go_live_year,
    payback_year, p_saving_positive, mca_score), or None when the status quo is kept. ``p_best``: the
    chosen option's (or the status quo's) probability best, when known: "best in 71% of simulations".
    The rule does not use it.
    """
    best_in = formats.chance(p_best) if have_monte_carlo and not formats.is_missing(p_best) else None
    if best_in is not None:
        best_in += " of simulations" + (
            " on net present social value (outcome benefits included)" if perspective == "social" else ""
        )
    basis = f"net present saving over {horizon_years} years, {perspective} perspective, {price_basis(base_year)}"
    if best is None:
        return (
            "Keep the service in-house for now: no short-listed option both saves money (with at least even "
            "odds) and scores at least as well as the status quo on the non-monetised criteria "
            f"({basis})." + (f" Keeping it in-house is best in {best_in}." if best_in is not None else "")
        )
    payback = (
        f"pays back in {best['payback_year']} (undiscounted)"
        if not formats.is_missing(best.get("payback_year"))
        else "does not pay back within the horizon"
    )
    p = best.get("p_saving_positive")
    odds = ""
    if have_monte_carlo and p is not None and not formats.is_missing(p):
        odds = f", saves money in {formats.chance(float(p))} of simulations"
    if best_in is not None:
        odds += f", is best in {best_in}"
    return (
        f"Recommended: {best['name']}. It saves {formats.money(best['net_present_saving_gbp'])} ({basis}), "
        f"goes live in {best['go_live_year']}, {payback}{odds}, and scores {formats.score(best['mca_score'])}/10 on "
        f"the non-monetised criteria (status quo {formats.score(status_quo_mca)})."
        + ("" if have_monte_carlo else " " + NO_DRAWS_NOTE)
    )


class PerspectiveCheck(NamedTuple):
    """What the rule recommends from another perspective (central values, no Monte Carlo draws)."""

    perspective: str  # the perspective's id (council, public, social)
    option_name: str  # the option the rule recommends from it
    net_present_saving_gbp: float | None  # its net present saving (GBP, real; None for the status quo)
    #: the appraisal's own recommended option's net present saving from that perspective (GBP, real; None if
    #: unknown)
    recommended_gbp: float | None = None


def other_perspectives_sentence(recommended: str, others: Sequence[PerspectiveCheck]) -> str:
    """What the rule recommends from the other perspectives, beside this one's ``recommended`` option's name,
    and, where another option is recommended, what ``recommended`` itself is worth from that perspective.

    ``others``: one :class:`PerspectiveCheck` per other perspective. The Green Book's headline is the whole of
    society's view, so a paper written from the council's must say when the wider views differ."""

    def one(check: PerspectiveCheck) -> str:
        said = f"from {perspective_words(check.perspective)}, {check.option_name}"
        if check.net_present_saving_gbp is not None:
            said += f" (net present saving {formats.money(check.net_present_saving_gbp)})"
        own = check.recommended_gbp
        if check.option_name != recommended and own is not None:
            said += f", where {recommended} " + (
                f"would save {formats.money(own)}"
                if own >= 0
                else f"would cost {formats.money(-own)} more than the status quo"
            )
        return said

    views = "; ".join(one(c) for c in others)
    basis = "Worked at central values, without the Monte Carlo test (b)."
    if all(c.option_name == recommended for c in others):
        return f"The other perspectives recommend the same option: {views}. {basis}"
    return (
        f"Whose costs and gains count changes the recommendation. The rule recommends, {views}. {basis} The "
        "perspectives count transfers differently (business-rates relief, VAT, grants and donations between the "
        "council, the rest of the public sector and others): see the method notes. Members should see this "
        "before deciding on the council's view alone."
    )


#: The dashboard summary's pointer to the cross-checks, which its "Who gains" tab works out when opened.
OTHER_BASES_POINTER = (
    "Who gains tab: what the rule recommends from the other perspectives, and with a provider's margin and "
    "contract management charged on the whole service."
)


class FundingBasisCheck(NamedTuple):
    """The rule's recommendation with the whole service treated as paid for by the council (central values,
    no Monte Carlo draws), beside the share it does pay for today."""

    council_funded_share: float  # share of the service's cash spending the council pays for (0..1)
    funders: tuple[str, ...]  # who pays the rest (the baseline's funded_by; empty when not listed)
    option_name: str  # the option the rule then recommends
    net_present_saving_gbp: float | None  # its net present saving (GBP, real; None for the status quo)
    #: the appraisal's own recommended option's net present saving on that basis (GBP, real; None if unknown)
    recommended_gbp: float | None = None


def funding_basis_sentence(recommended: str, check: FundingBasisCheck) -> str:
    """Say how much of the service others pay for, that the appraisal credits the council with savings on the
    whole service but charges a provider's margin and contract management on the council-funded share only,
    and what the rule recommends when both fall on the whole service (``recommended``: this appraisal's
    option's name). A board must see when its recommendation rests on that asymmetry."""
    others = 1.0 - check.council_funded_share
    who = f" ({'; '.join(check.funders)})" if check.funders else " (the income it earns from others)"
    saving = (
        ""
        if check.net_present_saving_gbp is None
        else f" (net present saving {formats.money(check.net_present_saving_gbp)})"
    )
    lead = (
        f"Who pays: others pay {formats.share(others)} of this service's cash spending{who}. The appraisal credits "
        "the council with each option's savings on the whole service, but charges a provider's margin and "
        f"contract management only on the {formats.share(check.council_funded_share)} the council pays for. "
        "Treating the whole service as paid for by the council, so that both fall on all of it,"
    )
    basis = "Worked at central values, without the Monte Carlo test (b)."
    if check.option_name == recommended:
        return f"{lead} the rule still recommends {check.option_name}{saving}. {basis}"
    own = check.recommended_gbp
    falls = (
        ""
        if own is None
        else f", while {recommended} would save {formats.money(own)}"
        if own >= 0
        else f", while {recommended} would cost {formats.money(-own)} more than the status quo"
    )
    return (
        f"{lead} the rule recommends {check.option_name}{saving} instead{falls}. {basis} The recommendation rests "
        "on the council keeping the new body's savings on money others pay: the contract and the funders' "
        "agreements must secure that, and members should see this before deciding."
    )


class PassedOver(NamedTuple):
    """An option with a larger net present saving than the recommended one that test (c) of the rule excludes."""

    name: str
    net_present_saving_gbp: float  # GBP, real prices of the base year
    mca_score: float  # its weighted non-monetised score (0-10)
    share_clears_status_quo: float | None  # share of weight draws in which it scores at least the status quo


def passed_over_sentence(passed_over: Sequence[PassedOver], status_quo_mca: float) -> str:
    """Name the options the rule passes over on the non-monetised criteria although they save more, with their
    scores against the status quo's and how often moving the weights would clear them ('' when none): the choice
    then rests on the scores, so a board must see it."""
    if not passed_over:
        return ""

    def one(p: PassedOver) -> str:
        moved = (
            ""
            if p.share_clears_status_quo is None or formats.is_missing(p.share_clears_status_quo)
            else f", at least the status quo's in {formats.share(p.share_clears_status_quo)} of weight draws"
        )
        saving = formats.money(p.net_present_saving_gbp)
        return f"{p.name} (net present saving {saving}; score {formats.score(p.mca_score)}{moved})"

    what = "; ".join(one(p) for p in passed_over)
    them = "it" if len(passed_over) == 1 else "them"
    return (
        f"The rule passes over {what}: more saving, but a lower score than the status quo's "
        f"{formats.score(status_quo_mca)}/10 on the non-monetised criteria (test (c)). The choice between {them} "
        "and the recommendation rests on those scores, so they should be the council's own."
    )


class Switch(NamedTuple):
    """One switching value of the recommended option against the next-best option the rule could choose."""

    label: str  # what the assumption is (the start of its description) and its key, ``scope.key``
    unit: str  # the assumption's own unit (levers.yaml)
    value: float  # the value the appraisal used
    switch: float  # the value at which the option draws level with the next-best
    low: float  # the assumption's low value (the scenario's range)
    high: float  # its high value
    next_best: str  # the next-best option's name
    evidence: str = ""  # what the value rests on, in words (:func:`evidence_words`); '' when not known
    key: str = ""  # the assumption's key, ``scope.key`` (the key grammar of data/assumptions/README.md)


#: The words of a switching sentence for what an assumption's value rests on, by quality rating.
EVIDENCE_WORDS: dict[str, str] = {
    "green": "an official figure or the council's own ledger, green",
    "amber": "a published study, survey or council report, amber",
    "red": "a figure not checked against its source, red",
}
#: What a switching value's assumption rests on when the run replaced its value (``--set``, a dashboard slider).
WHAT_IF_WORDS = "a what-if value of this run"


def evidence_words(quality: str, judgement: bool) -> str:
    """What an assumption's value rests on, for a board: 'the team's judgement, red' for a team judgement, else
    by its quality rating (:data:`EVIDENCE_WORDS`); '' for an unknown rating."""
    return "the team's judgement, red" if judgement else EVIDENCE_WORDS.get(quality, "")


def switching_sentence(recommended: str, switches: Sequence[Switch], others_inside: int = 0) -> str:
    """Say how far the assumptions nearest to changing the recommendation would have to move, one at a time
    with the others held, and what each value rests on ('' when none): 'how wrong can we be before the answer
    changes?' is a board's first question (Green Book: switching values). Then what that means: whether any
    switch lies inside its assumption's range, and, when one of them is the team's judgement, that the chances
    the Monte Carlo gives are only as good as the judged ranges. ``switches``: nearest first
    (:func:`tables.nearest_switches`); ``others_inside``: how many of the option's other switching values, further
    down its table, also lie inside their ranges."""
    if not switches:
        return ""

    def one(sw: Switch) -> str:
        v = formats.value_in_unit
        rests = f"; {sw.evidence}" if sw.evidence else ""
        return (
            f"{sw.label} were {v(sw.switch, sw.unit)} instead of {v(sw.value, sw.unit)} "
            f"(range {v(sw.low, sw.unit)} to {v(sw.high, sw.unit)}{rests})"
        )

    rivals = list(dict.fromkeys(sw.next_best for sw in switches))
    rival = rivals[0] if len(rivals) == 1 else "the next-best option"
    inside = [sw for sw in switches if min(sw.low, sw.high) <= sw.switch <= max(sw.low, sw.high)]
    further = (
        f" ({others_inside} more, further down the table, lie inside theirs)"
        if others_inside > 1
        else " (1 more, further down the table, lies inside its range)"
        if others_inside == 1
        else ""
    )
    if inside:
        them = "it" if len(inside) == 1 else "them"
        lie = "lies inside its assumption's range" if len(inside) == 1 else "lie inside their assumption's range"
        meaning = (
            f"{len(inside)} of the {len(switches)} {lie}, so the choice turns on {them}: firm {them} up before deciding"
        )
    elif others_inside:
        meaning = "each of these lies outside its assumption's range"
    else:
        meaning = (
            "each lies outside its assumption's range, and so does every other, so no one assumption moved alone "
            "within its range changes the choice"
        )
    meaning += further
    judged = any(sw.evidence == evidence_words("", True) for sw in switches)
    caution = (
        " Where a range is the team's judgement, the Monte Carlo's chances are only as sound as that range."
        if judged
        else ""
    )
    return (
        f"What would change it: with the other assumptions held, {recommended} draws level with {rival} if "
        + "; or if ".join(one(sw) for sw in switches)
        + f". These are its switching values nearest to the values used, measured against each assumption's "
        f"range; {meaning}; its switching-value table lists them all.{caution}"
    )


#: Under the command line's public-value table (``ddanalysis appraise``): what its short headers hold.
CLI_PUBLIC_VALUE_LEGEND = (
    "benefits counted: present value of the outcome benefits this perspective counts; fiscal ROI: the fiscal "
    "benefits it counts per GBP 1 of present value of costs (one-off costs plus operating increases); public "
    "ROI: every benefit, fiscal, economic and social, to everyone (counted here or not), per GBP 1 of the same "
    "costs; '-' when the option has no costs to return on."
)
#: Under the command line's options table (``ddanalysis appraise``): what its short headers hold.
CLI_OPTIONS_LEGEND = (
    "one-off cost: undiscounted, with optimism bias; payback: undiscounted; P10/P90: of the Monte Carlo net "
    "present saving; MCA: weighted non-monetised score (0-10)."
)


#: What "allowed range" means in every switching-value table.
SWITCHING_RANGE_NOTE = (
    "The search runs over each assumption's allowed range (its bounds in levers.yaml, wider than its low-to-high "
    "range), so a switching value may lie outside the low-to-high range: the further outside, the less likely."
)

#: What "next best" means in every switching-value table.
SWITCHING_COMPARATOR_NOTE = (
    "The next-best option is the best of the others that the decision rule could recommend (a non-monetised "
    "score at least the status quo's) or the status quo, so the recommended option's value there is where the "
    "recommendation changes."
)

#: Said after a recommendation made without Monte Carlo draws, whose rule then has only tests (a) and (c).
NO_DRAWS_NOTE = (
    "No Monte Carlo draws were run, so test (b) of the rule (saving in at least half the draws) was not applied: "
    "run with draws before relying on this recommendation."
)


#: Said after the recommendation when the multi-criteria scores are the neutral defaults (no ``mca.yaml``).
MCA_DEFAULT_NOTE = (
    " The non-monetised scores are DEFAULT, not the council's: no mca.yaml in the workspace, so every option "
    "is scored a neutral 5 of 10 on every criterion until the council's scoring workshop."
)


def mca_default_note(scores_are_default: bool) -> str:
    """:data:`MCA_DEFAULT_NOTE` when the scores are the defaults, else ''."""
    return MCA_DEFAULT_NOTE if scores_are_default else ""


# --- deciding under uncertainty (the method is in docs/decision.md) -------------------------

#: The heading of the value-of-information column, as the issue words it.
EVPPI_MEANING = "the most it would be worth paying to know this before deciding"


def past_plan_sentence(start: Any, base_year: str) -> str:
    """Said above a plan that began before the paper's date: its dates are those of the appraisal's base year,
    not a timetable to approve now (``start``: the plan's first day, a date)."""
    return (
        f"These dates are the plan of an appraisal in {base_year} prices, starting on {start:%d %B %Y}, before "
        "this paper's date: they show the order and length of the work, not a timetable to approve now. The legal "
        "routes are those in force then (the Public Contracts Regulations 2015). To plan from today, appraise in a "
        "workspace with a later base year and plan start (docs/workspaces.md), and take advice on the procurement "
        "law now in force."
    )


def unfunded_posts_sentence(option: str, replaced_fte: float, redundancies_fte: float, cost_per_fte: float) -> str:
    """Said when an option hands more paid time to volunteers than it costs redundancies for: how many posts must
    go another way (turnover, vacancies, redeployment) and what redundancy would add if they cannot (GBP, before
    optimism bias, at the option's redundancy cost per FTE)."""
    gap = replaced_fte - redundancies_fte
    return (
        f"{option} hands {replaced_fte:,.2f} FTE of paid time to volunteers but costs redundancy for "
        f"{redundancies_fte:,.2f} FTE: the other {gap:,.2f} FTE (the volunteers' share of the pay bill, as posts at "
        f"average pay) must go by turnover, vacancies or redeployment, or the one-off cost, the council's or the new "
        f"body's, rises by up to {formats.money(gap * cost_per_fte)} ({gap:,.2f} x {formats.money(cost_per_fte)} a "
        "post, before optimism bias)"
    )


def past_plan_summary_sentence(start: Any, base_year: str) -> str:
    """The summary's short form of :func:`past_plan_sentence`, beside the recommendation's go-live and payback
    years, so a reader of the first page does not take them for a timetable."""
    return (
        f"Dates: the go-live and payback years are those of the appraisal's own plan in {base_year} prices, "
        f"starting on {start:%d %B %Y}, before this paper's date; they show the order and length of the work, not a "
        "timetable to approve now (management case)."
    )


def no_partial_value_sentence(evpi_gbp: float) -> str:
    """Said instead of a table of partial EVPIs that all round to £0 (a table of zeros titled 'the largest'
    says nothing): no one assumption is worth paying to know before deciding."""
    return (
        "No assumption on its own is worth paying to know before deciding: every partial EVPI rounds to £0 "
        f"(the whole decision's EVPI, what removing all uncertainty at once would be worth, is "
        f"{formats.money(evpi_gbp)})."
    )


#: Estimators and references of the decision measures (the JSON's ``decision_notes``; every output).
DECISION_NOTES: dict[str, str] = {
    "probability_best": (
        "Probability best: the share of the Monte Carlo draws in which an option has the highest net present "
        "saving (the status quo, at 0, counts as an option; ties split evenly); the shares sum to 1. The "
        "recommendation rule does not use it: it is reported beside the recommendation. In the social perspective "
        "the draws compare net present social value (the saving plus every outcome benefit, the outcome quantities "
        "drawn with the costs), and the value of information covers the outcome quantities too."
    ),
    "acceptability": (
        "Acceptability curve: for net-present-saving thresholds (GBP) from 0 to the largest P90, p_reaches is the "
        "probability an option saves at least the threshold and p_best the probability it does so and is the best "
        "option (best among the options that reach it). The annual savings target and P(final-year saving meets "
        "target) are unchanged."
    ),
    "evpi": (
        "Expected value of perfect information (GBP): the mean over draws of the best option's net present saving "
        "minus the mean saving of the option with the highest mean; the most it would be worth paying to remove all "
        "uncertainty before deciding (Briggs, Claxton & Sculpher, Decision Modelling for Health Economic "
        "Evaluation, OUP 2006, ch. 7). Both it and partial EVPI choose among the options the decision rule could "
        "recommend (the status quo and those scoring at least as well on the non-monetised criteria: "
        "value_of_information_options): knowing more about an option the rule excludes cannot change the decision."
    ),
    "evppi": (
        "Partial EVPI (GBP) of each assumption and of each declared correlation group (group:NAME): the most it "
        "would be worth paying to know it before deciding. Estimated from the same draws by regression (Strong M, "
        "Oakley JE, Brennan A. Med Decis Making 2014;34:311-326): each option's saving against the option with the "
        "best mean is regressed on the input by least squares on a nested basis (constant to a cubic regression "
        "spline with five knots; pairwise products for a group), chosen by BIC, instead of a GAM. Values are "
        "clipped to [0, total EVPI]: anything outside is estimator noise, under 1% of the total in the tests."
    ),
    "sobol": (
        "Sobol indices: first-order (S1) and total (ST) shares of the variance of the recommended (or best "
        "alternative) option's net present saving and of its gap to the runner-up, from their own Saltelli "
        "design, analysed by SALib (Saltelli 2002, 2010; Herman & Usher 2017) with 95% bootstrap intervals. "
        "The design samples each input independently over its range (its Monte Carlo PERT marginal): declared "
        "correlations are not applied there (they are in the draws behind probability best and EVPI)."
    ),
    "failure_rules": (
        "Failure rules: for each short-listed option, the simplest box on at most three inputs that holds most of "
        "the draws in which it loses money, or is not the best option, found by a shallow classification tree "
        "(scikit-learn; failures weighted to balance) rather than PRIM, simplified and rounded to two significant "
        "figures; a rule is shown only when at least half the draws it describes fail. Coverage: the share of "
        "the failing draws inside the box; density: the share of the draws inside "
        "the box that fail (Bryant & Lempert, Technol Forecast Soc Change 2010;77:34-49)."
    ),
    "draws_file": (
        "`ddanalysis appraise ... --draws-out FILE` writes these draws (one row per draw: draw, every input by "
        "key, every option's net present saving); ddanalysis.drawsfile.decision_from_draws recomputes probability "
        "best, the acceptability curve, EVPI and partial EVPI from it, with the seed stated here."
    ),
}

DECISION_NOT_COMPUTED = (
    "The decision measures (probability best, EVPI, partial EVPI, acceptability, failure "
    "rules) were not computed for this run (appraise(..., with_decision=False))."
)
DECISION_NO_DRAWS = "No Monte Carlo draws (draws = 0): no decision measures."
SOBOL_NOT_ASKED = (
    "Sobol indices not computed: they take their own sample of the model; ask for them with "
    "`ddanalysis appraise ... --sobol` or appraise(..., with_sobol=True)."
)


def sobol_note(n_base: int, evaluations: int, option: str | None, runner_up: str | None) -> str:
    """What the Sobol indices are of, their sample size and how correlated inputs are treated."""
    gap = f" and of the gap between it and {runner_up} (output 'gap')" if runner_up else ""
    return (
        f"Sobol indices of the net present saving of {option} (output 'nps'){gap}: Saltelli design with "
        f"n = {n_base} base points, {evaluations:,} model evaluations. Each input is sampled independently over "
        "its range (its Monte Carlo PERT marginal); declared correlations are not applied in this design."
    )


#: A snapshot label (the Excel risk sheet: values, not formulas).
DECISION_SNAPSHOT = (
    "Values from this run's Monte Carlo draws (a snapshot, not live formulas): change an assumption "
    "and re-run the appraisal to update them."
)


def quality_legend() -> str:
    """``green: an official statistic, ...; amber: ...; red: ...`` (plain text)."""
    return "; ".join(f"{k}: {v}" for k, v in QUALITY_TEXT.items())


# --- the board paper (HM Treasury Five Case Model) -------------------------------------------------------

#: The five cases in the order a business case sets them out: id -> (title, the question it answers).
FIVE_CASES: dict[str, tuple[str, str]] = {
    "strategic": (
        "Strategic case",
        "Is there a case for change? The service, the council's own spending trend and what drives the change.",
    ),
    "economic": (
        "Economic case",
        "Which option offers the best value for money? Options, net present saving, optimism bias and uncertainty.",
    ),
    "commercial": (
        "Commercial case",
        "Can a viable deal be struck? Delivery vehicle, procurement route, legal limits, TUPE and pensions.",
    ),
    "financial": (
        "Financial case",
        "Is it affordable? The profile of costs and savings by year against the savings target.",
    ),
    "management": (
        "Management case",
        "Can it be delivered? The implementation plan, milestones, risks and the people affected.",
    ),
}

#: Open Government Licence attribution for official figures.
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/)."
)

#: The official figures of the strategic case, with their licence.
OFFICIAL_SPENDING_SOURCE = (
    "DCLG / MHCLG Revenue Outturn Summary (RS) and Service Expenditure Summary (RSX), net "
    "current expenditure, outturn; real terms by the GDP deflator in appraisal.yaml. "
    "Contains public sector information licensed under the Open Government Licence v3.0."
)

#: What the paper is and how it was made (the paper's first note).
PAPER_METHOD = (
    "This paper follows HM Treasury's Green Book and its Five Case Model. Money is in pounds (GBP) at "
    "real base-year prices unless a table says otherwise; present values are discounted at the social "
    "time preference rate (3.5% a year for the first 30 years); every option is compared with keeping "
    "the service in-house (the status quo)."
)

#: The equality prompt of the management case (public sector equality duty).
EQUALITY_PROMPT = (
    "Before members decide, complete an equality impact assessment: the public sector equality duty (Equality Act "
    "2010, s.149) requires the council to have due regard to the need to eliminate discrimination, advance equality "
    "of opportunity and foster good relations, for the people who use the service and for the staff who deliver it. "
    "Record who uses the service and who works in it by protected characteristic, how each option would change "
    "access, quality and terms of employment for them, and what would be done to mitigate any adverse impact."
)

#: TUPE and pensions in one paragraph (the commercial and management cases).
TUPE_TEXT = (
    "Where an option moves the service to another employer, the staff who work in it transfer under the Transfer of "
    "Undertakings (Protection of Employment) Regulations 2006 (TUPE) on their existing terms; the council must consult "
    "their representatives (reg. 13) and give the new employer the employee liability information at least 28 days "
    "before the transfer (reg. 11)."
)

PENSIONS_TEXT = (
    "Transferring staff keep access to the Local Government Pension Scheme: the new body joins the council's fund as "
    "an admitted body, pays the contribution rate the fund's actuary sets and may need to provide a bond, while the "
    "council keeps the deficit for service before the transfer."
)

#: Pension arrangement by delivery model (an LGPS admitted body pays the actuary's rate, may
#: need a bond; the letting council keeps the past deficit); models not listed: :data:`ADMITTED_BODY_TEXT`.
PENSION_ARRANGEMENTS: dict[str, str] = {
    "in-house": "LGPS with the council, as now",
    "in-house-redesign": "LGPS with the council, as now",
    "shared-service": "LGPS with the host council (a scheduled employer); no admission agreement",
}
ADMITTED_BODY_TEXT = "LGPS admitted body: actuary's rate, bond if the fund asks; the council keeps the past deficit"

#: The procurement route of the options that need none.
NO_PROCUREMENT: dict[str, str] = {
    "in-house": "None: the council keeps the service",
    "in-house-redesign": "None: the council keeps and redesigns the service",
}

#: Hook text for measures the appraisal does not yet produce.
WHEN_AVAILABLE = "This section appears when the appraisal provides it."


def teckal_sentence(min_percent: float) -> str:
    """The Teckal limit in one sentence (``min_percent`` from the legal facts, e.g. 80)."""
    return (
        f"A company the council controls can be given the contract without competition (the Teckal exemption, "
        f"PCR 2015 reg. 12) only while more than {min_percent:g}% of its activity is for the council(s) that "
        "control it; trading beyond that share needs a competitive award."
    )


def reserved_contract_sentence(pcr_years: float, act_years: float) -> str:
    """The Regulation 77 limit: a contract reserved for a mutual lasts at most ``pcr_years`` (PCR 2015), or
    ``act_years`` under the Procurement Act 2023."""
    return (
        f"A contract reserved for a public service mutual (PCR 2015 reg. 77) may last at most {pcr_years:g} years "
        f"({act_years:g} years under the Procurement Act 2023), and cannot be reserved for the same body again "
        "within that time: after it the mutual must normally win an open competition."
    )


def budget_reconciliation_sentence(
    net_budget: float, capital_charges: float, first_year: str, first_cost: float, base_year: str
) -> str:
    """Reconcile the baseline's net budget (GBP, ``base_year``) to the status quo's net cost in the first
    appraisal year: capital charges are accounting entries, not cash, so the appraisal leaves them out (HM
    Treasury Green Book: depreciation and capital charges are not cash flows); the rest is a year of real
    change in pay, demand and income (``project`` assumptions). A finance director reconciles to the budget
    book first."""
    cash = net_budget - capital_charges
    change = first_cost - cash
    moved = (
        ""
        if abs(change) < 0.5
        else f", {'plus' if change > 0 else 'less'} {formats.money(abs(change))} of real change in pay, demand and "
        f"income between {base_year} and {first_year}"
    )
    return (
        f"The status quo's net cost in {first_year} ({formats.money(first_cost)}) is the baseline's {base_year} "
        f"net budget ({formats.money(net_budget)}) less its capital charges ({formats.money(capital_charges)}: "
        f"accounting entries, not cash, which a Green Book appraisal leaves out){moved}."
    )


def reserved_term_sentence(name: str, contract_years: float, horizon_years: int) -> str:
    """Said beside a recommendation whose contract is reserved (PCR 2015 reg. 77): the saving is counted over
    ``horizon_years`` (and a residual value after them), but the reserved contract lasts at most
    ``contract_years``, after which the new body must normally win an open competition."""
    return (
        f"The {horizon_years}-year saving assumes {name} keeps the service after its reserved contract, which "
        f"lasts at most {contract_years:g} years (PCR 2015 reg. 77): it must then normally win an open "
        "competition. If it does not, the council re-procures or brings the service back, at costs this "
        "appraisal does not count (see the risk register)."
    )


def spending_sentence(
    authority: str,
    block: str,
    first: str,
    last: str,
    council_change: float,
    median_change: float,
    authorities: int | None,
    authority_class: str,
) -> str:
    """The council's real-terms change in a service block's net spending against its class median.

    ``median_change`` is the change in the class's median level (the middle council in each year, which may
    be a different council), not the median of the councils' own changes; the sentence says so."""

    def moved(x: float) -> str:
        if formats.is_missing(x):
            return "changed by an unknown amount"
        return f"{'fell' if x < 0 else 'rose'} by {formats.share(abs(x))}"

    plural = authority_class[:-1] + "ies" if authority_class.endswith("y") else authority_class + "s"
    among = f"the {authorities} {plural}" if authorities else f"{plural}"
    return (
        f"{authority}'s net current expenditure on {block} {moved(council_change)} in real terms from {first} to "
        f"{last}; the median level for {among} (the middle council in each year) {moved(median_change)}."
    )


def uncertainty_sentence(name: str, p10: Any, p50: Any, p90: Any, p_positive: Any, draws: int) -> str:
    """The Monte Carlo range of an option's net present saving and its chance of saving money."""
    if draws <= 0 or formats.is_missing(p50):
        return f"Monte Carlo simulation was not run for {name}; the ranges below are one-way sensitivities only."
    return (
        f"Across {draws:,} simulations, {name}'s net present saving has a P50 (median) of {formats.money(p50)}, "
        f"a P10 of {formats.money(p10)} and a P90 of {formats.money(p90)}; it saves money in "
        f"{formats.share(p_positive)} of simulations."
    )


def optimism_bias_sentence(mitigation: float, operating_upper: float | None, source: str = "") -> str:
    """How much optimism bias is applied: the operating-cost upper bound, the mitigation (and where it
    comes from) and the uplift that results; the figures in the paper include it."""
    how = f" ({source})" if source else ""
    upper = (
        f"The Green Book upper bound for operating costs is {formats.share(operating_upper)} (its outsourcing "
        f"category); the project's mitigation removes {formats.share(mitigation)} of it{how}, so the uplift "
        f"applied is {formats.share(operating_upper * (1 - mitigation))}."
        if operating_upper is not None
        else f"The project's mitigation removes {formats.share(mitigation)} of the Green Book upper bound{how}."
    )
    return (
        f"Optimism bias: {upper} Each option's yearly net change in operating costs against the status quo "
        "carries the uplift. The Green Book has no category for one-off transition costs: this appraisal's own, "
        "cautious choice is to apply the same operating-cost bound to them, and the equipment and development "
        "bound to IT separation (the table below). The figures in this paper include it."
    )


def affordability_sentence(name: str, steady_saving: Any, target: Any, p_meets: Any, have_monte_carlo: bool) -> str:
    """Affordability of the focus option: its steady-state saving against the savings target."""
    if formats.is_missing(steady_saving) or formats.is_missing(target):
        return f"The savings target for {name} is not set."
    gap = float(steady_saving) - float(target)
    verdict = "meets" if gap >= 0 else "falls short of"
    odds = (
        f"; it meets the target in {formats.share(p_meets)} of simulations"
        if have_monte_carlo and not formats.is_missing(p_meets)
        else ""
    )
    return (
        f"Once fully live, {name} saves {formats.money(steady_saving)} a year, which {verdict} the savings target "
        f"of {formats.money(target)} a year by {formats.money(abs(gap))}{odds}."
    )


def transition_shortfall_sentence(option: str, years: str, shortfall: float, first_met: str, one_off: float) -> str:
    """The cash years in which an option's saving falls short of the savings target: which, by how much in all
    (GBP, cash), when it first meets the target for good, and that funding the shortfall and the one-off cost is
    the council's decision (a section 151 officer's first question); when it never meets it for good
    (``first_met`` ''), that the gap recurs and is the medium-term financial plan's to close."""
    if not first_met:  # never met for good: a gap that recurs, not a transition to fund once
        return (
            f"{option} falls short of the savings target in cash in {years}, by {formats.money(shortfall)} in all, "
            "and does not meet it by the last year: a recurring gap for the medium-term financial plan to close, not "
            f"a transition to fund once. How the one-off cost of {formats.money(one_off)} is funded is for the "
            "council to decide."
        )
    return (
        f"Before it is fully live, {option} falls short of the savings target in cash in {years}, by "
        f"{formats.money(shortfall)} in all; it meets the target from {first_met} on. How that shortfall and the "
        f"one-off cost of {formats.money(one_off)} are funded (reserves, the flexible use of capital receipts, an "
        "invest-to-save budget) is for the council to decide."
    )


def people_sentence(fte: float, headcount: int, illustrative: bool) -> str:
    """The staff in scope (FTE and headcount of the baseline)."""
    return (
        f"The service employs {fte:,.1f} full-time equivalent staff ({headcount:,} people)"
        + (" in the illustrative baseline" if illustrative else "")
        + "."
    )


# --- decisions sought -------------------------------------------------------------------

#: What leads the decisions sought when the figures are the bundled, illustrative ones: they are not for decision.
ILLUSTRATIVE_DECISIONS_LEAD = (
    "The figures are ILLUSTRATIVE, not the council's own, and not yet for decision. Once the council's ledger and "
    "evidence have been put through the appraisal, members would be asked to:"
)
#: What leads the decisions sought otherwise.
DECISIONS_LEAD = "Members are asked to:"
#: Where the board paper sets out what each decision sought rests on: its sections (the Five Cases).
PAPER_POINTERS = {"economic": "section 2", "financial": "section 4", "management": "section 5", "equality": "section 5"}


def workbook_pointers(options_sheet: str, risk_sheet: str, plan_sheet: str) -> dict[str, str]:
    """The same for a workbook, whose Summary carries the decisions: its sheets by their titles (a programme or
    services workbook prefixes them), the Summary's cash profile, and the paper for the equality assessment."""
    return {
        "economic": f"the {options_sheet} and {risk_sheet} sheets",
        "financial": "the cash profile below",
        "management": f"the {plan_sheet} sheet",
        "equality": "the board paper's section 5",
    }


def equality_decision_sentence(where: str = PAPER_POINTERS["equality"]) -> str:
    """The decision sought of every paper, first: due regard to the public sector equality duty before the choice
    (a rule: Equality Act 2010, s.149), informed by the equality impact assessment set out at ``where``."""
    return (
        "Have due regard to the public sector equality duty (Equality Act 2010, s.149), informed by the equality "
        f"impact assessment ({where}), before deciding."
    )


def choice_decision_sentence(
    option: str,
    saving: float,
    basis: str,
    years: int,
    p_saving: Any,
    status_quo: bool,
    where: str = PAPER_POINTERS["economic"],
) -> str:
    """The decision on the choice: agree the recommended ``option`` on its net present saving (GBP over ``years``,
    on ``basis``: its perspective and price basis, e.g. 'council perspective, real 2014-15 prices') and, with a
    Monte Carlo, the share of draws in which it saves (``p_saving``, 0-1, or missing); or, when the status quo is
    recommended, keep the service as it is."""
    if status_quo:
        return (
            "Agree to keep the service as it is (the status quo): no option passes the recommendation rule "
            f"({where}: what the best-ranked alternative would take)."
        )
    odds = "" if formats.is_missing(p_saving) else f"; it saves in {formats.share(p_saving)} of the Monte Carlo draws"
    return (
        f"Agree {option} as the preferred option, on a net present saving of {formats.money(saving)} ({basis}) over "
        f"{years} years against keeping the service as it is{odds} ({where})."
    )


def funding_decision_sentence(one_off: float, base_year: str, where: str = PAPER_POINTERS["financial"]) -> str:
    """The decision on the one-off cost (GBP, real prices of ``base_year``): approve it and decide how it is funded
    (transformation costs: reserves, the flexible use of capital receipts, an invest-to-save budget)."""
    return (
        f"Approve the one-off cost of {formats.money(one_off)} ({price_basis(base_year)}) and decide how it is "
        f"funded: reserves, the flexible use of capital receipts or an invest-to-save budget ({where})."
    )


def shortfall_decision_sentence(shortfall: float, first_met: str, where: str = PAPER_POINTERS["financial"]) -> str:
    """The decision on the savings target: note the option's shortfall against it in cash (GBP, summed over the
    years it falls short, the one-off cost included) and how the medium-term financial plan covers it, until
    ``first_met`` (a financial year); when ``first_met`` is '', a gap that recurs to the last year, the plan's to
    close."""
    if not first_met:
        return (
            f"Note that the option does not meet the savings target by the last year ({formats.money(shortfall)} "
            "short in cash in all, the one-off cost included): a recurring gap for the medium-term financial plan "
            f"to close, not a transition to fund once ({where})."
        )
    return (
        f"Note the shortfall against the savings target before {first_met}, {formats.money(shortfall)} in cash in "
        f"all (the one-off cost included), and say how the medium-term financial plan covers it ({where})."
    )


def plan_decision_sentence(
    next_phases: Sequence[str], weeks_to_go_live: float, case: str, where: str = PAPER_POINTERS["management"]
) -> str:
    """The decision on the plan: authorise the phases that follow the member decision (their names), towards a
    go-live ``weeks_to_go_live`` weeks after the decision in the plan's ``case`` of durations."""
    phases = "; ".join(next_phases)
    return (
        f"Authorise officers to begin the implementation plan after this decision (its next "
        f"{'phase' if len(next_phases) == 1 else 'phases'}: {phases}), towards go-live about "
        f"{weeks_to_go_live:.0f} weeks later in the plan's {case} case ({where})."
    )


def firm_up_decision_sentence(labels: Sequence[str], inside: bool, where: str = PAPER_POINTERS["economic"]) -> str:
    """The decision on the evidence: ask officers to firm up the assumptions the choice turns on, before a final
    decision. ``labels``: the switching values' assumptions (:class:`Switch` labels); ``inside``: their switching
    values lie inside their ranges (else: their ranges are the team's judgement)."""
    listed = labels[0] if len(labels) == 1 else "; ".join(labels[:-1]) + "; and " + labels[-1]
    one = len(labels) == 1
    if inside:
        why = (
            "it could change the choice within its own range"
            if one
            else "each could change the choice within its range"
        )
    else:
        rests = "this rests" if one else "these rest"
        why = f"of the assumptions nearest to changing the choice, {rests} on the team's judgement"
    return f"Ask officers to firm up, with the council's own figures, {listed}: {why} ({where})."


def focus_sentence(name: str, status_quo_recommended: bool) -> str:
    """Which option a case examines in detail: the recommended one, or (when the status quo is kept)
    the best-ranked alternative."""
    if status_quo_recommended:
        return (
            f"The appraisal recommends keeping the service in-house; this case examines the best-ranked "
            f"alternative, {name}, so members can see what it would take."
        )
    return f"This case examines the recommended option, {name}."


# --- public value -----------------------------------------------------------------------

#: How outcome benefits enter the appraisal (JSON method notes, notebook, dashboard, Excel).
PUBLIC_VALUE_NOTE = (
    "Outcome benefits (HM Treasury's supplementary guidance for local partnerships, the New Economy method): "
    "cohort x baseline rate x the option's effect, less deadweight, attribution, displacement and an evidence-grade "
    "haircut, priced with sourced unit costs split by the agency that bears them and by kind (fiscal cashable, fiscal "
    "non-cashable, economic, social), re-based to the base year with the GDP deflator. They ramp with the option's "
    "go-live and its ramp-up lever, as savings do, and are discounted with the same factors as costs. The council "
    "perspective counts only the council's cashable value (its non-cashable value is shown beside, never added); "
    "the public perspective counts all fiscal value; the social perspective counts every kind. The counted benefits "
    "are NOT in the net present saving that ranks the options (a cost measure): they are added in a separate net "
    "present value (net present saving + counted benefits; in the social perspective, the net present social "
    "value), shown beside it. Returns are per GBP 1 of the option's present value of costs (one-off costs plus "
    "net operating cost increases)."
)

#: How the outcome assumptions' uncertainty is covered.
PUBLIC_VALUE_UNCERTAINTY_NOTE = (
    "Outcome assumptions with a range (cohort, baseline rate, effect, deadweight, attribution, displacement, a "
    "stated haircut) are drawn in the Monte Carlo beside the cost assumptions, by the same sampler (PERT, mode at "
    "the scenario's value), independently of the costs and of each other unless a rank correlation between them is "
    "declared (outcome_correlations in correlations.yaml); a value set as a what-if is held in every draw. The "
    "draws give the P10 and P90 of the counted benefits and of the net present value with them; in the social "
    "perspective the probability best and the value of information compare the net present social value. The "
    "tornado swings each outcome quantity to its low and its high value, the others at the scenario's, on the net "
    "present saving plus the counted benefits; a quantity that moves nothing the perspective counts is left out "
    "and named. The counted benefits with every outcome quantity at its low and at its high value are shown too; "
    "the low and high scenarios use those values, every other scenario the central ones."
)

#: What the recommendation rule ranks, with benefits in the model (said beside the rule).
RANKING_NOTE = (
    "The ranking uses the net present saving (cost only); outcome benefits are shown beside it in the "
    "net present value and the returns, and do not change the recommendation."
)

#: What the tornado measures: without monetised outcomes, and with them (the perspective's counted benefits added).
TORNADO_MEASURE = "net present saving"


def tornado_measure(perspective: str, with_benefits: bool) -> str:
    """What the tornado's bars measure in a perspective: the net present saving, or with monetised outcomes
    the net present saving plus the benefits the perspective counts (the social perspective's net present
    social value)."""
    if not with_benefits:
        return TORNADO_MEASURE
    if perspective == "social":
        return "net present social value (net present saving + every benefit)"
    counted = {"council": "the council's cashable benefits", "public": "every agency's fiscal benefits"}
    return f"net present saving + {counted.get(perspective, 'the counted benefits')}"


def tornado_note(perspective: str, left_out: Mapping[str, list[str]], option_names: Mapping[str, str]) -> str:
    """The tornado's note on outcome quantities: which are left out because they do not move the benefits the
    perspective counts (``left_out``: option id -> the quantities in words), by option; empty when none is left
    out."""
    listed = {o: keys for o, keys in left_out.items() if keys}
    if not listed:
        return ""
    same = len(listed) == len(left_out) > 1 and len({tuple(k) for k in listed.values()}) == 1
    if same:  # every option leaves out the same quantities: said once
        parts = [f"every option: {'; '.join(next(iter(listed.values())))}"]
    else:
        parts = [f"{option_names.get(o, o)}: {'; '.join(keys)}" for o, keys in listed.items()]
    return (
        f"Outcome quantities left out of the tornado because they do not move the benefits the {perspective} "
        f"perspective counts (their value falls elsewhere or is not counted), for " + "; for ".join(parts) + "."
    )


#: Kind id -> words.
KIND_WORDS: dict[str, str] = {
    "fiscal_cashable": "fiscal cashable",
    "fiscal_non_cashable": "fiscal non-cashable",
    "economic": "economic",
    "social": "social",
}


def no_outcomes_sentence(reason: str | None) -> str:
    """What a project without monetised outcomes says, with its reason."""
    why = " ".join(str(reason or "no outcome model").split())
    return f"No outcome is monetised for this project: {why}"


def left_out_sentence(option_name: str, left_out: list[Mapping[str, Any]], perspective: str) -> str:
    """Which benefits a perspective leaves out of the money figures, and whose (one sentence)."""
    if not left_out:
        return f"{option_name}: the {perspective} perspective leaves no monetised benefit out."
    parts = [f"{row['whose']} ({formats.money(row['present_value_gbp'])})" for row in left_out]
    return (
        f"{option_name}: the {perspective} perspective leaves out benefits falling elsewhere - "
        + "; ".join(parts)
        + " (present values, not counted)."
    )


def payback_sentence(option_name: str, payback: list[Mapping[str, Any]], agency_names: Mapping[str, str]) -> str:
    """When each agency is paid back: the first year its cumulative discounted counted benefits, net of
    the costs that fall on it, are positive and stay so (one sentence; empty without agencies)."""
    if not payback:
        return ""
    parts = [
        f"{agency_names.get(p['agency'], p['agency'])} {p['payback_year'] or 'not within the horizon'}" for p in payback
    ]
    return (
        f"{option_name}: payback by agency (discounted counted benefits net of the costs that fall on it; "
        "the option's costs fall on the council) - " + "; ".join(parts) + "."
    )


def beside_sentence(option_name: str, beside: list[Mapping[str, Any]]) -> str:
    """The council's non-cashable value, shown beside and never added."""
    if not beside:
        return ""
    total = sum(float(r["present_value_gbp"]) for r in beside)
    return (
        f"{option_name}: the council's non-cashable value, {formats.money(total)} (present value: capacity freed, "
        "no budget falls), is shown beside the money figures and not added to them."
    )


#: How a project of several services is summed (docs/workspaces.md, "Several services").
SERVICES_SUM_RULE = (
    "Each service is appraised on its own baseline and short list and its option chosen by the same rule; "
    "the project's total is the chosen options summed."
)
STRANDED_OVERHEADS_NOTE = (
    "Stranded overheads are counted per service, as each service's own appraisal finds them: the recharges "
    "a service stops buying are stranded whether or not another service leaves too."
)
SHARED_BASELINE_NOTE = "The services share one baseline, so they are appraised together as one and take one option."


ONE_SERVICE_NOTE = (
    "One service of the project, appraised on its own baseline and short list; the project's total, with the "
    "other services and what they share, is the appraisal of the whole project."
)


def services_statements(
    shared: bool, vehicles: "list[tuple[str, str, float]]", appraised_id: str = ""
) -> tuple[str, ...]:
    """The sentences that state how a project's services are summed and how they interact: ``shared``: one
    appraisal (``appraised_id`` of the form ``<project>:<service>`` when it is one named service); ``vehicles``:
    (vehicle name, services' titles, present-value saving in GBP) of each new body shared by several services."""
    if shared:
        return (ONE_SERVICE_NOTE if ":" in appraised_id else SHARED_BASELINE_NOTE,)
    shared_words = [
        f"{titles} choose the same new body, {name}, and share one: its legal and governance set-up and "
        f"pension fund admission work are counted once, which saves {formats.money(pv)} in present value "
        "(their optimism-bias uplift is left in, a cautious choice)."
        for name, titles, pv in vehicles
    ] or [
        "No two services choose the same new body, so every set-up cost is counted for each service "
        "(services choosing one of a trading company, mutual, social enterprise, charitable trust, joint "
        "venture or cooperative would share it, and its legal and pensions set-up would be counted once)."
    ]
    return (SERVICES_SUM_RULE, *shared_words, STRANDED_OVERHEADS_NOTE)
