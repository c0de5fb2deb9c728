"""The appraisal dashboard's "Board paper (PDF)" download: the view on screen, printed by the CLI.

The paper is written by ``ddanalysis report PROJECT -o paper.pdf --scenario S --perspective P
--draws N --seed N [--ob-mitigation X] [--set KEY=VALUE ...]`` in a child process, never in the
viewer's kernel: the appraisal and Chromium's print run there, with a time limit
(:data:`TIMEOUT_S`), and their memory is released when the child exits. Every argument comes from a
checked :class:`~ddanalysis.dashboard.store.Key` (known ids, finite numbers already within their
bounds), passed as a list (no shell), so nothing a viewer types is run. The PDF is written into a
private temporary folder (``tempfile.mkdtemp``: mode 0700), read back and the folder removed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..errors import DDAnalysisError
from .common import server_log
from .store import Key

#: Longest a board paper may take (s): the appraisal with its Monte Carlo draws, then two Chromium
#: print passes (about 20-40 s on a loaded two-core machine).
TIMEOUT_S = 180


def report_argv(key: Key, output: Path) -> list[str]:
    """The ``ddanalysis report`` command line (as a list, for :func:`subprocess.run` without a shell)
    that writes the view ``key`` to ``output``: same draws and seed as the dashboard, so the paper's
    P10, P90 and chances equal the screen's; what-if values written with ``repr`` (read back exact)."""
    argv = [
        sys.executable,
        "-m",
        "ddanalysis",
        "report",
        key.project_id,
        "-o",
        str(output),
        "--scenario",
        key.scenario,
        "--perspective",
        key.perspective,
        "--draws",
        str(int(key.draws)),
        "--seed",
        str(int(key.seed)),
    ]
    if key.ob_mitigation is not None:
        argv += ["--ob-mitigation", repr(float(key.ob_mitigation))]
    for name, value in key.overrides:
        argv += ["--set", f"{name}={float(value)!r}"]
    return argv


def file_name(key: Key) -> str:
    """The download's name: ``ddanalysis_PROJECT_SCENARIO_PERSPECTIVE[_whatif]_paper.pdf``."""
    return f"ddanalysis_{key.project_id}_{key.scenario}_{key.perspective}{'_whatif' if key.overrides else ''}_paper.pdf"


def board_paper_pdf(key: Key, timeout_s: float = TIMEOUT_S) -> bytes:
    """The board paper of the view ``key`` as PDF bytes, written by ``ddanalysis report`` in a child process.

    Raises :class:`DDAnalysisError` when the command fails (its own one-line message, e.g. no
    Chromium installed) or takes longer than ``timeout_s`` seconds (the child is killed)."""
    folder = Path(tempfile.mkdtemp(prefix="ddanalysis-paper-"))
    try:
        out = folder / "paper.pdf"
        try:
            done = subprocess.run(
                report_argv(key, out), capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            raise DDAnalysisError(
                f"the board paper took longer than {timeout_s:.0f} s and was stopped; "
                "try again when the server is less busy"
            ) from exc
        if done.returncode != 0 or not out.is_file():
            said = next((ln for ln in reversed((done.stderr or "").splitlines()) if ln.startswith("error: ")), "")
            if not said:  # not one of the CLI's own messages: the detail is for the server log only
                server_log(f"ddanalysis report exited {done.returncode}:\n{(done.stderr or '')[-4000:]}")
            raise DDAnalysisError(
                "the board paper could not be written: "
                + (said.removeprefix("error: ") or "the detail is in the server log")
            )
        return out.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
