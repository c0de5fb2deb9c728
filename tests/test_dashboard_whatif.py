"""The appraisal dashboard's what-if values, comparison and links, without a browser.

- the view's state written to a query string and read back unchanged (state -> query -> state);
- store.Key with what-if values: one key per set of values whatever their order, a different cache
  file name and check text per set, nothing outside the grammar accepted;
- what-if values from a URL: out of bounds, unknown keys, malformed keys or values, HTML, too many or
  too long are refused with the key, the value and the bounds, and never evaluated;
- the page: a what-if change re-appraises with the overrides (equal to ``engine.appraise`` with the
  same ``overrides``), says how many assumptions changed, resets; a link reproduces the view;
- the Compare tab's tables add up (the waterfall's steps sum to the difference in saving).

Expected numbers come from :func:`ddanalysis.engine.appraise`, not from the dashboard code.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs

import numpy as np
import pytest

from ddanalysis import engine
from ddanalysis.assumptions import load_book
from ddanalysis.dashboard import state as st
from ddanalysis.dashboard import store as store_mod
from ddanalysis.dashboard.appraisal import TABS, AppraisalLauncher, AppraisalPage, CompareSection, tab_slug
from ddanalysis.dashboard.store import PERSPECTIVES, Key, ResultStore
from ddanalysis.errors import DDAnalysisError
from ddanalysis.presentation import tables

PID = "walsall-college"
KEY = "mutual.pension_rate_change"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(directory=tmp_path_factory.mktemp("whatifcache"), fingerprint="test-whatif")


def _choices(pid: str = PID) -> st.Choices:
    res = engine.appraise(pid, draws=0, with_switching=False)
    return st.Choices(
        projects=[PID, "kirklees-open-spaces"],
        scenarios=list(load_book(None).scenarios),
        perspectives=PERSPECTIVES,
        tabs=[tab_slug(t) for t in TABS],
        criteria=list(res.mca_weights.index),
        options=[o for o in res.options["id"] if o != "in-house"],
        table=load_book(pid).table,
        short_list=("in-house", "in-house-redesign", "mutual", "charitable-trust", "outsourcing"),  # Walsall's
    )


# --- state <-> query --------------------------------------------------------------------------------


def test_state_round_trips_through_the_query_string():
    c = _choices()
    crit = list(c.criteria)
    state = st.ViewState(
        PID,
        "low",
        "social",
        0.35,
        ((crit[0], 20), (crit[1], 5)),
        ((KEY, 0.04), ("project.optimism_bias_mitigation", 0.3), ("mutual.staff_cost_change", -0.025)),
        "compare",
        ("scenarios", "mutual", "low", "high"),
    )
    query = st.to_query(state)
    assert query.count("set=") == 3  # repeated set=KEY=VALUE parameters
    back, problems = st.from_query(st.parse_query(query), c, PID)
    assert problems == []
    assert back == state
    # values exactly, not rounded for display
    odd = st.ViewState(PID, sets=((KEY, 0.04 / 3),))
    again, _ = st.from_query(st.parse_query(st.to_query(odd)), c, PID)
    assert dict(again.sets)[KEY] == 0.04 / 3


def test_defaults_stay_out_of_the_link():
    assert st.to_query(st.ViewState(PID)) == f"project={PID}&tab=summary"


def test_set_order_and_repeats_give_one_state():
    a = st.ViewState(PID, sets=((KEY, 0.04), ("mutual.staff_cost_change", -0.02)))
    b = st.ViewState(PID, sets=(("mutual.staff_cost_change", -0.02), (KEY, 0.04)))
    assert a == b and st.to_query(a) == st.to_query(b)


# --- Key with overrides ---------------------------------------------------------------------------------


def test_key_with_overrides_is_sorted_and_keys_the_cache_safely():
    k1 = Key(PID, overrides=((KEY, 0.04), ("mutual.staff_cost_change", -0.02)))
    k2 = Key(PID, overrides=(("mutual.staff_cost_change", -0.02), (KEY, 0.04)))
    assert k1 == k2 and hash(k1) == hash(k2)
    assert k1.overrides == ((KEY, 0.04), ("mutual.staff_cost_change", -0.02))  # sorted by key
    plain = Key(PID)
    other = Key(PID, overrides=((KEY, 0.05),))
    stems = {k.file_stem("fp") for k in (plain, k1, other)}
    assert len(stems) == 3  # a what-if result can never be read as another view's
    assert f"{KEY}=0.04" in k1.raw("fp") and plain.raw("fp").endswith("|")
    assert k1.with_overrides({}) == plain
    assert Key(PID, overrides=((KEY, 0.1 + 0.2),)).raw("fp") != Key(PID, overrides=((KEY, 0.3),)).raw("fp")


@pytest.mark.parametrize(
    "bad",
    [
        (("../../etc/passwd", 1.0),),
        (("mutual.pension_rate_change;import os", 1.0),),
        ((KEY, math.nan),),
        ((KEY, math.inf),),
        (("<script>.x", 1.0),),
    ],
)
def test_key_refuses_what_the_grammar_does_not_allow(bad):
    with pytest.raises((DDAnalysisError, ValueError)):
        Key(PID, overrides=bad)


def test_store_computes_what_if_results_with_the_overrides_and_keeps_them_off_disk(store):
    key = Key(PID, draws=0, overrides=((KEY, 0.05),))
    res = store.get_quick(key)
    direct = engine.appraise(PID, draws=0, with_switching=False, overrides={KEY: 0.05})
    np.testing.assert_allclose(res.options["net_present_saving_gbp"], direct.options["net_present_saving_gbp"])
    assert store.directory is not None
    assert not [p for p in store.directory.iterdir() if p.name.endswith(store_mod.SUFFIX) and "0.05" in p.name]
    store.get(key)
    assert store._path(key) is not None and not store._path(key).exists()  # what-if: memory only


def test_store_memory_for_what_if_results_is_bounded(monkeypatch):
    s = ResultStore(use_disk=False, fingerprint="bound")
    monkeypatch.setattr(ResultStore, "MAX_WHATIF", 3)
    for i in range(6):
        s._remember(s._memory, Key(PID, overrides=((KEY, 0.01 * i),)), object())
    s._remember(s._memory, Key(PID), object())
    assert sum(1 for k in s._memory if k.overrides) == 3
    assert Key(PID) in s._memory


# --- refusing bad what-if values from a URL (security) ------------------------------------------------------

BAD_SETS = {
    "out of bounds": (f"{KEY}=5", ["mutual.pension_rate_change=5", "outside its bounds"]),
    "below bounds": (f"{KEY}=-3", ["outside its bounds"]),
    "unknown key": ("mutual.no_such_lever=0.1", ["not an assumption of this project", "valid keys for 'mutual'"]),
    "unknown scope": ("spaceship.thrust=1", ["not an assumption of this project"]),
    # a model Walsall does not appraise: a value would change nothing (the panel no longer offers it either)
    "off the short list": (
        "cooperative.staff_cost_change=-0.05",
        ["'cooperative' is not on this project's short list"],
    ),
    "malformed key": ("__import__('os').system('id')=1", ["assumption key"]),
    "path": ("../../etc/passwd=1", ["assumption key"]),
    "expression": (f"{KEY}=1e-2*4", ["plain number"]),
    "python": (f"{KEY}=__import__('os')", ["plain number"]),
    "nan": (f"{KEY}=nan", ["plain number"]),
    "infinity": (f"{KEY}=inf", ["plain number"]),
    "no value": (f"{KEY}=", ["expected KEY=VALUE"]),
    "no equals": (KEY, ["expected KEY=VALUE"]),
    "html": ("<img src=x onerror=alert(1)>=1", ["assumption key"]),
    "twice": ([f"{KEY}=0.02", f"{KEY}=0.03"], ["given twice"]),
    "too long": (f"{KEY}=0.0{'1' * 300}", ["at most"]),
    "too many": ([f"{KEY}=0.01"] * 41, ["at most 40"]),
}


@pytest.mark.parametrize("case", sorted(BAD_SETS))
def test_bad_what_if_values_in_a_url_are_refused_with_key_value_and_bounds(case):
    raw, needles = BAD_SETS[case]
    sets = raw if isinstance(raw, list) else [raw]
    params = {"project": [PID], "set": sets, "tab": ["summary"]}
    state, problems = st.from_query(params, _choices(), PID)
    assert state.sets == ()  # nothing applied
    assert len(problems) == 1 and problems[0].startswith("what-if values ignored")
    for n in needles:
        assert n in problems[0], problems[0]
    assert "Traceback" not in problems[0] and "/work" not in problems[0] and "site-packages" not in problems[0]


def test_out_of_bounds_message_names_the_bounds():
    table = load_book(PID).table
    lo, hi = table.loc[("mutual", "pension_rate_change"), ["bound_low", "bound_high"]]
    _, problems = st.from_query({"project": [PID], "set": [f"{KEY}=5"]}, _choices(), PID)
    assert f"[{lo:g}, {hi:g}]" in problems[0]


@pytest.mark.parametrize(
    "param,value",
    [
        ("ob", "2"),
        ("ob", "nan"),
        ("ob", "1/2"),
        ("weights", "x:1"),
        ("weights", "a:b:c"),
        ("tab", "../../x"),
        ("compare", "options,mutual"),
        ("compare", "options,mutual,<b>"),
        ("compare", "eval,1,2"),
        ("scenario", "<script>"),
        ("perspective", "\x00"),
    ],
)
def test_other_bad_values_fall_back_with_a_friendly_problem(param, value):
    state, problems = st.from_query({"project": [PID], param: [value]}, _choices(), PID)
    assert len(problems) == 1
    assert state == st.ViewState(PID, tab="summary")


def test_an_unknown_project_is_refused():
    with pytest.raises(DDAnalysisError, match="There is no project called"):
        st.from_query({"project": ["../../etc"]}, _choices(), PID)


# --- the page ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(store):
    return AppraisalPage(store, PID, follow_in_background=False)


def test_the_what_if_panel_offers_the_top_assumptions_with_bounds_source_and_quality(page):
    panel = page.whatif
    assert 1 <= len(panel.controls) <= 8
    table = load_book(PID).table
    for key, control in panel.controls.items():
        scope, name = key.split(".")
        lo, hi = float(table.loc[(scope, name), "bound_low"]), float(table.loc[(scope, name), "bound_high"])
        pct = 100 if "(%)" in control.description else 1
        assert control.min == pytest.approx(lo * pct) and control.max == pytest.approx(hi * pct)
    html = "".join(r.children[1].value for r in panel.rows.children)
    assert "Source:" in html and "Quality:" in html and "Range" in html
    assert len(panel.add.options) > 1  # any other assumption on request


def test_the_what_if_panel_offers_only_the_short_listed_options_and_project_assumptions(page):
    """Walsall's short list (project.yaml) is in-house, in-house-redesign, mutual, charitable-trust and outsourcing.
    The panel once offered the programme-wide top eight, four of them of the co-operative and the community-led
    model, which Walsall does not appraise (a value for them changed no figure, and their boxes showed the lower
    bound). Every control and every assumption in the add list is now of a short-listed model or of 'project'."""
    allowed = {"in-house", "in-house-redesign", "mutual", "charitable-trust", "outsourcing", "project"}
    assert {key.split(".")[0] for key in page.whatif.controls} <= allowed
    assert set(page.whatif.cands["scope"]) <= allowed
    assert {"mutual", "outsourcing"} <= set(page.whatif.cands["scope"])


def test_a_what_if_change_reappraises_marks_the_view_and_resets(page):
    panel = page.whatif
    key = next(k for k, c in panel.controls.items() if "(%)" in c.description)
    control = panel.controls[key]
    new = round((control.min + control.max) / 2, 2)
    if abs(new - control.value) < 1e-9:
        new = control.min
    control.value = new
    value = new / 100
    assert page.key().overrides == ((key, value),)
    direct = engine.appraise(PID, draws=store_mod.DRAWS, with_switching=False, overrides={key: value})
    np.testing.assert_allclose(page.result.options["net_present_saving_gbp"], direct.options["net_present_saving_gbp"])
    assert "What-if: 1 assumption changed" in panel.summary.value and key in panel.summary.value
    q = parse_qs(page.query)
    assert q["set"] == [f"{key}={value!r}"]
    assert "history.replaceState" in page.url.value
    panel.reset.click()
    assert page.key().overrides == () and "No what-if values" in panel.summary.value
    assert "set=" not in page.query


def test_opening_a_link_reproduces_the_view(store):
    launcher = AppraisalLauncher.__new__(AppraisalLauncher)
    shown = AppraisalPage(store, "kirklees-open-spaces", follow_in_background=False)
    launcher.store, launcher._page, launcher.error = store, shown, None
    query = (
        f"project={PID}&scenario=low&set={KEY}%3D0.05&set=project.optimism_bias_mitigation%3D0.3"
        "&tab=compare&compare=whatif%2Cmutual"
    )
    widget = launcher.page(st.parse_query(query))
    assert widget is shown.widget
    assert shown.key() == Key(PID, "low", overrides=((KEY, 0.05), ("project.optimism_bias_mitigation", 0.3)))
    assert shown.result.optimism_bias_mitigation == pytest.approx(0.3)
    assert shown.tabs.selected_index == TABS.index("Compare")
    assert st.parse_query(shown.query) == st.parse_query(query)  # the address bar keeps the same view
    assert "What-if: 2 assumptions changed" in shown.whatif.flag.value
    assert shown.whatif.body is None  # the panel's controls are built when the viewer opens it
    shown.whatif.toggle.value = True
    assert "What-if: 2 assumptions changed" in shown.whatif.summary.value
    assert shown.whatif.controls[KEY].value == pytest.approx(5.0)  # 0.05 shown in per cent
    # a bad value in a link: the rest of the view is shown, and a friendly note says what was ignored
    launcher._page = shown
    launcher.page(st.parse_query(f"project={PID}&set={KEY}%3D9"))
    assert "ignored" in shown.status.value and "outside its bounds" in shown.status.value
    assert shown.key() == Key(PID)


def test_a_link_with_what_if_values_is_complete_before_it_is_displayed(store, monkeypatch):
    """A page built for a request (a link with what-if values) has its Monte Carlo figures before the
    viewer's browser loads it: no thread is left to send "updating ... done" while the browser is still
    loading the widgets (a change sent then can be lost, leaving "updating" on screen for good).
    Expected: the status carries no 'dd-mc-updating' marker, no follow thread is started, and the
    result shown has Monte Carlo percentiles equal to ``engine.appraise`` with the same overrides and
    the dashboard's draws. (Other threads may start: the read-ahead of the project's other scenarios from
    the disk cache sends nothing to the page.)"""
    started: list = []
    monkeypatch.setattr(
        "ddanalysis.dashboard.appraisal.threading.Thread",
        lambda *a, **k: (
            (started.append(k.get("args")) if getattr(k.get("target"), "__name__", "") == "_follow" else None)
            or type("T", (), {"start": lambda self: None})()
        ),
    )
    launcher = AppraisalLauncher.__new__(AppraisalLauncher)
    shown = AppraisalPage(store, PID)  # the dashboard's own default: Monte Carlo follows in the background
    assert shown.follow_in_background
    launcher.store, launcher._page, launcher.error = store, shown, None
    launcher.page(st.parse_query(f"project={PID}&set={KEY}%3D0.06"))
    assert started == [] and "dd-mc-updating" not in shown.status.value
    assert shown.follow_in_background  # later changes, on a live page, still follow in the background
    direct = engine.appraise(
        PID, draws=store_mod.DRAWS, with_switching=False, with_decision=False, overrides={KEY: 0.06}
    )
    np.testing.assert_allclose(shown.result.options["saving_p10_gbp"], direct.options["saving_p10_gbp"])


def test_link_round_trip_through_the_page(store):
    p = AppraisalPage(store, PID, follow_in_background=False)
    crit = list(p.result.mca_weights.index)
    wanted = st.ViewState(
        PID,
        "high",
        "council",
        None,
        ((crit[0], 30),) + tuple((c, 10) for c in crit[1:]),
        ((KEY, 0.05),),
        "compare",
        ("options", "mutual", "charitable-trust"),
    )
    p.apply(wanted)
    assert p.tabs.selected_index == TABS.index("Compare")
    assert p.key() == Key(PID, "high", "council", None, overrides=((KEY, 0.05),))
    section = p.sections[TABS.index("Compare")]
    assert isinstance(section, CompareSection) and section.state() == ("options", "mutual", "charitable-trust")
    got = p.state()
    assert got.sets == wanted.sets and got.compare == wanted.compare and got.tab == "compare"
    assert got.weights == tuple(sorted(wanted.weights))  # applied once the MCA tab... kept pending until then
    direct = engine.appraise(PID, "high", draws=store_mod.DRAWS, with_switching=False, overrides={KEY: 0.05})
    np.testing.assert_allclose(p.result.options["net_present_saving_gbp"], direct.options["net_present_saving_gbp"])
    # the MCA tab picks the link's weights up
    p.tabs.selected_index = TABS.index("Multi-criteria")
    mca_section = p.sections[TABS.index("Multi-criteria")]
    assert mca_section.points() == dict(wanted.weights)
    assert p.state().weights == tuple(sorted(wanted.weights))


def test_excel_download_carries_the_what_if_values(store, monkeypatch):
    p = AppraisalPage(store, PID, follow_in_background=False)
    p.apply(st.ViewState(PID, sets=((KEY, 0.05),)))
    seen = {}

    def fake_export(res, checks_said=None):
        seen["res"], seen["checks_said"] = res, checks_said
        return b"xlsx"

    import ddanalysis.excel as excel

    monkeypatch.setattr(excel, "export_project_bytes", fake_export)
    p._on_excel(None)
    direct = engine.appraise(PID, draws=store_mod.DRAWS, overrides={KEY: 0.05}, with_switching=False)
    np.testing.assert_allclose(seen["res"].options["net_present_saving_gbp"], direct.options["net_present_saving_gbp"])
    assert "_whatif.xlsx" in p.download.value and "1 what-if value)" in p.download.value
    # the cross-checks of the what-if view, not of the bundled one (the page keeps them per view)
    assert seen["checks_said"] == p.checks_kept.sentences(direct)


# --- comparison ------------------------------------------------------------------------------------------


def test_compare_components_add_up_to_the_difference_in_saving():
    a = engine.appraise(PID, draws=0, with_switching=False)
    b = engine.appraise(PID, draws=0, with_switching=False, overrides={KEY: 0.05})
    for ra, oa, rb, ob in [(a, "mutual", a, "charitable-trust"), (a, "mutual", b, "mutual")]:
        comp = tables.compare_components(ra, oa, rb, ob)
        nps = lambda r, o: float(r.options.set_index("id").loc[o, "net_present_saving_gbp"])  # noqa: E731
        assert comp["contribution_gbp"].sum() == pytest.approx(nps(rb, ob) - nps(ra, oa), abs=1.0)
    # a pension-rate what-if changes the mutual's pension line, and nothing of the status quo
    comp = tables.compare_components(a, "mutual", b, "mutual").set_index("component")
    assert len(comp) >= 1
    head = tables.compare_table(a, "mutual", b, "mutual", "A", "B").frame.set_index("Measure")
    assert head.loc["Net present saving", "Difference (B - A)"] == pytest.approx(
        head.loc["Net present saving", "B"] - head.loc["Net present saving", "A"]
    )
    inputs = tables.compare_inputs_table(a, "mutual", b, "mutual", "A", "B").frame
    assert list(inputs["Key"]) == ["pension_rate_change"]


def test_the_compare_tab_draws_every_mode(page):
    page.tabs.selected_index = TABS.index("Compare")
    section = page.sections[TABS.index("Compare")]
    for mode in ("options", "scenarios", "whatif"):
        section.mode.value = mode
        assert "dd-error" not in page.status.value
        assert "<table" in section.headline.value and "<table" in section.savings.value
        assert parse_qs(page.query)["compare"][0].startswith(mode)
    page.tabs.selected_index = 0


def test_a_project_change_with_the_what_if_panel_closed_reads_no_assumption_book(store, monkeypatch):
    """The what-if candidates (each needs the project's assumption book) are found when the panel opens,
    not on every project change: with the panel closed, moving to another project and back calls the
    candidate finder (replaced by one that records calls) never; opening the panel calls it once, for the
    project on screen, and its controls are that project's (their keys are what the finder returned)."""
    from ddanalysis.dashboard import whatif

    p = AppraisalPage(store, PID, follow_in_background=False)
    asked: list[str] = []
    real = whatif.candidates
    monkeypatch.setattr(whatif, "candidates", lambda pid, ranking: asked.append(pid) or real(pid, ranking))
    p.project.value = "kirklees-open-spaces"
    p.project.value = PID
    p.project.value = "kirklees-open-spaces"
    assert asked == []
    p.whatif.toggle.value = True
    assert asked == ["kirklees-open-spaces"]
    shown = set(p.whatif.controls)
    assert shown and shown <= set(real("kirklees-open-spaces", p.whatif._ranking())["key"])
