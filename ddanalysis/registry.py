"""The programme's registry: its 11 councils and 10 projects (``data/councils.csv``, ``data/projects.yaml``)."""
from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config
from .errors import DataFileError, unknown
from .filestamp import Stamp, stamp
from .problems import Problems
from .yamlio import read_utf8, read_yaml_mapping

AUTHORITY_CLASSES = {"L", "MD", "UA", "SC", "SD", "O"}

#: Delivery models an appraisal can compare (one assumptions file each in data/assumptions/models/).
DELIVERY_MODELS = (
    "in-house", "in-house-redesign", "outsourcing", "shared-service", "trading-company", "mutual",
    "social-enterprise", "charitable-trust", "joint-venture", "community-led", "cooperative",
)
STATUS_QUO = "in-house"


class Project(BaseModel):
    """One project of the programme, as in ``data/projects.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
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

    @field_validator("shortlist")
    @classmethod
    def _shortlist_known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [m for m in value if m not in DELIVERY_MODELS]
        if bad:
            raise ValueError(f"unknown delivery model(s) {bad}; valid: {', '.join(DELIVERY_MODELS)}")
        if not value or value[0] != STATUS_QUO:
            raise ValueError(f"the short list must start with the status quo {STATUS_QUO!r}")
        return value


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
        raise DataFileError(f"{path}: not a readable council registry CSV ({exc}); expected a header row "
                            f"{','.join(_COUNCIL_COLUMNS)} and one row per council") from exc
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
    """One council by DCLG E-code or ONS code (never by name: names change between years)."""
    frame = councils(path)
    hit = frame[(frame.e_code == code) | (frame.ons_code == code)]
    if hit.empty:
        raise unknown("council", code, list(frame.e_code))
    return hit.iloc[0]


@lru_cache(maxsize=4)
def _projects_cached(path: Path, _stamp: Stamp) -> tuple[Project, ...]:
    shape = "a mapping with a 'projects' list"
    raw = read_yaml_mapping(path, "project registry", expected=shape)
    problems = Problems(path)
    if not isinstance(raw.get("projects"), list):
        problems.fail("", f"expected {shape}")
    known = set(councils().e_code)
    out = []
    for i, item in enumerate(raw["projects"]):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            project = Project.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                problems.add(f"project {label}", f"{'.'.join(map(str, err['loc']))}: {err['msg']}")
            continue
        missing = [c for c in project.councils + (project.lead_council,) if c not in known]
        if missing:
            problems.add(f"project {label}", f"council code(s) {missing} not in councils.csv")
        out.append(project)
    ids = [p.id for p in out]
    if len(set(ids)) != len(ids):
        problems.add("", f"duplicated project ids {sorted({i for i in ids if ids.count(i) > 1})}")
    problems.raise_if_any()
    return tuple(out)


def projects(path: Path | None = None) -> tuple[Project, ...]:
    """All projects, in the registry's order."""
    where = Path(path or config.data_path("projects.yaml"))
    return _projects_cached(where, stamp(where))


def project_ids() -> list[str]:
    """Stable ids of all projects (used in URLs, the CLI and file names)."""
    return [p.id for p in projects()]


def project(project_id: str) -> Project:
    """One project by id; an unknown id gets an error listing the valid ones."""
    for p in projects():
        if p.id == project_id:
            return p
    raise unknown("project", project_id, project_ids())


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
