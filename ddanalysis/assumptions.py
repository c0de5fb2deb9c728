"""Assumptions as data: load and validate ``data/assumptions/``.

Files:
- ``levers.yaml``: the catalogue (description, unit, bounds, which direction raises the saving);
- ``sources.yaml``: every source an assumption may cite, by id;
- ``appraisal.yaml``: base year, horizon, Green Book discount schedule, optimism-bias table, facts
  fixed by law, project-wide assumptions (demand growth, real pay growth, optimism-bias mitigation),
  GDP deflator;
- ``models/<model>.yaml``: one file per delivery model, low / central / high for each lever used;
- ``projects/<project>.yaml``: per-project overrides;
- ``scenarios.yaml``: named scenarios, each storing only what it changes.

Every problem in a file is reported together in one :class:`DataFileError` naming the file and key.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from . import config, registry, workspace
from .errors import DataFileError, DDAnalysisError, unknown
from .filestamp import Stamp, stamp
from .keys import PROJECT_SCOPE, parse_key
from .plan import DURATION_CASES
from .problems import validation_message
from .registry import DELIVERY_MODELS, project_ids
from .yamlio import load_yaml_text, read_utf8

QUALITY = ("green", "amber", "red")
BASIS = ("fact", "evidence", "judgement")
PICKS = ("central", "favourable", "unfavourable")
PLAN_CASES = DURATION_CASES  # the implementation plans' duration cases, defined once in ddanalysis.plan
#: What kind of publication a source is (``sources.yaml`` field ``kind``); the quality rule in
#: ``data/assumptions/README.md`` turns on it.
#: ``council_ledger`` is the appraising council's own accounts and decisions; ``council_report`` is another council's
#: published report, minutes or news (a comparable body's own account, amber at best).
SOURCE_KINDS = (
    "statute",
    "official_statistic",
    "published_study",
    "survey",
    "council_ledger",
    "council_report",
    "judgement",
)
#: The source id of the team's judgements (``sources.yaml``): always red, never verified, with a note saying
#: whose judgement and why (the quality rule in ``data/assumptions/README.md``).
TEAM_JUDGEMENT = "team-judgement"
#: The kinds of source a figure may be rated green or amber on (the quality rule in ``data/assumptions/README.md``).
GREEN_KINDS = frozenset({"official_statistic", "statute", "council_ledger"})
AMBER_KINDS = GREEN_KINDS | {"published_study", "survey", "council_report"}
#: Source ids that were renamed, old -> new, so that a workspace citing an old id is told the new one.
RENAMED_SOURCES = {"cabinet-office-mutuals-2018": "psm-state-of-sector-2018"}
#: A workspace's own sources (beside its ``assumptions.yaml``), in the layout of the bundled ``sources.yaml``.
OWN_SOURCES_FILE = "sources.yaml"


class _OtherSource(BaseModel):
    """A further source behind one of an assumption's values (the high of a range, say), beside the main
    ``source``, which backs the central and decides the rating."""

    model_config = ConfigDict(extra="forbid")
    source: str
    locator: str
    backs: Literal["low", "central", "high"]
    verified: bool = False


class _Entry(BaseModel):
    """One assumption's values as written in a model or project file."""

    model_config = ConfigDict(extra="forbid")
    low: float
    central: float
    high: float
    basis: Literal["fact", "evidence", "judgement"]
    quality: Literal["green", "amber", "red"]
    source: str
    note: str = ""
    description: str | None = None
    # Evidence fields: the date or period the value describes, where in the source the
    # figure is, whether it was checked against the source's own text, and a dated history
    # (PolicyEngine style: date -> central value, or date -> {low, central, high}).
    as_of: str | None = None
    locator: str = ""
    verified: bool = False
    values: dict[dt.date, float | dict[str, float]] | None = None
    other_sources: list[_OtherSource] = []


def value_at(entry: "_Entry | Mapping[str, Any]", when: "dt.date | str") -> dict[str, float] | None:
    """The low / central / high in force on ``when`` from an entry's dated ``values``.

    The value in force is the one with the latest date on or before ``when``. A plain number in
    ``values`` is a central value (low and high come from the entry as written). Returns None when the
    entry has no dated values or ``when`` precedes the first of them; the appraisal then uses the
    entry's low / central / high as written (which describe its ``as_of``).

    >>> e = {"low": 1, "central": 2, "high": 3, "values": {"2014-04-01": 2, "2020-04-01": 2.5}}
    >>> value_at(e, "2021-01-01")["central"]
    2.5
    >>> value_at(e, "2013-04-01") is None
    True
    """

    def get(key: str) -> Any:
        return entry.get(key) if isinstance(entry, Mapping) else getattr(entry, key, None)

    history = get("values") or {}
    when = dt.date.fromisoformat(str(when)) if not isinstance(when, dt.date) else when
    dated = sorted((dt.date.fromisoformat(str(d)) if not isinstance(d, dt.date) else d, v) for d, v in history.items())
    in_force = [v for d, v in dated if d <= when]
    if not in_force:
        return None
    v = in_force[-1]
    if isinstance(v, Mapping):
        return {k: float(v[k]) for k in ("low", "central", "high")}
    return {"low": float(get("low")), "central": float(v), "high": float(get("high"))}


def base_date(base_year: str | None = None) -> dt.date:
    """1 April of a financial year label ('2014-15' -> 2014-04-01): the date whose values an appraisal takes."""
    return dt.date(int(str(base_year or config.BASE_YEAR)[:4]), 4, 1)


class _SettingEntry(_Entry):
    unit: str
    bounds: tuple[float, float]
    better: Literal["lower", "higher", "none"]


@dataclass(frozen=True)
class Scenario:
    """A named scenario: how values are picked, plan durations, explicit values."""

    name: str
    description: str
    pick: str = "central"
    plan_duration: str = "central"
    set: Mapping[tuple[str, str], float] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    """Appraisal settings (units in the field names; rates are shares)."""

    base_year: str
    first_year: str
    horizon_years: int
    discount_bands: tuple[tuple[int, int | None, float], ...]
    optimism_bias_upper: Mapping[str, float]
    optimism_bias_use: Mapping[str, str]
    facts: Mapping[str, Any]
    targets: Mapping[str, Any]
    gdp_deflator: pd.Series  # index financial year, 2014-15 = 100
    sources_of_settings: Mapping[str, str]
    #: factor id -> {area, contribution: {category: share of recorded optimism bias}, managed, evidence}
    ob_factors: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    residual_life_years: float = 0.0

    def ob_mitigation_derived(self, category: str) -> float:
        """Share of a category's optimism-bias upper bound removed by the contributory factors shown to
        be managed: sum of contribution x managed share, at most 1."""
        total = sum(float(f["contribution"].get(category, 0.0)) * float(f["managed"]) for f in self.ob_factors.values())
        return min(total, 1.0)


@dataclass(frozen=True)
class AssumptionBook:
    """Everything an appraisal needs from the assumption files, validated.

    ``table`` has one row per (scope, key): scope is a delivery-model id, or ``'project'`` for the
    assumptions shared by every option of the project. Money values are in the lever's unit
    (GBP thousand, GBP per FTE); shares are fractions.
    """

    project_id: str | None
    settings: Settings
    table: pd.DataFrame
    levers: pd.DataFrame
    sources: Mapping[str, Mapping[str, str]]
    models: Mapping[str, Mapping[str, Any]]
    scenarios: Mapping[str, Scenario]

    def scenario_names(self) -> list[str]:
        return list(self.scenarios)

    def scenario(self, name: str) -> Scenario:
        if name not in self.scenarios:
            raise unknown("scenario", name, list(self.scenarios))
        return self.scenarios[name]

    def values(self, scenario: str | Scenario = "central") -> pd.Series:
        """The value of every assumption under a scenario, indexed by (scope, key)."""
        sc = scenario if isinstance(scenario, Scenario) else self.scenario(scenario)
        t = self.table
        if sc.pick == "central":
            vals = t["central"]
        else:
            favourable = sc.pick == "favourable"
            better_low = t["better"] == "lower"
            better_high = t["better"] == "higher"
            fav = t["central"].where(~better_low, t["low"]).where(~better_high, t["high"])
            unfav = t["central"].where(~better_low, t["high"]).where(~better_high, t["low"])
            vals = fav if favourable else unfav
        vals = vals.copy()
        for key, value in sc.set.items():
            vals.loc[key] = value
        return vals

    def model_values(self, values: pd.Series, model_id: str) -> dict[str, float]:
        """Every lever's value for one model: the model's own, or the catalogue default."""
        out = dict(self.levers["default"])
        if model_id in values.index.get_level_values(0):
            out.update(values.xs(model_id, level=0).to_dict())
        return out


# ---------------------------------------------------------------------------------------------------


def _read_yaml(path: Path) -> Any:
    try:
        return load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc


def _hint(key: object, valid: "Iterable[str]") -> str:
    """' (did you mean 'x'?)' for a key one typo away from a valid one, else ''."""
    close = difflib.get_close_matches(str(key), list(valid), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _fail(path: Path, problems: list[str]) -> None:
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise DataFileError(f"{path}: {len(problems)} problem(s):\n{listing}")


def _load_levers(path: Path) -> pd.DataFrame:
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("levers"), dict):
        raise DataFileError(f"{path}: expected a mapping 'levers:'")
    rows, problems = [], []
    for key, spec in raw["levers"].items():
        need = {"description", "unit", "bounds", "default", "better", "group"}
        missing = need - set(spec or {})
        if missing:
            problems.append(f"{key}: missing {sorted(missing)}")
            continue
        lo, hi = spec["bounds"]
        if not lo <= spec["default"] <= hi:
            problems.append(f"{key}: default {spec['default']} outside bounds [{lo}, {hi}]")
        if spec["better"] not in ("lower", "higher", "none"):
            problems.append(f"{key}: better must be lower, higher or none")
        rows.append(
            {
                "key": key,
                "description": spec["description"],
                "unit": spec["unit"],
                "bound_low": float(lo),
                "bound_high": float(hi),
                "default": float(spec["default"]),
                "better": spec["better"],
                "group": spec["group"],
            }
        )
    _fail(path, problems)
    return pd.DataFrame(rows).set_index("key")


#: What a source says of itself (``sources.yaml``): who, what, when, where, and its kind (which bounds quality).
SOURCE_FIELDS = ("publisher", "title", "year", "link", "kind")


def _load_sources(path: Path) -> dict[str, dict[str, str]]:
    """A ``sources.yaml`` (bundled or a workspace's): ``sources: {id: {publisher, title, year, link, kind}}``,
    ``publisher``, ``title`` and ``year`` non-empty (``year`` may say 'n.d. (read ...)'; ``link`` is empty for a
    document not published, such as the actuary's letter to the council), no other field; beside ``sources``
    only ``schema_version``. Raises :class:`DataFileError` naming the file and every problem."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), dict):
        raise DataFileError(f"{path}: expected a mapping 'sources:'")
    problems = [
        f"{k}: unknown key; valid: sources, schema_version" for k in raw if k not in ("sources", "schema_version")
    ]
    if "schema_version" in raw:
        try:
            workspace.version_field(raw.get("schema_version"))
        except (TypeError, ValueError) as exc:
            problems.append(f"schema_version: {exc}")
    for k, v in raw["sources"].items():
        if not isinstance(v, dict):
            problems.append(f"{k}: expected a mapping with {', '.join(SOURCE_FIELDS)}, got {v!r}")
            continue
        problems += [
            f"{k}.{f}: missing; a source says who published it, its title and its year"
            for f in SOURCE_FIELDS[:3]
            if not str(v.get(f) or "").strip()
        ]
        problems += [f"{k}.{f}: unknown field; valid: {', '.join(SOURCE_FIELDS)}" for f in v if f not in SOURCE_FIELDS]
    problems += [
        f"{k}.kind: {v.get('kind')!r}; expected one of {', '.join(SOURCE_KINDS)}"
        for k, v in raw["sources"].items()
        if isinstance(v, dict) and "kind" in v and v["kind"] not in SOURCE_KINDS
    ]
    _fail(path, problems)
    return {
        k: {
            "title": str(v["title"]),
            "link": v.get("link") or "",
            "publisher": str(v.get("publisher") or ""),
            "year": str(v.get("year") or ""),
            "kind": str(v.get("kind") or ""),
        }
        for k, v in raw["sources"].items()
    }


def _load_own_sources(path: Path, bundled: Mapping[str, Any], bundled_path: Path) -> dict[str, dict[str, str]]:
    """A workspace's own ``sources.yaml`` (the council's ledger, actuary's report, cabinet decision...), in the
    bundled file's layout; each source needs a ``kind`` (the quality rule turns on it) and an id the bundled file
    does not use. Raises :class:`DataFileError` naming the file and every problem."""
    own = _load_sources(path)
    problems = [
        f"{k}: the bundled {bundled_path.name} already has this id ({bundled[k]['title'][:60]}); give yours another"
        for k in own
        if k in bundled
    ]
    problems += [
        f"{k}.kind: missing; expected one of {', '.join(SOURCE_KINDS)} (it decides the best quality an assumption "
        "citing it can have)"
        for k, v in own.items()
        if not v["kind"]
    ]
    _fail(path, problems)
    return own


def _check_entry(key: str, entry: _Entry, lo: float, hi: float, sources: Mapping[str, Any]) -> list[str]:
    problems = []
    vals = (entry.low, entry.central, entry.high)
    if any(not math.isfinite(v) for v in vals):
        problems.append(f"{key}: values must be finite numbers")
    elif not entry.low <= entry.central <= entry.high:
        problems.append(f"{key}: expected low <= central <= high, got {entry.low}, {entry.central}, {entry.high}")
    for name, v in zip(("low", "central", "high"), vals):
        if math.isfinite(v) and not lo <= v <= hi:
            problems.append(f"{key}: {name} = {v} outside the allowed range [{lo}, {hi}]")
    if not entry.source.strip():
        problems.append(f"{key}: missing source")
    elif entry.source not in sources:
        problems.append(
            f"{key}: source {entry.source!r} is not a source id{_source_hint(entry.source, sources)}: cite one of the "
            f"{len(sources)} ids of the bundled data/assumptions/sources.yaml, or add the council's own source "
            f"(publisher, title, year, link, kind) to the workspace's {OWN_SOURCES_FILE} (docs/workspaces.md)"
        )
    else:
        problems += [f"{key}: {p}" for p in quality_rule_problems(entry, sources[entry.source])]
    return problems + [f"{key}: {p}" for p in other_source_problems(entry, sources)]


def _source_hint(source_id: str, sources: Mapping[str, Any]) -> str:
    """Say the new id of a renamed source, else the closest ids (as :func:`_hint`)."""
    if source_id in RENAMED_SOURCES:
        return f" (renamed {RENAMED_SOURCES[source_id]!r})"
    return _hint(source_id, sources)


def other_source_problems(entry: "_Entry", sources: Mapping[str, Any]) -> list[str]:
    """What breaks the rules for an assumption's further sources (``other_sources``, each backing its low,
    central or high): each names a known source other than the main one, says where in it the figure is
    (``locator``), is not a judgement (say whose judgement in the note instead), and cites a statute only for a
    rule (``basis: fact``), as the main source does (``data/assumptions/README.md``). Empty when they keep it."""
    found = []
    for i, other in enumerate(entry.other_sources):
        where = f"other_sources[{i}] ({other.source or 'no source'})"
        source = sources.get(other.source)
        if source is None:
            found.append(f"{where}: not a source id{_source_hint(other.source, sources)}")
            continue
        kind = source.get("kind")
        if other.source == entry.source:
            found.append(f"{where}: repeats the main source; give a second figure from it in the main locator")
        if kind == "judgement":
            found.append(f"{where}: a judgement is not a further source; say whose judgement in the note")
        if not other.locator.strip():
            found.append(f"{where}: no locator (the page, table or paragraph of the figure behind the {other.backs})")
        if kind == "statute" and entry.basis != "fact":
            found.append(f"{where}: a statute, cited only for a rule (basis: fact), not for a {entry.basis} number")
    return found


def quality_rule_problems(entry: "_Entry", source: Mapping[str, Any]) -> list[str]:
    """What breaks the quality rule of ``data/assumptions/README.md`` in one assumption ``entry`` citing
    ``source`` (a ``sources.yaml`` entry, its ``kind`` deciding the best rating): green needs an official
    statistic, a statute or the council's own ledger, amber a published study or survey, each read in the
    source's own text (``verified: true``); anything unverified is red; a judgement is red, never verified, with a
    note saying whose and why; a figure from a source needs a ``locator``; a statute is cited only for a rule
    (``basis: fact``). Empty when the entry keeps the rule."""
    kind = str(source.get("kind") or "")
    found = []
    if kind == "judgement":
        if entry.quality != "red" or entry.verified:
            found.append(f"a judgement ({entry.source}) is always red and never verified, not {entry.quality}")
        if not entry.note.strip():
            found.append("a judgement needs a note saying whose judgement it is and why no published figure is used")
    elif not entry.locator.strip():
        found.append(f"cites {entry.source} without a locator (the page, table or paragraph of the figure)")
    if not entry.verified and entry.quality != "red":
        found.append(f"not verified against the source's own text, so no better than red (is {entry.quality})")
    what = kind or "a source with no kind"
    if entry.quality == "green" and kind not in GREEN_KINDS:
        found.append(f"green needs an official statistic, a statute or the council's own ledger, not {what}")
    if entry.quality == "amber" and kind not in AMBER_KINDS:
        found.append(f"amber needs a published study or survey (or better), not {what}")
    if kind == "statute" and entry.basis != "fact":
        found.append(
            f"{entry.source} is a statute, cited only for a rule (basis: fact), not for a {entry.basis} number"
        )
    return found


def _entries(
    path: Path,
    scope: str,
    mapping: Any,
    levers: pd.DataFrame,
    sources: Mapping[str, Any],
    settings_specs: Mapping[str, _SettingEntry] | None = None,
) -> tuple[list[dict], list[str]]:
    """Validate a mapping of assumption entries; return rows and problems (never raise)."""
    rows: list[dict] = []
    problems: list[str] = []
    if mapping is None:
        return rows, problems
    if not isinstance(mapping, dict):
        return rows, [f"{scope}: expected a mapping of assumptions"]
    for key, raw in mapping.items():
        if settings_specs is not None:
            if key not in settings_specs:
                problems.append(
                    f"{key}: unknown project-wide assumption{_hint(key, settings_specs)}; "
                    f"valid: {', '.join(settings_specs)}"
                )
                continue
            spec = settings_specs[key]
            lo, hi, unit, desc, better = *spec.bounds, spec.unit, spec.description, spec.better
        else:
            if key not in levers.index:
                problems.append(
                    f"{scope}.{key}: unknown assumption key{_hint(key, levers.index)}; "
                    f"valid keys (levers.yaml): {', '.join(levers.index)}"
                )
                continue
            lev = levers.loc[key]
            lo, hi, unit, desc, better = lev.bound_low, lev.bound_high, lev.unit, lev.description, lev.better
        try:
            entry = _Entry.model_validate(raw)
        except ValidationError as exc:
            for e in exc.errors():
                loc = ".".join(map(str, e["loc"]))
                problems.append(f"{scope}.{key}.{loc}: {validation_message(e)}")
            continue
        in_force = value_at(entry, base_date())
        if in_force is not None:
            entry = entry.model_copy(update=in_force)
        problems += [f"{scope}.{p}" for p in _check_entry(key, entry, lo, hi, sources)]
        src = sources.get(entry.source, {"title": "", "link": ""})
        rows.append(_entry_row(path, scope, key, entry, unit, desc, better, src))
    return rows, problems


def _entry_row(
    path: Path, scope: str, key: str, entry: _Entry, unit: str, desc: str | None, better: Any, src: Mapping[str, Any]
) -> dict[str, Any]:
    """One assumption's row of the book: its range, unit, basis, quality and source (title and link from
    sources.yaml); the description defaults to the lever's (``desc``); money in prices of the base year."""
    return {
        "scope": scope,
        "key": key,
        "description": entry.description or desc,
        "unit": unit,
        "price_base": config.BASE_YEAR if ("GBP" in unit) else "n/a",
        "low": entry.low,
        "central": entry.central,
        "high": entry.high,
        "better": better,
        "basis": entry.basis,
        "quality": entry.quality,
        "source_id": entry.source,
        "source": src["title"],
        "link": src["link"],
        "note": entry.note,
        "file": path.name,
        "as_of": entry.as_of or "",
        "locator": entry.locator,
        "verified": entry.verified,
        # JSON text, not a list, so that the table (and a result's, in the dashboards' Parquet cache) holds strings
        "other_sources": json.dumps([o.model_dump(exclude={"verified"}) for o in entry.other_sources])
        if entry.other_sources
        else "",
        "also_cited": "; ".join(
            f"{o.source}, for the {o.backs}{'' if o.verified else ' (not verified)'}: {o.locator}"
            for o in entry.other_sources
        ),
    }


def _settings_key_problems(raw: Mapping[str, Any], sources: Mapping[str, Any]) -> list[str]:
    """Unknown and missing top-level keys of appraisal.yaml, and targets without a source or a share in [0, 1]."""
    problems: list[str] = []
    allowed = {
        "base_year",
        "first_year",
        "horizon_years",
        "discount_schedule",
        "optimism_bias",
        "facts",
        "assumptions",
        "gdp_deflator",
        "targets",
        "residual_value",
        "monte_carlo",
    }
    for k in sorted(set(raw) - allowed, key=str):
        problems.append(f"{k}: unknown key{_hint(k, allowed)}; valid: {', '.join(sorted(allowed))}")
    for k in sorted(allowed - set(raw) - {"targets", "residual_value", "monte_carlo"}):
        problems.append(f"{k}: missing")
    for name, spec in (raw.get("targets") or {}).items():
        if not isinstance(spec, dict) or spec.get("source") not in sources:
            problems.append(f"targets.{name}.source: expected a source id from sources.yaml")
        elif not isinstance(spec.get("value"), (int, float)) or not 0 <= spec["value"] <= 1:
            problems.append(f"targets.{name}.value: expected a share in [0, 1], got {spec.get('value')!r}")
    return problems


def _discount_bands(schedule: Mapping[str, Any], problems: list[str]) -> list[tuple[int, int | None, float]]:
    """The Green Book bands (from year, to year or None for open, rate), sorted; a rate outside [0, 1], a gap
    between bands or a schedule that does not start at year 0 and end open is appended to ``problems``."""
    bands = []
    for i, band in enumerate(schedule.get("bands", [])):
        rate = band.get("rate")
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            problems.append(f"discount_schedule.bands[{i}].rate: expected a rate in [0, 1], got {rate!r}")
            continue
        bands.append((int(band["from_year"]), band.get("to_year"), float(rate)))
    bands.sort()
    band_problems = len(problems)
    for (_, a1, _), (b0, _, _) in zip(bands, bands[1:]):
        if a1 is None or a1 + 1 != b0:
            expected = a1 + 1 if a1 is not None else "?"
            problems.append(f"discount_schedule.bands: band ending {a1} is not followed by a band starting {expected}")
    if band_problems == 0 and (not bands or bands[0][0] != 0 or bands[-1][1] is not None):
        problems.append("discount_schedule.bands: must start at year 0 and end open (to_year: null)")
    return bands


def _optimism_bias(ob: Mapping[str, Any], problems: list[str]) -> tuple[dict[str, float], dict[str, Any]]:
    """(category -> upper bound (share), cost kind -> category) from ``optimism_bias``; faults, including those of
    the contributory factors, appended to ``problems``."""
    upper = {}
    for name, spec in (ob.get("categories") or {}).items():
        u = spec.get("upper") if isinstance(spec, dict) else None
        if not isinstance(u, (int, float)) or u < 0:
            problems.append(f"optimism_bias.categories.{name}.upper: expected a non-negative share, got {u!r}")
        else:
            upper[name] = float(u)
    use = dict(ob.get("use") or {})
    for kind in ("operating", "one_off", "it_separation"):
        if use.get(kind) not in upper:
            problems.append(
                f"optimism_bias.use.{kind}: {use.get(kind)!r} is not a category in optimism_bias.categories"
            )
    problems += _check_ob_factors(ob.get("contributory_factors") or {}, upper)
    return upper, use


def _check_facts(facts: Mapping[str, Any], sources: Mapping[str, Any], problems: list[str]) -> None:
    """Each fact needs a source in sources.yaml, and a value (when given) that is a share in [0, 1], as must each
    class's council share of retained business rates."""
    for name, spec in facts.items():
        if spec.get("source") not in sources:
            problems.append(f"facts.{name}.source: {spec.get('source')!r} is not in sources.yaml")
        v = spec.get("value")
        if v is not None and not (isinstance(v, (int, float)) and 0 <= v <= 1):
            problems.append(f"facts.{name}.value: expected a share in [0, 1], got {v!r}")
    for cls, v in (facts.get("rates_retention_council_share", {}).get("by_class") or {}).items():
        if not 0 <= v <= 1:
            problems.append(f"facts.rates_retention_council_share.by_class.{cls}: expected a share in [0, 1], got {v}")


def _setting_entries(
    path: Path, raw_entries: Mapping[str, Any] | None, sources: Mapping[str, Any], problems: list[str]
) -> tuple[dict[str, _SettingEntry], list[dict]]:
    """The project-wide assumptions of appraisal.yaml: key -> validated entry, and their assumption-table rows;
    every fault appended to ``problems`` under ``assumptions.``."""
    specs: dict[str, _SettingEntry] = {}
    for key, spec in (raw_entries or {}).items():
        try:
            specs[key] = _SettingEntry.model_validate(spec)
        except ValidationError as exc:
            for e in exc.errors():
                problems.append(f"assumptions.{key}.{'.'.join(map(str, e['loc']))}: {validation_message(e)}")
    rows, entry_problems = _entries(
        path,
        PROJECT_SCOPE,
        {k: {f: getattr(v, f) for f in _Entry.model_fields} for k, v in specs.items()},
        pd.DataFrame(),
        sources,
        settings_specs=specs,
    )
    problems += [f"assumptions.{p}" for p in entry_problems]
    return specs, rows


def _residual_life_years(residual: Any, sources: Mapping[str, Any], problems: list[str]) -> float:
    """appraisal.yaml's ``residual_value.remaining_life_years`` (0 to 100 years, with a source from
    sources.yaml; 0 years from team judgement when the block is absent); 0 with the problem noted in
    ``problems`` when it is not valid."""
    residual = residual or {"remaining_life_years": 0, "source": TEAM_JUDGEMENT}
    life = residual.get("remaining_life_years")
    if not isinstance(life, (int, float)) or not 0 <= life <= 100 or residual.get("source") not in sources:
        problems.append(
            f"residual_value: expected remaining_life_years from 0 to 100 and a source from sources.yaml, "
            f"got {residual!r}"
        )
        return 0.0
    return float(life)


def _horizon_years(horizon: Any, problems: list[str]) -> int:
    """appraisal.yaml's ``horizon_years`` (a whole number of years from 1 to 100, or ``{value: n}``);
    0 with the problem noted in ``problems`` when it is not."""
    h = horizon.get("value") if isinstance(horizon, dict) else horizon
    if not isinstance(h, int) or not 1 <= h <= 100:
        problems.append(f"horizon_years.value: expected a whole number of years from 1 to 100, got {h!r}")
        return 0
    return int(h)


def _load_settings(path: Path, sources: Mapping[str, Any]) -> tuple[Settings, dict[str, _SettingEntry], list[dict]]:
    """appraisal.yaml: the appraisal settings (years, Green Book bands, optimism bias, facts, targets, deflator),
    its project-wide assumptions and their table rows; every problem in one :class:`DataFileError`."""
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}: expected a mapping")
    problems = _settings_key_problems(raw, sources)
    _fail(path, problems)
    targets = raw.get("targets") or {}
    bands = _discount_bands(raw["discount_schedule"], problems)
    ob = raw["optimism_bias"]
    upper, use = _optimism_bias(ob, problems)
    life = _residual_life_years(raw.get("residual_value"), sources, problems)
    for block in ("discount_schedule", "optimism_bias", "gdp_deflator"):
        if raw[block].get("source") not in sources:
            problems.append(f"{block}.source: {raw[block].get('source')!r} is not in sources.yaml")
    facts = raw["facts"] or {}
    _check_facts(facts, sources, problems)
    h = _horizon_years(raw["horizon_years"], problems)
    specs, rows = _setting_entries(path, raw["assumptions"], sources, problems)
    deflator = pd.Series(raw["gdp_deflator"].get("index") or {}, dtype=float)
    if deflator.empty or (deflator <= 0).any():
        problems.append("gdp_deflator.index: expected positive index values by financial year")
    _fail(path, problems)
    settings = Settings(
        base_year=str(raw["base_year"]),
        first_year=str(raw["first_year"]),
        horizon_years=h,
        discount_bands=tuple(bands),
        optimism_bias_upper=upper,
        optimism_bias_use=use,
        facts=facts,
        targets=targets,
        gdp_deflator=deflator,
        sources_of_settings={b: raw[b]["source"] for b in ("discount_schedule", "optimism_bias", "gdp_deflator")},
        ob_factors=dict(ob.get("contributory_factors") or {}),
        residual_life_years=float(life),
    )
    return settings, specs, rows


def _check_ob_factors(factors: Mapping[str, Any], categories: Mapping[str, float]) -> list[str]:
    """Problems with optimism_bias.contributory_factors: each names its area, its contribution per
    category (shares), the share managed (0..1) and the evidence for it."""
    problems = []
    for name, f in factors.items():
        where = f"optimism_bias.contributory_factors.{name}"
        if not isinstance(f, dict) or not isinstance(f.get("contribution"), dict):
            problems.append(f"{where}: expected a mapping with area, contribution, managed, evidence")
            continue
        for cat, share in f["contribution"].items():
            if cat not in categories or not isinstance(share, (int, float)) or not 0 <= share <= 1:
                problems.append(
                    f"{where}.contribution.{cat}: expected a category of optimism_bias.categories "
                    f"and a share in [0, 1], got {share!r}"
                )
        managed = f.get("managed")
        if not isinstance(managed, (int, float)) or not 0 <= managed <= 1:
            problems.append(f"{where}.managed: expected a share in [0, 1], got {managed!r}")
        if not str(f.get("evidence") or "").strip():
            problems.append(f"{where}.evidence: missing (write 'none recorded' when there is none)")
    return problems


def _load_models(folder: Path, levers: pd.DataFrame, sources: Mapping[str, Any]) -> tuple[dict, list[dict]]:
    models, rows = {}, []
    files = {p.stem: p for p in sorted(folder.glob("*.yaml"))}
    for model_id in set(files) - set(DELIVERY_MODELS):
        raise DataFileError(
            f"{files[model_id]}: {model_id!r} is not a delivery model; valid: {', '.join(DELIVERY_MODELS)}"
        )
    for model_id in DELIVERY_MODELS:
        path = files.get(model_id)
        if path is None:
            raise DataFileError(f"{folder}: no assumptions file for delivery model {model_id!r} ({model_id}.yaml)")
        raw = _read_yaml(path)
        problems = []
        if not isinstance(raw, dict):
            raise DataFileError(f"{path}: expected a mapping with id, name, description, teckal, assumptions")
        allowed = {"id", "name", "description", "teckal", "assumptions"}
        problems += [
            f"{k}: unknown key{_hint(k, allowed)}; valid: {', '.join(sorted(allowed))}"
            for k in sorted(set(raw) - allowed, key=str)
        ]
        if raw.get("id") != model_id:
            problems.append(f"id: {raw.get('id')!r} does not match the file name {model_id!r}")
        for k in ("name", "description"):
            if not str(raw.get(k, "")).strip():
                problems.append(f"{k}: missing")
        r, p = _entries(path, model_id, raw.get("assumptions"), levers, sources)
        problems += p
        _fail(path, problems)
        rows += r
        models[model_id] = {"name": raw["name"], "description": raw["description"], "teckal": bool(raw.get("teckal"))}
    return models, rows


def _load_scenarios(path: Path, table: pd.DataFrame) -> dict[str, Scenario]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict) or not isinstance(raw.get("scenarios"), dict):
        raise DataFileError(f"{path}: expected a mapping 'scenarios:'")
    out: dict[str, Scenario] = {}
    problems: list[str] = []
    for name, spec in raw["scenarios"].items():
        spec = spec or {}
        if not isinstance(spec, dict) or not isinstance(spec.get("set") or {}, dict):
            where, shape = (
                (name, "description, pick, plan_duration, set")
                if not isinstance(spec, dict)
                else (f"{name}.set", "'<option>.<assumption key>: value' lines")
            )
            problems.append(f"{where}: expected a mapping of {shape}, got {spec if where == name else spec['set']!r}")
            continue
        allowed = ("description", "pick", "plan_duration", "set")
        extra = sorted(set(spec) - set(allowed), key=str)
        problems += [f"{name}.{k}: unknown key{_hint(k, allowed)}; valid: {', '.join(allowed)}" for k in extra]
        pick = spec.get("pick", "central")
        if pick not in PICKS:
            problems.append(f"{name}.pick: {pick!r}; expected one of {', '.join(PICKS)}")
        plan = spec.get("plan_duration", "central")
        if plan not in PLAN_CASES:
            problems.append(f"{name}.plan_duration: {plan!r}; expected one of {', '.join(PLAN_CASES)}")
        settings = _scenario_settings(name, spec.get("set") or {}, table, problems)
        out[name] = Scenario(
            name=name, description=str(spec.get("description", "")), pick=pick, plan_duration=plan, set=settings
        )
    for required in ("low", "central", "high"):
        if required not in out:
            problems.append(f"{required}: the scenario is required")
    _fail(path, problems)
    return out


def _scenario_settings(
    name: str, set_spec: Mapping[Any, Any], table: pd.DataFrame, problems: list[str]
) -> dict[tuple[str, str], float]:
    """A scenario's ``set:`` lines as (scope, key) -> value, each key an assumption of the project or
    of a delivery model and each value within its bounds; a line that is not is left out, and what is
    wrong with it added to ``problems`` (naming ``<scenario>.set.<key>``)."""
    known_scopes = set(DELIVERY_MODELS) | {PROJECT_SCOPE}
    settings: dict[tuple[str, str], float] = {}
    for full_key, value in set_spec.items():
        try:
            parsed = parse_key(str(full_key))
        except DDAnalysisError as exc:
            problems.append(f"{name}.set.{full_key}: {exc}")
            continue
        if parsed.service is not None:
            problems.append(
                f"{name}.set.{full_key}: service-scoped keys are not supported in a "
                "single-service project; write '<scope>.<key>'"
            )
            continue
        scope, key = parsed.pair
        if scope not in known_scopes:
            problems.append(
                f"{name}.set.{full_key}: unknown option {scope!r}{_hint(scope, known_scopes)}; "
                f"valid: {', '.join(sorted(known_scopes))}"
            )
            continue
        rows = table[(table.scope == scope) & (table.key == key)]
        if rows.empty:
            problems.append(
                f"{name}.set.{full_key}: {scope} has no assumption {key!r}{_hint(key, table.key[table.scope == scope])}"
            )
            continue
        lo, hi = rows.iloc[0]["bound_low"], rows.iloc[0]["bound_high"]
        if not isinstance(value, (int, float)) or not lo <= value <= hi:
            problems.append(f"{name}.set.{full_key}: {value!r} outside the allowed range [{lo}, {hi}]")
            continue
        settings[(scope, key)] = float(value)
    return settings


def _apply_project_overrides(
    path: Path,
    raw: Any,
    table: pd.DataFrame,
    levers: pd.DataFrame,
    sources: Mapping[str, Any],
    specs: Mapping[str, _SettingEntry],
    project_id: str,
) -> pd.DataFrame:
    """``table`` with a project's ``assumptions.yaml`` applied: its ``settings`` and ``models`` entries, then, for
    one service (``project_id`` ``<id>:<service id>``), that service's entries under ``services: {<service id>:
    {settings, models}}``, which apply to it alone. ``raw`` is the file as parsed. Raises :class:`DataFileError`
    listing every problem."""
    problems = []
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}: expected a mapping with project, settings, models")
    allowed = ("schema_version", "project", "settings", "models", "optimism_bias_factors", "targets", "services")
    problems += [
        f"{k}: unknown key{_hint(k, allowed)}; valid: {', '.join(allowed)}"
        for k in sorted(set(raw) - set(allowed), key=str)
    ]
    base_id, service = workspace.split_ref(project_id)
    if raw.get("project") != base_id:
        problems.append(f"project: {raw.get('project')!r} does not match the project's id {base_id!r}")
    try:
        workspace.version_field(raw.get("schema_version"))
    except ValueError as exc:
        problems.append(f"schema_version: {exc}")
    new_rows, p = _override_rows(path, raw, levers, sources, specs)
    problems += p
    by_service = _service_sections(path, raw.get("services"), problems)
    service_rows, p = _override_rows(path, by_service.get(service or "", {}), levers, sources, specs)
    problems += [f"services.{service}.{x}" for x in p]
    _fail(path, problems)
    table = _replace_rows(table, new_rows, path)
    return _replace_rows(table, service_rows, path, f" for {service}")


def _override_rows(
    path: Path, raw: Mapping[str, Any], levers: pd.DataFrame, sources: Mapping[str, Any], specs: Mapping[str, Any]
) -> tuple[list[dict], list[str]]:
    """The rows of an overrides mapping's ``settings`` and ``models`` entries, and the problems found."""
    new_rows, problems = _entries(path, PROJECT_SCOPE, raw.get("settings"), levers, sources, settings_specs=specs)
    for model_id, mapping in (raw.get("models") or {}).items():
        if model_id not in DELIVERY_MODELS:
            problems.append(
                f"models.{model_id}: unknown delivery model{_hint(model_id, DELIVERY_MODELS)}; "
                f"valid: {', '.join(DELIVERY_MODELS)}"
            )
            continue
        r, p = _entries(path, model_id, mapping, levers, sources)
        new_rows += r
        problems += p
    return new_rows, problems


def _service_sections(path: Path, given: Any, problems: list[str]) -> dict[str, dict]:
    """``services:`` of an overrides file: service id -> {settings, models}, each id a service of the
    workspace's ``project.yaml``; what is wrong is added to ``problems``."""
    if given is None:
        return {}
    if not isinstance(given, dict):
        problems.append("services: expected a mapping of service id -> {settings, models}")
        return {}
    ids = workspace.read_project_file(path.parent).service_ids
    out = {}
    for sid, section in given.items():
        if sid not in ids:
            problems.append(f"services.{sid}: not a service of project.yaml; valid: {', '.join(ids)}")
        elif not isinstance(section, dict):
            problems.append(f"services.{sid}: expected a mapping with settings and/or models, got {section!r}")
        elif set(section) - {"settings", "models"}:
            problems += [
                f"services.{sid}.{k}: unknown key; a service's section holds settings and models"
                + (
                    " (targets and optimism_bias_factors go at the top level: one per project)"
                    if k in ("targets", "optimism_bias_factors")
                    else ""
                )
                for k in sorted(set(section) - {"settings", "models"}, key=str)
            ]
        else:
            out[str(sid)] = section
    return out


def _replace_rows(table: pd.DataFrame, new_rows: list[dict], path: Path, whose: str = "") -> pd.DataFrame:
    """``table`` with ``new_rows`` in place of the rows of the same (scope, key), marked as the project's own."""
    if not new_rows:
        return table
    new = pd.DataFrame(new_rows).assign(origin=f"{ORIGIN_OWN} ({path.name}{whose})")
    keep = ~table.set_index(["scope", "key"]).index.isin(new.set_index(["scope", "key"]).index)
    return pd.concat([table[keep], new], ignore_index=True)


def _project_ob_factors(path: Path, raw: Mapping[str, Any], settings: Settings) -> Settings:
    """The settings with a project's own evidence on optimism-bias contributory factors applied:
    ``optimism_bias_factors: {factor id: {managed: share 0..1, evidence: text}}`` in its project file (``raw``, as
    parsed)."""
    given = raw.get("optimism_bias_factors") or {}
    if not given:
        return settings
    problems, factors = [], {k: dict(v) for k, v in settings.ob_factors.items()}
    for name, spec in given.items() if isinstance(given, dict) else []:
        where = f"optimism_bias_factors.{name}"
        if name not in factors:
            problems.append(f"{where}: unknown contributory factor{_hint(name, factors)}; valid: {', '.join(factors)}")
            continue
        managed = spec.get("managed") if isinstance(spec, dict) else None
        evidence = str(spec.get("evidence") or "").strip() if isinstance(spec, dict) else ""
        if not isinstance(managed, (int, float)) or not 0 <= managed <= 1 or not evidence:
            problems.append(f"{where}: expected managed (a share in [0, 1]) and the evidence for it, got {spec!r}")
            continue
        factors[name].update(managed=float(managed), evidence=evidence)
    if not isinstance(given, dict):
        problems.append("optimism_bias_factors: expected a mapping of factor id -> {managed, evidence}")
    _fail(path, problems)
    return dataclasses.replace(settings, ob_factors=factors)


#: The keys of a savings target (``targets.<name>`` in appraisal.yaml or a workspace's assumptions.yaml).
TARGET_KEYS = ("value", "unit", "source", "locator", "as_of", "note")


def _target_source_problems(where: str, spec: Mapping[str, Any], sources: Mapping[str, Any]) -> list[str]:
    """What is wrong with a savings target's citation, by the assumptions' rules: a known source; a statute
    never (it gives rules, not a council's target); a locator unless it is a judgement, which needs a note."""
    if not str(spec.get("source") or "").strip():
        return [f"{where}.source: missing; cite the council's medium-term financial plan ({OWN_SOURCES_FILE})"]
    source = str(spec.get("source"))
    if source not in sources:
        return [
            f"{where}.source: {source!r} is not a source id{_source_hint(source, sources)}: cite the council's "
            f"medium-term financial plan from the workspace's {OWN_SOURCES_FILE} (docs/workspaces.md)"
        ]
    kind = sources[source].get("kind")
    if kind == "judgement":
        note = str(spec.get("note") or "").strip()
        return [] if note else [f"{where}.note: a judgement needs a note saying whose and why"]
    if kind == "statute":
        return [f"{where}.source: {source} is a statute, cited only for a rule, not for a council's savings target"]
    if not str(spec.get("locator") or "").strip():
        return [f"{where}.locator: missing; say where in {source} the target is (page, table or paragraph)"]
    return []


def _project_targets(path: Path, raw: Mapping[str, Any], settings: Settings, sources: Mapping[str, Any]) -> Settings:
    """The settings with a project's own savings target: ``targets: {steady_state_saving_share: {value, source,
    locator, as_of, note}}`` in its assumptions.yaml (the council's medium-term financial plan), in place of the
    bundled illustrative one (``raw``: the file as parsed); marked ``origin: project's own`` so the outputs say
    whose it is. Raises
    :class:`DataFileError` naming the file and key for an unknown target, a share outside (0, 1], an unknown
    source or a judgement without its note."""
    given = raw.get("targets") or {}
    if not given:
        return settings
    problems, targets = [], dict(settings.targets)
    for name, spec in given.items() if isinstance(given, dict) else []:
        where = f"targets.{name}"
        if name not in targets:
            problems.append(f"{where}: unknown target{_hint(name, targets)}; valid: {', '.join(targets)}")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping with value and source, got {spec!r}")
            continue
        problems += [f"{where}.{k}: unknown key; valid: {', '.join(TARGET_KEYS)}" for k in spec if k not in TARGET_KEYS]
        value = spec.get("value")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
            problems.append(f"{where}.value: expected a share of the net budget in (0, 1] (0.1 = 10%), got {value!r}")
        problems += _target_source_problems(where, spec, sources)
        targets[name] = {**targets[name], **spec, "origin": f"{ORIGIN_OWN} ({path.name})"}
    if not isinstance(given, dict):
        problems.append("targets: expected a mapping of target name -> {value, source, note}")
    _fail(path, problems)
    return dataclasses.replace(settings, targets=targets)


def _laid_out(path: Path, load, *args):
    """``load(path, *args)``, turning a crash on a file of the wrong layout into a DataFileError naming it."""
    try:
        return load(path, *args)
    except DDAnalysisError:
        raise
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise DataFileError(
            f"{path}: not laid out as expected ({type(exc).__name__}: {exc}); compare it with the "
            "bundled file of the same name in data/assumptions"
        ) from exc


#: ``origin`` of an assumption: the bundled value, or the project's own (its overrides file, named after it).
ORIGIN_DEFAULT = "bundled default"
ORIGIN_OWN = "project's own"


def _overrides_file(folder: Path, project_id: str) -> Path | None:
    """A project's assumption overrides: ``projects/<id>.yaml`` in an assumptions folder given explicitly,
    else ``assumptions.yaml`` in the project's workspace; None when it has none."""
    legacy = folder / "projects" / f"{project_id}.yaml"
    if legacy.exists():
        return legacy
    return workspace.optional_file(project_id, "assumptions.yaml")


@lru_cache(maxsize=32)
def _load_book_cached(folder: Path, project_id: str | None, _stamp: Stamp) -> AssumptionBook:
    levers = _laid_out(folder / "levers.yaml", _load_levers)
    sources = _laid_out(folder / "sources.yaml", _load_sources)
    settings, specs, setting_rows = _laid_out(folder / "appraisal.yaml", _load_settings, sources)
    models, model_rows = _laid_out(folder / "models", _load_models, levers, sources)
    table = pd.DataFrame(setting_rows + model_rows).assign(origin=ORIGIN_DEFAULT)
    own_sources = workspace.optional_file(project_id, OWN_SOURCES_FILE) if project_id is not None else None
    if own_sources is not None:
        sources = {**sources, **_laid_out(own_sources, _load_own_sources, sources, folder / "sources.yaml")}
    if project_id is not None:
        override = _overrides_file(folder, project_id)
        if override is not None:
            raw = _read_yaml(override)  # parsed once for its three parts
            table = _laid_out(override, _apply_project_overrides, raw, table, levers, sources, specs, project_id)
            settings = _laid_out(override, _project_ob_factors, raw, settings)
            settings = _laid_out(override, _project_targets, raw, settings, sources)
    bounds = {
        **{k: (v.bounds[0], v.bounds[1]) for k, v in specs.items()},
        **{k: (r.bound_low, r.bound_high) for k, r in levers.iterrows()},
    }
    table["bound_low"] = [bounds[k][0] for k in table.key]
    table["bound_high"] = [bounds[k][1] for k in table.key]
    order = {m: i for i, m in enumerate((PROJECT_SCOPE,) + DELIVERY_MODELS)}
    table = table.sort_values(["scope", "key"], key=lambda s: s.map(order) if s.name == "scope" else s)
    table = table.set_index(["scope", "key"], drop=False).rename_axis(["scope_", "key_"])
    table.index.names = [None, None]
    scenarios = _laid_out(folder / "scenarios.yaml", _load_scenarios, table)
    return AssumptionBook(
        project_id=project_id,
        settings=settings,
        table=table,
        levers=levers,
        sources=sources,
        models=models,
        scenarios=scenarios,
    )


def load_book(project_id: str | None = None, folder: Path | str | None = None) -> AssumptionBook:
    """Load and validate every assumption file, with the project's overrides applied.

    The returned book is shared between callers (cached): treat it as read-only.
    """
    own: list[Path | None] = [None, None]
    if project_id is not None:
        project_id = registry.project(project_id).id  # an id or a workspace folder; unknown -> UnknownKeyError
        own = [workspace.optional_file(project_id, name) for name in ("assumptions.yaml", OWN_SOURCES_FILE)]
    where = Path(folder or config.data_path("assumptions")).resolve()
    return _load_book_cached(where, project_id, (stamp(where), *(stamp(f) if f is not None else None for f in own)))


def check_all(folder: Path | str | None = None) -> int:
    """Validate every assumption file and every project's overrides; return the number of assumptions.

    ``correlations.yaml`` is validated by :func:`ddanalysis.sampling.load_correlations` (it needs the book).
    """
    n = len(load_book(None, folder).table)
    for pid in project_ids():
        load_book(pid, folder)
    return n
