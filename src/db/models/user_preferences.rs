//! Rows of `user_preferences`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::user_preferences;
use crate::db::types::{ChallengePreference, CorrectionStyle, Json, LearningGoal};

/// A row of `user_preferences`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = user_preferences)]
pub struct UserPreferences {
    pub id: String,
    pub user_id: Option<String>,
    pub guest_id: Option<String>,
    pub target_language_id: String,
    pub learning_goal: LearningGoal,
    pub speaking_level: i32,
    pub listening_level: i32,
    pub reading_level: i32,
    pub writing_level: i32,
    pub challenge_preference: ChallengePreference,
    pub correction_style: CorrectionStyle,
    pub specific_goals: Json<Vec<String>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The insert form for `user_preferences`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = user_preferences)]
pub struct NewUserPreferences {
    pub id: String,
    pub user_id: Option<String>,
    pub guest_id: Option<String>,
    pub target_language_id: String,
    pub learning_goal: LearningGoal,
    pub speaking_level: i32,
    pub listening_level: i32,
    pub reading_level: i32,
    pub writing_level: i32,
    pub challenge_preference: ChallengePreference,
    pub correction_style: CorrectionStyle,
    pub specific_goals: Json<Vec<String>>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The change form for `user_preferences`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = user_preferences)]
pub struct UserPreferencesChanges {
    pub user_id: Option<Option<String>>,
    pub guest_id: Option<Option<String>>,
    pub target_language_id: Option<String>,
    pub learning_goal: Option<LearningGoal>,
    pub speaking_level: Option<i32>,
    pub listening_level: Option<i32>,
    pub reading_level: Option<i32>,
    pub writing_level: Option<i32>,
    pub challenge_preference: Option<ChallengePreference>,
    pub correction_style: Option<CorrectionStyle>,
    pub specific_goals: Option<Json<Vec<String>>>,
    pub updated_at: Option<NaiveDateTime>,
}
