"""Shared test fixtures: where the official files are, and skips when a tool is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ddanalysis import config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def official_dir() -> Path:
    """The real DCLG RS workbooks in ../shared/data/official (skip the test when absent)."""
    d = config.OFFICIAL_DIR
    if not d.is_dir() or not any(d.glob("Revenue_Outturn_Summary*")):
        pytest.skip(f"official RS workbooks not found in {d} (they live in ../shared/data/official)")
    return d


def require_program(name: str, package: str) -> str:
    """Path of a program, or skip with the command that installs it."""
    path = shutil.which(name)
    if not path:
        pytest.skip(f"{name} not installed: run 'sudo apt-get install -y {package}' (or 'make system-deps' as root)")
    return path


def run_outturn(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``ddanalysis outturn ARGS`` run in this process: (exit status, standard output, standard error)."""
    from ddanalysis import cli  # imported when used: most tests never start the command line

    try:
        cli.main(["outturn", *args])
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out, err = capsys.readouterr()
    return code, out, err
