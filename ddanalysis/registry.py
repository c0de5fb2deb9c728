"""The programme's registry: its 11 councils and 10 projects (``data/councils.csv``, ``data/projects.yaml``)."""
from __future__ import annotations

import datetime as dt
import io
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .yamlio import load_yaml_text, read_utf8
from . import config
from .errors import DataFileError, unknown

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


def _read_councils(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(io.StringIO(read_utf8(path)), dtype=str)
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: council registry not found") from exc
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise DataFileError(f"{path}: not a readable council registry CSV ({exc}); expected a header row "
                            "e_code,ons_code,name,authority_class,region and one row per council") from exc
    expected = ["e_code", "ons_code", "name", "authority_class", "region"]
    if list(frame.columns) != expected:
        raise DataFileError(f"{path}: columns {list(frame.columns)}; expected {expected}")
    for row, rec in enumerate(frame.itertuples(index=False), start=2):
        if not (isinstance(rec.e_code, str) and len(rec.e_code) == 5 and rec.e_code[0] == "E"):
            raise DataFileError(f"{path}, row {row}: e_code {rec.e_code!r} is not a DCLG E-code like 'E4606'")
        if not (isinstance(rec.ons_code, str) and len(rec.ons_code) == 9 and rec.ons_code[0] == "E"):
            raise DataFileError(f"{path}, row {row}: ons_code {rec.ons_code!r} is not a GSS code like 'E08000030'")
        if rec.authority_class not in AUTHORITY_CLASSES:
            raise DataFileError(f"{path}, row {row}: class {rec.authority_class!r} not one of {sorted(AUTHORITY_CLASSES)}")
    for col in ("e_code", "ons_code"):
        dup = frame[col].duplicated(keep=False)
        if dup.any():
            rows = [i + 2 for i in frame.index[dup]]  # row 1 is the header
            raise DataFileError(f"{path}, rows {rows}: duplicated {col} {sorted(set(frame[col][dup]))}; "
                                f"expected each council once")
    return frame


@lru_cache(maxsize=4)
def _councils_cached(path: Path) -> pd.DataFrame:
    return _read_councils(path)


def councils(path: Path | None = None) -> pd.DataFrame:
    """The programme's councils: ``e_code``, ``ons_code``, ``name``, ``authority_class``, ``region``."""
    return _councils_cached(Path(path or config.data_path("councils.csv"))).copy()


def council(code: str, path: Path | None = None) -> pd.Series:
    """One council by DCLG E-code or ONS code (never by name: names change between years)."""
    frame = councils(path)
    hit = frame[(frame.e_code == code) | (frame.ons_code == code)]
    if hit.empty:
        raise unknown("council", code, list(frame.e_code))
    return hit.iloc[0]


@lru_cache(maxsize=4)
def _projects_cached(path: Path) -> tuple[Project, ...]:
    try:
        raw = load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: project registry not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("projects"), list):
        raise DataFileError(f"{path}: expected a mapping with a 'projects' list")
    known = set(councils().e_code)
    out = []
    for i, item in enumerate(raw["projects"]):
        label = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
        try:
            project = Project.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise DataFileError(f"{path}, project {label}: {problems}") from exc
        missing = [c for c in project.councils + (project.lead_council,) if c not in known]
        if missing:
            raise DataFileError(f"{path}, project {label}: council code(s) {missing} not in councils.csv")
        out.append(project)
    ids = [p.id for p in out]
    if len(set(ids)) != len(ids):
        raise DataFileError(f"{path}: duplicated project ids {sorted({i for i in ids if ids.count(i) > 1})}")
    return tuple(out)


def projects(path: Path | None = None) -> tuple[Project, ...]:
    """All projects, in the registry's order."""
    return _projects_cached(Path(path or config.data_path("projects.yaml")))


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
