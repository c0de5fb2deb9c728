"""The appraisal dashboard's "Board paper (PDF)" download (ddanalysis.dashboard.boardpaper).

The paper is written by ``ddanalysis report`` in a child process with the view's scenario,
perspective, optimism-bias mitigation and what-if values; one test runs it for real (Chromium and
poppler's pdftotext needed, skipped otherwise) and reads the PDF back.
"""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time

import pytest
from conftest import require_program

from ddanalysis import engine
from ddanalysis.dashboard import boardpaper
from ddanalysis.dashboard import store as store_mod
from ddanalysis.dashboard.appraisal import AppraisalPage
from ddanalysis.dashboard.state import ViewState
from ddanalysis.dashboard.store import Key, ResultStore
from ddanalysis.errors import DDAnalysisError
from ddanalysis.presentation import formats

PID = "walsall-college"
KEY = "mutual.pension_rate_change"
PAY = "project.real_pay_growth"  # moves every option's saving (the recommended one's too)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(directory=tmp_path_factory.mktemp("papercache"), fingerprint="test-paper")


def test_the_command_line_carries_the_whole_view(tmp_path):
    """Every part of the view becomes an argument of ``ddanalysis report``, in a list (no shell):
    expected list written out by hand from the CLI's options."""
    key = Key(PID, "low", "public", 0.3, overrides=((KEY, 0.05), ("project.optimism_bias_mitigation", 0.25)))
    out = tmp_path / "p.pdf"
    assert boardpaper.report_argv(key, out) == [
        sys.executable,
        "-m",
        "ddanalysis",
        "report",
        PID,
        "-o",
        str(out),
        "--scenario",
        "low",
        "--perspective",
        "public",
        "--draws",
        str(store_mod.DRAWS),
        "--seed",
        str(store_mod.SEED),
        "--ob-mitigation",
        "0.3",
        "--set",
        f"{KEY}=0.05",
        "--set",
        "project.optimism_bias_mitigation=0.25",
    ]
    assert boardpaper.file_name(key) == f"ddanalysis_{PID}_low_public_whatif_paper.pdf"
    assert "--ob-mitigation" not in boardpaper.report_argv(Key(PID), out)
    assert "--set" not in boardpaper.report_argv(Key(PID), out)


def _fake_cli(monkeypatch, code: str) -> None:
    monkeypatch.setattr(boardpaper, "report_argv", lambda key, out: [sys.executable, "-c", code])


def test_a_failing_report_gives_the_clis_own_message(monkeypatch):
    _fake_cli(monkeypatch, "import sys; print('error: no Chromium here', file=sys.stderr); sys.exit(2)")
    with pytest.raises(DDAnalysisError, match="could not be written: no Chromium here"):
        boardpaper.board_paper_pdf(Key(PID))


def test_an_unexpected_failure_keeps_its_detail_for_the_server_log(monkeypatch, capfd):
    _fake_cli(monkeypatch, "raise RuntimeError('/secret/path/inside')")
    with pytest.raises(DDAnalysisError) as info:
        boardpaper.board_paper_pdf(Key(PID))
    assert "server log" in str(info.value) and "/secret" not in str(info.value)
    assert "/secret/path/inside" in capfd.readouterr().err


def test_a_report_over_the_time_limit_is_stopped(monkeypatch):
    _fake_cli(monkeypatch, "import time; time.sleep(30)")
    t0 = time.monotonic()
    with pytest.raises(DDAnalysisError, match="took longer than 1 s"):
        boardpaper.board_paper_pdf(Key(PID), timeout_s=1)
    assert time.monotonic() - t0 < 25  # the child was killed, not waited for


def test_the_button_prepares_the_paper_off_the_kernels_thread(store, monkeypatch):
    """The click returns at once (a thread waits for the child process), the button is disabled
    meanwhile, and the link then carries the view's file name and a PDF ``data:`` URL."""
    page = AppraisalPage(store, PID, follow_in_background=False)
    page.apply(ViewState(PID, sets=((KEY, 0.05),)))
    seen: list[Key] = []

    def fake(key: Key) -> bytes:
        seen.append(key)
        time.sleep(0.3)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("ddanalysis.dashboard.appraisal.board_paper_pdf", fake)
    page.paper.click()
    assert page.paper.disabled and "Preparing the board paper" in page.paper_download.value
    deadline = time.monotonic() + 20
    while page.paper.disabled and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen == [Key(PID, overrides=((KEY, 0.05),))]
    value = page.paper_download.value
    assert f"download='ddanalysis_{PID}_central_council_whatif_paper.pdf'" in value
    assert "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.7 fake").decode() in value
    assert "1 what-if value)" in value


@pytest.mark.browser
@pytest.mark.slow
def test_the_paper_of_a_what_if_view_shows_that_views_saving(store):
    """The real thing, once: the CLI in a child process, Chromium's print, the PDF read back with
    pdftotext. Expected: the summary sentence "It saves £X" of the recommended option, X being
    ``engine.appraise`` with the same what-if value, optimism-bias mitigation and the dashboard's
    draws and seed (formatted by ``formats.money``), and not the saving without the what-if value."""
    require_program("chromium", "chromium")
    require_program("pdftotext", "poppler-utils")
    page = AppraisalPage(store, PID, follow_in_background=False)
    page.apply(ViewState(PID, ob=0.3, sets=((PAY, 0.01),)))
    page.make_paper(page.key())
    match = re.search(r"href='data:application/pdf;base64,([A-Za-z0-9+/=]+)'", page.paper_download.value)
    assert match, page.paper_download.value
    pdf = base64.b64decode(match.group(1))
    assert pdf.startswith(b"%PDF")
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    text = done.stdout.decode()
    text = re.sub(r"\s+", " ", text)

    def saving(**what_if) -> str:
        res = engine.appraise(PID, draws=store_mod.DRAWS, seed=store_mod.SEED, ob_mitigation=0.3, **what_if)
        opts = res.options.set_index("id")
        return formats.money(float(opts.loc[res.recommended, "net_present_saving_gbp"]))

    expected, plain = saving(overrides={PAY: 0.01}), saving()
    assert expected != plain  # the what-if value moves the answer, so the test can tell them apart
    assert f"It saves {expected}" in text
    assert f"It saves {plain}" not in text
    assert "optimism-bias mitigation 30%" in text
