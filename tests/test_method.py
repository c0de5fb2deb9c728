"""The fair method at the appraisal level: optimism bias as its own line with derived or
overridden mitigation, the council's costs only, the Green Book benefit-cost ratio, residual values,
results at several horizons, the price base. Expected values are worked out by hand (docstrings)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest

from ddanalysis import registry
from ddanalysis.appraisal import green_book_bcr
from ddanalysis.assumptions import load_book
from ddanalysis.baseline import FundedBy, project_baseline
from ddanalysis.engine import appraise
from ddanalysis.presentation.text import PERSPECTIVE_WORDS as PERSPECTIVE_LABELS

PID = "walsall-college"


@pytest.fixture(scope="module")
def central():
    return appraise(PID, draws=0, with_switching=False)


def test_green_book_bcr_by_hand():
    """Factors 1, 0.5, 0.25. Net operating saving -40, 100, 100; one-off 60 in year 0; residual 20.
    Benefits = 100 x 0.5 + 100 x 0.25 + 20 = 95; costs = 60 x 1 + 40 x 1 = 100; ratio 0.95."""
    f = np.array([1.0, 0.5, 0.25])
    ratio, note = green_book_bcr(np.array([-40.0, 100.0, 100.0]), np.array([60.0, 0, 0]), f, residual_value=20.0)
    assert ratio == pytest.approx(0.95) and note is None


def test_green_book_bcr_is_null_with_a_reason_when_a_side_is_zero():
    """All saving, no cost: unbounded, so null with a reason; all cost, no saving: 0 benefits, null."""
    f = np.array([1.0, 0.5])
    assert green_book_bcr(np.array([10.0, 10.0]), np.zeros(2), f) == (
        None,
        pytest.approx("no costs against the status quo: the ratio is unbounded; read the net present saving"),
    )
    ratio, note = green_book_bcr(np.array([-10.0, -10.0]), np.array([5.0, 0.0]), f)
    assert ratio is None and "no benefits" in note


def test_bcr_never_negative_and_status_quo_is_null(central):
    """Every option's ratio is null or >= 0; the status quo's is null with its reason."""
    o = central.options.set_index("id")
    assert pd.isna(o.loc["in-house", "benefit_cost_ratio"])
    assert o.loc["in-house", "benefit_cost_ratio_note"] == "the status quo is the benchmark"
    assert all(pd.isna(r) or r >= 0 for r in o.benefit_cost_ratio)
    assert json.loads(central.to_json())["options"][0]["benefit_cost_ratio"] is None


def test_residual_value_is_the_final_saving_over_five_more_years(central):
    """Remaining life 5 years after a 10-year horizon: annuity = sum of 1.035^-t for t = 10..14 =
    0.708919 + 0.684946 + 0.661783 + 0.639404 + 0.617782 = 3.312834. The final year holds no one-off
    cost, so residual value = steady-state (final-year) saving x 3.312834; status quo 0."""
    for row in central.options.itertuples():
        expected = 0.0 if row.id == "in-house" else row.steady_state_saving_gbp * 3.312834
        assert row.residual_value_gbp == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_by_horizon_extends_the_same_cash_flows(central):
    """At 10 years by_horizon equals the headline net present saving; at 15 it adds the PV of years
    10-14, each as least as large as the final year's saving (demand grows 1% a year, pay falls 0.5%)
    times its factor, so it exceeds NPS10 + 0.99 x final saving x 3.312834 when that saving is positive."""
    by_option = {o["id"]: o["by_horizon"] for o in central.to_dict()["options"]}
    for row in central.options.itertuples():
        h = {x["years"]: x["net_present_saving_gbp"] for x in by_option[row.id]}
        assert list(h) == [10, 15, 20]
        assert h[10] == pytest.approx(row.net_present_saving_gbp, abs=0.01)
        if row.steady_state_saving_gbp > 0:
            assert h[15] > row.net_present_saving_gbp + 0.99 * row.steady_state_saving_gbp * 3.312834 * 0.95


def test_optimism_bias_is_its_own_line_and_an_override_is_labelled(central):
    """The raw lines do not depend on the mitigation, so NPS at full mitigation (no uplift) minus NPS
    at none equals optimism_bias_gbp at none; the default is derived (0 managed: upper bound applies)."""
    full = appraise(PID, draws=0, ob_mitigation=1.0, with_switching=False)
    assert central.optimism_bias_mitigation == 0.0
    assert central.optimism_bias_mitigation_source == "contributory factors"
    assert full.optimism_bias_mitigation_source == "override"
    a, b = central.options.set_index("id"), full.options.set_index("id")
    for opt in a.index:
        assert b.loc[opt, "optimism_bias_gbp"] == pytest.approx(0.0, abs=1e-6)
        assert b.loc[opt, "net_present_saving_gbp"] - a.loc[opt, "net_present_saving_gbp"] == pytest.approx(
            a.loc[opt, "optimism_bias_gbp"], rel=1e-9
        )
    doc = json.loads(full.to_json())
    assert doc["optimism_bias_mitigation_source"] == "override"
    assert "never drawn in the Monte Carlo" in doc["method_notes"]["optimism_bias_and_monte_carlo"]


def test_mitigation_is_not_drawn_in_the_monte_carlo():
    """The mitigation is fixed: with 200 draws the optimism-bias key takes one value in every draw
    (if the draws file holds it at all) and the central uplift is unchanged."""
    r = appraise(PID, draws=200, seed=3, with_switching=False)
    col = [c for c in r.mc_draws.columns if "optimism_bias_mitigation" in str(c)]
    for c in col:
        assert r.mc_draws[c].nunique() == 1


def test_mitigation_derived_from_contributory_factors():
    """Outsourcing: the business case contributes 100%; half managed -> 0.5. Equipment/development:
    0.58 x 0.5 (business case) + 0.11 x 1.0 (contract structure) = 0.40."""
    s = load_book().settings
    factors = {k: dict(v) for k, v in s.ob_factors.items()}
    factors["inadequacy_of_the_business_case"]["managed"] = 0.5
    factors["complexity_of_contract_structure"]["managed"] = 1.0
    s2 = dataclasses.replace(s, ob_factors=factors)
    assert s.ob_mitigation_derived("outsourcing") == 0.0
    assert s2.ob_mitigation_derived("outsourcing") == pytest.approx(0.5)
    assert s2.ob_mitigation_derived("equipment_development") == pytest.approx(0.40)


def test_council_funded_value_of_walsall_college_by_hand():
    """Walsall's cash spend (GBP k): 4150 + 360 + 560 + 420 + 95 + 60 + 780 + 240 + 720 = 7385 (capital
    charges are not cash); income paid by others 610 + 5850 + 95 = 6555 (Skills Funding Agency grant,
    fees); the council pays for 7385 - 6555 = 830, a share of 830 / 7385 = 0.112390."""
    b = project_baseline(PID)
    assert b.council_funded_gbp == pytest.approx(830_000)
    assert b.council_funded_share == pytest.approx(0.112390, abs=1e-6)
    assert any("Skills Funding Agency" in f.funder for f in b.funded_by)
    own = dataclasses.replace(
        b,
        funded_by=(
            FundedBy(
                income_line="income_other", funder="the council's other services", activity="room hire", council=True
            ),
        ),
    )
    assert own.council_funded_gbp == pytest.approx(925_000)  # 830 + 95 of the council's own money


def test_client_side_cost_on_the_council_funded_value(central):
    """Mutual, client side 2% (central): in the first full live year (2017-18, index 2, after a
    go-live before it) the line is 2% x 830,000 x 1.01^3 (demand growth from the base year) =
    17,100.58 - not 2% of the gross 7,385,000."""
    cf = central.cashflows
    row = cf[(cf.option == "mutual") & (cf.component == "client_side") & (cf.year_index == 2)]
    assert float(row.cost_gbp.iloc[0]) == pytest.approx(0.02 * 830_000 * 1.01**3, rel=1e-9)


@pytest.mark.parametrize("pid", registry.project_ids())
def test_every_project_runs_in_the_social_perspective(pid):
    """The social view: redundancy is a transfer (nil); every output names the perspective in words."""
    r = appraise(pid, perspective="social", draws=0, with_switching=False)
    assert r.cashflows[r.cashflows.component == "redundancy"].cost_gbp.abs().sum() == 0.0
    doc = r.to_dict()
    assert doc["perspective_label"] == PERSPECTIVE_LABELS["social"] == "society as a whole (net present social value)"
    assert "redundancy" in doc["perspective_note"]
    assert doc["price_base"].startswith("Prices are real 2014-15 prices") and "2015-16" in doc["price_base"]


STATUTE_RULE_SOURCES = {"tupe-2006", "lgps-2013-admission", "redundancy-lg-2006", "vat-act-1994-s33"}


def test_statutes_are_cited_for_rules_not_for_judgement_figures():
    """M11: TUPE 2006, the LGPS Regulations 2013, SI 2006/2914 and VATA s.33 set rules; no delivery-model
    assumption cites them for a figure, nor the State of the Sector report for numbers it does not hold,
    nor the NAO for a client-side benchmark that does not exist. Relabelled figures are red judgements. The
    State of the Sector report may be cited only for a figure read in it (verified, with its locator)."""
    table = load_book().table
    models = table[table.scope != "project"]
    bad = models[models.source_id.isin(STATUTE_RULE_SOURCES | {"nao-commissioning-2014"})]
    assert bad.empty, bad[["scope", "key", "source_id"]].to_string()
    report = models[models.source_id == "psm-state-of-sector-2018"]
    unread = report[(report.verified != True) | (report.locator.fillna("").str.len() == 0)]  # noqa: E712
    assert unread.empty, unread[["scope", "key", "verified", "locator"]].to_string()
    for key in ("transition_tupe_hr_per_fte", "redundancy_cost_per_fte", "client_side_cost"):
        rows = models[models.key == key]
        judged = rows[rows.source_id == "team-judgement"]
        assert not rows.empty and (judged.quality == "red").all()
        assert judged.note.fillna("").str.contains("ddanalysis team").all()  # whose judgement, said
    sources = load_book().sources
    title = sources["nao-commissioning-2014"]["title"]
    assert "2-5%" not in title or "could not be found" in title  # the claim is not repeated as a finding


def test_a_project_records_its_own_evidence_per_contributory_factor(tmp_path):
    """A project file records that half the 'inadequacy of the business case' risk is managed, with its
    evidence: the outsourcing uplift's mitigation becomes 1.00 x 0.5 = 0.5 and equipment/development's
    0.58 x 0.5 = 0.29; an unknown factor is an error naming the file."""
    from ddanalysis import config
    from ddanalysis.errors import DataFileError

    folder = tmp_path / "my-college"  # a council's own workspace: walsall-college's files under another id
    folder.mkdir()
    for src in (config.DATA_DIR / "projects" / PID).iterdir():
        (folder / src.name).write_text(src.read_text(encoding="utf-8").replace(PID, "my-college"), encoding="utf-8")
    (folder / "assumptions.yaml").write_text(
        "project: my-college\noptimism_bias_factors:\n  inadequacy_of_the_business_case:\n    managed: 0.5\n"
        "    evidence: Outline business case reviewed by the section 151 officer (illustrative)\n",
        encoding="utf-8",
    )
    s = load_book(str(folder)).settings
    assert s.ob_mitigation_derived("outsourcing") == pytest.approx(0.5)
    assert s.ob_mitigation_derived("equipment_development") == pytest.approx(0.29)
    assert load_book(None).settings.ob_mitigation_derived("outsourcing") == 0.0
    (folder / "assumptions.yaml").write_text(
        "project: my-college\noptimism_bias_factors:\n  good_luck:\n    managed: 1.0\n    evidence: none\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="unknown contributory factor") as err:
        load_book(str(folder))  # the book is cached on the files' stamps: the edit is read again
    assert "assumptions.yaml" in str(err.value)


def test_cli_override_of_the_mitigation_is_labelled(capsys):
    """`ddanalysis appraise ID --ob-mitigation 0.5 --json`: the JSON says 0.5, source 'override'; the
    table names the perspective in words and states the price base."""
    from ddanalysis import cli

    with pytest.raises(SystemExit) as exc:
        cli.main(["appraise", PID, "--draws", "0", "--ob-mitigation", "0.5", "--json"])
    assert exc.value.code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["optimism_bias_mitigation"] == 0.5 and doc["optimism_bias_mitigation_source"] == "override"
    with pytest.raises(SystemExit):
        cli.main(["appraise", PID, "--draws", "0", "--perspective", "social"])
    text = capsys.readouterr().out
    assert "Perspective: society as a whole (net present social value)" in text
    assert "Prices are real 2014-15 prices" in text and "(contributory factors)" in text


def test_the_mitigation_given_twice_with_two_values_is_refused(capsys):
    """`--ob-mitigation 0.3 --set project.optimism_bias_mitigation=0.5` used 0.5 and dropped 0.3 without a word;
    two values for one input are refused, exit 2. The same value twice says nothing contrary and is accepted."""
    from ddanalysis import cli

    with pytest.raises(SystemExit) as exc:
        cli.main(
            ["appraise", PID, "--draws", "0", "--ob-mitigation", "0.3", "--set", "project.optimism_bias_mitigation=0.5"]
        )
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "given twice: 0.3 (--ob-mitigation) and 0.5" in err
    same = appraise(
        PID, draws=0, with_switching=False, ob_mitigation=0.5, overrides={"project.optimism_bias_mitigation": 0.5}
    )
    assert same.optimism_bias_mitigation == 0.5
