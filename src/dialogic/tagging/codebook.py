"""The tagging codebook as data: its tags (codebook.toml) and the worked examples in docs/codebook.md.

Raters read ``docs/codebook.md``; the models and the tests read the same file through
`load_codebook_examples`, so an example a rater sees is the example the model is checked on.
Each tag section of the codebook holds a table whose rows look like
``| persuasion+3 | clinician | <utterance> | yes | <why> |`` (``+`` positive, ``-`` negative).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dialogic.errors import LookupFailed
from dialogic.paths import _REPO_DIR

ROLES: tuple[str, ...] = ("service_user", "network", "clinician", "peer", "other")

_TAG_NAME = re.compile(r"^[a-z][a-z0-9_]*$")  # a tag name becomes part of view column names


@dataclass(frozen=True)
class Tag:
    """One tag of the codebook: ``counts_for`` is its rule by role (None: every role)."""

    name: str
    title: str
    definition: str
    counts_for: tuple[str, ...] | None = None


def codebook_tags_path() -> Path:
    """The codebook's tag list (``codebook.toml`` beside this module); ``DIALOGIC_CODEBOOK``
    names another, so a project can code with its own tags."""
    if env := os.environ.get("DIALOGIC_CODEBOOK"):
        return Path(env).expanduser()
    return Path(__file__).with_name("codebook.toml")


def load_codebook_tags(path: Path | None = None) -> tuple[Tag, ...]:
    """The tags of the codebook at ``path``, in its order; a clear error names a bad entry."""
    path = path or codebook_tags_path()
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("tag")
    except (OSError, ValueError) as exc:
        raise LookupFailed(f"{path}: codebook tags unreadable: {exc}") from exc
    if not isinstance(entries, list) or not entries:
        raise LookupFailed(f"{path}: no [[tag]] entries")
    tags = []
    for n, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not _TAG_NAME.match(name):
            raise LookupFailed(f"{path}: tag {n} needs a name of lowercase letters, digits and '_', got {name!r}")
        if any(t.name == name for t in tags):
            raise LookupFailed(f"{path}: tag {name!r} is listed twice")
        counts_for = entry.get("counts_for")
        if counts_for is not None and (not counts_for or not set(counts_for) <= set(ROLES)):
            raise LookupFailed(f"{path}: tag {name!r}: counts_for must list roles of {list(ROLES)}, got {counts_for!r}")
        tags.append(
            Tag(
                name=name,
                title=str(entry.get("title") or name.replace("_", " ")),
                definition=str(entry.get("definition", "")),
                counts_for=tuple(counts_for) if counts_for is not None else None,
            )
        )
    return tuple(tags)


CODEBOOK: tuple[Tag, ...] = load_codebook_tags()
# The one tag list: the order in which every table, export and report lists tags.
TAGS: tuple[str, ...] = tuple(t.name for t in CODEBOOK)
# Each tag's name for people (report, review app, exports' notes).
TAG_TITLES: dict[str, str] = {t.name: t.title for t in CODEBOOK}
DEFINITIONS: dict[str, str] = {t.name: t.definition for t in CODEBOOK}
# The codebook's rules by speaker role ("Rules by role" in docs/codebook.md): a tag listed here
# counts only for speakers of these roles. The SQL macro tag_role_rule is generated from this (see
# sql/macros/tag_role_rule.sql); a test checks that both give the same answer for every tag and role.
ROLE_RULES: dict[str, tuple[str, ...]] = {t.name: t.counts_for for t in CODEBOOK if t.counts_for is not None}


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
    r"^\|\s*(?P<id>(?P<tag>[a-z][a-z0-9_]*)(?P<sign>[+-])\d+)\s*\|\s*(?P<role>[a-z_]*)\s*\|"
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
