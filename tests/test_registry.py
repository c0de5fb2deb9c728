"""The registry holds the programme's 11 councils and 10 projects, with codes from the official README."""

import pytest

from ddanalysis import registry
from ddanalysis.errors import UnknownKeyError

EXPECTED_IDS = [
    "walsall-college",
    "hull-adult-social-care",
    "manchester-domestic-abuse",
    "kirklees-open-spaces",
    "devon-local-services",
    "dover-museum-tourism",
    "nelincs-environment",
    "portsmouth-community-safety",
    "notts-childrens-disability",
    "cwac-wirral-school-services",
]


def test_ten_projects_with_the_agreed_ids():
    assert registry.project_ids() == EXPECTED_IDS


def test_eleven_councils_and_codes_match_the_official_readme():
    frame = registry.councils().set_index("e_code")
    assert len(frame) == 11
    # codes typed from ../shared/data/official/README.md
    assert frame.loc["E4606", "ons_code"] == "E08000030" and frame.loc["E4606", "name"] == "Walsall"
    assert frame.loc["E2002", "ons_code"] == "E06000010"
    assert frame.loc["E2234", "authority_class"] == "SD"
    assert frame.loc["E4305", "ons_code"] == "E08000015"


def test_council_lookup_by_either_code_and_never_by_name():
    assert registry.council("E06000010")["e_code"] == "E2002"
    assert registry.council("E2002")["name"] == "Kingston upon Hull"
    with pytest.raises(UnknownKeyError, match="unknown council 'Hull'"):
        registry.council("Hull")


def test_unknown_project_lists_valid_ids():
    with pytest.raises(UnknownKeyError) as info:
        registry.project("walsall")
    assert "walsall-college" in str(info.value) and "valid projects" in str(info.value)


def test_every_shortlist_starts_with_status_quo():
    for p in registry.projects():
        assert p.shortlist[0] == "in-house"
        assert len(p.shortlist) >= 3


def test_joint_project_has_both_councils():
    p = registry.project("cwac-wirral-school-services")
    assert p.councils == ("E0604", "E4305")
