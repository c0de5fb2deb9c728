"""Caches see an edited data file: they are keyed on the files' stamps (path, mtime, size)."""

from __future__ import annotations

import os
import shutil

from ddanalysis import config, registry
from ddanalysis.assumptions import load_book
from ddanalysis.filestamp import stamp


def test_stamp_changes_when_a_file_is_edited_created_or_removed(tmp_path):
    f = tmp_path / "a.csv"
    empty = stamp(tmp_path, f)
    f.write_text("x")
    one = stamp(tmp_path, f)
    assert one != empty
    f.write_text("xy")
    os.utime(f, ns=(1, 1))
    assert stamp(tmp_path, f) != one
    f.unlink()
    assert stamp(f) == ((str(f), -1, -1),)


def test_an_edited_registry_and_assumption_book_are_seen_without_restarting(tmp_path):
    """Copy the data, load it, edit a council's name and a lever's central value, load again."""
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data, ignore=shutil.ignore_patterns("official"))
    councils = data / "councils.csv"
    before = registry.councils(councils)
    name = before.iloc[0]["name"]
    councils.write_text(councils.read_text().replace(name, name + " Renamed", 1))
    assert registry.councils(councils).iloc[0]["name"] == name + " Renamed"
    folder = data / "assumptions"
    book = load_book(None, folder)
    levers = folder / "appraisal.yaml"
    text = levers.read_text()
    assert "    central: 0.28\n" in text  # project.pension_deficit_share
    levers.write_text(text.replace("    central: 0.28\n", "    central: 0.30\n", 1))
    again = load_book(None, folder)
    assert book.table.loc[("project", "pension_deficit_share"), "central"] == 0.28
    assert again.table.loc[("project", "pension_deficit_share"), "central"] == 0.30
