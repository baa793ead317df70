//! Queries on `sessions` (login sessions). Ids are SHA-256 hashes of the cookie token.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::conn::on_backend;
use crate::db::models::{NewSession, Session, User};
use crate::db::schema::{sessions, users};
use crate::db::DbConn;

pub fn insert(conn: &mut DbConn, session: &NewSession) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(session.clone())
        .execute(conn)
        .map(|_| ())
}

/// The session with this id and its user, if it has not expired at `now`.
pub fn find_live_with_user(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<(Session, User)>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .select((Session::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// The user of the session with this id, if it has not expired at `now` (what every page
/// reads: the session row itself is not needed).
pub fn find_live_user(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<User>> {
    on_backend!(conn, |c| sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(id))
        .filter(sessions::expires_at.gt(now))
        .select(User::as_select())
        .first(c))
    .optional()
}

/// The live sessions of one user, newest first.
pub fn list_for_user(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<Session>> {
    on_backend!(conn, |c| sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order(sessions::created_at.desc())
        .select(Session::as_select())
        .load(c))
}

/// Deletes one session; returns whether it existed.
pub fn delete(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    diesel::delete(sessions::table.find(id))
        .execute(conn)
        .map(|n| n > 0)
}

/// Deletes every session of a user; returns how many.
pub fn delete_for_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Deletes every session that expired before `now`; returns how many.
pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
