import math

from dialogic.align import align_words_to_speakers, build_utterances, speaker_confidence
from dialogic.options import AlignOptions
from dialogic.records import AttributedWord, FrameSeries, SpeakerTurn, Utterance, Word


def w(start, end, text="x"):
    return Word(start, end, text, 0.9)


TURNS = [SpeakerTurn("A", 0.0, 2.0), SpeakerTurn("B", 2.0, 4.0), SpeakerTurn("A", 6.0, 8.0)]


def speakers(words, turns=TURNS, **options):
    return [a.speaker for a in align_words_to_speakers(words, turns, AlignOptions(**options))]


def test_word_inside_a_turn_takes_its_speaker():
    assert speakers([w(0.5, 0.9), w(2.5, 3.0), w(6.1, 6.4)]) == ["A", "B", "A"]


def test_word_across_a_boundary_goes_to_the_larger_overlap():
    # 1.8–2.6 overlaps A by 0.2 s and B by 0.6 s
    assert speakers([w(1.8, 2.6)]) == ["B"]
    # 1.5–2.2 overlaps A by 0.5 s and B by 0.2 s
    assert speakers([w(1.5, 2.2)]) == ["A"]


def test_word_in_no_turn_takes_the_nearest_speaker_within_max_gap():
    # 4.3–4.5 is 0.3 s after B's turn ends and 1.5 s before A's next turn
    assert speakers([w(4.3, 4.5)]) == ["B"]
    # 5.6–5.8 is 0.2 s before A's turn at 6.0
    assert speakers([w(5.6, 5.8)]) == ["A"]


def test_word_far_from_every_turn_stays_unattributed():
    assert speakers([w(4.9, 5.1)], max_gap_s=0.5) == [None]
    assert speakers([w(20.0, 20.5)]) == [None]
    assert speakers([w(1.0, 1.2)], turns=[]) == [None]


def test_long_turn_that_started_long_before_is_found():
    turns = [SpeakerTurn("A", 0.0, 100.0), SpeakerTurn("B", 50.0, 51.0)]
    assert speakers([w(90.0, 90.5)], turns=turns) == ["A"]


def test_overlapping_turns_give_the_larger_share():
    turns = [SpeakerTurn("A", 0.0, 3.0), SpeakerTurn("B", 2.5, 5.0)]
    assert speakers([w(2.4, 2.9)], turns=turns) == ["A"]  # A 0.5 s, B 0.4 s
    assert speakers([w(2.6, 3.4)], turns=turns) == ["B"]  # A 0.4 s, B 0.8 s


def attributed(spec):
    return [AttributedWord(w(s, e, t), spk) for s, e, t, spk in spec]


def test_utterances_split_at_speaker_change_pause_and_sentence_end():
    words = attributed(
        [
            (0.0, 0.3, "so", "A"),
            (0.4, 0.7, "well.", "A"),  # sentence end
            (0.8, 1.0, "I", "A"),
            (1.1, 1.4, "think", "A"),
            (1.5, 1.8, "yes", "B"),  # speaker change
            (3.5, 3.8, "sorry", "B"),  # pause of 1.7 s > 1.0 s
            (3.9, 4.2, "what?", "B"),
        ]
    )
    utterances = build_utterances(words)
    assert [(u.speaker, u.text) for u in utterances] == [
        ("A", "so well."),
        ("A", "I think"),
        ("B", "yes"),
        ("B", "sorry what?"),
    ]
    assert [u.index for u in utterances] == [0, 1, 2, 3]
    assert (utterances[1].start_s, utterances[1].end_s) == (0.8, 1.4)


def test_utterances_keep_every_word_in_order():
    words = attributed([(i * 0.5, i * 0.5 + 0.4, f"w{i}", "AB"[i % 3 == 0]) for i in range(30)])
    utterances = build_utterances(words)
    assert [x for u in utterances for x in u.words] == [a.word for a in words]


def test_sentence_splitting_can_be_turned_off():
    words = attributed([(0.0, 0.3, "yes.", "A"), (0.4, 0.7, "right", "A")])
    assert len(build_utterances(words, AlignOptions(split_at_sentence_end=False))) == 1
    assert len(build_utterances(words)) == 2


def test_no_words_no_utterances():
    assert build_utterances([]) == []


def test_speaker_confidence_is_the_mean_margin_over_the_utterances_speech_frames():
    nan = math.nan
    # frames centred on 0.0, 0.5, …, 3.5 s
    margin = FrameSeries(0.0, 0.5, (1.0, 0.8, nan, 0.2, 0.4, nan, nan, 1.0))
    utterances = [
        Utterance(0, "A", 0.0, 1.0, [w(0.0, 1.0)]),  # frames 0–2: 1.0, 0.8 and a silent one
        Utterance(1, "B", 1.5, 2.0, [w(1.5, 2.0)]),  # frames 3–4: 0.2, 0.4
        Utterance(2, "A", 2.5, 3.0, [w(2.5, 3.0)]),  # frames 5–6: nobody speaks
    ]
    got = [u.speaker_confidence for u in speaker_confidence(utterances, margin)]
    assert got == [0.9, 0.3, 0.0]
    assert speaker_confidence(utterances, None) == utterances  # a hub pipeline: no margins, no confidence
