//! Rows of `user_scenario_progress`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::user_scenario_progress;

/// A row of `user_scenario_progress`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = user_scenario_progress, primary_key(user_id, scenario_id))]
pub struct UserScenarioProgress {
    pub user_id: String,
    pub scenario_id: String,
    pub is_saved: bool,
    pub saved_at: Option<NaiveDateTime>,
    pub times_completed: i32,
    pub times_attempted: i32,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_completed_at: Option<NaiveDateTime>,
    pub total_time_spent_seconds: i32,
    pub user_rating: Option<i32>,
    pub user_notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `user_scenario_progress`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user_scenario_progress)]
pub struct NewUserScenarioProgress {
    pub user_id: String,
    pub scenario_id: String,
    pub is_saved: bool,
    pub saved_at: Option<NaiveDateTime>,
    pub times_completed: i32,
    pub times_attempted: i32,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_completed_at: Option<NaiveDateTime>,
    pub total_time_spent_seconds: i32,
    pub user_rating: Option<i32>,
    pub user_notes: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `user_scenario_progress`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = user_scenario_progress)]
pub struct UserScenarioProgressChanges {
    pub is_saved: Option<bool>,
    pub saved_at: Option<Option<NaiveDateTime>>,
    pub times_completed: Option<i32>,
    pub times_attempted: Option<i32>,
    pub last_attempt_at: Option<Option<NaiveDateTime>>,
    pub last_completed_at: Option<Option<NaiveDateTime>>,
    pub total_time_spent_seconds: Option<i32>,
    pub user_rating: Option<Option<i32>>,
    pub user_notes: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}
