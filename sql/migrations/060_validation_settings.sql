-- The study's bar for calling a tag validated, set with `dialogic validate settings`: one row.
-- A tag is 'validated' only once an estimate has been recorded (`dialogic validate record`) on at
-- least min_items_per_tag decided items and the lower 95 % bound of bar_figure reaches bar_low;
-- with that many items and a lower bound below the bar it has 'failed validation'.
-- Defaults (docs/validation.md): 100 items, κ (model vs rater consensus), lower bound 0.60.
create table validation_settings (
    min_items_per_tag integer not null check (min_items_per_tag >= 1),
    bar_figure        varchar not null check (bar_figure in ('kappa', 'f1', 'precision', 'recall')),
    bar_low           double not null,
    updated_at        timestamp not null default current_timestamp
);
insert into validation_settings (min_items_per_tag, bar_figure, bar_low) values (100, 'kappa', 0.6);

-- who recorded an estimate: recording is an explicit step, never a side effect of a report
alter table validation_estimates add column recorded_by varchar;
