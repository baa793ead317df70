//! Rows of `conversations`: the row as read, the insert form and the change form.
//! Queries on this table live in `db::queries`; this file only says what a row is.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::conversations;
use crate::db::types::{Completion, ConversationMode, ConversationStatus, EngagementLevel, Json};

/// A row of `conversations`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Identifiable, serde::Serialize)]
#[diesel(table_name = conversations)]
pub struct Conversation {
    pub id: String,
    pub user_id: Option<String>,
    pub guest_id: Option<String>,
    pub target_language_id: String,
    pub mode: ConversationMode,
    pub scenario_id: Option<String>,
    pub speaker_id: Option<String>,
    pub title: Option<String>,
    pub status: ConversationStatus,
    pub is_onboarding: bool,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub duration_seconds: i32,
    pub message_count: i32,
    pub audio_seconds: i32,
    pub comfort_rating: Option<i32>,
    pub engagement_level: Option<EngagementLevel>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub completion: Option<Completion>,
    pub objectives_met: Option<Json<Vec<String>>>,
}

/// What the conversation page reads in one statement besides the messages: the row, its
/// scenario's brief, and its newest session with the month that session is metered in.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    pub conversation: Conversation,
    pub scenario: Option<super::ScenarioBrief>,
    pub session: Option<(super::SessionTimes, Option<super::UsageSeconds>)>,
}

/// What a learner's list of conversations shows of one (a narrow read: no JSON, one date).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct ConversationSummary {
    pub id: String,
    pub title: Option<String>,
    pub target_language_id: String,
    pub status: ConversationStatus,
    pub started_at: NaiveDateTime,
    pub duration_seconds: i32,
    pub message_count: i32,
}

/// The insert form for `conversations`: every column the application sets.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = conversations)]
pub struct NewConversation {
    pub id: String,
    pub user_id: Option<String>,
    pub guest_id: Option<String>,
    pub target_language_id: String,
    pub mode: ConversationMode,
    pub scenario_id: Option<String>,
    pub speaker_id: Option<String>,
    pub title: Option<String>,
    pub status: ConversationStatus,
    pub is_onboarding: bool,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub duration_seconds: i32,
    pub message_count: i32,
    pub audio_seconds: i32,
    pub comfort_rating: Option<i32>,
    pub engagement_level: Option<EngagementLevel>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub completion: Option<Completion>,
    pub objectives_met: Option<Json<Vec<String>>>,
}

/// The change form for `conversations`: `None` leaves a column as it is.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = conversations)]
pub struct ConversationChanges {
    pub user_id: Option<Option<String>>,
    pub guest_id: Option<Option<String>>,
    pub target_language_id: Option<String>,
    pub mode: Option<ConversationMode>,
    pub scenario_id: Option<Option<String>>,
    pub speaker_id: Option<Option<String>>,
    pub title: Option<Option<String>>,
    pub status: Option<ConversationStatus>,
    pub is_onboarding: Option<bool>,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<Option<NaiveDateTime>>,
    pub duration_seconds: Option<i32>,
    pub message_count: Option<i32>,
    pub audio_seconds: Option<i32>,
    pub comfort_rating: Option<Option<i32>>,
    pub engagement_level: Option<Option<EngagementLevel>>,
    pub updated_at: Option<NaiveDateTime>,
    pub completion: Option<Option<Completion>>,
    pub objectives_met: Option<Option<Json<Vec<String>>>>,
}
