ALTER TABLE email_outbox DROP COLUMN list_unsubscribe;
ALTER TABLE users DROP COLUMN time_zone;
