"""Where reference speech is lost in diarisation, and what recovers it, on the AMI dev clips.

    python benchmarks/diarisation_speech_experiments.py [--data ../shared/data/ami-dev] [--only TEXT]

Part 1 (the account): per clip, the reference speech (overlaps counted per speaker) that is missed
by each step of the offline pipeline, frame by frame (~17 ms): by segmentation in any one of the
chunks covering a frame, by pyannote's speaker count (rounded mean of the chunks' hard counts),
and by the final diarisation; the count's misses are split into speech not detected at all and
overlapped speech counted short.

Part 2 (variants): rows pooled over the --data clips and scored like eval_diarisation.py, with
segmentation and embeddings computed once per clip and reused (no real-time factor): the speaker
count from segmentation's probabilities at a grid of thresholds, with and without posterior
activations; a second speech detector (Silero VAD v6, shipped with faster-whisper) OR-ed into the
count; loudness normalisation before segmentation; and per-speaker gap filling of the output.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_diarisation as ev  # noqa: E402


def reference_count(reference, frames, num_frames: int) -> np.ndarray:
    """Number of reference speakers at the middle of each frame."""
    middles = np.array([frames[i].middle for i in range(num_frames)])
    count = np.zeros(num_frames)
    for segment, _ in reference.itertracks():
        count += (middles >= segment.start) & (middles < segment.end)
    return count


def silero_speech(samples: np.ndarray, frames, num_frames: int) -> np.ndarray:
    """Silero VAD v6 speech probability at the middle of each frame (32 ms windows, interpolated)."""
    from faster_whisper.vad import get_vad_model

    probs = get_vad_model()(np.pad(samples, (0, 512 - len(samples) % 512)).astype(np.float32)).reshape(-1)
    middles = np.array([frames[i].middle for i in range(num_frames)])
    return np.interp(middles, (np.arange(len(probs)) + 0.5) * 512 / 16000, probs)


def level_below_loud_db(samples: np.ndarray, frames, num_frames: int) -> np.ndarray:
    """Level of the 100 ms around each frame's middle, in dB below the clip's loud speech (the 95th
    percentile of those levels)."""
    half = 800
    padded = np.pad(samples.astype(np.float64), (half, half))
    middles = np.array([frames[i].middle for i in range(num_frames)])
    centres = np.minimum((middles * 16000).astype(int), len(samples) - 1) + half
    rms = np.array([np.sqrt(np.mean(padded[c - half : c + half] ** 2)) for c in centres])
    db = 20 * np.log10(rms + 1e-9)
    return db - np.percentile(db, 95)


def nearest_in_time(segmentations, count):
    """pyannote's `to_diarization` for the ``nearest`` rows, except that a cluster no chunk decided
    on at a frame (activation 0) is ranked by how close in time its nearest decided frame is, so a
    second speaker in overlap goes to whoever spoke just before or after."""
    from pyannote.audio.core.inference import Inference
    from pyannote.core import SlidingWindowFeature

    activations = Inference.aggregate(
        segmentations, count.sliding_window, hamming=False, missing=0.0, skip_average=True
    )
    extent = activations.extent & count.extent
    activations = activations.crop(extent, return_data=False)
    count = count.crop(extent, return_data=False)
    data = activations.data
    need = int(np.max(count.data))
    if data.shape[1] < need:
        data = np.pad(data, ((0, 0), (0, need - data.shape[1])))
    index = np.arange(len(data))
    ranked = data.astype(float)
    for k in range(data.shape[1]):
        active = np.flatnonzero(data[:, k] > 0)
        if len(active):
            after = np.clip(np.searchsorted(active, index), 0, len(active) - 1)
            before = np.clip(after - 1, 0, len(active) - 1)
            distance = np.minimum(np.abs(index - active[before]), np.abs(active[after] - index))
            ranked[:, k] += 1e-3 / (1.0 + distance)
    order = np.argsort(-ranked, axis=-1)
    binary = np.zeros_like(ranked)
    for t, c in enumerate(count.data[:, 0]):
        binary[t, order[t, : int(c)]] = 1.0
    return SlidingWindowFeature(binary, activations.sliding_window)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ev.DEFAULT_DATA)
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only the variant rows whose label contains this text (repeatable)",
    )
    parser.add_argument("--no-account", action="store_true", help="skip part 1")
    parser.add_argument("--per-clip", action="store_true", help="also print each clip's figures under each row")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    warnings.filterwarnings("ignore")
    import torch
    from pyannote.audio.pipelines.clustering import OracleClustering
    from pyannote.core import SlidingWindowFeature

    from dialogic.diarisation import DiarisationOptions, load_diarisation_pipeline
    from dialogic.diarisation.evaluate import pool, score

    torch.set_num_threads(1)
    data = ev.load_clips(args.data)

    # one pipeline that keeps segmentation's probabilities; each row sets the options it tests
    defaults = DiarisationOptions()
    pipeline, _ = load_diarisation_pipeline(dataclasses.replace(defaults, count_method="posteriors"))
    cache: dict = {}
    get_segmentations, get_embeddings, stock_count = (
        pipeline.get_segmentations,
        pipeline.get_embeddings,
        pipeline.speaker_count,
    )
    gain = {"value": None}

    def cached_segmentations(file, hook=None):
        key = ("s", file["uri"], gain["value"])
        if key not in cache:
            cache[key] = get_segmentations(file, hook=hook)
        return cache[key]

    pipeline.get_segmentations = cached_segmentations
    pipeline.get_embeddings = lambda file, seg, exclude_overlap=False, hook=None: cache.setdefault(
        ("e", file["uri"], gain["value"]), get_embeddings(file, seg, exclude_overlap=exclude_overlap, hook=hook)
    ).copy()

    def file_of(d, peak=None):
        samples = d["audio"].samples
        if peak is not None:
            samples = samples * (peak / max(float(np.abs(samples).max()), 1e-9))
        return {"waveform": torch.from_numpy(samples.astype(np.float32))[None], "sample_rate": 16000, "uri": d["name"]}

    if not args.no_account:
        print("Part 1: reference speech missed at each step (fraction of reference speech)\n")
        print(
            "| clip | ref speech s | in overlap | any chunk | count | final | count: not detected "
            "| … of which Silero < 0.2 | … of which > 20 dB below loud speech | count: overlap short |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        pipeline.count_method, pipeline.activations = "decisions", "decisions"
        totals = np.zeros(9)
        for d in data:
            steps = {}

            def hook(step, artifact, file=None, completed=None, total=None, steps=steps):
                if isinstance(artifact, SlidingWindowFeature) and completed is None:
                    steps[step] = SlidingWindowFeature(np.array(artifact.data), artifact.sliding_window)

            pipeline(file_of(d), **ev.speaker_kwargs("max", d["n"]), hook=hook)
            count = steps["speaker_counting"]
            frames, num_frames = count.sliding_window, count.data.shape[0]
            duration = len(d["audio"].samples) / 16000
            inside = np.array([frames[i].middle for i in range(num_frames)]) < duration
            ref = reference_count(d["reference"], frames, num_frames) * inside
            c = count.data[:, 0].astype(float)
            seg = steps["segmentation"]
            # the largest number of speakers any one chunk hears at each frame
            local = seg.data.sum(axis=2, keepdims=True)
            heard = np.zeros(num_frames)
            for chunk, k in zip(seg.sliding_window, local[:, :, 0]):
                start = frames.closest_frame(chunk.start + 0.5 * frames.duration)
                stop = min(start + len(k), num_frames)
                heard[start:stop] = np.maximum(heard[start:stop], k[: stop - start])
            final = steps["discrete_diarization"].data.sum(axis=1) if "discrete_diarization" in steps else np.zeros(0)
            final = np.pad(final, (0, max(0, num_frames - len(final))))[:num_frames]
            # is the speech nobody counted speech at all? a second detector, and how loud it is
            silent_too = silero_speech(d["audio"].samples, frames, num_frames) < 0.2
            quiet = level_below_loud_db(d["audio"].samples, frames, num_frames) < -20
            row = np.array(
                [
                    ref.sum(),
                    (ref * (ref >= 2)).sum(),
                    np.maximum(0, ref - heard).sum(),
                    np.maximum(0, ref - c).sum(),
                    np.maximum(0, ref - final).sum(),
                    (ref * (c == 0)).sum(),
                    (ref * (c == 0) * silent_too).sum(),
                    (ref * (c == 0) * quiet).sum(),
                    (np.maximum(0, ref - c) * (c >= 1)).sum(),
                ]
            )
            if d["pooled"]:
                totals += row
            cells = " | ".join(f"{x / row[0]:.3f}" for x in row[1:])
            print(f"| {d['name']} | {row[0] * frames.step:.1f} | {cells} |")
        cells = " | ".join(f"{x / totals[0]:.3f}" for x in totals[1:])
        print(f"| **pooled** | {totals[0] * frames.step:.1f} | {cells} |\n")

    print("Part 2: variants (pooled; sample DER in the last column)\n")
    print("| variant | DER | miss | FA | conf | count right | worst VS | mean VS | sample DER |")
    print("|---|---|---|---|---|---|---|---|---|")

    chosen_clustering = pipeline.clustering

    def run(
        label,
        count_method="decisions",
        speech=0.5,
        overlap=0.5,
        activations="decisions",
        extra=None,
        peak=None,
        fill=0.0,
        oracle=False,
    ):
        if args.only and not any(text in label for text in args.only):
            return
        # oracle: each local speaker gets the reference speaker it overlaps most (the ceiling)
        pipeline.clustering = OracleClustering() if oracle else chosen_clustering
        pipeline.count_method = count_method
        pipeline.activations = "decisions" if activations == "nearest" else activations
        pipeline.to_diarization = nearest_in_time if activations == "nearest" else stock_to_diarization
        pipeline.speech_threshold, pipeline.overlap_threshold = speech, overlap
        gain["value"] = peak
        scores = []
        for d in data:
            if extra is not None:
                # OR another detector into the count: speech where it says so and the count says none
                def count(binarized, frames, warm_up=(0.0, 0.0), d=d):
                    c = stock_count(binarized, frames, warm_up=warm_up)
                    speech = extra(d, c.sliding_window, c.data.shape[0])
                    c.data = np.maximum(c.data, speech[:, None]).astype(np.uint8)
                    return c

                pipeline.speaker_count = count
            else:
                pipeline.speaker_count = stock_count
            file = file_of(d, peak)
            if oracle:
                file["annotation"] = d["reference"]
            output = pipeline(file, **ev.speaker_kwargs("max", d["n"]))
            hypothesis = output.speaker_diarization
            if fill:
                hypothesis = hypothesis.support(collar=fill)
            scores.append(score(d["reference"], hypothesis, d["uem"], uri=d["name"]))
        pipeline.speaker_count, pipeline.clustering = stock_count, chosen_clustering
        pipeline.to_diarization = stock_to_diarization
        p = pool(s for s, d in zip(scores, data) if d["pooled"])
        sample = [s for s, d in zip(scores, data) if not d["pooled"]]
        print(
            f"| {label} | {p.der:.3f} | {p.missed:.3f} | {p.false_alarm:.3f} | {p.confusion:.3f} | "
            f"{p.count_right}/{p.clips} | {p.worst_voice_share_error_pts:.1f} | {p.mean_voice_share_error_pts:.1f} | "
            f"{sample[0].der if sample else float('nan'):.3f} |",
            flush=True,
        )
        if args.per_clip:
            for s, d in zip(scores, data):
                print(
                    f"|   {d['name']} | {s.der:.3f} | {s.missed:.3f} | {s.false_alarm:.3f} | {s.confusion:.3f} | "
                    f"{s.speakers_hypothesis}/{s.speakers_reference} | {s.voice_share_error_pts:.1f} | | |"
                )

    stock_to_diarization = pipeline.to_diarization
    ranked = {
        "decisions": "",
        "posteriors": ", activations by posteriors",
        "ties": ", ties broken by posteriors",
        "nearest": ", ties to the nearest active",
    }
    for activations, suffix in ranked.items():
        run("pyannote count (hard decisions)" + suffix, activations=activations)
    for activations, suffix in ranked.items():
        run("oracle clustering, pyannote count (hard decisions)" + suffix, activations=activations, oracle=True)
        for speech, overlap in ((0.5, 0.5), (0.4, 0.4), (0.3, 0.3)):
            run(
                f"oracle clustering, posterior count {speech}/{overlap}" + suffix,
                "posteriors",
                speech,
                overlap,
                activations,
                oracle=True,
            )
    for speech in (0.5, 0.4, 0.3, 0.2):
        for overlap in (0.5, 0.4, 0.3, 0.2):
            for activations, suffix in ranked.items():
                run(
                    f"posterior count, speech {speech}, overlap {overlap}" + suffix,
                    "posteriors",
                    speech,
                    overlap,
                    activations,
                )
    for threshold in (0.5, 0.3, 0.2):
        for normalised in (False, True):

            def silero(d, frames, num_frames, threshold=threshold, normalised=normalised):
                samples = d["audio"].samples
                if normalised:
                    samples = samples * (0.9 / max(float(np.abs(samples).max()), 1e-9))
                return (silero_speech(samples, frames, num_frames) >= threshold).astype(np.uint8)

            for activations in ("decisions", "ties"):
                run(
                    f"count OR Silero VAD ≥ {threshold}"
                    + (" (peak-normalised input)" if normalised else "")
                    + ranked[activations],
                    activations=activations,
                    extra=silero,
                )
    for peak in (0.9, 0.05):
        run(f"waveform peak-normalised to {peak} before diarisation", peak=peak)
    for fill in (0.25, 0.5, 1.0, 1.5, 2.0):
        run(f"each speaker's gaps under {fill} s filled in the output", fill=fill)
    return 0


if __name__ == "__main__":
    sys.exit(main())
