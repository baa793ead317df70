DELETE FROM learning_path_previews WHERE user_id IS NULL;
CREATE TABLE learning_path_previews_old (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL UNIQUE,
    intent TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    target_language TEXT NOT NULL REFERENCES languages (id),
    source_language TEXT REFERENCES languages (id),
    schedule TEXT NOT NULL DEFAULT '[]',
    preview_scenarios TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'generating' CHECK (status IN ('generating', 'ready', 'committed')),
    committed_path_id TEXT REFERENCES learning_paths (id) ON DELETE SET NULL,
    expires_at TIMESTAMP NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO learning_path_previews_old SELECT id, user_id, session_id, intent, title,
    description, target_language, source_language, schedule, preview_scenarios, status,
    committed_path_id, expires_at, metadata, created_at, updated_at FROM learning_path_previews;
DROP TABLE learning_path_previews;
ALTER TABLE learning_path_previews_old RENAME TO learning_path_previews;
CREATE INDEX learning_path_previews_user_id_idx ON learning_path_previews (user_id);
CREATE INDEX learning_path_previews_expires_at_idx ON learning_path_previews (expires_at);
