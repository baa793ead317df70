-- Accounts: one-time links (email verification, password reset, email change), the email
-- outbox every message goes through, and shared rate-limit counters (login and sign-up
-- throttling must hold across app instances, so they live in the database).

CREATE TABLE auth_tokens (
    -- The SHA-256 of the token sent by email; the token itself is never stored.
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password', 'change_email')),
    new_email TEXT,
    guest_id TEXT,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, purpose);

CREATE TABLE email_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TIMESTAMP,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX email_outbox_status_idx ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_user_id_idx ON email_outbox (user_id);

CREATE TABLE rate_limits (
    -- e.g. 'login:ip:127.0.0.1' or 'login:account:<sha256 of the email>'.
    key TEXT PRIMARY KEY NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0
);
