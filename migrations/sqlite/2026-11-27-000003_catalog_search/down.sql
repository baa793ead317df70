DROP INDEX IF EXISTS scenario_metadata_trending_idx;
DROP TRIGGER IF EXISTS scenarios_fts_update;
DROP TRIGGER IF EXISTS scenarios_fts_delete;
DROP TRIGGER IF EXISTS scenarios_fts_insert;
DROP TABLE IF EXISTS scenarios_fts;
ALTER TABLE scenarios DROP COLUMN search_body;
ALTER TABLE scenarios DROP COLUMN search_title;
