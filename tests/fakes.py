"""Fakes for unit tests of dialogic's own logic (never stand-ins for a model under test)."""

from __future__ import annotations

from dataclasses import dataclass

from dialogic.tagging.codebook import TAGS


@dataclass
class RoleEcho:
    """A fake tagger for the store's own logic: probability 0.9 for peers' persuasion, else 0.1."""

    model_version: str = "fake-tagger-v1"
    name: str = "fake-tagger"
    version: int = 1
    thresholds: dict = None
    seen_roles: list = None

    def __post_init__(self):
        self.thresholds = {t: 0.5 for t in TAGS}
        self.seen_roles = []

    def predict(self, texts, roles=None):
        self.seen_roles += list(roles)
        return [{t: 0.9 if (r == "peer" and t == "persuasion") else 0.1 for t in TAGS} for r in roles]


@dataclass
class WordEcho:
    """A fake tagger whose answer follows the words: option discussion 0.9 where the text names
    risperidone, else 0.1 for every tag; it records the texts it was asked about."""

    model_version: str = "echo-tagger-v1"
    name: str = "echo-tagger"
    version: int = 1
    thresholds: dict = None
    seen_texts: list = None

    def __post_init__(self):
        self.thresholds = {t: 0.5 for t in TAGS}
        self.seen_texts = []

    def predict(self, texts, roles=None):
        self.seen_texts += list(texts)
        return [
            {t: 0.9 if (t == "option_discussion" and "risperidone" in text.lower()) else 0.1 for t in TAGS}
            for text in texts
        ]
