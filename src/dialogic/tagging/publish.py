"""Writing a trained tagger as a versioned artifact: ``<name>-v<N>/`` with its weights,
``manifest.json`` and the model card (``MODEL_CARD.md``).

The card is written from the manifest alone — by :func:`write_artifact` when a tagger is
trained and again by :mod:`dialogic.tagging.recheck` when its checks are re-run — so everything
it says is a field of ``manifest.json`` and the two always agree.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from safetensors.torch import save_file

import dialogic
from dialogic.errors import ModelError
from dialogic.paths import models_dir
from dialogic.tagging.artifacts import artifact_digest, list_artifacts
from dialogic.tagging.codebook import ROLE_RULES, TAGS
from dialogic.tagging.encoder import ENCODER_NAME, InputSpec, encoder_sha256
from dialogic.tagging.generalisation import render_generalisation
from dialogic.tagging.outside import render_outside
from dialogic.weights import sha256_file

if TYPE_CHECKING:
    from dialogic.tagging.train import TrainOptions, TrainReport


def next_version(name: str, directory: Path | None = None) -> int:
    versions = [v for n, v, _ in list_artifacts(directory) if n == name]
    return max(versions, default=0) + 1


def write_artifact(
    report: TrainReport,
    options: TrainOptions,
    directory: Path | None = None,
    *,
    encoder_directory: Path | None = None,
    overwrite: bool = False,
) -> Path:
    """Write ``<directory>/<name>-v<N>/`` with weights, manifest.json and MODEL_CARD.md."""
    directory = directory or models_dir()
    version = options.version or next_version(options.name, directory)
    model_version = f"{options.name}-v{version}"
    target = directory / model_version
    if target.exists() and not overwrite:
        raise ModelError(f"{target} already exists; pass another version or overwrite")
    target.mkdir(parents=True, exist_ok=True)
    best = report.best
    save_file({k: v.contiguous() for k, v in best.head.state_dict().items()}, str(target / "head.safetensors"))
    if best.encoder_state is not None:
        save_file(best.encoder_state, str(target / "encoder.safetensors"))
    elif (target / "encoder.safetensors").exists():
        (target / "encoder.safetensors").unlink()
    files = {p.name: sha256_file(p) for p in sorted(target.glob("*.safetensors"))}
    manifest = {
        "name": options.name,
        "version": version,
        "model_version": model_version,
        "recipe": best.recipe,
        "tags": list(TAGS),
        "encoder": {"name": ENCODER_NAME, "sha256": encoder_sha256(encoder_directory)},
        "max_length": options.max_length,
        "head_hidden": options.head_hidden,
        "input": options.spec.as_dict(),
        "input_format": options.spec.describe(),
        "calibration": {t: list(best.calibration[t]) for t in TAGS},
        "thresholds": best.thresholds,
        "precision": {"bf16": best.bf16} if best.bf16 else {},
        "metrics": {
            recipe: {
                "dev": r.dev.as_dict(),
                "test": r.test.as_dict(),
                "test_without_role": r.test_without_role.as_dict(),
                "train_s": r.train_s,
                "best_epoch": r.best_epoch,
                "codebook": r.codebook,
                **({"seed_test": r.seed_test.as_dict()} if r.seed_test else {}),
                "generalisation": r.generalisation,
            }
            for recipe, r in report.results.items()
        },
        "data": report.data,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(options).items()},
        "files": files,
        "artifact_sha256": artifact_digest(files),
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "trained_with": {
            "dialogic": dialogic.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    (target / "MODEL_CARD.md").write_text(render_model_card(manifest))
    return target


def _table(scores: dict) -> str:
    lines = ["| tag | precision | recall | F1 | positives / judged | ECE |", "|---|---|---|---|---|---|"]
    for tag, s in scores["per_tag"].items():
        lines.append(
            f"| `{tag}` | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['support']} / {s['n']} | {s['ece']:.3f} |"
        )
    lines.append(f"| **macro** | | | **{scores['macro_f1']:.3f}** | | {scores['ece']:.3f} (pooled) |")
    return "\n".join(lines)


def _codebook_line(metrics: dict) -> str:
    check = metrics.get("codebook")
    if not check:
        return "not checked"
    wrong = ", ".join(check["wrong"]) or "none"
    return f"{check['agree']} of {check['total']} tagged as the codebook says ({100 * check['agree'] / check['total']:.0f} %; missed: {wrong})"


def _precision_section(manifest: dict, best: dict) -> str:
    check = manifest.get("precision", {}).get("bf16")
    if not check:
        return "Served in fp32 only: this version had no test split to check a bf16 run on."
    speed = check.get("throughput")
    rate = (lambda key: f"{speed[key]}") if speed else (lambda key: "–")
    fp32_codebook = best.get("codebook") or {}
    bf16_codebook = check["codebook"]
    served = (
        "Served in **bf16** on CPUs with bfloat16 units (Intel AMX or AVX-512 BF16, AMD Zen 4) and in fp32 elsewhere"
        if check["usable"]
        else f"Served in **fp32** only: the bf16 run failed its check ({check['verdict']})"
    )
    measured = (
        f"Throughput measured on {speed['cpu']} ({'with' if speed['native_bf16'] else 'without'} bf16 units), "
        f"{speed['threads']} threads, {speed['utterances']} test utterances, best of 3, {speed['measured_at']}, by "
        "`python -m dialogic.tagging.recheck`; `make bench-tagger` measures it again against the bare encoder."
        if speed
        else "Throughput: `make bench-tagger` measures it on this machine."
    )
    return f"""{served}.
`DIALOGIC_TAGGER_PRECISION=fp32` forces fp32. In bf16 the encoder's matrix multiplies run in
bfloat16 under `torch.autocast`; the head, calibration and thresholds stay fp32, so a label
changes only where a probability sits at its threshold. bf16 is served only while test
macro-F1 stays within 0.01 of fp32 and at least 90 % of the codebook's worked examples are
tagged as the codebook says.

| precision | test macro-F1 | codebook examples | labels changed vs fp32 | utterances/s |
|---|---|---|---|---|
| fp32 | {check["fp32_test_macro_f1"]:.4f} | {fp32_codebook.get("agree", "–")}/{fp32_codebook.get("total", "–")} | – | {rate("fp32_per_s")} |
| bf16 | {check["test_macro_f1"]:.4f} | {bf16_codebook["agree"]}/{bf16_codebook["total"]} | {check["label_changes"]} of {check["labels_judged"]} (max probability change {check["max_probability_change"]:.3f}) | {rate("bf16_per_s")} |

{measured}"""


def _threshold_rule(manifest: dict, best: dict) -> str:
    """How the thresholds were chosen, with the dev false-fire rate each gives where recorded."""
    cuts = ", ".join(f"`{t}` {v:.2f}" for t, v in manifest["thresholds"].items())
    caps = manifest["options"].get("max_dev_false_fire")
    if caps is None:
        return f"to maximise F1: {cuts}"
    caps = [caps] if isinstance(caps, float | int) else caps
    real_n = manifest["data"].get("real_talk_threshold_negatives")
    where = (
        f"the tag's trusted negatives in the real-talk threshold part ({real_n} utterances of real conversation, "
        "role unknown; F1 from dev)"
        if real_n
        else "the tag's dev negatives"
    )
    rule = f"at most {100 * caps[0]:g} % of {where}"
    if len(caps) > 1:
        rule += "".join(
            f", or at most {100 * cap:g} % where the tighter cut leaves the tag's dev F1 under "
            f"{manifest['options']['min_dev_f1']:.2f}"
            for cap in caps[1:]
        )
    dev = best["dev"]["per_tag"]
    fired = ", ".join(
        f"`{t}` {100 * dev[t]['false_fire']:.1f} % (F1 {dev[t]['f1']:.3f})" for t in manifest["thresholds"]
    )
    real = best.get("generalisation", {}).get("real_talk_threshold_part")
    real_line = (
        "; real-talk threshold part: " + ", ".join(f"`{t}` {100 * v:.1f} %" for t, v in real["false_fire"].items())
        if real
        else ""
    )
    return (
        f"to maximise F1 among the cuts that tag {rule} (real meetings are mostly untagged talk, so a\n"
        f"  false fire costs more than a balanced split's F1 shows): {cuts}.\n"
        f"  Dev false-fire rate at these cuts: {fired}{real_line}"
    )


def _notes_section(manifest: dict) -> str:
    """Free text kept in the manifest under ``notes`` (what was tried for this version), if any."""
    notes = manifest.get("notes")
    return f"## What was tried for this version\n\n{notes.strip()}\n\n" if notes else ""


def _held(metrics: dict, name: str) -> str:
    held = metrics.get("generalisation", {}).get(name)
    return f"{held['macro_f1']:.3f}" if held else "–"


def _sources_line(data: dict) -> str:
    sources = data.get("sources")
    if not sources or list(sources) == ["seed"]:
        return ""
    return (
        "\n  By file (train / dev / test): "
        + "; ".join(f"`{name}` {n['train']} / {n['dev']} / {n['test']}" for name, n in sources.items())
        + "."
        + _corpus_files_line(data)
    )


def _corpus_files_line(data: dict) -> str:
    files = data.get("corpus_files")  # recorded from dialogic-tagger-v6 on
    if not files:
        return ""
    return (
        "\n  Corpus files read, sha256 (first 12 hex): " + "; ".join(f"`{n}` {h[:12]}" for n, h in files.items()) + "."
    )


def _generalisation_section(best: dict) -> str:
    """Held-out figures beside the in-template ones (the seed corpus's test split when the
    corpus has more than one file, so versions stay comparable)."""
    if not best.get("generalisation"):
        return "Not measured for this version (no held-out sets in data/heldout/)."
    in_template = best.get("seed_test") or best["test"]
    return (
        render_generalisation(best["generalisation"], in_template) + "\n\n"
        "In-template: the seed corpus's test split (frames unseen, generator shared). Out-of-template: "
        "`data/heldout/written.jsonl`, hand-written apart from the generators. Spoken (ASR): the same "
        "utterances read by espeak-ng voices and transcribed by faster-whisper tiny.en, labels kept from the "
        "written text. None of these sets is used to choose anything; thresholds and calibration come from dev."
        + _counted_line(best["generalisation"])
        + ("\n\n" + render_outside(best["generalisation"]) if render_outside(best["generalisation"]) else "")
    )


def _counted_line(generalisation: dict) -> str:
    """Held-out macro-F1 after the codebook's role rule, where measured."""
    parts = [
        f"{label} {generalisation[key]['counted']['macro_f1']:.3f}"
        + "".join(f" (`{tag}` {generalisation[key]['counted']['per_tag'][tag]['f1']:.3f})" for tag in ROLE_RULES)
        for key, label in (("out_of_template", "out-of-template"), ("asr", "ASR"))
        if "counted" in generalisation.get(key, {})
    ]
    return (
        ("\n\nAfter the codebook's role rule (labels that count): macro-F1 " + ", ".join(parts) + ".") if parts else ""
    )


def _reads_role(manifest: dict) -> bool:
    return InputSpec.from_manifest(manifest).role


def _input_line(manifest: dict) -> str:
    spec = InputSpec.from_manifest(manifest)
    options = manifest["options"]
    if spec.role:
        return (
            f"{manifest['input_format']}. Training also showed utterances without their role (a random\n"
            f"  {int(options['role_dropout'] * 100)} % of them when fine-tuning; every one both ways for the head), "
            "so plain text works."
        )
    return (
        f"{manifest['input_format']} (`input` {json.dumps(spec.as_dict())} in the manifest). The speaker's role\n"
        "  enters only through the codebook's role rule, after the model; training showed a random "
        f"{int(options.get('context_dropout', 0) * 100)} % of\n  utterances without their context, so the first "
        "utterance of a meeting and a plain list of sentences are tagged as trained."
    )


def _without_role_line(manifest: dict, best: dict) -> str:
    if _reads_role(manifest):
        return f"Without the speaker role (plain text): macro-F1 {best['test_without_role']['macro_f1']:.3f}."
    return (
        "The role is never read, so the figures are the same whatever role is given (a test holds the model to it). "
        "`peer_self_disclosure` is learnt from the words: where the older corpus files code a non-peer's own story "
        "no by the role rule alone, that row is not judged for the tag (train, dev and test); the held-out figures "
        "below are also given after the role rule."
    )


def _role_failure_line(manifest: dict) -> str:
    if _reads_role(manifest):
        return "The speaker role shifts `peer_self_disclosure`; a wrong speaker mapping can flip that tag."
    return (
        "The role is not read: a wrong speaker mapping changes only the role rule's outcome "
        "(`peer_self_disclosure` counted or not), never a probability. A wrong speaker *label* from "
        "diarisation changes the same/other-speaker mark of the next utterance's context."
    )


def render_model_card(manifest: dict) -> str:
    """The model card of an artifact, from its manifest alone (so it can be re-rendered)."""
    chosen = manifest["recipe"]
    metrics = manifest["metrics"]
    best = metrics[chosen]
    data = manifest["data"]
    comparison = "\n".join(
        f"| {recipe}{' (kept)' if recipe == chosen else ''} | {m['dev']['macro_f1']:.3f} | {m['test']['macro_f1']:.3f} | "
        f"{min(s['f1'] for s in m['test']['per_tag'].values()):.3f} | {m['test_without_role']['macro_f1']:.3f} | "
        f"{m['test']['ece']:.3f} | {m.get('codebook', {}).get('agree', '–')}/{m.get('codebook', {}).get('total', '–')} | "
        f"{_held(m, 'out_of_template')} | {_held(m, 'asr')} | {m['train_s']:.0f} |"
        for recipe, m in metrics.items()
    )
    weights = (
        "the fine-tuned upper encoder layers in fp16 (`encoder.safetensors`, only what differs from the shipped "
        "checkpoint) + MLP head (`head.safetensors`)"
        if chosen == "finetune"
        else "MLP head only (`head.safetensors`); the encoder is the shipped checkpoint, unchanged"
    )
    return f"""# Model card: {manifest["model_version"]}

Multi-label utterance tagger for Open Dialogue network meetings: {", ".join(f"`{t}`" for t in manifest["tags"])},
as defined in `docs/codebook.md`. Written by `dialogic train` on {manifest["trained_at"]}.

## Model

- Encoder: `{manifest["encoder"]["name"]}` (sentence-transformers all-MiniLM-L6-v2, from the registry
  package named in `models/all-minilm-l6-v2.yaml`), weights sha256 `{manifest["encoder"]["sha256"]}`.
  Loading refuses any other encoder weights.
- Recipe kept: **{chosen}** — {weights}. Mean pooling, L2 normalisation, MLP head
  ({manifest["head_hidden"]} hidden units), one logit per tag, max {manifest["max_length"]} tokens.
- Input: {_input_line(manifest)}
- Probabilities: Platt-scaled per tag on the dev split. Labels: a threshold per tag chosen on dev
  {_threshold_rule(manifest, best)}.
- Artifact sha256 (over its files' sha256 listing): `{manifest["artifact_sha256"]}`;
  each file's sha256 is in `manifest.json` and is checked on load.

## Data

- The dialogic seed corpus (`data/seed/`, see `data/seed/DATA_CARD.md`): utterances
  **written for this project, not recorded**, in spoken network-meeting style. Fixed split by
  sentence frame: {data["train"]} train / {data["dev"]} dev / {data["test"]} test utterances.{_sources_line(data)}
- Rater-confirmed labels: `dialogic train --db PATH` adds the majority labels of the `rater_labels`
  view (utterances with no tie among current answers) to the **training** split only; dev and test
  stay the corpus files' fixed splits so versions remain comparable. This version used
  {data["rater_confirmed_in_train"]} rater-confirmed utterances.
- Positives in train: {", ".join(f"`{t}` {n}" for t, n in data["positives_in_train"].items())}.
- The worked examples of `docs/codebook.md` are excluded from the corpus and used as a check.

## Results on the test split ({chosen}{", speaker role given" if _reads_role(manifest) else ", role never read; raw labels"})

{_table(best["test"])}

{_without_role_line(manifest, best)}
Worked examples of the codebook (kept out of training): {_codebook_line(best)}.
ECE is the expected calibration error over 10 equal-width bins.

## Beyond the templates

{_generalisation_section(best)}

## Both recipes

| recipe | dev macro-F1 | test macro-F1 | lowest test tag F1 | test macro-F1 without role | test ECE | codebook examples | out-of-template macro-F1 | ASR macro-F1 | train s |
|---|---|---|---|---|---|---|---|---|---|
{comparison}

The recipe with the higher dev macro-F1 is kept (test figures are reported, never used to choose).

## Precision and throughput

{_precision_section(manifest, best)}

{_notes_section(manifest)}## Intended use

Ranking and pre-screening utterances for fidelity researchers who then check them; summarising
how often each behaviour occurs across meetings. Every label is a model's guess: sort by
probability, read the utterance, and let raters confirm (their labels feed the next version).

## Not intended for

Judging an individual clinician, family member or service user; any decision about a person's
care; meetings in languages other than English.

## Known failure modes

- The training utterances are written, not recorded. Real meetings are messier: long multi-clause
  turns, crosstalk, misrecognised words. Expect lower figures on real transcripts; the separate
  acceptance set and rater-confirmed labels are the real measure.
- Test figures measure unseen sentence frames over a shared vocabulary of topics (medication,
  admission, housing, work, …); unfamiliar topics or very different phrasings score lower.
- `persuasion` vs firm-but-open advice, and `peer_self_disclosure` by non-peers (a parent's own
  history) versus someone else's experience, are the hardest boundaries, as for raters.
- Utterances longer than {manifest["max_length"]} word pieces are truncated; a tag expressed only at the end of a
  long turn can be missed.
- Very short or garbled ASR fragments ("yeah no so the") get low probabilities for every tag.
- {_role_failure_line(manifest)}
"""
