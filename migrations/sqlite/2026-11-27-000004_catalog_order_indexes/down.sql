DROP INDEX scenario_metadata_trending_idx;
DROP INDEX scenario_metadata_saved_idx;
DROP INDEX scenario_metadata_rating_idx;
CREATE INDEX scenario_metadata_trending_idx ON scenario_metadata (total_times_used, amount_saved_count);
CREATE INDEX scenario_metadata_saved_idx ON scenario_metadata (amount_saved_count);
CREATE INDEX scenario_metadata_rating_idx ON scenario_metadata (average_rating);
