-- Realtime voice: the provider's id of the call a session opened (to hang it up at the
-- deadline), and when the call started and ended as the server saw it: voice time is
-- settled from these, capped at what the session held.
ALTER TABLE conversation_sessions ADD COLUMN realtime_call_id TEXT;
ALTER TABLE conversation_sessions ADD COLUMN call_started_at TIMESTAMP;
ALTER TABLE conversation_sessions ADD COLUMN call_ended_at TIMESTAMP;
