"""dialogic: recorded Open Dialogue network meetings → speaker-attributed, tagged evidence in DuckDB.

Importing the package switches off every telemetry channel of the libraries it drives and keeps
model hubs offline, because meeting audio is health data and nothing may leave the machine.
Set ``DIALOGIC_ALLOW_HUB=1`` before import to let Hugging Face hub downloads through.
"""

from __future__ import annotations

import os

__version__ = "0.1.0"


def _privacy_defaults() -> None:
    quiet = {
        "PYANNOTE_METRICS_ENABLED": "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "TOKENIZERS_PARALLELISM": "false",
    }
    if os.environ.get("DIALOGIC_ALLOW_HUB") != "1":
        quiet.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    for key, value in quiet.items():
        os.environ.setdefault(key, value)
    # These two must win even if the caller's shell set them otherwise.
    os.environ["PYANNOTE_METRICS_ENABLED"] = "0"
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"


_privacy_defaults()
