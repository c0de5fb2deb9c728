"""Workspaces: the folder that holds one appraisal, bundled or a council's own.

A workspace is a folder with ``project.yaml`` (what is appraised: councils, base year, services and
their short lists) and a baseline (``baseline.csv`` or ``baseline.xlsx``, the input workbook of
``ddanalysis template``), and optionally ``assumptions.yaml`` (overrides of the bundled assumptions),
``mca.yaml`` (scores) and ``outcomes.yaml`` (the outcome model). What is absent comes from the bundled
defaults. The ten bundled projects are workspaces under ``data/projects/<id>/``, listed in order in
``data/projects/programme.yaml``, and are read by the same code.

A project is named by a *reference*: a bundled id, the id of a workspace opened earlier in this
process (:func:`open_workspace`) or named in ``DDANALYSIS_WORKSPACES`` (folders separated by the
path separator; how the dashboards' kernels find the workspaces they serve), or a folder path.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Mapping, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config
from .errors import DataFileError, DDAnalysisError, unknown
from .problems import Problems, validation_message
from .yamlio import read_yaml_mapping
from .years import FinancialYear

ModelT = TypeVar("ModelT", bound=BaseModel)

#: The format of workspace files this release reads and writes; older files need ``ddanalysis upgrade``.
SCHEMA_VERSION = 1
PROJECT_FILE = "project.yaml"
PROGRAMME_FILE = "programme.yaml"
#: A workspace's own extract of its councils' official outturn (written by ``ddanalysis new`` from the official
#: files, in the layout of the bundled ``data/official/rs_programme_councils.csv``): its spending trend.
OUTTURN_FILE = "official_outturn.csv"
#: The files a workspace is read from (with each service's own, see raw_input_of): raw data no output replaces.
INPUT_FILES = frozenset(
    {
        PROJECT_FILE,
        PROGRAMME_FILE,
        OUTTURN_FILE,
        "baseline.csv",
        "baseline.xlsx",
        "baseline.yaml",
        "assumptions.yaml",
        "sources.yaml",
        "mca.yaml",
        "outcomes.yaml",
        "council_shares.yaml",
        "plan.yaml",
        "price_index.yaml",
        "evidence_grades.yaml",
    }
)
BUNDLED_DIR_NAME = "projects"
WORKSPACES_ENV = "DDANALYSIS_WORKSPACES"
BASELINE_SUFFIXES = (".csv", ".xlsx")
#: Between a project's id and one of its services' ids in a *service reference* (``devon-services:libraries``):
#: how the engine names one service of a project whose services each have their own baseline.
SERVICE_SEP = ":"

#: Delivery models an appraisal can compare (one assumptions file each in data/assumptions/models/).
DELIVERY_MODELS = (
    "in-house",
    "in-house-redesign",
    "outsourcing",
    "shared-service",
    "trading-company",
    "mutual",
    "social-enterprise",
    "charitable-trust",
    "joint-venture",
    "community-led",
    "cooperative",
)
STATUS_QUO = "in-house"

_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"

#: Workspaces opened in this process: id -> folder (so a result's id finds its files again).
_OPENED: dict[str, Path] = {}


def check_shortlist(value: tuple[str, ...]) -> tuple[str, ...]:
    """``value`` when every entry is a delivery model and the first is the status quo; else ValueError
    (pydantic turns it into a validation problem)."""
    bad = [m for m in value if m not in DELIVERY_MODELS]
    if bad:
        raise ValueError(f"unknown delivery model(s) {bad}; valid: {', '.join(DELIVERY_MODELS)}")
    if not value or value[0] != STATUS_QUO:
        raise ValueError(f"the short list must start with the status quo {STATUS_QUO!r}")
    return value


class Service(BaseModel):
    """One service of a workspace: ``rs_block`` is the RS service block key that holds it
    (:data:`ddanalysis.sources.SERVICE_KEYS`, e.g. ``cultural``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    rs_block: str
    shortlist: tuple[str, ...]

    @field_validator("shortlist")
    @classmethod
    def _shortlist_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_shortlist(value)


class OfficialFigure(BaseModel):
    """The councils' official RS net current expenditure on the project's block(s), GBP thousand (written by
    ``ddanalysis new``): a baseline's net budget well above it is refused as a likely unit mistake."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rs_net_current_gbp_k: float = Field(gt=0)
    source: str = Field(min_length=10)


class ProjectFile(BaseModel):
    """``project.yaml`` of a workspace, as written (keys and meaning in ``docs/workspaces.md``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    councils: tuple[str, ...] = Field(min_length=1)
    lead_council: str | None = None
    base_year: FinancialYear = config.BASE_YEAR
    horizon: int | None = Field(default=None, ge=1, le=100)
    plan_start: dt.date | None = None
    illustrative: bool = False
    aims: tuple[str, ...] = ()
    drivers: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    services: tuple[Service, ...]
    official: OfficialFigure | None = None

    @property
    def service_ids(self) -> tuple[str, ...]:
        """The services' ids, in the file's order."""
        return tuple(s.id for s in self.services)


def validation_problems(problems: Problems, exc: ValidationError, model: type[BaseModel]) -> None:
    """Add pydantic's errors to ``problems``, each at its key; an unknown key says which keys are expected."""
    for err in exc.errors():
        loc = ".".join(map(str, err.get("loc", ())))
        if err.get("type") == "extra_forbidden":
            owner = model
            for part in err["loc"][:-1]:  # a mapping's key or a list's index keeps the owner
                field = owner.model_fields.get(str(part)) if isinstance(part, str) else None
                owner = _inner_model(field.annotation) if field is not None else owner
            problems.add(f"field '{loc}'", f"unknown key; expected one of {', '.join(owner.model_fields)}")
        else:
            problems.add(f"field '{loc}'" if loc else "", validation_message(err))


def parse_model(model: type[ModelT], raw: Mapping[str, Any], problems: Problems) -> ModelT:
    """``raw`` (a file's mapping) validated as ``model``; on failure every error goes into ``problems`` at its
    key (:func:`validation_problems`) and :class:`~ddanalysis.errors.DataFileError` is raised with them all,
    together with anything ``problems`` already held."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        validation_problems(problems, exc, model)
        problems.raise_if_any()
        raise  # pragma: no cover - raise_if_any raised


def _inner_model(annotation: object) -> type[BaseModel]:
    """The pydantic model a field holds (``Service`` of ``tuple[Service, ...]``, ``ModelPlan`` of
    ``dict[str, ModelPlan]``, or the field's own model)."""
    for arg in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return BaseModel


def bundled_root() -> Path:
    """``data/projects``: the bundled workspaces and ``programme.yaml``."""
    return config.data_path(BUNDLED_DIR_NAME)


def bundled_ids() -> list[str]:
    """The bundled projects' ids, in the programme's order (``data/projects/programme.yaml``)."""
    path = bundled_root() / PROGRAMME_FILE
    raw = read_yaml_mapping(path, "programme list", expected="a mapping with a 'projects' list of ids")
    problems = Problems(path)
    check_version(raw, path, problems)
    ids = raw.get("projects")
    if not isinstance(ids, list) or not all(isinstance(i, str) and re.match(_ID, i) for i in ids):
        problems.fail("projects", "expected a list of project ids (lower case words joined by '-')")
    problems.raise_if_any()
    return list(ids)


def version_field(value: int | None) -> int | None:
    """Pydantic check of the optional ``schema_version`` of a workspace's other files (mca, outcomes, assumptions,
    baseline.yaml): absent or this release's; an older one names ``ddanalysis upgrade``."""
    if value is None or value == SCHEMA_VERSION:
        return value
    if value < SCHEMA_VERSION:
        raise ValueError(
            f"{value}, older than this release's {SCHEMA_VERSION}: run `ddanalysis upgrade` on the "
            "workspace folder to migrate it (it keeps a copy)"
        )
    raise ValueError(f"{value}; this release reads schema_version {SCHEMA_VERSION}")


def check_version(raw: dict, path: Path, problems: Problems) -> None:
    """Add a problem when a workspace file's ``schema_version`` is missing, older or newer than this release's."""
    version = raw.get("schema_version")
    if version == SCHEMA_VERSION:
        return
    if isinstance(version, int) and not isinstance(version, bool) and version < SCHEMA_VERSION:
        problems.add(
            "schema_version",
            f"{version}, older than this release's {SCHEMA_VERSION}: run "
            f"`ddanalysis upgrade {path.parent}` to migrate the workspace (it keeps a copy)",
        )
    elif version is None:
        problems.add(
            "schema_version",
            f"missing (a file from before versioning); run `ddanalysis upgrade "
            f"{path.parent}` to migrate the workspace (it keeps a copy)",
        )
    else:
        problems.add(
            "schema_version",
            f"{version!r}; this release reads schema_version {SCHEMA_VERSION}: "
            "use the release that wrote the file, or a later one",
        )


def read_project_file(folder: Path) -> ProjectFile:
    """``folder/project.yaml`` validated; every problem listed in one :class:`DataFileError` naming the file and key."""
    path = folder / PROJECT_FILE
    if not path.is_file():
        raise DataFileError(
            f"{folder}: not a workspace (no {PROJECT_FILE}); create one with `ddanalysis new "
            f"{folder} --council CODE --service KEY`"
        )
    raw = read_yaml_mapping(
        path, "workspace project file", expected="a mapping with schema_version, id, title, councils and services"
    )
    problems = Problems(path)
    check_version(raw, path, problems)
    problems.raise_if_any()
    parsed = parse_model(ProjectFile, raw, problems)
    if not parsed.services:
        problems.add("services", "empty; expected at least one service (id, title, rs_block, shortlist)")
    ids = [s.id for s in parsed.services]
    if len(set(ids)) != len(ids):
        problems.add("services", f"duplicated service ids {sorted({i for i in ids if ids.count(i) > 1})}")
    _check_blocks(parsed, problems)
    problems.raise_if_any()
    return parsed


def _check_blocks(parsed: ProjectFile, problems: Problems) -> None:
    from .sources.rs import SERVICE_KEYS  # late import: the sources package imports the registry

    for i, s in enumerate(parsed.services):
        if s.rs_block not in SERVICE_KEYS:
            problems.add(
                f"services.{i}.rs_block",
                f"{s.rs_block!r} is not an RS service block; expected one of {', '.join(SERVICE_KEYS)}",
            )


def _env_folders() -> dict[str, Path]:
    """id -> folder of each workspace named in ``DDANALYSIS_WORKSPACES``."""
    out: dict[str, Path] = {}
    for part in filter(None, os.environ.get(WORKSPACES_ENV, "").split(os.pathsep)):
        folder = Path(part).resolve()
        out[read_project_file(folder).id] = folder
    return out


def open_workspace(path: str | Path) -> str:
    """Validate the workspace at ``path`` and remember it for this process; return its id.

    Raises :class:`DataFileError` when the folder is not a workspace and :class:`DDAnalysisError`
    when its id is a bundled project's."""
    folder = Path(path).resolve()
    pid = read_project_file(folder).id
    bundled = bundled_root().resolve() / pid
    if pid in bundled_ids() and folder != bundled:
        raise DDAnalysisError(
            f"{folder / PROJECT_FILE}: id {pid!r} is a bundled project's id; give the workspace "
            "an id of its own (lower case words joined by '-')"
        )
    _OPENED[pid] = folder  # a later folder with the same id replaces an earlier one
    return pid


def is_path(ref: str) -> bool:
    """True when a project reference names a folder rather than an id."""
    return os.sep in ref or "/" in ref or ref in (".", "..") or Path(ref).is_dir()


def service_ref(project_id: str, service_id: str) -> str:
    """The reference of one service of a project (``devon-services:libraries``)."""
    return f"{project_id}{SERVICE_SEP}{service_id}"


def split_ref(ref: str | Path) -> tuple[str, str | None]:
    """(project reference, service id or None) of a reference: ``devon-services:libraries`` ->
    ``("devon-services", "libraries")``, ``my/folder:libraries`` -> ``("my/folder", "libraries")``; a folder path
    or a plain id has no service (nor has an existing folder whose name holds the separator)."""
    text = str(ref)
    head, sep, tail = text.rpartition(SERVICE_SEP)
    if sep and head and re.match(_ID, tail) and not Path(text).is_dir():
        return head, tail
    return text, None


def resolve(ref: str | Path) -> str:
    """The id of the project ``ref`` names (an id, or a workspace folder, which is opened), with its
    ``:<service id>`` when it names one service."""
    base, service = split_ref(ref)
    pid = open_workspace(base) if is_path(base) else base
    return service_ref(pid, service) if service else pid


def folder(ref: str | Path) -> Path:
    """The workspace folder of a project reference; an unknown id gets an error listing the known ones."""
    pid = split_ref(resolve(ref))[0]
    if pid in bundled_ids():
        return bundled_root() / pid
    if pid in _OPENED:
        return _OPENED[pid]
    env = _env_folders()
    if pid in env:
        return env[pid]
    raise unknown("project", pid, bundled_ids() + sorted(set(_OPENED) | set(env)))


def known_ids() -> list[str]:
    """Bundled ids, then the workspaces opened or named in ``DDANALYSIS_WORKSPACES``."""
    return list(dict.fromkeys(bundled_ids() + sorted(_OPENED) + sorted(_env_folders())))


def _baseline_candidates(where: Path, stem: str) -> list[Path]:
    return [where / f"{stem}{s}" for s in BASELINE_SUFFIXES if (where / f"{stem}{s}").is_file()]


def per_service_baselines(where: Path) -> list[Path]:
    """The per-service baselines of a workspace (``baseline-<service id>.csv|xlsx``), by name."""
    return sorted(p for p in where.glob("baseline-*") if p.suffix in BASELINE_SUFFIXES and p.is_file())


def has_service_baselines(where: Path) -> bool:
    """True when the workspace gives each service its own baseline (``baseline-<service id>.csv|xlsx``)."""
    return bool(per_service_baselines(where))


def baseline_file(where: Path, service: str | None = None) -> Path:
    """The baseline of a workspace: ``baseline.csv`` or ``baseline.xlsx`` (exactly one), or with ``service``
    that service's ``baseline-<service id>.csv|xlsx`` when the services have their own.

    Raises :class:`DataFileError` naming the folder and what was expected when there is none, two of
    one kind, a shared baseline beside per-service ones, or a per-service one for no service of the project."""
    check_baseline_layout(where)
    shared = _baseline_candidates(where, "baseline")
    stem = f"baseline-{service}" if service and not shared else "baseline"
    found = _baseline_candidates(where, stem)
    if len(found) == 1:
        return found[0]
    if not found and service is None and has_service_baselines(where):
        raise DataFileError(
            f"{where}: each service has its own baseline; appraise the project with `ddanalysis appraise "
            f"{where}` (every service, summed) or name one service as {where}{SERVICE_SEP}<service id> "
            f"(one of {', '.join(read_project_file(where).service_ids)})"
        )
    what = (
        f"both {stem}.csv and {stem}.xlsx; keep one"
        if found
        else f"no baseline: expected {stem}.xlsx (from `ddanalysis template`) or {stem}.csv"
    )
    raise DataFileError(f"{where}: {what}")


def check_baseline_layout(where: Path) -> None:
    """Refuse a workspace whose baselines do not fit its services: per-service baselines beside a shared one,
    one for an id that is not a service of ``project.yaml``, or a service without one when others have theirs.
    Raises :class:`DataFileError` naming the folder, the files and what was expected."""
    own = per_service_baselines(where)
    if not own:
        return
    ids = read_project_file(where).service_ids
    shared = _baseline_candidates(where, "baseline")
    problems = Problems(where)
    if shared:
        problems.add(
            ", ".join(p.name for p in shared + own),
            "both a shared baseline and per-service baselines; expected either one baseline.xlsx|csv for the "
            "whole project or one baseline-<service id>.xlsx|csv per service",
        )
    for p in own:
        sid = p.stem.removeprefix("baseline-")
        if sid not in ids:
            problems.add(p.name, f"{sid!r} is not a service of project.yaml; expected one of {', '.join(ids)}")
    missing = [i for i in ids if not _baseline_candidates(where, f"baseline-{i}")]
    if missing and not shared:
        names = ", ".join(f"baseline-{i}.xlsx|csv" for i in missing)
        problems.add("", f"services {missing} have no baseline while others have their own; expected {names}")
    problems.raise_if_any()


#: Files a service of a project appraised by service has of its own (``mca-<service id>.yaml``, ...).
SERVICE_FILES = ("mca.yaml", "outcomes.yaml")


def service_file(ref: str | Path, name: str) -> Path:
    """``name`` in the project's workspace; for one service (``<id>:<service id>``) and a file of
    :data:`SERVICE_FILES`, that service's own (``mca-<service id>.yaml``). It may not exist."""
    service = split_ref(resolve(ref))[1]
    if service is not None and name in SERVICE_FILES:
        stem, _, suffix = name.rpartition(".")
        name = f"{stem}-{service}.{suffix}"
    return folder(ref) / name


def check_service_files(where: Path) -> None:
    """Refuse a workspace appraised by service (its services have their own baselines) that holds one shared
    ``mca.yaml`` or ``outcomes.yaml``: each service has its own short list, so its scores and outcomes are its
    own (``mca-<service id>.yaml``). Raises :class:`DataFileError` naming the files and what was expected."""
    if not has_service_baselines(where):
        return
    ids = read_project_file(where).service_ids
    problems = Problems(where)
    for name in SERVICE_FILES:
        if (where / name).is_file():
            stem = name.rpartition(".")[0]
            problems.add(
                name,
                f"one {name} for services appraised each on its own short list; expected one per service: "
                + ", ".join(f"{stem}-{i}.yaml" for i in ids),
            )
    problems.raise_if_any()


def optional_file(ref: str | Path, name: str) -> Path | None:
    """``name`` in the project's workspace when it exists (None: use the bundled default)."""
    path = folder(ref) / name
    return path if path.is_file() else None


def input_origins(ref: str | Path) -> dict[str, str]:
    """Which of a project's inputs are its own (a file in its workspace) and which the bundled defaults, in words
    (keys ``baseline``, ``assumptions``, ``mca_scores``, ``outcomes``, ``plans``,
    ``council_shares``), for the outputs' provenance."""
    where = folder(ref)
    own = {
        name: service_file(ref, name).is_file()
        for name in ("assumptions.yaml", "mca.yaml", "outcomes.yaml", "plan.yaml", "council_shares.yaml")
    }
    try:
        baseline = f"the project's own ({baseline_file(where, split_ref(resolve(ref))[1]).name})"
    except DDAnalysisError:
        baseline = "missing"
    return {
        "baseline": baseline,
        "assumptions": "bundled defaults, with the project's own values from assumptions.yaml (column 'origin')"
        if own["assumptions.yaml"]
        else "bundled defaults (no assumptions.yaml)",
        "mca_scores": f"the project's own ({service_file(ref, 'mca.yaml').name})"
        if own["mca.yaml"]
        else "DEFAULT: every option scored 5 (neutral) on every criterion (no mca.yaml)",
        "outcomes": f"the project's own ({service_file(ref, 'outcomes.yaml').name})"
        if own["outcomes.yaml"]
        else "none: no outcome model (no outcomes.yaml), so no benefit is monetised",
        "plans": "the plan templates, with the project's own settings (start, durations, risks: plan.yaml)"
        if own["plan.yaml"]
        else "the bundled plan templates, from the project's plan_start (no plan.yaml)",
        "council_shares": "the project's own (council_shares.yaml)"
        if own["council_shares.yaml"]
        else "DEFAULT: one council bears it all, several share it equally (no council_shares.yaml)",
    }


def raw_input_of(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` is raw input that no output may replace, in words: a file of the bundled data folder
    (``config.DATA_DIR``) or of the official returns' folder (``config.OFFICIAL_DIR``), or one of a workspace's
    input files (in a folder holding ``project.yaml``: a name in :data:`INPUT_FILES`, or a service's own
    ``baseline-<id>.csv|xlsx``, ``mca-<id>.yaml`` or ``outcomes-<id>.yaml``; names compared without case, as a
    case-insensitive disk would); None when it is none of these. Outputs are checked against it before any work
    is done."""
    target = Path(path).expanduser().resolve()
    for folder, what in (
        (config.DATA_DIR, "the bundled data folder"),
        (config.OFFICIAL_DIR, "the official returns' folder"),
    ):
        if target.is_relative_to(folder.expanduser().resolve()):
            return f"a file of {what} ({folder})"
    if _is_input_name(target.name) and (target.parent / PROJECT_FILE).is_file():
        return f"an input file of the workspace {target.parent}"
    return None


#: A service's own input file in a workspace appraised by service (:func:`baseline_file`, :func:`service_file`).
_SERVICE_INPUT = re.compile(r"(baseline-[^/]+\.(csv|xlsx)|(mca|outcomes)-[^/]+\.yaml)", re.IGNORECASE)


def _is_input_name(name: str) -> bool:
    """Whether a file called ``name`` in a workspace folder is one of its inputs (case ignored)."""
    return name.lower() in {n.lower() for n in INPUT_FILES} or bool(_SERVICE_INPUT.fullmatch(name))
