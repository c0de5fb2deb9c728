"""The data log's generated table and the impact ranking behind it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ddanalysis import datalog
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
    assert not frame.duplicated(["file", "scope", "key"]).any()
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
