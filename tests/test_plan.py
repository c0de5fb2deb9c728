"""Implementation-plan scheduling: critical path by hand, dates, scaling and checks on templates.

Expected values are worked out by hand in the comments (or by brute-force enumeration of paths),
never taken from the code's own output.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ddanalysis import plan
from ddanalysis.errors import DataFileError, DDAnalysisError, UnknownKeyError

# A tiny plan: A (2 weeks) -> B (3 weeks); A -> C (1 week); B and C -> D (0 weeks, go-live).
# Forward pass: A 0-2, B 2-5, C 2-3, D starts at max(5, 3) = 5.
# Backward pass from 5: D latest start 5; B latest finish 5 (slack 5 - 5 = 0); C latest finish 5
# (slack 5 - 3 = 2); A latest finish min(5 - 3, 5 - 1) = 2 (slack 0). Critical path A-B-D.
TINY_DURATIONS = {"A": 2, "B": 3, "C": 1, "D": 0}
TINY_DEPS = {"A": [], "B": ["A"], "C": ["A"], "D": ["B", "C"]}


def test_tiny_graph_critical_path_by_hand():
    got = plan.schedule(TINY_DURATIONS, TINY_DEPS).set_index("phase")
    assert got["start_week"].to_dict() == {"A": 0, "B": 2, "C": 2, "D": 5}
    assert got["finish_week"].to_dict() == {"A": 2, "B": 5, "C": 3, "D": 5}
    assert got["slack_weeks"].to_dict() == {"A": 0, "B": 0, "C": 2, "D": 0}
    assert got["critical"].to_dict() == {"A": True, "B": True, "C": False, "D": True}


def test_schedule_rejects_cycles_and_unknown_dependencies_naming_the_phase():
    with pytest.raises(DDAnalysisError, match="phase 'D' depends on unknown phase 'E'"):
        plan.schedule(TINY_DURATIONS, dict(TINY_DEPS, D=["B", "E"]))
    with pytest.raises(DDAnalysisError, match="cycle"):
        plan.schedule(TINY_DURATIONS, dict(TINY_DEPS, A=["D"]))
    with pytest.raises(DDAnalysisError, match="phase 'B' depends on itself"):
        plan.schedule(TINY_DURATIONS, dict(TINY_DEPS, B=["B"]))
    with pytest.raises(DDAnalysisError, match="duration of phase 'C'"):
        plan.schedule(dict(TINY_DURATIONS, C=-1), TINY_DEPS)


def _longest_paths(durations, deps):
    """Brute force: every path through the DAG, as lists of nodes from a source to a sink."""
    succ = {n: [m for m in deps if n in deps[m]] for n in durations}
    sources = [n for n in durations if not deps[n]]

    def walk(node):
        if not succ[node]:
            yield [node]
        for nxt in succ[node]:
            for rest in walk(nxt):
                yield [node] + rest

    return [p for s in sources for p in walk(s)]


@settings(max_examples=150, deadline=None)
@given(data=st.data(), n=st.integers(1, 7))
def test_schedule_matches_brute_force_longest_paths(data, n):
    # Random DAG (edges only from lower to higher index, so no cycles) with random durations.
    nodes = [f"p{i}" for i in range(n)]
    durations = {p: data.draw(st.sampled_from([0, 0.5, 1, 2, 3.5, 7])) for p in nodes}
    deps = {p: [q for q in nodes[:i] if data.draw(st.booleans())] for i, p in enumerate(nodes)}
    paths = _longest_paths(durations, deps)

    def length(path):
        return sum(durations[x] for x in path)

    end = max(length(p) for p in paths)
    got = plan.schedule(durations, deps).set_index("phase")
    assert got["finish_week"].max() == pytest.approx(end)
    for node in nodes:
        through = max(length(p) for p in paths if node in p)
        # slack = how much shorter the longest path through the node is than the longest path overall
        assert got.loc[node, "slack_weeks"] == pytest.approx(end - through)
        assert got.loc[node, "critical"] == (abs(end - through) < 1e-9)
        # earliest start = the longest chain of predecessors on any path into the node
        before = max(sum(durations[x] for x in p[: p.index(node)]) for p in paths if node in p)
        assert got.loc[node, "start_week"] == pytest.approx(before)


# --- the same tiny plan as a template file, scheduled into dates ---------------------------------


def tiny_template(**changes) -> dict:
    """A template on the catalogue's phases: business_case = A, member_decision = B,
    staff_union_engagement = C, go_live = D."""
    raw = {
        "model": "in-house-redesign",
        "name": "Tiny test plan",
        "source": "test",
        "quality": "judgement",
        "phases": {
            "business_case": {"low": 2, "central": 2, "high": 2, "depends_on": [], "source": "test"},
            "member_decision": {"low": 3, "central": 3, "high": 3, "depends_on": ["business_case"], "source": "test"},
            "staff_union_engagement": {
                "low": 1,
                "central": 1,
                "high": 1,
                "depends_on": ["business_case"],
                "source": "test",
            },
            "go_live": {
                "low": 0,
                "central": 0,
                "high": 0,
                "depends_on": ["member_decision", "staff_union_engagement"],
                "source": "test",
            },
        },
        "risks": [{"risk": "r", "likelihood": 2, "impact": 3, "owner": "o", "mitigation": "m"}],
    }
    for key, value in changes.items():
        raw[key] = value
    return raw


def write(tmp_path: Path, raw: dict, name: str = "in-house-redesign.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_tiny_template_schedules_to_hand_computed_dates(tmp_path):
    path = write(tmp_path, tiny_template())
    p = plan.build_plan("walsall-college", "in-house-redesign", start=dt.date(2015, 4, 1), path=path)
    # go-live at week 5 = 35 days after 1 April 2015 = 6 May 2015
    assert p.go_live == dt.date(2015, 5, 6)
    ph = p.phases.set_index("phase")
    assert list(p.phases.columns) == [
        "phase",
        "name",
        "depends_on",
        "duration_weeks",
        "start",
        "finish",
        "critical",
        "slack_weeks",
    ]
    assert ph.loc["staff_union_engagement", "start"] == dt.date(2015, 4, 15)  # week 2 = 14 days
    assert ph.loc["staff_union_engagement", "finish"] == dt.date(2015, 4, 22)  # week 3 = 21 days
    assert ph.loc["staff_union_engagement", "slack_weeks"] == 2.0
    assert not ph.loc["staff_union_engagement", "critical"]
    assert ph.loc["member_decision", "critical"] and ph.loc["business_case", "critical"]
    assert ph.loc["go_live", "depends_on"] == "member_decision, staff_union_engagement"
    assert ph.loc["member_decision", "name"] == "Member decision"
    ms = p.milestones.set_index("milestone")["date"]
    assert ms["Go-live"] == dt.date(2015, 5, 6) and ms["Business case complete"] == dt.date(2015, 4, 15)
    assert p.risks.iloc[0]["score"] == 6  # 2 x 3
    assert p.duration_case == "central" and p.start == dt.date(2015, 4, 1) and p.project_id == "walsall-college"


def test_duration_scale_stretches_every_phase_and_rounds_to_whole_days(tmp_path):
    path = write(tmp_path, tiny_template())
    # x1.5: A 3, B 4.5, C 1.5 weeks -> go-live at week 7.5 = 52.5 days, rounded half up to 53 days
    # after 1 April 2015 = 24 May 2015.
    p = plan.build_plan(
        "walsall-college", "in-house-redesign", start=dt.date(2015, 4, 1), duration_scale=1.5, path=path
    )
    assert p.go_live == dt.date(2015, 5, 24)
    assert p.phases.set_index("phase").loc["member_decision", "duration_weeks"] == 4.5


def test_start_defaults_to_the_projects_plan_start(tmp_path):
    path = write(tmp_path, tiny_template())
    p = plan.build_plan("cwac-wirral-school-services", "in-house-redesign", path=path)
    # the registry's plan_start for this project is 2015-09-01; + 35 days = 6 October 2015
    assert p.start == dt.date(2015, 9, 1) and p.go_live == dt.date(2015, 10, 6)


def test_legal_minimum_is_kept_when_durations_are_scaled_down(tmp_path):
    # TUPE consultation: 4 weeks minimum (employee liability information 28 days before transfer).
    raw = tiny_template()
    raw["phases"]["tupe_consultation"] = {
        "low": 6,
        "central": 6,
        "high": 6,
        "depends_on": ["business_case"],
        "source": "test",
    }
    raw["phases"]["go_live"]["depends_on"].append("tupe_consultation")
    path = write(tmp_path, raw)
    p = plan.build_plan(
        "walsall-college", "in-house-redesign", start=dt.date(2015, 4, 1), duration_scale=0.25, path=path
    )
    ph = p.phases.set_index("phase")
    assert ph.loc["tupe_consultation", "duration_weeks"] == 4.0  # 6 x 0.25 = 1.5, floored at 4
    assert ph.loc["business_case", "duration_weeks"] == 0.5
    # go-live = max(0.5 + 0.75, 0.5 + 0.25, 0.5 + 4) = 4.5 weeks = 31.5 days -> 32 days -> 3 May 2015
    assert p.go_live == dt.date(2015, 5, 3)
    eli = p.milestones[p.milestones.milestone.str.startswith("Employee liability information")]["date"].item()
    assert eli == dt.date(2015, 4, 5)  # 28 days before 3 May
    assert ph.loc["tupe_consultation", "start"] <= eli


# --- template checks ------------------------------------------------------------------------------


def _mutate(raw, phase, **entry):
    raw["phases"][phase].update(entry)
    return raw


@pytest.mark.parametrize(
    "raw, message",
    [
        (_mutate(tiny_template(), "business_case", depends_on=["go_live"]), "dependency cycle"),
        (
            _mutate(tiny_template(), "member_decision", depends_on=["business_case", "pensions_admission"]),
            "phase 'member_decision' depends on unknown phase 'pensions_admission'",
        ),
        (_mutate(tiny_template(), "go_live", central=1), "phase go_live: go-live is a milestone"),
        (
            _mutate(tiny_template(), "member_decision", low=4),
            "phase member_decision: durations must satisfy low <= central <= high",
        ),
        (_mutate(tiny_template(), "member_decision", high=-1), "phase member_decision"),
        (_mutate(tiny_template(), "member_decision", source=""), "phase member_decision: 'source'"),
        (
            _mutate(tiny_template(), "member_decision", depends_on="business_case"),
            "phase member_decision: depends_on must be a list",
        ),
    ],
)
def test_bad_templates_are_rejected_naming_the_file_and_phase(tmp_path, raw, message):
    path = write(tmp_path, raw)
    with pytest.raises(DataFileError) as info:
        plan.build_plan("walsall-college", "in-house-redesign", path=path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_a_cycle_error_names_every_phase_in_the_cycle(tmp_path):
    raw = _mutate(tiny_template(), "business_case", depends_on=["member_decision"])
    path = write(tmp_path, raw)
    with pytest.raises(DataFileError) as info:
        plan.build_plan("walsall-college", "in-house-redesign", path=path)
    assert "business_case" in str(info.value) and "member_decision" in str(info.value)


def test_unknown_phase_and_floating_phase_are_rejected(tmp_path):
    raw = tiny_template()
    raw["phases"]["ribbon_cutting"] = {"low": 1, "central": 1, "high": 1, "depends_on": [], "source": "test"}
    with pytest.raises(DataFileError, match="phase 'ribbon_cutting' is not in the phase catalogue"):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))
    raw = tiny_template()
    raw["phases"]["it_data_separation"] = {"low": 1, "central": 1, "high": 1, "depends_on": [], "source": "test"}
    with pytest.raises(DataFileError, match="phase it_data_separation: go-live does not depend on it"):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))
    raw = tiny_template()
    raw["phases"]["post_transfer_review"] = {
        "low": 1,
        "central": 1,
        "high": 1,
        "depends_on": ["business_case"],
        "source": "test",
    }
    with pytest.raises(DataFileError, match="phase post_transfer_review: it follows go-live"):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))


def test_tupe_consultation_shorter_than_28_days_is_rejected(tmp_path):
    raw = tiny_template()
    raw["phases"]["tupe_consultation"] = {
        "low": 3,
        "central": 6,
        "high": 8,
        "depends_on": ["business_case"],
        "source": "test",
    }
    raw["phases"]["go_live"]["depends_on"].append("tupe_consultation")
    with pytest.raises(
        DataFileError, match="phase tupe_consultation: low duration 3 weeks is below the legal minimum of 4"
    ):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))


def test_missing_go_live_wrong_model_and_bad_risks_are_rejected(tmp_path):
    raw = tiny_template()
    del raw["phases"]["go_live"]
    with pytest.raises(DataFileError, match="needs the 'go_live' milestone"):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))
    with pytest.raises(DataFileError, match="'model' is 'in-house-redesign'; expected 'mutual'"):
        plan.build_plan("walsall-college", "mutual", path=write(tmp_path, tiny_template()))
    raw = tiny_template(risks=[{"risk": "r", "likelihood": 6, "impact": 3, "owner": "o", "mitigation": "m"}])
    with pytest.raises(DataFileError, match="likelihood 6 must be a whole number from 1 to 5"):
        plan.build_plan("walsall-college", "in-house-redesign", path=write(tmp_path, raw))
    with pytest.raises(DataFileError, match="not found"):
        plan.build_plan("walsall-college", "in-house-redesign", path=tmp_path / "nothing.yaml")


def test_bad_arguments_get_clear_errors():
    with pytest.raises(DDAnalysisError, match="status quo"):
        plan.build_plan("walsall-college", "in-house")
    with pytest.raises(UnknownKeyError, match="unknown delivery model 'mutal'"):
        plan.build_plan("walsall-college", "mutal")
    with pytest.raises(UnknownKeyError, match="unknown duration case 'worst'"):
        plan.build_plan("walsall-college", "mutual", duration_case="worst")
    with pytest.raises(DDAnalysisError, match="duration_scale"):
        plan.build_plan("walsall-college", "mutual", duration_scale=0)
    with pytest.raises(DDAnalysisError, match="not a date"):
        plan.build_plan("walsall-college", "mutual", start="1 April 2015")
    with pytest.raises(UnknownKeyError, match="unknown project"):
        plan.build_plan("walsall", "mutual")


def test_go_live_weeks_fast_path_agrees_with_the_dated_plan():
    scales = np.array([0.5, 1.0, 1.3])
    weeks = plan.go_live_weeks("mutual", "high", scales)
    assert weeks.shape == (3,)
    for scale, w in zip(scales, weeks):
        p = plan.build_plan("devon-local-services", "mutual", duration_case="high", duration_scale=float(scale))
        # build_plan rounds each date to the nearest day; the fast path is exact weeks
        assert abs((p.go_live - p.start).days - w * 7) <= 0.5 + 1e-9
    assert isinstance(plan.go_live_weeks("mutual"), float)


@pytest.mark.parametrize("a, b", list(itertools.combinations([0.6, 0.9, 1.0, 1.2, 2.0], 2)))
def test_larger_scale_never_gives_an_earlier_go_live(a, b):
    for model in plan.plan_models():
        assert plan.go_live_weeks(model, "central", a) < plan.go_live_weeks(model, "central", b)
