"""The data log's generated table and the impact ranking behind it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ddanalysis import datalog, impact_ranks
from ddanalysis.cli import app
from ddanalysis.impact import RANK_COLUMNS, project_swings, rank_assumptions


def test_the_committed_table_equals_a_fresh_generation():
    text = datalog.readme_path().read_text(encoding="utf-8")
    assert datalog.BEGIN in text and datalog.END in text
    assert datalog.render_readme(text, datalog.build_table()) == text, "run `make datalog` and commit the README"


def test_render_readme_replaces_only_the_generated_part():
    text = f"# rules\n\nhand-written\n\n{datalog.BEGIN}\nold\n{datalog.END}\n\n## Assumption keys\nmore\n"
    out = datalog.render_readme(text, "new")
    assert out == f"# rules\n\nhand-written\n\n{datalog.BEGIN}\nnew\n{datalog.END}\n\n## Assumption keys\nmore\n"
    assert datalog.render_readme("# only rules\n", "t").endswith(f"{datalog.BEGIN}\nt\n{datalog.END}\n")


def test_every_assumption_entry_is_ranked_once_and_ranks_are_ordered():
    frame = rank_assumptions()
    assert list(frame.columns) == RANK_COLUMNS
    assert not frame.duplicated(["entry", "scope", "key"]).any()
    assert list(frame["rank"]) == list(range(1, len(frame) + 1))
    assert frame["gap_swing_share"].is_monotonic_decreasing
    assert (frame["gap_swing_share"] >= 0).all()


def test_a_lever_of_an_option_neither_best_nor_runner_up_does_not_move_the_gap():
    swings = project_swings("hull-adult-social-care").set_index(["scope", "key"])
    best, runner_up = swings["best"].iloc[0], swings["runner_up"].iloc[0]
    others = [s for s in swings.index.get_level_values(0).unique() if s not in (best, runner_up, "project")]
    for scope in others:
        assert (swings.loc[scope, "gap_swing_share"] == 0).all(), scope


def test_cli_ranks_and_prints_json():
    runner = CliRunner()
    out = runner.invoke(app, ["assumptions", "--rank", "--top", "3"])
    assert out.exit_code == 0, out.output
    assert (
        "gap swing" in out.output and len([line for line in out.output.splitlines() if line.strip()[:1].isdigit()]) == 3
    )
    js = runner.invoke(app, ["assumptions", "--rank", "--top", "2", "--json"])
    rows = json.loads(js.output)
    assert [r["rank"] for r in rows] == [1, 2] and {"scope", "key", "gap_swing_share", "source_id"} <= set(rows[0])
    plain = runner.invoke(app, ["assumptions", "--json"])
    assert plain.exit_code == 0 and all("as_of" in r for r in json.loads(plain.output))


def test_a_projects_assumptions_are_those_of_its_short_list():
    """`assumptions walsall-college` lists what its appraisal uses: the project-wide assumptions and the models
    on its short list (project.yaml: in-house, in-house-redesign, mutual, charitable-trust, outsourcing; the
    status quo has no levers); --all-models lists every model's, a trading company's among them."""
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["assumptions", "walsall-college", "--json"]).output)
    assert {r["scope"] for r in listed} == {"project", "in-house-redesign", "mutual", "charitable-trust", "outsourcing"}
    every = json.loads(runner.invoke(app, ["assumptions", "walsall-college", "--all-models", "--json"]).output)
    assert "trading-company" in {r["scope"] for r in every} and len(every) > len(listed)


def test_two_projects_overrides_of_one_key_are_two_entries_each_with_its_own_rank():
    """Dover (London museums survey, 0.06) and Walsall (City Lit, 0.005) each override
    ``charitable-trust.grant_income_share`` in their own assumptions.yaml. The ranking once keyed entries by file
    name alone ('assumptions.yaml'), so the two overrides were one entry and Walsall's showed Dover's rank and
    swing in the data log. Each is now its own entry, named by its project's file, ranked in its own project
    with the swing that project's one-at-a-time sensitivity gives it."""
    frame = rank_assumptions()
    rows = frame[(frame.scope == "charitable-trust") & (frame.key == "grant_income_share")].set_index("entry")
    walsall, dover = "../projects/walsall-college/assumptions.yaml", "../projects/dover-museum-tourism/assumptions.yaml"
    assert {walsall, dover, "charitable-trust.yaml"} <= set(rows.index)
    assert rows.loc[walsall, "project"] == "walsall-college" and rows.loc[dover, "project"] == "dover-museum-tourism"
    own = project_swings("walsall-college").set_index(["scope", "key"])
    assert (
        rows.loc[walsall, "gap_swing_share"] == own.loc[("charitable-trust", "grant_income_share"), "gap_swing_share"]
    )
    assert rows.loc[walsall, "rank"] != rows.loc[dover, "rank"]


def test_the_committed_ranks_file_equals_a_fresh_ranking_and_is_read_back():
    """data/assumptions/impact_rank.csv, which the workbook, dashboard and notebooks read for each entry's rank, is
    what `make datalog` would write now; read back, its ranks are the ranking's, entry by entry."""
    path = impact_ranks.rank_file_path()
    assert path.read_text(encoding="utf-8") == datalog.build_rank_file(), "run `make datalog` and commit the ranks"
    ranks = impact_ranks.committed_ranks()
    frame = rank_assumptions()
    assert ranks == {(e, s, k): int(r) for e, s, k, r in zip(frame.entry, frame.scope, frame.key, frame["rank"])}


def test_a_damaged_ranks_file_is_refused_naming_it_and_a_missing_one_ranks_nothing(tmp_path):
    """A ranks file without its columns is an error naming the file and the command that writes it; a data folder
    without one (a copy made before it existed) shows every entry as not ranked rather than failing."""
    import pytest

    from ddanalysis.errors import DataFileError

    bad = tmp_path / "impact_rank.csv"
    bad.write_text("rank,assumption\n1,mutual.staff_cost_change\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"impact_rank\.csv: no column entry, scope, key, gap_swing_share, project"):
        impact_ranks.committed_ranks(bad)
    assert impact_ranks.committed_ranks(tmp_path / "absent.csv") == {}
