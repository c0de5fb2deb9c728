"""The dashboard library without a browser: the result store, the data it prepares, the pages' widgets.

Browser tests (a live Voila server driven by Chromium) are in tests/test_dashboard_browser.py.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO
from openpyxl import load_workbook

from ddanalysis import engine, registry
from ddanalysis.dashboard import common
from ddanalysis.dashboard import store as store_mod
from ddanalysis.dashboard.appraisal import TABS, AppraisalLauncher, AppraisalPage, focus_option
from ddanalysis.dashboard.programme import summary_frame, trend_frame
from ddanalysis.dashboard.store import Key, ResultStore
from ddanalysis.report import gbp

PID = "walsall-college"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("dashcache")


@pytest.fixture(scope="module")
def store(cache):
    return ResultStore(directory=cache, fingerprint="test")


# --- the store ----------------------------------------------------------------------------------


def test_store_computes_once_then_reads_the_disk_cache(store, cache):
    key = Key(PID)
    res = store.get(key)
    files = list(cache.glob(f"{PID}--*{store_mod.SUFFIX}"))
    assert len(files) == 1
    # a second store (another kernel) loads the same result from disk without computing
    other = ResultStore(directory=cache, fingerprint="test")
    loaded = other.cached(key)
    assert loaded is not None and loaded.options.equals(res.options)
    assert not res.switching.empty  # get() is the full result


def test_cache_key_changes_with_data_and_arguments():
    a = Key(PID).file_stem("f1")
    assert a != Key(PID).file_stem("f2")  # a data file changed
    assert a != Key(PID, scenario="low").file_stem("f1")
    assert a != Key(PID, perspective="public").file_stem("f1")
    assert a != Key(PID, ob_mitigation=0.5).file_stem("f1")
    assert a == Key(PID).file_stem("f1")


def test_data_fingerprint_follows_file_changes(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n")
    first = store_mod.data_fingerprint(tmp_path)
    (tmp_path / "a.csv").write_text("x\n12\n")
    assert store_mod.data_fingerprint(tmp_path) != first


def test_a_damaged_cache_file_is_recomputed_not_shown(tmp_path):
    s = ResultStore(directory=tmp_path, fingerprint="dmg")
    key = Key(PID, scenario="high")
    path = tmp_path / f"{key.file_stem('dmg')}{store_mod.SUFFIX}"
    path.write_bytes(b"not a result")
    assert s.cached(key) is None
    res = s.get(key)
    assert res.scenario == "high"
    assert ResultStore(directory=tmp_path, fingerprint="dmg").cached(key).scenario == "high"  # rewritten whole
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_quick_result_has_the_same_money_without_switching_values(store):
    quick = ResultStore(use_disk=False, fingerprint="q").get_quick(Key(PID, perspective="public"))
    full = store.get(Key(PID, perspective="public"))
    assert quick.switching.empty and not full.switching.empty
    pd.testing.assert_series_equal(quick.options["net_present_saving_gbp"], full.options["net_present_saving_gbp"])


# --- data prepared for the pages ----------------------------------------------------------------


def test_trend_frame_is_real_pounds_without_empty_blocks():
    spending = pd.DataFrame(
        {
            "year": ["2013-14", "2014-15", "2013-14", "2014-15"],
            "service": ["cultural", "cultural", "fire", "fire"],
            "label": ["Cultural and related services"] * 2 + ["Fire and rescue services"] * 2,
            "cash_gbp_k": [985.0, 1000.0, 0.0, 0.0],
            "real_gbp_k": [1000.0, 1000.0, 0.0, 0.0],
        }
    )
    f = trend_frame(spending)
    assert list(f["service"]) == ["cultural", "cultural"]  # a block at zero every year is dropped
    assert f["value_gbp"].tolist() == pytest.approx([1_000_000.0, 1_000_000.0])  # GBP thousand -> GBP


@pytest.mark.slow
def test_programme_summary_rows_match_the_programme_module():
    from ddanalysis import programme

    expected = programme.programme_summary()  # the programme module's summary, memoised appraisals
    results = {
        pid: engine.appraise_cached(pid, "central", "council", programme.SUMMARY_DRAWS, 20150401)
        for pid in registry.project_ids()
    }
    got = summary_frame(results)
    pd.testing.assert_frame_equal(got[expected.columns], expected, check_dtype=False)
    assert store_mod.DRAWS == programme.SUMMARY_DRAWS  # both dashboards show the same figures


def test_query_params_read_voilas_query_string(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", "project=kirklees-open-spaces&scenario=low")
    assert common.query_params() == {"project": "kirklees-open-spaces", "scenario": "low"}
    monkeypatch.delenv("QUERY_STRING")
    assert common.query_params() == {}


def test_wait_for_viewer_is_a_no_op_outside_preheated_voila(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    common.wait_for_viewer()  # returns at once


# --- pages (widgets built in-process, no browser) ---------------------------------------------------


@pytest.fixture(scope="module")
def page(store):
    return AppraisalPage(store, PID)


def test_summary_shows_the_recommended_options_numbers(page):
    res = engine.appraise(PID, draws=store_mod.DRAWS, with_switching=False)
    focus = focus_option(res)
    nps = float(res.options.set_index("id").loc[focus, "net_present_saving_gbp"])
    summary = page.sections[0]
    assert gbp(nps) in summary.kpis.value
    # the quick result (first render, no decision measures) or the cached full one ("best in NN% of simulations")
    quick = engine.appraise(PID, draws=store_mod.DRAWS, with_switching=False, with_decision=False)
    assert any(r.recommendation in page.sections[0].recommendation.value for r in (res, quick))
    assert "ILLUSTRATIVE" in page.header.value
    assert "real 2014-15 prices" in page.header.value
    # only the summary tab is built until another is selected
    assert page.sections[1:] == [None] * (len(TABS) - 1)


def test_every_tab_builds_without_error(page):
    for i in range(len(TABS)):
        page.tabs.selected_index = i
        assert page.sections[i] is not None
        assert "dd-error" not in page.status.value
    page.tabs.selected_index = 0


def test_risk_tab_shows_the_decision_measures_the_first_render_skipped():
    store = ResultStore(use_disk=False, fingerprint="decision-test")
    page = AppraisalPage(store, PID)
    assert page.result.decision is None and page.result.mc_inputs is not None  # the first render paid for none
    page.tabs.selected_index = TABS.index("Risk")
    risk = page.sections[TABS.index("Risk")]
    assert "dd-error" not in page.status.value
    res = risk.result
    assert res.decision is not None
    assert "Probability best" in risk.p_best_table.value
    assert "the most it would be worth paying to know this before deciding" in risk.voi_table.value.lower()
    assert "coverage" in risk.failure.value.lower()
    assert "Sobol indices not computed" in risk.sobol.value
    for slot in (risk.p_best, risk.acceptability, risk.voi):
        assert slot.widget.outputs and "application/vnd.plotly.v1+json" in slot.widget.outputs[0]["data"]
    # Sobol indices when a viewer asks
    risk._draw_sobol(compute=True)
    assert "independently" in risk.sobol.value and "Total (ST), saving" in risk.sobol.value
    assert risk.result.decision.sobol is not None
    page.tabs.selected_index = 0


def test_changing_the_scenario_updates_the_numbers(page):
    page.scenario.value = "low"
    low = engine.appraise(PID, "low", draws=store_mod.DRAWS, with_switching=False, with_decision=False)
    assert page.result.scenario == "low"
    assert low.recommendation in page.sections[0].recommendation.value
    # the slider moved to the low scenario's own optimism-bias mitigation
    assert page.ob.value == pytest.approx(low.optimism_bias_mitigation)
    page.scenario.value = "central"


def test_moving_the_optimism_bias_slider_reappraises(page):
    page.ob.value = 0.5
    assert page.result.optimism_bias_mitigation == pytest.approx(0.5)
    assert page.result.optimism_bias_mitigation_source == "override"
    direct = engine.appraise(PID, ob_mitigation=0.5, draws=store_mod.DRAWS, with_switching=False, with_decision=False)
    np.testing.assert_allclose(page.result.options["net_present_saving_gbp"], direct.options["net_present_saving_gbp"])
    page.scenario.value = "high"  # a new scenario resets the slider to that scenario's value
    assert page.key().ob_mitigation is None
    page.scenario.value = "central"


def test_a_wrong_project_gets_a_friendly_list_not_a_traceback(store):
    launcher = AppraisalLauncher.__new__(AppraisalLauncher)  # skip pre-computing every project
    launcher.store, launcher._page = store, None
    widget = launcher.page({"project": "no-such-project"})
    text = widget.children[1].value
    assert "There is no project called" in text and "Traceback" not in text
    for pid in registry.project_ids():
        assert f"?project={pid}" in text


def test_a_failing_callback_shows_a_message_and_logs(capfd):
    import ipywidgets as W

    status = W.HTML()

    @common.guarded(status)
    def broken():
        raise RuntimeError("internal detail")

    broken()
    assert common.FRIENDLY_ERROR.split(".")[0] in status.value and "internal detail" not in status.value
    assert "internal detail" in capfd.readouterr().err  # the detail goes to the server log (real stderr)


def test_precomputed_keys_cover_every_view_once():
    keys = store_mod.default_keys(ob_grid=True)
    assert len(keys) == len(set(keys))
    n_persp = len(store_mod.PERSPECTIVES)  # council, public, social
    n_projects, n_scenarios = len(registry.project_ids()), len(store_mod.default_keys(project_ids=[PID])) // n_persp
    # every scenario x perspective at the scenario's own value, then 20 more slider steps per project
    # and perspective in the central scenario (21 steps of 0.05 from 0 to 1, less the scenario's own)
    assert len(keys) == n_projects * n_scenarios * n_persp + n_projects * n_persp * 20
    assert keys[0] == Key(registry.project_ids()[0])  # what the first viewer opens comes first
    assert all(k.ob_mitigation is None or k.scenario == "central" for k in keys)
    # central's own value (derived from the contributory factors: 0, none managed) is the None key
    assert not any(k.ob_mitigation == pytest.approx(0.0) for k in keys)


def test_results_older_than_the_data_are_pruned(tmp_path):
    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir(), cache.mkdir()
    old, new = cache / f"a--1{store_mod.SUFFIX}", cache / f"b--2{store_mod.SUFFIX}"
    old.write_bytes(b"x")
    os.utime(old, (1_000_000, 1_000_000))
    (data / "assumptions.yaml").write_text("x: 1\n")
    os.utime(data / "assumptions.yaml", (2_000_000, 2_000_000))
    new.write_bytes(b"y")
    assert store_mod.prune_stale(ResultStore(directory=cache, fingerprint="t"), data_dir=data) == 1
    assert not old.exists() and new.exists()


def test_error_messages_name_no_server_path():
    from ddanalysis import config
    from ddanalysis.errors import DataFileError

    msg = common.explain(
        DataFileError(f"{config.DATA_DIR}/projects/dover-museum-tourism/baseline.csv: row 2: bad value")
    )
    assert msg == "This could not be shown: data/projects/dover-museum-tourism/baseline.csv: row 2: bad value"
    assert common.redact_paths("failed at /srv/app/venv/lib/x.py") == "failed at x.py"
    assert common.redact_paths("https://www.gov.uk/a/b, 2014/15") == "https://www.gov.uk/a/b, 2014/15"  # not paths


def test_a_launcher_that_cannot_load_the_data_shows_a_friendly_page(tmp_path, monkeypatch, capfd):
    from ddanalysis import config
    from ddanalysis.dashboard.appraisal import AppraisalLauncher
    from ddanalysis.dashboard.programme import ProgrammeLauncher

    monkeypatch.setattr(config, "DATA_DIR", tmp_path / "empty")  # no data at all
    registry._councils_cached.cache_clear(), registry._project_cached.cache_clear()
    try:
        for cls in (AppraisalLauncher, ProgrammeLauncher):
            launcher = cls(ResultStore(directory=tmp_path / "cache", fingerprint="x"))
            assert launcher.error is not None  # caught, not raised into the notebook cell
            shown = []
            monkeypatch.setattr("IPython.display.display", lambda w, shown=shown, **k: shown.append(w))
            launcher.show()
            text = shown[0].children[1].value
            assert "could not be shown" in text and str(tmp_path) not in text and "Traceback" not in text
        assert "Traceback" in capfd.readouterr().err  # the detail is in the server log
    finally:
        registry._councils_cached.cache_clear(), registry._project_cached.cache_clear()


def test_the_programme_launcher_reads_the_other_scenarios_from_the_disk_cache_and_computes_nothing(
    tmp_path, monkeypatch
):
    """Before a viewer arrives, the programme launcher puts the other scenarios' council results into
    memory when the shared disk cache holds them, so a scenario change redraws from memory. Only what
    the disk holds is read: the low scenario of one project, written to the cache first, is in memory
    afterwards; the high scenario of another project, not on disk, is neither computed nor remembered
    (the engine is replaced by one that records calls: none)."""
    from ddanalysis.dashboard import programme as programme_mod

    other = next(p for p in registry.project_ids() if p != PID)
    low, high = Key(PID, "low", "council"), Key(other, "high", "council")
    ResultStore(directory=tmp_path, fingerprint="f").get(low)  # on disk now
    monkeypatch.setattr(
        programme_mod, "default_keys", lambda **kw: store_mod.default_keys(project_ids=[PID, other], **kw)
    )
    calls: list[tuple] = []
    monkeypatch.setattr(store_mod.engine, "appraise", lambda *a, **k: calls.append(a))
    launcher = programme_mod.ProgrammeLauncher.__new__(programme_mod.ProgrammeLauncher)
    launcher.store = ResultStore(directory=tmp_path, fingerprint="f")
    launcher._read_other_scenarios()
    assert low in launcher.store._memory
    assert high not in launcher.store._memory and not launcher.store.has_quick(high)
    assert calls == []


@pytest.fixture
def two_project_page(tmp_path, monkeypatch):
    """A programme page over two projects (the registry's list cut to them), its results computed
    into a private store: the central and low scenarios of the council perspective."""
    from ddanalysis.dashboard import programme as programme_mod

    other = next(p for p in registry.project_ids() if p != PID)
    monkeypatch.setattr(programme_mod.registry, "project_ids", lambda: [PID, other])
    store = ResultStore(directory=tmp_path, fingerprint="f")
    for scenario in ("central", "low"):
        for pid in (PID, other):
            store.get_quick(Key(pid, scenario, "council"))
    return programme_mod, programme_mod.ProgrammePage(store)


def _shown(page) -> tuple:
    return page.header.value, page.kpis.value, page.table.value, page.savings.widget.outputs


def test_a_programme_scenario_shown_before_is_sent_again_without_being_made_again(two_project_page, monkeypatch):
    """Back on the central scenario after the low one, the page shows exactly what it showed first
    (heading, cards, table, chart) and builds no summary for it: the summary builder is replaced by one
    that records calls after the first two views were made. The low view is a different page (its
    heading names the low scenario), so a cache that ignored the scenario would fail here."""
    programme_mod, page = two_project_page
    central = _shown(page)
    page.scenario.value = "low"
    low = _shown(page)
    assert low[0] != central[0] and f"Scenario <b>{page.book.scenarios['low'].name}</b>" in low[0]
    made: list[int] = []
    real = programme_mod.summary_frame
    monkeypatch.setattr(programme_mod, "summary_frame", lambda r: made.append(1) or real(r))
    page.scenario.value = "central"
    assert _shown(page) == central and made == []
    page.scenario.value = "low"
    assert _shown(page) == low and made == []


def test_a_programme_view_is_made_again_when_a_result_behind_it_changes(two_project_page, monkeypatch):
    """When the store holds another result object for one project (a newer computation), the next view
    of that scenario is made from it, not sent from before: the summary builder runs once more."""
    programme_mod, page = two_project_page
    key = Key(PID, "central", "council")
    held = page.store.get_quick(key)
    page.store._memory[key] = dataclasses.replace(held)  # equal figures, another object
    made: list[int] = []
    real = programme_mod.summary_frame
    monkeypatch.setattr(programme_mod, "summary_frame", lambda r: made.append(1) or real(r))
    page.refresh()
    assert made == [1]


def test_programme_views_are_prepared_only_from_results_held_and_compute_nothing(two_project_page, monkeypatch):
    """prepare_views makes the view of a scenario whose every result the store holds (low: both
    projects computed by the fixture) and skips one it lacks (high: none held), calling no engine."""
    programme_mod, page = two_project_page
    calls: list[tuple] = []
    monkeypatch.setattr(store_mod.engine, "appraise", lambda *a, **k: calls.append(a))
    page._views.clear()
    page.prepare_views(["low", "high"])
    assert calls == []
    assert set(page._views) == {("low", "council")}


def test_html_widgets_share_one_layout_and_style_and_a_closed_one_is_replaced():
    """Two HTML widgets carry the same layout and style models (one each per kernel, not one per widget);
    once the shared layout is closed, the next widget gets a new, open one (never a dead model)."""
    a, b = common.html_widget("a"), common.html_widget("b")
    assert a.layout is b.layout and a.style is b.style
    assert a.layout.width == "auto"
    with pytest.raises(AttributeError, match="shared layout"):
        a.layout.display = "none"  # would hide every widget sharing it
    assert b.layout.display is None
    a.layout.close()
    c = common.html_widget("c")
    assert c.layout is not a.layout and c.layout.comm is not None and c.layout.width == "auto"


def test_no_page_changes_the_shared_layout(store):
    """Every appraisal tab built and updated, the what-if panel opened, the project, scenario and
    optimism bias changed: the shared layout still says only ``width: auto`` (a change would show on
    every widget using it), and the hidden link holder hides with a layout of its own."""
    page = AppraisalPage(store, PID, follow_in_background=False)
    errors = []  # a callback that set a shared layout fails, and the status says so
    page.status.observe(lambda ch: errors.append(ch["new"]) if "dd-error" in ch["new"] else None, names="value")
    for i in range(len(TABS)):
        page.tabs.selected_index = i
    page.whatif.toggle.value = True
    page.whatif.toggle.value = False
    page.scenario.value = "low"
    page.ob.value = 0.3
    assert errors == []
    shared = common.auto_width()
    assert page.header.layout is shared and page.sections[0].widget.layout is shared
    assert (shared.width, shared.display, shared.min_height, shared.visibility) == ("auto", None, None, None)
    assert page.url.layout is not shared and page.url.layout.display == "none"


def test_the_template_is_told_of_plotly_finance_bundle_only_when_it_is_installed(tmp_path):
    """``serve`` passes the bundle's file name to the page template (a Voila resource) when the file is in the
    template's static folder, and nothing when it is not: the page then names no file that is not there."""
    import json

    from ddanalysis.dashboard import serve

    root = tmp_path / "dashboards"
    assert serve.template_resources(root) == {}
    assert not [a for a in serve.voila_argv(root, 8866, "127.0.0.1", []) if "resources" in a]
    light = root / serve.LIGHT_PLOTLY
    light.parent.mkdir(parents=True)
    light.write_text("/* plotly.js */")
    assert serve.template_resources(root) == {"ddanalysis_plotly": "plotly-finance.min.js"}
    (arg,) = [a for a in serve.voila_argv(root, 8866, "127.0.0.1", []) if "resources" in a]
    assert json.loads(arg.split("=", 1)[1]) == {"ddanalysis_plotly": "plotly-finance.min.js"}


def test_the_finance_bundle_pinned_is_the_extension_plotly_js_release_line():
    """The partial bundle pinned in package.json and the plotly.js the jupyterlab-plotly extension bundles are
    of the same major and minor release (4.1 today: the bundle 4.1.0, the extension's 4.1.1; the finance
    bundle of 4.1.1 is not published), so the charts draw alike with either."""
    import json

    import plotly

    pinned = json.loads((REPO / "package.json").read_text())["dependencies"]["plotly.js-finance-dist-min"]
    labext = Path(plotly.__file__).parent / "labextension" / "package.json"
    if not labext.is_file():
        pytest.skip(f"{labext} not found")
    bundled = json.loads(labext.read_text())["dependencies"]["plotly.js"]
    assert pinned.split(".")[:2] == bundled.lstrip("^~").split(".")[:2], (pinned, bundled)


def test_a_reason_for_not_monetising_is_folded_under_no():
    """The programme table's "Outcomes monetised" cell: ``yes`` as it is; ``no: <reason>`` as ``no`` with the
    reason folded under it (a <details> the viewer opens), escaped; a paragraph in the column made the row
    several screens tall."""
    from ddanalysis.dashboard.programme import monetised_cell

    assert monetised_cell("yes") == "yes"
    cell = monetised_cell("no: schools' purchases <net out>")
    assert cell == "<details class='dd-why'><summary>no</summary>schools&#x27; purchases &lt;net out&gt;</details>"


def test_every_trace_type_the_charts_draw_is_in_plotly_finance_bundle():
    """The dashboards draw with plotly.js's finance bundle, which holds the trace types its README lists: bar,
    candlestick, funnel, funnelarea, histogram, indicator, ohlc, pie, scatter and waterfall. Every plotly
    trace the charts module makes (``go.<Trace>(`` in its source) must be one of them."""
    import re

    import ddanalysis.charts as charts_mod

    finance = {"bar", "candlestick", "funnel", "funnelarea", "histogram", "indicator", "ohlc", "pie", "scatter"}
    finance.add("waterfall")
    made = {m.lower() for m in re.findall(r"\bgo\.([A-Z][A-Za-z]+)\(", Path(charts_mod.__file__).read_text())}
    traces = made - {"figure"}
    assert traces and traces <= finance, sorted(traces - finance)
    readme = REPO / "node_modules" / "plotly.js-finance-dist-min" / "README.md"
    if readme.is_file():
        listed = set(re.findall(r"`([a-z]+)`", readme.read_text().split("Contains trace modules", 1)[1].split("\n")[0]))
        assert listed == finance, listed


def test_a_page_reads_its_projects_other_scenarios_ahead_without_computing(tmp_path, monkeypatch):
    """Once a project is on screen, its other scenarios (same perspective) are read from the disk cache into
    memory in the background, so that choosing one redraws without reading the disk. Only the cache is read:
    a scenario it does not hold is not computed. Here the disk holds the low scenario only: after the
    read-ahead, the low result comes from memory (no disk read), and no scenario but the central one on screen
    was ever appraised."""
    ResultStore(directory=tmp_path, fingerprint="ahead").get(Key(PID, "low"))
    appraised: list[str] = []
    real = store_mod.engine.appraise
    monkeypatch.setattr(
        store_mod.engine,
        "appraise",
        lambda pid, scenario, *a, **k: (appraised.append(scenario), real(pid, scenario, *a, **k))[1],
    )
    store = ResultStore(directory=tmp_path, fingerprint="ahead")
    page = AppraisalPage(store, PID)
    assert page.read_ahead_thread is not None
    page.read_ahead_thread.join(120)
    reads: list[Key] = []
    load = store_mod.ResultStore._load
    monkeypatch.setattr(store_mod.ResultStore, "_load", lambda self, key: (reads.append(key), load(self, key))[1])
    assert store.cached(Key(PID, "low")) is not None and reads == []
    assert set(appraised) == {"central"}
    page.scenario.value = "low"  # the change finds the result held
    assert reads == [] and set(appraised) == {"central"}


def test_the_illustrative_banner_begins_its_sentence_with_a_capital():
    """'ILLUSTRATIVE FIGURES. the baseline budget ...' once began its sentence in lower case (the programme
    page's own words began 'The'); whatever is named, the sentence after the bold label starts with a capital."""
    assert "<b>ILLUSTRATIVE FIGURES.</b> The baseline budget, assumptions and scores are illustrative" in (
        common.illustrative_banner()
    )
    assert "<b>ILLUSTRATIVE FIGURES.</b> The scores are illustrative" in common.illustrative_banner("the scores")


def test_the_programme_card_says_what_the_other_projects_do_only_when_there_are_others():
    """'10 of 10 / the others: keep in-house for now' spoke of others that did not exist."""
    from ddanalysis.dashboard.programme import in_house_note

    assert in_house_note(10, 10) == "every project: none keeps the service in-house"
    assert in_house_note(9, 10) == "the other keeps it in-house for now"
    assert in_house_note(7, 10) == "the others: keep in-house for now"


def test_the_who_gains_tab_says_what_the_other_bases_recommend(store):
    """Walsall's college (the CLI worked independently, central values, no draws): the mutual is recommended from
    every perspective, and with a provider's margin and contract management charged on the whole service (the
    exported workbook recalculated in LibreOffice with Model!B14 = 1) the rule recommends the in-house redesign
    at GBP 901,549. Others pay 88.8% of the college's cash spending ((610 + 5,850 + 95) / 7,385, baseline.csv).
    The "Who gains" tab says both; the summary names the option the rule passes over."""
    page = AppraisalPage(store, "walsall-college", follow_in_background=False)
    page.tabs.selected_index = TABS.index("Who gains")
    said = html.unescape(page.sections[TABS.index("Who gains")].checks.value)
    assert "The other perspectives recommend the same option" in said
    assert "others pay 88.8% of this service" in said
    assert "the rule recommends In-house redesign (net present saving £901,549) instead" in said
    # the summary names the option the rule passes over on the non-monetised criteria (test_paper.py's working)
    summary = html.unescape(page.sections[0].recommendation.value)
    assert "The rule passes over Outsourcing to a private provider (net present saving £1,331,028; score 4.2" in summary
    # what would change it: once the full result (with switching values) is in, the summary says so
    page.sections[0].update(store.get(page.key()))
    assert "What would change it: with the other assumptions held" in html.unescape(
        page.sections[0].recommendation.value
    )


def test_a_page_keeps_only_the_latest_views_cross_checks(store, monkeypatch):
    """The cross-checks are kept per view (project, scenario, perspective, horizon, what-ifs) so that a redraw
    does not re-appraise; a page left open for a day of what-ifs must not keep every view it ever showed. With
    room for two, a third view drops the oldest, and a view still kept is not worked out again."""
    import dataclasses

    from ddanalysis.dashboard import appraisal as appraisal_page

    worked: list[int] = []
    monkeypatch.setattr(appraisal_page, "CHECKS_KEPT", 2)
    monkeypatch.setattr(appraisal_page, "cross_checks", lambda r: worked.append(r.horizon_years) or r.horizon_years)
    monkeypatch.setattr(appraisal_page, "check_sentences", lambda r, checks: [f"h{checks}"])
    page = AppraisalPage(store, "walsall-college", follow_in_background=False)
    kept = appraisal_page.ChecksKept()
    views = [dataclasses.replace(page.result, horizon_years=h) for h in (10, 20, 30)]
    assert [kept.sentences(v) for v in views[:2]] == [["h10"], ["h20"]]
    assert kept.sentences(views[1]) == ["h20"] and worked == [10, 20]  # kept: not worked out again
    assert kept.sentences(views[2]) == ["h30"]
    assert [k[3] for k in kept._seen] == [20, 30]  # the oldest (10) went
    assert kept.sentences(views[0]) == ["h10"] and worked == [10, 20, 30, 10]


def test_the_excel_summary_takes_the_cross_checks_the_who_gains_tab_worked_out(store, monkeypatch):
    """Opening Who gains works the cross-checks out (two or three draws-free appraisals); pressing "Prepare Excel
    summary" for the same view then passes those sentences to the workbook rather than appraising again. The
    sentence is Walsall's funding-basis check (test_paper.py's working: the mutual saves GBP 64,770 on the
    whole-service basis), read back from the workbook's Summary sheet."""
    from ddanalysis.dashboard import appraisal as appraisal_page

    calls: list[str] = []
    real = appraisal_page.cross_checks
    monkeypatch.setattr(appraisal_page, "cross_checks", lambda r: calls.append(r.project_id) or real(r))
    page = AppraisalPage(store, "walsall-college", follow_in_background=False)
    page.tabs.selected_index = TABS.index("Who gains")
    assert calls == ["walsall-college"]
    import ddanalysis.excel.workbook as workbook_module

    monkeypatch.setattr(workbook_module, "cross_checks", lambda r: pytest.fail("the workbook appraised again"))
    page._on_excel(None)
    assert calls == ["walsall-college"], "the export worked the cross-checks out again"
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", page.download.value).group(1))
    summary = load_workbook(io.BytesIO(data))["Summary"]
    said = " ".join(str(c.value) for row in summary.iter_rows() for c in row if isinstance(c.value, str))
    assert "would save £64,770" in said
