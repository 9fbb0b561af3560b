"""Who said what as a voice-share error (`dialogic.validation.speakers`): the confidence-stratified
sample on a real DuckDB file, the estimates on hand-made checks, and a coverage simulation of the
voice-share interval under that design."""

from __future__ import annotations

import numpy as np
import pytest
from builders import build_study

from dialogic.errors import LookupFailed
from dialogic.store.validation import record_transcript_check
from dialogic.validation.intervals import ratio_difference_interval, ratio_interval
from dialogic.validation.speakers import (
    BANDS,
    allocate,
    confidence_bands,
    draw_speaker_sample,
    speaker_check_queue,
    speaker_validation,
)


def study_with_confidence(tmp_path):
    con = build_study(tmp_path / "s.duckdb")  # 60 utterances of 8 s; S0 clinician, S1 service user, S2 peer
    con.execute(
        "update utterances set speaker_confidence = (utterance_index % 10) / 10.0 "
        "where utterance_index % 10 <> 9"  # every 10th has none: counted as low
    )
    return con


def test_the_sample_oversamples_low_confidence_shows_it_first_and_weights_undo_it(tmp_path):
    con = study_with_confidence(tmp_path)
    summary = draw_speaker_sample(con, 12, seed=3)
    assert (summary.sample_id, summary.population, summary.drawn) == ("s001", 60, 12)
    # tertiles of 0.0 … 0.8 (54 known): the lowest third and the 6 unknown are low
    assert {b: s[:2] for b, s in summary.by_band.items()} == {"low": (24, 6), "middle": (18, 4), "high": (18, 2)}
    items = con.execute(
        "select stratum, stratum_size, stratum_sampled, weight, speaker_confidence from speaker_check_items "
        "order by draw_order"
    ).fetchall()
    assert [i[0] for i in items] == ["low"] * 6 + ["middle"] * 4 + ["high"] * 2
    for band in BANDS:
        assert sum(i[3] for i in items if i[0] == band) == pytest.approx(summary.by_band[band][0])
    assert max(i[4] for i in items[:6] if i[4] is not None) < min(i[4] for i in items[6:])
    queue = speaker_check_queue(con, "alice")
    band = dict(con.execute("select utterance_id, stratum from speaker_check_items").fetchall())
    assert [band[q[0]] for q in queue] == ["low"] * 6 + ["middle"] * 4 + ["high"] * 2  # low confidence first
    # each rater has their own order within a band, the same on every visit
    bob = speaker_check_queue(con, "bob")
    assert sorted(bob) == sorted(queue) and bob != queue and speaker_check_queue(con, "bob") == bob
    again = draw_speaker_sample(con, 12, seed=3)
    same = con.execute(
        "select count(*) from speaker_check_items a join speaker_check_items b using (utterance_id) "
        "where a.sample_id = 's001' and b.sample_id = ?",
        [again.sample_id],
    ).fetchone()[0]
    assert same == 12


def test_allocation_and_bands_by_hand():
    assert allocate(12, {"low": 100, "middle": 100, "high": 100}) == {"low": 6, "middle": 4, "high": 2}
    assert allocate(12, {"low": 3, "middle": 100, "high": 100}) == {"low": 3, "middle": 7, "high": 2}
    assert allocate(3, {"low": 5, "middle": 5, "high": 5}) == {"low": 1, "middle": 1, "high": 1}
    with pytest.raises(LookupFailed, match="too small"):
        allocate(2, {"low": 5, "middle": 5, "high": 5})
    assert confidence_bands([None, 0.1, 0.5, 0.9]) == ["low", "low", "middle", "high"]


def test_estimates_from_checks_by_hand(tmp_path):
    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 12, seed=3)
    queue = speaker_check_queue(con, "alice")
    # every check says right except one low-band utterance, really the service user's
    wrong = next(q for q in queue if q[2] == "S0")  # a clinician's utterance, in the low band (first 6)
    for q in queue:
        if q[0] == wrong[0]:
            record_transcript_check(con, "alice", q[0], False, 0, "su")
        else:
            record_transcript_check(con, "alice", q[0], True, 0)
    assert speaker_check_queue(con, "bob") == []
    v = speaker_validation(con)
    assert (v.sample_id, v.checked, v.unsure, v.population) == ("s001", 12, 0, 60)
    low_weight = 24 / 6
    # one 8 s utterance wrong in 24 low-band utterances: 8 · 4 of 60 · 8 s of speech
    assert v.misattributed.value == pytest.approx(8 * low_weight / (60 * 8))
    assert 0 < v.misattributed.low < v.misattributed.value < v.misattributed.high < 0.5
    roles = {r.role: r for r in v.roles}
    assert set(roles) == {"clinician", "service_user", "peer"}
    assert roles["clinician"].attributed == pytest.approx(1 / 3)
    # the clinician is given speech that was the service user's: + for one, − for the other
    assert roles["clinician"].error.value == pytest.approx(v.misattributed.value)
    assert roles["service_user"].error.value == pytest.approx(-v.misattributed.value)
    assert roles["peer"].error.value == 0 and roles["peer"].error.low < 0 < roles["peer"].error.high
    su = roles["service_user"]
    assert su.true_share.value == pytest.approx(1 / 3 + v.misattributed.value)
    assert su.true_share.low < su.true_share.value < su.true_share.high


def test_tied_confidences_still_give_three_bands_of_a_third():
    """The review's case: most utterances whose chunks all agree score exactly 1.0; value
    tertiles with <= put everything in "low". Ranks keep three bands, ties broken by id."""
    confidence = [1.0] * 80 + [0.2, 0.5, 0.7, 0.9] * 5
    ids = [f"m/u{i:05d}" for i in range(100)]
    bands = confidence_bands(confidence, ids)
    assert {b: bands.count(b) for b in ("low", "middle", "high")} == {"low": 34, "middle": 33, "high": 33}
    assert all(b == "low" for c, b in zip(confidence, bands, strict=True) if c == 0.2)
    assert bands == confidence_bands(confidence, ids)  # deterministic
    assert confidence_bands([None, None]) == ["low", "low"]


def test_an_unchecked_band_gives_no_estimate_and_says_why(tmp_path):
    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 12, seed=3)
    for q in speaker_check_queue(con, "alice")[:6]:  # the low band only
        record_transcript_check(con, "alice", q[0], True, 0)
    v = speaker_validation(con)
    assert v.misattributed.value is None and "middle, high" in v.misattributed.reason.replace(
        "high, middle", "middle, high"
    )


def test_no_error_seen_still_gives_an_interval_that_is_not_zero_width():
    u = np.zeros(10)
    v = np.full(10, 5.0)
    p, low, high = ratio_interval(u, v, np.full(10, 40.0), np.array(["a"] * 10))
    assert p[0] == 0 and low[0] == 0 and 0.15 < high[0] < 0.4  # about Clopper–Pearson's 0 of 10: 0.31
    d, dl, dh = ratio_difference_interval(u, u, v, np.full(10, 40.0), np.array(["a"] * 10))
    assert d[0] == 0 and dl[0] < 0 < dh[0]


def _simulate(n: int, reps: int, rng: np.random.Generator):
    """Coverage of the role voice-share error and the misattributed-speech intervals under the
    module's design, on a population where low confidence means more errors."""
    size = 3000
    roles = rng.choice(3, size=size, p=[0.5, 0.3, 0.2])  # attributed role
    duration = rng.lognormal(1.0, 0.8, size=size)
    confidence = rng.beta(4, 1.5, size=size)
    p_wrong = 0.4 * (1 - confidence) ** 1.5
    wrong = rng.random(size) < p_wrong
    shift = rng.integers(1, 3, size=size)
    truth = np.where(wrong, (roles + shift) % 3, roles)
    total = duration.sum()
    true_error = [
        (duration * ((roles == r) & (truth != r))).sum() / total
        - (duration * ((roles != r) & (truth == r))).sum() / total
        for r in range(3)
    ]
    true_wrong = (duration * wrong).sum() / total
    bands = np.array(confidence_bands(list(confidence)))
    quota = allocate(n, {b: int((bands == b).sum()) for b in BANDS})
    members = {b: np.flatnonzero(bands == b) for b in BANDS}
    picks = np.stack(
        [np.concatenate([rng.choice(members[b], size=quota[b], replace=False) for b in BANDS]) for _ in range(reps)]
    )
    strata = np.concatenate([[b] * quota[b] for b in BANDS])
    weights = np.concatenate([[len(members[b]) / quota[b]] * quota[b] for b in BANDS])
    d = duration[picks]
    covered = {}
    _, low, high = ratio_interval(wrong[picks] * d, d, weights, strata)
    covered["wrong"] = ((low <= true_wrong) & (true_wrong <= high)).mean(), (high - low > 0).all()
    for r in range(3):
        into = ((roles[picks] == r) & (truth[picks] != r)) * d
        out_of = ((roles[picks] != r) & (truth[picks] == r)) * d
        _, low, high = ratio_difference_interval(into, out_of, d, weights, strata)
        covered[r] = ((low <= true_error[r]) & (true_error[r] <= high)).mean(), (high - low > 0).all()
    return covered


@pytest.mark.parametrize("n", [30, 100, 300])
def test_the_voice_share_interval_covers_the_truth(n):
    # 1000 replications: a coverage of 0.95 reads between 0.936 and 0.964 (binomial 95 %)
    covered = _simulate(n, 1000, np.random.default_rng(n))
    for name, (coverage, never_zero_width) in covered.items():
        assert coverage >= 0.93, f"n={n} {name}: coverage {coverage:.3f}"
        assert never_zero_width, f"n={n} {name}: a zero-width interval"


def test_the_reports_show_the_voice_share_interval_next_to_voice_share(tmp_path):
    from dialogic.report.render import render_study_html as render_study
    from dialogic.report.study_data import load_study
    from dialogic.validation.report import render_html, validation_report
    from dialogic.validation.sample import draw_sample

    con = study_with_confidence(tmp_path)
    before = render_study(load_study(con))
    assert "no speaker checks measure their error yet" in before
    draw_sample(con, 8, seed=1)
    draw_speaker_sample(con, 12, seed=3)
    for q in speaker_check_queue(con, "alice"):
        record_transcript_check(con, "alice", q[0], q[2] != "S2", 0, None if q[2] != "S2" else "su")
    v = speaker_validation(con)
    peer = next(r for r in v.roles if r.role == "peer")
    assert peer.error.value > 0  # every checked peer utterance was the service user's
    page = render_study(load_study(con))
    share = f"{100 * peer.true_share.value:.1f} % [{100 * peer.true_share.low:.1f}, {100 * peer.true_share.high:.1f}]"
    assert 'id="voice-share-error"' in page and share in page
    html = render_html(validation_report(con, n_resamples=50))
    assert f"{peer.true_share.value:.3f} [{peer.true_share.low:.3f}, {peer.true_share.high:.3f}]" in html


def test_checks_that_all_agree_do_not_collapse_the_transcript_intervals(tmp_path):
    from dialogic.validation.sample import draw_sample
    from dialogic.validation.transcripts import transcript_validation

    con = build_study(tmp_path / "s.duckdb")
    draw_sample(con, 8, seed=1)
    for (uid,) in con.execute("select utterance_id from validation_items").fetchall():
        record_transcript_check(con, "alice", uid, True, 0)
    t = transcript_validation(con, "v001")
    assert t.speaker_accuracy.value == 1 and t.speaker_accuracy.low < 0.9  # the bootstrap read [1, 1]
    assert t.word_error.value == 0 and t.word_error.high > 0
    assert all(m["misattributed_speech"].high > 0 for m in t.meetings)


def test_a_study_with_only_speaker_checks_gets_its_report(tmp_path):
    """No tag sample, a speaker-check sample: `validate report` gives the voice-share error
    (it said "no validation sample yet"), and there is nothing to record."""
    from typer.testing import CliRunner

    from dialogic.cli import app
    from dialogic.store.validation import store_estimates
    from dialogic.validation.report import agreement_figures, render_html, validation_report

    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 12, seed=3)
    for q in speaker_check_queue(con, "alice"):
        record_transcript_check(con, "alice", q[0], q[2] != "S2", 0, None if q[2] != "S2" else "su")
    report = validation_report(con, n_resamples=50)
    assert report.sample_id is None and report.tags == [] and report.speakers.checked == 12
    assert report.speakers.misattributed.value > 0
    assert "speaker checks only" in render_html(report)
    with pytest.raises(LookupFailed, match="nothing to record"):
        store_estimates(con, report)
    # the tag figures themselves still need a tag sample: a list of them, or a refusal, never a report
    with pytest.raises(LookupFailed, match="no validation sample yet"):
        agreement_figures(con, n_resamples=50)
    con.close()
    result = CliRunner().invoke(app, ["validate", "report", "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 0, result.output
    assert "no tag sample yet" in result.output and "speech given to the wrong person" in result.output


def test_a_check_of_text_since_corrected_leaves_the_item_in_the_queue(tmp_path):
    """The estimates count a check only against the utterance's current text; the queue agrees."""
    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 6, seed=3)
    first = speaker_check_queue(con, "alice")[0]
    record_transcript_check(con, "alice", first[0], True, 0)
    assert first[0] not in [q[0] for q in speaker_check_queue(con, "bob")]
    con.execute("update utterances set text = text || ' (corrected)' where utterance_id = ?", [first[0]])
    assert first[0] in [q[0] for q in speaker_check_queue(con, "bob")]
    assert first[0] not in [q[0] for q in speaker_check_queue(con, "alice")]  # alice checked it already
    con.close()


def test_true_shares_are_refused_once_the_population_has_changed(tmp_path):
    """The error stands for the population the sample was drawn from; the share as diarised is
    read now. Once they differ, a true share would mix two populations: none is given."""
    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 12, seed=3)
    for q in speaker_check_queue(con, "alice"):
        record_transcript_check(con, "alice", q[0], True, 0)
    assert all(r.true_share.value is not None for r in speaker_validation(con).roles)
    outside = con.execute(
        "select utterance_id from utterances where utterance_id not in (select utterance_id from speaker_check_items) "
        "order by utterance_id limit 1"
    ).fetchone()[0]
    con.execute("update utterances set start_s = null, end_s = null where utterance_id = ?", [outside])
    v = speaker_validation(con)
    assert all(r.error.value is not None for r in v.roles)
    assert all(r.true_share.value is None and "population changed" in r.true_share.reason for r in v.roles)
    con.close()


def test_each_meeting_gets_its_own_voice_share_error_where_swaps_cancel_in_the_pool(tmp_path):
    """In one meeting the peer is given the service user's words, in the other the reverse: the
    pooled peer error can be near 0, each meeting's is not, and the report shows both."""
    from dialogic.validation.report import render_html, validation_report

    con = study_with_confidence(tmp_path)
    draw_speaker_sample(con, 60, seed=3)  # every utterance: a census of the checks
    first, second = sorted(r[0] for r in con.execute("select distinct meeting_id from speaker_check_items").fetchall())
    for uid, meeting_id, label, *_ in speaker_check_queue(con, "alice"):
        if meeting_id == first and label == "S2":
            record_transcript_check(con, "alice", uid, False, 0, "su")  # the peer's turns were the service user's
        elif meeting_id == second and label == "S1":
            record_transcript_check(con, "alice", uid, False, 0, "peer")  # the service user's were the peer's
        else:
            record_transcript_check(con, "alice", uid, True, 0)
    v = speaker_validation(con)
    by_meeting = {m["meeting_id"]: {r.role: r.error for r in m["roles"]} for m in v.meetings}
    assert by_meeting[first]["peer"].value > 0 > by_meeting[second]["peer"].value
    pooled = next(r.error for r in v.roles if r.role == "peer")
    assert abs(pooled.value) < min(by_meeting[first]["peer"].value, -by_meeting[second]["peer"].value)
    for m in v.meetings:
        assert m["checked"] > 0 and all(r.error.low <= r.error.value <= r.error.high for r in m["roles"])
    page = render_html(validation_report(con, n_resamples=50))
    assert f"{first}: peer" in page and f"{second}: peer" in page
    # the meeting report shows its own error beside each role's share of speech
    import re

    from dialogic.report.meeting_data import load_meeting
    from dialogic.report.render import render_meeting_html

    html = render_meeting_html(load_meeting(con, first), audio_url=None, audio_found=False)
    cell = re.search(r'<tr data-role="peer">.*?<td class="num share-error">(.*?)</td>', html, re.S).group(1)
    peer = by_meeting[first]["peer"]
    assert cell == f"{100 * peer.value:.1f} [{100 * peer.low:.1f}, {100 * peer.high:.1f}] points"
    con.close()
