//! "Lock this key for the rest of the transaction", the same call on both databases, for
//! every check-then-write: rate limits, a message's position, a learner's progress row, and
//! (later) usage meters. Call it inside `write_transaction`, before the read it protects.
//!
//! why: PostgreSQL's default isolation lets two transactions read the same count and both
//! write count + 1; a transaction-scoped advisory lock on the key makes the second wait for
//! the first to commit, whether or not the row exists yet (a `SELECT … FOR UPDATE` locks
//! nothing when the row is missing). SQLite has no row locks: `write_transaction` starts with
//! `BEGIN IMMEDIATE`, which already holds the whole database's write lock, so nothing more is
//! needed there.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::DbConn;

/// Holds the lock on `scope`/`key` until the surrounding transaction ends.
pub fn key(conn: &mut DbConn, scope: &str, key: &str) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(_) => {
            diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(format!("{scope}\u{1f}{key}"))
                .execute(conn)
                .map(|_| ())
        }
        DbConn::Sqlite(_) => Ok(()),
    }
}
