"""Raw data is never modified: no output replaces a workspace's input files or a file of the bundled or official
data folders (``ddanalysis.workspace.raw_input_of``, checked by every output's ``check_output_path`` before any
work is done). Each way of writing an output is tried against an input file: the refusal names the file and why,
exits 2, and the input's bytes are unchanged."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import dover_workspace

from ddanalysis import cli, config, workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``ddanalysis ARGV`` in this process: (exit status, standard error)."""
    with pytest.raises(SystemExit) as stop:
        cli.main(list(argv))
        raise SystemExit(0)
    return int(stop.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, target",
    [
        (["export", "{ws}", "-o", "{ws}/baseline.xlsx"], "baseline.xlsx"),
        (["appraise", "{ws}", "--draws", "5", "--draws-out", "{ws}/baseline.csv"], "baseline.csv"),
        (["appraise", "{ws}", "--draws", "5", "--draws-out", "{ws}/official_outturn.csv"], "official_outturn.csv"),
    ],
)
def test_no_output_replaces_a_workspace_input(tmp_path: Path, capsys, argv, target):
    """The board workbook written onto the workspace's baseline.xlsx, or the Monte Carlo draws onto its
    baseline.csv or official_outturn.csv, would leave a workspace that can no longer be appraised: each is
    refused before the appraisal runs."""
    ws = dover_workspace(tmp_path / "ws")
    (ws / "baseline.xlsx").write_bytes(b"the council's filled-in workbook")
    (ws / "official_outturn.csv").write_text("e_code,year\n", encoding="utf-8")
    before = {p.name: _digest(p) for p in ws.iterdir()}
    code, err = _run(capsys, *[a.format(ws=ws) for a in argv])
    assert code == 2, err
    assert f"{ws / target}: is an input file of the workspace {ws}" in err and "write" in err
    assert "Traceback" not in err
    assert {p.name: _digest(p) for p in ws.iterdir() if p.name in before} == before


def test_an_output_beside_the_inputs_is_written(tmp_path: Path, capsys):
    """Outputs may live in the workspace folder under names of their own."""
    ws = dover_workspace(tmp_path / "ws")
    code, err = _run(capsys, "appraise", str(ws), "--draws", "5", "--draws-out", str(ws / "draws.csv"))
    assert code == 0, err
    assert (ws / "draws.csv").stat().st_size > 0


def test_no_output_is_written_into_the_bundled_or_official_data(tmp_path: Path):
    """A file anywhere under the bundled data folder or the official returns' folder is raw data, and so is a
    service's own input file in a workspace."""
    assert "the bundled data folder" in (workspace.raw_input_of(config.DATA_DIR / "projects" / "paper.pdf") or "")
    assert "the official returns' folder" in (workspace.raw_input_of(config.OFFICIAL_DIR / "x.csv") or "")
    ws = dover_workspace(tmp_path / "ws")
    # a project appraised by service keeps each service's inputs beside the others (workspace.baseline_file and
    # service_file): baseline-<id>.csv|xlsx, mca-<id>.yaml, outcomes-<id>.yaml; and a case-insensitive disk
    # would let Baseline.xlsx replace baseline.xlsx
    for name in ("baseline-libraries.xlsx", "baseline-museum.csv", "mca-libraries.yaml", "Baseline.xlsx"):
        assert workspace.raw_input_of(ws / name) == f"an input file of the workspace {ws}", name
    assert workspace.raw_input_of(ws / "paper.pdf") is None
    assert workspace.raw_input_of(ws / "out" / "baseline.xlsx") is None  # a folder of outputs is not a workspace
    assert workspace.raw_input_of(tmp_path / "baseline.xlsx") is None  # not in a workspace


def test_the_paper_is_not_written_into_the_bundled_data(capsys):
    code, err = _run(capsys, "report", "dover-museum-tourism", "--draws", "0", "-o", str(config.DATA_DIR / "p.html"))
    assert code == 2 and "the bundled data folder" in err and "raw data that no output replaces" in err
    assert not (config.DATA_DIR / "p.html").exists()


def test_sigterm_stops_a_write_and_leaves_no_half_written_file(tmp_path: Path):
    """``kill`` (SIGTERM) during a write left a hidden ``.x.xlsx.<hex>.tmp`` behind; the command line now stops as
    on Ctrl-C, so the temporary file is removed and nothing is written. Made certain by sending the signal from
    inside the write, in a fresh process with the handler the command line installs."""
    import subprocess
    import sys

    program = (
        "import os, signal, sys, time\n"
        "from pathlib import Path\n"
        "from ddanalysis import cli\n"
        "from ddanalysis.atomic import atomic_path\n"
        "cli.stop_on_sigterm()\n"
        "with atomic_path(Path(sys.argv[1])) as tmp:\n"
        "    tmp.write_text('half a workbook')\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", program, str(out / "x.xlsx")], capture_output=True, timeout=120)
    assert done.returncode == 143, done.stderr
    assert list(out.iterdir()) == []
