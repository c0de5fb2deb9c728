"""Public value wired into the appraisal and its outputs.

Expected values are worked by hand from the data files' numbers (cohort, rates, adjustments, the
evidence-grade haircut, the unit cost and the GDP deflator) and the Green Book formula for the
discount factors (1 / 1.035^t to year 30), never taken from the code's own output.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from ddanalysis import charts, registry
from ddanalysis.benefits import benefit_ramp, pv_costs
from ddanalysis.engine import appraise, build_model
from ddanalysis.errors import DDAnalysisError
from ddanalysis.presentation import tables, text
from ddanalysis.programme import summary_from_results

HULL = "hull-adult-social-care"
NO_OUTCOMES = ("devon-local-services", "nelincs-environment", "cwac-wirral-school-services")


@pytest.fixture(scope="module")
def hull_council():
    return appraise(HULL, perspective="council", draws=0, with_switching=False)


@pytest.fixture(scope="module")
def hull_social():
    return appraise(HULL, perspective="social", draws=0, with_switching=False)


def test_the_ramp_follows_go_live_and_the_ramp_up_lever_as_savings_do():
    # live share 0, 0.5, 1, 1; years since go-live at mid-year -1, 0.25, 1.25, 2.25; ramp 2 years
    timing = SimpleNamespace(
        live_share=np.array([0.0, 0.5, 1.0, 1.0]), years_since_go_live=np.array([-1.0, 0.25, 1.25, 2.25])
    )
    assert benefit_ramp(timing, 2.0) == pytest.approx([0.0, 0.5 * 0.125, 0.625, 1.0])
    assert benefit_ramp(timing, 0.0) == pytest.approx([0.0, 0.5, 1.0, 1.0])


def test_pv_of_costs_is_one_offs_plus_net_operating_increases():
    assert pv_costs(net_present_saving=500.0, pv_one_off_cost=200.0) == 200.0  # operating costs fall
    # saving -300 = operating saving - one-offs 200, so operating costs rose by 100: costs 200 + 100
    assert pv_costs(net_present_saving=-300.0, pv_one_off_cost=200.0) == 300.0


def test_council_counts_the_hand_product_of_its_cashable_outcome(hull_council):
    """Care-home admissions avoided (the only council value): 1,200 x 8% x 5% x (1 - 30%) x 70% x (1 - 0)
    x (1 - 40% haircut, grade 6) x GBP 24,142.86 (2008-09) x 100 / 89.9 (deflator to 2014-15) a year when
    fully live; ramped by the plan's live share x min(years since go-live / 2, 1); discounted at 3.5%."""
    opt = "in-house-redesign"
    annual = 1200 * 0.08 * 0.05 * 0.70 * 0.70 * 1.0 * 0.60 * 24142.86 * 100 / 89.9
    assert annual == pytest.approx(37_898.1, abs=0.5)
    model, _ = build_model(HULL)
    tm = model.timings[opt]
    ramp = tm.live_share * np.clip(tm.years_since_go_live / 2.0, 0.0, 1.0)
    factors = np.array([1 / 1.035**t for t in range(len(ramp))])
    expected = float(annual * (ramp * factors).sum())
    e = hull_council.public_value["options"][opt]
    assert e["counted_benefits_pv_gbp"] == pytest.approx(expected, rel=1e-9)
    doc = next(o for o in hull_council.to_dict()["options"] if o["id"] == opt)
    assert doc["counted_benefits_pv_gbp"] == pytest.approx(expected, abs=0.01)
    nps = float(hull_council.options.set_index("id").loc[opt, "net_present_saving_gbp"])
    assert doc["net_present_value_gbp"] == pytest.approx(nps + expected, abs=0.01)
    assert doc["net_present_social_value_gbp"] is None


def test_council_excludes_other_agencies_and_lists_them_as_left_out(hull_council):
    for opt in ("in-house-redesign", "mutual"):
        e = hull_council.public_value["options"][opt]
        benefits = {(b["agency"], b["kind"]) for b in e["benefits"]}
        assert ("nhs", "fiscal_non_cashable") in benefits  # who gains: shown
        left = {(b["agency"], b["kind"]): b for b in e["left_out"]}
        assert ("nhs", "fiscal_non_cashable") in left and "NHS" in left[("nhs", "fiscal_non_cashable")]["whose"]
        cashable = sum(
            b["present_value_gbp"] for b in e["benefits"] if b["agency"] == "council" and b["kind"] == "fiscal_cashable"
        )
        assert e["counted_benefits_pv_gbp"] == pytest.approx(cashable)
        doc = next(o for o in hull_council.to_dict()["options"] if o["id"] == opt)
        assert [b["agency"] for b in doc["benefits_left_out"]] == ["nhs"]
    sentences = " ".join(tables.public_value_sentences(hull_council))
    assert "leaves out" in sentences and "the NHS" in sentences


def test_per_agency_totals_sum_to_the_total_in_every_view(hull_social):
    by_agency = hull_social.benefits_by_agency
    by_year = hull_social.benefits_by_year
    for opt, e in hull_social.public_value["options"].items():
        total = sum(b["present_value_gbp"] for b in e["benefits"])
        assert by_agency[by_agency.option == opt].present_value_gbp.sum() == pytest.approx(total)
        assert by_year[by_year.option == opt].pv_benefit_gbp.sum() == pytest.approx(total)
        if opt == registry.STATUS_QUO:
            assert total == 0.0
    t = tables.who_gains_table(hull_social, "mutual")
    f = t.frame.set_index("Agency")
    agencies = f.drop(index="Total")
    for col in t.units:  # the money columns (the payback column is text)
        assert f.loc["Total", col] == pytest.approx(agencies[col].sum())


def test_social_npsv_is_the_net_present_saving_plus_every_benefit(hull_social):
    doc = hull_social.to_dict()
    opts = hull_social.options.set_index("id")
    for o in doc["options"]:
        everything = sum(b["present_value_gbp"] for b in o["benefits"])
        nps = float(opts.loc[o["id"], "net_present_saving_gbp"])
        assert o["net_present_social_value_gbp"] == pytest.approx(nps + everything, abs=0.02)
        # the ranking stays on the cost saving
        assert o["net_present_saving_gbp"] == pytest.approx(nps, abs=0.01)
    assert "net present saving (cost only)" in doc["method_notes"]["ranking"]


def test_public_perspective_counts_all_fiscal_value_and_nothing_else():
    res = appraise("manchester-domestic-abuse", perspective="public", draws=0, with_switching=False)
    for e in res.public_value["options"].values():
        fiscal = sum(b["present_value_gbp"] for b in e["benefits"] if b["kind"].startswith("fiscal"))
        assert e["counted_benefits_pv_gbp"] == pytest.approx(fiscal)
        assert {b["kind"] for b in e["left_out"]} <= {"economic", "social"}


@pytest.mark.parametrize("pid", NO_OUTCOMES)
def test_projects_without_monetisable_outcomes_say_so_and_why(pid):
    res = appraise(pid, draws=0, with_switching=False)
    doc = json.loads(res.to_json())
    assert doc["public_value"]["monetisable"] is False
    assert len(doc["public_value"]["reason"]) > 40
    assert all(o["benefits"] == [] and o["counted_benefits_pv_gbp"] == 0 for o in doc["options"])
    for o in doc["options"]:  # payback per agency: the council's discounted saving alone
        if o["id"] != registry.STATUS_QUO:
            saving = res.annual[res.annual.option == o["id"]].sort_values("year_index")
            cum = np.cumsum(saving.pv_saving_gbp.to_numpy())
            years = [saving.financial_year.iloc[t] for t in range(len(cum)) if all(c > 0.005 for c in cum[t:])]
            assert o["payback_by_agency"] == [{"agency": "council", "payback_year": years[0] if years else None}]
    assert tables.who_gains_table(res) is None
    assert tables.public_value_sentences(res) == [text.no_outcomes_sentence(res.public_value["reason"])]
    fig = charts.who_gains(res)
    assert "No outcome is monetised" in json.dumps(fig.to_dict()["layout"]["annotations"])


def test_every_project_has_the_json_fields():
    results = {pid: appraise(pid, draws=0, with_switching=False) for pid in registry.project_ids()}
    assert len(results) == 10
    for pid, res in results.items():
        doc = res.to_dict()
        assert doc["public_value"]["monetisable"] in (True, False)
        for o in doc["options"]:
            for key in (
                "benefits",
                "fiscal_roi",
                "public_value_roi",
                "net_present_social_value_gbp",
                "benefits_left_out",
                "net_present_value_gbp",
                "payback_by_agency",
            ):
                assert key in o, (pid, key)
            assert o["net_present_social_value_gbp"] is None  # council perspective
    summary = summary_from_results(results)
    assert {"benefits_counted_pv_gbp", "net_present_value_gbp", "outcomes_monetised"} <= set(summary.columns)
    assert summary.set_index("project_id").loc["devon-local-services", "outcomes_monetised"].startswith("no: ")
    table = tables.programme_table(summary)
    added = "Benefits counted (PV: cashable + non-cashable added; not in the saving)"
    cash, non = (
        "Cashable benefits counted (PV)",
        "Non-cashable benefits counted (PV: fiscal non-cashable, economic, social)",
    )
    assert {added, cash, non, "Public value return per GBP 1 (every kind, everyone)"} <= set(table.frame.columns)
    assert (
        table.units[added] == "gbp" and table.units["Public value return per GBP 1 (every kind, everyone)"] == "ratio"
    )
    # the split is read from each recommended option's benefits (by hand: the counted, cashable rows), and
    # the two parts sum to the column labelled as their sum
    s = summary.set_index("project_id")
    for pid, res in results.items():
        doc = next(o for o in res.to_dict()["options"] if o["id"] == res.recommended)
        cashable = sum(
            b["present_value_gbp"]
            for b in doc["benefits"]
            if b["kind"] == "fiscal_cashable" and b["agency"] == "council"
        )  # council perspective
        assert s.loc[pid, "benefits_cashable_pv_gbp"] == pytest.approx(cashable, abs=0.01)
        assert s.loc[pid, "benefits_cashable_pv_gbp"] + s.loc[pid, "benefits_non_cashable_pv_gbp"] == pytest.approx(
            s.loc[pid, "benefits_counted_pv_gbp"]
        )
        assert s.loc[pid, "benefits_non_cashable_pv_gbp"] == pytest.approx(
            0.0, abs=1e-6
        )  # council counts cashable only


def test_benefits_by_year_and_excel_sheet(hull_council):
    from ddanalysis.excel.workbook import project_workbook

    t = tables.benefits_by_year_table(hull_council, "mutual")
    assert list(t.frame["Year"])[0] == hull_council.first_year
    assert "Council: Fiscal, cashable (counted)" in t.frame.columns
    assert "NHS: Fiscal, non-cashable (left out)" in t.frame.columns
    wb = project_workbook(hull_council)
    ws = wb["Benefits"]
    labels = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert "Counted benefits, present value" in labels
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert any(f.startswith("=SUM(") for f in formulas) and any("'Cash flows'!" in f for f in formulas)


MANCHESTER = "manchester-domestic-abuse"
MANCHESTER_SHARED = ("repeat-victimisation/project.cohort", "repeat-victimisation/project.baseline_rate")


@pytest.fixture(scope="module")
def manchester_social_draws():
    return appraise(
        MANCHESTER, perspective="social", draws=2_000, seed=11, with_switching=False, with_sensitivity=False
    )


def test_payback_by_agency_in_the_json_follows_the_annual_flows(hull_council):
    """Each option's council payback is the first financial year from which the cumulative of
    (discounted saving + discounted council benefits the council perspective counts) is positive and stays
    so: summed here by hand from the ``annual`` frame (pv_saving_gbp) and the benefits by year
    (pv_benefit_gbp of the council's counted rows). The council perspective lists only the council."""
    doc = hull_council.to_dict()
    annual = hull_council.annual
    by_year = hull_council.benefits_by_year
    for o in doc["options"]:
        if o["id"] == registry.STATUS_QUO:
            assert o["payback_by_agency"] == []
            continue
        saving = annual[annual.option == o["id"]].sort_values("year_index")
        ben = by_year[(by_year.option == o["id"]) & (by_year.agency == "council") & (by_year.treatment == "counted")]
        ben = ben.groupby("year_index").pv_benefit_gbp.sum().reindex(saving.year_index, fill_value=0.0)
        cum = np.cumsum(saving.pv_saving_gbp.to_numpy() + ben.to_numpy())
        expected = None
        for t in range(len(cum)):
            if all(c > 0.005 for c in cum[t:]):
                expected = saving.financial_year.iloc[t]
                break
        assert o["payback_by_agency"] == [{"agency": "council", "payback_year": expected}], o["id"]
        who = tables.who_gains_table(hull_council, o["id"]).frame.set_index("Agency")
        assert who.loc["Council", tables.PAYBACK_COLUMN] == (expected or "not within the horizon")
        assert set(who.loc[["NHS"], tables.PAYBACK_COLUMN]) == {"-"}  # left out in this perspective, no costs
        words = " ".join(tables.public_value_sentences(hull_council, o["id"]))
        assert "payback by agency" in words and f"Council {expected or 'not within the horizon'}." in words


def test_outcome_quantities_move_the_monte_carlo(manchester_social_draws):
    """Every ranged outcome quantity is drawn: the counted benefits spread (P10 < central < P90), the
    net present social value's P10 / P90 are those of saving + benefits draw by draw, and the social
    perspective's probability best is the share of draws in which each option's NPSV is highest."""
    res = manchester_social_draws
    draws = res.public_value["draws"]
    assert set(draws["inputs"].columns) >= set(MANCHESTER_SHARED)
    doc = {o["id"]: o for o in res.to_dict()["options"]}
    for opt in ("in-house-redesign", "outsourcing"):
        o = doc[opt]
        assert o["counted_benefits_p10_gbp"] < o["counted_benefits_pv_gbp"] < o["counted_benefits_p90_gbp"]
        npsv = res.mc_draws[opt].to_numpy() + draws["counted"][opt].to_numpy()
        assert o["net_present_value_p10_gbp"] == pytest.approx(np.percentile(npsv, 10), abs=0.01)
        assert o["net_present_value_p90_gbp"] == pytest.approx(np.percentile(npsv, 90), abs=0.01)
    best = draws["net_present_value"].to_numpy().argmax(axis=1)
    for j, opt in enumerate(draws["net_present_value"].columns):
        assert doc[opt]["p_best"] == pytest.approx((best == j).mean(), abs=1e-6)
    assert "of simulations on net present social value" in res.recommendation  # the sentence says what it compares
    evppi_keys = set(res.decision.evppi["key"])
    assert any(k.startswith("repeat-victimisation/") for k in evppi_keys)
    voi = tables.value_of_information_table(res).frame.set_index("Key")
    assert (
        voi.loc["repeat-victimisation/project.cohort", "Assumption"]
        == "Outcome repeat-victimisation: cohort (every option)"
    )


def test_fixing_outcome_keys_removes_their_spread():
    """With the cohort, the baseline rate and the option's effect fixed by --set style overrides, every
    factor of that option's benefits is fixed, so its counted benefits are the same in every draw:
    P10 = P90 = the central figure."""
    opt = "in-house-redesign"
    keys = {MANCHESTER_SHARED[0]: 1500, MANCHESTER_SHARED[1]: 0.25, f"repeat-victimisation/{opt}.effect": 0.10}
    res = appraise(
        MANCHESTER,
        perspective="social",
        draws=500,
        seed=11,
        with_switching=False,
        with_sensitivity=False,
        with_decision=False,
        overrides=keys,
    )
    e = res.public_value["options"][opt]
    assert e["counted_benefits_p10_gbp"] == pytest.approx(e["counted_benefits_pv_gbp"], rel=1e-12)
    assert e["counted_benefits_p90_gbp"] == pytest.approx(e["counted_benefits_pv_gbp"], rel=1e-12)
    other = res.public_value["options"]["outsourcing"]  # its own effect still drawn
    assert other["counted_benefits_p10_gbp"] < other["counted_benefits_p90_gbp"]
    with pytest.raises(DDAnalysisError, match="not an outcome quantity"):
        appraise(MANCHESTER, draws=0, with_switching=False, overrides={"repeat-victimisation/mutual.effect": 0.1})


def test_social_draws_file_reproduces_the_json_with_outcome_quantities(tmp_path):
    """In the social perspective the draws file holds what the decision measures compared: each option's net
    present social value per draw and the outcome quantities among the inputs, so probability best and EVPI
    recomputed from the file equal the JSON's."""
    from typer.testing import CliRunner

    from ddanalysis.cli import app
    from ddanalysis.drawsfile import decision_from_draws, read_draws

    path = tmp_path / "draws.csv"
    out = CliRunner().invoke(
        app,
        [
            "appraise",
            MANCHESTER,
            "--perspective",
            "social",
            "--draws",
            "800",
            "--seed",
            "5",
            "--json",
            "--draws-out",
            str(path),
        ],
    )
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    inputs, values = read_draws(path, options=[o["id"] for o in d["options"]])
    assert {c for c in inputs.columns if c.startswith("repeat-victimisation/")} >= set(MANCHESTER_SHARED)
    again = decision_from_draws(
        path, options=list(values.columns), groups=d["correlation_groups"], choice_set=d["value_of_information_options"]
    )
    assert again["p_best"] == pytest.approx({o["id"]: o["p_best"] for o in d["options"]}, abs=1e-6)
    assert again["evpi_gbp"] == pytest.approx(d["evpi_gbp"], abs=0.01)


def test_the_cli_public_value_heading_is_a_heading_then_the_ranking_note():
    """The heading once read 'Public value (outcome benefits; The ranking uses ...)': two sentences in one
    parenthesis, the second with a capital after a semicolon. Now the heading, then the note as its own sentence."""
    from ddanalysis.report import public_value_lines

    r = appraise("manchester-domestic-abuse", draws=0, with_switching=False, with_sensitivity=False)
    lines = public_value_lines(r)
    assert lines[:2] == ["", "Public value (outcome benefits). " + text.RANKING_NOTE]
