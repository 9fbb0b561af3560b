-- A model label the codebook's role rules cannot count yet (tag_role_rule = 'candidate': a
-- peer self-disclosure by a speaker not mapped to a participant) is kept apart from the labels
-- that count: utterance_facts.<tag>_label holds only labels that apply to the speaker's role.
-- The facts are rebuilt with the changed macros when this database is next opened for writing.
alter table utterance_facts add column peer_self_disclosure_candidate boolean;
