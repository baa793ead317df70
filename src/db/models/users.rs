//! Rows of `users`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::users;

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub email: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub password_hash: Option<String>,
    pub google_id: Option<String>,
    pub display_name: Option<String>,
    pub username: Option<String>,
    pub avatar_url: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub native_language_id: Option<String>,
    pub preferred_ui_language_id: Option<String>,
    pub is_admin: bool,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// An IANA name, checked by `app::accounts::time_zone` before it is written.
    pub time_zone: String,
}

/// The insert form for `users`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: String,
    pub email: String,
    pub email_verified_at: Option<NaiveDateTime>,
    pub password_hash: Option<String>,
    pub google_id: Option<String>,
    pub display_name: Option<String>,
    pub username: Option<String>,
    pub avatar_url: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub native_language_id: Option<String>,
    pub preferred_ui_language_id: Option<String>,
    pub is_admin: bool,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// An IANA name, checked by `app::accounts::time_zone` before it is written.
    pub time_zone: String,
}

/// The change form for `users`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub email_verified_at: Option<Option<NaiveDateTime>>,
    pub password_hash: Option<Option<String>>,
    pub google_id: Option<Option<String>>,
    pub display_name: Option<Option<String>>,
    pub username: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub stripe_customer_id: Option<Option<String>>,
    pub native_language_id: Option<Option<String>>,
    pub preferred_ui_language_id: Option<Option<String>>,
    pub is_admin: Option<bool>,
    pub last_login_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub time_zone: Option<String>,
}
