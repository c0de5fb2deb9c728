"""Public value: unit-cost library, outcome files, benefits, returns and perspectives.

Every expected value is worked out by hand in the test's docstring, never copied from the code's
output. The small fixtures are written by the tests themselves into ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from ddanalysis import config, registry
from ddanalysis import public_value as pv
from ddanalysis import unit_costs as uc
from ddanalysis.errors import DataFileError, DDAnalysisError

DEFLATOR = {"2014-15": 100.0, "2016-17": 102.8}
SOURCE = {
    "publisher": "Test publisher",
    "title": "Test table",
    "year": 2016,
    "locator": "Table 1, row 1",
    "link": "https://example.org/t1",
}


def _unit_cost(uid="test-incident", components=None, price_base="2014-15", **extra):
    entry = {
        "id": uid,
        "description": "one test incident",
        "unit": "per incident",
        "price_base": price_base,
        "components": components or [{"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 1000}],
        "source": SOURCE,
        "verified": True,
        "quality": "amber",
    }
    entry.update(extra)
    return entry


def _library(tmp_path: Path, *entries, grades=True) -> uc.UnitCostLibrary:
    folder = tmp_path / "unit_costs"
    folder.mkdir(exist_ok=True)
    (folder / "test.yaml").write_text(yaml.safe_dump({"unit_costs": list(entries)}), encoding="utf-8")
    if grades:
        (folder / "evidence_grades.yaml").write_text(
            yaml.safe_dump(
                {
                    "description": "test grades",
                    "source": SOURCE,
                    "verified": True,
                    "quality": "amber",
                    "grades": [
                        {"grade": 1, "haircut": 0.0, "description": "robust"},
                        {"grade": 6, "haircut": 0.4, "description": "judgement"},
                    ],
                }
            ),
            encoding="utf-8",
        )
    return uc.load_library(folder)


def _q(value):
    return {"value": value, "source": "test fixture", "quality": "amber"}


def _outcomes(
    unit_cost="test-incident",
    *,
    cohort=100,
    rate=1.0,
    effect=1.0,
    deadweight=0.3,
    attribution=0.5,
    displacement=0.0,
    option="mutual",
    haircut=None,
    grade=None,
):
    eff = {"effect": _q(effect)}
    if grade is not None:
        eff["evidence_grade"] = grade
    else:
        eff["haircut"] = _q(0.0 if haircut is None else haircut)
    return {
        "project_id": "test-project",
        "monetisable": True,
        "summary": "test",
        "outcomes": [
            {
                "id": "incidents",
                "description": "incidents",
                "unit_cost": unit_cost,
                "cohort": {**_q(cohort), "description": "incidents a year"},
                "baseline_rate": _q(rate),
                "deadweight": _q(deadweight),
                "attribution": _q(attribution),
                "displacement": _q(displacement),
                "options": {option: eff},
            }
        ],
    }


def _parse(raw, library, shortlist=("in-house", "mutual", "outsourcing")):
    return pv.parse_outcomes(raw, "test-project.yaml", library, shortlist)


# --------------------------------------------------------------------------------------------------
def test_deadweight_and_attribution_by_hand(tmp_path):
    """100 incidents avoided (cohort 100 x rate 1 x effect 1), deadweight 30%, attribution 50%, no
    displacement or haircut, unit cost GBP 1,000: 100 x 0.7 x 0.5 x 1,000 = GBP 35,000 a year."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_outcomes(), lib)
    ob = pv.option_benefits(
        po, lib, "mutual", live_share=[1.0], discount_factors=[1.0], deflator=DEFLATOR, base_year="2014-15"
    )
    assert ob.present_value_gbp == pytest.approx(35_000.0)
    assert ob.outcomes[0].outcomes_avoided == pytest.approx(100.0)
    assert ob.outcomes[0].factor == pytest.approx(0.35)
    assert ob.benefits() == [
        {"agency": "police", "kind": "fiscal_non_cashable", "present_value_gbp": pytest.approx(35_000.0)}
    ]


def test_displacement_and_evidence_grade_haircut(tmp_path):
    """Cohort 200 x rate 0.5 x effect 0.2 = 20 avoided; x (1-0.3) x 0.5 x (1-0.25 displacement)
    x (1-0.4 haircut of grade 6) = 20 x 0.7 x 0.5 x 0.75 x 0.6 = 3.15; x GBP 1,000 = GBP 3,150."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_outcomes(cohort=200, rate=0.5, effect=0.2, displacement=0.25, grade=6), lib)
    ob = pv.option_benefits(po, lib, "mutual", live_share=[1.0], discount_factors=[1.0], deflator=DEFLATOR)
    assert ob.present_value_gbp == pytest.approx(3_150.0)


def test_benefits_discounted_with_the_cost_factors_and_ramped(tmp_path):
    """GBP 35,000 a year once live. Factors 1, 1/1.035 = 0.966184, 1/1.035^2 = 0.933511 (the Green
    Book's 3.5%, the same as for costs). Fully live: 35,000 x 2.899694 = 101,489.30. Ramp 0, 0.5, 1:
    35,000 x (0 + 0.5 x 0.966184 + 0.933511) = 35,000 x 1.416602 = 49,581.09."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_outcomes(), lib)
    factors = [1.0, 1 / 1.035, 1 / 1.035**2]
    full = pv.option_benefits(po, lib, "mutual", live_share=[1, 1, 1], discount_factors=factors, deflator=DEFLATOR)
    assert full.present_value_gbp == pytest.approx(101_489.30, abs=0.01)
    ramped = pv.option_benefits(po, lib, "mutual", live_share=[0, 0.5, 1], discount_factors=factors, deflator=DEFLATOR)
    assert ramped.present_value_gbp == pytest.approx(49_581.09, abs=0.01)
    flows = ramped.flows_gbp[("police", "fiscal_non_cashable")]
    assert list(flows) == pytest.approx([0.0, 17_500.0, 35_000.0])  # undiscounted, real base-year GBP


def test_discount_factors_and_live_share_must_match(tmp_path):
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_outcomes(), lib)
    with pytest.raises(ValueError, match="length 2; expected 3"):
        pv.option_benefits(po, lib, "mutual", live_share=[1, 1, 1], discount_factors=[1, 1], deflator=DEFLATOR)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        pv.option_benefits(po, lib, "mutual", live_share=[1.5], discount_factors=[1], deflator=DEFLATOR)


def test_per_agency_totals_sum_to_the_total(tmp_path):
    """Unit cost GBP 1,000 = council cashable 500 + council non-cashable 100 + police 300 + NHS 100.
    With 35 net incidents a year (100 x 0.7 x 0.5) over one undiscounted year: council 21,000,
    police 10,500, NHS 3,500; they sum to 35,000, and so do the kinds."""
    comps = [
        {"agency": "council", "kind": "fiscal_cashable", "value_gbp": 500},
        {"agency": "council", "kind": "fiscal_non_cashable", "value_gbp": 100},
        {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 300},
        {"agency": "nhs", "kind": "fiscal_non_cashable", "value_gbp": 100},
    ]
    lib = _library(tmp_path, _unit_cost(components=comps, total_gbp=1000))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib), lib, "mutual", live_share=[1], discount_factors=[1], deflator=DEFLATOR
    )
    by_agency = ob.by_agency()
    assert by_agency == pytest.approx({"council": 21_000.0, "police": 10_500.0, "nhs": 3_500.0})
    assert sum(by_agency.values()) == pytest.approx(ob.present_value_gbp) == pytest.approx(35_000.0)
    assert sum(r["present_value_gbp"] for r in ob.benefits()) == pytest.approx(35_000.0)
    assert sum(ob.by_kind().values()) == pytest.approx(35_000.0)


def test_council_perspective_excludes_what_others_gain(tmp_path):
    """Same split. Council perspective counts only the council's cashable 17,500 (35 x 500); its
    non-cashable 3,500 is shown beside, not added; police 10,500 and NHS 3,500 are left out, each
    saying whose. PV costs GBP 10,000: council fiscal ROI cashable 1.75, all fiscal (council)
    (17,500 + 3,500) / 10,000 = 2.1; public-value ROI 35,000 / 10,000 = 3.5; no NPSV outside 'social'."""
    comps = [
        {"agency": "council", "kind": "fiscal_cashable", "value_gbp": 500},
        {"agency": "council", "kind": "fiscal_non_cashable", "value_gbp": 100},
        {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 300},
        {"agency": "nhs", "kind": "fiscal_non_cashable", "value_gbp": 100},
    ]
    lib = _library(tmp_path, _unit_cost(components=comps))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib), lib, "mutual", live_share=[1], discount_factors=[1], deflator=DEFLATOR
    )
    res = pv.summarise(ob, pv_costs_gbp=10_000, perspective="council")
    assert res["counted_benefits_pv_gbp"] == pytest.approx(17_500.0)
    assert [(r["agency"], r["kind"]) for r in res["shown_beside"]] == [("council", "fiscal_non_cashable")]
    assert res["shown_beside"][0]["present_value_gbp"] == pytest.approx(3_500.0)
    left = {(r["agency"], r["kind"]): r for r in res["left_out"]}
    assert set(left) == {("police", "fiscal_non_cashable"), ("nhs", "fiscal_non_cashable")}
    assert "police" in left[("police", "fiscal_non_cashable")]["whose"]
    assert res["fiscal_roi"] == {"cashable": pytest.approx(1.75), "all_fiscal": pytest.approx(2.1)}
    assert res["public_value_roi"] == pytest.approx(3.5)
    assert res["net_present_social_value_gbp"] is None
    assert res["benefit_cost_ratio"] == pytest.approx(1.75)
    assert len(res["benefits"]) == 4  # every output still shows who gains what


def test_public_and_social_perspectives(tmp_path):
    """Police GBP 300 fiscal non-cashable + victims GBP 700 social per incident; 35 net incidents:
    police 10,500, victims 24,500. Public counts fiscal only: 10,500 (BCR 1.05 on GBP 10,000; fiscal
    ROI cashable 0, all fiscal 1.05). Social counts both: 35,000; NPSV 35,000 - 10,000 = 25,000."""
    comps = [
        {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 300},
        {"agency": "other", "who": "victims", "kind": "social", "value_gbp": 700},
    ]
    lib = _library(tmp_path, _unit_cost(components=comps))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib), lib, "mutual", live_share=[1], discount_factors=[1], deflator=DEFLATOR
    )
    public = pv.summarise(ob, pv_costs_gbp=10_000, perspective="public")
    assert public["counted_benefits_pv_gbp"] == pytest.approx(10_500.0)
    assert public["fiscal_roi"] == {"cashable": pytest.approx(0.0), "all_fiscal": pytest.approx(1.05)}
    assert [r["kind"] for r in public["left_out"]] == ["social"]
    social = pv.summarise(ob, pv_costs_gbp=10_000, perspective="social")
    assert social["counted_benefits_pv_gbp"] == pytest.approx(35_000.0)
    assert social["net_present_social_value_gbp"] == pytest.approx(25_000.0)
    assert social["left_out"] == []
    assert pv.summarise(ob, pv_costs_gbp=0, perspective="social")["public_value_roi"] is None


def test_payback_per_agency(tmp_path):
    """Police non-cashable GBP 35,000 a year (35 x 1,000) from year 1 (live share 0, 1, 1, 1), discount
    factors 1, 0.5, 0.5, 0.5; council costs (discounted) 20,000 in year 0 and 10,000 in year 1, council
    cashable benefits GBP 10 a unit: 10 x 35 = 350 a year, discounted 175 from year 1.

    Council cumulative net: -20,000; -20,000 + 175 - 10,000 = -29,825; + 175 = -29,650; + 175 = -29,475:
    never positive -> None. Police (no costs): 0 in year 0 (not positive), 17,500 in year 1 -> 2017-18.
    """
    comps = [
        {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 1000},
        {"agency": "council", "kind": "fiscal_cashable", "value_gbp": 10},
    ]
    lib = _library(tmp_path, _unit_cost(components=comps))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib),
        lib,
        "mutual",
        live_share=[0, 1, 1, 1],
        discount_factors=[1, 0.5, 0.5, 0.5],
        deflator=DEFLATOR,
    )
    years = ["2016-17", "2017-18", "2018-19", "2019-20"]
    bens = {
        "council": ob.discounted_gbp[("council", "fiscal_cashable")],
        "police": ob.discounted_gbp[("police", "fiscal_non_cashable")],
    }
    got = pv.payback_by_agency(bens, {"council": [20_000, 10_000, 0, 0]}, years)
    assert got == [{"agency": "council", "payback_year": None}, {"agency": "police", "payback_year": "2017-18"}]
    # council costs of 200 in year 0 only: -200, -25, +150 (stays positive) -> 2018-19
    got = pv.payback_by_agency(bens, {"council": [200, 0, 0, 0]}, years)
    assert got[0] == {"agency": "council", "payback_year": "2018-19"}
    # a cumulative that turns positive then negative again has not paid back then: the later year counts
    # (net 10, -20, 15, 0 -> cumulative 10, -10, 5, 5: positive and staying so from year 2)
    assert pv.payback_by_agency({"nhs": [10, 0, 15, 0]}, {"nhs": [0, 20, 0, 0]}, years) == [
        {"agency": "nhs", "payback_year": "2018-19"}
    ]


def test_payback_per_agency_in_the_appraisal_counts_only_what_the_perspective_counts(tmp_path):
    """benefits.option_payback: the option's cost change (-saving) falls on the council; the council
    perspective counts the council's cashable value only, so the police's value gives the police no
    payback row there, while the public perspective lists the police.

    Council cashable GBP 10 x 35 = 350 a year, undiscounted (factors 1), live from year 0; saving
    -1,000 in year 0 then +100 a year: council net -650, then +450 a year -> cumulative -650, -200,
    +250 -> 2018-19 (year 2)."""
    from ddanalysis.benefits import option_payback

    comps = [
        {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 1000},
        {"agency": "council", "kind": "fiscal_cashable", "value_gbp": 10},
    ]
    lib = _library(tmp_path, _unit_cost(components=comps))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib), lib, "mutual", live_share=[1, 1, 1], discount_factors=[1, 1, 1], deflator=DEFLATOR
    )
    years = ["2016-17", "2017-18", "2018-19"]
    saving = [-1000, 100, 100]
    assert option_payback(ob, "council", saving, [1, 1, 1], years) == [{"agency": "council", "payback_year": "2018-19"}]
    public = option_payback(ob, "public", saving, [1, 1, 1], years)
    assert public == [{"agency": "council", "payback_year": "2018-19"}, {"agency": "police", "payback_year": "2016-17"}]


def test_rebasing_by_the_deflator_ratio(tmp_path):
    """A unit cost of GBP 1,028 in 2016-17 prices, deflator 102.8 (2016-17) and 100 (2014-15):
    1,028 x 100 / 102.8 = GBP 1,000 in 2014-15 prices; so the hand example still gives GBP 35,000."""
    assert uc.rebase(1028.0, "2016-17", "2014-15", DEFLATOR) == pytest.approx(1000.0)
    assert uc.deflator_ratio(DEFLATOR, "2014-15", "2016-17") == pytest.approx(1.028)
    comps = [{"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 1028}]
    lib = _library(tmp_path, _unit_cost(components=comps, price_base="2016-17"))
    ob = pv.option_benefits(
        _parse(_outcomes(), lib),
        lib,
        "mutual",
        live_share=[1],
        discount_factors=[1],
        deflator=DEFLATOR,
        base_year="2014-15",
    )
    assert ob.present_value_gbp == pytest.approx(35_000.0)
    with pytest.raises(DataFileError, match="no index for 2010-11"):
        uc.rebase(1.0, "2010-11", "2014-15", DEFLATOR)


def test_unit_cost_without_a_source_is_an_error(tmp_path):
    """A unit cost without a source is a DataFileError naming the file and the id; every problem of
    the library (here also an unknown kind and an unverified value rated amber) is listed at once."""
    no_source = _unit_cost("no-source")
    del no_source["source"]
    bad_kind = _unit_cost("bad-kind", components=[{"agency": "police", "kind": "cashable", "value_gbp": 5}])
    unverified_amber = _unit_cost("unverified-amber", verified=False, quality="amber")
    with pytest.raises(DataFileError) as exc:
        _library(tmp_path, no_source, bad_kind, unverified_amber)
    msg = str(exc.value)
    assert "test.yaml: no-source: no source" in msg
    assert "bad-kind.components.0.kind" in msg
    assert "unverified-amber: verified is false, so quality must be 'red'" in msg
    assert msg.startswith("3 problem(s)")


def test_unknown_ids_options_and_statuses_are_errors(tmp_path):
    """Unknown unit-cost id, an option not on the project's short list, an effect for the status quo
    and a share above 1: one DataFileError lists all four, each naming the file and the key."""
    lib = _library(tmp_path, _unit_cost())
    raw = _outcomes(unit_cost="no-such-cost", option="cooperative", deadweight=1.3)
    raw["outcomes"][0]["options"]["in-house"] = {"effect": _q(0.1), "haircut": _q(0.0)}
    with pytest.raises(DataFileError) as exc:
        _parse(raw, lib)
    msg = str(exc.value)
    assert "test-project.yaml: outcomes.incidents.unit_cost: unknown unit-cost id 'no-such-cost'" in msg
    assert "options.cooperative: unknown option" in msg
    assert "options.in-house: the status quo" in msg
    assert "deadweight: a share must lie in [0, 1]" in msg


def test_judgement_must_be_red_with_a_note(tmp_path):
    lib = _library(tmp_path, _unit_cost())
    raw = _outcomes()
    raw["outcomes"][0]["deadweight"] = {"value": 0.3, "source": "team-judgement", "quality": "amber"}
    with pytest.raises(DataFileError, match="team-judgement must be rated red"):
        _parse(raw, lib)


def test_scenarios_and_overrides(tmp_path):
    """Effect low 0.5 / central 1.0 / high 1.0 on 100 incidents (x 0.35 x GBP 1,000): low 17,500,
    central 35,000; an override of the deadweight to 0 gives 100 x 1 x 0.5 x 1,000 = 50,000."""
    lib = _library(tmp_path, _unit_cost())
    raw = _outcomes()
    raw["outcomes"][0]["options"]["mutual"]["effect"] = {
        "low": 0.5,
        "central": 1.0,
        "high": 1.0,
        "source": "test",
        "quality": "amber",
    }
    po = _parse(raw, lib)
    kw = dict(live_share=[1], discount_factors=[1], deflator=DEFLATOR)
    assert pv.option_benefits(po, lib, "mutual", scenario="low", **kw).present_value_gbp == pytest.approx(17_500.0)
    assert pv.option_benefits(po, lib, "mutual", **kw).present_value_gbp == pytest.approx(35_000.0)
    over = pv.option_benefits(po, lib, "mutual", overrides={"incidents/project.deadweight": 0.0}, **kw)
    assert over.present_value_gbp == pytest.approx(50_000.0)
    assert [u["key"] for u in pv.uncertain_inputs(po)] == ["incidents/mutual.effect"]
    assert pv.option_benefits(po, lib, "in-house", **kw).benefits() == []  # the status quo gains nothing


# --------------------------------------------------------------------------------------------------
# The bundled files
# --------------------------------------------------------------------------------------------------
def test_every_bundled_file_is_valid_sourced_and_resolves():
    """Walk every bundled unit-cost and outcome file: no problems; every unit cost has a source with
    a locator; every unverified one is red; every outcome's unit cost and options resolve; every
    project of the registry has an outcome file (monetised, or saying why not)."""
    assert pv.check_bundled() == []
    library = uc.load_library()
    assert len(library) >= 10
    for uid, cost in library.costs.items():
        assert cost.source.publisher and cost.source.title and cost.source.locator, uid
        if not cost.verified:
            assert cost.quality == "red", uid
        assert cost.value_gbp > 0, uid
    assert library.grades is not None
    ids = registry.project_ids()
    assert all(pv.outcomes_path(pid).is_file() for pid in ids)  # every bundled workspace has its outcome model
    models = {p.stem for p in config.data_path("assumptions", "models").glob("*.yaml")}
    for project_id in ids:
        po = pv.load_outcomes(project_id, library=library)
        assert po.project_id == project_id
        if not po.monetisable:
            assert po.reason
        for o in po.outcomes:
            assert o.unit_cost in library
            for option_id in o.options:
                assert option_id in registry.project(project_id).shortlist
                assert option_id in models
    for project_id in (
        "hull-adult-social-care",
        "manchester-domestic-abuse",
        "notts-childrens-disability",
        "portsmouth-community-safety",
    ):
        assert pv.load_outcomes(project_id, library=library).monetisable


def test_bundled_outcomes_compute_with_the_bundled_deflator():
    """Every monetised option computes with the repository's GDP deflator (2014-15 = 100) and the
    Green Book's 3.5% factors; benefits are non-negative and per-agency totals add to the total."""
    raw = yaml.safe_load(config.data_path("assumptions", "appraisal.yaml").read_text(encoding="utf-8"))
    deflator = raw["gdp_deflator"]["index"]
    factors = [1 / 1.035**t for t in range(10)]
    ramp = [0.0, 0.5] + [1.0] * 8
    library = uc.load_library()
    for project_id in registry.project_ids():
        po = pv.load_outcomes(project_id, library=library)
        for option_id in registry.project(project_id).shortlist:
            ob = pv.option_benefits(
                po,
                library,
                option_id,
                live_share=ramp,
                discount_factors=factors,
                deflator=deflator,
                base_year="2014-15",
            )
            assert all(v >= 0 for v in ob.present_values_gbp.values())
            assert sum(ob.by_agency().values()) == pytest.approx(ob.present_value_gbp)
            for persp in pv.PERSPECTIVES:
                res = pv.summarise(ob, pv_costs_gbp=1e6, perspective=persp)
                total = (
                    res["counted_benefits_pv_gbp"]
                    + sum(r["present_value_gbp"] for r in res["shown_beside"])
                    + sum(r["present_value_gbp"] for r in res["left_out"])
                )
                assert total == pytest.approx(ob.present_value_gbp)


def _ranged_effect(raw, low, central, high):
    raw["outcomes"][0]["options"]["mutual"]["effect"] = {
        "low": low,
        "central": central,
        "high": high,
        "source": "test",
        "quality": "amber",
    }
    return raw


def test_outcome_draws_follow_the_cost_assumptions_pert(tmp_path):
    """The effect is drawn like a cost assumption: PERT on low 0.1 / mode 0.2 / high 0.6, whose mean is
    (low + 4 x mode + high) / 6 = (0.1 + 0.8 + 0.6) / 6 = 0.25 (a triangular would give 0.3) and whose
    standard deviation is about (high - low) / 6 = 0.083, so the mean of 20,000 draws lies within 0.005.
    Benefit per draw = 100 x effect x 0.7 x 0.5 x GBP 1,000 (one year, undiscounted), mean 100 x 0.25 x
    350 = GBP 8,750; every draw lies between 100 x 0.1 x 350 = 3,500 and 100 x 0.6 x 350 = 21,000."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_ranged_effect(_outcomes(), 0.1, 0.2, 0.6), lib)
    draws = pv.draw_inputs(po, 20_000, seed=7)
    # every quantity has a column, as every cost assumption does; a single value is constant
    assert list(draws.columns) == [
        "incidents/project.cohort",
        "incidents/project.baseline_rate",
        "incidents/mutual.effect",
        "incidents/mutual.haircut",
        "incidents/project.deadweight",
        "incidents/project.attribution",
        "incidents/project.displacement",
    ]
    assert draws["incidents/project.deadweight"].eq(0.3).all()
    eff = draws["incidents/mutual.effect"].to_numpy()
    assert eff.mean() == pytest.approx(0.25, abs=0.005)
    assert eff.min() >= 0.1 and eff.max() <= 0.6
    pvs = pv.present_value_draws(
        po, lib, "mutual", live_share=[1], discount_factors=[1], deflator=DEFLATOR, draws=draws
    )
    police = pvs[("police", "fiscal_non_cashable")]
    assert police.mean() == pytest.approx(8_750.0, abs=0.005 * 35_000)
    assert police.min() >= 3_500 - 1e-6 and police.max() <= 21_000 + 1e-6
    # the same seed gives the same draws; another seed others
    assert pv.draw_inputs(po, 20_000, seed=7).equals(draws)
    assert not pv.draw_inputs(po, 20_000, seed=8).equals(draws)


def test_fixing_an_outcome_key_removes_its_spread(tmp_path):
    """An override (as --set gives it) holds the quantity in every draw: effect fixed at 0.3 gives
    100 x 0.3 x 0.7 x 0.5 x GBP 1,000 = GBP 10,500 in each of the draws."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_ranged_effect(_outcomes(), 0.1, 0.2, 0.6), lib)
    fixed = pv.checked_overrides(po, {"incidents/mutual.effect": 0.3})
    draws = pv.draw_inputs(po, 1_000, seed=7, fixed=fixed)
    assert np.ptp(draws["incidents/mutual.effect"].to_numpy()) == 0.0
    pvs = pv.present_value_draws(
        po, lib, "mutual", live_share=[1], discount_factors=[1], deflator=DEFLATOR, draws=draws
    )
    assert pvs[("police", "fiscal_non_cashable")] == pytest.approx(np.full(1_000, 10_500.0))


def test_outcome_overrides_are_checked(tmp_path):
    """An unknown outcome key lists the valid ones; a share outside [0, 1] and a negative cohort are refused."""
    lib = _library(tmp_path, _unit_cost())
    po = _parse(_outcomes(), lib)
    with pytest.raises(
        DDAnalysisError, match="incidents/mutual.effct: not an outcome quantity.*incidents/mutual.effect"
    ):
        pv.checked_overrides(po, {"incidents/mutual.effct": 0.2})
    with pytest.raises(DDAnalysisError, match=r"incidents/project.deadweight=1.2: outside \[0, 1\]"):
        pv.checked_overrides(po, {"incidents/project.deadweight": 1.2})
    with pytest.raises(DDAnalysisError, match="incidents/project.cohort=-1"):
        pv.checked_overrides(po, {"incidents/project.cohort": -1})
    with pytest.raises(DDAnalysisError, match="expected '<scope>.<key>'"):
        pv.checked_overrides(po, {"incidents.mutual.effect": 0.2})
    assert pv.checked_overrides(po, {"incidents/project.cohort": 250}) == {"incidents/project.cohort": 250.0}
