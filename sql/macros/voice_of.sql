-- a voice: the mapped participant, else 'unmapped:<speaker_label>' ('unmapped:none' without a label)
create or replace macro voice_of(mapped_participant_id, label) as
    coalesce(mapped_participant_id, 'unmapped:' || coalesce(label, 'none'));
