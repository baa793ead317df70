-- Learners' time zones (an IANA name; the browser fills it at sign-up and onboarding, the
-- settings page changes it) and the List-Unsubscribe address of an outbox email (daily path
-- reminders carry one; NULL for every other email).
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE email_outbox ADD COLUMN list_unsubscribe TEXT;
