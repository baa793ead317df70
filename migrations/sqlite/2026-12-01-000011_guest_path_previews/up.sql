-- A guest may preview a path before signing up: a preview belongs to a user or to a guest
-- (the guest cookie's id), and moves to the account at sign-up or sign-in. SQLite cannot drop
-- NOT NULL in place, so the table is rebuilt (nothing references it).
CREATE TABLE learning_path_previews_new (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    guest_id TEXT,
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
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (user_id IS NOT NULL OR guest_id IS NOT NULL)
);
INSERT INTO learning_path_previews_new (id, user_id, guest_id, session_id, intent, title,
    description, target_language, source_language, schedule, preview_scenarios, status,
    committed_path_id, expires_at, metadata, created_at, updated_at)
SELECT id, user_id, NULL, session_id, intent, title, description, target_language,
    source_language, schedule, preview_scenarios, status, committed_path_id, expires_at,
    metadata, created_at, updated_at
FROM learning_path_previews;
DROP TABLE learning_path_previews;
ALTER TABLE learning_path_previews_new RENAME TO learning_path_previews;
CREATE INDEX learning_path_previews_user_id_idx ON learning_path_previews (user_id);
CREATE INDEX learning_path_previews_guest_id_idx ON learning_path_previews (guest_id);
CREATE INDEX learning_path_previews_expires_at_idx ON learning_path_previews (expires_at);
