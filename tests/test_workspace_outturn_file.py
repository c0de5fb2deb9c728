"""A workspace's own ``official_outturn.csv`` (written by ``ddanalysis new``) is the council's input: when it is
there but cannot be used, the paper says so as an error naming the file (exit 2), never a footnote that the
figures are "not available". Each way of breaking it is a case; the file is never changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import dover_workspace

from ddanalysis import cli, config, context
from ddanalysis.errors import WorkspaceInputError

#: Dover's council (project.yaml of the bundled dover-museum-tourism: councils [E2234]).
DOVER = "E2234"


def _workspace(tmp_path: Path) -> Path:
    """Dover as a workspace with its own official_outturn.csv: the bundled extract's rows for Dover, as
    ``ddanalysis new`` would write them."""
    ws = dover_workspace(tmp_path / "ws")
    lines = config.data_path("official", "rs_programme_councils.csv").read_text(encoding="utf-8").splitlines()
    (ws / "official_outturn.csv").write_text(
        "\n".join([lines[0], *(line for line in lines[1:] if line.split(",")[1] == DOVER)]) + "\n", encoding="utf-8"
    )
    return ws


def _break(path: Path, how: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, *rows = text.splitlines()
    if how == "header only":
        path.write_text(head + "\n", encoding="utf-8")
    elif how == "empty":
        path.write_text("", encoding="utf-8")
    elif how == "wrong header":
        path.write_text("\n".join([head.replace("value_gbp_k", "value"), *rows]) + "\n", encoding="utf-8")
    elif how == "text in a number":
        cells = rows[0].split(",")
        rows[0] = ",".join([*cells[:-1], "twelve thousand"])
        path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    elif how == "a duplicated row":
        path.write_text("\n".join([head, *rows, rows[0]]) + "\n", encoding="utf-8")
    elif how == "another council's rows":
        path.write_text("\n".join([head, *(r.replace(f",{DOVER},", ",E9999,") for r in rows)]) + "\n", encoding="utf-8")
    elif how == "another block's rows":  # written for another block, before project.yaml's block was changed
        kept = [r for r in rows if r.split(",")[7] != "cultural"]
        path.write_text("\n".join([head, *kept]) + "\n", encoding="utf-8")
    elif how == "not UTF-8":
        path.write_bytes(text.replace("Dover", "Dover \u00a3").encode("cp1252"))


CASES = {
    "header only": "holds no figures",
    "empty": "not a readable outturn extract (No columns to parse",
    "wrong header": "columns",
    "text in a number": "could not convert string to float: 'twelve thousand'",
    "a duplicated row": "duplicated",
    "another council's rows": f"holds no rows for {DOVER}",
    "not UTF-8": "'utf-8' codec can't decode byte 0xa3",
    "another block's rows": "holds no rows for the service block(s) cultural of project.yaml",
}


def test_a_sound_file_gives_the_councils_spending(tmp_path: Path):
    """The control: the rows as written are read (Dover's cultural block in 2014-15 is in the bundled extract)."""
    ws = _workspace(tmp_path)
    spending = context.project_spending(str(ws))
    assert set(spending["authority"]) == {"Dover"} and "2014-15" in set(spending["year"])


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_broken_file_is_an_error_naming_it(tmp_path: Path, how: str):
    ws = _workspace(tmp_path)
    target = ws / "official_outturn.csv"
    _break(target, how)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    with pytest.raises(WorkspaceInputError) as caught:
        context.project_spending(str(ws))
    said = str(caught.value)
    assert str(target) in said and CASES[how] in said, said
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before


def test_the_paper_stops_with_exit_2_on_a_broken_file(tmp_path: Path, capsys):
    """The reviewer's case: a header and no rows crashed the paper with an IndexError traceback (exit 1)."""
    ws = _workspace(tmp_path)
    _break(ws / "official_outturn.csv", "header only")
    with pytest.raises(SystemExit) as stop:
        cli.main(["report", str(ws), "--draws", "0", "-o", str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "official_outturn.csv: holds no figures" in err and "Traceback" not in err
    assert not (tmp_path / "p.html").exists()
