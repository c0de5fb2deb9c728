"""The bundled MCA data: criteria, weights and every project's scores, and the checks on those files."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ddanalysis import mca, registry
from ddanalysis.errors import DataFileError, UnknownKeyError

# The criteria the programme's drivers give (listed at the top of data/mca/criteria.yaml).
EXPECTED_CRITERIA = [
    "user_focus",
    "stakeholder_involvement",
    "staff_engagement",
    "quality_resilience",
    "deliverability",
    "risk_to_council",
    "strategic_fit",
]


def test_criteria_are_the_programmes_seven_with_weights_summing_to_one():
    crit = mca.load_criteria()
    assert list(crit.columns) == ["criterion", "name", "description", "weight"]
    assert list(crit["criterion"]) == EXPECTED_CRITERIA
    assert crit["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (crit["weight"] > 0).all()
    assert crit["name"].str.len().gt(0).all() and crit["description"].str.len().gt(20).all()


def test_costs_are_not_scored_again():
    ids = " ".join(mca.load_criteria()["criterion"])
    assert "cost" not in ids and "saving" not in ids
    notes = mca.criteria_notes()
    assert "money appraisal" in notes["not_scored"] and "twice" in notes["not_scored"]
    assert "ILLUSTRATIVE" in notes["status"] and "revisit" in notes["status"]
    assert "sum to 1" in notes["weights_rationale"]


def test_every_criterion_says_what_0_5_and_10_mean():
    scale = mca.criteria_scale()
    assert list(scale["criterion"]) == EXPECTED_CRITERIA
    for col in ("score_0", "score_5", "score_10"):
        assert scale[col].str.len().gt(10).all()


@pytest.mark.parametrize("project_id", registry.project_ids())
def test_every_projects_scores_validate_against_its_short_list(project_id):
    scores = mca.load_scores(project_id)
    shortlist = list(registry.project(project_id).shortlist)
    assert list(scores.columns) == ["option", "criterion", "score", "rationale"]
    assert list(dict.fromkeys(scores["option"])) == shortlist
    assert len(scores) == len(shortlist) * len(EXPECTED_CRITERIA)
    assert scores["score"].between(0, 10).all()
    assert scores["rationale"].str.len().gt(15).all()
    assert not scores["rationale"].duplicated().any()  # each rationale is written for its own cell
    totals = mca.weighted_totals(scores, mca.default_weights(project_id))
    assert set(totals["option"]) == set(shortlist) and totals["weighted_score"].between(0, 10).all()


@pytest.mark.parametrize("project_id", registry.project_ids())
def test_every_scores_file_is_marked_illustrative(project_id):
    raw = yaml.safe_load(mca.scores_path(project_id).read_text(encoding="utf-8"))
    assert raw["illustrative"] is True
    assert "ILLUSTRATIVE" in raw["status"] and "workshop" in raw["status"]


def test_status_quo_is_easiest_to_deliver_in_every_project():
    # Nothing to implement: the status quo scores 10 on deliverability, every other option less.
    for project_id in registry.project_ids():
        s = mca.load_scores(project_id)
        d = s[s.criterion == "deliverability"].set_index("option")["score"]
        assert d[registry.STATUS_QUO] == 10 and (d.drop(registry.STATUS_QUO) < 10).all(), project_id


def test_mutual_scores_high_on_staff_engagement_where_it_is_short_listed():
    # Staff own a mutual: wherever it is an option, no other option scores higher on staff engagement.
    for p in registry.projects():
        if "mutual" in p.shortlist:
            s = mca.load_scores(p.id)
            staff = s[s.criterion == "staff_engagement"].set_index("option")["score"]
            assert staff["mutual"] == staff.max() >= 8, p.id


def test_default_weights_and_project_overrides():
    base = mca.default_weights("walsall-college")
    assert base.index.name == "criterion" and list(base.index) == EXPECTED_CRITERIA
    assert base.to_dict() == pytest.approx(dict(zip(EXPECTED_CRITERIA, [0.20, 0.15, 0.10, 0.15, 0.15, 0.15, 0.10])))
    kirklees = mca.default_weights("kirklees-open-spaces")
    assert kirklees["stakeholder_involvement"] == 0.25 and kirklees.sum() == pytest.approx(1.0)
    notts = mca.default_weights("notts-childrens-disability")
    assert notts["user_focus"] == 0.25 and notts.sum() == pytest.approx(1.0)
    with pytest.raises(UnknownKeyError, match="walsall-college"):
        mca.default_weights("walsall")


# --- checks on bad files ------------------------------------------------------------------------


def write_variant(tmp_path: Path, project_id: str, change) -> Path:
    raw = yaml.safe_load(mca.scores_path(project_id).read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"{project_id}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def _drop(raw, option, criterion):
    del raw["scores"][option][criterion]


@pytest.mark.parametrize(
    "change, key",
    [
        (lambda r: _drop(r, "mutual", "staff_engagement"), "mutual.staff_engagement: missing score"),
        (lambda r: r["scores"]["mutual"]["user_focus"].update(score=11), "mutual.user_focus: score 11"),
        (lambda r: r["scores"]["mutual"]["user_focus"].update(score="high"), "mutual.user_focus: score 'high'"),
        (
            lambda r: r["scores"]["outsourcing"]["deliverability"].update(rationale=" "),
            "outsourcing.deliverability: rationale is empty",
        ),
        (lambda r: r["scores"]["mutual"].update(cost={"score": 5, "rationale": "x"}), "mutual.cost: unknown criterion"),
        (
            lambda r: r["scores"].update({"joint-venture": r["scores"]["mutual"]}),
            "option 'joint-venture' is not on the short list",
        ),
        (
            lambda r: r["scores"].update({"spin-out": r["scores"]["mutual"]}),
            "option 'spin-out' is not a delivery model",
        ),
        (lambda r: r["scores"].pop("charitable-trust"), "option 'charitable-trust' (on the short list) has no scores"),
        (lambda r: r.update(project="devon-local-services"), "'project' is 'devon-local-services'"),
    ],
)
def test_bad_scores_file_gets_one_error_naming_the_file_and_key(tmp_path, change, key):
    path = write_variant(tmp_path, "walsall-college", change)
    with pytest.raises(DataFileError) as info:
        mca.load_scores("walsall-college", path=path)
    assert str(path) in str(info.value) and key in str(info.value)


def test_several_problems_are_reported_together(tmp_path):
    def two(r):
        r["scores"]["mutual"]["user_focus"]["score"] = -1
        r["scores"]["outsourcing"]["risk_to_council"]["rationale"] = ""

    path = write_variant(tmp_path, "walsall-college", two)
    with pytest.raises(DataFileError) as info:
        mca.load_scores("walsall-college", path=path)
    assert "mutual.user_focus" in str(info.value) and "outsourcing.risk_to_council" in str(info.value)


def test_weight_override_must_sum_to_one(tmp_path):
    path = write_variant(tmp_path, "kirklees-open-spaces", lambda r: r["weights"]["values"].update(user_focus=0.30))
    with pytest.raises(DataFileError, match=r"weights sum to 1\.15"):
        mca.default_weights("kirklees-open-spaces", path=path)


def test_weight_override_must_cover_every_criterion(tmp_path):
    path = write_variant(tmp_path, "kirklees-open-spaces", lambda r: r["weights"]["values"].pop("strategic_fit"))
    with pytest.raises(DataFileError, match="missing weight for \\['strategic_fit'\\]"):
        mca.default_weights("kirklees-open-spaces", path=path)


def test_criteria_file_errors_name_the_file_and_criterion(tmp_path):
    raw = yaml.safe_load(mca.criteria_path().read_text(encoding="utf-8"))
    raw["criteria"][2]["weight"] = 0.2
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError, match="weights sum to 1.1"):
        mca.load_criteria(path)
    del raw["criteria"][0]["scale"]["5"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError, match="criterion user_focus: 'scale'"):
        mca.load_criteria(path)
    with pytest.raises(DataFileError, match="not found"):
        mca.load_criteria(tmp_path / "missing.yaml")
