import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import sample_dir

from dialogic.audio import decode_audio
from dialogic.diarisation.campplus import CAMPPlus, _deduplicate_rows
from dialogic.weights import require_weights

pytestmark = pytest.mark.models  # real models on real audio: needs `dialogic models fetch`


@pytest.fixture(scope="module")
def campplus():
    return CAMPPlus.from_checkpoint(require_weights("campplus-zh-en-common") / "campplus_cn_en_common.pt")


@pytest.fixture(scope="module")
def sample_turns():
    turns = []
    for line in (sample_dir() / "sample.rttm").read_text().splitlines():
        f = line.split()
        start, duration = float(f[3]), float(f[4])
        if duration >= 1.0:
            turns.append((f[7], start, start + duration))
    return turns


def test_checkpoint_loads_with_every_parameter_name_matching(campplus):
    state = torch.load(require_weights("campplus-zh-en-common") / "campplus_cn_en_common.pt", weights_only=True)
    assert set(campplus.state_dict()) == set(state)
    assert campplus.dimension == 192


def test_embeddings_separate_the_two_sample_speakers(campplus, sample_turns):
    audio = torch.from_numpy(decode_audio(sample_dir() / "sample.wav").samples)
    embeddings, labels = [], []
    with torch.inference_mode():
        for speaker, start, end in sample_turns:
            chunk = audio[int(start * 16000) : int(end * 16000)]
            embeddings.append(campplus(chunk[None, None])[0])
            labels.append(speaker)
    e = F.normalize(torch.stack(embeddings), dim=1)
    similarity = (e @ e.T).numpy()
    same = [similarity[i, j] for i in range(len(labels)) for j in range(i + 1, len(labels)) if labels[i] == labels[j]]
    other = [similarity[i, j] for i in range(len(labels)) for j in range(i + 1, len(labels)) if labels[i] != labels[j]]
    # measured: same-speaker cosine ≈ 0.65, different-speaker ≈ 0.29
    assert np.mean(same) > np.mean(other) + 0.2


def test_repeated_chunks_run_once_and_give_the_same_embeddings(campplus):
    torch.manual_seed(0)
    a, b = torch.randn(1, 1, 32000), torch.randn(1, 1, 32000)
    batch = torch.cat([a, a, a, b, b, a])
    unique, index = _deduplicate_rows(batch)
    assert unique.shape[0] == 3 and index.tolist() == [0, 0, 0, 1, 1, 2]
    weights = torch.rand(6, 589)
    with torch.inference_mode():
        together = campplus(batch, weights=weights)
        alone = torch.cat([campplus(batch[i : i + 1], weights=weights[i : i + 1]) for i in range(6)])
    assert torch.allclose(together, alone, atol=1e-4)
    assert not torch.allclose(together[0], together[1], atol=1e-3)  # weights still matter


def test_file_level_embeddings_agree_with_per_chunk_embeddings(campplus):
    from dialogic.diarisation.campplus import embed_file_chunks

    audio = torch.from_numpy(decode_audio(sample_dir() / "sample.wav").samples)
    starts = [0.0, 5.0, 10.0, 15.0, 20.0]
    torch.manual_seed(1)
    masks = (torch.rand(len(starts), 589, 2) > 0.3).float()
    with torch.inference_mode():
        whole = embed_file_chunks(campplus, audio, starts, 10.0, masks)
        per_chunk = torch.stack(
            [
                campplus(audio[int(s * 16000) : int((s + 10) * 16000)][None, None].expand(2, 1, -1), weights=masks[i].T)
                for i, s in enumerate(starts)
            ]
        )
    cosine = F.cosine_similarity(whole.reshape(-1, 192), per_chunk.reshape(-1, 192))
    # Frames see slightly different context (10 s blocks ± 1.5 s vs the chunk itself); measured ≥ 0.9.
    assert cosine.min() > 0.85, cosine


def test_streamed_frames_give_the_embeddings_of_the_whole_files_frames(campplus):
    """Frames computed block by block as chunks reach them (and dropped behind them) pool to exactly
    what the whole file's frames give, chunks running past the end of the file included."""
    from dialogic.diarisation.campplus import FRAME_SHIFT_S, embed_file_chunks, file_frames

    sample = decode_audio(sample_dir() / "sample.wav").samples
    audio = torch.from_numpy(np.concatenate([sample, sample[: 16000 * 7 + 123]]))  # 37 s: blocks do not divide it
    starts = [float(s) for s in range(0, 32)]  # 1 s step; the last chunks run past the end
    torch.manual_seed(2)
    masks = (torch.rand(len(starts), 589, 3) > 0.4).float()
    with torch.inference_mode():
        streamed = embed_file_chunks(campplus, audio, starts, 10.0, masks, batch_chunks=5)
        frames = file_frames(campplus, audio, 16000, block_s=10.0, margin_s=1.5)
        length = int(round(10.0 / (2 * FRAME_SHIFT_S)))
        padded = F.pad(frames, (0, length))
        reference = []
        for c, start in enumerate(starts):
            first = int(round(start / (2 * FRAME_SHIFT_S)))
            x = padded[:, first : first + length]
            w = F.interpolate(masks[c].T[None], size=length, mode="nearest")[0]  # (speakers, length)
            total = w.sum(-1, keepdim=True).clamp_min(1e-8)
            mean = (w @ x.T) / total
            std = ((w @ (x * x).T) / total - mean * mean).clamp_min(1e-10).sqrt()
            reference.append(campplus.xvector.dense(torch.cat([mean, std], dim=-1)))
        reference = torch.stack(reference)
    assert streamed.shape == (len(starts), 3, 192)
    assert torch.allclose(streamed, reference, atol=1e-5), (streamed - reference).abs().max()
