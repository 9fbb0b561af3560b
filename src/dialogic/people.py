"""How a meeting's people are named, and how a written name finds its participant.

Two rules that every part of dialogic shares, so that one person has one name everywhere:

- ``display_name``: what the report, the exports, the review app and the CLI print for a speaker:
  the pseudonym, else the participant id, then the role and, where set, the relation or
  profession: ``Alex (service user)``, ``Maria (network, mother)``,
  ``p3 (clinician, psychiatrist)``. An unmapped speaker is shown by its label (``SPEAKER_00``).
- ``participants_named``: which participants a written name (a transcript's speaker, the right
  side of ``dialogic speakers map``) names: the ones whose id, pseudonym, person, relation or
  profession equals it (case and spacing aside); when none does, the ones whose role it names
  (``Clinician``, ``Peer``, ``Service user``). A name that fits several participants names
  nobody in particular: the caller leaves it unmapped and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

UNATTRIBUTED = "unattributed"  # the name of words no diarised speaker overlapped


def role_words(role: str) -> str:
    """``service_user`` → ``service user``."""
    return role.replace("_", " ")


def display_name(
    *,
    participant_id: str | None = None,
    pseudonym: str | None = None,
    role: str | None = None,
    relation: str | None = None,
    profession: str | None = None,
    speaker_label: str | None = None,
) -> str:
    """One person's name as every output shows it (see the module docstring)."""
    name = pseudonym or participant_id or speaker_label or UNATTRIBUTED
    if not role:
        return name
    detail = ", ".join([role_words(role), *(x for x in (relation, profession) if x)])
    return f"{name} ({detail})"


def name_key(name: str) -> str:
    """How names are compared: case, underscores and runs of spaces ignored."""
    return " ".join(name.replace("_", " ").split()).casefold()


def participants_named(name: str, participants: Iterable) -> set[str]:
    """The ids of the participants ``name`` names (see the module docstring). ``participants``
    are objects with ``id``, ``role``, ``pseudonym``, ``relation``, ``profession`` and
    ``person`` attributes (``manifest.Participant``, as read from a manifest or the database)."""
    key = name_key(name)
    people = list(participants)
    by_name = {
        p.id
        for p in people
        if any(value and name_key(value) == key for value in (p.id, p.pseudonym, p.person, p.relation, p.profession))
    }
    if by_name:
        return by_name
    return {p.id for p in people if name_key(p.role) == key}


ROLES = ("service_user", "network", "clinician", "peer", "other")


def role_named(name: str) -> str | None:
    """The role a speaker's name is a word for (``Peer`` → ``peer``, ``Service user`` →
    ``service_user``), or None: used where there are no participants to match (``dialogic tag``)."""
    key = name_key(name)
    return next((role for role in ROLES if name_key(role) == key), None)


def participant_named(name: str, participants: Sequence) -> str | None:
    """The one participant ``name`` names, or None when it names none or several."""
    found = participants_named(name, participants)
    return next(iter(found)) if len(found) == 1 else None
