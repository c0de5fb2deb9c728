"""The dashboards' result cache holds plain data in a private folder: no pickles, nobody else's files.

- a cached result equals a fresh one, field by field (frames with their dtypes, index and column
  types; the plans; the baseline), read by another store as another kernel would;
- the file is a zip of JSON and Parquet: no pickle anywhere in it, and loading builds only
  ddanalysis classes; a forged manifest naming another module is refused;
- a result holding a type the format does not know is not written (computed again, logged);
- the folder is created 0700; a folder owned by another account, or that its group or others can
  write to, is refused and the store keeps results in memory only; files in it must be ours;
- old pickles are never read, and are deleted with stale results.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddanalysis import engine, plaindata
from ddanalysis.dashboard import store as store_mod
from ddanalysis.dashboard.store import Key, ResultStore
from ddanalysis.result import AppraisalResult

PID = "walsall-college"
DRAWS = 200


def assert_same(a, b, where: str = "result") -> None:
    """Equal, and of the same types, all the way down (frames: dtypes, index, column types)."""
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), where
        pd.testing.assert_frame_equal(a, b, check_exact=True, check_index_type=True, check_column_type=True, obj=where)
        for col in a.columns[a.dtypes.eq(object)]:
            assert [type(x) for x in a[col]] == [type(x) for x in b[col]], f"{where}[{col}]"
        assert a.attrs == b.attrs, where
        return
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, check_index_type=True, obj=where)
        return
    assert type(a) is type(b), f"{where}: {type(a)} != {type(b)}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.metadata.get("memory_only"):  # a live object (the result's model) is never cached
                assert getattr(b, f.name) is None, f"{where}.{f.name}"
                continue
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.fixture(scope="module")
def fresh() -> AppraisalResult:
    return engine.appraise(PID, "central", "council", DRAWS, store_mod.SEED)


def test_a_cached_result_equals_a_fresh_one(tmp_path, fresh):
    key = Key(PID, draws=DRAWS)
    first = ResultStore(directory=tmp_path / "cache", fingerprint="rt")
    computed = first.get(key)
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1 and files[0].name.endswith(store_mod.SUFFIX)
    loaded = ResultStore(directory=tmp_path / "cache", fingerprint="rt").cached(key)  # another kernel
    assert loaded is not None and loaded is not computed
    assert_same(computed, loaded)  # the round trip: what was stored is what comes back, field by field
    # and it equals a fresh appraisal, but for the time in its run record
    assert_same(dataclasses.replace(fresh, run_record=None), dataclasses.replace(loaded, run_record=None))
    assert loaded.run_record.inputs == fresh.run_record.inputs
    assert not loaded.switching.empty and not loaded.mc_draws.empty and loaded.plans


def test_the_cache_file_is_json_and_parquet_only(tmp_path, fresh):
    data = plaindata.dumps(fresh)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        assert names[0] == plaindata.MANIFEST
        assert all(n.endswith(".parquet") for n in names[1:])
        for n in names[1:]:
            assert zf.read(n)[:4] == b"PAR1"
        manifest = json.loads(zf.read(plaindata.MANIFEST))
    assert manifest["value"]["cls"] == "ddanalysis.result:AppraisalResult"
    assert b"\x80\x04\x95" not in data and b"\x80\x05\x95" not in data  # no pickle frame header


def test_a_manifest_naming_another_module_is_refused(fresh):
    data = plaindata.dumps(fresh)
    src = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(src.read(plaindata.MANIFEST))
    for cls in ("os:system", "subprocess:Popen", "ddanalysis_evil:X", "builtins:eval"):
        manifest["value"]["cls"] = cls
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr(plaindata.MANIFEST, json.dumps(manifest))
            for n in src.namelist()[1:]:
                zf.writestr(n, src.read(n))
        with pytest.raises(ValueError, match="not a ddanalysis class"):
            plaindata.loads(out.getvalue())


def test_plain_values_round_trip():
    @dataclasses.dataclass
    class Local:  # not importable by name: refused when encoding
        x: int

    frame = pd.DataFrame(
        {
            "a": pd.array(["x", None, "z"], dtype="str"),
            "b": [1.5, np.nan, -np.inf],
            "c": [True, False, True],
            "d": [dt.date(2015, 4, 1), None, dt.date(2016, 3, 31)],
            "e": pd.to_datetime(["2015-04-01", "2016-01-01", None]),
            "f": [1, 2, 3],
        },
        index=pd.Index(["r1", "r2", "r3"], name="row"),
    )
    frame.attrs = {"unit": "GBP"}
    value = {
        "frame": frame,
        "series": pd.Series([0.25, 0.75], index=pd.Index(["p", "q"], name="k"), name="w"),
        ("tuple", 1): [np.float64(0.1), np.int64(3), np.bool_(True), float("nan"), None, "£"],
        "when": dt.datetime(2015, 4, 1, 9, 30),
        "day": dt.date(2015, 4, 1),
        3: (1, 2),
    }
    assert_same(value, plaindata.loads(plaindata.dumps(value)), "value")
    for bad in (
        Local(1),
        {1, 2},
        object(),
        pd.DataFrame({1: [1]}),
        pd.DataFrame({"o": [1, "x"]}),
        np.datetime64("2015-01-01"),
        b"bytes",
    ):
        with pytest.raises(plaindata.Unencodable):
            plaindata.dumps({"field": bad})


def test_a_result_with_an_unknown_field_type_is_computed_not_cached(tmp_path, fresh, monkeypatch, caplog):
    odd = dataclasses.replace(fresh, provenance={**fresh.provenance, "odd": {1, 2}})  # a set: not plain data
    monkeypatch.setattr(store_mod.engine, "appraise", lambda *a, **k: odd)
    s = ResultStore(directory=tmp_path / "cache", fingerprint="odd")
    with caplog.at_level(logging.WARNING, logger="ddanalysis.dashboard"):
        assert s.get(Key(PID)) is odd  # shown all the same
    assert "not caching" in caplog.text and "provenance" in caplog.text and "set" in caplog.text
    assert list((tmp_path / "cache").iterdir()) == []


def test_the_cache_folder_is_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("DDANALYSIS_CACHE", str(tmp_path / "a" / "cache"))
    d = store_mod.cache_dir()
    assert d == tmp_path / "a" / "cache"
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    ResultStore(fingerprint="p").get(Key(PID, draws=DRAWS))
    (f,) = d.iterdir()
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    # a folder of ours that others can read is tightened
    os.chmod(d, 0o755)
    assert store_mod.cache_dir() == d and stat.S_IMODE(d.stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o777, 0o1777, 0o770, 0o722])
def test_a_folder_others_can_write_is_refused(tmp_path, monkeypatch, mode, caplog):
    d = tmp_path / "shared"
    d.mkdir()
    os.chmod(d, mode)
    monkeypatch.setenv("DDANALYSIS_CACHE", str(d))
    with caplog.at_level(logging.WARNING, logger="ddanalysis.dashboard"):
        s = ResultStore(fingerprint="w")
    assert s.directory is None and "writable by its group or by others" in caplog.text
    s.get(Key(PID, draws=DRAWS))  # still works, from memory
    assert list(d.iterdir()) == []
    assert ResultStore(directory=d, fingerprint="w").directory is None  # named directly: the same


def _foreign(path: Path) -> None:
    """Give ``path`` to another account (needs root), or skip."""
    if os.geteuid() != 0:
        pytest.skip("giving a folder to another account needs root")
    os.chown(path, 65534, 65534)


def test_a_folder_owned_by_someone_else_is_refused(tmp_path, monkeypatch, caplog):
    d = tmp_path / "theirs"
    d.mkdir(mode=0o700)
    _foreign(d)
    monkeypatch.setenv("DDANALYSIS_CACHE", str(d))
    with caplog.at_level(logging.WARNING, logger="ddanalysis.dashboard"):
        assert store_mod.cache_dir() is None
    assert "owned by uid 65534" in caplog.text
    # a symbolic link of someone else's to a folder of ours: refused too
    ours = tmp_path / "ours"
    ours.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(ours)
    os.lchown(link, 65534, 65534)
    with pytest.raises(plaindata.UnsafeFolder, match="symbolic link"):
        plaindata.private_dir(link)


def test_a_file_of_someone_elses_in_the_cache_is_not_read(tmp_path):
    s = ResultStore(directory=tmp_path / "cache", fingerprint="f")
    key = Key(PID, draws=DRAWS)
    s.get(key)
    (path,) = (tmp_path / "cache").iterdir()
    os.chmod(path, 0o666)
    assert ResultStore(directory=tmp_path / "cache", fingerprint="f").cached(key) is None
    os.chmod(path, 0o600)
    assert ResultStore(directory=tmp_path / "cache", fingerprint="f").cached(key) is not None
    if os.geteuid() == 0:
        os.chown(path, 65534, 65534)
        assert ResultStore(directory=tmp_path / "cache", fingerprint="f").cached(key) is None


def test_a_result_under_another_key_is_not_served(tmp_path):
    """A file copied over another key's name (same folder, so only we could do it, but still) is refused."""
    s = ResultStore(directory=tmp_path / "cache", fingerprint="k")
    a, b = Key(PID, draws=DRAWS), Key(PID, scenario="low", draws=DRAWS)
    s.get(a)
    (tmp_path / "cache" / f"{b.file_stem('k')}{store_mod.SUFFIX}").write_bytes(
        (tmp_path / "cache" / f"{a.file_stem('k')}{store_mod.SUFFIX}").read_bytes()
    )
    assert ResultStore(directory=tmp_path / "cache", fingerprint="k").cached(b) is None


def test_old_pickles_are_never_read_and_are_pruned(tmp_path):
    cache = tmp_path / "cache"
    s = ResultStore(directory=cache, fingerprint="old")
    key = Key(PID, draws=DRAWS)
    legacy = cache / f"{key.file_stem('old')}.pkl"
    legacy.write_bytes(b"\x80\x04\x95 a pickle from an older version")
    assert s.cached(key) is None
    assert store_mod.prune_stale(s, data_dir=tmp_path / "nodata") == 1 and not legacy.exists()


def test_project_ids_never_shape_a_path():
    stem = Key("../../etc/passwd").file_stem("x")
    assert "/" not in stem and ".." not in stem and stem.startswith("project--")
