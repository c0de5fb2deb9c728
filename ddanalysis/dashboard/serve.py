"""Serve the dashboards with Voila on the loopback interface (``make dashboards``).

    python -m ddanalysis.dashboard.serve [--port 8866] [--ip 127.0.0.1] [--no-warm] [-- extra voila options]

Reads ``dashboards/voila.json`` (kept in the repository): sources stripped, no tracebacks for
viewers, preheated kernels, idle kernels culled, plotly drawn offline by its mimetype renderer.
Starts a low-priority background process that fills the shared result cache
(:mod:`ddanalysis.dashboard.warm`), so scenario and perspective changes are instant for viewers.
Binds to 127.0.0.1 unless told otherwise; see docs/deployment.md before serving beyond one machine.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .. import config

DASHBOARDS = config.REPO_DIR / "dashboards"
#: Voila's lab template minus its Font Awesome CDN links (dashboards/jupyter/voila/templates/ddlab).
TEMPLATE = "ddlab"


def voila_argv(root: Path, port: int, ip: str, extra: list[str]) -> list[str]:
    """The Voila command line (the rest of the settings come from ``<root>/voila.json``)."""
    return ["voila", str(root), f"--port={port}", f"--Voila.ip={ip}", "--no-browser",
            f"--Voila.config_file_paths={root}", f"--template={TEMPLATE}", *extra]


def jupyter_path_with(root: Path) -> str:
    """``JUPYTER_PATH`` with the repository's template folder first (how Voila finds ``ddlab``)."""
    extra = str(root / "jupyter")
    current = os.environ.get("JUPYTER_PATH", "")
    return os.pathsep.join([extra] + ([current] if current else []))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m ddanalysis.dashboard.serve", description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8866)
    ap.add_argument("--ip", default="127.0.0.1", help="interface to bind (default loopback only)")
    ap.add_argument("--root", type=Path, default=DASHBOARDS, help="folder of dashboard notebooks and voila.json")
    ap.add_argument("--no-warm", action="store_true", help="do not pre-compute the result cache in the background")
    args, extra = ap.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    root = args.root.resolve()
    if not (root / "voila.json").is_file():
        print(f"{root}: no voila.json here; expected the repository's dashboards/ folder", file=sys.stderr)
        return 2
    warm = None
    if not args.no_warm:
        warm = subprocess.Popen([sys.executable, "-m", "ddanalysis.dashboard.warm", "--parent", str(os.getpid())],
                                preexec_fn=lambda: os.nice(10))
    os.environ["JUPYTER_PATH"] = jupyter_path_with(root)
    os.chdir(root)
    sys.argv = voila_argv(root, args.port, args.ip, extra)
    print(f"[ddanalysis.dashboard] serving {root} on http://{args.ip}:{args.port}/ "
          f"(programme: /voila/render/programme.ipynb, appraisal: /voila/render/appraisal.ipynb?project=...)",
          file=sys.stderr, flush=True)
    try:
        from voila.app import main as voila_main

        voila_main()
    finally:
        if warm is not None and warm.poll() is None:
            warm.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
