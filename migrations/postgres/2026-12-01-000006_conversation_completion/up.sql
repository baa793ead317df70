-- How a conversation came to count as completed (NULL: it did not), and which of its
-- scenario's objectives the provider's analysis found met (a JSON array of the objectives'
-- texts; NULL: not assessed, e.g. with the offline partner).
ALTER TABLE conversations ADD COLUMN completion TEXT
    CHECK (completion IN ('dialogue_finished', 'objectives_met', 'enough_turns'));
ALTER TABLE conversations ADD COLUMN objectives_met TEXT;
