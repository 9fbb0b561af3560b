"""Commands for processing recordings: process, export, speakers, models, demo."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
