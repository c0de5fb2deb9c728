"""Every assumption file validates; each kind of mistake gets one error naming the file and key."""

import shutil
from pathlib import Path

import pytest
import yaml

from ddanalysis import config
from ddanalysis.assumptions import check_all, load_book
from ddanalysis.errors import DataFileError, UnknownKeyError
from ddanalysis.registry import DELIVERY_MODELS, project_ids

SRC = config.data_path("assumptions")


@pytest.fixture
def folder(tmp_path) -> Path:
    dst = tmp_path / "assumptions"
    shutil.copytree(SRC, dst)
    return dst


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_every_bundled_file_validates_for_every_project():
    assert check_all() > 100
    for pid in project_ids():
        book = load_book(pid)
        assert set(book.models) == set(DELIVERY_MODELS)


def test_every_assumption_has_source_unit_range_and_quality():
    table = load_book().table
    assert table.source.str.len().min() > 10
    assert set(table.quality) <= {"green", "amber", "red"}
    assert (table.low <= table.central).all() and (table.central <= table.high).all()
    assert table.unit.str.len().min() > 2 and table.description.str.len().min() > 10


def test_design_facts_are_encoded_with_their_sources():
    s = load_book().settings
    assert s.facts["charity_mandatory_rates_relief"]["value"] == 0.8
    assert s.facts["teckal_min_control_share"]["value"] == 0.8
    assert s.optimism_bias_upper["outsourcing"] == 0.41
    assert s.optimism_bias_upper["equipment_development"] == 2.0
    assert s.optimism_bias_upper["standard_buildings"] == 0.24
    assert s.optimism_bias_upper["non_standard_buildings"] == 0.51
    assert s.discount_bands[0] == (0, 30, 0.035) and s.discount_bands[1] == (31, 75, 0.03)
    assert load_book().table.loc[("charitable-trust", "business_rates_relief"), "central"] == 0.8


def test_typo_in_a_key_names_file_and_key(folder):
    edit(
        folder / "models" / "mutual.yaml",
        lambda d: d["assumptions"].__setitem__("staf_cost_change", d["assumptions"].pop("staff_cost_change")),
    )
    with pytest.raises(DataFileError) as info:
        load_book(None, folder)
    msg = str(info.value)
    assert "mutual.yaml" in msg and "staf_cost_change" in msg and "unknown assumption key" in msg


def test_low_above_high(folder):
    edit(
        folder / "models" / "outsourcing.yaml",
        lambda d: d["assumptions"]["procurement_saving"].update(low=0.2, high=0.1),
    )
    with pytest.raises(
        DataFileError, match=r"(?s)outsourcing.yaml.*procurement_saving: expected low <= central <= high"
    ):
        load_book(None, folder)


def test_rate_outside_zero_one(folder):
    edit(
        folder / "models" / "charitable-trust.yaml",
        lambda d: d["assumptions"]["business_rates_relief"].update(high=1.2),
    )
    with pytest.raises(
        DataFileError, match=r"business_rates_relief: high = 1.2 outside the allowed range \[0.0, 1.0\]"
    ):
        load_book(None, folder)


def test_missing_and_unknown_source(folder):
    def change(d):
        del d["assumptions"]["staff_cost_change"]["source"]
        d["assumptions"]["procurement_saving"]["source"] = "my-guess"

    edit(folder / "models" / "mutual.yaml", change)
    with pytest.raises(DataFileError) as info:
        load_book(None, folder)
    msg = str(info.value)
    assert "2 problem(s)" in msg  # both reported at once
    assert "staff_cost_change.source: Field required" in msg
    assert "'my-guess' is not a source id" in msg and "data/assumptions/sources.yaml" in msg


def test_scenario_naming_an_unknown_option(folder):
    edit(folder / "scenarios.yaml", lambda d: d["scenarios"].update(bad={"set": {"mutal.staff_cost_change": -0.1}}))
    with pytest.raises(
        DataFileError, match=r"(?s)scenarios.yaml.*bad.set.mutal.staff_cost_change: unknown option 'mutal'"
    ):
        load_book(None, folder)


def test_discount_rate_outside_zero_one(folder):
    edit(folder / "appraisal.yaml", lambda d: d["discount_schedule"]["bands"][0].update(rate=3.5))
    with pytest.raises(
        DataFileError, match=r"(?s)appraisal.yaml.*bands\[0\].rate: expected a rate in \[0, 1\], got 3.5"
    ):
        load_book(None, folder)


def test_horizon_of_500_years_rejected(folder):
    edit(folder / "appraisal.yaml", lambda d: d["horizon_years"].update(value=500))
    with pytest.raises(DataFileError, match="horizon_years.value"):
        load_book(None, folder)


def test_not_yaml(folder):
    (folder / "levers.yaml").write_text("levers: [unclosed\n")
    with pytest.raises(DataFileError, match="levers.yaml: not valid YAML"):
        load_book(None, folder)


def test_unknown_scenario_lists_valid_ones():
    with pytest.raises(UnknownKeyError, match="unknown scenario 'optimistic'; valid scenarios: central, low, high"):
        load_book().scenario("optimistic")


def test_scenarios_store_only_what_they_change():
    book = load_book()
    central, low, high = book.values("central"), book.values("low"), book.values("high")
    k = ("mutual", "staff_cost_change")  # lower is better
    assert (low[k], central[k], high[k]) == (-0.03, -0.07, -0.10)
    k = ("charitable-trust", "grant_income_share")  # higher is better: low 0.01 and high 0.10 in charitable-trust.yaml
    assert (low[k], high[k]) == (0.01, 0.10)
    assert book.values("no-rates-relief")[("charitable-trust", "business_rates_relief")] == 0.0
    assert book.values("no-rates-relief")[("mutual", "staff_cost_change")] == -0.07


def test_project_override_replaces_the_model_value():
    """Dover's and Walsall's own files set the charitable trust's grant income (0.06 and 0.005 central); Devon has no
    override file, so it keeps charitable-trust.yaml's 0.03."""
    assert load_book("dover-museum-tourism").table.loc[("charitable-trust", "grant_income_share"), "central"] == 0.06
    assert load_book("walsall-college").table.loc[("charitable-trust", "grant_income_share"), "central"] == 0.005
    assert load_book("devon-local-services").table.loc[("charitable-trust", "grant_income_share"), "central"] == 0.03


def test_walsall_mutual_grant_income_stays_the_trusts_times_the_chance_of_charitable_status():
    """Walsall's mutual.grant_income_share is derived, by its note, from the same project's charitable-trust
    override: the trust's low / central / high times the chance that the mutual registers as a charity, which
    the mutual's business-rates relief puts at 0.4 of the charity's 0.8 (mutual.yaml and charitable-trust.yaml,
    central values), one half. By hand: 0 x 0.5 = 0, 0.005 x 0.5 = 0.0025, 0.02 x 0.5 = 0.01. The files cannot
    derive one value from another, so this holds the two together: change the trust's override, or either
    rates relief, and this fails until the mutual's values are worked out again."""
    table = load_book("walsall-college").table
    trust = table.loc[("charitable-trust", "grant_income_share"), ["low", "central", "high"]].astype(float)
    mutual = table.loc[("mutual", "grant_income_share"), ["low", "central", "high"]].astype(float)
    chance_of_charity = (
        table.loc[("mutual", "business_rates_relief"), "central"]
        / table.loc[("charitable-trust", "business_rates_relief"), "central"]
    )
    assert chance_of_charity == pytest.approx(0.5)
    assert list(mutual) == pytest.approx(list(trust * chance_of_charity))
    assert list(mutual) == pytest.approx([0.0, 0.0025, 0.01])


def test_raw_files_not_modified_by_loading(tmp_path):
    import hashlib

    # the assumption files and each project's overrides (data/projects/<id>/assumptions.yaml), which check_all loads
    files = sorted(SRC.rglob("*.yaml")) + sorted(config.data_path("projects").glob("*/*.yaml"))
    assert any(p.name == "assumptions.yaml" for p in files)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    check_all()
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}
    assert before == after
