"""Train utterance taggers on the encoder and write a versioned artifact with its model card.

Two recipes start from the same all-MiniLM-L6-v2 checkpoint:

- ``head``: the encoder stays frozen; pooled embeddings are computed once (with and without the
  speaker-role token) and a small MLP head is trained on them. Minutes on two cores.
- ``finetune``: the encoder and the head are trained together (max_length 64, a few epochs),
  with the role token dropped at random so the model also works on plain text.

Both are calibrated on dev (Platt scaling per tag) and get a threshold per tag chosen on dev;
the one with the better dev macro-F1 is kept. Both sets of test figures go into the model card.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import platform
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

import dialogic
from dialogic.errors import ModelError
from dialogic.paths import models_dir
from dialogic.tagging import real_talk
from dialogic.tagging.artifacts import ARTIFACT_NAME, artifact_digest, list_artifacts
from dialogic.tagging.codebook import ROLE_RULES, TAGS
from dialogic.tagging.corpus import LabelledUtterance, split_rows
from dialogic.tagging.encoder import (
    ENCODER_NAME,
    Encoder,
    InputSpec,
    encoder_sha256,
    format_context,
    format_input,
    load_encoder,
)
from dialogic.tagging.evaluate import (
    Scores,
    apply_platt,
    choose_thresholds,
    codebook_check,
    fit_platt,
    label_matrix,
    score_predictions,
)
from dialogic.tagging.generalisation import evaluate_generalisation, render_generalisation
from dialogic.tagging.outside import evaluate_outside, render_outside
from dialogic.tagging.precision import bf16_check
from dialogic.tagging.tagger import TagHead, head_logits
from dialogic.weights import sha256_file

Progress = Callable[[str, int, int], None]


def _no_progress(step: str, completed: int, total: int) -> None:
    pass


@dataclass
class TrainOptions:
    """Knobs of `train_tagger`.

    recipes: which recipes to run; the better on dev macro-F1 is kept.
    max_length: tokens per utterance (64 covers nearly every spoken utterance).
    head_hidden / head_epochs / head_lr: the MLP head (frozen-encoder recipe).
    finetune_epochs / finetune_lr / head_lr_finetune / batch_size: the fine-tuning recipe.
    finetune_frozen_layers: the embeddings and this many lowest layers are not trained, which
        saves a third of the backward pass on two cores and keeps the stored difference small.
    role_dropout: share of training utterances shown without their speaker role.
    max_dev_false_fire / min_dev_f1: the threshold of each tag is the F1-best cut among those
        that tag at most the first share here of the tag's dev negatives, or the next share where
        that cut leaves the tag's dev F1 under min_dev_f1 (None: the F1-best cut, as up to v2).
        Issue #10 asks for at most 2 % false fires and F1 >= 0.80 per tag; 1 % leaves a margin for
        the step from dev to real talk. Epochs are chosen under the same rule.
    threads: torch CPU threads (the target machine has two cores).
    input_role / context: the input spec (`encoder.InputSpec`): from v4 the model never reads the
        speaker's role (the codebook's role rule applies it after the model) and reads the
        previous utterance; v1–v3 read the role and no context.
    context_dropout: share of training utterances shown without their context, so the first
        utterance of a meeting (and a plain list of sentences) is in the training distribution.
    real_talk_negatives: rows drawn from each part of the real-talk set when it is present
        (`dialogic.tagging.real_talk`): the train part's go into training (with its clean
        positives the codebook agrees with); the threshold part's are where false fires are
        counted when thresholds and epochs are chosen (dev gives F1); 0 leaves it out.
    """

    name: str = ARTIFACT_NAME
    version: int | None = None  # None: one more than the newest existing version
    recipes: tuple[str, ...] = ("head", "finetune")
    max_length: int = 64
    head_hidden: int = 256
    head_epochs: int = 80
    head_lr: float = 2e-3
    finetune_epochs: int = 4
    finetune_frozen_layers: int = 2  # word embeddings and the lowest layers stay as shipped
    finetune_lr: float = 8e-5
    head_lr_finetune: float = 1e-3
    batch_size: int = 32
    role_dropout: float = 0.3
    max_dev_false_fire: tuple[float, ...] | None = (0.01, 0.02)
    min_dev_f1: float = 0.80
    seed: int = 13
    threads: int = 2
    input_role: bool = False
    context: int = 1
    context_dropout: float = 0.3
    real_talk_negatives: int = 3000
    bf16_check: bool = True  # False: the artifact is served in fp32 until `recheck` checks bf16

    @property
    def spec(self) -> InputSpec:
        return InputSpec(role=self.input_role, context=self.context)


@dataclass
class RecipeResult:
    """One trained recipe, calibrated and thresholded on dev, scored on dev and test."""

    recipe: str
    head: TagHead
    encoder_state: dict[str, torch.Tensor] | None
    calibration: dict[str, tuple[float, float]]
    thresholds: dict[str, float]
    dev: Scores
    test: Scores
    test_without_role: Scores
    train_s: float
    best_epoch: int
    codebook: dict = field(default_factory=dict)
    test_probabilities: np.ndarray | None = field(default=None, repr=False)
    bf16: dict | None = None  # the kept recipe's `bf16_check` on test; None without a test split
    seed_test: Scores | None = None  # the templated seed corpus's test split alone (comparable with v1)
    generalisation: dict = field(default_factory=dict)  # `evaluate_generalisation`: held-out sets, never used to choose


@dataclass
class TrainReport:
    results: dict[str, RecipeResult]
    chosen: str
    data: dict[str, object] = field(default_factory=dict)

    @property
    def best(self) -> RecipeResult:
        return self.results[self.chosen]


def _masked_bce(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    mask = (labels >= 0).float()
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels.clamp(min=0).float(), reduction="none")
    return (loss * mask).sum() / mask.sum().clamp(min=1.0)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class RealNegatives:
    """Real talk where false fires are counted when thresholds are chosen: labels (n × tags,
    -1 where a row is not a trusted negative) and the utterances."""

    rows: list[LabelledUtterance]
    labels: np.ndarray


def _dev_thresholds(
    labels: np.ndarray,
    probs: np.ndarray,
    options: TrainOptions,
    real: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    return choose_thresholds(labels, probs, options.max_dev_false_fire, min_f1=options.min_dev_f1, negatives=real)


def _dev_quality(
    labels: np.ndarray,
    logits: np.ndarray,
    options: TrainOptions,
    real: tuple[np.ndarray, np.ndarray] | None = None,
) -> float:
    """Dev macro-F1 after calibration and threshold choice — how each recipe picks its epoch.
    ``real``: (labels, logits) of the real-talk threshold part, where false fires are counted."""
    calibration = fit_platt(labels, logits)
    probs = apply_platt(logits, calibration)
    real_probs = (real[0], apply_platt(real[1], calibration)) if real is not None else None
    return score_predictions(labels, probs, _dev_thresholds(labels, probs, options, real_probs)).macro_f1


def train_head(
    encoder: Encoder,
    train: list[LabelledUtterance],
    dev: list[LabelledUtterance],
    options: TrainOptions,
    progress: Progress = _no_progress,
) -> tuple[TagHead, int]:
    """Frozen encoder: embed every training utterance with and without its role, fit the MLP,
    keep the epoch with the best dev macro-F1."""
    spec = options.spec
    both = train + train
    texts = [format_input(r.text, r.speaker_role if spec.role else None) for r in train]
    texts += [format_input(r.text, None) for r in train]
    contexts = [format_context(r.context(), spec.context) for r in train] + [""] * len(train) if spec.context else None
    progress("embed", 0, len(both))
    x = encoder.embed(texts, contexts=contexts)
    y = torch.from_numpy(np.concatenate([label_matrix(train)] * 2))
    x_dev = torch.from_numpy(_row_logits_input(encoder, dev, spec))
    y_dev = label_matrix(dev)
    progress("embed", len(texts), len(texts))
    head = TagHead(dim=x.shape[1], hidden=options.head_hidden)
    optimiser = torch.optim.AdamW(head.parameters(), lr=options.head_lr, weight_decay=1e-2)
    best = (-1.0, 0, copy.deepcopy(head.state_dict()))
    generator = torch.Generator().manual_seed(options.seed)
    for epoch in range(1, options.head_epochs + 1):
        head.train()
        for idx in torch.randperm(len(x), generator=generator).split(64):
            optimiser.zero_grad()
            _masked_bce(head(x[idx]), y[idx]).backward()
            optimiser.step()
        if epoch % 5 == 0 or epoch == options.head_epochs:
            head.eval()
            with torch.inference_mode():
                quality = _dev_quality(y_dev, head(x_dev).double().numpy(), options)
            if quality > best[0]:
                best = (quality, epoch, copy.deepcopy(head.state_dict()))
        progress("head", epoch, options.head_epochs)
    head.load_state_dict(best[2])
    head.eval()
    return head, best[1]


def _row_logits_input(encoder: Encoder, rows: list[LabelledUtterance], spec: InputSpec) -> np.ndarray:
    """Pooled embeddings of labelled rows read as ``spec`` says (frozen-encoder recipe)."""
    texts = [format_input(r.text, r.speaker_role if spec.role else None) for r in rows]
    contexts = [format_context(r.context(), spec.context) for r in rows] if spec.context else None
    return encoder.embed(texts, contexts=contexts).numpy()


def train_finetune(
    encoder: Encoder,
    train: list[LabelledUtterance],
    dev: list[LabelledUtterance],
    options: TrainOptions,
    progress: Progress = _no_progress,
    real: RealNegatives | None = None,
) -> tuple[Encoder, TagHead, int]:
    """Fine-tune a copy of the encoder with a fresh head; keep the epoch with the best dev macro-F1."""
    tuned = Encoder(tokenizer=encoder.tokenizer, model=copy.deepcopy(encoder.model), max_length=options.max_length)
    frozen = ("embeddings.",) + tuple(f"encoder.layer.{i}." for i in range(options.finetune_frozen_layers))
    for pname, param in tuned.model.named_parameters():
        param.requires_grad = not pname.startswith(frozen)
    trainable = [p for p in tuned.model.parameters() if p.requires_grad]
    head = TagHead(dim=tuned.model.config.hidden_size, hidden=options.head_hidden)
    optimiser = torch.optim.AdamW(
        [
            {"params": trainable, "lr": options.finetune_lr},
            {"params": head.parameters(), "lr": options.head_lr_finetune},
        ],
        weight_decay=1e-2,
    )
    steps_per_epoch = math.ceil(len(train) / options.batch_size)
    total = steps_per_epoch * options.finetune_epochs
    warmup = max(1, total // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / max(1, total - warmup))
    )
    labels = label_matrix(train)
    y_dev = label_matrix(dev)
    spec = options.spec
    rng = random.Random(options.seed)
    best = (-1.0, 0, None, None)
    step = 0
    for epoch in range(1, options.finetune_epochs + 1):
        tuned.model.train()
        head.train()
        for idx in _length_bucketed_batches(train, options.batch_size, rng):
            texts = [
                format_input(
                    train[i].text,
                    train[i].speaker_role if spec.role and rng.random() >= options.role_dropout else None,
                )
                for i in idx
            ]
            contexts = (
                [
                    "" if rng.random() < options.context_dropout else format_context(train[i].context(), spec.context)
                    for i in idx
                ]
                if spec.context
                else None
            )
            optimiser.zero_grad()
            loss = _masked_bce(head(tuned.pooled(tuned.tokenize(texts, contexts))), torch.from_numpy(labels[idx]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable + list(head.parameters()), 1.0)
            optimiser.step()
            scheduler.step()
            step += 1
            progress("finetune", step, total)
        tuned.model.eval()
        head.eval()
        real_pair = (real.labels, _logits(tuned, head, real.rows, spec)) if real else None
        quality = _dev_quality(y_dev, _logits(tuned, head, dev, spec), options, real_pair)
        progress(f"epoch {epoch}: dev macro-F1 {quality:.4f}", epoch, options.finetune_epochs)
        if quality > best[0]:
            best = (quality, epoch, copy.deepcopy(tuned.model.state_dict()), copy.deepcopy(head.state_dict()))
    tuned.model.load_state_dict(best[2])
    head.load_state_dict(best[3])
    tuned.model.eval()
    head.eval()
    return tuned, head, best[1]


def _length_bucketed_batches(rows: list[LabelledUtterance], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: padding costs real time on two cores."""
    order = list(range(len(rows)))
    rng.shuffle(order)
    batches = []
    window = batch_size * 8
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda i: len(rows[i].text) + len(rows[i].prev_text or ""))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _logits(
    encoder: Encoder,
    head: TagHead,
    rows: list[LabelledUtterance],
    spec: InputSpec,
    precision: str = "fp32",
    *,
    roles: bool = True,
    context: bool = True,
) -> np.ndarray:
    """Logits of labelled rows, with their roles and contexts as ``spec`` reads them
    (``roles`` / ``context`` False: withheld, for the ablations in the card)."""
    return head_logits(
        encoder,
        head,
        [r.text for r in rows],
        [r.speaker_role for r in rows] if roles else None,
        batch_size=64,
        precision=precision,
        spec=spec,
        contexts=[r.context() for r in rows] if context else None,
    )


def _text_logits(
    encoder: Encoder,
    head: TagHead,
    spec: InputSpec,
    texts: list[str],
    roles: list[str | None] | None,
    contexts: list | None = None,
    precision: str = "fp32",
) -> np.ndarray:
    return head_logits(encoder, head, texts, roles, batch_size=64, precision=precision, spec=spec, contexts=contexts)


def _finish(
    recipe: str,
    encoder: Encoder,
    head: TagHead,
    encoder_state: dict | None,
    dev: list[LabelledUtterance],
    test: list[LabelledUtterance],
    train_s: float,
    best_epoch: int,
    options: TrainOptions,
    real: RealNegatives | None = None,
) -> RecipeResult:
    spec = options.spec
    y_dev, y_test = label_matrix(dev), label_matrix(test)
    dev_logits = _logits(encoder, head, dev, spec)
    calibration = fit_platt(y_dev, dev_logits)
    dev_probs = apply_platt(dev_logits, calibration)
    real_probs = (real.labels, apply_platt(_logits(encoder, head, real.rows, spec), calibration)) if real else None
    thresholds = _dev_thresholds(y_dev, dev_probs, options, real_probs)
    test_probs = apply_platt(_logits(encoder, head, test, spec), calibration)
    bare_probs = apply_platt(_logits(encoder, head, test, spec, roles=False), calibration) if spec.role else test_probs

    def probabilities(texts: list[str], roles: list[str | None] | None, contexts: list | None = None) -> np.ndarray:
        return apply_platt(_text_logits(encoder, head, spec, texts, roles, contexts), calibration)

    codebook = codebook_check(probabilities, thresholds)
    seed_test = [r for r in test if r.source == "seed"]
    seed_scores = (
        score_predictions(label_matrix(seed_test), test_probs[[r.source == "seed" for r in test]], thresholds)
        if seed_test and len(seed_test) < len(test)
        else None
    )
    generalisation = evaluate_generalisation(probabilities, thresholds)
    generalisation.update(evaluate_outside(probabilities, thresholds, with_context=bool(spec.context)))
    if real_probs is not None:
        generalisation["real_talk_threshold_part"] = {
            "false_fire": {
                t: round(
                    float(((real_probs[1][:, j] >= thresholds[t]) & (real_probs[0][:, j] == 0)).sum())
                    / max(1, int((real_probs[0][:, j] == 0).sum())),
                    4,
                )
                for j, t in enumerate(TAGS)
            },
            "n": len(real.rows),
        }
    return RecipeResult(
        recipe=recipe,
        head=head,
        encoder_state=encoder_state,
        calibration=calibration,
        thresholds=thresholds,
        dev=score_predictions(y_dev, dev_probs, thresholds),
        test=score_predictions(y_test, test_probs, thresholds),
        test_without_role=score_predictions(y_test, bare_probs, thresholds),
        train_s=round(train_s, 1),
        best_epoch=best_epoch,
        codebook=codebook,
        test_probabilities=test_probs,
        seed_test=seed_scores,
        generalisation=generalisation,
    )


def _check_bf16(encoder: Encoder, result: RecipeResult, test: list[LabelledUtterance], spec: InputSpec) -> dict:
    """`bf16_check` of a trained recipe on the test split, against its fp32 test probabilities
    (the test utterances read with their contexts, as the fp32 figures were)."""
    texts, roles = [r.text for r in test], [r.speaker_role for r in test]
    contexts = [r.context() for r in test]

    def bf16(batch: list[str], batch_roles: list[str | None] | None) -> np.ndarray:
        same = batch is texts  # the test split: with its contexts; the codebook's examples have none
        logits = _text_logits(
            encoder, result.head, spec, batch, batch_roles, contexts if same else None, precision="bf16"
        )
        return apply_platt(logits, result.calibration)

    return bf16_check(result.test_probabilities, bf16, texts, roles, label_matrix(test), result.thresholds)


TEXT_LEVEL_SOURCES = ("rules",)  # corpus files labelled by the text alone, whoever speaks


def role_blind_labels(rows: list[LabelledUtterance]) -> list[LabelledUtterance]:
    """Labels for a model that never reads the role. The older corpus files code a tag with a
    rule by role (`ROLE_RULES`: peer self-disclosure) no for a speaker the rule rules out, so
    there the same words are yes from a peer and no from anyone else; a role-blind model learns
    the text ("a self-disclosure, if a peer said it") and the rule is applied after it. Such
    rows' label of that tag (a ruled-out role, coded no) is therefore not judged; rows of
    `TEXT_LEVEL_SOURCES`, real talk and rater labels keep theirs."""
    out = []
    for row in rows:
        by_role = (
            row.speaker_role not in (None, "unknown")
            and row.source not in TEXT_LEVEL_SOURCES
            and not row.source.startswith("real_talk")
            and row.source != "rater"
        )
        unjudged = {
            tag
            for tag, roles in ROLE_RULES.items()
            if by_role and row.labels.get(tag) == 0 and row.speaker_role not in roles
        }
        if unjudged:
            row = dataclasses.replace(row, labels={t: v for t, v in row.labels.items() if t not in unjudged})
        out.append(row)
    return out


def train_tagger(
    rows: list[LabelledUtterance],
    options: TrainOptions | None = None,
    *,
    encoder_directory: Path | None = None,
    progress: Progress = _no_progress,
) -> TrainReport:
    """Train every recipe in ``options.recipes`` on the train split of ``rows``, calibrate and
    threshold on dev, score on test, and keep the recipe with the better dev macro-F1."""
    options = options or TrainOptions()
    unknown = set(options.recipes) - {"head", "finetune"}
    if unknown or not options.recipes:
        raise ModelError(f"unknown training recipe(s) {sorted(unknown)}, expected 'head' and/or 'finetune'")
    torch.set_num_threads(options.threads)
    if not options.input_role:
        rows = role_blind_labels(rows)
    train, dev, test = split_rows(rows, "train"), split_rows(rows, "dev"), split_rows(rows, "test")
    if not train or not dev:
        raise ModelError(
            f"training needs utterances in the train and dev splits (got {len(train)} train, {len(dev)} dev)"
        )
    real = None
    if options.real_talk_negatives and real_talk.available():
        raw = real_talk.load_real_talk()
        train = train + real_talk.sample_part(raw, "train", negatives=options.real_talk_negatives, seed=options.seed)
        threshold_rows = real_talk.sample_part(
            raw, "threshold", negatives=options.real_talk_negatives, seed=options.seed, positives=False
        )
        real = RealNegatives(rows=threshold_rows, labels=label_matrix(threshold_rows))
        rows = rows + [r for r in train if r.source.startswith("real_talk")] + threshold_rows
    encoder = load_encoder(encoder_directory, max_length=options.max_length)
    results, encoders = {}, {}
    for recipe in options.recipes:
        _seed_everything(options.seed)
        started = time.perf_counter()
        if recipe == "head":
            head, epoch = train_head(encoder, train, dev, options, progress)
            used, state = encoder, None
        else:
            tuned, head, epoch = train_finetune(encoder, train, dev, options, progress, real)
            # Round-trip through fp16 now, so the reported figures are those of the stored weights.
            changed = {n for n, p in tuned.model.named_parameters() if p.requires_grad}
            state = {k: v.detach().half().contiguous() for k, v in tuned.model.state_dict().items() if k in changed}
            tuned.model.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
            used = tuned
        results[recipe] = _finish(
            recipe, used, head, state, dev, test, time.perf_counter() - started, epoch, options, real
        )
        encoders[recipe] = used
    chosen = max(results, key=lambda r: (results[r].dev.macro_f1, r == "head"))  # ties go to the smaller artifact
    if test and options.bf16_check:
        results[chosen].bf16 = _check_bf16(encoders[chosen], results[chosen], test, options.spec)
    data = {
        "train": len(train),
        "dev": len(dev),
        "test": len(test),
        "rater_confirmed_in_train": sum(1 for r in train if r.source == "rater"),
        "real_talk_threshold_negatives": len(real.rows) if real else 0,
        "positives_in_train": {t: int(sum(r.labels.get(t, 0) == 1 for r in train)) for t in TAGS},
        "sources": {
            src: {
                split: sum(1 for r in rows if r.source == src and r.split == split)
                for split in ("train", "dev", "test", "threshold")
            }
            for src in sorted({r.source for r in rows})
        },
    }
    return TrainReport(results=results, chosen=chosen, data=data)


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


def main() -> None:
    """Train with chosen knobs (``dialogic train`` runs the defaults):
    ``python -m dialogic.tagging.train --version 4 --epochs 3 --frozen-layers 3``."""
    import argparse

    from dialogic.tagging.corpus import load_training_corpus

    parser = argparse.ArgumentParser(description=main.__doc__.splitlines()[0])
    parser.add_argument("--version", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=TrainOptions.finetune_epochs)
    parser.add_argument("--frozen-layers", type=int, default=TrainOptions.finetune_frozen_layers)
    parser.add_argument("--max-length", type=int, default=TrainOptions.max_length)
    parser.add_argument("--context", type=int, default=TrainOptions.context)
    parser.add_argument("--real-talk-negatives", type=int, default=TrainOptions.real_talk_negatives)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--overwrite", action="store_true")
    parser.add_argument("--no-bf16-check", action="store_true", help="skip it (run `recheck` later)")
    args = parser.parse_args()
    options = TrainOptions(
        version=args.version,
        recipes=("finetune",),
        finetune_epochs=args.epochs,
        finetune_frozen_layers=args.frozen_layers,
        max_length=args.max_length,
        context=args.context,
        real_talk_negatives=args.real_talk_negatives,
        threads=args.threads,
        bf16_check=not args.no_bf16_check,
    )
    started = time.perf_counter()

    def progress(step: str, done: int, total: int) -> None:
        if step != "finetune" or done % 50 == 0 or done == total:
            print(f"[{time.perf_counter() - started:7.0f} s] {step} {done}/{total}", flush=True)

    report = train_tagger(load_training_corpus(), options, progress=progress)
    path = write_artifact(report, options, overwrite=args.overwrite)
    best = report.best
    print(f"wrote {path}: dev macro-F1 {best.dev.macro_f1:.4f}, thresholds {best.thresholds}", flush=True)


if __name__ == "__main__":
    main()
