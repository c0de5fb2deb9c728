"""Command-line interface: ``ddanalysis COMMAND`` (also ``python -m ddanalysis``).

Parsing is Typer's; each command calls the library and prints. Errors in the user's input are
printed as one paragraph (no traceback) with a non-zero exit status.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import DDAnalysisError

app = typer.Typer(
    name="ddanalysis",
    help="Options appraisal for the Delivering Differently programme (HM Treasury Green Book method).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command("projects")
def projects_command(as_json: bool = typer.Option(False, "--json", help="JSON instead of a table.")) -> None:
    """List the programme's ten projects."""
    from .registry import projects_frame

    frame = projects_frame()
    if as_json:
        typer.echo(json.dumps(frame.to_dict(orient="records"), indent=2))
    else:
        typer.echo(frame[["id", "title", "councils", "plan_start"]].to_string(index=False))


@app.callback()
def _group() -> None:
    """Options appraisal for the Delivering Differently programme (HM Treasury Green Book method)."""


# --- commands added by the data layer, the engine and the exports live below -----------------------


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: run the CLI, turning input errors into a clear message and exit status 2."""
    try:
        app(args=argv, prog_name="ddanalysis")
    except DDAnalysisError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
