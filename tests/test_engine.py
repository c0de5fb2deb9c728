"""appraise(): every project, scenario and perspective; the plan drives savings; errors are one line."""

import datetime as dt
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from ddanalysis import registry
from ddanalysis.assumptions import load_book
from ddanalysis.engine import appraise, build_model
from ddanalysis.errors import DDAnalysisError, UnknownKeyError

JSON_OPTION_FIELDS = {
    "id",
    "name",
    "net_present_cost_gbp",
    "net_present_saving_gbp",
    "one_off_cost_gbp",
    "payback_year",
    "steady_state_saving_share",
    "p_saving_positive",
    "saving_p10_gbp",
    "saving_p50_gbp",
    "saving_p90_gbp",
    "mca_score",
    "rank",
    "go_live",
    "benefit_cost_ratio",
    "benefit_cost_ratio_note",
    "return_on_transition_cost",
    "optimism_bias_gbp",
    "residual_value_gbp",
    "by_horizon",
}


@pytest.mark.parametrize("pid", registry.project_ids())
@pytest.mark.parametrize("scenario", ["low", "central", "high"])
@pytest.mark.parametrize("perspective", ["council", "public", "social"])
def test_every_project_scenario_and_perspective(pid, scenario, perspective):
    r = appraise(pid, scenario=scenario, perspective=perspective, draws=200, with_switching=False)
    assert list(r.options.id) == list(registry.project(pid).shortlist)
    sq = r.options.iloc[0]
    assert sq.net_present_saving_gbp == 0.0 and sq.one_off_cost_gbp == 0.0
    # net present saving = status quo NPC - option NPC, by definition
    for row in r.options.itertuples():
        assert row.net_present_saving_gbp == pytest.approx(sq.net_present_cost_gbp - row.net_present_cost_gbp, abs=0.01)
    assert r.recommended in set(r.options.id)
    assert np.isfinite(r.annual.cost_gbp).all()


def test_scenarios_order_savings():
    low, central, high = (
        appraise("devon-local-services", scenario=s, draws=0, with_switching=False)
        .options.set_index("id")
        .net_present_saving_gbp
        for s in ("low", "central", "high")
    )
    for opt in low.index[1:]:
        assert low[opt] < central[opt] < high[opt]


def test_npc_is_the_discounted_sum_of_the_yearly_cash_flows():
    r = appraise("kirklees-open-spaces", draws=0, with_switching=False)
    f = np.array([1.035**-t for t in range(r.horizon_years)])  # all within the 3.5% band
    for opt, g in r.cashflows.groupby("option"):
        yearly = g.groupby("year_index").cost_gbp.sum().to_numpy()
        npc = r.options.set_index("id").loc[opt, "net_present_cost_gbp"]
        assert npc == pytest.approx(yearly @ f, rel=1e-10)


def test_longer_plan_delays_savings():
    model_c, plans_c = build_model("walsall-college", plan_duration="central")
    model_h, plans_h = build_model("walsall-college", plan_duration="high")
    assert plans_h["mutual"].go_live > plans_c["mutual"].go_live
    values = load_book("walsall-college").values("central").to_dict()
    flows_c = model_c.evaluate(values)["mutual"]["staff"][0]
    flows_h = model_h.evaluate(values)["mutual"]["staff"][0]
    sq = model_c.evaluate(values)["in-house"]["staff"][0]
    saving_c, saving_h = sq - flows_c, sq - flows_h
    assert saving_h.sum() < saving_c.sum()
    first_c = np.argmax(saving_c > 0)
    first_h = np.argmax(saving_h > 0)
    assert first_h >= first_c


def test_later_plan_start_moves_go_live_and_savings():
    early = appraise("walsall-college", draws=0, with_switching=False)
    late = appraise("walsall-college", draws=0, with_switching=False, plan_start=dt.date(2017, 4, 1))
    before, after = early.options.set_index("id"), late.options.set_index("id")
    assert after.loc["mutual", "go_live"] > before.loc["mutual", "go_live"]
    assert (
        after.loc["in-house-redesign", "net_present_saving_gbp"]
        < before.loc["in-house-redesign", "net_present_saving_gbp"]
    )


def test_public_perspective_nets_out_rates_relief():
    council = appraise("dover-museum-tourism", draws=0, with_switching=False)
    public = appraise("dover-museum-tourism", perspective="public", draws=0, with_switching=False)
    c = council.cashflows.query("option == 'charitable-trust' and component == 'business_rates'").cost_gbp.sum()
    p = public.cashflows.query("option == 'charitable-trust' and component == 'business_rates'").cost_gbp.sum()
    sq = public.cashflows.query("option == 'in-house' and component == 'business_rates'").cost_gbp.sum()
    assert c < p == pytest.approx(sq)


def test_optimism_bias_mitigation_control():
    none = appraise("walsall-college", draws=0, ob_mitigation=0.0, with_switching=False).options.set_index("id")
    full = appraise("walsall-college", draws=0, ob_mitigation=1.0, with_switching=False).options.set_index("id")
    for opt in none.index[1:]:
        assert full.loc[opt, "one_off_cost_gbp"] < none.loc[opt, "one_off_cost_gbp"]
        assert full.loc[opt, "net_present_saving_gbp"] > none.loc[opt, "net_present_saving_gbp"]


def test_json_document_has_the_agreed_fields():
    doc = json.loads(appraise("portsmouth-community-safety", draws=300, seed=5).to_json())
    assert {"project", "scenario", "perspective", "base_year", "horizon_years", "options", "recommended"} <= set(doc)
    assert doc["base_year"] == "2014-15" and doc["perspective"] == "council" and doc["horizon_years"] == 10
    for o in doc["options"]:
        assert JSON_OPTION_FIELDS <= set(o)
    assert doc["recommended"] in {o["id"] for o in doc["options"]}


def test_same_inputs_same_seed_byte_identical_json(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # pins the run record's time (2026-01-01T00:00:00Z)
    a = appraise("nelincs-environment", draws=500, seed=42).to_json()
    b = appraise("nelincs-environment", draws=500, seed=42).to_json()
    assert a == b
    c = appraise("nelincs-environment", draws=500, seed=43).to_json()
    assert a != c


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        ({"project_id": "walsall"}, r"^unknown project 'walsall'; valid projects: walsall-college, "),
        (
            {"project_id": "walsall-college", "scenario": "worst"},
            r"^unknown scenario 'worst'; valid scenarios: central, low, high",
        ),
        (
            {"project_id": "walsall-college", "perspective": "national"},
            r"^unknown perspective 'national'; valid perspectives: council, public, social$",
        ),
    ],
)
def test_unknown_ids_get_one_line_listing_valid_ones(kwargs, pattern):
    with pytest.raises(UnknownKeyError) as info:
        appraise(draws=0, **kwargs)
    assert "\n" not in str(info.value)
    assert __import__("re").match(pattern, str(info.value))


def test_unknown_option_in_result_lists_valid_ones():
    r = appraise("walsall-college", draws=0, with_switching=False)
    with pytest.raises(
        UnknownKeyError, match="unknown option 'mutal'; valid options: in-house, in-house-redesign, mutual"
    ):
        r.option_name("mutal")


@pytest.mark.parametrize("horizon", [0, 500, -3])
def test_horizon_out_of_range(horizon):
    with pytest.raises(DDAnalysisError, match=f"horizon = {horizon} years"):
        appraise("walsall-college", draws=0, horizon_years=horizon)


def test_longer_horizon_crosses_the_31_year_band():
    r = appraise("walsall-college", draws=0, horizon_years=40, with_switching=False)
    df = r.annual.query("option == 'in-house'").set_index("year_index").discount_factor
    assert df[31] / df[30] == pytest.approx(1 / 1.03)
    assert len(df) == 40


def test_every_assumption_used_is_reported_with_its_source():
    r = appraise("walsall-college", draws=0, with_switching=False)
    assert r.assumptions.source.str.len().min() > 10
    assert {"value_used", "quality", "low", "central", "high", "unit"} <= set(r.assumptions.columns)
    assert set(r.assumptions.scope) <= {"project", *registry.project("walsall-college").shortlist}


def test_cli_appraise_json_and_table():
    out = subprocess.run(
        [sys.executable, "-m", "ddanalysis", "appraise", "dover-museum-tourism", "--draws", "200", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    doc = json.loads(out.stdout)
    assert doc["project"] == "dover-museum-tourism" and len(doc["options"]) == 5
    table = _appraise_text("dover-museum-tourism", "--draws", "0")
    assert "ILLUSTRATIVE" in table and "real 2014-15 prices" in table
    assert "Recommended" in table or "Keep the service" in table


def test_cli_unknown_project_is_one_clear_line_and_exit_2():
    out = subprocess.run([sys.executable, "-m", "ddanalysis", "appraise", "nowhere"], capture_output=True, text=True)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("error: unknown project 'nowhere'; valid projects:")
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_json_is_strict_and_missing_values_are_null():
    doc = json.loads(
        appraise("kirklees-open-spaces", draws=100).to_json(),
        parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"),
    )
    sq = doc["options"][0]
    assert sq["payback_year"] is None and sq["go_live"] is None


def test_cli_table_shows_dash_not_nan_for_missing_values():
    out = subprocess.run(
        [sys.executable, "-m", "ddanalysis", "appraise", "kirklees-open-spaces", "--draws", "0"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "nan" not in out.lower().replace("financial", "")


def test_the_funding_basis_check_charges_contract_costs_on_the_whole_service():
    """Walsall's college is paid for mostly by others. From walsall-college/baseline.csv (GBP thousand): gross
    spend 4,150 + 360 + 560 + 420 + 95 + 60 + 780 + 240 + 720 + 150 = 7,535, of which cash (no capital charges)
    7,385; income from others 610 + 5,850 + 95 = 6,555 (no line marked the council's own), so the council pays
    for 7,385 - 6,555 = 830, a share of 830 / 7,385 = 0.112390. By default the client-side cost and a
    provider's margin fall on that share only; the check puts them on the whole service, so both lines grow by
    1 / 0.112390 = 8.8975 in every year.

    The mutual's net present saving under the check was worked independently by recalculating the exported
    workbook in LibreOffice with Model!B14 (the council-funded share) set to 1: GBP 64,770, against
    GBP 1,253,098 by default; the in-house redesign has no provider and stays at GBP 901,549, so the rule
    recommends it. The result says which basis it used."""
    share = (7385 - 6555) / 7385
    default = appraise("walsall-college", draws=0, with_switching=False, with_sensitivity=False)
    whole = appraise(
        "walsall-college", draws=0, with_switching=False, with_sensitivity=False, contract_on_whole_service=True
    )
    assert default.baseline.council_funded_share == pytest.approx(share, rel=1e-9)
    for line in ("client_side", "supplier_margin"):
        by_default, on_whole = (
            r.cashflows.loc[
                (r.cashflows["option"] == "mutual") & (r.cashflows["component"] == line), "cost_gbp"
            ].to_numpy()
            for r in (default, whole)
        )
        live = np.abs(by_default) > 0
        assert live.any()
        assert on_whole[live] == pytest.approx(by_default[live] / share, rel=1e-9)
    nps = whole.options.set_index("id")["net_present_saving_gbp"]
    assert nps["mutual"] == pytest.approx(64_770, abs=1)
    assert nps["in-house-redesign"] == pytest.approx(901_549, abs=1)
    assert default.options.set_index("id").loc["mutual", "net_present_saving_gbp"] == pytest.approx(1_253_098, abs=1)
    assert (default.recommended, whole.recommended) == ("mutual", "in-house-redesign")
    assert "Funding-basis check" in whole.what_if and "Funding-basis check" in whole.scenario_description
    assert default.what_if == ""


def test_cli_runs_the_funding_basis_check_and_labels_it():
    """``appraise --contract-on-whole-service`` gives the check's figures (Walsall's mutual GBP 64,770, worked
    in LibreOffice as the test above says) under a heading that names the check."""
    table = _appraise_text("walsall-college", "--draws", "0", "--contract-on-whole-service")
    assert "Funding-basis check: the whole service treated as paid for by the council" in table
    assert re.search(r"^mutual\s+£64,770\s", table, re.M)


def test_cli_text_gives_what_the_board_paper_gives_beside_the_recommendation():
    """``appraise`` prints, under the rule, the option it passes over (Walsall's outsourcing: more saving, but a
    score of 4.2 against the status quo's 5.3 in mca.yaml) and the cross-checks: the other perspectives, and
    on the whole service the in-house redesign at GBP 901,549 with the mutual at GBP 64,770 (the workbook
    recalculated in LibreOffice with Model!B14 = 1, as the tests above say)."""
    lines = _appraise_text("walsall-college", "--draws", "0").splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("Rule: "))
    assert lines[rule + 1].startswith("The rule passes over Outsourcing to a private provider")
    assert lines[rule + 2].startswith("What would change it: with the other assumptions held")
    assert lines[rule + 3].startswith("The 10-year saving assumes Public service mutual")
    assert lines[rule + 4].startswith("The other perspectives recommend the same option")
    assert lines[rule + 5].startswith("Who pays: others pay 88.8% of this service's cash spending")
    assert "In-house redesign (net present saving £901,549) instead" in lines[rule + 5]
    assert "while Public service mutual (employee-led spin-out) would save £64,770." in lines[rule + 5]


def _appraise_text(*args: str) -> str:
    """What ``python -m ddanalysis appraise ARGS`` prints (a fresh process; fails the test on a non-zero exit)."""
    return subprocess.run(
        [sys.executable, "-m", "ddanalysis", "appraise", *args], capture_output=True, text=True, check=True
    ).stdout
