//! Queries on `email_outbox`: the mail the app sends, queued, sent or failed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{NewOutboxEmail, OutboxEmail};
use crate::db::schema::email_outbox;
use crate::db::types::OutboxStatus;
use crate::db::DbConn;

pub fn insert(conn: &mut DbConn, email: &NewOutboxEmail) -> QueryResult<()> {
    diesel::insert_into(email_outbox::table)
        .values(email.clone())
        .execute(conn)
        .map(|_| ())
}

/// One email by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OutboxEmail>> {
    email_outbox::table
        .find(id)
        .select(OutboxEmail::as_select())
        .first(conn)
        .optional()
}

/// The most recent emails, newest first.
pub fn list_recent(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxEmail>> {
    email_outbox::table
        .order((email_outbox::created_at.desc(), email_outbox::id.desc()))
        .limit(limit)
        .select(OutboxEmail::as_select())
        .load(conn)
}

/// Queued emails due for a delivery attempt at `now`, oldest first.
pub fn list_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OutboxEmail>> {
    email_outbox::table
        .filter(email_outbox::status.eq(OutboxStatus::Queued))
        .filter(email_outbox::next_attempt_at.le(now))
        .order(email_outbox::created_at.asc())
        .limit(limit)
        .select(OutboxEmail::as_select())
        .load(conn)
}

/// Records a delivered email.
pub fn mark_sent(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::status.eq(OutboxStatus::Sent),
            email_outbox::sent_at.eq(now),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Records a failed attempt: retried at `retry_at`, or failed for good when `None`.
pub fn mark_attempt_failed(
    conn: &mut DbConn,
    id: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    let status = if retry_at.is_some() {
        OutboxStatus::Queued
    } else {
        OutboxStatus::Failed
    };
    diesel::update(email_outbox::table.find(id))
        .set((
            email_outbox::status.eq(status),
            email_outbox::last_error.eq(error),
            email_outbox::next_attempt_at.eq(retry_at),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
        ))
        .execute(conn)
        .map(|_| ())
}
