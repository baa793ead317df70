-- Usage metering, decided on the server: a month's row in user_usage holds what the month
-- grants (granted_seconds, banked_seconds carried over from the month before) and what is
-- spent (seconds_used from the grant, banked_seconds_used from the bank) or held by open
-- sessions (reserved_seconds). A conversation session reserves its allowed length when it
-- starts (hold_seconds, deadline_at), each extension reserves more, and it is settled once
-- (state 'open' -> 'settled') with the active time the server measured.
ALTER TABLE user_usage ADD COLUMN granted_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE user_usage ADD COLUMN reserved_seconds INTEGER NOT NULL DEFAULT 0;

ALTER TABLE conversation_sessions ADD COLUMN period TEXT;
ALTER TABLE conversation_sessions ADD COLUMN guest_id TEXT;
ALTER TABLE conversation_sessions ADD COLUMN hold_seconds INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_sessions ADD COLUMN deadline_at TIMESTAMP;
ALTER TABLE conversation_sessions ADD COLUMN last_activity_at TIMESTAMP;
-- The extensions the tier allowed when the session started, and their length.
ALTER TABLE conversation_sessions ADD COLUMN max_extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversation_sessions ADD COLUMN extension_seconds INTEGER NOT NULL DEFAULT 0;
-- Rows from before metering are 'settled': nothing is held for them.
ALTER TABLE conversation_sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'settled'
    CHECK (state IN ('open', 'settled'));
-- The janitor's scan: open sessions by deadline.
CREATE INDEX conversation_sessions_open_idx ON conversation_sessions (deadline_at) WHERE state = 'open';
-- A guest's sessions this month (guests have no usage row).
CREATE INDEX conversation_sessions_guest_idx ON conversation_sessions (guest_id, start_time) WHERE guest_id IS NOT NULL;
