//! Queries on `auth_tokens`: one-time emailed links.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::AuthToken;
use crate::db::schema::auth_tokens;
use crate::db::types::TokenPurpose;
use crate::db::DbConn;

pub fn insert(conn: &mut DbConn, token: &AuthToken) -> QueryResult<()> {
    diesel::insert_into(auth_tokens::table)
        .values(token.clone())
        .execute(conn)
        .map(|_| ())
}

/// A token by its hash and purpose, used or not, expired or not (the caller says which).
pub fn find(conn: &mut DbConn, id: &str, purpose: TokenPurpose) -> QueryResult<Option<AuthToken>> {
    auth_tokens::table
        .find(id)
        .filter(auth_tokens::purpose.eq(purpose))
        .select(AuthToken::as_select())
        .first(conn)
        .optional()
}

/// Marks a token used, only if it still was unused; returns whether this call used it.
pub fn mark_used(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        auth_tokens::table
            .find(id)
            .filter(auth_tokens::used_at.is_null()),
    )
    .set(auth_tokens::used_at.eq(now))
    .execute(conn)
    .map(|n| n == 1)
}

/// Marks every unused token of a user for `purpose` used (a newer link replaces them).
pub fn retire_for_user(
    conn: &mut DbConn,
    user_id: &str,
    purpose: TokenPurpose,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        auth_tokens::table
            .filter(auth_tokens::user_id.eq(user_id))
            .filter(auth_tokens::purpose.eq(purpose))
            .filter(auth_tokens::used_at.is_null()),
    )
    .set(auth_tokens::used_at.eq(now))
    .execute(conn)
}

/// Deletes every token that expired before `now`, used or not; returns how many.
pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(auth_tokens::table.filter(auth_tokens::expires_at.le(now))).execute(conn)
}
