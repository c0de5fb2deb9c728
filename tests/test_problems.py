"""One way to validate a data file: every problem is listed at once, in one DataFileError.

The collector itself (problems.Problems), then each loader that uses it (registry, mca, plan) fed a
file with several mistakes that the test writes itself: the message must name the file and every
mistake, so a user can fix them all in one pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ddanalysis import mca, plan, registry
from ddanalysis.errors import DataFileError
from ddanalysis.problems import Problems

# --- the collector ---------------------------------------------------------------------------------


def test_nothing_is_raised_without_a_problem():
    problems = Problems("data/x.csv")
    problems.raise_if_any()
    assert not problems and len(problems) == 0 and problems.message() == ""


def test_one_problem_is_one_line_naming_the_file_and_where():
    problems = Problems("data/x.csv")
    problems.add("row 4", "code 'X' is not an E-code")
    with pytest.raises(DataFileError) as info:
        problems.raise_if_any()
    assert str(info.value) == "data/x.csv, row 4: code 'X' is not an E-code"


def test_a_whole_file_problem_has_no_where():
    problems = Problems("data/x.yaml")
    problems.add("", "expected a 'phases' list")
    assert problems.message() == "data/x.yaml: expected a 'phases' list"


def test_several_problems_are_numbered_in_row_order_whole_file_ones_last():
    problems = Problems("data/x.csv")
    problems.add("row 9", "worse")
    problems.add("", "the whole file is wrong")
    problems.add("row 2", "bad")
    problems.add("row 9, column 'value'", "also on row 9")
    assert problems.message() == (
        "data/x.csv: 4 problems found, so nothing was loaded. Please correct them and load the file again:\n"
        "  1. row 2: bad\n"
        "  2. row 9: worse\n"
        "  3. row 9, column 'value': also on row 9\n"
        "  4. the whole file is wrong"
    )


def test_always_list_shows_even_one_problem_as_a_list():
    problems = Problems("b.csv", always_list=True)
    problems.add("row 3", "bad")
    assert problems.message() == (
        "b.csv: 1 problem found, so nothing was loaded. Please correct it and load the file again:\n  1. row 3: bad"
    )


def test_the_list_is_capped_and_the_rest_counted():
    problems = Problems("b.csv", limit=2)
    for row in (2, 3, 4, 5):
        problems.add(f"row {row}", "bad")
    lines = problems.message().splitlines()
    assert lines[1:] == ["  1. row 2: bad", "  2. row 3: bad", "  ... and 2 more"]
    assert lines[0].startswith("b.csv: 4 problems found")


def test_fail_raises_with_everything_found_before():
    problems = Problems("p.yaml")
    problems.add("", "'name' must be a non-empty text")
    with pytest.raises(DataFileError) as info:
        problems.fail("", "expected a 'phases' mapping")
    assert "2 problems found" in str(info.value)
    assert "'name' must be a non-empty text" in str(info.value) and "expected a 'phases' mapping" in str(info.value)


def test_validation_errors_name_the_field():
    problems = Problems("m.yaml")
    problems.add_validation("project x", [{"loc": ("sizing", "rs_share"), "msg": "Input should be a number"}])
    problems.add_validation("", [{"loc": ("title",), "msg": "Field required"}])
    assert problems.message().splitlines()[1:] == [
        "  1. project x, field 'sizing.rs_share': Input should be a number",
        "  2. field 'title': Field required",
    ]


# --- registry ---------------------------------------------------------------------------------------


def test_council_registry_lists_every_bad_row(tmp_path: Path):
    path = tmp_path / "councils.csv"
    path.write_text(
        "e_code,ons_code,name,authority_class,region\n"
        "E4606,E08000030,Walsall,MD,West Midlands\n"
        "X1,E06000010,Kingston upon Hull,UA,Yorkshire and The Humber\n"  # row 3: bad E-code
        "E4203,E0800,Manchester,ZZ,North West\n",  # row 4: bad GSS code and bad class
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as info:
        registry.councils(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 3 problems found")
    assert "1. row 3: e_code 'X1' is not a DCLG E-code" in message
    assert "2. row 4: ons_code 'E0800' is not a GSS code" in message
    assert "3. row 4: class 'ZZ' not one of" in message


def test_workspace_project_file_lists_every_problem(tmp_path: Path):
    """A copy of walsall-college's project.yaml with three faults: every one is named by its key."""
    raw = yaml.safe_load((registry.config.data_path("projects", "walsall-college", "project.yaml")).read_text("utf-8"))
    raw["services"][0]["shortlist"] = ["in-house", "mutal"]  # unknown model
    raw["services"][0]["rs_block"] = "libraries"  # not an RS block key
    raw["colour"] = "blue"  # unknown key
    raw["id"] = "my-college"
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        registry.project(str(tmp_path))
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'project.yaml'}: 2 problems found")
    assert "field 'colour': unknown key; expected one of schema_version, id, title, councils, " in message
    assert "field 'services.0.shortlist': unknown delivery model(s) ['mutal']" in message
    assert "Value error" not in message  # pydantic's lead-in is dropped: the check's own words are enough
    raw["services"][0]["shortlist"] = ["in-house", "mutual"]
    del raw["colour"]
    (tmp_path / "project.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"services.0.rs_block: 'libraries' is not an RS service block"):
        registry.project(str(tmp_path))


# --- mca --------------------------------------------------------------------------------------------


def test_criteria_file_lists_every_bad_criterion(tmp_path: Path):
    raw = yaml.safe_load(mca.criteria_path().read_text(encoding="utf-8"))
    first, second = raw["criteria"][0]["id"], raw["criteria"][1]["id"]
    raw["criteria"][0]["name"] = " "
    del raw["criteria"][1]["scale"]["10"]
    raw["source"] = ""
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        mca.load_criteria(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 3 problems found")
    assert f"criterion {first}: 'name' must be a non-empty text" in message
    assert f"criterion {second}: 'scale' must say what a score of 0, 5 and 10 means" in message
    assert "top-level key 'source' must be a non-empty text" in message


def test_scores_file_lists_problems_of_several_kinds(tmp_path: Path):
    raw = yaml.safe_load(mca.scores_path("kirklees-open-spaces").read_text(encoding="utf-8"))
    options = [o for o in raw["scores"] if o != "in-house"]
    raw["scores"][options[0]]["user_focus"]["score"] = 12
    raw["scores"][options[1]]["deliverability"]["rationale"] = ""
    raw["weights"]["values"]["user_focus"] = 2
    raw["status"] = ""
    path = tmp_path / "kirklees-open-spaces.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        mca.load_scores("kirklees-open-spaces", path=path)
    message = str(info.value)
    assert message.startswith(f"{path}: 4 problems found")
    assert f"{options[0]}.user_focus: score 12 is not a number from 0 to 10" in message
    assert f"{options[1]}.deliverability: rationale is empty" in message
    assert "weights: weight of 'user_focus' is 2; expected a number from 0 to 1" in message
    assert "'status' must be a non-empty text" in message


# --- plan -------------------------------------------------------------------------------------------


def test_plan_template_lists_every_bad_phase_and_risk(tmp_path: Path):
    raw = yaml.safe_load(plan.model_path("mutual").read_text(encoding="utf-8"))
    phases = [p for p in raw["phases"] if p != plan.GO_LIVE]
    raw["phases"][phases[0]]["low"] = -1
    raw["phases"][phases[1]]["source"] = ""
    raw["risks"][0]["impact"] = 7
    raw["name"] = ""
    path = tmp_path / "mutual.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        plan.load_template("mutual", path=path)
    message = str(info.value)
    assert message.startswith(f"{path}: 4 problems found")
    assert f"phase {phases[0]}: low duration -1 must be a number of weeks >= 0" in message
    assert f"phase {phases[1]}: 'source' must say where the durations come from" in message
    assert "risk #1 (" in message and "impact 7 must be a whole number from 1 to 5" in message
    assert "'name' must be a non-empty text" in message


def test_unexpected_keys_and_empty_texts_are_named_in_risks_facts_and_phases(tmp_path: Path):
    """The same two checks on every kind of entry of the plan files: a key the entry does not take, and a
    text that must not be empty. Risk #1 gets 'colour' and an empty owner; the first legal fact of
    the catalogue an unknown 'note' and a blank source; the first phase a blank name: 5 problems."""
    raw = yaml.safe_load(plan.model_path("mutual").read_text(encoding="utf-8"))
    raw["risks"][0]["colour"] = "red"
    raw["risks"][0]["owner"] = ""
    path = tmp_path / "mutual.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        plan.load_template("mutual", path=path)
    message = str(info.value)
    assert message.startswith(f"{path}: 2 problems found")
    assert "risk #1 (" in message and "unexpected key(s) ['colour']" in message
    assert "'owner' must be a non-empty text" in message

    cat = yaml.safe_load(plan.phases_path().read_text(encoding="utf-8"))
    fact, phase = cat["facts"][0]["id"], cat["phases"][0]["id"]
    cat["facts"][0]["note"] = "x"
    cat["facts"][0]["source"] = "  "
    cat["phases"][0]["name"] = " "
    path = tmp_path / "phases.yaml"
    path.write_text(yaml.safe_dump(cat, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        plan.load_phase_catalogue(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 3 problems found")
    assert f"fact {fact}: unexpected key(s) ['note']" in message
    assert f"fact {fact}: 'source' must be a non-empty text" in message
    assert f"phase {phase}: 'name' must be a non-empty text" in message


def test_phase_catalogue_lists_every_bad_phase(tmp_path: Path):
    raw = yaml.safe_load(plan.phases_path().read_text(encoding="utf-8"))
    first, second = raw["phases"][0]["id"], raw["phases"][1]["id"]
    raw["phases"][0]["min_weeks"] = "four"
    raw["phases"][1]["after_go_live"] = "yes"
    raw["phases"][1]["colour"] = "red"
    path = tmp_path / "phases.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        plan.load_phase_catalogue(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 3 problems found")
    assert f"phase {first}: min_weeks 'four' must be a number of weeks >= 0" in message
    assert f"phase {second}: unexpected key(s) ['colour']" in message
    assert f"phase {second}: after_go_live must be true or false" in message
