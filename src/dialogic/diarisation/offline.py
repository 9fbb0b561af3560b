"""The offline diarisation pipeline: pyannote's SpeakerDiarization with CAM++ embeddings computed
once per file.

Stock SpeakerDiarization embeds every (10 s chunk, local speaker) pair separately; with a 1 s step
each second of audio goes through the embedding network about 10 times (30 without the
de-duplication in `CAMPPlus.forward`). Here the network's frame features are computed once for the
whole file and each pair's embedding is a weighted pooling of those frames, which is where the
segmentation masks act anyway. Everything else (segmentation, clustering, reconstruction) is
pyannote's own.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from pyannote.audio.core.plda import PLDA
from pyannote.audio.pipelines import SpeakerDiarization

from dialogic.diarisation.campplus import CAMPPlus, embed_file_chunks


class NoPLDA(PLDA):
    """Agglomerative clustering uses no PLDA, but SpeakerDiarization insists on being given one."""

    def __init__(self) -> None:
        pass


class OfflineSpeakerDiarization(SpeakerDiarization):
    """SpeakerDiarization whose embeddings come from one pass of CAM++ over the file.

    ``embedding_mode='chunk'`` falls back to pyannote's per-chunk embedding (for comparison).
    """

    def __init__(self, *args, embedding_mode: str = "file", **kwargs):
        super().__init__(*args, **kwargs)
        if embedding_mode not in ("file", "chunk"):
            raise ValueError(f"embedding_mode must be 'file' or 'chunk', got {embedding_mode!r}")
        self.embedding_mode = embedding_mode

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
