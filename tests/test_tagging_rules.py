"""The rules corpus (training) and the rules set (held out) of issue #23, and the real-talk split."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dialogic.tagging import real_talk
from dialogic.tagging.codebook import TAGS, normalise_text
from dialogic.tagging.outside import by_rule, load_rules_set

ROOT = Path(__file__).resolve().parents[1]
PERSUASION_RULES = {
    "legal_leverage",
    "false_choice",
    "appeal_experience",
    "consequences_push",
    "repeat_after_resistance",
    "pleading",
    "brush_aside",
}


def _rows(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_training_rules_cover_every_persuasion_subtype_in_three_forms_with_context():
    rows = _rows(ROOT / "data/seed/rules.jsonl")
    rules = Counter(r["rule"] for r in rows)
    assert {f"persuasion+{name}" for name in PERSUASION_RULES} <= set(rules)
    for tag in TAGS:
        assert any(r.startswith(f"{tag}+") for r in rules) and any(r.startswith(f"{tag}-") for r in rules)
    assert {r["form"] for r in rows} == {"written", "spoken", "asr_noisy"}
    assert sum(1 for r in rows if r["prev_text"]) >= 0.8 * len(rows)
    resisted = [r for r in rows if r["rule"] == "persuasion+repeat_after_resistance" and r["prev_text"]]
    assert resisted and all(r["prev_same"] is False for r in resisted)


def test_own_voice_corpus_holds_the_speakers_own_refusals_as_negatives_beside_others_pushing(monkeypatch):
    rows = _rows(ROOT / "data/seed/own_voice.jsonl")
    negatives = [r for r in rows if r["rule"].startswith("persuasion-")]
    assert {r["rule"] for r in negatives} >= {"persuasion-own_refusal", "persuasion-own_plea"}
    assert all(r["persuasion"] == 0 for r in negatives) and all(
        r["persuasion"] == 1 for r in rows if r not in negatives
    )
    assert {r["speaker_role"] for r in rows if r["rule"] == "persuasion-own_refusal"} == {"service_user"}
    # the same pushes stand before refusals and before others joining in, so the context gives
    # nothing away: in both, most preceding turns are one of the generator's pushes
    monkeypatch.syspath_prepend(str(ROOT / "data/seed"))
    from build_own_voice import PUSHES

    pushes = [re.compile(re.sub(r"\\\{[a-z]+\\\}", ".+", re.escape(p)) + "$") for p in PUSHES]
    for rule in ("persuasion-own_refusal", "persuasion+join_push"):
        led = [r for r in rows if r["rule"] == rule and r["prev_text"]]
        pushed = sum(1 for r in led if any(p.match(r["prev_text"]) for p in pushes))
        assert pushed >= 0.5 * len(led), (rule, pushed, len(led))
    assert {r["form"] for r in rows} == {"written", "spoken", "asr_noisy"}
    # text-level, not role-level: a report of pressure leaves self-disclosure unjudged
    assert all("peer_self_disclosure" not in r for r in rows if r["rule"] == "persuasion-pressure_reported")


def test_own_voice_shares_no_five_word_run_with_the_held_out_sets_or_the_codebook():
    from dialogic.tagging.codebook import load_codebook_examples

    def runs(text):
        words = normalise_text(text).split()
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    held = [e.text for e in load_codebook_examples()]
    for path in (ROOT / "data/heldout").glob("*.jsonl"):
        held += [r["text"] for r in _rows(path)]
    held_runs = set().union(*(runs(t) for t in held))
    assert not [r["text"] for r in _rows(ROOT / "data/seed/own_voice.jsonl") if runs(r["text"]) & held_runs]


def test_role_blind_labels_keep_the_text_level_corpora_labels_whoever_speaks():
    from dialogic.tagging.corpus import load_training_corpus
    from dialogic.tagging.train import role_blind_labels

    rows = [r for r in load_training_corpus() if r.source in ("own_voice", "seed")]
    kept = {r.utterance_id: r.labels for r in role_blind_labels(rows)}
    own = [r for r in rows if r.source == "own_voice" and r.speaker_role == "service_user"]
    assert own and all(
        kept[r.utterance_id].get("peer_self_disclosure") == 0 for r in own if "peer_self_disclosure" in r.labels
    )
    # the older, role-coded corpus: a non-peer's "no" for self-disclosure is not judged
    older = [
        r
        for r in rows
        if r.source == "seed" and r.speaker_role == "clinician" and r.labels.get("peer_self_disclosure") == 0
    ]
    assert older and all("peer_self_disclosure" not in kept[r.utterance_id] for r in older)


def test_the_rules_set_shares_no_utterance_with_training_and_covers_the_same_rules():
    held = _rows(ROOT / "data/heldout/rules.jsonl")
    training = {normalise_text(r["text"]) for p in (ROOT / "data/seed").glob("*.jsonl") for r in _rows(p)}
    assert not [r["text"] for r in held if normalise_text(r["text"]) in training]
    assert {r["rule"] for r in held} == {r["rule"] for r in _rows(ROOT / "data/seed/rules.jsonl")}


def test_by_rule_counts_recall_and_false_fires_on_the_rules_own_tag():
    import numpy as np

    rows, rules = load_rules_set()
    probs = np.zeros((len(rows), len(TAGS)))
    probs[:, TAGS.index("persuasion")] = 1.0  # a model that tags everything as persuasion
    table = by_rule(rows, rules, probs, {t: 0.5 for t in TAGS})
    assert all(e["rate"] == 1.0 for r, e in table.items() if r.startswith("persuasion"))
    assert all(e["rate"] == 0.0 for r, e in table.items() if not r.startswith("persuasion"))
    assert table["persuasion-own_wish"]["code"] == "no" and table["persuasion+pleading"]["code"] == "yes"


def test_real_talk_parts_split_by_dialogue_and_are_stable():
    assert real_talk.part_of("Bmr001") == real_talk.part_of("Bmr001")
    parts = Counter(real_talk.part_of(f"d{i}") for i in range(2000))
    assert 0.55 < parts["train"] / 2000 < 0.65 and 0.15 < parts["dev"] / 2000 < 0.25


@pytest.mark.skipif(not real_talk.available(), reason="shared/data/real-talk is not here")
def test_real_talk_samples_keep_only_agreed_positives_and_have_context():
    rows = real_talk.load_real_talk()
    train = real_talk.sample_part(rows, "train", negatives=300, seed=13)
    assert train == real_talk.sample_part(rows, "train", negatives=300, seed=13)  # fixed seed
    assert all(r.labels.get("persuasion") != 1 for r in train)  # never trained as a persuasion positive
    asks = [r for r in train if r.labels.get("preference_elicitation") == 1]
    assert asks and all("?" in r.text for r in asks)
    assert all(r.speaker_role is None for r in train)
    assert sum(1 for r in train if r.prev_text) > 0.9 * len(train)
    dev = real_talk.sample_part(rows, "dev", negatives=300)
    dialogue = {row["id"]: str(row["dialogue_id"]) for row in rows}
    dev_dialogues = {dialogue[r.utterance_id.removeprefix("rt:")] for r in dev}
    assert not dev_dialogues & {dialogue[r.utterance_id.removeprefix("rt:")] for r in train}
