//! Rows of `learning_paths`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::{PathMetadata, ScheduleDay};
use crate::db::schema::learning_paths;
use crate::db::types::{Json, PathStatus};

/// What a learner's path page shows of the path itself, beside its plan.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = learning_paths)]
pub struct PathHeading {
    pub id: String,
    pub title: String,
    pub description: String,
}

/// A row of `learning_paths`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = learning_paths)]
pub struct LearningPath {
    pub id: String,
    pub user_id: Option<String>,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub schedule: Json<Vec<ScheduleDay>>,
    pub is_template: bool,
    pub is_public: bool,
    pub share_slug: Option<String>,
    pub status: PathStatus,
    pub created_by_user_id: Option<String>,
    pub metadata: Json<PathMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `learning_paths`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = learning_paths)]
pub struct NewLearningPath {
    pub id: String,
    pub user_id: Option<String>,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub schedule: Json<Vec<ScheduleDay>>,
    pub is_template: bool,
    pub is_public: bool,
    pub share_slug: Option<String>,
    pub status: PathStatus,
    pub created_by_user_id: Option<String>,
    pub metadata: Json<PathMetadata>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `learning_paths`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = learning_paths)]
pub struct LearningPathChanges {
    pub user_id: Option<Option<String>>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub target_language: Option<String>,
    pub schedule: Option<Json<Vec<ScheduleDay>>>,
    pub is_template: Option<bool>,
    pub is_public: Option<bool>,
    pub share_slug: Option<Option<String>>,
    pub status: Option<PathStatus>,
    pub created_by_user_id: Option<Option<String>>,
    pub metadata: Option<Json<PathMetadata>>,
    pub updated_at: Option<NaiveDateTime>,
}

/// A public course (a public path template) as a listing's card shows it: the narrow
/// columns only (no schedule, no metadata), and nothing about who wrote it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = learning_paths)]
pub struct CourseCardRow {
    pub share_slug: Option<String>,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub cefr_level: Option<String>,
    pub category: Option<String>,
    pub minutes_per_day: Option<i32>,
}

/// A path template as its course page reads it: its content and whether it is published,
/// never its owner or creator.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = learning_paths)]
pub struct CourseRow {
    pub share_slug: Option<String>,
    pub title: String,
    pub description: String,
    pub target_language: String,
    pub schedule: Json<Vec<ScheduleDay>>,
    pub is_public: bool,
    pub status: PathStatus,
    pub metadata: Json<PathMetadata>,
    pub updated_at: NaiveDateTime,
}
