"""Write the four 60 s recordings made by joining two AMI dev clips each, for longer-audio checks.

    python benchmarks/ami_joins.py OUT_DIR [--data ../shared/data/ami-dev]
    python benchmarks/eval_diarisation.py --data OUT_DIR --no-sample

Pairs (docs/diarisation.md): trn00+01, trn04+05, trn06+09, trn07+08. Each folder gets the two
``meeting.wav`` one after the other (16 kHz mono float32), the second clip's reference turns
shifted by the first clip's length (AMI speaker ids are per person, so a person in both clips
stays one speaker), and a UEM over the whole join. Not independent of the dev set: the same
audio, twice as long, with 4–7 speakers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_diarisation as ev  # noqa: E402

PAIRS = (("trn00", "trn01"), ("trn04", "trn05"), ("trn06", "trn09"), ("trn07", "trn08"))


def write_join(data: Path, first: str, second: str, out: Path) -> Path:
    """Join two clip folders of ``data`` into ``out/FIRST+SECOND`` and return that folder."""
    from dialogic.audio import decode_audio

    folder = out / f"{first}+{second[3:]}"
    folder.mkdir(parents=True, exist_ok=True)
    audio = [decode_audio(data / name / "meeting.wav") for name in (first, second)]
    if any(a.sample_rate != 16000 for a in audio):
        raise SystemExit(f"{data}: expected 16 kHz clips")
    samples = np.concatenate([a.samples for a in audio]).astype(np.float32)
    wavfile.write(folder / "meeting.wav", 16000, samples)
    offset = len(audio[0].samples) / 16000
    uri = folder.name
    lines = []
    for name, shift in ((first, 0.0), (second, offset)):
        for line in (data / name / "reference.rttm").read_text().splitlines():
            parts = line.split()
            if len(parts) < 8 or parts[0] != "SPEAKER":
                continue
            parts[1] = uri
            parts[3] = f"{float(parts[3]) + shift:.3f}"
            lines.append(" ".join(parts))
    (folder / "reference.rttm").write_text("\n".join(lines) + "\n")
    (folder / "reference.uem").write_text(f"{uri} NA 0.000 {len(samples) / 16000:.3f}\n")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write the joined clips into")
    parser.add_argument("--data", type=Path, default=ev.DEFAULT_DATA)
    args = parser.parse_args()
    for first, second in PAIRS:
        print(write_join(args.data, first, second, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
