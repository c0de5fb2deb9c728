"""The registry: the programme's 11 councils (``data/councils.csv``), every English authority's codes
(``data/official/rs_code_lookup.csv``) and the projects, each read from its workspace folder
(:mod:`ddanalysis.workspace`; the bundled ten under ``data/projects/``)."""

from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from . import config, workspace
from .codes import AUTHORITY_CLASSES
from .errors import DataFileError, DDAnalysisError, unknown
from .filestamp import Stamp, stamp
from .problems import Problems
from .workspace import DELIVERY_MODELS, STATUS_QUO  # noqa: F401 - re-exported
from .yamlio import read_utf8
from .years import fy_start_year


class Project(BaseModel):
    """One project: what its workspace's ``project.yaml`` says, council codes as DCLG E-codes, the RS blocks
    and short list taken from its services; ``base_year`` the price base (``2014-15``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: the project's id; ``<project id>:<service id>`` for one service of a project whose services each have
    #: their own baseline (:func:`ddanalysis.workspace.service_ref`)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(:[a-z0-9]+(-[a-z0-9]+)*)?$")
    title: str
    councils: tuple[str, ...]
    lead_council: str
    services: tuple[str, ...]
    rs_services: tuple[str, ...]
    aims: tuple[str, ...]
    drivers: tuple[str, ...]
    partners: tuple[str, ...]
    shortlist: tuple[str, ...]
    plan_start: dt.date

    base_year: str = config.BASE_YEAR
    horizon: int | None = None
    illustrative: bool = False
    #: the councils' official RS net current expenditure on the services' blocks, GBP thousand, and its source
    official_rs_gbp_k: float | None = None
    official_rs_source: str = ""

    @field_validator("shortlist")
    @classmethod
    def _shortlist_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return workspace.check_shortlist(value)


_COUNCIL_COLUMNS = ["e_code", "ons_code", "name", "authority_class", "region"]


def _council_row_problems(rec: Any) -> list[str]:
    """What is wrong with one row of the council registry (empty when nothing is)."""
    found = []
    if not (isinstance(rec.e_code, str) and len(rec.e_code) == 5 and rec.e_code[0] == "E"):
        found.append(f"e_code {rec.e_code!r} is not a DCLG E-code like 'E4606'")
    if not (isinstance(rec.ons_code, str) and len(rec.ons_code) == 9 and rec.ons_code[0] == "E"):
        found.append(f"ons_code {rec.ons_code!r} is not a GSS code like 'E08000030'")
    if rec.authority_class not in AUTHORITY_CLASSES:
        found.append(f"class {rec.authority_class!r} not one of {sorted(AUTHORITY_CLASSES)}")
    return found


def _read_councils(path: Path) -> pd.DataFrame:
    """The council registry, checked whole: every problem is listed in one DataFileError."""
    try:
        frame = pd.read_csv(io.StringIO(read_utf8(path)), dtype=str)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: council registry not found") from exc
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise DataFileError(
            f"{path}: not a readable council registry CSV ({exc}); expected a header row "
            f"{','.join(_COUNCIL_COLUMNS)} and one row per council"
        ) from exc
    problems = Problems(path)
    if list(frame.columns) != _COUNCIL_COLUMNS:
        problems.fail("", f"columns {list(frame.columns)}; expected {_COUNCIL_COLUMNS}")
    for row, rec in enumerate(frame.itertuples(index=False), start=2):  # row 1 is the header
        problems.add_all(f"row {row}", _council_row_problems(rec))
    reported: set[int] = set()  # a council copied twice is one problem, not one per code
    for col in ("e_code", "ons_code"):
        dup = frame[col].duplicated(keep=False) & frame[col].notna()
        rows = [i + 2 for i in frame.index[dup]]
        if rows and not set(rows) <= reported:
            problems.add(f"rows {rows}", f"duplicated {col} {sorted(set(frame[col][dup]))}; expected each council once")
            reported.update(rows)
    problems.raise_if_any()
    return frame


@lru_cache(maxsize=4)
def _councils_cached(path: Path, _stamp: Stamp) -> pd.DataFrame:
    return _read_councils(path)


def councils(path: Path | None = None) -> pd.DataFrame:
    """The programme's councils: ``e_code``, ``ons_code``, ``name``, ``authority_class``, ``region``."""
    where = Path(path or config.data_path("councils.csv"))
    return _councils_cached(where, stamp(where)).copy()


def council(code: str, path: Path | None = None) -> pd.Series:
    """One council by DCLG E-code or ONS code (never by name: names change between years): the programme's
    registry, else any English authority in the all-authority lookup (``name``, ``authority_class``)."""
    frame = councils(path)
    hit = frame[(frame.e_code == code) | (frame.ons_code == code)]
    if hit.empty and path is None:  # beyond the programme: any English authority
        every = authorities()
        hit = every[(every.e_code == code) | ((every.ons_code == code) & (every.ons_code != ""))]
    if hit.empty:
        raise unknown("council", code, list(frame.e_code) + ["or any English authority's E-code or ONS code"])
    return hit.iloc[0]


#: The package's all-authority code lookup (built by ``make data`` from the official returns).
AUTHORITIES_CSV = ("official", "rs_code_lookup.csv")


@lru_cache(maxsize=4)
def _authorities_cached(path: Path, _stamp: Stamp) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(read_utf8(path)), dtype=str, keep_default_na=False)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: the all-authority code lookup is missing; rebuild it with `make data`") from exc
    need = ["e_code", "ons_code", "authority", "authority_class"]
    if not set(need) <= set(frame.columns):
        raise DataFileError(f"{path}: columns {list(frame.columns)}; expected at least {need}")
    return frame.rename(columns={"authority": "name"})[["e_code", "ons_code", "name", "authority_class"]]


def authorities() -> pd.DataFrame:
    """Every English authority in the official returns: ``e_code``, ``ons_code``, ``name``, ``authority_class``
    (``data/official/rs_code_lookup.csv``), the programme's councils first with their registry names."""
    where = config.data_path(*AUTHORITIES_CSV)
    own = councils()[["e_code", "ons_code", "name", "authority_class"]]
    rest = _authorities_cached(where, stamp(where))
    return pd.concat([own, rest[~rest.e_code.isin(own.e_code)]], ignore_index=True)


def council_codes() -> dict[str, str]:
    """E-code or ONS code -> DCLG E-code, for every English authority."""
    frame = authorities()
    codes = dict(zip(frame.e_code, frame.e_code, strict=True))
    codes.update({o: e for o, e in zip(frame.ons_code, frame.e_code, strict=True) if o})
    return codes


def _from_file(parsed: workspace.ProjectFile, path: Path) -> Project:
    """The :class:`Project` a workspace's ``project.yaml`` describes (council codes checked)."""
    problems = Problems(path)
    codes = council_codes()
    for i, code in enumerate(parsed.councils + ((parsed.lead_council,) if parsed.lead_council else ())):
        if code not in codes:
            key = f"councils.{i}" if i < len(parsed.councils) else "lead_council"
            problems.add(
                key,
                f"{code!r} is not an English authority's DCLG E-code (like 'E4606') or ONS code "
                "(like 'E08000030') in data/official/rs_code_lookup.csv",
            )
    problems.raise_if_any()
    e_codes = tuple(codes[c] for c in parsed.councils)
    lead = codes[parsed.lead_council] if parsed.lead_council else e_codes[0]
    if lead not in e_codes:
        problems.fail("lead_council", f"{lead} is not one of the project's councils {list(e_codes)}")
    return Project(
        id=parsed.id,
        title=parsed.title,
        councils=e_codes,
        lead_council=lead,
        services=tuple(s.title for s in parsed.services),
        rs_services=tuple(dict.fromkeys(s.rs_block for s in parsed.services)),
        aims=parsed.aims,
        drivers=parsed.drivers,
        partners=parsed.partners,
        shortlist=parsed.services[0].shortlist,
        plan_start=parsed.plan_start or dt.date(fy_start_year(parsed.base_year) + 1, 4, 1),
        base_year=parsed.base_year,
        horizon=parsed.horizon,
        illustrative=parsed.illustrative,
        official_rs_gbp_k=parsed.official.rs_net_current_gbp_k if parsed.official else None,
        official_rs_source=parsed.official.source if parsed.official else "",
    )


@lru_cache(maxsize=64)
def _project_cached(folder: Path, service: str | None, _stamp: Stamp) -> Project:
    parsed = workspace.read_project_file(folder)
    whole = _from_file(parsed, folder / workspace.PROJECT_FILE)
    return whole if service is None else _one_service(whole, parsed, service)


def _one_service(whole: Project, parsed: workspace.ProjectFile, service: str) -> Project:
    """One service of a project as a project of its own: id ``<project id>:<service id>``, title ``<project
    title>: <service title>``, its RS block and short list; councils, base year and the rest the project's. An
    unknown service id lists the known ones."""
    found = {s.id: s for s in parsed.services}
    if service not in found:
        raise unknown("service", service, list(found))
    s = found[service]
    return whole.model_copy(
        update={
            "id": workspace.service_ref(whole.id, s.id),
            "title": f"{whole.title}: {s.title}",
            "services": (s.title,),
            "rs_services": (s.rs_block,),
            "shortlist": s.shortlist,
        }
    )


def projects() -> tuple[Project, ...]:
    """The bundled projects (the programme), in the order of ``data/projects/programme.yaml``."""
    return tuple(project(pid) for pid in workspace.bundled_ids())


def project_ids() -> list[str]:
    """Stable ids of the bundled projects (used in URLs, the CLI and file names)."""
    return workspace.bundled_ids()


def project(ref: str) -> Project:
    """One project by id (bundled, or a workspace opened in this process) or by workspace folder; an unknown
    id gets an error listing the valid ones, a faulty ``project.yaml`` a DataFileError naming file and key."""
    folder = workspace.folder(ref)
    path = folder / workspace.PROJECT_FILE
    return _project_cached(folder, workspace.split_ref(workspace.resolve(ref))[1], stamp(path))


def service_projects(ref: str) -> tuple[Project, ...]:
    """The parts a project is appraised in: each service as its own project (:func:`project` of
    ``<id>:<service id>``) when its services have their own baselines, else the whole project alone (and a
    reference that names one service, that service alone)."""
    whole = project(ref)
    base_id, service = workspace.split_ref(whole.id)
    folder = workspace.folder(base_id)
    if service is not None or not workspace.has_service_baselines(folder):
        return (whole,)
    workspace.check_baseline_layout(folder)
    workspace.check_service_files(folder)
    ids = workspace.read_project_file(folder).service_ids
    return tuple(project(workspace.service_ref(base_id, sid)) for sid in ids)


def served_ids() -> list[str]:
    """The bundled ids, then the workspaces opened in this process or named in ``DDANALYSIS_WORKSPACES``
    (what the dashboards offer: ``ddanalysis dashboards DIR ...`` names them); a workspace whose services have
    their own baselines is offered service by service (``<id>:<service id>``, :func:`service_projects`)."""
    return [ref for pid in workspace.known_ids() for ref in _served_refs(pid)]


def _served_refs(pid: str) -> list[str]:
    """``[pid]``, or ``<pid>:<service id>`` for each service of a workspace whose services have their own
    baselines; a workspace that cannot be read is offered by its id, and its page reports what is wrong."""
    try:
        folder = workspace.folder(pid)
        if not workspace.has_service_baselines(folder):
            return [pid]
        return [workspace.service_ref(pid, sid) for sid in workspace.read_project_file(folder).service_ids]
    except DDAnalysisError:
        return [pid]


def served_projects() -> tuple[Project, ...]:
    """The projects of :func:`served_ids`, in that order."""
    return tuple(project(pid) for pid in served_ids())


def council_name(code: str) -> str:
    """An authority's name by E-code or ONS code (the programme's registry name first)."""
    return str(council(code)["name"])


def projects_frame() -> pd.DataFrame:
    """The projects as a table (one row each) with the lead council's name."""
    names = councils().set_index("e_code")["name"]
    rows = [
        {
            "id": p.id,
            "title": p.title,
            "councils": " + ".join(names[c] for c in p.councils),
            "lead_council": p.lead_council,
            "services": "; ".join(p.services),
            "shortlist": ", ".join(p.shortlist),
            "plan_start": p.plan_start.isoformat(),
        }
        for p in projects()
    ]
    return pd.DataFrame(rows)
