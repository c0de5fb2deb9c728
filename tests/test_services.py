"""Several services in one project (ddanalysis.services): each service on its own baseline and short list,
the chosen options summed, a shared new body's set-up counted once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ddanalysis import cli, workspace
from ddanalysis.engine import appraise
from ddanalysis.errors import DataFileError, DDAnalysisError
from ddanalysis.services import VEHICLE_COMPONENTS, appraise_services, service_overrides

DOVER = Path(workspace.bundled_root()) / "dover-museum-tourism"

#: A small library service, GBP thousand (ILLUSTRATIVE, typed for this test). Net budget by hand: costs
#: 400 + 36 + 60 + 120 + 40 + 5 + 60 + 10 + 60 + 30 = 821; income 40 + 10 + 11 = 61; net 821 - 61 = 760
#: thousand = GBP 760,000. Its rates bill (40) is large enough that a charitable trust, with 80% relief, saves
#: money at the bundled central values, which the tests of a trust chosen by two services need.
LIBRARY_LINES = {
    "employees_pay": 400,
    "employees_ni": 36,
    "employees_pension": 60,
    "premises": 120,
    "business_rates": 40,
    "transport": 5,
    "supplies_services": 60,
    "third_party_payments": 10,
    "support_recharges": 60,
    "capital_charges": 30,
    "income_fees_charges": -40,
    "income_grants": -10,
    "income_other": -11,
    "fte": 16,
    "headcount": 22,
}
LIBRARY_NET_GBP = 760_000.0
#: Dover's bundled museum baseline (data/projects/dover-museum-tourism/baseline.csv), by hand: costs
#: 210 + 18 + 30 + 82 + 38 + 4 + 64 + 15 + 52 + 30 = 543; income 170 + 40 + 35 = 245; net 298 thousand.
MUSEUM_NET_GBP = 298_000.0
FAST = {"draws": 0, "with_switching": False, "with_decision": False, "with_sensitivity": False}


def _csv(lines: dict[str, float]) -> str:
    unit = {"fte": "FTE", "headcount": "people"}
    rows = [f"{k},{v},{unit.get(k, 'GBP thousand')},ILLUSTRATIVE test figure" for k, v in lines.items()]
    return "\n".join(["line,value,unit,note", *rows]) + "\n"


def _two_services(tmp_path: Path, museum: tuple[str, ...], libraries: tuple[str, ...]) -> Path:
    """A workspace 'two-services' for Dover (E2234) with a museum (Dover's bundled baseline) and a small library
    service, each with its own baseline and short list; no assumptions.yaml, mca.yaml or outcomes.yaml."""
    raw = yaml.safe_load((DOVER / "project.yaml").read_text(encoding="utf-8"))
    raw.update(id="two-services", title="Museum and libraries", illustrative=False)
    raw["services"] = [
        {"id": "museum", "title": "Museum", "rs_block": "cultural", "shortlist": list(museum)},
        {"id": "libraries", "title": "Libraries", "rs_block": "cultural", "shortlist": list(libraries)},
    ]
    folder = tmp_path / "two-services"
    folder.mkdir()
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    (folder / "baseline-museum.csv").write_text((DOVER / "baseline.csv").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "baseline-libraries.csv").write_text(_csv(LIBRARY_LINES), encoding="utf-8")
    return folder


def _one_service(tmp_path: Path, baseline: str, shortlist: tuple[str, ...]) -> Path:
    """The same councils and year as :func:`_two_services` with one service and one baseline."""
    raw = yaml.safe_load((DOVER / "project.yaml").read_text(encoding="utf-8"))
    raw.update(id="one-service", title="One service", illustrative=False)
    raw["services"] = [{"id": "service", "title": "One", "rs_block": "cultural", "shortlist": list(shortlist)}]
    folder = tmp_path / "one-service"
    folder.mkdir()
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    (folder / "baseline.csv").write_text(baseline, encoding="utf-8")
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    """``ddanalysis ARGS`` in this process: (exit status, stdout, stderr)."""
    try:
        cli.main(list(map(str, args)))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _rule(options) -> str:
    """The recommendation rule (presentation.text.RECOMMENDATION_RULE) applied by hand without Monte Carlo: of
    the options other than the status quo with a positive net present saving and an MCA score no lower than the
    status quo's, the one with the largest saving; else the status quo."""
    sq = options[options.id == "in-house"].iloc[0]
    others = options[options.id != "in-house"]
    ok = others[(others.net_present_saving_gbp > 0) & (others.mca_score >= sq.mca_score)]
    return "in-house" if ok.empty else str(ok.sort_values("net_present_saving_gbp").iloc[-1].id)


def test_each_service_is_appraised_on_its_own_baseline_and_short_list(tmp_path: Path):
    """Each service's options are its own short list, its baseline its own file (net budgets by hand above),
    its figures those of a one-service workspace holding the same baseline and short list, and its
    recommendation the rule's on its own options; the project's total is the two chosen options summed."""
    museum = ("in-house", "in-house-redesign", "charitable-trust")
    libraries = ("in-house", "charitable-trust", "outsourcing")
    folder = _two_services(tmp_path, museum, libraries)
    project = appraise_services(str(folder), **FAST)
    assert [s.id for s in project.services] == ["museum", "libraries"] and not project.one_appraisal
    by_id = {s.id: s.result for s in project.services}
    assert list(by_id["museum"].options.id) == list(museum)
    assert list(by_id["libraries"].options.id) == list(libraries)
    assert by_id["museum"].baseline.net_budget_gbp == pytest.approx(MUSEUM_NET_GBP)
    assert by_id["libraries"].baseline.net_budget_gbp == pytest.approx(LIBRARY_NET_GBP)

    alone = appraise(str(_one_service(tmp_path, _csv(LIBRARY_LINES), libraries)), **FAST)
    assert list(by_id["libraries"].options.net_present_saving_gbp) == pytest.approx(
        list(alone.options.net_present_saving_gbp), rel=1e-12
    )
    chosen = {}
    for sid, result in by_id.items():
        assert result.recommended == _rule(result.options), sid
        chosen[sid] = result.options.set_index("id").loc[result.recommended]
    total = project.total
    assert total["chosen"] == {sid: r.recommended for sid, r in by_id.items()}
    assert total["net_present_saving_gbp"] == pytest.approx(sum(c.net_present_saving_gbp for c in chosen.values()))
    assert total["one_off_cost_gbp"] == pytest.approx(sum(c.one_off_cost_gbp for c in chosen.values()))


def _vehicle_pv_by_hand(total: float) -> float:
    """Present value of one-off lines spread evenly by day over a plan from 1 July 2015 to go-live on 24 August
    2016 (cashflow.timing): 1 July 2015 - 1 April 2016 is 275 days in year 0 (2015-16, undiscounted); 1 April -
    24 August 2016 is 30 + 31 + 30 + 31 + 23 = 145 days in year 1, discounted at the Green Book's 3.5%
    (Table A6.1): PV = total x (275/420 + 145/420 / 1.035)."""
    return total * (275 / 420 + 145 / 420 / 1.035)


def test_two_services_choosing_a_charitable_trust_count_its_set_up_once(tmp_path: Path):
    """Both services choose the charitable trust (positive saving, MCA tied with the status quo without mca.yaml).
    A trust's legal and governance set-up is GBP 80k and its pensions work GBP 10k (central values,
    data/assumptions/models/charitable-trust.yaml, GBP thousand, not per FTE): GBP 90,000 per service, of which
    the second is not spent. Undiscounted the total's one-off cost falls by 90,000; in present value the
    saving is 90,000 x (275/420 + 145/420 / 1.035) = GBP 88,949.28 (plan from 1 July 2015, go-live
    24 August 2016, :func:`_vehicle_pv_by_hand`)."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    project = appraise_services(str(folder), **FAST)
    for s in project.services:
        assert s.result.recommended == "charitable-trust"
        plan = s.result.plans["charitable-trust"]
        assert (plan.start.isoformat(), plan.go_live.isoformat()) == ("2015-07-01", "2016-08-24")
        cf = s.result.cashflows
        mine = cf[(cf.option == "charitable-trust") & cf.component.isin(VEHICLE_COMPONENTS)]
        assert mine.cost_gbp.sum() == pytest.approx(90_000.0)
    (row,) = project.interaction.itertuples(index=False)
    assert (row.option, row.services) == ("charitable-trust", "museum, libraries")
    assert row.one_off_saving_gbp == pytest.approx(90_000.0)
    assert row.pv_saving_gbp == pytest.approx(_vehicle_pv_by_hand(90_000.0), rel=1e-9)
    assert _vehicle_pv_by_hand(90_000.0) == pytest.approx(88_949.28, abs=0.01)
    total = project.total
    assert total["one_off_cost_gbp"] == pytest.approx(total["one_off_cost_before_interaction_gbp"] - 90_000.0)
    assert total["net_present_saving_gbp"] == pytest.approx(
        total["net_present_saving_before_interaction_gbp"] + _vehicle_pv_by_hand(90_000.0), rel=1e-9
    )
    assert any("counted once" in s for s in project.statements)
    assert any("Stranded overheads are counted per service" in s for s in project.statements)


def test_a_prefixed_set_key_changes_one_service_only(tmp_path: Path, capsys):
    """``--set museum/charitable-trust.transition_legal_governance=40`` (GBP thousand): the museum's trust pays
    GBP 40,000 for its legal set-up, the libraries' keeps the central GBP 80,000, and every libraries figure is as
    without it. The set-up counted once is the larger (libraries: 80k + 10k pensions) and the museum's
    40k + 10k = GBP 50,000 is the one saved. Unprefixed, the key changes both services' trusts."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    base_args = ("appraise", folder, "--json", "--draws", "0")
    key = "charitable-trust.transition_legal_governance=40"
    docs = []
    for extra in ((), ("--set", f"museum/{key}"), ("--set", key)):
        code, out, err = _run(capsys, *base_args, *extra)
        assert code == 0, err
        docs.append(json.loads(out))
    plain, prefixed, everywhere = docs

    def trust(doc: dict, sid: str) -> dict:
        service = next(s for s in doc["services"] if s["id"] == sid)
        return next(o for o in service["appraisal"]["options"] if o["id"] == "charitable-trust")

    assert trust(prefixed, "libraries") == trust(plain, "libraries")
    assert trust(prefixed, "museum")["one_off_cost_gbp"] < trust(plain, "museum")["one_off_cost_gbp"]
    assert trust(everywhere, "libraries")["one_off_cost_gbp"] < trust(plain, "libraries")["one_off_cost_gbp"]
    assert trust(everywhere, "museum") == trust(prefixed, "museum")
    assert plain["project_total"]["interaction"][0]["one_off_saving_gbp"] == pytest.approx(90_000.0)
    assert prefixed["project_total"]["interaction"][0]["one_off_saving_gbp"] == pytest.approx(50_000.0)
    assert [s["baseline_net_budget_gbp"] for s in plain["services"]] == [MUSEUM_NET_GBP, LIBRARY_NET_GBP]
    assert plain["baseline_net_budget_gbp"] == MUSEUM_NET_GBP + LIBRARY_NET_GBP


def test_service_overrides_keep_unprefixed_and_own_keys_and_leave_outcome_ids_alone():
    """Unprefixed keys go to every service, a service's own lose their prefix, another service's are dropped, and
    a prefix that is no service id (an outcome id) is kept whole."""
    given = {
        "mutual.pension_rate_change": 0.01,
        "libraries/mutual.pension_rate_change": 0.04,
        "museum/project.horizon_years": 5.0,
        "repeat-victimisation/outsourcing.effect": 0.2,
    }
    got = service_overrides(given, ("museum", "libraries"), "libraries")
    assert got == {"mutual.pension_rate_change": 0.04, "repeat-victimisation/outsourcing.effect": 0.2}


def test_appraise_text_shows_the_services_table_and_the_total(tmp_path: Path, capsys):
    """The text output lists each service with its recommended option and the project's total, formatted as
    money (the presentation layer's '£298,000' for the museum's baseline, worked out above)."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    code, out, _ = _run(capsys, "appraise", folder, "--draws", "0")
    assert code == 0
    assert "£298,000" in out and "£760,000" in out and "£1,058,000" in out  # 298,000 + 760,000
    assert (
        "Project total" in out and "Charitable trust (or CIO) shared by Museum, Libraries: set-up counted once" in out
    )


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (
            lambda f: (f / "baseline-archives.csv").write_text(_csv(LIBRARY_LINES), encoding="utf-8"),
            r"baseline-archives.csv: 'archives' is not a service of project.yaml; expected one of museum, libraries",
        ),
        (
            lambda f: (f / "baseline-libraries.csv").unlink(),
            r"services \['libraries'\] have no baseline while others have their own; expected "
            r"baseline-libraries.xlsx\|csv",
        ),
        (
            lambda f: (f / "baseline.csv").write_text(_csv(LIBRARY_LINES), encoding="utf-8"),
            r"both a shared baseline and per-service baselines; expected either one baseline.xlsx\|csv",
        ),
    ],
    ids=["unknown service", "service without a baseline", "shared and per-service"],
)
def test_baselines_that_do_not_fit_the_services_are_refused(tmp_path: Path, capsys, change, expect):
    """Refused by the library (DataFileError naming the folder and file) and by the CLI (exit 2, no traceback)."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "outsourcing"))
    change(folder)
    with pytest.raises(DataFileError, match=expect):
        appraise_services(str(folder), **FAST)
    code, out, err = _run(capsys, "appraise", folder, "--draws", "0")
    assert code == 2 and out == ""
    assert str(folder) in err and "Traceback" not in err
    assert expect.replace("\\", "").split(":")[0].split(";")[0][:20] in err


def test_a_service_prefix_in_a_project_appraised_whole_is_refused(tmp_path: Path):
    """With one shared baseline the services are one appraisal: a key for one of them cannot apply."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "outsourcing"))
    for name in ("baseline-museum.csv", "baseline-libraries.csv"):
        (folder / name).unlink()
    (folder / "baseline.csv").write_text(_csv(LIBRARY_LINES), encoding="utf-8")
    with pytest.raises(DDAnalysisError, match=r"libraries/mutual.pension_rate_change: the project's services share"):
        appraise_services(str(folder), overrides={"libraries/mutual.pension_rate_change": 0.04}, **FAST)


def test_assumptions_yaml_services_section_applies_to_its_service_only(tmp_path: Path):
    """``services: {libraries: {models: {charitable-trust: {transition_legal_governance: ...}}}}`` in
    assumptions.yaml sets the libraries' trust's legal set-up at GBP 120k (GBP 120,000 + pensions 10,000 =
    130,000 a body); the museum keeps 80k + 10k = 90,000."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    entry = {
        "low": 100,
        "central": 120,
        "high": 150,
        "basis": "judgement",
        "quality": "red",
        "source": "team-judgement",
        "as_of": "2014-15",
        "note": "ILLUSTRATIVE test value: the library trust's own legal estimate.",
    }
    doc = {
        "schema_version": 1,
        "project": "two-services",
        "services": {"libraries": {"models": {"charitable-trust": {"transition_legal_governance": entry}}}},
    }
    (folder / "assumptions.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    project = appraise_services(str(folder), **FAST)
    lines = {}
    for s in project.services:
        cf = s.result.cashflows
        lines[s.id] = cf[(cf.option == "charitable-trust") & cf.component.isin(VEHICLE_COMPONENTS)].cost_gbp.sum()
    assert lines == pytest.approx({"museum": 90_000.0, "libraries": 130_000.0})


def test_export_of_several_services_has_a_services_sheet(tmp_path: Path, capsys):
    """``ddanalysis export DIR`` of a project whose services have their own baselines writes a workbook with a
    "Services" sheet after the cover: one row per service (baseline net budgets GBP 298,000 and 760,000 by hand
    above), the shared trust's set-up line (GBP -90,000 one-off) and the total (GBP 1,058,000 budget)."""
    import openpyxl

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    out = tmp_path / "two.xlsx"
    code, _, err = _run(capsys, "export", folder, "-o", out, "--draws", "0")
    assert code == 0, err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[:2] == ["Cover", "Services"] and "libraries Summary" in wb.sheetnames
    assert wb["Cover"]["A1"].value == "Museum and libraries: options appraisals"  # the project's, not the programme's
    rows = [r for r in wb["Services"].iter_rows(values_only=True) if r[0] is not None]
    by_name = {r[0]: r for r in rows}
    assert by_name["Museum"][1] == MUSEUM_NET_GBP and by_name["Libraries"][1] == LIBRARY_NET_GBP
    assert by_name["Project total"][1] == MUSEUM_NET_GBP + LIBRARY_NET_GBP
    shared = next(r for r in rows if str(r[0]).startswith("Charitable trust (or CIO) shared by"))
    assert shared[4] == pytest.approx(-90_000.0)
    assert by_name["Project total"][3] == pytest.approx(by_name["Museum"][3] + by_name["Libraries"][3] + shared[3])
    programme = [r for r in wb["Programme"].iter_rows(values_only=True) if r[0] is not None]
    note = next(str(r[0]) for r in programme if str(r[0]).startswith("One row per"))
    assert note.startswith("One row per service of the project") and "is on the Services sheet" in note
    assert "GBP, real 2014-15 prices" in note  # Dover's base year (project.yaml)
    assert any(r[0] == "Sum of the services" for r in programme) and not any(
        r[0] == "Programme total" for r in programme
    )
    cover = [str(c) for r in wb["Cover"].iter_rows(values_only=True) for c in r if c]
    assert any(c.startswith("One row per service:") for c in cover) and not any(
        "One row per project" in c for c in cover
    )


def test_partners_parts_of_the_chosen_options_sum_to_the_project_total(tmp_path: Path):
    """Dover (E2234) and Gravesham (E2236) sharing the project by declared shares 0.6 and 0.4
    (council_shares.yaml, ILLUSTRATIVE): each council bears its share of every line of every service, so its part
    of the total is its share of it, the shared trust's set-up counted once included: Dover 0.6 x the total's net
    present saving and one-off cost, Gravesham 0.4 x; the two parts add up to the total."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    raw = yaml.safe_load((folder / "project.yaml").read_text(encoding="utf-8"))
    raw.update(councils=["E2234", "E2236"], lead_council="E2234")
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    shares = {
        "schema_version": 1,
        "project_id": "two-services",
        "shares": {"E2234": 0.6, "E2236": 0.4},
        "source": "ILLUSTRATIVE shares typed for this test",
        "quality": "red",
    }
    (folder / "council_shares.yaml").write_text(yaml.safe_dump(shares, sort_keys=False), encoding="utf-8")
    project = appraise_services(str(folder), **FAST)
    total = project.total
    assert total["interaction_one_off_cost_gbp"] == pytest.approx(-90_000.0)
    parts = {c["council"]: c for c in total["by_council"]}
    assert set(parts) == {"E2234", "E2236"}
    for code, share in (("E2234", 0.6), ("E2236", 0.4)):
        assert parts[code]["net_present_saving_gbp"] == pytest.approx(share * total["net_present_saving_gbp"])
        assert parts[code]["one_off_cost_gbp"] == pytest.approx(share * total["one_off_cost_gbp"])


def test_one_service_named_by_folder_and_id_is_appraised_alone(tmp_path: Path, capsys):
    """``ddanalysis appraise DIR:libraries`` appraises the libraries alone: its short list's options, its baseline
    (GBP 760,000 by hand above), its own sentence; the whole folder without a service name is refused by the
    single-result commands with a message naming both ways."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    code, out, err = _run(capsys, "appraise", f"{folder}:libraries", "--json", "--draws", "0")
    assert code == 0, err
    doc = json.loads(out)
    assert [o["id"] for o in doc["options"]] == ["in-house", "charitable-trust", "outsourcing"]
    assert doc["baseline_net_budget_gbp"] == LIBRARY_NET_GBP
    assert [s["id"] for s in doc["services"]] == ["libraries"]
    assert doc["project_total"]["interactions"][0].startswith("One service of the project")
    with pytest.raises(
        DataFileError, match=r"each service has its own baseline; .* name one service as .*:<service id>"
    ):
        appraise(str(folder), **FAST)


def _museum_scores(folder: Path, name: str, options: tuple[str, ...]) -> None:
    """Dover's bundled MCA scores (data/projects/dover-museum-tourism/mca.yaml) for ``options``, as ``name``."""
    raw = yaml.safe_load((DOVER / "mca.yaml").read_text(encoding="utf-8"))
    raw.update(project="two-services", scores={o: raw["scores"][o] for o in options})
    (folder / name).write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def test_each_service_has_its_own_mca_scores(tmp_path: Path):
    """``mca-museum.yaml`` scores the museum's options; the libraries, without a file of their own, score the
    neutral default 5. Dover's scores with the default swing weights (data/mca/criteria.yaml: user focus 0.20,
    stakeholders 0.15, staff 0.10, quality 0.15, deliverability 0.15, risk 0.15, strategic fit 0.10), by hand:
    in-house 0.2x4 + 0.15x3 + 0.1x5 + 0.15x4 + 0.15x10 + 0.15x6 + 0.1x2 = 4.95; in-house redesign
    0.2x5 + 0.15x5 + 0.1x5 + 0.15x5 + 0.15x8 + 0.15x6 + 0.1x5 = 5.6."""
    museum = ("in-house", "in-house-redesign", "charitable-trust")
    folder = _two_services(tmp_path, museum, ("in-house", "charitable-trust", "outsourcing"))
    _museum_scores(folder, "mca-museum.yaml", museum)
    project = appraise_services(str(folder), **FAST)
    scores = {s.id: s.result.options.set_index("id")["mca_score"] for s in project.services}
    assert scores["museum"]["in-house"] == pytest.approx(4.95)
    assert scores["museum"]["in-house-redesign"] == pytest.approx(5.6)
    assert set(scores["libraries"].index) == {"in-house", "charitable-trust", "outsourcing"}
    assert list(scores["libraries"]) == pytest.approx([5.0, 5.0, 5.0])
    assert project.services[0].result.provenance["mca_scores_origin"] == "the project's own (mca-museum.yaml)"


def test_one_shared_mca_yaml_is_refused_when_services_have_their_own_baselines(tmp_path: Path, capsys):
    """Each service has its own short list, so one mca.yaml cannot score them: refused naming the files expected."""
    museum = ("in-house", "in-house-redesign", "charitable-trust")
    folder = _two_services(tmp_path, museum, ("in-house", "charitable-trust", "outsourcing"))
    _museum_scores(folder, "mca.yaml", museum)
    code, out, err = _run(capsys, "appraise", folder, "--draws", "0")
    assert code == 2 and out == ""
    assert "mca.yaml: one mca.yaml for services appraised each on its own short list; expected one per service: " in err
    assert "mca-museum.yaml, mca-libraries.yaml" in err


def test_dashboards_offer_a_project_appraised_by_service_service_by_service(tmp_path: Path, monkeypatch):
    """Named to the dashboards' kernels, the workspace is offered as one page per service, by id
    (``two-services:museum``, ``two-services:libraries``), each titled with the project and the service, and its
    page builds."""
    from ddanalysis import registry
    from ddanalysis.dashboard.appraisal import AppraisalPage
    from ddanalysis.dashboard.store import ResultStore

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    monkeypatch.setattr(workspace, "_OPENED", {})
    monkeypatch.setenv(workspace.WORKSPACES_ENV, str(folder))
    assert registry.served_ids()[-2:] == ["two-services:museum", "two-services:libraries"]
    page = AppraisalPage(ResultStore(directory=tmp_path / "cache", fingerprint="t"), "two-services:libraries")
    assert list(page.project.options)[-1] == ("Museum and libraries: Libraries (Dover)", "two-services:libraries")
    assert page.project.value == "two-services:libraries"


def test_the_notebook_runner_makes_one_notebook_per_service(tmp_path: Path):
    """``make notebooks PROJECTS=DIR`` for a workspace appraised by service: one job per service, each with the
    folder and the service as its parameter and a file name without ':' (``<id>__<service id>``, ids never
    hold '_'); ``DIR:libraries`` one job."""
    from ddanalysis.notebook_runner import template_jobs

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    jobs = template_jobs([str(folder)], output_dir=tmp_path / "out")
    absolute = str(folder.resolve())
    assert [j.parameters["project"] for j in jobs] == [f"{absolute}:museum", f"{absolute}:libraries"]
    assert [j.output.name for j in jobs] == [
        "options_appraisal_two-services__museum.ipynb",
        "options_appraisal_two-services__libraries.ipynb",
    ]
    (one,) = template_jobs([f"{folder}:libraries"], output_dir=tmp_path / "out")
    assert one.label == "two-services:libraries"


def test_a_prefix_that_is_no_service_is_refused_naming_the_services(tmp_path: Path, capsys):
    """``--set archives/...`` where the project's services are museum and libraries (and no outcome model):
    exit 2, the message naming the prefix and the services."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    code, out, err = _run(
        capsys, "appraise", folder, "--draws", "0", "--set", "archives/mutual.pension_rate_change=0.04"
    )
    assert code == 2 and out == ""
    assert "a prefix 'archives' is not a service of this project" in err and "one of museum, libraries" in err


def test_a_service_baseline_may_be_the_input_workbook(tmp_path: Path):
    """``baseline-libraries.xlsx`` from ``ddanalysis template``, its project_id row naming the project
    ('two-services'), the lines typed in: read as the libraries' baseline, GBP 760,000 net (by hand above), the
    museum's CSV beside it."""
    from openpyxl import load_workbook

    from ddanalysis.baseline import INPUT_SHEET, VALUE_COL
    from ddanalysis.template import input_rows, write_template

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    (folder / "baseline-libraries.csv").unlink()
    workbook = write_template(folder / "baseline-libraries.xlsx")
    wb = load_workbook(workbook)
    rows = input_rows()
    for key, value in {**LIBRARY_LINES, "project_id": "two-services"}.items():
        wb[INPUT_SHEET].cell(row=rows[key], column=VALUE_COL, value=value)
    wb.save(workbook)
    project = appraise_services(str(folder), **FAST)
    budgets = {s.id: s.result.baseline.net_budget_gbp for s in project.services}
    assert budgets == pytest.approx({"museum": MUSEUM_NET_GBP, "libraries": LIBRARY_NET_GBP})
    assert project.services[1].result.provenance["baseline_origin"] == "the project's own (baseline-libraries.xlsx)"


def test_a_project_appraised_whole_reports_one_service_entry_and_its_recommended_option(capsys):
    """cwac-wirral-school-services (one shared baseline, two councils): ``services`` has one entry covering the
    whole project and ``project_total`` is its recommended option, its councils' parts those of that option
    (and adding up to it), with no interaction."""
    code, out, err = _run(capsys, "appraise", "cwac-wirral-school-services", "--json", "--draws", "0")
    assert code == 0, err
    doc = json.loads(out)
    (entry,) = doc["services"]
    assert entry["id"] == doc["project"] and entry["recommended"] == doc["recommended"]
    assert entry["baseline_net_budget_gbp"] == doc["baseline_net_budget_gbp"]
    chosen = next(o for o in doc["options"] if o["id"] == doc["recommended"])
    total = doc["project_total"]
    assert total["net_present_saving_gbp"] == chosen["net_present_saving_gbp"]
    assert total["one_off_cost_gbp"] == chosen["one_off_cost_gbp"]
    assert total["interaction"] == [] and total["interaction_net_present_saving_gbp"] == 0
    parts = {c["council"]: c for c in total["by_council"]}
    assert parts == {c["council"]: c for c in chosen["by_council"]}
    assert sum(c["net_present_saving_gbp"] for c in parts.values()) == pytest.approx(chosen["net_present_saving_gbp"])
    assert total["interactions"] == [
        "The services share one baseline, so they are appraised together as one and take one option."
    ]


def test_the_dashboard_page_of_the_project_shows_its_services_and_total(tmp_path: Path, monkeypatch):
    """``?project=two-services`` (the project, not a service) is the page of its services and total: each service
    a link to its own page, the baselines GBP 298,000 + 760,000 = GBP 1,058,000 (by hand above), the shared trust's
    set-up line and the total as ``ddanalysis appraise`` sums it (the same :func:`appraise_services` figures,
    formatted by the presentation layer), and the sentences that say how it is made."""
    from ddanalysis import registry
    from ddanalysis.dashboard.services_page import service_refs, services_html
    from ddanalysis.presentation import formats

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    monkeypatch.setattr(workspace, "_OPENED", {})
    monkeypatch.setenv(workspace.WORKSPACES_ENV, str(folder))
    served = registry.served_ids()
    assert service_refs("two-services", served) == ["two-services:museum", "two-services:libraries"]
    assert service_refs("two-services:museum", served) == [] and service_refs("dover-museum-tourism", served) == []
    project = appraise_services("two-services", **FAST)
    page = services_html(project)
    assert "<a href='?project=two-services:museum'>Museum</a>" in page
    assert "<a href='?project=two-services:libraries'>Libraries</a>" in page
    assert "£298,000" in page and "£760,000" in page and "£1,058,000" in page
    assert "Charitable trust (or CIO) shared by Museum, Libraries: set-up counted once" in page
    total = project.total
    assert total["one_off_cost_gbp"] == pytest.approx(total["one_off_cost_before_interaction_gbp"] - 90_000.0)
    assert formats.money(total["net_present_saving_gbp"]) in page
    assert formats.money(total["one_off_cost_gbp"]) in page
    assert "Stranded overheads are counted per service" in page and "counted once, which saves £88,949" in page


def test_draws_out_writes_one_draws_file_per_service(tmp_path: Path, capsys):
    """``appraise DIR --draws 300 --draws-out draws.csv`` of a project appraised by service writes
    ``draws__museum.csv`` and ``draws__libraries.csv`` (no ``draws.csv``): each holds 300 draws and its own
    service's options as columns (the museum's short list of two, the libraries' of three), and the chance that
    each option is best, counted from the file, is the one that service's appraisal in the JSON states."""
    from ddanalysis.drawsfile import decision_from_draws, read_draws

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    target = tmp_path / "out" / "draws.csv"
    target.parent.mkdir()  # an output's folder must exist, as for every output
    code, out, err = _run(capsys, "appraise", folder, "--json", "--draws", "300", "--draws-out", target)
    assert code == 0, err
    doc = json.loads(out)
    assert sorted(p.name for p in target.parent.iterdir()) == ["draws__libraries.csv", "draws__museum.csv"]
    for entry in doc["services"]:
        path = target.parent / f"draws__{entry['id']}.csv"
        assert f"wrote 300 draws to {path}" in err
        appraisal = entry["appraisal"]
        options = [o["id"] for o in appraisal["options"]]
        _inputs, nps = read_draws(path, options=options)
        assert len(nps) == 300 and list(nps.columns) == options
        again = decision_from_draws(path, options=options, groups=appraisal["correlation_groups"])
        assert again["p_best"] == pytest.approx({o["id"]: o["p_best"] for o in appraisal["options"]}, abs=1e-6)


#: Dover's museum baseline lines (data/projects/dover-museum-tourism/baseline.csv), GBP thousand.
MUSEUM_LINES = {
    "employees_pay": 210,
    "employees_ni": 18,
    "employees_pension": 30,
    "premises": 82,
    "business_rates": 38,
    "transport": 4,
    "supplies_services": 64,
    "third_party_payments": 15,
    "support_recharges": 52,
    "capital_charges": 30,
    "income_fees_charges": -170,
    "income_grants": -40,
    "income_other": -35,
}


def _partners(folder: Path, shares_doc: dict) -> None:
    """Dover (E2234) and Gravesham (E2236) as the project's councils, ``shares_doc`` as council_shares.yaml."""
    raw = yaml.safe_load((folder / "project.yaml").read_text(encoding="utf-8"))
    raw.update(councils=["E2234", "E2236"], lead_council="E2234")
    (folder / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    doc = {"schema_version": 1, "project_id": "two-services", **shares_doc, "source": "ILLUSTRATIVE", "quality": "red"}
    (folder / "council_shares.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def test_council_lines_keyed_by_service_apportion_each_service_by_its_own_lines(tmp_path: Path):
    """``lines: {museum: {E2234: <every museum line>, E2236: {}}, libraries: {E2234: {}, E2236: <every library
    line>}}`` (ILLUSTRATIVE): Dover holds every museum line and Gravesham every library line, so every component
    of the museum follows Dover's ledger alone (share 1) and every component of the libraries Gravesham's: by hand,
    each council's part of a service's chosen option is the whole option or nothing."""
    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    money = {k: v for k, v in LIBRARY_LINES.items() if k not in ("fte", "headcount")}
    lines = {"museum": {"E2234": MUSEUM_LINES, "E2236": {}}, "libraries": {"E2234": {}, "E2236": money}}
    _partners(folder, {"lines": lines})
    project = appraise_services(str(folder), **FAST)
    holder = {"museum": "E2234", "libraries": "E2236"}
    for s in project.services:
        bc = s.result.by_council
        mine = bc[bc.option == s.result.recommended].set_index("council")
        other = "E2236" if holder[s.id] == "E2234" else "E2234"
        assert mine.loc[holder[s.id], "net_present_saving_gbp"] == pytest.approx(s.chosen["net_present_saving_gbp"])
        assert mine.loc[holder[s.id], "one_off_cost_gbp"] == pytest.approx(s.chosen["one_off_cost_gbp"])
        assert mine.loc[other, "net_present_saving_gbp"] == pytest.approx(0.0, abs=1e-6)
    parts = project.total["by_council"]
    assert sum(p["net_present_saving_gbp"] for p in parts) == pytest.approx(project.total["net_present_saving_gbp"])


def test_a_services_notebook_shows_the_project_total_from_its_own_service(tmp_path: Path):
    """What the options-appraisal notebook of one service shows (``with_other_services``): from the museum's
    own appraisal, the other service appraised with the same settings, the same total as ``appraise DIR``:
    each service's chosen option summed, the shared trust's GBP 90,000 set-up counted once (by hand in
    test_two_services_choosing_a_charitable_trust_count_its_set_up_once); a bundled project appraised whole
    has none, and the notebook says so."""
    from ddanalysis import display
    from ddanalysis.services import with_other_services

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    museum = appraise(f"{folder}:museum", **FAST)
    project = with_other_services(museum, 0, 1)
    assert project is not None and [s.id for s in project.services] == ["museum", "libraries"]
    assert project.services[0].result is museum
    whole = appraise_services(str(folder), **FAST)
    for key in ("net_present_saving_gbp", "one_off_cost_gbp", "interaction_one_off_cost_gbp"):
        assert project.total[key] == pytest.approx(whole.total[key], rel=1e-12), key
    assert project.total["interaction_one_off_cost_gbp"] == pytest.approx(-90_000.0)
    shown = display.services_total(project).to_html()
    assert "Project total" in shown and "£1,058,000" in shown and "counted once" in shown
    walsall = appraise("walsall-college", **FAST)
    assert with_other_services(walsall, 0, 1) is None
    assert "appraised as one" in display.services_total(None).data


@pytest.mark.notebooks
def test_a_services_notebook_run_by_the_runner_shows_the_project_total(tmp_path: Path, capsys):
    """``make notebooks PROJECTS=DIR:museum`` (the runner, 200 draws): the executed notebook's project-total cell
    shows the services table with the JSON's ``project_total`` of ``ddanalysis appraise DIR --json --draws 200``
    (same seed) and GBP 1,058,000 of baselines (298,000 + 760,000 by hand above)."""
    import nbformat

    from ddanalysis import notebook_runner as runner
    from ddanalysis.presentation import formats

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    (job,) = runner.template_jobs([f"{folder}:museum"], draws=200, output_dir=tmp_path / "out")
    (done,) = runner.run_jobs([job], progress=False)
    assert done.ok, done.error
    nb = nbformat.read(str(job.output), as_version=4)
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and "with_other_services" in c.source]
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for o in cell.outputs)
    code, out, err = _run(capsys, "appraise", folder, "--json", "--draws", "200")
    assert code == 0, err
    total = json.loads(out)["project_total"]
    assert "Project total" in shown and "£1,058,000" in shown
    assert formats.money(total["net_present_saving_gbp"]) in shown and formats.money(total["one_off_cost_gbp"]) in shown


def test_an_unknown_project_page_lists_the_project_pages_beside_the_services(tmp_path: Path, monkeypatch):
    """``?project=no-such`` lists every page a viewer may open: the bundled projects, and for the workspace
    appraised by service its own page (``two-services``) before its services' pages."""
    from ddanalysis.dashboard.appraisal import AppraisalLauncher
    from ddanalysis.dashboard.store import ResultStore

    folder = _two_services(tmp_path, ("in-house", "charitable-trust"), ("in-house", "charitable-trust", "outsourcing"))
    monkeypatch.setattr(workspace, "_OPENED", {})
    monkeypatch.setenv(workspace.WORKSPACES_ENV, str(folder))
    launcher = AppraisalLauncher.__new__(AppraisalLauncher)
    launcher.store = ResultStore(directory=tmp_path / "cache", fingerprint="t")  # nothing computed for this page
    launcher._page, launcher.error = None, None
    page = launcher.page({"project": "no-such"}).children[1].value
    order = [page.index(f"?project={i}'") for i in ("two-services", "two-services:museum", "two-services:libraries")]
    assert order == sorted(order) and "There is no project called &#x27;no-such&#x27;" in page
    assert "?project=walsall-college'" in page
