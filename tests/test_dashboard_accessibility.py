"""Both dashboards meet WCAG 2.2 AA as far as a machine can tell: axe-core in Debian's Chromium.

axe-core is the npm package pinned in package.json / package-lock.json, installed into
node_modules/ by ``make system-deps`` (``npm ci``); it is injected from that file into the rendered
page (``page.add_script_tag(path=...)``), never fetched at test time. The test fails on any
``serious`` or ``critical`` violation and prints every violation found (rule id, impact, targets).
The programme page is checked once rendered; the appraisal page once rendered and again on each of
its tabs (axe only checks what is shown).

What axe cannot judge is checked by hand here: every control is reached by the Tab key in reading
order and has a name; the optimism-bias slider and the tab bar work from the keyboard; every chart
is a ``figure`` whose name gives its title and the values it plots (its text alternative).

No rule is excluded: the fixes for Voila's, ipywidgets' and plotly's own markup are in the
``ddlab`` template (dashboards/jupyter/voila/templates/ddlab/index.html.j2).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import REPO
from test_dashboard_security import NAVIGATION_TIMEOUT_MS, VoilaServer, rendered, run_in_browser, running

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: Rules switched off, with the reason (none: keep it that way unless a rule cannot be met from here).
EXCLUDED_RULES: dict[str, str] = {}
FAIL_ON = ("serious", "critical")
#: The appraisal page's tabs (the first is open on arrival).
TABS = [
    "Summary",
    "Costs and savings",
    "Who gains",
    "Risk",
    "Multi-criteria",
    "Implementation plan",
    "Assumptions",
    "Compare",
]

_AXE_RUN = """async (excluded) => {
  const rules = {};
  for (const id of excluded) rules[id] = {enabled: false};
  const r = await axe.run(document, {resultTypes: ['violations'], rules});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: (n.failureSummary || '').slice(0, 300)}))}));
}"""

_VISIBLE_PANEL_READY = """([n]) => {
  const v = document.querySelector('.dd-tabs .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)');
  if (!v) return false;
  const ps = v.querySelectorAll('.js-plotly-plot');
  return ps.length >= n && Array.from(ps).every(x => x.querySelector('svg.main-svg') && x.getAttribute('aria-label'));
}"""
_CHARTS_PER_TAB = {
    "Summary": 1,
    "Costs and savings": 2,
    "Who gains": 1,
    "Risk": 2,
    "Multi-criteria": 2,
    "Implementation plan": 1,
    "Assumptions": 0,
    "Compare": 1,
}

_FOCUSED = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const w = e.closest('.jupyter-widgets');
  const lab = w ? w.querySelector('.widget-label') : null;
  return {tag: e.tagName, role: e.getAttribute('role') || '', cls: String(e.className || ''),
          name: e.getAttribute('aria-label') || (e.labels && e.labels[0] ? e.labels[0].textContent : '')
                || (lab ? lab.textContent : '') || (e.textContent || '').trim().slice(0, 60),
          text: (e.textContent || '').trim().slice(0, 60), inMain: !!e.closest('[role=main], main')}; }"""


@pytest.fixture(scope="module")
def axe_path() -> str:
    if not AXE.is_file():
        pytest.skip("axe-core not installed: run 'make system-deps' (npm ci, version pinned in package-lock.json)")
    return str(AXE)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboards as ``make dashboards`` serves them, without preheated kernels (pages render on
    request: lighter on a shared machine)."""
    with running(
        VoilaServer(tmp_path_factory.mktemp("voila-a11y"), extra=("--VoilaConfiguration.preheat_kernel=False",))
    ) as s:
        yield s


async def _axe(page, axe_path: str) -> list[dict[str, Any]]:
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=axe_path)
    return await page.evaluate(_AXE_RUN, list(EXCLUDED_RULES))


def _report(where: str, violations: list[dict[str, Any]]) -> list[str]:
    """Print every violation; return the serious and critical ones as lines."""
    bad = []
    for v in violations:
        line = f"[axe] {where}: {v['id']} ({v['impact']}): {v['help']}"
        print(line)
        for n in v["nodes"]:
            print(f"        {n['target']}  -- {n['summary']}")
        if v["impact"] in FAIL_ON:
            bad.append(line + "\n    " + "\n    ".join(n["target"] for n in v["nodes"]))
    if not violations:
        print(f"[axe] {where}: no violations")
    return bad


@pytest.fixture(scope="module")
def programme_view(server, axe_path) -> dict[str, Any]:
    async def work(browser):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        try:
            await page.goto(
                server.url + "voila/render/programme.ipynb", wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS
            )
            await rendered(page, plots=2, timeout_s=240)
            await page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".every(p => p.getAttribute('aria-label'))",
                timeout=30_000,
            )
            return {
                "axe": await _axe(page, axe_path),
                "charts": await page.eval_on_selector_all(
                    ".js-plotly-plot", "ps => ps.map(p => [p.getAttribute('role'), p.getAttribute('aria-label')])"
                ),
            }
        finally:
            await page.close(run_before_unload=True)

    return run_in_browser(work, timeout_s=400)


@pytest.fixture(scope="module")
def appraisal_view(server, axe_path) -> dict[str, Any]:
    """The appraisal page: axe on every tab, the Tab-key order, the slider and tab bar by keyboard."""

    async def work(browser):
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        out: dict[str, Any] = {"axe": {}, "charts": {}}
        try:
            await page.goto(
                server.url + "voila/render/appraisal.ipynb?project=walsall-college",
                wait_until="commit",
                timeout=NAVIGATION_TIMEOUT_MS,
            )
            await rendered(page, plots=1, timeout_s=240)
            # keyboard: Tab from the top of the page through the controls
            order = []
            for _ in range(12):
                await page.keyboard.press("Tab")
                order.append(await page.evaluate(_FOCUSED))
            out["order"] = order
            # the optimism-bias slider moves with the arrow keys
            handle = page.locator(".dd-controls [role=slider]").first
            await handle.focus()
            before = await handle.get_attribute("aria-valuenow")
            await page.keyboard.press("ArrowRight")
            await page.wait_for_function(
                "(b) => document.querySelector('.dd-controls [role=slider]').getAttribute('aria-valuenow') !== b",
                arg=before,
                timeout=10_000,
            )
            out["slider"] = (before, await handle.get_attribute("aria-valuenow"))
            await page.keyboard.press("ArrowLeft")  # back to the scenario's value
            await page.wait_for_timeout(500)
            await rendered(page, plots=1)
            # every tab, opened from the keyboard (arrow keys move along the tab bar, Enter opens)
            for i, tab in enumerate(TABS):
                if i:
                    await page.locator(".dd-tabs .lm-TabBar-tab", has_text=TABS[i - 1]).focus()
                    await page.keyboard.press("ArrowRight")
                    await page.keyboard.press("Enter")
                    await page.wait_for_function(
                        "(t) => { const c = document.querySelector('.dd-tabs .lm-TabBar-tab.lm-mod-current');"
                        " return c && c.textContent.trim() === t; }",
                        arg=tab,
                        timeout=15_000,
                    )
                await page.wait_for_function(
                    _VISIBLE_PANEL_READY, arg=[_CHARTS_PER_TAB[tab]], polling=200, timeout=90_000
                )
                if tab == "Assumptions":
                    await page.locator(
                        ".dd-tabs .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden) table.dd-table tbody tr"
                    ).first.wait_for(timeout=60_000)
                await page.wait_for_timeout(300)
                out["axe"][tab] = await _axe(page, axe_path)
                out["charts"][tab] = await page.eval_on_selector_all(
                    ".dd-tabs .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden) .js-plotly-plot",
                    "ps => ps.map(p => [p.getAttribute('role'), p.getAttribute('aria-label')])",
                )
            # the "What if" panel, opened from the keyboard, with a value changed (the what-if flag shown)
            await page.locator(".dd-whatif-toggle").first.focus()
            await page.keyboard.press("Enter")
            box = page.locator(".dd-whatif-control input").first
            await box.wait_for(timeout=30_000)
            await box.fill(str(float(await box.input_value()) + 1))
            await box.press("Enter")
            await page.wait_for_selector(".dd-whatif-summary .dd-whatif-flag", timeout=60_000)
            await page.wait_for_timeout(500)
            out["axe_whatif"] = await _axe(page, axe_path)
            return out
        finally:
            await page.close(run_before_unload=True)

    return run_in_browser(work, timeout_s=600)


def test_programme_dashboard_has_no_serious_accessibility_violations(programme_view):
    bad = _report("programme", programme_view["axe"])
    assert not bad, "axe-core found serious or critical violations:\n" + "\n".join(bad)


def test_appraisal_dashboard_has_no_serious_accessibility_violations_on_any_tab(appraisal_view):
    bad = []
    for tab, violations in appraisal_view["axe"].items():
        bad += _report(f"appraisal / {tab}", violations)
    assert set(appraisal_view["axe"]) == set(TABS)
    assert not bad, "axe-core found serious or critical violations:\n" + "\n".join(bad)


def test_the_what_if_panel_has_no_serious_accessibility_violations(appraisal_view):
    bad = _report("appraisal / What if", appraisal_view["axe_whatif"])
    assert not bad, "axe-core found serious or critical violations:\n" + "\n".join(bad)


def test_every_control_is_reached_by_the_tab_key_in_reading_order_and_named(appraisal_view):
    order = [f for f in appraisal_view["order"] if f]
    print("[keyboard] " + json.dumps(order, indent=1)[:3000])
    names = [f["name"].strip() for f in order]
    expected = ["Project", "Scenario", "Perspective", "Optimism-bias mitigation", "Prepare Excel summary", "Summary"]
    positions = []
    for want in expected:
        hits = [i for i, n in enumerate(names) if n.startswith(want)]
        assert hits, f"{want!r} is never reached with the Tab key: {names}"
        positions.append(hits[0])
    assert positions == sorted(positions), f"focus order differs from reading order: {list(zip(expected, positions))}"
    assert all(f["name"].strip() for f in order), f"a focusable element without a name: {order}"
    # plotly's "Share chart..." (sends the figure's data to an outside site) is not offered
    assert not [n for n in names if "Share chart" in n or "Chart Studio" in n], names
    assert all(f["inMain"] for f in order[: positions[-1] + 1]), "a control outside the main landmark"


def test_the_slider_and_the_tabs_work_from_the_keyboard(appraisal_view):
    before, after = appraisal_view["slider"]
    assert float(after) > float(before)  # ArrowRight moved it (by one keyboard step)
    assert set(appraisal_view["axe"]) == set(TABS)  # each tab was opened with ArrowRight + Enter


def test_every_chart_has_a_text_alternative(programme_view, appraisal_view):
    charts = list(programme_view["charts"]) + [c for cs in appraisal_view["charts"].values() for c in cs]
    assert len(charts) >= 2 + sum(_CHARTS_PER_TAB.values())
    for role, label in charts:
        assert role == "figure" and label and label.startswith("Chart. "), (role, label)
        assert len(label) > 60 and any(ch.isdigit() for ch in label), label  # a title and some values
    summary = appraisal_view["charts"]["Summary"][0][1]
    print(f"[charts] the summary chart reads: {summary}")
    assert "Net present saving against the status quo" in summary
    for name in ("Public service mutual", "Outsourcing to a private provider"):
        assert name in summary  # the values, by option
    assert any(ch.isdigit() for ch in summary)
    for _r, label in programme_view["charts"]:
        print(f"[charts] programme: {label[:600]}")
