"""Every error dialogic raises on purpose.

    DialogicError
    ├── ManifestError          a manifest file or one of its meetings is invalid
    ├── ConsentError           a meeting may not be processed for the requested purpose
    ├── AudioError             an audio file is missing, unreadable or empty
    ├── TranscriptError        an imported transcript is unreadable or malformed (file and line)
    ├── ModelError             a model's weights are missing, altered or not loadable
    ├── StoreError             the DuckDB file cannot be opened, migrated or written
    ├── StagingError           a worker's staged meeting is incomplete, altered or not the one expected
    ├── QueryError             an analyst's SQL query does not run (bad SQL, or it tries to write)
    ├── LookupFailed           a meeting, speaker, view or participant named by the user does not exist
    │   └── AnswerRefused      a rater's answer names what its item does not have (a participant, a word count)
    └── EditRefused            a transcript correction does not fit the transcript as it stands

Third-party exceptions are translated at the boundary with ``raise X(...) from exc`` so that
callers (the CLI, the flows) can report one line naming the file and the problem.
"""

from __future__ import annotations


class DialogicError(Exception):
    """Base class for every error dialogic raises on purpose."""


class ManifestError(DialogicError):
    """A manifest file or one of its meetings is invalid."""


class ConsentError(DialogicError):
    """A meeting lacks the consent needed for the requested purpose."""


class AudioError(DialogicError):
    """An audio file is missing, unreadable or holds no audio."""


class TranscriptError(DialogicError):
    """An imported transcript (VTT, SRT, ELAN, TextGrid, CSV/TSV, text) cannot be read: the message
    names the file and, where there is one, the line."""


class ModelError(DialogicError):
    """A model's weights are missing, differ from the recorded sha256, or do not load."""


class StoreError(DialogicError):
    """The DuckDB database cannot be opened, migrated or written."""


class StagingError(DialogicError):
    """A staged meeting set (a worker's output) is incomplete, fails its checksums or is not the
    meeting and key the writer expects; it is never loaded."""


class QueryError(DialogicError):
    """An analyst's SQL query fails: it does not parse or bind, or it tries to write."""


class LookupFailed(DialogicError):
    """A meeting, speaker, participant or view named by the user does not exist."""


class AnswerRefused(LookupFailed):
    """A rater's answer to a validation item names what the item does not have: a participant not
    in its meeting, or more misheard words than the utterance holds. A lookup failure (callers that
    catch `LookupFailed` still do), told apart so that the review app shows the form again (400)
    instead of answering that the item does not exist (404)."""


class EditRefused(DialogicError):
    """A transcript correction does not fit the transcript as it stands (a word offset out of
    range, an utterance changed since the editor loaded it, a speaker name already taken)."""
