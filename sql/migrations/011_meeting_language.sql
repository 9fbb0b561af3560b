-- The language a meeting was transcribed in: the manifest's `language:` or --language when
-- given, else what the speech recogniser detected (with its probability). The English tagger is
-- applied to English meetings only; other meetings are transcribed, diarised and analysed, and
-- their tag figures stay null (never silently wrong tags).
alter table meetings add column language varchar;
alter table meetings add column language_probability double;
