"""The all-MiniLM-L6-v2 sentence encoder under every tagger, loaded only from the offline weights.

Utterances are fed as ``"[<role>] <text>"`` when the speaker's role is known, and as bare text
otherwise; the trainers show the model both forms so that a plain ``.txt`` file tags as well as
a diarised meeting.
"""

from __future__ import annotations

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


@dataclass
class Encoder:
    """A tokenizer and a BERT body with mean pooling, as sentence-transformers defines it."""

    tokenizer: object
    model: torch.nn.Module
    max_length: int = 64

    def tokenize(self, texts: list[str]) -> dict[str, torch.Tensor]:
        return self.tokenizer(texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")

    def pooled(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Mean of the last hidden states over real (non-padding) tokens."""
        hidden = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    @torch.inference_mode()
    def embed(self, texts: list[str], batch_size: int = 64, *, precision: str = "fp32") -> torch.Tensor:
        """Pooled fp32 embeddings of ``texts`` in input order; batches are length-sorted to pad
        less, and the encoder runs in ``precision`` (see `dialogic.tagging.precision`)."""
        self.model.eval()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = torch.empty(len(texts), self.model.config.hidden_size)
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            with autocast(precision):
                out[idx] = self.pooled(self.tokenize([texts[i] for i in idx])).float()
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
