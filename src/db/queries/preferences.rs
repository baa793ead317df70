//! Queries on `user_preferences`, for users and for guests, and moving a guest's work to
//! the account they create.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::models::{NewUserPreferences, UserPreferences, UserPreferencesChanges};
use crate::db::schema::{conversation_sessions, conversations, user_preferences};
use crate::db::DbConn;

/// Whose preferences: a signed-in user's or a guest's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    User(String),
    Guest(String),
}

/// The owner's preferences, if they have answered anything yet.
pub fn find(conn: &mut DbConn, owner: &Owner) -> QueryResult<Option<UserPreferences>> {
    // why: a fixed statement per owner kind, kept by the statement cache (not boxed).
    let query = user_preferences::table.select(UserPreferences::as_select());
    match owner {
        Owner::User(id) => query.filter(user_preferences::user_id.eq(id)).first(conn),
        Owner::Guest(id) => query.filter(user_preferences::guest_id.eq(id)).first(conn),
    }
    .optional()
}

pub fn insert(conn: &mut DbConn, prefs: &NewUserPreferences) -> QueryResult<()> {
    diesel::insert_into(user_preferences::table)
        .values(prefs.clone())
        .execute(conn)
        .map(|_| ())
}

/// Applies `changes` to one preferences row.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    changes: UserPreferencesChanges,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let changes = UserPreferencesChanges {
        updated_at: Some(now),
        ..changes
    };
    diesel::update(user_preferences::table.find(id))
        .set(changes)
        .execute(conn)
        .map(|_| ())
}

/// Moves what a guest did to a user: their conversations, sessions and path previews
/// always, their preferences when the user has none yet (a user's own answers win).
/// Returns how many conversations moved.
pub fn move_guest_to_user(
    conn: &mut DbConn,
    guest_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let moved = diesel::update(conversations::table.filter(conversations::guest_id.eq(guest_id)))
        .set((
            conversations::user_id.eq(user_id),
            conversations::guest_id.eq(None::<String>),
            conversations::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(
        conversation_sessions::table.filter(
            conversation_sessions::conversation_id.eq_any(
                conversations::table
                    .filter(conversations::user_id.eq(user_id))
                    .select(conversations::id.nullable()),
            ),
        ),
    )
    .filter(conversation_sessions::user_id.is_null())
    .set(conversation_sessions::user_id.eq(user_id))
    .execute(conn)?;
    super::paths::move_guest_previews(conn, guest_id, user_id, now)?;
    let user_has_prefs = find(conn, &Owner::User(user_id.to_owned()))?.is_some();
    let guest_prefs = user_preferences::table.filter(user_preferences::guest_id.eq(guest_id));
    if user_has_prefs {
        diesel::delete(guest_prefs).execute(conn)?;
    } else {
        diesel::update(guest_prefs)
            .set((
                user_preferences::user_id.eq(user_id),
                user_preferences::guest_id.eq(None::<String>),
                user_preferences::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(moved)
}
