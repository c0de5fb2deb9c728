"""Shared test fixtures: where the official files are, and skips when a tool is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ddanalysis import config

REPO = Path(__file__).resolve().parents[1]

#: Chromium flags for every browser test: headless, no sandbox (root in CI), and no name resolution but
#: loopback, so a page that reaches outside the machine fails visibly.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def official_dir() -> Path:
    """The real DCLG RS workbooks in ../shared/data/official (skip the test when absent)."""
    d = config.OFFICIAL_DIR
    if not d.is_dir() or not any(d.glob("Revenue_Outturn_Summary*")):
        pytest.skip(f"official RS workbooks not found in {d} (they live in ../shared/data/official)")
    return d


def dover_workspace(folder: Path, project_id: str = "my-museum") -> Path:
    """A copy of the bundled dover-museum-tourism as a workspace at ``folder`` with id ``project_id``: its
    project.yaml and baseline.csv only (no sidecar, assumptions, plan or scores), for a test to add its own."""
    import yaml

    from ddanalysis import workspace

    dover = Path(workspace.bundled_root()) / "dover-museum-tourism"
    folder.mkdir(parents=True)
    raw = yaml.safe_load((dover / "project.yaml").read_text(encoding="utf-8"))
    raw.update(id=project_id)
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    (folder / "baseline.csv").write_text((dover / "baseline.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return folder


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


# --- one browser per test process -------------------------------------------------------------------
# Playwright's sync API runs an event loop in the thread that starts it, so a second sync browser in the
# same process fails ("Sync API inside the asyncio loop"). The fixture lives here, once, for every module.


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    chromium = require_program("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            accept_downloads=True,
        )
        try:
            yield ctx
        finally:
            ctx.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    d = tmp_path_factory.getbasetemp() / "screenshots"
    d.mkdir(exist_ok=True)
    return d
