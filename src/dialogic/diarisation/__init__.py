"""Who spoke when: pyannote.audio diarisation with offline weights by default."""

from dialogic.diarisation.diarise import diarisation_model_records, diarise_audio, load_diarisation_pipeline
from dialogic.options import DiarisationOptions
from dialogic.records import Diarisation, SpeakerTurn

__all__ = [
    "Diarisation",
    "DiarisationOptions",
    "SpeakerTurn",
    "diarisation_model_records",
    "diarise_audio",
    "load_diarisation_pipeline",
]
