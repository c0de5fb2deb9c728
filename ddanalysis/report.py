"""Plain-text renderings of results (the CLI's tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from .presentation import formats, tables
from .presentation import text as decision_text
from .result import AppraisalResult

if TYPE_CHECKING:
    from .baseline import Baseline
    from .services import ProjectAppraisal


def gbp(x: float | None) -> str:
    """GBP with thousands separators, no pence ('-' for missing); negatives with a minus sign."""
    return formats.money(x)


def text(x: object) -> str:
    """A text field for display: '-' where missing (None or NaN)."""
    return formats.text(x)


def pct(x: float | None, digits: int = 0) -> str:
    """A share as a percentage with ``digits`` decimals; '-' when missing."""
    return formats.MISSING if x is None or formats.is_missing(x) else f"{float(x):.{digits}%}"


#: The CLI's options table: (column of the presentation table, header, width).
_CLI_COLUMNS = (
    ("Net present saving", "net present saving", 19),
    ("One-off cost (undiscounted, with optimism bias)", "one-off cost", 13),
    (tables.PAYBACK_UNDISCOUNTED, "payback", 8),
    ("P(net present saving > 0)", "P(saving>0)", 11),
    ("P10 saving", "P10", 13),
    ("P90 saving", "P90", 13),
    ("MCA score (0-10)", "MCA", 5),
    ("Go-live", "go-live", 11),
)
#: Added when the decision measures were computed: probability best.
_CLI_DECISION_COLUMNS = (("Probability best", "P(best)", 8),)


def appraisal_table(result: AppraisalResult, checks_said: Sequence[str] = ()) -> str:
    """A readable summary: header, one line per option (the presentation layer's options table), the
    recommendation, the rule, the options it passes over and what would change it, then ``checks_said`` (the
    cross-checks' sentences, :func:`ddanalysis.cross_checks.check_sentences`, as the board paper gives them)."""
    lines = [
        f"{result.project_title} ({result.councils}) - {result.project_id}",
        f"Scenario: {result.scenario}. Perspective: {result.perspective_label}. "
        f"GBP, {result.price_basis}, {result.horizon_years} years from {result.first_year}.",
    ]
    if result.what_if:
        lines.append(result.what_if)
    if result.illustrative:
        lines.append("ILLUSTRATIVE: the baseline budget and assumptions are illustrative, not the council's figures.")
    shown = tables.options_table(result).formatted()
    columns: tuple[tuple[str, str, int], ...] = _CLI_COLUMNS
    if getattr(result, "decision", None) is not None:
        shown["Probability best"] = tables.probability_best_table(result).formatted()["Probability best"].to_numpy()
        columns = _CLI_COLUMNS[:4] + _CLI_DECISION_COLUMNS + _CLI_COLUMNS[4:]
    head = f"{'option':<20} " + " ".join(f"{h:>{w}}" for _c, h, w in columns)
    lines += ["", head, "-" * len(head)]
    for i, opt in enumerate(result.options["id"]):
        row = shown.iloc[i]
        mark = " *" if bool(result.options["recommended"].iloc[i]) else ""
        lines.append(f"{opt:<20} " + " ".join(f"{row[c]:>{w}}" for c, _h, w in columns) + mark)
    lines.append(f"* recommended. {decision_text.CLI_OPTIONS_LEGEND}")
    lines += _method_lines(result)
    lines += by_council_lines(result)
    lines += [
        "",
        result.price_base_statement,
        f"Optimism bias: {formats.share(result.optimism_bias_mitigation)} of the upper bound mitigated "
        f"({result.optimism_bias_mitigation_source}); its present value is its own line in the cash flows.",
        "",
        result.recommendation,
        f"Rule: {decision_text.RECOMMENDATION_RULE}",
    ]
    lines += [*tables.recommendation_notes(result), *(said for said in checks_said if said)]
    lines += _decision_lines(result)
    lines += public_value_lines(result)
    return "\n".join(lines)


def by_council_lines(result: AppraisalResult) -> list[str]:
    """Each council's part of every option (the presentation layer's by-council table), for a project of
    several councils; nothing for one council (its part is the whole)."""
    table = tables.by_council_table(result)
    if table is None or result.apportionment is None or len(result.apportionment.councils) < 2:
        return []
    shown = table.formatted()
    head = f"{'option':<28} {'council':<28} {'net present saving':>19} {'one-off cost':>13}"
    lines = ["", table.caption.rstrip(".") + ":", head, "-" * len(head)]
    one_off = "One-off cost (undiscounted, with optimism bias)"
    lines += [
        f"{r['Option']:<28} {r['Council']:<28} {r['Net present saving']:>19} {r[one_off]:>13}"
        for _i, r in shown.iterrows()
    ]
    return lines


def _decision_lines(result: AppraisalResult) -> list[str]:
    """The EVPI line, the assumptions most worth knowing first and the Sobol note."""
    dm = getattr(result, "decision", None)
    if dm is None:
        return []
    lines = [
        "",
        f"Expected value of perfect information (EVPI): {formats.money(dm.evpi_gbp)} - the most it would be "
        f"worth paying to remove all uncertainty before deciding ({dm.draws:,} draws, seed {result.mc_seed}).",
    ]
    voi = tables.value_of_information_table(result, top=3).frame
    voi = voi[voi.iloc[:, -1] > 0]
    if not voi.empty:
        lines.append(
            "Worth most to know before deciding (partial EVPI): "
            + "; ".join(f"{k} {formats.money(v)}" for k, v in zip(voi["Key"], voi.iloc[:, -1]))
            + "."
        )
    if dm.sobol is not None:
        sob = tables.sobol_table(result, top=3)
        lines.append(
            "Largest total Sobol indices of the saving: "
            + "; ".join(f"{k} {formats.ratio(v)}" for k, v in zip(sob.frame["Key"], sob.frame["Total (ST), saving"]))
            + "."
        )
        lines.append(sob.caption)
    return lines


def public_value_lines(result: AppraisalResult) -> list[str]:
    """Public value in plain text: per option the counted benefits and the net present value
    with them, then what the perspective leaves out (whose) or why nothing is monetised."""
    pvd = getattr(result, "public_value", None) or {}
    if not pvd:
        return []
    lines = ["", "Public value (outcome benefits). " + decision_text.RANKING_NOTE]
    t = tables.public_value_table(result)
    if pvd.get("monetisable") and t is not None:
        shown = t.formatted()
        cols = (
            ("Benefits counted (PV)", "benefits counted", 17),
            ("Net present value with benefits", "NPV with benefits", 18),
            ("Fiscal return per GBP 1 (all fiscal)", "fiscal ROI", 10),
            ("Public value return per GBP 1", "public ROI", 10),
        )
        head = f"{'option':<20} " + " ".join(f"{h:>{w}}" for _c, h, w in cols)
        lines += [head, "-" * len(head)]
        ids = [o for o in result.options["id"] if o != tables.STATUS_QUO]
        for i, opt in enumerate(ids):
            lines.append(f"{opt:<20} " + " ".join(f"{shown.iloc[i][c]:>{w}}" for c, _h, w in cols))
        lines.append(decision_text.CLI_PUBLIC_VALUE_LEGEND)
    lines += [f"- {s}" for s in tables.public_value_sentences(result)]
    return lines


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


def _method_lines(result: AppraisalResult) -> list[str]:
    """The Green Book benefit-cost ratio (with the reason where it is null) and the net present saving at
    10, 15 and 20 years with residual value and optimism bias (the presentation layer's horizons table)."""
    shown = tables.options_table(result).formatted()
    lines = ["", "Benefit-cost ratio (Green Book: PV benefits / PV costs, residual value counted):"]
    for i, opt in enumerate(result.options["id"]):
        row = shown.iloc[i]
        ratio = row.get("Benefit-cost ratio (Green Book, with residual value)", formats.MISSING)
        why = row.get("Benefit-cost ratio: why none", formats.MISSING)
        lines.append(f"  {opt:<20} {ratio}" if why == formats.MISSING else f"  {opt:<20} none: {why}")
    horizons = tables.horizons_table(result)
    hshown = horizons.formatted()
    cols = [c for c in hshown.columns if c != "Option"]
    heads = [
        c.replace("Net present saving, ", "NPS ").replace(" (PV, not in the saving)", "").replace(" (PV, included)", "")
        for c in cols
    ]
    widths = [max(len(h), 12) for h in heads]
    head = f"{'option':<20} " + " ".join(f"{h:>{w}}" for h, w in zip(heads, widths))
    lines += ["", horizons.caption + ":", head, "-" * len(head)]
    for i, opt in enumerate(result.options["id"]):
        lines.append(f"{opt:<20} " + " ".join(f"{hshown.iloc[i][c]:>{w}}" for c, w in zip(cols, widths)))
    return lines


def services_lines(project: "ProjectAppraisal") -> list[str]:
    """The services table (:func:`ddanalysis.presentation.tables.services_table`) as text lines, with the
    sentences that say how the project's total is made."""
    table = tables.services_table(project)
    shown = table.formatted()
    widths = {c: max(len(c), *(len(v) for v in shown[c])) for c in shown.columns}
    line = "  ".join(f"{c:<{widths[c]}}" if table.unit(c) == "text" else f"{c:>{widths[c]}}" for c in shown.columns)
    lines = ["", "Services (GBP, real prices of the base year)", line, "-" * len(line)]
    for _i, row in shown.iterrows():
        lines.append(
            "  ".join(
                f"{row[c]:<{widths[c]}}" if table.unit(c) == "text" else f"{row[c]:>{widths[c]}}" for c in shown.columns
            )
        )
    return lines + [""] + list(project.statements)


def services_report(project: "ProjectAppraisal") -> str:
    """A project whose services have their own baselines: the services table and the total, then each
    service's own appraisal (:func:`appraisal_table`) under its title."""
    first = project.services[0].result
    lines = [
        f"{project.title} ({first.councils}) - {project.project_id}: {len(project.services)} services",
        f"Scenario: {first.scenario}. Perspective: {first.perspective_label}. "
        f"GBP, {first.price_basis}, {first.horizon_years} years from {first.first_year}.",
    ]
    lines += services_lines(project)
    for s in project.services:
        lines += ["", "=" * 72, f"Service: {s.title} ({s.id})", "=" * 72, appraisal_table(s.result)]
    return "\n".join(lines)
