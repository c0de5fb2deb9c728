"""Charts on a real appraisal (walsall-college, 500 Monte Carlo draws) and on small hand-made frames.

Expected values are worked out here from the result's own tables (cash flows, draws, scores) or by
hand, never read back from the chart code.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from ddanalysis import charts
from ddanalysis.engine import appraise

PRICE_BASE = "real 2014-15 prices"


@pytest.fixture(scope="module")
def result():
    return appraise("walsall-college", draws=500)


@pytest.fixture(scope="module")
def not_illustrative(result):
    return dataclasses.replace(result, illustrative=False)


def _title(fig: go.Figure) -> str:
    return fig.layout.title.text or ""


# --- money formatting ---------------------------------------------------------------------------


def test_money_ticks_are_round_and_formatted_with_the_pound_sign_before_the_minus():
    # span 3.9m over ~6 ticks: raw step 650,000 -> next nice step 1,000,000; ticks -2m .. 3m
    vals, text = charts.money_ticks([-1_200_000, 2_700_000])
    assert vals == [-2_000_000, -1_000_000, 0, 1_000_000, 2_000_000, 3_000_000]
    assert text[0] == "-£2,000,000" and text[2] == "£0" and text[-1] == "£3,000,000"


def test_money_ticks_include_zero_unless_told_not_to():
    vals, _ = charts.money_ticks([300_000, 1_900_000], include_zero=False)
    assert min(vals) <= 300_000 and max(vals) >= 1_900_000
    assert charts.money_ticks([300_000, 1_900_000])[0][0] == 0


# --- every appraisal chart ------------------------------------------------------------------------

ALL = [
    "savings_by_year",
    "cost_components",
    "npv_by_option",
    "mc_distribution",
    "tornado",
    "mca_scores",
    "mca_stability",
    "gantt",
]


@pytest.mark.parametrize("name", ALL)
def test_each_chart_is_a_figure_marked_illustrative(result, name):
    fig = getattr(charts, name)(result)
    assert isinstance(fig, go.Figure)
    assert result.illustrative  # the bundled baselines are illustrative
    assert charts.is_marked_illustrative(fig)
    texts = [a.text for a in fig.layout.annotations if a.name == charts.ANNOTATION_ILLUSTRATIVE]
    assert "ILLUSTRATIVE" in texts[0]


@pytest.mark.parametrize("name", ALL)
def test_no_illustrative_label_on_real_figures(not_illustrative, name):
    assert not charts.is_marked_illustrative(getattr(charts, name)(not_illustrative))


@pytest.mark.parametrize("name", ["savings_by_year", "cost_components", "npv_by_option", "mc_distribution", "tornado"])
def test_money_titles_state_unit_and_price_base(result, name):
    title = _title(getattr(charts, name)(result))
    assert "GBP" in title and PRICE_BASE in title


def test_savings_by_year_one_line_per_option_with_the_saving_from_the_cash_flows(result):
    fig = charts.savings_by_year(result)
    assert len(fig.data) == len(result.options)
    cf = result.cashflows.groupby(["option", "year_index"])["cost_gbp"].sum().unstack()
    sq = cf.loc["in-house"].to_numpy()
    for trace in fig.data:
        expected = sq - cf.loc[trace.meta].to_numpy()  # saving = status quo cost - option cost
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float), expected, rtol=1e-9, atol=1e-6)
    assert list(fig.data[0].x) == [f"{y}-{str(y + 1)[2:]}" for y in range(2015, 2015 + result.horizon_years)]


def test_cumulative_savings_end_at_the_sum_of_the_annual_savings(result):
    fig = charts.savings_by_year(result, cumulative=True)
    annual = {t.meta: np.asarray(t.y, dtype=float) for t in charts.savings_by_year(result).data}
    for t in fig.data:
        assert float(t.y[-1]) == pytest.approx(annual[t.meta].sum(), abs=1e-6)


def test_option_colours_are_the_same_in_every_chart(result):
    lines = {t.meta: t.line.color for t in charts.savings_by_year(result).data}
    bars = {t.meta: t.marker.color for t in charts.npv_by_option(result).data}
    assert lines == bars
    assert len(set(lines.values())) == len(lines)  # distinct within the project
    assert lines["in-house"] == charts.OPTION_COLOURS["in-house"]


def test_npv_bars_and_p10_p90_whiskers_from_the_draws(result):
    fig = charts.npv_by_option(result)
    assert len(fig.data) == len(result.options)
    nps = result.options.set_index("id")["net_present_saving_gbp"]
    for t in fig.data:
        assert float(t.x[0]) == pytest.approx(nps[t.meta])
        if t.meta == "in-house":
            assert t.error_x.array is None
            continue
        draws = result.mc_draws[t.meta].to_numpy()
        p10, p90 = np.percentile(draws, [10, 90])
        assert float(t.error_x.arrayminus[0]) == pytest.approx(max(nps[t.meta] - p10, 0), abs=1e-6)
        assert float(t.error_x.array[0]) == pytest.approx(max(p90 - nps[t.meta], 0), abs=1e-6)
    # best option at the top of the horizontal chart (plotly draws the last category on top)
    assert fig.data[-1].meta == result.options.sort_values("net_present_saving_gbp").iloc[-1]["id"]


def test_npv_without_monte_carlo_has_no_whiskers():
    res = appraise("walsall-college", draws=0, with_switching=False)
    fig = charts.npv_by_option(res)
    assert all(t.error_x.array is None for t in fig.data)
    assert "whiskers" not in fig.layout.title.subtitle.text
    assert "not run" in charts.mc_distribution(res).layout.annotations[0].text


def test_cost_components_stack_to_the_change_against_the_status_quo(result):
    opt = "mutual"
    fig = charts.cost_components(result, opt)
    by = result.cashflows.groupby(["option", "year_index"])["cost_gbp"].sum()
    change = by.loc[opt].to_numpy() - by.loc["in-house"].to_numpy()
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    np.testing.assert_allclose(
        np.sum([np.asarray(t.y, dtype=float) for t in bars], axis=0), change, rtol=1e-9, atol=1e-6
    )
    net = next(t for t in fig.data if isinstance(t, go.Scatter))
    np.testing.assert_allclose(np.asarray(net.y, dtype=float), change, rtol=1e-9, atol=1e-6)  # = minus the saving
    assert "against the status quo" in _title(fig)


def test_cost_components_absolute_stack_to_the_option_cost(result):
    opt = "mutual"
    fig = charts.cost_components(result, opt, difference=False)
    bars = [t for t in fig.data if isinstance(t, go.Bar)]
    stacked = np.sum([np.asarray(t.y, dtype=float) for t in bars], axis=0)
    expected = result.cashflows[result.cashflows.option == opt].groupby("year_index")["cost_gbp"].sum().to_numpy()
    np.testing.assert_allclose(stacked, expected, rtol=1e-9, atol=1e-6)
    lines = {t.name: np.asarray(t.y, dtype=float) for t in fig.data if isinstance(t, go.Scatter)}
    sq = result.cashflows[result.cashflows.option == "in-house"].groupby("year_index")["cost_gbp"].sum().to_numpy()
    np.testing.assert_allclose(lines["In-house (status quo): net cost"], sq, rtol=1e-9)
    with pytest.raises(Exception, match="option"):
        charts.cost_components(result, "no-such-option")


def test_cost_components_of_the_status_quo_against_itself_is_zero_every_year(result):
    """The status quo minus itself is 0 for every component and year: no bar is drawn, and the net line
    (minus the status quo's saving, 0 by definition) is 0 in each of the horizon's years."""
    fig = charts.cost_components(result, "in-house", difference=True)
    assert [t for t in fig.data if isinstance(t, go.Bar)] == []
    lines = [t for t in fig.data if isinstance(t, go.Scatter)]
    assert len(lines) == 1
    assert list(lines[0].y) == [0.0] * result.horizon_years
    assert "against the status quo" in _title(fig)


@pytest.mark.parametrize("difference", [True, False])
def test_cost_components_stack_for_every_option_in_both_modes(result, difference):
    """For each option, the status quo included: the bars stack each year to the sum of the option's
    cash-flow lines, less the status quo's sum when ``difference`` (so 0 for the status quo itself)."""
    by = result.cashflows.groupby(["option", "year_index"])["cost_gbp"].sum()
    for opt in result.options["id"]:
        fig = charts.cost_components(result, opt, difference=difference)
        expected = by.loc[opt].to_numpy() - (by.loc["in-house"].to_numpy() if difference else 0.0)
        bars = [np.asarray(t.y, dtype=float) for t in fig.data if isinstance(t, go.Bar)]
        stacked = np.sum(bars, axis=0) if bars else np.zeros(result.horizon_years)
        np.testing.assert_allclose(stacked, expected, rtol=1e-9, atol=1e-6, err_msg=opt)


@pytest.mark.parametrize("name", ["tornado", "gantt", "who_gains"])
def test_option_charts_draw_every_option_the_status_quo_included(result, name):
    """Each chart that takes an option draws every option of the short list, the status quo included,
    and names it in the title or (for a chart with nothing to show for it) says why."""
    for opt in result.options["id"]:
        fig = getattr(charts, name)(result, opt)
        said = _title(fig) + " ".join(a.text for a in fig.layout.annotations)
        assert result.option_name(opt) in said or "status quo" in said or "outcome" in said, (name, opt)


def test_switching_table_of_every_option_has_its_rows(result):
    """One row per switching value the engine found for the option (none for the status quo)."""
    for opt in result.options["id"]:
        assert len(charts.switching_table(result, opt)) == int((result.switching.option == opt).sum()), opt


def test_mc_distribution_one_outline_per_option_and_shares_sum_to_one(result):
    fig = charts.mc_distribution(result)
    assert len(fig.data) == len(result.options) - 1  # the status quo always saves exactly 0
    for t in fig.data:
        assert float(np.sum(t.y)) == pytest.approx(1.0)
        assert len(t.x) == 60


def test_tornado_defaults_to_the_recommended_option_and_starts_at_the_central_value(result):
    fig = charts.tornado(result)
    focus = (
        result.recommended
        if result.recommended != "in-house"
        else result.options[result.options.id != "in-house"].sort_values("net_present_saving_gbp").iloc[-1]["id"]
    )
    assert result.option_name(focus) in _title(fig)
    sens = result.sensitivity[result.sensitivity.option == focus].sort_values("swing", ascending=False).head(10)
    low, high = fig.data
    assert len(low.y) == len(sens)
    nps = float(result.options.set_index("id").loc[focus, "net_present_saving_gbp"])
    assert float(low.base) == pytest.approx(nps)
    # widest swing at the top (the last category of a horizontal bar chart)
    np.testing.assert_allclose(np.asarray(low.x, dtype=float)[::-1] + nps, sens["nps_at_low"].to_numpy(), rtol=1e-9)
    assert len(charts.tornado(result, top=3).data[0].y) == 3


def test_switching_table_reads_none_in_range_for_no_switch(result):
    table = charts.switching_table(result, "in-house-redesign")
    raw = result.switching[result.switching.option == "in-house-redesign"]
    assert len(table) == len(raw)
    assert (table["Breaks even with the status quo at"] == "none in range").sum() == raw[
        "switch_vs_status_quo"
    ].isna().sum()
    assert list(table.columns)[0] == "Assumption"


def test_mca_scores_stack_weight_times_score(result):
    fig = charts.mca_scores(result)
    assert len(fig.data) == len(result.mca_weights)
    scores = result.mca_scores.pivot(index="option", columns="criterion", values="score")
    expected = (scores * result.mca_weights).sum(axis=1)
    names = result.options.set_index("id")["name"]
    totals = np.sum([np.asarray(t.x, dtype=float) for t in fig.data], axis=0)
    labels = list(fig.data[0].y)
    for opt, total in expected.items():
        label = charts._wrap(names[opt], 30)
        assert totals[labels.index(label)] == pytest.approx(total)


def test_mca_scores_follow_new_weights(result):
    crit = list(result.mca_weights.index)
    weights = pd.Series(0.0, index=crit)
    weights[crit[0]] = 1.0  # all the weight on one criterion: totals = that criterion's scores
    fig = charts.mca_scores(result, weights)
    scores = result.mca_scores[result.mca_scores.criterion == crit[0]].set_index("option")["score"]
    totals = np.sum([np.asarray(t.x, dtype=float) for t in fig.data], axis=0)
    assert sorted(totals) == pytest.approx(sorted(scores))


def test_mca_stability_one_bar_per_option(result):
    fig = charts.mca_stability(result)
    assert len(fig.data) == len(result.options)
    assert sum(float(t.x[0]) for t in fig.data) == pytest.approx(1.0)


def test_gantt_bars_are_the_phases_with_a_duration(result):
    opt = "mutual"
    fig = charts.gantt(result, opt)
    phases = result.gantt[result.gantt.option == opt]
    timed = phases[pd.to_datetime(phases.finish) > pd.to_datetime(phases.start)]
    bars = [t for t in fig.data if isinstance(t, go.Bar) and t.name != "Slack"]
    assert sum(len(t.y) for t in bars) == len(timed)
    crit = next(t for t in bars if t.name.startswith("Critical"))
    assert len(crit.y) == int(timed.critical.sum())
    # a bar's length is its duration in milliseconds
    first = timed.iloc[0]
    days = (pd.Timestamp(first.finish) - pd.Timestamp(first.start)).days
    idx = list(crit.y).index(charts._wrap(first["name"], 36)) if first.critical else None
    if idx is not None:
        assert float(crit.x[idx]) == pytest.approx(days * 86_400_000)
    assert "status quo needs no" in charts.gantt(result, "in-house").layout.annotations[0].text


@pytest.mark.parametrize("reaching", [False, True])
def test_acceptability_curves_follow_the_engines_table_in_both_modes(result, reaching):
    """One line per option; its points are the engine's acceptability table for that option, the
    probability of reaching the threshold (``reaching``) or of reaching it and being best; reaching is
    never less likely than reaching and being best, threshold by threshold."""
    acc = result.decision.acceptability
    fig = charts.acceptability_curves(result, reaching=reaching)
    assert [t.meta for t in fig.data] == list(result.options["id"])
    for t in fig.data:
        rows = acc[acc["option"] == t.meta]
        np.testing.assert_allclose(np.asarray(t.x, dtype=float), rows["threshold_gbp"].to_numpy(dtype=float))
        np.testing.assert_allclose(np.asarray(t.y, dtype=float), rows["p_reaches" if reaching else "p_best"].to_numpy())
        assert (rows["p_reaches"].to_numpy() >= rows["p_best"].to_numpy() - 1e-12).all()
    assert ("and is the best option" in _title(fig)) is not reaching


@pytest.mark.parametrize("top", [1, 3, 10])
def test_value_of_information_shows_the_top_partial_evpis_largest_at_the_top(result, top):
    """The bars are the ``top`` largest partial EVPIs of the engine's table (or a message when none is
    above zero); plotly draws the last category at the top, so the values rise along the trace."""
    worth = result.decision.evppi["evppi_gbp"].sort_values(ascending=False).head(top).to_numpy(dtype=float)
    fig = charts.value_of_information(result, top=top)
    if worth.max() <= 0:
        assert len(fig.data) == 0 and "No assumption is worth" in fig.layout.annotations[0].text
        return
    (bars,) = fig.data
    np.testing.assert_allclose(np.asarray(bars.x, dtype=float)[::-1], worth)


def test_mca_scores_take_weights_as_a_dict_or_a_series_alike(result):
    """``weights`` may be a mapping or a Series (the docstring's promise): the same bars either way."""
    as_series = charts.mca_scores(result, result.mca_weights)
    as_dict = charts.mca_scores(result, dict(result.mca_weights))
    assert [list(t.x) for t in as_dict.data] == [list(t.x) for t in as_series.data]


def test_compare_waterfall_folds_the_smaller_components_into_one_step():
    """Four components, top 2: A 100, steps +50 and -30 shown, +5 and -2 folded into "Other components"
    (5 - 2 = 3), B = 100 + 50 - 30 + 3 = 123."""
    comp = pd.DataFrame(
        {"label": ["staff", "premises", "transport", "supplies"], "contribution_gbp": [50.0, -30.0, 5.0, -2.0]}
    )
    fig = charts.compare_waterfall(comp, 100.0, 123.0, "Mutual", "Outsourcing", top=2)
    (w,) = fig.data
    assert list(w.measure) == ["absolute", "relative", "relative", "relative", "total"]
    assert list(w.x) == [100.0, 50.0, -30.0, 3.0, 123.0]
    assert w.y[3] == "Other components"
    assert len(charts.compare_waterfall(comp, 100.0, 123.0, "Mutual", "Outsourcing").data[0].x) == 6  # none folded


# --- prepared frames --------------------------------------------------------------------------------


def test_spending_trend_one_line_per_block():
    frame = pd.DataFrame(
        {
            "year": ["2013-14", "2014-15"] * 2,
            "label": ["Education services"] * 2 + ["Cultural and related services"] * 2,
            "value_gbp": [100e6, 90e6, 20e6, 18e6],
        }
    )
    fig = charts.spending_trend(frame, council="Walsall", highlight=["Cultural and related services"])
    assert len(fig.data) == 2
    assert "Walsall" in _title(fig) and PRICE_BASE in _title(fig)
    thick = {t.meta: t.line.width for t in fig.data}
    assert thick["Cultural and related services"] > thick["Education services"]
    assert not charts.is_marked_illustrative(fig)  # official figures
    # as an index of the first year: 90m / 100m = 90, 18m / 20m = 90
    idx = charts.spending_trend(frame, council="Walsall", as_index=True)
    assert all(list(t.y) == pytest.approx([100.0, 90.0]) for t in idx.data)
    assert "index" in _title(idx)


def test_spending_trend_keeps_a_missing_years_place_so_the_line_breaks():
    """Figures for 2015-16, 2016-17 and 2019-20 (none published in between, as when the RS series stops and a
    later return resumes it): the axis has every year from 2015-16 to 2019-20, and the two missing ones have no
    value, so the line breaks (plotly joins no gap by default) instead of drawing 2016-17 to 2019-20 as one
    year's step. The board paper's spending-trend chart once did that over four missing years."""
    frame = pd.DataFrame(
        {"year": ["2015-16", "2016-17", "2019-20"], "label": ["Education services"] * 3, "value_gbp": [1e6, 2e6, 3e6]}
    )
    line = charts.spending_trend(frame, council="Walsall").data[0]
    assert list(line.x) == ["2015-16", "2016-17", "2017-18", "2018-19", "2019-20"]
    assert [None if v is None or np.isnan(v) else v for v in line.y] == [1e6, 2e6, None, None, 3e6]
    assert not line.connectgaps


def test_programme_savings_one_bar_per_project_largest_on_top():
    summary = pd.DataFrame(
        {
            "project_id": ["a", "b", "c"],
            "title": ["A", "B", "C"],
            "councils": ["X", "Y", "Z"],
            "recommended": ["mutual", "in-house", "mutual"],
            "recommended_name": ["Mutual", "In-house", "Mutual"],
            "net_present_saving_gbp": [2e6, 0.0, 5e6],
            "baseline_net_gbp": [1e6] * 3,
            "payback_year": ["2018-19", None, "2017-18"],
            "go_live": ["2016-04-01", None, "2016-04-01"],
            "illustrative": [True, True, True],
        }
    )
    fig = charts.programme_savings(summary)
    assert [t.meta for t in fig.data] == ["b", "a", "c"]
    assert [t.showlegend for t in fig.data] == [True, True, False]  # one legend entry per model
    assert charts.is_marked_illustrative(fig)


def test_programme_savings_of_an_empty_programme_says_so():
    """No project (an empty summary, as :func:`ddanalysis.programme.summary_from_results` gives for no
    results): no bar, a message instead of a KeyError."""
    from ddanalysis.programme import summary_from_results

    fig = charts.programme_savings(summary_from_results({}))
    assert len(fig.data) == 0
    assert "No project" in fig.layout.annotations[0].text


def test_mimebundle_is_plotly_json_with_no_cdn(result):
    bundle = charts.mimebundle(charts.npv_by_option(result))
    spec = bundle[charts.PLOTLY_MIME]
    assert set(spec) >= {"data", "layout", "config"}
    text = json.dumps(bundle)
    assert "cdn" not in text.lower() and "<script" not in text


def test_compare_waterfall_leaves_room_for_the_values_written_beside_its_bars():
    """Each step's value is written outside its bar, so the axis runs past the path at both ends.
    A = 100, steps +30 and -140, B = -10: the path runs 100, 130, -10, -10. The money axis alone ends 2%
    of its ticks' span beyond its outer ticks; the axis now ends a further 18% of that range beyond the
    last tick and, as the path comes within that room of the start, as far before the first."""
    comp = pd.DataFrame({"label": ["Grants", "Staff"], "contribution_gbp": [30.0, -140.0]})
    fig = charts.compare_waterfall(comp, 100.0, -10.0, "Mutual", "Trust")
    lo, hi = fig.layout.xaxis.range
    ticks = list(fig.layout.xaxis.tickvals)
    span = (ticks[-1] - ticks[0]) * 1.04  # the money axis's own range: its ticks plus 2% each side
    assert hi == pytest.approx(ticks[-1] + 0.02 * (ticks[-1] - ticks[0]) + 0.18 * span)
    assert lo == pytest.approx(ticks[0] - 0.02 * (ticks[-1] - ticks[0]) - 0.18 * span)


def test_the_distribution_legend_never_rounds_a_failing_draw_away():
    """The paper's Monte Carlo legend said 'saves money in 100% of draws' where its table said 99.5%: one draw in
    two hundred lost money. Each option's share is counted here from its draws; a share at or above 99.5% but
    below 1 must read 'over 99%', as the recommendation sentence says, and never '100%'."""
    walsall = appraise("walsall-college", draws=200)
    names = {f"{walsall.option_name(o)} (saves money in": o for o in walsall.mc_draws.columns}
    seen = 0
    for trace in charts.mc_distribution(walsall).data:
        name = str(trace.name or "")
        option = next((o for head, o in names.items() if name.startswith(head)), None)
        if option is None:
            continue
        share = float((walsall.mc_draws[option] > 0).mean())
        if 0.995 <= share < 1:
            assert "saves money in over 99% of draws" in name, name
            seen += 1
        assert not (share < 1 and "100%" in name), name
    assert seen >= 1  # with the default seed and 200 draws, the mutual and outsourcing each lose in 1 draw
