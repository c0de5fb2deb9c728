"""The decision measures in the appraisal and every output: probability best, acceptability, EVPI, partial
EVPI, failure rules and Sobol indices in appraise(), the JSON, the draws file, the recommendation
sentence, the tables, charts, CLI and Excel."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ddanalysis import charts, deciding, registry
from ddanalysis.cli import app
from ddanalysis.decision import evpi, probability_best
from ddanalysis.drawsfile import decision_from_draws, read_draws, read_seed
from ddanalysis.engine import appraise
from ddanalysis.presentation import tables, text
from ddanalysis.report import appraisal_table

DRAWS = 2000


@pytest.fixture(scope="module")
def nelincs():
    """The project with the most options; community-led is best in almost every draw."""
    return appraise("nelincs-environment", draws=DRAWS)


@pytest.fixture(scope="module")
def walsall_sobol():
    return appraise("walsall-college", draws=DRAWS, with_sobol=True, sobol_n=64)


@pytest.mark.parametrize("pid", registry.project_ids())
def test_every_project_reports_the_decision_measures_in_its_json(pid):
    r = appraise(pid, draws=1000)
    d = json.loads(r.to_json())
    p = {o["id"]: o["p_best"] for o in d["options"]}
    assert sum(p.values()) == pytest.approx(1.0, abs=1e-5)
    assert all(0 <= v <= 1 for v in p.values())
    # the JSON's numbers are the draws' numbers
    assert p == pytest.approx(probability_best(r.mc_draws).to_dict(), abs=1e-6)
    # EVPI chooses among the options the rule could recommend: the status quo and those whose non-monetised score
    # is at least the status quo's (read here from the JSON's options)
    sq_score = next(o["mca_score"] for o in d["options"] if o["id"] == "in-house")
    choice = [o["id"] for o in d["options"] if o["id"] == "in-house" or o["mca_score"] >= sq_score]
    assert d["value_of_information_options"] == choice
    assert d["evpi_gbp"] == pytest.approx(evpi(r.mc_draws[choice]), abs=0.01)
    assert d["evpi_gbp"] >= 0
    keys = [e["key"] for e in d["evppi"]]
    varying = list(deciding.varying_inputs(r.mc_inputs).columns)
    assert keys[: len(varying)] == varying, "every varying assumption key, in the draw matrix's order"
    assert all(k.startswith("group:") for k in keys[len(varying) :])
    assert {k[len("group:") :] for k in keys[len(varying) :]} == set(d["correlation_groups"])
    assert all(0 <= e["evppi_gbp"] <= d["evpi_gbp"] + 0.01 for e in d["evppi"])
    # acceptability: thresholds from 0 to the largest P90, every option at each
    thresholds = sorted({a["threshold_gbp"] for a in d["acceptability"]})
    assert thresholds[0] == 0.0
    top = max(o["saving_p90_gbp"] or 0 for o in d["options"])
    assert thresholds[-1] == pytest.approx(max(top, 0.0), rel=1e-6, abs=0.01)
    assert len(d["acceptability"]) == len(thresholds) * len(d["options"])
    at0 = {a["option"]: a["p_best"] for a in d["acceptability"] if a["threshold_gbp"] == 0.0}
    assert at0 == pytest.approx(p, abs=1e-5)
    # failure rules on every option, worded
    for o in d["options"]:
        assert isinstance(o["failure_rules"], list)
        for rule in o["failure_rules"]:
            assert set(rule) == {"text", "coverage", "density"}
            assert o["name"] in rule["text"] and 0 < rule["coverage"] <= 1 and 0.5 <= rule["density"] <= 1
    assert d["monte_carlo_seed"] == r.mc_seed
    assert d["sobol"] is None and "--sobol" in d["sobol_note"]
    assert set(d["decision_notes"]) >= {"probability_best", "acceptability", "evpi", "evppi", "sobol", "failure_rules"}
    assert "Strong" in d["decision_notes"]["evppi"] and "2014" in d["decision_notes"]["evppi"]


def test_evppi_of_an_option_that_never_competes_is_zero(nelincs):
    """Outsourcing loses money in ~97% of draws and is never best; knowing any of its own assumptions
    cannot change the decision, so each scores 0 (the estimator's BIC keeps the constant fit)."""
    assert nelincs.decision.p_best["outsourcing"] == 0.0
    e = nelincs.decision.evppi.set_index("key")["evppi_gbp"]
    own = e[[k for k in e.index if k.startswith("outsourcing.")]]
    assert len(own) > 5
    assert (own <= 0.01 * nelincs.decision.evpi_gbp + 1e-9).all()


def test_evppi_of_the_only_input_the_decision_depends_on_is_the_total():
    """Hand-made draws: option a saves x - 50 (x uniform 0..100), b saves 10; the noise input z moves
    nothing. b is chosen on today's evidence (mean 10 against a's 0); a beats it when x > 60 (probability
    0.4), saving 30 on average there. EVPI = E[max(x - 50, 10, 0)] - 10 = (0.4 x 30 + 0.6 x 10) - 10 = 8."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 100, 20_000)
    z = rng.uniform(0, 1, 20_000)
    nps = pd.DataFrame({"in-house": 0.0, "a": x - 50, "b": np.full_like(x, 10.0)})
    m = deciding.decision_measures(nps, pd.DataFrame({"project.x": x, "project.z": z}), with_failure_rules=False)
    assert m.evpi_gbp == pytest.approx(8.0, rel=0.03)
    e = m.evppi.set_index("key")["evppi_gbp"]
    assert e["project.x"] == pytest.approx(m.evpi_gbp, rel=0.01)
    assert e["project.z"] == pytest.approx(0.0, abs=0.01 * m.evpi_gbp)


def test_correlation_groups_map_bare_lever_keys_to_every_option():
    from ddanalysis.sampling import CorrelationGroup, Correlations

    corr = Correlations(
        {},
        (
            CorrelationGroup(
                "g", "judgement", "team-judgement", "r", (("staff_cost_change", "project.demand_growth", 0.3),)
            ),
        ),
    )
    cols = ["project.demand_growth", "mutual.staff_cost_change", "trust.staff_cost_change", "mutual.other"]
    assert deciding.correlation_groups(cols, corr) == {"g": cols[:3]}


def test_rule_unchanged_and_the_sentence_states_probability_best(nelincs):
    plain = appraise("nelincs-environment", draws=DRAWS, with_decision=False)
    assert plain.recommended == nelincs.recommended
    assert plain.decision is None and "best in" not in plain.recommendation
    share = nelincs.decision.p_best[nelincs.recommended]
    assert share > 0.99
    assert "is best in over 99% of simulations" in nelincs.recommendation
    assert nelincs.recommendation.replace(", is best in over 99% of simulations", "") == plain.recommendation
    assert (
        text.recommendation_sentence(
            {
                "name": "X",
                "net_present_saving_gbp": 1.0,
                "go_live_year": "2016-17",
                "payback_year": "2018-19",
                "p_saving_positive": 0.9,
                "mca_score": 6.0,
            },
            5.0,
            have_monte_carlo=True,
            perspective="council",
            base_year="2014-15",
            horizon_years=10,
            p_best=0.71,
        ).count("best in 71% of simulations")
        == 1
    )


def test_without_decision_the_json_says_why(nelincs):
    d = appraise("walsall-college", draws=200, with_decision=False).to_dict()
    assert d["evpi_gbp"] is None and d["evppi"] is None and d["acceptability"] is None
    assert all(o["p_best"] is None and o["failure_rules"] is None for o in d["options"])
    assert "with_decision=False" in d["decision_notes"]["not_computed"]
    d0 = appraise("walsall-college", draws=0).to_dict()
    assert d0["evpi_gbp"] is None and "draws = 0" in d0["decision_notes"]["not_computed"]


def test_sobol_indices_when_asked(walsall_sobol):
    d = walsall_sobol.to_dict()
    assert d["sobol"], "Sobol indices asked for"
    outputs = {s["output"] for s in d["sobol"]}
    assert outputs == {"nps", "gap"}
    assert "n = 64 base points" in d["sobol_note"] and "independently" in d["sobol_note"]
    nps = [s for s in d["sobol"] if s["output"] == "nps"]
    # the focus option's saving moves only with its own and the project's assumptions
    focus = tables.focus_option(walsall_sobol)
    for s in nps:
        if not s["key"].startswith((f"{focus}.", "project.")):
            assert s["st"] == pytest.approx(0.0, abs=1e-9)
    assert max(s["st"] for s in nps) > 0.1
    t = tables.sobol_table(walsall_sobol)
    assert t.frame["Total (ST), saving"].is_monotonic_decreasing and "independently" in t.caption


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_draws_out_reproduces_the_json(tmp_path, suffix):
    path = tmp_path / f"draws{suffix}"
    out = CliRunner().invoke(
        app, ["appraise", "walsall-college", "--draws", "1500", "--seed", "7", "--json", "--draws-out", str(path)]
    )
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    inputs, nps = read_draws(path, options=[o["id"] for o in d["options"]])
    assert len(nps) == 1500 == d["monte_carlo_draws"] and d["monte_carlo_seed"] == 7
    assert list(nps.columns) == [o["id"] for o in d["options"]]
    assert all("." in c for c in inputs.columns) and inputs.shape[1] == len(d["evppi"]) - len(d["correlation_groups"])
    if suffix == ".parquet":
        assert read_seed(path) == 7
    again = decision_from_draws(
        path, options=list(nps.columns), groups=d["correlation_groups"], choice_set=d["value_of_information_options"]
    )
    assert again["p_best"] == pytest.approx({o["id"]: o["p_best"] for o in d["options"]}, abs=1e-6)
    assert again["evpi_gbp"] == pytest.approx(d["evpi_gbp"], abs=0.01)
    assert [e["key"] for e in again["evppi"]] == [e["key"] for e in d["evppi"]]
    assert [e["evppi_gbp"] for e in again["evppi"]] == pytest.approx([e["evppi_gbp"] for e in d["evppi"]], abs=0.01)
    acc = [(a["threshold_gbp"], a["option"], a["p_reaches"], a["p_best"]) for a in again["acceptability"]]
    want = [(a["threshold_gbp"], a["option"], a["p_reaches"], a["p_best"]) for a in d["acceptability"]]
    assert [a[1] for a in acc] == [w[1] for w in want]
    assert np.allclose([a[::2][0] for a in acc], [w[0] for w in want], atol=0.01)
    assert np.allclose([a[2:] for a in acc], [w[2:] for w in want], atol=1e-6)


def test_draws_out_refuses_a_wrong_suffix_before_appraising(tmp_path):
    out = CliRunner().invoke(app, ["appraise", "walsall-college", "--draws-out", str(tmp_path / "d.txt")])
    assert out.exit_code != 0 and ".csv or .parquet" in str(out.exception)
    assert not (tmp_path / "d.txt").exists()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("missing/d.csv", "does not exist (create it first)"),
        ("a-folder.csv", "is a folder"),
    ],
)
def test_draws_out_refuses_what_every_output_refuses_before_appraising(tmp_path, where, expected):
    """``--draws-out`` into a folder that does not exist, or onto a folder, is refused as ``export -o`` and
    ``report -o`` refuse it (before any work, naming the path), and nothing is created: the missing folder
    stays missing."""
    (tmp_path / "a-folder.csv").mkdir()
    out = CliRunner().invoke(
        app, ["appraise", "walsall-college", "--draws", "10", "--draws-out", str(tmp_path / where)]
    )
    assert out.exit_code != 0 and expected in str(out.exception) and str(tmp_path / where) in str(out.exception)
    assert not (tmp_path / "missing").exists()


def test_cli_table_shows_probability_best_and_evpi(nelincs):
    table = appraisal_table(nelincs)
    assert "P(best)" in table and "Expected value of perfect information (EVPI): £" in table
    assert "P(best)" not in appraisal_table(appraise("walsall-college", draws=100, with_decision=False))


def test_tables_and_charts(nelincs):
    pb = tables.probability_best_table(nelincs)
    assert pb.frame["Probability best"].sum() == pytest.approx(1.0)
    assert pb.emphasis == tuple(i for i, r in enumerate(nelincs.options["recommended"]) if r)
    acc = tables.acceptability_table(nelincs)
    assert len(acc.frame) == len(nelincs.decision.acceptability)
    voi = tables.value_of_information_table(nelincs, top=5)
    assert len(voi.frame) == 5 and voi.frame.columns[-1].startswith("The most it would be worth paying to know this")
    assert list(voi.frame.columns[:3]) == ["Key", "Assumption", "Quality"]
    assert voi.frame.iloc[:, -1].is_monotonic_decreasing
    fr = tables.failure_rules_table(nelincs)
    assert set(fr.frame["Option"]) == {nelincs.option_name(o) for o in nelincs.options["id"] if o != "in-house"}
    assert "Sobol indices not computed" in tables.sobol_table(nelincs).caption
    for fig in (
        charts.probability_best(nelincs),
        charts.acceptability_curves(nelincs),
        charts.value_of_information(nelincs),
    ):
        assert fig.to_json()
    assert len(charts.acceptability_curves(nelincs).data) == len(nelincs.options)
    plain = appraise("walsall-college", draws=100, with_decision=False)
    assert tables.probability_best_table(plain).frame.empty
    assert not charts.probability_best(plain).data


def test_excel_risk_sheet_holds_the_snapshot(nelincs, tmp_path):
    import openpyxl

    from ddanalysis.excel.export import export_project

    path = export_project(nelincs, tmp_path / "n.xlsx")
    ws = openpyxl.load_workbook(path)["Risk"]
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    blob = "\n".join(cells)
    assert "a snapshot, not live formulas" in blob
    assert "Probability best" in blob and "Acceptability curve" in blob and "Failure rules" in blob
    assert text.EVPPI_MEANING in blob
    values = [c.value for row in ws.iter_rows() for c in row]
    assert pytest.approx(nelincs.decision.p_best["community-led"]) in values


def test_dashboard_store_quick_result_skips_the_decision_measures():
    from ddanalysis.dashboard.store import Key, ResultStore

    store = ResultStore(use_disk=False, fingerprint="t")
    key = Key("walsall-college", draws=300)
    assert store.get_quick(key).decision is None
    assert store.get(key).decision is not None


def test_value_of_information_leaves_out_an_option_the_rule_excludes():
    """Walsall's college: outsourcing scores 4.2 on the non-monetised criteria against the status quo's 5.3, so the
    rule can never recommend it, however its costs turn out; a reviewer found EVPI counted it all the same (GBP
    320,525 over every option against GBP 135,212 over the four the rule allows, at 10,000 draws). EVPI now
    chooses among the status quo, the in-house redesign, the mutual and the trust: worked here from the draws
    as E[max] - max E over those four columns, and smaller than over all five. The outsourcing levers' partial
    EVPI is then (near) nothing: they move no option the rule could choose."""
    r = appraise("walsall-college", draws=DRAWS)
    choice = ["in-house", "in-house-redesign", "mutual", "charitable-trust"]
    assert list(r.decision.choice_set) == choice
    v = r.mc_draws[choice].to_numpy()
    assert r.decision.evpi_gbp == pytest.approx(v.max(axis=1).mean() - v.mean(axis=0).max(), abs=0.01)
    every = r.mc_draws.to_numpy()
    assert r.decision.evpi_gbp < every.max(axis=1).mean() - every.mean(axis=0).max()
    worth = r.decision.evppi.set_index("key")["evppi_gbp"]
    assert worth["outsourcing.staff_cost_change"] <= 0.01 * r.decision.evpi_gbp
    assert worth["mutual.staff_cost_change"] > 0.1 * r.decision.evpi_gbp
