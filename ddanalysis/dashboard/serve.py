"""Serve the dashboards with Voila on the loopback interface (``make dashboards``).

    python -m ddanalysis.dashboard.serve [DIR ...] [--port 8866] [--ip 127.0.0.1] [--no-warm]
                                         [--allow-host NAME ...] [-- extra voila options]

Each ``DIR`` is a workspace (``ddanalysis new``) served beside the bundled projects: checked here,
then named to the kernels in ``DDANALYSIS_WORKSPACES``; its page is ``appraisal.ipynb?project=<id>``
(the id in its project.yaml, never a path).

Reads ``dashboards/voila.json`` (kept in the repository): sources stripped, no tracebacks for
viewers, preheated kernels, idle kernels culled, plotly drawn offline by its mimetype renderer.
Voila's executor waits up to 120 s (``VoilaExecutor.iopub_timeout``; nbclient's default is 4 s) for
the rest of a cell's output after the cell's reply: a dashboard cell sends its widget updates first
and the page's ``display`` last, so on a busy server a shorter wait drops the page and the viewer
gets a blank dashboard for good.
Starts a low-priority background process that fills the shared result cache
(:mod:`ddanalysis.dashboard.warm`), so scenario and perspective changes are instant for viewers.
Binds to 127.0.0.1 unless told otherwise; see docs/deployment.md before serving beyond one machine.

The ``Host`` header of every request (pages, kernel websockets, the Excel download that travels over
them) is checked by the Jupyter server's own check (``allow_remote_access`` off): loopback
addresses and ``localhost`` are served, any other name gets 403, so a web page that rebinds its
own DNS name to 127.0.0.1 cannot read the dashboards. A reverse proxy that forwards its own host
name (nginx ``proxy_set_header Host $host``) names it with ``--allow-host NAME`` (repeatable) or
``DDANALYSIS_ALLOWED_HOSTS`` (comma-separated).
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .. import config, workspace
from ..errors import DDAnalysisError

DASHBOARDS = config.REPO_DIR / "dashboards"
#: Voila's lab template minus its Font Awesome CDN links (dashboards/jupyter/voila/templates/ddlab).
TEMPLATE = "ddlab"
#: plotly.js's finance partial bundle (bar, scatter and waterfall: every trace type the dashboards draw), in the
#: template's static folder: a copy of the file npm installs from package.json, made by ``make js-deps`` (the
#: server follows no link out of that folder). Pages whose notebook says it draws charts load it at once,
#: instead of the extension's full plotly.js on the first chart.
LIGHT_PLOTLY = Path("jupyter", "voila", "templates", TEMPLATE, "static", "plotly-finance.min.js")
#: Environment variable with extra host names to serve (comma- or space-separated).
HOSTS_ENV = "DDANALYSIS_ALLOWED_HOSTS"
#: Names served without configuration (loopback addresses are always served by Jupyter's check).
LOCAL_HOSTNAMES = ("localhost",)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)


def allowed_hosts(names: list[str] | None = None, env: str | None = None) -> list[str]:
    """``localhost`` plus the names given (``--allow-host``) and those in ``DDANALYSIS_ALLOWED_HOSTS``,
    lower-cased and checked: a host name (no port, no scheme, no wildcard). An IP address is refused:
    Jupyter's check serves loopback addresses and nothing else, whatever the list says."""
    raw = list(names or [])
    raw += re.split(r"[,\s]+", os.environ.get(HOSTS_ENV, "") if env is None else env)
    out = list(LOCAL_HOSTNAMES)
    for name in raw:
        name = name.strip().lower().rstrip(".")
        if not name:
            continue
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            pass
        else:
            raise ValueError(
                f"allowed host {name!r} is an IP address: only loopback addresses are served; "
                "give the proxy's host name"
            )
        if not _HOSTNAME.match(name):
            raise ValueError(f"allowed host {name!r} is not a host name (no scheme, port, path or wildcard)")
        if name not in out:
            out.append(name)
    return out


def host_settings(hosts: list[str]) -> dict[str, object]:
    """Tornado settings for Jupyter's Host header check (``JupyterHandler.check_host``)."""
    return {"allow_remote_access": False, "local_hostnames": list(hosts)}


def template_resources(root: Path) -> dict[str, str]:
    """What the ``ddlab`` template is told about the served folder ``root``: ``ddanalysis_plotly``, the file name
    of plotly.js's finance bundle in its static folder, when that is installed (otherwise nothing, and the
    charts are drawn with the jupyterlab-plotly extension's full plotly.js)."""
    light = root / LIGHT_PLOTLY
    return {"ddanalysis_plotly": light.name} if light.is_file() else {}


def voila_argv(root: Path, port: int, ip: str, extra: list[str]) -> list[str]:
    """The Voila command line (the rest of the settings come from ``<root>/voila.json``)."""
    resources = template_resources(root)
    return [
        "voila",
        str(root),
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--no-browser",
        f"--Voila.config_file_paths={root}",
        f"--template={TEMPLATE}",
        *([f"--VoilaConfiguration.resources={json.dumps(resources)}"] if resources else []),
        *extra,
    ]


def jupyter_path_with(root: Path) -> str:
    """``JUPYTER_PATH`` with the repository's template folder first (how Voila finds ``ddlab``)."""
    extra = str(root / "jupyter")
    current = os.environ.get("JUPYTER_PATH", "")
    return os.pathsep.join([extra] + ([current] if current else []))


def _rank_once() -> None:
    """Rank the assumptions for the what-if panel once, before any kernel starts, into the private
    result cache (plain JSON; about 10 s once per data version, instant afterwards), so the preheated
    kernels read it instead of each computing it."""
    import time

    t0 = time.perf_counter()
    try:
        from .store import ResultStore
        from .whatif import ranked_keys

        ranked_keys(ResultStore())
        print(
            f"[ddanalysis.dashboard] what-if impact ranking ready in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    except Exception as exc:  # noqa: BLE001 - kernels compute it themselves then
        print(
            f"[ddanalysis.dashboard] what-if impact ranking failed: {type(exc).__name__}: {exc}",
            file=sys.stderr,
            flush=True,
        )


def served_workspaces(folders: list[Path]) -> dict[str, Path]:
    """id -> resolved folder of each workspace to serve; a folder that is not a valid workspace, or two with
    the same id, is a :class:`DDAnalysisError` naming it."""
    out: dict[str, Path] = {}
    for folder in folders:
        pid = workspace.open_workspace(folder)
        if pid in out and out[pid] != Path(folder).resolve():
            raise DDAnalysisError(f"{folder}: id {pid!r} is also the id of {out[pid]}; give each workspace its own id")
        out[pid] = Path(folder).resolve()
    return out


def _parser() -> argparse.ArgumentParser:
    """The command line: port, interface, dashboards folder, warm-up, extra host names and workspace folders."""
    ap = argparse.ArgumentParser(prog="python -m ddanalysis.dashboard.serve", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8866)
    ap.add_argument("--ip", default="127.0.0.1", help="interface to bind (default loopback only)")
    ap.add_argument("--root", type=Path, default=DASHBOARDS, help="folder of dashboard notebooks and voila.json")
    ap.add_argument("--no-warm", action="store_true", help="do not pre-compute the result cache in the background")
    ap.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help=f"also serve requests whose Host is NAME (a reverse proxy's name; repeatable; "
        f"also {HOSTS_ENV}=a,b). Loopback addresses and localhost are always served",
    )
    ap.add_argument(
        "workspaces",
        nargs="*",
        type=Path,
        metavar="DIR",
        help="workspace folders to serve beside the bundled projects (by their ids)",
    )
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    cut = argv.index("--") if "--" in argv else len(argv)  # after '--': Voila's own options, never folders
    args, extra = ap.parse_known_args(argv[:cut])
    extra = extra + argv[cut + 1 :]
    try:
        served = served_workspaces(args.workspaces)
    except DDAnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        hosts = allowed_hosts(args.allow_host)
    except ValueError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    root = args.root.resolve()
    if not (root / "voila.json").is_file():
        print(f"{root}: no voila.json here; expected the repository's dashboards/ folder", file=sys.stderr)
        return 2
    _rank_once()
    warm = None
    if not args.no_warm:
        warm = subprocess.Popen(
            [sys.executable, "-m", "ddanalysis.dashboard.warm", "--parent", str(os.getpid())],
            preexec_fn=lambda: os.nice(10),
        )
    os.environ["JUPYTER_PATH"] = jupyter_path_with(root)
    if served:
        os.environ[workspace.WORKSPACES_ENV] = os.pathsep.join(str(p) for p in served.values())
    os.chdir(root)
    sys.argv = voila_argv(root, args.port, args.ip, extra)
    print(
        f"[ddanalysis.dashboard] serving {root} on http://{args.ip}:{args.port}/ "
        f"(programme: /voila/render/programme.ipynb, appraisal: /voila/render/appraisal.ipynb?project=...); "
        f"Host names served: loopback addresses, {', '.join(hosts)}",
        file=sys.stderr,
        flush=True,
    )
    try:
        from voila.app import Voila

        app = Voila.instance()
        app.initialize(sys.argv[1:])
        # Voila 0.5 turns Jupyter's Host check off (allow_remote_access=True); turn it back on, last,
        # so neither voila.json nor an extra option can leave it off
        app.tornado_settings = {**app.tornado_settings, **host_settings(hosts)}
        app.start()
    finally:
        if warm is not None and warm.poll() is None:
            warm.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
