-- Reading aids kept with each message: the <ruby> pairs as JSON (Japanese furigana, Mandarin
-- pinyin; NULL for other languages) and the version of the rules that computed the aids
-- (0: before versions were recorded). The recompute_reading_aids job brings older rows up to
-- date; start-up queues it while any row is behind.
ALTER TABLE messages ADD COLUMN ruby TEXT;
ALTER TABLE messages ADD COLUMN aids_version INTEGER NOT NULL DEFAULT 0;
