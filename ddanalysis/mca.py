"""Multi-criteria analysis (MCA) of the non-monetised criteria, as in the HM Treasury Green Book.

Criteria and default swing weights live in ``data/mca/criteria.yaml``; each project's scores (0-10,
higher is better, one written rationale each) live in ``mca.yaml`` in each project's workspace
(``data/projects/<project-id>/``). All bundled weights and scores are ILLUSTRATIVE judgements of the
ddanalysis team, to be replaced at the council's own scoring workshop. Costs and savings are not
criteria: the money appraisal values them.

Scores are unitless points on a 0-10 scale; weights are shares that sum to 1; a weighted score is
therefore also on the 0-10 scale.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import config, registry, workspace
from .errors import DataFileError, DDAnalysisError, UnknownKeyError
from .problems import Problems
from .run_defaults import RUN_DEFAULTS
from .yamlio import read_yaml_mapping

#: Scores are points on this closed scale.
SCORE_MIN, SCORE_MAX = 0.0, 10.0
#: Weights must sum to 1 within this tolerance.
WEIGHT_TOLERANCE = 1e-9
#: Weighted scores are compared at this many decimals, so totals equal up to rounding share a rank.
_RANK_DECIMALS = 9
_SCALE_POINTS = ("0", "5", "10")


def criteria_path() -> Path:
    """The bundled criteria file."""
    return config.data_path("mca", "criteria.yaml")


def scores_path(project_id: str) -> Path:
    """The scores file of one project: ``mca.yaml`` in its workspace, or one service's ``mca-<service id>.yaml``
    (it may be absent: see :func:`load_scores`)."""
    return workspace.service_file(project_id, "mca.yaml")


#: The rationale of every score of a workspace with no ``mca.yaml``.
UNSCORED_RATIONALE = (
    "DEFAULT, not the council's: no mca.yaml in the workspace, so every option is scored 5 "
    "(neutral) on every criterion until the council's scoring workshop"
)


def scores_are_default(scores: pd.DataFrame) -> bool:
    """True when ``scores`` (long: option, criterion, score, rationale) are the neutral defaults of a workspace
    with no ``mca.yaml`` (every rationale :data:`UNSCORED_RATIONALE`): outputs must label them as such."""
    return bool(len(scores)) and bool((scores["rationale"] == UNSCORED_RATIONALE).all())


def _unscored(shortlist: tuple[str, ...], criteria: list[str]) -> pd.DataFrame:
    """Neutral scores (5 of 10) for every option x criterion, labelled as defaults."""
    rows = [(o, c, 5.0, UNSCORED_RATIONALE) for o in shortlist for c in criteria]
    return pd.DataFrame(rows, columns=["option", "criterion", "score", "rationale"])


# --- reading files ----------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    """``value`` as a finite float, or None when it is not a real number (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _nonempty(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _weight_problems(
    values: object, expected: list[str], *, check_sum: bool = True
) -> tuple[dict[str, float], list[str]]:
    """Check a full set of weights from a data file: every expected criterion, in [0, 1], summing to 1.

    Returns the weights that passed and what is wrong (never raises); the sum is checked only when
    every weight passed and ``check_sum`` is true.
    """
    if not isinstance(values, dict):
        return {}, ["expected a mapping criterion -> weight"]
    problems = []
    unknown_keys = [k for k in values if k not in expected]
    if unknown_keys:
        problems.append(f"unknown criterion {unknown_keys}; valid criteria: {', '.join(expected)}")
    missing = [c for c in expected if c not in values]
    if missing:
        problems.append(f"missing weight for {missing}")
    out = {}
    for key in expected:
        if key not in values:
            continue
        w = _number(values[key])
        if w is None or not 0.0 <= w <= 1.0:
            problems.append(f"weight of {key!r} is {values[key]!r}; expected a number from 0 to 1")
        else:
            out[key] = w
    if check_sum and not problems and abs(sum(out.values()) - 1.0) > WEIGHT_TOLERANCE:
        problems.append(f"weights sum to {sum(out.values()):.12g}; expected 1")
    return out, problems


_CRITERION_KEYS = {"id", "name", "description", "scale", "weight"}


def _criterion_problems(item: dict[str, Any], seen: set[str]) -> list[str]:
    """What is wrong with one entry of the criteria list (empty when nothing is)."""
    found = []
    extra = sorted(set(item) - _CRITERION_KEYS)
    if extra:
        found.append(f"unexpected key(s) {extra}")
    cid = item.get("id")
    if not (isinstance(cid, str) and _nonempty(cid) and cid == cid.strip().lower() and " " not in cid):
        found.append("'id' must be a lower-case identifier like 'user_focus'")
    elif cid in seen:
        found.append("duplicated criterion id")
    for key in ("name", "description"):
        if not _nonempty(item.get(key)):
            found.append(f"{key!r} must be a non-empty text")
    scale = item.get("scale")
    if (
        not isinstance(scale, dict)
        or sorted(map(str, scale)) != sorted(_SCALE_POINTS)
        or not all(_nonempty(v) for v in scale.values())
    ):
        found.append("'scale' must say what a score of 0, 5 and 10 means")
    return found


@lru_cache(maxsize=8)
def _criteria_cached(path: Path, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    raw = read_yaml_mapping(path, "criteria file")
    problems = Problems(path)
    items = raw.get("criteria")
    if not isinstance(items, list) or not items:
        problems.fail("", "expected a non-empty 'criteria' list")
    for key in ("source", "not_scored", "weights_rationale"):
        if not _nonempty(raw.get(key)):
            problems.add("", f"top-level key {key!r} must be a non-empty text")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        label = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        if not isinstance(item, dict):
            problems.add(f"criterion {label}", "expected a mapping")
            continue
        found = _criterion_problems(item, seen)
        problems.add_all(f"criterion {label}", found)
        if found:
            continue
        seen.add(item["id"])
        out.append(
            {
                "criterion": item["id"],
                "name": item["name"].strip(),
                "description": " ".join(item["description"].split()),
                "weight": item.get("weight"),
                "scale": {str(k): str(v) for k, v in item["scale"].items()},
            }
        )
    weights, found = _weight_problems(
        {c["criterion"]: c["weight"] for c in out}, [c["criterion"] for c in out], check_sum=len(out) == len(items)
    )
    problems.add_all("default weights", found)
    problems.raise_if_any()
    for c in out:
        c["weight"] = weights[c["criterion"]]
    return tuple(out)


def _criteria_records(path: Path | None) -> tuple[dict[str, Any], ...]:
    path = Path(path or criteria_path())
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError as exc:
        raise DataFileError(f"{path}: criteria file not found") from exc
    return _criteria_cached(path, mtime)


def load_criteria(path: Path | None = None) -> pd.DataFrame:
    """The criteria: ``criterion``, ``name``, ``description``, ``weight`` (default swing weight, sums to 1).

    Weights are ILLUSTRATIVE (the ddanalysis team's judgement, for the council to revisit).
    """
    recs = _criteria_records(path)
    return pd.DataFrame([{k: r[k] for k in ("criterion", "name", "description", "weight")} for r in recs])


def criteria_scale(path: Path | None = None) -> pd.DataFrame:
    """What a score means on each criterion: ``criterion``, ``score_0``, ``score_5``, ``score_10``."""
    recs = _criteria_records(path)
    return pd.DataFrame(
        [{"criterion": r["criterion"], **{f"score_{p}": r["scale"][p] for p in _SCALE_POINTS}} for r in recs]
    )


def criteria_notes(path: Path | None = None) -> dict[str, str]:
    """The criteria file's notes: ``source``, ``status`` (illustrative), ``not_scored``, ``weights_rationale``."""
    path = Path(path or criteria_path())
    _criteria_records(path)  # validates
    raw = read_yaml_mapping(path, "criteria file")
    return {k: " ".join(str(raw.get(k, "")).split()) for k in ("source", "status", "not_scored", "weights_rationale")}


# --- project scores ---------------------------------------------------------------------------------

_SCORES_KEYS = {"schema_version", "project", "illustrative", "status", "source", "weights", "scores"}


def _option_scores(option: str, by_criterion: object, criteria: list[str], problems: Problems) -> list[dict[str, Any]]:
    """The score rows of one option (problems go to ``problems``)."""
    if not isinstance(by_criterion, dict):
        problems.add(option, "expected a mapping criterion -> {score, rationale}")
        return []
    for criterion in by_criterion:
        if criterion not in criteria:
            problems.add(f"{option}.{criterion}", f"unknown criterion; valid criteria: {', '.join(criteria)}")
    rows = []
    for criterion in criteria:
        key = f"{option}.{criterion}"
        entry = by_criterion.get(criterion)
        if entry is None:
            problems.add(key, "missing score")
            continue
        if not isinstance(entry, dict) or sorted(entry) != ["rationale", "score"]:
            problems.add(key, f"expected {{score: 0-10, rationale: one sentence}}, got {entry!r}")
            continue
        score = _number(entry["score"])
        if score is None or not SCORE_MIN <= score <= SCORE_MAX:
            problems.add(key, f"score {entry['score']!r} is not a number from 0 to 10")
        if not _nonempty(entry["rationale"]):
            problems.add(key, "rationale is empty; give a one-sentence reason for the score")
        rows.append(
            {
                "option": option,
                "criterion": criterion,
                "score": score,
                "rationale": " ".join(str(entry["rationale"] or "").split()),
            }
        )
    return rows


def _weights_override(raw: dict[str, Any], criteria: list[str], problems: Problems) -> dict[str, float] | None:
    """A scores file's own swing weights, when it has a valid 'weights' block (problems go to ``problems``)."""
    if "weights" not in raw:
        return None
    block = raw["weights"]
    if not isinstance(block, dict) or sorted(block) != ["rationale", "values"] or not _nonempty(block.get("rationale")):
        problems.add("", "'weights' must have a non-empty 'rationale' and 'values' (criterion -> weight)")
        return None
    weights, found = _weight_problems(block["values"], criteria)
    problems.add_all("weights", found)
    return None if found else weights


def _scores_file(
    project_id: str, path: Path | None, criteria: list[str]
) -> tuple[pd.DataFrame, dict[str, float] | None]:
    """Validated long scores and the optional weight override of one project's scores file.

    Every problem in the file is listed in one DataFileError.
    """
    project = registry.project(project_id)
    project_id = project.id
    path = Path(path or scores_path(project_id))
    if not path.is_file() and path == scores_path(project_id):
        return _unscored(project.shortlist, criteria), None
    raw = read_yaml_mapping(path, "scores file")
    problems = Problems(path)
    if raw.get("project") not in (project_id, workspace.split_ref(project_id)[0]):  # a service's: its project's
        problems.add("", f"'project' is {raw.get('project')!r}; expected {workspace.split_ref(project_id)[0]!r}")
    try:
        workspace.version_field(raw.get("schema_version"))
    except ValueError as exc:
        problems.add("schema_version", str(exc))
    extra = sorted(set(raw) - _SCORES_KEYS)
    if extra:
        problems.add("", f"unexpected top-level key(s) {extra}")
    for key in ("status", "source"):
        if not _nonempty(raw.get(key)):
            problems.add("", f"{key!r} must be a non-empty text (say the scores are illustrative and whose judgement)")
    scores = raw.get("scores")
    if not isinstance(scores, dict):
        problems.fail("", "expected a 'scores' mapping option -> criterion -> {score, rationale}")
    shortlist = list(project.shortlist)
    for option in scores:
        if option not in shortlist:
            where = "not a delivery model" if option not in registry.DELIVERY_MODELS else "not on the short list"
            problems.add("", f"option {option!r} is {where}; short list: {', '.join(shortlist)}")
    rows = []
    for option in shortlist:
        if option not in scores:
            problems.add("", f"option {option!r} (on the short list) has no scores")
        else:
            rows += _option_scores(option, scores[option], criteria, problems)
    override = _weights_override(raw, criteria, problems)
    problems.raise_if_any()
    frame = pd.DataFrame(rows, columns=["option", "criterion", "score", "rationale"])
    frame["score"] = frame["score"].astype(float)
    return frame, override


def load_scores(project_id: str, path: Path | None = None) -> pd.DataFrame:
    """One project's scores, long: ``option``, ``criterion``, ``score`` (0-10), ``rationale``.

    Validated against the project's short list and the criteria file: every shortlisted option x
    criterion is present, scores are numbers from 0 to 10, rationales are not empty, and there is
    no unknown option or criterion. ``path`` overrides the workspace's ``mca.yaml``.
    ILLUSTRATIVE scores, to be replaced at the council's scoring workshop.
    """
    criteria = list(load_criteria()["criterion"])
    frame, _ = _scores_file(project_id, path, criteria)
    return frame


def default_weights(project_id: str, path: Path | None = None) -> pd.Series:
    """Swing weights for a project (index ``criterion``, sums to 1).

    The project's own override in its scores file when it has one, else the criteria file's
    defaults. ``path`` overrides the project's scores file.
    """
    crit = load_criteria()
    project_id = registry.project(project_id).id  # unknown project -> UnknownKeyError
    file = Path(path or scores_path(project_id))
    override = None
    if file.exists():
        _, override = _scores_file(project_id, file, list(crit["criterion"]))
    weights = override if override is not None else dict(zip(crit["criterion"], crit["weight"]))
    return pd.Series(weights, name="weight", dtype=float).rename_axis("criterion")


# --- weights and totals -----------------------------------------------------------------------------


def _as_series(weights: Mapping[str, float] | pd.Series) -> pd.Series:
    if isinstance(weights, pd.Series):
        series = weights.copy()
    elif isinstance(weights, Mapping):
        series = pd.Series(dict(weights), dtype=object)
    else:
        raise DDAnalysisError(
            f"weights must be a mapping criterion -> weight or a pandas Series, not {type(weights).__name__}"
        )
    if series.index.has_duplicates:
        raise DDAnalysisError(
            f"weights name criterion {sorted(set(series.index[series.index.duplicated()]))} more than once"
        )
    return series


def _checked_values(series: pd.Series) -> dict[str, float]:
    out = {}
    for key, value in series.items():
        w = _number(value)
        if w is None:
            raise DDAnalysisError(f"weight of {key!r} is {value!r}; expected a finite number")
        if w < 0:
            raise DDAnalysisError(f"weight of {key!r} is {w}; weights must not be negative")
        out[str(key)] = w
    return out


def normalise(weights: Mapping[str, float] | pd.Series) -> pd.Series:
    """Weights rescaled to sum to 1 (e.g. from points out of 100). Non-negative, not all zero."""
    values = _checked_values(_as_series(weights))
    total = math.fsum(values.values())
    if total <= 0:
        raise DDAnalysisError(f"weights {values} sum to {total}; at least one must be positive to normalise")
    return pd.Series({k: v / total for k, v in values.items()}, name="weight", dtype=float).rename_axis("criterion")


def _check_weights(weights: Mapping[str, float] | pd.Series, criteria: list[str]) -> np.ndarray:
    """Validated weights as an array in ``criteria`` order."""
    values = _checked_values(_as_series(weights))
    extra = [k for k in values if k not in criteria]
    if extra:
        raise UnknownKeyError(
            f"weights name unknown criterion {extra[0]!r}; the scores have criteria: {', '.join(criteria)}"
        )
    missing = [c for c in criteria if c not in values]
    if missing:
        raise DDAnalysisError(
            f"no weight for criterion {missing[0]!r}"
            + (f" (nor {missing[1:]})" if len(missing) > 1 else "")
            + f"; give a weight for every criterion: {', '.join(criteria)}"
        )
    total = math.fsum(values.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        listing = ", ".join(f"{c}={values[c]:g}" for c in criteria)
        raise DDAnalysisError(
            f"weights sum to {total:.12g}, not 1 ({listing}); "
            "rescale them with ddanalysis.mca.normalise(weights) if that is what you mean"
        )
    return np.array([values[c] for c in criteria], dtype=float)


def _score_matrix(scores: pd.DataFrame) -> pd.DataFrame:
    """Scores as an option x criterion table (options and criteria in order of first appearance)."""
    if not isinstance(scores, pd.DataFrame):
        raise DDAnalysisError(
            f"scores must be a DataFrame with columns option, criterion, score, not {type(scores).__name__}"
        )
    missing = [c for c in ("option", "criterion", "score") if c not in scores.columns]
    if missing:
        raise DDAnalysisError(f"scores lack column(s) {missing}; expected option, criterion, score")
    if scores.empty:
        raise DDAnalysisError("scores are empty; expected at least one option scored on at least one criterion")
    dup = scores[scores.duplicated(["option", "criterion"], keep=False)]
    if not dup.empty:
        first = dup.iloc[0]
        raise DDAnalysisError(f"scores give {first['option']}.{first['criterion']} more than once")
    values = pd.to_numeric(scores["score"], errors="coerce")
    bad = scores[values.isna() | (values < SCORE_MIN) | (values > SCORE_MAX)]
    if not bad.empty:
        first = bad.iloc[0]
        raise DDAnalysisError(
            f"score of {first['option']}.{first['criterion']} is {first['score']!r}; expected 0 to 10"
        )
    options = list(dict.fromkeys(scores["option"]))
    criteria = list(dict.fromkeys(scores["criterion"]))
    matrix = (
        scores.assign(score=values.astype(float))
        .pivot(index="option", columns="criterion", values="score")
        .reindex(index=options, columns=criteria)
    )
    if matrix.isna().any().any():
        option, criterion = next((o, c) for o in options for c in criteria if pd.isna(matrix.loc[o, c]))
        raise DDAnalysisError(f"scores lack {option}.{criterion}; every option needs a score on every criterion")
    return matrix


def _ranks(totals: np.ndarray) -> np.ndarray:
    """Rank 1 = best along the last axis; ties (to _RANK_DECIMALS) share the best rank ('min')."""
    rounded = np.round(totals, _RANK_DECIMALS)
    return 1 + (rounded[..., None, :] > rounded[..., :, None]).sum(axis=-1)


def weighted_totals(scores: pd.DataFrame, weights: Mapping[str, float] | pd.Series) -> pd.DataFrame:
    """Weighted score per option: ``option``, ``weighted_score`` (0-10), ``rank`` (1 = best).

    ``scores`` is long (``option``, ``criterion``, ``score``; other columns ignored), complete, 0-10.
    ``weights`` must name every criterion, be non-negative and sum to 1 within 1e-9 (rescale with
    :func:`normalise` first if they do not). Ties share the best rank (pandas ``method='min'``).
    Rows are in rank order, ties in the order options first appear in ``scores``.
    """
    matrix = _score_matrix(scores)
    w = _check_weights(weights, list(matrix.columns))
    # weights sum to 1 up to rounding, scores lie in [0, 10]: clip only removes float noise.
    totals = np.clip(matrix.to_numpy() @ w, SCORE_MIN, SCORE_MAX)
    out = pd.DataFrame({"option": list(matrix.index), "weighted_score": totals, "rank": _ranks(totals)})
    out["rank"] = out["rank"].astype(int)
    return out.sort_values("rank", kind="stable").reset_index(drop=True)


def rule_choice_set(mca_scores: Mapping[str, float], options: Sequence[str]) -> list[str]:
    """The options the decision rule could recommend whatever the draws say, in ``options``' order: the status
    quo and every option whose non-monetised score is at least the status quo's (test (c) of the rule, which
    no draw moves). An option the rule excludes is not a choice, so the value of information is worked out
    among these (knowing more about an excluded option cannot change the decision). ``mca_scores``: option
    id -> weighted score (0-10); an option without one is kept."""
    floor = mca_scores.get(registry.STATUS_QUO)
    return [
        o
        for o in options
        if o == registry.STATUS_QUO or floor is None or o not in mca_scores or float(mca_scores[o]) >= float(floor)
    ]


def rank_stability(
    scores: pd.DataFrame,
    weights: Mapping[str, float] | pd.Series,
    draws: int = 2000,
    seed: int = RUN_DEFAULTS.seed,
    concentration: float = 50.0,
) -> pd.DataFrame:
    """How stable the ranking is when the weights move: ``option``, ``share_first``, ``mean_rank``,
    ``share_clears_status_quo``.

    Draws ``draws`` weight vectors from a Dirichlet distribution centred on ``weights`` (alpha =
    ``concentration`` x weight; larger ``concentration`` = weights move less; zero weights stay
    zero), seeded so the same inputs give the same answer. ``share_first`` is the share of draws in
    which the option ranks first (a tie for first splits the draw equally), so the shares sum to 1;
    ``mean_rank`` is its average rank (ties share the best rank). ``share_clears_status_quo`` is the
    share of draws in which its weighted score is at least the status quo's: test (c) of the decision
    rule, the one that decides whether a higher-saving option may be recommended (NaN for every option
    when the status quo is not scored). Rows follow :func:`weighted_totals`.
    """
    matrix = _score_matrix(scores)
    w = _check_weights(weights, list(matrix.columns))
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise DDAnalysisError(f"draws is {draws!r}; expected a whole number of at least 1")
    conc = _number(concentration)
    if conc is None or conc <= 0:
        raise DDAnalysisError(f"concentration is {concentration!r}; expected a positive number")
    rng = np.random.default_rng(seed)
    positive = w > 0
    drawn = np.zeros((int(draws), w.size))
    drawn[:, positive] = rng.dirichlet(conc * w[positive], size=int(draws))
    totals = drawn @ matrix.to_numpy().T  # draws x options
    ranks = _ranks(totals)
    first = ranks == 1
    share_first = (first / first.sum(axis=1, keepdims=True)).mean(axis=0)
    options = list(matrix.index)
    if registry.STATUS_QUO in options:
        rounded = np.round(totals, _RANK_DECIMALS)  # equal scores tie, as in the ranks
        clears = (rounded >= rounded[:, [options.index(registry.STATUS_QUO)]]).mean(axis=0)
    else:
        clears = np.full(len(options), np.nan)
    result = pd.DataFrame(
        {
            "option": options,
            "share_first": share_first,
            "mean_rank": ranks.mean(axis=0),
            "share_clears_status_quo": clears,
        }
    )
    order = weighted_totals(scores, weights)["option"]
    return result.set_index("option").loc[order].reset_index()
