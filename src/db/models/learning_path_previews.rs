//! Rows of `learning_path_previews`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::{PreviewMetadata, PreviewScenario, ScheduleDay};
use crate::db::schema::learning_path_previews;
use crate::db::types::{Json, PreviewStatus};

/// What the preview page shows of the row besides its state (the metadata is read apart).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = learning_path_previews)]
pub struct PreviewHeading {
    pub session_id: String,
    pub intent: String,
    pub title: String,
    pub description: String,
    pub preview_scenarios: Json<Vec<PreviewScenario>>,
    pub status: PreviewStatus,
    pub committed_path_id: Option<String>,
    pub expires_at: NaiveDateTime,
}

impl From<LearningPathPreview> for PreviewHeading {
    fn from(row: LearningPathPreview) -> Self {
        Self {
            session_id: row.session_id,
            intent: row.intent,
            title: row.title,
            description: row.description,
            preview_scenarios: row.preview_scenarios,
            status: row.status,
            committed_path_id: row.committed_path_id,
            expires_at: row.expires_at,
        }
    }
}

/// A row of `learning_path_previews`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = learning_path_previews)]
pub struct LearningPathPreview {
    pub id: String,
    pub user_id: Option<String>,
    /// The guest's id while a guest owns it (`user_id` is then empty).
    pub guest_id: Option<String>,
    pub session_id: String,
    pub intent: String,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub source_language: Option<String>,
    pub schedule: Json<Vec<ScheduleDay>>,
    pub preview_scenarios: Json<Vec<PreviewScenario>>,
    pub status: PreviewStatus,
    pub committed_path_id: Option<String>,
    pub expires_at: NaiveDateTime,
    pub metadata: Json<PreviewMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `learning_path_previews`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = learning_path_previews)]
pub struct NewLearningPathPreview {
    pub id: String,
    pub user_id: Option<String>,
    /// The guest's id while a guest owns it (`user_id` is then empty).
    pub guest_id: Option<String>,
    pub session_id: String,
    pub intent: String,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub source_language: Option<String>,
    pub schedule: Json<Vec<ScheduleDay>>,
    pub preview_scenarios: Json<Vec<PreviewScenario>>,
    pub status: PreviewStatus,
    pub committed_path_id: Option<String>,
    pub expires_at: NaiveDateTime,
    pub metadata: Json<PreviewMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `learning_path_previews`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = learning_path_previews)]
pub struct LearningPathPreviewChanges {
    pub user_id: Option<Option<String>>,
    pub guest_id: Option<Option<String>>,
    pub session_id: Option<String>,
    pub intent: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub target_language: Option<String>,
    pub source_language: Option<Option<String>>,
    pub schedule: Option<Json<Vec<ScheduleDay>>>,
    pub preview_scenarios: Option<Json<Vec<PreviewScenario>>>,
    pub status: Option<PreviewStatus>,
    pub committed_path_id: Option<Option<String>>,
    pub expires_at: Option<NaiveDateTime>,
    pub metadata: Option<Json<PreviewMetadata>>,
    pub updated_at: Option<NaiveDateTime>,
}
