ALTER TABLE conversation_sessions DROP COLUMN call_sideband;
DROP INDEX messages_provider_item_idx;
ALTER TABLE messages DROP COLUMN provider_item_id;
