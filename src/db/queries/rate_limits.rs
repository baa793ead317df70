//! Queries on `rate_limits`: fixed-window counters shared by every app instance.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::conn::write_transaction;
use crate::db::models::RateLimit;
use crate::db::schema::rate_limits;
use crate::db::DbConn;

/// Counts one hit on `key` and returns the hits in the current window (this one included)
/// and when that window started. A window older than `window` starts afresh.
pub fn hit(
    conn: &mut DbConn,
    key: &str,
    window: Duration,
    now: NaiveDateTime,
) -> QueryResult<(i32, NaiveDateTime)> {
    write_transaction(conn, |conn| {
        crate::db::lock::key(conn, "rate_limits", key)?;
        let current = rate_limits::table
            .find(key)
            .select(RateLimit::as_select())
            .first(conn)
            .optional()?;
        let row = match current {
            Some(r) if r.window_start + window > now => RateLimit {
                hits: r.hits + 1,
                ..r
            },
            _ => RateLimit {
                key: key.to_owned(),
                window_start: now,
                hits: 1,
            },
        };
        diesel::delete(rate_limits::table.find(key)).execute(conn)?;
        diesel::insert_into(rate_limits::table)
            .values(row.clone())
            .execute(conn)?;
        Ok((row.hits, row.window_start))
    })
}

/// The hits in `key`'s current window without counting one.
pub fn count(
    conn: &mut DbConn,
    key: &str,
    window: Duration,
    now: NaiveDateTime,
) -> QueryResult<(i32, NaiveDateTime)> {
    let current = rate_limits::table
        .find(key)
        .select(RateLimit::as_select())
        .first(conn)
        .optional()?;
    Ok(match current {
        Some(r) if r.window_start + window > now => (r.hits, r.window_start),
        _ => (0, now),
    })
}

/// Forgets a key (after a successful sign-in, say).
pub fn clear(conn: &mut DbConn, key: &str) -> QueryResult<()> {
    diesel::delete(rate_limits::table.find(key))
        .execute(conn)
        .map(|_| ())
}
