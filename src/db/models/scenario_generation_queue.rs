//! Rows of `scenario_generation_queue`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::scenario_generation_queue;
use crate::db::types::GenerationStatus;

/// A row of `scenario_generation_queue`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = scenario_generation_queue)]
pub struct ScenarioGenerationJob {
    pub id: String,
    pub path_id: String,
    pub day_index: i32,
    pub target_generation_date: NaiveDateTime,
    pub status: GenerationStatus,
    pub last_error: Option<String>,
    pub retry_count: i32,
    pub last_processed_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub scenario_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `scenario_generation_queue`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = scenario_generation_queue)]
pub struct NewScenarioGenerationJob {
    pub id: String,
    pub path_id: String,
    pub day_index: i32,
    pub target_generation_date: NaiveDateTime,
    pub status: GenerationStatus,
    pub last_error: Option<String>,
    pub retry_count: i32,
    pub last_processed_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub scenario_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `scenario_generation_queue`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = scenario_generation_queue)]
pub struct ScenarioGenerationJobChanges {
    pub path_id: Option<String>,
    pub day_index: Option<i32>,
    pub target_generation_date: Option<NaiveDateTime>,
    pub status: Option<GenerationStatus>,
    pub last_error: Option<Option<String>>,
    pub retry_count: Option<i32>,
    pub last_processed_at: Option<Option<NaiveDateTime>>,
    pub next_attempt_at: Option<Option<NaiveDateTime>>,
    pub scenario_id: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}
