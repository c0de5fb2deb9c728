"""What-if overrides (--set KEY=VALUE, appraise(overrides=...)): key grammar, bounds, errors, effect."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ddanalysis as dd
from ddanalysis.errors import DDAnalysisError
from ddanalysis.overrides import parse_pairs

PID = "walsall-college"


def test_pairs_are_parsed_as_plain_numbers():
    assert parse_pairs(["mutual.pension_rate_change=0.04", " project.demand_growth = -0.01 "]) == {
        "mutual.pension_rate_change": 0.04,
        "project.demand_growth": -0.01,
    }


@pytest.mark.parametrize(
    "pair, message",
    [
        ("mutual.pension_rate_change", "expected KEY=VALUE"),
        ("mutual.pension_rate_change=", "expected KEY=VALUE"),
        ("Mutual.Pension=0.1", "expected '<scope>.<key>'"),
        ("mutual.pension_rate_change=nan", "plain number"),
        ("mutual.pension_rate_change=1e999", "plain number"),
        ("mutual.pension_rate_change=__import__('os')", "plain number"),
    ],
)
def test_malformed_pairs_are_refused_with_the_reason(pair, message):
    with pytest.raises(DDAnalysisError, match=message):
        parse_pairs([pair])


def test_a_key_given_twice_is_refused():
    with pytest.raises(DDAnalysisError, match="given twice"):
        parse_pairs(["mutual.pension_rate_change=0.01", "mutual.pension_rate_change=0.02"])


def test_unknown_keys_and_out_of_bounds_values_name_the_key_and_the_bounds():
    with pytest.raises(DDAnalysisError, match=r"mutual.pension_rte: not an assumption .* mutual.pension_rate_change"):
        dd.appraise(PID, draws=0, with_switching=False, overrides={"mutual.pension_rte": 0.01})
    with pytest.raises(DDAnalysisError, match=r"outside its bounds \[-0.2, 0.2\]"):
        dd.appraise(PID, draws=0, with_switching=False, overrides={"mutual.pension_rate_change": 0.5})


def test_an_override_moves_the_saving_as_the_one_way_sensitivity_says():
    """The tornado evaluates the model with one assumption at its low value; an override at that value
    through the public API must give the same net present saving (two independent routes)."""
    base = dd.appraise(PID, draws=0)
    row = base.sensitivity[
        (base.sensitivity.option == "mutual") & (base.sensitivity.key == "pension_rate_change")
    ].iloc[0]
    moved = dd.appraise(PID, draws=0, with_switching=False, overrides={"mutual.pension_rate_change": float(row.low)})
    nps = moved.options.set_index("id").loc["mutual", "net_present_saving_gbp"]
    assert nps == pytest.approx(row.nps_at_low, rel=1e-9, abs=1e-6)
    assert moved.run_record.overrides == {"mutual.pension_rate_change": float(row.low)}


def test_an_override_is_fixed_in_every_monte_carlo_draw():
    """With the only uncertain lever of the mutual that moves its pension cost fixed, the spread of the
    mutual's saving narrows (the other levers still vary), and the override is in the JSON's run record."""
    free = dd.appraise(PID, draws=2000, seed=3, with_switching=False)
    fixed = dd.appraise(
        PID,
        draws=2000,
        seed=3,
        with_switching=False,
        overrides={"mutual.pension_rate_change": 0.02, "mutual.staff_cost_change": -0.07},
    )
    spread = {r.id: r.saving_p90_gbp - r.saving_p10_gbp for r in free.options.itertuples() if r.id == "mutual"}
    narrower = {r.id: r.saving_p90_gbp - r.saving_p10_gbp for r in fixed.options.itertuples() if r.id == "mutual"}
    assert narrower["mutual"] < spread["mutual"]
    assert fixed.to_dict()["run_record"]["overrides"]["mutual.staff_cost_change"] == -0.07


def test_the_cli_takes_repeated_set_and_refuses_bad_values_with_exit_2():
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "ddanalysis",
            "appraise",
            PID,
            "--draws",
            "0",
            "--json",
            "--set",
            "mutual.pension_rate_change=0.04",
            "--set",
            "project.optimism_bias_mitigation=0.3",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert '"optimism_bias_mitigation_source": "override"' in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "ddanalysis", "appraise", PID, "--draws", "0", "--set", "mutual.pension_rate_change=9"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "outside its bounds" in bad.stderr and "Traceback" not in bad.stderr
