"""Correlated Monte Carlo draws: common random numbers for shared quantities, declared rank correlations.

The Green Book's Monte Carlo needs the inputs' joint distribution (Annex 5): independence must be
justified. This module draws every assumption of a project's options so that

- a **shared quantity** (a lever that names one real-world quantity whatever the option: the
  actuary's view of pension rates, stranded overheads, redundancy cost; see ``shared_quantities`` in
  ``data/assumptions/correlations.yaml``) takes ONE uniform random number per draw, which each option
  maps through its own PERT range: **common random numbers**. The keys keep their scope
  (``mutual.pension_rate_change`` and ``trading-company.pension_rate_change`` keep their own
  low / central / high, but move together: rank correlation 1). Project-wide assumptions
  (``project.demand_growth``) are one quantity by construction;
- related levers move together through **rank (Spearman) correlations declared as data**
  (``correlations`` in the same file), applied by a **Gaussian copula**, which keeps every input's
  own distribution: independent standard normal scores -> correlated by a Cholesky factor ->
  uniforms by the normal CDF -> each assumption's PERT inverse CDF. A declared Spearman coefficient
  ``rho_s`` becomes the normal-score correlation ``r = 2 sin(pi rho_s / 6)`` (Pearson, 1907; Kruskal,
  1958), so that the draws' Spearman correlation is ``rho_s``.

How the pieces fit: the key-level correlation matrix ``C`` (over the lever keys and ``project.*``
keys the file names) holds within each option. Common drivers (project keys and shared quantities)
are drawn once; each option's other correlated levers are drawn conditionally on them
(``z_N = z_S B' + e``, ``B = C_NS C_SS^-1``, ``e ~ N(0, C_NN - B C_SN)`` independent per option), so
two options' own levers are independent given the shared quantities. Levers that appear in no
correlation take a normal score of their own (so their uniform is independent of everything else).

Every driver has its own random stream derived from the seed and its name (``mutual.staff_cost_change``,
``shared.pension_rate_change``): the same seed gives the same draws in any process, and an option's
draws do not change when another option joins or leaves the short list.

The PERT inverse CDF is computed with NumPy alone (SciPy is not needed): the Beta(alpha, 6 - alpha)
CDF is tabulated on 8,193 points by integrating its density and inverted by linear interpolation
(:func:`pert_ppf`: each quantile exact to within 1/8,192 of the range, far inside Monte Carlo
noise); the normal CDF is tabulated from ``math.erfc``. For speed the sampler composes the two once
per PERT shape, a table of ``ppf(Phi(z))`` on a uniform grid of normal scores read by index
arithmetic (:func:`pert_from_normal`), so a draw costs a few array operations per column.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd
import yaml

from . import config
from .errors import DataFileError
from .filestamp import Stamp, stamp
from .yamlio import load_yaml_text, read_utf8

PROJECT_SCOPE = "project"  # same as assumptions.PROJECT_SCOPE (kept local: no import cycle)
SHARED_STREAM = "shared"
CORRELATIONS_FILE = "correlations.yaml"
#: The section of ``correlations.yaml`` that declares rank correlations between outcome quantities.
OUTCOME_SECTION = "outcome_correlations"
BASIS = ("fact", "evidence", "judgement")
PSD_TOLERANCE = 1e-9

Key = tuple[str, str]  # (scope, key)


# ---- the PERT distribution ---------------------------------------------------------------------

_PERT_GRID = 8193


@lru_cache(maxsize=256)
def _beta_cdf_table(alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(F, x): the Beta(alpha, 6 - alpha) CDF F at points x on [0, 1] (trapezoid rule on the density)."""
    beta = 6.0 - alpha
    x = np.linspace(0.0, 1.0, _PERT_GRID)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.power(x, alpha - 1.0) * np.power(1.0 - x, beta - 1.0)
    dens = np.nan_to_num(dens, nan=0.0, posinf=0.0)
    F = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2.0)])
    F /= F[-1]
    F.setflags(write=False)
    x.setflags(write=False)
    return F, x


def pert_alpha(low: float, mode: float, high: float) -> float:
    """The PERT's first Beta shape, ``1 + 4 (mode - low) / (high - low)`` (the second is ``6 - alpha``)."""
    mode = min(max(mode, low), high)
    return 1.0 + 4.0 * (mode - low) / (high - low)


def pert_ppf(u: np.ndarray | float, low: float, mode: float, high: float) -> np.ndarray:
    """PERT inverse CDF: the value at cumulative probability ``u`` of the PERT on [low, high] with this mode.

    Vectorised over ``u``; constant ``low`` when ``high <= low``; the mode is clipped into the range.

    >>> round(float(pert_ppf(0.5, 0.0, 0.5, 1.0)), 9)  # symmetric: the median is the mode
    0.5
    """
    u = np.asarray(u, dtype=float)
    if high <= low:
        return np.full(u.shape, float(low))
    F, x = _beta_cdf_table(round(pert_alpha(low, mode, high), 12))
    return low + (high - low) * np.interp(u, F, x)


def pert_mean(low: float, mode: float, high: float) -> float:
    """The PERT's mean, ``(low + 4 mode + high) / 6``."""
    return (low + 4.0 * min(max(mode, low), high) + high) / 6.0


_Z_STEP = 1.0 / 512.0
_Z = np.arange(-8.5 * 512, 8.5 * 512 + 1) * _Z_STEP  # symmetric, with 0 in the middle
_PHI = np.array([0.5 * math.erfc(-z / math.sqrt(2.0)) for z in _Z])
_HALF = len(_Z) // 2  # index of z = 0


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """The standard normal CDF (tabulated from ``math.erfc`` every 1/512, linear in between: error < 1e-6)."""
    return np.interp(z, _Z, _PHI)


@lru_cache(maxsize=256)
def _pert_z_table(alpha: float) -> np.ndarray:
    """Beta(alpha, 6 - alpha) quantile of Phi(z) at every z of the normal-score grid (values in [0, 1]).

    The lower half (z <= 0) inverts this shape's CDF table at Phi(z); the upper half uses the mirror
    identity Q_{a,b}(Phi(z)) = 1 - Q_{b,a}(Phi(-z)), so neither tail loses precision near 1.
    """
    u = _PHI[: _HALF + 1]  # Phi(z) for z = -8.5 .. 0
    F, x = _beta_cdf_table(alpha)
    lower = np.interp(u, F, x)
    Fm, xm = _beta_cdf_table(round(6.0 - alpha, 12))
    upper = 1.0 - np.interp(u, Fm, xm)[::-1]
    table = np.concatenate([lower, upper[1:]])
    table.setflags(write=False)
    return table


def pert_from_normal(z: np.ndarray, low: float, mode: float, high: float) -> np.ndarray:
    """The PERT value whose cumulative probability is Phi(z): ``pert_ppf(normal_cdf(z), ...)``, faster.

    The sampler's map from a normal score to an assumption's value: one table per PERT shape on a
    uniform grid of z (step 1/512), read by index arithmetic (no search), linear in between.
    """
    z = np.asarray(z, dtype=float)
    if high <= low:
        return np.full(z.shape, float(low))
    t = _pert_z_table(round(pert_alpha(low, mode, high), 12))
    pos = np.clip((z - _Z[0]) * (1.0 / _Z_STEP), 0.0, len(_Z) - 1.000001)
    i = pos.astype(np.intp)
    frac = pos - i
    lo_v = t[i]
    return low + (high - low) * (lo_v + frac * (t[i + 1] - lo_v))


def spearman_to_normal(rho_s: float | np.ndarray) -> float | np.ndarray:
    """Normal-score (Pearson) correlation that gives the rank correlation ``rho_s`` under a Gaussian copula."""
    return 2.0 * np.sin(np.pi * np.asarray(rho_s, dtype=float) / 6.0)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two samples (no ties expected: continuous draws)."""
    ra = np.argsort(np.argsort(a, kind="stable"), kind="stable").astype(float)
    rb = np.argsort(np.argsort(b, kind="stable"), kind="stable").astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


# ---- the correlations file ---------------------------------------------------------------------


def _ordered(a: str, b: str) -> tuple[str, str]:
    """The pair ``(a, b)`` in sorted order: the key of a correlation, which has no direction."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True)
class SharedQuantity:
    """A lever that names one real quantity across options (common random numbers)."""

    key: str
    basis: str
    source: str
    rationale: str


@dataclass(frozen=True)
class CorrelationGroup:
    """Named rank correlations with their basis, source and rationale; pairs are (key, key, rho_s)."""

    name: str
    basis: str
    source: str
    rationale: str
    pairs: tuple[tuple[str, str, float], ...]


@dataclass(frozen=True)
class Correlations:
    """Shared quantities and declared rank correlations (from ``correlations.yaml``), validated.

    Keys are lever keys (``staff_cost_change``: within each option) or ``project.<key>``.
    ``Correlations.none()`` is full independence (today's assumption, for comparison).
    """

    shared: Mapping[str, SharedQuantity] = field(default_factory=dict)
    groups: tuple[CorrelationGroup, ...] = ()
    path: str | None = None

    @classmethod
    def none(cls) -> "Correlations":
        """No shared quantities and no correlations: every key and option drawn independently."""
        return cls({}, (), None)

    def without_shared(self) -> "Correlations":
        """The same correlations, but every option draws each lever on its own (no common random numbers)."""
        return dataclasses.replace(self, shared={})

    def without_pairs(self) -> "Correlations":
        """The same shared quantities, but no rank correlations between levers."""
        return dataclasses.replace(self, groups=())

    @property
    def pairs(self) -> dict[tuple[str, str], float]:
        """(a, b) with a < b -> declared Spearman coefficient."""
        return {_ordered(a, b): float(r) for g in self.groups for a, b, r in g.pairs}

    @property
    def keys(self) -> list[str]:
        """The keys that appear in a declared correlation (sorted)."""
        return sorted({k for pair in self.pairs for k in pair})

    def matrix(self, keys: list[str] | None = None, normal_scores: bool = True) -> np.ndarray:
        """Correlation matrix over ``keys`` (default: :attr:`keys`): normal-score (default) or Spearman."""
        keys = self.keys if keys is None else keys
        index = {k: i for i, k in enumerate(keys)}
        m = np.eye(len(keys))
        for (a, b), r in self.pairs.items():
            if a in index and b in index:
                v = float(spearman_to_normal(r)) if normal_scores else r
                m[index[a], index[b]] = m[index[b], index[a]] = v
        return m

    def is_common(self, key: str) -> bool:
        """True for keys drawn once per project: project-wide assumptions and shared quantities."""
        return key.startswith(PROJECT_SCOPE + ".") or key in self.shared


def _is_psd(m: np.ndarray) -> bool:
    return m.size == 0 or float(np.linalg.eigvalsh(m).min()) >= -PSD_TOLERANCE


def _minimal_inconsistent(keys: list[str], m: np.ndarray) -> list[str]:
    """A smallest-by-inclusion subset of ``keys`` whose correlation matrix is not PSD (greedy removal)."""
    keep = list(range(len(keys)))
    for i in list(keep):
        trial = [j for j in keep if j != i]
        if not _is_psd(m[np.ix_(trial, trial)]):
            keep = trial
    return [keys[j] for j in keep]


def _hint(key: str, valid: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_meta(where: str, spec: Mapping[str, Any], sources: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    problems = [
        f"{where}.{k}: unknown field{_hint(str(k), list(allowed))}; valid: {', '.join(allowed)}"
        for k in sorted(set(spec) - set(allowed), key=str)
    ]
    if spec.get("basis") not in BASIS:
        problems.append(
            f"{where}.basis: {spec.get('basis')!r}; expected one of {', '.join(BASIS)} (a judgement is labelled as one)"
        )
    src = spec.get("source")
    if not isinstance(src, str) or not src.strip():
        problems.append(f"{where}.source: missing (an id in sources.yaml; team-judgement for a judgement)")
    elif src not in sources:
        problems.append(f"{where}.source: {src!r} is not in sources.yaml{_hint(src, list(sources))}")
    if not str(spec.get("rationale") or "").strip():
        problems.append(f"{where}.rationale: missing (say why, in words)")
    return problems


def _shared_quantities(
    shared_raw: Any, lever_keys: list[str], project_keys: list[str], sources: Mapping[str, Any], problems: list[str]
) -> dict[str, SharedQuantity]:
    """The ``shared_quantities`` section: lever key -> :class:`SharedQuantity`; faults appended to ``problems``."""
    shared: dict[str, SharedQuantity] = {}
    if not isinstance(shared_raw, dict):
        problems.append("shared_quantities: expected a mapping of lever key -> basis, source, rationale")
        shared_raw = {}
    for key, spec in shared_raw.items():
        where = f"shared_quantities.{key}"
        if key not in lever_keys:
            scoped = str(key).partition(".")[2]
            why = (
                f"a shared quantity is a bare lever key (write {scoped!r}: it is shared by every option)"
                if scoped in lever_keys
                else "project-wide assumptions are one quantity already"
                if scoped in project_keys or key in project_keys
                else f"unknown assumption key{_hint(str(key), list(lever_keys))}"
            )
            problems.append(f"{where}: {why}; valid lever keys (levers.yaml): {', '.join(lever_keys)}")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping with basis, source and rationale")
            continue
        p = _check_meta(where, spec, sources, ("basis", "source", "rationale"))
        problems += p
        if not p:
            shared[key] = SharedQuantity(key, spec["basis"], spec["source"], str(spec["rationale"]).strip())
    return shared


def _check_correlation_key(where: str, key: Any, valid: list[str], lever_keys: list[str], problems: list[str]) -> bool:
    """True if ``key`` is a bare lever key or ``project.<key>``; otherwise a problem is appended."""
    if key in valid:
        return True
    listing = ", ".join(valid)
    k = str(key)
    scope, dot, bare = k.partition(".")
    if dot and scope != PROJECT_SCOPE and bare in lever_keys:
        problems.append(
            f"{where}: {k!r}: write the bare lever key {bare!r} (a correlation holds within every "
            f"option); valid keys: {listing}"
        )
    else:
        problems.append(f"{where}: unknown assumption key {k!r}{_hint(k, valid)}; valid keys: {listing}")
    return False


def _declared_pairs(where: str, spec: Mapping[str, Any], problems: list[str]) -> list[tuple[Any, Any, Any]]:
    """A group's (key, key, rank correlation) pairs as written: every pair of ``members`` and each of ``pairs``.

    Unchecked: the keys and coefficients are checked by :func:`_checked_pairs`.
    """
    pairs: list[tuple[Any, Any, Any]] = []
    if "members" in spec:
        members, r = spec.get("members"), spec.get("rank_correlation")
        if not isinstance(members, list) or len(members) < 2:
            problems.append(f"{where}.members: expected a list of at least two keys")
            members = []
        if isinstance(r, bool) or not isinstance(r, (int, float)):
            problems.append(f"{where}.rank_correlation: expected a number in [-1, 1] for every pair of members")
            members = []
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.append((a, b, r))
    elif "rank_correlation" in spec:
        problems.append(f"{where}.rank_correlation: goes with members (a list of keys)")
    raw_pairs = spec.get("pairs") or []
    if not isinstance(raw_pairs, list):
        problems.append(f"{where}.pairs: expected a list of [key, key, coefficient]")
        raw_pairs = []
    for i, item in enumerate(raw_pairs):
        if not (isinstance(item, list) and len(item) == 3):
            problems.append(f"{where}.pairs[{i}]: expected [key, key, coefficient], got {item!r}")
            continue
        pairs.append(tuple(item))
    if not pairs and "members" not in spec:
        problems.append(
            f"{where}: no pairs (give pairs: [[key, key, coefficient], ...] or members and rank_correlation)"
        )
    return pairs


def _checked_pairs(
    where: str,
    pairs: list[tuple[Any, Any, Any]],
    valid: list[str],
    lever_keys: list[str],
    seen: dict[tuple[str, str], str],
    problems: list[str],
) -> list[tuple[str, str, float]]:
    """The pairs whose keys are known, distinct and not declared before (``seen``: pair -> first group), with a
    finite rank correlation in [-1, 1]; every fault is appended to ``problems``."""
    good = []
    for a, b, r in pairs:
        here = f"{where} ({a} ~ {b})"
        ok = _check_correlation_key(here, a, valid, lever_keys, problems) & _check_correlation_key(
            here, b, valid, lever_keys, problems
        )
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not -1.0 <= r <= 1.0 or not math.isfinite(r):
            problems.append(f"{here}: coefficient {r!r}; expected a rank correlation in [-1, 1]")
            ok = False
        if a == b:
            problems.append(f"{here}: a key is not correlated with itself")
            ok = False
        pair = _ordered(str(a), str(b))
        if pair in seen:
            problems.append(f"{here}: declared again (first in {seen[pair]})")
            ok = False
        seen.setdefault(pair, where)
        if ok:
            good.append((str(a), str(b), float(r)))
    return good


def _correlation_groups(
    groups_raw: Any,
    valid: list[str],
    lever_keys: list[str],
    sources: Mapping[str, Any],
    problems: list[str],
    section: str = "correlations",
) -> list[CorrelationGroup]:
    """The ``correlations`` section (or ``section``): one :class:`CorrelationGroup` per group with its metadata;
    faults appended to ``problems``."""
    groups: list[CorrelationGroup] = []
    seen: dict[tuple[str, str], str] = {}
    if not isinstance(groups_raw, dict):
        problems.append(f"{section}: expected a mapping of group name -> basis, source, rationale, pairs")
        groups_raw = {}
    for name, spec in groups_raw.items():
        where = f"{section}.{name}"
        if not isinstance(spec, dict):
            problems.append(f"{where}: expected a mapping with basis, source, rationale and pairs or members")
            continue
        problems += _check_meta(
            where, spec, sources, ("basis", "source", "rationale", "pairs", "members", "rank_correlation")
        )
        pairs = _declared_pairs(where, spec, problems)
        good = _checked_pairs(where, pairs, valid, lever_keys, seen, problems)
        if all(k in spec for k in ("basis", "source", "rationale")):
            groups.append(
                CorrelationGroup(
                    str(name), str(spec["basis"]), str(spec["source"]), str(spec["rationale"]).strip(), tuple(good)
                )
            )
    return groups


def _require_consistent(out: Correlations, path: Path) -> None:
    """Raise :class:`DataFileError` naming the pairs at fault if the rank correlations cannot all hold at once
    (the key-level correlation matrix is not positive semi-definite)."""
    keys = out.keys
    m = out.matrix(keys)
    if not _is_psd(m):
        bad = _minimal_inconsistent(keys, m)
        where = {_ordered(a, b): g.name for g in out.groups for a, b, _ in g.pairs}
        pairs = out.pairs
        named = [
            f"{a} ~ {b} = {pairs[(a, b)]:+g} (group {where[(a, b)]})"
            for i, a in enumerate(bad)
            for b in bad[i + 1 :]
            if (a, b) in pairs
        ]
        undeclared = [f"{a} ~ {b}" for i, a in enumerate(bad) for b in bad[i + 1 :] if (a, b) not in pairs]
        raise DataFileError(
            f"{path}: the rank correlations cannot all hold at once: the correlation matrix is not positive "
            f"semi-definite (smallest eigenvalue {np.linalg.eigvalsh(m).min():.4f}). The pairs at fault: "
            + "; ".join(named)
            + (f" (with {', '.join(undeclared)} independent)" if undeclared else "")
            + ". Weaken one of them, or declare the missing pair consistently."
        )


def parse_correlations(
    raw: Any, path: Path | str, lever_keys: list[str], project_keys: list[str], sources: Mapping[str, Any]
) -> Correlations:
    """Validate the parsed ``correlations.yaml``; every problem is reported in one :class:`DataFileError`.

    ``lever_keys``: valid bare keys (levers.yaml); ``project_keys``: project-wide keys (written
    ``project.<key>``); ``sources``: valid source ids.
    """
    path = Path(path)
    valid = list(lever_keys) + [f"{PROJECT_SCOPE}.{k}" for k in project_keys]
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DataFileError(f"{path}: expected a mapping with shared_quantities and correlations")
    problems: list[str] = []
    top = ("shared_quantities", "correlations", OUTCOME_SECTION)  # the outcome section: parse_outcome_correlations
    problems += [
        f"{k}: unknown section{_hint(str(k), list(top))}; valid: {', '.join(top)}"
        for k in sorted(set(raw) - set(top), key=str)
    ]
    shared = _shared_quantities(raw.get("shared_quantities") or {}, lever_keys, project_keys, sources, problems)
    groups = _correlation_groups(raw.get("correlations") or {}, valid, lever_keys, sources, problems)
    if problems:
        raise DataFileError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    out = Correlations(shared, tuple(groups), str(path))
    _require_consistent(out, path)
    return out


@lru_cache(maxsize=16)
def _load_cached(path: Path, folder: Path, _stamp: Stamp) -> Correlations:
    from .assumptions import load_book

    book = load_book(None, folder)
    try:
        raw = load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    project_keys = list(book.table.key[book.table.scope == PROJECT_SCOPE])
    return parse_correlations(raw, path, list(book.levers.index), project_keys, book.sources)


def load_correlations(path: Path | str | None = None) -> Correlations:
    """Load and validate ``correlations.yaml`` (default: the bundled ``data/assumptions/correlations.yaml``).

    Keys and source ids are checked against the assumption files in the same folder (or the bundled
    ones when that folder has no ``levers.yaml``). Cached: treat the result as read-only.
    """
    path = Path(path or config.data_path("assumptions", CORRELATIONS_FILE)).resolve()
    folder = path.parent if (path.parent / "levers.yaml").exists() else config.data_path("assumptions").resolve()
    return _load_cached(path, Path(folder), stamp(path, folder))


def parse_outcome_correlations(
    raw: Any, path: Path | str, outcome_keys: list[str], sources: Mapping[str, Any]
) -> Correlations:
    """The ``outcome_correlations`` section of a parsed ``correlations.yaml``, validated: groups of rank
    correlations between outcome quantities, each key written in full (``repeat-victimisation/outsourcing.effect``,
    ``repeat-victimisation/project.deadweight``) and one of ``outcome_keys`` (the bundled outcome files'
    quantities); basis, source and rationale as for the cost levers. Every problem (an unknown key named with
    the file, a coefficient outside [-1, 1], pairs that cannot hold at once, named) is reported in one
    :class:`DataFileError`. Returns a :class:`Correlations` with no shared quantities.
    """
    path = Path(path)
    section = (raw or {}).get(OUTCOME_SECTION) if isinstance(raw, dict) else None
    problems: list[str] = []
    groups = _correlation_groups(section or {}, list(outcome_keys), [], sources, problems, OUTCOME_SECTION)
    if problems:
        raise DataFileError(f"{path}: {len(problems)} problem(s):\n" + "\n".join(f"  - {p}" for p in problems))
    out = Correlations({}, tuple(groups), str(path))
    _require_consistent(out, path)
    return out


@lru_cache(maxsize=16)
def _load_outcomes_cached(path: Path, folder: Path, outcome_keys: tuple[str, ...], _stamp: Stamp) -> Correlations:
    from .assumptions import load_book

    try:
        raw = load_yaml_text(read_utf8(path))
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
    return parse_outcome_correlations(raw, path, list(outcome_keys), load_book(None, folder).sources)


def load_outcome_correlations(outcome_keys: list[str], path: Path | str | None = None) -> Correlations:
    """Load and validate the ``outcome_correlations`` section of ``correlations.yaml`` (default: the bundled
    file) against ``outcome_keys``, the valid outcome quantity keys. Cached: treat the result as read-only."""
    path = Path(path or config.data_path("assumptions", CORRELATIONS_FILE)).resolve()
    folder = path.parent if (path.parent / "levers.yaml").exists() else config.data_path("assumptions").resolve()
    return _load_outcomes_cached(path, Path(folder), tuple(outcome_keys), stamp(path, folder))


# ---- the sampler -------------------------------------------------------------------------------


def _stream(seed: int, name: str) -> np.random.Generator:
    """A random stream of its own for one driver: from the seed and the driver's name (stable across processes)."""
    tag = int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(tag,))))


def _psd_cholesky(m: np.ndarray) -> np.ndarray:
    """Lower-triangular L with L L' = m for a positive semi-definite m (zero pivots give zero columns)."""
    n = len(m)
    L = np.zeros_like(m, dtype=float)
    for j in range(n):
        d = m[j, j] - L[j, :j] @ L[j, :j]
        if d <= 1e-12:
            continue
        L[j, j] = math.sqrt(d)
        L[j + 1 :, j] = (m[j + 1 :, j] - L[j + 1 :, :j] @ L[j, :j]) / L[j, j]
    return L


def _combine(M: np.ndarray, cols: list[np.ndarray]) -> list[np.ndarray]:
    """``[sum_i M[j, i] cols[i] for each row j]``: a small matrix times columns, as vector sums
    (no BLAS call: its threads cost more than they save on a few columns, and vary run to run)."""
    out = []
    for row in M:
        acc = None
        for w, c in zip(row, cols):
            if w == 0.0:
                continue
            acc = w * c if acc is None else acc + w * c  # noqa: PLR6104 - keep the first term a copy
        out.append(acc if acc is not None else np.zeros_like(cols[0]))
    return out


@dataclass(frozen=True)
class Marginal:
    """One assumption's PERT: low, mode (the scenario's value) and high; constant when high <= low."""

    low: float
    mode: float
    high: float

    @property
    def constant(self) -> bool:
        return not self.high > self.low


def key_name(key: Key) -> str:
    """The ``<scope>.<key>`` name of an assumption (the grammar)."""
    return f"{key[0]}.{key[1]}"


def _driver(key: Key, corr: Correlations) -> str:
    """Name of the random driver behind an assumption: shared across options, or its own."""
    scope, k = key
    if scope != PROJECT_SCOPE and k in corr.shared:
        return f"{SHARED_STREAM}.{k}"
    return key_name(key)


def _corr_name(key: Key) -> str:
    """How an assumption is named in the correlations file: ``project.<key>`` or the bare lever key."""
    return key_name(key) if key[0] == PROJECT_SCOPE else key[1]


def normal_scores(keys: list[Key], n: int, seed: int, correlations: Correlations) -> dict[Key, np.ndarray]:
    """Standard normal scores for each (scope, key) with the shared quantities and rank correlations applied.

    The copula step (see the module docstring): ``Phi(score)`` is each key's uniform random number.
    Keys with the same driver (a shared quantity in several options) get the very same array.
    """
    corr_keys = set(correlations.keys)
    common = sorted(k for k in corr_keys if correlations.is_common(k))
    C = correlations.matrix()
    index = {k: i for i, k in enumerate(correlations.keys)}
    by_driver: dict[str, np.ndarray] = {}
    # common drivers in a correlation: one normal score each, correlated among themselves
    z_common: list[np.ndarray] = []
    if common:
        ci = [index[k] for k in common]
        xi = [_stream(seed, _driver(_common_key(k), correlations)).standard_normal(n) for k in common]
        z_common = _combine(_psd_cholesky(C[np.ix_(ci, ci)]), xi)
        for k, z in zip(common, z_common):
            by_driver[_driver(_common_key(k), correlations)] = z
        C_SS_inv = np.linalg.pinv(C[np.ix_(ci, ci)])
    # each option's own correlated levers, conditional on the common drivers
    scopes = sorted({s for s, _ in keys if s != PROJECT_SCOPE})
    for scope in scopes:
        own = sorted(k for s, k in keys if s == scope and k in corr_keys and not correlations.is_common(k))
        if not own:
            continue
        oi = [index[k] for k in own]
        if common:
            B = C[np.ix_(oi, ci)] @ C_SS_inv
            schur = C[np.ix_(oi, oi)] - B @ C[np.ix_(ci, oi)]
        else:
            B, schur = np.zeros((len(own), 0)), C[np.ix_(oi, oi)]
        L = _psd_cholesky((schur + schur.T) / 2.0)
        xi = [_stream(seed, key_name((scope, k))).standard_normal(n) for k in own]
        zs = _combine(np.hstack([L, B]), xi + z_common)
        for k, z in zip(own, zs):
            by_driver[key_name((scope, k))] = z
    out = {}
    for key in keys:
        d = _driver(key, correlations)
        if d not in by_driver:  # in no correlation: a normal score of its own
            by_driver[d] = _stream(seed, d).standard_normal(n)
        out[key] = by_driver[d]
    return out


def uniforms(keys: list[Key], n: int, seed: int, correlations: Correlations) -> dict[Key, np.ndarray]:
    """The uniform (0, 1) random number of each (scope, key) in each draw: ``Phi`` of :func:`normal_scores`."""
    z = normal_scores(keys, n, seed, correlations)
    done: dict[int, np.ndarray] = {}
    return {k: done.setdefault(id(v), normal_cdf(v)) for k, v in z.items()}


def _common_key(name: str) -> Key:
    """(scope, key) standing for a common driver named as in the file (scope is irrelevant for shared levers)."""
    scope, dot, key = name.partition(".")
    return (PROJECT_SCOPE, key) if dot and scope == PROJECT_SCOPE else ("*", name)


def sample(marginals: Mapping[Key, Marginal], n: int, seed: int, correlations: Correlations) -> pd.DataFrame:
    """Seeded draws of every assumption: a frame with one column per ``<scope>.<key>``, one row per draw.

    Each column has its own PERT marginal (``marginals``); constants are repeated. The joint
    distribution follows ``correlations`` (common random numbers for shared quantities, rank
    correlations by a Gaussian copula). Deterministic: same inputs and seed, same draws, in any process.

    >>> m = {
    ...     ("mutual", "pension_rate_change"): Marginal(0.0, 0.02, 0.05),
    ...     ("trading-company", "pension_rate_change"): Marginal(0.01, 0.03, 0.06),
    ... }
    >>> shared = Correlations(
    ...     {
    ...         "pension_rate_change": SharedQuantity(
    ...             "pension_rate_change", "judgement", "team-judgement", "one actuary"
    ...         )
    ...     },
    ...     (),
    ... )
    >>> d = sample(m, 1000, 1, shared)
    >>> bool((d["mutual.pension_rate_change"].rank() == d["trading-company.pension_rate_change"].rank()).all())
    True
    """
    keys = list(marginals)
    varying = [k for k in keys if not marginals[k].constant]
    z = normal_scores(varying, n, seed, correlations)
    X = np.empty((n, len(keys)), order="F")
    for j, k in enumerate(keys):
        m = marginals[k]
        X[:, j] = m.low if m.constant else pert_from_normal(z[k], m.low, m.mode, m.high)
    return pd.DataFrame(X, columns=[key_name(k) for k in keys], copy=False)


def sample_named(marginals: Mapping[Key, Marginal], n: int, seed: int, correlations: Correlations) -> pd.DataFrame:
    """Seeded draws with rank correlations declared between full key names (``<scope>.<key>``, as the outcome
    quantities are: ``incidents/mutual.effect``): one column per key, one row per draw.

    Each key keeps its PERT marginal and its own random stream (from the seed and its name, as
    :func:`sample` draws an uncorrelated key, so a key in no declared pair draws exactly as there); the
    declared pairs among the varying keys are imposed by a Gaussian copula (Cholesky factor of their
    normal-score correlation matrix). Deterministic: same inputs and seed, same draws.
    """
    keys = list(marginals)
    varying = [k for k in keys if not marginals[k].constant]
    names = [key_name(k) for k in varying]
    L = _psd_cholesky(correlations.matrix(names))
    z = dict(zip(varying, _combine(L, [_stream(seed, name).standard_normal(n) for name in names]))) if names else {}
    X = np.empty((n, len(keys)), order="F")
    for j, k in enumerate(keys):
        m = marginals[k]
        X[:, j] = m.low if m.constant else pert_from_normal(z[k], m.low, m.mode, m.high)
    return pd.DataFrame(X, columns=[key_name(k) for k in keys], copy=False)
