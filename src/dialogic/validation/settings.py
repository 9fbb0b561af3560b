"""The study's bar for calling a tag validated (table ``validation_settings``, one row).

A tag is *validated* once an estimate recorded with `dialogic validate record` rests on at least
``min_items_per_tag`` decided items and the lower 95 % bound of ``bar_figure`` reaches
``bar_low``; with that many items and a lower bound below the bar it has *failed validation*;
before that it is *in progress* (k of n rated). The view ``tag_validation_status`` applies the
rule; this module only reads and writes the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dialogic.errors import LookupFailed

BAR_FIGURES = ("kappa", "f1", "precision", "recall")


@dataclass(frozen=True)
class ValidationSettings:
    """``min_items_per_tag``: decided items a tag needs before a verdict (default 100);
    ``bar_figure``: the figure judged, model vs rater consensus (default ``kappa``);
    ``bar_low``: the least its lower 95 % bound may be (default 0.60)."""

    min_items_per_tag: int = 100
    bar_figure: str = "kappa"
    bar_low: float = 0.6


def read_settings(con: duckdb.DuckDBPyConnection) -> ValidationSettings:
    row = con.execute("select min_items_per_tag, bar_figure, bar_low from validation_settings limit 1").fetchone()
    return ValidationSettings(*row) if row else ValidationSettings()


def write_settings(
    con: duckdb.DuckDBPyConnection,
    *,
    min_items_per_tag: int | None = None,
    bar_figure: str | None = None,
    bar_low: float | None = None,
) -> ValidationSettings:
    """Change the given settings, keep the others; returns the settings now in force."""
    current = read_settings(con)
    new = ValidationSettings(
        current.min_items_per_tag if min_items_per_tag is None else min_items_per_tag,
        current.bar_figure if bar_figure is None else bar_figure,
        current.bar_low if bar_low is None else bar_low,
    )
    if new.min_items_per_tag < 1:
        raise LookupFailed(f"--min-items must be at least 1, got {new.min_items_per_tag}")
    if new.bar_figure not in BAR_FIGURES:
        raise LookupFailed(f"unknown bar figure {new.bar_figure!r}; expected one of: {', '.join(BAR_FIGURES)}")
    if not -1 <= new.bar_low <= 1:
        raise LookupFailed(f"--bar must be between -1 and 1, got {new.bar_low}")
    con.execute("delete from validation_settings")
    con.execute(
        "insert into validation_settings (min_items_per_tag, bar_figure, bar_low) values (?, ?, ?)",
        [new.min_items_per_tag, new.bar_figure, new.bar_low],
    )
    return new


def tag_statuses(con: duckdb.DuckDBPyConnection, tagger_model_version: str) -> dict[str, str]:
    """tag → the status sentence of ``tag_validation_status`` for one tagger version."""
    rows = con.execute(
        "select tag, validation_status from tag_validation_status where tagger_model_version = ?",
        [tagger_model_version],
    ).fetchall()
    return dict(rows)
