"""Plain-text renderings of results (the CLI's tables)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .result import AppraisalResult

if TYPE_CHECKING:
    from .baseline import Baseline


def gbp(x: float | None) -> str:
    """GBP with thousands separators, no pence ('-' for missing); negatives with a minus sign."""
    if x is None or x != x:
        return "-"
    return f"-£{abs(x):,.0f}" if x < 0 else f"£{x:,.0f}"


def text(x: object) -> str:
    """A text field for display: '-' where missing (None or NaN)."""
    return "-" if x is None or (isinstance(x, float) and x != x) else str(x)


def pct(x: float | None, digits: int = 0) -> str:
    return "-" if x is None or x != x else f"{x:.{digits}%}"


def appraisal_table(result: AppraisalResult) -> str:
    """A readable summary: header, one line per option, the recommendation."""
    lines = [
        f"{result.project_title} ({result.councils}) - {result.project_id}",
        f"Scenario: {result.scenario}. Perspective: {result.perspective_label}. "
        f"GBP, {result.price_basis}, {result.horizon_years} years from {result.first_year}.",
    ]
    if result.illustrative:
        lines.append("ILLUSTRATIVE: the baseline budget and assumptions are illustrative, not the council's figures.")
    head = f"{'option':<20} {'net present saving':>19} {'one-off cost':>13} {'payback':>8} {'P(saving>0)':>11} {'P10':>13} {'P90':>13} {'MCA':>5} {'go-live':>10}"
    lines += ["", head, "-" * len(head)]
    for r in result.options.itertuples(index=False):
        mark = " *" if r.recommended else ""
        lines.append(
            f"{r.id:<20} {gbp(r.net_present_saving_gbp):>19} {gbp(r.one_off_cost_gbp):>13} {text(r.payback_year):>8} "
            f"{pct(r.p_saving_positive):>11} {gbp(r.saving_p10_gbp):>13} {gbp(r.saving_p90_gbp):>13} "
            f"{r.mca_score:>5.1f} {text(r.go_live):>10}{mark}")
    from .engine import RECOMMENDATION_RULE

    lines += ["", result.price_base_statement,
              f"Optimism bias: {result.optimism_bias_mitigation:.0%} of the upper bound mitigated "
              f"({result.optimism_bias_mitigation_source}); its present value is its own line in the cash flows.",
              "", result.recommendation, f"Rule: {RECOMMENDATION_RULE}"]
    return "\n".join(lines)


def baseline_summary(baseline: "Baseline", path: object = None) -> str:
    """A loaded baseline in a few lines: totals in GBP (pounds, thousands separators), staff, source."""
    from .registry import project

    title = project(baseline.project_id).title
    rows = [
        ("gross expenditure", gbp(baseline.gross_expenditure_gbp)),
        ("income", gbp(baseline.income_gbp)),
        ("net budget", gbp(baseline.net_budget_gbp)),
        ("pay bill", gbp(baseline.pay_bill_gbp)),
        ("FTE", f"{baseline.fte:,.1f}"),
        ("headcount", f"{baseline.headcount:,}"),
    ]
    if baseline.rs_share is not None:
        rows.append((f"share of RS {baseline.rs_service}", pct(baseline.rs_share, 1)))
    lines = [
        f"{baseline.project_id} ({title}): baseline {baseline.base_year}" + (f" from {path}" if path else ""),
        f"GBP, real {baseline.base_year} prices (the file holds GBP thousand; shown here in pounds).",
    ]
    if baseline.illustrative:
        lines.append("ILLUSTRATIVE: not the council's ledger.")
    lines += [""] + [f"{name:<28} {value:>16}" for name, value in rows] + ["", f"Source: {baseline.source}"]
    return "\n".join(lines)
