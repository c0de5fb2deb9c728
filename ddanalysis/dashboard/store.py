"""Appraisal results for the dashboards: memory, then a disk cache shared by every kernel, then the engine.

One appraisal with switching values takes about a second; a dashboard control must redraw within
half a second. So results are kept in a cache folder that all Voila kernels share:
``python -m ddanalysis.dashboard.serve`` fills it in the background when the server starts, and any
kernel that computes a missing result writes it for the next viewer.

The cache holds plain data, never pickles: one file per argument set, a zip of JSON and Parquet
written by :mod:`ddanalysis.plaindata` (every field of the result, walked generically; a result
holding a type that format does not know is kept in memory only, and the log says which field).
The folder must be this account's own: created 0700, and refused (the store then keeps results in
memory only) when another account owns it or its group or others can write to it. Files in it must
be this account's too. So nobody else on the machine can put a result in front of a viewer.

The cache key holds the package version, a fingerprint of every file under the data folder (path,
size, modification time) and the arguments, so changing a data file or upgrading the package
never shows a stale result. Files are written whole or not at all (``atomic.write_atomic``),
readable by their owner only.
``DDANALYSIS_CACHE`` sets the folder (default ``<repo>/output/cache/dashboard``, else the
account's own ``$XDG_CACHE_HOME/ddanalysis/dashboard`` or ``~/.cache/ddanalysis/dashboard``; never
the shared temporary folder).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import threading
from pathlib import Path

from .. import config, engine, plaindata, registry
from ..atomic import PRIVATE_MODE, write_atomic
from ..result import AppraisalResult
from ..run_defaults import RUN_DEFAULTS
from ..uncertainty import DEFAULT_SEED
from ..version import __version__
from ..workspace import WORKSPACES_ENV

log = logging.getLogger("ddanalysis.dashboard")

#: Monte Carlo draws behind every dashboard figure: the programme summary's number, so both
#: dashboards show the same P10 / P90 and the same recommendation for a project.
DRAWS = RUN_DEFAULTS.summary_draws  # appraisal.yaml, monte_carlo.summary_draws: the programme summary's
SEED = DEFAULT_SEED
from ..cashflow import PERSPECTIVES  # noqa: E402  (one list of perspectives for every output)

_FORMAT = 2  # bump when the cached layout changes (1 was pickles: never read)
#: Cache files' ending (legacy ``*.pkl`` files are never read, and deleted by :func:`prune_stale`).
SUFFIX = ".result.zip"


def _user_cache_root() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"


def cache_dir() -> Path | None:
    """The shared cache folder, created 0700 and checked (see :func:`ddanalysis.plaindata.private_dir`),
    or None (memory only) when no candidate is safe and writable. ``DDANALYSIS_CACHE`` names the only
    candidate; otherwise ``<repo>/output/cache/dashboard``, then the account's own cache folder."""
    env = os.environ.get("DDANALYSIS_CACHE")
    candidates = (
        [Path(env)]
        if env
        else [config.REPO_DIR / "output" / "cache" / "dashboard", _user_cache_root() / "ddanalysis" / "dashboard"]
    )
    for d in candidates:
        safe = safe_dir(d)
        if safe is not None:
            return safe
    log.warning(
        "no private cache folder among %s: dashboard results are kept in memory only", [str(c) for c in candidates]
    )
    return None


def safe_dir(directory: Path) -> Path | None:
    """``directory`` if it is (or could be created as) a private, writable folder of this account,
    else None with a warning in the log saying why."""
    try:
        d = plaindata.private_dir(directory)
    except OSError as exc:
        log.warning("not using %s as a result cache: %s", directory, exc)
        return None
    if not os.access(d, os.W_OK | os.X_OK):
        log.warning("not using %s as a result cache: not writable", d)
        return None
    return d


def data_fingerprint(data_dir: Path | None = None) -> str:
    """A short hash of every file under the data folder (relative path, size, mtime in ns); for the bundled
    data folder also every file of the workspaces served beside it (``DDANALYSIS_WORKSPACES``), so an edited
    workspace is never answered from the cache."""
    root = Path(data_dir or config.DATA_DIR)
    served = [] if data_dir else [Path(p) for p in os.environ.get(WORKSPACES_ENV, "").split(os.pathsep) if p]
    h = hashlib.sha256()
    for top in [root, *served]:
        for p in sorted(top.rglob("*")):
            if p.is_file():
                st = p.stat()
                h.update(f"{top.name}/{p.relative_to(top).as_posix()}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


@dataclasses.dataclass(frozen=True)
class Key:
    """The arguments of one dashboard appraisal (``ob_mitigation`` None = the scenario's own value)."""

    project_id: str
    scenario: str = "central"
    perspective: str = "council"
    ob_mitigation: float | None = None
    draws: int = DRAWS
    seed: int = SEED
    #: What-if values: a sorted tuple of (assumption key, value) pairs, e.g.
    #: ``(("mutual.pension_rate_change", 0.04),)``; build it with :func:`overrides_tuple`.
    overrides: tuple[tuple[str, float], ...] = ()
    #: False: no one-way sensitivity either (with ``draws=0``: the fast first redraw after a what-if change).
    sensitivity: bool = True

    def __post_init__(self) -> None:
        # one spelling per set of values: sorted, unique keys, plain floats (so equal views share a key)
        object.__setattr__(self, "overrides", overrides_tuple(dict(self.overrides)))

    def raw(self, fingerprint: str) -> str:
        """Everything the cached result depends on, as text (hashed into the file name, and kept in
        the file to check against). Override values are written with ``repr`` (exact), keys as parsed."""
        ob = "scenario" if self.ob_mitigation is None else f"{self.ob_mitigation:.4f}"
        sets = ",".join(f"{k}={v!r}" for k, v in self.overrides)
        sens = "" if self.sensitivity else "|nosens"
        return (
            f"{_FORMAT}|{__version__}|{fingerprint}|{self.project_id}|{self.scenario}|{self.perspective}|{ob}|"
            f"{self.draws}|{self.seed}|{sets}{sens}"
        )

    def with_overrides(self, overrides: "dict[str, float] | tuple[tuple[str, float], ...]") -> "Key":
        """The same key with other what-if values."""
        return dataclasses.replace(self, overrides=overrides_tuple(dict(overrides)))

    def file_stem(self, fingerprint: str) -> str:
        name = self.project_id if _SAFE_NAME.match(self.project_id) else "project"
        return f"{name}--{hashlib.sha256(self.raw(fingerprint).encode()).hexdigest()[:20]}"


def overrides_tuple(overrides: "dict[str, float]") -> tuple[tuple[str, float], ...]:
    """What-if values as the sorted tuple a :class:`Key` holds. Keys must follow the assumption grammar
    (:func:`ddanalysis.keys.parse_key`) and values be finite numbers; bounds are checked by the engine."""
    import math

    from ..errors import DDAnalysisError
    from ..keys import parse_key

    out = []
    for k, v in sorted(overrides.items()):
        text = str(parse_key(str(k)))
        value = float(v)
        if not math.isfinite(value):
            raise DDAnalysisError(f"{text}={v}: the value must be a plain number")
        out.append((text, value))
    return tuple(out)


#: A project id that may appear in a file name as it is (anything else is only in the hash).
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ResultStore:
    """Results by :class:`Key`: memory, then the disk cache, then :func:`ddanalysis.engine.appraise`.

    ``get(key)`` returns a full result (with switching values and the decision measures:
    probability best, EVPI, partial EVPI, acceptability, failure rules). ``get_quick(key)`` returns a
    cached full result when there is one, else computes without switching values or decision measures
    (about five times faster: the first render pays for neither) and leaves the full one for :meth:`get`
    (the risk tab's first opening, or the background warm-up). ``get_sobol(key)`` adds Sobol indices.
    Results are shared: treat them as read-only.
    """

    def __init__(self, directory: Path | None = None, fingerprint: str | None = None, use_disk: bool = True):
        if not use_disk:
            self.directory: Path | None = None
        else:
            self.directory = safe_dir(Path(directory)) if directory else cache_dir()
        self.fingerprint = fingerprint or data_fingerprint()
        self._memory: dict[Key, AppraisalResult] = {}
        self._quick: dict[Key, AppraisalResult] = {}
        self._sobol: dict[Key, AppraisalResult] = {}
        self._lock = threading.Lock()

    #: At most this many what-if results (keys with overrides) are kept in memory per kernel, oldest
    #: dropped first, so a viewer trying many values cannot grow a kernel without bound.
    MAX_WHATIF = 48

    def _remember(self, table: dict, key: Key, res: AppraisalResult) -> None:
        """Store ``res`` (the caller holds the lock); evict the oldest what-if results beyond the cap."""
        table[key] = res
        if key.overrides:
            whatif = [k for k in table if k.overrides]
            for old in whatif[: max(0, len(whatif) - self.MAX_WHATIF)]:
                table.pop(old, None)

    # -- disk ------------------------------------------------------------------------------------
    def _path(self, key: Key) -> Path | None:
        return self.directory / f"{key.file_stem(self.fingerprint)}{SUFFIX}" if self.directory else None

    def _load(self, key: Key) -> AppraisalResult | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = plaindata.read_private_file(path)
            if data is None:
                return None
            doc = plaindata.loads(data)
            if not (
                isinstance(doc, dict)
                and doc.get("key") == key.raw(self.fingerprint)
                and isinstance(doc.get("result"), AppraisalResult)
            ):
                raise ValueError("not the result of this key")
            return doc["result"]
        except Exception:  # a damaged, foreign or outdated file is recomputed, never shown
            log.warning("ignoring unreadable cache file %s", path, exc_info=True)
            return None

    def _save(self, key: Key, res: AppraisalResult) -> None:
        path = self._path(key)
        if path is None or key.overrides:  # what-if results stay in memory (bounded): no disk growth
            return
        try:
            data = plaindata.dumps({"key": key.raw(self.fingerprint), "result": res})
        except plaindata.Unencodable as exc:  # kept in memory; computed again by other kernels
            log.warning("not caching %s on disk: %s", key, exc)
            return
        try:
            write_atomic(path, data, mode=PRIVATE_MODE)
        except OSError:
            log.warning("could not write cache file %s", path, exc_info=True)

    # -- public ----------------------------------------------------------------------------------
    def cached(self, key: Key) -> AppraisalResult | None:
        """The full result if memory or disk has it (no computing)."""
        with self._lock:
            res = self._memory.get(key)
        if res is None:
            res = self._load(key)
            if res is not None:
                with self._lock:
                    self._remember(self._memory, key, res)
        return res

    def get(self, key: Key) -> AppraisalResult:
        """The full result (computed and cached when missing)."""
        res = self.cached(key)
        if res is None:
            res = engine.appraise(
                key.project_id,
                key.scenario,
                key.perspective,
                key.draws,
                key.seed,
                key.ob_mitigation,
                overrides=dict(key.overrides) or None,
                with_sensitivity=key.sensitivity,
            )
            self._save(key, res)
            with self._lock:
                self._remember(self._memory, key, res)
                self._quick.pop(key, None)
        return res

    def get_sobol(self, key: Key) -> AppraisalResult:
        """The full result with Sobol indices (their own sample of the model: computed when a viewer asks,
        kept in memory; the disk cache holds the result without them)."""
        with self._lock:
            res = self._sobol.get(key)
        if res is None:
            res = engine.appraise(
                key.project_id, key.scenario, key.perspective, key.draws, key.seed, key.ob_mitigation, with_sobol=True
            )
            with self._lock:
                self._sobol[key] = res
        return res

    def has_quick(self, key: Key) -> bool:
        """Whether a result without switching values is in memory for ``key``."""
        with self._lock:
            return key in self._quick

    def held(self, key: Key) -> AppraisalResult | None:
        """What :meth:`get_quick` would return if it is already held (memory or disk), else None (no computing)."""
        res = self.cached(key)
        if res is None:
            with self._lock:
                res = self._quick.get(key)
        return res

    def get_quick(self, key: Key) -> AppraisalResult:
        """The full result if cached, else one without switching values (``result.switching`` empty)."""
        res = self.cached(key)
        if res is not None:
            return res
        with self._lock:
            res = self._quick.get(key)
        if res is None:
            res = engine.appraise(
                key.project_id,
                key.scenario,
                key.perspective,
                key.draws,
                key.seed,
                key.ob_mitigation,
                with_switching=False,
                with_decision=False,
                overrides=dict(key.overrides) or None,
                with_sensitivity=key.sensitivity,
            )
            with self._lock:
                self._remember(self._quick, key, res)
        return res


#: The optimism-bias slider's steps (the dashboard's FloatSlider: 0 to 1 by 0.05).
OB_STEPS = tuple(round(i * 0.05, 4) for i in range(21))


def default_keys(
    project_ids: list[str] | None = None,
    scenarios: list[str] | None = None,
    perspectives: tuple[str, ...] = PERSPECTIVES,
    ob_grid: bool = False,
) -> list[Key]:
    """Keys to pre-compute: central first (what viewers open), then every scenario and perspective,
    then (``ob_grid``) every step of the optimism-bias slider in the central scenario."""
    from ..assumptions import load_book

    book = load_book(None)
    pids = project_ids or registry.project_ids()
    names = scenarios or list(book.scenarios)
    order = [("central", "council")] + [(s, p) for s in names for p in perspectives if (s, p) != ("central", "council")]
    keys = [Key(pid, s, p) for s, p in order for pid in pids]
    if ob_grid:
        for p in perspectives:
            for pid in pids:
                own = float(load_book(pid).values("central")[("project", "optimism_bias_mitigation")])
                keys += [Key(pid, "central", p, ob) for ob in OB_STEPS if abs(ob - own) > 1e-9]
    return keys


def prune_stale(store: ResultStore, data_dir: Path | None = None) -> int:
    """Delete cached results written before the newest change to a data file (they can never be read
    again: their key holds the old data fingerprint), and pickles left by older versions (never
    read). Returns how many files were removed."""
    if store.directory is None:
        return 0
    root = Path(data_dir or config.DATA_DIR)
    newest = max((p.stat().st_mtime for p in root.rglob("*") if p.is_file()), default=0.0)
    removed = 0
    for p in list(store.directory.glob(f"*{SUFFIX}")) + list(store.directory.glob("*.pkl")):
        try:
            if p.suffix == ".pkl" or p.stat().st_mtime < newest:
                p.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def warm(keys: list[Key], store: ResultStore | None = None) -> int:
    """Compute (and cache) every key not cached yet; returns how many were computed."""
    store = store or ResultStore()
    done = 0
    for key in keys:
        if store.cached(key) is None:
            try:
                store.get(key)
                done += 1
            except Exception:  # one bad project must not stop the others; the dashboard will say why
                log.exception("could not pre-compute %s", key)
    return done
