-- Catalog search. The app writes a normalized copy of each scenario's searchable text
-- (lower case, accents removed) into search_title / search_body; SQLite indexes it with FTS5
-- (external content, kept in step by triggers), PostgreSQL with a generated tsvector.
ALTER TABLE scenarios ADD COLUMN search_title TEXT NOT NULL DEFAULT '';
ALTER TABLE scenarios ADD COLUMN search_body TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE scenarios_fts USING fts5(
    search_title, search_body,
    content = 'scenarios', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3 4'
);

CREATE TRIGGER scenarios_fts_insert AFTER INSERT ON scenarios BEGIN
    INSERT INTO scenarios_fts (rowid, search_title, search_body) VALUES (new.rowid, new.search_title, new.search_body);
END;
CREATE TRIGGER scenarios_fts_delete AFTER DELETE ON scenarios BEGIN
    INSERT INTO scenarios_fts (scenarios_fts, rowid, search_title, search_body) VALUES ('delete', old.rowid, old.search_title, old.search_body);
END;
CREATE TRIGGER scenarios_fts_update AFTER UPDATE OF search_title, search_body ON scenarios BEGIN
    INSERT INTO scenarios_fts (scenarios_fts, rowid, search_title, search_body) VALUES ('delete', old.rowid, old.search_title, old.search_body);
    INSERT INTO scenarios_fts (rowid, search_title, search_body) VALUES (new.rowid, new.search_title, new.search_body);
END;

CREATE INDEX scenario_metadata_trending_idx ON scenario_metadata (total_times_used, amount_saved_count);
