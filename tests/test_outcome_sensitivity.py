"""The one-way sensitivity (tornado) of the outcome quantities.

Expected values are worked by hand in each docstring from the benefit formula of HM Treasury's
supplementary guidance for local partnerships (cohort x rate x effect x (1 - deadweight) x attribution
x (1 - displacement) x (1 - haircut) x unit cost) and the Green Book discount factors 1 / 1.035^t, or
come from a second, independent route through the public API (a what-if override at the swung value),
never from the code's own output. The small fixtures are written by the tests into ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from ddanalysis import charts
from ddanalysis import public_value as pv
from ddanalysis import unit_costs as uc
from ddanalysis.engine import appraise
from ddanalysis.outcome_sensitivity import combined, outcome_sensitivity
from ddanalysis.presentation import tables

SOURCE = {
    "publisher": "Test publisher",
    "title": "Test table",
    "year": 2016,
    "locator": "Table 1, row 1",
    "link": "https://example.org/t1",
}
DEFLATOR = {"2014-15": 100.0}
#: Green Book factors at 3.5% for three years, and a plan live from half-way through year 1.
FACTORS = [1.0, 1 / 1.035, 1 / 1.035**2]
RAMP = np.array([0.0, 0.5, 1.0])
#: sum_t ramp x factor = 0 + 0.5 x 0.966184 + 0.933511 = 1.416602
WEIGHT = 0.5 / 1.035 + 1 / 1.035**2


def _library(tmp_path: Path, components) -> uc.UnitCostLibrary:
    folder = tmp_path / "unit_costs"
    folder.mkdir(exist_ok=True)
    entry = {
        "id": "test-incident",
        "description": "one test incident",
        "unit": "per incident",
        "price_base": "2014-15",
        "components": components,
        "source": SOURCE,
        "verified": True,
        "quality": "amber",
    }
    (folder / "test.yaml").write_text(yaml.safe_dump({"unit_costs": [entry]}), encoding="utf-8")
    return uc.load_library(folder)


def _q(value):
    return {"value": value, "source": "test fixture", "quality": "amber"}


def _ranged(low, central, high):
    return {"low": low, "central": central, "high": high, "source": "test fixture", "quality": "amber"}


def _outcomes(library, deadweight=None):
    """100 people a year, rate 1, the mutual's effect 0.1 / 0.2 / 0.4, deadweight 0.3 (or a range),
    attribution 0.5, no displacement, no haircut."""
    raw = {
        "project_id": "test-project",
        "monetisable": True,
        "summary": "test",
        "outcomes": [
            {
                "id": "incidents",
                "description": "incidents",
                "unit_cost": "test-incident",
                "cohort": {**_q(100), "description": "people a year"},
                "baseline_rate": _q(1.0),
                "deadweight": deadweight or _q(0.3),
                "attribution": _q(0.5),
                "displacement": _q(0.0),
                "options": {"mutual": {"effect": _ranged(0.1, 0.2, 0.4), "haircut": _q(0.0)}},
            }
        ],
    }
    return pv.parse_outcomes(raw, "test-project.yaml", library, ("in-house", "mutual", "outsourcing"))


def _run(outcomes, library, perspective, overrides=None):
    return outcome_sensitivity(
        outcomes,
        library,
        nps={"in-house": 0.0, "mutual": 50_000.0},
        ramps={"in-house": np.zeros(3), "mutual": RAMP},
        factors=FACTORS,
        deflator=DEFLATOR,
        base_year="2014-15",
        case="central",
        perspective=perspective,
        overrides=overrides,
    )


SPLIT = [
    {"agency": "council", "kind": "fiscal_cashable", "value_gbp": 600},
    {"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 400},
]


def test_an_effect_bar_by_hand_in_the_social_perspective(tmp_path):
    """Unit cost GBP 600 (council, cashable) + 400 (police, non-cashable) = 1,000, all counted in the
    social perspective. Benefits a year = 100 x 1 x effect x (1 - 0.3) x 0.5 x (1 - 0) x 1,000
    = 35,000 x effect; present value = that x 1.416602 (the weight above).
    Effect low 0.1: 3,500 x 1.416602 = 4,958.11; high 0.4: 14,000 x 1.416602 = 19,832.43;
    central 0.2: 7,000 x 1.416602 = 9,916.21. On net present saving (50,000) + counted benefits:
    54,958.11, 69,832.43 and 59,916.21; swing = 100 x 1 x (0.4 - 0.1) x 0.7 x 0.5 x 1,000 x 1.416602
    = 14,874.32."""
    lib = _library(tmp_path, SPLIT)
    rows, counted, left_out = _run(_outcomes(lib), lib, "social")
    assert list(rows["option"]) == ["mutual"] and left_out == {"mutual": []}
    row = rows.iloc[0]
    assert (row["scope"], row["key"], row["unit"], row["low"], row["high"]) == (
        "incidents/mutual",
        "effect",
        "share",
        0.1,
        0.4,
    )
    assert row["nps_at_low"] == pytest.approx(54_958.11, abs=0.01)
    assert row["nps_at_high"] == pytest.approx(69_832.43, abs=0.01)
    assert row["nps_base"] == pytest.approx(59_916.21, abs=0.01)
    assert row["swing"] == pytest.approx(14_874.32, abs=0.01)
    assert counted == {"mutual": pytest.approx(9_916.21, abs=0.01)}


def test_the_council_counts_only_its_cashable_share(tmp_path):
    """Council perspective: only the council's cashable GBP 600 of the 1,000 counts, so the effect's swing is
    100 x 1 x 0.3 x 0.7 x 0.5 x 600 x 1.416602 = 6,300 x 1.416602 = 8,924.59."""
    lib = _library(tmp_path, SPLIT)
    rows, _, left_out = _run(_outcomes(lib), lib, "council")
    assert rows.iloc[0]["swing"] == pytest.approx(8_924.59, abs=0.01)
    assert left_out == {"mutual": []}


def test_a_quantity_that_moves_nothing_the_council_counts_is_left_out_and_named(tmp_path):
    """A unit cost borne by the police alone: the council perspective counts none of it, so the effect moves
    none of the council's figures: no row, and the key is named as left out. The public perspective counts
    the police's fiscal value: swing 100 x 1 x 0.3 x 0.7 x 0.5 x 400 x 1.416602 = 5,949.73."""
    lib = _library(tmp_path, [{"agency": "police", "kind": "fiscal_non_cashable", "value_gbp": 400}])
    rows, counted, left_out = _run(_outcomes(lib), lib, "council")
    assert rows.empty and counted == {"mutual": 0.0}
    assert left_out == {"mutual": ["incidents/mutual.effect"]}
    public, _, _ = _run(_outcomes(lib), lib, "public")
    assert public.iloc[0]["swing"] == pytest.approx(5_949.73, abs=0.01)


def test_deadweight_swings_with_the_others_at_central_and_an_override_held(tmp_path):
    """Deadweight 0.2 / 0.3 / 0.4, effect at central 0.2: 20 avoided a year; the swing is
    20 x ((1 - 0.2) - (1 - 0.4)) x 0.5 x 1,000 x 1.416602 = 2,000 x 1.416602 = 2,833.20, the low deadweight
    giving the higher value. With the effect held at 0.4 by a what-if, 40 avoided: swing 5,666.41."""
    lib = _library(tmp_path, SPLIT)
    po = _outcomes(lib, deadweight=_ranged(0.2, 0.3, 0.4))
    rows, _, _ = _run(po, lib, "social")
    dw = rows.set_index("key").loc["deadweight"]
    assert dw["scope"] == "incidents/project"
    assert dw["swing"] == pytest.approx(2_833.20, abs=0.01)
    assert dw["nps_at_low"] > dw["nps_at_high"]
    held, _, _ = _run(po, lib, "social", overrides={"incidents/mutual.effect": 0.4})
    assert held.set_index("key").loc["deadweight", "swing"] == pytest.approx(5_666.41, abs=0.01)


def test_combined_puts_cost_rows_on_the_same_measure_and_ranks_by_swing():
    """Cost rows swing 20,000 and 5,000 on net present saving 50,000; counted benefits 9,916.21 move them to
    59,916.21 +- their swings (swings unchanged). With an outcome row of swing 14,874.32 the ranks are
    20,000 (1), 14,874.32 (2), 5,000 (3)."""
    cost = pd.DataFrame(
        {
            "option": ["mutual", "mutual"],
            "scope": ["mutual", "mutual"],
            "key": ["a", "b"],
            "description": ["a", "b"],
            "unit": ["share", "share"],
            "low": [0.0, 0.0],
            "high": [1.0, 1.0],
            "nps_base": [50_000.0, 50_000.0],
            "nps_at_low": [40_000.0, 47_500.0],
            "nps_at_high": [60_000.0, 52_500.0],
            "swing": [20_000.0, 5_000.0],
            "rank": [1, 2],
        }
    )
    outcome = cost.iloc[[0]].drop(columns="rank").assign(scope="incidents/mutual", key="effect", swing=14_874.32)
    out = combined(cost, outcome, {"mutual": 9_916.21})
    assert list(out["key"]) == ["a", "effect", "b"] and list(out["rank"]) == [1, 2, 3]
    a = out.set_index("key").loc["a"]
    assert (a["nps_base"], a["nps_at_low"], a["nps_at_high"]) == pytest.approx((59_916.21, 49_916.21, 69_916.21))
    assert list(cost["nps_base"]) == [50_000.0, 50_000.0]  # input not modified


HULL = "hull-adult-social-care"
KEY = "care-home-admissions/in-house-redesign.effect"


@pytest.fixture(scope="module")
def hull_social():
    return appraise(HULL, perspective="social", draws=0, with_switching=False)


def test_the_tornado_bar_of_an_outcome_effect_matches_a_what_if_at_that_value(hull_social):
    """Two independent routes: the tornado swings the effect to its low and high value; a what-if override at
    each value through the public API gives the net present value with benefits (net present saving + every
    benefit in the social perspective), which must equal the bar's ends."""
    sens = hull_social.sensitivity
    row = sens[
        (sens.option == "in-house-redesign")
        & (sens.scope == "care-home-admissions/in-house-redesign")
        & (sens.key == "effect")
    ].iloc[0]
    for value, end in ((row["low"], "nps_at_low"), (row["high"], "nps_at_high")):
        moved = appraise(
            HULL,
            perspective="social",
            draws=0,
            with_switching=False,
            with_sensitivity=False,
            overrides={KEY: float(value)},
        )
        npv = moved.public_value["options"]["in-house-redesign"]["net_present_value_gbp"]
        assert npv == pytest.approx(row[end], rel=1e-9)
    base = hull_social.public_value["options"]["in-house-redesign"]["net_present_value_gbp"]
    assert row["nps_base"] == pytest.approx(base, rel=1e-9)


def test_cost_rows_share_the_measure_and_the_chart_says_which(hull_social):
    """Every row of an option has the same central value: the option's net present value with the counted
    benefits (the social perspective's net present social value); the tornado's title names that measure."""
    sens = hull_social.sensitivity
    opt = sens[sens.option == "in-house-redesign"]
    base = hull_social.public_value["options"]["in-house-redesign"]["net_present_value_gbp"]
    assert opt["nps_base"].to_numpy() == pytest.approx(np.full(len(opt), base), rel=1e-9)
    assert (opt["scope"] == "in-house-redesign").any() and opt["scope"].str.contains("/").any()
    assert list(opt["rank"]) == list(range(1, len(opt) + 1))
    assert list(opt["swing"]) == sorted(opt["swing"], reverse=True)
    fig = charts.tornado(hull_social, "in-house-redesign", top=40)
    assert "net present social value" in fig.layout.title.text
    assert "net present social value" in tables.sensitivity_table(hull_social, "in-house-redesign").caption


def test_the_council_perspective_leaves_out_what_falls_on_others_and_says_so():
    """Manchester's repeat victimisation is valued only for victims, police and NHS (none of it the council's),
    so in the council perspective no outcome quantity moves the council's figures: no outcome row, the measure
    stays the net present saving, and the note names in words each quantity left out (the outcome's description
    in outcomes.yaml and the quantity), not by its key; the chart's note lines fit the paper's chart width."""
    r = appraise("manchester-domestic-abuse", perspective="council", draws=0, with_switching=False)
    assert not r.sensitivity["scope"].str.contains("/").any()
    assert r.sensitivity_measure == "net present saving"
    # every option leaves out the same three quantities of the one outcome: said once, the outcome in words
    left_out = (
        "for every option: Victims supported by the service who suffer a further period of abuse within a year "
        "(cohort, baseline rate, effect)."
    )
    assert left_out in r.sensitivity_note and "repeat-victimisation/" not in r.sensitivity_note
    fig = charts.tornado(r, "outsourcing")
    subtitle = fig.layout.title.subtitle.text
    assert left_out in subtitle.replace("<br>", " ") and "repeat-victimisation/" not in subtitle
    note_lines = subtitle.split("<br>")[2:]  # after the chart's heading line and 'top N assumptions ...'
    assert note_lines[0].startswith("Outcome quantities left out")
    assert max(len(line) for line in note_lines) <= charts.NOTE_WRAP


def test_the_ramp_up_lever_moves_benefits_as_it_moves_savings(hull_social):
    """``ramp_up_years`` ramps benefits as it ramps savings, so its bar's ends must equal the net present
    value with benefits of a what-if at each end (net present saving and every benefit with that ramp)."""
    sens = hull_social.sensitivity
    row = sens[(sens.option == "in-house-redesign") & (sens.key == "ramp_up_years")].iloc[0]
    assert row["low"] < row["high"]
    for value, end in ((row["low"], "nps_at_low"), (row["high"], "nps_at_high")):
        moved = appraise(
            HULL,
            perspective="social",
            draws=0,
            with_switching=False,
            with_sensitivity=False,
            overrides={"in-house-redesign.ramp_up_years": float(value)},
        )
        npv = moved.public_value["options"]["in-house-redesign"]["net_present_value_gbp"]
        assert npv == pytest.approx(row[end], rel=1e-9)
