"""Every analytics view against a fixture meeting whose numbers are worked out by hand below.

Meeting 'fx' (duration_s 60): participants doc (clinician), su (service_user), mum (network),
dad (network, never speaks), peer1 (peer); diarised speakers S0→su, S1→mum, S2→doc, S3→peer1,
S4 unmapped. Utterances (exclusive track), in time order:

    u  speaker voice         start   end  speech_s words  current tags (v2)
    0  S2      doc            0.0   10.0  10.0      8     preference_elicitation
    1  S0      su            11.0   15.0   4.0      6     option_discussion
    2  S0      su            15.5   19.5   4.0      4
    3  S2      doc           21.0   30.0   9.0      8     option_discussion
    4  S0      su            29.0   35.0   6.0      2
    5  S3      peer1         36.0   40.0   4.0      8     peer_self_disclosure
    6  S1      mum           40.0   46.0   6.0      6     persuasion
    7  S4      unmapped:S4   47.0   49.0   2.0      2     peer_self_disclosure (a candidate: unmapped)
    8  S2      doc           52.0   57.0   5.0      8     option_discussion

Speaking turns (runs of one voice): t1 doc[u0] 10 s, t2 su[u1,u2] 8 s, t3 doc[u3] 9 s,
t4 su[u4] 6 s, t5 peer1[u5] 4 s, t6 mum[u6] 6 s, t7 S4[u7] 2 s, t8 doc[u8] 5 s.
Totals: speech 50 s (doc 24, su 14, mum 6, peer1 4, S4 2, dad 0); words 52; turns 8.

Meeting 'fy' (duration unknown) has one untagged utterance by its service user: 0–5 s, 2 words.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from builders import build_fixture_db, insert, refresh, turn

from dialogic.paths import sql_dir
from dialogic.tagging.codebook import TAGS

approx = pytest.approx


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = build_fixture_db(tmp_path_factory.mktemp("views") / "fixture.duckdb")
    yield connection
    connection.close()


def rows(con, query: str) -> list[dict]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def test_stg_utterances_roles_voices_durations_and_words(con):
    got = rows(
        con,
        "select utterance_id, voice_id, participant_id, role, duration_s, word_count, site "
        "from stg_utterances where meeting_id = 'fx' order by utterance_index",
    )
    assert [r["voice_id"] for r in got] == ["doc", "su", "su", "doc", "su", "peer1", "mum", "unmapped:S4", "doc"]
    assert [r["role"] for r in got] == [
        "clinician",
        "service_user",
        "service_user",
        "clinician",
        "service_user",
        "peer",
        "network",
        "unknown",
        "clinician",
    ]
    assert got[7]["participant_id"] is None
    assert [r["duration_s"] for r in got] == [10.0, 4.0, 4.0, 9.0, 6.0, 4.0, 6.0, 2.0, 5.0]
    assert [r["word_count"] for r in got] == [8, 6, 4, 8, 2, 8, 6, 2, 8]
    assert {r["site"] for r in got} == {"north"}


def test_stg_current_tagger_is_latest_activated_version_with_rows(con):
    # v3 is activated later but has no rows for fx; v2 beats v1.
    assert rows(con, "select meeting_id, model_version from stg_current_tagger") == [
        {"meeting_id": "fx", "model_version": "tagger-v2"}
    ]


def test_utterances_tagged_pivots_current_version(con):
    got = rows(
        con,
        "select * from utterances_tagged where utterance_id in ('fx/u00000', 'fx/u00006', 'fy/u00000') "
        "order by utterance_id",
    )
    u0, u6, fy = got
    assert u0["tagger_model_version"] == "tagger-v2"
    assert (u0["preference_elicitation_p"], u0["preference_elicitation_label"]) == (0.91, True)
    assert (u0["persuasion_p"], u0["persuasion_label"]) == (0.1, False)  # v1's 0.9 ignored
    assert (u6["persuasion_p"], u6["persuasion_label"]) == (0.8, True)
    assert fy["tagger_model_version"] is None and fy["option_discussion_label"] is None


def test_stg_speaking_turns(con):
    got = rows(
        con,
        "select turn_no, voice_id, start_s, end_s, speech_s, word_count, utterance_count, "
        "first_utterance_id, previous_role, previous_end_s from stg_speaking_turns "
        "where meeting_id = 'fx' order by turn_no",
    )
    assert [(r["turn_no"], r["voice_id"], r["speech_s"]) for r in got] == [
        (1, "doc", 10.0),
        (2, "su", 8.0),
        (3, "doc", 9.0),
        (4, "su", 6.0),
        (5, "peer1", 4.0),
        (6, "mum", 6.0),
        (7, "unmapped:S4", 2.0),
        (8, "doc", 5.0),
    ]
    assert (got[1]["start_s"], got[1]["end_s"]) == (11.0, 19.5)
    assert (got[1]["word_count"], got[1]["utterance_count"], got[1]["first_utterance_id"]) == (10, 2, "fx/u00001")
    assert got[0]["previous_role"] is None
    assert got[4]["previous_role"] == "service_user" and got[4]["previous_end_s"] == 35.0


def test_stg_utterance_turns_numbers_runs_of_one_voice(con):
    got = rows(con, "select position, turn_no from stg_utterance_turns where meeting_id = 'fx' order by position")
    assert [r["turn_no"] for r in got] == [1, 2, 2, 3, 4, 5, 6, 7, 8]


def test_stg_current_tags_keeps_only_the_current_version(con):
    got = rows(
        con,
        "select model_version, count(*) as n, count(*) filter (where label) as hits "
        "from stg_current_tags group by model_version",
    )
    assert got == [{"model_version": "tagger-v2", "n": 9 * 4, "hits": 7}]


def test_stg_tag_hits_context(con):
    got = {r["utterance_id"]: r for r in rows(con, "select * from stg_tag_hits")}
    # u7's peer self-disclosure is by an unmapped speaker: a candidate, not a hit (codebook rule by role)
    assert sorted(got) == ["fx/u00000", "fx/u00001", "fx/u00003", "fx/u00005", "fx/u00006", "fx/u00008"]
    u0 = got["fx/u00000"]
    assert (
        u0["tag"],
        u0["role"],
        u0["turn_no"],
        u0["followed_role"],
        u0["answered_by_role"],
        u0["answer_start_s"],
    ) == ("preference_elicitation", "clinician", 1, "none", "service_user", 11.0)
    u8 = got["fx/u00008"]
    assert (u8["followed_role"], u8["answered_by_role"], u8["answer_start_s"]) == ("unknown", "none", None)


def test_stg_overlaps(con):
    got = rows(
        con,
        "select turn_index, interrupter_voice_id, interrupted_voice_id, overlap_s, is_interruption "
        "from stg_overlaps where meeting_id = 'fx' order by turn_index",
    )
    assert [
        (r["turn_index"], r["interrupter_voice_id"], r["interrupted_voice_id"], r["is_interruption"]) for r in got
    ] == [
        (1, "su", "doc", False),
        (3, "su", "doc", True),
        (5, "mum", "peer1", False),
        (6, "peer1", "mum", False),
        (8, "doc", "unmapped:S4", True),
    ]
    assert [r["overlap_s"] for r in got] == [approx(0.2), approx(1.0), approx(0.5), approx(1.0), approx(1.0)]


def test_voice_share_participant(con):
    got = {r["voice_id"]: r for r in rows(con, "select * from voice_share_participant where meeting_id = 'fx'")}
    assert set(got) == {"doc", "su", "mum", "dad", "peer1", "unmapped:S4"}
    # speech_s / 50 s; words / 52; turns / 8
    expected = {
        #               speech words turns longest mean
        "doc": (24.0, 24, 3, 10.0, 8.0),
        "su": (14.0, 12, 2, 8.0, 7.0),
        "mum": (6.0, 6, 1, 6.0, 6.0),
        "peer1": (4.0, 8, 1, 4.0, 4.0),
        "unmapped:S4": (2.0, 2, 1, 2.0, 2.0),
        "dad": (0.0, 0, 0, None, None),
    }
    for voice, (speech, words, turns, longest, mean) in expected.items():
        r = got[voice]
        assert r["speech_s"] == approx(speech)
        assert r["word_count"] == words
        assert r["turn_count"] == turns
        assert r["speech_pct"] == approx(100 * speech / 50)
        assert r["words_pct"] == approx(100 * words / 52)
        assert r["turns_pct"] == approx(100 * turns / 8)
        assert r["longest_turn_s"] == (approx(longest) if longest is not None else None)
        assert r["mean_turn_s"] == (approx(mean) if mean is not None else None)
    assert got["unmapped:S4"]["role"] == "unknown" and got["dad"]["role"] == "network"
    # turn time beside utterance time: the speakers' diarised speech_s, by voice
    assert {v: r["diarised_speech_s"] for v, r in got.items()} == {
        "doc": 24,
        "su": 14,
        "mum": 6,
        "peer1": 4,
        "unmapped:S4": 2,
        "dad": None,
    }


def test_speech_that_got_no_words_counts_in_the_share_of_speaking_time(tmp_path):
    con = build_fixture_db(tmp_path / "wordless.duckdb")
    try:
        # dad was diarised for 2.1 s between u7 (ends 49 s) and u8 (starts 52 s); no word was
        # aligned to him. An unmapped S5 murmured 0.5 s at 58 s, after the last utterance, in two
        # overlapping turns (one stretch), and doc has a 1 s wordless turn of his own at 59.5 s.
        insert(
            con,
            "speakers",
            {"meeting_id": "fx", "speaker_label": "S6", "participant_id": "dad", "speech_s": 2.1},
            {"meeting_id": "fx", "speaker_label": "S5", "participant_id": None, "speech_s": 0.5},
        )
        insert(
            con,
            "turns",
            turn("fx", "overlap", 9, "S6", 49.5, 51.6),
            turn("fx", "overlap", 10, "S5", 58.0, 58.4),
            turn("fx", "overlap", 11, "S5", 58.2, 58.5),
            turn("fx", "overlap", 12, "S2", 59.5, 60.5),
            # on the exclusive track only: not a turn of the overlap track, not counted
            turn("fx", "exclusive", 13, "S6", 58.6, 59.0),
        )
        refresh(con, "fx")
        got = {r["voice_id"]: r for r in rows(con, "select * from voice_share_participant where meeting_id = 'fx'")}
        total = 50 + 2.1 + 0.5 + 1.0
        dad, murmur, doc = got["dad"], got["unmapped:S5"], got["doc"]
        assert (dad["speech_s"], dad["wordless_s"], dad["word_count"], dad["turn_count"]) == (
            approx(2.1),
            approx(2.1),
            0,
            0,
        )
        assert dad["speech_pct"] == approx(100 * 2.1 / total)
        assert (murmur["speech_s"], murmur["role"], murmur["speech_pct"]) == (
            approx(0.5),
            "unknown",
            approx(100 * 0.5 / total),
        )
        # doc: 24 s of utterances + 1 s without words; words and turns stay word-based
        assert (doc["speech_s"], doc["wordless_s"], doc["speech_pct"]) == (
            approx(25.0),
            approx(1.0),
            approx(100 * 25 / total),
        )
        assert (doc["words_pct"], doc["turns_pct"], doc["mean_turn_s"]) == (
            approx(100 * 24 / 52),
            approx(100 * 3 / 8),
            approx(8.0),
        )
        assert sum(r["speech_pct"] for r in got.values()) == approx(100.0)
        stretches = con.execute(
            "select speaker_label, start_s, end_s, turn_count from wordless_speech_facts order by all"
        ).fetchall()
        assert stretches == [("S2", 59.5, 60.5, 1), ("S5", 58.0, 58.5, 2), ("S6", 49.5, 51.6, 1)]
        check = (Path(__file__).parents[1] / "sql" / "tests" / "assert_wordless_speech_facts_fresh.sql").read_text()
        assert con.execute(check).fetchall() == []
        role = {r["role"]: r for r in rows(con, "select * from voice_share_role where meeting_id = 'fx'")}
        assert role["network"]["speech_s"] == approx(6 + 2.1)
        assert role["network"]["speaking_voice_count"] == 2
        assert role["unknown"]["speech_s"] == approx(2.0 + 0.5)
        assert role["clinician"]["mean_turn_s"] == approx(8.0)
        # windows count it too: dad's 49.5–51.6 s gives 0.5 s to [25, 50) and 1.6 s to [50, 75)
        windows = {
            (r["window_index"], r["role"]): r
            for r in rows(con, "select * from voice_share_window_at(25) where meeting_id = 'fx'")
        }
        assert windows[(1, "network")]["speech_s"] == approx(6.0 + 0.5)  # mum's u6 and dad
        assert windows[(2, "network")]["speech_s"] == approx(1.6)
        assert (windows[(2, "network")]["utterance_count"], windows[(2, "network")]["word_count"]) == (0, 0)
        assert windows[(2, "unknown")]["speech_s"] == approx(0.5)  # S5's stretch
        assert sum(r["speech_s"] for r in windows.values()) == approx(total)
        balance = rows(con, "select speech_s, lay_speech_pct from balance where meeting_id = 'fx'")[0]
        assert balance["speech_s"] == approx(total)
        assert balance["lay_speech_pct"] == approx(100 * (14 + 6 + 2.1) / total)
        # and the zero-row assertions hold with speech beyond the utterances' time
        assertions = sorted((sql_dir() / "tests").glob("assert_*.sql"))
        assert [(a.stem, *r) for a in assertions for r in con.execute(a.read_text()).fetchall()] == []
        # a correction that moves doc's last utterance onto the wordless turn's time does not count
        # that second twice: the stretch now overlaps an utterance and drops out
        con.execute("update utterances set end_s = 60.0 where utterance_id = 'fx/u00008'")
        refresh(con, "fx")
        doc = rows(con, "select * from voice_share_participant where meeting_id = 'fx' and voice_id = 'doc'")[0]
        assert (doc["speech_s"], doc["wordless_s"]) == (approx(27.0), approx(0.0))
    finally:
        con.close()


def test_voice_share_role(con):
    got = {r["role"]: r for r in rows(con, "select * from voice_share_role where meeting_id = 'fx'")}
    # network = mum (6 s, 1 turn) + silent dad; 'other' has nobody registered and no speech: no row.
    assert set(got) == {"clinician", "service_user", "network", "peer", "unknown"}
    assert (got["network"]["voice_count"], got["network"]["speaking_voice_count"]) == (2, 1)
    assert {k: got[k]["speech_pct"] for k in got} == {
        "clinician": approx(48.0),
        "service_user": approx(28.0),
        "network": approx(12.0),
        "peer": approx(8.0),
        "unknown": approx(4.0),
    }
    assert got["clinician"]["turns_pct"] == approx(37.5)
    assert got["service_user"]["mean_turn_s"] == approx(7.0)
    assert got["service_user"]["words_pct"] == approx(100 * 12 / 52)


def test_voice_share_window_at_splits_crossing_utterances(con):
    # 25 s windows: [0,25) [25,50) [50,75). u3 (21–30 s) gives 4 s to window 0 and 5 s to window 1;
    # its 8 words count where it starts (window 0).
    got = {
        (r["window_index"], r["role"]): r
        for r in rows(con, "select * from voice_share_window_at(25) where meeting_id = 'fx'")
    }
    assert len(got) == 3 * 5  # every speaking role in every window
    assert got[(0, "clinician")]["speech_s"] == approx(14.0)  # u0 10 + u3 4
    assert got[(0, "clinician")]["word_count"] == 16
    assert got[(0, "service_user")]["speech_s"] == approx(8.0)
    assert got[(0, "clinician")]["speech_pct"] == approx(100 * 14 / 22)
    assert got[(1, "clinician")]["speech_s"] == approx(5.0)
    assert got[(1, "clinician")]["word_count"] == 0
    assert got[(1, "service_user")]["speech_pct"] == approx(100 * 6 / 23)
    assert got[(2, "clinician")]["speech_pct"] == approx(100.0)
    assert got[(2, "peer")]["speech_s"] == 0 and got[(2, "peer")]["speech_pct"] == 0
    assert (got[(2, "peer")]["window_start_s"], got[(2, "peer")]["window_end_s"]) == (50, 75)


def test_voice_share_window_default_is_two_minutes(con):
    got = rows(
        con,
        "select window_index, role, speech_s from voice_share_window where meeting_id = 'fx' and role = 'clinician'",
    )
    assert got == [{"window_index": 0, "role": "clinician", "speech_s": approx(24.0)}]


def test_turn_taking(con):
    got = {r["meeting_id"]: r for r in rows(con, "select * from turn_taking")}
    fx = got["fx"]
    # gaps between turns: t2 1.0, t3 1.5, t5 1.0, t7 1.0, t8 3.0 (t4 starts 1 s early, t6 at 0 s)
    assert (fx["turn_count"], fx["meeting_min"], fx["turns_per_min"]) == (8, 1.0, 8.0)
    assert fx["gap_count"] == 5
    assert fx["gap_s"] == approx(7.5)
    assert fx["mean_gap_s"] == approx(1.5)
    assert fx["median_gap_s"] == approx(1.0)
    assert fx["longest_gap_s"] == approx(3.0)
    # overlaps: 0.2 + 1.0 + 0.5 + 1.0 + 1.0 s; interruptions su→doc at 29 s, doc→S4 at 48 s
    assert fx["overlap_count"] == 5
    assert fx["overlap_s"] == approx(3.7)
    assert (fx["interruption_count"], fx["interruptions_per_min"]) == (2, 2.0)
    # fy: no duration_s, so the meeting lasts until its last utterance (5 s): 1 turn / (5/60) min
    assert got["fy"]["turns_per_min"] == approx(12.0)
    assert got["fy"]["overlap_count"] == 0 and got["fy"]["gap_count"] == 0


def test_interruptions_by_who_interrupted_whom(con):
    got = {
        (r["interrupter_voice_id"], r["interrupted_voice_id"]): r
        for r in rows(con, "select * from interruptions where meeting_id = 'fx'")
    }
    assert set(got) == {("su", "doc"), ("mum", "peer1"), ("peer1", "mum"), ("doc", "unmapped:S4")}
    su_doc = got[("su", "doc")]
    assert (su_doc["overlap_count"], su_doc["interruption_count"], su_doc["first_interruption_s"]) == (2, 1, 29.0)
    assert su_doc["overlap_s"] == approx(1.2)
    assert (su_doc["interrupter_role"], su_doc["interrupted_role"]) == ("service_user", "clinician")
    assert got[("peer1", "mum")]["interruption_count"] == 0  # back-channel inside mum's turn
    assert got[("mum", "peer1")]["overlap_s"] == approx(0.5)
    assert got[("doc", "unmapped:S4")]["interruption_count"] == 1
    assert got[("doc", "unmapped:S4")]["interrupted_role"] == "unknown"


def test_role_transitions(con):
    got = {
        (r["from_role"], r["to_role"]): r for r in rows(con, "select * from role_transitions where meeting_id = 'fx'")
    }
    # turn roles: c su c su peer network unknown c → 7 transitions
    assert {k: r["transition_count"] for k, r in got.items()} == {
        ("clinician", "service_user"): 2,
        ("service_user", "clinician"): 1,
        ("service_user", "peer"): 1,
        ("peer", "network"): 1,
        ("network", "unknown"): 1,
        ("unknown", "clinician"): 1,
    }
    assert got[("clinician", "service_user")]["transition_pct"] == approx(200 / 7)
    assert got[("clinician", "service_user")]["from_role_pct"] == approx(100.0)
    assert got[("service_user", "peer")]["from_role_pct"] == approx(50.0)


def test_balance(con):
    fx = rows(con, "select * from balance where meeting_id = 'fx'")[0]
    shares = [24 / 50, 14 / 50, 6 / 50, 4 / 50, 2 / 50]  # dad's 0 adds nothing to the entropy
    entropy = -sum(p * math.log2(p) for p in shares)  # ≈ 1.9304 bits
    assert fx["voice_count"] == 6 and fx["role_count"] == 5
    assert fx["voice_entropy_bits"] == approx(entropy)
    assert fx["voice_entropy_norm"] == approx(entropy / math.log2(6))
    assert fx["role_entropy_bits"] == approx(entropy)  # network = mum only, same shares
    assert fx["role_entropy_norm"] == approx(entropy / math.log2(5))
    # Gini, voices ascending [0, 2, 4, 6, 14, 24]: Σ(2i−n−1)x = −6 −4 +6 +42 +120 = 158; /(6·50)
    assert fx["voice_gini"] == approx(158 / 300)
    # roles ascending [2, 4, 6, 14, 24]: −8 −8 +0 +28 +96 = 108; /(5·50)
    assert fx["role_gini"] == approx(108 / 250)
    assert fx["service_user_speech_pct"] == approx(28.0)
    assert fx["professional_speech_pct"] == approx(56.0)  # clinician 48 + peer 8
    assert fx["lay_speech_pct"] == approx(40.0)  # network 12 + service user 28
    assert fx["other_speech_pct"] == approx(4.0)
    assert fx["professional_to_lay_ratio"] == approx(1.4)
    fy = rows(con, "select * from balance where meeting_id = 'fy'")[0]
    assert (fy["voice_entropy_bits"], fy["voice_entropy_norm"], fy["voice_gini"]) == (0, None, 0)


def test_sdm_options_discussed(con):
    got = {r["meeting_id"]: r for r in rows(con, "select * from sdm_options_discussed")}
    fx = got["fx"]
    assert fx["tagger_model_version"] == "tagger-v2"
    assert (
        fx["option_utterance_count"],
        fx["by_professionals_count"],
        fx["by_service_user_count"],
        fx["by_network_count"],
    ) == (3, 2, 1, 0)
    assert (fx["first_option_s"], fx["first_option_role"]) == (11.0, "service_user")
    assert fx["option_roles"] == ["clinician", "service_user"]
    assert fx["evidence_utterance_ids"] == ["fx/u00001", "fx/u00003", "fx/u00008"]
    # fy was never tagged: unknown, not zero
    assert got["fy"]["option_utterance_count"] is None and got["fy"]["evidence_utterance_ids"] == []


def test_sdm_preference_elicitation(con):
    # u0 by doc opens the meeting (followed 'none'); the next turn is the service user's.
    assert rows(con, "select * from sdm_preference_elicitation") == [
        {
            "meeting_id": "fx",
            "asking_role": "clinician",
            "followed_role": "none",
            "elicitation_count": 1,
            "answered_by_service_user_count": 1,
            "first_elicitation_s": 0.0,
            "evidence_utterance_ids": ["fx/u00000"],
            "validation_status": "not validated on this study",  # no validation report for tagger-v2
        }
    ]


def test_sdm_persuasion(con):
    got = {r["role"]: r for r in rows(con, "select * from sdm_persuasion where meeting_id = 'fx'")}
    assert set(got) == {"clinician", "service_user", "peer", "network", "unknown"}
    assert {k: (r["utterance_count"], r["persuasion_count"]) for k, r in got.items()} == {
        "clinician": (3, 0),
        "service_user": (3, 0),
        "peer": (1, 0),
        "network": (1, 1),
        "unknown": (1, 0),
    }
    network = got["network"]
    assert network["persuasion_pct"] == approx(100.0)
    assert network["persuasion_per_speech_hour"] == approx(600.0)  # 1 in 6 s of speech
    assert (network["first_persuasion_s"], network["evidence_utterance_ids"]) == (40.0, ["fx/u00006"])
    assert rows(con, "select * from sdm_persuasion where meeting_id = 'fy'") == []  # untagged


def test_sdm_peer_disclosure(con):
    fx = rows(con, "select * from sdm_peer_disclosure where meeting_id = 'fx'")[0]
    # u7 (unmapped speaker) is a candidate until S4 is mapped; only then can it count
    assert (fx["disclosure_count"], fx["candidate_count"], fx["candidate_utterance_ids"]) == (1, 1, ["fx/u00007"])
    assert fx["first_disclosure_s"] == 36.0
    assert fx["first_disclosure_pct"] == approx(100 * 36 / 57)  # last utterance ends at 57 s
    assert (fx["disclosure_start_s"], fx["evidence_utterance_ids"]) == ([36.0], ["fx/u00005"])


def test_sdm_tags_and_sdm_tag_roles_give_every_codebook_tag_one_shape(con):
    # The SDM view family: one row per meeting x codebook tag (sdm_tags) and per meeting x role x
    # tag (sdm_tag_roles); the per-tag views are thin views over it, so their figures must agree.
    got = {(r["meeting_id"], r["tag"]): r for r in rows(con, "select * from sdm_tags")}
    assert set(got) == {(m, t) for m in ("fx", "fy") for t in TAGS}
    counts = {t: got[("fx", t)]["hit_count"] for t in TAGS}
    assert counts == {"persuasion": 1, "option_discussion": 3, "preference_elicitation": 1, "peer_self_disclosure": 1}
    assert all(got[("fy", t)]["hit_count"] is None for t in TAGS)  # untagged: unknown, not zero
    # a candidate exists only where the tag has a rule by role: u7, an unmapped speaker's disclosure
    assert {t: got[("fx", t)]["candidate_utterance_ids"] for t in TAGS if got[("fx", t)]["candidate_count"]} == {
        "peer_self_disclosure": ["fx/u00007"]
    }
    preference = got[("fx", "preference_elicitation")]
    assert (preference["first_s"], preference["first_role"], preference["evidence_utterance_ids"]) == (
        0.0,
        "clinician",
        ["fx/u00000"],
    )
    by_role = {(r["tag"], r["role"]): r for r in rows(con, "select * from sdm_tag_roles where meeting_id = 'fx'")}
    assert {k: r["hit_count"] for k, r in by_role.items() if r["hit_count"]} == {
        ("persuasion", "network"): 1,
        ("option_discussion", "clinician"): 2,
        ("option_discussion", "service_user"): 1,
        ("preference_elicitation", "clinician"): 1,
        ("peer_self_disclosure", "peer"): 1,
    }
    # u0's elicitation is answered by the service user's next turn (as sdm_preference_elicitation says)
    assert by_role[("preference_elicitation", "clinician")]["answered_by_service_user_count"] == 1
    assert rows(con, "select * from sdm_tag_roles where meeting_id = 'fy'") == []


def test_sdm_option5_proxy(con):
    fx = rows(con, "select * from sdm_option5_proxy")
    assert [r["meeting_id"] for r in fx] == ["fx"]  # fy untagged: no row
    fx = fx[0]
    # item1: doc's options u3, u8 → 2; item2: su's option u1 → 1; item3: options in turns after the
    # first option turn (t2): u3 (t3), u8 (t8) → 2; item4: doc's elicitation u0 → 1; item5: doc's
    # elicitation answered by su at 11 s, doc's options after that: u3, u8 → 2. Sum 8 → 40.
    assert [
        fx[f"item{i}_{name}"]
        for i, name in enumerate(
            ["options_raised", "deliberation_shared", "options_revisited", "preferences_elicited", "preferences_used"],
            start=1,
        )
    ] == [2, 1, 2, 1, 2]
    assert fx["score_0_100"] == 40
    assert fx["item1_evidence_ids"] == ["fx/u00003", "fx/u00008"]
    assert fx["item2_evidence_ids"] == ["fx/u00001"]
    assert fx["item4_evidence_ids"] == ["fx/u00000"]
    assert fx["item5_evidence_ids"] == ["fx/u00003", "fx/u00008"]


def test_peer_involvement(con):
    fx = rows(con, "select * from peer_involvement where meeting_id = 'fx'")[0]
    assert (fx["peer_count"], fx["peer_speech_s"], fx["peer_turn_count"]) == (1, 4.0, 1)
    assert fx["peer_speech_pct"] == approx(8.0)
    # t5 (peer1) directly follows t4 (su)
    assert (fx["peer_turns_after_service_user"], fx["peer_turns_after_service_user_pct"]) == (1, 100.0)
    assert (fx["peer_disclosure_count"], fx["first_peer_disclosure_s"]) == (1, 36.0)
    assert fx["evidence_utterance_ids"] == ["fx/u00005"]
    fy = rows(con, "select * from peer_involvement where meeting_id = 'fy'")[0]
    assert (fy["peer_count"], fy["peer_speech_pct"], fy["peer_disclosure_count"]) == (0, 0, None)


def test_every_analytics_view_is_covered_here():
    # A new view needs a hand-computed test in this file; agreement_/rating_ views are tested in
    # test_review_agreement.py, the validation views in test_validation.py, the transcript_ views
    # (corrections) in test_corrections_revision_store.py.
    source = Path(__file__).read_text()
    views = [
        p.stem
        for p in (Path(__file__).parent.parent / "sql" / "views").glob("*.sql")
        if not p.stem.startswith(
            (
                "agreement_",
                "rating_",
                "rater_",
                "validation_",
                "tag_validation",
                "tagger_validation",
                "meeting_option5",
                "transcript_",
            )
        )
    ]
    missing = [v for v in views if f"from {v}" not in source]
    assert missing == []


def test_docs_describe_every_view_and_their_queries_run(con):
    docs = (Path(__file__).parent.parent / "docs" / "sql.md").read_text()
    views = [
        p.stem
        for p in (Path(__file__).parent.parent / "sql" / "views").glob("*.sql")
        if not p.stem.startswith(("agreement_", "rating_", "rater_"))
    ]
    assert [v for v in views if f"### {v}" not in docs and f"and {v} —" not in docs] == []
    queries = re.findall(r"```sql\n(.*?)```", docs, re.S)
    assert len(queries) >= 12
    for query in queries:
        con.execute(query).fetchall()  # raises if a worked query no longer binds


def test_rating_model_tags_uses_each_meetings_current_version(con):
    # tagger-v3 was activated last but never tagged fx: the review queue must still show v2's
    # tags, by the same rule as stg_current_tagger (it showed none when it took the newest model).
    got = rows(con, "select model_version, count(*) as n from rating_model_tags group by model_version")
    assert got == [{"model_version": "tagger-v2", "n": 9 * 4}]


def test_a_peer_self_disclosure_counts_once_its_speaker_is_mapped_to_a_peer_and_never_for_others(tmp_path):
    from builders import refresh

    con = build_fixture_db(tmp_path / "rule.duckdb")
    disclosures = "select disclosure_count, candidate_count from sdm_peer_disclosure where meeting_id = 'fx'"
    assert con.execute(disclosures).fetchone() == (1, 1)
    con.execute("insert into participants (meeting_id, participant_id, role) values ('fx', 'peer2', 'peer')")
    con.execute("update speakers set participant_id = 'peer2' where meeting_id = 'fx' and speaker_label = 'S4'")
    refresh(con, "fx")
    assert con.execute(disclosures).fetchone() == (2, 0)
    con.execute("update speakers set participant_id = 'dad' where meeting_id = 'fx' and speaker_label = 'S4'")
    refresh(con, "fx")
    assert con.execute(disclosures).fetchone() == (1, 0)  # a father's disclosure is not a peer's
    assert con.execute("select count(*) from tags where utterance_id = 'fx/u00007' and label").fetchone() == (
        2,
    )  # model's own kept
    con.close()
