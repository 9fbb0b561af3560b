"""The review app's validation queue: a sample's items in their random order, blind to the model,
each to two raters, and the items they disagree on to a third.

A rater sees an item here only if they have not rated that utterance in the training queue (where
the model may be shown), so every answer used for an estimate was given blind.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dialogic.errors import LookupFailed


@dataclass(frozen=True)
class ValidationItem:
    utterance_id: str
    meeting_id: str
    speaker_label: str | None
    text: str
    # 'validation' (a first or second rating), 'adjudication' (a third, on a disagreement) or
    # 'speaker check' (an item of a speaker-check sample: who said it, no tags)
    kind: str
    draw_order: int


@dataclass(frozen=True)
class ValidationProgress:
    sample_id: str
    items: int
    rated_twice: int
    needs_adjudication: int
    decided: int  # items whose every tag has a consensus


def latest_sample(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select sample_id from validation_samples order by created_at desc, sample_id desc limit 1"
    ).fetchone()
    return row[0] if row else None


_QUEUE = """
with
items as (
    select i.utterance_id, i.meeting_id, i.draw_order from validation_items as i where i.sample_id = $sample
),
per_item as (
    select
        utterance_id,
        max(n_raters) as n_raters,
        bool_or(status = 'needs adjudication') as needs_adjudication,
        list_distinct(flatten(list([rater_a, rater_b]))) as raters
    from validation_item_truth
    where sample_id = $sample
    group by utterance_id
),
mine as (
    select distinct utterance_id, queue from ratings where rater_id = $rater
),
final as (
    select
        i.utterance_id, i.meeting_id, u.speaker_label, u.text, i.draw_order,
        case
            when coalesce(p.n_raters, 0) < 2 then 'validation'
            when p.needs_adjudication then 'adjudication'
        end as kind
    from items as i
    inner join utterances as u on u.utterance_id = i.utterance_id
    left join per_item as p on p.utterance_id = i.utterance_id
    where not exists (select 1 from mine where mine.utterance_id = i.utterance_id)
      and not list_contains(coalesce(p.raters, []), $rater)
)
select utterance_id, meeting_id, speaker_label, text, kind, draw_order
from final
where kind is not null
-- each rater's own random order, fixed for the rater and the sample: two raters working through
-- the sample at the same time do not rate the same items first, and order effects average out
order by kind = 'adjudication' desc, md5($sample || '|' || $rater || '|' || utterance_id)
"""


def validation_queue(
    con: duckdb.DuckDBPyConnection, rater_id: str, sample_id: str | None = None
) -> list[ValidationItem]:
    """The items ``rater_id`` can rate now: disagreements to adjudicate first, then the sample in
    the rater's own random order, then the latest speaker-check sample's items, lowest confidence
    first. Raises LookupFailed when there is no sample of either kind."""
    from dialogic.validation.speakers import speaker_check_queue

    sample_id = sample_id or latest_sample(con)
    speaker_items = [
        ValidationItem(uid, mid, label, text, "speaker check", order)
        for uid, mid, label, text, order in speaker_check_queue(con, rater_id)
    ]
    if sample_id is None and not speaker_items:
        raise LookupFailed("no validation sample yet: draw one with `dialogic validate sample --n 300`")
    rows = con.execute(_QUEUE, {"sample": sample_id, "rater": rater_id}).fetchall() if sample_id else []
    tagged = [ValidationItem(*row) for row in rows]
    seen = {item.utterance_id for item in tagged}
    return tagged + [item for item in speaker_items if item.utterance_id not in seen]


def queue_kind(
    con: duckdb.DuckDBPyConnection, rater_id: str, utterance_id: str, sample_id: str | None = None
) -> str | None:
    """'validation' or 'adjudication' if ``rater_id`` may rate this item blind now, else None."""
    for item in validation_queue(con, rater_id, sample_id):
        if item.utterance_id == utterance_id:
            return item.kind
    return None


def validation_progress(con: duckdb.DuckDBPyConnection, sample_id: str | None = None) -> ValidationProgress | None:
    sample_id = sample_id or latest_sample(con)
    if sample_id is None:
        return None
    row = con.execute(
        """
        select
            count(distinct utterance_id),
            count(distinct utterance_id) filter (where n_raters >= 2),
            count(distinct utterance_id) filter (where status = 'needs adjudication'),
            count(*) filter (where decided)
        from (
            select utterance_id, max(n_raters) as n_raters, bool_or(status = 'needs adjudication') as needs,
                   bool_and(consensus is not null) as decided, any_value(status) filter (where status = 'needs adjudication') as status
            from validation_item_truth where sample_id = ? group by utterance_id
        )
        """,
        [sample_id],
    ).fetchone()
    return ValidationProgress(sample_id, *row)
