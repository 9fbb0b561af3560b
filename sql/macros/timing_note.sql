-- The note a view carries for a meeting whose utterances came from an imported transcript
-- (meetings.source, meetings.timed; migration 018): null for a meeting processed from audio.
-- Without times (plain text, or a CSV without start and end) every time-based figure is null and
-- shares are by words (words_pct); with the transcript's times, overlaps are not measured, as no
-- diarisation ran.
create or replace macro timing_note(source, timed) as
    case
        when not coalesce(timed, true) then
            'no timing: the imported transcript has no times, so time-based figures are null; shares by words (words_pct)'
        when coalesce(source, 'audio') <> 'audio' then
            'times from the imported transcript; overlaps not measured (no diarisation)'
    end;
