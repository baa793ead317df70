//! Rows of `user_usage`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::user_usage;

/// A row of `user_usage`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = user_usage, primary_key(user_id, period))]
pub struct UserUsage {
    pub user_id: String,
    pub period: String,
    pub conversations_used: i32,
    pub seconds_used: i32,
    pub realtime_sessions_used: i32,
    pub banked_seconds: i32,
    pub banked_seconds_used: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What the month grants (the tier's monthly seconds when the month opened, raised by
    /// an upgrade).
    pub granted_seconds: i32,
    /// Held by open sessions, not yet settled.
    pub reserved_seconds: i32,
}

/// The insert form for `user_usage`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user_usage)]
pub struct NewUserUsage {
    pub user_id: String,
    pub period: String,
    pub conversations_used: i32,
    pub seconds_used: i32,
    pub realtime_sessions_used: i32,
    pub banked_seconds: i32,
    pub banked_seconds_used: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// What the month grants (the tier's monthly seconds when the month opened, raised by
    /// an upgrade).
    pub granted_seconds: i32,
    /// Held by open sessions, not yet settled.
    pub reserved_seconds: i32,
}

/// The change form for `user_usage`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = user_usage)]
pub struct UserUsageChanges {
    pub conversations_used: Option<i32>,
    pub seconds_used: Option<i32>,
    pub realtime_sessions_used: Option<i32>,
    pub banked_seconds: Option<i32>,
    pub banked_seconds_used: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
    pub granted_seconds: Option<i32>,
    pub reserved_seconds: Option<i32>,
}

/// A month's seconds: granted, used, banked and held (what its meter counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = user_usage)]
pub struct UsageSeconds {
    pub granted_seconds: i32,
    pub seconds_used: i32,
    pub banked_seconds: i32,
    pub banked_seconds_used: i32,
    pub reserved_seconds: i32,
}

impl From<&UserUsage> for UsageSeconds {
    fn from(u: &UserUsage) -> Self {
        Self {
            granted_seconds: u.granted_seconds,
            seconds_used: u.seconds_used,
            banked_seconds: u.banked_seconds,
            banked_seconds_used: u.banked_seconds_used,
            reserved_seconds: u.reserved_seconds,
        }
    }
}
