"""The `dialogic` command line: a thin layer over the library.

Each area registers its commands from its own module (``cli_<area>.py`` with a
``register(app)`` function), so the CLI stays one small file per responsibility.
"""

from __future__ import annotations

import importlib

import typer

import dialogic

app = typer.Typer(
    name="dialogic",
    help="Turn consented Open Dialogue network-meeting recordings into evidence in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module per area; each defines register(app: typer.Typer) -> None.
_COMMAND_MODULES = [
    "dialogic.cli_pipeline",
    "dialogic.cli_review",
    "dialogic.cli_sql",
    "dialogic.cli_tagging",
]


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", help="Print the version and exit.", is_eager=True),
) -> None:
    if version:
        typer.echo(dialogic.__version__)
        raise typer.Exit()


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)
