-- one row per meeting × 2-minute window × role: voice_share_window_at(120); see that macro for
-- definitions. Other window lengths: select * from voice_share_window_at(60).
select * from voice_share_window_at(120)
