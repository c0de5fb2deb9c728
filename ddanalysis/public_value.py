"""Public value: the outcomes an option changes, priced with the unit-cost library, by who gains.

One job: turn a project's outcome model (``outcomes.yaml`` in its workspace) and the unit-cost
library (:mod:`ddanalysis.unit_costs`) into each option's **benefits per year, by agency and kind**,
their present values, and the return-on-investment measures of HM Treasury's supplementary guidance
for local partnerships (the New Economy cost-benefit model).

The arithmetic, per outcome, option and year ``t`` (every factor a share in [0, 1] except the
cohort, a count, and the unit cost, GBP in base-year prices)::

    outcomes avoided  = cohort x baseline_rate x effect
    benefit[t]        = outcomes avoided x (1 - deadweight) x attribution x (1 - displacement)
                        x (1 - haircut) x unit_cost[agency, kind] x live_share[t]
    present value     = sum_t benefit[t] x discount_factor[t]

``effect`` is the option's proportional reduction in the baseline rate (0.2 = a fifth fewer); the
status quo has no effect (it is the counterfactual). ``haircut`` is the optimism-bias correction on
benefits for the grade of the evidence behind the effect (``data/unit_costs/evidence_grades.yaml``),
or a value given in the file. ``live_share`` (length T) is the share of the option that is live in
each year (0 before go-live, ramping to 1), and ``discount_factors`` (length T) are the SAME factors
the appraisal applies to costs. All money is **GBP, real, in the appraisal's base-year prices**;
unit costs are re-based with the deflator series passed in (``{financial year: index}``).

Perspectives (:func:`perspective_view`):

* ``council``: counts only the council's **cashable** value in the money figures; the council's
  non-cashable value is shown beside it (``shown_beside``), never added; everything else is listed
  in ``left_out`` with whose it is;
* ``public``: counts fiscal value (cashable and non-cashable) of every public agency;
* ``social``: counts every kind (fiscal, economic, social) for everyone: net present social value.

Example (the issue's hand-worked case: 100 incidents avoided, deadweight 30%, attribution 50%, a
unit cost of GBP 1,000 borne by the police, one year, undiscounted)::

    >>> import ddanalysis.public_value as pv                                 # doctest: +SKIP
    >>> res = pv.option_benefits(outcomes, library, "mutual", live_share=[1.0],
    ...                          discount_factors=[1.0], deflator=d, base_year="2014-15")  # doctest: +SKIP
    >>> res.present_value_gbp                                                # doctest: +SKIP
    35000.0

Nothing here mutates its inputs. Loading validates every file completely and raises ONE
:class:`~ddanalysis.errors.DataFileError` listing every problem (file and key).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import config, workspace
from .assumptions import TEAM_JUDGEMENT
from .errors import DataFileError, DDAnalysisError
from .keys import PROJECT_SCOPE, format_key, parse_key
from .problems import validation_message
from .unit_costs import AGENCIES, FISCAL_KINDS, KINDS, Source, UnitCostLibrary, load_library, rebased_components
from .yamlio import load_yaml_text, read_utf8

OUTCOMES_DIR_NAME = "outcomes"
SCENARIOS = ("low", "central", "high")
PERSPECTIVES = ("council", "public", "social")
#: Option ids that are the counterfactual and never carry an effect.
STATUS_QUO = "in-house"


# --------------------------------------------------------------------------------------------------
# The outcome files
# --------------------------------------------------------------------------------------------------
class Quantity(BaseModel):
    """A sourced number: either ``value`` or ``low``/``central``/``high``; a judgement says so.

    ``source`` is a citation (text), ``team-judgement``, or a full :class:`Source` mapping.
    A judgement (``team-judgement``) must be rated red and carry a ``note`` saying why.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | None = None
    low: float | None = None
    central: float | None = None
    high: float | None = None
    source: str | Source
    quality: Literal["green", "amber", "red"]
    note: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> "Quantity":
        trio = (self.low, self.central, self.high)
        if self.value is None and any(v is None for v in trio):
            raise ValueError("give either 'value' or all of 'low', 'central', 'high'")
        if self.value is not None and any(v is not None for v in trio):
            raise ValueError("give 'value' or 'low'/'central'/'high', not both")
        for v in (self.value, *trio):
            if v is not None and not math.isfinite(v):
                raise ValueError("values must be finite numbers")
        if self.value is None and not (self.low <= self.central <= self.high):  # type: ignore[operator]
            raise ValueError(f"need low <= central <= high (got {self.low}, {self.central}, {self.high})")
        if self.source == TEAM_JUDGEMENT and (self.quality != "red" or not self.note):
            raise ValueError("a team-judgement must be rated red and give a note saying why")
        return self

    def pick(self, scenario: str = "central") -> float:
        """The value in a scenario (``low``/``central``/``high``); a single ``value`` in every scenario."""
        if self.value is not None:
            return float(self.value)
        return float({"low": self.low, "central": self.central, "high": self.high}[scenario])  # type: ignore[arg-type]

    def bounds(self) -> tuple[float, float]:
        if self.value is not None:
            return float(self.value), float(self.value)
        return float(self.low), float(self.high)  # type: ignore[arg-type]


class Cohort(Quantity):
    """The people, households or places the outcome concerns (number per year) and what they are."""

    description: str


class OptionEffect(BaseModel):
    """One option's effect on an outcome, and the grade of the evidence behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effect: Quantity
    evidence_grade: int | None = Field(default=None, ge=1)
    haircut: Quantity | None = None
    deadweight: Quantity | None = None
    attribution: Quantity | None = None
    displacement: Quantity | None = None

    @model_validator(mode="after")
    def _one_haircut(self) -> "OptionEffect":
        if (self.evidence_grade is None) == (self.haircut is None):
            raise ValueError("give exactly one of 'evidence_grade' (from the grades table) or 'haircut'")
        return self


class Outcome(BaseModel):
    """One outcome of a project: cohort, baseline rate, adjustments, unit cost, per-option effects."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    description: str
    unit_cost: str
    cohort: Cohort
    baseline_rate: Quantity
    deadweight: Quantity
    attribution: Quantity
    displacement: Quantity
    options: dict[str, OptionEffect] = Field(min_length=1)
    note: str | None = None


class ProjectOutcomes(BaseModel):
    """A project's outcome model (``outcomes.yaml`` in its workspace)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int | None = None
    project_id: str
    monetisable: bool
    summary: str
    reason: str | None = Field(default=None, description="why nothing is monetised (when monetisable is false)")
    outcomes: tuple[Outcome, ...] = ()

    @field_validator("schema_version")
    @classmethod
    def _version(cls, value: int | None) -> int | None:
        return workspace.version_field(value)

    @model_validator(mode="after")
    def _consistent(self) -> "ProjectOutcomes":
        if self.monetisable and not self.outcomes:
            raise ValueError("monetisable is true but no outcomes are given")
        if not self.monetisable and (self.outcomes or not self.reason):
            raise ValueError("monetisable is false: give a 'reason' and no outcomes")
        return self


_SHARES = ("baseline_rate", "deadweight", "attribution", "displacement")


def _validation_problems(where: str, exc: ValidationError) -> list[str]:
    return [
        f"{where}{'.' + '.'.join(str(p) for p in e['loc']) if e['loc'] else ''}: {validation_message(e)}"
        for e in exc.errors()
    ]


def _option_problems(
    where: str,
    project_id: str,
    option_id: str,
    eff: OptionEffect,
    library: UnitCostLibrary,
    shortlist: Sequence[str] | None,
) -> tuple[list[str], list[tuple[str, Quantity]]]:
    """One option's effect checked (option known, not the status quo, evidence grade known); returns
    the problems and the option's quantities (name, quantity) for the range checks."""
    problems: list[str] = []
    if shortlist is not None and option_id not in shortlist:
        problems.append(f"{where}.options.{option_id}: unknown option for {project_id}; valid: {', '.join(shortlist)}")
    if option_id == STATUS_QUO:
        problems.append(f"{where}.options.{option_id}: the status quo is the counterfactual and has no effect")
    quantities: list[tuple[str, Quantity]] = [(f"options.{option_id}.effect", eff.effect)]
    quantities += [
        (f"options.{option_id}.{k}", getattr(eff, k))
        for k in ("haircut", "deadweight", "attribution", "displacement")
        if getattr(eff, k) is not None
    ]
    if eff.evidence_grade is not None:
        if library.grades is None:
            problems.append(f"{where}.options.{option_id}.evidence_grade: no evidence-grade table loaded")
        elif eff.evidence_grade not in {g.grade for g in library.grades.grades}:
            problems.append(f"{where}.options.{option_id}.evidence_grade: unknown grade {eff.evidence_grade}")
    return problems, quantities


def check_outcomes(
    po: ProjectOutcomes, path: Path | str, library: UnitCostLibrary, shortlist: Sequence[str] | None
) -> list[str]:
    """Cross-checks beyond the schema: unit-cost ids, option ids, shares in [0, 1], grades known.

    Returns the list of problems (empty when all is well); each names the file and key.
    """
    problems: list[str] = []
    for o in po.outcomes:
        where = f"{path}: outcomes.{o.id}"
        if o.unit_cost not in library:
            problems.append(f"{where}.unit_cost: unknown unit-cost id {o.unit_cost!r}")
        quantities: list[tuple[str, Quantity]] = [(k, getattr(o, k)) for k in _SHARES]
        for option_id, eff in o.options.items():
            found, own = _option_problems(where, po.project_id, option_id, eff, library, shortlist)
            problems += found
            quantities += own
        for name, q in quantities:
            lo, hi = q.bounds()
            if lo < 0 or hi > 1:
                problems.append(f"{where}.{name}: a share must lie in [0, 1] (got {lo} to {hi})")
        lo, _ = o.cohort.bounds()
        if lo < 0:
            problems.append(f"{where}.cohort: must not be negative")
    return problems


def outcomes_path(project_id: str, directory: Path | str | None = None) -> Path:
    """``<directory>/<project_id>.yaml`` when a directory is given, else the workspace's ``outcomes.yaml`` (one
    service's ``outcomes-<service id>.yaml`` for ``<id>:<service id>``)."""
    if directory is not None:
        return Path(directory) / f"{project_id}.yaml"
    return workspace.service_file(project_id, "outcomes.yaml")


def _shortlist(project_id: str) -> tuple[str, ...] | None:
    from . import registry  # late import: the registry reads files

    try:
        return registry.project(project_id).shortlist
    except Exception:  # noqa: BLE001 - an unknown project is reported by the caller
        return None


def parse_outcomes(
    raw: Any, path: Path | str, library: UnitCostLibrary, shortlist: Sequence[str] | None = None
) -> ProjectOutcomes:
    """Validate parsed YAML of an outcome file; ONE :class:`DataFileError` lists every problem."""
    try:
        po = ProjectOutcomes.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(
            f"problem(s) in the outcome file {path}:\n- " + "\n- ".join(_validation_problems(str(path), exc))
        ) from exc
    problems = check_outcomes(po, path, library, shortlist)
    if problems:
        raise DataFileError(f"{len(problems)} problem(s) in the outcome file {path}:\n- " + "\n- ".join(problems))
    return po


def load_outcomes(
    project_id: str,
    *,
    directory: Path | str | None = None,
    library: UnitCostLibrary | None = None,
    shortlist: Sequence[str] | None = None,
) -> ProjectOutcomes:
    """Read and validate ``<directory>/<project_id>.yaml`` (default: ``outcomes.yaml`` in the project's workspace).

    ``shortlist`` is the project's option ids (default: from the project's ``project.yaml``); ``library``
    the unit costs (default: the bundled library). The file's ``project_id`` must match.
    """
    path = outcomes_path(project_id, directory)
    try:
        raw = load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: outcome file not found for project {project_id!r}") from exc
    except DataFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - YAML syntax
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    if isinstance(raw, dict) and raw.get("project_id") not in (None, project_id, workspace.split_ref(project_id)[0]):
        raise DataFileError(f"{path}: project_id is {raw.get('project_id')!r}, expected {project_id!r}")
    lib = library if library is not None else load_library()
    sl = shortlist if shortlist is not None else _shortlist(project_id)
    return parse_outcomes(raw, path, lib, sl)


# --------------------------------------------------------------------------------------------------
# Computing benefits
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutcomeBenefit:
    """One outcome's benefit for one option.

    ``annual_gbp``: ``{(agency, kind): GBP a year once fully live}`` (real, base-year prices);
    ``flows_gbp``: ``{(agency, kind): array (T,)}`` after the live-share ramp, undiscounted;
    ``outcomes_avoided``: cohort x baseline rate x effect, a year; ``factor``: the product of the
    four adjustments (1 - deadweight) x attribution x (1 - displacement) x (1 - haircut).
    """

    outcome_id: str
    unit_cost_id: str
    outcomes_avoided: float
    factor: float
    annual_gbp: Mapping[tuple[str, str], float]
    flows_gbp: Mapping[tuple[str, str], np.ndarray]


@dataclass(frozen=True)
class OptionBenefits:
    """An option's benefits. Money in GBP, real, base-year prices.

    ``flows_gbp``: ``{(agency, kind): array (T,)}`` undiscounted per year;
    ``discounted_gbp``: the same multiplied by the discount factors; ``present_values_gbp``:
    ``{(agency, kind): GBP}``; ``outcomes``: the per-outcome detail.
    """

    option: str
    scenario: str
    flows_gbp: Mapping[tuple[str, str], np.ndarray]
    discounted_gbp: Mapping[tuple[str, str], np.ndarray]
    present_values_gbp: Mapping[tuple[str, str], float]
    outcomes: tuple[OutcomeBenefit, ...] = ()

    @property
    def present_value_gbp(self) -> float:
        """Every benefit of every kind for everyone (GBP): NOT a figure to show without its split."""
        return float(sum(self.present_values_gbp.values()))

    def benefits(self) -> list[dict[str, Any]]:
        """The appraisal JSON's ``benefits``: ``[{agency, kind, present_value_gbp}]``, agencies then kinds in order."""
        out = []
        for agency in AGENCIES:
            for kind in KINDS:
                if (agency, kind) in self.present_values_gbp:
                    out.append(
                        {
                            "agency": agency,
                            "kind": kind,
                            "present_value_gbp": float(self.present_values_gbp[(agency, kind)]),
                        }
                    )
        return out

    def by_agency(self) -> dict[str, float]:
        """``{agency: PV GBP}`` summed over kinds (mixes cashable and not: label it so when shown)."""
        out: dict[str, float] = {}
        for (agency, _), v in self.present_values_gbp.items():
            out[agency] = out.get(agency, 0.0) + v
        return out

    def by_kind(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for (_, kind), v in self.present_values_gbp.items():
            out[kind] = out.get(kind, 0.0) + v
        return out


def _as_vector(name: str, values: "Sequence[float] | np.ndarray", length: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence (got shape {arr.shape})")
    if length is not None and arr.size != length:
        raise ValueError(f"{name} has length {arr.size}; expected {length} (one value per appraisal year)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def outcome_key(outcome_id: str, scope: str, name: str) -> str:
    """The assumption key of an outcome quantity: ``<outcome-id>/<scope>.<name>`` (:mod:`ddanalysis.keys`).

    ``scope`` is ``project`` for a quantity every option shares (``cohort``, ``baseline_rate``,
    ``deadweight``, ``attribution``, ``displacement``) and the option id for the option's own
    (``effect``, ``haircut``, and an adjustment the option sets for itself):
    ``repeat-victimisation/outsourcing.effect``, ``repeat-victimisation/project.deadweight``.
    """
    return format_key(scope, name, service=outcome_id)


_ADJUSTMENTS = ("deadweight", "attribution", "displacement")


def _option_quantities(o: Outcome, option: str, eff: OptionEffect) -> dict[str, tuple[str, Quantity | None]]:
    """name -> (key, quantity) of every factor of one outcome for one option; the haircut's
    quantity is None when it comes from the evidence-grade table (a fixed value, not drawn)."""
    out: dict[str, tuple[str, Quantity | None]] = {
        "cohort": (outcome_key(o.id, PROJECT_SCOPE, "cohort"), o.cohort),
        "baseline_rate": (outcome_key(o.id, PROJECT_SCOPE, "baseline_rate"), o.baseline_rate),
        "effect": (outcome_key(o.id, option, "effect"), eff.effect),
        "haircut": (outcome_key(o.id, option, "haircut"), eff.haircut),
    }
    for name in _ADJUSTMENTS:
        own = getattr(eff, name)
        out[name] = (
            (outcome_key(o.id, option, name), own)
            if own is not None
            else (outcome_key(o.id, PROJECT_SCOPE, name), getattr(o, name))
        )
    return out


def _factors(
    o: Outcome, option: str, eff: OptionEffect, library: UnitCostLibrary, scenario: str, given: Mapping[str, Any]
) -> dict[str, Any]:
    """name -> value of each factor: from ``given`` (a number, or an array of draws) by key, else the
    scenario's value, else (the haircut) the evidence grade's."""
    out: dict[str, Any] = {}
    for name, (key, q) in _option_quantities(o, option, eff).items():
        if key in given:
            out[name] = given[key]
        elif q is not None:
            out[name] = q.pick(scenario)
        else:
            assert library.grades is not None and eff.evidence_grade is not None
            out[name] = library.grades.haircut(eff.evidence_grade)
    return out


def _avoided_and_factor(f: Mapping[str, Any]) -> tuple[Any, Any]:
    """(outcomes avoided a year, the product of the four adjustments), numbers or arrays of draws."""
    avoided = f["cohort"] * f["baseline_rate"] * f["effect"]
    factor = (1 - f["deadweight"]) * f["attribution"] * (1 - f["displacement"]) * (1 - f["haircut"])
    return avoided, factor


def option_benefits(
    outcomes: ProjectOutcomes,
    library: UnitCostLibrary,
    option: str,
    *,
    live_share: Sequence[float],
    discount_factors: Sequence[float],
    deflator: Mapping[str, float],
    base_year: str = config.BASE_YEAR,
    scenario: str = "central",
    overrides: Mapping[str, float] | None = None,
) -> OptionBenefits:
    """Benefits of ``option`` per year, by agency and kind, and their present values.

    ``live_share``: shape (T,), the share of the option live in each appraisal year (0..1; the
    implementation plan's go-live and ramp). ``discount_factors``: shape (T,), the factors applied
    to costs (year 0 = 1). ``deflator``: ``{financial year: index}`` used to re-base each unit cost
    from its price base to ``base_year``. ``scenario``: which of low/central/high to take for every
    ranged quantity; ``overrides``: ``{key: value}`` by the keys of :func:`outcome_key`
    (``incidents/project.deadweight``, ``incidents/mutual.effect``), taking precedence over the scenario.

    An option without an effect in the file (the status quo among them) has no benefits: empty maps.
    Returns :class:`OptionBenefits` (GBP, real, ``base_year`` prices). Does not mutate its inputs.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario {scenario!r}; expected one of {SCENARIOS}")
    ramp = _as_vector("live_share", live_share)
    if np.any(ramp < 0) or np.any(ramp > 1):
        raise ValueError("live_share values must lie in [0, 1]")
    disc = _as_vector("discount_factors", discount_factors, ramp.size)
    ov = {k: float(v) for k, v in (overrides or {}).items()}
    flows: dict[tuple[str, str], np.ndarray] = {}
    details = []
    for o in outcomes.outcomes:
        eff = o.options.get(option)
        if eff is None or option == STATUS_QUO:
            continue
        avoided, factor = _avoided_and_factor(_factors(o, option, eff, library, scenario, ov))
        prices = rebased_components(library[o.unit_cost], base_year, deflator)
        annual = {key: avoided * factor * unit for key, unit in prices.items()}
        o_flows = {key: value * ramp for key, value in annual.items()}
        for key, arr in o_flows.items():
            flows[key] = flows.get(key, np.zeros(ramp.size)) + arr
        details.append(OutcomeBenefit(o.id, o.unit_cost, avoided, factor, annual, o_flows))
    discounted = {key: arr * disc for key, arr in flows.items()}
    pvs = {key: float(arr.sum()) for key, arr in discounted.items()}
    return OptionBenefits(option, scenario, flows, discounted, pvs, tuple(details))


def present_value_draws(
    outcomes: ProjectOutcomes,
    library: UnitCostLibrary,
    option: str,
    *,
    live_share: "Sequence[float] | np.ndarray",
    discount_factors: "Sequence[float] | np.ndarray",
    deflator: Mapping[str, float],
    draws: pd.DataFrame,
    base_year: str = config.BASE_YEAR,
    scenario: str = "central",
) -> dict[tuple[str, str], np.ndarray]:
    """The option's present value of benefits in each draw: ``{(agency, kind): array (n,)}`` (GBP, real).

    ``draws``: one row per draw, one column per outcome key (:func:`draw_inputs`); a key without a
    column takes the scenario's value. The same arithmetic as :func:`option_benefits`, one draw per
    row: PV = outcomes avoided x adjustments x unit cost x sum_t(live_share[t] x discount_factor[t]).
    """
    ramp = _as_vector("live_share", live_share)
    disc = _as_vector("discount_factors", discount_factors, ramp.size)
    weight = float(ramp @ disc)
    given = {str(c): draws[c].to_numpy(dtype=float) for c in draws.columns}
    out: dict[tuple[str, str], np.ndarray] = {}
    for o in outcomes.outcomes:
        eff = o.options.get(option)
        if eff is None or option == STATUS_QUO:
            continue
        avoided, factor = _avoided_and_factor(_factors(o, option, eff, library, scenario, given))
        for key, unit in rebased_components(library[o.unit_cost], base_year, deflator).items():
            out[key] = out.get(key, np.zeros(len(draws))) + np.broadcast_to(
                avoided * factor * unit * weight, (len(draws),)
            )
    return out


# --------------------------------------------------------------------------------------------------
# Returns, payback, perspectives
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PerspectiveView:
    """What one perspective counts. Money: present values, GBP, real base-year prices.

    ``counted``: ``[{agency, kind, present_value_gbp}]`` added into ``counted_pv_gbp``;
    ``shown_beside``: value shown next to the money figures but NOT added (the council's
    non-cashable value in the council perspective); ``left_out``: what this perspective does not
    count, each with ``whose`` it is.
    """

    perspective: str
    counted: list[dict[str, Any]]
    counted_pv_gbp: float
    shown_beside: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)


def treatment(perspective: str, agency: str, kind: str) -> str:
    """'counted', 'beside' or 'left_out' for one (agency, kind) in a perspective."""
    if perspective == "council":
        if agency != "council":
            return "left_out"
        return "counted" if kind == "fiscal_cashable" else ("beside" if kind == "fiscal_non_cashable" else "left_out")
    if perspective == "public":
        return "counted" if kind in FISCAL_KINDS else "left_out"
    if perspective == "social":
        return "counted"
    raise ValueError(f"perspective {perspective!r}; expected one of {PERSPECTIVES}")


def _whose(agency: str, kind: str) -> str:
    names = {
        "council": "the council",
        "nhs": "the NHS",
        "police": "the police",
        "schools": "schools",
        "dwp": "DWP (benefits and tax)",
        "other": "others (see the unit costs' 'who')",
    }
    return f"{names[agency]}, {kind.replace('_', ' ')}"


def perspective_view(ob: OptionBenefits, perspective: str) -> PerspectiveView:
    """Split an option's benefits into counted / shown beside / left out for a perspective."""
    counted, beside, left = [], [], []
    for row in ob.benefits():
        where = treatment(perspective, row["agency"], row["kind"])
        if where == "counted":
            counted.append(row)
        elif where == "beside":
            beside.append({**row, "note": "non-cashable: capacity freed, no budget falls; not added"})
        else:
            left.append({**row, "whose": _whose(row["agency"], row["kind"])})
    return PerspectiveView(perspective, counted, float(sum(r["present_value_gbp"] for r in counted)), beside, left)


def _ratio(num: float, den: float) -> float | None:
    return None if not den > 0 else num / den


def payback_by_agency(
    benefits_discounted: Mapping[str, "Sequence[float] | np.ndarray"],
    costs_discounted: Mapping[str, "Sequence[float] | np.ndarray"],
    year_labels: Sequence[str],
) -> list[dict[str, Any]]:
    """Per agency, the financial year its cumulative discounted benefits net of its costs turn positive.

    ``benefits_discounted`` and ``costs_discounted``: ``{agency: array (T,)}`` of discounted GBP
    (real base-year prices) in each appraisal year; an agency missing from one has zeros there.
    ``year_labels``: the T financial years (``2016-17``). The rule is the appraisal's payback rule
    (:func:`ddanalysis.appraisal.payback_index`: cumulative positive beyond half a penny, and staying
    so) applied to ``benefits - costs``. Returns ``[{agency, payback_year}]`` in :data:`AGENCIES`
    order for every agency in either mapping; ``payback_year`` is None when not within the horizon.
    """
    from .appraisal import payback_index

    T = len(year_labels)
    out = []
    for agency in AGENCIES:
        if agency not in benefits_discounted and agency not in costs_discounted:
            continue
        net = np.zeros(T)
        for sign, source in ((1.0, benefits_discounted), (-1.0, costs_discounted)):
            if agency in source:
                net = net + sign * _as_vector(f"{agency} discounted flows", source[agency], T)
        i = int(payback_index(net)[0])
        out.append({"agency": agency, "payback_year": str(year_labels[i]) if i >= 0 else None})
    return out


def summarise(ob: OptionBenefits, *, pv_costs_gbp: float, perspective: str = "social") -> dict[str, Any]:
    """The option's public-value results, as the appraisal JSON wants them.

    ``pv_costs_gbp``: the option's present value of costs (GBP, real base-year prices): one-off
    costs plus net operating cost increases, as the appraisal computes it (in the perspective's
    terms). Payback per agency is :func:`payback_by_agency`.

    Returns a dict with:

    * ``benefits``: every ``{agency, kind, present_value_gbp}`` (all of them: who gains what);
    * ``perspective``, ``counted_benefits_pv_gbp``, ``shown_beside``, ``left_out``;
    * ``fiscal_roi``: ``{"cashable": r, "all_fiscal": r}``, PV of fiscal benefits per GBP 1 of PV
      costs, over the agencies the perspective counts (council: the council only);
    * ``public_value_roi``: (fiscal + economic + social, all agencies) per GBP 1 of PV costs;
    * ``net_present_social_value_gbp``: PV of all benefits less PV costs, in the ``social``
      perspective; ``None`` elsewhere;
    * ``benefit_cost_ratio``: counted benefits / PV costs (the Green Book BCR with these benefits).

    Ratios are ``None`` when PV costs are not positive (nothing to return on).
    """
    view = perspective_view(ob, perspective)
    pvs = ob.present_values_gbp
    scope = (lambda a: a == "council") if perspective == "council" else (lambda a: True)
    cashable = sum(v for (a, k), v in pvs.items() if scope(a) and k == "fiscal_cashable")
    fiscal = sum(v for (a, k), v in pvs.items() if scope(a) and k in FISCAL_KINDS)
    everything = sum(pvs.values())
    return {
        "option": ob.option,
        "scenario": ob.scenario,
        "perspective": perspective,
        "benefits": ob.benefits(),
        "counted_benefits_pv_gbp": view.counted_pv_gbp,
        "shown_beside": view.shown_beside,
        "left_out": view.left_out,
        "fiscal_roi": {"cashable": _ratio(cashable, pv_costs_gbp), "all_fiscal": _ratio(fiscal, pv_costs_gbp)},
        "public_value_roi": _ratio(everything, pv_costs_gbp),
        "net_present_social_value_gbp": (everything - pv_costs_gbp) if perspective == "social" else None,
        "benefit_cost_ratio": _ratio(view.counted_pv_gbp, pv_costs_gbp),
    }


def outcome_quantities(outcomes: ProjectOutcomes) -> dict[str, Quantity]:
    """Every outcome quantity of the file by its key (:func:`outcome_key`), in file order, each once.

    The keys an override (``--set``) or a Monte Carlo draw may name. A haircut taken from the
    evidence-grade table is not among them (it is a rule, not an estimate).
    """
    out: dict[str, Quantity] = {}
    for o in outcomes.outcomes:
        for option, eff in o.options.items():
            for key, q in _option_quantities(o, option, eff).values():
                if q is not None:
                    out.setdefault(key, q)
    return out


def option_quantities(outcomes: ProjectOutcomes, option: str) -> dict[str, Quantity]:
    """The outcome quantities that move ``option``'s benefits, by key (:func:`outcome_key`), in file order.

    Those of every outcome the option has an effect on (the project-wide cohort, rate and adjustments,
    and the option's own effect, haircut and adjustments); none for the status quo or an option
    without an effect. A haircut from the evidence-grade table is not among them (a rule, not an estimate).
    """
    out: dict[str, Quantity] = {}
    for o in outcomes.outcomes:
        eff = o.options.get(option)
        if eff is None or option == STATUS_QUO:
            continue
        for key, q in _option_quantities(o, option, eff).values():
            if q is not None:
                out.setdefault(key, q)
    return out


def uncertain_inputs(outcomes: ProjectOutcomes) -> list[dict[str, Any]]:
    """Every ranged outcome quantity as ``{key, low, central, high, quality}`` for sensitivity and Monte Carlo.

    ``key`` is the name :func:`option_benefits` accepts in ``overrides`` (:func:`outcome_key`).
    """
    return [
        {"key": key, "low": q.low, "central": q.central, "high": q.high, "quality": q.quality}
        for key, q in outcome_quantities(outcomes).items()
        if q.value is None
    ]


def _service_ids(project_id: str) -> tuple[str, ...]:
    """The ids of a project's services (its project.yaml); none when it cannot be read."""
    try:
        return tuple(workspace.read_project_file(workspace.folder(project_id)).service_ids)
    except DDAnalysisError:
        return ()


def checked_overrides(outcomes: ProjectOutcomes, overrides: Mapping[str, float]) -> dict[str, float]:
    """Outcome overrides checked: each key names a quantity of the file, a share lies in [0, 1] and a
    cohort is not negative. Raises :class:`~ddanalysis.errors.DDAnalysisError` naming the key and
    listing the valid ones. Returns ``{key: value}`` (a new dict)."""
    known = outcome_quantities(outcomes)
    out = {}
    for key, value in overrides.items():
        text = str(parse_key(str(key)))
        if text not in known:
            parsed = parse_key(str(key))
            if parsed.service in _service_ids(outcomes.project_id):
                raise DDAnalysisError(
                    f"{key}: '{parsed.service}' is a service of {outcomes.project_id}, whose services share one "
                    f"baseline (one appraisal), so a what-if value takes no service prefix: write "
                    f"{format_key(parsed.scope, parsed.key)}"
                )
            raise DDAnalysisError(
                f"{key}: not an outcome quantity of {outcomes.project_id}; valid keys: " + ", ".join(known)
            )
        v = float(value)
        lo, hi = (0.0, math.inf) if text.endswith(".cohort") else (0.0, 1.0)
        if not (math.isfinite(v) and lo <= v <= hi):
            raise DDAnalysisError(
                f"{key}={value}: outside [{lo:g}, {hi:g}] ({'a number a year' if hi == math.inf else 'a share'})"
            )
        out[text] = v
    return out


def draw_inputs(
    outcomes: ProjectOutcomes,
    draws: int,
    seed: int,
    scenario: str = "central",
    fixed: Mapping[str, float] | None = None,
    correlations: Any = None,
) -> pd.DataFrame:
    """Seeded draws of every outcome quantity: one column per key, one row per draw.

    The same machinery as the cost assumptions (:func:`ddanalysis.sampling.sample`): a PERT on the
    quantity's low-high range with its mode at the scenario's value, a random stream of its own per
    key (from the seed and the key's name, so adding a key leaves the others' draws unchanged).
    ``correlations``: rank correlations between outcome quantities (a
    :class:`ddanalysis.sampling.Correlations` from :func:`ddanalysis.sampling.load_outcome_correlations`,
    keys written in full); None: independent of each other. Always independent of the cost assumptions.
    A key in ``fixed`` (an override) and a single ``value`` stay constant in every draw.
    Deterministic: same seed, same draws, in any process.
    """
    from .sampling import Correlations, Marginal, sample_named  # late: sampling loads the assumption files

    marginals = {}
    for key, q in outcome_quantities(outcomes).items():
        k = parse_key(key)
        scope = (f"{k.service}/{k.scope}", k.key)
        if fixed and key in fixed:
            v = float(fixed[key])
            marginals[scope] = Marginal(v, v, v)
        else:
            lo, hi = q.bounds()
            marginals[scope] = Marginal(lo, q.pick(scenario), hi)
    if not marginals:
        return pd.DataFrame(index=range(draws))
    return sample_named(marginals, draws, seed, correlations if correlations is not None else Correlations.none())


def bundled_outcome_keys(directory: Path | str | None = None) -> list[str]:
    """Every outcome quantity key of the bundled outcome models (``outcomes.yaml`` in each bundled project's
    folder under ``data/projects``; with ``directory``, that folder's ``<project-id>.yaml`` files), project
    by project: the keys a declared correlation between outcome quantities may name
    (:func:`outcome_quantities`). Cached on the files' stamps (an edited file is read again); a new list
    each call."""
    from .filestamp import stamp
    from .unit_costs import UNIT_COSTS_DIR_NAME

    files: tuple[tuple[str, Path | None], ...]
    if directory is not None:
        folder = Path(directory).resolve()
        files = tuple((p.stem, folder) for p in sorted(folder.glob("*.yaml")))
        where = folder
    else:
        files = tuple((pid, None) for pid in workspace.bundled_ids() if outcomes_path(pid).is_file())
        where = workspace.bundled_root().resolve()
    return list(_outcome_keys_cached(files, stamp(where, config.data_path(UNIT_COSTS_DIR_NAME))))


@lru_cache(maxsize=8)
def _outcome_keys_cached(files: tuple[tuple[str, Path | None], ...], _stamp: Any) -> tuple[str, ...]:
    library = load_library()
    keys: list[str] = []
    for project_id, folder in files:
        keys += [
            k for k in outcome_quantities(load_outcomes(project_id, directory=folder, library=library)) if k not in keys
        ]
    return tuple(keys)


def check_bundled(outcomes_dir: Path | str | None = None, unit_costs_dir: Path | str | None = None) -> list[str]:
    """Every problem in the bundled unit-cost and outcome files (empty list when all is well)."""
    try:
        library = load_library(unit_costs_dir)
    except DataFileError as exc:
        return [str(exc)]
    found: list[tuple[str, Path | None]]
    if outcomes_dir is not None:
        found = [(p.stem, Path(outcomes_dir)) for p in sorted(Path(outcomes_dir).glob("*.yaml"))]
    else:
        found = [(pid, None) for pid in workspace.bundled_ids() if outcomes_path(pid).is_file()]
    problems = []
    for pid, folder in found:
        try:
            load_outcomes(pid, directory=folder, library=library)
        except DataFileError as exc:
            problems.append(str(exc))
    return problems
