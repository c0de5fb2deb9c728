"""The run record: hashes of every input file, arguments and version, the same on every output."""
from __future__ import annotations

import datetime as dt
import hashlib

from ddanalysis import config
from ddanalysis.run_record import file_hash, hash_inputs, make_record, project_input_files


def test_file_hash_is_sha256_and_follows_edits(tmp_path):
    """sha256(b"abc") = ba7816bf... (FIPS 180-2 test vector); editing the file changes the hash."""
    f = tmp_path / "a.yaml"
    f.write_bytes(b"abc")
    assert file_hash(f) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    f.write_bytes(b"abcd")
    assert file_hash(f) == hashlib.sha256(b"abcd").hexdigest()


def test_inputs_are_relative_sorted_and_missing_files_left_out(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "x.csv").write_text("1")
    (tmp_path / "a.yaml").write_text("2")
    got = hash_inputs([tmp_path / "b" / "x.csv", tmp_path / "a.yaml", tmp_path / "missing.yaml"], tmp_path)
    assert [p for p, _ in got] == ["a.yaml", "b/x.csv"]


def test_record_states_arguments_and_time():
    files = project_input_files(config.DATA_DIR, "walsall-college")
    names = {f.relative_to(config.DATA_DIR).as_posix() for f in files}
    assert {"projects.yaml", "baselines/walsall-college.csv", "mca/scores/walsall-college.yaml",
            "assumptions/levers.yaml"} <= names
    rec = make_record(files, config.DATA_DIR, package_version="9.9", scenario="low", perspective="public", seed=3,
                      draws=100, overrides={"mutual.pension_rate_change": 0.04},
                      now=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    d = rec.to_dict()
    assert d["created_utc"] == "2026-01-02T03:04:05Z" and d["seed"] == 3 and d["scenario"] == "low"
    assert len(d["inputs"]) == len(files)
    assert "mutual.pension_rate_change=0.04" in "\n".join(rec.lines())
    same = make_record(files, config.DATA_DIR, package_version="9.9", scenario="x", perspective="council", seed=1,
                       draws=0)
    assert same.fingerprint() == rec.fingerprint()  # the fingerprint covers the inputs only
