"""Migrate a workspace's files to this release's ``schema_version`` (``ddanalysis upgrade DIR``).

Migrations, oldest first (each takes a file's text at one version to the next):

- 0 -> 1: files from before versioning carry no ``schema_version``; version 1 adds the line
  ``schema_version: 1`` after the file's opening comments. Nothing else changes.

The old files are copied first to ``DIR/old-schema-<version>/`` (never overwritten: a second upgrade of
the same version adds ``-2``, ``-3``...); every new file is written whole (:mod:`ddanalysis.atomic`).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomic
from .errors import DataFileError, DDAnalysisError
from .workspace import PROJECT_FILE, SCHEMA_VERSION
from .yamlio import read_yaml_mapping

#: The workspace files that carry a schema version.
VERSIONED_FILES = (PROJECT_FILE, "baseline.yaml", "assumptions.yaml", "mca.yaml", "outcomes.yaml", "plan.yaml")


def _to_1(text: str) -> str:
    """0 -> 1: ``schema_version: 1`` after the opening comment lines."""
    lines = text.splitlines(keepends=True)
    head = 0
    while head < len(lines) and lines[head].lstrip().startswith("#"):
        head += 1
    return "".join(lines[:head]) + "schema_version: 1\n" + "".join(lines[head:])


#: version -> the migration from it to the next.
MIGRATIONS = {0: _to_1}


def file_version(path: Path) -> int:
    """A workspace file's ``schema_version`` (0 when it has none: a file from before versioning)."""
    raw = read_yaml_mapping(path, "workspace file")
    version = raw.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise DataFileError(f"{path}, schema_version: {version!r}; expected a whole number")
    if version > SCHEMA_VERSION:
        raise DDAnalysisError(
            f"{path}: schema_version {version} is newer than this release's {SCHEMA_VERSION}; "
            "use the release that wrote it, or a later one"
        )
    return version


def migrated(text: str, version: int) -> str:
    """``text`` of a file at ``version`` taken through every migration to :data:`SCHEMA_VERSION`."""
    for v in range(version, SCHEMA_VERSION):
        text = MIGRATIONS[v](text)
    return text


def _backup_dir(folder: Path, version: int) -> Path:
    base = folder / f"old-schema-{version}"
    n, where = 1, base
    while where.exists():
        n += 1
        where = base.with_name(f"{base.name}-{n}")
    return where


@dataclass(frozen=True)
class Upgraded:
    """What :func:`upgrade` did: the names of the files migrated (sorted; empty when every file was current)
    and the folder that keeps their old text (``None`` when nothing changed)."""

    changed: list[str]
    backup: Path | None


def upgrade(folder: str | Path) -> Upgraded:
    """Migrate every versioned file of the workspace at ``folder``; return the files changed and the folder
    keeping the old ones. Raises :class:`DataFileError` when ``folder`` is not a workspace."""
    where = Path(folder)
    if not (where / PROJECT_FILE).is_file():
        raise DataFileError(f"{where}: not a workspace (no {PROJECT_FILE}); nothing to upgrade")
    old = {name: file_version(where / name) for name in VERSIONED_FILES if (where / name).is_file()}
    stale = {name: v for name, v in old.items() if v < SCHEMA_VERSION}
    if not stale:
        return Upgraded(changed=[], backup=None)
    backup = _backup_dir(where, min(stale.values()))
    backup.mkdir()
    for name in stale:
        shutil.copy2(where / name, backup / name)
    for name, version in stale.items():
        text = migrated((where / name).read_text(encoding="utf-8"), version)
        write_atomic(where / name, text)
    return Upgraded(changed=sorted(stale), backup=backup)
