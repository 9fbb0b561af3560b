"""Clock times for the formats that write them as text."""

from __future__ import annotations

import math


def clock_ms(seconds: float, separator: str = ".") -> str:
    """``hh:mm:ss.mmm`` (WebVTT, CSV) or, with ``separator=","``, ``hh:mm:ss,mmm`` (SRT), to the
    nearest millisecond."""
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def clock_s(seconds: float) -> str:
    """``hh:mm:ss``, rounded down to the whole second, so that a QDA tool that plays from the
    timestamp starts at or just before the utterance, never after its first word."""
    whole = math.floor(seconds + 1e-9)  # 2.9999999999999996, float arithmetic for 3.0, still reads 00:00:03
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"
