"""Who said what, as an error a researcher can report: from raters' speaker checks of a sample
stratified by the diarisation's own confidence, the share of speech given to the wrong person and
the error in each role's voice share, each with a design-based 95 % interval.

Design (recorded with each sample):

- Population: the utterances with times of meetings whose consent covers review.
- Strata: three bands of ``speaker_confidence`` (`dialogic.align.speaker_confidence`) cut at the
  population's tertiles; an utterance without a confidence (imported, hub pipeline, processed
  before it was kept) is in the lowest band. The lowest band gets half the items, the middle a
  third, the highest a sixth (:data:`BAND_SHARES`), so the attributions most likely wrong are
  checked most, and first: raters see the lowest band first, in random order within a band.
- Each band is a simple random sample without replacement; an item's weight is band size / items
  checked in it, so an estimate stands for the whole population however far the checking got —
  provided every band has a check (otherwise the estimate says which band is missing).

Estimates (:func:`speaker_validation`), with d an utterance's duration, a its attributed role
(its speaker's participant's role; ``unknown`` when unmapped) and t its true role (a when the
rater says the speaker is right; the role of the participant the rater names when wrong;
``unknown`` when wrong and the rater cannot say who):

- misattributed share of speech = Σ w·d·[wrong] / Σ w·d (:func:`~dialogic.validation.intervals.ratio_interval`);
- error in role r's voice share = attributed − true share = Σ w·d·([a = r] − [t = r]) / Σ w·d,
  the share wrongly given to r less r's share given to others
  (:func:`~dialogic.validation.intervals.ratio_difference_interval`);
- r's true voice share = its attributed share over the population (measured, exact) − the error.

Utterances the rater could not judge ("can't tell") are left out and counted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import duckdb
import numpy as np

from dialogic.errors import LookupFailed
from dialogic.store.validation import store_speaker_sample
from dialogic.validation.intervals import ratio_difference_interval, ratio_interval
from dialogic.validation.stats import Estimate

BANDS = ("low", "middle", "high")
BAND_SHARES = {"low": 1 / 2, "middle": 1 / 3, "high": 1 / 6}
UNKNOWN_ROLE = "unknown"

_POPULATION = """
select u.utterance_id, u.meeting_id, u.end_s - u.start_s as duration_s,
       coalesce(p.role, 'unknown') as role,
       coalesce(u.speaker_confidence, mu.speaker_confidence) as speaker_confidence
from utterances as u
inner join meetings as m on m.meeting_id = u.meeting_id
left join speakers as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
-- a corrected transcript's rows are rewritten; the machine's confidence still holds where the
-- utterance kept the machine's speaker
left join machine_utterances as mu on mu.utterance_id = u.utterance_id and mu.speaker_label = u.speaker_label
where m.consent_status = 'given' and list_contains(m.consent_scope, 'review')
  and u.start_s is not null and u.end_s > u.start_s
  and ($meetings is null or list_contains($meetings, u.meeting_id))
order by u.meeting_id, u.utterance_index
"""


@dataclass(frozen=True)
class SpeakerSampleSummary:
    sample_id: str
    population: int
    drawn: int
    by_band: dict[str, tuple[int, int, float | None]]  # band -> (population, drawn, lowest confidence in it)


def confidence_bands(confidence: list[float | None], keys: list[str] | None = None) -> list[str]:
    """Each utterance's band: thirds of the known confidences by rank; unknown confidence is
    ``low``. Ranks, not values, cut the bands, so ties cannot empty one: with the "decisions"
    activations every utterance whose chunks all agree scores exactly 1.0, and cutting at value
    tertiles with <= put them all in one band. Ties are broken by the md5 of ``keys`` (utterance
    ids; default: position), a fixed order unrelated to meeting or time."""
    known = [i for i, c in enumerate(confidence) if c is not None]
    bands = ["low"] * len(confidence)
    if not known:
        return bands

    def tie_break(i: int) -> str:
        return hashlib.md5(keys[i].encode()).hexdigest() if keys is not None else f"{i:012d}"

    ranked = sorted(known, key=lambda i: (float(confidence[i]), tie_break(i)))
    for rank, i in enumerate(ranked):
        bands[i] = BANDS[min(2, 3 * rank // len(ranked))]
    return bands


def allocate(n: int, sizes: dict[str, int]) -> dict[str, int]:
    """``n`` items over the bands by :data:`BAND_SHARES` (largest remainders), at least one per
    non-empty band and never more than a band holds; what a band cannot take goes to the others,
    lowest confidence first."""
    present = [b for b in BANDS if sizes.get(b, 0) > 0]
    if n < len(present):
        raise LookupFailed(f"--n {n} is too small: each of the {len(present)} confidence bands needs an item")
    total_share = sum(BAND_SHARES[b] for b in present)
    exact = {b: n * BAND_SHARES[b] / total_share for b in present}
    share = {b: max(1, int(exact[b])) for b in present}
    for b in sorted(present, key=lambda b: (-(exact[b] - int(exact[b])), BANDS.index(b))):
        if sum(share.values()) >= n:
            break
        share[b] += 1
    while sum(share.values()) > n:  # the at-least-one rule overshot: take from the largest
        largest = max(present, key=lambda b: (share[b], -BANDS.index(b)))
        share[largest] -= 1
    left = 0
    for b in present:
        left += max(0, share[b] - sizes[b])
        share[b] = min(share[b], sizes[b])
    for b in present:
        extra = min(left, sizes[b] - share[b])
        share[b] += extra
        left -= extra
    return share


def draw_speaker_sample(
    con: duckdb.DuckDBPyConnection, n: int, *, meetings: list[str] | None = None, seed: int = 0
) -> SpeakerSampleSummary:
    """Draw ``n`` utterances for speaker checks (see the module docstring) and store the sample."""
    if n < 1:
        raise LookupFailed(f"--n must be at least 1, got {n}")
    if meetings:
        known = {r[0] for r in con.execute("select meeting_id from meetings").fetchall()}
        missing = sorted(set(meetings) - known)
        if missing:
            raise LookupFailed(f"no meeting(s) {', '.join(missing)} in the database")
    rows = con.execute(_POPULATION, {"meetings": meetings}).fetchall()
    if not rows:
        raise LookupFailed(
            "nothing to sample: no utterances with times in meetings whose consent covers review"
            + (f" among {', '.join(meetings)}" if meetings else "")
        )
    if n > len(rows):
        raise LookupFailed(f"--n {n} is more than the {len(rows)} utterances that can be sampled")
    bands = confidence_bands([r[4] for r in rows], [r[0] for r in rows])
    members = {b: [i for i, band in enumerate(bands) if band == b] for b in BANDS}
    quota = allocate(n, {b: len(m) for b, m in members.items()})
    rng = np.random.default_rng(seed)
    chosen = []  # (row index, band, band size, drawn in band, draw order)
    order = 0
    for b in BANDS:
        k = quota.get(b, 0)
        if k == 0:
            continue
        picks = rng.choice(len(members[b]), size=k, replace=False)
        for p in picks:  # rng order: the order raters see the band's items in
            chosen.append((members[b][p], b, len(members[b]), k, order))
            order += 1
    sample_id = store_speaker_sample(
        con,
        [
            dt.datetime.now(),
            seed,
            n,
            len(chosen),
            meetings,
            len(rows),
            "strata: thirds by rank of speaker_confidence (ties broken by id; unknown counted low); items 1/2 low, 1/3 middle, 1/6 high; "
            "simple random sampling in each band; weight = band size / items checked; low band rated first",
        ],
        [[rows[i][0], rows[i][1], rows[i][4], b, size, k, size / k, o] for i, b, size, k, o in chosen],
    )
    by_band = {}
    for b in BANDS:
        if members[b]:
            known = [rows[i][4] for i in members[b] if rows[i][4] is not None]
            by_band[b] = (len(members[b]), quota.get(b, 0), min(known) if known else None)
    return SpeakerSampleSummary(sample_id, len(rows), len(chosen), by_band)


def latest_speaker_sample(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select sample_id from speaker_check_samples order by created_at desc, sample_id desc limit 1"
    ).fetchone()
    return row[0] if row else None


def speaker_check_queue(con: duckdb.DuckDBPyConnection, rater_id: str, sample_id: str | None = None) -> list[tuple]:
    """(utterance_id, meeting_id, speaker_label, text, draw_order) of the latest speaker sample that
    nobody has judged yet (a "can't tell" leaves an item to the next rater) and ``rater_id`` has not
    checked, nor judged against the utterance's current text (the only checks the estimates
    count): lowest confidence band first, and within a band in the rater's own random order (the
    md5 of sample, rater and utterance), so two raters working at once do not check the same
    items first."""
    sample_id = sample_id or latest_speaker_sample(con)
    if sample_id is None:
        return []
    return con.execute(
        """
        select i.utterance_id, i.meeting_id, u.speaker_label, u.text, i.draw_order
        from speaker_check_items as i
        inner join utterances as u on u.utterance_id = i.utterance_id
        where i.sample_id = $sample
          and not exists (select 1 from transcript_checks as c where c.utterance_id = i.utterance_id
                          and ((c.speaker_right is not null and c.utterance_text = u.text) or c.rater_id = $rater))
        order by case i.stratum when 'low' then 0 when 'middle' then 1 else 2 end,
                 md5($sample || '|' || $rater || '|' || i.utterance_id)
        """,
        {"sample": sample_id, "rater": rater_id},
    ).fetchall()


@dataclass
class RoleShare:
    role: str
    attributed: float  # the role's share of the population's speech as diarised and mapped
    error: Estimate  # attributed − true share
    true_share: Estimate  # attributed − error, with the error's interval


@dataclass
class SpeakerValidation:
    sample_id: str
    population: int
    speech_s: float
    checked: int  # items with a judged speaker check
    unsure: int  # items whose only checks say "can't tell"
    misattributed: Estimate
    roles: list[RoleShare] = field(default_factory=list)
    unknown_true_speaker: int = 0  # wrong, and the rater could not say who it was
    # per meeting (a domain of the sample): {"meeting_id", "checked", "roles": [RoleShare]}; the
    # pooled error above can hide swaps that cancel between meetings
    meetings: list[dict] = field(default_factory=list)


_CHECKS = """
with latest as (
    -- each item's latest judged check; a "can't tell" counts only where nothing was judged
    select c.*, row_number() over (partition by c.utterance_id
                                   order by c.speaker_right is null, c.check_id desc) as pick
    from transcript_checks as c
)
select i.utterance_id, i.stratum, i.stratum_size, u.end_s - u.start_s as duration_s,
       coalesce(p.role, 'unknown') as attributed_role, c.speaker_right,
       case when c.speaker_right then coalesce(p.role, 'unknown') else coalesce(rp.role, 'unknown') end as true_role,
       c.speaker_right = false and c.right_participant_id is null as unknown_true_speaker,
       u.meeting_id
from speaker_check_items as i
inner join utterances as u on u.utterance_id = i.utterance_id
left join speakers as s on s.meeting_id = u.meeting_id and s.speaker_label = u.speaker_label
left join participants as p on p.meeting_id = s.meeting_id and p.participant_id = s.participant_id
inner join latest as c on c.utterance_id = i.utterance_id and c.pick = 1 and c.utterance_text = u.text
left join participants as rp on rp.meeting_id = u.meeting_id and rp.participant_id = c.right_participant_id
where i.sample_id = ?
order by i.utterance_id
"""


def speaker_validation(con: duckdb.DuckDBPyConnection, sample_id: str | None = None) -> SpeakerValidation | None:
    """The estimates of the module docstring for ``sample_id`` (default: the latest speaker
    sample); None when there is no speaker sample."""
    sample_id = sample_id or latest_speaker_sample(con)
    if sample_id is None:
        return None
    sample = con.execute(
        "select meetings, population from speaker_check_samples where sample_id = ?", [sample_id]
    ).fetchone()
    if sample is None:
        raise LookupFailed(f"no speaker-check sample {sample_id!r}")
    population = con.execute(_POPULATION, {"meetings": sample[0]}).fetchall()
    # The error stands for the population the sample was drawn from (its band sizes); a share as
    # diarised now, over a population that has since grown or changed, is not the one it corrects.
    changed = (
        None
        if len(population) == sample[1]
        else f"the population changed since sample {sample_id} was drawn ({sample[1]} utterances then, "
        f"{len(population)} now): draw a new speaker-check sample for true shares"
    )
    speech = sum(r[2] for r in population)
    attributed: dict[str, float] = {}
    for r in population:
        attributed[r[3]] = attributed.get(r[3], 0.0) + r[2]
    rows = con.execute(_CHECKS, [sample_id]).fetchall()
    judged = [r for r in rows if r[5] is not None]
    result = SpeakerValidation(
        sample_id,
        len(population),
        round(speech, 3),
        len(judged),
        len(rows) - len(judged),
        Estimate(None, None, None, len(judged), "no speaker checked yet"),
        unknown_true_speaker=sum(bool(r[7]) for r in judged),
    )
    roles = sorted(set(attributed) | {r[6] for r in judged})
    if not judged:
        result.roles = [
            RoleShare(
                role, attributed.get(role, 0.0) / speech if speech else 0.0, result.misattributed, result.misattributed
            )
            for role in roles
        ]
        return result
    bands = [
        r[0]
        for r in con.execute(
            "select distinct stratum from speaker_check_items where sample_id = ? order by stratum", [sample_id]
        ).fetchall()
    ]
    checked_in = {b: sum(1 for j in judged if j[1] == b) for b in bands}
    unchecked = [b for b in BANDS if b in checked_in and checked_in[b] == 0]
    strata = np.array([r[1] for r in judged], dtype=object)
    # weights from the checks made so far: band size / items checked in the band
    weights = np.array([r[2] / checked_in[r[1]] for r in judged], dtype=float)
    fractions = np.array([checked_in[r[1]] / r[2] for r in judged], dtype=float)
    duration = np.array([r[3] for r in judged], dtype=float)
    wrong = np.array([0.0 if r[5] else 1.0 for r in judged])
    missing = f"no check yet in the {', '.join(unchecked)} confidence band(s): the estimate would leave them out"

    def estimate(value, low, high) -> Estimate:
        if unchecked:
            return Estimate(None, None, None, len(judged), missing)
        return Estimate(float(value[0]), float(low[0]), float(high[0]), len(judged))

    result.misattributed = estimate(*ratio_interval(wrong * duration, duration, weights, strata, fractions))

    def role_shares(domain: np.ndarray, seconds: dict[str, float], total: float) -> list[RoleShare]:
        """Each role's error and true share within ``domain`` (items in it; the rest count as
        zero, so the design's strata and weights still hold: domain estimation)."""
        d = duration * domain
        checked = int(domain.sum())
        shares = []
        for role in roles:
            share = seconds.get(role, 0.0) / total if total else 0.0
            if not checked:
                none = Estimate(None, None, None, 0, "no checked utterance here")
                shares.append(RoleShare(role, share, none, none))
                continue
            into = np.array([float(r[4] == role and r[6] != role) for r in judged]) * d
            out_of = np.array([float(r[4] != role and r[6] == role) for r in judged]) * d
            value, low, high = ratio_difference_interval(into, out_of, d, weights, strata, fractions)
            # a true share is within [0, 1], so the error (as diarised − true) within [share − 1, share]
            error = estimate(value, np.clip(low, share - 1, share), np.clip(high, share - 1, share))
            error = Estimate(error.value, error.low, error.high, checked, error.reason)
            if error.value is None:
                true = error
            elif changed:
                true = Estimate(None, None, None, error.n, changed)
            else:
                true = Estimate(share - error.value, share - error.high, share - error.low, error.n)
            shares.append(RoleShare(role, share, error, true))
        return shares

    result.roles = role_shares(np.ones(len(judged)), attributed, speech)
    for meeting_id in sorted({r[1] for r in population}):
        here = [r for r in population if r[1] == meeting_id]
        seconds: dict[str, float] = {}
        for r in here:
            seconds[r[3]] = seconds.get(r[3], 0.0) + r[2]
        domain = np.array([float(r[8] == meeting_id) for r in judged])
        result.meetings.append(
            {
                "meeting_id": meeting_id,
                "checked": int(domain.sum()),
                "roles": role_shares(domain, seconds, sum(r[2] for r in here)),
            }
        )
    return result
