-- one row per meeting × time window × role (table macro; window_s = window length in seconds).
-- Windows are [window_index * window_s, (window_index + 1) * window_s) from 0 to the end of the
-- meeting's last speech. An utterance, or a stretch of speech that got no words, crossing a
-- boundary gives each window the seconds inside it;
-- its words and the utterance itself count in the window where it starts. Every role that speaks
-- somewhere in the meeting has a row in every window (zeros when silent there).
-- speech_pct is the role's share of the window's speech (null for a silent window).
-- The computation is compute_voice_share_windows (sql/macros/) (it also fills window_facts,
-- the 2-minute windows of voice_share_window); it cuts every utterance, so on a large database
-- filter by meeting_id.
create or replace macro voice_share_window_at(window_s) as table
select * from compute_voice_share_windows(null, window_s)
