"""The run record: what produced a set of figures, so that any figure in a board paper can be reproduced.

Every output (the JSON, the Excel cover, the dashboard footer, the notebooks, the paper) carries
the same record: the package version, the SHA-256 of every input file the appraisal read (paths
relative to the data folder), the scenario, perspective, overrides, Monte Carlo draws and seed, and
the time it was made (UTC). Re-running with the same package version, the same files (same hashes)
and the same arguments gives the same figures.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import workspace


@dataclass(frozen=True)
class RunRecord:
    """What produced a result. ``inputs``: (path relative to the data folder, SHA-256 hex) pairs, sorted."""

    package_version: str
    inputs: tuple[tuple[str, str], ...]
    scenario: str
    perspective: str
    seed: int
    draws: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    created_utc: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``inputs`` as a list of ``{path, sha256}``."""
        return {
            "package_version": self.package_version,
            "scenario": self.scenario,
            "perspective": self.perspective,
            "monte_carlo_draws": self.draws,
            "seed": self.seed,
            "overrides": dict(self.overrides),
            "created_utc": self.created_utc,
            "inputs": [{"path": p, "sha256": h} for p, h in self.inputs],
        }

    def lines(self) -> list[str]:
        """The record as short lines for a footer, a cover sheet or a notebook cell."""
        over = ", ".join(f"{k}={v}" for k, v in self.overrides.items()) or "none"
        return [
            f"ddanalysis {self.package_version}; run {self.created_utc} (UTC)",
            f"scenario {self.scenario}; perspective {self.perspective}; Monte Carlo {self.draws:,} draws, "
            f"seed {self.seed}; overrides: {over}",
            f"{len(self.inputs)} input files, SHA-256 of all of them together: {self.fingerprint()}",
        ]

    def fingerprint(self) -> str:
        """One SHA-256 (first 16 hex digits) over every input's path and hash: equal records, equal inputs."""
        digest = hashlib.sha256("\n".join(f"{p} {h}" for p, h in self.inputs).encode()).hexdigest()
        return digest[:16]


@lru_cache(maxsize=4096)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file; cached on (path, size, modification time) so an edited file is hashed again."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 (hex) of one file."""
    st = path.stat()
    return _sha256(str(path), st.st_size, st.st_mtime_ns)


def hash_inputs(files: Iterable[Path], root: Path) -> tuple[tuple[str, str], ...]:
    """(path relative to ``root`` in POSIX form, SHA-256) of each existing file, sorted by path;
    files outside ``root`` keep their name only. Missing files are left out."""
    out = {}
    for f in files:
        f = Path(f)
        if not f.is_file():
            continue
        try:
            name = f.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = f.name
        out[name] = file_hash(f)
    return tuple(sorted(out.items()))


def make_record(
    files: Iterable[Path],
    root: Path,
    *,
    package_version: str,
    scenario: str,
    perspective: str,
    seed: int,
    draws: int,
    overrides: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> RunRecord:
    """A :class:`RunRecord` for a run that read ``files`` (hashed relative to ``root``).

    The time is now (UTC), or ``SOURCE_DATE_EPOCH`` (seconds since 1970, the reproducible-builds
    convention) when that is set, so that two runs can be compared byte for byte.
    """
    when = (now or _epoch_time() or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    return RunRecord(
        package_version=package_version,
        inputs=hash_inputs(files, root),
        scenario=scenario,
        perspective=perspective,
        seed=int(seed),
        draws=int(draws),
        overrides=dict(overrides or {}),
        created_utc=when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    )


def _epoch_time() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC time, or None when unset or not a whole number of seconds."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(raw), dt.timezone.utc) if raw.isdigit() else None


def project_input_files(data_dir: Path, project_id: str) -> list[Path]:
    """Every data file an appraisal of ``project_id`` reads: the council registry and code lookup, the
    assumption book (levers, settings, scenarios, sources, correlations, every model file), the MCA
    criteria, the plan templates, the unit-cost library the outcome models value with, and every file in
    the project's workspace (project, baseline, overrides, scores, outcomes, council shares)."""
    a = data_dir / "assumptions"
    own = sorted(p for p in workspace.folder(project_id).iterdir() if p.suffix in (".yaml", ".csv", ".xlsx"))
    files = [
        data_dir / "projects" / workspace.PROGRAMME_FILE,
        data_dir / "councils.csv",
        data_dir / "official" / "rs_code_lookup.csv",
        *sorted(a.glob("*.yaml")),
        *sorted((a / "models").glob("*.yaml")),
        data_dir / "mca" / "criteria.yaml",
        *sorted((data_dir / "plans").rglob("*.yaml")),
        *sorted((data_dir / "unit_costs").glob("*.yaml")),
        *own,
    ]
    return [f for f in files if f.is_file()]
