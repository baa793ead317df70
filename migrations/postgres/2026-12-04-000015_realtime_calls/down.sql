ALTER TABLE conversation_sessions DROP COLUMN call_ended_at;
ALTER TABLE conversation_sessions DROP COLUMN call_started_at;
ALTER TABLE conversation_sessions DROP COLUMN realtime_call_id;
