"""The JSON export: dialogic's stable contract for a meeting's transcript.

``{"meeting_id", "recorded_on", "duration_s", "consent_note",
"tagger": {"model_version", "validation_status"} | null,
"participants": [{"participant_id", "pseudonym", "role", "speaker_labels"}],
"utterances": [{"id", "speaker", "participant_id", "pseudonym", "role", "start_s", "end_s", "text",
"words": [{"start_s", "end_s", "word", "probability"}],
"tags": [{"tag", "probability", "threshold", "label", "role_rule", "counts", "model_version",
"rater_label", "n_raters"}]}],
"corrections": [{"revision_id", "meeting_id", "editor", "edited_at", "kind", "target_ids", "params",
"before", "after", "speaker_labels"}]}``

- ``recorded_on``: ISO date or null; ``duration_s``: seconds or null; ``consent_note``: null, or
  ``incomplete: the speech of N participant(s) was withdrawn``.
- ``tagger``: the version whose labels the views count for this meeting and its measured error on
  this study (``not validated on this study`` until ``dialogic validate report``); null when the
  meeting is not tagged.
- ``speaker``: the diarisation label (null when no diarised speaker overlapped the words);
  ``participant_id``, ``pseudonym`` and ``role`` are null until a rater maps the speaker.
- ``tags``: one per tag of the current tagger, sorted by tag name; empty when not tagged. ``label`` is
  the model's yes/no, ``role_rule`` the codebook's rule for the speaker's role (``applies``,
  ``candidate``, ``not_applicable``), ``counts`` whether the views count it (label and applies),
  ``rater_label`` the raters' majority answer (null: not rated, or a tie) from ``n_raters``.
- ``corrections``: the meeting's rows of the append-only ``transcript_revisions`` table (editors'
  corrections, see docs/review.md), oldest first: ``kind`` is reassign, split, merge, edit_words
  or rename_speaker; ``params`` what was asked, ``before``/``after`` the utterances it read and
  left. The utterances above already are the corrected transcript.
"""

from __future__ import annotations

import json

from dialogic.export.transcript import MeetingTranscript


def transcript_json(transcript: MeetingTranscript) -> dict:
    """``transcript`` as the contract above."""
    return {
        "meeting_id": transcript.meeting_id,
        "recorded_on": transcript.recorded_on.isoformat() if transcript.recorded_on else None,
        "duration_s": transcript.duration_s,
        "consent_note": transcript.consent_note,
        "tagger": None
        if transcript.tagger_model_version is None
        else {"model_version": transcript.tagger_model_version, "validation_status": transcript.validation_status},
        "participants": [
            {
                "participant_id": p.participant_id,
                "pseudonym": p.pseudonym,
                "role": p.role,
                "speaker_labels": list(p.speaker_labels),
            }
            for p in transcript.participants
        ],
        "utterances": [
            {
                "id": u.utterance_id,
                "speaker": u.voice.speaker_label,
                "participant_id": u.voice.participant_id,
                "pseudonym": u.voice.pseudonym,
                "role": u.voice.role,
                "start_s": u.start_s,
                "end_s": u.end_s,
                "text": u.text,
                "words": [
                    {"start_s": w.start_s, "end_s": w.end_s, "word": w.word, "probability": w.probability}
                    for w in u.words
                ],
                "tags": [
                    {
                        "tag": t.tag,
                        "probability": t.probability,
                        "threshold": t.threshold,
                        "label": t.model_label,
                        "role_rule": t.role_rule,
                        "counts": t.counts,
                        "model_version": t.model_version,
                        "rater_label": t.rater_label,
                        "n_raters": t.n_raters,
                    }
                    for t in u.tags
                ],
            }
            for u in transcript.utterances
        ],
        "corrections": list(transcript.corrections),
    }


def render_json(transcript: MeetingTranscript) -> str:
    return json.dumps(transcript_json(transcript), ensure_ascii=False, indent=2) + "\n"
