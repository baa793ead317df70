-- The realtime sideband: the provider's id of the conversation item a transcript line came
-- from, so a line delivered by both the server's sideband and the browser is stored once;
-- and whether the server held a sideband to the session's call (then the server, not the
-- browser, sends the wrap-up).
ALTER TABLE messages ADD COLUMN provider_item_id TEXT;
CREATE UNIQUE INDEX messages_provider_item_idx ON messages (conversation_id, provider_item_id)
    WHERE provider_item_id IS NOT NULL;
ALTER TABLE conversation_sessions ADD COLUMN call_sideband BOOLEAN NOT NULL DEFAULT FALSE;
