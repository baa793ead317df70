DROP TABLE IF EXISTS rate_limits;
DROP TABLE IF EXISTS email_outbox;
DROP TABLE IF EXISTS auth_tokens;
