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
    assert {
        "projects/programme.yaml",
        "projects/walsall-college/baseline.csv",
        "projects/walsall-college/mca.yaml",
        "assumptions/levers.yaml",
        "assumptions/inflation.yaml",
        "unit_costs/health_social_care.yaml",
    } <= names
    shares = project_input_files(config.DATA_DIR, "cwac-wirral-school-services")
    assert config.DATA_DIR / "projects" / "cwac-wirral-school-services" / "council_shares.yaml" in shares
    rec = make_record(
        files,
        config.DATA_DIR,
        package_version="9.9",
        scenario="low",
        perspective="public",
        seed=3,
        draws=100,
        overrides={"mutual.pension_rate_change": 0.04},
        now=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
    )
    d = rec.to_dict()
    assert d["created_utc"] == "2026-01-02T03:04:05Z" and d["seed"] == 3 and d["scenario"] == "low"
    assert len(d["inputs"]) == len(files)
    assert "mutual.pension_rate_change=0.04" in "\n".join(rec.lines())
    same = make_record(
        files, config.DATA_DIR, package_version="9.9", scenario="x", perspective="council", seed=1, draws=0
    )
    assert same.fingerprint() == rec.fingerprint()  # the fingerprint covers the inputs only


def test_every_output_carries_the_same_run_record():
    """The JSON, the Excel cover, the dashboard footer and the notebook note show one record: the same
    fingerprint of the input files, seed and draws."""
    import io

    from openpyxl import load_workbook

    import ddanalysis as dd
    from ddanalysis import display
    from ddanalysis.dashboard.common import run_record_footer
    from ddanalysis.excel.export import export_project_bytes

    res = dd.appraise("dover-museum-tourism", draws=50, seed=11, with_switching=False)
    rec = res.run_record
    doc = res.to_dict()["run_record"]
    assert doc["seed"] == 11 and doc["monte_carlo_draws"] == 50
    assert {
        "path": "projects/dover-museum-tourism/baseline.csv",
        "sha256": file_hash(config.DATA_DIR / "projects" / "dover-museum-tourism" / "baseline.csv"),
    } in doc["inputs"]
    fingerprint = rec.fingerprint()
    wb = load_workbook(io.BytesIO(export_project_bytes(res)))
    cover = "\n".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    for name, text in (
        ("Excel cover", cover),
        ("dashboard footer", run_record_footer(res)),
        ("notebook", display.run_record_note(res).data),
    ):
        assert fingerprint in text and "seed 11" in text, name


def test_draws_and_seed_live_in_one_data_file(tmp_path):
    """appraisal.yaml's monte_carlo section is the one source: the engine, the CLI, the programme summary
    and the dashboards take their defaults from it; a malformed section names the file and key."""
    import pytest

    from ddanalysis import programme, uncertainty
    from ddanalysis.dashboard import store
    from ddanalysis.errors import DataFileError
    from ddanalysis.run_defaults import read_run_defaults

    bundled = read_run_defaults()
    assert (uncertainty.DEFAULT_DRAWS, uncertainty.DEFAULT_SEED) == (bundled.draws, bundled.seed)
    assert programme.SUMMARY_DRAWS == store.DRAWS == bundled.summary_draws
    bad = tmp_path / "appraisal.yaml"
    bad.write_text("monte_carlo:\n  draws: ten\n  summary_draws: 2000\n  seed: 1\n")
    with pytest.raises(DataFileError, match=r"appraisal.yaml, monte_carlo.draws: 'ten'; expected a whole number"):
        read_run_defaults(bad)


def test_monte_carlo_settings_take_each_value_given_else_the_data_file(monkeypatch):
    """None means the data file's value, read here from appraisal.yaml with the YAML parser alone; a value
    given is kept as it is, 0 draws (no Monte Carlo) and seed 0 included; ``defaults`` stands in for
    the file (7 draws, seed 5)."""
    import pytest
    import yaml

    from ddanalysis import run_defaults
    from ddanalysis.errors import DataFileError

    section = yaml.safe_load(config.data_path("assumptions", "appraisal.yaml").read_text(encoding="utf-8"))
    draws, seed = section["monte_carlo"]["draws"], section["monte_carlo"]["seed"]
    assert run_defaults.monte_carlo_settings() == (draws, seed)
    assert run_defaults.monte_carlo_settings(500, None) == (500, seed)
    assert run_defaults.monte_carlo_settings(None, 11) == (draws, 11)
    assert run_defaults.monte_carlo_settings(0, 0) == (0, 0)
    other = run_defaults.RunDefaults(draws=7, summary_draws=3, seed=5)
    assert run_defaults.monte_carlo_settings(defaults=other) == (7, 5)
    # an unreadable section is raised only when a value has to come from it
    monkeypatch.setattr(run_defaults, "_PROBLEM", DataFileError("appraisal.yaml: 'monte_carlo' is missing"))
    assert run_defaults.monte_carlo_settings(100, 1) == (100, 1)
    with pytest.raises(DataFileError, match="monte_carlo"):
        run_defaults.monte_carlo_settings(None, 1)


def test_without_a_data_folder_the_package_imports_and_the_appraisal_names_the_file(tmp_path):
    """Importing ddanalysis never fails on data; the appraisal then raises the DataFileError that names it."""
    import subprocess
    import sys

    code = (
        "import ddanalysis as dd\n"
        "from ddanalysis.errors import DataFileError\n"
        "try:\n    dd.appraise('walsall-college', draws=0)\n"
        "except DataFileError as exc:\n    print('DataFileError', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "DDANALYSIS_DATA": str(tmp_path / "none")},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("DataFileError") and "appraisal.yaml" in out.stdout
