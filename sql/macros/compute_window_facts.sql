-- one row per meeting × 2-minute window × role of only_meeting (or all): the default windows
create or replace macro compute_window_facts(only_meeting) as table
select * from compute_voice_share_windows(only_meeting, 120);
