"""The offline diarisation pipeline: pyannote's SpeakerDiarization with CAM++ embeddings computed
once per file, and optionally a speaker count read from segmentation's probabilities.

Stock SpeakerDiarization embeds every (10 s chunk, local speaker) pair separately; with a 1 s step
each second of audio goes through the embedding network about 10 times (30 without the
de-duplication in `CAMPPlus.forward`). Here the network's frame features are computed once for the
whole file and each pair's embedding is a weighted pooling of those frames, which is where the
segmentation masks act anyway. Everything else (segmentation, clustering, reconstruction) is
pyannote's own, except where ``count_method='posteriors'`` (`dialogic.diarisation.posteriors`).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from pyannote.audio.core.inference import Inference
from pyannote.audio.core.plda import PLDA
from pyannote.audio.pipelines import SpeakerDiarization
from pyannote.core import SlidingWindowFeature

from dialogic.diarisation.campplus import CAMPPlus, embed_file_chunks
from dialogic.diarisation.posteriors import (
    ACTIVATIONS,
    SegmentationPosteriors,
    attribution_margin,
    posterior_speaker_count,
    ranking_activations,
    split_powerset,
)
from dialogic.records import FrameSeries

COUNT_METHODS = ("decisions", "posteriors")


class NoPLDA(PLDA):
    """Agglomerative clustering uses no PLDA, but SpeakerDiarization insists on being given one."""

    def __init__(self) -> None:
        pass


class OfflineSpeakerDiarization(SpeakerDiarization):
    """SpeakerDiarization whose embeddings come from one pass of CAM++ over the file.

    ``embedding_mode='chunk'`` falls back to pyannote's per-chunk embedding (for comparison).
    ``count_method='decisions'`` is pyannote's speaker count (rounded mean of the chunks' hard
    decisions); ``'posteriors'`` reads it from the powerset probabilities with
    ``speech_threshold`` and ``overlap_threshold``. ``activations`` picks the clusters that fill
    that count at each frame: by the hard decisions (pyannote), by the probabilities, or by the
    decisions with ties broken by the probabilities (`dialogic.diarisation.posteriors`).
    """

    def __init__(
        self,
        *args,
        embedding_mode: str = "file",
        count_method: str = "decisions",
        speech_threshold: float = 0.5,
        overlap_threshold: float = 0.5,
        activations: str = "decisions",
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if embedding_mode not in ("file", "chunk"):
            raise ValueError(f"embedding_mode must be 'file' or 'chunk', got {embedding_mode!r}")
        if count_method not in COUNT_METHODS:
            raise ValueError(f"count_method must be one of {', '.join(COUNT_METHODS)}, got {count_method!r}")
        self.embedding_mode = embedding_mode
        self.count_method = count_method
        self.speech_threshold = speech_threshold
        self.overlap_threshold = overlap_threshold
        if activations not in ACTIVATIONS:
            raise ValueError(f"activations must be one of {', '.join(ACTIVATIONS)}, got {activations!r}")
        self.activations = activations
        self.last_attribution_margin: FrameSeries | None = None
        self._margin_pending = False
        specifications = self._segmentation.model.specifications
        self._powerset = (len(specifications.classes), specifications.powerset_max_classes)
        # decided once: the segmentation inference below returns probabilities, not decisions
        self._keeps_posteriors = count_method == "posteriors" or activations != "decisions"
        if self._keeps_posteriors:
            if not specifications.powerset:
                raise ValueError("count_method='posteriors' needs a powerset segmentation model (segmentation-3.0)")
            # same sliding windows, but keep the powerset log-probabilities (converted below)
            stock = self._segmentation
            self._segmentation = Inference(
                stock.model,
                duration=stock.duration,
                step=stock.step,
                skip_aggregation=True,
                skip_conversion=True,
                batch_size=stock.batch_size,
            )

    def get_segmentations(self, file, hook=None) -> SlidingWindowFeature:
        segmentations = super().get_segmentations(file, hook=hook)
        if not self._keeps_posteriors:
            return segmentations
        hard, marginals, cardinality = split_powerset(segmentations.data, *self._powerset)
        return SegmentationPosteriors(hard, segmentations.sliding_window, marginals, cardinality)

    def speaker_count(self, binarized_segmentations, frames, warm_up=(0.1, 0.1)):
        if self.count_method == "posteriors" and isinstance(binarized_segmentations, SegmentationPosteriors):
            probs = SlidingWindowFeature(
                binarized_segmentations.cardinality_probs, binarized_segmentations.sliding_window
            )
            return posterior_speaker_count(probs, frames, self.speech_threshold, self.overlap_threshold)
        return super().speaker_count(binarized_segmentations, frames, warm_up=warm_up)

    def reconstruct(self, segmentations, hard_clusters, count):
        if self.activations != "decisions" and isinstance(segmentations, SegmentationPosteriors):
            segmentations = SlidingWindowFeature(
                ranking_activations(segmentations.data, segmentations.speaker_probs, self.activations),
                segmentations.sliding_window,
            )
        return super().reconstruct(segmentations, hard_clusters, count)

    def to_diarization(self, segmentations, count):
        """pyannote's, keeping each frame's attribution margin (`attribution_margin`) in
        ``self.last_attribution_margin``: the first call of a file (the overlap-aware track) sets
        it; the exclusive track's call ranks the same activations."""
        if self._margin_pending:
            self.last_attribution_margin = self._attribution_margin(segmentations, count)
            self._margin_pending = False
        return super().to_diarization(segmentations, count)

    @staticmethod
    def _attribution_margin(segmentations, count) -> FrameSeries:
        activations = Inference.aggregate(
            segmentations, count.sliding_window, hamming=False, missing=0.0, skip_average=True
        )
        present = np.ones((*segmentations.data.shape[:2], 1), dtype=np.float32)  # every chunk covers its frames
        coverage = Inference.aggregate(
            SlidingWindowFeature(present, segmentations.sliding_window),
            count.sliding_window,
            hamming=False,
            missing=0.0,
            skip_average=True,
        )
        extent = activations.extent & coverage.extent & count.extent  # as pyannote aligns them
        activations = activations.crop(extent, return_data=False)
        coverage = coverage.crop(extent, return_data=False)
        counted = count.crop(extent, return_data=False)
        frames = min(len(activations.data), len(coverage.data), len(counted.data))
        start = activations.sliding_window[0].middle
        margin = attribution_margin(activations.data[:frames], coverage.data[:frames, 0], counted.data[:frames, 0])
        return FrameSeries(
            round(float(start), 6), float(activations.sliding_window.step), tuple(float(x) for x in margin)
        )

    def apply(self, file, *args, **kwargs):
        self.last_attribution_margin = None
        self._margin_pending = True
        return super().apply(file, *args, **kwargs)

    def get_embeddings(self, file, binary_segmentations, exclude_overlap: bool = False, hook=None):
        model = self._embedding.model_
        if self.embedding_mode == "chunk" or not isinstance(model, CAMPPlus) or "waveform" not in file:
            return super().get_embeddings(file, binary_segmentations, exclude_overlap=exclude_overlap, hook=hook)
        window = binary_segmentations.sliding_window
        masks = np.nan_to_num(binary_segmentations.data, nan=0.0).astype(np.float32)
        num_chunks, num_frames, _ = masks.shape
        if exclude_overlap:
            # Same rule as pyannote: drop overlapped frames unless too little speech would remain.
            clean = masks * (masks.sum(axis=2, keepdims=True) < 2)
            min_frames = math.ceil(
                num_frames * self._embedding.min_num_samples / (window.duration * model.hparams.sample_rate)
            )
            keep_clean = clean.sum(axis=1, keepdims=True) > min_frames
            masks = np.where(keep_clean, clean, masks)
        if hook is not None:
            hook("embeddings", None, total=1, completed=0)
        waveform = file["waveform"]
        if waveform.dim() == 2:  # (channels, samples); one channel is taken as it is, not copied by a mean
            waveform = waveform[0] if waveform.shape[0] == 1 else waveform.mean(0)
        waveform = waveform.to(model.device)
        starts = [window[c].start for c in range(num_chunks)]
        with torch.inference_mode():
            embeddings = embed_file_chunks(
                model, waveform, starts, window.duration, torch.from_numpy(masks).to(model.device)
            )
        embeddings = embeddings.cpu().numpy()
        if hook is not None:
            hook("embeddings", embeddings, total=1, completed=1)
        return embeddings
