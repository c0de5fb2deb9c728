"""Read-only really is read-only: what a viewer of the Voila dashboards can and cannot reach.

Each check runs against a live server started here exactly as ``make dashboards`` starts it
(``python -m ddanalysis.dashboard.serve``, the repository's dashboards/voila.json) on a free loopback
port, with a result cache of its own; servers are killed with their process group (and their
kernels, which Voila starts in groups of their own) when the module ends. Plain HTTP checks use
urllib; the checks that need a page use Debian's Chromium through Playwright's async API, in a
thread of its own (so they never meet the sync Playwright of tests/test_dashboard_browser.py).

What is checked:
- the page holds none of the notebooks' code (``strip_sources``);
- Jupyter's own APIs (kernels, contents, sessions, terminals, lab, tree) are not served;
- a browser that holds a kernel's id (every viewer does: it is in the page) cannot run code in it
  over the kernel's websocket, in either websocket protocol, on any channel; other websites
  cannot open the channel at all;
- no repository file outside the dashboards' allowed static types can be fetched, with ``..``,
  encoded, double-encoded or absolute paths; data/ is not served; analyst notebooks outside
  dashboards/ are never rendered (rendering would run them);
- a wrong ``?project=`` and a broken data folder show a friendly message, no traceback, no
  file path, and HTML in the URL is shown as text, not run.

The server-start helper (:class:`VoilaServer`) is reused by tests/test_dashboard_load.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable

import psutil
import pytest
from conftest import CHROMIUM_ARGS, REPO, require_program

from ddanalysis import registry

DASHBOARDS = REPO / "dashboards"
#: A dashboard is rendered: Voila's spinner gone, every cell output rendered, ``n`` plots drawn.
#: How long a browser waits for a Voila page's first bytes. Voila answers once the kernel is found (and,
#: without a preheated one, started): on a busy two-core machine that exceeded Playwright's 30 s default.
#: Every visit waits for the first bytes only (``wait_until="commit"``); what a page must show is waited
#: for afterwards, with its own time limit.
NAVIGATION_TIMEOUT_MS = 180_000
READY_JS = """(n) => {
  if (document.getElementById('loading')) return false;
  const rc = document.getElementById('rendered_cells');
  if (!rc || rc.style.display === 'none') return false;
  if (document.querySelector('script[type="application/vnd.voila.cell-output+json"]')) return false;
  const plots = rc.querySelectorAll('.js-plotly-plot');
  for (const p of plots) if (!p.querySelector('svg.main-svg')) return false;
  return plots.length >= n;
}"""
#: What must never be in front of a viewer: a Python traceback or Voila's "error when executing".
TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|error when executing", re.IGNORECASE
)
#: The voila.json Voila reads is the repository's; pool sizes come from it.
VOILA_JSON = json.loads((DASHBOARDS / "voila.json").read_text())


# =================================================================================================
# a live Voila server (also used by tests/test_dashboard_load.py)
# =================================================================================================


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pool_total(root: Path = DASHBOARDS) -> int:
    """How many preheated kernels the repository's voila.json keeps for the notebooks in ``root``."""
    pools = VOILA_JSON["VoilaKernelManager"]["kernel_pools_config"]
    default = pools.get("default", {}).get("pool_size", 1)
    notebooks = [p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts]
    return sum(pools.get(p.relative_to(root).as_posix(), {}).get("pool_size", default) for p in notebooks)


class VoilaServer:
    """``python -m ddanalysis.dashboard.serve`` on a free loopback port, in a process group of its own.

    ``extra`` are Voila options passed through after ``--``; ``env`` is added to the environment
    (a result cache of its own is always set). ``stop()`` ends the server, then any kernel left.
    """

    def __init__(self, work: Path, extra: tuple[str, ...] = (), env: dict[str, str] | None = None):
        self.work = work
        self.work.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = work / "voila.log"
        self.extra = list(extra)
        self.env = {**os.environ, "DDANALYSIS_CACHE": str(work / "cache"), **(env or {})}
        self.proc: subprocess.Popen | None = None
        self._seen: dict[int, psutil.Process] = {}  # every kernel this server ever had, by pid

    # -- life cycle ------------------------------------------------------------------------------
    def start(self, timeout_s: float = 120) -> "VoilaServer":
        argv = [sys.executable, "-m", "ddanalysis.dashboard.serve", "--port", str(self.port), "--no-warm"]
        if self.extra:
            argv += ["--", *self.extra]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                argv,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Voila exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Voila did not answer on {self.url} within {timeout_s} s:\n{self.log()[-3000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        """SIGTERM the server's process group (Voila shuts its kernels down), SIGKILL what is left,
        then SIGKILL by pid any kernel of ours still alive (kernels run in process groups of their own)."""
        if self.proc is None:
            return
        self.kernels()  # remember the current kernels before the server goes
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        left = [p for p in self._seen.values() if _alive(p)]
        for p in left:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(left, timeout=10)

    # -- what it runs ----------------------------------------------------------------------------
    def tree(self) -> list[psutil.Process]:
        """The server process and every live descendant."""
        try:
            root = psutil.Process(self.proc.pid)
            return [p for p in [root, *root.children(recursive=True)] if _alive(p)]
        except psutil.Error:
            return []

    def kernels(self) -> list[psutil.Process]:
        """The server's live Python kernels (``ipykernel_launcher`` children)."""
        found = []
        for p in self.tree():
            with contextlib.suppress(psutil.Error):
                if any("ipykernel_launcher" in a for a in p.cmdline()):
                    found.append(p)
                    self._seen.setdefault(p.pid, p)
        return found

    def rss_mb(self) -> float:
        """Resident memory of the server and all its kernels (MB, 1 MB = 2**20 bytes)."""
        total = 0
        for p in self.tree():
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 2**20

    def wait_settled(self, kernels: int, timeout_s: float = 150, idle_cpu: float = 25.0) -> float:
        """Wait until at least ``kernels`` kernels run and the whole tree is idle (below ``idle_cpu`` %
        of one core over a second, twice running): preheated kernels have loaded the data and
        pre-computed. Returns the seconds waited."""
        t0 = time.monotonic()
        deadline = t0 + timeout_s
        quiet = 0
        while time.monotonic() < deadline:
            procs = self.tree()
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    p.cpu_percent(None)
            time.sleep(1.0)
            cpu = 0.0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    cpu += p.cpu_percent(None)
            quiet = quiet + 1 if (len(self.kernels()) >= kernels and cpu < idle_cpu) else 0
            if quiet >= 2:
                return time.monotonic() - t0
        raise AssertionError(
            f"server not settled in {timeout_s} s: {len(self.kernels())} kernels "
            f"(expected >= {kernels}); log tail:\n{self.log()[-2000:]}"
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # -- HTTP ------------------------------------------------------------------------------------
    def get(
        self, path: str, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str]:
        """Status and body of a request to ``path`` (sent as written: no normalising of ``..`` or
        ``%2F``), following redirects."""
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def shutdown_kernel_of(self, html: str) -> None:
        """Shut down the kernel a page fetched without a browser was given (as closing its tab would)."""
        kid = kernel_id(html)
        if kid:
            self.get(f"voila/api/shutdown/{kid}", method="POST", data=b"")


def _die_with_parent() -> None:
    """In the server's process (before exec): have Linux send it SIGTERM when the test process dies,
    so a killed test run leaves no server behind (its kernels follow: ipykernel exits when its
    parent goes)."""
    with contextlib.suppress(Exception):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def kernel_id(html: str) -> str | None:
    """The kernel id Voila writes into a dashboard page."""
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', html)
    return m.group(1) if m else None


@contextlib.contextmanager
def running(server: VoilaServer):
    server.start()
    try:
        yield server
    finally:
        server.stop()


# =================================================================================================
# Chromium through Playwright's async API, in a thread of its own
# =================================================================================================


def run_async(coro: Awaitable[Any]) -> Any:
    """Run a coroutine to completion in a thread of its own (with its own event loop), so it works even
    when another test's sync Playwright has left an event loop running in this thread."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            out["error"] = exc

    t = threading.Thread(target=target, name="async-probe", daemon=True)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def run_in_browser(work: Callable[[Any], Awaitable[Any]], timeout_s: float = 180) -> Any:
    """Launch Chromium, run ``await work(browser)`` in a fresh thread and event loop, close Chromium.

    Bounded: the work is cancelled after ``timeout_s``; the thread is given 30 s more to close."""
    chromium = require_program("chromium", "chromium")
    out: dict[str, Any] = {}

    async def main() -> Any:
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                return await asyncio.wait_for(work(browser), timeout_s)
            finally:
                await browser.close()

    def target() -> None:
        try:
            out["value"] = asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            out["error"] = exc

    t = threading.Thread(target=target, name="playwright", daemon=True)
    t.start()
    t.join(timeout_s + 30)
    if t.is_alive():
        pytest.fail(f"the browser did not finish within {timeout_s + 30} s")
    if "error" in out:
        raise out["error"]
    return out.get("value")


async def rendered(page, plots: int = 1, timeout_s: float = 120) -> None:
    await page.wait_for_function(READY_JS, arg=plots, polling=100, timeout=timeout_s * 1000)


#: Each condition of READY_JS, met or not, with what the page shows (for a page that never got ready).
READY_STATE_JS = """() => {
  const rc = document.getElementById('rendered_cells');
  const plots = rc ? [...rc.querySelectorAll('.js-plotly-plot')] : [];
  const text = (sel) => [...document.querySelectorAll(sel)].map(e => e.innerText.trim()).filter(t => t)
    .join(' | ').slice(0, 300);
  return {spinner_gone: !document.getElementById('loading'),
    rendered_cells_shown: !!rc && rc.style.display !== 'none',
    unrendered_outputs: document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]').length,
    plots: plots.length, plots_without_svg: plots.filter(p => !p.querySelector('svg.main-svg')).length,
    widget_views: rc ? rc.querySelectorAll('.jupyter-widgets, .widget-vbox').length : 0,
    dd_error: text('.dd-error'), updating: text('.dd-mc-updating'), status: text('.dd-status'),
    loading_text: text('#loading'), page_text: (document.body ? document.body.innerText : '').trim().slice(0, 300)};
}"""
#: Server log lines that tell of a kernel, its websocket or its output going wrong.
LOG_TROUBLE = re.compile(
    r"error|warn|traceback|timeout|timed out|cull|restart|died|dead|websocket|nudge", re.IGNORECASE
)
LOG_NOISE = re.compile(r"is not trusted|Adapting from protocol")


async def why_not_ready(page, screenshot: Path) -> dict[str, Any]:
    """What a page that never got ready shows: each READY_JS condition and the page's own messages
    (``.dd-error``, the "updating" marker, the status line, Voila's spinner text), with a screenshot
    saved to ``screenshot``. Never raises (a closed or crashed page says so)."""
    out: dict[str, Any] = {}
    try:
        out.update(await page.evaluate(READY_STATE_JS))
    except Exception as exc:  # noqa: BLE001 - a diagnosis must not hide the failure it explains
        out["state_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    try:
        await page.screenshot(path=str(screenshot), full_page=True, timeout=30_000)
        out["screenshot"] = str(screenshot)
    except Exception as exc:  # noqa: BLE001
        out["screenshot_error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return out


class PageWatch:
    """What a page's browser side did, for the message of a page that never got ready: its console
    warnings and errors (the last ``keep``), and its kernel websocket's life (seconds after ``t0``)
    with the Jupyter messages sent and received on it, counted by type (comm messages by method)."""

    MSG = re.compile(rb'"msg_type":\s*"(\w+)"')
    METHOD = re.compile(rb'"method":\s*"(\w+)"')

    def __init__(self, page, t0: float, keep: int = 8):
        self.t0, self.keep = t0, keep
        self.console: list[str] = []
        self.sockets: list[dict[str, Any]] = []
        page.on("console", self._console)
        page.on("websocket", self._socket)

    def _now(self) -> float:
        return round(time.monotonic() - self.t0, 1)

    def _console(self, msg: Any) -> None:
        if msg.type in ("error", "warning"):
            self.console = [*self.console, f"{self._now()} s {msg.type}: {msg.text[:200]}"][-self.keep :]

    def _socket(self, ws: Any) -> None:
        info: dict[str, Any] = {"url": ws.url.split("?")[0][-60:], "opened": self._now(), "sent": {}, "received": {}}
        self.sockets.append(info)

        def count(where: str, payload: Any) -> None:
            data = payload.encode() if isinstance(payload, str) else bytes(payload)
            for kind in [m.decode() for m in self.MSG.findall(data)[:1]] + [
                f"comm:{m.decode()}" for m in self.METHOD.findall(data)[:1]
            ]:
                info[where][kind] = info[where].get(kind, 0) + 1

        ws.on("framesent", lambda p: count("sent", p))
        ws.on("framereceived", lambda p: count("received", p))
        ws.on("close", lambda _ws: info.update(closed=self._now()))

    def report(self) -> dict[str, Any]:
        return {"console": self.console, "sockets": self.sockets}


def log_trouble(log: str, kernels: list[str] | tuple[str, ...] = (), tail: int = 25) -> str:
    """The last ``tail`` lines of a server log that speak of errors, warnings, timeouts, culling or
    websockets, plus every line naming one of ``kernels`` (ids), in log order (Voila's routine
    "not trusted" and protocol notes left out)."""
    lines = log.splitlines()
    named = {i for i, ln in enumerate(lines) if any(k and k in ln for k in kernels) and not LOG_NOISE.search(ln)}
    trouble = [i for i, ln in enumerate(lines) if LOG_TROUBLE.search(ln) and not LOG_NOISE.search(ln)][-tail:]
    return "\n".join(lines[i][:300] for i in sorted(named | set(trouble)))


def assert_no_leak(text: str, where: str, echo: bool = False) -> None:
    """No traceback and no server file path in what a viewer sees. With ``echo`` (an error answer
    to a request for a path, which may repeat the path asked for) only paths the client could not
    have written are looked for: the repository, the Python environment."""
    assert not TRACEBACK.search(text), f"{where}: a traceback is shown:\n{text[:2000]}"
    needles = [str(REPO), sys.prefix, "site-packages"] + ([] if echo else ["/work/", "/tmp/", "/home/"])
    for needle in needles:
        assert needle not in text, f"{where}: a server path ({needle!r}) is shown:\n{text[:2000]}"
    if not echo:
        assert not re.search(r"\.py\b", text), f"{where}: a Python file name is shown:\n{text[:2000]}"


# =================================================================================================
# fixtures
# =================================================================================================


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboards exactly as ``make dashboards`` serves them (its own port and result cache)."""
    with running(VoilaServer(tmp_path_factory.mktemp("voila-security"))) as s:
        s.wait_settled(pool_total())
        yield s


# =================================================================================================
# 1. the page holds no code
# =================================================================================================


def _code_lines() -> dict[str, list[str]]:
    """Every non-blank line of every code cell of every dashboard notebook."""
    out = {}
    for nb_path in sorted(DASHBOARDS.glob("*.ipynb")):
        nb = json.loads(nb_path.read_text())
        lines = []
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                lines += [ln.strip() for ln in src.splitlines() if len(ln.strip()) >= 8]
        out[nb_path.name] = lines
    return out


def _assert_no_code(page_text: str, notebook: str, where: str) -> None:
    import html as html_mod

    lines = _code_lines()[notebook]
    assert lines, f"{notebook} has no code to look for"
    for ln in lines:
        for form in {ln, html_mod.escape(ln), html_mod.escape(ln, quote=False), json.dumps(ln)[1:-1]}:
            assert form not in page_text, f"{where}: code of {notebook} is in the page: {ln!r}"
    for token in (
        "import ddanalysis",
        "from ddanalysis",
        "appraisal_dashboard(",
        "programme_dashboard(",
        "dashboard.show(",
        '"source":',
    ):
        assert token not in page_text, f"{where}: {token!r} is in the page"


@pytest.mark.parametrize(
    "path, notebook",
    [
        ("voila/render/appraisal.ipynb?project=walsall-college", "appraisal.ipynb"),
        ("voila/render/programme.ipynb", "programme.ipynb"),
    ],
)
def test_page_source_holds_no_notebook_code(server, path, notebook):
    status, html = server.get(path)
    try:
        assert status == 200
        assert kernel_id(html), "not a dashboard page: no kernel id in it"
        _assert_no_code(html, notebook, f"GET /{path}")
    finally:
        server.shutdown_kernel_of(html)


@pytest.mark.browser
@pytest.mark.slow
def test_rendered_page_holds_no_notebook_code(server):
    async def work(browser):
        page = await browser.new_page()
        await page.goto(
            server.url + "voila/render/appraisal.ipynb?project=kirklees-open-spaces",
            wait_until="commit",
            timeout=NAVIGATION_TIMEOUT_MS,
        )
        await rendered(page)
        dom = await page.content()
        text = await page.inner_text("body")
        await page.close(run_before_unload=True)
        return dom, text

    dom, text = run_in_browser(work)
    _assert_no_code(dom, "appraisal.ipynb", "rendered DOM")
    assert "Open spaces" in text  # the page did render the requested project
    assert_no_leak(text, "rendered page")


# =================================================================================================
# 2. the kernel cannot be driven
# =================================================================================================

JUPYTER_APIS = [
    "api/kernels",
    "api/kernels/",
    "api/contents",
    "api/contents/appraisal.ipynb",
    "api/sessions",
    "api/terminals",
    "api/kernelspecs",
    "api/nbconvert",
    "api/config/notebook",
    "api/status",
    "api/me",
    "lab",
    "lab/tree/appraisal.ipynb",
    "tree",
    "notebooks/appraisal.ipynb",
    "edit/voila.json",
    "terminals/1",
    "files/voila.json",
    "view/voila.json",
]


@pytest.mark.parametrize("path", JUPYTER_APIS)
def test_jupyter_apis_are_not_served(server, path):
    for method, data in (("GET", None), ("POST", b"{}"), ("PUT", b"{}")):
        status, body = server.get(
            path, method=method, data=data, headers={"Content-Type": "application/json"} if data else {}
        )
        assert status in (403, 404, 405), f"{method} /{path} -> {status}: {body[:300]}"


def test_the_notebook_list_gives_names_never_contents(server):
    """Voila's own contents API (it feeds the /voila/tree page) lists the dashboards; it never
    returns a notebook's content and never looks outside dashboards/."""
    status, body = server.get("voila/api/contents")
    assert status == 200
    listing = json.loads(body)
    names = {c["name"] for c in listing["content"]}
    assert {"appraisal.ipynb", "programme.ipynb"} <= names
    assert "voila.json" not in names  # only notebooks and folders are listed
    for path in ("voila/api/contents/appraisal.ipynb", "voila/api/contents/appraisal.ipynb?content=1&format=text"):
        status, body = server.get(path)
        assert status in (200, 400), (path, status)
        if status == 200:
            assert json.loads(body)["content"] is None, f"{path} returned the notebook"
        assert "appraisal_dashboard" not in body
    for path in (
        "voila/api/contents/..",
        "voila/api/contents/..%2Fdata",
        "voila/api/contents/..%2Fpyproject.toml",
        "voila/api/contents/%2Fetc",
        "voila/api/contents/%2e%2e%2Fddanalysis",
        "voila/api/contents/voila.json",
        "voila/tree/..",
        "voila/tree/..%2Fnotebooks",
    ):
        status, body = server.get(path)
        assert status in (403, 404), (path, status, body[:300])
        assert "[build-system]" not in body and "councils.csv" not in body and "config.py" not in body


_WS_PROBE_JS = """async ([kid, code, channel]) => {
  const ws = new WebSocket(`ws://${location.host}/api/kernels/${kid}/channels?session_id=probe-${Date.now()}`);
  await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = () => bad(new Error('websocket refused')); });
  const seen = [];
  ws.onmessage = (e) => {
    if (typeof e.data !== 'string') { seen.push({type: 'binary'}); return; }
    const m = JSON.parse(e.data);
    seen.push({type: m.header.msg_type, parent: (m.parent_header || {}).msg_id || null, channel: m.channel,
               content: JSON.stringify(m.content).slice(0, 400)});
  };
  const mk = (type, content, ch) => ({header: {msg_id: type + '-' + Math.random().toString(16).slice(2),
      username: 'viewer', session: 'probe', msg_type: type, version: '5.3', date: new Date().toISOString()},
      parent_header: {}, metadata: {}, channel: ch, content});
  const exec = mk('execute_request', {code, silent: false, store_history: false, user_expressions: {},
                                      allow_stdin: false, stop_on_error: true}, channel);
  const info = mk('kernel_info_request', {}, 'shell');
  ws.send(JSON.stringify(exec));
  ws.send(JSON.stringify(info));  // answered after the execute_request would have been (one shell queue)
  const t0 = Date.now();
  while (Date.now() - t0 < 20000 && !seen.some(m => m.parent === info.header.msg_id && m.type === 'kernel_info_reply'))
    await new Promise(r => setTimeout(r, 100));
  await new Promise(r => setTimeout(r, 2000));
  ws.close();
  return {exec: exec.header.msg_id, info: info.header.msg_id, seen};
}"""


def _probe_code(marker: Path) -> str:
    return f"open({str(marker)!r}, 'w').write('ran'); print('DD-PROBE-' + 'EXECUTED')"


@pytest.mark.browser
@pytest.mark.slow
def test_a_browser_cannot_run_code_in_its_kernel(server, tmp_path):
    """The page's own kernel, from the page's own origin (what any viewer can do in the browser's
    developer tools): an execute_request is dropped by the server; the kernel still answers a
    kernel_info_request sent after it, so the channel worked and the request had its turn."""
    markers = {ch: tmp_path / f"executed-{ch}" for ch in ("shell", "control")}

    async def work(browser):
        page = await browser.new_page()
        await page.goto(
            server.url + "voila/render/appraisal.ipynb?project=walsall-college",
            wait_until="commit",
            timeout=NAVIGATION_TIMEOUT_MS,
        )
        await rendered(page)
        kid = kernel_id(await page.content())
        results = {}
        for ch, marker in markers.items():
            results[ch] = await page.evaluate(_WS_PROBE_JS, [kid, _probe_code(marker), ch])
        still = await page.evaluate(READY_JS, 1)
        await page.close(run_before_unload=True)
        return kid, results, still

    kid, results, still = run_in_browser(work)
    assert kid
    for ch, res in results.items():
        types = [m["type"] for m in res["seen"]]
        assert any(m["type"] == "kernel_info_reply" and m["parent"] == res["info"] for m in res["seen"]), (
            f"control request not answered, the probe proves nothing: {types}"
        )
        ran = [m for m in res["seen"] if m.get("parent") == res["exec"]]
        assert not ran, f"CODE EXECUTION: the kernel answered an execute_request on {ch}: {ran}"
        assert not any("DD-PROBE-EXECUTED" in (m.get("content") or "") for m in res["seen"])
        assert not markers[ch].exists(), f"CODE EXECUTION: the probe wrote {markers[ch]}"
    assert still, "the dashboard stopped working after the probe"
    assert re.search(r'message of type "execute_request".*not allowed', server.log())  # dropped by the server


def _v1_frame(channel: str, msg_type: str, content: dict, msg_id: str) -> bytes:
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    header = {
        "msg_id": msg_id,
        "username": "viewer",
        "session": uuid.uuid4().hex,
        "msg_type": msg_type,
        "version": "5.3",
        "date": "",
    }
    parts = [json.dumps(x).encode() for x in (header, {}, {}, content)]
    return serialize_msg_to_ws_v1(parts, channel)


def test_the_binary_websocket_protocol_cannot_run_code_either(server, tmp_path):
    """Same probe over the v1 (binary) kernel websocket protocol, on every channel, from Python."""
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    status, html = server.get("voila/render/appraisal.ipynb?project=walsall-college")
    kid = kernel_id(html)
    assert status == 200 and kid
    marker = tmp_path / "executed-v1"
    code = _probe_code(marker)

    async def probe() -> tuple[list[tuple[str, str, str]], str, list[str]]:
        url = f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
        ws = await websocket_connect(
            HTTPRequest(url, headers={"Origin": server.url.rstrip("/")}),
            subprotocols=["v1.kernel.websocket.jupyter.org"],
        )
        assert ws.selected_subprotocol == "v1.kernel.websocket.jupyter.org"
        execs = []
        for ch in ("shell", "control", "iopub", "stdin"):
            mid = f"exec-{ch}-{uuid.uuid4().hex}"
            execs.append(mid)
            await ws.write_message(
                _v1_frame(
                    ch,
                    "execute_request",
                    {
                        "code": code,
                        "silent": False,
                        "store_history": False,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    mid,
                ),
                binary=True,
            )
        info = f"info-{uuid.uuid4().hex}"
        await ws.write_message(_v1_frame("shell", "kernel_info_request", {}, info), binary=True)
        seen: list[tuple[str, str, str]] = []
        loop = asyncio.get_running_loop()
        end = loop.time() + 20
        got_info_at = None
        while loop.time() < end and (got_info_at is None or loop.time() < got_info_at + 2):
            try:
                m = await asyncio.wait_for(ws.read_message(), 1)
            except asyncio.TimeoutError:
                continue
            if m is None:
                break
            channel, parts = deserialize_msg_from_ws_v1(m)
            header, parent = json.loads(parts[0]), json.loads(parts[1])
            seen.append((header["msg_type"], parent.get("msg_id", ""), parts[3].decode(errors="replace")[:300]))
            if header["msg_type"] == "kernel_info_reply" and parent.get("msg_id") == info and got_info_at is None:
                got_info_at = loop.time()
        ws.close()
        return seen, info, execs

    try:
        seen, info, execs = run_async(asyncio.wait_for(probe(), 60))
    finally:
        server.shutdown_kernel_of(html)
    assert any(t == "kernel_info_reply" and p == info for t, p, _ in seen), f"no control reply: {seen}"
    ran = [s for s in seen if s[1] in execs or "DD-PROBE-EXECUTED" in s[2]]
    assert not ran, f"CODE EXECUTION over the v1 protocol: {ran}"
    assert not marker.exists(), f"CODE EXECUTION: the probe wrote {marker}"


def test_other_websites_cannot_open_a_kernel_channel(server):
    """A page on another origin (any website the official has open) is refused the kernel websocket."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    status, html = server.get("voila/render/programme.ipynb")
    kid = kernel_id(html)
    assert status == 200 and kid

    async def connect(origin: str):
        url = f"ws://127.0.0.1:{server.port}/api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
        ws = await websocket_connect(HTTPRequest(url, headers={"Origin": origin}))
        ws.close()

    try:
        run_async(asyncio.wait_for(connect(f"http://127.0.0.1:{server.port}"), 30))  # same origin: allowed
        for origin in ("http://evil.example", f"http://evil.example:{server.port}", "null"):
            with pytest.raises(HTTPClientError) as err:
                run_async(asyncio.wait_for(connect(origin), 30))
            assert err.value.code == 403, origin
    finally:
        server.shutdown_kernel_of(html)


# =================================================================================================
# 3. files: nothing outside the dashboards' allowed static types
# =================================================================================================


@pytest.fixture(scope="module")
def outside_png(tmp_path_factory) -> Path:
    """A file of an allowed type (.png) outside dashboards/, with content we can recognise."""
    p = tmp_path_factory.mktemp("outside") / "sentinel.png"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"DD-SENTINEL-" + uuid.uuid4().hex.encode())
    return p


def _traversals(target: str) -> list[str]:
    """``target`` (a path relative to dashboards/) written the ways a client might try."""
    slash = target.replace("/", "%2F")
    return [
        target,
        slash,
        target.replace("..", "%2e%2e"),
        slash.replace("..", "%2e%2e"),
        target.replace("..", "%252e%252e"),
        slash.replace("%2F", "%252F"),
        target.replace("../", "..%5C"),
        target.replace("../", "....//"),
        "./" + target,
        target.replace("../", ".%2e/"),
    ]


#: Files a viewer must not get, with text that only that file holds.
def _secrets() -> dict[str, str]:
    readme = next(ln for ln in (REPO / "README.md").read_text().splitlines() if ln.strip())
    councils = (REPO / "data" / "councils.csv").read_text().splitlines()[0]
    return {
        "../pyproject.toml": "[build-system]",
        "../README.md": readme,
        "../ddanalysis/config.py": "DDANALYSIS_DATA",
        "../data/councils.csv": councils,
        "../data/projects/programme.yaml": "walsall-college",
        "appraisal.ipynb": "appraisal_dashboard",
        "voila.json": "kernel_pools_config",
        "jupyter/voila/templates/ddlab/conf.json": "base_template",
    }


def _check_not_served(server: VoilaServer, path: str, secret: str) -> None:
    status, body = server.get(path)
    assert status >= 400, f"/{path} -> {status}: served {body[:200]!r}"
    assert secret not in body, f"/{path} -> {status} returned the file"
    assert_no_leak(body, f"/{path}", echo=True)


def test_no_repository_file_outside_the_allowed_types_can_be_fetched(server):
    checked = 0
    for target, secret in _secrets().items():
        for prefix in (
            "voila/files/",
            "voila/static/",
            "voila/templates/ddlab/static/",
            "voila/labextensions/",
            "voila/render/",
            "voila/tree/",
            "voila/api/themes/",
        ):
            if prefix in ("voila/render/", "voila/tree/") and not target.startswith("../"):
                continue  # rendering the dashboards themselves is the point; their code is checked above
            depth = "../" * (prefix.count("/") - 1)  # enough ../ to climb out of any of these roots too
            for t in {target, depth + target}:
                for path in _traversals(t):
                    _check_not_served(server, prefix + path, secret)
                    checked += 1
    print(f"\n[security] {checked} file requests refused")


def test_data_folder_is_not_served(server):
    """Decision: data/ is not served. Viewers get the figures through the dashboards and the Excel
    download; the raw files (a council's own baseline, once loaded) never leave the server."""
    header = (REPO / "data" / "councils.csv").read_text().splitlines()[0]
    for path in (
        "voila/files/data/councils.csv",
        "voila/files/..%2Fdata%2Fcouncils.csv",
        "voila/files/../data/councils.csv",
        "data/councils.csv",
        "voila/data/councils.csv",
        "voila/files/%2e%2e/data/councils.csv",
    ):
        _check_not_served(server, path, header)


def test_an_allowed_type_outside_dashboards_is_not_served(server, outside_png):
    """A .png (a type the allowlist admits) outside dashboards/: refused by every route and spelling."""
    secret = outside_png.read_bytes()[8:].decode()
    rel = os.path.relpath(outside_png, DASHBOARDS)
    assert rel.startswith("..")
    paths = [
        *_traversals(rel),
        urllib.parse.quote(str(outside_png), safe=""),
        str(outside_png).lstrip("/"),
        "/" + str(outside_png).lstrip("/"),
        "%2F" + urllib.parse.quote(str(outside_png).lstrip("/"), safe=""),
    ]
    for prefix in ("voila/files/", "voila/static/", "voila/templates/ddlab/static/", "voila/labextensions/"):
        for p in paths:
            _check_not_served(server, prefix + p, secret)
    # the allowlist itself is in force: a missing .png is 404 (looked for), a .csv next to it 403 (refused)
    assert server.get("voila/files/no-such-image.png")[0] == 404
    assert server.get("voila/files/no-such-table.csv")[0] == 403


def test_analyst_notebooks_outside_dashboards_are_never_rendered(server):
    """Rendering a notebook runs it: only dashboards/ may be rendered."""
    outside = sorted((REPO / "notebooks").glob("*.ipynb"))
    if not outside:
        pytest.skip("no notebooks/ folder to try")
    name = outside[0].name
    for path in _traversals(f"../notebooks/{name}") + [urllib.parse.quote(str(outside[0]), safe="")]:
        status, body = server.get("voila/render/" + path)
        assert status in (403, 404), f"/voila/render/{path} -> {status}"
        assert_no_leak(body, f"/voila/render/{path}", echo=True)
    time.sleep(1)
    # Voila starts a notebook's kernel in the notebook's folder: none runs in notebooks/
    folders = set()
    for k in server.kernels():
        with contextlib.suppress(psutil.Error):
            folders.add(Path(k.cwd()).resolve())
    assert folders and (REPO / "notebooks").resolve() not in folders, folders


# =================================================================================================
# 4. errors: friendly, no traceback, no file path
# =================================================================================================


@pytest.mark.browser
@pytest.mark.slow
def test_a_wrong_project_is_friendly_and_shows_no_internals(server):
    xss = '<img src=x onerror="window.__dd_xss=1">'
    urls = {
        "unknown": "voila/render/appraisal.ipynb?project=no-such-project",
        "traversal": "voila/render/appraisal.ipynb?project=" + urllib.parse.quote("../../etc/passwd"),
        "html": "voila/render/appraisal.ipynb?project=" + urllib.parse.quote(xss),
        "bad scenario": "voila/render/appraisal.ipynb?project=walsall-college&scenario="
        + urllib.parse.quote("<script>window.__dd_xss=2</script>")
        + "&perspective=%00",
    }

    async def one(browser, key, url):
        page = await browser.new_page()
        try:
            await page.goto(server.url + url, wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS)
            if key == "bad scenario":
                await rendered(page)
            else:
                await page.wait_for_selector(".dd-error", timeout=120_000)
            await page.wait_for_timeout(500)
            return {
                "text": await page.inner_text("body"),
                "error": await page.inner_text(".dd-error") if key != "bad scenario" else "",
                "status": await page.inner_text(".dd-status") if key == "bad scenario" else "",
                "xss": await page.evaluate("() => window.__dd_xss === undefined ? null : window.__dd_xss"),
                "img": await page.locator("#rendered_cells img[src='x']").count(),
            }
        finally:
            await page.close(run_before_unload=True)

    async def work(browser):
        return {k: await one(browser, k, u) for k, u in urls.items()}

    seen = run_in_browser(work, timeout_s=300)
    ids = registry.project_ids()
    for key, s in seen.items():
        assert s["xss"] is None and s["img"] == 0, f"{key}: HTML from the URL was run: {s}"
        assert_no_leak(s["text"], f"?{key}")
        assert "root:" not in s["text"]  # /etc/passwd was not read
    assert "There is no project called 'no-such-project'" in seen["unknown"]["error"]
    assert all(pid in seen["unknown"]["error"] for pid in ids)  # the list of valid projects
    assert "There is no project called '../../etc/passwd'" in seen["traversal"]["error"]
    assert f"There is no project called '{xss}'" in seen["html"]["error"]  # shown as text
    assert "Unknown scenario '<script>window.__dd_xss=2</script>', showing 'central'" in seen["bad scenario"]["status"]


@pytest.fixture(scope="module")
def broken_servers(tmp_path_factory):
    """Two servers on broken copies of data/ (DDANALYSIS_DATA), started together:
    ``baseline``: one project's baseline CSV has the wrong columns (the dashboard's own error path);
    ``nodata``: the data folder is empty (every notebook fails in its first cell: Voila's error path)."""
    base = tmp_path_factory.mktemp("voila-broken")
    data = base / "data"
    shutil.copytree(REPO / "data", data)
    (data / "projects" / "dover-museum-tourism" / "baseline.csv").write_text("this,is,not\na,baseline,file\n")
    empty = base / "empty-data"
    empty.mkdir()
    servers = {
        "baseline": VoilaServer(base / "baseline", env={"DDANALYSIS_DATA": str(data)}),
        "nodata": VoilaServer(base / "nodata", env={"DDANALYSIS_DATA": str(empty)}),
    }
    try:
        for s in servers.values():
            s.start()
        for s in servers.values():
            s.wait_settled(pool_total())
        yield servers
    finally:
        for s in servers.values():
            s.stop()


async def _visit(browser, url: str) -> dict[str, Any]:
    """Open ``url``, wait until Voila has finished (spinner gone, cells shown), read what the viewer sees."""
    page = await browser.new_page()
    try:
        await page.goto(url, wait_until="commit", timeout=NAVIGATION_TIMEOUT_MS)
        await page.wait_for_function(
            "() => !document.getElementById('loading') && "
            "document.getElementById('rendered_cells') && "
            "!document.querySelector('script[type=\"application/vnd.voila.cell-output+json\"]')",
            timeout=120_000,
        )
        with contextlib.suppress(Exception):  # the dashboard's own message, when it gives one
            await page.wait_for_selector(".dd-error", timeout=15_000)
        await page.wait_for_timeout(1000)
        errors = page.locator(".dd-error")
        return {
            "text": await page.inner_text("body"),
            "dom": await page.content(),
            "message": await errors.first.inner_text() if await errors.count() else "",
            "stderr": await page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count(),
        }
    finally:
        await page.close(run_before_unload=True)


@pytest.fixture(scope="module")
def broken_views(broken_servers) -> dict[str, dict[str, Any]]:
    """What a viewer sees on the broken servers (each page visited once, shared by the tests below)."""
    pages = {
        "baseline": (broken_servers["baseline"], "voila/render/appraisal.ipynb?project=dover-museum-tourism"),
        "nodata appraisal": (broken_servers["nodata"], "voila/render/appraisal.ipynb?project=walsall-college"),
        "nodata programme": (broken_servers["nodata"], "voila/render/programme.ipynb"),
    }

    async def work(browser):
        return {k: await _visit(browser, s.url + u) for k, (s, u) in pages.items()}

    seen = run_in_browser(work, timeout_s=400)
    for k, v in seen.items():
        print(f"\n[security] {k}: the viewer sees {' '.join(v['text'].split())[:400]!r}")
    return seen


def _no_traceback_no_path(view: dict[str, Any], server: VoilaServer, where: str) -> None:
    for what in (view["text"], view["dom"]):
        assert not re.search(r"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|\x1b\[", what), (
            f"{where}: a traceback is in the page"
        )
    assert view["stderr"] == 0, f"{where}: error output is shown"
    for path in (str(REPO), server.env["DDANALYSIS_DATA"], sys.prefix):
        assert path not in view["dom"], f"{where}: the server path {path} is in the page"


@pytest.mark.browser
@pytest.mark.slow
def test_broken_data_shows_a_friendly_message_and_no_traceback(broken_servers, broken_views):
    s, view = broken_servers["baseline"], broken_views["baseline"]
    assert "could not be shown" in view["message"], view["text"][:1000]
    assert "dover-museum-tourism" in view["message"]  # it says which file is at fault
    _no_traceback_no_path(view, s, "broken baseline")
    # the detail went to the server's log, for the analyst
    assert "dover-museum-tourism/baseline.csv" in s.log() and "Traceback" in s.log()


@pytest.mark.browser
@pytest.mark.slow
def test_broken_data_message_names_no_server_path(broken_servers, broken_views):
    """The message names the file at fault from the data folder (``data/projects/x/baseline.csv``), never by
    its path on the server (which gives away the folder layout and the account)."""
    s, view = broken_servers["baseline"], broken_views["baseline"]
    assert "data/projects/dover-museum-tourism/baseline.csv" in view["message"]
    _no_traceback_no_path(view, s, "broken baseline")
    assert_no_leak(view["text"], "broken baseline")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("which", ["nodata appraisal", "nodata programme"])
def test_a_notebook_that_fails_outright_shows_no_traceback_or_path(broken_servers, broken_views, which):
    """No data at all: loading fails before any page exists. The page holds no traceback and no
    path (neither the dashboard's message nor Voila's, ``show_tracebacks: false``); the detail goes
    to the server log only."""
    s, view = broken_servers["nodata"], broken_views[which]
    assert view["text"].strip(), "blank page"
    _no_traceback_no_path(view, s, which)
    assert "Traceback" in s.log()


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("which", ["nodata appraisal", "nodata programme"])
def test_a_notebook_that_fails_outright_shows_the_friendly_message(broken_views, which):
    """Not Voila's developer message ("run Voila with --show_tracebacks=True"), the dashboard's own."""
    view = broken_views[which]
    assert "show_tracebacks" not in view["text"] and "error when executing" not in view["text"].lower()
    assert "could not be shown" in view["message"], "no friendly message (.dd-error)"
    assert "data/assumptions" in view["message"]  # which part of the data is missing, named from the data folder


# =================================================================================================
# 5. the Host header: DNS rebinding cannot read the dashboards or the download
# =================================================================================================
# A hostile page at http://evil.example:PORT/ that rebinds evil.example to 127.0.0.1 makes the
# browser send ``Host: evil.example:PORT`` (and ``Origin: http://evil.example:PORT``: same origin,
# so Origin checks pass). Only the Host check stops it. The Excel download is built in the viewer's
# kernel and reaches the page over the kernel's websocket, so refusing the page, the websocket and
# Voila's kernel API refuses the download too.

PROXY_HOST = "dashboards.council.example"


def _ws_status(server: VoilaServer, kid: str, host: str, origin: str) -> int | str:
    """``"open"`` when the kernel websocket opens with this Host and Origin, else the HTTP status."""
    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    async def connect():
        url = f"{server.url.replace('http://', 'ws://')}api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
        try:
            ws = await websocket_connect(HTTPRequest(url, headers={"Host": host, "Origin": origin}))
        except HTTPClientError as err:
            return err.code
        ws.close()
        return "open"

    return run_async(asyncio.wait_for(connect(), 30))


def test_a_foreign_host_header_is_refused_everywhere(server):
    """``Host: evil.example`` (with and without the port): 403 for the pages, the notebook list, the
    kernel websocket (where the Excel download travels) and Voila's kernel API."""
    status, html = server.get("voila/render/programme.ipynb")
    kid = kernel_id(html)
    assert status == 200 and kid
    try:
        for host in (
            "evil.example",
            f"evil.example:{server.port}",
            f"{PROXY_HOST}:{server.port}",
            "127.0.0.1.evil.example",
            "localhost.evil.example",
            "10.0.0.1",
        ):
            for path in (
                "voila/render/appraisal.ipynb?project=walsall-college",
                "voila/render/programme.ipynb",
                "voila/tree",
                "voila/api/contents",
                "",
            ):
                code, body = server.get(path, headers={"Host": host})
                assert code == 403, f"Host {host}: /{path} -> {code}"
                assert "kernelId" not in body and "walsall" not in body.lower()
            assert _ws_status(server, kid, host, f"http://{host}") == 403, host
            assert server.get(f"voila/api/shutdown/{kid}", method="POST", data=b"", headers={"Host": host})[0] == 403
        assert "Blocking request with non-local 'Host'" in server.log()
    finally:
        server.shutdown_kernel_of(html)


def test_loopback_host_headers_are_served(server):
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "localhost", f"[::1]:{server.port}"):
        status, html = server.get("voila/render/programme.ipynb", headers={"Host": host})
        try:
            assert status == 200 and kernel_id(html), host
            assert _ws_status(server, kernel_id(html), host, f"http://{host}") == "open", host
        finally:
            server.shutdown_kernel_of(html)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """The deployment recipe: ``serve --allow-host NAME -- --Voila.base_url=/dd/`` behind a proxy that
    forwards ``Host: NAME`` (nginx ``proxy_set_header Host $host``). The proxy's name also comes from
    ``DDANALYSIS_ALLOWED_HOSTS``. No preheated kernels (pages render on request)."""
    s = VoilaServer(
        tmp_path_factory.mktemp("voila-proxied"),
        extra=("--VoilaConfiguration.preheat_kernel=False", "--Voila.base_url=/dd/"),
        env={"DDANALYSIS_ALLOWED_HOSTS": f"other.example, {PROXY_HOST}"},
    )
    s.url = f"http://127.0.0.1:{s.port}/dd/"
    with running(s):
        yield s


def test_the_proxy_host_name_is_served_when_configured(server, proxied):
    assert server.get("voila/render/empty.ipynb", headers={"Host": PROXY_HOST})[0] == 403  # not by default
    status, html = proxied.get("voila/render/empty.ipynb", headers={"Host": PROXY_HOST})
    kid = kernel_id(html)
    try:
        assert status == 200 and kid
        # the browser's websocket through the proxy: Host is the proxy's name, Origin its https address
        assert _ws_status(proxied, kid, PROXY_HOST, f"https://{PROXY_HOST}") == "open"
        assert _ws_status(proxied, kid, "evil.example", "http://evil.example") == 403
        assert proxied.get("voila/render/empty.ipynb", headers={"Host": "evil.example"})[0] == 403
        assert "Host names served: loopback addresses, localhost, other.example, " + PROXY_HOST in proxied.log()
    finally:
        proxied.shutdown_kernel_of(html)


def test_allowed_host_names_are_validated():
    from ddanalysis.dashboard.serve import allowed_hosts, main

    assert allowed_hosts(["Dash.Council.GOV.uk."], env="a.example b.example,a.example") == [
        "localhost",
        "dash.council.gov.uk",
        "a.example",
        "b.example",
    ]
    for bad in ("10.0.0.1", "[::1]", "*.example", "https://x.example", "x.example:443", "x.example/dd", "a b"):
        with pytest.raises(ValueError):
            allowed_hosts([bad], env="")
    assert main(["--allow-host", "0.0.0.0", "--no-warm"]) == 2  # refused before anything starts
