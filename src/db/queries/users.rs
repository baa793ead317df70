//! Queries on `users`, and the removal of a user with everything that is theirs.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{NewUser, User, UserChanges};
use crate::db::schema::{email_outbox, learning_paths, scenarios, users};
use crate::db::DbConn;

/// A user by id.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A user by email (emails are stored lower-cased).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// A user by their Google account id (`sub`).
pub fn find_by_google_id(conn: &mut DbConn, google_id: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::google_id.eq(google_id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Whether another user already has this username.
pub fn exists_username(conn: &mut DbConn, username: &str, except_user: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::username.eq(username))
            .filter(users::id.ne(except_user)),
    ))
    .get_result(conn)
}

/// Inserts a user.
pub fn insert(conn: &mut DbConn, user: &NewUser) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(user.clone())
        .execute(conn)
        .map(|_| ())
}

/// Applies `changes` (and a fresh `updated_at`) to one user.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    changes: UserChanges,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let changes = UserChanges {
        updated_at: Some(now),
        ..changes
    };
    diesel::update(users::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Sets user `id`'s time zone to `zone` only while it is still `default`; returns nothing
/// either way (a learner's own choice is left alone).
pub fn update_time_zone_if_default(
    conn: &mut DbConn,
    id: &str,
    zone: &str,
    default: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id).filter(users::time_zone.eq(default)))
        .set((users::time_zone.eq(zone), users::updated_at.eq(now)))
        .execute(conn)
        .map(|_| ())
}

/// Deletes a user and every row that belongs to them: the foreign keys cascade to
/// preferences, sessions, conversations, progress, subscriptions, usage, assignments,
/// previews, tokens and events; the scenarios and paths they authored are removed here, as
/// are emails sent to their address.
pub fn delete_with_everything(conn: &mut DbConn, user: &User) -> QueryResult<()> {
    diesel::delete(scenarios::table.filter(scenarios::created_by_user_id.eq(&user.id)))
        .execute(conn)?;
    diesel::delete(learning_paths::table.filter(learning_paths::created_by_user_id.eq(&user.id)))
        .execute(conn)?;
    diesel::delete(email_outbox::table.filter(email_outbox::to_address.eq(&user.email)))
        .execute(conn)?;
    diesel::delete(users::table.find(&user.id)).execute(conn)?;
    Ok(())
}
