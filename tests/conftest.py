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
