//! Rows of `learning_path_assignments`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::AssignmentMetadata;
use crate::db::schema::learning_path_assignments;
use crate::db::types::{AssignmentRole, AssignmentStatus, Json};

/// A row of `learning_path_assignments`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = learning_path_assignments)]
pub struct LearningPathAssignment {
    pub id: String,
    pub path_id: String,
    pub user_id: String,
    pub role: AssignmentRole,
    pub status: AssignmentStatus,
    pub starts_at: NaiveDateTime,
    pub current_day_index: i32,
    pub completed_at: Option<NaiveDateTime>,
    pub email_reminders_enabled: bool,
    pub last_email_sent_at: Option<NaiveDateTime>,
    pub metadata: Json<AssignmentMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `learning_path_assignments`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = learning_path_assignments)]
pub struct NewLearningPathAssignment {
    pub id: String,
    pub path_id: String,
    pub user_id: String,
    pub role: AssignmentRole,
    pub status: AssignmentStatus,
    pub starts_at: NaiveDateTime,
    pub current_day_index: i32,
    pub completed_at: Option<NaiveDateTime>,
    pub email_reminders_enabled: bool,
    pub last_email_sent_at: Option<NaiveDateTime>,
    pub metadata: Json<AssignmentMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `learning_path_assignments`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = learning_path_assignments)]
pub struct LearningPathAssignmentChanges {
    pub path_id: Option<String>,
    pub user_id: Option<String>,
    pub role: Option<AssignmentRole>,
    pub status: Option<AssignmentStatus>,
    pub starts_at: Option<NaiveDateTime>,
    pub current_day_index: Option<i32>,
    pub completed_at: Option<Option<NaiveDateTime>>,
    pub email_reminders_enabled: Option<bool>,
    pub last_email_sent_at: Option<Option<NaiveDateTime>>,
    pub metadata: Option<Json<AssignmentMetadata>>,
    pub updated_at: Option<NaiveDateTime>,
}
