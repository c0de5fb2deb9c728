"""Files are written whole or not at all (ddanalysis.atomic), with the permissions of any new file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from ddanalysis import notebook_runner
from ddanalysis.atomic import PRIVATE_MODE, atomic_path, write_atomic


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _ordinary_mode(folder: Path) -> int:
    """The permissions a file made with plain open() gets here (0o666 less the umask), without reading the umask."""
    probe = folder / "probe"
    probe.write_bytes(b"")
    mode = _mode(probe)
    probe.unlink()
    return mode


def test_writes_text_bytes_and_through_a_callable(tmp_path):
    assert write_atomic(tmp_path / "a.txt", "£1\n").read_bytes() == "£1\n".encode()
    assert write_atomic(tmp_path / "b.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert (
        write_atomic(tmp_path / "c.bin", lambda fh: fh.write(b"made by a writer")).read_bytes() == b"made by a writer"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.bin"]  # no temporary file left


def test_replaces_an_existing_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failing_write_leaves_the_old_file_untouched_and_no_temporary_file(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"the old workbook")

    def half_then_fail(handle):
        handle.write(b"half a new workbook")
        raise RuntimeError("disk full, say")

    with pytest.raises(RuntimeError, match="disk full"):
        write_atomic(path, half_then_fail)
    assert path.read_bytes() == b"the old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_a_failing_first_write_creates_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "new.txt", lambda fh: (_ for _ in ()).throw(KeyboardInterrupt()))
    assert list(tmp_path.iterdir()) == []


def test_a_missing_folder_is_an_oserror_and_nothing_is_left(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "no-such-folder" / "x.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_permissions_are_those_of_an_ordinary_new_file(tmp_path):
    assert _mode(write_atomic(tmp_path / "a.txt", "x")) == _ordinary_mode(tmp_path)
    assert _mode(write_atomic(tmp_path / "cache.pkl", b"x", mode=PRIVATE_MODE)) == 0o600


def test_the_process_umask_is_never_changed_while_writing(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask) or 0o022)
    write_atomic(tmp_path / "a.txt", "x")
    with atomic_path(tmp_path / "b.txt") as tmp:
        tmp.write_text("y")
    assert calls == []


def test_atomic_path_replaces_on_success_and_keeps_the_old_file_on_failure(tmp_path):
    path = tmp_path / "run.ipynb"
    path.write_text("old")
    with pytest.raises(ValueError):
        with atomic_path(path) as tmp:
            tmp.write_text("partial")
            raise ValueError("the tool failed")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["run.ipynb"]
    with atomic_path(path) as tmp:
        assert tmp.parent == tmp_path and tmp.name.startswith(".run.ipynb.")  # beside the target, hidden
        tmp.write_text("new")
    assert path.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["run.ipynb"]


def test_atomic_path_leaves_the_file_alone_when_nothing_was_written(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with atomic_path(path):
        pass
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_concurrent_writers_each_leave_a_whole_file(tmp_path):
    path = tmp_path / "shared.txt"
    texts = [str(i) * 10_000 for i in range(8)]
    threads = [threading.Thread(target=write_atomic, args=(path, t)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_text() in texts  # one writer's whole text, never a mixture
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"]


# --- the writers that use it ----------------------------------------------------------------------


def test_a_failing_notebook_is_kept_whole_and_a_notebook_never_started_writes_nothing(tmp_path, monkeypatch):
    import papermill

    def fails_after_writing(source, output, **kwargs):
        Path(output).write_text('{"cells": "with the error in them"}')
        raise RuntimeError("cell 3 failed\nNameError: x")

    monkeypatch.setattr(papermill, "execute_notebook", fails_after_writing)
    job = notebook_runner.NotebookJob("t", tmp_path / "in.ipynb", tmp_path / "out" / "t.ipynb")
    result = notebook_runner.run_job(job)
    assert not result.ok and result.error == "RuntimeError: NameError: x"
    assert job.output.read_text() == '{"cells": "with the error in them"}'
    assert [p.name for p in job.output.parent.iterdir()] == ["t.ipynb"]

    def fails_at_once(source, output, **kwargs):
        raise RuntimeError("no such kernel")

    monkeypatch.setattr(papermill, "execute_notebook", fails_at_once)
    job = notebook_runner.NotebookJob("u", tmp_path / "in.ipynb", tmp_path / "out" / "u.ipynb")
    assert not notebook_runner.run_job(job).ok
    assert [p.name for p in job.output.parent.iterdir()] == ["t.ipynb"]


def test_papermills_warning_about_the_temporary_name_is_not_shown_and_others_are(tmp_path, monkeypatch):
    """papermill warns "The specified file (...) does not end in one of ['.ipynb', '.json']" about the hidden
    temporary file a notebook is written to (``.t.ipynb.<hex>.tmp``) before it replaces the notebook: that
    warning, about our own temporary name, is not passed on; any other warning from the run is."""
    import warnings

    import papermill

    def warns(source, output, **kwargs):
        warnings.warn(f"The specified file ({output}) does not end in one of ['.ipynb', '.json']", stacklevel=1)
        warnings.warn("a kernel warning the analyst should see", stacklevel=1)
        Path(output).write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", warns)
    job = notebook_runner.NotebookJob("t", tmp_path / "in.ipynb", tmp_path / "out" / "t.ipynb")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert notebook_runner.run_job(job).ok
    assert [str(w.message) for w in seen] == ["a kernel warning the analyst should see"]
    assert job.output.read_text() == "{}"


def test_the_temporary_name_warning_stays_hidden_when_notebooks_run_in_threads(tmp_path, monkeypatch):
    """Notebooks run several at a time in threads. A warning filter one thread sets inside its own
    ``catch_warnings`` is undone when another thread leaves its block (each restores the filters it saved), so the
    filter for the temporary names is set once for every job before the threads start: none of the four jobs'
    warnings about their temporary names shows, and each job's own warning still does."""
    import threading
    import time
    import warnings

    import papermill

    def warns(source, output, **kwargs):
        time.sleep(0.05 * (hash(output) % 4))  # the threads enter and leave their blocks in a mixed order
        warnings.warn(f"The specified file ({output}) does not end in one of ['.ipynb', '.json']", stacklevel=1)
        warnings.warn(f"kernel warning from {threading.current_thread().name}", stacklevel=1)
        Path(output).write_text("{}")

    monkeypatch.setattr(papermill, "execute_notebook", warns)
    jobs = [notebook_runner.NotebookJob(f"n{i}", tmp_path / "in.ipynb", tmp_path / f"n{i}.ipynb") for i in range(4)]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert all(r.ok for r in notebook_runner.run_jobs(jobs, workers=4, progress=False))
    messages = [str(w.message) for w in seen]
    assert not [m for m in messages if "does not end in" in m]
    assert len([m for m in messages if m.startswith("kernel warning from")]) == 4
