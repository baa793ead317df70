//! Rows of `scenario_metadata`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::scenario_metadata;

/// A row of `scenario_metadata`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = scenario_metadata, primary_key(scenario_id))]
pub struct ScenarioMetadata {
    pub scenario_id: String,
    pub amount_saved_count: i32,
    pub total_times_used: i32,
    pub total_attempts: i32,
    pub total_completions: i32,
    pub average_rating: Option<f64>,
    pub ratings_count: i32,
    pub ratings_sum: i32,
    pub completion_rate: f64,
    pub average_time_spent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `scenario_metadata`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = scenario_metadata)]
pub struct NewScenarioMetadata {
    pub scenario_id: String,
    pub amount_saved_count: i32,
    pub total_times_used: i32,
    pub total_attempts: i32,
    pub total_completions: i32,
    pub average_rating: Option<f64>,
    pub ratings_count: i32,
    pub ratings_sum: i32,
    pub completion_rate: f64,
    pub average_time_spent: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `scenario_metadata`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = scenario_metadata)]
pub struct ScenarioMetadataChanges {
    pub amount_saved_count: Option<i32>,
    pub total_times_used: Option<i32>,
    pub total_attempts: Option<i32>,
    pub total_completions: Option<i32>,
    pub average_rating: Option<Option<f64>>,
    pub ratings_count: Option<i32>,
    pub ratings_sum: Option<i32>,
    pub completion_rate: Option<f64>,
    pub average_time_spent: Option<i32>,
    pub updated_at: Option<NaiveDateTime>,
}

impl NewScenarioMetadata {
    /// The aggregates of a scenario nobody has used yet.
    pub fn empty(scenario_id: &str, now: NaiveDateTime) -> Self {
        Self {
            scenario_id: scenario_id.to_owned(),
            amount_saved_count: 0,
            total_times_used: 0,
            total_attempts: 0,
            total_completions: 0,
            average_rating: None,
            ratings_count: 0,
            ratings_sum: 0,
            completion_rate: 0.0,
            average_time_spent: 0,
            created_at: now,
            updated_at: now,
        }
    }
}
