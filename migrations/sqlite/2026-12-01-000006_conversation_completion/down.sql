ALTER TABLE conversations DROP COLUMN objectives_met;
ALTER TABLE conversations DROP COLUMN completion;
