"""The bundled plan templates: every model builds for every project that short-lists it, the legal
facts are recorded with sources, and the templates follow the programme's rules."""

from __future__ import annotations

import datetime as dt

import pytest

from ddanalysis import plan, registry

PLANNED = [m for m in registry.DELIVERY_MODELS if m != registry.STATUS_QUO]
CASES_USED = [(p.id, m) for p in registry.projects() for m in p.shortlist if m != registry.STATUS_QUO]


def test_every_model_but_the_status_quo_has_a_template():
    assert plan.plan_models() == PLANNED
    assert not plan.model_path(registry.STATUS_QUO).exists()


def test_catalogue_has_the_designs_twelve_phases_and_the_contract_award():
    """The design's twelve phases, and the contract award: a milestone of no duration after the procedure, so a
    plan can say the contract is signed only once the body that holds it exists."""
    cat = plan.load_phase_catalogue()
    assert list(cat["phase"]) == [
        "business_case",
        "member_decision",
        "staff_union_engagement",
        "legal_form_governance",
        "tupe_consultation",
        "pensions_admission",
        "procurement_or_direct_award",
        "contract_award",
        "support_service_agreements",
        "it_data_separation",
        "shadow_running",
        "go_live",
        "post_transfer_review",
    ]
    assert cat["description"].str.len().gt(60).all()
    tupe = cat.set_index("phase").loc["tupe_consultation", "description"]
    assert "reg. 11" in tupe and "28 days" in tupe and "30-day or 45-day" in tupe


def test_tupe_28_day_fact_has_its_source():
    facts = plan.catalogue_facts().set_index("fact")
    eli = facts.loc["tupe_eli_days_before_transfer"]
    assert eli["value"] == 28 and eli["unit"] == "days"
    assert "SI 2006/246" in eli["source"] and "reg. 11" in eli["source"]
    assert facts.loc["collective_redundancy_consultation_days_20_to_99", "value"] == 30
    assert facts.loc["collective_redundancy_consultation_days_100_plus", "value"] == 45


def test_reg77_three_year_limit_is_a_fact_with_its_source():
    facts = plan.model_facts("mutual").set_index("fact")
    reg77 = facts.loc["reg77_reserved_contract_max_years"]
    assert reg77["value"] == 3 and reg77["unit"] == "years"
    assert "Public Contracts Regulations 2015" in reg77["source"] and "SI 2015/102" in reg77["source"]
    assert "reg. 77" in reg77["source"]
    assert reg77["link"] == "https://www.legislation.gov.uk/uksi/2015/102/regulation/77"
    pa23 = facts.loc["procurement_act_2023_reserved_contract_max_years"]
    assert pa23["value"] == 5 and pa23["unit"] == "years" and "Procurement Act 2023" in pa23["source"]


@pytest.mark.parametrize("model", PLANNED)
def test_every_template_has_a_risk_register_of_five_to_eight_scored_risks(model):
    risks = plan.model_risks(model)
    assert list(risks.columns) == ["risk", "likelihood", "impact", "score", "owner", "mitigation"]
    assert 5 <= len(risks) <= 8
    assert risks["likelihood"].between(1, 5).all() and risks["impact"].between(1, 5).all()
    assert (risks["score"] == risks["likelihood"] * risks["impact"]).all()
    assert risks["score"].is_monotonic_decreasing
    assert not risks["risk"].duplicated().any()


def test_risk_registers_cover_the_known_hazards():
    text = {m: " ".join(plan.model_risks(m)["risk"]).lower() for m in PLANNED}
    assert "teckal" in text["trading-company"]
    for model in (
        "outsourcing",
        "trading-company",
        "mutual",
        "social-enterprise",
        "charitable-trust",
        "joint-venture",
        "cooperative",
    ):
        assert "pension" in text[model] and "stranded overheads" in text[model], model
    assert "market failure" in text["outsourcing"] and "vat" in text["charitable-trust"]
    assert "3 years" in text["mutual"]


@pytest.mark.parametrize("model", PLANNED)
def test_every_phase_has_a_source_and_ordered_durations(model):
    tpl = plan.load_template(model)
    assert tpl["source"].str.len().gt(5).all()
    assert ((tpl["low"] <= tpl["central"]) & (tpl["central"] <= tpl["high"])).all()
    gl = tpl.set_index("phase").loc["go_live"]
    assert (gl["low"], gl["central"], gl["high"]) == (0, 0, 0)


def test_procurement_rules_per_model():
    phases = {m: set(plan.load_template(m)["phase"]) for m in PLANNED}
    # outsourcing and joint venture need a full procurement of 6 to 9 months or more
    out = plan.load_template("outsourcing").set_index("phase").loc["procurement_or_direct_award"]
    assert (out["low"], out["high"]) == (26, 39)  # 6 months ~ 26 weeks, 9 months = 39 weeks
    jv = plan.load_template("joint-venture").set_index("phase").loc["procurement_or_direct_award"]
    assert jv["low"] >= 26
    # a Teckal company needs a legal form and governance but no procurement
    assert "legal_form_governance" in phases["trading-company"]
    assert "procurement_or_direct_award" not in phases["trading-company"]
    # an in-house redesign has no new legal form, no TUPE transfer and no pensions admission
    assert not phases["in-house-redesign"] & {"legal_form_governance", "tupe_consultation", "pensions_admission"}
    # a mutual's contract route is reg. 77 (or light touch), not a full procurement
    mutual = plan.load_template("mutual").set_index("phase").loc["procurement_or_direct_award"]
    assert "reg. 77" in mutual["source"] and mutual["central"] < out["central"]


#: The models whose contract goes to a body the change itself creates (its legal form is a phase of the plan).
NEW_BODY_WITH_CONTRACT = ["mutual", "charitable-trust", "cooperative", "social-enterprise"]


@pytest.mark.parametrize("model", NEW_BODY_WITH_CONTRACT)
def test_the_contract_is_never_awarded_before_the_new_body_exists(model):
    """The contract award waits for both the procedure and the new body's legal form and governance, in every
    duration case, and the TUPE consultation (then the transfer) follows the award."""
    tpl = plan.load_template(model).set_index("phase")
    deps = plan.load_template(model).set_index("phase")["depends_on"].map(lambda d: set(str(d).split(", ")))
    assert deps["contract_award"] == {"procurement_or_direct_award", "legal_form_governance"}
    assert (tpl.loc["contract_award", ["low", "central", "high"]] == 0).all()
    assert "contract_award" in deps["tupe_consultation"]
    for case in ("low", "central", "high"):
        p = plan.build_plan("walsall-college", model, duration_case=case)
        ph = p.phases.set_index("phase")
        awarded = p.milestones.set_index("milestone").loc["Contract awarded", "date"]
        assert awarded == max(
            ph.loc["legal_form_governance", "finish"], ph.loc["procurement_or_direct_award", "finish"]
        )
        assert ph.loc["tupe_consultation", "start"] >= awarded


def test_walsall_mutual_awards_its_contract_when_the_mutual_is_formed():
    """Central weeks of data/plans/models/mutual.yaml, scheduled by hand from the plan start (week 0):
    business_case 0-12; staff_union_engagement 12-24; member_decision 24-30; legal_form_governance 30-46;
    procurement_or_direct_award 30-42; contract award at max(46, 42) = week 46, when the mutual exists (before,
    the award fell at week 42, four weeks before it did); tupe_consultation 46-56; support 46-54; IT 30-46;
    shadow_running 56-68; pensions_admission 30-56; go-live at max(68, 56) = 68 weeks, as before the change.
    Phases that start at week 46 are listed award first, then in the catalogue's order (TUPE, then support).
    Walsall's plan starts 1 April 2015 (project.yaml): week 46 = 322 days -> 17 February 2016; week 68 = 476
    days -> 20 July 2016."""
    p = plan.build_plan("walsall-college", "mutual")
    ms = p.milestones.set_index("milestone")["date"]
    assert ms["Contract awarded"] == dt.date(2015, 4, 1) + dt.timedelta(days=46 * 7) == dt.date(2016, 2, 17)
    assert p.go_live == dt.date(2015, 4, 1) + dt.timedelta(days=68 * 7) == dt.date(2016, 7, 20)
    assert p.phases.set_index("phase").loc["procurement_or_direct_award", "slack_weeks"] == 4
    # listed by start: the award (no duration) before the TUPE consultation and support agreements that start then
    order = list(p.phases["phase"])
    assert (
        order.index("contract_award")
        == order.index("tupe_consultation") - 1
        < order.index("support_service_agreements")
    )


@pytest.mark.parametrize("project_id, model", CASES_USED)
def test_every_template_builds_for_every_project_that_short_lists_it(project_id, model):
    p = plan.build_plan(project_id, model)
    project = registry.project(project_id)
    assert p.start == project.plan_start and p.model_id == model
    ph = p.phases.set_index("phase")
    assert ph.loc["go_live", "critical"] and ph.loc["go_live", "duration_weeks"] == 0
    assert p.go_live == ph.loc["go_live", "start"] == p.milestones.set_index("milestone").loc["Go-live", "date"]
    assert (p.phases["slack_weeks"] >= 0).all()
    # the critical phases before go-live form an unbroken chain from the plan's start to go-live
    t = ph.loc["go_live", "start"]
    assert ph.loc[ph["critical"], "start"].min() == p.start
    for phase, row in ph[ph["critical"] & (ph["finish"] <= t)].iterrows():
        if row["start"] > p.start:
            deps = row["depends_on"].split(", ")
            assert any(ph.loc[d, "critical"] and ph.loc[d, "finish"] == row["start"] for d in deps), phase
    # every phase starts when its dependencies have all finished, and not before
    for phase, row in ph.iterrows():
        deps = [d for d in row["depends_on"].split(", ") if d]
        expected = max((ph.loc[d, "finish"] for d in deps), default=p.start)
        assert row["start"] == expected, phase
    if "tupe_consultation" in ph.index:
        eli = p.milestones[p.milestones.milestone.str.startswith("Employee liability")]["date"].item()
        assert eli == p.go_live - dt.timedelta(days=28) and ph.loc["tupe_consultation", "start"] <= eli
    assert 5 <= len(p.risks) <= 8


@pytest.mark.parametrize("project_id, model", CASES_USED)
def test_high_case_goes_live_later_than_central_and_central_no_earlier_than_low(project_id, model):
    low, central, high = (plan.build_plan(project_id, model, duration_case=c).go_live for c in plan.DURATION_CASES)
    assert high > central >= low
    assert plan.build_plan(project_id, model, duration_scale=1.25).go_live > central


def test_project_plans_cover_the_short_list_without_the_status_quo():
    for project in registry.projects():
        plans = plan.project_plans(project.id)
        assert list(plans) == [m for m in project.shortlist if m != registry.STATUS_QUO]
        later = plan.project_plans(project.id, start=dt.date(2016, 4, 1))
        for model, p in plans.items():
            # the same template from a later start moves every date by the same number of days
            assert later[model].go_live - p.go_live == dt.date(2016, 4, 1) - project.plan_start


def test_central_go_live_of_two_templates_worked_by_hand():
    # in-house redesign, central: business case 8 + member decision 6 + staff engagement 8 + pilot 4
    # = 26 weeks = 182 days after 1 April 2015 = 30 September 2015.
    assert plan.build_plan("walsall-college", "in-house-redesign").go_live == dt.date(2015, 9, 30)
    # mutual, central: business case 12 -> staff engagement 12 -> member decision 6 -> legal form 16
    # -> TUPE 10 (reg. 77 award 12 ends earlier, at week 42) -> shadow running 12 = 68 weeks; the
    # pensions admission branch starts at the member decision (week 30, the funds ask to be told early)
    # and ends at 30 + 26 = 56 weeks, 12 weeks of slack. 68 weeks = 476 days after 1 April 2015 =
    # 20 July 2016.
    p = plan.build_plan("devon-local-services", "mutual")
    assert p.go_live == dt.date(2016, 7, 20)
    assert p.phases.set_index("phase").loc["pensions_admission", "slack_weeks"] == 12.0
