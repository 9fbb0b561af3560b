"""The study's bar for calling a tag validated (table ``validation_settings``, one row).

A tag is *validated* once an estimate recorded with `dialogic validate record` rests on at least
``min_items_per_tag`` decided items, the lower 95 % bound of ``bar_figure`` reaches ``bar_low``
and κ's lower bound is above 0 (whatever the bar figure: a tagger not shown to agree better than
chance is never validated); with that many items and either test failed it has *failed
validation*; before that it is *in progress* (k of n rated). The view ``tag_validation_status`` applies the
rule; this module only reads and writes the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dialogic.tagging.codebook import TAGS

BAR_FIGURES = ("kappa", "f1", "precision", "recall")


@dataclass(frozen=True)
class ValidationSettings:
    """``min_items_per_tag``: decided items a tag needs before a verdict (default 100);
    ``bar_figure``: the figure judged, model vs rater consensus (default ``kappa``);
    ``bar_low``: the least its lower 95 % bound may be, 0 to 1 (default 0.60)."""

    min_items_per_tag: int = 100
    bar_figure: str = "kappa"
    bar_low: float = 0.6


def read_settings(con: duckdb.DuckDBPyConnection) -> ValidationSettings:
    row = con.execute("select min_items_per_tag, bar_figure, bar_low from validation_settings limit 1").fetchone()
    return ValidationSettings(*row) if row else ValidationSettings()


def tag_statuses(con: duckdb.DuckDBPyConnection, tagger_model_version: str) -> dict[str, str]:
    """tag → the status sentence of ``tag_validation_status`` for one tagger version."""
    rows = con.execute(
        "select tag, validation_status from tag_validation_status where tagger_model_version = ?",
        [tagger_model_version],
    ).fetchall()
    return dict(rows)


@dataclass(frozen=True)
class RecordedStatus:
    """One tag's row of ``tag_validation_status``: what every view, report and export says, and
    the figures recorded with `dialogic validate record` that it rests on (None before any)."""

    tagger_model_version: str
    tag: str
    status: str  # not validated | in progress | validated | failed validation
    sentence: str  # the full status sentence
    sample_id: str | None
    items: int | None  # decided items the recorded estimate rests on
    kappa: float | None
    kappa_low: float | None
    kappa_high: float | None
    f1: float | None
    items_rated: int = 0
    items_needed: int = 0


def recorded_statuses(con: duckdb.DuckDBPyConnection, tagger_model_version: str | None = None) -> list[RecordedStatus]:
    """Every row of ``tag_validation_status`` (one tagger version's, if given), by version and the
    codebook's order of tags."""
    rows = con.execute(
        """
        select tagger_model_version, tag, status, validation_status, sample_id, items, kappa, kappa_low,
               kappa_high, f1, items_rated, items_needed
        from tag_validation_status
        where $version is null or tagger_model_version = $version
        """,
        {"version": tagger_model_version},
    ).fetchall()
    order = {tag: i for i, tag in enumerate(TAGS)}
    return [RecordedStatus(*r) for r in sorted(rows, key=lambda r: (r[0], order.get(r[1], len(order)), r[1]))]
