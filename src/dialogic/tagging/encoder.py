"""The all-MiniLM-L6-v2 sentence encoder under every tagger, loaded only from the offline weights.

What the encoder sees is an artifact's *input spec* (`InputSpec`, the manifest's ``input``):

- v1–v3 (no ``input`` in the manifest): ``"[<role>] <text>"`` when the speaker's role is known,
  else bare text; one segment, mean-pooled over all of it.
- role-blind context models (v4 on): ``{"role": false, "context": N}`` — never the role. The
  previous N utterances go in a first segment, each marked ``[same]`` or ``[other]`` for whether
  the same speaker said it (``[other]`` when unknown), and the utterance in a second segment;
  the pooled embedding is the mean over the utterance's own tokens only, which attend to the
  context. The role enters only through the codebook's role rule, after the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModel, AutoTokenizer

from dialogic.errors import ModelError
from dialogic.tagging.precision import autocast

ENCODER_NAME = "all-minilm-l6-v2"


def encoder_sha256(directory: Path | None = None) -> str:
    """The sha256 of the encoder weights in ``directory``, or by default the recorded one (its
    manifest entry, which `encoder_dir` verifies the offline files against)."""
    if directory is not None:
        from dialogic.weights import sha256_file

        return sha256_file(directory / "model.safetensors")
    from dialogic.weights import get_manifest

    return get_manifest(ENCODER_NAME).files["model.safetensors"]


def encoder_dir() -> Path:
    """The verified local folder of the encoder; raises ModelError saying how to fetch it."""
    from dialogic.weights import require_weights

    return require_weights(ENCODER_NAME)


def format_input(text: str, role: str | None) -> str:
    """The string the encoder sees: the role as a leading token when it is known."""
    text = " ".join(text.split())
    if role and role not in ("unknown", "none"):
        return f"[{role}] {text}"
    return text


@dataclass(frozen=True)
class Turn:
    """A preceding utterance: its text and whether the same speaker said it (None: unknown)."""

    text: str
    same_speaker: bool | None = None


Context = tuple[Turn, ...]  # preceding utterances, oldest first; () when there are none

CONTEXT_WORDS = 16  # words of context kept, counted back from the utterance (cost: two cores)


@dataclass(frozen=True)
class InputSpec:
    """What an artifact's encoder reads: the speaker role (v1–v3 only) and how many preceding
    utterances. Recorded in the manifest as ``input``; a manifest without it is a v1–v3 one."""

    role: bool = True
    context: int = 0

    @classmethod
    def from_manifest(cls, manifest: dict) -> InputSpec:
        spec = manifest.get("input")
        if spec is None:
            return cls(role=True, context=0)
        if not isinstance(spec, dict) or set(spec) - {"role", "context"}:
            raise ModelError(f"{manifest.get('model_version')}: unreadable input spec {spec!r} in its manifest")
        return cls(role=bool(spec.get("role", False)), context=int(spec.get("context", 0)))

    def as_dict(self) -> dict:
        return {"role": self.role, "context": self.context}

    def describe(self) -> str:
        if self.context == 0:
            return "'[<speaker_role>] <text>' when the role is known, else '<text>'" if self.role else "'<text>'"
        return (
            f"text pair: the previous {self.context} utterance(s), each marked '[same]' or '[other]' speaker "
            f"(at most {CONTEXT_WORDS} words, counted back), then the utterance"
            + (" after '[<speaker_role>]'" if self.role else "; never the speaker's role")
            + "; pooled over the utterance's own tokens"
        )


def format_context(context: Sequence[Turn] | None, n: int) -> str:
    """The first segment of a context model's input: the last ``n`` turns, marked same/other,
    clipped to the last `CONTEXT_WORDS` words."""
    turns = list(context or ())[-n:] if n else []
    words: list[str] = []
    for turn in turns:
        words += ["[same]" if turn.same_speaker else "[other]"] + turn.text.split()
    return " ".join(words[-CONTEXT_WORDS:])


def contexts_from_sequence(texts: Sequence[str], speakers: Sequence[str | None] | None, n: int = 1) -> list[Context]:
    """The context of each utterance of one meeting in order: the ``n`` before it, marked by
    whether the speaker label is the same (unknown when either label is missing)."""
    out: list[Context] = []
    for i in range(len(texts)):
        turns = []
        for j in range(max(0, i - n), i):
            same = None
            if speakers is not None and speakers[i] is not None and speakers[j] is not None:
                same = speakers[i] == speakers[j]
            turns.append(Turn(texts[j], same))
        out.append(tuple(turns))
    return out


@dataclass
class Encoder:
    """A tokenizer and a BERT body with mean pooling, as sentence-transformers defines it."""

    tokenizer: object
    model: torch.nn.Module
    max_length: int = 64

    def tokenize(self, texts: list[str], contexts: list[str] | None = None) -> dict[str, torch.Tensor]:
        """One segment per text, or (with ``contexts``) a context / text pair per text, whose
        ``pool_mask`` covers the text's own tokens only."""
        if contexts is None:
            return self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
        batch = self.tokenizer(
            contexts, texts, padding=True, truncation="longest_first", max_length=self.max_length, return_tensors="pt"
        )
        batch["pool_mask"] = batch["attention_mask"] * batch["token_type_ids"]
        return batch

    def pooled(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Mean of the last hidden states over real (non-padding) tokens — of the utterance's
        segment only when the batch is a context / text pair."""
        extra = {"token_type_ids": batch["token_type_ids"]} if "pool_mask" in batch else {}
        hidden = self.model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], **extra
        ).last_hidden_state
        mask = batch.get("pool_mask", batch["attention_mask"]).unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    @torch.inference_mode()
    def embed(
        self, texts: list[str], batch_size: int = 64, *, precision: str = "fp32", contexts: list[str] | None = None
    ) -> torch.Tensor:
        """Pooled fp32 embeddings of ``texts`` (each after its context string, when given) in
        input order; batches are length-sorted to pad less, and the encoder runs in
        ``precision`` (see `dialogic.tagging.precision`)."""
        self.model.eval()
        size = (lambda i: len(texts[i]) + len(contexts[i])) if contexts is not None else (lambda i: len(texts[i]))
        order = sorted(range(len(texts)), key=size)
        out = torch.empty(len(texts), self.model.config.hidden_size)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            part = [contexts[i] for i in idx] if contexts is not None else None
            with autocast(precision):
                out[idx] = self.pooled(self.tokenize([texts[i] for i in idx], part)).float()
        return out


def load_encoder(directory: Path | None = None, *, max_length: int = 64, state_dict: dict | None = None) -> Encoder:
    """Load the encoder from the verified offline folder (never a hub); ``state_dict`` replaces
    some of its weights, e.g. the fine-tuned layers stored in a tagger artifact."""
    directory = directory or encoder_dir()
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        model = AutoModel.from_pretrained(str(directory), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelError(f"{directory}: the encoder does not load: {exc}") from exc
    if state_dict is not None:
        _, unexpected = model.load_state_dict({k: v.float() for k, v in state_dict.items()}, strict=False)
        if unexpected:
            raise ModelError(f"fine-tuned encoder weights do not fit all-MiniLM-L6-v2 (unexpected {unexpected[:3]})")
    model.eval()
    return Encoder(tokenizer=tokenizer, model=model, max_length=max_length)
