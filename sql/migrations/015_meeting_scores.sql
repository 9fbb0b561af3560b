-- Raters' scores of whole meetings on OPTION-5's five items (0–4 each; Elwyn et al., 2013), from
-- the review app's validation page: the human judgement the sdm_option5_proxy is checked against.
-- Append-only, like ratings: a changed score is a new row.
create sequence meeting_scores_id_seq;

create table meeting_scores (
    score_id   bigint primary key default nextval('meeting_scores_id_seq'),
    rater_id   varchar not null,
    meeting_id varchar not null,
    item1      smallint not null check (item1 between 0 and 4),
    item2      smallint not null check (item2 between 0 and 4),
    item3      smallint not null check (item3 between 0 and 4),
    item4      smallint not null check (item4 between 0 and 4),
    item5      smallint not null check (item5 between 0 and 4),
    note       varchar,
    created_at timestamp not null default current_timestamp
);
