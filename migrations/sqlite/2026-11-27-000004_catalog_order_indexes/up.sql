-- Indexes that hold each aggregate sort of the catalog in full, ending in the scenario id,
-- so a page can be read in order and stop after its rows (no sort of the whole catalog).
DROP INDEX scenario_metadata_trending_idx;
DROP INDEX scenario_metadata_saved_idx;
DROP INDEX scenario_metadata_rating_idx;
CREATE INDEX scenario_metadata_trending_idx ON scenario_metadata (total_times_used DESC, amount_saved_count DESC, scenario_id);
CREATE INDEX scenario_metadata_saved_idx ON scenario_metadata (amount_saved_count DESC, scenario_id);
CREATE INDEX scenario_metadata_rating_idx ON scenario_metadata (average_rating DESC, ratings_count DESC, scenario_id);
