"""The dashboards in a real browser: a Voila server started here, driven by Debian's Chromium.

One Voila server per session (``python -m ddanalysis.dashboard.serve`` on a free loopback port,
the repository's dashboards/voila.json, an empty result cache of its own), killed with its whole
process group at the end. Playwright drives /usr/bin/chromium (never ``playwright install``) with a
fresh profile; outside hosts are made unresolvable, so anything fetched from a CDN would fail.
Expected numbers come from ``ddanalysis.engine.appraise``, not from the dashboard code.
Screenshots (1280 px wide) are written to ``<pytest basetemp>/screenshots``.
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO
from test_dashboard_security import NAVIGATION_TIMEOUT_MS

from ddanalysis import engine, registry
from ddanalysis.dashboard.store import DRAWS
from ddanalysis.report import gbp

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Console messages that are not ours and not a fault (see ../shared/tools/measure_voila.py).
BENIGN = [r"r\.setData is not a function"]
READY_JS = """(n) => {
  if (document.getElementById('loading')) return false;
  const rc = document.getElementById('rendered_cells');
  if (!rc || rc.style.display === 'none') return false;
  if (document.querySelector('script[type="application/vnd.voila.cell-output+json"]')) return false;
  const plots = rc.querySelectorAll('.js-plotly-plot');
  for (const p of plots) if (!p.querySelector('svg.main-svg')) return false;
  return plots.length >= n;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory):
    """A live dashboard server on a free loopback port (the repository's config); its base URL."""
    work = tmp_path_factory.mktemp("voila")
    port = _free_port()
    log_path = work / "voila.log"
    env = {**os.environ, "DDANALYSIS_CACHE": str(work / "cache")}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ddanalysis.dashboard.serve", "--port", str(port), "--no-warm"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(proc, url, log_path)
        yield url
    finally:
        _stop(proc)


def wait_until_serving(proc: subprocess.Popen, url: str, log_path: Path, timeout_s: float = 120) -> None:
    """Poll ``url`` until the server answers 200; fail the test with the log's tail if it exits or is silent."""
    deadline = time.monotonic() + timeout_s
    while True:
        if proc.poll() is not None:
            pytest.fail(f"Voila exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"Voila did not answer on {url} within {timeout_s:.0f} s:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group (Voila shuts its kernels down), then SIGKILL what is left."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


class Page:
    """A browser tab on a dashboard that records console errors and outside requests."""

    def __init__(self, ctx, url: str):
        self.page = ctx.new_page()
        self.errors: list[str] = []
        self.external: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on(
            "request",
            lambda r: (
                None
                if re.match(r"^(https?://(127\.0\.0\.1|localhost)[:/]|data:|blob:)", r.url)
                else self.external.append(r.url)
            ),
        )
        self.page.goto(url, wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS)  # then ready() waits

    def ready(self, plots: int = 1, timeout_s: float = 120) -> "Page":
        self.page.wait_for_function(READY_JS, arg=plots, polling=100, timeout=timeout_s * 1000)
        return self

    def text(self, selector: str) -> str:
        return self.page.locator(selector).first.inner_text()

    def wait_text(self, selector: str, needle: str, timeout_s: float = 60) -> None:
        self.page.wait_for_function(
            "([s, t]) => Array.from(document.querySelectorAll(s)).some(e => e.innerText.includes(t))",
            arg=[selector, needle],
            polling=100,
            timeout=timeout_s * 1000,
        )

    def check_clean(self) -> None:
        body = self.page.locator("#rendered_cells").inner_text()
        assert "Traceback" not in body and "error when executing" not in body.lower()
        assert self.page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
        assert self.page.locator(".dd-error").count() == 0, self.text(".dd-error")
        unexpected = [e for e in self.errors if not any(re.search(b, e) for b in BENIGN)]
        assert not unexpected, unexpected
        assert not self.external, f"requests to outside hosts: {self.external}"

    def select(self, css: str, label: str) -> None:
        self.page.locator(f"{css} select").first.select_option(label=label)

    def screenshot(self, path: Path) -> None:
        h = self.page.evaluate(
            "() => { const rc = document.getElementById('rendered_cells');"
            " return Math.max(document.documentElement.scrollHeight,"
            " rc ? rc.scrollHeight + rc.getBoundingClientRect().top : 0); }"
        )
        self.page.set_viewport_size({"width": 1280, "height": min(int(h) + 20, 8000)})
        self.page.wait_for_timeout(1500)  # plotly redraws on resize
        self.page.screenshot(path=str(path), full_page=True)
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def close(self) -> None:
        self.page.close(run_before_unload=True)


def _appraisal(pid: str, scenario: str = "central"):
    return engine.appraise(pid, scenario, draws=DRAWS, with_switching=False, with_decision=False)


def _headline(res) -> str:
    """The net present saving the summary's second card shows (recommended or best option)."""
    opts = res.options.set_index("id")
    focus = (
        res.recommended
        if res.recommended != "in-house"
        else opts.drop(index="in-house")["net_present_saving_gbp"].idxmax()
    )
    return gbp(float(opts.loc[focus, "net_present_saving_gbp"]))


def _label(pid: str) -> str:
    p = registry.project(pid)
    names = registry.councils().set_index("e_code")["name"]
    return f"{p.title} ({' + '.join(names[c] for c in p.councils)})"


# --- programme ---------------------------------------------------------------------------------


def test_programme_dashboard_renders_offline_without_errors(voila_url, browser, shots):
    p = Page(browser, voila_url + "voila/render/programme.ipynb").ready(plots=2)
    try:
        assert p.page.locator(".dd-project-link").count() == len(registry.project_ids())
        body = p.text("#rendered_cells")
        assert "ILLUSTRATIVE FIGURES" in body and "real 2014-15 prices" in body
        assert re.search(r"£\d{1,3}(,\d{3})+", body)  # money with thousands separators
        p.check_clean()
        p.screenshot(shots / "programme.png")
    finally:
        p.close()


def test_programme_links_open_the_projects_appraisal(voila_url, browser):
    p = Page(browser, voila_url + "voila/render/programme.ipynb").ready(plots=2)
    try:
        p.page.locator(".dd-project-link", has_text="Open spaces").click()
        p.page.wait_for_url(re.compile(r"appraisal\.ipynb\?project=kirklees-open-spaces"))
        p.ready(plots=1)
        p.wait_text(".dd-header h1", "Open spaces")
        p.check_clean()
    finally:
        p.close()


# --- appraisal ----------------------------------------------------------------------------------


def test_url_parameter_selects_the_project(voila_url, browser):
    pid = "dover-museum-tourism"
    p = Page(browser, voila_url + f"voila/render/appraisal.ipynb?project={pid}").ready(plots=1)
    try:
        res = _appraisal(pid)
        p.wait_text(".dd-header h1", res.project_title)
        assert _headline(res) in p.text(".dd-summary-kpis")
        assert p.page.locator(".dd-project select").input_value() == _label(pid)
        p.check_clean()
    finally:
        p.close()


def test_changing_project_and_scenario_updates_the_numbers(voila_url, browser, shots):
    p = Page(browser, voila_url + "voila/render/appraisal.ipynb").ready(plots=1)
    try:
        first = _appraisal(registry.project_ids()[0])
        assert _headline(first) in p.text(".dd-summary-kpis")
        p.screenshot(shots / "appraisal_summary.png")
        pid = "nelincs-environment"
        p.select(".dd-project", _label(pid))
        res = _appraisal(pid)
        p.wait_text(".dd-header h1", res.project_title)
        p.wait_text(".dd-summary-kpis", _headline(res))
        low = _appraisal(pid, "low")
        p.select(".dd-scenario", "low")
        p.wait_text(".dd-summary-recommendation", low.recommendation)
        p.wait_text(".dd-summary-kpis", _headline(low))
        assert _headline(low) != _headline(res)
        p.check_clean()
    finally:
        p.close()


def test_a_wrong_project_shows_a_friendly_list(voila_url, browser):
    p = Page(browser, voila_url + "voila/render/appraisal.ipynb?project=no-such-project")
    try:
        p.page.wait_for_selector(".dd-error", timeout=120_000)
        text = p.text(".dd-error")
        assert "There is no project called 'no-such-project'" in text
        for pid in registry.project_ids():
            assert pid in text
        assert "Traceback" not in p.text("#rendered_cells")
    finally:
        p.close()


def test_every_tab_draws_its_charts(voila_url, browser, shots):
    p = Page(browser, voila_url + "voila/render/appraisal.ipynb?project=walsall-college").ready(plots=1)
    try:
        expected = {"Costs and savings": 2, "Risk": 2, "Multi-criteria": 2, "Implementation plan": 1, "Assumptions": 0}
        for tab, n in expected.items():
            p.page.locator(".dd-tabs .lm-TabBar-tab", has_text=tab).click()
            panel = p.page.locator(".dd-tabs .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)")
            p.page.wait_for_function(
                "([n]) => { const v = document.querySelector("
                "'.dd-tabs .widget-tab-contents > .lm-Widget:not(.lm-mod-hidden)');"
                " if (!v) return false; const ps = v.querySelectorAll('.js-plotly-plot');"
                " return ps.length >= n && Array.from(ps).every(x => x.querySelector('svg.main-svg')); }",
                arg=[n],
                polling=100,
                timeout=60_000,
            )
            assert panel.count() == 1
            if tab == "Assumptions":
                panel.locator("table.dd-table tbody tr").first.wait_for(timeout=60_000)
                res = _appraisal("walsall-college")  # recommended option's assumptions plus the shared ones
                shown = res.assumptions[res.assumptions.scope.isin(["project", res.recommended])]
                assert panel.locator("table.dd-table tbody tr").count() == len(shown)
            p.screenshot(shots / f"appraisal_{tab.lower().replace(' ', '_')}.png")
        p.check_clean()
    finally:
        p.close()


#: Records, from the page's first script on, every element added straight to <body> that is a plotly
#: chart or positioned off screen the way ``Plotly.toImage`` places the copy it draws a PNG from.
OFFSCREEN_COPIES_JS = """(() => {
  const seen = window.__offscreenCharts = [];
  const watch = () => new MutationObserver((ms) => {
    for (const m of ms) for (const n of m.addedNodes) {
      if (n.nodeType !== 1) continue;
      if (n.classList.contains('js-plotly-plot') || n.style.left === '-5000px' || n.querySelector('.js-plotly-plot'))
        seen.push(n.outerHTML.slice(0, 120));
    }
  }).observe(document.body, {childList: true});
  if (document.body) watch(); else document.addEventListener('DOMContentLoaded', watch);
})();"""


def test_each_chart_is_drawn_once_on_screen_at_its_width(voila_url, browser):
    """plotly's renderer, left as it is, draws a chart before the output has its final width, redraws it
    at that width, and draws a copy off screen (appended to <body>) for a PNG whose save fails in Voila
    ("r.setData is not a function" in the console). With the page template's fix: the renderer module
    is marked as patched, no copy is ever added to <body>, the save error never shows, and every chart
    is drawn at the width of its box (plotly's ``_fullLayout.width`` against the element's width, 1 px)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script(OFFSCREEN_COPIES_JS)
    try:
        page.goto(voila_url + "voila/render/programme.ipynb", wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS)
        page.wait_for_function(READY_JS, arg=2, polling=100, timeout=120_000)
        page.wait_for_timeout(1500)  # a PNG copy would be drawn within this
        assert page.evaluate("() => window.__offscreenCharts") == []
        assert not [e for e in errors if "setData" in e]
        sizes = page.evaluate(
            "() => Array.from(document.querySelectorAll('#rendered_cells .js-plotly-plot'))"
            ".map(g => [g._fullLayout.width, g.getBoundingClientRect().width])"
        )
        assert len(sizes) == 2
        for drawn, box in sizes:
            assert abs(drawn - box) <= 1, sizes
        patched = page.evaluate(
            "async () => { const f = await window._JUPYTERLAB['jupyterlab-plotly'].get('./mimeExtension');"
            " return f().RenderedPlotly.ddDrawOnce === true; }"
        )
        assert patched
    finally:
        page.close(run_before_unload=True)


#: Which plotly.js draws the page's charts: the finance bundle the page loads itself (window.Plotly, under the
#: draw-once wrapper the template puts on the renderer), or the extension's own (anything else).
WHICH_PLOTLY_JS = """async () => {
  const f = await window._JUPYTERLAB['jupyterlab-plotly'].get('./mimeExtension');
  const R = f().RenderedPlotly;
  return {tag: !!document.getElementById('dd-plotly'), version: window.Plotly ? window.Plotly.version : null,
          finance: !!window.Plotly && Object.getPrototypeOf(R.Plotly) === window.Plotly,
          loaded: performance.getEntriesByType('resource').some(e => e.name.endsWith('/plotly-finance.min.js'))};
}"""


def _light_bundle_installed() -> bool:
    from ddanalysis.dashboard import serve

    return bool(serve.template_resources(serve.DASHBOARDS))


def test_charts_are_drawn_with_plotly_finance_bundle_and_the_empty_page_loads_none(voila_url, browser):
    """With plotly.js's finance bundle installed (``make js-deps``), a dashboard page loads it itself and the
    renderer draws with it (not with the extension's full plotly.js, four times as long to evaluate); a
    page whose notebook draws no chart (the empty one) loads no plotly.js at all. The Compare tab's
    waterfall, the one trace type beyond bars and lines, is drawn by the same bundle."""
    if not _light_bundle_installed():
        pytest.skip("plotly.js's finance bundle is not installed: run 'make js-deps'")
    p = Page(browser, voila_url + "voila/render/programme.ipynb").ready(plots=2)
    try:
        which = p.page.evaluate(WHICH_PLOTLY_JS)
        assert which == {"tag": True, "version": which["version"], "finance": True, "loaded": True}, which
        assert which["version"].startswith("4.")
        p.check_clean()
    finally:
        p.close()
    p = Page(browser, voila_url + "voila/render/appraisal.ipynb?project=walsall-college").ready(plots=1)
    try:
        assert p.page.evaluate(WHICH_PLOTLY_JS)["finance"]
        p.page.locator(".dd-tabs .lm-TabBar-tab", has_text="Compare").click()
        p.page.wait_for_function(
            "() => !!document.querySelector('.dd-chart-compare-waterfall .js-plotly-plot .waterfalllayer path')",
            polling=100,
            timeout=60_000,
        )
        p.check_clean()
    finally:
        p.close()
    empty = browser.new_page()
    try:
        empty.goto(voila_url + "voila/render/empty.ipynb", wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS)
        empty.wait_for_function("() => !document.getElementById('loading')", polling=100, timeout=120_000)
        assert empty.locator("#dd-plotly").count() == 0
        assert empty.evaluate("() => typeof window.Plotly") == "undefined"
    finally:
        empty.close(run_before_unload=True)


#: Every tick label and axis title of every chart on the page, as [chart, text, its box, the chart's box].
LABEL_BOXES_JS = """() => {
  const out = [];
  document.querySelectorAll('#rendered_cells .js-plotly-plot').forEach((gd, i) => {
    const svg = gd.querySelector('svg.main-svg').getBoundingClientRect();
    const plot = gd.querySelector('.cartesianlayer .bg, .bglayer .bg');
    const area = plot ? plot.getBoundingClientRect() : null;
    gd.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text').forEach(t => {
      const b = t.getBoundingClientRect();
      out.push({chart: i, text: t.textContent, kind: t.closest('.xtick, .g-xtitle') ? 'x' : 'y',
                title: !!t.closest('.g-xtitle, .g-ytitle'),
                box: [b.left, b.top, b.right, b.bottom], svg: [svg.left, svg.top, svg.right, svg.bottom],
                area: area ? [area.left, area.top, area.right, area.bottom] : null});
    });
  });
  return out;
}"""


@pytest.mark.parametrize(
    "page, plots",
    [("programme.ipynb", 2), ("appraisal.ipynb?project=cwac-wirral-school-services", 1)],
)
def test_axis_labels_fit_the_margins_worked_out_in_python(voila_url, browser, page, plots):
    """The margins set in Python (ddanalysis.chart_margins) hold every label: each tick label and axis title
    lies inside its chart (1 px), y labels left of the plot area and x labels below it, and no two axis
    titles or tick labels of different axes overlap. Checked on the programme page (long project names) and
    on the school services appraisal (the longest option names of the ten projects), at 1280 px."""
    p = Page(browser, voila_url + "voila/render/" + page).ready(plots=plots)
    try:
        boxes = p.page.evaluate(LABEL_BOXES_JS)
        assert boxes and {b["chart"] for b in boxes} == set(range(plots)), boxes
        for b in boxes:
            left, top, right, bottom = b["box"]
            s_left, s_top, s_right, s_bottom = b["svg"]
            assert left >= s_left - 1 and right <= s_right + 1 and top >= s_top - 1 and bottom <= s_bottom + 1, b
            if b["area"] and not b["title"]:
                if b["kind"] == "y":
                    assert right <= b["area"][0] + 1, b
                else:
                    assert top >= b["area"][3] - 1, b
        for a in boxes:
            for c in boxes:
                if a["chart"] == c["chart"] and a["kind"] != c["kind"]:
                    ax0, ay0, ax1, ay1 = a["box"]
                    cx0, cy0, cx1, cy1 = c["box"]
                    assert ax1 <= cx0 + 1 or cx1 <= ax0 + 1 or ay1 <= cy0 + 1 or cy1 <= ay0 + 1, (a, c)
    finally:
        p.close()


def test_excel_download_is_a_valid_workbook(voila_url, browser, tmp_path):
    from openpyxl import load_workbook

    pid = "walsall-college"
    p = Page(browser, voila_url + f"voila/render/appraisal.ipynb?project={pid}").ready(plots=1)
    try:
        p.page.locator(".dd-excel").click()
        link = p.page.locator("a.dd-download-link")
        link.wait_for(timeout=120_000)
        with p.page.expect_download() as info:
            link.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.name == f"ddanalysis_{pid}_central_council.xlsx"
        wb = load_workbook(io.BytesIO(target.read_bytes()))
        assert "Summary" in wb.sheetnames
        title = registry.project(pid).title
        cells = [c for row in wb["Cover"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
        assert any(title in c for c in cells)
        p.check_clean()
    finally:
        p.close()


def test_board_paper_download_is_a_pdf_of_the_view(voila_url, browser, tmp_path):
    """The "Board paper (PDF)" button of a what-if view: the page stays usable while the paper is
    written in a child process, then offers a PDF named for the view (what-if marked)."""
    pid = "walsall-college"
    p = Page(
        browser,
        voila_url + f"voila/render/appraisal.ipynb?project={pid}&scenario=low&set=project.real_pay_growth%3D0.01",
    ).ready(plots=1)
    try:
        p.page.locator(".dd-paper").click()
        link = p.page.locator(".dd-paper-download a.dd-download-link")
        link.wait_for(timeout=240_000)
        with p.page.expect_download() as info:
            link.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        assert target.name == f"ddanalysis_{pid}_low_council_whatif_paper.pdf"
        assert target.read_bytes().startswith(b"%PDF")
        assert "1 what-if value" in p.page.inner_text(".dd-paper-download")
        p.check_clean()
    finally:
        p.close()


# --- what-if values in a link -------------------------------------------------------------------


def test_a_link_with_what_if_values_shows_what_the_cli_gives(voila_url, browser, shots):
    """Open a URL with repeated set=KEY=VALUE values: the net present saving shown equals
    ``ddanalysis appraise --set ...`` for the same values (money formatted by ``formats.money``);
    the view says how many assumptions changed, and the address bar keeps the values."""
    import json as _json
    import urllib.parse

    from ddanalysis.presentation import formats

    pid = "walsall-college"
    sets = ["mutual.pension_rate_change=0.05", "charitable-trust.grant_income_share=0.08"]
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddanalysis",
            "appraise",
            pid,
            "--draws",
            str(DRAWS),
            "--json",
            *[a for s in sets for a in ("--set", s)],
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    doc = _json.loads(cli.stdout)
    opts = {o["id"]: o for o in doc["options"]}
    focus = (
        doc["recommended"]
        if doc["recommended"] != "in-house"
        else max((o for o in opts if o != "in-house"), key=lambda o: opts[o]["net_present_saving_gbp"])
    )
    want = formats.money(opts[focus]["net_present_saving_gbp"])
    query = "&".join(f"set={urllib.parse.quote(s)}" for s in sets)
    p = Page(browser, voila_url + f"voila/render/appraisal.ipynb?project={pid}&{query}").ready(plots=1)
    try:
        p.page.wait_for_selector(
            ".dd-status [data-dd-mc='done'], .dd-status [data-dd-ms]", state="attached", timeout=120_000
        )
        p.page.wait_for_function("() => !document.querySelector('.dd-mc-updating')", timeout=120_000)
        p.wait_text(".dd-summary-kpis", want)
        assert want in p.text(".dd-summary-kpis")
        assert "What-if: 2 assumptions changed" in p.text(".dd-whatif-flag-top")
        url = p.page.evaluate("() => window.location.search")
        got = urllib.parse.parse_qs(url.lstrip("?"))
        assert sorted(got["set"]) == sorted(sets)
        p.check_clean()
        p.screenshot(shots / "appraisal_whatif.png")
    finally:
        p.close()
