"""Praat TextGrid: an interval tier per person and per tag."""

from __future__ import annotations

from dialogic.export.tiers import speech_tiers, tag_tiers
from dialogic.export.transcript import MeetingTranscript


def render_textgrid(transcript: MeetingTranscript) -> str:
    """The meeting as a Praat TextGrid (long text form, written by praatio) from 0 to the
    recording's end: the same speech and tag tiers as the ELAN export (``tiers``), as interval
    tiers. Gaps are empty intervals, as Praat expects."""
    from praatio import textgrid
    from praatio.utilities import textgrid_io

    tiers = [*speech_tiers(transcript), *tag_tiers(transcript)]
    # every tier spans the whole recording (lay_out's 1 ms minimum may pass a zero-length last word)
    end_s = max([transcript.end_s, *(i.end_ms / 1000 for tier in tiers for i in tier.intervals)])
    grid = textgrid.Textgrid(minTimestamp=0.0, maxTimestamp=end_s)
    for tier in tiers:
        entries = [(i.start_ms / 1000, i.end_ms / 1000, i.text) for i in tier.intervals]
        grid.addTier(textgrid.IntervalTier(tier.name, entries, 0.0, end_s))  # validates: ordered, none overlap
    as_dict = {
        "xmin": grid.minTimestamp,
        "xmax": grid.maxTimestamp,
        "tiers": [
            {"class": t.tierType, "name": t.name, "xmin": t.minTimestamp, "xmax": t.maxTimestamp, "entries": t.entries}
            for t in grid.tiers
        ],
    }
    # the text itself, not a file: nothing of the transcript goes through a temporary file
    return textgrid_io.getTextgridAsStr(as_dict, "long_textgrid", includeBlankSpaces=True, minimumIntervalLength=None)
