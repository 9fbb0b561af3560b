"""Reduced-precision inference for taggers: bfloat16 matrix multiplies where the CPU has them.

MiniLM at 36 tokens an utterance is bound by its matrix multiplies, and two cores in fp32 run
them near their peak (about 300 utterances/s). CPUs with bfloat16 units (Intel AMX or AVX-512
BF16, AMD Zen 4 and later) do the same multiplies about twice as fast. A tagger in ``bf16``
precision runs its encoder under ``torch.autocast`` in bfloat16: the Linear layers and attention
products in bf16, layer norms, softmax, pooling, the head and the calibration in fp32. The
artifact's fp32 calibration and thresholds are kept, so labels are those of the fp32 model except
for probabilities that sit right at a threshold.

A precision other than fp32 is served only when the artifact's manifest records a check
(``precision.bf16``) in which it keeps the test macro-F1 within 0.01 of fp32 and tags at least
90 % of the codebook's worked examples as the codebook says. On dialogic-tagger-v1, bf16 changed
no label of the test split; dynamic int8 was tried first and lost 0.020 test macro-F1 with every
Linear layer quantised, and missed the codebook bar (44/49) with only the feed-forward layers.
`dialogic train` runs the check;

    python -m dialogic.tagging.recheck models/dialogic-tagger-v1

re-runs it on an existing artifact, measures throughput on two threads and re-renders the card.
``DIALOGIC_TAGGER_PRECISION`` (``auto``, ``fp32`` or ``bf16``) overrides the choice.
"""

from __future__ import annotations

import contextlib
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from dialogic.errors import ModelError
from dialogic.tagging.codebook import TAGS
from dialogic.tagging.evaluate import codebook_check, score_predictions

PRECISIONS = ("fp32", "bf16")
MAX_F1_LOSS = 0.01
CODEBOOK_BAR = 0.9
# Batch sizes measured fastest on two threads for the seed test split (fp32: 32 → 306/s,
# 64 → 281/s; bf16: 32 → 685/s, 64 → 724/s).
BATCH_SIZE = {"fp32": 32, "bf16": 64}

Probabilities = Callable[[list[str], "list[str | None] | None"], np.ndarray]


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 in hardware (AMX tiles or AVX-512 BF16). Without it
    bf16 is emulated and slower than fp32."""
    for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
        check = getattr(torch.cpu, probe, None)
        if check is not None:
            with contextlib.suppress(Exception):
                if check():
                    return True
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def autocast(precision: str) -> contextlib.AbstractContextManager:
    """The context the encoder runs in for ``precision``."""
    if precision == "bf16":
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def choose_precision(requested: str | None, manifest: dict, *, has_bf16_units: Callable[[], bool] | None = None) -> str:
    """``fp32`` or ``bf16`` for an artifact: ``auto`` (the default) picks bf16 only when the
    artifact's check passed and the CPU has bf16 units (``has_bf16_units``, default
    `native_bf16`); an explicit ``bf16`` needs the check."""
    has_bf16_units = has_bf16_units or native_bf16
    requested = (requested or os.environ.get("DIALOGIC_TAGGER_PRECISION") or "auto").lower()
    if requested not in (*PRECISIONS, "auto"):
        raise ModelError(
            f"unknown tagger precision {requested!r}, expected auto, fp32 or bf16 (DIALOGIC_TAGGER_PRECISION)"
        )
    check = manifest.get("precision", {}).get("bf16")
    usable = bool(check and check.get("usable"))
    if requested == "bf16" and not usable:
        why = "has no bf16 check" if not check else f"failed its bf16 check ({check.get('verdict')})"
        raise ModelError(
            f"{manifest.get('model_version', 'this tagger')} {why}; use fp32 or re-run `python -m dialogic.tagging.recheck`"
        )
    if requested == "auto":
        return "bf16" if usable and has_bf16_units() else "fp32"
    return requested


def bf16_check(
    p32: np.ndarray,
    bf16: Probabilities,
    texts: list[str],
    roles: list[str | None],
    labels: np.ndarray,
    thresholds: dict[str, float],
) -> dict:
    """Score the bf16 run of a tagger against its fp32 run on the same test utterances and the
    codebook's worked examples, with the fp32 thresholds. ``p32`` holds the fp32 calibrated
    probabilities of ``texts`` and ``bf16`` returns them in bf16 (n × tags in `TAGS` order)."""
    cut = np.array([thresholds[t] for t in TAGS])
    p16 = bf16(texts, roles)
    s32, s16 = score_predictions(labels, p32, thresholds), score_predictions(labels, p16, thresholds)
    codebook = codebook_check(bf16, thresholds)
    f1_change = round(float(s16.macro_f1 - s32.macro_f1), 4)
    f1_ok = abs(f1_change) <= MAX_F1_LOSS
    codebook_ok = codebook["agree"] >= CODEBOOK_BAR * codebook["total"]
    verdict = (
        "usable"
        if f1_ok and codebook_ok
        else "; ".join(
            reason
            for ok, reason in (
                (f1_ok, f"test macro-F1 {f1_change:+.4f} vs fp32"),
                (codebook_ok, f"codebook {codebook['agree']}/{codebook['total']}"),
            )
            if not ok
        )
    )
    return {
        "scheme": "torch.autocast bfloat16 over the encoder; head, calibration and thresholds fp32",
        "test_macro_f1": round(float(s16.macro_f1), 4),
        "fp32_test_macro_f1": round(float(s32.macro_f1), 4),
        "f1_change": f1_change,
        "per_tag_f1": {t: round(float(s.f1), 4) for t, s in s16.per_tag.items()},
        "label_changes": int(((p16 >= cut) != (p32 >= cut)).sum()),
        "labels_judged": int(p32.size),
        "max_probability_change": round(float(np.abs(p16 - p32).max()), 4) if p32.size else 0.0,
        "codebook": codebook,
        "usable": f1_ok and codebook_ok,
        "verdict": verdict,
    }


def measure_rate(fn: Callable[[], object], n: int, *, repeat: int = 3) -> float:
    """Items per second of ``fn``, which handles ``n`` items: best of ``repeat`` runs after a
    warm-up run (the first call pays for allocation and kernel selection)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return n / best


def cpu_name() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()
