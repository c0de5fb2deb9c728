"""The unit-cost library (``data/unit_costs/*.yaml``): what one outcome costs, and who bears it.

One job: read, validate and re-base unit costs. Each unit cost is the cost of one outcome (an
incident, a person-year in a care home, a victim-year of domestic abuse...) in **GBP, in the prices
of its own financial year** (``price_base``), split into **components**, each borne by one
**agency** (:data:`AGENCIES`) as one **kind** of value (:data:`KINDS`):

* ``fiscal_cashable``: a budget can actually fall (a placement not bought);
* ``fiscal_non_cashable``: capacity freed (police or A&E time), no budget falls;
* ``economic``: output gained by individuals or businesses (earnings, productivity);
* ``social``: wellbeing and health valued in money (physical and emotional harm avoided).

Every unit cost has a source (publisher, title, year, locator, link), ``verified`` (was the value
checked against the source's own table?) and a quality rating; an unverified value is always
``red``. :func:`load_library` reads every file of a folder and raises ONE
:class:`~ddanalysis.errors.DataFileError` listing every problem (file and key) at once.

:func:`rebase` brings a value to the appraisal's price base with a deflator series
(``{financial year: index}``, any base): ``value x index[base_year] / index[price_base]``.

Example::

    >>> lib = load_library()                          # doctest: +SKIP
    >>> cost = lib["laing-care-home-floor-2008-09"]   # doctest: +SKIP
    >>> cost.value_gbp, cost.price_base               # doctest: +SKIP
    (24142.86, '2008-09')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Literal, Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from . import config
from .errors import DataFileError
from .problems import validation_message
from .yamlio import load_yaml_text, read_utf8
from .years import fy_start_year

#: Who bears (or gains) a value. ``other`` needs a ``who`` label (victims, employers, courts...).
AGENCIES: tuple[str, ...] = ("council", "nhs", "police", "schools", "dwp", "other")
#: The four kinds of value of the HM Treasury / New Economy method; the first two are fiscal.
KINDS: tuple[str, ...] = ("fiscal_cashable", "fiscal_non_cashable", "economic", "social")
FISCAL_KINDS: tuple[str, ...] = ("fiscal_cashable", "fiscal_non_cashable")
QUALITIES: tuple[str, ...] = ("green", "amber", "red")

UNIT_COSTS_DIR_NAME = "unit_costs"
#: The file of evidence grades (optimism-bias haircuts on benefits) kept beside the unit costs.
GRADES_FILE = "evidence_grades.yaml"

#: Two components may differ from a stated total by this much (GBP) through rounding.
TOTAL_TOLERANCE_GBP = 1.0


class Source(BaseModel):
    """Where a figure comes from: enough for a reader to find the table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: str = Field(min_length=1)
    title: str = Field(min_length=1)
    year: int = Field(ge=1990, le=2100)
    locator: str = Field(min_length=1, description="table, page or sheet and row")
    link: str | None = None
    read: str | None = Field(default=None, description="what the team actually read, and where")


class Component(BaseModel):
    """One agency's share of a unit cost, of one kind (GBP, in the unit cost's price base)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    agency: Literal["council", "nhs", "police", "schools", "dwp", "other"]
    kind: Literal["fiscal_cashable", "fiscal_non_cashable", "economic", "social"]
    value_gbp: float = Field(ge=0)
    who: str | None = Field(default=None, description="who exactly (required for agency 'other')")
    note: str | None = None

    @field_validator("value_gbp")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


class UnitCost(BaseModel):
    """One entry of the library. ``value_gbp`` is the sum of the components."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="per incident, per person per year, ...")
    price_base: str
    components: tuple[Component, ...] = Field(min_length=1)
    total_gbp: float | None = Field(default=None, description="the source's own total, checked against the components")
    source: Source
    verified: bool
    quality: Literal["green", "amber", "red"]
    split_basis: str | None = Field(default=None, description="how the total was split between agencies and kinds")
    note: str | None = None

    @field_validator("price_base")
    @classmethod
    def _fy(cls, v: str) -> str:
        fy_start_year(v)  # ValueError names the bad label
        return v

    @property
    def value_gbp(self) -> float:
        """The whole unit cost (GBP, price base ``price_base``): the sum of the components."""
        return float(sum(c.value_gbp for c in self.components))

    def by_agency_kind(self) -> dict[tuple[str, str], float]:
        """``{(agency, kind): GBP}`` in the unit cost's own price base (components summed)."""
        out: dict[tuple[str, str], float] = {}
        for c in self.components:
            out[(c.agency, c.kind)] = out.get((c.agency, c.kind), 0.0) + c.value_gbp
        return out


class EvidenceGrade(BaseModel):
    """One row of the evidence-grade table: the haircut on an effect graded this way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    grade: int = Field(ge=1)
    description: str
    haircut: float = Field(ge=0, le=1)


class EvidenceGrades(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str
    source: Source
    verified: bool
    quality: Literal["green", "amber", "red"]
    note: str | None = None
    grades: tuple[EvidenceGrade, ...] = Field(min_length=1)

    def haircut(self, grade: int) -> float:
        for g in self.grades:
            if g.grade == grade:
                return g.haircut
        raise KeyError(grade)


@dataclass(frozen=True)
class UnitCostLibrary:
    """The validated library: unit costs by id, the file each came from, and the evidence grades."""

    costs: Mapping[str, UnitCost]
    files: Mapping[str, Path]
    grades: EvidenceGrades | None = None

    def __getitem__(self, unit_cost_id: str) -> UnitCost:
        return self.costs[unit_cost_id]

    def __contains__(self, unit_cost_id: object) -> bool:
        return unit_cost_id in self.costs

    def __iter__(self) -> Iterator[str]:
        return iter(self.costs)

    def __len__(self) -> int:
        return len(self.costs)

    def verified_counts(self) -> dict[str, int]:
        """``{'verified': n, 'unverified': m}``: how many values were checked against their source."""
        n = sum(1 for c in self.costs.values() if c.verified)
        return {"verified": n, "unverified": len(self.costs) - n}


def _loc(err: dict[str, Any]) -> str:
    return ".".join(str(p) for p in err["loc"])


def _pydantic_problems(where: str, exc: ValidationError) -> list[str]:
    out = []
    errors = exc.errors()
    deeper = {tuple(e["loc"][:i]) for e in errors for i in range(1, len(e["loc"]))}
    for err in errors:
        if err["type"] == "too_short" and tuple(err["loc"]) in deeper:
            continue  # a list emptied by its items' own errors: those errors say it better
        loc = _loc(dict(err))
        if err["type"] == "missing" and loc.endswith("source"):
            out.append(f"{where}: no source; every unit cost needs source: {{publisher, title, year, locator, link}}")
        else:
            out.append(f"{where}{'.' + loc if loc else ''}: {validation_message(err)}")
    return out


def _entry_name(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"]
    return f"unit_costs[{index}]"


def _check_cost(cost: UnitCost, where: str) -> list[str]:
    problems = []
    if not cost.verified and cost.quality != "red":
        problems.append(f"{where}: verified is false, so quality must be 'red' (it is {cost.quality!r})")
    for i, comp in enumerate(cost.components):
        if comp.agency == "other" and not comp.who:
            problems.append(f"{where}.components[{i}]: agency 'other' needs 'who' (victims, employers, courts...)")
    if cost.total_gbp is not None and abs(cost.total_gbp - cost.value_gbp) > TOTAL_TOLERANCE_GBP:
        problems.append(f"{where}: components sum to {cost.value_gbp:,.2f} but total_gbp is {cost.total_gbp:,.2f}")
    if cost.value_gbp <= 0:
        problems.append(f"{where}: the components sum to zero; a unit cost must be positive")
    return problems


def _read(path: Path, problems: list[str]) -> Any:
    try:
        return load_yaml_text(read_utf8(path))
    except DataFileError as exc:
        problems.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - a YAML syntax error, reported with the others
        problems.append(f"{path}: not valid YAML ({exc})")
    return None


def parse_unit_cost_file(path: Path, raw: Any, problems: list[str]) -> list[UnitCost]:
    """Validate one file's parsed YAML (``{unit_costs: [...]}``), appending problems; return the good entries."""
    if not isinstance(raw, dict) or not isinstance(raw.get("unit_costs"), list):
        problems.append(f"{path}: expected a mapping with a 'unit_costs' list at the top level")
        return []
    extra = set(raw) - {"unit_costs", "family", "description", "note"}
    if extra:
        problems.append(
            f"{path}: unknown top-level key(s) {sorted(extra)}; expected family, description, note, unit_costs"
        )
    out = []
    for i, entry in enumerate(raw["unit_costs"]):
        where = f"{path}: {_entry_name(entry, i)}"
        if isinstance(entry, dict) and not entry.get("source"):
            problems.append(
                f"{where}: no source; every unit cost needs source: {{publisher, title, year, locator, link}}"
            )
            continue
        try:
            cost = UnitCost.model_validate(entry)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(where, exc))
            continue
        problems.extend(_check_cost(cost, where))
        out.append(cost)
    return out


def load_library(directory: Path | str | None = None) -> UnitCostLibrary:
    """Read and validate every ``*.yaml`` unit-cost file in ``directory`` (default ``data/unit_costs``).

    The evidence-grade table (``evidence_grades.yaml``) is read too when present. Duplicate ids
    across files, a missing source, an unknown agency or kind, ``verified: false`` not rated red,
    components that do not add to a stated total: all are collected and raised together in ONE
    :class:`DataFileError`, each line naming the file and the unit cost's id. Does not modify files.
    """
    folder = Path(directory) if directory is not None else config.data_path(UNIT_COSTS_DIR_NAME)
    if not folder.is_dir():
        raise DataFileError(f"{folder}: unit-cost folder not found")
    problems: list[str] = []
    costs: dict[str, UnitCost] = {}
    files: dict[str, Path] = {}
    grades: EvidenceGrades | None = None
    for path in sorted(folder.glob("*.yaml")):
        raw = _read(path, problems)
        if raw is None:
            continue
        if path.name == GRADES_FILE:
            try:
                grades = EvidenceGrades.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_pydantic_problems(f"{path}", exc))
                continue
            if not grades.verified and grades.quality != "red":
                problems.append(f"{path}: verified is false, so quality must be 'red'")
            continue
        for cost in parse_unit_cost_file(path, raw, problems):
            if cost.id in costs:
                problems.append(f"{path}: {cost.id}: duplicate id (also in {files[cost.id]})")
                continue
            costs[cost.id] = cost
            files[cost.id] = path
    if problems:
        raise DataFileError(f"{len(problems)} problem(s) in the unit-cost library:\n- " + "\n- ".join(problems))
    return UnitCostLibrary(costs=costs, files=files, grades=grades)


def deflator_ratio(deflator: Mapping[str, float], from_year: str, to_year: str) -> float:
    """``index[to_year] / index[from_year]``: multiply a ``from_year`` price by this to get ``to_year`` prices.

    ``deflator`` maps financial-year labels ('2014-15') to a price index (any base). A year missing
    from the series is a :class:`DataFileError` naming it and the years available.
    """
    missing = [y for y in (from_year, to_year) if y not in deflator]
    if missing:
        have = sorted(deflator)
        raise DataFileError(
            f"deflator has no index for {', '.join(missing)}; it covers "
            f"{have[0] if have else '-'} to {have[-1] if have else '-'}"
        )
    lo, hi = float(deflator[from_year]), float(deflator[to_year])
    if not (lo > 0 and hi > 0):
        raise DataFileError(f"deflator index must be positive (got {from_year}: {lo}, {to_year}: {hi})")
    return hi / lo


def rebase(value_gbp: float, price_base: str, base_year: str, deflator: Mapping[str, float]) -> float:
    """A GBP value in ``price_base`` prices re-expressed in ``base_year`` prices (real terms).

    >>> rebase(100.0, "2016-17", "2014-15", {"2014-15": 100.0, "2016-17": 102.8})
    97.27626459143968
    """
    return value_gbp * deflator_ratio(deflator, price_base, base_year)


def rebased_components(cost: UnitCost, base_year: str, deflator: Mapping[str, float]) -> dict[tuple[str, str], float]:
    """``{(agency, kind): GBP in base_year prices}`` for one unit cost."""
    ratio = deflator_ratio(deflator, cost.price_base, base_year)
    return {key: value * ratio for key, value in cost.by_agency_kind().items()}
