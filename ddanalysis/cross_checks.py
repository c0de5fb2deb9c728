"""What the decision rule recommends on the other bases a board should see beside the appraisal's own.

Two checks, each a re-appraisal of the same project with the same scenario, horizon, what-if values and MCA
weights, at central values without Monte Carlo draws (so test (b) of the rule is not applied):

- **the other perspectives**: the council's General Fund, the public sector as a whole and society as a
  whole count transfers differently (business-rates relief, VAT, grants and donations), and the Green Book's
  headline is society's view, so a paper written from the council's must say when the wider views differ;
- **the funding basis**: an option's savings are counted on the whole service, but a provider's margin,
  contract management and grant-paid VAT on the share the council pays for (the baseline's ``funded_by``).
  For a service mostly paid for by others (adult learning funded by a government agency, school traded
  services paid by schools) the check puts both on the whole service; when the recommendation then changes,
  it rests on the council keeping the new body's savings on money others pay.

The board paper's summary and the dashboard's "Who gains" tab show both (:mod:`ddanalysis.presentation.text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import DDAnalysisError
from .presentation.text import (
    FundingBasisCheck,
    PerspectiveCheck,
    funding_basis_sentence,
    other_perspectives_sentence,
)
from .registry import STATUS_QUO

if TYPE_CHECKING:
    from .result import AppraisalResult

#: Options the council keeps (no provider): no margin or contract management, so the funding basis cannot
#: change them, and their staff stay council employees.
NO_PROVIDER = frozenset({STATUS_QUO, "in-house-redesign"})

#: Below this council-funded share the funding-basis check is run (at 1 it cannot differ).
WHOLE_SERVICE_SHARE = 0.999


@dataclass(frozen=True)
class CrossChecks:
    """The rule's recommendation on the other bases (see the module docstring).

    ``other_perspectives``: one :class:`~ddanalysis.presentation.text.PerspectiveCheck` per other perspective.
    ``funding_basis``: the check, or None when it cannot differ. ``notes``: what could not be worked out, and
    why.
    """

    other_perspectives: tuple[PerspectiveCheck, ...] = ()
    funding_basis: FundingBasisCheck | None = None
    notes: tuple[str, ...] = ()


def cross_checks(result: "AppraisalResult") -> CrossChecks:
    """Both checks for ``result`` (about one draws-free appraisal each: three for a service others part-pay
    for). A re-appraisal that fails is left out with a note naming why; nothing is raised."""
    notes: list[str] = []
    others = _other_perspectives(result, notes)
    return CrossChecks(others, _funding_basis(result, notes), tuple(notes))


def check_sentences(result: "AppraisalResult", checks: CrossChecks) -> list[str]:
    """What to say of ``checks`` beside ``result``: the other perspectives' sentence, the funding-basis sentence
    and the notes, each when there is one (:mod:`ddanalysis.presentation.text`)."""
    recommended = result.option_name(result.recommended)
    others = checks.other_perspectives
    return [
        *([other_perspectives_sentence(recommended, others)] if others else []),
        *([funding_basis_sentence(recommended, checks.funding_basis)] if checks.funding_basis else []),
        *checks.notes,
    ]


def central_rerun(
    result: "AppraisalResult", perspective: str, contract_on_whole_service: bool = False
) -> "AppraisalResult":
    """``result``'s project appraised again with its scenario, horizon, plan start, what-if values and MCA
    weights, from ``perspective``, at central values without Monte Carlo draws. ``contract_on_whole_service``:
    the funding-basis check (:func:`ddanalysis.engine.build_model`). Raises DDAnalysisError as
    :func:`ddanalysis.engine.appraise` does."""
    from . import engine

    model = getattr(result, "model", None)
    starts = {t.plan_start for t in getattr(model, "options", {}).values() if t.plan_start is not None}

    record = dict(getattr(result.run_record, "overrides", {}) or {})
    weights = {k.removeprefix("mca_weight."): float(v) for k, v in record.items() if k.startswith("mca_weight.")}
    overrides = {k: float(v) for k, v in record.items() if not k.startswith("mca_weight.")}
    return engine.appraise(
        result.project_id,
        scenario=result.scenario,
        perspective=perspective,
        draws=0,
        horizon_years=result.horizon_years,
        plan_start=min(starts) if starts else None,  # one start for every option: the plan's
        mca_weights=weights or None,
        overrides=overrides or None,
        with_switching=False,
        with_sensitivity=False,
        contract_on_whole_service=contract_on_whole_service,
    )


def _recommended(other: "AppraisalResult") -> tuple[str, float | None]:
    """The option the rule recommends in ``other`` and its net present saving (GBP; None for the status quo)."""
    row = other.options.set_index("id").loc[other.recommended]
    return str(row["name"]), None if other.recommended == STATUS_QUO else float(row["net_present_saving_gbp"])


def _other_perspectives(result: "AppraisalResult", notes: list[str]) -> tuple[PerspectiveCheck, ...]:
    """What the rule recommends from each perspective other than ``result``'s (:func:`central_rerun`), with
    ``result``'s recommended option's own net present saving there. A perspective that cannot be appraised is
    left out with a note appended to ``notes``."""
    from .cashflow import PERSPECTIVES

    out = []
    for perspective in (p for p in PERSPECTIVES if p != result.perspective):
        try:
            other = central_rerun(result, perspective)
        except DDAnalysisError as exc:
            notes.append(f"The {perspective} perspective could not be appraised for comparison: {exc}")
            continue
        own = other.options.set_index("id")["net_present_saving_gbp"].get(result.recommended)
        out.append(PerspectiveCheck(perspective, *_recommended(other), None if own is None else float(own)))
    return tuple(out)


def _funding_basis(result: "AppraisalResult", notes: list[str]) -> FundingBasisCheck | None:
    """What the rule recommends from ``result``'s perspective when the whole service is treated as paid for by
    the council, beside the council-funded share and who pays the rest (the baseline's ``funded_by``); None
    when the council pays for it all, the recommended option has no provider (the check cannot change it, and
    can only lower the others) or the result is already that check. A failed re-appraisal leaves a note."""
    from .engine import WHOLE_SERVICE_NOTE

    share = float(result.baseline.council_funded_share)
    if share >= WHOLE_SERVICE_SHARE or result.recommended in NO_PROVIDER or WHOLE_SERVICE_NOTE in result.what_if:
        return None
    try:
        whole = central_rerun(result, result.perspective, contract_on_whole_service=True)
    except DDAnalysisError as exc:
        notes.append(f"The funding-basis check could not be run: {exc}")
        return None
    funders = tuple(dict.fromkeys(f.funder for f in result.baseline.funded_by if not f.council))
    own = whole.options.set_index("id")["net_present_saving_gbp"].get(result.recommended)
    return FundingBasisCheck(share, funders, *_recommended(whole), None if own is None else float(own))
