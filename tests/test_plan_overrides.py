"""Per-phase durations in a workspace's plan.yaml (ddanalysis.plan.WorkspacePlan): ``phases: {id: {weeks: N}}``
for every plan, ``models: {model: {duration_scale, phases}}`` for one, the older ``models: {model: scale}``
still read; legal minimums and unknown phases refused."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from conftest import dover_workspace

from ddanalysis import plan, workspace
from ddanalysis.errors import DataFileError, DDAnalysisError

#: The charitable-trust template's central weeks (data/plans/models/charitable-trust.yaml), scheduled by hand
#: from the plan start (week 0): business_case 0-12; member_decision 12-18; staff_union_engagement 18-26;
#: legal_form_governance 18-42; procurement_or_direct_award 18-30; it_data_separation 18-34; contract_award
#: (no duration) at max(42, 30) = 42, when the trust exists; tupe_consultation from max(42, 26) = 42 to 52;
#: pensions_admission 18-44 (from the member decision); support_service_agreements 42-50; shadow_running from
#: max(52, 50, 34) = 52 to 60; go_live at max(60, 44) = 60 weeks. Critical path: business_case,
#: member_decision, legal_form_governance, contract_award, tupe_consultation, shadow_running. Slack:
#: it_data_separation 52 - 34 = 18 weeks, pensions_admission 60 - 44 = 16 weeks.
#: Dover's plan starts 1 July 2015 (project.yaml plan_start); 60 weeks = 420 days -> 24 August 2016.
CENTRAL_GO_LIVE = dt.date(2015, 7, 1) + dt.timedelta(days=420)


def _workspace(tmp_path: Path, plan_yaml: dict | None) -> str:
    """A copy of dover-museum-tourism as workspace 'my-museum' (short list with the charitable trust), with
    ``plan_yaml`` as its plan.yaml; returns its id (opened)."""
    folder = dover_workspace(tmp_path / "ws")
    if plan_yaml is not None:
        (folder / "plan.yaml").write_text(yaml.safe_dump(plan_yaml, sort_keys=False), encoding="utf-8")
    return workspace.resolve(str(folder))


def test_the_hand_schedule_holds_without_overrides(tmp_path: Path):
    """The baseline of the two tests below: go-live 24 August 2016 (420 days after 1 July 2015)."""
    pid = _workspace(tmp_path, None)
    assert CENTRAL_GO_LIVE == dt.date(2016, 8, 24)
    assert plan.project_plans(pid)["charitable-trust"].go_live == CENTRAL_GO_LIVE


def test_a_longer_critical_phase_moves_go_live(tmp_path: Path):
    """``phases: {legal_form_governance: {weeks: 30}}``: 6 weeks more on the critical path, so legal form ends at
    18 + 30 = 48, TUPE 48-58, shadow running 58-66, pensions 18-44; go-live at max(66, 44) = 66 weeks = 462 days
    after 1 July 2015 = 5 October 2016 (24 August 2016 + 42 days)."""
    pid = _workspace(tmp_path, {"phases": {"legal_form_governance": {"weeks": 30}}})
    trust = plan.project_plans(pid)["charitable-trust"]
    assert trust.go_live == dt.date(2016, 10, 5) == dt.date(2015, 7, 1) + dt.timedelta(days=66 * 7)
    row = trust.phases.set_index("phase").loc["legal_form_governance"]
    assert row.duration_weeks == 30 and bool(row.critical)


def test_a_longer_phase_with_slack_leaves_go_live(tmp_path: Path):
    """``models: {charitable-trust: {phases: {it_data_separation: {weeks: 30}}}}``: IT separation ends at
    18 + 30 = 48, still before shadow running starts at 52 (its slack falls from 18 to 4 weeks), so go-live
    stays 24 August 2016."""
    pid = _workspace(tmp_path, {"models": {"charitable-trust": {"phases": {"it_data_separation": {"weeks": 30}}}}})
    trust = plan.project_plans(pid)["charitable-trust"]
    assert trust.go_live == CENTRAL_GO_LIVE
    row = trust.phases.set_index("phase").loc["it_data_separation"]
    assert (row.duration_weeks, row.slack_weeks) == (30, 4)


def test_the_older_models_form_and_the_new_duration_scale_agree(tmp_path: Path):
    """``models: {charitable-trust: 1.5}`` (older form) and ``{charitable-trust: {duration_scale: 1.5}}`` give the
    same plan: the critical path 12 + 6 + 24 + 10 + 8 = 60 weeks times 1.5 = 90 weeks (no phase reaches its
    minimum) = 630 days after 1 July 2015 = 22 March 2017."""
    older = plan.project_plans(_workspace(tmp_path / "a", {"models": {"charitable-trust": 1.5}}))
    newer = plan.project_plans(_workspace(tmp_path / "b", {"models": {"charitable-trust": {"duration_scale": 1.5}}}))
    expected = dt.date(2015, 7, 1) + dt.timedelta(days=630)
    assert expected == dt.date(2017, 3, 22)
    assert older["charitable-trust"].go_live == newer["charitable-trust"].go_live == expected


@pytest.mark.parametrize(
    ("plan_yaml", "expect"),
    [
        (
            {"phases": {"tupe_consultation": {"weeks": 3}}},
            r"phases.tupe_consultation: in the charitable-trust plan, 3 weeks is below its legal minimum of 4 weeks",
        ),
        (
            {"models": {"charitable-trust": {"phases": {"procurement": {"weeks": 3}}}}},
            r"models.charitable-trust.phases.procurement: not a phase of the charitable-trust plan; its phases: "
            r"business_case, .*legal_form_governance",
        ),
        ({"phases": {"tendering": {"weeks": 3}}}, r"phases.tendering: not a phase of any plan; the phases: "),
        (
            {"models": {"charitable-trust": {"phases": {"go_live": {"weeks": 2}}}}},
            r"go_live: the go-live milestone has no duration",
        ),
    ],
    ids=["below the legal minimum", "not in that plan", "no such phase", "go-live"],
)
def test_phase_weeks_a_plan_cannot_take_are_refused(tmp_path: Path, plan_yaml: dict, expect: str):
    """Each refused naming plan.yaml, the key and what was expected (TUPE consultation's 4-week minimum is
    data/plans/phases.yaml's min_weeks)."""
    pid = _workspace(tmp_path, plan_yaml)
    with pytest.raises(DataFileError, match=r"plan\.yaml") as info:
        plan.project_plans(pid)
    assert re.search(expect, str(info.value)), str(info.value)


def test_build_plan_refuses_weeks_below_the_minimum(tmp_path: Path):
    """The library call names the phase and its minimum too."""
    pid = _workspace(tmp_path, None)
    with pytest.raises(DDAnalysisError, match=r"tupe_consultation: 2 weeks is below its legal minimum of 4 weeks"):
        plan.build_plan(pid, "charitable-trust", weeks={"tupe_consultation": 2})


def test_weeks_given_hold_in_every_duration_case_unscaled(tmp_path: Path):
    """The low case with legal form at 30 weeks (the template's low weeks otherwise): business case 0-8, member
    decision 8-12, legal form 12-42 (30 weeks, not the low 16), procurement 12-20, staff engagement 12-18, TUPE from
    max(42, 20, 18) = 42 to 50, support agreements 42-48, IT 12-24, shadow running from max(50, 48, 24) = 50 to
    54, pensions 12-28 (16 weeks from the member decision): go-live at 54 weeks = 378 days after 1 July 2015 =
    13 July 2016 (366 days to 1 July 2016, a leap year, + 12). Scaled by 2, every other phase doubles but legal
    form stays 30 weeks."""
    pid = _workspace(tmp_path, None)
    low = plan.build_plan(pid, "charitable-trust", duration_case="low", weeks={"legal_form_governance": 30})
    assert low.go_live == dt.date(2016, 7, 13) == dt.date(2015, 7, 1) + dt.timedelta(days=378)
    doubled = plan.build_plan(pid, "charitable-trust", duration_scale=2.0, weeks={"legal_form_governance": 30})
    assert doubled.phases.set_index("phase").loc["legal_form_governance", "duration_weeks"] == 30
    assert doubled.phases.set_index("phase").loc["business_case", "duration_weeks"] == 24  # 12 x 2


#: A project's own risk (plan.yaml ``risks``): fields as a template's, and the options it applies to.
FUNDING_RISK = {
    "risk": "The funder re-tenders the grant once the museum leaves the council",
    "likelihood": 5,
    "impact": 5,
    "owner": "Project sponsor",
    "mitigation": "Get the funder's written position first",
    "options": ["charitable-trust"],
}


def test_a_project_risk_joins_the_named_options_registers_in_score_order(tmp_path: Path):
    """A risk scored 5 x 5 = 25 for the charitable trust only tops the trust's register (the template's
    highest scores are below 25: data/plans/models/charitable-trust.yaml) and is in no other option's; a risk
    with no ``options`` joins every plan's register; the template's own risks stay, in score order."""
    everyone = {**FUNDING_RISK, "risk": "Members change their minds", "likelihood": 1, "impact": 2}
    everyone.pop("options")
    pid = _workspace(tmp_path, {"risks": [FUNDING_RISK, everyone]})
    plans = plan.project_plans(pid)
    trust = plans["charitable-trust"].risks
    template = plan.model_risks("charitable-trust")
    assert int(template["score"].max()) < 25
    assert trust.iloc[0]["risk"] == FUNDING_RISK["risk"] and trust.iloc[0]["score"] == 25
    assert len(trust) == len(template) + 2 and list(trust["score"]) == sorted(trust["score"], reverse=True)
    assert set(template["risk"]) <= set(trust["risk"])
    for model_id, p in plans.items():
        names = set(p.risks["risk"])
        assert "Members change their minds" in names
        assert (FUNDING_RISK["risk"] in names) == (model_id == "charitable-trust")
    assert int(p.risks.set_index("risk").loc["Members change their minds", "score"]) == 2


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({"likelihood": 6}, r"risks\.0\.likelihood.*less than or equal to 5"),
        ({"impact": "high"}, r"risks\.0\.impact"),
        ({"owner": ""}, r"risks\.0\.owner"),
        ({"options": ["mutual"]}, r"risks\[0\]\.options: 'mutual' is not an option with a plan on this project's"),
        ({"options": ["in-house"]}, r"risks\[0\]\.options: 'in-house' is not an option with a plan"),
    ],
    ids=["likelihood above 5", "impact in words", "no owner", "option off the short list", "the status quo"],
)
def test_a_project_risk_a_register_cannot_take_is_refused(tmp_path: Path, change: dict, expect: str):
    """Each refused naming plan.yaml, the risk's place and what was expected (Dover's short list has no mutual,
    and the status quo has no plan)."""
    pid = _workspace(tmp_path, {"risks": [{**FUNDING_RISK, **change}]})
    with pytest.raises(DataFileError, match=r"plan\.yaml") as info:
        plan.project_plans(pid)
    assert re.search(expect, str(info.value)), str(info.value)


def test_walsalls_register_carries_the_risk_to_its_adult_learning_grant():
    """data/projects/walsall-college/plan.yaml adds the risk that the Skills Funding Agency grant does not follow
    the college out of the council (Somerset's adult learning company lost most of its community learning funding
    after 2015: evidence_log.yaml) to the three options that move it out, and not to the in-house redesign."""
    plans = plan.project_plans("walsall-college")
    for model_id, p in plans.items():
        carries = p.risks["risk"].str.contains("Skills Funding Agency re-tenders or cuts").any()
        assert carries == (model_id in {"mutual", "charitable-trust", "outsourcing"}), model_id
