"""The tagging codebook as data: tag names, definitions, and the worked examples in docs/codebook.md.

Raters read ``docs/codebook.md``; the models and the tests read the same file through
`load_codebook_examples`, so an example a rater sees is the example the model is checked on.
Each tag section of the codebook holds a table whose rows look like
``| persuasion+3 | clinician | <utterance> | yes | <why> |`` (``+`` positive, ``-`` negative).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dialogic.errors import LookupFailed
from dialogic.paths import _REPO_DIR

TAGS: tuple[str, ...] = (
    "persuasion",
    "option_discussion",
    "preference_elicitation",
    "peer_self_disclosure",
)

ROLES: tuple[str, ...] = ("service_user", "network", "clinician", "peer", "other")

# The codebook's rules by speaker role ("Rules by role" in docs/codebook.md): a tag listed here
# counts only for speakers of these roles. Mirrored in SQL by sql/macros/tag_role_rule.sql; a test
# checks that both give the same answer for every tag and role.
ROLE_RULES: dict[str, tuple[str, ...]] = {"peer_self_disclosure": ("peer",)}


def tag_role_rule(tag: str, role: str | None) -> str:
    """``applies`` when a label of ``tag`` counts for a speaker of ``role``; ``candidate`` while
    the role is unknown (None or ``unknown``) and the tag depends on it — shown to raters, not
    counted; ``not_applicable`` when the codebook rules the tag out for that role."""
    allowed = ROLE_RULES.get(tag)
    if allowed is None:
        return "applies"
    if role is None or role == "unknown":
        return "candidate"
    return "applies" if role in allowed else "not_applicable"


def apply_role_rules(labels: list[str], role: str | None) -> tuple[list[str], list[str]]:
    """Split a model's labels for one utterance into (labels that count, candidates)."""
    verdicts = {tag: tag_role_rule(tag, role) for tag in labels}
    return [t for t in labels if verdicts[t] == "applies"], [t for t in labels if verdicts[t] == "candidate"]


DEFINITIONS: dict[str, str] = {
    "persuasion": (
        "The speaker tries to move someone toward a particular decision by pressure or steering "
        "rather than open deliberation: insisting, repeating a recommendation after resistance, "
        "warning of consequences to push a choice, appealing to authority, rules or the Mental "
        "Health Act, presenting one option as the only reasonable one, conditional threats, "
        "brushing objections aside."
    ),
    "option_discussion": (
        "Names, proposes or compares two or more courses of action (including doing nothing, "
        "waiting, reducing or stopping medication), asks what the options are, or weighs one "
        "option against alternatives."
    ),
    "preference_elicitation": (
        "Asks or invites another person to say what they prefer, want, value, hope for or worry "
        "about regarding a decision or their care."
    ),
    "peer_self_disclosure": (
        "The speaker shares their own past or ongoing lived experience of mental distress, "
        "crisis, treatment, services or recovery, offered to connect with, normalise or give hope."
    ),
}


@dataclass(frozen=True)
class CodebookExample:
    """One worked example: ``expected`` is whether ``tag`` applies according to the codebook."""

    example_id: str
    tag: str
    speaker_role: str | None
    text: str
    expected: bool
    why: str


_ROW = re.compile(
    r"^\|\s*(?P<id>(?P<tag>[a-z_]+)(?P<sign>[+-])\d+)\s*\|\s*(?P<role>[a-z_]*)\s*\|"
    r"\s*(?P<text>.+?)\s*\|\s*(?P<says>yes|no)\s*\|\s*(?P<why>.*?)\s*\|\s*$"
)


def codebook_path() -> Path:
    """``docs/codebook.md`` of the source checkout."""
    return _REPO_DIR / "docs" / "codebook.md"


def load_codebook_examples(path: Path | None = None) -> list[CodebookExample]:
    """Every worked example row of the codebook, in file order."""
    path = path or codebook_path()
    if not path.is_file():
        raise LookupFailed(f"{path}: codebook not found")
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if not match or match["tag"] not in TAGS:
            continue
        expected = match["says"] == "yes"
        if expected != (match["sign"] == "+"):
            raise LookupFailed(f"{path}: example {match['id']} says {match['says']!r} but is numbered {match['sign']}")
        examples.append(
            CodebookExample(
                example_id=match["id"],
                tag=match["tag"],
                speaker_role=match["role"] or None,
                text=match["text"].replace("\\|", "|"),
                expected=expected,
                why=match["why"],
            )
        )
    return examples


def normalise_text(text: str) -> str:
    """Lowercase words only: two utterances that differ in case, punctuation or spacing match."""
    return " ".join(re.findall(r"[a-z0-9']+", text.lower().replace("’", "'")))
