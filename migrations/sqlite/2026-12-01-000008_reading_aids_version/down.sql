ALTER TABLE messages DROP COLUMN aids_version;
ALTER TABLE messages DROP COLUMN ruby;
