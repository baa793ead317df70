//! Rows of the account-support tables: `auth_tokens`, `email_outbox`, `rate_limits`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{auth_tokens, email_outbox, rate_limits};
use crate::db::types::{OutboxStatus, TokenPurpose};

/// A one-time emailed link; `id` is the SHA-256 of the token in the link.
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable, serde::Serialize,
)]
#[diesel(table_name = auth_tokens)]
pub struct AuthToken {
    pub id: String,
    pub user_id: String,
    pub purpose: TokenPurpose,
    pub new_email: Option<String>,
    pub guest_id: Option<String>,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// An email, queued for SMTP or kept for admins to read when no SMTP server is configured.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = email_outbox)]
pub struct OutboxEmail {
    pub id: String,
    pub user_id: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub list_unsubscribe: Option<String>,
}

/// The insert form for `email_outbox`.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = email_outbox)]
pub struct NewOutboxEmail {
    pub id: String,
    pub user_id: Option<String>,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub status: OutboxStatus,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub list_unsubscribe: Option<String>,
}

/// A fixed-window counter (`rate_limits`).
#[derive(
    Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, Insertable, serde::Serialize,
)]
#[diesel(table_name = rate_limits, primary_key(key))]
pub struct RateLimit {
    pub key: String,
    pub window_start: NaiveDateTime,
    pub hits: i32,
}
