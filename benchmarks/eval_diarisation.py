"""Diarisation accuracy on real meeting clips: DER and its parts, speaker count, voice-share error.

    python benchmarks/eval_diarisation.py [--data ../shared/data/ami-dev] [--hint max|exact|none]
                                          [--set clustering_threshold=0.6 --set min_cluster_size=2]
                                          [--extra-speakers N] [--no-sample] [--threads N] [--json results.json]

Runs dialogic's own `diarise_audio` on every clip folder in --data (each holds ``meeting.wav``,
``reference.rttm`` and ``reference.uem``) and on the two-speaker sample bundled with
pyannote.audio. The participant count given to diarisation is the clip's number of reference
speakers, passed as dialogic's manifest hint would pass it (``max`` → max_speakers, the default;
``exact`` → num_speakers; ``none`` → nothing); --extra-speakers N adds N to that count, as when a
manifest lists participants who never speak. Scores follow `dialogic.diarisation.evaluate`:
no collar, overlaps scored, over the UEM. The pooled row sums errors over the --data clips (the
sample is listed apart). Real-time factor = diarisation seconds / audio seconds, models loaded
beforehand.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.resources
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "ami-dev"


def parse_overrides(pairs: list[str]):
    """``["clustering_threshold=0.6", ...]`` → DiarisationOptions with those fields replaced."""
    from dialogic.diarisation import DiarisationOptions

    fields = {f.name: f for f in dataclasses.fields(DiarisationOptions)}
    defaults = DiarisationOptions()
    changes = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in fields:
            raise SystemExit(f"--set {pair!r}: expected FIELD=VALUE with FIELD one of {', '.join(fields)}")
        current = getattr(defaults, key)
        if isinstance(current, bool):
            changes[key] = value.lower() in ("1", "true", "yes", "on")
        elif isinstance(current, int):
            changes[key] = int(value)
        elif isinstance(current, float):
            changes[key] = float(value)
        elif current is None:
            changes[key] = _guess(value)
        else:
            changes[key] = value
    return dataclasses.replace(defaults, **changes)


def _guess(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return None if value.lower() == "none" else value


def load_clips(data: Path | None, sample: bool = True) -> list[dict]:
    """`clips` with each one's reference, UEM, decoded audio and reference speaker count ``n``
    loaded, for the experiment scripts that score many variants on the same audio."""
    from dialogic.audio import decode_audio
    from dialogic.diarisation.evaluate import load_reference

    loaded = []
    for clip in clips(data, sample):
        reference, uem = load_reference(clip["rttm"], clip["uem"])
        n = len((reference.crop(uem, mode="intersection") if uem is not None else reference).labels())
        loaded.append({**clip, "reference": reference, "uem": uem, "audio": decode_audio(clip["wav"]), "n": n})
    return loaded


def clips(data: Path | None, sample: bool) -> list[dict]:
    found = []
    if data is not None:
        if not data.is_dir():
            raise SystemExit(f"--data {data}: no such folder")
        for folder in sorted(p for p in data.iterdir() if (p / "meeting.wav").exists()):
            found.append(
                {
                    "name": folder.name,
                    "wav": folder / "meeting.wav",
                    "rttm": folder / "reference.rttm",
                    "uem": folder / "reference.uem" if (folder / "reference.uem").exists() else None,
                    "pooled": True,
                }
            )
    if sample:
        folder = Path(str(importlib.resources.files("pyannote.audio") / "sample"))
        found.append(
            {
                "name": "sample",
                "wav": folder / "sample.wav",
                "rttm": folder / "sample.rttm",
                "uem": None,
                "pooled": False,
            }
        )
    return found


def speaker_kwargs(hint: str, n: int) -> dict:
    if hint == "exact":
        return {"num_speakers": n}
    if hint == "max":
        return {"max_speakers": n}
    return {}


def evaluate_clips(clip_list: list[dict], options, hint: str = "max", extra_speakers: int = 0) -> list[dict]:
    """Diarise and score each clip; one row per clip with the score and timings."""
    from dialogic.audio import decode_audio
    from dialogic.diarisation import diarise_audio, load_diarisation_pipeline
    from dialogic.diarisation.evaluate import load_reference, score, turns_to_annotation

    load_diarisation_pipeline(options)
    rows = []
    for clip in clip_list:
        reference, uem = load_reference(clip["rttm"], clip["uem"])
        audio = decode_audio(clip["wav"])
        duration = len(audio.samples) / audio.sample_rate
        if uem is not None:
            n = len(reference.crop(uem, mode="intersection").labels())
        else:
            n = len(reference.labels())
        t = time.perf_counter()
        diarisation = diarise_audio(audio, options, **speaker_kwargs(hint, n + extra_speakers))
        seconds = time.perf_counter() - t
        hypothesis = turns_to_annotation(diarisation.turns, uri=reference.uri)
        rows.append(
            {
                "clip": clip,
                "score": score(reference, hypothesis, uem, uri=clip["name"]),
                "seconds": seconds,
                "audio_s": duration,
            }
        )
    return rows


def format_table(rows: list[dict]) -> str:
    from dialogic.diarisation.evaluate import pool

    header = (
        f"{'clip':<8} {'DER':>6} {'miss':>6} {'FA':>6} {'conf':>6} {'spk hyp/ref':>11} {'VS err pts':>10} {'RTF':>6}"
    )
    lines = [header, "-" * len(header)]

    def line(name, s, rtf, spk, vs):
        return f"{name:<8} {s.der:6.3f} {s.missed:6.3f} {s.false_alarm:6.3f} {s.confusion:6.3f} {spk:>11} {vs:>10} {rtf:6.3f}"

    for row in rows:
        s = row["score"]
        vs = f"{s.voice_share_error_pts:.1f}" + ("" if s.speech_detected else " (none)")
        lines.append(
            line(
                row["clip"]["name"],
                s,
                row["seconds"] / row["audio_s"],
                f"{s.speakers_hypothesis}/{s.speakers_reference}",
                vs,
            )
        )
    pooled_rows = [r for r in rows if r["clip"]["pooled"]]
    if pooled_rows:
        p = pool(r["score"] for r in pooled_rows)
        rtf = sum(r["seconds"] for r in pooled_rows) / sum(r["audio_s"] for r in pooled_rows)
        lines.append("-" * len(header))
        lines.append(line("pooled", p, rtf, f"{p.count_right}/{p.clips} right", f"{p.worst_voice_share_error_pts:.1f}"))
        lines.append(
            f"(pooled over {p.clips} clips, {p.total_s:.1f} s of reference speech; voice-share error: worst "
            f"{p.worst_voice_share_error_pts:.1f}, mean {p.mean_voice_share_error_pts:.1f} points over clips with speech detected)"
        )
    return "\n".join(lines)


def summary(rows: list[dict]) -> dict:
    from dialogic.diarisation.evaluate import pool

    pooled_rows = [r for r in rows if r["clip"]["pooled"]]
    out = {"clips": {}}
    for row in rows:
        s = row["score"]
        out["clips"][row["clip"]["name"]] = {
            "der": s.der,
            "missed": s.missed,
            "false_alarm": s.false_alarm,
            "confusion": s.confusion,
            "speakers_hypothesis": s.speakers_hypothesis,
            "speakers_reference": s.speakers_reference,
            "voice_share_error_pts": s.voice_share_error_pts,
            "speech_detected": s.speech_detected,
            "rtf": row["seconds"] / row["audio_s"],
        }
    if pooled_rows:
        p = pool(r["score"] for r in pooled_rows)
        out["pooled"] = {
            "der": p.der,
            "missed": p.missed,
            "false_alarm": p.false_alarm,
            "confusion": p.confusion,
            "count_right": p.count_right,
            "clips": p.clips,
            "worst_voice_share_error_pts": p.worst_voice_share_error_pts,
            "mean_voice_share_error_pts": p.mean_voice_share_error_pts,
            "rtf": sum(r["seconds"] for r in pooled_rows) / sum(r["audio_s"] for r in pooled_rows),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of clip folders (default: %(default)s)")
    parser.add_argument(
        "--hint", choices=("max", "exact", "none"), default="max", help="how the participant count is passed"
    )
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="override a DiarisationOptions field"
    )
    parser.add_argument(
        "--extra-speakers", type=int, default=0, metavar="N", help="add N to the participant count passed"
    )
    parser.add_argument("--no-sample", action="store_true", help="skip pyannote.audio's bundled sample")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "0")
    import warnings

    import torch

    warnings.filterwarnings("ignore")
    if args.threads:
        torch.set_num_threads(args.threads)
    options = parse_overrides(args.set)
    print(
        f"options: {options}\nhint: {args.hint} (+{args.extra_speakers})   threads: {torch.get_num_threads()}",
        flush=True,
    )
    rows = evaluate_clips(clips(args.data, not args.no_sample), options, args.hint, args.extra_speakers)
    print(format_table(rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "options": dataclasses.asdict(options),
                    "hint": args.hint,
                    "extra_speakers": args.extra_speakers,
                    **summary(rows),
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
