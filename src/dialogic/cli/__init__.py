"""The `dialogic` command line: a thin layer over the library.

Each command group registers its commands from its own module (``dialogic/cli/<group>.py`` with a
``register(app)`` function), so the CLI stays one small file per responsibility.
"""

from __future__ import annotations

import importlib
import sys

import typer

import dialogic
import dialogic.consent  # noqa: F401  (every command then finishes an interrupted withdrawal on open)
from dialogic.errors import DialogicError


class _App(typer.Typer):
    """The typer app, with a last net under every command: an error dialogic raised on purpose
    that a command did not catch is still one line on standard error, never a traceback."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except DialogicError as exc:
            from dialogic.cli.common import redact_key

            print(f"error: {redact_key(str(exc))}", file=sys.stderr)
            sys.exit(1)


app = _App(
    name="dialogic",
    help="Turn consented Open Dialogue network-meeting recordings into evidence in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # help texts hold literal brackets ("[hh:mm:ss] Name (role): text", "[...]"): never rich markup
    rich_markup_mode=None,
)

# One module per command group; each defines register(app: typer.Typer) -> None.
_COMMAND_MODULES = [
    "dialogic.cli.process",
    "dialogic.cli.export",
    "dialogic.cli.speakers",
    "dialogic.cli.models",
    "dialogic.cli.review",
    "dialogic.cli.sql",
    "dialogic.cli.tagging",
    "dialogic.cli.validate",
    "dialogic.cli.consent",
    "dialogic.cli.db",
    "dialogic.cli.report",
]


def _print_version(value: bool) -> None:
    # An eager option's callback runs while the arguments are parsed, before Click asks for a command.
    if value:
        typer.echo(dialogic.__version__)
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
) -> None:
    """Turn consented Open Dialogue network-meeting recordings into evidence in DuckDB."""


for _name in _COMMAND_MODULES:
    importlib.import_module(_name).register(app)
for _group in app.registered_groups:  # each command group is its own Typer: the same plain help
    if _group.typer_instance is not None:
        _group.typer_instance.rich_markup_mode = None
