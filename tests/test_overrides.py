"""What-if overrides (--set KEY=VALUE, appraise(overrides=...)): key grammar, bounds, errors, effect."""

from __future__ import annotations

import subprocess
import sys

import pytest

import ddanalysis as dd
from ddanalysis.errors import DDAnalysisError
from ddanalysis.overrides import parse_pairs, what_if_note

PID = "walsall-college"


def _cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m ddanalysis ARGS`` in a fresh process."""
    return subprocess.run([sys.executable, "-m", "ddanalysis", *args], capture_output=True, text=True, timeout=120)


def test_pairs_are_parsed_as_plain_numbers():
    assert parse_pairs(["mutual.pension_rate_change=0.04", " project.demand_growth = -0.01 "]) == {
        "mutual.pension_rate_change": 0.04,
        "project.demand_growth": -0.01,
    }
    # the other ways a person writes a plain number
    assert parse_pairs(["a.b=.5", "c.d=2.", "e.f=+1e-2", "g.h=3E1"]) == {
        "a.b": 0.5,
        "c.d": 2.0,
        "e.f": 0.01,
        "g.h": 30.0,
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
        # Python's float() reads these, a person would not: 0_07 as 7, Arabic-Indic digits, 'infinity'
        ("mutual.pension_rate_change=0_07", "plain number"),
        ("mutual.pension_rate_change=0.0_7", "plain number"),
        ("mutual.pension_rate_change=\u0660.\u0660\u0667", "plain number"),
        ("mutual.pension_rate_change=infinity", "plain number"),
        ("mutual.pension_rate_change=4%", "plain number"),
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
    ok = _cli(
        "appraise",
        PID,
        "--draws",
        "0",
        "--json",
        "--set",
        "mutual.pension_rate_change=0.04",
        "--set",
        "project.optimism_bias_mitigation=0.3",
    )
    assert ok.returncode == 0, ok.stderr
    assert '"optimism_bias_mitigation_source": "override"' in ok.stdout
    bad = _cli("appraise", PID, "--draws", "0", "--set", "mutual.pension_rate_change=9")
    assert bad.returncode == 2 and "outside its bounds" in bad.stderr and "Traceback" not in bad.stderr


def test_what_if_note_names_each_key_its_value_and_the_scenario_value_it_replaces():
    """By hand: two what-if values, sorted by key; the project key has no scenario value in the mapping given,
    and an outcome input ('<outcome>/<scope>.<key>') never shows one."""
    scenario_values = {("mutual", "pension_rate_change"): 0.02}
    note = what_if_note(
        {"project.demand_growth": -0.01, "mutual.pension_rate_change": 0.04, "jobs/mutual.effect": 0.5}, scenario_values
    )
    assert note == (
        "WHAT-IF values replace the scenario's: jobs/mutual.effect = 0.5; mutual.pension_rate_change = 0.04 "
        "(scenario value 0.02); project.demand_growth = -0.01."
    )
    assert what_if_note({}, scenario_values) == "" and what_if_note(None, scenario_values) == ""


def test_every_heading_of_a_what_if_run_says_so():
    """A run with a what-if value once printed 'Scenario: central' and, in the board paper, 'Every assumption at
    its central value', with the value nowhere. Walsall's mutual pension_rate_change is 0.02 in the central
    scenario (mutual.yaml); the result's scenario description, which the workbook cover and the paper's basis
    show, now ends with the what-if value, and a run without one is unchanged."""
    plain = dd.appraise(PID, draws=0, with_switching=False, with_sensitivity=False)
    what_if = dd.appraise(
        PID, draws=0, with_switching=False, with_sensitivity=False, overrides={"mutual.pension_rate_change": 0.04}
    )
    assert plain.scenario_description == "Every assumption at its central value; central plan durations."
    assert what_if.scenario_description == (
        "Every assumption at its central value; central plan durations. WHAT-IF values replace the scenario's: "
        "mutual.pension_rate_change = 0.04 (scenario value 0.02)."
    )
    # the note on its own too, which the CLI header and the paper's title and footer test (not a text search)
    assert plain.what_if == ""
    assert (
        what_if.what_if
        == "WHAT-IF values replace the scenario's: mutual.pension_rate_change = 0.04 (scenario value 0.02)."
    )


def test_the_cli_table_states_the_what_if_values():
    out = _cli("appraise", PID, "--draws", "0", "--set", "mutual.pension_rate_change=0.04")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[1].startswith("Scenario: central.")
    assert lines[2] == "WHAT-IF values replace the scenario's: mutual.pension_rate_change = 0.04 (scenario value 0.02)."


@pytest.mark.parametrize("key", ["cooperative.staff_cost_change", "community-led.volunteer_substitution"])
def test_a_what_if_value_for_a_model_off_the_short_list_is_refused(key):
    """Walsall's short list has no co-operative and no community-led option: a value for either changed nothing
    yet was listed as a what-if. Refused, naming the key and the short list; exit 2 on the command line."""
    with pytest.raises(DDAnalysisError, match=rf"{key}: '.*' is not on this project's short list \(in-house, "):
        dd.appraise(PID, draws=0, with_switching=False, overrides={key: 0.1})
    out = _cli("appraise", PID, "--draws", "0", "--set", f"{key}=0.1")
    assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr
    assert out.stderr.startswith(f"error: {key}: ") and "short list" in out.stderr


def test_a_service_prefix_on_a_one_baseline_project_says_why_it_is_refused(capsys):
    """docs/workspaces.md: with one shared baseline a service prefix is refused, the services being one appraisal.
    The prefix of Dover's one service ('service', its project.yaml) was read as an outcome id and refused as
    "not an outcome quantity"; the reason is now given, with the key to write."""
    from ddanalysis import cli

    with pytest.raises(SystemExit) as stop:
        cli.main(
            [
                "appraise",
                "dover-museum-tourism",
                "--draws",
                "0",
                "--set",
                "service/charitable-trust.grant_income_share=0.07",
            ]
        )
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "'service' is a service of dover-museum-tourism, whose services share one" in err
    assert err.rstrip().endswith("write charitable-trust.grant_income_share")
