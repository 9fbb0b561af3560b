"""The seed corpus meets the issue's size and balance rules and keeps its fixed split."""

import json
from collections import Counter

from dialogic.tagging.codebook import TAGS, normalise_text
from dialogic.tagging.corpus import load_seed_corpus, seed_corpus_path


def _records():
    return [json.loads(line) for line in seed_corpus_path().read_text().splitlines() if line.strip()]


def test_size_positives_and_near_misses():
    records = _records()
    assert len(records) >= 2000
    for tag in TAGS:
        assert sum(r[tag] for r in records) >= 300, tag
    near_misses = [r for r in records if r["category"].startswith("not_") and not any(r[t] for t in TAGS)]
    assert len(near_misses) >= 600


def test_fields_roles_and_split():
    rows = load_seed_corpus()
    assert {r.split for r in rows} == {"train", "dev", "test"}
    assert {r.speaker_role for r in rows} <= {"service_user", "network", "clinician", "peer", "other"}
    counts = Counter(r.split for r in rows)
    assert counts["train"] > counts["dev"] > 0 and counts["test"] > 0
    for r in rows:
        assert set(r.labels) == set(TAGS) and set(r.labels.values()) <= {0, 1}


def test_no_duplicates_and_frames_do_not_cross_splits():
    records = _records()
    texts = [normalise_text(r["text"]) for r in records]
    assert len(texts) == len(set(texts))
    split_of_frame: dict[str, set[str]] = {}
    for r in records:
        split_of_frame.setdefault(r["frame"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split_of_frame.values())


def test_spoken_style_share_is_asr_like():
    records = _records()
    asr = [r for r in records if r["text"] == r["text"].lower() and not any(c in r["text"] for c in ".,?!")]
    assert 0.15 <= len(asr) / len(records) <= 0.4


def test_data_card_says_written_not_recorded():
    card = (seed_corpus_path().parent / "DATA_CARD.md").read_text().lower()
    assert "written" in card and "not recorded" in card


def test_rater_labels_from_duckdb_join_the_train_split(tmp_path):
    from builders import insert, participant, utterance

    from dialogic.db import connect
    from dialogic.tagging.corpus import load_rater_labels

    con = connect(tmp_path / "r.duckdb")
    con.execute(
        "insert into meetings (meeting_id, audio_path, consent_status, consent_scope) values ('m1', 'a.wav', 'given', ['review'])"
    )
    insert(con, "participants", participant("m1", "p1", "peer"))
    con.execute(
        "insert into speakers (meeting_id, speaker_label, participant_id, speech_s) values ('m1', 'S0', 'p1', 5)"
    )
    insert(con, "utterances", utterance("m1", 0, "S0", 0, 4, "I was in hospital myself once."))
    for rater, value in (("a", True), ("b", True), ("c", False)):
        con.execute(
            "insert into ratings (rater_id, utterance_id, meeting_id, tag, value, utterance_text) values "
            "(?, 'm1/u00000', 'm1', 'peer_self_disclosure', ?, 'I was in hospital myself once.')",
            [rater, value],
        )
    # a tie on another tag is no majority and must not be used
    for rater, value in (("a", True), ("b", False)):
        con.execute(
            "insert into ratings (rater_id, utterance_id, meeting_id, tag, value, utterance_text) values "
            "(?, 'm1/u00000', 'm1', 'persuasion', ?, 'I was in hospital myself once.')",
            [rater, value],
        )
    rows = load_rater_labels(con)
    assert len(rows) == 1
    row = rows[0]
    assert (row.split, row.source, row.speaker_role) == ("train", "rater", "peer")
    assert row.labels == {"peer_self_disclosure": 1}


def test_no_rater_labels_view_means_no_extra_rows():
    import duckdb

    from dialogic.tagging.corpus import load_rater_labels

    assert load_rater_labels(duckdb.connect()) == []
