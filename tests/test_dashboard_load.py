"""The dashboards under load, on loopback, bounded in count and time.

Each test starts its own Voila server (``python -m ddanalysis.dashboard.serve`` with the repository's
dashboards/voila.json, a free loopback port) on a result cache pre-filled as ``serve``'s background
warm-up leaves it, and drives one headless Chromium (Debian's, via Playwright's async API).

- ``VIEWERS`` viewers open the appraisal dashboard at the same moment (one browser context each):
  every one gets a rendered page (spinner gone, cells rendered, a plot drawn, no error) within
  ``CONCURRENT_BUDGET_S``, and closing the tabs shuts their kernels down at once. This server culls
  idle kernels after 10 minutes, as shipped. With a 20 s cull, ten simultaneous first views on two
  cores take longer than that to connect to their kernels, and the culler removes the kernels first.
- ``VIEWS`` page views in a row of the appraisal dashboard (a different project each time), on a
  server that culls idle kernels after ``CULL_IDLE_S`` s, checked every ``CULL_INTERVAL_S`` s
  (passed through ``serve`` to Voila), while one other tab stays open. Each view is shown (its
  kernel connected, its cells rendered; the plots are not waited for, which halves the time on two
  cores), then its tab is closed. Most tabs close as a browser closes them, which asks Voila to
  shut the kernel down. Every tenth is dropped without that, as a crashed tab would be, and left to
  the culler. Once the cull interval has passed, no more kernels run than the pools hold plus the
  open tab, the open tab's kernel is still there, the culler removed the dropped tabs' kernels, and
  the memory of the server and its kernels is back within a bound stated in the test.

- ``VIEWERS`` viewers at once each open the "What if" panel and send ``FLOOD`` what-if changes in a
  row without waiting for the page to follow (a flood of values, on the culling server): every page
  ends showing its own last value with every figure drawn and the Monte Carlo follow-up finished, no
  error; the peak memory stays within a bound stated in the test (each kernel keeps at most
  ``ResultStore.MAX_WHATIF`` what-if results); half the tabs are then dropped without the shutdown
  request and the culler removes their kernels (after ``FLOOD_CULL_IDLE_S`` s idle), the others'
  kernels go as the tabs close.

- A busy server still gets the whole page from a kernel: Voila's executor, reading a cell's output
  slower than nbclient's default 4 s allow after the cell's reply, keeps every output with
  dashboards/voila.json (no browser; the cause of a page once served blank to one of ten viewers).

A viewer whose page never gets ready is reported with the readiness condition it failed, the page's
own messages, its console errors and kernel websocket traffic, the served page's outputs, a
screenshot (under the test's tmp folder) and the server log's warnings and lines about its kernel.

Measured numbers (render times, kernel counts, memory) are printed: run with ``-s`` to see them.
Kernels are counted as the server's ``ipykernel_launcher`` child processes (psutil; Voila 0.5 has no
kernel list API outside ``--debug``). Memory is the resident set (RSS) of the server and all its
descendants.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from test_dashboard_security import (
    PageWatch,
    VoilaServer,
    kernel_id,
    log_trouble,
    pool_total,
    rendered,
    run_in_browser,
    running,
    why_not_ready,
)

from ddanalysis import registry
from ddanalysis.dashboard import store as store_mod

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.load]

VIEWERS = 10
VIEWS = 50
#: Hang guards, not performance thresholds (those belong in benchmarks/). On two cores we measured
#: 34-61 s for the 10 viewers, and 200 s for the 50 views (402 s with the machine shared).
CONCURRENT_BUDGET_S = 240
#: Kernels the sampler may see beyond one a tab and the pools' own, for an instant: while ten first views arrive
#: together, Voila refills a preheated pool as it hands a kernel out, and one fresh-clone run sampled 15 kernels
#: (pools 4 + 10 tabs + 1) once, with 4 left 2 s after the tabs closed; the next run of the same test peaked at
#: 14. A leak would show as more than this, and as kernels left after the tabs close (asserted separately).
HANDOVER_KERNELS = 1
VIEWS_BUDGET_S = 600
DROPPED_EVERY = 10  # every tenth view closes without the shutdown request (a crashed tab)
CULL_IDLE_S = 20
CULL_INTERVAL_S = 5
#: What Voila's executor (nbclient) logs when it stops reading a cell's output before the cell's
#: output ended, dropping the rest (see test_a_busy_server_still_gets_the_whole_page_from_the_kernel).
IOPUB_CUT = "Timeout waiting for IOPub output"
#: A page is shown: Voila's spinner is gone and every cell output is rendered, which needs the
#: page's websocket to its kernel (the widgets' state comes over it). The plots may still be drawing.
SHOWN_JS = """() => !document.getElementById('loading') && !!document.getElementById('rendered_cells')
  && !document.querySelector('script[type="application/vnd.voila.cell-output+json"]')
  && !!document.querySelector('#rendered_cells .dd-header')"""


class Sampler:
    """Samples the server's kernel count and memory every ``every`` s in a background thread."""

    def __init__(self, server: VoilaServer, every: float = 0.5):
        self.server, self.every = server, every
        self.peak_kernels, self.peak_mb = 0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kernels = max(self.peak_kernels, len(self.server.kernels()))
            self.peak_mb = max(self.peak_mb, self.server.rss_mb())
            self._stop.wait(self.every)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(10)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A result cache holding what the preheated kernels load (every project, central scenario,
    council perspective), as ``serve``'s background warm-up leaves it a few seconds after start:
    the servers below are measured in their steady state, not in the minutes after a data change."""
    d = tmp_path_factory.mktemp("load-cache")
    subprocess.run(
        [sys.executable, "-m", "ddanalysis.dashboard.warm", "--quick"],
        cwd=REPO,
        check=True,
        env={**os.environ, "DDANALYSIS_CACHE": str(d)},
        timeout=300,
        capture_output=True,
    )
    assert len(list(d.glob(f"*{store_mod.SUFFIX}"))) == len(registry.project_ids())
    return d


def _serve(work: Path, cache: Path, extra: tuple[str, ...] = ()):
    s = VoilaServer(work, extra=extra, env={"DDANALYSIS_CACHE": str(cache)})
    with running(s):
        waited = s.wait_settled(pool_total())
        print(
            f"\n[load] server ready with {len(s.kernels())} preheated kernels (pools: {pool_total()}), "
            f"settled {waited:.0f} s after answering; {s.rss_mb():.0f} MB"
        )
        yield s


@pytest.fixture
def server(tmp_path, cache):
    """The dashboards as shipped (idle kernels culled after 10 minutes)."""
    yield from _serve(tmp_path / "voila", cache)


@pytest.fixture
def culling_server(tmp_path, cache):
    """The dashboards with idle kernels culled after CULL_IDLE_S s, checked every CULL_INTERVAL_S s."""
    gen = _serve(
        tmp_path / "voila",
        cache,
        (
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        ),
    )
    s = next(gen)
    # the pass-through options reached Voila (jupyter_server announces its culler's settings)
    assert f"idle durations > {CULL_IDLE_S} seconds at {CULL_INTERVAL_S} second intervals" in s.log(), s.log()[-2000:]
    yield s
    with contextlib.suppress(StopIteration):
        next(gen)


#: The flood's server culls idle kernels after FLOOD_CULL_IDLE_S s: longer than ten simultaneous
#: first views take to connect to their kernels on two cores (all ten pages had followed the flood
#: 60-121 s after the first request in our runs; the connections come well before that), so
#: only the tabs dropped afterwards are culled.
FLOOD_CULL_IDLE_S = 120


@pytest.fixture
def flood_server(tmp_path, cache):
    """The dashboards with idle kernels culled after FLOOD_CULL_IDLE_S s, checked every CULL_INTERVAL_S s."""
    gen = _serve(
        tmp_path / "voila",
        cache,
        (
            f"--MappingKernelManager.cull_idle_timeout={FLOOD_CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        ),
    )
    yield next(gen)
    with contextlib.suppress(StopIteration):
        next(gen)


def _kernel_pids(server: VoilaServer) -> dict[str, int]:
    """Kernel id -> process id (the id is in the kernel's connection file name)."""
    out = {}
    for p in server.kernels():
        for arg in p.cmdline():
            if arg.endswith(".json") and "kernel-" in arg:
                out[arg.rsplit("kernel-", 1)[1][:-5]] = p.pid
    return out


def _wait_kernels_at_most(server: VoilaServer, n: int, timeout_s: float) -> tuple[int, float]:
    """Poll until at most ``n`` kernels run; (count, seconds waited)."""
    t0 = time.monotonic()
    while True:
        count = len(server.kernels())
        if count <= n or time.monotonic() - t0 > timeout_s:
            return count, time.monotonic() - t0
        time.sleep(1)


async def _problems(page) -> list[str]:
    """Error text a viewer would see on a rendered page."""
    body = await page.inner_text("#rendered_cells")
    found = [w for w in ("Traceback", "error when executing", "could not be shown", "Sorry") if w in body]
    if await page.locator(".dd-error").count():
        found.append("dd-error: " + await page.locator(".dd-error").first.inner_text())
    if await page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count():
        found.append("stderr output")
    return found


async def _close(pages: list, before_unload: bool = True, timeout_s: float = 10) -> None:
    """Close tabs as a browser does (``beforeunload`` runs: Voila asks the server to shut the kernel
    down) and wait until they are closed."""
    for p in pages:
        await p.close(run_before_unload=before_unload)
    end = time.monotonic() + timeout_s
    while any(not p.is_closed() for p in pages) and time.monotonic() < end:
        await asyncio.sleep(0.1)


def test_ten_viewers_at_once_all_get_a_rendered_page(server, tmp_path):
    pids = registry.project_ids()
    urls = [server.url + f"voila/render/appraisal.ipynb?project={pids[i % len(pids)]}" for i in range(VIEWERS)]
    before_mb, before_k = server.rss_mb(), len(server.kernels())

    async def work(browser):
        loop = asyncio.get_running_loop()
        t0 = loop.time()

        async def viewer(i: int, url: str) -> dict[str, Any]:
            ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await ctx.new_page()
            out: dict[str, Any] = {"viewer": i, "ctx": ctx, "page": page}
            watch = PageWatch(page, time.monotonic() - (loop.time() - t0))
            try:
                response = await page.goto(url, wait_until="commit", timeout=CONCURRENT_BUDGET_S * 1000)
                await rendered(page, 1, timeout_s=max(1.0, CONCURRENT_BUDGET_S - (loop.time() - t0)))
                out["seconds"] = loop.time() - t0
                out["problems"] = await _problems(page)
            except Exception as exc:  # noqa: BLE001 - reported per viewer below
                out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                out["seen"] = {**await why_not_ready(page, tmp_path / f"viewer-{i}.png"), **watch.report()}
                with contextlib.suppress(Exception):
                    html = await response.text()
                    out["seen"]["served"] = {
                        "widget_outputs": html.count("application/vnd.jupyter.widget-view+json"),
                        "cell_outputs": html.count("application/vnd.voila.cell-output+json"),
                        "bytes": len(html),
                    }
                with contextlib.suppress(Exception):
                    out["kernel"] = kernel_id(await page.content())
            return out

        results = await asyncio.gather(*(viewer(i, u) for i, u in enumerate(urls)))
        await _close([r["page"] for r in results])
        for r in results:
            await r.pop("ctx").close()
            r.pop("page")
        return results

    kernel_mb = max(p.memory_info().rss for p in server.kernels()) / 2**20
    with Sampler(server) as sampler:
        results = run_in_browser(work, timeout_s=CONCURRENT_BUDGET_S + 60)
        # closing a tab shuts its kernel down at once (no culling: this server culls after 10 minutes)
        left, closed_in = _wait_kernels_at_most(server, pool_total(), 30)
    times = sorted(r["seconds"] for r in results if "seconds" in r)
    print(
        f"\n[load] {VIEWERS} viewers at once on {_cores()} cores: {len(times)} rendered; seconds from the "
        f"first request to each rendered page: {', '.join(f'{t:.1f}' for t in times)} "
        f"(median {statistics.median(times) if times else float('nan'):.1f}, "
        f"max {max(times, default=float('nan')):.1f})"
    )
    print(
        f"[load] kernels: {before_k} before, peak {sampler.peak_kernels} (pools {pool_total()} + {VIEWERS} tabs); "
        f"memory of server and kernels: {before_mb:.0f} MB before, peak {sampler.peak_mb:.0f} MB "
        f"(+{sampler.peak_mb - before_mb:.0f} MB, {(sampler.peak_mb - before_mb) / VIEWERS:.0f} MB a viewer)"
    )
    print(f"[load] after the {VIEWERS} tabs closed: {left} kernels {closed_in:.0f} s later")
    failed = [r for r in results if "error" in r or r.get("problems")]
    if failed:
        print(
            f"[load] server log, kernel and websocket lines:\n"
            f"{log_trouble(server.log(), [r['kernel'] for r in failed if r.get('kernel')])}"
        )
    assert not failed, f"viewers without a clean rendered page: {failed}"
    # no cell's output was cut short by Voila's executor (a page built but never sent)
    assert IOPUB_CUT not in server.log(), log_trouble(server.log())
    assert len(times) == VIEWERS
    # one kernel per open tab plus the refilled pools, never more (but a pool's hand-over, for an instant)
    assert sampler.peak_kernels <= pool_total() + VIEWERS + HANDOVER_KERNELS
    # Memory: each viewer adds one kernel (the pool kernel it took is replaced). A viewer's kernel
    # holds one built page on top of what a preheated kernel holds; allow it half as much again
    # as the largest preheated kernel (measured above).
    assert sampler.peak_mb - before_mb <= VIEWERS * 1.5 * kernel_mb, (
        f"+{sampler.peak_mb - before_mb:.0f} MB for {VIEWERS} viewers (kernel at rest {kernel_mb:.0f} MB)"
    )
    assert left <= pool_total(), f"{left} kernels still running 30 s after every tab was closed"


#: The slow-server check below: the cell displays BACKLOG outputs and the server takes BACKLOG_DELAY_S
#: to take in each one, so they arrive over BACKLOG * BACKLOG_DELAY_S = 6 s after the cell's reply.
BACKLOG, BACKLOG_DELAY_S = 12, 0.5


def _execute_with_slow_iopub(config: Any) -> list[str]:
    """Run a one-cell notebook (``display(0)`` ... ``display(BACKLOG - 1)``) with Voila's executor under
    ``config``, the server reading each display message BACKLOG_DELAY_S late (as a server busy with
    other kernels does); the outputs the cell ends with, as text."""
    import nbformat
    from voila.execute import VoilaExecutor

    class SlowServer(VoilaExecutor):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            get = kc.iopub_channel.get_msg

            async def slow_get(*args: Any, **kwargs: Any) -> dict:
                msg = await get(*args, **kwargs)
                if msg["msg_type"] == "display_data":
                    await asyncio.sleep(BACKLOG_DELAY_S)
                return msg

            kc.iopub_channel.get_msg = slow_get
            return kc

    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(f"for i in range({BACKLOG}):\n    display(i)")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    SlowServer(nb, config=config).execute(nb, {})
    return [o.get("data", {}).get("text/plain", "") for o in nb.cells[0].outputs]


def test_a_busy_server_still_gets_the_whole_page_from_the_kernel():
    """The page a kernel builds reaches the viewer even when the server reads the kernel's output
    slowly. Voila's executor (nbclient) stops reading a cell's output ``iopub_timeout`` seconds after
    the cell's reply, and drops what has not arrived (logging "Timeout waiting for IOPub output"). The
    dashboard cell's widget updates come first and its ``display`` last, so under load a dropped tail
    is the whole page: a blank dashboard for good (seen with ten viewers at once on two cores).

    Here the outputs arrive over about 12 x 0.5 s = 6 s after the reply. With nbclient's default (4 s) the
    last ones are lost: the check that this test can fail. With dashboards/voila.json (120 s) all
    twelve arrive: "0" to "11" in order."""
    from traitlets.config import Config
    from traitlets.config.loader import JSONFileConfigLoader

    expected = [str(i) for i in range(BACKLOG)]
    default = _execute_with_slow_iopub(Config())
    assert len(default) < BACKLOG and default == expected[: len(default)], default
    served = _execute_with_slow_iopub(JSONFileConfigLoader("voila.json", path=str(REPO / "dashboards")).load_config())
    assert served == expected


def test_fifty_views_in_a_row_leave_no_extra_kernels_and_bounded_memory(culling_server):
    server = culling_server
    assert len(server.kernels()) == pool_total()
    base_mb = server.rss_mb()
    kernel_mb = max(p.memory_info().rss for p in server.kernels()) / 2**20
    pids = registry.project_ids()
    urls = [server.url + f"voila/render/appraisal.ipynb?project={pids[i % len(pids)]}" for i in range(VIEWS)]

    async def work(browser):
        loop = asyncio.get_running_loop()
        ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        keep = await ctx.new_page()  # the tab that stays open throughout
        await keep.goto(server.url + "voila/render/appraisal.ipynb?project=walsall-college", wait_until="commit")
        await rendered(keep)
        keep_kernel = kernel_id(await keep.content())
        t0 = loop.time()
        seconds, dropped, problems = [], [], []
        for i, url in enumerate(urls):
            left = VIEWS_BUDGET_S - (loop.time() - t0)
            assert left > 0, f"only {i} of {VIEWS} views within {VIEWS_BUDGET_S} s"
            page = await ctx.new_page()
            start = loop.time()
            try:
                await page.goto(url, wait_until="commit", timeout=left * 1000)
                await page.wait_for_function(
                    SHOWN_JS, polling=50, timeout=max(1.0, left - (loop.time() - start)) * 1000
                )
            except Exception as exc:  # noqa: BLE001
                raise AssertionError(
                    f"view {i} ({url}) not shown; {i} of {VIEWS} views in "
                    f"{loop.time() - t0:.0f} s: {str(exc).splitlines()[0]}"
                ) from None
            seconds.append(loop.time() - start)
            problems += [f"view {i}: {p}" for p in await _problems(page)]
            crash = (i + 1) % DROPPED_EVERY == 0
            if crash:
                dropped.append(kernel_id(await page.content()))
            await _close([page], before_unload=not crash)
        total = loop.time() - t0
        return {
            "keep": keep,
            "ctx": ctx,
            "keep_kernel": keep_kernel,
            "seconds": seconds,
            "dropped": dropped,
            "problems": problems,
            "total": total,
        }

    async def session(browser):
        out = await work(browser)
        # The kept tab stays open while the culler runs (so wait here, inside the browser's life).
        # A kernel left idle by the last view is culled once it has been idle CULL_IDLE_S s, at the
        # next check: wait that out, then poll (the pools' refills may still be starting).
        await asyncio.sleep(CULL_IDLE_S + 2 * CULL_INTERVAL_S + 2)
        count, waited = await asyncio.to_thread(_wait_kernels_at_most, server, pool_total() + 1, 30)
        out["after"] = (count, CULL_IDLE_S + 2 * CULL_INTERVAL_S + 2 + waited)
        out["kernels_after"] = _kernel_pids(server)
        out["still_rendered"] = await out["keep"].evaluate(
            "() => !!document.querySelector('#rendered_cells .js-plotly-plot svg.main-svg')"
        )
        await asyncio.to_thread(time.sleep, 2)  # let the memory of shut-down kernels go
        out["after_mb"] = server.rss_mb()
        await _close([out.pop("keep")])
        await out.pop("ctx").close()
        return out

    with Sampler(server) as sampler:
        out = run_in_browser(session, timeout_s=VIEWS_BUDGET_S + CULL_IDLE_S + 3 * CULL_INTERVAL_S + 120)
    s = out["seconds"]
    count, waited = out["after"]
    bound = pool_total() + 1
    print(
        f"\n[load] {len(s)} views in a row in {out['total']:.0f} s: render seconds median "
        f"{statistics.median(s):.1f}, p90 {sorted(s)[int(0.9 * (len(s) - 1))]:.1f}, max {max(s):.1f}; "
        f"{len(out['dropped'])} closed without the shutdown request"
    )
    print(
        f"[load] kernels: peak {sampler.peak_kernels}; {count} running {waited:.0f} s after the last view "
        f"(bound: pools {pool_total()} + 1 open tab = {bound})"
    )
    # Memory bound: after the views the same kernels run as before plus the open tab's one, so the
    # tree may grow by one kernel (the largest at rest, measured above) plus 512 MB for what the
    # server and the kernels keep on purpose (Voila's notebook cache, each kernel's in-memory
    # results: the whole result cache is about 100 MB). A leak of 10 MB a view (500 MB over 50)
    # on top of that fails it. The peak may add, at most, the kernels of two tabs in flight and
    # the three pool refills they trigger (5 kernels) to that.
    after_bound = base_mb + kernel_mb + 512
    peak_bound = after_bound + 5 * kernel_mb
    print(
        f"[load] memory of server and kernels: {base_mb:.0f} MB at rest before (largest kernel "
        f"{kernel_mb:.0f} MB), peak {sampler.peak_mb:.0f} MB (bound {peak_bound:.0f}), "
        f"{out['after_mb']:.0f} MB after (+{out['after_mb'] - base_mb:.0f} MB; bound {after_bound:.0f})"
    )
    assert not out["problems"], out["problems"]
    assert len(s) == VIEWS
    assert count <= bound, f"{count} kernels still running after the cull interval (bound {bound})"
    assert out["keep_kernel"] in out["kernels_after"], "the open tab's kernel was culled"
    assert out["still_rendered"]
    assert not set(out["dropped"]) & set(out["kernels_after"]), "a dropped tab's kernel survived the culler"
    culled = [ln for ln in server.log().splitlines() if "Culling 'idle' kernel" in ln]
    assert all(any(f"({k})" in ln for ln in culled) for k in out["dropped"]), (
        f"the dropped tabs' kernels {out['dropped']} were not removed by the culler: {culled}"
    )
    assert out["after_mb"] <= after_bound, f"memory grew by {out['after_mb'] - base_mb:.0f} MB"
    assert sampler.peak_mb <= peak_bound, f"peak memory {sampler.peak_mb:.0f} MB"


FLOOD = 6  # what-if changes each viewer sends in a row
#: The what-if control every viewer floods: the first one shown (the top of the impact ranking).
FIRST_CONTROL = ".dd-whatif-control input"
#: A viewer's page has followed its last what-if change: the flag says one assumption changed, the
#: Monte Carlo follow-up is finished (no "updating" marker) and the summary's chart is drawn.
FOLLOWED_JS = """() => !!document.querySelector('.dd-whatif-flag-top [data-dd-whatif-top="1"]')
  && !document.querySelector('.dd-mc-updating')
  && !!document.querySelector('#rendered_cells .js-plotly-plot svg.main-svg')"""

#: What a page shows, for the message of a viewer whose page did not follow.
PAGE_STATE_JS = """() => ({flag: (document.querySelector('.dd-whatif-flag-top') || {}).innerText,
  status: (document.querySelector('.dd-status') || {}).innerHTML,
  plots: document.querySelectorAll('#rendered_cells .js-plotly-plot').length,
  drawn: document.querySelectorAll('#rendered_cells .js-plotly-plot svg.main-svg').length,
  value: (document.querySelector('.dd-whatif-control input') || {}).value})"""


async def _flood(page, viewer: int) -> list[float]:
    """Open the what-if panel and type FLOOD values into its first control, each followed by Enter,
    without waiting for the page; the values (display units, within the control's min and max) are
    distinct for every viewer and change. Returns the values typed, the last one being the one in force."""
    await page.locator(".dd-whatif-toggle").first.click()
    box = page.locator(FIRST_CONTROL).first
    await box.wait_for(timeout=60_000)
    lo = float(await box.get_attribute("min") or 0)
    hi = float(await box.get_attribute("max") or 1)
    typed = []
    for j in range(FLOOD):
        frac = (1 + j + FLOOD * viewer) / (FLOOD * VIEWERS + 2)
        value = round(lo + (hi - lo) * frac, 4)
        await box.fill(str(value))
        await box.press("Enter")
        typed.append(value)
    return typed


def test_ten_viewers_flooding_what_if_changes_all_follow_with_bounded_memory(flood_server):
    server = flood_server
    base_mb, base_k = server.rss_mb(), len(server.kernels())
    kernel_mb = max(p.memory_info().rss for p in server.kernels()) / 2**20
    url = server.url + "voila/render/appraisal.ipynb?project=walsall-college"

    async def work(browser):
        loop = asyncio.get_running_loop()
        t0 = loop.time()

        async def viewer(i: int) -> dict[str, Any]:
            ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
            page = await ctx.new_page()
            out: dict[str, Any] = {"viewer": i, "ctx": ctx, "page": page}
            try:
                await page.goto(url, wait_until="commit", timeout=CONCURRENT_BUDGET_S * 1000)
                await rendered(page, 1, timeout_s=CONCURRENT_BUDGET_S)
                out["kernel"] = kernel_id(await page.content())
                out["typed"] = await _flood(page, i)
                left = max(1.0, CONCURRENT_BUDGET_S - (loop.time() - t0))
                await page.wait_for_function(FOLLOWED_JS, polling=100, timeout=left * 1000)
                out["seconds"] = loop.time() - t0
                out["shown"] = float(await page.locator(FIRST_CONTROL).first.input_value())
                out["problems"] = await _problems(page)
            except Exception as exc:  # noqa: BLE001 - reported per viewer below
                out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                with contextlib.suppress(Exception):
                    out["page_state"] = await page.evaluate(PAGE_STATE_JS)
            return out

        results = await asyncio.gather(*(viewer(i) for i in range(VIEWERS)))
        # half the tabs close as a browser closes them, the other half are dropped (a crashed tab)
        await _close([r["page"] for r in results if r["viewer"] % 2 == 0])
        await _close([r["page"] for r in results if r["viewer"] % 2 == 1], before_unload=False)
        for r in results:
            await r.pop("ctx").close()
            r.pop("page")
        return results

    with Sampler(server) as sampler:
        results = run_in_browser(work, timeout_s=2 * CONCURRENT_BUDGET_S + 120)
        time.sleep(FLOOD_CULL_IDLE_S + 2 * CULL_INTERVAL_S + 2)
        left, waited = _wait_kernels_at_most(server, pool_total(), 30)
    after_mb = server.rss_mb()
    times = sorted(r["seconds"] for r in results if "seconds" in r)
    print(
        f"\n[load] {VIEWERS} viewers x {FLOOD} what-if changes at once: {len(times)} followed; seconds from the "
        f"first request to each page showing its last value: {', '.join(f'{t:.1f}' for t in times)}"
    )
    print(
        f"[load] kernels: {base_k} before, peak {sampler.peak_kernels}, {left} after the culler; memory "
        f"{base_mb:.0f} MB before (largest kernel {kernel_mb:.0f} MB), peak {sampler.peak_mb:.0f} MB, "
        f"{after_mb:.0f} MB after"
    )
    failed = [r for r in results if "error" in r or r.get("problems")]
    assert not failed, f"viewers whose page did not follow the flood cleanly: {failed}"
    # every page shows its own viewer's last value (no change lost, none crossed over to another tab)
    for r in results:
        assert r["shown"] == pytest.approx(r["typed"][-1]), r
    assert sampler.peak_kernels <= pool_total() + VIEWERS + HANDOVER_KERNELS
    # Memory: one kernel a viewer; each holds a built page, at most MAX_WHATIF what-if results and
    # their Monte Carlo draws: allow twice the largest preheated kernel for each.
    assert sampler.peak_mb - base_mb <= VIEWERS * 2 * kernel_mb, (
        f"+{sampler.peak_mb - base_mb:.0f} MB for {VIEWERS} viewers (kernel at rest {kernel_mb:.0f} MB)"
    )
    # the dropped tabs' kernels were culled, the closed ones shut down: back to the pools
    assert left <= pool_total(), f"{left} kernels still running after the cull interval (pools {pool_total()})"
    dropped = {r["kernel"] for r in results if r["viewer"] % 2 == 1}
    culled = [ln for ln in server.log().splitlines() if "Culling 'idle' kernel" in ln]
    assert all(any(f"({k})" in ln for ln in culled) for k in dropped), (dropped, culled)
    assert after_mb <= base_mb + kernel_mb + 512, f"memory grew by {after_mb - base_mb:.0f} MB"


def _cores() -> int:
    return len(os.sched_getaffinity(0))
