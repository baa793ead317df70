-- Catalog search. The app writes a normalized copy of each scenario's searchable text
-- (lower case, accents removed) into search_title / search_body; SQLite indexes it with FTS5,
-- PostgreSQL with this generated tsvector ('simple' configuration: no stemming, so both
-- backends match the same words) and a GIN index.
ALTER TABLE scenarios ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE scenarios ADD COLUMN search_body TEXT NOT NULL DEFAULT '';
ALTER TABLE scenarios ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', search_title), 'A') || setweight(to_tsvector('simple', search_body), 'B')
) STORED;
CREATE INDEX scenarios_search_idx ON scenarios USING GIN (search_vector);

CREATE INDEX scenario_metadata_trending_idx ON scenario_metadata (total_times_used, amount_saved_count);
