"""Who spoke when: pyannote.audio diarisation with offline weights by default."""

from dialogic.diarisation.pipeline import (
    Diarisation,
    DiarisationOptions,
    SpeakerTurn,
    diarise_audio,
    load_diarisation_pipeline,
)

__all__ = ["Diarisation", "DiarisationOptions", "SpeakerTurn", "diarise_audio", "load_diarisation_pipeline"]
