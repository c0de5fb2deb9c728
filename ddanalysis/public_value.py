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
from pathlib import Path
from typing import Any, Literal, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import config, workspace
from .errors import DataFileError
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
        if self.source == "team-judgement" and (self.quality != "red" or not self.note):
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
    return [f"{where}{'.' + '.'.join(str(p) for p in e['loc']) if e['loc'] else ''}: {e['msg']}" for e in exc.errors()]


def check_outcomes(po: ProjectOutcomes, path: Path | str, library: UnitCostLibrary,
                   shortlist: Sequence[str] | None) -> list[str]:
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
            if shortlist is not None and option_id not in shortlist:
                problems.append(f"{where}.options.{option_id}: unknown option for {po.project_id}; "
                                f"valid: {', '.join(shortlist)}")
            if option_id == STATUS_QUO:
                problems.append(f"{where}.options.{option_id}: the status quo is the counterfactual and has no effect")
            quantities.append((f"options.{option_id}.effect", eff.effect))
            for k in ("haircut", "deadweight", "attribution", "displacement"):
                q = getattr(eff, k)
                if q is not None:
                    quantities.append((f"options.{option_id}.{k}", q))
            if eff.evidence_grade is not None:
                if library.grades is None:
                    problems.append(f"{where}.options.{option_id}.evidence_grade: no evidence-grade table loaded")
                elif eff.evidence_grade not in {g.grade for g in library.grades.grades}:
                    problems.append(f"{where}.options.{option_id}.evidence_grade: unknown grade {eff.evidence_grade}")
        for name, q in quantities:
            lo, hi = q.bounds()
            if lo < 0 or hi > 1:
                problems.append(f"{where}.{name}: a share must lie in [0, 1] (got {lo} to {hi})")
        lo, _ = o.cohort.bounds()
        if lo < 0:
            problems.append(f"{where}.cohort: must not be negative")
    return problems


def outcomes_path(project_id: str, directory: Path | str | None = None) -> Path:
    """``<directory>/<project_id>.yaml`` when a directory is given, else ``outcomes.yaml`` in the project's workspace."""
    if directory is not None:
        return Path(directory) / f"{project_id}.yaml"
    return workspace.folder(project_id) / "outcomes.yaml"


def _shortlist(project_id: str) -> tuple[str, ...] | None:
    from . import registry  # late import: the registry reads files
    try:
        return registry.project(project_id).shortlist
    except Exception:  # noqa: BLE001 - an unknown project is reported by the caller
        return None


def parse_outcomes(raw: Any, path: Path | str, library: UnitCostLibrary,
                   shortlist: Sequence[str] | None = None) -> ProjectOutcomes:
    """Validate parsed YAML of an outcome file; ONE :class:`DataFileError` lists every problem."""
    try:
        po = ProjectOutcomes.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(f"problem(s) in the outcome file {path}:\n- "
                            + "\n- ".join(_validation_problems(str(path), exc))) from exc
    problems = check_outcomes(po, path, library, shortlist)
    if problems:
        raise DataFileError(f"{len(problems)} problem(s) in the outcome file {path}:\n- " + "\n- ".join(problems))
    return po


def load_outcomes(project_id: str, *, directory: Path | str | None = None,
                  library: UnitCostLibrary | None = None,
                  shortlist: Sequence[str] | None = None) -> ProjectOutcomes:
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
    if isinstance(raw, dict) and raw.get("project_id") not in (None, project_id):
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
                    out.append({"agency": agency, "kind": kind,
                                "present_value_gbp": float(self.present_values_gbp[(agency, kind)])})
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


def _as_vector(name: str, values: Sequence[float], length: int | None = None) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence (got shape {arr.shape})")
    if length is not None and arr.size != length:
        raise ValueError(f"{name} has length {arr.size}; expected {length} (one value per appraisal year)")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _value(q: Quantity, scenario: str, overrides: Mapping[str, float], key: str) -> float:
    return float(overrides[key]) if key in overrides else q.pick(scenario)


def option_benefits(outcomes: ProjectOutcomes, library: UnitCostLibrary, option: str, *,
                    live_share: Sequence[float], discount_factors: Sequence[float],
                    deflator: Mapping[str, float], base_year: str = config.BASE_YEAR,
                    scenario: str = "central",
                    overrides: Mapping[str, float] | None = None) -> OptionBenefits:
    """Benefits of ``option`` per year, by agency and kind, and their present values.

    ``live_share``: shape (T,), the share of the option live in each appraisal year (0..1; the
    implementation plan's go-live and ramp). ``discount_factors``: shape (T,), the factors applied
    to costs (year 0 = 1). ``deflator``: ``{financial year: index}`` used to re-base each unit cost
    from its price base to ``base_year``. ``scenario``: which of low/central/high to take for every
    ranged quantity; ``overrides``: ``{"<outcome-id>.<name>": value}`` for sensitivity and Monte
    Carlo (names: ``cohort``, ``baseline_rate``, ``deadweight``, ``attribution``, ``displacement``,
    ``<option>.effect``, ``<option>.haircut``) taking precedence over the scenario.

    An option without an effect in the file (the status quo among them) has no benefits: empty maps.
    Returns :class:`OptionBenefits` (GBP, real, ``base_year`` prices). Does not mutate its inputs.
    """
    if scenario not in SCENARIOS:
        raise ValueError(f"scenario {scenario!r}; expected one of {SCENARIOS}")
    ramp = _as_vector("live_share", live_share)
    if np.any(ramp < 0) or np.any(ramp > 1):
        raise ValueError("live_share values must lie in [0, 1]")
    disc = _as_vector("discount_factors", discount_factors, ramp.size)
    ov = dict(overrides or {})
    flows: dict[tuple[str, str], np.ndarray] = {}
    details = []
    for o in outcomes.outcomes:
        eff = o.options.get(option)
        if eff is None or option == STATUS_QUO:
            continue
        k = f"{o.id}."
        cohort = _value(o.cohort, scenario, ov, k + "cohort")
        rate = _value(o.baseline_rate, scenario, ov, k + "baseline_rate")
        effect = _value(eff.effect, scenario, ov, f"{k}{option}.effect")
        dw = _value(eff.deadweight or o.deadweight, scenario, ov, k + "deadweight")
        attr = _value(eff.attribution or o.attribution, scenario, ov, k + "attribution")
        disp = _value(eff.displacement or o.displacement, scenario, ov, k + "displacement")
        if f"{k}{option}.haircut" in ov:
            hair = float(ov[f"{k}{option}.haircut"])
        elif eff.haircut is not None:
            hair = eff.haircut.pick(scenario)
        else:
            assert library.grades is not None and eff.evidence_grade is not None
            hair = library.grades.haircut(eff.evidence_grade)
        avoided = cohort * rate * effect
        factor = (1 - dw) * attr * (1 - disp) * (1 - hair)
        prices = rebased_components(library[o.unit_cost], base_year, deflator)
        annual = {key: avoided * factor * unit for key, unit in prices.items()}
        o_flows = {key: value * ramp for key, value in annual.items()}
        for key, arr in o_flows.items():
            flows[key] = flows.get(key, np.zeros(ramp.size)) + arr
        details.append(OutcomeBenefit(o.id, o.unit_cost, avoided, factor, annual, o_flows))
    discounted = {key: arr * disc for key, arr in flows.items()}
    pvs = {key: float(arr.sum()) for key, arr in discounted.items()}
    return OptionBenefits(option, scenario, flows, discounted, pvs, tuple(details))


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


def _counts(perspective: str, agency: str, kind: str) -> str:
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
    names = {"council": "the council", "nhs": "the NHS", "police": "the police", "schools": "schools",
             "dwp": "DWP (benefits and tax)", "other": "others (see the unit costs' 'who')"}
    return f"{names[agency]}, {kind.replace('_', ' ')}"


def perspective_view(ob: OptionBenefits, perspective: str) -> PerspectiveView:
    """Split an option's benefits into counted / shown beside / left out for a perspective."""
    counted, beside, left = [], [], []
    for row in ob.benefits():
        where = _counts(perspective, row["agency"], row["kind"])
        if where == "counted":
            counted.append(row)
        elif where == "beside":
            beside.append({**row, "note": "non-cashable: capacity freed, no budget falls; not added"})
        else:
            left.append({**row, "whose": _whose(row["agency"], row["kind"])})
    return PerspectiveView(perspective, counted, float(sum(r["present_value_gbp"] for r in counted)), beside, left)


def _ratio(num: float, den: float) -> float | None:
    return None if not den > 0 else num / den


def payback_year(benefits_discounted: Sequence[float], costs_discounted: Sequence[float]) -> int | None:
    """First year index at which cumulative discounted benefits reach cumulative discounted costs.

    ``None`` when they never do within the period, or when there are no costs (nothing to pay back).
    """
    b = np.cumsum(np.asarray(benefits_discounted, dtype=float))
    c = np.cumsum(np.asarray(costs_discounted, dtype=float))
    if c.size == 0 or c[-1] <= 0:
        return None
    hit = np.nonzero(b >= c - 1e-9)[0]
    hit = [i for i in hit if c[i] > 0]
    return int(hit[0]) if hit else None


def summarise(ob: OptionBenefits, *, pv_costs_gbp: float, perspective: str = "social",
              costs_discounted_by_agency: Mapping[str, Sequence[float]] | None = None) -> dict[str, Any]:
    """The option's public-value results, as the appraisal JSON wants them.

    ``pv_costs_gbp``: the option's present value of costs (GBP, real base-year prices): one-off
    costs plus net operating cost increases, as the appraisal computes it (in the perspective's
    terms). ``costs_discounted_by_agency``: optional ``{agency: array (T,)}`` of discounted costs
    borne by each agency (default: none given, so no payback is reported).

    Returns a dict with:

    * ``benefits``: every ``{agency, kind, present_value_gbp}`` (all of them: who gains what);
    * ``perspective``, ``counted_benefits_pv_gbp``, ``shown_beside``, ``left_out``;
    * ``fiscal_roi``: ``{"cashable": r, "all_fiscal": r}``, PV of fiscal benefits per GBP 1 of PV
      costs, over the agencies the perspective counts (council: the council only);
    * ``public_value_roi``: (fiscal + economic + social, all agencies) per GBP 1 of PV costs;
    * ``net_present_social_value_gbp``: PV of all benefits less PV costs, in the ``social``
      perspective; ``None`` elsewhere;
    * ``benefit_cost_ratio``: counted benefits / PV costs (the Green Book BCR with these benefits);
    * ``payback_year_by_agency``: ``{agency: year index or None}`` for agencies bearing costs.

    Ratios are ``None`` when PV costs are not positive (nothing to return on).
    """
    view = perspective_view(ob, perspective)
    pvs = ob.present_values_gbp
    scope = (lambda a: a == "council") if perspective == "council" else (lambda a: True)
    cashable = sum(v for (a, k), v in pvs.items() if scope(a) and k == "fiscal_cashable")
    fiscal = sum(v for (a, k), v in pvs.items() if scope(a) and k in FISCAL_KINDS)
    everything = sum(pvs.values())
    payback: dict[str, int | None] = {}
    if costs_discounted_by_agency:
        t = next(iter(ob.discounted_gbp.values())).size if ob.discounted_gbp else None
        for agency, costs in costs_discounted_by_agency.items():
            if agency not in AGENCIES:
                raise ValueError(f"unknown agency {agency!r}; expected one of {AGENCIES}")
            costs_arr = np.asarray(costs, dtype=float)
            size = t if t is not None else costs_arr.size
            ben = np.zeros(size)
            for (a, k), arr in ob.discounted_gbp.items():
                if a == agency and _counts(perspective, a, k) == "counted":
                    ben = ben + arr
            payback[agency] = payback_year(ben, costs_arr)
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
        "payback_year_by_agency": payback,
    }


def uncertain_inputs(outcomes: ProjectOutcomes) -> list[dict[str, Any]]:
    """Every ranged outcome quantity as ``{key, low, central, high, quality}`` for sensitivity and Monte Carlo.

    ``key`` is the name :func:`option_benefits` accepts in ``overrides``.
    """
    out = []
    for o in outcomes.outcomes:
        items: list[tuple[str, Quantity]] = [("cohort", o.cohort)] + [(k, getattr(o, k)) for k in _SHARES]
        for option_id, eff in o.options.items():
            items.append((f"{option_id}.effect", eff.effect))
            if eff.haircut is not None:
                items.append((f"{option_id}.haircut", eff.haircut))
        for name, q in items:
            if q.value is None:
                out.append({"key": f"{o.id}.{name}", "low": q.low, "central": q.central, "high": q.high,
                            "quality": q.quality})
    return out


def check_bundled(outcomes_dir: Path | str | None = None, unit_costs_dir: Path | str | None = None) -> list[str]:
    """Every problem in the bundled unit-cost and outcome files (empty list when all is well)."""
    try:
        library = load_library(unit_costs_dir)
    except DataFileError as exc:
        return [str(exc)]
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
