DROP INDEX IF EXISTS scenario_metadata_trending_idx;
DROP INDEX IF EXISTS scenarios_search_idx;
ALTER TABLE scenarios DROP COLUMN search_vector;
ALTER TABLE scenarios DROP COLUMN search_body;
ALTER TABLE scenarios DROP COLUMN search_title;
