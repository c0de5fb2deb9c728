"""Charts of an appraisal and of the programme: pure functions that return plotly Figures.

Every function takes data (an :class:`~ddanalysis.result.AppraisalResult`, or a prepared frame) and
returns a new :class:`plotly.graph_objects.Figure`; nothing is drawn or saved here. Conventions:

* titles state the unit and the price base ("GBP, real 2014-15 prices"); money is shown as
  ``£1,234,567`` / ``-£1,234,567`` on axes and in hover text (tick labels are computed here, so
  negatives read ``-£`` rather than plotly's ``£-``);
* an "ILLUSTRATIVE" label sits in the top-right corner whenever the figures are illustrative;
* each delivery model keeps one colour in every chart and every project (:data:`OPTION_COLOURS`,
  built on the Okabe-Ito colour-blind-safe palette; lines also differ by dash pattern);
* figures are sized for a 1280 px wide screen and draw offline: in JupyterLab and Voila use
  plotly's mimetype renderer (:func:`mimebundle`), never a CDN.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .chart_margins import fixed_margins
from .presentation import formats
from .presentation import text as decision_text
from .presentation.formats import value_in_unit
from .report import gbp, pct
from .result import AppraisalResult
from .years import fy_label, fy_start_year

STATUS_QUO = "in-house"

#: One colour per delivery model (same in every chart and every project). Okabe-Ito colours first,
#: then Paul Tol's wine / olive / indigo for the models that never share a short list with a
#: too-similar colour; the status quo is grey.
OPTION_COLOURS: dict[str, str] = {
    "in-house": "#6E6E6E",
    "in-house-redesign": "#0072B2",
    "outsourcing": "#D55E00",
    "trading-company": "#E69F00",
    "mutual": "#009E73",
    "shared-service": "#56B4E9",
    "social-enterprise": "#CC79A7",
    "charitable-trust": "#882255",
    "joint-venture": "#000000",
    "community-led": "#999933",
    "cooperative": "#332288",
}
_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
_FALLBACK = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#882255", "#999933", "#332288")

#: Cost components grouped for the stacked cost chart (22 components are unreadable as 22 colours).
COMPONENT_GROUPS: dict[str, tuple[str, ...]] = {
    "Staff and pensions": ("staff", "pension_rate"),
    "Premises and business rates": ("premises", "business_rates"),
    "Supplies, transport and third parties": ("transport", "supplies_third_party"),
    "Support services and overheads": ("support_services", "own_support", "stranded_overheads", "client_side"),
    "Provider margin and irrecoverable VAT": ("supplier_margin", "irrecoverable_vat"),
    "Income, grants and donations": ("income_existing", "new_income", "grant_income", "admissions_vat"),
    "One-off transition costs": (
        "legal_governance",
        "tupe_hr",
        "pensions_work",
        "it_separation",
        "procurement",
        "redundancy",
        "double_running",
    ),
}
GROUP_COLOURS: dict[str, str] = dict(
    zip(COMPONENT_GROUPS, ("#0072B2", "#E69F00", "#56B4E9", "#CC79A7", "#D55E00", "#009E73", "#6E6E6E"))
)

FONT = dict(family="Arial, Helvetica, sans-serif", size=14, color="#1f1f1f")
HEIGHT = 460
ILLUSTRATIVE_TEXT = decision_text.ILLUSTRATIVE_SHORT
ANNOTATION_ILLUSTRATIVE = "illustrative"


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


@functools.cache
def chart_template() -> go.layout.Template:
    """plotly's ``plotly_white`` template cut to what the charts use: its layout and its bar and scatter trace
    styles (the only trace types it styles that the charts draw; it does not style waterfalls). A figure
    looks the same as with the whole template, which also styles 30 other trace types: built once, it is
    copied into each figure in half the time, and the figure's JSON is half the size."""
    white = pio.templates["plotly_white"]
    return go.layout.Template(layout=white.layout, data={"bar": white.data.bar, "scatter": white.data.scatter})


def option_colour(option_id: str, position: int = 0) -> str:
    """The colour of a delivery model (a fallback from the palette for an unknown id)."""
    return OPTION_COLOURS.get(option_id, _FALLBACK[position % len(_FALLBACK)])


def _nice_step(span: float, target: int) -> float:
    raw = span / max(target, 1)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * mag >= raw:
            return m * mag
    return 10 * mag


def money_ticks(values: Iterable[float], target: int = 6, include_zero: bool = True) -> tuple[list[float], list[str]]:
    """Round tick positions covering ``values`` and their labels as ``£1,000`` / ``-£1,000``."""
    vals = [float(v) for v in values if v is not None and np.isfinite(v)]
    if include_zero:
        vals.append(0.0)
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - max(abs(lo), 1.0), hi + max(abs(hi), 1.0)
    step = _nice_step(hi - lo, target)
    start = math.floor(lo / step) * step
    stop = math.ceil(hi / step) * step
    ticks = [start + i * step for i in range(int(round((stop - start) / step)) + 1)]
    ticks = [0.0 if abs(t) < step * 1e-9 else t for t in ticks]
    return ticks, [gbp(t) for t in ticks]


def _money_axis(values: Iterable[float], title: str, include_zero: bool = True, **extra: Any) -> dict[str, Any]:
    vals, text = money_ticks(values, include_zero=include_zero)
    span = (vals[-1] - vals[0]) or 1.0
    return dict(
        title=dict(text=title),
        tickmode="array",
        tickvals=vals,
        ticktext=text,
        range=[vals[0] - 0.02 * span, vals[-1] + 0.02 * span],
        zeroline=True,
        zerolinecolor="#444",
        zerolinewidth=1.5,
        gridcolor="#e5e5e5",
        automargin=True,
        **extra,
    )


def _subtitle(result: AppraisalResult, extra: str = "") -> str:
    mit = f"optimism-bias mitigation {result.optimism_bias_mitigation:.0%}"
    bits = [
        f"{result.project_title} ({result.councils})",
        f"{result.scenario} scenario",
        f"{result.perspective} perspective",
        mit,
    ]
    return " · ".join(bits) + (f"<br>{extra}" if extra else "")


def _layout(
    fig: go.Figure,
    title: str,
    subtitle: str = "",
    illustrative: bool = False,
    height: int = HEIGHT,
    legend: bool = True,
    **extra: Any,
) -> go.Figure:
    """Common look: white template, readable font, units in the title, legend under the plot.

    The illustrative label takes the top line, the title the next, the subtitle (at most two lines)
    the next, so nothing overlaps at any width.
    """
    lines = subtitle.count("<br>") + 1 if subtitle else 0
    top = 30 + 34 + 20 * lines + 16
    fig.update_layout(
        template=chart_template(),
        font=FONT,
        height=height,
        title=dict(
            text=title,
            x=0.0,
            xanchor="left",
            xref="container",
            pad=dict(l=8),
            y=1.0,
            yref="container",
            yanchor="top",
            automargin=False,
            font=dict(size=18),
            subtitle=dict(text=subtitle, font=dict(size=13, color="#505050")),
        ),
        margin=dict(l=20, r=24, t=top, b=20),
        hoverlabel=dict(font_size=13, namelength=-1),
        showlegend=legend,
        legend=dict(
            orientation="h",
            yref="container",
            y=0.0,
            yanchor="bottom",
            xanchor="left",
            x=0.0,
            font=dict(size=13),
            traceorder="normal",
        ),
        separators=".,",
        **extra,
    )
    # the title box starts below the illustrative line
    fig.update_layout(title_pad=dict(t=34, l=8))
    if illustrative:
        mark_illustrative(fig)
    return fig


def mark_illustrative(fig: go.Figure) -> go.Figure:
    """Add the 'ILLUSTRATIVE' label (top right, above the plot area); returns the same figure."""
    top = fig.layout.margin.t if fig.layout.margin.t is not None else 80
    # paper y=1 is the top of the plot area; shift up to the figure's first line (above the title)
    fig.add_annotation(
        name=ANNOTATION_ILLUSTRATIVE,
        text=f"<b>{ILLUSTRATIVE_TEXT}</b>",
        xref="paper",
        yref="paper",
        x=1.0,
        y=1.0,
        xanchor="right",
        yanchor="top",
        yshift=top - 4,
        showarrow=False,
        font=dict(size=12, color="#8a3b00"),
        bgcolor="#fff4e5",
        bordercolor="#D55E00",
        borderwidth=1,
        borderpad=3,
    )
    return fig


def is_marked_illustrative(fig: go.Figure) -> bool:
    """Whether a figure carries the illustrative label."""
    return any(a.name == ANNOTATION_ILLUSTRATIVE for a in fig.layout.annotations)


def _message_figure(title: str, message: str, illustrative: bool = False, height: int = 260) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=15, color="#505050")
    )
    _layout(fig, title, illustrative=illustrative, height=height, legend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _options(result: AppraisalResult, include_status_quo: bool = True) -> pd.DataFrame:
    opts = result.options
    return opts if include_status_quo else opts[opts["id"] != STATUS_QUO]


#: Characters a line of a chart's note may hold: the board paper draws a chart about 100 characters of the
#: subtitle's font wide, so a longer line runs off its right edge.
NOTE_WRAP = 95


def _wrap(text: str, width: int = 28) -> str:
    """Break a label onto lines of about ``width`` characters (plotly uses <br>)."""
    words, lines, line = str(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _pick_option(result: AppraisalResult, option_id: str | None) -> str:
    """``option_id`` (checked: an unknown id raises UnknownKeyError listing the valid ones), else the focus
    option of the tables (:func:`ddanalysis.presentation.tables.focus_option`: the recommended option,
    else the best non-status-quo option)."""
    from .presentation.tables import focus_option, option_ids

    return focus_option(result) if option_id is None else option_ids(result, option_id)[0]


# --------------------------------------------------------------------------------------------
# money by year
# --------------------------------------------------------------------------------------------


def savings_by_year(result: AppraisalResult, cumulative: bool = False) -> go.Figure:
    """Annual (or cumulative) saving of each option against the status quo, by financial year.

    One line per option, the status quo included (its saving is zero by definition). GBP, real
    base-year prices, undiscounted.
    """
    col = "cumulative_saving_gbp" if cumulative else "saving_gbp"
    fig = go.Figure()
    annual = result.annual
    for i, r in enumerate(result.options.itertuples(index=False)):
        rows = annual[annual["option"] == r.id].sort_values("year_index")
        y = rows[col].to_numpy(dtype=float)
        sq = r.id == STATUS_QUO
        fig.add_trace(
            go.Scatter(
                x=rows["financial_year"],
                y=y,
                name=r.name + (" ★ recommended" if r.recommended else ""),
                mode="lines+markers",
                legendgroup=r.id,
                meta=r.id,
                line=dict(
                    color=option_colour(r.id, i), width=2 if sq else 3, dash="dot" if sq else _DASHES[i % len(_DASHES)]
                ),
                marker=dict(size=6 if sq else 7),
                customdata=np.array([gbp(v) for v in y], dtype=object)[:, None],
                hovertemplate=f"<b>{r.name}</b><br>%{{x}}: %{{customdata[0]}}<extra></extra>",
            )
        )
    what = "Cumulative saving" if cumulative else "Annual saving"
    title = f"{what} against the status quo, GBP ({result.price_basis})"
    _layout(
        fig,
        title,
        _subtitle(result, "undiscounted; above zero = cheaper than in-house"),
        result.illustrative,
        hovermode="closest",
    )
    fig.update_yaxes(**_money_axis(annual[col], "saving a year (GBP)" if not cumulative else "cumulative saving (GBP)"))
    fig.update_xaxes(type="category", automargin=True)
    return fig


def _component_group_rows(result: AppraisalResult, opt: str, difference: bool) -> pd.DataFrame:
    """An option's cash flows (GBP a year, real) with each component's group; with ``difference``, its cost minus
    the status quo's for the same component and year."""
    cf = result.cashflows
    comp_to_group = {c: g for g, comps in COMPONENT_GROUPS.items() for c in comps}
    mine = cf[cf["option"] == opt].set_index(["component", "year_index"])["cost_gbp"]
    rows = cf[cf["option"] == opt].copy()
    if difference:
        base = cf[cf["option"] == STATUS_QUO].set_index(["component", "year_index"])["cost_gbp"]
        rows["cost_gbp"] = (mine - base.reindex(mine.index).fillna(0.0)).to_numpy()
    return rows.assign(group=rows["component"].map(comp_to_group).fillna("Other"))


def _add_group_bars(fig: go.Figure, rows: pd.DataFrame, years: list[str]) -> None:
    """One stacked bar trace per component group that is non-zero in some year (GBP), in the groups' order; the
    hover lists the group's components that year."""
    nonzero = rows[rows["cost_gbp"].abs() > 0.5]
    # built as text line by line: an empty selection (the status quo against itself) stays a text column
    lines = pd.Series(
        [f"{label}: {gbp(v)}" for label, v in zip(nonzero["label"], nonzero["cost_gbp"])],
        index=nonzero.index,
        dtype=object,
    )
    detail_by = lines.groupby([nonzero["group"], nonzero["financial_year"]], sort=False).agg("<br>".join)
    sums = rows.groupby(["group", "financial_year"], sort=False)["cost_gbp"].sum()
    shown = set(nonzero["group"])
    for group in list(COMPONENT_GROUPS) + ["Other"]:
        if group not in shown:
            continue
        y = sums.loc[group].reindex(years).fillna(0.0).to_numpy(dtype=float)
        detail = [detail_by.get((group, fy), "none") for fy in years]
        fig.add_trace(
            go.Bar(
                x=years,
                y=y,
                name=group,
                marker=dict(color=GROUP_COLOURS.get(group, "#999999")),
                meta=group,
                customdata=np.array([[gbp(v), d] for v, d in zip(y, detail)], dtype=object),
                hovertemplate=f"<b>{group}</b> %{{x}}: %{{customdata[0]}}<br>%{{customdata[1]}}<extra></extra>",
            )
        )


def cost_components(result: AppraisalResult, option_id: str | None = None, difference: bool = True) -> go.Figure:
    """Where an option's cost differs from the status quo's, by component group and year.

    ``difference=True`` (default): bars are the option's cost minus the status quo's for each
    component group (above zero = costs more than in-house, below = cheaper), stacked; a line marks
    the net difference (minus the annual saving). ``difference=False``: the option's own costs,
    stacked (income below zero), with lines for its net cost and the status quo's. GBP, real
    base-year prices, before discounting. Default option: the recommended (or best) one; the status
    quo with ``difference=True`` differs from itself by nothing: no bars, the net line at zero.
    """
    opt = _pick_option(result, option_id)
    rows = _component_group_rows(result, opt, difference)
    years = list(dict.fromkeys(rows.sort_values("year_index")["financial_year"]))
    fig = go.Figure()
    _add_group_bars(fig, rows, years)
    name = result.option_name(opt)
    all_y = _add_net_cost_lines(fig, result, opt, difference)
    # positive and negative stacks reach further than any single bar
    pos = rows[rows["cost_gbp"] > 0].groupby("financial_year")["cost_gbp"].sum()
    neg = rows[rows["cost_gbp"] < 0].groupby("financial_year")["cost_gbp"].sum()
    all_y.extend(pos.tolist() + neg.tolist())
    title, note, axis = _cost_wording(name, result.price_basis, difference)
    _layout(
        fig, title, _subtitle(result, note), result.illustrative, barmode="relative", height=520, hovermode="closest"
    )
    fig.update_yaxes(**_money_axis(all_y, axis))
    fig.update_xaxes(type="category", automargin=True)
    return fig


def _add_net_cost_lines(fig: go.Figure, result: AppraisalResult, opt: str, difference: bool) -> list[float]:
    """Adds the net lines to the cost chart: the net difference from the status quo (minus the annual saving)
    when ``difference``, else the option's and the status quo's net cost a year; returns their values (GBP)."""
    name = result.option_name(opt)
    tot = result.annual[result.annual["option"] == opt].sort_values("year_index")
    sq = result.annual[result.annual["option"] == STATUS_QUO].sort_values("year_index")
    if difference:
        series = [
            (
                -tot["saving_gbp"].to_numpy(dtype=float),
                "Net difference (below zero = saving)",
                dict(color="#000000", width=3),
            )
        ]
    else:
        series = [
            (tot["cost_gbp"].to_numpy(dtype=float), f"{name}: net cost", dict(color="#000000", width=3)),
            (
                sq["cost_gbp"].to_numpy(dtype=float),
                "In-house (status quo): net cost",
                dict(color=OPTION_COLOURS[STATUS_QUO], width=3, dash="dash"),
            ),
        ]
    all_y: list[float] = []
    for y, label, style in series:
        all_y.extend(y)
        fig.add_trace(
            go.Scatter(
                x=tot["financial_year"],
                y=y,
                name=label,
                mode="lines+markers",
                line=style,
                marker=dict(size=7),
                meta="net",
                customdata=np.array([gbp(v) for v in y], dtype=object)[:, None],
                hovertemplate=f"<b>{label}</b> %{{x}}: %{{customdata[0]}}<extra></extra>",
            )
        )
    return all_y


def _cost_wording(name: str, price_basis: str, difference: bool) -> tuple[str, str, str]:
    """The cost chart's title, subtitle note and y-axis title: change in cost against the status quo when
    ``difference``, else the option's own cost a year."""
    if difference:
        return (
            f"Change in cost of {name} against the status quo, GBP ({price_basis})",
            "above zero = costs more than in-house, below = cheaper; undiscounted",
            "change in cost a year (GBP)",
        )
    return (
        f"Cost of {name} by year against the status quo, GBP ({price_basis})",
        "costs above zero, income below; undiscounted",
        "cost a year (GBP)",
    )


def compare_waterfall(
    components: pd.DataFrame,
    start_gbp: float,
    end_gbp: float,
    label_a: str,
    label_b: str,
    subtitle: str = "",
    illustrative: bool = False,
    top: int = 8,
) -> go.Figure:
    """A waterfall from A's net present saving to B's, one step per cost component (the frame of
    :func:`ddanalysis.presentation.tables.compare_components`: label, contribution_gbp; the ``top``
    largest shown, the rest in one "Other components" step). GBP, present values."""
    comp = components.reset_index(drop=True)
    if len(comp) > top:
        head, rest = comp.iloc[:top], comp.iloc[top:]
        comp = pd.concat(
            [
                head,
                pd.DataFrame(
                    [{"label": "Other components", "contribution_gbp": float(rest["contribution_gbp"].sum())}]
                ),
            ],
            ignore_index=True,
        )
    names = [f"A: {_short(label_a, 40)}", *[_short(str(x), 48) for x in comp["label"]], f"B: {_short(label_b, 40)}"]
    values = [float(start_gbp), *comp["contribution_gbp"].astype(float), float(end_gbp)]
    measures = ["absolute", *["relative"] * len(comp), "total"]
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=names,
            x=values,
            measure=measures,
            text=[gbp(v) for v in values],
            textposition="outside",
            increasing=dict(marker=dict(color="#009E73")),
            decreasing=dict(marker=dict(color="#D55E00")),
            totals=dict(marker=dict(color="#0072B2")),
            connector=dict(line=dict(color="#888888", width=1)),
            hovertemplate="<b>%{y}</b>: %{text}<extra></extra>",
        )
    )
    running = np.cumsum([float(start_gbp), *comp["contribution_gbp"].astype(float)])
    _layout(
        fig,
        "What explains the difference in net present saving, GBP",
        subtitle or "present values; green raises B's saving against A's, orange lowers it",
        illustrative,
        height=max(360, 60 + 40 * len(names)),
        legend=False,
    )
    path = [*running, float(end_gbp)]
    ax = _money_axis([*path, 0.0], "net present saving (GBP)")
    lo, hi = ax["range"]
    room = 0.18 * (hi - lo)  # each step's value is written outside its bar: room for it at either end
    ax["range"] = [lo - room if min(path) < lo + room else lo, hi + room]
    fig.update_xaxes(**ax)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


# --------------------------------------------------------------------------------------------
# the headline: net present saving
# --------------------------------------------------------------------------------------------


def npv_by_option(result: AppraisalResult) -> go.Figure:
    """Net present saving of each option against the status quo, with P10-P90 whiskers after Monte Carlo.

    One horizontal bar per option (status quo included, at zero), best at the top. GBP, real
    base-year prices, discounted at the Green Book rate.
    """
    opts = result.options.sort_values("net_present_saving_gbp", ascending=True, kind="stable")
    have_mc = len(result.mc_draws) > 0 and opts["saving_p10_gbp"].notna().any()
    fig = go.Figure()
    xs: list[float] = []
    for r in opts.itertuples(index=False):
        xs += _net_present_saving_bar(fig, result, r, have_mc)
    whisk = "; whiskers: Monte Carlo P10 to P90" if have_mc else ""
    title = f"Net present saving against the status quo, GBP ({result.price_basis})"
    _layout(
        fig,
        title,
        _subtitle(result, f"{result.horizon_years} years, discounted{whisk}; ★ recommended"),
        result.illustrative,
        height=max(320, 110 + 62 * len(opts)),
        legend=False,
        bargap=0.35,
    )
    ax = _money_axis(xs, "net present saving (GBP)")
    span = ax["range"][1] - ax["range"][0]
    ax["range"] = [ax["range"][0], ax["range"][1] + 0.18 * span]  # room for the labels
    fig.update_xaxes(**ax)
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), ticklabelstandoff=8)
    return fig


def _net_present_saving_bar(fig: go.Figure, result: AppraisalResult, r: Any, have_mc: bool) -> list[float]:
    """Adds one option's bar (``r``: a row of ``result.options``), its P10-P90 whisker when ``have_mc``, and its
    value label to ``fig``; returns the x values (GBP) the axis must show."""
    xs: list[float] = []
    nps = float(r.net_present_saving_gbp)
    label = _wrap(r.name + (" ★" if r.recommended else ""), 30)
    err = None
    hover = [
        f"<b>{r.name}</b>{' (recommended)' if r.recommended else ''}",
        f"Net present saving: {gbp(nps)}",
        f"Payback: {r.payback_year or 'not within the horizon'}",
        f"One-off cost: {gbp(r.one_off_cost_gbp)}",
    ]
    if have_mc and r.id != STATUS_QUO and pd.notna(r.saving_p10_gbp):
        p10, p90 = float(r.saving_p10_gbp), float(r.saving_p90_gbp)
        err = dict(
            type="data",
            symmetric=False,
            array=[max(p90 - nps, 0.0)],
            arrayminus=[max(nps - p10, 0.0)],
            color="#333333",
            thickness=1.8,
            width=8,
        )
        hover += [
            f"Monte Carlo P10 to P90: {gbp(p10)} to {gbp(p90)}",
            f"Chance of saving money: {formats.chance(r.p_saving_positive)}",
        ]
        xs += [p10, p90]
    xs.append(nps)
    idx = list(result.options["id"]).index(r.id)
    fig.add_trace(
        go.Bar(
            y=[label],
            x=[nps],
            orientation="h",
            name=r.name,
            meta=r.id,
            error_x=err,
            marker=dict(color=option_colour(r.id, idx), line=dict(color="#000000", width=2.5 if r.recommended else 0)),
            customdata=[["<br>".join(hover)]],
            hovertemplate="%{customdata[0]}<extra></extra>",
            showlegend=False,
        )
    )
    # the value to the right of the bar and its whisker, never on top of either
    right = max([nps, 0.0] + ([float(r.saving_p90_gbp)] if err else []))
    fig.add_annotation(
        x=right,
        y=label,
        text=f"<b>{gbp(nps)}</b>" if r.recommended else gbp(nps),
        showarrow=False,
        xanchor="left",
        xshift=8,
        font=dict(size=13),
    )
    return xs


def mc_distribution(result: AppraisalResult, bins: int = 60) -> go.Figure:
    """Monte Carlo distribution of each option's net present saving (share of draws per band).

    One filled outline per non-status-quo option (the status quo's saving is always zero); the
    histogram is computed here, so only the bands reach the browser, not every draw.
    """
    title = f"Monte Carlo: net present saving, GBP ({result.price_basis})"
    draws = result.mc_draws
    opts = _options(result, include_status_quo=False)
    if len(draws) == 0 or opts.empty:
        return _message_figure(title, "Monte Carlo was not run (draws = 0).", result.illustrative)
    values = np.concatenate([draws[o].to_numpy(dtype=float) for o in opts["id"]])
    lo, hi = np.percentile(values, [0.2, 99.8])
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    edges = np.linspace(lo, hi, bins + 1)
    fig = go.Figure()
    ymax = 0.0
    for r in opts.itertuples(index=False):
        ymax = max(ymax, _add_saving_outline(fig, result, r, edges))
    fig.add_vline(x=0, line=dict(color="#000000", width=1.5, dash="dash"))
    fig.add_annotation(
        x=0, y=1, xref="x", yref="paper", text="break-even", showarrow=False, yanchor="bottom", font=dict(size=12)
    )
    _layout(
        fig,
        title,
        _subtitle(result, f"{len(draws):,} seeded draws (seed {result.mc_seed}); right of the line = saves money"),
        result.illustrative,
        height=500,
        hovermode="closest",
    )
    ax = _money_axis([lo, hi], "net present saving (GBP)")
    ax["range"] = [lo, hi]
    fig.update_xaxes(**ax)
    fig.update_yaxes(
        title=dict(text="share of draws"),
        tickformat=".0%",
        rangemode="tozero",
        gridcolor="#e5e5e5",
        range=[0, ymax * 1.12],
    )
    return fig


def _add_saving_outline(fig: go.Figure, result: AppraisalResult, r: Any, edges: np.ndarray) -> float:
    """Adds one option's filled outline of the share of Monte Carlo draws whose net present saving falls in each
    band of ``edges`` (GBP; draws outside are clipped into the end bands); ``r`` is a row of the options table.
    Returns the largest share (0..1)."""
    lo, hi = float(edges[0]), float(edges[-1])
    mids = (edges[:-1] + edges[1:]) / 2
    v = result.mc_draws[r.id].to_numpy(dtype=float)
    counts, _ = np.histogram(np.clip(v, lo, hi), bins=edges)
    share = counts / len(v)
    idx = list(result.options["id"]).index(r.id)
    colour = option_colour(r.id, idx)
    band = np.array([f"{gbp(a)} to {gbp(b)}" for a, b in zip(edges[:-1], edges[1:])], dtype=object)
    fig.add_trace(
        go.Scatter(
            x=mids,
            y=share,
            name=f"{r.name} (saves money in {formats.chance(r.p_saving_positive)} of draws)",
            meta=r.id,
            mode="lines",
            line=dict(color=colour, width=2.5, shape="hvh"),
            fill="tozeroy",
            fillcolor=_rgba(colour, 0.18),
            customdata=np.stack([band, np.array([pct(s, 1) for s in share], dtype=object)], axis=1),
            hovertemplate=f"<b>{r.name}</b><br>%{{customdata[0]}}: %{{customdata[1]}} of draws<extra></extra>",
        )
    )
    return float(share.max())


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


# --------------------------------------------------------------------------------------------
# sensitivity and switching values
# --------------------------------------------------------------------------------------------


def format_value(value: Any, unit: str) -> str:
    """An assumption's value in its unit (:func:`ddanalysis.presentation.formats.value_in_unit`)."""
    return value_in_unit(value, unit)


def tornado(result: AppraisalResult, option_id: str | None = None, top: int = 10) -> go.Figure:
    """One-way sensitivity of an option's net present saving: each assumption at its low and high value.

    Default option: the recommended one, or the best non-status-quo option. Bars start at the
    central net present saving; the widest swing is at the top. Two traces: at low, at high.
    """
    opt = _pick_option(result, option_id)
    name = result.option_name(opt)
    measure = getattr(result, "sensitivity_measure", "net present saving")
    title = f"What moves the {measure} of {name}, GBP ({result.price_basis})"
    sens = result.sensitivity
    rows = sens[sens["option"] == opt].sort_values("swing", ascending=False).head(top) if not sens.empty else sens
    if rows.empty:
        return _message_figure(title, "No assumption of this option has a range to test.", result.illustrative)
    rows = rows.iloc[::-1]  # widest at the top
    base = float(rows["nps_base"].iloc[0])
    fig = go.Figure()
    _add_swing_bars(fig, rows, base)
    fig.add_vline(x=base, line=dict(color="#000000", width=2))
    fig.add_annotation(
        x=base,
        y=1,
        xref="x",
        yref="paper",
        text=f"central {gbp(base)}",
        showarrow=False,
        yanchor="bottom",
        font=dict(size=12),
    )
    note = getattr(result, "sensitivity_note", "")
    _layout(
        fig,
        title,
        _subtitle(
            result,
            f"top {len(rows)} assumptions by swing; others held at the scenario value"
            + (f"<br>{_wrap(note, NOTE_WRAP)}" if note else ""),
        ),
        result.illustrative,
        height=max(400, 190 + 58 * len(rows)),
        barmode="overlay",
        bargap=0.3,
    )
    allx = list(rows["nps_at_low"]) + list(rows["nps_at_high"]) + [base]
    fig.update_xaxes(**_money_axis(allx, f"{measure} (GBP); 0 = break-even with the status quo", include_zero=False))
    fig.update_yaxes(automargin=True, tickfont=dict(size=12), ticklabelstandoff=8)
    return fig


def _add_swing_bars(fig: go.Figure, rows: pd.DataFrame, base: float) -> None:
    """Adds the tornado's two traces, the net present saving (GBP) with each assumption at its low and at its high
    value, as bars from the central saving ``base``; ``rows``: the option's sensitivity rows, widest last."""
    labels = [
        f"{_wrap(_short(d, 112), 60)}<br><span style='font-size:11px;color:#505050'>low {format_value(lo, u)} · "
        f"high {format_value(hi, u)}</span>"
        for d, lo, hi, u in zip(rows["description"], rows["low"], rows["high"], rows["unit"])
    ]
    for end, colour, label in (
        ("low", "#0072B2", "Assumption at its low value"),
        ("high", "#E69F00", "Assumption at its high value"),
    ):
        vals = rows[f"nps_at_{end}"].to_numpy(dtype=float)
        txt = np.array(
            [
                f"{_short(d, 90)}<br>{label.lower()} ({format_value(v, u)}): {gbp(x)}"
                for d, v, u, x in zip(rows["description"], rows[end], rows["unit"], vals)
            ],
            dtype=object,
        )
        fig.add_trace(
            go.Bar(
                y=labels,
                x=vals - base,
                base=base,
                orientation="h",
                name=label,
                meta=end,
                marker=dict(color=colour),
                customdata=txt[:, None],
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
        )


def switching_table(result: AppraisalResult, option_id: str | None = None) -> pd.DataFrame:
    """Switching values of an option, readable (:func:`ddanalysis.presentation.tables.switching_table`)."""
    from .presentation.tables import switching_table as table

    return table(result, _pick_option(result, option_id)).frame


# --------------------------------------------------------------------------------------------
# multi-criteria analysis
# --------------------------------------------------------------------------------------------


def _criteria_names(result: AppraisalResult) -> dict[str, str]:
    return result.criterion_names()


def mca_scores(result: AppraisalResult, weights: "pd.Series | dict | None" = None) -> go.Figure:
    """Weighted MCA score of each option (0-10), stacked by criterion (weight x score).

    ``weights`` (criterion -> swing weight, summing to 1) overrides the result's weights, e.g. from
    the dashboard's sliders. One trace per criterion; best option at the top.
    """
    from . import mca

    w = pd.Series(weights, dtype=float) if weights is not None else result.mca_weights
    totals = mca.weighted_totals(result.mca_scores, w)
    order = list(totals["option"])[::-1]  # best at the top of a horizontal chart
    names = result.options.set_index("id")["name"]
    labels = [_wrap(str(names.get(o, o)), 30) for o in order]
    fig = go.Figure()
    _add_criterion_bars(fig, result, w, order, labels)
    tot = totals.set_index("option")["weighted_score"]
    for o, lab in zip(order, labels):
        fig.add_annotation(
            x=float(tot[o]),
            y=lab,
            text=f"<b>{tot[o]:.2f}</b>",
            showarrow=False,
            xanchor="left",
            xshift=6,
            font=dict(size=13),
        )
    title = "Multi-criteria analysis: weighted score out of 10 (non-monetised criteria)"
    _layout(
        fig,
        title,
        f"{result.project_title} · bar length = weight x score; costs are not scored again",
        result.illustrative,
        barmode="stack",
        height=max(380, 190 + 60 * len(order)),
        bargap=0.3,
    )
    fig.update_xaxes(title=dict(text="weighted score (0-10)"), range=[0, 10.6], dtick=1, gridcolor="#e5e5e5")
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), ticklabelstandoff=8)
    fig.update_layout(legend=dict(y=-0.18))
    return fig


def _add_criterion_bars(
    fig: go.Figure, result: AppraisalResult, w: pd.Series, order: list[str], labels: list[str]
) -> None:
    """Adds one stacked bar trace per MCA criterion: weight x score (0-10 scale) for each option in ``order``
    (``labels``: their axis labels), with the score's written rationale on hover."""
    names = result.options.set_index("id")["name"]
    crit_names = _criteria_names(result)
    matrix = result.mca_scores.pivot(index="option", columns="criterion", values="score")
    rationale = result.mca_scores.set_index(["option", "criterion"])["rationale"]
    palette = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#882255", "#332288")
    for i, c in enumerate(w.index):
        contrib = [float(matrix.loc[o, c]) * float(w[c]) for o in order]
        hover = np.array(
            [
                f"<b>{crit_names.get(c, c)}</b> (weight {float(w[c]):.0%})<br>{names.get(o, o)}: "
                f"score {matrix.loc[o, c]:g}/10, adds {x:.2f}<br>{_wrap(_short(rationale.get((o, c), ''), 160), 60)}"
                for o, x in zip(order, contrib)
            ],
            dtype=object,
        )
        fig.add_trace(
            go.Bar(
                y=labels,
                x=contrib,
                orientation="h",
                name=f"{crit_names.get(c, c)} ({float(w[c]):.0%})",
                meta=c,
                marker=dict(color=palette[i % len(palette)]),
                customdata=hover[:, None],
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
        )


def _gate_hover(share: float | None) -> str:
    """The hover's line for test (c) of the rule under moving weights ('' when not worked out)."""
    if share is None or pd.isna(share):
        return ""
    return f"<br>score at least the status quo's in {share:.1%} of weight draws"


def mca_stability(result: AppraisalResult, stability: pd.DataFrame | None = None) -> go.Figure:
    """How often each option ranks first when the weights move (Dirichlet draws around the weights).

    ``stability`` (option, share_first, mean_rank, share_clears_status_quo) overrides the result's, e.g. after
    the viewer moved the weights. One bar per option; the hover also says how often its score is at least the
    status quo's (test (c) of the rule).
    """
    stab = stability if stability is not None else result.mca_stability
    names = result.options.set_index("id")["name"]
    ids = list(result.options["id"])
    stab = stab.sort_values(["share_first", "mean_rank"], ascending=[True, False], kind="stable")
    fig = go.Figure()
    for r in stab.itertuples(index=False):
        idx = ids.index(r.option) if r.option in ids else 0
        fig.add_trace(
            go.Bar(
                y=[_wrap(str(names.get(r.option, r.option)), 30)],
                x=[float(r.share_first)],
                orientation="h",
                name=str(names.get(r.option, r.option)),
                meta=r.option,
                marker=dict(color=option_colour(r.option, idx)),
                text=[f"{r.share_first:.0%} (mean rank {r.mean_rank:.1f})"],
                textposition="outside",
                cliponaxis=False,
                hovertemplate=f"<b>{names.get(r.option, r.option)}</b><br>"
                f"ranked first in {r.share_first:.1%} of weight draws<br>mean rank {r.mean_rank:.2f}"
                + _gate_hover(getattr(r, "share_clears_status_quo", None))
                + "<extra></extra>",
                showlegend=False,
            )
        )
    title = "Ranking stability: share of weight draws in which each option ranks first"
    _layout(
        fig,
        title,
        f"{result.project_title} · weights varied at random around the chosen ones (Dirichlet)",
        result.illustrative,
        height=max(320, 110 + 58 * len(stab)),
        legend=False,
        bargap=0.35,
    )
    fig.update_xaxes(
        title=dict(text="share of draws ranked first"),
        tickformat=".0%",
        range=[0, 1.3],
        tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
        gridcolor="#e5e5e5",
    )
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), ticklabelstandoff=8)
    return fig


# --------------------------------------------------------------------------------------------
# implementation plan
# --------------------------------------------------------------------------------------------


def _add_phase_bars(fig: go.Figure, rows: pd.DataFrame) -> None:
    """Phases of positive length as horizontal bars from start to finish (critical path in vermillion, the others
    in sky blue), each phase's slack (weeks) as a pale extension after its finish."""
    bars = rows[rows["finish"] > rows["start"]]
    slack = bars["slack_weeks"].fillna(0.0) if "slack_weeks" in bars else pd.Series(0.0, index=bars.index)
    day = 86_400_000.0
    for flag, colour, label in ((True, "#D55E00", "Critical path (no slack)"), (False, "#56B4E9", "Phase with slack")):
        sub = bars[bars["critical"].astype(bool) == flag]
        if sub.empty:
            continue
        weeks = (sub["finish"] - sub["start"]).dt.days / 7.0
        hover = np.array(
            [
                f"<b>{n}</b><br>{a:%d %b %Y} to {b:%d %b %Y} ({w:.0f} weeks)"
                + (f"<br>slack {sl:.0f} weeks" if sl > 0 else "<br>on the critical path")
                for n, a, b, w, sl in zip(sub["name"], sub["start"], sub["finish"], weeks, slack[sub.index])
            ],
            dtype=object,
        )
        fig.add_trace(
            go.Bar(
                y=sub["label"].tolist(),
                x=((sub["finish"] - sub["start"]).dt.days * day).tolist(),
                base=sub["start"].dt.strftime("%Y-%m-%d").tolist(),
                orientation="h",
                name=label,
                meta=str(flag),
                marker=dict(color=colour),
                customdata=hover[:, None],
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
        )
    has_slack = bars[slack > 0]
    if not has_slack.empty:
        fig.add_trace(
            go.Bar(
                y=has_slack["label"].tolist(),
                x=(slack[has_slack.index] * 7 * day).tolist(),
                base=has_slack["finish"].dt.strftime("%Y-%m-%d").tolist(),
                orientation="h",
                name="Slack",
                marker=dict(color="rgba(86,180,233,0.25)", line=dict(color="#56B4E9", width=1)),
                meta="slack",
                hovertemplate="slack: can slip this far without moving go-live<extra></extra>",
            )
        )


def _add_milestones(fig: go.Figure, rows: pd.DataFrame, ms: pd.DataFrame) -> None:
    """Milestones (``ms``: milestone, date) as diamonds at their dates, on the row of the phase that ends that day
    (else the last phase running then, else the last row)."""
    labels = rows["label"].tolist()
    ys, xs, texts = [], [], []
    for m, d in zip(ms["milestone"], pd.to_datetime(ms["date"])):
        hit = rows[rows["finish"] == d]
        if hit.empty:
            hit = rows[(rows["start"] <= d) & (rows["finish"] >= d)].sort_values("start")
        ys.append(hit["label"].iloc[-1] if not hit.empty else labels[-1])
        xs.append(d.strftime("%Y-%m-%d"))
        texts.append(f"<b>{m}</b><br>{d:%d %b %Y}")
    fig.add_trace(
        go.Scatter(
            y=ys,
            x=xs,
            mode="markers",
            name="Milestone",
            meta="milestone",
            marker=dict(symbol="diamond", size=13, color="#000000", line=dict(color="#ffffff", width=1)),
            customdata=np.array(texts, dtype=object)[:, None],
            hovertemplate="%{customdata[0]}<extra></extra>",
        )
    )


def gantt(result: AppraisalResult, option_id: str | None = None) -> go.Figure:
    """Gantt chart of an option's implementation plan: phases as bars (critical path in vermillion,
    the others in sky blue with their slack as a pale extension), milestones as diamonds on the row
    of the phase that ends on that date, go-live as a dashed line. Default option: as :func:`tornado`.
    """
    opt = _pick_option(result, option_id)
    name = result.option_name(opt)
    title = f"Implementation plan: {name}"
    g = result.gantt
    if g is None or g.empty or opt == STATUS_QUO or opt not in set(g["option"]):
        return _message_figure(
            title,
            "The status quo needs no implementation plan." if opt == STATUS_QUO else "No plan for this option.",
            result.illustrative,
        )
    rows = g[g["option"] == opt].copy()
    rows["start"] = pd.to_datetime(rows["start"])
    rows["finish"] = pd.to_datetime(rows["finish"])
    rows = rows.reset_index(drop=True)
    labels = [_wrap(str(n), 36) for n in rows["name"]]
    rows["label"] = labels
    fig = go.Figure()
    _add_phase_bars(fig, rows)
    plan = result.plans.get(opt) if result.plans else None
    ms = getattr(plan, "milestones", None)
    if ms is not None and len(ms):
        _add_milestones(fig, rows, ms)
    _add_go_live(fig, result.options.set_index("id").loc[opt, "go_live"])
    start = rows["start"].min()
    _layout(
        fig,
        title,
        f"{result.project_title} · {result.scenario} scenario · plan starts {start:%d %b %Y}",
        result.illustrative,
        height=max(400, 170 + 36 * len(rows)),
        barmode="overlay",
        bargap=0.3,
    )
    fig.update_xaxes(type="date", tickformat="%b %Y", gridcolor="#e5e5e5", automargin=True)
    fig.update_yaxes(
        autorange="reversed",
        automargin=True,
        tickfont=dict(size=12),
        ticklabelstandoff=8,
        categoryorder="array",
        categoryarray=labels,
        type="category",
    )
    return fig


def _add_go_live(fig: go.Figure, go_live: Any) -> None:
    """Adds the go-live date (ISO ``YYYY-MM-DD`` text; nothing when empty or missing) as a dashed line."""
    if isinstance(go_live, str) and go_live:
        fig.add_vline(x=pd.Timestamp(go_live).timestamp() * 1000, line=dict(color="#009E73", width=2.5, dash="dash"))
        fig.add_annotation(
            x=go_live,
            y=1,
            xref="x",
            yref="paper",
            text=f"go-live {pd.Timestamp(go_live):%d %b %Y}",
            showarrow=False,
            yanchor="bottom",
            font=dict(size=13, color="#006e50"),
        )


# --------------------------------------------------------------------------------------------
# official spending trend and the programme
# --------------------------------------------------------------------------------------------


def spending_trend(
    frame: pd.DataFrame,
    council: str = "",
    price_basis: str = "real 2014-15 prices",
    highlight: Sequence[str] = (),
    illustrative: bool = False,
    as_index: bool = False,
) -> go.Figure:
    """A council's official net current expenditure by service block by year (a prepared frame).

    ``frame``: one row per (year, service block): ``year`` ('2014-15'), ``label`` (service block),
    ``value_gbp`` (GBP, in ``price_basis``). Blocks in ``highlight`` (labels) are drawn thick; the
    others thin. One line per service block. ``as_index``: each block as an index of its first year
    (= 100), so small blocks are as readable as large ones; hover still shows GBP. Official
    figures: not marked illustrative by default.
    """
    who = f" of {council}" if council else ""
    title = (
        f"Net current expenditure by service{who}, index (first year = 100; {price_basis})"
        if as_index
        else f"Net current expenditure by service{who}, GBP ({price_basis})"
    )
    if frame is None or frame.empty:
        return _message_figure(title, "No official outturn figures available for this council.", illustrative)
    fig = go.Figure()
    years = _every_year(frame["year"].unique())
    order = frame[frame["year"] == years[-1]].sort_values("value_gbp", ascending=False)["label"].tolist() + [
        lab for lab in frame["label"].unique()
    ]
    order = list(dict.fromkeys(order))
    all_y: list[float] = []
    for i, lab in enumerate(order):
        all_y += _add_service_line(fig, frame, lab, i, years, highlight, as_index)
    note = (
        "Source: DCLG Revenue Outturn Summary (RS), net current expenditure; the blocks holding the service in scope "
        "drawn thick (the whole block, not the service alone)"
    )
    _layout(fig, title, note, illustrative, height=540, hovermode="closest")
    if as_index:
        fig.update_yaxes(title=dict(text="index (first year = 100)"), gridcolor="#e5e5e5", zeroline=False)
        fig.add_hline(y=100, line=dict(color="#444", width=1, dash="dot"))
    else:
        fig.update_yaxes(**_money_axis(all_y, "net current expenditure (GBP)"))
    fig.update_xaxes(type="category", automargin=True)
    return fig


def _every_year(labels: Iterable[str]) -> list[str]:
    """Every financial year from the first of ``labels`` to the last, in order: a year with no figure keeps its
    place on the axis, so the lines break there instead of joining two years apart as if they were adjacent."""
    starts = sorted({fy_start_year(y) for y in labels})
    return [fy_label(y) for y in range(starts[0], starts[-1] + 1)]


#: Line colours of the service blocks (Okabe-Ito first, then Paul Tol's colours, grey and black); past the
#: twelfth block the dash pattern changes.
_SERVICE_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#999933",
    "#882255",
    "#332288",
    "#6E6E6E",
    "#44AA99",
    "#000000",
)


def _add_service_line(
    fig: go.Figure, frame: pd.DataFrame, lab: str, i: int, years: list[str], highlight: Sequence[str], as_index: bool
) -> list[float]:
    """Adds the line of service block ``lab`` (the ``i``-th drawn) over ``years``: net current expenditure in GBP,
    or as an index of its first year (= 100) when ``as_index``, in which case a block without a trend (first
    value zero or below, or one year only) is left out. Returns the plotted values."""
    palette = _SERVICE_PALETTE
    rows = frame[frame["label"] == lab].set_index("year").reindex(years)
    gbp_vals = rows["value_gbp"].to_numpy(dtype=float)
    y = gbp_vals
    if as_index:
        first = next((v for v in gbp_vals if np.isfinite(v)), np.nan)
        y = gbp_vals / first * 100.0 if first and np.isfinite(first) and first > 0 else np.full(len(gbp_vals), np.nan)
        if np.isfinite(y).sum() < 2:
            return []  # no trend: a block that starts at zero or below, or is published for one year only
    hi = lab in highlight
    text = [gbp(v) + (f" (index {x:.0f})" if as_index and np.isfinite(x) else "") for v, x in zip(gbp_vals, y)]
    fig.add_trace(
        go.Scatter(
            x=years,
            y=y,
            name=lab + (" (holds the service in scope)" if hi else ""),
            mode="lines+markers",
            meta=lab,
            line=dict(color=palette[i % len(palette)], width=4.5 if hi else 2, dash=_DASHES[(i // len(palette)) % 3]),
            marker=dict(size=8 if hi else 5),
            opacity=1.0 if (hi or not highlight) else 0.75,
            customdata=np.array(text, dtype=object)[:, None],
            hovertemplate=f"<b>{lab}</b> %{{x}}: %{{customdata[0]}}<extra></extra>",
        )
    )
    return [float(v) for v in y if np.isfinite(v)]


def programme_savings(summary: pd.DataFrame, price_basis: str = "real 2014-15 prices") -> go.Figure:
    """Net present saving of each project's recommended option (the programme at a glance).

    ``summary``: :func:`ddanalysis.programme.programme_summary`. One bar per project, coloured by
    the recommended delivery model; largest saving at the top. An empty summary (no project) gives a
    figure that says so.
    """
    title = f"Net present saving of each project's recommended option, GBP ({price_basis})"
    if summary.empty:
        return _message_figure(title, "No project to show: the programme has no appraisal.")
    s = summary.sort_values("net_present_saving_gbp", ascending=True, kind="stable")
    fig = go.Figure()
    seen: set[str] = set()
    for r in s.itertuples(index=False):
        label = _wrap(f"{r.title} ({r.councils})", 40)
        nps = float(r.net_present_saving_gbp)
        hover = "<br>".join(
            [
                f"<b>{r.title}</b> ({r.councils})",
                f"Recommended: {r.recommended_name}",
                f"Net present saving: {gbp(nps)}",
                f"In-scope net budget: {gbp(r.baseline_net_gbp)}",
                f"Payback: {r.payback_year or '-'}",
                f"Go-live: {r.go_live or '-'}",
            ]
        )
        fig.add_trace(
            go.Bar(
                y=[label],
                x=[nps],
                orientation="h",
                name=str(r.recommended_name),
                legendgroup=str(r.recommended),
                showlegend=r.recommended not in seen,
                meta=r.project_id,
                marker=dict(color=option_colour(str(r.recommended))),
                text=[gbp(nps)],
                textposition="outside",
                cliponaxis=False,
                customdata=[[hover]],
                hovertemplate="%{customdata[0]}<extra></extra>",
            )
        )
        seen.add(r.recommended)
    ill = bool(summary["illustrative"].any()) if "illustrative" in summary else False
    _layout(
        fig,
        title,
        "colour = recommended delivery model; in-house = keep the service as it is (saving zero)",
        ill,
        height=max(420, 150 + 52 * len(s)),
        bargap=0.3,
    )
    ax = _money_axis(s["net_present_saving_gbp"], "net present saving (GBP)")
    span = ax["range"][1] - ax["range"][0]
    ax["range"] = [ax["range"][0], ax["range"][1] + 0.18 * span]
    fig.update_xaxes(**ax)
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), ticklabelstandoff=8)
    return fig


# --------------------------------------------------------------------------------------------
# offline display
# --------------------------------------------------------------------------------------------

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: ``showSendToCloud`` off: the JupyterLab plotly renderer otherwise shows "Share chart...", which
#: sends the figure's data to plotly's online Chart Studio (an outside host).
DISPLAY_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "sendDataToCloud"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}


# --------------------------------------------------------------------------------------------
# deciding under uncertainty: built from the presentation layer's tables
# --------------------------------------------------------------------------------------------


def _no_decision(result: AppraisalResult, title: str) -> go.Figure | None:
    if getattr(result, "decision", None) is None:
        msg = decision_text.DECISION_NOT_COMPUTED if len(result.mc_draws) else decision_text.DECISION_NO_DRAWS
        return _message_figure(title, _wrap(msg, 90), result.illustrative)
    return None


def probability_best(result: AppraisalResult) -> go.Figure:
    """Probability each option is the best (highest net present saving), one bar per option."""
    title = "Probability each option is the best (share of Monte Carlo draws)"
    empty = _no_decision(result, title)
    if empty is not None:
        return empty
    dm = result.decision
    opts = _options(result)
    p = [float(dm.p_best.get(str(o), 0.0)) for o in opts["id"]]
    colours = [option_colour(o, i) for i, o in enumerate(opts["id"])]
    fig = go.Figure(
        go.Bar(
            x=p,
            y=[_wrap(n, 34) for n in opts["name"]],
            orientation="h",
            marker=dict(color=colours),
            text=[formats.chance(v) for v in p],
            textposition="outside",
            cliponaxis=False,
            customdata=np.array([[n, pct(v, 1)] for n, v in zip(opts["name"], p)], dtype=object),
            hovertemplate="<b>%{customdata[0]}</b><br>best in %{customdata[1]} of draws<extra></extra>",
        )
    )
    _layout(
        fig,
        title,
        _subtitle(
            result,
            f"{dm.draws:,} draws (seed {result.mc_seed}); the bars sum to 100%; "
            f"expected value of perfect information {gbp(dm.evpi_gbp)}",
        ),
        result.illustrative,
        height=max(320, 170 + 48 * len(opts)),
        legend=False,
    )
    fig.update_xaxes(title=dict(text="probability best"), tickformat=".0%", range=[0, 1.12], gridcolor="#e5e5e5")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def acceptability_curves(result: AppraisalResult, reaching: bool = False) -> go.Figure:
    """The acceptability curve: for each net-present-saving threshold (GBP), the probability each option
    saves at least that and is the best (``reaching``: just saves at least that). One line per option."""
    what = "saves at least the threshold" + ("" if reaching else " and is the best option")
    title = f"Acceptability: probability an option {what}"
    empty = _no_decision(result, title)
    if empty is not None:
        return empty
    acc = result.decision.acceptability
    col = "p_reaches" if reaching else "p_best"
    fig = go.Figure()
    for i, r in enumerate(result.options.itertuples(index=False)):
        rows = acc[acc["option"] == r.id]
        x = rows["threshold_gbp"].to_numpy(dtype=float)
        y = rows[col].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name=r.name,
                meta=r.id,
                mode="lines+markers",
                line=dict(color=option_colour(r.id, i), width=2.5, dash=_DASHES[i % len(_DASHES)]),
                marker=dict(size=5),
                customdata=np.array([[gbp(a), pct(b, 1)] for a, b in zip(x, y)], dtype=object),
                hovertemplate=f"<b>{r.name}</b><br>threshold %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            )
        )
    _layout(
        fig,
        title,
        _subtitle(
            result,
            "thresholds of net present saving (GBP) from £0 to the largest P90; the annual savings target is separate",
        ),
        result.illustrative,
        height=480,
        hovermode="closest",
    )
    fig.update_xaxes(**_money_axis(acc["threshold_gbp"].to_numpy(dtype=float), "net present saving threshold (GBP)"))
    fig.update_yaxes(title=dict(text="probability"), tickformat=".0%", range=[0, 1.05], gridcolor="#e5e5e5")
    return fig


def value_of_information(result: AppraisalResult, top: int = 10) -> go.Figure:
    """Partial EVPI of the assumptions (and correlation groups) worth most, largest at the top (GBP)."""
    from .presentation import tables

    title = f"What evidence is worth buying: partial EVPI, GBP ({result.price_basis})"
    empty = _no_decision(result, title)
    if empty is not None:
        return empty
    t = tables.value_of_information_table(result, top=top).frame
    worth = t.columns[-1]
    if t.empty or float(t[worth].max()) <= 0:
        return _message_figure(
            title,
            _wrap(
                "No assumption is worth paying to know before deciding: the same option is best whatever its value.", 90
            ),
            result.illustrative,
        )
    t = t.iloc[::-1]
    labels = [_wrap(_short(d, 90), 50) for d in t["Assumption"]]
    fig = go.Figure(
        go.Bar(
            x=t[worth],
            y=labels,
            orientation="h",
            marker=dict(color="#0072B2"),
            customdata=np.array(
                [[k, gbp(v), q or "-"] for k, v, q in zip(t["Key"], t[worth], t["Quality"])], dtype=object
            ),
            hovertemplate="%{customdata[0]}<br>worth up to %{customdata[1]}<br>quality %{customdata[2]}<extra></extra>",
        )
    )
    _layout(
        fig,
        title,
        _subtitle(result, f"{decision_text.EVPPI_MEANING}; whole decision (EVPI) {gbp(result.decision.evpi_gbp)}"),
        result.illustrative,
        height=max(360, 170 + 52 * len(t)),
        legend=False,
    )
    fig.update_xaxes(**_money_axis(list(t[worth]), "partial EVPI (GBP)"))
    fig.update_yaxes(automargin=True, tickfont=dict(size=12))
    return fig


#: Kind of value -> (colour, bar pattern) in the who-gains chart: cashable solid, the rest patterned.
KIND_STYLES: dict[str, tuple[str, str]] = {
    "fiscal_cashable": ("#0072B2", ""),
    "fiscal_non_cashable": ("#56B4E9", "/"),
    "economic": ("#E69F00", "x"),
    "social": ("#CC79A7", "."),
}


#: What each perspective counts of the outcome benefits (the who-gains chart's subtitle).
_PERSPECTIVE_COUNTS = {
    "council": "the council perspective counts the council's cashable value only",
    "public": "the public perspective counts fiscal value",
    "social": "the social perspective counts every kind",
}


def who_gains(result: AppraisalResult, option_id: str | None = None) -> go.Figure:
    """Who gains from one option (default: the focus option): present value of its outcome benefits,
    one horizontal stacked bar per agency, one segment per kind of value (colour and pattern by kind).

    Cashable and non-cashable value are separate segments, never one bar of one colour; the subtitle
    says what the perspective counts. A project without monetised outcomes gets a message saying why.
    GBP, real base-year prices, discounted like costs.
    """
    from .benefits import AGENCY_NAMES, KIND_NAMES

    pvd = getattr(result, "public_value", None) or {}
    title = f"Who gains: present value of outcome benefits by agency, GBP ({result.price_basis})"
    if not pvd.get("monetisable"):
        return _message_figure(
            title, _wrap(decision_text.no_outcomes_sentence(pvd.get("reason")), 90), result.illustrative, height=320
        )
    opt = _pick_option(result, option_id)
    b = result.benefits_by_agency
    sub = b[b["option"] == opt] if b is not None else pd.DataFrame()
    if sub.empty:
        return _message_figure(
            title, f"{result.option_name(opt)} has no monetised effect on an outcome.", result.illustrative, height=320
        )
    agencies = [a for a in AGENCY_NAMES if a in set(sub["agency"])]
    labels = [_wrap(AGENCY_NAMES[a], 24) for a in agencies]
    fig = go.Figure()
    totals = dict.fromkeys(agencies, 0.0)
    for kind, (colour, shape) in KIND_STYLES.items():
        ks = sub[sub["kind"] == kind].groupby("agency")["present_value_gbp"].sum()
        if ks.empty:
            continue
        xs = [float(ks.get(a, 0.0)) for a in agencies]
        for a, x in zip(agencies, xs):
            totals[a] += x
        fig.add_trace(
            go.Bar(
                y=labels,
                x=xs,
                orientation="h",
                name=KIND_NAMES[kind],
                meta=kind,
                marker=dict(color=colour, pattern=dict(shape=shape, fgcolor="#333333")),
                hovertemplate=f"%{{y}}<br>{KIND_NAMES[kind]}: %{{x:,.0f}} GBP<extra></extra>",
            )
        )
    counts = _PERSPECTIVE_COUNTS.get(result.perspective, "")
    _layout(
        fig,
        title,
        _subtitle(result, f"{result.option_name(opt)}; {counts}"),
        result.illustrative,
        height=max(320, 160 + 60 * len(agencies)),
        barmode="stack",
        bargap=0.35,
    )
    fig.update_xaxes(**_money_axis(list(totals.values()) + [0.0], "present value of benefits (GBP)"))
    fig.update_yaxes(automargin=True, tickfont=dict(size=13), autorange="reversed")
    return fig


def mimebundle(fig: go.Figure) -> dict[str, Any]:
    """The figure as plotly's own MIME bundle (drawn by the jupyterlab-plotly extension, offline).

    Use ``IPython.display.display(mimebundle(fig), raw=True)``: the plotly.js that draws it is
    served by Jupyter/Voila from the installed extension; nothing is fetched from a CDN. The margins
    the axis labels need are worked out here where they can be (:func:`ddanalysis.chart_margins.fixed_margins`),
    so the browser lays the chart out once.
    """
    spec = fixed_margins(json.loads(fig.to_json()))
    spec["config"] = DISPLAY_CONFIG
    title = fig.layout.title.text or "plotly figure"
    return {PLOTLY_MIME: spec, "text/plain": f"<Figure: {title}>"}
