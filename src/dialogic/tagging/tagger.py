"""A trained tagger artifact (``models/<name>-v<N>/``) loaded for prediction.

An artifact holds ``manifest.json`` (recipe, encoder sha256, calibration, thresholds, test
figures and the sha256 of each of its files), ``head.safetensors`` and — when the encoder was
fine-tuned — ``encoder.safetensors`` in fp16. The shipped encoder weights are never copied in:
a head-only artifact is a few hundred kilobytes and always runs on the verified offline encoder.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file

from dialogic.errors import ModelError
from dialogic.tagging.artifacts import artifact_digest, resolve_artifact
from dialogic.tagging.codebook import TAGS, apply_role_rules
from dialogic.tagging.encoder import (
    Context,
    Encoder,
    InputSpec,
    contexts_from_sequence,
    encoder_dir,
    encoder_sha256,
    format_context,
    format_input,
    load_encoder,
)
from dialogic.tagging.evaluate import apply_platt
from dialogic.tagging.precision import BATCH_SIZE, choose_precision
from dialogic.weights import sha256_file


class TagHead(torch.nn.Module):
    """A small MLP from the L2-normalised pooled embedding to one logit per tag."""

    def __init__(self, dim: int = 384, hidden: int = 256, n_tags: int = len(TAGS), dropout: float = 0.1):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Dropout(dropout),
            torch.nn.Linear(dim, hidden),
            torch.nn.GELU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, n_tags),
        )

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.net(F.normalize(pooled, dim=-1))


@torch.inference_mode()
def head_logits(
    encoder: Encoder,
    head: TagHead,
    texts: list[str],
    roles: list[str | None] | None,
    *,
    batch_size: int,
    precision: str = "fp32",
    spec: InputSpec = InputSpec(),
    contexts: list[Context] | None = None,
) -> np.ndarray:
    """Raw logits (n × the head's tags, in its artifact's order) of ``head`` over ``encoder``'s pooled embeddings of
    the texts, read as ``spec`` says: with the speaker role (when ``roles`` has one) only if
    ``spec.role``, after the preceding utterances in ``contexts`` only if ``spec.context``."""
    inputs = [format_input(t, roles[i] if roles and spec.role else None) for i, t in enumerate(texts)]
    context_strings = None
    if spec.context:
        context_strings = [format_context(contexts[i] if contexts else None, spec.context) for i in range(len(texts))]
    return head(encoder.embed(inputs, batch_size, precision=precision, contexts=context_strings)).double().numpy()


@dataclass
class Tagger:
    """A loaded artifact. ``predict`` returns calibrated probabilities per tag; an utterance
    carries a tag when its probability is at or over ``thresholds[tag]``. ``tags`` are the
    artifact's own (its manifest's ``tags``, in the head's row order): a tagger trained before a
    tag joined the codebook keeps loading and tags what it was trained on."""

    model_version: str
    name: str
    version: int
    thresholds: dict[str, float]
    calibration: dict[str, tuple[float, float]]
    encoder: Encoder
    head: TagHead
    manifest: dict
    sha256: str
    precision: str = "fp32"  # or "bf16": see `dialogic.tagging.precision`
    batch_size: int = 32
    input_spec: InputSpec = InputSpec()  # what the encoder reads (the manifest's ``input``)
    tags: tuple[str, ...] = TAGS  # the head's rows, from the manifest

    def logits(
        self, texts: list[str], roles: list[str | None] | None = None, contexts: list[Context] | None = None
    ) -> np.ndarray:
        if roles is not None and len(roles) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(roles)} roles")
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        self.head.eval()
        return head_logits(
            self.encoder,
            self.head,
            texts,
            roles,
            batch_size=self.batch_size,
            precision=self.precision,
            spec=self.input_spec,
            contexts=contexts,
        )

    def in_precision(self, precision: str) -> Tagger:
        """The same tagger (sharing its weights) running in ``precision``, with that precision's
        batch size; unlike `load_tagger_from` this does not ask for a passed bf16 check."""
        return dataclasses.replace(self, precision=precision, batch_size=BATCH_SIZE[precision])

    def predict_array(
        self, texts: list[str], roles: list[str | None] | None = None, contexts: list[Context] | None = None
    ) -> np.ndarray:
        """Calibrated probabilities, n × ``tags`` (this artifact's order). ``roles`` reach the model only for
        artifacts whose input spec reads them (v1–v3); ``contexts`` only for those that read context."""
        if not texts:
            return np.zeros((0, len(self.tags)))
        return apply_platt(self.logits(texts, roles, contexts), self.calibration, self.tags)

    def codebook_array(
        self, texts: list[str], roles: list[str | None] | None = None, contexts: list[Context] | None = None
    ) -> np.ndarray:
        """`predict_array` with its columns in the codebook's `TAGS` order, as the evaluation's label
        matrices are. A tagger that does not predict every codebook tag cannot be scored that
        way: ModelError says which tags it lacks (never a column read as another tag's)."""
        missing = [t for t in TAGS if t not in self.tags]
        if missing:
            raise ModelError(
                f"{self.model_version} predicts {list(self.tags)}, not the codebook's {missing}: "
                "evaluate it with the codebook it was trained on"
            )
        return self.predict_array(texts, roles, contexts)[:, [self.tags.index(t) for t in TAGS]]

    def predict(
        self, texts: list[str], roles: list[str | None] | None = None, contexts: list[Context] | None = None
    ) -> list[dict[str, float]]:
        """One ``{tag: probability}`` per text, in input order. Probabilities are not rounded, so
        a label read off them always agrees with the one the evaluation counted."""
        probs = self.predict_array(texts, roles, contexts)
        return [{tag: float(row[j]) for j, tag in enumerate(self.tags)} for row in probs]

    def labels(self, probabilities: dict[str, float]) -> list[str]:
        """The tags whose probability reaches this tagger's threshold."""
        return [tag for tag in self.tags if probabilities[tag] >= self.thresholds[tag]]


def load_tagger_from(path: Path, *, encoder_directory: Path | None = None, precision: str | None = None) -> Tagger:
    """Load and verify one artifact folder: every file's sha256 and the encoder it was built on.

    ``precision``: ``fp32``, ``bf16``, or ``auto`` (default, or ``$DIALOGIC_TAGGER_PRECISION``):
    bf16 when the artifact passed its bf16 check and this CPU has bf16 units, else fp32 (see
    `dialogic.tagging.precision`).
    """
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}/manifest.json: unreadable: {exc}") from exc
    for relative, expected in manifest["files"].items():
        file = path / relative
        if not file.is_file():
            raise ModelError(f"{file}: missing from the tagger artifact")
        if sha256_file(file) != expected:
            raise ModelError(
                f"{file}: sha256 differs from the one recorded in {path}/manifest.json; the artifact was altered"
            )
    recorded = manifest["encoder"]["sha256"]
    actual = encoder_sha256(encoder_directory)
    encoder_directory = encoder_directory or encoder_dir()  # the default folder is verified against that sha256
    if actual != recorded:
        raise ModelError(
            f"{path.name} was built on encoder weights with sha256 {recorded}, but the encoder here has {actual}; "
            "retrain with `dialogic train` or fetch the matching weights"
        )
    state = load_file(str(path / "encoder.safetensors")) if "encoder.safetensors" in manifest["files"] else None
    encoder = load_encoder(encoder_directory, max_length=manifest["max_length"], state_dict=state)
    head_state = load_file(str(path / "head.safetensors"))
    tags = artifact_tags(path, manifest)
    head = TagHead(dim=encoder.model.config.hidden_size, hidden=manifest["head_hidden"], n_tags=len(tags))
    try:
        head.load_state_dict(head_state)
    except RuntimeError as exc:
        raise ModelError(
            f"{path}/head.safetensors does not fit the {len(tags)} tags its manifest lists: {exc}"
        ) from exc
    head.eval()
    chosen = choose_precision(precision, manifest)
    return Tagger(
        model_version=manifest["model_version"],
        name=manifest["name"],
        version=int(manifest["version"]),
        thresholds={t: float(manifest["thresholds"][t]) for t in tags},
        calibration={t: tuple(manifest["calibration"][t]) for t in tags},
        encoder=encoder,
        head=head,
        manifest=manifest,
        sha256=artifact_digest(manifest["files"]),
        input_spec=InputSpec.from_manifest(manifest),
        tags=tags,
    ).in_precision(chosen)


def artifact_tags(path: Path, manifest: dict) -> tuple[str, ...]:
    """The tags an artifact predicts (its manifest's ``tags``, in the head's row order), each a
    tag of the codebook and each with a threshold and a calibration."""
    tags = manifest.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        raise ModelError(f"{path}/manifest.json: 'tags' must list the tags the head predicts")
    unknown = [t for t in tags if t not in TAGS]
    if unknown:
        raise ModelError(f"{path}/manifest.json: tags {unknown} are not in the codebook ({', '.join(TAGS)})")
    missing = [t for t in tags if t not in manifest.get("thresholds", {}) or t not in manifest.get("calibration", {})]
    if missing:
        raise ModelError(f"{path}/manifest.json: no threshold or calibration for {missing}")
    return tuple(tags)


@functools.lru_cache(maxsize=4)
def load_tagger(name: str | None = None) -> Tagger:
    """The tagger ``name`` (a ``<name>-v<N>`` version, a name, or a folder); default: the newest
    ``models/dialogic-tagger-v*/``. Loaded once per process."""
    return load_tagger_from(resolve_artifact(name))


@dataclass(frozen=True)
class TagInput:
    """One utterance to tag from a file: ``utterance_id`` is the file's ``id`` or the line number."""

    utterance_id: str | int
    text: str
    speaker_role: str | None = None
    speaker: str | None = None  # a speaker label, to tell same-speaker context from another's


def read_tag_input(path: Path) -> list[TagInput]:
    """Read ``.txt`` or ``.jsonl`` (``text``, optional ``id``, ``speaker_role`` and ``speaker``).
    Blank lines are skipped; ids default to the 1-based line number. The lines are read as one
    conversation in order: a context model sees each utterance after the one before it.

    A ``.txt`` whose lines start ``Name: text`` is read as transcript import reads a plain-text
    transcript (``transcript_import.plain``: a line without a name continues the one before), and
    a name that is a role word (``Peer:``, ``Clinician:``) gives the utterance that role, so the
    codebook's role rules apply as they would to an imported meeting; the name is the speaker a
    context model sees turns by. Otherwise each line is one utterance of unknown role and speaker."""
    import json as _json

    from dialogic.errors import LookupFailed, ManifestError

    if not path.is_file():
        raise LookupFailed(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix not in (".txt", ".jsonl"):
        raise ManifestError(
            f"{path}: expected a .txt (one utterance per line) or .jsonl file, got {suffix or 'no suffix'!r}"
        )
    if suffix == ".txt":
        return _read_txt(path)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    items = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = _json.loads(line)
        except ValueError as exc:
            raise ManifestError(f"{path}:{n}: not valid JSON: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ManifestError(f"{path}:{n}: each line needs a string field 'text'")
        role, speaker = data.get("speaker_role"), data.get("speaker")
        items.append(
            TagInput(
                utterance_id=data.get("id", n),
                text=data["text"],
                speaker_role=role if isinstance(role, str) else None,
                speaker=str(speaker) if speaker is not None else None,
            )
        )
    return items


def _read_txt(path: Path) -> list[TagInput]:
    # The same reader as transcript import (its decoding, size limit and checks), so a file reads
    # one way whichever command is given it.
    from dialogic.people import role_named
    from dialogic.transcript_import import read_transcript
    from dialogic.transcript_import.text_file import read_text, split_name

    lines = read_text(path).splitlines()
    if not any(split_name(line)[0] for line in lines if line.strip()):
        return [TagInput(utterance_id=n, text=line.strip()) for n, line in enumerate(lines, start=1) if line.strip()]
    return [
        TagInput(utterance_id=s.line, text=s.text, speaker_role=role_named(s.speaker), speaker=s.speaker)
        for s in read_transcript(path).segments
    ]


def tag_inputs(
    tagger: Tagger,
    items: list[TagInput],
    *,
    batch_size: int = 256,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """One output record per input, in order: id, text, probabilities, the labels that count
    under the codebook's role rules, and ``candidates`` (labels that wait on an unknown role),
    exactly as the views count a stored meeting's tags. The texts go to the tagger
    ``batch_size`` at a time, as `tag_meeting` sends a meeting's, and ``progress(done, total)``
    is called after each batch."""
    roles = [item.speaker_role for item in items]
    texts = [item.text for item in items]
    # contexts from the whole sequence, so a batch's first utterance still sees the one before it
    contexts = contexts_from_sequence(texts, [item.speaker for item in items], tagger.input_spec.context or 1)
    probabilities: list[dict[str, float]] = []
    for start in range(0, len(items), batch_size):
        chunk = slice(start, start + batch_size)
        probabilities += tagger.predict(texts[chunk], roles[chunk] if any(roles) else None, contexts[chunk])
        if progress is not None:
            progress(len(probabilities), len(items))
    out = []
    for item, probs in zip(items, probabilities):
        labels, candidates = apply_role_rules(tagger.labels(probs), item.speaker_role)
        out.append(
            {
                "id": item.utterance_id,
                "text": item.text,
                "probabilities": probs,
                "labels": labels,
                "candidates": candidates,
            }
        )
    return out
