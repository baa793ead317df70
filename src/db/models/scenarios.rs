//! Rows of `scenarios`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::{ComfortIndicators, Persona};
use crate::db::schema::scenarios;
use crate::db::types::{
    CefrLevel, Difficulty, Json, LearningGoal, ScenarioRole, Skill, Visibility,
};

/// What a running conversation needs of its scenario: the partner's persona and the
/// objectives (for the hint, the suggested replies and the progress line).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = scenarios)]
pub struct ScenarioBrief {
    pub persona: Json<Persona>,
    pub learning_objectives: Json<Vec<String>>,
}

/// What a catalog card shows of a scenario, with its save count and rating: lists read this
/// narrow projection, not the whole row (instructions, search text and the rest).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = scenarios)]
pub struct ScenarioCardRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub role: ScenarioRole,
    pub difficulty: Difficulty,
    pub cefr_level: CefrLevel,
    pub persona: Json<Persona>,
    pub primary_skill: Skill,
    pub estimated_duration_seconds: i32,
    pub visibility: Visibility,
}

impl ScenarioCardRow {
    /// The card's part of a whole row.
    pub fn of(s: &Scenario) -> Self {
        Self {
            id: s.id.clone(),
            title: s.title.clone(),
            description: s.description.clone(),
            role: s.role,
            difficulty: s.difficulty,
            cefr_level: s.cefr_level,
            persona: s.persona.clone(),
            primary_skill: s.primary_skill,
            estimated_duration_seconds: s.estimated_duration_seconds,
            visibility: s.visibility,
        }
    }
}

/// A row of `scenarios`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = scenarios)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub description: String,
    pub role: ScenarioRole,
    pub difficulty: Difficulty,
    pub difficulty_rating: i32,
    pub cefr_level: CefrLevel,
    pub instructions: String,
    pub context: String,
    pub learning_goal: Option<LearningGoal>,
    pub cefr_recommendation: Option<String>,
    pub persona: Json<Persona>,
    pub expected_outcome: String,
    pub learning_objectives: Json<Vec<String>>,
    pub comfort_indicators: Json<ComfortIndicators>,
    pub categories: Json<Vec<String>>,
    pub tags: Json<Vec<String>>,
    pub primary_skill: Skill,
    pub search_keywords: Json<Vec<String>>,
    pub thumbnail_url: Option<String>,
    pub estimated_duration_seconds: i32,
    pub created_by_user_id: Option<String>,
    pub visibility: Visibility,
    pub usage_count: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Normalized searchable text (see `db::search`); written with every change.
    pub search_title: String,
    pub search_body: String,
}

/// The insert form for `scenarios`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = scenarios)]
pub struct NewScenario {
    pub id: String,
    pub title: String,
    pub description: String,
    pub role: ScenarioRole,
    pub difficulty: Difficulty,
    pub difficulty_rating: i32,
    pub cefr_level: CefrLevel,
    pub instructions: String,
    pub context: String,
    pub learning_goal: Option<LearningGoal>,
    pub cefr_recommendation: Option<String>,
    pub persona: Json<Persona>,
    pub expected_outcome: String,
    pub learning_objectives: Json<Vec<String>>,
    pub comfort_indicators: Json<ComfortIndicators>,
    pub categories: Json<Vec<String>>,
    pub tags: Json<Vec<String>>,
    pub primary_skill: Skill,
    pub search_keywords: Json<Vec<String>>,
    pub thumbnail_url: Option<String>,
    pub estimated_duration_seconds: i32,
    pub created_by_user_id: Option<String>,
    pub visibility: Visibility,
    pub usage_count: i32,
    pub is_active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Normalized searchable text (see `db::search`); written with every change.
    pub search_title: String,
    pub search_body: String,
}

/// The change form for `scenarios`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = scenarios)]
pub struct ScenarioChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub role: Option<ScenarioRole>,
    pub difficulty: Option<Difficulty>,
    pub difficulty_rating: Option<i32>,
    pub cefr_level: Option<CefrLevel>,
    pub instructions: Option<String>,
    pub context: Option<String>,
    pub learning_goal: Option<Option<LearningGoal>>,
    pub cefr_recommendation: Option<Option<String>>,
    pub persona: Option<Json<Persona>>,
    pub expected_outcome: Option<String>,
    pub learning_objectives: Option<Json<Vec<String>>>,
    pub comfort_indicators: Option<Json<ComfortIndicators>>,
    pub categories: Option<Json<Vec<String>>>,
    pub tags: Option<Json<Vec<String>>>,
    pub primary_skill: Option<Skill>,
    pub search_keywords: Option<Json<Vec<String>>>,
    pub thumbnail_url: Option<Option<String>>,
    pub estimated_duration_seconds: Option<i32>,
    pub created_by_user_id: Option<Option<String>>,
    pub visibility: Option<Visibility>,
    pub usage_count: Option<i32>,
    pub is_active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
    pub search_title: Option<String>,
    pub search_body: Option<String>,
}
