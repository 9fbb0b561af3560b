"""How a report writes times, shares and missing values (shared by the plots and the templates)."""

from __future__ import annotations

import math

from dialogic.tagging.codebook import TAG_TITLES

ROLE_ORDER = ("service_user", "network", "clinician", "peer", "other", "unknown")
ROLE_TITLES = {
    "service_user": "service user",
    "network": "network",
    "clinician": "clinician",
    "peer": "peer worker",
    "other": "other",
    "unknown": "unknown (unmapped)",
    "none": "none",
}
# Okabe–Ito colours: told apart with the common colour-vision deficiencies; unmapped speech is grey.
ROLE_COLOURS = {
    "service_user": "#D55E00",
    "network": "#009E73",
    "clinician": "#0072B2",
    "peer": "#CC79A7",
    "other": "#E69F00",
    "unknown": "#999999",
}
MISSING = "—"  # a value the views leave undefined (null), never shown as 0


def clock(seconds: float | None) -> str:
    """``h:mm:ss`` (``mm:ss`` under an hour) of a time in seconds, rounded down to the second."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return MISSING
    whole = int(math.floor(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def hms(seconds: float | None) -> str:
    """``hh:mm:ss`` always with hours, for the time links of evidence utterances."""
    if seconds is None:
        return MISSING
    whole = int(math.floor(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def number(value: float | int | None, digits: int = 1) -> str:
    """A figure with ``digits`` decimals (integers as they are); ``—`` for an undefined one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def speech_amount(hours: float | None) -> str:
    """An amount of speech in the unit that keeps its size readable: ``3.2 hours``,
    ``14.5 minutes``, ``42 seconds`` (never ``0.0 hours`` for a short study); ``—`` when unknown."""
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return MISSING
    seconds = hours * 3600
    if seconds >= 3600:
        return f"{hours:,.1f} hours"
    if seconds >= 60:
        return f"{seconds / 60:,.1f} minutes"
    return f"{seconds:,.0f} seconds"


def percent(value: float | None, digits: int = 1) -> str:
    """A share in % (0–100) with ``digits`` decimals; ``—`` when the views leave it undefined."""
    text = number(value, digits)
    return text if text == MISSING else f"{text} %"


def count(n: int, noun: str) -> str:
    """``1 meeting``, ``2 meetings``, ``10,000 meetings``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def role_title(role: str | None) -> str:
    return ROLE_TITLES.get(role or "none", role or "none")


def tag_title(tag: str) -> str:
    return TAG_TITLES.get(tag, tag)
